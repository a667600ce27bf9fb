"""The simulator's third acceptance review: bounded runs (customers, tickets open at once,
presence changes), presence at shared instants, occupancy at most 1, seeds, escalation teams
checked before any run, overlapping shifts, mixes, and error paths."""

from __future__ import annotations

import copy
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csflow import DeskConfig
from csflow.errors import ConfigError, CsflowError
from csflow.events import AgentPresenceChanged, Event, TicketAssigned
from csflow.sim import (
    AgentGroup,
    Arrivals,
    Empirical,
    RatePeriod,
    Scenario,
    Shift,
    SimConfig,
    mmc_scenario,
    run_scenario,
    simulate,
)
from csflow.sim import engine as engine_module
from csflow.sim import scenario as scenario_module
from csflow.sweep import run_sweep

_START = datetime(2026, 1, 5, tzinfo=UTC)
_MIN = timedelta(minutes=1)
_HOUR = timedelta(hours=1)

_BASE: dict[str, Any] = {
    "start": "2026-01-05T00:00:00+00:00",
    "duration": "PT2H",
    "arrivals": {"rates": [["00:00", 50]], "channels": {"phone": 1}},
    "agents": [{"name": "a", "count": 3, "capacity": {"phone": 1}}],
}


def _sim(change: Callable[[dict[str, Any]], object] | None = None) -> dict[str, Any]:
    data = copy.deepcopy(_BASE)
    if change is not None:
        change(data)
    return data


def _path(build: Callable[[], object]) -> str:
    with pytest.raises(ConfigError) as caught:
        build()
    return caught.value.path


def _presence(events: list[Event], agent: str) -> list[tuple[timedelta, str | None, str]]:
    return [
        (e.at - _START, e.old, e.new)
        for e in events
        if isinstance(e, AgentPresenceChanged) and e.agent_id == agent
    ]


def _run(sim: dict[str, Any], seed: int = 1) -> tuple[Any, list[Event]]:
    events: list[Event] = []
    result = simulate(DeskConfig(), SimConfig.from_dict(sim), seed=seed, on_event=events.append)
    return result, events


# -- 1. the customers a run expects, and the tickets open at once ------------------------------


def test_the_bounds_are_the_documented_numbers() -> None:
    assert scenario_module.MAX_SIM_CUSTOMERS == 10_000_000
    assert scenario_module.MAX_SIM_OPEN == 1_000_000
    assert scenario_module.MAX_SIM_PRESENCE_CHANGES == 10_000_000


def test_expected_customers_integrate_the_rate_profile() -> None:
    arrivals = Arrivals(
        [RatePeriod(timedelta(0), 10), RatePeriod(12 * _HOUR, 30)], channels={"phone": 1}
    )
    # A day is 12 x 10 + 12 x 30 = 480; 36 hours add the next morning's 120; peak x2.
    assert arrivals.expected(36 * _HOUR, 2.0) == pytest.approx(1200)
    config = SimConfig(_START, 36 * _HOUR, arrivals, [], peak=2.0)
    assert config.expected_customers() == pytest.approx(1200)
    capped = SimConfig(_START, 36 * _HOUR, arrivals, [], peak=2.0, max_customers=50)
    assert capped.expected_customers() == 50


@pytest.mark.parametrize(
    ("change", "path"),
    [
        # 100,000 an hour is 2.4 million a day: five days are too many, a shorter run is not.
        (
            lambda d: d.update(duration="P5D", arrivals={"rates": [["00:00", 100_000]]}),
            "simulation.duration",
        ),
        # Ten million an hour (the highest rate) for two days: one day is too many already.
        (
            lambda d: d.update(duration="P2D", arrivals={"rates": [["00:00", 1e7]]}),
            "simulation.arrivals",
        ),
        # A cap above the bound is the field to lower.
        (
            lambda d: d.update(
                duration="P30D",
                arrivals={"rates": [["00:00", 1e6]]},
                max_customers=20_000_000,
            ),
            "simulation.max_customers",
        ),
    ],
)
def test_a_run_expecting_too_many_customers_is_refused_when_built(
    change: Callable[[dict[str, Any]], object], path: str
) -> None:
    # The review's backlog: ten million an hour for years is within the rate bound, and every
    # customer waits (~2 KB each): memory and time grew without limit.
    data = _sim(change)
    with pytest.raises(ConfigError, match=r"expects at most 10,000,000 customers") as caught:
        SimConfig.from_dict(data)
    assert caught.value.path == path
    with pytest.raises(ConfigError) as caught:
        Scenario("x", {}, data, 1).configs()
    assert caught.value.path == path


