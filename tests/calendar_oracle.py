"""A deliberately simple, day-by-day reference for BusinessCalendar, shared by the calendar tests.

Theory of operation: :class:`RefCalendar` builds, for each local date on its own, the open
intervals as integer microseconds since the epoch, by turning each wall-clock bound into an
aware datetime ``datetime(y, m, d, hh, mm, tzinfo=ZoneInfo(tz), fold=0)``.  PEP 495 maps a
``fold=0`` wall time with the offset in force *before* a transition, which is exactly the spec's
two DST rules: a bound inside a spring-forward gap moves forward by the gap, and a bound inside
a fall-back overlap means its first occurrence.  A day's intervals are then merged (their union)
and every query is a linear scan, day after day.  Nothing is clever, so it is obviously right;
the only fact it relies on (a day's open time lies between its own midnight and the next one's)
is asserted as it goes.

tests/test_calendar_reference.py draws calendars in 2025-2027 and bounds the scan as csflow
does (200 years); tests/test_calendar_edges.py and tests/test_calendar_runs.py reach years 1
and 9999 and zones that skip a date, and scan two dates either side of an instant's local date
without that assertion.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from csflow.calendar import DAY_KEYS, BusinessCalendar
from strategies import Span, datetime_of, minute_of, us_of

__all__ = ["Interval", "NeverOpensError", "RefCalendar", "Spec"]

Interval = tuple[int, int]  # [start, end) in microseconds since the epoch


@dataclass(frozen=True)
class Spec:
    """A calendar as plain data, so a failing example prints readably."""

    zone: str
    weekly: Mapping[str, tuple[Span, ...]]
    holidays: frozenset[date]
    special_days: Mapping[date, tuple[Span, ...]]
    #: Give the holidays as a mapping to names (else as a list of dates).
    holidays_as_mapping: bool = False

    def build(self) -> BusinessCalendar:
        holidays: Mapping[date, str] | list[date]
        if self.holidays_as_mapping:
            holidays = {day: f"holiday {day}" for day in sorted(self.holidays)}
        else:
            holidays = sorted(self.holidays)
        return BusinessCalendar(
            timezone=self.zone,
            weekly={key: list(spans) for key, spans in self.weekly.items()},
            holidays=holidays,
            special_days={day: list(spans) for day, spans in self.special_days.items()},
        )


class NeverOpensError(Exception):
    """The reference found that the calendar never opens again, or (with a horizon) that the
    answer lies further than the horizon: either way the calendar must refuse."""


class RefCalendar:
    """Day-by-day reference: per-date intervals from ``fold=0`` wall times, then linear scans.

    Args:
        spec: The calendar.
        margin_days: How many dates either side of an instant's local date a scan starts from.
        nested_days: Assert that each date's open time lies between its own midnight and the
            next one's, which one date of margin relies on.  A zone that skips a date (Apia,
            2011-12-30) breaks it: there, scan two dates either side and do not assert it.
        horizon_years: ``add`` gives up (NeverOpensError) past this many years after the
            start's local year; None: only when the calendar never opens again.
    """

    def __init__(
        self,
        spec: Spec,
        *,
        margin_days: int = 1,
        nested_days: bool = True,
        horizon_years: int | None = None,
    ) -> None:
        self.spec = spec
        self.zone = ZoneInfo(spec.zone)
        self.margin = timedelta(days=margin_days)
        self.nested_days = nested_days
        self.horizon_years = horizon_years
        self._days: dict[date, list[Interval]] = {}
        if any(spec.weekly.values()):
            # Weekly hours repeat forever, so a forward scan always ends.
            self.last_open_day: date | None = None
        else:
            # Only special days can open; after the last one the calendar is closed for good.
            self.last_open_day = max(
                (day for day, spans in spec.special_days.items() if spans), default=date(2, 1, 1)
            )

    def spans_of(self, day: date) -> tuple[Span, ...]:
        if day in self.spec.special_days:  # a special day wins over a holiday
            return self.spec.special_days[day]
        if day in self.spec.holidays:
            return ()
        return self.spec.weekly.get(DAY_KEYS[day.weekday()], ())

    def wall(self, day: date, minute: int) -> int:
        """The instant of wall time *minute* on *day* ("24:00" = next midnight), fold=0."""
        day += timedelta(days=minute // 1440)
        minute %= 1440
        local = datetime(
            day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=self.zone, fold=0
        )
        return us_of(local.astimezone(UTC))

    def day_intervals(self, day: date) -> list[Interval]:
        """The union of *day*'s spans as sorted, disjoint, non-empty intervals."""
        if day in self._days:
            return self._days[day]
        raw = []
        # A date's open time lies within its own midnight and the next one's: a date the zone
        # skips (Apia's 2011-12-30, both midnights one instant) has none, else its spans would
        # move forward onto the next date's and count twice.
        first, last = self.wall(day, 0), self.wall(day, 1440)
        for start, end in self.spans_of(day):
            lo = max(first, self.wall(day, minute_of(start)))
            hi = min(last, self.wall(day, minute_of(end)))
            if lo < hi:  # a span whose start moved forward past its end is empty
                raw.append((lo, hi))
        merged: list[Interval] = []
        for lo, hi in sorted(raw):
            if merged and lo <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
            else:
                merged.append((lo, hi))
        # The scans below walk day after day, one date either side; that is right only if days
        # do not interleave.
        if merged and self.nested_days:
            assert self.wall(day, 0) <= merged[0][0]
            assert merged[-1][1] <= self.wall(day, 1440)
        self._days[day] = merged
        return merged

    def local_date(self, us: int) -> date:
        return datetime_of(us, self.zone).date()

    def intervals(self, first: date, last: date) -> list[Interval]:
        out: list[Interval] = []
        day = first
        while day <= last:
            out.extend(self.day_intervals(day))
            day += timedelta(days=1)
        return out

    def is_open(self, t: int) -> bool:
        day = self.local_date(t)
        return any(lo <= t < hi for lo, hi in self.intervals(day - self.margin, day + self.margin))

    def elapsed(self, a: int, b: int) -> int:
        assert a <= b
        first = self.local_date(a) - self.margin
        last = self.local_date(b) + self.margin
        return sum(max(0, min(hi, b) - max(lo, a)) for lo, hi in self.intervals(first, last))

    def _check_horizon(self, day: date) -> None:
        if self.last_open_day is not None and day > self.last_open_day + self.margin:
            raise NeverOpensError

    def next_open(self, t: int) -> int:
        if self.is_open(t):
            return t
        day = self.local_date(t) - self.margin
        while True:
            self._check_horizon(day)
            starts = [lo for lo, _ in self.day_intervals(day) if lo > t]
            if starts:
                return min(starts)
            day += timedelta(days=1)

    def add(self, a: int, d: int) -> int:
        if d == 0:
            return a
        remaining = d
        day = self.local_date(a) - self.margin
        start_year = self.local_date(a).year
        last_year = None if self.horizon_years is None else start_year + self.horizon_years
        while True:
            self._check_horizon(day)
            if last_year is not None and day.year > last_year:
                raise NeverOpensError
            for lo, hi in self.day_intervals(day):
                lo = max(lo, a)
                if lo >= hi:
                    continue
                if hi - lo >= remaining:
                    return lo + remaining
                remaining -= hi - lo
            day += timedelta(days=1)
