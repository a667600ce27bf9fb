"""Lint warns of a queue ordered by SLA deadline without a fallback, and the warning is true:
such a queue refuses a ticket with no due instant, so the desk refuses to put one there."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from csflow import Customer, Desk, DeskConfig, Ticket
from csflow.errors import ConfigError
from csflow.lint import lint

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _doc(**finance: Any) -> dict[str, Any]:
    return {
        "tiers": [{"name": "regular", "rank": 0}],
        "queues": [{"name": "general"}, {"name": "finance", **finance}],
        "triage": [
            {
                "name": "refunds",
                "when": {"field": "category", "eq": "refund"},
                "then": {"queue": "finance"},
            },
            {"name": "rest", "when": {"not": {"field": "category", "eq": "refund"}},
             "then": {"queue": "general"}},
        ],
    }  # fmt: skip


@pytest.mark.parametrize(
    ("finance", "warned"),
    [
        ({"key": "deadline"}, True),
        ({"key": "deadline", "fallback": "PT1H"}, False),
        ({"key": "aging"}, False),
        ({}, False),
    ],
)
def test_a_deadline_queue_without_a_fallback_is_warned_of(
    finance: dict[str, Any], warned: bool
) -> None:
    config = DeskConfig.from_dict(_doc(**finance))
    found = [f for f in lint(config) if f.path == "queues[1].key"]
    if not warned:
        assert found == []
        return
    (finding,) = found
    assert finding.severity == "warning"
    assert "'finance'" in finding.message
    assert "fallback" in finding.message
    # What it warns of: a refund with no SLA policy is refused there, and nothing changes.
    desk = Desk(config)
    refund = Ticket("t1", Customer("c1", config.tiers["regular"]), "email", T0, category="refund")
    before = desk.snapshot()
    with pytest.raises(ConfigError, match="due instant"):
        desk.submit(refund, at=T0)
    assert desk.snapshot() == before


def test_with_the_fallback_the_same_ticket_waits_in_the_queue() -> None:
    config = DeskConfig.from_dict(_doc(key="deadline", fallback="PT1H"))
    desk = Desk(config)
    refund = Ticket("t1", Customer("c1", config.tiers["regular"]), "email", T0, category="refund")
    (queued,) = desk.submit(refund, at=T0)
    assert getattr(queued, "queue", None) == "finance"
    (entry,) = desk.queue("finance")
    assert entry.ticket_id == "t1"
    # ordered as if due an hour after it came: key (band, virtual due in µs, sequence)
    hour_later = T0 + timedelta(hours=1)
    assert entry.key[1] == int(hour_later.timestamp()) * 1_000_000
