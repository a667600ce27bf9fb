"""Bounds of the staffing searches: ``verify_plan`` on targets no number of agents can meet
(it stops, and says so, rather than doubling the agents without end), and ``cover`` on
horizons and shift starts past its documented limits, and on circles crossed by more
shifts than Python's recursion limit."""

from __future__ import annotations

import concurrent.futures
import itertools
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest

from csflow.errors import ConfigError
from csflow.sim.scenario import MAX_SIM_AGENTS
from csflow.staffing import roster, staffing_plan
from csflow.staffing.roster import cover
from csflow.staffing.shifts import ShiftTemplate
from csflow.staffing.verify import verify_plan

JAKARTA = ZoneInfo("Asia/Jakarta")
HALF = timedelta(minutes=30)
EVE = datetime(2026, 3, 19, 20, tzinfo=JAKARTA)
# Ten chats in half an hour, six minutes each: Erlang asks for 4 agents.
PLAN = staffing_plan([(EVE, HALF, 10)], timedelta(minutes=6), timedelta(minutes=1), 0.8)

# A promise to *resolve* gold chats within a minute, when handling takes six on average.
RESOLVE_IN_A_MINUTE = {
    "tiers": [{"name": "gold", "rank": 3}],
    "calendars": {"24x7": {"timezone": "Asia/Jakarta", "always_open": True}},
    "sla_policies": [{"name": "chat", "calendar": "24x7", "targets": {"resolution": "PT1M"}}],
    "default_sla_policy": "chat",
}
CHATS = {
    "arrivals": {"channels": {"chat": 1}, "tiers": {"gold": 1}},
    "handle_time": {"default": {"exponential": "PT6M"}},
    "agents": [{"name": "front", "capacity": {"chat": 1}}],
}


