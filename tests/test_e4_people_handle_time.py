"""The handle time docs/how-to/agent-standards.md describes, worked by hand: a mean over the
spans a ticket stays in an agent's hands, not over the tickets the agent handled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier, people_report
from csflow.events import Event

T0 = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)
M = timedelta(minutes=1)


def test_a_ticket_parked_and_picked_up_again_is_two_spans() -> None:
    desk = Desk(DeskConfig())
    events: list[Event] = []
    events += desk.add_agent(
        AgentProfile("sari", capacity={"email": 3}), at=T0, presence="available"
    )
    events += desk.submit(Ticket("t", Customer("c", Tier("gold", 3)), "email", T0), at=T0)
    events += desk.set_status("t", "pending", at=T0 + 10 * M)  # 600 s in hand
    events += desk.customer_message("t", at=T0 + 60 * M)  # back to sari
    events += desk.resolve("t", "sari", at=T0 + 70 * M)  # 600 s more
    later = T0 + 70 * M
    events += desk.submit(Ticket("u", Customer("d", Tier("gold", 3)), "email", later), at=later)
    events += desk.resolve("u", "sari", at=later + 20 * M)  # one span of 1,200 s
    sari = people_report(events).agents["sari"]
    assert sari.handled == 2
    assert sari.handle_time_s == (600 + 600 + 1200) / 3  # 800 s, not 2,400 s / 2 tickets
