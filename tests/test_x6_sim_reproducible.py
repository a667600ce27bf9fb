"""Reproducibility a planner relies on: one scenario and seed give one result, whatever order
the documents list their mappings' keys in, whatever process runs it, whatever the
interpreter's hash seed, and wherever the scenario stands in a sweep."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from csflow.sim import Empirical, Scenario, SimResult, run_scenario
from csflow.sweep import run_sweep

DESK: dict[str, Any] = {
    "tiers": [{"name": "gold", "rank": 3}, {"name": "regular", "rank": 1}],
    "languages": ["id", "en"],
    "calendars": {"always": {"timezone": "Asia/Jakarta", "always_open": True}},
    "sla_policies": [
        {
            "name": "chat",
            "calendar": "always",
            "targets": {"first_response": "PT1M", "resolution": "PT2H"},
        },
        {"name": "email", "calendar": "always", "targets": {"first_response": "PT4H"}},
    ],
    "default_sla_policy": "email",
    "queues": [{"name": "front"}, {"name": "finance"}],
    "routing_profiles": [
        {"name": "front", "queues": ["front"]},
        {"name": "finance", "queues": ["finance"]},
    ],
    "teams": {
        "front": {"queue": "front", "routing_profile": "front"},
        "finance": {"queue": "finance", "routing_profile": "finance"},
    },
    "escalation": {
        "teams": ["front", "finance"],
        "entry": ["front"],
        "edges": {"front": ["finance"]},
    },
    "triage": [
        {
            "name": "gold chat",
            "when": {"all": [{"field": "channel", "eq": "chat"}, {"field": "tier", "eq": "gold"}]},
            "then": {"sla_policy": "chat", "priority": "high", "queue": "front"},
        },
        {
            "name": "chat",
            "when": {"field": "channel", "eq": "chat"},
            "then": {"sla_policy": "chat", "queue": "front"},
        },
        {"name": "rest", "when": {"field": "channel", "ne": "chat"}, "then": {"queue": "front"}},
    ],
}


def lebaran(agents: int) -> dict[str, Any]:
    """A Lebaran-week morning: three channels, two tiers, two categories, two languages,
    breaks in two waves, an escalation to finance and a call-back offer."""
    return {
        "start": "2026-03-16T08:00:00+07:00",
        "duration": "PT3H",
        "peak": "lebaran",
        "arrivals": {
            "rates": [["00:00", 40], ["01:00", 70], ["02:30", 30]],
            "channels": {"chat": 3, "email": 1, "phone": 2},
            "tiers": {"gold": 1, "regular": 4},
            "categories": {"order": 3, "refund": 1},
            "languages": {"id": 4, "en": 1},
        },
        "handle_time": {
            "default": {"exponential": "PT6M"},
            "chat": {"lognormal": {"mean": "PT5M", "sigma": 0.8}},
            "phone": {"empirical": ["PT2M", "PT4M", "PT9M"]},
        },
        "patience": {"chat": {"exponential": "PT5M"}, "phone": {"exponential": "PT3M"}},
        "agents": [
            {
                "name": "front",
                "count": agents,
                "capacity": {"chat": 2, "email": 1, "phone": 1},
                "languages": ["id", "en"],
                "teams": ["front"],
                "shifts": [{"start": 0, "end": "PT3H", "breaks": [["PT1H", "PT15M"]]}],
                "break_waves": 2,
                "break_gap": "PT15M",
            },
            {
                "name": "finance",
                "count": 2,
                "capacity": {"chat": 1, "email": 1, "phone": 1},
                "languages": ["id", "en"],
                "teams": ["finance"],
            },
        ],
        "escalations": [{"category": "refund", "team": "finance", "probability": 0.4}],
        "callbacks": {"after": "PT1M", "accept": 0.5},
        "interval": "PT30M",
        "warmup": "PT15M",
    }


def fingerprint(result: SimResult) -> str:
    """Every figure of a result, as text: equal fingerprints, equal results."""
    data = [
        result.report.to_dict(),
        result.customers,
        result.commands,
        result.events,
        [(x.start.isoformat(), x.met, x.breached) for x in result.sla_series],
        [(at.isoformat(), share) for at, share in result.occupancy_series],
        result.callbacks,
        result.callbacks_answered,
        None if result.callback_wait is None else result.callback_wait.total_seconds(),
        result.seed,
    ]
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def reordered(value: Any, order: int) -> Any:
    """*value* with the keys of every mapping in it rotated by *order* (lists kept as they
    are): the same document, as another tool might write it."""
    if isinstance(value, dict):
        items = [(k, reordered(v, order)) for k, v in value.items()]
        k = order % len(items) if items else 0
        return dict(items[k:] + items[:k])
    if isinstance(value, list):
        return [reordered(v, order) for v in value]
    return value


# Each example is two runs: no shrinking (a failure shows its example as drawn).
@settings(max_examples=6, deadline=None, phases=(Phase.explicit, Phase.generate))
@given(order=st.integers(1, 5), agents=st.sampled_from([3, 5]), seed=st.integers(0, 50))
def test_a_document_with_its_keys_in_another_order_is_the_same_run(
    order: int, agents: int, seed: int
) -> None:
    # A mix is a mapping: {"chat": 3, "email": 1, "phone": 2} and {"phone": 2, "chat": 3,
    # "email": 1} are one traffic, and the scenarios compare equal. They once gave each
    # customer a channel (a tier, a category, a language) by the position of the key.
    plain = Scenario("morning", DESK, lebaran(agents), seed)
    shuffled = Scenario("morning", reordered(DESK, order), reordered(lebaran(agents), order), seed)
    assert plain == shuffled
    assert fingerprint(run_scenario(plain)) == fingerprint(run_scenario(shuffled))


def test_a_mix_in_another_order_gives_each_customer_the_same_channel_and_tier() -> None:
    base = lebaran(4)
    turned = lebaran(4)
    mix = turned["arrivals"]
    for key in ("channels", "tiers", "categories", "languages"):
        mix[key] = dict(reversed(list(mix[key].items())))
    a = run_scenario(Scenario("a", DESK, base, 7))
    b = run_scenario(Scenario("b", DESK, turned, 7))
    assert a.report.sla_by_channel == b.report.sla_by_channel
    assert a.report.sla_by_tier == b.report.sla_by_tier
    assert fingerprint(a) == fingerprint(b)


_CHILD = """
import sys
sys.path[:0] = {paths!r}
from test_x6_sim_reproducible import DESK, fingerprint, lebaran
from csflow.sim import Scenario, run_scenario
print(" ".join(fingerprint(run_scenario(Scenario("s", DESK, lebaran(n), 5))) for n in (3, 6)))
"""


def test_the_interpreter_hash_seed_does_not_change_a_run() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    code = _CHILD.format(paths=[here, *sys.path])
    seen = set()
    for hash_seed in ("0", "1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        seen.add(out.stdout.strip())
    local = " ".join(fingerprint(run_scenario(Scenario("s", DESK, lebaran(n), 5))) for n in (3, 6))
    assert seen == {local}


def test_a_sweep_gives_each_scenario_its_result_wherever_and_in_whatever_order_it_runs() -> None:
    grid = [Scenario(f"{n}/{s}", DESK, lebaran(n), s) for n in (3, 5) for s in (1, 2)]
    alone = [fingerprint(run_scenario(s)) for s in grid]
    with ProcessPoolExecutor(max_workers=2) as pool:
        processes = [fingerprint(r) for r in run_sweep(grid, executor=pool)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        backwards = [fingerprint(r) for r in run_sweep(grid[::-1], executor=pool)][::-1]
    assert processes == alone == backwards
    assert len(set(alone)) == len(grid)  # (four different runs, not one four times)


def test_an_empirical_history_in_another_order_is_the_same_run() -> None:
    # Handle times resampled from history: the same observations, exported in another order
    # (a query without ORDER BY), once gave the customers other handle times.
    history = ["PT9M", 150, "PT4M", "PT2M30S", "PT12M", 60, "PT7M"]
    plan = lebaran(4)
    turned = lebaran(4)
    plan["handle_time"]["phone"] = {"empirical": history}
    turned["handle_time"]["phone"] = {"empirical": history[::-1]}
    plan["handle_time"]["default"] = {"empirical": history[3:] + history[:3]}
    turned["handle_time"]["default"] = {"empirical": sorted(history[:3], key=str) + history[3:]}
    a, b = Scenario("a", DESK, plan, 9), Scenario("b", DESK, turned, 9)
    assert a.configs()[1].handle_time == b.configs()[1].handle_time
    assert fingerprint(run_scenario(a)) == fingerprint(run_scenario(b))
    minutes = [timedelta(minutes=m) for m in (7, 2, 5)]
    assert Empirical(minutes) == Empirical(minutes[::-1])
    assert Empirical(minutes).values == tuple(sorted(minutes))
    assert Empirical(minutes).mean_seconds() == 280
