"""The parsed form (Comparison, AllOf, AnyOf, Not, Rule) checks what it is given.

Code that builds conditions directly gets the loader's checks: a ConfigError naming the value
and what was expected, instead of a condition that later crashes describe() or lint.implies()
with a builtin error.  The law: the constructors refuse exactly what the loader refuses, with
the same message, and build what it builds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import csflow.rules.regex as regex_module
from csflow import AgentProfile, DeskConfig
from csflow.errors import ConfigError
from csflow.lint import implies
from csflow.rules import (
    MAX_DEPTH,
    MAX_ITEMS,
    AllOf,
    AnyOf,
    Comparison,
    Condition,
    Not,
    Rule,
    RuleSet,
    describe,
)
from csflow.rules.syntax import MAX_NESTING
from strategies import rule_conditions

GOLD = Comparison("tier", "eq", "gold")
# The malformed calls below are what static typing refuses: they come from untyped code.
LOOSE: Any = SimpleNamespace(
    Comparison=Comparison,
    AllOf=AllOf,
    AnyOf=AnyOf,
    Not=Not,
    Rule=Rule,
    describe=describe,
    implies=implies,
)


def _outcome(build: Callable[[], object]) -> tuple[str, object]:
    try:
        return "built", build()
    except ConfigError as exc:
        return "refused", exc.detail


# --------------------------------------------------------------------------------------------
# The reviewer's cases


def test_the_reviewers_parsed_forms_are_refused_with_what_was_expected() -> None:
    chain: list[Condition] = [GOLD]
    with pytest.raises(ConfigError) as info:
        _nest_until_refused(chain, ["not"], 5000)
    deep = chain[-1]
    assert (info.value.path, info.value.detail) == (
        "condition",
        f"conditions built in Python nest at most {MAX_NESTING} levels, this one would nest "
        f"{MAX_NESTING + 1}",
    )
    assert describe(deep).startswith("not (not (")  # the deepest chain renders, cut at 400
    assert implies(deep, Comparison("tier", "eq", "x")) is False
    with pytest.raises(ConfigError) as info:
        LOOSE.Not(5)
    assert (info.value.path, info.value.detail) == (
        "condition",
        "expected a condition (Comparison, AllOf, AnyOf or Not), got 5",
    )
    with pytest.raises(ConfigError) as info:
        Comparison("tier", "bogus", object())
    assert info.value.path == "op"
    assert info.value.detail == (
        "unknown operator 'bogus' (expected one of eq, ne, in, not_in, lt, le, gt, ge, "
        "contains, matches, exists)"
    )


BAD: list[tuple[Callable[[], object], str, str]] = [
    (
        lambda: LOOSE.Comparison("tier", "inn", ["gold"]),
        "op",
        "unknown operator 'inn' (expected one "
        "of eq, ne, in, not_in, lt, le, gt, ge, contains, matches, exists); did you mean 'in'?",
    ),
    (
        lambda: LOOSE.Comparison("tier", 5, "gold"),
        "op",
        "unknown operator 5 (expected one of eq, ne, "
        "in, not_in, lt, le, gt, ge, contains, matches, exists)",
    ),
    (
        lambda: LOOSE.Comparison("a b", "eq", 1),
        "field",
        "field must be 1-16 dot-separated names of "
        "letters, digits, '_' and '-', each starting with a letter or digit, got 'a b'",
    ),
    (
        lambda: LOOSE.Comparison(["tier"], "eq", 1),
        "field",
        "field must be a dotted path of at most 200 characters, got ['tier']",
    ),
    (
        lambda: LOOSE.Comparison("tier", "eq", ["gold"]),
        "value",
        "expected a scalar (string, number, bool or null), got ['gold']",
    ),
    (lambda: LOOSE.Comparison("n", "eq", float("nan")), "value", "numbers must be finite, got nan"),
    (
        lambda: LOOSE.Comparison("n", "eq", 2**64),
        "value",
        "integers must lie within ±2**63, got 18446744073709551616",
    ),
    (
        lambda: LOOSE.Comparison("tier", "in", "gold"),
        "value",
        "'in' takes a list of scalars, got 'gold'",
    ),
    (
        lambda: LOOSE.Comparison("tier", "not_in", []),
        "value",
        "'not_in' takes a non-empty list, got []",
    ),
    (
        lambda: LOOSE.Comparison("tier", "in", ["a", {"b": 1}]),
        "value[1]",
        "expected a scalar (string, number, bool or null), got {'b': 1}",
    ),
    (
        lambda: LOOSE.Comparison("n", "lt", True),
        "value",
        "'lt' compares with a number or a string, got non-orderable True",
    ),
    (
        lambda: LOOSE.Comparison("n", "contains", None),
        "value",
        "'contains' takes a string, number or bool, got None",
    ),
    (
        lambda: LOOSE.Comparison("s", "matches", 5),
        "value",
        "'matches' takes a pattern string, got 5",
    ),
    (
        lambda: LOOSE.Comparison("s", "matches", "(a+)+"),
        "value",
        "unsafe regular expression "
        "'(a+)+': a quantified group may not contain another quantifier or an alternation "
        "(nested quantifiers backtrack exponentially)",
    ),
    (lambda: LOOSE.Comparison("s", "exists", 1), "value", "'exists' takes true or false, got 1"),
    (
        lambda: LOOSE.AllOf(()),
        "conditions",
        "AllOf ('all') takes a non-empty list of conditions, got ()",
    ),
    (
        lambda: LOOSE.AnyOf("ab"),
        "conditions",
        "AnyOf ('any') takes a non-empty list of conditions, got 'ab'",
    ),
    (
        lambda: LOOSE.AnyOf([GOLD] * (MAX_ITEMS + 1)),
        "conditions",
        "AnyOf ('any') takes at most 1000 conditions, got 1001",
    ),
    (
        lambda: LOOSE.AllOf((GOLD, {"field": "tier", "eq": "x"})),
        "conditions[1]",
        "expected a condition (Comparison, AllOf, AnyOf or Not), got {'eq': 'x', 'field': 'tier'}",
    ),
    (
        lambda: LOOSE.Not(None),
        "condition",
        "expected a condition (Comparison, AllOf, AnyOf or Not), got None",
    ),
    (
        lambda: LOOSE.Rule(" ", GOLD, {}),
        "name",
        "rule name must be a non-blank string of at most 200 characters, got ' '",
    ),
    (
        lambda: LOOSE.Rule("r", "tier is gold", {}),
        "when",
        "expected a condition (Comparison, AllOf, AnyOf or Not), got 'tier is gold'",
    ),
    (
        lambda: LOOSE.Rule("r", GOLD, ["queue"]),
        "then",
        "'then' must be a mapping of actions, got ['queue']",
    ),
    (
        lambda: LOOSE.Rule("r", GOLD, {"queue": [["vip"]]}),
        "then.queue[0]",
        "expected a scalar (string, number, bool or null), got ['vip']",
    ),
    (
        lambda: LOOSE.Rule("r", GOLD, {"two words": 1}),
        "then",
        "action names are identifiers of at most 64 characters, got 'two words'",
    ),
    (
        lambda: LOOSE.Rule("r", GOLD, {}, description=5),
        "description",
        "description must be a string of at most 1000 characters, got 5",
    ),
    (
        lambda: LOOSE.describe(5),
        "condition",
        "condition must be a Comparison, AllOf, AnyOf, Not or None, got 5",
    ),
    (lambda: LOOSE.describe(GOLD, limit=0), "limit", "limit must be a positive int, got 0"),
    (
        lambda: LOOSE.implies({"field": "tier", "eq": "x"}, GOLD),
        "condition",
        "condition must be a "
        "Comparison, AllOf, AnyOf, Not or None, got {'field': 'tier', 'eq': 'x'}",
    ),
    (
        lambda: LOOSE.implies(GOLD, "tier is gold"),
        "other",
        "other must be a Comparison, AllOf, AnyOf, Not or None, got 'tier is gold'",
    ),
]


def test_every_malformed_part_is_refused_with_its_argument_and_what_was_expected() -> None:
    outcomes = []
    for build, _, _ in BAD:
        try:
            build()
        except ConfigError as exc:
            outcomes.append((exc.path, exc.detail))
        else:
            outcomes.append(("accepted", ""))
    assert outcomes == [(path, detail) for _, path, detail in BAD]


# --------------------------------------------------------------------------------------------
# The law: the constructors refuse exactly what the loader refuses


def _build(doc: Any) -> Condition:
    """A condition document built through the public constructors (no loader)."""
    assert isinstance(doc, Mapping)
    if "field" in doc:
        (op,) = [key for key in doc if key != "field"]
        return Comparison(doc["field"], op, doc[op])
    ((key, body),) = doc.items()
    if key == "not":
        return Not(_build(body))
    parts = tuple(_build(part) for part in body)
    return AllOf(parts) if key == "all" else AnyOf(parts)


def _leaves(doc: dict[str, Any]) -> list[dict[str, Any]]:
    if "field" in doc:
        return [doc]
    ((key, body),) = doc.items()
    return _leaves(body) if key == "not" else [leaf for part in body for leaf in _leaves(part)]


JUNK = [
    object(),
    None,
    True,
    -(2**70),
    float("inf"),
    "x" * 1001,
    "",
    [],
    ["a", ["b"]],
    {"a": 1},
    ("a",),
    "(a|aa)*b",
    "[",
    "^ok$",
]
JUNK_OPS = ["bogus", "inn", "EQ", "", "match", "exist"]
JUNK_FIELDS = ["a b", "", "x" * 201, ".a", "a." + "b." * 16 + "c", 5, None]
JUNK_NAMES = [5, "", "   ", "x" * 201, None]
JUNK_THEN = [5, ["q"], {"bad key": 1}, {"q": object()}, {"q": [["a"]]}, {"q": {"r": {"s": 1}}}]
JUNK_DESCRIPTIONS = [5, None, "x" * 1001, ["d"]]


@given(
    doc=rule_conditions,
    part=st.sampled_from(["operand", "op", "field", "name", "then", "description", "none"]),
    data=st.data(),
)
def test_the_constructors_refuse_what_the_loader_refuses_and_build_what_it_builds(
    doc: dict[str, Any], part: str, data: st.DataObject
) -> None:
    rule: dict[str, Any] = {"name": "r", "when": doc, "then": {"queue": "vip"}}
    leaf = data.draw(st.sampled_from(_leaves(doc)))
    (op,) = [key for key in leaf if key != "field"]
    if part == "operand":
        leaf[op] = data.draw(st.sampled_from(JUNK))
    elif part == "op":
        leaf[data.draw(st.sampled_from(JUNK_OPS))] = leaf.pop(op)
    elif part == "field":
        leaf["field"] = data.draw(st.sampled_from(JUNK_FIELDS))
    elif part != "none":
        junk: dict[str, list[Any]] = {
            "name": JUNK_NAMES,
            "then": JUNK_THEN,
            "description": JUNK_DESCRIPTIONS,
        }
        rule[part] = data.draw(st.sampled_from(junk[part]))

    def loaded() -> Rule:
        return RuleSet.from_dicts([rule]).rule(rule["name"])

    def built() -> object:
        when = _build(rule["when"])
        made: object = LOOSE.Rule(rule["name"], when, rule["then"], rule.get("description", ""))
        return made

    assert _outcome(built) == _outcome(loaded)
    if part == "none":
        # What the constructors build, the loader reads back from its plain data, equal.
        made = built()
        assert isinstance(made, Rule)
        assert RuleSet.from_dicts([made.to_dict()]).rules == (made,)


def test_a_rules_when_nests_as_deep_as_a_loaded_one() -> None:
    when: Condition = GOLD
    for _ in range(MAX_DEPTH - 1):
        when = Not(when)
    rule = Rule("deep", when, {"queue": "vip"})
    assert RuleSet.from_dicts([rule.to_dict()]).rules == (rule,)
    with pytest.raises(ConfigError) as info:
        Rule("deeper", Not(when), {})
    assert (info.value.path, info.value.detail) == (
        "when",
        f"conditions nest deeper than the limit of {MAX_DEPTH} levels, got {MAX_DEPTH + 1}",
    )


# --------------------------------------------------------------------------------------------
# Bounded nesting: what walks a condition never runs out of stack


def _wrap(kind: str, cond: Condition, i: int) -> Condition:
    if kind == "not":
        return Not(cond)
    other = Comparison(f"f{i}", "gt", i)
    return AllOf((cond, other)) if kind == "all" else AnyOf((other, cond))


def _nest_until_refused(chain: list[Condition], kinds: list[str], most: int) -> None:
    """Append to *chain* its last condition wrapped in the next shape of *kinds*, *most* times."""
    for i in range(most):
        chain.append(_wrap(kinds[i % len(kinds)], chain[-1], i))


@given(kinds=st.lists(st.sampled_from(["not", "all", "any"]), min_size=1, max_size=4))
def test_every_constructible_condition_can_be_walked(kinds: list[str]) -> None:
    # Nest the shapes in turn until the constructors refuse (before: never, and describe,
    # implies, == and hash then recursed past the interpreter's stack).
    chain: list[Condition] = [GOLD]
    with pytest.raises(ConfigError, match=f"nest at most {MAX_NESTING} levels"):
        _nest_until_refused(chain, kinds, 3 * MAX_NESTING)
    assert len(chain) == MAX_NESTING
    cond = chain[-1]
    other = _wrap(kinds[0], GOLD, 0)
    assert describe(cond, limit=10_000).count("tier is 'gold'") == 1
    assert implies(cond, cond)
    assert implies(cond, other) in (True, False)
    assert implies(other, cond) in (True, False)
    assert cond == _rebuild(cond)
    assert hash(cond) == hash(_rebuild(cond))


def _rebuild(cond: Condition) -> Condition:
    if isinstance(cond, Comparison):
        return Comparison(cond.field, cond.op, cond.value)
    if isinstance(cond, Not):
        return Not(_rebuild(cond.condition))
    parts = tuple(_rebuild(c) for c in cond.conditions)
    return AllOf(parts) if isinstance(cond, AllOf) else AnyOf(parts)


def test_lint_wraps_loaded_conditions_within_the_nesting_bound() -> None:
    # The desk's lint follows tickets through the triage rules by wrapping their conditions
    # in "not" and "all" of its own: the bound leaves it room above MAX_DEPTH.
    def chain(n: int, leaf: dict[str, Any]) -> dict[str, Any]:
        for _ in range(n - 1):
            leaf = {"not": leaf}
        return leaf

    doc = {
        "channels": ["chat", "email"],
        "languages": ["id", "en"],
        "skills": ["billing", "tax"],
        "queues": [{"name": "general"}, {"name": "vip"}, {"name": "tax"}],
        "routing_profiles": [{"name": "p", "queues": ["general", "vip", "tax"]}],
        "triage": [
            {
                "name": "a",
                "when": chain(MAX_DEPTH - 1, {"all": [{"field": "channel", "eq": "chat"}]}),
                "then": {"skills": {"billing": 2}, "queue": "vip"},
            },
            {
                "name": "b",
                "when": chain(MAX_DEPTH, {"field": "channel", "eq": "email"}),
                "then": {"skills": ["tax"], "queue": "tax"},
            },
        ],
    }
    config = DeskConfig.from_dict(doc)
    agent = AgentProfile("ag1", skills={"billing": 1}, capacity={"chat": 1, "email": 1})
    paths = {finding.path for finding in config.lint(agents=[agent])}
    assert "triage.rules[0].then.skills.billing" in paths
    deepest = config.triage.rules[1].when
    assert deepest is not None
    for _ in range(MAX_NESTING - MAX_DEPTH):
        deepest = Not(deepest)
    with pytest.raises(ConfigError, match=f"nest at most {MAX_NESTING} levels"):
        Not(deepest)


# --------------------------------------------------------------------------------------------
# The loader checks each pattern once; the constructor checks it too


def test_a_pattern_is_checked_once_by_the_loader_and_once_by_the_constructor(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parses: list[int] = []
    parser = regex_module._parser_module()

    def counting() -> Any:
        parses.append(1)
        return parser

    monkeypatch.setattr(regex_module, "_parser_module", counting)
    patterns = [rf"(?i)^ORD-{i}-\d+" for i in range(5)]
    rs = RuleSet.from_dicts([{"name": p, "when": {"field": "s", "matches": p}} for p in patterns])
    assert len(parses) == len(patterns)
    assert rs.evaluate({"s": "ord-3-42"}).matched == (patterns[3],)
    parses.clear()
    assert Comparison("s", "matches", patterns[0]) == rs.rules[0].when
    assert len(parses) == 1
    with pytest.raises(ConfigError, match=r"^value: unsafe regular expression '\(a\|aa\)\*b'"):
        Comparison("s", "matches", "(a|aa)*b")
