"""The rule language's promises a mutation sample found unasserted (``make mutation``, rules).

Every refusal of the loader is given here with its whole message and its path, so a loader that
names the wrong place or says something vaguer fails; the safe evaluator (any mapping or object)
and the generated one (plain dicts) must agree on every operator; reasons are cut exactly at
their limit.
"""

from __future__ import annotations

from types import MappingProxyType, SimpleNamespace
from typing import Any

import pytest

from csflow.errors import ConfigError
from csflow.rules import AllOf, Comparison, RuleSet, describe

W = {"field": "tier", "eq": "gold"}
OPS = "eq, ne, in, not_in, lt, le, gt, ge, contains, matches, exists"


def _one(when: Any = None, then: Any = None) -> list[dict[str, Any]]:
    rule: dict[str, Any] = {"name": "a"}
    if when is not None:
        rule["when"] = when
    if then is not None:
        rule["then"] = then
    return [rule]


REFUSED: list[tuple[Any, str, str]] = [
    ({"x": 1}, "rules", "expected a list of rule mappings, got {'x': 1}"),
    ([{"name": "a"}] * 1001, "rules", "at most 1000 rules are allowed, got 1001"),
    (
        [{"name": "a"}, {"name": "a"}],
        "rules[1].name",
        "duplicate rule name 'a' (also used by the rule at index 0)",
    ),
    ([5], "rules[0]", "expected a rule mapping, got 5"),
    ([{1: "x", "name": "a"}], "rules[0]", "keys must be strings, got 1"),
    (
        [{"name": "a", "whn": {}}],
        "rules[0]",
        "unknown key 'whn' (expected 'name', 'when', 'then' or 'description'); "
        "did you mean 'when'?",
    ),
    ([{"when": W}], "rules[0]", "missing required key 'name'"),
    (
        [{"name": " "}],
        "rules[0].name",
        "rule name must be a non-blank string of at most 200 characters, got ' '",
    ),
    (
        [{"name": "a", "description": 5}],
        "rules[0].description",
        "description must be a string of at most 1000 characters, got 5",
    ),
    (
        _one(5),
        "rules[0].when",
        "expected a condition mapping ('field' with an operator, or 'all', 'any', 'not'), got 5",
    ),
    (
        _one({}),
        "rules[0].when",
        "empty condition: expected 'field' with an operator, or one of 'all', 'any', 'not'",
    ),
    (_one({"eq": 1}), "rules[0].when", "operator 'eq' needs a 'field'"),
    (
        _one({"alll": []}),
        "rules[0].when",
        "unknown key 'alll' (expected 'field' with an operator, or one of 'all', 'any', 'not'); "
        "did you mean 'all'?",
    ),
    (
        _one({"all": [], "any": []}),
        "rules[0].when",
        "a condition has exactly one of 'all', 'any', 'not', got ['all', 'any']",
    ),
    (
        _one({"all": W}),
        "rules[0].when.all",
        "'all' takes a list of conditions, got {'eq': 'gold', 'field': 'tier'}",
    ),
    (_one({"any": []}), "rules[0].when.any", "empty 'any': give at least one condition"),
    (
        _one({"all": [W] * 1001}),
        "rules[0].when.all",
        "'all' takes at most 1000 conditions, got 1001",
    ),
    (
        _one({"not": {"all": [W, 5]}}),
        "rules[0].when.not.all[1]",
        "expected a condition mapping ('field' with an operator, or 'all', 'any', 'not'), got 5",
    ),
    (
        _one({"field": "tier", "eqq": 1}),
        "rules[0].when",
        f"unknown operator 'eqq' (expected one of {OPS}); did you mean 'eq'?",
    ),
    (
        _one({"field": "tier"}),
        "rules[0].when",
        f"missing an operator for field 'tier' (expected one of {OPS})",
    ),
    (
        _one({"field": "tier", "eq": 1, "ne": 2}),
        "rules[0].when",
        "a comparison has exactly one operator, got 'eq', 'ne'",
    ),
    (
        _one({"field": "", "eq": 1}),
        "rules[0].when.field",
        "field must be a dotted path of at most 200 characters, got ''",
    ),
    (
        _one({"field": "a..b", "eq": 1}),
        "rules[0].when.field",
        "field must be 1-16 dot-separated names of letters, digits, '_' and '-', each starting "
        "with a letter or digit, got 'a..b'",
    ),
    (
        _one({"field": "tier", "in": "gold"}),
        "rules[0].when.in",
        "'in' takes a list of scalars, got 'gold'",
    ),
    (_one({"field": "tier", "in": []}), "rules[0].when.in", "'in' takes a non-empty list, got []"),
    (
        _one({"field": "tier", "not_in": [1] * 1001}),
        "rules[0].when.not_in",
        "'not_in' takes at most 1000 values, got 1001",
    ),
    (
        _one({"field": "tier", "in": [1, [2]]}),
        "rules[0].when.in[1]",
        "expected a scalar (string, number, bool or null), got [2]",
    ),
    (
        _one({"field": "tier", "lt": True}),
        "rules[0].when.lt",
        "'lt' compares with a number or a string, got non-orderable True",
    ),
    (
        _one({"field": "tier", "contains": None}),
        "rules[0].when.contains",
        "'contains' takes a string, number or bool, got None",
    ),
    (
        _one({"field": "tier", "matches": 5}),
        "rules[0].when.matches",
        "'matches' takes a pattern string, got 5",
    ),
    (
        _one({"field": "tier", "matches": "(a+)+"}),
        "rules[0].when.matches",
        "unsafe regular expression '(a+)+': a quantified group may not contain another "
        "quantifier or an alternation (nested quantifiers backtrack exponentially)",
    ),
    (
        _one({"field": "tier", "exists": 1}),
        "rules[0].when.exists",
        "'exists' takes true or false, got 1",
    ),
    (
        _one({"field": "tier", "eq": 2**64}),
        "rules[0].when.eq",
        "integers must lie within ±2**63, got 18446744073709551616",
    ),
    (
        _one({"field": "tier", "eq": float("nan")}),
        "rules[0].when.eq",
        "numbers must be finite, got nan",
    ),
    (
        _one({"field": "tier", "eq": "x" * 1001}),
        "rules[0].when.eq",
        "strings must have at most 1000 characters, got '" + "x" * 37 + "..." + "x" * 38 + "'",
    ),
    (_one(then=[]), "rules[0].then", "'then' must be a mapping of actions, got []"),
    (
        _one(then={f"a{i}": 1 for i in range(1001)}),
        "rules[0].then",
        "at most 1000 actions per rule, got 1001",
    ),
    (
        _one(then={"1x": 1}),
        "rules[0].then",
        "action names are identifiers of at most 64 characters, got '1x'",
    ),
    (
        _one(then={"x" * 65: 1}),
        "rules[0].then",
        f"action names are identifiers of at most 64 characters, got {'x' * 65!r}",
    ),
    (_one(then={"q": [1] * 1001}), "rules[0].then.q", "lists hold at most 1000 values, got 1001"),
    (
        _one(then={"q": [1, {}]}),
        "rules[0].then.q[1]",
        "expected a scalar (string, number, bool or null), got {}",
    ),
    (
        _one(then={"q": {"k": {"z": 1}}}),
        "rules[0].then.q.k",
        "expected a scalar or a list, got {'z': 1}",
    ),
    (
        _one(then={"q": {f"k{i}": 1 for i in range(1001)}}),
        "rules[0].then.q",
        "mappings hold at most 1000 entries, got 1001",
    ),
    (_one(then={"q": {"": 1}}), "rules[0].then.q", "keys must be 1-200 characters, got ''"),
    (
        _one(then={"q": {"k" * 201: 1}}),
        "rules[0].then.q",
        "keys must be 1-200 characters, got '" + "k" * 37 + "..." + "k" * 38 + "'",
    ),
    (
        _one(then={"q": {"k": object}}),
        "rules[0].then.q.k",
        "expected a scalar or a list, got <class 'object'>",
    ),
    (_one(then={"q": {2: 1}}), "rules[0].then.q", "keys must be strings, got 2"),
    (
        _one(then={"q": object}),
        "rules[0].then.q",
        "expected a scalar, a list of scalars or a mapping, got <class 'object'>",
    ),
]


