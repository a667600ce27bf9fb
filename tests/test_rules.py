"""Worked examples and error paths of the rule language (csflow.rules)."""

from __future__ import annotations

import copy
import pickle
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from csflow.errors import ConfigError
from csflow.model import Customer, Ticket, Tier
from csflow.rules import (
    MAX_DEPTH,
    STANDARD_FIELDS,
    RuleSet,
    describe,
    ticket_context,
)
from documents import DESK_RULES, PLATINUM_CHAT

WIB = timezone(timedelta(hours=7))
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=WIB)
TIERS = {"platinum": Tier("platinum", 3), "gold": Tier("gold", 2), "silver": Tier("silver", 1)}
TIERS["regular"] = Tier("regular", 0)


def ticket(
    tier: str = "regular",
    channel: str = "chat",
    category: str = "general",
    **attributes: Any,
) -> Ticket:
    customer = Customer("c-1", TIERS[tier], language="id")
    return Ticket("t-1", customer, channel, T0, category=category, attributes=attributes)


def test_issue_example_matches_and_reason_names_the_conditions() -> None:
    rs = RuleSet.from_dicts([PLATINUM_CHAT])
    ctx = ticket_context(ticket("platinum", "whatsapp", order_value=250_000), T0)
    d = rs.evaluate(ctx)
    assert d.rule == "platinum chat"
    assert d.matched == ("platinum chat",)
    assert dict(d.actions) == {
        "priority": "urgent",
        "sla_policy": "platinum",
        "queue": "vip",
        "tags": ("vip",),
    }
    assert d.reason == (
        "rule 'platinum chat' matched because customer.tier is 'platinum' and channel is one "
        "of 'chat' or 'whatsapp' and not (attributes.order_value < 100000)"
    )
    miss = rs.evaluate(ticket_context(ticket("platinum", "email", order_value=250_000), T0))
    assert miss.rule is None
    assert miss.matched == ()
    assert dict(miss.actions) == {}
    assert miss.reason == "no rule matched (1 checked)"


def test_indonesian_desk_first_mode_merges_per_key() -> None:
    rs = RuleSet.from_dicts(DESK_RULES, known_fields=STANDARD_FIELDS)
    t = ticket("gold", "whatsapp", "refund", order_value=7_500_000, subject="refund ORD-123")
    d = rs.evaluate(ticket_context(t, T0 + timedelta(seconds=90)))
    assert d.rule == "big refund"
    assert d.matched == ("big refund", "gold waiting", "order number", "defaults")
    assert d.actions["queue"] == "refund-senior"
    assert d.actions["priority"] == "high"
    assert d.actions["sla_policy"] == "gold"
    assert d.actions["tags"] == ("has-order",)
    assert dict(d.actions["required_skills"]) == {"refund": 4}
    assert d.sources["priority"] == ("gold waiting",)
    assert "first to set an action decides it" in d.reason
    assert "'defaults' always applies" in d.reason


def test_wait_below_threshold_and_small_refund_fall_to_defaults() -> None:
    rs = RuleSet.from_dicts(DESK_RULES)
    t = ticket("gold", "chat", "refund", order_value=4_999_999)
    d = rs.evaluate(ticket_context(t, T0 + timedelta(seconds=60)))
    assert d.matched == ("defaults",)
    assert d.actions["queue"] == "umum"
    # Without 'at' there is no wait_s: the comparison is false, not an error.
    assert rs.evaluate(ticket_context(ticket("gold"))).matched == ("defaults",)


def test_all_mode_later_rules_override_lists_extend_mappings_merge() -> None:
    rules = [
        {"name": "base", "then": {"queue": "umum", "tags": ["a"], "meta": {"x": 1, "y": 2}}},
        {
            "name": "vip",
            "when": {"field": "tier", "in": ["gold", "platinum"]},
            "then": {"queue": "vip", "tags": ["b", "a"], "meta": {"y": 3}},
        },
    ]
    rs = RuleSet.from_dicts(rules, mode="all")
    d = rs.evaluate({"tier": "gold"})
    assert d.actions["queue"] == "vip"
    assert d.actions["tags"] == ("a", "b")
    assert dict(d.actions["meta"]) == {"x": 1, "y": 3}
    assert d.sources["tags"] == ("base", "vip")
    assert d.sources["queue"] == ("vip",)
    assert "later ones override earlier ones" in d.reason


