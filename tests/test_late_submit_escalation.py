"""A ticket created before it reached the desk: an escalation its caught-up breach triggers
moves, raises and routes it at its submission, never before it was at the desk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.events import (
    SlaBreached,
    SlaEscalated,
    TicketAssigned,
    TicketOverflowed,
    TicketPrioritized,
    TicketQueued,
)
from csflow.model import Priority

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def minutes(x: float) -> datetime:
    return T0 + timedelta(minutes=x)


def config(then: dict[str, Any]) -> DeskConfig:
    return DeskConfig.from_dict(
        {
            "calendars": {"24x7": {"timezone": "UTC", "always_open": True}},
            "sla_policies": [
                {
                    "name": "s",
                    "calendar": "24x7",
                    "targets": {"first_response": "PT10M"},
                    "warnings": [],
                }
            ],
            "default_sla_policy": "s",
            "queues": [{"name": "front"}, {"name": "vip"}],
            "routing_profiles": [
                {"name": "front", "queues": ["front"]},
                {"name": "senior", "queues": ["vip"]},
            ],
            "teams": {
                "front": {"queue": "front", "routing_profile": "front"},
                "senior": {"queue": "vip", "routing_profile": "senior"},
            },
            "escalation_rules": [
                {"name": "b", "when": {"field": "event", "eq": "breach"}, "then": then}
            ],
        }
    )


@pytest.mark.parametrize("with_agent", [False, True])
def test_a_queue_move_caught_up_at_a_late_submission_happens_at_the_submission(
    with_agent: bool,
) -> None:
    # An e-mail written at 09:00 reaches the desk at 09:15; its 10-minute first response was
    # breached at 09:10, and breaches go to the vip queue.
    desk = Desk(config({"queue": "vip"}))
    if with_agent:
        desk.add_agent(
            AgentProfile("sen", capacity={"chat": 1}, teams={"senior"}),
            at=minutes(15),
            presence="available",
            routing_profile="senior",
        )
    events = desk.submit(Ticket("T1", Customer("a", Tier("g", 1)), "chat", T0), at=minutes(15))
    seen = [(type(e).__name__, e.at) for e in events]
    expected = [
        ("SlaBreached", minutes(10)),
        ("SlaEscalated", minutes(10)),
        ("TicketQueued", minutes(15)),
        ("TicketOverflowed", minutes(15)),
    ]
    if with_agent:
        expected.append(("TicketAssigned", minutes(15)))
    assert seen == expected
    moved = next(e for e in events if isinstance(e, TicketOverflowed))
    assert moved.waited == 0.0
    assert isinstance(events[0], SlaBreached)
    assert isinstance(events[1], SlaEscalated)
    assert isinstance(events[2], TicketQueued)
    assert events[2].queue == "front"
    if with_agent:
        assigned = events[-1]
        assert isinstance(assigned, TicketAssigned)
        assert assigned.waited == 0.0
    view = desk.ticket("T1")
    assert (view.queue, view.state) == ("vip", "assigned" if with_agent else "queued")


def test_a_priority_raise_caught_up_at_a_late_submission_follows_the_queued_event() -> None:
    desk = Desk(config({"priority": "urgent"}))
    events = desk.submit(Ticket("T1", Customer("a", Tier("g", 1)), "chat", T0), at=minutes(15))
    queued = next(i for i, e in enumerate(events) if isinstance(e, TicketQueued))
    raised = next(i for i, e in enumerate(events) if isinstance(e, TicketPrioritized))
    assert queued < raised
    assert events[raised].at == minutes(15)
    assert desk.ticket("T1").ticket.priority is Priority.URGENT
