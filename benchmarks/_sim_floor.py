"""The floor of the desk's contract: M/M/c driven through a desk that has none of the features.

:mod:`benchmarks.bench_sim` measures ``csflow.sim`` against SimPy and Ciw.  This module measures
how fast *any* desk behind csflow's public contract could go, so that the ratio says what the
contract costs and what the desk's features cost on top of it.  :class:`FloorDesk` keeps the
contract and nothing else:

* commands as the host calls them: ``submit`` (a real :class:`csflow.model.Ticket`), ``reply``,
  ``resolve``, ``close``, ``forget`` and ``advance``, each taking an aware ``datetime``, turning
  it into µs and refusing an unknown ticket, a wrong agent or an illegal transition;
* real event objects (:mod:`csflow.events`) returned in lists, with aware instants;
* SLA clocks for first response and resolution over a real ``BusinessCalendar`` (``add_us``,
  ``elapsed_us``), a 50 % warning and a breach by timer, stale timers dropped lazily;
* one FIFO queue (a heap) and the longest-idle agent (a heap);
* the report folded in by the real :class:`csflow.metrics.Summarizer`, as ``csflow.sim`` does.

What it leaves out is everything else the desk does: routing by skills, tiers and strategies,
capacity and presence, triage rules, contacts and sticky agents, transfer limits, escalation,
goodwill, feedback, pausing and re-opening, auto-close, snapshots, checking every field.  The
simulator loop around it is ``csflow.sim``'s, cut to M/M/c.  (Not a test of anything: a
throwaway-grade model, kept so that ``make bench`` measures the floor in the same run.)
"""

from __future__ import annotations

import heapq
import itertools
import random
from datetime import datetime, timedelta
from typing import Any

from csflow._time import instant_us, utc
from csflow.calendar import BusinessCalendar
from csflow.errors import ConfigError, InvalidTransitionError
from csflow.events import (
    SlaBreached,
    SlaMet,
    SlaWarning,
    TicketAssigned,
    TicketClosed,
    TicketQueued,
    TicketResolved,
)
from csflow.metrics import Summarizer
from csflow.model import Customer, Metric, Ticket, Tier

__all__ = ["FloorDesk", "run_floor"]

_FR, _RES = Metric.FIRST_RESPONSE, Metric.RESOLUTION
_TARGETS = {_FR: timedelta(seconds=20), _RES: timedelta(hours=1)}
_TARGETS_US = {_FR: 20_000_000, _RES: 3_600_000_000}


class _Ticket:
    __slots__ = ("agent", "created", "due", "met", "state", "ticket")

    def __init__(self, ticket: Ticket, created: int, due: dict[Metric, int]) -> None:
        self.ticket = ticket
        self.created = created
        self.due = due
        self.met: dict[Metric, int | None] = {_FR: None, _RES: None}
        self.agent: str | None = None
        self.state = "new"


