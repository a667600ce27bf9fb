"""Greedy batch plans under the default score are planned by classes of agents (one routing
profile, one fit), each kept in a heap by the strategy key: the same decisions as scoring every
(ticket, agent) pair, at a cost that no longer grows with the pairs."""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow._text import show
from csflow.errors import ConfigError, CsflowError
from csflow.model import AgentProfile, Customer, Ticket, Tier
from csflow.queues import QueuedTicket, Signature, TicketQueue
from csflow.routing import (
    AgentPool,
    AgentState,
    BestProficiency,
    LongestIdle,
    MostSpareCapacity,
    QueueSlot,
    RoundRobin,
    Router,
    RoutingProfile,
    batch,
)
from csflow.routing.agents import AgentRecord
from csflow.routing.batch import MAX_OPTIMAL_PAIRS, BatchPlan, BatchScore, Levels
from csflow.routing.strategies import Chain

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
S = timedelta(seconds=1)
US = timedelta(microseconds=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_MIN_SCORE = -(2**63)
_MAX_SCORE = 2**63 - 1
_PLANNED_TURN = 1 << 62


# -- the reference: the plan as it was made before, every pair scored ------------------------


def old_make_plan(
    pool: AgentPool,
    queues: Mapping[str, TicketQueue],
    levels: Mapping[str, Levels],
    chain_of: Callable[[str], Chain],
    *,
    at_us: int,
    method: str,
    channel: str,
    score: BatchScore,
    limit: int | None,
) -> BatchPlan:
    """The batch plan as csflow planned it before classes: every pair scored."""
    c = channel
    agents = [ag for ag in pool.spare_records(c) if pool.spare_of(ag, c) > 0]
    slots = {ag.id: pool.spare_of(ag, c) for ag in agents}
    total = sum(slots.values())
    if limit is None:
        limit = 2 * total
    elif not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
        raise ConfigError(f"limit must be a non-negative int or None, got {show(limit)}")
    tickets = _choose(agents, slots, queues, levels, c, at_us, limit)
    # Group -> queue -> (priority, delay): who may take what, at which priority.
    served = {
        g: {s.queue: (s.priority, s.delay_us) for level in lv for s in level}
        for g, lv in levels.items()
    }
    ranks = _ranks(tickets, {ag.group for ag in agents}, served, at_us)
    edges = _edges(pool, tickets, slots, served, at_us)
    if method == "optimal" and len(edges) > MAX_OPTIMAL_PAIRS:
        raise ConfigError(
            f"an optimal batch of {len(tickets)} tickets and {len(agents)} agents has "
            f"{len(edges):,} (ticket, agent) pairs, more than {MAX_OPTIMAL_PAIRS:,}: pass a "
            "smaller limit= or use method='greedy'"
        )
    weights = {
        (i, ag.id): _checked(score, ag, tickets[i][1], ranks[ag.group][i]) for _, i, ag in edges
    }
    if method == "greedy":
        weight = pool.capacity.weights.get(c, 1)
        pairs = _greedy(slots, tickets, edges, weights, chain_of, at_us, weight)
    else:
        pairs = _optimal(agents, slots, edges, weights)
    total_score = sum(weights[pair] for pair in pairs)
    ordered = tuple(
        (tickets[i][1].ticket_id, aid)
        for i, aid in sorted(pairs, key=lambda pair: tickets[pair[0]][1].key)
    )
    return BatchPlan(method, ordered, total_score, len(tickets), total)


def _checked(score: BatchScore, ag: AgentRecord, entry: QueuedTicket, rank: int) -> int:
    """*score* of the pair, checked to be an int in range (a failing score named)."""
    try:
        value = score(ag, entry, rank)
    except CsflowError:
        raise
    except Exception as exc:
        raise ConfigError(
            f"score {show(score)} of ticket {show(entry.ticket_id)} and agent {show(ag.id)} "
            f"raised {type(exc).__name__}: {exc}"
        ) from exc
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not _MIN_SCORE <= value <= _MAX_SCORE
    ):
        raise ConfigError(
            f"score {show(score)} of ticket {show(entry.ticket_id)} and agent {show(ag.id)} "
            f"must be an int from -2**63 to 2**63 - 1, got {show(value)}"
        )
    return int(value)


