"""BusinessCalendar's runs of years: rotation, extension, span limits and the last instant.

The calendar indexes runs of consecutive years (at most ``_RUN_YEARS``, two kept at hand),
extends them a year at either end and replaces the older one when a new run is needed.  None
of that may show: an answer (or the ``CalendarError`` raised instead) depends only on the
question, not on what was asked before nor on how long runs may grow.  These tests patch the
run length short so that runs rotate inside a single call, ask near New Year in zones far from
UTC (where the UTC year and the local year differ), compare every input form (the calendar's
zone, ``datetime.UTC``, ``ZoneInfo("UTC")``, pendulum, mixed ends), check each run's business
time per year against the unindexed year totals, and pin the range of answers of the
integer-microsecond API (nothing past 9999-12-31 23:59:59.999999 UTC).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calendar_checks import REVIEW, YEAR, canonical, outcome, short_runs, written
from calendar_oracle import NeverOpensError, RefCalendar, Spec
from csflow._time import MAX_US
from csflow.calendar import DAY_KEYS, BusinessCalendar
from csflow.errors import CalendarError
from strategies import DAY, HOUR, MINUTE, datetime_of, us_of

__all__: list[str] = []

# Zones far from UTC (the local year starts up to 14 hours before or 11 hours after the UTC
# one), with DST (Lord Howe: 30 minutes; New York), and a skipped date (Apia, 2011-12-30).
FAR_ZONES = (
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Australia/Lord_Howe",
    "America/New_York",
    "Pacific/Apia",
)
Weekly = Mapping[str, tuple[tuple[str, str], ...]]
OFFICE: Weekly = dict.fromkeys(DAY_KEYS[:5], (("09:00", "17:00"),))
NIGHTS: Weekly = dict.fromkeys(DAY_KEYS, (("00:00", "02:00"), ("22:00", "24:00")))
ALWAYS: Weekly = dict.fromkeys(DAY_KEYS, (("00:00", "24:00"),))
PATTERNS: tuple[Weekly, ...] = (OFFICE, NIGHTS, ALWAYS)
# Listed dates at year ends, on DST-change dates and around Apia's skipped date.
LISTED = (
    date(2011, 12, 29),
    date(2011, 12, 31),
    date(2012, 1, 1),
    date(2025, 12, 31),
    date(2026, 1, 1),
    date(2026, 3, 8),
    date(2026, 11, 1),
    date(2026, 4, 5),
    date(2026, 10, 4),
)
SPECIAL_SPANS = st.sampled_from(
    ((), (("00:00", "24:00"),), (("01:00", "03:00"),), (("22:30", "24:00"),))
)
PIVOTS = (2011, 2012, 2026, 2027)


@st.composite
def far_specs(draw: st.DrawFn) -> Spec:
    zone = draw(st.sampled_from(FAR_ZONES))
    weekly = draw(st.sampled_from(PATTERNS))
    holidays = draw(st.frozensets(st.sampled_from(LISTED), max_size=3))
    special = draw(st.dictionaries(st.sampled_from(LISTED), SPECIAL_SPANS, max_size=3))
    return Spec(zone, weekly, holidays, special)


def new_year(zone: ZoneInfo, year: int) -> int:
    return us_of(datetime(year, 1, 1, tzinfo=zone))


@st.composite
def near_new_year(draw: st.DrawFn, zone: ZoneInfo, year: int) -> int:
    """An instant at, or within a day of, the local or the UTC start of a year near *year*."""
    y = year + draw(st.integers(-1, 1))
    base = draw(st.sampled_from((new_year(zone, y), new_year(ZoneInfo("UTC"), y))))
    shift = draw(
        st.one_of(
            st.sampled_from((0, -1, 1, -14 * HOUR, -11 * HOUR, 11 * HOUR, 14 * HOUR)),
            st.integers(-DAY, DAY),
        )
    )
    return base + shift


Probe = Callable[[BusinessCalendar], object]


def probes(a: int, b: int, d: int, zone: ZoneInfo) -> list[tuple[str, Probe]]:
    """The same questions in every form of input: the zone, two UTCs, pendulum, mixed ends."""
    zone_utc = ZoneInfo("UTC")
    duration = timedelta(microseconds=d)
    la, lb = datetime_of(a, zone), datetime_of(b, zone)
    ua, ub = datetime_of(a, UTC), datetime_of(b, UTC)
    za, zb = datetime_of(a, zone_utc), datetime_of(b, zone_utc)
    pa = pendulum.instance(ua).in_timezone(zone.key)
    pb = pendulum.instance(ub).in_timezone(zone.key)
    return [
        ("elapsed_us", lambda c: c.elapsed_us(a, b)),
        ("add_us", lambda c: c.add_us(a, d)),
        ("next_open_us", lambda c: c.next_open_us(a)),
        ("is_open_us", lambda c: c.is_open_us(b)),
        ("elapsed local", lambda c: c.elapsed(la, lb)),
        ("elapsed UTC", lambda c: c.elapsed(ua, ub)),
        ("elapsed ZoneInfo UTC", lambda c: c.elapsed(za, zb)),
        ("elapsed pendulum", lambda c: c.elapsed(pa, pb)),
        ("elapsed UTC to local", lambda c: c.elapsed(ua, lb)),
        ("elapsed local to UTC", lambda c: c.elapsed(la, ub)),
        ("add local", lambda c: c.add(la, duration)),
        ("add UTC", lambda c: c.add(ua, duration)),
        ("add ZoneInfo UTC", lambda c: c.add(za, duration)),
        ("add pendulum", lambda c: c.add(pa, duration)),
        ("is_open local", lambda c: c.is_open(la)),
        ("next_open UTC", lambda c: c.next_open(ua)),
    ]


def assert_same(got: object, want: object, zone: ZoneInfo, where: object) -> None:
    assert got == want, where
    if isinstance(got, datetime):
        assert isinstance(want, datetime)
        assert written(got) == written(want), where
        assert written(got) == canonical(got, zone), where


# --------------------------------------------------------------------------------------------
# History independence with short runs, near New Year, in every input form
# --------------------------------------------------------------------------------------------


@REVIEW
@given(
    data=st.data(),
    limit=st.sampled_from((1, 2, 3)),
    history=st.lists(st.tuples(st.integers(-3, 3), st.integers(0, 3)), max_size=8),
)
def test_short_runs_answer_as_a_fresh_calendar_near_new_year(
    data: st.DataObject, limit: int, history: list[tuple[int, int]]
) -> None:
    """With runs of 1-3 years rotating (even between the two ends of one call), every
    question near a New Year, in every input form, gets a fresh calendar's answer (or its
    error), written as converting the instant writes it."""
    spec = data.draw(far_specs(), label="spec")
    zone = ZoneInfo(spec.zone)
    year = data.draw(st.sampled_from(PIVOTS), label="year")
    with short_runs(limit):
        used = spec.build()
        for offset, kind in history:
            t = new_year(zone, year + offset) + (kind - 1) * 12 * HOUR
            if kind == 0:
                used.is_open_us(t)
            elif kind == 1:
                outcome(used.add_us, t, 400 * DAY)
            elif kind == 2:
                outcome(used.elapsed_us, t - 2 * YEAR, t)
            else:
                outcome(used.next_open_us, t)
        a = data.draw(near_new_year(zone, year), label="a")
        b = a + data.draw(
            st.one_of(st.integers(0, 2 * DAY), st.integers(0, 5 * YEAR)), label="b - a"
        )
        d = data.draw(st.one_of(st.integers(0, 3 * DAY), st.integers(0, 4 * YEAR)), label="d")
        for name, probe in probes(a, b, d, zone):
            want = outcome(probe, spec.build())
            assert_same(outcome(probe, used), want, zone, (name, a, b, d))
            assert_same(outcome(probe, used), want, zone, (name, "again", a, b, d))


@REVIEW
@given(data=st.data(), limit=st.sampled_from((1, 2, 3, 32)))
def test_runs_rotating_inside_one_call_match_the_reference(data: st.DataObject, limit: int) -> None:
    """``elapsed``, ``add`` and ``next_open`` over a few years, with runs so short that the
    start's run is replaced while the call is still using it, match a day-by-day reference."""
    spec = data.draw(far_specs(), label="spec")
    zone = ZoneInfo(spec.zone)
    year = data.draw(st.sampled_from(PIVOTS), label="year")
    ref = RefCalendar(spec, margin_days=2, nested_days=False)
    with short_runs(limit):
        cal = spec.build()
        for y in data.draw(st.lists(st.integers(-2, 3), max_size=4), label="indexed"):
            cal.is_open_us(us_of(datetime(year + y, 7, 1, tzinfo=UTC)))
        a = data.draw(near_new_year(zone, year), label="a")
        b = a + data.draw(st.integers(0, 2 * YEAR + 3 * DAY), label="b - a")
        d = data.draw(st.integers(1, 4 * 365 * 8 * HOUR), label="d")
        assert cal.elapsed_us(a, b) == ref.elapsed(a, b)
        assert cal.elapsed(datetime_of(a, UTC), datetime_of(b, zone)) == timedelta(
            microseconds=ref.elapsed(a, b)
        )
        try:
            want: int | None = ref.add(a, d)
        except NeverOpensError:  # pragma: no cover - the patterns all open weekly
            want = None
        if want is not None and want - a < 3 * YEAR:
            assert cal.add_us(a, d) == want
            got = cal.add(datetime_of(a, UTC), timedelta(microseconds=d))
            assert us_of(got) == want
            assert written(got) == canonical(got, zone)
        assert cal.next_open_us(a) == ref.next_open(a)


