"""The occupancy cap in planning against a naive reference: every row is the fewest agents
that meet the level and ``ceil(load / cap)``; ``verify_plan`` and ``csflow staff`` name the
cap when it is the cap that asks for too many agents, and show it as written."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.cli import main
from csflow.errors import ConfigError
from csflow.staffing import (
    agents_for_service_level,
    agents_for_service_level_a,
    staffing_plan,
)
from csflow.staffing.verify import verify_plan
from test_staffing_verify import DESK, PHONES, PLAN, Refusing

START = datetime(2026, 3, 19, 9, tzinfo=UTC)
_CAPS = st.one_of(
    st.sampled_from([0.5, 0.85, 0.855, 0.9, 0.999, 1.0, 0.07]),
    st.integers(5, 100).map(lambda p: p / 100),
)


@settings(max_examples=60, deadline=None)
@given(
    arrivals=st.lists(
        st.one_of(st.just(0.0), st.floats(0.01, 3), st.floats(3, 400)), min_size=1, max_size=4
    ),
    minutes=st.sampled_from([15, 30, 60]),
    aht_s=st.integers(30, 900),
    target_s=st.sampled_from([0, 20, 60, 300]),
    level=st.floats(0.05, 0.95),
    patience_s=st.one_of(st.none(), st.integers(10, 600)),
    shrinkage=st.sampled_from([0.0, 0.1, 0.15, 0.35]),
    peak=st.sampled_from([0.3, 1.0, 2.5]),
    cap=_CAPS,
)
def test_every_row_is_the_fewest_agents_that_meet_the_level_and_the_cap(
    arrivals: list[float],
    minutes: int,
    aht_s: int,
    target_s: int,
    level: float,
    patience_s: int | None,
    shrinkage: float,
    peak: float,
    cap: float,
) -> None:
    length = timedelta(minutes=minutes)
    aht, target = timedelta(seconds=aht_s), timedelta(seconds=target_s)
    patience = None if patience_s is None else timedelta(seconds=patience_s)
    rows = [(START + i * length, length, x) for i, x in enumerate(arrivals)]
    plan = staffing_plan(
        rows,
        aht,
        target,
        level,
        patience=patience,
        shrinkage=shrinkage,
        multiplier=peak,
        max_occupancy=cap,
    )
    assert plan.max_occupancy == cap
    for row in plan.intervals:
        if row.load == 0:
            assert row.agents == 0
            continue
        # The reference: the level alone, then the cap's floor computed exactly (the load's
        # binary value over the decimal written).
        if patience is None:
            alone = agents_for_service_level(row.load, aht, target, level)
        else:
            alone = agents_for_service_level_a(row.load, aht, target, level, patience)
        floor = math.ceil(Fraction(row.load) / Fraction(str(cap)))
        assert row.agents == max(alone, floor)
        assert row.load / row.agents <= cap
        assert row.scheduled_heads == math.ceil(
            Fraction(row.agents) / (1 - Fraction(str(shrinkage)))
        )


def test_verify_names_the_cap_when_its_floor_is_past_the_simulators_bound() -> None:
    # 4 and 6 Erlangs under a cap of 1e-5: 400,000 agents, more than the 100,000 the
    # simulator runs.  The plan's own agents (7 and 9) are not the culprit.
    bad = attrs.evolve(PLAN, max_occupancy=1e-5)
    with pytest.raises(ConfigError) as info:
        verify_plan(bad, DESK, PHONES, seeds=(1,), executor=Refusing())
    detail = info.value.detail
    assert "'max_occupancy' 1e-05" in detail
    assert "400,000 agents" in detail
    assert "(interval 0" in detail
    assert "got 7" not in detail


@pytest.mark.parametrize(
    ("cap", "shown"),
    [("0.855", "85.5%"), ("0.85", "85%"), ("1", "100%"), ("0.999", "99.9%"), ("0.07", "7%")],
)
def test_staff_shows_the_cap_as_written(
    capsys: pytest.CaptureFixture[str], cap: str, shown: str
) -> None:
    # A cap of 0.855 is "at most 85.5%": rounded to 86% the title would promise a cap the
    # plan does not keep.
    assert main(["staff", "--load", "8.5", "--max-occupancy", cap]) == 0
    title = capsys.readouterr().out.splitlines()[0]
    assert title.endswith(f"occupancy at most {shown}")


def test_staff_names_the_flag_of_a_cap_that_needs_too_many_agents(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["staff", "--load", "8.5", "--max-occupancy", "1e-9"]) == 2
    err = capsys.readouterr().err
    assert "--max-occupancy: 'max_occupancy' 1e-09" in err
    # With --agents the agents asked about are still evaluated: agents_needed is null.
    assert main(["staff", "--load", "8.5", "--max-occupancy", "1e-9", "--agents", "12"]) == 0
    out = capsys.readouterr().out
    assert "12" in out


def test_staff_one_interval_json_keeps_the_cap_and_the_reference(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["staff", "--load", "8.5", "--max-occupancy", "0.6", "--format", "json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)["staffing"]
    assert row["max_occupancy"] == 0.6
    assert row["agents"] == max(
        agents_for_service_level(8.5, timedelta(minutes=6), timedelta(seconds=20), 0.8), 15
    )