def test_a_cap_within_the_bound_makes_a_long_fast_run_acceptable() -> None:
    data = _sim(
        lambda d: d.update(duration="P30D", arrivals={"rates": [["00:00", 1e6]]}, max_customers=10)
    )
    assert SimConfig.from_dict(data).expected_customers() == 10


def test_mmc_scenario_refuses_more_customers_than_the_bound() -> None:
    with pytest.raises(ConfigError, match=r"'customers' must be at most 10,000,000"):
        mmc_scenario(1000, 900.0, customers=10_000_001)
    # The Erlang validation's batches are far below it.
    assert mmc_scenario(200, 180.0, customers=1_000_000).configs()[1].max_customers == 1_000_000


def test_a_run_whose_staffing_cannot_keep_up_stops_at_the_open_ticket_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # No agents: every customer waits.  With the bound lowered to 40 the run stops when the
    # 41st ticket would open, saying why, instead of holding every ticket until memory runs out.
    monkeypatch.setattr(engine_module, "MAX_SIM_OPEN", 40)
    data = _sim(lambda d: d.update(agents=[], arrivals={"rates": [["00:00", 3600]]}))
    seen: list[Event] = []
    with pytest.raises(ConfigError, match=r"the staffing cannot keep up: 40 tickets open") as c:
        simulate(DeskConfig(), SimConfig.from_dict(data), seed=1, on_event=seen.append)
    assert c.value.path == "agents"
    assert sum(1 for e in seen if type(e).__name__ == "TicketQueued") == 40
    # Tickets that close make room: one agent who resolves at once keeps the run going.
    quick = _sim(
        lambda d: d.update(
            duration="PT15M",
            arrivals={"rates": [["00:00", 3600]]},
            handle_time={"default": {"empirical": [0]}},
        )
    )
    result = simulate(DeskConfig(), SimConfig.from_dict(quick), seed=1)
    assert result.customers > 40


def test_a_sweep_names_the_scenario_whose_run_could_not_keep_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(engine_module, "MAX_SIM_OPEN", 40)
    good = _sim(lambda d: d.update(duration="PT15M", handle_time={"default": {"empirical": [0]}}))
    bad = _sim(lambda d: d.update(agents=[], arrivals={"rates": [["00:00", 3600]]}))
    grid = [Scenario(f"s{i}", {}, data, seed=1) for i, data in enumerate((good, good, bad))]
    with ThreadPoolExecutor(1) as pool, pytest.raises(ConfigError) as caught:
        run_sweep(grid, executor=pool)
    assert caught.value.path == "scenarios[2].simulation.agents"
    assert "cannot keep up" in str(caught.value)


# -- 2. the presence changes a configuration plans ---------------------------------------------


def _breaky(n: int) -> Shift:
    return Shift(breaks=[(k * 2 * _MIN, _MIN) for k in range(n)])


def test_a_group_planning_too_many_presence_changes_is_refused_when_built() -> None:
    # 100,000 agents x (2 + 2 x 50) changes: ten million and more desk commands (and heap
    # entries) from a config of a few hundred bytes.
    with pytest.raises(ConfigError, match=r"at most 10,000,000 presence changes") as caught:
        AgentGroup("a", 100_000, shifts=[_breaky(50)])
    assert caught.value.path == "shifts"
    data = _sim(
        lambda d: d.update(
            agents=[
                {
                    "name": "a",
                    "count": 100_000,
                    "shifts": [{"start": 0, "breaks": [[k * 120, 60] for k in range(50)]}],
                }
            ]
        )
    )
    assert _path(lambda: SimConfig.from_dict(data)) == "simulation.agents[0].shifts"
    assert AgentGroup("a", 1000, shifts=[_breaky(50)]).presence_changes() == 102


def test_groups_planning_too_many_presence_changes_together_are_refused() -> None:
    groups = [AgentGroup(name, 50_000, shifts=[_breaky(50)]) for name in ("a", "b")]
    arrivals = Arrivals.constant(10)
    assert _path(lambda: SimConfig(_START, _HOUR, arrivals, groups)) == "agents"


