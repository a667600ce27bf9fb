"""Fixes from a review of the simulator: the arrival walk (fractional period starts, sparse
profiles), the simulation checked against its desk before any run (undeclared names,
escalations the desk refuses), error paths, and what the docs say about presence and
``waiting``."""

from __future__ import annotations

import bisect
import contextlib
import math
import random
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import csflow.sim.engine as engine
from csflow import DeskConfig
from csflow.errors import ConfigError, InvalidTransitionError, UndeclaredNameError
from csflow.events import AgentPresenceChanged, Event, TicketQueued
from csflow.sim import AgentGroup, Scenario, Shift, SimConfig, simulate
from csflow.sweep import run_sweep
from desks import FRONT_FIN_TECH, THREE_TEAMS

START = "2026-03-16T00:00:00+00:00"
T0 = datetime(2026, 3, 16, tzinfo=UTC)
DAY_US = 86_400 * 1_000_000


@contextlib.contextmanager
def ends_within(seconds: int) -> Iterator[None]:
    """Turn a run that would go on (for ever, or for days) into a failure: a guard against a
    hang, far above what the run takes, not a measure of its speed."""

    def expire(*_: object) -> None:
        raise AssertionError(f"the simulation was still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def arrivals(sim: dict[str, Any], seed: int = 1) -> list[int]:
    """The arrival instants of a run of *sim* (no agents: nobody is served), in µs since its
    start, in order."""
    seen: dict[str, int] = {}

    def note(e: Event) -> None:
        if isinstance(e, TicketQueued) and e.ticket_id not in seen:
            seen[e.ticket_id] = (e.at - T0) // timedelta(microseconds=1)

    with ends_within(60):
        result = simulate(DeskConfig(), SimConfig.from_dict(sim), seed=seed, on_event=note)
    assert result.customers == len(seen)
    return list(seen.values())


def profile_sim(rates: list[list[Any]], duration: str) -> dict[str, Any]:
    return {"start": START, "duration": duration, "arrivals": {"rates": rates}, "agents": []}


def in_positive_period(offset_us: int, rates: list[tuple[int, float]]) -> bool:
    """Whether *offset_us* lies in a period of a positive rate (its end included: an instant
    is rounded to the microsecond)."""
    tod = offset_us % DAY_US
    starts = [s for s, _ in rates]
    i = bisect.bisect_right(starts, tod) - 1
    if rates[i][1] > 0:
        return True
    # Rounded up onto the start of this (zero) period from the end of the one before (the
    # day's last, for the first).
    return tod == starts[i] and rates[i - 1][1] > 0


# Rate profiles: period starts in µs (the first at 0), rates per hour (many zeros).
profiles = st.lists(
    st.tuples(st.integers(1, DAY_US - 1), st.sampled_from([0.0, 0.0, 0.5, 3.0, 20.0])),
    max_size=6,
    unique_by=lambda p: p[0],
).map(lambda ps: [(0, 0.0), *sorted(ps)])


def as_rates(profile: list[tuple[int, float]]) -> list[list[Any]]:
    return [[s / 1_000_000 if s % 1_000_000 else s // 1_000_000, r] for s, r in profile]


# -- 1. a rate period that starts at a fractional second ---------------------------------------


def test_a_rate_period_from_a_fractional_second_runs_its_days() -> None:
    # The walk reached the second day's 0.7 s as day * 86400.0 + 0.7, which rounds below
    # 0.7 into the day: it found the zero period again and stayed there for good.
    got = arrivals(profile_sim([["00:00", 0], [0.7, 10]], "P2D"))
    assert all(t % DAY_US >= 700_000 for t in got)
    assert any(t >= DAY_US for t in got)  # the second day has its customers too
    assert abs(len(got) - 480) < 5 * math.sqrt(480)


@settings(max_examples=40)
@given(profiles, st.integers(1, 3), st.integers(0, 2**32))
def test_every_profile_ends_and_brings_customers_only_in_its_positive_periods(
    profile: list[tuple[int, float]], days: int, seed: int
) -> None:
    got = arrivals(profile_sim(as_rates(profile), f"P{days}D"), seed)
    assert got == sorted(got)
    assert all(0 <= t <= days * DAY_US for t in got)
    assert all(in_positive_period(t, profile) for t in got)


def reference_arrivals(profile: list[tuple[int, float]], horizon_s: float, seed: int) -> list[int]:
    """The walk as it was before the fix, for whole-second starts (which it walked without
    trouble): from each change of rate a fresh exponential draw, on the simulator's arrival
    stream (the first of the master generator's)."""
    master = random.Random(seed)
    rng = random.Random(master.getrandbits(128))
    starts = [s / 1_000_000 for s, _ in profile]
    rates = [r / 3600.0 for _, r in profile]
    out: list[int] = []
    t = 0.0
    while t < horizon_s:
        day = math.floor(t / 86_400.0)
        i = bisect.bisect_right(starts, t - day * 86_400.0) - 1
        seg_end = day * 86_400.0 + (starts[i + 1] if i + 1 < len(starts) else 86_400.0)
        if rates[i] > 0:
            nxt = t + rng.expovariate(rates[i])
            if nxt < seg_end:
                if nxt >= horizon_s:
                    break
                out.append(round(nxt * 1_000_000))
                t = nxt
                continue
        t = seg_end
    return out


@settings(max_examples=40)
@given(
    profiles.map(lambda p: sorted({(s // 1_000_000 * 1_000_000, r) for s, r in p})),
    st.integers(1, 3),
    st.integers(0, 2**32),
)
def test_the_walk_keeps_the_customers_a_seed_drew_before(
    profile: list[tuple[int, float]], days: int, seed: int
) -> None:
    # Common random numbers across the fix: a profile the old walk finished draws the same
    # arrivals, one fresh draw per change to a positive rate (zero stretches draw nothing).
    profile = [p for k, p in enumerate(profile) if k == 0 or p[0] != profile[k - 1][0]]
    got = arrivals(profile_sim(as_rates(profile), f"P{days}D"), seed)
    assert got == reference_arrivals(profile, days * 86_400.0, seed)


# -- 2. sparse profiles: a cost per arrival, not per period and day ----------------------------


def test_a_day_of_zero_rates_with_one_tiny_period_is_stepped_over_at_once() -> None:
    # 86,400 periods a day, all at 0 but the first: the walk visited each of them every day
    # (1.7 billion visits over these 20,000 days, far more over the 2,900,000 days accepted).
    rates: list[list[Any]] = [[s, 0] for s in range(86_400)]
    rates[0][1] = 1e-300
    sim = profile_sim(rates, "P20000D") | {"interval": "P30D"}
    assert arrivals(sim) == []


def test_a_profile_of_many_tiny_positive_periods_draws_against_the_integrated_rate() -> None:
    # Every period positive: a fresh draw at each would be 1.7 billion draws.
    rates = [[s, 1e-300 * (1 + s % 2)] for s in range(86_400)]
    sim = profile_sim(rates, "P20000D") | {"interval": "P30D"}
    assert arrivals(sim) == []


@pytest.fixture
def integrated(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every run draws against the integrated rate (as a profile past the fresh draws' budget
    does)."""
    monkeypatch.setattr(engine, "_MAX_FRESH_DRAWS", -1, raising=False)


def test_the_integrated_walk_brings_each_period_its_expected_customers(integrated: None) -> None:
    # From 30.5 s a rate of 100 an hour until 06:00, 0 until 07:00, 10 until 23:59, and 3,000
    # an hour in the last minute; over 20 days.
    profile = [(0, 0.0), (30_500_000, 100.0), (6 * 3600 * 10**6, 0.0)]
    profile += [(7 * 3600 * 10**6, 10.0), ((86_400 - 60) * 10**6, 3000.0)]
    got = arrivals(profile_sim(as_rates(profile), "P20D") | {"interval": "P1D"}, seed=3)
    bounds = [s for s, _ in profile] + [DAY_US]
    counts = [0] * len(profile)
    for t in got:
        counts[bisect.bisect_right(bounds, t % DAY_US) - 1] += 1
    for k, (s, rate) in enumerate(profile):
        expected = 20 * rate * (bounds[k + 1] - s) / 3600e6
        assert abs(counts[k] - expected) <= 5 * math.sqrt(expected) + 1, (k, counts, expected)


def test_the_integrated_walk_skips_whole_days_without_customers(integrated: None) -> None:
    # One hour a day at 0.1 an hour: a customer every ten days or so, in that hour.
    profile = [(0, 0.0), (3 * 3600 * 10**6, 0.1), (4 * 3600 * 10**6, 0.0)]
    got = arrivals(profile_sim(as_rates(profile), "P20000D") | {"interval": "P100D"})
    assert all(3 * 3600 * 10**6 <= t % DAY_US <= 4 * 3600 * 10**6 for t in got)
    assert abs(len(got) - 2000) < 5 * math.sqrt(2000)


@settings(max_examples=40)
@given(profiles, st.integers(1, 3), st.integers(0, 2**32))
def test_the_integrated_walk_brings_customers_only_in_positive_periods(
    profile: list[tuple[int, float]], days: int, seed: int
) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(engine, "_MAX_FRESH_DRAWS", -1, raising=False)
        got = arrivals(profile_sim(as_rates(profile), f"P{days}D"), seed)
    assert got == sorted(got)
    assert all(0 <= t <= days * DAY_US for t in got)
    assert all(in_positive_period(t, profile) for t in got)


# -- 3. names the desk does not declare, refused before any run --------------------------------

_CHAT = {"rates": [["00:00", 30]], "channels": {"chat": 1}}
_BASE: dict[str, Any] = {
    "start": "2026-03-16T08:00:00+07:00",
    "duration": "PT1H",
    "arrivals": _CHAT,
    "agents": [{"name": "a", "count": 2, "capacity": {"chat": 1}}],
}


def _with(**changes: Any) -> dict[str, Any]:
    return _BASE | changes


def _group(**changes: Any) -> list[dict[str, Any]]:
    return [{"name": "a", "count": 2, "capacity": {"chat": 1}} | changes]


UNDECLARED = [
    ({"channels": ["email"]}, _with(agents=[]), "arrivals.channels.chat"),
    (
        {"channels": ["chat"]},
        _with(arrivals=_CHAT | {"channels": {"chat": 5, "fax": 1}}, agents=[]),
        "arrivals.channels.fax",
    ),
    ({"tiers": [{"name": "gold", "rank": 1}]}, _BASE, "arrivals.tiers.regular"),
    (
        {"tiers": [{"name": "regular", "rank": 0}]},
        _with(arrivals=_CHAT | {"tiers": {"regular": 1, "vip": 0.0002}}),
        "arrivals.tiers.vip",
    ),
    (
        {"languages": ["id"]},
        _with(arrivals=_CHAT | {"languages": {"id": 1, "en": 1}}),
        "arrivals.languages.en",
    ),
    (
        {"channels": ["email"]},
        _with(arrivals=_CHAT | {"channels": {"email": 1}}),
        "agents[0].capacity.chat",
    ),
    ({"languages": ["id"]}, _with(agents=_group(languages=["id", "fr"])), "agents[0].languages[1]"),
    (
        {"skills": ["refunds"]},
        _with(agents=_group(skills={"billing": 2})),
        "agents[0].skills.billing",
    ),
    (
        {
            "queues": [{"name": "q"}],
            "routing_profiles": [{"name": "p", "queues": ["q"]}],
            "teams": {"front": {"queue": "q", "routing_profile": "p"}},
        },
        _with(
            agents=[
                *_group(teams=["front"]),
                {"name": "b", "teams": ["ghost"], "capacity": {"chat": 1}},
            ]
        ),
        "agents[1].teams[0]",
    ),
]


class _Recording(Executor):
    """An executor that runs each call at once and remembers that it did."""

    def __init__(self) -> None:
        self.calls = 0

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.calls += 1
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # handed to the caller, as a pool does
            future.set_exception(exc)
        return future


@pytest.mark.parametrize(("desk", "sim", "path"), UNDECLARED)
def test_an_undeclared_name_is_refused_before_any_run_at_its_path(
    desk: dict[str, Any], sim: dict[str, Any], path: str
) -> None:
    desk_config = DeskConfig.from_dict(desk)
    config = SimConfig.from_dict(sim)
    with pytest.raises(UndeclaredNameError, match=r"undeclared") as caught:
        config.check_desk(desk_config)
    assert caught.value.path == path
    with pytest.raises(UndeclaredNameError) as caught:
        Scenario("s", desk, sim, 1).configs()
    assert caught.value.path == f"simulation.{path}"
    pool = _Recording()
    good = Scenario("good", {}, _BASE, 1)
    with pytest.raises(UndeclaredNameError) as caught:
        run_sweep([good, Scenario("s", desk, sim, 1)], executor=pool)
    assert caught.value.path == f"scenarios[1].simulation.{path}"
    assert pool.calls == 0
    seen: list[Event] = []
    with pytest.raises(UndeclaredNameError) as caught:
        simulate(desk_config, config, seed=1, on_event=seen.append)
    assert caught.value.path == path
    assert seen == []  # nothing ran


def test_names_that_never_reach_the_desk_are_not_refused() -> None:
    # A name of weight 0 never arrives; a group of no agents adds none.
    desk = {"tiers": [{"name": "regular", "rank": 0}], "languages": ["id"]}
    sim = _with(
        arrivals=_CHAT | {"tiers": {"regular": 1, "vip": 0}, "languages": {"id": 1, "en": 0}},
        agents=[*_group(languages=["id"]), {"name": "b", "count": 0, "languages": ["fr"]}],
    )
    result = simulate(DeskConfig.from_dict(desk), SimConfig.from_dict(sim), seed=1)
    assert result.report.offered == result.customers > 0


# -- 4. escalations the desk refuses -----------------------------------------------------------

_TEAMS = THREE_TEAMS
_GRAPH = FRONT_FIN_TECH
_ESCALATING: dict[str, Any] = _with(
    duration="PT2H",
    escalations=[
        {"category": "general", "team": "fin", "probability": 0.0},
        {"category": "general", "team": "tech", "probability": 0.5},
    ],
    agents=[
        {"name": "front", "count": 3, "capacity": {"chat": 1}, "teams": ["front"]},
        {"name": "tech", "count": 1, "capacity": {"chat": 1}, "teams": ["tech"]},
        {"name": "fin", "count": 1, "capacity": {"chat": 1}, "teams": ["fin"]},
    ],
)


def test_an_escalation_the_graph_forbids_from_the_front_line_is_refused_before_any_run() -> None:
    desk = _TEAMS | {"escalation": _GRAPH}
    with pytest.raises(ConfigError, match=r"may not|does not let team 'front'") as caught:
        SimConfig.from_dict(_ESCALATING).check_desk(DeskConfig.from_dict(desk))
    assert caught.value.path == "escalations[1].team"
    pool = _Recording()
    with pytest.raises(ConfigError) as caught:
        run_sweep(
            [Scenario("good", {}, _BASE, 1), Scenario("graph", desk, _ESCALATING, 1)], executor=pool
        )
    assert caught.value.path == "scenarios[1].simulation.escalations[1].team"
    assert pool.calls == 0
    # The edge the graph has runs, and escalates.
    allowed = _TEAMS | {"escalation": _GRAPH | {"edges": {"front": ["fin", "tech"]}}}
    result = simulate(DeskConfig.from_dict(allowed), SimConfig.from_dict(_ESCALATING), seed=1)
    assert result.report.escalations > 0


def test_a_transfer_limit_that_refuses_every_escalation_is_refused_before_any_run() -> None:
    desk = _TEAMS | {"transfers": {"max_transfers": 0, "on_limit": "refuse"}}
    with pytest.raises(ConfigError, match=r"refuses every escalation") as caught:
        Scenario("limit", desk, _ESCALATING, 1).configs()
    assert caught.value.path == "simulation.escalations[1]"
    # Flagged rather than refused, it runs.
    flag = _TEAMS | {"transfers": {"max_transfers": 0, "on_limit": "flag"}}
    assert simulate(DeskConfig.from_dict(flag), SimConfig.from_dict(_ESCALATING)).customers > 0


def test_an_escalation_refused_during_the_run_is_a_config_error_naming_the_scenario() -> None:
    # A triage rule chooses the queue, so where tickets wait is not known before the run: the
    # graph's refusal comes from the desk, mid-run, and names the rule (and the scenario).
    desk = _TEAMS | {
        "escalation": _GRAPH,
        "triage": [
            {"name": "all", "when": {"field": "channel", "eq": "chat"}, "then": {"queue": "front"}}
        ],
    }
    config = SimConfig.from_dict(_ESCALATING)
    config.check_desk(DeskConfig.from_dict(desk))  # nothing to tell before the run
    with pytest.raises(ConfigError, match=r"refused to escalate .* 'tech'.*may not") as caught:
        simulate(DeskConfig.from_dict(desk), config, seed=1)
    assert not isinstance(caught.value, InvalidTransitionError)
    assert caught.value.path == "escalations[1].team"
    with pytest.raises(ConfigError) as caught:
        run_sweep(
            [Scenario("good", {}, _BASE, 1), Scenario("graph", desk, _ESCALATING, 1)],
            executor=_Recording(),
        )
    assert caught.value.path == "scenarios[1].simulation.escalations[1].team"


# -- 5. what `waiting` counts ------------------------------------------------------------------


def test_waiting_counts_escalated_tickets_in_line_as_the_how_to_says() -> None:
    # Tier 2 works the first hour only: tickets escalated later wait for it, answered by the
    # front line and in line again, so answered + abandoned + waiting exceeds offered.
    desk = _TEAMS
    sim = _ESCALATING | {
        "agents": [
            {"name": "front", "count": 3, "capacity": {"chat": 1}, "teams": ["front"]},
            {
                "name": "tech",
                "count": 1,
                "capacity": {"chat": 1},
                "teams": ["tech"],
                "shifts": [{"start": 0, "end": "PT1H"}],
            },
        ]
    }
    report = simulate(DeskConfig.from_dict(desk), SimConfig.from_dict(sim), seed=1).report
    assert report.answered + report.abandoned == report.offered  # the front line took all
    assert report.waiting > 0
    assert report.answered + report.abandoned + report.waiting > report.offered


# -- 6. error paths, and presence around a break to the shift's end ---------------------------


def _agents_error(group: dict[str, Any]) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        SimConfig.from_dict(_with(agents=[_group()[0] | group]))
    return caught.value


@pytest.mark.parametrize("waves", [0, -1, 1.5, True])
def test_a_bad_break_waves_is_named_by_its_path(waves: object) -> None:
    error = _agents_error({"break_waves": waves})
    assert error.path == "simulation.agents[0].break_waves"
    with pytest.raises(ConfigError) as caught:
        AgentGroup("a", 1, break_waves=waves)  # type: ignore[arg-type]
    assert caught.value.path == "break_waves"


def test_a_break_outside_its_shift_is_named_by_its_path() -> None:
    shift = {"start": 0, "end": "PT1H", "breaks": [["PT10M", "PT5M"], ["PT50M", "PT20M"]]}
    error = _agents_error({"shifts": [{"start": "PT2H", "end": "PT3H"}, shift]})
    assert error.path == "simulation.agents[0].shifts[1].breaks[1]"
    error = _agents_error({"shifts": [{"start": "PT1H", "end": "PT1H"}]})
    assert error.path == "simulation.agents[0].shifts[0].end"
    with pytest.raises(ConfigError, match=r"within the shift") as caught:
        Shift(timedelta(hours=1), timedelta(hours=2), [(timedelta(0), timedelta(minutes=5))])
    assert caught.value.path == "breaks[0]"


def test_a_break_to_the_shifts_end_keeps_the_agent_away_until_it_goes_offline() -> None:
    # As the docs now say: away during the break, offline at the shift's end, never available
    # in between (not offline from the break's start).
    sim = {
        "start": "2026-03-16T08:00:00+00:00",
        "duration": "PT8H",
        "arrivals": {"rates": [["00:00", 0]]},
        "agents": [
            {"name": "a", "shifts": [{"start": 0, "end": "PT8H", "breaks": [["PT7H30M", "PT30M"]]}]}
        ],
    }
    changes: list[tuple[datetime, str]] = []

    def note(e: Event) -> None:
        if isinstance(e, AgentPresenceChanged):
            changes.append((e.at, e.new))

    simulate(DeskConfig(), SimConfig.from_dict(sim), seed=1, on_event=note)
    t8 = datetime(2026, 3, 16, 8, tzinfo=UTC)
    assert changes[-3:] == [
        (t8, "available"),
        (t8 + timedelta(hours=7, minutes=30), "away"),
        (t8 + timedelta(hours=8), "offline"),
    ]
