"""Occupancy caps charged the walk they take, and numpy's float32 read as the decimal written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.staffing import agents_for_service_level, staffing_plan

HALF = timedelta(minutes=30)
AHT = timedelta(minutes=3)
START = datetime(2026, 12, 12, tzinfo=UTC)


def test_a_plan_capped_far_above_its_load_is_charged_the_walk_it_takes() -> None:
    # 1e6 Erlangs capped at 50 % occupancy: 2,000,000 agents.  The walk of the Erlang B
    # recurrence stops where B underflows, some 40,000 steps above the load, yet each row was
    # charged the million steps up to the cap's agents: 101 rows were refused as "over ten
    # seconds of work" although they take well under a second.
    per = 1e6 * (HALF / AHT)
    day = [(START + i * HALF, HALF, per) for i in range(101)]
    plan = staffing_plan(day, AHT, timedelta(seconds=20), 0.8, max_occupancy=0.5)
    assert {r.agents for r in plan.intervals} == {2_000_000}
    assert all(r.occupancy <= 0.5 for r in plan.intervals)


numpy = pytest.importorskip("numpy")
np: Any = numpy


@given(st.integers(1, 99), st.integers(1, 400))
@settings(max_examples=40, deadline=None)
def test_a_float32_shrinkage_is_the_decimal_written(percent: int, tenths: int) -> None:
    # A downcast pandas column holds float32: 0.2 there is 0.20000000298... once widened,
    # and 48 agents at it scheduled 61 heads instead of 60.
    day = [(START, HALF, tenths / 10 * (HALF / AHT))]
    written = percent / 100
    want = staffing_plan(day, AHT, timedelta(seconds=20), 0.8, shrinkage=written)
    got = staffing_plan(day, AHT, timedelta(seconds=20), 0.8, shrinkage=np.float32(written))
    assert got.intervals == want.intervals
    assert got.shrinkage == written
    # float64 is read as before.
    assert (
        staffing_plan(day, AHT, timedelta(seconds=20), 0.8, shrinkage=np.float64(written)).intervals
        == want.intervals
    )


def test_the_worked_example_of_48_agents() -> None:
    load = next(
        x * 0.1
        for x in range(1, 2000)
        if agents_for_service_level(x * 0.1, AHT, timedelta(seconds=20), 0.8) == 48
    )
    day = [(START, HALF, load * (HALF / AHT))]
    row = staffing_plan(day, AHT, timedelta(seconds=20), 0.8, shrinkage=np.float32(0.2))
    assert (row.intervals[0].agents, row.intervals[0].scheduled_heads) == (48, 60)


@given(st.integers(1, 100), st.integers(1, 2000))
@settings(max_examples=40, deadline=None)
def test_a_float32_occupancy_cap_is_the_decimal_written(percent: int, tenths: int) -> None:
    cap = percent / 100
    load = tenths / 10
    args = (load, AHT, timedelta(hours=1), 0.5)
    assert agents_for_service_level(*args, max_occupancy=np.float32(cap)) == (
        agents_for_service_level(*args, max_occupancy=cap)
    )
    # 7 Erlangs capped at 0.7: 10 agents, not 11.
    assert agents_for_service_level(7.0, *args[1:], max_occupancy=np.float32(0.7)) == 10
