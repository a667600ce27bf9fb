"""Lint: a team of the desk that the escalation graph leaves out is reported (``info``).

Such a team is reached by transfer only and escalates to no team (documented in the
escalation guide); an administrator who added a team and forgot the graph learns it from lint.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.desk.config import DeskConfig

TEAMS = ("front", "technical", "finance", "logistics")


def _config(in_graph: list[str] | None) -> DeskConfig:
    doc: dict[str, Any] = {
        "queues": [{"name": t} for t in TEAMS],
        "routing_profiles": [{"name": t, "queues": [{"queue": t}]} for t in TEAMS],
        "teams": {t: {"queue": t, "routing_profile": t} for t in TEAMS},
    }
    if in_graph is not None:
        # A chain from the first team listed: every listed team is reachable.
        doc["escalation"] = {
            "teams": in_graph,
            "entry": in_graph[:1],
            "edges": {a: [b] for a, b in pairwise(in_graph)},
        }
    return DeskConfig.from_dict(doc)


def _graph_findings(config: DeskConfig) -> list[tuple[str, str]]:
    return [(f.path, f.severity) for f in config.lint() if "escalation graph" in f.message]


@settings(max_examples=30)
@given(st.lists(st.sampled_from(TEAMS), min_size=1, unique=True))
def test_each_team_left_out_of_the_graph_is_one_info_finding(in_graph: list[str]) -> None:
    left_out = [t for t in TEAMS if t not in in_graph]
    assert _graph_findings(_config(in_graph)) == [(f"teams.{t}", "info") for t in left_out]


def test_no_graph_no_finding() -> None:
    # Without a graph any escalation between teams is allowed: nothing is left out.
    assert _graph_findings(_config(None)) == []


def test_the_message_says_what_it_means() -> None:
    (finding,) = [
        f for f in _config(["front", "technical", "logistics"]).lint() if f.path == "teams.finance"
    ]
    assert finding.message == (
        "team 'finance' is not in the escalation graph: tickets reach it by transfer only, "
        "and it escalates to no team (list it in escalation.teams, with edges, if it should)"
    )
