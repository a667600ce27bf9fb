"""A staffing plan for a day: the agents each forecast interval needs, by Erlang C or A.

Each interval is staffed on its own, as if in steady state (the usual planning assumption):
its arrivals and the average handle time give an offered load, and
:func:`~csflow.staffing.erlang.agents_for_service_level` (or its Erlang A twin, when a patience
is given) the fewest agents that reach the service level.  With a mean-wait goal too
(``max_asa``) a row has the fewest agents that meet both, the larger of the two answers
(:func:`~csflow.staffing.erlang.agents_for_asa` under Erlang C; under Erlang A the ASA of the
answered, as :func:`~csflow.staffing.erlang.erlang_a` gives it).  Shrinkage then turns agents
on the phones into heads to schedule.

The work is bounded whatever the forecast: the rows share a budget of 50,000,000 series
terms (seconds of work; see :mod:`csflow.staffing.erlang`), a walk of the Erlang B recurrence
counting a term per two steps.  An Erlang C row walks about ``sqrt(60 x load)`` steps (a
millisecond or two at the largest load, ``1e7`` Erlangs: about 3,000 such rows fit), an Erlang
A row that many for each of the 30 to 50 candidates of its search plus its series.  A plan
beyond the budget is refused, naming the interval where it ran out, rather than computed for
minutes.  A floor of each row's work (for Erlang C its walk up to the load, for Erlang A its
search's first probes, see :mod:`csflow.staffing.erlang`) is added up first: a plan whose
floors alone pass the budget is refused before any row is worked out, naming the interval
where they do.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

import attrs

from csflow._text import show
from csflow._time import instant_us, require_aware
from csflow.errors import ConfigError
from csflow.staffing._checks import (
    MAX_LOAD,
    as_float,
    as_written,
    check_duration,
    check_level,
    check_multiplier,
    check_number,
    check_shrinkage,
)
from csflow.staffing.erlang import (
    _check_max_occupancy,
    _plan_beyond,
    _plan_work,
    _refused_c,
    _row_a,
    _row_c,
)

__all__ = ["ForecastInterval", "IntervalStaffing", "StaffingPlan", "staffing_plan"]


#: The longest interval: a whole local day on which the clock falls back, by two hours in
#: Antarctica/Troll (UTC+2 to UTC+0), by an hour elsewhere.
_LONGEST_DAY = timedelta(hours=26)


def _check_arrivals(value: object) -> float:
    try:
        return check_number(value, "arrivals")
    except ConfigError:
        raise ConfigError(
            f"'arrivals' must be a finite number of expected arrivals >= 0, got {show(value)}"
        ) from None


def _plain_real(value: Any) -> Any:
    """A real number of another type (numpy's, what a pandas column yields) as a float; an
    int, a float or anything else as it is (the validator judges it)."""
    if type(value) is float or type(value) is int:
        return value
    v = as_float(value)
    return value if v is None else v


@attrs.frozen
class ForecastInterval:
    """One interval of a day's forecast: when it starts, how long it lasts, how many arrive.

    Args:
        start: The interval's start, a timezone-aware datetime.
        duration: Its length, positive and at most 26 hours, the longest local day (15 or 30
            minutes are usual).
        arrivals: Expected arrivals in the interval, finite and ``>= 0``.

    Raises:
        ConfigError: a field has the wrong type or an out-of-range value.
    """

    start: datetime = attrs.field()
    duration: timedelta = attrs.field()
    arrivals: float = attrs.field(converter=_plain_real)

    @start.validator
    def _v_start(self, _a: attrs.Attribute[datetime], value: datetime) -> None:
        require_aware(value, "start", ConfigError)

    @duration.validator
    def _v_duration(self, _a: attrs.Attribute[timedelta], value: timedelta) -> None:
        check_duration(value, "duration", positive=True)
        if value > _LONGEST_DAY:
            raise ConfigError(
                f"'duration' must be at most 26 hours (the longest local day), got {show(value)}"
            )

    @arrivals.validator
    def _v_arrivals(self, _a: attrs.Attribute[float], value: float) -> None:
        _check_arrivals(value)

    def __attrs_post_init__(self) -> None:
        try:
            _ = self.start + self.duration  # representable: the end is before year 10000
        except OverflowError:
            raise ConfigError(
                f"the interval must end by the year 9999, got start {show(self.start)}"
            ) from None

    @classmethod
    def from_rate(cls, start: datetime, duration: timedelta, per_hour: float) -> ForecastInterval:
        """An interval whose arrivals are given as a rate per hour.

        Args:
            start: The interval's start, timezone-aware.
            duration: Its length.
            per_hour: Expected arrivals per hour during the interval, finite and ``>= 0``.

        Returns:
            The interval with ``arrivals = per_hour × duration in hours``.

        Raises:
            ConfigError: a value has the wrong type or an out-of-range value.
        """
        rate = check_number(per_hour, "per_hour")
        length = check_duration(duration, "duration", positive=True)
        return cls(start, length, rate * (length / timedelta(hours=1)))

    @property
    def end(self) -> datetime:
        """The instant the interval ends: *duration* of real time after ``start``, in its
        zone (across a DST change too, where wall-clock addition would be an hour off)."""
        return _after(self.start, self.duration)


@attrs.frozen
class IntervalStaffing:
    """The staffing of one forecast interval.

    Attributes:
        start: The interval's start.
        duration: Its length.
        arrivals: Expected arrivals, after the plan's peak-day multiplier.
        load: Offered load in Erlangs (``arrivals × aht / duration``).
        agents: Agents needed on the phones (Erlang C, or Erlang A with a patience).
        scheduled_heads: Heads to schedule so that *agents* remain after shrinkage,
            ``ceil(agents / (1 - shrinkage))``.
        service_level: Expected service level with *agents*.
        average_speed_of_answer: Expected ASA with *agents* (of all arrivals with Erlang C, of
            the answered ones with Erlang A): at most the plan's ``max_asa`` when it has one.
        occupancy: Expected occupancy of the *agents*.
        probability_of_waiting: Expected fraction of arrivals that wait.
        probability_of_abandonment: Expected fraction that abandon (0 under Erlang C, which
            assumes infinite patience).
    """

    start: datetime
    duration: timedelta
    arrivals: float
    load: float
    agents: int
    scheduled_heads: int
    service_level: float
    average_speed_of_answer: timedelta
    occupancy: float
    probability_of_waiting: float
    probability_of_abandonment: float

    @property
    def end(self) -> datetime:
        """The instant the interval ends: *duration* of real time after ``start``, in its
        zone (across a DST change too, where wall-clock addition would be an hour off)."""
        return _after(self.start, self.duration)


@attrs.frozen
class StaffingPlan:
    """Agents needed interval by interval over a day profile.

    Attributes:
        intervals: One :class:`IntervalStaffing` per forecast interval, in order.
        aht: The average handle time used.
        target: The answer-time target.
        level: The service level aimed for.
        patience: Mean patience (Erlang A), or ``None`` for Erlang C.
        shrinkage: The fraction of scheduled time not available for contacts.
        multiplier: The peak-day factor applied to every interval's forecast arrivals (1.0 on
            an ordinary day).
        max_occupancy: The occupancy cap the plan was made under (each interval has at least
            ``ceil(load / max_occupancy)`` agents), as the decimal written, or ``None`` for
            no cap.  :func:`~csflow.staffing.verify.verify_plan` keeps it: its search never
            goes below that floor.
        max_asa: The longest average speed of answer the plan was made for (each interval's
            ``average_speed_of_answer`` is at most it), or ``None`` when the service level
            alone decided.
    """

    intervals: tuple[IntervalStaffing, ...]
    aht: timedelta
    target: timedelta
    level: float
    patience: timedelta | None
    shrinkage: float
    multiplier: float = 1.0
    max_occupancy: float | None = None
    max_asa: timedelta | None = None

    @property
    def peak_agents(self) -> int:
        """The most agents any interval needs (0 for an empty plan)."""
        return max((i.agents for i in self.intervals), default=0)

    @property
    def peak_heads(self) -> int:
        """The most scheduled heads any interval needs (0 for an empty plan)."""
        return max((i.scheduled_heads for i in self.intervals), default=0)

    @property
    def agent_hours(self) -> float:
        """Agent-hours on the phones over the plan: the sum of agents × interval length."""
        hour = timedelta(hours=1)
        return sum(i.agents * (i.duration / hour) for i in self.intervals)

    @property
    def scheduled_hours(self) -> float:
        """Scheduled hours over the plan: the sum of scheduled heads × interval length."""
        hour = timedelta(hours=1)
        return sum(i.scheduled_heads * (i.duration / hour) for i in self.intervals)


def _to_interval(item: object, path: str) -> ForecastInterval:
    if isinstance(item, ForecastInterval):
        return item
    if isinstance(item, (tuple, list)) and len(item) == 3:
        try:
            return ForecastInterval(*item)
        except ConfigError as exc:
            raise ConfigError(exc.detail, path) from None
    raise ConfigError(
        f"expected a ForecastInterval or a (start, duration, arrivals) tuple, got {show(item)}",
        path,
    )


def staffing_plan(
    intervals: Iterable[ForecastInterval | tuple[datetime, timedelta, float]],
    aht: timedelta,
    target: timedelta,
    level: float,
    *,
    patience: timedelta | None = None,
    shrinkage: float = 0.0,
    multiplier: float = 1.0,
    max_occupancy: float | None = None,
    max_asa: timedelta | None = None,
) -> StaffingPlan:
    """Agents needed per interval of a day's forecast to reach a service level.

    Each interval is staffed on its own, as if in steady state (the usual planning
    assumption): Erlang C, or Erlang A when *patience* is given.  Each gets the fewest agents
    that meet every goal given: the service level, the mean wait (*max_asa*) and the
    occupancy cap.

    Args:
        intervals: The forecast, as :class:`ForecastInterval` values or
            ``(start, duration, arrivals)`` tuples, in time order, not overlapping (gaps, such
            as closed hours, are allowed).
        aht: Average handle time, positive.
        target: The answer-time target, non-negative.
        level: The service level aimed for, strictly between 0 and 1.
        patience: Mean customer patience for Erlang A, or ``None`` for Erlang C.
        shrinkage: The fraction of scheduled time lost to breaks, training, absence, in
            ``[0, 1)``, read as the decimal written (``0.2`` is 1/5; so is numpy's float32
            ``0.2``, which the plan keeps as the float ``0.2``).
        multiplier: A peak-day factor on every interval's arrivals, finite and positive: an
            ordinary day's profile times 2.5 for a Lebaran eve or 4 for a 12.12 evening.  The
            rows report the multiplied arrivals.
        max_occupancy: The highest occupancy allowed, in ``(0, 1]`` (``0.85`` is usual): each
            interval gets at least ``ceil(load / max_occupancy)`` agents, as
            :func:`~csflow.staffing.erlang.agents_for_service_level` gives them; ``None`` (the
            default) for no cap.
        max_asa: The longest average speed of answer allowed, a non-negative timedelta, or
            ``None`` (the default) for no such goal.  Each interval then gets at least the
            agents of :func:`~csflow.staffing.erlang.agents_for_asa` (Erlang C: the mean wait
            of all arrivals); with a *patience*, the fewest agents whose Erlang A wait of the
            answered (:attr:`~csflow.staffing.erlang.ErlangAResult.average_speed_of_answer`)
            is at most *max_asa* and that reach the service level.  The row's
            ``average_speed_of_answer`` is the very figure tested.

    Returns:
        The :class:`StaffingPlan`.

    Examples:
        >>> from datetime import datetime, timedelta as td, timezone
        >>> day = [(datetime(2026, 3, 19, 9, tzinfo=timezone.utc), td(minutes=30), 100)]
        >>> staffing_plan(day, td(minutes=3), td(seconds=20), 0.8).peak_agents
        14
        >>> staffing_plan(day, td(minutes=3), td(seconds=20), 0.8, multiplier=2.5).peak_agents
        30
        >>> plan = staffing_plan(day, td(minutes=3), td(seconds=20), 0.8, max_asa=td(seconds=5))
        >>> plan.peak_agents, plan.intervals[0].average_speed_of_answer <= td(seconds=5)
        (15, True)

    Raises:
        ConfigError: an argument is invalid; for a bad interval the error's ``path`` is
            ``intervals[i]``, and so it is for an interval that cannot be staffed: an Erlang
            A series too long, or the Erlang A rows' budget of work spent (see the module
            notes).  Nothing is computed for minutes.
    """
    handle = check_duration(aht, "aht", positive=True)
    goal = check_duration(target, "target", positive=False)
    lvl = check_level(level)
    if patience is not None:
        check_duration(patience, "patience", positive=True)
    shrink = check_shrinkage(shrinkage)
    factor = check_multiplier(multiplier)
    cap = None if max_occupancy is None else _check_max_occupancy(max_occupancy)
    longest = None if max_asa is None else check_duration(max_asa, "max_asa", positive=False)
    given: object = intervals  # the annotation is a promise callers may break
    if isinstance(given, (str, bytes)):
        raise ConfigError(f"'intervals' must be an iterable of intervals, got {show(given)}")
    try:
        items = list(intervals)
    except TypeError:
        raise ConfigError(
            f"'intervals' must be an iterable of intervals, got {show(intervals)}"
        ) from None
    forecast = [_to_interval(item, f"intervals[{i}]") for i, item in enumerate(items)]
    for i in range(1, len(forecast)):
        # Compared as instants: two times in one zone compare by wall clock in Python.
        if instant_us(forecast[i].start, "start") < instant_us(forecast[i - 1].end, "end"):
            raise ConfigError(
                f"intervals must be in time order without overlap: starts at "
                f"{show(forecast[i].start)}, before the previous interval ends at "
                f"{show(forecast[i - 1].end)}",
                f"intervals[{i}]",
            )
    # Shrinkage as the decimal the user wrote (0.1 means 1/10), so that 9 agents at 10 %
    # shrinkage schedule 10 heads, not 11 through binary rounding.
    # (numpy's float32 0.2 too: a downcast column, read by its own shortest repr.)
    written = as_written(shrinkage, shrink)
    if 0 <= written < 1:
        shrink = float(written)  # the plan keeps the decimal written
    else:
        written = Fraction(repr(shrink))
    available = 1 - written
    expected = [f.arrivals * factor for f in forecast]
    loads = [x * (handle / f.duration) for f, x in zip(forecast, expected, strict=True)]
    for i, a in enumerate(loads):
        if a > MAX_LOAD:
            raise ConfigError(
                f"the load must be at most {MAX_LOAD:g} Erlangs, got {show(a)}", f"intervals[{i}]"
            )
    rows = []
    work = _plan_work()
    beyond = _plan_beyond(loads, handle, goal, patience)
    if beyond is not None:
        # Refused before any row is worked out: the rows up to this one need more than the
        # plan's budget however their searches go.
        a = loads[beyond]
        refusal = _refused_c(a) if patience is None else work.refused(a, patience / handle)
        raise ConfigError(refusal.detail, f"intervals[{beyond}]")
    for i, (f, x, a) in enumerate(zip(forecast, expected, loads, strict=True)):
        try:
            if patience is None:
                n, sl, asa, pw, busy = _row_c(a, handle, goal, lvl, cap, work, longest)
                pab = 0.0
            else:
                n, sl, asa, pw, pab, busy = _row_a(
                    a, handle, goal, lvl, patience, cap, work, longest
                )
        except ConfigError as exc:
            raise ConfigError(exc.detail, f"intervals[{i}]") from None
        heads = -(-n * available.denominator // available.numerator)
        rows.append(IntervalStaffing(f.start, f.duration, x, a, n, heads, sl, asa, busy, pw, pab))
    return StaffingPlan(
        tuple(rows),
        handle,
        goal,
        lvl,
        patience,
        shrink,
        factor,
        None if cap is None else float(cap),
        longest,
    )


def _after(start: datetime, duration: timedelta) -> datetime:
    """*duration* of real time after *start*, written in *start*'s zone."""
    return (start.astimezone(UTC) + duration).astimezone(start.tzinfo)
