"""Worked examples of a host that does not advance before its commands (the contract allows
it: other tickets' timers wait for its next ``advance`` and fire at their own instants).

Each example was found by random programs checked with
:func:`csflow.testing.check_invariants` and a snapshot round trip after every command; each
fails without its fix.  The law behind them is ``LaxHostMachine`` in
``tests/test_desk_stateful.py``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.events import Event, TicketAssigned, TicketOverflowed, TicketQueued, TicketRelaxed
from csflow.testing import check_invariants

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def sec(s: int) -> datetime:
    return T0 + timedelta(seconds=s)


def assigned(events: list[Event]) -> list[tuple[str, str, datetime]]:
    return [(e.ticket_id, e.agent_id, e.at) for e in events if isinstance(e, TicketAssigned)]


def test_a_requeued_ticket_that_overflows_says_so_and_its_record_follows() -> None:
    """Sari takes T-1 at 09:00 and leaves the desk at 09:10.  T-1 goes back in line keeping
    its 09:00 place, so its queue's five-minute overflow step is already due: it moves to
    ``vip`` at once, with a ``TicketOverflowed``, and the desk's record says ``vip`` (before,
    the record said ``general`` while the ticket waited in ``vip``)."""
    config = DeskConfig.from_dict(
        {
            "queues": [
                {"name": "general", "relaxation": [{"after": "PT5M", "overflow_to": "vip"}]},
                {"name": "vip"},
            ],
            "routing_profiles": [{"name": "p", "queues": ["general", "vip"]}],
        }
    )
    desk = Desk(config)
    desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=T0, presence="available")
    desk.submit(Ticket("T-1", Customer("c1", Tier("regular")), "chat", T0), at=T0)
    events = desk.remove_agent("sari", at=sec(600))
    assert [type(e).__name__ for e in events] == [
        "AgentPresenceChanged",
        "TicketRequeued",
        "TicketOverflowed",
    ]
    overflow = events[-1]
    assert isinstance(overflow, TicketOverflowed)
    assert (overflow.queue, overflow.waited) == ("vip", 600.0)
    assert desk.ticket("T-1").queue == "vip"
    assert [e.ticket_id for e in desk.queue("vip")] == ["T-1"]
    check_invariants(desk)
    restored = Desk.restore(config, json.loads(json.dumps(desk.snapshot())))
    assert restored.ticket("T-1").queue == "vip"


def test_a_step_due_at_once_applies_with_its_events() -> None:
    """A relaxation step ``after: PT0S`` is due the moment a ticket joins the line: it
    applies then, with its events after the ``TicketQueued`` of triage's queue, and the
    record names the queue the ticket waits in."""
    config = DeskConfig.from_dict(
        {
            "queues": [
                {
                    "name": "general",
                    "relaxation": [{"after": "PT0S", "any_language": True, "overflow_to": "vip"}],
                },
                {"name": "vip"},
            ]
        }
    )
    desk = Desk(config)
    ticket = Ticket("T-1", Customer("c1", Tier("regular"), language="en"), "chat", T0)
    events = desk.submit(ticket, at=T0)
    assert [type(e) for e in events] == [TicketQueued, TicketRelaxed, TicketOverflowed]
    assert desk.ticket("T-1").queue == "vip"
    assert [e.ticket_id for e in desk.queue("vip")] == ["T-1"]
    check_invariants(desk)


def _relaxing_desk() -> tuple[Desk, DeskConfig]:
    config = DeskConfig.from_dict(
        {
            "queues": [{"name": "general", "relaxation": [{"after": "PT1M", "proficiency": 1}]}],
            "skills": ["billing"],
        }
    )
    desk = Desk(config)
    sari = AgentProfile("sari", skills={"billing": 1}, capacity={"chat": 2})
    desk.add_agent(sari, at=T0, presence="available")
    return desk, config


def test_a_service_fired_late_is_restored_in_the_order_it_was_recorded() -> None:
    """T-1 needs billing 3; Sari has 1, enough once the one-minute relaxation step lowers
    the need.  The host submits T-2 at 09:05 without advancing (Sari serves c2 at 09:05),
    then advances: the 09:01 step fires at its own instant and Sari serves c1 "at 09:01",
    after a later service.  The snapshot keeps that order, and restores (it was refused:
    "services must be in time order"); the restored desk goes on identically."""
    desk, config = _relaxing_desk()
    need = {"billing": 3}
    desk.submit(
        Ticket("T-1", Customer("c1", Tier("regular")), "chat", T0, required_skills=need), at=T0
    )
    desk.submit(Ticket("T-2", Customer("c2", Tier("regular")), "chat", sec(300)), at=sec(300))
    assert assigned(desk.advance(at=sec(300))) == [("T-1", "sari", sec(60))]
    restored = Desk.restore(config, json.loads(json.dumps(desk.snapshot())))
    assert restored.snapshot() == desk.snapshot()
    for d in (desk, restored):
        d.resolve("T-1", "sari", at=sec(400))
    third = Ticket("T-3", Customer("c1", Tier("regular")), "chat", sec(500))
    assert desk.submit(third, at=sec(500)) == restored.submit(third, at=sec(500))


def test_the_last_agent_of_a_customer_is_the_one_with_the_latest_service() -> None:
    """Ayu's two services recorded out of time order: Budi (longest idle) takes her T-2 at
    09:05, then the advance fires the 09:01 step and Sari takes T-1 "at 09:01".  Ayu's last
    agent is Budi, the later service, whichever was recorded last."""
    config = DeskConfig.from_dict(
        {
            "queues": [{"name": "general", "relaxation": [{"after": "PT1M", "proficiency": 1}]}],
            "skills": ["billing"],
        }
    )
    desk = Desk(config)
    desk.add_agent(AgentProfile("budi", capacity={"chat": 1}), at=T0, presence="available")
    sari = AgentProfile("sari", skills={"billing": 1}, capacity={"chat": 2})
    desk.add_agent(sari, at=T0, presence="available")
    ayu = Customer("ayu", Tier("regular"))
    desk.submit(Ticket("T-1", ayu, "chat", T0, required_skills={"billing": 3}), at=T0)
    assert assigned(desk.submit(Ticket("T-2", ayu, "chat", sec(300)), at=sec(300))) == [
        ("T-2", "budi", sec(300))
    ]
    assert assigned(desk.advance(at=sec(300))) == [("T-1", "sari", sec(60))]
    summary = desk.contacts("ayu")
    assert summary is not None
    assert summary.last_agent == "budi"


def _holding_desk() -> Desk:
    """Budi (front) serves ``vip`` at once; Sari (back) helps with it after a minute.  Ayu's
    first ticket goes to Budi; her second waits 45 s for him (he is busy), then Sari may take
    it once it has waited a minute."""
    config = DeskConfig.from_dict(
        {
            "queues": [{"name": "vip"}, {"name": "general"}],
            "routing_profiles": [
                {"name": "front", "queues": [{"queue": "vip", "priority": 1}]},
                {
                    "name": "back",
                    "queues": [
                        {"queue": "general", "priority": 1},
                        {"queue": "vip", "priority": 2, "delay": "PT1M"},
                    ],
                },
            ],
            "triage": [{"name": "all", "then": {"queue": "vip"}}],
            "strategies": ["preferred_agent", "longest_idle"],
            "affinity": {"timeout": "PT45S"},
        }
    )
    desk = Desk(config)
    budi = AgentProfile("budi", capacity={"chat": 1})
    desk.add_agent(budi, at=T0, presence="available", routing_profile="front")
    sari = AgentProfile("sari", capacity={"chat": 3})
    desk.add_agent(sari, at=T0, presence="available", routing_profile="back")
    ayu = Customer("ayu", Tier("regular"))
    desk.submit(Ticket("T-1", ayu, "chat", T0), at=T0)
    desk.submit(Ticket("T-2", ayu, "chat", sec(10)), at=sec(10))
    return desk


def test_a_hold_released_late_still_reaches_the_delayed_group() -> None:
    """The hold for Budi ends at 09:00:55, and Sari's delayed slot opens for T-2 at
    09:01:10.  A host that sends a command at 09:05 before advancing (Sari's presence, which
    looks at the line) must get the same assignment as one that advanced first: Sari takes
    T-2 at 09:01:10.  Before, the 09:05 look used up T-2's turn in the delayed view while it
    was still held, and T-2 waited for good."""
    diligent = _holding_desk()
    assert assigned(diligent.advance(at=sec(360))) == [("T-2", "sari", sec(70))]
    lax = _holding_desk()
    lax.set_presence("sari", "available", at=sec(300))
    assert assigned(lax.advance(at=sec(360))) == [("T-2", "sari", sec(70))]
    check_invariants(lax)


def _delayed_desk(**extra: Any) -> Desk:
    """Budi (front) is busy; Sari (back, phone) helps with ``vip`` after a minute; Rudi (back,
    chat only) looks at the line but cannot take a phone call; Dewi (back, e-mail, billing 1)
    works the ``general`` queue."""
    config = DeskConfig.from_dict(
        {
            "queues": [{"name": "vip"}, {"name": "general", **extra}],
            "routing_profiles": [
                {"name": "front", "queues": ["vip"]},
                {
                    "name": "back",
                    "queues": ["general", {"queue": "vip", "priority": 2, "delay": "PT1M"}],
                },
            ],
            "triage": [
                {
                    "name": "email",
                    "when": {"field": "channel", "eq": "email"},
                    "then": {"queue": "general"},
                },
                {"name": "rest", "then": {"queue": "vip"}},
            ],
            "skills": ["billing"],
        }
    )
    desk = Desk(config)
    budi = AgentProfile("budi", capacity={"phone": 1})
    desk.add_agent(budi, at=T0, presence="available", routing_profile="front")
    desk.submit(Ticket("T-1", Customer("c1", Tier("regular")), "phone", T0), at=T0)  # Budi's
    sari = AgentProfile("sari", capacity={"phone": 1})
    desk.add_agent(sari, at=T0, presence="available", routing_profile="back")
    desk.add_agent(AgentProfile("rudi", capacity={"chat": 1}), at=T0, routing_profile="back")
    dewi = AgentProfile("dewi", capacity={"email": 1}, skills={"billing": 1})
    desk.add_agent(dewi, at=T0, presence="available", routing_profile="back")
    return desk


def test_a_ticket_a_look_made_visible_is_still_a_step_to_take() -> None:
    """T-2 (phone) waits in ``vip`` from 09:00:10; Sari's delayed slot opens for it at
    09:01:10.  At 09:01:30, before advancing, Rudi comes online and takes the chat T-4 from
    the line; looking, his group's view of ``vip`` shows T-2 too, but he takes no calls.  Sari could take it, so the desk's next
    routing step must still be 09:01:10 (it said none, and T-2 waited for good)."""
    desk = _delayed_desk()
    desk.submit(Ticket("T-2", Customer("c2", Tier("regular")), "phone", sec(10)), at=sec(10))
    desk.submit(Ticket("T-4", Customer("c4", Tier("regular")), "chat", sec(20)), at=sec(20))
    assert assigned(desk.set_presence("rudi", "available", at=sec(90))) == [
        ("T-4", "rudi", sec(90))
    ]
    assert desk.next_routing_step() == sec(70)
    assert assigned(desk.advance(at=sec(90))) == [("T-2", "sari", sec(70))]
    check_invariants(desk)


def test_an_earlier_step_does_not_use_up_a_later_ones_turn() -> None:
    """As above, and an e-mail T-3 in ``general`` needs billing 2 until its one-minute
    relaxation step at 09:01:05, when Dewi can take it.  The advance fires that step first,
    at 09:01:05: T-2, shown by Rudi's look, has waited only 55 s then and must keep its turn
    for 09:01:10 (it was used up, and T-2 waited for good)."""
    desk = _delayed_desk(relaxation=[{"after": "PT1M", "proficiency": 1}])
    need = {"billing": 2}
    email = Ticket("T-3", Customer("c3", Tier("regular")), "email", sec(5), required_skills=need)
    desk.submit(email, at=sec(5))
    desk.submit(Ticket("T-2", Customer("c2", Tier("regular")), "phone", sec(10)), at=sec(10))
    desk.submit(Ticket("T-4", Customer("c4", Tier("regular")), "chat", sec(20)), at=sec(20))
    desk.set_presence("rudi", "available", at=sec(90))  # takes T-4, sees T-2
    events = desk.advance(at=sec(90))
    assert assigned(events) == [("T-3", "dewi", sec(65)), ("T-2", "sari", sec(70))]
    check_invariants(desk)
