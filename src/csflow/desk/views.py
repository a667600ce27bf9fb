"""Read-only views: what a host sees of a ticket and of its SLA clocks at an instant.

Views are frozen values built when a host asks (:meth:`Desk.ticket
<csflow.desk.Desk.ticket>`, :meth:`Desk.clocks <csflow.desk.Desk.clocks>`); holding one never
keeps the desk's own state alive or lets a host change it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs

from csflow.model import Metric, Ticket, TicketStatus
from csflow.sla import SlaClock

__all__ = ["ClockView", "TicketView", "clock_view"]


@attrs.frozen
class ClockView:
    """One SLA clock as a host sees it at an instant.

    Attributes:
        metric: The metric.
        state: ``running``, ``paused``, ``met``, ``met_late``, ``breached`` or ``cancelled``.
        target: The target in force.
        due_at: The deadline (``None`` while paused, met on time or cancelled).
        elapsed: Business time used.
        remaining: Business time left before the target (zero once reached).
    """

    metric: Metric
    state: str
    target: timedelta
    due_at: datetime | None
    elapsed: timedelta
    remaining: timedelta


@attrs.frozen
class TicketView:
    """A ticket's place at the desk.

    Attributes:
        ticket: The ticket as the desk knows it now (priority after triage and changes).
        state: One of :data:`~csflow.desk.lifecycle.TICKET_STATES` (a
            :class:`~csflow.model.TicketStatus`, equal to its name: ``view.state == "queued"``).
        agent_id: The agent holding (``assigned``) or owning (``pending``/``on_hold``/
            ``solved``) it, if any.
        queue: The queue it waits in (or last waited in).
        team: The team whose queue that is, if any.
        sla_policy: The SLA policy's name, or ``None``.
        transfers: Hand-overs so far (transfers and escalations).
        callback: The customer asked to be called back.
        tags: Tags the triage rules added.
    """

    ticket: Ticket
    state: TicketStatus
    agent_id: str | None
    queue: str
    team: str | None
    sla_policy: str | None
    transfers: int
    callback: bool
    tags: tuple[str, ...]


def clock_view(metric: Metric, clock: SlaClock, at: datetime) -> ClockView:
    """*clock* (the ticket's *metric* clock) as seen at *at*."""
    return ClockView(
        metric,
        clock.state.name.lower(),
        clock.target.duration,
        clock.due_at,
        clock.elapsed(at),
        clock.remaining(at),
    )
