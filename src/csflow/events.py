"""Events: what a :class:`~csflow.desk.Desk` tells its host.

Every command returns a list of these, in the order they happened; each is a frozen attrs value
with the instant it happened at (``at``, aware: in memory in the zone of the ``at`` the host
passed, or UTC for a timer's own instant; aware datetimes compare by instant).  Every event has a
plain-data form (:meth:`DeskEvent.to_dict`, read back by :func:`event_from_dict`) in which
every instant is written in UTC, ISO 8601 with offset -- the one rule for events and views
alike.  A host acts on them: shows an
assignment in its UI, notifies a customer, pages a supervisor, sends a survey.

Every event about a ticket, the desk's own and the SLA clocks' alike, derives from
:class:`DeskEvent`, so its first two fields are always ``at`` and ``ticket_id``.  The SLA
events (:class:`SlaWarning`, :class:`SlaBreached`, :class:`SlaMet`,
:class:`SlaCancelled`) are defined here, beside the others, and :mod:`csflow.sla` (whose clocks emit them) imports them from this module.
:class:`AgentPresenceChanged` and :class:`AgentProfileChanged` are about an agent, not a
ticket: they have ``at`` first and no ticket id.

This module depends only on :mod:`csflow.model`, so any layer may import it.
"""

from __future__ import annotations

import copy
import enum
import inspect
import sys
import types
import typing
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Final, TypeAlias, Union

import attrs

from csflow._frozen import FrozenDict
from csflow._plain import MAX_STRING, decode_fields, encode_fields, whole_number
from csflow._text import show
from csflow.errors import ConfigError
from csflow.model import Metric, Priority

__all__ = [
    "EVENT_VERSION",
    "AgentPresenceChanged",
    "AgentProfileChanged",
    "CallbackDue",
    "CallbackRequested",
    "DeskEvent",
    "Event",
    "FeedbackRecorded",
    "GoodwillDeclined",
    "GoodwillGranted",
    "GoodwillRequested",
    "SlaBreached",
    "SlaCancelled",
    "SlaDeadlineMoved",
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
    "TicketSlaPolicyChanged",
    "TicketStatusChanged",
    "TicketTransferred",
    "TransferLimitReached",
    "event_from_dict",
    "event_schema",
]

#: The ``version`` every event's plain-data form carries (see :meth:`DeskEvent.to_dict`).
#: Version 2 added ``cycle_start`` to :class:`SlaBreached`, :class:`SlaMet` and
#: :class:`SlaCancelled`; version 3 added :class:`TicketSlaPolicyChanged` (a stream of
#: version 3 records every change of a ticket's SLA policy, an older one none) and
#: :class:`CallbackRequested` (every call-back request, likewise).
#: :func:`event_from_dict` reads versions 1 and 2 too (an SLA event of version 1 without a
#: ``cycle_start``: ``None``).
EVENT_VERSION: Final = 3
#: The SLA events whose version-1 form has no ``cycle_start``.
_CYCLE_START_SINCE_2: Final = frozenset({"SlaBreached", "SlaMet", "SlaCancelled"})
#: The event types a format version added: no stream of an earlier version holds them.
_SINCE: Final = {"TicketSlaPolicyChanged": 3, "CallbackRequested": 3}


