"""Exact business-hours calendars in an IANA time zone.

This module is one concept, the business-hours index, and stays whole on purpose (about 1,500
lines): the fast paths of ``add`` and ``elapsed`` inline the run lookup, the wall-clock
conversion and the binary searches against the run structures defined here, and splitting them
across modules would put an attribute lookup or a call on every hot call for no gain in
clarity.  Reading a calendar from plain data is the short section near ``from_dict``.

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

The calendar indexes *runs* of consecutive years, built lazily as instants are asked about
and extended a year at a time: the instants of the local midnights and the open intervals in
order, with the business time at each interval's end as a point on the run's cumulative
*scale*.  A date's intervals are its midnight plus the weekly pattern's spans, except on the
few *exception* dates (holidays, special days, dates during which the UTC offset changes),
which are worked out exactly.  So:

* ``elapsed`` is the difference of the two ends' points: one binary search each;
* ``add`` finds the start's point, adds the duration and finds the interval that reaches the
  sum with one binary search (the run is extended by the next year when the span needs it,
  and whole years past it are skipped by their totals).

A year's total is worked out date by date once; past the zone's last listed transition (when
its offsets follow one yearly rule: a fixed offset or a POSIX TZ rule such as "second Sunday
of March") a year without a holiday or special day has the total of every such year of its
*kind* (the weekday of its 1 January, whether it and the next year are leap years: 28 kinds).
And past the last listed date too, 400 years (146,097 days, whole weeks) hold the same open
time wherever they start, so a far deadline skips whole cycles by one division.  A deadline
centuries on, from a calendar never asked before, costs a few dozen years worked out, not
one per year in between.

Neither iterates over the days or the exceptions between the two instants, so the cost does not
grow with the span.  (Runs hold at most 32 years and at most 23,424 intervals, a few MiB: a
day lists at most 48 spans, so one year has at most 17,568, and a run is not extended past the
limit.  Two runs are kept at hand, so memory stays bounded; instants in different runs add up
the whole years in between by their totals; spans over 200 years are refused with a
``CalendarError``, so that a hostile duration stays cheap.  The limit counts the years' numbers:
from any day of 2026 an answer in 2226 is given, one in 2227 refused.)

Datetimes in the calendar's own zone, on ordinary dates of the runs at hand, are converted
without a zone lookup: two datetimes with one tzinfo subtract as wall clocks, so the instant is
the date's midnight plus the wall clock, and an answer is written back the same way.  Other
datetimes are converted by :mod:`csflow._time` (field arithmetic with one ``utcoffset()`` call
in; ``datetime.fromtimestamp``, which resolves the zone with its ``fromutc`` like
``astimezone`` does, out).

DST conventions (PEP 495): a span bound that falls in a gap moves forward by the gap (02:30 on a
spring-forward night in New York is 03:30 EDT); a bound that falls in an overlap means its first
occurrence (``fold=0``).  Stdlib ``zoneinfo`` resolves ``fold=0`` exactly that way, so bounds
are built as stdlib datetimes with ``fold=0`` (pendulum's own default for ambiguous times is the
second occurrence, which is why csflow does not let it resolve them).  A date's open time is the
union of its spans after these rules, within its own midnight and the next one's; a span that
collapses (02:30-03:00 on a spring-forward night) is empty, and so is a date the zone skips
(Pacific/Apia's 2011-12-30: its spans would land on the next date's and count twice).
"""

from __future__ import annotations

import hashlib
import json
import re
import zoneinfo
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence, Sized
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, NamedTuple, cast

from csflow._frozen import FrozenDict
from csflow._plain import ENCODABLE, encodable
from csflow._text import check_document, check_text, did_you_mean, show
from csflow._time import (
    EPOCH,
    MAX_US,
    MIN_US,
    ONE_US,
    duration_us,
    from_us,
    iana_zone,
    instant_us,
    rules_year,
)
from csflow.errors import CalendarError, ConfigError

__all__ = ["DAY_KEYS", "BusinessCalendar"]

DAY_KEYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _day_hint(key: object) -> str:
    """A message's hint for a weekly key that is not a day key: ``Monday``, ``wednesday`` are
    hinted by their first three letters, anything else by the closest day key."""
    short = key[:3].lower() if isinstance(key, str) and len(key) <= 20 else None
    if short in DAY_KEYS:
        return f"; did you mean {show(short)}?"
    return did_you_mean(key, DAY_KEYS)


_MINUTE_US = 60_000_000
_DAY_MINUTES = 24 * 60
_HHMM = re.compile(r"([01][0-9]|2[0-4]):([0-5][0-9])\Z")
# Caches are bounded so that hostile inputs (instants scattered over millennia) cannot grow
# memory without limit; a cleared cache is only recomputed.
_DAY_CACHE_LIMIT = 50_000
#: The most open intervals the cache of worked-out dates holds (two a date of the limit
#: above, a few MiB): dates of 48 spans each would otherwise hold 2.4 million, hundreds of
#: MiB, for a small calendar in a zone that changes its clocks (two such dates a year asked
#: about).
_DAY_CACHE_INTERVALS = 2 * _DAY_CACHE_LIMIT
#: The most years one run holds (about 100 KiB each); two runs are kept at hand.
_RUN_YEARS = 32
#: The most open intervals a run holds (two spans on every date of 32 years; one year holds
#: at most 366 * _MAX_DAY_SPANS, fewer): a calendar with many spans a day gets shorter runs,
#: so memory stays bounded by the intervals, not only by the years.
_RUN_INTERVALS = 32 * 366 * 2
#: The most spans one day (a weekday or a special day) may list: half-hour spans all day.
_MAX_DAY_SPANS = 48

_DAY_US = 86_400_000_000
#: The longest span, in years, that ``add`` and ``elapsed`` walk: each year in between is
#: indexed once (a few hundred zone lookups), so a hostile duration stays cheap to refuse.
_MAX_SPAN_YEARS = 200
#: No limit: more years than the range of dates holds (``_reach_us``, an SLA clock's deadline).
_NO_SPAN_LIMIT = 10_000
# Longer than any span of _MAX_SPAN_YEARS + 1 calendar years: a span at least this long in µs
# is over the limit wherever it starts, which needs no year of it indexed to say.
_SURELY_TOO_LONG_US = (_MAX_SPAN_YEARS + 2) * 366 * _DAY_US
_UNIX_ORDINAL = date(1970, 1, 1).toordinal()
#: The Gregorian calendar's cycle: 146,097 days, whole weeks, with the same leap years.
_CYCLE_YEARS = 400
_ZERO = timedelta(0)
#: The longest holiday name, in characters (the constructor and from_dict refuse longer).
_NAME_LIMIT = 256
#: A date as plain data writes it: 'YYYY-MM-DD' and nothing else (not the ISO week form
#: '2026-W12-3' or the basic form '20260318', which date.fromisoformat also reads).
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)

Span = tuple[int, int]  # minutes since local midnight, end exclusive, 0 <= start < end <= 1440
Interval = tuple[int, int]  # microseconds since the epoch, start < end


class _Parts(NamedTuple):
    """One year's midnights and open intervals, its business time counted from its start."""

    mids: list[int]
    plain: list[bool]
    starts: list[int]
    ends: list[int]
    cum: list[int]
    walls: list[int | None]
    total: int


