"""Review fixes in the rules engine: decisions stay small whatever matched, a possessive
repeat or atomic group that runs into the cut does not match where the whole value does not,
and a load parses and compiles each distinct pattern once."""

from __future__ import annotations

import copy
import pickle
import re
import tracemalloc
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.errors import ConfigError
from csflow.rules import MAX_SUBJECT_CHARS, Decision, RuleSet
from csflow.rules import regex as regex_module
from csflow.rules.regex import check_pattern, subject_matcher

# --------------------------------------------------------------------------------------------
# 1. Decisions: a bounded reason, a bounded cache, the same merge

WORDS = [f"product-{i:04d}-with-a-rather-long-sku-name" for i in range(20)]


def _many_rules(n: int = 1000) -> list[dict[str, Any]]:
    """*n* rules whose ~320-character conditions a context switches on and off one by one."""
    return [
        {
            "name": f"rule-{i}",
            "when": {
                "all": [
                    {"field": f"attributes.f{i}", "eq": True},
                    {"field": "category", "in": WORDS},
                ]
            },
            "then": {"tags": [f"t{i}"]},
        }
        for i in range(n)
    ]


def _context(on: set[int], n: int = 1000) -> dict[str, Any]:
    return {"category": WORDS[0], "attributes": {f"f{i}": i in on for i in range(n)}}


def test_a_reason_names_the_first_matched_rules_and_counts_the_rest() -> None:
    rs = RuleSet.from_dicts(_many_rules(), mode="all")
    assert len(rs.explain("rule-0")) > 300
    d = rs.evaluate(_context(set(range(1000))))
    assert len(d.matched) == 1000
    # Before: every matched rule's condition quoted, ~330,000 characters.
    assert len(d.reason) < 3000
    assert d.reason.startswith("rules 'rule-0', 'rule-1', ")
    assert ", … (1000 in all) matched (later ones override earlier ones): " in d.reason
    assert f"'rule-0' because {rs.explain('rule-0')}; 'rule-1' because" in d.reason
    shown = d.reason.count(" because ")
    assert 1 <= shown < 1000
    assert d.reason.endswith(f"; … and {1000 - shown} more")
    # Every action is still there, and where it came from.
    assert d.actions["tags"] == tuple(f"t{i}" for i in range(1000))
    assert d.sources["tags"] == d.matched


def test_a_short_reason_is_the_whole_sentence() -> None:
    rules = [
        {"name": "base", "then": {"queue": "umum"}},
        {"name": "vip", "when": {"field": "tier", "eq": "gold"}, "then": {"queue": "vip"}},
    ]
    d = RuleSet.from_dicts(rules, mode="all").evaluate({"tier": "gold"})
    assert d.reason == (
        "rules 'base', 'vip' matched (later ones override earlier ones): 'base' always "
        "applies; 'vip' because tier is 'gold'"
    )


def test_cached_decisions_hold_references_not_reason_text() -> None:
    rs = RuleSet.from_dicts(_many_rules(), mode="all")
    contexts = [_context({j for j in range(1000) if (j * 7 + k) % 3}) for k in range(3)]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        decisions = [rs.evaluate(ctx) for ctx in contexts]
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len({d.matched for d in decisions}) == 3
    assert all(len(d.matched) > 600 for d in decisions)
    # Three cached decisions of ~667 matched rules each: their names, tags and sources.
    # Before: also a reason of ~220,000 characters each, built whether read or not.
    assert grown < 300_000
    assert all(len(d.reason) < 3000 for d in decisions)