@pytest.mark.parametrize(("rules", "path", "detail"), REFUSED)
def test_every_refusal_names_its_path_and_the_value(rules: Any, path: str, detail: str) -> None:
    with pytest.raises(ConfigError) as caught:
        RuleSet.from_dicts(rules)
    assert (caught.value.path, caught.value.detail) == (path, detail)
    assert str(caught.value) == f"{path}: {detail}"


def test_limits_on_nesting_and_on_the_whole_sets_conditions() -> None:
    deep: dict[str, Any] = W
    for _ in range(32):
        deep = {"not": deep}
    with pytest.raises(ConfigError) as caught:
        RuleSet.from_dicts(_one(deep))
    assert caught.value.detail == "conditions nest deeper than the limit of 32 levels"
    assert caught.value.path == "rules[0].when" + ".not" * 32
    # 31 levels of "not" around a comparison is 32 levels: accepted.
    RuleSet.from_dicts(_one(deep["not"]))

    many = [{"name": f"r{i}", "when": {"all": [W] * 1000}} for i in range(10)]
    with pytest.raises(ConfigError) as caught:
        RuleSet.from_dicts(many)
    # Each rule holds 1001 conditions; the 10,001st is the 992nd item of the tenth rule.
    assert str(caught.value) == (
        "rules[9].when.all[990]: a rule set may hold at most 10000 conditions in all"
    )


