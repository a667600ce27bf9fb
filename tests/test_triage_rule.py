"""The rule a triage names as deciding: the one that placed the ticket in its queue."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import attrs
import pytest

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.desk.triage import triage
from csflow.events import TicketAssigned
from csflow.policies import PolicyResult

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def assigned_reason(mode: str, rules: list[dict[str, Any]], tier: str) -> str:
    desk = Desk(
        DeskConfig.from_dict(
            {
                "queues": [{"name": "general"}, {"name": "vip"}],
                "triage": {"mode": mode, "rules": rules},
            }
        )
    )
    desk.add_agent(AgentProfile("ayu", capacity={"chat": 1}), at=T0, presence="available")
    events = desk.submit(Ticket("T1", Customer("c1", Tier(tier, 3)), "chat", T0), at=T0)
    (assigned,) = [e for e in events if isinstance(e, TicketAssigned)]
    return assigned.reason


DEFAULTS = {"name": "defaults", "then": {"queue": "general", "tags": ["seen"]}}
PLATINUM = {
    "name": "platinum",
    "when": {"field": "tier", "eq": "platinum"},
    "then": {"queue": "vip", "priority": "high"},
}
TAGGER = {"name": "tagger", "when": {"field": "channel", "eq": "chat"}, "then": {"tags": ["c"]}}


@pytest.mark.parametrize(
    ("mode", "rules", "tier", "named"),
    [
        # Defaults first, specific rules after: the specific rule's queue is kept.
        ("all", [DEFAULTS, PLATINUM], "platinum", "platinum"),
        ("all", [DEFAULTS, PLATINUM], "gold", "defaults"),
        # A rule that sets no queue does not take the credit for one that did.
        ("all", [DEFAULTS, PLATINUM, TAGGER], "platinum", "platinum"),
        ("all", [TAGGER, PLATINUM], "platinum", "platinum"),
        # No rule set a queue: the first rule that matched.
        ("all", [TAGGER], "gold", "tagger"),
        ("first", [PLATINUM, DEFAULTS], "platinum", "platinum"),
        ("first", [PLATINUM, DEFAULTS], "gold", "defaults"),
    ],
)
def test_the_assignment_names_the_rule_that_chose_the_queue(
    mode: str, rules: list[dict[str, Any]], tier: str, named: str
) -> None:
    assert assigned_reason(mode, rules, tier).endswith(f"(rule '{named}')")


def test_no_rule_is_named_when_the_queue_policy_chose_the_queue() -> None:
    base = DeskConfig.from_dict(
        {
            "queues": [{"name": "front"}, {"name": "vip"}],
            "triage": {"mode": "all", "rules": [DEFAULTS | {"then": {"queue": "front"}}, PLATINUM]},
        }
    )
    config = attrs.evolve(base, queue_policy=lambda ctx: PolicyResult("front", "policy: front"))
    tri = triage(config, Ticket("T1", Customer("c1", Tier("platinum", 3)), "chat", T0), T0)
    assert (tri.queue, tri.rule) == ("front", None)
    assert tri.reason.endswith("queue: policy: front")