def test_the_decision_cache_stops_growing_at_its_size_budget() -> None:
    rs = RuleSet.from_dicts(_many_rules(), mode="all")
    # Each context matches a different half of the rules: ~1,500 references per decision.
    contexts = [_context({j for j in range(1000) if (j * 31 + k) % 997 < 500}) for k in range(900)]
    first = [rs.evaluate(ctx) for ctx in contexts]
    assert len({d.matched for d in first}) == 900
    # A cached decision comes back as the same object; one that does not fit is built again.
    kept = [d is rs.evaluate(ctx) for d, ctx in zip(first, contexts, strict=True)]
    assert 600 < sum(kept) < 700  # before: all 900 kept, each with its long reason
    assert kept[:600] == [True] * 600
    assert [d == rs.evaluate(ctx) for d, ctx in zip(first, contexts, strict=True)] == [True] * 900
    # Small decisions all fit, up to MAX_CACHED_DECISIONS of them.
    small = RuleSet.from_dicts(_many_rules(12), mode="all")
    masks = [{j for j in range(12) if k >> j & 1} for k in range(900)]
    decisions = [small.evaluate(_context(on, 12)) for on in masks]
    assert all(
        d is small.evaluate(_context(on, 12)) for d, on in zip(decisions, masks, strict=True)
    )


def _naive(rules: list[dict[str, Any]], mode: str, on: set[int]) -> tuple[Any, Any]:
    """Actions and sources merged as RuleSet.evaluate documents, the slow way."""
    actions: dict[str, Any] = {}
    sources: dict[str, tuple[str, ...]] = {}
    for i, rule in enumerate(rules):
        if "when" in rule and i not in on:
            continue
        for key, value in rule.get("then", {}).items():
            value = tuple(dict.fromkeys(value)) if isinstance(value, list) else value
            previous = actions.get(key)
            if mode == "first":
                if key not in actions:
                    actions[key], sources[key] = value, (rule["name"],)
            elif isinstance(value, tuple) and isinstance(previous, tuple):
                actions[key] = tuple(dict.fromkeys(previous + value))
                sources[key] += (rule["name"],)
            elif isinstance(value, dict) and isinstance(previous, dict):
                actions[key] = {**previous, **value}
                sources[key] += (rule["name"],)
            else:
                actions[key], sources[key] = value, (rule["name"],)
    return actions, sources


action_values = st.one_of(
    st.sampled_from(["a", "b", 1, None]),
    st.lists(st.sampled_from(["x", "y", "z", 1]), max_size=3),
    st.dictionaries(st.sampled_from(["p", "q"]), st.integers(0, 3), max_size=2),
)


