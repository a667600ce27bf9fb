"""Properties of csflow.routing checked against a brute-force reference.

The router answers "which agent?" from lazily maintained heaps and "which ticket?" from group
heads.  Here every decision is recomputed by scanning every agent and every waiting ticket,
and the two must agree; after every step no agent is above capacity and the desk is
work-conserving.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.errors import CsflowError
from csflow.model import Customer, Ticket, Tier
from csflow.queues import QueuedTicket, Signature, TicketQueue
from csflow.routing import (
    AgentPool,
    Assignment,
    BestProficiency,
    CapacityRules,
    LongestIdle,
    MostSpareCapacity,
    PreferredAgent,
    PresenceStates,
    QueueSlot,
    RankingStrategy,
    Relaxation,
    RelaxationStep,
    RoundRobin,
    Router,
    RoutingProfile,
    Strategy,
)
from strategies import agent_profiles

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SKILLS = ["refunds", "billing", "tech"]
LANGS = ["id", "en"]
CHANNELS = ["chat", "email", "phone"]
STATES = ["available", "busy", "away", "offline", "lunch", "overflow_ready"]
# mostly routable, so that plenty of decisions are made
LIKELY_STATES = ["available", "available", "available", "overflow_ready", *STATES[1:5]]
TIER = Tier("gold", 2)
RULES = CapacityRules(weights={"email": 2}, exclusive={"phone"}, budget=4)
PRESENCE = PresenceStates({"lunch": False, "overflow_ready": True})
PROFILES = [
    RoutingProfile("front", [QueueSlot("q1", 1), QueueSlot("q2", 2)]),
    RoutingProfile("back", [QueueSlot("q2", 1)]),
]
CHAINS: list[tuple[Strategy, ...]] = [
    (LongestIdle(),),
    (RoundRobin(),),
    (MostSpareCapacity(), LongestIdle()),
    (BestProficiency(), RoundRobin()),
    (PreferredAgent(), LongestIdle()),
    (BestProficiency(), PreferredAgent(), MostSpareCapacity()),
]


# -- the reference ----------------------------------------------------------------------------


class AgentModel:
    """What the reference knows of an agent: profile, group, presence and held tickets."""

    def __init__(self, router: Router, agent_id: str) -> None:
        status = router.pool.status(agent_id)
        self.id = agent_id
        self.profile = status.profile
        self.group = status.group
        self.routable = status.routable
        self.counts = dict(status.counts)


def ref_can(agent: AgentModel, channel: str) -> bool:
    """Capacity and presence, recomputed from the rules and the agent's held tickets."""
    if not agent.routable:
        return False
    cap = agent.profile.capacity.get(channel, 0)
    if channel in RULES.limits:
        cap = min(cap, RULES.limits[channel])
    counts = agent.counts
    if counts.get(channel, 0) >= cap:
        return False
    if any(counts.get(c, 0) for c in RULES.exclusive):
        return False
    if channel in RULES.exclusive and sum(counts.values()) > 0:
        return False
    load = sum(RULES.weight(c) * n for c, n in counts.items())
    return RULES.budget is None or load + RULES.weight(channel) <= RULES.budget


def serving_priority(group: str, queue: str) -> int | None:
    for p in PROFILES:
        if p.name == group:
            for s in p.queues:
                if s.queue == queue:
                    return s.priority
    return None


def ref_candidates(router: Router, sig: Signature, queue: str) -> list[tuple[int, str]]:
    out = []
    for aid in router.pool:
        agent = AgentModel(router, aid)
        prio = serving_priority(agent.group, queue)
        if prio is None or not sig.admits(agent.profile) or not ref_can(agent, sig.channel):
            continue
        out.append((prio, aid))
    return out


