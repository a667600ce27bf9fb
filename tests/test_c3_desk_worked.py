"""Desks worked by hand from the users' world: call-backs, sticky customers, agents who leave,
and time (the same instant, an earlier one, the repeated hour of a fall-back).

Each expectation is computed by hand from the documentation (docs/how-to/callbacks.md,
docs/how-to/repeat-customers.md, docs/explanation/desk-contract.md).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.errors import ConfigError, InvalidTransitionError, TransferLimitError
from csflow.events import (
    AgentPresenceChanged,
    CallbackDue,
    CallbackRequested,
    Event,
    TicketAssigned,
    TicketQueued,
    TicketRelaxed,
    TicketRequeued,
)
from csflow.model import Channel
from csflow.sla import SlaBreached, SlaWarning

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GOLD = Tier("gold", 3)


def m(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def kinds(events: list[Event]) -> list[tuple[str, str | None, str | None, datetime]]:
    return [
        (type(e).__name__, getattr(e, "ticket_id", None), getattr(e, "agent_id", None), e.at)
        for e in events
    ]


def frozen(desk: Desk) -> str:
    return json.dumps(desk.snapshot(), sort_keys=True)


def refused(desk: Desk, error: type[Exception], call: Any, *words: str) -> None:
    """*call* raises *error* naming *words*, and the desk is as it was."""
    before = frozen(desk)
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value), (word, str(info.value))
    assert frozen(desk) == before


# -- call-backs ---------------------------------------------------------------------------------


def test_callback_with_nobody_online_keeps_its_place_until_a_phone_agent_logs_in() -> None:
    desk = Desk(DeskConfig.from_dict({"capacity": {"exclusive": []}}))
    ayu = Customer("ayu", GOLD)
    for n in range(4):
        desk.submit(Ticket(f"T-{n}", ayu, "chat", m(n)), at=m(n))
    # Nobody is online: the request is all that happens.
    assert desk.request_callback("T-2", at=m(5)) == [CallbackRequested(m(5), "T-2")]
    assert [(e.ticket_id, e.signature.channel, e.callback) for e in desk.queue()] == [
        ("T-0", "chat", False),
        ("T-1", "chat", False),
        ("T-2", "phone", True),
        ("T-3", "chat", False),
    ]
    refused(
        desk,
        InvalidTransitionError,
        lambda: desk.request_callback("T-2", at=m(6)),
        "T-2",
        "already a call-back",
    )
    # A phone-only agent logs in: the call-back is the only ticket it can take.
    events = desk.add_agent(
        AgentProfile("budi", capacity={"phone": 1}), at=m(8), presence="available"
    )
    assert kinds(events) == [
        ("AgentPresenceChanged", None, "budi", m(8)),
        ("TicketAssigned", "T-2", "budi", m(8)),
        ("CallbackDue", "T-2", "budi", m(8)),
    ]
    assigned = events[1]
    assert isinstance(assigned, TicketAssigned)
    assert assigned.waited == 6 * 60


def test_callback_due_at_the_instant_the_relaxation_lets_an_agent_take_it() -> None:
    config = DeskConfig.from_dict(
        {"queues": [{"name": "default", "relaxation": [{"after": "PT5M", "drop": ["refunds"]}]}]}
    )
    desk = Desk(config)
    desk.add_agent(AgentProfile("budi", capacity={"phone": 1}), at=T0, presence="available")
    ayu = Customer("ayu", GOLD)
    desk.submit(Ticket("T-1", ayu, "chat", T0, required_skills={"refunds": 1}), at=T0)
    # Budi lacks the skill: the request is all that happens.
    assert desk.request_callback("T-1", at=m(1)) == [CallbackRequested(m(1), "T-1")]
    assert desk.next_wakeup() == m(5)
    events = desk.advance(at=m(30))  # one late wake-up: each event at its own instant
    assert kinds(events) == [
        ("TicketRelaxed", "T-1", None, m(5)),
        ("TicketAssigned", "T-1", "budi", m(5)),
        ("CallbackDue", "T-1", "budi", m(5)),
    ]
    assert isinstance(events[0], TicketRelaxed)


def test_unreachable_customer_is_requeued_as_a_callback_then_abandoned() -> None:
    desk = Desk(DeskConfig())
    desk.add_agent(
        AgentProfile("budi", capacity={"chat": 1, "phone": 1}), at=T0, presence="offline"
    )
    desk.submit(Ticket("T-1", Customer("ayu", GOLD), "chat", T0), at=T0)
    desk.request_callback("T-1", at=m(1))
    assert [type(e) for e in desk.set_presence("budi", "available", at=m(2))] == [
        AgentPresenceChanged,
        TicketAssigned,
        CallbackDue,
    ]
    refused(desk, InvalidTransitionError, lambda: desk.abandon("T-1", at=m(3)), "T-1", "assigned")
    desk.set_presence("budi", "away", at=m(3))
    assert desk.requeue("T-1", "budi", at=m(3)) == [
        TicketRequeued(m(3), "T-1", "budi", "requeued by 'budi'")
    ]
    view = desk.ticket("T-1")
    assert (view.state, view.callback, view.transfers, view.agent_id) == ("queued", True, 0, None)
    refused(
        desk,
        InvalidTransitionError,
        lambda: desk.request_callback("T-1", at=m(4)),
        "already a call-back",
    )
    # Back from after-call work: the second try is a new CallbackDue, its wait from the requeue.
    events = desk.set_presence("budi", "available", at=m(10))
    assert kinds(events)[1:] == [
        ("TicketAssigned", "T-1", "budi", m(10)),
        ("CallbackDue", "T-1", "budi", m(10)),
    ]
    assert isinstance(events[1], TicketAssigned)
    assert events[1].waited == 7 * 60
    desk.set_presence("budi", "away", at=m(11))
    desk.requeue("T-1", "budi", at=m(11))
    (_abandoned,) = desk.abandon("T-1", at=m(12))
    assert desk.ticket("T-1").state == "abandoned"
    assert desk.queue() == []


def test_a_callback_held_for_the_preferred_agent_goes_to_whoever_can_call_now() -> None:
    config = DeskConfig.from_dict(
        {"strategies": ["preferred_agent", "longest_idle"], "affinity": {"timeout": "PT10M"}}
    )
    desk = Desk(config)
    both: dict[Channel | str, int] = {"chat": 1, "phone": 1}
    desk.add_agent(AgentProfile("budi", capacity=both), at=T0, presence="available")
    desk.add_agent(AgentProfile("sari", capacity=both), at=T0, presence="available")
    mega = Customer("mega", GOLD, preferred_agent="budi")
    desk.submit(Ticket("X", Customer("x", GOLD, preferred_agent="budi"), "phone", T0), at=T0)
    desk.submit(Ticket("A", mega, "chat", T0), at=T0)
    assert [(e.ticket_id, e.signature.agent) for e in desk.queue()] == [("A", "budi")]
    # Budi is on a call; the customer would rather be called back than wait for him.
    assert kinds(desk.request_callback("A", at=m(1))) == [
        ("CallbackRequested", "A", None, m(1)),
        ("TicketAssigned", "A", "sari", m(1)),
        ("CallbackDue", "A", "sari", m(1)),
    ]


# -- sticky customers ----------------------------------------------------------------------------


def test_two_open_tickets_of_one_customer_wait_for_the_preferred_agent_in_turn() -> None:
    config = DeskConfig.from_dict(
        {"strategies": ["preferred_agent", "longest_idle"], "affinity": {"timeout": "PT10M"}}
    )
    desk = Desk(config)
    desk.add_agent(AgentProfile("budi", capacity={"chat": 1}), at=T0, presence="available")
    desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=T0, presence="available")
    mega = Customer("mega", GOLD, preferred_agent="budi")
    desk.submit(Ticket("A", mega, "chat", T0), at=T0)
    last = desk.submit(Ticket("B", mega, "chat", m(1)), at=m(1))[-1]
    assert isinstance(last, TicketQueued)
    assert last.ticket_id == "B"
    assert desk.ticket("B").state == "queued"  # held for busy budi, though sari is free
    assert desk.next_wakeup() == m(11)
    events = desk.resolve("A", "budi", at=m(4))
    (assigned,) = [e for e in events if isinstance(e, TicketAssigned)]
    assert (assigned.ticket_id, assigned.agent_id, assigned.waited) == ("B", "budi", 180.0)
    assert (assigned.contacts, assigned.last_contact_at, assigned.open_tickets) == (2, T0, 1)
    assert desk.next_wakeup() is None


def test_the_hold_ends_when_the_preferred_agent_goes_away_or_leaves() -> None:
    config = DeskConfig.from_dict(
        {"strategies": ["preferred_agent", "longest_idle"], "affinity": {"timeout": "PT10M"}}
    )
    for leave in ("away", "removed"):
        desk = Desk(config)
        desk.add_agent(AgentProfile("budi", capacity={"chat": 1}), at=T0, presence="available")
        desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=T0, presence="available")
        mega = Customer("mega", GOLD, preferred_agent="budi")
        desk.submit(Ticket("A", mega, "chat", T0), at=T0)
        desk.submit(Ticket("B", mega, "chat", m(1)), at=m(1))
        if leave == "away":
            events = desk.set_presence("budi", "away", at=m(2))
            assert kinds(events) == [
                ("AgentPresenceChanged", None, "budi", m(2)),
                ("TicketAssigned", "B", "sari", m(2)),
            ]
            assert desk.agent("budi").held == ("A",)  # going away keeps the work
        else:
            events = desk.remove_agent("budi", at=m(2))
            # A goes back in line first (sari takes it), then B, held for budi, is routed.
            assert kinds(events) == [
                ("AgentPresenceChanged", None, "budi", m(2)),
                ("TicketRequeued", "A", "budi", m(2)),
                ("TicketAssigned", "A", "sari", m(2)),
            ]
            assert desk.ticket("B").state == "queued"
            assert desk.queue()[0].signature.agent is None
        assert desk.next_wakeup() is None


def test_transfer_limit_refuses_the_second_hand_over_and_changes_nothing() -> None:
    config = DeskConfig.from_dict(
        {
            "queues": [{"name": "front"}, {"name": "back"}],
            "routing_profiles": [
                {"name": "front", "queues": ["front"]},
                {"name": "back", "queues": ["back"]},
            ],
            "teams": {
                "front": {"queue": "front", "routing_profile": "front"},
                "back": {"queue": "back", "routing_profile": "back"},
            },
            "transfers": {"max_transfers": 1},
        }
    )
    desk = Desk(config)
    desk.add_agent(
        AgentProfile("ana", capacity={"chat": 1}, teams={"front"}), at=T0, presence="available"
    )
    desk.submit(Ticket("A", Customer("c", GOLD), "chat", T0), at=T0)
    assert desk.ticket("A").agent_id == "ana"
    desk.transfer("A", "back", at=m(1))
    assert (desk.ticket("A").queue, desk.ticket("A").transfers) == ("back", 1)
    refused(desk, TransferLimitError, lambda: desk.transfer("A", "front", at=m(2)), "A")
    refused(desk, TransferLimitError, lambda: desk.escalate("A", "front", at=m(2)), "A")


# -- agents with work in hand -------------------------------------------------------------------


def test_capacity_below_the_load_is_refused_and_offline_agents_keep_their_tickets() -> None:
    desk = Desk(DeskConfig())
    desk.add_agent(AgentProfile("budi", capacity={"chat": 2}), at=T0, presence="available")
    c = Customer("c", GOLD)
    for n in range(2):
        desk.submit(Ticket(f"T-{n}", c, "chat", T0), at=T0)
    refused(
        desk,
        ConfigError,
        lambda: desk.update_agent(AgentProfile("budi", capacity={"chat": 1}), at=m(1)),
        "budi",
        "chat",
    )
    desk.set_presence("budi", "offline", at=m(1))
    status = desk.agent("budi")
    assert (status.held, status.load, status.idle_since) == (("T-0", "T-1"), 2, T0)
    desk.resolve("T-0", "budi", at=m(2))  # an offline agent may still finish its work
    assert desk.agent("budi").idle_since == T0
    # Removing it puts the rest back in line, waiting from the removal.
    desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=m(3), presence="offline")
    events = desk.remove_agent("budi", at=m(4))
    assert kinds(events) == [
        ("AgentPresenceChanged", None, "budi", m(4)),
        ("TicketRequeued", "T-1", "budi", m(4)),
    ]
    events = desk.set_presence("sari", "available", at=m(6))
    (assigned,) = [e for e in events if isinstance(e, TicketAssigned)]
    assert (assigned.ticket_id, assigned.waited) == ("T-1", 120.0)


# -- time ----------------------------------------------------------------------------------------

NY = ZoneInfo("America/New_York")
NY_CONFIG = DeskConfig.from_dict(
    {
        "calendars": {"24x7": {"timezone": "America/New_York", "always_open": True}},
        "sla_policies": [
            {"name": "std", "calendar": "24x7", "targets": {"first_response": "PT10M"}}
        ],
        "default_sla_policy": "std",
    }
)


def test_the_repeated_hour_is_two_hours_of_instants() -> None:
    desk = Desk(NY_CONFIG)
    second = datetime(2026, 11, 1, 1, 30, tzinfo=NY, fold=1)  # 06:30 UTC
    first = datetime(2026, 11, 1, 1, 45, tzinfo=NY, fold=0)  # 05:45 UTC: earlier
    desk.submit(Ticket("A", Customer("c", GOLD), "chat", second), at=second)
    refused(desk, InvalidTransitionError, lambda: desk.advance(at=first), "earlier")
    # The same instant again is no earlier: accepted, and idempotent.
    assert desk.advance(at=second) == []
    assert desk.advance(at=second) == []
    assert desk.next_wakeup() == datetime(2026, 11, 1, 6, 35, tzinfo=UTC)
    events = desk.advance(at=datetime(2026, 11, 1, 1, 50, tzinfo=NY, fold=1))
    assert [type(e) for e in events] == [SlaWarning] * 3 + [SlaBreached]
    assert [e.at.astimezone(UTC) for e in events][-1] == datetime(2026, 11, 1, 6, 40, tzinfo=UTC)
    assert events[-1].at.fold == 1  # written in the zone, in its second 01:40


def test_a_ticket_created_in_the_first_hour_and_submitted_in_the_second() -> None:
    desk = Desk(NY_CONFIG)
    created = datetime(2026, 11, 1, 1, 50, tzinfo=NY, fold=0)  # 05:50 UTC
    submitted = datetime(2026, 11, 1, 1, 5, tzinfo=NY, fold=1)  # 06:05 UTC
    events = desk.submit(Ticket("A", Customer("c", GOLD), "chat", created), at=submitted)
    assert [(type(e).__name__, e.at.astimezone(UTC).time().isoformat()) for e in events] == [
        ("SlaWarning", "05:55:00"),
        ("SlaWarning", "05:57:30"),
        ("SlaWarning", "05:59:00"),
        ("SlaBreached", "06:00:00"),
        ("TicketQueued", "06:05:00"),
    ]


# -- a call-back is held for nobody -------------------------------------------------------------

AFFINITY_TEAMS = DeskConfig.from_dict(
    {
        "strategies": ["preferred_agent", "longest_idle"],
        "affinity": {"timeout": "PT10M"},
        "queues": [{"name": "front"}, {"name": "back"}],
        "routing_profiles": [{"name": "all", "queues": ["front", "back"]}],
        "teams": {"front": {"queue": "front"}, "back": {"queue": "back"}},
    }
)
BOTH: dict[Channel | str, int] = {"chat": 1, "phone": 1}


def _budi_on_a_call() -> Desk:
    """Budi, the customer's preferred agent, is on a call; the customer's chat is a call-back
    waiting in the front queue, held for nobody."""
    desk = Desk(AFFINITY_TEAMS)
    desk.add_agent(AgentProfile("budi", capacity=BOTH), at=T0, presence="available")
    desk.submit(Ticket("X", Customer("x", GOLD), "phone", T0), at=T0)
    mega = Customer("mega", GOLD, preferred_agent="budi")
    desk.submit(Ticket("A", mega, "chat", T0), at=T0)
    assert desk.queue()[0].signature.agent == "budi"  # a chat waits for budi ...
    assert desk.request_callback("A", at=m(1)) == [CallbackRequested(m(1), "A")]
    assert desk.queue()[0].signature.agent is None  # ... a call-back for whoever can call
    return desk


@pytest.mark.parametrize("how", ["transfer", "escalate"])
def test_a_waiting_callback_handed_to_a_team_is_not_held_for_the_preferred_agent(
    how: str,
) -> None:
    desk = _budi_on_a_call()
    events = getattr(desk, how)("A", "back", at=m(3))
    expected = {"transfer": "TicketTransferred", "escalate": "TicketEscalated"}[how]
    assert [type(e).__name__ for e in events] == [expected]
    assert [
        (e.ticket_id, e.signature.channel, e.callback, e.signature.agent)
        for e in desk.queue("back")
    ] == [("A", "phone", True, None)]
    assert desk.next_wakeup() is None  # no hold to time out
    # Tono logs in free: he makes the call now, not in ten minutes.
    events = desk.add_agent(AgentProfile("tono", capacity=BOTH), at=m(4), presence="available")
    assert kinds(events)[1:] == [
        ("TicketAssigned", "A", "tono", m(4)),
        ("CallbackDue", "A", "tono", m(4)),
    ]


@pytest.mark.parametrize("how", ["requeue", "remove_agent"])
def test_a_callback_given_back_is_not_held_for_the_preferred_agent(how: str) -> None:
    desk = _budi_on_a_call()
    desk.add_agent(AgentProfile("sari", capacity=BOTH), at=m(2), presence="available")
    assert desk.ticket("A").agent_id == "sari"  # she dials; nobody answers
    desk.add_agent(AgentProfile("tono", capacity=BOTH), at=m(2), presence="busy")
    if how == "requeue":
        desk.set_presence("sari", "away", at=m(3))
        desk.requeue("A", "sari", at=m(3))
    else:
        desk.remove_agent("sari", at=m(3))
    view = desk.ticket("A")
    assert (view.state, view.callback) == ("queued", True)
    assert desk.queue()[0].signature.agent is None
    assert desk.next_wakeup() is None
    events = desk.set_presence("tono", "available", at=m(4))
    assert kinds(events)[1:] == [
        ("TicketAssigned", "A", "tono", m(4)),
        ("CallbackDue", "A", "tono", m(4)),
    ]
    assigned = events[1]
    assert isinstance(assigned, TicketAssigned)
    assert assigned.waited == 60.0
