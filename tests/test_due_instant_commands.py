"""Commands at the exact instant something falls due, without the host advancing first.

A host late to its timer sends its next command at (or after) the instant :meth:`Desk.next_wakeup`
named.  What is due exactly then fires inside that command; what fell due before it fires
first, each at its own instant.  The escalation such an SLA event asks for acts on the ticket
where it is, never before the desk was there, and never leaves the desk half changed: the
command is accepted (or refused with nothing changed), the desk's invariants hold, and
``next_wakeup()`` is never before the desk's own instant.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, CsflowError, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.events import (
    Event,
    SlaBreached,
    SlaEscalated,
    TicketAssigned,
    TicketOverflowed,
)
from csflow.testing import check_invariants

T0 = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)
GOLD = Tier("gold", 3)


def snap(desk: Desk) -> str:
    return json.dumps(desk.snapshot(), sort_keys=True)


def two_queues(targets: dict[str, str], to: str) -> DeskConfig:
    """Queues ``front`` and *to*, one team each; a breach moves the ticket to *to*."""
    return DeskConfig.from_dict(
        {
            "calendars": {"24x7": {"timezone": "Asia/Jakarta", "always_open": True}},
            "sla_policies": [
                {"name": "std", "calendar": "24x7", "targets": targets, "warnings": []}
            ],
            "default_sla_policy": "std",
            "queues": [{"name": "front"}, {"name": to}],
            "routing_profiles": [
                {"name": "front", "queues": ["front"]},
                {"name": to, "queues": [to]},
            ],
            "teams": {
                "front": {"queue": "front", "routing_profile": "front"},
                to: {"queue": to, "routing_profile": to},
            },
            "escalation_rules": [
                {"name": "late", "when": {"field": "event", "eq": "breach"}, "then": {"queue": to}}
            ],
        }
    )


def kinds(events: list[Event]) -> list[str]:
    return [type(e).__name__ for e in events]


# -- a customer's message at the due instant --------------------------------------------------


def test_a_customer_message_at_the_due_instant_breaches_moves_and_assigns() -> None:
    desk = Desk(two_queues({"first_response": "PT10M"}, "finance"))
    desk.submit(Ticket("T-1", Customer("ayu", GOLD), "chat", T0), at=T0)
    budi = AgentProfile("budi", capacity={"chat": 1}, teams={"finance"})
    desk.add_agent(budi, at=T0, presence="available")
    due = T0 + timedelta(minutes=10)
    assert desk.next_wakeup() == due

    events = desk.customer_message("T-1", at=due)

    assert kinds(events) == ["SlaBreached", "SlaEscalated", "TicketOverflowed", "TicketAssigned"]
    assert all(e.at == due for e in events)
    (moved,) = [e for e in events if isinstance(e, TicketOverflowed)]
    assert moved.queue == "finance"
    view = desk.ticket("T-1")
    assert (view.state, view.agent_id) == ("assigned", "budi")
    check_invariants(desk)
    assert desk.next_wakeup() is None or desk.next_wakeup() >= due  # type: ignore[operator]
    Desk.restore(desk.config, json.loads(snap(desk)))


def test_a_customer_message_at_the_due_instant_with_no_one_free_moves_the_ticket() -> None:
    desk = Desk(two_queues({"first_response": "PT10M"}, "finance"))
    desk.submit(Ticket("T-1", Customer("ayu", GOLD), "chat", T0), at=T0)
    due = T0 + timedelta(minutes=10)
    events = desk.customer_message("T-1", at=due)
    assert kinds(events) == ["SlaBreached", "SlaEscalated", "TicketOverflowed"]
    view = desk.ticket("T-1")
    assert (view.state, view.queue) == ("queued", "finance")
    check_invariants(desk)


# -- an agent leaving after a deadline passed unadvanced ---------------------------------------


def test_an_agent_leaving_past_a_deadline_catches_the_ticket_up_at_the_requeue() -> None:
    desk = Desk(two_queues({"resolution": "PT1H"}, "tech"))
    sari = AgentProfile("sari", capacity={"chat": 1}, teams={"front"})
    desk.add_agent(sari, at=T0, presence="available")
    desk.submit(Ticket("T-1", Customer("ayu", GOLD), "chat", T0), at=T0)
    assert desk.ticket("T-1").agent_id == "sari"
    left = T0 + timedelta(hours=2)

    events = desk.remove_agent("sari", at=left)

    # The breach fires at its own instant; the move it asks for acts at the requeue, once
    # the ticket is back in line -- not at the breach, when sari still held it.
    (breach,) = [e for e in events if isinstance(e, SlaBreached)]
    (esc,) = [e for e in events if isinstance(e, SlaEscalated)]
    (moved,) = [e for e in events if isinstance(e, TicketOverflowed)]
    assert breach.at == esc.at == T0 + timedelta(hours=1)
    assert moved.at == left
    assert moved.queue == "tech"
    assert kinds(events).index("TicketRequeued") < kinds(events).index("TicketOverflowed")
    assert desk.ticket("T-1").queue == "tech"
    joined = T0 + timedelta(hours=3)
    joko = AgentProfile("joko", capacity={"chat": 1}, teams={"tech"})
    taken = desk.add_agent(joko, at=joined, presence="available")
    (assigned,) = [e for e in taken if isinstance(e, TicketAssigned)]
    assert (assigned.agent_id, assigned.at) == ("joko", joined)
    assert desk.advance(at=T0 + timedelta(hours=4)) == []
    assert desk.ticket("T-1").agent_id == "joko"
    check_invariants(desk)


def test_the_next_advance_after_such_a_leave_does_not_raise() -> None:
    desk = Desk(two_queues({"resolution": "PT1H"}, "tech"))
    desk.add_agent(
        AgentProfile("sari", capacity={"chat": 1}, teams={"front"}), at=T0, presence="available"
    )
    desk.submit(Ticket("T-1", Customer("ayu", GOLD), "chat", T0), at=T0)
    desk.remove_agent("sari", at=T0 + timedelta(hours=2))
    desk.add_agent(
        AgentProfile("joko", capacity={"chat": 1}, teams={"tech"}),
        at=T0 + timedelta(hours=3),
        presence="available",
    )
    desk.advance(at=T0 + timedelta(hours=4))
    view = desk.ticket("T-1")
    assert (view.state, view.agent_id) == ("assigned", "joko")
    check_invariants(desk)


# -- a requeue that keeps its place past a routing delay ----------------------------------------


def test_a_requeue_past_a_routing_delay_leaves_no_wakeup_in_the_past() -> None:
    cfg = DeskConfig.from_dict(
        {
            "queues": [{"name": "front"}, {"name": "general"}],
            "routing_profiles": [
                {
                    "name": "p1",
                    "queues": [
                        {"queue": "front", "priority": 1},
                        {"queue": "general", "priority": 2, "delay": "PT3M"},
                    ],
                }
            ],
            "teams": {
                "front": {"queue": "front", "routing_profile": "p1"},
                "gen": {"queue": "general", "routing_profile": "p1"},
            },
        }
    )
    desk = Desk(cfg)
    a1 = AgentProfile("a1", capacity={"chat": 1}, teams={"front"})
    desk.add_agent(a1, at=T0, presence="available")
    desk.submit(Ticket("T1", Customer("c0", GOLD), "chat", T0), at=T0)
    desk.transfer("T1", "gen", at=T0)
    w = desk.next_wakeup()
    assert w == T0 + timedelta(minutes=3)
    desk.advance(at=w)
    assert desk.ticket("T1").agent_id == "a1"
    now = T0 + timedelta(minutes=10)
    events = desk.remove_agent("a1", at=now)
    assert "TicketRequeued" in kinds(events)
    wake = desk.next_wakeup()
    assert wake is None or wake >= now
    # The delay has passed for the requeued ticket: a2 of front's profile takes it at once.
    a2 = AgentProfile("a2", capacity={"chat": 1}, teams={"front"})
    taken = desk.add_agent(a2, at=now, presence="available")
    assert [(e.ticket_id, e.agent_id) for e in taken if isinstance(e, TicketAssigned)] == [
        ("T1", "a2")
    ]
    check_invariants(desk)


# -- clocks before 1970 ---------------------------------------------------------------------------


def test_clocks_default_to_the_desks_instant_before_1970() -> None:
    cfg = DeskConfig.from_dict(
        {
            "calendars": {"j": {"timezone": "Asia/Jakarta", "always_open": True}},
            "sla_policies": [
                {"name": "std", "calendar": "j", "targets": {"first_response": "PT1H"}}
            ],
            "default_sla_policy": "std",
        }
    )
    s = datetime(1969, 7, 20, 20, 17, tzinfo=UTC)
    desk = Desk(cfg)
    desk.submit(Ticket("T", Customer("c", Tier("g", 1)), "chat", s), at=s)
    later = s + timedelta(minutes=20)
    desk.advance(at=later)
    default = desk.clocks("T")["first_response"]
    assert default == desk.clocks("T", at=later)["first_response"]
    assert (default.state, default.elapsed) == ("running", timedelta(minutes=20))


# -- the property ----------------------------------------------------------------------------------

PAUSES: dict[str, dict[str, list[str]]] = {
    "none": {},
    "every": {
        "queued": ["first_response", "resolution"],
        "assigned": ["resolution"],
        "pending": ["first_response", "resolution"],
        "on_hold": ["first_response", "resolution"],
    },
}


def program_config(pauses: str) -> DeskConfig:
    return DeskConfig.from_dict(
        {
            "calendars": {"24x7": {"timezone": "Asia/Jakarta", "always_open": True}},
            "sla_policies": [
                {
                    "name": "std",
                    "calendar": "24x7",
                    "targets": {"first_response": "PT10M", "resolution": "PT40M"},
                    "warnings": [0.5],
                    "pause_on": PAUSES[pauses],
                }
            ],
            "default_sla_policy": "std",
            "queues": [{"name": "front"}, {"name": "finance"}, {"name": "tech"}],
            "routing_profiles": [
                {"name": "front", "queues": ["front"]},
                {
                    "name": "finance",
                    "queues": [
                        {"queue": "finance", "priority": 1},
                        {"queue": "front", "priority": 2, "delay": "PT3M"},
                    ],
                },
                {
                    "name": "tech",
                    "queues": [
                        {"queue": "tech", "priority": 1},
                        {"queue": "finance", "priority": 2, "delay": "PT5M"},
                    ],
                },
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
                    "then": {"queue": "finance", "priority": "urgent"},
                },
                {
                    "name": "warn",
                    "when": {"field": "event", "eq": "warning"},
                    "then": {"priority": "high", "queue": "tech"},
                },
            ],
        }
    )


CONFIGS = {name: program_config(name) for name in PAUSES}
AGENTS = ("a0", "a1", "a2")
TEAMS = ("front", "finance", "tech")
Run = Callable[[Desk, datetime], list[Event]]


def _with(desk: Desk, *states: str) -> list[str]:
    return [t for t in desk.tickets() if desk.ticket(t).state in states]


def _draw(data: st.DataObject, desk: Desk, n: int) -> tuple[str, Run]:
    kinds = ["submit", "submit", "agent", "presence", "remove", "priority"]
    live = _with(desk, "queued", "assigned", "pending", "on_hold")
    working = _with(desk, "assigned", "pending", "on_hold")
    if live:
        kinds += ["message", "message", "handover"]
    if working:
        kinds += ["hold", "resume", "reply", "resolve"]
    kind = data.draw(st.sampled_from(kinds))
    if kind == "submit":
        tid = f"T{n}"
        queue_hint = data.draw(st.sampled_from(["low", "normal"]))
        cust = Customer(f"c{n % 3}", GOLD)
        return f"submit({tid})", lambda d, at: d.submit(
            Ticket(tid, cust, "chat", at, priority=queue_hint), at=at
        )
    if kind == "agent":
        aid = data.draw(st.sampled_from(AGENTS))
        team = data.draw(st.sampled_from(TEAMS))
        profile = AgentProfile(aid, capacity={"chat": data.draw(st.integers(1, 2))}, teams={team})
        return f"add_agent({aid}, {team})", lambda d, at: d.add_agent(
            profile, at=at, presence="available"
        )
    if kind == "presence":
        aid = data.draw(st.sampled_from(AGENTS))
        state = data.draw(st.sampled_from(["available", "offline"]))
        return f"set_presence({aid}, {state})", lambda d, at: d.set_presence(aid, state, at=at)
    if kind == "remove":
        aid = data.draw(st.sampled_from(AGENTS))
        return f"remove_agent({aid})", lambda d, at: d.remove_agent(aid, at=at)
    if kind == "priority":
        tid = data.draw(st.sampled_from([*desk.tickets(), "T-none"]))
        prio = data.draw(st.sampled_from(["low", "high", "urgent"]))
        return f"set_priority({tid}, {prio})", lambda d, at: d.set_priority(tid, prio, at=at)
    if kind == "message":
        tid = data.draw(st.sampled_from(live))
        return f"customer_message({tid})", lambda d, at: d.customer_message(tid, at=at)
    if kind == "handover":
        tid = data.draw(st.sampled_from(live))
        to = data.draw(st.sampled_from(TEAMS + AGENTS))
        if to in TEAMS and data.draw(st.booleans()):
            return f"escalate({tid}, {to})", lambda d, at: d.escalate(tid, to, at=at)
        return f"transfer({tid}, {to})", lambda d, at: d.transfer(tid, to, at=at)
    tid = data.draw(st.sampled_from(working))
    if kind == "hold":
        status = data.draw(st.sampled_from(["pending", "on_hold"]))
        return f"set_status({tid}, {status})", lambda d, at: d.set_status(tid, status, at=at)
    if kind == "resume":
        return f"set_status({tid}, open)", lambda d, at: d.set_status(tid, "open", at=at)
    agent = desk.ticket(tid).agent_id or data.draw(st.sampled_from(AGENTS))
    if kind == "reply":
        return f"reply({tid}, {agent})", lambda d, at: d.reply(tid, agent, at=at)
    return f"resolve({tid}, {agent})", lambda d, at: d.resolve(tid, agent, at=at)


def _due_instants(desk: Desk, now: datetime) -> list[datetime]:
    out: list[datetime] = []
    for tid in desk.tickets():
        for c in desk.clocks(tid).values():
            if c.due_at is not None and c.due_at >= now:
                out.append(c.due_at)
    return sorted(out)


@settings(max_examples=60, deadline=None)
@given(st.data(), st.sampled_from(sorted(PAUSES)))
def test_commands_at_due_instants_without_advancing_keep_the_desk_whole(
    data: st.DataObject, pauses: str
) -> None:
    cfg = CONFIGS[pauses]
    desk = Desk(cfg)
    now = T0
    log: list[str] = []
    for n in range(data.draw(st.integers(5, 30), label="steps")):
        wake = desk.next_wakeup()
        how = data.draw(st.sampled_from(["wakeup", "wakeup", "due", "same", "advance"]))
        if how == "wakeup" and wake is not None:
            now = max(now, wake)  # the instant the desk named, not advanced to first
        elif how == "due":
            # A clock's own due instant, when nothing else falls due before it.
            ahead = [d for d in _due_instants(desk, now) if wake is None or d <= wake]
            if ahead:
                now = ahead[0]
        elif how == "advance":
            now += timedelta(minutes=data.draw(st.sampled_from([1, 3, 5, 20])))
            log.append(f"advance at {now}")
            desk.advance(at=now)
        name, run = _draw(data, desk, n)
        log.append(f"{name} at {now}")
        before = snap(desk)
        refused: CsflowError | None = None
        try:
            run(desk, now)
        except CsflowError as exc:
            refused = exc
        if refused is not None:
            assert snap(desk) == before, f"refused {name} changed the desk: {refused!r}\n{log}"
            # The router's own refusal reaching the host is the desk contradicting itself.
            assert "already waiting or held" not in str(refused), f"{name}: {refused!r}\n{log}"
        check_invariants(desk)
        wake = desk.next_wakeup()
        assert wake is None or wake >= now, f"next_wakeup {wake} before {now}\n{log}"
    Desk.restore(cfg, json.loads(snap(desk)))
