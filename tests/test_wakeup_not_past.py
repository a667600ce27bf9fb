"""A ticket re-keyed behind a queue's delay stays visible: no wake-up from the past.

A waiting ticket that a delayed routing profile already sees (it has waited past the delay)
and whose key or group changes -- a priority change, a call-back request, a policy change --
is still seen: nothing is due again, so a host that advanced before the command is not sent
back in time by ``next_wakeup`` (``advance(at=desk.next_wakeup())`` is allowed).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import attrs
import pytest

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.model import Priority
from csflow.queues import TicketQueue

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def minutes(x: float) -> datetime:
    return T0 + timedelta(minutes=x)


def desk_with_a_ticket_past_the_delay() -> Desk:
    """T-1 waits in front; the technical profile sees front after 2 minutes; at 3 minutes
    the technical agent is busy."""
    config = DeskConfig.from_dict(
        {
            "queues": [{"name": "front"}, {"name": "technical"}],
            "sla_policies": [
                {"name": "p", "calendar": "24x7", "targets": {"first_response": "PT1H"}},
                {"name": "q", "calendar": "24x7", "targets": {"first_response": "PT2H"}},
            ],
            "calendars": {"24x7": {"timezone": "UTC", "always_open": True}},
            "default_sla_policy": "p",
            "routing_profiles": [
                {"name": "front", "queues": ["front"]},
                {
                    "name": "technical",
                    "queues": [
                        {"queue": "technical", "priority": 1},
                        {"queue": "front", "priority": 2, "delay": "PT2M"},
                    ],
                },
            ],
            "teams": {
                "front": {"queue": "front", "routing_profile": "front"},
                "technical": {"queue": "technical", "routing_profile": "technical"},
            },
        }
    )
    desk = Desk(config)
    desk.add_agent(
        AgentProfile("tono", capacity={"chat": 1, "phone": 1}, teams={"technical"}),
        at=T0,
        presence="busy",
    )
    desk.add_agent(AgentProfile("ayu", capacity={"chat": 1}, teams={"front"}), at=T0)
    desk.submit(Ticket("T-1", Customer("c1", Tier("gold", 3)), "chat", T0), at=T0)
    desk.advance(at=minutes(3))
    return desk


COMMANDS: dict[str, Callable[[Desk], object]] = {
    "set_priority": lambda d: d.set_priority("T-1", "high", at=minutes(3)),
    "request_callback": lambda d: d.request_callback("T-1", at=minutes(3)),
    "set_sla_policy": lambda d: d.set_sla_policy("T-1", "q", at=minutes(3)),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_the_host_loop_never_goes_back_in_time(command: str) -> None:
    desk = desk_with_a_ticket_past_the_delay()
    COMMANDS[command](desk)
    assert desk.now == minutes(3)
    wake = desk.next_wakeup()
    assert wake is None or wake >= minutes(3)
    steps = 0
    while (wake := desk.next_wakeup()) is not None and wake <= minutes(30):
        desk.advance(at=wake)  # refused if *wake* were before the desk's instant
        steps += 1
        assert steps < 10, "the wake-up does not move on"
    # The technical agent, free at last, still finds the ticket waiting past the delay.
    assigned = desk.set_presence("tono", "available", at=minutes(31))
    assert "TicketAssigned" in [type(e).__name__ for e in assigned]
    assert desk.ticket("T-1").agent_id == "tono"


def test_a_queue_keeps_a_reprioritized_entry_visible_and_reports_it_once() -> None:
    queue = TicketQueue("front")
    queue.watch(timedelta(minutes=2))
    ticket = Ticket("T-1", Customer("c1", Tier("gold", 3)), "chat", T0)
    queue.push(ticket, at=T0)
    delay = 120_000_000
    assert [(d, e.ticket_id) for d, e in queue.refresh(minutes(3))] == [(delay, "T-1")]
    queue.reprioritize(attrs.evolve(ticket, priority=Priority.HIGH), at=minutes(3))
    assert queue.next_visible_at() is None  # nothing is due again
    assert queue.refresh(minutes(4)) == []  # reported once, when it crossed
    (view,) = queue.to_state(minutes(4))["views"]
    assert view[2] == ["T-1"]  # still shown
    restored = TicketQueue("front")
    restored.load_state(queue.to_state(minutes(4)), {"T-1": ticket}, itertools.count(10))
    restored.reprioritize(attrs.evolve(ticket, priority=Priority.URGENT), at=minutes(4))
    assert restored.next_visible_at() is None
    # Without the instant of the change (a host whose instants come out of order), the entry
    # crosses anew at its own instant, as the queue's notes say.
    restored.reprioritize(attrs.evolve(ticket, priority=Priority.LOW))
    assert restored.next_visible_at() == delay + int(T0.timestamp()) * 1_000_000
