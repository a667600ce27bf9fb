"""Preferred-agent holds on a desk, against a naive reference written from the docs.

*Greeting repeat customers* and ``PreferredAgent``: with ``preferred_agent`` first, a ticket
goes to the customer's preferred agent when that agent can take it; while that agent is
routable but busy, the ticket waits for it alone for the ``affinity`` ``timeout`` (counted
from when the ticket was queued); the hold ends at the timeout or as soon as the agent stops
being routable, and the ticket is then open to everyone.  A preferred agent who is away
holds nothing.  Without a preferred agent, the agent who last served the customer (took or
solved one of her tickets) stands in the same way.  Otherwise a ticket goes to the agent
idle longest (``idle_since``: its last release of work, or its return to a routable state
with nothing held; joining order breaks ties), and an agent that frees up takes the waiting
ticket with the lowest key among those open or held for it.  With a preferred agent,
``recency`` is one second, so the last agent never stands in: every command comes a minute
or more after the one before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.events import TicketAssigned

T0 = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)
AGENTS = ("budi", "sari", "wati")
TIMEOUT = 10  # minutes
CONFIG = DeskConfig.from_dict(
    {
        "strategies": ["preferred_agent", "longest_idle"],
        "affinity": {"timeout": f"PT{TIMEOUT}M", "recency": "PT1S"},
    }
)
CUSTOMERS = {
    "ani": None,
    "mega": "budi",
    "putri": "sari",
    "eko": "budi",
}


@dataclass
class _Wait:
    seq: int
    tid: str
    preferred: str | None
    queued: int  # minutes
    customer: str = ""
    hold: str | None = None


@dataclass
class _Reference:
    presence: dict[str, bool] = field(default_factory=dict)  # routable
    held: dict[str, str | None] = field(default_factory=dict)  # agent -> ticket (capacity 1)
    idle: dict[str, tuple[int, int]] = field(default_factory=dict)  # (since, joining order)
    waiting: list[_Wait] = field(default_factory=list)
    out: list[tuple[str, str]] = field(default_factory=list)
    last: dict[str, str] = field(default_factory=dict)  # customer -> agent who served last
    customer: dict[str, str] = field(default_factory=dict)  # ticket -> customer

    def free(self) -> list[str]:
        return sorted(
            (a for a in AGENTS if self.presence[a] and self.held[a] is None),
            key=lambda a: self.idle[a],
        )

    def give(self, w: _Wait, agent: str) -> None:
        self.waiting.remove(w)
        self.held[agent] = w.tid
        self.out.append((w.tid, agent))
        self.last[w.customer] = agent
        self.customer[w.tid] = w.customer

    def route(self, w: _Wait, now: int) -> None:
        p = w.preferred
        if p is not None and self.presence[p] and self.held[p] is None:
            self.give(w, p)
        elif p is not None and self.presence[p] and now < w.queued + TIMEOUT:
            w.hold = p
        else:
            w.hold = None
            free = self.free()
            if free:
                self.give(w, free[0])

    def pull(self, agent: str) -> None:
        mine = [w for w in self.waiting if w.hold in (None, agent)]
        if mine and self.presence[agent] and self.held[agent] is None:
            self.give(min(mine, key=lambda w: w.seq), agent)

    def expire(self, until: int) -> None:
        while True:
            due = [w for w in self.waiting if w.hold and w.queued + TIMEOUT <= until]
            if not due:
                return
            first = min(w.queued for w in due)
            for w in sorted((w for w in due if w.queued == first), key=lambda w: w.seq):
                w.hold = None
                self.route(w, first + TIMEOUT)


_op = st.tuples(
    st.sampled_from(["submit", "submit", "resolve", "away", "back"]),
    st.integers(0, 7),
    st.integers(1, 6),  # minutes after the previous command
)


LAST_AGENT_CONFIG = DeskConfig.from_dict(
    {"strategies": ["preferred_agent", "longest_idle"], "affinity": {"timeout": f"PT{TIMEOUT}M"}}
)


@settings(max_examples=120, deadline=None, derandomize=True)
@given(st.lists(_op, min_size=1, max_size=30), st.booleans())
def test_preferred_agent_holds_follow_the_docs(
    ops: list[tuple[str, int, int]], by_last_agent: bool
) -> None:
    # by_last_agent: no customer names a preferred agent, and the agent who served the
    # customer last stands in (no recency limit).  A customer writes again only once her
    # previous ticket is with an agent or solved, so her last agent is fixed while she waits.
    desk = Desk(LAST_AGENT_CONFIG if by_last_agent else CONFIG)
    ref = _Reference()
    for n, agent in enumerate(AGENTS):
        desk.add_agent(AgentProfile(agent, capacity={"chat": 1}), at=T0, presence="available")
        ref.presence[agent], ref.held[agent], ref.idle[agent] = True, None, (0, n)
    now = 0
    for n, (op, pick, gap) in enumerate(ops):
        now += gap
        at = T0 + timedelta(minutes=now)
        ref.out = []
        ref.expire(now)
        events = list(desk.advance(at=at))
        if op == "submit":
            name = sorted(CUSTOMERS)[pick % len(CUSTOMERS)]
            if by_last_agent and any(w.customer == name for w in ref.waiting):
                continue
            preferred = None if by_last_agent else CUSTOMERS[name]
            customer = Customer(name, Tier("regular", 1), preferred_agent=preferred)
            w = _Wait(n, f"T-{n}", ref.last.get(name) if by_last_agent else preferred, now, name)
            ref.waiting.append(w)
            ref.route(w, now)
            events += desk.submit(Ticket(w.tid, customer, "chat", at), at=at)
        elif op == "resolve":
            holding = sorted(a for a in AGENTS if ref.held[a] is not None)
            if not holding:
                continue
            agent = holding[pick % len(holding)]
            tid = ref.held[agent]
            assert tid is not None
            ref.held[agent] = None
            ref.last[ref.customer[tid]] = agent  # resolving serves the customer too
            if ref.presence[agent]:
                ref.idle[agent] = (now, AGENTS.index(agent))
            ref.pull(agent)
            events += desk.resolve(tid, agent, at=at)
        else:
            agent = AGENTS[pick % len(AGENTS)]
            routable = op == "back"
            if ref.presence[agent] == routable:
                continue
            ref.presence[agent] = routable
            if routable:
                if ref.held[agent] is None:
                    ref.idle[agent] = (now, AGENTS.index(agent))
                ref.pull(agent)
            else:
                for w in sorted(ref.waiting, key=lambda w: w.seq):
                    if w.hold == agent:
                        w.hold = None
                        ref.route(w, now)
            events += desk.set_presence(agent, "available" if routable else "away", at=at)
        got = [(e.ticket_id, e.agent_id) for e in events if isinstance(e, TicketAssigned)]
        assert got == ref.out, (op, got, ref.out)
        line = [(e.ticket_id, e.signature.agent) for e in desk.queue()]
        assert line == [(w.tid, w.hold) for w in sorted(ref.waiting, key=lambda w: w.seq)]
        for agent in AGENTS:
            assert desk.agent(agent).held == (() if ref.held[agent] is None else (ref.held[agent],))


def _front_desk() -> Desk:
    config = DeskConfig.from_dict(
        {
            "strategies": ["preferred_agent", "longest_idle"],
            "affinity": {"timeout": "PT10M"},
            "teams": {"front": {"queue": "default"}},
        }
    )
    desk = Desk(config)
    for agent in AGENTS:
        profile = AgentProfile(agent, capacity={"chat": 1}, teams={"front"})
        desk.add_agent(profile, at=T0, presence="available")
    return desk


def test_a_hand_over_with_no_colleague_free_comes_back_to_the_agent() -> None:
    # Worked by hand: Budi holds Mega's chat, Sari and Wati hold others.  Budi hands it to
    # the team: he is not preferred for it now, but he is the only agent free, and longest
    # idle ranks him first.  Away before the hand-over, he does not get it back.
    mega = Customer("mega", Tier("regular", 1), preferred_agent="budi")
    for away in (False, True):
        desk = _front_desk()
        desk.submit(Ticket("M", mega, "chat", T0), at=T0)
        for n in (1, 2):
            desk.submit(Ticket(f"X-{n}", Customer(f"x{n}", Tier("regular", 1)), "chat", T0), at=T0)
        assert desk.ticket("M").agent_id == "budi"
        at = T0 + timedelta(minutes=1)
        if away:
            desk.set_presence("budi", "away", at=at)
        desk.transfer("M", "front", at=at)
        if away:
            assert desk.ticket("M").agent_id is None
            assert [(e.ticket_id, e.signature.agent) for e in desk.queue()] == [("M", None)]
        else:
            assert desk.ticket("M").agent_id == "budi"


def test_a_later_wait_of_a_handed_over_ticket_follows_the_usual_order() -> None:
    # Budi hands Mega's chat to the team; Sari takes it.  When Sari gives it back (requeue),
    # the customer parks and resumes it, or reopens it, the ticket waits for Budi again --
    # Mega's preferred agent, routable and busy -- though Wati is free.
    mega = Customer("mega", Tier("regular", 1), preferred_agent="budi")
    for how in ("requeue", "resume", "reopen"):
        desk = _front_desk()
        desk.submit(Ticket("M", mega, "chat", T0), at=T0)
        one, two, three = (T0 + timedelta(minutes=n) for n in (1, 2, 3))
        desk.set_presence("wati", "away", at=one)
        desk.transfer("M", "front", at=one)
        assert desk.ticket("M").agent_id == "sari"
        desk.submit(Ticket("X", Customer("x", Tier("regular", 1)), "chat", two), at=two)
        assert desk.ticket("X").agent_id == "budi"
        desk.set_presence("wati", "available", at=two)
        if how == "requeue":
            desk.requeue("M", "sari", at=three)
        elif how == "resume":
            desk.set_status("M", "pending", at=three)
            desk.set_presence("sari", "away", at=three)
            desk.customer_message("M", at=three + timedelta(minutes=1))
        else:
            desk.resolve("M", "sari", at=three)
            desk.set_presence("sari", "away", at=three)
            desk.reopen("M", at=three + timedelta(minutes=1))
        assert [(e.ticket_id, e.signature.agent) for e in desk.queue()] == [("M", "budi")], how
        assert desk.agent("wati").held == ()


def test_the_last_agent_is_who_took_or_solved_a_ticket_last_and_recency_counts_from_it() -> None:
    # Worked by hand, recency one hour.  09:00 Ani writes; Budi takes it.  09:05 she writes
    # again; Budi is busy, so the ticket waits for him until he goes away at 09:06, and Sari
    # takes it.  10:30 Budi, back, solves the first ticket: he served Ani last, though Sari
    # took her newer ticket.  10:31 Budi takes Eko's chat.  10:40 Ani's third ticket waits
    # for Budi, not for Sari, and not for Wati, who is free; Ani gives up on it.  11:31, more
    # than an hour after Budi last served her, her fourth ticket goes to Wati at once.
    config = DeskConfig.from_dict(
        {
            "strategies": ["preferred_agent", "longest_idle"],
            "affinity": {"timeout": "PT10M", "recency": "PT1H"},
        }
    )
    desk = Desk(config)
    for agent in AGENTS:
        desk.add_agent(AgentProfile(agent, capacity={"chat": 1}), at=T0, presence="available")
    desk.set_presence("wati", "away", at=T0)
    ani = Customer("ani", Tier("regular", 1))

    def at(minutes: int) -> datetime:
        return T0 + timedelta(minutes=minutes)

    def line() -> list[tuple[str, str | None]]:
        return [(e.ticket_id, e.signature.agent) for e in desk.queue()]

    desk.submit(Ticket("A-1", ani, "chat", at(0)), at=at(0))
    assert desk.ticket("A-1").agent_id == "budi"
    desk.submit(Ticket("A-2", ani, "chat", at(5)), at=at(5))
    assert line() == [("A-2", "budi")]
    desk.set_presence("budi", "away", at=at(6))
    assert desk.ticket("A-2").agent_id == "sari"
    desk.set_presence("budi", "available", at=at(89))
    desk.resolve("A-1", "budi", at=at(90))
    summary = desk.contacts("ani", at(90))
    assert summary is not None
    assert summary.last_agent == "budi"
    desk.submit(Ticket("E-1", Customer("eko", Tier("regular", 1)), "chat", at(91)), at=at(91))
    assert desk.ticket("E-1").agent_id == "budi"
    desk.set_presence("wati", "available", at=at(95))
    desk.submit(Ticket("A-3", ani, "chat", at(100)), at=at(100))
    assert line() == [("A-3", "budi")]
    desk.abandon("A-3", at=at(101))
    desk.submit(Ticket("A-4", ani, "chat", at(151)), at=at(151))
    assert line() == []
    assert desk.ticket("A-4").agent_id == "wati"
