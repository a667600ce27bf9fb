"""Rosters after the acceptance review: local-time windows across DST changes, windows past
midnight, wrapping horizons, overlapping breaks, fast and bounded 24/7 searches, bad input."""

from __future__ import annotations

import functools
import random
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from csflow.errors import ConfigError
from csflow.staffing.roster import cover
from csflow.staffing.shifts import BreakRule, ShiftTemplate

H = timedelta(hours=1)
MIN = timedelta(minutes=1)
NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def bad(value: object) -> Any:
    """Pass a deliberately ill-typed argument past the type checker."""
    return value


def _local_need(
    zone: ZoneInfo, day: datetime, days: int, first_hour: int, hours: range
) -> tuple[datetime, list[int], list[datetime]]:
    """Hourly requirements from *first_hour* on *day* (local) to midnight *days* local days
    later: 2 agents in the local *hours*, none elsewhere; with the origin and the local start
    of every interval."""
    origin = day.replace(hour=first_hour, tzinfo=zone)
    end = (day.replace(tzinfo=zone) + timedelta(days=days)).astimezone(UTC)
    n = int((end - origin.astimezone(UTC)) / H)
    starts = [(origin.astimezone(UTC) + i * H).astimezone(zone) for i in range(n)]
    return origin, [2 if t.hour in hours else 0 for t in starts], starts


CHANGES = [
    (NY, datetime(2026, 3, 7)),  # spring forward on 8 March, 02:00
    (NY, datetime(2026, 10, 31)),  # fall back on 1 November, 02:00
    (BERLIN, datetime(2026, 3, 28)),  # spring forward on 29 March, 02:00
    (BERLIN, datetime(2026, 10, 24)),  # fall back on 25 October, 03:00
]


@pytest.mark.parametrize(("zone", "day"), CHANGES)
@pytest.mark.parametrize("first_hour", [0, 4, 13])
def test_windows_are_local_clock_times_on_both_sides_of_a_dst_change(
    zone: ZoneInfo, day: datetime, first_hour: int
) -> None:
    # A late shift at 14:00 covers 14:00-22:00 local on every day, the change day included;
    # the need is exactly that, so any shift an hour off the clock would leave a gap.
    late = ShiftTemplate("late", 8 * H, earliest=14 * H)
    early = ShiftTemplate("early", 8 * H, earliest=5 * H, latest=7 * H)
    origin, need, starts = _local_need(zone, day, 2, first_hour, range(14, 22))
    roster = cover(need, [early, late], interval=H, origin=origin)
    for t, row in enumerate(roster.intervals):
        assert row.scheduled >= row.required, starts[t]
        # 2 agents from 14:00 to 22:00 local, nobody else: the optimum is exact.
        assert row.scheduled == (2 if starts[t].hour in range(14, 22) else 0), starts[t]
    assert roster.cost == 8 * 2 * (2 if first_hour < 14 else 1)
    for r in roster.to_dict()["rows"]:
        assert datetime.fromisoformat(r["start"]).strftime("%H:%M") == "14:00"
        assert datetime.fromisoformat(r["end"]).strftime("%H:%M") == "22:00"


@pytest.mark.parametrize(("zone", "day"), CHANGES)
def test_the_shifts_do_not_depend_on_where_the_horizon_starts(
    zone: ZoneInfo, day: datetime
) -> None:
    early = ShiftTemplate("early", 8 * H, earliest=5 * H, latest=7 * H)
    late = ShiftTemplate("late", 8 * H, earliest=14 * H)
    found = []
    for first_hour in (0, 3, 5):
        origin, need, _ = _local_need(zone, day, 2, first_hour, range(6, 22))
        roster = cover(need, [early, late], interval=H, origin=origin)
        assert all(i.scheduled >= i.required for i in roster.intervals)
        found.append(
            sorted(
                (r.shift, (origin.astimezone(UTC) + r.start).astimezone(zone).isoformat(), r.agents)
                for r in roster.rows
            )
        )
    assert found[0] == found[1] == found[2]
    assert {start[11:16] for _, start, _ in found[0]} <= {"05:00", "06:00", "07:00", "14:00"}