def _visible(
    q: TicketQueue, name: str, sigs: Mapping[Signature, object], delay: int, at_us: int
) -> Iterator[tuple[QueuedTicket, str]]:
    """*q*'s tickets under *sigs* that waited *delay* at *at_us*, in service order, with the
    queue's *name* (read in growing chunks: the queue is not changed, delay views included)."""
    n, seen = 16, 0
    keys = sigs.keys()
    while True:
        got = q.heads(keys, n)
        for e in got[seen:]:
            if not delay or e.waited_us(at_us) >= delay:
                yield e, name
        if len(got) < n:
            return
        seen, n = len(got), 2 * n


def _line(
    ag: AgentRecord, queues: Mapping[str, TicketQueue], levels: Levels, c: str, at_us: int
) -> Iterator[tuple[QueuedTicket, str]]:
    """The tickets *ag* may take, in the order it would pull them: ``(entry, queue name)``."""
    sigs = ag.sigs.get(c)
    if not sigs:
        return
    for level in levels:
        streams = [
            _visible(queues[s.queue], s.queue, sigs, s.delay_us, at_us)
            for s in level
            if queues[s.queue].channel_groups.get(c)
        ]
        # Queues of one priority compete by key; equal keys (queues with counters of
        # their own) go to the queue listed first, as when an agent pulls.
        yield from heapq.merge(*streams, key=lambda pair: pair[0].key)


def _choose(
    agents: list[AgentRecord],
    slots: Mapping[str, int],
    queues: Mapping[str, TicketQueue],
    levels: Mapping[str, Levels],
    c: str,
    at_us: int,
    limit: int,
) -> list[tuple[str, QueuedTicket]]:
    """The tickets the batch considers, ``(queue name, entry)``: in rounds, each agent (in
    joining order) adds, once per free slot, the first ticket of its line not chosen yet,
    until *limit* are chosen or no line has one more."""
    chosen: dict[str, tuple[str, QueuedTicket]] = {}
    active = [(ag, _line(ag, queues, levels[ag.group], c, at_us)) for ag in agents]
    while active and len(chosen) < limit:
        still = []
        for ag, line in active:
            got = 0
            while got < slots[ag.id] and len(chosen) < limit:
                found = next(line, None)
                if found is None:
                    break
                e, name = found
                if e.ticket_id not in chosen:
                    chosen[e.ticket_id] = (name, e)
                    got += 1
            else:
                still.append((ag, line))
        active = still
    return list(chosen.values())


def _serves(
    served: Mapping[str, tuple[int, int]], qname: str, e: QueuedTicket, at_us: int
) -> int | None:
    """The priority at which a group (its *served* table) takes *e* now, or ``None``."""
    slot = served.get(qname)
    if slot is None or (slot[1] and e.waited_us(at_us) < slot[1]):
        return None
    return slot[0]


def _ranks(
    tickets: list[tuple[str, QueuedTicket]],
    groups: set[str],
    served: Mapping[str, Mapping[str, tuple[int, int]]],
    at_us: int,
) -> dict[str, dict[int, int]]:
    """Group -> ticket index -> its rank: its place among the tickets the group takes now, in
    the group's line order (priority, then key)."""
    out: dict[str, dict[int, int]] = {}
    for g in groups:
        mine = []
        for i, (qname, e) in enumerate(tickets):
            p = _serves(served[g], qname, e, at_us)
            if p is not None:
                mine.append((p, e.key, i))
        mine.sort()
        out[g] = {i: r for r, (_, _, i) in enumerate(mine)}
    return out


def _edges(
    pool: AgentPool,
    tickets: list[tuple[str, QueuedTicket]],
    slots: Mapping[str, int],
    served: Mapping[str, Mapping[str, tuple[int, int]]],
    at_us: int,
) -> list[tuple[int, int, AgentRecord]]:
    """``(priority, ticket index, agent)``: every free agent that may take a ticket."""
    edges: list[tuple[int, int, AgentRecord]] = []
    for i, (qname, e) in enumerate(tickets):
        st = pool.register(e.signature)  # registered already: the ticket waits under it
        found: list[tuple[int, int, AgentRecord]] = []
        for g, members in st.members.items():
            p = _serves(served[g], qname, e, at_us)
            if p is None:
                continue
            found.extend((p, i, ag) for ag in members.values() if ag.id in slots)
        found.sort(key=lambda edge: edge[2].order)  # joining order, whatever the groups
        edges.extend(found)
    return edges