def _event_to_dict(event: Any) -> dict[str, Any]:
    return {"type": type(event).__name__, "version": EVENT_VERSION, **encode_fields(event)}


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

    def to_dict(self) -> dict[str, Any]:
        """This event as JSON-compatible data; :func:`event_from_dict` reads it back.

        ``{"type": "TicketAssigned", "version": 3, "at": "...+00:00", "ticket_id": ..., ...}``:
        the class name as type tag, then every field.  Instants are written in UTC (ISO 8601
        with offset) whatever zone the event carries; durations as ISO 8601 seconds
        (``"PT900S"``); enums as their value (``"first_response"``, priorities as numbers).
        """
        return _event_to_dict(self)


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

    The last four fields are the customer's recent contacts (see
    :class:`~csflow.desk.contacts.ContactPolicy`), so the agent's screen can greet a repeat
    customer and show the history without asking the host's database.

    Attributes:
        agent_id: Who takes it.
        waited: Seconds the ticket waited in line before this assignment: since it last
            went into line (a ticket put back by ``remove_agent`` counts from then, though it
            keeps its place).
        candidates: How many eligible agents there were.
        reason: The strategy (and rule) that chose the agent, in words.
        contacts: The customer's contacts (tickets submitted) within the configured window,
            this ticket included (0 when the desk does not remember contacts).
        last_contact_at: When the customer's previous contact in the window came, or ``None``.
        last_agent: The agent who last served the customer, or ``None``.
        open_tickets: The customer's tickets still open at the desk, this one included.
    """

    agent_id: str
    waited: float
    candidates: int
    reason: str
    contacts: int = 0
    last_contact_at: datetime | None = None
    last_agent: str | None = None
    open_tickets: int = 0


@attrs.frozen
class TicketRequeued(DeskEvent):
    """A ticket went back in line from the agent holding it: the agent gave it back
    (:meth:`Desk.requeue <csflow.desk.Desk.requeue>`, ``reason`` ``"requeued by 'budi'"``:
    a call-back whose customer did not pick up stays one), or was removed from the desk.

    An agent who only goes offline (or away) keeps the tickets it holds: they stay assigned,
    still counted in its load, until the agent resolves them, a supervisor transfers them, or
    the agent is removed (:meth:`Desk.remove_agent <csflow.desk.Desk.remove_agent>`).
    """

    agent_id: str
    reason: str


@attrs.frozen
class TicketTransferred(DeskEvent):
    """A ticket moved from one agent (or team) to another.

    Attributes:
        from_agent: The agent who handed it over (``None`` when none held it).
        to: The agent or team it went to.
        transfers: The hand-overs the ticket has had, this one included: transfers and
            escalations together, as the transfer policy's ``max_transfers`` counts them.
    """

    from_agent: str | None
    to: str
    transfers: int


@attrs.frozen
class TicketEscalated(DeskEvent):
    """A ticket was escalated to a team (front line -> technical, finance ...).

    Attributes:
        from_team: The team it was escalated from: its queue's team, else the escalation
            graph's first entry; ``None`` when neither names one.
        to_team: The team it went to.
        escalations: The hand-overs the ticket has had, this one included: escalations and
            transfers together, as the transfer policy's ``max_transfers`` counts them (an
            escalation, a transfer, then an escalation: 3), not the escalations alone.
        reason: Why (``escalation front -> tech``).
    """

    from_team: str | None
    to_team: str
    escalations: int
    reason: str


@attrs.frozen
class TransferLimitReached(DeskEvent):
    """A hand-over went past ``max_transfers`` and was let through, flagged.

    The transfer policy's ``on_limit: "flag"`` lets it through.  (Under ``"refuse"`` the desk
    raises :class:`~csflow.errors.TransferLimitError`, changes nothing and emits no event, so
    a desk's ``refused`` is always ``False``; the field stays for the wire format and for
    hosts that record a refusal themselves.)

    Attributes:
        transfers: The hand-overs the ticket has had, this one included.
        limit: The policy's ``max_transfers``.
        refused: Whether the hand-over was refused (see above).
    """

    transfers: int
    limit: int
    refused: bool


@attrs.frozen
class TicketOverflowed(DeskEvent):
    """A waiting ticket became visible to agents of a secondary queue (overflow).

    Attributes:
        queue: The queue whose agents now see it.
        waited: Seconds since the ticket's place in line (the instant its overflow timer
            counts from, which a requeue keeps), not since it last went into line as
            :attr:`TicketAssigned.waited` counts.
    """

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
class TicketSlaPolicyChanged(DeskEvent):
    """A ticket was put under another SLA policy (:meth:`~csflow.desk.Desk.set_sla_policy`).

    Sent only when the policy changes (a command naming the policy the ticket is already
    under changes nothing and sends none), before the SLA events the change causes (a breach
    it reveals, the clocks it cancels): those, and every later SLA result of the ticket, are
    results under the new policy.  :func:`~csflow.metrics.summarize` counts each SLA result
    for the policy in force when it happened.

    Attributes:
        old: The policy the ticket was under (``None``: it had none).
        new: The policy it is under from *at*.
    """

    old: str | None
    new: str


@attrs.frozen
class CallbackRequested(DeskEvent):
    """A waiting customer asked to be called back: the ticket keeps its place in line, now a
    phone contact, until an agent who can call takes it (then :class:`CallbackDue`)."""


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
class FeedbackRecorded(DeskEvent):
    """The customer rated a resolved ticket (once per resolution cycle).

    It carries who and what was rated, so satisfaction metrics need no other event.

    Attributes:
        rating: The rating, 1 (very dissatisfied) to 5 (very satisfied).
        comment: The customer's words (bounded), or ``""``.
        cycle: Which resolution of the ticket was rated (1 for the first, 2 after a reopening).
        agent_id: The agent who resolved it, or ``None`` when it has no owner any more.
        tier: The customer's tier name.
        channel: The ticket's channel name.
        queue: The queue the ticket last waited in.
        team: The team whose queue that is, or ``None``.
    """

    rating: int
    comment: str
    cycle: int
    agent_id: str | None
    tier: str
    channel: str
    queue: str
    team: str | None


@attrs.frozen
class GoodwillGranted(DeskEvent):
    """A goodwill gesture (a voucher, a refunded shipping fee) was granted on a ticket.

    Attributes:
        agent_id: The agent who granted it.
        amount: The amount (exact), in *currency*.
        currency: The ISO 4217 code, e.g. ``"IDR"``.
        reason: Why, e.g. ``"late_delivery"``.
        tier: The customer's tier name.
        budget: The allowance it was charged to (``"agent:sari"``, ``"team:frontline"``), or
            ``"approval"`` when a supervisor approved it beyond the allowance.
        remaining: What is left of that allowance in the current period (``None`` when a
            supervisor approved it).
        approved_by: The supervisor who approved it, or ``None`` when within the allowance.
        request_id: The approval request it answers, or ``None``.
    """

    agent_id: str
    amount: Decimal
    currency: str
    reason: str
    tier: str
    budget: str
    remaining: Decimal | None
    approved_by: str | None = None
    request_id: str | None = None


@attrs.frozen
class GoodwillRequested(DeskEvent):
    """A goodwill grant beyond the agent's allowance or the ticket's limit awaits a supervisor.

    The supervisor answers with :meth:`~csflow.desk.Desk.approve_goodwill` or
    :meth:`~csflow.desk.Desk.decline_goodwill`, naming *request_id*.

    Attributes:
        request_id: The request's id (``"<ticket>/goodwill/<n>"``).
        agent_id: The agent who asked.
        amount: The amount asked for.
        currency: The currency.
        reason: Why the agent wants to grant it.
        tier: The customer's tier name.
        why: Which limit it exceeds, in words.
    """

    request_id: str
    agent_id: str
    amount: Decimal
    currency: str
    reason: str
    tier: str
    why: str


@attrs.frozen
class GoodwillDeclined(DeskEvent):
    """A supervisor declined a goodwill request.

    Attributes:
        request_id: The request.
        agent_id: The agent who asked.
        amount: The amount asked for.
        supervisor: Who declined it.
    """

    request_id: str
    agent_id: str
    amount: Decimal
    supervisor: str


@attrs.frozen
class SlaEscalated(DeskEvent):
    """The escalation policy acted on an SLA warning or breach.

    Attributes:
        metric: The SLA metric (``"first_response"`` ...).
        kind: ``"warning"`` or ``"breach"``.
        notify: People or teams the host should notify.
        tags: Tags added to the ticket: those of the escalation the ticket did not have
            already (from triage, or an earlier escalation), each once.
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
        cycle_start: Where the clock's cycle naturally started (see :class:`SlaMet`).
    """

    metric: Metric
    due_at: datetime
    target: timedelta
    cycle_start: datetime | None = attrs.field(default=None, eq=False, kw_only=True)


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
        cycle_start: Where the clock's cycle naturally started, which names the cycle: the
            ticket's creation for ``first_response`` and ``resolution``, the oldest customer
            message unanswered since the last agent reply for ``next_response``, the last
            agent reply (or the re-opening after one) for ``periodic_update``.  A clock a
            metric regains after losing its target (:class:`SlaCancelled`) keeps the cycle's
            start, from whatever instant it counts, so the reports count one cycle once.
            ``None`` in an event of format version 1 (written before events recorded it)
            and in one built by hand without it.  Not part of equality or hashing: two events
            that report the same happening are equal.
    """

    metric: Metric
    elapsed: timedelta
    target: timedelta
    breached: bool
    cycle_start: datetime | None = attrs.field(default=None, eq=False, kw_only=True)

    @property
    def late_by(self) -> timedelta:
        """Business time beyond the target (zero when met on time)."""
        return max(self.elapsed - self.target, timedelta(0))


