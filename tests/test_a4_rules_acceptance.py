"""The rules engine read as an administrator reads its documentation.

A naive evaluator written from the language's description (``csflow.rules.syntax``) and the
merge of actions (``RuleSet.evaluate``) runs side by side with the compiled rule set on random
rules and random contexts of the values the public sends (Indonesian text, emoji, combining
marks, the Turkish dotted and dotless i, numbers of every kind, nested mappings and lists);
a ``matches`` search of a value longer than the cut never succeeds where the whole value does
not; hostile documents fail with a ``ConfigError`` naming where; and the public helpers refuse
arguments of the wrong kind with a ``ConfigError`` rather than a ``TypeError`` (or, for
``field_is_known`` given one string, a wrong answer).
"""

from __future__ import annotations

import collections
import enum
import json
import math
import operator
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType, SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow._frozen import FrozenDict
from csflow.errors import ConfigError
from csflow.model import Customer, Ticket, Tier
from csflow.rules import (
    MAX_DEPTH,
    MAX_RULES,
    MAX_SUBJECT_CHARS,
    STANDARD_FIELDS,
    Comparison,
    Not,
    RuleSet,
    check_pattern,
    field_is_known,
    ticket_context,
)
from csflow.rules.regex import pattern_cost, subject_matcher

# --------------------------------------------------------------------------------------------
# The reference: the documentation, read literally

ABSENT = object()
_NO_FIELDS = (str, bytes, bytearray, int, float, complex, list, tuple, set, frozenset, type(None))


def ref_field(ctx: Any, path: str) -> Any:
    """Mapping keys; for other objects attributes that are not methods; builtin scalars and
    collections have no fields."""
    for segment in path.split("."):
        if isinstance(ctx, Mapping):
            if segment not in ctx:
                return ABSENT
            ctx = ctx[segment]
        elif isinstance(ctx, _NO_FIELDS):
            return ABSENT
        else:
            value = getattr(ctx, segment, ABSENT)
            if callable(value):
                return ABSENT
            ctx = value
    return ctx


