"""Batch assignment after a burst, checked against what the batch docs promise.

A shift starts with tickets already waiting (``route=False``): every pair a plan makes is one
the agent may take; optimal assigns as many tickets as any plan can (a maximum bipartite
matching of tickets to agent slots, computed naively here) and never fewer than greedy, and
with the default score never scores less; greedy never gives an agent a ticket while one
earlier in its line, among those considered, goes to nobody; ``assign_batch`` applies the
plan it would make.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Ticket, Tier
from csflow.queues import Signature, TicketQueue
from csflow.routing import Router

T0 = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)
SKILLS = ("refunds", "orders")

_agent = st.tuples(
    st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 5), max_size=2),
    st.integers(1, 3),  # chat slots
)
_ticket = st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 5), max_size=2)


def _router(agents: list[tuple[dict[str, int], int]], tickets: list[dict[str, int]]) -> Router:
    router = Router([TicketQueue("chat")])
    for n, skills_needed in enumerate(tickets):
        at = T0 + timedelta(seconds=n)
        ticket = Ticket(
            f"T-{n}",
            Customer(f"c{n}", Tier("regular", 1)),
            "chat",
            at,
            required_skills=skills_needed,
        )
        router.submit(ticket, at=at, route=False)
    start = T0 + timedelta(minutes=1)
    for n, (skills, slots) in enumerate(agents):
        profile = AgentProfile(f"a{n}", skills=skills, capacity={"chat": slots})
        router.add_agent(profile, at=start, presence="available", pull=False)
    return router


def _max_matching(agents: list[tuple[dict[str, int], int]], tickets: list[dict[str, int]]) -> int:
    graph: nx.Graph[tuple[object, ...]] = nx.Graph()
    left = [("t", n) for n in range(len(tickets))]
    graph.add_nodes_from(left)
    for n, needed in enumerate(tickets):
        for a, (skills, slots) in enumerate(agents):
            if all(skills.get(s, 0) >= p for s, p in needed.items()):
                for k in range(slots):
                    graph.add_edge(("t", n), ("s", a, k))
    return len(nx.bipartite.maximum_matching(graph, top_nodes=left)) // 2


@settings(max_examples=80, deadline=None, derandomize=True)
@given(st.lists(_agent, min_size=1, max_size=4), st.lists(_ticket, min_size=1, max_size=8))
def test_a_batch_keeps_its_promises(
    agents: list[tuple[dict[str, int], int]], tickets: list[dict[str, int]]
) -> None:
    router = _router(agents, tickets)
    at = T0 + timedelta(minutes=1)
    big = len(tickets)
    greedy = router.plan_batch(at=at, channel="chat", limit=big)
    optimal = router.plan_batch(at=at, channel="chat", method="optimal", limit=big)
    best = _max_matching(agents, tickets)
    assert len(optimal.pairs) == best
    assert len(greedy.pairs) <= best
    assert optimal.score >= greedy.score
    for plan in (greedy, optimal):
        given_to: dict[str, int] = {}
        for tid, aid in plan.pairs:
            a = int(aid[1:])
            waiting = router.where(tid)[1].ticket
            assert waiting is not None
            assert Signature.of(waiting).admits(
                AgentProfile(aid, skills=agents[a][0], capacity={"chat": 1})
            )
            given_to[aid] = given_to.get(aid, 0) + 1
            assert given_to[aid] <= agents[a][1]
        assert len({tid for tid, _ in plan.pairs}) == len(plan.pairs)
    # Greedy: an agent given ticket k had no earlier ticket it could take left to nobody.
    taken = {tid for tid, _ in greedy.pairs}
    for tid, aid in greedy.pairs:
        skills = agents[int(aid[1:])][0]
        for m in range(int(tid[2:])):
            needed = tickets[m]
            if all(skills.get(s, 0) >= p for s, p in needed.items()):
                assert f"T-{m}" in taken, (tid, aid, m)
    applied = router.assign_batch(at=at, channel="chat", limit=big)
    assert [(a.ticket_id, a.agent_id) for a in applied] == list(greedy.pairs)


def test_optimal_serves_the_refund_only_the_specialist_can_take() -> None:
    # Worked by hand: T-0 (orders>=1) comes first and both agents can take it; T-1 needs
    # refunds>=4, which only Ayu has.  Greedy gives T-0 to the best fit (Ayu: orders 5)
    # and T-1 waits; optimal gives T-0 to Eko and T-1 to Ayu.
    agents = [({"refunds": 4, "orders": 5}, 1), ({"orders": 1}, 1)]
    router = _router(agents, [{"orders": 1}, {"refunds": 4}])
    at = T0 + timedelta(minutes=1)
    assert router.plan_batch(at=at, channel="chat").pairs == (("T-0", "a0"),)
    optimal = router.plan_batch(at=at, channel="chat", method="optimal")
    assert optimal.pairs == (("T-0", "a1"), ("T-1", "a0"))
