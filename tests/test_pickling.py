"""Values a host sends to a worker process, caches or copies in a test pickle and copy.

Read-only maps inside frozen values (a ticket's attributes, a configuration's tiers, an SLA
policy's targets) are :class:`csflow._frozen.FrozenDict`, which pickles; they stay read-only.
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Desk, DeskConfig, Ticket
from csflow._frozen import FrozenDict
from csflow.desk.fingerprint import config_fingerprint
from csflow.events import Event
from csflow.people import people_report
from csflow.samples import demo_desk_data, demo_simulation_data
from csflow.sim import SimConfig, simulate
from csflow.testing import agent_profiles, desk_configs, rule_sets, tickets


def _both(value: Any) -> list[Any]:
    """*value* through pickle (every protocol) and through deepcopy and copy."""
    out = [
        pickle.loads(pickle.dumps(value, protocol=p)) for p in range(pickle.HIGHEST_PROTOCOL + 1)
    ]
    return [*out, copy.deepcopy(value), copy.copy(value)]


@given(tickets())
def test_tickets_pickle_and_copy(ticket: Ticket) -> None:
    for twin in _both(ticket):
        assert twin == ticket
        assert type(twin.attributes) is FrozenDict


@given(agent_profiles())
def test_agent_profiles_pickle_and_copy(profile: AgentProfile) -> None:
    for twin in _both(profile):
        assert twin == profile


@settings(max_examples=100)  # a desk config is a large draw
@given(desk_configs())
def test_desk_configs_pickle_and_copy_with_their_fingerprint(config: DeskConfig) -> None:
    print_ = config_fingerprint(config)
    for twin in _both(config):
        assert twin == config
        assert config_fingerprint(twin) == print_


@given(rule_sets())
def test_rule_sets_pickle_and_copy(rules: Any) -> None:
    for twin in _both(rules):
        assert twin == rules


def test_a_pickled_config_restores_the_desk_saved_under_the_original() -> None:
    config = DeskConfig.from_dict(demo_desk_data())
    events: list[Event] = []
    sim = attrs.evolve(SimConfig.from_dict(demo_simulation_data()), duration=timedelta(hours=3))
    simulate(config, sim, seed=3, on_event=events.append)
    kinds = {type(e).__name__ for e in events}
    assert {"TicketQueued", "TicketAssigned", "TicketResolved", "SlaMet"} <= kinds
    assert pickle.loads(pickle.dumps(events)) == events
    assert copy.deepcopy(events) == events
    report = people_report(events)
    assert pickle.loads(pickle.dumps(report)) == report
    desk = Desk(config)
    twin = pickle.loads(pickle.dumps(config))
    assert Desk.restore(twin, desk.snapshot()).snapshot() == desk.snapshot()


def test_frozen_maps_stay_read_only() -> None:
    config = DeskConfig.from_dict(demo_desk_data())
    twin = pickle.loads(pickle.dumps(config))
    policy = next(iter(twin.sla_policies.values()))
    for target in (twin.tiers, twin.sla_policies, policy.targets, policy.pause_on):
        assert type(target) is FrozenDict
        with pytest.raises(TypeError, match="read-only"):
            target["x"] = 1
        with pytest.raises(TypeError, match="read-only"):
            target.update({})
        with pytest.raises(TypeError, match="read-only"):
            target.pop("x", None)
        with pytest.raises(TypeError, match="read-only"):
            target.clear()


@given(st.dictionaries(st.text(max_size=3), st.integers() | st.lists(st.integers())))
def test_a_frozen_dict_is_a_dict_that_refuses_changes(items: dict[str, Any]) -> None:
    d: FrozenDict[str, Any] = FrozenDict(items)
    assert d == items
    assert dict(d) == items
    for twin in _both(d):
        assert type(twin) is FrozenDict
        assert twin == items
    changes: list[Callable[[], object]] = [
        lambda: d.__setitem__("k", 1),
        lambda: d.__delitem__("k"),
        lambda: d.setdefault("k", 1),
        lambda: d.popitem(),
        lambda: d.__ior__({"k": 1}),
    ]
    for change in changes:
        with pytest.raises(TypeError):
            change()
    d.__init__({"k": 1}, k2=2)  # type: ignore[misc]  # built once: a second call changes nothing
    assert d == items
