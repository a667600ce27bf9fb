"""A day's forecast from arrival history: the same interval on past days, averaged.

The planner's first forecast, and the one most desks use day to day: the arrivals expected
between 10:00 and 10:30 next Monday are the mean of the arrivals between 10:00 and 10:30 on
the last few Mondays.  :func:`forecast_from_history` counts a desk's past arrivals that way
and returns :class:`~csflow.staffing.ForecastInterval` rows that
:func:`~csflow.staffing.staffing_plan` takes as they are; a peak day's factor (Lebaran eve,
12.12) is then :func:`~csflow.staffing.staffing_plan`'s ``multiplier``.

How intervals and days are counted, exactly:

* A day is the span from one local midnight to the next in *timezone* (23 or 25 hours on the
  days clocks change; 26 in Antarctica/Troll, which falls back two hours).  A local midnight
  the zone skips starts the day at the change.
* Intervals follow the wall clock, as in :func:`~csflow.metrics.summarize_intervals`: one
  starts wherever the wall clock reads midnight plus a whole number of intervals, and at the
  day's start, and lasts until the next one starts.  On the day clocks fall back, the
  repeated hour's intervals come twice (``01:00`` and, an hour later, ``01:00`` again, with
  ``fold=1``); on the day they spring forward, a start the wall clock skips does not happen.
  So on those days an interval across the change may be shorter or longer than the others:
  in New York on 2026-03-08 (02:00 to 03:00 skipped) a 90-minute interval from 01:30 ends at
  03:00 after half an hour, and a two-hour interval from 00:00, whose next start (02:00)
  never comes, ends at 04:00 after three hours.
* Arrivals are counted by the wall-clock minute, and ``fold``, at which they came on their
  local date; arrivals outside the observed days are not counted.
* The forecast of each wall-clock minute of *day* is the mean of its count over the observed
  days on which that minute existed: a minute a spring-forward observed day skipped is
  averaged over the other days, and one no observed day had is forecast as 0.  The repeated
  hour's second pass (``fold=1``) is read from an observed day's own second pass if it has one,
  else from its only one; an observed day's second pass is not read for an ordinary day.  An
  interval's forecast is the sum over the minutes it holds, so every interval of a day whose
  clocks change takes its wall-clock counterpart from ordinary days, whatever its length.
* A day with no arrivals at all is an observation of zero, not a missing day: leave days
  out (an outage, a past peak) with *exclude*, and the search goes one period further back
  for each.
* A day that a moving feast sets (Lebaran, which comes some eleven days earlier each year)
  lines up with no week or day back: name the days to average with *days* instead (the same
  day of the feast in past years), and scale for growth with
  :func:`~csflow.staffing.staffing_plan`'s ``multiplier``.
"""

from __future__ import annotations

import bisect
import zoneinfo
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction

import attrs

from csflow._text import show
from csflow._time import iana_zone, instant_us
from csflow.errors import ConfigError
from csflow.staffing._checks import as_int
from csflow.staffing.plan import ForecastInterval

__all__ = ["MAX_EXCLUDE", "MAX_LOOKBACK", "HistoryForecast", "forecast_from_history"]

#: The most past days :func:`forecast_from_history` averages.
MAX_LOOKBACK = 366
#: The most days :func:`forecast_from_history` reads from its *exclude*: a century of days.
MAX_EXCLUDE = 36_600
_DAY = timedelta(days=1)
_MINUTE = timedelta(minutes=1)
_MINUTE_US = 60_000_000
_DAY_US = 86_400_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_ZERO = Fraction(0)


@attrs.frozen
class HistoryForecast:
    """A day's forecast made from arrival history (:func:`forecast_from_history`).

    It iterates over its :attr:`intervals`, so it is itself a forecast
    :func:`~csflow.staffing.staffing_plan` takes.

    Attributes:
        day: The day forecast.
        timezone: The IANA zone its intervals are named in.
        interval: The intervals' length (the last of a day may be shorter).
        days: The past days averaged, most recent first.
        counted: How many of the arrivals given fell in those days.
        intervals: One :class:`~csflow.staffing.ForecastInterval` per interval of *day*, in
            time order, starting at its local midnight; the starts are in *timezone*.
    """

    day: date
    timezone: str
    interval: timedelta
    days: tuple[date, ...]
    counted: int
    intervals: tuple[ForecastInterval, ...]

    def __iter__(self) -> Iterator[ForecastInterval]:
        return iter(self.intervals)

    def __len__(self) -> int:
        return len(self.intervals)

    @property
    def total(self) -> float:
        """Expected arrivals over the whole day."""
        return sum(f.arrivals for f in self.intervals)


