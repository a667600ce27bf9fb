"""A plan verified by simulating the desk: the search's answer, determinism, bad input."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from csflow.errors import ConfigError
from csflow.staffing import staffing_plan
from csflow.staffing.verify import Estimate, verify_plan

START = datetime(2026, 3, 19, 9, tzinfo=UTC)
HALF = timedelta(minutes=30)
DESK = {"tiers": [{"name": "regular", "rank": 0}]}
PHONES = {
    "arrivals": {"channels": {"phone": 1}},
    "agents": [{"name": "a", "capacity": {"phone": 1}}],
    "handle_time": {"default": {"exponential": 180}},
}
PLAN = staffing_plan(
    [(START, HALF, 40), (START + HALF, HALF, 60)],
    timedelta(minutes=3),
    timedelta(seconds=20),
    0.8,
)


class Refusing(concurrent.futures.Executor):
    """An executor that fails the test if anything is submitted."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a simulation ran before the input was checked")


def test_each_interval_gets_the_fewest_agents_that_meet_the_target() -> None:
    with ThreadPoolExecutor(2) as pool:
        verified = verify_plan(PLAN, DESK, PHONES, seeds=(1, 2, 3), executor=pool)
        again = verify_plan(PLAN, DESK, PHONES, seeds=(1, 2, 3), executor=pool)
        one_fewer = verify_plan(
            PLAN,
            DESK,
            PHONES,
            agents=[i.agents - 1 for i in verified.intervals],
            seeds=(1, 2, 3),
            executor=pool,
            max_steps=1,
        )
        from_above = verify_plan(
            PLAN, DESK, PHONES, agents=[15, 15], seeds=(1, 2, 3), executor=pool
        )
    assert verified.to_dict() == again.to_dict()  # seeded: the same answer every time
    assert [i.erlang_agents for i in verified.intervals] == [7, 9]
    for row, fewer in zip(verified.intervals, one_fewer.intervals, strict=True):
        assert row.converged
        assert row.service_level.mean >= 0.8
        # converged: one agent fewer was simulated and fell short.  A single step from there
        # cannot know more: it reports the agents it simulated, short of the target, and says
        # so (never the next candidate, which it did not run).
        assert (fewer.agents, fewer.converged, fewer.met) == (row.agents - 1, False, False)
        assert not fewer.unreachable
        assert fewer.service_level.mean < 0.8
        # On an M/M/c desk the simulation agrees with Erlang C within an agent or two.
        assert abs(row.difference) <= 2
        assert row.service_level.low <= row.service_level.mean <= row.service_level.high
    # From the caller's own (generous) plan the search comes down to an answer of its own: a
    # simulated service level is noisy, not always monotone in the agents, so it may settle a
    # little apart, but it settles, and on an agent count that meets the target.
    for row, other in zip(verified.intervals, from_above.intervals, strict=True):
        assert other.converged
        assert other.service_level.mean >= 0.8
        assert abs(other.agents - row.agents) <= 2
    assert verified.agent_hours == sum(i.agents for i in verified.intervals) / 2
    assert verified.erlang_agent_hours == 8.0
    assert verified.to_dict()["intervals"][0]["difference"] == verified.intervals[0].difference


def test_an_abandonment_ceiling_can_only_add_agents() -> None:
    impatient = {**PHONES, "patience": {"default": {"exponential": 60}}}
    hour = timedelta(hours=1)  # an hour of each interval's steady state: less noise
    with ThreadPoolExecutor(2) as pool:
        loose = verify_plan(PLAN, DESK, impatient, seeds=(1, 2), span=hour, executor=pool)
        strict = verify_plan(
            PLAN, DESK, impatient, seeds=(1, 2), span=hour, abandonment=0.01, executor=pool
        )
    for a, b in zip(loose.intervals, strict.intervals, strict=True):
        assert b.agents >= a.agents
        assert b.abandonment.mean <= 0.01


def test_estimates_have_a_confidence_interval_inside_zero_one() -> None:
    assert Estimate.of([0.5]) == Estimate(0.5, 0.5, 0.5)
    e = Estimate.of([0.7, 0.9])
    assert e.mean == pytest.approx(0.8)
    assert e.low == 0.0  # 0.8 - 12.706 * 0.1414 / sqrt(2), clipped
    assert e.high == 1.0
    tight = Estimate.of([0.8, 0.81, 0.79, 0.8])
    assert 0.78 < tight.low < 0.8 < tight.high < 0.82


