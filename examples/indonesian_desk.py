"""A morning at an Indonesian e-commerce desk, told as a story against a real desk.

Four tiers, five channels, a VIP queue, escalation from the front line to finance, a
call-back, a customer who gives up, and a repeat customer who reaches the agent who knows her.

Run with ``python examples/indonesian_desk.py``.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from csflow import DeskConfig, Event
from csflow.testing import Story

CONFIG = {
    "tiers": [
        {"name": "platinum", "rank": 4},
        {"name": "gold", "rank": 3},
        {"name": "silver", "rank": 2},
        {"name": "regular", "rank": 1},
    ],
    "calendars": {"24x7": {"timezone": "Asia/Jakarta", "always_open": True}},
    "sla_policies": [
        {
            "name": "vip",
            "calendar": "24x7",
            "targets": {"first_response": "PT1M", "resolution": "PT4H"},
        },
        {
            "name": "standard",
            "calendar": "24x7",
            "targets": {"first_response": "PT10M", "resolution": "P1D"},
        },
    ],
    "default_sla_policy": "standard",
    "queues": [
        {"name": "vip", "allowances": {"platinum": "PT0S", "gold": "PT30S"}},
        {"name": "general"},
        {"name": "finance"},
    ],
    "routing_profiles": [
        {
            "name": "front",
            "queues": [{"queue": "vip", "priority": 1}, {"queue": "general", "priority": 2}],
        },
        {"name": "finance", "queues": ["finance"]},
    ],
    "teams": {
        "front": {"queue": "general", "routing_profile": "front"},
        "finance": {"queue": "finance", "routing_profile": "finance"},
    },
    "escalation": {
        "teams": ["front", "finance"],
        "entry": ["front"],
        "edges": {"front": ["finance"]},
    },
    "strategies": ["preferred_agent", "longest_idle"],
    "affinity": {"recency": "P30D"},
    "triage": [
        {
            "name": "vip chat",
            "when": {
                "all": [
                    {"field": "tier", "in": ["platinum", "gold"]},
                    {"field": "channel", "in": ["chat", "whatsapp"]},
                ]
            },
            "then": {"queue": "vip", "sla_policy": "vip", "priority": "high"},
        },
        {"name": "everyone else", "then": {"queue": "general"}},
    ],
}


def show(events: list[Event]) -> None:
    for e in events:
        who = getattr(e, "agent_id", "") or ""
        what = getattr(e, "ticket_id", "")
        extra = (
            getattr(e, "queue", "")
            if type(e).__name__ in ("TicketQueued", "TicketOverflowed")
            else ""
        )
        print(
            f"  {e.at.astimezone(ZoneInfo('Asia/Jakarta')):%H:%M:%S}  {type(e).__name__:<20} {what:<4} {who:<5} {extra}"
        )


def main() -> None:
    day = datetime(2026, 3, 16, tzinfo=ZoneInfo("Asia/Jakarta"))
    s = Story(DeskConfig.from_dict(CONFIG), day)
    print("08:00 Sari and Dewi log in on the front line; Budi in finance")
    show(
        s.agent(
            "08:00", "sari", languages=["id", "en"], teams=["front"], chat=3, whatsapp=2, email=5
        )
    )
    show(s.agent("08:00", "dewi", languages=["id"], teams=["front"], phone=1, chat=2, social=2))
    show(s.agent("08:00", "budi", languages=["id"], teams=["finance"], chat=2, whatsapp=2, email=5))
    print("09:00 a platinum customer opens a chat")
    show(s.customer_opens("09:00", "T1", "chat", tier="platinum", customer="rina", language="id"))
    show(s.replies("09:00:40", "sari", "T1"))
    print("09:05 a refund question arrives on WhatsApp in Indonesian and goes to finance")
    show(
        s.customer_opens(
            "09:05",
            "T2",
            "whatsapp",
            tier="regular",
            customer="agus",
            language="id",
            category="refund",
        )
    )
    show(s.replies("09:06", "sari", "T2"))
    show(s.do("09:07", "escalate", "T2", "finance"))
    show(s.replies("09:08", "budi", "T2"))
    print("09:10 the phones are busy: a caller asks to be called back")
    show(s.customer_opens("09:10", "T3", "phone", tier="silver", customer="wati", language="id"))
    show(s.replies("09:10:20", "dewi", "T3"))
    show(s.customer_opens("09:11", "T4", "phone", tier="gold", customer="yusuf", language="id"))
    show(s.do("09:12", "request_callback", "T4"))
    show(s.resolves("09:19", "dewi", "T3"))
    show(s.replies("09:19:30", "dewi", "T4"))
    show(s.resolves("09:25", "dewi", "T4"))
    show(s.resolves("09:26", "budi", "T2"))
    print("09:30 a customer gives up after 10 minutes in line")
    show(s.do("09:29", "set_presence", "dewi", "away"))
    show(s.customer_opens("09:30", "T5", "social", tier="regular", customer="eko", language="id"))
    show(s.do("09:40", "abandon", "T5"))
    print("10:00 Rina is helped and comes back later: she reaches Sari again")
    show(s.resolves("10:00", "sari", "T1"))
    show(s.customer_opens("11:00", "T6", "chat", tier="platinum", customer="rina", language="id"))
    t2 = s.desk.ticket("T2")
    print(
        f"T6 is with {s.holder('T6')}; T2 was solved by {t2.agent_id} in team {t2.team} ({t2.state})"
    )


if __name__ == "__main__":
    main()