def _zone(name: object) -> zoneinfo.ZoneInfo:
    zone = iana_zone(name)
    if zone is None:
        raise ConfigError(f"'timezone' must be an IANA time zone name, got {show(name)}")
    return zone


def _plain_date(value: object) -> date | None:
    """*value* as a plain ``date``: a date, or a subclass of one that is not a datetime
    (pendulum's ``Date``, whose arithmetic returns its own types); ``None`` for anything else.
    A datetime is a date too: refused, so that a time of day is never silently dropped."""
    if type(value) is date:
        return value
    if isinstance(value, date) and not isinstance(value, datetime):
        return date(value.year, value.month, value.day)
    return None


def _date(value: object, name: str) -> date:
    plain = _plain_date(value)
    if plain is None:
        raise ConfigError(f"{show(name)} must be a datetime.date, got {show(value)}")
    return plain


def _midnight_us(d: date, zone: zoneinfo.ZoneInfo) -> int:
    """The instant *d* starts in *zone* (its first local midnight, or the change that skips
    it), in µs since the epoch."""
    local = datetime.combine(d, time(0), zone)  # fold=0: the earlier reading of the wall clock
    # Round-trip through UTC: a skipped midnight resolves to the instant of the change.
    return instant_us(local.astimezone(UTC).astimezone(zone), "day", ConfigError)


def _local(us: int, zone: zoneinfo.ZoneInfo) -> datetime:
    return (_EPOCH + timedelta(microseconds=us)).astimezone(zone)


_Cell = tuple[int, int]  # (wall-clock minute of the day, fold)


def _minutes(start: int, end: int, zone: zoneinfo.ZoneInfo) -> list[tuple[int, _Cell]]:
    """Each real minute of ``[start, end)`` (µs): its instant and its wall-clock cell."""
    out = []
    for us in range(start, end, _MINUTE_US):
        local = _local(us, zone)
        out.append((us, (local.hour * 60 + local.minute, local.fold)))
    return out


def _cells(start: int, end: int, zone: zoneinfo.ZoneInfo) -> frozenset[_Cell] | None:
    """The wall-clock cells a day ``[start, end)`` has; ``None`` for every minute once (a day
    of one UTC offset throughout, told apart without walking it)."""
    if (
        end - start == _DAY_US
        and _local(start, zone).utcoffset() == _local(end - 1, zone).utcoffset()
    ):
        return None
    return frozenset(cell for _, cell in _minutes(start, end, zone))


