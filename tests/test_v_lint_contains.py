"""Lint reads ``contains`` as rule sets evaluate it: a number operand is looked for as its
text in a string value, so ``implies`` stays sound (``True`` always right)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.lint import implies
from csflow.rules import Comparison, Not, RuleSet

SUBJECTS = ["order 123 missing", "order 124", "2.5 kg", "True", "", "-5 left"]
OPERANDS: list[Any] = [123, 12, "123", 2.5, -5, True, "kg"]


def test_worked_example() -> None:
    said = Comparison("subject", "eq", "order 123 missing")
    number = Comparison("subject", "contains", 123)
    assert implies(said, number)
    assert not implies(said, Not(number))
    assert not implies(said, Comparison("subject", "contains", True))


@settings(max_examples=80, deadline=None, derandomize=True)
@given(
    subject=st.sampled_from(SUBJECTS),
    operand=st.sampled_from(OPERANDS),
    negate=st.booleans(),
)
def test_implies_is_sound_for_contains(subject: str, operand: Any, negate: bool) -> None:
    said = Comparison("subject", "eq", subject)
    asked: Any = Comparison("subject", "contains", operand)
    if negate:
        asked = Not(asked)
    holds = RuleSet([{"name": "r", "when": asked.to_dict()}]).evaluate({"subject": subject})
    if implies(said, asked):
        assert holds.rule == "r"
    # The one context "said" allows decides it exactly here.
    assert implies(said, asked) is (holds.rule == "r")


@pytest.mark.parametrize("operand", [123, "123"])
def test_the_number_and_its_text_imply_each_other_on_this_value(operand: Any) -> None:
    said = Comparison("subject", "eq", "order 123 missing")
    assert implies(said, Comparison("subject", "contains", operand))
