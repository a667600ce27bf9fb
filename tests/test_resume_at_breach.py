"""A clock paused exactly at its due instant breaches when work resumes -- while the ticket is
between two places (out of its agent's hands, not yet back in line).  The escalation that
breach asks for (a queue move, a priority raise) acts once the ticket is in place: the resume
is accepted, nothing is lost, and a refused command never changes the desk.

Every path that moves a ticket into line while its clocks may fire is covered: ``set_status``
open, a customer's message on a pending ticket, ``reopen``, ``transfer`` and ``escalate``
from on hold, and ``remove_agent`` (under a policy that pauses while assigned).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, CsflowError, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.events import (
    Event,
    SlaBreached,
    SlaEscalated,
    SlaWarning,
    TicketAssigned,
    TicketEscalated,
    TicketOverflowed,
    TicketPrioritized,
    TicketQueued,
    TicketTransferred,
)
from csflow.model import Priority
from csflow.testing import check_invariants

T0 = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)
DUE = T0 + timedelta(hours=1)
LATER = DUE + timedelta(minutes=5)

QUEUE_MOVE = {"queue": "finance", "notify": ["lead"]}
PRIORITY_RAISE = {"priority": "urgent"}


def config(then: dict[str, Any], pause_on: dict[str, list[str]] | None = None) -> DeskConfig:
    policy: dict[str, Any] = {
        "name": "std",
        "calendar": "24x7",
        "targets": {"resolution": "PT1H"},
        "warnings": [],
    }
    if pause_on is not None:
        policy["pause_on"] = pause_on
    return DeskConfig.from_dict(
        {
            "calendars": {"24x7": {"timezone": "Asia/Jakarta", "always_open": True}},
            "sla_policies": [policy],
            "default_sla_policy": "std",
            "queues": [{"name": "front"}, {"name": "finance"}, {"name": "tech"}],
            "routing_profiles": [
                {"name": "front", "queues": ["front"]},
                {"name": "finance", "queues": ["finance"]},
                {"name": "tech", "queues": ["tech"]},
            ],
            "teams": {
                "front": {"queue": "front", "routing_profile": "front"},
                "finance": {"queue": "finance", "routing_profile": "finance"},
                "tech": {"queue": "tech", "routing_profile": "tech"},
            },
            "escalation_rules": [
                {"name": "late", "when": {"field": "event", "eq": "breach"}, "then": then}
            ],
        }
    )


def snap(desk: Desk) -> str:
    return json.dumps(desk.snapshot(), sort_keys=True)


def on_hold_at_due(cfg: DeskConfig, status: str = "on_hold") -> Desk:
    """T-1 is with Sari; put on hold (or pending) exactly at its resolution due instant;
    Sari goes offline, so nobody can take it back at once."""
    desk = Desk(cfg)
    desk.add_agent(
        AgentProfile("sari", capacity={"chat": 1}, teams={"front"}), at=T0, presence="available"
    )
    desk.submit(Ticket("T-1", Customer("ayu", Tier("gold", 3)), "chat", T0), at=T0)
    assert desk.ticket("T-1").agent_id == "sari"
    desk.set_status("T-1", status, at=DUE)
    desk.set_presence("sari", "offline", at=DUE)
    return desk


def resume_open(desk: Desk) -> list[Event]:
    return desk.set_status("T-1", "open", at=LATER)


def resume_reopen(desk: Desk) -> list[Event]:
    desk.resolve("T-1", "sari", at=LATER)
    return desk.reopen("T-1", at=LATER)


def resume_transfer(desk: Desk) -> list[Event]:
    return desk.transfer("T-1", "tech", at=LATER)


def resume_escalate(desk: Desk) -> list[Event]:
    return desk.escalate("T-1", "tech", at=LATER)


RESUMES: dict[str, Callable[[Desk], list[Event]]] = {
    "set_status open": resume_open,
    "reopen": resume_reopen,
    "transfer to a team": resume_transfer,
    "escalate": resume_escalate,
}


#: The event that says the ticket is back in line (or handed over into its new queue).
BACK_IN_LINE: dict[str, type[Event]] = {
    "set_status open": TicketQueued,
    "reopen": TicketQueued,
    "transfer to a team": TicketTransferred,
    "escalate": TicketEscalated,
}


def index(events: list[Event], kind: type[Event]) -> int:
    return next(i for i, e in enumerate(events) if isinstance(e, kind))


def check_restorable(cfg: DeskConfig, desk: Desk) -> None:
    check_invariants(desk)
    again = Desk.restore(cfg, json.loads(snap(desk)))
    assert snap(again) == snap(desk)


@pytest.mark.parametrize("via", sorted(RESUMES))
def test_a_breach_at_resume_moves_the_ticket_once_it_is_back_in_line(via: str) -> None:
    cfg = config(QUEUE_MOVE)
    desk = on_hold_at_due(cfg)
    events = RESUMES[via](desk)
    # Accepted: the breach of the resumed clock, the ticket back in line, then the move.
    breach = index(events, SlaBreached)
    escalated = index(events, SlaEscalated)
    moved = index(events, TicketOverflowed)
    assert breach < escalated < moved
    assert index(events, BACK_IN_LINE[via]) < escalated
    esc = events[escalated]
    assert isinstance(esc, SlaEscalated)
    assert esc.skipped == ()
    move = events[moved]
    assert isinstance(move, TicketOverflowed)
    assert move.queue == "finance"
    view = desk.ticket("T-1")
    assert (view.state, view.queue) == ("queued", "finance")
    assert [e.ticket_id for e in desk.queue("finance")] == ["T-1"]
    check_restorable(cfg, desk)


@pytest.mark.parametrize("via", sorted(RESUMES))
def test_a_breach_at_resume_raises_the_priority_of_the_ticket_in_line(via: str) -> None:
    cfg = config(PRIORITY_RAISE)
    desk = on_hold_at_due(cfg)
    events = RESUMES[via](desk)
    assert index(events, SlaBreached) < index(events, SlaEscalated)
    assert index(events, BACK_IN_LINE[via]) < index(events, SlaEscalated)
    assert index(events, SlaEscalated) < index(events, TicketPrioritized)
    view = desk.ticket("T-1")
    assert view.state == "queued"
    assert view.ticket.priority == Priority.URGENT
    (entry,) = desk.queue(view.queue)
    assert entry.ticket is not None
    assert entry.ticket.priority == Priority.URGENT  # the waiting entry was re-keyed
    check_restorable(cfg, desk)


@pytest.mark.parametrize("then", [QUEUE_MOVE, PRIORITY_RAISE], ids=["move", "raise"])
def test_a_customer_message_on_a_pending_ticket_breaching_at_resume(then: dict[str, Any]) -> None:
    cfg = config(then)
    desk = on_hold_at_due(cfg, "pending")
    events = desk.customer_message("T-1", at=LATER)
    assert index(events, SlaBreached) < index(events, TicketQueued) < index(events, SlaEscalated)
    assert desk.ticket("T-1").state == "queued"
    check_restorable(cfg, desk)


@pytest.mark.parametrize("then", [QUEUE_MOVE, PRIORITY_RAISE], ids=["move", "raise"])
def test_a_transfer_to_an_agent_at_resume_keeps_the_ticket_with_that_agent(
    then: dict[str, Any],
) -> None:
    cfg = config(then)
    desk = on_hold_at_due(cfg)
    desk.add_agent(
        AgentProfile("budi", capacity={"chat": 1}, teams={"front"}), at=LATER, presence="available"
    )
    events = desk.transfer("T-1", "budi", at=LATER)
    assert index(events, TicketAssigned) < index(events, SlaEscalated)
    (esc,) = [e for e in events if isinstance(e, SlaEscalated)]
    view = desk.ticket("T-1")
    assert (view.state, view.agent_id) == ("assigned", "budi")
    if "queue" in then:
        # With an agent: it stays there, and the event says why the move was not made.
        assert "who keeps it" in esc.skipped[0]
    else:
        assert view.ticket.priority == Priority.URGENT
    check_restorable(cfg, desk)


@pytest.mark.parametrize("then", [QUEUE_MOVE, PRIORITY_RAISE], ids=["move", "raise"])
def test_an_agent_leaving_requeues_a_ticket_whose_clock_breaches_as_it_does(
    then: dict[str, Any],
) -> None:
    # Resolution pauses while assigned: Sari takes T-1 exactly at its due instant, so the
    # clock pauses with nothing left and breaches when her leaving puts it back in line.
    cfg = config(then, pause_on={"assigned": ["resolution"]})
    desk = Desk(cfg)
    desk.submit(Ticket("T-1", Customer("ayu", Tier("gold", 3)), "chat", T0), at=T0)
    desk.add_agent(
        AgentProfile("sari", capacity={"chat": 1}, teams={"front"}), at=DUE, presence="available"
    )
    assert desk.ticket("T-1").agent_id == "sari"
    events = desk.remove_agent("sari", at=LATER)
    assert index(events, SlaBreached) < index(events, SlaEscalated)
    view = desk.ticket("T-1")
    assert view.state == "queued"
    if "queue" in then:
        assert view.queue == "finance"
    else:
        assert view.ticket.priority == Priority.URGENT
    check_restorable(cfg, desk)


# -- random programs at the desk's own instants ------------------------------------------------

PROGRAM_CONFIG = DeskConfig.from_dict(
    {
        "calendars": {
            "24x7": {"timezone": "Asia/Jakarta", "always_open": True},
            "office": {
                "timezone": "Asia/Jakarta",
                "weekly": {d: [["09:00", "12:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
            },
        },
        "sla_policies": [
            {
                "name": "std",
                "calendar": "24x7",
                "targets": {"first_response": "PT10M", "resolution": "PT1H"},
                "warnings": [0.5],
            },
            {
                # Pauses where a desk rarely does: while waiting, and while assigned.
                "name": "odd",
                "calendar": "office",
                "targets": {"first_response": "PT20M", "resolution": "PT40M"},
                "pause_on": {
                    "queued": ["first_response"],
                    "assigned": ["resolution"],
                    "on_hold": ["resolution", "first_response"],
                    "pending": ["resolution"],
                },
            },
        ],
        "default_sla_policy": "std",
        "triage": {
            "rules": [
                {
                    "name": "odd",
                    "when": {"field": "category", "eq": "odd"},
                    "then": {"sla_policy": "odd"},
                }
            ]
        },
        "queues": [
            {"name": "front"},
            {"name": "finance", "key": "deadline", "fallback": "PT1H"},
            {"name": "tech"},
        ],
        "routing_profiles": [
            {"name": "front", "queues": ["front"]},
            {"name": "finance", "queues": ["finance", "front"]},
            {"name": "tech", "queues": ["tech"]},
        ],
        "teams": {
            "front": {"queue": "front", "routing_profile": "front"},
            "finance": {"queue": "finance", "routing_profile": "finance"},
            "tech": {"queue": "tech", "routing_profile": "tech"},
        },
        "escalation_rules": [
            {
                "name": "move",
                "when": {"field": "event", "eq": "breach"},
                "then": {"queue": "finance"},
            },
            {
                "name": "warn",
                "when": {"field": "event", "eq": "warning"},
                "then": {"priority": "high"},
            },
            {
                "name": "late fix",
                "when": {
                    "all": [
                        {"field": "event", "eq": "breach"},
                        {"field": "metric", "eq": "resolution"},
                    ]
                },
                "then": {"priority": "urgent", "tags": ["late"]},
            },
        ],
    }
)
AGENTS = ("a0", "a1", "a2")
TEAMS = ("front", "finance", "tech")
PROGRAM_START = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)  # Monday 09:00 in Jakarta

Cmd = tuple[str, Callable[[Desk, datetime], list[Event]]]


def _tickets(desk: Desk, *states: str) -> list[str]:
    return [t for t in desk.tickets() if desk.ticket(t).state in states]


def _instants(desk: Desk, now: datetime) -> list[datetime]:
    """The desk's next wakeup and every clock's due instant ahead: where breaches fall."""
    out = []
    wake = desk.next_wakeup()
    if wake is not None and wake >= now:
        out.append(wake)
    for tid in desk.tickets():
        for c in desk.clocks(tid).values():
            if c.due_at is not None and c.due_at >= now:
                out.append(c.due_at)
    return sorted(out)


def _draw_command(data: st.DataObject, desk: Desk, n: int) -> tuple[Cmd, bool]:
    """A command, and whether the desk must accept it (a resume or reopen of a ticket whose
    state allows it)."""
    kinds = ["submit", "agent", "presence", "remove", "advance", "priority"]
    working = _tickets(desk, "assigned", "pending", "on_hold")
    paused = _tickets(desk, "pending", "on_hold")
    if working:
        kinds += ["hold", "hold", "resolve", "reply", "handover", "handover"]
    if paused:
        kinds += ["resume", "resume", "resume", "message"]
    if _tickets(desk, "solved"):
        kinds += ["reopen", "reopen"]
    if _tickets(desk, "queued"):
        kinds += ["handover", "abandon"]
    kind = data.draw(st.sampled_from(kinds))
    if kind == "submit":
        cat = data.draw(st.sampled_from(["general", "odd"]))
        tier = data.draw(st.sampled_from([Tier("gold", 3), Tier("regular", 1)]))
        prio = data.draw(st.sampled_from(["low", "normal"]))
        tid = f"T{n}"
        return (
            f"submit({tid}, {cat})",
            lambda d, at: d.submit(
                Ticket(tid, Customer(f"c{n % 3}", tier), "chat", at, category=cat, priority=prio),
                at=at,
            ),
        ), False
    if kind == "agent":
        aid = data.draw(st.sampled_from(AGENTS))
        team = data.draw(st.sampled_from(TEAMS))
        cap = data.draw(st.integers(1, 2))
        presence = data.draw(st.sampled_from(["available", "offline"]))
        profile = AgentProfile(aid, capacity={"chat": cap}, teams={team})
        return (
            f"add_agent({aid}, {team}, {presence})",
            lambda d, at: d.add_agent(profile, at=at, presence=presence),
        ), False
    if kind in ("presence", "remove"):
        aid = data.draw(st.sampled_from(AGENTS))
        if kind == "remove":
            return (f"remove_agent({aid})", lambda d, at: d.remove_agent(aid, at=at)), False
        state = data.draw(st.sampled_from(["available", "offline"]))
        return (
            f"set_presence({aid}, {state})",
            lambda d, at: d.set_presence(aid, state, at=at),
        ), False
    if kind == "advance":
        return ("advance", lambda d, at: d.advance(at=at)), False
    if kind == "priority":
        tid = data.draw(st.sampled_from([*desk.tickets(), "T-none"]))
        prio = data.draw(st.sampled_from(["low", "high", "urgent"]))
        return (
            f"set_priority({tid}, {prio})",
            lambda d, at: d.set_priority(tid, prio, at=at),
        ), False
    if kind == "hold":
        tid = data.draw(st.sampled_from(working))
        status = data.draw(st.sampled_from(["pending", "on_hold"]))
        return (
            f"set_status({tid}, {status})",
            lambda d, at: d.set_status(tid, status, at=at),
        ), False
    if kind in ("resolve", "reply"):
        tid = data.draw(st.sampled_from(working))
        agent = desk.ticket(tid).agent_id or data.draw(st.sampled_from(AGENTS))
        if kind == "reply":
            return (f"reply({tid}, {agent})", lambda d, at: d.reply(tid, agent, at=at)), False
        return (f"resolve({tid}, {agent})", lambda d, at: d.resolve(tid, agent, at=at)), False
    if kind == "resume":
        tid = data.draw(st.sampled_from(paused))
        return (f"set_status({tid}, open)", lambda d, at: d.set_status(tid, "open", at=at)), True
    if kind == "message":
        tid = data.draw(st.sampled_from(paused))
        return (f"customer_message({tid})", lambda d, at: d.customer_message(tid, at=at)), True
    if kind == "reopen":
        tid = data.draw(st.sampled_from(_tickets(desk, "solved")))
        return (f"reopen({tid})", lambda d, at: d.reopen(tid, at=at)), True
    if kind == "abandon":
        tid = data.draw(st.sampled_from(_tickets(desk, "queued")))
        return (f"abandon({tid})", lambda d, at: d.abandon(tid, at=at)), False
    tid = data.draw(st.sampled_from(_tickets(desk, "queued", "assigned", "pending", "on_hold")))
    to = data.draw(st.sampled_from(TEAMS + AGENTS))
    if to in TEAMS and data.draw(st.booleans()):
        return (f"escalate({tid}, {to})", lambda d, at: d.escalate(tid, to, at=at)), False
    return (f"transfer({tid}, {to})", lambda d, at: d.transfer(tid, to, at=at)), False


@settings(max_examples=50)
@given(st.data())
def test_commands_at_the_desks_own_instants_keep_it_whole(data: st.DataObject) -> None:
    desk = Desk(PROGRAM_CONFIG)
    now = PROGRAM_START
    for n in range(data.draw(st.integers(5, 30), label="steps")):
        # Time moves to an instant where something falls due (not advanced first, as a
        # host that is late to its timer would), or by a little, or not at all.
        ahead = _instants(desk, now)
        how = data.draw(st.sampled_from(["due", "due", "due", "same", "step"]))
        if how == "due" and ahead:
            now = data.draw(st.sampled_from(ahead[:4]))
        elif how == "step":
            now += timedelta(minutes=data.draw(st.sampled_from([1, 5, 30, 90])))
        (name, run), must_accept = _draw_command(data, desk, n)
        before = snap(desk)
        refused: CsflowError | None = None
        try:
            run(desk, now)
        except CsflowError as exc:
            refused = exc
        if refused is not None:
            assert not must_accept, f"{name} at {now} was refused: {refused!r}"
            assert snap(desk) == before, f"refused {name} at {now} changed the desk: {refused!r}"
        check_invariants(desk)
    Desk.restore(PROGRAM_CONFIG, json.loads(snap(desk)))


def test_an_agent_taking_a_ticket_whose_clocks_fell_behind_escalates_at_the_warning() -> None:
    # The first response pauses while the ticket waits, so an agent taking it is a change
    # of status its clocks are told of: they catch up on the warning they passed, and the
    # priority it asks for is raised at the warning's instant, with the clocks there.
    cfg = DeskConfig.from_dict(
        {
            "calendars": {"24x7": {"timezone": "UTC", "always_open": True}},
            "sla_policies": [
                {
                    "name": "std",
                    "calendar": "24x7",
                    "targets": {"first_response": "PT20M", "resolution": "PT40M"},
                    "warnings": [0.5],
                    "pause_on": {"queued": ["first_response"]},
                }
            ],
            "default_sla_policy": "std",
            "escalation_rules": [
                {"name": "w", "when": {"field": "event", "eq": "warning"}, "then": PRIORITY_RAISE}
            ],
        }
    )
    desk = Desk(cfg)
    desk.submit(Ticket("T-1", Customer("ayu", Tier("gold", 3)), "chat", T0), at=T0)
    at = T0 + timedelta(minutes=30)
    events = desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=at, presence="available")
    (warning,) = [e for e in events if isinstance(e, SlaWarning)]
    (raised,) = [e for e in events if isinstance(e, TicketPrioritized)]
    assert warning.at == raised.at == T0 + timedelta(minutes=20)
    view = desk.ticket("T-1")
    assert (view.state, view.agent_id, view.ticket.priority) == (
        "assigned",
        "sari",
        Priority.URGENT,
    )
    check_restorable(cfg, desk)
