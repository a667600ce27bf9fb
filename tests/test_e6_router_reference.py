"""The router beside a naive reference router written from the routing docs, on random programs.

The reference keeps agents and waiting tickets in plain dicts and decides every question by a
linear scan, as the docs (the routing reference, *Skills, proficiency and relaxation* and
*Greeting repeat customers*) describe it:

* two queues, ``a`` and ``b``, sharing one counter; two routing profiles (agent groups):
  ``front`` serves ``a`` at priority 1 and ``b`` at 2, ``back`` serves ``b`` at 1 and ``a``
  at 1 once a ticket waited a delay;
* a ticket that arrives goes to the eligible agent (routable, with room on the channel,
  serving it, speaking the language, every skill at its minimum, its group serving the
  queue by then) that ranks first on (the slot's priority, the ranking strategies, joining
  order); with ``preferred_agent`` in the chain, the customer's preferred agent, else the
  last agent, takes it when it can and ties with the best on the strategies before the pin;
  when it cannot and is routable but busy (and serves the ticket), the ticket is held for it
  alone until the timeout; agents that could not be waited for are passed over and the hold
  moves to them when they can be; a hold ends at its timeout, when its agent stops being
  routable or leaves, when a profile change means it no longer serves the ticket, or when
  an overflow takes the ticket to a queue it does not serve;
* an agent that frees up takes, while it has room, the best waiting ticket it may take:
  its profile's queues by priority level (once their delay passed), lowest key first;
* relaxation steps of queue ``a``'s plan, counted from when the ticket was queued: at each
  instant, the tickets due change first, then are routed in queue order; a delay crossed is
  routed at the instant it was crossed, after the timers due then, before later ones.

After every command the decisions (assignments, relaxations, overflows, holds released), the
waiting line (queue, key order, the agent a ticket is held for), every agent's holdings and
idle time and ``next_step_at`` must be the reference's; ``load_state(to_state())`` round trips
mid-program change nothing.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from csflow import AgentProfile, Channel, Customer, Priority, Ticket, Tier
from csflow.errors import ConfigError
from csflow.queues import TicketQueue
from csflow.routing import (
    Assignment,
    BestProficiency,
    LongestIdle,
    MostSpareCapacity,
    Overflowed,
    PinReleased,
    PreferredAgent,
    QueueSlot,
    Relaxation,
    RelaxationStep,
    Relaxed,
    RoundRobin,
    Router,
    RoutingProfile,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = 1_000_000
T0_US = (T0 - EPOCH) // timedelta(microseconds=1)
BUSY = 1 << 62
BANDS = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}
ALLOWANCE_US = 600 * US  # AgingKey's default allowance
DELAY_US = 60 * US  # the back office serves queue "a" after this
EXCLUSIVE = ("phone",)  # CapacityRules' default
AGENT_IDS = tuple(f"ag{i}" for i in range(10))
SKILLS = ("billing", "refunds")
# group -> [(queue, priority, delay_us)]
PROFILES = {"front": [("a", 1, 0), ("b", 2, 0)], "back": [("b", 1, 0), ("a", 1, DELAY_US)]}
RANKING = {
    "longest_idle": LongestIdle(),
    "round_robin": RoundRobin(),
    "most_spare_capacity": MostSpareCapacity(),
    "best_proficiency": BestProficiency(),
}


def moment(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


@dataclass
class MAgent:
    id: str
    order: int
    group: str
    skills: dict[str, int]
    languages: frozenset[str]
    caps: dict[Channel | str, int]
    routable: bool
    idle_since: int
    last_assigned: int
    turn: int = -1
    held: dict[str, str] = field(default_factory=dict)  # ticket -> channel, in order

    def count(self, channel: str) -> int:
        return sum(1 for c in self.held.values() if c == channel)

    def can_take(self, channel: str) -> bool:
        if not self.routable or self.caps.get(channel, 0) <= 0:
            return False
        if any(c in EXCLUSIVE for c in self.held.values()):
            return False
        if channel in EXCLUSIVE and self.held:
            return False
        return self.count(channel) < self.caps[channel]

    def spare(self, channel: str) -> int:
        if not self.can_take(channel):
            return 0
        if channel in EXCLUSIVE:
            return 1
        return self.caps[channel] - self.count(channel)


@dataclass
class MTicket:
    id: str
    queue: str
    channel: str
    language: str | None
    skills: dict[str, int]
    priority: Priority
    queued: int
    plan: list[RelaxationStep] | None
    preferred: str | None
    last_agent: str | None
    handed_off_by: str | None
    key: tuple[int, int, int] = (0, 0, 0)
    step: int = 0
    pin: str | None = None
    pin_until: int = 0
    ahead: list[str] = field(default_factory=list)
    crossed: bool = False

    def admitted_by(self, ag: MAgent) -> bool:
        """The agent meets the requirements (statically: channel served, language, skills)."""
        if ag.caps.get(self.channel, 0) <= 0:
            return False
        if self.language is not None and self.language not in ag.languages:
            return False
        return all(ag.skills.get(s, 0) >= m for s, m in self.skills.items())

    def timer(self) -> int | None:
        due = []
        if self.pin is not None:
            due.append(self.pin_until)
        if self.plan is not None and self.step < len(self.plan):
            due.append(self.queued + self.plan[self.step].after_us)
        return min(due, default=None)

    def crossing(self) -> int | None:
        return self.queued + DELAY_US if self.queue == "a" and not self.crossed else None


def serves(group: str, queue: str, waited: int) -> int | None:
    prios = [p for q, p, d in PROFILES[group] if q == queue and d <= waited]
    return min(prios, default=None)


class Reference:
    def __init__(self, ranking: list[str], pin: tuple[int, int] | None, plan: Any) -> None:
        self.ranking = ranking
        self.pin = pin  # (position among the ranking strategies, hold in µs)
        self.plan = plan
        self.agents: dict[str, MAgent] = {}
        self.waiting: dict[str, MTicket] = {}
        self.orders = itertools.count()
        self.turns = itertools.count()
        self.seq = itertools.count()

    # -- ranking ---------------------------------------------------------------------------

    def key(self, ag: MAgent, t: MTicket) -> tuple[int, ...]:
        out = []
        for name in self.ranking:
            if name == "longest_idle":
                out.append(BUSY + ag.last_assigned if ag.held else ag.idle_since)
            elif name == "round_robin":
                out.append(ag.turn)
            elif name == "most_spare_capacity":
                out.append(-ag.spare(t.channel))
            else:
                out.append(-sum(ag.skills.get(s, 0) for s in t.skills))
        return tuple(out)

    def holdable(self, aid: str | None, t: MTicket, waited: int) -> int | None:
        """The priority at which the agent serves *t* when *t* may be held for it."""
        ag = self.agents.get(aid) if aid is not None else None
        if ag is None or not ag.routable or not t.admitted_by(ag):
            return None
        return serves(ag.group, t.queue, waited)

    def names(self, t: MTicket) -> list[str]:
        out: list[str] = []
        for a in (t.preferred, t.last_agent):
            if a is not None and a not in out and a != t.handed_off_by:
                out.append(a)
        return out

    # -- decisions -------------------------------------------------------------------------

    def assign(self, ag: MAgent, t: MTicket, stamp: int, out: list[Any]) -> None:
        self.waiting.pop(t.id, None)
        ag.held[t.id] = t.channel
        ag.last_assigned = stamp
        ag.turn = next(self.turns)
        out.append(("assign", t.id, ag.id))

    def best_agent(self, t: MTicket, phase: int) -> tuple[int, tuple[int, ...], int, MAgent] | None:
        waited = max(0, phase - t.queued)
        cands = []
        for ag in self.agents.values():
            prio = serves(ag.group, t.queue, waited)
            if prio is None or not ag.can_take(t.channel) or not t.admitted_by(ag):
                continue
            if t.pin is not None and ag.id != t.pin:
                continue
            cands.append((prio, self.key(ag, t), ag.order, ag))
        return min(cands, key=lambda c: c[:3], default=None)

    def route_waiting(self, t: MTicket, phase: int, stamp: int, out: list[Any]) -> None:
        best = self.best_agent(t, phase)
        if best is not None:
            self.assign(best[3], t, stamp, out)

    def pull(self, ag: MAgent, now: int, out: list[Any]) -> None:
        levels = sorted({p for _, p, _ in PROFILES[ag.group]})
        while ag.routable and ag.id in self.agents:
            found = None
            for level in levels:
                slots = {q: d for q, p, d in PROFILES[ag.group] if p == level}
                fits = [
                    t
                    for t in self.waiting.values()
                    if t.queue in slots
                    and t.queued + slots[t.queue] <= now
                    and ag.can_take(t.channel)
                    and t.admitted_by(ag)
                    and (t.pin is None or t.pin == ag.id)
                ]
                if fits:
                    found = min(fits, key=lambda t: t.key)
                    break
            if found is None:
                return
            self.assign(ag, found, now, out)

    def move_hold(self, t: MTicket, phase: int) -> None:
        waited = max(0, phase - t.queued)
        for i, aid in enumerate(t.ahead):
            if self.holdable(aid, t, waited) is not None:
                t.pin, t.ahead = aid, t.ahead[:i]
                return

    def holds_move_to(self, aid: str, now: int) -> None:
        for t in sorted(self.waiting.values(), key=lambda t: t.key):
            if t.pin is not None and aid in t.ahead:
                self.move_hold(t, now)

    def end_holds(self, held: list[MTicket], aid: str, now: int, out: list[Any]) -> None:
        for t in sorted(held, key=lambda t: t.key):
            out.append(("pin_released", t.id, aid))
            t.pin, t.ahead = None, []
            self.route_waiting(t, now, now, out)

    def apply_steps(self, t: MTicket, phase: int, out: list[Any]) -> None:
        plan = t.plan
        while plan is not None and t.step < len(plan) and t.queued + plan[t.step].after_us <= phase:
            s = plan[t.step]
            t.step += 1
            skills = dict(t.skills)
            if s.proficiency is not None:
                skills = {k: min(m, s.proficiency) for k, m in skills.items()}
            skills = {k: m for k, m in skills.items() if k not in s.drop}
            language = None if s.any_language else t.language
            if (skills, language) != (t.skills, t.language):
                t.skills, t.language = skills, language
                out.append(("relaxed", t.id, t.step))
            if s.overflow_to is not None and s.overflow_to != t.queue:
                out.append(("overflowed", t.id, t.queue, s.overflow_to))
                t.queue = s.overflow_to

    # -- commands --------------------------------------------------------------------------

    def submit(self, t: MTicket, now: int) -> list[Any]:
        out: list[Any] = []
        self.apply_steps(t, now, [])  # steps due at once: ``caught_up``, not returned
        best = self.best_agent(t, now)
        waited = 0
        if self.pin is not None:
            prefix = self.pin[0]
            for aid in self.names(t):
                ag = self.agents.get(aid)
                if ag is None or not ag.can_take(t.channel) or not t.admitted_by(ag):
                    continue
                prio = serves(ag.group, t.queue, waited)
                if prio is None:
                    continue
                assert best is not None
                if (prio, self.key(ag, t)[:prefix]) <= (best[0], best[1][:prefix]):
                    self.assign(ag, t, now, out)
                    return out
            if self.pin[1] > 0:
                rival = None if best is None else best[3]
                passed: list[str] = []
                for aid in self.names(t):
                    ag = self.agents.get(aid)
                    if rival is not None and ag is rival:
                        continue
                    prio = self.holdable(aid, t, waited)
                    if prio is None or ag is None:
                        if aid not in passed:
                            passed.append(aid)
                        continue
                    if rival is not None:
                        theirs = (serves(rival.group, t.queue, waited), self.key(rival, t)[:prefix])
                        if theirs[0] is not None and theirs < (prio, self.key(ag, t)[:prefix]):
                            continue
                    t.pin, t.pin_until = aid, now + self.pin[1]
                    t.ahead = [a for a in passed if a != aid]
                    best = None
                    break
        if best is not None:
            self.assign(best[3], t, now, out)
            return out
        t.key = (BANDS[t.priority], t.queued + ALLOWANCE_US, next(self.seq))
        self.waiting[t.id] = t
        return out

    def advance(self, now: int, stamp: int) -> list[Any]:
        """Instant by instant: the timers due at one instant fire together, then their
        tickets are routed in queue order; a delay crossed is routed at its instant, after
        the timers due then.  Decisions are stamped *stamp*."""
        out: list[Any] = []
        while True:
            timers = [x for t in self.waiting.values() if (x := t.timer()) is not None]
            due = min(timers, default=None)
            if due is None or due > now:
                break
            crossings = [x for t in self.waiting.values() if (x := t.crossing()) is not None]
            first = min(crossings, default=None)
            if first is not None and first < due:
                self.cross(first, stamp, out)
                continue
            self.fire(due, stamp, out)
        while True:
            crossings = [x for t in self.waiting.values() if (x := t.crossing()) is not None]
            first = min(crossings, default=None)
            if first is None or first > now:
                return out
            self.cross(first, stamp, out)

    def cross(self, instant: int, stamp: int, out: list[Any]) -> None:
        crossed = sorted(
            (t for t in self.waiting.values() if t.crossing() == instant), key=lambda t: t.key
        )
        for t in crossed:
            t.crossed = True
        for t in crossed:
            if t.id not in self.waiting:
                continue
            if t.ahead:
                self.move_hold(t, instant)
            self.route_waiting(t, instant, stamp, out)

    def fire(self, instant: int, stamp: int, out: list[Any]) -> None:
        fired = [t for t in self.waiting.values() if t.timer() == instant]
        changes: dict[str, list[Any]] = {}
        for t in fired:
            mine: list[Any] = []
            if t.pin is not None and t.pin_until <= instant:
                mine.append(("pin_released", t.id, t.pin))
                t.pin, t.ahead = None, []
            before = t.queue
            self.apply_steps(t, instant, mine)
            if t.queue != before:
                t.crossed = True  # nothing of queue "b" waits for a delay
            if t.ahead:
                self.move_hold(t, instant)
            if t.pin is not None and self.holdable(t.pin, t, instant - t.queued) is None:
                mine.append(("pin_released", t.id, t.pin))
                t.pin, t.ahead = None, []
            changes[t.id] = mine
        for t in sorted(fired, key=lambda t: t.key):
            out.extend(changes[t.id])
            self.route_waiting(t, instant, stamp, out)

    def next_step(self) -> int | None:
        due = [t.timer() for t in self.waiting.values()]
        due += [t.crossing() for t in self.waiting.values()]
        return min((d for d in due if d is not None), default=None)


def decisions(changes: Any) -> list[Any]:
    out: list[Any] = []
    for c in changes:
        if isinstance(c, Assignment):
            out.append(("assign", c.ticket_id, c.agent_id))
        elif isinstance(c, PinReleased):
            out.append(("pin_released", c.ticket_id, c.agent_id))
        elif isinstance(c, Relaxed):
            out.append(("relaxed", c.ticket_id, c.step))
        elif isinstance(c, Overflowed):
            out.append(("overflowed", c.ticket_id, c.from_queue, c.to_queue))
        else:  # pragma: no cover - a change the reference does not know
            raise AssertionError(c)
    return out


def to_plain(p: AgentProfile) -> Any:
    return [p.id, dict(p.skills), sorted(p.languages), dict(p.capacity)]


def from_plain(raw: Any, path: str) -> AgentProfile:
    aid, skills, languages, capacity = raw
    return AgentProfile(aid, skills=skills, languages=set(languages), capacity=capacity)


agent_skills = st.dictionaries(
    st.sampled_from(SKILLS), st.sampled_from((1, 3, 4, 5, 5)), max_size=2
)
needs: st.SearchStrategy[dict[str, int]] = st.one_of(
    st.just({}), st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 5), max_size=2)
)
languages = st.frozensets(st.sampled_from(("id", "en")), max_size=2)
capacities = st.fixed_dictionaries(
    {"chat": st.sampled_from((0, 1, 2, 2)), "email": st.integers(0, 2), "phone": st.integers(0, 1)}
)
step_values = st.tuples(
    st.one_of(st.none(), st.integers(1, 4)),
    st.frozensets(st.sampled_from(SKILLS), max_size=1),
    st.booleans(),
    st.booleans(),
).filter(lambda s: s[0] is not None or s[1] or s[2] or s[3])
gaps = st.sampled_from((0, 0, 5, 20, 30, 45, 61, 95))


class RouterAgainstReference(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = T0_US
        self.n_tickets = 0
        self.tickets: dict[str, Ticket] = {}
        # ticket id -> (queue, channel, language, skills, preferred agent), as submitted
        self.made: dict[str, tuple[str, str, str | None, dict[str, int], str | None]] = {}
        self.done: dict[str, str] = {}  # ticket id -> the agent that released it

    def build(self) -> Router:
        seq = itertools.count()
        profiles = [
            RoutingProfile(
                g,
                [QueueSlot(q, p, timedelta(microseconds=d)) for q, p, d in slots],
            )
            for g, slots in PROFILES.items()
        ]
        return Router(
            [TicketQueue("a", sequence=seq), TicketQueue("b", sequence=seq)],
            profiles,
            strategies=self.chain,
            relaxation={"a": Relaxation(self.steps)} if self.steps else None,
        )

    @initialize(
        ranking=st.lists(st.sampled_from(sorted(RANKING)), min_size=1, max_size=2, unique=True),
        pin=st.one_of(
            st.none(), st.tuples(st.integers(0, 1), st.sampled_from((0, 30 * US, 90 * US)))
        ),
        plan=st.lists(
            st.tuples(st.sampled_from((0, 20, 45, 70, 100)), step_values),
            max_size=3,
            unique_by=lambda s: s[0],
        ),
        wake_every_step=st.booleans(),
        staff=st.lists(
            st.tuples(
                st.sampled_from(sorted(PROFILES)),
                agent_skills,
                languages,
                capacities,
                st.sampled_from((True, True, False)),
            ),
            min_size=3,
            max_size=8,
        ),
    )
    def setup(
        self,
        ranking: list[str],
        pin: tuple[int, int] | None,
        plan: list[tuple[int, Any]],
        wake_every_step: bool,
        staff: list[tuple[str, dict[str, int], frozenset[str], dict[str, int], bool]],
    ) -> None:
        chain: list[Any] = [RANKING[n] for n in ranking]
        if pin is not None:
            pin = (min(pin[0], len(chain)), pin[1])
            chain.insert(pin[0], PreferredAgent(timeout=timedelta(microseconds=pin[1])))
        self.chain = tuple(chain)
        self.steps = [
            RelaxationStep(
                timedelta(seconds=after),
                proficiency=p,
                drop=drop,
                any_language=lang,
                overflow_to="b" if over else None,
            )
            for after, (p, drop, lang, over) in sorted(plan)
        ]
        self.wake_every_step = wake_every_step
        self.router = self.build()
        self.ref = Reference(ranking, pin, self.steps or None)
        for i, (group, skills, langs, caps, routable) in enumerate(staff):
            self.add_agent(0, i, group, skills, langs, caps, routable)

    # -- the clock -------------------------------------------------------------------------

    def tick(self, gap: int) -> None:
        """Time passes; the host advances the router (at every step, or once)."""
        self.now += gap * US
        got: list[Any] = []
        want: list[Any] = []
        if self.wake_every_step:
            while (n := self.router.next_step_us()) is not None and n <= self.now:
                got += decisions(self.router.advance(moment(n)))
                want += self.ref.advance(n, n)
        got += decisions(self.router.advance(moment(self.now)))
        want += self.ref.advance(self.now, self.now)
        assert got == want, (got, want)

    # -- commands --------------------------------------------------------------------------

    @rule(
        gap=gaps,
        i=st.integers(0, len(AGENT_IDS) - 1),
        group=st.sampled_from(sorted(PROFILES)),
        skills=agent_skills,
        langs=languages,
        caps=capacities,
        routable=st.sampled_from((True, True, False)),
    )
    def add_agent(
        self,
        gap: int,
        i: int,
        group: str,
        skills: dict[str, int],
        langs: frozenset[str],
        caps: dict[Channel | str, int],
        routable: bool,
    ) -> None:
        aid = AGENT_IDS[i]
        if aid in self.ref.agents:
            return
        self.tick(gap)
        profile = AgentProfile(aid, skills=skills, languages=langs, capacity=caps)
        presence = "available" if routable else "offline"
        got = decisions(
            self.router.add_agent(
                profile, at=moment(self.now), presence=presence, routing_profile=group
            )
        )
        ref = self.ref
        ag = MAgent(
            aid, next(ref.orders), group, dict(skills), langs, dict(caps), routable, self.now,
            self.now,
        )  # fmt: skip
        ref.agents[aid] = ag
        want: list[Any] = []
        if routable:
            ref.holds_move_to(aid, self.now)
            ref.pull(ag, self.now, want)
        assert got == want, (got, want)

    @rule(
        gap=gaps,
        i=st.integers(0, 99),
        state=st.sampled_from(("available", "available", "away", "offline")),
    )
    def set_presence(self, gap: int, i: int, state: str) -> None:
        ref = self.ref
        if not ref.agents:
            return
        self.tick(gap)
        ag = list(ref.agents.values())[i % len(ref.agents)]
        got = decisions(self.router.set_presence(ag.id, state, at=moment(self.now)))
        want: list[Any] = []
        routable = state == "available"
        if routable and not ag.routable and not ag.held:
            ag.idle_since = self.now
        ag.routable = routable
        if not routable:
            pinned = [t for t in ref.waiting.values() if t.pin == ag.id]
            ref.end_holds(pinned, ag.id, self.now, want)
        else:
            ref.holds_move_to(ag.id, self.now)
            ref.pull(ag, self.now, want)
        assert got == want, (got, want)

    @rule(
        gap=gaps,
        queue=st.sampled_from(("a", "a", "b")),
        channel=st.sampled_from(("chat", "chat", "email", "phone")),
        language=st.sampled_from((None, None, "id", "en")),
        skills=needs,
        priority=st.sampled_from(list(Priority)),
        preferred=st.one_of(st.none(), st.sampled_from(AGENT_IDS[:6])),
        last=st.one_of(st.none(), st.sampled_from(AGENT_IDS[:6])),
        handed=st.one_of(st.none(), st.none(), st.sampled_from(AGENT_IDS[:6])),
    )
    def submit(
        self,
        gap: int,
        queue: str,
        channel: str,
        language: str | None,
        skills: dict[str, int],
        priority: Priority,
        preferred: str | None,
        last: str | None,
        handed: str | None,
    ) -> None:
        self.tick(gap)
        tid = f"t{self.n_tickets}"
        self.n_tickets += 1
        customer = Customer(f"c{tid}", Tier("gold"), language=language, preferred_agent=preferred)
        at = moment(self.now)
        ticket = Ticket(tid, customer, channel, at, priority=priority, required_skills=skills)
        self.tickets[tid] = ticket
        self.made[tid] = (queue, channel, language, dict(skills), preferred)
        a = self.router.submit(ticket, at=at, queue=queue, last_agent=last, handed_off_by=handed)
        got = [] if a is None else decisions([a])
        mt = MTicket(
            tid, queue, channel, language, dict(skills), priority, self.now,
            self.ref.plan if queue == "a" else None, preferred, last, handed,
        )  # fmt: skip
        assert got == self.ref.submit(mt, self.now)

    @rule(
        gap=gaps,
        i=st.integers(0, 99),
        j=st.integers(0, 99),
        queue=st.sampled_from(("a", "b")),
        priority=st.sampled_from(list(Priority)),
        last=st.booleans(),
    )
    def submit_for_a_known_agent(
        self, gap: int, i: int, j: int, queue: str, priority: Priority, last: bool
    ) -> None:
        """A ticket of a customer who prefers (or was last served by) an agent who serves it
        -- so that holds are made, moved and ended often."""
        agents = list(self.ref.agents.values())
        if not agents:
            return
        ag = agents[i % len(agents)]
        other = agents[j % len(agents)].id
        channels = sorted(c for c, n in ag.caps.items() if n > 0)
        if not channels:
            return
        preferred, last_agent = (other, ag.id) if last else (ag.id, None)
        self.submit(gap, queue, channels[j % len(channels)], None, {}, priority, preferred,
                    last_agent, None)  # fmt: skip

    @rule(gap=gaps, i=st.integers(0, 999))
    def release(self, gap: int, i: int) -> None:
        ref = self.ref
        holders = [(t, ag) for ag in ref.agents.values() for t in ag.held]
        if not holders:
            return
        self.tick(gap)
        tid, ag = holders[i % len(holders)]
        got = decisions(self.router.release(ag.id, tid, at=moment(self.now)))
        del ag.held[tid]
        self.done[tid] = ag.id
        if not ag.held and ag.routable:
            ag.idle_since = self.now
        want: list[Any] = []
        ref.pull(ag, self.now, want)
        assert got == want, (got, want)

    @rule(gap=gaps, i=st.integers(0, 999), priority=st.sampled_from(list(Priority)))
    def reprioritize(self, gap: int, i: int, priority: Priority) -> None:
        ref = self.ref
        if not ref.waiting:
            return
        self.tick(gap)
        if not ref.waiting:
            return
        t = list(ref.waiting.values())[i % len(ref.waiting)]
        ticket = attrs.evolve(self.tickets[t.id], priority=priority)
        self.router.reprioritize(ticket, at=moment(self.now))
        self.tickets[t.id] = ticket
        t.priority = priority
        t.key = (BANDS[priority], t.key[1], t.key[2])  # its place among equals kept

    @rule(gap=gaps, i=st.integers(0, 999), other=st.booleans())
    def reopen(self, gap: int, i: int, other: bool) -> None:
        """A resolved ticket comes back: to the agent who resolved it when that agent can take
        it now, else routed as new, held for that agent as the customer's last one."""
        if not self.done:
            return
        self.tick(gap)
        tid = sorted(self.done)[i % len(self.done)]
        last = self.done.pop(tid)
        queue, channel, language, skills, preferred = self.made[tid]
        ticket = self.tickets[tid]
        a = self.router.reopen(ticket, last, at=moment(self.now), queue=queue)
        got = [] if a is None else decisions([a])
        ref = self.ref
        ag = ref.agents.get(last)
        mt = MTicket(
            tid, queue, channel, language, dict(skills), ticket.priority, self.now,
            ref.plan if queue == "a" else None, preferred, last, None,
        )  # fmt: skip
        want: list[Any] = []
        if (
            ag is not None
            and ag.can_take(channel)
            and mt.admitted_by(ag)
            and serves(ag.group, queue, 0) is not None
        ):
            ref.assign(ag, mt, self.now, want)
        else:
            want = ref.submit(mt, self.now)
        assert got == want, (got, want)

    @rule(gap=gaps, i=st.integers(0, 999))
    def abandon(self, gap: int, i: int) -> None:
        ref = self.ref
        if not ref.waiting:
            return
        self.tick(gap)
        if not ref.waiting:
            return
        t = list(ref.waiting.values())[i % len(ref.waiting)]
        self.router.remove(t.id)
        del ref.waiting[t.id]

    @rule(gap=gaps, i=st.integers(0, 99))
    def remove_agent(self, gap: int, i: int) -> None:
        ref = self.ref
        if not ref.agents:
            return
        self.tick(gap)
        ag = list(ref.agents.values())[i % len(ref.agents)]
        held = self.router.remove_agent(ag.id, at=moment(self.now))
        assert held == tuple(ag.held)
        del ref.agents[ag.id]
        got = decisions(self.router.release_pins(ag.id, at=moment(self.now)))
        want: list[Any] = []
        ref.end_holds([t for t in ref.waiting.values() if t.pin == ag.id], ag.id, self.now, want)
        assert got == want, (got, want)

    @rule(
        gap=gaps,
        i=st.integers(0, 99),
        skills=agent_skills,
        langs=languages,
        caps=capacities,
    )
    def update_agent(
        self,
        gap: int,
        i: int,
        skills: dict[str, int],
        langs: frozenset[str],
        caps: dict[Channel | str, int],
    ) -> None:
        ref = self.ref
        if not ref.agents:
            return
        self.tick(gap)
        ag = list(ref.agents.values())[i % len(ref.agents)]
        profile = AgentProfile(ag.id, skills=skills, languages=langs, capacity=caps)
        if any(ag.count(c) > caps.get(c, 0) for c in set(ag.held.values())):
            before = self.router.to_state(to_plain)
            # A capacity below the agent's load is refused, and changes nothing.
            with pytest.raises(ConfigError):
                self.router.update_agent(profile, at=moment(self.now))
            assert self.router.to_state(to_plain) == before
            return
        got = decisions(self.router.update_agent(profile, at=moment(self.now)))
        ag.skills, ag.languages, ag.caps = dict(skills), langs, dict(caps)
        want: list[Any] = []
        lost = [
            t
            for t in ref.waiting.values()
            if t.pin == ag.id and ref.holdable(ag.id, t, self.now - t.queued) is None
        ]
        ref.end_holds(lost, ag.id, self.now, want)
        if ag.routable:
            ref.holds_move_to(ag.id, self.now)
            ref.pull(ag, self.now, want)
        assert got == want, (got, want)

    @rule(gap=gaps)
    def wait(self, gap: int) -> None:
        self.tick(gap)

    @rule()
    def round_trip(self) -> None:
        state = self.router.to_state(to_plain, self.now)
        restored = self.build()
        restored.load_state(state, self.tickets, from_plain, now=self.now)
        assert restored.to_state(to_plain, self.now) == state
        self.router = restored

    # -- the state after every step ----------------------------------------------------------

    @invariant()
    def same_state(self) -> None:
        if not hasattr(self, "ref"):
            return
        ref, router = self.ref, self.router
        got = [(q, e.ticket_id, e.signature.agent) for q in ("a", "b") for e in router.waiting(q)]
        want = [
            (q, t.id, t.pin)
            for q in ("a", "b")
            for t in sorted(ref.waiting.values(), key=lambda t: t.key)
            if t.queue == q
        ]
        assert got == want, (got, want)
        for t in ref.waiting.values():
            sig = router.where(t.id)[1].signature
            assert sig.language == t.language, t.id
            assert {r.skill: r.min_proficiency for r in sig.skills} == t.skills, t.id
        assert sorted(router.pool) == sorted(ref.agents)
        for ag in ref.agents.values():
            status = router.pool.status(ag.id)
            assert status.held == tuple(ag.held), ag.id
            assert status.routable == ag.routable, ag.id
            assert status.idle_since == moment(ag.idle_since), ag.id
            assert status.group == ag.group
        assert router.next_step_us() == ref.next_step()


RouterAgainstReference.TestCase.settings = settings(
    max_examples=150, stateful_step_count=60, deadline=None
)
test_the_router_decides_as_the_reference = RouterAgainstReference.TestCase
