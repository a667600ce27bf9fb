"""Regular-expression safety of ``matches`` patterns (csflow.rules.regex)."""

from __future__ import annotations

from typing import Any

import pytest

import csflow.rules.regex as regex_module
from csflow.errors import ConfigError
from csflow.rules import MAX_PATTERN_CHARS, MAX_SUBJECT_CHARS, RuleSet, check_pattern
from csflow.rules.regex import REGEX_BUDGET, pattern_cost


@pytest.fixture
def fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    """The standard library's pattern parser is unavailable: the textual rule decides."""

    def unavailable() -> Any:
        raise ImportError("no parser")

    monkeypatch.setattr(regex_module, "_parser_module", unavailable)


@pytest.mark.parametrize(
    "pattern",
    [r"(a+)+$", r"(a|aa)*b", r"(.*a){12}", r"(\w+\s?)*$", r"\s*x\s*", r"(a)\1", r"^(?:x+x+)+y"],
)
def test_hostile_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(ConfigError, match=r"unsafe regular expression"):
        RuleSet.from_dicts([{"name": "a", "when": {"field": "s", "matches": pattern}}])


@pytest.mark.parametrize(
    "pattern", [r"^ORD-\d+$", r"(?i)refund|return", r"\bINV/\d{4}/\d{2}\b", r"^\+62\d{8,12}$"]
)
def test_ordinary_patterns_are_accepted(pattern: str) -> None:
    assert check_pattern(pattern).pattern == pattern


def test_matches_looks_at_a_bounded_prefix() -> None:
    rs = RuleSet.from_dicts([{"name": "tail", "when": {"field": "s", "matches": "x$"}}])
    assert rs.evaluate({"s": "a" * (MAX_SUBJECT_CHARS - 1) + "x"}).matched == ("tail",)
    assert rs.evaluate({"s": "a" * MAX_SUBJECT_CHARS + "x"}).matched == ()


def test_syntactic_fallback_is_stricter(fallback: None) -> None:
    check_pattern(r"^ORD-\d+$")
    for pattern in (r"(ab)+", r"a+b*", r"(a)\1"):
        with pytest.raises(ConfigError, match="unsafe regular expression"):
            check_pattern(pattern)


# Patterns that only the precise check (the parsed pattern, its choices counted) accepts: an
# optional or bounded group with no choice inside, and one open-ended quantifier with a few
# optional parts.  The textual fallback refuses every quantified group.
PRECISE_ONLY = [r"(ab)?c", r"(?:x|yz)?-\d+$", r"(ab){2}", r"(a|bc)?"]


@pytest.mark.parametrize("pattern", PRECISE_ONLY)
def test_precise_check_accepts_what_the_fallback_refuses(pattern: str) -> None:
    assert check_pattern(pattern, "p").pattern == pattern
    rs = RuleSet.from_dicts([{"name": "a", "when": {"field": "s", "matches": pattern}}])
    assert rs.rule("a").when is not None


@pytest.mark.parametrize("pattern", PRECISE_ONLY)
def test_fallback_refuses_quantified_groups(fallback: None, pattern: str) -> None:
    with pytest.raises(
        ConfigError, match=r"^p: unsafe regular expression .*: quantified groups are not allowed$"
    ):
        check_pattern(pattern, "p")


@pytest.mark.parametrize("pattern", [r"(a|bc){2}", r"(a?){2}", r"(?:x|yz){2,5}"])
def test_a_group_with_choices_repeated_twice_is_refused(pattern: str) -> None:
    # {2} is the smallest bound at which a group's own choices multiply: refused.
    with pytest.raises(
        ConfigError,
        match=r"^p: unsafe regular expression .*: a quantified group may not contain another "
        r"quantifier or an alternation \(nested quantifiers backtrack exponentially\)$",
    ):
        check_pattern(pattern, "p")


@pytest.mark.parametrize("pattern", [r"(a|bc){1}", r"(a|bc)?", r"x{2}y{2}", r"x{2,}y"])
def test_a_bound_of_one_or_a_plain_repeat_is_accepted(pattern: str) -> None:
    assert check_pattern(pattern).pattern == pattern


def test_one_open_ended_quantifier_plus_two_optional_parts_is_the_budget() -> None:
    # a* is tried once and stops at ~1000 places, each b? doubles that; at 1001 start
    # positions: a*b?c? costs ~1.1e7 steps, a*b?c?d? ~3.1e7 (over the 2e7 budget).
    assert pattern_cost(r"a*b?c?") <= REGEX_BUDGET < pattern_cost(r"a*b?c?d?")
    check_pattern(r"a*b?c?")
    with pytest.raises(
        ConfigError,
        match=r"^p: unsafe regular expression 'a\*b\?c\?d\?': its worst-case search of 1000 "
        r"characters may take more than 20,000,000 steps \(too many quantifiers",
    ):
        check_pattern(r"a*b?c?d?", "p")
    with pytest.raises(ConfigError, match=r"may take more than 20,000,000 steps"):
        check_pattern(r"x{2,}y{2,}")


BACKREFERENCES = [r"(a)\1", r"(?P<x>a)(?P=x)", r"(a)?(?(1)b|c)"]


@pytest.mark.parametrize("pattern", BACKREFERENCES)
def test_backreferences_are_refused(pattern: str) -> None:
    with pytest.raises(ConfigError, match=r": backreferences are not allowed$"):
        check_pattern(pattern)


@pytest.mark.parametrize("pattern", BACKREFERENCES)
def test_fallback_refuses_backreferences(fallback: None, pattern: str) -> None:
    with pytest.raises(ConfigError, match=r": backreferences are not allowed$"):
        check_pattern(pattern)


def test_fallback_applies_the_same_cost_model(fallback: None) -> None:
    check_pattern(r"x{2,}y{2}")
    check_pattern(r"^\+62\d{8,12}$")
    check_pattern(r"(?i)refund|return")
    for pattern in (r"x{2,}y{3,}", r"\w?" * 13 + r"\w{300}!"):
        with pytest.raises(ConfigError, match=r"may take more than 20,000,000 steps"):
            check_pattern(pattern)
    with pytest.raises(ConfigError, match=r": groups are not allowed \(the pattern parser"):
        check_pattern(r"(?:a|b)c")


def test_long_and_malformed_patterns_are_refused_with_the_path() -> None:
    check_pattern("a" * MAX_PATTERN_CHARS)
    with pytest.raises(ConfigError, match=r"^rules\[0\]\.when\.matches: patterns have at most 500"):
        check_pattern("a" * (MAX_PATTERN_CHARS + 1), "rules[0].when.matches")
    with pytest.raises(ConfigError, match=r"^p: bad regular expression '\(': "):
        check_pattern("(", "p")
