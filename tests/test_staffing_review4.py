"""Workforce planning after the fourth review: long answer targets, Erlang A at the extremes
and within a budget of work, rosters of millions of heads, circles no costlier than lines,
DST days through verification and the command line, and an occupancy cap."""

from __future__ import annotations

import csv
import json
import pathlib
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, localcontext
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cli_runner import run_cli
from csflow.errors import ConfigError
from csflow.staffing import (
    MAX_AGENTS,
    agents_for_service_level,
    agents_for_service_level_a,
    average_speed_of_answer,
    erlang_a,
    erlang_c,
    occupancy,
    service_level,
    staffing_plan,
)
from csflow.staffing import erlang as erlang_module
from csflow.staffing import roster as roster_module
from csflow.staffing.roster import cover
from csflow.staffing.shifts import BreakRule, ShiftTemplate, _breaks_fit
from csflow.staffing.verify import _scenario

H = timedelta(hours=1)
HALF = timedelta(minutes=30)
MINUTE = timedelta(minutes=1)
BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = datetime(2026, 3, 16, 9, tzinfo=UTC)


# --------------------------------------------------------------------------------------------
# 1. long answer targets


def _reference_service_level(n: int, load: float, r: float) -> Decimal:
    """Erlang C service level in 60-digit decimals, from the textbook recurrence."""
    with localcontext() as ctx:
        ctx.prec = 60
        a = Decimal(repr(load))
        if n <= a:
            return Decimal(0)
        inv = Decimal(1)
        for k in range(1, n + 1):
            inv = 1 + inv * k / a
        c = n / ((n - a) * inv + a)
        return 1 - c * (-(n - a) * Decimal(repr(r))).exp()


def test_a_long_target_on_a_fractional_load_staffs_instead_of_overflowing() -> None:
    aht, target = 2 * MINUTE, 48 * H  # an e-mail queue: (3.5 - 3) * 1440 > 709
    assert service_level(4, 3.5, aht, target) == 1.0
    assert agents_for_service_level(3.5, aht, target, 0.8) == 4
    assert agents_for_service_level(7.53, aht, target, 0.8) == 8
    plan = staffing_plan([(MONDAY, HALF, 113)], aht, target, 0.8)  # 7.53 Erlangs
    assert plan.peak_agents == 8
    assert plan.intervals[0].service_level == 1.0


@settings(max_examples=120)
@given(
    load=st.floats(0.05, 40.0),
    r=st.floats(1.0, 50_000.0),
    level=st.floats(0.05, 0.999),
)
def test_the_fewest_agents_for_a_long_target_match_a_decimal_reference(
    load: float, r: float, level: float
) -> None:
    aht = timedelta(seconds=60)
    target = timedelta(seconds=round(60 * r))
    r = target / aht
    n = agents_for_service_level(load, aht, target, level)
    # Exactly consistent with service_level, and within rounding of the 60-digit reference.
    assert service_level(n, load, aht, target) >= level
    assert n - 1 <= load or service_level(n - 1, load, aht, target) < level
    assert _reference_service_level(n, load, r) >= Decimal(repr(level)) - Decimal("1e-12")
    assert _reference_service_level(n - 1, load, r) < Decimal(repr(level)) + Decimal("1e-12")


# --------------------------------------------------------------------------------------------
# 3. Erlang A within a budget of work


def test_an_erlang_a_search_past_its_budget_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # 1e6 Erlangs, a patience of 1,500 handle times: more than 1,000,000 terms in all.
    monkeypatch.setattr(erlang_module, "_SEARCH_TERMS", 1_000_000)
    with pytest.raises(
        ConfigError, match=r"finding the fewest agents would take more than 1,000,000 series"
    ):
        agents_for_service_level_a(1e6, MINUTE, timedelta(seconds=20), 0.8, 25 * H)
    # A search within it is not affected.
    assert agents_for_service_level_a(100.0, 6 * MINUTE, timedelta(seconds=20), 0.8, 2 * MINUTE)