@attrs.frozen
class SlaDeadlineMoved(DeskEvent):
    """A restore under a changed config moved an open SLA clock's deadline.

    :meth:`Desk.restore <csflow.desk.Desk.restore>` with ``on_config_change=`` reports one
    for every clock whose due instant differs from the one the snapshot recorded (``None``:
    no deadline then, or none now -- paused, met, or a clock the new policy lacks).

    Attributes:
        metric: The clock's metric (its value, e.g. ``"first_response"``).
        old_due: The deadline in the snapshot.
        new_due: The deadline under the new config.
    """

    metric: str
    old_due: datetime | None
    new_due: datetime | None


@attrs.frozen
class SlaCancelled(DeskEvent):
    """A running clock ended undecided because its metric has no target any more.

    A change of priority or SLA policy left the metric without a target for the ticket (the
    clock keeps its record, in state ``cancelled``), or a ticket reopened under a policy
    without a resolution target.  The cycle counts neither as met nor as breached from here
    (a breach it had already reached stays counted); a later cycle of the metric, once it has
    a target again, is a new one.  Clocks stopped by a solve, a close or an abandonment send
    none: :class:`TicketResolved`, :class:`TicketClosed` and :class:`TicketAbandoned` say so.

    Attributes:
        at: When the clock was cancelled (the change's instant).
        ticket_id: The ticket.
        metric: The metric.
        cycle_start: Where the cancelled clock's cycle naturally started (see
            :class:`SlaMet`): a clock the metric regains in the same cycle carries the same
            instant.
    """

    metric: Metric
    cycle_start: datetime | None = attrs.field(default=None, eq=False, kw_only=True)


