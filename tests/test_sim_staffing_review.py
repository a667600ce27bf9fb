"""Worked examples from the simulator and staffing acceptance review: the bounds on a run's
series, its drain and its instants, the bound on agents in the Erlang formulas, constructors
that refuse bad values when they are built, seeds checked before a sweep runs, the messages
of the simulation reader, and the sample day's description.

The new bounds are written out as numbers here (100,000 intervals, a drain of 365 days,
100,000,000 agents): they are the documented contract, and a test that imported them would
say nothing about a release that lacks them.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

from cli_runner import run_cli
from csflow import DeskConfig
from csflow.errors import ConfigError
from csflow.events import Event, TicketResolved
from csflow.samples import demo_simulation_data, jakarta_office_calendar
from csflow.sim import (
    AgentGroup,
    Arrivals,
    EscalationRule,
    Exponential,
    RatePeriod,
    Scenario,
    Shift,
    SimConfig,
    mmc_scenario,
    simulate,
)
from csflow.sim import scenario as scenario_module
from csflow.staffing import (
    agents_for_service_level,
    average_speed_of_answer,
    erlang_a,
    erlang_b,
    erlang_c,
    occupancy,
    service_level,
)
from csflow.sweep import run_sweep

_START = datetime(2026, 3, 16, tzinfo=UTC)
_HOUR = timedelta(hours=1)
_AHT = timedelta(minutes=3)
_TARGET = timedelta(seconds=20)


def _config(**changes: Any) -> SimConfig:
    fields: dict[str, Any] = {
        "start": _START,
        "duration": _HOUR,
        "arrivals": Arrivals.constant(5),
        "agents": [AgentGroup("a", 1)],
    }
    fields.update(changes)
    return SimConfig(**fields)


def _data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "start": "2026-03-16T08:00:00+07:00",
        "duration": "PT1H",
        "arrivals": {"rates": [["00:00", 10]]},
        "agents": [{"name": "a"}],
    }
    data.update(changes)
    return data


# -- 1. the series, the drain and the handlings are bounded -----------------------------------


@pytest.mark.parametrize(
    ("changes", "path", "count"),
    [
        ({"interval": "PT0.000001S"}, "simulation.interval", "3,600,000,000"),
        ({"interval": "PT0.001S"}, "simulation.interval", "3,600,000"),
        ({"duration": "P999999D"}, "simulation.duration", "47,999,952"),
    ],
)
def test_a_horizon_of_too_many_intervals_is_refused_when_read(
    changes: dict[str, Any], path: str, count: str
) -> None:
    # One row per interval: a microsecond interval or a 999,999-day horizon filled memory.
    with pytest.raises(ConfigError, match=rf"^{path}: the horizon must hold at most 100,000 ") as e:
        SimConfig.from_dict(_data(**changes))
    assert f"got {count} " in str(e.value)


def test_a_horizon_of_too_many_intervals_is_refused_when_built() -> None:
    with pytest.raises(ConfigError, match=r"^interval: the horizon must hold at most 100,000 "):
        _config(interval=timedelta(microseconds=1))
    with pytest.raises(ConfigError, match=r"^duration: the horizon must hold at most 100,000 "):
        _config(duration=timedelta(days=999_999), arrivals=Arrivals.constant(0))
    # The bound, as the documented contract.
    assert getattr(scenario_module, "MAX_SIM_INTERVALS", None) == 100_000
    assert getattr(scenario_module, "MAX_DRAIN", None) == timedelta(days=365)


def test_a_year_at_fifteen_minutes_and_the_bound_itself_are_accepted() -> None:
    year = _config(duration=timedelta(days=365), interval=timedelta(minutes=15))
    assert year.duration // year.interval == 35_040
    _config(duration=100_000 * timedelta(minutes=1), interval=timedelta(minutes=1))
    with pytest.raises(ConfigError, match=r"^interval: "):
        _config(duration=100_001 * timedelta(minutes=1), interval=timedelta(minutes=1))


def test_the_drain_stops_a_year_after_the_horizon() -> None:
    # A handle time of 5,000 days (a deterministic draw): the series ran to its end, one row a
    # day for 5,000 days; the run now stops 365 days after the horizon, the ticket still taken.
    config = _config(
        duration=timedelta(days=1),
        interval=timedelta(days=1),
        max_customers=1,
        handle_time={"default": {"empirical": ["P5000D"]}},
    )
    seen: list[Event] = []
    result = simulate(DeskConfig(), config, seed=1, on_event=seen.append)
    assert result.customers == 1
    assert not any(isinstance(e, TicketResolved) for e in seen)
    assert len(result.occupancy_series) == 1 + 365
    assert result.occupancy_series[-1][0] == _START + timedelta(days=365)
    # The agent is busy (the handling counted to the stop) from its first interval on.
    assert [rate for _, rate in result.occupancy_series[1:]] == [1.0] * 365
    assert len(result.sla_series) == 1


def test_the_drain_adds_at_most_100_000_rows() -> None:
    # 100 intervals of 36 s, then a handling of 100 days: 240,000 intervals of drain before,
    # now the series stops after 100,000 of them (the report still has the whole run).
    config = _config(
        interval=timedelta(seconds=36),
        max_customers=1,
        handle_time={"default": {"empirical": ["P100D"]}},
    )
    result = simulate(DeskConfig(), config, seed=1)
    assert len(result.occupancy_series) == 100 + 100_000
    assert result.report.resolved == 1
    assert result.report.handle_time == timedelta(days=100)


def test_a_handling_over_several_intervals_fills_each_of_them() -> None:
    # One agent, one customer, a handling of 95 minutes over 30-minute intervals: a part of
    # the first, two whole ones, a part of the last -- 95 minutes in all.
    config = _config(
        duration=timedelta(hours=4),
        interval=timedelta(minutes=30),
        arrivals=Arrivals.constant(100),
        max_customers=1,
        handle_time={"default": {"empirical": ["PT95M"]}},
    )
    seen: list[Event] = []
    result = simulate(DeskConfig(), config, seed=3, on_event=seen.append)
    arrived = next(e.at for e in seen if type(e).__name__ == "TicketQueued")
    first = (arrived - _START) // timedelta(minutes=30)
    rows = result.occupancy_series
    busy = [rate for _, rate in rows]
    assert busy[first + 1] == busy[first + 2] == 1.0
    assert 0 < busy[first] < 1  # type: ignore[operator]
    assert 0 < busy[first + 3] < 1  # type: ignore[operator]
    total = sum((rate or 0.0) * 1800 for rate in busy)
    assert total == pytest.approx(95 * 60)
    assert all(rate == 0.0 for rate in busy[first + 4 :])


@attrs.frozen
class _Odd:
    """A distribution of the caller's own that draws one fixed value."""

    value: Any

    def sample(self, rng: random.Random, /) -> float:
        return self.value  # type: ignore[no-any-return]

    def mean_seconds(self) -> float:
        return 60.0


