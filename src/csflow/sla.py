"""SLA policies and per-ticket SLA clocks on business-hours calendars.

Theory of operation
-------------------
An :class:`SlaPolicy` promises, per :class:`Metric` and optionally per
:class:`~csflow.model.Priority`, an amount of *business time* on one
:class:`~csflow.calendar.BusinessCalendar`.  An :class:`SlaClock` keeps one such promise for one
ticket; a :class:`TicketSla` owns a ticket's four clocks and turns the ticket's life (agent
replies, customer messages, status changes, priority or policy changes) into clock commands.

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
caller's.  Each command first returns the events due strictly before its ``at``; the command
itself then applies; then the events due exactly at ``at`` (if the clock still runs).  Hence:

* a reply at or before the due instant meets the target; a reply after it is late;
* a clock paused exactly at a threshold does not emit it then, but when it resumes
  (at the first open instant from the resume);
* a paused clock emits nothing, and its deadline moves (``due_at`` is ``None`` while paused);
* calls at one instant count in the order they are made: :meth:`SlaClock.advance` at ``t``
  returns the events due at ``t``, so a command made after it at the same ``t`` comes after
  them (a host that polls at a due instant and then records a reply at that instant gets the
  breach first).  Polls at other instants never change which events come, or their instants.

Breach and "met late": a clock whose elapsed business time reaches its target while it runs is
*breached* (:class:`SlaBreached`); it keeps measuring how late it is (``late_by``).  When the
response or resolution finally comes, the clock becomes ``MET_LATE`` (a distinct final state:
the target was missed, the work was done) and the :class:`SlaMet` event says
``breached=True``.  A re-opened ``MET_LATE`` clock goes back to ``BREACHED``; a re-opened
``MET`` clock goes back to ``RUNNING``.

Every state change goes through one table, :data:`TRANSITIONS` (``(state, action) -> state``);
:func:`transition_graph` draws it.  A command whose action the table does not allow raises
:class:`~csflow.errors.InvalidTransitionError` and changes nothing.  An ``at`` earlier than
the clock's last instant also raises :class:`~csflow.errors.InvalidTransitionError` (time never
goes backwards); a naive ``at`` raises :class:`~csflow.errors.CalendarError`.

Recalculation (:class:`RecalcMode`) when a ticket's priority or policy changes:

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

Memory: a clock is a slotted object of eleven references; its instants are plain ints, and a
fresh clock shares one int for its start, mark and last instant.  Targets, thresholds and the
calendar live once per policy in shared :class:`SlaTarget` values.
"""

from __future__ import annotations

import bisect
import enum
import math
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, Final, TypeAlias

import attrs
import networkx as nx

from csflow._text import show
from csflow._time import ONE_US, from_us, instant_us
from csflow.calendar import BusinessCalendar
from csflow.errors import ConfigError, InvalidTransitionError
from csflow.model import Metric, Priority, parse_member

__all__ = [
    "DEFAULT_PAUSE_ON",
    "DEFAULT_WARNINGS",
    "FINAL_STATUSES",
    "PAUSABLE_STATUSES",
    "TICKET_STATUSES",
    "TRANSITIONS",
    "ClockAction",
    "ClockState",
    "Metric",
    "RecalcMode",
    "SlaBreached",
    "SlaClock",
    "SlaEvent",
    "SlaMet",
    "SlaPolicy",
    "SlaTarget",
    "SlaWarning",
    "TicketSla",
    "format_duration",
    "next_state",
    "parse_duration",
    "resolve_policy",
    "transition_graph",
]


# -- vocabulary ------------------------------------------------------------------------------


_METRICS: Final = tuple(Metric)


class RecalcMode(enum.Enum):
    """How a live clock is recalculated when the ticket's priority or SLA policy changes.

    * ``KEEP_ELAPSED`` (default): business time already used counts against the new target.
    * ``RESTART``: a fresh clock from the change instant.
    * ``RETROACTIVE``: recomputed from the clock's start under the new target and calendar,
      replaying the pause history.

    See the module documentation for the exact rules on warnings and breaches.
    """

    KEEP_ELAPSED = "keep_elapsed"
    RESTART = "restart"
    RETROACTIVE = "retroactive"

    @classmethod
    def parse(cls, value: RecalcMode | str) -> RecalcMode:
        """Return the mode named by *value* (``"restart"`` or a member).

        Raises:
            ConfigError: *value* names no mode.
        """
        return parse_member(cls, value, "recalculation mode")


#: Every ticket status a :class:`TicketSla` understands.  ``solved`` stops ``RESOLUTION``;
#: ``closed`` and ``abandoned`` are final; the others may pause metrics through ``pause_on``.
TICKET_STATUSES: Final[tuple[str, ...]] = (
    "new",
    "open",
    "queued",
    "assigned",
    "pending",
    "on_hold",
    "solved",
    "closed",
    "abandoned",
)
_SOLVED: Final = "solved"
#: Statuses after which nothing about the ticket's SLA changes any more.
FINAL_STATUSES: Final[frozenset[str]] = frozenset({"closed", "abandoned"})
#: Statuses that ``pause_on`` may name (all but ``solved`` and the final ones).
PAUSABLE_STATUSES: Final[frozenset[str]] = frozenset(TICKET_STATUSES) - FINAL_STATUSES - {_SOLVED}

#: The default ``pause_on``: waiting on the customer or on a third party pauses resolution.
DEFAULT_PAUSE_ON: Final[Mapping[str, frozenset[Metric]]] = MappingProxyType(
    {"pending": frozenset({Metric.RESOLUTION}), "on_hold": frozenset({Metric.RESOLUTION})}
)
#: The default warning thresholds, as fractions of the target.
DEFAULT_WARNINGS: Final[tuple[float, ...]] = (0.5, 0.75, 0.9)


# -- the transition table --------------------------------------------------------------------


class ClockState(enum.Enum):
    """The state of an :class:`SlaClock`.

    ``RUNNING`` and ``PAUSED`` are on time; ``BREACHED`` and ``BREACHED_PAUSED`` are past the
    target (still measuring how late); ``MET``, ``MET_LATE`` and ``CANCELLED`` are finished
    (``MET`` and ``MET_LATE`` can be re-opened).
    """

    __hash__ = object.__hash__  # as Metric's: the identity hash, computed in C

    RUNNING = "running"
    PAUSED = "paused"
    BREACHED = "breached"
    BREACHED_PAUSED = "breached_paused"
    MET = "met"
    MET_LATE = "met_late"
    CANCELLED = "cancelled"

    def __str__(self) -> str:
        return self.value


class ClockAction(enum.Enum):
    """What can happen to an :class:`SlaClock`; the keys of :data:`TRANSITIONS`.

    ``BREACH`` is driven by time (the clock's business time reaches its target while it runs);
    ``RECALC_ON_TIME`` / ``RECALC_LATE`` are the two outcomes of a recalculation; the others are
    commands (``pause``, ``resume``, ``stop``, ``cancel``, ``reopen``).
    """

    __hash__ = object.__hash__  # as Metric's: the identity hash, computed in C

    PAUSE = "pause"
    RESUME = "resume"
    BREACH = "breach"
    STOP = "stop"
    CANCEL = "cancel"
    REOPEN = "reopen"
    RECALC_ON_TIME = "recalc_on_time"
    RECALC_LATE = "recalc_late"

    def __str__(self) -> str:
        return self.value


_S = ClockState
_A = ClockAction

