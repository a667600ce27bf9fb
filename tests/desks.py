"""The seeds' desk as plain data: the one desk configuration the desk tests share.

An Indonesian e-commerce helpdesk: four tiers, three teams (front line, technical, finance) on
one escalation graph, a 24/7 SLA policy for VIPs and an office-hours one for everyone else.
:func:`seeds_desk_doc` returns it fresh (tests mutate it); a test that needs another shape of
the same desk names the parts it changes, so that what differs from the shared desk is written
at the call.  tests/conftest.py offers it as the ``seeds_doc`` and ``seeds_config`` fixtures.
:func:`busy_desk` runs a desk through most commands, for snapshots to restore and tamper with.
:func:`sla_desk` is a 24/7 desk with one SLA policy, and :func:`run_program` runs a random
program of ticket operations on a desk (the SLA cycle tests' driver).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from csflow.desk import Desk, DeskConfig
from csflow.errors import CsflowError
from csflow.events import Event
from csflow.model import AgentProfile, Customer, Ticket, Tier

__all__ = [
    "ALWAYS_OPEN",
    "FRONT_AND_BACK",
    "FRONT_FIN_TECH",
    "OFFICE_DAYS",
    "SEED_ESCALATION",
    "SEED_TEAMS",
    "SEED_TIERS",
    "THREE_TEAMS",
    "VIP_RULE",
    "ProgramStep",
    "busy_desk",
    "desk_op",
    "office_calendar",
    "run_program",
    "seeds_desk_doc",
    "sla_desk",
]

OFFICE_DAYS = ("mon", "tue", "wed", "thu", "fri")

SEED_TIERS: list[dict[str, Any]] = [
    {"name": "platinum", "rank": 4},
    {"name": "gold", "rank": 3},
    {"name": "silver", "rank": 2},
    {"name": "regular", "rank": 1},
]
ALWAYS_OPEN: dict[str, Any] = {"timezone": "Asia/Jakarta", "always_open": True}
#: Platinum and gold customers get the VIP SLA policy and a high priority.
VIP_RULE: dict[str, Any] = {
    "name": "vip",
    "when": {"field": "tier", "in": ["platinum", "gold"]},
    "then": {"sla_policy": "vip", "priority": "high"},
}
SEED_TEAMS: dict[str, Any] = {
    "front": {"queue": "front", "routing_profile": "front"},
    "technical": {"queue": "technical", "routing_profile": "technical"},
    "finance": {"queue": "finance", "routing_profile": "finance"},
}
SEED_ESCALATION: dict[str, Any] = {
    "teams": ["front", "technical", "finance"],
    "entry": ["front"],
    "edges": {"front": ["technical", "finance"]},
}


#: Three teams, each on a queue and routing profile of its own (the simulator's escalation
#: and sweep tests); desks add an escalation graph, transfers or triage by merging.
THREE_TEAMS: dict[str, Any] = {
    "queues": [{"name": "front"}, {"name": "tech"}, {"name": "fin"}],
    "routing_profiles": [
        {"name": "front", "queues": ["front"]},
        {"name": "tech", "queues": ["tech"]},
        {"name": "fin", "queues": ["fin"]},
    ],
    "teams": {
        "front": {"queue": "front", "routing_profile": "front"},
        "tech": {"queue": "tech", "routing_profile": "tech"},
        "fin": {"queue": "fin", "routing_profile": "fin"},
    },
}
#: An escalation graph over :data:`THREE_TEAMS`: the front line escalates to finance only,
#: finance to tech, so an escalation from the front line to tech is refused mid-run.
FRONT_FIN_TECH: dict[str, Any] = {
    "teams": ["front", "tech", "fin"],
    "entry": ["front"],
    "edges": {"front": ["fin"], "fin": ["tech"]},
}


def office_calendar(*spans: tuple[str, str], **extra: Any) -> dict[str, Any]:
    """Jakarta office hours, Monday to Friday, as calendar data.

    Args:
        spans: the day's opening spans (default one, 08:00-17:00).
        extra: other calendar keys (``holidays``, ...).
    """
    day = [list(span) for span in spans or (("08:00", "17:00"),)]
    return {"timezone": "Asia/Jakarta", "weekly": {d: list(day) for d in OFFICE_DAYS}, **extra}


def seeds_desk_doc(**changes: Any) -> dict[str, Any]:
    """The seeds' desk as plain data, a fresh copy, with *changes* replacing top-level keys."""
    data: dict[str, Any] = {
        "tiers": SEED_TIERS,
        "calendars": {"office": office_calendar(), "always": ALWAYS_OPEN},
        "sla_policies": [
            {
                "name": "vip",
                "calendar": "always",
                "targets": {"first_response": "PT1M", "resolution": "PT4H"},
            },
            {
                "name": "standard",
                "calendar": "office",
                "targets": {"first_response": "PT1H", "resolution": "PT8H"},
            },
        ],
        "default_sla_policy": "standard",
        "queues": [
            {"name": "front", "allowances": {"platinum": "PT30S", "gold": "PT2M"}},
            {"name": "technical"},
            {"name": "finance"},
        ],
        "routing_profiles": [
            {"name": "front", "queues": ["front"]},
            {"name": "technical", "queues": ["technical"]},
            {"name": "finance", "queues": ["finance"]},
        ],
        "triage": {"rules": [VIP_RULE]},
        "teams": SEED_TEAMS,
        "escalation": SEED_ESCALATION,
        "transfers": {"max_transfers": 3, "on_limit": "refuse"},
        "survey_delay": "PT1H",
    }
    data.update(changes)
    return copy.deepcopy(data)


