"""A transfer (or an escalation) to the team whose queue an escalation policy moved the ticket
into while the ticket's clocks caught up to the command's instant: the hand-over has already
happened."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import pytest

from csflow import (
    Customer,
    Desk,
    DeskConfig,
    InvalidTransitionError,
    Ticket,
    TicketEscalated,
    TicketOverflowed,
    TicketTransferred,
    Tier,
)
from csflow.lowlevel import RuleEscalationPolicy

T0 = datetime(2026, 12, 12, 20, 0, tzinfo=UTC)

DOC = {
    "calendars": {"24x7": {"timezone": "Asia/Jakarta", "always_open": True}},
    "sla_policies": [{"name": "chat", "calendar": "24x7", "targets": {"first_response": "PT2M"}}],
    "default_sla_policy": "chat",
    "queues": [{"name": "general"}, {"name": "supervisors"}],
    "teams": {"front": {"queue": "general"}, "leads": {"queue": "supervisors"}},
}


def _desk(doc: Mapping[str, object] = DOC) -> Desk:
    base = DeskConfig.from_dict(doc)
    rules = RuleEscalationPolicy(
        [
            {
                "name": "breach",
                "when": {"field": "event", "eq": "breach"},
                "then": {"queue": "supervisors"},
            }
        ]
    )
    desk = Desk(
        DeskConfig(
            sla_policies=base.sla_policies,
            queues=base.queues,
            teams=base.teams,
            default_sla_policy="chat",
            escalation=base.escalation,
            escalation_policy=rules,
        )
    )
    desk.submit(Ticket("t1", Customer("c1", Tier("regular", 1)), "chat", T0), at=T0)
    return desk


def test_a_late_transfer_into_the_queue_an_escalation_moved_it_to_changes_nothing_more() -> None:
    # The breach at 2 min moves the ticket to the leads' queue; the transfer at 3 min, checked
    # against the ticket as it was (in the front team's queue), asked for what already happened.
    late = _desk()
    events = late.transfer("t1", "leads", at=T0 + timedelta(minutes=3))
    assert [e.queue for e in events if isinstance(e, TicketOverflowed)] == ["supervisors"]
    assert not [e for e in events if isinstance(e, TicketTransferred)]
    # The same as after an advance first, where the transfer is refused: the ticket keeps its
    # place (its queued instant) and no hand-over is counted.
    first = _desk()
    first.advance(at=T0 + timedelta(minutes=3))
    with pytest.raises(InvalidTransitionError, match="already waits"):
        first.transfer("t1", "leads", at=T0 + timedelta(minutes=3))
    assert late.ticket("t1") == first.ticket("t1")
    assert late.history("t1") == first.history("t1")
    # (The key's last part, the tie-break number, is drawn again when the ticket is routed at
    # the command's instant: its place in time is what is kept.)
    places = [[(q.ticket_id, q.key[:-1], q.queued_at_us) for q in d.queue()] for d in (late, first)]
    assert places[0] == places[1]
    assert late.snapshot()["state"]["transfers"] == first.snapshot()["state"]["transfers"] == {}
    assert late.queue("supervisors")[0].queued_at == T0


GRAPH = {
    **DOC,
    "escalation": {"teams": ["front", "leads"], "entry": ["front"], "edges": {"front": ["leads"]}},
}


def test_a_late_escalation_into_the_queue_an_escalation_moved_it_to_changes_nothing_more() -> None:
    # The same story with the escalation graph's front -> leads edge: the breach at 2 min moved
    # the ticket to the leads' queue before the escalation at 3 min applied.
    late = _desk(GRAPH)
    events = late.escalate("t1", "leads", at=T0 + timedelta(minutes=3))
    assert [e.queue for e in events if isinstance(e, TicketOverflowed)] == ["supervisors"]
    assert not [e for e in events if isinstance(e, TicketEscalated)]
    first = _desk(GRAPH)
    first.advance(at=T0 + timedelta(minutes=3))
    with pytest.raises(InvalidTransitionError, match="'leads' may not escalate to 'leads'"):
        first.escalate("t1", "leads", at=T0 + timedelta(minutes=3))
    assert late.ticket("t1") == first.ticket("t1")
    assert late.history("t1") == first.history("t1")
    places = [[(q.ticket_id, q.key[:-1], q.queued_at_us) for q in d.queue()] for d in (late, first)]
    assert places[0] == places[1]
    assert late.snapshot()["state"]["transfers"] == first.snapshot()["state"]["transfers"] == {}
    assert late.queue("supervisors")[0].queued_at == T0


def test_an_escalation_before_the_catch_up_moves_the_ticket_is_carried_out() -> None:
    # Before the breach the escalation is an ordinary one: counted, and the ticket re-queued.
    desk = _desk(GRAPH)
    events = desk.escalate("t1", "leads", at=T0 + timedelta(minutes=1))
    assert [(e.from_team, e.to_team) for e in events if isinstance(e, TicketEscalated)] == [
        ("front", "leads")
    ]
    assert desk.snapshot()["state"]["transfers"] == {"t1": 1}
