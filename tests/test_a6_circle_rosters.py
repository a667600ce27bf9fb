"""Rosters of a 24/7 desk (a wrapping horizon) are the cheapest there are, and say so.

References written from the docs, not from the solver:

* every roster covers every interval (``scheduled >= required``);
* on tiny circles, an exhaustive search over the agents on every shift start;
* for one shift length free to start at any interval, the fewest agents by the textbook
  method for circular staffing: with ``p`` agents in all, a cover exists exactly when a
  system of difference constraints on the agents started so far has no negative cycle
  (Bellman-Ford), and the fewest agents is the smallest such ``p`` (a binary search);
* worked examples whose optimum a counting bound proves by hand.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.staffing.roster import cover
from csflow.staffing.shifts import ShiftTemplate

H = timedelta(hours=1)
HALF = timedelta(minutes=30)
LONDON = ZoneInfo("Europe/London")


def _covers_with(need: list[int], length: int, p: int) -> bool:
    """Whether *p* agents in all, on shifts of *length* intervals starting anywhere on the
    circle, can cover *need*.  ``Y[j]`` is the agents starting before interval ``j``:
    ``Y[0] = 0``, ``Y[T] = p``, ``Y`` never decreases, and interval ``t`` is covered by the
    starts ``t - length + 1 .. t`` (around the circle).  Feasible iff the constraint graph
    (``Y[v] - Y[u] <= w`` as an arc ``u -> v``) has no negative cycle."""
    t_all = len(need)
    arcs = [(j + 1, j, 0) for j in range(t_all)]  # Y[j] <= Y[j + 1]
    arcs += [(0, t_all, p), (t_all, 0, -p)]  # Y[T] - Y[0] == p
    for t, r in enumerate(need):
        first = t - length + 1
        if first >= 0:  # Y[t + 1] - Y[first] >= r
            arcs.append((t + 1, first, -r))
        else:  # (p - Y[first + T]) + Y[t + 1] >= r
            arcs.append((t + 1, first + t_all, p - r))
    dist = [0] * (t_all + 1)
    for _ in range(t_all + 2):
        changed = False
        for u, v, w in arcs:
            if dist[u] + w < dist[v]:
                dist[v] = dist[u] + w
                changed = True
        if not changed:
            return True
    return False


def _fewest_agents(need: list[int], length: int) -> int:
    lo, hi = max(need), sum(need)
    while lo < hi:
        mid = (lo + hi) // 2
        if _covers_with(need, length, mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def _brute_force(need: list[int], spans: list[tuple[int, int, float]]) -> float:
    """The least cost over every choice of agents per option ``(start, length, cost)`` on a
    circle, each option taking at most the largest requirement it covers."""
    t_all = len(need)
    tops = [max(need[(s + j) % t_all] for j in range(n)) for s, n, _ in spans]
    best = float("inf")
    for counts in itertools.product(*(range(b + 1) for b in tops)):
        cov = [0] * t_all
        for (s, n, _), x in zip(spans, counts, strict=True):
            for j in range(n):
                cov[(s + j) % t_all] += x
        if all(c >= r for c, r in zip(cov, need, strict=True)):
            best = min(best, sum(x * c for (_, _, c), x in zip(spans, counts, strict=True)))
    return best


def test_a_london_day_the_clocks_spring_forward_is_covered_at_the_least_cost() -> None:
    # 29 March 2026 in London has 23 hours: 46 half hours, five heads each and six in four
    # of them (234 agent-intervals).  Eight-hour shifts free to start at any half hour cover
    # 16 half hours each, so at least ceil(234 / 16) = 15 agents are needed, 120 hours; and
    # 15 do it (three agents in a ring of 16, 15 and 15 half hours between starts put their
    # two spare half hours 15 apart, at 1 and 16, at 3 and 18, at 37 and 52 = 6).
    need = [5] * 46
    for t in (1, 3, 16, 37):
        need[t] = 6
    day = datetime(2026, 3, 29, tzinfo=LONDON)
    anytime = ShiftTemplate("any", 8 * H, timedelta(0), 23 * H + HALF)
    roster = cover(need, [anytime], interval=HALF, origin=day, wraps=True)
    assert all(i.scheduled >= i.required for i in roster.intervals)
    assert roster.agents == 15
    assert roster.cost == 120
    assert roster.gap == 0


def test_a_day_of_hours_with_one_shift_length_settles_exactly() -> None:
    # Nine-hour shifts starting at any hour of a 24/7 day: the fewest agents is 29 (the
    # reference), 261 hours.
    need = [12, 5, 9, 11, 13, 9, 12, 12, 10, 8, 11, 5, 7, 5, 5, 12, 5, 5, 6, 10, 6, 9, 5, 13]
    assert _fewest_agents(need, 9) == 29
    roster = cover(need, [ShiftTemplate("d", 9 * H, timedelta(0), 23 * H)], interval=H, wraps=True)
    assert all(i.scheduled >= i.required for i in roster.intervals)
    assert roster.cost == 29 * 9
    assert roster.gap == 0


@settings(max_examples=15, deadline=None, derandomize=True)
@given(
    length=st.integers(2, 10),
    need=st.lists(st.integers(0, 16), min_size=24, max_size=24).filter(any),
)
def test_one_shift_length_on_a_circle_matches_the_textbook_optimum(
    length: int, need: list[int]
) -> None:
    roster = cover(
        need, [ShiftTemplate("d", length * H, timedelta(0), 23 * H)], interval=H, wraps=True
    )
    assert all(i.scheduled >= i.required for i in roster.intervals)
    assert roster.cost == _fewest_agents(need, length) * length
    assert roster.gap == 0


@settings(max_examples=30, deadline=None, derandomize=True)
@given(data=st.data(), length=st.integers(2, 4))
def test_shifts_of_one_length_from_several_windows_match_a_brute_force(
    data: st.DataObject, length: int
) -> None:
    # A 24/7 day of twelve two-hour intervals; templates of one length with their own
    # windows and costs (early, late and night shifts).
    step = 2 * H
    need = data.draw(st.lists(st.integers(0, 2), min_size=12, max_size=12))
    templates = []
    for k in range(data.draw(st.integers(1, 3))):
        first = data.draw(st.integers(0, 11))
        last = first + data.draw(st.integers(0, 1))
        cost = data.draw(st.integers(1, 9))
        templates.append(
            ShiftTemplate(f"t{k}", length * step, first * step, last * step, cost=cost)
        )
    spans = sorted(
        {
            (s % 12, length, float(tpl.unit_cost))
            for tpl in templates
            for s in range(tpl.earliest // step, (tpl.latest or tpl.earliest) // step + 1)
        }
    )
    covered = [False] * 12
    for s, n, _ in spans:
        for j in range(n):
            covered[(s + j) % 12] = True
    # An interval nobody can cover is refused (tested elsewhere): it needs nobody here.
    need = [r if c else 0 for r, c in zip(need, covered, strict=True)]
    roster = cover(need, templates, interval=step, wraps=True)
    assert all(i.scheduled >= i.required for i in roster.intervals)
    assert roster.cost == _brute_force(need, spans)
    assert roster.gap == 0


def test_the_how_to_week_at_15_minute_intervals_is_proven_optimal() -> None:
    # From forecast to roster for Lebaran week, its plans at quarter hours: early, day and
    # late shifts of eight hours and a nine-hour night start later and end later, so the
    # wrapping week settles exactly (the how-to says so).
    from csflow.staffing import staffing_plan
    from csflow.staffing.shifts import BreakRule

    jakarta = ZoneInfo("Asia/Jakarta")
    quarter = timedelta(minutes=15)
    per_hour = [30, 20, 15, 10, 10, 20, 60, 120, 200, 260, 240, 230,
                180, 220, 240, 230, 200, 160, 150, 190, 270, 260, 160, 70]  # fmt: skip
    week = {16: 1.8, 17: 2.0, 18: 2.2, 19: 2.5, 20: 0.6, 21: 0.7, 22: 1.4}
    need = []
    for day, multiplier in week.items():
        start = datetime(2026, 3, day, tzinfo=jakarta)
        forecast = [(start + q * quarter, quarter, per_hour[q // 4] / 4) for q in range(96)]
        plan = staffing_plan(
            forecast, timedelta(minutes=6), timedelta(minutes=1), 0.8,
            shrinkage=0.25, multiplier=multiplier,
        )  # fmt: skip
        need += [row.scheduled_heads for row in plan.intervals]
    lunch = BreakRule(H, earliest=3 * H, latest=5 * H)
    templates = [
        ShiftTemplate("early", 8 * H, earliest=6 * H, latest=8 * H, breaks=[lunch]),
        ShiftTemplate("day", 8 * H, earliest=9 * H, latest=12 * H, breaks=[lunch]),
        ShiftTemplate("late", 8 * H, earliest=14 * H, latest=16 * H, breaks=[lunch]),
        ShiftTemplate("night", 9 * H, earliest=21 * H, latest=23 * H, cost=12),
    ]
    monday = datetime(2026, 3, 16, tzinfo=jakarta)
    roster = cover(need, templates, interval=quarter, origin=monday, wraps=True)
    assert all(i.scheduled >= i.required for i in roster.intervals)
    assert roster.gap == 0