_ORDER = {"lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge}


def ref_holds(cond: Mapping[str, Any], ctx: Any) -> bool:
    if "all" in cond:
        return all(ref_holds(c, ctx) for c in cond["all"])
    if "any" in cond:
        return any(ref_holds(c, ctx) for c in cond["any"])
    if "not" in cond:
        return not ref_holds(cond["not"], ctx)
    (op,) = (k for k in cond if k != "field")
    operand = cond[op]
    value = ref_field(ctx, cond["field"])
    if op == "exists":
        return (value is not ABSENT) is operand
    if value is ABSENT:
        return False
    try:
        if op == "eq":
            return bool(value == operand)
        if op == "ne":
            return bool(value != operand)
        if op == "in":
            return any(value == x for x in operand)
        if op == "not_in":
            return not any(value == x for x in operand)
        if op in _ORDER:
            return bool(_ORDER[op](value, operand))
        if op == "contains":
            if isinstance(value, str):
                return isinstance(operand, str) and operand in value
            if isinstance(value, (list, tuple, set, frozenset, Mapping)):
                return operand in value
            return False
        # matches (the contexts here hold no value longer than the cut: searched whole)
        return isinstance(value, str) and re.search(operand, value) is not None
    except TypeError:  # "a comparison Python refuses is false"
        return False


def ref_decide(
    rules: list[dict[str, Any]], mode: str, ctx: Any
) -> tuple[list[str], dict[str, Any], dict[str, list[str]]]:
    matched = [r for r in rules if "when" not in r or ref_holds(r["when"], ctx)]
    actions: dict[str, Any] = {}
    sources: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    for rule in matched:
        for key, value in rule.get("then", {}).items():
            kind = "list" if isinstance(value, list) else "map" if isinstance(value, dict) else ""
            if mode == "first":
                if key not in actions:
                    actions[key] = list(dict.fromkeys(value)) if kind == "list" else value
                    sources[key] = [rule["name"]]
                continue
            if kind and kinds.get(key) == kind:
                if kind == "list":
                    actions[key] = list(dict.fromkeys([*actions[key], *value]))
                else:
                    actions[key] = {**actions[key], **value}
                sources[key].append(rule["name"])
            else:
                actions[key] = list(dict.fromkeys(value)) if kind == "list" else value
                sources[key] = [rule["name"]]
            kinds[key] = kind
    return [r["name"] for r in matched], actions, sources


def plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    return value


# --------------------------------------------------------------------------------------------
# Random rules and contexts

WORDS = [
    "",
    "refund",
    "Refund",
    "terima kasih",
    "Terima Kasih",
    "pengembalian dana",
    "i",
    "I",
    "İ",  # dotted capital I
    "ı",  # dotless small i
    "istanbul",
    "İstanbul",
    "café",
    "cafe\u0301",  # the same word with a combining accent
    "😀",
    "👍🏽",
    "ß",
    "ss",
    "ǅ",
    "1",
    "1.0",
    "gold",
    "Gold",
]
SCALARS = st.one_of(
    st.sampled_from(WORDS),
    st.integers(-3, 3),
    st.sampled_from([0.0, -0.0, 0.5, 1.0, 2.0**63, -(2**63)]),
    st.booleans(),
    st.none(),
)
KEYS = st.sampled_from(["a", "b", "x", "1"])
ODD = st.sampled_from([math.nan, math.inf, 2**70, b"refund", complex(1, 0)])
VALUES = st.recursive(
    st.one_of(SCALARS, ODD),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(inner, max_size=3).map(tuple),
        st.frozensets(st.sampled_from(["a", 1, "refund", 0.5]), max_size=3),
        st.dictionaries(KEYS, inner, max_size=3),
        st.dictionaries(KEYS, inner, max_size=3).map(FrozenDict),
        st.dictionaries(KEYS, inner, max_size=3).map(MappingProxyType),
        st.dictionaries(st.sampled_from(["a", "b", "x"]), inner, max_size=3).map(
            lambda d: SimpleNamespace(**d)
        ),
    ),
    max_leaves=6,
)
CONTEXTS = st.dictionaries(KEYS, VALUES, max_size=4)
FIELDS = st.sampled_from(["a", "b", "x", "1", "a.b", "a.x", "x.a.b", "a.b.x.a"])
PATTERNS = st.sampled_from(
    [
        "a",
        "^refund",
        "(?i)refund",
        "(?i)i",
        "(?i)İ",
        "(?i)gold$",
        r"\d",
        "^$",
        "😀",
        "é",
        r"\bkasih\b",
        r"(?i)\b(refund|pengembalian)\b",
    ]
)


def _operand(op: str) -> st.SearchStrategy[Any]:
    if op in ("eq", "ne"):
        return SCALARS
    if op == "contains":
        return SCALARS.filter(lambda v: v is not None)
    if op in ("in", "not_in"):
        return st.lists(SCALARS, min_size=1, max_size=3)
    if op in _ORDER:
        return st.one_of(st.sampled_from(WORDS), st.integers(-3, 3), st.sampled_from([0.5, -0.0]))
    if op == "matches":
        return PATTERNS
    return st.booleans()


OPS = st.sampled_from(
    ["eq", "ne", "in", "not_in", "lt", "le", "gt", "ge", "contains", "matches", "exists"]
)
COMPARISONS = st.builds(
    lambda field, pair: {"field": field, pair[0]: pair[1]},
    FIELDS,
    OPS.flatmap(lambda op: _operand(op).map(lambda x: (op, x))),
)
CONDITIONS = st.recursive(
    COMPARISONS,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda c: {"all": c}),
        st.lists(inner, min_size=1, max_size=3).map(lambda c: {"any": c}),
        inner.map(lambda c: {"not": c}),
    ),
    max_leaves=8,
)
ACTIONS = st.dictionaries(
    st.sampled_from(["priority", "queue", "tags", "skills"]),
    st.one_of(
        SCALARS,
        st.lists(st.sampled_from(["vip", "refund", 1, True, 1.0, "😀"]), max_size=3),
        st.dictionaries(st.sampled_from(["refund", "bahasa"]), st.integers(0, 3), max_size=2),
    ),
    max_size=3,
)


@st.composite
def rule_lists(draw: st.DrawFn) -> list[dict[str, Any]]:
    rules = []
    for i in range(draw(st.integers(1, 5))):
        rule: dict[str, Any] = {"name": f"r{i}", "then": draw(ACTIONS)}
        if draw(st.integers(0, 4)):
            rule["when"] = draw(CONDITIONS)
        rules.append(rule)
    return rules


