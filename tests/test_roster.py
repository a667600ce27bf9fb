"""Shifts that cover a plan: optimality against brute force, worked examples, bad input."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.errors import ConfigError
from csflow.staffing import staffing_plan
from csflow.staffing.roster import Roster, cover
from csflow.staffing.shifts import BreakRule, ShiftTemplate, templates_from_dict

H = timedelta(hours=1)
HALF = timedelta(minutes=30)
JKT = ZoneInfo("Asia/Jakarta")
MIN = timedelta(minutes=1)
SEC = timedelta(seconds=1)


def bad(value: object) -> Any:
    """Pass a deliberately ill-typed argument past the type checker."""
    return value


def brute_force(
    need: list[int], shifts: list[tuple[int, int, int]], horizon: int, wraps: bool
) -> int:
    """The least cost of covering *need* with shifts ``(start, length, cost)``, by search.

    Some shift must cover the first interval still short, so branching on which one it is
    visits every minimal cover: an independent, obviously exact answer for small cases.
    """
    spans = [
        (frozenset((s + j) % horizon for j in range(n)), c)
        for s, n, c in shifts
        if wraps or s + n <= horizon
    ]

    @functools.cache
    def best(left: tuple[int, ...]) -> float:
        short = next((t for t, r in enumerate(left) if r > 0), None)
        if short is None:
            return 0
        found = float("inf")
        for span, c in spans:
            if short in span:
                rest = tuple(max(0, r - (t in span)) for t, r in enumerate(left))
                found = min(found, c + best(rest))
        return found

    return int(best(tuple(need)))


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[int], list[ShiftTemplate], bool, timedelta]:
    wraps = draw(st.booleans())
    # A circle is a whole day: its intervals divide the day.
    horizon = draw(st.sampled_from([2, 3, 4, 6, 8]) if wraps else st.integers(2, 9))
    unit = timedelta(days=1) / horizon if wraps else H
    templates = []
    for k in range(draw(st.integers(1, 3))):
        length = draw(st.integers(1, horizon))
        first = draw(st.integers(0, horizon - 1))
        last = draw(st.integers(first, horizon - 1))
        if not wraps and first + length > horizon:
            first = last = horizon - length
        elif not wraps:
            last = min(last, horizon - length)
        cost = draw(st.integers(0, 9))
        templates.append(
            ShiftTemplate(f"t{k}", length * unit, first * unit, last * unit, cost=cost)
        )
    covered = set()
    for t in templates:
        for s in range(t.earliest // unit, t.latest // unit + 1 if t.latest is not None else 0):
            if wraps or s + t.length // unit <= horizon:
                covered |= {(s + j) % horizon for j in range(t.length // unit)}
    need = [draw(st.integers(0, 3)) if t in covered else 0 for t in range(horizon)]
    return need, templates, wraps, unit


@given(cases())
@settings(max_examples=150)
def test_the_roster_costs_what_brute_force_finds(case: Any) -> None:
    need, templates, wraps, unit = case
    roster = cover(need, templates, interval=unit, wraps=wraps)
    shifts = [
        (s, t.length // unit, int(t.unit_cost))
        for t in templates
        for s in range(t.earliest // unit, (t.latest or t.earliest) // unit + 1)
    ]
    assert roster.cost == brute_force(need, shifts, len(need), wraps)
    assert roster.gap == 0  # small circles are searched to the end: proven optimal
    for row in roster.intervals:
        assert row.scheduled >= row.required  # every interval covered, no break to give up
        assert row.on_duty == row.scheduled
        assert row.short == 0


def test_a_circle_that_a_fixed_crossing_count_would_get_wrong() -> None:
    # A week of seven one-day intervals, 3-day shifts from any day, one agent everywhere: the
    # linear program spreads 7/3 agents over the starts, and with exactly one agent crossing
    # the week's end it still has a fractional optimum of 2.5 agents; a roster needs three.
    day = timedelta(days=1)
    t3 = ShiftTemplate("t3", 3 * day, timedelta(0), timedelta(0))
    roster = cover([1] * 7, [t3], interval=day, wraps=True)
    assert roster.agents == 3
    assert roster.cost == 216.0
    assert all(i.scheduled >= 1 for i in roster.intervals)
    assert brute_force([1] * 7, [(s, 3, 3) for s in range(7)], 7, wraps=True) == 9


def test_a_night_shift_runs_across_midnight_on_a_24_7_desk() -> None:
    night = ShiftTemplate("night", 8 * H, 22 * H, 22 * H)
    day = ShiftTemplate("day", 8 * H, 6 * H, 6 * H)
    evening = ShiftTemplate("evening", 8 * H, 14 * H, 14 * H)
    need = [2] * 6 + [5] * 8 + [4] * 8 + [2] * 2
    roster = cover(need, [night, day, evening], interval=H, wraps=True)
    assert [(r.shift, r.start // H, r.end // H, r.agents) for r in roster.rows] == [
        ("day", 6, 14, 5),
        ("evening", 14, 22, 4),
        ("night", 22, 30, 2),  # 22:00 until 06:00 the next morning
    ]
    assert roster.cost == 88.0
    # On a line the night shift cannot cross midnight, so nothing covers 00:00-06:00.
    with pytest.raises(ConfigError, match=r"template 'night' has no start"):
        cover(need, [night, day, evening], interval=H)


def test_the_cheaper_shift_wins_and_a_window_moves_it() -> None:
    # Four-hour shifts cost 5, eight-hour shifts 8: one long shift beats two short ones.
    short = ShiftTemplate("short", 4 * H, timedelta(0), 4 * H, cost=5)
    long = ShiftTemplate("long", 8 * H, timedelta(0), timedelta(0), cost=8)
    roster = cover([1] * 8, [short, long], interval=H)
    assert [(r.shift, r.agents) for r in roster.rows] == [("long", 1)]
    peak = cover([1] * 4 + [3] * 4, [short, long], interval=H)
    assert peak.cost == 8 + 2 * 5
    assert sorted((r.shift, r.start // H, r.agents) for r in peak.rows) == [
        ("long", 0, 1),
        ("short", 4, 2),
    ]


def test_breaks_go_where_the_surplus_is_and_the_loss_is_reported() -> None:
    lunch = BreakRule(H, 3 * H, 5 * H)
    day = ShiftTemplate("day", 8 * H, timedelta(0), timedelta(0), breaks=[lunch])
    need = [2, 2, 2, 2, 1, 1, 2, 2]
    roster = cover(need, [day], interval=H)
    # Two agents work 0-8; the lunches land on the two hours that need only one agent.
    assert roster.agents == 2
    assert sorted(b for r in roster.rows for b, _ in r.breaks) == [4 * H, 5 * H]
    assert roster.shortfall == 0
    tight = cover([2] * 8, [day], interval=H)
    # Every hour needs both agents, so each lunch gives up an agent-hour.
    assert tight.shortfall == 2
    assert [i.on_duty for i in tight.intervals] == [2, 2, 2, 1, 1, 2, 2, 2]
    assert sum(i.scheduled - i.on_duty for i in tight.intervals) == 2


def test_a_staffing_plan_becomes_a_roster_of_its_heads() -> None:
    start = datetime(2026, 3, 19, 8, tzinfo=JKT)
    day = [(start + i * HALF, HALF, 40 + 10 * i) for i in range(8)]
    plan = staffing_plan(day, 3 * timedelta(minutes=1), 20 * timedelta(seconds=1), 0.8)
    shift = ShiftTemplate("four", 4 * H, 8 * H, 8 * H)  # starts at 08:00, the plan's start
    roster = cover(plan, [shift])
    assert roster.interval == HALF
    assert roster.origin == start
    assert [i.required for i in roster.intervals] == [i.scheduled_heads for i in plan.intervals]
    data = roster.to_dict()
    assert data["rows"][0]["start"] == start.isoformat()
    assert data["cost"] == roster.cost
    assert data["intervals"][0] == {
        "start": start.isoformat(),
        "required": plan.intervals[0].scheduled_heads,
        "scheduled": roster.intervals[0].scheduled,
        "on_duty": roster.intervals[0].on_duty,
        "short": 0,
    }
    assert Roster(**{f: getattr(roster, f) for f in ("rows", "intervals", "cost", "interval")})


@pytest.mark.parametrize(
    ("need", "match"),
    [
        ([1, -1], r"requirements\[1\]: expected a number of agents >= 0, got -1"),
        ([1, 2.5], r"requirements\[1\]: expected a whole number of agents, got the fraction 2.5"),
        ([True], r"requirements\[0\]: expected a whole number of agents, got True"),
        ([], r"at least one interval"),
        ("12", r"'requirements' must be a sequence"),
    ],
)
def test_bad_requirements_are_refused(need: Any, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        cover(need, [ShiftTemplate("t", H)], interval=H)


def test_bad_templates_are_refused_before_any_solving(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_solving(*args: object, **kwargs: object) -> None:
        raise AssertionError("solved before checking")

    monkeypatch.setattr(nx, "network_simplex", no_solving)
    morning = ShiftTemplate("morning", 4 * H, timedelta(0), timedelta(0))
    with pytest.raises(ConfigError, match=r"requirements\[5\]: interval 5 .* needs 1 agents but"):
        cover([1, 1, 1, 1, 0, 1], [morning], interval=H)
    with pytest.raises(ConfigError, match=r"templates\[0\]: template 'long' lasts .* longer than"):
        cover([1] * 4, [ShiftTemplate("long", 30 * H)], interval=6 * H, wraps=True)
    with pytest.raises(ConfigError, match=r"templates\[1\]: template names must be unique"):
        cover([1] * 4, [morning, morning], interval=H)
    with pytest.raises(ConfigError, match=r"templates\[0\]: .*length must be a whole number"):
        cover([1] * 4, [ShiftTemplate("odd", timedelta(minutes=90))], interval=H)
    with pytest.raises(ConfigError, match=r"templates\[0\]: expected a ShiftTemplate"):
        cover([1], [bad("t")], interval=H)
    with pytest.raises(ConfigError, match=r"'templates' must be a non-empty"):
        cover([1], [], interval=H)


def test_bad_template_fields_are_refused() -> None:
    with pytest.raises(ConfigError, match=r"'cost' must be a finite number >= 0, got -1"):
        ShiftTemplate("t", H, cost=-1)
    with pytest.raises(ConfigError, match=r"'name' must be a non-empty string"):
        ShiftTemplate("", H)
    with pytest.raises(ConfigError, match=r"'latest' must be at or after 'earliest'"):
        ShiftTemplate("t", H, 2 * H, H)
    with pytest.raises(ConfigError, match=r"breaks\[0\]: the break must end within the shift"):
        ShiftTemplate("t", 4 * H, breaks=[BreakRule(H, 3 * H, 4 * H)])
    with pytest.raises(ConfigError, match=r"'length' must be a positive timedelta"):
        BreakRule(timedelta(0), H)


def test_templates_from_plain_data_and_the_table() -> None:
    templates = templates_from_dict(
        [
            {"name": "early", "length": "PT8H", "earliest": "06:00", "latest": "08:00",
             "cost": 8, "breaks": [{"length": "PT1H", "earliest": "PT3H", "latest": "PT5H"}]},
            {"name": "late", "length": 8 * 3600, "earliest": "14:00"},
            {"name": "night", "length": "PT9H", "earliest": "21:00", "latest": "23:00"},
        ]
    )  # fmt: skip
    assert templates[0] == ShiftTemplate(
        "early", 8 * H, 6 * H, 8 * H, cost=8, breaks=[BreakRule(H, 3 * H, 5 * H)]
    )
    assert templates[1].latest is None
    need = [2] * 6 + [5] * 16 + [2] * 2
    monday = datetime(2026, 3, 16, tzinfo=JKT)
    roster = cover(need, templates, interval=H, origin=monday, wraps=True)
    assert roster.table() == [
        "shift         start           end  agents  breaks",
        "early     Mon 06:00     Mon 14:00       2  Mon 09:00-Mon 10:00",
        "early     Mon 06:00     Mon 14:00       2  Mon 10:00-Mon 11:00",
        "early     Mon 06:00     Mon 14:00       1  Mon 11:00-Mon 12:00",
        "late      Mon 14:00     Mon 22:00       5  -",
        "night     Mon 21:00     Tue 06:00       2  -",
        "12 agents, cost 98, 5 interval-agents given up to breaks",
    ]
    assert (
        cover(need, templates, interval=H, wraps=True)
        .table()[5]
        .startswith("night     +0d 21:00     +1d 06:00")
    )


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ([{"name": "x", "length": "PT8H", "colour": 1}], r"templates\[0\]: unknown key 'colour'"),
        ([{"name": "x", "length": "PT8H", "earliest": "25:99"}], r"templates\[0\]\.earliest: "),
        ([{"name": "x", "length": "PT8H", "cost": -3}], r"templates\[0\]: 'cost' must be"),
        (
            [{"name": "x", "length": "PT8H", "breaks": [{"length": "bad"}]}],
            r"templates\[0\]\.breaks\[0\]\.length: expected an ISO-8601 duration",
        ),
        ({"name": "x"}, r"templates: expected a list"),
    ],
)
def test_bad_template_data_names_the_path(data: Any, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        templates_from_dict(data)


def test_nothing_needed_means_nobody_rostered() -> None:
    t = ShiftTemplate("t", 16 * H)
    for wraps in (False, True):
        roster = cover([0, 0, 0], [t], interval=8 * H, wraps=wraps)
        assert (roster.rows, roster.cost, roster.agents, roster.shortfall) == ((), 0.0, 0, 0)


def test_a_window_counts_from_midnight_when_the_plan_starts_later() -> None:
    """A plan from 08:00 to 16:00 and shifts that may start between 08:00 and 12:00 (their
    window is an offset from the start of the day): the two four-hour shifts start at 08:00
    and 12:00.  (The window was counted from the plan's first interval, so 08:00 meant 16:00
    and no shift fitted.)  A plan that starts off the intervals from midnight is refused."""
    start = datetime(2026, 3, 16, 8, tzinfo=JKT)
    plan = staffing_plan([(start + h * H, H, 60) for h in range(8)], 3 * MIN, 20 * SEC, 0.8)
    eight = ShiftTemplate("eight", 4 * H, earliest=8 * H, latest=12 * H)
    roster = cover(plan, [eight])
    assert [(r.start, r.agents) for r in roster.rows] == [(timedelta(0), 5), (4 * H, 5)]
    assert roster.to_dict()["rows"][1]["start"] == (start + 4 * H).isoformat()
    with pytest.raises(ConfigError, match=r"^origin: the horizon starts at 08:15:00, not on an"):
        cover([5] * 8, [eight], interval=H, origin=start + 15 * MIN)
