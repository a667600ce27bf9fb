"""A match in the cut of a long value is a match of the whole value, also when a start
anchor follows an atomic or possessive part that the cut search jumped over.

Inside a negative lookahead, a part that may read the cut jumps there; a zero-width one ends
where it began, so a following ``\\A`` or ``^`` may hold in the whole value though it fails at
the cut.

(And, at the end, ``Decision.reason``: lazy, yet an attrs field of text.)
"""

from __future__ import annotations

import json
import pickle
import re

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from csflow._frozen import FrozenDict
from csflow.errors import ConfigError
from csflow.rules import MAX_SUBJECT_CHARS, Decision, RuleSet, check_pattern
from csflow.rules.regex import subject_matcher
from csflow.rules.syntax import LazyText

N = MAX_SUBJECT_CHARS
_A999 = f"a{{{N - 1}}}"  # N - 1 a's, then the value's last two characters


@pytest.mark.parametrize(
    "pattern",
    [
        r"^(?!(?>(?=" + _A999 + r"bc))\A)",
        r"^(?!(?=" + _A999 + r"bc)++\A)",
        r"^(?!(?>(?=" + _A999 + r"bc))^)",
        r"\A(?!(?:(?=" + _A999 + r"bc))*+\A)",
    ],
)
def test_a_start_anchor_after_a_jump_does_not_make_a_long_value_match(pattern: str) -> None:
    check_pattern(pattern)
    value = "a" * (N - 1) + "bc"  # the lookahead's body holds at 0 in the whole value only
    assert re.search(pattern, value) is None
    assert not subject_matcher(pattern)(value)


_PARTS = ["(?>(?={}))", "(?={})++", "(?={})*+", "(?>(?!{}))", "(?!{})?+", "(?>(?={})|x)"]
_ANCHORS = [r"\A", "^", "(?m)^", r"\Aa", "^(?:a|b)"]
_SUFFIXES = ["", "b", "bc", "c"]


@st.composite
def _cases(draw: st.DrawFn) -> tuple[str, str]:
    """A pattern whose zero-width part holds near the cut of a value of about N characters,
    and such a value (often the one the part's body reads, from the start)."""
    run = draw(st.integers(N - 2, N))
    suffix = draw(st.sampled_from(_SUFFIXES))
    part = draw(st.sampled_from(_PARTS)).format(f"a{{{run}}}{suffix}")
    anchor = draw(st.sampled_from(_ANCHORS))
    flags = "(?m)" if anchor.startswith("(?m)") else ""
    anchor = anchor.removeprefix("(?m)")
    start = draw(st.sampled_from(["^", r"\A"]))  # (unanchored, most cost too much)
    inner = draw(st.sampled_from(["{p}{a}", "(?:{p}{a})", "(?:{p}|c){a}", "(?!{p}{a})"]))
    pattern = flags + start + "(?!" + inner.format(p=part, a=anchor) + ")"
    if draw(st.booleans()):
        value = "a" * run + suffix
    else:
        value = draw(st.sampled_from(["", "b", "\n"])) + "a" * draw(st.integers(N - 2, N))
        value += draw(st.sampled_from(_SUFFIXES))
    return pattern, value + draw(st.sampled_from(["", "b", "\n", "ab"]))


@given(_cases())
def test_a_cut_match_is_a_whole_match(case: tuple[str, str]) -> None:
    pattern, value = case
    try:
        check_pattern(pattern)
    except ConfigError:
        assume(False)
    if subject_matcher(pattern)(value):
        assert re.search(pattern, value) is not None, (pattern, len(value))
    else:
        assert len(value) > N or re.search(pattern, value) is None


# -- Decision.reason (rules/syntax.py): lazy, yet an ordinary attrs field of text -----------


def test_a_decisions_reason_serialises_through_attrs_as_text() -> None:
    rules = RuleSet.from_dicts(
        [{"name": "r", "when": {"field": "x", "eq": 1}, "then": {"queue": "q"}}]
    )
    decision = rules.evaluate({"x": 1})
    assert [f.name for f in attrs.fields(Decision)] == [
        "rule",
        "matched",
        "actions",
        "sources",
        "reason",
    ]
    data = attrs.asdict(decision)
    assert data["reason"] == decision.reason
    assert type(data["reason"]) is str
    assert json.loads(json.dumps(data))["reason"] == decision.reason
    assert attrs.evolve(decision, rule="s").reason == decision.reason


def test_a_decisions_reason_is_built_once_and_only_when_read() -> None:
    calls: list[int] = []

    def build(arg: int) -> str:
        calls.append(arg)
        return f"reason {arg}"

    lazy = Decision(None, (), FrozenDict(), FrozenDict(), reason=LazyText(build, 7))
    assert calls == []
    plain = Decision(None, (), FrozenDict(), FrozenDict(), reason="reason 7")
    assert lazy == plain  # compared as text
    assert hash(lazy) == hash(plain)
    assert lazy.reason == "reason 7"
    assert type(lazy.reason) is str
    assert pickle.loads(pickle.dumps(lazy)) == plain
    assert calls == [7]