def test_limits_are_inclusive() -> None:
    RuleSet.from_dicts([{"name": f"r{i}"} for i in range(1000)])
    RuleSet.from_dicts(_one({"all": [W] * 1000}, {"q": [1] * 1000}))
    RuleSet.from_dicts(_one({"field": "tier", "eq": 2**63}, {"x" * 64: "y" * 1000}))
    RuleSet.from_dicts(_one({"field": "tier", "eq": -(2**63)}))
    RuleSet.from_dicts([{"name": "n" * 200, "description": "d" * 1000}])


def test_settings_are_checked() -> None:
    with pytest.raises(ConfigError) as caught:
        RuleSet.from_dicts([], mode="any")  # type: ignore[arg-type]
    assert str(caught.value) == "mode: mode must be 'first' or 'all', got 'any'"
    for bad, shown in (("tier", "'tier'"), (5, "5")):
        with pytest.raises(ConfigError) as caught:
            RuleSet.from_dicts([], known_fields=bad)  # type: ignore[arg-type]
        assert str(caught.value) == f"known_fields must be a collection of field paths, got {shown}"
        assert caught.value.path == ""
    with pytest.raises(ConfigError) as caught:
        RuleSet.from_dicts(_one({"field": "tierr", "eq": 1}), known_fields=["tier", "customer.*"])
    assert str(caught.value) == "rules[0].when.field: unknown field 'tierr'; did you mean 'tier'?"
    RuleSet.from_dicts(_one({"field": "customer.tier.x", "eq": 1}), known_fields=["customer.*"])


def test_a_rule_keeps_its_description() -> None:
    rs = RuleSet.from_dicts([{"name": "a", "description": "why", "when": W}])
    assert rs.rule("a").description == "why"
    assert rs.to_dicts() == [
        {"name": "a", "description": "why", "when": {"field": "tier", "eq": "gold"}}
    ]


# -- the two evaluators agree -----------------------------------------------------------------

# (condition, value of field "f" or None for absent, whether the condition holds)
TRUTH: list[tuple[dict[str, Any], Any, bool]] = [
    ({"eq": 2}, 2, True),
    ({"eq": 2}, 3, False),
    ({"ne": 2}, 3, True),
    ({"ne": 2}, 2, False),
    ({"ne": 2}, None, False),
    ({"in": [1, 2]}, 2, True),
    ({"in": [1, 2]}, 5, False),
    ({"in": [1, 2]}, None, False),
    ({"not_in": [1, 2]}, 2, False),
    ({"not_in": [1, 2]}, 5, True),
    ({"not_in": [1, 2]}, None, False),
    ({"lt": 2}, 1, True),
    ({"lt": 2}, 2, False),
    ({"le": 2}, 2, True),
    ({"le": 2}, 3, False),
    ({"gt": 2}, 3, True),
    ({"gt": 2}, 2, False),
    ({"ge": 2}, 2, True),
    ({"ge": 2}, 1, False),
    ({"lt": 2}, "a", False),
    ({"lt": 2}, None, False),
    ({"contains": "fun"}, "refund", True),
    ({"contains": "x"}, "refund", False),
    ({"contains": 3}, [1, 3], True),
    ({"matches": "^ORD-\\d+$"}, "ORD-12", True),
    ({"matches": "^ORD-\\d+$"}, "ORD-", False),
    ({"exists": True}, 0, True),
    ({"exists": True}, None, False),
    ({"exists": False}, None, True),
    ({"exists": False}, 0, False),
]


