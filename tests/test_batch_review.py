"""Batch assignment (review F): checked scores, the agents' lines (queue priorities, a limit
that counts only takeable tickets), maximum cardinality first, ties by the strategy chain,
and a bounded optimal problem."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.errors import ConfigError
from csflow.model import AgentProfile, Customer, Ticket, Tier
from csflow.queues import QueuedTicket, TicketQueue
from csflow.routing import (
    AgentState,
    QueueSlot,
    RoundRobin,
    Router,
    RoutingProfile,
    batch,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
S = timedelta(seconds=1)
CUSTOMER = Customer("c1", Tier("regular", 0))
Method = Literal["greedy", "optimal"]
METHODS: tuple[Method, ...] = ("greedy", "optimal")


def ticket(tid: str, at: datetime = T0, **skills: int) -> Ticket:
    return Ticket(tid, CUSTOMER, "chat", at, required_skills=skills)


def agent(aid: str, chat: int = 1, **skills: int) -> AgentProfile:
    return AgentProfile(aid, skills=skills, capacity={"chat": chat})


def state(router: Router) -> dict[str, Any]:
    return router.to_state(lambda p: p.id)


def pairs(router: Router, method: Any, **kw: Any) -> tuple[tuple[str, str], ...]:
    return router.plan_batch(at=T0 + 60 * S, method=method, channel="chat", **kw).pairs


# -- scores are checked ------------------------------------------------------------------


def _three_tickets_two_agents() -> Router:
    router = Router([TicketQueue("q")])
    for i in range(2):
        router.add_agent(agent(f"A{i}", a=3), at=T0, presence="available", pull=False)
    for j in range(3):
        router.submit(ticket(f"T{j}", a=1), at=T0, route=False)
    return router


def _boom(agent: AgentState, entry: QueuedTicket, rank: int) -> int:
    raise ValueError("score failed")


JUNK: dict[str, tuple[Callable[..., Any], str]] = {
    "nan": (lambda a, e, k: math.nan, r"must be an int from -2\*\*63 to 2\*\*63 - 1, got nan"),
    "inf": (lambda a, e, k: math.inf, r"got inf"),
    "float": (lambda a, e, k: 1.5 * (k + 1), r"got 1\.5"),
    "bool": (lambda a, e, k: True, r"got True"),
    "str": (lambda a, e, k: "10", r"got '10'"),
    "None": (lambda a, e, k: None, r"got None"),
    "huge": (lambda a, e, k: 10**400, r"must be an int from -2\*\*63 to 2\*\*63 - 1, got 1000"),
    "raises": (_boom, r"of ticket 'T0' and agent 'A0' raised ValueError: score failed"),
    "arity": (lambda a, e: 1, r"raised TypeError: .*positional argument"),
}


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", sorted(JUNK))
def test_a_junk_score_is_a_config_error_and_changes_nothing(name: str, method: Method) -> None:
    score, message = JUNK[name]
    router = _three_tickets_two_agents()
    before = state(router)
    with pytest.raises(ConfigError, match=message):
        router.assign_batch(at=T0, method=method, channel="chat", score=score)
    assert state(router) == before


# -- each agent's line: queue priorities, and a limit that counts takeable tickets only ----


def _vip_first(general: int) -> Router:
    router = Router(
        [TicketQueue("vip"), TicketQueue("general")],
        [RoutingProfile("tier1", [QueueSlot("vip", 1), QueueSlot("general", 2)])],
    )
    for j in range(general):
        router.submit(ticket(f"G{j}", T0 + j * S), at=T0 + j * S, queue="general", route=False)
    router.submit(ticket("V0", T0 + 10 * S), at=T0 + 10 * S, queue="vip", route=False)
    router.add_agent(agent("A0"), at=T0 + 20 * S, presence="available", pull=False)
    return router


@pytest.mark.parametrize("method", METHODS)
def test_a_batch_serves_the_queues_in_the_profile_s_priority_order_as_pull_does(
    method: Method,
) -> None:
    assert [a.ticket_id for a in _vip_first(3).pull("A0", at=T0 + 60 * S)] == ["V0"]
    assert pairs(_vip_first(3), method) == (("V0", "A0"),)
    # the VIP ticket is considered even when the limit would hold only older general ones
    assert pairs(_vip_first(5), method, limit=1) == (("V0", "A0"),)


@pytest.mark.parametrize("method", METHODS)
def test_tickets_no_free_slot_can_take_do_not_fill_the_limit(method: Method) -> None:
    router = Router(
        [TicketQueue("vip"), TicketQueue("general")],
        [RoutingProfile("vipdesk", ["vip"]), RoutingProfile("gen", ["general"])],
    )
    for j in range(2):  # nobody from 'gen' is at the desk
        router.submit(ticket(f"G{j}", T0 + j * S), at=T0 + j * S, queue="general", route=False)
    router.submit(ticket("V0", T0 + 10 * S), at=T0 + 10 * S, queue="vip", route=False)
    router.add_agent(
        agent("A0"), at=T0, presence="available", routing_profile="vipdesk", pull=False
    )
    plan = router.plan_batch(at=T0 + 60 * S, method=method, channel="chat")
    assert (plan.pairs, plan.tickets, plan.slots) == ((("V0", "A0"),), 1, 1)

    skills = Router([TicketQueue("q")])
    for j in range(2):  # nobody free speaks the skill
        skills.submit(ticket(f"X{j}", T0 + j * S, french=1), at=T0 + j * S, route=False)
    skills.submit(ticket("Y0", T0 + 10 * S), at=T0 + 10 * S, route=False)
    skills.add_agent(agent("B0"), at=T0, presence="available", pull=False)
    assert pairs(skills, method) == (("Y0", "B0"),)


@pytest.mark.parametrize("method", METHODS)
def test_every_profile_s_first_choices_are_considered(method: Method) -> None:
    # 'front' serves vip first, then general; 'back' serves general only.  A backlog of
    # older general tickets fills any limit counted in service order alone.
    router = Router(
        [TicketQueue("vip"), TicketQueue("general")],
        [
            RoutingProfile("front", [QueueSlot("vip", 1), QueueSlot("general", 2)]),
            RoutingProfile("back", ["general"]),
        ],
    )
    for j in range(10):
        router.submit(ticket(f"G{j}", T0 + j * S), at=T0 + j * S, queue="general", route=False)
    router.submit(ticket("V0", T0 + 20 * S), at=T0 + 20 * S, queue="vip", route=False)
    router.add_agent(agent("B"), at=T0, presence="available", routing_profile="back", pull=False)
    router.add_agent(agent("F"), at=T0, presence="available", routing_profile="front", pull=False)
    assert pairs(router, method) == (("G0", "B"), ("V0", "F"))


# -- maximum cardinality first --------------------------------------------------------------


def _fit_only(agent: AgentState, entry: QueuedTicket, rank: int) -> int:
    return sum(agent.profile.skills.get(q.skill, 0) for q in entry.signature.skills)


@pytest.mark.parametrize("score", [_fit_only, lambda a, e, k: -5, lambda a, e, k: 0])
def test_optimal_assigns_as_many_tickets_as_it_can_whatever_the_score(
    score: Callable[..., int],
) -> None:
    router = Router([TicketQueue("q")])
    router.add_agent(agent("A0", chat=2, billing=3), at=T0, presence="available", pull=False)
    router.submit(ticket("T0"), at=T0, route=False)  # no skill: a fit of 0
    router.submit(ticket("T1", billing=1), at=T0, route=False)
    done = router.assign_batch(at=T0, method="optimal", channel="chat", score=score)
    assert sorted(a.ticket_id for a in done) == ["T0", "T1"]
    assert router.waiting() == []


# -- greedy's ties follow the strategy chain --------------------------------------------------


def _interchangeable(**kw: Any) -> Router:
    router = Router([TicketQueue("q")], **kw)
    for i in range(3):
        router.add_agent(agent(f"A{i}", chat=2, a=3), at=T0, presence="available", pull=False)
    for j in range(4):
        router.submit(ticket(f"T{j}", T0 + j * S, a=1), at=T0 + j * S, route=False)
    return router


def test_greedy_spreads_ties_as_the_strategy_chain_would() -> None:
    router = _interchangeable()
    greedy = router.plan_batch(at=T0, method="greedy", channel="chat")
    optimal = router.plan_batch(at=T0, method="optimal", channel="chat")
    # LongestIdle: an agent given a ticket goes after those given none
    assert greedy.pairs == (("T0", "A0"), ("T1", "A1"), ("T2", "A2"), ("T3", "A0"))
    assert (greedy.score, len(greedy.pairs)) == (optimal.score, len(optimal.pairs))
    # the plan is what applying it does, one ticket at a time as they arrive
    one_by_one = _interchangeable()
    for tid in ("T0", "T1", "T2", "T3"):
        one_by_one.remove(tid)
    got = [one_by_one.submit(ticket(f"T{j}", T0 + j * S, a=1), at=T0 + 60 * S) for j in range(4)]
    assert tuple((a.ticket_id, a.agent_id) for a in got if a is not None) == greedy.pairs


def test_greedy_ties_follow_a_round_robin_chain() -> None:
    router = _interchangeable(strategies=(RoundRobin(),))
    assert router.submit(ticket("first", a=1), at=T0).agent_id == "A0"  # type: ignore[union-attr]
    # A0 is last in turn now; then each agent the plan gives a ticket goes last
    plan = router.plan_batch(at=T0, method="greedy", channel="chat")
    assert [aid for _, aid in plan.pairs] == ["A1", "A2", "A0", "A1"]


# -- optimal's problem is bounded -----------------------------------------------------------


def test_an_optimal_batch_past_the_bound_is_refused_before_anything_changes() -> None:
    router = Router([TicketQueue("q")])
    agents = 101
    for i in range(agents):
        router.add_agent(agent(f"a{i}"), at=T0, presence="available", pull=False)
    for j in range(batch.MAX_OPTIMAL_PAIRS // agents + 1):
        router.submit(ticket(f"t{j}"), at=T0, route=False)
    before = state(router)
    with pytest.raises(
        ConfigError, match=r"an optimal batch of 100 tickets and 101 agents has 10,100 "
    ):
        router.assign_batch(at=T0, method="optimal", channel="chat", limit=100)
    assert state(router) == before
    assert len(router.plan_batch(at=T0, method="optimal", channel="chat", limit=99).pairs) == 99
    assert len(router.plan_batch(at=T0, method="greedy", channel="chat").pairs) == 100


# -- the default score's tie-break, as documented -------------------------------------------


def test_a_score_whose_place_outweighs_any_fit_serves_the_earlier_ticket() -> None:
    # The default score lets summed fit outweigh one place in line in a large batch (its
    # docstring says so); the recipe it gives for a strict order serves the earlier ticket.
    m = 60
    router = Router([TicketQueue("q")])
    groups = [[f"g{i}_{s}" for s in "abcde"] for i in range(m + 2)]
    for k in range(m + 1):
        skills = dict.fromkeys(groups[k], 5) if k >= 1 else {}
        skills |= dict.fromkeys(groups[k + 1], 1) if k + 1 <= m else {}
        skills |= {"only_e": 1} if k == m else {}
        skills |= {"only_f": 1} if k == 0 else {}
        router.add_agent(agent(f"a{k:03d}", **skills), at=T0, presence="available", pull=False)
    n = itertools.count()
    for i in range(1, m + 1):
        at = T0 + next(n) * S
        router.submit(ticket(f"C{i:03d}", at, **dict.fromkeys(groups[i], 1)), at=at, route=False)
    for tid, skill in (("E", "only_e"), ("F", "only_f")):
        at = T0 + next(n) * S
        router.submit(ticket(tid, at, **{skill: 1}), at=at, route=False)

    def strict(agent: AgentState, entry: QueuedTicket, rank: int) -> int:
        fit = sum(agent.profile.skills.get(r.skill, 0) for r in entry.signature.skills)
        return (999 - min(rank, 999)) * 10**6 + min(fit, 999)

    plan = router.plan_batch(at=T0 + 600 * S, method="optimal", channel="chat", score=strict)
    served = {tid for tid, _ in plan.pairs}
    assert len(served) == m + 1
    assert "E" in served
    assert "F" not in served


# -- a reference, by brute force -------------------------------------------------------------


def _build(seed: int) -> tuple[Router, dict[tuple[str, str], int], int | None]:
    """Random queues, profiles with priorities, agents and tickets; a table of distinct
    scores (so that greedy's ties never arise)."""
    rng = random.Random(seed)
    names = ["q0", "q1", "q2"][: rng.randint(1, 3)]
    profiles = []
    for g in range(rng.randint(1, 2)):
        chosen = [n for n in names if rng.random() < 0.7] or [names[0]]
        slots = [
            QueueSlot(n, rng.randint(1, 2), timedelta(seconds=rng.choice([0, 0, 30])))
            for n in chosen
        ]
        profiles.append(RoutingProfile(f"p{g}", slots))
    router = Router([TicketQueue(n) for n in names], profiles)
    for i in range(rng.randint(1, 4)):
        skills = {s: rng.randint(1, 3) for s in "xy" if rng.random() < 0.5}
        router.add_agent(
            agent(f"A{i}", chat=rng.randint(1, 2), **skills),
            at=T0,
            presence=rng.choice(["available", "available", "offline"]),
            routing_profile=rng.choice(profiles).name,
            pull=False,
        )
    for j in range(rng.randint(0, 5)):
        at = T0 + rng.randint(0, 60) * S
        skills = {s: rng.randint(1, 3) for s in "xy" if rng.random() < 0.3}
        router.submit(ticket(f"T{j}", at, **skills), at=at, queue=rng.choice(names), route=False)
    values = rng.sample(range(-50, 1000), 40)
    table = {(f"T{j}", f"A{i}"): values[5 * i + j] for i in range(4) for j in range(5)}
    limit = rng.choice([None, None, 0, 1, 2, 3, 5])
    return router, table, limit


def _reference(router: Router, at: datetime, limit: int | None) -> dict[str, Any]:
    """The spec, spelt out: lines, the tickets chosen slot by slot, ranks, edges."""
    at_us = round((at - datetime(1970, 1, 1, tzinfo=UTC)) / timedelta(microseconds=1))
    pool = router.pool
    free = [pool.record(a) for a in pool if pool.spare(a, "chat") > 0]
    free.sort(key=lambda ag: ag.order)
    slots = {ag.id: pool.spare(ag.id, "chat") for ag in free}
    waiting = [(name, e) for name in router.queues for e in router.queues[name]]

    def level(ag_group: str, qname: str, e: QueuedTicket) -> int | None:
        for s in router.profiles[ag_group].queues:
            # no delay: served whenever (a ticket queued after *at* too, as pull takes it)
            if s.queue == qname and (not s.delay_us or e.queued_at_us + s.delay_us <= at_us):
                return s.priority
        return None

    def can(ag: Any, qname: str, e: QueuedTicket) -> bool:
        return pool.is_eligible(ag.id, e.signature) and level(ag.group, qname, e) is not None

    lines = {
        ag.id: sorted(
            ((level(ag.group, n, e), e.key, e.ticket_id) for n, e in waiting if can(ag, n, e)),
        )
        for ag in free
    }
    cap = 2 * sum(slots.values()) if limit is None else limit
    chosen: list[str] = []
    active = [ag.id for ag in free]
    while active and len(chosen) < cap:
        still = []
        for aid in active:
            left = [t for _, _, t in lines[aid] if t not in chosen]
            take = left[: min(slots[aid], cap - len(chosen))]
            chosen.extend(take)
            if len(take) == slots[aid] and len(left) > len(take):
                still.append(aid)
        active = still
    entries = {e.ticket_id: (n, e) for n, e in waiting}
    ranks = {}
    for g in {ag.group for ag in free}:
        mine = sorted(
            (level(g, *entries[t]), entries[t][1].key, t)
            for t in chosen
            if level(g, *entries[t]) is not None
        )
        ranks[g] = {t: r for r, (_, _, t) in enumerate(mine)}
    edges = [(t, ag) for t in chosen for ag in free if can(ag, *entries[t])]
    return {
        "slots": slots,
        "chosen": chosen,
        "ranks": ranks,
        "edges": edges,
        "key": {t: (e.key) for t, (_, e) in entries.items()},
        "level": {(t, ag.id): level(ag.group, *entries[t]) for t, ag in edges},
    }


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_batch_plans_follow_the_reference(seed: int) -> None:
    router, table, limit = _build(seed)
    at = T0 + 45 * S
    ref = _reference(router, at, limit)
    seen: list[tuple[str, str, int]] = []

    def score(agent: AgentState, entry: QueuedTicket, rank: int) -> int:
        seen.append((entry.ticket_id, agent.id, rank))
        return table[(entry.ticket_id, agent.id)]

    plans = {}
    for method in METHODS:
        seen.clear()
        plan = router.plan_batch(at=at, method=method, channel="chat", score=score, limit=limit)
        plans[method] = plan
        assert plan.tickets == len(ref["chosen"])
        assert plan.slots == sum(ref["slots"].values())
        # every pair scored once, with the ticket's rank in the agent's profile's line
        groups = {ag.id: ag.group for _, ag in ref["edges"]}
        assert sorted(seen) == sorted(
            (t, ag.id, ref["ranks"][ag.group][t]) for t, ag in ref["edges"]
        )
        edges = {(t, ag.id) for t, ag in ref["edges"]}
        assert set(plan.pairs) <= edges
        assert len({t for t, _ in plan.pairs}) == len(plan.pairs)
        for aid, n in ref["slots"].items():
            assert sum(1 for _, a in plan.pairs if a == aid) <= n
        assert [ref["key"][t] for t, _ in plan.pairs] == sorted(
            ref["key"][t] for t, _ in plan.pairs
        )
        assert plan.score == sum(table[p] for p in plan.pairs)
        del groups
    # optimal: the most pairs any plan has, then the best summed score among them
    best: tuple[int, int] = (0, 0)
    options: dict[str, list[str | None]] = {t: [None] for t in ref["chosen"]}
    for t, ag in ref["edges"]:
        options[t].append(ag.id)
    for combo in itertools.product(*options.values()):
        used = [a for a in combo if a is not None]
        if any(used.count(a) > n for a, n in ref["slots"].items()):
            continue
        total = sum(table[(t, a)] for t, a in zip(options, combo, strict=True) if a is not None)
        best = max(best, (len(used), total))
    assert (len(plans["optimal"].pairs), plans["optimal"].score) == best
    assert len(plans["optimal"].pairs) >= len(plans["greedy"].pairs)
    # greedy: the pairs in line order (priority, key), each ticket not given yet to the free
    # agent of the pair's priority scoring highest
    left = dict(ref["slots"])
    given: dict[str, str] = {}
    blocks = sorted({(ref["level"][(t, ag.id)], ref["key"][t], t) for t, ag in ref["edges"]})
    for p, _, t in blocks:
        if t in given:
            continue
        free = [
            ag.id
            for u, ag in ref["edges"]
            if u == t and ref["level"][(t, ag.id)] == p and left[ag.id]
        ]
        if free:
            given[t] = max(free, key=lambda a: table[(t, a)])
            left[given[t]] -= 1
    assert dict(plans["greedy"].pairs) == given