SlaEvent: TypeAlias = SlaWarning | SlaBreached | SlaMet | SlaCancelled
"""Any event an SLA clock emits."""


# -- agents ------------------------------------------------------------------------------------


@attrs.frozen
class AgentPresenceChanged:
    """An agent's presence changed (``available``, ``busy``, ``away``, ``offline``, custom)."""

    at: datetime
    agent_id: str
    old: str | None
    new: str

    def to_dict(self) -> dict[str, Any]:
        """This event as JSON-compatible data (the form of :meth:`DeskEvent.to_dict`)."""
        return _event_to_dict(self)


@attrs.frozen
class AgentProfileChanged:
    """An agent's profile changed while it works (:meth:`~csflow.desk.Desk.update_agent`):
    its skills, languages, capacity or teams, and the routing profile it now routes under."""

    at: datetime
    agent_id: str
    routing_profile: str

    def to_dict(self) -> dict[str, Any]:
        """This event as JSON-compatible data (the form of :meth:`DeskEvent.to_dict`)."""
        return _event_to_dict(self)


Event = (
    DeskEvent
    | AgentPresenceChanged
    | AgentProfileChanged
    | SlaWarning
    | SlaBreached
    | SlaMet
    | SlaCancelled
)
"""Any event a desk command can return."""


def _own_event_classes() -> dict[str, type[Any]]:
    """csflow's own event classes by name: the two agent events and every
    :class:`DeskEvent` subclass this module defines (not the base)."""
    out: dict[str, type[Any]] = {
        AgentPresenceChanged.__name__: AgentPresenceChanged,
        AgentProfileChanged.__name__: AgentProfileChanged,
    }
    for name in __all__:
        obj = globals().get(name)
        if isinstance(obj, type) and issubclass(obj, DeskEvent) and obj is not DeskEvent:
            out[name] = obj
    return out


# A fixed registry, built once: a class another module defines on DeskEvent later (a host's
# own "TicketClosed", a test double) neither takes over a csflow type tag nor reads back.
_EVENT_CLASSES: Final[Mapping[str, type[Any]]] = FrozenDict(_own_event_classes())

# -- the ranges a desk's events stay within ------------------------------------------------
# The desk's own limits, restated here (this module depends on csflow.model only; a test ties
# each to its source): ids (csflow.model), ratings and comments (csflow.desk.feedback),
# goodwill amounts and reasons (csflow.desk.goodwill), a supervisor's name (the longest
# string argument a journal row of a command reads back, csflow.desk.commands).
_MAX_ID = 256
_MAX_NAME = 64  # a configured name, such as a routing profile's (csflow._config.MAX_NAME_CHARS)
_RATINGS = range(1, 6)
_MAX_COMMENT = 2000
_MAX_AMOUNT = Decimal(10) ** 15
_MAX_PLACES = 6
_MAX_REASON = 200
_MAX_SUPERVISOR = 4096
_MAX_COUNT = 2**63 - 1
#: A goodwill request's id is its ticket's id, ``/goodwill/`` and a number.
_MAX_REQUEST_ID = _MAX_ID + 32
_METRICS: Final = frozenset(m.value for m in Metric)


def _places(value: Decimal) -> int:
    """The decimal places *value* needs (trailing zeros aside), without a decimal context."""
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite (the reader refuses the others)
    zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -(exponent + zeros)) if any(digits) else 0


def _id(value: Any) -> str | None:
    if value is None or 0 < len(value) <= _MAX_ID:
        return None
    return f"expected an id of 1 to {_MAX_ID} characters, got {show(value)}"


