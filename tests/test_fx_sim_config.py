"""The simulator's scenario config: distributions keyed by a channel the traffic never brings,
the log-normal's sigma bound, ``reply_on_assign`` and elapsed-time offsets across a DST
change."""

from __future__ import annotations

import math
import random
from collections import Counter
from datetime import datetime, timedelta
from statistics import fmean
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csflow import DeskConfig
from csflow.errors import ConfigError
from csflow.events import TicketQueued
from csflow.sim import (
    Arrivals,
    Exponential,
    LogNormal,
    Scenario,
    SimConfig,
    distributions,
    simulate,
)
from csflow.sla import SlaBreached, SlaMet

#: The documented bound of a log-normal's sigma (``MAX_LOGNORMAL_SIGMA``).
MAX_LOGNORMAL_SIGMA = 2.5
_CHANNELS = ("chat", "email", "phone", "whatsapp")
_names = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)


def _plan(**over: Any) -> dict[str, Any]:
    plan: dict[str, Any] = {
        "start": "2026-03-16T08:00:00+00:00",
        "duration": "PT1H",
        "arrivals": {"rates": [["00:00", 30]], "channels": {"chat": 1}},
        "agents": [{"name": "a", "count": 3, "capacity": {"chat": 1}}],
    }
    plan.update(over)
    return plan


# -- 1. a handle_time / patience entry for a channel the traffic never brings ---------------


@pytest.mark.parametrize("field", ["handle_time", "patience"])
def test_a_misspelt_channel_key_is_refused_at_its_path(field: str) -> None:
    # The review's repro: 'caht' for 'chat' left every chat customer on the default.
    entries = {"default": {"exponential": "PT6M"}} if field == "handle_time" else {}
    plan = _plan(**{field: {**entries, "caht": {"exponential": "PT2M"}}})
    with pytest.raises(ConfigError) as info:
        SimConfig.from_dict(plan)
    assert info.value.path == f"simulation.{field}.caht"
    assert "never brings" in str(info.value)
    with pytest.raises(ConfigError) as info:
        Scenario("typo", {"channels": ["chat"]}, plan).configs()
    assert info.value.path == f"simulation.{field}.caht"


@given(
    mix=st.dictionaries(st.sampled_from(_CHANNELS), st.integers(0, 3), min_size=1).filter(
        lambda m: any(m.values())
    ),
    key=st.one_of(st.sampled_from(_CHANNELS), _names),
    field=st.sampled_from(["handle_time", "patience"]),
)
def test_a_channel_key_is_accepted_iff_the_mix_names_it(
    mix: dict[str, int], key: str, field: str
) -> None:
    # A key the mix names (weight 0 too) or "default" is accepted, any other refused, on the
    # constructor as on from_dict, and a refused config builds nothing.
    table = {"default": Exponential(timedelta(minutes=6)), key: Exponential(timedelta(minutes=3))}
    kwargs: dict[str, Any] = {field: table}
    ok = key == "default" or key in mix

    def build() -> SimConfig:
        return SimConfig(
            datetime.fromisoformat("2026-03-16T08:00:00+00:00"),
            timedelta(hours=1),
            Arrivals.constant(10, channels=mix),
            [],
            **kwargs,
        )

    if ok:
        assert dict(getattr(build(), field))[key] == table[key]
    else:
        with pytest.raises(ConfigError) as info:
            build()
        assert info.value.path == f"{field}.{key}"


def test_a_channel_key_is_used_for_that_channel_only() -> None:
    # What the check protects: the entry of a channel the mix brings is what its customers
    # get.  Chat handlings of a fixed 30 minutes, the default 1 second: the AHT tells which.
    fixed = {"lognormal": {"mean": "PT30M", "sigma": 0}}
    plan = _plan(handle_time={"default": {"lognormal": {"mean": 1, "sigma": 0}}, "chat": fixed})
    result = simulate(DeskConfig(), SimConfig.from_dict(plan), seed=1)
    assert result.report.average_handle_time == timedelta(minutes=30)


# -- 2. the log-normal's sigma ----------------------------------------------------------------


@given(sigma=st.floats(MAX_LOGNORMAL_SIGMA, 1e300, exclude_min=True))
def test_a_sigma_past_the_bound_is_refused(sigma: float) -> None:
    with pytest.raises(ConfigError) as info:
        LogNormal(timedelta(minutes=5), sigma)
    assert info.value.path == "sigma"
    lognormal = {"lognormal": {"mean": "PT5M", "sigma": sigma}}
    with pytest.raises(ConfigError) as info:
        SimConfig.from_dict(_plan(handle_time={"default": lognormal}))
    assert info.value.path == "simulation.handle_time.default.lognormal.sigma"
    with pytest.raises(ConfigError) as info:
        SimConfig.from_dict(_plan(patience={"chat": lognormal}))
    assert info.value.path == "simulation.patience.chat.lognormal.sigma"


@given(sigma=st.floats(0, MAX_LOGNORMAL_SIGMA))
def test_a_sigma_within_the_bound_is_taken(sigma: float) -> None:
    lognormal = {"lognormal": {"mean": "PT5M", "sigma": sigma}}
    sim = SimConfig.from_dict(_plan(handle_time={"default": lognormal}))
    assert dict(sim.handle_time)["default"] == LogNormal(timedelta(minutes=5), sigma)


