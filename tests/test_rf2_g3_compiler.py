"""A long field path's resolver never raises: a rule with a search is inlined unguarded by
``try``, so a key whose ``__eq__`` raises (met on a hash collision) must make the field
missing there too, as the safe evaluator and the short inline paths do."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.rules import RuleSet
from csflow.rules.compiler import compile_condition


class Hostile:
    """A key that collides with ``"a"`` and raises when compared."""

    def __hash__(self) -> int:
        return hash("a")

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("hostile key")


def _with_hostile(extra: dict[str, Any]) -> dict[Any, Any]:
    d: dict[Any, Any] = {Hostile(): 1}
    d.update(extra)  # keys other than "a": no comparison with the hostile key
    return d


def test_a_long_path_through_a_hostile_key_is_missing() -> None:
    rules = [
        {"name": "search", "when": {"field": "b.a.a.a", "matches": "^x"}, "then": {"q": 1}},
        {"name": "absent", "when": {"field": "b.a.a.a", "exists": False}, "then": {"q": 2}},
        {"name": "top", "when": {"field": "a.a.a.a", "matches": "x"}, "then": {"q": 3}},
    ]
    rs = RuleSet.from_dicts(rules, mode="all")
    assert rs.evaluate.__code__.co_filename == "<csflow.rules>"  # the generated evaluator
    for ctx in ({"b": _with_hostile({})}, _with_hostile({"b": {"a": _with_hostile({})}})):
        decision = rs.evaluate(ctx)  # raised RuntimeError before
        assert decision.matched == ("absent",)
        assert decision.actions["q"] == 2


_segments = st.sampled_from(["a", "b"])
_fields = st.lists(_segments, min_size=1, max_size=6).map(".".join)
_scalars = st.one_of(st.none(), st.integers(-1, 1), st.sampled_from(["a", "xa"]))
_ops = st.sampled_from(["eq", "ne", "lt", "exists", "matches"])


@st.composite
def _comparisons(draw: st.DrawFn) -> dict[str, Any]:
    op = draw(_ops)
    value: Any = {"exists": draw(st.booleans()), "matches": "a", "lt": 1}.get(op)
    if value is None:
        value = draw(_scalars)
    return {"field": draw(_fields), op: value}


_whens = st.recursive(
    _comparisons(),
    lambda inner: st.one_of(
        st.builds(lambda cs: {"all": cs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda cs: {"any": cs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda c: {"not": c}, inner),
    ),
    max_leaves=5,
)


def _hostile_dicts(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    plain = st.dictionaries(_segments, inner, max_size=2)
    # A hostile key only beside "b": a lookup of "a" meets it, a lookup of "b" does not.
    hostile = st.dictionaries(st.just("b"), inner, max_size=1).map(_with_hostile)
    return plain | hostile


_contexts = st.recursive(_scalars, _hostile_dicts, max_leaves=8).filter(
    lambda c: isinstance(c, dict)
)


@settings(max_examples=200)
@given(st.lists(_whens, min_size=1, max_size=3), st.lists(_contexts, min_size=1, max_size=4))
def test_the_fast_evaluator_answers_as_the_safe_one_among_hostile_keys(
    whens: list[dict[str, Any]], ctxs: list[dict[Any, Any]]
) -> None:
    rules = [{"name": f"r{i}", "when": w} for i, w in enumerate(whens)]
    rs = RuleSet.from_dicts(rules)
    safe = [compile_condition(rule.when) for rule in rs.rules if rule.when is not None]
    for ctx in ctxs:
        expected = tuple(rule.name for rule, test in zip(rs.rules, safe, strict=True) if test(ctx))
        assert rs.evaluate(ctx).matched == expected