# -- 3. presence changes at one instant --------------------------------------------------------


def test_a_break_to_the_end_of_the_shift_never_makes_the_agent_available_at_the_end() -> None:
    # Shift 0-1 h, break from 45 min to its end, a line all along: the agent came back from
    # its break at 1 h, took a ticket from the line and went offline at the same instant.
    data = _sim(
        lambda d: d.update(
            arrivals={"rates": [["00:00", 60]]},
            handle_time={"default": {"empirical": ["PT10M"]}},
            agents=[
                {
                    "name": "a",
                    "count": 1,
                    "shifts": [{"start": 0, "end": "PT1H", "breaks": [["PT45M", "PT15M"]]}],
                }
            ],
        )
    )
    result, events = _run(data)
    assert [(at, new) for at, _, new in _presence(events, "a-0")] == [
        (timedelta(0), "offline"),
        (timedelta(0), "available"),
        (45 * _MIN, "away"),
        (_HOUR, "offline"),
    ]
    assigned = [e.at - _START for e in events if isinstance(e, TicketAssigned)]
    assert assigned
    assert max(assigned) < 45 * _MIN
    assert result.report.occupancy is not None
    assert result.report.occupancy <= 1.0


def test_a_break_from_the_start_of_the_shift_keeps_the_agent_from_work() -> None:
    # The whole shift (1 h-2 h) is a break: the agent used to be available for an instant at
    # 1 h, take work from the line and handle it on its break.
    data = _sim(
        lambda d: d.update(
            arrivals={"rates": [["00:00", 60]]},
            agents=[
                {
                    "name": "a",
                    "count": 1,
                    "shifts": [{"start": "PT1H", "end": "PT2H", "breaks": [["PT1H", "PT1H"]]}],
                }
            ],
        )
    )
    result, events = _run(data)
    assert [(at, new) for at, _, new in _presence(events, "a-0")] == [
        (timedelta(0), "offline"),
        (_HOUR, "away"),
        (2 * _HOUR, "offline"),
    ]
    assert not any(isinstance(e, TicketAssigned) for e in events)
    assert result.report.answered == 0


def test_back_to_back_shifts_and_overlapping_breaks_plan_one_change_an_instant() -> None:
    group = AgentGroup(
        "a",
        1,
        shifts=[
            Shift(timedelta(0), _HOUR, breaks=[(10 * _MIN, 20 * _MIN), (20 * _MIN, 20 * _MIN)]),
            Shift(_HOUR, 2 * _HOUR),
        ],
    )
    config = SimConfig(_START, 2 * _HOUR, Arrivals.constant(20), [group])
    events: list[Event] = []
    simulate(DeskConfig(), config, seed=1, on_event=events.append)
    # Away from 10 to 40 minutes (the breaks join), and on through 1 h (the next shift starts
    # where the first ends).
    assert [(at, new) for at, _, new in _presence(events, "a-0")] == [
        (timedelta(0), "offline"),
        (timedelta(0), "available"),
        (10 * _MIN, "away"),
        (40 * _MIN, "available"),
        (2 * _HOUR, "offline"),
    ]
    assert group.shifts[0].on_time() == 30 * _MIN  # the overlap counted once


# -- 4. occupancy is at most 1 -----------------------------------------------------------------


def test_a_call_held_through_a_break_keeps_occupancy_at_most_one() -> None:
    # One agent, a line all the time, ten-minute calls, three-minute breaks while it holds a
    # call: the series read 2.5 and the report 1.17 (busy time on the break, no available time).
    data = _sim(
        lambda d: d.update(
            duration="PT1H",
            arrivals={"rates": [["00:00", 600]]},
            handle_time={"default": {"empirical": ["PT10M"]}},
            agents=[
                {
                    "name": "a",
                    "count": 1,
                    "shifts": [
                        {
                            "start": 0,
                            "end": "PT1H",
                            "breaks": [["PT5M", "PT3M"], ["PT25M", "PT3M"], ["PT45M", "PT3M"]],
                        }
                    ],
                }
            ],
            interval="PT5M",
        )
    )
    result, _ = _run(data)
    rates = [rate for _, rate in result.occupancy_series]
    assert all(rate is None or rate <= 1.0 for rate in rates)
    assert rates[1] == 1.0  # the break's interval: the call's time is busy and available
    assert result.report.occupancy is not None
    assert 0.95 < result.report.occupancy <= 1.0


