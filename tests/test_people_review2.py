"""Acceptance review, round 3 (people around the tickets): who a ticket goes to after a
hand-over, holds that follow the preferred-agent order, call-backs on a desk without phones,
and a closed ticket's hand-over count.

Each test is a worked example or a law; every one failed before its fix.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from csflow import (
    AgentProfile,
    CallbackRequested,
    Customer,
    Desk,
    DeskConfig,
    Ticket,
    TicketAssigned,
    Tier,
    UndeclaredNameError,
)
from csflow.errors import InvariantError
from csflow.policies import Escalation, PolicyContext, PolicyResult
from csflow.testing import check_invariants
from csflow.testing.invariants import can_take

GOLD = Tier("gold", 3)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def affinity(timeout: str = "PT10M", **more: Any) -> DeskConfig:
    return DeskConfig.from_dict(
        {"strategies": ["preferred_agent", "longest_idle"], "affinity": {"timeout": timeout}} | more
    )


def team_desk(max_transfers: int | None = 3) -> Desk:
    """Team ``front`` (sari, then budi, chat 1 each) under affinity, with a 5-minute hold."""
    desk = Desk(
        affinity(
            "PT5M",
            queues=[{"name": "front"}, {"name": "technical"}],
            routing_profiles=[{"name": "all", "queues": ["front", "technical"]}],
            teams={
                "front": {"queue": "front", "routing_profile": "all"},
                "technical": {"queue": "technical", "routing_profile": "all"},
            },
            transfers={"max_transfers": max_transfers},
        )
    )
    for name in ("sari", "budi"):
        profile = AgentProfile(name, capacity={"chat": 1}, teams={"front"})
        desk.add_agent(profile, at=at(0), presence="available")
    return desk


# -- 1. a hand-over never bounces back to the agent handing off --------------------------------


@pytest.mark.parametrize("preferred", [None, "sari"])
def test_a_transfer_to_the_own_team_goes_to_a_colleague_not_back(preferred: str | None) -> None:
    # sari is ani's last agent (and, in the second case, her preferred one too): the
    # transfer moves the ticket away from her, so affinity must not hand it straight back.
    desk = team_desk(max_transfers=1)
    ani = Customer("ani", GOLD, preferred_agent=preferred)
    desk.submit(Ticket("T1", ani, "chat", at(0)), at=at(0))
    assert desk.ticket("T1").agent_id == "sari"
    events = desk.transfer("T1", "front", at=at(1))
    assigned = [e for e in events if isinstance(e, TicketAssigned)]
    assert [(e.ticket_id, e.agent_id) for e in assigned] == [("T1", "budi")]
    assert (desk.ticket("T1").agent_id, desk.ticket("T1").transfers) == ("budi", 1)
    check_invariants(desk)


def test_a_transfer_away_from_a_busy_agent_is_not_held_for_her() -> None:
    desk = team_desk()
    ani = Customer("ani", GOLD)
    desk.submit(Ticket("T1", ani, "chat", at(0)), at=at(0))  # sari
    desk.submit(Ticket("X", Customer("eko", GOLD), "chat", at(0)), at=at(0))  # budi
    desk.submit(Ticket("W", Customer("rini", GOLD), "chat", at(0)), at=at(0))  # waits
    events = desk.transfer("T1", "front", at=at(1))
    # sari's freed slot goes to the ticket that waited, W; T1 waits open to the team,
    # not for sari (she asked for help), and no hold timer runs for her.
    assert [(e.ticket_id, e.agent_id) for e in events if isinstance(e, TicketAssigned)] == [
        ("W", "sari")
    ]
    (entry,) = desk.queue("front")
    assert (entry.ticket_id, entry.signature.agent) == ("T1", None)
    assert desk.next_routing_step() is None
    events = desk.resolve("X", "budi", at=at(2))
    assert [(e.ticket_id, e.agent_id) for e in events if isinstance(e, TicketAssigned)] == [
        ("T1", "budi")
    ]
    check_invariants(desk)


def test_an_escalation_does_not_bounce_back_to_the_escalating_agent() -> None:
    # sari serves the technical queue too; her escalation must still reach a colleague.
    desk = team_desk()
    desk.submit(Ticket("T1", Customer("ani", GOLD), "chat", at(0)), at=at(0))
    events = desk.escalate("T1", "technical", at=at(1))
    assert [(e.ticket_id, e.agent_id) for e in events if isinstance(e, TicketAssigned)] == [
        ("T1", "budi")
    ]
    check_invariants(desk)


def test_the_hand_off_survives_snapshots_and_a_queue_move_by_the_escalation_policy() -> None:
    def to_vip(ctx: PolicyContext, /) -> PolicyResult[Escalation]:
        move = Escalation(queue="vip") if ctx.event == "breach" else Escalation()
        return PolicyResult(move, "breaches go to the vip queue")

    doc: dict[str, Any] = {
        "strategies": ["preferred_agent", "longest_idle"],
        "affinity": {"timeout": "PT30M"},
        "queues": [{"name": "front"}, {"name": "vip"}],
        "routing_profiles": [{"name": "all", "queues": ["front", "vip"]}],
        "teams": {"front": {"queue": "front", "routing_profile": "all"}},
        "calendars": {"24x7": {"timezone": "UTC", "always_open": True}},
        "sla_policies": [
            {"name": "std", "calendar": "24x7", "targets": {"first_response": "PT10M"}}
        ],
        "default_sla_policy": "std",
    }
    config = attrs.evolve(DeskConfig.from_dict(doc), escalation_policy=to_vip)
    desk = Desk(config)
    for name in ("sari", "budi"):
        profile = AgentProfile(name, capacity={"chat": 1}, teams={"front"})
        desk.add_agent(profile, at=at(0), presence="available")
    desk.submit(Ticket("T1", Customer("ani", GOLD), "chat", at(0)), at=at(0))  # sari
    desk.submit(Ticket("X", Customer("eko", GOLD), "chat", at(0)), at=at(0))  # budi
    desk.submit(Ticket("W", Customer("rini", GOLD), "chat", at(0)), at=at(0))
    desk.transfer("T1", "front", at=at(1))  # sari takes W; T1 waits, handed off by sari
    snap = desk.snapshot()
    (state,) = [w for w in snap["state"]["router"]["waiting"] if w[0] == "T1"]
    assert state[10:] == [[], "sari"]
    desk = Desk.restore(config, json.loads(json.dumps(snap)))
    desk.advance(at=at(10))  # T1's first response breaches: the policy moves it to vip
    (entry,) = desk.queue("vip")
    # Routed again in vip, it is still not held for sari, its last agent.
    assert (entry.ticket_id, entry.signature.agent) == ("T1", None)
    check_invariants(desk)


# -- 2. a hold follows the preferred-agent order while it lasts ----------------------------------


def held_for_last_agent(timeout: str = "PT10M") -> Desk:
    """mega prefers budi, who is offline: M1 went to sari, and M2 is held for her (busy)."""
    desk = Desk(affinity(timeout))
    desk.add_agent(AgentProfile("budi", capacity={"chat": 1}), at=at(0), presence="offline")
    desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=at(0), presence="available")
    mega = Customer("mega", GOLD, preferred_agent="budi")
    desk.submit(Ticket("M1", mega, "chat", at(0)), at=at(0))
    desk.submit(Ticket("M2", mega, "chat", at(1)), at=at(1))
    (entry,) = desk.queue()
    assert entry.signature.agent == "sari"
    return desk


def test_the_preferred_agent_back_and_free_takes_the_ticket_held_for_the_last_agent() -> None:
    desk = held_for_last_agent()
    events = desk.set_presence("budi", "available", at=at(2))
    assert [type(e).__name__ for e in events] == ["AgentPresenceChanged", "TicketAssigned"]
    assert (desk.ticket("M2").state, desk.ticket("M2").agent_id) == ("assigned", "budi")
    assert desk.next_wakeup() is None
    check_invariants(desk)


def test_the_preferred_agent_joining_the_desk_takes_the_held_ticket() -> None:
    desk = Desk(affinity())
    desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=at(0), presence="available")
    mega = Customer("mega", GOLD, preferred_agent="budi")  # budi is not at the desk yet
    desk.submit(Ticket("M1", mega, "chat", at(0)), at=at(0))
    desk.submit(Ticket("M2", mega, "chat", at(1)), at=at(1))  # held for sari
    events = desk.add_agent(
        AgentProfile("budi", capacity={"chat": 1}), at=at(3), presence="available"
    )
    assert [(e.ticket_id, e.agent_id) for e in events if isinstance(e, TicketAssigned)] == [
        ("M2", "budi")
    ]
    check_invariants(desk)


def test_a_busy_preferred_agent_back_is_held_for_and_takes_the_ticket_when_free() -> None:
    desk = Desk(affinity())
    budi = AgentProfile("budi", capacity={"chat": 1})
    desk.add_agent(budi, at=at(0), presence="available")
    desk.submit(Ticket("B1", Customer("eko", GOLD), "chat", at(0)), at=at(0))  # budi
    desk.set_presence("budi", "offline", at=at(0))  # keeps B1
    desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=at(0), presence="available")
    mega = Customer("mega", GOLD, preferred_agent="budi")
    desk.submit(Ticket("M1", mega, "chat", at(0)), at=at(0))  # sari
    desk.submit(Ticket("M2", mega, "chat", at(1)), at=at(1))  # held for sari
    assert desk.next_routing_step() == at(11)
    desk.set_presence("budi", "available", at=at(2))  # back, still holding B1
    (entry,) = desk.queue()
    # Held for budi now, to the same deadline: a moved hold does not wait longer.
    assert (entry.ticket_id, entry.signature.agent) == ("M2", "budi")
    assert desk.next_routing_step() == at(11)
    check_invariants(desk)
    # sari frees up first: M2 is not hers any more.
    events = desk.resolve("M1", "sari", at=at(3))
    assert not [e for e in events if isinstance(e, TicketAssigned)]
    events = desk.resolve("B1", "budi", at=at(4))
    assert [(e.ticket_id, e.agent_id) for e in events if isinstance(e, TicketAssigned)] == [
        ("M2", "budi")
    ]
    check_invariants(desk)


def test_snapshots_keep_whom_a_hold_passed_over_and_older_snapshots_learn_it() -> None:
    desk = held_for_last_agent()
    snap = desk.snapshot()
    (state,) = snap["state"]["router"]["waiting"]
    assert (state[5], state[10:]) == ("sari", [["budi"], None])
    # Written by this csflow: the restored desk goes on as the original does.
    restored = Desk.restore(desk.config, json.loads(json.dumps(snap)))
    assert restored.snapshot() == snap
    expected = desk.set_presence("budi", "available", at=at(2))
    assert restored.set_presence("budi", "available", at=at(2)) == expected
    # Written before holds said whom they passed over (10 fields): the restored hold still
    # follows the strategy's order, and the next snapshot is in the new form.
    old = json.loads(json.dumps(snap))
    old["state"]["router"]["waiting"] = [w[:10] for w in old["state"]["router"]["waiting"]]
    legacy = Desk.restore(desk.config, old)
    assert legacy.snapshot() == snap
    assert legacy.set_presence("budi", "available", at=at(2)) == expected


def test_check_invariants_flags_a_ticket_kept_from_its_free_preferred_agent() -> None:
    desk = held_for_last_agent()
    snap = desk.snapshot()
    # Tampered: the hold "forgot" that it passed budi over, as holds did before the fix.
    snap["state"]["router"]["waiting"][0][10] = []
    stuck = Desk.restore(desk.config, snap)
    stuck.set_presence("budi", "available", at=at(2))
    assert stuck.ticket("M2").state == "queued"
    with pytest.raises(
        InvariantError,
        match=r"^work not conserved: agent 'budi', the customer's preferred agent, could take "
        r"waiting ticket 'M2', held for 'sari'",
    ):
        check_invariants(stuck)


AGENTS = ("a0", "a1", "a2")
_OP = st.one_of(
    st.tuples(st.just("submit"), st.integers(0, 2)),
    st.tuples(st.just("resolve"), st.integers(0, 5)),
    st.tuples(st.just("presence"), st.integers(0, 2), st.sampled_from(["available", "offline"])),
    st.tuples(st.just("wait"), st.integers(1, 12)),
)


@given(
    preferred=st.tuples(*[st.sampled_from([None, *AGENTS])] * 3),
    presence=st.tuples(*[st.sampled_from(["available", "offline"])] * 3),
    ops=st.lists(_OP, max_size=25),
)
@example(
    preferred=("a0", None, None),
    presence=("offline", "available", "offline"),
    ops=[("submit", 0), ("submit", 0), ("presence", 0, "available")],
)
def test_law_no_ticket_waits_on_another_agent_while_its_preferred_agent_can_be_waited_for(
    preferred: tuple[str | None, ...], presence: tuple[str, ...], ops: list[tuple[Any, ...]]
) -> None:
    """Without hand-overs, under ``["preferred_agent", "longest_idle"]``: no ticket waits while
    its customer's preferred agent is routable with room, and a ticket held for another agent
    never has a routable preferred agent (the hold is for it, in the strategy's order)."""
    desk = Desk(affinity())
    for aid, state in zip(AGENTS, presence, strict=True):
        desk.add_agent(AgentProfile(aid, capacity={"chat": 1}), at=at(0), presence=state)
    customers = [Customer(f"c{i}", GOLD, preferred_agent=p) for i, p in enumerate(preferred)]
    now = 0
    for n, op in enumerate(ops):
        now += op[1] if op[0] == "wait" else 1
        desk.advance(at=at(now))  # a host that advances before each command
        if op[0] == "submit":
            desk.submit(Ticket(f"T{n}", customers[op[1]], "chat", at(now)), at=at(now))
        elif op[0] == "resolve":
            held = sorted((tid, aid) for aid in AGENTS for tid in desk.agent(aid).held)
            if held:
                tid, aid = held[op[1] % len(held)]
                desk.resolve(tid, aid, at=at(now))
        elif op[0] == "presence":
            desk.set_presence(AGENTS[op[1]], op[2], at=at(now))
        check_invariants(desk)
        for e in desk.queue():
            pref = desk.ticket(e.ticket_id).ticket.customer.preferred_agent
            if pref is None or not desk.agent(pref).routable:
                continue
            assert not can_take(desk, pref, "chat"), f"{e.ticket_id} waits; {pref} is free"
            assert e.signature.agent in (None, pref), f"{e.ticket_id} held past {pref}"
    assert Desk.restore(desk.config, desk.snapshot()).snapshot() == desk.snapshot()


# -- 3. a call-back needs a phone channel the desk declares -------------------------------------


def test_request_callback_is_refused_on_a_desk_without_the_phone_channel() -> None:
    desk = Desk(DeskConfig.from_dict({"channels": ["chat", "email"]}))
    desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=at(0), presence="available")
    ani = Customer("ani", GOLD)
    desk.submit(Ticket("T1", ani, "chat", at(0)), at=at(0))
    desk.submit(Ticket("T2", ani, "chat", at(0)), at=at(0))
    before = desk.snapshot()
    with pytest.raises(
        UndeclaredNameError,
        match=r"^request_callback: undeclared channel 'phone' \(a call-back is a phone call\); "
        r"declared: \['chat', 'email'\] \(DeskConfig\.channels; or 'open' to accept any\)$",
    ):
        desk.request_callback("T2", at=at(1))
    assert desk.snapshot() == before
    assert not desk.ticket("T2").callback
    # It still waits on chat, and sari takes it when she frees up.
    events = desk.resolve("T1", "sari", at=at(2))
    assert [(e.ticket_id, e.agent_id) for e in events if isinstance(e, TicketAssigned)] == [
        ("T2", "sari")
    ]
    # Desks that declare the phone (the default, or any channel) still take call-backs.
    for config in (DeskConfig(), DeskConfig.from_dict({"channels": "open"})):
        other = Desk(config)
        other.submit(Ticket("T3", ani, "chat", at(0)), at=at(0))
        assert other.request_callback("T3", at=at(1)) == [CallbackRequested(at(1), "T3")]
        assert other.ticket("T3").callback


