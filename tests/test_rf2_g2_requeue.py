"""Review of ``Desk.requeue`` and the contacts summary (commit 912fb1c): regressions found.

* A ticket id freed by ``Desk.forget`` and used again by the same customer: the new ticket's
  own contact is the newest under that id, so its previous contact is the old ticket's (the
  one just before it), as the triage preview said when it arrived -- not "none".
* ``requeue`` keeps what the brief promises under random programs: every ticket in one place,
  refusals change nothing, and a restored desk fed the same commands gives the same events.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, TicketAssigned, Tier
from csflow.desk.contacts import ContactMemory, ContactPolicy
from csflow.errors import CsflowError
from csflow.testing import check_invariants

WIB = ZoneInfo("Asia/Jakarta")
T0 = datetime(2026, 3, 16, 9, 0, tzinfo=WIB)
ANI = Customer("ani", Tier("gold", 3))


def m(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def test_a_reused_ticket_id_is_told_the_old_ticket_as_its_previous_contact() -> None:
    desk = Desk(DeskConfig.from_dict({"contacts": {"window": "PT2H"}}))
    desk.submit(Ticket("X", ANI, "chat", m(0)), at=m(0))
    desk.abandon("X", at=m(1))
    desk.forget("X", at=m(2))
    seen = desk.context(Ticket("X", ANI, "chat", m(10)), at=m(10))["contacts"]
    desk.submit(Ticket("X", ANI, "chat", m(10)), at=m(10))
    events = desk.add_agent(
        AgentProfile("budi", capacity={"chat": 1}), at=m(10), presence="available"
    )
    (assigned,) = [e for e in events if isinstance(e, TicketAssigned)]
    assert (assigned.contacts, assigned.last_contact_at) == (2, m(0))
    assert (seen["count"], seen["last_s"]) == (2, 600.0)


# Contacts of one customer: (minutes after the previous one, ticket id) -- ids drawn from a
# small set, so that ids come back (a host that forgot the old ticket reuses its id).
contact_steps = st.lists(
    st.tuples(st.integers(0, 50), st.sampled_from(["a", "b", "c"])), min_size=1, max_size=12
)


@settings(max_examples=200)
@given(contact_steps, st.integers(1, 4))
def test_the_summary_at_arrival_is_what_the_preview_said(
    steps: list[tuple[int, str]], most: int
) -> None:
    """What the triage rules see as a contact arrives and what its assignment says at that
    instant agree, whatever ids came before (ContactMemory.summary's promise)."""
    memory = ContactMemory(ContactPolicy(timedelta(hours=1), max_contacts=most))
    t = 0
    for gap, tid in steps:
        t += gap * 60_000_000
        told = memory.preview("ani", t, None)
        memory.contact("ani", tid, t)
        got = memory.summary("ani", tid, t, None)
        assert (got.count, got.last_contact_at) == (told.count, told.last_contact_at)


# -- requeue under random programs -------------------------------------------------------------

CONFIG = DeskConfig.from_dict(
    {
        "queues": [
            {
                "name": "front",
                "relaxation": [{"after": "PT3M", "overflow_to": "back"}],
            },
            {"name": "back"},
        ],
        "routing_profiles": [
            {"name": "front", "queues": ["front"]},
            {"name": "back", "queues": ["back", {"queue": "front", "priority": 2}]},
        ],
        "teams": {
            "front": {"queue": "front", "routing_profile": "front"},
            "back": {"queue": "back", "routing_profile": "back"},
        },
        "strategies": ["preferred_agent", "longest_idle"],
        "affinity": {"timeout": "PT5M"},
        "transfers": {"max_transfers": 1, "on_limit": "refuse"},
        "capacity": {"weights": {"phone": 2, "chat": 1}, "exclusive": ["phone"], "budget": 2},
        "contacts": {"window": "PT1H", "max_contacts": 2},
    }
)
AGENTS = ["budi", "sari", "tono"]
TEAM_OF = {"budi": {"front"}, "sari": {"front"}, "tono": {"back"}}

step = st.tuples(
    st.sampled_from(
        [
            "submit",
            "requeue",
            "requeue",
            "requeue",
            "callback",
            "presence",
            "resolve",
            "reopen",
            "transfer",
            "park",
            "message",
            "remove",
            "advance",
        ]
    ),
    st.integers(0, 99),
    st.sampled_from([0, 0, 30, 120, 400]),
)


def _run(desk: Desk, kind: str, pick: int, at: datetime, n: int) -> list[Any]:
    tickets = list(desk.tickets())
    tid = tickets[pick % len(tickets)] if tickets else "none"
    agent = desk.ticket(tid).agent_id if tickets else None
    who = agent if agent is not None and pick % 5 else AGENTS[pick % 3]
    if kind == "submit" or not tickets:
        customer = Customer(f"c{pick % 3}", Tier("regular", 1))
        channel = ("chat", "phone", "email")[pick % 3]
        return desk.submit(Ticket(f"t{n}", customer, channel, at), at=at)
    if kind == "requeue":
        held = [t for t in tickets if desk.ticket(t).state == "assigned"]
        if held and pick % 7:
            tid = held[pick % len(held)]
            who = desk.ticket(tid).agent_id or who
        return desk.requeue(tid, who, at=at)
    if kind == "callback":
        return desk.request_callback(tid, at=at)
    if kind == "presence":
        name = AGENTS[pick % 3]
        if name not in desk.agents():
            profile = AgentProfile(
                name, capacity={"chat": 2, "phone": 1, "email": 1}, teams=TEAM_OF[name]
            )
            return desk.add_agent(profile, at=at, presence="available")
        return desk.set_presence(name, ("available", "away")[pick % 2], at=at)
    if kind == "resolve":
        return desk.resolve(tid, who, at=at)
    if kind == "reopen":
        return desk.reopen(tid, at=at)
    if kind == "transfer":
        return desk.transfer(tid, ("front", "back", "tono")[pick % 3], at=at)
    if kind == "park":
        return desk.set_status(tid, "pending", at=at)
    if kind == "message":
        return desk.customer_message(tid, at=at)
    if kind == "remove":
        return desk.remove_agent(AGENTS[pick % 3], at=at)
    return desk.advance(at=at)


@settings(max_examples=60, deadline=None)
@given(st.lists(step, min_size=5, max_size=40), st.integers(0, 40))
def test_requeue_in_random_programs_keeps_the_desk_contract(
    steps: list[tuple[str, int, int]], cut: int
) -> None:
    desk = Desk(CONFIG)
    at = T0
    for name in AGENTS[:2]:
        profile = AgentProfile(name, capacity={"chat": 2, "phone": 1}, teams=TEAM_OF[name])
        desk.add_agent(profile, at=at, presence="available")
    shadow: Desk | None = None
    for n, (kind, pick, gap) in enumerate(steps):
        at += timedelta(seconds=gap)
        if n == cut:
            shadow = Desk.restore(CONFIG, json.loads(json.dumps(desk.snapshot())))
        before = json.dumps(desk.snapshot())
        try:
            events: list[Any] | None = _run(desk, kind, pick, at, n)
        except CsflowError:
            events = None
            assert json.dumps(desk.snapshot()) == before  # a refusal changes nothing
        check_invariants(desk)
        if shadow is not None:
            try:
                again: list[Any] | None = _run(shadow, kind, pick, at, n)
            except CsflowError:
                again = None
            assert again == events
    if shadow is not None:
        assert json.dumps(shadow.snapshot()) == json.dumps(desk.snapshot())