@st.composite
def _staffing(draw: st.DrawFn) -> dict[str, Any]:
    """One to three groups with random non-overlapping shifts, breaks, waves and channels."""
    groups = []
    for g in range(draw(st.integers(1, 3))):
        shifts = []
        at = 0
        for _ in range(draw(st.integers(1, 3))):
            at += draw(st.sampled_from([0, 0, 5, 17, 30]))
            length = draw(st.sampled_from([10, 25, 40, 60, 90]))
            breaks = [
                [at + draw(st.integers(0, length)), draw(st.integers(1, 40))]
                for _ in range(draw(st.integers(0, 3)))
            ]
            breaks = [[b * 60, min(d, at + length - b) * 60] for b, d in breaks if b < at + length]
            end = None if draw(st.integers(0, 9)) == 0 else (at + length) * 60
            shifts.append({"start": at * 60, "end": end, "breaks": breaks})
            if end is None:
                break
            at += length
        capacity = draw(
            st.sampled_from([{"phone": 1}, {"chat": 2}, {"chat": 3, "phone": 1}, {"email": 2}])
        )
        groups.append(
            {
                "name": f"g{g}",
                "count": draw(st.integers(1, 3)),
                "capacity": capacity,
                "shifts": shifts,
                "break_waves": draw(st.integers(1, 3)),
                "break_gap": draw(st.sampled_from([0, 300, 1200])),
            }
        )
    return {
        "start": "2026-01-05T00:00:00+00:00",
        "duration": draw(st.sampled_from(["PT1H", "PT2H", "PT3H"])),
        "arrivals": {
            "rates": [["00:00", draw(st.sampled_from([20, 60, 150]))]],
            "channels": {"phone": 2, "chat": 2, "email": 1},
        },
        "handle_time": {"default": draw(st.sampled_from([120, 420, 900]))},
        "agents": groups,
        "interval": draw(st.sampled_from(["PT5M", "PT7M", "PT15M", "PT1H"])),
        "warmup": draw(st.sampled_from([0, 600])),
        "max_customers": draw(st.sampled_from([None, None, 40])),
    }


@given(_staffing(), st.integers(0, 3))
def test_occupancy_is_at_most_one_per_interval_and_overall(sim: dict[str, Any], seed: int) -> None:
    result, _ = _run(sim, seed)
    for at, rate in result.occupancy_series:
        assert rate is None or 0.0 <= rate <= 1.0, (at, rate)
    occupancy = result.report.occupancy
    assert occupancy is None or 0.0 <= occupancy <= 1.0


# -- 5. seeds ----------------------------------------------------------------------------------


