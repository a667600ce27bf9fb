"""The config fingerprint counts a rule set's mode and reads numbers as numbers; rule-backed
policies refuse a context that is not a PolicyContext; a duplicate rule name's message names
no path of its own."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import csflow.desk.fingerprint as fp
from csflow import ConfigError, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.desk.fingerprint import config_fingerprint, fingerprint_changes
from csflow.policies import (
    RuleEscalationPolicy,
    RulePriorityPolicy,
    RuleQueuePolicy,
    RuleSlaSelectionPolicy,
)
from csflow.rules import RuleSet

AT = datetime(2026, 3, 17, 3, 0, tzinfo=UTC)
RULES = [
    {"name": "vip", "when": {"field": "tier", "eq": "gold"}, "then": {"queue": "vip"}},
    {"name": "rest", "then": {"queue": "general"}},
]
QUEUES = [{"name": "general"}, {"name": "vip"}]


def _triage(mode: str) -> DeskConfig:
    return DeskConfig.from_dict({"queues": QUEUES, "triage": {"mode": mode, "rules": RULES}})


def _gold(desk: Desk, ticket_id: str) -> str | None:
    desk.submit(Ticket(ticket_id, Customer(f"c-{ticket_id}", Tier("gold", 3)), "chat", AT), at=AT)
    return desk.ticket(ticket_id).queue


def test_the_triage_mode_counts() -> None:
    first, all_ = _triage("first"), _triage("all")
    assert fingerprint_changes(config_fingerprint(first), config_fingerprint(all_), all_) == [
        "triage"
    ]
    desk = Desk(first)
    assert _gold(desk, "T1") == "vip"
    with pytest.raises(ConfigError, match="triage"):
        Desk.restore(all_, desk.snapshot())
    # Accepted on request, and then the new mode decides.
    restored = Desk.restore(all_, desk.snapshot(), on_config_change=[])
    assert _gold(restored, "T2") == "general"


def test_the_usual_modes_keep_their_fingerprint() -> None:
    # "first" for triage, "all" for escalation rules: the mode is not written, so the part
    # hashes are the ones snapshots written before the mode counted hold (pinned from then).
    config = DeskConfig.from_dict(
        {
            "queues": QUEUES,
            "triage": {"mode": "first", "rules": RULES},
            "escalation_rules": [
                {
                    "name": "breach",
                    "when": {"field": "event", "eq": "breach"},
                    "then": {"queue": "vip"},
                }
            ],
        }
    )
    parts = config_fingerprint(config)["parts"]
    assert parts["triage"] == "9b5e192cbbf9ee9dae06a31de4113a7b1884bc082638c9a971047cb1a9fbbcd3"
    assert (
        parts["escalation_policy"]
        == "c0b79c065f2c3775e53f8ca94a6ad8c7f517b80301aeb5157c35b685ec558bb5"
    )
    listed = DeskConfig.from_dict({"queues": QUEUES, "triage": RULES})
    assert config_fingerprint(listed)["parts"]["triage"] == parts["triage"]


def test_an_escalation_policy_built_in_python_counts_its_mode() -> None:
    rules = [
        {"name": "breach", "when": {"field": "event", "eq": "breach"}, "then": {"queue": "vip"}}
    ]
    configs = [
        attrs.evolve(
            _triage("first"),
            escalation_policy=RuleEscalationPolicy(RuleSet.from_dicts(rules, mode=mode)),
        )
        for mode in ("all", "first")
    ]
    a, b = (config_fingerprint(c) for c in configs)
    assert fingerprint_changes(a, b, configs[1]) == ["escalation_policy"]


def _big(value: Any) -> DeskConfig:
    return DeskConfig.from_dict(
        {
            "queues": [{"name": "general"}, {"name": "finance"}],
            "triage": [
                {
                    "name": "big",
                    "when": {"field": "attributes.order_value", "ge": value},
                    "then": {"queue": "finance"},
                }
            ],
        }
    )


@given(st.integers(-(2**53), 2**53))
def test_equal_numbers_have_one_fingerprint(n: int) -> None:
    as_int, as_float = _big(n), _big(float(n))
    assert as_int == as_float
    assert config_fingerprint(as_int) == config_fingerprint(as_float)


def test_a_snapshot_of_either_spelling_restores_under_the_other() -> None:
    as_int, as_float = _big(5000000), _big(5000000.0)
    desk = Desk(as_int)
    desk.submit(Ticket("T1", Customer("c1", Tier("regular", 1)), "chat", AT), at=AT)
    assert Desk.restore(as_float, desk.snapshot()).ticket("T1").queue == "general"


def test_the_older_form_of_a_float_still_restores() -> None:
    # Written before floats equal to integers were written as integers: the part hash of the
    # float as it was.  The same config accepts it; a config that is not equal does not.
    config = _big(5000000.0)
    new = config_fingerprint(config)
    old_triage = fp._hash(fp._canon(config.triage, 0, fp._MAX_CANON_DEPTH, True))
    assert old_triage != new["parts"]["triage"]
    old = {**new, "parts": {**new["parts"], "triage": old_triage}}
    assert fingerprint_changes(old, new, config) == []
    other = _big(5000001.0)
    assert fingerprint_changes(old, config_fingerprint(other), other) == ["triage"]


@pytest.mark.parametrize(
    "policy",
    [
        RulePriorityPolicy([{"name": "a", "then": {"priority": "high"}}]),
        RuleQueuePolicy([{"name": "a", "then": {"queue": "q"}}]),
        RuleSlaSelectionPolicy([{"name": "a", "then": {"sla_policy": "s"}}]),
        RuleEscalationPolicy([{"name": "a", "then": {"queue": "q"}}]),
    ],
    ids=lambda p: type(p).__name__,
)
@pytest.mark.parametrize("bad", [{"tier": "gold"}, None, "ctx"], ids=["dict", "None", "str"])
def test_a_rule_policy_refuses_what_is_not_a_context(policy: Any, bad: object) -> None:
    with pytest.raises(ConfigError, match="must be a PolicyContext") as info:
        policy(bad)
    assert info.value.path == "context"


@pytest.mark.parametrize("form", ["list", "mapping"])
def test_a_duplicate_rule_name_names_no_other_path(form: str) -> None:
    rules = [{"name": "a"}, {"name": "b"}, {"name": "a"}]
    triage: Any = rules if form == "list" else {"mode": "first", "rules": rules}
    with pytest.raises(ConfigError) as info:
        DeskConfig.from_dict({"queues": [{"name": "q"}], "triage": triage})
    assert info.value.path == ("triage[2].name" if form == "list" else "triage.rules[2].name")
    assert "rules[" not in info.value.detail
    assert "index 0" in info.value.detail
