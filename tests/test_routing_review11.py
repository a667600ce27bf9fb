"""Routing and queues, eleventh review.

1. A preferred-agent hold ends when an overflow moves the ticket to a queue its agent does
   not serve (the ticket is routed to whoever can take it now); one whose agent serves the
   new queue is kept.
2. Read-only queue questions about many ``waited`` values keep at most a few delay views;
   the views a router watches stay.
3. More requirement signatures in rotation than the pool keeps idle: the idle bound grows
   (within a memory budget) instead of recomputing every signature over every agent.
4. ``Router.submit`` refuses a non-bool ``route`` and a non-string ``last_agent``.
5. ``reprioritize`` refuses a ticket whose requirements changed.
6. The queue's default relaxation plan is not checked again on every submit.
7. One late ``advance`` takes routing-delay crossings and timers in time order.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import csflow.queues.queue as queue_module
import csflow.routing.pool as pool_module
import csflow.routing.router as router_module
from csflow import AgentProfile, Customer, Priority, Ticket, Tier
from csflow._time import to_instant_us, utc
from csflow.errors import ConfigError
from csflow.queues import TicketQueue
from csflow.routing import (
    Assignment,
    LongestIdle,
    PreferredAgent,
    QueueSlot,
    Relaxation,
    RelaxationStep,
    Router,
    RoutingProfile,
)
from csflow.routing.decisions import Overflowed, PinReleased
from csflow.routing.profiles import check_plan

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GOLD = Customer("c", Tier("gold", 2))


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


# -- 1. a hold through an overflow -----------------------------------------------------------


def overflow_router(yuni_serves_general: bool) -> Router:
    """yuni (refunds only, or refunds and general) is busy; gita serves general and is free;
    ani prefers yuni and waits in refunds, which overflows to general after a minute."""
    seq = itertools.count()
    yuni_slots = [QueueSlot("refunds")] + ([QueueSlot("general")] if yuni_serves_general else [])
    router = Router(
        [TicketQueue("refunds", sequence=seq), TicketQueue("general", sequence=seq)],
        [
            RoutingProfile("refund-team", yuni_slots),
            RoutingProfile("generalists", [QueueSlot("general")]),
        ],
        strategies=(PreferredAgent(timeout=timedelta(minutes=10)), LongestIdle()),
        relaxation={
            "refunds": Relaxation((RelaxationStep(timedelta(minutes=1), overflow_to="general"),))
        },
    )
    router.add_agent(
        AgentProfile("yuni", capacity={"chat": 1}),
        at=T0,
        presence="available",
        routing_profile="refund-team",
    )
    assert router.submit(Ticket("busy-1", GOLD, "chat", T0), at=T0, queue="refunds") is not None
    router.add_agent(
        AgentProfile("gita", capacity={"chat": 1}),
        at=T0,
        presence="available",
        routing_profile="generalists",
    )
    ani = Customer("ani", Tier("gold", 2), preferred_agent="yuni")
    assert router.submit(Ticket("T-1", ani, "chat", T0), at=T0, queue="refunds") is None
    assert router.where("T-1")[1].signature.agent == "yuni"  # held for yuni
    return router


def test_a_hold_ends_when_an_overflow_moves_the_ticket_where_its_agent_does_not_serve() -> None:
    router = overflow_router(yuni_serves_general=False)
    changes = router.advance(at(60))
    assert [type(c) for c in changes] == [Overflowed, PinReleased, Assignment]
    released = changes[1]
    assert isinstance(released, PinReleased)
    assert released.agent_id == "yuni"
    got = changes[2]
    assert isinstance(got, Assignment)
    assert (got.ticket_id, got.agent_id) == ("T-1", "gita")
    assert router._pinned == {}
    assert router._passed == {}
    assert router.next_step_at() is None  # no stale hold timer left behind


def test_a_hold_whose_agent_serves_the_overflow_queue_is_kept() -> None:
    router = overflow_router(yuni_serves_general=True)
    changes = router.advance(at(60))
    assert [type(c) for c in changes] == [Overflowed]
    queue, entry = router.where("T-1")
    assert (queue, entry.signature.agent) == ("general", "yuni")
    (got,) = router.release("yuni", "busy-1", at=at(120))
    assert (got.ticket_id, got.agent_id) == ("T-1", "yuni")


# -- 2. delay views made by questions --------------------------------------------------------


def brute_heads(q: TicketQueue, waited_us: int, at_us: int, limit: int) -> list[str]:
    """The *limit* first tickets that have waited *waited_us* at *at_us*, by hand."""
    ok = sorted((e for e in q if e.queued_at_us + waited_us <= at_us), key=lambda e: e.key)
    return [e.ticket_id for e in ok[:limit]]


@given(
    st.lists(st.integers(1, 600), min_size=1, max_size=40),
    st.integers(0, 900),
)
def test_questions_about_many_waited_values_keep_few_views(waits: list[int], asked_at: int) -> None:
    q = TicketQueue("q")
    q.watch(timedelta(seconds=30))  # a router's delay: its view stays
    for i in range(20):
        q.push(Ticket(f"t{i}", GOLD, "chat", at(i * 20)), at=at(i * 20))
    now = at(asked_at)
    now_us = to_instant_us(now)
    for w in waits:
        got = [e.ticket_id for e in q.heads(limit=3, waited=timedelta(seconds=w), at=now)]
        assert got == brute_heads(q, w * 10**6, now_us, 3)
        assert len(q._views) <= queue_module._SPARE_VIEWS + 1
    assert 30 * 10**6 in q._views


@given(st.lists(st.tuples(st.integers(1, 120), st.integers(0, 600)), min_size=1, max_size=30))
def test_a_question_answers_as_a_fresh_queue_whatever_was_asked_before(
    questions: list[tuple[int, int]],
) -> None:
    """Instants may come out of order: a question about an earlier instant than one asked
    before sees only the tickets that had waited long enough then."""
    q = TicketQueue("q")
    for i in range(10):
        q.push(Ticket(f"t{i}", GOLD, "chat", at(i * 30)), at=at(i * 30))
    for w, asked in questions:
        fresh = TicketQueue("fresh")
        for e in q:
            assert e.ticket is not None
            fresh.push(e.ticket, at=utc(e.queued_at_us))
        wait, now = timedelta(seconds=w), at(asked)
        got = q.peek(waited=wait, at=now)
        expect = fresh.peek(waited=wait, at=now)
        assert (got and got.ticket_id) == (expect and expect.ticket_id)
        assert [e.ticket_id for e in q.heads(limit=4, waited=wait, at=now)] == brute_heads(
            q, w * 10**6, to_instant_us(now), 4
        )


def test_a_watched_view_still_reports_its_crossings_after_many_questions() -> None:
    q = TicketQueue("q")
    q.watch(timedelta(seconds=30))
    q.push(Ticket("a", GOLD, "chat", T0), at=T0)
    for n in range(1, 50):
        q.peek(waited=timedelta(seconds=n), at=at(10))
    assert len(q._views) <= queue_module._SPARE_VIEWS + 1
    assert [(d, e.ticket_id) for d, e in q.refresh(at(30))] == [(30 * 10**6, "a")]


# -- 3. signatures in rotation ---------------------------------------------------------------


@contextmanager
def pool_bounds(idle: int, members: int) -> Iterator[None]:
    old = pool_module._IDLE_SIGNATURES, pool_module._IDLE_MEMBERS
    pool_module._IDLE_SIGNATURES, pool_module._IDLE_MEMBERS = idle, members
    try:
        yield
    finally:
        pool_module._IDLE_SIGNATURES, pool_module._IDLE_MEMBERS = old


SKILLS = [f"s{i}" for i in range(6)]
#: Twelve distinct two-skill requirements.
REQUIREMENTS = [{a: 1, b: 1} for a, b in itertools.combinations(SKILLS, 2)][:12]


def rotation_router(agents: int) -> Router:
    router = Router([TicketQueue("q")])
    for i in range(agents):
        profile = AgentProfile(f"a{i}", skills=dict.fromkeys(SKILLS, 3), capacity={"chat": 999})
        router.add_agent(profile, at=T0, presence="available")
    return router


def rotate(router: Router, passes: int, first: int = 0) -> list[str]:
    out = []
    n = first
    for _ in range(passes):
        for req in REQUIREMENTS:
            got = router.submit(Ticket(f"t{n}", GOLD, "chat", T0, required_skills=req), at=T0)
            assert got is not None
            out.append(got.agent_id)
            n += 1
    return out


def test_signatures_in_rotation_beyond_the_idle_bound_stay_when_costly() -> None:
    agents = pool_module._COSTLY_SCAN
    with pool_bounds(idle=8, members=10**6):
        router = rotation_router(agents)
        rotate(router, 3)
        # Twelve signatures in rotation, eight kept idle at first: the ones that came back
        # after being dropped grew the bound, so all twelve stay.
        assert len(router.pool._sigs) == len(REQUIREMENTS)
        before = dict(router.pool._sigs)
        rotate(router, 1, first=1000)
        assert router.pool._sigs == before  # none computed afresh


def test_the_grown_idle_bound_stays_within_its_memory_budget() -> None:
    agents = pool_module._COSTLY_SCAN
    with pool_bounds(idle=8, members=agents * 10):
        router = rotation_router(agents)
        rotate(router, 4)
        assert len(router.pool._sigs) <= 10


def test_a_grown_idle_bound_changes_no_decision() -> None:
    agents = pool_module._COSTLY_SCAN
    with pool_bounds(idle=8, members=10**6):
        grown = rotate(rotation_router(agents), 4)
    with pool_bounds(idle=8, members=0):
        fixed = rotate(rotation_router(agents), 4)
    assert grown == fixed


# -- 4. submit's flags -----------------------------------------------------------------------


def one_agent_router() -> Router:
    router = Router([TicketQueue("q")])
    router.add_agent(AgentProfile("a", capacity={"chat": 1}), at=T0, presence="available")
    return router


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"route": "no"}, "route"),
        ({"route": 1}, "route"),
        ({"route": None}, "route"),
        ({"last_agent": 5}, "last_agent"),
        ({"last_agent": ["a"]}, "last_agent"),
    ],
)
def test_submit_refuses_a_bad_route_flag_or_last_agent(
    kwargs: dict[str, object], path: str
) -> None:
    router = one_agent_router()
    with pytest.raises(ConfigError) as err:
        router.submit(Ticket("t", GOLD, "chat", T0), at=T0, **kwargs)  # type: ignore[arg-type]
    assert err.value.path == path
    assert router.waiting() == []
    assert router.pool.status("a").held == ()


# -- 5. reprioritize keeps the requirements --------------------------------------------------


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"required_skills": {}}, "ticket.required_skills"),
        ({"required_skills": {"billing": 1}}, "ticket.required_skills"),
        ({"language": "en"}, "ticket.language"),
        ({"channel": "email"}, "ticket.channel"),
    ],
)
def test_reprioritize_refuses_changed_requirements(change: dict[str, object], path: str) -> None:
    router = Router([TicketQueue("q")])
    ticket = Ticket("t", GOLD, "chat", T0, required_skills={"billing": 3})
    router.submit(ticket, at=T0)
    before = router.where("t")
    changed = attrs.evolve(ticket, priority="urgent", **change)  # type: ignore[arg-type]
    with pytest.raises(ConfigError) as err:
        router.reprioritize(changed, at=T0)
    assert err.value.path == path
    assert router.where("t") == before
    # A new priority alone is fine.
    entry = router.reprioritize(attrs.evolve(ticket, priority="urgent"), at=T0)
    assert entry.ticket is not None
    assert entry.ticket.priority is Priority.URGENT


# -- 6. the default plan is checked once -----------------------------------------------------


def test_the_queues_default_plan_is_not_checked_again_per_submit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plan = Relaxation(
        tuple(RelaxationStep(timedelta(seconds=i + 1), proficiency=1) for i in range(5))
    )
    router = Router([TicketQueue("q")], relaxation={"q": plan})
    checked: list[object] = []
    real = check_plan

    def counting(plan: object, path: str, queues: object) -> Relaxation:
        checked.append(plan)
        return real(plan, path, queues)  # type: ignore[arg-type]

    monkeypatch.setattr(router_module, "check_plan", counting)
    for i in range(3):
        router.submit(Ticket(f"t{i}", GOLD, "chat", T0), at=T0)
    assert checked == []
    own = Relaxation((RelaxationStep(timedelta(seconds=9), proficiency=1),))
    router.submit(Ticket("own", GOLD, "chat", T0), at=T0, relaxation=own)
    assert checked == [own]
    with pytest.raises(ConfigError) as err:
        router.submit(
            Ticket("bad", GOLD, "chat", T0),
            at=T0,
            relaxation=Relaxation((RelaxationStep(timedelta(seconds=9), overflow_to="nope"),)),
        )
    assert err.value.path == "relaxation.steps[0].overflow_to"


# -- 7. one late advance ---------------------------------------------------------------------


def delay_and_step_router() -> Router:
    """X waits in vip, which sari's group serves after a minute (crossing at 09:01); Y waits
    in general needing billing, dropped by a step at 09:02."""
    seq = itertools.count()
    router = Router(
        [TicketQueue("vip", sequence=seq), TicketQueue("general", sequence=seq)],
        [
            RoutingProfile(
                "overflow-team",
                [QueueSlot("vip", 1, timedelta(minutes=1)), QueueSlot("general", 1)],
            )
        ],
        relaxation={
            "general": Relaxation(
                (RelaxationStep(timedelta(minutes=2), drop=frozenset({"billing"})),)
            )
        },
    )
    router.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=T0, presence="available")
    router.submit(Ticket("X", GOLD, "chat", T0), at=T0, queue="vip")
    router.submit(
        Ticket("Y", GOLD, "chat", T0, required_skills={"billing": 1}), at=T0, queue="general"
    )
    return router


def assigned(changes: list[object]) -> list[tuple[str, str]]:
    return [(c.ticket_id, c.agent_id) for c in changes if isinstance(c, Assignment)]


def test_one_late_advance_serves_as_a_host_waking_at_every_step() -> None:
    stepwise = delay_and_step_router()
    got: list[tuple[str, str]] = []
    while (t := stepwise.next_step_at()) is not None and t <= at(300):
        got += assigned(list(stepwise.advance(t)))
    late = delay_and_step_router()
    assert assigned(list(late.advance(at(300)))) == got == [("X", "sari")]
    assert [e.ticket_id for e in late.waiting()] == ["Y"]
