"""Fixes from the seventh acceptance review of staffing, rosters and the planning CLI: shift
costs beyond a float's range, Erlang B walks charged to a plan's budget, a forecast of fixed
offsets rostered across a clock change, offsets in the roster's tables, break batches bounded
whatever the head count, a 26-hour day, and numpy's numbers."""

from __future__ import annotations

import json
import math
import pathlib
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import csflow.staffing.plan as plan_module
import csflow.staffing.roster as roster_module
from csflow.cli import main
from csflow.errors import ConfigError
from csflow.staffing import (
    ForecastInterval,
    erlang_c,
    forecast_from_history,
    staffing_plan,
)
from csflow.staffing import erlang as erlang_module
from csflow.staffing.roster import cover
from csflow.staffing.shifts import BreakRule, ShiftTemplate

H = timedelta(hours=1)
M = timedelta(minutes=1)
NEW_YORK = ZoneInfo("America/New_York")
NEED = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8]


# --------------------------------------------------------------------------------------------
# 1. shift costs far apart: a ConfigError naming the cost, never an OverflowError


@pytest.mark.parametrize(("cheap", "dear"), [(5e-324, 1.0), (1e-320, 8), (1e-31, 1.0)])
def test_costs_more_than_30_digits_apart_are_refused_naming_the_finest(
    cheap: float, dear: float
) -> None:
    tpls = [
        ShiftTemplate("a", 3 * H, timedelta(0), 11 * H, cost=dear),
        ShiftTemplate("b", 4 * H, timedelta(0), 11 * H, cost=cheap),
    ]
    with pytest.raises(ConfigError, match="30 significant digits") as info:
        cover(NEED, tpls, interval=H)
    assert info.value.path == "templates[1].cost"


def test_huge_costs_with_a_common_factor_roster_on_a_circle() -> None:
    tpls = [
        ShiftTemplate("a", 3 * H, timedelta(0), 23 * H, cost=1e300),
        ShiftTemplate("b", 4 * H, timedelta(0), 23 * H, cost=1.7976931348623157e308),
    ]
    roster = cover(NEED * 2, tpls, interval=H, wraps=True)
    assert math.isfinite(roster.cost)
    assert all(i.scheduled >= i.required for i in roster.intervals)
    # Only 'a' is worth using: 'b' costs 1.8e8 times as much for 4/3 the hours.
    assert {r.shift for r in roster.rows} == {"a"}


def test_a_roster_whose_cost_overflows_a_float_is_refused() -> None:
    tpls = [ShiftTemplate("a", 3 * H, timedelta(0), 11 * H, cost=1.7976931348623157e308)]
    with pytest.raises(ConfigError, match="largest float") as info:
        cover(NEED, tpls, interval=H)
    assert info.value.path == "templates"


@given(
    st.integers(1, 9),
    st.integers(1, 9),
    st.integers(-250, 250),
)
def test_scaling_every_cost_by_a_power_of_ten_keeps_the_roster(a: int, b: int, e: int) -> None:
    """Costs are exact decimals: the roster depends only on their ratios, at any scale."""

    def roster_at(scale: str) -> list[tuple[str, timedelta, int]]:
        tpls = [
            ShiftTemplate("a", 3 * H, timedelta(0), 9 * H, cost=float(f"{a}e{scale}")),
            ShiftTemplate("b", 4 * H, timedelta(0), 8 * H, cost=float(f"{b}e{scale}")),
        ]
        return [(r.shift, r.start, r.agents) for r in cover(NEED, tpls, interval=H).rows]

    assert roster_at(str(e)) == roster_at("0")


# --------------------------------------------------------------------------------------------
# 2. Erlang B walks count against a plan's budget (Erlang C and A)


def _rows(n: int, load: float) -> list[tuple[datetime, timedelta, float]]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    # 30-minute rows, AHT 6 minutes: load x 5 arrivals make `load` Erlangs.
    return [(start + i * 30 * M, 30 * M, load * 5) for i in range(n)]


