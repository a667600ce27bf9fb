"""Metrics from a stream of csflow events: service level, ASA, abandonment, SLA attainment,
first-contact resolution.

Theory of operation
-------------------
:func:`summarize` reads any iterable of csflow events (a simulation's, or the lists a real
host's :class:`~csflow.desk.Desk` returned) once, in order, doing O(1) work per event, and keeps
one small record per ticket that it has seen but not yet seen closed.  Nothing is re-scanned: the
queue-length series is appended to as tickets enter and leave the line, SLA cycles are counted
as they end, and the busy time of tickets still in an agent's hands when the stream stops is
settled at the end from a running count and a running sum of their start instants.

Per ticket it tracks two flags that the desk's events switch on and off:

* **in line** -- on at :class:`~csflow.events.TicketQueued` and
  :class:`~csflow.events.TicketRequeued`, at a hand-over (:class:`~csflow.events.TicketTransferred`,
  :class:`~csflow.events.TicketEscalated`: the ticket waits in the new team's queue unless a
  :class:`~csflow.events.TicketAssigned` follows at once) and when work on a parked ticket resumes
  (:class:`~csflow.events.TicketStatusChanged` to ``open``); off when it is assigned, abandoned,
  parked (``pending``, ``on_hold``), resolved or closed.  The queue length is the number of
  tickets in line.  Switching a flag that is already in the wanted state changes nothing, so
  the counting does not depend on whether a desk announces a return to the line with one event
  or two.
* **in handling** -- from an assignment until the ticket leaves its agent in any of those ways.
  Busy time is the sum of these spans: with concurrent chats it counts each chat, so the agent
  time given to :func:`summarize` must count capacity slots too.

A ticket is *offered* at its first ``TicketQueued``; its outcome is decided once, by whichever
comes first of its first assignment (*answered*, after the wait since it was first queued) and
an abandonment.  A later requeue, reopening or second abandonment changes neither, so
``answered + abandoned <= offered`` always holds.  An abandonment after a wait (from the first
``TicketQueued``, as an answer's) strictly shorter than the short-abandon threshold is also a
*short abandon*, which the service level and the abandonment rate leave out; the threshold is
0 unless given, and then there are none.  A ticket is resolved *at first contact*
when its first :class:`~csflow.events.TicketResolved` comes with no hand-over (transfer,
escalation) before it; a :class:`~csflow.events.TicketReopened` takes it back (the customer
came back); parking and resuming it, or a requeue, do not.  Events of tickets whose
``TicketQueued`` is not in the stream (a window cut from a longer run) count for SLA
attainment, and for busy time from an assignment in the stream, but not as offered, answered
or abandoned.

A report over a window of a longer run is best taken from the whole stream, not from the
window's events alone: a handling that started before the window has no start in its events,
so its busy time inside the window is lost.  Fold the stream into one :class:`Summarizer` and
ask for a report at each window's end (``report(until=...)``, which cuts the handlings still
open there and changes nothing): a window's busy time is the difference of two such reports'
``handle_time``, and likewise its counts.

An SLA cycle (one run of one ticket's clock for one metric) counts once: as *breached* at its
first :class:`~csflow.sla.SlaBreached`, or at a :class:`~csflow.sla.SlaMet` flagged
``breached`` when no breach event came before it; otherwise as *met* at its ``SlaMet``.  A
:class:`~csflow.events.TicketResolved` ends the cycles of the reply metrics (first response,
next response, periodic update) without an ``SlaMet``, as the desk stops their clocks: a cycle
that starts after a reopening counts on its own.  An :class:`~csflow.events.SlaCancelled` ends
the clock of a metric that lost its target (a change of priority or policy) undecided -- a
breach it reached stays counted.  A clock the metric regains in the same cycle (its events'
``cycle_start`` is the cancelled one's: replayed from the cycle's natural start, or started
at the change under ``RESTART``) continues that cycle, so a breach counted before stays its
outcome -- a ticket that never got a first reply, or a customer message never answered, is
one breach, however often the priority lost and regained the target; a later cycle (after an
agent's reply) counts on its own.  (Events of format version 1 name no cycle: then the first
response, one cycle per ticket, continues, and the other metrics' next clock counts on its
own.)
The resolution clock is the ticket's own: a
reopening resumes it where it stopped (a solve pauses it), so it counts once per ticket -- as
met at a solve within target, taken back and counted as breached when the resumed clock then
breaches (a ticket solved in 2 minutes, reopened, and solved again at 6 minutes of a 3-minute
target is one breached cycle, not a met and a breached one).  Cycles still running when the
stream ends count neither way.  A cycle counts overall, for its metric, for the tier and
channel that its ticket's first :class:`~csflow.events.TicketQueued` named, and for the SLA
policy in force for the ticket when the outcome came: the first ``TicketQueued``'s, replaced
at each :class:`~csflow.events.TicketSlaPolicyChanged` (a resolution met under one policy
and breached after a reopening under another is taken back from the first and counted for
the second).  A cycle counted before that ``TicketQueued`` -- a ticket submitted after it
was created -- joins those groups there; a ticket without a policy, or whose
``TicketQueued`` is not in the stream, is in none of them.  A ticket's record is dropped at its
:class:`~csflow.events.TicketClosed` or :class:`~csflow.events.TicketAbandoned`, so a ticket
later submitted under the same id (a desk that forgot the first) is a new ticket.

An interval report (:func:`summarize_intervals`, :class:`IntervalSummarizer`) runs one
summary over the whole stream and one per interval of the local day that offered a ticket.
Each event goes to the whole stream's summary and to its ticket's row: a ticket's *life*
(from its first counted event to the close or abandonment that drops its record) is pinned
to the interval of its first event when that event comes -- or, for a life that begins with
SLA results (a ticket submitted after it was created), when its next counted event comes --
so later events are a dict look-up, and a row is exactly :func:`summarize` over its tickets'
events.  Interval boundaries are found without walking the wall clock: a date with one UTC
offset from midnight to midnight (nearly all of them) has its boundaries at its midnight plus
multiples of the interval; only a date with a DST change is worked out piece by piece.
"""

from __future__ import annotations

import operator
from array import array
from bisect import insort
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone, tzinfo
from heapq import merge
from itertools import chain, islice
from typing import Any, Final, NoReturn, Protocol, overload

import attrs

from csflow._frozen import FrozenDict
from csflow._plain import encode_instant
from csflow._text import show
from csflow._time import (
    MAX_US,
    MIN_US,
    ONE_US,
    duration_us,
    from_us,
    iana_zone,
    instant_us,
    to_us,
    utc,
)
from csflow.errors import ConfigError, CsflowError
from csflow.events import (
    AgentPresenceChanged,
    AgentProfileChanged,
    DeskEvent,
    TicketAbandoned,
    TicketAssigned,
    TicketClosed,
    TicketEscalated,
    TicketQueued,
    TicketReopened,
    TicketRequeued,
    TicketResolved,
    TicketSlaPolicyChanged,
    TicketStatusChanged,
    TicketTransferred,
)
from csflow.sla import Metric, SlaBreached, SlaCancelled, SlaMet, SlaWarning

__all__ = [
    "Attainment",
    "IntervalReport",
    "IntervalSummarizer",
    "QueueLengthSeries",
    "Report",
    "Summarizer",
    "summarize",
    "summarize_intervals",
]

DEFAULT_SERVICE_TARGET: Final = timedelta(seconds=20)
_ZERO = timedelta(0)
# One bit per SLA metric in a ticket's "breach already counted in this cycle" mask.
_METRIC_BIT: Final = {m: 1 << i for i, m in enumerate(Metric)}
# The first response is one cycle per ticket: a clock it regains continues the cycle, whatever
# its events say (those of format version 1 name no cycle).
_FR_BIT: Final = _METRIC_BIT[Metric.FIRST_RESPONSE]
#: The instant of a queue-length series' last step that a step may still replace: none.
_NO_STEP: Final = MIN_US - 1
#: The cycle a first response's SlaCancelled without a ``cycle_start`` kept: any.
_ANY_CYCLE: Final = object()


class _KeepsCycles(Protocol):
    """A ticket's record in a report: per metric bit, the cycle (its start, µs) whose breach
    was counted when an SlaCancelled ended its clock."""

    kept: dict[int, object] | None


def _continues_cycle(rec: _KeepsCycles, bit: int, start: datetime | None) -> bool:
    """Whether an SLA event of the cycle that started at *start* continues the cycle of metric
    *bit* kept at a cancellation (see :func:`_keep_cycle`); a kept cycle it does not continue
    is over, and forgotten."""
    kept = rec.kept
    if kept is None:
        return False
    cycle = kept.pop(bit, None)
    if cycle is None:
        return False
    # (By instant: two datetimes in one zone compare by wall clock, so the two 01:30s of a
    # fall-back night would name one cycle.)
    if cycle is _ANY_CYCLE or (start is not None and cycle == to_us(start)):
        kept[bit] = cycle  # until the cycle ends
        return True
    return False


def _keep_cycle(rec: _KeepsCycles, bit: int, start: datetime | None) -> None:
    """An SlaCancelled ended the clock of metric *bit* (a cycle whose breach was counted) in
    the cycle that started at *start*: a clock the metric regains in that cycle continues it.
    (An event of format version 1 names no cycle: a first response, one cycle per ticket,
    continues whatever comes; another metric's next clock counts on its own.)"""
    if start is None and bit != _FR_BIT:
        return
    if rec.kept is None:
        rec.kept = {}
    rec.kept[bit] = _ANY_CYCLE if start is None else to_us(start)


# --------------------------------------------------------------------------------------------
# the report


@attrs.frozen
class Attainment:
    """SLA attainment of a group of clock cycles: how many were met, how many breached.

    Attributes:
        met: Cycles that stopped within their target.
        breached: Cycles that reached their target before stopping (met late or not yet).
    """

    met: int = 0
    breached: int = 0

    def __attrs_post_init__(self) -> None:
        for name in ("met", "breached"):
            _count(getattr(self, name), name)

    @property
    def total(self) -> int:
        """Cycles decided either way: ``met + breached``."""
        return self.met + self.breached

    @property
    def rate(self) -> float | None:
        """``met / (met + breached)``, or ``None`` when no cycle was decided."""
        total = self.met + self.breached
        return self.met / total if total else None


def _count(value: object, name: str) -> None:
    if type(value) is not int or value < 0:
        raise ConfigError(f"{name!r} must be an int >= 0, got {show(value)}")


def _read_only(groups: Mapping[str, Attainment]) -> Mapping[str, Attainment]:
    """A read-only copy of *groups*, keys sorted (so equal reports print alike)."""
    if not isinstance(groups, Mapping):
        raise ConfigError(f"expected a mapping of names to Attainment, got {show(groups)}")
    for key, value in groups.items():
        if not isinstance(key, str) or not isinstance(value, Attainment):
            raise ConfigError(
                f"expected a mapping of names to Attainment, got {show(key)}: {show(value)}"
            )
    return FrozenDict({key: groups[key] for key in sorted(groups)})


def _seconds(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


class QueueLengthSeries(Sequence[tuple[datetime, int]]):
    """A queue-length step function: ``(at, length)`` pairs, stored as two arrays of integers.

    A long simulation changes its line length about once per customer; pairs of a datetime
    and an int would cost some 120 bytes per step, these 16, so a report's memory stays
    small however long the run.  It reads as a sequence of ``(UTC datetime, int)`` pairs
    and compares equal to any tuple or list of the same pairs.

    It is immutable.  The series of a :class:`Summarizer`'s report shares the running
    summary's arrays instead of copying them (the steps before the last never change: a
    later event only appends, or replaces the last step when it comes at the same instant,
    and the series keeps its own last step), so a live report costs the same however long
    the stream; a copy is made only to pickle it or compare it with another series.

    Args:
        steps: ``(aware datetime, length)`` pairs in time order.

    Raises:
        ConfigError: A naive or non-datetime instant, a length that is not a non-negative
            int, or steps out of time order (the path is the step's index).
    """

    # The series is the first _k steps of the arrays _t and _n (which may be longer: a live
    # summary's, still growing), then _last, its own copy of its last step, if not None.
    __slots__ = ("_k", "_last", "_n", "_t")

    def __init__(self, steps: Iterable[tuple[datetime, int]] = ()) -> None:
        self._t = array("q")
        self._n = array("q")
        self._last: tuple[int, int] | None = None
        given: object = steps
        if isinstance(given, str | bytes) or not isinstance(given, Iterable):
            raise ConfigError(f"expected a sequence of (at, length) pairs, got {show(given)}")
        for i, step in enumerate(steps):
            if not isinstance(step, tuple) or len(step) != 2:
                raise ConfigError(f"expected an (at, length) pair, got {show(step)}", f"[{i}]")
            at, n = step
            try:
                t = instant_us(at, "at", ConfigError)
            except CsflowError as exc:
                raise ConfigError(str(exc), f"[{i}]") from None
            if type(n) is not int or n < 0:
                raise ConfigError(f"a length must be a non-negative int, got {show(n)}", f"[{i}]")
            if self._t and t < self._t[-1]:
                raise ConfigError(f"steps must be in time order, got {show(at)}", f"[{i}]")
            self._t.append(t)
            self._n.append(n)
        self._k = len(self._t)

    @classmethod
    def _of(cls, times: array[int], lengths: array[int]) -> QueueLengthSeries:
        """The series of the arrays *times* and *lengths*, which it owns from then on."""
        return cls._view(times, lengths, len(times), None)

    @classmethod
    def _view(
        cls, times: array[int], lengths: array[int], k: int, last: tuple[int, int] | None
    ) -> QueueLengthSeries:
        """The first *k* steps of *times* and *lengths* (never to change), then *last*."""
        new = cls.__new__(cls)
        new._t, new._n, new._k, new._last = times, lengths, k, last
        return new

    def _arrays(self) -> tuple[array[int], array[int]]:
        """Its steps as two arrays of its own (instants, lengths)."""
        k = self._k
        times, lengths = self._t[:k], self._n[:k]
        if self._last is not None:
            times.append(self._last[0])
            lengths.append(self._last[1])
        return times, lengths

    def __len__(self) -> int:
        return self._k + (self._last is not None)

    def _pair(self, i: int) -> tuple[datetime, int]:
        if i < self._k:
            return utc(self._t[i]), self._n[i]
        assert self._last is not None
        return utc(self._last[0]), self._last[1]

    @overload
    def __getitem__(self, index: int) -> tuple[datetime, int]: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[tuple[datetime, int], ...]: ...
    def __getitem__(
        self, index: int | slice
    ) -> tuple[datetime, int] | tuple[tuple[datetime, int], ...]:
        size = len(self)
        if isinstance(index, slice):
            return tuple(self._pair(i) for i in range(*index.indices(size)))
        i = operator.index(index)
        if i < 0:
            i += size
        if not 0 <= i < size:
            raise IndexError(f"queue-length series index out of range: {index}")
        return self._pair(i)

    def __iter__(self) -> Iterator[tuple[datetime, int]]:
        # Bounded by _k: a live summary's arrays may grow while this runs.
        k = self._k
        steps = zip(map(utc, islice(self._t, k)), islice(self._n, k), strict=True)
        last = self._last
        if last is None:
            return steps
        return chain(steps, ((utc(last[0]), last[1]),))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, QueueLengthSeries):
            if (
                self._t is other._t
                and self._n is other._n
                and self._k == other._k
                and self._last == other._last
            ):
                return True
            return len(self) == len(other) and self._arrays() == other._arrays()
        if isinstance(other, (tuple, list)):
            return len(other) == len(self) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))  # equal to the tuple of its pairs, so hashed like it

    def __repr__(self) -> str:
        return f"QueueLengthSeries({list(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_series_of, self._arrays())


