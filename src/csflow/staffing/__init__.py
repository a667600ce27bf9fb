"""Staffing: Erlang B, C and A, a staffing plan for a day, and the shifts that cover it.

The package has one module per concept:

* :mod:`csflow.staffing.erlang` -- Erlang B, C and A: blocking, waiting, service level, ASA,
  abandonment and the fewest agents for a service level;
* :mod:`csflow.staffing.plan` -- a day's forecast, interval by interval, turned into agents and
  scheduled heads (:func:`staffing_plan`);
* :mod:`csflow.staffing.history` -- a day's forecast from arrival history: the same interval on
  past days, averaged (:func:`forecast_from_history`);
* :mod:`csflow.staffing.shifts` -- shift templates: start windows, lengths, costs, breaks;
* :mod:`csflow.staffing.roster` -- the cheapest roster of shifts that covers a plan's
  requirements (:func:`~csflow.staffing.roster.cover`);
* :mod:`csflow.staffing.verify` -- a plan checked, and corrected interval by interval, by
  simulating the real desk (:func:`~csflow.staffing.verify.verify_plan`).

The Erlang, plan and history names below are importable from ``csflow.staffing`` as before the split.
The shift, roster and verification names are imported from their own modules
(``from csflow.staffing.roster import cover``): :mod:`~csflow.staffing.verify` needs the
simulator, which this package does not otherwise load.
"""

from __future__ import annotations

# MAX_LOAD stays importable from here, as the constant of the former module, outside __all__,
# and MAX_AGENTS beside it.
from csflow.staffing.erlang import MAX_AGENTS as MAX_AGENTS
from csflow.staffing.erlang import MAX_LOAD as MAX_LOAD
from csflow.staffing.erlang import (
    ErlangAResult,
    agents_for_asa,
    agents_for_service_level,
    agents_for_service_level_a,
    average_speed_of_answer,
    erlang_a,
    erlang_b,
    erlang_c,
    occupancy,
    service_level,
)
from csflow.staffing.history import MAX_EXCLUDE as MAX_EXCLUDE
from csflow.staffing.history import MAX_LOOKBACK as MAX_LOOKBACK
from csflow.staffing.history import HistoryForecast, forecast_from_history
from csflow.staffing.plan import ForecastInterval, IntervalStaffing, StaffingPlan, staffing_plan

__all__ = [
    "ErlangAResult",
    "ForecastInterval",
    "HistoryForecast",
    "IntervalStaffing",
    "StaffingPlan",
    "agents_for_asa",
    "agents_for_service_level",
    "agents_for_service_level_a",
    "average_speed_of_answer",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "forecast_from_history",
    "occupancy",
    "service_level",
    "staffing_plan",
]