@pytest.fixture
def small_budget(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """A plan's budget with only 200,000 terms left."""
    works: list[Any] = []

    def work() -> Any:
        w = erlang_module._Work(erlang_module._PLAN_TERMS, "the plan's intervals together", 200_000)
        works.append(w)
        return w

    monkeypatch.setattr(plan_module, "_plan_work", work)
    return works


def test_erlang_c_rows_at_ten_million_erlangs_spend_the_plan_budget(small_budget: Any) -> None:
    # A row walks about sqrt(60 x 1e7) = 25,000 steps (12,500 terms): 16 rows fit in 200,000.
    with pytest.raises(ConfigError, match="Erlang C on 1e\\+07 Erlangs is refused") as info:
        staffing_plan(_rows(40, 1e7), 6 * M, 20 * timedelta(seconds=1), 0.8)
    assert info.value.path.startswith("intervals[")
    refused_at = int(info.value.path[len("intervals[") : -1])
    assert 5 <= refused_at < 40


def test_erlang_a_walks_are_charged_to_the_plan(small_budget: Any) -> None:
    # Patience of a microsecond: the series are short, the walks (one per candidate) long.
    with pytest.raises(ConfigError, match="the plan's intervals together") as info:
        staffing_plan(
            _rows(10, 1e7), 6 * M, 20 * timedelta(seconds=1), 0.8, patience=timedelta(0, 0, 1)
        )
    assert info.value.path in {"intervals[0]", "intervals[1]"}


def test_a_plan_within_the_budget_is_unchanged_by_the_charge() -> None:
    plan = staffing_plan(_rows(3, 1e4), 6 * M, 20 * timedelta(seconds=1), 0.8)
    assert [r.agents for r in plan.intervals] == [
        erlang_module.agents_for_service_level(1e4, 6 * M, 20 * timedelta(seconds=1), 0.8)
    ] * 3


# --------------------------------------------------------------------------------------------
# 3 and 4. the forecast -> staff --roster chain on New York's fall-back day


def _fall_back_files(tmp_path: pathlib.Path, **staffing: Any) -> pathlib.Path:
    """What `csflow forecast` writes for 2026-11-01 in New York (fixed offsets, a 25-hour
    day of half hours), and a config with a night, an early and a late shift."""
    start = datetime(2026, 11, 1, tzinfo=NEW_YORK).astimezone(UTC)
    lines = ["start,arrivals,duration"]
    for k in range(50):
        at = (start + k * 30 * M).astimezone(NEW_YORK)
        lines.append(f"{at.isoformat()},60,30m")
    (tmp_path / "fc.csv").write_text("\n".join(lines) + "\n")
    doc = {
        "staffing": {
            "aht": "6m",
            "target": "60s",
            "level": 0.8,
            "interval": "30m",
            "forecast": "fc.csv",
            "shifts": [
                {"name": "grave", "length": "8h", "earliest": "00:00"},
                {"name": "early", "length": "8h", "earliest": "06:00", "latest": "08:00"},
                {"name": "late", "length": "8h", "earliest": "14:00", "latest": "17:00"},
            ],
            **staffing,
        }
    }
    path = tmp_path / "desk.json"
    path.write_text(json.dumps(doc))
    return path


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main([*args, "--format", "json"]) == 0, capsys.readouterr().err
    out: dict[str, Any] = json.loads(capsys.readouterr().out)
    return out


def test_a_forecast_of_changing_fixed_offsets_is_not_rostered_without_a_zone(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _fall_back_files(tmp_path)
    for command in (["staff", str(path), "--roster"], ["lint", str(path)]):
        assert main(command) in (1, 2)
        err = capsys.readouterr()
        text = err.err + err.out
        assert "staffing.timezone" in text
        assert "change UTC offset" in text
        assert "internal error" not in text


def test_with_the_zone_shift_windows_are_read_on_the_local_clock(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _fall_back_files(tmp_path, timezone="America/New_York")
    out = _json(capsys, "staff", str(path), "--roster")
    starts = {(r["shift"], r["start"][11:16]) for r in out["roster"]}
    # Late shifts start in their window on New York's clock (after the change: -05:00).
    lates = [s for name, s in starts if name == "late"]
    assert lates
    assert all("14:00" <= s <= "17:00" for s in lates)
    # The 8-hour grave shift from midnight ends at 07:00 on a 25-hour day.
    graves = [r for r in out["roster"] if r["shift"] == "grave"]
    assert graves
    assert all(r["end"].startswith("2026-11-01 07:00") for r in graves)


def test_the_repeated_hour_reads_twice_with_its_offsets_in_the_coverage(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _fall_back_files(tmp_path, timezone="America/New_York")
    out = _json(capsys, "staff", str(path), "--roster")
    plan_from = [row["from"] for row in out["plan"]]
    coverage_from = [row["from"] for row in out["coverage"]]
    assert coverage_from == plan_from
    assert len(set(coverage_from)) == len(coverage_from) == 50
    assert "2026-11-01 01:00-0400" in coverage_from
    assert "2026-11-01 01:00-0500" in coverage_from


def test_roster_table_shows_offsets_when_they_differ() -> None:
    origin = datetime(2026, 11, 1, tzinfo=NEW_YORK)
    one = ShiftTemplate("one", 2 * H, timedelta(0), 23 * H)
    roster = cover([1] * 6, [one], interval=H, origin=origin)
    lines = roster.table()
    assert any("01:00-0400" in line for line in lines)
    assert any("01:00-0500" in line for line in lines)
    # A day without a change keeps the short form.
    plain = cover([1] * 6, [one], interval=H, origin=datetime(2026, 11, 8, tzinfo=NEW_YORK))
    assert not any("-0500" in line for line in plain.table())


# --------------------------------------------------------------------------------------------
# 5. break placements: about 16 (1 + ln(heads / 16)) batches a start, as documented


@pytest.mark.parametrize("heads", [40, 10**4, 10**8])
def test_break_batches_grow_with_the_logarithm_of_the_head_count(
    heads: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = [0]
    real = roster_module._next_breaks

    def counted(*args: Any) -> Any:
        calls[0] += 1
        return real(*args)

    monkeypatch.setattr(roster_module, "_next_breaks", counted)
    rule = BreakRule(15 * M, H, 6 * H)
    tpl = ShiftTemplate("day", 8 * H, timedelta(0), breaks=[rule, rule, rule])
    # One shift start; uneven needs, so that runs of identical placements stay short.
    need = [heads - (k * 7919) % (heads // 3) for k in range(32)]
    roster = cover(need, [tpl], interval=15 * M)
    assert sum(r.agents for r in roster.rows) == max(need)
    assert calls[0] <= 16 * (1 + math.log(max(need) / 16)) + 1


@given(st.lists(st.integers(0, 64), min_size=8, max_size=8))
def test_every_agent_gets_its_breaks(need: list[int]) -> None:
    rule = BreakRule(30 * M, H, 3 * H)
    tpl = ShiftTemplate("s", 4 * H, timedelta(0), 4 * H, breaks=[rule])
    roster = cover(need, [tpl], interval=30 * M)
    for r in roster.rows:
        assert len(r.breaks) == 1
    assert all(i.on_duty + i.short >= i.required for i in roster.intervals)


# --------------------------------------------------------------------------------------------
# 7. Antarctica/Troll's 26-hour day


def test_a_26_hour_day_is_one_interval_of_a_daily_forecast() -> None:
    troll = ZoneInfo("Antarctica/Troll")
    past = [datetime(2026, 10, 18, 12, tzinfo=troll), datetime(2026, 10, 11, 9, tzinfo=troll)]
    rows = forecast_from_history(
        past, date(2026, 10, 25), timezone="Antarctica/Troll", interval=timedelta(days=1),
        lookback=2,
    ).intervals  # fmt: skip
    assert [r.duration for r in rows] == [26 * H]
    assert rows[0].arrivals == 1.0
    with pytest.raises(ConfigError, match="at most 26 hours"):
        ForecastInterval(datetime(2026, 1, 1, tzinfo=UTC), 26 * H + M, 1)


# --------------------------------------------------------------------------------------------
# 9. numpy's numbers (what a pandas column yields)


def test_numpy_numbers_are_taken_as_ints_and_floats() -> None:
    import numpy  # installed with the plot extra `make test` installs (matplotlib's)

    np: Any = numpy  # the annotations say int and float; numpy's numbers pass at run time

    day = ShiftTemplate("a", H, timedelta(0), 2 * H, cost=np.float32(1.5))
    roster = cover(np.array([1, 2, 3]), [day], interval=H)
    assert [r.agents for r in roster.rows] == [1, 2, 3]
    assert all(type(i.required) is int for i in roster.intervals)
    assert erlang_c(np.int64(12), 10.0) == erlang_c(12, 10.0)
    row = ForecastInterval(datetime(2026, 1, 1, tzinfo=UTC), 30 * M, np.int64(100))
    assert type(row.arrivals) is float
    assert row.arrivals == 100.0
    past = [datetime(2026, 3, 2, 9, tzinfo=UTC)]
    rows = forecast_from_history(past, date(2026, 3, 9), timezone="UTC", lookback=np.int64(1))
    assert sum(r.arrivals for r in rows.intervals) == 1.0
    with pytest.raises(ConfigError):
        erlang_c(np.bool_(True), 0.5)


def test_other_rational_numbers_are_taken_too() -> None:
    given: list[Any] = [Fraction(2), 1.0, 3]
    roster = cover(given, [ShiftTemplate("a", H, timedelta(0), 2 * H)], interval=H)
    assert [i.required for i in roster.intervals] == [2, 1, 3]
    with pytest.raises(ConfigError, match="the fraction"):
        cover([Fraction(1, 2)], [ShiftTemplate("a", H, timedelta(0))], interval=H)  # type: ignore[list-item]


# --------------------------------------------------------------------------------------------
# 10. a template that cannot start inside the horizon is left unused


def test_a_template_with_no_start_in_the_horizon_is_left_unused() -> None:
    early = ShiftTemplate("early", 8 * H, 6 * H, 8 * H)
    late = ShiftTemplate("late", 8 * H, 14 * H, 16 * H)
    night = ShiftTemplate("night", 9 * H, 22 * H, 23 * H, cost=12)
    need = [0] * 6 + [3] * 18
    origin = datetime(2026, 3, 16, tzinfo=ZoneInfo("Asia/Jakarta"))
    with_night = cover(need, [early, late, night], interval=H, origin=origin)
    without = cover(need, [early, late], interval=H, origin=origin)
    assert with_night.rows == without.rows
    assert with_night.cost == without.cost
    # An hour that only the unused template could cover names it.
    with pytest.raises(ConfigError, match="template 'night' has no start") as info:
        cover([1, *need[1:]], [early, late, night], interval=H, origin=origin)
    assert info.value.path == "requirements[0]"
    # No usable template at all: the first is refused.
    with pytest.raises(ConfigError, match="template 'night' has no start") as info:
        cover(need, [night], interval=H, origin=origin)
    assert info.value.path == "templates[0]"
