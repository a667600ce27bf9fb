"""Business-hours calendars: csflow's ``BusinessCalendar`` beside what a user would otherwise write.

The desk: Asia/Jakarta office hours, Monday-Friday 08:00-17:00, closed on the 19 dates of
``csflow.samples.JAKARTA_HOLIDAYS_2026`` (Lebaran included).  One span a day, because
``businesstime`` knows only one; csflow's own figures on the real two-span-plus-Saturday desk
(``jakarta_office_calendar()``) are printed too.

Peers, each doing the same job on the same desk:

* ``pandas``: ``Timestamp + n * CustomBusinessHour`` (whole hours only; no "elapsed").
* ``workalendar``: a ``Calendar`` subclass with the same holidays; it has working *days* but no
  business hours, so business-hour arithmetic is the day-by-day loop a user writes on top of
  ``is_working_day`` / ``add_working_days``.
* ``holidays``: the same day-by-day loop with a ``HolidayBase`` lookup, and the bare lookup as a
  reference figure.
* ``businesstime``: ``BusinessTime.businesstime_hours`` for "elapsed" (it has no "add").

Issue 2's target: ``add`` and ``elapsed`` at most 5 µs median per call, flat across spans.  The
figures are printed as measured; nothing is asserted.  Answers are compared on random samples and
every disagreement is counted and shown.

Run with ``python -m benchmarks calendar``.
"""

from __future__ import annotations

import itertools
import math
import random
import time as _time
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks._common import Row, median_per_call, print_table, section
from csflow._time import to_us
from csflow.calendar import BusinessCalendar
from csflow.samples import JAKARTA_HOLIDAYS_2026, jakarta_office_calendar

try:
    import pandas as pd
except ImportError:  # the bench extra is not installed
    pd = None  # type: ignore[assignment, unused-ignore]
try:
    from workalendar.core import SAT, SUN
    from workalendar.core import Calendar as _WorkCalendar
except ImportError:
    _WorkCalendar = None
try:
    import holidays as _holidays
except ImportError:
    _holidays = None  # type: ignore[assignment, unused-ignore]
try:
    from businesstime import BusinessTime
except ImportError:
    BusinessTime = None

TARGET_US = 5.0
WIB = ZoneInfo("Asia/Jakarta")
NEW_YORK = ZoneInfo("America/New_York")
OPEN, CLOSE = time(8, 0), time(17, 0)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
HOLIDAYS = JAKARTA_HOLIDAYS_2026
H = timedelta(hours=1)
SPANS: tuple[tuple[str, timedelta], ...] = (
    ("15 min", timedelta(minutes=15)),
    ("4 h", 4 * H),
    ("40 h", 40 * H),
    ("400 h", 400 * H),
    ("4000 h", 4000 * H),
)
START = datetime(2026, 3, 16, 10, 17, tzinfo=WIB)  # a Monday morning, Lebaran ahead
START_UTC = START.astimezone(UTC)
BUDGET = 0.04  # seconds per timed batch


def office() -> BusinessCalendar:
    """The benchmark desk: one span a day, the 2026 holidays."""
    return BusinessCalendar("Asia/Jakarta", {d: [("08:00", "17:00")] for d in WEEKDAYS}, HOLIDAYS)


def fresh(fn: Callable[..., object], *args: object) -> Callable[[], object]:
    """*fn* called with *args*, each datetime among them a different copy on each call.

    csflow remembers the last datetime it converted (one desk command passes the same ``at``
    to several layers); calling it again and again with one object would time that memo, not
    the conversion a new instant costs.  The copies are equal, so every call does the same work.
    """
    copies = [tuple(a.replace() if isinstance(a, datetime) else a for a in args) for _ in range(16)]
    cycle = itertools.cycle(copies)
    return lambda: fn(*next(cycle))


def timed(fn: Callable[[], object], *, budget: float = BUDGET, repeat: int = 5) -> float:
    """Median seconds per call, with a batch size chosen so that a batch takes about *budget*."""
    start = _time.perf_counter()
    fn()
    once = max(_time.perf_counter() - start, 1e-7)
    return median_per_call(fn, number=max(1, min(20_000, int(budget / once))), repeat=repeat)


