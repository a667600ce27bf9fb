"""Lint of the escalation rules' place fields (a ``queue``, ``team`` or ``state`` no ticket is
in is an error, with a suggestion), and of triage rules' skills in ``"all"`` mode (matched
rules' skills combine, so a rule's own requirements are checked whatever later rules add)."""

from __future__ import annotations

from typing import Any

import pytest

from csflow import AgentProfile, DeskConfig
from test_escalation_context import breach_rule, doc


def escalation_findings(when: dict[str, Any]) -> list[tuple[str, str, str]]:
    cfg = DeskConfig.from_dict(doc(breach_rule(when)))
    return [
        (f.path, f.severity, f.message) for f in cfg.lint() if f.path.startswith("escalation_rules")
    ]


@pytest.mark.parametrize(
    ("field", "typo", "meant"),
    [("queue", "financ", "finance"), ("team", "fronte", "front"), ("state", "onhold", "on_hold")],
)
def test_a_place_no_ticket_is_in_is_an_error_with_a_suggestion(
    field: str, typo: str, meant: str
) -> None:
    found = escalation_findings({"field": field, "eq": typo})
    assert len(found) == 1
    path, severity, message = found[0]
    assert severity == "error"
    assert path == "escalation_rules[0].when.all[1].eq"
    assert f"no ticket is in {field} {typo!r}" in message
    assert f"did you mean {meant!r}?" in message


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("queue", "finance"),
        ("team", "front"),
        ("state", "queued"),
        ("state", "on_hold"),
        ("state", "assigned"),
    ],
)
def test_a_place_a_ticket_can_be_in_passes(field: str, value: str) -> None:
    assert escalation_findings({"field": field, "eq": value}) == []
    assert escalation_findings({"field": field, "in": [value]}) == []


def test_a_listed_place_names_the_bad_entry() -> None:
    found = escalation_findings({"field": "queue", "in": ["front", "fiance"]})
    assert [(p, s) for p, s, _ in found] == [("escalation_rules[0].when.all[1].in[1]", "error")]


def test_all_mode_skills_are_checked_whatever_a_later_rule_adds() -> None:
    # Rule 0 needs refund and senior together; nobody has both.  A later rule's mapping used
    # to count as possibly replacing them (so lint stayed silent); they combine now, so the
    # shape is reported at rule 0.
    cfg = DeskConfig.from_dict(
        {
            "queues": [{"name": "general"}],
            "triage": {
                "mode": "all",
                "rules": [
                    {
                        "name": "refunds",
                        "when": {"field": "category", "eq": "refund"},
                        "then": {"skills": ["refund", "senior"]},
                    },
                    {
                        "name": "vip",
                        "when": {"field": "tier", "eq": "platinum"},
                        "then": {"skills": {"senior": 1}},
                    },
                ],
            },
        }
    )
    agents = [
        AgentProfile("s", capacity={"chat": 1}, skills={"senior": 3}),
        AgentProfile("r", capacity={"chat": 1}, skills={"refund": 3}),
    ]
    found = [f for f in cfg.lint(agents=agents) if f.path == "triage.rules[0].then.skills"]
    assert len(found) == 1
    assert "refund>=1, senior>=1" in found[0].message
    # One agent with both serves it: nothing to report.
    both = [*agents, AgentProfile("rs", capacity={"chat": 1}, skills={"refund": 1, "senior": 1})]
    assert not [f for f in cfg.lint(agents=both) if f.path == "triage.rules[0].then.skills"]