@settings(max_examples=150, deadline=None, derandomize=True)
@given(rule_lists(), st.sampled_from(["first", "all"]), CONTEXTS, st.booleans())
def test_rule_sets_decide_as_the_documentation_says(
    rules: list[dict[str, Any]], mode: str, ctx: dict[str, Any], read_only: bool
) -> None:
    rs = RuleSet.from_dicts(rules, mode)  # type: ignore[arg-type]
    # A plain dict takes the generated fast path; a read-only mapping the safe evaluator.
    decision = rs.evaluate(MappingProxyType(ctx) if read_only else ctx)
    names, actions, sources = ref_decide(rules, mode, ctx)
    assert list(decision.matched) == names
    assert decision.rule == (names[0] if names else None)
    assert plain(decision.actions) == actions
    assert {k: list(v) for k, v in decision.sources.items()} == sources
    # The rule set reads back from its own data, also through JSON.
    assert RuleSet.from_dicts(rs.to_dicts(), mode) == rs  # type: ignore[arg-type]
    assert RuleSet.from_dicts(json.loads(json.dumps(rs.to_dicts())), mode) == rs  # type: ignore[arg-type]


def test_worked_example_first_and_all() -> None:
    rules = [
        {
            "name": "platinum",
            "when": {"field": "customer.tier", "eq": "platinum"},
            "then": {"priority": "urgent", "tags": ["vip", "vip"], "skills": {"bahasa": 2}},
        },
        {
            "name": "refund words",
            "when": {"field": "subject", "matches": r"(?i)\b(refund|pengembalian dana)\b"},
            "then": {"queue": "finance", "tags": ["refund", "vip"], "skills": {"bahasa": 1}},
        },
        {"name": "everyone", "then": {"priority": "normal", "queue": "general"}},
    ]
    ctx = {"customer": {"tier": "platinum"}, "subject": "Mohon PENGEMBALIAN DANA 😀"}
    first = RuleSet.from_dicts(rules, "first").evaluate(ctx)
    assert first.matched == ("platinum", "refund words", "everyone")
    assert plain(first.actions) == {
        "priority": "urgent",
        "tags": ["vip"],
        "skills": {"bahasa": 2},
        "queue": "finance",
    }
    every = RuleSet.from_dicts(rules, "all").evaluate(ctx)
    assert plain(every.actions) == {
        "priority": "normal",
        "tags": ["vip", "refund"],
        "skills": {"bahasa": 1},
        "queue": "general",
    }
    assert every.sources["tags"] == ("platinum", "refund words")
    # Equality is Python's: no case folding, no Unicode normalisation.
    turkish = RuleSet.from_dicts([{"name": "t", "when": {"field": "city", "eq": "istanbul"}}])
    assert turkish.evaluate({"city": "İstanbul"}).matched == ()
    accent = RuleSet.from_dicts([{"name": "c", "when": {"field": "w", "eq": "café"}}])
    assert accent.evaluate({"w": "cafe\u0301"}).matched == ()
    assert accent.evaluate({"w": "café"}).matched == ("c",)


def test_objects_without_fields() -> None:
    """Strings, numbers and tuples have no fields, subclasses (a named tuple, an ``IntEnum``
    member) included; a plain ``Enum`` member's attributes are found."""

    class Level(enum.IntEnum):
        HIGH = 2

    class Colour(enum.Enum):
        RED = 1

    Point = collections.namedtuple("Point", "city")
    rs = RuleSet.from_dicts(
        [
            {"name": "city", "when": {"field": "p.city", "exists": True}},
            {"name": "name", "when": {"field": "p.name", "exists": True}},
            {"name": "real", "when": {"field": "p.real", "exists": True}},
        ]
    )
    for ctx in ({"p": Point("Jakarta")}, {"p": Level.HIGH}, {"p": 5}, {"p": "Jakarta"}):
        assert rs.evaluate(ctx).matched == ()
        assert rs.evaluate(MappingProxyType(ctx)).matched == ()
    assert rs.evaluate({"p": Colour.RED}).matched == ("name",)
    assert rs.evaluate({"p": SimpleNamespace(city="Medan")}).matched == ("city",)


# --------------------------------------------------------------------------------------------
# matches: a value longer than the cut


