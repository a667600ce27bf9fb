"""A desk's overflow into a queue ordered by SLA deadline: the ticket is ordered there by
its SLA due instant, as the queue orders its own tickets (the router, told no due instant
for a ticket of a queue that ages by allowance, keys it by the queue's fallback), and a
plan overflowing to such a queue without a fallback is refused with the config."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from csflow import Customer, Desk, DeskConfig, Ticket, Tier
from csflow._time import to_instant_us
from csflow.errors import ConfigError

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def document(fallback: str | None) -> dict[str, object]:
    general: dict[str, object] = {"name": "general", "key": "deadline"}
    if fallback is not None:
        general["fallback"] = fallback
    return {
        "calendars": {"always": {"timezone": "UTC", "always_open": True}},
        "sla_policies": [
            {"name": "fast", "calendar": "always", "targets": {"first_response": "PT20M"}}
        ],
        "default_sla_policy": "fast",
        "queues": [
            {"name": "vip", "relaxation": [{"after": "PT5M", "overflow_to": "general"}]},
            general,
        ],
    }


def test_an_overflowed_ticket_is_ordered_by_its_sla_due_instant() -> None:
    """By hand: ``old`` joins vip at 09:00 (first response due 09:20) and overflows at
    09:05; ``new`` joins vip at 09:01 (due 09:21) and overflows at 09:06.  In general each
    is keyed by its due instant, not by the 1 h fallback (10:00 and 10:01), nor by the aging
    key it had in vip (band 2, 09:10 and 09:11)."""
    desk = Desk(DeskConfig.from_dict(document("PT1H")))
    desk.submit(Ticket("old", Customer("c1", Tier("gold")), "chat", at(0)), at=at(0))
    desk.submit(Ticket("new", Customer("c2", Tier("gold")), "chat", at(60)), at=at(60))
    desk.advance(at=at(300))
    assert [e.ticket_id for e in desk.queue("general")] == ["old"]
    assert desk.queue("general")[0].key[:2] == (1, to_instant_us(at(1_200)))
    desk.advance(at=at(360))
    keys = {e.ticket_id: e.key[:2] for e in desk.queue("general")}
    assert keys == {"old": (1, to_instant_us(at(1_200))), "new": (1, to_instant_us(at(1_260)))}
    assert [e.ticket_id for e in desk.queue("general")] == ["old", "new"]


def test_a_desk_config_refuses_an_overflow_its_target_cannot_order() -> None:
    with pytest.raises(ConfigError) as info:
        DeskConfig.from_dict(document(None))
    assert info.value.path == "queues[0].relaxation[0].overflow_to"