def _series_of(times: array[int], lengths: array[int]) -> QueueLengthSeries:
    """Unpickle a :class:`QueueLengthSeries` (its arrays, not its pairs)."""
    return QueueLengthSeries._of(times, lengths)


def _series(value: Iterable[tuple[datetime, int]]) -> QueueLengthSeries:
    return value if isinstance(value, QueueLengthSeries) else QueueLengthSeries(value)


_COUNTS: Final = (
    "offered",
    "answered",
    "answered_within_target",
    "abandoned",
    "waiting",
    "resolved",
    "reopened",
    "transfers",
    "escalations",
    "handlings_resolved",
    "max_queue_length",
    "tickets_resolved",
    "resolved_first_contact",
    "short_abandoned",
)
_SPANS: Final = (
    "service_target",
    "total_wait",
    "handle_time",
    "resolved_handle_time",
    "short_abandon",
    "resolved_tickets_handle_time",
)


# (part, whole, why): a Report's counts that are parts of others.
_PARTS: Final = (
    ("short_abandoned", "abandoned", "a short abandon is an abandonment"),
    ("answered_within_target", "answered", "they are answered tickets"),
    ("resolved_first_contact", "tickets_resolved", "they are resolved tickets"),
)


@attrs.frozen
class Report:
    """What happened on a desk over a stream of events (see :func:`summarize`).

    Counts are stored; rates are properties computed from them, ``None`` when their
    denominator is zero (no ticket to measure is not the same as 0 %).

    Attributes:
        service_target: The answer-time target of :attr:`service_level`.
        offered: Tickets that entered the line: each ticket's first ``TicketQueued`` (an id
            queued again after its ``TicketClosed`` or ``TicketAbandoned`` is a new ticket, as
            a desk that forgot the first may submit one).
        answered: Offered tickets assigned to an agent before any abandonment.
        answered_within_target: Answered tickets whose first assignment came within
            *service_target* of their first ``TicketQueued``.
        abandoned: Offered tickets abandoned before any assignment.
        waiting: Tickets still in line when the stream ended.
        resolved: ``TicketResolved`` events (a reopened ticket can be resolved again).
        reopened: ``TicketReopened`` events.
        transfers: ``TicketTransferred`` events.
        escalations: ``TicketEscalated`` events.
        total_wait: Summed wait (first queued to first assignment) of the answered tickets.
        handle_time: Agent busy time: every span from an assignment until the ticket left its
            agent; spans still open are cut at :attr:`end`.
        handlings_resolved: Handling spans that ended in a resolution (only the span that
            ended in the ``TicketResolved``, not the ticket's earlier spans: see
            :attr:`average_handle_time`).
        resolved_handle_time: Their summed length.
        available: The agent time available for contacts, when given to :func:`summarize`.
        sla: Attainment over every SLA cycle.
        sla_by_metric: Attainment per metric name (``"first_response"`` ...).
        sla_by_tier: Attainment per customer tier name (tickets with a ``TicketQueued``).
        sla_by_channel: Attainment per channel name (tickets with a ``TicketQueued``).
        queue_length: The queue-length step function: ``(at, length)`` pairs (UTC), one per
            instant at which the length changed, in stream order; the length holds until the
            next step.  A :class:`QueueLengthSeries` (given as any sequence of pairs).
        max_queue_length: The longest line at any moment, a ticket queued and taken at one
            instant included (the ``queue_length`` series merges such instants, so its
            largest value may be lower).  Like the series it follows the stream's order: a
            stream whose tickets interleave out of time order (several desks' streams
            chained) may show a longer line than any moment had.
        start: The earliest event instant (or *until* for an empty stream), or ``None``.
        end: *until* if given, else the latest event instant; ``None`` for an empty stream.
        tickets_resolved: Tickets resolved at least once (an id resolved again after its
            ``TicketClosed`` is a new ticket, as for *offered*).
        resolved_first_contact: Of those, the tickets resolved at first contact (see
            :attr:`first_contact_resolution`).
        short_abandon: The short-abandon threshold: an abandoned ticket that waited strictly
            less than this counts in :attr:`short_abandoned`.  ``timedelta(0)`` (the default)
            counts none.
        short_abandoned: Of the *abandoned* tickets, those abandoned after a wait (from their
            first ``TicketQueued`` to their abandonment) strictly shorter than
            *short_abandon*: customers who left before any staffing could have answered
            them (a misdial, a bot, a customer who found the answer).  They are left out of
            :attr:`service_level` and :attr:`abandonment_rate`, and still counted in
            *offered* and *abandoned*.
        sla_by_policy: Attainment per SLA policy name: each cycle's outcome counts for the
            policy in force for its ticket when the outcome came -- the one its first
            ``TicketQueued`` named, or the last :class:`~csflow.events.TicketSlaPolicyChanged`
            before the outcome (a customer moved to a premium policy mid-ticket counts under
            it from the change on).  A resolution met, then breached after a reopening, is
            taken back from the policy it was counted for.  A ticket without a policy, or
            without a ``TicketQueued`` in the stream, is in no group.  (A stream written before
            event format version 3 has no policy changes: its cycles stay with the first.)
        resolved_tickets_handle_time: All the handling of the tickets resolved (at least
            once): every ended span from an assignment until the ticket left its agent,
            before a hand-over or a parking as well as the one that resolved it, and after a
            reopening; a span still open at :attr:`end` is not in it.  See
            :attr:`handle_time_per_resolved_ticket`.

    Raises:
        ConfigError: A count that is not an int >= 0, a span that is not a timedelta >= 0,
            or a count above the count it is part of: *short_abandoned* above *abandoned*,
            *answered_within_target* above *answered*, *resolved_first_contact* above
            *tickets_resolved* (the path names the field).
    """

    service_target: timedelta = DEFAULT_SERVICE_TARGET
    offered: int = 0
    answered: int = 0
    answered_within_target: int = 0
    abandoned: int = 0
    waiting: int = 0
    resolved: int = 0
    reopened: int = 0
    transfers: int = 0
    escalations: int = 0
    total_wait: timedelta = _ZERO
    handle_time: timedelta = _ZERO
    handlings_resolved: int = 0
    resolved_handle_time: timedelta = _ZERO
    available: timedelta | None = None
    sla: Attainment = Attainment()
    sla_by_metric: Mapping[str, Attainment] = attrs.field(factory=dict, converter=_read_only)
    sla_by_tier: Mapping[str, Attainment] = attrs.field(factory=dict, converter=_read_only)
    sla_by_channel: Mapping[str, Attainment] = attrs.field(factory=dict, converter=_read_only)
    queue_length: QueueLengthSeries = attrs.field(factory=QueueLengthSeries, converter=_series)
    max_queue_length: int = 0
    start: datetime | None = None
    end: datetime | None = None
    tickets_resolved: int = 0
    resolved_first_contact: int = 0
    # Last, so that reports built (or pickled) with the fields before them keep their meaning.
    short_abandon: timedelta = _ZERO
    short_abandoned: int = 0
    sla_by_policy: Mapping[str, Attainment] = attrs.field(factory=dict, converter=_read_only)
    resolved_tickets_handle_time: timedelta = _ZERO

    def __attrs_post_init__(self) -> None:
        for name in _COUNTS:
            _count(getattr(self, name), name)
        for name in _SPANS:
            duration_us(getattr(self, name), name, ConfigError)
        # Counts that are parts of others (a rate of them above 100 % is no report's).
        for part, whole, why in _PARTS:
            if getattr(self, part) > getattr(self, whole):
                raise ConfigError(
                    f"{part!r} must be at most {whole!r} ({why}), got "
                    f"{getattr(self, part)} and {getattr(self, whole)}",
                    part,
                )
        if self.available is not None:
            duration_us(self.available, "available", ConfigError)
        if not isinstance(self.sla, Attainment):
            raise ConfigError(f"'sla' must be an Attainment, got {show(self.sla)}", "sla")
        for name in ("start", "end"):
            value = getattr(self, name)
            if value is not None:
                instant_us(value, name, ConfigError)

    @property
    def service_level(self) -> float | None:
        """The share answered within the target, of the tickets answered or abandoned, short
        abandons left out::

            answered_within_target / (answered + abandoned - short_abandoned)

        Abandoned tickets count as missed, except short abandons (see
        :attr:`short_abandoned`), which count neither way; with no threshold (the default)
        that is ``answered_within_target / (answered + abandoned)``.  Tickets still waiting
        are not yet decided and count neither way.  ``None`` when the denominator is zero.
        """
        return _ratio(
            self.answered_within_target, self.answered + self.abandoned - self.short_abandoned
        )

    @property
    def average_speed_of_answer(self) -> timedelta | None:
        """ASA: the mean wait of the answered tickets (``None`` when none was answered)."""
        return _mean(self.total_wait, self.answered)

    @property
    def abandonment_rate(self) -> float | None:
        """Abandoned over offered tickets, short abandons left out of both::

            (abandoned - short_abandoned) / (offered - short_abandoned)

        With no threshold (the default) that is ``abandoned / offered``; the rate with short
        abandons kept is that ratio of the counts.  ``None`` when the denominator is zero.
        """
        short = self.short_abandoned
        return _ratio(self.abandoned - short, self.offered - short)

    @property
    def first_contact_resolution(self) -> float | None:
        """FCR: the share of resolved tickets resolved at first contact, or ``None`` when no
        ticket was resolved: ``resolved_first_contact / tickets_resolved``.

        A ticket is resolved at first contact when no hand-over (a transfer or an
        escalation) came before its first resolution and it was not reopened since: a
        reopening (the customer came back) takes it out of the numerator.  Nothing else
        does -- a ticket parked (``pending``, ``on_hold``) and resumed, or requeued because
        its agent left and resolved by another agent, still counts.  That is the usual
        ticketing definition (resolved without a hand-over and without the customer coming
        back); a stricter *one-touch* rate (resolved with a single agent reply, never
        parked) is not measured here."""
        return _ratio(self.resolved_first_contact, self.tickets_resolved)

    @property
    def transfers_per_ticket(self) -> float | None:
        """Transfers per offered ticket (``None`` when nothing was offered)."""
        return _ratio(self.transfers, self.offered)

    @property
    def escalations_per_ticket(self) -> float | None:
        """Escalations per offered ticket (``None`` when nothing was offered)."""
        return _ratio(self.escalations, self.offered)

    @property
    def average_handle_time(self) -> timedelta | None:
        """AHT: the mean length of the handling spans that ended in a resolution
        (``resolved_handle_time / handlings_resolved``), or ``None`` when none did.

        A span runs from an assignment until the ticket leaves that agent's hands, and only
        the span that ends in a :class:`~csflow.events.TicketResolved` counts here: the work
        before a transfer, an escalation, a parking or a requeue is busy time
        (:attr:`handle_time`) but not AHT.  A ticket handled 20 minutes by ana, transferred,
        then 10 minutes by budi who resolves it, adds one span of 10 minutes.  So AHT is the
        length of the closing handling, not the work a ticket takes: fed to Erlang C
        (:mod:`csflow.staffing`) it understaffs a desk that hands tickets over or parks
        them.  For staffing, use :attr:`handle_time_per_resolved_ticket`."""
        return _mean(self.resolved_handle_time, self.handlings_resolved)

    @property
    def handle_time_per_resolved_ticket(self) -> timedelta | None:
        """The agent time a resolved ticket took: all the handling of the tickets resolved,
        over how many (``resolved_tickets_handle_time / tickets_resolved``), or ``None``
        when none was resolved.

        Every handling span of such a ticket counts -- before a transfer, an escalation, a
        parking or a requeue, the one that resolved it, and those after a reopening (a span
        still open when the observation ends does not).  A ticket handled 20 minutes by ana,
        transferred, then 10 minutes by budi who resolves it, takes 30 minutes here (its AHT
        span is 10).  This is the work per contact to staff for (Erlang C); like every
        figure, a ticket whose earlier handling lies before the stream (a window cut from a
        longer run) counts only the handling in it."""
        return _mean(self.resolved_tickets_handle_time, self.tickets_resolved)

    @property
    def occupancy(self) -> float | None:
        """Busy time over available agent time, or ``None`` when that was not given.

        Above 1 when the busy time exceeds what was declared available (for instance, chats
        handled concurrently against agent time counted per head rather than per slot).
        """
        if self.available is None or self.available <= _ZERO:
            return None
        return self.handle_time / self.available

    def __reduce__(self) -> tuple[type[Report], tuple[Any, ...]]:
        # Read-only mappings do not pickle; rebuild from plain dicts (reports cross process
        # boundaries when sweeps run on a pool).
        values = (getattr(self, f.name) for f in attrs.fields(Report))
        return (Report, tuple(dict(v) if isinstance(v, FrozenDict) else v for v in values))

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-compatible data: counts, rates, seconds and ISO 8601 instants.

        Every stored count and span is in it, beside the rates derived from them, so the
        reports of several windows (days of a week) combine exactly: add the counts and the
        seconds, then divide -- a week's ASA is the summed ``total_wait_seconds`` over the
        summed ``answered``, its AHT the summed ``resolved_handle_time_seconds`` over the
        summed ``handlings_resolved``, its handle time per resolved ticket the summed
        ``resolved_tickets_handle_time_seconds`` over the summed ``tickets_resolved``.

        Returns:
            A dict of plain ``int``, ``float``, ``str``, ``None``, lists and dicts; durations
            in seconds, instants as ISO 8601 strings in UTC (as the event codecs write them),
            attainment as
            ``{"met", "breached", "rate"}`` dicts.
        """

        def att(a: Attainment) -> dict[str, Any]:
            return {"met": a.met, "breached": a.breached, "rate": a.rate}

        def iso(at: datetime | None) -> str | None:
            return None if at is None else encode_instant(at)

        return {
            "service_target_seconds": self.service_target.total_seconds(),
            "offered": self.offered,
            "answered": self.answered,
            "answered_within_target": self.answered_within_target,
            "abandoned": self.abandoned,
            "short_abandon_seconds": self.short_abandon.total_seconds(),
            "short_abandoned": self.short_abandoned,
            "waiting": self.waiting,
            "resolved": self.resolved,
            "reopened": self.reopened,
            "transfers": self.transfers,
            "escalations": self.escalations,
            "service_level": self.service_level,
            "total_wait_seconds": self.total_wait.total_seconds(),
            "average_speed_of_answer_seconds": _seconds(self.average_speed_of_answer),
            "abandonment_rate": self.abandonment_rate,
            "tickets_resolved": self.tickets_resolved,
            "resolved_first_contact": self.resolved_first_contact,
            "first_contact_resolution": self.first_contact_resolution,
            "transfers_per_ticket": self.transfers_per_ticket,
            "escalations_per_ticket": self.escalations_per_ticket,
            "handle_time_seconds": self.handle_time.total_seconds(),
            "handlings_resolved": self.handlings_resolved,
            "resolved_handle_time_seconds": self.resolved_handle_time.total_seconds(),
            "average_handle_time_seconds": _seconds(self.average_handle_time),
            "resolved_tickets_handle_time_seconds": (
                self.resolved_tickets_handle_time.total_seconds()
            ),
            "handle_time_per_resolved_ticket_seconds": _seconds(
                self.handle_time_per_resolved_ticket
            ),
            "available_seconds": _seconds(self.available),
            "occupancy": self.occupancy,
            "sla": att(self.sla),
            "sla_by_metric": {k: att(v) for k, v in self.sla_by_metric.items()},
            "sla_by_tier": {k: att(v) for k, v in self.sla_by_tier.items()},
            "sla_by_channel": {k: att(v) for k, v in self.sla_by_channel.items()},
            "sla_by_policy": {k: att(v) for k, v in self.sla_by_policy.items()},
            "queue_length": [[encode_instant(at), n] for at, n in self.queue_length],
            "max_queue_length": self.max_queue_length,
            "start": iso(self.start),
            "end": iso(self.end),
        }

    def table(self) -> list[str]:
        """The report as lines of text for a terminal or a log (nothing is printed).

        Returns:
            Aligned ``label  value`` lines: volumes, service level, ASA, abandonment, handling,
            then SLA attainment overall and per metric, tier, channel and SLA policy.  A line
            of short abandons (``short abandons (< 5 s)``) follows the abandoned tickets when
            a short-abandon threshold is set, and only then.  Shares have one decimal
            (``66.7%``); one short of all or above none is not rounded to ``100.0%`` or
            ``0.0%`` but shown as ``>99.9%`` or ``<0.1%``, and a share with nothing to
            count (no wait decided, no SLA cycle ended) is ``n/a``.
        """
        short = (
            [(f"short abandons (< {_fmt_duration(self.short_abandon)})", str(self.short_abandoned))]
            if self.short_abandon
            else []
        )
        rows = [
            ("offered", str(self.offered)),
            ("answered", str(self.answered)),
            ("abandoned", str(self.abandoned)),
            *short,
            ("still waiting", str(self.waiting)),
            (
                f"service level ({_fmt_duration(self.service_target)})",
                _fmt_rate(self.service_level),
            ),
            ("average speed of answer", _fmt_duration(self.average_speed_of_answer)),
            ("abandonment rate", _fmt_rate(self.abandonment_rate)),
            ("transfers per ticket", _fmt_number(self.transfers_per_ticket)),
            ("escalations per ticket", _fmt_number(self.escalations_per_ticket)),
            ("average handle time", _fmt_duration(self.average_handle_time)),
            (
                "handle time per resolved ticket",
                _fmt_duration(self.handle_time_per_resolved_ticket),
            ),
            ("occupancy", _fmt_rate(self.occupancy)),
            ("longest queue", str(self.max_queue_length)),
            ("SLA attainment", _fmt_attainment(self.sla)),
        ]
        for title, groups in (
            ("metric", self.sla_by_metric),
            ("tier", self.sla_by_tier),
            ("channel", self.sla_by_channel),
            ("policy", self.sla_by_policy),
        ):
            rows += [(f"  {title} {key}", _fmt_attainment(value)) for key, value in groups.items()]
        # The values in one column, after the longest label (a group's name) if need be.
        width = max(_LABEL_WIDTH, *(len(label) + 1 for label, _ in rows))
        return [_row(label, value, width) for label, value in rows]


def _mean(total: timedelta, count: int) -> timedelta | None:
    if not count:
        return None
    # Integer microseconds, rounded half to even: exact for any stream length.
    return timedelta(microseconds=round(total / timedelta(microseconds=1) / count))


_LABEL_WIDTH = 32


def _row(label: str, value: str, width: int = _LABEL_WIDTH) -> str:
    return f"{label:<{width - 1}} {value}"


def _col(value: object, width: int) -> str:
    """*value* right-aligned in a column *width* wide, after at least one space: a value wider
    than its column pushes the line on rather than running into the column before it."""
    return f" {value!s:>{width - 1}}"


def _fmt_rate(value: float | None) -> str:
    if value is None:
        return "n/a"
    # A share short of all (or above none) is not shown as all (or none): 1,999 of 2,000
    # within target reads ">99.9%", not "100.0%".
    if 0.999 < value < 1:
        return ">99.9%"
    if 0 < value < 0.001:
        return "<0.1%"
    return f"{value:.1%}"


def _fmt_number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _fmt_duration(value: timedelta | None) -> str:
    if value is None:
        return "n/a"
    seconds = value.total_seconds()
    # Minutes from two minutes on, as shown: 119.96 s would print as "120.0 s".
    if round(seconds, 1) < 120:
        return f"{seconds:g} s" if seconds == int(seconds) else f"{seconds:.1f} s"
    return f"{seconds / 60:.1f} min"


def _fmt_attainment(value: Attainment) -> str:
    return f"{_fmt_rate(value.rate)} ({value.met} met, {value.breached} breached)"


# --------------------------------------------------------------------------------------------
# the streaming summary


class _Ticket:
    """What :func:`summarize` remembers of one ticket."""

    __slots__ = (
        "breached",
        "channel",
        "early",
        "first_contact",
        "handed",
        "handling_since",
        "in_line",
        "kept",
        "outcome",
        "policy",
        "queued",
        "resolution",
        "resolution_policy",
        "tier",
        "worked",
    )

    def __init__(self) -> None:
        self.queued: int | None = None  # first TicketQueued, microseconds
        self.tier: str | None = None
        self.channel: str | None = None
        # The SLA policy in force: its first TicketQueued's, then each TicketSlaPolicyChanged's.
        self.policy: str | None = None
        self.outcome = 0  # 0 undecided, 1 answered, 2 abandoned
        self.handed = False  # transferred or escalated at some point
        # 0 never resolved, 1 resolved at first contact (counted), 2 resolved otherwise.
        self.first_contact = 0
        self.in_line = False
        self.handling_since: int | None = None
        self.breached = 0  # metric bits whose current cycle is already counted as breached
        # Per metric bit, the cycle (its start, µs) whose breach was counted when an SlaCancelled
        # ended its clock: a clock the metric regains in that cycle continues it.
        self.kept: dict[int, object] | None = None
        # The resolution outcome counted so far (0 met, 1 breached): the clock resumes when
        # the ticket is reopened, so a later outcome replaces it (met can become breached).
        self.resolution: int | None = None
        # The policy that outcome was counted for (a breach after a reopening takes it back
        # there, and counts for the policy in force then).
        self.resolution_policy: str | None = None
        # SLA outcomes (0 met, 1 breached) counted before its TicketQueued said its tier and
        # channel: a ticket created in the past can breach before it is queued.
        self.early: list[int] | None = None
        # Its ended handling spans (µs) before its first resolution (then they count).
        self.worked = 0


class _Summary:
    """The running totals of one :func:`summarize` call."""

    # Slots: an interval report keeps one per interval that holds a ticket.
    __slots__ = (
        "abandoned",
        "answered",
        "by_channel",
        "by_metric",
        "by_policy",
        "by_tier",
        "escalations",
        "first",
        "first_contact",
        "first_us",
        "handle_us",
        "in_line",
        "last",
        "last_us",
        "max_in_line",
        "offered",
        "open_handlings",
        "open_since_us",
        "reopened",
        "resolved",
        "resolved_handle_us",
        "resolved_handlings",
        "resolved_ticket_us",
        "series_n",
        "series_t",
        "series_us",
        "short_abandoned",
        "short_us",
        "sla",
        "target_us",
        "tickets",
        "tickets_resolved",
        "transfers",
        "wait_us",
        "within",
    )

    def __init__(self, target_us: int, short_us: int = 0) -> None:
        self.target_us = target_us
        self.short_us = short_us  # the short-abandon threshold (0: none)
        self.tickets: dict[str, _Ticket] = {}
        self.offered = self.answered = self.within = self.abandoned = 0
        self.short_abandoned = 0
        self.resolved = self.reopened = self.transfers = self.escalations = 0
        self.tickets_resolved = self.first_contact = 0
        self.wait_us = 0
        self.handle_us = 0
        self.resolved_handlings = 0
        self.resolved_handle_us = 0
        # The ended handling spans of the tickets resolved at least once, all of them.
        self.resolved_ticket_us = 0
        self.open_handlings = 0
        self.open_since_us = 0  # sum of the start instants of the open handling spans
        self.in_line = 0
        self.max_in_line = 0
        # The queue-length steps, as two arrays (instants, lengths): 16 bytes a step.
        self.series_t = array("q")
        self.series_n = array("q")
        self.series_us = _NO_STEP  # the instant of the series' last step
        self.first: datetime | None = None
        self.first_us = 0
        self.last: datetime | None = None
        self.last_us = 0
        # [met, breached] per key
        self.sla = [0, 0]
        self.by_metric: dict[str, list[int]] = {}
        self.by_tier: dict[str, list[int]] = {}
        self.by_channel: dict[str, list[int]] = {}
        self.by_policy: dict[str, list[int]] = {}

    # -- per-ticket flags ------------------------------------------------------------------

    def ticket(self, ticket_id: str) -> _Ticket:
        rec = self.tickets.get(ticket_id)
        if rec is None:
            rec = self.tickets[ticket_id] = _Ticket()
        return rec

    def enter_line(self, rec: _Ticket, at: datetime, t: int) -> None:
        self.stop_handling(rec, t)
        if not rec.in_line:
            rec.in_line = True
            self.in_line += 1
            if self.in_line > self.max_in_line:
                self.max_in_line = self.in_line
            self.step(t)

    def leave_line(self, rec: _Ticket, at: datetime, t: int) -> None:
        if rec.in_line:
            rec.in_line = False
            self.in_line -= 1
            self.step(t)

    def step(self, t: int) -> None:
        times, lengths = self.series_t, self.series_n
        if times and self.series_us == t:
            # Several changes at one instant make one step: a ticket queued and assigned at
            # once leaves no trace.
            times.pop()
            lengths.pop()
        if (lengths[-1] if lengths else 0) == self.in_line:  # the line starts empty
            # The last step, if any, is from an earlier instant: none can match (an instant
            # is never below MIN_US, while -1 is one, a microsecond before 1970).
            self.series_us = _NO_STEP
            return
        times.append(t)
        lengths.append(self.in_line)
        self.series_us = t

    def series(self) -> QueueLengthSeries:
        """The queue-length series so far, in O(1): it shares the arrays, which go on growing
        after it, up to their last step (the one a later step at the same instant replaces or
        removes: every step before it stays as it is), and holds its own copy of that one."""
        times, lengths = self.series_t, self.series_n
        if not times:
            return QueueLengthSeries()
        k = len(times) - 1
        return QueueLengthSeries._view(times, lengths, k, (times[k], lengths[k]))

    def start_handling(self, rec: _Ticket, t: int) -> None:
        self.stop_handling(rec, t)
        rec.handling_since = t
        self.open_handlings += 1
        self.open_since_us += t

    def stop_handling(self, rec: _Ticket, t: int) -> int | None:
        since = rec.handling_since
        if since is None:
            return None
        rec.handling_since = None
        self.open_handlings -= 1
        self.open_since_us -= since
        span = max(0, t - since)
        self.handle_us += span
        if rec.first_contact:  # a ticket resolved before: its handling counts at once
            self.resolved_ticket_us += span
        else:  # counted if and when the ticket is resolved
            rec.worked += span
        return span

    # -- SLA -------------------------------------------------------------------------------

    def count_sla(
        self, rec: _Ticket, metric: Metric, index: int, by: int = 1, *, back: bool = False
    ) -> None:
        """Count one cycle of *metric* as met (*index* 0) or breached (1) for the policy in
        force; *by* -1 with *back* takes back one counted before (a resolution met, then
        breached after a reopening) from the policy it was counted for."""
        self.sla[index] += by
        if rec.queued is None:
            if rec.early is None:
                rec.early = []
            if by > 0:
                rec.early.append(index)
            else:
                rec.early.remove(index)
        for key, groups in (
            (metric._value_, self.by_metric),  # str(metric) without its Python calls
            (rec.tier, self.by_tier),
            (rec.channel, self.by_channel),
            (rec.resolution_policy if back else rec.policy, self.by_policy),
        ):
            if key is None:
                continue
            counts = groups.get(key)
            if counts is None:
                counts = groups[key] = [0, 0]
            counts[index] += by

    def resolution_outcome(self, rec: _Ticket, index: int) -> None:
        """The ticket's resolution clock met (0) or breached (1) its target: counted once
        per ticket, a met one taken back when the resumed clock breaches."""
        was = rec.resolution
        if was is None:
            self.count_sla(rec, Metric.RESOLUTION, index)
            rec.resolution = index
            rec.resolution_policy = rec.policy
        elif was == 0 and index == 1:
            # Taken back where it was counted; the breach counts for the policy in force now.
            self.count_sla(rec, Metric.RESOLUTION, 0, -1, back=True)
            self.count_sla(rec, Metric.RESOLUTION, 1)
            rec.resolution = 1
            rec.resolution_policy = rec.policy

    # -- event handlers --------------------------------------------------------------------

    def queued(self, ev: TicketQueued, t: int) -> None:
        # Typed as read: an event built by hand may hold anything.
        tier: object = ev.tier
        channel: object = ev.channel
        policy: object = ev.sla_policy
        # They become report keys: checked before anything changes (once a queueing, cheap).
        if not isinstance(tier, str) or not isinstance(channel, str):
            _bad_name(ev)
        if policy is not None and not isinstance(policy, str):
            _bad_name(ev)
        rec = self.ticket(ev.ticket_id)
        if rec.queued is None:
            rec.queued = t
            rec.tier = tier
            rec.channel = channel
            rec.policy = policy
            self.offered += 1
            if rec.early is not None:
                for index in rec.early:
                    for key, groups in (
                        (tier, self.by_tier),
                        (channel, self.by_channel),
                        (policy, self.by_policy),
                    ):
                        if key is None:
                            continue
                        counts = groups.get(key)
                        if counts is None:
                            counts = groups[key] = [0, 0]
                        counts[index] += 1
                rec.early = None
                rec.resolution_policy = policy  # an early resolution outcome joined it
        self.enter_line(rec, ev.at, t)

    def policy_changed(self, ev: TicketSlaPolicyChanged, t: int) -> None:
        # Typed as read (an event built by hand may hold anything): a report key.
        new: object = ev.new
        if not isinstance(new, str):
            raise ConfigError(f"a new SLA policy must be a name (str), got {show(new)}", "new")
        # A ticket whose TicketQueued is not in the stream is in no group, whatever policy: a
        # change before its life begins (a window cut from a longer run) keeps no record.
        rec = self.tickets.get(ev.ticket_id)
        if rec is not None and rec.queued is not None:
            rec.policy = new

    def back_in_line(self, ev: DeskEvent, t: int) -> None:
        self.enter_line(self.ticket(ev.ticket_id), ev.at, t)

    def transferred(self, ev: TicketTransferred, t: int) -> None:
        rec = self.ticket(ev.ticket_id)  # first: an unhashable id changes nothing
        self.transfers += 1
        rec.handed = True
        self.enter_line(rec, ev.at, t)

    def escalated(self, ev: TicketEscalated, t: int) -> None:
        rec = self.ticket(ev.ticket_id)
        self.escalations += 1
        rec.handed = True
        self.enter_line(rec, ev.at, t)

    def assigned(self, ev: TicketAssigned, t: int) -> None:
        rec = self.ticket(ev.ticket_id)
        self.leave_line(rec, ev.at, t)
        self.start_handling(rec, t)
        if rec.outcome == 0 and rec.queued is not None:
            rec.outcome = 1
            wait = max(0, t - rec.queued)
            self.answered += 1
            self.wait_us += wait
            if wait <= self.target_us:
                self.within += 1

    def abandoned_(self, ev: TicketAbandoned, t: int) -> None:
        # An abandoned ticket is done for good (a desk may forget it and take its id for a
        # new ticket): its record goes, as a closed ticket's does.
        rec = self.tickets.pop(ev.ticket_id, None) or _Ticket()
        self.leave_line(rec, ev.at, t)
        self.stop_handling(rec, t)
        if rec.outcome == 0 and rec.queued is not None:
            rec.outcome = 2
            self.abandoned += 1
            # The wait as an answer's is measured: from the first TicketQueued, in integer
            # microseconds (so never below 0, and a threshold of 0 counts none).
            if max(0, t - rec.queued) < self.short_us:
                self.short_abandoned += 1

    def status_changed(self, ev: TicketStatusChanged, t: int) -> None:
        rec = self.ticket(ev.ticket_id)
        if ev.new == "open":
            self.enter_line(rec, ev.at, t)
        else:  # parked: pending, on hold (the agent's capacity is freed)
            self.leave_line(rec, ev.at, t)
            self.stop_handling(rec, t)

    def resolved_(self, ev: TicketResolved, t: int) -> None:
        rec = self.ticket(ev.ticket_id)
        # A resolution stops the reply clocks without an SlaMet: their cycles end here, so a
        # later cycle (after a reopening) counts on its own.
        rec.breached = 0
        rec.kept = None
        self.resolved += 1
        self.leave_line(rec, ev.at, t)
        # Before the ticket counts as resolved: its closing span joins its earlier ones.
        span = self.stop_handling(rec, t)
        if rec.first_contact == 0:  # its first resolution
            self.tickets_resolved += 1
            self.resolved_ticket_us += rec.worked  # its handling so far
            rec.worked = 0
            if rec.handed:
                rec.first_contact = 2
            else:
                rec.first_contact = 1
                self.first_contact += 1
        if span is not None:
            self.resolved_handlings += 1
            self.resolved_handle_us += span

    def reopened_(self, ev: TicketReopened, t: int) -> None:
        rec = self.ticket(ev.ticket_id)
        self.reopened += 1
        if rec.first_contact == 1:  # the customer came back: not resolved at first contact
            rec.first_contact = 2
            self.first_contact -= 1
        self.stop_handling(rec, t)

    def closed(self, ev: TicketClosed, t: int) -> None:
        rec = self.tickets.pop(ev.ticket_id, None)
        if rec is not None:
            self.leave_line(rec, ev.at, t)
            self.stop_handling(rec, t)

    def sla_breached(self, ev: SlaBreached, t: int) -> None:
        if ev.metric is Metric.RESOLUTION:
            self.resolution_outcome(self.ticket(ev.ticket_id), 1)
            return
        bit = _METRIC_BIT.get(ev.metric) or _bad_metric(ev.metric)
        rec = self.ticket(ev.ticket_id)
        if not rec.breached & bit:
            rec.breached |= bit
            if not _continues_cycle(rec, bit, ev.cycle_start):
                self.count_sla(rec, ev.metric, 1)

    def sla_met(self, ev: SlaMet, t: int) -> None:
        if ev.metric is Metric.RESOLUTION:
            self.resolution_outcome(self.ticket(ev.ticket_id), 1 if ev.breached else 0)
            return
        bit = _METRIC_BIT.get(ev.metric) or _bad_metric(ev.metric)
        rec = self.ticket(ev.ticket_id)
        if rec.breached & bit:
            rec.breached &= ~bit  # the cycle ends; its breach was counted when it came
        elif not _continues_cycle(rec, bit, ev.cycle_start):
            self.count_sla(rec, ev.metric, 1 if ev.breached else 0)
        if rec.kept:
            rec.kept.pop(bit, None)  # the cycle ends (its breach counted at a cancellation)

    def sla_cancelled(self, ev: SlaCancelled, t: int) -> None:
        # The clock ends undecided (a breach counted stays counted): a clock the metric regains
        # in the same cycle (its events name the same cycle_start) continues it, a later
        # cycle counts on its own.  (The resolution outcome is the ticket's own, counted once.)
        if ev.metric is Metric.RESOLUTION:
            return
        bit = _METRIC_BIT.get(ev.metric) or _bad_metric(ev.metric)
        rec = self.tickets.get(ev.ticket_id)
        if rec is not None and rec.breached & bit:
            rec.breached &= ~bit
            _keep_cycle(rec, bit, ev.cycle_start)

    def ignore(self, ev: object, t: int) -> None:
        """Events that change no metric (warnings, presence, overflow, surveys ...)."""

    # -- the result ------------------------------------------------------------------------

    def report(
        self,
        target: timedelta,
        short: timedelta,
        available: timedelta | None,
        until: datetime | None = None,
        until_us: int = 0,
    ) -> Report:
        """The report as of now, with the observation ending at *until* when given (nothing
        changes: a live summary can be reported on again and again)."""
        first, last, last_us = self.first, self.last, self.last_us
        if until is not None:
            last, last_us = until, until_us
            if first is None:
                first = until
        # Handling spans still open run until the end of the observation.
        open_us = self.open_handlings * last_us - self.open_since_us

        def groups(counts: dict[str, list[int]]) -> Mapping[str, Attainment]:
            return {k: Attainment(*v) for k, v in counts.items()}

        return Report(
            service_target=target,
            offered=self.offered,
            answered=self.answered,
            answered_within_target=self.within,
            abandoned=self.abandoned,
            waiting=self.in_line,
            resolved=self.resolved,
            reopened=self.reopened,
            transfers=self.transfers,
            escalations=self.escalations,
            total_wait=timedelta(microseconds=self.wait_us),
            handle_time=timedelta(microseconds=self.handle_us + open_us),
            handlings_resolved=self.resolved_handlings,
            resolved_handle_time=timedelta(microseconds=self.resolved_handle_us),
            available=available,
            sla=Attainment(*self.sla),
            sla_by_metric=groups(self.by_metric),
            sla_by_tier=groups(self.by_tier),
            sla_by_channel=groups(self.by_channel),
            queue_length=self.series(),
            max_queue_length=self.max_in_line,
            start=first,
            end=last,
            tickets_resolved=self.tickets_resolved,
            resolved_first_contact=self.first_contact,
            short_abandon=short,
            short_abandoned=self.short_abandoned,
            sla_by_policy=groups(self.by_policy),
            resolved_tickets_handle_time=timedelta(microseconds=self.resolved_ticket_us),
        )


def _bad_metric(metric: object) -> int:
    """Refuse an SLA event's *metric* that is not a :class:`~csflow.model.Metric` (the
    error's path is the field; :meth:`Summarizer.add` puts the event's index before it)."""
    raise ConfigError(
        f"an SLA event's metric must be a Metric (Metric.FIRST_RESPONSE ...), got {show(metric)}",
        "metric",
    )


def _bad_name(ev: object) -> NoReturn:
    """Refuse a ``TicketQueued`` whose tier, channel or SLA policy is not a name."""
    for field, optional in (("tier", False), ("channel", False), ("sla_policy", True)):
        value = getattr(ev, field)
        if not isinstance(value, str) and not (optional and value is None):
            allowed = "a name (str) or None" if optional else "a name (str)"
            raise ConfigError(f"a {field} must be {allowed}, got {show(value)}", field)
    raise AssertionError("a TicketQueued with names only")  # pragma: no cover


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _refused(event: object, path: str, exc: Exception) -> ConfigError | None:
    """The :class:`ConfigError` at *path* for *event*, whose handler raised *exc* before it
    changed anything (a field of the wrong type), or ``None`` when no field explains *exc*.

    The slow path only: handlers check nothing a dict look-up checks for them."""
    if isinstance(exc, ConfigError):  # a handler's own check: its path names the field
        return ConfigError(exc.detail, f"{path}.{exc.path}" if exc.path else path)
    ticket_id = getattr(event, "ticket_id", None)
    if not _hashable(ticket_id):
        return ConfigError(f"a ticket id must be a str, got {show(ticket_id)}", f"{path}.ticket_id")
    if isinstance(event, SlaBreached | SlaMet | SlaCancelled) and not _hashable(event.metric):
        try:
            _bad_metric(event.metric)
        except ConfigError as bad:
            return ConfigError(bad.detail, f"{path}.metric")
    return None


def _short_us(short_abandon: object) -> int:
    """The short-abandon threshold in microseconds.

    Raises:
        ConfigError: Not a non-negative timedelta (path ``short_abandon``).
    """
    try:
        return duration_us(short_abandon, "short_abandon", ConfigError)
    except ConfigError as exc:
        raise ConfigError(exc.detail, "short_abandon") from None


_Handler = Callable[[_Summary, Any, int], None]
_HANDLERS: Final[Mapping[type, _Handler]] = {
    TicketQueued: _Summary.queued,
    TicketRequeued: _Summary.back_in_line,
    TicketTransferred: _Summary.transferred,
    TicketEscalated: _Summary.escalated,
    TicketAssigned: _Summary.assigned,
    TicketAbandoned: _Summary.abandoned_,
    TicketStatusChanged: _Summary.status_changed,
    TicketResolved: _Summary.resolved_,
    TicketReopened: _Summary.reopened_,
    TicketClosed: _Summary.closed,
    TicketSlaPolicyChanged: _Summary.policy_changed,
    SlaBreached: _Summary.sla_breached,
    SlaMet: _Summary.sla_met,
    SlaCancelled: _Summary.sla_cancelled,
    SlaWarning: _Summary.ignore,
    AgentPresenceChanged: _Summary.ignore,
    AgentProfileChanged: _Summary.ignore,
    DeskEvent: _Summary.ignore,  # overflow, priority changes, call-backs, surveys, limits
}


def _handler_for(kind: type) -> _Handler | None:
    """The handler of *kind*'s nearest registered base class (for subclassed events).

    Not cached: the table stays constant module state, whatever classes callers invent.
    """
    for base in kind.__mro__:
        found = _HANDLERS.get(base)
        if found is not None:
            return found
    return None


def summarize(
    events: Iterable[object],
    *,
    service_target: timedelta = DEFAULT_SERVICE_TARGET,
    available: timedelta | None = None,
    until: datetime | None = None,
    short_abandon: timedelta = _ZERO,
) -> Report:
    """Summarize a stream of csflow events into a :class:`Report`, in one pass.

    The events are read once, in order, with constant work per event, so *events* may be a
    generator over a long simulation.  A desk returns its events in time order; the totals
    do not depend on how different tickets' events interleave, the queue-length series does.
    Each event must come once, and each ticket's events in the order the desk returned them:
    events carry no id that tells a repeat from a new event, so a repeated event counts
    again (a ``TicketResolved`` delivered twice is two resolutions).
    The module notes say exactly what each event counts for.

    Args:
        events: Desk, SLA and presence events, e.g. every list a desk's commands returned,
            chained.  Events that no metric uses are skipped.
        service_target: The answer-time target of the service level ("80 % answered within
            20 s"), a non-negative timedelta.
        available: Agent time available for contacts over the stream (e.g. 12 agents on for 8
            hours: ``timedelta(hours=96)``; count capacity slots for concurrent chats), used for
            :attr:`Report.occupancy`; ``None`` leaves occupancy undefined.
        until: When the observation ends (a simulation's end, the end of a reporting day):
            handling spans still open are cut there and it becomes :attr:`Report.end`.
            ``None`` ends at the latest event.
        short_abandon: The short-abandon threshold, a non-negative timedelta: a ticket
            abandoned before any answer after waiting strictly less than this (from its
            first ``TicketQueued``) is a short abandon, left out of the service level and
            the abandonment rate (:attr:`Report.short_abandoned`).  ``timedelta(0)``, the
            default, leaves every abandonment in.

    Returns:
        The :class:`Report`.

    Raises:
        ConfigError: *service_target*, *short_abandon* (path ``short_abandon``) or
            *available* is not a non-negative timedelta, *events* is not an iterable, or an
            item is not a csflow event or has a naive ``at`` (the error's ``path`` is
            ``events[i]``) or a field of the wrong type (an event built by hand: a ticket id
            that is not hashable, an SLA event's ``metric`` that is not a
            :class:`~csflow.model.Metric`, a ``TicketQueued`` whose ``tier`` or ``channel``
            is not a str or whose ``sla_policy`` is neither a str nor ``None``, a
            ``TicketSlaPolicyChanged`` whose ``new`` is not a str; the path is
            ``events[i].<field>``), or *until* is naive or before the latest event.

    Examples:
        >>> from datetime import datetime, timezone
        >>> from csflow.events import TicketAssigned, TicketQueued
        >>> from csflow.model import Priority
        >>> t0 = datetime(2026, 3, 19, 9, tzinfo=timezone.utc)
        >>> report = summarize([
        ...     TicketQueued(t0, "T1", "chat", Priority.NORMAL, None, "gold", "chat", ""),
        ...     TicketAssigned(t0 + timedelta(seconds=12), "T1", "ana", 12.0, 3, ""),
        ... ])
        >>> report.offered, report.answered, report.service_level
        (1, 1, 1.0)
        >>> report.average_speed_of_answer
        datetime.timedelta(seconds=12)

        A customer who hangs up after 3 seconds is a short abandon under a 5-second
        threshold: out of the service level and of the abandonment rate.

        >>> from csflow.events import TicketAbandoned
        >>> events = [
        ...     TicketQueued(t0, "T1", "chat", Priority.NORMAL, None, "gold", "chat", ""),
        ...     TicketAssigned(t0 + timedelta(seconds=12), "T1", "ana", 12.0, 3, ""),
        ...     TicketQueued(t0, "T2", "chat", Priority.NORMAL, None, "gold", "chat", ""),
        ...     TicketAbandoned(t0 + timedelta(seconds=3), "T2", 3.0),
        ... ]
        >>> summarize(events).service_level
        0.5
        >>> report = summarize(events, short_abandon=timedelta(seconds=5))
        >>> report.short_abandoned, report.service_level, report.abandonment_rate
        (1, 1.0, 0.0)
    """
    summary = Summarizer(service_target, short_abandon=short_abandon)
    if available is not None:
        duration_us(available, "available", ConfigError)
    if until is not None:
        instant_us(until, "until", ConfigError)
    given: object = events
    if isinstance(given, (str, bytes)) or not isinstance(given, Iterable):
        raise ConfigError(f"'events' must be an iterable of csflow events, got {show(given)}")
    summary.extend(events)
    return summary.report(available=available, until=until)


class Summarizer:
    """:func:`summarize`, one event at a time: a running :class:`Report` of a live stream.

    A host folds each event in as its desk returns it (a live dashboard), a simulator as its
    run goes; :meth:`report` can be asked at any point and changes nothing.  The memory kept
    is what :func:`summarize` keeps: one small record per ticket seen and not yet closed, plus
    the queue-length series.  It has no snapshot format of its own: a host that restarts
    folds the events in again, or keeps a pickle of it, which the same csflow version reads
    back and goes on folding into (an :class:`IntervalSummarizer` too).

    Args:
        service_target: The answer-time target of the service level, a non-negative
            timedelta.
        short_abandon: The short-abandon threshold, a non-negative timedelta (see
            :func:`summarize`); ``timedelta(0)`` counts no short abandon.

    Raises:
        ConfigError: *service_target* or *short_abandon* (path ``short_abandon``) is not a
            non-negative timedelta.

    Examples:
        >>> from datetime import datetime, timezone
        >>> from csflow.events import TicketAssigned, TicketQueued
        >>> from csflow.model import Priority
        >>> t0 = datetime(2026, 3, 19, 9, tzinfo=timezone.utc)
        >>> live = Summarizer(timedelta(seconds=20))
        >>> live.add(TicketQueued(t0, "T1", "chat", Priority.NORMAL, None, "gold", "chat", ""))
        >>> live.report().waiting
        1
        >>> live.add(TicketAssigned(t0 + timedelta(seconds=30), "T1", "ana", 30.0, 3, ""))
        >>> live.report().waiting, live.report().service_level
        (0, 0.0)
    """

    __slots__ = ("_count", "_s", "_short", "_target")

    def __init__(
        self,
        service_target: timedelta = DEFAULT_SERVICE_TARGET,
        *,
        short_abandon: timedelta = _ZERO,
    ) -> None:
        target_us = duration_us(service_target, "service_target", ConfigError)
        short_us = _short_us(short_abandon)
        self._target = service_target
        self._short = short_abandon
        self._s = _Summary(target_us, short_us)
        self._count = 0

    @property
    def events(self) -> int:
        """How many events were folded in."""
        return self._count

    def add(self, event: object, at_us: int | None = None) -> None:
        """Fold *event* in.

        Args:
            event: A desk, SLA or presence event; events that no metric uses are counted and
                skipped.
            at_us: The event's ``at`` in microseconds since the epoch, when the caller already
                has it (a simulator does); it must be that instant.  ``None`` reads ``at``.

        Raises:
            ConfigError: *event* is not a csflow event or has a naive ``at`` (the error's
                ``path`` is ``events[i]``, *i* counting the events folded in so far), or a
                field of the wrong type, as :func:`summarize` says (``events[i].<field>``),
                or *at_us* is not an int within the datetime range (``events[i].at_us``).
                Nothing is folded in then.
        """
        kind = type(event)
        handler = _HANDLERS.get(kind) or _handler_for(kind)
        if handler is None:
            raise ConfigError(
                f"expected a csflow event, got {show(event)}", f"events[{self._count}]"
            )
        at = event.at  # type: ignore[attr-defined]  # every registered event class has one
        if at_us is None:
            try:
                at_us = instant_us(at, "at", ConfigError)
            except CsflowError as exc:
                raise ConfigError(str(exc), f"events[{self._count}]") from None
        elif type(at_us) is not int or not MIN_US <= at_us <= MAX_US:
            # Checked, not trusted: a float or a huge int would fail half-way through the
            # handler, with some counts changed.
            raise ConfigError(
                "'at_us' must be the event's instant in microseconds since the epoch (an int "
                f"within the datetime range), got {show(at_us)}",
                f"events[{self._count}].at_us",
            )
        s = self._s
        try:
            handler(s, event, at_us)
        except (ConfigError, TypeError) as exc:
            # A field of the wrong type (an event built by hand): every handler fails on it
            # before it changes anything, so the event is refused whole.
            refused = _refused(event, f"events[{self._count}]", exc)
            if refused is None:
                raise
            raise refused from None
        if s.first is None or at_us < s.first_us:
            s.first, s.first_us = at, at_us
        if s.last is None or at_us > s.last_us:
            s.last, s.last_us = at, at_us
        self._count += 1

    def extend(self, events: Iterable[object]) -> None:
        """Fold every event of *events* in, in order.

        Raises:
            ConfigError: As :meth:`add`.
        """
        add = self.add
        for ev in events:
            add(ev)

    def report(
        self, *, available: timedelta | None = None, until: datetime | None = None
    ) -> Report:
        """The report of the events folded in so far (as :func:`summarize` would give).

        Its cost does not grow with the stream (a wallboard may redraw all day): its
        queue-length series shares the summary's storage rather than copying it (see
        :class:`QueueLengthSeries`), and stays as it is while more events are folded in.

        Args:
            available: Agent time available for contacts, for :attr:`Report.occupancy`.
            until: When the observation ends: handling spans still open are cut there and it
                becomes :attr:`Report.end`.  ``None`` ends at the latest event.

        Raises:
            ConfigError: *available* is not a non-negative timedelta, or *until* is naive or
                before the latest event.
        """
        if available is not None:
            duration_us(available, "available", ConfigError)
        s = self._s
        if until is None:
            return s.report(self._target, self._short, available)
        until_us = instant_us(until, "until", ConfigError)
        if s.last is not None and until_us < s.last_us:
            raise ConfigError(
                f"'until' must not be before the latest event, at {show(s.last)}, got {show(until)}"
            )
        return s.report(self._target, self._short, available, until, until_us)


# --------------------------------------------------------------------------------------------
# interval reports

DEFAULT_INTERVAL: Final = timedelta(minutes=30)
_DAY_US: Final = 86_400_000_000
_MINUTE_US: Final = 60_000_000
_UNIX_ORDINAL: Final = date(1970, 1, 1).toordinal()
# How far from a date the exact search for a boundary looks (a zone that skips a whole date,
# as Pacific/Apia skipped 2011-12-30, has no boundary on it).
_SEARCH_DAYS: Final = 8
# How often the exact search samples a zone's offset: no zone changes it twice in 3 hours.
_SAMPLE_US: Final = 3 * 3_600_000_000
# Dates remembered per grid; cleared when full (pure memoisation: a miss gives the same answer).
_GRID_CACHE_LIMIT: Final = 1024
# Handlers of events that never begin a ticket's life (summarize keeps no record for them):
# a policy change counts nothing until the ticket's TicketQueued says where it belongs.
_OUTSIDE_LIFE: Final = frozenset(
    {_Summary.ignore, _Summary.closed, _Summary.abandoned_, _Summary.policy_changed}
)
# Handlers of events that end a ticket's life (summarize drops the ticket's record).
_ENDS_LIFE: Final = frozenset({_Summary.closed, _Summary.abandoned_})
# Handlers of the SLA results that may come before a ticket's TicketQueued (its clocks ran
# from its creation, before it was submitted): its life's interval waits for its next event.
_EARLY: Final = frozenset({_Summary.sla_breached, _Summary.sla_met})


def _zone_of(zone: object) -> tzinfo:
    """*zone* as a tzinfo: an IANA name is loaded, a PEP 495 tzinfo passes."""
    if isinstance(zone, str):
        found = iana_zone(zone)
        if found is not None:
            return found
        raise ConfigError(f"'zone' must be an IANA time zone name, got {show(zone)}")
    # pytz zones ignore ``fold`` and give their first offset to a datetime built with them.
    if isinstance(zone, tzinfo) and not hasattr(zone, "localize"):
        try:
            offset = datetime(2000, 1, 1, tzinfo=zone).utcoffset()
        except Exception:  # a broken tzinfo of the caller's: refused, as any bad value is
            offset = None
        if isinstance(offset, timedelta):
            return zone
    raise ConfigError(
        f"'zone' must be an IANA time zone name or a tzinfo that gives offsets, got {show(zone)}"
    )


def _interval_us(interval: object) -> int:
    us = duration_us(interval, "interval", ConfigError)
    if us < _MINUTE_US or _DAY_US % us:
        raise ConfigError(
            "'interval' must be at least a minute and divide a day evenly "
            f"(15 or 30 minutes, an hour, a day ...), got {show(interval)}"
        )
    return us


class _Grid:
    """The interval boundaries of one zone and length: the instants at which the local wall
    clock reads midnight plus a whole number of intervals.

    An *ordinary* date keeps one UTC offset from its midnight to the next (no gap or repeated
    hour inside it or across its end), so its boundaries are its midnight plus multiples of
    the interval: three offset lookups a date, remembered.  Other dates (a DST change) are
    worked out exactly, from the pieces of the timeline on which the offset holds (see
    :meth:`_boundaries`): a repeated wall time gives two boundaries, a skipped one none.
    """

    __slots__ = ("_days", "_step", "_walls", "_zone")

    def __init__(self, zone: tzinfo, step_us: int) -> None:
        self._zone = zone
        self._step = step_us
        self._days: dict[int, int | None] = {}
        self._walls: dict[int, list[int]] = {}

    def _midnight(self, n: int) -> int | None:
        """The instant (µs) of date *n*'s midnight if the date is ordinary, else ``None``."""
        if n in self._days:
            return self._days[n]
        zone = self._zone
        result: int | None = None
        try:
            day = datetime.fromordinal(n)
            first = day.replace(tzinfo=zone).utcoffset()
            last = day.replace(
                hour=23, minute=59, second=59, microsecond=999_999, tzinfo=zone, fold=1
            ).utcoffset()
            after = datetime.fromordinal(n + 1).replace(tzinfo=zone).utcoffset()
        except (OverflowError, ValueError):
            pass  # the first or the last date a datetime holds: worked out exactly
        else:
            if first is not None and first == last == after:
                mid = (n - _UNIX_ORDINAL) * _DAY_US - first // ONE_US
                if mid >= MIN_US and mid + _DAY_US <= MAX_US:
                    result = mid
        if len(self._days) >= _GRID_CACHE_LIMIT:
            self._days.clear()
        self._days[n] = result
        return result

    def _offset(self, t: int) -> int:
        """The zone's UTC offset (µs) at instant *t*.

        Within a day of the ends of the datetime range, *t*'s wall clock may lie outside
        years 1-9999 (9999-12-31 23:00 UTC is past the year 9999 in Berlin): the offset a day
        inwards stands in for it, which gives boundaries only on dates that cannot be
        expressed, and no date that can be loses one (the pieces are clipped to its wall
        clock).
        """
        try:
            offset = from_us(t, self._zone).utcoffset()
        except OverflowError:
            inward = t - _DAY_US if t > 0 else t + _DAY_US
            offset = from_us(inward, self._zone).utcoffset()
        return 0 if offset is None else offset // ONE_US

    def _boundaries(self, n: int) -> list[int]:
        """The boundary instants (µs) whose wall clock is on date *n*, in time order."""
        found = self._walls.get(n)
        if found is not None:
            return found
        wall0 = (n - _UNIX_ORDINAL) * _DAY_US  # date n's midnight on the wall clock
        wall1 = wall0 + _DAY_US
        # Every instant whose wall clock is on date n lies in [lo, hi] (offsets are under a
        # day).  Cut that span into pieces of one offset: the offset is sampled every
        # _SAMPLE_US and each change is found by bisection (no zone changes its offset twice
        # within _SAMPLE_US).  On a piece the wall clock is the instant plus the offset, so
        # its boundaries are the grid wall times it reads, minus the offset: a repeated
        # wall time is read by two pieces, a skipped one by none.
        lo = max(MIN_US, wall0 - _DAY_US)
        hi = min(MAX_US, wall1 + _DAY_US)
        out: list[int] = []
        if lo <= hi:
            starts = [lo]
            offsets = [self._offset(lo)]
            at = lo
            while at < hi:
                nxt = min(at + _SAMPLE_US, hi)
                off = self._offset(nxt)
                if off != offsets[-1]:
                    a, b = at, nxt  # the offset changes in (a, b]
                    while b - a > 1:
                        mid = (a + b) // 2
                        if self._offset(mid) == offsets[-1]:
                            a = mid
                        else:
                            b = mid
                    starts.append(b)
                    offsets.append(off)
                at = nxt
            step = self._step
            day_start: int | None = None  # the date's first instant
            for i, off in enumerate(offsets):
                first = max(starts[i] + off, wall0)
                stop = min(starts[i + 1] if i + 1 < len(starts) else hi + 1, MAX_US + 1) + off
                stop = min(stop, wall1)
                if first < stop and day_start is None:
                    day_start = first - off
                wall = wall0 + -((wall0 - first) // step) * step  # first grid wall >= first
                while wall < stop:
                    out.append(wall - off)
                    wall += step
            out.sort()
            # A date always starts an interval: where the clock skips midnight (it springs
            # forward at 00:00) the date starts at the change, not inside the previous date's
            # last interval (which would otherwise run on through the whole date).
            if day_start is not None and (not out or out[0] > day_start):
                out.insert(0, day_start)
        if len(self._walls) >= _GRID_CACHE_LIMIT:
            self._walls.clear()
        self._walls[n] = out
        return out

    def _date(self, t: int) -> int:
        try:
            return from_us(t, self._zone).toordinal()
        except (OverflowError, ValueError):
            raise ConfigError(
                f"no interval holds {show(utc(t))}: its date in zone "
                f"{show(_zone_name(self._zone))} is outside years 1-9999"
            ) from None

    def start_of(self, t: int) -> int:
        """The latest boundary at or before instant *t* (µs).

        Raises:
            ConfigError: No such boundary can be expressed (*t* within a day of the ends of
                the datetime range, its local date or its interval's start outside them).
        """
        n = self._date(t)
        mid = self._midnight(n)
        if mid is not None:
            return mid + (t - mid) // self._step * self._step
        best: int | None = None
        # A backward change of the clock can put a boundary of the next date before t.
        for day in range(n + 1, n - _SEARCH_DAYS, -1):
            for b in self._boundaries(day):
                if b <= t and (best is None or b > best):
                    best = b
            if best is not None and day < n:
                break
        if best is None:
            raise ConfigError(
                f"no interval holds {show(utc(t))}: its start in zone "
                f"{show(_zone_name(self._zone))} would be outside years 1-9999"
            )
        return best

    def end_of(self, start: int) -> int:
        """The first boundary after boundary *start* (µs): where its interval ends."""
        n = self._date(start)
        mid = self._midnight(n)
        if mid is not None and start + self._step < mid + _DAY_US:
            return start + self._step
        best: int | None = None
        # A backward change of the clock can put a boundary of the previous date after start.
        for day in range(n - 1, n + _SEARCH_DAYS):
            for b in self._boundaries(day):
                if b > start and (best is None or b < best):
                    best = b
            if best is not None and day > n:
                break
        # None only at the end of the datetime range: the interval runs its nominal length.
        return start + self._step if best is None else best


def _zone_name(zone: tzinfo) -> str:
    """*zone* named for a message: its IANA name, else what it calls itself."""
    name = _iana_name(zone)
    return str(zone) if name is None else name


def _iana_name(zone: tzinfo) -> str | None:
    """The IANA name of a zone with the offsets of *zone*, or ``None`` when it has none.

    A ``ZoneInfo`` (or a subclass, as pendulum's zones are) is named by its key, when the
    zone database knows it.  A fixed ``datetime.timezone`` is ``"UTC"`` at offset 0 and, at
    a whole number of hours, IANA's fixed-offset zone ``Etc/GMT-h`` (POSIX signs: UTC+07:00
    is ``Etc/GMT-7``); whatever it calls itself (``timezone(..., "CET")``) is not a zone's
    name.  A fixed offset of minutes, or another tzinfo (the caller's own class, pendulum's
    fixed offsets), has no name."""
    if isinstance(zone, timezone):
        offset = zone.utcoffset(None)
        if not offset:
            return "UTC"
        hours, rest = divmod(offset, timedelta(hours=1))
        name = f"Etc/GMT{-hours:+d}"
        return name if not rest and iana_zone(name) is not None else None
    key = getattr(zone, "key", None)
    return key if iana_zone(key) is not None else None


@attrs.frozen
class IntervalReport(Sequence[tuple[datetime, Report]]):
    """An interval report: one :class:`Report` per interval of the day that offered tickets
    (see :func:`summarize_intervals`), and the whole stream's.

    It reads as a sequence of ``(start, report)`` pairs in time order, one per interval
    that holds a ticket (intervals without one are not listed).

    Attributes:
        interval: The nominal length of an interval (30 minutes, an hour ...).
        zone: The time zone whose local midnight the intervals are aligned to.
        rows: The ``(start, report)`` pairs: *start* the interval's first instant, an aware
            datetime in *zone*; *report* the :class:`Report` of the tickets it offered.  A
            start in the hour a fall-back day repeats has ``fold=1``, and Python then never
            finds it equal to an aware datetime of another zone (PEP 495): compare
            ``start.astimezone(UTC)``.
        lengths: Each row's real length, in the order of *rows*: the nominal *interval*,
            except across a DST change (a 2-hour interval that holds a skipped hour lasts
            one hour, or three).
        total: The :class:`Report` of the whole stream, as :func:`summarize` gives it.
        left_out: Events in no row: presence changes, and events of a ticket outside its
            lives (see :func:`summarize_intervals`).

    Raises:
        ConfigError: A field of the wrong kind (the path names it, and the row): *interval*
            not a timedelta of at least a minute that divides a day, *zone* not a tzinfo,
            *rows* not a tuple of ``(aware datetime, Report)`` pairs, *lengths* not a tuple
            of positive timedeltas, *total* not a :class:`Report`; *rows* and *lengths*
            differ in length, or *left_out* is not an int >= 0.
    """

    interval: timedelta
    zone: tzinfo
    rows: tuple[tuple[datetime, Report], ...]
    lengths: tuple[timedelta, ...]
    total: Report
    left_out: int = 0

    def __attrs_post_init__(self) -> None:
        # Typed as read: a report built by hand may hold anything.
        try:
            _interval_us(self.interval)
        except ConfigError as exc:
            raise ConfigError(exc.detail, "interval") from None
        zone: object = self.zone
        if not isinstance(zone, tzinfo):
            raise ConfigError(f"'zone' must be a tzinfo, got {show(zone)}", "zone")
        total: object = self.total
        if not isinstance(total, Report):
            raise ConfigError(f"'total' must be a Report, got {show(total)}", "total")
        rows: object = self.rows
        if not isinstance(rows, tuple):
            raise ConfigError(
                f"'rows' must be a tuple of (start, report) pairs, got {show(rows)}", "rows"
            )
        for i, row in enumerate(rows):
            if not isinstance(row, tuple) or len(row) != 2 or not isinstance(row[1], Report):
                raise ConfigError(
                    f"a row must be a (start, Report) pair, got {show(row)}", f"rows[{i}]"
                )
            try:
                instant_us(row[0], "start", ConfigError)
            except ConfigError as exc:
                raise ConfigError(exc.detail, f"rows[{i}]") from None
        lengths: object = self.lengths
        if not isinstance(lengths, tuple):
            raise ConfigError(
                f"'lengths' must be a tuple of timedeltas, got {show(lengths)}", "lengths"
            )
        for i, length in enumerate(lengths):
            try:
                positive = duration_us(length, "length", ConfigError) > 0
            except ConfigError as exc:
                raise ConfigError(exc.detail, f"lengths[{i}]") from None
            if not positive:
                raise ConfigError(
                    f"an interval's length must be positive, got {show(length)}", f"lengths[{i}]"
                )
        if len(self.rows) != len(self.lengths):
            raise ConfigError(
                f"'rows' and 'lengths' must be as long, got {len(self.rows)} and "
                f"{len(self.lengths)}"
            )
        _count(self.left_out, "left_out")

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, index: int) -> tuple[datetime, Report]: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[tuple[datetime, Report], ...]: ...
    def __getitem__(
        self, index: int | slice
    ) -> tuple[datetime, Report] | tuple[tuple[datetime, Report], ...]:
        return self.rows[index]

    def __iter__(self) -> Iterator[tuple[datetime, Report]]:
        return iter(self.rows)

    def to_dict(self) -> dict[str, Any]:
        """The interval report as JSON-compatible data, each report as :meth:`Report.to_dict`.

        Returns:
            ``{"interval_seconds", "zone", "intervals", "total", "left_out"}``: *intervals* a
            list of ``{"start", "length_seconds", "report"}`` dicts in time order, *start* in
            the zone's local time (ISO 8601 with its offset, so the repeated hour of a
            fall-back day reads apart), *zone* the IANA name of the zone, or ``None`` when it
            has none.  A ``ZoneInfo`` gives its key (``"Asia/Jakarta"``); a fixed
            ``datetime.timezone`` gives ``"UTC"`` at offset 0 and IANA's fixed-offset zone at
            a whole number of hours, whose sign is POSIX's (``timezone(timedelta(hours=7))``
            gives ``"Etc/GMT-7"``, a zone always at UTC+07:00), whatever name it was given;
            a fixed offset of minutes (UTC+05:30) or another tzinfo (a class of your own,
            pendulum's fixed offsets) gives ``None``.  Each *start* carries its UTC offset either way.
        """
        return {
            "interval_seconds": self.interval.total_seconds(),
            "zone": _iana_name(self.zone),
            "intervals": [
                {
                    "start": start.isoformat(),
                    "length_seconds": length.total_seconds(),
                    "report": report.to_dict(),
                }
                for (start, report), length in zip(self.rows, self.lengths, strict=True)
            ],
            "total": self.total.to_dict(),
            "left_out": self.left_out,
        }

    def table(self) -> list[str]:
        """The interval report as lines of text for a terminal or a log (nothing is printed).

        Returns:
            A header line, one line per interval (its local start date and time, with the UTC
            offset when the wall time repeats on a fall-back day), then the total: offered,
            answered, service level, ASA, abandoned and AHT -- and, when a short-abandon
            threshold is set (and only then), a last column of short abandons (``short<5 s``).
            The service level is shown as :meth:`Report.table` shows it (``>99.9%`` for a
            share short of all, ``n/a`` with nothing decided).
        """
        short = bool(self.total.short_abandon)
        head = ["interval", "offered", "answered", f"SL {_fmt_duration(self.total.service_target)}"]
        head += ["ASA", "abandoned", "AHT"]
        widths = [24, 8, 9, 10, 9, 10, 10]
        if short:
            head.append("short<" + _fmt_duration(self.total.short_abandon))
            widths.append(12)
        table = [head]
        table += [_interval_cells(_start_label(start), row, short) for start, row in self.rows]
        table.append(_interval_cells("total", self.total, short))
        # Each column as wide as its widest cell and a space (a long target or AHT included),
        # so that every figure stays under its header.
        widths = [max(w, *(len(cells[i]) + 1 for cells in table)) for i, w in enumerate(widths)]
        lines = []
        for label, *figures in table:
            cols = zip(figures, widths[1:], strict=True)
            lines.append(f"{label:<{widths[0]}}" + "".join(_col(c, w) for c, w in cols))
        return lines


def _interval_report(
    interval: timedelta,
    zone: tzinfo,
    rows: tuple[tuple[datetime, Report], ...],
    lengths: tuple[timedelta, ...],
    total: Report,
    left_out: int,
) -> IntervalReport:
    """The :class:`IntervalReport` of these fields, built by the summarizer that made them
    (the checks, one per row, would cost a redraw what the rows cost)."""
    new = object.__new__(IntervalReport)
    put = object.__setattr__
    put(new, "interval", interval)
    put(new, "zone", zone)
    put(new, "rows", rows)
    put(new, "lengths", lengths)
    put(new, "total", total)
    put(new, "left_out", left_out)
    return new


def _start_label(start: datetime) -> str:
    # The year by hand: strftime's %Y does not pad years before 1000 on every platform.
    label = f"{start.year:04d}-{start:%m-%d %H:%M}"
    other = start.replace(fold=1 - start.fold)
    if other.utcoffset() != start.utcoffset():  # a wall time the fall-back day repeats
        label += start.strftime(" %z")
    return label


def _interval_cells(label: str, report: Report, short: bool) -> list[str]:
    cells = [
        label,
        str(report.offered),
        str(report.answered),
        _fmt_rate(report.service_level),
        _fmt_duration(report.average_speed_of_answer),
        str(report.abandoned),
        _fmt_duration(report.average_handle_time),
    ]
    return [*cells, str(report.short_abandoned)] if short else cells


class _Row:
    """One interval's running summary."""

    __slots__ = ("end", "live", "start")

    def __init__(self, start: int, end: int, live: Summarizer) -> None:
        self.start = start
        self.end = end
        self.live = live


#: The fields of a :class:`Report`, in order, read at once and each set by its slot (a row's
#: report re-ended copies them).
_REPORT_FIELDS: Final = tuple(f.name for f in attrs.fields(Report))
_REPORT_VALUES: Final = operator.attrgetter(*_REPORT_FIELDS)
_REPORT_SETTERS: Final[tuple[Callable[[Report, object], None], ...]] = tuple(
    getattr(Report, name).__set__ for name in _REPORT_FIELDS
)
_END_FIELD: Final = _REPORT_FIELDS.index("end")
_HANDLE_FIELD: Final = _REPORT_FIELDS.index("handle_time")


def _reended(report: Report, end: datetime | None, handle_us: int | None) -> Report:
    """*report* with the observation ending at *end* instead (and its busy time *handle_us*
    when a handling is still open in it): a row that changed in nothing else.  Built without
    running the checks again -- its values passed them when *report* was built."""
    values = list(_REPORT_VALUES(report))
    values[_END_FIELD] = end
    if handle_us is not None:
        values[_HANDLE_FIELD] = timedelta(microseconds=handle_us)
    new = object.__new__(Report)
    for put, value in zip(_REPORT_SETTERS, values, strict=True):
        put(new, value)
    return new


def _with_early(base: Report, base_first_us: int, extra: _Summary) -> Report:
    """*base* (a row's report) with the SLA results of lives not yet placed, folded into
    *extra* (a fresh summary), added: what folding them into a copy of the row would give.

    Those results are a ticket's with no record in the row and no ``TicketQueued`` yet, so
    they count for SLA attainment overall and per metric only (no tier, channel or policy),
    and move the report's start earlier when one came before the row's first event."""
    counts = {key: [a.met, a.breached] for key, a in base.sla_by_metric.items()}
    for key, (met, breached) in extra.by_metric.items():
        mine = counts.setdefault(key, [0, 0])
        mine[0] += met
        mine[1] += breached
    start = base.start
    if extra.first is not None and extra.first_us < base_first_us:
        start = extra.first
    return attrs.evolve(
        base,
        sla=Attainment(base.sla.met + extra.sla[0], base.sla.breached + extra.sla[1]),
        sla_by_metric={key: Attainment(*v) for key, v in counts.items()},
        start=start,
    )


def _same_end(a: datetime | None, b: datetime | None) -> bool:
    """Whether *a* and *b* are the same end of an observation in every field a report shows
    (not just the same instant: a wall time in a fall-back day's repeated hour is a datetime
    unequal to the same instant in another zone)."""
    if a is b:
        return True
    return (
        type(a) is datetime
        and type(b) is datetime
        and a.tzinfo is b.tzinfo
        and a.fold == b.fold
        and a.replace(tzinfo=None) == b.replace(tzinfo=None)
    )


def summarize_intervals(
    events: Iterable[object],
    *,
    interval: timedelta = DEFAULT_INTERVAL,
    zone: str | tzinfo = "UTC",
    service_target: timedelta = DEFAULT_SERVICE_TARGET,
    until: datetime | None = None,
    short_abandon: timedelta = _ZERO,
) -> IntervalReport:
    """An interval report: a :class:`Report` per half hour (or hour, or day) of the desk's
    local day, each ticket counted in the interval that offered it.

    **Intervals.**  They are aligned to the local midnight of *zone*: a 30-minute interval
    starts at :00 and :30 on the local wall clock.  An interval is named by its first instant
    (an aware datetime in *zone*) and runs to the next boundary.  Across a DST change they
    follow the wall clock: the hour a fall-back day repeats gives two intervals of each wall
    time (distinct instants), the hour a spring-forward day skips gives none, and an
    interval that holds a change lasts longer or shorter than *interval*
    (:attr:`IntervalReport.lengths`).

    **Attribution.**  The contact-centre convention: a ticket belongs to the interval in
    which it was first offered, its first :class:`~csflow.events.TicketQueued`, and *all* its
    events -- its answer, its handling, its resolution and SLA cycles, however much later
    -- count in that interval's report.  Precisely, the stream is cut into ticket *lives*,
    as :func:`summarize` keeps its records: a life begins at the ticket's first event that
    a metric counts and ends at its :class:`~csflow.events.TicketClosed` or
    :class:`~csflow.events.TicketAbandoned` (a ticket later submitted under the same id is a
    new life).  A life belongs to the interval of its first event: for a ticket submitted in
    the stream that is its ``TicketQueued``, which a desk sends first -- but for a ticket
    submitted after it was created, after the SLA results its clocks reached before (they
    happened then): a life that begins with :class:`~csflow.sla.SlaMet` or
    :class:`~csflow.sla.SlaBreached` belongs to the interval of its ``TicketQueued`` when
    that is the ticket's next event a metric counts.  A life that begins otherwise was
    offered before the stream began (a window cut from a longer run): it is carried into the
    interval of its first event, where, as in :func:`summarize`, it
    counts for SLA attainment and busy time but not as offered -- unless a ``TicketQueued``
    comes later in it (a carried ticket reopened), which counts it as offered there, so that
    a ticket's events are never split.  Events in no life -- presence changes, and a ticket's
    warnings, overflows and other events no metric counts, closings or abandonments, before
    its life begins -- change no count of :func:`summarize`: they are left out of the rows
    (:attr:`IntervalReport.left_out`) and count in the total only.

    So each row's report is exactly ``summarize(e, service_target=..., short_abandon=...,
    until=end)`` over the events *e* of the lives that began in its interval, where *end* is
    *until* or else the latest event of the whole stream (a handling still open is cut where
    the observation ends, in every row alike), and the rows' counts -- offered, answered,
    abandoned, short abandons, waiting, resolved, SLA cycles, waits and handle times -- add
    up to :attr:`IntervalReport.total`.
    The queue-length series and the longest queue of a row are those of its own tickets.

    Memory: as :func:`summarize`, one small record per open ticket (two: its row's and the
    total's), plus one running summary per interval that holds a ticket.  Intervals without
    a ticket cost nothing, however far apart the tickets are.

    Args:
        events: Desk, SLA and presence events in the order the desk returned them, as
            :func:`summarize` reads them.
        interval: The length of an interval: at least a minute, dividing a day evenly (15 or
            30 minutes, an hour, a day ...).
        zone: The desk's time zone, an IANA name (``"Asia/Jakarta"``) or a tzinfo that
            follows PEP 495 (``zoneinfo.ZoneInfo``, a fixed ``datetime.timezone``).  A tzinfo
            class of your own is your code, as a policy is: an exception it raises for some
            date propagates as it is.
        service_target: The answer-time target of the service level, a non-negative
            timedelta.
        until: When the observation ends (the end of the reporting day): handling spans
            still open are cut there, in every row.  ``None`` ends at the latest event.
        short_abandon: The short-abandon threshold, a non-negative timedelta (see
            :func:`summarize`): short abandons are left out of each row's service level and
            abandonment rate.  ``timedelta(0)``, the default, leaves every abandonment in.

    Returns:
        The :class:`IntervalReport`.

    Raises:
        ConfigError: *interval* is not a timedelta of at least a minute that divides a day,
            *zone* is not a known zone name or a usable tzinfo, *service_target* or
            *short_abandon* (path ``short_abandon``) is not a non-negative timedelta,
            *events* is not an iterable; an item is not a csflow event, has a naive ``at``
            or a field of the wrong type (as :func:`summarize` says; the path is then
            ``events[i].<field>``), or begins a life at an instant whose interval cannot
            be expressed (its local date or its interval's start outside years 1-9999, which
            happens only within a day of the ends of the datetime range; an interval that
            can be expressed gets its row) -- the error's ``path`` is ``events[i]``; *until*
            is naive or before the latest event.

    Examples:
        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> from csflow.events import TicketAssigned, TicketQueued
        >>> from csflow.model import Priority
        >>> wib = ZoneInfo("Asia/Jakarta")
        >>> def queued(h, m, tid):
        ...     at = datetime(2026, 3, 19, h, m, tzinfo=wib)
        ...     return TicketQueued(at, tid, "chat", Priority.NORMAL, None, "gold", "chat", "")
        >>> def assigned(h, m, s, tid):
        ...     at = datetime(2026, 3, 19, h, m, s, tzinfo=wib)
        ...     return TicketAssigned(at, tid, "ana", 0.0, 1, "")
        >>> report = summarize_intervals(
        ...     [queued(9, 10, "T1"), assigned(9, 10, 15, "T1"),
        ...      queued(9, 29, "T2"), assigned(9, 31, 0, "T2"), queued(9, 40, "T3")],
        ...     zone="Asia/Jakarta",
        ... )
        >>> [(start.strftime("%H:%M"), r.offered, r.answered, r.service_level)
        ...  for start, r in report]
        [('09:00', 2, 2, 0.5), ('09:30', 1, 0, None)]
        >>> report.total.offered, report[1][1].waiting
        (3, 1)
    """
    live = IntervalSummarizer(
        interval=interval, zone=zone, service_target=service_target, short_abandon=short_abandon
    )
    if until is not None:
        instant_us(until, "until", ConfigError)
    given: object = events
    if isinstance(given, (str, bytes)) or not isinstance(given, Iterable):
        raise ConfigError(f"'events' must be an iterable of csflow events, got {show(given)}")
    live.extend(events)
    return live.report(until=until)


#: The slots of an :class:`IntervalSummarizer` that hold what its last report showed.
_SHOWN: Final = frozenset(
    {"_changed", "_index", "_moved", "_out_end", "_out_lengths", "_out_rows", "_shown"}
)


class IntervalSummarizer:
    """:func:`summarize_intervals`, one event at a time: a running interval report.

    A host folds each event in as its desk returns it (a supervisor's wallboard of today's
    half hours); :meth:`report` can be asked at any point and changes nothing.  A ticket's
    events go to the interval its life began in (see :func:`summarize_intervals`), so an
    earlier interval's report still changes while its tickets are being served.

    A report summarizes again only the intervals that had an event since the last one; it
    keeps the rows it gave for that (one :class:`Report` per interval, sharing the running
    summaries' series), which a pickle leaves out.

    Args:
        interval: The length of an interval: at least a minute, dividing a day evenly.
        zone: The desk's time zone: an IANA name or a PEP 495 tzinfo.
        service_target: The answer-time target of the service level, a non-negative
            timedelta.
        short_abandon: The short-abandon threshold, a non-negative timedelta (see
            :func:`summarize`).

    Raises:
        ConfigError: As :func:`summarize_intervals`, for these arguments.

    Examples:
        >>> from datetime import datetime, timezone
        >>> from csflow.events import TicketQueued
        >>> from csflow.model import Priority
        >>> live = IntervalSummarizer(interval=timedelta(hours=1), zone="Europe/Berlin")
        >>> live.add(TicketQueued(datetime(2026, 3, 19, 8, 15, tzinfo=timezone.utc), "T1",
        ...                       "chat", Priority.NORMAL, None, "gold", "chat", ""))
        >>> [(start.isoformat(), r.waiting) for start, r in live.report()]
        [('2026-03-19T09:00:00+01:00', 1)]
    """

    __slots__ = (
        "_changed",
        "_count",
        "_early",
        "_early_only",
        "_early_starts",
        "_grid",
        "_index",
        "_interval",
        "_left_out",
        "_lives",
        "_moved",
        "_out_end",
        "_out_lengths",
        "_out_rows",
        "_rows",
        "_short",
        "_shown",
        "_starts",
        "_target",
        "_total",
        "_zone",
    )

    def __init__(
        self,
        *,
        interval: timedelta = DEFAULT_INTERVAL,
        zone: str | tzinfo = "UTC",
        service_target: timedelta = DEFAULT_SERVICE_TARGET,
        short_abandon: timedelta = _ZERO,
    ) -> None:
        step = _interval_us(interval)
        self._zone = _zone_of(zone)
        self._interval = interval
        self._target = service_target
        self._short = short_abandon
        self._total = Summarizer(service_target, short_abandon=short_abandon)
        self._grid = _Grid(self._zone, step)
        self._rows: dict[int, _Row] = {}  # by start instant (µs)
        self._lives: dict[str, _Row] = {}  # ticket id -> the row of its open life
        # A life that begins with SLA results (a ticket submitted after it was created: its
        # clocks' breaches come before its TicketQueued): the events, and the interval of the
        # first, until the ticket's next counted event says where the life belongs.
        self._early: dict[str, tuple[int, list[tuple[object, int]]]] = {}
        # How many of those lives each interval start holds, and how many of those starts
        # hold no row yet (so that `intervals` counts the report's rows in O(1)).
        self._early_starts: dict[int, int] = {}
        self._early_only = 0
        self._left_out = 0
        self._count = 0
        # The starts of the rows' intervals, in time order.
        self._starts: list[int] = []
        self._forget_shown()

    def _forget_shown(self) -> None:
        """Forget what the last report showed (so that the next one builds every row).

        Remembered so that a report rebuilds only what changed: per listed start, its
        (start, report) pair as last shown; the starts whose rows (or early lives) changed
        since, and whether a start was listed or unlisted since; the last report's end, rows
        and lengths, and each listed start's position in them."""
        self._shown: dict[int, tuple[datetime, Report]] = {}
        self._changed: set[int] = set()
        self._out_end: datetime | None = None
        self._out_rows: tuple[tuple[datetime, Report], ...] = ()
        self._out_lengths: tuple[timedelta, ...] = ()
        self._index: dict[int, int] = {}
        self._moved = True

    def __getstate__(self) -> dict[str, object]:
        """Its state for a pickle: the running summaries, not what the last report showed
        (which the next report after unpickling builds again)."""
        return {name: getattr(self, name) for name in self.__slots__ if name not in _SHOWN}

    def __setstate__(self, state: dict[str, object]) -> None:
        for name, value in state.items():
            setattr(self, name, value)
        self._forget_shown()

    @property
    def events(self) -> int:
        """How many events were folded in."""
        return self._count

    @property
    def intervals(self) -> int:
        """How many intervals hold a ticket so far: the rows :meth:`report` would give now
        (a ticket whose life began with SLA results alone, and has not said yet where it
        belongs, in the interval of its first event)."""
        return len(self._rows) + self._early_only

    def add(self, event: object) -> None:
        """Fold *event* in: into the whole stream's summary, and its life's interval.

        Raises:
            ConfigError: *event* is not a csflow event, has a naive ``at`` or a field of the
                wrong type (as :func:`summarize` says: ``events[i].<field>``), or begins a
                ticket's life at an instant whose interval cannot be expressed (the error's
                ``path`` is ``events[i]``, *i* counting the events folded in so far).  Nothing
                is folded in then.
        """
        path = f"events[{self._count}]"
        kind = type(event)
        handler = _HANDLERS.get(kind) or _handler_for(kind)
        if handler is None:
            raise ConfigError(f"expected a csflow event, got {show(event)}", path)
        try:
            at_us = instant_us(event.at, "at", ConfigError)  # type: ignore[attr-defined]
        except CsflowError as exc:
            raise ConfigError(str(exc), path) from None
        # Find (or make ready) the event's row before anything changes.
        row: _Row | None = None
        ticket_id = ""
        fresh = False
        early = None
        if isinstance(event, DeskEvent):
            ticket_id = event.ticket_id
            try:
                row = self._lives.get(ticket_id)
            except TypeError:
                raise ConfigError(
                    f"a ticket id must be a str, got {show(ticket_id)}", f"{path}.ticket_id"
                ) from None
            early = self._early.get(ticket_id) if row is None else None
            if early is not None and handler in _EARLY:
                self._total.add(event, at_us)
                self._count += 1
                early[1].append((event, at_us))
                self._changed.add(early[0])
                return
            if row is None and (
                handler not in _OUTSIDE_LIFE or (early is not None and handler in _ENDS_LIFE)
            ):
                if early is not None and handler is not _Summary.queued:
                    start = early[0]  # a life carried in: it belongs where it began
                else:
                    try:
                        start = self._grid.start_of(at_us)
                    except CsflowError as exc:
                        raise ConfigError(str(exc), path) from None
                if early is None and handler in _EARLY:
                    self._total.add(event, at_us)
                    self._count += 1
                    self._early[ticket_id] = (start, [(event, at_us)])
                    held = self._early_starts.get(start, 0)
                    self._early_starts[start] = held + 1
                    self._changed.add(start)
                    if not held and start not in self._rows:
                        self._early_only += 1
                        self._moved = True  # a start listed
                    return
                row = self._row(start)
                fresh = True
        self._total.add(event, at_us)
        self._count += 1
        if row is None:
            self._left_out += 1
            return
        if fresh:
            if row.start not in self._rows:
                self._rows[row.start] = row
                insort(self._starts, row.start)
                if row.start in self._early_starts:
                    self._early_only -= 1  # the start has a row now
                else:
                    self._moved = True  # a start listed
            self._lives[ticket_id] = row
            if early is not None:
                del self._early[ticket_id]
                self._changed.add(early[0])
                held = self._early_starts[early[0]] - 1
                if held:
                    self._early_starts[early[0]] = held
                else:
                    del self._early_starts[early[0]]
                    if early[0] not in self._rows:
                        self._early_only -= 1
                        self._moved = True  # a start unlisted
                        self._shown.pop(early[0], None)
                for e, e_us in early[1]:
                    row.live.add(e, e_us)
        row.live.add(event, at_us)
        self._changed.add(row.start)
        if handler in _ENDS_LIFE:
            del self._lives[ticket_id]

    def _row(self, start: int) -> _Row:
        """The row of the interval starting at *start* (µs), new if it holds no ticket yet."""
        row = self._rows.get(start)
        if row is None:
            row = _Row(
                start,
                self._grid.end_of(start),
                Summarizer(self._target, short_abandon=self._short),
            )
        return row

    def extend(self, events: Iterable[object]) -> None:
        """Fold every event of *events* in, in order.

        Raises:
            ConfigError: As :meth:`add`.
        """
        add = self.add
        for ev in events:
            add(ev)

    def report(self, *, until: datetime | None = None) -> IntervalReport:
        """The interval report of the events folded in so far (as
        :func:`summarize_intervals` would give).

        Its cost grows with the intervals that changed since the last report, not with the
        day: the report of an interval none of whose tickets had an event since is the one
        shown before (the same object, when the observation ends where it did; else a copy
        ending at the new end), and only the intervals that had one are summarized again.
        Every report still lists every interval, so that much is copied each time.

        Args:
            until: When the observation ends: handling spans still open are cut there, in
                every row.  ``None`` ends at the latest event.

        Raises:
            ConfigError: *until* is naive or before the latest event.
        """
        total = self._total.report(until=until)
        end = total.end
        end_us = 0 if end is None else to_us(end)
        changed = self._changed
        shown = self._shown
        if not self._moved and _same_end(self._out_end, end):
            # The same intervals, the same end: only the changed rows are built again.
            rows = self._out_rows
            if changed:
                listed = list(rows)
                index = self._index
                for start, pair in self._build(changed, end, end_us).items():
                    listed[index[start]] = pair
                rows = tuple(listed)
            lengths = self._out_lengths
        else:
            order: list[int] = self._starts
            if self._early_only:  # starts of early lives alone, without a row
                order = list(merge(order, sorted(self._early_starts.keys() - self._rows.keys())))
            built = self._build([s for s in order if s in changed or s not in shown], end, end_us)
            listed = []
            for start in order:
                got = built.get(start)
                if got is None:  # unchanged but for the end
                    at, old = shown[start]
                    got = shown[start] = (
                        at,
                        _reended(old, end, self._open_handle_us(start, end_us)),
                    )
                listed.append(got)
            rows = tuple(listed)
            if self._moved:
                self._index = {start: i for i, start in enumerate(order)}
                self._out_lengths = tuple(
                    timedelta(microseconds=self._end_of(start) - start) for start in order
                )
            lengths = self._out_lengths
        self._out_rows = rows
        self._out_end = end
        self._moved = False
        changed.clear()
        return _interval_report(self._interval, self._zone, rows, lengths, total, self._left_out)

    def _end_of(self, start: int) -> int:
        row = self._rows.get(start)
        return self._grid.end_of(start) if row is None else row.end

    def _open_handle_us(self, start: int, end_us: int) -> int | None:
        """The busy time (µs) of the row at *start* with its open handlings cut at *end_us*,
        or ``None`` when none is open (its busy time does not move with the end)."""
        row = self._rows.get(start)
        if row is None:
            return None
        s = row.live._s
        if not s.open_handlings:
            return None
        return s.handle_us + s.open_handlings * end_us - s.open_since_us

    def _build(
        self, starts: Iterable[int], end: datetime | None, end_us: int
    ) -> dict[int, tuple[datetime, Report]]:
        """The (start, report) pairs of the intervals at *starts*, summarized again (and
        remembered as shown)."""
        out: dict[int, tuple[datetime, Report]] = {}
        # Lives that began with SLA results and have had nothing else yet count in the
        # interval of their first event, as if they had begun there; folded into summaries
        # of their own (a report changes nothing, and their TicketQueued may still come).
        extras: dict[int, Summarizer] = {}
        early_at = [s for s in starts if s in self._early_starts] if self._early else []
        if early_at:
            wanted = set(early_at)
            for start, events in self._early.values():
                if start in wanted:
                    extra = extras.get(start)
                    if extra is None:
                        extra = extras[start] = Summarizer(self._target, short_abandon=self._short)
                    for e, e_us in events:
                        extra.add(e, e_us)
        zone = self._zone
        for start in starts:
            row = self._rows.get(start)
            extra = extras.get(start)
            if row is None:
                assert extra is not None  # a start of early lives alone
                report = extra.report(until=end)
            else:
                report = row.live.report(until=end)
                if extra is not None:
                    report = _with_early(report, row.live._s.first_us, extra._s)
            old = self._shown.get(start)
            at = from_us(start, zone) if old is None else old[0]
            out[start] = self._shown[start] = (at, report)
        return out
