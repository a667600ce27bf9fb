"""Tickets whose owner left the desk, no-op hand-overs, and who may grant goodwill: the
acceptance review's findings on routing and the people features."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from csflow import (
    AgentProfile,
    Customer,
    Desk,
    DeskConfig,
    InvalidTransitionError,
    Ticket,
    TicketResolved,
    Tier,
    UnknownAgentError,
)
from csflow.testing import check_invariants

T0 = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)
GOLD = Tier("gold", 3)


def _m(k: int) -> datetime:
    return T0 + timedelta(minutes=k)


def _orphan() -> Desk:
    """T-1 pending, its owner sari gone; budi at the desk."""
    desk = Desk(DeskConfig.from_dict({}))
    desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=T0, presence="available")
    desk.add_agent(AgentProfile("budi", capacity={"chat": 1}), at=T0, presence="available")
    desk.submit(Ticket("T-1", Customer("ani", GOLD), "chat", T0), at=T0)
    assert desk.ticket("T-1").agent_id == "sari"
    desk.set_status("T-1", "pending", at=_m(1))
    desk.remove_agent("sari", at=_m(2))
    assert (desk.ticket("T-1").state, desk.ticket("T-1").agent_id) == ("pending", None)
    return desk


@pytest.mark.parametrize("verb", ["reply", "resolve"])
def test_none_is_no_agent(verb: str) -> None:
    desk = _orphan()
    before = desk.snapshot()
    with pytest.raises(UnknownAgentError, match="no agent None"):
        getattr(desk, verb)("T-1", None, at=_m(3))
    assert desk.snapshot() == before


def test_an_ownerless_pending_ticket_is_taken_up_by_whoever_replies() -> None:
    desk = _orphan()
    desk.reply("T-1", "budi", at=_m(3))
    assert desk.ticket("T-1").agent_id == "budi"
    check_invariants(desk)
    # Owned now: another agent is refused, the owner resolves.
    desk.add_agent(AgentProfile("dewi", capacity={"chat": 1}), at=_m(3), presence="available")
    with pytest.raises(InvalidTransitionError, match="it is with 'budi'"):
        desk.resolve("T-1", "dewi", at=_m(4))
    [resolved] = [e for e in desk.resolve("T-1", "budi", at=_m(4)) if isinstance(e, TicketResolved)]
    assert resolved.agent_id == "budi"
    check_invariants(desk)
    again = Desk.restore(desk.config, json.loads(json.dumps(desk.snapshot())))
    assert again.ticket("T-1").agent_id == "budi"


def test_an_ownerless_pending_ticket_may_be_resolved_and_the_desk_restores() -> None:
    desk = _orphan()
    events = desk.resolve("T-1", "budi", at=_m(3))
    assert [e.agent_id for e in events if isinstance(e, TicketResolved)] == ["budi"]
    view = desk.ticket("T-1")
    assert (view.state, view.agent_id) == ("solved", "budi")
    contact = desk.contacts("ani")
    assert contact is None or contact.last_agent == "budi"
    check_invariants(desk)
    again = Desk.restore(desk.config, json.loads(json.dumps(desk.snapshot())))
    assert again.snapshot() == desk.snapshot()
    assert again.ticket("T-1").agent_id == "budi"


def test_a_waiting_ticket_is_not_handed_to_the_team_it_waits_for() -> None:
    data: dict[str, Any] = {
        "queues": [{"name": "front"}, {"name": "technical"}],
        "routing_profiles": [
            {"name": "front", "queues": ["front"]},
            {"name": "technical", "queues": ["technical"]},
        ],
        "teams": {
            "front": {"queue": "front", "routing_profile": "front"},
            "technical": {"queue": "technical", "routing_profile": "technical"},
        },
        "transfers": {"max_transfers": 1},
    }
    desk = Desk(DeskConfig.from_dict(data))
    desk.add_agent(
        AgentProfile("sari", capacity={"chat": 1}, teams={"front"}), at=T0, presence="busy"
    )
    for i in range(3):
        desk.submit(Ticket(f"T-{i}", Customer(f"c{i}", GOLD), "chat", _m(i)), at=_m(i))
    before = desk.snapshot()
    with pytest.raises(InvalidTransitionError, match="already waits in queue 'front'"):
        desk.transfer("T-0", "front", at=_m(10))
    assert desk.snapshot() == before
    assert [e.ticket_id for e in desk.queue("front")] == ["T-0", "T-1", "T-2"]
    # The one hand-over it is allowed is still there for a real one.
    desk.transfer("T-0", "technical", at=_m(11))
    assert desk.ticket("T-0").queue == "technical"
    # A ticket an agent holds may go back to its own team's queue (someone else takes it).
    desk.set_presence("sari", "available", at=_m(12))
    assert desk.ticket("T-1").agent_id == "sari"
    desk.transfer("T-1", "front", at=_m(13))
    assert desk.ticket("T-1").transfers == 1
