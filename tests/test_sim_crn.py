"""Common random numbers: runs with the same seed see the same customers, whatever their
staffing or policies (one stream each for arrivals, handle times, patience and routing)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

import csflow.sim.engine
from csflow import Desk, DeskConfig, Ticket
from csflow.sim import Scenario, run_scenario
from desks import FRONT_AND_BACK

_DESK: dict[str, Any] = FRONT_AND_BACK
_SIM: dict[str, Any] = {
    "start": "2026-03-16T06:00:00+07:00",
    "duration": 7200,
    "arrivals": {
        "rates": [["00:00", 120], ["07:00", 200]],
        "channels": {"chat": 3, "email": 1},
        "tiers": {"gold": 1, "regular": 3},
        "categories": {"billing": 1, "delivery": 2},
    },
    "handle_time": {"default": {"exponential": 360}, "email": {"lognormal": {"mean": 600}}},
    "patience": {"chat": {"exponential": 240}},
    "escalations": [{"category": "billing", "team": "back", "probability": 0.3}],
    "agents": [
        {"name": "front", "count": 6, "capacity": {"chat": 1, "email": 1}, "teams": ["front"]},
        {"name": "back", "count": 2, "capacity": {"chat": 1, "email": 1}, "teams": ["back"]},
    ],
}


class _Recorder(Desk):
    """A desk that remembers the customers it was given and when their handlings ended."""

    arrivals: list[tuple[str, datetime, str, str]]
    resolved: dict[str, datetime]  # the end of the first handling (resolved or escalated)
    assigned: dict[str, datetime]
    escalated: set[str]

    def submit(self, ticket: Ticket, *, at: datetime) -> list[Any]:
        self.arrivals.append((ticket.id, at, ticket.channel.name, ticket.customer.tier.name))
        events = super().submit(ticket, at=at)
        self._first_assignments(events)
        return events

    def _first_assignments(self, events: list[Any]) -> None:
        for e in events:
            if type(e).__name__ == "TicketAssigned":
                self.assigned.setdefault(e.ticket_id, e.at)

    def resolve(self, ticket_id: str, agent_id: str, *, at: datetime) -> list[Any]:
        self.resolved.setdefault(ticket_id, at)
        events = super().resolve(ticket_id, agent_id, at=at)
        self._first_assignments(events)
        return events

    def abandon(self, ticket_id: str, *, at: datetime) -> list[Any]:
        events = super().abandon(ticket_id, at=at)
        self._first_assignments(events)
        return events

    def escalate(self, ticket_id: str, team: str, *, at: datetime) -> list[Any]:
        self.escalated.add(ticket_id)
        self.resolved.setdefault(ticket_id, at)  # the end of the first handling
        events = super().escalate(ticket_id, team, at=at)
        self._first_assignments(events)
        return events

    def set_presence(self, agent_id: str, presence: str, *, at: datetime) -> list[Any]:
        events = super().set_presence(agent_id, presence, at=at)
        self._first_assignments(events)
        return events


def _run(
    monkeypatch: pytest.MonkeyPatch, desk: dict[str, Any], sim: dict[str, Any], seed: int
) -> tuple[_Recorder, int]:
    made: list[_Recorder] = []

    def build(config: DeskConfig) -> _Recorder:
        d = _Recorder(config)
        d.arrivals, d.resolved, d.assigned, d.escalated = [], {}, {}, set()
        made.append(d)
        return d

    monkeypatch.setattr(csflow.sim.engine, "Desk", build)
    result = run_scenario(Scenario("crn", desk, sim, seed))
    (desk_made,) = made
    return desk_made, result.report.abandoned


def _variant(count: int, strategy: str, gold_first: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    desk = {**_DESK, "strategies": [strategy]}
    if gold_first:
        desk["triage"] = [
            {"name": "gold", "when": {"field": "tier", "eq": "gold"}, "then": {"priority": "high"}}
        ]
    sim = {**_SIM, "agents": [{**_SIM["agents"][0], "count": count}, _SIM["agents"][1]]}
    return desk, sim


@pytest.mark.parametrize("seed", [1, 7])
def test_the_same_seed_gives_the_same_customers_under_other_staffing_and_policies(
    monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    base, base_abandoned = _run(monkeypatch, *_variant(6, "longest_idle", False), seed)
    assert len(base.arrivals) > 200
    assert {c for _, _, c, _ in base.arrivals} == {"chat", "email"}
    abandoned = [base_abandoned]
    for count, strategy, gold_first in [
        (3, "longest_idle", False),
        (9, "round_robin", True),
        (5, "most_spare_capacity", True),
    ]:
        other, n_abandoned = _run(monkeypatch, *_variant(count, strategy, gold_first), seed)
        abandoned.append(n_abandoned)
        # The same customers: ids, instants, channels and tiers.
        assert other.arrivals == base.arrivals
        # Each customer's first handling lasts as long in both runs, wherever the desk put it,
        # and ends the same way (an escalation draw is the customer's too).
        both = base.resolved.keys() & other.resolved.keys()
        assert len(both) > 50
        assert {t for t in both if t in base.escalated} == {t for t in both if t in other.escalated}
        assert any(t in base.escalated for t in both)
        for t in both:
            assert base.resolved[t] - base.assigned[t] == other.resolved[t] - other.assigned[t], t
    # The staffing does change the outcome: three agents lose customers that nine keep.
    assert abandoned[1] > abandoned[2]


def test_another_seed_gives_other_customers(monkeypatch: pytest.MonkeyPatch) -> None:
    one, _ = _run(monkeypatch, *_variant(6, "longest_idle", False), 1)
    two, _ = _run(monkeypatch, *_variant(6, "longest_idle", False), 2)
    assert one.arrivals != two.arrivals
