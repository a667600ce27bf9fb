# Why this file is over 800 lines: its state-snapshot pair (``to_state`` / ``load_state``, at
# the end of the public methods) reads and rebuilds the class's private internals, so it sits
# with them -- a change of those internals then changes their plain form in the same file.
"""The agent pool: agents, their presence and load, and the indexes that make eligibility and
agent selection cheap.

Theory of operation
-------------------
Two questions are asked over and over, and neither may cost a pass over all agents or all
waiting tickets: *a ticket arrives (or its requirements relax): which available agent takes
it?* (answered here) and *an agent frees up: which waiting ticket does it take?* (answered
by the router, :mod:`csflow.routing.router`, from the memberships kept here).

**Signatures and memberships.**  A ticket's requirements -- channel, language, skills with a
minimum proficiency, maybe one pinned agent -- form a :class:`~csflow.queues.Signature`.  The
first time the pool sees a signature it computes, once, which agents meet it statically
(skills, language, channel served), starting from the smallest of the skill -> agents,
language -> agents and channel -> agents indexes.  That membership is the cached
eligibility of every (agent, signature) pair; it changes only when an agent joins, leaves or
changes profile.  The dynamic part -- presence is routable, spare capacity on the channel --
is checked in O(1) per agent.

**A signature lives while it is used.**  A signature is kept while a waiting ticket waits under
it (:meth:`AgentPool.ref`, :meth:`AgentPool.unref` count them).  One no ticket waits under is
*idle*: it stays, most recently used last, so that tickets of the same requirements that are
assigned at once (the usual case) do not compute its members each time, but at most
``_IDLE_SIGNATURES`` of them are kept and the oldest goes first (a pinned one goes at once:
its agent's next ticket has another).  So the signatures kept, and everything that walks
them -- an agent joining, a presence change, a release -- are bounded by the live work plus
a constant, however many distinct requirements tickets long gone had.  A signature dropped
and seen again is computed afresh, with the same members, counters and heap tops: no
decision changes.

**More requirements in rotation than that.**  Computing a signature costs a pass over the
smallest of its indexes -- every agent, when every agent meets it -- so a rotation of more
signatures than the bound, dropped oldest-first, would pay that pass on every ticket.  The
pool remembers the signatures it dropped lately by name (*ghosts*, as many as it keeps idle);
one that comes back and cost a pass over at least ``_COSTLY_SCAN`` agents grows the idle
bound by a sixteenth, so the rotation soon fits.  The growth stops at a memory budget of
``_IDLE_MEMBERS`` memberships (the idle bound times the number of agents), never below
``_IDLE_SIGNATURES``: a large pool keeps the fixed bound, and pays the pass again.

**Which agent takes a ticket** is answered, per signature and per agent group (routing
profile) and strategy chain, by a heap of available members ordered by the chain's key
(longest idle, round robin, ...).  The heap is maintained lazily:

* an entry ``(key, order, stamp, agent)`` is *stale* when the agent's stamp moved on, or the
  agent cannot take the channel now; stale entries are dropped when they reach the top;
* whenever an agent's key may have gone *down* (a ticket released, presence set routable,
  profile changed) its stamp is bumped and a fresh entry is pushed into the heaps of its
  signatures -- O(k log n) for k signatures;
* when a key can only go *up* -- assigning a ticket, for every built-in strategy (the
  ``monotone`` flag) -- nothing is pushed: the stored key is a lower bound, and an entry whose
  stored key is below the agent's true key is re-keyed when it reaches the top.  Because every
  stored key is a lower bound of its agent's true key, the first top whose stored key equals
  its true key is the true minimum.

So a decision costs O(log n) heap work plus the stale entries it meets (each pushed once),
whatever the number of agents.  Heaps holding more than twice their members (plus a little)
are rebuilt, so memory stays proportional to memberships.

**Constant factors.**  The channels an agent can take now are kept on the agent
(``takeable``) and recomputed once per change of its state, so every eligibility check is a
set lookup.  An agent that finishes a ticket usually takes the next one at once
(:meth:`csflow.routing.router.Router.release`): the pool then *holds back* its bookkeeping
for the exchange and publishes it once at the end -- one change of the availability counters
instead of two, and heap entries pushed only where the invariant could have broken (a channel
that became takeable, or a chain whose key went down), without bumping the stamp.  The
invariant: while an agent can take channel *c*, every heap of its *c* signatures holds an
entry of it with its current stamp and a key at most its true key.

The router's surface
--------------------
Besides the checked commands (:meth:`AgentPool.add`, :meth:`AgentPool.assign`, ...), the pool
offers the router a small unchecked surface on its records (:meth:`AgentPool.record`,
:meth:`AgentPool.register`, :meth:`AgentPool.top`, :meth:`AgentPool.assign_unchecked`,
:meth:`AgentPool.release_unchecked`, :meth:`AgentPool.hold_back`, :meth:`AgentPool.settle`,
:meth:`AgentPool.takeable_if_released`, :meth:`AgentPool.swap_unchecked`, ...).  Those methods
trust their arguments: a caller validates first, as the router does.

**The usual exchange.**  Most often an agent that frees up takes a ticket on the channel it
just freed.  The router then looks for that ticket *before* the release, with the channels
the release would leave the agent (:meth:`AgentPool.takeable_if_released`), and swaps the two
tickets (:meth:`AgentPool.swap_unchecked`): counts, load and takeable channels end as they
were, so no counter moves and, for the built-in signature-free chains, no heap entry is
pushed.
"""

from __future__ import annotations

import heapq
import itertools
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

from csflow._counters import peek_count
from csflow._text import show
from csflow._time import MAX_US, MIN_US, to_instant_us, utc
from csflow.errors import (
    CapacityExceededError,
    ConfigError,
    DuplicateAgentError,
    DuplicateTicketError,
    UnknownAgentError,
    UnknownTicketError,
)
from csflow.model import AgentProfile, Channel
from csflow.queues import Instant, Signature
from csflow.routing._checks import check_name, check_ticket_id, group_list
from csflow.routing.agents import (
    NO_CHANNELS,
    AgentRecord,
    AgentStatus,
    HeapEntry,
    SignatureState,
)
from csflow.routing.capacity import CapacityRules, PresenceStates
from csflow.routing.strategies import Chain, LongestIdle, Strategy, strategy_tuple

