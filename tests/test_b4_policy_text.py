"""A host's code policy cannot make a desk write what its own readers refuse.

A policy's reason goes into ``TicketQueued.reason`` and ``SlaEscalated.reason``, an
escalation's names into ``SlaEscalated.notify``/``tags`` and the ticket's tags; the event
reader and the snapshot reader hold each string to 65,536 characters.  A policy answer past
4,096 characters is refused like any other malformed answer, so every event the desk returns
reads back and every snapshot restores.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest

from csflow import Customer, Desk, DeskConfig, Ticket, Tier
from csflow.errors import ConfigError
from csflow.events import SlaEscalated, event_from_dict
from csflow.model import Priority
from csflow.policies import ESCALATION_POLICY_FAILED, Escalation, PolicyResult

T0 = datetime(2026, 3, 2, tzinfo=UTC)
BASE = {
    "calendars": {"a": {"timezone": "UTC", "always_open": True}},
    "sla_policies": [{"name": "p", "calendar": "a", "targets": {"first_response": "PT1M"}}],
    "default_sla_policy": "p",
    "queues": [{"name": "front"}],
}


def _ticket() -> Ticket:
    return Ticket("T", Customer("c", Tier("standard", 0)), "chat", T0)


def _reads_back(desk: Desk, config: DeskConfig, events: list[Any]) -> None:
    for e in events:
        assert event_from_dict(json.loads(json.dumps(e.to_dict()))).to_dict() == e.to_dict()
    restored = Desk.restore(config, json.loads(json.dumps(desk.snapshot())))
    assert restored.snapshot() == desk.snapshot()


@pytest.mark.parametrize("field", ["priority_policy", "queue_policy", "sla_selection"])
@pytest.mark.parametrize(("length", "refused"), [(4096, False), (4097, True), (70_000, True)])
def test_a_policy_reason_past_the_bound_is_refused(field: str, length: int, refused: bool) -> None:
    value = {"priority_policy": Priority.NORMAL, "queue_policy": "front", "sla_selection": "p"}
    answer = PolicyResult(value[field], "r" * length)
    change: dict[str, Any] = {field: lambda ctx: answer}
    config = attrs.evolve(DeskConfig.from_dict(BASE), **change)
    desk = Desk(config)
    before = desk.snapshot()
    if refused:
        with pytest.raises(ConfigError, match="reason must be at most 4,096 characters"):
            desk.submit(_ticket(), at=T0)
        assert desk.snapshot() == before  # nothing changed
    else:
        _reads_back(desk, config, desk.submit(_ticket(), at=T0))


@pytest.mark.parametrize(
    "answer",
    [
        lambda: PolicyResult(Escalation(notify=("n" * 70_000,)), "why"),
        lambda: PolicyResult(Escalation(tags=("t" * 4097,)), "why"),
        lambda: PolicyResult(Escalation(notify=("lead",)), "e" * 70_000),
    ],
)
def test_an_escalation_answer_past_the_bound_is_reported_as_a_failure(answer: Any) -> None:
    config = attrs.evolve(DeskConfig.from_dict(BASE), escalation_policy=lambda ctx: answer())
    desk = Desk(config)
    events = desk.submit(_ticket(), at=T0)
    events += desk.advance(at=T0 + timedelta(minutes=5))
    escalated = [e for e in events if isinstance(e, SlaEscalated)]
    assert escalated
    assert all(e.skipped[0].startswith(ESCALATION_POLICY_FAILED) for e in escalated)
    _reads_back(desk, config, events)


def test_the_longest_escalation_answer_reads_back() -> None:
    long = "n" * 4096
    config = attrs.evolve(
        DeskConfig.from_dict(BASE),
        escalation_policy=lambda ctx: PolicyResult(Escalation(notify=(long,), tags=(long,)), long),
    )
    desk = Desk(config)
    events = desk.submit(_ticket(), at=T0) + desk.advance(at=T0 + timedelta(minutes=5))
    escalated = [e for e in events if isinstance(e, SlaEscalated)]
    assert escalated
    assert all(e.notify == (long,) and e.reason == long for e in escalated)
    _reads_back(desk, config, events)