# -- 4. a closed ticket still says how many hand-overs it had -----------------------------------


def test_a_closed_ticket_keeps_its_hand_over_count_until_forgotten() -> None:
    desk = Desk(DeskConfig())
    for name in ("sari", "budi"):
        desk.add_agent(AgentProfile(name, capacity={"chat": 1}), at=at(0), presence="available")
    ani = Customer("ani", GOLD)
    desk.submit(Ticket("T1", ani, "chat", at(0)), at=at(0))
    desk.transfer("T1", "budi", at=at(1))
    desk.resolve("T1", "budi", at=at(2))
    desk.close("T1", at=at(3))
    assert desk.ticket("T1").transfers == 1
    snap = desk.snapshot()
    assert snap["state"]["transfers"] == {"T1": 1}
    restored = Desk.restore(desk.config, json.loads(json.dumps(snap)))
    assert restored.ticket("T1").transfers == 1
    assert restored.snapshot() == snap
    # Forgotten, the id is free again: a new ticket under it starts with no hand-overs.
    desk.forget("T1", at=at(4))
    desk.submit(Ticket("T1", ani, "chat", at(5)), at=at(5))
    assert desk.ticket("T1").transfers == 0
    # A snapshot written before closed tickets kept their count still restores (with none).
    old = json.loads(json.dumps(snap))
    old["state"]["transfers"] = {}
    assert Desk.restore(DeskConfig(), old).ticket("T1").transfers == 0
