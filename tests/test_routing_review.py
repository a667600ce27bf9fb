"""Worked examples from the routing acceptance review, one group per finding (A to H).

Each example failed before its fix.  They share one shape: a small desk, the commands that
led to the finding, then what the documentation promises.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from hypothesis.stateful import invariant

from csflow import (
    AgentProfile,
    CallbackDue,
    Channel,
    Customer,
    Desk,
    DeskConfig,
    InvalidTransitionError,
    Ticket,
    TicketAbandoned,
    TicketAssigned,
    TicketQueued,
    Tier,
)
from csflow.events import Event
from csflow.queues import TicketQueue
from csflow.routing import Assignment, PinReleased, PreferredAgent, Router, SelectionContext
from csflow.testing import DeskMachine, check_invariants

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GOLD = Tier("gold", 3)
ANI = Customer("ani", GOLD)
DOCS = Path(__file__).resolve().parent.parent / "docs"


def m(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def assigned(events: list[Event]) -> list[tuple[str, str]]:
    return [(e.ticket_id, e.agent_id) for e in events if isinstance(e, TicketAssigned)]


def kinds(events: list[Event]) -> list[str]:
    return [type(e).__name__ for e in events]


def restored(desk: Desk) -> Desk:
    return Desk.restore(desk.config, json.loads(json.dumps(desk.snapshot())))


def pinned_to_a_routable_agent(desk: Desk) -> None:
    """No waiting ticket is held for an agent who is not at the desk or not routable."""
    agents = set(desk.agents())
    for e in desk.queue():
        aid = e.signature.agent
        if aid is not None:
            assert aid in agents, (e.ticket_id, aid)
            assert desk.agent(aid).routable, (e.ticket_id, aid)


AFFINITY = DeskConfig.from_dict(
    {"strategies": ["preferred_agent", "longest_idle"], "affinity": {"timeout": "PT2M"}}
)


# -- A: a hold ends when its agent stops being routable or leaves ------------------------------


def held_for_busy_sari() -> Desk:
    """Sari serves A1; A2 of the same customer is held for her (budi is free)."""
    desk = Desk(AFFINITY)
    desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=T0, presence="available")
    desk.submit(Ticket("A1", ANI, "chat", T0), at=T0)
    desk.add_agent(AgentProfile("budi", capacity={"chat": 1}), at=T0, presence="available")
    assert kinds(desk.submit(Ticket("A2", ANI, "chat", m(1)), at=m(1))) == ["TicketQueued"]
    assert desk.queue()[0].signature.agent == "sari"
    return desk


@pytest.mark.parametrize("presence", ["offline", "away"])
def test_a_hold_ends_when_the_preferred_agent_stops_being_routable(presence: str) -> None:
    desk = held_for_busy_sari()
    events = desk.set_presence("sari", presence, at=m(1))
    assert kinds(events) == ["AgentPresenceChanged", "TicketAssigned"]
    assert assigned(events) == [("A2", "budi")]
    assert desk.next_routing_step() is None  # no pin timer left behind
    check_invariants(desk)


def test_a_hold_ends_when_the_preferred_agent_leaves_the_desk() -> None:
    desk = held_for_busy_sari()
    events = desk.remove_agent("sari", at=m(1))
    # Sari's own ticket goes back in line first (it was in line before A2) and budi takes
    # it; A2 no longer waits for sari.
    assert kinds(events) == ["AgentPresenceChanged", "TicketRequeued", "TicketAssigned"]
    assert assigned(events) == [("A1", "budi")]
    [entry] = desk.queue()
    assert (entry.ticket_id, entry.signature.agent) == ("A2", None)
    assert desk.next_routing_step() is None
    pinned_to_a_routable_agent(desk)
    check_invariants(desk)
    # Anyone may take it now, without waiting for the two minutes.
    events = desk.add_agent(
        AgentProfile("dewi", capacity={"chat": 1}), at=m(2), presence="available"
    )
    assert assigned(events) == [("A2", "dewi")]


def test_a_hold_for_another_agent_is_not_ended() -> None:
    desk = held_for_busy_sari()
    events = desk.set_presence("budi", "offline", at=m(1))
    assert kinds(events) == ["AgentPresenceChanged"]
    assert desk.queue()[0].signature.agent == "sari"


def test_a_restored_desk_ends_the_same_holds() -> None:
    desk = held_for_busy_sari()
    copy = restored(desk)
    assert copy.set_presence("sari", "offline", at=m(1)) == desk.set_presence(
        "sari", "offline", at=m(1)
    )
    assert copy.snapshot() == desk.snapshot()


def test_the_router_reports_the_end_of_a_hold_as_the_timeout_does() -> None:
    router = Router([TicketQueue("q")], strategies=(PreferredAgent(timedelta(minutes=2)),))
    router.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=T0, presence="available")
    router.submit(Ticket("A1", ANI, "chat", T0), at=T0)
    router.add_agent(AgentProfile("budi", capacity={"chat": 1}), at=T0, presence="available")
    assert router.submit(Ticket("A2", ANI, "chat", T0), at=T0, last_agent="sari") is None
    changes = router.set_presence("sari", "offline", at=m(1))
    assert [type(c) for c in changes] == [PinReleased, Assignment]
    released, taken = changes
    assert isinstance(released, PinReleased)
    assert isinstance(taken, Assignment)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    at_us = (m(1) - epoch) // timedelta(microseconds=1)
    assert (released.ticket_id, released.agent_id, released.at_us) == ("A2", "sari", at_us)
    assert (taken.ticket_id, taken.agent_id) == ("A2", "budi")
    assert router.release_pins("sari", at=m(1)) == []  # nothing left to release


# -- B: resumed and reopened work is held for the customer's last agent ------------------------


def sari_busy_after(park: str) -> Desk:
    desk = Desk(AFFINITY)
    desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=T0, presence="available")
    desk.submit(Ticket("A1", ANI, "chat", T0), at=T0)
    if park == "pending":
        desk.set_status("A1", "pending", at=m(1))
    else:
        desk.resolve("A1", "sari", at=m(1))
    desk.submit(Ticket("X1", Customer("x", GOLD), "chat", m(2)), at=m(2))  # sari takes X1
    desk.add_agent(AgentProfile("budi", capacity={"chat": 1}), at=m(3), presence="available")
    return desk


def resume(desk: Desk, park: str, at: datetime) -> list[Event]:
    if park == "pending":
        return desk.customer_message("A1", at=at)
    return desk.reopen("A1", at=at)


@pytest.mark.parametrize("park", ["pending", "solved"])
def test_resumed_work_is_held_for_the_last_agent_like_a_new_ticket(park: str) -> None:
    # What a new ticket of the same customer gets: held for sari.
    new = sari_busy_after(park)
    assert assigned(new.submit(Ticket("A9", ANI, "chat", m(4)), at=m(4))) == []
    # The resumed (or reopened) ticket gets the same.
    desk = sari_busy_after(park)
    events = resume(desk, park, m(4))
    assert assigned(events) == []
    assert isinstance(events[-1], TicketQueued)
    assert desk.queue()[0].signature.agent == "sari"
    assert desk.next_routing_step() == m(6)
    check_invariants(desk)
    # Sari frees up within the hold: it goes back to her.
    events = desk.resolve("X1", "sari", at=m(5))
    assert assigned(events) == [("A1", "sari")]


@pytest.mark.parametrize("park", ["pending", "solved"])
def test_resumed_work_goes_to_anyone_once_the_hold_times_out(park: str) -> None:
    desk = sari_busy_after(park)
    resume(desk, park, m(4))
    events = desk.advance(at=m(6))
    assert [
        (e.ticket_id, e.agent_id, e.waited) for e in events if isinstance(e, TicketAssigned)
    ] == [("A1", "budi", 120.0)]


# -- C: a waiting call-back stays one when it is handed over ------------------------------------


TEAMS: dict[str, Any] = {
    "queues": [{"name": "front"}, {"name": "technical"}],
    "routing_profiles": [
        {"name": "front", "queues": ["front"]},
        {"name": "technical", "queues": ["technical"]},
    ],
    "teams": {
        "front": {"queue": "front", "routing_profile": "front"},
        "technical": {"queue": "technical", "routing_profile": "technical"},
    },
}


def waiting_callback() -> Desk:
    desk = Desk(DeskConfig.from_dict(TEAMS))
    c = Customer("c", GOLD)
    phone: dict[Channel | str, int] = {"chat": 1, "phone": 1}
    desk.add_agent(
        AgentProfile("sari", capacity=phone, teams={"front"}), at=T0, presence="available"
    )
    desk.add_agent(
        AgentProfile("tono", capacity=phone, teams={"technical"}), at=T0, presence="busy"
    )
    desk.submit(Ticket("T1", c, "chat", T0), at=T0)
    desk.submit(Ticket("T2", c, "chat", T0), at=T0)
    desk.request_callback("T2", at=m(1))
    return desk


@pytest.mark.parametrize("hand_over", ["escalate", "transfer"])
def test_a_waiting_call_back_handed_to_a_team_is_still_a_call_back(hand_over: str) -> None:
    desk = waiting_callback()
    getattr(desk, hand_over)("T2", "technical", at=m(2))
    assert desk.ticket("T2").callback
    [entry] = desk.queue("technical")
    assert (entry.ticket_id, entry.signature.channel, entry.callback) == ("T2", "phone", True)
    check_invariants(desk)
    events = desk.set_presence("tono", "available", at=m(3))
    assert kinds(events) == ["AgentPresenceChanged", "TicketAssigned", "CallbackDue"]
    assert [e for e in events if isinstance(e, CallbackDue)] == [CallbackDue(m(3), "T2", "tono")]


def test_a_call_back_made_and_then_handed_over_is_not_one_any_more() -> None:
    desk = waiting_callback()
    desk.resolve("T1", "sari", at=m(2))  # sari is free for the call: she makes it
    assert desk.ticket("T2").agent_id == "sari"
    desk.transfer("T2", "technical", at=m(3))
    assert not desk.ticket("T2").callback
    assert desk.queue("technical")[0].signature.channel == "chat"


def test_a_call_back_put_back_in_line_is_flagged_in_its_queue_and_restores() -> None:
    """Its phone agent leaves before the call: it waits again as a call-back, its entry
    flagged as the record is (a restore checks that they agree)."""
    desk = Desk(DeskConfig())
    desk.submit(Ticket("t1", Customer("c", GOLD), "chat", T0), at=T0)
    desk.request_callback("t1", at=T0)
    desk.add_agent(AgentProfile("ph", capacity={"phone": 1}), at=T0, presence="available")
    desk.remove_agent("ph", at=m(1))
    [entry] = desk.queue()
    assert (entry.signature.channel, entry.callback) == ("phone", True)
    copy = restored(desk)
    assert copy.snapshot() == desk.snapshot()
    events = copy.add_agent(
        AgentProfile("ph2", capacity={"phone": 1}), at=m(2), presence="available"
    )
    assert kinds(events)[-2:] == ["TicketAssigned", "CallbackDue"]


# -- D: waited counts the time in line, not the time with a removed agent ----------------------


def test_waited_after_a_requeue_counts_from_the_requeue() -> None:
    desk = Desk(DeskConfig())
    desk.add_agent(AgentProfile("a", capacity={"chat": 1}), at=T0, presence="available")
    desk.submit(Ticket("T1", Customer("c", GOLD), "chat", T0), at=T0)
    desk.add_agent(AgentProfile("b", capacity={"chat": 1}), at=m(30), presence="available")
    events = desk.remove_agent("a", at=m(30))
    assert [e.waited for e in events if isinstance(e, TicketAssigned)] == [0.0]


def test_a_requeued_ticket_keeps_its_place_but_waits_from_the_requeue() -> None:
    desk = Desk(DeskConfig())
    desk.add_agent(AgentProfile("a", capacity={"chat": 1}), at=T0, presence="available")
    desk.submit(Ticket("T1", Customer("c", GOLD), "chat", T0), at=T0)
    desk.submit(Ticket("T2", Customer("d", GOLD), "chat", m(10)), at=m(10))
    desk.remove_agent("a", at=m(30))
    # Its place: ahead of T2, which came later.
    assert [(e.ticket_id, e.queued_at) for e in desk.queue()] == [("T1", T0), ("T2", m(10))]
    copy = restored(desk)
    for d in (desk, copy):
        events = d.add_agent(
            AgentProfile("b", capacity={"chat": 1}), at=m(35), presence="available"
        )
        assert [(e.ticket_id, e.waited) for e in events if isinstance(e, TicketAssigned)] == [
            ("T1", 300.0)
        ]
        abandoned = d.abandon("T2", at=m(40))
        assert [e.waited for e in abandoned if isinstance(e, TicketAbandoned)] == [1800.0]
    assert copy.snapshot() == desk.snapshot()


def test_a_record_without_a_requeue_snapshots_as_before() -> None:
    desk = Desk(DeskConfig())
    desk.submit(Ticket("T1", Customer("c", GOLD), "chat", T0), at=T0)
    [record] = desk.snapshot()["state"]["tickets"]
    assert "waiting_since_us" not in record


# -- E: a ticket handed to an agent of another team is with that team --------------------------


FRONT_FINANCE: dict[str, Any] = {
    "queues": [{"name": "front"}, {"name": "finance"}],
    "routing_profiles": [
        {"name": "front", "queues": ["front"]},
        {"name": "finance", "queues": ["finance"]},
    ],
    "teams": {
        "front": {"queue": "front", "routing_profile": "front"},
        "finance": {"queue": "finance", "routing_profile": "finance"},
    },
    "escalation": {
        "teams": ["front", "finance"],
        "entry": ["front"],
        "edges": {"front": ["finance"]},
    },
}


def front_and_finance() -> Desk:
    desk = Desk(DeskConfig.from_dict(FRONT_FINANCE))
    desk.add_agent(
        AgentProfile("sari", capacity={"chat": 1}, teams={"front"}), at=T0, presence="available"
    )
    desk.add_agent(
        AgentProfile("fina", capacity={"chat": 1}, teams={"finance"}), at=T0, presence="available"
    )
    desk.submit(Ticket("T1", Customer("c", GOLD), "chat", T0), at=T0)
    return desk


def test_an_escalation_to_the_team_that_already_holds_the_ticket_is_refused() -> None:
    desk = front_and_finance()
    desk.transfer("T1", "fina", at=m(1))
    view = desk.ticket("T1")
    assert (view.agent_id, view.team, view.transfers) == ("fina", "finance", 1)
    before = json.dumps(desk.snapshot())
    with pytest.raises(InvalidTransitionError, match=r"'finance' may not escalate to 'finance'"):
        desk.escalate("T1", "finance", at=m(2))
    assert json.dumps(desk.snapshot()) == before
    # If fina leaves, the ticket waits in finance's queue, not the front line's.
    desk.remove_agent("fina", at=m(3))
    assert [e.ticket_id for e in desk.queue("finance")] == ["T1"]
    check_invariants(desk)


def test_a_transfer_within_the_team_leaves_the_ticket_where_it_is() -> None:
    desk = front_and_finance()
    desk.add_agent(
        AgentProfile("budi", capacity={"chat": 1}, teams={"front", "finance"}),
        at=m(1),
        presence="available",
    )
    desk.transfer("T1", "budi", at=m(1))
    assert desk.ticket("T1").team == "front"  # budi is of the front line too
    desk.escalate("T1", "finance", at=m(2))
    assert desk.ticket("T1").team == "finance"


# -- F: a preferred agent who cannot take the ticket leaves it to the last agent ----------------


def preferred_dewi_offline(config: dict[str, Any]) -> Desk:
    desk = Desk(DeskConfig.from_dict(config))
    for a, p in (("budi", "available"), ("sari", "available"), ("dewi", "offline")):
        desk.add_agent(AgentProfile(a, capacity={"chat": 1}), at=T0, presence=p)
    return desk


DEWI = Customer("ani", GOLD, preferred_agent="dewi")


def test_the_last_agent_takes_it_when_the_preferred_agent_is_offline() -> None:
    desk = preferred_dewi_offline({"strategies": ["preferred_agent", "longest_idle"]})
    desk.submit(Ticket("A1", DEWI, "chat", T0), at=T0)
    desk.resolve("A1", "budi", at=m(1))
    events = desk.submit(Ticket("A2", DEWI, "chat", m(2)), at=m(2))
    assert assigned(events) == [("A2", "budi")]  # sari has been idle longer


def test_a_ticket_is_held_for_the_busy_last_agent_when_the_preferred_one_is_offline() -> None:
    desk = preferred_dewi_offline(
        {"strategies": ["preferred_agent", "longest_idle"], "affinity": {"timeout": "PT2M"}}
    )
    desk.submit(Ticket("A1", DEWI, "chat", T0), at=T0)  # budi takes it, and stays busy
    assert desk.ticket("A1").agent_id == "budi"
    events = desk.submit(Ticket("A2", DEWI, "chat", m(1)), at=m(1))
    assert assigned(events) == []
    assert desk.queue()[0].signature.agent == "budi"
    pinned_to_a_routable_agent(desk)


def test_preferred_agent_names_its_candidates_in_order() -> None:
    pin = PreferredAgent(recency=timedelta(hours=1))
    ctx = SelectionContext(Ticket("A", DEWI, "chat", T0), "q", 0, "budi", 0)
    assert pin.candidates(ctx) == ("dewi", "budi")
    assert pin.pick(ctx) == "dewi"
    stale = SelectionContext(Ticket("A", ANI, "chat", T0), "q", 2 * 3600 * 10**6, "budi", 0)
    assert pin.candidates(stale) == ()
    same = SelectionContext(Ticket("A", DEWI, "chat", T0), "q", 0, "dewi", 0)
    assert pin.candidates(same) == ("dewi",)


# -- G: idle_since stays as it was while the agent is not routable -----------------------------


def test_idle_since_does_not_move_while_the_agent_is_away() -> None:
    desk = Desk(DeskConfig())
    desk.add_agent(AgentProfile("a", capacity={"chat": 1}), at=T0, presence="available")
    desk.submit(Ticket("T1", Customer("c", GOLD), "chat", T0), at=T0)
    desk.set_presence("a", "away", at=m(1))
    desk.resolve("T1", "a", at=m(4))
    assert desk.agent("a").idle_since == T0
    desk.set_presence("a", "available", at=m(10))  # back with nothing held: idle from now
    assert desk.agent("a").idle_since == m(10)


# -- H: the queue-keys page says where seq comes from ------------------------------------------


def test_the_queue_keys_page_names_no_process_wide_counter() -> None:
    text = " ".join((DOCS / "explanation" / "queue-keys.md").read_text(encoding="utf-8").split())
    assert "process-wide" not in text
    assert "No counter is shared by the whole process" in text


# -- the laws behind A to G, over random programs ----------------------------------------------


class HoldsMachine(DeskMachine):
    """Random programs on a desk with teams, an escalation graph, call-backs and a hold for
    the customer's preferred or last agent: besides the desk's contract, no ticket waits for
    an agent who is not routable or gone, and a restored copy is the same desk."""

    config = DeskConfig.from_dict(
        {
            **FRONT_FINANCE,
            "strategies": ["preferred_agent", "longest_idle"],
            "affinity": {"timeout": "PT45S"},
        }
    )

    @invariant()
    def holds_wait_for_routable_agents(self) -> None:
        pinned_to_a_routable_agent(self.desk)

    @invariant()
    def a_restored_copy_ends_the_same_holds(self) -> None:
        # Only while a ticket is held (the holds' index is rebuilt on restore, built command
        # by command otherwise): the general snapshot law is tests/test_state_snapshot.py's.
        held_for = sorted({e.signature.agent or "" for e in self.desk.queue()} - {""})
        if not held_for:
            return
        copy = restored(self.desk)
        assert copy.snapshot() == self.desk.snapshot()
        again = Desk(self.config)
        for command in self.accepted:
            command.apply(again)
        at = self.desk.now
        assert at is not None
        for aid in held_for:
            assert copy.set_presence(aid, "offline", at=at) == again.set_presence(
                aid, "offline", at=at
            )
        pinned_to_a_routable_agent(copy)


HoldsMachine.TestCase.settings = settings(
    settings.default, max_examples=min(40, settings().max_examples), stateful_step_count=40
)
TestHoldsMachine = HoldsMachine.TestCase
