"""The rule language checked as an administrator reads its reference, on hostile input.

A naive evaluator written from the language's documentation (:mod:`csflow.rules.syntax`) is
compared with compiled rule sets on random rules and random contexts in the three shapes a
context can take (a plain dict, another mapping, an object with attributes), with text in
Indonesian, Arabic, emoji, combining marks and the letters whose case does not fold one to one.
Then the limits: what an administrator's document can make loading or evaluating cost.
"""

from __future__ import annotations

import operator
import re
import time
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csflow.errors import ConfigError, CsflowError
from csflow.rules import MAX_DEPTH, MAX_ITEMS, MAX_NESTING, AllOf, Comparison, Not, Rule, RuleSet
from csflow.rules.regex import check_pattern, subject_matcher

MISSING = object()

TEXTS = [
    "",
    "a",
    "A",
    "ß",
    "SS",
    "ẞ",
    "Straße",
    "STRASSE",
    "ı",
    "I",
    "i",
    "İ",
    "é",
    "e\u0301",
    "Terima kasih",
    "retur dana",
    "refund",
    "REFUND",
    "مرحبا",
    "استرداد",
    "😀",
    "👍🏽",
    "ﬁ",
    "ǅ",
    "ǆ",
    "K",  # KELVIN SIGN
    "ς",
    "Σ",
    "\n",
    "1",
]
SCALARS = st.one_of(
    st.sampled_from(TEXTS),
    st.integers(-3, 3),
    st.sampled_from([0.0, -0.0, 1.0, 1.5, 1e308, -1e308, 2**63, -(2**63)]),
    st.booleans(),
    st.none(),
)
CONTEXT_VALUES = st.one_of(
    SCALARS,
    st.sampled_from([float("nan"), float("inf"), -float("inf"), 2**70, b"a", 1 + 0j]),
    st.lists(SCALARS, max_size=3),
    st.tuples(SCALARS),
    st.frozensets(st.sampled_from(TEXTS), max_size=2),
    st.dictionaries(st.sampled_from(TEXTS), SCALARS, max_size=3),
)
FIELDS = ["a", "b", "c.d", "c.e", "c.d.e"]
PATTERNS = [
    "(?i)ß",
    "(?i)straße",
    "(?i)ı",
    "(?i)İ",
    "(?i)k",
    "(?i)σ",
    "(?i)ǆ",
    "(?i)ﬁ",
    r"(?i)\b(refund|retur dana)\b",
    r"[\u0600-\u06FF]+",
    "^a",
    "a$",
    r"\Z",
    "^$",
    "(?m)^a$",
    "😀",
    "e\u0301",
    r"\w",
    r"\d",
    "(?s).",
]
ORDERING = {"lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge}


def comparisons() -> st.SearchStrategy[dict[str, Any]]:
    field = st.sampled_from(FIELDS)

    def build(op: str, operand: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
        return st.builds(lambda f, v: {"field": f, op: v}, field, operand)

    orderable = st.one_of(
        st.sampled_from(TEXTS),
        st.integers(-3, 3),
        st.floats(allow_nan=False, allow_infinity=False),
    )
    return st.one_of(
        *(build(op, SCALARS) for op in ("eq", "ne")),
        *(build(op, st.lists(SCALARS, min_size=1, max_size=4)) for op in ("in", "not_in")),
        *(build(op, orderable) for op in ORDERING),
        build("contains", st.one_of(st.sampled_from(TEXTS), st.integers(-2, 2), st.booleans())),
        build("matches", st.sampled_from(PATTERNS)),
        build("exists", st.booleans()),
    )


CONDITIONS = st.recursive(
    comparisons(),
    lambda inner: st.one_of(
        st.builds(lambda xs: {"all": xs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda xs: {"any": xs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda x: {"not": x}, inner),
    ),
    max_leaves=6,
)
CONTEXTS = st.recursive(
    st.dictionaries(st.sampled_from(["a", "b", "c", "d", "e"]), CONTEXT_VALUES, max_size=4),
    lambda inner: st.dictionaries(
        st.sampled_from(["a", "b", "c", "d", "e"]), st.one_of(CONTEXT_VALUES, inner), max_size=4
    ),
    max_leaves=8,
)
ACTION_VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.dictionaries(st.sampled_from(["p", "q"]), SCALARS, max_size=2),
)
RULES = st.lists(
    st.tuples(
        st.one_of(st.none(), CONDITIONS),
        st.dictionaries(st.sampled_from(["queue", "tags", "skills"]), ACTION_VALUES, max_size=2),
    ),
    min_size=1,
    max_size=4,
)

# -- the naive evaluator, from the documentation ----------------------------------------------

# "strings, bytes, numbers, lists, tuples, sets and None have no fields"
NO_FIELDS = (str, bytes, bytearray, int, float, complex, list, tuple, set, frozenset, type(None))


def resolve(ctx: Any, field: str) -> Any:
    for segment in field.split("."):
        if isinstance(ctx, Mapping):
            ctx = ctx.get(segment, MISSING)
        elif isinstance(ctx, NO_FIELDS):
            return MISSING
        else:
            found = getattr(ctx, segment, MISSING)
            ctx = MISSING if callable(found) else found
        if ctx is MISSING:
            return MISSING
    return ctx


def holds(test: Any) -> bool:
    """ "A comparison Python refuses is false, never an error." """
    try:
        return bool(test())
    except Exception:
        return False


def naive(cond: Mapping[str, Any], ctx: Any) -> bool:
    if "all" in cond:
        return all(naive(c, ctx) for c in cond["all"])
    if "any" in cond:
        return any(naive(c, ctx) for c in cond["any"])
    if "not" in cond:
        return not naive(cond["not"], ctx)
    (op,) = (k for k in cond if k != "field")
    operand = cond[op]
    value = resolve(ctx, cond["field"])
    if op == "exists":
        return (value is not MISSING) is operand
    if value is MISSING:  # every other operator is false for a missing field
        return False
    if op == "eq":
        return holds(lambda: value == operand)
    if op == "ne":
        return holds(lambda: value != operand)
    if op in ("in", "not_in"):
        found = any(holds(lambda m=m: value == m) for m in operand)
        return found if op == "in" else not found
    if op in ORDERING:
        return holds(lambda: ORDERING[op](value, operand))
    if op == "contains":
        if isinstance(value, str):
            # "a number operand as its text; a boolean in no string"
            if isinstance(operand, bool):
                return False
            return str(operand) in value
        if isinstance(value, (list, tuple, set, frozenset, Mapping)):
            return holds(lambda: operand in value)
        return False
    assert op == "matches"
    assert len(value) <= 1000 if isinstance(value, str) else True
    return isinstance(value, str) and re.search(operand, value) is not None


def naive_decide(
    rules: list[dict[str, Any]], mode: str, ctx: Any
) -> tuple[list[str], dict[str, Any], dict[str, tuple[str, ...]]]:
    """``evaluate``'s documented merge: "first" keeps the first value of each key; "all" lets a
    later one override, except that lists extend and mappings merge."""
    matched = [r for r in rules if "when" not in r or naive(r["when"], ctx)]
    actions: dict[str, Any] = {}
    sources: dict[str, tuple[str, ...]] = {}
    for rule in matched:
        for key, value in rule["then"].items():
            before = actions.get(key, MISSING)
            if mode == "first":
                if before is MISSING:
                    actions[key] = tuple(dict.fromkeys(value)) if isinstance(value, list) else value
                    sources[key] = (rule["name"],)
            elif isinstance(value, list) and isinstance(before, tuple):
                actions[key] = tuple(dict.fromkeys(before + tuple(value)))
                sources[key] += (rule["name"],)
            elif isinstance(value, dict) and isinstance(before, dict):
                actions[key] = {**before, **value}
                sources[key] += (rule["name"],)
            else:
                actions[key] = tuple(dict.fromkeys(value)) if isinstance(value, list) else value
                sources[key] = (rule["name"],)
    return [r["name"] for r in matched], actions, sources


class Attributes:
    """A context read through attributes, nested as the dict it copies."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        for key, value in data.items():
            setattr(self, key, Attributes(value) if type(value) is dict else value)


class Lookup(Mapping[str, Any]):
    """A mapping that is not a dict (the compiled rule set's slow path)."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = data

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


def plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    return value


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(RULES, st.sampled_from(["first", "all"]), CONTEXTS)
def test_compiled_rules_agree_with_the_documented_language(
    drawn: list[tuple[dict[str, Any] | None, dict[str, Any]]], mode: str, ctx: dict[str, Any]
) -> None:
    rules = []
    for i, (when, then) in enumerate(drawn):
        rule: dict[str, Any] = {"name": f"r{i}", "then": then}
        if when is not None:
            rule["when"] = when
        rules.append(rule)
    rs = RuleSet.from_dicts(rules, mode=mode)  # type: ignore[arg-type]
    names, actions, sources = naive_decide(rules, mode, ctx)
    for shape in (ctx, Lookup(ctx), Attributes(ctx)):
        decision = rs.evaluate(shape)
        assert list(decision.matched) == names
        assert decision.rule == (names[0] if names else None)
        # repr: 0 and False, 1.0 and 1 are equal but not the same action value.
        assert repr(plain(decision.actions)) == repr(actions)
        assert dict(decision.sources) == sources


# -- case folding and Unicode, as worked examples ----------------------------------------------


@pytest.mark.parametrize(
    ("condition", "value", "expected"),
    [
        # eq, in and contains compare code points: no case folding, no normalization.
        ({"eq": "refund"}, "Refund", False),
        ({"eq": "Straße"}, "STRASSE", False),
        ({"eq": "é"}, "e\u0301", False),
        ({"in": ["kartı", "kart"]}, "KARTI", False),
        ({"contains": "dana"}, "Retur DANA", False),
        ({"contains": "استرداد"}, "أريد استرداد المبلغ", True),
        ({"contains": "👍"}, "bagus 👍🏽", True),
        ({"contains": "e"}, "caf\u00e9", False),
        # matches with (?i) folds as Python's re does: one character for one.
        ({"matches": "(?i)straße"}, "STRASSE", False),
        ({"matches": "(?i)ß"}, "ẞ", True),
        ({"matches": "(?i)ı"}, "I", True),
        ({"matches": "(?i)i"}, "İ", True),
        ({"matches": "(?i)i"}, "ı", True),
        ({"matches": "(?i)ı"}, "İ", True),
        ({"matches": "(?i)k"}, "\u212a", True),
        ({"matches": "(?i)ﬁ"}, "FI", False),
        ({"matches": r"(?i)\bretur dana\b"}, "Mohon RETUR DANA segera", True),
        # ordering is Python's, by code point
        ({"lt": "b"}, "ä", False),
        ({"gt": "Z"}, "a", True),
    ],
)
def test_comparisons_of_text_are_by_code_point(
    condition: dict[str, Any], value: str, expected: bool
) -> None:
    rs = RuleSet.from_dicts([{"name": "r", "when": {"field": "s", **condition}}])
    for shape in ({"s": value}, Lookup({"s": value}), Attributes({"s": value})):
        assert rs.evaluate(shape).matched == (("r",) if expected else ())


# -- a value longer than the searched part -------------------------------------------------------

ATOMS = ["a", "b", ".", r"\w", r"\s", "[ab]", "[^a]", r"\b", r"\B", "$", "^", r"\A", r"\Z", "ß"]
PIECES = st.one_of(
    st.sampled_from(ATOMS),
    st.builds(
        lambda a, q: f"(?:{a}){q}",
        st.sampled_from(ATOMS[:7]),
        st.sampled_from(["*", "+", "?", "{2}", "*?", "++", "?+"]),
    ),
    st.builds(lambda a: f"(?={a})", st.sampled_from(ATOMS)),
    st.builds(lambda a: f"(?!{a}b)", st.sampled_from(ATOMS)),
    st.builds(lambda a: f"(?>{a}b?)", st.sampled_from(ATOMS)),
    st.builds(lambda a, b: f"(?:{a}|{b})", st.sampled_from(ATOMS), st.sampled_from(ATOMS)),
)
SEARCHES = st.builds(
    lambda flags, parts: flags + "".join(parts),
    st.sampled_from(["", "(?i)", "(?m)", "(?s)"]),
    st.lists(PIECES, min_size=1, max_size=4),
)
LETTERS = st.sampled_from(["a", "b", " ", "\n", "A", "ß", "SS", "😀", "مر"])


@st.composite
def subjects(draw: st.DrawFn) -> str:
    head = "".join(draw(st.lists(LETTERS, max_size=6)))
    tail = "".join(draw(st.lists(LETTERS, max_size=6)))
    run = draw(st.sampled_from([0, 990, 997, 1000, 1001, 1500]))
    return head + draw(LETTERS) * run + tail


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SEARCHES, subjects())
def test_a_search_is_re_search_or_a_match_of_the_whole_value(pattern: str, value: str) -> None:
    try:
        check_pattern(pattern, "p")
    except CsflowError:
        return  # refused: nothing to compare
    found = subject_matcher(pattern)(value)
    whole = re.search(pattern, value) is not None
    if len(value) <= 1000:
        assert found == whole
    elif found:  # only the first 1000 characters are searched, and never their cut as an end
        assert whole


# -- what a document can make loading cost -----------------------------------------------------


def test_a_document_repeating_one_long_list_is_refused_before_it_is_read() -> None:
    # A YAML alias (or a shared Python list) names one list of 1000 values many times: 1000
    # actions of that list per rule, and up to 1000 such rules -- a billion values from a
    # small document.  Before, each was checked and copied (about two microseconds each:
    # hours, and the memory of a billion); two rules show where the count now stops it.
    values = list(range(MAX_ITEMS))
    then = {f"k{j}": values for j in range(MAX_ITEMS)}
    rules = [{"name": f"r{i}", "then": then} for i in range(2)]
    started = time.perf_counter()
    with pytest.raises(ConfigError) as caught:
        RuleSet.from_dicts(rules)
    assert time.perf_counter() - started < 15
    assert caught.value.path == "rules[1].then.k0"
    assert "at most 1,000,000 values" in str(caught.value)


def test_the_million_values_count_in_lists_action_lists_and_mappings_together() -> None:
    listed = [f"SKU-{k:04d}" for k in range(1000)]
    rules: list[dict[str, Any]] = [
        {"name": f"r{i}", "when": {"field": "sku", "in": listed}} for i in range(989)
    ]  # 989,000 values
    nested = {f"s{k}": listed for k in range(10)}
    rules.append({"name": "mapping", "then": {"skills": nested}})  # 10 entries, 10,000 values

    def with_tags(n: int) -> list[dict[str, Any]]:
        return [*rules, {"name": "tags", "then": {"tags": listed[:n]}}]

    assert len(RuleSet.from_dicts(with_tags(990))) == 991  # 1,000,000 values
    with pytest.raises(ConfigError) as caught:
        RuleSet.from_dicts(with_tags(991))
    assert caught.value.path == "rules[990].then.tags"


def test_a_rule_built_in_python_bounds_its_own_actions() -> None:
    values = list(range(MAX_ITEMS))
    nested = {f"e{j}": values for j in range(MAX_ITEMS - 1)}  # 999,999 values
    assert Rule("r", None, {"a": nested}).then["a"]["e0"] == tuple(values)
    with pytest.raises(ConfigError) as caught:
        Rule("r", None, {"a": nested, "b": nested})
    assert caught.value.path == "then.b"


@pytest.mark.parametrize(
    ("rules", "path", "words"),
    [
        ({"name": "r"}, "rules", "expected a list of rule mappings"),
        ("rules", "rules", "expected a list of rule mappings"),
        ([["name", "r"]], "rules[0]", "expected a rule mapping"),
        ([{"name": "r", 1: "x"}], "rules[0]", "keys must be strings"),
        ([{"name": "r", "when": {("field",): "a"}}], "rules[0].when", "keys must be strings"),
        ([{"name": "r", "then": {"skills": {1: 2}}}], "rules[0].then.skills", "keys must be"),
        ([{"name": "r", "when": {"field": "a", "eq": float("nan")}}], "rules[0].when.eq", "finite"),
        ([{"name": "r", "when": {"field": "a", "lt": float("inf")}}], "rules[0].when.lt", "finite"),
        ([{"name": "r", "when": {"field": "a", "in": [1, 2**64]}}], "rules[0].when.in[1]", "2**63"),
        ([{"name": "r", "when": {"field": "a", "ge": True}}], "rules[0].when.ge", "a number or"),
        ([{"name": "r", "then": {"priority": -float("inf")}}], "rules[0].then.priority", "finite"),
        (
            [{"name": "r", "when": {"field": "a", "in": list(range(1001))}}],
            "rules[0].when.in",
            "1000",
        ),
        ([{"name": f"r{i}"} for i in range(10_000)], "rules", "at most 1000 rules"),
        (
            [{"name": "r", "when": {"field": "s", "matches": "(a+)+$"}}],
            "rules[0].when.matches",
            "nested",
        ),
        (
            [{"name": "r", "when": {"field": "s", "matches": r"(\w+\s?)+$"}}],
            "rules[0].when.matches",
            "nested",
        ),
        (
            [{"name": "r", "when": {"field": "s", "matches": r"\s*x\s*"}}],
            "rules[0].when.matches",
            "steps",
        ),
    ],
)
def test_a_refusal_names_the_path_and_what_was_expected(rules: Any, path: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        RuleSet.from_dicts(rules)
    assert caught.value.path == path
    assert words in str(caught.value)


def test_ten_thousand_levels_of_nesting_are_a_config_error() -> None:
    for combinator in ("not", "all", "any"):
        cond: dict[str, Any] = {"field": "a", "eq": 1}
        for _ in range(10_000):
            cond = {combinator: cond if combinator == "not" else [cond]}
        with pytest.raises(ConfigError) as caught:
            RuleSet.from_dicts([{"name": "r", "when": cond}])
        step = ".not" if combinator == "not" else f".{combinator}[0]"
        assert caught.value.path == "rules[0].when" + step * MAX_DEPTH
    # Built in Python: refused at the 65th level, whatever the 10,000 would have been.
    built: Any = Comparison("a", "eq", 1)
    levels = 1
    for i in range(MAX_NESTING - 1):
        built = Not(built) if i % 2 else AllOf((built,))
        levels += 1
    assert levels == MAX_NESTING
    with pytest.raises(ConfigError) as nested:
        Not(built)
    assert nested.value.path == "condition"


def test_long_public_text_against_the_slowest_accepted_searches_stays_bounded() -> None:
    patterns = [r"(?i)\b(refund|return|retur dana)\b", r"^ORD-\d+$", r"[\u0600-\u06FF]+\s?x"]
    rs = RuleSet.from_dicts(
        [{"name": f"r{i}", "when": {"field": "s", "matches": p}} for i, p in enumerate(patterns)]
    )
    for subject in ("a" * 100_000, "مرحبا " * 20_000, "ORD-" + "1" * 100_000, "😀" * 100_000):
        started = time.perf_counter()
        decision = rs.evaluate({"s": subject})
        assert time.perf_counter() - started < 1.0
        assert "r1" not in decision.matched  # $ never matches the cut of a longer value