class _Planned:
    """An agent as the plan leaves it: the :class:`AgentState` its strategies rank after the
    plan gave it *given* tickets of channel *c* (greedy's ties)."""

    __slots__ = ("_ag", "_at_us", "_c", "_given", "_load", "_turn")

    def __init__(
        self, ag: AgentRecord, c: str, given: int, weight: int, turn: int, at_us: int
    ) -> None:
        self._ag = ag
        self._c = c
        self._given = given
        self._load = ag.load + given * weight
        self._turn = turn
        self._at_us = at_us

    @property
    def id(self) -> str:
        return self._ag.id

    @property
    def profile(self) -> AgentProfile:
        return self._ag.profile

    @property
    def group(self) -> str:
        return self._ag.group

    @property
    def presence(self) -> str:
        return self._ag.presence

    @property
    def load(self) -> int:
        return self._load

    @property
    def n_held(self) -> int:
        return self._ag.n_held + self._given

    @property
    def idle_since_us(self) -> int:
        return self._ag.idle_since_us

    @property
    def last_assigned_us(self) -> int:
        return self._at_us if self._given else self._ag.last_assigned_us

    @property
    def turn(self) -> int:
        return self._turn if self._given else self._ag.turn

    def spare(self, channel: str) -> int:
        room = self._ag.spare(channel)
        return max(0, room - self._given) if channel == self._c else room


def _greedy(
    slots: Mapping[str, int],
    tickets: list[tuple[str, QueuedTicket]],
    edges: list[tuple[int, int, AgentRecord]],
    weights: Mapping[tuple[int, str], int],
    chain_of: Callable[[str], Chain],
    at_us: int,
    weight: int,
) -> list[tuple[int, str]]:
    """The pairs in line order, each ticket to the free agent scoring highest (ties by the
    ticket's strategy chain, as the plan leaves the agents, then joining order):
    ``(ticket index, agent id)``."""
    left = dict(slots)
    given: dict[str, int] = {}
    turns: dict[str, int] = {}
    done: set[int] = set()
    pairs: list[tuple[int, str]] = []
    ordered = sorted(edges, key=lambda edge: (edge[0], tickets[edge[1]][1].key))
    for (_, i), block in itertools.groupby(ordered, key=lambda edge: (edge[0], edge[1])):
        if i in done:
            continue
        free = [ag for _, _, ag in block if left[ag.id]]
        if not free:
            continue
        top = max(weights[(i, ag.id)] for ag in free)
        best = [ag for ag in free if weights[(i, ag.id)] == top]
        choice = best[0]
        if len(best) > 1:
            e = tickets[i][1]
            chain = chain_of(e.ticket_id)
            sig = e.signature
            choice = min(
                best,
                key=lambda ag: (
                    chain.key(
                        _Planned(
                            ag, sig.channel, given.get(ag.id, 0), weight, turns.get(ag.id, 0), at_us
                        ),
                        sig,
                    ),
                    ag.order,
                ),
            )
        left[choice.id] -= 1
        given[choice.id] = given.get(choice.id, 0) + 1
        turns[choice.id] = _PLANNED_TURN + len(pairs)
        done.add(i)
        pairs.append((i, choice.id))
    return pairs


def _optimal(
    agents: list[AgentRecord],
    slots: Mapping[str, int],
    edges: list[tuple[int, int, AgentRecord]],
    weights: Mapping[tuple[int, str], int],
) -> list[tuple[int, str]]:
    """A maximum flow of least cost from tickets to agent slots (cost: minus the score): as
    many pairs as can be, then the highest summed score: ``(ticket index, agent id)``."""
    graph: nx.DiGraph[object] = nx.DiGraph()
    for ag in agents:
        graph.add_edge(("a", ag.order), "sink", capacity=slots[ag.id], weight=0)
    for _, i, ag in edges:
        graph.add_edge("source", ("t", i), capacity=1, weight=0)
        graph.add_edge(("t", i), ("a", ag.order), capacity=1, weight=-weights[(i, ag.id)])
    if not edges:
        return []
    flow = nx.max_flow_min_cost(graph, "source", "sink")
    by_order = {ag.order: ag.id for ag in agents}
    pairs = []
    for _, i, ag in edges:
        if flow[("t", i)][("a", ag.order)]:
            pairs.append((i, by_order[ag.order]))
    return pairs


# -- random desks ----------------------------------------------------------------------------


class Loaded:
    """A strategy that is not monotone: the most loaded agent first (assigning lowers the key)."""

    @property
    def name(self) -> str:
        return "loaded"

    @property
    def monotone(self) -> bool:
        return False

    def key(self, agent: AgentState, signature: Signature, /) -> int:
        return -agent.load * 7 - agent.n_held


