"""Routing, fourth review: signature lifetime, timers due together, and the last instant.

1. The agent pool keeps a requirement signature while a waiting ticket needs it, and at
   most ``_IDLE_SIGNATURES`` idle ones besides: tickets long gone leave nothing behind, and
   dropping a signature changes no decision (a pool that drops at once and one that never
   drops route the same random programs the same way).
2. Tickets whose relaxation timers fall due at one instant are routed in queue order.
3. Relaxation steps and profile delays due after year 9999 are due at the last instant;
   a step's ``after`` is bounded like a queue key's allowance.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import csflow.routing.pool as pool_module
from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow._time import MAX_US, utc
from csflow.errors import ConfigError
from csflow.events import TicketAssigned, TicketRelaxed
from csflow.queues import Signature, TicketQueue
from csflow.routing import (
    AgentPool,
    Assignment,
    PreferredAgent,
    QueueSlot,
    Relaxation,
    RelaxationStep,
    Router,
    RoutingProfile,
)
from csflow.routing.strategies import LongestIdle

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LAST = utc(MAX_US)
REGULAR = Customer("c", Tier("regular", 0))


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@contextmanager
def idle_bound(n: int) -> Iterator[None]:
    """The pool keeps at most *n* idle signatures inside the block."""
    old = pool_module._IDLE_SIGNATURES
    pool_module._IDLE_SIGNATURES = n
    try:
        yield
    finally:
        pool_module._IDLE_SIGNATURES = old


def check_signatures(router: Router) -> None:
    """The pool's signatures follow the waiting tickets, and each one's cached state is what
    registering it afresh would compute.

    Every waiting ticket's signature is registered, counting exactly the tickets that wait
    under it; every other registered signature is idle (at most ``_IDLE_SIGNATURES``); the
    members, availability counts and the agents' own signature maps agree with the agents.
    """
    pool = router.pool
    sigs = pool._sigs
    waiting: dict[Signature, int] = {}
    for e in router.waiting():
        waiting[e.signature] = waiting.get(e.signature, 0) + 1
    for sig, n in waiting.items():
        assert sig in sigs, f"{sig} has waiting tickets but is not registered"
        assert sigs[sig].refs == n
        assert sig not in pool._idle
    for sig, state in sigs.items():
        assert state.sig is sig
        if sig not in waiting:
            assert state.refs == 0
            assert sig in pool._idle, f"{sig} is registered, unused and not idle"
    assert set(pool._idle) <= set(sigs)
    assert len(pool._idle) <= pool_module._IDLE_SIGNATURES
    by_channel = {s for d in pool._sigs_by_channel.values() for s in d}
    assert by_channel == set(sigs)
    for sig, state in sigs.items():
        expect: dict[str, set[str]] = {}
        avail: dict[str, int] = {}
        for aid in pool:
            ag = pool.record(aid)
            if ag.caps.get(sig.channel, 0) > 0 and sig.admits(ag.profile):
                expect.setdefault(ag.group, set()).add(aid)
                if sig.channel in ag.takeable:
                    avail[ag.group] = avail.get(ag.group, 0) + 1
        got = {g: set(m) for g, m in state.members.items() if m}
        assert got == expect, f"{sig}: members {got} != {expect}"
        assert {g: n for g, n in state.avail.items() if n} == avail
    for aid in pool:
        ag = pool.record(aid)
        for mine in ag.sigs.values():
            for sig, state in mine.items():
                assert sigs.get(sig) is state, f"agent {aid} keeps a dropped {sig}"
                assert aid in state.members.get(ag.group, {})


# -- 1. signature lifetime -------------------------------------------------------------------


def test_signatures_of_tickets_gone_are_not_kept() -> None:
    """Thousands of tickets, each needing its own skill, abandoned and forgotten: the pool
    keeps the signatures of the tickets still waiting plus at most the idle bound."""
    desk = Desk(DeskConfig())
    desk.add_agent(AgentProfile("sari", skills={"sku-0": 3}, capacity={"chat": 1}), at=T0)
    n = 1200
    for i in range(n):
        t = T0 + timedelta(milliseconds=i)
        desk.submit(Ticket(f"T{i}", REGULAR, "chat", t, required_skills={f"sku-{i}": 1}), at=t)
        if i % 100:  # every hundredth ticket still waits
            desk.abandon(f"T{i}", at=t)
            desk.forget(f"T{i}", at=t)
    pool = desk._router.pool
    assert len(pool._sigs) < n // 2
    live = sum(1 for i in range(n) if i % 100 == 0)
    assert len(pool._sigs) == live + pool_module._IDLE_SIGNATURES
    check_signatures(desk._router)
    for i in range(0, n, 100):
        desk.abandon(f"T{i}", at=at(60))
    assert len(pool._sigs) == pool_module._IDLE_SIGNATURES
    assert len(pool._idle) == len(pool._sigs)
    check_signatures(desk._router)


def test_an_agent_meets_at_most_the_idle_bound_of_signatures_of_tickets_gone() -> None:
    """A specialist meets every two-skill signature; after thousands of tickets assigned at
    once and resolved, its own map of signatures is bounded too (every presence change and
    release walks it)."""
    desk = Desk(DeskConfig())
    skills = {f"p{i}": 3 for i in range(60)}
    desk.add_agent(
        AgentProfile("sari", skills=skills, capacity={"chat": 1}), at=T0, presence="available"
    )
    k = 0
    for i in range(60):
        for j in range(i + 1, 60):
            t = T0 + timedelta(milliseconds=k)
            tid = f"T{k}"
            ticket = Ticket(tid, REGULAR, "chat", t, required_skills={f"p{i}": 1, f"p{j}": 1})
            desk.submit(ticket, at=t)
            desk.resolve(tid, "sari", at=t)
            k += 1
    ag = desk._router.pool.record("sari")
    assert sum(len(s) for s in ag.sigs.values()) < k // 2
    assert sum(len(s) for s in ag.sigs.values()) <= pool_module._IDLE_SIGNATURES
    check_signatures(desk._router)


def test_a_signature_used_again_is_computed_afresh_with_agents_that_joined_meanwhile() -> None:
    pool = AgentPool()
    sig = Signature("chat", None, {"refunds": 2})
    assert pool.count_candidates(sig) == 0
    with idle_bound(1):
        pool.count_candidates(Signature("chat", None, {"orders": 1}))  # sig is dropped
        assert sig not in pool._sigs
        pool.add(
            AgentProfile("a", skills={"refunds": 3}, capacity={"chat": 1}),
            at=T0,
            presence="available",
        )
        assert pool.candidates(sig) == ["a"]
        assert pool.best(sig) == "a"


def test_a_pinned_signature_goes_with_its_last_ticket() -> None:
    router = Router(
        [TicketQueue("q")], strategies=[PreferredAgent(timedelta(minutes=5)), LongestIdle()]
    )
    for aid in ("a", "b"):
        router.add_agent(AgentProfile(aid, capacity={"chat": 1}), at=T0, presence="available")
    fan = Customer("fan", Tier("regular", 0), preferred_agent="a")
    assert router.submit(Ticket("t0", REGULAR, "chat", T0), at=T0) is not None  # to a
    router.submit(Ticket("t1", fan, "chat", T0), at=T0)  # a is busy: held for a
    pinned = router.where("t1")[1].signature
    assert pinned.agent == "a"
    assert pinned in router.pool._sigs
    router.remove("t1")
    assert pinned not in router.pool._sigs
    check_signatures(router)


# Random programs: a pool that drops idle signatures at once (a bound of 1) and one that
# never drops them make the same decisions, and the pool's signatures stay as the law says.

SKILLS = ("refunds", "orders")
LANGS = ("id", "en")
CHANNELS = ("chat", "email", "phone")


def random_program(seed: int, steps: int = 80) -> list[tuple[int, tuple[Any, ...]]]:
    """A program of router commands drawn from *seed* (a fuzzer's mix: agents come and go,
    tickets arrive, wait, relax, overflow, are held for a preferred agent, released)."""
    rng = random.Random(seed)
    out: list[tuple[int, tuple[Any, ...]]] = []
    for _ in range(steps):
        dt = rng.choice([0, 0, 1, 3, 7, 11, 20, 45])
        r = rng.random()
        cmd: tuple[Any, ...]
        if r < 0.1:
            skills = {s: rng.randint(2, 5) for s in rng.sample(SKILLS, rng.randint(0, 2))}
            langs = frozenset(rng.sample(LANGS, rng.randint(1, 2)))
            caps = {c: rng.randint(1, 2) for c in rng.sample(CHANNELS, rng.randint(1, 3))}
            presence = rng.choice(["available", "available", "away"])
            group = rng.choice(["front", "front", "back"])
            cmd = ("add", rng.randrange(6), skills, langs, caps, presence, group)
        elif r < 0.45:
            skills = {s: rng.randint(1, 5) for s in rng.sample(SKILLS, rng.randint(0, 2))}
            lang = rng.choice([None, None, *LANGS])
            queue = rng.choice(["front", "front", "back"])
            channel = rng.choice(CHANNELS)
            cmd = ("submit", channel, lang, skills, rng.randrange(4), queue, rng.randrange(4))
        elif r < 0.65:
            cmd = ("release", rng.randrange(6))
        elif r < 0.73:
            cmd = ("presence", rng.randrange(6), rng.choice(["available", "away"]))
        elif r < 0.76:
            cmd = ("remove_agent", rng.randrange(6))
        elif r < 0.84:
            cmd = ("abandon", rng.randrange(40))
        elif r < 0.88:
            cmd = ("callback", rng.randrange(40))
        else:
            cmd = ("count", rng.choice(CHANNELS), rng.choice(SKILLS))
        out.append((dt, cmd))
    return out


def new_router() -> Router:
    plan = Relaxation(
        (
            RelaxationStep(timedelta(seconds=20), proficiency=2),
            RelaxationStep(timedelta(seconds=40), any_language=True, drop=frozenset({"orders"})),
            RelaxationStep(timedelta(seconds=60), overflow_to="back"),
        )
    )
    profiles = [
        RoutingProfile("front", [QueueSlot("front"), QueueSlot("back", 2, timedelta(seconds=30))]),
        RoutingProfile("back", [QueueSlot("back")]),
    ]
    return Router(
        [TicketQueue("front"), TicketQueue("back")],
        profiles,
        strategies=[PreferredAgent(timedelta(seconds=30)), LongestIdle()],
        relaxation={"front": plan},
    )


def plain(value: Any) -> Any:
    """A decision as comparable plain values (no record objects)."""
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return repr(value)


def run(program: list[tuple[int, tuple[Any, ...]]], *, check: bool) -> list[Any]:
    router = new_router()
    customers = [
        Customer(f"c{i}", Tier("regular", 0), preferred_agent=[None, "a0", "a1", "a2"][i])
        for i in range(4)
    ]
    now = T0
    out: list[Any] = []
    n = 0
    for dt, cmd in program:
        now += timedelta(seconds=dt)
        out.append(plain(router.advance(now)))
        kind = cmd[0]
        if kind == "add":
            _, i, skills, langs, caps, presence, group = cmd
            if f"a{i}" in router.pool:
                continue
            profile = AgentProfile(f"a{i}", skills=skills, languages=langs, capacity=caps)
            got: Any = router.add_agent(profile, at=now, presence=presence, routing_profile=group)
        elif kind == "submit":
            _, channel, lang, skills, band, queue, cust = cmd
            ticket = Ticket(
                f"t{n}",
                customers[cust],
                channel,
                now,
                priority=["urgent", "high", "normal", "low"][band],
                language=lang,
                required_skills=skills,
            )
            n += 1
            got = router.submit(ticket, at=now, queue=queue)
        elif kind == "presence":
            if f"a{cmd[1]}" not in router.pool:
                continue
            got = router.set_presence(f"a{cmd[1]}", cmd[2], at=now)
        elif kind == "remove_agent":
            aid = f"a{cmd[1]}"
            if aid not in router.pool:
                continue
            got = [router.remove_agent(aid, at=now), router.release_pins(aid, at=now)]
        elif kind == "release":  # the agent's first ticket
            aid = f"a{cmd[1]}"
            if aid not in router.pool or not router.pool.status(aid).held:
                continue
            got = router.release(aid, router.pool.status(aid).held[0], at=now)
        elif kind in ("abandon", "callback"):
            tid = f"t{cmd[1]}"
            if tid not in {e.ticket_id for e in router.waiting()}:
                continue
            got = router.remove(tid) if kind == "abandon" else router.request_callback(tid, at=now)
        else:  # a question to the pool registers a signature nobody waits under
            _, channel, skill = cmd
            sig = Signature(channel, None, {skill: 2})
            got = [router.pool.count_candidates(sig), router.pool.best(sig)]
        out.append(plain(got))
        if check:
            check_signatures(router)
    out.append(plain(router.waiting()))
    return out


@settings(max_examples=100)
@given(st.integers(0, 2**32))
def test_dropping_signatures_changes_no_decision(seed: int) -> None:
    program = random_program(seed)
    with idle_bound(1):
        dropping = run(program, check=True)
    with idle_bound(10**9):
        keeping = run(program, check=False)
    assert dropping == keeping


# -- 2. timers due at one instant --------------------------------------------------------------


def tie_desk() -> Desk:
    config = DeskConfig.from_dict(
        {"queues": [{"name": "default", "relaxation": [{"after": "PT30S", "proficiency": 1}]}]}
    )
    desk = Desk(config)
    desk.add_agent(
        AgentProfile("eko", skills={"refunds": 1}, capacity={"chat": 1}),
        at=T0,
        presence="available",
    )
    return desk


@pytest.mark.parametrize("order", [("normal", "urgent"), ("urgent", "normal")])
def test_tickets_relaxed_at_one_instant_are_routed_in_queue_order(
    order: tuple[str, str],
) -> None:
    """Whatever order their timers were set in, the urgent ticket, first in the queue, is
    the one the agent who qualifies after the relaxation takes."""
    desk = tie_desk()
    for prio in order:
        ticket = Ticket(prio, REGULAR, "chat", T0, priority=prio, required_skills={"refunds": 3})
        desk.submit(ticket, at=T0)
    assert [e.ticket_id for e in desk.queue()] == ["urgent", "normal"]
    events = desk.advance(at=at(30))
    assert [(e.ticket_id, e.agent_id) for e in events if isinstance(e, TicketAssigned)] == [
        ("urgent", "eko")
    ]
    # Each ticket's relaxation comes before its assignment, tickets in queue order.
    relaxed = [
        (type(e).__name__, e.ticket_id)
        for e in events
        if isinstance(e, TicketRelaxed | TicketAssigned)
    ]
    assert relaxed == [
        ("TicketRelaxed", "urgent"),
        ("TicketAssigned", "urgent"),
        ("TicketRelaxed", "normal"),
    ]
    assert [e.ticket_id for e in desk.queue()] == ["normal"]


def test_a_router_advanced_late_takes_timers_instant_by_instant() -> None:
    """Two instants passed in one advance: the ticket due first is routed first, even when
    the one due later comes first in the queue."""
    plan_a = Relaxation((RelaxationStep(timedelta(seconds=10), proficiency=1),))
    plan_b = Relaxation((RelaxationStep(timedelta(seconds=20), proficiency=1),))
    router = Router([TicketQueue("q")])
    router.add_agent(
        AgentProfile("eko", skills={"refunds": 1}, capacity={"chat": 1}),
        at=T0,
        presence="available",
    )
    need = {"refunds": 3}
    router.submit(
        Ticket("late", REGULAR, "chat", T0, priority="urgent", required_skills=need),
        at=T0,
        relaxation=plan_b,
    )
    router.submit(
        Ticket("early", REGULAR, "chat", T0, priority="low", required_skills=need),
        at=T0,
        relaxation=plan_a,
    )
    changes = router.advance(at(30))
    assigned = [(c.ticket_id, c.agent_id) for c in changes if isinstance(c, Assignment)]
    assert assigned == [("early", "eko")]


def test_tickets_a_delay_lets_more_agents_serve_at_one_instant_go_in_queue_order() -> None:
    """Two tickets queued at one instant cross a profile's delay together: the one first in
    the queue goes to the agent the delay lets serve them, not the one queued first."""
    profiles = [
        RoutingProfile("front", [QueueSlot("front")]),
        RoutingProfile("help", [QueueSlot("help"), QueueSlot("front", 2, timedelta(minutes=2))]),
    ]
    router = Router([TicketQueue("front"), TicketQueue("help")], profiles)
    router.submit(Ticket("normal", REGULAR, "chat", T0, priority="normal"), at=T0)
    router.submit(Ticket("urgent", REGULAR, "chat", T0, priority="urgent"), at=T0)
    router.add_agent(
        AgentProfile("helper", capacity={"chat": 1}),
        at=T0,
        presence="available",
        routing_profile="help",
    )
    changes = router.advance(at(120))
    assert [(c.ticket_id, c.agent_id) for c in changes if isinstance(c, Assignment)] == [
        ("urgent", "helper")
    ]
    assert len(changes) == 1


# -- 3. the last instant -------------------------------------------------------------------


def test_a_relaxation_step_after_is_bounded_like_an_allowance() -> None:
    RelaxationStep(timedelta(days=36_525), proficiency=1)
    with pytest.raises(ConfigError, match=r"^after: must be at most 36,525 days") as err:
        RelaxationStep(timedelta(days=36_526), proficiency=1)
    assert err.value.path == "after"
    doc = {
        "queues": [
            {
                "name": "default",
                "relaxation": [
                    {"after": "PT2M", "proficiency": 1},
                    {"after": timedelta(days=3_000_000).total_seconds(), "drop": ["refunds"]},
                ],
            }
        ]
    }
    with pytest.raises(ConfigError, match="at most 36,525 days") as err:
        DeskConfig.from_dict(doc)
    assert err.value.path == "queues[0].relaxation[1].after"


def test_a_step_due_after_year_9999_is_due_at_the_last_instant() -> None:
    config = DeskConfig.from_dict(
        {"queues": [{"name": "default", "relaxation": [{"after": "P1D", "proficiency": 1}]}]}
    )
    desk = Desk(config)
    t9 = datetime(9999, 12, 31, 12, 0, tzinfo=UTC)
    desk.add_agent(
        AgentProfile("eko", skills={"refunds": 1}, capacity={"chat": 1}),
        at=t9,
        presence="available",
    )
    desk.submit(Ticket("T1", REGULAR, "chat", t9, required_skills={"refunds": 3}), at=t9)
    assert desk.next_routing_step() == LAST
    assert desk.next_wakeup() == LAST
    snapshot = json.loads(json.dumps(desk.snapshot()))
    events = desk.advance(at=LAST)
    assert [type(e).__name__ for e in events] == ["TicketRelaxed", "TicketAssigned"]
    assert desk.next_routing_step() is None
    restored = Desk.restore(config, snapshot)
    assert restored.next_wakeup() == LAST
    assert [type(e).__name__ for e in restored.advance(at=LAST)] == [
        "TicketRelaxed",
        "TicketAssigned",
    ]


def test_a_long_step_of_a_ticket_queued_near_the_end_is_due_at_the_last_instant() -> None:
    config = DeskConfig.from_dict(
        {
            "queues": [
                {
                    "name": "default",
                    "relaxation": [
                        {"after": "PT2M", "proficiency": 1},
                        {"after": timedelta(days=36_525).total_seconds(), "drop": ["refunds"]},
                    ],
                }
            ]
        }
    )
    desk = Desk(config)
    t = datetime(9950, 3, 2, 9, 0, tzinfo=UTC)
    desk.submit(Ticket("T1", REGULAR, "chat", t, required_skills={"refunds": 3}), at=t)
    desk.advance(at=t + timedelta(minutes=2))
    assert desk.next_routing_step() == LAST
    events = desk.advance(at=LAST)
    assert [type(e).__name__ for e in events] == ["TicketRelaxed"]
    assert desk.next_routing_step() is None


def test_a_profile_delay_past_year_9999_is_due_at_the_last_instant() -> None:
    config = DeskConfig.from_dict(
        {
            "queues": [{"name": "front"}, {"name": "technical"}],
            "routing_profiles": [
                {"name": "front", "queues": ["front"]},
                {
                    "name": "technical",
                    "queues": [
                        {"queue": "technical", "priority": 1},
                        {"queue": "front", "priority": 2, "delay": "PT2M"},
                    ],
                },
            ],
        }
    )
    desk = Desk(config)
    t9 = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    desk.add_agent(
        AgentProfile("tek", capacity={"chat": 1}),
        at=t9,
        presence="available",
        routing_profile="technical",
    )
    desk.submit(Ticket("T1", REGULAR, "chat", t9), at=t9)
    assert desk.next_routing_step() == LAST
    assert desk.next_wakeup() == LAST
    snapshot = json.loads(json.dumps(desk.snapshot(), default=str))
    events = desk.advance(at=LAST)
    assert [(e.ticket_id, e.agent_id) for e in events if isinstance(e, TicketAssigned)] == [
        ("T1", "tek")
    ]
    assert desk.next_routing_step() is None
    restored = Desk.restore(config, snapshot)
    assert restored.next_wakeup() == LAST
    assert [type(e).__name__ for e in restored.advance(at=LAST)] == ["TicketAssigned"]


def test_a_queue_view_crosses_at_the_last_instant() -> None:
    q = TicketQueue("q")
    t9 = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    entry = q.push(Ticket("T1", REGULAR, "chat", t9), at=t9)
    q.watch(timedelta(minutes=2))
    assert q.next_visible_at() == MAX_US
    assert q.peek(waited=timedelta(minutes=2), at=t9) is None
    assert q.peek(waited=timedelta(minutes=2), at=LAST) == entry
    assert q.refresh(LAST) == [(120_000_000, entry)]
    assert q.next_visible_at() is None
