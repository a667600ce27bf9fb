"""Determinism without exceptions: no process-wide state changes a desk's answers.

Two desks built from the same configuration in one process, fed the same commands, must read
the same through every view -- every queue key included (its last part, the FIFO sequence
number, comes from a counter the desk owns, not one the whole process shares) -- and give the
same snapshot.  The desks run one after the other (so the second one starts with every cache
already warm) and interleaved command by command (so any shared counter would hand them
alternate numbers).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.desk import Desk, DeskConfig
from csflow.errors import CsflowError
from csflow.events import Event
from csflow.model import AgentProfile, Customer, Priority, Ticket, Tier
from csflow.testing import Command
from desks import ALWAYS_OPEN, office_calendar

WIB = timezone(timedelta(hours=7), "WIB")
START = datetime(2026, 3, 6, 15, 0, tzinfo=WIB)  # a Friday afternoon

CONFIG = DeskConfig.from_dict(
    {
        "tiers": [{"name": "gold", "rank": 3}, {"name": "regular", "rank": 1}],
        "calendars": {"office": office_calendar(), "always": ALWAYS_OPEN},
        "sla_policies": [
            {
                "name": "vip",
                "calendar": "always",
                "targets": {"first_response": "PT2M", "next_response": "PT5M"},
            },
            {
                "name": "standard",
                "calendar": "office",
                "targets": {"first_response": "PT1H", "resolution": "PT8H"},
            },
        ],
        "default_sla_policy": "standard",
        "queues": [
            {"name": "front", "allowances": {"gold": "PT2M"}},
            {"name": "technical", "key": "deadline", "fallback": "PT1H"},
        ],
        "routing_profiles": [
            {"name": "front", "queues": ["front"]},
            {
                "name": "technical",
                "queues": ["technical", {"queue": "front", "priority": 2, "delay": "PT2M"}],
            },
        ],
        "triage": {
            "rules": [
                {
                    "name": "vip",
                    "when": {"field": "tier", "eq": "gold"},
                    "then": {"sla_policy": "vip", "priority": "high"},
                },
                {
                    "name": "tech",
                    "when": {"field": "category", "eq": "tech"},
                    "then": {"queue": "technical"},
                },
            ]
        },
        "teams": {
            "front": {"queue": "front", "routing_profile": "front"},
            "technical": {"queue": "technical", "routing_profile": "technical"},
        },
        "escalation": {
            "teams": ["front", "technical"],
            "entry": ["front"],
            "edges": {"front": ["technical"]},
        },
    }
)

TIERS = [Tier("gold", 3), Tier("regular", 1)]
CHANNELS = ["phone", "chat", "email", "whatsapp"]
AGENTS = ["a0", "a1", "a2"]

steps = st.sampled_from([0, 0, 0, 1, 30, 90, 600, 3600])
picks = st.integers(0, 100)

# One step of a host, as plain data; :func:`_command` turns it into a desk command.
actions = st.one_of(
    st.tuples(
        st.just("submit"),
        steps,
        st.sampled_from(CHANNELS),
        st.sampled_from(list(Priority)),
        st.sampled_from(TIERS),
        st.sampled_from(["general", "general", "tech"]),
    ),
    st.tuples(
        st.just("add_agent"),
        steps,
        st.sampled_from(AGENTS),
        st.sets(st.sampled_from(CHANNELS), min_size=1),
        st.sets(st.sampled_from(["front", "technical"]), min_size=1),
    ),
    st.tuples(
        st.just("set_presence"),
        steps,
        picks,
        st.sampled_from(["available", "available", "available", "away", "offline"]),
    ),
    st.tuples(st.sampled_from(["reply", "resolve"]), steps, picks),
    st.tuples(st.sampled_from(["customer_message", "request_callback", "abandon"]), steps, picks),
    st.tuples(st.just("set_priority"), steps, picks, st.sampled_from(list(Priority))),
    st.tuples(st.just("transfer"), steps, picks, st.sampled_from(["front", "technical"])),
    st.tuples(st.just("advance"), st.sampled_from([30, 120, 900, 3600, 20 * 3600])),
)

# Every host starts with one broad agent at work, so that tickets get assigned from the start.
PRELUDE: list[tuple[Any, ...]] = [
    ("add_agent", 0, "a0", set(CHANNELS), {"front", "technical"}),
    ("set_presence", 0, 0, "available"),
]


def _command(action: tuple[Any, ...], n: int, desk: Desk) -> Command:
    """The *n*-th command of a host taking *action* on *desk* (which it only reads)."""
    name, dt, *rest = action
    at = (desk.now or START) + timedelta(seconds=dt)
    tickets = list(desk.tickets())
    # The ticket a ticket command acts on (for the other commands, unused).
    k = rest[0] if rest and type(rest[0]) is int else 0
    pick = tickets[k % len(tickets)] if tickets else "t-none"
    if name == "submit":
        channel, priority, tier, category = rest
        customer = Customer(f"c{n % 3}", tier)
        return Command(name, at, (Ticket(f"t{n}", customer, channel, at, priority, category),))
    if name == "add_agent":
        aid, channels, teams = rest
        profile = AgentProfile(aid, {"tech": 3}, {"id", "en"}, dict.fromkeys(channels, 2), teams)
        return Command(name, at, (profile,))
    if name == "set_presence":
        # Mostly an agent at the desk, sometimes one who is not (refused alike by both).
        agents = list(desk.agents()) if k % 5 else AGENTS
        return Command(name, at, (agents[k % len(agents)] if agents else "a0", rest[1]))
    if name in ("reply", "resolve"):
        agent = desk.ticket(pick).agent_id if pick in tickets else None
        return Command(name, at, (pick, agent or AGENTS[k % len(AGENTS)]))
    if name in ("set_priority", "transfer"):
        return Command(name, at, (pick, rest[1]))
    if name == "advance":
        return Command(name, at)
    return Command(name, at, (pick,))


def _run(cmd: Command, desk: Desk) -> list[Event] | str:
    """The events of *cmd* on *desk*, or the refusal's type and message."""
    try:
        return cmd.apply(desk)
    except CsflowError as exc:
        return f"{type(exc).__name__}: {exc}"


