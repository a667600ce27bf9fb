"""A discrete-event simulator that drives a real :class:`~csflow.desk.Desk`.

The simulator is one more host of the desk: it owns a simulated clock and a seeded
:class:`random.Random`, feeds the desk the commands a real helpdesk would and summarizes the
events the desk returns.  One concept per module:

* :mod:`csflow.sim.distributions` -- durations: :class:`Exponential`, :class:`LogNormal`,
  :class:`Empirical`, or any :class:`Distribution`.
* :mod:`csflow.sim.scenario` -- what to simulate: :class:`Arrivals` and their
  :class:`RatePeriod` profile, :class:`AgentGroup` and :class:`Shift`,
  :class:`EscalationRule`, :class:`CallbackOffer`, :class:`SimConfig`, :data:`PEAK_DAYS`,
  and whole runs as plain data (:class:`Scenario`, :func:`mmc_scenario`).
* :mod:`csflow.sim.engine` -- the run loop (:func:`simulate`, :func:`run_scenario`), with the
  theory of operation.
* :mod:`csflow.sim.result` -- what a run returns: :class:`SimResult`, :class:`SlaInterval`.

Every name is importable from ``csflow.sim`` as before the split.
"""

from __future__ import annotations

from csflow.sim.distributions import Distribution, Empirical, Exponential, LogNormal
from csflow.sim.engine import run_scenario, simulate
from csflow.sim.result import SimResult, SlaInterval
from csflow.sim.scenario import (
    PEAK_DAYS,
    AgentGroup,
    Arrivals,
    CallbackOffer,
    EscalationRule,
    RatePeriod,
    Scenario,
    Shift,
    SimConfig,
    mmc_scenario,
)

__all__ = [
    "PEAK_DAYS",
    "AgentGroup",
    "Arrivals",
    "CallbackOffer",
    "Distribution",
    "Empirical",
    "EscalationRule",
    "Exponential",
    "LogNormal",
    "RatePeriod",
    "Scenario",
    "Shift",
    "SimConfig",
    "SimResult",
    "SlaInterval",
    "mmc_scenario",
    "run_scenario",
    "simulate",
]
