"""Which waiting ticket an agent takes first: by default, priority decides (urgent, high,
normal, low), and the waiting time orders tickets of one priority."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from csflow import AgentProfile, Customer, Desk, DeskConfig, Priority, Ticket, TicketAssigned, Tier
from csflow.queues.keys import PRIORITY_BANDS, AgingKey

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GOLD_FIRST = {
    "tiers": [{"name": "gold", "rank": 3}, {"name": "regular", "rank": 1}],
    "triage": [
        {
            "name": "gold first",
            "when": {"field": "tier", "eq": "gold"},
            "then": {"priority": "high"},
        }
    ],
}


def _served(config: DeskConfig, arrivals: list[tuple[str, str, str, int]]) -> list[str]:
    """Submit (id, tier, priority, seconds after T0) with nobody free, then let one agent with
    one chat slot take them one at a time from 09:10: the order served."""
    desk = Desk(config)
    for tid, tier, priority, after in arrivals:
        at = T0 + timedelta(seconds=after)
        customer = Customer(f"c-{tid}", Tier(tier, 3 if tier == "gold" else 1))
        desk.submit(Ticket(tid, customer, "chat", at, priority=priority), at=at)
    at = T0 + timedelta(minutes=10)
    events = desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=at, presence="available")
    order: list[str] = []
    while True:
        taken = [e.ticket_id for e in events if isinstance(e, TicketAssigned)]
        if not taken:
            return order
        order += taken
        at += timedelta(minutes=1)
        events = desk.resolve(taken[0], "sari", at=at)


def test_a_gold_customer_made_high_by_triage_is_served_before_an_earlier_regular_one() -> None:
    """The how-tos' "gold customers are served first": a regular chat at 09:00:00, a gold one
    at 09:00:05 made ``high`` by triage; the first free agent takes the gold one."""
    config = DeskConfig.from_dict(GOLD_FIRST)
    assert _served(config, [("REG", "regular", "normal", 0), ("GOLD", "gold", "normal", 5)]) == [
        "GOLD",
        "REG",
    ]


def test_priorities_go_in_order_and_arrival_orders_each_priority() -> None:
    arrivals = [
        ("L1", "regular", "low", 0),
        ("N1", "regular", "normal", 1),
        ("H1", "regular", "high", 2),
        ("N2", "regular", "normal", 3),
        ("U1", "regular", "urgent", 4),
        ("H2", "regular", "high", 5),
    ]
    assert _served(DeskConfig(), arrivals) == ["U1", "H1", "H2", "N1", "N2", "L1"]


@pytest.mark.parametrize(
    "setting",
    [{"bands": {"urgent": 0}}, {"bands": {"urgent": 0, "high": 1, "normal": 1, "low": 1}}],
)
def test_priorities_sharing_a_band_age_past_each_other_by_their_allowances(
    setting: dict[str, object],
) -> None:
    """One band for high, normal and low: a normal chat that waited 10 minutes goes before a
    high one that has just come in, unless the high one's allowance is shorter by more."""
    queue = {"name": "chat", "allowances": {"*:high": "PT2M"}, **setting}
    config = DeskConfig.from_dict({"queues": [queue]})
    # Normal at 09:00 (virtual due 09:10), high at 09:07 (due 09:09): high first.
    assert _served(config, [("N", "regular", "normal", 0), ("H", "regular", "high", 420)])[:1] == [
        "H"
    ]
    # High at 09:08:30 (due 09:10:30): the normal one has aged past it.
    assert _served(config, [("N", "regular", "normal", 0), ("H", "regular", "high", 510)])[:1] == [
        "N"
    ]


def test_the_default_bands_are_one_per_priority_urgent_first() -> None:
    bands = AgingKey().bands
    assert dict(bands) == dict(PRIORITY_BANDS)
    assert sorted(bands, key=bands.__getitem__) == [
        Priority.URGENT,
        Priority.HIGH,
        Priority.NORMAL,
        Priority.LOW,
    ]
    assert len(set(bands.values())) == 4
