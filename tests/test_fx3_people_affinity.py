"""A thread that resumes or is reopened waits for its own agent, not the customer's last one.

Budi owns Ani's email thread T-1 (pending).  Sari answers Ani's quick chat T-2 meanwhile, so
Sari is the agent who last served Ani.  When Ani replies on T-1 while Budi is busy, the
thread is held for Budi (within the affinity timeout), not given to Sari; the customer's last
agent is waited for only when the thread has no agent of its own.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, TicketAssigned, Tier

WIB = ZoneInfo("Asia/Jakarta")
T0 = datetime(2026, 3, 16, 9, 0, tzinfo=WIB)
ANI = Customer("ani", Tier("gold", 3))


def agent(name: str) -> AgentProfile:
    return AgentProfile(name, capacity={"email": 1, "chat": 1})


def m(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def config(**affinity: str) -> DeskConfig:
    return DeskConfig.from_dict(
        {
            "strategies": ["preferred_agent", "longest_idle"],
            "affinity": {"timeout": "PT10M", **affinity},
        }
    )


def held_for(desk: Desk) -> list[tuple[str, str | None]]:
    return [(e.ticket_id, e.signature.agent) for e in desk.queue()]


def story(cfg: DeskConfig, *, park: str = "pending") -> Desk:
    """At 09:07 Budi owns Ani's T-1 (parked, or solved when *park* is ``"solved"``), Sari
    served Ani's T-2 last, and Budi is busy with X (full); Sari is free."""
    desk = Desk(cfg)
    desk.add_agent(agent("budi"), at=m(0), presence="available")
    desk.submit(Ticket("T-1", ANI, "email", m(0)), at=m(0))
    assert desk.ticket("T-1").agent_id == "budi"
    desk.reply("T-1", "budi", at=m(1))
    if park == "solved":
        desk.resolve("T-1", "budi", at=m(2))
    else:
        desk.set_status("T-1", park, at=m(2))
    desk.set_presence("budi", "busy", at=m(3))
    desk.add_agent(agent("sari"), at=m(3), presence="available")
    desk.submit(Ticket("T-2", ANI, "chat", m(4)), at=m(4))
    assert desk.ticket("T-2").agent_id == "sari"
    desk.resolve("T-2", "sari", at=m(6))
    desk.set_presence("sari", "away", at=m(7))
    desk.set_presence("budi", "available", at=m(7))
    desk.submit(Ticket("X", Customer("zz", Tier("gold", 3)), "email", m(7)), at=m(7))
    assert desk.ticket("X").agent_id == "budi"
    desk.set_presence("sari", "available", at=m(7))
    return desk


@pytest.mark.parametrize("park", ["pending", "on_hold"])
def test_a_resumed_thread_is_held_for_its_owner_not_the_customers_last_agent(park: str) -> None:
    desk = story(config(), park=park)
    if park == "pending":
        events = desk.customer_message("T-1", at=m(8))
    else:
        events = desk.set_status("T-1", "open", at=m(8))
    assert [type(e).__name__ for e in events] == ["TicketStatusChanged", "TicketQueued"]
    assert held_for(desk) == [("T-1", "budi")]
    # Budi frees up within the timeout: the thread goes back to him.
    events = desk.resolve("X", "budi", at=m(12))
    assert [(e.ticket_id, e.agent_id) for e in events if isinstance(e, TicketAssigned)] == [
        ("T-1", "budi")
    ]


def test_a_reopened_ticket_is_held_for_the_agent_who_resolved_it() -> None:
    desk = story(config(), park="solved")
    desk.reopen("T-1", at=m(8))
    assert held_for(desk) == [("T-1", "budi")]


def test_the_hold_for_the_owner_ends_at_the_timeout() -> None:
    desk = story(config())
    desk.customer_message("T-1", at=m(8))
    events = desk.advance(at=m(18))
    assert [(e.ticket_id, e.agent_id) for e in events if isinstance(e, TicketAssigned)] == [
        ("T-1", "sari")
    ]


def test_the_hold_for_the_owner_ends_when_the_owner_stops_being_routable() -> None:
    desk = story(config())
    desk.customer_message("T-1", at=m(8))
    events = desk.set_presence("budi", "offline", at=m(9))
    assert [(e.ticket_id, e.agent_id) for e in events if isinstance(e, TicketAssigned)] == [
        ("T-1", "sari")
    ]


def test_a_thread_whose_owner_left_falls_back_to_the_customers_last_agent() -> None:
    desk = story(config())
    desk.remove_agent("budi", at=m(8))  # X goes to Sari: she has no room for T-1 now
    assert desk.ticket("X").agent_id == "sari"
    desk.customer_message("T-1", at=m(9))
    assert held_for(desk) == [("T-1", "sari")]


def test_the_owner_of_a_parked_thread_is_recent_however_long_it_was_parked() -> None:
    # recency 5 minutes: Budi last served Ani at 09:01 (he owns the thread since), and the
    # reply comes at 09:08; Sari's 09:06 service would be recent, but the thread is Budi's.
    desk = story(config(recency="PT5M"))
    desk.customer_message("T-1", at=m(8))
    assert held_for(desk) == [("T-1", "budi")]


def test_the_resolver_counts_as_recent_only_while_its_service_is_known() -> None:
    # Reopened after Sari served Ani: when Budi resolved T-1 is not remembered (the
    # customer's last service is Sari's), so under a recency rule it is not held for him.
    desk = story(config(recency="PT5M"), park="solved")
    desk.reopen("T-1", at=m(8))
    assert desk.ticket("T-1").agent_id == "sari"
    # Without Sari's service in between, Budi's resolution is known and recent.
    desk = Desk(config(recency="PT5M"))
    desk.add_agent(agent("budi"), at=m(0), presence="available")
    desk.add_agent(agent("sari"), at=m(0), presence="busy")
    desk.submit(Ticket("T-1", ANI, "email", m(0)), at=m(0))
    desk.resolve("T-1", "budi", at=m(2))
    desk.submit(Ticket("X", Customer("zz", Tier("gold", 3)), "email", m(3)), at=m(3))
    desk.submit(Ticket("Y", Customer("yy", Tier("gold", 3)), "chat", m(3)), at=m(3))
    desk.set_presence("sari", "available", at=m(4))
    desk.reopen("T-1", at=m(5))
    assert held_for(desk) == [("T-1", "budi")]