# -- the peers: what a user writes -------------------------------------------------------------


def _naive_local(at: datetime) -> datetime:
    return at.astimezone(WIB).replace(tzinfo=None)


def loop_add(
    start: datetime,
    duration: timedelta,
    is_workday: Callable[[date], bool],
    next_workday: Callable[[date], date] | None = None,
) -> datetime:
    """Business-hours deadline by walking the desk's days one at a time.

    *next_workday*, when given, jumps to the next working day (workalendar's
    ``add_working_days(day, 1)``); otherwise every calendar day is tested with *is_workday*.
    """
    t = _naive_local(start)
    day, rest = t.date(), duration
    if not rest:
        return t.replace(tzinfo=WIB)
    workday = is_workday(day)
    while True:
        if workday:
            opens, closes = datetime.combine(day, OPEN), datetime.combine(day, CLOSE)
            s = max(t, opens)
            if s < closes:
                if rest <= closes - s:
                    return (s + rest).replace(tzinfo=WIB)
                rest -= closes - s
        if next_workday is None:
            day += timedelta(days=1)
            workday = is_workday(day)
        else:
            day, workday = next_workday(day), True
        t = datetime.combine(day, OPEN)


def loop_elapsed(a: datetime, b: datetime, is_workday: Callable[[date], bool]) -> timedelta:
    """Business time between two instants by walking the days between them."""
    ta, tb = _naive_local(a), _naive_local(b)
    total = timedelta(0)
    day = ta.date()
    while day <= tb.date():
        if is_workday(day):
            s = max(ta, datetime.combine(day, OPEN))
            e = min(tb, datetime.combine(day, CLOSE))
            if e > s:
                total += e - s
        day += timedelta(days=1)
    return total