@st.composite
def patterns(draw: st.DrawFn, depth: int = 0) -> str:
    atom = st.sampled_from(["a", "b", ".", r"\w", r"\s", "[ab]", "x", " ", r"\n"])
    quant = st.sampled_from(["", "", "*", "+", "?", "{2}", "{0,3}", "*+", "++", "*?", "{1,5}+"])
    kind = draw(st.integers(0, 9 if depth < 3 else 0))
    if kind <= 2:
        return draw(atom) + draw(quant)
    if kind == 3:
        return "".join(draw(st.lists(patterns(depth + 1), min_size=1, max_size=3)))
    if kind == 4:
        return "(?:" + draw(patterns(depth + 1)) + "|" + draw(patterns(depth + 1)) + ")"
    if kind == 5:
        return "(?=" + draw(patterns(depth + 1)) + ")"
    if kind == 6:
        return "(?!" + draw(patterns(depth + 1)) + ")"
    if kind == 7:
        return draw(st.sampled_from(["(?<=a)", "(?<!b)", "(?<=ab)", r"(?<!\s)"]))
    if kind == 8:
        return "(?>" + draw(patterns(depth + 1)) + ")"
    return draw(st.sampled_from(["$", r"\Z", r"\b", r"\B", "^", r"\A", "(?m:$)", "(?m:^)"]))


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    st.lists(patterns(), min_size=1, max_size=3).map("".join),
    st.sampled_from(["a", "ab", "a ", "b", " ", "a\n", "x"]),
    st.text(alphabet="ab x\n", max_size=12),
)
def test_a_cut_value_matches_only_where_the_whole_value_does(
    pattern: str, unit: str, tail: str
) -> None:
    try:
        check_pattern(pattern)
    except ConfigError:
        return
    test = subject_matcher(pattern)
    for value in (unit * (MAX_SUBJECT_CHARS // len(unit) + 1) + tail, "a" * 999 + tail):
        if test(value):
            assert re.search(pattern, value) is not None, (pattern, value[-20:])


def test_long_subjects_cost_the_cut_only() -> None:
    rs = RuleSet.from_dicts(
        [
            {"name": "trailing space", "when": {"field": "s", "matches": r"\s+$"}},
            {"name": "refund", "when": {"field": "s", "matches": r"(?i)\b(refund|retur)\b"}},
        ]
    )
    # 200 KB of spaces: the whole value ends in spaces, but the cut is not its end.
    assert rs.evaluate({"s": " " * 200_000}).matched == ()
    assert rs.evaluate({"s": "Refund " + " " * 200_000}).matched == ("refund",)
    assert rs.evaluate({"s": " " * 999}).matched == ("trailing space",)


@pytest.mark.parametrize(
    "pattern",
    [
        r"(a+)+$",
        r"(a|aa)+$",
        r"^(\w+\s?)*$",
        r"(x+x+)+y",
        r"^([a-zA-Z0-9_.\-])+@(([a-zA-Z0-9\-])+\.)+([a-zA-Z0-9]{2,4})+$",
        r"\S+@\S+",
        r"a*a*a*b",
        r".*.*=.*",
        r"(.)\1",
    ],
)
def test_classic_catastrophic_patterns_are_refused_with_their_path(pattern: str) -> None:
    rules = [{"name": "r", "when": {"all": [{"field": "subject", "matches": pattern}]}}]
    with pytest.raises(ConfigError, match=r"regular expression") as exc:
        RuleSet.from_dicts(rules)
    assert exc.value.path == "rules[0].when.all[0].matches"
    assert repr(pattern) in str(exc.value)


# --------------------------------------------------------------------------------------------
# Hostile documents


def test_hostile_documents_fail_with_a_path() -> None:
    deep: Any = {"field": "a", "eq": 1}
    for _ in range(100_000):
        deep = {"not": deep}
    with pytest.raises(ConfigError, match="nest deeper") as exc:
        RuleSet.from_dicts([{"name": "deep", "when": deep}])
    assert exc.value.path == "rules[0].when" + ".not" * MAX_DEPTH

    nested: Any = [1]
    for _ in range(100_000):
        nested = [nested]
    with pytest.raises(ConfigError, match=r"expected a scalar") as exc:
        RuleSet.from_dicts([{"name": "x", "when": {"field": "a", "in": nested}}])
    assert exc.value.path == "rules[0].when.in[0]"

    with pytest.raises(ConfigError, match=rf"at most {MAX_RULES} rules.*got 100000"):
        RuleSet.from_dicts([{"name": f"r{i}"} for i in range(100_000)])
    with pytest.raises(ConfigError, match=r"integers must lie within") as exc:
        RuleSet.from_dicts([{"name": "x", "when": {"field": "a", "eq": 10**5000}}])
    assert exc.value.path == "rules[0].when.eq"
    with pytest.raises(ConfigError, match=r"at most 1000 characters") as exc:
        RuleSet.from_dicts([{"name": "x", "then": {"queue": "q" * 10**6}}])
    assert exc.value.path == "rules[0].then.queue"

    cond: Any = Comparison("a", "eq", 1)
    for _ in range(63):
        cond = Not(cond)
    with pytest.raises(ConfigError, match="nest at most 64 levels, this one would nest 65"):
        Not(cond)


# --------------------------------------------------------------------------------------------
# The public helpers refuse arguments of the wrong kind


def test_known_fields_must_be_strings() -> None:
    rules = [{"name": "x", "when": {"field": "tier", "eq": "gold"}}]
    for bad in ([1, 2], [None], ["tier", 5]):
        with pytest.raises(ConfigError, match=r"known_fields must hold field paths \(strings\)"):
            RuleSet.from_dicts(rules, known_fields=bad)  # type: ignore[arg-type]
    assert RuleSet.from_dicts(rules, known_fields=STANDARD_FIELDS).names == ("x",)


def test_field_is_known_refuses_a_string_for_the_known_fields() -> None:
    with pytest.raises(ConfigError, match=r"not one string, got 'customer'") as exc:
        field_is_known("c", "customer")  # once True: "c" is one of the string's characters
    assert exc.value.path == "known"
    with pytest.raises(ConfigError, match=r"got 5") as exc:
        field_is_known("a.b", 5)  # type: ignore[arg-type]
    assert exc.value.path == "known"
    with pytest.raises(ConfigError, match=r"field must be a dotted path \(a string\), got 5"):
        field_is_known(5, ["a"])  # type: ignore[arg-type]
    assert field_is_known("customer.attributes.city", STANDARD_FIELDS)
    assert field_is_known("a.b", ["a.*"])
    assert not field_is_known("a", ["a.*"])


def test_pattern_helpers_refuse_what_is_no_pattern() -> None:
    with pytest.raises(ConfigError, match=r"a pattern must be a string, got 5"):
        check_pattern(5)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"a pattern must be a string, got None"):
        pattern_cost(None)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"bad regular expression '\(\('"):
        pattern_cost("((")
    with pytest.raises(ConfigError, match=r"subject_chars must be a non-negative int, got 'x'"):
        pattern_cost("a", "x")  # type: ignore[arg-type]
    assert pattern_cost("^ORD-\\d+$") == 4_007


