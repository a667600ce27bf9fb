"""Worked examples for behaviours a mutation sample showed untested: each test here fails for a
named mutant that survived the rest of the suite (the mutant is given in the test's docstring).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from csflow import (
    AgentProfile,
    Customer,
    Desk,
    DeskConfig,
    Metric,
    Priority,
    Ticket,
    TicketAssigned,
    TicketOverflowed,
    Tier,
    TransferLimitReached,
)
from csflow.desk import ticket_from_dict, ticket_to_dict
from csflow.errors import ConfigError
from csflow.events import SlaBreached, SlaWarning

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GOLD = Tier("gold", 3)
ALWAYS = {"timezone": "UTC", "always_open": True}


def _sla_doc(**extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "calendars": {"always": ALWAYS},
        "sla_policies": [
            {
                "name": "std",
                "calendar": "always",
                "targets": {"first_response": "PT1M", "resolution": "PT10M"},
            },
            {
                "name": "urgent",
                "calendar": "always",
                "targets": {"first_response": "PT30S", "resolution": "PT5M"},
            },
        ],
        "default_sla_policy": "std",
    }
    doc.update(extra)
    return doc


def _ticket(tid: str = "t1", channel: str = "chat", **kw: Any) -> Ticket:
    return Ticket(tid, Customer("c1", GOLD), channel, T0, **kw)


def _agent(desk: Desk, aid: str = "ana", at: datetime = T0, **kw: Any) -> None:
    kw.setdefault("capacity", {"chat": 2})
    desk.add_agent(AgentProfile(aid, **kw), at=at, presence="available")


def test_overflow_reports_the_wait_in_seconds() -> None:
    """Mutant: ``TicketOverflowed.waited`` divided by 10**18 instead of 10**6."""
    config = DeskConfig.from_dict(
        {
            "queues": [
                {"name": "front", "relaxation": [{"after": "PT90S", "overflow_to": "back"}]},
                {"name": "back"},
            ],
        }
    )
    desk = Desk(config)
    desk.submit(_ticket(), at=T0)
    events = desk.advance(at=T0 + timedelta(seconds=90))
    over = [e for e in events if isinstance(e, TicketOverflowed)]
    assert [(e.queue, e.waited) for e in over] == [("back", 90.0)]


def test_a_ticket_round_trip_keeps_the_preferred_agent() -> None:
    """Mutant: ``ticket_from_dict`` drops ``customer.preferred_agent``."""
    t = Ticket("t1", Customer("c1", GOLD, preferred_agent="ana"), "chat", T0)
    back = ticket_from_dict(ticket_to_dict(t))
    assert back.customer.preferred_agent == "ana"
    assert back == t


def test_from_dict_reads_capacity_limits_and_presence_states() -> None:
    """Mutants: ``DeskConfig.from_dict`` ignores ``capacity.limits`` and ``presence``."""
    config = DeskConfig.from_dict(
        {"capacity": {"limits": {"chat": 1}}, "presence": {"lunch": False, "backoffice": True}}
    )
    assert dict(config.capacity.limits) == {"chat": 1}
    assert config.presence.routable("backoffice") is True
    assert config.presence.routable("lunch") is False
    # The limit caps an agent whose own capacity is higher: the second chat waits.
    desk = Desk(config)
    _agent(desk, capacity={"chat": 3})
    desk.submit(_ticket("t1"), at=T0)
    events = desk.submit(_ticket("t2"), at=T0)
    assert [type(e).__name__ for e in events] == ["TicketQueued"]
    with pytest.raises(
        ConfigError, match=r"^presence state must be one of \[.*'lunch', 'offline'\], got 'brb'$"
    ):
        desk.set_presence("ana", "brb", at=T0)


def test_an_idle_agent_is_not_offered_a_channel_heavier_than_the_budget() -> None:
    """Mutant: the idle-agent fast path offers every channel with capacity, ignoring weight."""
    config = DeskConfig(capacity=_capacity(weights={"email": 5}, budget=3))
    desk = Desk(config)
    _agent(desk, capacity={"email": 1, "chat": 1})
    assert [type(e).__name__ for e in desk.submit(_ticket("e", "email"), at=T0)] == ["TicketQueued"]
    events = desk.submit(_ticket("c", "chat"), at=T0)
    assert [type(e).__name__ for e in events] == ["TicketQueued", "TicketAssigned"]


def _capacity(**kw: Any) -> Any:
    from csflow.lowlevel import CapacityRules

    return CapacityRules(**kw)


def test_the_routing_reason_names_the_signature_and_the_relaxation_step() -> None:
    """Mutants: ``RoutingReason.signature`` / ``step`` dropped or left at their defaults."""
    config = DeskConfig.from_dict(
        {"queues": [{"name": "q", "relaxation": [{"after": "PT1M", "proficiency": 1}]}]}
    )
    desk = Desk(config)
    _agent(desk, skills={"billing": 1})
    desk.submit(_ticket(required_skills={"billing": 4}), at=T0)
    events = desk.advance(at=T0 + timedelta(minutes=1))
    (assigned,) = [e for e in events if isinstance(e, TicketAssigned)]
    assert assigned.reason == (
        "ticket: longest_idle among 1 candidate in queue 'q' on [chat, billing>=1] "
        "after 1 relaxation step"
    )


def test_a_flagged_hand_over_past_the_limit_says_so() -> None:
    """Mutant: ``Desk._limit_event`` (the event of an ``on_limit: flag`` hand-over) untested."""
    config = DeskConfig.from_dict(
        {
            "queues": [{"name": "a"}, {"name": "b"}],
            "teams": {"a": {"queue": "a"}, "b": {"queue": "b"}},
            "transfers": {"max_transfers": 1, "on_limit": "flag"},
        }
    )
    desk = Desk(config)
    desk.submit(_ticket(), at=T0)
    first = desk.transfer("t1", "b", at=T0)
    assert not [e for e in first if isinstance(e, TransferLimitReached)]
    second = desk.transfer("t1", "a", at=T0 + timedelta(seconds=1))
    limits = [e for e in second if isinstance(e, TransferLimitReached)]
    assert limits == [TransferLimitReached(T0 + timedelta(seconds=1), "t1", 2, 1, False)]
    assert desk.ticket("t1").queue == "a"


def test_a_deadline_queue_orders_by_the_sla_due_instant() -> None:
    """Mutant: the desk passes ``due=None`` to a deadline queue's key (no fallback: refused)."""
    config = DeskConfig.from_dict(
        _sla_doc(
            queues=[{"name": "q", "key": "deadline"}],
            triage=[
                {
                    "name": "u",
                    "when": {"field": "priority", "eq": "high"},
                    "then": {"sla_policy": "urgent"},
                }
            ],
        )
    )
    desk = Desk(config)
    desk.submit(_ticket("late"), at=T0)  # due T0 + 1 min
    desk.submit(_ticket("soon", priority=Priority.HIGH), at=T0 + timedelta(seconds=10))  # +40 s
    assert [q.ticket_id for q in desk.queue("q")] == ["soon", "late"]


