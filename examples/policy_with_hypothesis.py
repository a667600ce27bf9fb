"""Unit-test a routing policy with Hypothesis and ``csflow.testing``.

The policy: platinum and gold chats go to the ``vip`` queue with a 1-minute first-reply
promise; everything else waits in ``general``.  The laws we check, over generated tickets:

1. every platinum or gold chat lands in ``vip``, everything else in ``general``;
2. with one agent serving ``vip`` before ``general``, no general ticket is served while a VIP
   ticket on the same channel waits;
3. the desk's own invariants hold after every step.

Run with ``python examples/policy_with_hypothesis.py`` (or collect the ``test_`` functions
with pytest).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Desk, DeskConfig, Ticket, TicketAssigned, TicketQueued
from csflow.testing import check_invariants, tickets

START = datetime(2026, 11, 11, 20, 0, tzinfo=UTC)  # 11.11, evening peak
CONFIG = DeskConfig.from_dict(
    {
        "calendars": {"24x7": {"timezone": "Asia/Jakarta", "always_open": True}},
        "sla_policies": [
            {"name": "vip", "calendar": "24x7", "targets": {"first_response": "PT1M"}},
            {"name": "standard", "calendar": "24x7", "targets": {"first_response": "PT1H"}},
        ],
        "default_sla_policy": "standard",
        "queues": [{"name": "vip"}, {"name": "general"}],
        "routing_profiles": [
            {
                "name": "all",
                "queues": [{"queue": "vip", "priority": 1}, {"queue": "general", "priority": 2}],
            }
        ],
        "triage": [
            {
                "name": "vip chat",
                "when": {
                    "all": [
                        {"field": "tier", "in": ["platinum", "gold"]},
                        {"field": "channel", "eq": "chat"},
                    ]
                },
                "then": {"queue": "vip", "sla_policy": "vip"},
            },
            {"name": "everyone else", "then": {"queue": "general"}},
        ],
    }
)
SETTINGS = settings(max_examples=150, derandomize=True, database=None, deadline=None)


def is_vip(ticket_tier: str, channel: str) -> bool:
    return ticket_tier in ("platinum", "gold") and channel == "chat"


# Sari speaks every language and needs no skills here: strip those requirements.
plain_tickets = tickets(created_at=START).map(
    lambda t: attrs.evolve(
        t, required_skills=(), language=None, customer=attrs.evolve(t.customer, language=None)
    )
)


@SETTINGS
@given(st.lists(plain_tickets, min_size=1, max_size=12, unique_by=lambda t: t.id))
def test_vip_chats_go_to_vip_and_are_served_first(batch: list[Ticket]) -> None:
    desk = Desk(CONFIG)
    profile = AgentProfile(
        "sari", capacity=dict.fromkeys(("phone", "chat", "email", "whatsapp", "social"), 1)
    )
    desk.add_agent(profile, at=START)
    queued = {}
    for ticket in batch:
        for e in desk.submit(ticket, at=START):
            if isinstance(e, TicketQueued):
                queued[e.ticket_id] = e.queue
                assert e.queue == ("vip" if is_vip(e.tier, e.channel) else "general")
        check_invariants(desk)
    events = desk.set_presence("sari", "available", at=START)
    at = START
    while True:
        for e in events:
            if isinstance(e, TicketAssigned) and queued[e.ticket_id] == "general":
                channel = desk.ticket(e.ticket_id).ticket.channel
                vip_waiting = [
                    q.ticket_id for q in desk.queue("vip") if q.signature.channel == channel.name
                ]
                assert not vip_waiting, f"{e.ticket_id} served before VIP {vip_waiting}"
        held = desk.agent("sari").held
        if not held:
            break
        at += timedelta(seconds=30)
        events = desk.resolve(held[0], "sari", at=at)
        check_invariants(desk)
    assert desk.waiting_count() == 0


def main() -> None:
    test_vip_chats_go_to_vip_and_are_served_first()
    print("laws held over 150 generated batches: VIP chats go to 'vip' and are served first")


if __name__ == "__main__":
    main()