# --------------------------------------------------------------------------------------------
# The runs' structure
# --------------------------------------------------------------------------------------------


@REVIEW
@given(
    spec=far_specs(),
    limit=st.sampled_from((1, 2, 3, 4)),
    years=st.lists(st.integers(2008, 2030), min_size=1, max_size=12),
)
def test_runs_stay_aligned_after_appends_and_prepends(
    spec: Spec, limit: int, years: list[int]
) -> None:
    """However years are asked for, each run at hand holds consecutive whole years within the
    length limit, its ``year_starts`` are the midnights of its 1 Januaries, its ``bases`` step
    by each year's unindexed total, its intervals lie on its dates, and the two runs at hand
    never share a year."""
    from csflow import calendar as calendar_module

    zone = ZoneInfo(spec.zone)
    reference = spec.build()
    with short_runs(limit):
        cal = spec.build()
        for year in years:
            cal._run_for(year)
            for run in (cal._hot, cal._warm):
                if run.last_year < run.first_year:
                    continue  # the empty run a new calendar starts with
                count = run.last_year - run.first_year + 1
                assert count <= calendar_module._RUN_YEARS
                assert len(run.bases) == len(run.year_starts) == count + 1
                assert run.size == len(run.mids) - 1 == len(run.plain)
                assert run.day0 == date(run.first_year, 1, 1).toordinal() - 719_163
                for y in range(run.first_year, run.last_year + 2):
                    i = date(y, 1, 1).toordinal() - 719_163 - run.day0
                    assert run.mids[i] == run.year_starts[y - run.first_year]
                    assert run.year_starts[y - run.first_year] == new_year(zone, y)
                for y in range(run.first_year, run.last_year + 1):
                    k = y - run.first_year
                    assert run.bases[k + 1] - run.bases[k] == reference._year_total(y), y
                assert len(run.starts) == len(run.ends) == len(run.cum) == len(run.walls)
                if run.cum:
                    assert run.cum[-1] == run.bases[-1]
                    assert run.starts[0] >= run.mids[0]
                    assert run.ends[-1] <= run.mids[-1]
                    assert run.cum[0] - (run.ends[0] - run.starts[0]) == run.bases[0]
            hot, warm = cal._hot, cal._warm
            assert hot.first_year <= year <= hot.last_year
            if warm.last_year >= warm.first_year:
                assert hot.last_year < warm.first_year or warm.last_year < hot.first_year


