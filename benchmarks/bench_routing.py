"""Routing decisions: csflow's ``Router`` beside the linear scans a hand-written router does.

The headline figure is one routing decision with 10,000 agents and 100,000 waiting tickets,
as a ratio against the floor timed in turns with it in the same run: one ``heappush`` plus
one ``heappop`` on a bare ``heapq`` of 100,000 ``(band, due, seq, id)`` tuples (as many as
wait).  The target is at most 10× the floor, growing no more than 2× from 100 to 10,000
agents.  A routing decision is one router command that makes one assignment; the two a desk
runs are timed, on the same state:

* *an agent frees up*: ``release`` of an email ticket, after which the agent takes the best
  waiting email ticket it is eligible for (what a desk's ``resolve`` runs);
* *a ticket arrives*: ``submit`` of a chat ticket, assigned to the longest-idle eligible agent
  (what a desk's ``submit`` runs).  The chat tickets are released after each round of
  timing, untimed, so the state does not drift.

Every agent holds two emails (its email capacity), so 100,000 email tickets wait.  The peers
are the scans one writes without indexes: pick the best eligible agent by looking at every
agent, and the best eligible waiting ticket by looking at every waiting ticket.

A second section times a batch (``Router.plan_batch``, greedy, the default score): agents
coming back at once to a backlog, every agent free with three chat slots and twice as many
chat tickets waiting as the slots (what the default ``limit=`` considers).  Its figure is the
cost per decision (one ticket given to one agent) as a ratio against the floor timed in turns
with it: one ``heappush`` plus one ``heappop`` on a bare heap of as many tuples as the batch
considers tickets.  The target is at most ``BATCH_TARGET_RATIO``× the floor at 1,600 agents,
growing no more than ``BATCH_MAX_GROWTH``× from 100: the cost follows the decisions, not the
(ticket, agent) pairs, which grow with the square of the batch.

Run with ``python -m benchmarks routing``.
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

from benchmarks._common import Row, interleaved_per_call, median_per_call, print_table, section
from csflow.model import AgentProfile, Customer, Ticket, Tier
from csflow.queues import Signature, TicketQueue
from csflow.routing import AgentPool, LongestIdle, Router

WAITING = 100_000
AGENT_COUNTS = (100, 1_000, 10_000)
TARGET_RATIO = 10.0  # × one bare heapq push + pop on WAITING items, same run
MAX_GROWTH = 2.0
BATCH_AGENTS = (100, 400, 1_600)
BATCH_TARGET_RATIO = 60.0  # × one bare heapq push + pop on as many items as tickets considered
BATCH_MAX_GROWTH = 2.0
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=1)
LANGS = (("id",), ("en",), ("id", "en"))
SKILL_SETS: tuple[dict[str, int], ...] = (
    {"orders": 1},
    {"orders": 2, "refunds": 1},
    {"payments": 2},
    {},
)
TIERS = [Tier("platinum", 3), Tier("gold", 2), Tier("regular", 0)]
ANYONE = Customer("c-any", TIERS[2])  # no language: any agent may serve


def _agent(i: int) -> AgentProfile:
    return AgentProfile(
        f"a{i}",
        {"orders": 1 + i % 5, "refunds": 1 + i % 3, "payments": 1 + i % 4},
        LANGS[i % 3],
        {"chat": 3, "email": 2},
    )


def _ticket(i: int, channel: str) -> Ticket:
    customer = Customer(f"c{i % 5000}", TIERS[i % 3], language=("id", "en")[i % 2])
    return Ticket(f"{channel}{i}", customer, channel, T0, required_skills=SKILL_SETS[i % 4])


def _nows() -> Iterator[datetime]:
    """Equal copies of NOW, a different one per step: csflow remembers the last datetime it
    converted, and one object passed again and again would time that memo, not routing."""
    return itertools.cycle([NOW.replace() for _ in range(16)])


class _State:
    """A router with *n* agents, each holding two emails, and WAITING emails in line."""

    def __init__(self, n: int, backlog: list[Ticket]) -> None:
        self.router = Router([TicketQueue("main")], pool=AgentPool(), strategies=(LongestIdle(),))
        self.held: dict[str, deque[str]] = {}
        r = self.router
        for i in range(n):
            r.add_agent(_agent(i), at=T0 + timedelta(microseconds=i), presence="available")
            self.held[f"a{i}"] = deque()
        # two emails each that anyone may take, then the backlog waits
        for i in range(2 * n):
            got = r.submit(Ticket(f"held{i}", ANYONE, "email", T0), at=T0)
            assert got is not None
            self.held[got.agent_id].append(got.ticket_id)
        for t in backlog:
            assert r.submit(t, at=T0) is None
        self.agents = list(self.held)

    def agent_frees_up(self) -> Callable[[], object]:
        r, held = self.router, self.held
        cycle = itertools.cycle(self.agents)
        nows = _nows()

        def step() -> object:
            aid = next(cycle)
            queue = held[aid]
            got = r.release(aid, queue.popleft(), at=next(nows))
            queue.extend(a.ticket_id for a in got)
            return got

        return step

    def ticket_arrives(
        self, arrivals: list[Ticket]
    ) -> tuple[Callable[[], object], Callable[[], object]]:
        """The timed ``submit`` and the untimed release of what it assigned."""
        r = self.router
        # tickets are made before timing: building one is the host's cost, not routing's
        tickets = itertools.cycle(arrivals)
        nows = _nows()
        given: list[tuple[str, str]] = []

        def step() -> object:
            got = r.submit(next(tickets), at=next(nows))
            assert got is not None
            given.append((got.agent_id, got.ticket_id))
            return got

        def put_back() -> object:
            for aid, tid in given:
                r.release(aid, tid, at=NOW)
            given.clear()
            return None

        return step, put_back


def _heapq_push_pop(n: int) -> Callable[[], object]:
    """The floor: one push and one pop on a bare heap of *n* comparable tuples."""
    heap = [(1, i * 1_000, i, f"t{i}") for i in range(n)]
    heapq.heapify(heap)
    counter = itertools.count(n)
    push, pop = heapq.heappush, heapq.heappop

    def step() -> object:
        i = next(counter)
        push(heap, (1, i * 1_000, i, f"t{i}"))
        return pop(heap)

    return step


def _scan_best_agent(router: Router, sig: Signature) -> Callable[[], object]:
    """What a router without indexes does: look at every agent for every ticket."""
    pool = router.pool
    profiles = [(aid, pool.status(aid).profile) for aid in pool]
    idle = {aid: pool.status(aid).idle_since for aid in pool}

    def step() -> object:
        best = None
        for aid, prof in profiles:
            eligible = sig.admits(prof) and pool.can_take(aid, sig.channel)
            if eligible and (best is None or idle[aid] < idle[best]):
                best = aid
        return best

    return step


def _scan_best_ticket(router: Router, agent_id: str) -> Callable[[], object]:
    """...and at every waiting ticket when an agent frees up."""
    entries = router.waiting()
    profile = router.pool.status(agent_id).profile

    def step() -> object:
        best = None
        for e in entries:
            if e.signature.admits(profile) and (best is None or e.key < best.key):
                best = e
        return best

    return step


def _batch_router(n: int) -> Router:
    """*n* free agents (three chat slots each) and twice as many chat tickets as slots."""
    r = Router([TicketQueue("main")], pool=AgentPool(), strategies=(LongestIdle(),))
    for i in range(n):
        r.add_agent(_agent(i), at=T0 + timedelta(microseconds=i), presence="available", pull=False)
    for j in range(6 * n):
        assert r.submit(_ticket(j, "chat"), at=T0, route=False) is None
    return r


def _plan_step(router: Router) -> Callable[[], object]:
    nows = _nows()

    def step() -> object:
        return router.plan_batch(at=next(nows), channel="chat")

    return step


def batch_section(sizes: tuple[int, ...] = BATCH_AGENTS) -> None:
    """Print the cost of a greedy batch per decision, against a bare heapq push + pop."""
    section(
        f"Batch assignment, greedy (target ≤ {BATCH_TARGET_RATIO:g}× one bare heapq push + pop "
        f"per decision at {sizes[-1]:,} agents, ≤ {BATCH_MAX_GROWTH:g}× growth from {sizes[0]:,})"
    )
    ratios: dict[int, float] = {}
    for n in sizes:
        router = _batch_router(n)
        plan = router.plan_batch(at=NOW, channel="chat")
        decisions = len(plan.pairs)
        floor_step = _heapq_push_pop(plan.tickets)
        for _ in range(20_000):
            floor_step()
        figures = interleaved_per_call(
            {"floor": floor_step, "plan": _plan_step(router)},
            number={"floor": 5_000, "plan": 1},
            rounds=5,
            warmup=1,
        )
        per_decision = figures["plan"] / decisions
        ratios[n] = per_decision / figures["floor"]
        pairs = plan.tickets * n
        print_table(
            [
                (f"heapq push + pop, {plan.tickets:,} items", figures["floor"], "the floor"),
                (
                    f"batch of {plan.tickets:,} tickets, {n:,} agents",
                    per_decision,
                    f"per decision ({decisions:,}); {figures['plan'] / pairs * 1e9:,.0f} ns "
                    f"per (ticket, agent) of {pairs:,}",
                ),
            ],
            unit="per unit",
            ratio_label="× floor",
        )
    lo, hi = sizes[0], sizes[-1]
    growth = ratios[hi] / ratios[lo]
    ok = ratios[hi] <= BATCH_TARGET_RATIO and growth <= BATCH_MAX_GROWTH
    print(
        f"batch decision: {ratios[hi]:.1f}× one bare heapq push + pop at {hi:,} agents, "
        f"{growth:.2f}× growth from {lo:,} ({'meets' if ok else 'MISSES'} the target)"
    )


def main() -> None:
    """Print decision costs for 100, 1,000 and 10,000 agents with 100,000 waiting, then a
    batch's cost per decision for 100 to 1,600 agents."""
    section(
        f"Routing decision with {WAITING:,} tickets waiting (target ≤ {TARGET_RATIO:g}× one "
        f"bare heapq push + pop at 10,000 agents, ≤ {MAX_GROWTH:g}× growth from 100)"
    )
    backlog = [_ticket(i, "email") for i in range(WAITING)]
    arrivals = [_ticket(i, "chat") for i in range(1_000)]
    floor_step = _heapq_push_pop(WAITING)
    for _ in range(50_000):  # the steady state: a fresh heap's first pops run slower
        floor_step()
    freed: dict[int, float] = {}
    arrived: dict[int, float] = {}
    floors: dict[int, float] = {}
    rows: list[Row] = []
    for n in AGENT_COUNTS:
        state = _State(n, backlog)
        submit, put_back = state.ticket_arrives(arrivals)
        # Each agent has 3 chat slots: a round of submits must fit in them.
        figures = interleaved_per_call(
            {"floor": floor_step, "freed": state.agent_frees_up(), "arrived": submit},
            number={"floor": 1_000, "freed": 1_000, "arrived": min(1_000, n)},
            rounds=11,
            after_round={"arrived": put_back},
        )
        floors[n], freed[n], arrived[n] = figures["floor"], figures["freed"], figures["arrived"]
        rows.append((f"heapq push + pop, {WAITING:,} items", floors[n], "the floor, same turns"))
        rows.append((f"csflow agent frees up, {n:,} agents", freed[n], "release + take next"))
        rows.append((f"csflow ticket arrives, {n:,} agents", arrived[n], "submit, assigned"))
        if n in (AGENT_COUNTS[0], AGENT_COUNTS[-1]):
            sig = Signature("chat", "id", {"orders": 2})
            rows.append(
                (
                    f"scan every agent, {n:,} agents",
                    median_per_call(_scan_best_agent(state.router, sig), number=20, repeat=3),
                    "best agent by a linear scan (wall time)",
                )
            )
        if n == AGENT_COUNTS[0]:
            rows.append(
                (
                    f"scan every waiting ticket, {WAITING:,}",
                    median_per_call(
                        _scan_best_ticket(state.router, state.agents[0]), number=2, repeat=3
                    ),
                    "best ticket by a linear scan (wall time)",
                )
            )
        del state
    print_table(rows)
    lo, hi = AGENT_COUNTS[0], AGENT_COUNTS[-1]
    for label, by_n in (("agent frees up", freed), ("ticket arrives", arrived)):
        ratio = by_n[hi] / floors[hi]
        growth = (by_n[hi] / floors[hi]) / (by_n[lo] / floors[lo])
        verdict = "meets" if ratio <= TARGET_RATIO and growth <= MAX_GROWTH else "MISSES"
        print(
            f"{label}: {ratio:.2f}× one bare heapq push + pop at {hi:,} agents, "
            f"{growth:.2f}× growth from {lo:,} ({verdict} the target)"
        )
    batch_section()


if __name__ == "__main__":
    main()