def test_a_plan_past_its_erlang_a_budget_is_refused_naming_the_interval(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(erlang_module, "_PLAN_TERMS", 200_000)
    rows = [(MONDAY + k * HALF, HALF, 50_000) for k in range(50)]  # 10,000 Erlangs each
    with pytest.raises(ConfigError, match=r"the plan's intervals together would take more") as e:
        staffing_plan(rows, 6 * MINUTE, timedelta(seconds=20), 0.8, patience=2 * MINUTE)
    assert e.value.path.startswith("intervals[")
    assert e.value.path != "intervals[0]"  # the budget ran out on a later interval


@settings(max_examples=60)
@given(
    loads=st.lists(st.floats(0.0, 300.0), min_size=1, max_size=4),
    patience=st.sampled_from([None, timedelta(seconds=30), 2 * MINUTE, 30 * MINUTE]),
    level=st.floats(0.1, 0.95),
)
def test_a_plans_rows_are_the_public_functions_answers(
    loads: list[float], patience: timedelta | None, level: float
) -> None:
    aht, target = 3 * MINUTE, timedelta(seconds=20)
    rows = [(MONDAY + k * HALF, HALF, 10 * x) for k, x in enumerate(loads)]
    plan = staffing_plan(rows, aht, target, level, patience=patience)
    for row in plan.intervals:
        a = row.load
        if patience is None:
            n = agents_for_service_level(a, aht, target, level)
            expected: tuple[object, ...] = (
                n,
                service_level(n, a, aht, target),
                average_speed_of_answer(n, a, aht),
                erlang_c(n, a),
                0.0,
                occupancy(n, a),
            )
        else:
            n = agents_for_service_level_a(a, aht, target, level, patience)
            res = erlang_a(n, a, aht, patience, target)
            expected = (
                n,
                res.service_level,
                res.average_speed_of_answer,
                res.probability_of_waiting,
                res.probability_of_abandonment,
                res.occupancy,
            )
        got = (
            row.agents,
            row.service_level,
            row.average_speed_of_answer,
            row.probability_of_waiting,
            row.probability_of_abandonment,
            row.occupancy,
        )
        assert got == expected


# --------------------------------------------------------------------------------------------
# 4. Erlang A at extreme accepted values


def test_erlang_a_on_a_load_so_small_that_erlang_b_underflows() -> None:
    for load in (1e-310, 5e-324):
        res = erlang_a(5, load, 3 * MINUTE, 2 * MINUTE, timedelta(seconds=20))
        assert res.probability_of_waiting == 0.0
        assert res.probability_of_abandonment == 0.0
        assert res.average_speed_of_answer == timedelta(0)
        assert res.service_level == 1.0
    assert agents_for_service_level_a(5e-324, 6 * MINUTE, timedelta(seconds=20), 0.8, 2 * MINUTE)


def test_erlang_a_where_load_times_patience_underflows() -> None:
    # load x patience / aht = 1e-305 x 1e-6 s / 1e9 days: 0.0 in floats.
    res = erlang_a(
        1, 1e-305, timedelta(days=999_999_999), timedelta(microseconds=1), timedelta(seconds=20)
    )
    assert 0.0 < res.probability_of_waiting <= 1e-304
    # A patience of a microsecond: whoever waits abandons.
    assert res.probability_of_abandonment == pytest.approx(res.probability_of_waiting)
    assert res.service_level is not None
    assert 0.0 <= res.service_level <= 1.0
    assert res.average_speed_of_answer >= timedelta(0)


def test_a_patience_of_a_million_days_is_refused_not_divided_by_zero() -> None:
    with pytest.raises(ConfigError, match=r"is refused"):
        agents_for_service_level_a(
            1e6, timedelta(seconds=1), timedelta(seconds=20), 0.99, timedelta(days=999_999)
        )


# --------------------------------------------------------------------------------------------
# 2. rosters of millions of heads

LUNCH = BreakRule(H, 3 * H, 5 * H)
PLAIN = [ShiftTemplate("day", 8 * H, timedelta(0), 16 * H), ShiftTemplate("night", 8 * H, 16 * H)]
WITH_LUNCH = [
    ShiftTemplate("day", 8 * H, timedelta(0), 16 * H, breaks=[LUNCH]),
    ShiftTemplate("night", 8 * H, 16 * H),
]


@pytest.fixture
def bounded_work(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Fails a roster whose work grows with its head count: no loop over more than a million
    items, at most 20,000 break candidates weighed.  Yields the count of candidates."""
    calls = [0]
    real_fit = _breaks_fit

    def bounded_range(*args: int) -> range:
        assert max(args) <= 1_000_000, f"a loop of {max(args):,} steps"
        return range(*args)

    def counted_fit(*args: Any) -> bool:
        calls[0] += 1
        assert calls[0] <= 20_000, "break candidates weighed per agent"
        return real_fit(*args)

    monkeypatch.setattr(roster_module, "range", bounded_range, raising=False)
    monkeypatch.setattr(roster_module, "_breaks_fit", counted_fit)
    return calls


def test_a_roster_of_the_most_agents_takes_no_work_per_agent(bounded_work: list[int]) -> None:
    for templates in (PLAIN, WITH_LUNCH):
        roster = cover([roster_module.MAX_ROSTER_AGENTS] * 24, templates, interval=H)
        assert all(i.scheduled >= i.required for i in roster.intervals)
        assert sum(r.agents for r in roster.rows) == roster.agents
    assert bounded_work[0] > 0


def test_bulk_breaks_spread_a_million_lunches_as_evenly_as_one_by_one() -> None:
    heads = 1_000_000
    roster = cover([heads] * 8 + [0] * 8, [WITH_LUNCH[0]], interval=H)
    lunches = {r.breaks[0][0] // H: r.agents for r in roster.rows}
    # Three lunch hours (03:00 to 05:00) share a million agents within a few of a third each.
    assert sorted(lunches) == [3, 4, 5]
    assert max(lunches.values()) - min(lunches.values()) <= 2
    assert sum(lunches.values()) == heads


def _one_by_one(
    need: list[int], options: list[Any], counts: list[int], templates: Any, interval: timedelta
) -> dict[tuple[int, tuple[int, ...]], int]:
    """The agent-by-agent placement of breaks (before the bulk one), for comparison."""
    horizon = len(need)
    duty = roster_module._coverage(horizon, options, counts)
    groups: dict[tuple[int, tuple[int, ...]], int] = {}
    order = sorted(
        range(len(options)), key=lambda i: (options[i].start, templates[options[i].template].name)
    )
    for i in order:
        o = options[i]
        windows = [
            (b.earliest // interval, b.last // interval, b.length // interval)
            for b in templates[o.template].breaks
        ]
        for _ in range(counts[i]):
            placed: list[int] = []
            spans: list[tuple[int, int]] = []
            for k, (lo, hi, length) in enumerate(windows):

                def surplus(s: int, first: int = o.start, length: int = length) -> int:
                    return sum(
                        duty[(first + s + j) % horizon] - need[(first + s + j) % horizon]
                        for j in range(length)
                    )

                candidates = [
                    s
                    for s in range(lo, hi + 1)
                    if all(s + length <= a or b <= s for a, b in spans)
                    and _breaks_fit([*spans, (s, s + length)], windows[k + 1 :])
                ]
                s = max(candidates, key=lambda s: (surplus(s), -s))
                placed.append(s)
                spans.append((s, s + length))
                for j in range(length):
                    duty[(o.start + s + j) % horizon] -= 1
            groups[(i, tuple(placed))] = groups.get((i, tuple(placed)), 0) + 1
    return groups


@settings(max_examples=80)
@given(
    need=st.lists(st.integers(0, 9), min_size=16, max_size=16),
    lunch=st.tuples(st.integers(1, 2), st.integers(1, 3), st.integers(0, 2)),
    rest=st.booleans(),
)
def test_bulk_breaks_are_the_agent_by_agent_ones_for_small_counts(
    need: list[int], lunch: tuple[int, int, int], rest: bool
) -> None:
    length, earliest, spread = lunch
    breaks = [BreakRule(length * H, earliest * H, (earliest + spread) * H)]
    if rest:
        breaks.append(BreakRule(H, timedelta(0), 7 * H))
    templates = [ShiftTemplate("day", 8 * H, timedelta(0), 8 * H, breaks=breaks)]
    options = roster_module._options(templates, H, 16, False, roster_module._MIDNIGHT)
    counts, _ = roster_module._solve(need, options, [8], False)
    assume_small = max(counts) <= roster_module._BREAK_BATCHES
    _, _, groups = roster_module._place_breaks(need, options, counts, templates, H)
    if assume_small:
        assert groups == _one_by_one(need, options, counts, templates, H)
    for i, n in enumerate(counts):
        assert sum(g for (j, _), g in groups.items() if j == i) == n


@pytest.mark.parametrize(
    ("requirement", "shown"),
    [(10**30, "1000000000000000000000000000000"), (1e30, "1e+30"), (MAX_AGENTS + 1, "")],
)
def test_a_requirement_beyond_the_bound_is_refused_before_solving(
    bounded_work: list[int], requirement: float, shown: str
) -> None:
    with pytest.raises(
        ConfigError, match=r"^requirements\[1\]: expected at most 100,000,000 "
    ) as e:
        cover([1, requirement, 1], WITH_LUNCH, interval=H)  # type: ignore[list-item]
    assert shown in str(e.value)
    assert bounded_work[0] == 0  # refused before any break was weighed
    assert roster_module.MAX_ROSTER_AGENTS == MAX_AGENTS


def test_a_plan_whose_heads_pass_the_bound_is_refused_naming_the_row() -> None:
    plan = staffing_plan(
        [(MONDAY, HALF, 10), (MONDAY + HALF, HALF, 9e7)], 3 * MINUTE, timedelta(0), 0.5,
        shrinkage=0.95,
    )  # fmt: skip
    assert plan.intervals[1].scheduled_heads > roster_module.MAX_ROSTER_AGENTS
    day = ShiftTemplate("x", HALF, timedelta(0), 23 * H + HALF)
    with pytest.raises(ConfigError, match=r"scheduled heads to roster") as e:
        cover(plan, [day])
    assert e.value.path == "requirements.intervals[1].scheduled_heads"


# --------------------------------------------------------------------------------------------
# 5. a circle never costs more than its line

_CIRCLE_TEMPLATES = [
    ShiftTemplate("a", 8 * H, timedelta(0), 11 * H, cost=8),
    ShiftTemplate("b", 6 * H, 12 * H, 23 * H, cost=6.5),
    ShiftTemplate("c", 4 * H, 6 * H, 17 * H, cost=4.25),
    ShiftTemplate("d", 10 * H, 20 * H, 23 * H, cost=11),
]


def test_a_circle_out_of_budget_is_no_costlier_than_its_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(roster_module, "_BUDGET", 0)  # the search stops at once
    rng = random.Random(0)
    need = [rng.randint(0, 8) for _ in range(72)]
    line = cover(need, _CIRCLE_TEMPLATES, interval=H)
    circle = cover(need, _CIRCLE_TEMPLATES, interval=H, wraps=True)
    assert line.cost == 457.25
    assert circle.cost <= line.cost
    assert all(i.scheduled >= i.required for i in circle.intervals)


@settings(max_examples=40)
@given(need=st.lists(st.integers(0, 8), min_size=72, max_size=72), budget=st.sampled_from([0, 50]))
def test_circle_cost_is_at_most_line_cost(need: list[int], budget: int) -> None:
    saved = roster_module._BUDGET
    roster_module._BUDGET = budget
    try:
        line = cover(need, _CIRCLE_TEMPLATES, interval=H)
        circle = cover(need, _CIRCLE_TEMPLATES, interval=H, wraps=True)
    finally:
        roster_module._BUDGET = saved
    assert circle.cost <= line.cost
    assert circle.cost - circle.gap <= line.cost
    assert all(i.scheduled >= i.required for i in circle.intervals)


# --------------------------------------------------------------------------------------------
# 6. verification's warm-up across a DST change


@pytest.mark.parametrize(
    "first",
    [
        datetime(2026, 3, 29, 3, 0, tzinfo=BERLIN),  # the first half hour after spring-forward
        datetime(2026, 10, 25, 2, 0, tzinfo=BERLIN, fold=1),  # the second 02:00
        datetime(2026, 10, 25, 3, 0, tzinfo=BERLIN),
    ],
)
def test_the_simulated_warm_up_ends_at_the_intervals_start(first: datetime) -> None:
    plan = staffing_plan([(first, HALF, 40)], 6 * MINUTE, timedelta(seconds=60), 0.8)
    row = plan.intervals[0]
    for warmup in (None, 90 * MINUTE):
        sc = _scenario({"agents": [{"name": "a"}]}, {}, row, 5, warmup, None, plan.target, 1)
        start = datetime.fromisoformat(sc.simulation["start"])
        measured = start.astimezone(UTC) + timedelta(seconds=sc.simulation["warmup"])
        assert measured == row.start.astimezone(UTC)


# --------------------------------------------------------------------------------------------
# 7. `csflow forecast` then `csflow staff --forecast --roster` on a 25-hour Berlin day


def _arrivals(path: pathlib.Path, day: date) -> None:
    """Four past Sundays of arrivals, one every ten minutes of each local day."""
    rows = ["created_at"]
    for week in range(1, 5):
        d = day - timedelta(weeks=week)
        at = datetime.combine(d, datetime.min.time(), BERLIN).astimezone(UTC)
        end = datetime.combine(d + timedelta(days=1), datetime.min.time(), BERLIN).astimezone(UTC)
        while at < end:
            rows.append(at.astimezone(BERLIN).isoformat())
            at += 10 * MINUTE
    path.write_text("\n".join(rows) + "\n")


def test_the_forecast_chain_keeps_the_time_zone(tmp_path: pathlib.Path) -> None:
    day = date(2026, 10, 25)  # Berlin falls back: 25 hours
    _arrivals(tmp_path / "arrivals.csv", day)
    made = run_cli(
        "forecast", str(tmp_path / "arrivals.csv"), "--day", day.isoformat(),
        "--zone", "Europe/Berlin",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    (tmp_path / "forecast.csv").write_text(made.stdout)
    assert len(list(csv.DictReader(made.stdout.splitlines()))) == 50
    config = {
        "staffing": {
            "aht": "6m", "target": "60s", "level": 0.8, "interval": "30m",
            "timezone": "Europe/Berlin",
            "shifts": [
                {"name": "night", "length": "7h", "earliest": "00:00"},
                {"name": "early", "length": "8h", "earliest": "06:00", "latest": "08:00"},
                {"name": "late", "length": "8h", "earliest": "14:00", "latest": "16:00"},
                {"name": "eve", "length": "6h", "earliest": "18:00"},
            ],
        }
    }  # fmt: skip
    (tmp_path / "cfg.json").write_text(json.dumps(config))
    done = run_cli(
        "staff", str(tmp_path / "cfg.json"), "--forecast", str(tmp_path / "forecast.csv"),
        "--roster", "--format", "json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    # The night shift (7 hours of real time from midnight) ends at 06:00 on the clock of the
    # 25-hour day, and the evening shift at midnight: the windows were read in Berlin, and
    # all 50 half hours are covered.
    spans = {(r["shift"], r["start"], r["end"]) for r in out["roster"]}
    assert ("night", "2026-10-25 00:00+0200", "2026-10-25 06:00+0100") in spans
    assert all(end[:16] <= "2026-10-26 00:00" for _, _, end in spans)
    assert len(out["coverage"]) == 50
    assert all(c["scheduled"] >= c["required"] for c in out["coverage"])


# --------------------------------------------------------------------------------------------
# 8. `csflow staff --roster` on a DST day whose plan starts after midnight


@pytest.mark.parametrize("day", ["2026-03-29", "2026-10-25"])
def test_a_dst_days_roster_covers_the_plans_own_hours(tmp_path: pathlib.Path, day: str) -> None:
    (tmp_path / "fc.csv").write_text("start,arrivals\n08:00,100\n09:00,100\n10:00,0\n11:00,0\n")
    config = {
        "staffing": {
            "aht": "6m", "target": "60s", "level": 0.8, "interval": "1h",
            "forecast": "fc.csv", "day": day, "timezone": "Europe/Berlin",
            "shifts": [
                {"name": "morning", "length": "2h", "earliest": "08:00", "cost": 2},
                {"name": "late", "length": "2h", "earliest": "10:00", "cost": 2},
            ],
        }
    }  # fmt: skip
    (tmp_path / "cfg.json").write_text(json.dumps(config))
    done = run_cli("staff", str(tmp_path / "cfg.json"), "--roster", "--format", "json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    # 13 agents from 08:00 to 10:00 on the clock, as the plan needs; no "late" shift.
    assert [(r["shift"], r["start"], r["end"], r["agents"]) for r in out["roster"]] == [
        ("morning", f"{day} 08:00", f"{day} 10:00", 13)
    ]
    assert [c["from"][-5:] for c in out["coverage"] if c["required"]] == ["08:00", "09:00"]


# --------------------------------------------------------------------------------------------
# 9. the CLI's answer-time target of zero, and the load bound's message


def test_staff_takes_a_target_of_zero_and_names_the_load_given() -> None:
    # A target of 0 s is the share answered at once (the library's agents_for_service_level
    # takes it): 10 Erlangs at 80 % answered at once need 14 agents.
    done = run_cli("staff", "--load", "10", "--aht", "3m", "--target", "0s", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["staffing"][0]["agents_needed"] == agents_for_service_level(
        10.0, 3 * MINUTE, timedelta(0), 0.8
    )
    big = run_cli("staff", "--load", "10000001", "--aht", "3m", "--target", "20s")
    assert big.returncode != 0
    assert "got 10000001" in big.stderr


# --------------------------------------------------------------------------------------------
# 10. an occupancy cap


def test_an_occupancy_cap_adds_agents_where_the_service_level_would_not() -> None:
    aht, target = 3 * MINUTE, timedelta(seconds=20)
    assert agents_for_service_level(1000.0, aht, target, 0.8) == 1011
    assert agents_for_service_level(1000.0, aht, target, 0.8, max_occupancy=0.85) == 1177
    # The cap is the decimal written: 8.5 Erlangs at 85 % is 10 agents, not 11.
    assert agents_for_service_level(8.5, aht, target, 0.05, max_occupancy=0.85) == 10
    assert occupancy(10, 8.5) <= 0.85
    # A small queue whose service level already needs more keeps its answer.
    assert agents_for_service_level(2.0, aht, target, 0.8, max_occupancy=0.85) == (
        agents_for_service_level(2.0, aht, target, 0.8)
    )
    assert agents_for_service_level(0.0, aht, target, 0.8, max_occupancy=0.5) == 0
    assert (
        agents_for_service_level_a(1000.0, aht, target, 0.8, 2 * MINUTE, max_occupancy=0.85) == 1177
    )


def test_a_plan_with_an_occupancy_cap() -> None:
    rows = [(MONDAY + k * HALF, HALF, 1000 * (k + 1)) for k in range(4)]
    for patience in (None, 2 * MINUTE):
        plan = staffing_plan(
            rows, 3 * MINUTE, timedelta(seconds=20), 0.8, patience=patience, max_occupancy=0.85
        )
        for row in plan.intervals:
            assert row.load / row.agents <= 0.85
            assert row.service_level >= 0.8
    capped = staffing_plan(rows, 3 * MINUTE, timedelta(seconds=20), 0.8, max_occupancy=0.85)
    free = staffing_plan(rows, 3 * MINUTE, timedelta(seconds=20), 0.8)
    assert capped.peak_agents > free.peak_agents


@pytest.mark.parametrize("bad", [0, 0.0, -0.5, 1.01, float("nan"), "0.85", True])
def test_a_bad_occupancy_cap_is_refused(bad: object) -> None:
    calls: list[Callable[[], object]] = [
        lambda: agents_for_service_level(
            10.0, MINUTE, timedelta(seconds=20), 0.8, max_occupancy=bad  # type: ignore[arg-type]
        ),
        lambda: staffing_plan(
            [(MONDAY, HALF, 10)], MINUTE, timedelta(seconds=20), 0.8,
            max_occupancy=bad,  # type: ignore[arg-type]
        ),
    ]  # fmt: skip
    for call in calls:
        with pytest.raises(ConfigError, match=r"'max_occupancy' must be a number greater than 0"):
            call()


def test_a_cap_that_needs_too_many_agents_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"more than 100,000,000"):
        agents_for_service_level(1e7, MINUTE, timedelta(seconds=20), 0.8, max_occupancy=0.01)