#: The one table of allowed clock transitions: ``(state, action) -> new state``.  The clock
#: consults it for every change; an absent key is an illegal transition.
TRANSITIONS: Final[Mapping[tuple[ClockState, ClockAction], ClockState]] = MappingProxyType(
    {
        (_S.RUNNING, _A.PAUSE): _S.PAUSED,
        (_S.RUNNING, _A.BREACH): _S.BREACHED,
        (_S.RUNNING, _A.STOP): _S.MET,
        (_S.RUNNING, _A.CANCEL): _S.CANCELLED,
        (_S.RUNNING, _A.RECALC_ON_TIME): _S.RUNNING,
        (_S.RUNNING, _A.RECALC_LATE): _S.BREACHED,
        (_S.PAUSED, _A.RESUME): _S.RUNNING,
        (_S.PAUSED, _A.STOP): _S.MET,
        (_S.PAUSED, _A.CANCEL): _S.CANCELLED,
        (_S.PAUSED, _A.RECALC_ON_TIME): _S.PAUSED,
        (_S.PAUSED, _A.RECALC_LATE): _S.BREACHED_PAUSED,
        (_S.BREACHED, _A.PAUSE): _S.BREACHED_PAUSED,
        (_S.BREACHED, _A.STOP): _S.MET_LATE,
        (_S.BREACHED, _A.CANCEL): _S.CANCELLED,
        (_S.BREACHED, _A.RECALC_ON_TIME): _S.RUNNING,
        (_S.BREACHED, _A.RECALC_LATE): _S.BREACHED,
        (_S.BREACHED_PAUSED, _A.RESUME): _S.BREACHED,
        (_S.BREACHED_PAUSED, _A.STOP): _S.MET_LATE,
        (_S.BREACHED_PAUSED, _A.CANCEL): _S.CANCELLED,
        (_S.BREACHED_PAUSED, _A.RECALC_ON_TIME): _S.PAUSED,
        (_S.BREACHED_PAUSED, _A.RECALC_LATE): _S.BREACHED_PAUSED,
        (_S.MET, _A.REOPEN): _S.RUNNING,
        (_S.MET_LATE, _A.REOPEN): _S.BREACHED,
    }
)

# Derived views of the table (kept in sync by construction, used on hot paths).
_COUNTING: Final = frozenset({_S.RUNNING, _S.BREACHED})
_PAUSED: Final = frozenset({_S.PAUSED, _S.BREACHED_PAUSED})
_LATE: Final = frozenset({_S.BREACHED, _S.BREACHED_PAUSED, _S.MET_LATE})
_LIVE: Final = _COUNTING | _PAUSED


def next_state(state: ClockState, action: ClockAction) -> ClockState:
    """The state :data:`TRANSITIONS` allows after *action* in *state*.

    Raises:
        InvalidTransitionError: The table has no such transition.
    """
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        allowed = sorted(a.value for (s, a) in TRANSITIONS if s is state)
        raise InvalidTransitionError(
            f"cannot {action.value} a clock that is {state.value}; "
            f"allowed actions in that state: {allowed}"
        ) from None


def transition_graph() -> nx.DiGraph[ClockState]:
    """The transition table as a networkx ``DiGraph`` (for docs and checks).

    Nodes are :class:`ClockState` members (attribute ``final``: no transition leaves them);
    each edge carries ``actions``, the sorted action names that take it, and ``label``, those
    names joined by ``", "``.
    """
    graph: nx.DiGraph[ClockState] = nx.DiGraph()
    for state in ClockState:
        graph.add_node(state, final=not any(s is state for s, _ in TRANSITIONS))
    for (src, action), dst in TRANSITIONS.items():
        if graph.has_edge(src, dst):
            actions = sorted([*graph.edges[src, dst]["actions"], action.value])
        else:
            actions = [action.value]
        graph.add_edge(src, dst, actions=tuple(actions), label=", ".join(actions))
    return graph


# -- durations -------------------------------------------------------------------------------

_ISO_DURATION = re.compile(
    r"P(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)(?:[.,](?P<f>\d{1,6}))?S)?)?\Z"
)


def parse_duration(value: object, path: str = "") -> timedelta:
    """Read a target duration: an ISO-8601 duration string or a number of seconds.

    ``"PT1M"``, ``"PT4H"``, ``"PT1H30M"``, ``"P1DT2H"``, ``"PT0.5S"``, ``"P1W"`` and ``90`` are
    accepted; a ``timedelta`` is returned as is.  Days and weeks are 24 hours and 7 × 24 hours
    *of business time* (a target is an amount of business time, never "business days").
    Years and months are refused (their length is ambiguous).

    Raises:
        ConfigError: *value* is malformed, zero or negative (the message carries *path*).
    """
    try:
        return _parse_duration(value, path)
    except ConfigError:
        raise
    except (OverflowError, ValueError):  # past timedelta's range, or digits past int()'s limit
        raise ConfigError(
            f"duration out of range (at most 999,999,999 days), got {show(value)}", path
        ) from None