# --------------------------------------------------------------------------------------------
# The UTC fast paths
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("warm", [False, True], ids=["fresh", "warm"])
@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"])
def test_elapsed_with_end_before_start_raises_in_every_form(warm: bool, zone: str) -> None:
    """``elapsed`` refuses an end before its start, whichever form the ends take (both UTC,
    both in the zone, ZoneInfo UTC, mixed), on a fresh calendar and on one indexing them."""
    tz = ZoneInfo(zone)
    cal = BusinessCalendar(zone, {k: list(v) for k, v in OFFICE.items()})
    start_us = new_year(tz, 2027)
    if warm:
        cal.is_open_us(start_us)
        cal.is_open_us(start_us - YEAR)
    for later, earlier in (
        (start_us, start_us - 1),
        (start_us + 3 * HOUR, start_us - 3 * HOUR),
        (start_us + 400 * DAY, start_us),
    ):
        forms = (UTC, tz, ZoneInfo("UTC"))
        for f in forms:
            for g in forms:
                # The message names the instants in the form they were given.
                with pytest.raises(CalendarError, match=r"got start=datetime\.datetime\("):
                    cal.elapsed(datetime_of(later, f), datetime_of(earlier, g))
        with pytest.raises(CalendarError, match=rf"got {later} > {earlier} µs"):
            cal.elapsed_us(later, earlier)


# --------------------------------------------------------------------------------------------
# The 200-year span limit
# --------------------------------------------------------------------------------------------


