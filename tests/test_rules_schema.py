"""csflow.rules.SCHEMA: a JSON Schema of the rule language, checked against the loader.

jsonschema is not installed in the dev environment, so the tests carry a small validator for
exactly the keywords SCHEMA uses (draft 2020-12 semantics); it refuses to run on a keyword it
does not implement, so it cannot silently pass.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.errors import ConfigError
from csflow.rules import SCHEMA, RuleSet
from documents import DESK_RULES, PLATINUM_CHAT
from strategies import JSON_SCALARS, RULE_PATTERNS, json_documents, rule_lists


def _json_type(value: Any, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "null":
        return value is None
    if kind == "array":
        return isinstance(value, (list, tuple))
    if kind == "object":
        return isinstance(value, Mapping)
    raise AssertionError(f"validator does not know type {kind!r}")


KNOWN_KEYWORDS = {
    "$schema", "title", "description", "$defs", "$ref", "type", "maxItems", "minItems",
    "items", "required", "additionalProperties", "properties", "minProperties",
    "maxProperties", "oneOf", "anyOf", "maxLength", "minLength", "pattern", "propertyNames",
}  # fmt: skip


def schema_valid(value: Any, schema: Mapping[str, Any], root: Mapping[str, Any] = SCHEMA) -> bool:
    unknown = set(schema) - KNOWN_KEYWORDS
    assert not unknown, f"the test validator does not implement {unknown}"
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        if not schema_valid(value, root["$defs"][name], root):
            return False
    if "type" in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_json_type(value, k) for k in kinds):
            return False
    if "oneOf" in schema and sum(schema_valid(value, s, root) for s in schema["oneOf"]) != 1:
        return False
    if "anyOf" in schema and not any(schema_valid(value, s, root) for s in schema["anyOf"]):
        return False
    if isinstance(value, str):
        if len(value) > schema.get("maxLength", len(value)):
            return False
        if len(value) < schema.get("minLength", 0):
            return False
        if "pattern" in schema and not re.search(schema["pattern"], value):
            return False
    if isinstance(value, (list, tuple)):
        if not schema.get("minItems", 0) <= len(value) <= schema.get("maxItems", len(value)):
            return False
        if "items" in schema and not all(schema_valid(v, schema["items"], root) for v in value):
            return False
    if isinstance(value, Mapping):
        if (
            not schema.get("minProperties", 0)
            <= len(value)
            <= schema.get("maxProperties", len(value))
        ):
            return False
        if any(key not in value for key in schema.get("required", ())):
            return False
        props = schema.get("properties", {})
        for key, item in value.items():
            if "propertyNames" in schema and not schema_valid(key, schema["propertyNames"], root):
                return False
            if key in props:
                if not schema_valid(item, props[key], root):
                    return False
            elif "additionalProperties" in schema:
                extra = schema["additionalProperties"]
                if extra is False or (extra is not True and not schema_valid(item, extra, root)):
                    return False
    return True


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