CHAINS = (
    Chain((LongestIdle(),)),
    Chain((RoundRobin(),)),
    Chain((MostSpareCapacity(), LongestIdle())),
    Chain((BestProficiency(), RoundRobin())),
    Chain((Loaded(),)),
)
SKILLS = ("x", "y", "z")
LANGS = (None, "id", "en")


def _desk(seed: int) -> tuple[Router, datetime, int | None, dict[str, Chain]]:
    """Queues (own counters: equal keys across queues), profiles with priorities and delays,
    agents with overlapping skills, languages and some work held, tickets waiting."""
    rng = random.Random(seed)
    names = ["q0", "q1", "q2"][: rng.randint(1, 3)]
    profiles = []
    for g in range(rng.randint(1, 3)):
        chosen = [n for n in names if rng.random() < 0.7] or [rng.choice(names)]
        slots = [
            QueueSlot(n, rng.randint(1, 2), timedelta(seconds=rng.choice([0, 0, 0, 30])))
            for n in chosen
        ]
        profiles.append(RoutingProfile(f"p{g}", slots))
    router = Router([TicketQueue(n) for n in names], profiles)
    n_agents = rng.randint(1, 14)
    for i in range(n_agents):
        skills = {s: rng.randint(1, 4) for s in SKILLS if rng.random() < 0.6}
        lang = rng.choice([("id",), ("en",), ("id", "en")])
        router.add_agent(
            AgentProfile(f"A{i}", skills, lang, {"chat": rng.randint(1, 3)}),
            at=T0 + rng.randint(0, 20) * S,
            presence=rng.choice(["available"] * 4 + ["offline"]),
            routing_profile=rng.choice(profiles).name,
            pull=False,
        )
    n = 0

    def make(at: datetime) -> Ticket:
        nonlocal n
        n += 1
        skills = {s: rng.randint(1, 2) for s in SKILLS if rng.random() < 0.3}
        lang = rng.choice(LANGS)
        customer = Customer(f"c{n % 4}", Tier("regular", 0), language=lang)
        return Ticket(f"T{n}", customer, "chat", at, required_skills=skills)

    for _ in range(rng.randint(0, n_agents)):  # some agents hold work, assigned at times
        at = T0 + rng.randint(20, 40) * S
        router.submit(make(at), at=at, queue=rng.choice(names))
    for _ in range(rng.randint(0, 30)):
        # coarse instants: tickets of different queues (each with its own counter) then
        # often have equal keys, served in the order the queues are listed
        at = T0 + rng.randint(0, 4) * 15 * S
        router.submit(make(at), at=at, queue=rng.choice(names), route=False)
    chains = {w.ticket_id: rng.choice(CHAINS) for w in router.waiting()}
    limit = rng.choice([None, None, None, 0, 1, 3, 7, 40])
    return router, T0 + rng.randint(40, 90) * S, limit, chains


def _plans(
    router: Router,
    at: datetime,
    limit: int | None,
    chains: Mapping[str, Chain],
    method: str,
    score: BatchScore,
) -> tuple[BatchPlan | str, BatchPlan | str]:
    """The plan made now and the reference's (or each one's ConfigError message)."""
    levels = {name: p.levels() for name, p in router.profiles.items()}
    at_us = (at - EPOCH) // US
    out: list[BatchPlan | str] = []
    for plan in (batch.make_plan, old_make_plan):
        try:
            out.append(
                plan(
                    router.pool,
                    router.queues,
                    levels,
                    chains.__getitem__,
                    at_us=at_us,
                    method=method,
                    channel="chat",
                    score=score,
                    limit=limit,
                )
            )
        except ConfigError as exc:
            out.append(str(exc))
    return out[0], out[1]


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_greedy_by_classes_makes_the_reference_s_plan(seed: int) -> None:
    router, at, limit, chains = _desk(seed)
    before = router.to_state(lambda p: p.id)
    new, old = _plans(router, at, limit, chains, "greedy", batch.default_batch_score)
    assert new == old
    assert router.to_state(lambda p: p.id) == before


def _fit_then_id(agent: AgentState, entry: QueuedTicket, rank: int) -> int:
    skills = agent.profile.skills
    return sum(skills.get(r.skill, 0) for r in entry.signature.skills) - rank


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(["greedy", "optimal"]))
def test_other_scores_and_optimal_make_the_reference_s_plan(seed: int, method: str) -> None:
    router, at, limit, chains = _desk(seed)
    for score in (batch.default_batch_score, _fit_then_id):
        new, old = _plans(router, at, limit, chains, method, score)
        assert new == old