def test_missing_fields_are_false_except_exists_false() -> None:
    ops: list[tuple[str, Any]] = [
        ("eq", 1),
        ("ne", 1),
        ("in", [1]),
        ("not_in", [1]),
        ("lt", 1),
        ("le", 1),
        ("gt", 1),
        ("ge", 1),
        ("contains", "a"),
        ("matches", "a"),
        ("exists", True),
    ]
    rules = [{"name": op, "when": {"field": "a.b", op: v}} for op, v in ops]
    rules.append({"name": "absent", "when": {"field": "a.b", "exists": False}})
    rs = RuleSet.from_dicts(rules, mode="all")
    contexts: list[dict[str, Any]] = [{}, {"a": {}}, {"a": 5}, {"a": "t"}, {"a": [1]}, {"a": None}]
    for ctx in contexts:
        assert rs.evaluate(ctx).matched == ("absent",), ctx


def test_type_mismatches_are_false_never_errors() -> None:
    rs = RuleSet.from_dicts(
        [
            {"name": "lt", "when": {"field": "v", "lt": 5}},
            {"name": "in", "when": {"field": "v", "in": [1, "a"]}},
            {"name": "contains", "when": {"field": "v", "contains": "a"}},
            {"name": "matches", "when": {"field": "v", "matches": "a"}},
        ],
        mode="all",
    )
    for value in ("abc"[:0] + "zz", [1, 2], {"k": 1}, {1, 2}, None, object()):
        d = rs.evaluate({"v": value})
        assert "lt" not in d.matched
        assert "matches" not in d.matched
        assert "in" not in d.matched
    assert rs.evaluate({"v": ["a"]}).matched == ("contains",)
    assert rs.evaluate({"v": {"a": 1}}).matched == ("contains",)
    assert rs.evaluate({"v": "xax"}).matched == ("contains", "matches")


def test_fields_resolve_through_attributes_but_never_methods_or_private_names() -> None:
    t = ticket("gold", "chat", order_value=10)
    rs = RuleSet.from_dicts(
        [
            {"name": "tier", "when": {"field": "customer.tier.name", "eq": "gold"}},
            {"name": "value", "when": {"field": "attributes.order_value", "eq": 10}},
            {"name": "method", "when": {"field": "customer.tier.rank", "exists": True}},
            {"name": "bad", "when": {"field": "channel.parse", "exists": True}},
        ],
        mode="all",
    )
    assert rs.evaluate(t).matched == ("tier", "value", "method")


BAD_RULES: list[tuple[Any, str]] = [
    (
        [
            {"name": "a"},
            {"name": "b"},
            {"name": "c", "when": {"all": [{"field": "x", "inn": [1]}]}},
        ],
        r"^rules\[2\]\.when\.all\[0\]: unknown operator 'inn' .*did you mean 'in'\?$",
    ),
    ([{"name": "a"}, {"name": "a"}], r"^rules\[1\]\.name: duplicate rule name 'a'"),
    ([{"name": "a", "when": {"field": "x", "matches": "("}}], r"^rules\[0\]\.when\.matches: bad"),
    ([{"name": "a", "when": {"field": "x", "lt": [1]}}], r"^rules\[0\]\.when\.lt: 'lt' compares"),
    ([{"name": "a", "when": {"field": "x", "ge": True}}], r"non-orderable True"),
    ([{"name": "a", "when": {"field": "x", "gt": None}}], r"non-orderable None"),
    ([{"name": "a", "when": {"all": []}}], r"^rules\[0\]\.when\.all: empty 'all'"),
    ([{"name": "a", "when": {"any": []}}], r"^rules\[0\]\.when\.any: empty 'any'"),
    ([{"name": "a", "when": {"field": "x", "in": []}}], r"'in' takes a non-empty list"),
    ([{"name": "a", "when": {"field": "x"}}], r"missing an operator for field 'x'"),
    ([{"name": "a", "when": {"field": "x", "eq": 1, "ne": 2}}], r"exactly one operator"),
    ([{"name": "a", "when": {"eq": 1}}], r"operator 'eq' needs a 'field'"),
    ([{"name": "a", "when": {"alll": []}}], r"unknown key 'alll'.*did you mean 'all'"),
    ([{"name": "a", "when": {}}], r"empty condition"),
    ([{"name": "a", "when": {"field": "x..y", "eq": 1}}], r"when\.field: field must be"),
    ([{"name": "a", "when": {"field": "x", "eq": float("nan")}}], r"finite, got nan"),
    ([{"name": "a", "when": {"field": "x", "eq": 2**64}}], r"within ±2\*\*63"),
    ([{"name": "a", "when": {"field": "x", "eq": [1]}}], r"when\.eq: expected a scalar"),
    ([{"name": "a", "when": {"field": "x", "exists": 1}}], r"'exists' takes true or false"),
    ([{"name": "a", "when": {"field": "x", "contains": None}}], r"'contains' takes"),
    ([{"name": "a", "then": {"queue": {"x": {"y": 1}}}}], r"then\.queue\.x: expected a scalar"),
    ([{"name": "a", "then": {"bad key": 1}}], r"action names are identifiers"),
    ([{"name": "a", "then": []}], r"'then' must be a mapping"),
    ([{"name": " "}], r"rules\[0\]\.name: rule name must be a non-blank string"),
    ([{"when": {"field": "x", "eq": 1}}], r"rules\[0\]: missing required key 'name'"),
    ([{"name": "a", "wen": {}}], r"unknown key 'wen'.*did you mean 'when'"),
    ([{"name": "a", 1: 2}], r"keys must be strings, got 1"),
    ({"name": "a"}, r"^rules: expected a list of rule mappings"),
    ("rules", r"^rules: expected a list of rule mappings, got 'rules'"),
    (["a"], r"^rules\[0\]: expected a rule mapping, got 'a'"),
]


