"""lint's work is bounded by its budget whatever the operands; ``exists: false`` is the
negation of ``exists: true``; a shadowing finding names every earlier rule that decides."""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csflow import DeskConfig
from csflow.lint import implies, lint
from csflow.rules import Comparison, Not, RuleSet
from csflow.rules.regex import subject_matcher

# csflow.lint is also the name of the function csflow exports: the module, by its name.
lint_module = importlib.import_module("csflow.lint")
SLOW = r"(?i)\w{1,3}ǅ{0,45}[ǅ ]{0,45}\s"  # the docs' costliest accepted shape


def _counting_frozenset(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the elements lint puts into sets (its own module's ``frozenset``)."""
    built = [0]

    def counted(items: Iterable[Any] = ()) -> frozenset[Any]:
        out = frozenset(items)
        built[0] += len(out)
        return out

    monkeypatch.setattr(lint_module, "frozenset", counted, raising=False)
    return built


def test_in_operands_become_sets_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # 12 rules on one field, each `in` the same 1000 SKUs in another order (so not ==): every
    # pair is an implication of 1000 values, and each used to rebuild a 1000-value set per
    # value (66 pairs x 1000 x 1000 = 66 million elements).
    skus = [f"SKU-{k:05d}" for k in range(1000)]
    rules = []
    for j in range(12):
        values = skus[:]
        random.Random(j).shuffle(values)
        rules.append(
            {"name": f"r{j}", "when": {"field": "sku", "in": values}, "then": {"queue": f"q{j}"}}
        )
    rs = RuleSet.from_dicts(rules)
    built = _counting_frozenset(monkeypatch)
    findings = lint(rs)
    assert [f.path for f in findings] == [f"rules[{j}]" for j in range(1, 12)]
    assert built[0] <= 12 * 1000


def test_searches_are_charged_by_their_cost(monkeypatch: pytest.MonkeyPatch) -> None:
    # A costly pattern, then a list of 1000 long values on the same field: lint used to run
    # the search once per value (1000 searches of up to 0.4 s each).  Now each search is
    # charged its estimated cost, the budget pays for a few, and lint says it stopped.
    searches = [0]

    def counting(pattern: str) -> Callable[[object], bool]:
        test = subject_matcher(pattern)

        def search(value: object) -> bool:
            searches[0] += 1
            return test(value)

        return search

    monkeypatch.setattr(lint_module, "_matcher", counting)
    values = ["x" * 995 + f"{k:04d} " for k in range(1000)]  # each matches, cheaply in fact
    rules = [
        {"name": "keyword", "when": {"field": "s", "matches": SLOW}, "then": {"queue": "kw"}},
        {"name": "list", "when": {"field": "s", "in": values}, "then": {"queue": "other"}},
    ]
    findings = lint(rules)
    assert searches[0] <= 20
    assert [str(f) for f in findings] == [
        "rules: info: the rule set is too large to check every implication"
    ]


def test_cheap_searches_still_decide() -> None:
    # Short values and a plain pattern cost little: the implication is still found.
    rules = [
        {"name": "orders", "when": {"field": "s", "matches": "^ORD-"}, "then": {"queue": "a"}},
        {
            "name": "listed",
            "when": {"field": "s", "in": [f"ORD-{k}" for k in range(1000)]},
            "then": {"queue": "b"},
        },
    ]
    assert [f.path for f in lint(rules)] == ["rules[1]"]


@given(st.sampled_from(["tier", "attributes.vip"]), st.booleans())
def test_not_exists_is_the_other_exists(field: str, value: bool) -> None:
    this = Comparison(field, "exists", value)
    other = Comparison(field, "exists", not value)
    assert implies(Not(this), other)
    assert implies(other, Not(this))
    assert not implies(this, other)
    assert not implies(Not(this), this)


def test_exists_true_and_false_cover_every_ticket() -> None:
    cfg = DeskConfig.from_dict(
        {
            "queues": [{"name": "first"}, {"name": "general"}, {"name": "vip"}],
            "triage": [
                {
                    "name": "vip",
                    "when": {"field": "attributes.vip", "exists": True},
                    "then": {"queue": "vip"},
                },
                {
                    "name": "rest",
                    "when": {"field": "attributes.vip", "exists": False},
                    "then": {"queue": "general"},
                },
            ],
        }
    )
    assert [str(f) for f in lint(cfg) if "queue" in f.message and "no triage" in f.message] == []


def test_a_shadowing_finding_names_every_rule_that_decides() -> None:
    rules = [
        {"name": "default priority", "then": {"priority": "normal"}},
        {
            "name": "refunds",
            "when": {"field": "category", "eq": "refund"},
            "then": {"queue": "finance"},
        },
        {
            "name": "big refunds",
            "when": {
                "all": [
                    {"field": "category", "eq": "refund"},
                    {"field": "attributes.order_value", "ge": 5000000},
                ]
            },
            "then": {"queue": "finance-senior", "priority": "high"},
        },
    ]
    (finding,) = lint(rules)
    assert finding.path == "rules[2]"
    assert "'default priority' (rules[0])" in finding.message
    assert "'refunds' (rules[1])" in finding.message


def test_several_earlier_rules_are_named() -> None:
    rules: list[dict[str, Any]] = [
        {
            "name": "live",
            "when": {"field": "channel", "in": ["chat", "phone"]},
            "then": {"queue": "a"},
        },
        {"name": "gold", "when": {"field": "tier", "eq": "gold"}, "then": {"priority": "high"}},
        {
            "name": "gold chat",
            "when": {"all": [{"field": "channel", "eq": "chat"}, {"field": "tier", "eq": "gold"}]},
            "then": {"queue": "b", "priority": "urgent"},
        },
    ]
    (finding,) = lint(rules)
    assert finding.message == (
        "whenever rule 'gold chat' matches, the earlier rules 'live' (rules[0]) and "
        "'gold' (rules[1]) match too; so it can never decide anything in 'first' mode"
    )
