"""A desk's team whose name no agent's teams can hold ("Finance", "財務"): no agent can be of
it, so its queue's tickets reach an agent only through a routing profile named at add_agent.
The configuration loads, and its lint warns at the team."""

from __future__ import annotations

from typing import Any

import pytest

from csflow import AgentProfile, ConfigError, DeskConfig


def doc(team: str) -> dict[str, Any]:
    return {
        "queues": [{"name": "front"}, {"name": "finance"}],
        "routing_profiles": [
            {"name": "front", "queues": ["front"]},
            {"name": "finance", "queues": ["finance"]},
        ],
        "teams": {
            "front": {"queue": "front", "routing_profile": "front"},
            team: {"queue": "finance", "routing_profile": "finance"},
        },
        "escalation": {"teams": ["front", team], "entry": ["front"], "edges": {"front": [team]}},
    }


@pytest.mark.parametrize("team", ["Finance", "財務", "fin ance", "é", "-finance"])
def test_a_team_no_agent_can_be_of_is_a_lint_warning(team: str) -> None:
    with pytest.raises(ConfigError):
        AgentProfile("hendra", teams={team})
    findings = [f for f in DeskConfig.from_dict(doc(team)).lint() if f.path == f"teams.{team}"]
    assert [(f.severity, f.message) for f in findings] == [
        (
            "warning",
            f"team {team!r} is not a name an agent's teams can hold (a lowercase name of "
            "letters, digits, '_', '-', '.'): no agent can be of it",
        )
    ]


@pytest.mark.parametrize("team", ["finance", "fin-ance", "tier.2", "0day"])
def test_a_team_an_agent_can_be_of_is_not_reported(team: str) -> None:
    assert AgentProfile("hendra", teams={team}).teams == {team}
    findings = DeskConfig.from_dict(doc(team)).lint()
    assert [f for f in findings if f.path == f"teams.{team}"] == []