@pytest.mark.parametrize(("rules", "match"), BAD_RULES)
def test_bad_rules_raise_config_error_with_path(rules: Any, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        RuleSet.from_dicts(rules)


def test_config_error_carries_path_and_detail() -> None:
    with pytest.raises(ConfigError) as info:
        RuleSet.from_dicts([{"name": "a", "when": {"any": [{"field": "x", "gtt": 1}]}}])
    assert info.value.path == "rules[0].when.any[0]"
    assert info.value.detail.startswith("unknown operator 'gtt'")
    again = pickle.loads(pickle.dumps(info.value))
    assert str(again) == str(info.value)


def test_known_fields_catch_unknown_fields_at_load_time() -> None:
    rule = {"name": "a", "when": {"field": "customer.teir", "eq": "gold"}}
    with pytest.raises(
        ConfigError, match=r"when\.field: unknown field 'customer\.teir'.*'customer.tier'"
    ):
        RuleSet.from_dicts([rule], known_fields=STANDARD_FIELDS)
    RuleSet.from_dicts([rule])  # without known_fields any path is allowed
    ok = {"name": "b", "when": {"field": "attributes.anything.deep", "exists": True}}
    RuleSet.from_dicts([ok], known_fields=STANDARD_FIELDS)
    with pytest.raises(ConfigError, match=r"known_fields must be a collection"):
        RuleSet.from_dicts([ok], known_fields="tier")
    with pytest.raises(ConfigError, match=r"known_fields must be a collection"):
        RuleSet.from_dicts([ok], known_fields=3)  # type: ignore[arg-type]


def test_bad_mode_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"mode must be 'first' or 'all', got 'any'"):
        RuleSet.from_dicts([], mode="any")  # type: ignore[arg-type]


def test_deep_nesting_is_bounded_with_a_config_error() -> None:
    cond: dict[str, Any] = {"field": "x", "eq": 1}
    for _ in range(MAX_DEPTH - 1):
        cond = {"not": cond}
    rs = RuleSet.from_dicts([{"name": "deep", "when": cond}])
    assert rs.evaluate({"x": 1}).matched == (("deep",) if MAX_DEPTH % 2 else ())
    for _ in range(10_000):
        cond = {"not": cond}
    with pytest.raises(ConfigError, match=r"nest deeper than the limit of 32 levels"):
        RuleSet.from_dicts([{"name": "deep", "when": cond}])
    wide = {"all": [{"any": [{"field": "x", "eq": i} for i in range(1000)]}] * 11}
    with pytest.raises(ConfigError, match=r"at most 10000 conditions"):
        RuleSet.from_dicts([{"name": "wide", "when": wide}])


def test_round_trip_pickle_copy_and_equality() -> None:
    rs = RuleSet.from_dicts(DESK_RULES)
    assert RuleSet.from_dicts(rs.to_dicts()) == rs
    assert pickle.loads(pickle.dumps(rs)) == rs
    assert copy.deepcopy(rs) is rs
    assert hash(RuleSet.from_dicts(DESK_RULES)) == hash(rs)
    assert RuleSet.from_dicts(DESK_RULES, mode="all") != rs
    assert rs.names[0] == "platinum chat"
    assert rs.rule("defaults").when is None
    assert rs.explain("defaults") == "always"
    assert len(rs) == len(DESK_RULES)
    with pytest.raises(AttributeError, match="immutable"):
        rs.mode = "all"


def test_same_decision_object_for_the_same_matches() -> None:
    rs = RuleSet.from_dicts(DESK_RULES)
    a = rs.evaluate(ticket_context(ticket("silver"), T0))
    b = rs.evaluate(ticket_context(ticket("regular", "email"), T0))
    assert a is b


def test_describe_limits_length() -> None:
    rs = RuleSet.from_dicts(
        [{"name": "long", "when": {"field": "x", "in": [f"value-{i}" for i in range(200)]}}]
    )
    text = describe(rs.rule("long").when, limit=50)
    assert len(text) == 50
    assert text.endswith("…")
    assert describe(None) == "always"
