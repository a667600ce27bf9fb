"""Worked examples from the simulator's acceptance review: the report's occupancy, the arrival
rate bound, and what the drain leaves in line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from csflow import DeskConfig
from csflow.errors import ConfigError
from csflow.events import Event, TicketQueued, TicketResolved
from csflow.sim import (
    AgentGroup,
    Arrivals,
    Shift,
    SimConfig,
    SimResult,
    mmc_scenario,
    run_scenario,
    simulate,
)

_START = datetime(2026, 3, 16, tzinfo=UTC)
_HOUR = timedelta(hours=1)


def _window_totals(
    result: SimResult, slots: float, since: datetime, until: datetime, step: timedelta
) -> tuple[float, float]:
    """Busy and available seconds of the occupancy series' rows from *since*, for agents
    who hold *slots* contacts in all between them, the last row cut at *until*."""
    busy = available = 0.0
    for at, rate in result.occupancy_series:
        if at < since or at >= until:
            continue
        length = (min(at + step, until) - at).total_seconds() * slots
        available += length
        busy += (rate or 0.0) * length
    return busy, available


def test_the_occupancy_of_an_mmc_run_is_the_load_per_agent() -> None:
    # M/M/12 at 10 Erlang: agents are busy 10/12 of the time.  The report said 0.345: its
    # available time ran over the whole horizon (three days, of which the customers took 31
    # hours) instead of the time the report covers.  (The seed's handle times average a
    # little under six minutes, hence 0.80.)
    scenario = mmc_scenario(12, 10.0, customers=3000, seed=1)
    desk_config, sim_config = scenario.configs()
    seen: list[Event] = []
    result = simulate(desk_config, sim_config, seed=1, on_event=seen.append)
    report = result.report
    assert report.occupancy is not None
    assert abs(report.occupancy - 10 / 12) < 0.05
    # The window ends with the arrivals, not with the agents' shifts ten years on, and the
    # occupancy is the load the run realised: its customers' work over the agents' time.
    span = max(e.at for e in seen if isinstance(e, TicketQueued)) - sim_config.start
    assert report.available is not None
    assert report.available < 12 * span * 1.01
    assert report.handle_time / (12 * span) == pytest.approx(report.occupancy, abs=0.01)
    assert run_scenario(scenario).report.occupancy == report.occupancy


def test_an_overloaded_run_is_busy_all_the_time_it_drains_and_says_so() -> None:
    # One agent, 20 six-minute calls an hour for an hour (2 Erlang): the agent is busy from the
    # first call until the backlog is gone, more than two hours later.  The report said 2.27
    # (the drain's busy time over one hour of agent time) while the series said 0.90 and 1.0.
    cfg = SimConfig(
        start=_START, duration=_HOUR, arrivals=Arrivals.constant(20), agents=[AgentGroup("a", 1)]
    )
    seen: list[Event] = []
    result = simulate(DeskConfig(), cfg, seed=1, on_event=seen.append)
    report = result.report
    last = max(e.at for e in seen if isinstance(e, TicketResolved))
    assert last > _START + 2 * _HOUR
    # Busy from the first call to the last handling; idle only before the first call.
    assert report.available == last - _START
    assert report.occupancy is not None
    assert 0.9 < report.occupancy <= 1.0
    # The series covers the drain too, and summed over the same time says the same.  Its
    # last row counts the agent's time on shift over the whole interval (it stays on, idle
    # after the last handling), as every other row does.
    step = cfg.interval
    assert [at for at, _ in result.occupancy_series] == [_START + k * step for k in range(5)]
    assert all(rate == 1.0 for _, rate in result.occupancy_series[1:-1])
    at, rate = result.occupancy_series[-1]
    assert rate == pytest.approx((last - at) / step, rel=1e-9)
    end = at + step
    busy, available = _window_totals(result, 1, _START, end, step)
    idle_after = (end - last).total_seconds()  # after the report's window
    assert available - idle_after == pytest.approx(report.available.total_seconds())
    assert busy / (available - idle_after) == pytest.approx(report.occupancy, rel=1e-9)
    assert busy == pytest.approx(report.handle_time.total_seconds())


@pytest.mark.parametrize("warmup", [0, 5])
def test_a_warm_up_leaves_the_occupancy_where_it_was(warmup: int) -> None:
    # 12 agents, 100 six-minute calls an hour (10 Erlang), 10 hours.  With a 5-hour warm-up
    # the report said 0.408: the warm-up tickets' busy time was left out, their agent time
    # kept.  Now the report's busy time is set against the agents' idle time after the
    # warm-up only.
    cfg = SimConfig(
        start=_START,
        duration=10 * _HOUR,
        arrivals=Arrivals.constant(100),
        agents=[AgentGroup("a", 12)],
        warmup=warmup * _HOUR,
    )
    result = simulate(DeskConfig(), cfg, seed=1)
    report = result.report
    assert report.occupancy is not None
    assert abs(report.occupancy - 10 / 12) < 0.03
    # Available is the report's busy time plus the idle time the series measures from the
    # warm-up's end to the end of the arrivals.
    since, until = _START + warmup * _HOUR, _START + cfg.duration
    busy, available = _window_totals(result, 12, since, until, cfg.interval)
    assert available == 12 * (until - since).total_seconds()
    assert report.available is not None
    assert report.available.total_seconds() == pytest.approx(
        report.handle_time.total_seconds() + available - busy, abs=1e-3
    )
    # The work carried across the window's edges nearly balances: the series agrees.
    assert abs(report.occupancy - busy / available) < 0.01


def test_breaks_taken_in_waves_count_where_they_are_taken() -> None:
    # Two agents, an hour's break each, in two waves an hour apart (agent 0 from 1 h, agent 1
    # from 2 h), under a load that keeps every agent on shift busy.  Each hour has one agent
    # on: the series used to put both breaks in the second hour (no agent on: None) and none
    # in the third (two agents' time for one agent's work: 0.5).  An agent finishes what it
    # holds when its break or shift starts: that time counts as available (busy) time, so the
    # rows stay at most 1, and the last row, after the shifts, reads 1 (busy time, nobody on
    # shift).
    cfg = SimConfig(
        start=_START,
        duration=3 * _HOUR,
        arrivals=Arrivals.constant(200),
        agents=[
            AgentGroup(
                "a",
                2,
                shifts=[Shift(timedelta(0), 3 * _HOUR, breaks=[(_HOUR, _HOUR)])],
                break_waves=2,
                break_gap=_HOUR,
            )
        ],
        interval=_HOUR,
    )
    result = simulate(DeskConfig(), cfg, seed=3)
    rates = [rate for _, rate in result.occupancy_series]
    assert len(rates) == 4
    assert None not in rates[:3]
    assert all(0.95 < (rate or 0.0) <= 1.0 for rate in rates[1:3])
    assert rates[3] == 1.0


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"arrivals": Arrivals.constant(1e300)}, "arrivals.rates[0]"),
        ({"arrivals": Arrivals.constant(1e9)}, "arrivals.rates[0]"),
        ({"peak": 1e308}, "peak"),
        ({"arrivals": Arrivals.constant(1e300), "max_customers": 100}, "arrivals.rates[0]"),
    ],
)
def test_an_arrival_rate_no_desk_reaches_is_refused_up_front(
    kwargs: dict[str, object], path: str
) -> None:
    # These ran forever: gaps below the simulated clock's resolution, or 2e9 customers.
    base: dict[str, object] = {
        "start": _START,
        "duration": 2 * _HOUR,
        "arrivals": Arrivals.constant(50),
        "agents": [AgentGroup("a", 3)],
    }
    with pytest.raises(ConfigError, match=r"at most 1e\+07 contacts an hour") as err:
        SimConfig(**(base | kwargs))  # type: ignore[arg-type]
    assert err.value.path == path


def test_the_rate_bound_is_inclusive_and_named_in_plain_data_and_mmc() -> None:
    cfg = SimConfig(
        start=_START,
        duration=_HOUR,
        arrivals=Arrivals.constant(4e6),
        agents=[AgentGroup("a", 3)],
        peak=2.5,
        max_customers=10,
    )
    assert simulate(DeskConfig(), cfg, seed=1).customers == 10
    data = {
        "start": "2026-03-16T00:00:00+07:00",
        "duration": "PT2H",
        "peak": "12.12",
        "arrivals": {"rates": [["00:00", 40], ["01:00", 3e6]]},
    }
    with pytest.raises(ConfigError, match=r"got 3000000\.0 an hour x peak 3\.5") as err:
        SimConfig.from_dict(data)
    assert err.value.path == "simulation.peak"
    with pytest.raises(ConfigError, match=r"'load' must give at most 1e\+07 arrivals an hour"):
        mmc_scenario(3, 1e9)


@pytest.mark.parametrize(
    "agents",
    [
        [],
        [AgentGroup("a", 0)],
        [AgentGroup("a", 2, shifts=[Shift(timedelta(0), _HOUR)])],
        [AgentGroup("a", 2, capacity={"chat": 1})],
    ],
    ids=["no group", "no agent", "shifts end early", "no capacity for the channel"],
)
def test_the_drain_leaves_in_line_what_nobody_can_take_and_the_report_says_so(
    agents: list[AgentGroup],
) -> None:
    # The docs said every ticket in line is served or abandoned when the arrivals stop.  A
    # ticket that no agent can take any more, whose customer never gives up, stays in line.
    cfg = SimConfig(start=_START, duration=2 * _HOUR, arrivals=Arrivals.constant(50), agents=agents)
    result = simulate(DeskConfig(), cfg, seed=1)
    report = result.report
    assert report.waiting > 0
    assert report.offered == result.customers == report.answered + report.waiting
    assert report.abandoned == 0
    doc = SimConfig.__doc__ or ""
    assert "every ticket in line is served or abandoned" not in doc
    assert "``waiting``" in doc
