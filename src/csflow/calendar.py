"""Exact business-hours calendars in an IANA time zone.

Theory of operation
-------------------
A :class:`BusinessCalendar` answers four questions — is the desk open at an instant, when does
it next open, what is the business-time deadline ``d`` after ``start``, and how much business
time lies between two instants — exactly (to the microsecond) and at a cost that does not grow
with the distance between the instants.

Instants are handled as integer microseconds since the Unix epoch (UTC).  Each *local date* of
the calendar's zone owns the real (UTC) intervals its spans map to; because every span of a
date lies between that date's local midnight and the next one, the dates' intervals are ordered
the same way the dates are.

Each year gets an index, built lazily once and kept in a bounded cache: the instants of its
local midnights (so the local date of an instant is one binary search) and the cumulative
business time of its dates.  A date's open time is the weekly pattern's except on the few
*exception* dates (holidays, special days, dates during which the UTC offset changes), which
are worked out exactly.  So:

* ``elapsed`` is the open time of the two end dates' parts plus a difference of two cumulative
  values (plus one stored total per whole year in between);
* ``add`` puts the start on the year's cumulative scale, adds the duration, and finds the date
  that reaches it with one binary search (into the next year, or past whole years by their
  totals, when the span is that long), then walks that date's few intervals.

Neither iterates over the days or the exceptions between the two instants, so the cost does not
grow with the span.  (Each year in between is indexed once, on first use; spans over 200 years
are refused with a ``CalendarError``, so that a hostile duration stays cheap.)  Two recent years stay at hand so that calls spanning New Year stay cheap.

Datetimes are converted to and from microseconds by :mod:`csflow._time` (field arithmetic with
one ``utcoffset()`` call in; ``datetime.fromtimestamp``, which resolves the zone with its
``fromutc`` like ``astimezone`` does, out).

DST conventions (PEP 495): a span bound that falls in a gap moves forward by the gap (02:30 on a
spring-forward night in New York is 03:30 EDT); a bound that falls in an overlap means its first
occurrence (``fold=0``).  Stdlib ``zoneinfo`` resolves ``fold=0`` exactly that way, so bounds
are built as stdlib datetimes with ``fold=0`` (pendulum's own default for ambiguous times is the
second occurrence, which is why csflow does not let it resolve them).  A date's open time is the
union of its spans after these rules; a span that collapses (02:30-03:00 on a spring-forward
night) is empty.
"""

from __future__ import annotations

import bisect
import re
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from itertools import accumulate
from types import MappingProxyType
from typing import Any, NamedTuple, cast

from csflow._time import EPOCH, MAX_US, ONE_US, duration_us, from_us, instant_us
from csflow.errors import CalendarError, ConfigError, _show

__all__ = ["DAY_KEYS", "BusinessCalendar"]

DAY_KEYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_MINUTE_US = 60_000_000
_DAY_MINUTES = 24 * 60
_HHMM = re.compile(r"([01][0-9]|2[0-4]):([0-5][0-9])\Z")
# Caches are bounded so that hostile inputs (instants scattered over millennia) cannot grow
# memory without limit; a cleared cache is only recomputed.
_DAY_CACHE_LIMIT = 50_000
_YEAR_CACHE_LIMIT = 256  # two lists of ~366 ints each; year totals are kept apart

_DAY_US = 86_400_000_000
#: The longest span, in years, that ``add`` and ``elapsed`` walk: each year in between is
#: indexed once (a few hundred zone lookups), so a hostile duration stays cheap to refuse.
_MAX_SPAN_YEARS = 200
_UNIX_ORDINAL = date(1970, 1, 1).toordinal()

Span = tuple[int, int]  # minutes since local midnight, end exclusive, 0 <= start < end <= 1440
Interval = tuple[int, int]  # microseconds since the epoch, start < end


class _Year(NamedTuple):
    """One year's index over its local dates ``first..last`` (ordinals).

    ``mids[i]`` is the instant (µs) of local midnight (``fold=0``) starting date ``first + i``,
    with one more entry for the midnight that ends the year; ``cum[i]`` is the business µs of
    the dates ``first .. first + i - 1`` (so ``cum[0] == 0``).
    """

    year: int
    first: int
    last: int
    mids: list[int]
    cum: list[int]


