"""What a simulation returns: the report, its counts, and SLA attainment over time."""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs

from csflow.metrics import Report

__all__ = ["SimResult", "SlaInterval"]


@attrs.frozen
class SlaInterval:
    """SLA cycles decided in one interval of the run (for plots of attainment over the day).

    Attributes:
        start: The interval's start (UTC).
        met: Cycles met on time in it.
        breached: Cycles breached in it (counted at the breach, or when met late).
    """

    start: datetime
    met: int
    breached: int

    @property
    def rate(self) -> float | None:
        """``met / (met + breached)``, or ``None`` when nothing was decided."""
        total = self.met + self.breached
        return self.met / total if total else None


@attrs.frozen
class SimResult:
    """The outcome of a simulation.

    Attributes:
        report: Service level, ASA, abandonment, occupancy, SLA attainment, queue length ...
        customers: Customers who arrived (warm-up included).
        commands: Desk commands the simulator issued.
        events: Events the desk returned.
        sla_series: SLA attainment per :attr:`SimConfig.interval`, in time order: one row
            for every interval of the horizon (``met == breached == 0`` and ``rate`` ``None``
            where nothing was decided), then each later interval that decided a cycle, and
            only those (within ``MAX_SIM_INTERVALS`` intervals after the horizon: 100,000), so
            a quiet stretch of the drain has no rows.
        seed: The seed of the run.
        occupancy_series: Measured occupancy per :attr:`SimConfig.interval`, in time order:
            ``(start (UTC), busy / available)``, the time agents spent on contacts (warm-up
            tickets included) over the time they were on shift and not on a break, in
            capacity slots, plus the time they spent finishing a contact on a break or after
            their shift (busy time, so at most 1); ``None`` where no agent was on shift or
            finishing a contact.  One row for every interval
            of the horizon, then one for every later interval in which an agent was still
            busy (the drain; 100,000 rows of it at most, ``MAX_SIM_INTERVALS``).  Every row,
            the last included, counts the time on shift within its interval, up to the end
            of the measured time: the horizon (so a last interval that the horizon cuts
            counts up to it) or, when the drain runs past it, the end of the interval in
            which the last handling ended (the last row is a whole interval, not cut where
            the handling ended), or where the run stopped (``MAX_DRAIN`` after the horizon)
            when that is earlier.
            :attr:`csflow.metrics.Report.occupancy` is the report's busy time over that plus
            the idle time (available less busy) of the rows from the end of the warm-up to
            the end of the arrivals (see :func:`~csflow.sim.engine.simulate`).
        callbacks: Call-backs requested: customers of the report (warm-up tickets left out)
            who took the offer of :attr:`SimConfig.callbacks` while still waiting for a
            first agent; 0 without an offer.  The desk counts nothing of it (a request
            returns no event), so the report does not show it.
        callbacks_answered: Of those, the call-backs an agent took (a
            :class:`~csflow.events.CallbackDue`) before the run ended.
        callback_wait: The mean time from a call-back's request to the agent who took it,
            over the *callbacks_answered* (to the nearest µs); ``None`` when there are none.  (The report's ASA
            counts a call-back's whole wait, from the customer's arrival.)
    """

    report: Report
    customers: int
    commands: int
    events: int
    sla_series: tuple[SlaInterval, ...]
    seed: int
    occupancy_series: tuple[tuple[datetime, float | None], ...] = ()
    callbacks: int = 0
    callbacks_answered: int = 0
    callback_wait: timedelta | None = None