def test_an_endless_draw_ends_after_the_stop_and_a_bad_one_is_refused() -> None:
    # An infinite handle time raised OverflowError (round(inf)); it now ends after the stop.
    config = _config(max_customers=2, handle_time={"default": _Odd(math.inf)})
    result = simulate(DeskConfig(), config, seed=1)
    assert result.customers == 2
    assert result.report.resolved == 0
    for value in (math.nan, -5.0, "600"):
        bad = _config(max_customers=2, patience={"default": _Odd(value)})
        with pytest.raises(ConfigError, match=r"^patience: a patience distribution drew "):
            simulate(DeskConfig(), bad, seed=1)


def test_mmc_scenarios_keep_within_the_bounds() -> None:
    # A small load spreads 10,000 customers over 625,000 days: hour-long intervals would be
    # 15 million rows, so the scenario lengthens them.
    scenario = mmc_scenario(3, 0.0001)
    _, config = scenario.configs()
    assert config.duration / config.interval <= 100_000
    assert config.interval > _HOUR
    # An ordinary one keeps its hour-long intervals.
    assert mmc_scenario(12, 10.0).configs()[1].interval == _HOUR


# -- 2. the Erlang formulas take at most 100,000,000 agents -----------------------------------

_HUGE = 10**400


@pytest.mark.parametrize(
    "call",
    [
        lambda n: erlang_b(n, 5.0),
        lambda n: erlang_c(n, 5.0),
        lambda n: service_level(n, 5.0, _AHT, _TARGET),
        lambda n: average_speed_of_answer(n, 5.0, _AHT),
        lambda n: occupancy(n, 5.0),
        lambda n: erlang_a(n, 5.0, _AHT, timedelta(minutes=2), _TARGET),
    ],
    ids=["erlang_b", "erlang_c", "service_level", "asa", "occupancy", "erlang_a"],
)
def test_too_many_agents_are_refused(call: Callable[[int], object]) -> None:
    # erlang_b returned 0.0 and the others raised OverflowError (int too large for a float).
    for agents in (_HUGE, 100_000_001):
        with pytest.raises(ConfigError, match=r"^'agents' must be at most 100,000,000, got "):
            call(agents)
    call(100_000_000)


