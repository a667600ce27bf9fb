"""Routing decisions: csflow's ``Router`` beside the linear scans a hand-written router does.

The headline figure is one routing decision with 10,000 agents and 100,000 waiting tickets;
csflow's target is a median of at most 20 µs, growing no more than 2× from 100 to 10,000
agents.  Two decisions are timed, on the same state:

* *an agent frees up*: ``release`` of an email ticket, after which the agent takes the best
  waiting email ticket it is eligible for (one assignment per call);
* *a ticket arrives*: ``submit`` of a chat ticket, assigned to the longest-idle eligible agent,
  then ``release`` of it (so the state does not drift; the pair is timed).

Every agent holds two emails (its email capacity), so 100,000 email tickets wait.  The peers
are the scans one writes without indexes: pick the best eligible agent by looking at every
agent, and the best eligible waiting ticket by looking at every waiting ticket.

Run with ``python -m benchmarks routing``.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

from benchmarks._common import Row, median_per_call, print_table, section
from csflow.model import AgentProfile, Customer, Ticket, Tier
from csflow.queues import Signature, TicketQueue
from csflow.routing import AgentPool, LongestIdle, Router

WAITING = 100_000
AGENT_COUNTS = (100, 1_000, 10_000)
TARGET_US = 20.0
MAX_GROWTH = 2.0
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

    def ticket_arrives(self, arrivals: list[Ticket]) -> Callable[[], object]:
        r = self.router
        # tickets are made before timing: building one is the host's cost, not routing's
        tickets = itertools.cycle(arrivals)
        nows = _nows()

        def step() -> object:
            now = next(nows)
            got = r.submit(next(tickets), at=now)
            assert got is not None
            r.release(got.agent_id, got.ticket_id, at=now)
            return got

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


def main() -> None:
    """Print decision medians for 100, 1,000 and 10,000 agents with 100,000 waiting."""
    section(
        f"Routing decision with {WAITING:,} tickets waiting "
        f"(target ≤ {TARGET_US:g} µs at 10,000 agents, ≤ {MAX_GROWTH:g}× growth from 100)"
    )
    backlog = [_ticket(i, "email") for i in range(WAITING)]
    arrivals = [_ticket(i, "chat") for i in range(1_000)]
    freed: dict[int, float] = {}
    arrived: dict[int, float] = {}
    rows: list[Row] = []
    for n in AGENT_COUNTS:
        state = _State(n, backlog)
        freed[n] = median_per_call(state.agent_frees_up(), number=4_000)
        arrived[n] = median_per_call(state.ticket_arrives(arrivals), number=4_000)
        rows.append((f"csflow agent frees up, {n:,} agents", freed[n], "release + take next"))
        rows.append((f"csflow ticket arrives, {n:,} agents", arrived[n], "submit + release"))
        if n in (AGENT_COUNTS[0], AGENT_COUNTS[-1]):
            sig = Signature("chat", "id", {"orders": 2})
            rows.append(
                (
                    f"scan every agent, {n:,} agents",
                    median_per_call(_scan_best_agent(state.router, sig), number=20, repeat=3),
                    "best agent by a linear scan",
                )
            )
        if n == AGENT_COUNTS[0]:
            rows.append(
                (
                    f"scan every waiting ticket, {WAITING:,}",
                    median_per_call(
                        _scan_best_ticket(state.router, state.agents[0]), number=2, repeat=3
                    ),
                    "best ticket by a linear scan",
                )
            )
        del state
    print_table(rows)
    lo, hi = AGENT_COUNTS[0], AGENT_COUNTS[-1]
    for label, figures in (("agent frees up", freed), ("ticket arrives", arrived)):
        top = figures[hi] * 1e6
        growth = figures[hi] / figures[lo]
        verdict = "meets" if top <= TARGET_US and growth <= MAX_GROWTH else "MISSES"
        print(
            f"{label}: {top:.2f} µs at {hi:,} agents, {growth:.2f}× growth from {lo:,} "
            f"({verdict} the target)"
        )


if __name__ == "__main__":
    main()
