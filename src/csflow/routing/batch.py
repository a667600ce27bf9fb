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
the whole batch with :meth:`Router.assign_batch <csflow.routing.router.Router.assign_batch>`:

* ``method="greedy"`` takes tickets in queue order and gives each the free slot that scores
  highest -- one pass, cheap at any size;
* ``method="optimal"`` solves a maximum-weight bipartite matching (networkx) between agent
  slots and tickets, so its total score is never below greedy's (a property the tests check).

Optimal matters when skills are **scarce and overlapping**: greedy may give the only agent
able to take ticket B (say, the one refund specialist) to ticket A, which anybody could have
taken, and B then waits; optimal gives A to someone else and serves both.  With the default
score (:func:`default_batch_score`) optimal first assigns as many tickets as possible, then
prefers earlier tickets, then better skill fit.  When agents are interchangeable for the
waiting tickets (every free agent qualified for every ticket, and the score does not tell
them apart) both methods give plans of the same score, and greedy is the one to use.  The
matching costs roughly cubic time in the number of slots and tickets, so keep optimal batches
to a few hundred of each (``limit=``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import attrs
import networkx as nx

from csflow._text import show
from csflow.errors import ConfigError
from csflow.queues import QueuedTicket, TicketQueue
from csflow.routing.agents import AgentRecord
from csflow.routing.pool import AgentPool
from csflow.routing.profiles import serves
from csflow.routing.strategies import AgentState

__all__ = ["BatchPlan", "BatchScore", "default_batch_score", "make_plan"]


class BatchScore(Protocol):
    """Scores giving *entry* (at *rank* in the batch, 0 = first in line) to *agent*; higher is better."""

    def __call__(self, agent: AgentState, entry: QueuedTicket, rank: int, /) -> int:
        """The score (an int, so optimal matching is exact)."""
        ...


def default_batch_score(agent: AgentState, entry: QueuedTicket, rank: int, /) -> int:
    """``10**9`` per assignment, then earlier tickets, then summed proficiency.

    With batches under 1,000 tickets, any plan that assigns more tickets scores higher; among
    plans of equal size, the one serving earlier tickets; then better skill fit.
    """
    skills = agent.profile.skills
    fit = sum(skills.get(r.skill, 0) for r in entry.signature.skills)
    return 1_000_000_000 + (999 - min(rank, 999)) * 1_000 + min(fit, 999)


@attrs.frozen
class BatchPlan:
    """A batch assignment plan (not yet applied).

    Attributes:
        method: ``"greedy"`` or ``"optimal"``.
        pairs: ``(ticket_id, agent_id)`` in queue order.
        score: The summed score of the pairs.
        tickets: How many tickets were considered.
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
    serving: Mapping[str, list[tuple[int, int, str]]],
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
        serving: Queue -> ``(priority, delay_us, group)``: who serves it, after what wait.
        at_us: Now.
        method: ``"greedy"`` or ``"optimal"`` (checked by the caller).
        channel: The channel's name.
        score: The score of a pair (checked callable by the caller).
        limit: How many tickets to consider (default: twice the free slots).

    Raises:
        ConfigError: A bad limit.
    """
    agents, slots, tickets, edges = _problem(pool, queues, serving, channel, at_us, limit)
    weights = {(r, ag.id): score(ag, tickets[r][1], r) for r, ag in edges}
    if method == "greedy":
        pairs = _greedy(agents, slots, tickets, edges, weights)
    else:
        pairs = _optimal(agents, slots, edges, weights)
    total = sum(weights[(r, aid)] for r, aid in pairs)
    ordered = tuple((tickets[r][1].ticket_id, aid) for r, aid in sorted(pairs))
    return BatchPlan(method, ordered, total, len(tickets), sum(slots.values()))


def _problem(
    pool: AgentPool,
    queues: Mapping[str, TicketQueue],
    serving: Mapping[str, list[tuple[int, int, str]]],
    c: str,
    at_us: int,
    limit: int | None,
) -> tuple[
    list[AgentRecord],
    dict[str, int],
    list[tuple[str, QueuedTicket]],
    list[tuple[int, AgentRecord]],
]:
    """The agents with room, their slots, the tickets in line and the (ticket, agent) edges."""
    agents = pool.spare_records(c)
    slots = {ag.id: pool.spare_of(ag, c) for ag in agents}
    slots = {k: v for k, v in slots.items() if v > 0}
    agents = [ag for ag in agents if ag.id in slots]
    total = sum(slots.values())
    if limit is None:
        limit = 2 * total
    elif not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
        raise ConfigError(f"limit must be a non-negative int or None, got {show(limit)}")
    found: list[tuple[str, QueuedTicket]] = []
    for name, q in queues.items():
        sigs = [s for s in q.signatures() if s.channel == c]
        found.extend((name, e) for e in q.heads(sigs, limit))
    found.sort(key=lambda pair: pair[1].key)
    tickets = found[:limit]
    edges: list[tuple[int, AgentRecord]] = []
    for r, (qname, e) in enumerate(tickets):
        st = pool.register(e.signature)
        waited = e.waited_us(at_us)
        for ag in agents:
            if (
                ag.id in st.members.get(ag.group, {})
                and serves(serving, ag.group, qname, waited) is not None
            ):
                edges.append((r, ag))
    return agents, slots, tickets, edges


def _greedy(
    agents: list[AgentRecord],
    slots: dict[str, int],
    tickets: list[tuple[str, QueuedTicket]],
    edges: list[tuple[int, AgentRecord]],
    weights: dict[tuple[int, str], int],
) -> list[tuple[int, str]]:
    """Tickets in line order, each to the free slot scoring highest: ``(rank, agent id)``."""
    left = dict(slots)
    by_ticket: dict[int, list[AgentRecord]] = {}
    for r, ag in edges:
        by_ticket.setdefault(r, []).append(ag)
    pairs = []
    for r in range(len(tickets)):
        choice: AgentRecord | None = None
        for ag in by_ticket.get(r, ()):
            if left[ag.id] and (choice is None or weights[(r, ag.id)] > weights[(r, choice.id)]):
                choice = ag
        if choice is not None:
            left[choice.id] -= 1
            pairs.append((r, choice.id))
    return pairs


def _optimal(
    agents: list[AgentRecord],
    slots: dict[str, int],
    edges: list[tuple[int, AgentRecord]],
    weights: dict[tuple[int, str], int],
) -> list[tuple[int, str]]:
    """A maximum-weight matching of tickets (by rank, as *edges* name them) to agent slots:
    ``(rank, agent id)``."""
    graph: nx.Graph[tuple[str, int, int]] = nx.Graph()
    for r, ag in edges:
        for j in range(slots[ag.id]):
            graph.add_edge(("t", r, 0), ("a", ag.order, j), weight=weights[(r, ag.id)])
    by_order = {ag.order: ag.id for ag in agents}
    pairs = []
    for u, v in nx.max_weight_matching(graph):
        t, a = (u, v) if u[0] == "t" else (v, u)
        pairs.append((t[1], by_order[a[1]]))
    return pairs