def _metric(value: Any) -> str | None:
    # The SLA events carry a Metric (the reader refuses others); SlaDeadlineMoved and
    # SlaEscalated its value, text: one of the metrics too.
    if isinstance(value, Metric) or value in _METRICS:
        return None
    return f"expected one of {sorted(_METRICS)}, got {show(value)}"


def _count(least: int) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if least <= value <= _MAX_COUNT:
            return None
        return f"expected an int from {least}, got {show(value)}"

    return check


def _rating(value: Any) -> str | None:
    if value in _RATINGS:
        return None
    return f"expected a rating from {_RATINGS.start} to {_RATINGS.stop - 1}, got {show(value)}"


def _text(most: int, least: int = 0) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if value is None or least <= len(value) <= most:
            return None
        return f"expected a string of {least} to {most} characters, got {show(value)}"

    return check


def _seconds(value: Any) -> str | None:
    return None if value >= 0 else f"expected seconds from 0, got {show(value)}"


def _threshold(value: Any) -> str | None:
    if 0 < value <= 1:
        return None
    return f"expected a fraction of the target in (0, 1], got {show(value)}"


def _target(value: Any) -> str | None:
    if value > timedelta(0):
        return None
    return f"expected a positive duration, got {show(value)}"


def _elapsed(value: Any) -> str | None:
    if value >= timedelta(0):
        return None
    return f"expected a duration from zero, got {show(value)}"


def _amount(zero: bool) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if value is None or (
            (value >= 0 if zero else value > 0)
            and value < _MAX_AMOUNT
            and _places(value) <= _MAX_PLACES
        ):
            return None
        least = "zero or more" if zero else "a positive amount"
        return (
            f"expected {least} below {_MAX_AMOUNT:,} with at most {_MAX_PLACES} decimal "
            f"places, got {show(value)}"
        )

    return check


_IDS: Final = dict.fromkeys(("ticket_id", "agent_id", "last_agent", "from_agent"), _id)
_GOODWILL: Final = {
    **_IDS,
    "amount": _amount(zero=False),
    "remaining": _amount(zero=True),
    "reason": _text(_MAX_REASON, 1),
    "approved_by": _text(_MAX_SUPERVISOR, 1),
    "supervisor": _text(_MAX_SUPERVISOR, 1),
    "request_id": _text(_MAX_REQUEST_ID, 1),
}
_FIELDS: Final = {
    **_IDS,
    "waited": _seconds,
    **dict.fromkeys(("candidates", "contacts", "open_tickets", "limit"), _count(0)),
    # A hand-over's count includes itself (TicketTransferred, TicketEscalated and
    # TransferLimitReached are sent at a hand-over).
    **dict.fromkeys(("transfers", "escalations"), _count(1)),
    "metric": _metric,
    "step": _count(1),
    "cycle": _count(1),
    "rating": _rating,
    "comment": _text(_MAX_COMMENT),
    "routing_profile": _text(_MAX_NAME, 1),
    "threshold": _threshold,
    "target": _target,
    "elapsed": _elapsed,
}


#: How csflow writes an instant: UTC, ISO 8601 with its offset, microseconds when not zero --
#: and only a date and time that exist (years 1 to 9999, February 29 in leap years, no hour
#: 24 and no leap second), which is what :func:`event_from_dict` reads: ``"format":
#: "date-time"`` alone is an annotation that most validators do not check.
_YEAR: Final = "([0-9]{3}[1-9]|[0-9]{2}[1-9]0|[0-9][1-9]00|[1-9]000)"
_LEAP_YEAR: Final = "([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[48]|[2468][048]|[13579][26])00)"
_DATE: Final = (
    f"({_YEAR}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)"
    f"|02-(0[1-9]|1[0-9]|2[0-8]))|{_LEAP_YEAR}-02-29)"
)
_INSTANT_PATTERN: Final = (
    f"^{_DATE}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{{6}})?\\+00:00$"
)
#: Whole seconds from 0 to the longest duration Python holds (``timedelta.max``: 999,999,999
#: days and 86,399.999999 seconds, 86,399,999,999,999.999999 seconds), as csflow writes them.
_WHOLE_SECONDS: Final = "(0|[1-9][0-9]{0,12}|[1-7][0-9]{13}|8[0-5][0-9]{12}|86[0-3][0-9]{11})"
_SECONDS_PATTERN: Final = f"^PT{_WHOLE_SECONDS}(\\.[0-9]{{1,6}})?S$"
#: A duration field without a range of its own (none today: an event's durations are SLA
#: targets and elapsed times, which have theirs).
_DURATION_PATTERN: Final = f"^-?PT{_WHOLE_SECONDS}(\\.[0-9]{{1,6}})?S$"
#: The largest finite float: a JSON number past it (``1e400``) is no float the reader takes.
_MAX_FLOAT: Final = sys.float_info.max