def forecast_from_history(
    arrivals: Iterable[datetime],
    day: date,
    *,
    timezone: str,
    interval: timedelta = timedelta(minutes=30),
    lookback: int | None = None,
    same_weekday: bool | None = None,
    exclude: Iterable[date] = (),
    days: Iterable[date] | None = None,
) -> HistoryForecast:
    """Forecast *day*'s arrivals, interval by interval, from past arrivals.

    The module notes say exactly how days, intervals and arrivals are counted.

    Args:
        arrivals: When past tickets arrived, aware datetimes in any order (e.g. each ticket's
            ``created_at``, or the ``at`` of a desk's ``TicketQueued`` events for tickets
            queued once).  Read once; only counts per interval are kept.
        day: The day to forecast: a ``date`` (pendulum's ``Date`` too, as the plain date it
            names), not a ``datetime``; the days of *exclude* and *days* alike.
        timezone: The IANA zone whose local days and wall-clock intervals are meant.
        interval: The length of an interval: a whole number of minutes that divides a day
            (a ``timedelta``; pendulum's ``Duration`` is read as the plain one).
        lookback: How many past days to average, from 1 to :data:`MAX_LOOKBACK` (``None``:
            4).
        same_weekday: ``True`` (or ``None``) averages the same weekday of the *lookback* weeks
            before *day*; ``False`` the *lookback* days before it.
        exclude: Past days to leave out (outages, past peaks, holidays); each is replaced by
            the next one further back.  Any iterable of dates (a list, a set, a generator),
            read once, of at most :data:`MAX_EXCLUDE` (36,600, a century of days) items: an
            endless one (``itertools.repeat(d)``, a generator walking back without end) is
            refused once it gives more, rather than read for ever.
        days: The past days to average, chosen by hand instead of the walk back that
            *lookback*, *same_weekday* and *exclude* describe (so none of those three may be
            given with it): distinct dates before *day*, from 1 to :data:`MAX_LOOKBACK` of
            them, in any order.  For a day a moving feast sets, the same day of the feast in
            past years -- the second day of Lebaran 2026 from the second days of 2025 and 2024
            -- which no number of weeks back lines up.

    Returns:
        The :class:`HistoryForecast`.

    Raises:
        ConfigError: A bad argument: an unknown zone, an interval that does not divide a day,
            *lookback* out of range, *days* that are not distinct dates before *day* (or
            given with *lookback*, *same_weekday* or *exclude*), an *exclude* that is not
            an iterable of dates (the message names ``exclude[i]``, a bad item) or gives
            more than :data:`MAX_EXCLUDE` of them (path ``exclude``), a naive or non-datetime
            arrival (the error's ``path`` is ``arrivals[i]``), or days searched before the
            year 1.

    Examples:
        >>> from datetime import date, datetime, timedelta
        >>> from zoneinfo import ZoneInfo
        >>> jkt = ZoneInfo("Asia/Jakarta")
        >>> past = [datetime(2026, 3, d, 9, m, tzinfo=jkt) for d, m in
        ...         [(2, 5), (2, 40), (9, 10), (16, 20), (16, 25), (16, 50)]]  # three Mondays
        >>> f = forecast_from_history(past, date(2026, 3, 23), timezone="Asia/Jakarta",
        ...                           lookback=3, interval=timedelta(hours=1))
        >>> f.days
        (datetime.date(2026, 3, 16), datetime.date(2026, 3, 9), datetime.date(2026, 3, 2))
        >>> nine = f.intervals[9]
        >>> nine.start.isoformat(), nine.arrivals
        ('2026-03-23T09:00:00+07:00', 2.0)
        >>> f = forecast_from_history(past, date(2026, 3, 23), timezone="Asia/Jakarta",
        ...                           days=[date(2026, 3, 2), date(2026, 3, 16)])
        >>> f.days, f.intervals[18].arrivals  # 09:00-09:30: one on the 2nd, two on the 16th
        ((datetime.date(2026, 3, 16), datetime.date(2026, 3, 2)), 1.5)
    """
    zone = _zone(timezone)
    target = _date(day, "day")
    if not isinstance(interval, timedelta):
        raise ConfigError(f"'interval' must be a datetime.timedelta, got {show(interval)}")
    if type(interval) is not timedelta:  # pendulum's Duration: its arithmetic is its own
        interval = timedelta(interval.days, interval.seconds, interval.microseconds)
    if interval < _MINUTE or _DAY % interval or interval % _MINUTE:
        raise ConfigError(
            "'interval' must be a whole number of minutes (at least one) that divides a day, "
            f"got {show(interval)}"
        )
    if lookback is not None:
        wanted = as_int(lookback)  # any integer, numpy's too
        if wanted is None or not 1 <= wanted <= MAX_LOOKBACK:
            raise ConfigError(
                f"'lookback' must be an int from 1 to {MAX_LOOKBACK}, got {show(lookback)}"
            )
        lookback = wanted
    if same_weekday is not None and same_weekday is not True and same_weekday is not False:
        raise ConfigError(f"'same_weekday' must be a bool, got {show(same_weekday)}")
    given: object = exclude  # the annotations are promises callers may break
    if isinstance(given, (str, bytes)) or not isinstance(given, Iterable):
        raise ConfigError(f"'exclude' must be an iterable of dates, got {show(exclude)}")
    left_out = _excluded(exclude)
    stream: object = arrivals
    if isinstance(stream, (str, bytes)) or not isinstance(stream, Iterable):
        raise ConfigError(f"'arrivals' must be an iterable of datetimes, got {show(arrivals)}")

    if days is not None:
        if lookback is not None or same_weekday is not None or left_out:
            raise ConfigError(
                "'days' names the days to average itself: leave out 'lookback', "
                "'same_weekday' and 'exclude'",
                "days",
            )
        observed = _chosen(days, target)
    else:
        observed = _walk(target, 4 if lookback is None else lookback, same_weekday, left_out)

    # Each observed day's span, and the wall-clock cells it has (None: every minute once).
    spans: list[tuple[int, int, date]] = []
    for obs in observed:
        try:
            spans.append((_midnight_us(obs, zone), _midnight_us(obs + _DAY, zone), obs))
        except (OverflowError, ConfigError):
            raise ConfigError(
                f"the day {obs.isoformat()} cannot be counted in {timezone}", "day"
            ) from None
    spans.sort()
    starts = [sp[0] for sp in spans]
    has = [_cells(start, end, zone) for start, end, _ in spans]
    counts: list[dict[_Cell, int]] = [{} for _ in spans]

    counted = 0
    for i, a in enumerate(arrivals):
        try:
            us = instant_us(a, "arrival", ConfigError)
        except ConfigError:
            aware = isinstance(a, datetime) and a.utcoffset() is not None
            raise ConfigError(
                # An aware arrival whose instant no datetime can hold in UTC says so.
                f"expected an instant in years 1-9999 in UTC, got {show(a)}"
                if aware
                else f"expected a timezone-aware datetime, got {show(a)}",
                f"arrivals[{i}]",
            ) from None
        k = bisect.bisect_right(starts, us) - 1
        if k >= 0 and us < spans[k][1]:
            local = _local(us, zone)
            cell = (local.hour * 60 + local.minute, local.fold)
            counts[k][cell] = counts[k].get(cell, 0) + 1
            counted += 1

    def mean(cell: _Cell) -> Fraction:
        """The mean count of a wall-clock cell over the observed days that had it, exactly
        (an interval's sum of means is then rounded once: six arrivals over three days are
        2.0, not a sum of six thirds)."""
        total = seen = 0
        for cells, row in zip(has, counts, strict=True):
            if cells is None:  # every minute once: a second pass reads the first
                key = (cell[0], 0)
            elif cell in cells:
                key = cell
            elif cell[1] and (cell[0], 0) in cells:  # no second pass that day: the first
                key = (cell[0], 0)
            else:
                continue  # a minute the day skipped
            total += row.get(key, 0)
            seen += 1
        return Fraction(total, seen) if seen else _ZERO

    try:
        day_start, day_end = _midnight_us(target, zone), _midnight_us(target + _DAY, zone)
    except (OverflowError, ConfigError):
        raise ConfigError(f"the day {target.isoformat()} cannot be forecast", "day") from None
    step = interval // _MINUTE
    starts_at: list[int] = []
    sums: list[Fraction] = []
    for us, cell in _minutes(day_start, day_end, zone):
        if not sums or cell[0] % step == 0:  # the day's start, or a wall time on the grid
            starts_at.append(us)
            sums.append(_ZERO)
        sums[-1] += mean(cell)
    rows = [
        ForecastInterval(
            _local(s_us, zone),
            timedelta(
                microseconds=(starts_at[j + 1] if j + 1 < len(starts_at) else day_end) - s_us
            ),
            float(sums[j]),
        )
        for j, s_us in enumerate(starts_at)
    ]
    return HistoryForecast(target, timezone, interval, tuple(observed), counted, tuple(rows))