def _parse_bound(value: object, what: str, *, is_end: bool) -> int:
    if isinstance(value, time):
        if value.tzinfo is not None or value.second or value.microsecond:
            raise CalendarError(f"{what} must be a whole-minute naive time, got {_show(value)}")
        return value.hour * 60 + value.minute
    if not isinstance(value, str):
        raise CalendarError(f"{what} must be an 'HH:MM' string, got {_show(value)}")
    m = _HHMM.match(value)
    if m is None:
        raise CalendarError(
            f"{what} must be an 'HH:MM' string from '00:00' to '24:00', got {_show(value)}"
        )
    minutes = int(m.group(1)) * 60 + int(m.group(2))
    if minutes > _DAY_MINUTES:
        raise CalendarError(f"{what} must not be later than '24:00', got {_show(value)}")
    if minutes == _DAY_MINUTES and not is_end:
        raise CalendarError(
            f"{what}: '24:00' is allowed only as the end of a span, got {_show(value)}"
        )
    return minutes


def _parse_spans(value: object, where: str) -> tuple[Span, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise CalendarError(
            f"{where} must be a list of ('HH:MM', 'HH:MM') spans, got {_show(value)}"
        )
    spans: list[Span] = []
    for i, pair in enumerate(value):
        what = f"{where}[{i}]"
        if isinstance(pair, (str, bytes)) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise CalendarError(f"{what} must be a pair ('HH:MM', 'HH:MM'), got {_show(pair)}")
        start = _parse_bound(pair[0], f"{what} start", is_end=False)
        end = _parse_bound(pair[1], f"{what} end", is_end=True)
        if start >= end:
            raise CalendarError(f"{what} must start before it ends, got {_show(tuple(pair))}")
        if spans and start < spans[-1][1]:
            raise CalendarError(
                f"{where} spans must be sorted and must not overlap, got {_show(tuple(pair))} "
                f"after {_show(_fmt_span(spans[-1]))}"
            )
        spans.append((start, end))
    return tuple(spans)


def _fmt_minute(m: int) -> str:
    return f"{m // 60:02d}:{m % 60:02d}"


def _fmt_span(span: Span) -> tuple[str, str]:
    return (_fmt_minute(span[0]), _fmt_minute(span[1]))


def _check_date(value: object, where: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise CalendarError(f"{where} keys must be datetime.date values, got {_show(value)}")
    return value


def _load_zone(name: object) -> zoneinfo.ZoneInfo:
    if not isinstance(name, str) or not name or len(name) > 255:
        raise CalendarError(f"'timezone' must be an IANA time zone name, got {_show(name)}")
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise CalendarError(
            f"'timezone' must be an IANA time zone name, got {_show(name)}"
        ) from None


class BusinessCalendar:
    """Weekly business hours in an IANA time zone, with holidays and special days.

    Args:
        timezone: An IANA zone name such as ``"Asia/Jakarta"``.
        weekly: Day key (``"mon"`` … ``"sun"``) -> list of local ``("HH:MM", "HH:MM")`` spans,
            sorted and not overlapping; ``"24:00"`` is allowed as an end.  A missing key is a
            closed day.  ``datetime.time`` values are accepted as well as strings.
        holidays: Dates closed all day: a mapping date -> name (for example
            ``holidays.Indonesia(years=2026)``) or any iterable of dates.
        special_days: Date -> spans that replace that date's weekly spans (``[]`` closes the
            date).  A special day wins over a holiday on the same date.

    Raises:
        CalendarError: An unknown zone, a bad day key, a malformed, unsorted or overlapping
            span, or a key that is not a ``date``.

    Examples:
        >>> from datetime import date, datetime, timedelta, timezone
        >>> cal = BusinessCalendar(
        ...     "Asia/Jakarta",
        ...     weekly={d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")},
        ...     holidays={date(2026, 3, 20): "Idul Fitri"},
        ... )
        >>> cal.add(datetime(2026, 3, 19, 16, 0, tzinfo=timezone.utc), timedelta(hours=2)).isoformat()
        '2026-03-23T11:00:00+07:00'
    """

    __slots__ = (
        "_days",
        "_holidays",
        "_hot",
        "_listed",
        "_nominal",
        "_special",
        "_special_ords",
        "_timezone",
        "_totals",
        "_warm",
        "_week_total",
        "_weekly",
        "_years",
        "_zone",
    )

    def __init__(
        self,
        timezone: str,
        weekly: Mapping[str, Iterable[Sequence[str | time]]] | None = None,
        holidays: Mapping[date, str] | Iterable[date] = (),
        special_days: Mapping[date, Iterable[Sequence[str | time]]] | None = None,
    ) -> None:
        self._zone = _load_zone(timezone)
        self._timezone = timezone
        weekly = {} if weekly is None else weekly
        if not isinstance(weekly, Mapping):
            raise CalendarError(f"'weekly' must be a mapping of day -> spans, got {_show(weekly)}")
        days: list[tuple[Span, ...]] = [()] * 7
        for key, spans in weekly.items():
            if key not in DAY_KEYS:
                raise CalendarError(
                    f"'weekly' keys must be one of {_show(DAY_KEYS)}, got {_show(key)}"
                )
            days[DAY_KEYS.index(key)] = _parse_spans(spans, f"weekly[{key!r}]")
        self._weekly: tuple[tuple[Span, ...], ...] = tuple(days)

        if isinstance(holidays, Mapping):
            hol = {_check_date(d, "'holidays'"): str(name) for d, name in holidays.items()}
        elif isinstance(cast(object, holidays), (str, bytes)) or not isinstance(holidays, Iterable):
            raise CalendarError(
                f"'holidays' must be a mapping or iterable of dates, got {_show(holidays)}"
            )
        else:
            hol = {_check_date(d, "'holidays'"): "holiday" for d in holidays}
        self._holidays: Mapping[date, str] = MappingProxyType(dict(sorted(hol.items())))

        special_days = {} if special_days is None else special_days
        if not isinstance(special_days, Mapping):
            raise CalendarError(
                f"'special_days' must be a mapping of date -> spans, got {_show(special_days)}"
            )
        special = {
            _check_date(d, "'special_days'"): _parse_spans(spans, f"special_days[{d.isoformat()}]")
            for d, spans in special_days.items()
        }
        self._special: Mapping[date, tuple[Span, ...]] = MappingProxyType(
            dict(sorted(special.items()))
        )
        self._special_ords = [d.toordinal() for d, spans in self._special.items() if spans]

        # Dates whose open time may differ from the weekly pattern's, by year.
        self._listed: dict[int, list[int]] = {}
        for d in {*self._holidays, *self._special}:
            self._listed.setdefault(d.year, []).append(d.toordinal())

        self._nominal = tuple(sum(e - s for s, e in spans) * _MINUTE_US for spans in self._weekly)
        self._week_total = sum(self._nominal)
        self._days: dict[int, tuple[tuple[Interval, ...], int]] = {}
        self._years: dict[int, _Year] = {}
        self._totals: dict[int, int] = {}
        # No year yet: an empty index whose range contains no instant and no date.
        self._hot = self._warm = _Year(0, 0, -1, [0], [0])

    # -- construction helpers ------------------------------------------------------------------

    @classmethod
    def always_open(cls, timezone: str = "UTC") -> BusinessCalendar:
        """A 24/7 calendar: open at every instant.

        Business time then equals wall time, even across DST changes (a 23-hour or 25-hour
        local day counts 23 or 25 hours).  The zone only decides the zone of the results.
        """
        return cls(timezone, weekly={day: [("00:00", "24:00")] for day in DAY_KEYS})

    @property
    def timezone(self) -> str:
        """The IANA zone name."""
        return self._timezone

    @property
    def zone(self) -> tzinfo:
        """The zone as a ``tzinfo`` (results are expressed in it)."""
        return self._zone

    @property
    def weekly(self) -> Mapping[str, tuple[tuple[str, str], ...]]:
        """Day key -> spans as ``("HH:MM", "HH:MM")`` pairs (closed days are omitted)."""
        return MappingProxyType(
            {
                key: tuple(_fmt_span(s) for s in spans)
                for key, spans in zip(DAY_KEYS, self._weekly, strict=True)
                if spans
            }
        )

    @property
    def holidays(self) -> Mapping[date, str]:
        """Holiday date -> name, read-only."""
        return self._holidays

    @property
    def special_days(self) -> Mapping[date, tuple[tuple[str, str], ...]]:
        """Special date -> spans as ``("HH:MM", "HH:MM")`` pairs, read-only."""
        return MappingProxyType(
            {d: tuple(_fmt_span(s) for s in spans) for d, spans in self._special.items()}
        )

    @property
    def weekly_hours(self) -> timedelta:
        """Nominal open time in an ordinary week (no holidays, special days or DST change)."""
        return timedelta(microseconds=self._week_total)

    def __repr__(self) -> str:
        return (
            f"BusinessCalendar({self._timezone!r}, weekly={dict(self.weekly)!r}, "
            f"holidays=<{len(self._holidays)} dates>, special_days=<{len(self._special)} dates>)"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BusinessCalendar):
            return NotImplemented
        return (
            self._timezone == other._timezone
            and self._weekly == other._weekly
            and set(self._holidays) == set(other._holidays)
            and dict(self._special) == dict(other._special)
        )

    def __hash__(self) -> int:
        return hash((self._timezone, self._weekly, frozenset(self._holidays)))

    # -- plain-data form -----------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The calendar as JSON-compatible data; :meth:`from_dict` reads it back."""
        return {
            "timezone": self._timezone,
            "weekly": {k: [list(s) for s in v] for k, v in self.weekly.items()},
            "holidays": {d.isoformat(): name for d, name in self._holidays.items()},
            "special_days": {
                d.isoformat(): [list(_fmt_span(s)) for s in spans]
                for d, spans in self._special.items()
            },
        }

    @classmethod
    def from_dict(cls, data: object, path: str = "calendar") -> BusinessCalendar:
        """Build a calendar from JSON-compatible data.

        The shape is that of :meth:`to_dict`: ``timezone``, ``weekly`` (day -> list of
        ``["HH:MM", "HH:MM"]``), ``holidays`` (ISO date -> name, or a list of ISO dates) and
        ``special_days`` (ISO date -> spans); or ``{"timezone": ..., "always_open": true}``.

        Raises:
            ConfigError: Anything malformed, with the path to it (e.g.
                ``calendar.weekly.mon[1] end must ...``).
        """
        if not isinstance(data, Mapping):
            raise ConfigError(f"expected a mapping, got {_show(data)}", path)
        allowed = {"timezone", "weekly", "holidays", "special_days", "always_open"}
        for key in data:
            if key not in allowed:
                raise ConfigError(
                    f"unknown key {_show(key)}; expected one of {sorted(allowed)}", path
                )
        try:
            timezone = data.get("timezone", "UTC")
            if data.get("always_open", False) is True:
                if any(k in data for k in ("weekly", "holidays", "special_days")):
                    raise ConfigError(
                        "'always_open' excludes weekly, holidays and special_days", path
                    )
                return cls.always_open(timezone)
            holidays_raw = data.get("holidays", {})
            if isinstance(holidays_raw, Mapping):
                holidays: dict[date, str] | list[date] = {
                    _parse_iso_date(k, f"{path}.holidays"): _holiday_name(v, f"{path}.holidays")
                    for k, v in holidays_raw.items()
                }
            elif isinstance(holidays_raw, list):
                holidays = [_parse_iso_date(k, f"{path}.holidays") for k in holidays_raw]
            else:
                raise ConfigError(
                    f"expected a mapping or list of ISO dates, got {_show(holidays_raw)}",
                    f"{path}.holidays",
                )
            special_raw = data.get("special_days", {})
            if not isinstance(special_raw, Mapping):
                raise ConfigError(
                    f"expected a mapping of ISO date -> spans, got {_show(special_raw)}",
                    f"{path}.special_days",
                )
            special = {
                _parse_iso_date(k, f"{path}.special_days"): v for k, v in special_raw.items()
            }
            return cls(timezone, data.get("weekly", {}), holidays, special)
        except CalendarError as exc:
            raise ConfigError(str(exc), path) from None

    # -- per-date structure --------------------------------------------------------------------

    def _spans_of(self, d: date) -> tuple[Span, ...]:
        special = self._special.get(d)
        if special is not None:
            return special
        if d in self._holidays:
            return ()
        return self._weekly[d.weekday()]

    def _local_us(self, d: date, minute: int) -> int:
        """The instant (µs) of wall time *minute* on local date *d* (``fold=0``, gaps forward)."""
        if minute == _DAY_MINUTES:
            # "24:00" is the next date's midnight (raises ValueError after 9999-12-31).
            d = date.fromordinal(d.toordinal() + 1)
            minute = 0
        local = datetime(d.year, d.month, d.day, minute // 60, minute % 60, tzinfo=self._zone)
        return (local - EPOCH) // ONE_US

    def _day(self, n: int) -> tuple[tuple[Interval, ...], int]:
        """The real open intervals of local date ordinal *n* (sorted, disjoint) and their total."""
        cached = self._days.get(n)
        if cached is not None:
            return cached
        d = date.fromordinal(n)
        raw = sorted((self._local_us(d, s), self._local_us(d, e)) for s, e in self._spans_of(d))
        merged: list[Interval] = []
        for s, e in raw:
            if s >= e:  # collapsed inside a DST gap
                continue
            if merged and s <= merged[-1][1]:
                if e > merged[-1][1]:
                    merged[-1] = (merged[-1][0], e)
            else:
                merged.append((s, e))
        result = (tuple(merged), sum(e - s for s, e in merged))
        if len(self._days) >= _DAY_CACHE_LIMIT:
            self._days.clear()
        self._days[n] = result
        return result

    def _year(self, year: int) -> _Year:
        """The index of *year*: its dates' local midnights and cumulative open time."""
        cached = self._years.get(year)
        if cached is not None:
            return cached
        first = date(year, 1, 1).toordinal()
        last = date(year, 12, 31).toordinal()
        size = last - first + 1
        zone = self._zone
        # One zone lookup a day, once a year; it also tells which dates have an offset change.
        mids: list[int] = []
        for n in range(first, last + 1):
            d = date.fromordinal(n)
            mids.append((datetime(d.year, d.month, d.day, tzinfo=zone) - EPOCH) // ONE_US)
        try:
            mids.append((datetime(year + 1, 1, 1, tzinfo=zone) - EPOCH) // ONE_US)
        except ValueError:
            # After year 9999 there is no next midnight; the sentinel only bounds the search.
            mids.append(mids[-1] + _DAY_US)
        # Nominal totals, the weekly pattern rotated to start on 1 January (ordinal 1 is a
        # Monday), then the exceptions: listed dates and dates with an offset change.
        wd = (first + 6) % 7
        week = self._nominal[wd:] + self._nominal[:wd]
        totals = list((week * (size // 7 + 1))[:size])
        exceptions = set(self._listed.get(year, ()))
        exceptions.update(first + i for i in range(size) if mids[i + 1] - mids[i] != _DAY_US)
        for n in exceptions:
            totals[n - first] = self._day(n)[1]
        result = _Year(year, first, last, mids, list(accumulate(totals, initial=0)))
        if len(self._years) >= _YEAR_CACHE_LIMIT:
            self._years.clear()
        self._years[year] = result
        if len(self._totals) >= _DAY_CACHE_LIMIT:
            self._totals.clear()
        self._totals[year] = result.cum[-1]
        return result

    def _year_total(self, year: int) -> int:
        """Business µs of the whole of *year* (kept after the year's index is evicted)."""
        total = self._totals.get(year)
        if total is None:
            total = self._year(year).cum[-1]
        return total

    def _between(self, m: int, n: int) -> int:
        """Business microseconds of the whole dates ``m <= date < n``."""
        if n <= m:
            return 0
        y = self._hot
        if not y.first <= m <= y.last:
            y = self._year_of(m)
        cum = y.cum
        if n <= y.last + 1:
            return cum[n - y.first] - cum[m - y.first]
        total = cum[-1] - cum[m - y.first]
        following = self._years.get(y.year + 1)
        if following is not None and n <= following.last + 1:
            return total + following.cum[n - following.first]
        end_year = date.fromordinal(n - 1).year
        if end_year - y.year > _MAX_SPAN_YEARS:
            raise _span_error(y.year)
        for year in range(y.year + 1, end_year):
            total += self._year_total(year)
        end = self._year(end_year)
        return total + end.cum[n - end.first]

    def _day_of(self, t: int) -> int:
        """The local date ordinal of instant *t* (µs)."""
        mids = self._hot.mids
        if mids[0] <= t < mids[-1]:
            return self._hot.first + bisect.bisect_right(mids, t) - 1
        return self._day_of_slow(t)

    def _day_of_slow(self, t: int) -> int:
        entry = self._warm
        if not entry.mids[0] <= t < entry.mids[-1]:
            try:
                # The UTC date's year is the local one or a neighbour (offsets are under a day).
                year = date.fromordinal(t // _DAY_US + _UNIX_ORDINAL).year
                entry = self._year(year)
                if t < entry.mids[0]:
                    entry = self._year(year - 1)
                elif t >= entry.mids[-1]:
                    entry = self._year(year + 1)
            except (OverflowError, ValueError):
                raise CalendarError(
                    f"instant is outside the supported range of dates: {_show(t)} µs"
                ) from None
            # Two years stay at hand, so that calls whose ends lie in two years (elapsed
            # across New Year) do not evict each other's year.
            self._warm = self._hot
            self._hot = entry
        return entry.first + bisect.bisect_right(entry.mids, t) - 1

    def _year_of(self, n: int) -> _Year:
        """The index of the year holding local date ordinal *n*."""
        entry = self._hot
        if entry.first <= n <= entry.last:
            return entry
        entry = self._warm
        if entry.first <= n <= entry.last:
            return entry
        return self._year(date.fromordinal(n).year)

    @staticmethod
    def _open_before(intervals: tuple[Interval, ...], t: int) -> int:
        total = 0
        for s, e in intervals:
            if t <= s:
                break
            total += (e if e < t else t) - s
        return total

    def _find_day(self, lo: int, need: int) -> tuple[int, int]:
        """Smallest date m >= lo whose end reaches *need* (> 0) business µs counted from date lo.

        Returns m and the business µs still needed inside m (``0 < rest <= total of m``).
        """
        if self._week_total == 0:
            # Open only on special days: visit them in order.
            for n in self._special_ords[bisect.bisect_left(self._special_ords, lo) :]:
                total = self._day(n)[1]
                if need <= total:
                    return n, need
                need -= total
            raise CalendarError(
                f"calendar in {_show(self._timezone)} never opens again: no weekly hours and no "
                "later "
                "special day with open hours"
            )
        y = self._hot
        if not y.first <= lo <= y.last:
            y = self._year_of(lo)
        i = lo - y.first
        cum = y.cum
        target = cum[i] + need
        if target > cum[-1]:
            # Past this year: skip whole years by their totals.  The weekly pattern has open
            # hours and holidays are finite, so this ends (or leaves the range of dates).
            target -= cum[-1]
            year = y.year + 1
            total = self._year_total(year)
            while target > total:
                target -= total
                year += 1
                if year - y.year > _MAX_SPAN_YEARS:
                    raise _span_error(y.year)
                total = self._year_total(year)
            y = self._year(year)
            cum = y.cum
            i = 0
        j = bisect.bisect_left(cum, target, i + 1)
        return y.first + j - 1, target - cum[j - 1]

    # -- integer-microsecond API ---------------------------------------------------------------

    def is_open_us(self, t: int) -> bool:
        """Whether the desk is open at instant *t* (µs since the epoch)."""
        _check_int(t, "t")
        try:
            return self._is_open_us(t)
        except (OverflowError, ValueError) as exc:
            raise _range_error(exc, t) from None

    def next_open_us(self, t: int) -> int:
        """The first open instant at or after *t* (µs since the epoch).

        Raises:
            CalendarError: The calendar never opens again, or the answer is past year 9999.
        """
        _check_int(t, "t")
        try:
            return self._next_open_us(t)
        except (OverflowError, ValueError) as exc:
            raise _range_error(exc, t) from None

    def elapsed_us(self, a: int, b: int) -> int:
        """Business µs inside ``[a, b]`` (instants in µs since the epoch).

        Raises:
            CalendarError: ``b < a``.
        """
        if type(a) is not int or type(b) is not int:
            _check_int(a, "a")
            _check_int(b, "b")
        try:
            return self._elapsed_us(a, b)
        except (OverflowError, ValueError) as exc:
            raise _range_error(exc, b) from None

    def add_us(self, t: int, d: int) -> int:
        """The earliest instant u >= t with ``elapsed_us(t, u) == d`` (``d >= 0``, in µs).

        Raises:
            CalendarError: ``d < 0``, the calendar never opens again, or the answer is past
                year 9999.
        """
        if type(t) is not int or type(d) is not int:
            _check_int(t, "t")
            _check_int(d, "d")
        try:
            return self._add_us(t, d)
        except (OverflowError, ValueError) as exc:
            if isinstance(exc, CalendarError):
                raise
            raise CalendarError(
                f"the deadline {d} µs after {t} µs since the epoch is outside the supported "
                "range of dates (years 1-9999)"
            ) from None

    def _is_open_us(self, t: int) -> bool:
        """Whether the desk is open at instant *t* (µs since the epoch)."""
        return any(s <= t < e for s, e in self._day(self._day_of(t))[0])

    def _next_open_us(self, t: int) -> int:
        """The first open instant at or after *t* (µs since the epoch)."""
        n = self._day_of(t)
        for s, e in self._day(n)[0]:
            if t < e:
                return s if s > t else t
        m, _ = self._find_day(n + 1, 1)
        return self._day(m)[0][0][0]

    def _elapsed_us(self, a: int, b: int) -> int:
        """Business µs inside ``[a, b]``; requires ``a <= b``."""
        if b < a:
            raise CalendarError(f"'end' must not be before 'start', got {a} > {b} µs")
        # _day_of, _between, the _days cache and _open_before are inlined: this is the hot path.
        ya = self._hot
        mids = ya.mids
        if mids[0] <= a < mids[-1]:
            ia = bisect.bisect_right(mids, a) - 1
        else:
            ya = self._year_of(self._day_of_slow(a))
            mids = ya.mids
            ia = bisect.bisect_right(mids, a) - 1
        if b < mids[-1]:
            yb = ya
            ib = bisect.bisect_right(mids, b, ia) - 1
        else:
            following = self._years.get(ya.year + 1)
            if following is not None and b < following.mids[-1]:
                yb = following
                ib = bisect.bisect_right(following.mids, b) - 1
            else:
                yb = self._year_of(self._day_of(b))
                ib = bisect.bisect_right(yb.mids, b) - 1
        na = ya.first + ia
        nb = yb.first + ib
        days = self._days
        total = 0
        if na == nb:
            for s, e in (days.get(na) or self._day(na))[0]:
                if b <= s:
                    break
                if a < e:
                    total += (e if e < b else b) - (s if s > a else a)
            return total
        for s, e in (days.get(na) or self._day(na))[0]:
            if a < e:
                total += e - (s if s > a else a)
        for s, e in (days.get(nb) or self._day(nb))[0]:
            if b <= s:
                break
            total += (e if e < b else b) - s
        # The whole dates in between, from the years' cumulative open time.
        if yb is ya:
            return total + ya.cum[ib] - ya.cum[ia + 1]
        if yb.year == ya.year + 1:
            return total + ya.cum[-1] - ya.cum[ia + 1] + yb.cum[ib]
        return total + self._between(na + 1, nb)

    def _add_us(self, t: int, d: int) -> int:
        """The earliest instant u >= t with ``elapsed_us(t, u) == d`` (``d >= 0``)."""
        if d <= 0:
            if d == 0:
                return t
            raise CalendarError(f"'duration' must not be negative, got {_show(d)} µs")
        if d > MAX_US - t:
            # Business time runs no faster than real time: the answer is past year 9999.
            raise OverflowError
        hot = self._hot
        mids = hot.mids
        if mids[0] <= t < mids[-1]:
            y = hot
            i = bisect.bisect_right(mids, t) - 1
        else:
            n = self._day_of_slow(t)
            y = self._year_of(n)
            i = n - y.first
        n = y.first + i
        days = self._days
        for s, e in (days.get(n) or self._day(n))[0]:
            if e <= t:
                continue
            start = s if s > t else t
            if d <= e - start:
                return start + d
            d -= e - start
        # Not on date n: what is still needed, on the year's cumulative scale from date n's
        # end; the answer lies on the first date whose end reaches it.
        cum = y.cum
        target = cum[i + 1] + d
        if target <= cum[-1]:
            j = bisect.bisect_left(cum, target, i + 2)
            n = y.first + j - 1
            rest = target - cum[j - 1]
        else:
            rest = target - cum[-1]
            following = self._years.get(y.year + 1)
            if following is not None and rest <= following.cum[-1]:
                # Into the next year (a 4000-hour span): the same search, one year on.
                cum = following.cum
                j = bisect.bisect_left(cum, rest, 1)
                n = following.first + j - 1
                rest -= cum[j - 1]
            else:
                n, rest = self._find_day(y.last + 1, rest)
        for s, e in (days.get(n) or self._day(n))[0]:
            if rest <= e - s:
                return s + rest
            rest -= e - s
        raise AssertionError("unreachable: no date with enough open time was found")

    # -- datetime API --------------------------------------------------------------------------

    def is_open(self, at: datetime) -> bool:
        """Whether the desk is open at *at*.

        Raises:
            CalendarError: *at* is naive or not a datetime.
        """
        return self.is_open_us(instant_us(at, "at"))

    def next_open(self, at: datetime) -> datetime:
        """The first open instant at or after *at* (*at* itself when open), in the calendar's zone.

        Raises:
            CalendarError: *at* is naive, or the calendar never opens again.
        """
        t = self.next_open_us(instant_us(at, "at"))
        try:
            return from_us(t, self._zone)
        except (OverflowError, ValueError) as exc:
            raise _range_error(exc, t) from None

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The business-time deadline *duration* after *start*.

        It is the earliest instant ``t >= start`` with ``elapsed(start, t) == duration``; so
        ``add(start, timedelta(0))`` is *start* (in the calendar's zone) and a positive duration
        never ends on a closed instant's far side.

        Raises:
            CalendarError: *start* is naive, *duration* is negative or not a timedelta, or the
                calendar never opens again.
        """
        t = instant_us(start, "start")
        d = duration_us(duration, "duration")
        try:
            u = self._add_us(t, d)
        except (OverflowError, ValueError) as exc:
            raise _range_error(exc, t) from None
        try:
            return from_us(u, self._zone)
        except (OverflowError, ValueError) as exc:
            raise _range_error(exc, u) from None

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time inside ``[start, end]``.

        Raises:
            CalendarError: *start* or *end* is naive, or *end* is before *start*.
        """
        a = instant_us(start, "start")
        b = instant_us(end, "end")
        if b < a:
            raise CalendarError(
                f"'end' must not be before 'start', got start={_show(start)}, end={_show(end)}"
            )
        try:
            return ONE_US * self._elapsed_us(a, b)
        except (OverflowError, ValueError) as exc:
            raise _range_error(exc, b) from None


def _span_error(year: int) -> CalendarError:
    return CalendarError(
        f"spans longer than {_MAX_SPAN_YEARS} years are not supported (from the year {year}): "
        "each year in between is indexed once, and the cost must stay bounded"
    )


def _check_int(value: object, name: str) -> None:
    if type(value) is not int:
        raise CalendarError(f"{name!r} must be an int of microseconds, got {_show(value)}")


def _range_error(exc: Exception, t: int) -> CalendarError:
    if isinstance(exc, CalendarError):
        return exc
    return CalendarError(
        f"instant is outside the supported range of dates (years 1-9999): {_show(t)} µs since the "
        "epoch"
    )


def _holiday_name(value: object, path: str) -> str:
    if not isinstance(value, str) or len(value) > 256:
        raise ConfigError(
            f"a holiday's name must be a string of at most 256 characters, got {_show(value)}",
            path,
        )
    return value


def _parse_iso_date(value: object, path: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ConfigError(f"expected an ISO date 'YYYY-MM-DD', got {_show(value)}", path)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"expected an ISO date 'YYYY-MM-DD', got {_show(value)}", path) from None
