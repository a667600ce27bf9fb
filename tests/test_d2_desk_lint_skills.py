"""DeskConfig.lint: a skill a triage or escalation condition names is checked against the
declared skills, and a declared skill no agent has is reported once."""

from __future__ import annotations

from typing import Any

from csflow.desk import DeskConfig
from csflow.model import AgentProfile


def config(**extra: Any) -> DeskConfig:
    doc: dict[str, Any] = {
        "queues": [{"name": "general"}],
        "skills": ["billing", "refund"],
        "triage": [
            {"name": "r", "when": {"field": "required_skills", "contains": "refnd"}, "then": {}},
            {"name": "s", "when": {"field": "required_skills.biling", "exists": True}, "then": {}},
            {"name": "t", "when": {"field": "required_skills", "contains": "refund"}, "then": {}},
        ],
        **extra,
    }
    return DeskConfig.from_dict(doc)


def test_an_undeclared_skill_in_a_condition_is_an_error() -> None:
    errors = [(f.path, f.message) for f in config().lint() if f.severity == "error"]
    assert errors == [
        ("triage.rules[0].when.contains", "unknown skill 'refnd' (defined: 'billing', 'refund')"),
        ("triage.rules[1].when.field", "unknown skill 'biling' (defined: 'billing', 'refund')"),
    ]


def test_open_skills_name_no_undeclared_skill() -> None:
    assert [f for f in config(skills="open").lint() if f.severity == "error"] == []


def test_a_declared_skill_no_agent_has_is_reported_once() -> None:
    ayu = AgentProfile("ayu", {"billing": 1}, ["id"], {"chat": 1})
    about_refund = [
        f.path for f in config().lint(agents=[ayu]) if f.message == "no agent has skill 'refund'"
    ]
    # At the rule that names it, and once for the declaration (not again at triage.skills[1]).
    assert about_refund == ["triage.rules[2].when.contains", "skills.refund"]
