"""One SLA clock: one ticket's promise for one metric, kept in business time.

Theory of operation
-------------------
An :class:`SlaClock` keeps one :class:`~csflow.sla.policy.SlaTarget` (an amount of business
time on one :class:`~csflow.calendar.BusinessCalendar`) for one ticket; a
:class:`~csflow.sla.ticket.TicketSla` owns a ticket's four clocks and turns the ticket's life
into clock commands.

A clock is two integers and a state.  ``used`` is the business time (µs) counted before the
instant ``mark``; while the clock runs, its elapsed business time at ``t`` is
``used + calendar.elapsed_us(mark, t)``.  Pausing folds the running stretch into ``used`` and
moves ``mark`` to the pause instant (which is then the pause's start); resuming records the
pause in a small history and moves ``mark`` to the resume instant.  So every command is O(1)
plus one calendar call, and paused time cannot count: it never lies between ``mark`` and a
running instant.

Events are lazy.  A running clock knows the one instant at which it next has something to say
(``next_event_us``): the next warning threshold, or the breach.  That instant is
``calendar.add_us(mark, amount - used)``, a business-time instant, so a warning on a weekday
desk never fires on a Sunday night.  Nothing happens until a caller passes an ``at`` at or
after it: then the event is returned with its *true* instant (when it became due), not the
caller's.  The instant itself is worked out only when it is needed: until then the clock
keeps ``mark + (amount - used)``, a lower bound of it (business time runs no faster than
real time), which answers "is anything due by t?" without a calendar search.  Each command
first returns the events due strictly before its ``at``; the command itself then applies;
then the events due exactly at ``at`` (if the clock still runs).  Hence:

* a reply at or before the due instant meets the target; a reply after it is late;
* a clock paused exactly at a threshold does not emit it then, but when it resumes
  (at the first open instant from the resume);
* a paused clock emits nothing, and its deadline moves (``due_at`` is ``None`` while paused);
* calls at one instant count in the order they are made: :meth:`SlaClock.advance` at ``t``
  returns the events due at ``t``, so a command made after it at the same ``t`` comes after
  them (a host that polls at a due instant and then records a reply at that instant gets the
  breach first).  Polls at other instants never change which events come, or their instants.

Warning thresholds are one sorted list of business-time amounts per target
(``SlaTarget.warn_us``): its fractions of the target and, for each ``warn_before`` lead
shorter than the target, ``target - lead`` (a lead on a fraction's µs counts once, reporting
the fraction).  So a lead is just another threshold: it fires in time order with the
fractions, pauses move it exactly as they move them, and every rule here about thresholds
(passed over at a change, none sent for a target the calendar never reaches) holds for it.

Breach and "met late": a clock whose elapsed business time reaches its target while it runs is
*breached* (:class:`~csflow.events.SlaBreached`); it keeps measuring how late it is
(``late_by``).  When the response or resolution finally comes, the clock becomes ``MET_LATE``
(a distinct final state: the target was missed, the work was done) and the
:class:`~csflow.events.SlaMet` event says ``breached=True``.  A re-opened ``MET_LATE`` clock
goes back to ``BREACHED``; a re-opened ``MET`` clock goes back to ``RUNNING``.

A target the calendar never reaches -- a calendar of special days only, after its last one;
an answer its zone cannot date (past the year 9999 on its wall clock, midnight of the year
10000 included: the last nine hours of 9999 in UTC are already 10000 in Tokyo) -- has no
instant: the clock never breaches, so it sends nothing more (no warning of a breach that
cannot come), and ``due_at`` and ``next_event_at`` are ``None``.  Business time still counts
(``elapsed``), and a recalculation onto a calendar that opens again arms the clock afresh.  A
target the calendar does reach has its instant however far on it lies: the calendar's limit of
200 years a call bounds what a host asks of it, not where a deadline falls (an hour a week and
a target of 11,000 hours breach 211 years on, not never), so a clock whose business time
reaches its target while it runs always breaches.

Every state change goes through one table, :data:`~csflow.sla.states.TRANSITIONS`
(:mod:`csflow.sla.states`).  A command whose action the table does not allow raises
:class:`~csflow.errors.InvalidTransitionError` and changes nothing.  An ``at`` earlier than
the clock's last instant also raises :class:`~csflow.errors.InvalidTransitionError` (time never
goes backwards); a naive ``at`` raises :class:`~csflow.errors.CalendarError`, and so does an
``at`` the calendar's zone cannot date (9999-12-31T23:00Z is already 10000-01-01 in Jakarta,
0001-01-01T01:00Z still the year 0 in New York): no event could be written at it.  A clock
checks that with one comparison (every zone dates every instant but those of the first and the
last day of the range), and at its start, so a command never fails halfway.

Recalculation (:class:`~csflow.sla.policy.RecalcMode`) when a ticket's priority or policy
changes:

* ``KEEP_ELAPSED`` (default): the business time already used, as measured on the old
  calendar, counts against the new target; measurement continues on the new calendar.  If it
  is already at or over the new target, the clock is breached at the change instant.
* ``RESTART``: a fresh clock from the change instant (elapsed 0, pause history cleared).
* ``RETROACTIVE``: the clock is recomputed from its start (creation, or its last restart) under
  the new target *and calendar*, replaying the recorded pause history.  Its state, elapsed time,
  deadline and future events are exactly those of a fresh clock replayed over the same history.
  If that replay was breached in the past, the breach is reported at the change instant, with
  ``due_at`` the (past) instant it became due.

In every mode, thresholds are re-armed for the new target except those whose business time has
already been used at the change instant (their instant has passed): those are not emitted,
whether or not they fired under the old target, so a change never floods warnings.  A breach
already reported is not withdrawn; if the new target is longer the clock simply runs on time
again and can breach again later.  Clocks whose target did not change are left untouched, and
finished clocks (met, met late, cancelled) keep their record.

Memory: a clock is a slotted object of twelve references; its instants are plain ints, and a
fresh clock shares one int for its start, mark and last instant.  Targets, thresholds and the
calendar live once per policy in shared :class:`~csflow.sla.policy.SlaTarget` values.

The clock's ``_*_us`` methods are the package's internal protocol: they take instants as µs,
validate nothing and append events to a list.  :class:`~csflow.sla.ticket.TicketSla` drives
its clocks through them (after validating once for all four clocks); nothing outside
:mod:`csflow.sla` calls them.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Final

from csflow._text import show
from csflow._time import MAX_US, MIN_US, ONE_US, from_us, instant_us, utc
from csflow.calendar import BusinessCalendar
from csflow.errors import CalendarError, ConfigError, InvalidTransitionError
from csflow.events import SlaBreached, SlaEvent, SlaMet, SlaWarning
from csflow.model import Metric
from csflow.sla._checks import check_ticket_id, join
from csflow.sla.policy import RecalcMode, SlaTarget
from csflow.sla.states import (
    COUNTING_STATES,
    LATE_STATES,
    LIVE_STATES,
    PAUSED_STATES,
    TRANSITIONS,
    ClockAction,
    ClockState,
    next_state,
)

__all__ = ["SlaClock"]


#: The exact types of a snapshot's warning thresholds that a restore's cache of targets keys.
_NUMBERS: Final = frozenset({int, float})


def _req_int(data: Mapping[str, Any], key: str, path: str) -> int:
    value = data.get(key)
    if type(value) is int:  # (what JSON reads to: one check)
        return value
    if not isinstance(value, int) or isinstance(value, bool):
        raise ConfigError(f"expected an int, got {show(value)}", join(path, key))
    return value


def _leads(data: Mapping[str, Any], path: str) -> tuple[timedelta, ...]:
    """A snapshot's ``warn_before_us``: leads in µs, as :class:`SlaTarget` then checks them."""
    raw = data.get("warn_before_us", [])
    where = join(path, "warn_before_us")
    if not isinstance(raw, list):
        raise ConfigError(f"expected a list of durations in µs, got {show(raw)}", where)
    out: list[timedelta] = []
    for i, x in enumerate(raw):
        if not isinstance(x, int) or isinstance(x, bool) or x <= 0:
            raise ConfigError(f"expected a positive duration in µs, got {show(x)}", f"{where}[{i}]")
        try:
            out.append(timedelta(microseconds=x))
        except OverflowError:
            raise ConfigError(
                f"expected a duration in µs, got {show(x)}", f"{where}[{i}]"
            ) from None
    return tuple(out)


