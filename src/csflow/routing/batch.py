"""Batch assignment: matching many waiting tickets to many free agent slots at once, greedy or
optimal.

Theory of operation
-------------------
Routing one event at a time is greedy: each ticket takes the best agent free *now*, and each
freed agent takes the best ticket it may take.  That is what a desk wants almost always, and
it is what :meth:`Router.submit <csflow.routing.router.Router.submit>`,
:meth:`Router.release <csflow.routing.router.Router.release>` and friends do.  When many
agents free up at once (a shift starts, a team comes back from a meeting) or a burst of
tickets arrives, a host may hold routing back (``route=False`` / ``pull=False``) and match
the whole batch with :meth:`Router.assign_batch <csflow.routing.router.Router.assign_batch>`.

**Each agent's line.**  An agent that frees up takes the tickets of its routing profile's
first queues first (priority 1 before priority 2, each queue once its slot's delay has
passed), and among queues of one priority the best key (:meth:`Router.pull
<csflow.routing.router.Router.pull>`).  A batch keeps that order: the tickets an agent may
take, in that order, are its *line*, and a ticket's *rank* for an agent is its place among
the batch's tickets in the line of the agent's routing profile (0 first).  With one routing
profile serving every queue at one priority, every agent's line is the queues' service
order.

**Which tickets.**  The batch considers at most *limit* tickets (twice the free slots by
default), chosen slot by slot: in rounds, each agent with room (in joining order) adds, once
per free slot, the first ticket of its line not chosen yet.  Tickets no free slot can take
are never chosen, so they never crowd out work that can be done, and every agent's first
choices are considered.

* ``method="greedy"`` walks the (ticket, agent) pairs in line order (the priority at which
  the agent serves the ticket's queue, then the ticket's key) and gives each ticket not
  given yet to the free agent scoring highest, ties going as the router's strategy chain
  would send a ticket (:class:`~csflow.routing.strategies.LongestIdle` by default, with
  the tickets the plan gave so far counted).  No agent is given a ticket while one earlier
  in its line, among those considered, is given to nobody.

  With :func:`default_batch_score`, greedy scores no pair one by one: the score depends on
  the agent only through its routing profile (the ticket's rank) and its fit for the
  ticket's signature, so the free agents fall into *classes* (one routing profile, one
  signature, one fit), each kept in a heap by the ticket's strategy key, and a decision is a
  few heap operations on the best class of each routing profile that serves the ticket.
  The tickets are read once per queue and signature, whichever agents' lines they are in.
  The cost follows the decisions, not the (ticket, agent) pairs: some 30 times one bare
  ``heapq`` push and pop per ticket given, whatever the batch's size (1,600 agents with
  three slots each and 9,600 tickets waiting: a tenth to a fifth of a second), plus
  a strategy key per free agent and signature (again after each ticket it is given).  A
  score of your own may depend on anything the agent shows, so it is called once per
  (ticket, agent) pair, and the batch costs what the score costs times the pairs: keep such
  batches to what ``limit=`` bounds (the default considers twice the free slots).
* ``method="optimal"`` solves a minimum-cost maximum flow (networkx) from tickets to agent
  slots: it assigns as many tickets as any plan can -- never fewer than greedy -- and among
  such plans takes one of the highest summed score (with :func:`default_batch_score`, one
  scoring at least greedy's while plans stay under 1,000 pairs).  Plans of equal score are told apart by nothing: which one
  comes out is deterministic but not specified.

Optimal matters when skills are **scarce and overlapping**: greedy may give the only agent
able to take ticket B (say, the one refund specialist) to ticket A, which anybody could have
taken, and B then waits; optimal gives A to someone else and serves both.  When agents are
interchangeable for the waiting tickets, both plans have the same size and score but not
always the same pairs (greedy spreads ties by the strategy chain; optimal does not look at
it), and greedy is the one to use.  The flow costs more than linear time in the number of
(ticket, agent) pairs: optimal refuses a batch of more than :data:`MAX_OPTIMAL_PAIRS` pairs
(a :class:`~csflow.errors.ConfigError`; a smaller ``limit=`` or greedy then), so that a host
never blocks its event loop on one by accident.

Scores are checked as they are computed: a score that is not an int from ``-2**63`` to
``2**63 - 1``, or that raises, is a :class:`~csflow.errors.ConfigError` naming it, before
anything changes.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Protocol

import attrs
import networkx as nx

from csflow._text import show
from csflow.errors import ConfigError, CsflowError
from csflow.model import AgentProfile
from csflow.queues import QueuedTicket, Signature, TicketQueue
from csflow.routing.agents import AgentRecord
from csflow.routing.pool import AgentPool
from csflow.routing.profiles import QueueSlot
from csflow.routing.strategies import AgentState, Chain

__all__ = [
    "MAX_OPTIMAL_PAIRS",
    "BatchPlan",
    "BatchScore",
    "default_batch_score",
    "make_plan",
]

#: The most (ticket, agent) pairs an optimal batch solves: about a second of pure Python on a
#: laptop.  Past it, :meth:`~csflow.routing.router.Router.plan_batch` raises ConfigError.
MAX_OPTIMAL_PAIRS = 10_000

_MIN_SCORE = -(2**63)
_MAX_SCORE = 2**63 - 1
#: The planned turn of an agent the plan gives a ticket (above every turn the pool gave).
_PLANNED_TURN = 1 << 62

#: A routing profile's queue slots grouped by priority, lowest first
#: (:meth:`~csflow.routing.profiles.RoutingProfile.levels`).
Levels = Sequence[Sequence[QueueSlot]]


class BatchScore(Protocol):
    """Scores giving *entry* (at *rank* in the agent's line, 0 = first) to *agent*; higher is
    better.  It must return an int from ``-2**63`` to ``2**63 - 1``."""

    def __call__(self, agent: AgentState, entry: QueuedTicket, rank: int, /) -> int:
        """The score (an int, so optimal matching is exact)."""
        ...


def default_batch_score(agent: AgentState, entry: QueuedTicket, rank: int, /) -> int:
    """``10**9`` per assignment, then earlier tickets, then summed proficiency.

    The score is ``10**9 + (999 - min(rank, 999)) * 1_000 + min(fit, 999)``, where *fit* is
    the agent's summed proficiency in the ticket's required skills.  So greedy gives each
    ticket the agent that fits it best.  Optimal assigns as many tickets as it can whatever
    the score, then maximises the summed score, in which one place in line weighs as much as
    1,000 points of fit: between two plans of the same size, the one serving earlier tickets
    wins only while the other's summed fit is not 1,000 or more higher -- in a large batch
    (some fifty pairs and more) a plan whose pairs fit much better may serve a later ticket
    instead of an earlier one.  For a strict order, earlier tickets first whatever the fit,
    pass a score of your own whose place weighs more than the most fit a plan can sum, e.g.
    ``(999 - min(rank, 999)) * 10**6 + min(fit, 999)`` for plans of up to 1,000 pairs.
    """
    skills = agent.profile.skills
    fit = sum(skills.get(r.skill, 0) for r in entry.signature.skills)
    return 1_000_000_000 + (999 - min(rank, 999)) * 1_000 + min(fit, 999)


@attrs.frozen
class BatchPlan:
    """A batch assignment plan (not yet applied).

    Attributes:
        method: ``"greedy"`` or ``"optimal"``.
        pairs: ``(ticket_id, agent_id)`` in service order (queue key).
        score: The summed score of the pairs.
        tickets: How many tickets were considered (each one some free slot could take).
        slots: How many agent slots were offered.
    """

    method: str
    pairs: tuple[tuple[str, str], ...]
    score: int
    tickets: int
    slots: int


def make_plan(
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
    """Plan assignments of waiting *channel* tickets to every agent with room (no change).

    Args:
        pool: The agents.
        queues: The router's queues, by name.
        levels: Routing profile -> its queue slots by priority.
        chain_of: A waiting ticket's agent-selection chain, by id (greedy's ties).
        at_us: Now.
        method: ``"greedy"`` or ``"optimal"`` (checked by the caller).
        channel: The channel's name.
        score: The score of a pair (checked callable by the caller).
        limit: How many tickets to consider (default: twice the free slots).

    Raises:
        ConfigError: A bad limit, an optimal batch of more than :data:`MAX_OPTIMAL_PAIRS`
            pairs, or a score that raises or returns anything but an int in range.
    """
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
    groups = {ag.group for ag in agents}
    if method == "greedy" and score is default_batch_score:
        # The default score depends on the agent only through its group (the rank) and its
        # fit for the ticket's signature: no pair needs scoring one by one.
        weight = pool.capacity.weights.get(c, 1)
        pairs, total_score = _greedy_classes(
            pool, tickets, slots, served, groups, chain_of, at_us, weight
        )
    else:
        if method == "optimal":
            n_pairs = _count_pairs(pool, tickets, slots, served, at_us)
            if n_pairs > MAX_OPTIMAL_PAIRS:
                raise ConfigError(
                    f"an optimal batch of {len(tickets)} tickets and {len(agents)} agents "
                    f"has {n_pairs:,} (ticket, agent) pairs, more than "
                    f"{MAX_OPTIMAL_PAIRS:,}: pass a smaller limit= or use method='greedy'"
                )
        ranks = _ranks(tickets, groups, served, at_us)
        edges = _edges(pool, tickets, slots, served, at_us)
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


class _Stream:
    """The tickets of one signature in one queue that waited a slot's delay, in service
    order, read once for the whole batch: its head is the first one not chosen yet."""

    __slots__ = ("_chosen", "_head", "_it")

    def __init__(self, it: Iterator[tuple[QueuedTicket, str]], chosen: Mapping[str, object]):
        self._it = it
        self._chosen = chosen
        self._head = next(it, None)

    def head(self) -> tuple[QueuedTicket, str] | None:
        """The first ticket not chosen yet (passed tickets stay chosen: nothing unchooses)."""
        h, chosen = self._head, self._chosen
        while h is not None and h[0].ticket_id in chosen:
            h = self._head = next(self._it, None)
        return h


#: A line's heap entry: ``(key, place of the queue in its level, ticket id, head, stream)``.
_Head = tuple[tuple[int, int, int], int, str, QueuedTicket, _Stream]


class _Line:
    """The line of the agents of one routing profile eligible for the same signatures: each
    level's streams merged by key (equal keys: the queue listed first, then the ticket id,
    as in a queue's own heap), one level after the other."""

    __slots__ = ("_heap", "_levels")

    def __init__(self, levels: list[list[tuple[int, _Stream]]]) -> None:
        self._levels = levels[::-1]  # popped from the end, first level last
        self._heap: list[_Head] = []

    def first(self) -> tuple[QueuedTicket, str] | None:
        """The first ticket of the line not chosen yet, or ``None``."""
        heap = self._heap
        while True:
            while heap:
                _, place, _, entry, stream = heap[0]
                h = stream.head()
                if h is None:
                    heapq.heappop(heap)
                elif h[0] is not entry:  # the stream moved on: the next ticket of it
                    heapq.heapreplace(heap, (h[0].key, place, h[0].ticket_id, h[0], stream))
                else:
                    return h
            if not self._levels:
                return None
            for place, stream in self._levels.pop():
                h = stream.head()
                if h is not None:
                    heap.append((h[0].key, place, h[0].ticket_id, h[0], stream))
            heapq.heapify(heap)


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
    until *limit* are chosen or no line has one more.

    An agent's line is its routing profile's queues by priority, each queue's tickets of the
    signatures the agent is eligible for.  Each (queue, signature, delay) is read once, as a
    stream shared by every line it is part of; agents of one routing profile eligible for the
    same signatures share one line.  Sharing changes nothing: a stream only ever passes
    tickets chosen already, and an agent only ever takes the first ticket of its line not
    chosen yet.
    """
    chosen: dict[str, tuple[str, QueuedTicket]] = {}
    streams: dict[tuple[str, Signature, int], _Stream] = {}
    lines: dict[tuple[str, frozenset[Signature]], _Line] = {}
    active: list[tuple[AgentRecord, _Line]] = []
    for ag in agents:
        sigs = frozenset(ag.sigs.get(c, ()))
        line = lines.get((ag.group, sigs))
        if line is None:
            parts: list[list[tuple[int, _Stream]]] = []
            for level in levels[ag.group] if sigs else ():
                part = []
                for place, slot in enumerate(level):
                    q = queues[slot.queue]
                    if not q.channel_groups.get(c):
                        continue
                    for sig in sigs:
                        k = (slot.queue, sig, slot.delay_us)
                        stream = streams.get(k)
                        if stream is None:
                            read = _visible(q, slot.queue, {sig: None}, slot.delay_us, at_us)
                            stream = streams[k] = _Stream(read, chosen)
                        part.append((place, stream))
                parts.append(part)
            line = lines[(ag.group, sigs)] = _Line(parts)
        active.append((ag, line))
    while active and len(chosen) < limit:
        still = []
        for ag, line in active:
            got = 0
            while got < slots[ag.id] and len(chosen) < limit:
                found = line.first()
                if found is None:
                    break
                e, name = found
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


def _count_pairs(
    pool: AgentPool,
    tickets: list[tuple[str, QueuedTicket]],
    slots: Mapping[str, int],
    served: Mapping[str, Mapping[str, tuple[int, int]]],
    at_us: int,
) -> int:
    """How many edges :func:`_edges` would list (counted per signature and group)."""
    free: dict[tuple[Signature, str], int] = {}
    n = 0
    for qname, e in tickets:
        sig = e.signature
        st = pool.register(sig)
        for g, members in st.members.items():
            if _serves(served[g], qname, e, at_us) is None:
                continue
            k = (sig, g)
            m = free.get(k)
            if m is None:
                m = free[k] = sum(1 for aid in members if aid in slots)
            n += m
    return n


#: A class's heap entry: ``(strategy key, joining order, stamp, agent)``; stale when the
#: agent's stamp moved on, dead when the agent has no slot left.
_Entry = tuple[tuple[int, ...], int, int, AgentRecord]


def _greedy_classes(
    pool: AgentPool,
    tickets: list[tuple[str, QueuedTicket]],
    slots: Mapping[str, int],
    served: Mapping[str, Mapping[str, tuple[int, int]]],
    groups: set[str],
    chain_of: Callable[[str], Chain],
    at_us: int,
    weight: int,
) -> tuple[list[tuple[int, str]], int]:
    """:func:`_greedy` under :func:`default_batch_score`, without scoring pair by pair: the
    pairs ``(ticket index, agent id)`` and their summed score.

    The default score of a pair is the same for every agent of one routing profile with the
    same fit (capped at 999) for the ticket's signature: such agents form a *class*, kept in
    a heap by the ticket's strategy key (as the plan leaves the agent), then joining order.
    A ticket's best free agent is then the top of the best non-empty class of each group
    that serves it: a few heap operations a decision instead of a look at every pair.  A
    given agent is pushed again, with its new key, into every class heap it is in (its old
    entries go stale), so no strategy needs to be monotone.
    """
    left = dict(slots)
    given: dict[str, int] = {}
    turns: dict[str, int] = {}
    stamps: dict[str, int] = dict.fromkeys(slots, 0)
    # Agent id -> (heap, chain, signature) for every class heap it is in.
    heaps_of: dict[str, list[tuple[list[_Entry], Chain, Signature]]] = {}
    # (signature, group, chain) -> its classes ``[capped fit, heap]``, lowest fit first.
    classes: dict[tuple[Signature, str, Chain], list[tuple[int, list[_Entry]]]] = {}

    def build(sig: Signature, g: str, chain: Chain) -> list[tuple[int, list[_Entry]]]:
        st = pool.register(sig)  # registered already: a ticket waits under it
        wanted = tuple(r.skill for r in sig.skills)
        by_fit: dict[int, list[_Entry]] = {}
        for ag in st.members.get(g, {}).values():
            aid = ag.id
            if not left.get(aid):
                continue
            skills = ag.profile.skills
            fit = min(sum(skills.get(skill, 0) for skill in wanted), 999)
            state = _Planned(ag, sig.channel, given.get(aid, 0), weight, turns.get(aid, 0), at_us)
            heap = by_fit.setdefault(fit, [])
            heap.append((chain.key(state, sig), ag.order, stamps[aid], ag))
            heaps_of.setdefault(aid, []).append((heap, chain, sig))
        for heap in by_fit.values():
            heapq.heapify(heap)
        return sorted(by_fit.items(), key=lambda item: item[0])

    # The decisions in line order: (priority, key, ticket index, the groups serving it there).
    blocks: list[tuple[int, tuple[int, int, int], int, list[str]]] = []
    for i, (qname, e) in enumerate(tickets):
        at_priority: dict[int, list[str]] = {}
        for g in groups:
            p = _serves(served[g], qname, e, at_us)
            if p is not None:
                at_priority.setdefault(p, []).append(g)
        blocks.extend((p, e.key, i, gs) for p, gs in at_priority.items())
    blocks.sort(key=lambda block: (block[0], block[1], block[2]))

    # A group serves a ticket at one priority: its blocks, in this order, are its line, and
    # a ticket's rank for it is how many of them came before (as _ranks counts).
    seen = dict.fromkeys(groups, 0)
    done: set[int] = set()
    pairs: list[tuple[int, str]] = []
    total = 0
    pop, push = heapq.heappop, heapq.heappush
    for _, _, i, gs in blocks:
        ranks = []
        for g in gs:
            ranks.append(seen[g])
            seen[g] += 1
        if i in done:
            continue
        e = tickets[i][1]
        sig = e.signature
        chain = chain_of(e.ticket_id)
        top = -1
        tied: list[list[_Entry]] = []
        for g, rank in zip(gs, ranks, strict=True):
            cls = classes.get((sig, g, chain))
            if cls is None:
                cls = classes[(sig, g, chain)] = build(sig, g, chain)
            while cls:
                heap = cls[-1][1]
                while heap and (not left[heap[0][3].id] or heap[0][2] != stamps[heap[0][3].id]):
                    pop(heap)  # dead (no slot left) or stale (pushed again since)
                if heap:
                    break
                cls.pop()  # a class whose agents are all full stays empty
            if not cls:
                continue
            value = 1_000_000_000 + (999 - min(rank, 999)) * 1_000 + cls[-1][0]
            if value > top:
                top, tied = value, [cls[-1][1]]
            elif value == top:
                tied.append(cls[-1][1])
        if not tied:
            continue
        first = tied[0][0]
        for heap in tied[1:]:  # one agent each: (key, joining order) tells them apart
            if heap[0][:2] < first[:2]:
                first = heap[0]
        ag = first[3]
        aid = ag.id
        left[aid] -= 1
        n_given = given[aid] = given.get(aid, 0) + 1
        turn = turns[aid] = _PLANNED_TURN + len(pairs)
        stamp = stamps[aid] = stamps[aid] + 1
        done.add(i)
        pairs.append((i, aid))
        total += top
        if left[aid]:
            for heap, ch, sg in heaps_of.get(aid, ()):
                state = _Planned(ag, sg.channel, n_given, weight, turn, at_us)
                push(heap, (ch.key(state, sg), ag.order, stamp, ag))
    return pairs, total


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
