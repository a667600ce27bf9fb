"""What a ticket is told about its customer's contacts is fixed by its own contact.

* A ticket that waited longer than the contacts window is not told, as its previous contact,
  one that came after it; it counts itself (``TicketAssigned.contacts``: "this ticket
  included").
* ``max_contacts`` bounds the memory, not which contact is a ticket's previous one: triage
  (``contacts.last_s``, read before the contact is added) and the assignment at the same
  instant agree, ``max_contacts: 1`` included -- also through a snapshot.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, TicketAssigned, Tier
from csflow.desk.contacts import ContactMemory, ContactPolicy

WIB = ZoneInfo("Asia/Jakarta")
T0 = datetime(2026, 3, 16, 9, 0, tzinfo=WIB)
ANI = Customer("ani", Tier("gold", 3))
H = 3600 * 10**6


def m(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def assigned(events: Sequence[object]) -> dict[str, TicketAssigned]:
    return {e.ticket_id: e for e in events if isinstance(e, TicketAssigned)}


def test_a_ticket_that_waited_past_the_window_is_not_told_a_later_contact() -> None:
    # 1-hour window: T-1 at 09:00, T-2 at 09:50 while T-1 waits; T-1 assigned at 10:10.
    desk = Desk(DeskConfig.from_dict({"contacts": {"window": "PT1H"}}))
    desk.submit(Ticket("T-1", ANI, "email", m(0)), at=m(0))
    desk.submit(Ticket("T-2", ANI, "email", m(50)), at=m(50))
    budi = AgentProfile("budi", capacity={"email": 2})
    got = assigned(desk.add_agent(budi, at=m(70), presence="available"))
    one, two = got["T-1"], got["T-2"]
    # T-1: no contact before it within the hour; T-2 and itself.
    assert (one.contacts, one.last_contact_at, one.open_tickets) == (2, None, 2)
    # T-2: T-1 left the window, itself is all.
    assert (two.contacts, two.last_contact_at) == (1, None)


def test_inside_the_window_the_earlier_ticket_still_has_no_previous_contact() -> None:
    desk = Desk(DeskConfig.from_dict({"contacts": {"window": "PT1H"}}))
    desk.submit(Ticket("T-1", ANI, "email", m(0)), at=m(0))
    desk.submit(Ticket("T-2", ANI, "email", m(50)), at=m(50))
    budi = AgentProfile("budi", capacity={"email": 2})
    got = assigned(desk.add_agent(budi, at=m(55), presence="available"))
    assert (got["T-1"].contacts, got["T-1"].last_contact_at) == (2, None)
    assert (got["T-2"].contacts, got["T-2"].last_contact_at) == (2, m(0))


def max1_config() -> DeskConfig:
    return DeskConfig.from_dict(
        {
            "contacts": {"window": "P7D", "max_contacts": 1},
            "triage": {
                "rules": [
                    {
                        "name": "came back",
                        "when": {"field": "contacts.last_s", "le": 86400},
                        "then": {"tags": ["came-back-today"]},
                    }
                ]
            },
        }
    )


def test_with_max_contacts_1_triage_and_assignment_agree_on_the_previous_contact() -> None:
    desk = Desk(max1_config())
    desk.add_agent(AgentProfile("budi", capacity={"chat": 5}), at=m(0), presence="available")
    desk.submit(Ticket("T-1", ANI, "chat", m(0)), at=m(0))
    seen = desk.context(Ticket("T-2", ANI, "chat", m(30)), at=m(30))["contacts"]
    assert (seen["count"], seen["last_s"]) == (1, 1800.0)
    got = assigned(desk.submit(Ticket("T-2", ANI, "chat", m(30)), at=m(30)))["T-2"]
    assert desk.ticket("T-2").tags == ("came-back-today",)
    assert (got.contacts, got.last_contact_at) == (1, m(0))


def test_with_max_contacts_1_the_previous_contact_survives_a_snapshot() -> None:
    config = max1_config()
    desk = Desk(config)
    desk.submit(Ticket("T-1", ANI, "chat", m(0)), at=m(0))
    desk.submit(Ticket("T-2", ANI, "chat", m(30)), at=m(30))
    restored = Desk.restore(config, json.loads(json.dumps(desk.snapshot())))
    budi = AgentProfile("budi", capacity={"chat": 5})
    here = desk.add_agent(budi, at=m(40), presence="available")
    there = restored.add_agent(budi, at=m(40), presence="available")
    assert here == there
    assert assigned(here)["T-2"].last_contact_at == m(0)
    assert assigned(here)["T-1"].last_contact_at is None


arrivals = st.lists(
    st.tuples(st.integers(0, 6 * 3600), st.sampled_from(["c0", "c1", "c2"])),
    min_size=1,
    max_size=25,
)


@settings(max_examples=60)
@given(
    arrivals=arrivals,
    window_h=st.integers(1, 4),
    max_contacts=st.integers(1, 4),
    lag_s=st.integers(0, 6 * 3600),
    pick=st.integers(0, 24),
)
def test_a_tickets_previous_contact_is_the_one_just_before_it(
    arrivals: list[tuple[int, str]], window_h: int, max_contacts: int, lag_s: int, pick: int
) -> None:
    memory = ContactMemory(ContactPolicy(timedelta(hours=window_h), max_contacts, 10))
    window = window_h * H
    seen: list[tuple[int, str, str]] = []
    for i, (dt, customer) in enumerate(sorted(arrivals)):
        at = dt * 10**6
        tid = f"t{i}"
        preview = memory.preview(customer, at, None)
        memory.contact(customer, tid, at)
        seen.append((at, customer, tid))
        # Triage, just before the contact, and the assignment at its instant agree.
        now = memory.summary(customer, tid, at, None)
        assert (now.count, now.last_contact_at) == (preview.count, preview.last_contact_at)
    # Ask about one ticket, later (it may have waited past the window, or newer contacts
    # of its customer may have come).
    at, customer, tid = seen[pick % len(seen)]
    asked = seen[-1][0] + lag_s * 10**6
    summary = memory.summary(customer, tid, asked, None)
    mine = [s for s, c, _ in seen if c == customer]
    own = [t for _, c, t in seen if c == customer].index(tid)
    in_window = [s for s in mine if asked - s < window]
    expected_count = len(in_window) + (0 if asked - at < window else 1)
    assert summary.count == min(expected_count, max_contacts)
    got = summary.last_contact_at
    got_us = None if got is None else int(got.timestamp()) * 10**6
    newer = len(mine) - own - 1  # contacts of the customer after this ticket's own
    if own == 0 or newer >= max_contacts:
        # None before it -- or its own contact left the memory's newest max_contacts.
        assert got_us is None
    else:
        previous = mine[own - 1]
        assert got_us == (previous if asked - previous < window else None)
