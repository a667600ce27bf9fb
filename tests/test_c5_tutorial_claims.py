"""Claims of the tutorial that its own code shows only once, checked over many cases.

docs/tutorial/first-tickets.md, step 5: "A host that calls ``advance`` every second, or once
after ten minutes, gets the same events with the same instants."  Here the tutorial's desk,
with its three chats, is advanced once to 09:10 and, on a copy, at instants Hypothesis draws in
between (every second included as an example); the events must be the same, in the same
order, with the same instants.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, DeskConfig, Event, Ticket

JAKARTA = ZoneInfo("Asia/Jakarta")
NINE = datetime(2026, 3, 2, 9, 0, tzinfo=JAKARTA)
TEN_MINUTES = 600

# The tutorial's configuration (step 1), as the page has it.
CONFIG = DeskConfig.from_dict(
    {
        "tiers": [{"name": "platinum", "rank": 4}, {"name": "regular", "rank": 1}],
        "calendars": {"24x7": {"timezone": "Asia/Jakarta", "always_open": True}},
        "sla_policies": [
            {
                "name": "platinum",
                "calendar": "24x7",
                "targets": {"first_response": "PT1M", "resolution": "PT4H"},
            },
            {
                "name": "standard",
                "calendar": "24x7",
                "targets": {"first_response": "PT5M", "resolution": "PT24H"},
            },
        ],
        "default_sla_policy": "standard",
        "queues": [{"name": "vip"}, {"name": "general"}],
        "routing_profiles": [
            {
                "name": "frontline",
                "queues": [{"queue": "vip", "priority": 1}, {"queue": "general", "priority": 2}],
            }
        ],
        "triage": [
            {
                "name": "platinum",
                "when": {"field": "tier", "eq": "platinum"},
                "then": {"queue": "vip", "sla_policy": "platinum", "priority": "high"},
            },
            {"name": "everyone else", "then": {"queue": "general"}},
        ],
    }
)


def tutorial_desk() -> Desk:
    """The desk after step 3: Sari holds Budi's chat, Budi's second and Rina's wait."""
    desk = Desk(CONFIG)
    desk.add_agent(AgentProfile("sari", languages={"id"}, capacity={"chat": 1}), at=NINE)
    desk.set_presence("sari", "available", at=NINE)
    budi = Customer("budi", CONFIG.tiers["regular"], language="id")
    rina = Customer("rina", CONFIG.tiers["platinum"], language="id")
    five_s, ten_s = NINE + timedelta(seconds=5), NINE + timedelta(seconds=10)
    desk.submit(Ticket("T-1", budi, "chat", NINE), at=NINE)
    desk.submit(Ticket("T-2", budi, "chat", five_s), at=five_s)
    desk.submit(Ticket("T-3", rina, "chat", ten_s), at=ten_s)
    return desk


def _plain(events: list[Event]) -> list[dict[str, object]]:
    return [e.to_dict() for e in events]


def test_the_one_late_advance_fires_the_warnings_and_breaches_of_both_waiting_chats() -> None:
    # By hand: Rina's minute from 09:00:10 warns at 50/75/90 % (09:00:40, :55, 09:01:04) and
    # breaches at 09:01:10; Budi's second chat (five minutes from 09:00:05) warns at 09:02:35,
    # 09:03:50 and 09:04:35 and breaches at 09:05:05.  Budi's first chat, with Sari but not
    # answered yet, has the same five minutes from 09:00:00.
    events = tutorial_desk().advance(at=NINE + timedelta(seconds=TEN_MINUTES))
    seen = [(type(e).__name__, getattr(e, "ticket_id", None), e.at - NINE) for e in events]
    s = timedelta(seconds=1)
    expected = [
        ("SlaWarning", "T-3", 40 * s),
        ("SlaWarning", "T-3", 55 * s),
        ("SlaWarning", "T-3", 64 * s),
        ("SlaBreached", "T-3", 70 * s),
        ("SlaWarning", "T-1", 150 * s),
        ("SlaWarning", "T-2", 155 * s),
        ("SlaWarning", "T-1", 225 * s),
        ("SlaWarning", "T-2", 230 * s),
        ("SlaWarning", "T-1", 270 * s),
        ("SlaWarning", "T-2", 275 * s),
        ("SlaBreached", "T-1", 300 * s),
        ("SlaBreached", "T-2", 305 * s),
    ]
    assert seen == expected


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(st.lists(st.integers(min_value=10, max_value=TEN_MINUTES), max_size=30))
@example(list(range(11, TEN_MINUTES + 1)))  # every second
def test_advancing_in_steps_gives_the_events_of_one_late_advance(stops: list[int]) -> None:
    end = NINE + timedelta(seconds=TEN_MINUTES)
    once = tutorial_desk().advance(at=end)
    stepped_desk = tutorial_desk()
    stepped: list[Event] = []
    for second in sorted(set(stops)):
        stepped += stepped_desk.advance(at=NINE + timedelta(seconds=second))
    stepped += stepped_desk.advance(at=end)
    assert _plain(stepped) == _plain(once)