def test_ticket_context_refuses_contacts_that_are_no_mapping() -> None:
    ticket = Ticket(
        "t1", Customer("c1", Tier("gold", 1)), "whatsapp", datetime(2026, 3, 1, tzinfo=UTC)
    )
    for bad in (5, [("count", 2)], "count"):
        with pytest.raises(ConfigError, match=r"contacts must be a mapping"):
            ticket_context(ticket, contacts=bad)  # type: ignore[arg-type]
    ctx = ticket_context(ticket, contacts={"count": 2, "open": 1})
    assert ctx["contacts"] == {"count": 2, "open": 1}


def test_a_combinator_that_is_no_list_is_named_by_its_key() -> None:
    """The path names the bad part, as for an empty or too long list."""
    cond = {"field": "tier", "eq": "gold"}
    for key in ("all", "any"):
        with pytest.raises(ConfigError, match=rf"'{key}' takes a list of conditions") as exc:
            RuleSet.from_dicts([{"name": "r", "when": {"not": {key: cond}}}])
        assert exc.value.path == f"rules[0].when.not.{key}"
        with pytest.raises(ConfigError, match=rf"empty '{key}'") as exc:
            RuleSet.from_dicts([{"name": "r", "when": {"not": {key: []}}}])
        assert exc.value.path == f"rules[0].when.not.{key}"
