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
``answered + abandoned <= offered`` always holds.  A ticket is resolved *at first contact*
when its first :class:`~csflow.events.TicketResolved` comes with no hand-over before it; a
:class:`~csflow.events.TicketReopened` takes it back (the customer came back).  Events of tickets whose ``TicketQueued`` is
not in the stream (a window cut from a longer run) count for SLA attainment, and for busy time
from an assignment in the stream, but not as offered, answered or abandoned.

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
that starts after a reopening counts on its own.  The resolution clock is the ticket's own: a
reopening resumes it where it stopped (a solve pauses it), so it counts once per ticket -- as
met at a solve within target, taken back and counted as breached when the resumed clock then
breaches (a ticket solved in 2 minutes, reopened, and solved again at 6 minutes of a 3-minute
target is one breached cycle, not a met and a breached one).  Cycles still running when the
stream ends count neither way.  A ticket's record is dropped at its
:class:`~csflow.events.TicketClosed` or :class:`~csflow.events.TicketAbandoned`, so a ticket
later submitted under the same id (a desk that forgot the first) is a new ticket.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, Final, overload

import attrs

from csflow._plain import encode_instant
from csflow._text import show
from csflow._time import duration_us, instant_us, utc
from csflow.errors import ConfigError, CsflowError
from csflow.events import (
    AgentPresenceChanged,
    DeskEvent,
    TicketAbandoned,
    TicketAssigned,
    TicketClosed,
    TicketEscalated,
    TicketQueued,
    TicketReopened,
    TicketRequeued,
    TicketResolved,
    TicketStatusChanged,
    TicketTransferred,
)
from csflow.sla import Metric, SlaBreached, SlaMet, SlaWarning

__all__ = ["Attainment", "QueueLengthSeries", "Report", "Summarizer", "summarize"]