@settings(max_examples=150)
@given(
    st.lists(
        st.tuples(
            st.booleans(),
            st.dictionaries(st.sampled_from(["k", "m", "n"]), action_values, max_size=3),
        ),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from(["first", "all"]),
    st.sets(st.integers(0, 7)),
)
def test_merged_actions_and_sources_agree_with_the_documented_merge(
    spec: list[tuple[bool, dict[str, Any]]], mode: Any, on: set[int]
) -> None:
    rules: list[dict[str, Any]] = []
    for i, (always, then) in enumerate(spec):
        rule: dict[str, Any] = {"name": f"r{i}", "then": then}
        if not always:
            rule["when"] = {"field": f"f{i}", "eq": True}
        rules.append(rule)
    d = RuleSet.from_dicts(rules, mode=mode).evaluate({f"f{i}": True for i in on})
    actions, sources = _naive(rules, mode, on)
    assert {k: dict(v) if isinstance(v, dict) else v for k, v in d.actions.items()} == actions
    assert list(d.actions) == list(actions)
    assert dict(d.sources) == sources


def test_a_decision_compares_pickles_copies_and_evolves_by_its_reason_text() -> None:
    rs = RuleSet.from_dicts([{"name": "vip", "when": {"field": "tier", "eq": "gold"}}])
    d = rs.evaluate({"tier": "gold"})
    text = "rule 'vip' matched because tier is 'gold'"
    same = Decision(rule="vip", matched=("vip",), actions={}, sources={}, reason=text)
    assert d == same
    assert hash(d) == hash(same)
    assert d != attrs.evolve(same, reason="another sentence")
    assert d.reason == text
    for other in (pickle.loads(pickle.dumps(d)), copy.deepcopy(d), attrs.evolve(d)):
        assert other == d
        assert other.reason == text
    assert repr(d) == (
        "Decision(rule='vip', matched=('vip',), actions=FrozenDict({}), "
        f"sources=FrozenDict({{}}), reason={text!r})"
    )


# --------------------------------------------------------------------------------------------
# 2. The cut: an atomic group or a possessive repeat that runs into it

LONG = MAX_SUBJECT_CHARS

CUT_CASES = [
    # A possessive repeat that takes the whole cut keeps what the whole value gives back.
    (r"\A[a\n]*+(?m:^)", "a" * (LONG - 1) + "\n" + "a"),
    (r"\A(?>[ab]*)(?<=a)", "b" * (LONG - 1) + "a" + "b"),
    # An atomic group whose first branch fails only for want of the characters after the cut.
    (r"\A(?>a*b|a)a", "a" * LONG + "b"),
    (r"\A(?>a{999}\w\w|a)a", "a" * (LONG + 1) + "b"),
    (r"\A(?:x(?>[ab]*+)(?<=a))?+(?<=a)", "x" + "b" * (LONG - 2) + "a" + "bc"),
    # Inside a negative lookahead: the part at the cut stands for what comes after it.
    (r"\A(?!(?>a*b|)\A)", "a" * (LONG + 1)),
    (r"\A(?![\s\S]*(?m:^)y)", "a" * LONG + "\ny"),
    (r"\A(?![\s\S]*(?<=b))", "a" * LONG + "b"),
    (r"\A(?!\n[\s\S]*(?!(?m:^)))", "\n" * LONG + "b"),
    (r"\A(?!a[\s\S]*(?!(?<=a)))", "a" * LONG + "b"),
    (r"\A(?s:.){999}(?![a\n]{2}+b)", "a" * (LONG - 1) + "\nab"),
]


@pytest.mark.parametrize(("pattern", "value"), CUT_CASES)
def test_a_match_in_the_cut_is_a_match_of_the_whole_value(pattern: str, value: str) -> None:
    check_pattern(pattern)
    assert len(value) > LONG
    assert re.search(pattern, value) is None
    assert not subject_matcher(pattern)(value)
    rs = RuleSet.from_dicts([{"name": "r", "when": {"field": "s", "matches": pattern}}])
    assert rs.evaluate({"s": value}).matched == ()


@pytest.mark.parametrize(
    ("pattern", "value"),
    [
        # Nothing follows: the repeat may stop anywhere, as in the whole value.
        (r"\A\d++", "1" * (LONG + 5)),
        (r"^ORD-(?>\d+)", "ORD-" + "1" * LONG),
        # The repeat stops before the cut: its search is the whole value's.
        (r"\A(?>\d+)x", "1" * 10 + "x" + "y" * LONG),
        (r"\b\w++@example\.com\b", "mail ann@example.com " + "y" * LONG),
        (r"(?!(?>a*)b)c", "c" + "a" * LONG),
    ],
)
def test_a_repeat_clear_of_the_cut_still_matches(pattern: str, value: str) -> None:
    assert re.search(pattern, value) is not None
    assert subject_matcher(pattern)(value)


_PARTS = [
    "a",
    "b",
    "\n",
    ".",
    "[ab]",
    r"\w",
    r"\b",
    "$",
    r"\Z",
    "(?m:^)",
    "(?m:$)",
    "(?<=a)",
    "(?<!b)",
    "(?=a)",
    "(?!b)",
]
_REPEATS = ["*", "+", "?", "*+", "++", "?+", "{2}+", "{1,3}+", "*?"]


@st.composite
def _patterns(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(st.integers(0, 5 if depth < 3 else 0))
    if kind == 0:
        return draw(st.sampled_from(_PARTS))
    if kind == 1:
        body = draw(st.sampled_from(["[ab]", "a", "[a\n]", r"\w", ".", "(?:ab)"]))
        return body + draw(st.sampled_from(_REPEATS))
    inner = draw(st.lists(_patterns(depth + 1), min_size=1, max_size=3))
    if kind == 2:
        return "(?>" + "".join(inner) + ")"
    if kind == 3:
        return "(?:" + "|".join(inner) + ")"
    return draw(st.sampled_from(["(?=", "(?!", "(?:"])) + "".join(inner) + ")"


@settings(max_examples=300)
@given(
    pattern=st.lists(_patterns(), min_size=1, max_size=4).map("".join),
    anchored=st.integers(LONG - 12, LONG),
    unit=st.sampled_from(["a", "b", "ab", "a\n", "\n", "aab"]),
    tail=st.text("ab\n ", min_size=1, max_size=6),
)
def test_possessive_and_atomic_parts_never_match_a_cut_the_whole_value_does_not(
    pattern: str, anchored: int, unit: str, tail: str
) -> None:
    pattern = rf"\A(?s:.){{{anchored}}}" + pattern
    try:
        check_pattern(pattern)
    except ConfigError:
        return
    value = (unit * LONG)[:LONG] + tail
    if subject_matcher(pattern)(value):
        assert re.search(pattern, value) is not None


# --------------------------------------------------------------------------------------------
# 3. A load parses and compiles each distinct pattern once


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[str]]]:
    """Counts the standard library's parses and compilations, whoever asks for them."""
    parser_module = regex_module._parser_module()
    compiler_module = regex_module._compiler_module()
    calls: dict[str, list[str]] = {"parse": [], "compile": []}
    parse, compile_ = parser_module.parse, compiler_module.compile

    def counting_parse(text: Any, *args: Any, **kwargs: Any) -> Any:
        calls["parse"].append(text)
        return parse(text, *args, **kwargs)

    def counting_compile(p: Any, *args: Any, **kwargs: Any) -> Any:
        calls["compile"].append(p)
        return compile_(p, *args, **kwargs)

    monkeypatch.setattr(parser_module, "parse", counting_parse)
    monkeypatch.setattr(compiler_module, "compile", counting_compile)
    re.purge()
    yield calls
    re.purge()


