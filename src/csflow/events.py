"""Events: what a :class:`~csflow.desk.Desk` tells its host.

Every command returns a list of these, in the order they happened; each is a frozen attrs value
with the instant it happened at (``at``, aware, in UTC).  A host acts on them: shows an
assignment in its UI, notifies a customer, pages a supervisor, sends a survey.

Every event about a ticket, the desk's own and the SLA clocks' alike, derives from
:class:`DeskEvent`, so its first two fields are always ``at`` and ``ticket_id``.  The SLA
events (:class:`SlaWarning`, :class:`SlaBreached`, :class:`SlaMet`) are defined here, beside
the others, and :mod:`csflow.sla` (whose clocks emit them) imports them from this module.
:class:`AgentPresenceChanged` is about an agent, not a ticket: it has ``at`` first and no
ticket id.

This module depends only on :mod:`csflow.model`, so any layer may import it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypeAlias

import attrs

from csflow.model import Metric, Priority

__all__ = [
    "AgentPresenceChanged",
    "CallbackDue",
    "DeskEvent",
    "Event",
    "SlaBreached",
    "SlaEscalated",
    "SlaEvent",
    "SlaMet",
    "SlaWarning",
    "SurveyDue",
    "TicketAbandoned",
    "TicketAssigned",
    "TicketClosed",
    "TicketEscalated",
    "TicketOverflowed",
    "TicketPrioritized",
    "TicketQueued",
    "TicketRelaxed",
    "TicketReopened",
    "TicketRequeued",
    "TicketResolved",
    "TicketStatusChanged",
    "TicketTransferred",
    "TransferLimitReached",
]


@attrs.frozen
class DeskEvent:
    """The one base of every ticket event: something happened to ticket *ticket_id* at *at*.

    The desk's events and the SLA events alike derive from it, so ``at`` and ``ticket_id``
    come first in every ticket event and a host can route any of them by ticket without
    knowing its kind.

    Attributes:
        at: When it happened (aware).
        ticket_id: The ticket it happened to.
    """

    at: datetime
    ticket_id: str


@attrs.frozen
class TicketQueued(DeskEvent):
    """A ticket entered the desk (or came back in line) and its policies were decided.

    Every submitted ticket produces exactly one ``TicketQueued`` first; a ticket that an agent
    takes at once is followed by a :class:`TicketAssigned` at the same instant.  Metrics count
    offered tickets, per tier and channel, from this event.

    Attributes:
        queue: The queue the policy chose.
        priority: The priority the policy chose.
        sla_policy: The SLA policy's name, or ``None`` when no policy applies.
        tier: The customer's tier name.
        channel: The ticket's channel name.
        reason: Why: the rules that decided priority, queue and SLA policy.
    """

    queue: str
    priority: Priority
    sla_policy: str | None
    tier: str
    channel: str
    reason: str


@attrs.frozen
class TicketAssigned(DeskEvent):
    """A ticket was given to an agent.

    Attributes:
        agent_id: Who takes it.
        waited: Seconds the ticket waited in line before this assignment.
        candidates: How many eligible agents there were.
        reason: The strategy (and rule) that chose the agent, in words.
    """

    agent_id: str
    waited: float
    candidates: int
    reason: str


@attrs.frozen
class TicketRequeued(DeskEvent):
    """A ticket went back in line because the agent holding it was removed from the desk.

    An agent who only goes offline (or away) keeps the tickets it holds: they stay assigned,
    still counted in its load, until the agent resolves them, a supervisor transfers them, or
    the agent is removed (:meth:`Desk.remove_agent <csflow.desk.Desk.remove_agent>`).
    """

    agent_id: str
    reason: str


@attrs.frozen
class TicketTransferred(DeskEvent):
    """A ticket moved from one agent (or team) to another."""

    from_agent: str | None
    to: str
    transfers: int


@attrs.frozen
class TicketEscalated(DeskEvent):
    """A ticket was escalated to a team (front line -> technical, finance ...)."""

    from_team: str | None
    to_team: str
    escalations: int
    reason: str


@attrs.frozen
class TransferLimitReached(DeskEvent):
    """A hand-over would exceed ``max_transfers``: refused, or allowed and flagged."""

    transfers: int
    limit: int
    refused: bool


@attrs.frozen
class TicketOverflowed(DeskEvent):
    """A waiting ticket became visible to agents of a secondary queue (overflow)."""

    queue: str
    waited: float


@attrs.frozen
class TicketRelaxed(DeskEvent):
    """A waiting ticket's requirements were widened by a step of its relaxation plan.

    A supervisor sees that the ticket may now go to agents it could not go to before (a lower
    proficiency, a skill or language dropped); :meth:`Desk.queue <csflow.desk.Desk.queue>`
    shows the same requirements in the ticket's entry (``signature``).

    Attributes:
        step: How many steps of the plan have applied (1 for the first).
        requirements: What an agent needs now (the entry's signature, written out).
        description: What the step did, in words.
    """

    step: int
    requirements: str
    description: str


@attrs.frozen
class TicketAbandoned(DeskEvent):
    """The customer gave up (or the ticket was withdrawn) while waiting."""

    waited: float


@attrs.frozen
class TicketResolved(DeskEvent):
    """An agent solved the ticket."""

    agent_id: str


@attrs.frozen
class TicketClosed(DeskEvent):
    """A solved ticket was closed for good; it can no longer be reopened."""


@attrs.frozen
class TicketReopened(DeskEvent):
    """A solved ticket was reopened by the customer."""

    last_agent: str | None


@attrs.frozen
class TicketStatusChanged(DeskEvent):
    """A ticket moved between open, pending and on-hold."""

    old: str
    new: str


@attrs.frozen
class TicketPrioritized(DeskEvent):
    """A ticket's priority changed (and its clocks were recalculated)."""

    old: Priority
    new: Priority


@attrs.frozen
class CallbackDue(DeskEvent):
    """A customer who asked for a call-back reached the front: an agent should call now.

    Attributes:
        agent_id: The agent who was assigned the call-back.
    """

    agent_id: str


@attrs.frozen
class SurveyDue(DeskEvent):
    """Time to ask the customer for feedback, a configured delay after resolution."""

    agent_id: str | None


@attrs.frozen
class SlaEscalated(DeskEvent):
    """The escalation policy acted on an SLA warning or breach.

    Attributes:
        metric: The SLA metric (``"first_response"`` ...).
        kind: ``"warning"`` or ``"breach"``.
        notify: People or teams the host should notify.
        tags: Tags added to the ticket.
        reason: The policy's reason.
        skipped: What the policy asked for that the desk did not do, each with why (a queue
            move for a ticket already with an agent, an unknown queue, a lower priority).
            Everything else it asked for was done: the views show the tags, a raised
            priority (a :class:`TicketPrioritized` follows) and a queue move (a
            :class:`TicketOverflowed` follows).
    """

    metric: str
    kind: str
    notify: tuple[str, ...]
    tags: tuple[str, ...]
    reason: str
    skipped: tuple[str, ...] = ()


# -- SLA events --------------------------------------------------------------------------------


@attrs.frozen
class SlaWarning(DeskEvent):
    """A clock used *threshold* of its target at business-time instant *at*.

    Attributes:
        at: When the threshold was reached (not when it was polled).
        ticket_id: The ticket.
        metric: The metric.
        threshold: The fraction of the target used (e.g. ``0.75``).
        due_at: The deadline in force at that instant.
    """

    metric: Metric
    threshold: float
    due_at: datetime


@attrs.frozen
class SlaBreached(DeskEvent):
    """A clock reached its target: from now on it measures how late it is.

    Attributes:
        at: When the breach happened: the due instant for a breach driven by time, the change
            instant for one caused by a recalculation.
        ticket_id: The ticket.
        metric: The metric.
        due_at: The instant the target was reached (earlier than *at* only after a
            ``RETROACTIVE`` recalculation).
        target: The target that was missed.
    """

    metric: Metric
    due_at: datetime
    target: timedelta


@attrs.frozen
class SlaMet(DeskEvent):
    """A clock stopped because its response or resolution came.

    Attributes:
        at: When it was met.
        ticket_id: The ticket.
        metric: The metric.
        elapsed: Business time used.
        target: The target.
        breached: Whether the target had been breached (met late).
    """

    metric: Metric
    elapsed: timedelta
    target: timedelta
    breached: bool

    @property
    def late_by(self) -> timedelta:
        """Business time beyond the target (zero when met on time)."""
        return max(self.elapsed - self.target, timedelta(0))


SlaEvent: TypeAlias = SlaWarning | SlaBreached | SlaMet
"""Any event an SLA clock emits."""


# -- agents ------------------------------------------------------------------------------------


@attrs.frozen
class AgentPresenceChanged:
    """An agent's presence changed (``available``, ``busy``, ``away``, ``offline``, custom)."""

    at: datetime
    agent_id: str
    old: str | None
    new: str


Event = DeskEvent | AgentPresenceChanged | SlaWarning | SlaBreached | SlaMet
"""Any event a desk command can return."""