@settings(REVIEW, max_examples=min(REVIEW.max_examples, 15))
@given(
    data=st.data(),
    limit=st.sampled_from((1, 2, 32)),
    history=st.lists(st.sampled_from((-1, 0, 1, 31, 32, 33, 199, 200, 201)), max_size=5),
)
def test_span_limit_is_the_same_fresh_and_warm(
    data: st.DataObject, limit: int, history: list[int]
) -> None:
    """Near the 200-year limit (counted from the start's local year), ``elapsed`` and ``add``
    answer or raise alike on a fresh calendar and on one with other years indexed, whatever
    the form of their input."""
    zone_name = data.draw(st.sampled_from(("Pacific/Kiritimati", "Pacific/Pago_Pago")))
    zone = ZoneInfo(zone_name)
    spec = Spec(zone_name, OFFICE, frozenset(), {})
    fresh = spec.build()
    with short_runs(limit):
        used = spec.build()
        for offset in history:
            used.is_open_us(us_of(datetime(2026 + offset, 7, 1, tzinfo=UTC)))
        a = data.draw(near_new_year(zone, 2026), label="a")
        first = datetime_of(a, zone).year
        whole = fresh.elapsed_us(a, new_year(zone, first + 200) - 1)
        b = data.draw(near_new_year(zone, first + 200), label="b")
        d = whole + data.draw(st.integers(-30 * DAY, 400 * DAY), label="d - whole")
        la, lb = datetime_of(a, zone), datetime_of(b, zone)
        ua, ub = datetime_of(a, UTC), datetime_of(b, UTC)
        duration = timedelta(microseconds=d)
        checks: list[tuple[str, Probe]] = [
            ("elapsed_us", lambda c: c.elapsed_us(a, b)),
            ("add_us", lambda c: c.add_us(a, d)),
            ("elapsed local", lambda c: c.elapsed(la, lb)),
            ("elapsed UTC", lambda c: c.elapsed(ua, ub)),
            ("elapsed mixed", lambda c: c.elapsed(ua, lb)),
            ("add local", lambda c: c.add(la, duration)),
            ("add UTC", lambda c: c.add(ua, duration)),
        ]
        for name, probe in checks:
            want = outcome(probe, fresh)
            assert_same(outcome(probe, used), want, zone, (name, a, b, d))


# --------------------------------------------------------------------------------------------
# Bugs: minimal reproducers
# --------------------------------------------------------------------------------------------

PAGO = ZoneInfo("Pacific/Pago_Pago")


def test_add_us_never_answers_past_year_9999() -> None:
    """``add_us`` raises CalendarError when the deadline is past 9999-12-31 23:59:59.999999
    UTC, as ``add`` does: in Pago Pago (UTC-11) that instant is 12:59:59.999999 local, so a
    deadline at 13:30 local on 9999-12-31 is past the range."""
    cal = BusinessCalendar("Pacific/Pago_Pago", {"fri": [("09:00", "17:00")]})
    start = datetime(9999, 12, 31, 8, 0, tzinfo=PAGO)  # a Friday; 19:00 UTC
    d = 4 * HOUR + 30 * MINUTE  # less than the 5 real hours left before MAX_US
    with pytest.raises(CalendarError):
        cal.add(start, timedelta(microseconds=d))
    answer = outcome(cal.add_us, us_of(start), d)
    assert answer is CalendarError, (answer, MAX_US)  # not an instant past MAX_US


def test_next_open_us_never_answers_past_year_9999() -> None:
    """``next_open_us`` raises CalendarError when the next opening is past the last instant
    a datetime can hold, as ``next_open`` does, instead of returning an instant beyond it."""
    cal = BusinessCalendar("Pacific/Pago_Pago", {"fri": [("20:00", "21:00")]})
    start = datetime(9999, 12, 31, 12, 0, tzinfo=PAGO)  # 23:00 UTC, opens at 07:00 UTC 10000
    with pytest.raises(CalendarError):
        cal.next_open(start)
    answer = outcome(cal.next_open_us, us_of(start))
    assert answer is CalendarError, (answer, MAX_US)  # not an instant past MAX_US


def test_add_on_special_days_only_is_measured_back_by_elapsed() -> None:
    """``add`` answers the earliest instant ``t`` with ``elapsed(start, t) == duration``, so
    whatever ``add`` answers, ``elapsed`` measures back; on a calendar open only on special
    days, a deadline more than 200 years after the start must therefore either be measurable
    by ``elapsed`` or be refused by ``add`` (the span limit applies to both alike)."""
    tokyo = ZoneInfo("Asia/Tokyo")
    cal = BusinessCalendar(
        "Asia/Tokyo",
        {},
        (),
        {date(2026, 1, 5): [("09:00", "10:00")], date(2300, 1, 5): [("09:00", "10:00")]},
    )
    start = datetime(2026, 1, 5, 9, 0, tzinfo=tokyo)
    duration = timedelta(hours=1, minutes=30)
    try:
        deadline = cal.add(start, duration)
    except CalendarError:
        return  # refused, like elapsed over the same span
    assert deadline == datetime(2300, 1, 5, 9, 30, tzinfo=tokyo)
    assert cal.elapsed(start, deadline) == duration
