"""Quickstart: route your first tickets and watch their SLA clocks.

Run with ``python examples/quickstart.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier


def main() -> None:
    config = DeskConfig.from_dict(
        {
            "tiers": [{"name": "platinum", "rank": 4}, {"name": "regular", "rank": 1}],
            "calendars": {"24x7": {"timezone": "Asia/Jakarta", "always_open": True}},
            "sla_policies": [
                {"name": "platinum", "calendar": "24x7", "targets": {"first_response": "PT1M"}},
                {"name": "regular", "calendar": "24x7", "targets": {"first_response": "PT1H"}},
            ],
            "default_sla_policy": "regular",
            "triage": [
                {
                    "name": "platinum first",
                    "when": {"field": "tier", "eq": "platinum"},
                    "then": {"priority": "high", "sla_policy": "platinum"},
                }
            ],
        }
    )
    desk = Desk(config)
    nine = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    desk.add_agent(AgentProfile("sari", capacity={"chat": 2}), at=nine, presence="available")

    rina = Customer("rina", config.tiers["platinum"])
    budi = Customer("budi", Tier("regular", 1))
    for event in desk.submit(Ticket("T-1", rina, "chat", nine), at=nine):
        print(event.__class__.__name__, getattr(event, "ticket_id", ""))
    desk.submit(Ticket("T-2", budi, "chat", nine), at=nine)
    desk.submit(Ticket("T-3", budi, "chat", nine), at=nine)
    print("waiting:", [e.ticket_id for e in desk.queue()])
    print("next wake-up:", desk.next_wakeup())

    later = nine + timedelta(seconds=40)
    desk.reply("T-1", "sari", at=later)
    clock = desk.clocks("T-1")
    for metric, view in clock.items():
        print(metric.name, view.state, "used", view.elapsed)
    for event in desk.resolve("T-1", "sari", at=later + timedelta(minutes=5)):
        print(
            event.__class__.__name__,
            getattr(event, "ticket_id", ""),
            getattr(event, "agent_id", ""),
        )


if __name__ == "__main__":
    main()