# -- worked examples -------------------------------------------------------------------------


def _agent(aid: str, chat: int = 1, **skills: int) -> AgentProfile:
    return AgentProfile(aid, skills=skills, capacity={"chat": chat})


def _ticket(tid: str, **skills: int) -> Ticket:
    return Ticket(tid, Customer("c", Tier("regular", 0)), "chat", T0, required_skills=skills)


def test_the_best_fit_first_then_the_longest_idle_and_a_given_agent_goes_behind() -> None:
    # A0 (x=1, idle since T0), A1 (x=3, 2 slots, idle since T0+1s), A2 (x=3, idle since
    # T0+2s).  T0 and T1 want the best fit (A1 and A2 at 3): T0 goes to A1, idle longer;
    # A1 now holds work (busy ranks after idle), so T1 goes to A2; T2 finds A1 (fit 3, one
    # slot left) before A0 (fit 1).
    router = Router([TicketQueue("q")])
    for i, (chat, x) in enumerate([(1, 1), (2, 3), (1, 3)]):
        router.add_agent(_agent(f"A{i}", chat, x=x), at=T0 + i * S, presence="available")
    for j in range(3):
        router.submit(_ticket(f"T{j}", x=1), at=T0 + 5 * S, route=False)
    plan = router.plan_batch(at=T0 + 9 * S, channel="chat")
    assert plan.pairs == (("T0", "A1"), ("T1", "A2"), ("T2", "A1"))
    first = 10**9 + 999 * 1_000 + 3
    assert plan.score == first + (first - 1_000) + (first - 2_000)
    assert (plan.tickets, plan.slots) == (3, 4)


def test_equal_keys_in_queues_of_one_priority_go_to_the_queue_listed_first() -> None:
    # Each queue counts its own tickets: "b0" and "a0" arrive together, both first in their
    # queue, so their keys are equal; an agent pulls from the queue its routing profile lists
    # first ("a"), so "a0" is decided first and gets the better fit.
    router = Router(
        [TicketQueue("b"), TicketQueue("a")],
        [RoutingProfile("p", [QueueSlot("a", 1), QueueSlot("b", 1)])],
    )
    router.add_agent(_agent("A0", x=1), at=T0, presence="available", routing_profile="p")
    router.add_agent(_agent("A1", x=2), at=T0, presence="available", routing_profile="p")
    for q in ("a", "b"):
        router.submit(_ticket(f"{q}0", x=1), at=T0, queue=q, route=False)
    plan = router.plan_batch(at=T0 + S, channel="chat")
    assert plan.pairs == (("a0", "A1"), ("b0", "A0"))


# -- the cost no longer grows with the pairs -------------------------------------------------


class Counted:
    """LongestIdle, counting its calls."""

    calls = 0

    @property
    def name(self) -> str:
        return "counted"

    @property
    def monotone(self) -> bool:
        return True

    def key(self, agent: AgentState, signature: Signature, /) -> int:
        Counted.calls += 1
        return LongestIdle().key(agent, signature)


class CountingQueue(TicketQueue):
    """A queue counting the entries its ``heads`` reads return."""

    read = 0

    def heads(self, *args: Any, **kw: Any) -> list[QueuedTicket]:
        got = super().heads(*args, **kw)
        CountingQueue.read += len(got)
        return got


def test_a_large_batch_of_interchangeable_agents_costs_per_decision_not_per_pair() -> None:
    n = 300
    router = Router([CountingQueue("q")], strategies=(Counted(),))
    for i in range(n):
        router.add_agent(_agent(f"A{i}", x=1), at=T0 + i * US, presence="available", pull=False)
    for j in range(n):
        router.submit(_ticket(f"T{j}", x=1), at=T0, route=False)
    Counted.calls = CountingQueue.read = 0
    plan = router.plan_batch(at=T0 + S, channel="chat")
    # every agent takes one ticket, the longest idle the first
    assert plan.pairs == tuple((f"T{j}", f"A{j}") for j in range(n))
    # n * n = 90,000 pairs: the strategy keys each agent once, and once more per assignment
    # (the reference: once per tied pair); the agents share one reading of their line
    assert Counted.calls <= 4 * n
    assert CountingQueue.read <= 8 * n
