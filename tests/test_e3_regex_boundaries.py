"""A word boundary costs four steps in the search-work estimate.

``\\b`` and ``\\B`` test whether the characters on both sides of a position are word
characters: measured at 40-55 ns an estimated step when counted as one, against 12-17 ns for
the slowest other accepted shape on the same loaded machine.  Counted as one, a rule set of
18 million estimated steps of boundaries searched for twice as long as the budget allows.
"""

from __future__ import annotations

from typing import Any

import pytest

from csflow.errors import ConfigError
from csflow.rules import RuleSet
from csflow.rules import regex as regex_module
from csflow.rules.regex import REGEX_TOTAL_BUDGET, pattern_cost

POSITIONS = 1001  # a search tries every start in a subject of 1000 characters, and its end


@pytest.mark.parametrize(
    ("pattern", "per_position"),
    [
        (r"\b", 4 + 1),  # the anchor's four steps, then its one way succeeds
        (r"\B", 4 + 1),
        (r"(?i)\bx", 4 + 1 + 1),
        (r"$", 1 + 1),  # other anchors stay one step
        (r"\Z", 1 + 1),
        (r"(?m)^x", 1 + 1 + 1),
    ],
)
def test_a_boundary_counts_four_steps_at_each_start(pattern: str, per_position: int) -> None:
    assert pattern_cost(pattern) == POSITIONS * per_position


def test_the_keyword_example_of_the_reference() -> None:
    # The figure the reference quotes (27,027 when a boundary counted one step).
    assert pattern_cost(r"(?i)\b(refund|return|retur dana)\b") == 39_039


def test_the_parser_and_the_textual_fallback_count_boundaries_alike(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    patterns = [r"\bINV/\d{4}\b", r"^\B[a-z]+\b$", r"x\b|y\B"]
    parsed = [pattern_cost(p) for p in patterns]

    def unavailable() -> Any:
        raise ImportError("no parser")

    monkeypatch.setattr(regex_module, "_parser_module", unavailable)
    assert [pattern_cost(p) for p in patterns] == parsed


def test_a_rule_set_of_repeated_boundaries_is_refused_where_it_would_search_too_long() -> None:
    # 18 repeats of a thousand boundaries, then a letter the value lacks: on "a " * 500 every
    # start holds all of them.  Counted one step each it came to 18,038,020 steps, within the
    # budget, and searched for 0.8 s where the budget stands for 0.25-0.4 s.
    hostile = r"(?:\b){1000}" * 18 + "x"
    assert pattern_cost(hostile) > REGEX_TOTAL_BUDGET
    with pytest.raises(ConfigError, match="unsafe regular expression") as caught:
        RuleSet.from_dicts([{"name": "r", "when": {"field": "s", "matches": hostile}}])
    assert caught.value.path == "rules[0].when.matches"
    # Four of them are still accepted: about 16 million steps of 4 each.
    four = r"(?:\b){1000}" * 4 + "x"
    rs = RuleSet.from_dicts([{"name": "r", "when": {"field": "s", "matches": four}}])
    assert rs.evaluate({"s": "a " * 500}).matched == ()
    assert rs.evaluate({"s": "a " * 500 + "x"}).matched == ()  # the x is past the cut
    assert rs.evaluate({"s": "a x"}).matched == ("r",)