def _parse_duration(value: object, path: str) -> timedelta:
    if isinstance(value, timedelta):
        result = value
    elif isinstance(value, bool):
        raise ConfigError(
            f"expected an ISO-8601 duration or a number of seconds, got {show(value)}", path
        )
    elif isinstance(value, int):
        result = timedelta(seconds=value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ConfigError(f"expected a finite number of seconds, got {show(value)}", path)
        result = timedelta(microseconds=round(value * 1_000_000))
    elif isinstance(value, str):
        m = _ISO_DURATION.match(value)
        if m is None or value in ("P", "PT"):
            raise ConfigError(
                "expected an ISO-8601 duration such as 'PT4H' or 'P1DT2H' (weeks, days, hours, "
                f"minutes, seconds; no years or months), got {show(value)}",
                path,
            )
        parts = {k: int(v) for k, v in m.groupdict().items() if v is not None and k != "f"}
        micros = int((m.group("f") or "0").ljust(6, "0"))
        result = timedelta(
            weeks=parts.get("w", 0),
            days=parts.get("d", 0),
            hours=parts.get("h", 0),
            minutes=parts.get("m", 0),
            seconds=parts.get("s", 0),
            microseconds=micros,
        )
    else:
        raise ConfigError(
            f"expected an ISO-8601 duration or a number of seconds, got {show(value)}", path
        )
    if result <= timedelta(0):
        raise ConfigError(f"a target must be a positive duration, got {show(value)}", path)
    return result


def format_duration(value: timedelta) -> str:
    """The ISO-8601 form of a non-negative duration, in hours, minutes and seconds.

    ``timedelta(hours=36, minutes=5)`` is ``"PT36H5M"``; :func:`parse_duration` reads it back.
    Days are written as hours so that nobody mistakes them for business days.

    Raises:
        ConfigError: *value* is negative or not a timedelta.
    """
    if not isinstance(value, timedelta) or value < timedelta(0):
        raise ConfigError(f"expected a non-negative timedelta, got {show(value)}")
    us = value // ONE_US
    seconds, micros = divmod(us, 1_000_000)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    out = "PT"
    if hours:
        out += f"{hours}H"
    if minutes:
        out += f"{minutes}M"
    if secs or micros or out == "PT":
        out += f"{secs}.{micros:06d}".rstrip("0").rstrip(".") + "S"
    return out


# -- validation helpers ----------------------------------------------------------------------


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _check_duration(value: object, path: str) -> timedelta:
    if not isinstance(value, timedelta):
        raise ConfigError(f"a target must be a datetime.timedelta, got {show(value)}", path)
    if value <= timedelta(0):
        raise ConfigError(f"a target must be a positive duration, got {show(value)}", path)
    return value


def _norm_warnings(value: object, path: str = "warnings") -> tuple[float, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ConfigError(f"expected a sequence of fractions in (0, 1), got {show(value)}", path)
    out: list[float] = []
    for i, w in enumerate(value):
        where = f"{path}[{i}]"
        if (
            isinstance(w, bool)
            or not isinstance(w, (int, float))
            or (isinstance(w, float) and not math.isfinite(w))
        ):
            raise ConfigError(
                f"a warning threshold must be a number in (0, 1), got {show(w)}", where
            )
        if not 0 < w < 1:
            raise ConfigError(
                f"a warning threshold must lie strictly between 0 and 1, got {show(w)}", where
            )
        if out and w <= out[-1]:
            raise ConfigError(
                f"warning thresholds must be strictly increasing, got {show(w)} after "
                f"{show(out[-1])}",
                where,
            )
        out.append(float(w))
    return tuple(out)


def _norm_targets(
    value: object,
    path: str = "targets",
    duration: Callable[[object, str], timedelta] = _check_duration,
) -> Mapping[Metric, timedelta | Mapping[Priority, timedelta]]:
    """Targets checked and frozen; *duration* reads each one (a timedelta, or plain data)."""
    if not isinstance(value, Mapping):
        raise ConfigError(f"expected a mapping of metric -> target, got {show(value)}", path)
    out: dict[Metric, timedelta | Mapping[Priority, timedelta]] = {}
    for key, target in value.items():
        try:
            metric = Metric.parse(key)
        except ConfigError as exc:
            raise ConfigError(exc.detail, path) from None
        where = _join(path, metric.value)
        if metric in out:
            raise ConfigError(f"metric {show(metric.value)} is given twice", path)
        if isinstance(target, Mapping):
            per: dict[Priority, timedelta] = {}
            for pkey, raw in target.items():
                try:
                    priority = Priority.parse(pkey)
                except ConfigError as exc:
                    raise ConfigError(exc.detail, where) from None
                if priority in per:
                    raise ConfigError(f"priority {show(str(priority))} is given twice", where)
                per[priority] = duration(raw, _join(where, str(priority)))
            if not per:
                raise ConfigError("expected at least one priority -> target", where)
            out[metric] = MappingProxyType(dict(sorted(per.items())))
        else:
            out[metric] = duration(target, where)
    return MappingProxyType({m: out[m] for m in _METRICS if m in out})


def _norm_pause_on(value: object, path: str = "pause_on") -> Mapping[str, frozenset[Metric]]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"expected a mapping of status -> metrics, got {show(value)}", path)
    out: dict[str, frozenset[Metric]] = {}
    for status, metrics in value.items():
        if status not in PAUSABLE_STATUSES:
            raise ConfigError(
                f"a pausing status must be one of {sorted(PAUSABLE_STATUSES)}, got {show(status)}",
                path,
            )
        where = _join(path, status)
        if isinstance(metrics, (str, Metric)) or not isinstance(metrics, Iterable):
            raise ConfigError(f"expected a list of metrics, got {show(metrics)}", where)
        parsed: set[Metric] = set()
        for i, m in enumerate(metrics):
            try:
                parsed.add(Metric.parse(m))
            except ConfigError as exc:
                raise ConfigError(exc.detail, f"{where}[{i}]") from None
        out[status] = frozenset(parsed)
    return MappingProxyType(dict(sorted(out.items())))


def _check_ticket_id(value: object) -> str:
    if not isinstance(value, str) or not value or len(value) > 256:
        raise ConfigError(
            f"ticket id must be a non-empty string of at most 256 characters, got {show(value)}"
        )
    return value


# -- targets and policies --------------------------------------------------------------------


def _to_metric(value: Metric | str) -> Metric:
    return Metric.parse(value)


def _to_warnings(value: Iterable[float]) -> tuple[float, ...]:
    return _norm_warnings(value)


@attrs.frozen
class SlaTarget:
    """One promise: *duration* of business time on *calendar* for *metric*, with warnings.

    A policy builds one per metric and priority and shares it between all clocks that use it;
    :meth:`SlaPolicy.target` returns it.  You build one yourself only to drive an
    :class:`SlaClock` directly.

    Args:
        metric: What is measured.
        duration: The target, an amount of business time (positive).
        calendar: The business hours the time counts on.
        warnings: Fractions of the target at which an :class:`SlaWarning` fires, strictly
            increasing in (0, 1).

    Raises:
        ConfigError: A bad metric, duration, calendar or threshold.
    """

    metric: Metric = attrs.field(converter=_to_metric)
    duration: timedelta = attrs.field()
    calendar: BusinessCalendar = attrs.field()
    warnings: tuple[float, ...] = attrs.field(default=DEFAULT_WARNINGS, converter=_to_warnings)
    # Integer forms used on hot paths, computed once.
    target_us: int = attrs.field(init=False, eq=False, repr=False)
    warn_us: tuple[int, ...] = attrs.field(init=False, eq=False, repr=False)

    @duration.validator
    def _v_duration(self, _a: attrs.Attribute[timedelta], value: timedelta) -> None:
        _check_duration(value, "duration")

    @calendar.validator
    def _v_calendar(self, _a: attrs.Attribute[BusinessCalendar], value: BusinessCalendar) -> None:
        if not isinstance(value, BusinessCalendar):
            raise ConfigError(f"calendar must be a BusinessCalendar, got {show(value)}")

    def __attrs_post_init__(self) -> None:
        target_us = self.duration // ONE_US
        object.__setattr__(self, "target_us", target_us)
        # Rounded to the microsecond; monotone in the threshold, so still non-decreasing.
        object.__setattr__(self, "warn_us", tuple(round(target_us * w) for w in self.warnings))


def _default_pause_on() -> Mapping[str, frozenset[Metric]]:
    return DEFAULT_PAUSE_ON


def _to_targets(value: Any) -> Mapping[Metric, timedelta | Mapping[Priority, timedelta]]:
    return _norm_targets(value)


def _to_pause_on(value: Any) -> Mapping[str, frozenset[Metric]]:
    return _norm_pause_on(value)


@attrs.frozen
class SlaPolicy:
    """The promises a desk makes for a class of tickets: a target per metric and priority.

    Args:
        name: The policy's name (what a rule's ``sla_policy`` decision names).
        calendar: The business hours every target counts on; use
            ``BusinessCalendar.always_open()`` for 24/7 channels.
        targets: Metric (or its name) -> a positive ``timedelta`` for every priority, or a
            mapping priority (or its name) -> ``timedelta``.  A metric or a priority that is not
            listed has no target: no clock runs for it.
        warnings: Fractions of each target at which an :class:`SlaWarning` fires, strictly
            increasing in (0, 1); ``()`` for none.
        pause_on: Ticket status -> the metrics it pauses; statuses from
            :data:`PAUSABLE_STATUSES`.  Default :data:`DEFAULT_PAUSE_ON` (``pending`` and
            ``on_hold`` pause ``RESOLUTION``).

    Raises:
        ConfigError: A bad name, calendar, metric, priority, target, threshold or status.

    Examples:
        >>> from datetime import timedelta
        >>> from csflow.calendar import BusinessCalendar
        >>> from csflow.model import Metric, Priority, TicketStatus, parse_member
        >>> policy = SlaPolicy(
        ...     "platinum-chat",
        ...     BusinessCalendar.always_open(),
        ...     targets={
        ...         Metric.FIRST_RESPONSE: timedelta(minutes=1),
        ...         Metric.RESOLUTION: {Priority.URGENT: timedelta(hours=4),
        ...                             Priority.NORMAL: timedelta(hours=24)},
        ...     },
        ... )
        >>> policy.target(Metric.RESOLUTION, Priority.URGENT).duration
        datetime.timedelta(seconds=14400)
        >>> policy.target(Metric.RESOLUTION, Priority.LOW) is None
        True
    """

    name: str = attrs.field()
    calendar: BusinessCalendar = attrs.field()
    targets: Mapping[Metric, timedelta | Mapping[Priority, timedelta]] = attrs.field(
        converter=_to_targets, hash=False
    )
    warnings: tuple[float, ...] = attrs.field(default=DEFAULT_WARNINGS, converter=_to_warnings)
    pause_on: Mapping[str, frozenset[Metric]] = attrs.field(
        factory=_default_pause_on, converter=_to_pause_on, hash=False
    )
    _specs: Mapping[tuple[Metric, Priority], SlaTarget] = attrs.field(
        init=False, repr=False, eq=False, hash=False
    )
    _paused_by: Mapping[str, tuple[bool, ...]] = attrs.field(
        init=False, repr=False, eq=False, hash=False
    )

    @name.validator
    def _v_name(self, _a: attrs.Attribute[str], value: str) -> None:
        if not isinstance(value, str) or not value or len(value) > 256:
            raise ConfigError(
                "SLA policy name must be a non-empty string of at most 256 characters, got "
                f"{show(value)}"
            )

    @calendar.validator
    def _v_calendar(self, _a: attrs.Attribute[BusinessCalendar], value: BusinessCalendar) -> None:
        if not isinstance(value, BusinessCalendar):
            raise ConfigError(f"SLA policy calendar must be a BusinessCalendar, got {show(value)}")

    def __attrs_post_init__(self) -> None:
        specs: dict[tuple[Metric, Priority], SlaTarget] = {}
        for metric, target in self.targets.items():
            if isinstance(target, Mapping):
                for priority, duration in target.items():
                    specs[(metric, priority)] = SlaTarget(
                        metric, duration, self.calendar, self.warnings
                    )
            else:
                shared = SlaTarget(metric, target, self.calendar, self.warnings)
                for priority in Priority:
                    specs[(metric, priority)] = shared
        object.__setattr__(self, "_specs", MappingProxyType(specs))
        # status -> one flag per metric (in Metric order): the hot path of TicketSla.
        paused_by = {
            status: tuple(m in metrics for m in _METRICS)
            for status, metrics in self.pause_on.items()
        }
        object.__setattr__(self, "_paused_by", MappingProxyType(paused_by))

    def target(self, metric: Metric | str, priority: Priority | str | int) -> SlaTarget | None:
        """The target for *metric* at *priority*, or ``None`` when the policy sets none.

        Raises:
            ConfigError: *metric* or *priority* names nothing.
        """
        return self._specs.get((Metric.parse(metric), Priority.parse(priority)))

    def pauses(self, status: str, metric: Metric | str) -> bool:
        """Whether ticket status *status* pauses *metric* under this policy."""
        return Metric.parse(metric) in self.pause_on.get(status, frozenset())

    # -- plain-data form ---------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The policy as JSON-compatible data; :meth:`from_dict` reads it back.

        Targets are ISO-8601 durations in hours, minutes and seconds (``"PT24H"``); the
        calendar is written inline (:meth:`BusinessCalendar.to_dict`).
        """
        targets: dict[str, Any] = {}
        for metric, target in self.targets.items():
            if isinstance(target, Mapping):
                targets[metric.value] = {str(p): format_duration(d) for p, d in target.items()}
            else:
                targets[metric.value] = format_duration(target)
        return {
            "name": self.name,
            "calendar": self.calendar.to_dict(),
            "targets": targets,
            "warnings": list(self.warnings),
            "pause_on": {
                status: [m.value for m in _METRICS if m in metrics]
                for status, metrics in self.pause_on.items()
            },
        }

    @classmethod
    def from_dict(
        cls,
        data: object,
        calendars: Mapping[str, BusinessCalendar] | None = None,
        path: str = "sla_policy",
    ) -> SlaPolicy:
        """Build a policy from JSON-compatible data.

        Shape::

            {"name": "regular-email",
             "calendar": "jakarta-office",          # a name in *calendars*, or inline data
             "targets": {"first_response": "PT8H",
                         "resolution": {"urgent": "PT4H", "normal": 86400}},
             "warnings": [0.5, 0.75, 0.9],           # optional
             "pause_on": {"pending": ["resolution"]}} # optional

        Args:
            data: The mapping above.
            calendars: Named calendars that ``"calendar"`` may refer to.
            path: Where *data* sits in a larger document, for error messages.

        Raises:
            ConfigError: Anything malformed, with the path to it, e.g.
                ``sla_policies[2].targets.resolution.urgent: a target must be ...``.
        """
        if not isinstance(data, Mapping):
            raise ConfigError(f"expected a mapping, got {show(data)}", path)
        allowed = {"name", "calendar", "targets", "warnings", "pause_on"}
        for key in data:
            if key not in allowed:
                raise ConfigError(
                    f"unknown key {show(key)}; expected one of {sorted(allowed)}", path
                )
        for key in ("name", "calendar", "targets"):
            if key not in data:
                raise ConfigError(f"missing required key {show(key)}", path)
        name = data["name"]
        if not isinstance(name, str) or not name or len(name) > 256:
            raise ConfigError(
                f"expected a non-empty string of at most 256 characters, got {show(name)}",
                _join(path, "name"),
            )
        cal_raw = data["calendar"]
        if isinstance(cal_raw, str):
            known = calendars or {}
            if cal_raw not in known:
                raise ConfigError(
                    f"unknown calendar {show(cal_raw)}; known calendars: {sorted(known)}",
                    _join(path, "calendar"),
                )
            calendar = known[cal_raw]
        elif isinstance(cal_raw, BusinessCalendar):
            calendar = cal_raw
        else:
            calendar = BusinessCalendar.from_dict(cal_raw, path=_join(path, "calendar"))
        tpath = _join(path, "targets")
        norm_targets = _norm_targets(data["targets"], tpath, parse_duration)
        warnings = _norm_warnings(data.get("warnings", DEFAULT_WARNINGS), _join(path, "warnings"))
        pause_on = _norm_pause_on(data.get("pause_on", DEFAULT_PAUSE_ON), _join(path, "pause_on"))
        return cls(name, calendar, norm_targets, warnings, pause_on)


def resolve_policy(name: object, policies: Mapping[str, SlaPolicy]) -> SlaPolicy:
    """The policy called *name* in *policies* (e.g. a rule decision's ``sla_policy``).

    Which policy applies is a policy-engine decision; this only maps the decided name to the
    value, so that the SLA layer stays independent of the rule engine.

    Raises:
        ConfigError: No policy has that name.
    """
    policy = policies.get(name) if isinstance(name, str) else None
    if policy is None:
        raise ConfigError(f"unknown SLA policy {show(name)}; known policies: {sorted(policies)}")
    return policy


# -- events ----------------------------------------------------------------------------------


@attrs.frozen
class SlaWarning:
    """A clock used *threshold* of its target at business-time instant *at*.

    Attributes:
        ticket_id: The ticket.
        metric: The metric.
        threshold: The fraction of the target used (e.g. ``0.75``).
        at: When the threshold was reached (not when it was polled).
        due_at: The deadline in force at that instant.
    """

    ticket_id: str
    metric: Metric
    threshold: float
    at: datetime
    due_at: datetime


@attrs.frozen
class SlaBreached:
    """A clock reached its target: from now on it measures how late it is.

    Attributes:
        ticket_id: The ticket.
        metric: The metric.
        at: When the breach happened: the due instant for a breach driven by time, the change
            instant for one caused by a recalculation.
        due_at: The instant the target was reached (earlier than *at* only after a
            ``RETROACTIVE`` recalculation).
        target: The target that was missed.
    """

    ticket_id: str
    metric: Metric
    at: datetime
    due_at: datetime
    target: timedelta


@attrs.frozen
class SlaMet:
    """A clock stopped because its response or resolution came.

    Attributes:
        ticket_id: The ticket.
        metric: The metric.
        at: When it was met.
        elapsed: Business time used.
        target: The target.
        breached: Whether the target had been breached (met late).
    """

    ticket_id: str
    metric: Metric
    at: datetime
    elapsed: timedelta
    target: timedelta
    breached: bool

    @property
    def late_by(self) -> timedelta:
        """Business time beyond the target (zero when met on time)."""
        return max(self.elapsed - self.target, timedelta(0))


SlaEvent: TypeAlias = SlaWarning | SlaBreached | SlaMet


def _event_at(event: SlaEvent) -> datetime:
    return event.at


# -- the clock -------------------------------------------------------------------------------


def _req_int(data: Mapping[str, Any], key: str, path: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ConfigError(f"expected an int, got {show(value)}", _join(path, key))
    return value


def _check_at(at: object) -> int:
    return instant_us(at, "at")


class SlaClock:
    """One ticket's clock for one metric: running, paused, breached, met or cancelled.

    Every method takes ``at``, an aware datetime not earlier than the clock's last instant,
    and the commands return the :data:`SlaEvent` values that became due up to ``at``, in time
    order, each with its true instant.  The clock's ``state`` reflects the events returned so
    far: call :meth:`advance` to bring it up to ``at``.

    Args:
        ticket_id: The ticket, copied into events.
        target: The promise (usually ``policy.target(metric, priority)``).
        at: When the clock starts.
        paused: Start paused (for a ticket whose status pauses the metric).

    Raises:
        CalendarError: *at* is naive.
        ConfigError: A bad ticket id or target.
    """

    __slots__ = (
        "_due",
        "_history",
        "_k",
        "_last",
        "_mark",
        "_next",
        "_spec",
        "_started",
        "_state",
        "_ticket_id",
        "_used",
    )

    _ticket_id: str
    _spec: SlaTarget
    _state: ClockState
    _started: int  # start instant (µs): creation, or the last RESTART
    _mark: int  # running: start of the current stretch; paused/finished: when it paused/stopped
    _used: int  # business µs counted before _mark
    _last: int  # the latest instant any call has passed
    _k: int  # thresholds [0, _k) have fired or were passed over
    _next: int | None  # instant of the next event, None when none can come (paused, late, done)
    _due: int | None  # late: when the target was reached; running on time: memoised deadline
    _history: list[int] | None  # pauses as flat [start0, end0, start1, end1, ...]

    def __init__(
        self, ticket_id: str, target: SlaTarget, at: datetime, *, paused: bool = False
    ) -> None:
        _check_ticket_id(ticket_id)
        if not isinstance(target, SlaTarget):
            raise ConfigError(f"target must be an SlaTarget, got {show(target)}")
        self._init(ticket_id, target, _check_at(at), paused)

    @classmethod
    def _start_us(cls, ticket_id: str, spec: SlaTarget, t: int, paused: bool) -> SlaClock:
        self = cls.__new__(cls)
        self._init(ticket_id, spec, t, paused)
        return self

    def _init(self, ticket_id: str, spec: SlaTarget, t: int, paused: bool) -> None:
        self._ticket_id = ticket_id
        self._spec = spec
        self._started = self._mark = self._last = t
        self._used = 0
        # Thresholds that round to zero business time are passed over, as after a restart.
        self._k = bisect.bisect_right(spec.warn_us, 0)
        self._due = None
        self._history = None
        if paused:
            self._state = ClockState.PAUSED
            self._next = None
        else:
            self._state = ClockState.RUNNING
            self._next = self._instant(self._amount())

    # -- internals ---------------------------------------------------------------------------

    def _amount(self) -> int:
        """Business µs (from the start) at which the next event is due."""
        warn = self._spec.warn_us
        return warn[self._k] if self._k < len(warn) else self._spec.target_us

    def _instant(self, amount: int) -> int:
        """The instant the running clock's elapsed time reaches *amount*."""
        cal = self._spec.calendar
        d = amount - self._used
        # Already reached (only after a pause exactly at the instant, or a recalculation): due
        # as soon as business time flows again.
        return cal.add_us(self._mark, d) if d > 0 else cal.next_open_us(self._mark)

    def _require(self, action: ClockAction) -> None:
        # Validate before mutating.  Time-driven events before `at` can only turn RUNNING into
        # BREACHED, and the table allows the same commands in both (a test checks this), so a
        # command allowed now is still allowed after them.
        if (self._state, action) not in TRANSITIONS:
            next_state(self._state, action)

    def _check_time(self, at: object) -> int:
        t = _check_at(at)
        if t < self._last:
            raise InvalidTransitionError(
                f"'at' must not be earlier than the clock's last instant "
                f"{from_us(self._last, self._spec.calendar.zone).isoformat()}, got {show(at)}"
            )
        return t

    def _poll_us(self, limit: int, out: list[SlaEvent]) -> None:
        nxt = self._next
        while nxt is not None and nxt <= limit:
            self._fire(nxt, out)
            nxt = self._next

    def _fire(self, u: int, out: list[SlaEvent]) -> None:
        spec = self._spec
        warn = spec.warn_us
        k = self._k
        zone = spec.calendar.zone
        if k < len(warn):
            due = self._due
            if due is None:
                due = self._due = self._instant(spec.target_us)
            out.append(
                SlaWarning(
                    self._ticket_id,
                    spec.metric,
                    spec.warnings[k],
                    from_us(u, zone),
                    from_us(due, zone),
                )
            )
            k += 1
            self._k = k
            self._next = self._instant(warn[k]) if k < len(warn) else due
        else:
            self._state = TRANSITIONS[(self._state, ClockAction.BREACH)]
            self._due = u
            self._next = None
            when = from_us(u, zone)
            out.append(SlaBreached(self._ticket_id, spec.metric, when, when, spec.duration))

    def _used_at(self, t: int) -> int:
        if self._state in _COUNTING:
            return self._used + self._spec.calendar.elapsed_us(self._mark, t)
        return self._used

    def _pause_us(self, t: int, out: list[SlaEvent]) -> None:
        self._poll_us(t - 1, out)
        state = TRANSITIONS[(self._state, ClockAction.PAUSE)]
        self._used += self._spec.calendar.elapsed_us(self._mark, t)
        self._mark = self._last = t
        self._next = None
        if state is ClockState.PAUSED:
            self._due = None  # the deadline moves while paused
        self._state = state

    def _resume_us(self, t: int, out: list[SlaEvent]) -> None:
        state = TRANSITIONS[(self._state, ClockAction.RESUME)]
        self._record_gap(t)
        self._state = state
        if state is ClockState.RUNNING:
            self._next = self._instant(self._amount())
        self._poll_us(t, out)

    def _record_gap(self, t: int) -> None:
        if self._history is None:
            self._history = [self._mark, t]
        else:
            self._history += (self._mark, t)
        self._mark = self._last = t

    def _fold(self, t: int) -> None:
        """Bring `used` and `mark` to *t* before the clock finishes."""
        if self._state in _COUNTING:
            self._used += self._spec.calendar.elapsed_us(self._mark, t)
            self._mark = self._last = t
        else:
            # A pause in progress ends here: keep it in the history, or a RETROACTIVE replay
            # after a re-opening would count it.
            self._record_gap(t)

    def _stop_us(self, t: int, out: list[SlaEvent]) -> None:
        self._poll_us(t - 1, out)
        state = TRANSITIONS[(self._state, ClockAction.STOP)]
        self._fold(t)
        self._next = None
        if state is ClockState.MET:
            self._due = None
        self._state = state
        spec = self._spec
        out.append(
            SlaMet(
                self._ticket_id,
                spec.metric,
                from_us(t, spec.calendar.zone),
                timedelta(microseconds=self._used),
                spec.duration,
                state is ClockState.MET_LATE,
            )
        )

    def _cancel_us(self, t: int, out: list[SlaEvent]) -> None:
        self._poll_us(t - 1, out)
        state = TRANSITIONS[(self._state, ClockAction.CANCEL)]
        self._fold(t)
        self._next = None
        self._due = None
        self._state = state

    def _reopen_us(self, t: int, out: list[SlaEvent]) -> None:
        state = TRANSITIONS[(self._state, ClockAction.REOPEN)]
        # The stretch between the stop and the re-opening is recorded like a pause, so that a
        # RETROACTIVE recalculation replays it.
        self._record_gap(t)
        self._state = state
        if state is ClockState.RUNNING:
            self._next = self._instant(self._amount())
        self._poll_us(t, out)

    def _advance_us(self, t: int, out: list[SlaEvent]) -> None:
        self._poll_us(t, out)
        self._last = t

    def _recalc_us(self, spec: SlaTarget, t: int, mode: RecalcMode, out: list[SlaEvent]) -> None:
        self._poll_us(t - 1, out)
        old_late = self._state in _LATE
        running = self._state in _COUNTING
        if mode is RecalcMode.RETROACTIVE:
            fresh = self._replayed(spec, t)
            late = fresh._state in _LATE
            self._used, self._mark = fresh._used, fresh._mark
            self._k, self._next, self._due = fresh._k, fresh._next, fresh._due
        else:
            if mode is RecalcMode.RESTART:
                used = 0
                self._started = self._mark = t
                self._history = None
            elif running:  # KEEP_ELAPSED: fold the running stretch, measured on the old calendar
                used = self._used + self._spec.calendar.elapsed_us(self._mark, t)
                self._mark = t
            else:
                used = self._used
            self._used = used
            late = used >= spec.target_us
            if late:
                self._k = len(spec.warn_us)
                self._next = None
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
            self._next = self._instant(self._amount()) if running else None
        if late and not old_late:
            zone = spec.calendar.zone
            due = self._due if self._due is not None else t
            out.append(
                SlaBreached(
                    self._ticket_id,
                    spec.metric,
                    from_us(t, zone),
                    from_us(due, zone),
                    spec.duration,
                )
            )
        self._poll_us(t, out)

    def _replayed(self, spec: SlaTarget, t: int) -> SlaClock:
        """A fresh clock on *spec*, driven silently through this clock's history up to *t*."""
        fresh = SlaClock._start_us(self._ticket_id, spec, self._started, False)
        sink: list[SlaEvent] = []
        history = self._history or ()
        for i in range(0, len(history), 2):
            fresh._pause_us(history[i], sink)
            fresh._resume_us(history[i + 1], sink)
        if self._state in _PAUSED:
            fresh._pause_us(self._mark, sink)
        fresh._advance_us(t, sink)
        return fresh

    # -- commands ----------------------------------------------------------------------------

    def pause(self, at: datetime) -> list[SlaEvent]:
        """Stop counting business time (a running or breached clock).

        Returns:
            Events that became due before *at*.

        Raises:
            InvalidTransitionError: The clock is not running, or *at* is earlier than its last
                instant.
            CalendarError: *at* is naive.
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
            CalendarError: *at* is naive.
        """
        t = self._check_time(at)
        self._require(ClockAction.RESUME)
        out: list[SlaEvent] = []
        self._resume_us(t, out)
        return out

    def stop(self, at: datetime) -> list[SlaEvent]:
        """The response or resolution came: the clock is met (or met late).

        Returns:
            Events due before *at*, then the :class:`SlaMet`.

        Raises:
            InvalidTransitionError: The clock is finished, or *at* is earlier than its last
                instant.
            CalendarError: *at* is naive.
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
            CalendarError: *at* is naive.
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
            CalendarError: *at* is naive.
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
            CalendarError: *at* is naive.
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
            mode: See :class:`RecalcMode`.

        Returns:
            Events due before *at* under the old target, then an :class:`SlaBreached` if the
            clock is over the new target and was not breached before.

        Raises:
            InvalidTransitionError: The clock is finished, or *at* is earlier than its last
                instant.
            ConfigError: *target* is not an :class:`SlaTarget` for this metric, or *mode* is
                unknown.
            CalendarError: *at* is naive.
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
    def last_at(self) -> datetime:
        """The latest instant any call has passed; ``at`` may not go below it."""
        return from_us(self._last, self._spec.calendar.zone)

    @property
    def next_event_us(self) -> int | None:
        """:attr:`next_event_at` as integer µs since the epoch."""
        return self._next

    @property
    def next_event_at(self) -> datetime | None:
        """When the clock next has an event (a warning or the breach); ``None`` if never."""
        return None if self._next is None else from_us(self._next, self._spec.calendar.zone)

    @property
    def due_at(self) -> datetime | None:
        """The deadline: when business time used reaches the target.

        For a running clock, the instant it will be breached; for a breached (or met late)
        clock, when it was; ``None`` while paused on time (the deadline moves), once met on
        time, or when cancelled.
        """
        due = self.due_us
        return None if due is None else from_us(due, self._spec.calendar.zone)

    @property
    def due_us(self) -> int | None:
        """:attr:`due_at` as integer microseconds since the epoch (no datetime built)."""
        state = self._state
        if state in _LATE:
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
            CalendarError: *at* is naive.
        """
        return timedelta(microseconds=self._used_at(self._check_time(at)))

    def remaining(self, at: datetime) -> timedelta:
        """Business time left before the target at *at* (zero once reached).

        Raises:
            InvalidTransitionError: *at* is earlier than the clock's last instant.
            CalendarError: *at* is naive.
        """
        used = self._used_at(self._check_time(at))
        return timedelta(microseconds=max(self._spec.target_us - used, 0))

    def late_by(self, at: datetime) -> timedelta:
        """Business time used beyond the target at *at* (zero while within it).

        Raises:
            InvalidTransitionError: *at* is earlier than the clock's last instant.
            CalendarError: *at* is naive.
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

    def to_dict(self) -> dict[str, Any]:
        """The clock's state as JSON-compatible data (instants as µs since the epoch).

        :meth:`from_dict` with the same calendar gives a clock with identical future events.
        """
        return {
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
            "next": self._next,
            "due": self._due,
            "history": None if self._history is None else list(self._history),
        }

    @classmethod
    def from_dict(cls, data: object, calendar: BusinessCalendar, path: str = "clock") -> SlaClock:
        """Rebuild a clock from :meth:`to_dict` data, on *calendar*.

        Raises:
            ConfigError: Malformed data, with the path to it.
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
                f"expected a duration in µs, got {show(target_us)}", _join(path, "target_us")
            ) from None
        spec = SlaTarget(metric, target, calendar, data.get("warnings", ()))
        history = data.get("history")
        if history is not None and (
            not isinstance(history, list)
            or len(history) % 2
            or not all(isinstance(x, int) and not isinstance(x, bool) for x in history)
        ):
            raise ConfigError(
                f"expected a flat list of int pairs, got {show(history)}", _join(path, "history")
            )
        self = cls.__new__(cls)
        self._ticket_id = _check_ticket_id(data.get("ticket_id"))
        self._spec = spec
        self._state = state
        self._started = _req_int(data, "started", path)
        self._mark = _req_int(data, "mark", path)
        self._used = _req_int(data, "used", path)
        self._last = _req_int(data, "last", path)
        self._k = _req_int(data, "k", path)
        self._next = None if data.get("next") is None else _req_int(data, "next", path)
        self._due = None if data.get("due") is None else _req_int(data, "due", path)
        self._history = None if history is None else list(history)
        return self


# -- the per-ticket object -------------------------------------------------------------------


_FR, _NR, _PU, _RES = _METRICS


class TicketSla:
    """A ticket's SLA: its four clocks, driven by the ticket's life.

    ``FIRST_RESPONSE`` and ``RESOLUTION`` start at creation (when the policy sets a target for
    the ticket's priority); ``NEXT_RESPONSE`` at a customer message that follows an agent
    reply; ``PERIODIC_UPDATE`` at the first agent reply, restarted by each later reply.  Status
    changes pause and resume clocks per the policy's ``pause_on``; ``solved`` stops
    ``RESOLUTION`` (and cancels the response clocks still running, which a solve neither meets
    nor breaches); a status change away from ``solved`` re-opens ``RESOLUTION`` from where it
    stopped and starts a new ``PERIODIC_UPDATE`` cycle; ``closed`` and ``abandoned`` cancel
    every live clock and are final.

    Every command takes ``at`` (aware, not earlier than the last one) and returns the events
    of all four clocks, in time order: those due before ``at``, then the command's own, then
    those due exactly at ``at``.  A command that raises has changed nothing.

    Args:
        ticket_id: The ticket.
        policy: The SLA policy the desk chose for the ticket.
        priority: The ticket's priority (a :class:`~csflow.model.Priority` or its name).
        created_at: When the ticket was created.
        status: The initial status (from :data:`TICKET_STATUSES`, not solved or final).

    Raises:
        ConfigError: A bad ticket id, policy, priority or status.
        CalendarError: *created_at* is naive.
    """

    __slots__ = ("_clocks", "_last", "_policy", "_priority", "_replied", "_status", "_ticket_id")

    def __init__(
        self,
        ticket_id: str,
        policy: SlaPolicy,
        priority: Priority | str | int,
        created_at: datetime,
        *,
        status: str = "new",
    ) -> None:
        _check_ticket_id(ticket_id)
        if not isinstance(policy, SlaPolicy):
            raise ConfigError(f"policy must be an SlaPolicy, got {show(policy)}")
        prio = Priority.parse(priority)
        if status not in PAUSABLE_STATUSES:
            raise ConfigError(
                f"initial status must be one of {sorted(PAUSABLE_STATUSES)}, got {show(status)}"
            )
        t = _check_at(created_at)
        self._ticket_id = ticket_id
        self._policy = policy
        self._priority = prio
        self._status = status
        self._replied = False
        self._last = t
        paused = policy._paused_by.get(status, (False, False, False, False))
        specs = policy._specs
        clocks: list[SlaClock | None] = [None, None, None, None]
        for i in (0, 3):  # FIRST_RESPONSE and RESOLUTION start with the ticket
            spec = specs.get((_METRICS[i], prio))
            if spec is not None:
                clocks[i] = SlaClock._start_us(ticket_id, spec, t, paused[i])
        self._clocks = clocks

    @classmethod
    def for_ticket(cls, ticket: Any, policy: SlaPolicy, *, status: str = "new") -> TicketSla:
        """Start the SLA of a :class:`~csflow.model.Ticket` (its id, priority and creation)."""
        return cls(ticket.id, policy, ticket.priority, ticket.created_at, status=status)

    # -- internals ---------------------------------------------------------------------------

    def _check_time(self, at: object) -> int:
        t = _check_at(at)
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
        return t

    def _check_open(self) -> None:
        if self._status in FINAL_STATUSES:
            raise InvalidTransitionError(
                f"ticket {show(self._ticket_id)} is {self._status}: its SLA can no longer change"
            )

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
        spec = self._policy._specs.get((_METRICS[i], self._priority))
        if spec is None:
            self._clocks[i] = None
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
            if should and c._state in _COUNTING:
                c._pause_us(t, out)
            elif not should and c._state in _PAUSED:
                c._resume_us(t, out)

    def _finish(self, pre: list[SlaEvent], acts: list[SlaEvent], t: int) -> list[SlaEvent]:
        self._last = t
        for c in self._clocks:
            if c is not None:
                c._last = t
        # Everything in `acts` happened at `t` (all clocks were polled up to t - 1 first).
        post = self._poll_all(t)
        return pre + acts + post if (acts or post) else pre

    # -- commands ----------------------------------------------------------------------------

    def agent_reply(self, at: datetime) -> list[SlaEvent]:
        """An agent replied publicly.

        Meets ``FIRST_RESPONSE`` and the running ``NEXT_RESPONSE`` cycle; meets the running
        ``PERIODIC_UPDATE`` cycle and starts the next one (unless the ticket is solved).

        Raises:
            InvalidTransitionError: The ticket is closed, or *at* goes backwards.
            CalendarError: *at* is naive.
        """
        t = self._check_time(at)
        self._check_open()
        pre = self._poll_all(t - 1)
        acts: list[SlaEvent] = []
        clocks = self._clocks
        for i in (0, 1):
            c = clocks[i]
            if c is not None and c._state in _LIVE:
                c._stop_us(t, acts)
        if self._status != _SOLVED:
            pu = clocks[2]
            if pu is not None and pu._state in _LIVE:
                pu._stop_us(t, acts)
            self._start(2, t)
        self._replied = True
        return self._finish(pre, acts, t)

    def customer_message(self, at: datetime) -> list[SlaEvent]:
        """The customer wrote.

        Starts a ``NEXT_RESPONSE`` cycle when an agent has replied before and no cycle is
        running.  A message on a solved ticket starts nothing: re-open the ticket first
        (:meth:`set_status`) if the message re-opens it.

        Raises:
            InvalidTransitionError: The ticket is closed, or *at* goes backwards.
            CalendarError: *at* is naive.
        """
        t = self._check_time(at)
        self._check_open()
        pre = self._poll_all(t - 1)
        acts: list[SlaEvent] = []
        nr = self._clocks[1]
        if self._replied and self._status != _SOLVED and (nr is None or nr._state not in _LIVE):
            self._start(1, t)
        return self._finish(pre, acts, t)

    def set_status(self, status: str, at: datetime) -> list[SlaEvent]:
        """The ticket's status changed.

        Args:
            status: One of :data:`TICKET_STATUSES`.
            at: When.

        Returns:
            Events due before *at*, the :class:`SlaMet` of ``RESOLUTION`` when solved, then
            events due at *at*.

        Raises:
            ConfigError: *status* is unknown.
            InvalidTransitionError: The ticket is closed or abandoned, or *at* goes backwards.
            CalendarError: *at* is naive.
        """
        if status not in TICKET_STATUSES:
            raise ConfigError(f"status must be one of {list(TICKET_STATUSES)}, got {show(status)}")
        t = self._check_time(at)
        self._check_open()
        pre = self._poll_all(t - 1)
        acts: list[SlaEvent] = []
        old = self._status
        clocks = self._clocks
        self._status = status
        if status == old:
            pass
        elif status == _SOLVED:
            res = clocks[3]
            if res is not None and res._state in _LIVE:
                res._stop_us(t, acts)
            for c in clocks[:3]:
                if c is not None and c._state in _LIVE:
                    c._cancel_us(t, acts)
        elif status in FINAL_STATUSES:
            for c in clocks:
                if c is not None and c._state in _LIVE:
                    c._cancel_us(t, acts)
        else:
            if old == _SOLVED:
                self._reopen(t, acts)
            self._apply_pauses(t, acts)
        return self._finish(pre, acts, t)

    def _reopen(self, t: int, acts: list[SlaEvent]) -> None:
        clocks = self._clocks
        res = clocks[3]
        spec = self._policy._specs.get((_RES, self._priority))
        if res is not None and res._state in (ClockState.MET, ClockState.MET_LATE):
            res._reopen_us(t, acts)
            # The priority or policy may have changed while the ticket was solved.
            if spec is None:
                res._cancel_us(t, acts)
            elif spec != res._spec:
                res._recalc_us(spec, t, RecalcMode.KEEP_ELAPSED, acts)
        elif res is None and spec is not None:
            self._start(3, t)
        if self._replied:
            self._start(2, t)

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
        (:class:`RecalcMode`); a live clock whose metric has no target any more is cancelled;
        ``FIRST_RESPONSE`` (before the first reply) and ``RESOLUTION`` (before the solve) that
        gain a target start fresh at *at*.  Clocks whose target is unchanged, and finished
        clocks, are left alone.  The new policy's ``pause_on`` then applies to the current
        status.

        Raises:
            ConfigError: A bad policy, priority or mode.
            InvalidTransitionError: The ticket is closed, or *at* goes backwards.
            CalendarError: *at* is naive.
        """
        new_policy = self._policy if policy is None else policy
        if not isinstance(new_policy, SlaPolicy):
            raise ConfigError(f"policy must be an SlaPolicy, got {show(policy)}")
        prio = self._priority if priority is None else Priority.parse(priority)
        mode = RecalcMode.parse(mode)
        t = self._check_time(at)
        self._check_open()
        pre = self._poll_all(t - 1)
        acts: list[SlaEvent] = []
        self._policy = new_policy
        self._priority = prio
        specs = new_policy._specs
        clocks = self._clocks
        solved = self._status == _SOLVED
        for i, metric in enumerate(_METRICS):
            c = clocks[i]
            spec = specs.get((metric, prio))
            if c is None or c._state not in _LIVE:
                if c is None and spec is not None and not solved and self._gains(i):
                    self._start(i, t)
                continue
            if spec is None:
                # The metric lost its target: cancel the clock and forget it, so that a later
                # change that brings a target back starts afresh.
                c._cancel_us(t, acts)
                clocks[i] = None
            elif spec != c._spec:
                c._recalc_us(spec, t, mode, acts)
        if not solved:
            self._apply_pauses(t, acts)
        return self._finish(pre, acts, t)

    def _gains(self, i: int) -> bool:
        """Whether metric *i*, without a clock, starts when a recalculation gives it a target."""
        if i == 0:
            return not self._replied
        if i == 2:
            return self._replied
        return i == 3

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
            ConfigError: *policy* is not an :class:`SlaPolicy` (``None`` included).
        """
        if not isinstance(policy, SlaPolicy):
            raise ConfigError(f"policy must be an SlaPolicy, got {show(policy)}")
        return self.recalculate(at, policy=policy, mode=mode)

    def advance(self, at: datetime) -> list[SlaEvent]:
        """The events of all clocks due up to and including *at*, in time order.

        Raises:
            InvalidTransitionError: *at* goes backwards.
            CalendarError: *at* is naive.
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
    def status(self) -> str:
        """The last status set."""
        return self._status

    @property
    def replied(self) -> bool:
        """Whether an agent has replied at least once."""
        return self._replied

    def clock(self, metric: Metric | str) -> SlaClock | None:
        """The current clock of *metric* (the latest cycle), or ``None`` if none ever started.

        The clock is live state: read it, but drive it through the ticket's commands.
        """
        return self._clocks[_METRICS.index(Metric.parse(metric))]

    @property
    def clocks(self) -> Mapping[Metric, SlaClock]:
        """Metric -> current clock, for the metrics whose clock has started."""
        return MappingProxyType({m: c for m, c in zip(_METRICS, self._clocks, strict=True) if c})

    def next_deadline_us(self) -> int | None:
        """:meth:`next_deadline` as integer µs since the epoch."""
        best: int | None = None
        for c in self._clocks:
            if c is not None:
                n = c._next
                if n is not None and (best is None or n < best):
                    best = n
        return best

    def next_deadline(self) -> datetime | None:
        """The earliest instant at which any clock will emit an event; ``None`` if none will.

        A host sets its timer for it and then calls :meth:`advance`.
        """
        best = self.next_deadline_us()
        return None if best is None else from_us(best, self._policy.calendar.zone)

    def __repr__(self) -> str:
        states = ", ".join(
            f"{m.value}={c._state.value}" for m, c in zip(_METRICS, self._clocks, strict=True) if c
        )
        return f"<TicketSla {self._ticket_id!r} {self._policy.name!r} {self._priority} {self._status}: {states}>"

    # -- snapshot ----------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The ticket's SLA state as JSON-compatible data (the policy by name).

        :meth:`from_dict` with the same policies gives an object with identical future events.
        """
        return {
            "ticket_id": self._ticket_id,
            "policy": self._policy.name,
            "priority": str(self._priority),
            "status": self._status,
            "replied": self._replied,
            "last": self._last,
            "clocks": {
                m.value: c.to_dict() for m, c in zip(_METRICS, self._clocks, strict=True) if c
            },
        }

    @classmethod
    def from_dict(
        cls, data: object, policies: Mapping[str, SlaPolicy], path: str = "ticket_sla"
    ) -> TicketSla:
        """Rebuild from :meth:`to_dict` data; the policy is looked up by name in *policies*.

        Clocks are rebuilt on that policy's calendar.  (A finished clock's calendar no longer
        matters: only live clocks count time.)

        Raises:
            ConfigError: Malformed data or an unknown policy, with the path to it.
        """
        if not isinstance(data, Mapping):
            raise ConfigError(f"expected a mapping, got {show(data)}", path)
        try:
            policy = resolve_policy(data.get("policy"), policies)
        except ConfigError as exc:
            raise ConfigError(exc.detail, _join(path, "policy")) from None
        try:
            priority = Priority.parse(data.get("priority"))  # type: ignore[arg-type]
        except ConfigError as exc:
            raise ConfigError(exc.detail, _join(path, "priority")) from None
        status = data.get("status")
        if status not in TICKET_STATUSES:
            raise ConfigError(f"unknown status {show(status)}", _join(path, "status"))
        last = data.get("last")
        if not isinstance(last, int) or isinstance(last, bool):
            raise ConfigError(f"expected an int, got {show(last)}", _join(path, "last"))
        clocks_raw = data.get("clocks", {})
        if not isinstance(clocks_raw, Mapping):
            raise ConfigError(f"expected a mapping, got {show(clocks_raw)}", _join(path, "clocks"))
        clocks: list[SlaClock | None] = [None, None, None, None]
        for key, raw in clocks_raw.items():
            where = _join(_join(path, "clocks"), str(key))
            try:
                i = _METRICS.index(Metric.parse(key))
            except ConfigError as exc:
                raise ConfigError(exc.detail, where) from None
            clocks[i] = SlaClock.from_dict(raw, policy.calendar, where)
        self = cls.__new__(cls)
        self._ticket_id = _check_ticket_id(data.get("ticket_id"))
        self._policy = policy
        self._priority = priority
        self._status = status
        self._replied = bool(data.get("replied", False))
        self._last = last
        self._clocks = clocks
        return self
