"""Snapshots taken while a routing timer is overdue keep what that timer still reads."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def _config(window_min: int | None, recency_min: int) -> DeskConfig:
    d: dict[str, Any] = {
        "queues": [{"name": "front", "relaxation": [{"after": "PT3M", "proficiency": 1}]}],
        "skills": ["billing"],
        "triage": {
            "rules": [
                {
                    "name": "bug",
                    "when": {"field": "category", "eq": "bug"},
                    "then": {"skills": {"billing": 3}},
                }
            ]
        },
        "strategies": ["preferred_agent", "longest_idle"],
        "affinity": {"recency": f"PT{recency_min}M"},
        "contacts": None if window_min is None else {"window": f"PT{window_min}M"},
    }
    return DeskConfig.from_dict(d)


def _story(config: DeskConfig, second_min: int, late_min: int) -> Desk:
    """A customer served at T0 writes again at T0+*second_min*: a ticket routable only after
    a 3-minute relaxation step; the host's next command comes at T0+*late_min*, no advance
    first (the relaxation step is overdue)."""
    desk = Desk(config)
    ayu = Customer("ayu", Tier("regular", 1))
    a1 = AgentProfile("a1", {"billing": 2}, capacity={"chat": 1})
    desk.add_agent(a1, at=T0, presence="available")
    desk.submit(Ticket("t1", ayu, "chat", T0), at=T0)
    a4 = AgentProfile("a4", {"billing": 2}, capacity={"chat": 1})
    desk.add_agent(a4, at=T0 + MINUTE / 2, presence="available")
    desk.resolve("t1", "a1", at=T0 + MINUTE)
    at2 = T0 + second_min * MINUTE
    desk.submit(Ticket("t2", ayu, "chat", at2, category="bug"), at=at2)
    desk.add_agent(AgentProfile("a9", capacity={"email": 1}), at=T0 + late_min * MINUTE)
    return desk


def test_an_overdue_assignment_reads_the_same_contacts_after_a_restore() -> None:
    config = _config(180, 120)
    desk = _story(config, 110, 360)
    copy = Desk.restore(config, json.loads(json.dumps(desk.snapshot())))
    later = T0 + 361 * MINUTE
    original = [e.to_dict() for e in desk.advance(at=later)]
    restored = [e.to_dict() for e in copy.advance(at=later)]
    assigned = [e for e in original if e["type"] == "TicketAssigned"]
    assert [(e["contacts"], e["last_contact_at"]) for e in assigned] == [
        (2, "2026-03-02T02:00:00+00:00")
    ]
    assert restored == original


@given(
    window=st.one_of(st.none(), st.integers(5, 400)),
    recency=st.integers(5, 400),
    second=st.integers(2, 300),
    late=st.integers(0, 2000),
)
def test_a_restore_while_a_routing_step_is_overdue_has_the_same_future(
    window: int | None, recency: int, second: int, late: int
) -> None:
    config = _config(window, recency)
    desk = _story(config, second, second + late)
    copy = Desk.restore(config, json.loads(json.dumps(desk.snapshot())))
    later = T0 + (second + late + 1) * MINUTE
    assert copy.advance(at=later) == desk.advance(at=later)
    assert copy.snapshot() == desk.snapshot()
    ayu = Customer("ayu", Tier("regular", 1))
    t3 = Ticket("t3", ayu, "chat", later)
    assert copy.submit(t3, at=later) == desk.submit(t3, at=later)
