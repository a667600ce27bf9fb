"""Desk.update_agent: an agent's skills, languages, capacity or teams change while it works.

Worked stories at the seeds' desk (tests/desks.py): an agent trained on refunds mid-shift takes
the refund waiting for somebody who knows them; a chat limit raised for a peak pulls the next
chat; a customer's preferred agent who stops speaking the customer's language no longer holds
the ticket back; an agent lent to another team takes that team's queue.  Refusals (a capacity
below the agent's load, an unknown agent, an undeclared name, a naive instant) change nothing.
The commands journal and restore, the event travels, and the reports read it.  The random
programs of tests/test_desk_stateful.py interleave the command with all the others.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from csflow import (
    AgentProfile,
    AgentProfileChanged,
    Customer,
    Ticket,
    TicketAssigned,
    Tier,
    people_report,
    summarize,
)
from csflow.desk import Desk, DeskConfig
from csflow.desk.commands import Submit, UpdateAgent, command_from_dict
from csflow.errors import (
    CalendarError,
    ConfigError,
    CsflowError,
    UndeclaredNameError,
    UnknownAgentError,
)
from csflow.events import EVENT_VERSION, Event, event_from_dict
from csflow.routing.decisions import Assignment, PinReleased
from csflow.sla import SlaEvent, SlaWarning
from desks import seeds_desk_doc

WIB = timezone(timedelta(hours=7), "WIB")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=WIB)
GOLD = Tier("gold", 3)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def front_agent(aid: str, **parts: Any) -> AgentProfile:
    parts.setdefault("capacity", {"chat": 2})
    parts.setdefault("teams", {"front"})
    parts.setdefault("languages", {"id", "en"})
    return AgentProfile(aid, **parts)


def assigned(events: list[Event]) -> dict[str, str]:
    return {e.ticket_id: e.agent_id for e in events if isinstance(e, TicketAssigned)}


def _own(events: list[Event]) -> list[Event]:
    """The events that are not SLA events (a ticket's clocks catching up)."""
    return [e for e in events if not isinstance(e, SlaEvent)]


def _in_time_order(events: list[Event]) -> bool:
    instants = [e.at.astimezone(WIB) for e in events]
    return instants == sorted(instants)


def desk_with(*agents: AgentProfile, **doc: Any) -> Desk:
    desk = Desk(DeskConfig.from_dict(seeds_desk_doc(**doc)))
    for profile in agents:
        desk.add_agent(profile, at=T0, presence="available")
    return desk


def test_an_agent_trained_mid_shift_takes_the_work_it_now_can() -> None:
    desk = desk_with(front_agent("budi"))
    customer = Customer("ayu", GOLD)
    refund = Ticket("t1", customer, "chat", at(1), required_skills={"refunds": 2})
    assert assigned(desk.submit(refund, at=at(1))) == {}  # nobody knows refunds yet
    events = desk.update_agent(front_agent("budi", skills={"refunds": 3}), at=at(5))
    # What t1's clocks passed while it waited comes first, at its own instants (the ticket
    # catches up as the agent takes it); then the command's own events.
    assert _own(events)[0] == AgentProfileChanged(at(5), "budi", "front")
    assert _in_time_order(events)
    assert {e.ticket_id for e in events if isinstance(e, SlaWarning)} <= {"t1"}
    assert assigned(events) == {"t1": "budi"}
    [taken] = [e for e in events if isinstance(e, TicketAssigned)]
    assert taken.waited == 4 * 60
    assert desk.agent("budi").profile.skills == {"refunds": 3}


def test_a_skill_lost_keeps_the_work_held_and_routes_new_work_elsewhere() -> None:
    desk = desk_with(front_agent("budi", skills={"refunds": 3}, capacity={"chat": 1}))
    customer = Customer("ayu", GOLD)
    one = Ticket("t1", customer, "chat", at(1), required_skills={"refunds": 2})
    assert assigned(desk.submit(one, at=at(1))) == {"t1": "budi"}
    events = desk.update_agent(front_agent("budi", capacity={"chat": 2}), at=at(2))
    assert assigned(events) == {}
    assert desk.ticket("t1").agent_id == "budi"  # the refund she holds stays hers
    two = Ticket("t2", Customer("rudi", GOLD), "chat", at(3), required_skills={"refunds": 2})
    assert assigned(desk.submit(two, at=at(3))) == {}  # she has room but no refunds now
    plain = Ticket("t3", Customer("wati", GOLD), "chat", at(4))
    assert assigned(desk.submit(plain, at=at(4))) == {"t3": "budi"}


def test_a_raised_chat_limit_pulls_the_next_chat_in_service_order() -> None:
    desk = desk_with(front_agent("sari", capacity={"chat": 1}))
    for i in range(3):
        desk.submit(Ticket(f"t{i}", Customer(f"c{i}", GOLD), "chat", at(i)), at=at(i))
    assert desk.ticket("t0").agent_id == "sari"
    events = desk.update_agent(front_agent("sari", capacity={"chat": 3}), at=at(10))
    assert [e.ticket_id for e in events if isinstance(e, TicketAssigned)] == ["t1", "t2"]


def test_a_capacity_below_the_load_is_refused_and_changes_nothing() -> None:
    desk = desk_with(front_agent("sari", capacity={"chat": 2}))
    for i in range(2):
        desk.submit(Ticket(f"t{i}", Customer(f"c{i}", GOLD), "chat", at(i)), at=at(i))
    before = json.dumps(desk.snapshot())
    with pytest.raises(ConfigError, match=r"holds 2 'chat' tickets .* allows 1"):
        desk.update_agent(front_agent("sari", capacity={"chat": 1}), at=at(5))
    with pytest.raises(ConfigError, match=r"holds 2 'chat' tickets .* allows 0"):
        desk.update_agent(front_agent("sari", capacity={"email": 4}), at=at(5))
    assert json.dumps(desk.snapshot()) == before
    assert desk.now == at(1)


@pytest.mark.parametrize(
    ("profile", "kwargs", "error"),
    [
        (front_agent("nobody"), {}, UnknownAgentError),
        (front_agent("sari", teams={"legal"}), {}, UndeclaredNameError),
        (front_agent("sari", capacity={"fax": 1}), {}, UndeclaredNameError),
        ("sari", {}, ConfigError),
        (front_agent("sari"), {"routing_profile": "legal"}, ConfigError),
    ],
)
def test_bad_updates_are_refused_and_change_nothing(
    profile: Any, kwargs: dict[str, Any], error: type[CsflowError]
) -> None:
    desk = desk_with(front_agent("sari"))
    desk.submit(Ticket("t1", Customer("c1", GOLD), "chat", at(1)), at=at(1))
    before = json.dumps(desk.snapshot())
    with pytest.raises(error):
        desk.update_agent(profile, at=at(2), **kwargs)
    with pytest.raises(CalendarError):
        desk.update_agent(front_agent("sari"), at=datetime(2026, 3, 2, 10))  # naive
    assert json.dumps(desk.snapshot()) == before


def affinity_desk() -> Desk:
    desk = desk_with(
        front_agent("sari", capacity={"chat": 1}),
        strategies=["preferred_agent", "longest_idle"],
        affinity={"timeout": "PT5M", "recency": "P7D"},
    )
    desk.submit(Ticket("t1", Customer("c1", GOLD), "chat", at(0)), at=at(0))
    desk.add_agent(front_agent("budi"), at=at(1), presence="available")
    # Ayu prefers Sari, who is busy: the ticket is held for her for five minutes, Budi idle.
    ayu = Customer("ayu", GOLD, language="id", preferred_agent="sari")
    assert assigned(desk.submit(Ticket("t2", ayu, "chat", at(2)), at=at(2))) == {}
    return desk


def test_a_hold_ends_when_the_preferred_agent_no_longer_serves_the_ticket() -> None:
    desk = affinity_desk()
    # Sari keeps only English: she can no longer take Ayu's Indonesian chat, so it stops
    # waiting for her and Budi takes it at once (not at the five-minute timeout).
    events = desk.update_agent(
        front_agent("sari", capacity={"chat": 1}, languages={"en"}), at=at(3)
    )
    assert isinstance(_own(events)[0], AgentProfileChanged)
    assert _in_time_order(events)
    assert assigned(events) == {"t2": "budi"}
    assert desk.ticket("t1").agent_id == "sari"


def test_a_hold_stays_while_the_preferred_agent_still_serves_the_ticket() -> None:
    desk = affinity_desk()
    events = desk.update_agent(
        front_agent("sari", capacity={"chat": 1}, skills={"refunds": 4}), at=at(3)
    )
    assert assigned(events) == {}
    assert desk.ticket("t2").agent_id is None
    # Her limit raised: she takes the ticket held for her.
    events = desk.update_agent(front_agent("sari", capacity={"chat": 2}), at=at(4))
    assert assigned(events) == {"t2": "sari"}


def test_the_router_reports_the_released_hold() -> None:
    desk = affinity_desk()
    router = desk._router  # the layer below: its changes, with the hold's release
    changes = router.update_agent(
        front_agent("sari", capacity={"chat": 1}, languages={"en"}), at=at(3)
    )
    released, given = changes
    assert isinstance(released, PinReleased)
    assert released.ticket_id == "t2"
    assert isinstance(given, Assignment)
    assert given.agent_id == "budi"


def test_an_agent_lent_to_another_team_takes_that_teams_queue() -> None:
    desk = desk_with(
        front_agent("dewi", teams={"finance"}, capacity={"chat": 2}),
    )
    # Added under her team's routing profile (finance): the front queue is not hers.
    assert desk.agent("dewi").group == "finance"
    assert assigned(desk.submit(Ticket("t1", Customer("c1", GOLD), "chat", at(1)), at=at(1))) == {}
    # Her teams alone do not move her (the routing profile stays) ...
    events = desk.update_agent(front_agent("dewi", teams={"front"}), at=at(2))
    assert events == [AgentProfileChanged(at(2), "dewi", "finance")]
    # ... naming the profile does, and she takes the front line's waiting chat.
    events = desk.update_agent(front_agent("dewi"), at=at(3), routing_profile="front")
    assert _own(events)[0] == AgentProfileChanged(at(3), "dewi", "front")
    assert _in_time_order(events)
    assert assigned(events) == {"t1": "dewi"}
    assert desk.agent("dewi").group == "front"


def test_the_command_journals_and_restores() -> None:
    desk = desk_with(front_agent("budi"))
    snap = json.loads(json.dumps(desk.snapshot()))
    refund = Ticket("t1", Customer("ayu", GOLD), "chat", at(1), required_skills={"refunds": 2})
    journal = []
    for cmd in (
        command_from_dict(json.loads(json.dumps(c.to_dict())))
        for c in (
            Submit(refund, at=at(1)),
            UpdateAgent(front_agent("budi", skills={"refunds": 3}), at=at(2)),
            UpdateAgent(front_agent("budi"), at=at(3), routing_profile="technical"),
        )
    ):
        cmd.apply(desk)
        journal.append(cmd.to_dict())
    restored = Desk.restore(DeskConfig.from_dict(seeds_desk_doc()), snap, journal=journal)
    assert restored.snapshot() == desk.snapshot()
    assert restored.agent("budi").group == "technical"
    assert restored.ticket("t1").agent_id == "budi"


def test_the_event_travels_and_the_reports_read_it() -> None:
    desk = desk_with(front_agent("budi"))
    events = desk.submit(Ticket("t1", Customer("c1", GOLD), "chat", at(1)), at=at(1))
    events += desk.update_agent(front_agent("budi", capacity={"chat": 3}), at=at(1))
    [changed] = [e for e in events if isinstance(e, AgentProfileChanged)]
    data = changed.to_dict()
    assert data == {
        "type": "AgentProfileChanged",
        "version": EVENT_VERSION,
        "at": "2026-03-02T02:01:00+00:00",
        "agent_id": "budi",
        "routing_profile": "front",
    }
    assert event_from_dict(json.loads(json.dumps(data))) == changed
    for bad in ({**data, "routing_profile": ""}, {**data, "routing_profile": "x" * 65}):
        with pytest.raises(ConfigError, match="routing_profile"):
            event_from_dict(bad)
    # The reports take the event as they take a presence change: it counts no ticket work.
    without = [e for e in events if e is not changed]
    assert summarize(events) == summarize(without)
    assert people_report(events).to_dict() == people_report(without).to_dict()