def test_every_load_the_formulas_take_can_be_staffed_within_the_bound() -> None:
    need = agents_for_service_level(1e7, _AHT, _TARGET, 0.8)
    assert need <= 100_000_000
    assert service_level(need, 1e7, _AHT, _TARGET) >= 0.8


def test_an_asa_longer_than_a_timedelta_holds_saturates() -> None:
    # A load a rounding error below the agents (what Hypothesis found for
    # test_asa_falls_with_agents): C x aht / (n - a) is past timedelta's range, which raised
    # OverflowError; it is timedelta.max now, and more agents still wait less.
    near = 399.99999999999994
    assert average_speed_of_answer(400, near, timedelta(seconds=5)) == timedelta.max
    assert average_speed_of_answer(401, near, timedelta(seconds=5)) < timedelta(seconds=5)


def test_the_cli_refuses_too_many_agents_as_bad_input() -> None:
    done = run_cli("staff", "--load", "10", "--agents", str(_HUGE))
    assert done.returncode == 2, done.stderr
    assert "csflow: error: --agents: expected at most 100,000,000 agents, got " in done.stderr
    assert "internal error" not in done.stderr


# -- 3. a run stays within the year 9999 ------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"start": "9999-12-31T00:00:00+00:00", "duration": "P10D"}, "simulation.start"),
        ({"start": "9998-12-01T00:00:00+00:00", "duration": "P60D"}, "simulation.duration"),
        (
            {"agents": [{"name": "a", "shifts": [{"start": 0, "end": "P2950000D"}]}]},
            "simulation.agents[0].shifts",
        ),
    ],
)
def test_a_run_past_the_year_9999_is_refused_when_read(changes: dict[str, Any], path: str) -> None:
    match = rf"^{re.escape(path)}: the simulation must end by the year 9999"
    with pytest.raises(ConfigError, match=match):
        SimConfig.from_dict(_data(**changes))


def test_a_run_past_the_year_9999_is_refused_when_built() -> None:
    with pytest.raises(ConfigError, match=r"^start: the simulation must end by the year 9999"):
        _config(start=datetime(9999, 12, 31, tzinfo=UTC), duration=timedelta(days=10))


def test_a_run_near_the_year_9999_drains_without_overflow() -> None:
    # A year before the limit, a handle time of 1,000 days: its end lay past the year 9999
    # (OverflowError); the run now stops within it.
    config = _config(
        start=datetime(9998, 6, 1, tzinfo=UTC),
        duration=timedelta(days=1),
        interval=timedelta(days=1),
        max_customers=1,
        handle_time={"default": {"empirical": ["P1000D"]}},
    )
    result = simulate(DeskConfig(), config, seed=1)
    assert result.customers == 1
    assert result.occupancy_series[-1][0] < datetime(9999, 12, 31, tzinfo=UTC)


def test_the_cli_refuses_a_run_past_the_year_9999_as_bad_input(tmp_path: Any) -> None:
    path = tmp_path / "y9999.json"
    path.write_text(
        '{"simulation": {"start": "9999-12-31T00:00:00+00:00", "duration": "P10D", '
        '"arrivals": {"rates": [["00:00", 5]]}, "agents": [{"name": "a"}]}}'
    )
    for command in ("simulate", "lint"):
        done = run_cli(command, str(path))
        assert done.returncode == 2, (command, done.stderr)
        assert "simulation.start: the simulation must end by the year 9999" in done.stderr


# -- 4. constructors refuse bad values when built ---------------------------------------------

_AN_HOUR = timedelta(hours=1)


