"""A ticket without an SLA due instant moved into a queue ordered by deadline with no fallback.

A :class:`~csflow.queues.DeadlineKey` without a ``fallback`` refuses such a ticket.  Every
command that would put one there -- a hand-over to the team, an escalation, a requeue, a
reopen, a resume, an agent leaving the desk -- raises a :class:`~csflow.errors.ConfigError`
naming the ticket and changes nothing: the snapshot before equals the snapshot after, the
desk's invariants hold, and the desk goes on serving the ticket where it was.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from csflow.desk import Desk, DeskConfig
from csflow.errors import ConfigError, CsflowError
from csflow.model import AgentProfile, Customer, Ticket, Tier
from csflow.testing import check_invariants
from desks import seeds_desk_doc

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=7)))
M = timedelta(minutes=1)
REGULAR = Tier("regular", 1)
REFUSED = r"DeadlineKey needs a due instant for ticket 't1', got None"


def _config() -> DeskConfig:
    """The seeds' desk with a technical queue ordered by deadline with no fallback, no default
    SLA policy, and a policy that sets only a first-response target (met by the first reply:
    the ticket then has no due instant)."""
    doc = seeds_desk_doc(
        queues=[{"name": "front"}, {"name": "technical", "key": "deadline"}, {"name": "finance"}],
        triage={
            "rules": [
                {
                    "name": "tech",
                    "when": {"field": "category", "eq": "tech"},
                    "then": {"queue": "technical", "sla_policy": "quick"},
                }
            ]
        },
    )
    del doc["default_sla_policy"]
    doc["sla_policies"].append(
        {"name": "quick", "calendar": "always", "targets": {"first_response": "PT1H"}}
    )
    return DeskConfig.from_dict(doc)


def _agent(name: str, team: str) -> AgentProfile:
    return AgentProfile(name, {}, [], {"chat": 2}, [team])


def _desk(category: str = "general", *, reply: bool = False) -> Desk:
    """Agent sari (front) or tess (technical) holds t1 of *category*, replied to if *reply*."""
    desk = Desk(_config())
    desk.add_agent(_agent("sari", "front"), at=T0, presence="available")
    desk.add_agent(_agent("tess", "technical"), at=T0, presence="available")
    ticket = Ticket("t1", Customer("c1", REGULAR), "chat", T0, category=category)
    desk.submit(ticket, at=T0)
    if reply:
        desk.reply("t1", desk.ticket("t1").agent_id or "", at=T0 + M)
    return desk


def _refused(desk: Desk, command: Callable[[Desk], Any]) -> None:
    before = desk.snapshot()
    with pytest.raises(ConfigError, match=REFUSED) as caught:
        command(desk)
    assert isinstance(caught.value, CsflowError)
    assert desk.snapshot() == before
    check_invariants(desk)


def test_transfer_of_a_ticket_without_sla_to_a_deadline_team_changes_nothing() -> None:
    desk = _desk()
    assert desk.ticket("t1").sla_policy is None
    _refused(desk, lambda d: d.transfer("t1", "technical", at=T0 + 2 * M))
    # The desk goes on: the ticket is still sari's, and can go to another team.
    view = desk.ticket("t1")
    assert (view.state, view.agent_id, view.queue, view.transfers) == (
        "assigned",
        "sari",
        "front",
        0,
    )
    desk.transfer("t1", "finance", at=T0 + 3 * M)
    assert (desk.ticket("t1").queue, desk.ticket("t1").transfers) == ("finance", 1)
    check_invariants(desk)


def test_escalation_of_a_ticket_without_sla_to_a_deadline_team_changes_nothing() -> None:
    desk = _desk()
    _refused(desk, lambda d: d.escalate("t1", "technical", at=T0 + 2 * M))
    assert desk.ticket("t1").agent_id == "sari"
    desk.escalate("t1", "finance", at=T0 + 3 * M)
    assert desk.ticket("t1").queue == "finance"
    check_invariants(desk)


def test_transfer_of_a_waiting_ticket_without_sla_changes_nothing() -> None:
    desk = _desk()
    desk.set_status("t1", "pending", at=T0 + M)
    desk.set_presence("sari", "offline", at=T0 + M)
    desk.set_status("t1", "open", at=T0 + 2 * M)  # waits in front: nobody there
    assert desk.ticket("t1").state == "queued"
    _refused(desk, lambda d: d.transfer("t1", "technical", at=T0 + 3 * M))
    assert desk.ticket("t1").queue == "front"


def test_a_met_clock_leaves_no_due_instant_for_a_requeue() -> None:
    desk = _desk("tech", reply=True)
    assert desk.ticket("t1").agent_id == "tess"
    _refused(desk, lambda d: d.requeue("t1", "tess", at=T0 + 2 * M))
    desk.resolve("t1", "tess", at=T0 + 3 * M)
    check_invariants(desk)


def test_reopen_without_a_due_instant_changes_nothing() -> None:
    desk = _desk("tech", reply=True)
    desk.resolve("t1", "tess", at=T0 + 2 * M)
    desk.set_presence("tess", "offline", at=T0 + 2 * M)  # so the reopen goes into line
    _refused(desk, lambda d: d.reopen("t1", at=T0 + 3 * M))
    assert desk.ticket("t1").state == "solved"


def test_resume_without_a_due_instant_changes_nothing() -> None:
    desk = _desk("tech", reply=True)
    desk.set_status("t1", "pending", at=T0 + 2 * M)
    desk.set_presence("tess", "offline", at=T0 + 2 * M)
    _refused(desk, lambda d: d.set_status("t1", "open", at=T0 + 3 * M))
    _refused(desk, lambda d: d.customer_message("t1", at=T0 + 3 * M))
    assert desk.ticket("t1").state == "pending"


def test_an_agent_leaving_with_such_a_ticket_changes_nothing() -> None:
    desk = _desk("tech", reply=True)
    _refused(desk, lambda d: d.remove_agent("tess", at=T0 + 2 * M))
    assert desk.ticket("t1").agent_id == "tess"
    # Once the ticket is solved the agent may leave.
    desk.resolve("t1", "tess", at=T0 + 3 * M)
    desk.remove_agent("tess", at=T0 + 3 * M)
    check_invariants(desk)


def test_a_ticket_with_a_due_instant_moves_as_before() -> None:
    desk = _desk("tech")
    desk.set_presence("tess", "offline", at=T0 + M)  # keeps t1 (first response not given)
    desk.transfer("t1", "front", at=T0 + M)
    events = desk.transfer("t1", "technical", at=T0 + 2 * M)
    assert [type(e).__name__ for e in events] == ["TicketTransferred"]
    view = desk.ticket("t1")
    assert (view.state, view.queue, view.transfers) == ("queued", "technical", 2)
    check_invariants(desk)