class _Recording(Executor):
    """Runs each call at once, and notes it."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.calls.append(args[0].name)
        future: Future[Any] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def test_a_negative_seed_is_refused_wherever_it_enters() -> None:
    # random.Random(-3) is random.Random(3): "independent" replications 3 and -3 were one run.
    config = SimConfig.from_dict(_sim())
    with pytest.raises(ConfigError, match=r"'seed' must be an int >= 0, got -3"):
        simulate(DeskConfig(), config, seed=-3)
    with pytest.raises(ConfigError, match=r"'seed' must be an int >= 0, got -3"):
        Scenario("x", {}, _sim(), -3)
    with pytest.raises(ConfigError, match=r"'seed' must be an int >= 0, got -3"):
        mmc_scenario(3, 2.0, customers=50, seed=-3)
    good = mmc_scenario(3, 2.0, customers=50, seed=1)
    bad = mmc_scenario(3, 2.0, customers=50, seed=2)
    object.__setattr__(bad, "seed", -2)  # past the constructor's check, as a stale pickle may be
    pool = _Recording()
    with pytest.raises(ConfigError, match=r"^scenarios\[1\]\.seed: expected an int >= 0, got -2"):
        run_sweep([good, bad], executor=pool)
    assert pool.calls == []
    assert simulate(DeskConfig(), config, seed=0).seed == 0


# -- 6. an escalation to a team the desk does not have -----------------------------------------

_ESCALATING = _sim(
    lambda d: d.update(
        arrivals={"rates": [["00:00", 30]], "categories": {"refund": 1}},
        escalations=[
            {"category": "refund", "team": "front", "probability": 0.1},
            {"category": "refund", "team": "finance", "probability": 0.3},
        ],
    )
)
_FRONT_DESK: dict[str, Any] = {
    "queues": [{"name": "general"}, {"name": "finance"}],
    "routing_profiles": [
        {"name": "front", "queues": ["general"]},
        {"name": "finance", "queues": ["finance"]},
    ],
    "teams": {"front": {"queue": "general", "routing_profile": "front"}},
}
_BOTH_DESK: dict[str, Any] = {
    **_FRONT_DESK,
    "teams": {
        "front": {"queue": "general", "routing_profile": "front"},
        "finance": {"queue": "finance", "routing_profile": "finance"},
    },
}


def test_an_escalation_team_the_desk_lacks_is_refused_before_any_run() -> None:
    # It passed Scenario.configs and run_sweep's checks and failed in the middle of the sweep,
    # after the earlier runs were paid for, without saying which scenario.
    bad = Scenario("bad", _FRONT_DESK, _ESCALATING, 1)
    with pytest.raises(ConfigError, match=r"escalation team 'finance' is not a team") as caught:
        bad.configs()
    assert caught.value.path == "simulation.escalations[1].team"
    good = mmc_scenario(3, 2.0, customers=50, seed=1)
    pool = _Recording()
    with pytest.raises(ConfigError) as caught:
        run_sweep([good, good, bad], executor=pool)
    assert caught.value.path == "scenarios[2].simulation.escalations[1].team"
    assert pool.calls == []
    desk, sim = Scenario("ok", _BOTH_DESK, _ESCALATING, 1).configs()
    sim.check_desk(desk)
    with pytest.raises(ConfigError) as caught:
        SimConfig.from_dict(_ESCALATING).check_desk(DeskConfig.from_dict(_FRONT_DESK))
    assert caught.value.path == "escalations[1].team"
    with pytest.raises(ConfigError) as caught:
        simulate(DeskConfig.from_dict(_FRONT_DESK), SimConfig.from_dict(_ESCALATING))
    assert caught.value.path == "escalations[1].team"


# -- 7. overlapping shifts ---------------------------------------------------------------------


def test_overlapping_shifts_of_a_group_are_refused() -> None:
    # 0-2 h and 1-3 h: the agent went offline at 2 h, and the hour of the second shift after
    # it silently vanished.
    with pytest.raises(ConfigError, match=r"shifts must not overlap") as caught:
        AgentGroup("a", 1, shifts=[Shift(timedelta(0), 2 * _HOUR), Shift(_HOUR, 3 * _HOUR)])
    assert caught.value.path == "shifts[1]"
    # Given in any order, the later-starting one is named; an open-ended shift overlaps any
    # shift after it.
    assert (
        _path(lambda: AgentGroup("a", 1, shifts=[Shift(_HOUR, 3 * _HOUR), Shift(timedelta(0))]))
        == "shifts[0]"
    )
    data = _sim(
        lambda d: d["agents"][0].update(
            shifts=[{"start": 0, "end": "PT2H"}, {"start": "PT1H", "end": "PT3H"}]
        )
    )
    assert _path(lambda: SimConfig.from_dict(data)) == "simulation.agents[0].shifts[1]"
    AgentGroup("a", 1, shifts=[Shift(timedelta(0), _HOUR), Shift(_HOUR, 2 * _HOUR)])


# -- 8. mixes ----------------------------------------------------------------------------------


def test_mix_weights_whose_total_overflows_are_refused() -> None:
    # Each weight is finite, their total is not: every customer went to one channel.
    with pytest.raises(ConfigError, match=r"total is finite"):
        Arrivals.constant(10, channels={"phone": 1e308, "chat": 1e308})
    data = _sim(lambda d: d["arrivals"].update(channels={"phone": 1e308, "chat": 1e308}))
    assert _path(lambda: SimConfig.from_dict(data)) == "simulation.arrivals.channels"
    Arrivals.constant(10, channels={"phone": 1e307, "chat": 1e307})


# -- 9. errors that were not CsflowErrors ------------------------------------------------------


def test_bad_values_raise_config_errors_not_python_ones() -> None:
    arrivals = Arrivals.constant(1)
    assert _path(lambda: SimConfig(_START, timedelta.max, arrivals, [])) == "duration"
    for values in (None, 5):
        with pytest.raises(ConfigError, match=r"'values' must be a sequence of durations"):
            Empirical(values)  # type: ignore[arg-type]
    config = SimConfig.from_dict(_sim())
    seen: list[Event] = []
    with pytest.raises(ConfigError, match=r"progress must be callable, got 5"):
        simulate(DeskConfig(), config, progress=5, on_event=seen.append)  # type: ignore[arg-type]
    assert seen == []  # refused before the run, not after it


# -- 10. error paths ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d.update(max_customers=0), "simulation.max_customers"),
        (lambda d: d["agents"][0].update(count=-1), "simulation.agents[0].count"),
        (lambda d: d["agents"][0].update(count=10**9), "simulation.agents[0].count"),
        (
            lambda d: d["agents"][0].update(capacity={"phone": 5000}),
            "simulation.agents[0].capacity.phone",
        ),
        (lambda d: d["agents"][0].update(skills={"x": 9}), "simulation.agents[0].skills.x"),
        (lambda d: d["agents"][0].update(teams=["Front"]), "simulation.agents[0].teams[0]"),
        (lambda d: d["agents"].append({"name": "a", "count": 1}), "simulation.agents[1].name"),
        (lambda d: d.update(handle_time={"chat": 60}), "simulation.handle_time"),
        (lambda d: d.update(start="0001-01-01T00:00:00+14:00"), "simulation.start"),
        (
            lambda d: d["arrivals"].update(rates=[["00:00", 1], ["08:00", 1], ["06:00", 1]]),
            "simulation.arrivals.rates[2]",
        ),
        (lambda d: d["arrivals"].update(rates=[["01:00", 1]]), "simulation.arrivals.rates[0]"),
    ],
)
def test_errors_name_the_field(change: Callable[[dict[str, Any]], object], path: str) -> None:
    assert _path(lambda: SimConfig.from_dict(_sim(change))) == path


def test_no_languages_read_the_same_from_data_and_from_python() -> None:
    # `Arrivals(languages={})` is documented ("or empty for tickets without a language") and
    # accepted; the file's `languages: {}` was refused.
    empties: list[object] = [{}, []]
    for empty in empties:
        data = _sim()
        data["arrivals"]["languages"] = empty
        assert SimConfig.from_dict(data).arrivals.languages == ()
    assert Arrivals.constant(10, languages={}).languages == ()
    with pytest.raises(ConfigError):
        Arrivals.constant(10, languages="id")


# -- 11. the drain's rows of the SLA series ----------------------------------------------------


def test_the_sla_series_lists_only_the_drain_intervals_that_decided_a_cycle() -> None:
    desk = DeskConfig.from_dict(
        {
            "calendars": {"24x7": {"timezone": "UTC", "always_open": True}},
            "sla_policies": [
                {
                    "name": "p",
                    "calendar": "24x7",
                    "targets": {"first_response": "PT1H", "resolution": "PT20H"},
                }
            ],
            "default_sla_policy": "p",
        }
    )
    data = _sim(
        lambda d: d.update(
            duration="PT1H",
            arrivals={"rates": [["00:00", 20]]},
            handle_time={"default": 60},
            agents=[{"name": "a", "count": 5, "shifts": [{"start": "PT10H"}]}],
            interval="PT1H",
        )
    )
    result = simulate(desk, SimConfig.from_dict(data), seed=1)
    # The horizon's row, then the breaches at 1-2 h and the late answers at 10 h: not the
    # eight quiet hours between, which `sla_series` used to list as empty rows.
    assert [row.start - _START for row in result.sla_series] == [timedelta(0), _HOUR, 10 * _HOUR]
    assert all(row.met + row.breached > 0 for row in result.sla_series[1:])
    met = sum(row.met for row in result.sla_series)
    breached = sum(row.breached for row in result.sla_series)
    assert (met, breached) == (result.report.sla.met, result.report.sla.breached)


def test_every_error_of_this_review_is_a_csflow_error() -> None:
    # The review's crashes, together: each is a CsflowError now.
    for build in (
        lambda: SimConfig(_START, timedelta.max, Arrivals.constant(1), []),
        lambda: Empirical(None),  # type: ignore[arg-type]
        lambda: run_scenario(Scenario("x", {}, _sim(), -1)),
    ):
        with pytest.raises(CsflowError):
            build()