DEFAULT_SERVICE_TARGET: Final = timedelta(seconds=20)
_ZERO = timedelta(0)
# One bit per SLA metric in a ticket's "breach already counted in this cycle" mask.
_METRIC_BIT: Final = {m: 1 << i for i, m in enumerate(Metric)}


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
    return MappingProxyType({key: groups[key] for key in sorted(groups)})


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

    Args:
        steps: ``(aware datetime, length)`` pairs in time order.

    Raises:
        ConfigError: A naive or non-datetime instant, a length that is not a non-negative
            int, or steps out of time order (the path is the step's index).
    """

    __slots__ = ("_n", "_t")

    def __init__(self, steps: Iterable[tuple[datetime, int]] = ()) -> None:
        self._t = array("q")
        self._n = array("q")
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

    @classmethod
    def _of(cls, times: array[int], lengths: array[int]) -> QueueLengthSeries:
        new = cls.__new__(cls)
        new._t, new._n = times, lengths
        return new

    def __len__(self) -> int:
        return len(self._t)

    @overload
    def __getitem__(self, index: int) -> tuple[datetime, int]: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[tuple[datetime, int], ...]: ...
    def __getitem__(
        self, index: int | slice
    ) -> tuple[datetime, int] | tuple[tuple[datetime, int], ...]:
        if isinstance(index, slice):
            return tuple(zip(map(utc, self._t[index]), self._n[index], strict=True))
        return utc(self._t[index]), self._n[index]

    def __iter__(self) -> Iterator[tuple[datetime, int]]:
        return zip(map(utc, self._t), self._n, strict=True)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, QueueLengthSeries):
            return self._t == other._t and self._n == other._n
        if isinstance(other, (tuple, list)):
            return len(other) == len(self) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))  # equal to the tuple of its pairs, so hashed like it

    def __repr__(self) -> str:
        return f"QueueLengthSeries({list(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_series_of, (self._t, self._n))


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
)
_SPANS: Final = ("service_target", "total_wait", "handle_time", "resolved_handle_time")


@attrs.frozen
class Report:
    """What happened on a desk over a stream of events (see :func:`summarize`).

    Counts are stored; rates are properties computed from them, ``None`` when their
    denominator is zero (no ticket to measure is not the same as 0 %).

    Attributes:
        service_target: The answer-time target of :attr:`service_level`.
        offered: Tickets that entered the line (distinct ids with a ``TicketQueued``).
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
        handlings_resolved: Handling spans that ended in a resolution.
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
            largest value may be lower).
        start: The earliest event instant (or *until* for an empty stream), or ``None``.
        end: *until* if given, else the latest event instant; ``None`` for an empty stream.
        tickets_resolved: Distinct tickets resolved at least once.
        resolved_first_contact: Of those, the tickets resolved at first contact (see
            :attr:`first_contact_resolution`).
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

    def __attrs_post_init__(self) -> None:
        for name in _COUNTS:
            _count(getattr(self, name), name)
        for name in _SPANS:
            duration_us(getattr(self, name), name, ConfigError)
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
        """The share answered within the target, of the tickets answered or abandoned.

        Abandoned tickets count as missed; tickets still waiting are not yet decided and
        count neither way.  ``None`` when no ticket was answered or abandoned.
        """
        return _ratio(self.answered_within_target, self.answered + self.abandoned)

    @property
    def average_speed_of_answer(self) -> timedelta | None:
        """ASA: the mean wait of the answered tickets (``None`` when none was answered)."""
        return _mean(self.total_wait, self.answered)

    @property
    def abandonment_rate(self) -> float | None:
        """Abandoned over offered tickets (``None`` when nothing was offered)."""
        return _ratio(self.abandoned, self.offered)

    @property
    def first_contact_resolution(self) -> float | None:
        """FCR: the share of resolved tickets resolved at first contact -- by the handling
        they were first given, without a transfer or an escalation, and not reopened since
        (``None`` when no ticket was resolved).  A ticket resolved and later reopened leaves
        the numerator at its reopening; one requeued because its agent left still counts."""
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
        """AHT: the mean length of the handling spans that ended in a resolution, or ``None``."""
        return _mean(self.resolved_handle_time, self.handlings_resolved)

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
        return (Report, tuple(dict(v) if isinstance(v, MappingProxyType) else v for v in values))

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-compatible data: counts, rates, seconds and ISO 8601 instants.

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
            "waiting": self.waiting,
            "resolved": self.resolved,
            "reopened": self.reopened,
            "transfers": self.transfers,
            "escalations": self.escalations,
            "service_level": self.service_level,
            "average_speed_of_answer_seconds": _seconds(self.average_speed_of_answer),
            "abandonment_rate": self.abandonment_rate,
            "tickets_resolved": self.tickets_resolved,
            "resolved_first_contact": self.resolved_first_contact,
            "first_contact_resolution": self.first_contact_resolution,
            "transfers_per_ticket": self.transfers_per_ticket,
            "escalations_per_ticket": self.escalations_per_ticket,
            "handle_time_seconds": self.handle_time.total_seconds(),
            "average_handle_time_seconds": _seconds(self.average_handle_time),
            "available_seconds": _seconds(self.available),
            "occupancy": self.occupancy,
            "sla": att(self.sla),
            "sla_by_metric": {k: att(v) for k, v in self.sla_by_metric.items()},
            "sla_by_tier": {k: att(v) for k, v in self.sla_by_tier.items()},
            "sla_by_channel": {k: att(v) for k, v in self.sla_by_channel.items()},
            "queue_length": [[encode_instant(at), n] for at, n in self.queue_length],
            "max_queue_length": self.max_queue_length,
            "start": iso(self.start),
            "end": iso(self.end),
        }

    def table(self) -> list[str]:
        """The report as lines of text for a terminal or a log (nothing is printed).

        Returns:
            Aligned ``label  value`` lines: volumes, service level, ASA, abandonment, handling,
            then SLA attainment overall and per metric, tier and channel.
        """
        lines = [
            _row("offered", str(self.offered)),
            _row("answered", str(self.answered)),
            _row("abandoned", str(self.abandoned)),
            _row("still waiting", str(self.waiting)),
            _row(
                f"service level ({_fmt_duration(self.service_target)})",
                _fmt_rate(self.service_level),
            ),
            _row("average speed of answer", _fmt_duration(self.average_speed_of_answer)),
            _row("abandonment rate", _fmt_rate(self.abandonment_rate)),
            _row("transfers per ticket", _fmt_number(self.transfers_per_ticket)),
            _row("escalations per ticket", _fmt_number(self.escalations_per_ticket)),
            _row("average handle time", _fmt_duration(self.average_handle_time)),
            _row("occupancy", _fmt_rate(self.occupancy)),
            _row("longest queue", str(self.max_queue_length)),
            _row("SLA attainment", _fmt_attainment(self.sla)),
        ]
        for title, groups in (
            ("metric", self.sla_by_metric),
            ("tier", self.sla_by_tier),
            ("channel", self.sla_by_channel),
        ):
            for key, value in groups.items():
                lines.append(_row(f"  {title} {key}", _fmt_attainment(value)))
        return lines