class Refusing(concurrent.futures.Executor):
    """An executor that fails the test if anything is submitted."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a simulation ran before the input was checked")


def test_a_floor_no_head_count_meets_is_reported_unreachable_where_nobody_waited() -> None:
    # The gold floor of 99 % can never be met: a resolution within a minute needs a handling
    # under a minute, which about 15 % of chats get, however soon they are answered.  From
    # Erlang's 4 agents the search steps to 5, where in both seeds nobody waited in line at
    # any moment: more agents change nothing, so it stops there, in two rounds.
    with ThreadPoolExecutor(2) as pool:
        runs = [
            verify_plan(
                PLAN, RESOLVE_IN_A_MINUTE, CHATS, seeds=(1, 2), executor=pool,
                tiers={"gold": 0.99}, max_steps=steps,
            )
            for steps in (2, 8, 14)
        ]  # fmt: skip
    for verified in runs:
        (row,) = verified.intervals
        assert (row.erlang_agents, row.agents) == (4, 5)
        assert (row.met, row.unreachable, row.converged) == (False, True, True)
        assert verified.unreachable == (row,)
        data = row.to_dict()
        assert (data["agents"], data["met"], data["unreachable"]) == (5, False, True)
    # The answer does not grow with the rounds allowed: the search stopped on its own.
    assert runs[0].to_dict() == runs[1].to_dict() == runs[2].to_dict()
    assert "unreachable" in runs[0].table()[1]


def test_the_step_limit_reports_the_most_agents_simulated_never_an_untried_one() -> None:
    # One round: Erlang's 4 agents fall short (seed 2 has customers waiting), and the search
    # may not go on.  It reports those 4, not met, not known to be unreachable.
    with ThreadPoolExecutor(2) as pool:
        verified = verify_plan(
            PLAN, RESOLVE_IN_A_MINUTE, CHATS, seeds=(1, 2), executor=pool,
            tiers={"gold": 0.99}, max_steps=1,
        )  # fmt: skip
    (row,) = verified.intervals
    assert (row.agents, row.met, row.unreachable, row.converged) == (4, False, False, False)
    assert row.to_dict()["met"] is False
    assert "step limit" in verified.table()[1]


def test_contacts_no_agent_can_take_stop_the_search_at_the_customers_who_came() -> None:
    # E-mails, and agents who take chats only: every customer waits until they give up, so
    # nobody is ever served however many agents.  The gallop up (5, 7, 11, 19 ...) stops at
    # as many agents as customers came in a run (25, in seed 2's hour of warm-up and
    # interval), where each could have had an agent to itself.
    emails = {
        **CHATS,
        "arrivals": {"channels": {"email": 1}, "tiers": {"gold": 1}},
        "patience": {"default": {"exponential": "PT5M"}},
    }
    with ThreadPoolExecutor(2) as pool:
        verified = verify_plan(
            PLAN, {"tiers": [{"name": "gold", "rank": 3}]}, emails, seeds=(1, 2),
            executor=pool, max_steps=12,
        )  # fmt: skip
    (row,) = verified.intervals
    assert (row.agents, row.met, row.unreachable, row.converged) == (25, False, True, True)
    assert row.service_level.mean == 0.0


def test_starting_agents_past_the_simulator_bound_are_refused_before_any_run() -> None:
    with pytest.raises(ConfigError, match=r"'agents' at 2026-03-19T20:00:00\+07:00 \(interval 0\) "
                       r"must be at most 100,000, the most the simulator runs, got 100,001"):  # fmt: skip
        verify_plan(PLAN, RESOLVE_IN_A_MINUTE, CHATS, agents=[MAX_SIM_AGENTS + 1],
                    executor=Refusing())  # fmt: skip
    huge = staffing_plan([(EVE, HALF, 2_000_000)], timedelta(minutes=6), timedelta(minutes=1), 0.8)
    assert huge.intervals[0].agents > MAX_SIM_AGENTS
    with pytest.raises(ConfigError, match=r"the plan's \(Erlang's\) agents .* must be at most"):
        verify_plan(huge, RESOLVE_IN_A_MINUTE, CHATS, agents=[10], executor=Refusing())


DAY_SHIFT = ShiftTemplate("day", timedelta(hours=8), timedelta(0), timedelta(hours=23, minutes=30))


def test_a_horizon_past_the_roster_bound_is_refused_before_solving() -> None:
    ok = cover([1] * 96, [DAY_SHIFT])
    assert all(i.scheduled >= 1 for i in ok.intervals)
    with pytest.raises(ConfigError, match=r"^requirements: a roster covers at most 3,000 "):
        cover([1] * 3_001, [DAY_SHIFT])

    # The requirements are read no further than the bound: an endless stream is refused.
    def endless() -> Iterator[int]:
        for k in itertools.count():
            assert k <= 3_000, "read past the bound"
            yield 1

    with pytest.raises(ConfigError, match=r"at most 3,000 intervals"):
        cover(cast("Sequence[int]", endless()), [DAY_SHIFT])
    long = staffing_plan(
        [(EVE + k * HALF, HALF, 10) for k in range(3_001)],
        timedelta(minutes=6), timedelta(minutes=1), 0.8,
    )  # fmt: skip
    with pytest.raises(ConfigError, match=r"got a plan of 3,001: roster a shorter plan"):
        cover(long, [DAY_SHIFT])
    assert getattr(roster, "MAX_ROSTER_INTERVALS", None) == 3_000  # the documented bound


def test_more_shift_starts_than_the_bound_are_refused_naming_the_template() -> None:
    # Minutes over 500 intervals: thirteen templates free to start at any minute offer about
    # 490 starts each, 6,370 in all.
    minute = timedelta(minutes=1)
    templates = [
        ShiftTemplate(f"t{k}", (10 + k) * minute, timedelta(0), timedelta(hours=23, minutes=59))
        for k in range(13)
    ]
    cover([1] * 500, templates[:12], interval=minute)  # 5,898 starts: solved
    with pytest.raises(ConfigError, match=r"^templates\[12\]: a roster weighs at most 6,000 shift"):
        cover([1] * 500, templates, interval=minute)
    assert getattr(roster, "MAX_ROSTER_STARTS", None) == 6_000  # the documented bound


def test_a_circle_crossed_by_more_shifts_than_the_recursion_limit_is_rostered() -> None:
    # Six days of half hours on a circle, shifts of five to six days free to start at any half
    # hour: over a thousand options cross any boundary, each a level of the search.
    templates = [
        ShiftTemplate(f"t{k}", n * HALF, timedelta(0), timedelta(hours=23, minutes=30))
        for k, n in enumerate((280, 270, 260, 250))
    ]
    need = [1 + t % 7 for t in range(288)]
    roster = cover(need, templates, wraps=True)
    assert all(i.scheduled >= i.required for i in roster.intervals)
    assert 0 <= roster.gap <= roster.cost


def test_dates_past_the_calendar_are_config_errors_not_overflows() -> None:
    # A window that opens a million days into its day would start from days before year 1:
    # none of them exists, so the template has no start; a horizon that runs into the year
    # 10000 is refused naming the origin.
    far = ShiftTemplate("far", timedelta(hours=1), timedelta(days=10**6))
    with pytest.raises(ConfigError, match=r"^templates\[0\]: template 'far' has no start"):
        cover([1] * 8, [far], interval=timedelta(hours=1))
    day = ShiftTemplate("day", timedelta(days=1), timedelta(0))
    late = datetime(9999, 12, 1, tzinfo=UTC)
    assert cover([1] * 20, [day], interval=timedelta(days=1), origin=late).cost == 480
    with pytest.raises(ConfigError, match=r"^origin: the horizon of 40 x .* before the year 10000"):
        cover([1] * 40, [day], interval=timedelta(days=1), origin=late)
