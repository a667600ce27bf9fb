"""The simulator: determinism, Erlang C, arrivals, patience, shifts, escalation, config errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from csflow.desk import DeskConfig
from csflow.errors import ConfigError
from csflow.sim import (
    AgentGroup,
    Arrivals,
    Empirical,
    Exponential,
    LogNormal,
    RatePeriod,
    Scenario,
    Shift,
    SimConfig,
    mmc_scenario,
    run_scenario,
    simulate,
)
from csflow.staffing import average_speed_of_answer, service_level

T0 = datetime(2026, 3, 16, tzinfo=UTC)


def _config(**kw: Any) -> SimConfig:
    base: dict[str, Any] = {
        "start": T0,
        "duration": timedelta(hours=2),
        "arrivals": Arrivals.constant(60),
        "agents": [AgentGroup("a", 3)],
    }
    base.update(kw)
    return SimConfig(**base)


def test_a_seeded_run_is_deterministic_and_the_seed_matters() -> None:
    cfg = _config(patience={"default": Exponential(timedelta(minutes=2))})
    one = simulate(DeskConfig(), cfg, seed=5)
    two = simulate(DeskConfig(), cfg, seed=5)
    other = simulate(DeskConfig(), cfg, seed=6)
    assert one.report.to_dict() == two.report.to_dict()
    assert one.sla_series == two.sla_series
    assert (one.customers, one.commands, one.events) == (two.customers, two.commands, two.events)
    assert one.report.to_dict() != other.report.to_dict()


def test_mmc_reproduces_erlang_c() -> None:
    # A statistical check, small enough for CI: 10 agents at 8 Erlang, AHT 6 minutes.  The
    # full validation (>= 1,000,000 customers, ±0.01) is benchmarks/erlang_validation.py.
    # The mean over three seeds: one run of 6000 customers at this load strays by up to
    # about 0.06 from Erlang's service level.
    aht = timedelta(minutes=6)
    expected = service_level(10, 8.0, aht, timedelta(seconds=20))
    erl = average_speed_of_answer(10, 8.0, aht)
    levels, asas = [], []
    for seed in (1, 2, 3):
        sc = mmc_scenario(10, 8.0, aht, customers=6000, warmup=timedelta(hours=1), seed=seed)
        report = run_scenario(sc).report
        assert report.service_level is not None
        asa = report.average_speed_of_answer
        assert asa is not None
        levels.append(report.service_level)
        asas.append(asa.total_seconds())
        assert report.abandoned == 0
        assert report.offered == report.answered
    assert abs(sum(levels) / 3 - expected) < 0.05
    assert abs(sum(asas) / 3 - erl.total_seconds()) < 0.35 * erl.total_seconds()


def test_mmc_with_too_few_agents_is_far_from_erlang_c() -> None:
    # The same check must be able to fail: an overloaded desk answers far fewer within 20 s.
    sc = mmc_scenario(7, 8.0, customers=1500, seed=11)
    report = run_scenario(sc).report
    assert report.service_level is not None
    assert (
        report.service_level
        < service_level(10, 8.0, timedelta(minutes=6), timedelta(seconds=20)) - 0.2
    )


def test_arrivals_follow_the_piecewise_rate_and_the_peak_multiplier() -> None:
    rates = Arrivals(
        (
            RatePeriod(timedelta(0), 0),
            RatePeriod(timedelta(hours=1), 600),
            RatePeriod(timedelta(hours=2), 0),
        )
    )
    # Nobody answers: the queue-length series steps up at every arrival.
    cfg = _config(duration=timedelta(hours=3), arrivals=rates, agents=[])
    base = simulate(DeskConfig(), cfg, seed=1)
    peak = simulate(
        DeskConfig(), _config(duration=timedelta(hours=3), arrivals=rates, peak="12.12"), seed=1
    )
    steps = base.report.queue_length
    assert len(steps) == base.customers
    assert steps[0][0] >= T0 + timedelta(hours=1)
    assert steps[-1][0] < T0 + timedelta(hours=2)
    # Poisson(600): within 5 standard deviations.
    assert abs(base.customers - 600) < 5 * 600**0.5
    assert abs(peak.customers - 3.5 * 600) < 5 * (3.5 * 600) ** 0.5
    assert rates.per_hour_at(timedelta(hours=25, minutes=30)) == 600


def test_impatient_customers_abandon_when_nobody_works() -> None:
    cfg = _config(
        agents=[AgentGroup("a", 2, shifts=[Shift(timedelta(hours=5), timedelta(hours=6))])],
        patience={"default": LogNormal(timedelta(minutes=5), 0.5)},
    )
    report = simulate(DeskConfig(), cfg, seed=2).report
    assert report.offered > 50
    assert report.abandoned == report.offered
    assert report.answered == 0
    assert report.abandonment_rate == 1.0


def test_customers_wait_for_the_shift_to_start() -> None:
    cfg = _config(
        duration=timedelta(hours=1),
        agents=[AgentGroup("a", 20, shifts=[Shift(timedelta(hours=2), timedelta(hours=9))])],
        handle_time={"default": Empirical([timedelta(seconds=30)])},
    )
    report = simulate(DeskConfig(), cfg, seed=3).report
    assert report.answered == report.offered > 0
    asa = report.average_speed_of_answer
    assert asa is not None
    assert asa >= timedelta(hours=1)


def test_agents_on_break_take_no_work() -> None:
    lunch = Shift(timedelta(0), timedelta(hours=4), [(timedelta(hours=1), timedelta(hours=2))])
    cfg = _config(
        duration=timedelta(hours=4),
        arrivals=Arrivals(
            (
                RatePeriod(timedelta(0), 0),
                RatePeriod(timedelta(hours=1, minutes=10), 30),
                RatePeriod(timedelta(hours=1, minutes=20), 0),
            )
        ),
        agents=[AgentGroup("a", 5, shifts=[lunch])],
    )
    report = simulate(DeskConfig(), cfg, seed=4).report
    assert report.offered > 0
    assert report.answered == report.offered
    asa = report.average_speed_of_answer
    # Everyone arrived between 01:10 and 01:20 and waited for the break to end at 03:00.
    assert asa is not None
    assert asa >= timedelta(hours=1, minutes=40)


def test_escalations_send_tickets_to_the_team() -> None:
    desk = DeskConfig.from_dict(
        {
            "queues": [{"name": "general"}, {"name": "finance"}],
            "routing_profiles": [
                {"name": "front", "queues": ["general"]},
                {"name": "finance", "queues": ["finance"]},
            ],
            "teams": {
                "front": {"queue": "general", "routing_profile": "front"},
                "finance": {"queue": "finance", "routing_profile": "finance"},
            },
        }
    )
    cfg = SimConfig.from_dict(
        {
            "start": "2026-03-16T00:00:00+07:00",
            "duration": "PT2H",
            "arrivals": {"rates": [["00:00", 30]], "categories": {"refund": 1}},
            "agents": [
                {"name": "front", "count": 3, "teams": ["front"]},
                {"name": "fin", "count": 3, "teams": ["finance"]},
            ],
            "escalations": [{"category": "refund", "team": "finance", "probability": 1.0}],
        }
    )
    report = simulate(desk, cfg, seed=1).report
    assert report.offered > 0
    assert report.escalations == report.offered
    assert report.resolved == report.offered


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"duration": "PT1H"}, r"simulation\.start: expected an ISO 8601 instant"),
        ({"start": "2026-03-16T00:00:00"}, r"simulation\.start: expected an ISO 8601 instant"),
        (
            {"start": "2026-03-16T00:00:00+07:00", "duration": "PT1H", "arrivals": {"rates": []}},
            r"simulation\.arrivals\.rates: 'rates' must start with a period at 0",
        ),
        (
            {
                "start": "2026-03-16T00:00:00+07:00",
                "duration": "PT1H",
                "arrivals": {"rates": [["25:00", 3]]},
            },
            r"arrivals\.rates\[0\]: expected a time of day",
        ),
        (
            {
                "start": "2026-03-16T00:00:00+07:00",
                "duration": "PT1H",
                "arrivals": {"rates": [["00:00", 3]]},
                "peak": "13.13",
            },
            r"simulation\.peak: unknown peak day '13\.13'",
        ),
        (
            {
                "start": "2026-03-16T00:00:00+07:00",
                "duration": "PT1H",
                "arrivals": {"rates": [["00:00", 3]]},
                "handle_time": {"default": {"weibull": 3}},
            },
            r"handle_time\.default: unknown distribution 'weibull'",
        ),
        (
            {
                "start": "2026-03-16T00:00:00+07:00",
                "duration": "PT1H",
                "arrivals": {"rates": [["00:00", 3]]},
                "agents": [{"name": "a", "count": -1}],
            },
            r"simulation\.agents\[0\]\.count: 'count' must be an int >= 0, got -1",
        ),
        (
            {
                "start": "2026-03-16T00:00:00+07:00",
                "duration": "PT1H",
                "arrivals": {"rates": [["00:00", 3]]},
                "bogus": 1,
            },
            r"simulation: unknown key 'bogus'",
        ),
    ],
)
def test_config_errors_name_the_path(data: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        SimConfig.from_dict(data)


def test_an_escalation_to_an_unknown_team_is_refused() -> None:
    cfg = SimConfig.from_dict(
        {
            "start": "2026-03-16T00:00:00+07:00",
            "duration": "PT1H",
            "arrivals": {"rates": [["00:00", 3]]},
            "escalations": [{"category": "general", "team": "legal", "probability": 0.5}],
        }
    )
    with pytest.raises(ConfigError, match=r"escalation team 'legal' is not a team"):
        simulate(DeskConfig(), cfg)


def test_scenario_errors_carry_the_desk_path() -> None:
    with pytest.raises(ConfigError, match=r"desk\.config: unknown key 'queuez'"):
        run_scenario(Scenario("x", {"queuez": []}, {}, 0))


def test_progress_is_reported_up_to_one() -> None:
    seen: list[float] = []
    simulate(DeskConfig(), _config(duration=timedelta(hours=8)), seed=1, progress=seen.append)
    assert seen[-1] == 1.0
    assert seen == sorted(seen)


def _three_days(agents: AgentGroup) -> SimConfig:
    return SimConfig(
        start=T0, duration=timedelta(days=3), arrivals=Arrivals.constant(10), agents=[agents]
    )


def test_agents_without_shifts_work_the_whole_simulation() -> None:
    # 10 contacts/hour, 6-minute handling: one Erlang of load on 3 agents.  Agents whose shifts
    # are left out must stay for all three days (and the drain), not go home after the first.
    result = simulate(DeskConfig(), _three_days(AgentGroup("a", 3)), seed=3)
    report = result.report
    assert result.customers > 600
    assert report.answered >= result.customers - 2
    assert report.abandoned == 0
    # The same from plain data: a shift without an end lasts to the end of the simulation.
    data = {
        "start": T0.isoformat(),
        "duration": "P3D",
        "arrivals": {"rates": [["00:00", 10]]},
        "agents": [{"name": "a", "count": 3, "shifts": [{"start": 0}]}],
    }
    again = simulate(DeskConfig(), SimConfig.from_dict(data), seed=3)
    assert again.report.answered == report.answered
    assert (
        simulate(
            DeskConfig(),
            SimConfig.from_dict({**data, "agents": [{"name": "a", "count": 3}]}),
            seed=3,
        ).report
        == report
    )


def test_an_open_ended_shift_keeps_its_breaks_and_its_start() -> None:
    shift = Shift(timedelta(hours=1), breaks=[(timedelta(hours=30), timedelta(hours=1))])
    assert shift.end is None
    assert shift.on_time() is None
    assert Shift().end is None
    with pytest.raises(ConfigError, match="break"):
        Shift(timedelta(hours=2), breaks=[(timedelta(hours=1), timedelta(hours=1))])
    result = simulate(DeskConfig(), _three_days(AgentGroup("a", 3, shifts=[shift])), seed=3)
    assert result.report.answered >= result.customers - 2


def test_the_sla_series_has_a_row_for_every_interval_quiet_ones_included() -> None:
    """A quiet hour is a row with nothing decided (``rate`` ``None``), as the how-to's "one
    row per interval" promises; it was left out, so a plot joined its neighbours across it."""
    desk_config = DeskConfig.from_dict(
        {
            "calendars": {"all": {"timezone": "UTC", "always_open": True}},
            "sla_policies": [
                {"name": "p", "calendar": "all", "targets": {"first_response": "PT5M"}}
            ],
            "default_sla_policy": "p",
        }
    )
    quiet_middle = Arrivals(
        (
            RatePeriod(timedelta(0), 60),
            RatePeriod(timedelta(hours=1), 0),
            RatePeriod(timedelta(hours=2), 60),
        )
    )
    three_hours = _config(
        duration=timedelta(hours=3), arrivals=quiet_middle, agents=[AgentGroup("a", 10)]
    )
    result = simulate(desk_config, three_hours, seed=3)
    series = result.sla_series
    assert [row.start for row in series] == [T0 + k * timedelta(minutes=30) for k in range(6)]
    # Nobody arrived from 01:00 to 02:00 and nobody was waiting: two rows with nothing decided.
    assert [(r.met, r.breached, r.rate) for r in series[2:4]] == [(0, 0, None), (0, 0, None)]
    assert all(r.met > 0 for r in series[:2] + series[4:])
    assert sum(r.met for r in series) == result.report.sla.met