def test_a_priority_change_after_the_first_response_keeps_that_clock_met() -> None:
    """Mutant: ``recalculate`` restarts a clock already met (it would warn and breach again)."""
    config = DeskConfig.from_dict(_sla_doc(recalculation="restart"))
    desk = Desk(config)
    _agent(desk)
    desk.submit(_ticket(), at=T0)
    desk.reply("t1", "ana", at=T0 + timedelta(seconds=20))
    desk.set_priority("t1", "urgent", at=T0 + timedelta(seconds=30))
    clocks = desk.clocks("t1", T0 + timedelta(seconds=30))
    assert clocks[Metric.FIRST_RESPONSE].state == "met"
    assert clocks[Metric.FIRST_RESPONSE].elapsed == timedelta(seconds=20)
    later = desk.advance(at=T0 + timedelta(minutes=4))
    breached = [e.metric for e in later if isinstance(e, SlaBreached)]
    assert Metric.FIRST_RESPONSE not in breached


def test_a_status_change_exactly_at_the_deadline_neither_loses_nor_adds_time() -> None:
    """Untested edge: a pause at the due instant itself.  The clock has used exactly its
    target (not a microsecond more or less) and every warning threshold has been passed.
    (Whether the breach is due at that very instant is the SLA semantics page's to decide.)"""
    config = DeskConfig.from_dict(_sla_doc())
    desk = Desk(config)
    _agent(desk)
    desk.submit(_ticket(), at=T0)
    desk.reply("t1", "ana", at=T0 + timedelta(seconds=10))
    due = T0 + timedelta(minutes=10)
    before = desk.clocks("t1", due)[Metric.RESOLUTION]
    assert (before.due_at, before.remaining) == (due, timedelta(0))
    events = desk.set_status("t1", "pending", at=due)
    warned = {e.threshold for e in events if isinstance(e, SlaWarning)}
    assert warned == {0.5, 0.75, 0.9}
    after = desk.clocks("t1", due)[Metric.RESOLUTION]
    assert after.elapsed == timedelta(minutes=10)
    assert after.remaining == timedelta(0)
    # A microsecond earlier the clock still had a microsecond left.
    desk2 = Desk(config)
    _agent(desk2)
    desk2.submit(_ticket(), at=T0)
    desk2.reply("t1", "ana", at=T0 + timedelta(seconds=10))
    desk2.set_status("t1", "pending", at=due - timedelta(microseconds=1))
    early = desk2.clocks("t1", due)[Metric.RESOLUTION]
    assert early.remaining == timedelta(microseconds=1)
    assert early.state == "paused"