def _views(desk: Desk) -> tuple[Any, ...]:
    """Everything a host can read from *desk*, queue keys in full."""
    tickets = tuple(desk.tickets())
    agents = tuple(desk.agents())
    return (
        desk.now,
        desk.next_wakeup(),
        desk.waiting_count(),
        tickets,
        tuple(desk.ticket(t) for t in tickets),
        tuple(desk.clocks(t) for t in tickets),
        tuple(desk.history(t) for t in tickets),
        agents,
        tuple(desk.agent(a) for a in agents),
        tuple(desk.owned(a) for a in agents),
        tuple(
            (name, [(e.ticket_id, e.key, e.signature, e.queued_at_us, e.callback) for e in q])
            for name in desk.queue_names()
            for q in [desk.queue(name)]
        ),
        tuple((e.ticket_id, e.key) for e in desk.queue()),
        desk.snapshot(),
    )


def _host(actions_: list[tuple[Any, ...]]) -> tuple[list[Command], list[Any]]:
    """Play *actions_* on a fresh desk: the commands it sent and what it saw after each."""
    desk = Desk(CONFIG)
    commands: list[Command] = []
    seen: list[Any] = []
    for n, action in enumerate(PRELUDE + actions_):
        cmd = _command(action, n, desk)
        commands.append(cmd)
        seen.append((_run(cmd, desk), _views(desk)))
    return commands, seen


@settings(max_examples=100)
@given(st.lists(actions, min_size=1, max_size=30))
def test_two_desks_one_after_the_other_read_the_same(actions_: list[tuple[Any, ...]]) -> None:
    commands, first = _host(actions_)
    second = Desk(CONFIG)
    for cmd, (events, views) in zip(commands, first, strict=True):
        assert _run(cmd, second) == events, cmd
        assert _views(second) == views, cmd


@settings(max_examples=100)
@given(st.lists(actions, min_size=1, max_size=30))
def test_two_desks_fed_in_turn_read_the_same(actions_: list[tuple[Any, ...]]) -> None:
    a, b = Desk(CONFIG), Desk(CONFIG)
    for n, action in enumerate(PRELUDE + actions_):
        cmd = _command(action, n, a)
        assert _run(cmd, a) == _run(cmd, b), cmd
        assert _views(a) == _views(b), cmd


def test_two_desks_give_equal_queue_keys() -> None:
    """The example from the issue: one ticket each, the same key, sequence number included."""
    a, b = Desk(CONFIG), Desk(CONFIG)
    for desk in (a, b):
        customer = Customer("c1", TIERS[1])
        desk.submit(Ticket("t1", customer, "chat", START), at=START)
    assert a.queue()[0].key == b.queue()[0].key
    assert a.queue()[0].key[2] == 0
