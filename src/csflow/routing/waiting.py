"""A waiting ticket's routing state, and what changes it while it waits: a pin to its busy
preferred agent (:func:`pin_if_held`, moved by :func:`hold_moves_to`), and the timers of its
relaxation steps, overflow to another queue and the pin's expiry.

Theory of operation
-------------------
**Holds follow the strategy's order.**  A pinning strategy names agents in turn (a preferred
agent, then the last one); a ticket is held for the first of them that can be waited for --
at the desk, routable, serving the ticket's channel, requirements and queue.  The ones passed
over on the way are kept on the wait (:attr:`Wait.ahead`), and the router indexes the wait
under each of them (agent -> held tickets it comes before), as it indexes the wait under the
agent it is held for.  When such an agent can be waited for again -- it comes back routable,
joins the desk, or a queue delay or relaxation step lets it serve the ticket -- the router
looks up its own few held tickets, moves each hold to the first agent of its
:attr:`Wait.ahead` that can be waited for now (:func:`hold_moves_to`), and that agent takes
the ticket at once when it has room.  An agent passed over only because another free agent
ranked better on the strategies before the pin is not kept: that is a ranking, not a
hold.  So each such change costs O(k log k) for the agent's k held tickets, never a pass
over all waiting tickets.  A hold ends as soon as an overflow step moves its ticket to a
queue its agent does not serve (:func:`hold_kept`): the ticket is routed at once to whoever
can take it there, instead of waiting out the hold for an agent who never can.

**Timers.**  Relaxation steps, pins to a preferred agent and overflow delays are timers.  The
router never reads a clock: :meth:`csflow.routing.router.Router.next_step_at` says when
something is next due, and :meth:`csflow.routing.router.Router.advance` fires what is due at
the instant given and routes what it freed.  Each waiting ticket has one live timer at a time,
its next step or its pin's expiry, whichever comes first, in one heap (:class:`Timers`).  A
timer names the ticket and the :attr:`Wait.version` it was armed for; any change of the ticket
(routed, removed, re-armed) bumps the version, so old timers are dropped lazily when they
reach the top.  A hold that moves to another agent keeps its deadline, and so its timer.
The tickets whose timers fall due at one instant change together, then are routed in queue
order (:meth:`Timers.pop_next`).

**The last instant.**  Instants end with year 9999 (``MAX_US``).  A hold, a relaxation step or
a slot's delay that would end later ends at the last instant: the timer is set for it, and a
ticket has waited every step and every delay by then (:func:`waited_us`), so
``advance`` at the last instant applies all of them.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Mapping

from csflow._time import MAX_US, MIN_US
from csflow.model import Ticket
from csflow.queues import Signature
from csflow.routing.agents import AgentRecord
from csflow.routing.decisions import Overflowed, PinReleased, Relaxed, RoutingChange
from csflow.routing.profiles import Relaxation, serves
from csflow.routing.strategies import Chain, SelectionContext, pin_candidates

__all__ = ["Timers", "Wait", "due_changes", "hold_kept", "hold_moves_to", "pin_if_held"]

#: What a ticket has waited at the last instant: longer than any step or delay (a timedelta
#: holds at most about 2.7 million years), so that everything due after it is due then.
WAITED_AT_THE_END = MAX_US - MIN_US


def waited_us(queued_at_us: int, at_us: int) -> int:
    """Microseconds a ticket queued at *queued_at_us* has waited at *at_us*: 0 at an instant
    before it joined the line (a host's instants may come out of order), and more than any
    step or delay at the last instant (``MAX_US``), when everything due later is due."""
    if at_us >= MAX_US:
        return WAITED_AT_THE_END
    return max(0, at_us - queued_at_us)


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
        ahead: While pinned: the agents the pinning strategy names before *pin* that could
            not be waited for when the hold was made (or last moved), in order; the hold moves
            to the first of them that can be (:func:`hold_moves_to`).
        handed_off_by: The agent that handed the ticket off (a transfer or an escalation
            away from it), if any: never preferred nor waited for while the ticket waits.
        version: Bumped on every change, so that older timers are stale.
    """

    __slots__ = (
        "ahead",
        "chain",
        "due_us",
        "handed_off_by",
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
        handed_off_by: str | None = None,
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
        self.ahead: tuple[str, ...] = ()
        self.handed_off_by = handed_off_by
        self.version = 0

    def waited_us(self, at_us: int) -> int:
        """Microseconds waited at *at_us* (:func:`waited_us`): 0 at an instant before the
        ticket joined the line (a host's instants may come out of order), as for a queue
        entry, and more than any step or delay at the last instant."""
        return waited_us(self.queued_at_us, at_us)


def _hold_priority(
    w: Wait,
    ag: AgentRecord | None,
    waited: int,
    serving: Mapping[str, list[tuple[int, int, str]]],
) -> int | None:
    """The priority at which *ag* serves *w*'s queue when the ticket may be held for it --
    at the desk, routable, serving the ticket's channel and requirements and (after the
    slot's delay) its queue -- else ``None``."""
    if ag is None or not ag.routable:
        return None
    if ag.caps.get(w.open_sig.channel, 0) <= 0 or not w.open_sig.admits(ag.profile):
        return None
    return serves(serving, ag.group, w.queue, waited)


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
    one): one that is not routable, left the desk or cannot serve the ticket is passed over,
    and kept in ``w.ahead`` (see :func:`hold_moves_to`).

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
        Whether it pinned (``w.pin``, ``w.pin_until``, ``w.sig`` and ``w.ahead`` then say to
        whom, and whom it passed over).
    """
    waited = w.waited_us(at_us)
    passed: list[str] = []
    for prefix_len, pin in w.chain.pins:
        hold = pin.hold_us
        if hold <= 0:
            continue
        # The named agents in turn (a preferred agent, then the last one): the first that is
        # routable and could serve the ticket is the one it waits for.
        for aid in pin_candidates(pin, ctx):
            ag = records.get(aid)
            if ag is rival and ag is not None:
                continue
            prio = _hold_priority(w, ag, waited, serving)
            if prio is None or ag is None:
                # Not one to wait for now; it may be later (back from a break, say): then the
                # hold moves to it (:func:`hold_moves_to`).
                if aid not in passed:
                    passed.append(aid)
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
            w.ahead = tuple(a for a in passed if a != ag.id)
            return True
    return False


def hold_moves_to(
    w: Wait,
    at_us: int,
    records: Mapping[str, AgentRecord],
    serving: Mapping[str, list[tuple[int, int, str]]],
) -> int | None:
    """Where a held ticket's hold moves now: the position in ``w.ahead`` of the first agent
    the hold passed over that can be waited for at *at_us* (at the desk, routable, serving
    the ticket's channel, requirements and queue), or ``None`` when it stays.

    Changes nothing; the router moves the hold (the pin's deadline stays as it was: a hold
    that moves to an earlier agent does not wait longer).
    """
    waited = w.waited_us(at_us)
    for i, aid in enumerate(w.ahead):
        if _hold_priority(w, records.get(aid), waited, serving) is not None:
            return i
    return None


def hold_kept(
    w: Wait,
    at_us: int,
    records: Mapping[str, AgentRecord],
    serving: Mapping[str, list[tuple[int, int, str]]],
) -> bool:
    """Whether the held *w* may still wait for its agent (``w.pin``) at *at_us*: the agent
    is at the desk, routable and serves the ticket's channel, requirements and queue --
    the rule a hold is made by (:func:`pin_if_held`).  An overflow to a queue the agent
    does not serve ends the hold.  Changes nothing."""
    pin = w.pin
    return pin is not None and (
        _hold_priority(w, records.get(pin), w.waited_us(at_us), serving) is not None
    )


def due_changes(
    w: Wait, at_us: int, stamp_us: int | None = None
) -> tuple[list[RoutingChange], str]:
    """Expire *w*'s pin and apply its relaxation steps due at *at_us*.

    Changes ``w.pin``, ``w.step`` and ``w.open_sig``; the caller moves the queue entry.
    The changes are stamped *stamp_us* (*at_us* when ``None``): :meth:`Router.advance
    <csflow.routing.router.Router.advance>` takes what is due instant by instant and stamps
    everything with the instant it was called at.

    Returns:
        The changes (:class:`~csflow.routing.decisions.PinReleased`, then a
        :class:`~csflow.routing.decisions.Relaxed` and maybe an
        :class:`~csflow.routing.decisions.Overflowed` per step), and the queue the ticket
        now belongs in.
    """
    out: list[RoutingChange] = []
    tid = w.ticket.id
    stamp = at_us if stamp_us is None else stamp_us
    if w.pin is not None and w.pin_until <= at_us:
        out.append(PinReleased(tid, stamp, w.pin))
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
                out.append(Relaxed(tid, stamp, w.step, new, step.describe()))
            if step.overflow_to is not None and step.overflow_to != queue:
                out.append(Overflowed(tid, stamp, queue, step.overflow_to))
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
            # Capped at the last instant, as a hold is (``pin_if_held``): the step applies
            # then (``waited_us``), and the desk can still say when it is due.
            due = min(w.queued_at_us + plan.steps[w.step].after_us, MAX_US)
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

    def pop_next(self, at_us: int, waiting: Mapping[str, Wait]) -> list[Wait]:
        """The waiting tickets whose live timers fall due at the first instant any does, if
        that instant is at or before *at_us* (else none), in the order the timers were set.

        The caller applies all their changes before it routes any of them, in queue order:
        tickets that relax at the same instant are served as the queue orders them, not as
        their timers were set.  Call again for the next instant (timers armed meanwhile are
        seen then, when due).  O(k log n) for k timers popped.
        """
        timers = self._heap
        out: list[Wait] = []
        first = -1
        while timers and timers[0][0] <= at_us and (not out or timers[0][0] == first):
            first, _, tid, version, armed = heapq.heappop(timers)
            if waiting.get(tid) is armed and armed.version == version:
                out.append(armed)
        return out
