"""A waiting ticket's routing state, and what changes it while it waits: a pin to its busy
preferred agent (:func:`pin_if_held`), and the timers of its relaxation steps, overflow to
another queue and the pin's expiry.

Theory of operation
-------------------
Relaxation steps, pins to a preferred agent and overflow delays are timers.  The router never
reads a clock: :meth:`csflow.routing.router.Router.next_step_at` says when something is next
due, and :meth:`csflow.routing.router.Router.advance` fires what is due at the instant given
and routes what it freed.  Each waiting ticket has one live timer at a time, its next step or
its pin's expiry, whichever comes first, in one heap (:class:`Timers`).  A timer names the
ticket and the :attr:`Wait.version` it was armed for; any change of the ticket (routed,
removed, re-armed) bumps the version, so old timers are dropped lazily when they reach the top.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator, Mapping

from csflow._time import MAX_US
from csflow.model import Ticket
from csflow.queues import Signature
from csflow.routing.agents import AgentRecord
from csflow.routing.decisions import Overflowed, PinReleased, Relaxed, RoutingChange
from csflow.routing.profiles import Relaxation, serves
from csflow.routing.strategies import Chain, SelectionContext, pin_candidates

__all__ = ["Timers", "Wait", "due_changes", "pin_if_held"]


class Wait:
    """A waiting ticket's routing state in the router.

    Attributes:
        ticket: The ticket.
        queue: The queue it waits in.
        open_sig: Its requirements, relaxed so far, without a pin.
        sig: What it waits under: *open_sig*, or *open_sig* pinned to one agent.
        plan: Its relaxation plan, if any.
        step: How many relaxation steps have applied.
        chain: Its agent-selection chain.
        rule: The rule that chose its routing, for reasons.
        queued_at_us: When it first joined the line.
        due_us: Its SLA due instant, if any.
        pin: The agent it waits for alone, if any, until *pin_until*.
        version: Bumped on every change, so that older timers are stale.
    """

    __slots__ = (
        "chain",
        "due_us",
        "open_sig",
        "pin",
        "pin_until",
        "plan",
        "queue",
        "queued_at_us",
        "rule",
        "sig",
        "step",
        "ticket",
        "version",
    )

    def __init__(
        self,
        ticket: Ticket,
        queue: str,
        open_sig: Signature,
        plan: Relaxation | None,
        chain: Chain,
        rule: str | None,
        queued_at_us: int,
        due_us: int | None,
    ) -> None:
        self.ticket = ticket
        self.queue = queue
        self.open_sig = open_sig  # relaxed, not pinned
        self.sig = open_sig  # what it waits under (maybe pinned)
        self.plan = plan
        self.step = 0
        self.chain = chain
        self.rule = rule
        self.queued_at_us = queued_at_us
        self.due_us = due_us
        self.pin: str | None = None
        self.pin_until = 0
        self.version = 0

    def waited_us(self, at_us: int) -> int:
        """Microseconds waited at *at_us*: 0 at an instant before the ticket joined the line
        (a host's instants may come out of order), as for a queue entry."""
        return max(0, at_us - self.queued_at_us)


def pin_if_held(
    w: Wait,
    ctx: SelectionContext,
    at_us: int,
    records: Mapping[str, AgentRecord],
    serving: Mapping[str, list[tuple[int, int, str]]],
    rival: AgentRecord | None = None,
) -> bool:
    """Reserve a ticket for its preferred agent when that agent is busy but routable.

    The agents a pinning strategy names are tried in turn (a preferred agent, then the last
    one): one that is not routable, left the desk or cannot serve the ticket is passed over.

    With a *rival* (an agent free now), the ticket waits only when the preferred agent would
    tie with or beat the rival on the ranking strategies before the pin -- the same rule by
    which a free preferred agent wins.

    Args:
        w: The ticket, not yet pinned.
        ctx: What the chain's pinning strategies see.
        at_us: Now.
        records: The pool's agent records.
        serving: Queue -> ``(priority, delay_us, group)`` (see
            :func:`~csflow.routing.profiles.serving_table`).
        rival: The agent free now that would take the ticket otherwise, if any.

    Returns:
        Whether it pinned (``w.pin``, ``w.pin_until`` and ``w.sig`` then say to whom).
    """
    waited = w.waited_us(at_us)
    for prefix_len, pin in w.chain.pins:
        hold = pin.hold_us
        if hold <= 0:
            continue
        # The named agents in turn (a preferred agent, then the last one): the first that is
        # routable and could serve the ticket is the one it waits for.
        for aid in pin_candidates(pin, ctx):
            ag = records.get(aid)
            if ag is None or not ag.routable or ag is rival:
                continue
            if ag.caps.get(w.open_sig.channel, 0) <= 0 or not w.open_sig.admits(ag.profile):
                continue
            prio = serves(serving, ag.group, w.queue, waited)
            if prio is None:
                continue
            if rival is not None:
                rival_prio = serves(serving, rival.group, w.queue, waited)
                mine = (prio, w.chain.key(ag, w.open_sig)[:prefix_len])
                theirs = (rival_prio, w.chain.key(rival, w.open_sig)[:prefix_len])
                if rival_prio is not None and theirs < mine:
                    continue
            w.pin = ag.id
            # Capped at the last instant a datetime can hold (a hold that would end after year
            # 9999 ends then), so the desk can still say when it is due and save it.
            w.pin_until = min(at_us + hold, MAX_US)
            w.sig = w.open_sig.pinned(ag.id)
            return True
    return False


def due_changes(w: Wait, at_us: int) -> tuple[list[RoutingChange], str]:
    """Expire *w*'s pin and apply its relaxation steps due at *at_us*.

    Changes ``w.pin``, ``w.step`` and ``w.open_sig``; the caller moves the queue entry.

    Returns:
        The changes (:class:`~csflow.routing.decisions.PinReleased`, then a
        :class:`~csflow.routing.decisions.Relaxed` and maybe an
        :class:`~csflow.routing.decisions.Overflowed` per step), and the queue the ticket
        now belongs in.
    """
    out: list[RoutingChange] = []
    tid = w.ticket.id
    if w.pin is not None and w.pin_until <= at_us:
        out.append(PinReleased(tid, at_us, w.pin))
        w.pin = None
    plan = w.plan
    queue = w.queue
    if plan is not None:
        waited = w.waited_us(at_us)
        while w.step < len(plan.steps) and plan.steps[w.step].after_us <= waited:
            step = plan.steps[w.step]
            w.step += 1
            new = step.apply(w.open_sig)
            if new != w.open_sig:
                w.open_sig = new
                out.append(Relaxed(tid, at_us, w.step, new, step.describe()))
            if step.overflow_to is not None and step.overflow_to != queue:
                out.append(Overflowed(tid, at_us, queue, step.overflow_to))
                queue = step.overflow_to
    return out, queue


class Timers:
    """The waiting tickets' timers (next relaxation step or pin expiry), as one lazy heap."""

    __slots__ = ("_heap", "_seq")

    def __init__(self) -> None:
        # (due, seq, ticket id, version, wait): a timer is live while the ticket's current
        # Wait is the one it was armed for, at that version.  A ticket that leaves and comes
        # back (a transfer, a requeue) gets a new Wait whose versions start again at 0, so
        # the version alone would revive the old Wait's timers.
        self._heap: list[tuple[int, int, str, int, Wait]] = []
        self._seq = itertools.count()

    def arm(self, w: Wait) -> None:
        """Set *w*'s timer for its pin's expiry or its next step, whichever is first."""
        when: int | None = None
        if w.pin is not None:
            when = w.pin_until
        plan = w.plan
        if plan is not None and w.step < len(plan.steps):
            due = w.queued_at_us + plan.steps[w.step].after_us
            when = due if when is None else min(when, due)
        if when is not None:
            heapq.heappush(self._heap, (when, next(self._seq), w.ticket.id, w.version, w))

    def live_order(self, waiting: Mapping[str, Wait]) -> list[str]:
        """The waiting tickets with a live timer, in the order their timers fire (ties in the
        order they were armed): arming them afresh in this order keeps every tie's order."""
        live = sorted(
            (due, seq, tid)
            for due, seq, tid, version, armed in self._heap
            if waiting.get(tid) is armed and armed.version == version
        )
        return list(dict.fromkeys(tid for _, _, tid in live))

    def next_us(self, waiting: Mapping[str, Wait]) -> int | None:
        """The first live timer's instant (stale ones are dropped), or ``None``."""
        timers = self._heap
        while timers:
            _, _, tid, version, armed = timers[0]
            if waiting.get(tid) is armed and armed.version == version:
                break
            heapq.heappop(timers)
        return timers[0][0] if timers else None

    def pop_due(self, at_us: int, waiting: Mapping[str, Wait]) -> Iterator[Wait]:
        """Each waiting ticket whose live timer is due at *at_us*, earliest first.

        Timers armed while the caller handles one ticket are seen too, when due.
        """
        timers = self._heap
        while timers and timers[0][0] <= at_us:
            _, _, tid, version, armed = heapq.heappop(timers)
            if waiting.get(tid) is not armed or armed.version != version:
                continue
            yield armed
