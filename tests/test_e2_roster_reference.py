"""`cover` against a brute-force minimum, and rosters across midnight and DST changes.

The reference enumerates every count of agents on every shift start (each at most the largest
requirement) and keeps the cheapest that covers every interval: on a line a shift must fit
in the horizon, on a circle it wraps.  Start windows repeat every day, as the templates say.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from csflow.staffing import staffing_plan
from csflow.staffing.roster import cover
from csflow.staffing.shifts import BreakRule, ShiftTemplate

STEP = timedelta(hours=4)  # six intervals a day: small circles of whole days
PER_DAY = 6
H = timedelta(hours=1)

# (length, earliest, latest, cost) in intervals; cost None: the length in hours
Spec = tuple[int, int, int, int | None]


def options(specs: list[Spec], horizon: int, wraps: bool) -> list[tuple[int, int, float]]:
    """(start, length, cost) of every shift start, each once."""
    out: list[tuple[int, int, float]] = []
    for length, first, last, cost in specs:
        starts: set[int] = set()
        days = range(horizon // PER_DAY) if wraps else range(-3, horizon // PER_DAY + 3)
        for d in days:
            for w in range(first, last + 1):
                s = d * PER_DAY + w
                if wraps:
                    starts.add(s % horizon)
                elif s >= 0 and s + length <= horizon:
                    starts.add(s)
        unit = length * STEP / H if cost is None else cost
        out.extend((s, length, unit) for s in sorted(starts))
    return out


def brute_force(need: list[int], opts: list[tuple[int, int, float]]) -> float | None:
    horizon = len(need)
    best: float | None = None
    for counts in itertools.product(range(max(need) + 1), repeat=len(opts)):
        cost = sum(c * o[2] for c, o in zip(counts, opts, strict=True))
        if best is not None and cost >= best:
            continue
        covered = [0] * horizon
        for c, (s, length, _) in zip(counts, opts, strict=True):
            for i in range(length):
                covered[(s + i) % horizon] += c
        if all(x >= r for x, r in zip(covered, need, strict=True)):
            best = cost
    return best


specs = st.tuples(
    st.integers(1, 4), st.integers(0, 7), st.integers(0, 2), st.none() | st.integers(1, 9)
).map(lambda t: (t[0], t[1], t[1] + t[2], t[3]))


@settings(max_examples=120)
@given(
    st.booleans(),
    st.integers(1, 2),
    st.lists(st.integers(0, 2), min_size=12, max_size=12),
    st.lists(specs, min_size=1, max_size=3),
)
def test_cover_costs_the_brute_force_minimum(
    wraps: bool, days: int, requirements: list[int], templates: list[Spec]
) -> None:
    horizon = PER_DAY * days
    need = requirements[:horizon]
    templates = [t for t in templates if t[0] <= horizon]
    assume(templates)
    opts = options(templates, horizon, wraps)
    assume(0 < len(opts) <= 6)
    least = brute_force(need, opts)
    assume(least is not None)
    shifts = [
        ShiftTemplate(f"t{k}", n * STEP, a * STEP, b * STEP, cost=c)
        for k, (n, a, b, c) in enumerate(templates)
    ]
    roster = cover(need, shifts, interval=STEP, wraps=wraps)
    assert roster.gap == 0
    assert roster.cost == least
    assert all(i.scheduled >= i.required for i in roster.intervals)
    assert [i.required for i in roster.intervals] == need


def test_night_shifts_across_midnight_and_days_off_on_a_circle_by_hand() -> None:
    # A 24/7 day of hours: 2 agents at night (22:00-06:00), 4 by day.  Eight-hour shifts
    # at 06:00, 14:00 and 22:00 only: 4 + 4 + 2 = 10 agents, the night shift wrapping.
    need = [2] * 6 + [4] * 16 + [2] * 2
    shifts = [
        ShiftTemplate("early", 8 * H, 6 * H),
        ShiftTemplate("late", 8 * H, 14 * H),
        ShiftTemplate("night", 8 * H, 22 * H),
    ]
    roster = cover(need, shifts, interval=H, wraps=True)
    assert [(r.shift, r.start // H, r.end // H, r.agents) for r in roster.rows] == [
        ("early", 6, 14, 4),
        ("late", 14, 22, 4),
        ("night", 22, 30, 2),
    ]
    assert roster.cost == 80
    # Five on, two off over a week needing 3, 3, 3, 3, 3, 2, 2: 19 agent-days, so at least
    # 4 agents (19 / 5 rounded up).  Four do it by hand: two off Saturday and Sunday, one off
    # Monday and Tuesday, one off Wednesday and Thursday.
    day = timedelta(days=1)
    crew = cover([3, 3, 3, 3, 3, 2, 2], [ShiftTemplate("five", 5 * day)], interval=day, wraps=True)
    assert crew.gap == 0
    assert crew.agents == 4
    assert all(i.scheduled >= i.required for i in crew.intervals)


def test_windows_follow_the_local_clock_across_a_dst_change() -> None:
    # New York, 8 March 2026: 02:00-03:00 skipped, a 23-hour day.  Shifts start at 06:00,
    # 14:00 and 22:00 on the clock: 5, 13 and 21 hours of real time after midnight.
    ny = ZoneInfo("America/New_York")
    origin = datetime(2026, 3, 8, tzinfo=ny)
    shifts = [
        ShiftTemplate("early", 8 * H, 6 * H),
        ShiftTemplate("late", 8 * H, 14 * H),
        ShiftTemplate("night", 8 * H, 22 * H),
    ]
    roster = cover([1] * 23, shifts, interval=H, origin=origin, wraps=True)
    assert [(r.shift, r.start // H) for r in roster.rows] == [
        ("early", 5),
        ("late", 13),
        ("night", 21),
    ]
    assert roster.cost == 24
    starts = [(origin.astimezone(UTC) + r.start).astimezone(ny) for r in roster.rows]
    assert [(s.hour, s.utcoffset()) for s in starts] == [
        (6, timedelta(hours=-4)),
        (14, timedelta(hours=-4)),
        (22, timedelta(hours=-4)),
    ]


def test_a_plan_of_a_25_hour_day_is_rostered_hour_by_hour_with_breaks() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 10, 25, tzinfo=berlin).astimezone(UTC)
    forecast = [((start + h * H).astimezone(berlin), H, 60) for h in range(25)]
    plan = staffing_plan(forecast, timedelta(minutes=5), timedelta(seconds=20), 0.8)
    assert len(plan.intervals) == 25
    lunch = BreakRule(H, earliest=3 * H, latest=4 * H)
    shifts = [ShiftTemplate("any", 8 * H, 0 * H, 23 * H, breaks=[lunch])]
    roster = cover(plan, shifts, wraps=True)
    on_break = [0] * 25
    scheduled = [0] * 25
    for row in roster.rows:
        for h in range(row.start // H, row.end // H):
            scheduled[h % 25] += row.agents
        for b, e in row.breaks:
            for h in range(b // H, e // H):
                on_break[h % 25] += row.agents
    for h, cell in enumerate(roster.intervals):
        assert cell.scheduled == scheduled[h] >= cell.required
        assert cell.on_duty == scheduled[h] - on_break[h]
        assert cell.short == max(0, cell.required - cell.on_duty)