# The seeds' desk with lunch breaks, next-response targets, a deadline-ordered technical queue
# that helps the front line after two minutes, a refunds rule, flagged transfers past two, and
# shared capacity.
def office_desk_doc(**changes: Any) -> dict[str, Any]:
    """The seeds' desk with office hours and the rest (above), a fresh copy, with *changes*
    replacing or adding top-level keys: the desk the stateful machines and the state-snapshot
    law run on."""
    doc = seeds_desk_doc(
        calendars={
            "office": office_calendar(("08:00", "12:00"), ("13:00", "17:00")),
            "always": ALWAYS_OPEN,
        },
        sla_policies=[
            {
                "name": "vip",
                "calendar": "always",
                "targets": {
                    "first_response": "PT2M",
                    "next_response": "PT5M",
                    "resolution": "PT4H",
                },
            },
            {
                "name": "standard",
                "calendar": "office",
                "targets": {
                    "first_response": "PT1H",
                    "next_response": "PT2H",
                    "resolution": "PT8H",
                },
            },
        ],
        queues=[
            {"name": "front", "allowances": {"platinum": "PT30S", "gold": "PT2M"}},
            {"name": "technical", "key": "deadline", "fallback": "PT1H"},
            {"name": "finance"},
        ],
        routing_profiles=[
            {"name": "front", "queues": ["front"]},
            {
                "name": "technical",
                "queues": ["technical", {"queue": "front", "priority": 2, "delay": "PT2M"}],
            },
            {"name": "finance", "queues": ["finance"]},
        ],
        triage={
            "rules": [
                VIP_RULE,
                {
                    "name": "refunds",
                    "when": {"field": "category", "eq": "refund"},
                    "then": {"queue": "finance"},
                },
            ]
        },
        transfers={"max_transfers": 2, "on_limit": "flag"},
        capacity={
            "weights": {"phone": 2, "chat": 1, "whatsapp": 1, "email": 1, "social": 1},
            "exclusive": ["phone"],
            "budget": 4,
        },
        survey_delay="PT30M",
    )
    doc.update(changes)
    return doc


def busy_desk(config: DeskConfig) -> Desk:
    """A desk of *config* (the seeds' desk or a variant) that went through most commands,
    starting on Monday 2 March 2026 at 09:00 in Jakarta: for snapshots to tamper with."""
    t0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=7), "WIB"))
    s, m = timedelta(seconds=1), timedelta(minutes=1)
    gold, regular = Tier("gold", 3), Tier("regular", 1)
    sari = AgentProfile("sari", {"orders": 4}, ["id", "en"], {"chat": 2, "phone": 1}, ["front"])
    dewi = AgentProfile("dewi", {}, ["id"], {"chat": 2}, ["finance"])
    desk = Desk(config)
    desk.add_agent(sari, at=t0, presence="available")
    desk.add_agent(dewi, at=t0)
    desk.set_presence("dewi", "available", at=t0)
    desk.submit(Ticket("t1", Customer("ayu", gold, "id"), "chat", t0), at=t0)
    desk.submit(Ticket("t2", Customer("c1", regular, "id"), "chat", t0 + s), at=t0 + s)
    desk.reply("t1", "sari", at=t0 + 40 * s)
    desk.escalate("t2", "finance", at=t0 + m)
    desk.set_status("t1", "pending", at=t0 + 2 * m)
    desk.customer_message("t1", at=t0 + 3 * m)
    desk.set_priority("t2", "urgent", at=t0 + 3 * m)
    desk.resolve("t2", "dewi", at=t0 + 4 * m)
    desk.advance(at=t0 + 2 * timedelta(hours=1))
    desk.reopen("t2", at=t0 + 2 * timedelta(hours=1))
    return desk


