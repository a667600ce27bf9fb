"""csflow.rules.SCHEMA: a JSON Schema of the rule language, checked against the loader.

jsonschema is not installed in the dev environment, so the tests carry a small validator
(``json_schema_check``) for exactly the keywords csflow's schemas use (draft 2020-12
semantics); it refuses to run on a keyword it does not implement, so it cannot silently pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.errors import ConfigError
from csflow.rules import SCHEMA, RuleSet
from documents import DESK_RULES, PLATINUM_CHAT
from json_schema_check import schema_valid as check
from strategies import JSON_SCALARS, RULE_PATTERNS, json_documents, rule_lists


def schema_valid(value: Any, schema: Mapping[str, Any], root: Mapping[str, Any] = SCHEMA) -> bool:
    return check(value, schema, root)


def test_schema_is_a_json_schema_dict() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["type"] == "array"
    assert isinstance(SCHEMA["$defs"], dict)


def test_valid_examples_pass_the_schema() -> None:
    assert schema_valid(DESK_RULES, SCHEMA)
    assert schema_valid([PLATINUM_CHAT], SCHEMA)
    assert schema_valid([], SCHEMA)
    assert schema_valid(RuleSet.from_dicts(DESK_RULES).to_dicts(), SCHEMA)


INVALID: list[Any] = [
    {"name": "a"},
    "rules",
    ["a"],
    [{"name": "a", "when": {"all": [{"field": "x", "inn": [1]}]}}],
    [{"name": "a", "when": {"field": "x", "lt": [1]}}],
    [{"name": "a", "when": {"field": "x", "ge": True}}],
    [{"name": "a", "when": {"all": []}}],
    [{"name": "a", "when": {"field": "x", "in": []}}],
    [{"name": "a", "when": {"field": "x"}}],
    [{"name": "a", "when": {"field": "x", "eq": 1, "ne": 2}}],
    [{"name": "a", "when": {"eq": 1}}],
    [{"name": "a", "when": {}}],
    [{"name": "a", "when": {"field": "x..y", "eq": 1}}],
    [{"name": "a", "when": {"field": "x", "eq": [1]}}],
    [{"name": "a", "when": {"field": "x", "exists": 1}}],
    [{"name": "a", "when": {"field": "x", "contains": None}}],
    [{"name": "a", "then": {"queue": {"x": {"y": 1}}}}],
    [{"name": "a", "then": {"bad key": 1}}],
    [{"name": "a", "then": []}],
    [{"name": " "}],
    [{"name": 1}],
    [{"when": {"field": "x", "eq": 1}}],
    [{"name": "a", "wen": {}}],
]


@pytest.mark.parametrize("rules", INVALID)
def test_invalid_examples_fail_the_schema_and_the_loader(rules: Any) -> None:
    assert not schema_valid(rules, SCHEMA)
    with pytest.raises(ConfigError):
        RuleSet.from_dicts(rules)


@settings(max_examples=60)
@given(rule_lists(), st.sampled_from(["first", "all"]))
def test_valid_rule_sets_round_trip_and_pass_the_schema(
    rules: list[dict[str, Any]], mode: Any
) -> None:
    rs = RuleSet.from_dicts(rules, mode=mode)
    assert schema_valid(rules, SCHEMA)
    assert RuleSet.from_dicts(rs.to_dicts(), mode=mode) == rs
    assert schema_valid(rs.to_dicts(), SCHEMA)


KEYWORDS = (
    "name", "when", "then", "description", "field", "eq", "ne", "in", "not_in", "lt", "le",
    "gt", "ge", "contains", "matches", "exists", "all", "any", "not", "inn", "queue",
)  # fmt: skip
# Rule-set words and patterns among the leaves and keys, so that some documents come close.
json_like = json_documents(
    JSON_SCALARS | st.sampled_from(KEYWORDS + RULE_PATTERNS + ("(a+)+", "(", "a.b", "")),
    st.sampled_from(KEYWORDS) | st.text(max_size=4),
    max_size=4,
    max_leaves=20,
)


@settings(max_examples=300)
@given(st.one_of(json_like, st.lists(json_like, max_size=4)), st.sampled_from(["first", "all"]))
def test_loading_arbitrary_data_raises_only_config_error(data: Any, mode: Any) -> None:
    try:
        rs = RuleSet.from_dicts(data, mode=mode)
    except ConfigError:
        return
    # Whatever loads is described by the schema and evaluates without raising.
    assert schema_valid(data, SCHEMA)
    rs.evaluate({})
    rs.evaluate({"a": data})
