"""The simulator's inputs: a warm-up as long as the horizon, call-back answers per channel, a
mix naming an entry twice, and the customer bound of ``mmc_scenario``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import DeskConfig
from csflow.desk import Desk
from csflow.errors import ConfigError
from csflow.events import Event
from csflow.sim import (
    AgentGroup,
    Arrivals,
    CallbackOffer,
    Empirical,
    Scenario,
    Shift,
    SimConfig,
    simulate,
)
from csflow.sim.scenario import MAX_SIM_CUSTOMERS, mmc_scenario
from csflow.staffing import staffing_plan
from csflow.staffing.verify import _scenario

T0 = datetime(2026, 3, 16, 1, 0, tzinfo=UTC)
_MINUTE = timedelta(minutes=1)


def _sim(**kw: Any) -> dict[str, Any]:
    return {
        "start": T0.isoformat(),
        "duration": "PT1H",
        "arrivals": {"rates": [["00:00", 30]]},
        "agents": [{"name": "a", "count": 2}],
    } | kw


# -- warm-up ---------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(duration=st.integers(1, 600), warmup=st.integers(0, 700))
def test_a_warm_up_must_be_shorter_than_the_duration(duration: int, warmup: int) -> None:
    # Minutes: refused exactly when every ticket would be left out of the report.
    def build() -> SimConfig:
        return SimConfig(
            start=T0,
            duration=duration * _MINUTE,
            arrivals=Arrivals.constant(10),
            agents=[AgentGroup("a", 1)],
            warmup=warmup * _MINUTE,
        )

    if warmup >= duration:
        with pytest.raises(ConfigError) as info:
            build()
        assert info.value.path == "warmup"
        assert repr(duration * _MINUTE) in info.value.detail
        assert repr(warmup * _MINUTE) in info.value.detail
    else:
        assert build().warmup == warmup * _MINUTE


def test_a_warm_up_over_the_whole_horizon_is_refused_in_plain_data_with_its_path() -> None:
    for warmup in ("PT1H", "PT2H", 3600):
        with pytest.raises(ConfigError) as info:
            Scenario("w", {}, _sim(warmup=warmup)).configs()
        assert info.value.path == "simulation.warmup"
    # A microsecond less still reports the tickets of the last microsecond: allowed.
    _, sim = Scenario("w", {}, _sim(warmup=3599.999999)).configs()
    assert sim.warmup == timedelta(hours=1) - timedelta(microseconds=1)


def test_a_warm_up_just_short_of_the_horizon_reports_what_came_after_it() -> None:
    # 600 customers an hour over an hour, the first 50 minutes left out: the report counts
    # the last ten minutes' customers (about 100), not nothing.
    cfg = SimConfig(
        start=T0,
        duration=timedelta(hours=1),
        arrivals=Arrivals.constant(600),
        agents=[AgentGroup("a", 20)],
        warmup=50 * _MINUTE,
    )
    result = simulate(DeskConfig(), cfg, seed=5)
    assert 50 < result.report.offered < 170
    assert result.report.service_level is not None


def test_mmc_scenario_refuses_a_warm_up_past_its_customers() -> None:
    # 100 customers at 10 Erlangs of 6 minutes (100 an hour) take a day of horizon (the
    # span is 1.5 times the expected arrivals' plus a day, in whole days).
    with pytest.raises(ConfigError) as info:
        mmc_scenario(12, 10.0, customers=100, warmup=timedelta(days=30))
    assert info.value.path == "warmup"
    assert "duration of 2 days" in info.value.detail
    sc = mmc_scenario(12, 10.0, customers=100, warmup=timedelta(hours=1))
    assert sc.configs()[1].warmup == timedelta(hours=1)


@settings(max_examples=40, deadline=None)
@given(
    minutes=st.sampled_from([15, 30, 60]),
    arrivals=st.floats(0.5, 400),
    warmup=st.one_of(st.none(), st.integers(0, 120)),
    span=st.one_of(st.none(), st.integers(1, 120)),
)
def test_verify_plans_scenarios_never_trip_the_warm_up_bound(
    minutes: int, arrivals: float, warmup: int | None, span: int | None
) -> None:
    # verify_plan sets the warm-up per interval (default: the interval's length) and runs
    # the warm-up plus the span: its scenarios always have a horizon past the warm-up.
    plan = staffing_plan(
        [(T0, minutes * _MINUTE, arrivals)], timedelta(minutes=5), timedelta(seconds=20), 0.8
    )
    row = plan.intervals[0]
    sc = _scenario(
        {"agents": [{"name": "a", "count": 1}]},
        {},
        row,
        row.agents,
        None if warmup is None else warmup * _MINUTE,
        None if span is None else span * _MINUTE,
        plan.target,
        1,
    )
    _, sim = sc.configs()
    assert sim.warmup < sim.duration


# -- call-back answers, per channel ----------------------------------------------------------


def _callbacks(monkeypatch: pytest.MonkeyPatch, offer: CallbackOffer, seed: int) -> list[str]:
    """The tickets that asked for a call-back, in a run where nobody is served before the
    horizon ends (the agent's shift starts after it), so every customer is still waiting when
    the offer comes and the call-backs are exactly the customers who would accept."""
    asked: list[str] = []
    original = Desk.request_callback

    def recording(self: Desk, ticket_id: str, *, at: datetime) -> list[Event]:
        asked.append(ticket_id)
        return original(self, ticket_id, at=at)

    monkeypatch.setattr(Desk, "request_callback", recording)
    late = Shift(timedelta(hours=2), timedelta(hours=3))
    cfg = SimConfig(
        start=T0,
        duration=timedelta(hours=1),
        arrivals=Arrivals.constant(120, channels={"phone": 1, "chat": 1, "email": 1}),
        agents=[AgentGroup("a", 1, capacity={"phone": 1, "chat": 1, "email": 1}, shifts=[late])],
        handle_time={"default": Empirical([_MINUTE])},
        callbacks=offer,
    )
    simulate(DeskConfig(), cfg, seed=seed)
    monkeypatch.undo()
    return asked


@settings(max_examples=8, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    accept=st.floats(0.1, 0.9),
    others=st.sampled_from([("chat",), ("email",), ("chat", "email"), ("email", "chat")]),
    first=st.booleans(),
)
def test_offering_another_channel_leaves_each_channels_answers_as_they_were(
    seed: int, accept: float, others: tuple[str, ...], first: bool
) -> None:
    # Common random numbers: with the same seed, the same customers; the phone customers
    # who would take the offer are the same whether chat (or e-mail) is offered too, and
    # whichever order the channels are listed in.
    with pytest.MonkeyPatch.context() as mp:
        alone = _callbacks(mp, CallbackOffer(_MINUTE, accept, ("phone",)), seed)
    channels = ("phone", *others) if first else (*others, "phone")
    with pytest.MonkeyPatch.context() as mp:
        more = _callbacks(mp, CallbackOffer(_MINUTE, accept, channels), seed)
    assert set(alone) <= set(more)
    # Everything the wider offer added is on the other channels: the phone answers match.
    with pytest.MonkeyPatch.context() as mp:
        others_only = _callbacks(mp, CallbackOffer(_MINUTE, accept, others), seed)
    assert set(more) == set(alone) | set(others_only)
    assert not set(alone) & set(others_only)


def test_each_customer_answers_the_offer_once_whatever_else_is_offered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A worked check at accept 1: every customer of an offered channel calls back, and the
    # channels split the customers (none in two, none lost).
    phone = _callbacks(monkeypatch, CallbackOffer(_MINUTE, 1.0, ("phone",)), 11)
    chat = _callbacks(monkeypatch, CallbackOffer(_MINUTE, 1.0, ("chat",)), 11)
    both = _callbacks(monkeypatch, CallbackOffer(_MINUTE, 1.0, ("chat", "phone")), 11)
    assert phone
    assert chat
    assert sorted(both, key=lambda t: int(t[1:])) == sorted(phone + chat, key=lambda t: int(t[1:]))


# -- mixes -----------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["channels", "tiers", "categories", "languages"])
def test_a_mix_naming_an_entry_twice_is_refused_at_the_second(key: str) -> None:
    mix = [["x", 1], ["y", 2], ["x", 3]]
    with pytest.raises(ConfigError) as info:
        Scenario("m", {}, _sim(arrivals={"rates": [["00:00", 30]], key: mix})).configs()
    assert info.value.path == f"simulation.arrivals.{key}[2]"
    assert "'x'" in info.value.detail
    assert f"{key}[0]" in info.value.detail
    with pytest.raises(ConfigError) as info:
        Arrivals.constant(30, **{key: [("x", 1.0), ("x", 1.0)]})
    assert info.value.path == f"{key}[1]"


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from("abcd"), st.integers(0, 5)), min_size=1, max_size=6).filter(
        lambda pairs: any(w for _, w in pairs)
    )
)
def test_a_list_form_mix_is_read_as_given_or_refused(pairs: list[tuple[str, int]]) -> None:
    # The naive reference: distinct names are the pairs themselves; a repeated name is the
    # path of its second appearance.
    names = [n for n, _ in pairs]
    repeat = next((i for i, n in enumerate(names) if n in names[:i]), None)
    if repeat is not None:
        with pytest.raises(ConfigError) as info:
            Arrivals.constant(10, channels=pairs)
        assert info.value.path == f"channels[{repeat}]"
    else:
        got = Arrivals.constant(10, channels=pairs).channels
        assert got == tuple((n, float(w)) for n, w in pairs)


# -- mmc_scenario's customer bound -----------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(
    load=st.one_of(st.floats(1e-300, 1e-3), st.floats(0.5, 50)),
    customers=st.one_of(st.integers(MAX_SIM_CUSTOMERS + 1, 10**40), st.just(MAX_SIM_CUSTOMERS + 1)),
)
def test_mmc_scenario_names_the_customer_bound_past_it(load: float, customers: int) -> None:
    with pytest.raises(ConfigError, match=r"^'customers' must be at most 10,000,000 "):
        mmc_scenario(3, load, customers=customers)


def test_mmc_scenario_names_the_year_limit_only_within_the_customer_bound() -> None:
    with pytest.raises(ConfigError, match=r"^'customers' must arrive by the year 9999"):
        mmc_scenario(3, 1e-9, customers=MAX_SIM_CUSTOMERS)