def busy_log() -> list[tuple[Any, ...]]:
    """:func:`busy_desk`'s commands as the log a desk kept before state snapshots, each
    ``(at_us, name, *args)``: what a ``csflow.desk/2`` snapshot held (and a restore still
    reads, by replay)."""
    t0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=7), "WIB"))
    epoch = datetime(1970, 1, 1, tzinfo=UTC)

    def us(seconds: int) -> int:
        return (t0 + timedelta(seconds=seconds) - epoch) // timedelta(microseconds=1)

    sari = AgentProfile("sari", {"orders": 4}, ["id", "en"], {"chat": 2, "phone": 1}, ["front"])
    dewi = AgentProfile("dewi", {}, ["id"], {"chat": 2}, ["finance"])
    t1 = Ticket("t1", Customer("ayu", Tier("gold", 3), "id"), "chat", t0)
    t2 = Ticket("t2", Customer("c1", Tier("regular", 1), "id"), "chat", t0 + timedelta(seconds=1))
    return [
        (us(0), "add_agent", sari, "available", None),
        (us(0), "add_agent", dewi, "offline", None),
        (us(0), "set_presence", "dewi", "available"),
        (us(0), "submit", t1),
        (us(1), "submit", t2),
        (us(40), "reply", "t1", "sari"),
        (us(60), "escalate", "t2", "finance"),
        (us(120), "set_status", "t1", "pending"),
        (us(180), "customer_message", "t1"),
        (us(180), "set_priority", "t2", "urgent"),
        (us(240), "resolve", "t2", "dewi"),
        (us(7200), "advance"),
        (us(7200), "reopen", "t2"),
    ]


# A front line and a back office, each team with its own queue: the simulator's tests run
# their traffic on it (tests/test_sim_crn.py, tests/test_sim_fold.py).
FRONT_AND_BACK: dict[str, Any] = {
    "tiers": [{"name": "gold", "rank": 1}, {"name": "regular", "rank": 0}],
    "queues": [{"name": "general"}, {"name": "back"}],
    "routing_profiles": [
        {"name": "front", "queues": ["general"]},
        {"name": "back", "queues": ["back"]},
    ],
    "teams": {
        "front": {"queue": "general", "routing_profile": "front"},
        "back": {"queue": "back", "routing_profile": "back"},
    },
}


def sla_desk(mode: str, targets: dict[str, object] | None = None, *, zone: str = "UTC") -> Desk:
    """A desk open around the clock in *zone* with one SLA policy ``p`` of *targets* (by
    default a first response of 5 minutes for urgent tickets only), recalculated by *mode*:
    the desk the SLA cycle tests run on."""
    return Desk(
        DeskConfig.from_dict(
            {
                "calendars": {"24x7": {"timezone": zone, "always_open": True}},
                "sla_policies": [
                    {
                        "name": "p",
                        "calendar": "24x7",
                        "targets": targets or {"first_response": {"urgent": "PT5M"}},
                    }
                ],
                "default_sla_policy": "p",
                "recalculation": mode,
            }
        )
    )


#: One step of a random desk program: the operation, the ticket, the minutes before it.
ProgramStep = tuple[str, str, int]


def desk_op(desk: Desk, op: str, ticket_id: str, agent: str, at: datetime) -> list[Event]:
    """Apply one operation of a random desk program to *ticket_id*: ``reply``, ``resolve``
    (by *agent*), ``message`` (the customer's), ``reopen``, a status (``pending``,
    ``on_hold``, ``open``), ``policy_<name>`` (its SLA policy), else a priority named *op*.
    Raises what the desk raises."""
    if op == "reply":
        return desk.reply(ticket_id, agent, at=at)
    if op == "message":
        return desk.customer_message(ticket_id, at=at)
    if op == "resolve":
        return desk.resolve(ticket_id, agent, at=at)
    if op == "reopen":
        return desk.reopen(ticket_id, at=at)
    if op in ("pending", "on_hold", "open"):
        return desk.set_status(ticket_id, op, at=at)
    if op.startswith("policy_"):
        return desk.set_sla_policy(ticket_id, op.removeprefix("policy_"), at=at)
    return desk.set_priority(ticket_id, op, at=at)


def run_program(
    desk: Desk,
    steps: Iterable[ProgramStep],
    start: datetime,
    *,
    feed: Callable[[list[Event]], None],
    done: Callable[[str, str, datetime], None],
    agent: str = "sari",
    swap: Callable[[str, Desk], tuple[Desk, list[Event]] | None] | None = None,
) -> tuple[Desk, datetime]:
    """Run a random desk program: before each step, time moves on by its minutes and the desk
    advances (its events to *feed*); ``wait`` does nothing more; *swap* may answer an
    operation with another desk (a restore) and its events; any other operation goes to
    :func:`desk_op`, and when the desk accepts it its events go to *feed* and the step to
    *done* (operation, ticket, instant).  A refused one changed nothing and is passed over.

    Returns:
        The desk at the end (the last one *swap* gave) and the last step's instant.
    """
    t = start
    for op, tid, minutes in steps:
        t += minutes * timedelta(minutes=1)
        feed(desk.advance(at=t))
        if op == "wait":
            continue
        try:
            swapped = swap(op, desk) if swap is not None else None
            if swapped is not None:
                desk, out = swapped
            else:
                out = desk_op(desk, op, tid, agent, t)
        except CsflowError:
            continue  # not possible now (a reply to a solved ticket ...): nothing changed
        feed(out)
        done(op, tid, t)
    return desk, t
