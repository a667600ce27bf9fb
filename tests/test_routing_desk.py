"""Worked routing scenarios for an Indonesian e-commerce desk (the seeds' desk).

The desk has three queues -- ``vip`` for platinum and gold customers, ``general`` and
``finance`` -- and two routing profiles: the front line serves ``vip`` before ``general``;
the finance team serves ``finance`` and helps with ``general`` only for tickets that have
waited two minutes (overflow).  Agents speak Indonesian ("id") and/or English ("en").
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from csflow.errors import InvalidTransitionError
from csflow.model import AgentProfile, Customer, Ticket, Tier
from csflow.queues import AgingKey, Signature, TicketQueue
from csflow.routing import (
    AgentPool,
    Assignment,
    CapacityRules,
    EscalationGraph,
    LongestIdle,
    Overflowed,
    PinReleased,
    PreferredAgent,
    QueueSlot,
    Relaxation,
    RelaxationStep,
    Relaxed,
    Router,
    RoutingProfile,
    TransferLedger,
    TransferPolicy,
)

WIB = timezone(timedelta(hours=7), "WIB")  # Jakarta
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=WIB)
S = timedelta(seconds=1)

PLATINUM = Tier("platinum", 3)
GOLD = Tier("gold", 2)
REGULAR = Tier("regular", 0)

AGING = AgingKey(
    {"platinum": timedelta(seconds=30), "gold": timedelta(minutes=2)},
    default=timedelta(minutes=10),
)

SARI = AgentProfile(
    "sari",
    {"orders": 4, "refunds": 2},
    ["id", "en"],
    {"chat": 3, "whatsapp": 3, "phone": 1},
    ["front"],
    "Sari",
)
BUDI = AgentProfile("budi", {"orders": 3}, ["id"], {"chat": 2, "whatsapp": 2}, ["front"], "Budi")
JOHN = AgentProfile("john", {"orders": 5}, ["en"], {"chat": 3}, ["front"], "John")
DEWI = AgentProfile(
    "dewi", {"refunds": 5, "payments": 4}, ["id", "en"], {"chat": 2, "email": 4}, ["finance"]
)

ESCALATION = {
    "teams": ["front", "technical", "engineering", "finance"],
    "entry": ["front"],
    "edges": {"front": ["technical", "finance"], "technical": ["engineering"]},
}


def desk(
    *,
    strategies: tuple[LongestIdle | PreferredAgent, ...] = (LongestIdle(),),
    relaxation: dict[str, Relaxation] | None = None,
) -> Router:
    return Router(
        [TicketQueue("vip", AGING), TicketQueue("general", AGING), TicketQueue("finance", AGING)],
        [
            RoutingProfile("front", [QueueSlot("vip", 1), QueueSlot("general", 2)]),
            RoutingProfile(
                "finance",
                [QueueSlot("finance", 1), QueueSlot("general", 2, timedelta(minutes=2))],
            ),
        ],
        pool=AgentPool(CapacityRules(exclusive={"phone"})),
        strategies=strategies,
        relaxation=relaxation,
    )


def staff(router: Router, *agents: tuple[AgentProfile, str, int]) -> None:
    """Log agents in: (profile, routing profile, seconds after T0 they became available)."""
    for profile, group, offset in agents:
        router.add_agent(profile, at=T0 + offset * S, presence="available", routing_profile=group)


def ticket(
    tid: str,
    tier: Tier = REGULAR,
    channel: str = "chat",
    *,
    language: str = "id",
    skills: dict[str, int] | None = None,
    category: str = "general",
    customer: str | None = None,
    preferred: str | None = None,
) -> Ticket:
    return Ticket(
        tid,
        Customer(customer or f"cust-{tid}", tier, language=language, preferred_agent=preferred),
        channel,
        T0,
        category=category,
        required_skills=skills or {},
    )


def assigned(result: Assignment | None) -> Assignment:
    assert result is not None, "expected an assignment"
    return result


# -- platinum chat ----------------------------------------------------------------------------


def test_platinum_chat_goes_to_the_longest_idle_agent_with_its_reason() -> None:
    router = desk()
    staff(router, (BUDI, "front", 0), (SARI, "front", 60), (JOHN, "front", 0))
    got = assigned(
        router.submit(ticket("p1", PLATINUM, skills={"orders": 3}), at=T0 + 90 * S, queue="vip")
    )
    # budi and sari speak Indonesian; budi has been idle longer
    assert got.agent_id == "budi"
    assert got.reason.how == "ticket"
    assert got.reason.candidates == 2
    assert got.reason.strategies == ("longest_idle",)
    assert got.reason.queue == "vip"
    assert "2 candidates" in str(got.reason)


def test_platinum_chat_overtakes_regular_tickets_that_waited_less_than_their_allowance() -> None:
    router = desk()
    staff(router, (BUDI, "front", 0))
    busy = [router.submit(ticket(f"b{i}"), at=T0, queue="general") for i in range(2)]
    assert all(b is not None for b in busy)  # budi's two chat slots are full
    router.submit(ticket("r1"), at=T0 + 10 * S, queue="vip")
    router.submit(ticket("p1", PLATINUM), at=T0 + 5 * 60 * S, queue="vip")
    # r1's virtual due is T0+10s+10min, p1's is T0+5min+30s: p1 goes first
    got = router.release("budi", "b0", at=T0 + 6 * 60 * S)
    assert [a.ticket_id for a in got] == ["p1"]
    assert got[0].reason.how == "agent"
    # a regular ticket that waited past a platinum allowance is not starved
    router.submit(ticket("p2", PLATINUM), at=T0 + 11 * 60 * S, queue="vip")
    got = router.release("budi", "b1", at=T0 + 12 * 60 * S)
    assert [a.ticket_id for a in got] == ["r1"]


# -- WhatsApp in Indonesian -------------------------------------------------------------------


def test_whatsapp_in_indonesian_only_reaches_indonesian_whatsapp_agents() -> None:
    router = desk()
    staff(router, (JOHN, "front", 0), (DEWI, "finance", 0), (SARI, "front", 5), (BUDI, "front", 9))
    sig = Signature("whatsapp", "id")
    assert router.pool.candidates(sig) == ["sari", "budi"]
    got = [
        assigned(router.submit(ticket(f"w{i}", channel="whatsapp"), at=T0 + 60 * S))
        for i in range(5)
    ]
    assert {a.agent_id for a in got} == {"sari", "budi"}
    # sari holds 3, budi 2: both full, the sixth waits
    assert router.submit(ticket("w5", channel="whatsapp"), at=T0 + 61 * S) is None
    assert router.pool.status("sari").counts == {"whatsapp": 3}
    assert router.pool.status("budi").counts == {"whatsapp": 2}
    # an English WhatsApp goes to sari only, and john can never take a WhatsApp
    router.release("sari", "w0", at=T0 + 62 * S)  # she takes w5
    assert router.pool.holder("w5") == "sari"
    assert router.submit(ticket("e1", channel="whatsapp", language="en"), at=T0 + 63 * S) is None
    assert router.pool.candidates(Signature("whatsapp", "en")) == []


# -- a refund escalated to finance -------------------------------------------------------------


def test_refund_escalated_from_front_line_to_finance() -> None:
    router = desk()
    staff(router, (SARI, "front", 0), (DEWI, "finance", 0))
    graph = EscalationGraph.from_dict(ESCALATION)
    ledger = TransferLedger(TransferPolicy(max_transfers=2), graph)
    refund = ticket("rf1", GOLD, category="refund", skills={"orders": 1})
    first = assigned(router.submit(refund, at=T0 + 10 * S, queue="vip"))
    assert first.agent_id == "sari"
    # sari cannot refund a large order: escalate to finance, which needs refunds >= 4
    hand = ledger.hand_over(
        "rf1", at=T0 + 5 * 60 * S, kind="escalation", from_team="front", to_team="finance"
    )
    assert (hand.count, hand.flagged, hand.to_team) == (1, False, "finance")
    router.release("sari", "rf1", at=T0 + 5 * 60 * S)
    escalated = ticket("rf1", GOLD, category="refund", skills={"refunds": 4})
    got = assigned(
        router.submit(escalated, at=T0 + 5 * 60 * S, queue="finance", rule="refund-escalation")
    )
    assert got.agent_id == "dewi"
    assert got.reason.rule == "refund-escalation"
    assert ledger.count("rf1") == 1
    # finance may not hand it to engineering, and front may not skip to engineering
    with pytest.raises(InvalidTransitionError, match=r"team 'finance' may not escalate to"):
        ledger.hand_over(
            "rf1", at=T0 + 6 * 60 * S, kind="escalation", from_team="finance", to_team="engineering"
        )
    assert graph.path("front", "engineering") == ["front", "technical", "engineering"]
    assert graph.path("finance", "front") is None
    assert ledger.count("rf1") == 1  # the refused escalation was not counted


# -- a repeat customer reaches the same agent -------------------------------------------------


def test_repeat_customer_reaches_their_last_agent_when_available() -> None:
    router = desk(strategies=(PreferredAgent(timeout=timedelta(minutes=2)), LongestIdle()))
    staff(router, (BUDI, "front", 0), (SARI, "front", 60))
    first = assigned(router.submit(ticket("o1", customer="ani"), at=T0 + 70 * S))
    assert first.agent_id == "budi"  # longest idle
    router.release("budi", "o1", at=T0 + 80 * S)
    # next day budi is idle for less time than sari, but ani's last agent was budi
    again = assigned(
        router.submit(
            ticket("o2", customer="ani"),
            at=T0 + 100 * S,
            last_agent="budi",
            last_contact_at=T0 + 80 * S,
        )
    )
    assert again.agent_id == "budi"
    assert again.reason.how == "preferred"
    # a preferred agent set on the customer wins as well
    pref = assigned(router.submit(ticket("o3", preferred="sari"), at=T0 + 101 * S))
    assert pref.agent_id == "sari"


def test_repeat_customer_waits_for_a_busy_last_agent_until_the_timeout() -> None:
    router = desk(strategies=(PreferredAgent(timeout=timedelta(minutes=2)), LongestIdle()))
    staff(router, (SARI, "front", 0), (BUDI, "front", 0))
    for i in range(3):  # fill sari's chat slots directly
        router.assign_to(ticket(f"s{i}"), "sari", at=T0)
    held = router.submit(ticket("o1", customer="ani"), at=T0 + 10 * S, last_agent="sari")
    assert held is None  # budi is free, but the ticket waits for sari for up to two minutes
    queue, entry = router.where("o1")
    assert entry.signature.agent == "sari"
    assert router.next_step_at() == T0 + 130 * S
    got = router.release("sari", "s0", at=T0 + 60 * S)
    assert [(a.ticket_id, a.agent_id) for a in got] == [("o1", "sari")]
    # a second time sari stays busy: at the timeout anyone may take it
    router.submit(ticket("o2", customer="ani"), at=T0 + 70 * S, last_agent="sari")
    changes = router.advance(T0 + 190 * S)
    assert isinstance(changes[0], PinReleased)
    assert changes[0].agent_id == "sari"
    assert isinstance(changes[-1], Assignment)
    assert (changes[-1].ticket_id, changes[-1].agent_id) == ("o2", "budi")
    assert queue == "vip"  # the first queue by default


# -- a reopened ticket ------------------------------------------------------------------------


def test_reopened_ticket_goes_back_to_its_last_agent_only_when_available() -> None:
    router = desk()
    staff(router, (BUDI, "front", 0), (SARI, "front", 30))
    back = assigned(router.reopen(ticket("r1"), "sari", at=T0 + 60 * S))
    assert back.agent_id == "sari"  # although budi has been idle longer
    assert back.reason.how == "reopen"
    # sari steps away: the next reopened ticket is routed like a new one
    router.set_presence("sari", "away", at=T0 + 70 * S)
    again = assigned(router.reopen(ticket("r2"), "sari", at=T0 + 80 * S))
    assert again.agent_id == "budi"
    assert again.reason.how == "ticket"
    # a last agent who left the desk, or who is full, is no different
    router.remove_agent("sari", at=T0 + 90 * S)
    third = assigned(router.reopen(ticket("r3"), "sari", at=T0 + 95 * S))
    assert third.agent_id == "budi"
    assert router.reopen(ticket("r4"), "budi", at=T0 + 96 * S) is None  # budi is full
    assert router.where("r4")[0] == "vip"  # the first queue, as for any new ticket


# -- relaxation, overflow and call-backs ------------------------------------------------------


def test_refund_requirements_relax_on_timers() -> None:
    plan = Relaxation(
        (
            RelaxationStep(timedelta(seconds=30), proficiency=3),
            RelaxationStep(timedelta(minutes=2), proficiency=1),
        ),
        name="refunds",
    )
    router = desk(relaxation={"vip": plan})
    staff(router, (SARI, "front", 0))
    assert router.submit(ticket("rf", GOLD, skills={"refunds": 5}), at=T0, queue="vip") is None
    assert router.next_step_at() == T0 + 30 * S
    first = router.advance(T0 + 30 * S)
    assert [type(c) for c in first] == [Relaxed]  # refunds >= 3: sari (2) still cannot
    second = router.advance(T0 + 120 * S)
    assert [type(c) for c in second] == [Relaxed, Assignment]
    got = second[-1]
    assert isinstance(got, Assignment)
    assert (got.agent_id, got.reason.step) == ("sari", 2)
    assert "after 2 relaxation steps" in str(got.reason)
    assert router.next_step_at() is None


def test_overflow_to_finance_after_two_minutes() -> None:
    router = desk()
    staff(router, (DEWI, "finance", 0))
    assert router.submit(ticket("g1"), at=T0, queue="general") is None
    assert router.next_step_at() == T0 + 120 * S
    assert router.advance(T0 + 119 * S) == []
    changes = router.advance(T0 + 120 * S)
    assert len(changes) == 1
    got = changes[0]
    assert isinstance(got, Assignment)
    assert (got.ticket_id, got.agent_id) == ("g1", "dewi")
    # a relaxation step can move a ticket to another queue, keeping its key
    plan = Relaxation((RelaxationStep(timedelta(minutes=1), overflow_to="finance"),))
    router2 = desk(relaxation={"vip": plan})
    staff(router2, (DEWI, "finance", 0))
    assert router2.submit(ticket("v1"), at=T0, queue="vip") is None
    key = router2.where("v1")[1].key
    moved = router2.advance(T0 + 60 * S)
    assert isinstance(moved[0], Overflowed)
    assert (moved[0].from_queue, moved[0].to_queue) == ("vip", "finance")
    assert isinstance(moved[1], Assignment)
    assert moved[1].entry is not None
    assert moved[1].entry.key == key


def test_callback_keeps_its_place_and_goes_to_an_agent_with_a_phone() -> None:
    router = desk()
    staff(router, (BUDI, "front", 0))
    for i in range(2):
        router.submit(ticket(f"b{i}"), at=T0, queue="general")
    for i in range(3):
        router.submit(ticket(f"w{i}"), at=T0 + (i + 1) * S, queue="general")
    before = [e.ticket_id for e in router.waiting("general")]
    assert before == ["w0", "w1", "w2"]
    assert router.request_callback("w0", at=T0 + 10 * S) is None  # budi has no phone
    assert [e.ticket_id for e in router.waiting("general")] == before
    assert router.where("w0")[1].callback
    assert router.where("w0")[1].signature == Signature("phone", "id")
    # sari logs in with a phone: the call-back is first in line, so she makes that call,
    # which blocks her chats; w1 and w2 keep waiting
    got = router.add_agent(SARI, at=T0 + 20 * S, presence="available", routing_profile="front")
    assert [(a.ticket_id, a.callback) for a in got] == [("w0", True)]
    assert router.pool.status("sari").counts == {"phone": 1}
    assert [e.ticket_id for e in router.waiting("general")] == ["w1", "w2"]
    # when she hangs up she takes the chats in order
    got = router.release("sari", "w0", at=T0 + 300 * S)
    assert [(a.ticket_id, a.callback) for a in got] == [("w1", False), ("w2", False)]
