# Why this file (and the Desk class, ~1,500 lines) stays whole: a Desk is one state machine.
# Its 23 commands share one set of records, one router, one timer heap and one command
# skeleton, and a host reads its public methods as one page of API.  Every part that is a
# concept of its own has left for its own module (lifecycle, config, triage, serialisation,
# views, record, timers); splitting what remains -- e.g. queries or hand-overs into mixins --
# would spread one object's state over several files without naming a new concept.
"""The desk: the sans-I/O engine a helpdesk embeds -- commands in, events out.

A :class:`Desk` composes the lower layers -- calendars, the rule engine, SLA clocks, queues
and routing -- into one state machine.  The host owns the loop, the clock and the I/O; the
desk owns the decisions::

    desk = Desk(config)
    events = desk.add_agent(profile, at=now)
    events += desk.set_presence("sari", "available", at=now)
    events += desk.submit(ticket, at=now)          # TicketQueued, maybe TicketAssigned
    ...
    wake = desk.next_wakeup()                      # sleep until then, or until new input
    events = desk.advance(at=wake)                 # SLA warnings, breaches, relaxation ...

Theory of operation
-------------------
**Time.**  Every command takes ``at``, an aware datetime (a naive one, or anything that is
not a datetime, raises :class:`~csflow.errors.CalendarError` on every command) not earlier
than the desk's last instant (else :class:`~csflow.errors.InvalidTransitionError`).  The desk
never reads a clock.
Timers -- SLA warnings and breaches, relaxation steps, overflow delays, preferred-agent pins,
surveys, the close of a solved ticket (``close_solved_after``) -- fire in
:meth:`Desk.advance`, each at its own instant and in time order, so the events a desk emits
do not depend on how often the host calls it.  One exception keeps a ticket's own story
whole: a command on a ticket first brings that ticket's SLA clocks up to ``at`` (a late
``reply`` returns the warnings and breach it passed, then the ``SlaMet``), and its close: a
``reopen`` after the instant a solved ticket closed is refused as for a closed ticket, even
when no ``advance`` fired the close yet.  What fell due strictly before ``at`` comes first,
then the command's own events, then what is due exactly at ``at``.  Every command returns
its events sorted by ``at`` (a stable sort: events at one instant keep the order they
happened in), none later than ``at``.  A host
calls ``advance(now)`` whenever ``next_wakeup()`` has passed, and before other commands at
``now``; then the stream of all commands' events is in time order too.

**Ticket life.**  A ticket's states and the commands that move it are one table of data
(:mod:`csflow.desk.lifecycle`).  The desk changes a ticket's state only in
:meth:`Desk._transition`, which asks the table.  An agent holds (and spends capacity on) only
*assigned* tickets; a *pending* or *on-hold* ticket stays owned by its agent without using
capacity, and when work resumes (the customer answers, or the status is set back to
``open``) it goes back to that agent when the agent can take it now, otherwise it is routed
like a reopened ticket: as a new ticket of the customer would be, held for the customer's
preferred or last agent under the ``affinity`` rules.  The desk hands its state to the
ticket's SLA clocks as it is: a status the SLA policy's ``pause_on`` does not name leaves
every clock running.  A clock may warn or breach while its ticket moves between places (a
clock paused exactly at its due instant breaches when work resumes; a hand-over or an agent
leaving may resume one too): the escalation it asks for waits until the ticket is back in
line or with an agent, and acts on it there, at the command's instant.

**Validate, then mutate.**  Every command on a ticket runs one skeleton
(:meth:`Desk._on_ticket`): ``at``, the ids, the command's own argument, the lifecycle table
and the command's own conditions are checked first; only then is the command logged and its
own part run.  A command that raises has changed nothing.  Unknown ids raise
:class:`~csflow.errors.UnknownTicketError` / :class:`~csflow.errors.UnknownAgentError`.
The host's code that routing calls while a command changes the desk -- a custom strategy's
key, a custom key policy -- cannot be asked first: when it raises, the desk is rebuilt from
a checkpoint it keeps for such a configuration and the exception propagates as it was
raised (:mod:`csflow.desk.rollback`), so that command has changed nothing either.  A desk
with a queue ordered by deadline and no ``fallback`` keeps such a checkpoint too: that queue
refuses a ticket without an SLA due instant, and a hand-over, escalation, requeue, reopen,
resume or an agent leaving learns whether the ticket has one there only as it moves it; the
command raises :class:`~csflow.errors.ConfigError` naming the ticket and has changed nothing.
(An escalation's priority raise or queue move that such a key policy refuses is skipped and
said, as the escalation policy's own failures are.)

**Snapshots.**  :meth:`Desk.snapshot` returns the desk's current state -- every ticket not
forgotten, with its SLA clocks, queues, agents, routing and SLA timers, ledgers -- as
JSON-compatible data, O(tickets not forgotten + agents + customers remembered): the customers'
last agents and recent contacts are bounded by ``contacts.max_customers``
(:mod:`csflow.desk.state`); :meth:`Desk.restore`
rebuilds a desk from it (and from older command-log snapshots, by replay), then applies the
journal of commands since (:mod:`csflow.desk.durable`).  The restored desk's future events
are identical to the original's.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any, Concatenate, Final, ParamSpec

import attrs

from csflow._plain import ENCODABLE, encodable
from csflow._text import show
from csflow._time import MAX_US, MIN_US, duration_us, instant_us, require_aware, to_us, utc
from csflow.desk.commands import _MAX_TEXT, Command
from csflow.desk.config import DeskConfig
from csflow.desk.contacts import (
    DEFAULT_MAX_CUSTOMERS,
    ContactMemory,
    ContactSummary,
    LastAgents,
)
from csflow.desk.durable import restore_desk
from csflow.desk.feedback import FeedbackBook, check_feedback
from csflow.desk.fingerprint import config_fingerprint
from csflow.desk.goodwill import GoodwillLedger, parse_amount
from csflow.desk.lifecycle import (
    FORGETTABLE,
    LIFECYCLE,
    TicketCommand,
    next_state,
    status_command,
)
from csflow.desk.record import TicketRecord
from csflow.desk.rollback import Checkpoint, runs_host_code
from csflow.desk.state import DeskParts, load_state, state_snapshot
from csflow.desk.timers import Timers
from csflow.desk.triage import policy_answer, triage
from csflow.desk.views import ClockView, TicketView, clock_view
from csflow.errors import (
    CalendarError,
    ConfigError,
    DuplicateAgentError,
    DuplicateTicketError,
    GoodwillLimitError,
    InvalidTransitionError,
    UndeclaredNameError,
    UnknownAgentError,
    UnknownTicketError,
)
from csflow.events import (
    AgentPresenceChanged,
    AgentProfileChanged,
    CallbackDue,
    CallbackRequested,
    Event,
    FeedbackRecorded,
    GoodwillDeclined,
    GoodwillGranted,
    GoodwillRequested,
    SlaEscalated,
    SurveyDue,
    TicketAbandoned,
    TicketAssigned,
    TicketClosed,
    TicketEscalated,
    TicketOverflowed,
    TicketPrioritized,
    TicketQueued,
    TicketRelaxed,
    TicketReopened,
    TicketRequeued,
    TicketResolved,
    TicketSlaPolicyChanged,
    TicketStatusChanged,
    TicketTransferred,
    TransferLimitReached,
)
from csflow.model import (
    AgentProfile,
    Channel,
    Metric,
    MetricMap,
    Priority,
    Ticket,
    TicketStatus,
)
from csflow.policies import (
    ESCALATION_POLICY_FAILED,
    Escalation,
    EscalationPolicy,
    PolicyContext,
)
from csflow.queues import AgingKey, DeadlineKey, KeyContext, QueuedTicket, Signature, TicketQueue
from csflow.queues.keys import checked_key
from csflow.routing import (
    AgentPool,
    AgentStatus,
    Assignment,
    CapacityExceededError,
    Overflowed,
    Relaxed,
    Router,
    RoutingChange,
    TransferLedger,
)
from csflow.rules import ticket_context
from csflow.sla import SlaBreached, SlaWarning, TicketSla
from csflow.sla.clock import calendar_bounds_us
from csflow.sla.ticket import _Facts

__all__ = ["Desk"]

# Enum members as module constants: an attribute of an enum class costs a metaclass lookup
# on every read, and these are read on every assignment.
_QUEUED: Final = TicketStatus.QUEUED
_ASSIGNED: Final = TicketStatus.ASSIGNED
_SOLVED: Final = TicketStatus.SOLVED
_CLOSED: Final = TicketStatus.CLOSED
_ASSIGN: Final = TicketCommand.ASSIGN
_TC: Final = TicketCommand

#: States in which a ticket is still being worked (an escalation policy may act on it).
_IN_PROGRESS: Final = frozenset({_QUEUED, _ASSIGNED, TicketStatus.PENDING, TicketStatus.ON_HOLD})
_SLA_FINAL: Final = frozenset({_CLOSED, TicketStatus.ABANDONED})
#: The config fields an open SLA clock is computed from: a change of another one at a restore
#: leaves the clocks as they were.
_CLOCK_FIELDS: Final = frozenset({"sla_policies", "calendars"})
#: Commands an agent gives: its id is always checked.
_BY_AGENT: Final = frozenset({_TC.REPLY, _TC.RESOLVE, _TC.REQUEUE})
#: Where a ticket may have lost its owner (who left the desk): any agent may take it up.
_OWNERLESS: Final = frozenset({TicketStatus.PENDING, TicketStatus.ON_HOLD})

_P = ParamSpec("_P")


def _why(exc: Exception) -> str:
    """What a refusal of an escalation's move or raise says: a queue's refusal of the key as
    it reads, the host key policy's own exception as its repr."""
    return str(exc) if isinstance(exc, ConfigError) else show(exc)


#: Names longer than this get no normalisation hint (ids and names are bounded well below).
_HINT_CHARS: Final = 1000


def _form(name: str) -> str:
    if unicodedata.is_normalized("NFC", name):
        return "NFC"
    return "NFD" if unicodedata.is_normalized("NFD", name) else "neither NFC nor NFD"


def _normalisation_hint(name: object, known: Iterable[str], what: str) -> str:
    """``"; differs from <what> 'x' only in Unicode normalisation (NFD vs NFC)"`` when *name*
    is not one of *known* but reads as one of them: the two are equal once NFC-normalised, so
    the message would otherwise show a name that looks like the known one.  ``""`` otherwise.
    The desk does not normalise ids itself: an id is the string the host gave."""
    if type(name) is not str or len(name) > _HINT_CHARS:
        return ""
    nfc = unicodedata.normalize("NFC", name)
    for other in known:
        if (
            type(other) is str
            and other != name
            and len(other) <= _HINT_CHARS
            and unicodedata.normalize("NFC", other) == nfc
        ):
            return (
                f"; differs from {what} {show(other)} only in Unicode normalisation "
                f"({_form(name)} vs {_form(other)})"
            )
    return ""


def _event_at(event: Event) -> int:
    # The instant: datetimes in one zone compare by wall clock in Python (see _command).
    return to_us(event.at)


def _keeps_checkpoint(config: DeskConfig) -> bool:
    """Whether a desk of *config* keeps a checkpoint to undo a command by
    (:mod:`csflow.desk.rollback`): it may call the host's code while a command changes it,
    or a queue is ordered by deadline with no fallback.  Such a queue refuses a ticket without
    an SLA due instant (:class:`~csflow.queues.DeadlineKey`), and whether a ticket has one
    where it lands is known only once it has moved: a hand-over or a requeue takes it off
    its agent first, its clocks hear the new status (which may pause them), a reopen or a
    resume restarts them.  Refused there, the command is undone and changes nothing."""
    if runs_host_code(config):
        return True
    return any(type(q.key) is DeadlineKey and q.key.fallback is None for q in config.queues)


def _command(
    run: Callable[Concatenate[Desk, _P], list[Event]],
) -> Callable[Concatenate[Desk, _P], list[Event]]:
    """A public command's last step, the same for all: the ticket the command was about (the
    skeleton names it) is brought up to the command's instant, and the events are returned in
    time order (a stable sort, so events at one instant keep the order they happened in)."""

    @functools.wraps(run)
    def command(self: Desk, /, *args: _P.args, **kwargs: _P.kwargs) -> list[Event]:
        guard = self._guard
        if guard is not None and not guard.busy:
            return self._guarded(command, args, kwargs)
        self._about = None
        out = run(self, *args, **kwargs)
        self._settle(out)
        if len(out) > 1:
            # Compared as instants: two datetimes in one zone (an SLA calendar's) compare by
            # wall clock in Python, which puts the repeated hour of a fall-back out of order.
            last = to_us(out[0].at)
            for e in out:
                t = to_us(e.at)
                if t < last:
                    self._sort_histories(out)
                    out.sort(key=_event_at)
                    break
                last = t
        return out

    return command


