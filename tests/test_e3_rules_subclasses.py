"""Subclasses of str, int and float are read as the plain values they hold.

A rule document built in Python may hold such values, and a context may too; their own
methods (``__str__``, ``__len__``, ``split``, ``__int__``, comparisons) must not carry a value
past a limit of the language, nor a field path to a name that starts with ``_``.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from csflow.errors import ConfigError
from csflow.rules import MAX_STRING_CHARS, Comparison, Rule, RuleSet


class Disguised(str):
    """Says it is other text, and short, and splits as a plain name."""

    def __str__(self) -> str:
        return "__class__.__name__"

    def __len__(self) -> int:
        return 1

    def split(self, sep: Any = None, maxsplit: int = -1) -> list[str]:  # type: ignore[override]
        return ["a"]


class Huge(int):
    """Compares as small and converts to a number past ±2**63."""

    def __int__(self) -> int:
        return 10**100

    def __le__(self, other: object) -> bool:
        return True

    def __ge__(self, other: object) -> bool:
        return True


class NotANumber(float):
    def __float__(self) -> float:
        return float("nan")


class Secret:
    """A context object whose class name a disguised field path must not read."""


def test_a_field_path_is_its_own_text_whatever_its_methods_say() -> None:
    rs = RuleSet.from_dicts([{"name": "r", "when": {"field": Disguised("a"), "eq": "Secret"}}])
    assert rs.rules[0].when == Comparison("a", "eq", "Secret")
    assert type(rs.rules[0].when.field) is str
    # Before: the field was "__class__.__name__", which read the object's class name.
    assert rs.evaluate(Secret()).matched == ()
    assert Comparison(Disguised("tier"), "exists", True).field == "tier"


def test_a_long_string_cannot_pass_as_a_short_one() -> None:
    long = Disguised("x" * (MAX_STRING_CHARS + 1))
    for rule in (
        {"name": "r", "when": {"field": "a", "eq": long}},
        {"name": "r", "when": {"field": "a", "in": ["b", long]}},
        {"name": "r", "then": {"tags": [long]}},
        {"name": "r", "description": long},
    ):
        with pytest.raises(ConfigError, match="at most 1000 characters"):
            RuleSet.from_dicts([rule])
    with pytest.raises(ConfigError, match="rule name must be"):
        RuleSet.from_dicts([{"name": Disguised("n" * 201)}])
    with pytest.raises(ConfigError):
        Rule("r", None, {Disguised("x" * 65): 1})


def test_names_and_operands_keep_their_own_text() -> None:
    rs = RuleSet.from_dicts(
        [
            {
                "name": Disguised("kasus"),
                "when": {"field": "a", Disguised("eq"): Disguised("ok")},
                "then": {Disguised("queue"): Disguised("umum")},
            }
        ]
    )
    assert rs.to_dicts() == [
        {"name": "kasus", "when": {"field": "a", "eq": "ok"}, "then": {"queue": "umum"}}
    ]
    assert rs.evaluate({"a": "ok"}).actions == {"queue": "umum"}


@pytest.mark.parametrize(("operand", "own"), [(Huge(5), 5), (NotANumber(1.0), 1.0)])
def test_numbers_are_their_own_value(operand: Any, own: float) -> None:
    # int() would have made Huge(5) 10**100, past the range it compares within; float()
    # would have made NotANumber(1.0) a NaN.
    when = RuleSet.from_dicts([{"name": "r", "when": {"field": "a", "eq": operand}}]).rules[0].when
    assert when == Comparison("a", "eq", own)
    assert type(when.value) is type(own)
    with pytest.raises(ConfigError, match="within ±2"):
        Comparison("a", "in", [Huge(2**64)])


def test_a_context_string_is_searched_by_its_own_length() -> None:
    class Short(str):
        def __len__(self) -> int:
            return 1

    rs = RuleSet.from_dicts([{"name": "r", "when": {"field": "s", "matches": "x$"}}])
    value = "a" * 200_000 + "x"
    started = time.perf_counter()
    # Only the first 1000 characters are searched, and their cut is not the value's end.
    assert rs.evaluate({"s": Short(value)}).matched == ()
    assert rs.evaluate({"s": value}).matched == ()
    assert time.perf_counter() - started < 1.0
