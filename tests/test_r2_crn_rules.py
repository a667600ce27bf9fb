"""Common random numbers across escalation policies: each rule draws from a stream of its own,
so a rule added, removed or changed leaves the other rules' escalations as they were."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

import csflow.sim.engine
from csflow import Desk, DeskConfig
from csflow.sim import Scenario, run_scenario
from desks import FRONT_AND_BACK

_SIM: dict[str, Any] = {
    "start": "2026-03-16T06:00:00+07:00",
    "duration": 5400,
    "arrivals": {
        "rates": [["00:00", 150]],
        "channels": {"chat": 3, "email": 1},
        "categories": {"billing": 1, "delivery": 2},
    },
    "handle_time": {"default": {"exponential": 300}},
    "patience": {"chat": {"exponential": 240}},
    "escalations": [{"category": "billing", "team": "back", "probability": 0.4}],
    "agents": [
        {"name": "front", "count": 6, "capacity": {"chat": 1, "email": 1}, "teams": ["front"]},
        {"name": "back", "count": 2, "capacity": {"chat": 1, "email": 1}, "teams": ["back"]},
    ],
}


def _with_rules(*rules: dict[str, Any]) -> dict[str, Any]:
    return {**_SIM, "escalations": [*_SIM["escalations"], *rules]}


@pytest.mark.parametrize("seed", [1, 4])
def test_a_rule_of_probability_zero_changes_nothing(seed: int) -> None:
    base = run_scenario(Scenario("base", FRONT_AND_BACK, _SIM, seed))
    assert base.report.escalations > 5
    for extra in (
        {"category": "delivery", "team": "back", "probability": 0.0},
        {"category": "billing", "team": "front", "probability": 0.0},
    ):
        # A rule that never fires, before or after the others, is the same policy.
        for sim in (_with_rules(extra), {**_SIM, "escalations": [extra, *_SIM["escalations"]]}):
            assert run_scenario(Scenario("zero", FRONT_AND_BACK, sim, seed)) == base


class _Escalations(Desk):
    """A desk that remembers which tickets were escalated, and whose first handling ended."""

    escalated: set[str]
    ended: set[str]

    def escalate(self, ticket_id: str, team: str, *, at: datetime) -> list[Any]:
        self.escalated.add(ticket_id)
        self.ended.add(ticket_id)
        return super().escalate(ticket_id, team, at=at)

    def resolve(self, ticket_id: str, agent_id: str, *, at: datetime) -> list[Any]:
        self.ended.add(ticket_id)
        return super().resolve(ticket_id, agent_id, at=at)


def _escalated(
    monkeypatch: pytest.MonkeyPatch, sim: dict[str, Any], seed: int
) -> tuple[set[str], set[str], dict[str, str]]:
    made: list[_Escalations] = []

    def build(config: DeskConfig) -> _Escalations:
        desk = _Escalations(config)
        desk.escalated, desk.ended = set(), set()
        made.append(desk)
        return desk

    monkeypatch.setattr(csflow.sim.engine, "Desk", build)
    categories: dict[str, str] = {}
    real_submit = Desk.submit

    def submit(self: Desk, ticket: Any, *, at: datetime) -> list[Any]:
        categories[ticket.id] = ticket.category
        return real_submit(self, ticket, at=at)

    monkeypatch.setattr(_Escalations, "submit", submit)
    run_scenario(Scenario("rules", FRONT_AND_BACK, sim, seed))
    (desk,) = made
    return desk.escalated, desk.ended, categories


@pytest.mark.parametrize("seed", [2, 9])
def test_another_categorys_rule_leaves_this_ones_escalations_alone(
    monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    one, ended_one, cats = _escalated(monkeypatch, _SIM, seed)
    two, ended_two, _ = _escalated(
        monkeypatch, _with_rules({"category": "delivery", "team": "back", "probability": 0.3}), seed
    )
    both = {t for t in ended_one & ended_two if cats[t] == "billing"}
    assert len(both) > 40
    # The billing customers escalated are the same ones under both policies ...
    assert one & both == two & both
    assert one & both
    # ... and the new rule does escalate delivery tickets.
    assert any(cats[t] == "delivery" for t in two)
    assert not any(cats[t] == "delivery" for t in one)
