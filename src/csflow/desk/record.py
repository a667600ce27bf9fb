"""The desk's mutable record of one ticket (never handed to a host: views are built from it).

A record's ``state`` is written only by :meth:`Desk._transition` (the lifecycle table's one
applier); the other fields are the desk's bookkeeping around it.
"""

from __future__ import annotations

from csflow.events import Event
from csflow.model import Ticket, TicketStatus
from csflow.sla import TicketSla

__all__ = ["TicketRecord"]


class TicketRecord:
    """A ticket's mutable record at the desk.

    Attributes:
        ticket: The ticket as the desk knows it now (priority after triage and changes).
        state: Its lifecycle state.
        agent: The holder when ``assigned``; the owner while ``pending``, ``on_hold`` or
            ``solved``.
        queue: The queue it waits in (or last waited in).
        queued_us: When it (last) started waiting, in microseconds.
        sla: Its SLA clocks, or ``None``.
        policy: Its SLA policy's name, or ``None``.
        armed: The SLA deadline pushed on the desk's timer heap, if any.
        callback: The customer asked to be called back.
        survey_version: Bumped whenever a pending survey stops being due.
        tags: Tags the triage rules (and the escalation policy) added.
        history: Its events, when the desk keeps history.
    """

    __slots__ = (
        "agent",
        "armed",
        "callback",
        "history",
        "policy",
        "queue",
        "queued_us",
        "sla",
        "state",
        "survey_version",
        "tags",
        "ticket",
    )

    def __init__(self, ticket: Ticket, state: TicketStatus, queue: str, at_us: int) -> None:
        self.ticket = ticket
        self.state = state
        self.agent: str | None = None
        self.queue = queue
        self.queued_us = at_us
        self.sla: TicketSla | None = None
        self.policy: str | None = None
        self.armed: int | None = None
        self.callback = False
        self.survey_version = 0
        self.tags: tuple[str, ...] = ()
        self.history: list[Event] | None = None