class _Run(NamedTuple):
    """Consecutive years ``first_year..last_year``, indexed together on one business-time scale.

    ``mids[i]`` is the instant (µs) of local midnight (``fold=0``) starting the run's date
    ``i`` (ordinal ``day0 + i`` counted from 1970-01-01), with one more entry for the midnight
    that ends the run; ``size`` is the number of dates and ``plain[i]`` whether date ``i`` is
    ordinary (one UTC offset all day: its instants are its midnight plus the wall clock).  ``starts[k]`` and ``ends[k]`` are the
    open intervals in order (sorted, disjoint, each inside one date).  Business time is a point
    on the run's scale: ``cum[k]`` is the point at the end of interval ``k``, ``bases[y]`` the
    point at the start of the run's year ``y`` (``bases[-1]``: the run's end), and
    ``year_starts[y]`` that year's first instant.  So the business time between two instants
    of a run is the difference of their points, however far apart they are.  ``walls[k] + c``
    is the wall clock, in µs since 1970-01-01 00:00 local, of the instant of interval ``k`` at
    point ``c``; it is None where the interval's date, or the midnight it ends on, has an
    offset change.
    """

    first_year: int
    last_year: int
    day0: int
    size: int
    mids: list[int]
    plain: list[bool]
    starts: list[int]
    ends: list[int]
    cum: list[int]
    walls: list[int | None]
    bases: list[int]
    year_starts: list[int]


def _parse_bound(value: object, what: str, *, is_end: bool) -> int:
    if isinstance(value, time):
        if value.tzinfo is not None or value.second or value.microsecond:
            raise CalendarError(f"{what} must be a whole-minute naive time, got {show(value)}")
        return value.hour * 60 + value.minute
    if not isinstance(value, str):
        raise CalendarError(f"{what} must be an 'HH:MM' string, got {show(value)}")
    m = _HHMM.match(value)
    if m is None:
        raise CalendarError(
            f"{what} must be an 'HH:MM' string from '00:00' to '24:00', got {show(value)}"
        )
    minutes = int(m.group(1)) * 60 + int(m.group(2))
    if minutes > _DAY_MINUTES:
        raise CalendarError(f"{what} must not be later than '24:00', got {show(value)}")
    if minutes == _DAY_MINUTES and not is_end:
        raise CalendarError(
            f"{what}: '24:00' is allowed only as the end of a span, got {show(value)}"
        )
    return minutes