def _opt_instant(data: Mapping[str, Any], key: str, path: str) -> int | None:
    return None if data.get(key) is None else _req_instant(data, key, path)


def _req_instant(data: Mapping[str, Any], key: str, path: str) -> int:
    """An instant in µs within the range of dates (years 1-9999)."""
    value = _req_int(data, key, path)
    if not MIN_US <= value <= MAX_US:
        raise ConfigError(
            f"expected an instant in µs within years 1-9999, got {show(value)}", join(path, key)
        )
    return value


#: The longest span counted in one call to the calendar, which refuses spans over 200 years.
_PIECE_US = 150 * 365 * 86_400 * 1_000_000


def _elapsed(calendar: BusinessCalendar, a: int, b: int) -> int:
    """Business µs of *calendar* inside ``[a, b]``, for any two instants a desk can reach.

    ``calendar.elapsed_us`` refuses a span over 200 years and an instant whose date in the
    calendar's zone is outside the years 1-9999.  A clock's stretch can be either (a desk
    advanced three centuries, a ticket at 9999-12-31T20:00Z on a Jakarta calendar), and a
    state the desk reached must stay readable and savable: a long span is counted in pieces,
    and the time outside the zone's dates counts as closed.
    """
    try:
        return calendar.elapsed_us(a, b)
    except CalendarError:
        if b < a:
            raise
    first, last = calendar_bounds_us(calendar)
    a, b = max(a, first), min(b, last)
    total = 0
    while b - a > _PIECE_US:
        total += calendar.elapsed_us(a, a + _PIECE_US)
        a += _PIECE_US
    return total + calendar.elapsed_us(a, b) if a <= b else total


#: The first and last instants every zone can date (a UTC offset is less than a day): an
#: instant between them needs no zone's bounds worked out, so a command checks it with one
#: comparison or two.
_DATABLE_FROM_US = MIN_US + 86_400 * 1_000_000
_DATABLE_US = MAX_US - 86_400 * 1_000_000


def _datable(calendar: BusinessCalendar, u: int | None) -> int | None:
    """*u*, or ``None`` if *calendar*'s zone cannot date it (after its last datable instant)."""
    if u is not None and u > _DATABLE_US and u > calendar_bounds_us(calendar)[1]:
        return None
    return u


def calendar_bounds_us(calendar: BusinessCalendar) -> tuple[int, int]:
    """The first and last instants (µs) whose date in *calendar*'s zone is within the years
    1-9999: the instants an SLA event on it can be written at."""
    zone = calendar.zone
    try:
        first = instant_us(datetime.min.replace(tzinfo=zone), "first")
    except CalendarError:  # east of UTC: the zone's first date starts before MIN_US
        first = MIN_US
    try:
        last = instant_us(datetime.max.replace(tzinfo=zone), "last")
    except CalendarError:  # west of UTC: the zone's last date ends after MAX_US
        last = MAX_US
    return max(first, MIN_US), min(last, MAX_US)


def _check_datable(
    t: int, at: object, calendars: Iterable[BusinessCalendar], name: str = "at"
) -> None:
    """Refuse an instant *t* (given as *at*) that one of *calendars*' zones cannot date.

    The slow path of a command's check: callers first compare *t* with ``_DATABLE_FROM_US``
    and ``_DATABLE_US`` (between them every zone dates it), so the zones' bounds are worked
    out only in the first and last day of the range of dates.

    Raises:
        CalendarError: *t* is not within the instants every one of *calendars*' zones can
            date within the years 1-9999 (9999-12-31T23:00Z is 10000-01-01 in Jakarta).
    """
    lo, hi = MIN_US, MAX_US
    zones: list[str] = []
    for calendar in calendars:
        first, last = calendar_bounds_us(calendar)
        lo, hi = max(lo, first), min(hi, last)
        if calendar.timezone not in zones:
            zones.append(calendar.timezone)
    if not lo <= t <= hi:
        raise CalendarError(
            f"{name!r} must be from {utc(lo).isoformat()} to {utc(hi).isoformat()}, the "
            f"instants every SLA calendar's zone ({', '.join(map(repr, zones))}) can date "
            f"within the years 1-9999, got {show(at)}"
        )