def _mean(total: timedelta, count: int) -> timedelta | None:
    if not count:
        return None
    # Integer microseconds, rounded half to even: exact for any stream length.
    return timedelta(microseconds=round(total / timedelta(microseconds=1) / count))


_LABEL_WIDTH = 32


def _row(label: str, value: str) -> str:
    return f"{label:<{_LABEL_WIDTH}}{value}"


def _fmt_rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _fmt_number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _fmt_duration(value: timedelta | None) -> str:
    if value is None:
        return "n/a"
    seconds = value.total_seconds()
    if seconds < 120:
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
        "outcome",
        "queued",
        "resolution",
        "tier",
    )

    def __init__(self) -> None:
        self.queued: int | None = None  # first TicketQueued, microseconds
        self.tier: str | None = None
        self.channel: str | None = None
        self.outcome = 0  # 0 undecided, 1 answered, 2 abandoned
        self.handed = False  # transferred or escalated at some point
        # 0 never resolved, 1 resolved at first contact (counted), 2 resolved otherwise.
        self.first_contact = 0
        self.in_line = False
        self.handling_since: int | None = None
        self.breached = 0  # metric bits whose current cycle is already counted as breached
        # The resolution outcome counted so far (0 met, 1 breached): the clock resumes when
        # the ticket is reopened, so a later outcome replaces it (met can become breached).
        self.resolution: int | None = None
        # SLA outcomes (0 met, 1 breached) counted before its TicketQueued said its tier and
        # channel: a ticket created in the past can breach before it is queued.
        self.early: list[int] | None = None


