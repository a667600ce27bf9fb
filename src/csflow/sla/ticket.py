"""A ticket's SLA: its four clocks, driven by what happens to the ticket.

:class:`TicketSla` turns the ticket's life (agent replies, customer messages, status changes,
priority or policy changes) into commands on one :class:`~csflow.sla.clock.SlaClock` per
metric, and merges their events in time order.  It validates a command once, for all four
clocks, and then drives them through their µs-level internals (see :mod:`csflow.sla.clock`),
so a command that raises has changed nothing.  Statuses are the
:class:`~csflow.model.TicketStatus` vocabulary; which of them pause which metric is the
policy's ``pause_on``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from csflow._text import show
from csflow._time import MAX_US, MIN_US, from_us, instant_us, to_us, utc
from csflow.calendar import BusinessCalendar
from csflow.errors import CalendarError, ConfigError, CsflowError, InvalidTransitionError
from csflow.events import SlaCancelled, SlaEvent
from csflow.model import Metric, MetricMap, Priority, Ticket, TicketStatus
from csflow.sla._checks import (
    METRICS,
    check_ticket_id,
    join,
    status_names,
    ticket_status,
)
from csflow.sla.clock import (
    _DATABLE_FROM_US,
    _DATABLE_US,
    SlaClock,
    _check_datable,
    _req_instant,
    calendar_bounds_us,
)
from csflow.sla.policy import (
    FINAL_STATUSES,
    PAUSABLE_STATUSES,
    TICKET_STATUSES,
    RecalcMode,
    SlaPolicy,
    SlaTarget,
    resolve_policy,
)
from csflow.sla.states import COUNTING_STATES, LIVE_STATES, PAUSED_STATES, ClockState

__all__ = ["TicketSla"]

_FR, _NR, _PU, _RES = METRICS
_SOLVED: Final = TicketStatus.SOLVED
# Statuses every clock hears of, whatever the policy's pause_on: solved and the final ones.
_LOUD: Final = frozenset({_SOLVED, *FINAL_STATUSES})
_RUNS: Final = (False, False, False, False)  # a status that pauses no metric
_CODE: Final = {status: k for k, status in enumerate(TICKET_STATUSES)}  # see _Facts.spells


class _Facts:
    """What a ticket's SLA keeps of its past, so that a metric that gains a target counts
    from its natural start (see :meth:`TicketSla.recalculate`).

    A few instants and the status spells since creation: bounded by the ticket's own
    commands, and dropped with the ticket.  The desk keeps one for a ticket without an SLA
    too, so that the policy it is given later sees the same past.
    """

    __slots__ = ("cycle", "first", "now", "spells", "waiting")

    def __init__(self, created: int, status: TicketStatus) -> None:
        #: The status spells, flat: [instant, status code, ...] at creation, then at each
        #: change (a move to a final status is not kept: nothing changes after it).  Plain
        #: ints, so a spell costs a list slot and an instant.
        self.spells: list[int] = [created, _CODE[status]]
        #: The status the ticket is in.
        self.now = status
        #: The first agent reply.
        self.first: int | None = None
        #: The oldest customer message unanswered since the last agent reply (once an agent
        #: has replied; a solve clears it): where a next-response cycle starts.
        self.waiting: int | None = None
        #: Where the periodic-update cycle in progress started: the last agent reply, or the
        #: re-opening after one; ``None`` before the first reply and while solved.
        self.cycle: int | None = None

    def reply(self, t: int, solved: bool) -> None:
        """An agent replied at *t* (on a *solved* ticket, which starts no cycle)."""
        if self.first is None:
            self.first = t
        self.waiting = None
        if not solved:
            self.cycle = t

    def message(self, t: int, solved: bool) -> None:
        """The customer wrote at *t* (on a *solved* ticket, which starts no cycle)."""
        if self.first is not None and self.waiting is None and not solved:
            self.waiting = t

    def status(self, t: int, status: TicketStatus) -> None:
        """The ticket moved to *status* at *t* (a move to the status it is in is none)."""
        old = self.now
        if status is old:
            return
        self.now = status
        if status in FINAL_STATUSES:
            return
        self.spells += (t, _CODE[status])
        if status is _SOLVED:
            self.waiting = self.cycle = None
        elif old is _SOLVED and self.first is not None:
            self.cycle = t

    def solved_once(self) -> bool:
        """Whether the ticket has been solved (a solve ends its response cycles)."""
        return _CODE[_SOLVED] in self.spells[1::2]

    def pairs(self) -> list[tuple[int, TicketStatus]]:
        """The status spells as (instant, status) pairs."""
        s = self.spells
        return [(s[k], TICKET_STATUSES[s[k + 1]]) for k in range(0, len(s), 2)]

    def to_dict(self) -> dict[str, Any]:
        """The facts as JSON-compatible data (instants as µs since the epoch)."""
        return {
            "spells": [[u, status.value] for u, status in self.pairs()],
            "first": self.first,
            "waiting": self.waiting,
            "cycle": self.cycle,
        }

    @classmethod
    def from_dict(cls, data: object, last: int, path: str) -> _Facts:
        """Rebuild from :meth:`to_dict` data whose instants are at or before *last* (µs).

        Raises:
            ConfigError: Malformed data, with the path to it.
        """
        if not isinstance(data, Mapping) or set(data) != {"spells", "first", "waiting", "cycle"}:
            raise ConfigError(
                f"expected a mapping of 'spells', 'first', 'waiting' and 'cycle', got {show(data)}",
                path,
            )
        raw = data["spells"]
        where = join(path, "spells")
        if not isinstance(raw, list) or not raw:
            raise ConfigError(f"expected a non-empty list, got {show(raw)}", where)
        spells: list[int] = []
        prev: TicketStatus | None = None
        for j, item in enumerate(raw):
            status = ticket_status(item[1]) if isinstance(item, list) and len(item) == 2 else None
            u = item[0] if status is not None else None
            if (
                status is None
                or status in FINAL_STATUSES
                or status is prev
                or type(u) is not int
                or not (spells[-2] if spells else MIN_US) <= u <= last
                or (prev is None and status is _SOLVED)
            ):
                raise ConfigError(
                    "expected [instant in µs, status], in time order up to the snapshot's "
                    "instant, each status other than the one before, not final (the first "
                    f"not solved either), got {show(item)}",
                    f"{where}[{j}]",
                )
            spells += (u, _CODE[status])
            prev = status
        assert prev is not None
        self = cls.__new__(cls)
        self.spells = spells
        self.now = prev
        for key in ("first", "waiting", "cycle"):
            value = data[key]
            if value is not None and (type(value) is not int or not spells[0] <= value <= last):
                raise ConfigError(
                    "expected null or an instant in µs from the ticket's creation to the "
                    f"snapshot's instant, got {show(value)}",
                    join(path, key),
                )
        self.first = data["first"]
        self.waiting = data["waiting"]
        self.cycle = data["cycle"]
        return self


def _check_restored_instant(u: int, policy: SlaPolicy, path: str) -> None:
    """Refuse a snapshot's instant *u* that one of *policy*'s calendars' zones cannot date.

    Raises:
        ConfigError: Such an instant, with the *path* to it.
    """
    try:
        _check_datable(u, u, policy.calendars_used, path.rpartition(".")[2])
    except CalendarError as exc:
        raise ConfigError(str(exc), path) from None


def _kept_calendars(
    raw: object, clocks: list[SlaClock | None], last: int, path: str
) -> tuple[tuple[SlaClock, BusinessCalendar], ...]:
    """A snapshot's ``zones``: for each finished clock kept from another policy, a 24/7
    calendar in the zone it counted in (which still bounds the ticket's instants).

    Raises:
        ConfigError: Malformed data, a metric without a finished clock, or a zone that is
            unknown or cannot date the ticket's last instant, with the path to it.
    """
    if raw is None:
        return ()
    where = join(path, "zones")
    if not isinstance(raw, Mapping):
        raise ConfigError(f"expected a mapping, got {show(raw)}", where)
    out: list[tuple[SlaClock, BusinessCalendar]] = []
    for key, zone in raw.items():
        at = join(where, str(key))
        try:
            clock = clocks[METRICS.index(Metric.parse(key))]
        except ConfigError as exc:
            raise ConfigError(exc.detail, at) from None
        if clock is None or clock._state in LIVE_STATES:
            raise ConfigError(f"no finished clock of {show(key)}", at)
        if not isinstance(zone, str):
            raise ConfigError(f"expected a time zone name, got {show(zone)}", at)
        try:
            cal = BusinessCalendar.always_open(zone)
            if last > _DATABLE_US:
                _check_datable(last, last, (cal,), "last")
        except CsflowError as exc:
            raise ConfigError(str(exc), at) from None
        out.append((clock, cal))
    return tuple(out)


def _event_at(event: SlaEvent) -> int:
    # The instant, not the datetime: two datetimes in one zone compare by wall clock in
    # Python, so an event in the repeated hour of a fall-back would sort before an earlier one.
    return to_us(event.at)


def _cancel_untargeted(clock: SlaClock, t: int, acts: list[SlaEvent]) -> None:
    """Cancel the live *clock*, whose metric has no target any more, at *t*, and say so (an
    :class:`~csflow.events.SlaCancelled`: nothing else in the event stream would)."""
    clock._cancel_us(t, acts)
    spec = clock._spec
    zone = spec.calendar.zone
    acts.append(
        SlaCancelled(
            from_us(t, zone),
            clock._ticket_id,
            spec.metric,
            cycle_start=from_us(clock._cycle, zone),
        )
    )


class TicketSla:
    """A ticket's SLA: its four clocks, driven by the ticket's life.

    ``FIRST_RESPONSE`` and ``RESOLUTION`` start at creation (when the policy sets a target for
    the ticket's priority); ``NEXT_RESPONSE`` at a customer message that follows an agent
    reply; ``PERIODIC_UPDATE`` at the first agent reply, restarted by each later reply.  Status
    changes pause and resume clocks per the policy's ``pause_on``; ``solved`` stops
    ``RESOLUTION`` (and cancels the response clocks still running, which a solve neither meets
    nor breaches); a status change away from ``solved`` re-opens ``RESOLUTION`` from where it
    stopped and, once an agent has replied, starts a new ``PERIODIC_UPDATE`` cycle and a
    ``NEXT_RESPONSE`` cycle (the customer's message that re-opens the ticket awaits a reply);
    ``closed`` and ``abandoned`` cancel every live clock and are final.

    Every command takes ``at`` (aware, not earlier than the last one) and returns the events
    of all four clocks, in time order: those due before ``at``, then the command's own, then
    those due exactly at ``at``.  A command that raises has changed nothing.

    Args:
        ticket_id: The ticket.
        policy: The SLA policy the desk chose for the ticket.
        priority: The ticket's priority (a :class:`~csflow.model.Priority` or its name).
        created_at: When the ticket was created.
        status: The initial status, a :class:`~csflow.model.TicketStatus` or its value, from
            :data:`~csflow.sla.policy.PAUSABLE_STATUSES` (not solved or final).

    Raises:
        ConfigError: A bad ticket id, policy, priority or status.
        CalendarError: *created_at* is naive, or a zone the policy counts in cannot date it.
    """

    __slots__ = (
        "_clocks",
        "_facts",
        "_kept",
        "_last",
        "_policy",
        "_priority",
        "_replied",
        "_status",
        "_ticket_id",
    )

    def __init__(
        self,
        ticket_id: str,
        policy: SlaPolicy,
        priority: Priority | str | int,
        created_at: datetime,
        *,
        status: TicketStatus | str = TicketStatus.NEW,
    ) -> None:
        check_ticket_id(ticket_id)
        if not isinstance(policy, SlaPolicy):
            raise ConfigError(f"policy must be an SlaPolicy, got {show(policy)}")
        prio = Priority.parse(priority)
        initial = ticket_status(status)
        if initial is None or initial not in PAUSABLE_STATUSES:
            raise ConfigError(
                f"initial status must be one of {sorted(status_names(PAUSABLE_STATUSES))}, "
                f"got {show(status)}"
            )
        self._setup(ticket_id, policy, prio, initial, created_at)

    def _setup(
        self,
        ticket_id: str,
        policy: SlaPolicy,
        prio: Priority,
        initial: TicketStatus,
        created_at: datetime,
    ) -> None:
        t = instant_us(created_at, "at")
        if not _DATABLE_FROM_US <= t <= _DATABLE_US:
            _check_datable(t, created_at, policy.calendars_used)
        self._ticket_id = ticket_id
        self._policy = policy
        self._priority = prio
        self._status = initial
        self._replied = False
        self._last = t
        self._facts: _Facts | None = _Facts(t, initial)
        self._kept: tuple[tuple[SlaClock, BusinessCalendar], ...] = ()
        paused = policy._paused_by.get(initial, _RUNS)
        specs = policy._specs
        clocks: list[SlaClock | None] = [None, None, None, None]
        for i in (0, 3):  # FIRST_RESPONSE and RESOLUTION start with the ticket
            spec = specs.get((METRICS[i], prio))
            if spec is not None:
                clocks[i] = SlaClock._start_us(ticket_id, spec, t, paused[i])
        self._clocks = clocks

    @classmethod
    def for_ticket(
        cls, ticket: Any, policy: SlaPolicy, *, status: TicketStatus | str = TicketStatus.NEW
    ) -> TicketSla:
        """Start the SLA of a :class:`~csflow.model.Ticket` (its id, priority and creation).

        Raises:
            ConfigError: A bad policy or status, or a *ticket* whose fields are not a ticket's.
        """
        if (
            type(ticket) is Ticket
            and type(status) is TicketStatus
            and status in PAUSABLE_STATUSES
            and isinstance(policy, SlaPolicy)
        ):
            # A Ticket checked its id, priority and creation instant when it was built.
            self = cls.__new__(cls)
            self._setup(ticket.id, policy, ticket.priority, status, ticket.created_at)
            return self
        return cls(ticket.id, policy, ticket.priority, ticket.created_at, status=status)

    @classmethod
    def _from_facts(
        cls,
        ticket: Ticket,
        policy: SlaPolicy,
        status: TicketStatus,
        facts: _Facts,
        t: int,
        mode: RecalcMode,
    ) -> tuple[TicketSla, list[SlaEvent]]:
        """The SLA of a ticket that had none, put under *policy* at *t*: each metric the
        policy sets a target for gains it (see :meth:`recalculate`), over the *facts* the desk
        kept of the ticket's past; with the events that causes."""
        self = cls.__new__(cls)
        self._ticket_id = ticket.id
        self._policy = policy
        self._priority = ticket.priority
        self._status = status
        self._replied = facts.first is not None
        self._last = t
        self._facts = facts
        self._kept = ()
        self._clocks = [None, None, None, None]
        acts: list[SlaEvent] = []
        if status is not _SOLVED:
            for i, metric in enumerate(METRICS):
                spec = policy._specs.get((metric, ticket.priority))
                if spec is not None:
                    self._gain(i, spec, t, mode, acts)
            self._apply_pauses(t, acts)
        return self, self._finish([], acts, t)

    # -- internals ---------------------------------------------------------------------------

    def _check_time(self, at: object) -> int:
        t = instant_us(at, "at")
        last = self._last
        for c in self._clocks:
            if c is not None and c._last > last:
                last = c._last
        if t < last:
            zone = self._policy.calendar.zone
            raise InvalidTransitionError(
                f"'at' must not be earlier than the ticket's last instant "
                f"{from_us(last, zone).isoformat()}, got {show(at)}"
            )
        # (Not before the zones' first dates: the ticket's creation, before *t*, was checked.)
        if t > _DATABLE_US:
            _check_datable(t, at, self._calendars())
        return t

    def _check_moved(self, t: int, at: object) -> None:
        """Refuse a status change at *t* (given as *at*) earlier than the last one kept in the
        status spells: a move :meth:`note_status` recorded at an instant the clocks have not
        reached yet is still the ticket's past, and the spells stay in time order (a snapshot
        holds them, and a target gained later replays them).

        Raises:
            InvalidTransitionError: Such an instant.
        """
        facts = self._facts
        if facts is not None and t < facts.spells[-2]:
            zone = self._policy.calendar.zone
            raise InvalidTransitionError(
                "'at' must not be earlier than the ticket's last status change "
                f"{from_us(facts.spells[-2], zone).isoformat()}, got {show(at)}"
            )

    def _calendars(self) -> list[BusinessCalendar]:
        """The calendars the ticket's instants are read on: the policy's, and those of clocks
        kept from an earlier policy (for a finished clock restored from a snapshot, a 24/7
        calendar in its zone: only the zone's range matters once a clock is finished)."""
        out = list(self._policy.calendars_used)
        for c in self._clocks:
            if c is not None and c._spec.calendar not in out:
                out.append(c._spec.calendar)
        for kept, cal in self._kept:
            if any(c is kept for c in self._clocks) and cal not in out:
                out.append(cal)
        return out

    def _kept_zones(self) -> dict[str, str]:
        """Metric -> zone of each finished clock that counted in another zone than the
        calendar the policy gives its metric (a snapshot's ``zones``: a restore rebuilds
        clocks on those calendars).  By zone, not by calendar: a restored clock kept from
        another policy knows its zone alone, and must write what the original writes."""
        policy = self._policy
        out: dict[str, str] = {}
        for m, c in zip(METRICS, self._clocks, strict=True):
            if c is None or c._state in LIVE_STATES:
                continue
            zone = c._spec.calendar.timezone
            for kept, cal in self._kept:
                if kept is c:
                    zone = cal.timezone
                    break
            if zone != policy.calendar_for(m).timezone:
                out[m.value] = zone
        return out

    def _first_us(self) -> int:
        """The ticket's earliest instant: its creation (the earliest start of its clocks, for
        a ticket restored from a snapshot that kept no facts)."""
        if self._facts is not None:
            return self._facts.spells[0]
        return min((c._cycle for c in self._clocks if c is not None), default=self._last)

    def _check_open(self) -> None:
        if self._status in FINAL_STATUSES:
            raise InvalidTransitionError(
                f"ticket {show(self._ticket_id)} is {self._status.value}: its SLA can no longer change"
            )

    def _poll_before(self, t: int) -> list[SlaEvent]:
        """The events due strictly before *t* (a command's first step): most commands find
        none, and learn it from the clocks' bounds alone."""
        for c in self._clocks:
            if c is not None:
                nxt = c._next
                if nxt is not None and nxt < t:
                    return self._poll_all(t - 1)
        return []

    def _poll_all(self, limit: int) -> list[SlaEvent]:
        out: list[SlaEvent] = []
        sources = 0
        for c in self._clocks:
            if c is not None and c._next is not None and c._next <= limit:
                c._poll_us(limit, out)
                sources += 1
        if sources > 1:
            out.sort(key=_event_at)  # stable: ties keep metric order
        return out

    def _start(self, i: int, t: int) -> None:
        spec = self._policy._specs.get((METRICS[i], self._priority))
        if spec is None:
            # No target: no cycle starts, and the metric keeps the record it has (a clock
            # cancelled when the target went away, or its last cycle's).
            return
        paused = self._policy._paused_by.get(self._status)
        clock = SlaClock._start_us(self._ticket_id, spec, t, paused is not None and paused[i])
        self._clocks[i] = clock

    def _apply_pauses(self, t: int, out: list[SlaEvent]) -> None:
        paused = self._policy._paused_by.get(self._status)
        for i, c in enumerate(self._clocks):
            if c is None:
                continue
            should = paused is not None and paused[i]
            if should and c._state in COUNTING_STATES:
                c._pause_us(t, out)
            elif not should and c._state in PAUSED_STATES:
                c._resume_us(t, out)

    def _finish(self, pre: list[SlaEvent], acts: list[SlaEvent], t: int) -> list[SlaEvent]:
        self._last = t
        due = False
        for c in self._clocks:
            if c is not None:
                c._last = t
                nxt = c._next
                if nxt is not None and nxt <= t:
                    due = True
        # Everything in `acts` happened at `t` (all clocks were polled up to t - 1 first).
        if due:
            post = self._poll_all(t)
            return pre + acts + post if (acts or post) else pre
        return pre + acts if pre else acts

    # -- commands ----------------------------------------------------------------------------

    def agent_reply(self, at: datetime) -> list[SlaEvent]:
        """An agent replied publicly.

        Meets ``FIRST_RESPONSE`` and the running ``NEXT_RESPONSE`` cycle; meets the running
        ``PERIODIC_UPDATE`` cycle and starts the next one (unless the ticket is solved).

        Raises:
            InvalidTransitionError: The ticket is closed, or *at* goes backwards.
            CalendarError: *at* is naive, or an SLA calendar's zone cannot date it.
        """
        t = self._check_time(at)
        self._check_open()
        pre = self._poll_before(t)
        acts: list[SlaEvent] = []
        clocks = self._clocks
        for i in (0, 1):
            c = clocks[i]
            if c is not None and c._state in LIVE_STATES:
                c._stop_us(t, acts)
        if self._status is not _SOLVED:
            pu = clocks[2]
            if pu is not None and pu._state in LIVE_STATES:
                pu._stop_us(t, acts)
            self._start(2, t)
        self._replied = True
        if self._facts is not None:
            self._facts.reply(t, self._status is _SOLVED)
        return self._finish(pre, acts, t)

    def customer_message(self, at: datetime) -> list[SlaEvent]:
        """The customer wrote.

        Starts a ``NEXT_RESPONSE`` cycle when an agent has replied before and no cycle is
        running.  A message on a solved ticket starts nothing: if the message re-opens it,
        re-open the ticket (:meth:`set_status`), which starts the cycle itself, as this
        message would (calling this at the same instant afterwards changes nothing).

        Raises:
            InvalidTransitionError: The ticket is closed, or *at* goes backwards.
            CalendarError: *at* is naive, or an SLA calendar's zone cannot date it.
        """
        t = self._check_time(at)
        self._check_open()
        pre = self._poll_before(t)
        acts: list[SlaEvent] = []
        nr = self._clocks[1]
        if (
            self._replied
            and self._status is not _SOLVED
            and (nr is None or nr._state not in LIVE_STATES)
        ):
            self._start(1, t)
        if self._facts is not None:
            self._facts.message(t, self._status is _SOLVED)
        return self._finish(pre, acts, t)

    def set_status(self, status: TicketStatus | str, at: datetime) -> list[SlaEvent]:
        """The ticket's status changed.

        Args:
            status: A :class:`~csflow.model.TicketStatus` or its value (``"pending"``).
            at: When.

        A move away from ``solved`` re-opens the ticket: ``RESOLUTION`` resumes from where it
        stopped and, once an agent has replied, a ``PERIODIC_UPDATE`` and a ``NEXT_RESPONSE``
        cycle start (a re-opening is the customer's message that re-opens the ticket; see
        :meth:`customer_message`).

        Returns:
            Events due before *at*, the :class:`~csflow.events.SlaMet` of ``RESOLUTION`` when solved, then
            events due at *at*.

        Raises:
            ConfigError: *status* is unknown.
            InvalidTransitionError: The ticket is closed or abandoned, or *at* goes backwards
                (before the last command, or before a status change :meth:`note_status`
                recorded).
            CalendarError: *at* is naive, or an SLA calendar's zone cannot date it.
        """
        new = ticket_status(status)
        if new is None:
            raise ConfigError(
                f"status must be one of {status_names(TICKET_STATUSES)}, got {show(status)}"
            )
        t = self._check_time(at)
        self._check_moved(t, at)
        self._check_open()
        pre = self._poll_before(t)
        acts: list[SlaEvent] = []
        old = self._status
        clocks = self._clocks
        self._status = new
        if self._facts is not None:
            self._facts.status(t, new)
        if new is old:
            pass
        elif new is _SOLVED:
            res = clocks[3]
            if res is not None and res._state in LIVE_STATES:
                res._stop_us(t, acts)
            for c in clocks[:3]:
                if c is not None and c._state in LIVE_STATES:
                    c._cancel_us(t, acts)
        elif new in FINAL_STATUSES:
            for c in clocks:
                if c is not None and c._state in LIVE_STATES:
                    c._cancel_us(t, acts)
        else:
            if old is _SOLVED:
                self._reopen(t, acts)
            self._apply_pauses(t, acts)
        return self._finish(pre, acts, t)

    def note_status(self, status: TicketStatus | str, at: datetime | None = None) -> bool:
        """Record a status the clocks need not hear of, if it is one: a move between two
        statuses that are neither solved nor final, neither named by the policy's
        ``pause_on`` (``queued`` to ``assigned``, under most policies).  Nothing pauses,
        resumes or stops, so nothing is polled; the status is kept, so that a later change of
        policy applies its own ``pause_on`` to the status the ticket is really in.

        With *at* (when the move happened) the move is also kept in the ticket's status
        spells, so that a metric that gains a target later leaves out the time spent in a
        status the new policy pauses it on (see :meth:`recalculate`); without it the spells
        miss the move, and that time counts as the status before it.

        Returns:
            Whether the move was recorded; ``False`` (nothing changed) for a move the clocks
            must hear of, which goes through :meth:`set_status`.

        Raises:
            ConfigError: *status* is unknown.
            InvalidTransitionError: The ticket is closed or abandoned, or *at* is earlier than
                its last status change.
            CalendarError: *at* is naive (whether or not the move is recorded), or an SLA
                calendar's zone cannot date it.
        """
        # Called by the desk on every status move: the plain case is one expression.
        new = status if type(status) is TicketStatus else ticket_status(status)
        old = self._status
        pause_on = self._policy.pause_on
        if (
            new is not None
            and old not in _LOUD
            and new not in _LOUD
            and old not in pause_on
            and new not in pause_on
        ):
            if at is not None:
                # Not the clocks' last instant: a host may note a move before it polls the
                # clocks up to it (the desk's timers fire each due instant in turn).
                t = instant_us(at, "at")
                self._check_moved(t, at)
                if t > _DATABLE_US:
                    _check_datable(t, at, self._calendars())
                if self._facts is not None:
                    self._facts.status(t, new)
            self._status = new
            return True
        if new is None:
            raise ConfigError(
                f"status must be one of {status_names(TICKET_STATUSES)}, got {show(status)}"
            )
        if at is not None:
            instant_us(at, "at")  # a naive instant is refused here too, though nothing is noted
        self._check_open()
        return False

    def _reopen(self, t: int, acts: list[SlaEvent]) -> None:
        clocks = self._clocks
        res = clocks[3]
        spec = self._policy._specs.get((_RES, self._priority))
        if res is not None and res._state in (ClockState.MET, ClockState.MET_LATE):
            # Not polled here: a status that pauses the clock applies first (so a ticket
            # reopened straight to pending fires nothing at the reopening); _finish polls.
            res._reopen_us(t, acts, poll=False)
            # The priority or policy may have changed while the ticket was solved.
            if spec is None:
                _cancel_untargeted(res, t, acts)
            elif spec != res._spec:
                res._recalc_us(spec, t, RecalcMode.KEEP_ELAPSED, acts)
        elif spec is not None and (res is None or res._state is ClockState.CANCELLED):
            # Never started, or cancelled when the metric lost its target: start afresh (in
            # the ticket's one resolution cycle, which its events name by the creation).
            first = self._first_us()
            self._start(3, t)
            if self._clocks[3] is not None:
                self._clocks[3]._cycle = first
        if self._replied:
            self._start(2, t)
            # The customer's message that re-opens the ticket awaits an agent's reply, as any
            # message after a reply does (Zendesk and Freshdesk count the next reply from it):
            # a next-response cycle starts here, exactly as customer_message would start it,
            # so a customer_message at the same instant adds nothing.  (A solve cancelled the
            # cycle in progress, if any.)
            nr = clocks[1]
            if nr is None or nr._state not in LIVE_STATES:
                self._start(1, t)
            if self._facts is not None:
                self._facts.message(t, False)

    def recalculate(
        self,
        at: datetime,
        *,
        policy: SlaPolicy | None = None,
        priority: Priority | str | int | None = None,
        mode: RecalcMode | str = RecalcMode.KEEP_ELAPSED,
    ) -> list[SlaEvent]:
        """Apply a new policy and/or priority from *at*.

        Each live clock whose target changes is recalculated per *mode*
        (:class:`~csflow.sla.policy.RecalcMode`); a live clock whose metric has no target any
        more is cancelled (an :class:`~csflow.events.SlaCancelled` says so);
        clocks whose target is unchanged, and finished clocks, are left alone.  The new
        policy's ``pause_on`` then applies to the current status.  (A solved ticket's
        resolution clock is finished: if the ticket reopens, it continues under the target
        then in force with the time it had used, whatever *mode* said -- see
        docs/explanation/sla-semantics.md.)

        A metric without a live clock that *gains* a target (and whose cycle is under way)
        gets a clock that counts from the metric's natural start under ``KEEP_ELAPSED`` and
        ``RETROACTIVE``, and from *at* under ``RESTART``.  The natural start is the ticket's
        creation for ``FIRST_RESPONSE`` and ``RESOLUTION``, the oldest customer message
        unanswered since the last agent reply for ``NEXT_RESPONSE``, and the last agent reply
        (or the re-opening after one) for ``PERIODIC_UPDATE``.  The clock is the one the new
        target would have had from there: replayed over the ticket's status spells, so that
        the time spent in statuses the new policy pauses the metric on does not count, and a
        solve stops (resolution) or ends (the others) it.  A breach the replay reaches is
        reported at *at*, with ``due_at`` where it fell (``RETROACTIVE``) or *at*
        (``KEEP_ELAPSED``: the target was first missed when it was set), and thresholds
        already used are passed over, as for a recalculated clock.  A first response already
        given is never started again: under ``KEEP_ELAPSED`` and ``RETROACTIVE`` its clock is
        recorded finished, met or met late at the first reply, without an event; nor is one a
        solve ended (in any mode: the ticket has one first-response cycle, and a solve before
        the first reply ends it).  A clock counted from the change (``RESTART``) carries the
        cycle's natural start as its events' ``cycle_start`` (the ticket's creation for the
        first response and the resolution, facts kept or not).  Nothing gains a target while
        the ticket is solved.  A ticket restored from a snapshot older
        than these facts starts a gained ``FIRST_RESPONSE`` (before the first reply),
        ``PERIODIC_UPDATE`` (after it) and ``RESOLUTION`` at *at* in every mode, and a
        gained ``NEXT_RESPONSE`` not at all.

        Raises:
            ConfigError: A bad policy, priority or mode.
            InvalidTransitionError: The ticket is closed, or *at* goes backwards.
            CalendarError: *at* is naive, or an SLA calendar's zone cannot date it.
        """
        new_policy = self._policy if policy is None else policy
        if not isinstance(new_policy, SlaPolicy):
            raise ConfigError(f"policy must be an SlaPolicy, got {show(policy)}")
        prio = self._priority if priority is None else Priority.parse(priority)
        mode = RecalcMode.parse(mode)
        t = self._check_time(at)
        if new_policy is not self._policy:
            first = self._first_us()
            if t > _DATABLE_US or first < _DATABLE_FROM_US:
                # The ticket's instants, from its creation to *t*, are read on the new policy's
                # calendars too.
                _check_datable(first, utc(first), new_policy.calendars_used, "created_at")
                _check_datable(t, at, new_policy.calendars_used)
        self._check_open()
        pre = self._poll_before(t)
        acts: list[SlaEvent] = []
        old_specs = self._policy._specs
        old_prio = self._priority
        self._policy = new_policy
        self._priority = prio
        specs = new_policy._specs
        clocks = self._clocks
        solved = self._status is _SOLVED
        for i, metric in enumerate(METRICS):
            c = clocks[i]
            spec = specs.get((metric, prio))
            if c is None or c._state not in LIVE_STATES:
                # A metric without a clock, or whose clock is a record kept from before it
                # lost its target (cancelled then, or finished earlier: the old policy and
                # priority give it none), starts afresh when it gains one, if a cycle is
                # under way (see _gain).  A cancelled clock is such a record whatever the old
                # targets say: restored under a changed config, the "old" policy is already
                # the new one.  (One a solve cancelled has no cycle under way to gain.)
                fresh = (
                    c is None
                    or c._state is ClockState.CANCELLED
                    or (metric, old_prio) not in old_specs
                )
                if fresh and spec is not None and not solved:
                    self._gain(i, spec, t, mode, acts)
                continue
            if spec is None:
                # The metric lost its target: the clock is cancelled and keeps its record
                # (``clock(metric)``, ``clocks``, ``to_dict``), like any finished clock.
                _cancel_untargeted(c, t, acts)
            elif spec != c._spec or c._stale:
                # (Stale: restored under a changed calendar, its instants are the old one's.)
                c._recalc_us(spec, t, mode, acts)
        if not solved:
            self._apply_pauses(t, acts)
        return self._finish(pre, acts, t)

    def _gain(
        self, i: int, spec: SlaTarget, t: int, mode: RecalcMode, acts: list[SlaEvent]
    ) -> None:
        """Metric *i*, without a live clock, gains the target *spec* at *t* (see
        :meth:`recalculate`); the policy and priority in force are already the new ones."""
        facts = self._facts
        if facts is None or mode is RecalcMode.RESTART:
            # From the change.  (Without the facts -- a ticket restored from an older
            # snapshot -- in every mode: where a next-response cycle started is unknown.)
            if i == 0:
                # A solve ended the ticket's one first-response cycle, as the replay says in
                # the other modes: a clock regained after the re-opening would count it twice.
                gains = not self._replied and (facts is None or not facts.solved_once())
            elif i == 1:
                gains = facts is not None and facts.waiting is not None
            else:
                gains = i == 3 or self._replied
            if gains:
                # The ticket's creation names its one first-response and resolution cycle,
                # facts or not (without them, the earliest start its clocks kept).
                start = self._first_us() if i in (0, 3) else self._natural_start(i)
                self._start(i, t)
                clock = self._clocks[i]
                if clock is not None and start is not None and start <= t:
                    clock._cycle = start  # counted from the change, in the cycle under way
            return
        start = self._natural_start(i)
        if start is None or (i == 0 and self._replied and facts.first is None):
            return  # no cycle under way (or a first reply whose instant is unknown)
        clock = self._replay(i, spec, start, t)
        if clock is None:
            return  # a solve ended the cycle: nothing to count (and no record to keep)
        if clock._state in LIVE_STATES:
            clock._gained_us(t, mode, acts)
        self._clocks[i] = clock

    def _natural_start(self, i: int) -> int | None:
        """Where metric *i*'s cycle under way naturally started (see :meth:`recalculate`),
        or ``None`` (no cycle under way, or no facts kept)."""
        facts = self._facts
        if facts is None:
            return None
        if i == 0 or i == 3:
            return facts.spells[0]
        return facts.waiting if i == 1 else facts.cycle

    def _replay(self, i: int, spec: SlaTarget, start: int, t: int) -> SlaClock | None:
        """The clock metric *i* would have under *spec* had it had that target from *start*:
        a fresh clock driven silently through the ticket's status spells up to *t* (and for
        ``FIRST_RESPONSE``, stopped at the first reply); ``None`` if a solve cancelled it."""
        facts = self._facts
        assert facts is not None
        paused_by = self._policy._paused_by
        spells = facts.pairs()
        j = 0
        if i == 1 or i == 2:
            # The status the cycle started in: after the moves at its start instant (a move
            # at the instant of the message or reply leaves nothing counted before it).  A
            # solve clears the cycle, so it is not solved.  (Creation's cycles replay every
            # move, those at the creation instant too: a solve there ends them.)
            while j + 1 < len(spells) and spells[j + 1][0] <= start:
                j += 1
        status = spells[j][1]
        sink: list[SlaEvent] = []
        clock = SlaClock._start_us(self._ticket_id, spec, start, paused_by.get(status, _RUNS)[i])
        stop = facts.first if i == 0 and self._replied else None
        for u, new in spells[j + 1 :]:
            if (stop is not None and stop <= u) or u > t:
                break
            if new is _SOLVED:
                if i != 3:
                    return None  # a solve cancels the response and update clocks
                clock._stop_us(u, sink)
            else:  # (the spells keep no final status)
                if status is _SOLVED:
                    clock._reopen_us(u, sink, poll=False)
                should = paused_by.get(new, _RUNS)[i]
                state = clock._state
                if should and state in COUNTING_STATES:
                    clock._pause_us(u, sink)
                elif not should and state in PAUSED_STATES:
                    clock._resume_us(u, sink)
            status = new
        if stop is not None:
            clock._stop_us(stop, sink)
        elif clock._state in LIVE_STATES:
            clock._advance_us(t, sink)
        return clock

    def change_priority(
        self,
        priority: Priority | str | int,
        at: datetime,
        mode: RecalcMode | str = RecalcMode.KEEP_ELAPSED,
    ) -> list[SlaEvent]:
        """The ticket's priority changed: :meth:`recalculate` with the new priority.

        Raises:
            ConfigError: *priority* names no priority (``None`` included).
        """
        if priority is None:
            raise ConfigError("priority must be a Priority, its name or its number, got None")
        return self.recalculate(at, priority=priority, mode=mode)

    def change_policy(
        self, policy: SlaPolicy, at: datetime, mode: RecalcMode | str = RecalcMode.KEEP_ELAPSED
    ) -> list[SlaEvent]:
        """The desk chose another SLA policy: :meth:`recalculate` with the new policy.

        Raises:
            ConfigError: *policy* is not an :class:`~csflow.sla.policy.SlaPolicy` (``None`` included).
        """
        if not isinstance(policy, SlaPolicy):
            raise ConfigError(f"policy must be an SlaPolicy, got {show(policy)}")
        return self.recalculate(at, policy=policy, mode=mode)

    def advance(self, at: datetime) -> list[SlaEvent]:
        """The events of all clocks due up to and including *at*, in time order.

        Raises:
            InvalidTransitionError: *at* goes backwards.
            CalendarError: *at* is naive, or an SLA calendar's zone cannot date it.
        """
        t = self._check_time(at)
        out = self._poll_all(t)
        self._last = t
        for c in self._clocks:
            if c is not None:
                c._last = t
        return out

    poll = advance

    # -- views -------------------------------------------------------------------------------

    @property
    def ticket_id(self) -> str:
        """The ticket."""
        return self._ticket_id

    @property
    def policy(self) -> SlaPolicy:
        """The SLA policy in force."""
        return self._policy

    @property
    def priority(self) -> Priority:
        """The priority in force."""
        return self._priority

    @property
    def status(self) -> TicketStatus:
        """The last status set (a :class:`~csflow.model.TicketStatus`, equal to its value)."""
        return self._status

    @property
    def replied(self) -> bool:
        """Whether an agent has replied at least once."""
        return self._replied

    def clock(self, metric: Metric | str) -> SlaClock | None:
        """The current clock of *metric* (the latest cycle), or ``None`` if none ever started.

        The clock is live state: read it, but drive it through the ticket's commands.
        """
        return self._clocks[METRICS.index(Metric.parse(metric))]

    @property
    def clocks(self) -> MetricMap[SlaClock]:
        """Metric -> current clock, for the metrics whose clock has started (finished and
        cancelled clocks included); a metric's name reads the same entry
        (:class:`~csflow.model.MetricMap`).  A new map on each read: changing it changes
        nothing here."""
        return MetricMap((m, c) for m, c in zip(METRICS, self._clocks, strict=True) if c)

    def next_deadline_us(self) -> int | None:
        """:meth:`next_deadline` as integer µs since the epoch."""
        best: int | None = None
        for c in self._clocks:
            if c is not None and c._next is not None:
                n = c._next_event_us()
                if n is not None and (best is None or n < best):
                    best = n
        if best is not None and best > _DATABLE_US and best > self._last_datable_us():
            # Due where a clock's own zone dates it, but another of the ticket's cannot (a
            # resolution counted in UTC on a Jakarta policy): no command reaches it.
            return None
        return best

    def _last_datable_us(self) -> int:
        """The last instant every zone of the ticket's calendars dates."""
        return min(calendar_bounds_us(c)[1] for c in self._calendars())

    def next_deadline_bound_us(self) -> int | None:
        """A lower bound of :meth:`next_deadline_us`, found without asking the calendar.

        No clock has an event before it, and ``None`` means none will have one.  A clock works
        out its next event's instant only when someone needs it; until then it knows an
        instant before which nothing can come (business time runs no faster than real time).
        A host that keeps many tickets' timers (the desk does) arms each at this bound and
        asks :meth:`next_deadline_us` only when the bound comes near, so a ticket answered in
        time never costs a calendar search.
        """
        best: int | None = None
        for c in self._clocks:
            if c is not None:
                n = c._next
                if n is not None and (best is None or n < best):
                    best = n
        return best

    def next_deadline(self) -> datetime | None:
        """The earliest instant at which any clock will emit an event; ``None`` if none will
        (an event past the last instant the zones of the ticket's calendars date, which no
        command can reach, included).

        A host sets its timer for it and then calls :meth:`advance`.
        """
        best = self.next_deadline_us()
        return None if best is None else from_us(best, self._policy.calendar.zone)

    def __repr__(self) -> str:
        states = ", ".join(
            f"{m.value}={c._state.value}" for m, c in zip(METRICS, self._clocks, strict=True) if c
        )
        return (
            f"<TicketSla {self._ticket_id!r} {self._policy.name!r} {self._priority} "
            f"{self._status.value}: {states}>"
        )

    # -- snapshot ----------------------------------------------------------------------------

    def to_dict(self, *, at_us: int | None = None) -> dict[str, Any]:
        """The ticket's SLA state as JSON-compatible data (the policy by name).

        :meth:`from_dict` with the same policies gives an object with identical future events.
        *at_us* is the instant of a snapshot (see :meth:`SlaClock.to_dict`).
        """
        return {
            "ticket_id": self._ticket_id,
            "policy": self._policy.name,
            "priority": str(self._priority),
            "status": self._status.value,
            "replied": self._replied,
            "last": self._last,
            **({} if self._facts is None else {"facts": self._facts.to_dict()}),
            "clocks": {
                m.value: c.to_dict(at_us=at_us)
                for m, c in zip(METRICS, self._clocks, strict=True)
                if c
            },
            # Absent in most snapshots: only finished clocks kept from another policy's zone.
            **({"zones": zones} if (zones := self._kept_zones()) else {}),
        }

    @classmethod
    def from_dict(
        cls,
        data: object,
        policies: Mapping[str, SlaPolicy],
        path: str = "ticket_sla",
        *,
        specs: dict[tuple[Any, ...], SlaTarget] | None = None,
    ) -> TicketSla:
        """Rebuild from :meth:`to_dict` data; the policy is looked up by name in *policies*.

        *specs*: a cache of the clocks' targets shared across many calls (see
        :meth:`SlaClock.from_dict <csflow.sla.SlaClock.from_dict>`).

        Clocks are rebuilt on the calendar each metric counts on
        (:meth:`SlaPolicy.calendar_for`).  (A finished clock's calendar no longer matters: only
        live clocks count time.  Its zone still bounds the ticket's instants: a finished clock
        kept from a policy that counted it in another zone is written with that zone, under
        ``zones``, and keeps the bound.)

        Raises:
            ConfigError: Malformed data or an unknown policy, with the path to it; among
                others an instant a zone the policy counts in cannot date, and a ``zones``
                entry naming no finished clock or a zone that is unknown or cannot date
                ``last``.
        """
        if not isinstance(data, Mapping):
            raise ConfigError(f"expected a mapping, got {show(data)}", path)
        try:
            policy = resolve_policy(data.get("policy"), policies)
        except ConfigError as exc:
            raise ConfigError(exc.detail, join(path, "policy")) from None
        try:
            priority = Priority.parse(data.get("priority"))  # type: ignore[arg-type]
        except ConfigError as exc:
            raise ConfigError(exc.detail, join(path, "priority")) from None
        raw_status = data.get("status")
        status = ticket_status(raw_status)
        if status is None:
            raise ConfigError(f"unknown status {show(raw_status)}", join(path, "status"))
        last = _req_instant(data, "last", path)  # the clocks' instants' range: see SlaClock
        if not _DATABLE_FROM_US <= last <= _DATABLE_US:
            _check_restored_instant(last, policy, join(path, "last"))
        replied = data.get("replied", False)
        if replied is not True and replied is not False:
            raise ConfigError(f"expected true or false, got {show(replied)}", join(path, "replied"))
        clocks_raw = data.get("clocks", {})
        if not isinstance(clocks_raw, Mapping):
            raise ConfigError(f"expected a mapping, got {show(clocks_raw)}", join(path, "clocks"))
        clocks: list[SlaClock | None] = [None, None, None, None]
        for key, raw in clocks_raw.items():
            where = join(join(path, "clocks"), str(key))
            try:
                i = METRICS.index(Metric.parse(key))
            except ConfigError as exc:
                raise ConfigError(exc.detail, where) from None
            clocks[i] = SlaClock.from_dict(raw, policy.calendar_for(METRICS[i]), where, specs=specs)
        ticket_id = check_ticket_id(data.get("ticket_id"))
        for key, c in zip(METRICS, clocks, strict=True):
            if c is not None and c._ticket_id != ticket_id:
                raise ConfigError(
                    f"a clock of ticket {show(c._ticket_id)} in ticket {show(ticket_id)}",
                    join(join(join(path, "clocks"), key.value), "ticket_id"),
                )
        # Older snapshots have no facts: a metric that gains a target then starts at the change.
        raw_facts = data.get("facts")
        # (A move noted without polling the clocks may be after their last instant: a host
        # that knows the snapshot's instant checks the facts against it.)
        facts = (
            None if raw_facts is None else _Facts.from_dict(raw_facts, MAX_US, join(path, "facts"))
        )
        if facts is not None and facts.spells[0] < _DATABLE_FROM_US:
            where = join(join(path, "facts"), "spells") + "[0]"
            _check_restored_instant(facts.spells[0], policy, where)
        self = cls.__new__(cls)
        self._ticket_id = ticket_id
        self._policy = policy
        self._priority = priority
        self._status = status
        self._replied = replied
        self._last = last
        self._facts = facts
        self._clocks = clocks
        self._kept = _kept_calendars(data.get("zones"), clocks, last, path)
        return self