def test_each_distinct_pattern_is_parsed_and_compiled_once_per_load(
    counted: dict[str, list[str]],
) -> None:
    patterns = [rf"^T{i}-[a-h]{{3}}\d+" for i in range(5)]
    rules = [
        {
            "name": f"r{i}-{j}",
            "when": {"any": [{"field": "s", "matches": p}, {"field": "u", "matches": p}]},
        }
        for j in range(3)
        for i, p in enumerate(patterns)
    ]
    rs = RuleSet.from_dicts(rules)
    ours = [p for p in counted["parse"] if p in patterns]
    assert sorted(ours) == sorted(patterns)  # 30 conditions, 5 distinct patterns
    assert len(counted["compile"]) == len(patterns)
    assert rs.evaluate({"s": "T3-abc42"}).rule == "r3-0"


def test_a_pattern_with_a_cut_form_compiles_that_once_more(
    counted: dict[str, list[str]],
) -> None:
    patterns = [r"(?i)\bORD-\d+\b", r"^INV/\d{4}$"]
    rules = [
        {"name": f"r{i}-{j}", "when": {"field": "s", "matches": p}}
        for j in range(3)  # three: each costs 6,016,010 steps, its word boundaries 4 each
        for i, p in enumerate(patterns)
    ]
    rs = RuleSet.from_dicts(rules, mode="all")
    assert len([p for p in counted["parse"] if p in patterns]) == 2
    assert len(counted["compile"]) == 4  # each pattern, and each one's cut form
    long_value = "see ORD-12 " + "x" * LONG
    assert rs.evaluate({"s": long_value}).matched == ("r0-0", "r0-1", "r0-2")


def test_a_bad_pattern_still_names_its_place_and_reason() -> None:
    with pytest.raises(ConfigError, match=r"^rules\[1\]\.when\.matches: bad regular expression"):
        RuleSet.from_dicts(
            [
                {"name": "a", "when": {"field": "s", "matches": "^a+"}},
                {"name": "b", "when": {"field": "s", "matches": "(unclosed"}},
            ]
        )
    with pytest.raises(ConfigError, match=r"look-behind requires fixed-width pattern"):
        RuleSet.from_dicts([{"name": "a", "when": {"field": "s", "matches": "(?<=a+)b"}}])