class _Summary:
    """The running totals of one :func:`summarize` call."""

    def __init__(self, target_us: int) -> None:
        self.target_us = target_us
        self.tickets: dict[str, _Ticket] = {}
        self.offered = self.answered = self.within = self.abandoned = 0
        self.resolved = self.reopened = self.transfers = self.escalations = 0
        self.tickets_resolved = self.first_contact = 0
        self.wait_us = 0
        self.handle_us = 0
        self.resolved_handlings = 0
        self.resolved_handle_us = 0
        self.open_handlings = 0
        self.open_since_us = 0  # sum of the start instants of the open handling spans
        self.in_line = 0
        self.max_in_line = 0
        # The queue-length steps, as two arrays (instants, lengths): 16 bytes a step.
        self.series_t = array("q")
        self.series_n = array("q")
        self.series_us = -1  # the instant of the series' last step
        self.first: datetime | None = None
        self.first_us = 0
        self.last: datetime | None = None
        self.last_us = 0
        # [met, breached] per key
        self.sla = [0, 0]
        self.by_metric: dict[str, list[int]] = {}
        self.by_tier: dict[str, list[int]] = {}
        self.by_channel: dict[str, list[int]] = {}

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
            self.series_us = -1  # the last step, if any, is from an earlier instant
            return
        times.append(t)
        lengths.append(self.in_line)
        self.series_us = t

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
        return span

    # -- SLA -------------------------------------------------------------------------------

    def count_sla(self, rec: _Ticket, metric: Metric, index: int, by: int = 1) -> None:
        """Count one cycle of *metric* as met (*index* 0) or breached (1); *by* -1 takes
        back one counted before (a resolution met, then breached after a reopening)."""
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
        elif was == 0 and index == 1:
            self.count_sla(rec, Metric.RESOLUTION, 0, -1)
            self.count_sla(rec, Metric.RESOLUTION, 1)
            rec.resolution = 1

    # -- event handlers --------------------------------------------------------------------

    def queued(self, ev: TicketQueued, t: int) -> None:
        rec = self.ticket(ev.ticket_id)
        if rec.queued is None:
            rec.queued = t
            rec.tier = ev.tier
            rec.channel = ev.channel
            self.offered += 1
            if rec.early is not None:
                for index in rec.early:
                    for key, groups in ((ev.tier, self.by_tier), (ev.channel, self.by_channel)):
                        counts = groups.get(key)
                        if counts is None:
                            counts = groups[key] = [0, 0]
                        counts[index] += 1
                rec.early = None
        self.enter_line(rec, ev.at, t)

    def back_in_line(self, ev: DeskEvent, t: int) -> None:
        self.enter_line(self.ticket(ev.ticket_id), ev.at, t)

    def transferred(self, ev: TicketTransferred, t: int) -> None:
        self.transfers += 1
        rec = self.ticket(ev.ticket_id)
        rec.handed = True
        self.enter_line(rec, ev.at, t)

    def escalated(self, ev: TicketEscalated, t: int) -> None:
        self.escalations += 1
        rec = self.ticket(ev.ticket_id)
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
        self.resolved += 1
        if rec.first_contact == 0:  # its first resolution
            self.tickets_resolved += 1
            if rec.handed:
                rec.first_contact = 2
            else:
                rec.first_contact = 1
                self.first_contact += 1
        self.leave_line(rec, ev.at, t)
        span = self.stop_handling(rec, t)
        if span is not None:
            self.resolved_handlings += 1
            self.resolved_handle_us += span

    def reopened_(self, ev: TicketReopened, t: int) -> None:
        self.reopened += 1
        rec = self.ticket(ev.ticket_id)
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
        rec = self.ticket(ev.ticket_id)
        if ev.metric is Metric.RESOLUTION:
            self.resolution_outcome(rec, 1)
            return
        bit = _METRIC_BIT[ev.metric]
        if not rec.breached & bit:
            rec.breached |= bit
            self.count_sla(rec, ev.metric, 1)

    def sla_met(self, ev: SlaMet, t: int) -> None:
        rec = self.ticket(ev.ticket_id)
        if ev.metric is Metric.RESOLUTION:
            self.resolution_outcome(rec, 1 if ev.breached else 0)
            return
        bit = _METRIC_BIT[ev.metric]
        if rec.breached & bit:
            rec.breached &= ~bit  # the cycle ends; its breach was counted when it came
        else:
            self.count_sla(rec, ev.metric, 1 if ev.breached else 0)

    def ignore(self, ev: object, t: int) -> None:
        """Events that change no metric (warnings, presence, overflow, surveys ...)."""

    # -- the result ------------------------------------------------------------------------

    def report(
        self,
        target: timedelta,
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
            # Copies: a live summary goes on appending after this report.
            queue_length=QueueLengthSeries._of(
                array("q", self.series_t), array("q", self.series_n)
            ),
            max_queue_length=self.max_in_line,
            start=first,
            end=last,
            tickets_resolved=self.tickets_resolved,
            resolved_first_contact=self.first_contact,
        )


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
    SlaBreached: _Summary.sla_breached,
    SlaMet: _Summary.sla_met,
    SlaWarning: _Summary.ignore,
    AgentPresenceChanged: _Summary.ignore,
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
) -> Report:
    """Summarize a stream of csflow events into a :class:`Report`, in one pass.

    The events are read once, in order, with constant work per event, so *events* may be a
    generator over a long simulation.  A desk returns its events in time order; the totals
    do not depend on how different tickets' events interleave, the queue-length series does.
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

    Returns:
        The :class:`Report`.

    Raises:
        ConfigError: *service_target* or *available* is not a non-negative timedelta,
            *events* is not an iterable, or an item is not a csflow event or has a naive ``at``
            (the error's ``path`` is ``events[i]``), or *until* is naive or before the latest
            event.

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
    """
    summary = Summarizer(service_target)
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
    the queue-length series.

    Args:
        service_target: The answer-time target of the service level, a non-negative
            timedelta.

    Raises:
        ConfigError: *service_target* is not a non-negative timedelta.

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

    __slots__ = ("_count", "_s", "_target")

    def __init__(self, service_target: timedelta = DEFAULT_SERVICE_TARGET) -> None:
        self._target = service_target
        self._s = _Summary(duration_us(service_target, "service_target", ConfigError))
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
                ``path`` is ``events[i]``, *i* counting the events folded in so far).
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
        s = self._s
        if s.first is None or at_us < s.first_us:
            s.first, s.first_us = at, at_us
        if s.last is None or at_us > s.last_us:
            s.last, s.last_us = at, at_us
        handler(s, event, at_us)
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
            return s.report(self._target, available)
        until_us = instant_us(until, "until", ConfigError)
        if s.last is not None and until_us < s.last_us:
            raise ConfigError(
                f"'until' must not be before the latest event, at {show(s.last)}, got {show(until)}"
            )
        return s.report(self._target, available, until, until_us)