def test_the_sigma_bound_keeps_the_configured_mean() -> None:
    # The bound's reason: at it the draws still average the configured mean (200,000 draws
    # within 10%), while at the review's sigma 10 they average nothing at all.
    assert getattr(distributions, "MAX_LOGNORMAL_SIGMA", None) == MAX_LOGNORMAL_SIGMA
    draws = 200_000
    at_bound = LogNormal(timedelta(minutes=5), MAX_LOGNORMAL_SIGMA)
    rng = random.Random(1)
    mean = fmean(at_bound.sample(rng) for _ in range(draws))
    assert abs(mean - 300) < 30, mean
    assert 1.0 < MAX_LOGNORMAL_SIGMA <= 3.0  # past the typical 0.5-1.0, short of nonsense
    rng = random.Random(1)
    mu = math.log(300) - 10 * 10 / 2  # LogNormal's own mu, at the review's sigma 10
    assert fmean(rng.lognormvariate(mu, 10) for _ in range(draws)) < 1.0


def test_the_reviewed_hostile_lognormal_is_refused() -> None:
    hostile = {
        "start": "2026-03-16T08:00:00+07:00",
        "duration": "PT1H",
        "arrivals": {"rates": [["00:00", 30]]},
        "agents": [{"name": "a", "count": 3}],
        "handle_time": {"default": {"lognormal": {"mean": "PT5M", "sigma": 30}}},
    }
    with pytest.raises(ConfigError) as info:
        Scenario("hostile", {}, hostile).configs()
    assert info.value.path == "simulation.handle_time.default.lognormal.sigma"
    assert "at most 2.5" in str(info.value)


# -- 3. reply_on_assign: False never meets a first-response target ---------------------------


def test_without_a_reply_the_first_response_target_is_never_met() -> None:
    desk = DeskConfig.from_dict(
        {
            "calendars": {"always": {"timezone": "UTC", "always_open": True}},
            "sla_policies": [
                {
                    "name": "p",
                    "calendar": "always",
                    "targets": {"first_response": "PT1M", "resolution": "PT30M"},
                }
            ],
            "default_sla_policy": "p",
        }
    )
    plan = _plan(
        arrivals={"rates": [["00:00", 20]]},
        agents=[{"name": "a", "count": 3}],
        duration="PT2H",
    )
    runs = {}
    for reply in (True, False):
        events: list[Any] = []
        sim = SimConfig.from_dict({**plan, "reply_on_assign": reply})
        runs[reply] = (simulate(desk, sim, seed=1, on_event=events.append), events)
    (with_reply, _), (without, events) = runs[True], runs[False]
    first = without.report.sla_by_metric["first_response"]
    assert with_reply.report.sla_by_metric["first_response"].met > 0
    assert first.met == 0
    assert first.breached > 0
    met = Counter(str(e.metric) for e in events if isinstance(e, SlaMet))
    assert met["first_response"] == 0
    assert met["resolution"] > 0
    breached = sum(1 for e in events if isinstance(e, SlaBreached))
    # Every ticket breaches its first response, or is resolved before it (counted neither way).
    assert breached <= without.report.offered
    # Only the SLA figures change: the wait for an agent is the same run.
    assert without.report.service_level == with_reply.report.service_level
    assert without.report.average_speed_of_answer == with_reply.report.average_speed_of_answer
    assert (
        without.report.sla_by_metric["resolution"]
        == (with_reply.report.sla_by_metric["resolution"])
    )


# -- 4. offsets are elapsed time from start, across a DST change too -------------------------

_BERLIN = ZoneInfo("Europe/Berlin")


def _arrivals_local(start: str, rates: list[list[Any]]) -> list[datetime]:
    plan = {
        "start": start,
        "duration": "P1D",
        "arrivals": {"rates": rates},
        "agents": [{"name": "a", "count": 2}],
        "handle_time": {"default": {"exponential": "PT5M"}},
        "interval": "PT1H",
    }
    events: list[Any] = []
    simulate(DeskConfig(), SimConfig.from_dict(plan), seed=1, on_event=events.append)
    return [e.at.astimezone(_BERLIN) for e in events if isinstance(e, TicketQueued)]


def test_rate_starts_are_elapsed_time_across_a_dst_change() -> None:
    # 29 March 2026: Berlin's clocks go from 02:00 CET to 03:00 CEST.  "08:00" from a +01:00
    # midnight is eight elapsed hours: 09:00 local.
    rates = [["00:00", 0], ["08:00", 60], ["17:00", 0]]
    day = _arrivals_local("2026-03-29T00:00:00+01:00", rates)
    assert day
    assert (min(day).hour, max(day).hour) == (9, 17)  # 09:00-18:00 CEST
    # The documented way: that day's times after the change written an hour earlier...
    moved = [["00:00", 0], ["07:00", 60], ["16:00", 0]]
    day = _arrivals_local("2026-03-29T00:00:00+01:00", moved)
    assert day
    assert (min(day).hour, max(day).hour) == (8, 16)  # 08:00-17:00 CEST
    # ... and the next day a run of its own from local midnight at the new offset.
    day = _arrivals_local("2026-03-30T00:00:00+02:00", rates)
    assert day
    assert (min(day).hour, max(day).hour) == (8, 16)
    assert all(t.day == 30 for t in day)