__all__ = ["AgentPool"]

_SLACK = 16

#: How many idle signatures (no ticket waits under them) the pool keeps; the oldest goes
#: first.  A bound, so that memory and the walks over an agent's signatures follow the live
#: work (see the theory of operation).
_IDLE_SIGNATURES = 256

#: The memory budget of the idle signatures beyond ``_IDLE_SIGNATURES``, in memberships
#: (idle signatures x agents, each signature counted as if every agent met it): the idle
#: bound grows past ``_IDLE_SIGNATURES`` only while it stays within this.
_IDLE_MEMBERS = 1 << 20

#: A signature computed afresh that scanned at least this many agents is costly: when it had
#: been dropped recently (a *ghost*), the idle bound grows by a sixteenth (see the theory of
#: operation).
_COSTLY_SCAN = 64

#: Any signature, to ask a signature-free chain (``Chain.sig_free``) for an agent's key.
_PROBE = Signature("chat")

#: No chain: what :meth:`AgentPool.settle` reads when no key went down (never changed).
_NO_CHAINS: frozenset[Chain] = frozenset()


class AgentPool:
    """Agents, their presence and load, and the indexes that make eligibility cheap.

    Args:
        capacity: How channels share an agent's capacity.
        presence: The declared presence states.

    Every method that raises has changed nothing.

    Attributes:
        records: Agent id -> its record (read-only; for the router).
        holders: Ticket id -> the record of the agent holding it (read-only; for the router).
    """

    def __init__(
        self, capacity: CapacityRules | None = None, presence: PresenceStates | None = None
    ) -> None:
        self.capacity = CapacityRules() if capacity is None else capacity
        self.presence = PresenceStates() if presence is None else presence
        if not isinstance(self.capacity, CapacityRules):
            raise ConfigError(f"capacity must be CapacityRules, got {show(self.capacity)}")
        if not isinstance(self.presence, PresenceStates):
            raise ConfigError(f"presence must be PresenceStates, got {show(self.presence)}")
        self._weights = dict(self.capacity.weights)
        self._exclusive = self.capacity.exclusive
        self._budget = self.capacity.budget
        self._agents: dict[str, AgentRecord] = {}
        self._holder: dict[str, AgentRecord] = {}  # ticket id -> agent holding it
        # Read-only views of the two dicts for the router's hot paths (no call per lookup).
        self.records: Mapping[str, AgentRecord] = self._agents
        self.holders: Mapping[str, AgentRecord] = self._holder
        self._order = itertools.count()
        self._turns = itertools.count()
        self._by_channel: dict[str, dict[str, AgentRecord]] = {}
        self._by_skill: dict[str, dict[str, AgentRecord]] = {}
        self._by_language: dict[str, dict[str, AgentRecord]] = {}
        self._spare_index: dict[str, dict[str, AgentRecord]] = {}
        self._sigs: dict[Signature, SignatureState] = {}
        self._sigs_by_channel: dict[str, dict[Signature, SignatureState]] = {}
        # The registered signatures no ticket waits under, least recently used first.
        self._idle: OrderedDict[Signature, SignatureState] = OrderedDict()
        # How many idle signatures are kept beyond ``_IDLE_SIGNATURES``: grown by the costly
        # ghosts (the signatures dropped lately, least recently dropped first, kept by name).
        self._idle_extra = 0
        self._ghosts: OrderedDict[Signature, None] = OrderedDict()
        self._chains: dict[tuple[Strategy, ...], Chain] = {}
        self._non_monotone = False  # some chain re-keys agents after every assignment
        self._held_back: AgentRecord | None = None  # see hold_back
        self._held_takeable: frozenset[str] = NO_CHANNELS
        self._held_keys: list[tuple[int, ...]] = []
        self._sig_free: list[Chain] = []  # the chains whose keys ignore the signature

    # -- reading ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._agents)

    def __contains__(self, agent_id: object) -> bool:
        return isinstance(agent_id, str) and agent_id in self._agents

    def __iter__(self) -> Iterator[str]:
        return iter(self._agents)

    def status(self, agent_id: str) -> AgentStatus:
        """A snapshot of *agent_id*'s routing state.

        Raises:
            UnknownAgentError: No such agent.
        """
        ag = self.record(agent_id)
        return AgentStatus(
            ag.id,
            ag.group,
            ag.presence,
            ag.routable,
            ag.load,
            dict(ag.counts),
            tuple(ag.held),
            utc(ag.idle_since_us),
            ag.profile,
        )

    def holder(self, ticket_id: str) -> str | None:
        """The agent holding *ticket_id*, or ``None``."""
        ag = self._holder.get(ticket_id)
        return None if ag is None else ag.id

    def can_take(self, agent_id: str, channel: Channel | str) -> bool:
        """Whether *agent_id* is routable and has room for one more ticket of *channel*.

        Raises:
            UnknownAgentError: No such agent.
        """
        return self._can(self.record(agent_id), Channel.parse(channel).name)

    def spare(self, agent_id: str, channel: Channel | str) -> int:
        """How many more tickets of *channel* *agent_id* could take now.

        Raises:
            UnknownAgentError: No such agent.
        """
        return self.spare_of(self.record(agent_id), Channel.parse(channel).name)

    def is_eligible(self, agent_id: str, signature: Signature) -> bool:
        """Whether *agent_id* meets *signature* and can take its channel now.

        Raises:
            UnknownAgentError: No such agent.
        """
        ag = self.record(agent_id)
        st = self.register(signature)
        return ag.id in st.members.get(ag.group, {}) and self._can(ag, signature.channel)

    def candidates(self, signature: Signature, *, groups: Iterable[str] | None = None) -> list[str]:
        """Agents eligible for *signature* now, in the order they joined (O(members))."""
        st = self.register(signature)
        wanted = None if groups is None else set(group_list(groups))
        c = signature.channel
        found = [
            ag
            for g, members in st.members.items()
            if wanted is None or g in wanted
            for ag in members.values()
            if self._can(ag, c)
        ]
        return [ag.id for ag in sorted(found, key=lambda a: a.order)]

    def count_candidates(self, signature: Signature, *, groups: Iterable[str] | None = None) -> int:
        """How many agents are eligible for *signature* now (O(groups), from counters)."""
        st = self.register(signature)
        if groups is None:
            return sum(st.avail.values())
        return sum(st.avail.get(g, 0) for g in group_list(groups))

    def with_spare(self, channel: Channel | str) -> list[str]:
        """Agents that can take one more ticket of *channel* now (the channel index)."""
        return list(self._spare_index.get(Channel.parse(channel).name, {}))

    def best(
        self,
        signature: Signature,
        strategies: Sequence[Strategy] = (LongestIdle(),),
        *,
        groups: Iterable[str] | None = None,
    ) -> str | None:
        """The best eligible agent for *signature* under the ranking *strategies*, or ``None``.

        Pinning strategies in the chain are ignored here (they need a ticket); use
        :class:`Router` for those.
        """
        chain = self.chain(strategies)
        st = self.register(signature)
        best: tuple[tuple[int, ...], int, AgentRecord] | None = None
        for g in list(st.members) if groups is None else group_list(groups):
            top = self.top(st, g, chain)
            if top is not None and (best is None or (top[0], top[1].order) < best[:2]):
                best = (top[0], top[1].order, top[1])
        return None if best is None else best[2].id

    # -- changing --------------------------------------------------------------------------

    def add(
        self,
        profile: AgentProfile,
        *,
        at: Instant,
        presence: str = "offline",
        group: str = "default",
    ) -> AgentStatus:
        """Add an agent.

        Args:
            profile: Its profile.
            at: When it joins (its idle time starts then).
            presence: Its initial presence state.
            group: Its routing profile (agent group).

        Raises:
            DuplicateAgentError: An agent of this id is in the pool already.
            ConfigError: Not a profile, an unknown presence state or a bad group.
        """
        if not isinstance(profile, AgentProfile):
            raise ConfigError(f"profile must be an AgentProfile, got {show(profile)}")
        if profile.id in self._agents:
            raise DuplicateAgentError(f"agent {show(profile.id)} is already in the pool")
        routable = self.presence.routable(presence)
        check_name("group", group)
        at_us = to_instant_us(at)
        ag = AgentRecord(self, next(self._order), profile, group, at_us)
        ag.presence = presence
        ag.routable = routable
        self._agents[ag.id] = ag
        self._index(ag)
        ag.takeable = self._takeable(ag)
        self._join_all(ag)  # counts the agent as available where it can take work
        self._index_spare(ag, NO_CHANNELS, ag.takeable)
        return self.status(ag.id)

    def update(
        self, profile: AgentProfile, *, at: Instant, group: str | None = None
    ) -> AgentStatus:
        """Replace an agent's profile (skills, languages, capacity) and maybe its group; its
        load, presence, ``idle_since`` and joining order are kept.

        Args:
            profile: The new profile; its ``id`` names the agent.
            at: Now.
            group: Its new group (``None``: it stays in its own).

        Raises:
            UnknownAgentError: No such agent.
            ConfigError: The new capacity is below what the agent holds now; a malformed
                group name.
            CalendarError: A naive *at*.
        """
        ag = self.check_update(profile, group=group)
        to_instant_us(at)
        self._flip(ag, NO_CHANNELS)
        self._leave_all(ag)  # new stamp: old heap entries are stale
        self._unindex(ag)
        ag.profile = profile
        if group is not None:
            ag.group = group
        self._index(ag)
        ag.takeable = self._takeable(ag)
        self._join_all(ag)  # fresh entries and availability for the new memberships
        self._index_spare(ag, NO_CHANNELS, ag.takeable)
        return self.status(ag.id)

    def check_update(self, profile: AgentProfile, *, group: str | None = None) -> AgentRecord:
        """Check that :meth:`update` would accept *profile* (and *group*); changes nothing.

        A caller that must refuse a bad update before it changes anything of its own (the
        desk) asks this first.

        Returns:
            The agent's record.

        Raises:
            UnknownAgentError: No such agent.
            ConfigError: Not a profile; a capacity on a channel below the tickets of that
                channel the agent holds now (limits applied, as :meth:`update` applies them);
                a malformed group name.
        """
        if not isinstance(profile, AgentProfile):
            raise ConfigError(f"profile must be an AgentProfile, got {show(profile)}")
        ag = self.record(profile.id)
        if group is not None:
            check_name("group", group)
        caps = self._caps(profile)
        for channel, n in ag.counts.items():
            if n > caps.get(channel, 0):
                raise ConfigError(
                    f"agent {show(ag.id)} holds {n} {show(channel)} tickets but the new profile "
                    f"allows {caps.get(channel, 0)}; expected a capacity of at least {n} on "
                    f"{show(channel)} until some of those end"
                )
        return ag

    def remove(self, agent_id: str, *, at: Instant) -> tuple[str, ...]:
        """Remove an agent; returns the ticket ids it still held (now held by nobody).

        Raises:
            UnknownAgentError: No such agent.
        """
        ag = self.record(agent_id)
        to_instant_us(at)
        return self._drop_agent(ag)

    def set_presence(self, agent_id: str, state: str, *, at: Instant) -> AgentStatus:
        """Set an agent's presence.

        Raises:
            UnknownAgentError: No such agent.
            ConfigError: An undeclared state.
        """
        ag = self.record(agent_id)
        routable = self.presence.routable(state)
        at_us = to_instant_us(at)
        was = ag.routable
        ag.presence = state
        ag.routable = routable
        if routable and not was and ag.n_held == 0:
            ag.idle_since_us = at_us
        self._flip(ag, self._takeable(ag))
        if routable and not was:
            self._refresh_heaps(ag)
        return self.status(ag.id)

    def assign(self, agent_id: str, ticket_id: str, channel: Channel | str, *, at: Instant) -> None:
        """Record that *agent_id* now holds *ticket_id* on *channel*.

        Raises:
            UnknownAgentError: No such agent.
            DuplicateTicketError: Somebody already holds the ticket.
            CapacityExceededError: The agent is not routable or has no room for the channel.
        """
        ag = self.record(agent_id)
        check_ticket_id(ticket_id)
        c = Channel.parse(channel).name
        if ticket_id in self._holder:
            raise DuplicateTicketError(
                f"ticket {show(ticket_id)} is already held by agent "
                f"{show(self._holder[ticket_id].id)}"
            )
        at_us = to_instant_us(at)
        if not self._can(ag, c):
            raise CapacityExceededError(
                f"agent {agent_id!r} cannot take a {c!r} ticket now (presence {ag.presence!r}, "
                f"holding {dict(ag.counts)!r})"
            )
        self.assign_unchecked(ag, ticket_id, c, at_us)

    def release(self, agent_id: str, ticket_id: str, *, at: Instant) -> None:
        """Record that *agent_id* no longer holds *ticket_id* (solved, transferred, pending).

        Raises:
            UnknownAgentError: No such agent.
            UnknownTicketError: The agent does not hold the ticket.
        """
        ag = self.record(agent_id)
        if not isinstance(ticket_id, str) or ticket_id not in ag.held:
            raise UnknownTicketError(
                f"agent {show(agent_id)} does not hold ticket {show(ticket_id)}"
            )
        self.release_unchecked(ag, ticket_id, to_instant_us(at))

    # -- state snapshots -------------------------------------------------------------------

    def to_state(self, profile_to_plain: Callable[[AgentProfile], Any]) -> dict[str, Any]:
        """The agents as plain data, in joining order (:meth:`load_state` reads it).

        Each agent: its profile (written by *profile_to_plain*), routing profile (``group``),
        presence, joining ``order``, round-robin ``turn``, ``idle_since_us``,
        ``last_assigned_us`` and the tickets it holds, ``[ticket_id, channel]`` in the order
        it was given them; ``next_order`` and ``next_turn`` are the counters.  Load, counts,
        availability, signature memberships and heaps are rebuilt from these.
        """
        return {
            "agents": [
                {
                    "profile": profile_to_plain(ag.profile),
                    "group": ag.group,
                    "presence": ag.presence,
                    "order": ag.order,
                    "turn": ag.turn,
                    "idle_since_us": ag.idle_since_us,
                    "last_assigned_us": ag.last_assigned_us,
                    "held": [[tid, c] for tid, c in ag.held.items()],
                }
                for ag in self._agents.values()
            ],
            "next_order": peek_count(self._order),
            "next_turn": peek_count(self._turns),
        }

    def load_state(
        self,
        data: object,
        profile_from_plain: Callable[[object, str], AgentProfile],
        groups: Collection[str],
        path: str = "agents",
    ) -> None:
        """Fill this (empty) pool from :meth:`to_state` data.

        Args:
            data: What :meth:`to_state` returned.
            profile_from_plain: Reads a profile (data, path).
            groups: The routing profiles an agent may belong to.
            path: Where *data* is, for errors.

        Raises:
            ConfigError: Malformed data, a duplicate agent or held ticket, an unknown group or
                presence, load over capacity, a counter behind the values it handed out;
                with the path to it.

        When it raises (or *profile_from_plain* does), the pool is as empty as it was.
        """
        if self._agents:
            raise ConfigError("the pool is not empty", path)
        if not isinstance(data, Mapping) or set(data) != {"agents", "next_order", "next_turn"}:
            raise ConfigError("expected {'agents', 'next_order', 'next_turn'}", path)
        # The agents are added as they are read (the checks of ``add`` and of the capacity
        # rules are the pool's own); a failure part-way takes them out again, and puts the
        # counters back, so that the pool is left as it was.
        order, turns = peek_count(self._order), peek_count(self._turns)
        try:
            self._load(data, profile_from_plain, groups, path)
        except BaseException:
            for ag in list(self._agents.values()):
                self._drop_agent(ag)
            self._order, self._turns = itertools.count(order), itertools.count(turns)
            raise

    def _load(
        self,
        data: Mapping[str, Any],
        profile_from_plain: Callable[[object, str], AgentProfile],
        groups: Collection[str],
        path: str,
    ) -> None:
        """:meth:`load_state`'s work, once its caller checked the pool is empty."""
        agents = data["agents"]
        if not isinstance(agents, list):
            raise ConfigError(f"expected a list, got {show(agents)}", f"{path}.agents")
        keys = {"profile", "group", "presence", "order", "turn", "idle_since_us"}
        keys |= {"last_assigned_us", "held"}
        last_order = -1
        max_turn = -1
        for i, raw in enumerate(agents):
            where = f"{path}.agents[{i}]"
            if not isinstance(raw, Mapping) or set(raw) != keys:
                raise ConfigError(f"expected the keys {show(sorted(keys))}", where)
            profile = profile_from_plain(raw["profile"], f"{where}.profile")
            if profile.id in self._agents:
                raise ConfigError(f"agent {show(profile.id)} twice", where)
            if not isinstance(raw["group"], str) or raw["group"] not in groups:
                raise ConfigError(
                    f"unknown routing profile {show(raw['group'])}; known: {show(sorted(groups))}",
                    f"{where}.group",
                )
            for key in ("order", "turn", "idle_since_us", "last_assigned_us"):
                value = raw[key]
                if type(value) is not int or not MIN_US <= value <= MAX_US:
                    raise ConfigError(f"expected an int, got {show(value)}", f"{where}.{key}")
            if raw["order"] <= last_order:
                raise ConfigError("agents must be in joining order", f"{where}.order")
            last_order = raw["order"]
            max_turn = max(max_turn, raw["turn"])
            try:
                self.add(
                    profile, at=raw["idle_since_us"], presence=raw["presence"], group=raw["group"]
                )
            except ConfigError as exc:
                raise ConfigError(exc.detail, where) from None
            ag = self._agents[profile.id]
            held = raw["held"]
            if not isinstance(held, list):
                raise ConfigError(f"expected a list, got {show(held)}", f"{where}.held")
            for j, pair in enumerate(held):
                w = f"{where}.held[{j}]"
                if not isinstance(pair, list) or len(pair) != 2 or not isinstance(pair[0], str):
                    raise ConfigError(f"expected [ticket_id, channel], got {show(pair)}", w)
                tid, c = pair
                if tid in self._holder:
                    raise ConfigError(f"ticket {show(tid)} held twice", w)
                if not self._fits(ag, c):
                    raise ConfigError(
                        f"agent {show(ag.id)} cannot hold another {show(c)} ticket (holding "
                        f"{show(dict(ag.counts))}, capacity {show(ag.caps)})",
                        w,
                    )
                self.assign_unchecked(ag, tid, c, raw["last_assigned_us"])
            ag.order = raw["order"]
            ag.turn = raw["turn"]
            ag.idle_since_us = raw["idle_since_us"]
            ag.last_assigned_us = raw["last_assigned_us"]
        nxt_order, nxt_turn = data["next_order"], data["next_turn"]
        # In the range an agent's own order and turn are read back in: the agent (or turn) to
        # come takes it, and the pool's next snapshot writes it as that agent's.
        if type(nxt_order) is not int or not last_order < nxt_order <= MAX_US:
            raise ConfigError(
                f"expected an int above {last_order}, at most {MAX_US}", f"{path}.next_order"
            )
        if type(nxt_turn) is not int or not max(max_turn, -1) < nxt_turn <= MAX_US:
            raise ConfigError(
                f"expected an int above {max_turn}, at most {MAX_US}", f"{path}.next_turn"
            )
        self._order = itertools.count(nxt_order)
        self._turns = itertools.count(nxt_turn)

    def _fits(self, ag: AgentRecord, c: object) -> bool:
        """Whether *ag* has room for one more ticket of channel *c*, whatever its presence."""
        if not isinstance(c, str) or ag.caps.get(c, 0) <= ag.counts.get(c, 0) or ag.n_exclusive:
            return False
        if c in self._exclusive and ag.n_held:
            return False
        budget = self._budget
        return budget is None or ag.load + self._weights.get(c, 1) <= budget

    # -- the router's surface (unchecked: the caller validated) ----------------------------

    def record(self, agent_id: object) -> AgentRecord:
        """The record of *agent_id*.

        Raises:
            UnknownAgentError: No such agent.
        """
        ag = self._agents.get(agent_id) if isinstance(agent_id, str) else None
        if ag is None:
            raise UnknownAgentError(f"agent {show(agent_id)} is not in the pool")
        return ag

    def chain(self, strategies: object) -> Chain:
        """The compiled chain for *strategies*, compiled once per distinct chain.

        Raises:
            ConfigError: A malformed chain (see :func:`~csflow.routing.strategies.strategy_tuple`).
        """
        strategies = strategy_tuple(strategies)
        chain = self._chains.get(strategies)
        if chain is None:
            chain = self._chains[strategies] = Chain(strategies)
            self._non_monotone = self._non_monotone or not chain.monotone
            if chain.sig_free:
                self._sig_free.append(chain)
        return chain

    def spare_records(self, c: str) -> list[AgentRecord]:
        """The agents that can take one more ticket of channel *c* now, in joining order."""
        return sorted(self._spare_index.get(c, {}).values(), key=lambda a: a.order)

    def ref(self, sig: Signature) -> SignatureState:
        """One more waiting ticket waits under *sig* (registered if new); its state.

        A signature with waiting tickets is kept until the last one goes (:meth:`unref`).
        """
        st = self._sigs.get(sig)
        if st is None:
            st = self.register(sig)
        if st.refs <= 0:
            self._idle.pop(sig, None)
        st.refs += 1
        return st

    def unref(self, sig: Signature) -> None:
        """One waiting ticket fewer waits under *sig*.

        When none is left, a pinned signature goes, and any other is kept idle, the most
        recently used of at most ``_IDLE_SIGNATURES`` -- more once costly signatures came
        back after they were dropped -- (the oldest goes first).
        """
        st = self._sigs.get(sig)
        if st is None:
            return
        st.refs -= 1
        if st.refs <= 0:
            self._idle_or_drop(st)

    def _idle_or_drop(self, st: SignatureState) -> None:
        """*st* has no waiting ticket left: drop it if pinned, else keep it idle."""
        if st.sig.agent is not None:
            self._unregister(st)
        else:
            self._keep_idle(st)

    def _keep_idle(self, st: SignatureState) -> None:
        """Keep *st* (no ticket waits under it) as the most recent idle signature; the
        oldest goes beyond the idle bound (:meth:`_idle_limit`), remembered as a ghost."""
        idle = self._idle
        idle[st.sig] = st
        if len(idle) > _IDLE_SIGNATURES and len(idle) > self._idle_limit():
            gone = idle.popitem(last=False)[1]
            self._unregister(gone)
            ghosts = self._ghosts
            ghosts[gone.sig] = None
            if len(ghosts) > _IDLE_SIGNATURES + self._idle_extra:
                ghosts.popitem(last=False)

    def _idle_limit(self) -> int:
        """How many idle signatures are kept now: ``_IDLE_SIGNATURES`` plus what the costly
        ghosts added, within the memory budget (``_IDLE_MEMBERS``) beyond the first."""
        limit = _IDLE_SIGNATURES + self._idle_extra
        if self._idle_extra:
            limit = max(_IDLE_SIGNATURES, min(limit, _IDLE_MEMBERS // max(1, len(self._agents))))
        return limit

    def assign_unchecked(self, ag: AgentRecord, ticket_id: str, c: str, at_us: int) -> None:
        """Record that *ag* holds *ticket_id* on channel *c* (the caller checked it can)."""
        ag.held[ticket_id] = c
        self._holder[ticket_id] = ag
        ag.counts[c] = ag.counts.get(c, 0) + 1
        ag.n_held += 1
        ag.load += self._weights.get(c, 1)
        if c in self._exclusive:
            ag.n_exclusive += 1
        ag.last_assigned_us = at_us
        ag.turn = next(self._turns)
        before = ag.takeable
        if (
            ag.n_held > 1
            and self._budget is None
            and ag.routable
            and not ag.n_exclusive
            and c in before
            and ag.counts[c] < ag.caps[c]
        ):
            # ``_takeable_after_assign``'s first case, where nothing flips: the agent held
            # work and still has room on *c*, so its channels are as they were.
            after = before
        else:
            after = self._takeable_after_assign(ag, c)
        if ag is self._held_back:
            ag.takeable = after
            return
        if after is not before:
            self._flip(ag, after)
        if self._non_monotone:
            self._push_everywhere(ag, only_non_monotone=True)

    def release_unchecked(self, ag: AgentRecord, ticket_id: str, at_us: int) -> None:
        """Record that *ag* no longer holds *ticket_id* (the caller checked it does)."""
        c = ag.held.pop(ticket_id)
        del self._holder[ticket_id]
        ag.counts[c] -= 1
        if not ag.counts[c]:
            del ag.counts[c]
        ag.n_held -= 1
        ag.load -= self._weights.get(c, 1)
        if c in self._exclusive:
            ag.n_exclusive -= 1
        if ag.n_held == 0 and ag.routable:
            # Idle from now; an agent that is not routable stays as it was until it comes
            # back (``set_presence`` restarts it then), so a break does not count as idle.
            ag.idle_since_us = at_us
        after = self._takeable_after_release(ag, c)
        if ag is self._held_back:
            ag.takeable = after  # exact for the agent; counters wait for settle
            return
        self._flip(ag, after)
        self._refresh_heaps(ag)

    def hold_back(self, ag: AgentRecord) -> None:
        """Defer *ag*'s counter and heap bookkeeping until :meth:`settle`.

        An agent that releases a ticket usually takes another at once: its channels flip to
        takeable and straight back, and each flip walks every signature it belongs to.
        While held back, the agent's own ``takeable`` stays exact (it decides what the agent
        may take), and the counters and heaps keep the state from before; :meth:`settle`
        then does one flip and one heap refresh for the whole exchange.
        """
        self._held_back = ag
        self._held_takeable = ag.takeable
        keys: list[tuple[int, ...]] = []
        for ch in self._sig_free:
            solo = ch.solo  # ``Chain.key`` without its own call
            keys.append(ch.key(ag, _PROBE) if solo is None else (solo(ag, _PROBE),))
        self._held_keys = keys

    def settle(self, ag: AgentRecord) -> None:
        """Publish *ag*'s state after :meth:`hold_back`: counters, spare index, heaps.

        Heaps keep this invariant: while the agent can take channel *c*, each heap of each
        of its *c* signatures holds an entry of the agent, with its current stamp, whose key
        is at most its true key.  So an entry is pushed only where that could have broken:
        on a channel the agent could not take before, or for a chain whose key may have
        gone down (a signature-free chain is checked by comparing its key before and
        after; any other chain is pushed).  The stamp is kept, so entries already in place
        stay valid; an extra entry of an agent is harmless (:meth:`top` re-keys or drops it).
        """
        self._held_back = None
        before = self._held_takeable
        after = ag.takeable
        if after != before:
            ag.takeable = before
            self._flip(ag, after)
        lowered: AbstractSet[Chain] = _NO_CHAINS
        for chain, old in zip(self._sig_free, self._held_keys, strict=True):
            solo = chain.solo
            if (chain.key(ag, _PROBE) if solo is None else (solo(ag, _PROBE),)) < old:
                lowered = lowered | {chain}
        if not lowered and after <= before and len(self._sig_free) == len(self._chains):
            return  # every entry in place is still a lower bound; nothing became takeable
        g = ag.group
        stamp = ag.stamp
        order = ag.order
        push = heapq.heappush
        keys: dict[Chain, tuple[int, ...]] = {}
        for c, sigs in ag.sigs.items():
            if c not in after:
                continue
            fresh = c not in before
            for st in sigs.values():
                heaps = st.heaps.get(g)
                if not heaps:
                    continue
                for chain, heap in heaps.items():
                    if chain.sig_free:
                        if not fresh and chain not in lowered:
                            continue  # the entry in place is still a lower bound
                        key = keys.get(chain)
                        if key is None:
                            key = keys[chain] = chain.key(ag, st.sig)
                    else:
                        key = chain.key(ag, st.sig)
                    push(heap, (key, order, stamp, ag))
                    if len(heap) > 2 * len(st.members[g]) + _SLACK:
                        heaps[chain] = self._build_heap(st, g, chain)

    def takeable_if_released(self, ag: AgentRecord, c: str) -> frozenset[str] | None:
        """The channels *ag* could take once it let go of one ticket of channel *c*, without
        changing anything; ``None`` outside the plain case (a load budget, an exclusive
        channel held or released, or an agent not routable), where only the change tells.

        The router's agent-frees-up path looks for the next ticket before releasing, so that
        a ticket swapped for one on the same channel costs no bookkeeping at all
        (:meth:`swap_unchecked`).
        """
        if self._budget is not None or not ag.routable or ag.n_exclusive or c in self._exclusive:
            return None
        if ag.n_held == 1:
            return frozenset(ag.caps)  # ``_takeable`` of an agent holding nothing, no budget
        before = ag.takeable
        # ``_takeable_after_release`` with the count the release would leave.
        if c in before or ag.counts[c] - 1 >= ag.caps.get(c, 0):
            return before
        return before | {c}

    def swap_unchecked(
        self, ag: AgentRecord, old_id: str, new_id: str, sig: Signature, at_us: int
    ) -> None:
        """*ag* lets go of *old_id* and takes *new_id*, both on channel ``sig.channel``, and
        one ticket fewer waits under *sig* (:meth:`unref`).

        The same state as :meth:`release_unchecked` then :meth:`assign_unchecked` (inside
        :meth:`hold_back` and :meth:`settle`), with the bookkeeping that cancels out left
        out: counts, load and so the takeable channels, the counters and the spare index are
        as before.  The caller checked that *ag* holds *old_id* on that channel and that
        :meth:`takeable_if_released` was not ``None``.

        Heaps: only the keys could have gone down.  A key of a signature-free chain
        (longest idle, round robin) goes down only if *at_us* is before the agent's last
        assignment; any other chain may read anything, so those get fresh entries, as
        :meth:`settle` gives them.
        """
        st = self._sigs.get(sig)
        if st is not None:  # ``unref`` inlined
            st.refs -= 1
            if st.refs <= 0:
                self._idle_or_drop(st)
        c = sig.channel
        held = ag.held
        del held[old_id]
        held[new_id] = c
        holder = self._holder
        del holder[old_id]
        holder[new_id] = ag
        counts = ag.counts
        if counts[c] == 1 and len(counts) > 1:
            # The release drops the channel's count and the assignment adds it back last.
            del counts[c]
            counts[c] = 1
        if ag.n_held == 1:
            ag.idle_since_us = at_us  # idle for an instant between the two
        old_us = ag.last_assigned_us
        ag.last_assigned_us = at_us
        ag.turn = next(self._turns)
        if at_us < old_us or len(self._sig_free) != len(self._chains):
            self._push_all_chains(ag)

    def _push_all_chains(self, ag: AgentRecord) -> None:
        """Fresh entries of *ag*, under its current stamp, in every heap of every signature
        of a channel it can take (an extra entry is harmless: see :meth:`top`)."""
        g = ag.group
        stamp = ag.stamp
        order = ag.order
        takeable = ag.takeable
        push = heapq.heappush
        for c, sigs in ag.sigs.items():
            if c not in takeable:
                continue
            for st in sigs.values():
                heaps = st.heaps.get(g)
                if not heaps:
                    continue
                for chain, heap in heaps.items():
                    push(heap, (chain.key(ag, st.sig), order, stamp, ag))
                    if len(heap) > 2 * len(st.members[g]) + _SLACK:
                        heaps[chain] = self._build_heap(st, g, chain)

    def spare_of(self, ag: AgentRecord, c: str) -> int:
        """How many more tickets of channel *c* *ag* could take now."""
        if c not in ag.takeable:
            return 0
        if c in self._exclusive:
            return 1
        room = ag.caps[c] - ag.counts.get(c, 0)
        budget = self._budget
        if budget is not None:
            room = min(room, (budget - ag.load) // self._weights.get(c, 1))
        return room

    def register(self, sig: Signature) -> SignatureState:
        """The state of *sig*, computing its members the first time it is seen.

        A signature registered here and not waited under (:meth:`ref`) is idle: kept, among
        the ``_IDLE_SIGNATURES`` most recent, and then dropped (see the theory of operation).
        A caller keeps the state it got only until it registers another signature.

        Raises:
            ConfigError: *sig* is not a Signature.
        """
        if type(sig) is not Signature and not isinstance(sig, Signature):
            raise ConfigError(f"signature must be a Signature, got {show(sig)}")
        st = self._sigs.get(sig)
        if st is not None:
            return st
        st = SignatureState(sig)
        pools: list[Mapping[str, AgentRecord]] = [self._by_channel.get(sig.channel, {})]
        if sig.agent is not None:
            pinned = self._agents.get(sig.agent)
            pools.append({} if pinned is None else {pinned.id: pinned})
        for r in sig.skills:
            pools.append(self._by_skill.get(r.skill, {}))
        if sig.language is not None:
            pools.append(self._by_language.get(sig.language, {}))
        smallest = min(pools, key=len)
        for ag in sorted(smallest.values(), key=lambda a: a.order):
            if ag.caps.get(sig.channel, 0) > 0 and sig.admits(ag.profile):
                self._join(st, ag)
        ghosts = self._ghosts
        if ghosts and ghosts.pop(sig, 0) is None and len(smallest) >= _COSTLY_SCAN:
            # Dropped lately, back, and costly to compute: the idle bound is too small for
            # the requirements in rotation, so it keeps one more (within the memory budget).
            kept = _IDLE_SIGNATURES + self._idle_extra
            if kept < _IDLE_MEMBERS // max(1, len(self._agents)):
                self._idle_extra += max(1, kept // 16)
        self._sigs[sig] = st
        self._sigs_by_channel.setdefault(sig.channel, {})[sig] = st
        self._keep_idle(st)
        return st

    def top(
        self, st: SignatureState, g: str, chain: Chain
    ) -> tuple[tuple[int, ...], AgentRecord] | None:
        """The best agent of group *g* for *st* under *chain* (lazy heap; see the theory)."""
        if not st.avail.get(g):
            return None
        heaps = st.heaps.get(g)
        if heaps is None:
            heaps = st.heaps[g] = {}
        heap = heaps.get(chain)
        if heap is None:
            heap = heaps[chain] = self._build_heap(st, g, chain)
        c = st.sig.channel
        sig = st.sig
        solo = chain.solo  # ``Chain.key`` without its own call
        while heap:
            key, order, stamp, ag = heap[0]
            if stamp != ag.stamp or c not in ag.takeable:
                heapq.heappop(heap)
                continue
            true = chain.key(ag, sig) if solo is None else (solo(ag, sig),)
            if true != key:
                heapq.heapreplace(heap, (true, order, stamp, ag))
                continue
            return key, ag
        return None  # pragma: no cover - avail said somebody is there

    # -- internals -------------------------------------------------------------------------

    def _drop_agent(self, ag: AgentRecord) -> tuple[str, ...]:
        """Take *ag* out of the pool and its indexes; the ticket ids it held (held by nobody)."""
        self._flip(ag, NO_CHANNELS)
        self._leave_all(ag)
        self._unindex(ag)
        ag.routable = False
        ag.stamp += 1  # every heap entry of the agent is now stale
        held = tuple(ag.held)
        for tid in held:
            del self._holder[tid]
        del self._agents[ag.id]
        return held

    def _caps(self, profile: AgentProfile) -> dict[str, int]:
        limits = self.capacity.limits
        caps = {}
        for c, n in profile.capacity.items():
            m = min(n, limits[c]) if c in limits else n
            if m > 0:
                caps[c] = m
        return caps

    def _index(self, ag: AgentRecord) -> None:
        ag.caps = self._caps(ag.profile)
        for c in ag.caps:
            self._by_channel.setdefault(c, {})[ag.id] = ag
        for skill in ag.profile.skills:
            self._by_skill.setdefault(skill, {})[ag.id] = ag
        for lang in ag.profile.languages:
            self._by_language.setdefault(lang, {})[ag.id] = ag

    def _unindex(self, ag: AgentRecord) -> None:
        for c in ag.caps:
            self._by_channel[c].pop(ag.id, None)
        for skill in ag.profile.skills:
            self._by_skill[skill].pop(ag.id, None)
        for lang in ag.profile.languages:
            self._by_language[lang].pop(ag.id, None)

    def _can(self, ag: AgentRecord, c: str) -> bool:
        # ``ag.takeable`` is kept current by every change of the agent's state (``_flip``).
        return c in ag.takeable

    def _takeable(self, ag: AgentRecord) -> frozenset[str]:
        """The channels *ag* can take one more ticket of now, computed from its state."""
        if not ag.routable or ag.n_exclusive:
            return NO_CHANNELS
        if not ag.n_held:
            # Nothing held: every channel with capacity whose one ticket fits the budget.
            budget = self._budget
            if budget is None:
                return frozenset(ag.caps)
            weights = self._weights
            return frozenset(c for c in ag.caps if weights.get(c, 1) <= budget)
        counts = ag.counts
        exclusive = self._exclusive
        budget = self._budget
        weights = self._weights
        load = ag.load
        # The load budget is shared by every channel: a ticket on one channel can leave no
        # room for another, so it is checked here and not only in ``_spare_of``.
        if budget is None:
            return frozenset(
                [c for c, cap in ag.caps.items() if counts.get(c, 0) < cap and c not in exclusive]
            )
        return frozenset(
            [
                c
                for c, cap in ag.caps.items()
                if counts.get(c, 0) < cap
                and c not in exclusive
                and load + weights.get(c, 1) <= budget
            ]
        )

    def _takeable_after_assign(self, ag: AgentRecord, c: str) -> frozenset[str]:
        """:meth:`_takeable` after *ag* took one more ticket of channel *c*, from the set before.

        ``ag.takeable`` is exact until this change (every change of the agent's state keeps
        it so).  Without a load budget, when the agent already held work, routes and holds
        nothing exclusive, one more *c* ticket can change only whether *c* itself is takeable:
        every other channel's count, and so its test, is as before.  Anything else is
        computed afresh.
        """
        if (
            self._budget is None
            and ag.n_held > 1
            and ag.routable
            and not ag.n_exclusive
            and c not in self._exclusive
        ):
            before = ag.takeable
            if c in before and ag.counts[c] >= ag.caps[c]:
                return before - {c}
            return before
        return self._takeable(ag)

    def _takeable_after_release(self, ag: AgentRecord, c: str) -> frozenset[str]:
        """:meth:`_takeable` after *ag* let go of one ticket of channel *c* (see
        :meth:`_takeable_after_assign`): *c* is below its cap again, so it joins the set."""
        if (
            self._budget is None
            and ag.n_held
            and ag.routable
            and not ag.n_exclusive
            and c not in self._exclusive
        ):
            before = ag.takeable
            if c in before or ag.counts.get(c, 0) >= ag.caps.get(c, 0):
                return before
            return before | {c}
        return self._takeable(ag)

    def _flip(self, ag: AgentRecord, after: frozenset[str]) -> None:
        """The channels *ag* can take are now *after*: update it and the counters."""
        before = ag.takeable
        if before == after:
            return
        ag.takeable = after
        g = ag.group
        for c in before - after:
            for st in ag.sigs.get(c, {}).values():
                st.avail[g] -= 1
        for c in after - before:
            for st in ag.sigs.get(c, {}).values():
                st.avail[g] = st.avail.get(g, 0) + 1
        self._index_spare(ag, before, after)

    def _index_spare(self, ag: AgentRecord, before: frozenset[str], after: frozenset[str]) -> None:
        for c in before - after:
            self._spare_index[c].pop(ag.id, None)
        for c in after - before:
            self._spare_index.setdefault(c, {})[ag.id] = ag

    def _refresh_heaps(self, ag: AgentRecord) -> None:
        """The agent's keys may have gone down: new stamp, fresh entries everywhere."""
        ag.stamp += 1
        self._push_everywhere(ag, only_non_monotone=False)

    def _push_everywhere(self, ag: AgentRecord, *, only_non_monotone: bool) -> None:
        g = ag.group
        stamp = ag.stamp
        order = ag.order
        takeable = ag.takeable
        push = heapq.heappush
        keys: dict[Chain, tuple[int, ...]] = {}  # signature-free chains: one key per chain
        for c, sigs in ag.sigs.items():
            if c not in takeable:
                continue
            for st in sigs.values():
                heaps = st.heaps.get(g)
                if not heaps:
                    continue
                for chain, heap in heaps.items():
                    if only_non_monotone and chain.monotone:
                        continue
                    if chain.sig_free:
                        key = keys.get(chain)
                        if key is None:
                            key = keys[chain] = chain.key(ag, st.sig)
                    else:
                        key = chain.key(ag, st.sig)
                    push(heap, (key, order, stamp, ag))
                    if len(heap) > 2 * len(st.members[g]) + _SLACK:
                        heaps[chain] = self._build_heap(st, g, chain)

    def _unregister(self, st: SignatureState) -> None:
        self._idle.pop(st.sig, None)
        for members in st.members.values():
            for ag in members.values():
                ag.sigs[st.sig.channel].pop(st.sig, None)
        del self._sigs[st.sig]
        del self._sigs_by_channel[st.sig.channel][st.sig]

    def _join(self, st: SignatureState, ag: AgentRecord) -> None:
        g = ag.group
        c = st.sig.channel
        st.members.setdefault(g, {})[ag.id] = ag
        ag.sigs.setdefault(c, {})[st.sig] = st
        published = self._held_takeable if ag is self._held_back else ag.takeable
        if c in published:
            st.avail[g] = st.avail.get(g, 0) + 1
            for chain, heap in st.heaps.get(g, {}).items():
                heapq.heappush(heap, (chain.key(ag, st.sig), ag.order, ag.stamp, ag))

    def _join_all(self, ag: AgentRecord) -> None:
        for c in ag.caps:
            for sig, st in list(self._sigs_by_channel.get(c, {}).items()):
                if sig.admits(ag.profile):
                    self._join(st, ag)

    def _leave_all(self, ag: AgentRecord) -> None:
        # Called with the agent's availability already withdrawn from the counters.
        g = ag.group
        for sigs in ag.sigs.values():
            for st in sigs.values():
                st.members[g].pop(ag.id, None)
        ag.sigs = {}
        ag.stamp += 1

    def _build_heap(self, st: SignatureState, g: str, chain: Chain) -> list[HeapEntry]:
        c = st.sig.channel
        sig = st.sig
        heap = [
            (chain.key(ag, sig), ag.order, ag.stamp, ag)
            for ag in st.members.get(g, {}).values()
            if self._can(ag, c)
        ]
        heapq.heapify(heap)
        return heap
