"""An occupancy cap through the whole planning path: the plan keeps it, ``verify_plan`` never
searches below it, and ``csflow staff`` takes it from ``--max-occupancy`` or the config."""

from __future__ import annotations

import json
import math
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cli_runner import run_cli
from csflow.errors import ConfigError
from csflow.staffing import agents_for_service_level, occupancy, staffing_plan
from csflow.staffing.verify import verify_plan
from test_staffing_verify import DESK, PHONES, PLAN, Refusing

START = datetime(2026, 3, 19, 9, tzinfo=UTC)
HALF = timedelta(minutes=30)
AHT = timedelta(minutes=3)
TARGET = timedelta(seconds=20)


@given(
    arrivals=st.lists(st.integers(0, 400), min_size=1, max_size=4),
    cap=st.sampled_from([0.5, 0.7, 0.8, 0.85, 0.9, 1.0]),
)
def test_a_capped_plan_records_its_cap_and_meets_it_in_every_interval(
    arrivals: list[int], cap: float
) -> None:
    rows = [(START + i * HALF, HALF, float(x)) for i, x in enumerate(arrivals)]
    free = staffing_plan(rows, AHT, TARGET, 0.8)
    capped = staffing_plan(rows, AHT, TARGET, 0.8, max_occupancy=cap)
    assert free.max_occupancy is None
    assert capped.max_occupancy == cap
    for a, b in zip(free.intervals, capped.intervals, strict=True):
        # the fewest agents that meet both the level and the cap, computed exactly
        least = 0 if a.load == 0 else math.ceil(Fraction(a.load) / Fraction(str(cap)))
        assert b.agents == max(a.agents, least)
        assert b.load == 0 or occupancy(b.agents, b.load) <= cap


def test_verify_never_goes_below_the_plans_occupancy_floor() -> None:
    # 4 and 6 Erlangs: Erlang C wants 7 and 9 agents, the simulation about as many; a 50 %
    # cap wants 8 and 12, and the cap is what the answer must keep.
    capped = staffing_plan(
        [(START, HALF, 40), (START + HALF, HALF, 60)], AHT, TARGET, 0.8, max_occupancy=0.5
    )
    assert [i.agents for i in capped.intervals] == [8, 12]
    with ThreadPoolExecutor(2) as pool:
        free = verify_plan(PLAN, DESK, PHONES, seeds=(1, 2), executor=pool)
        kept = verify_plan(capped, DESK, PHONES, seeds=(1, 2), executor=pool)
        # from a start below the floor (the caller's own), the search starts at the floor
        low = verify_plan(capped, DESK, PHONES, agents=[1, 1], seeds=(1, 2), executor=pool)
    assert all(i.agents < 12 for i in free.intervals)  # without the cap it comes down
    assert free.intervals[1].agents < 12
    for result in (kept, low):
        assert [i.agents for i in result.intervals] == [8, 12]
        assert all(i.met and i.converged and not i.unreachable for i in result.intervals)


def test_a_plan_with_a_bad_cap_is_refused_before_any_simulation() -> None:
    bad = attrs.evolve(PLAN, max_occupancy=1.5)
    with pytest.raises(ConfigError, match=r"'max_occupancy' must be a number greater than 0"):
        verify_plan(bad, DESK, PHONES, executor=Refusing())


def test_staff_one_interval_under_a_cap() -> None:
    done = run_cli(
        "staff", "--load", "30", "--aht", "3m", "--max-occupancy", "0.85", "--format", "json"
    )
    assert done.returncode == 0, done.stderr
    (row,) = json.loads(done.stdout)["staffing"]
    assert row["max_occupancy"] == 0.85
    expected = agents_for_service_level(30.0, AHT, TARGET, 0.8, max_occupancy=0.85)
    assert row["agents_needed"] == row["agents"] == expected == 36  # 30 / 0.85 = 35.3
    assert row["occupancy"] <= 0.85
    plain = run_cli("staff", "--load", "30", "--aht", "3m", "--format", "json")
    (free,) = json.loads(plain.stdout)["staffing"]
    assert free["max_occupancy"] is None
    assert free["agents"] < 36  # the level alone needs fewer


@pytest.mark.parametrize(
    ("args", "config", "message"),
    [
        (["--max-occupancy", "0"], None, "--max-occupancy: expected a number greater than 0"),
        (["--max-occupancy", "1.5"], None, "--max-occupancy: expected a number greater than 0"),
        (["--max-occupancy", "nan"], None, "--max-occupancy: expected a number greater than 0"),
        ([], "true", "staffing.max_occupancy: expected a number greater than 0"),
        ([], "'0.8'", "staffing.max_occupancy: expected a number greater than 0"),
    ],
)
def test_a_bad_cap_is_refused_with_its_origin(
    tmp_path: Path, args: list[str], config: str | None, message: str
) -> None:
    files = []
    if config is not None:
        path = tmp_path / "desk.yaml"
        path.write_text(f"staffing:\n  max_occupancy: {config}\n")
        files = [str(path)]
        linted = run_cli("lint", str(path))
        assert linted.returncode == 2  # lint refuses it too
        assert message in linted.stderr
    done = run_cli("staff", *files, "--load", "3", *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_a_day_plan_from_the_config_under_its_cap(tmp_path: Path) -> None:
    (tmp_path / "day.csv").write_text(
        "start,arrivals\n2026-03-19T09:00:00+07:00,40\n2026-03-19T09:30:00+07:00,60\n"
    )
    path = tmp_path / "desk.yaml"
    path.write_text("staffing:\n  aht: 3m\n  forecast: day.csv\n  max_occupancy: 0.5\n")
    done = run_cli("staff", str(path), "--format", "json")
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)["plan"]
    assert [r["agents"] for r in plan] == [8, 12]
    # the flag wins over the config, as for every staffing value
    flag = run_cli("staff", str(path), "--max-occupancy", "1", "--format", "json")
    assert [r["agents"] for r in json.loads(flag.stdout)["plan"]] == [7, 9]
    table = run_cli("staff", str(path))
    assert "occupancy at most 50%" in table.stdout.splitlines()[0]