def test_the_fall_back_day_is_covered_to_its_end() -> None:
    # New York, 31 Oct - 1 Nov 2026, open 06:00-22:00 local: the late shift of the 25-hour
    # day covers 14:00-22:00 EST (it was refused: "no shift template covers it").
    early = ShiftTemplate("early", 8 * H, earliest=5 * H, latest=7 * H)
    late = ShiftTemplate("late", 8 * H, earliest=14 * H)
    origin, need, _ = _local_need(NY, datetime(2026, 10, 31), 2, 0, range(6, 22))
    assert len(need) == 49
    roster = cover(need, [early, late], interval=H, origin=origin)
    rows = [(r["shift"], r["start"], r["end"]) for r in roster.to_dict()["rows"]]
    assert ("late", "2026-11-01T14:00:00-05:00", "2026-11-01T22:00:00-05:00") in rows
    assert all(i.scheduled >= i.required for i in roster.intervals)


def test_a_window_past_midnight_starts_on_the_first_morning_too() -> None:
    # Night shifts may start 22:00 .. 02:00; 01:00-09:00 needs 2 agents on both mornings.
    # The first morning's starts come from the evening before the horizon's first day.
    night = ShiftTemplate("night", 8 * H, earliest=22 * H, latest=26 * H)
    day = ShiftTemplate("day", 8 * H, earliest=6 * H, latest=10 * H)
    need = [0] * 48
    for h in (*range(1, 9), *range(25, 33)):
        need[h] = 2
    roster = cover(need, [night, day], interval=H)
    assert [(r.shift, r.start // H, r.agents) for r in roster.rows] == [
        ("night", 1, 2),
        ("night", 25, 2),
    ]
    assert roster.cost == 32.0
    # Only starts inside the horizon: 00:00-02:00 from the evening before, none before 00:00.
    only = cover([2] * 3 + [0] * 21, [night], interval=H)
    assert [(r.start // H, r.agents) for r in only.rows] == [(0, 2)]


@pytest.mark.parametrize(
    ("need", "interval", "origin", "match"),
    [
        ([1] * 36, H, None, r"^wraps: .*whole number of days .*got 36 intervals"),
        ([1] * 10, H, None, r"^wraps: .*whole number of days .*got 10 intervals"),
        # 24 real hours from midnight on New York's 23-hour day end at 01:00 the next day.
        ([1] * 24, H, datetime(2026, 3, 8, tzinfo=NY), r"^wraps: .* to 2026-03-09T01:00:00"),
    ],
)
def test_a_wrapping_horizon_must_be_whole_days(
    need: list[int], interval: timedelta, origin: datetime | None, match: str
) -> None:
    night = ShiftTemplate("night", 8 * H, earliest=22 * H)
    day = ShiftTemplate("day", 8 * H, earliest=8 * H)
    with pytest.raises(ConfigError, match=match):
        cover(need, [night, day], interval=interval, origin=origin, wraps=True)


def test_a_wrapping_week_across_a_dst_change_keeps_local_windows() -> None:
    # New York's week of 8 March 2026 has 167 hours; the circle is its seven local days.
    origin, need, _ = _local_need(NY, datetime(2026, 3, 7), 7, 0, range(24))
    assert len(need) == 167
    night = ShiftTemplate("night", 8 * H, earliest=22 * H)
    day = ShiftTemplate("day", 8 * H, earliest=6 * H)
    late = ShiftTemplate("late", 8 * H, earliest=14 * H)
    roster = cover(need, [night, day, late], interval=H, origin=origin, wraps=True)
    assert all(i.scheduled >= i.required for i in roster.intervals)
    for r in roster.to_dict()["rows"]:
        assert r["start"][11:16] in {"06:00", "14:00", "22:00"}


def test_one_agents_breaks_never_overlap() -> None:
    # Lunch may start 11:00..13:00, a rest 10:00..12:00: the rest went 11:30-12:00, inside
    # the lunch, and the agent counted off duty twice.
    half = timedelta(minutes=30)
    lunch = BreakRule(H, earliest=3 * H, latest=5 * H)
    rest = BreakRule(half, earliest=2 * H, latest=4 * H)
    day = ShiftTemplate("day", 8 * H, earliest=8 * H, breaks=[lunch, rest])
    need = [0] * 16 + [1] * 4 + [2] * 2 + [0] * 2 + [1] * 8 + [0] * 16
    roster = cover(need, [day], interval=half)
    assert roster.agents == 2
    for row in roster.rows:
        (a, b), (c, d) = row.breaks
        assert b <= c or d <= a, row.breaks
    for i in roster.intervals:
        off = sum(r.agents for r in roster.rows for b, e in r.breaks if b <= i.start < e)
        assert i.on_duty == i.scheduled - off >= 0


def test_breaks_that_cannot_avoid_each_other_are_refused() -> None:
    # Both one-hour breaks must start between 02:00 and 02:30 into the shift.
    late = BreakRule(H, 2 * H, 2 * H + 30 * MIN)
    with pytest.raises(ConfigError, match=r"^breaks: template 'x': its breaks cannot all be"):
        ShiftTemplate("x", 8 * H, breaks=[late, late])
    # Back to back fits, in either order of the rules.
    ShiftTemplate("y", 8 * H, breaks=[BreakRule(H, 2 * H, 3 * H), BreakRule(H, 2 * H)])


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: cover([1] * 16, bad(None), interval=H), r"'templates' must be a non-empty"),
        (lambda: cover([1] * 16, bad({"a": 1}), interval=H), r"'templates' must be a non-empty"),
        (lambda: ShiftTemplate("x", 8 * H, breaks=bad(5)), r"'breaks' must be a sequence .* 5"),
        (lambda: ShiftTemplate("x", 8 * H, breaks=bad(None)), r"'breaks' must be .* None"),
    ],
)
def test_bad_arguments_are_config_errors(make: Any, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        make()


def brute_circle(need: list[int], shifts: list[tuple[int, int, int]]) -> int:
    """The least cost of covering a circle, by search over the first interval still short."""
    n = len(need)
    spans = [(frozenset((s + j) % n for j in range(k)), c) for s, k, c in shifts]

    @functools.cache
    def best(left: tuple[int, ...]) -> float:
        short = next((t for t, r in enumerate(left) if r > 0), None)
        if short is None:
            return 0
        return min(
            c + best(tuple(max(0, r - (t in span)) for t, r in enumerate(left)))
            for span, c in spans
            if short in span
        )

    return int(best(tuple(need)))


@pytest.mark.parametrize("seed", range(12))
def test_a_24_7_day_is_optimal_with_a_proven_bound(seed: int) -> None:
    # Six four-hour intervals a day, shifts of 2 or 3 intervals from any start, costs apart:
    # the roster costs what an exhaustive search finds, and says it is proven (gap 0).
    rnd = random.Random(seed)
    step = 4 * H
    tpls = [
        ShiftTemplate("a", 2 * step, timedelta(0), 20 * H, cost=rnd.randint(1, 9)),
        ShiftTemplate("b", 3 * step, timedelta(0), 20 * H, cost=rnd.randint(1, 9)),
    ]
    need = [rnd.randint(0, 3) for _ in range(6)]
    roster = cover(need, tpls, interval=step, wraps=True)
    shifts = [(s, 2, int(tpls[0].unit_cost)) for s in range(6)]
    shifts += [(s, 3, int(tpls[1].unit_cost)) for s in range(6)]
    assert roster.cost == brute_circle(need, shifts)
    assert roster.gap == 0
    assert all(i.scheduled >= i.required for i in roster.intervals)


def test_a_large_24_7_week_is_rostered_with_a_stated_gap() -> None:
    # A week at 15-minute intervals, shifts free to start at any quarter hour, a big desk:
    # the search stops at its budget; the roster covers everything and states how far from
    # the least cost it may be (a lower bound it proved).
    q = timedelta(minutes=15)
    base = [3, 2, 2, 1, 1, 2, 6, 12, 20, 26, 24, 23, 18, 22, 24, 23, 20, 16, 15, 19, 27, 26, 16, 7]
    need = [base[(t // 4) % 24] * 7 for t in range(7 * 96)]
    tpls = [
        ShiftTemplate("day", 8 * H, timedelta(0), 23 * H + 45 * MIN),
        ShiftTemplate("night", 9 * H, 20 * H, 23 * H, cost=12),
    ]
    roster = cover(need, tpls, interval=q, wraps=True)
    assert all(i.scheduled >= i.required for i in roster.intervals)
    assert 0 <= roster.gap <= roster.cost