# The same ranges as JSON Schema keywords, for :func:`event_schema` (a test holds the two
# tables to the same fields, and the schema to the reader's verdicts at each range's edges).
_COUNT_MAX: Final = {"maximum": _MAX_COUNT}
_ID_SCHEMA: Final = {"minLength": 1, "maxLength": _MAX_ID}
_DECIMAL_SCHEMA: Final = f"^(0|[1-9][0-9]{{0,14}})(\\.[0-9]{{1,{_MAX_PLACES}}})?$"
_SCHEMA_FIELDS: Final[Mapping[str, Mapping[str, Any]]] = {
    **dict.fromkeys(_IDS, _ID_SCHEMA),
    "waited": {"minimum": 0, "maximum": _MAX_FLOAT},
    **{
        k: {"minimum": 0, **_COUNT_MAX} for k in ("candidates", "contacts", "open_tickets", "limit")
    },
    **{k: {"minimum": 1, **_COUNT_MAX} for k in ("transfers", "escalations", "step", "cycle")},
    "metric": {"enum": sorted(_METRICS)},
    "rating": {"minimum": _RATINGS.start, "maximum": _RATINGS.stop - 1},
    "comment": {"maxLength": _MAX_COMMENT},
    "routing_profile": {"minLength": 1, "maxLength": _MAX_NAME},
    "threshold": {"exclusiveMinimum": 0, "maximum": 1},
    "target": {"pattern": _SECONDS_PATTERN, "not": {"pattern": "^PT0+(\\.0+)?S$"}},
    "elapsed": {"pattern": _SECONDS_PATTERN},
}
_SCHEMA_GOODWILL: Final[Mapping[str, Mapping[str, Any]]] = {
    **dict.fromkeys(_IDS, _ID_SCHEMA),
    "amount": {"pattern": _DECIMAL_SCHEMA, "not": {"pattern": "^0(\\.0+)?$"}},
    "remaining": {"pattern": _DECIMAL_SCHEMA},
    "reason": {"minLength": 1, "maxLength": _MAX_REASON},
    "approved_by": {"minLength": 1, "maxLength": _MAX_SUPERVISOR},
    "supervisor": {"minLength": 1, "maxLength": _MAX_SUPERVISOR},
    "request_id": {"minLength": 1, "maxLength": _MAX_REQUEST_ID},
}


def _ranges(cls: type[Any]) -> tuple[tuple[str, Callable[[Any], str | None]], ...]:
    table = {**_FIELDS, **_GOODWILL} if cls.__name__.startswith("Goodwill") else _FIELDS
    return tuple((f.name, table[f.name]) for f in attrs.fields(cls) if f.name in table)


#: Per event type, in field order, the fields a desk writes within a range, and their checks.
_RANGES: Final = {name: _ranges(cls) for name, cls in _EVENT_CLASSES.items()}


#: Text without a lone surrogate (U+D800-U+DFFF), which the reader refuses: a UTF-16 validator
#: (ECMAScript's) sees a character past U+FFFF as a pair of surrogates, which this admits; one
#: that reads code points (Python's) never sees a surrogate in valid text.
_TEXT_PATTERN: Final = "^(?:[^\\ud800-\\udfff]|[\\ud800-\\udbff][\\udc00-\\udfff])*$"


def _type_schema(tp: Any) -> dict[str, Any]:
    """The JSON Schema of a field of type *tp* as :meth:`DeskEvent.to_dict` writes it."""
    args = typing.get_args(tp)
    if typing.get_origin(tp) in (Union, types.UnionType):
        (inner,) = (a for a in args if a is not type(None))
        return {"anyOf": [_type_schema(inner), {"type": "null"}]}
    if typing.get_origin(tp) is tuple:
        return {"type": "array", "items": _type_schema(args[0])}
    if tp is datetime:
        return {"type": "string", "format": "date-time", "pattern": _INSTANT_PATTERN}
    if tp is timedelta:
        return {"type": "string", "pattern": _DURATION_PATTERN}
    if tp is Decimal:
        return {"type": "string", "pattern": _DECIMAL_SCHEMA}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return {"enum": [m.value for m in tp]}
    simple = {str: "string", int: "integer", float: "number", bool: "boolean"}
    assert tp in simple, tp  # a field type no event has had yet: give it a schema here
    out: dict[str, Any] = {"type": simple[tp]}
    if tp is str:
        out["maxLength"] = MAX_STRING
        out["pattern"] = _TEXT_PATTERN
    return out