@pytest.mark.parametrize(
    ("template", "kwargs", "match"),
    [
        ({**PHONES, "start": "x"}, {}, r"simulation\.start: 'start' is set per interval"),
        (
            {**PHONES, "arrivals": {"rates": [["00:00", 5]]}},
            {},
            r"simulation\.arrivals: expected the arrival mixes without 'rates'",
        ),
        (
            {**PHONES, "agents": [{"name": "a", "count": 3}]},
            {},
            r"simulation\.agents\[0\]\.count: 'count' is set per interval",
        ),
        ({**PHONES, "agents": []}, {}, r"simulation\.agents: expected one agent group"),
        (PHONES, {"agents": [3]}, r"'agents' must hold one int >= 1 per plan interval \(2\)"),
        (PHONES, {"seeds": ()}, r"'seeds' must be a non-empty sequence of ints"),
        (PHONES, {"seeds": (1, -1)}, r"'seeds' must be a non-empty sequence of ints >= 0"),
        (PHONES, {"abandonment": 2}, r"'abandonment' must be a number in \[0, 1\]"),
        (PHONES, {"span": timedelta(0)}, r"'span' must be a positive timedelta or None"),
        (
            {**PHONES, "handle_time": {"chat": {"exponential": 60}}},
            {},
            r"'handle_time' needs a 'default' entry",
        ),
    ],
)
def test_bad_input_is_refused_before_any_simulation(
    template: dict[str, Any], kwargs: dict[str, Any], match: str
) -> None:
    with pytest.raises(ConfigError, match=match):
        verify_plan(PLAN, DESK, template, executor=Refusing(), **kwargs)


def test_the_table_lines() -> None:
    with ThreadPoolExecutor(2) as pool:
        verified = verify_plan(PLAN, DESK, PHONES, seeds=(1, 2), executor=pool)
    lines = verified.table()
    assert lines[0].split() == ["start", "Erlang", "desk", "diff", "SL", "with", "the", "desk",
                                "SL", "with", "Erlang's"]  # fmt: skip
    first = verified.intervals[0]
    assert lines[1].startswith(f"{START.isoformat()}  {first.erlang_agents:>6}  {first.agents:>4}")
    assert lines[-1] == (
        f"agent-hours: Erlang {verified.erlang_agent_hours:g}, desk {verified.agent_hours:g}"
    )


def test_an_sla_floor_per_tier_and_channel_can_only_add_agents() -> None:
    desk = {
        "tiers": [{"name": "gold", "rank": 3}, {"name": "regular", "rank": 1}],
        "calendars": {"24x7": {"timezone": "UTC", "always_open": True}},
        "sla_policies": [
            {"name": "phone", "calendar": "24x7", "targets": {"first_response": "PT20S"}}
        ],
        "default_sla_policy": "phone",
    }
    mixed = {**PHONES, "arrivals": {"channels": {"phone": 1}, "tiers": {"gold": 1, "regular": 3}}}
    with ThreadPoolExecutor(2) as pool:
        plain = verify_plan(PLAN, desk, mixed, seeds=(1, 2), executor=pool)
        floors = verify_plan(
            PLAN, desk, mixed, seeds=(1, 2), tiers={"gold": 0.97}, channels={"phone": 0.9},
            executor=pool,
        )  # fmt: skip
    assert all(b.agents >= a.agents for a, b in zip(plain.intervals, floors.intervals, strict=True))
    assert any(b.agents > a.agents for a, b in zip(plain.intervals, floors.intervals, strict=True))
    with pytest.raises(ConfigError, match=r"the tier 'gold' floor must be in \[0, 1\], got 97"):
        verify_plan(PLAN, desk, mixed, tiers={"gold": 97}, executor=Refusing())


SLA_DESK = {
    "tiers": [{"name": "regular", "rank": 0}, {"name": "gold", "rank": 1}],
    "calendars": {"24x7": {"timezone": "UTC", "always_open": True}},
    "sla_policies": [{"name": "p", "calendar": "24x7", "targets": {"first_response": "PT1M"}}],
    "default_sla_policy": "p",
}


@pytest.mark.parametrize(
    ("desk", "floors", "match"),
    [
        (DESK, {"tiers": {"glod": 0.99}}, r"^tiers\['glod'\]: the desk has no tier 'glod'"),
        (SLA_DESK, {"tiers": {"glod": 0.99}}, r"^tiers\['glod'\]: the desk has no tier"),
        # The desk has gold customers, but the simulated traffic brings none.
        (SLA_DESK, {"tiers": {"gold": 0.99}}, r"^tiers\['gold'\]: the simulated traffic brings"),
        (SLA_DESK, {"channels": {"chat": 0.9}}, r"^channels\['chat'\]: .*brings no channel"),
        # No SLA policy: no clock ever runs, so no attainment is ever measured.
        (DESK, {"tiers": {"regular": 0.99}}, r"^tiers\['regular'\]: the desk has no SLA policy"),
        (DESK, {"channels": {"phone": 0.9}}, r"^channels\['phone'\]: the desk has no SLA"),
    ],
)
def test_a_floor_that_can_never_be_measured_is_refused_before_any_run(
    desk: dict[str, Any], floors: dict[str, Any], match: str
) -> None:
    # It used to count as met (an unmeasured rate read as 100 %).
    with pytest.raises(ConfigError, match=match):
        verify_plan(PLAN, desk, PHONES, executor=Refusing(), **floors)