class SlaClock:
    """One ticket's clock for one metric: running, paused, breached, met or cancelled.

    Every method takes ``at``, an aware datetime not earlier than the clock's last instant,
    and the commands return the :data:`~csflow.events.SlaEvent` values that became due up to ``at``, in time
    order, each with its true instant.  The clock's ``state`` reflects the events returned so
    far: call :meth:`advance` to bring it up to ``at``.

    Args:
        ticket_id: The ticket, copied into events.
        target: The promise (usually ``policy.target(metric, priority)``).
        at: When the clock starts.
        paused: Start paused (for a ticket whose status pauses the metric).

    Raises:
        CalendarError: *at* is naive, or the clock's calendar's zone cannot date it.
        ConfigError: A bad ticket id or target.
    """

    __slots__ = (
        "_cycle",
        "_due",
        "_history",
        "_k",
        "_last",
        "_lazy",
        "_mark",
        "_next",
        "_reach",
        "_spec",
        "_stale",
        "_started",
        "_state",
        "_then",
        "_ticket_id",
        "_used",
    )

    _ticket_id: str
    _spec: SlaTarget
    _state: ClockState
    _started: int  # start instant (µs): creation, or the last RESTART
    # Where the clock's cycle naturally started (µs), at or before _started: the instant a
    # RESTART and a clock regained under RESTART (see TicketSla.recalculate) keep, which names
    # the cycle in the events (``cycle_start``).
    _cycle: int
    _mark: int  # running: start of the current stretch; paused/finished: when it paused/stopped
    _used: int  # business µs counted before _mark
    _last: int  # the latest instant any call has passed
    _k: int  # thresholds [0, _k) have fired or were passed over
    _next: int | None  # instant of the next event, None when none can come (paused, late, done)
    _lazy: bool  # _next is only a lower bound of that instant, not worked out yet (see _arm)
    _due: int | None  # late: when the target was reached; running on time: memoised deadline
    _history: list[int] | None  # pauses as flat [start0, end0, start1, end1, ...]
    # Restored from a snapshot: (its instant, business µs used by then on the calendar it was
    # written on), so a KEEP_ELAPSED recalculation under a changed calendar keeps that time.
    _then: tuple[int, int] | None
    # The instant the target is reached, as last worked out by _target_instant, with what it
    # was worked out from (spec, mark, used): not kept in a snapshot, only spares the calendar.
    _reach: tuple[SlaTarget, int, int, int | None] | None

    def __init__(
        self, ticket_id: str, target: SlaTarget, at: datetime, *, paused: bool = False
    ) -> None:
        check_ticket_id(ticket_id)
        if not isinstance(target, SlaTarget):
            raise ConfigError(f"target must be an SlaTarget, got {show(target)}")
        t = instant_us(at, "at")
        if not _DATABLE_FROM_US <= t <= _DATABLE_US:
            _check_datable(t, at, (target.calendar,))
        self._init(ticket_id, target, t, paused)

    @classmethod
    def _start_us(cls, ticket_id: str, spec: SlaTarget, t: int, paused: bool) -> SlaClock:
        self = cls.__new__(cls)
        self._init(ticket_id, spec, t, paused)
        return self

    def _init(self, ticket_id: str, spec: SlaTarget, t: int, paused: bool) -> None:
        self._ticket_id = ticket_id
        self._spec = spec
        self._stale = False
        self._then = None
        self._started = self._mark = self._last = self._cycle = t
        self._used = 0
        # Thresholds that round to zero business time are passed over, as after a restart.
        warn = spec.warn_us
        k = self._k = bisect.bisect_right(warn, 0) if warn else 0
        self._due = None
        self._reach = None
        self._history = None
        if paused:
            self._state = ClockState.PAUSED
            self._next = None
            self._lazy = False
        else:
            self._state = ClockState.RUNNING
            # _arm, for a fresh clock (nothing used yet): start + amount bounds the instant.
            self._next = t + (warn[k] if k < len(warn) else spec.target_us)
            self._lazy = True

    # -- internals ---------------------------------------------------------------------------

    def _amount(self) -> int:
        """Business µs (from the start) at which the next event is due."""
        warn = self._spec.warn_us
        return warn[self._k] if self._k < len(warn) else self._spec.target_us

    def _arm(self) -> None:
        """Set the running clock's next event, lazily.

        Most clocks stop long before their next event (a reply within the target), so the
        calendar is not asked for its instant until someone needs it (:meth:`_exact`): until
        then ``_next`` holds ``mark + (amount - used)``, a lower bound of it (business time
        runs no faster than real time), which is all a caller that asks "is anything due by
        t?" needs.
        """
        d = self._amount() - self._used
        if d > 0:
            self._next = self._mark + d
            self._lazy = True
        else:
            self._next = self._instant(self._amount())
            self._lazy = False

    def _exact(self) -> int | None:
        """The instant of the next event (``_next`` worked out, if it was only a bound)."""
        if self._lazy:
            self._next = self._instant(self._amount())
            self._lazy = False
        return self._next

    def _next_event_us(self) -> int | None:
        """The instant of the next event that will come: ``None`` for a warning of a target
        the calendar never reaches (:meth:`_fire` sends none, see "A target the calendar
        never reaches" above).  The deadline is worked out for that, not kept: a snapshot
        does not depend on what was read (a warning due sets it, as it fires)."""
        nxt = self._exact()
        if (
            nxt is not None
            and self._due is None
            and self._state is ClockState.RUNNING
            and self._k < len(self._spec.warn_us)
            and self._target_instant() is None
        ):
            return None
        return nxt

    def _target_instant(self) -> int | None:
        """:meth:`_instant` of the target, worked out once for each stretch of running (the
        desk's timers ask for the next event after every command)."""
        spec, mark, used = self._spec, self._mark, self._used
        memo = self._reach
        if memo is not None and memo[0] is spec and memo[1] == mark and memo[2] == used:
            return memo[3]
        u = self._instant(spec.target_us)
        self._reach = (spec, mark, used, u)
        return u

    def _instant(self, amount: int) -> int | None:
        """The instant the running clock's elapsed time reaches *amount*; ``None`` if it
        never does (a calendar that never opens again for long enough, or not within the
        range of dates it can count)."""
        cal = self._spec.calendar
        d = amount - self._used
        # Already reached (only after a pause exactly at the instant, or a recalculation): due
        # as soon as business time flows again.
        try:
            # However far on: the calendar's span limit bounds what a caller asks of it, not
            # where a target is reached (a breach centuries on is still a breach).
            u = cal._reach_us(self._mark, d)
        except CalendarError:
            return None
        # The end of the zone's last date (local midnight of the year 10000, east of UTC) is
        # an instant no event can be written at: never reached.  One int comparison in the
        # common case; the zone's bound is worked out only near the end of the year 9999.
        if u > _DATABLE_US and u > calendar_bounds_us(cal)[1]:
            return None
        return u

    def _require(self, action: ClockAction) -> None:
        # Validate before mutating.  Time-driven events before `at` can only turn RUNNING into
        # BREACHED, and the table allows the same commands in both (a test checks this), so a
        # command allowed now is still allowed after them.
        if (self._state, action) not in TRANSITIONS:
            next_state(self._state, action)

    def _check_time(self, at: object) -> int:
        t = instant_us(at, "at")
        if t < self._last:
            raise InvalidTransitionError(
                f"'at' must not be earlier than the clock's last instant "
                f"{from_us(self._last, self._spec.calendar.zone).isoformat()}, got {show(at)}"
            )
        # (Not before the zone's first date: the clock's start, at or before *t*, was checked.)
        if t > _DATABLE_US:
            _check_datable(t, at, (self._spec.calendar,))
        return t

    def _poll_us(self, limit: int, out: list[SlaEvent]) -> None:
        nxt = self._next
        while nxt is not None and nxt <= limit:
            if self._lazy:  # only a bound: the true instant may still be after the limit
                nxt = self._exact()
                if nxt is None or nxt > limit:
                    return
            self._fire(nxt, out)
            nxt = self._next

    # The SLA events are built positionally (at, ticket_id, metric, ...), here and below: a
    # class call with keywords costs about a third more, and events are built on hot paths.
    def _fire(self, u: int, out: list[SlaEvent]) -> None:
        spec = self._spec
        warn = spec.warn_us
        k = self._k
        zone = spec.calendar.zone
        if k < len(warn):
            due = self._due
            if due is None:
                due = self._due = self._instant(spec.target_us)
                if due is None:
                    # The target is never reached: no breach will come, so nothing warns of
                    # one (see "A target the calendar never reaches" above).
                    self._next = None
                    self._lazy = False
                    return
            out.append(
                SlaWarning(
                    from_us(u, zone),
                    self._ticket_id,
                    spec.metric,
                    spec.warn_thresholds[k],
                    from_us(due, zone),
                )
            )
            k += 1
            self._k = k
            self._next = self._instant(warn[k]) if k < len(warn) else due
            self._lazy = False
        else:
            self._state = TRANSITIONS[(self._state, ClockAction.BREACH)]
            self._due = u
            self._next = None
            self._lazy = False
            when = from_us(u, zone)
            out.append(
                SlaBreached(
                    when,
                    self._ticket_id,
                    spec.metric,
                    when,
                    spec.duration,
                    cycle_start=from_us(self._cycle, zone),
                )
            )

    def _used_at(self, t: int) -> int:
        if self._state in COUNTING_STATES:
            return self._used + _elapsed(self._spec.calendar, self._mark, t)
        return self._used

    def _pause_us(self, t: int, out: list[SlaEvent]) -> None:
        self._poll_us(t - 1, out)
        state = TRANSITIONS[(self._state, ClockAction.PAUSE)]
        self._used += _elapsed(self._spec.calendar, self._mark, t)
        self._mark = self._last = t
        self._next = None
        self._lazy = False
        if state is ClockState.PAUSED:
            self._due = None  # the deadline moves while paused
        self._state = state

    def _resume_us(self, t: int, out: list[SlaEvent]) -> None:
        state = TRANSITIONS[(self._state, ClockAction.RESUME)]
        self._record_gap(t)
        self._state = state
        if state is ClockState.RUNNING:
            self._arm()
        self._poll_us(t, out)

    def _record_gap(self, t: int) -> None:
        if self._history is None:
            self._history = [self._mark, t]
        else:
            self._history += (self._mark, t)
        self._mark = self._last = t

    def _fold(self, t: int) -> None:
        """Bring `used` and `mark` to *t* before the clock finishes."""
        if self._state in COUNTING_STATES:
            self._used += _elapsed(self._spec.calendar, self._mark, t)
            self._mark = self._last = t
        else:
            # A pause in progress ends here: keep it in the history, or a RETROACTIVE replay
            # after a re-opening would count it.
            self._record_gap(t)

    def _stop_us(self, t: int, out: list[SlaEvent]) -> None:
        nxt = self._next
        if nxt is not None and nxt < t:
            self._poll_us(t - 1, out)
        state = TRANSITIONS[(self._state, ClockAction.STOP)]
        if self._state is ClockState.RUNNING:  # _fold, inlined for the common case
            try:
                self._used += self._spec.calendar.elapsed_us(self._mark, t)
            except CalendarError:
                self._used += _elapsed(self._spec.calendar, self._mark, t)
            self._mark = self._last = t
        else:
            self._fold(t)
        self._next = None
        self._lazy = False
        if state is ClockState.MET:
            self._due = None
        self._state = state
        spec = self._spec
        zone = spec.calendar.zone
        out.append(
            SlaMet(
                from_us(t, zone),
                self._ticket_id,
                spec.metric,
                timedelta(microseconds=self._used),
                spec.duration,
                state is ClockState.MET_LATE,
                cycle_start=from_us(self._cycle, zone),
            )
        )

    def _cancel_us(self, t: int, out: list[SlaEvent]) -> None:
        self._poll_us(t - 1, out)
        state = TRANSITIONS[(self._state, ClockAction.CANCEL)]
        self._fold(t)
        self._next = None
        self._lazy = False
        self._due = None
        self._state = state

    def _reopen_us(self, t: int, out: list[SlaEvent], *, poll: bool = True) -> None:
        """Resume the met clock at *t*; with *poll*, emit what is due at *t* (a caller that
        may pause the clock at once polls afterwards instead)."""
        state = TRANSITIONS[(self._state, ClockAction.REOPEN)]
        # The stretch between the stop and the re-opening is recorded like a pause, so that a
        # RETROACTIVE recalculation replays it.
        self._record_gap(t)
        self._state = state
        if state is ClockState.RUNNING:
            self._arm()
        if poll:
            self._poll_us(t, out)

    def _advance_us(self, t: int, out: list[SlaEvent]) -> None:
        self._poll_us(t, out)
        self._last = t

    def _recalc_us(self, spec: SlaTarget, t: int, mode: RecalcMode, out: list[SlaEvent]) -> None:
        self._poll_us(t - 1, out)
        # (Only an instant at or before this one: a later one was not a snapshot's of it.)
        then = self._then if self._stale and self._then and self._then[0] <= t else None
        self._stale = False
        self._then = None
        old_late = self._state in LATE_STATES
        running = self._state in COUNTING_STATES
        if mode is RecalcMode.RETROACTIVE:
            fresh = self._replayed(spec, t)
            late = fresh._state in LATE_STATES
            self._used, self._mark = fresh._used, fresh._mark
            self._k, self._next, self._due = fresh._k, fresh._next, fresh._due
            self._lazy = fresh._lazy
            if not late and fresh._state in PAUSED_STATES:
                # The replay paused exactly as it reached a threshold or the target: a fresh
                # clock would report it at its resume, but at a change every mode passes over a
                # threshold already used and reports a target already reached, now.
                if fresh._used >= spec.target_us:
                    late = True
                    self._k = len(spec.warn_us)
                    self._next = None
                    self._lazy = False
                    self._due = fresh._mark  # where the replay reached it
                else:
                    self._k = max(self._k, bisect.bisect_right(spec.warn_us, fresh._used))
        else:
            if mode is RecalcMode.RESTART:
                used = 0
                self._started = self._mark = t
                self._history = None
            elif running and then is not None:
                # KEEP_ELAPSED, restored under a changed calendar: the time used up to the
                # snapshot was measured on the calendar it was written on; the stretch since
                # then counts on this one.
                used = then[1]
                if then[0] < t:
                    used += _elapsed(spec.calendar, then[0], t)
                self._mark = t
            elif running:  # KEEP_ELAPSED: fold the running stretch, measured on the old calendar
                used = self._used + _elapsed(self._spec.calendar, self._mark, t)
                self._mark = t
            else:
                used = self._used
            self._used = used
            late = used >= spec.target_us
            if late:
                self._k = len(spec.warn_us)
                self._next = None
                self._lazy = False
                if not old_late:
                    self._due = t
            else:
                self._k = bisect.bisect_right(spec.warn_us, used)
                self._due = None
        action = ClockAction.RECALC_LATE if late else ClockAction.RECALC_ON_TIME
        self._state = TRANSITIONS[(self._state, action)]
        self._spec = spec
        self._last = t
        if mode is not RecalcMode.RETROACTIVE and not late:
            if running:
                self._arm()
            else:
                self._next = None
                self._lazy = False
        if late and not old_late:
            self._revealed_breach(t, out)
        self._poll_us(t, out)

    def _revealed_breach(self, t: int, out: list[SlaEvent]) -> None:
        """Report at *t* a breach a change revealed, due where it fell (or at *t*)."""
        spec = self._spec
        zone = spec.calendar.zone
        due = self._due if self._due is not None else t
        out.append(
            SlaBreached(
                from_us(t, zone),
                self._ticket_id,
                spec.metric,
                from_us(due, zone),
                spec.duration,
                cycle_start=from_us(self._cycle, zone),
            )
        )

    def _gained_us(self, t: int, mode: RecalcMode, out: list[SlaEvent]) -> None:
        """Report, at *t*, a live clock just replayed silently up to *t* (a metric that gained
        a target, counted from its natural start), as :meth:`_recalc_us` reports a
        recalculated one: thresholds whose business time is used are passed over, and a
        breach the replay reached is reported now, due where it fell (``RETROACTIVE``) or at
        *t* (``KEEP_ELAPSED``: the target was first missed when it was set)."""
        spec = self._spec
        state = self._state
        if state is ClockState.PAUSED:
            # Paused exactly as it reached a threshold or the target (see _recalc_us).
            if self._used >= spec.target_us:
                state = self._state = TRANSITIONS[(state, ClockAction.RECALC_LATE)]
                self._k = len(spec.warn_us)
                self._due = self._mark
            else:
                self._k = max(self._k, bisect.bisect_right(spec.warn_us, self._used))
        self._last = t
        if state in LATE_STATES:
            if mode is not RecalcMode.RETROACTIVE:
                self._due = t
            self._revealed_breach(t, out)

    def _replayed(self, spec: SlaTarget, t: int) -> SlaClock:
        """A fresh clock on *spec*, driven silently through this clock's history up to *t*."""
        fresh = SlaClock._start_us(self._ticket_id, spec, self._started, False)
        sink: list[SlaEvent] = []
        history = self._history or ()
        for i in range(0, len(history), 2):
            fresh._pause_us(history[i], sink)
            fresh._resume_us(history[i + 1], sink)
        if self._state in PAUSED_STATES:
            fresh._pause_us(self._mark, sink)
        fresh._advance_us(t, sink)
        return fresh

    def _past_span_limit(self) -> bool:
        """Whether the running clock's deadline lies past what one call to the calendar
        walks (200 years), where older versions found none."""
        cal = self._spec.calendar
        d = self._spec.target_us - self._used
        try:
            if d > 0:
                cal.add_us(self._mark, d)
            else:
                cal.next_open_us(self._mark)
        except CalendarError:
            return True
        return False

    def _check_restored(self, path: str) -> None:
        """Refuse a restored ``next`` or ``due`` that no sequence of commands leaves in the
        clock's state (a tampered snapshot), before anything runs on it.

        What the transition code leaves (a test drives clocks through every command and
        round-trips each one): every event a clock sends leads up to its breach, and the table
        lets ``BREACH`` leave one state only, ``RUNNING``, so only a running clock has a next
        event, after its last instant (each command polls up to its own instant), with its
        remembered deadline at or after it.  A running clock lacks one only when its target
        is never reached (:meth:`_instant` is ``None``, and so is its deadline); that is
        checked only when the clock was written on this calendar: a stale clock's instants are
        the old calendar's, and its recalculation works them out afresh.  A clock past its
        target keeps the instant it was reached, at or before its last instant; the others
        (paused on time, met, cancelled) have no deadline.
        """
        state, nxt, due, last = self._state, self._next, self._due, self._last
        name = state.value
        if (state, ClockAction.BREACH) in TRANSITIONS:
            if nxt is None:
                reach = None if self._stale else self._instant(self._spec.target_us)
                if reach is not None and self._past_span_limit():
                    # Written before a clock found a deadline past the calendar's limit of
                    # 200 years a call (it then had none): armed as it is now.
                    self._next = self._instant(self._amount())
                    reach = None
                if reach is not None:
                    raise ConfigError(
                        "expected the instant of the running clock's next event (its calendar "
                        f"reaches the target at {reach} µs), got None",
                        join(path, "next"),
                    )
                if due is not None:
                    raise ConfigError(
                        "expected null: a running clock with no next event never reaches its "
                        f"target, got {show(due)}",
                        join(path, "due"),
                    )
            elif nxt <= last:
                raise ConfigError(
                    f"expected an instant after the clock's last instant ({last} µs), got "
                    f"{show(nxt)}",
                    join(path, "next"),
                )
            elif due is not None and due < nxt:
                raise ConfigError(
                    f"expected null or a deadline at or after the next event ({nxt} µs), got "
                    f"{show(due)}",
                    join(path, "due"),
                )
            elif not self._stale:
                # Both are worked out from the time used and the calendar: written by a desk,
                # they are exactly what the clock would work out again.
                want = self._instant(self._amount())
                if nxt != want:
                    raise ConfigError(
                        f"expected the instant the clock's calendar gives its next event "
                        f"({show(want)} µs), got {show(nxt)}",
                        join(path, "next"),
                    )
                if due is not None and due != (want := self._instant(self._spec.target_us)):
                    raise ConfigError(
                        f"expected null or the instant the clock's calendar gives its target "
                        f"({show(want)} µs), got {show(due)}",
                        join(path, "due"),
                    )
        elif nxt is not None:
            raise ConfigError(
                f"expected null: a {name} clock has no next event (only a running clock has "
                f"one), got {show(nxt)}",
                join(path, "next"),
            )
        elif state in LATE_STATES:
            if due is None or due > last:
                raise ConfigError(
                    f"expected the instant a {name} clock reached its target, at or before "
                    f"its last instant ({last} µs), got {show(due)}",
                    join(path, "due"),
                )
        elif due is not None:
            raise ConfigError(
                f"expected null: a {name} clock has no deadline, got {show(due)}",
                join(path, "due"),
            )

    # -- commands ----------------------------------------------------------------------------

    def pause(self, at: datetime) -> list[SlaEvent]:
        """Stop counting business time (a running or breached clock).

        Returns:
            Events that became due before *at*.

        Raises:
            InvalidTransitionError: The clock is not running, or *at* is earlier than its last
                instant.
            CalendarError: *at* is naive, or the clock's calendar's zone cannot date it.
        """
        t = self._check_time(at)
        self._require(ClockAction.PAUSE)
        out: list[SlaEvent] = []
        self._pause_us(t, out)
        return out

    def resume(self, at: datetime) -> list[SlaEvent]:
        """Count business time again from *at* (a paused clock).

        Returns:
            Events due at *at* (a threshold that was reached exactly when the clock paused).

        Raises:
            InvalidTransitionError: The clock is not paused, or *at* is earlier than its last
                instant.
            CalendarError: *at* is naive, or the clock's calendar's zone cannot date it.
        """
        t = self._check_time(at)
        self._require(ClockAction.RESUME)
        out: list[SlaEvent] = []
        self._resume_us(t, out)
        return out

    def stop(self, at: datetime) -> list[SlaEvent]:
        """The response or resolution came: the clock is met (or met late).

        Returns:
            Events due before *at*, then the :class:`~csflow.events.SlaMet`.

        Raises:
            InvalidTransitionError: The clock is finished, or *at* is earlier than its last
                instant.
            CalendarError: *at* is naive, or the clock's calendar's zone cannot date it.
        """
        t = self._check_time(at)
        self._require(ClockAction.STOP)
        out: list[SlaEvent] = []
        self._stop_us(t, out)
        return out

    def cancel(self, at: datetime) -> list[SlaEvent]:
        """Stop the clock without an outcome (the ticket closed, the target went away).

        Returns:
            Events due before *at*.

        Raises:
            InvalidTransitionError: The clock is finished, or *at* is earlier than its last
                instant.
            CalendarError: *at* is naive, or the clock's calendar's zone cannot date it.
        """
        t = self._check_time(at)
        self._require(ClockAction.CANCEL)
        out: list[SlaEvent] = []
        self._cancel_us(t, out)
        return out

    def reopen(self, at: datetime) -> list[SlaEvent]:
        """Resume a met clock from where it stopped (a re-opened ticket's resolution).

        The time between the stop and *at* does not count.  A ``MET_LATE`` clock becomes
        ``BREACHED`` again.

        Returns:
            Events due at *at*.

        Raises:
            InvalidTransitionError: The clock is not met, or *at* is earlier than its last
                instant.
            CalendarError: *at* is naive, or the clock's calendar's zone cannot date it.
        """
        t = self._check_time(at)
        self._require(ClockAction.REOPEN)
        out: list[SlaEvent] = []
        self._reopen_us(t, out)
        return out

    def advance(self, at: datetime) -> list[SlaEvent]:
        """The events due up to and including *at*, in time order, each with its true instant.

        Raises:
            InvalidTransitionError: *at* is earlier than the clock's last instant.
            CalendarError: *at* is naive, or the clock's calendar's zone cannot date it.
        """
        t = self._check_time(at)
        out: list[SlaEvent] = []
        self._advance_us(t, out)
        return out

    poll = advance

    def recalculate(
        self, target: SlaTarget, at: datetime, mode: RecalcMode | str = RecalcMode.KEEP_ELAPSED
    ) -> list[SlaEvent]:
        """Measure against a new target from *at* (a priority or policy change).

        Args:
            target: The new promise, for the same metric.
            at: The change instant.
            mode: See :class:`~csflow.sla.policy.RecalcMode`.

        Returns:
            Events due before *at* under the old target, then an :class:`~csflow.events.SlaBreached` if the
            clock is over the new target and was not breached before.

        Raises:
            InvalidTransitionError: The clock is finished, or *at* is earlier than its last
                instant.
            ConfigError: *target* is not an :class:`~csflow.sla.policy.SlaTarget` for this metric, or *mode* is
                unknown.
            CalendarError: *at* is naive, or the clock's calendar or *target*'s cannot date
                it, or *target*'s cannot date the clock's start.
        """
        t = self._check_time(at)
        mode = RecalcMode.parse(mode)
        if not isinstance(target, SlaTarget) or target.metric is not self._spec.metric:
            raise ConfigError(
                f"target must be an SlaTarget for metric {show(self._spec.metric.value)}, got "
                f"{show(target)}"
            )
        if (self._state, ClockAction.RECALC_ON_TIME) not in TRANSITIONS:
            raise InvalidTransitionError(
                f"cannot recalculate a clock that is {self._state.value}; only a running, "
                "paused or breached clock can be recalculated"
            )
        if t > _DATABLE_US or self._started < _DATABLE_FROM_US:
            # The clock's instants, from its start to *t*, are read on the new calendar.
            _check_datable(self._started, self.started_at, (target.calendar,), "started_at")
            _check_datable(t, at, (target.calendar,))
        out: list[SlaEvent] = []
        self._recalc_us(target, t, mode, out)
        return out

    # -- views -------------------------------------------------------------------------------

    @property
    def ticket_id(self) -> str:
        """The ticket this clock belongs to."""
        return self._ticket_id

    @property
    def metric(self) -> Metric:
        """The metric measured."""
        return self._spec.metric

    @property
    def target(self) -> SlaTarget:
        """The promise in force."""
        return self._spec

    @property
    def state(self) -> ClockState:
        """The state after the events returned so far."""
        return self._state

    @property
    def started_at(self) -> datetime:
        """When the clock started (or last restarted)."""
        return from_us(self._started, self._spec.calendar.zone)

    @property
    def cycle_start(self) -> datetime:
        """Where the clock's cycle naturally started: its start, or for a clock restarted
        (``RESTART``) or regained after its metric lost its target, the start of the cycle it
        continues (the ``cycle_start`` of its events)."""
        return from_us(self._cycle, self._spec.calendar.zone)

    @property
    def last_at(self) -> datetime:
        """The latest instant any call has passed; ``at`` may not go below it."""
        return from_us(self._last, self._spec.calendar.zone)

    @property
    def next_event_us(self) -> int | None:
        """:attr:`next_event_at` as integer µs since the epoch."""
        return self._next_event_us()

    @property
    def next_event_at(self) -> datetime | None:
        """When the clock next has an event (a warning or the breach); ``None`` if never (no
        warning comes of a target the calendar never reaches)."""
        nxt = self._next_event_us()
        return None if nxt is None else from_us(nxt, self._spec.calendar.zone)

    @property
    def due_at(self) -> datetime | None:
        """The deadline: when business time used reaches the target.

        For a running clock, the instant it will be breached; for a breached (or met late)
        clock, when it was; ``None`` while paused on time (the deadline moves), once met on
        time, when cancelled, or when the calendar never reaches the target.
        """
        due = self.due_us
        return None if due is None else from_us(due, self._spec.calendar.zone)

    @property
    def due_us(self) -> int | None:
        """:attr:`due_at` as integer microseconds since the epoch (no datetime built)."""
        state = self._state
        if state in LATE_STATES:
            return self._due
        if state is ClockState.RUNNING:
            due = self._due
            if due is None:
                due = self._due = self._instant(self._spec.target_us)
            return due
        return None

    def elapsed(self, at: datetime) -> timedelta:
        """Business time used up to *at* (pauses excluded).

        Raises:
            InvalidTransitionError: *at* is earlier than the clock's last instant.
            CalendarError: *at* is naive, or the clock's calendar's zone cannot date it.
        """
        return timedelta(microseconds=self._used_at(self._check_time(at)))

    def remaining(self, at: datetime) -> timedelta:
        """Business time left before the target at *at* (zero once reached).

        Raises:
            InvalidTransitionError: *at* is earlier than the clock's last instant.
            CalendarError: *at* is naive, or the clock's calendar's zone cannot date it.
        """
        used = self._used_at(self._check_time(at))
        return timedelta(microseconds=max(self._spec.target_us - used, 0))

    def late_by(self, at: datetime) -> timedelta:
        """Business time used beyond the target at *at* (zero while within it).

        Raises:
            InvalidTransitionError: *at* is earlier than the clock's last instant.
            CalendarError: *at* is naive, or the clock's calendar's zone cannot date it.
        """
        used = self._used_at(self._check_time(at))
        return timedelta(microseconds=max(used - self._spec.target_us, 0))

    @property
    def pause_history(self) -> tuple[tuple[datetime, datetime], ...]:
        """Finished pauses since the start, as ``(start, end)`` pairs.

        The stretch between a stop and a re-opening is recorded as a pause too.  A pause in
        progress is not listed (it starts at the clock's last stop or pause).
        """
        h = self._history or []
        zone = self._spec.calendar.zone
        return tuple((from_us(h[i], zone), from_us(h[i + 1], zone)) for i in range(0, len(h), 2))

    def __repr__(self) -> str:
        return (
            f"<SlaClock {self._ticket_id!r} {self._spec.metric.value} {self._state.value} "
            f"used={timedelta(microseconds=self._used)} target={self._spec.duration}>"
        )

    # -- snapshot ----------------------------------------------------------------------------

    def to_dict(self, *, at_us: int | None = None) -> dict[str, Any]:
        """The clock's state as JSON-compatible data (instants as µs since the epoch).

        :meth:`from_dict` with the same calendar gives a clock with identical future events.
        With *at_us* (the instant of a snapshot, at or after the clock's last instant), a
        counting clock also writes ``used_at``: that instant and the business time used by
        then, so that a restore under a changed calendar keeps the time used (see
        :class:`~csflow.sla.RecalcMode`).  A target with ``warn_before`` leads writes them as
        ``warn_before_us`` (µs, largest first); without leads the key is absent.  A clock whose
        cycle started before it (restarted, or regained after its metric lost its target)
        writes the cycle's start as ``cycle``; otherwise the key is absent.
        """
        out = {
            "ticket_id": self._ticket_id,
            "metric": self._spec.metric.value,
            "target_us": self._spec.target_us,
            "warnings": list(self._spec.warnings),
            "state": self._state.value,
            "started": self._started,
            "mark": self._mark,
            "used": self._used,
            "last": self._last,
            "k": self._k,
            "next": self._exact(),
            "due": self._due,
            # What the live instants above were worked out on (a finished clock has none).
            "calendar": self._spec.calendar.digest if self._state in LIVE_STATES else None,
            "history": None if self._history is None else list(self._history),
        }
        if self._spec.warn_before:  # absent without leads: such snapshots read as before
            out["warn_before_us"] = [d // ONE_US for d in self._spec.warn_before]
        if self._cycle != self._started:  # absent when the cycle starts with the clock
            out["cycle"] = self._cycle
        if at_us is not None and self._state in COUNTING_STATES and at_us >= self._mark:
            used = self._used + _elapsed(self._spec.calendar, self._mark, at_us)
            out["used_at"] = [at_us, used]
        return out

    @classmethod
    def from_dict(
        cls,
        data: object,
        calendar: BusinessCalendar,
        path: str = "clock",
        *,
        specs: dict[tuple[Any, ...], SlaTarget] | None = None,
    ) -> SlaClock:
        """Rebuild a clock from :meth:`to_dict` data, on *calendar*.

        *specs*, when given, is a cache of the targets read so far (a restore reads thousands
        of clocks of a few targets): one built from the same metric, ``target_us``,
        ``warnings`` and ``warn_before_us`` on the same calendar is shared (a target is
        immutable), not built and checked again.

        Raises:
            ConfigError: Malformed data, with the path to it; among others a ``next`` or a
                ``due`` the clock's state cannot hold (a next event on a clock that is not
                running, none on a running clock whose calendar reaches its target, a deadline
                on a clock paused on time, met or cancelled), or a start or last instant
                *calendar*'s zone cannot date.
        """
        if not isinstance(data, Mapping):
            raise ConfigError(f"expected a mapping, got {show(data)}", path)

        try:
            metric = Metric.parse(data.get("metric"))  # type: ignore[arg-type]
            state = ClockState(data.get("state"))
        except (ConfigError, ValueError) as exc:
            raise ConfigError(str(exc), path) from None
        target_us = _req_int(data, "target_us", path)
        try:
            target = timedelta(microseconds=target_us)
        except OverflowError:
            raise ConfigError(
                f"expected a duration in µs, got {show(target_us)}", join(path, "target_us")
            ) from None
        leads = _leads(data, path)
        raw_warnings = data.get("warnings", ())
        cache_key = None
        if specs is not None and type(raw_warnings) is list:
            # Numbers only (anything else is built, and refused, as it is), each with its
            # type: a bool is not the int it equals, as SlaTarget tells.  The calendar by
            # identity: the target cached holds it, so no other takes its id meanwhile.
            types = tuple(map(type, raw_warnings))
            if _NUMBERS.issuperset(types):
                warnings = tuple(raw_warnings)
                cache_key = (metric, target_us, id(calendar), types, warnings, leads)
        cached = None if cache_key is None or specs is None else specs.get(cache_key)
        if cached is not None:
            spec = cached
        else:
            try:
                spec = SlaTarget(metric, target, calendar, raw_warnings, warn_before=leads)
            except ConfigError as exc:
                # At the clock's own keys: a lead refused for what it is, not its form (a
                # duplicate, one too many), a threshold or a target the target refuses.
                if exc.path.startswith("warn_before"):
                    where = join(path, "warn_before_us" + exc.path.removeprefix("warn_before"))
                elif exc.path.startswith("duration"):
                    where = join(path, "target_us")
                else:
                    where = join(path, exc.path) if exc.path else path
                raise ConfigError(exc.detail, where) from None
            if cache_key is not None and specs is not None:
                specs[cache_key] = spec
        history = data.get("history")
        if history is not None and (
            not isinstance(history, list)
            or len(history) % 2
            or not all(isinstance(x, int) and not isinstance(x, bool) for x in history)
        ):
            raise ConfigError(
                f"expected a flat list of int pairs, got {show(history)}", join(path, "history")
            )
        started = _req_instant(data, "started", path)
        mark = _req_instant(data, "mark", path)
        last = _req_instant(data, "last", path)
        if not started <= mark <= last:
            raise ConfigError(
                f"expected started <= mark <= last, got {started}, {mark}, {last}", path
            )
        cycle = started if data.get("cycle") is None else _req_instant(data, "cycle", path)
        if cycle > started:
            raise ConfigError(
                f"expected the cycle's start at or before the clock's start {started}, got "
                f"{show(cycle)}",
                join(path, "cycle"),
            )
        if history:
            # The pauses finished since the start, in time order: from the clock's start to its
            # mark (the last resume is at or before it), each pause's end after its start.
            prev = started
            for i, u in enumerate(history):
                if not prev <= u <= mark:
                    raise ConfigError(
                        f"expected pause instants in time order from the clock's start "
                        f"{started} to its mark {mark}, got {show(u)} after {prev}",
                        join(path, f"history[{i}]"),
                    )
                prev = u
        if started < _DATABLE_FROM_US or last > _DATABLE_US:
            # Every instant of the clock's record is from its start to its last instant.
            for key, u in (("started", started), ("last", last)):
                try:
                    _check_datable(u, u, (calendar,), key)
                except CalendarError as exc:
                    raise ConfigError(str(exc), join(path, key)) from None
        used = _req_int(data, "used", path)
        if not 0 <= used <= MAX_US - MIN_US:
            raise ConfigError(
                f"expected business µs used, from 0, got {show(used)}", join(path, "used")
            )
        k = _req_int(data, "k", path)
        if not 0 <= k <= len(spec.warn_us):
            raise ConfigError(
                f"expected a warning count from 0 to {len(spec.warn_us)}, got {show(k)}",
                join(path, "k"),
            )
        self = cls.__new__(cls)
        self._ticket_id = check_ticket_id(data.get("ticket_id"))
        self._spec = spec
        self._state = state
        self._started = started
        self._cycle = cycle
        self._mark = mark
        self._used = used
        self._last = last
        self._k = k
        self._next = _opt_instant(data, "next", path)
        self._lazy = False
        self._due = _opt_instant(data, "due", path)
        self._reach = None
        if (state, ClockAction.BREACH) in TRANSITIONS:
            # A running clock's event its calendar's zone cannot date is never reached (as
            # :meth:`_instant` says); older versions wrote it (a stale clock's may be too).
            self._next = _datable(calendar, self._next)
            self._due = _datable(calendar, self._due)
        # Written on another calendar (a config change): the instants above are stale until
        # a recalculation works them out on this one.  (Older snapshots do not say.)
        digest = data.get("calendar")
        if digest is not None and not isinstance(digest, str):
            raise ConfigError(
                f"expected a calendar digest, got {show(digest)}", join(path, "calendar")
            )
        self._stale = digest is not None and digest != calendar.digest
        self._check_restored(path)
        self._then = None
        then = data.get("used_at")
        if then is not None:
            if not (
                isinstance(then, list)
                and len(then) == 2
                and all(isinstance(x, int) and not isinstance(x, bool) for x in then)
                and state in COUNTING_STATES
                and last <= then[0] <= MAX_US
                and used <= then[1] <= used + (then[0] - mark)
            ):
                raise ConfigError(
                    "expected [instant, business µs used by then] of a counting clock, from "
                    f"its last instant and its time used, got {show(then)}",
                    join(path, "used_at"),
                )
            self._then = (then[0], then[1])
        self._history = None if history is None else list(history)
        return self
