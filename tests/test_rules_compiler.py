"""The rule compiler (csflow.rules.compiler): the generated fast evaluator is the one used."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest

import csflow.rules.ruleset as ruleset_module
from csflow.rules import RuleSet
from csflow.rules.compiler import compile_condition
from csflow.rules.syntax import Condition

RULES: list[dict[str, Any]] = [
    {"name": "vip", "when": {"field": "customer.tier", "in": ["gold", "platinum"]}},
    {"name": "slow", "when": {"field": "wait_s", "gt": 60}, "then": {"priority": "high"}},
    {"name": "defaults", "then": {"queue": "umum"}},
]
CONTEXTS: list[dict[str, Any]] = [
    {"customer": {"tier": "gold"}, "wait_s": 61},
    {"customer": {"tier": "regular"}, "wait_s": 10},
    {"customer": {"tier": ["gold"]}, "wait_s": "long"},  # the fast path raises: safe path
    {},
]


class Wrapped(Mapping[str, Any]):
    """A mapping that is not a dict: always the safe evaluator."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = data

    def __getitem__(self, key: str) -> Any:
        value = self._data[key]
        return Wrapped(value) if isinstance(value, Mapping) else value

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


@pytest.fixture
def safe_calls(monkeypatch: pytest.MonkeyPatch) -> list[Condition]:
    """Records every call of a safe (closure) evaluator that RuleSets built from now on make."""
    calls: list[Condition] = []

    def recording(cond: Condition) -> Callable[[Any], bool]:
        test = compile_condition(cond)

        def recorded(ctx: Any) -> bool:
            calls.append(cond)
            return test(ctx)

        return recorded

    monkeypatch.setattr(ruleset_module, "compile_condition", recording)
    return calls


@pytest.mark.parametrize("rules", [RULES, RULES[:1], RULES[2:]], ids=["three", "one", "always"])
def test_evaluate_is_the_generated_function(rules: list[dict[str, Any]]) -> None:
    rs = RuleSet.from_dicts(rules)
    assert rs.evaluate.__name__ == "evaluate"
    assert rs.evaluate.__code__.co_filename == "<csflow.rules>"


@pytest.mark.parametrize("rules", [RULES, RULES[:1]], ids=["three", "one"])
def test_a_dict_context_never_reaches_the_safe_evaluator(
    safe_calls: list[Condition], rules: list[dict[str, Any]]
) -> None:
    rs = RuleSet.from_dicts(rules, mode="all")
    for ctx in CONTEXTS[:2]:
        rs.evaluate(ctx)
    assert safe_calls == []
    rs.evaluate(Wrapped(CONTEXTS[0]))
    assert safe_calls, "a mapping that is not a dict goes to the safe evaluator"
    safe_calls.clear()
    rs.evaluate(CONTEXTS[2])  # a list tested with "in" raises in the fast path
    assert safe_calls


def test_without_generated_code_the_closures_decide_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fast = RuleSet.from_dicts(RULES, mode="all")
    monkeypatch.setattr(ruleset_module, "generate_evaluator", lambda *args: None)
    slow = RuleSet.from_dicts(RULES, mode="all")
    assert slow.evaluate.__code__.co_filename != "<csflow.rules>"
    for ctx in CONTEXTS:
        assert slow.evaluate(ctx) == fast.evaluate(ctx) == fast.evaluate(Wrapped(ctx))
    assert fast.evaluate(CONTEXTS[0]).matched == ("vip", "slow", "defaults")
    assert fast.evaluate(CONTEXTS[2]).matched == ("defaults",)