def _contexts(value: Any) -> list[Any]:
    plain = {} if value is None else {"f": value}
    nested = {"x": plain}
    return [
        ("dict", plain, ("f",)),
        ("mappingproxy", MappingProxyType(plain), ("f",)),
        ("object", SimpleNamespace(**plain), ("f",)),
        ("nested dict", nested, ("x", "f")),
        ("nested object", SimpleNamespace(x=SimpleNamespace(**plain)), ("x", "f")),
    ]


@pytest.mark.parametrize(("test", "value", "holds"), TRUTH)
def test_every_operator_gives_the_same_answer_on_every_kind_of_context(
    test: dict[str, Any], value: Any, holds: bool
) -> None:
    for kind, context, path in _contexts(value):
        field = ".".join(path)
        one = RuleSet.from_dicts([{"name": "r", "when": {"field": field, **test}}])
        two = RuleSet.from_dicts(
            [{"name": "r", "when": {"field": field, **test}}, {"name": "rest"}]
        )
        assert (one.evaluate(context).rule == "r") is holds, kind
        assert (two.evaluate(context).matched == ("r", "rest")) is holds, kind


def test_combinators_on_every_kind_of_context() -> None:
    when = {
        "any": [
            {"all": [{"field": "a", "eq": 1}, {"not": {"field": "b", "exists": True}}]},
            {"field": "c", "in": ["x"]},
        ]
    }
    rs = RuleSet.from_dicts([{"name": "r", "when": when}])
    cases: list[tuple[dict[str, Any], bool]] = [
        ({"a": 1}, True),
        ({"a": 1, "b": 0}, False),
        ({"c": "x", "b": 0}, True),
        ({}, False),
    ]
    for ctx, holds in cases:
        for context in (ctx, MappingProxyType(ctx), SimpleNamespace(**ctx)):
            assert (rs.evaluate(context).rule == "r") is holds, context


# -- readable reasons --------------------------------------------------------------------------


def test_describe_cuts_exactly_at_the_limit() -> None:
    cond = Comparison("f", "eq", "abcdef")  # "f is 'abcdef'": 13 characters
    assert describe(cond, limit=13) == "f is 'abcdef'"
    assert describe(cond, limit=12) == "f is 'abcde…"
    assert describe(None) == "always"


def test_describe_renders_every_operator() -> None:
    texts = {
        "eq": "f is 1",
        "ne": "f is not 1",
        "lt": "f < 1",
        "le": "f <= 1",
        "gt": "f > 1",
        "ge": "f >= 1",
        "contains": "f contains 1",
    }
    for op, text in texts.items():
        assert describe(Comparison("f", op, 1)) == text
    assert describe(Comparison("f", "in", (1,))) == "f is 1"
    assert describe(Comparison("f", "in", (1, 2, 3))) == "f is one of 1, 2 or 3"
    assert describe(Comparison("f", "not_in", (1, 2))) == "f is none of 1 or 2"
    assert describe(Comparison("f", "in", tuple(range(7)))) == (
        "f is one of 0, 1, 2, 3, 4, 5, … (7 values)"
    )
    assert describe(Comparison("f", "matches", "^a")) == "f matches '^a'"
    assert describe(Comparison("f", "exists", True)) == "f is present"
    assert describe(Comparison("f", "exists", False)) == "f is absent"
    both = AllOf((Comparison("a", "eq", 1), Comparison("b", "eq", 2)))
    rs = RuleSet.from_dicts(
        [
            {
                "name": "r",
                "when": {
                    "any": [
                        {"all": [{"field": "a", "eq": 1}, {"field": "b", "eq": 2}]},
                        {"not": {"field": "c", "eq": 3}},
                    ]
                },
            }
        ]
    )
    assert describe(both) == "a is 1 and b is 2"
    assert rs.explain("r") == "(a is 1 and b is 2) or not (c is 3)"


def test_operands_never_become_names_in_the_generated_evaluator() -> None:
    # The generated evaluator binds every operand as a constant.  Were an operand pasted into
    # the source as part of a name, the operand "k1" of the first rule (made up at step 2) would
    # read "_k12", the name the twelfth step gives to the field "zz" of the eleventh rule.
    rules = [{"name": "first", "when": {"field": "f", "eq": "k1"}}]
    rules += [
        {"name": f"r{i}", "when": {"field": "zz" if i == 10 else f"g{i}", "exists": True}}
        for i in range(1, 11)
    ]
    rs = RuleSet.from_dicts(rules)
    assert rs.evaluate({"f": "zz"}).matched == ()
    assert rs.evaluate({"f": "k1"}).matched == ("first",)
    assert rs.evaluate(MappingProxyType({"f": "zz"})).matched == ()
