"""The router against a naive model written from the docs, on random command sequences.

The model keeps every agent and waiting ticket in plain lists and decides by scanning them:

* a ticket that arrives goes to the eligible agent -- routable, serving the channel with room,
  speaking the language, holding every skill at its minimum -- that ranks first on the
  strategy chain, ties to the agent that joined first; with none, it waits;
* capacity as :class:`CapacityRules` documents it: per channel, the agent's capacity capped by
  the rules' limit; nothing else with a ticket of an exclusive channel held, and an exclusive
  channel only with nothing held; with a budget, the load (summed channel weights) plus the
  new ticket's weight within it;
* an agent that frees up (a release, back to a routable presence, joining) takes the best
  waiting tickets it may take, one at a time, while it has room: best is the lowest queue key,
  ``(band of the priority, queued_at + allowance, arrival)``;
* the strategies' keys as documented: longest idle (idle since the last release that left it
  with nothing, or its return to a routable presence with nothing held; busy agents after idle
  ones, least recently assigned first), round robin (the oldest last assignment in assignment
  order; never assigned first), most spare capacity on the ticket's channel, best summed
  proficiency in the ticket's skills.

* relaxation steps, counted from when the ticket was queued: at ``queued_at + after`` the
  step lowers every minimum proficiency above its value to it, drops its skills or the
  language; the tickets whose steps fall due at one instant all relax, then are routed in
  queue order, each to the agent a new ticket would go to.  A host calls ``advance`` before
  each command (and so may skip several instants at once).

Every command's assignments must be the model's, in order, and so must the waiting line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Priority, Ticket, Tier
from csflow.queues import TicketQueue
from csflow.routing import (
    AgentPool,
    Assignment,
    BestProficiency,
    CapacityRules,
    LongestIdle,
    MostSpareCapacity,
    RankingStrategy,
    Relaxation,
    RelaxationStep,
    Relaxed,
    RoundRobin,
    Router,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
US = 1_000_000
CHANNELS = ("chat", "email", "phone")
SKILLS = ("billing", "refunds")
BANDS = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}
ALLOWANCE_US = 600 * US  # AgingKey's default allowance
BUSY = 1 << 62


@dataclass
class MAgent:
    id: str
    order: int
    skills: dict[str, int]
    languages: set[str]
    caps: dict[str, int]
    routable: bool
    idle_since: int
    last_assigned: int
    rules: CapacityRules
    turn: int = -1
    held: dict[str, str] = field(default_factory=dict)  # ticket -> channel

    def cap(self, channel: str) -> int:
        n = self.caps.get(channel, 0)
        return min(n, self.rules.limits[channel]) if channel in self.rules.limits else n

    def load(self) -> int:
        return sum(self.rules.weight(c) for c in self.held.values())

    def takeable(self, channel: str) -> bool:
        rules = self.rules
        if not self.routable or self.cap(channel) <= 0:
            return False
        if any(c in rules.exclusive for c in self.held.values()):
            return False
        if channel in rules.exclusive and self.held:
            return False
        if sum(1 for c in self.held.values() if c == channel) >= self.cap(channel):
            return False
        return rules.budget is None or self.load() + rules.weight(channel) <= rules.budget

    def spare(self, channel: str) -> int:
        if not self.takeable(channel):
            return 0
        if channel in self.rules.exclusive:
            return 1
        room = self.cap(channel) - sum(1 for c in self.held.values() if c == channel)
        if self.rules.budget is not None:
            room = min(room, (self.rules.budget - self.load()) // self.rules.weight(channel))
        return room

    def admits(self, t: MTicket) -> bool:
        if self.caps.get(t.channel, 0) <= 0:
            return False
        if t.language is not None and t.language not in self.languages:
            return False
        return all(self.skills.get(s, 0) >= m for s, m in t.skills.items())


@dataclass
class MTicket:
    id: str
    channel: str
    language: str | None
    skills: dict[str, int]
    key: tuple[int, int, int]
    queued: int = 0
    step: int = 0


@dataclass
class MStep:
    after: int  # µs
    proficiency: int | None
    drop: frozenset[str]
    any_language: bool

    def apply(self, t: MTicket) -> None:
        if self.proficiency is not None:
            t.skills = {s: min(m, self.proficiency) for s, m in t.skills.items()}
        t.skills = {s: m for s, m in t.skills.items() if s not in self.drop}
        if self.any_language:
            t.language = None


class Model:
    def __init__(self, chain: tuple[str, ...], plan: list[MStep]) -> None:
        self.chain = chain
        self.plan = plan
        self.agents: dict[str, MAgent] = {}
        self.waiting: list[MTicket] = []
        self.orders = 0
        self.turns = 0
        self.seq = 0

    def rank(self, ag: MAgent, t: MTicket) -> tuple[int, ...]:
        out = []
        for name in self.chain:
            if name == "longest_idle":
                out.append(BUSY + ag.last_assigned if ag.held else ag.idle_since)
            elif name == "round_robin":
                out.append(ag.turn)
            elif name == "most_spare_capacity":
                out.append(-ag.spare(t.channel))
            else:
                out.append(-sum(ag.skills.get(s, 0) for s in t.skills))
        return (*out, ag.order)

    def assign(self, ag: MAgent, t: MTicket, now: int) -> tuple[str, str]:
        ag.held[t.id] = t.channel
        ag.last_assigned = now
        ag.turn = self.turns
        self.turns += 1
        return t.id, ag.id

    def pull(self, ag: MAgent, now: int) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        while True:
            fits = [t for t in self.waiting if ag.takeable(t.channel) and ag.admits(t)]
            if not fits:
                return out
            best = min(fits, key=lambda t: t.key)
            self.waiting.remove(best)
            out.append(self.assign(ag, best, now))

    def advance(self, now: int) -> list[tuple[str, str]]:
        """Instant by instant: the steps due at one instant apply, then those tickets are
        routed in queue order."""
        out: list[tuple[str, str]] = []
        while True:
            due = [
                t.queued + self.plan[t.step].after for t in self.waiting if t.step < len(self.plan)
            ]
            due = [d for d in due if d <= now]
            if not due:
                return out
            instant = min(due)
            fired = [
                t
                for t in self.waiting
                if t.step < len(self.plan) and t.queued + self.plan[t.step].after == instant
            ]
            for t in fired:
                self.plan[t.step].apply(t)
                t.step += 1
            for t in sorted(fired, key=lambda t: t.key):
                self.waiting.remove(t)
                out += self.submit(t, now)

    def submit(self, t: MTicket, now: int) -> list[tuple[str, str]]:
        while t.step < len(self.plan) and t.queued + self.plan[t.step].after <= now:
            self.plan[t.step].apply(t)  # steps due at once (an ``after`` of 0)
            t.step += 1
        fits = [a for a in self.agents.values() if a.takeable(t.channel) and a.admits(t)]
        if not fits:
            self.waiting.append(t)
            return []
        return [self.assign(min(fits, key=lambda a: self.rank(a, t)), t, now)]


STRATEGIES: dict[str, RankingStrategy] = {
    "longest_idle": LongestIdle(),
    "round_robin": RoundRobin(),
    "most_spare_capacity": MostSpareCapacity(),
    "best_proficiency": BestProficiency(),
}

chains = st.lists(st.sampled_from(sorted(STRATEGIES)), min_size=1, max_size=3, unique=True)
skill_maps = st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 5), max_size=2)
languages = st.sets(st.sampled_from(("id", "en")), max_size=2)
capacities = st.dictionaries(st.sampled_from(CHANNELS), st.integers(0, 3), min_size=1)
capacity_rules = st.builds(
    CapacityRules,
    weights=st.dictionaries(st.sampled_from(CHANNELS), st.integers(1, 3)),
    limits=st.dictionaries(st.sampled_from(CHANNELS), st.integers(0, 3)),
    exclusive=st.sets(st.sampled_from(CHANNELS)),
    budget=st.one_of(st.none(), st.integers(1, 6)),
)

plans = st.lists(
    st.tuples(
        st.integers(0, 120),
        st.one_of(st.none(), st.integers(1, 5)),
        st.frozensets(st.sampled_from(SKILLS), max_size=1),
        st.booleans(),
    ).filter(lambda s: s[1] is not None or s[2] or s[3]),
    max_size=3,
    unique_by=lambda s: s[0],
).map(lambda steps: sorted(steps))

commands = st.lists(
    st.one_of(
        st.tuples(st.just("add"), skill_maps, languages, capacities, st.booleans()),
        st.tuples(st.just("presence"), st.integers(0, 9), st.booleans()),
        st.tuples(
            st.just("submit"),
            st.sampled_from(CHANNELS),
            st.sampled_from((None, "id", "en")),
            skill_maps,
            st.sampled_from(list(Priority)),
        ),
        st.tuples(st.just("release"), st.integers(0, 99)),
        st.tuples(st.just("abandon"), st.integers(0, 99)),
    ),
    min_size=1,
    max_size=40,
)


def moment(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


@settings(max_examples=150, deadline=None)
@given(
    chains,
    capacity_rules,
    plans,
    commands,
    st.lists(st.integers(0, 90), min_size=40, max_size=40),
)
def test_the_router_decides_as_the_model(
    chain: list[str],
    rules: CapacityRules,
    plan: list[tuple[int, int | None, frozenset[str], bool]],
    cmds: list[tuple[Any, ...]],
    gaps: list[int],
) -> None:
    steps = [RelaxationStep(timedelta(seconds=a), p, d, lang) for a, p, d, lang in plan]
    router = Router(
        [TicketQueue("q")],
        pool=AgentPool(rules),
        strategies=tuple(STRATEGIES[n] for n in chain),
        relaxation={"q": Relaxation(steps)} if steps else None,
    )
    model = Model(tuple(chain), [MStep(a * US, p, d, lang) for a, p, d, lang in plan])
    clock = 0
    n_tickets = 0
    for cmd, gap in zip(cmds, gaps, strict=False):
        clock += gap
        now = clock * US
        at = moment(clock)
        changes = router.advance(at)
        assert all(isinstance(c, Assignment | Relaxed) for c in changes)
        got_due = [(c.ticket_id, c.agent_id) for c in changes if isinstance(c, Assignment)]
        assert got_due == model.advance(now)
        kind = cmd[0]
        got: list[tuple[str, str]]
        want: list[tuple[str, str]]
        if kind == "add":
            _, skills, langs, caps, routable = cmd
            aid = f"a{len(model.agents)}"
            profile = AgentProfile(aid, skills=skills, languages=langs, capacity=caps)
            presence = "available" if routable else "offline"
            got = [
                (a.ticket_id, a.agent_id)
                for a in router.add_agent(profile, at=at, presence=presence)
            ]
            ag = MAgent(
                aid,
                model.orders,
                dict(skills),
                set(langs),
                dict(caps),
                bool(routable),
                now,
                now,
                rules,
            )
            model.orders += 1
            model.agents[aid] = ag
            want = model.pull(ag, now) if ag.routable else []
        elif kind == "presence":
            if not model.agents:
                continue
            ag = list(model.agents.values())[int(cmd[1]) % len(model.agents)]
            routable = bool(cmd[2])
            changes = router.set_presence(ag.id, "available" if routable else "away", at=at)
            assert all(isinstance(a, Assignment) for a in changes)
            got = [(a.ticket_id, a.agent_id) for a in changes if isinstance(a, Assignment)]
            if routable and not ag.routable and not ag.held:
                ag.idle_since = now
            ag.routable = routable
            want = model.pull(ag, now) if routable else []
        elif kind == "submit":
            _, channel, language, skills, priority = cmd
            tid = f"t{n_tickets}"
            n_tickets += 1
            customer = Customer(f"c{tid}", Tier("gold"), language=language)
            ticket = Ticket(tid, customer, channel, at, priority=priority, required_skills=skills)
            a = router.submit(ticket, at=at)
            got = [] if a is None else [(a.ticket_id, a.agent_id)]
            key = (BANDS[priority], now + ALLOWANCE_US, model.seq)
            model.seq += 1
            mt = MTicket(tid, channel, language, dict(skills), key, now)
            want = model.submit(mt, now)
        elif kind == "release":
            holders = [(t, ag) for ag in model.agents.values() for t in ag.held]
            if not holders:
                continue
            tid, ag = holders[int(cmd[1]) % len(holders)]
            got = [(a.ticket_id, a.agent_id) for a in router.release(ag.id, tid, at=at)]
            del ag.held[tid]
            if not ag.held and ag.routable:
                ag.idle_since = now
            want = model.pull(ag, now) if ag.routable else []
        else:
            if not model.waiting:
                continue
            t = model.waiting.pop(int(cmd[1]) % len(model.waiting))
            router.remove(t.id)
            got = want = []
        assert got == want, (cmd, got, want)
        assert [e.ticket_id for e in router.waiting()] == [
            t.id for t in sorted(model.waiting, key=lambda t: t.key)
        ]