class _Peers:
    """The peer implementations on the benchmark desk (``None`` where not installed)."""

    def __init__(self) -> None:
        self.pandas_offset: Any = None
        if pd is not None:
            self.pandas_offset = pd.offsets.CustomBusinessHour(
                start="08:00", end="17:00", weekmask="Mon Tue Wed Thu Fri", holidays=list(HOLIDAYS)
            )
        self.work: Any = None
        if _WorkCalendar is not None:

            class JakartaOffice(_WorkCalendar):  # type: ignore[misc]
                WEEKEND_DAYS = (SAT, SUN)

                def get_calendar_holidays(self, year: int) -> list[tuple[date, str]]:
                    return [(d, n) for d, n in HOLIDAYS.items() if d.year == year]

            self.work = JakartaOffice()
        self.hol: Any = None
        if _holidays is not None:
            self.hol = _holidays.HolidayBase()
            self.hol.update(HOLIDAYS)
        self.bt: Any = None
        if BusinessTime is not None:
            self.bt = BusinessTime(business_hours=(OPEN, CLOSE), holidays=list(HOLIDAYS))

    # Each method returns None when its peer is missing or cannot answer.

    def pandas_add(self, start: datetime, d: timedelta) -> datetime | None:
        if self.pandas_offset is None or d % H:
            return None
        ts = pd.Timestamp(_naive_local(start)) + self.pandas_offset * (d // H)
        return datetime.fromisoformat(ts.isoformat()).replace(tzinfo=WIB)

    def work_add(self, start: datetime, d: timedelta) -> datetime | None:
        if self.work is None:
            return None
        work = self.work
        return loop_add(start, d, work.is_working_day, lambda day: work.add_working_days(day, 1))

    def hol_add(self, start: datetime, d: timedelta) -> datetime | None:
        if self.hol is None:
            return None
        hol = self.hol
        return loop_add(start, d, lambda day: day.weekday() < 5 and day not in hol)

    def work_elapsed(self, a: datetime, b: datetime) -> timedelta | None:
        return None if self.work is None else loop_elapsed(a, b, self.work.is_working_day)

    def hol_elapsed(self, a: datetime, b: datetime) -> timedelta | None:
        if self.hol is None:
            return None
        hol = self.hol
        return loop_elapsed(a, b, lambda day: day.weekday() < 5 and day not in hol)

    def bt_elapsed(self, a: datetime, b: datetime) -> timedelta | None:
        if self.bt is None:
            return None
        result: timedelta = self.bt.businesstime_hours(_naive_local(a), _naive_local(b))
        return result


def _peer_row(label: str, fn: Callable[[], object] | None, missing: str, note: str = "") -> Row:
    if fn is None:
        return (label, None, missing)
    try:
        if fn() is None:
            return (label, None, missing)
    except Exception as exc:  # a peer's failure is a figure, not a crash of the benchmark
        return (label, None, f"raised {type(exc).__name__}: {exc}")
    return (label, timed(fn), note)


# -- the tables ------------------------------------------------------------------------------


def _add_tables(cal: BusinessCalendar, peers: _Peers, csflow_us: dict[str, list[float]]) -> None:
    section("add(start, d): the business-hours deadline d after Monday 2026-03-16 10:17 WIB")
    start_us = to_us(START)
    for name, d in SPANS:
        d_us = d // timedelta(microseconds=1)
        due = cal.add(START, d)
        rows: list[Row] = [
            (
                "csflow add (datetime)",
                timed(fresh(cal.add, START, d)),
                f"-> {due:%Y-%m-%d %H:%M}",
            ),
            ("csflow add_us (int µs)", timed(partial(cal.add_us, start_us, d_us)), ""),
            ("csflow add (datetime in UTC)", timed(fresh(cal.add, START_UTC, d)), ""),
            (
                "csflow add (datetime in New York)",
                timed(fresh(cal.add, START.astimezone(NEW_YORK), d)),
                "another zone: converted",
            ),
        ]
        csflow_us["add"].append(rows[0][1] or 0.0)
        csflow_us["add_us"].append(rows[1][1] or 0.0)
        csflow_us["add, UTC"].append(rows[2][1] or 0.0)
        csflow_us["add, NY"].append(rows[3][1] or 0.0)
        rows += [
            _peer_row(
                "pandas Timestamp + n*CustomBusinessHour",
                (partial(peers.pandas_add, START, d)) if peers.pandas_offset is not None else None,
                "not installed" if pd is None else "whole hours only",
            ),
            _peer_row(
                "workalendar add_working_days loop",
                (partial(peers.work_add, START, d)) if peers.work is not None else None,
                "not installed",
            ),
            _peer_row(
                "holidays day-by-day loop",
                (partial(peers.hol_add, START, d)) if peers.hol is not None else None,
                "not installed",
            ),
            ("businesstime", None, "no add: BusinessTime 0.3 only measures"),
        ]
        print(f"\nspan {name}")
        print_table(rows)


def _elapsed_tables(
    cal: BusinessCalendar, peers: _Peers, csflow_us: dict[str, list[float]]
) -> None:
    section("elapsed(start, end): business time between two instants")
    start_us = to_us(START)
    spans = [*SPANS, ("one year", timedelta(0))]
    for name, d in spans:
        end = START.replace(year=2027) if name == "one year" else cal.add(START, d)
        end_us = to_us(end)
        got = cal.elapsed(START, end)
        rows: list[Row] = [
            (
                "csflow elapsed (datetime)",
                timed(fresh(cal.elapsed, START, end)),
                f"= {got}",
            ),
            (
                "csflow elapsed_us (int µs)",
                timed(partial(cal.elapsed_us, start_us, end_us)),
                "",
            ),
            (
                "csflow elapsed (datetimes in UTC)",
                timed(fresh(cal.elapsed, START_UTC, end.astimezone(UTC))),
                "",
            ),
            (
                "csflow elapsed (datetimes in New York)",
                timed(fresh(cal.elapsed, START.astimezone(NEW_YORK), end.astimezone(NEW_YORK))),
                "another zone: converted",
            ),
        ]
        csflow_us["elapsed"].append(rows[0][1] or 0.0)
        csflow_us["elapsed_us"].append(rows[1][1] or 0.0)
        csflow_us["elapsed, UTC"].append(rows[2][1] or 0.0)
        csflow_us["elapsed, NY"].append(rows[3][1] or 0.0)
        rows += [
            _peer_row(
                "businesstime businesstime_hours",
                (partial(peers.bt_elapsed, START, end)) if peers.bt is not None else None,
                "not installed",
            ),
            _peer_row(
                "workalendar day-by-day loop",
                (partial(peers.work_elapsed, START, end)) if peers.work is not None else None,
                "not installed",
            ),
            _peer_row(
                "holidays day-by-day loop",
                (partial(peers.hol_elapsed, START, end)) if peers.hol is not None else None,
                "not installed",
            ),
            ("pandas", None, "no elapsed for CustomBusinessHour"),
        ]
        print(f"\nspan {name} (to {end:%Y-%m-%d %H:%M})")
        print_table(rows)


def _is_open_table(cal: BusinessCalendar, peers: _Peers) -> None:
    section("is_open(at) and the bare holiday lookup")
    at = datetime(2026, 3, 20, 10, 0, tzinfo=WIB)
    at_us = to_us(at)
    rows: list[Row] = [
        ("csflow is_open (datetime)", timed(fresh(cal.is_open, at)), "Idul Fitri: closed"),
        ("csflow is_open_us (int µs)", timed(lambda: cal.is_open_us(at_us)), ""),
    ]
    if peers.bt is not None:
        naive = _naive_local(at)
        rows.append(
            (
                "businesstime isduringbusinesshours",
                timed(lambda: peers.bt.isduringbusinesshours(naive)),
                "",
            )
        )
    if peers.work is not None:
        day = at.date()
        rows.append(
            (
                "workalendar is_working_day (date only)",
                timed(lambda: peers.work.is_working_day(day)),
                "",
            )
        )
    if _holidays is not None:
        indonesia = _holidays.country_holidays("ID", years=2026)
        day = at.date()
        rows.append(
            ("holidays: date in Indonesia(2026)", timed(lambda: day in indonesia), "lookup only")
        )
    print_table(rows)


# -- random calls ----------------------------------------------------------------------------


def _random_cases(n: int, seed: int) -> list[tuple[datetime, timedelta]]:
    """Starts at random minutes of 2026; durations log-uniform, whole hours from 1 to 4000."""
    rng = random.Random(seed)
    year = datetime(2026, 1, 1, tzinfo=WIB)
    out = []
    for _ in range(n):
        start = year + timedelta(minutes=rng.randrange(365 * 24 * 60))
        hours = max(1, round(math.exp(rng.uniform(0, math.log(4000)))))
        out.append((start, hours * H))
    return out


def _per_call(fn: Callable[[], object], n: int) -> float:
    return median_per_call(fn, number=1, repeat=3) / n


def _random_tables(cal: BusinessCalendar, peers: _Peers) -> None:
    n, n_peer = 100_000, 1_000
    cases = _random_cases(n, seed=2)
    ends = [cal.add(s, d) for s, d in cases]
    us_cases = [(to_us(s), d // timedelta(microseconds=1)) for s, d in cases]
    us_pairs = [(to_us(s), to_us(e)) for (s, _), e in zip(cases, ends, strict=True)]
    pairs = [(s, e) for (s, _), e in zip(cases, ends, strict=True)]

    def run_add() -> None:
        add = cal.add
        for s, d in cases:
            add(s, d)

    def run_add_us() -> None:
        add = cal.add_us
        for s, d in us_cases:
            add(s, d)

    def run_elapsed() -> None:
        elapsed = cal.elapsed
        for s, e in pairs:
            elapsed(s, e)

    def run_elapsed_us() -> None:
        elapsed = cal.elapsed_us
        for s, e in us_pairs:
            elapsed(s, e)

    def peer(
        fn: Callable[[datetime, Any], object], data: Iterable[tuple[datetime, Any]]
    ) -> Callable[[], None]:
        sample = list(data)[:n_peer]

        def run() -> None:
            for a, b in sample:
                fn(a, b)

        return run

    section(f"{n:,} random calls (starts in 2026, 1-4000 business hours, log-uniform)")
    print(f"peers run the first {n_peer:,} of the same calls (their loops are slow); µs per call")
    add_rows: list[Row] = [
        ("csflow add (datetime)", _per_call(run_add, n), ""),
        ("csflow add_us (int µs)", _per_call(run_add_us, n), ""),
    ]
    if peers.pandas_offset is not None:
        add_rows.append(
            ("pandas CustomBusinessHour", _per_call(peer(peers.pandas_add, cases), n_peer), "")
        )
    if peers.work is not None:
        add_rows.append(
            (
                "workalendar add_working_days loop",
                _per_call(peer(peers.work_add, cases), n_peer),
                "",
            )
        )
    if peers.hol is not None:
        add_rows.append(("holidays loop", _per_call(peer(peers.hol_add, cases), n_peer), ""))
    print("\nadd")
    print_table(add_rows)
    el_rows: list[Row] = [
        ("csflow elapsed (datetime)", _per_call(run_elapsed, n), ""),
        ("csflow elapsed_us (int µs)", _per_call(run_elapsed_us, n), ""),
    ]
    if peers.bt is not None:
        el_rows.append(("businesstime_hours", _per_call(peer(peers.bt_elapsed, pairs), n_peer), ""))
    if peers.work is not None:
        el_rows.append(("workalendar loop", _per_call(peer(peers.work_elapsed, pairs), n_peer), ""))
    if peers.hol is not None:
        el_rows.append(("holidays loop", _per_call(peer(peers.hol_elapsed, pairs), n_peer), ""))
    print("\nelapsed")
    print_table(el_rows)


# -- correctness agreement -------------------------------------------------------------------


def _compare(
    label: str,
    cases: list[tuple[datetime, Any]],
    ours: Callable[[datetime, Any], object],
    theirs: Callable[[datetime, Any], object],
    same: Callable[[object, object], bool],
    show: int = 3,
) -> None:
    checked = agree = 0
    differ: list[str] = []
    for a, b in cases:
        try:
            got = theirs(a, b)
        except Exception as exc:
            differ.append(f"{a:%Y-%m-%d %H:%M}, {b}: peer raised {type(exc).__name__}")
            checked += 1
            continue
        if got is None:
            continue
        checked += 1
        want = ours(a, b)
        if same(want, got):
            agree += 1
        else:
            other = f"{b:%Y-%m-%d %H:%M}" if isinstance(b, datetime) else str(b)
            differ.append(f"{a:%Y-%m-%d %H:%M} + {other}: csflow {want}, peer {got}")
    if not checked:
        print(f"{label}: not installed")
        return
    print(f"{label}: agree on {agree}/{checked}")
    for line in differ[:show]:
        print(f"    DIFFERS {line}")
    if len(differ) > show:
        print(f"    ... and {len(differ) - show} more")


def _agreement(cal: BusinessCalendar, peers: _Peers) -> None:
    section("agreement on 500 random cases (same desk, same holidays)")
    cases = _random_cases(500, seed=7)
    pairs = [(s, cal.add(s, d) + timedelta(minutes=13 * i % 600)) for i, (s, d) in enumerate(cases)]

    def same_instant(want: object, got: object) -> bool:
        assert isinstance(want, datetime)
        assert isinstance(got, datetime)
        # Landing on the next opening instead of the closing instant is the same business time.
        lo, hi = min(want, got), max(want, got)
        return want == got or cal.elapsed(lo, hi) == timedelta(0)

    def same_duration(want: object, got: object) -> bool:
        assert isinstance(want, timedelta)
        assert isinstance(got, timedelta)
        return abs(want - got) < timedelta(seconds=1)  # businesstime goes through float hours

    _compare("add vs pandas CustomBusinessHour", cases, cal.add, peers.pandas_add, same_instant)
    _compare(
        "add vs workalendar add_working_days loop", cases, cal.add, peers.work_add, same_instant
    )
    _compare("add vs holidays loop", cases, cal.add, peers.hol_add, same_instant)
    _compare("elapsed vs businesstime_hours", pairs, cal.elapsed, peers.bt_elapsed, same_duration)
    _compare("elapsed vs workalendar loop", pairs, cal.elapsed, peers.work_elapsed, same_duration)
    _compare("elapsed vs holidays loop", pairs, cal.elapsed, peers.hol_elapsed, same_duration)
    print("(pandas ends an add on the next opening where csflow gives the closing instant;")
    print(" both carry the same business time, so they count as agreeing)")

    # Jakarta has no DST.  A New York night desk (00:00-08:00 every day) across the spring-forward
    # night shows what wall-clock arithmetic on naive local times does there.
    night = BusinessCalendar(
        "America/New_York", {d: [("00:00", "08:00")] for d in (*WEEKDAYS, "sat", "sun")}
    )
    sunday = datetime(2026, 3, 8, 0, 0, tzinfo=NEW_YORK)
    ours_add = night.add(sunday, 8 * H)
    ours_el = night.elapsed(sunday, sunday.replace(hour=12))
    print(
        f"\nDST probe, New York night desk from {sunday:%Y-%m-%d %H:%M %Z} (spring forward at 02:00):"
    )
    print(f"    csflow add 8 h -> {ours_add:%Y-%m-%d %H:%M %Z}; elapsed to 12:00 -> {ours_el}")
    if pd is not None:
        off = pd.offsets.CustomBusinessHour(
            start="00:00", end="08:00", weekmask="Mon Tue Wed Thu Fri Sat Sun"
        )
        theirs = pd.Timestamp(sunday) + off * 8
        if theirs.to_pydatetime() != ours_add:
            print(f"    DIFFERS pandas add 8 h -> {theirs} (wall-clock hours: one real hour short)")
    if BusinessTime is not None:
        bt = BusinessTime(business_hours=(time(0), time(8)), weekends=())
        naive = sunday.replace(tzinfo=None)
        theirs_el = bt.businesstime_hours(naive, naive.replace(hour=12))
        if theirs_el != ours_el:
            print(
                f"    DIFFERS businesstime elapsed -> {theirs_el} (counts the hour that did not exist)"
            )


def _summary(csflow_us: dict[str, list[float]]) -> None:
    section(f"issue 2 target: add / elapsed <= {TARGET_US:g} µs median per call, flat in the span")
    for key, values in csflow_us.items():
        micro = [v * 1e6 for v in values]
        spread = max(micro) / min(micro) if min(micro) > 0 else float("inf")
        verdict = "met" if max(micro) <= TARGET_US else "MISSED"
        figures = ", ".join(f"{v:.2f}" for v in micro)
        print(f"{key:<12} µs by span: {figures}; max/min {spread:.2f}; target {verdict}")
    print(
        "(add and elapsed convert datetimes in the calendar's zone (Asia/Jakarta here) or in UTC\n"
        " without a zone lookup; the NY rows show datetimes in a third zone, converted by its\n"
        " tzinfo on the way in)"
    )


def main() -> None:
    """Print csflow's calendar figures beside the peers'."""
    cal = office()
    peers = _Peers()
    csflow_us: dict[str, list[float]] = {
        key: []
        for key in (
            "add",
            "add_us",
            "add, UTC",
            "add, NY",
            "elapsed",
            "elapsed_us",
            "elapsed, UTC",
            "elapsed, NY",
        )
    }
    _add_tables(cal, peers, csflow_us)
    _elapsed_tables(cal, peers, csflow_us)
    _is_open_table(cal, peers)
    _random_tables(cal, peers)

    section("csflow on the real desk (08-12 and 13-17 weekdays, Saturday 08-12, a special day)")
    real = jakarta_office_calendar()
    rows: list[Row] = []
    for name, d in SPANS:
        rows.append((f"add {name}", timed(fresh(real.add, START, d)), ""))
    rows.append(
        ("elapsed one year", timed(fresh(real.elapsed, START, START.replace(year=2027))), "")
    )
    print_table(rows, baseline="add 4 h")

    _agreement(cal, peers)
    _summary(csflow_us)


if __name__ == "__main__":
    main()