class FloorDesk:
    """A desk with the public contract of :class:`csflow.desk.Desk` and none of its features."""

    def __init__(self, agents: list[str]) -> None:
        self.calendar = BusinessCalendar.always_open("UTC")
        self.idle = [(0, i, a) for i, a in enumerate(agents)]
        self.queue: list[tuple[int, int, str]] = []
        self.tickets: dict[str, _Ticket] = {}
        self.timers: list[tuple[int, int, str, Metric, bool]] = []
        self.seq = itertools.count()
        self.now = -(1 << 62)

    def _time(self, at: datetime) -> int:
        if type(at) is not datetime or at.tzinfo is None:
            raise ConfigError(f"expected an aware datetime, got {at!r}")
        us = instant_us(at, "at")
        if us < self.now:
            raise InvalidTransitionError(f"{at} is earlier than the last command")
        self.now = us
        return us

    def _ticket(self, tid: str) -> _Ticket:
        rec = self.tickets.get(tid)
        if rec is None:
            raise InvalidTransitionError(f"unknown ticket {tid!r}")
        return rec

    def submit(self, ticket: Ticket, at: datetime) -> list[Any]:
        us = self._time(at)
        if type(ticket) is not Ticket:
            raise ConfigError(f"expected a Ticket, got {ticket!r}")
        if ticket.id in self.tickets:
            raise InvalidTransitionError(f"ticket {ticket.id!r} is open already")
        add = self.calendar.add_us
        rec = _Ticket(ticket, us, {m: add(us, t) for m, t in _TARGETS_US.items()})
        self.tickets[ticket.id] = rec
        s = next(self.seq)
        for m, target in _TARGETS_US.items():
            heapq.heappush(self.timers, (add(us, target // 2), s, ticket.id, m, False))
            heapq.heappush(self.timers, (rec.due[m], s, ticket.id, m, True))
        events: list[Any] = [
            TicketQueued(
                at, ticket.id, "default", ticket.priority, "standard",
                ticket.customer.tier.name, ticket.channel.name, "default",
            )
        ]  # fmt: skip
        heapq.heappush(self.queue, (us, s, ticket.id))
        self._route(at, us, events)
        return events

    def _route(self, at: datetime, us: int, events: list[Any]) -> None:
        while self.idle and self.queue:
            _, _, tid = heapq.heappop(self.queue)
            _, _, agent = heapq.heappop(self.idle)
            rec = self.tickets[tid]
            rec.agent = agent
            rec.state = "open"
            waited = (us - rec.created) / 1e6
            events.append(
                TicketAssigned(at, tid, agent, waited, len(self.idle) + 1, "longest idle")
            )

    def _meet(self, rec: _Ticket, m: Metric, at: datetime, us: int, events: list[Any]) -> None:
        rec.met[m] = us
        elapsed = timedelta(microseconds=self.calendar.elapsed_us(rec.created, us))
        late = us > rec.due[m]
        start = utc(rec.created)
        events.append(SlaMet(at, rec.ticket.id, m, elapsed, _TARGETS[m], late, cycle_start=start))

    def reply(self, tid: str, agent: str, at: datetime) -> list[Any]:
        us = self._time(at)
        rec = self._ticket(tid)
        if rec.agent != agent:
            raise InvalidTransitionError(f"ticket {tid!r} is not with {agent!r}")
        events: list[Any] = []
        if rec.met[_FR] is None:
            self._meet(rec, _FR, at, us, events)
        return events

    def resolve(self, tid: str, agent: str, at: datetime) -> list[Any]:
        us = self._time(at)
        rec = self._ticket(tid)
        if rec.agent != agent or rec.state != "open":
            raise InvalidTransitionError(f"ticket {tid!r} is not open with {agent!r}")
        rec.state = "solved"
        events: list[Any] = [TicketResolved(at, tid, agent)]
        self._meet(rec, _RES, at, us, events)
        heapq.heappush(self.idle, (us, next(self.seq), agent))
        self._route(at, us, events)
        return events

    def close(self, tid: str, at: datetime) -> list[Any]:
        self._time(at)
        rec = self._ticket(tid)
        if rec.state != "solved":
            raise InvalidTransitionError(f"ticket {tid!r} is not solved")
        rec.state = "closed"
        return [TicketClosed(at, tid)]

    def forget(self, tid: str, at: datetime) -> None:
        self._time(at)
        if self._ticket(tid).state != "closed":
            raise InvalidTransitionError(f"ticket {tid!r} is not closed")
        del self.tickets[tid]

    def next_wakeup_us(self) -> int | None:
        timers = self.timers
        while timers:
            due, _, tid, m, _ = timers[0]
            rec = self.tickets.get(tid)
            if rec is not None and rec.met[m] is None:
                return due
            heapq.heappop(timers)
        return None

    def advance(self, at: datetime) -> list[Any]:
        us = self._time(at)
        events: list[Any] = []
        timers = self.timers
        while timers and timers[0][0] <= us:
            due, _, tid, m, breach = heapq.heappop(timers)
            rec = self.tickets.get(tid)
            if rec is None or rec.met[m] is not None:
                continue
            due_at = utc(rec.due[m])
            if breach:
                start = utc(rec.created)
                events.append(SlaBreached(utc(due), tid, m, due_at, _TARGETS[m], cycle_start=start))
            else:
                events.append(SlaWarning(utc(due), tid, m, 0.5, due_at))
        return events


def run_floor(c: int, load: float, n: int, aht_s: float, seed: int = 1) -> Summarizer:
    """M/M/c with *n* customers through a :class:`FloorDesk`; the report's summarizer."""
    rng = random.Random(seed)
    handle_rng = random.Random(seed + 1)
    lam = load / aht_s
    desk = FloorDesk([f"A{i}" for i in range(c)])
    summary = Summarizer(timedelta(seconds=20))
    fold = summary.add
    tier = Tier("regular", 0)
    heap: list[tuple[int, int, bool, str, str]] = []
    seq = itertools.count()
    now = 1_700_000_000_000_000
    heapq.heappush(heap, (now + round(rng.expovariate(lam) * 1e6), next(seq), True, "", ""))
    arrivals = 0

    def react(events: list[Any]) -> None:
        for e in events:
            if type(e) is TicketAssigned:
                us = instant_us(e.at, "at")
                done = us + round(handle_rng.expovariate(1 / aht_s) * 1e6)
                heapq.heappush(heap, (done, next(seq), False, e.ticket_id, e.agent_id))
                fold(e, us)
                for r in desk.reply(e.ticket_id, e.agent_id, e.at):
                    fold(r)
                continue
            fold(e)

    while True:
        wake = desk.next_wakeup_us()
        if not heap and wake is None:
            break
        if wake is not None and (not heap or wake <= heap[0][0]):
            react(desk.advance(utc(wake)))
            continue
        now, _, arrival, tid, agent = heapq.heappop(heap)
        at = utc(now)
        if arrival:
            arrivals += 1
            tid = f"T{arrivals}"
            ticket = Ticket(tid, Customer(f"C{arrivals}", tier), "phone", at)
            react(desk.submit(ticket, at))
            if arrivals < n:
                nxt = now + round(rng.expovariate(lam) * 1e6)
                heapq.heappush(heap, (nxt, next(seq), True, "", ""))
        else:
            react(desk.resolve(tid, agent, at))
            react(desk.close(tid, at))
            desk.forget(tid, at)
    return summary