# Untyped handles on the constructors, to call them with the wrong types as a caller may.
_shift: Any = Shift
_group: Any = AgentGroup
_arrivals: Any = Arrivals
_rule: Any = EscalationRule
_mmc: Any = mmc_scenario


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: _shift("PT1H"), r"^'start' must be a timedelta"),
        (lambda: _shift(timedelta(0), "PT1H"), r"^'end' must be a timedelta .* or None"),
        (lambda: _shift(timedelta(0), 2 * _AN_HOUR, [(_AN_HOUR,)]), r"^breaks\[0\] must be a"),
        (lambda: _shift(timedelta(0), 2 * _AN_HOUR, [("a", "b")]), r"^breaks\[0\] must be a"),
        (lambda: _shift(timedelta(0), 2 * _AN_HOUR, None), r"^'breaks' must be a sequence"),
        (lambda: _group("a", 1, capacity="chat"), r"^'capacity' must be a mapping"),
        (lambda: _group("a", 1, skills=["x"]), r"^'skills' must be a mapping"),
        (lambda: _group("a", 1, languages="id"), r"^'languages' must be a sequence"),
        (lambda: _group("a", 1, teams=[1]), r"^teams\[0\] must be a string"),
        (lambda: _group("a", 1, shifts=[{"start": 0}]), r"^shifts\[0\] must be a Shift"),
        (lambda: _group("a", 2, break_gap="PT1H"), r"^'break_gap' must be a datetime"),
        (lambda: _group("a", 10**12), r"^'count' must be at most 100,000, got"),
        (lambda: _group("a", 100_001), r"^'count' must be at most 100,000, got 100001$"),
        (lambda: _arrivals(5), r"^'rates' must be a sequence of RatePeriod, got 5$"),
        (lambda: _arrivals([(timedelta(0), 5)]), r"^rates\[0\] must be a RatePeriod"),
        (lambda: _rule("refund", None, 0.5), r"^'team' must be a non-empty string"),
        (lambda: _config(agents=None), r"^'agents' must be a sequence of AgentGroup"),
        (lambda: _config(agents=[{"name": "a"}]), r"^agents\[0\] must be an AgentGroup"),
        (lambda: _config(arrivals={"rates": []}), r"^'arrivals' must be an Arrivals"),
        (lambda: _config(escalations=[1]), r"^escalations\[0\] must be an EscalationRule"),
        (lambda: _config(handle_time={"default": "soon"}), r"^handle_time\.default: "),
        (lambda: _config(patience=5), r"^patience: expected a mapping"),
        (lambda: _config(reply_on_assign="yes"), r"^'reply_on_assign' must be True or False"),
        (
            lambda: _config(agents=[AgentGroup("a", 60_000), AgentGroup("b", 60_000)]),
            r"^agents: a simulation has at most 100,000 agents, got 120,000",
        ),
        (lambda: _mmc(3, 2.0, timedelta(0)), r"^'aht' must be a positive timedelta"),
        (lambda: _mmc(3, 2.0, "PT6M"), r"^'aht' must be a positive timedelta"),
        (lambda: _mmc(3, 2.0, timedelta(seconds=-5)), r"^'aht' must be a positive"),
        (lambda: _mmc(3, 2.0, customers=0), r"^'customers' must be an int >= 1, got 0$"),
        (lambda: _mmc(3, 2.0, customers=2.5), r"^'customers' must be an int >= 1"),
        (lambda: _mmc(3, 2.0, customers=True), r"^'customers' must be an int >= 1"),
        (lambda: _mmc(3, 2.0, customers=10**30), r"^'customers' must be at most 10,000,000"),
        (lambda: _mmc(3, 1e-300), r"^'customers' must arrive by the year 9999"),
        (lambda: _mmc(3, 2.0, service_target="20s"), r"^'service_target' must be a"),
        (lambda: _mmc(3, 2.0, warmup=timedelta(seconds=-1)), r"^'warmup' must not be"),
        (lambda: _mmc(3, 2.0, seed="x"), r"^'seed' must be an int, got 'x'$"),
        (lambda: _mmc(3, 2.0, sla="yes"), r"^'sla' must be True or False"),
        (lambda: _mmc(200_000, 2.0), r"^'agents' must be at most 100,000, got 200000$"),
    ],
)
def test_constructors_refuse_bad_values_when_built(build: Callable[[], object], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        build()


def test_good_values_still_build() -> None:
    shift = _shift(_AN_HOUR, 9 * _AN_HOUR, [[4 * _AN_HOUR, timedelta(minutes=30)]])
    assert shift.breaks == ((4 * _AN_HOUR, timedelta(minutes=30)),)
    group = AgentGroup("a", 2, languages=["id", "en"], teams=("front",), shifts=[shift])
    assert group.languages == ("id", "en")
    assert group.shifts == (shift,)
    arrivals = Arrivals([RatePeriod(timedelta(0), 5)], channels={"phone": 3, "chat": 1})
    config = _config(
        arrivals=arrivals,
        agents=(group,),
        handle_time={"default": Exponential(timedelta(minutes=4)), "chat": 300},
        escalations=[EscalationRule("refund", "finance", 0.2)],
    )
    assert dict(config.handle_time)["chat"] == Exponential(timedelta(minutes=5))


# -- 5. a sweep checks every seed before it runs ----------------------------------------------


class _Recording(Executor):
    """Runs each call at once, and notes it."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.calls.append(args[0].name)
        future: Future[Any] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def test_a_scenario_refuses_a_seed_that_is_not_an_int() -> None:
    for seed in ("7", True, 1.5, None):
        with pytest.raises(ConfigError, match=r"^'seed' must be an int, got "):
            Scenario("x", {}, _data(), seed)  # type: ignore[arg-type]


def test_a_sweep_checks_every_seed_before_any_run() -> None:
    good = mmc_scenario(5, 4.0, customers=50, seed=1)
    bad = mmc_scenario(5, 4.0, customers=50, seed=2)
    object.__setattr__(bad, "seed", "7")  # past the constructor's check, as a stale pickle may be
    pool = _Recording()
    with pytest.raises(ConfigError, match=r"^scenarios\[2\]\.seed: expected an int, got '7'$"):
        run_sweep([good, good, bad], executor=pool)
    assert pool.calls == []
    with ThreadPoolExecutor(1) as threads:
        assert [r.seed for r in run_sweep([good], executor=threads)] == [1]


# -- 6. the simulation reader's messages name the field and what it needs ---------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"warmup": -5}, "simulation.warmup: expected a non-negative duration, got -5"),
        ({"warmup": "PT0S"}, None),
        ({"interval": 0}, "simulation.interval: expected a positive duration, got 0"),
        ({"interval": "PT0M"}, "simulation.interval: expected a positive duration, got 'PT0M'"),
        ({"duration": 1e-9}, "simulation.duration: expected a positive duration, got 1e-09"),
        ({"service_target": -1}, "simulation.service_target: expected a non-negative duration"),
        (
            {"handle_time": {"default": {"exponential": 0}}},
            "simulation.handle_time.default.exponential: expected a positive duration, got 0",
        ),
        (
            {"handle_time": {"default": {"empirical": [-5]}}},
            "simulation.handle_time.default.empirical[0]: expected a non-negative duration, got -5",
        ),
        (
            {"handle_time": {"default": {"empirical": []}}},
            "simulation.handle_time.default.empirical: expected a list of at least one "
            "duration, got []",
        ),
        (
            {"handle_time": {"default": {"lognormal": {"mean": "PT6M", "sigma": -1}}}},
            "simulation.handle_time.default.lognormal.sigma: expected a non-negative number",
        ),
        ({"peak": True}, "simulation.peak: expected a finite number, got True"),
        ({"peak": "bogus"}, "simulation.peak: unknown peak day 'bogus'"),
        (
            {"agents": [{"name": "a", "shifts": [{"start": -60}]}]},
            "simulation.agents[0].shifts[0].start: expected a non-negative duration, got -60",
        ),
        (
            {"agents": [{"name": "a", "break_gap": "PT0S"}]},
            None,
        ),
        (
            {"arrivals": {"rates": [[-5, 10]]}},
            "simulation.arrivals.rates[0]: expected a non-negative duration, got -5",
        ),
    ],
)
def test_reader_messages_name_the_field_and_what_it_needs(
    changes: dict[str, Any], message: str | None
) -> None:
    if message is None:
        SimConfig.from_dict(_data(**changes))
        return
    with pytest.raises(ConfigError) as e:
        SimConfig.from_dict(_data(**changes))
    assert str(e.value).startswith(message)
    assert "a target must be" not in str(e.value)


# -- 7. the sample day ------------------------------------------------------------------------


def test_the_sample_day_is_described_as_the_calendar_has_it() -> None:
    # Monday 16 March 2026 is not the last working day before the closing: Tuesday is open
    # too, and the office closes on Wednesday 18 March.
    doc = demo_simulation_data.__doc__ or ""
    assert "last full working day" not in doc
    assert "Monday 16 March 2026" in doc
    assert "Wednesday 18 March" in doc
    assert demo_simulation_data()["start"].startswith("2026-03-16")
    calendar = jakarta_office_calendar()
    jakarta = ZoneInfo("Asia/Jakarta")
    opening = {
        day: calendar.is_open(datetime(2026, 3, day, 10, tzinfo=jakarta)) for day in (16, 17, 18)
    }
    assert opening == {16: True, 17: True, 18: False}
    assert date(2026, 3, 18).strftime("%A") == "Wednesday"


def test_shift_changes_after_the_drain_window_still_happen() -> None:
    # The run stops a year after the horizon *or* the last shift change, whichever is later:
    # an agent who goes offline 400 days on (mmc_scenario's agents leave ten years on) still
    # does, and the report ends there as it did before the bound.
    config = _config(agents=[AgentGroup("a", 1, shifts=[Shift(end=timedelta(days=400))])])
    result = simulate(DeskConfig(), config, seed=1)
    assert result.report.end == _START + timedelta(days=400)
