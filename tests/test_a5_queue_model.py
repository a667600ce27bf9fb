"""A ticket queue run side by side with a naive reference written from the docs.

The reference keeps every waiting ticket in a dict and, on every question, sorts the lot by
the documented key ``(band, virtual_due, seq)``: bands from the priority, ``virtual_due`` as
``queued_at + allowance`` (capped at the last instant of year 9999) under ``AgingKey`` or the
due instant (or ``queued_at + fallback``) under ``DeadlineKey``, ``seq`` in push order.  A
delay view shows a ticket once ``queued_at + delay <= at`` (everything at the last instant),
reports it once through ``refresh`` and counts it in ``next_visible_at`` until then; a view
nobody watches is one of at most four kept, least recently used dropped first.  The state
round-trips through ``to_state`` / ``load_state`` (as JSON) in the middle of a run.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)

from csflow._time import MAX_US, MIN_US
from csflow.errors import ConfigError, DuplicateTicketError, UnknownTicketError
from csflow.model import Customer, Priority, Ticket, Tier
from csflow.queues import AgingKey, DeadlineKey, Signature, TicketQueue
from csflow.queues.keys import MAX_ALLOWANCE

US = timedelta(microseconds=1)
CREATED = datetime(2026, 1, 1, tzinfo=UTC)
IDS = [f"t{i}" for i in range(8)]
TIERS = ["platinum", "gold", "regular"]
PRIOS = list(Priority)
SIGS = [
    Signature("chat", "en"),
    Signature("email", None),
    Signature("phone", "en"),
    Signature("chat", "en", agent="a1"),
]
DELAYS = [1, 1_000_000, 600_000_000, 86_400_000_000, 5, 7]
# Where a run's clock starts: the first instants, now, the last ones.
BASES = [MIN_US, MIN_US + 3, 1_772_441_200_000_000, MAX_US - 10_000_000, MAX_US - 1]
STEPS = [0, 0, 1, 2, 1_000_000, 600_000_000, 86_400_000_000, -1, -600_000_000]
SPANS = [timedelta(0), US, timedelta(seconds=30), timedelta(minutes=10), MAX_ALLOWANCE]
PRIORITY_BANDS = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


def _clamp(us: int) -> int:
    return max(MIN_US, min(MAX_US, us))


class Ref:
    """The reference: a dict of waiting tickets, sorted on every question."""

    def __init__(self) -> None:
        # id -> [band, virtual_due, seq, queued_at, signature, callback]
        self.entries: dict[str, list[Any]] = {}
        self.seq = 0
        self.views: dict[int, set[str]] = {}  # delay -> ids reported (and still waiting)
        self.watched: set[int] = set()
        self.spare: list[int] = []  # unwatched views, least recently used first

    def key(self, tid: str) -> tuple[int, int, int]:
        band, due, seq = self.entries[tid][:3]
        return band, due, seq

    def order(self, sigs: Iterable[Signature] | None = None) -> list[str]:
        wanted = None if sigs is None else set(sigs)
        ids = [t for t, e in self.entries.items() if wanted is None or e[4] in wanted]
        return sorted(ids, key=self.key)

    def visible(self, tid: str, delay: int, at: int) -> bool:
        return at >= MAX_US or self.entries[tid][3] + delay <= at

    def use_view(self, delay: int) -> None:
        if delay not in self.views:
            self.views[delay] = set()
        if delay in self.watched:
            return
        if delay in self.spare:
            self.spare.remove(delay)
        self.spare.append(delay)
        while len(self.spare) > 4:
            del self.views[self.spare.pop(0)]

    def forget(self, tid: str) -> None:
        del self.entries[tid]
        for reported in self.views.values():
            reported.discard(tid)

    def replaced(self, tid: str, at: int | None) -> None:
        # The same ticket with a new key or group: a view that reported it by *at* keeps it
        # reported; anywhere else it crosses anew.
        q = self.entries[tid][3]
        for delay, reported in self.views.items():
            if at is None or q + delay > at:
                reported.discard(tid)

    def next_visible(self) -> int | None:
        whens = [
            e[3] + d
            for d, reported in self.views.items()
            for t, e in self.entries.items()
            if t not in reported
        ]
        return None if not whens else min(min(whens), MAX_US)


class QueueMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.ref = Ref()
        self.tickets: dict[str, Ticket] = {}

    @initialize(
        kind=st.sampled_from(["aging", "aging-flat", "deadline", "deadline-fallback"]),
        spans=st.lists(st.sampled_from(SPANS), min_size=4, max_size=4),
        base=st.sampled_from(BASES),
        watched=st.sets(st.sampled_from(DELAYS[:3]), max_size=2),
    )
    def setup(self, kind: str, spans: list[timedelta], base: int, watched: set[int]) -> None:
        self.kind = kind
        if kind.startswith("aging"):
            self.allow = {
                ("platinum", None): spans[0],
                ("gold", Priority.LOW): spans[1],
                ("*", Priority.HIGH): spans[2],
            }
            self.default = spans[3]
            bands = PRIORITY_BANDS if kind == "aging" else dict.fromkeys(Priority, 0)
            self.bands = bands
            policy: Any = AgingKey(
                {"platinum": spans[0], ("gold", "low"): spans[1], ("*", "high"): spans[2]},
                default=spans[3],
                bands=bands,
            )
        else:
            self.fallback = spans[0] if kind == "deadline-fallback" else None
            self.bands = {Priority.URGENT: 0}
            policy = DeadlineKey(fallback=self.fallback)
        self.policy = policy
        self.queue = TicketQueue("q", policy)
        self.now = base
        for d in watched:
            self.queue.watch(d)
            self.ref.watched.add(d)
            self.ref.views[d] = set()

    # -- helpers ---------------------------------------------------------------------------

    def band(self, prio: Priority) -> int:
        return self.bands.get(prio, 1)

    def ref_due(self, ticket: Ticket, q: int, due: int | None) -> int | None:
        """The virtual due the docs give, or None when the policy must refuse the ticket."""
        if self.kind.startswith("aging"):
            tier, prio = ticket.customer.tier.name, ticket.priority
            span = self.allow.get((tier, prio), self.allow.get((tier, None)))
            if span is None:
                span = self.allow.get(("*", prio), self.default)
            return min(q + span // US, MAX_US)
        if due is not None:
            return due
        if self.fallback is None:
            return None
        return min(q + self.fallback // US, MAX_US)

    def new_seq(self) -> int:
        self.ref.seq += 1
        return self.ref.seq - 1

    # -- rules -----------------------------------------------------------------------------

    @rule(step=st.sampled_from(STEPS))
    def tick(self, step: int) -> None:
        self.now = _clamp(self.now + step)

    @rule(
        tid=st.sampled_from(IDS),
        tier=st.sampled_from(TIERS),
        prio=st.sampled_from(PRIOS),
        channel=st.sampled_from(["chat", "email", "phone"]),
        jitter=st.sampled_from([0, 0, -1, 1, -86_400_000_000]),
        due=st.none() | st.sampled_from([0, 1, 600_000_000, -1, 10**18]),
        pin=st.booleans(),
    )
    def push(
        self,
        tid: str,
        tier: str,
        prio: Priority,
        channel: str,
        jitter: int,
        due: int | None,
        pin: bool,
    ) -> None:
        at = _clamp(self.now + jitter)
        due_us = None if due is None else _clamp(at + due)
        language = None if channel == "email" else "en"
        ticket = Ticket(tid, Customer("c", Tier(tier), language=language), channel, CREATED, prio)
        sig = SIGS[3] if pin and channel == "chat" else None
        if tid in self.ref.entries:
            with pytest.raises(DuplicateTicketError):
                self.queue.push(ticket, at=at, due=due_us, signature=sig)
            return
        vdue = self.ref_due(ticket, at, due_us)
        if vdue is None:
            with pytest.raises(ConfigError, match="needs a due instant"):
                self.queue.push(ticket, at=at, due=due_us, signature=sig)
            return
        entry = self.queue.push(ticket, at=at, due=due_us, signature=sig)
        seq = self.new_seq()
        real_sig = Signature.of(ticket) if sig is None else sig
        self.ref.entries[tid] = [self.band(prio), vdue, seq, at, real_sig, False]
        self.tickets[tid] = ticket
        assert entry.key[:2] == (self.band(prio), vdue)
        assert entry.queued_at_us == at

    @rule(
        tid=st.sampled_from(IDS),
        band=st.sampled_from([-(2**31), -1, 0, 1, 2**31 - 1]),
        due=st.sampled_from([MIN_US, MIN_US + 1, 0, MAX_US - 1, MAX_US]),
        sig=st.sampled_from(SIGS),
    )
    def push_key(self, tid: str, band: int, due: int, sig: Signature) -> None:
        if tid in self.ref.entries:
            with pytest.raises(DuplicateTicketError):
                self.queue.push_key(tid, band=band, due=due, at=self.now, signature=sig)
            return
        self.queue.push_key(tid, band=band, due=due, at=self.now, signature=sig)
        self.ref.entries[tid] = [band, due, self.new_seq(), self.now, sig, False]
        self.tickets.pop(tid, None)

    @rule(sigs=st.none() | st.lists(st.sampled_from(SIGS), max_size=3), pop=st.booleans())
    def take_next(self, sigs: list[Signature] | None, pop: bool) -> None:
        want = self.ref.order(sigs)
        got = self.queue.pop(sigs) if pop else self.queue.peek(sigs)
        if not want:
            assert got is None
            return
        assert got is not None
        assert got.ticket_id == want[0]
        assert got.key == self.ref.key(want[0])
        if pop:
            self.ref.forget(want[0])

    @rule(sigs=st.lists(st.sampled_from(SIGS), max_size=4), take=st.booleans())
    def head_of(self, sigs: list[Signature], take: bool) -> None:
        # The router's path: the head among an agent's signatures, then taken.
        want = self.ref.order(sigs)
        got = self.queue.head_of(dict.fromkeys(sigs, None))
        assert (None if got is None else got.ticket_id) == (want[0] if want else None)
        if take and got is not None:
            self.queue.take(got)
            self.ref.forget(got.ticket_id)

    @rule(
        sigs=st.none() | st.lists(st.sampled_from(SIGS), max_size=3),
        delay=st.sampled_from(DELAYS),
        back=st.sampled_from([0, 1, 600_000_000, -1, -600_000_000, -86_400_000_000]),
        pop=st.booleans(),
    )
    def take_waited(self, sigs: list[Signature] | None, delay: int, back: int, pop: bool) -> None:
        at = _clamp(self.now - back)
        want = [t for t in self.ref.order(sigs) if self.ref.visible(t, delay, at)]
        if pop:
            got = self.queue.pop(sigs, waited=delay, at=at)
        else:
            got = self.queue.peek(sigs, waited=delay, at=at)
        self.ref.use_view(delay)
        if not want:
            assert got is None
            return
        assert got is not None
        assert got.ticket_id == want[0]
        if pop:
            self.ref.forget(want[0])

    @rule(sigs=st.none() | st.lists(st.sampled_from(SIGS), max_size=3), limit=st.integers(0, 5))
    def heads(self, sigs: list[Signature] | None, limit: int) -> None:
        got = [e.ticket_id for e in self.queue.heads(sigs, limit)]
        assert got == self.ref.order(sigs)[:limit]

    @rule(tid=st.sampled_from(IDS))
    def remove(self, tid: str) -> None:
        if tid not in self.ref.entries:
            with pytest.raises(UnknownTicketError):
                self.queue.remove(tid)
            return
        assert self.queue.remove(tid).ticket_id == tid
        self.ref.forget(tid)

    @rule(
        tid=st.sampled_from(IDS),
        prio=st.sampled_from(PRIOS),
        due=st.none() | st.sampled_from([0, 5, -5, 10**15]),
        with_at=st.booleans(),
    )
    def reprioritize(self, tid: str, prio: Priority, due: int | None, with_at: bool) -> None:
        ticket = self.tickets.get(tid)
        if tid not in self.ref.entries or ticket is None:
            return
        new = Ticket(
            tid,
            ticket.customer,
            ticket.channel,
            ticket.created_at,
            prio,
            language=ticket.language,
        )
        e = self.ref.entries[tid]
        due_us = None if due is None else _clamp(self.now + due)
        at = self.now if with_at else None
        if self.kind.startswith("aging"):
            vdue = self.ref_due(new, e[3], None)
        else:
            vdue = due_us if due_us is not None else e[1]
        entry = self.queue.reprioritize(new, due=due_us, at=at)
        self.ref.replaced(tid, at)
        e[0], e[1] = self.band(prio), vdue
        self.tickets[tid] = new
        assert entry.key == self.ref.key(tid)

    @rule(
        tid=st.sampled_from(IDS),
        band=st.sampled_from([-5, 0, 3]),
        due=st.sampled_from([MIN_US, 0, MAX_US]),
    )
    def rekey(self, tid: str, band: int, due: int) -> None:
        if tid not in self.ref.entries:
            return
        self.queue.rekey(tid, band=band, due=due)
        self.ref.replaced(tid, None)
        self.ref.entries[tid][:2] = [band, due]

    @rule(tid=st.sampled_from(IDS), sig=st.sampled_from(SIGS), with_at=st.booleans())
    def move(self, tid: str, sig: Signature, with_at: bool) -> None:
        if tid not in self.ref.entries:
            return
        at = self.now if with_at else None
        self.queue.move(tid, sig, at=at)
        if self.ref.entries[tid][4] != sig:
            self.ref.replaced(tid, at)
            self.ref.entries[tid][4] = sig

    @rule(tid=st.sampled_from(IDS), with_at=st.booleans())
    def callback(self, tid: str, with_at: bool) -> None:
        if tid not in self.ref.entries:
            return
        at = self.now if with_at else None
        entry = self.queue.request_callback(tid, at=at)
        e = self.ref.entries[tid]
        if e[4] != entry.signature or not e[5]:
            self.ref.replaced(tid, at)
        e[4] = e[4].on_channel("phone")
        e[5] = True
        assert entry.signature == e[4]
        assert entry.callback

    @rule(tid=st.sampled_from(IDS))
    def transfer(self, tid: str) -> None:
        # Out to another queue and back: the key and queued_at travel with the entry.
        if tid not in self.ref.entries:
            return
        entry = self.queue.remove(tid)
        other = TicketQueue("other", self.policy)
        back = self.queue.insert(other.insert(entry))
        assert back.key == entry.key
        e = self.ref.entries[tid]
        self.ref.forget(tid)
        self.ref.entries[tid] = e

    @rule(back=st.sampled_from([0, 0, 1, 600_000_000]))
    def refresh(self, back: int) -> None:
        at = _clamp(self.now - back)
        got = self.queue.refresh(at)
        want = {
            (d, t)
            for d, reported in self.ref.views.items()
            for t in self.ref.entries
            if t not in reported and self.ref.visible(t, d, at)
        }
        assert {(d, e.ticket_id) for d, e in got} == want
        assert len(got) == len(want)
        for d, t in want:
            self.ref.views[d].add(t)

    @rule()
    def next_visible_at(self) -> None:
        assert self.queue.next_visible_at() == self.ref.next_visible()

    @rule(delay=st.sampled_from(DELAYS))
    def watch(self, delay: int) -> None:
        self.queue.watch(delay)
        if delay not in self.ref.views:
            self.ref.views[delay] = set()
        if delay in self.ref.spare:
            self.ref.spare.remove(delay)
        self.ref.watched.add(delay)

    @rule(with_at=st.booleans(), cache=st.booleans())
    def save_and_load(self, with_at: bool, cache: bool) -> None:
        nxt = self.queue.next_sequence()
        data = json.loads(json.dumps(self.queue.to_state(self.now if with_at else None)))
        tickets = {
            t: self.tickets.get(t) or Ticket(t, Customer("c", Tier("regular")), "chat", CREATED)
            for t in self.ref.entries
        }
        fresh = TicketQueue("q", self.policy)
        for d in self.ref.watched:
            fresh.watch(d)
        fresh.load_state(data, tickets, itertools.count(nxt), signatures={} if cache else None)
        self.queue = fresh
        # Views nobody watches come back, but are no longer among the recently used.
        self.ref.spare = []

    # -- invariants ------------------------------------------------------------------------

    @invariant()
    def same_order(self) -> None:
        if not hasattr(self, "queue"):
            return
        want = self.ref.order()
        assert [e.ticket_id for e in self.queue] == want
        assert len(self.queue) == len(want)
        for t in want:
            e = self.queue.get(t)
            assert e.key == self.ref.key(t)
            assert e.queued_at_us == self.ref.entries[t][3]
            assert e.signature == self.ref.entries[t][4]


QueueMachine.TestCase.settings = settings(max_examples=200, stateful_step_count=40)
test_queue_against_reference = QueueMachine.TestCase
