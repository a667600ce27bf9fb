"""Laws of the rule engine: compiled evaluation agrees with a naive interpreter; loading
arbitrary data raises nothing but ConfigError."""

from __future__ import annotations

import operator
import re
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.errors import ConfigError
from csflow.rules import MAX_SUBJECT_CHARS, RuleSet
from strategies import rule_contexts, rule_lists

MISSING = object()
# -- the naive interpreter -------------------------------------------------------------------


def naive_get(ctx: Any, field: str) -> Any:
    for segment in field.split("."):
        if isinstance(ctx, Mapping) and segment in ctx:
            ctx = ctx[segment]
        else:
            return MISSING
    return ctx


ORDER = {"lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge}


def naive_test(cond: Mapping[str, Any], ctx: Any) -> bool:
    if "all" in cond:
        return all(naive_test(c, ctx) for c in cond["all"])
    if "any" in cond:
        return any(naive_test(c, ctx) for c in cond["any"])
    if "not" in cond:
        return not naive_test(cond["not"], ctx)
    (op,) = (k for k in cond if k != "field")
    x = cond[op]
    v = naive_get(ctx, cond["field"])
    if op == "exists":
        return bool((v is not MISSING) == x)
    if v is MISSING:
        return False
    if op == "eq":
        return bool(v == x)
    if op == "ne":
        return bool(v != x)
    if op == "in":
        return any(v == item for item in x)
    if op == "not_in":
        return all(v != item for item in x)
    if op in ORDER:
        try:
            return bool(ORDER[op](v, x))
        except TypeError:
            return False
    if op == "contains":
        if isinstance(v, str):
            return isinstance(x, str) and x in v
        if isinstance(v, (list, Mapping)):
            return x in v
        return False
    assert op == "matches"
    return isinstance(v, str) and re.search(x, v[:MAX_SUBJECT_CHARS]) is not None


def naive_decide(rules: list[dict[str, Any]], mode: str, ctx: Any) -> tuple[Any, ...]:
    matched = [r for r in rules if "when" not in r or naive_test(r["when"], ctx)]
    merged: dict[str, Any] = {}
    for rule in matched:
        for key, value in rule.get("then", {}).items():
            value = tuple(dict.fromkeys(value)) if isinstance(value, list) else value
            if mode == "first":
                merged.setdefault(key, value)
            elif isinstance(value, tuple) and isinstance(merged.get(key), tuple):
                merged[key] = tuple(dict.fromkeys(merged[key] + value))
            elif isinstance(value, dict) and isinstance(merged.get(key), Mapping):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
    names = tuple(r["name"] for r in matched)
    return names, merged


class Wrapped(Mapping[str, Any]):
    """A mapping that is not a dict: forces the guarded evaluator."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = data

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


def plain(actions: Mapping[str, Any]) -> dict[str, Any]:
    return {k: dict(v) if isinstance(v, Mapping) else v for k, v in actions.items()}


# Generating nested rule sets is slow (~30 ms each); 150 examples keep this test near 10 s.
@settings(max_examples=150)
@given(rule_lists(), st.sampled_from(["first", "all"]), st.lists(rule_contexts, max_size=5))
def test_compiled_evaluation_agrees_with_naive_interpreter(
    rules: list[dict[str, Any]], mode: Any, ctxs: list[dict[str, Any]]
) -> None:
    rs = RuleSet.from_dicts(rules, mode=mode)
    for ctx in ctxs:
        names, merged = naive_decide(rules, mode, ctx)
        for view in (ctx, MappingProxyType(ctx), Wrapped(ctx)):
            d = rs.evaluate(view)
            assert d.matched == names
            assert d.rule == (names[0] if names else None)
            assert plain(d.actions) == merged
            for name in names:
                assert repr(name) in d.reason


@settings(max_examples=40)
@given(rule_lists(), st.data())
def test_one_corrupted_part_gives_a_config_error_with_a_path(
    rules: list[dict[str, Any]], data: st.DataObject
) -> None:
    if not rules:
        return
    i = data.draw(st.integers(0, len(rules) - 1))
    rules[i] = {**rules[i], "when": {"all": [{"field": "a", "inn": [1]}]}}
    with pytest.raises(
        ConfigError, match=rf"^rules\[{i}\]\.when\.all\[0\]: unknown operator 'inn'"
    ):
        RuleSet.from_dicts(rules)