def _field_schema(tp: Any, extra: Mapping[str, Any] | None) -> dict[str, Any]:
    """*tp*'s schema with a range's keywords, on the value's own branch (not on ``null``)."""
    out = _type_schema(tp)
    if not extra:
        return out
    branch = out["anyOf"][0] if "anyOf" in out else out
    branch.update(copy.deepcopy(extra))  # every schema its own: a caller may edit it
    if "enum" in extra:  # text that must name a metric: the enum says everything
        branch.pop("maxLength", None)
        branch.pop("pattern", None)
    return out


def _field_docs(cls: type[Any]) -> dict[str, str]:
    """The ``Attributes:`` sections of *cls*'s docstring and its bases', field by field, each
    description on one line (a class's own wins over its base's)."""
    out: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        lines = inspect.cleandoc(klass.__dict__.get("__doc__") or "").splitlines()
        if "Attributes:" not in lines:
            continue
        name = None
        for line in lines[lines.index("Attributes:") + 1 :]:
            if line and not line.startswith(" "):
                break  # the section is over
            head, colon, text = line.strip().partition(": ")
            if colon and line.startswith("    ") and not line.startswith("     "):
                name = head  # a field's first line, ``    name: text``
                out[name] = text
            elif name is not None and line.strip():
                out[name] += " " + line.strip()
    return out