def ref_best_agent(
    router: Router, ticket: Ticket, sig: Signature, queue: str, chain: tuple[Strategy, ...]
) -> str | None:
    cands = ref_candidates(router, sig, queue)
    if not cands:
        return None
    agents = router.pool.records  # the strategies' keys read the live agent state
    ranking = [s for s in chain if isinstance(s, RankingStrategy)]

    def full(c: tuple[int, str]) -> tuple[int, tuple[int, ...], int]:
        ag = agents[c[1]]
        return (c[0], tuple(s.key(ag, sig) for s in ranking), ag.order)

    best = full(min(cands, key=full))
    pins = [i for i, s in enumerate(chain) if isinstance(s, PreferredAgent)]
    preferred = ticket.customer.preferred_agent
    if pins and preferred is not None:
        before = [s for s in chain[: pins[0]] if isinstance(s, RankingStrategy)]
        for prio, aid in cands:
            if aid == preferred:
                ag = agents[aid]
                mine = (prio, tuple(s.key(ag, sig) for s in before))
                if mine <= (best[0], best[1][: len(before)]):
                    return preferred
    return min(cands, key=full)[1]


def waiting(router: Router) -> list[tuple[str, QueuedTicket]]:
    return [(name, e) for name in router.queues for e in router.queues[name]]


def ref_pull(agent: AgentModel, queue_items: list[tuple[str, QueuedTicket]]) -> list[str]:
    """The tickets *agent* should take, in order: best level first, lowest key within it."""
    items = list(queue_items)
    taken: list[str] = []
    while True:
        levels: dict[int, list[tuple[str, QueuedTicket]]] = {}
        for qname, e in items:
            prio = serving_priority(agent.group, qname)
            if prio is None:
                continue
            if e.signature.admits(agent.profile) and ref_can(agent, e.signature.channel):
                levels.setdefault(prio, []).append((qname, e))
        if not levels:
            return taken
        pick = min(levels[min(levels)], key=lambda pair: pair[1].key)
        items.remove(pick)
        taken.append(pick[1].ticket_id)
        c = pick[1].signature.channel
        agent.counts[c] = agent.counts.get(c, 0) + 1


def check_invariants(router: Router) -> None:
    # never above capacity
    for aid in router.pool:
        status = router.pool.status(aid)
        counts = status.counts
        for c, n in counts.items():
            assert n <= status.profile.capacity.get(c, 0), (aid, c)
        if any(counts.get(c, 0) for c in RULES.exclusive):
            assert sum(counts.values()) == 1
        assert status.load == sum(RULES.weight(c) * n for c, n in counts.items())
        assert RULES.budget is None or status.load <= RULES.budget
        # the pool's own view of capacity agrees with the reference
        for c in CHANNELS:
            assert router.pool.can_take(aid, c) == ref_can(AgentModel(router, aid), c)
    # work-conserving: no waiting ticket has an agent free to take it now
    for qname, e in waiting(router):
        assert ref_candidates(router, e.signature, qname) == [], e.ticket_id
    # every ticket in one place
    held = [t for aid in router.pool for t in router.pool.status(aid).held]
    ids = [e.ticket_id for _, e in waiting(router)]
    assert len(set(held)) == len(held)
    assert not set(held) & set(ids)


def snapshot(router: Router) -> object:
    return (
        [(q, e.ticket_id, e.key, e.signature, e.callback) for q, e in waiting(router)],
        [router.pool.status(a) for a in router.pool],
    )


STATS: dict[str, int] = {}

# -- the property -----------------------------------------------------------------------------


