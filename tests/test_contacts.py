"""Repeat customers: the desk's bounded memory of recent contacts, in rules and assignments."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import (
    AgentProfile,
    ConfigError,
    Customer,
    Desk,
    DeskConfig,
    Ticket,
    TicketAssigned,
    TicketQueued,
    Tier,
)
from csflow.desk.contacts import ContactMemory
from csflow.lowlevel import ContactPolicy
from csflow.testing import check_invariants

WIB = timezone(timedelta(hours=7))
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=WIB)
GOLD = Tier("gold", 3)
WEEK = timedelta(days=7)

CONFIG = DeskConfig.from_dict(
    {
        "tiers": [{"name": "gold", "rank": 3}],
        "queues": [{"name": "general"}],
        "contacts": {"window": "P7D", "max_contacts": 10, "max_customers": 1000},
        "triage": {
            "rules": [
                {
                    "name": "third-contact-this-week",
                    "when": {"field": "contacts.count", "ge": 3},
                    "then": {"priority": "high", "skills": {"senior": 1}, "tags": ["repeat"]},
                }
            ]
        },
    }
)


def _ticket(tid: str, customer: str, at: datetime) -> Ticket:
    return Ticket(tid, Customer(customer, GOLD), "whatsapp", at)


def test_a_third_whatsapp_in_a_week_is_raised_and_goes_to_a_senior() -> None:
    desk = Desk(CONFIG)
    desk.add_agent(AgentProfile("budi", capacity={"whatsapp": 5}), at=T0, presence="available")
    senior = AgentProfile("sari", skills={"senior": 3}, capacity={"whatsapp": 5})
    desk.add_agent(senior, at=T0, presence="offline")
    events = desk.submit(_ticket("w1", "ani", T0), at=T0)
    desk.resolve("w1", "budi", at=T0 + timedelta(minutes=10))
    events += desk.submit(_ticket("w2", "ani", T0 + timedelta(days=2)), at=T0 + timedelta(days=2))
    t3 = T0 + timedelta(days=5)
    assert desk.context(_ticket("w3", "ani", t3), t3)["contacts"] == {
        "count": 3,
        "open": 2,
        "last_s": 3 * 86400.0,
        "last_agent": "budi",
    }
    third = desk.submit(_ticket("w3", "ani", t3), at=t3)
    [queued] = third
    assert isinstance(queued, TicketQueued)
    assert queued.priority.name == "HIGH"
    assert "third-contact-this-week" in queued.reason
    assert desk.ticket("w3").tags == ("repeat",)
    assigned = desk.set_presence("sari", "available", at=t3 + timedelta(seconds=5))[-1]
    assert isinstance(assigned, TicketAssigned)
    assert assigned == TicketAssigned(
        t3 + timedelta(seconds=5), "w3", "sari", 5.0, 1, assigned.reason, 3,
        T0 + timedelta(days=2), "budi", 2,
    )  # fmt: skip
    # The first contacts were ordinary: budi took them at once.
    first = [e for e in events if isinstance(e, TicketAssigned)]
    assert [(e.ticket_id, e.contacts, e.last_agent) for e in first] == [
        ("w1", 1, None),
        ("w2", 2, "budi"),
    ]
    check_invariants(desk)


def test_a_contact_leaves_the_window_after_a_week() -> None:
    desk = Desk(CONFIG)
    desk.submit(_ticket("a", "ani", T0), at=T0)
    desk.submit(_ticket("b", "ani", T0 + timedelta(days=1)), at=T0 + timedelta(days=1))
    later = T0 + WEEK
    summary = desk.contacts("ani", later)
    assert summary is not None
    assert summary.count == 1
    assert summary.open_tickets == 2


def test_contacts_off() -> None:
    desk = Desk(DeskConfig(contacts=None))
    desk.add_agent(AgentProfile("budi", capacity={"whatsapp": 5}), at=T0, presence="available")
    [_, e] = desk.submit(_ticket("a", "ani", T0), at=T0)
    assert isinstance(e, TicketAssigned)
    assert (e.contacts, e.open_tickets) == (0, 0)
    assert desk.contacts("ani") is None
    assert "contacts" not in desk.context(_ticket("b", "ani", T0), T0)
    assert DeskConfig.from_dict({"contacts": None}).contacts is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"window": 0}, r"contacts.window: "),
        ({"max_contacts": 0}, r"contacts.max_contacts: max_contacts must be a positive int, got 0"),
        (
            {"max_customers": "many"},
            r"contacts.max_customers: max_customers must be a positive int, got 'many'",
        ),
        ({"size": 3}, r"contacts: unknown key"),
    ],
)
def test_bad_contact_policies_name_the_path(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        DeskConfig.from_dict({"contacts": data})


# -- the memory against a naive recount -----------------------------------------------------

contacts = st.lists(
    st.tuples(st.integers(0, 3 * 86400), st.sampled_from(["c0", "c1", "c2", "c3", "c4"])),
    max_size=60,
)


@settings(max_examples=100)
@given(
    arrivals=contacts,
    window_h=st.integers(1, 72),
    max_contacts=st.integers(1, 6),
    max_customers=st.integers(1, 6),
)
def test_memory_stays_bounded_and_agrees_with_a_naive_recount(
    arrivals: list[tuple[int, str]], window_h: int, max_contacts: int, max_customers: int
) -> None:
    policy = ContactPolicy(timedelta(hours=window_h), max_contacts, max_customers)
    memory = ContactMemory(policy)
    window_us = window_h * 3600 * 10**6
    seen: list[tuple[int, str, str]] = []
    for i, (dt, customer) in enumerate(sorted(arrivals)):
        at = dt * 10**6
        tid = f"t{i}"
        preview = memory.preview(customer, at, None)
        memory.contact(customer, tid, at)
        seen.append((at, customer, tid))
        assert memory.customers() <= max_customers
        naive = [s for s, c, _ in seen if c == customer and at - s < window_us]
        previous = [s for s, c, t in seen[:-1] if c == customer and at - s < window_us]
        kept = memory.remembered(customer)
        assert 1 <= len(kept) <= max_contacts
        # What it keeps is always the newest of the naive recount ...
        assert list(kept) == naive[-len(kept) :]
        assert preview.count <= min(len(naive), max_contacts)
        if max_customers >= 5:
            # ... and, when no customer had to be evicted, all of it the bound allows.
            assert len(kept) == min(len(naive), max_contacts)
            assert preview.count == min(len(naive), max_contacts)
            got = preview.last_contact_at
            want = previous[-1] if previous else None
            assert (None if got is None else int(got.timestamp() * 10**6)) == want
            summary = memory.summary(customer, tid, at, None)
            assert summary.count == len(kept)


@settings(max_examples=30)
@given(arrivals=contacts)
def test_the_desk_recount_from_the_event_stream(arrivals: list[tuple[int, str]]) -> None:
    # The TicketAssigned a desk emits counts what a naive recount of its submissions does.
    desk = Desk(DeskConfig(contacts=ContactPolicy(timedelta(days=1), 100, 100)))
    desk.add_agent(AgentProfile("budi", capacity={"whatsapp": 100}), at=T0, presence="available")
    submitted: list[tuple[datetime, str]] = []
    events = []
    for i, (dt, customer) in enumerate(sorted(arrivals)):
        at = T0 + timedelta(seconds=dt)
        events += desk.submit(_ticket(f"t{i}", customer, at), at=at)
        submitted.append((at, customer))
    assigned = [e for e in events if isinstance(e, TicketAssigned)]
    assert len(assigned) == len(submitted)
    for i, (e, (at, customer)) in enumerate(zip(assigned, submitted, strict=True)):
        upto = submitted[: i + 1]
        mine = [s for s, c in upto if c == customer and at - s < timedelta(days=1)]
        assert e.contacts == len(mine)
        assert e.open_tickets == len([s for s, c in upto if c == customer])
        assert e.last_contact_at == (mine[-2] if len(mine) > 1 else None)


def test_contact_memory_survives_snapshot_and_restore() -> None:
    desk = Desk(CONFIG)
    desk.submit(_ticket("a", "ani", T0), at=T0)
    desk.submit(_ticket("b", "ani", T0 + timedelta(days=1)), at=T0 + timedelta(days=1))
    restored = Desk.restore(CONFIG, json.loads(json.dumps(desk.snapshot())))
    assert restored.contacts("ani") == desk.contacts("ani")


def test_the_previous_contact_of_an_assigned_ticket_came_before_it() -> None:
    # T1 at 09:00 and T2 at 09:05 both wait; when T1 is assigned at 09:10, its customer's
    # previous contact is none (09:05 is T2, which came after it); T2's is T1's, 09:00.
    desk = Desk(DeskConfig())
    desk.add_agent(AgentProfile("sari", capacity={"whatsapp": 1}), at=T0, presence="offline")
    desk.submit(_ticket("T1", "ani", T0), at=T0)
    desk.submit(_ticket("T2", "ani", T0 + timedelta(minutes=5)), at=T0 + timedelta(minutes=5))
    events = desk.set_presence("sari", "available", at=T0 + timedelta(minutes=10))
    [first] = [e for e in events if isinstance(e, TicketAssigned)]
    assert (first.ticket_id, first.contacts, first.last_contact_at) == ("T1", 2, None)
    events = desk.resolve("T1", "sari", at=T0 + timedelta(minutes=12))
    [second] = [e for e in events if isinstance(e, TicketAssigned)]
    assert second.ticket_id == "T2"
    assert second.last_contact_at == T0
