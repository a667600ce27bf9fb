# Why this file is over 800 lines: its state-snapshot pair (``to_state`` / ``load_state``, at
# the end of the public methods) reads and rebuilds the class's private internals, so it sits
# with them -- a change of those internals then changes their plain form in the same file.
"""The router: queues plus the agent pool; routes tickets to agents and agents to tickets.

Theory of operation
-------------------
Two questions are asked over and over, and neither may cost a pass over all agents or all
waiting tickets.

1. *A ticket arrives (or its requirements relax): which available agent takes it?*  The
   router asks the pool, for each agent group serving the ticket's queue (in the order of
   the group's routing profile, once the ticket waited the slot's delay), for the top of its
   lazy heap of members (:mod:`csflow.routing.pool`), and takes the best.

2. *An agent frees up: which waiting ticket does it take?*  The router looks at the agent's
   signatures on the channels it can take now and asks each queue of its routing profile, in
   priority order, for the best head among those groups
   (:meth:`csflow.queues.TicketQueue.peek`): cost proportional to the number of groups the
   agent is eligible for, never to the number of waiting tickets.  On :meth:`Router.release`
   it looks before it lets go, and a ticket on the same channel is swapped in for the one
   released (the pool's *usual exchange*, :mod:`csflow.routing.pool`).

Reasons repeat from one decision to the next: each distinct one is made once and shared (a
frozen value), from a bounded table of the router's.

**Time.**  Relaxation steps, pins to a preferred agent and overflow delays are timers
(:mod:`csflow.routing.waiting`); :meth:`Router.advance` fires what is due.

**Preferred agents.**  A :class:`~csflow.routing.strategies.PreferredAgent` in the chain names
the customer's preferred agent, then their last agent: the first of them that can take the
ticket and ties with the best candidate on the strategies before it gets the ticket.  When
none can and one is routable but busy, and the strategy has a ``timeout``, the ticket waits
for that agent alone (its signature is *pinned*) until the timeout, or until that agent stops
being routable (:meth:`Router.set_presence`) or leaves (:meth:`Router.release_pins` after
:meth:`Router.remove_agent`), or an overflow moves the ticket to a queue that agent does not
serve (:meth:`Router.advance`), then is open to every eligible agent
(:class:`~csflow.routing.decisions.PinReleased`) and routed.  The router keeps, per agent,
the tickets pinned to it, so ending its holds costs O(k log k) for its k pinned tickets.

A hold follows the strategy's order for as long as it lasts: a ticket held for the last agent
because the preferred agent could not be waited for then (offline, not at the desk, not yet
serving its queue or requirements) is held for the preferred agent as soon as it can be -- it
comes back routable (:meth:`Router.set_presence`), joins (:meth:`Router.add_agent`), or a
queue delay or relaxation step lets it serve (:meth:`Router.advance`) -- and that agent takes
it at once when it has room.  The router keeps, per agent, the held tickets it comes before
too (:mod:`csflow.routing.waiting`), so this costs O(k log k) for that agent's k such tickets.
An agent handing a ticket off (*handed_off_by*, :meth:`Router.submit`) is never preferred nor
waited for while that ticket waits.

**Batches** are planned in :mod:`csflow.routing.batch`.

Every call that raises has changed nothing: arguments are validated before any mutation.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

import attrs

from csflow._text import show
from csflow._time import MAX_US, MIN_US, instant_us, to_instant_us, utc
from csflow.errors import (
    CapacityExceededError,
    ConfigError,
    DuplicateTicketError,
    UnknownTicketError,
)
from csflow.model import AgentProfile, Channel, Ticket
from csflow.queues import (
    AgingKey,
    DeadlineKey,
    Instant,
    QueuedTicket,
    Signature,
    TicketQueue,
    make_key_context,
)
from csflow.queues.keys import checked_key
from csflow.queues.queue import read_signature
from csflow.routing._checks import check_name, check_ticket
from csflow.routing.agents import AgentRecord
from csflow.routing.batch import BatchPlan, BatchScore, default_batch_score, make_plan
from csflow.routing.decisions import (
    Assignment,
    PinReleased,
    RoutingChange,
    RoutingReason,
    new_assignment,
    new_reason,
)
from csflow.routing.pool import AgentPool
from csflow.routing.profiles import (
    Relaxation,
    RoutingProfile,
    check_overflow_keys,
    check_plan,
    plan_from_state,
    plan_to_state,
    profile_table,
    serves,
    serving_table,
)
from csflow.routing.strategies import LongestIdle, SelectionContext, Strategy, pin_candidates
from csflow.routing.waiting import (
    WAITED_AT_THE_END,
    Timers,
    Wait,
    due_changes,
    hold_kept,
    hold_moves_to,
    pin_if_held,
)

__all__ = ["Router"]

_QUEUE_ORDER = ("queue_order",)  # the "strategy" of an agent that takes the best waiting ticket


def _check_pull(value: object) -> None:
    """Refuse a *pull* that is not ``True`` or ``False`` (``None`` or ``"no"`` would silently
    mean one of them)."""
    if value is not True and value is not False:
        raise ConfigError(f"pull must be True or False, got {show(value)}")


class Router:
    """Queues plus the agent pool: routes tickets to agents and agents to tickets.

    Args:
        queues: The queues (their names must differ).  Queues that pass tickets to one
            another (overflow) should share one counter (:class:`TicketQueue`'s *sequence*),
            as a desk's do: a ticket keeps its sequence number when it overflows, and with
            counters of their own it may then tie another ticket's key exactly in its new
            queue, a state :meth:`load_state` refuses.  A state of queues with counters of
            their own and no such tie reads back all the same.
        profiles: Routing profiles (agent groups); when empty, one profile ``"default"``
            serves every queue at priority 1 with no delay.
        pool: The agent pool; a new one with default capacity and presence rules if omitted.
        strategies: The default agent-selection chain (ordered tie-breakers).
        relaxation: Default relaxation plan per queue name.

    Raises:
        ConfigError: An argument of the wrong type (*queues* or *profiles* not a collection,
            *pool* not an :class:`AgentPool`, *relaxation* not a mapping), duplicate queue
            names, a profile naming an unknown queue, a relaxation overflowing to an unknown
            queue, or a malformed strategy chain.

    Every command takes the current instant and returns what it decided; a command that
    raises has changed nothing.  Call :meth:`advance` when :meth:`next_step_at` is due.
    """

    def __init__(
        self,
        queues: Iterable[TicketQueue],
        profiles: Iterable[RoutingProfile] = (),
        *,
        pool: AgentPool | None = None,
        strategies: Sequence[Strategy] = (LongestIdle(),),
        relaxation: Mapping[str, Relaxation] | None = None,
    ) -> None:
        if pool is not None and not isinstance(pool, AgentPool):
            raise ConfigError(f"pool must be an AgentPool or None, got {show(pool)}")
        if isinstance(queues, str | Mapping) or not isinstance(queues, Iterable):
            raise ConfigError(f"queues must be a collection of TicketQueue, got {show(queues)}")
        if isinstance(profiles, str | Mapping) or not isinstance(profiles, Iterable):
            raise ConfigError(
                f"profiles must be a collection of RoutingProfile, got {show(profiles)}"
            )
        if relaxation is not None and not isinstance(relaxation, Mapping):
            raise ConfigError(
                f"relaxation must be a mapping of queue name -> Relaxation or None, got "
                f"{show(relaxation)}"
            )
        self.pool = AgentPool() if pool is None else pool
        self.queues: dict[str, TicketQueue] = {}
        for i, q in enumerate(queues):
            if not isinstance(q, TicketQueue):
                raise ConfigError(f"queues[{i}]: must be a TicketQueue, got {show(q)}")
            if q.name in self.queues:
                raise ConfigError(f"queues[{i}]: queue name {show(q.name)} used twice")
            self.queues[q.name] = q
        if not self.queues:
            raise ConfigError("a router needs at least one queue, got none")
        self._first_queue = next(iter(self.queues))  # where a ticket goes by default
        self.profiles: dict[str, RoutingProfile] = profile_table(profiles, list(self.queues))
        self._levels = {name: p.levels() for name, p in self.profiles.items()}
        # The same, as (queue, name, delay_us) for the agent-frees-up loop.
        self._pull_levels = {
            name: [[(self.queues[s.queue], s.queue, s.delay_us) for s in level] for level in levels]
            for name, levels in self._levels.items()
        }
        # group -> (queue, name) when it pulls from one queue with no delay, else None
        self._only_queue = {
            name: (levels[0][0][0], levels[0][0][1])
            if len(levels) == 1 and len(levels[0]) == 1 and levels[0][0][2] == 0
            else None
            for name, levels in self._pull_levels.items()
        }
        # queue -> [(priority, delay_us, group)], the groups that may take its tickets
        self._serving = serving_table(self.profiles.values(), self.queues)
        for p in self.profiles.values():
            for s in p.queues:
                if s.delay_us:
                    self.queues[s.queue].watch(s.delay_us)
        self._chain = self.pool.chain(strategies)
        self._plans: dict[str, Relaxation] = {}
        for qname, plan in (relaxation or {}).items():
            if qname not in self.queues:
                raise ConfigError(f"unknown queue {show(qname)}", f"relaxation.{qname}")
            check_plan(plan, f"relaxation.{qname}", self.queues)
            check_overflow_keys(plan, f"relaxation.{qname}.steps", qname, self._key_policies())
            self._plans[qname] = plan
        self._waiting: dict[str, Wait] = {}
        # agent id -> the waiting tickets pinned to it (a preferred-agent hold), derived from
        # the waits: it ends their holds when the agent stops being routable or leaves.
        self._pinned: dict[str, dict[str, None]] = {}
        # agent id -> the waiting tickets held for another agent that it comes before in its
        # pinning strategy (``Wait.ahead``): their holds move to it once it can be waited for.
        self._passed: dict[str, dict[str, None]] = {}
        self._timers = Timers()
        #: The relaxation steps and overflows the last :meth:`submit` applied at once, as
        #: changes at its instant: a ticket that joined the line in the past (re-queued,
        #: keeping its place) has waited through them.  Empty when it applied none.
        self.caught_up: tuple[RoutingChange, ...] = ()
        # (how, strategies, candidates, rule, queue, signature, step) -> the reason, shared.
        self._reasons: dict[
            tuple[str, tuple[str, ...], int, str | None, str, Signature, int], RoutingReason
        ] = {}

    # -- reading ---------------------------------------------------------------------------

    def waiting(self, queue: str | None = None) -> list[QueuedTicket]:
        """Waiting tickets in service order, of one queue or of all (queue by queue).

        Raises:
            ConfigError: An unknown queue.
        """
        names = list(self.queues) if queue is None else [self._queue_name(queue)]
        return [e for n in names for e in self.queues[n]]

    def where(self, ticket_id: str) -> tuple[str, QueuedTicket]:
        """The queue and entry of a waiting ticket.

        Raises:
            UnknownTicketError: The ticket is not waiting.
        """
        w = self._wait(ticket_id)
        return w.queue, self.queues[w.queue].get(ticket_id)

    def handed_off_by(self, ticket_id: str) -> str | None:
        """The agent a waiting ticket was handed off by (:meth:`submit`'s *handed_off_by*),
        or ``None``: a caller that routes the ticket again while it waits (a queue move)
        passes it on, so the ticket still does not go back to that agent.

        Raises:
            UnknownTicketError: The ticket is not waiting.
        """
        return self._wait(ticket_id).handed_off_by

    def next_step_us(self) -> int | None:
        """The next instant (microseconds) something time-driven is due, or ``None``."""
        best = self._timers.next_us(self._waiting)
        for q in self.queues.values():
            v = q.next_visible_at()
            if v is not None and (best is None or v < best):
                best = v
        return best

    def next_step_at(self) -> datetime | None:
        """When something time-driven is next due (UTC), for the desk's ``next_wakeup``."""
        us = self.next_step_us()
        return None if us is None else utc(us)

    # -- agents ----------------------------------------------------------------------------

    def add_agent(
        self,
        profile: AgentProfile,
        *,
        at: Instant,
        presence: str = "offline",
        routing_profile: str | None = None,
        pull: bool = True,
    ) -> list[Assignment]:
        """Add an agent under a routing profile; if routable, it takes waiting work at once.

        A routable agent that a held ticket's pinning strategy names before the agent it is
        held for (a customer's preferred agent, joining) is held for from then on (see the
        module docstring), and takes such tickets with the rest of its work.

        Args:
            profile: Its profile.
            at: Now.
            presence: Its initial presence state.
            routing_profile: Its routing profile (optional when there is only one).
            pull: ``False`` leaves waiting work where it is (for a batch, see
                :meth:`assign_batch`, or a later :meth:`pull`); holds still move to it.

        Raises:
            DuplicateAgentError: An agent of this id is in the pool already.
            ConfigError: An unknown presence state or routing profile, or a *pull* that is
                not ``True`` or ``False``.
        """
        _check_pull(pull)
        group = self._group_name(routing_profile)
        self.pool.add(profile, at=at, presence=presence, group=group)
        ag = self.pool.record(profile.id)
        at_us = to_instant_us(at)
        if ag.routable and profile.id in self._passed:
            self._holds_move_to(profile.id, at_us)
        if not pull:
            return []
        return self._pull(ag, at_us)

    def update_agent(
        self,
        profile: AgentProfile,
        *,
        at: Instant,
        routing_profile: str | None = None,
        pull: bool = True,
    ) -> list[RoutingChange]:
        """Replace an agent's profile (skills, languages, capacity, teams) while it works.

        It keeps its presence, place among the idle and the tickets it holds (a skill it
        loses does not take away the work it has), and its routing profile unless
        *routing_profile* names another.  The tickets held for it (a
        preferred agent's ``timeout``) that it no longer serves stop waiting for it and are
        routed; tickets held for another agent that it comes before in their pinning
        strategy, and that it can serve now, are held for it; then, if routable, it takes
        waiting work it can now serve (as :meth:`set_presence` does).

        Args:
            profile: The new profile; its ``id`` names the agent.
            at: Now.
            routing_profile: Its new routing profile (``None``: it keeps its own).
            pull: ``False`` leaves waiting work where it is (holds still end and move).

        Returns:
            Per released hold, its :class:`~csflow.routing.decisions.PinReleased` then its
            assignment if any, in service order; then the agent's own assignments.

        Raises:
            UnknownAgentError: No such agent.
            ConfigError: Not a profile, an unknown routing profile, a capacity on some
                channel below the tickets of that channel the agent holds now, or a *pull*
                that is not ``True`` or ``False``.
            CalendarError: A naive *at*.
        """
        _check_pull(pull)
        at_us = to_instant_us(at)
        group = None if routing_profile is None else self._group_name(routing_profile)
        self.pool.update(profile, at=at_us, group=group)
        ag = self.pool.record(profile.id)
        out: list[RoutingChange] = []
        pinned = self._pinned.get(profile.id)
        if pinned:
            records = self.pool.records
            lost = [
                w
                for w in (self._waiting[tid] for tid in pinned)
                if not hold_kept(w, at_us, records, self._serving)
            ]
            out.extend(self._end_holds(lost, profile.id, at_us, pull))
        if ag.routable and profile.id in self._passed:
            self._holds_move_to(profile.id, at_us)
        if pull and ag.routable:
            out.extend(self._pull(ag, at_us))
        return out

    def remove_agent(self, agent_id: str, *, at: Instant) -> tuple[str, ...]:
        """Remove an agent; returns the tickets it held (the caller re-routes them).

        Tickets waiting for it alone (a preferred-agent hold) wait until the caller ends
        those holds with :meth:`release_pins` -- after re-routing the tickets it held, which
        were in line before them (the desk does both).

        Raises:
            UnknownAgentError: No such agent.
        """
        return self.pool.remove(agent_id, at=at)

    def release_pins(self, agent_id: str, *, at: Instant, pull: bool = True) -> list[RoutingChange]:
        """End every preferred-agent hold for *agent_id*: the tickets waiting for it alone are
        open to every eligible agent, and routed.

        :meth:`set_presence` does this by itself when the agent stops being routable; call
        it after :meth:`remove_agent`.  The agent need not be in the pool any more.

        Args:
            agent_id: The agent the tickets wait for.
            at: Now.
            pull: ``False`` opens the tickets without routing them.

        Returns:
            Per ticket, in service order (queue key): its
            :class:`~csflow.routing.decisions.PinReleased`, then its :class:`Assignment`
            when an agent takes it now.

        Raises:
            ConfigError: *agent_id* is not a string, or *pull* is not ``True`` or ``False``.
            CalendarError: A naive *at*.
        """
        if not isinstance(agent_id, str):
            raise ConfigError(f"agent_id must be an agent id, got {show(agent_id)}")
        _check_pull(pull)
        return self._release_pins(agent_id, to_instant_us(at), pull)

    def set_presence(
        self, agent_id: str, state: str, *, at: Instant, pull: bool = True
    ) -> list[RoutingChange]:
        """Set an agent's presence; if it becomes routable it takes waiting work at once.

        If it is not routable now, the tickets waiting for it alone (a preferred-agent hold)
        are open to everyone and routed (:meth:`release_pins`): each one's
        :class:`~csflow.routing.decisions.PinReleased`, then its assignment if any.  If it is
        routable now, the tickets held for another agent that their pinning strategy names it
        before (a customer's preferred agent back from a break, held for the last agent
        meanwhile) are held for it from then on, and it takes them, with the rest of its
        work, in service order when it has room.

        Args:
            agent_id: The agent.
            state: A declared presence state.
            at: Now.
            pull: ``False`` leaves waiting work where it is (many agents logging in at once
                can then be matched with :meth:`assign_batch`); the holds of an agent that
                stops being routable still end, but their tickets are not routed, and holds
                still move to an agent that becomes routable.

        Raises:
            UnknownAgentError: No such agent.
            ConfigError: An undeclared state, or a *pull* that is not ``True`` or ``False``.
        """
        _check_pull(pull)
        self.pool.set_presence(agent_id, state, at=at)
        ag = self.pool.record(agent_id)
        at_us = to_instant_us(at)
        if not ag.routable:
            return self._release_pins(agent_id, at_us, pull) if agent_id in self._pinned else []
        if agent_id in self._passed:
            self._holds_move_to(agent_id, at_us)
        if not pull:
            return []
        return list(self._pull(ag, at_us))

    def release(
        self, agent_id: str, ticket_id: str, *, at: Instant, pull: bool = True
    ) -> list[Assignment]:
        """An agent is done with a ticket; it takes the next waiting work it may take.

        Args:
            agent_id: The agent.
            ticket_id: The ticket it no longer holds.
            at: Now.
            pull: ``False`` leaves waiting work where it is (see :meth:`set_presence`).

        Raises:
            UnknownAgentError: No such agent.
            UnknownTicketError: The agent does not hold the ticket.
            ConfigError: A *pull* that is not ``True`` or ``False``.
        """
        flag: object = pull
        if flag is not True and flag is not False:
            _check_pull(flag)
        pool = self.pool
        ag = pool.records.get(agent_id) if type(agent_id) is str else None
        if ag is None:
            ag = pool.record(agent_id)  # raises UnknownAgentError
        c = ag.held.get(ticket_id) if isinstance(ticket_id, str) else None
        if c is None:
            raise UnknownTicketError(
                f"agent {show(agent_id)} does not hold ticket {show(ticket_id)}"
            )
        # ``to_instant_us`` without its own call for a datetime (the desk's case).
        at_us = to_instant_us(at) if type(at) is int else instant_us(at, "at")
        if not pull:
            pool.release_unchecked(ag, ticket_id, at_us)
            return []
        # The usual exchange: the agent takes a ticket on the channel it just freed.  The
        # next ticket is looked for first, with the channels the release would leave it;
        # a same-channel swap then leaves its counts and load, and so every counter, as
        # they are (``AgentPool.swap_unchecked``).
        takeable = pool.takeable_if_released(ag, c)
        found = None if takeable is None else self._best_head(ag, takeable, at_us)
        if found is not None and found[0].signature.channel == c:
            best, qname, heads, mixed = found
            # ``_take`` inlined, with the swap: this is the agent-frees-up path.
            tid = best.ticket_id
            w = self._waiting.pop(tid)
            if w.pin is not None:
                self._unpin_index(w, w.pin)
            self.queues[qname].take(best)
            sig = w.sig
            w.version += 1  # its timers are stale now
            pool.swap_unchecked(ag, ticket_id, tid, sig, at_us)
            rule, step = w.rule, w.step
            reason = self._reasons.get(("agent", _QUEUE_ORDER, heads, rule, qname, sig, step))
            if reason is None:
                reason = self._reason("agent", _QUEUE_ORDER, heads, rule, qname, sig, step)
            out = [new_assignment(tid, ag.id, at_us, reason, best.callback, best)]
            # More work on the agent's other channels?  With one level of queues, the look
            # above saw every head it may take; when they were all on channel *c* and *c*
            # is full again, there is none.
            if not ag.takeable or (
                not mixed and c not in ag.takeable and len(self._pull_levels[ag.group]) == 1
            ):
                return out
            if self._best_head(ag, ag.takeable, at_us) is None:
                return out
            pool.hold_back(ag)
            try:
                return out + self._pull(ag, at_us)
            finally:
                pool.settle(ag)
        # Release and re-fill as one exchange: the pool publishes the agent's new state once.
        pool.hold_back(ag)
        try:
            pool.release_unchecked(ag, ticket_id, at_us)
            if takeable is None:
                return self._pull(ag, at_us)
            if found is None:
                return []  # what ``_pull`` would find with those channels
            return [self._take(ag, *found[:3], at_us), *self._pull(ag, at_us)]
        finally:
            pool.settle(ag)

    def pull(self, agent_id: str, *, at: Instant) -> list[Assignment]:
        """Fill *agent_id*'s spare capacity with the best waiting tickets it may take.

        Commands do this by themselves unless told ``pull=False``; call it after such
        commands for the agents a batch did not fill.

        Raises:
            UnknownAgentError: No such agent.
            CalendarError: A naive *at*.
        """
        ag = self.pool.record(agent_id)
        return self._pull(ag, to_instant_us(at))

    # -- tickets ---------------------------------------------------------------------------

    def submit(
        self,
        ticket: Ticket,
        *,
        at: Instant,
        queue: str | None = None,
        due: Instant | None = None,
        queued_at: Instant | None = None,
        relaxation: Relaxation | None = None,
        strategies: Sequence[Strategy] | None = None,
        rule: str | None = None,
        last_agent: str | None = None,
        last_contact_at: Instant | None = None,
        signature: Signature | None = None,
        route: bool = True,
        callback: bool = False,
        handed_off_by: str | None = None,
    ) -> Assignment | None:
        """Route a ticket: to an agent now, or into its queue.

        Args:
            ticket: The ticket.
            at: Now.
            queue: Its queue (the first queue when omitted).
            due: Its SLA due instant (for deadline keys).
            queued_at: When it first joined the line (a re-queued ticket keeps its place);
                *at* when omitted.
            relaxation: Its relaxation plan (else the queue's default, if any, checked when
                the router was built and not again).
            strategies: The agent-selection chain (else the router's default).
            rule: The name of the rule that chose this routing, for the reason.
            last_agent: The agent who last served this customer (for :class:`PreferredAgent`),
                an agent id or ``None``.
            last_contact_at: When that was.
            signature: Requirements overriding ``Signature.of(ticket)``.
            route: ``False`` only queues the ticket, even when an agent could take it now (a
                burst to be matched with :meth:`assign_batch`); its timers still run.  Only
                ``True`` or ``False``.
            callback: The ticket is a call-back (its entry is flagged, and so is its
                assignment); give the phone *signature* with it.
            handed_off_by: The agent handing the ticket off (a transfer or an escalation away
                from it): while the ticket waits, a pinning strategy never prefers that agent
                nor holds the ticket for it, even as the customer's preferred or last agent
                (:attr:`~csflow.routing.strategies.SelectionContext.handed_off_by`).  Ranking
                strategies still rank it like any other agent.

        Returns:
            The assignment, or ``None`` when the ticket now waits.  The relaxation steps
            already due at *at* (a *queued_at* in the past) apply first, and
            :attr:`caught_up` lists them; when such a ticket is routed and waits, a routing
            delay it has already waited is crossed at once (never left as a step due before
            *at*), and the assignments of other tickets of its queue that had crossed one
            unrouted, made at *at*, follow in :attr:`caught_up`.

        Raises:
            DuplicateTicketError: The ticket is already waiting or held.
            ConfigError: An unknown queue, a bad plan or chain, a key policy refusal, a
                *route* or *callback* that is not a bool, a *last_agent* that is not a
                string, or a *handed_off_by* that is not an agent id (the error's ``path``
                names the argument).
            CalendarError: A naive instant.
        """
        # Checks first (``_admit``'s, inlined: this is the ticket-arrives path).
        if not isinstance(ticket, Ticket):
            raise ConfigError(f"ticket must be a Ticket, got {show(ticket)}")
        tid = ticket.id
        if tid in self._waiting or tid in self.pool.holders:
            raise DuplicateTicketError(f"ticket {show(tid)} is already waiting or held")
        qname = self._queue_name(queue) if queue is not None else self._first_queue
        at_us = to_instant_us(at) if type(at) is int else instant_us(at, "at")
        due_us = None if due is None else to_instant_us(due, "due")
        q_us = at_us if queued_at is None else to_instant_us(queued_at, "queued_at")
        plan = self._plans.get(qname)
        if relaxation is not None and relaxation is not plan:
            # A plan of its own is checked; the queue's default was, when the router was built.
            plan = check_plan(relaxation, "relaxation", self.queues)
            check_overflow_keys(plan, "relaxation.steps", qname, self._key_policies())
        chain = self._chain if strategies is None else self.pool.chain(strategies)
        if rule is not None:
            check_name("rule", rule)
        if callback is not False and callback is not True:
            raise ConfigError(f"callback must be True or False, got {show(callback)}")
        if route is not True and route is not False:
            raise ConfigError(f"must be True or False, got {show(route)}", "route")
        if last_agent is not None and not isinstance(last_agent, str):
            raise ConfigError(f"must be an agent id or None, got {show(last_agent)}", "last_agent")
        if handed_off_by is not None and (
            not isinstance(handed_off_by, str) or not handed_off_by or len(handed_off_by) > 256
        ):
            # An agent id as profiles have them: a state snapshot reads back one or null there.
            raise ConfigError(
                "handed_off_by must be an agent id (a non-empty string of at most 256 "
                f"characters) or None, got {show(handed_off_by)}"
            )
        if signature is None:
            sig = Signature.of(ticket)
        elif isinstance(signature, Signature):
            sig = signature
        else:
            raise ConfigError(f"signature must be a Signature, got {show(signature)}")
        last_us = (
            None if last_contact_at is None else to_instant_us(last_contact_at, "last_contact_at")
        )
        policy = self.queues[qname].key_policy
        key: tuple[int, int] | None = None
        if not (type(policy) is AgingKey or (type(policy) is DeadlineKey and due_us is not None)):
            # A policy that may refuse the ticket is asked before anything changes; the two
            # built-in ones cannot refuse here (a plain function of checked values), so their
            # key is computed only when the ticket waits.
            key = checked_key(policy(make_key_context(ticket, q_us, due_us)), policy)
        # -- nothing has changed so far; from here on nothing raises --
        w = Wait(ticket, qname, sig, plan, chain, rule, q_us, due_us, handed_off_by)
        if plan is None:
            self.caught_up = ()
        else:
            # A ticket that joined the line in the past (re-queued, keeping its place) takes
            # the steps already due at once: they are changes like any other, for the caller.
            changes, w.queue = due_changes(w, at_us)
            w.sig = w.open_sig
            self.caught_up = tuple(changes)
        # Only pinning strategies read the context: skip building it for plain chains.
        ctx = (
            SelectionContext(ticket, w.queue, at_us, last_agent, last_us, handed_off_by)
            if w.chain.pins
            else None
        )
        if route:
            found = self._select(w, at_us, ctx)
            if ctx is None:
                pass
            elif found is not None and found[1].how != "preferred":
                # Another agent is free, but the customer's preferred agent, busy now, may
                # be worth waiting for (the pin's timeout).
                if pin_if_held(w, ctx, at_us, self.pool.records, self._serving, found[0]):
                    found = None
            elif found is None:
                pin_if_held(w, ctx, at_us, self.pool.records, self._serving)
            if found is not None:
                ag, reason = found
                # ``_give`` inlined: this is the ticket-arrives path.
                self.pool.assign_unchecked(ag, ticket.id, w.sig.channel, at_us)
                return new_assignment(ticket.id, ag.id, at_us, reason, callback, None)
        if key is None:
            key = policy(make_key_context(ticket, w.queued_at_us, w.due_us))
        self.pool.ref(w.sig)
        self.queues[w.queue].push_key(
            ticket.id,
            band=key[0],
            due=key[1],
            at=w.queued_at_us,
            signature=w.sig,
            callback=callback,
            ticket=ticket,
        )
        self._waiting[ticket.id] = w
        if w.pin is not None:
            self._index_pin(w)
        self._timers.arm(w)
        if route and w.queued_at_us < at_us:
            # A ticket back in line keeping its place may have waited a delay view's delay
            # already: that crossing is due in the past, and must not stay a step to take
            # (a wakeup before *at*).  It was offered to every agent that may serve it at
            # *at*, so the crossing is only taken.  (Not routed now, its caller routes it
            # later and this runs then.)
            q = self.queues[w.queue]
            visible = q.next_visible_at()
            if visible is not None and visible <= at_us:
                late: list[RoutingChange] = []
                self._route_crossed(q.refresh(at_us), at_us, late, skip=tid)
                self.caught_up += tuple(late)
        return None

    def remove(self, ticket_id: str) -> QueuedTicket:
        """Take a waiting ticket out (abandoned, withdrawn, handled elsewhere).

        Raises:
            UnknownTicketError: The ticket is not waiting.
        """
        w = self._wait(ticket_id)
        entry = self.queues[w.queue].remove(ticket_id)
        self._drop(w)
        return entry

    def reprioritize(
        self, ticket: Ticket, *, due: Instant | None = None, at: Instant | None = None
    ) -> QueuedTicket:
        """Recompute a waiting ticket's key (new priority or due instant); it keeps its FIFO place.

        *at* is the instant of the change: delayed groups that saw the ticket by then still
        see it (:meth:`TicketQueue.move <csflow.queues.TicketQueue.move>`).

        The ticket keeps its requirements: a *ticket* whose channel, language or required
        skills differ from the waiting one's is refused (:meth:`remove` it and
        :meth:`submit` it again to change them).

        Raises:
            UnknownTicketError: The ticket is not waiting.
            ConfigError: Its requirements changed (``path`` ``"ticket.required_skills"``,
                ``"ticket.language"`` or ``"ticket.channel"``), or the key policy refused it.
        """
        w = self._wait(check_ticket(ticket).id)
        entry = self.queues[w.queue].reprioritize(ticket, due=due, at=at)
        w.ticket = ticket
        if due is not None:
            w.due_us = to_instant_us(due, "due")
        return entry

    def request_callback(
        self, ticket_id: str, *, at: Instant, channel: Channel | str = "phone"
    ) -> Assignment | None:
        """The customer asks to be called back: the ticket keeps its place, now on the phone.

        A pin to a preferred agent is dropped.  If an agent can make the call now, it gets
        the assignment (``callback=True``).

        Raises:
            UnknownTicketError: The ticket is not waiting.
        """
        w = self._wait(ticket_id)
        at_us = to_instant_us(at)
        name = Channel.parse(channel).name
        q = self.queues[w.queue]
        old = w.sig
        q.move(ticket_id, w.open_sig, at=at_us)  # drop a pin first
        q.request_callback(ticket_id, channel=name, at=at_us)  # keeps the key, flags it
        if w.pin is not None:
            self._unpin_index(w, w.pin)
        w.pin = None
        w.open_sig = w.sig = w.open_sig.on_channel(name)
        self.pool.ref(w.sig)
        self.pool.unref(old)
        w.version += 1
        self._timers.arm(w)
        return self._route_waiting(w, at_us)

    def assign_to(
        self, ticket: Ticket, agent_id: str, *, at: Instant, rule: str | None = None
    ) -> Assignment:
        """Give *ticket* to *agent_id* directly (a transfer to a named agent).

        The ticket may be waiting (it leaves its queue) or new.  The agent must meet its
        requirements and have room.

        Raises:
            UnknownAgentError: No such agent.
            CapacityExceededError: The agent cannot take it now.
            DuplicateTicketError: Somebody already holds the ticket.
        """
        check_ticket(ticket)
        ag = self.pool.record(agent_id)
        at_us = to_instant_us(at)
        if rule is not None:
            check_name("rule", rule)
        if ticket.id in self.pool.holders:
            raise DuplicateTicketError(f"ticket {show(ticket.id)} is already held")
        w = self._waiting.get(ticket.id)
        sig = w.open_sig if w is not None else Signature.of(ticket)
        if not self._eligible(ag, sig):
            raise CapacityExceededError(
                f"agent {agent_id!r} cannot take ticket {ticket.id!r} on {sig} now"
            )
        if w is None:
            w = Wait(ticket, next(iter(self.queues)), sig, None, self._chain, rule, at_us, None)
        else:
            self.queues[w.queue].remove(ticket.id)
            self._drop(w)
        reason = RoutingReason("direct", (), 1, rule, w.queue, sig, w.step)
        return self._give(ag, w, None, reason, at_us, already_dropped=True)

    def reopen(
        self,
        ticket: Ticket,
        last_agent: str | None,
        *,
        at: Instant,
        queue: str | None = None,
        due: Instant | None = None,
        rule: str | None = None,
        customer_last_agent: str | None = None,
        last_contact_at: Instant | None = None,
    ) -> Assignment | None:
        """Route a reopened ticket: back to *last_agent* when it can take it now, else as new.

        "As new" is :meth:`submit`'s routing, preferred-agent holds included: a
        :class:`~csflow.routing.strategies.PreferredAgent` in the chain may keep the ticket
        for the customer's preferred or last agent while that agent is routable but busy,
        as it would a new ticket of the customer.

        Args:
            ticket: The ticket.
            last_agent: The agent it goes back to when that agent can take it now.
            at: Now.
            queue: Its queue (the first queue when omitted).
            due: Its SLA due instant (for deadline keys).
            rule: The name of the rule that chose this routing, for the reason.
            customer_last_agent: The agent the ticket is held for when the customer has no
                preferred agent who can take it (as :meth:`submit`'s *last_agent*);
                *last_agent* when ``None``.  The desk passes the ticket's own agent (its
                owner, or the agent who resolved it) while that agent is at the desk, and
                the agent who last served the customer only when the ticket has none: a
                thread resumes with its own agent, not with whoever served the customer's
                other tickets since.
            last_contact_at: When the customer was last served by that agent (for the
                ``recency`` of :class:`~csflow.routing.strategies.PreferredAgent`).

        Raises:
            DuplicateTicketError: The ticket is already waiting or held.
            ConfigError: An unknown queue.
        """
        check_ticket(ticket)
        if ticket.id in self._waiting or ticket.id in self.pool.holders:
            raise DuplicateTicketError(f"ticket {show(ticket.id)} is already waiting or held")
        at_us = to_instant_us(at)
        qname = self._queue_name(queue)
        if due is not None:
            to_instant_us(due, "due")
        if rule is not None:
            check_name("rule", rule)
        if last_agent is not None and not isinstance(last_agent, str):
            raise ConfigError(f"last_agent must be an agent id or None, got {show(last_agent)}")
        if customer_last_agent is not None and not isinstance(customer_last_agent, str):
            raise ConfigError(
                f"customer_last_agent must be an agent id or None, got {show(customer_last_agent)}"
            )
        if last_contact_at is not None:
            to_instant_us(last_contact_at, "last_contact_at")
        ag = self.pool.records.get(last_agent) if last_agent is not None else None
        sig = Signature.of(ticket)
        self.caught_up = ()  # back to its agent, no step applies; else submit says which
        if ag is not None and self._eligible(ag, sig) and serves(self._serving, ag.group, qname, 0):
            w = Wait(ticket, qname, sig, None, self._chain, rule, at_us, None)
            reason = RoutingReason("reopen", ("last_agent",), 1, rule, qname, sig)
            return self._give(ag, w, None, reason, at_us, already_dropped=True)
        return self.submit(
            ticket,
            at=at,
            queue=qname,
            due=due,
            rule=rule,
            last_agent=last_agent if customer_last_agent is None else customer_last_agent,
            last_contact_at=last_contact_at,
        )

    # -- time ------------------------------------------------------------------------------

    def advance(self, at: Instant) -> list[RoutingChange]:
        """Fire what is due at *at*: relaxation steps, pin expiries, overflow visibility.

        What is due is taken in time order, instant by instant, as a host that woke at
        every step would have: every ticket whose timer falls due at one instant changes
        first (its pin expires, its steps apply), then they are routed in service order
        (queue key), as an agent that frees up takes tickets -- not in the order their
        timers were set.  Tickets that a routing profile's delay lets more agents serve are
        routed at the instant they crossed it (after the timers due at that instant, before
        later ones), then in service order.  What a ticket does at an instant is what it
        does as of that instant: the steps due then (not the later ones up to *at*), its
        hold's expiry if due then, and the routing profiles' delays it has waited by then --
        so one call at *at* decides as calls at every instant due would have.  Everything
        is stamped *at*.
        Everything due after the last instant a datetime can hold (year 9999) is due at it.

        Returns:
            The changes, per ticket in that order: its :class:`PinReleased` (a hold that
            timed out), :class:`Relaxed` and :class:`Overflowed`, a :class:`PinReleased`
            when the overflow took it to a queue its held-for agent does not serve, then
            the :class:`Assignment` they made possible, if any.
        """
        at_us = to_instant_us(at)
        out: list[RoutingChange] = []
        timers, waiting, queues = self._timers, self._waiting, self.queues.values()
        while True:
            next_us = timers.next_us(waiting)
            if next_us is None or next_us > at_us:
                break
            # Time order: the delays crossed before the timers' instant are routed first, as
            # a host that woke at every step would have (only looked at when a timer is due).
            crossing = min(
                (c for q in queues if (c := q.next_visible_at()) is not None), default=None
            )
            if crossing is not None and crossing < next_us:
                crossed = [c for q in queues for c in q.refresh(crossing)]
                if crossed:
                    self._route_crossed(crossed, at_us, out)
                    continue
            self._fire(timers.pop_next(at_us, waiting), next_us, at_us, out)
        crossed = [c for q in queues for c in q.refresh(at_us)]
        self._route_crossed(crossed, at_us, out)
        return out

    def _route_crossed(
        self,
        crossed: list[tuple[int, QueuedTicket]],
        at_us: int,
        out: list[RoutingChange],
        skip: str | None = None,
    ) -> None:
        """Route, stamped *at_us*, the waiting tickets a delay view showed (``(delay, entry)``
        pairs from :meth:`TicketQueue.refresh`), except *skip*: by the instant each crossed
        its delay, then in service order, each as of that instant (the delays it had waited
        then); the assignments go into *out*."""
        late = [
            (min(e.queued_at_us + d, MAX_US), e.key, w)
            for d, e in crossed
            if e.ticket_id != skip and (w := self._waiting.get(e.ticket_id)) is not None
        ]
        if len(late) > 1:
            late.sort(key=lambda c: c[:2])
        for crossed_us, _, w in late:
            if self._waiting.get(w.ticket.id) is not w:
                continue  # routed already (it crossed two delays)
            if w.ahead:
                # A slot's delay passed: an agent the hold passed over may serve it now.
                self._move_hold(w, crossed_us)
            got = self._route_waiting(w, at_us, crossed_us)
            if got is not None:
                out.append(got)

    # -- batch -----------------------------------------------------------------------------

    def plan_batch(
        self,
        *,
        at: Instant,
        method: Literal["greedy", "optimal"] = "greedy",
        channel: Channel | str,
        score: BatchScore = default_batch_score,
        limit: int | None = None,
    ) -> BatchPlan:
        """Plan assignments of waiting *channel* tickets to every agent with room (no change).

        A batch keeps the order an agent that frees up takes tickets in (:meth:`pull`): its
        routing profile's queues by priority, once their delay has passed, then by key --
        the agent's *line* (see :mod:`csflow.routing.batch`).  It considers at most *limit*
        tickets, chosen slot by slot from the agents' lines, and only tickets some free slot
        can take.

        Greedy walks the (ticket, agent) pairs in line order and gives each ticket to the
        free agent scoring highest; ties go as the ticket's strategy chain would send it
        (:class:`~csflow.routing.strategies.LongestIdle` by default), the tickets the plan
        gave so far counted, so work is spread, not piled on the first agent.  Optimal
        solves a minimum-cost maximum flow (networkx) from tickets to agent slots: it
        assigns as many tickets as any plan can -- never fewer than greedy -- then takes the
        highest summed score among such plans (with the default score, never below
        greedy's in plans under 1,000 pairs).  It matters when skills are scarce and overlap: greedy may give the only
        agent able to take ticket B to ticket A, which others could have taken.  With
        interchangeable agents both plans have the same size and score, though not always
        the same pairs.  Optimal costs more than linear time in the (ticket, agent) pairs:
        it refuses more than :data:`~csflow.routing.batch.MAX_OPTIMAL_PAIRS` of them.

        Args:
            at: Now.
            method: ``"greedy"`` or ``"optimal"``.
            channel: The channel to plan (slots on one channel never interact).
            score: The score of a pair; :func:`default_batch_score` by default.  It gets the
                ticket's rank in the agent's line among the tickets considered (0 first)
                and must return an int from ``-2**63`` to ``2**63 - 1``.
            limit: How many tickets to consider (default: twice the free slots).

        Raises:
            ConfigError: An unknown method, a bad limit, a score that is not callable, that
                raises or that returns anything but an int in range, or an optimal batch of
                more than :data:`~csflow.routing.batch.MAX_OPTIMAL_PAIRS` (ticket, agent)
                pairs (pass a smaller *limit*, or use greedy).
        """
        if method not in ("greedy", "optimal"):
            raise ConfigError(f"method must be 'greedy' or 'optimal', got {show(method)}")
        if not callable(score):
            raise ConfigError(
                f"score must be a callable (agent, entry, rank) -> int, got {show(score)}"
            )
        at_us = to_instant_us(at)
        c = Channel.parse(channel).name
        waiting = self._waiting
        return make_plan(
            self.pool,
            self.queues,
            self._levels,
            lambda tid: waiting[tid].chain,
            at_us=at_us,
            method=method,
            channel=c,
            score=score,
            limit=limit,
        )

    def assign_batch(
        self,
        *,
        at: Instant,
        method: Literal["greedy", "optimal"] = "greedy",
        channel: Channel | str,
        score: BatchScore = default_batch_score,
        limit: int | None = None,
    ) -> list[Assignment]:
        """Plan (see :meth:`plan_batch`) and apply a batch assignment on one channel.

        Raises:
            ConfigError: As :meth:`plan_batch`; nothing changed then.
        """
        plan = self.plan_batch(at=at, method=method, channel=channel, score=score, limit=limit)
        at_us = to_instant_us(at)
        out = []
        for tid, aid in plan.pairs:
            w = self._waiting[tid]
            ag = self.pool.records[aid]
            if w.sig.channel not in ag.takeable:  # pragma: no cover - slots are exact
                continue
            entry = self.queues[w.queue].remove(tid)
            self._drop(w)
            reason = RoutingReason(
                "batch", (plan.method,), plan.slots, w.rule, w.queue, w.sig, w.step
            )
            out.append(self._give(ag, w, entry, reason, at_us, already_dropped=True))
        return out

    # -- state snapshots -------------------------------------------------------------------

    def to_state(
        self, profile_to_plain: Callable[[AgentProfile], Any], at_us: int | None = None
    ) -> dict[str, Any]:
        """The router's state as plain data (:meth:`load_state` reads it): the pool's agents
        (:meth:`AgentPool.to_state`), each queue's entries (:meth:`TicketQueue.to_state`), the
        queues' ``sequence`` (the highest next value of their counters: the one counter they
        share, as a desk's queues do, or the highest of their own), and each waiting
        ticket's routing state --
        ``[ticket_id, queue, plan, step, open signature, pin, pin_until_us, rule,
        queued_at_us, due_us, ahead, handed_off_by]`` (``plan``: the name of the queue whose
        plan the ticket follows, or a plan of its own given to :meth:`submit` as its steps
        (:func:`~csflow.routing.profiles.plan_to_state`), or ``None``; ``ahead``: the agents
        the hold passed over, a list) -- those with a timer first, in the order the timers
        fire, then the others by id.  A strategy chain of the ticket's own (:meth:`submit`'s
        *strategies*) is not written: read back, the ticket follows the router's chain.  With
        *at_us* (the host's current instant) the queues' delay views are written as of that
        instant (:meth:`TicketQueue.to_state`).
        Timers, signature registrations and agent heaps are rebuilt on load.
        """
        order = self._timers.live_order(self._waiting)
        timed = set(order)
        # The others in id order: the dict's own order is not part of the state (it differs
        # between a desk and its restored copy, and nothing reads it).
        order += sorted(tid for tid in self._waiting if tid not in timed)
        plans = {id(p): q for q, p in self._plans.items()}
        waits = []
        for tid in order:
            w = self._waiting[tid]
            # A queue's plan by the queue's name; a plan of the ticket's own (``submit``'s
            # *relaxation*) as its steps.
            plan: str | dict[str, object] | None = None
            if w.plan is not None:
                plan = plans.get(id(w.plan))
                if plan is None:
                    plan = plan_to_state(w.plan)
            waits.append(
                [
                    tid,
                    w.queue,
                    plan,
                    w.step,
                    w.open_sig.to_state(),
                    w.pin,
                    w.pin_until,
                    w.rule,
                    w.queued_at_us,
                    w.due_us,
                    list(w.ahead),
                    w.handed_off_by,
                ]
            )
        return {
            "pool": self.pool.to_state(profile_to_plain),
            "queues": {name: q.to_state(at_us) for name, q in self.queues.items()},
            "sequence": max(q.next_sequence() for q in self.queues.values()),
            "waiting": waits,
        }

    def load_state(
        self,
        data: object,
        tickets: Mapping[str, Ticket],
        profile_from_plain: Callable[[object, str], AgentProfile],
        path: str = "router",
        *,
        changed: bool = False,
        now: int | None = None,
        own_plans: bool = True,
    ) -> None:
        """Fill this (new) router from :meth:`to_state` data.

        Args:
            data: What :meth:`to_state` returned.
            tickets: The waiting tickets (and any others), by id.
            profile_from_plain: Reads an agent profile (data, path).
            path: Where *data* is, for errors.
            changed: The data was written under another configuration (an accepted change):
                a queue it lacks starts empty, and a queue it has that this router lacks is
                dropped if nothing waits in it, and a ticket that took more relaxation steps
                than its plan now has stands at the plan's last step (it keeps the
                requirements it was relaxed to; no step is left for it).  Otherwise the
                queues must be the same, and a step past the plan's end is refused.
            now: The instant (microseconds since the epoch) the data was written at, when
                known: a hold is then refused when it ends later than a hold made by then
                can (*now* plus the longest hold of the router's pinning strategies).
            own_plans: Whether a waiting ticket may follow a relaxation plan of its own
                (:meth:`submit`'s *relaxation*, written as its steps); ``False`` refuses one
                (a state whose tickets all follow their queues' plans, as a desk's do).

        A hold (a ticket waiting for its preferred agent) must be one the router could have
        made and kept: for an agent at the desk and routable, whose routing profile serves
        the ticket's queue (after any delay) and who serves its channel and requirements;
        and, with *now*, under a strategy chain that pins at all.  Under *changed*,
        a hold the new configuration no longer allows is read as it was; :meth:`route_loaded`
        (which follows such a load) then ends it, or cuts it to the longest hold the new
        configuration makes.

        A waiting ticket's state of 10 fields (written before holds kept the agents they
        passed over, and who handed a ticket off) is read as handed off by no one, its hold
        as having passed over every agent its pinning strategies name before the agent it is
        held for (:meth:`_passed_over`), so that the hold follows the strategy's order from
        then on.

        The queues share one counter from then on, starting at the state's ``sequence``:
        queues built with counters of their own (``TicketQueue("billing")``,
        ``TicketQueue("tech")``) read back too, each keeping its entries' numbers, and each
        queue's later tickets still come after its earlier ones.

        Everything is checked before anything changes (the pool's agents and the queues'
        entries are read into copies first): when it raises (or *profile_from_plain* does),
        the router is as empty as it was.

        Raises:
            ConfigError: Malformed data, an unknown queue, a waiting ticket missing from its
                queue (or the other way round), a relaxation step past its plan, a hold the
                router could not have made (above); with the path.
        """
        if now is not None and (type(now) is not int or not MIN_US <= now <= MAX_US):
            raise ConfigError(f"expected an instant in microseconds, got {show(now)}", "now")
        if self._waiting or len(self.pool):
            raise ConfigError("the router is not empty", path)
        if not isinstance(data, Mapping) or set(data) != {"pool", "queues", "sequence", "waiting"}:
            raise ConfigError("expected {'pool', 'queues', 'sequence', 'waiting'}", path)
        nxt = data["sequence"]
        if type(nxt) is not int or nxt < 0:
            raise ConfigError(f"expected a non-negative int, got {show(nxt)}", f"{path}.sequence")
        queues = data["queues"]
        if not isinstance(queues, Mapping) or (not changed and set(queues) != set(self.queues)):
            raise ConfigError(
                f"expected the queues {show(sorted(self.queues))}, got "
                f"{show(sorted(queues) if isinstance(queues, Mapping) else queues)}",
                f"{path}.queues",
            )
        for name in queues:
            if name in self.queues:
                continue
            entries = queues[name].get("entries") if isinstance(queues[name], Mapping) else None
            if entries != []:
                raise ConfigError(
                    f"queue {show(name)} is not in the config, and tickets wait in it "
                    "(drain it under the old config first)",
                    f"{path}.queues.{name}",
                )
        # A queue the change added starts empty (its own empty state).
        raws = {n: queues[n] if n in queues else q.to_state() for n, q in self.queues.items()}
        # -- checked on copies: the pool's agents, the queues' entries, the routing states --
        profiles: dict[str, AgentProfile] = {}

        def read_profile(raw: object, where: str) -> AgentProfile:
            profiles[where] = profile = profile_from_plain(raw, where)
            return profile

        pool = AgentPool(self.pool.capacity, self.pool.presence)
        pool.load_state(data["pool"], read_profile, self.profiles, f"{path}.pool")
        # (The few signatures the waiting tickets share, each read once for all the reads.)
        signatures: dict[object, Signature] = {}
        copies = {name: TicketQueue(name) for name in self.queues}
        for name, copy in copies.items():
            copy.load_state(
                raws[name],
                tickets,
                itertools.count(nxt),
                f"{path}.queues.{name}",
                signatures=signatures,
            )
        waits = self._read_waits(
            data["waiting"], tickets, copies, pool, path, changed, now, signatures, own_plans
        )
        # -- every part is good: from here on nothing raises (the same data, read again) --
        self.pool.load_state(
            data["pool"], lambda _raw, where: profiles[where], self.profiles, f"{path}.pool"
        )
        seq = itertools.count(nxt)
        for name, q in self.queues.items():
            q.load_state(raws[name], tickets, seq, f"{path}.queues.{name}", signatures=signatures)
        for w in waits:
            self.pool.ref(w.sig)
            self._waiting[w.ticket.id] = w
            if w.pin is not None:
                self._index_pin(w)
            self._timers.arm(w)

    def route_loaded(self, at: Instant) -> list[Assignment]:
        """After :meth:`load_state` under an accepted config change: route what the agents
        with room can take now (a larger capacity, a routing profile serving one more queue,
        a skill requirement relaxed may let them take work that waits).

        First each hold is made one the new configuration could have made by *at*: one
        that ends later than *at* plus the chain's longest hold (a shortened timeout) ends
        then; one the configuration does not allow (no pinning strategy, or an agent who no
        longer serves the ticket's channel, requirements or queue) ends now, the ticket open
        to everyone -- so that the router's state reads back under this configuration.  Then
        each hold moves to an agent its pinning strategy names before the one it is
        held for, if the change lets that agent serve it now (as when the agent comes back,
        :meth:`set_presence`); then every waiting ticket that an agent with room can take
        goes, in service order (queue key), to the best such agent by its strategy chain --
        as :meth:`advance` routes the tickets its timers free.  One pass is enough: an
        agent's room only shrinks meanwhile, so no agent with room is left eligible for a
        ticket still waiting.  O(w log w) for w waiting tickets, plus what is assigned.

        Returns:
            The assignments, in that order.
        """
        at_us = to_instant_us(at)
        records = self.pool.records
        self._fit_holds(at_us)
        for aid in [a for a in self._passed if a in records and records[a].routable]:
            self._holds_move_to(aid, at_us)
        waits = sorted(
            self._waiting.values(), key=lambda w: self.queues[w.queue].get(w.ticket.id).key
        )
        out: list[Assignment] = []
        for w in waits:
            if self._free_group(w, at_us) is not None:
                got = self._route_waiting(w, at_us)
                if got is not None:
                    out.append(got)
        return out

    def _fit_holds(self, at_us: int) -> None:
        """Under an accepted config change (:meth:`route_loaded`), make the holds ones the
        new configuration could have made by *at_us*: a hold it does not allow (no pinning
        strategy, or an agent who no longer serves the ticket's channel, requirements or
        queue) ends; one that ends later than a hold made at *at_us* can is cut to then.  So
        the desk's next snapshot reads back under the new configuration.  O(w) for w waiting
        tickets, plus O(k log k) for the k holds that end."""
        longest = max((pin.hold_us for _, pin in self._chain.pins), default=0)
        latest = min(at_us + longest, MAX_US)
        records = self.pool.records
        ended: dict[str, list[Wait]] = {}
        for w in self._waiting.values():
            if w.pin is None:
                continue
            if longest <= 0 or not hold_kept(w, at_us, records, self._serving):
                ended.setdefault(w.pin, []).append(w)
            elif w.pin_until > latest:
                w.pin_until = latest
                w.version += 1  # the timer armed for the old deadline is stale
                self._timers.arm(w)
        for aid, waits in ended.items():
            self._end_holds(waits, aid, at_us, False)

    def unserved(self, at: Instant) -> tuple[str, str] | None:
        """A waiting ticket that an agent with room could take now, and that agent; ``None``
        when there is none, or when a routing timer is due (:meth:`next_step_us`: what it
        fires may be what keeps the work waiting).

        The router leaves no such ticket after any of its commands (work is conserved), so a
        state :meth:`load_state` read under the config it was written with has none: one
        that does was not written by a router (a skill, a capacity or a presence edited).
        Read from the availability counters: O(w) for w waiting tickets, no agent walked.
        """
        at_us = to_instant_us(at)
        due = self.next_step_us()
        if due is not None and due <= at_us:
            return None
        for tid, w in self._waiting.items():
            g = self._free_group(w, at_us)
            if g is not None:
                top = self.pool.top(self.pool.register(w.sig), g, w.chain)
                assert top is not None  # the counter said somebody is there
                return tid, top[1].id
        return None

    def _free_group(self, w: Wait, at_us: int) -> str | None:
        """A group with an agent who has room for *w* now and serves its queue once *w* has
        waited the slot's delay, or ``None`` (the counters :meth:`_select` reads first)."""
        avail = self.pool.register(w.sig).avail
        waited = w.waited_us(at_us)
        for _, delay, g in self._serving[w.queue]:
            if delay <= waited and avail.get(g):
                return g
        return None

    def _read_waits(
        self,
        waits: object,
        tickets: Mapping[str, Ticket],
        queues: Mapping[str, TicketQueue],
        pool: AgentPool,
        path: str,
        changed: bool = False,
        now: int | None = None,
        signatures: dict[object, Signature] | None = None,
        own_plans: bool = True,
    ) -> list[Wait]:
        """The waiting tickets' routing states of :meth:`to_state` data, checked against the
        *queues* and *pool* read from the same data (changes nothing); with *changed* (see
        :meth:`load_state`) a step past the plan's end is read as its last step, and a hold
        is not checked against the (new) configuration."""
        if not isinstance(waits, list):
            raise ConfigError(f"expected a list, got {show(waits)}", f"{path}.waiting")
        # The latest a hold made by *now* can end: pinned at *now* at the latest, for the
        # longest hold of the chain (restored waits all follow the router's chain).
        longest = max((pin.hold_us for _, pin in self._chain.pins), default=0)
        latest = None if now is None else min(now + longest, MAX_US)
        out: dict[str, Wait] = {}
        for i, raw in enumerate(waits):
            where = f"{path}.waiting[{i}]"
            if not isinstance(raw, list) or len(raw) not in (10, 12):
                raise ConfigError("expected a list of 12 fields (10 in older snapshots)", where)
            tid, qname, plan_q, step, open_sig, pin, pin_until, rule, queued, due = raw[:10]
            ahead, handed_off_by = raw[10:] if len(raw) == 12 else ([], None)
            if not isinstance(qname, str) or qname not in queues:
                raise ConfigError(f"unknown queue {show(qname)}", f"{where}[1]")
            if not isinstance(tid, str) or tid not in queues[qname] or tid in out:
                raise ConfigError(
                    f"ticket {show(tid)} does not wait in queue {show(qname)} (or twice)", where
                )
            plan = None
            if isinstance(plan_q, Mapping):
                if not own_plans:
                    raise ConfigError(
                        "expected the name of the queue whose relaxation plan the ticket "
                        f"follows, got a plan of its own {show(plan_q)}",
                        f"{where}[2]",
                    )
                # The ticket's own plan (see to_state), checked as submit checks one.
                plan = check_plan(plan_from_state(plan_q, f"{where}[2]"), f"{where}[2]", queues)
            elif plan_q is not None:
                plan = self._plans.get(plan_q) if isinstance(plan_q, str) else None
                if plan is None:
                    raise ConfigError(f"no relaxation plan for queue {show(plan_q)}", f"{where}[2]")
            limit = 0 if plan is None else len(plan.steps)
            if type(step) is not int or step < 0:
                raise ConfigError(f"expected a step from 0 to {limit}, got {show(step)}", where)
            if step > limit:
                if plan is None:
                    raise ConfigError(
                        f"ticket {show(tid)} in queue {show(qname)} took {step} relaxation "
                        "steps of no plan; expected 0",
                        f"{where}[3]",
                    )
                if not changed:
                    raise ConfigError(
                        f"ticket {show(tid)} in queue {show(qname)} took {step} relaxation "
                        f"steps of queue {show(plan_q)}'s plan, which has {limit}; expected "
                        f"a step from 0 to {limit}",
                        f"{where}[3]",
                    )
                step = limit  # a plan the accepted change shortened: at its last step
            for value in (pin_until, queued, 0 if due is None else due):
                if type(value) is not int or not MIN_US <= value <= MAX_US:
                    raise ConfigError(f"expected an int, got {show(value)}", where)
            if pin is not None and not isinstance(pin, str):
                raise ConfigError(f"expected an agent id or null, got {show(pin)}", f"{where}[5]")
            if pin is not None and (pin not in pool or not pool.record(pin).routable):
                # A hold ends when its agent leaves or stops being routable: one still
                # standing for such an agent was not written by this router.
                raise ConfigError(
                    f"a hold for agent {show(pin)}, who is "
                    + ("not at the desk" if pin not in pool else "not routable"),
                    f"{where}[5]",
                )
            if pin is not None and not changed:
                # A hold is made for an agent who serves the ticket (pin_if_held) and ends
                # when that stops (hold_kept): its channel, requirements and queue -- at any
                # slot delay, which only the instant of the hold could tell.
                held = pool.record(pin)
                sig = read_signature(open_sig, f"{where}[4]", signatures)
                if latest is not None and longest <= 0:
                    raise ConfigError(
                        f"a hold for agent {show(pin)}, but no strategy of the chain holds "
                        "tickets for an agent",
                        f"{where}[5]",
                    )
                if (
                    held.caps.get(sig.channel, 0) <= 0
                    or not sig.admits(held.profile)
                    or all(g != held.group for _, _, g in self._serving.get(qname, ()))
                ):
                    raise ConfigError(
                        f"a hold for agent {show(pin)}, who does not serve ticket {show(tid)} "
                        f"in queue {show(qname)} (its channel, requirements or queue)",
                        f"{where}[5]",
                    )
                if now is not None and latest is not None and pin_until > latest:
                    raise ConfigError(
                        f"a hold until {utc(pin_until).isoformat()}, later than a hold made "
                        f"by {utc(now).isoformat()} can end ({utc(latest).isoformat()})",
                        f"{where}[6]",
                    )
            if rule is not None:
                check_name("rule", rule)
            if (
                not isinstance(ahead, list)
                or not all(isinstance(a, str) and a for a in ahead)
                or len(set(ahead)) != len(ahead)
                or (ahead and (pin is None or pin in ahead))
            ):
                raise ConfigError(
                    "expected the distinct agent ids a hold passed over (none without a hold, "
                    f"never its own agent), got {show(ahead)}",
                    f"{where}[10]",
                )
            if handed_off_by is not None and not (isinstance(handed_off_by, str) and handed_off_by):
                raise ConfigError(
                    f"expected an agent id or null, got {show(handed_off_by)}", f"{where}[11]"
                )
            if pin is None or changed:
                sig = read_signature(open_sig, f"{where}[4]", signatures)
            if sig.agent is not None:
                # The ticket's own requirements: a hold is the pin beside them, never in them
                # (one there would outlive the hold, and the ticket wait for that agent alone).
                raise ConfigError(
                    f"expected the requirements of ticket {show(tid)} without an agent, got "
                    f"one reserved for agent {show(sig.agent)}",
                    f"{where}[4]",
                )
            w = Wait(tickets[tid], qname, sig, plan, self._chain, rule, queued, due)
            w.step = step
            w.pin = pin
            w.pin_until = pin_until
            w.ahead = tuple(ahead) if len(raw) == 12 else self._passed_over(w)
            w.handed_off_by = handed_off_by
            w.sig = sig.pinned(pin)
            if queues[qname].get(tid).signature != w.sig:
                raise ConfigError(
                    f"ticket {show(tid)} waits under {queues[qname].get(tid).signature} in "
                    f"its queue but {w.sig} here",
                    where,
                )
            out[tid] = w
        for name, q in queues.items():
            missing = [e.ticket_id for e in q if e.ticket_id not in out]
            if missing:
                raise ConfigError(
                    f"tickets {show(missing)} wait in queue {show(name)} without a routing state",
                    f"{path}.waiting",
                )
        return list(out.values())

    # -- internals -------------------------------------------------------------------------

    def _queue_name(self, queue: str | None) -> str:
        if queue is None:
            return next(iter(self.queues))
        if not isinstance(queue, str) or queue not in self.queues:
            raise ConfigError(
                f"queue must be one of {show(sorted(self.queues))}, got {show(queue)}"
            )
        return queue

    def _group_name(self, name: str | None) -> str:
        if name is None:
            if len(self.profiles) == 1:
                return next(iter(self.profiles))
            raise ConfigError(
                f"routing_profile is required with several profiles {show(sorted(self.profiles))}"
            )
        if not isinstance(name, str) or name not in self.profiles:
            raise ConfigError(
                f"routing_profile must be one of {show(sorted(self.profiles))}, got {show(name)}"
            )
        return name

    def _wait(self, ticket_id: str) -> Wait:
        w = self._waiting.get(ticket_id) if isinstance(ticket_id, str) else None
        if w is None:
            raise UnknownTicketError(f"ticket {show(ticket_id)} is not waiting")
        return w

    def _eligible(self, ag: AgentRecord, sig: Signature) -> bool:
        return (
            ag.caps.get(sig.channel, 0) > 0
            and sig.admits(ag.profile)
            and sig.channel in ag.takeable
        )

    def _select(
        self, w: Wait, at_us: int, ctx: SelectionContext | None
    ) -> tuple[AgentRecord, RoutingReason] | None:
        pool = self.pool
        st = pool.register(w.sig)
        chain = w.chain
        waited = at_us - w.queued_at_us
        if waited < 0:  # an instant before the ticket joined the line: not waited yet
            waited = 0
        elif at_us >= MAX_US:  # the last instant: every delay has passed (``waited_us``)
            waited = WAITED_AT_THE_END
        best: tuple[int, tuple[int, ...], int, AgentRecord] | None = None
        count = 0
        for prio, delay, g in self._serving[w.queue]:
            if delay > waited:
                continue
            count += st.avail.get(g, 0)
            top = pool.top(st, g, chain)
            if top is not None:
                cand = (prio, top[0], top[1].order, top[1])
                if best is None or cand[:3] < best[:3]:
                    best = cand
        if ctx is not None and chain.pins and w.sig.agent is None:
            for prefix_len, pin in chain.pins:
                # The named agents in turn: a preferred agent who cannot take the ticket now
                # (offline, busy, gone) leaves it to the customer's last agent.
                for aid in pin_candidates(pin, ctx):
                    ag = pool.records.get(aid)
                    if ag is None or ag.id not in st.members.get(ag.group, {}):
                        continue
                    if w.sig.channel not in ag.takeable:
                        continue
                    pin_prio = serves(self._serving, ag.group, w.queue, waited)
                    if pin_prio is None:
                        continue
                    mine = (pin_prio, chain.key(ag, w.sig)[:prefix_len])
                    if best is None or mine <= (best[0], best[1][:prefix_len]):
                        reason = RoutingReason(
                            "preferred", chain.names, count, w.rule, w.queue, w.sig, w.step
                        )
                        return ag, reason
        if best is None:
            return None
        how = "preferred" if w.sig.agent is not None else "ticket"
        known = self._reasons.get((how, chain.names, count, w.rule, w.queue, w.sig, w.step))
        if known is None:
            known = self._reason(how, chain.names, count, w.rule, w.queue, w.sig, w.step)
        return best[3], known

    def _give(
        self,
        ag: AgentRecord,
        w: Wait,
        entry: QueuedTicket | None,
        reason: RoutingReason,
        at_us: int,
        *,
        already_dropped: bool = False,
    ) -> Assignment:
        tid = w.ticket.id
        if not already_dropped and tid in self._waiting:
            entry = self.queues[w.queue].remove(tid)
            self._drop(w)
        self.pool.assign_unchecked(ag, tid, w.sig.channel, at_us)
        callback = entry.callback if entry is not None else False
        return new_assignment(tid, ag.id, at_us, reason, callback, entry)

    def _drop(self, w: Wait) -> None:
        del self._waiting[w.ticket.id]
        if w.pin is not None:
            self._unpin_index(w, w.pin)
        self.pool.unref(w.sig)
        w.version += 1  # its timers are stale now

    def _index_pin(self, w: Wait) -> None:
        """Index the pinned *w* under the agent it is held for and the agents it passed over."""
        tid = w.ticket.id
        assert w.pin is not None
        self._pinned.setdefault(w.pin, {})[tid] = None
        for aid in w.ahead:
            self._passed.setdefault(aid, {})[tid] = None

    def _unpin_index(self, w: Wait, agent_id: str) -> None:
        """*w* no longer waits pinned to *agent_id* (routed, removed, released, moved): out
        of that agent's index and of the passed-over agents' (``w.ahead`` is emptied)."""
        tid = w.ticket.id
        pinned = self._pinned.get(agent_id)
        if pinned is not None:
            pinned.pop(tid, None)
            if not pinned:
                del self._pinned[agent_id]
        if w.ahead:
            self._unpass(w)

    def _unpass(self, w: Wait) -> None:
        """*w* leaves the index of the agents its hold passed over; ``w.ahead`` is emptied."""
        tid = w.ticket.id
        passed = self._passed
        for aid in w.ahead:
            mine = passed.get(aid)
            if mine is not None:
                mine.pop(tid, None)
                if not mine:
                    del passed[aid]
        w.ahead = ()

    def _passed_over(self, w: Wait) -> tuple[str, ...]:
        """For a hold read from an older snapshot, which did not say whom it passed over: the
        agents *w*'s pinning strategies name before the agent it is held for (that agent as
        the customer's recent last agent), in order; none when they do not name that agent."""
        if w.pin is None:
            return ()
        ctx = SelectionContext(w.ticket, w.queue, w.queued_at_us, w.pin, w.queued_at_us)
        out: list[str] = []
        for _, pin in w.chain.pins:
            if pin.hold_us <= 0:
                continue
            for aid in pin_candidates(pin, ctx):
                if aid == w.pin:
                    return tuple(out)
                if aid not in out:
                    out.append(aid)
        return ()

    def _holds_move_to(self, agent_id: str, at_us: int) -> None:
        """*agent_id* may be waited for now: each ticket held for another agent that it comes
        before (in service order) is held for the first of its passed-over agents that can be
        waited for now (:func:`~csflow.routing.waiting.hold_moves_to`)."""
        passed = self._passed.get(agent_id)
        if not passed:
            return
        waits = sorted(
            (self._waiting[tid] for tid in passed),
            key=lambda w: self.queues[w.queue].get(w.ticket.id).key,
        )
        for w in waits:
            self._move_hold(w, at_us)

    def _move_hold(self, w: Wait, at_us: int) -> None:
        """Move *w*'s hold to the first agent it passed over that can be waited for now, if
        any; the hold keeps its deadline (and so its timer)."""
        i = hold_moves_to(w, at_us, self.pool.records, self._serving)
        if i is None:
            return
        old = w.pin
        assert old is not None
        ahead = w.ahead
        self._unpin_index(w, old)
        w.pin = ahead[i]
        w.ahead = ahead[:i]
        self._index_pin(w)
        self._move(w, w.open_sig.pinned(w.pin), w.queue, at_us)

    def _release_pins(self, agent_id: str, at_us: int, route: bool) -> list[RoutingChange]:
        """End the holds for *agent_id*: each ticket pinned to it, in service order, is open
        to everyone (:class:`PinReleased`) and, when *route*, routed."""
        pinned = self._pinned.pop(agent_id, None)
        if not pinned:
            return []
        return self._end_holds([self._waiting[tid] for tid in pinned], agent_id, at_us, route)

    def _end_holds(
        self, waits: list[Wait], agent_id: str, at_us: int, route: bool
    ) -> list[RoutingChange]:
        """End the holds of *waits* (tickets held for *agent_id*), in service order: each is
        open to everyone (:class:`PinReleased`) and, when *route*, routed."""
        waits.sort(key=lambda w: self.queues[w.queue].get(w.ticket.id).key)
        out: list[RoutingChange] = []
        for w in waits:
            out.append(PinReleased(w.ticket.id, at_us, agent_id))
            self._unpin_index(w, agent_id)
            w.pin = None
            self._move(w, w.open_sig, w.queue, at_us)
            w.version += 1  # the pin's timer is stale now
            self._timers.arm(w)
            if route:
                got = self._route_waiting(w, at_us)
                if got is not None:
                    out.append(got)
        return out

    def _move(self, w: Wait, sig: Signature, queue: str, at_us: int) -> None:
        old_sig, old_queue = w.sig, w.queue
        if sig == old_sig and queue == old_queue:
            return
        self.pool.ref(sig)
        if queue != old_queue:
            entry = self.queues[old_queue].remove(w.ticket.id)
            key = self._overflow_key(w, entry, old_queue, queue)
            self.queues[queue].insert(attrs.evolve(entry, signature=sig, key=key))
            w.queue = queue
        else:
            self.queues[queue].move(w.ticket.id, sig, at=at_us)
        w.sig = sig
        self.pool.unref(old_sig)

    def _key_policies(self) -> dict[str, object]:
        """Queue name -> its key policy (what :func:`check_overflow_keys` reads)."""
        return {name: q.key_policy for name, q in self.queues.items()}

    def _overflow_key(
        self, w: Wait, entry: QueuedTicket, old_queue: str, queue: str
    ) -> tuple[int, int, int]:
        """The key *w* (waiting as *entry* in *old_queue*) takes in *queue* when an overflow
        moves it there: the target's key policy asked as of when the ticket joined the line,
        with its due instant, and its sequence number kept -- so it keeps its place in line
        (the same key when both queues order alike) and is ordered as the target orders its
        own tickets.  A host's key policy is not asked here (it might refuse the ticket while
        time passes): the ticket keeps its key then, as it does when the target's deadline
        key could not order it (the router refuses such plans, :func:`check_overflow_keys`)."""
        policy = self.queues[queue].key_policy
        if policy == self.queues[old_queue].key_policy:
            return entry.key
        if type(policy) is AgingKey or (
            type(policy) is DeadlineKey and (w.due_us is not None or policy.fallback is not None)
        ):
            band, due = policy(make_key_context(w.ticket, entry.queued_at_us, w.due_us))
            return band, due, entry.key[2]
        return entry.key

    def _fire(self, due: list[Wait], due_us: int, at_us: int, out: list[RoutingChange]) -> None:
        """The tickets *due* (their timers fell due at *due_us*) change as of that instant,
        then are routed in service order, as of that instant too (stamped *at_us*): the
        steps and delays of later instants wait for their own turn.  O(k log n) for k
        tickets."""
        fired: list[tuple[tuple[int, int, int], Wait, list[RoutingChange]]] = []
        for w in due:
            pin = w.pin
            changes, queue = due_changes(w, due_us, at_us)
            if pin is not None and w.pin is None:
                self._unpin_index(w, pin)
            target = w.open_sig if w.pin is None else w.open_sig.pinned(w.pin)
            self._move(w, target, queue, at_us)
            if w.ahead:
                # A relaxation step or an overflow may let an agent the hold passed over serve it.
                self._move_hold(w, due_us)
            held = w.pin
            if held is not None and not hold_kept(w, due_us, self.pool.records, self._serving):
                # An overflow moved it to a queue its agent does not serve (now): the hold
                # ends, or the ticket would wait for an agent who can never take it there.
                changes.append(PinReleased(w.ticket.id, at_us, held))
                self._unpin_index(w, held)
                w.pin = None
                self._move(w, w.open_sig, w.queue, at_us)
            w.version += 1
            self._timers.arm(w)
            fired.append((self.queues[w.queue].get(w.ticket.id).key, w, changes))
        if len(fired) > 1:
            fired.sort(key=lambda f: f[0])  # keys are unique (their last part is a sequence)
        for _, w, changes in fired:
            out.extend(changes)
            got = self._route_waiting(w, at_us, due_us)
            if got is not None:
                out.append(got)

    def _route_waiting(self, w: Wait, at_us: int, as_of_us: int | None = None) -> Assignment | None:
        """Route the waiting *w* to the best agent that may take it now, stamped *at_us*;
        the routing profiles' delays it has waited are counted at *as_of_us* (*at_us* when
        ``None``): :meth:`advance` routes a ticket as of the instant its timer fell due."""
        found = self._select(w, at_us if as_of_us is None else as_of_us, None)
        if found is None:
            return None
        ag, reason = found
        entry = self.queues[w.queue].remove(w.ticket.id)
        self._drop(w)
        return self._give(ag, w, entry, reason, at_us, already_dropped=True)

    def _pull(self, ag: AgentRecord, at_us: int) -> list[Assignment]:
        """Fill *ag*'s spare capacity with the best waiting tickets it may take."""
        out: list[Assignment] = []
        records = self.pool.records
        while ag.takeable and ag.routable and ag.id in records:
            found = self._best_head(ag, ag.takeable, at_us)
            if found is None:
                break
            out.append(self._take(ag, *found[:3], at_us))
        return out

    def _best_head(
        self, ag: AgentRecord, takeable: frozenset[str], at_us: int
    ) -> tuple[QueuedTicket, str, int, bool] | None:
        """The best waiting ticket *ag* may take on the channels *takeable*: its entry, its
        queue, how many group heads were compared and whether they were on more than one
        channel; ``None`` when there is none."""
        best: QueuedTicket | None = None
        best_q = ""
        heads = 0
        seen = ""  # the channel of the heads seen, while they share one
        mixed = False
        sigs_by_channel = ag.sigs
        only = self._only_queue[ag.group]
        if only is not None:
            # One queue, no delay (the plain set-up): the loop below without its levels.
            q, qname = only
            waiting_on = q.channel_groups
            for c, sigs in sigs_by_channel.items():
                if sigs and c in takeable and waiting_on.get(c):
                    e = q.head_of(sigs)
                    if e is not None:
                        heads += 1
                        if best is None:
                            best, seen = e, c
                        else:
                            mixed = mixed or c != seen
                            if e.key < best.key:
                                best = e
            return None if best is None else (best, qname, heads, mixed)
        for level in self._pull_levels[ag.group]:
            for c, sigs in sigs_by_channel.items():
                if not sigs or c not in takeable:
                    continue
                for q, qname, delay in level:
                    if not q.channel_groups.get(c):
                        continue  # nothing waits on this channel in this queue
                    e = (
                        q.head_of(sigs)
                        if delay == 0
                        else q.peek(sigs.keys(), waited=delay, at=at_us)
                    )
                    if e is not None:
                        heads += 1
                        if best is None:
                            best, best_q, seen = e, qname, c
                        else:
                            mixed = mixed or c != seen
                            if e.key < best.key:
                                best, best_q = e, qname
            if best is not None:
                return best, best_q, heads, mixed
        return None

    def _take(
        self, ag: AgentRecord, best: QueuedTicket, qname: str, heads: int, at_us: int
    ) -> Assignment:
        """*ag* takes *best*, found by :meth:`_best_head`."""
        # ``remove``, ``_drop`` and ``_give`` inlined: this is the agent-frees-up path.
        tid = best.ticket_id
        w = self._waiting.pop(tid)
        if w.pin is not None:
            self._unpin_index(w, w.pin)
        self.queues[qname].take(best)
        sig = w.sig
        w.version += 1  # its timers are stale now
        pool = self.pool
        pool.unref(sig)
        pool.assign_unchecked(ag, tid, sig.channel, at_us)
        reason = self._reason("agent", _QUEUE_ORDER, heads, w.rule, qname, sig, w.step)
        return new_assignment(tid, ag.id, at_us, reason, best.callback, best)

    def _reason(
        self,
        how: str,
        strategies: tuple[str, ...],
        candidates: int,
        rule: str | None,
        queue: str,
        sig: Signature,
        step: int,
    ) -> RoutingReason:
        """The reason of these values: made once and shared, as a frozen value may be (the
        same few reasons repeat from one decision to the next)."""
        key = (how, strategies, candidates, rule, queue, sig, step)
        reason = self._reasons.get(key)
        if reason is None:
            if len(self._reasons) >= 4096:  # a bound, not an LRU: reasons are few in practice
                self._reasons.clear()
            reason = self._reasons[key] = new_reason(*key)
        return reason
