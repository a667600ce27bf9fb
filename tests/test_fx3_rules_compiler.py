"""The generated evaluator stays proportional to its rule set, and answers as the safe one does
(long field paths, and rule sets too large to generate code for)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import csflow.rules.compiler as compiler_module
import csflow.rules.ruleset as ruleset_module
from csflow.rules import RuleSet

SEGMENTS = ("a", "b")
# Read from the module so that the tests also run (and fail) against the code before the bound.
MAX_GENERATED_CHARS: int = getattr(compiler_module, "MAX_GENERATED_CHARS", 1_000_000)


class Wrapped(Mapping[str, Any]):
    """A mapping that is not a dict: always the safe evaluator."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = data

    def __getitem__(self, key: str) -> Any:
        value = self._data[key]
        return Wrapped(value) if isinstance(value, Mapping) else value

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


def _sources(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records the source of every generated evaluator compiled from now on."""
    seen: list[str] = []
    real = compile

    def spy(source: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(source)
        return real(source, *args, **kwargs)

    monkeypatch.setattr(compiler_module, "compile", spy, raising=False)
    return seen


def test_generated_source_is_proportional_to_the_document(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The review's shape: 16-segment fields, 10 rules of 999 comparisons each (0.57 MB).  Every
    # comparison used to spell out the whole path: 13.8 MB of source, 1.7 GB to compile.
    field = ".".join(["a"] * 16)
    rules = [
        {"name": f"r{i}", "when": {"all": [{"field": field, "ne": j} for j in range(999)]}}
        for i in range(10)
    ]
    seen = _sources(monkeypatch)
    rs = RuleSet.from_dicts(rules)
    assert len(seen) == 1
    assert len(seen[0]) <= 2 * len(json.dumps(rules))
    assert rs.evaluate.__code__.co_filename == "<csflow.rules>"
    deep: Any = 5
    for _ in range(16):
        deep = {"a": deep}
    assert rs.evaluate(deep).matched == ()
    deep_ok: Any = 5000
    for _ in range(16):
        deep_ok = {"a": deep_ok}
    assert len(rs.evaluate(deep_ok).matched) == 10


def test_over_the_bound_the_safe_evaluator_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    # 2-segment fields are inlined: some 150 characters a comparison, so 10,000 of them are
    # over the bound, and no source that long is compiled.
    rules = [
        {
            "name": f"r{i}",
            "when": {"all": [{"field": "a.b", "ne": j} for j in range(999)]},
            "then": {"x": i},
        }
        for i in range(10)
    ]
    seen = _sources(monkeypatch)
    rs = RuleSet.from_dicts(rules, mode="all")
    assert all(len(source) <= MAX_GENERATED_CHARS for source in seen)
    assert rs.evaluate.__code__.co_filename != "<csflow.rules>"
    assert rs.evaluate({"a": {"b": 5000}}).matched == tuple(f"r{i}" for i in range(10))
    assert rs.evaluate({"a": {"b": 5}}).matched == ()
    assert rs.evaluate({"a": {"b": [1]}}).actions["x"] == 9
    assert rs.evaluate({"a": 1}).matched == ()


_fields = st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=6).map(".".join)
_scalars = st.one_of(st.none(), st.integers(-1, 1), st.sampled_from(["a", "ab"]))


@st.composite
def _conditions(draw: st.DrawFn) -> dict[str, Any]:
    op = draw(st.sampled_from(["eq", "ne", "in", "not_in", "lt", "ge", "exists", "matches"]))
    if op in ("in", "not_in"):
        value: Any = draw(st.lists(_scalars, min_size=1, max_size=2))
    elif op in ("lt", "ge"):
        value = draw(st.integers(-1, 1))
    elif op == "exists":
        value = draw(st.booleans())
    elif op == "matches":
        value = "^a"
    else:
        value = draw(_scalars)
    return {"field": draw(_fields), op: value}


_whens = st.recursive(
    _conditions(),
    lambda inner: st.one_of(
        st.builds(lambda cs: {"all": cs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda cs: {"any": cs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda c: {"not": c}, inner),
    ),
    max_leaves=5,
)
_contexts = st.recursive(
    _scalars | st.lists(_scalars, max_size=2),
    lambda inner: st.dictionaries(st.sampled_from(SEGMENTS), inner, max_size=2),
    max_leaves=8,
).filter(lambda c: isinstance(c, dict))


@settings(max_examples=100)
@given(
    st.lists(_whens, min_size=1, max_size=4),
    st.sampled_from(["first", "all"]),
    st.lists(_contexts, min_size=1, max_size=4),
)
def test_long_paths_answer_as_the_safe_evaluator(
    whens: list[dict[str, Any]], mode: Any, ctxs: list[dict[str, Any]]
) -> None:
    rules = [{"name": f"r{i}", "when": w, "then": {"x": i}} for i, w in enumerate(whens)]
    fast = RuleSet.from_dicts(rules, mode=mode)
    assert fast.evaluate.__code__.co_filename == "<csflow.rules>"
    real = getattr(ruleset_module, "generate_evaluator")  # noqa: B009
    setattr(ruleset_module, "generate_evaluator", lambda *args: None)  # noqa: B010
    try:
        slow = RuleSet.from_dicts(rules, mode=mode)
    finally:
        setattr(ruleset_module, "generate_evaluator", real)  # noqa: B010
    for ctx in ctxs:
        expected = slow.evaluate(ctx)
        assert fast.evaluate(ctx) == expected
        assert fast.evaluate(Wrapped(ctx)) == expected