def event_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of every event's plain-data form, as csflow writes it.

    For hosts that send events over the wire to code that is not Python: a consumer in
    TypeScript or Go generates its types from it, a queue or a database validates rows
    against it.  It is one ``oneOf`` over a definition per event type (in ``$defs``, under
    the type's name), each an object with the ``type`` tag as a ``const``, ``version``
    (:data:`EVENT_VERSION`) and every field, all required and no other key: instants as
    csflow writes them (UTC, ``2026-03-02T09:00:00+00:00``), durations as ISO 8601 seconds
    (``PT90S``), money as decimal strings, enums as their values (priorities as numbers),
    ``null`` where a field may be absent, and the ranges :func:`event_from_dict` checks
    (ids of 1 to 256 characters, counts, ratings, thresholds, ...).

    What the schema accepts, :func:`event_from_dict` reads, with two exceptions the schema
    cannot state: an SLA cycle's start after its event, and a goodwill request's id other
    than its ticket's id, ``/goodwill/`` and a number.  A whole number written with a zero
    fraction (``1.0`` for a count of 1, a priority, the version), which JSON Schema counts an
    integer, the reader takes as the int too.  The schema's instants are dates and times
    that exist, in years 1 to 9999 (no February 29 outside a leap year, no hour 24, no leap
    second), its durations at most Python's longest (``timedelta.max``), its waits finite.
    The reader takes somewhat more: instants with any offset (``Z``, ``+07:00``) and fewer
    fraction digits, the older format versions, durations and decimal strings in other
    spellings (``"PT01S"``, ``"1e3"``, ``"01"``).  Each call returns a new, independent dict
    (``csflow schema --events`` prints it).

    Examples:
        >>> schema = event_schema()
        >>> schema["$defs"]["TicketClosed"]["required"]
        ['type', 'version', 'at', 'ticket_id']
    """
    defs: dict[str, Any] = {}
    for name in sorted(_EVENT_CLASSES):
        cls = _EVENT_CLASSES[name]
        hints = typing.get_type_hints(cls)
        ranges = (
            {**_SCHEMA_FIELDS, **_SCHEMA_GOODWILL}
            if name.startswith("Goodwill")
            else _SCHEMA_FIELDS
        )
        properties: dict[str, Any] = {
            "type": {"const": name},
            "version": {"const": EVENT_VERSION},
        }
        docs = _field_docs(cls)
        for f in attrs.fields(cls):
            properties[f.name] = _field_schema(hints[f.name], ranges.get(f.name))
            if f.name in docs:
                properties[f.name]["description"] = docs[f.name]
        doc = (cls.__doc__ or "").strip().split("\n\n")[0]
        defs[name] = {
            "type": "object",
            "description": " ".join(doc.split()),
            "properties": properties,
            "required": list(properties),
            "additionalProperties": False,
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "csflow event",
        "description": (
            f"An event a csflow desk returns, in its plain-data form (format version "
            f"{EVENT_VERSION}): DeskEvent.to_dict() writes it, event_from_dict() reads it."
        ),
        "oneOf": [{"$ref": f"#/$defs/{name}"} for name in defs],
        "$defs": defs,
    }


def event_from_dict(data: object, path: str = "event") -> Event:
    """The event :meth:`DeskEvent.to_dict` wrote, dispatched on its ``type`` tag.

    Instants come back in UTC: the same instants as the ones written (equal as aware
    datetimes, except one written in its zone's repeated or skipped hour, which Python
    compares unequal to any datetime in another zone; compare such events by their
    :meth:`~DeskEvent.to_dict` forms).  Only
    csflow's own event types are read (this module's classes, whatever other
    :class:`DeskEvent` subclasses a process defines), and only values a desk writes: ids of
    1 to 256 characters (a goodwill request's id: its ticket's id, ``/goodwill/`` and a
    number from 1), an SLA metric one of :class:`~csflow.model.Metric`'s values (also where
    the field is text), counts and waits from zero, a hand-over count (``transfers``,
    ``escalations``), a resolution cycle or relaxation step from 1, a rating on the scale
    (1 to 5) and a comment of at most 2,000 characters, a warning threshold in (0, 1], a
    positive SLA target and an elapsed time from zero, goodwill amounts positive (what is
    left of an allowance, from zero) and below 10**15 with at most 6 decimal places, a
    goodwill reason of 1 to 200 characters and a supervisor of 1 to 4,096, an SLA cycle's
    start not after the event.  An SLA event of format version 1 has no ``cycle_start``
    (read as ``None``); a :class:`TicketSlaPolicyChanged` or :class:`CallbackRequested` is
    of version 3 and later.  A whole number may be written with a zero fraction (``2.0``, an
    integer to :func:`event_schema`'s JSON Schema too): it reads as the int.

    Raises:
        ConfigError: Not a mapping, an unknown type tag, a ``version`` newer than
            :data:`EVENT_VERSION` (or not a positive int, or older than the event type), a
            missing, unknown or malformed field, a value outside the range above -- with the
            path to it (``event.due_at``; a missing field or an unknown key at its own path
            too, ``event.target``).  Durations are read in ASCII digits only.
    """
    if not isinstance(data, dict):
        raise ConfigError(f"expected a mapping, got {show(data)}", path)
    version = whole_number(data.get("version"))  # ``3.0`` too, as the schema's ``const``
    if version is None or version < 1:
        raise ConfigError(
            f"expected a positive int, got {show(data.get('version'))}", f"{path}.version"
        )
    if version > EVENT_VERSION:
        raise ConfigError(
            f"event format version {show(version)} is newer than this csflow reads "
            f"({EVENT_VERSION}); upgrade csflow",
            f"{path}.version",
        )
    tag = data.get("type")
    cls = _EVENT_CLASSES.get(tag) if isinstance(tag, str) else None
    if cls is None:
        raise ConfigError(
            f"unknown event type {show(tag)}; expected one of {', '.join(sorted(_EVENT_CLASSES))}",
            f"{path}.type",
        )
    since = _SINCE.get(cls.__name__)
    if since is not None and version < since:
        raise ConfigError(
            f"event type {show(tag)} is of format version {since} and later, got version "
            f"{show(version)}",
            f"{path}.version",
        )
    if version == 1 and tag in _CYCLE_START_SINCE_2 and "cycle_start" not in data:
        data = {**data, "cycle_start": None}  # written before events recorded it
    event = decode_fields(cls, data, path, skip=frozenset({"type", "version"}))
    for name, check in _RANGES[cls.__name__]:
        error = check(getattr(event, name))
        if error is not None:
            raise ConfigError(error, f"{path}.{name}")
    start = getattr(event, "cycle_start", None)
    if start is not None and start > event.at:
        raise ConfigError(
            f"expected an SLA cycle's start at or before the event's 'at' "
            f"{event.at.isoformat()}, got {show(start)}",
            f"{path}.cycle_start",
        )
    rid = getattr(event, "request_id", None)
    if rid is not None and not _is_request_id(rid, event.ticket_id):
        raise ConfigError(
            f"expected a goodwill request id of ticket {show(event.ticket_id)} "
            f"('{{ticket_id}}/goodwill/{{number}}'), got {show(rid)}",
            f"{path}.request_id",
        )
    return event  # type: ignore[no-any-return]


def _is_request_id(rid: str, ticket_id: str) -> bool:
    """Whether *rid* is an id the desk gives a goodwill request on *ticket_id*."""
    prefix = f"{ticket_id}/goodwill/"
    number = rid[len(prefix) :]
    return (
        rid.startswith(prefix)
        and 0 < len(number) <= 19
        and number.isascii()
        and number.isdigit()
        and number[0] != "0"
    )