@settings(max_examples=60, stateful_step_count=60)
@given(st.data())
def test_router_agrees_with_brute_force(data: st.DataObject) -> None:
    chain = data.draw(st.sampled_from(CHAINS), label="chain")
    relax = data.draw(st.booleans(), label="relax")
    plan = (
        Relaxation(
            (
                RelaxationStep(timedelta(seconds=30), proficiency=3),
                RelaxationStep(timedelta(seconds=90), proficiency=1, any_language=True),
            )
        )
        if relax
        else None
    )
    router = Router(
        [TicketQueue("q1"), TicketQueue("q2")],
        PROFILES,
        pool=AgentPool(RULES, PRESENCE),
        strategies=chain,
        relaxation={"q1": plan, "q2": plan} if plan is not None else None,
    )
    now = T0
    # A router takes each command's instant as given: a host (or the desk, firing a ticket's
    # overdue SLA events at their own instants) may hand it one earlier than the last.
    skewed = data.draw(st.booleans(), label="instants out of order")

    def when() -> datetime:
        if not skewed:
            return now
        return now - timedelta(seconds=data.draw(st.integers(0, 300), label="earlier by"))

    n_agents = data.draw(st.integers(1, 8), label="agents")
    for i in range(n_agents):
        prof = data.draw(agent_profiles(f"a{i}", skills=SKILLS, languages=LANGS, channels=CHANNELS))
        presence = data.draw(st.sampled_from(LIKELY_STATES))
        group = data.draw(st.sampled_from(["front", "back"]))
        router.add_agent(prof, at=now, presence=presence, routing_profile=group)
        check_invariants(router)
    n = 0
    for _ in range(data.draw(st.integers(1, 80), label="steps")):
        op = data.draw(
            st.sampled_from(
                [
                    *("submit", "submit", "submit", "release", "release", "release"),
                    *("presence", "time", "callback", "abandon"),
                ]
            )
        )
        if op == "submit":
            ticket = Ticket(
                f"t{n}",
                Customer(
                    f"c{n}",
                    TIER,
                    language=data.draw(st.sampled_from([*LANGS, None])),
                    preferred_agent=data.draw(
                        st.none() | st.sampled_from([f"a{i}" for i in range(n_agents)])
                    ),
                ),
                data.draw(st.sampled_from(CHANNELS)),
                now,
                data.draw(st.sampled_from(["low", "normal", "high", "urgent"])),
                required_skills=data.draw(
                    st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 4), max_size=2)
                    | st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 2), max_size=1)
                ),
            )
            n += 1
            queue = data.draw(st.sampled_from(["q1", "q2"]))
            sig = Signature.of(ticket)
            expected = ref_best_agent(router, ticket, sig, queue, chain)
            count = len(ref_candidates(router, sig, queue))
            got = router.submit(ticket, at=when(), queue=queue, rule="test")
            assert (got.agent_id if got else None) == expected
            if got is not None:
                assert got.reason.rule == "test"
                assert got.reason.candidates == count
                assert got.reason.strategies == tuple(s.name for s in chain)
        elif op == "release":
            pairs = [(a, t) for a in router.pool for t in router.pool.status(a).held]
            if not pairs:
                continue
            aid, tid = data.draw(st.sampled_from(pairs))
            agent = AgentModel(router, aid)
            agent.counts[router.pool.holders[tid].held[tid]] -= 1
            expected_ids = ref_pull(agent, waiting(router))
            got_list = router.release(aid, tid, at=when())
            assert [a.ticket_id for a in got_list] == expected_ids
            assert all(a.agent_id == aid and a.reason.how == "agent" for a in got_list)
        elif op == "presence":
            aid = data.draw(st.sampled_from(list(router.pool)))
            state = data.draw(st.sampled_from(LIKELY_STATES))
            agent = AgentModel(router, aid)
            agent.routable = PRESENCE.routable(state)
            expected_ids = ref_pull(agent, waiting(router))
            changes = router.set_presence(aid, state, at=when())
            got_list = [c for c in changes if isinstance(c, Assignment)]
            assert [a.ticket_id for a in got_list] == expected_ids
        elif op == "time":
            now += timedelta(seconds=data.draw(st.integers(1, 120)))
            for change in router.advance(now):
                del change
        elif op == "callback":
            ids = [e.ticket_id for _, e in waiting(router)]
            if not ids:
                continue
            tid = data.draw(st.sampled_from(ids))
            qname, before = router.where(tid)
            position = router.queues[qname].position(tid)
            got = router.request_callback(tid, at=when())
            if got is None:
                _, after_entry = router.where(tid)
                assert after_entry.callback
                assert after_entry.key == before.key
                assert router.queues[qname].position(tid) == position
            else:
                assert got.callback
        else:
            ids = [e.ticket_id for _, e in waiting(router)]
            if not ids:
                continue
            router.remove(data.draw(st.sampled_from(ids)))
        check_invariants(router)
        # a failing command changes nothing
        snap = snapshot(router)
        with pytest.raises(CsflowError):
            router.release("a0", "no-such-ticket", at=now)
        assert snapshot(router) == snap
        STATS[op] = STATS.get(op, 0) + 1