def _parse_spans(value: object, where: str) -> tuple[Span, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise CalendarError(
            f"{where} must be a list of ('HH:MM', 'HH:MM') spans, got {show(value)}"
        )
    spans: list[Span] = []
    for i, pair in enumerate(value):
        if i == _MAX_DAY_SPANS:
            # Each span is an interval to index on every date it applies to: a bound on them
            # keeps a small document from costing megabytes a year.
            got = len(value) if isinstance(value, Sized) else "more"
            raise CalendarError(f"{where} must list at most {_MAX_DAY_SPANS} spans, got {got}")
        what = f"{where}[{i}]"
        if isinstance(pair, (str, bytes)) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise CalendarError(f"{what} must be a pair ('HH:MM', 'HH:MM'), got {show(pair)}")
        start = _parse_bound(pair[0], f"{what} start", is_end=False)
        end = _parse_bound(pair[1], f"{what} end", is_end=True)
        if start >= end:
            raise CalendarError(f"{what} must start before it ends, got {show(tuple(pair))}")
        if spans and start < spans[-1][1]:
            raise CalendarError(
                f"{where} spans must be sorted and must not overlap, got {show(tuple(pair))} "
                f"after {show(_fmt_span(spans[-1]))}"
            )
        spans.append((start, end))
    return tuple(spans)


def _once(value: object) -> object:
    """*value*, with an iterator of spans read into a list: it is checked first and built
    after, and an iterator would come to the constructor used up (every hour lost)."""
    if isinstance(value, Iterator):
        return list(value)
    return value


def _spans_at(value: object, where: str) -> None:
    """Check a document's list of spans, reporting a bad one as a ConfigError at its path
    (``...weekly.mon[1]``), with the rest of the constructor's message as the detail."""
    try:
        _parse_spans(value, where)
    except CalendarError as exc:
        message = str(exc)
        rest = message.removeprefix(where)
        path = where
        if rest is not message and rest.startswith("[") and "]" in rest:
            close = rest.index("]") + 1
            path, rest = where + rest[:close], rest[close:]
        raise ConfigError(rest.lstrip(":").strip() or message, path) from None


def _fmt_minute(m: int) -> str:
    return f"{m // 60:02d}:{m % 60:02d}"


def _fmt_span(span: Span) -> tuple[str, str]:
    return (_fmt_minute(span[0]), _fmt_minute(span[1]))


def _merged(spans: tuple[Span, ...]) -> list[list[int]]:
    """*spans* (sorted, not overlapping) with the ones that touch joined: the same open time."""
    out: list[list[int]] = []
    for start, end in spans:
        if out and out[-1][1] == start:
            out[-1][1] = end
        else:
            out.append([start, end])
    return out


def _check_date(value: object, where: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise CalendarError(f"{where} keys must be datetime.date values, got {show(value)}")
    return value


def _check_name(value: object, day: date) -> str:
    """A holiday's name as the constructor takes it: what :meth:`BusinessCalendar.from_dict`
    reads back from :meth:`~BusinessCalendar.to_dict` (the same limit, the same words)."""
    if not isinstance(value, str) or len(value) > _NAME_LIMIT:
        raise CalendarError(f"holidays[{day.isoformat()}]: {_name_error(value)}")
    if not value.isascii() and not encodable(value):
        # (A holiday's name is written by to_dict, in snapshots and reports: as UTF-8.)
        raise CalendarError(
            f"holidays[{day.isoformat()}]: a holiday's name must be {ENCODABLE}, got {show(value)}"
        )
    return value


def _load_zone(name: object) -> zoneinfo.ZoneInfo:
    zone = iana_zone(name)
    if zone is None:
        raise CalendarError(f"'timezone' must be an IANA time zone name, got {show(name)}")
    return zone


class BusinessCalendar:
    """Weekly business hours in an IANA time zone, with holidays and special days.

    Args:
        timezone: An IANA zone name such as ``"Asia/Jakarta"`` (or a link such as ``"UTC"``;
            not a host's ``"localtime"``, nor ``"posixrules"`` or ``"Factory"``).
        weekly: Day key (``"mon"`` … ``"sun"``) -> list of local ``("HH:MM", "HH:MM")`` spans,
            sorted and not overlapping, at most 48 a day; ``"24:00"`` is allowed as an end.
            A missing key is a closed day.  ``datetime.time`` values are accepted as well as
            strings.
        holidays: Dates closed all day: a mapping date -> name (a string of at most 256
            characters; for example ``holidays.Indonesia(years=2026)``), or any iterable of
            dates.
        special_days: Date -> spans that replace that date's weekly spans (``[]`` closes the
            date; at most 48).  A special day wins over a holiday on the same date.

    Raises:
        CalendarError: An unknown zone, a bad day key, a malformed, unsorted or overlapping
            span, more than 48 spans on a day, a key that is not a ``date``, or a holiday's
            name that is not a string of at most 256 characters (without lone surrogates,
            U+D800-U+DFFF: UTF-8 cannot write one).

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
        "_closing",
        "_cycle",
        "_day_intervals",
        "_days",
        "_digest",
        "_holidays",
        "_hot",
        "_kinds",
        "_last_listed",
        "_listed",
        "_nominal",
        "_rules",
        "_special",
        "_special_ords",
        "_timezone",
        "_totals",
        "_wall0",
        "_warm",
        "_week_total",
        "_weekly",
        "_weekly_us",
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
            raise CalendarError(f"'weekly' must be a mapping of day -> spans, got {show(weekly)}")
        days: list[tuple[Span, ...]] = [()] * 7
        for key, spans in weekly.items():
            if key not in DAY_KEYS:
                raise CalendarError(
                    f"'weekly' keys must be one of {show(DAY_KEYS)}, got {show(key)}"
                    f"{_day_hint(key)}"
                )
            days[DAY_KEYS.index(key)] = _parse_spans(spans, f"weekly[{key!r}]")
        self._weekly: tuple[tuple[Span, ...], ...] = tuple(days)

        if isinstance(holidays, Mapping):
            hol = {
                _check_date(d, "'holidays'"): _check_name(name, d) for d, name in holidays.items()
            }
        elif isinstance(cast(object, holidays), (str, bytes)) or not isinstance(holidays, Iterable):
            raise CalendarError(
                f"'holidays' must be a mapping or iterable of dates, got {show(holidays)}"
            )
        else:
            hol = {_check_date(d, "'holidays'"): "holiday" for d in holidays}
        self._holidays: Mapping[date, str] = FrozenDict(dict(sorted(hol.items())))

        special_days = {} if special_days is None else special_days
        if not isinstance(special_days, Mapping):
            raise CalendarError(
                f"'special_days' must be a mapping of date -> spans, got {show(special_days)}"
            )
        special = {
            _check_date(d, "'special_days'"): _parse_spans(spans, f"special_days[{d.isoformat()}]")
            for d, spans in special_days.items()
        }
        self._special: Mapping[date, tuple[Span, ...]] = FrozenDict(dict(sorted(special.items())))
        self._special_ords = [d.toordinal() for d, spans in self._special.items() if spans]

        # Dates whose open time may differ from the weekly pattern's, by year.
        self._listed: dict[int, set[int]] = {}
        for d in {*self._holidays, *self._special}:
            self._listed.setdefault(d.year, set()).add(d.toordinal())

        # Each weekday's spans in µs from midnight, touching spans merged.
        weekly_us: list[tuple[Interval, ...]] = []
        for day_spans in self._weekly:
            merged: list[Interval] = []
            for s, e in day_spans:
                if merged and s * _MINUTE_US == merged[-1][1]:
                    merged[-1] = (merged[-1][0], e * _MINUTE_US)
                else:
                    merged.append((s * _MINUTE_US, e * _MINUTE_US))
            weekly_us.append(tuple(merged))
        self._weekly_us = tuple(weekly_us)
        self._nominal = tuple(sum(e - s for s, e in day) for day in weekly_us)
        self._week_total = sum(self._nominal)
        self._days: dict[int, tuple[tuple[Interval, ...], int]] = {}
        self._day_intervals = 0  # the intervals self._days holds
        self._totals: dict[int, int] = {}
        # Past the zone's last listed transition and the last listed date, a year's total is
        # a function of its kind (see _year_total): at most 28 totals, remembered here.
        self._kinds: dict[tuple[int, bool, bool], int] = {}
        self._rules = 0  # the zone's first year of its yearly rule, asked when first needed
        self._last_listed = max(self._listed, default=0)
        self._closing: list[int] | None = None  # see _closing_dates
        self._cycle = 0  # business µs in 400 years from then on, when first needed
        # No run yet: an empty one whose range holds no instant and no date.
        self._hot = self._warm = _Run(0, -1, 0, 0, [0], [], [], [], [], [], [0], [0])
        # Local midnight of 1 January 1970: adding a wall-clock offset to it writes an instant
        # on an ordinary date (see _deadline).
        self._wall0 = datetime(1970, 1, 1, tzinfo=self._zone)

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
        return FrozenDict(
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
        return FrozenDict(
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

    def __reduce__(self) -> tuple[Any, tuple[dict[str, Any]]]:
        # Copies and pickles (a worker process, a deep-copied config) rebuild from the plain
        # data: the read-only maps inside cannot be pickled, and the caches need not be.
        return (BusinessCalendar.from_dict, (self.to_dict(),))

    @property
    def digest(self) -> str:
        """A short fingerprint of what decides business time: the zone's name, the open hours
        of each weekday, and the dates whose hours differ from their weekday's (holidays and
        special days; not the holidays' names).  Spans that touch count as one, and a
        holiday on a closed day or a special day with its weekday's own hours changes
        nothing.  So two calendars in the same zone whose hours are written alike, date by
        date, have the same digest (a zone's alias, ``Etc/UTC`` for ``UTC``, still differs);
        hours the wall clock never reads (a span inside an hour a DST change skips) still
        count as written, so two calendars that differ only there differ.  A snapshot's
        SLA clocks record it, so a restore under a changed calendar knows their instants are
        stale."""
        known: str | None = getattr(self, "_digest", None)
        if known is not None:
            return known
        weekly = [_merged(spans) for spans in self._weekly]
        dates = {}
        for d in sorted(self._holidays.keys() | self._special.keys()):
            spans = _merged(self._spans_of(d))
            if spans != weekly[d.weekday()]:
                dates[d.isoformat()] = spans
        doc = {"timezone": self._timezone, "weekly": weekly, "dates": dates}
        text = json.dumps(doc, sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        self._digest = digest
        return digest

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
        ``["HH:MM", "HH:MM"]``), ``holidays`` (ISO date -> name of at most 256 characters, or
        a list of ISO dates) and ``special_days`` (ISO date -> spans); or
        ``{"timezone": ..., "always_open": true}``.  A day lists at most 48 spans.  Dates are
        written ``"YYYY-MM-DD"`` only (not ``"20260318"`` or ``"2026-W12-3"``).  Without
        ``timezone`` the calendar is in UTC; ``always_open`` must be a boolean (a string such
        as ``"true"`` is refused, not read as false).  A calendar without weekly hours (open
        on its special days only) writes ``"weekly": {}`` or leaves the key out; ``null`` is
        refused, as it is for ``holidays`` and ``special_days``.  A string (a holiday's name)
        or key holding a lone surrogate (U+D800-U+DFFF), which UTF-8 cannot write, is refused
        at its path (``calendar.holidays.2026-03-20``).

        Raises:
            ConfigError: Anything malformed, with the path to it (e.g.
                ``calendar.weekly.mon[1] end must ...``).
        """
        if not isinstance(data, Mapping):
            raise ConfigError(f"expected a mapping, got {show(data)}", path)
        allowed = {"timezone", "weekly", "holidays", "special_days", "always_open"}
        for key in data:
            if key not in allowed:
                raise ConfigError(
                    f"unknown key {show(key)}; expected one of {sorted(allowed)}"
                    f"{did_you_mean(key, allowed)}",
                    path,
                )
        # A holiday's name (or any string) that cannot be written as UTF-8, at its path.
        check_document(data, path)
        timezone = data.get("timezone", "UTC")
        try:
            _load_zone(timezone)
        except CalendarError as exc:
            raise ConfigError(str(exc), f"{path}.timezone") from None
        try:
            always = data.get("always_open", False)
            if always is not True and always is not False:
                raise ConfigError(
                    f"expected true or false, got {show(always)}", f"{path}.always_open"
                )
            if always:
                if any(k in data for k in ("weekly", "holidays", "special_days")):
                    raise ConfigError(
                        "'always_open' excludes weekly, holidays and special_days", path
                    )
                return cls.always_open(timezone)
            holidays_raw = data.get("holidays", {})
            if isinstance(holidays_raw, Mapping):
                names: dict[date, str] = {}
                for k, v in holidays_raw.items():
                    day = _parse_iso_date(k, f"{path}.holidays")
                    names[day] = _holiday_name(v, f"{path}.holidays.{day.isoformat()}")
                holidays: dict[date, str] | list[date] = names
            elif isinstance(holidays_raw, list):
                holidays = [_parse_iso_date(k, f"{path}.holidays") for k in holidays_raw]
            else:
                raise ConfigError(
                    f"expected a mapping or list of ISO dates, got {show(holidays_raw)}",
                    f"{path}.holidays",
                )
            special_raw = data.get("special_days", {})
            if not isinstance(special_raw, Mapping):
                raise ConfigError(
                    f"expected a mapping of ISO date -> spans, got {show(special_raw)}",
                    f"{path}.special_days",
                )
            special: dict[date, Any] = {}
            special_at: list[tuple[str, object]] = []  # each day's spans, at its path
            for k, v in special_raw.items():
                special[_parse_iso_date(k, f"{path}.special_days")] = spans = _once(v)
                special_at.append((f"{path}.special_days.{k}", spans))
            # The spans first, each at its own path (the constructor names them only in its
            # message): calendars.office.weekly.mon[1], calendars.office.special_days.<date>.
            weekly_raw = data.get("weekly", {})
            if not isinstance(weekly_raw, Mapping):
                # null too, as for holidays and special_days: no weekly hours is written {}
                # (or the key left out), not read from a value that may be a mistake.
                raise ConfigError(
                    f"expected a mapping of day -> spans ({{}} for no weekly hours), got "
                    f"{show(weekly_raw)}",
                    f"{path}.weekly",
                )
            weekly: dict[str, Any] = {}
            for key, spans in weekly_raw.items():
                if key not in DAY_KEYS:
                    raise ConfigError(
                        f"unknown day {show(key)}; expected one of {show(list(DAY_KEYS))}"
                        f"{_day_hint(key)}",
                        f"{path}.weekly",
                    )
                weekly[key] = _once(spans)
                _spans_at(weekly[key], f"{path}.weekly.{key}")
            for where, spans in special_at:
                _spans_at(spans, where)
            return cls(timezone, weekly, holidays, special)
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
            if d == date.max:
                # No date follows: the instant after the last wall-clock µs.
                last = datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=self._zone)
                return (last - EPOCH) // ONE_US + 1
            # "24:00" is the next date's midnight.
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
        spans = self._spans_of(d)
        raw = sorted((self._local_us(d, s), self._local_us(d, e)) for s, e in spans)
        if raw:
            # A date's open time lies between its midnight and the next.  Only a date the zone
            # skips (Pacific/Apia's 2011-12-30) puts a span outside: both midnights are one
            # instant, its spans move forward onto the next date's, and clipping empties them
            # (the hours would count twice).
            first, last = self._local_us(d, 0), self._local_us(d, _DAY_MINUTES)
            raw = [(max(s, first), min(e, last)) for s, e in raw]
        merged: list[Interval] = []
        for s, e in raw:
            if s >= e:  # collapsed inside a DST gap, or on a date the zone skips
                continue
            if merged and s <= merged[-1][1]:
                if e > merged[-1][1]:
                    merged[-1] = (merged[-1][0], e)
            else:
                merged.append((s, e))
        result = (tuple(merged), sum(e - s for s, e in merged))
        if (
            len(self._days) >= _DAY_CACHE_LIMIT
            or self._day_intervals + len(merged) > _DAY_CACHE_INTERVALS
        ):
            self._days.clear()
            self._day_intervals = 0
        self._days[n] = result
        self._day_intervals += len(merged)
        return result

    def _midnights(self, year: int) -> tuple[list[int], list[bool]]:
        """The instants (µs) of the local midnights (``fold=0``) that start each date of *year*
        and of the one that ends it, and which dates are *ordinary*.

        An ordinary date keeps one UTC offset from its midnight to the next: it is 24 hours
        long, and its last instant has its midnight's offset even read as a second occurrence
        (``fold=1``), so no gap or repeated hour runs across its end.  (No zone in the tz
        database changes its offset and back within a day.)  Its instants are its midnight
        plus the wall clock.  The dates of years 1 and 9999 are never ordinary: their instants
        can fall outside the range of a UTC ``datetime``, which only a conversion catches.
        """
        first = date(year, 1, 1).toordinal()
        last = date(year, 12, 31).toordinal()
        zone = self._zone
        # Two zone lookups a date.  The zone is asked about naive wall times, whose fields and
        # fold are all a ZoneInfo reads: the same answer as an aware datetime's, without
        # building one.
        utcoffset = zone.utcoffset
        offsets: dict[timedelta, int] = {}
        mids: list[int] = []
        ends: list[timedelta] = []
        for n in range(first, last + 1 if year == 9999 else last + 2):
            day = datetime.fromordinal(n)
            offset = utcoffset(day) or _ZERO
            off = offsets.get(offset)
            if off is None:
                off = offsets[offset] = offset // ONE_US
            mids.append((n - _UNIX_ORDINAL) * _DAY_US - off)
            ends.append(
                utcoffset(day.replace(hour=23, minute=59, second=59, microsecond=999_999, fold=1))
                or _ZERO
            )
        if year == 9999:
            # No date follows 9999-12-31: the year ends one µs after its last wall-clock µs.
            end = datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=zone)
            mids.append((end - EPOCH) // ONE_US + 1)
        if year in (1, 9999):
            # Instants outside the range of a UTC datetime belong to no date.
            mids[0] = max(mids[0], MIN_US)
            mids[-1] = min(mids[-1], MAX_US + 1)
            return mids, [False] * (last - first + 1)
        plain = [
            mids[i + 1] - mids[i] == _DAY_US
            and ends[i] // ONE_US == (n - _UNIX_ORDINAL) * _DAY_US - mids[i]
            for i, n in enumerate(range(first, last + 1))
        ]
        return mids, plain

    def _year_parts(self, year: int) -> _Parts:
        """*year*'s midnights and open intervals, with business time counted from its start."""
        first = date(year, 1, 1).toordinal()
        mids, plain = self._midnights(year)
        # An ordinary date's spans are its midnight plus their wall-clock times.  Listed dates
        # and the others are worked out exactly.
        size = len(mids) - 1
        plain = [*plain, False]  # the date after the year: not known here
        listed = self._listed.get(year, ())
        weekly = self._weekly_us
        starts: list[int] = []
        ends: list[int] = []
        cum: list[int] = []
        walls: list[int | None] = []
        total = 0
        for i in range(size):
            n = first + i
            m = mids[i]
            if plain[i] and n not in listed:
                intervals: Iterable[Interval] = [(m + s, m + e) for s, e in weekly[(n + 6) % 7]]
            else:
                intervals = self._day(n)[0]
            # What turns an instant of the date into its wall clock since 1970-01-01; the
            # next midnight (a span that ends at 24:00) keeps it only if that date is plain.
            shift = (n - _UNIX_ORDINAL) * _DAY_US - m if plain[i] else None
            after = mids[i + 1]
            if year in (1, 9999):
                # Only the instants a UTC datetime can hold, the last one (MAX_US) included:
                # an interval ends one µs after it.  (``add`` never answers that end: its
                # deadline is at most MAX_US.)
                intervals = [
                    (max(s, MIN_US), min(e, MAX_US + 1))
                    for s, e in intervals
                    if s <= MAX_US and e > MIN_US
                ]
            for s, e in intervals:
                starts.append(s)
                ends.append(e)
                total += e - s
                cum.append(total)
                if shift is None or (e == after and not plain[i + 1]):
                    walls.append(None)
                else:
                    walls.append(e + shift - total)
        if len(self._totals) >= _DAY_CACHE_LIMIT:
            self._totals.clear()
        self._totals[year] = total
        return _Parts(mids, plain[:-1], starts, ends, cum, walls, total)

    def _run_for(self, year: int) -> _Run:
        """A run holding *year*, made the hot one: a run at hand, one of them extended by the
        year when it is next to it (and not at its length limit), or a new run."""
        hot, warm = self._hot, self._warm
        if hot.first_year <= year <= hot.last_year:
            return hot
        if warm.first_year <= year <= warm.last_year:
            self._hot, self._warm = warm, hot
            return warm
        mids, plain, starts, ends, cum, walls, total = self._year_parts(year)
        for run in (hot, warm):
            if (
                run.last_year - run.first_year + 1 >= _RUN_YEARS
                or len(run.starts) + len(starts) > _RUN_INTERVALS
            ):
                continue
            if year == run.last_year + 1:
                shift = run.bases[-1]
                found = _Run(
                    run.first_year,
                    year,
                    run.day0,
                    run.size + len(mids) - 1,
                    run.mids[:-1] + mids,
                    run.plain + plain,
                    run.starts + starts,
                    run.ends + ends,
                    run.cum + [c + shift for c in cum],
                    run.walls + [None if w is None else w - shift for w in walls],
                    [*run.bases, shift + total],
                    [*run.year_starts, mids[-1]],
                )
                break
            if year == run.first_year - 1:
                shift = run.bases[0] - total
                found = _Run(
                    year,
                    run.last_year,
                    run.day0 - (len(mids) - 1),
                    run.size + len(mids) - 1,
                    mids[:-1] + run.mids,
                    plain + run.plain,
                    starts + run.starts,
                    ends + run.ends,
                    [c + shift for c in cum] + run.cum,
                    [None if w is None else w - shift for w in walls] + run.walls,
                    [shift, *run.bases],
                    [mids[0], *run.year_starts],
                )
                break
        else:
            run = warm  # a new run replaces the older one at hand
            found = _Run(
                year,
                year,
                date(year, 1, 1).toordinal() - _UNIX_ORDINAL,
                len(mids) - 1,
                mids,
                plain,
                starts,
                ends,
                cum,
                walls,
                [0, total],
                [mids[0], mids[-1]],
            )
        if run is hot:
            self._hot = found
        else:
            self._hot, self._warm = found, hot
        return found

    def _run_at(self, t: int) -> _Run:
        """A run holding instant *t* (µs), made the hot one if it was not at hand."""
        run = self._hot
        if run.mids[0] <= t < run.mids[-1]:
            return run
        run = self._warm
        if run.mids[0] <= t < run.mids[-1]:
            return run
        try:
            # The UTC date's year is the local one or a neighbour (offsets are under a day).
            year = date.fromordinal(t // _DAY_US + _UNIX_ORDINAL).year
            run = self._run_for(year)
            if t < run.year_starts[year - run.first_year]:
                run = self._run_for(year - 1)
            elif t >= run.year_starts[year - run.first_year + 1]:
                run = self._run_for(year + 1)
        except (OverflowError, ValueError):
            raise CalendarError(
                f"instant is outside the supported range of dates: {show(t)} µs since the epoch "
                f"is not within years 1-9999 both in UTC and in {show(self._timezone)}"
            ) from None
        return run

    @staticmethod
    def _year_of(run: _Run, t: int) -> int:
        """The local year of instant *t*, which lies in *run*."""
        return run.first_year + bisect_right(run.year_starts, t) - 1

    def _year_total(self, year: int) -> int:
        """Business µs of the whole of *year* (remembered in a bounded cache).

        Long spans add up whole years by their totals, so a total does not index the year:
        its dates are the weekly pattern's except the listed ones and those of an offset
        change, which are worked out exactly.
        """
        total = self._totals.get(year)
        if total is not None:
            return total
        if year in (1, 9999):
            return self._year_parts(year).total  # clipped to the range of datetime
        if year >= self._rules_from() and year not in self._listed:
            # A year of the zone's yearly rule without a listed date: its total is that of
            # every such year of its kind (see _steady_from), worked out once.
            kind = (date(year, 1, 1).weekday(), _leap(year), _leap(year + 1))
            total = self._kinds.get(kind)
            if total is None:
                total = self._kinds[kind] = self._walk_total(year)
            return total
        total = self._walk_total(year)
        if len(self._totals) >= _DAY_CACHE_LIMIT:
            self._totals.clear()
        self._totals[year] = total
        return total

    def _rules_from(self) -> int:
        """The first year from which the zone's offsets follow its yearly rule alone
        (:func:`csflow._time.rules_year`), asked of the zone once."""
        rules = self._rules
        if not rules:
            rules = self._rules = rules_year(self._timezone)
        return rules

    def _steady_from(self) -> int:
        """The first year from which every year's open time is a function of its *kind*: the
        weekday of its 1 January and whether it and the next year are leap years.

        That is every year past the last listed date (holidays and special days are finite)
        from the first year the zone's offsets follow its yearly rule alone: the weekly hours
        repeat by weekday, and the rule's clock changes fall on the same dates at the same
        wall times in two years of one kind.  So the Gregorian cycle of 400 years (146,097
        days, whole weeks) holds the same open time wherever it starts from there on, and a
        far deadline skips whole cycles by one division (see _after).  (Before it, a year
        of the rule without a listed date still has its kind's total: see _year_total.)
        10,000 when the zone's rule is not known: every year is then worked out.
        """
        return max(self._rules_from(), self._last_listed + 1)

    def _walk_total(self, year: int) -> int:
        """Business µs of *year* (not 1 or 9999), worked out date by date."""
        mids, plain = self._midnights(year)
        first = date(year, 1, 1).toordinal()
        listed = self._listed.get(year, ())
        nominal = self._nominal
        total = 0
        for i in range(len(mids) - 1):
            n = first + i
            if plain[i] and n not in listed:
                total += nominal[(n + 6) % 7]
            else:
                total += self._day(n)[1]
        return total

    @staticmethod
    def _point(run: _Run, t: int) -> int:
        """The point of instant *t* (in *run*) on the run's business-time scale."""
        k = bisect_right(run.starts, t) - 1
        if k < 0:
            return run.bases[0]
        e = run.ends[k]
        return run.cum[k] - e + t if t < e else run.cum[k]

    def _beyond(
        self, run: _Run, target: int, t: int, limit: int = _MAX_SPAN_YEARS
    ) -> tuple[_Run, int]:
        """The run and point where *target*, a point past *run*'s end, lies (counted on
        from instant *t* of the run, at most *limit* years on)."""
        origin = self._year_of(run, t)
        year, need = self._after(run.last_year, target - run.bases[-1], origin, limit)
        found = self._run_for(year)
        return found, found.bases[year - found.first_year] + need

    def _after(
        self, year: int, need: int, origin: int, limit: int = _MAX_SPAN_YEARS
    ) -> tuple[int, int]:
        """The first year after *year* whose open time reaches *need* (> 0) business µs
        counted from its start, and the business µs still needed inside it; a span that
        started in *origin* ends within *limit* years of it (the span limit)."""
        if self._week_total == 0:
            # Open only on special days: visit the years that have one, in order.
            ords = self._special_ords
            k = bisect_left(ords, date(year + 1, 1, 1).toordinal())
            while k < len(ords):
                found = date.fromordinal(ords[k]).year
                if found - origin > limit:
                    raise _span_error(origin)
                total = self._year_total(found)
                if need <= total:
                    return found, need
                need -= total
                k = bisect_left(ords, date(found + 1, 1, 1).toordinal())
            raise CalendarError(
                f"calendar in {show(self._timezone)} never opens again: no weekly hours and no "
                "later special day with open hours"
            )
        # The weekly pattern has open hours and holidays are finite, so this ends (or leaves
        # the range of dates, or the span limit).
        found = year + 1
        last = origin + limit
        skip = True
        while found <= last:
            if skip and found >= self._steady_from():
                # From here on, each 400 years hold the same open time: skip the whole cycles
                # that end before the target (and by the year 9998 and the span limit), then
                # count on year by year (at most 400 more years, each total a lookup).
                # (Only when the target lies further than 300 years like this one: a cycle's
                # total is worked out once, from all 28 kinds, and a nearer target needs none.)
                skip = False
                room = (min(last, 9998) - found + 1) // _CYCLE_YEARS
                if room > 0 and need > 300 * self._year_total(found):
                    cycle = self._cycle
                    if not cycle:
                        cycle = sum(self._year_total(y) for y in range(found, found + _CYCLE_YEARS))
                        self._cycle = cycle
                    if cycle > 0:
                        k = min((need - 1) // cycle, room)
                        found += k * _CYCLE_YEARS
                        need -= k * cycle
            total = self._year_total(found)
            if need <= total:
                return found, need
            need -= total
            found += 1
        raise _span_error(origin)

    def _elapsed_at(self, ra: _Run, a: int, rb: _Run, b: int) -> int:
        """Business µs inside ``[a, b]`` for *a* in run *ra* and *b* in run *rb*."""
        if ra.mids[0] <= b < ra.mids[-1]:
            return self._point(ra, b) - self._point(ra, a)
        if rb.mids[0] <= a < rb.mids[-1]:
            return self._point(rb, b) - self._point(rb, a)
        # Two runs: the rest of a's run, whole years in between, the start of b's year.
        year_a, year_b = self._year_of(ra, a), self._year_of(rb, b)
        if year_b - year_a > _MAX_SPAN_YEARS:
            raise _span_error(year_a)
        between = sum(self._year_total(year) for year in range(ra.last_year + 1, year_b))
        start_b = rb.bases[year_b - rb.first_year]
        return ra.bases[-1] - self._point(ra, a) + between + self._point(rb, b) - start_b

    def _add_at(
        self, run: _Run, t: int, d: int, limit: int = _MAX_SPAN_YEARS
    ) -> tuple[int, _Run, int]:
        """``add_us(t, d)`` for *t* in *run* and ``0 < d <= MAX_US - t``, with the run and
        the interval the answer lies in (it may be the interval's end); at most *limit*
        years on."""
        # The point of t on the run's scale (_point, inlined: a hot path), plus d.
        k = bisect_right(run.starts, t) - 1
        if k < 0:
            target = run.bases[0] + d
        else:
            e = run.ends[k]
            target = (run.cum[k] - e + t if t < e else run.cum[k]) + d
        if target > run.bases[-1]:
            run, target = self._beyond(run, target, t, limit)
        cum = run.cum
        k = bisect_left(cum, target)
        return run.ends[k] - cum[k] + target, run, k

    # -- integer-microsecond API ---------------------------------------------------------------

    def is_open_us(self, t: int) -> bool:
        """Whether the desk is open at instant *t* (µs since the epoch)."""
        _check_int(t, "t")
        try:
            run = self._run_at(t)
        except (OverflowError, ValueError) as exc:
            raise _range_error(exc, t) from None
        k = bisect_right(run.starts, t) - 1
        return k >= 0 and t < run.ends[k]

    def next_open_us(self, t: int) -> int:
        """The first open instant at or after *t* (µs since the epoch).

        Raises:
            CalendarError: The calendar never opens again, or the answer is more than 200
                years after *t* or past year 9999.
        """
        _check_int(t, "t")
        try:
            run = self._run_at(t)
            k = bisect_right(run.ends, t)
            if k == len(run.ends):
                # Nothing after t in the run: the first year after it with open time.
                run = self._run_for(self._after(run.last_year, 1, self._year_of(run, t))[0])
                k = bisect_right(run.ends, t)
            s = run.starts[k]
            return s if s > t else t
        except (OverflowError, ValueError) as exc:
            if isinstance(exc, CalendarError):  # t itself, or a calendar that never opens
                raise
            # t is in range (its run was found): the years after it are not.
            raise CalendarError(
                f"the first open instant at or after {t} µs since the epoch is past the year "
                "9999: outside the supported range of dates (years 1-9999)"
            ) from None

    def next_close_us(self, t: int) -> int:
        """The first closed instant at or after *t* (µs since the epoch): *t* itself when the
        desk is closed then, else the end of the open stretch *t* is in (open hours that run on
        past midnight into the next date's are one stretch).

        Raises:
            CalendarError: The desk never closes after *t* (open around the clock, with no
                holiday or shorter special day after it), or stays open past the year 9999.
        """
        _check_int(t, "t")
        try:
            return self._next_close(t)
        except (OverflowError, ValueError) as exc:
            if isinstance(exc, CalendarError):  # t itself, or a desk that never closes
                raise
            raise self._never_closes(t) from None

    def _never_closes(self, t: int) -> CalendarError:
        when = (EPOCH + ONE_US * t).isoformat()
        return CalendarError(
            f"calendar in {show(self._timezone)} never closes at or after {when}: it stays open "
            "to the end of the supported range of dates (year 9999), no later holiday or "
            "shorter special day closing it"
        )

    def _next_close(self, t: int) -> int:
        """:meth:`next_close_us` unchecked.  Walks the open intervals on from *t* while each
        starts where the one before ends; a desk open around the clock jumps instead to its
        next date that is not open all day (a holiday, a shorter special day)."""
        closing = self._closing_dates() if self._open_all_week() else None
        u = t
        while True:
            run = self._run_at(u)
            starts, ends = run.starts, run.ends
            k = bisect_right(starts, u) - 1
            if k < 0 or u >= ends[k]:
                return u
            if closing is not None:
                # Every date before the next closing date is open all day: skip to it.
                today = run.day0 + bisect_right(run.mids, u) - 1 + _UNIX_ORDINAL
                i = bisect_left(closing, today)
                if i == len(closing):
                    raise self._never_closes(t)
                midnight = self._local_us(date.fromordinal(closing[i]), 0)
                if midnight > u:
                    u = midnight
                    continue
            last = len(starts) - 1
            while k < last and starts[k + 1] == ends[k]:
                k += 1
            u = ends[k]
            if k < last:
                return u
            if run.last_year == 9999 and u >= run.mids[-1]:
                raise self._never_closes(t)
            # The run's last interval: the next run says whether the stretch goes on.

    def _open_all_week(self) -> bool:
        """Whether every weekday's hours are the whole day."""
        return all(day == ((0, _DAY_US),) for day in self._weekly_us)

    def _closing_dates(self) -> list[int]:
        """The ordinals of the listed dates (holidays, special days) not open all day, in
        order (worked out once)."""
        found = self._closing
        if found is None:
            found = []
            for d in sorted({*self._holidays, *self._special}):
                n = d.toordinal()
                whole = (self._local_us(d, 0), self._local_us(d, _DAY_MINUTES))
                if self._day(n)[0] != (whole,):
                    found.append(n)
            self._closing = found
        return found

    def _reach_us(self, t: int, d: int) -> int:
        """``add_us(t, d)`` for ``d > 0``, else ``next_open_us(t)``, however far away the answer
        is: an SLA clock's deadline lies wherever the calendar reaches its target (a small
        weekly calendar and a long target, a pop-up desk's next day centuries on), past the
        span limit of the public calls.  The years in between are skipped by their totals:
        whole 400-year cycles by one division past the last listed date and the zone's last
        listed transition, the other years one total each (a lookup for a year of a kind
        already seen; see the module's theory of operation), so a walk from a calendar never
        asked before works out a few dozen years, not one per year of the range of dates.

        Raises:
            CalendarError: The calendar never opens again, or the answer is outside the range
                of dates (years 1-9999 in UTC and in the calendar's zone).
        """
        try:
            run = self._hot
            if not run.mids[0] <= t < run.mids[-1]:
                run = self._run_at(t)
            if d > 0:
                if d > MAX_US - t:
                    raise OverflowError  # business time runs no faster than real time
                u, run, _ = self._add_at(run, t, d, _NO_SPAN_LIMIT)
                if run.last_year == 9999 and u >= run.mids[-1]:
                    raise OverflowError  # local midnight of the year 10000
                return u
            k = bisect_right(run.ends, t)
            if k == len(run.ends):
                origin = self._year_of(run, t)
                run = self._run_for(self._after(run.last_year, 1, origin, _NO_SPAN_LIMIT)[0])
                k = bisect_right(run.ends, t)
            s = run.starts[k]
            return s if s > t else t
        except (OverflowError, ValueError) as exc:
            if isinstance(exc, CalendarError):
                raise
            raise CalendarError(
                f"the instant {d} business µs after {t} µs since the epoch is outside the "
                "supported range of dates (years 1-9999)"
            ) from None

    def elapsed_us(self, a: int, b: int) -> int:
        """Business µs inside ``[a, b]`` (instants in µs since the epoch).

        Raises:
            CalendarError: ``b < a``, a span over 200 years, or an instant whose date is not
                within years 1-9999 (in UTC and in the calendar's zone).
        """
        if type(a) is not int or type(b) is not int:
            _check_int(a, "a")
            _check_int(b, "b")
        if b < a:
            raise CalendarError(f"'end' must not be before 'start', got {a} > {b} µs")
        try:
            run = self._hot
            mids = run.mids
            if not mids[0] <= a < mids[-1]:
                run = self._run_at(a)
                mids = run.mids
            if b >= mids[-1]:
                if b - a > _SURELY_TOO_LONG_US and b <= MAX_US:
                    # The span is what is wrong, even if b's date is past the zone's last one
                    # (MAX_US east of UTC): the limit is what a caller must know of first.  (A
                    # b that is no instant at all, past MAX_US, is named below.)
                    raise _span_error(self._year_of(run, a))
                return self._elapsed_at(run, a, self._run_at(b), b)
        except (OverflowError, ValueError) as exc:
            raise _range_error(exc, b) from None
        # One run: the difference of the two points (_point, inlined: a hot path).
        _, _, _, _, _, _, starts, ends, cum, _, bases, _ = run
        k = bisect_right(starts, b) - 1
        if k < 0:
            return 0
        e = ends[k]
        total = cum[k] - e + b if b < e else cum[k]
        k = bisect_right(starts, a, 0, k + 1) - 1
        if k < 0:
            return total - bases[0]
        e = ends[k]
        return total - (cum[k] - e + a if a < e else cum[k])

    def add_us(self, t: int, d: int) -> int:
        """The earliest instant u >= t with ``elapsed_us(t, u) == d`` (``d >= 0``, in µs).

        Raises:
            CalendarError: ``d < 0``, the calendar never opens again, or the answer is in a
                year more than 200 after *t*'s or past year 9999 (in UTC or on the calendar's wall
                clock: 10000-01-01T00:00+09:00 is past it, as for :meth:`add`).
        """
        if type(t) is not int or type(d) is not int:
            _check_int(t, "t")
            _check_int(d, "d")
        if d <= 0:
            if d == 0:
                return t
            raise CalendarError(f"'duration' must not be negative, got {show(d)} µs")
        try:
            if d > MAX_US - t:
                # Business time runs no faster than real time: the answer is past year 9999.
                raise OverflowError
            run = self._hot
            mids = run.mids
            if not mids[0] <= t < mids[-1]:
                run = self._run_at(t)
            u, run, _ = self._add_at(run, t, d)
            if run.last_year == 9999 and u >= run.mids[-1]:
                # The end of the zone's last date: local midnight of the year 10000 east of
                # UTC, an instant no date of the zone holds (``add`` cannot write it either).
                raise OverflowError
            return u
        except (OverflowError, ValueError) as exc:
            if isinstance(exc, CalendarError):
                raise
            raise CalendarError(
                f"the deadline {d} µs after {t} µs since the epoch is outside the supported "
                "range of dates (years 1-9999)"
            ) from None

    # -- datetime API --------------------------------------------------------------------------
    #
    # Most datetimes a calendar sees are in its own zone: the host's deadlines, the calendar's
    # own answers passed back in.  On an ordinary date (24 hours long, one UTC offset) of a run
    # at hand, such a datetime's instant is that date's midnight plus its wall clock, and an
    # instant found on such a date is written back the same way: no zone lookup either way.
    # Everything else goes through csflow._time, which asks the datetime's own tzinfo.  add and
    # elapsed inline that common case (_local, _deadline and _elapsed_at are the
    # general path, and the tests compare the two).

    def _local(self, value: object) -> tuple[_Run, int] | None:
        """The run and instant (µs) of a stdlib datetime in the calendar's zone whose local
        date is ordinary and in a run at hand; None for anything else."""
        if type(value) is not datetime or value.tzinfo is not self._zone:
            return None
        # Two datetimes with one tzinfo subtract as wall clocks, without a zone lookup.
        wall = value - self._wall0
        run = self._hot
        i = wall.days - run.day0
        if not 0 <= i < run.size:
            run = self._warm
            i = wall.days - run.day0
            if not 0 <= i < run.size:
                return None
        if not run.plain[i]:
            return None
        return run, run.mids[i] + wall.seconds * 1_000_000 + wall.microseconds

    def _deadline(self, run: _Run, t: int, d: int) -> datetime:
        """``add`` for *t* in *run* and ``0 < d <= MAX_US - t``, as a datetime in the calendar's
        zone: written from the interval's wall clock when it has one, else converted."""
        u, run, k = self._add_at(run, t, d)
        wall = run.walls[k]
        if wall is not None:
            return self._wall0 + ONE_US * (wall + run.cum[k] - run.ends[k] + u)
        return from_us(u, self._zone)

    def is_open(self, at: datetime) -> bool:
        """Whether the desk is open at *at*.

        Raises:
            CalendarError: *at* is naive or not a datetime.
        """
        local = self._local(at)
        if local is not None:
            run, t = local
            k = bisect_right(run.starts, t) - 1
            return k >= 0 and t < run.ends[k]
        return self.is_open_us(instant_us(at, "at"))

    def next_open(self, at: datetime) -> datetime:
        """The first open instant at or after *at* (*at* itself when open), in the calendar's zone.

        Raises:
            CalendarError: *at* is naive, the calendar never opens again, or it next opens
                in a year more than 200 after *at*'s or past the year 9999 (the message says
                which).
        """
        t = self.next_open_us(instant_us(at, "at"))
        try:
            return from_us(t, self._zone)
        except (OverflowError, ValueError) as exc:
            raise _range_error(exc, t) from None

    def next_close(self, at: datetime) -> datetime:
        """The first closed instant at or after *at* (*at* itself when closed), in the
        calendar's zone: when the open stretch *at* is in ends, for a "we close at 17:00"
        notice or a call-back promised before closing time.

        Open hours that run past midnight into the next date's (``22:00-24:00`` then
        ``00:00-06:00``) are one stretch, and a desk open around the clock closes at its next
        holiday or shorter special day.

        Raises:
            CalendarError: *at* is naive, or the desk never closes after it (open around the
                clock with no holiday or shorter special day later, or past the year 9999).
        """
        t = self.next_close_us(instant_us(at, "at"))
        try:
            return from_us(t, self._zone)
        except (OverflowError, ValueError) as exc:  # pragma: no cover - t is an open end
            raise _range_error(exc, t) from None

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The business-time deadline *duration* after *start*.

        It is the earliest instant ``t >= start`` with ``elapsed(start, t) == duration``; so
        ``add(start, timedelta(0))`` is *start* (in the calendar's zone) and a positive duration
        never ends on a closed instant's far side.

        Raises:
            CalendarError: *start* is naive, *duration* is negative or not a timedelta, the
                calendar never opens again, or the deadline is past the year 9999 or in a year
                more than 200 after *start*'s (the message says which).
        """
        if type(start) is datetime and type(duration) is timedelta:
            # The common cases (see "datetime API" above): the start's instant without a zone
            # lookup, then the point arithmetic inlined.
            tz = start.tzinfo
            run = self._hot
            found = False
            t = 0
            if tz is self._zone:
                wall = start - self._wall0
                i = wall.days - run.day0
                if not 0 <= i < run.size:
                    run = self._warm
                    i = wall.days - run.day0
                if 0 <= i < run.size and run.plain[i]:
                    t = run.mids[i] + wall.seconds * 1_000_000 + wall.microseconds
                    found = True
            elif tz is UTC:
                t = instant_us(start, "start")
                if not run.mids[0] <= t < run.mids[-1]:
                    run = self._warm
                found = run.mids[0] <= t < run.mids[-1]
            d = duration // ONE_US
            if found and 0 < d <= MAX_US - t:
                _, _, _, _, _, _, starts, ends, cum, walls, bases, _ = run
                # From here on, d is the deadline's point on the run's business-time scale.
                k = bisect_right(starts, t) - 1
                if k < 0:
                    d += bases[0]
                else:
                    e = ends[k]
                    d += cum[k] - e + t if t < e else cum[k]
                if d > bases[-1]:
                    try:
                        run, d = self._beyond(run, d, t)
                    except (OverflowError, ValueError) as exc:
                        raise _deadline_error(exc, start, duration) from None
                    cum = run.cum
                    walls = run.walls
                k = bisect_left(cum, d)
                out = walls[k]
                if out is not None:
                    return self._wall0 + ONE_US * (out + d)
                u = run.ends[k] - cum[k] + d
                try:
                    return from_us(u, self._zone)
                except (OverflowError, ValueError) as exc:
                    raise _deadline_error(exc, start, duration) from None
        return self._add(start, duration)

    def _add(self, start: datetime, duration: timedelta) -> datetime:
        """:meth:`add` for any input: any zone, any date, any duration."""
        local = self._local(start)
        if local is None:
            t = instant_us(start, "start")
        else:
            run, t = local
        d = duration // ONE_US if type(duration) is timedelta else duration_us(duration, "duration")
        if d <= 0:
            if d == 0:
                return from_us(t, self._zone)
            raise CalendarError(f"'duration' must not be negative, got {show(duration)}")
        try:
            if d > MAX_US - t:
                # Business time runs no faster than real time: the answer is past year 9999.
                raise OverflowError
            if local is None:
                run = self._run_at(t)  # a start outside the zone's dates raises CalendarError
            return self._deadline(run, t, d)
        except (OverflowError, ValueError) as exc:
            raise _deadline_error(exc, start, duration) from None

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time inside ``[start, end]``.

        Raises:
            CalendarError: *start* or *end* is naive, or *end* is before *start*.
        """
        if type(start) is datetime and type(end) is datetime:
            zone = self._zone
            if start.tzinfo is zone and end.tzinfo is zone:
                # The common case (see "datetime API" above): both instants without a zone
                # lookup, in one run at hand; the difference of their points inlined.
                wall0 = self._wall0
                wall = start - wall0
                wall_end = end - wall0
                run = self._hot
                day0 = run.day0
                i = wall.days - day0
                j = wall_end.days - day0
                if i < 0 or j >= run.size:
                    run = self._warm
                    i = wall.days - run.day0
                    j = wall_end.days - run.day0
                if 0 <= i <= j < run.size:
                    _, _, _, _, mids, plain, starts, ends, cum, _, bases, _ = run
                    if plain[i] and plain[j]:
                        a = mids[i] + wall.seconds * 1_000_000 + wall.microseconds
                        b = mids[j] + wall_end.seconds * 1_000_000 + wall_end.microseconds
                        if a <= b:
                            k = bisect_right(starts, b) - 1
                            if k < 0:
                                return _ZERO
                            e = ends[k]
                            total = cum[k] - e + b if b < e else cum[k]
                            k = bisect_right(starts, a, 0, k + 1) - 1
                            if k < 0:
                                total -= bases[0]
                            else:
                                e = ends[k]
                                total -= cum[k] - e + a if a < e else cum[k]
                            return ONE_US * total
            elif start.tzinfo is UTC and end.tzinfo is UTC and start <= end:
                # UTC datetimes: their wall clocks are the instants.  (Backwards ones go to
                # _elapsed, whose error names the datetimes, not their microseconds.)
                return ONE_US * self.elapsed_us(instant_us(start, "start"), instant_us(end, "end"))
        return self._elapsed(start, end)

    def _elapsed(self, start: datetime, end: datetime) -> timedelta:
        """:meth:`elapsed` for any input."""
        first = self._local(start)
        if first is not None:
            last = self._local(end)
            if last is not None and first[1] <= last[1]:
                try:
                    return ONE_US * self._elapsed_at(*first, *last)
                except (OverflowError, ValueError) as exc:
                    raise _range_error(exc, last[1]) from None
        a = instant_us(start, "start")
        b = instant_us(end, "end")
        if b < a:
            raise CalendarError(
                f"'end' must not be before 'start', got start={show(start)}, end={show(end)}"
            )
        return ONE_US * self.elapsed_us(a, b)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _span_error(year: int) -> CalendarError:
    return CalendarError(
        f"spans longer than {_MAX_SPAN_YEARS} years are not supported (from the year {year}): "
        "each year in between is indexed once, and the cost must stay bounded"
    )


def _check_int(value: object, name: str) -> None:
    if type(value) is not int:
        raise CalendarError(f"{name!r} must be an int of microseconds, got {show(value)}")


def _deadline_error(exc: Exception, start: datetime, duration: object) -> CalendarError:
    """What ``add`` raises when the answer cannot be found: *exc* itself if it says why (the
    start outside the zone's dates, the span limit, a calendar that never opens again), else
    the deadline is past year 9999 (the start is in range: ``add`` converted it)."""
    if isinstance(exc, CalendarError):
        return exc
    return CalendarError(
        f"the deadline {show(duration)} after {start.isoformat()} is past the year 9999: "
        "outside the supported range of dates (years 1-9999)"
    )


def _range_error(exc: Exception, t: int) -> CalendarError:
    if isinstance(exc, CalendarError):
        return exc
    return CalendarError(
        f"instant is outside the supported range of dates (years 1-9999): {show(t)} µs since the "
        "epoch"
    )


def _name_error(value: object) -> str:
    limit = _NAME_LIMIT
    return f"a holiday's name must be a string of at most {limit} characters, got {show(value)}"


def _holiday_name(value: object, path: str) -> str:
    if not isinstance(value, str) or len(value) > _NAME_LIMIT:
        raise ConfigError(_name_error(value), path)
    check_text(value, path)
    return value


def _parse_iso_date(value: object, path: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or _ISO_DATE.fullmatch(value) is None:
        raise ConfigError(f"expected an ISO date 'YYYY-MM-DD', got {show(value)}", path)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"expected an ISO date 'YYYY-MM-DD', got {show(value)}", path) from None