def _excluded(exclude: Iterable[date]) -> set[date]:
    """The days of *exclude*, checked, reading at most :data:`MAX_EXCLUDE` of them (an
    endless iterable is refused once it gives one more, rather than read for ever)."""
    left_out: set[date] = set()
    for i, d in enumerate(exclude):
        if i >= MAX_EXCLUDE:
            raise ConfigError(
                f"'exclude' must give at most {MAX_EXCLUDE:,} days, got more (an endless "
                "iterable?); pass the days to leave out as a list or a set",
                "exclude",
            )
        left_out.add(_date(d, f"exclude[{i}]"))
    return left_out


def _walk(
    target: date, lookback: int, same_weekday: bool | None, left_out: set[date]
) -> list[date]:
    """The observed days of a walk back from *target*: each step one period (a week, or with
    *same_weekday* ``False`` a day) back, skipping the *left_out* days, most recent first."""
    period = timedelta(days=1 if same_weekday is False else 7)
    days: list[date] = []
    d = target
    while len(days) < lookback:
        try:
            d = d - period
        except OverflowError:
            raise ConfigError(
                f"only {len(days)} past days before {target.isoformat()} are left after "
                f"excluding {len(left_out)}; expected {lookback}",
                "lookback",
            ) from None
        if d not in left_out:
            days.append(d)
    return days


def _chosen(days: object, target: date) -> list[date]:
    """The days a caller chose (*days* of :func:`forecast_from_history`), checked: distinct
    dates before *target*, from 1 to :data:`MAX_LOOKBACK` of them; most recent first."""
    if isinstance(days, (str, bytes)) or not isinstance(days, Iterable):
        raise ConfigError(f"'days' must be an iterable of dates, got {show(days)}", "days")
    seen: set[date] = set()
    for i, d in enumerate(days):
        where = f"days[{i}]"
        if i >= MAX_LOOKBACK:
            raise ConfigError(f"expected at most {MAX_LOOKBACK} days to average", "days")
        plain = _plain_date(d)  # a datetime is a date too: its time of day would be lost
        if plain is None:
            raise ConfigError(f"expected a datetime.date, got {show(d)}", where)
        d = plain
        if d in seen:
            raise ConfigError(f"expected each day once, got {d.isoformat()} again", where)
        if d >= target:
            raise ConfigError(
                f"expected a day before {target.isoformat()}, the day forecast, got "
                f"{d.isoformat()}",
                where,
            )
        seen.add(d)
    if not seen:
        raise ConfigError("expected at least one day to average, got none", "days")
    return sorted(seen, reverse=True)