class Desk:
    """The sans-I/O engine: one state machine for tickets, agents, queues and SLA clocks.

    Args:
        config: The desk's configuration.

    Every command takes ``at`` (aware, not earlier than the last instant the desk saw) and
    returns the events it caused, in order.  See the module docstring for the contract.

    Examples:
        >>> from datetime import datetime, timezone
        >>> from csflow import AgentProfile, Customer, Ticket, Tier
        >>> desk = Desk(DeskConfig())
        >>> t0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
        >>> _ = desk.add_agent(AgentProfile("sari", capacity={"chat": 3}), at=t0)
        >>> _ = desk.set_presence("sari", "available", at=t0)
        >>> ann = Customer("c1", Tier("gold", 3))
        >>> events = desk.submit(Ticket("t1", ann, "chat", t0), at=t0)
        >>> [type(e).__name__ for e in events]
        ['TicketQueued', 'TicketAssigned']
    """

    def __init__(self, config: DeskConfig) -> None:
        if not isinstance(config, DeskConfig):
            raise ConfigError(f"config must be a DeskConfig, got {show(config)}")
        self.config = config
        # One sequence for this desk's queues (a ticket moved between them keeps its number).
        seq = itertools.count()
        self._queues = {q.name: TicketQueue(q.name, q.key, sequence=seq) for q in config.queues}
        relax = {q.name: q.relaxation for q in config.queues if q.relaxation is not None}
        self._router = Router(
            self._queues.values(),
            config.routing_profiles,
            pool=AgentPool(config.capacity, config.presence),
            strategies=config.strategies,
            relaxation=relax,
        )
        self._ledger = TransferLedger(config.transfers, config.escalation)
        self._queue_team = {t.queue: t.name for t in config.teams.values()}
        self._tickets: dict[str, TicketRecord] = {}
        # Who last served each customer: for affinity and contact summaries, bounded.
        self._last_agent = LastAgents(
            DEFAULT_MAX_CUSTOMERS if config.contacts is None else config.contacts.max_customers
        )
        self._owned: dict[str, set[str]] = {}  # agent -> tickets it owns but does not hold
        self._now = -(2**62)
        # The instants every SLA calendar's zone can write an event at (a ticket at
        # 9999-12-31T20:00Z is in the year 10000 in Jakarta): commands outside are refused.
        bounds = [
            calendar_bounds_us(c) for p in config.sla_policies.values() for c in p.calendars_used
        ]
        self._first_us = max((b[0] for b in bounds), default=MIN_US)
        self._last_us = min((b[1] for b in bounds), default=MAX_US)
        self._timers = Timers()
        # Each ticket's place in the order of submission (see TicketRecord.order).
        self._ordinal = itertools.count()
        # The ticket the running command is about (settled when it returns), and the ticket
        # whose routing waits for its own command (an escalation moved it while its clocks
        # caught up, before the command -- checked against the ticket as it was -- applied).
        self._about: TicketRecord | None = None
        self._held: TicketRecord | None = None
        self._held_moved = False
        # The ticket between two places (out of its queue or away from its agent, not yet
        # routed again), and the warnings and breaches its clocks met meanwhile: the
        # escalations they ask for wait until it is in place (see _arrived).
        self._transit: TicketRecord | None = None
        self._deferred: list[SlaWarning | SlaBreached] = []
        # Queues whose key may use the SLA due instant (anything but allowance aging).
        self._deadline_queues = frozenset(
            q.name for q in config.queues if not isinstance(q.key, AgingKey)
        )
        # The people around the tickets: repeat customers, ratings, goodwill.
        cp = config.contacts
        self._contacts = None if cp is None else ContactMemory(cp)
        self._feedback = FeedbackBook()
        gp = config.goodwill
        self._goodwill = None if gp is None else GoodwillLedger(gp)
        # A desk that may call the host's code while a command changes it keeps a
        # checkpoint to undo such a command by (csflow.desk.rollback); ``_dirty`` says
        # whether the running command has begun to change the desk.
        self._guard = Checkpoint() if _keeps_checkpoint(config) else None
        self._dirty = False

    # -- reading -------------------------------------------------------------------------------

    @property
    def now(self) -> datetime | None:
        """The last instant the desk saw (UTC), or ``None`` before the first command."""
        return None if self._now < -(2**61) else utc(self._now)

    def tickets(self) -> Iterator[str]:
        """The ids of every ticket the desk knows, in order of submission."""
        return iter(list(self._tickets))

    def agents(self) -> Iterator[str]:
        """The ids of every agent, in order of joining."""
        return iter(list(self._router.pool))

    def ticket(self, ticket_id: str) -> TicketView:
        """Where *ticket_id* is and who has it.

        Raises:
            UnknownTicketError: No such ticket.
        """
        r = self._rec(ticket_id)
        return TicketView(
            r.ticket,
            r.state,
            r.agent,
            r.queue,
            self._queue_team.get(r.queue),
            r.policy,
            self._ledger.count(ticket_id),
            r.callback,
            r.tags,
        )

    def clocks(self, ticket_id: str, at: datetime | None = None) -> MetricMap[ClockView]:
        """*ticket_id*'s SLA clocks as seen at *at* (default: the desk's last instant).

        Every metric whose clock has started is listed, cancelled clocks included (a metric
        whose target went away keeps its record); before a cycle starts (``next_response``
        before a customer message that follows a reply, ``periodic_update`` before the first
        reply) its metric is absent.  Keys are :class:`~csflow.model.Metric` members, and a
        metric's name reads the same entry: ``desk.clocks("T-1")["first_response"]``.

        Raises:
            UnknownTicketError: No such ticket.
            InvalidTransitionError: *at* is earlier than the instant the desk last moved one
                of the ticket's clocks to (its last command on the ticket, or the last SLA
                event it fired): a view reads the clocks forward from there, not the past.
            CalendarError: *at* is naive or not a datetime, or one of the SLA calendars'
                zones cannot date it.
        """
        r = self._rec(ticket_id)
        if at is not None:
            require_aware(at, "at")  # for a ticket without clocks too
        if r.sla is None:
            return MetricMap()
        # Before any command the desk has no instant (the sentinel): its ticket has none.
        when = at if at is not None else utc(self._now)
        return MetricMap(
            (metric, clock_view(metric, c, when)) for metric, c in r.sla.clocks.items()
        )

    def history(self, ticket_id: str) -> tuple[Event, ...]:
        """Every event of *ticket_id* so far, in order (empty when ``keep_history`` is off):
        the order the commands returned them in, so in time order (SLA events due before a
        late ticket reached the desk come before its :class:`~csflow.events.TicketQueued`).

        Raises:
            UnknownTicketError: No such ticket.
        """
        r = self._rec(ticket_id)
        return tuple(r.history or ())

    def agent(self, agent_id: str) -> AgentStatus:
        """*agent_id*'s presence, load and the tickets it holds.

        Raises:
            UnknownAgentError: No such agent.
        """
        return self._router.pool.status(agent_id)

    def owned(self, agent_id: str) -> tuple[str, ...]:
        """Tickets *agent_id* owns without holding them (pending or on hold), sorted.

        Raises:
            UnknownAgentError: No such agent.
        """
        self._router.pool.status(agent_id)
        return tuple(sorted(self._owned.get(agent_id, ())))

    def queue(self, name: str | None = None) -> list[QueuedTicket]:
        """Waiting tickets in service order, of one queue or of all (queue by queue).

        Raises:
            ConfigError: An unknown queue.
        """
        return self._router.waiting(name)

    def queue_names(self) -> tuple[str, ...]:
        """The desk's queues."""
        return tuple(self._queues)

    def waiting_count(self) -> int:
        """How many tickets wait, in every queue."""
        return sum(len(q) for q in self._queues.values())

    def context(self, ticket: Ticket, at: datetime | None = None) -> dict[str, Any]:
        """The read-only context the triage rules see for *ticket*.

        It is :func:`csflow.rules.ticket_context`: ``tier``, ``channel``, ``priority``,
        ``category``, ``language``, ``customer.*``, ``attributes.*``, ``required_skills.*``
        and ``wait_s`` (seconds since the ticket was created, at *at*), and ``contacts.*``
        (the customer's recent contacts, *ticket* counted as a new one) when the desk
        remembers them.
        """
        return ticket_context(ticket, at, contacts=self._preview_contacts(ticket, at))

    def next_wakeup(self) -> datetime | None:
        """When the desk next has something to fire (UTC), or ``None``.

        The host sleeps until then (or until new input) and calls :meth:`advance`.
        """
        us = self._next_due()
        return None if us is None else utc(us)

    def next_wakeup_us(self) -> int | None:
        """:meth:`next_wakeup` as integer microseconds since the epoch (no datetime built)."""
        return self._next_due()

    def next_routing_step(self) -> datetime | None:
        """When routing next has a timed step due (UTC), or ``None``.

        The part of :meth:`next_wakeup` that may change who can take waiting work: a
        relaxation step, an overflow delay or a preferred-agent hold.  SLA, survey and close
        timers are left out.  Until this instant has passed (and :meth:`advance` has run), a
        waiting ticket that some routable agent could serve may be waiting on purpose; after
        it, such a ticket means that work was not conserved.
        """
        return self._router.next_step_at()

    # -- agents --------------------------------------------------------------------------------

    @_command
    def add_agent(
        self,
        profile: AgentProfile,
        *,
        at: datetime,
        presence: str = "offline",
        routing_profile: str | None = None,
    ) -> list[Event]:
        """An agent joins the desk (offline unless *presence* says otherwise).

        Its routing profile is *routing_profile*, else its first team's (by name) profile,
        else the desk's first profile.  Joining routable, it takes waiting work at once,
        tickets held for another agent whose customer prefers it included (see
        :meth:`set_presence`).

        An agent's id may not be a team's name: :meth:`transfer` takes either, and could not
        tell which is meant.

        Raises:
            DuplicateAgentError: The desk already has an agent with this id.
            ConfigError: An unknown presence state or routing profile; an id that names a
                team (path ``profile.id``).
            UndeclaredNameError: A channel, language, skill or team the configuration does
                not declare (:meth:`DeskConfig.check_agent`).
        """
        t = self._time(at)
        if not isinstance(profile, AgentProfile):
            raise ConfigError(f"profile must be an AgentProfile, got {show(profile)}")
        self.config.check_agent(profile)
        if profile.id in self._router.pool:
            raise DuplicateAgentError(f"agent {show(profile.id)} already exists")
        if profile.id in self.config.teams:
            raise ConfigError(
                f"agent id {show(profile.id)} is the name of a team; a transfer to it could "
                "mean either (give the agent another id)",
                "profile.id",
            )
        group = routing_profile
        if group is None:
            for team in sorted(profile.teams):
                spec = self.config.teams.get(team)
                if spec is not None and spec.routing_profile is not None:
                    group = spec.routing_profile
                    break
        if group is None and self.config.routing_profiles:
            # As documented: an agent of no team (or of teams without a profile) routes under
            # the desk's first profile; the router alone would refuse when there are several.
            group = self.config.routing_profiles[0].name
        self.config.presence.routable(presence)
        self._dirty = True  # the router may call a host strategy as it changes
        changes = self._router.add_agent(profile, at=at, presence=presence, routing_profile=group)
        out = self._commit(t)
        out.append(AgentPresenceChanged(at, profile.id, None, presence))
        self._routed(changes, at, t, out)
        return out

    @_command
    def set_presence(self, agent_id: str, state: str, *, at: datetime) -> list[Event]:
        """Set an agent's presence; a routable agent takes waiting work at once.

        An agent who goes offline (or to any state that is not routable) keeps the tickets it
        holds: they stay assigned and count in its load; only :meth:`remove_agent` puts them
        back in line.  Its ``idle_since`` (:meth:`agent`) is left as it was while it is not
        routable, and restarts at the instant it becomes routable again with nothing held, so
        an agent back from a break does not jump ahead of those who waited for work.  Between
        agents idle equally long, the one who joined the desk first is chosen.  Tickets held
        for it (a preferred agent's ``timeout``) stop waiting for it when it is no longer
        routable, and are routed at once.  When it becomes routable, tickets held for
        another agent only because it could not be waited for (a customer's preferred agent
        on a break, the ticket held for the customer's last agent meanwhile) are held for it
        from then on, to the same deadline, and it takes them at once when it has room.

        Raises:
            UnknownAgentError: No such agent.
            ConfigError: An undeclared state.
        """
        t = self._time(at)
        old = self._router.pool.status(agent_id).presence
        self.config.presence.routable(state)
        self._dirty = True  # the router may call a host strategy as it changes
        changes = self._router.set_presence(agent_id, state, at=at)
        out = self._commit(t)
        out.append(AgentPresenceChanged(at, agent_id, old, state))
        self._routed(changes, at, t, out)
        return out

    @_command
    def update_agent(
        self, profile: AgentProfile, *, at: datetime, routing_profile: str | None = None
    ) -> list[Event]:
        """An agent's skills, languages, capacity or teams change while it works (trained on
        a new skill mid-shift, moved from chat to e-mail for a peak, lent to another team).

        *profile* replaces the agent's profile (its ``id`` names the agent).  The agent keeps
        its presence, its place among the idle (``idle_since``), its joining order and every
        ticket it holds or owns -- a skill or language it loses does not take away the work it
        has (a channel it holds tickets of keeps a capacity for them, see below) -- and its
        routing profile, unless *routing_profile* names another (its teams do not choose one
        here, as they do in :meth:`add_agent`).  Then, as when it comes back
        from a break: tickets held for it (a preferred agent's ``timeout``) that it can no
        longer serve stop waiting for it and are routed at once; tickets held for another
        agent that their customer's pinning strategy names it before, and that it can serve
        now, are held for it; and a routable agent takes the waiting work it can now serve.
        Its goodwill limits follow its new teams from now on.

        A capacity below what the agent holds on a channel (after the capacity rules'
        ``limits``) is refused: lower it once those tickets end (or :meth:`transfer` some of
        them).  A refused update changes nothing, and is refused before the desk begins to
        change (a desk with host code is not rebuilt from its checkpoint for it).

        Events: :class:`AgentProfileChanged`, then the routing it caused (a
        :class:`TicketAssigned` for each ticket taken now).

        Raises:
            UnknownAgentError: No such agent.
            ConfigError: Not a profile; an unknown routing profile (path
                ``routing_profile``); a capacity on a channel below the tickets of that
                channel the agent holds.
            UndeclaredNameError: A channel, language, skill or team the configuration does
                not declare (:meth:`DeskConfig.check_agent`).
        """
        t = self._time(at)
        if not isinstance(profile, AgentProfile):
            raise ConfigError(f"profile must be an AgentProfile, got {show(profile)}")
        self._agent_known(profile.id)
        self.config.check_agent(profile)
        profiles = self._router.profiles
        if routing_profile is not None and (
            not isinstance(routing_profile, str) or routing_profile not in profiles
        ):
            raise ConfigError(
                f"expected one of {show(sorted(profiles))}, got {show(routing_profile)}",
                "routing_profile",
            )
        self._router.pool.check_update(profile)  # a capacity below the agent's load
        self._dirty = True  # the router may call a host strategy as it changes
        changes = self._router.update_agent(profile, at=at, routing_profile=routing_profile)
        out = self._commit(t)
        group = self._router.pool.record(profile.id).group
        out.append(AgentProfileChanged(at, profile.id, group))
        self._routed(changes, at, t, out)
        return out

    @_command
    def remove_agent(self, agent_id: str, *, at: datetime) -> list[Event]:
        """An agent leaves: the tickets it held go back in line; those it owned lose their owner
        (a customer message puts one back in line; any agent may reply to or resolve it).

        Events: :class:`AgentPresenceChanged` (``"removed"``), then for each ticket it held,
        in the order it was given them, a :class:`TicketRequeued` (after the SLA events that
        fell due before *at* and those of the move, if its policy pauses on a state it
        leaves), the ticket's routing (a
        :class:`TicketAssigned` when another agent takes it now), then the escalations those
        SLA events ask for, on the ticket where it now is.  A ticket put back in line
        keeps its place (the instant it first joined the line), but its ``waited`` counts
        from the requeue: the time with the agent was not spent in line.  Then the tickets
        held for the agent (a preferred agent's ``timeout``) stop waiting for it and are
        routed, in service order.

        Raises:
            UnknownAgentError: No such agent.
        """
        t = self._time(at)
        old = self._router.pool.status(agent_id).presence
        self._dirty = True
        held = self._router.remove_agent(agent_id, at=at)
        out = self._commit(t)
        out.append(AgentPresenceChanged(at, agent_id, old, "removed"))
        for tid in self._owned.pop(agent_id, set()):
            self._tickets[tid].agent = None
        for tid in held:
            r = self._tickets[tid]
            r.agent = None
            self._transit = r
            self._move(r, _TC.REQUEUE, at, out)
            self._emit(
                r, TicketRequeued(at, tid, agent_id, f"agent {agent_id!r} left the desk"), out
            )
            r.waiting_since_us = t  # in line again from now, keeping its place
            self._route_new(r, at, t, out, queued_us=r.queued_us)
            self._arrived(r, at, out)
        self._routed(self._router.release_pins(agent_id, at=at), at, t, out)
        return out

    # -- tickets -------------------------------------------------------------------------------

    @_command
    def submit(self, ticket: Ticket, *, at: datetime) -> list[Event]:
        """A new ticket: triage decides priority, SLA policy and queue; routing may assign it.

        Returns:
            :class:`TicketQueued`, then a :class:`TicketAssigned` when an agent takes it now.

        Raises:
            DuplicateTicketError: The desk still knows a ticket with this id (open or closed,
                until :meth:`forget`).
            ConfigError: A malformed ticket.
            UndeclaredNameError: A channel, tier, language or skill the configuration does
                not declare (:meth:`DeskConfig.check_ticket`).
        """
        t = self._time(at)
        if not isinstance(ticket, Ticket):
            raise ConfigError(f"ticket must be a Ticket, got {show(ticket)}")
        self.config.check_ticket(ticket)
        if ticket.id in self._tickets:
            raise DuplicateTicketError(f"ticket {show(ticket.id)} was already submitted")
        created = instant_us(ticket.created_at, "created_at")
        if created > t:
            raise ConfigError(
                f"ticket {show(ticket.id)} was created at {ticket.created_at.isoformat()}, "
                f"after it is submitted at {show(at)}"
            )
        cfg = self.config
        # The rules and the policy callables alone read the customer's contacts: without
        # them, no preview is built.
        asks = len(cfg.triage) or cfg.priority_policy or cfg.queue_policy or cfg.sla_selection
        preview = self._preview_contacts(ticket, at) if asks else None
        tri = triage(cfg, ticket, at, preview)
        ticket, queue, policy_name = tri.ticket, tri.queue, tri.sla_policy
        rec = TicketRecord(ticket, next_state(None, _TC.SUBMIT, ticket.id), queue, t)
        rec.tags = tri.tags
        rec.order = next(self._ordinal)
        if cfg.keep_history:
            rec.history = []
        if policy_name is not None:
            rec.policy = policy_name
            rec.sla = TicketSla.for_ticket(ticket, cfg.sla_policies[policy_name], status=rec.state)
        else:
            # What a policy given later needs of the ticket's past (see set_sla_policy).
            rec.facts = _Facts(created, rec.state)
        if queue in self._deadline_queues:
            # The key policy may refuse a ticket (a deadline queue without a due instant), or
            # a policy of the host's may return a key no queue holds: ask it now, before
            # anything changes.
            key_policy = self._queues[queue].key_policy
            checked_key(key_policy(KeyContext(ticket, t, self._due(rec))), key_policy)
        out = self._commit(t)
        self._tickets[ticket.id] = rec
        if self._contacts is not None:
            self._contacts.contact(ticket.customer.id, ticket.id, t)
        self._emit(rec, self._queued_event(rec, at, tri.reason), out)
        if rec.sla is not None:
            self._sla_events(rec, (), out)  # arm the desk's timer for the new clocks
        self._route_new(rec, at, t, out, rule=tri.rule)
        # A ticket created before it reached the desk may have SLA events due already.
        self._about = rec
        return out

    @_command
    def reply(self, ticket_id: str, agent_id: str, *, at: datetime) -> list[Event]:
        """An agent replied publicly: meets response clocks, restarts the periodic-update clock.

        The agent is the ticket's holder, or its owner while it is pending or on hold.  Such
        a ticket whose owner left the desk (:meth:`remove_agent`) has none: any agent may
        reply to it, and owns it from then on.

        Raises:
            UnknownTicketError / UnknownAgentError: Unknown ids (``None`` included).
            InvalidTransitionError: The ticket is not with an agent, or with another one.
        """
        r, _, t, out = self._on_ticket(
            at,
            ticket_id,
            _TC.REPLY,
            agent_id=agent_id,
            check=partial(self._check_holder, agent_id, "reply to"),
        )
        if r.agent is None:  # a pending ticket whose owner left: the replying agent owns it
            r.agent = agent_id
            self._owned.setdefault(agent_id, set()).add(ticket_id)
        if r.sla is not None:
            self._sla_events(r, r.sla.agent_reply(at), out)
        elif r.facts is not None:
            r.facts.reply(t, r.state == _SOLVED)
        return out

    @_command
    def customer_message(self, ticket_id: str, *, at: datetime) -> list[Event]:
        """The customer wrote: starts a next-response clock; a pending ticket resumes.

        What falls due exactly at *at* fires with the message; a queue move its escalation
        asks for on a waiting ticket moves it, and routes it once the message has applied.

        Raises:
            UnknownTicketError: No such ticket.
            InvalidTransitionError: The ticket is solved, closed or abandoned (reopen a solved
                ticket with :meth:`reopen`).
        """
        command = _TC.CUSTOMER_MESSAGE
        r, new, t, out = self._on_ticket(at, ticket_id, command)
        if r.sla is not None:
            # The message meets the clocks at *at*, so what falls due exactly then fires
            # here: as in the catch-up, an escalation that moves the waiting ticket leaves
            # routing it to _settle, so the command still finds it in the state it checked.
            self._held = r
            try:
                self._sla_events(r, r.sla.customer_message(at), out)
            finally:
                self._held = None
        elif r.facts is not None:
            r.facts.message(t, r.state == _SOLVED)
        if new != r.state:
            self._resume(r, command, at, t, out)
        return out

    @_command
    def set_status(self, ticket_id: str, status: str, *, at: datetime) -> list[Event]:
        """Move a ticket between ``open``, ``pending`` (waiting on the customer) and ``on_hold``.

        ``pending`` and ``on_hold`` free the agent's capacity (the agent still owns the
        ticket) and pause the clocks the SLA policy's ``pause_on`` names; ``open`` resumes work.
        A clock that resumes past its due instant breaches at *at*: the ticket goes back in
        line (or to its owner) first, then the escalation the breach asks for moves it or
        raises its priority there.

        Raises:
            UnknownTicketError: No such ticket.
            ConfigError: A status other than ``open``, ``pending`` or ``on_hold``.
            InvalidTransitionError: Not allowed from the ticket's state.
        """
        command = partial(status_command, status)
        r, new, t, out = self._on_ticket(at, ticket_id, command)
        if status == "open":
            self._resume(r, command(), at, t, out)
            return out
        old = r.state
        agent = r.agent
        if old == _ASSIGNED:
            assert agent is not None
            self._owned.setdefault(agent, set()).add(ticket_id)
        self._move(r, command(), at, out, TicketStatusChanged(at, ticket_id, str(old), str(new)))
        if old == _ASSIGNED:
            assert agent is not None
            self._routed(self._router.release(agent, ticket_id, at=at), at, t, out)
        return out

    @_command
    def set_priority(
        self, ticket_id: str, priority: Priority | str, *, at: datetime
    ) -> list[Event]:
        """Change a ticket's priority: its queue key and its SLA clocks follow.

        SLA clocks are recalculated per the config's ``recalculation`` mode.

        Raises:
            UnknownTicketError: No such ticket.
            ConfigError: An unknown priority.
            InvalidTransitionError: The ticket is solved, closed or abandoned.
        """
        # The argument is checked after the ids and before the state, as everywhere, so it is
        # read before the skeleton runs (which checks the state).
        self._time(at)
        self._rec(ticket_id)
        new = Priority.parse(priority)
        r, _, _, out = self._on_ticket(
            at,
            ticket_id,
            _TC.SET_PRIORITY,
            check=lambda r: self._key_fits(r, attrs.evolve(r.ticket, priority=new)),
        )
        self._reprioritize(r, new, at, out)
        return out

    def _key_fits(self, r: TicketRecord, ticket: Ticket, queue: str | None = None) -> None:
        """Ask a host's key policy, before anything changes, for the key the waiting *r*
        would get as *ticket* in *queue* (default: its own) with its due instant now; the
        built-in policies always give a key a queue holds.

        Raises:
            ConfigError: The policy's answer is not a key a queue can hold.
        """
        if r.state != _QUEUED:
            return
        policy = self._queues[r.queue if queue is None else queue].key_policy
        if type(policy) is AgingKey or type(policy) is DeadlineKey:
            return
        checked_key(policy(KeyContext(ticket, r.queued_us, self._due(r))), policy)

    @_command
    def set_sla_policy(self, ticket_id: str, policy: str, *, at: datetime) -> list[Event]:
        """Put a ticket under another of the config's SLA policies from *at*.

        Its clocks are recalculated per the config's ``recalculation`` mode
        (:meth:`TicketSla.change_policy <csflow.sla.ticket.TicketSla.change_policy>`); a
        ticket that had no SLA starts one: each metric the policy sets a target for gains it,
        and counts from its natural start (creation; for a next response, the oldest
        unanswered customer message; for a periodic update, the last reply) under
        ``KEEP_ELAPSED`` and ``RETROACTIVE``, from *at* under ``RESTART``, leaving out the
        time the ticket spent in statuses the policy pauses it on -- as for a metric that
        gains a target on any change (:meth:`TicketSla.recalculate
        <csflow.sla.ticket.TicketSla.recalculate>`); a first response already given is
        never started again.  (A ticket restored from a snapshot older than the facts this
        needs starts its clocks from its creation, with the status it is in now.)  Allowed
        where :meth:`set_priority` is (the ticket is not solved, closed or abandoned); the
        state does not change.  Returns the SLA events the change causes (a breach it
        reveals, the clocks it cancels), after a :class:`TicketSlaPolicyChanged` when the
        policy is another than the ticket's (naming its own policy changes nothing and sends
        none); the ticket's view names the new policy.

        Raises:
            UnknownTicketError: No such ticket.
            ConfigError: *policy* names no SLA policy of the config.
            InvalidTransitionError: The ticket is solved, closed or abandoned.
        """
        self._time(at)
        known = self._rec(ticket_id)
        new = self.config.sla_policies.get(policy) if isinstance(policy, str) else None
        if new is None:
            raise ConfigError(
                f"unknown SLA policy {show(policy)}; known: {show(sorted(self.config.sla_policies))}"
            )
        if known.state not in LIFECYCLE[_TC.SET_PRIORITY]:
            raise InvalidTransitionError(
                f"cannot set the SLA policy of ticket {show(ticket_id)}: it is {known.state}; "
                f"allowed from {show(sorted(map(str, LIFECYCLE[_TC.SET_PRIORITY])))}"
            )
        # A policy change moves no state: the set_priority row of the table says where it
        # is allowed, and that row never refuses here.
        r, _, t, out = self._on_ticket(at, ticket_id, _TC.SET_PRIORITY)
        if r.policy != policy:
            # Before the SLA events the change causes: they are results under the new policy.
            self._emit(r, TicketSlaPolicyChanged(at, ticket_id, r.policy, policy), out)
        r.policy = policy
        if r.sla is None and r.facts is not None:
            r.sla, events = TicketSla._from_facts(
                r.ticket, new, r.state, r.facts, t, self.config.recalculation
            )
            r.facts = None  # the SLA keeps them from here on
            self._sla_events(r, events, out)
        elif r.sla is None:
            r.sla = TicketSla.for_ticket(r.ticket, new, status=r.state)
            self._sla_events(r, (), out)  # arm its timer; the settle step reports what is due
        else:
            self._sla_events(r, r.sla.change_policy(new, at, self.config.recalculation), out)
        if r.state == _QUEUED:
            self._router.reprioritize(r.ticket, due=self._due(r), at=at)
        return out

    @_command
    def transfer(self, ticket_id: str, to: str, *, at: datetime) -> list[Event]:
        """Hand a ticket to a named agent, or to a team (it waits in the team's queue).

        A ticket handed to an agent of another team is with that team from then on (its
        view's ``team``, the queue it goes back to if it waits again, the team an escalation
        starts from): the agent's first team by name, unless the agent is of the ticket's
        team already or of none.  Counts as a hand-over against ``max_transfers``.  Events: a
        :class:`TransferLimitReached` when the limit flags it, the :class:`TicketTransferred`,
        then what the hand-over frees (the old agent's next ticket, :class:`TicketAssigned`),
        then the ticket's own :class:`TicketAssigned` (to an agent) or its routing in the
        team's queue, which it joins as a new arrival does (behind the tickets waiting there;
        its SLA clocks go on).  A ticket that already waits in the team's queue is refused:
        the hand-over would change nothing but its place and its count.  One that an
        escalation moves there while its clocks catch up to *at* (the command is checked
        against the ticket as it was) is left where it is: the command returns the catch-up's
        events, with no :class:`TicketTransferred` and no hand-over counted.

        The agent handing the ticket to a team (its holder, or its owner while it is pending
        or on hold) is never the customer's preferred or last agent for its routing while it
        waits (``affinity``): the customer asked to be moved away from that agent, or the
        agent asked for help, so the ticket neither bounces back to it nor is held for it.
        It may still take the ticket as any agent of the team would, when ranked first.

        A call-back handed over while it waits stays one (the customer was not called yet):
        it waits in the team's queue on the phone, or goes to the named agent as a call, and
        whoever takes it gets a :class:`CallbackDue`.  One handed over from the agent it was
        given to was called: it goes on by its own channel.  When the call did not reach the
        customer, :meth:`requeue` it instead (it stays a call-back, keeps its place, and no
        hand-over is counted); a transfer of the requeued, waiting call-back then keeps the
        request.

        Raises:
            UnknownTicketError: No such ticket.
            ConfigError: *to* is neither an agent nor a team, or names both (an agent
                restored under a configuration that added a team of its id;
                :meth:`add_agent` refuses such an id); or the team's queue is ordered by
                deadline with no ``fallback`` and the ticket has no SLA due instant there
                (no SLA policy, or its clocks met or paused): nothing changes.
            InvalidTransitionError: Not allowed from the ticket's state; it already waits in
                the team's queue; the agent cannot take it now
                (:class:`~csflow.routing.CapacityExceededError`); the limit refuses it
                (:class:`~csflow.routing.TransferLimitError`).
        """
        command = _TC.TRANSFER
        known = self._tickets.get(ticket_id) if isinstance(ticket_id, str) else None
        from_team = None if known is None else self._queue_team.get(known.queue)
        r, _, t, out = self._on_ticket(
            at,
            ticket_id,
            command,
            check=partial(self._check_transfer, to),
        )
        to_agent = to in self._router.pool
        if not to_agent and r.state == _QUEUED and self.config.teams[to].queue == r.queue:
            # An escalation moved it into the team's queue while its clocks caught up (the
            # check saw it as it was): the hand-over asked for has happened, and doing it again
            # would cost the customer its place and a transfer.
            return out
        handing = self._handing_off(r)
        over = self._ledger.hand_over(
            ticket_id,
            at=at,
            kind="transfer",
            from_team=from_team,
            to_team=None if to_agent else to,
        )
        if over.flagged:
            self._emit(r, self._limit_event(at, ticket_id, over.count), out)
        self._emit(r, TicketTransferred(at, ticket_id, r.agent, to, over.count), out)
        if to_agent:
            r.queue = self._agent_team_queue(to, r.queue)
        if to_agent and r.state == _QUEUED:
            # The router hands a waiting ticket over from its queue, keeping its signature.
            self._assigned(self._router.assign_to(r.ticket, to, at=at), at, t, out)
            return out
        self._leave(r, command, at, t, out)
        if to_agent:
            self._assigned(self._router.assign_to(r.ticket, to, at=at), at, t, out)
        else:
            r.queue = self.config.teams[to].queue
            self._route_new(r, at, t, out, handed_off_by=handing)
        self._arrived(r, at, out)
        return out

    @_command
    def escalate(self, ticket_id: str, team: str, *, at: datetime) -> list[Event]:
        """Escalate a ticket to *team* along the escalation graph; it waits in the team's queue.

        As with :meth:`transfer` to a team, the agent escalating it (its holder or owner) is
        neither preferred nor waited for while it waits there: it asked for help.  And as
        there, a ticket that an escalation policy moves into the team's queue while its clocks
        catch up to *at* (the command is checked against the ticket as it was) is left where
        it is: the command returns the catch-up's events, with no :class:`TicketEscalated` and
        no hand-over counted.  A call-back escalated while it waits stays one; one escalated
        from the agent it was given to was called (see :meth:`transfer`).

        Raises:
            UnknownTicketError: No such ticket.
            ConfigError: An unknown team; the team's queue is ordered by deadline with no
                ``fallback`` and the ticket has no SLA due instant there (nothing changes).
            InvalidTransitionError: Not allowed from the ticket's state, not an edge of the
                escalation graph, or refused by the transfer limit.
        """
        command = _TC.ESCALATE
        # The team it is escalated from is the one the command is checked against (its clocks'
        # catch-up may move it to another queue before the command applies).
        known = self._tickets.get(ticket_id) if isinstance(ticket_id, str) else None
        src = None if known is None else self._escalation_source(known)
        was = None if known is None else known.queue
        r, _, t, out = self._on_ticket(
            at,
            ticket_id,
            command,
            check=partial(self._check_escalation, team),
        )
        if r.state == _QUEUED and r.queue != was and self.config.teams[team].queue == r.queue:
            # An escalation policy moved it into the team's queue while its clocks caught up
            # (the check saw it as it was): the escalation asked for has happened, and doing it
            # again would cost the customer its place and a hand-over.
            return out
        graph = self.config.escalation
        handing = self._handing_off(r)
        over = self._ledger.hand_over(
            ticket_id,
            at=at,
            kind="escalation",
            from_team=src if graph is not None else None,
            to_team=team if graph is not None else None,
        )
        if over.flagged:
            self._emit(r, self._limit_event(at, ticket_id, over.count), out)
        graph_path = f"{src} -> {team}" if src is not None else team
        self._emit(
            r,
            TicketEscalated(at, ticket_id, src, team, over.count, f"escalation {graph_path}"),
            out,
        )
        self._leave(r, command, at, t, out)
        r.queue = self.config.teams[team].queue
        self._route_new(r, at, t, out, handed_off_by=handing)
        self._arrived(r, at, out)
        return out

    @_command
    def request_callback(self, ticket_id: str, *, at: datetime) -> list[Event]:
        """A waiting customer asks to be called back: the ticket keeps its place, on the phone.

        Returns a :class:`CallbackRequested`; when an agent takes the call-back (at once, or
        later), a :class:`CallbackDue` follows the :class:`TicketAssigned`.
        A call-back is held for nobody: a hold for the customer's preferred or last agent
        (``affinity``) ends, so whoever can call now makes the call, and a call-back routed
        again later (:meth:`requeue`, :meth:`remove_agent`, a :meth:`transfer` or
        :meth:`escalate` while it waits) is not held either.

        Raises:
            UnknownTicketError: No such ticket.
            InvalidTransitionError: The ticket is not waiting, or already a call-back.
            UndeclaredNameError: The configuration does not declare the ``phone`` channel
                (``DeskConfig.channels``): no agent of this desk could ever make the call, so
                the customer would wait for good.  Nothing changes.
        """
        r, _, t, out = self._on_ticket(
            at,
            ticket_id,
            _TC.REQUEST_CALLBACK,
            check=self._check_callback,
        )
        r.callback = True
        self._emit(r, CallbackRequested(at, ticket_id), out)
        a = self._router.request_callback(ticket_id, at=at)
        if a is not None:
            self._assigned(a, at, t, out)
        return out

    @_command
    def requeue(self, ticket_id: str, agent_id: str, *, at: datetime) -> list[Event]:
        """The agent holding a ticket gives it back to its queue, keeping its place in line:
        a call-back whose customer did not pick up, to be called again.

        It is not a hand-over (none is counted against ``max_transfers``) and the ticket
        stays in its queue and team; a call-back stays one -- the customer still waits for
        a call: it waits on the phone, flagged, and whoever takes it gets a new
        :class:`CallbackDue`.  As after :meth:`remove_agent`, it keeps its place (the instant
        it first joined the line) while ``TicketAssigned.waited`` counts from the requeue.

        Events: the :class:`TicketRequeued`, what the agent's freed capacity takes (its next
        ticket, :class:`TicketAssigned`), then the ticket's routing.  The agent giving it
        back is neither the customer's preferred nor last agent for that routing, nor one
        the ticket is held for (as after a :meth:`transfer`); it may still take it again as
        any agent would, when ranked first -- set its presence to a state that is not
        routable first (after-call work) to leave the next try to a colleague or to later.
        To give up on a customer who cannot be reached, requeue the ticket, then
        :meth:`abandon` it (only a waiting ticket can be abandoned).

        Raises:
            UnknownTicketError / UnknownAgentError: Unknown ids (``None`` included).
            InvalidTransitionError: The ticket is not assigned, or is with another agent.
            ConfigError: Its queue is ordered by deadline with no ``fallback`` and the
                ticket has no SLA due instant any more (its clocks met or paused): nothing
                changes.
        """
        r, _, t, out = self._on_ticket(
            at,
            ticket_id,
            _TC.REQUEUE,
            agent_id=agent_id,
            check=partial(self._check_holder, agent_id, "requeue"),
        )
        self._emit(r, TicketRequeued(at, ticket_id, agent_id, f"requeued by {agent_id!r}"), out)
        self._leave(r, _TC.REQUEUE, at, t, out)
        r.waiting_since_us = t  # in line again from now, keeping its place
        self._route_new(r, at, t, out, queued_us=r.queued_us, handed_off_by=agent_id)
        self._arrived(r, at, out)
        return out

    @_command
    def abandon(self, ticket_id: str, *, at: datetime) -> list[Event]:
        """The customer gave up waiting (or withdrew the ticket).

        Raises:
            UnknownTicketError: No such ticket.
            InvalidTransitionError: The ticket is not waiting.
        """
        r, _, t, out = self._on_ticket(at, ticket_id, _TC.ABANDON)
        self._settled(r)
        self._router.remove(ticket_id)
        waited = (t - r.waiting_since_us) / 1e6
        self._move(r, _TC.ABANDON, at, out, TicketAbandoned(at, ticket_id, waited))
        return out

    @_command
    def resolve(self, ticket_id: str, agent_id: str, *, at: datetime) -> list[Event]:
        """The agent solved the ticket: resolution clock met, the agent takes its next ticket.

        Under ``close_solved_after`` the desk closes the ticket that long after, unless it is
        reopened or closed first (:meth:`advance` fires the :class:`~csflow.events.TicketClosed`).

        The agent is the ticket's holder or owner; a pending or on-hold ticket whose owner
        left the desk may be resolved by any agent (see :meth:`reply`).

        Raises:
            UnknownTicketError / UnknownAgentError: Unknown ids (``None`` included).
            InvalidTransitionError: Not with an agent, or with another one.
        """
        r, _, t, out = self._on_ticket(
            at,
            ticket_id,
            _TC.RESOLVE,
            agent_id=agent_id,
            check=partial(self._check_holder, agent_id, "resolve"),
        )
        held = r.state == _ASSIGNED
        if not held:
            self._owned.get(agent_id, set()).discard(ticket_id)
            r.agent = agent_id  # (a pending ticket whose owner left is resolved by another)
        self._last_agent.served(r.ticket.customer.id, agent_id, t)
        self._feedback.resolved(ticket_id)
        self._settled(r)
        self._move(r, _TC.RESOLVE, at, out, TicketResolved(at, ticket_id, agent_id))
        if self.config.survey_delay is not None:
            # Capped as a hold is (see csflow.routing.waiting): a due instant past year 9999
            # could not be reported or saved.
            due = min(t + duration_us(self.config.survey_delay, "survey_delay"), MAX_US)
            r.survey_version += 1
            self._timers.arm_survey(due, r)
        after = self.config.close_solved_after
        if after is not None:
            self._timers.arm_close(min(t + duration_us(after, "close_solved_after"), MAX_US), r)
        if held:
            self._routed(self._router.release(agent_id, ticket_id, at=at), at, t, out)
        return out

    @_command
    def reopen(self, ticket_id: str, *, at: datetime) -> list[Event]:
        """The customer reopened a solved ticket: back to its last agent when available, else
        routed like a new one, held under the ``affinity`` rules as a new ticket would be --
        for the customer's preferred agent, else for the agent who resolved it (not whoever
        served the customer's other tickets since; the customer's last agent when that agent
        left the desk); a ticket that resumes from ``pending`` or ``on_hold`` is held for its
        owner the same way.  The resolution clock resumes where it stopped and, once an
        agent has replied, a ``next_response`` and a ``periodic_update`` cycle start (the
        reopening is the customer's message: a ``customer_message`` at the same instant adds
        nothing).

        Raises:
            UnknownTicketError: No such ticket.
            InvalidTransitionError: The ticket is not solved (or its ``close_solved_after``
                ran out before *at*: the desk closed it then, advanced or not).
        """
        r, _, t, out = self._on_ticket(at, ticket_id, _TC.REOPEN)
        last = r.agent
        r.agent = None
        r.callback = False
        r.survey_version += 1  # a pending survey is no longer due
        r.closing = None  # nor is its close
        r.queued_us = r.waiting_since_us = t
        if self._contacts is not None:
            self._contacts.opened(r.ticket.customer.id, ticket_id)
        self._transit = r
        self._move(r, _TC.REOPEN, at, out, TicketReopened(at, ticket_id, last))
        a = self._reopen_route(r, last, at, parked=False)
        self._caught_up(at, t, out)
        if a is not None:
            self._assigned(a, at, t, out)
        else:
            self._emit(r, self._queued_event(r, at, "reopened"), out)
        self._arrived(r, at, out)
        return out

    @_command
    def close(self, ticket_id: str, *, at: datetime) -> list[Event]:
        """Close a solved ticket for good (it can no longer be reopened).

        Raises:
            UnknownTicketError: No such ticket.
            InvalidTransitionError: The ticket is not solved (or its ``close_solved_after``
                ran out before *at*: the desk closed it then).
        """
        r, _, _, out = self._on_ticket(at, ticket_id, _TC.CLOSE)
        r.closing = None
        self._move(r, _TC.CLOSE, at, out, TicketClosed(at, ticket_id))
        # Its hand-over count stays with the ticket (its view says how many it had) until the
        # desk forgets it, as the rest of its record does.
        return out

    def forget(self, ticket_id: str, *, at: datetime) -> list[Event]:
        """Drop a closed or abandoned ticket from the desk's memory (its views and history).

        A long-running host or simulation calls it for tickets it has archived, so memory
        stays proportional to the open work.  Returns no events.  (Not a lifecycle move: the
        record goes, so it is checked against :data:`~csflow.desk.lifecycle.FORGETTABLE`.)
        The id is free again: a ticket submitted under it later is a new ticket, with clocks,
        timers, transfer count and survey of its own (the customer's contact history still
        remembers the old one).

        Raises:
            UnknownTicketError: No such ticket.
            InvalidTransitionError: The ticket is not closed or abandoned (a solved ticket
                whose ``close_solved_after`` ran out before *at* is forgotten once
                :meth:`advance` has returned its close; a closed ticket whose survey fell
                due before *at* likewise, once :meth:`advance` has returned its
                :class:`SurveyDue`), or a goodwill request on it still awaits a supervisor's
                answer.
        """
        guard = self._guard
        if guard is not None and not guard.busy:
            return self._guarded(Desk.forget, (ticket_id,), {"at": at})
        t = self._time(at)
        r = self._rec(ticket_id)
        if r.state not in FORGETTABLE:
            closing = r.closing if r.state is _SOLVED else None
            # A solved ticket whose close_solved_after ran out closed then, but its
            # TicketClosed is still to be returned (by advance): forgotten now, it never would.
            late = (
                ""
                if closing is None or closing >= t
                else f" (it closed at {utc(closing).isoformat()}, when its close_solved_after "
                "ran out: advance to then first, which returns the close)"
            )
            raise InvalidTransitionError(
                f"cannot forget ticket {show(ticket_id)}: it is {r.state}; only closed or "
                f"abandoned tickets can be forgotten{late}"
            )
        survey = self._timers.overdue_survey(r, t) if r.state is _CLOSED else None
        if survey is not None:
            # Its SurveyDue is still to be returned (by advance): forgotten now, it never would.
            raise InvalidTransitionError(
                f"cannot forget ticket {show(ticket_id)}: its survey fell due at "
                f"{utc(survey).isoformat()} (advance to then first, which returns it)"
            )
        waiting = () if self._goodwill is None else self._goodwill.pending_on(ticket_id)
        if waiting:
            # A request is a promise to the agent (and the customer): it is answered, not lost.
            raise InvalidTransitionError(
                f"cannot forget ticket {show(ticket_id)}: goodwill request(s) "
                f"{show(list(waiting))} await a supervisor's answer (approve or decline first)"
            )
        self._commit(t)
        del self._tickets[ticket_id]
        self._ledger.forget(ticket_id)
        self._feedback.forget(ticket_id)
        if self._goodwill is not None:
            self._goodwill.forget(ticket_id)
        return []

    # -- the people around the tickets: feedback, repeat customers, goodwill ------------------

    @_command
    def record_feedback(
        self, ticket_id: str, rating: int, comment: str = "", *, at: datetime
    ) -> list[Event]:
        """The customer rated a resolved ticket: 1 (very dissatisfied) to 5 (very satisfied).

        Once per resolution cycle: a ticket reopened and resolved again may be rated again.
        The ticket may be solved or closed (a survey often comes back after closing).

        Returns:
            One :class:`FeedbackRecorded`.

        Raises:
            UnknownTicketError: No such ticket.
            ConfigError: A rating outside the scale, or a comment that is not a string or is
                longer than :data:`~csflow.desk.feedback.MAX_COMMENT_CHARS`.
            InvalidTransitionError: The ticket is not solved or closed, or this resolution was
                already rated.
        """
        t = self._time(at)
        r = self._rec(ticket_id)
        rating, comment = check_feedback(rating, comment)
        if r.state not in (_SOLVED, _CLOSED):
            raise InvalidTransitionError(
                f"ticket {show(ticket_id)} is {r.state}: only a solved or closed ticket can be "
                "rated"
            )
        cycle = self._feedback.check(ticket_id)
        out = self._commit(t)
        self._overdue(r, t, out)
        self._feedback.rated(ticket_id, cycle)
        r.survey_version += 1  # rated already: its survey is no longer due
        tk = r.ticket
        event = FeedbackRecorded(
            at,
            ticket_id,
            rating,
            comment,
            cycle,
            r.agent,
            tk.customer.tier.name,
            tk.channel.name,
            r.queue,
            self._queue_team.get(r.queue),
        )
        self._emit(r, event, out)
        return out

    def contacts(self, customer_id: str, at: datetime | None = None) -> ContactSummary | None:
        """*customer_id*'s recent contacts as the desk remembers them at *at* (default: the
        desk's last instant), or ``None`` when the desk remembers no contacts.

        The count is of the contacts within the ``contacts`` window up to *at*.  The desk
        remembers contacts for one window back from its own instant, so asked about an
        earlier *at* it counts only those still within the window at its instant too (a
        contact that has left it is forgotten, and a snapshot does not keep it): the answer
        is the same from a desk restored from the desk's snapshot.

        Raises:
            ConfigError: *customer_id* is not a string (customers' ids are), checked whether
                or not the desk remembers contacts.
        """
        if not isinstance(customer_id, str):
            raise ConfigError(
                f"expected a customer's id (a string), got {show(customer_id)}",
                "customer_id",
            )
        if self._contacts is None:
            return None
        t = self._now if at is None else instant_us(at, "at")
        last = self._last_agent.get(customer_id)
        return self._contacts.summary(
            customer_id, "", t, None if last is None else last[0], now_us=self._now
        )

    @_command
    def grant_goodwill(
        self, ticket_id: str, agent_id: str, amount: Any, reason: str, *, at: datetime
    ) -> list[Event]:
        """*agent_id* grants a goodwill gesture (a voucher, a refunded fee) on a ticket.

        Within the agent's allowance for the period and the ticket's limit for the customer's
        tier, it is granted and charged (:class:`GoodwillGranted`); beyond either, it becomes a
        request a supervisor answers (:class:`GoodwillRequested`, then
        :meth:`approve_goodwill` or :meth:`decline_goodwill`), or is refused when the policy's
        ``over_limit`` is ``"refuse"``.  Any agent of the desk may grant, on a ticket in any
        state: the allowance charged is the granting agent's (see docs/how-to/goodwill.md).

        Args:
            ticket_id: The ticket.
            agent_id: The agent granting it.
            amount: A :class:`~decimal.Decimal`, an int or a decimal string, in the policy's
                currency (a float is refused).
            reason: Why (a short code such as ``"late_delivery"``).
            at: When.

        Raises:
            UnknownTicketError / UnknownAgentError: Unknown ids.
            ConfigError: The desk has no goodwill policy; a malformed amount or reason.
            GoodwillLimitError: Over a limit, and the policy refuses such grants.
        """
        t = self._time(at)
        r = self._rec(ticket_id)
        self._agent_known(agent_id)
        ledger = self._goodwill_ledger()
        policy = ledger.policy
        value = parse_amount(amount, policy.decimals)
        if not isinstance(reason, str) or not 0 < len(reason) <= 200:
            raise ConfigError(f"reason must be a string of 1 to 200 characters, got {show(reason)}")
        if not encodable(reason):
            raise ConfigError(f"reason must be {ENCODABLE}, got {show(reason)}")
        tier = r.ticket.customer.tier.name
        teams = self._router.pool.status(agent_id).profile.teams
        verdict = ledger.judge(agent_id, teams, ticket_id, tier, value, at)
        if verdict.over is not None and policy.over_limit == "refuse":
            raise GoodwillLimitError(f"goodwill refused: {verdict.over}")
        out = self._commit(t)
        cur = policy.currency
        if verdict.over is None:
            ledger.charge(verdict, ticket_id, value)
            event: Event = GoodwillGranted(
                at, ticket_id, agent_id, value, cur, reason, tier, verdict.budget, verdict.remaining
            )
        else:
            rid = ledger.request(ticket_id, agent_id, value, reason, tier)
            event = GoodwillRequested(
                at, ticket_id, rid, agent_id, value, cur, reason, tier, verdict.over
            )
        self._emit(r, event, out)
        return out

    @_command
    def approve_goodwill(self, request_id: str, supervisor: str, *, at: datetime) -> list[Event]:
        """A supervisor approves a pending goodwill request (not charged to any allowance).

        Raises:
            ConfigError: The desk has no goodwill policy; *supervisor* is not a string of 1
                to 4,096 characters (the longest a journal row of the command reads back).
            InvalidTransitionError: No such request is pending.
        """
        return self._answer_goodwill(request_id, supervisor, True, at)

    @_command
    def decline_goodwill(self, request_id: str, supervisor: str, *, at: datetime) -> list[Event]:
        """A supervisor declines a pending goodwill request.

        Raises:
            ConfigError: The desk has no goodwill policy; *supervisor* is not a string of 1
                to 4,096 characters (the longest a journal row of the command reads back).
            InvalidTransitionError: No such request is pending.
        """
        return self._answer_goodwill(request_id, supervisor, False, at)

    def goodwill_balances(self) -> dict[str, tuple[Decimal, Decimal]]:
        """Each goodwill allowance charged so far: (spent, size) in the period of the desk's
        last instant (empty without a goodwill policy)."""
        if self._goodwill is None or self.now is None:
            return {}
        return self._goodwill.balances(utc(self._now))

    def goodwill_requests(self) -> tuple[str, ...]:
        """The goodwill requests awaiting a supervisor, oldest first."""
        return () if self._goodwill is None else self._goodwill.requests()

    def _goodwill_ledger(self) -> GoodwillLedger:
        if self._goodwill is None:
            raise ConfigError("this desk has no goodwill policy (DeskConfig.goodwill is None)")
        return self._goodwill

    def _answer_goodwill(
        self, request_id: str, supervisor: str, approved: bool, at: datetime
    ) -> list[Event]:
        t = self._time(at)
        ledger = self._goodwill_ledger()
        if not isinstance(supervisor, str) or not 0 < len(supervisor) <= _MAX_TEXT:
            # The journal's reader (command_from_dict) holds a string argument to this length:
            # a longer name would make the command's row, and so the desk, unrestorable.
            raise ConfigError(
                f"supervisor must be a string of 1 to {_MAX_TEXT} characters, "
                f"got {show(supervisor)}"
            )
        if not encodable(supervisor):
            raise ConfigError(f"supervisor must be {ENCODABLE}, got {show(supervisor)}")
        ticket_id, agent_id, amount, reason, tier = ledger.pending(request_id)
        out = self._commit(t)
        ledger.settle(request_id, approved)
        event: Event
        if approved:
            cur = ledger.policy.currency
            event = GoodwillGranted(
                at,
                ticket_id,
                agent_id,
                amount,
                cur,
                reason,
                tier,
                "approval",
                None,
                supervisor,
                request_id,
            )
        else:
            event = GoodwillDeclined(at, ticket_id, request_id, agent_id, amount, supervisor)
        r = self._tickets.get(ticket_id)
        if r is not None:
            self._emit(r, event, out)
        else:
            out.append(event)
        return out

    def _preview_contacts(self, ticket: Ticket, at: datetime | None) -> dict[str, Any] | None:
        """The ``contacts`` rule fields for *ticket* as a new contact (nothing changes)."""
        if self._contacts is None or not isinstance(ticket, Ticket):
            return None
        when = at if at is not None else ticket.created_at
        cid = ticket.customer.id
        last = self._last_agent.get(cid)
        summary = self._contacts.preview(
            cid, instant_us(when, "at"), None if last is None else last[0]
        )
        return summary.context(when)

    def _settled(self, r: TicketRecord) -> None:
        """*r* is no longer open work of its customer."""
        if self._contacts is not None:
            self._contacts.settled(r.ticket.customer.id, r.ticket.id)

    # -- time ----------------------------------------------------------------------------------

    def advance(self, *, at: datetime) -> list[Event]:
        """Fire everything due up to *at*, each at its own instant, in time order.

        SLA warnings and breaches, relaxation steps, overflow, preferred-agent pins that
        expire, surveys, and the closes of solved tickets (``close_solved_after``: a
        :class:`~csflow.events.TicketClosed` at the instant).  Idempotent for an unchanged
        *at*.

        Raises:
            InvalidTransitionError: *at* is earlier than the desk's last instant.
            CalendarError: *at* is naive.
        """
        guard = self._guard
        if guard is not None and not guard.busy:
            return self._guarded(Desk.advance, (), {"at": at})
        t = self._time(at)
        out = self._commit(t)
        fired_at: int | None = None
        while True:
            due = self._next_due()
            if due is None or due > t or due == fired_at:
                break
            fired_at = due
            self._now = max(self._now, due)
            self._fire(due, out)
        self._now = t
        return out

    def _fire(self, due: int, out: list[Event]) -> None:
        when = utc(due)
        for r in self._timers.sla_due(due, self._tickets):
            sla = r.sla
            assert sla is not None
            exact = sla.next_deadline_us()
            # A timer armed at a bound may fall due before its clocks do: then it is re-armed.
            self._sla_events(
                r, sla.advance(when) if exact is not None and exact <= due else (), out
            )
        for r in self._timers.surveys_due(due, self._tickets):
            if r.state in (_SOLVED, _CLOSED):
                self._emit(r, SurveyDue(when, r.ticket.id, r.agent), out)
        for r in self._timers.closes_due(due, self._tickets):
            self._move(r, _TC.CLOSE, when, out, TicketClosed(when, r.ticket.id))
        step = self._router.next_step_us()
        if step is not None and step <= due:
            self._routed(self._router.advance(when), when, due, out)

    def _next_due(self) -> int | None:
        # A timer past the last instant every SLA calendar's zone can date is never reached
        # (no command, advance included, can be given that instant): it is no wakeup.
        us = self._timers.next_due(self._tickets, self._router.next_step_us())
        return None if us is None or us > self._last_us else us

    # -- snapshots -----------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The desk's current state as JSON-compatible data: :meth:`restore` rebuilds it.

        Format ``csflow.desk/3`` (:mod:`csflow.desk.state`): the config's fingerprint, the
        desk's instant, and its state -- every ticket the desk knows (open, solved, closed or
        abandoned: until :meth:`forget`) with its SLA clocks, lifecycle state, holder or
        owner, queue, tags and call-back flag; each queue's order; the agents with presence,
        load, idle time and held tickets; waiting tickets' relaxation, overflow and
        preferred-agent holds; the live SLA and survey timers; transfer counts; recent
        contacts within their window; ratings; goodwill (with each allowance's grants of the
        last 35 days).  Its size and the time to make or restore it are O(tickets not
        forgotten + agents + customers remembered + recent goodwill grants): forget what
        you have archived.  The customers remembered are the last-agent memory -- at most
        ``contacts.max_customers`` customers, the most recently served (100,000 by default
        and without a ``contacts`` policy, then none when nothing reads it) -- and, with a
        ``contacts`` policy, the contacts within its window (at most ``max_contacts`` of each
        of those customers).  Derived indexes are rebuilt on restore; the restored desk is the desk that was saved.

        The config's fingerprint is worked out once per config object and reused by every
        snapshot and restore that follows (:func:`~csflow.desk.fingerprint.config_fingerprint`).
        """
        return state_snapshot(self._parts(), config_fingerprint(self.config))

    @classmethod
    def restore(
        cls,
        config: DeskConfig,
        snapshot: object,
        *,
        journal: Iterable[object] = (),
        on_config_change: list[Event] | None = None,
    ) -> Desk:
        """A desk rebuilt from :meth:`snapshot`, then the *journal* of commands since.

        Args:
            config: The configuration; the snapshot's own unless the host accepts a change.
            snapshot: What :meth:`snapshot` returned (or its JSON round trip).
            journal: The commands applied after the snapshot, in order: :mod:`command
                <csflow.desk.commands>` values or their ``to_dict()`` forms.
            on_config_change: ``None`` (default) refuses a config whose fingerprint differs
                from the snapshot's; a list accepts the change and receives, all at the
                snapshot's instant, a :class:`~csflow.events.SlaDeadlineMoved` per deadline
                it moved and the SLA events that caused, a
                :class:`~csflow.events.GoodwillDeclined` per pending goodwill request it
                dropped (another currency, goodwill switched off, fewer decimals than the
                amount asked for has), then a :class:`~csflow.events.TicketAssigned` (and what
                follows it) per waiting
                ticket an agent with room takes under the new config (the rule:
                :mod:`csflow.desk.durable`).

        Raises:
            ConfigError: A malformed or tampered snapshot or journal, naming the path
                (``snapshot.state.tickets[12].sla: ...``, ``journal[3].at: ...``) -- a state
                no desk under the snapshot's own config leaves, such as an agent with room
                idle beside a ticket it could take, included -- a format newer than this
                csflow reads, or a changed config not accepted.  Nothing is partly restored.
        """
        return restore_desk(
            cls,
            config,
            snapshot,
            journal=journal,
            on_config_change=on_config_change,
            from_state=cls._from_state,
        )

    def _parts(self) -> DeskParts:
        """The parts a state snapshot reads and a restore fills (:mod:`csflow.desk.state`)."""
        return DeskParts(
            self.config,
            self._now,
            self._tickets,
            self._router,
            self._timers,
            self._ledger,
            self._last_agent,
            self._owned,
            self._contacts,
            self._feedback,
            self._goodwill,
            self._due,
        )

    @classmethod
    def _from_state(
        cls, config: DeskConfig, state: object, at: datetime | None, changed: Sequence[str]
    ) -> tuple[Desk, list[Event]]:
        desk = cls(config)
        desk._now, events = load_state(
            desk._parts(),
            state,
            at,
            recalculate=bool(changed),
            clocks=not _CLOCK_FIELDS.isdisjoint(changed),
        )
        desk._ordinal = itertools.count(len(desk._tickets))  # after the restored tickets
        if changed and at is not None:
            # The change may let agents with room take waiting work (a larger capacity, a
            # routing profile serving one more queue): they take it at the snapshot's
            # instant, and the host hears of it with the rest of the change.
            assigned = desk._router.route_loaded(at)
            desk._routed(assigned, at, desk._now, events)
        return desk, events

    def apply(self, command: Command) -> list[Event]:
        """Run a command value (:mod:`csflow.desk.commands`): ``desk.apply(Reply("t1", "sari",
        at=now))`` is ``desk.reply("t1", "sari", at=now)``.

        Returns:
            The events the command's method returns.

        Raises:
            ConfigError: *command* is not a command value; else what the method raises.
        """
        if not isinstance(command, Command):
            raise ConfigError(f"expected a desk command value, got {show(command)}")
        return command.apply(self)

    # -- the command skeleton ------------------------------------------------------------------

    def _on_ticket(
        self,
        at: datetime,
        ticket_id: str,
        command: TicketCommand | Callable[[], TicketCommand],
        *,
        agent_id: str | None = None,
        check: Callable[[TicketRecord], object] | None = None,
    ) -> tuple[TicketRecord, TicketStatus, int, list[Event]]:
        """The skeleton every command on a ticket runs, up to the point where it changes things.

        In this order: *at* is aware and not earlier than the desk's last instant; the ticket
        (and *agent_id*, when given) exist; *command* -- or, when it is a callable, the check
        of the command's own argument that names the command -- is allowed from the ticket's
        state by the lifecycle table; *check* holds (the command's own conditions).  Nothing
        has changed up to here.  Then the desk's time moves to *at*, and the ticket's SLA
        clocks catch up: what fell due strictly before *at* is emitted first, at its own
        instant (a reply exactly at a due instant still meets it).  When the command returns,
        :func:`_command` settles the ticket (what is due exactly at *at*) and sorts the events.

        Returns:
            The ticket's record, the state the command leads to, *at* in microseconds, and
            the list the command's events go into.
        """
        t = self._time(at)
        r = self._rec(ticket_id)
        if agent_id is not None or command in _BY_AGENT:
            self._agent_known(agent_id)  # (None is no agent: refused like an unknown id)
        if not isinstance(command, TicketCommand):
            command = command()
        closing = r.closing
        if closing is not None and closing < t and r.state is _SOLVED:
            # Closed at its own instant, before the command (no advance came in between):
            # the command is checked against the closed ticket.
            try:
                new = next_state(_CLOSED, command, ticket_id)
            except InvalidTransitionError as exc:
                raise InvalidTransitionError(
                    f"{exc} (it closed at {utc(closing).isoformat()}, when its "
                    "close_solved_after ran out)"
                ) from None
            if check is not None:
                check(r)
            out = self._commit(t)
        else:
            new = next_state(r.state, command, ticket_id)
            if check is not None:
                check(r)
            out = self._commit(t)
        self._overdue(r, t, out)
        self._about = r
        self._catch_up(r, t - 1, out, hold=True)
        return r, new, t, out

    def _time(self, at: object) -> int:
        t = instant_us(at, "at")  # raises on naive or non-datetime values
        if t < self._now:
            raise InvalidTransitionError(
                f"'at' must not be earlier than the desk's last instant "
                f"{utc(self._now).isoformat()}, got {show(at)}"
            )
        if not self._first_us <= t <= self._last_us:
            raise CalendarError(
                f"'at' must be from {utc(self._first_us).isoformat()} to "
                f"{utc(self._last_us).isoformat()}, the instants every SLA calendar's zone can "
                f"date within the years 1-9999, got {show(at)}"
            )
        return t

    def _commit(self, t: int) -> list[Event]:
        """Validation is over: from here on the command mutates.  Move time on and return the
        list its events go into."""
        self._now = t
        self._dirty = True
        return []

    def _guarded(
        self, run: Callable[..., list[Event]], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> list[Event]:
        """Run a command of a desk that keeps a checkpoint (:mod:`csflow.desk.rollback`):
        when it raises after it began to change the desk, the desk is rebuilt as it was
        before it, and the exception propagates as it was raised."""
        guard = self._guard
        assert guard is not None
        if guard.left <= 0:
            state = state_snapshot(self._parts(), {})["state"]
            guard.take(state, self._now, len(self._tickets) + len(self._router.pool))
        guard.busy = True
        self._dirty = False
        try:
            out = run(self, *args, **kwargs)
        except BaseException as exc:
            guard.busy = False
            if self._dirty:
                self._undo(guard, exc)
            raise
        guard.busy = False
        guard.log.append((run, args, kwargs))
        guard.left -= 1
        return out

    def _undo(self, guard: Checkpoint, exc: BaseException) -> None:
        """Rebuild the desk from *guard*'s checkpoint and the commands applied since: the
        desk as it was before the command that raised *exc*."""
        assert guard.state is not None
        try:
            at = None if guard.now < -(2**61) else utc(guard.now)
            fresh, _ = type(self)._from_state(self.config, guard.state, at, ())
            replaying = fresh._guard
            assert replaying is not None
            replaying.busy = True
            for run, args, kwargs in guard.log:
                run(fresh, *args, **kwargs)
        except Exception as failed:
            # Only host code that answers differently the second time gets here: the desk
            # is left as the failed command left it, and the host is told.
            exc.add_note(
                f"csflow: the desk could not be rolled back ({type(failed).__name__}: "
                f"{failed}): host code that is not a function of its arguments?"
            )
            return
        vars(self).clear()
        vars(self).update(vars(fresh))
        self._guard = guard

    def _rec(self, ticket_id: str) -> TicketRecord:
        r = self._tickets.get(ticket_id) if isinstance(ticket_id, str) else None
        if r is None:
            raise UnknownTicketError(f"no ticket {show(ticket_id)} at this desk")
        return r

    def _agent_known(self, agent_id: object) -> None:
        if not isinstance(agent_id, str) or agent_id not in self._router.pool:
            raise UnknownAgentError(f"no agent {show(agent_id)} at this desk")

    # -- the commands' own conditions ----------------------------------------------------------

    def _check_holder(self, agent_id: str, verb: str, r: TicketRecord) -> None:
        if r.agent != agent_id and not (r.agent is None and r.state in _OWNERLESS):
            raise InvalidTransitionError(
                f"agent {show(agent_id)} cannot {verb} ticket {show(r.ticket.id)}: it is with "
                f"{show(r.agent)}"
            )

    def _check_callback(self, r: TicketRecord) -> None:
        if r.callback:
            raise InvalidTransitionError(f"ticket {show(r.ticket.id)} is already a call-back")
        channels = self.config.channels
        phone = Channel.PHONE.name
        if channels is not None and phone not in channels:
            # The same refusal as a ticket or an agent on an undeclared channel gets: an agent
            # with phone capacity is refused too, so nobody could ever make the call.
            raise UndeclaredNameError(
                f"undeclared channel {show(phone)} (a call-back is a phone call); declared: "
                f"{show(sorted(channels))} (DeskConfig.channels; or 'open' to accept any)",
                "request_callback",
            )

    def _check_transfer(self, to: str, r: TicketRecord) -> None:
        pool = self._router.pool
        ticket_id = r.ticket.id
        to_agent = to in pool
        if not to_agent and (not isinstance(to, str) or to not in self.config.teams):
            hint = _normalisation_hint(to, sorted(self.config.teams), "team")
            hint = hint or _normalisation_hint(to, pool, "agent")
            raise ConfigError(
                f"transfer target {show(to)} is neither an agent nor a team; teams: "
                f"{show(sorted(self.config.teams))}{hint}"
            )
        if to_agent and to in self.config.teams:
            # add_agent refuses such an id; a desk restored under a configuration that added
            # the team may still have one.
            raise ConfigError(
                f"transfer target {show(to)} names both an agent and a team; transfer to "
                "another agent or team"
            )
        if not to_agent and r.state == _QUEUED and self.config.teams[to].queue == r.queue:
            # A no-op hand-over would cost the customer its place and a transfer.
            raise InvalidTransitionError(
                f"ticket {show(ticket_id)} already waits in queue {show(r.queue)}, the queue "
                f"of team {show(to)}"
            )
        if to_agent:
            if to == r.agent:
                raise InvalidTransitionError(
                    f"ticket {show(ticket_id)} is already with agent {show(to)}"
                )
            # A waiting call-back stays a phone call; a ticket taken from an agent goes by its
            # own channel.
            sig = self._signature(r) if r.state == _QUEUED else Signature.of(r.ticket)
            if not pool.is_eligible(to, sig) or not pool.can_take(to, sig.channel):
                raise CapacityExceededError(
                    f"agent {to!r} cannot take ticket {ticket_id!r} on {sig} now"
                )
        self._ledger.check(ticket_id)

    def _escalation_source(self, r: TicketRecord) -> str | None:
        """The team a ticket is escalated from: its queue's, else the graph's first entry."""
        src = self._queue_team.get(r.queue)
        graph = self.config.escalation
        if src is None and graph is not None:
            src = graph.entry[0]
        return src

    def _check_escalation(self, team: str, r: TicketRecord) -> None:
        if not isinstance(team, str) or team not in self.config.teams:
            known = sorted(self.config.teams)
            raise ConfigError(
                f"unknown team {show(team)}; known: {show(known)}"
                f"{_normalisation_hint(team, known, 'team')}"
            )
        src = self._escalation_source(r)
        graph = self.config.escalation
        if graph is not None and src is not None and not graph.can_escalate(src, team):
            # A team of the desk that the graph leaves out (reached by transfer only)
            # escalates to no team.
            outside = src not in graph.teams
            allowed = [] if outside else list(graph.targets(src))
            why = f" (the escalation graph has no team {show(src)})" if outside else ""
            raise InvalidTransitionError(
                f"team {show(src)} may not escalate to {show(team)}; allowed: {show(allowed)}{why}"
            )
        if src == team:
            raise InvalidTransitionError(
                f"ticket {show(r.ticket.id)} is already with team {show(team)}"
            )
        self._ledger.check(r.ticket.id)

    # -- state changes, routing and SLA clocks ---------------------------------------------------

    def _catch_up(self, r: TicketRecord, limit: int, out: list[Event], *, hold: bool) -> None:
        """Fire *r*'s SLA events due up to *limit* (µs), one due instant at a time as
        :meth:`advance` would (so an escalation acts at the instant its event is due).

        With *hold*, the command on *r* has been checked but not applied yet: an escalation
        that moves the waiting ticket to another queue moves it there, but routing it waits
        until the command has applied (:meth:`_settle`), so the command still finds the
        ticket in the state it was checked in.
        """
        sla = r.sla
        if sla is None:
            return
        # The armed timer is a bound too (every change of the clocks re-arms it, and the
        # timers only ever move it later, to the true instant): one read, no loop over clocks.
        bound = r.armed
        if bound is None:
            bound = sla.next_deadline_bound_us()
        if bound is None or bound > limit:
            return  # nothing can be due: the clocks' instants need not be worked out
        self._held = r if hold else None
        try:
            d = sla.next_deadline_us()
            while d is not None and d <= limit:
                self._sla_events(r, sla.advance(utc(d)), out)
                d = sla.next_deadline_us()
        finally:
            self._held = None

    def _overdue(self, r: TicketRecord, t: int, out: list[Event]) -> None:
        """A solved ticket's close (``close_solved_after``) and survey that fell due strictly
        before *t* (µs), with no advance in between, are reported before the command on it,
        each at its own instant and in time order (at one instant the survey first, as
        :meth:`advance` fires them)."""
        closing = r.closing
        if closing is not None and closing < t and r.state is _SOLVED:
            r.closing = None
            self._survey_first(r, closing + 1, out)
            when = utc(closing)
            self._move(r, _TC.CLOSE, when, out, TicketClosed(when, r.ticket.id))
        self._survey_first(r, t, out)

    def _survey_first(self, r: TicketRecord, limit: int, out: list[Event]) -> None:
        """A command on a solved or closed ticket whose survey fell due strictly before
        *limit* (µs) -- no advance came in between -- reports the :class:`SurveyDue` first, at
        its own instant, as the close of a ``close_solved_after`` that ran out is reported:
        the ticket's history stays in time order, and a reopening or a rating does not
        silently drop a survey a host that advanced would have been given."""
        if r.state not in (_SOLVED, _CLOSED):
            return
        due = self._timers.overdue_survey(r, limit)
        if due is None:
            return
        r.survey_version += 1  # fired: the timer is retired
        self._emit(r, SurveyDue(utc(due), r.ticket.id, r.agent), out)

    def _settle(self, out: list[Event]) -> None:
        """After a command on a ticket: route it if an escalation moved it while the command
        was pending, then fire what is due exactly at the command's instant."""
        r = self._about
        if r is None:
            return
        self._about = None
        t = self._now
        if self._held_moved:
            self._held_moved = False
            if r.state == _QUEUED and r.ticket.id in self._tickets:
                at = utc(t)
                away = self._router.handed_off_by(r.ticket.id)
                self._router.remove(r.ticket.id)
                self._route_new(r, at, t, out, queued_us=r.queued_us, handed_off_by=away)
        if r.ticket.id in self._tickets:
            self._catch_up(r, t, out, hold=False)

    def _transition(self, r: TicketRecord, command: TicketCommand) -> None:
        """Move *r* along the lifecycle table: the only place a ticket's state is written."""
        r.state = next_state(r.state, command, r.ticket.id)

    def _move(
        self,
        r: TicketRecord,
        command: TicketCommand,
        at: datetime,
        out: list[Event],
        event: Event | None = None,
    ) -> None:
        """A state change as the host sees it: the new state, its event, then the SLA clocks'
        reaction to it.

        A call-back its agent parks (``pending``, ``on_hold``) or resolves was called: it is
        a call-back no more (as when its agent hands it over), and work goes on by the
        ticket's channel.  One given back to its queue (its agent left) is still waited for.
        """
        was = r.state
        self._transition(r, command)
        if was == _ASSIGNED and r.state != _QUEUED:
            r.callback = False
        if event is not None:
            self._emit(r, event, out)
        self._tell_sla(r, at, out)

    def _sort_histories(self, out: list[Event]) -> None:
        """Put the tickets' histories in the time order *out* is about to be sorted into.

        Only when a command's events came out of time order (SLA events due before a late
        ticket reached the desk): each ticket's events of the command are the tail of its
        history, appended in *out*'s order, so that tail is sorted the same stable way."""
        mine: dict[str, list[Event]] = {}
        for e in out:
            tid = getattr(e, "ticket_id", None)
            if isinstance(tid, str):
                mine.setdefault(tid, []).append(e)
        for tid, events in mine.items():
            r = self._tickets.get(tid)
            h = None if r is None else r.history
            n = len(events)
            if h is None or len(h) < n:
                continue  # it keeps no history (or was forgotten)
            if any(a is not b for a, b in zip(h[-n:], events, strict=True)):
                continue  # not all of them went to its history
            h[-n:] = sorted(events, key=_event_at)

    def _emit(self, r: TicketRecord, event: Event, out: list[Event]) -> None:
        out.append(event)
        if r.history is not None:
            r.history.append(event)

    def _limit_event(self, at: datetime, ticket_id: str, count: int) -> TransferLimitReached:
        limit = self._ledger.policy.max_transfers
        return TransferLimitReached(at, ticket_id, count, limit if limit is not None else 0, False)

    def _due(self, r: TicketRecord) -> int | None:
        """The SLA due instant (µs) a deadline-ordered queue sorts by: the first response's,
        else the next response's, else the resolution's; ``None`` for queues that age by
        allowance (they never look at it) and tickets without an SLA."""
        if r.sla is None or r.queue not in self._deadline_queues:
            return None
        for metric in (Metric.FIRST_RESPONSE, Metric.NEXT_RESPONSE, Metric.RESOLUTION):
            c = r.sla.clock(metric)
            if c is not None:
                due = c.due_us
                if due is not None:
                    return due
        return None

    def _signature(self, r: TicketRecord) -> Signature:
        """What an agent needs to take the ticket now (a call-back is a phone call)."""
        sig = Signature.of(r.ticket)
        return sig.on_channel(Channel.PHONE.name) if r.callback else sig

    def _queued_event(self, r: TicketRecord, at: datetime, why: str) -> TicketQueued:
        tk = r.ticket
        return TicketQueued(
            at,
            tk.id,
            r.queue,
            tk.priority,
            r.policy,
            tk.customer.tier.name,
            tk.channel.name,
            why,
        )

    def _route_new(
        self,
        r: TicketRecord,
        at: datetime,
        t: int,
        out: list[Event],
        *,
        rule: str | None = None,
        queued_us: int | None = None,
        route: bool = True,
        handed_off_by: str | None = None,
    ) -> None:
        """Route a ticket that is (back) in state ``queued``: to an agent now, or into line
        (only into line when not *route*).

        With *queued_us* it keeps that place in line (and ``waiting_since_us`` is the
        caller's); otherwise it joins the line now.  A call-back stays one: it waits on the
        phone, flagged, held for nobody (as :meth:`request_callback` leaves it: whoever can
        call now makes the call), and its assignment is followed by a ``CallbackDue``.  The
        agent *handed_off_by* (see :meth:`transfer`) is not the customer's preferred or last
        agent for this routing, nor one the ticket is held for."""
        if queued_us is None:
            r.queued_us = r.waiting_since_us = t
        else:
            r.queued_us = queued_us
        tk = r.ticket
        last = self._last_agent.get(tk.customer.id)
        a = self._router.submit(
            tk,
            at=at,
            queue=r.queue,
            due=self._due(r),
            queued_at=r.queued_us,
            rule=rule,
            last_agent=None if last is None else last[0],
            last_contact_at=None if last is None else last[1],
            signature=self._signature(r) if r.callback else None,
            route=route,
            callback=r.callback,
            handed_off_by=handed_off_by,
        )
        self._caught_up(at, t, out)
        if a is None and route and r.callback and self._router.where(tk.id)[1].signature.agent:
            # The router held the call-back for the customer's preferred or last agent, busy
            # now: a call-back is held for nobody (the request dropped such a hold), so it is
            # routed as the request routes it -- to any agent who can call now, else it waits.
            a = self._router.request_callback(tk.id, at=at)
        if a is not None:
            self._assigned(a, at, t, out)

    def _caught_up(self, at: datetime, t: int, out: list[Event]) -> None:
        """Report the relaxation steps the router applied at once to the ticket it was just
        given (one that joined the line in the past, or a step due at once): a move to an
        overflow queue moves the record too."""
        changes = self._router.caught_up
        if changes:
            self._routed(changes, at, t, out)

    def _assigned(self, a: Assignment, at: datetime, t: int, out: list[Event]) -> None:
        r = self._tickets[a.ticket_id]
        self._transition(r, _ASSIGN)
        r.agent = a.agent_id
        cid = r.ticket.customer.id
        before = self._last_agent.get(cid)
        self._last_agent.served(cid, a.agent_id, t)
        waited = max(0, a.at_us - r.waiting_since_us) / 1e6
        if self._contacts is None:
            event = TicketAssigned(
                at, a.ticket_id, a.agent_id, waited, a.reason.candidates, str(a.reason)
            )
        else:
            # Who the customer is to this agent: recent contacts and who served them last.
            c = self._contacts.summary(cid, a.ticket_id, t, None if before is None else before[0])
            event = TicketAssigned(
                at,
                a.ticket_id,
                a.agent_id,
                waited,
                a.reason.candidates,
                str(a.reason),
                c.count,
                c.last_contact_at,
                c.last_agent,
                c.open_tickets,
            )
        self._emit(r, event, out)
        if a.callback or r.callback:
            self._emit(r, CallbackDue(at, a.ticket_id, a.agent_id), out)
        self._tell_sla(r, at, out)

    def _routed(
        self, changes: Sequence[RoutingChange], at: datetime, t: int, out: list[Event]
    ) -> None:
        for c in changes:
            if isinstance(c, Assignment):
                self._assigned(c, at, t, out)
            elif isinstance(c, Overflowed):
                r = self._tickets[c.ticket_id]
                r.queue = c.to_queue
                self._emit(
                    r,
                    TicketOverflowed(at, c.ticket_id, c.to_queue, max(0, t - r.queued_us) / 1e6),
                    out,
                )
                due = self._due(r)  # None unless the new queue orders by deadline
                if due is not None:
                    # The router keyed it in the new queue without the SLA due instant of a
                    # ticket from a queue that ages by allowance (it is told none there).
                    # (Unless an agent took it at once: its assignment follows.)
                    with contextlib.suppress(UnknownTicketError):
                        self._router.reprioritize(r.ticket, due=due, at=at)
            elif isinstance(c, Relaxed):
                r = self._tickets[c.ticket_id]
                self._emit(
                    r, TicketRelaxed(at, c.ticket_id, c.step, str(c.signature), c.description), out
                )

    def _leave(
        self, r: TicketRecord, command: TicketCommand, at: datetime, t: int, out: list[Event]
    ) -> None:
        """Take the ticket away from where it is now (its agent or its queue) for a hand-over
        or a requeue.

        The ticket is in transit until the caller has routed it and calls :meth:`_arrived`.
        A waiting call-back stays one wherever it goes (the customer was not called yet); one
        handed over from its agent was called, and goes on by the ticket's channel -- unless
        it is a :meth:`requeue`: its agent gives it back because the call did not reach the
        customer, who still waits for one.
        """
        old = r.state
        agent = r.agent
        r.agent = None
        self._transit = r
        self._transition(r, command)
        if old == _QUEUED:
            self._router.remove(r.ticket.id)
        elif old == _ASSIGNED:
            assert agent is not None
            self._routed(self._router.release(agent, r.ticket.id, at=at), at, t, out)
        elif agent is not None:
            # Pending or on hold: the owner lets it go.  (An owner who left the desk has
            # already been cleared, and the ticket has no one to leave.)
            self._owned.get(agent, set()).discard(r.ticket.id)
        if old != _QUEUED and command != _TC.REQUEUE:
            # The call-back was made (or work went on by the ticket's channel); a waiting
            # call-back was not called yet, nor a requeued one (no answer): it stays one.
            r.callback = False
        self._tell_sla(r, at, out)

    def _resume(
        self, r: TicketRecord, command: TicketCommand, at: datetime, t: int, out: list[Event]
    ) -> None:
        """Work on a pending / on-hold ticket resumes: back to its owner if it can take it now."""
        owner = r.agent
        self._emit(r, TicketStatusChanged(at, r.ticket.id, str(r.state), "open"), out)
        if owner is not None:
            self._owned.get(owner, set()).discard(r.ticket.id)
        r.agent = None
        self._transit = r
        self._transition(r, command)
        r.queued_us = r.waiting_since_us = t
        r.callback = False  # the call-back happened; resumed work goes by the ticket's channel
        self._tell_sla(r, at, out)
        a = self._reopen_route(r, owner, at, parked=True)
        self._caught_up(at, t, out)
        if a is not None:
            self._assigned(a, at, t, out)
        else:
            self._emit(r, self._queued_event(r, at, "work resumed"), out)
        self._arrived(r, at, out)

    def _reopen_route(
        self, r: TicketRecord, agent: str | None, at: datetime, *, parked: bool
    ) -> Assignment | None:
        """Route resumed or reopened work: back to *agent*, the ticket's own (its owner while
        it was *parked* pending or on hold, or the agent who resolved it), when it can take
        it now; else as a new ticket of the customer would be (:meth:`_route_new`), held
        under the same affinity rules for the customer's preferred agent, else for *agent*
        -- the thread's own agent, not whoever served the customer's other tickets since --
        and for the customer's last agent only when the ticket has none (its owner or the
        agent who resolved it left the desk).

        For the ``recency`` of the affinity rules, the owner of a parked ticket served the
        customer until now (the thread was still its own); the agent who resolved it, when
        it resolved it, known while that was the customer's last service (else unknown, so
        not recent).
        """
        last = self._last_agent.get(r.ticket.customer.id)
        hold: str | None
        since: int | None
        if agent is None or agent not in self._router.pool:  # none, or it left the desk
            hold, since = (None, None) if last is None else last
        elif parked:
            hold, since = agent, instant_us(at, "at")
        else:
            hold, since = agent, (last[1] if last is not None and last[0] == agent else None)
        return self._router.reopen(
            r.ticket,
            agent,
            at=at,
            queue=r.queue,
            due=self._due(r),
            customer_last_agent=hold,
            last_contact_at=since,
        )

    def _agent_team_queue(self, agent_id: str, queue: str) -> str:
        """The queue of the team a ticket in *queue* handed to *agent_id* is with: *queue*
        when the agent is of its team or of no team, else the agent's first team's (by name)."""
        teams = self._router.pool.record(agent_id).profile.teams
        if not teams or self._queue_team.get(queue) in teams:
            return queue
        for name in sorted(teams):
            spec = self.config.teams.get(name)
            if spec is not None:
                return spec.queue
        return queue

    def _handing_off(self, r: TicketRecord) -> str | None:
        """The agent a hand-over of *r* moves it away from: its holder or owner; for a
        waiting ticket, the agent that last handed it off while it has waited, if any."""
        if r.agent is not None:
            return r.agent
        if r.state == _QUEUED:
            return self._router.handed_off_by(r.ticket.id)
        return None

    def _arrived(self, r: TicketRecord, at: datetime, out: list[Event]) -> None:
        """*r*, in transit (out of its queue or away from its agent: a resume, a reopen, a
        hand-over, its agent leaving), is in place again at *at* -- in line or with an agent.

        Its clocks may have warned or breached as it moved (a clock paused at its due
        instant breaches when work resumes): the escalations those events ask for act now,
        at *at*, on the ticket where it is.  Acting earlier would move or re-key a ticket
        that is in no queue yet, and the router holds no such ticket.
        """
        self._transit = None
        deferred = self._deferred
        if deferred:
            self._deferred = []
            policy = self.config.escalation_policy
            assert policy is not None
            for e in deferred:
                self._escalate_on(policy, r, e, out, at)

    def _tell_sla(self, r: TicketRecord, at: datetime, out: list[Event]) -> None:
        """Hand the ticket's state to its SLA clocks (a ``TicketStatus`` both layers share).

        A status ``pause_on`` does not name (and that is not solved or final) leaves every
        clock running, so a move between two such statuses -- queued to assigned, the move of
        every assignment -- changes nothing for the clocks: :meth:`TicketSla.note_status`
        only records it, which saves a poll of every clock per assignment, and a later change
        of policy still sees the status the ticket is in.  Any other move is told.
        """
        sla = r.sla
        if sla is None:
            facts = r.facts
            state = r.state
            if facts is not None and facts.now is not state and state not in _SLA_FINAL:
                facts.status(to_us(at), state)
            return
        told = sla.status
        state = r.state
        if told == state or told in _SLA_FINAL:
            return
        # A ticket no command was about (one an agent takes up, or gives back by leaving)
        # has not caught up: what fell due before *at* fires first, each at its own instant
        # as advance would fire it, so that its history stays in time order (a warning due
        # before the assignment is not written after it) and an escalation it asks for acts
        # then, with the clocks there (they refuse a priority raise at an instant they
        # passed) -- or, for a ticket in transit, once it is in place at *at*.  Whether or
        # not the move matters to the clocks: an escalation fired later would act before the
        # move, on a ticket that has since changed hands.  (One read of the armed bound when
        # nothing is due.)
        self._catch_up(r, to_us(at) - 1, out, hold=False)
        if sla.note_status(state, at):
            return
        self._sla_events(r, sla.set_status(state, at), out)

    def _sla_events(self, r: TicketRecord, events: Sequence[Event], out: list[Event]) -> None:
        policy = self.config.escalation_policy
        for e in events:
            self._emit(r, e, out)
            if policy is not None and isinstance(e, SlaWarning | SlaBreached):
                if r is self._transit:
                    self._deferred.append(e)  # acted on once the ticket is in place
                else:
                    self._escalate_on(policy, r, e, out)
        sla = r.sla
        assert sla is not None
        # Armed at a lower bound of the clocks' next event: the timers work the true instant
        # out only when the bound reaches the top of their heap (Timers.next_due).
        self._timers.arm_sla(r, sla.next_deadline_bound_us(), self._tickets)

    def _escalate_on(
        self,
        policy: EscalationPolicy,
        r: TicketRecord,
        e: SlaWarning | SlaBreached,
        out: list[Event],
        acting: datetime | None = None,
    ) -> None:
        """Apply the escalation policy's answer to an SLA warning or breach, at the event's
        instant or, when given, at *acting* (the later instant the desk could act at).

        A priority is only ever raised (each raise is strictly higher, so a breach caused by
        the recalculation cannot loop); a queue move applies to a waiting ticket and keeps its
        place in time; tags are added; people to notify reach the host in
        :class:`~csflow.events.SlaEscalated`.

        A ticket already with an agent (assigned, pending, on hold) stays with that agent: a
        support lead does not want work taken from the person answering it because a clock ran
        late -- the notification and tags are how the lead hears of it.  What the policy asked
        for and the desk did not do is said, with why, in the event's ``skipped``.
        """
        if r.state not in _IN_PROGRESS:
            return
        kind = "breach" if isinstance(e, SlaBreached) else "warning"
        try:
            result = policy_answer(
                policy(self._escalation_context(r, e.at, kind, e.metric.value)),
                "escalation policy",
            )
            esc = result.value
            if esc is not None and not isinstance(esc, Escalation):
                raise ConfigError(
                    f"the escalation policy's value must be an Escalation or None, got {show(esc)}"
                )
        except Exception as exc:
            # The host's code failed on a warning or breach the desk has already counted (its
            # clock moved on): the event is kept, and what failed is said where the host
            # looks for what was not done.  Raising here would lose the breach for good.
            why = f"{ESCALATION_POLICY_FAILED}{show(exc)}"
            self._emit(
                r,
                SlaEscalated(e.at, r.ticket.id, e.metric.value, kind, (), (), "", (why,)),
                out,
            )
            return
        if not esc:
            return
        skipped: list[str] = []
        move = esc.queue is not None and esc.queue != r.queue
        if move and esc.queue not in self._queues:
            move = False
            skipped.append(
                f"queue {show(esc.queue)}: no such queue; queues: {show(list(self._queues))}"
                f"{_normalisation_hint(esc.queue, self._queues, 'queue')}"
            )
        elif move and r.state != _QUEUED:
            move = False
            skipped.append(
                f"queue {show(esc.queue)}: the ticket is {r.state} with agent {show(r.agent)}, "
                "who keeps it (a queue move applies to a waiting ticket)"
            )
        raise_to = esc.priority
        if raise_to is not None and raise_to < r.ticket.priority:
            skipped.append(
                f"priority {raise_to}: below the ticket's {r.ticket.priority} "
                "(an escalation only raises a priority)"
            )
        elif raise_to is not None and raise_to > r.ticket.priority:
            try:
                self._key_fits(r, attrs.evolve(r.ticket, priority=raise_to))
            except Exception as exc:  # a host key policy's own failure too (see above)
                skipped.append(f"priority {raise_to}: {_why(exc)}")
                raise_to = None
        if move and esc.queue is not None:
            raised = r.ticket if raise_to is None else attrs.evolve(r.ticket, priority=raise_to)
            try:
                self._key_fits(r, raised, esc.queue)
            except Exception as exc:
                skipped.append(f"queue {show(esc.queue)}: {_why(exc)}")
                move = False
        # The event lists the tags this escalation added: one the ticket already had (from
        # triage, or an earlier warning) is not added again, so a host counting the tickets an
        # escalation tagged does not count it twice.
        had = set(r.tags)
        added = tuple(tag for tag in esc.tags if tag not in had)
        self._emit(
            r,
            SlaEscalated(
                e.at,
                r.ticket.id,
                e.metric.value,
                kind,
                esc.notify,
                added,
                result.reason,
                tuple(skipped),
            ),
            out,
        )
        if added:
            r.tags = (*r.tags, *added)
        # The desk acts at the event's instant (or at *acting*, for a ticket that was in
        # transit) -- or, for a ticket created before it was submitted, whose clocks caught
        # up on events from before it reached the desk, at its submission: nothing can have
        # moved or served it earlier.
        t = instant_us(e.at, "at")
        at = e.at
        if acting is not None:
            t = instant_us(acting, "at")
            at = acting
        # Never before the ticket last went into line (its submission, or a requeue): it was
        # not waiting there earlier, and its clocks have moved past that instant.
        since = max(r.queued_us, r.waiting_since_us)
        if t < since:
            t = since
            at = utc(t)
        if raise_to is not None and raise_to > r.ticket.priority:
            self._reprioritize(r, raise_to, at, out)
        if move and esc.queue is not None:
            # Still not back to an agent that handed it off (see transfer).
            away = self._router.handed_off_by(r.ticket.id)
            self._router.remove(r.ticket.id)
            r.queue = esc.queue
            self._emit(
                r, TicketOverflowed(at, r.ticket.id, esc.queue, (t - r.queued_us) / 1e6), out
            )
            held = self._held is r
            self._held_moved = self._held_moved or held
            self._route_new(
                r, at, t, out, queued_us=r.queued_us, route=not held, handed_off_by=away
            )

    def _escalation_context(
        self, r: TicketRecord, at: datetime, event: str, metric: str
    ) -> PolicyContext:
        """What the escalation policy sees of *r*'s warning or breach at *at*: the ticket,
        where it is (queue, team, agent, state, tags) and, when the desk keeps them, its
        customer's recent contacts.  Built only when an SLA event reaches the policy."""
        contacts = None
        if self._contacts is not None:
            cid = r.ticket.customer.id
            last = self._last_agent.get(cid)
            summary = self._contacts.summary(
                cid, r.ticket.id, instant_us(at, "at"), None if last is None else last[0]
            )
            contacts = summary.context(at)
        return PolicyContext(
            r.ticket,
            at,
            event=event,
            metric=metric,
            contacts=contacts,
            queue=r.queue,
            team=self._queue_team.get(r.queue),
            agent=r.agent,
            state=str(r.state),
            tags=r.tags,
        )

    def _reprioritize(self, r: TicketRecord, new: Priority, at: datetime, out: list[Event]) -> None:
        old = r.ticket.priority
        if new == old:
            return
        r.ticket = attrs.evolve(r.ticket, priority=new)
        self._emit(r, TicketPrioritized(at, r.ticket.id, old, new), out)
        if r.sla is not None:
            self._sla_events(r, r.sla.change_priority(new, at, self.config.recalculation), out)
        if r.state == _QUEUED:
            self._router.reprioritize(r.ticket, due=self._due(r), at=at)
