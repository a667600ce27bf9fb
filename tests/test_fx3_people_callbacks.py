"""A call-back whose customer does not pick up: ``Desk.requeue``, and hand-overs of call-backs.

The story: Budi is given call-back T-1, dials, nobody answers.  The host puts the ticket back
in line with ``requeue``: it is still a call-back (the customer still waits for a call), it
keeps its place ahead of later tickets, and no hand-over is counted.  A transfer or an
escalation from the agent it was given to takes the call as made (the rule the call-backs how-to
states); a requeued call-back waits as one again, and a hand-over of a waiting call-back keeps
the request (tests/test_routing_review.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from csflow import (
    AgentProfile,
    CallbackDue,
    Customer,
    Desk,
    DeskConfig,
    InvalidTransitionError,
    Ticket,
    TicketAssigned,
    TicketRequeued,
    Tier,
    UnknownAgentError,
)
from csflow.events import event_from_dict

WIB = ZoneInfo("Asia/Jakarta")
T0 = datetime(2026, 3, 16, 9, 0, tzinfo=WIB)
CONFIG = DeskConfig.from_dict({"teams": {"front": {"queue": "default"}}})
AYU = Customer("ayu", Tier("regular", 1))


def m(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def names(events: Sequence[object]) -> list[str]:
    return [type(e).__name__ for e in events]


def line(desk: Desk) -> list[tuple[str, str, bool]]:
    return [(e.ticket_id, e.signature.channel, e.callback) for e in desk.queue()]


def budi_dials() -> Desk:
    """Sari holds a chat; T-1 (a call-back) and T-2 wait; Budi, on the phone, is given T-1;
    T-9 arrives after it."""
    desk = Desk(CONFIG)
    sari = AgentProfile("sari", capacity={"chat": 1}, teams={"front"})
    desk.add_agent(sari, at=m(0), presence="available")
    for n in range(3):
        desk.submit(Ticket(f"T-{n}", AYU, "chat", m(n)), at=m(n))
    desk.request_callback("T-1", at=m(3))
    budi = AgentProfile("budi", capacity={"phone": 1}, teams={"front"})
    events = desk.add_agent(budi, at=m(4), presence="available")
    assert names(events)[-2:] == ["TicketAssigned", "CallbackDue"]
    desk.submit(Ticket("T-9", AYU, "chat", m(6)), at=m(6))
    return desk


def test_the_unanswered_call_back_goes_back_in_line_as_a_call_back_keeping_its_place() -> None:
    desk = budi_dials()
    desk.set_presence("budi", "away", at=m(7))  # after-call work: no one free to call now
    events = desk.requeue("T-1", "budi", at=m(7))
    assert events == [TicketRequeued(m(7), "T-1", "budi", "requeued by 'budi'")]
    view = desk.ticket("T-1")
    assert (view.state, view.agent_id, view.callback, view.transfers) == (
        "queued",
        None,
        True,
        0,
    )
    # Ahead of the tickets that came after it, still on the phone.
    assert line(desk) == [("T-1", "phone", True), ("T-2", "chat", False), ("T-9", "chat", False)]

    # Budi tries again later: a new CallbackDue, and the wait counts from the requeue.
    events = desk.set_presence("budi", "available", at=m(10))
    assert names(events) == ["AgentPresenceChanged", "TicketAssigned", "CallbackDue"]
    assigned, due = events[1:]
    assert isinstance(assigned, TicketAssigned)
    assert isinstance(due, CallbackDue)
    assert (assigned.ticket_id, assigned.agent_id, assigned.waited) == ("T-1", "budi", 180.0)
    assert (due.ticket_id, due.agent_id) == ("T-1", "budi")


def test_requeue_frees_the_agent_for_its_next_call_first() -> None:
    # Another call-back waits behind T-1: Budi takes it, and T-1 waits for the next phone.
    desk = budi_dials()
    desk.request_callback("T-9", at=m(7))
    events = desk.requeue("T-1", "budi", at=m(8))
    assert names(events) == ["TicketRequeued", "TicketAssigned", "CallbackDue"]
    assert [(e.ticket_id, e.agent_id) for e in events if isinstance(e, CallbackDue)] == [
        ("T-9", "budi")
    ]
    assert line(desk) == [("T-1", "phone", True), ("T-2", "chat", False)]


def test_a_customer_who_cannot_be_reached_is_given_up_with_requeue_then_abandon() -> None:
    desk = budi_dials()
    with pytest.raises(InvalidTransitionError, match=r"it is assigned; allowed from \['queued'\]"):
        desk.abandon("T-1", at=m(7))
    desk.set_presence("budi", "away", at=m(7))
    desk.requeue("T-1", "budi", at=m(7))
    (abandoned,) = desk.abandon("T-1", at=m(8))
    assert type(abandoned).__name__ == "TicketAbandoned"
    assert desk.ticket("T-1").state == "abandoned"


@pytest.mark.parametrize(
    ("ticket_id", "agent_id", "error", "message"),
    [
        ("T-1", "sari", InvalidTransitionError, r"agent 'sari' cannot requeue ticket 'T-1'"),
        ("T-2", "budi", InvalidTransitionError, r"it is queued; allowed from \['assigned'\]"),
        ("T-1", "nobody", UnknownAgentError, r"no agent 'nobody'"),
        ("T-1", None, UnknownAgentError, r"no agent None"),
    ],
)
def test_a_refused_requeue_changes_nothing(
    ticket_id: str, agent_id: str, error: type[Exception], message: str
) -> None:
    desk = budi_dials()
    before = json.dumps(desk.snapshot())
    with pytest.raises(error, match=message):
        desk.requeue(ticket_id, agent_id, at=m(7))
    assert json.dumps(desk.snapshot()) == before


def test_a_parked_ticket_cannot_be_requeued() -> None:
    desk = budi_dials()
    desk.reply("T-1", "budi", at=m(7))
    desk.set_status("T-1", "pending", at=m(8))
    with pytest.raises(InvalidTransitionError, match=r"it is pending; allowed from \['assigned'\]"):
        desk.requeue("T-1", "budi", at=m(9))


def test_requeue_is_no_hand_over_even_past_the_transfer_limit() -> None:
    # With no hand-over allowed, the transfer the reviewer tried is refused; requeue is not.
    config = DeskConfig.from_dict(
        {
            "teams": {"front": {"queue": "default"}},
            "transfers": {"max_transfers": 0, "on_limit": "refuse"},
        }
    )
    desk = Desk(config)
    desk.submit(Ticket("T-1", AYU, "chat", m(0)), at=m(0))
    desk.request_callback("T-1", at=m(1))
    budi = AgentProfile("budi", capacity={"phone": 1}, teams={"front"})
    desk.add_agent(budi, at=m(2), presence="available")
    with pytest.raises(InvalidTransitionError, match=r"max_transfers=0"):
        desk.transfer("T-1", "front", at=m(3))
    desk.set_presence("budi", "away", at=m(3))
    assert names(desk.requeue("T-1", "budi", at=m(3))) == ["TicketRequeued"]
    assert (desk.ticket("T-1").transfers, desk.ticket("T-1").callback) == (0, True)


def test_a_call_back_handed_over_by_its_agent_was_called() -> None:
    desk = budi_dials()
    desk.transfer("T-1", "front", at=m(7))
    assert not desk.ticket("T-1").callback
    assert ("T-1", "chat", False) in line(desk)


def test_a_requeued_call_back_survives_snapshot_restore_and_events_read_back() -> None:
    desk = budi_dials()
    desk.set_presence("budi", "away", at=m(7))
    events = desk.requeue("T-1", "budi", at=m(7))
    assert [event_from_dict(json.loads(json.dumps(e.to_dict()))) for e in events] == events
    restored = Desk.restore(CONFIG, json.loads(json.dumps(desk.snapshot())))
    assert restored.ticket("T-1") == desk.ticket("T-1")
    assert line(restored) == line(desk)
    assert line(desk) == [("T-1", "phone", True), ("T-2", "chat", False), ("T-9", "chat", False)]
    later = m(10)
    assert restored.set_presence("budi", "available", at=later) == desk.set_presence(
        "budi", "available", at=later
    )


def test_a_requeue_replays_from_the_journal() -> None:
    desk = budi_dials()
    snap = json.loads(json.dumps(desk.snapshot()))
    journal = [
        {
            "type": "SetPresence",
            "version": 1,
            "at": m(7).isoformat(),
            "agent_id": "budi",
            "state": "away",
        },
        {
            "type": "Requeue",
            "version": 1,
            "at": m(7).isoformat(),
            "ticket_id": "T-1",
            "agent_id": "budi",
        },
    ]
    desk.set_presence("budi", "away", at=m(7))
    desk.requeue("T-1", "budi", at=m(7))
    replayed = Desk.restore(CONFIG, snap, journal=journal)
    assert replayed.ticket("T-1") == desk.ticket("T-1")
    assert replayed.ticket("T-1").callback
    assert line(replayed) == line(desk)
