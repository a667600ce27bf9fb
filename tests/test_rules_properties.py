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

MISSING = object()
SEGMENTS = ("a", "b", "c")
PATTERNS = ("^a", "b$", "ab", "a|b", "^a+$", "(?i)B")
ACTION_KEYS = ("x", "y", "tags", "meta")

# -- generated rule sets ---------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 2),
    st.sampled_from([0.5, -1.0, 2.0]),
    st.text("ab", max_size=2),
)
orderables = st.one_of(st.integers(-2, 2), st.sampled_from([0.5, 1.5]), st.text("ab", max_size=2))
fields = st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=2).map(".".join)


@st.composite
def comparisons(draw: st.DrawFn) -> dict[str, Any]:
    op = draw(
        st.sampled_from(
            ["eq", "ne", "in", "not_in", "lt", "le", "gt", "ge", "contains", "matches", "exists"]
        )
    )
    if op in ("eq", "ne"):
        value: Any = draw(scalars)
    elif op in ("in", "not_in"):
        value = draw(st.lists(scalars, min_size=1, max_size=3))
    elif op in ("lt", "le", "gt", "ge"):
        value = draw(orderables)
    elif op == "contains":
        value = draw(st.one_of(st.text("ab", max_size=2), st.integers(-2, 2), st.booleans()))
    elif op == "matches":
        value = draw(st.sampled_from(PATTERNS))
    else:
        value = draw(st.booleans())
    return {"field": draw(fields), op: value}


conditions = st.recursive(
    comparisons(),
    lambda inner: st.one_of(
        st.builds(lambda cs: {"all": cs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda cs: {"any": cs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda c: {"not": c}, inner),
    ),
    max_leaves=5,
)
action_values = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(st.sampled_from(["p", "q"]), scalars, max_size=2),
)
actions = st.dictionaries(st.sampled_from(ACTION_KEYS), action_values, max_size=3)


@st.composite
def rule_lists(draw: st.DrawFn) -> list[dict[str, Any]]:
    n = draw(st.integers(0, 5))
    out = []
    for i in range(n):
        rule: dict[str, Any] = {"name": f"r{i}"}
        if draw(st.integers(0, 5)):
            rule["when"] = draw(conditions)
        if draw(st.booleans()):
            rule["then"] = draw(actions)
        out.append(rule)
    return out


# -- generated contexts ----------------------------------------------------------------------

values = st.recursive(
    st.one_of(scalars, st.floats(allow_nan=True), st.text("abAB", max_size=4)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(SEGMENTS), inner, max_size=3),
    ),
    max_leaves=6,
)
contexts = st.dictionaries(st.sampled_from(SEGMENTS), values, max_size=3)


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
@given(rule_lists(), st.sampled_from(["first", "all"]), st.lists(contexts, max_size=5))
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
