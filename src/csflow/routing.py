"""Skill-based routing: the agent pool and its indexes, selection strategies, relaxation,
overflow, batch assignment and escalation.

Theory of operation
-------------------
Two questions are asked over and over, and neither may cost a pass over all agents or all
waiting tickets:

1. *A ticket arrives (or its requirements relax): which available agent takes it?*
2. *An agent frees up: which waiting ticket does it take?*

**Signatures and memberships.**  A ticket's requirements -- channel, language, skills with a
minimum proficiency, maybe one pinned agent -- form a :class:`~csflow.queues.Signature`.  The
first time the pool sees a signature it computes, once, which agents meet it statically
(skills, language, channel served), starting from the smallest of the skill -> agents,
language -> agents and channel -> agents indexes.  That membership is the cached
eligibility of every (agent, signature) pair; it changes only when an agent joins, leaves or
changes profile.  The dynamic part -- presence is routable, spare capacity on the channel --
is checked in O(1) per agent.

**Question 1** uses, per signature and per agent group (routing profile) and strategy chain,
a heap of available members ordered by the chain's key (longest idle, round robin, ...).
The heap is maintained lazily:

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
(:meth:`Router.release`): the pool then *holds back* its bookkeeping for the exchange and
publishes it once at the end -- one change of the availability counters instead of two, and
heap entries pushed only where the invariant could have broken (a channel that became
takeable, or a chain whose key went down), without bumping the stamp.  The invariant: while
an agent can take channel *c*, every heap of its *c* signatures holds an entry of it with its
current stamp and a key at most its true key.

**Question 2** looks at the agent's signatures on the channels it can take now and asks each
queue of its routing profile, in priority order, for the best head among those groups
(:meth:`csflow.queues.TicketQueue.peek`): cost proportional to the number of groups the agent
is eligible for, never to the number of waiting tickets.

**Time.**  Relaxation steps, pins to a preferred agent and overflow delays are timers.  The
router never reads a clock: :meth:`Router.next_step_at` says when something is next due, and
:meth:`Router.advance` fires what is due at the instant given and routes what it freed.

**Preferred agents.**  A :class:`PreferredAgent` in the chain names the customer's preferred
or last agent.  When that agent can take the ticket and ties with the best candidate on the
strategies before it, it gets the ticket.  When it is routable but busy and the strategy has
a ``timeout``, the ticket waits for it alone (its signature is *pinned*) until the timeout,
then is open to every eligible agent (:class:`PinReleased`).

Batch assignment: greedy or optimal
-----------------------------------
Routing one event at a time is greedy: each ticket takes the best agent free *now*, and each
freed agent takes the best ticket it may take.  That is what a desk wants almost always, and
it is what :meth:`Router.submit`, :meth:`Router.release` and friends do.  When many agents
free up at once (a shift starts, a team comes back from a meeting) or a burst of tickets
arrives, a host may hold routing back (``route=False`` / ``pull=False``) and match the whole
batch with :meth:`Router.assign_batch`:

* ``method="greedy"`` takes tickets in queue order and gives each the free slot that scores
  highest -- one pass, cheap at any size;
* ``method="optimal"`` solves a maximum-weight bipartite matching (networkx) between agent
  slots and tickets, so its total score is never below greedy's (a property the tests check).

Optimal matters when skills are **scarce and overlapping**: greedy may give the only agent
able to take ticket B (say, the one refund specialist) to ticket A, which anybody could have
taken, and B then waits; optimal gives A to someone else and serves both.  With the default
score (:func:`default_batch_score`) optimal first assigns as many tickets as possible, then
prefers earlier tickets, then better skill fit.  When agents are interchangeable for the
waiting tickets (every free agent qualified for every ticket, and the score does not tell
them apart) both methods give plans of the same score, and greedy is the one to use.  The matching costs roughly cubic time in the number of
slots and tickets, so keep optimal batches to a few hundred of each (``limit=``).

Every call that raises has changed nothing: arguments are validated before any mutation.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Literal, Protocol, TypeAlias, runtime_checkable

import attrs
import networkx as nx

from csflow._slots import new_object, slot_setters
from csflow._text import show
from csflow._time import duration_us, to_instant_us, utc
from csflow.errors import (
    CapacityExceededError,
    ConfigError,
    DuplicateAgentError,
    InvalidTransitionError,
    TransferLimitError,
    UnknownAgentError,
    UnknownTicketError,
)
from csflow.model import AgentProfile, Channel, Ticket
from csflow.queues import (
    DuplicateTicketError,
    Instant,
    QueuedTicket,
    Signature,
    TicketQueue,
    make_key_context,
)

__all__ = [
    "AgentPool",
    "AgentState",
    "AgentStatus",
    "Assignment",
    "BatchPlan",
    "BatchScore",
    "BestProficiency",
    "CapacityExceededError",
    "CapacityRules",
    "EscalationGraph",
    "HandOver",
    "LongestIdle",
    "MostSpareCapacity",
    "Overflowed",
    "PinReleased",
    "PinningStrategy",
    "PreferredAgent",
    "PresenceStates",
    "QueueSlot",
    "RankingStrategy",
    "Relaxation",
    "RelaxationStep",
    "Relaxed",
    "RoundRobin",
    "Router",
    "RoutingChange",
    "RoutingProfile",
    "RoutingReason",
    "SelectionContext",
    "Strategy",
    "TransferLedger",
    "TransferLimitError",
    "TransferPolicy",
    "default_batch_score",
]

_SLACK = 16
_NONE: frozenset[str] = frozenset()
_BUSY = 1 << 62  # LongestIdle: busy agents rank after every idle one


def _name(kind: str, value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{kind} must be a non-empty string, got {show(value)}")
    return value


def _ticket_id(value: object) -> str:
    if not isinstance(value, str) or not value or len(value) > 256:
        raise ConfigError(
            f"ticket id must be a non-empty string of at most 256 characters, got {show(value)}"
        )
    return value


def _ticket(value: object) -> Ticket:
    if not isinstance(value, Ticket):
        raise ConfigError(f"ticket must be a Ticket, got {show(value)}")
    return value


def _group_list(value: object) -> list[str]:
    """Routing-profile (group) names: a collection of strings, not one bare string."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ConfigError(f"groups must be a collection of group names, got {show(value)}")
    out = list(value)
    for g in out:
        if not isinstance(g, str):
            raise ConfigError(f"groups must hold group names, got {show(g)} in {show(out)}")
    return out


def strategy_tuple(value: object) -> tuple[Strategy, ...]:
    """A strategy chain as a tuple of strategy objects (instances, not classes)."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ConfigError(f"strategies must be a sequence of strategies, got {show(value)}")
    out = tuple(value)
    for i, s in enumerate(out):
        if isinstance(s, type) or not isinstance(s, RankingStrategy | PinningStrategy):
            raise ConfigError(
                f"strategies[{i}] must be a RankingStrategy or a PinningStrategy instance, "
                f"got {show(s)}"
            )
    return out


# ---------------------------------------------------------------------------------------------
# Configuration values


def _channel_ints(kind: str, value: Mapping[Channel | str, int]) -> Mapping[str, int]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{kind} must be a mapping of channel -> int, got {show(value)}")
    out: dict[str, int] = {}
    for channel, n in value.items():
        name = Channel.parse(channel).name
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise ConfigError(f"{kind} for channel {show(name)} must be an int >= 0, got {show(n)}")
        out[name] = n
    return out


def _to_weights(value: Mapping[Channel | str, int]) -> Mapping[str, int]:
    return _channel_ints("weight", value)


def _to_limits(value: Mapping[Channel | str, int]) -> Mapping[str, int]:
    return _channel_ints("limit", value)


def _to_channel_set(value: Iterable[Channel | str]) -> frozenset[str]:
    if isinstance(value, str):
        raise ConfigError(f"exclusive must be a collection of channels, got {show(value)}")
    return frozenset(Channel.parse(c).name for c in value)


@attrs.frozen
class CapacityRules:
    """How channels share an agent's capacity.

    An agent may take one more ticket of channel *c* when (1) it holds fewer than its
    capacity for *c* (the agent profile's number, capped by *limits*), (2) it holds no ticket
    of an exclusive channel, (3) *c* is not exclusive or the agent holds nothing at all, and
    (4) with a *budget*, its load plus the weight of *c* stays within the budget.

    Args:
        weights: Channel -> load units one ticket of it uses (default 1).
        limits: Channel -> a cap on tickets of it at once, over every agent's own capacity.
        exclusive: Channels whose ticket blocks everything else (a phone call); by default
            the phone.
        budget: The most load units an agent carries at once, or ``None`` for no total limit.

    Raises:
        ConfigError: A malformed channel, a negative number or a weight of 0.

    Examples:
        >>> rules = CapacityRules(weights={"email": 2}, exclusive={"phone"}, budget=3)
    """

    weights: Mapping[str, int] = attrs.field(factory=dict, converter=_to_weights)
    limits: Mapping[str, int] = attrs.field(factory=dict, converter=_to_limits)
    exclusive: frozenset[str] = attrs.field(default=frozenset({"phone"}), converter=_to_channel_set)
    budget: int | None = attrs.field(default=None)

    def __attrs_post_init__(self) -> None:
        for channel, w in self.weights.items():
            if w == 0:
                raise ConfigError(f"weight for channel {show(channel)} must be >= 1, got 0")
        b = self.budget
        if b is not None and (not isinstance(b, int) or isinstance(b, bool) or b < 1):
            raise ConfigError(f"budget must be an int >= 1 or None, got {show(b)}")

    def weight(self, channel: str) -> int:
        """Load units one ticket of *channel* uses."""
        return self.weights.get(channel, 1)


_DEFAULT_PRESENCE = {"available": True, "busy": False, "away": False, "offline": False}


def _to_custom(value: Mapping[str, bool]) -> Mapping[str, bool]:
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"custom presence states must be a mapping name -> bool, got {show(value)}"
        )
    for name, routable in value.items():
        _name("presence state", name)
        if name in _DEFAULT_PRESENCE:
            raise ConfigError(f"presence state {show(name)} is built in and cannot be redefined")
        if not isinstance(routable, bool):
            raise ConfigError(
                f"presence state {show(name)} must map to a bool, got {show(routable)}"
            )
    return dict(value)


@attrs.frozen
class PresenceStates:
    """The presence states agents may be in, and which of them route work.

    ``available`` routes; ``busy``, ``away`` and ``offline`` do not.  *custom* adds states,
    each routable or not (``{"lunch": False, "overflow_ready": True}``).

    Raises:
        ConfigError: A malformed name, a built-in redefined, or a non-bool flag.
    """

    custom: Mapping[str, bool] = attrs.field(factory=dict, converter=_to_custom)

    def routable(self, state: str) -> bool:
        """Whether agents in *state* receive work.

        Raises:
            ConfigError: *state* is not a declared state.
        """
        flag = _DEFAULT_PRESENCE.get(state) if isinstance(state, str) else None
        if flag is None:
            flag = self.custom.get(state) if isinstance(state, str) else None
            if flag is None:
                raise ConfigError(
                    f"presence state must be one of {show(sorted(self.names()))}, got {show(state)}"
                )
        return flag

    def names(self) -> frozenset[str]:
        """Every declared state."""
        return frozenset(_DEFAULT_PRESENCE) | frozenset(self.custom)


# ---------------------------------------------------------------------------------------------
# Agents


class AgentState(Protocol):
    """The read-only view of an agent that strategies and scores receive."""

    @property
    def id(self) -> str:
        """The agent id."""
        ...

    @property
    def profile(self) -> AgentProfile:
        """Skills, languages, capacity and teams."""
        ...

    @property
    def group(self) -> str:
        """The routing profile the agent works under."""
        ...

    @property
    def presence(self) -> str:
        """The current presence state."""
        ...

    @property
    def load(self) -> int:
        """Load units in use (sum of the channel weights of the tickets held)."""
        ...

    @property
    def n_held(self) -> int:
        """How many tickets the agent holds."""
        ...

    @property
    def idle_since_us(self) -> int:
        """When the agent last became idle (nothing held, routable)."""
        ...

    @property
    def last_assigned_us(self) -> int:
        """When the agent last received a ticket (or joined)."""
        ...

    @property
    def turn(self) -> int:
        """The pool-wide assignment counter at the agent's last assignment (-1: never)."""
        ...

    def spare(self, channel: str) -> int:
        """How many more tickets of *channel* the agent could take now."""
        ...


class _Agent:
    """Internal agent state (satisfies :class:`AgentState`)."""

    __slots__ = (
        "caps",
        "counts",
        "group",
        "held",
        "id",
        "idle_since_us",
        "last_assigned_us",
        "load",
        "n_exclusive",
        "n_held",
        "order",
        "pool",
        "presence",
        "profile",
        "routable",
        "sigs",
        "stamp",
        "takeable",
        "turn",
    )

    def __init__(
        self, pool: AgentPool, order: int, profile: AgentProfile, group: str, at_us: int
    ) -> None:
        self.pool = pool
        self.order = order
        self.id = profile.id
        self.profile = profile
        self.group = group
        self.presence = "offline"
        self.routable = False
        self.caps: dict[str, int] = {}
        self.counts: dict[str, int] = {}
        self.held: dict[str, str] = {}  # ticket id -> channel, in assignment order
        self.load = 0
        self.n_held = 0
        self.n_exclusive = 0
        self.idle_since_us = at_us
        self.last_assigned_us = at_us
        self.turn = -1
        self.stamp = 0
        self.sigs: dict[str, dict[Signature, _SigState]] = {}
        # The channels the agent can take one more ticket of right now, recomputed once per
        # state change (presence, assignment, release, profile) so that every eligibility
        # check on the hot path is one set lookup.
        self.takeable: frozenset[str] = _NONE

    def __lt__(self, other: _Agent) -> bool:
        # Heap entries of one agent may tie on (key, order, stamp); any order is fine then.
        return False

    def spare(self, channel: str) -> int:
        return self.pool._spare_of(self, channel)


@attrs.frozen
class AgentStatus:
    """A snapshot of an agent's routing state (for views and tests).

    Attributes:
        id: The agent id.
        group: Its routing profile.
        presence: Its presence state.
        routable: Whether that state routes work.
        load: Load units in use.
        counts: Channel -> tickets held.
        held: Ticket ids held, in assignment order.
        idle_since: When it last became idle.
        profile: Its profile.
    """

    id: str
    group: str
    presence: str
    routable: bool
    load: int
    counts: Mapping[str, int]
    held: tuple[str, ...]
    idle_since: datetime
    profile: AgentProfile = attrs.field(eq=False, repr=False)


# ---------------------------------------------------------------------------------------------
# Strategies


@attrs.frozen
class SelectionContext:
    """What a pinning strategy sees when a ticket is routed.

    Args:
        ticket: The ticket.
        queue: Its queue's name.
        at_us: The current instant (microseconds).
        last_agent: The agent who last served this customer, if the caller knows one.
        last_contact_us: When that was (microseconds), if known.
    """

    ticket: Ticket
    queue: str
    at_us: int
    last_agent: str | None = None
    last_contact_us: int | None = None


@runtime_checkable
class RankingStrategy(Protocol):
    """Orders candidate agents: lower key first.  Combine several as ordered tie-breakers.

    The key may depend only on the agent's state and the signature, and may change only when
    the agent's state does (assignment, release, presence, profile).  Set ``monotone`` when
    assigning a ticket never *lowers* the key: the pool then re-keys lazily after assignments
    (see the module's theory of operation) instead of re-inserting the agent everywhere.
    """

    @property
    def name(self) -> str:
        """A short name for reasons."""
        ...

    @property
    def monotone(self) -> bool:
        """Whether assigning a ticket to the agent never lowers its key."""
        ...

    def key(self, agent: AgentState, signature: Signature, /) -> int:
        """The agent's rank for *signature* (lower is better)."""
        ...


@runtime_checkable
class PinningStrategy(Protocol):
    """Names one agent a ticket should go to (a preferred or last agent), if any.

    In a chain, the named agent wins when it is a valid candidate and ties with the best
    candidate on every ranking strategy *before* the pin; otherwise the chain goes on.
    """

    @property
    def name(self) -> str:
        """A short name for reasons."""
        ...

    @property
    def hold_us(self) -> int:
        """How long a ticket may wait for the named agent before anyone may take it."""
        ...

    def pick(self, context: SelectionContext, /) -> str | None:
        """The agent id to prefer, or ``None``."""
        ...


Strategy: TypeAlias = RankingStrategy | PinningStrategy


@attrs.frozen
class LongestIdle:
    """The agent idle longest first; busy agents after idle ones, least recently assigned first."""

    @property
    def name(self) -> str:
        """``"longest_idle"``."""
        return "longest_idle"

    @property
    def monotone(self) -> bool:
        """Assigning only makes an agent less idle."""
        return True

    def key(self, agent: AgentState, signature: Signature, /) -> int:
        """``idle_since``, or a large offset plus ``last_assigned`` when the agent holds work."""
        if agent.n_held:
            return _BUSY + agent.last_assigned_us
        return agent.idle_since_us


@attrs.frozen
class RoundRobin:
    """The agent whose last assignment is oldest (in assignment order) first."""

    @property
    def name(self) -> str:
        """``"round_robin"``."""
        return "round_robin"

    @property
    def monotone(self) -> bool:
        """Assigning moves the agent to the back."""
        return True

    def key(self, agent: AgentState, signature: Signature, /) -> int:
        """The pool's assignment counter at the agent's last assignment."""
        return agent.turn


@attrs.frozen
class MostSpareCapacity:
    """The agent with the most room left on the ticket's channel first."""

    @property
    def name(self) -> str:
        """``"most_spare_capacity"``."""
        return "most_spare_capacity"

    @property
    def monotone(self) -> bool:
        """Assigning only uses room."""
        return True

    def key(self, agent: AgentState, signature: Signature, /) -> int:
        """Minus the spare slots on the signature's channel."""
        return -agent.spare(signature.channel)


@attrs.frozen
class BestProficiency:
    """The agent with the highest summed proficiency in the required skills first."""

    @property
    def name(self) -> str:
        """``"best_proficiency"``."""
        return "best_proficiency"

    @property
    def monotone(self) -> bool:
        """Proficiency does not change with load."""
        return True

    def key(self, agent: AgentState, signature: Signature, /) -> int:
        """Minus the sum of the agent's proficiencies in the signature's skills."""
        skills = agent.profile.skills
        return -sum(skills.get(r.skill, 0) for r in signature.skills)


def _opt_span(value: timedelta | None) -> timedelta | None:
    if value is not None:
        duration_us(value, "recency", ConfigError)
    return value


@attrs.frozen
class PreferredAgent:
    """The customer's preferred agent, else their last agent, when that agent can take it.

    Args:
        timeout: How long a ticket may wait for that agent when it is logged in and routable
            but busy (0: only when it can take the ticket right now).  After the timeout the
            ticket is open to everyone (a :class:`PinReleased` change).
        recency: The last agent counts only if the last contact was at most this long ago
            (``None``: any time).

    Raises:
        ConfigError: A negative or non-timedelta duration.
    """

    timeout: timedelta = attrs.field(default=timedelta(0))
    recency: timedelta | None = attrs.field(default=None, converter=_opt_span)
    _hold: int = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_hold", duration_us(self.timeout, "timeout", ConfigError))

    @property
    def name(self) -> str:
        """``"preferred_agent"``."""
        return "preferred_agent"

    @property
    def hold_us(self) -> int:
        """The timeout in microseconds."""
        return self._hold

    def pick(self, context: SelectionContext, /) -> str | None:
        """The customer's preferred agent, else the recent enough last agent, else ``None``."""
        preferred = context.ticket.customer.preferred_agent
        if preferred is not None:
            return preferred
        last = context.last_agent
        if last is None:
            return None
        if self.recency is None:
            return last
        if context.last_contact_us is None:
            return None
        recency_us = duration_us(self.recency, "recency", ConfigError)
        return last if context.at_us - context.last_contact_us <= recency_us else None


class _Chain:
    """A compiled strategy chain: ranking strategies plus pins at their positions."""

    __slots__ = ("_fns", "monotone", "names", "pins", "ranking", "sig_free", "strategies")

    def __init__(self, strategies: tuple[Strategy, ...]) -> None:
        if not strategies:
            raise ConfigError("a strategy chain needs at least one strategy, got ()")
        ranking: list[RankingStrategy] = []
        pins: list[tuple[int, PinningStrategy]] = []
        for s in strategies:  # each one checked by strategy_tuple
            if isinstance(s, RankingStrategy):
                ranking.append(s)
            else:
                pins.append((len(ranking), s))
        self.strategies = strategies
        self.ranking = tuple(ranking)
        self.pins = tuple(pins)
        self.names = tuple(s.name for s in strategies)
        self.monotone = all(s.monotone for s in ranking)
        self._fns = tuple(s.key for s in ranking)
        # The built-in strategies whose key ignores the signature: an agent's key is then the
        # same in every heap, and is computed once when the agent is pushed everywhere.
        self.sig_free = all(type(s) in (LongestIdle, RoundRobin) for s in ranking)

    def key(self, agent: _Agent, sig: Signature) -> tuple[int, ...]:
        fns = self._fns
        if len(fns) == 1:
            return (fns[0](agent, sig),)
        return tuple([f(agent, sig) for f in fns])


_HeapEntry: TypeAlias = tuple[tuple[int, ...], int, int, _Agent]

#: Any signature, to ask a signature-free chain (``_Chain.sig_free``) for an agent's key.
_PROBE = Signature("chat")


class _SigState:
    """A registered signature: its members per group, availability counts and agent heaps."""

    __slots__ = ("avail", "heaps", "members", "refs", "sig")

    def __init__(self, sig: Signature) -> None:
        self.sig = sig
        self.members: dict[str, dict[str, _Agent]] = {}  # group -> agent id -> agent
        self.avail: dict[str, int] = {}  # group -> members able to take the channel now
        self.heaps: dict[str, dict[_Chain, list[_HeapEntry]]] = {}  # group -> chain -> heap
        self.refs = 0


class AgentPool:
    """Agents, their presence and load, and the indexes that make eligibility cheap.

    Args:
        capacity: How channels share an agent's capacity.
        presence: The declared presence states.

    Every method that raises has changed nothing.
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
        self._agents: dict[str, _Agent] = {}
        self._holder: dict[str, _Agent] = {}  # ticket id -> agent holding it
        self._order = itertools.count()
        self._turns = itertools.count()
        self._by_channel: dict[str, dict[str, _Agent]] = {}
        self._by_skill: dict[str, dict[str, _Agent]] = {}
        self._by_language: dict[str, dict[str, _Agent]] = {}
        self._spare_index: dict[str, dict[str, _Agent]] = {}
        self._sigs: dict[Signature, _SigState] = {}
        self._sigs_by_channel: dict[str, dict[Signature, _SigState]] = {}
        self._chains: dict[tuple[Strategy, ...], _Chain] = {}
        self._non_monotone = False  # some chain re-keys agents after every assignment
        self._held_back: _Agent | None = None  # see _hold_back
        self._held_takeable: frozenset[str] = _NONE
        self._held_keys: list[tuple[int, ...]] = []
        self._sig_free: list[_Chain] = []  # the chains whose keys ignore the signature

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
        ag = self._agent(agent_id)
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
        return self._can(self._agent(agent_id), Channel.parse(channel).name)

    def spare(self, agent_id: str, channel: Channel | str) -> int:
        """How many more tickets of *channel* *agent_id* could take now.

        Raises:
            UnknownAgentError: No such agent.
        """
        return self._spare_of(self._agent(agent_id), Channel.parse(channel).name)

    def is_eligible(self, agent_id: str, signature: Signature) -> bool:
        """Whether *agent_id* meets *signature* and can take its channel now.

        Raises:
            UnknownAgentError: No such agent.
        """
        ag = self._agent(agent_id)
        st = self._register(signature)
        return ag.id in st.members.get(ag.group, {}) and self._can(ag, signature.channel)

    def candidates(self, signature: Signature, *, groups: Iterable[str] | None = None) -> list[str]:
        """Agents eligible for *signature* now, in the order they joined (O(members))."""
        st = self._register(signature)
        wanted = None if groups is None else set(_group_list(groups))
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
        st = self._register(signature)
        if groups is None:
            return sum(st.avail.values())
        return sum(st.avail.get(g, 0) for g in _group_list(groups))

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
        chain = self._chain(strategies)
        st = self._register(signature)
        best: tuple[tuple[int, ...], int, _Agent] | None = None
        for g in list(st.members) if groups is None else _group_list(groups):
            top = self._top(st, g, chain)
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
            ConfigError: A duplicate agent id, an unknown presence state or a bad group.
        """
        if not isinstance(profile, AgentProfile):
            raise ConfigError(f"profile must be an AgentProfile, got {show(profile)}")
        if profile.id in self._agents:
            raise DuplicateAgentError(f"agent {show(profile.id)} is already in the pool")
        routable = self.presence.routable(presence)
        _name("group", group)
        at_us = to_instant_us(at)
        ag = _Agent(self, next(self._order), profile, group, at_us)
        ag.presence = presence
        ag.routable = routable
        self._agents[ag.id] = ag
        self._index(ag)
        ag.takeable = self._takeable(ag)
        self._join_all(ag)  # counts the agent as available where it can take work
        self._index_spare(ag, _NONE, ag.takeable)
        return self.status(ag.id)

    def update(self, profile: AgentProfile, *, at: Instant) -> AgentStatus:
        """Replace an agent's profile (skills, languages, capacity); its load is kept.

        Raises:
            UnknownAgentError: No such agent.
            ConfigError: The new capacity is below what the agent holds now.
        """
        if not isinstance(profile, AgentProfile):
            raise ConfigError(f"profile must be an AgentProfile, got {show(profile)}")
        ag = self._agent(profile.id)
        to_instant_us(at)
        caps = self._caps(profile)
        for channel, n in ag.counts.items():
            if n > caps.get(channel, 0):
                raise ConfigError(
                    f"agent {show(ag.id)} holds {n} {show(channel)} tickets but the new profile "
                    "allows "
                    f"{caps.get(channel, 0)}"
                )
        self._flip(ag, _NONE)
        self._leave_all(ag)  # new stamp: old heap entries are stale
        self._unindex(ag)
        ag.profile = profile
        self._index(ag)
        ag.takeable = self._takeable(ag)
        self._join_all(ag)  # fresh entries and availability for the new memberships
        self._index_spare(ag, _NONE, ag.takeable)
        return self.status(ag.id)

    def remove(self, agent_id: str, *, at: Instant) -> tuple[str, ...]:
        """Remove an agent; returns the ticket ids it still held (now held by nobody).

        Raises:
            UnknownAgentError: No such agent.
        """
        ag = self._agent(agent_id)
        to_instant_us(at)
        self._flip(ag, _NONE)
        self._leave_all(ag)
        self._unindex(ag)
        ag.routable = False
        ag.stamp += 1  # every heap entry of the agent is now stale
        held = tuple(ag.held)
        for tid in held:
            del self._holder[tid]
        del self._agents[agent_id]
        return held

    def set_presence(self, agent_id: str, state: str, *, at: Instant) -> AgentStatus:
        """Set an agent's presence.

        Raises:
            UnknownAgentError: No such agent.
            ConfigError: An undeclared state.
        """
        ag = self._agent(agent_id)
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
        ag = self._agent(agent_id)
        _ticket_id(ticket_id)
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
        self._assign(ag, ticket_id, c, at_us)

    def release(self, agent_id: str, ticket_id: str, *, at: Instant) -> None:
        """Record that *agent_id* no longer holds *ticket_id* (solved, transferred, pending).

        Raises:
            UnknownAgentError: No such agent.
            UnknownTicketError: The agent does not hold the ticket.
        """
        ag = self._agent(agent_id)
        if not isinstance(ticket_id, str) or ticket_id not in ag.held:
            raise UnknownTicketError(
                f"agent {show(agent_id)} does not hold ticket {show(ticket_id)}"
            )
        self._release(ag, ticket_id, to_instant_us(at))

    # -- internals -------------------------------------------------------------------------

    def _release(self, ag: _Agent, ticket_id: str, at_us: int) -> None:
        c = ag.held.pop(ticket_id)
        del self._holder[ticket_id]
        ag.counts[c] -= 1
        if not ag.counts[c]:
            del ag.counts[c]
        ag.n_held -= 1
        ag.load -= self._weights.get(c, 1)
        if c in self._exclusive:
            ag.n_exclusive -= 1
        if ag.n_held == 0:
            ag.idle_since_us = at_us
        if ag is self._held_back:
            ag.takeable = self._takeable(ag)  # exact for the agent; counters wait for _settle
            return
        self._flip(ag, self._takeable(ag))
        self._refresh_heaps(ag)

    def _hold_back(self, ag: _Agent) -> None:
        """Defer *ag*'s counter and heap bookkeeping until :meth:`_settle`.

        An agent that releases a ticket usually takes another at once: its channels flip to
        takeable and straight back, and each flip walks every signature it belongs to.
        While held back, the agent's own ``takeable`` stays exact (it decides what the agent
        may take), and the counters and heaps keep the state from before; :meth:`_settle`
        then does one flip and one heap refresh for the whole exchange.
        """
        self._held_back = ag
        self._held_takeable = ag.takeable
        self._held_keys = [ch.key(ag, _PROBE) for ch in self._sig_free]

    def _settle(self, ag: _Agent) -> None:
        """Publish *ag*'s state after :meth:`_hold_back`: counters, spare index, heaps.

        Heaps keep this invariant: while the agent can take channel *c*, each heap of each
        of its *c* signatures holds an entry of the agent, with its current stamp, whose key
        is at most its true key.  So an entry is pushed only where that could have broken:
        on a channel the agent could not take before, or for a chain whose key may have
        gone down (a signature-free chain is checked by comparing its key before and
        after; any other chain is pushed).  The stamp is kept, so entries already in place
        stay valid; an extra entry of an agent is harmless (``_top`` re-keys or drops it).
        """
        self._held_back = None
        before = self._held_takeable
        after = ag.takeable
        ag.takeable = before
        self._flip(ag, after)
        lowered: set[_Chain] = set()
        for chain, old in zip(self._sig_free, self._held_keys, strict=True):
            if chain.key(ag, _PROBE) < old:
                lowered.add(chain)
        if not lowered and after <= before and len(self._sig_free) == len(self._chains):
            return  # every entry in place is still a lower bound; nothing became takeable
        g = ag.group
        stamp = ag.stamp
        order = ag.order
        push = heapq.heappush
        keys: dict[_Chain, tuple[int, ...]] = {}
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

    def _agent(self, agent_id: object) -> _Agent:
        ag = self._agents.get(agent_id) if isinstance(agent_id, str) else None
        if ag is None:
            raise UnknownAgentError(f"agent {show(agent_id)} is not in the pool")
        return ag

    def _chain(self, strategies: object) -> _Chain:
        strategies = strategy_tuple(strategies)
        chain = self._chains.get(strategies)
        if chain is None:
            chain = self._chains[strategies] = _Chain(strategies)
            self._non_monotone = self._non_monotone or not chain.monotone
            if chain.sig_free:
                self._sig_free.append(chain)
        return chain

    def _caps(self, profile: AgentProfile) -> dict[str, int]:
        limits = self.capacity.limits
        caps = {}
        for c, n in profile.capacity.items():
            m = min(n, limits[c]) if c in limits else n
            if m > 0:
                caps[c] = m
        return caps

    def _index(self, ag: _Agent) -> None:
        ag.caps = self._caps(ag.profile)
        for c in ag.caps:
            self._by_channel.setdefault(c, {})[ag.id] = ag
        for skill in ag.profile.skills:
            self._by_skill.setdefault(skill, {})[ag.id] = ag
        for lang in ag.profile.languages:
            self._by_language.setdefault(lang, {})[ag.id] = ag

    def _unindex(self, ag: _Agent) -> None:
        for c in ag.caps:
            self._by_channel[c].pop(ag.id, None)
        for skill in ag.profile.skills:
            self._by_skill[skill].pop(ag.id, None)
        for lang in ag.profile.languages:
            self._by_language[lang].pop(ag.id, None)

    def _can(self, ag: _Agent, c: str) -> bool:
        # ``ag.takeable`` is kept current by every change of the agent's state (``_flip``).
        return c in ag.takeable

    def _spare_of(self, ag: _Agent, c: str) -> int:
        if c not in ag.takeable:
            return 0
        if c in self._exclusive:
            return 1
        room = ag.caps[c] - ag.counts.get(c, 0)
        budget = self._budget
        if budget is not None:
            room = min(room, (budget - ag.load) // self._weights.get(c, 1))
        return room

    def _takeable(self, ag: _Agent) -> frozenset[str]:
        """The channels *ag* can take one more ticket of now, computed from its state."""
        if not ag.routable or ag.n_exclusive:
            return _NONE
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

    def _flip(self, ag: _Agent, after: frozenset[str]) -> None:
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

    def _index_spare(self, ag: _Agent, before: frozenset[str], after: frozenset[str]) -> None:
        for c in before - after:
            self._spare_index[c].pop(ag.id, None)
        for c in after - before:
            self._spare_index.setdefault(c, {})[ag.id] = ag

    def _refresh_heaps(self, ag: _Agent) -> None:
        """The agent's keys may have gone down: new stamp, fresh entries everywhere."""
        ag.stamp += 1
        self._push_everywhere(ag, only_non_monotone=False)

    def _push_everywhere(self, ag: _Agent, *, only_non_monotone: bool) -> None:
        g = ag.group
        stamp = ag.stamp
        order = ag.order
        takeable = ag.takeable
        push = heapq.heappush
        keys: dict[_Chain, tuple[int, ...]] = {}  # signature-free chains: one key per chain
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

    def _assign(self, ag: _Agent, ticket_id: str, c: str, at_us: int) -> None:
        ag.held[ticket_id] = c
        self._holder[ticket_id] = ag
        ag.counts[c] = ag.counts.get(c, 0) + 1
        ag.n_held += 1
        ag.load += self._weights.get(c, 1)
        if c in self._exclusive:
            ag.n_exclusive += 1
        ag.last_assigned_us = at_us
        ag.turn = next(self._turns)
        if ag is self._held_back:
            ag.takeable = self._takeable(ag)
            return
        self._flip(ag, self._takeable(ag))
        if self._non_monotone:
            self._push_everywhere(ag, only_non_monotone=True)

    def _register(self, sig: Signature) -> _SigState:
        if type(sig) is not Signature and not isinstance(sig, Signature):
            raise ConfigError(f"signature must be a Signature, got {show(sig)}")
        st = self._sigs.get(sig)
        if st is not None:
            return st
        st = _SigState(sig)
        pools: list[Mapping[str, _Agent]] = [self._by_channel.get(sig.channel, {})]
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
        self._sigs[sig] = st
        self._sigs_by_channel.setdefault(sig.channel, {})[sig] = st
        return st

    def _unregister(self, st: _SigState) -> None:
        for members in st.members.values():
            for ag in members.values():
                ag.sigs[st.sig.channel].pop(st.sig, None)
        del self._sigs[st.sig]
        del self._sigs_by_channel[st.sig.channel][st.sig]

    def _join(self, st: _SigState, ag: _Agent) -> None:
        g = ag.group
        c = st.sig.channel
        st.members.setdefault(g, {})[ag.id] = ag
        ag.sigs.setdefault(c, {})[st.sig] = st
        published = self._held_takeable if ag is self._held_back else ag.takeable
        if c in published:
            st.avail[g] = st.avail.get(g, 0) + 1
            for chain, heap in st.heaps.get(g, {}).items():
                heapq.heappush(heap, (chain.key(ag, st.sig), ag.order, ag.stamp, ag))

    def _join_all(self, ag: _Agent) -> None:
        for c in ag.caps:
            for sig, st in list(self._sigs_by_channel.get(c, {}).items()):
                if sig.admits(ag.profile):
                    self._join(st, ag)

    def _leave_all(self, ag: _Agent) -> None:
        # Called with the agent's availability already withdrawn from the counters.
        g = ag.group
        for sigs in ag.sigs.values():
            for st in sigs.values():
                st.members[g].pop(ag.id, None)
        ag.sigs = {}
        ag.stamp += 1

    def _build_heap(self, st: _SigState, g: str, chain: _Chain) -> list[_HeapEntry]:
        c = st.sig.channel
        sig = st.sig
        heap = [
            (chain.key(ag, sig), ag.order, ag.stamp, ag)
            for ag in st.members.get(g, {}).values()
            if self._can(ag, c)
        ]
        heapq.heapify(heap)
        return heap

    def _top(self, st: _SigState, g: str, chain: _Chain) -> tuple[tuple[int, ...], _Agent] | None:
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
        while heap:
            key, order, stamp, ag = heap[0]
            if stamp != ag.stamp or c not in ag.takeable:
                heapq.heappop(heap)
                continue
            true = chain.key(ag, sig)
            if true != key:
                heapq.heapreplace(heap, (true, order, stamp, ag))
                continue
            return key, ag
        return None  # pragma: no cover - avail said somebody is there


# ---------------------------------------------------------------------------------------------
# Relaxation and routing profiles


def _to_drop(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str):
        raise ConfigError(f"drop must be a collection of skill names, got {show(value)}")
    return frozenset(value)


@attrs.frozen
class RelaxationStep:
    """One timed widening of a ticket's requirements.

    Args:
        after: How long after the ticket was queued the step applies.
        proficiency: Lower every minimum proficiency above this value to it
            (``1``: any agent with the skill).
        drop: Skills no longer required.
        any_language: Drop the language requirement.
        overflow_to: Move the ticket to this queue (keeping its key).

    Raises:
        ConfigError: A negative *after*, a proficiency outside 1-5, or a step that does nothing.
    """

    after: timedelta
    proficiency: int | None = None
    drop: frozenset[str] = attrs.field(factory=frozenset, converter=_to_drop)
    any_language: bool = False
    overflow_to: str | None = None
    _after_us: int = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_after_us", duration_us(self.after, "after", ConfigError))
        p = self.proficiency
        if p is not None and (not isinstance(p, int) or isinstance(p, bool) or not 1 <= p <= 5):
            raise ConfigError(f"proficiency must be an int from 1 to 5 or None, got {show(p)}")
        if self.overflow_to is not None:
            _name("overflow_to", self.overflow_to)
        if p is None and not self.drop and not self.any_language and self.overflow_to is None:
            raise ConfigError(f"relaxation step after {show(self.after)} changes nothing")

    @property
    def after_us(self) -> int:
        """*after* in microseconds."""
        return self._after_us

    def apply(self, signature: Signature) -> Signature:
        """*signature* widened by this step (overflow is not a signature change)."""
        return signature.relaxed(
            proficiency=self.proficiency, drop=self.drop, any_language=self.any_language
        )

    def describe(self) -> str:
        """A phrase for reasons: what the step does."""
        parts = []
        if self.proficiency is not None:
            parts.append(
                "any agent with the skill"
                if self.proficiency == 1
                else f"proficiency >= {self.proficiency}"
            )
        if self.drop:
            parts.append(f"without {', '.join(sorted(self.drop))}")
        if self.any_language:
            parts.append("any language")
        if self.overflow_to is not None:
            parts.append(f"overflow to {self.overflow_to!r}")
        return f"after {self.after}: " + ", ".join(parts)


def _to_steps(value: Iterable[RelaxationStep]) -> tuple[RelaxationStep, ...]:
    steps = tuple(value)
    last = -1
    for i, s in enumerate(steps):
        if not isinstance(s, RelaxationStep):
            raise ConfigError(f"steps[{i}]: must be a RelaxationStep, got {show(s)}")
        if s.after_us <= last:
            raise ConfigError(f"steps[{i}]: 'after' must increase, got {show(s.after)}")
        last = s.after_us
    return steps


@attrs.frozen
class Relaxation:
    """A ticket's timed relaxation plan: steps in order of *after*.

    Examples:
        >>> Relaxation((
        ...     RelaxationStep(timedelta(seconds=30), proficiency=3),
        ...     RelaxationStep(timedelta(minutes=2), proficiency=1),
        ...     RelaxationStep(timedelta(minutes=5), overflow_to="general"),
        ... ), name="refunds")  # doctest: +ELLIPSIS
        Relaxation(...)

    Raises:
        ConfigError: Steps whose *after* does not strictly increase.
    """

    steps: tuple[RelaxationStep, ...] = attrs.field(converter=_to_steps)
    name: str = ""

    def signature_at(self, base: Signature, step: int) -> Signature:
        """*base* after the first *step* steps."""
        sig = base
        for s in self.steps[:step]:
            sig = s.apply(sig)
        return sig


def _to_delay(value: timedelta | int) -> timedelta:
    if isinstance(value, timedelta):
        duration_us(value, "delay", ConfigError)
        return value
    if type(value) is int and value >= 0:
        return timedelta(microseconds=value)
    raise ConfigError(
        f"delay must be a non-negative timedelta or int microseconds, got {show(value)}"
    )


@attrs.frozen
class QueueSlot:
    """One queue in a routing profile.

    Args:
        queue: The queue's name.
        priority: Lower is served first; queues of equal priority compete by key.
        delay: Serve this queue only for tickets that waited at least this long (overflow).
    """

    queue: str = attrs.field(validator=lambda _s, _a, v: _name("queue", v))
    priority: int = 1
    delay: timedelta = attrs.field(default=timedelta(0), converter=_to_delay)
    _delay_us: int = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_delay_us", duration_us(self.delay, "delay", ConfigError))

    @property
    def delay_us(self) -> int:
        """*delay* in microseconds."""
        return self._delay_us


def _to_slots(value: Iterable[QueueSlot | str]) -> tuple[QueueSlot, ...]:
    if isinstance(value, str):
        raise ConfigError(f"queues must be a collection of QueueSlot, got {show(value)}")
    slots = tuple(QueueSlot(s) if isinstance(s, str) else s for s in value)
    seen: set[str] = set()
    for i, s in enumerate(slots):
        if not isinstance(s, QueueSlot):
            raise ConfigError(f"queues[{i}]: must be a QueueSlot or a queue name, got {show(s)}")
        if not isinstance(s.priority, int) or isinstance(s.priority, bool):
            raise ConfigError(f"queues[{i}].priority: must be an int, got {show(s.priority)}")
        if s.queue in seen:
            raise ConfigError(f"queues[{i}]: queue {show(s.queue)} listed twice")
        seen.add(s.queue)
    return slots


@attrs.frozen
class RoutingProfile:
    """An agent group's routing profile: which queues it serves, in what order, after what delay.

    Examples:
        >>> RoutingProfile("tier1", [QueueSlot("vip", 1), QueueSlot("general", 2, timedelta(minutes=2))])  # doctest: +ELLIPSIS
        RoutingProfile(...)
    """

    name: str = attrs.field(validator=lambda _s, _a, v: _name("routing profile name", v))
    queues: tuple[QueueSlot, ...] = attrs.field(converter=_to_slots)

    def levels(self) -> list[list[QueueSlot]]:
        """The slots grouped by priority, lowest first."""
        out: dict[int, list[QueueSlot]] = {}
        for s in sorted(self.queues, key=lambda s: s.priority):
            out.setdefault(s.priority, []).append(s)
        return list(out.values())


# ---------------------------------------------------------------------------------------------
# Decisions and changes


@attrs.frozen
class RoutingReason:
    """Why a ticket went to an agent.

    Attributes:
        how: ``"ticket"`` (a ticket was routed: the chain chose among agents), ``"agent"``
            (an agent freed up and took the best waiting ticket it may take), ``"preferred"``
            (a pinning strategy named the agent), ``"reopen"`` (back to the last agent),
            ``"direct"`` (assigned by hand) or ``"batch"``.
        strategies: The strategy chain's names (for ``"agent"``: ``("queue_order",)``).
        candidates: How many agents were eligible (for ``"agent"``: how many group heads the
            agent compared).
        rule: The rule that chose the routing, if the caller named one.
        queue: The queue the ticket waited in.
        signature: The requirements it was matched on.
        step: How many relaxation steps had applied.
    """

    how: str
    strategies: tuple[str, ...]
    candidates: int
    rule: str | None
    queue: str
    signature: Signature
    step: int = 0

    def __str__(self) -> str:
        # The desk formats every assignment's reason; all but the candidate count repeat
        # from one assignment to the next, so that text is formatted once and reused.
        parts = (self.how, self.strategies, self.queue, self.signature, self.step, self.rule)
        fixed = _REASON_TEXT.get(parts)
        if fixed is None:
            fixed = _reason_text(*parts)
            if len(_REASON_TEXT) >= 4096:  # a bound, not an LRU: reasons are few in practice
                _REASON_TEXT.clear()
            _REASON_TEXT[parts] = fixed
        n = self.candidates
        return f"{fixed[0]}{n} candidate{'s' if n != 1 else ''}{fixed[1]}"


_REASON_TEXT: dict[
    tuple[str, tuple[str, ...], str, Signature, int, str | None], tuple[str, str]
] = {}


def _reason_text(
    how: str,
    strategies: tuple[str, ...],
    queue: str,
    signature: Signature,
    step: int,
    rule: str | None,
) -> tuple[str, str]:
    """A reason's text before and after its candidate count."""
    head = f"{how}: {' > '.join(strategies)} among "
    tail = f" in queue {queue!r} on {signature}"
    if step:
        tail += f" after {step} relaxation step{'s' if step != 1 else ''}"
    if rule is not None:
        tail += f" (rule {rule!r})"
    return head, tail


@attrs.frozen
class Assignment:
    """A ticket given to an agent.

    Attributes:
        ticket_id: The ticket.
        agent_id: The agent.
        at_us: When (microseconds).
        callback: The ticket was a call-back: the agent calls the customer.
        reason: Why.
        entry: The queue entry, when the ticket had waited.
    """

    ticket_id: str
    agent_id: str
    at_us: int
    reason: RoutingReason
    callback: bool = False
    entry: QueuedTicket | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def at(self) -> datetime:
        """When, as an aware UTC datetime."""
        return utc(self.at_us)


@attrs.frozen
class Relaxed:
    """A waiting ticket's requirements widened by a relaxation step."""

    ticket_id: str
    at_us: int
    step: int
    signature: Signature
    description: str


@attrs.frozen
class Overflowed:
    """A waiting ticket moved to another queue by a relaxation step (keeping its key)."""

    ticket_id: str
    at_us: int
    from_queue: str
    to_queue: str


@attrs.frozen
class PinReleased:
    """A ticket stopped waiting for its preferred agent and is open to every eligible agent."""

    ticket_id: str
    at_us: int
    agent_id: str


RoutingChange: TypeAlias = Assignment | Relaxed | Overflowed | PinReleased

_REASON_SET = slot_setters(
    RoutingReason, ("how", "strategies", "candidates", "rule", "queue", "signature", "step")
)
_ASSIGNMENT_SET = slot_setters(
    Assignment, ("ticket_id", "agent_id", "at_us", "reason", "callback", "entry")
)


def _reason(
    how: str,
    strategies: tuple[str, ...],
    candidates: int,
    rule: str | None,
    queue: str,
    signature: Signature,
    step: int,
) -> RoutingReason:
    """``RoutingReason(...)`` for the router's own, already valid, values (cheaper)."""
    reason: RoutingReason = new_object(RoutingReason)
    s_how, s_strategies, s_candidates, s_rule, s_queue, s_signature, s_step = _REASON_SET
    s_how(reason, how)
    s_strategies(reason, strategies)
    s_candidates(reason, candidates)
    s_rule(reason, rule)
    s_queue(reason, queue)
    s_signature(reason, signature)
    s_step(reason, step)
    return reason


def _assignment(
    ticket_id: str,
    agent_id: str,
    at_us: int,
    reason: RoutingReason,
    callback: bool,
    entry: QueuedTicket | None,
) -> Assignment:
    """``Assignment(...)`` for the router's own, already valid, values (cheaper)."""
    out: Assignment = new_object(Assignment)
    s_ticket, s_agent, s_at, s_reason, s_callback, s_entry = _ASSIGNMENT_SET
    s_ticket(out, ticket_id)
    s_agent(out, agent_id)
    s_at(out, at_us)
    s_reason(out, reason)
    s_callback(out, callback)
    s_entry(out, entry)
    return out


class BatchScore(Protocol):
    """Scores giving *entry* (at *rank* in the batch, 0 = first in line) to *agent*; higher is better."""

    def __call__(self, agent: AgentState, entry: QueuedTicket, rank: int, /) -> int:
        """The score (an int, so optimal matching is exact)."""
        ...


def default_batch_score(agent: AgentState, entry: QueuedTicket, rank: int, /) -> int:
    """``10**9`` per assignment, then earlier tickets, then summed proficiency.

    With batches under 1,000 tickets, any plan that assigns more tickets scores higher; among
    plans of equal size, the one serving earlier tickets; then better skill fit.
    """
    skills = agent.profile.skills
    fit = sum(skills.get(r.skill, 0) for r in entry.signature.skills)
    return 1_000_000_000 + (999 - min(rank, 999)) * 1_000 + min(fit, 999)


@attrs.frozen
class BatchPlan:
    """A batch assignment plan (not yet applied).

    Attributes:
        method: ``"greedy"`` or ``"optimal"``.
        pairs: ``(ticket_id, agent_id)`` in queue order.
        score: The summed score of the pairs.
        tickets: How many tickets were considered.
        slots: How many agent slots were offered.
    """

    method: str
    pairs: tuple[tuple[str, str], ...]
    score: int
    tickets: int
    slots: int


class _Wait:
    """A waiting ticket's routing state in the router."""

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
        chain: _Chain,
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


# ---------------------------------------------------------------------------------------------
# The router


class Router:
    """Queues plus the agent pool: routes tickets to agents and agents to tickets.

    Args:
        queues: The queues (their names must differ).
        profiles: Routing profiles (agent groups); when empty, one profile ``"default"``
            serves every queue at priority 1 with no delay.
        pool: The agent pool; a new one with default capacity and presence rules if omitted.
        strategies: The default agent-selection chain (ordered tie-breakers).
        relaxation: Default relaxation plan per queue name.

    Raises:
        ConfigError: Duplicate queue names, a profile naming an unknown queue, a relaxation
            overflowing to an unknown queue, or a malformed strategy chain.

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
        profs = list(profiles)
        if not profs:
            profs = [RoutingProfile("default", [QueueSlot(n) for n in self.queues])]
        self.profiles: dict[str, RoutingProfile] = {}
        for i, p in enumerate(profs):
            if not isinstance(p, RoutingProfile):
                raise ConfigError(f"profiles[{i}]: must be a RoutingProfile, got {show(p)}")
            if p.name in self.profiles:
                raise ConfigError(f"profiles[{i}]: profile name {show(p.name)} used twice")
            for j, s in enumerate(p.queues):
                if s.queue not in self.queues:
                    raise ConfigError(
                        f"unknown queue {show(s.queue)}; known: {show(sorted(self.queues))}",
                        f"profiles[{i}].queues[{j}]",
                    )
            self.profiles[p.name] = p
        self._levels = {name: p.levels() for name, p in self.profiles.items()}
        # The same, as (queue, name, delay_us) for the agent-frees-up loop.
        self._pull_levels = {
            name: [[(self.queues[s.queue], s.queue, s.delay_us) for s in level] for level in levels]
            for name, levels in self._levels.items()
        }
        # queue -> [(priority, delay_us, group)], the groups that may take its tickets
        self._serving: dict[str, list[tuple[int, int, str]]] = {n: [] for n in self.queues}
        for p in self.profiles.values():
            for s in p.queues:
                self._serving[s.queue].append((s.priority, s.delay_us, p.name))
                if s.delay_us:
                    self.queues[s.queue].watch(s.delay_us)
        for serving in self._serving.values():
            serving.sort()
        self._chain = self.pool._chain(strategies)
        self._plans: dict[str, Relaxation] = {}
        for qname, plan in (relaxation or {}).items():
            if qname not in self.queues:
                raise ConfigError(f"unknown queue {show(qname)}", f"relaxation.{qname}")
            self._check_plan(plan, f"relaxation.{qname}")
            self._plans[qname] = plan
        self._waiting: dict[str, _Wait] = {}
        self._timers: list[tuple[int, int, str, int]] = []
        self._timer_seq = itertools.count()

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

    def next_step_us(self) -> int | None:
        """The next instant (microseconds) something time-driven is due, or ``None``."""
        timers = self._timers
        while timers:
            _, _, tid, version = timers[0]
            w = self._waiting.get(tid)
            if w is not None and w.version == version:
                break
            heapq.heappop(timers)
        best = timers[0][0] if timers else None
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

        Args:
            profile: Its profile.
            at: Now.
            presence: Its initial presence state.
            routing_profile: Its routing profile (optional when there is only one).
            pull: ``False`` leaves waiting work where it is (for a batch, see
                :meth:`assign_batch`, or a later :meth:`pull`).

        Raises:
            ConfigError: A duplicate agent, unknown presence state or unknown routing profile.
        """
        group = self._group_name(routing_profile)
        self.pool.add(profile, at=at, presence=presence, group=group)
        if not pull:
            return []
        return self._pull(self.pool._agents[profile.id], to_instant_us(at))

    def remove_agent(self, agent_id: str, *, at: Instant) -> tuple[str, ...]:
        """Remove an agent; returns the tickets it held (the caller re-routes them).

        Raises:
            UnknownAgentError: No such agent.
        """
        return self.pool.remove(agent_id, at=at)

    def set_presence(
        self, agent_id: str, state: str, *, at: Instant, pull: bool = True
    ) -> list[Assignment]:
        """Set an agent's presence; if it becomes routable it takes waiting work at once.

        Args:
            agent_id: The agent.
            state: A declared presence state.
            at: Now.
            pull: ``False`` leaves waiting work where it is (many agents logging in at once
                can then be matched with :meth:`assign_batch`).

        Raises:
            UnknownAgentError: No such agent.
            ConfigError: An undeclared state.
        """
        self.pool.set_presence(agent_id, state, at=at)
        if not pull:
            return []
        return self._pull(self.pool._agents[agent_id], to_instant_us(at))

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
        """
        pool = self.pool
        ag = pool._agent(agent_id)
        if not isinstance(ticket_id, str) or ticket_id not in ag.held:
            raise UnknownTicketError(
                f"agent {show(agent_id)} does not hold ticket {show(ticket_id)}"
            )
        at_us = to_instant_us(at)
        if not pull:
            pool._release(ag, ticket_id, at_us)
            return []
        # Release and re-fill as one exchange: the pool publishes the agent's new state once.
        pool._hold_back(ag)
        try:
            pool._release(ag, ticket_id, at_us)
            return self._pull(ag, at_us)
        finally:
            pool._settle(ag)

    def pull(self, agent_id: str, *, at: Instant) -> list[Assignment]:
        """Fill *agent_id*'s spare capacity with the best waiting tickets it may take.

        Commands do this by themselves unless told ``pull=False``; call it after such
        commands for the agents a batch did not fill.

        Raises:
            UnknownAgentError: No such agent.
            CalendarError: A naive *at*.
        """
        ag = self.pool._agent(agent_id)
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
    ) -> Assignment | None:
        """Route a ticket: to an agent now, or into its queue.

        Args:
            ticket: The ticket.
            at: Now.
            queue: Its queue (the first queue when omitted).
            due: Its SLA due instant (for deadline keys).
            queued_at: When it first joined the line (a re-queued ticket keeps its place);
                *at* when omitted.
            relaxation: Its relaxation plan (else the queue's default, if any).
            strategies: The agent-selection chain (else the router's default).
            rule: The name of the rule that chose this routing, for the reason.
            last_agent: The agent who last served this customer (for :class:`PreferredAgent`).
            last_contact_at: When that was.
            signature: Requirements overriding ``Signature.of(ticket)``.
            route: ``False`` only queues the ticket, even when an agent could take it now (a
                burst to be matched with :meth:`assign_batch`); its timers still run.

        Returns:
            The assignment, or ``None`` when the ticket now waits.

        Raises:
            DuplicateTicketError: The ticket is already waiting or held.
            ConfigError: An unknown queue, a bad plan or chain, or a key policy refusal.
            CalendarError: A naive instant.
        """
        w, at_us = self._admit(
            ticket, at, queue, due, queued_at, relaxation, strategies, rule, signature
        )
        last_us = (
            None if last_contact_at is None else to_instant_us(last_contact_at, "last_contact_at")
        )
        q = self.queues[w.queue]
        band, vdue = q.key_policy(make_key_context(ticket, w.queued_at_us, w.due_us))
        # -- nothing has changed so far; from here on nothing raises --
        w.queue = self._catch_up(w, at_us)
        # Only pinning strategies read the context: skip building it for plain chains.
        ctx = (
            SelectionContext(ticket, w.queue, at_us, last_agent, last_us) if w.chain.pins else None
        )
        if route:
            found = self._select(w, at_us, ctx)
            if ctx is None:
                pass
            elif found is not None and found[1].how != "preferred":
                # Another agent is free, but the customer's preferred agent, busy now, may
                # be worth waiting for (the pin's timeout).
                if self._pin_if_held(w, ctx, at_us, found[0]):
                    found = None
            elif found is None:
                self._pin_if_held(w, ctx, at_us)
            if found is not None:
                ag, reason = found
                return self._give(ag, w, None, reason, at_us)
        self.pool._register(w.sig).refs += 1
        self.queues[w.queue].push_key(
            ticket.id,
            band=band,
            due=vdue,
            at=w.queued_at_us,
            signature=w.sig,
            ticket=ticket,
        )
        self._waiting[ticket.id] = w
        self._arm(w)
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

    def reprioritize(self, ticket: Ticket, *, due: Instant | None = None) -> QueuedTicket:
        """Recompute a waiting ticket's key (new priority or due instant); it keeps its FIFO place.

        Raises:
            UnknownTicketError: The ticket is not waiting.
        """
        w = self._wait(_ticket(ticket).id)
        entry = self.queues[w.queue].reprioritize(ticket, due=due)
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
        q.move(ticket_id, w.open_sig)  # drop a pin first
        q.request_callback(ticket_id, channel=name)  # keeps the key, flags it, moves channel
        w.pin = None
        w.open_sig = w.sig = w.open_sig.on_channel(name)
        self.pool._register(w.sig).refs += 1
        self._unref(old)
        w.version += 1
        self._arm(w)
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
        _ticket(ticket)
        ag = self.pool._agent(agent_id)
        at_us = to_instant_us(at)
        if rule is not None:
            _name("rule", rule)
        if ticket.id in self.pool._holder:
            raise DuplicateTicketError(f"ticket {show(ticket.id)} is already held")
        w = self._waiting.get(ticket.id)
        sig = w.open_sig if w is not None else Signature.of(ticket)
        if not self._eligible(ag, sig):
            raise CapacityExceededError(
                f"agent {agent_id!r} cannot take ticket {ticket.id!r} on {sig} now"
            )
        if w is None:
            w = _Wait(ticket, next(iter(self.queues)), sig, None, self._chain, rule, at_us, None)
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
    ) -> Assignment | None:
        """Route a reopened ticket: back to *last_agent* when it can take it now, else as new.

        Raises:
            DuplicateTicketError: The ticket is already waiting or held.
            ConfigError: An unknown queue.
        """
        _ticket(ticket)
        if ticket.id in self._waiting or ticket.id in self.pool._holder:
            raise DuplicateTicketError(f"ticket {show(ticket.id)} is already waiting or held")
        at_us = to_instant_us(at)
        qname = self._queue_name(queue)
        if due is not None:
            to_instant_us(due, "due")
        if rule is not None:
            _name("rule", rule)
        if last_agent is not None and not isinstance(last_agent, str):
            raise ConfigError(f"last_agent must be an agent id or None, got {show(last_agent)}")
        ag = self.pool._agents.get(last_agent) if last_agent is not None else None
        sig = Signature.of(ticket)
        if ag is not None and self._eligible(ag, sig) and self._serves(ag.group, qname, 0):
            w = _Wait(ticket, qname, sig, None, self._chain, rule, at_us, None)
            reason = RoutingReason("reopen", ("last_agent",), 1, rule, qname, sig)
            return self._give(ag, w, None, reason, at_us, already_dropped=True)
        return self.submit(ticket, at=at, queue=qname, due=due, rule=rule)

    # -- time ------------------------------------------------------------------------------

    def advance(self, at: Instant) -> list[RoutingChange]:
        """Fire what is due at *at*: relaxation steps, pin expiries, overflow visibility.

        Returns:
            The changes, in order: :class:`Relaxed`, :class:`Overflowed`,
            :class:`PinReleased`, and the :class:`Assignment` each made possible.
        """
        at_us = to_instant_us(at)
        out: list[RoutingChange] = []
        timers = self._timers
        while timers and timers[0][0] <= at_us:
            _, _, tid, version = heapq.heappop(timers)
            w = self._waiting.get(tid)
            if w is None or w.version != version:
                continue
            out.extend(self._fire(w, at_us))
        for q in self.queues.values():
            for _, entry in q.refresh(at_us):
                w = self._waiting.get(entry.ticket_id)
                if w is not None:
                    got = self._route_waiting(w, at_us)
                    if got is not None:
                        out.append(got)
        return out

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

        Greedy takes tickets in queue order and gives each the free slot scoring highest.
        Optimal solves a maximum-weight matching (networkx) on the bipartite graph of agent
        slots x tickets, so it never scores below greedy.  It matters when skills are scarce
        and overlap: greedy may give the only agent able to take ticket B to ticket A, which
        others could have taken.  With interchangeable agents both give the same plan.  The
        matching costs O(V^3) on the number of slots and tickets: keep optimal batches to a
        few hundred.

        Args:
            at: Now.
            method: ``"greedy"`` or ``"optimal"``.
            channel: The channel to plan (slots on one channel never interact).
            score: The score of a pair; :func:`default_batch_score` by default.
            limit: How many tickets to consider (default: twice the free slots).

        Raises:
            ConfigError: An unknown method or a bad limit.
        """
        if method not in ("greedy", "optimal"):
            raise ConfigError(f"method must be 'greedy' or 'optimal', got {show(method)}")
        if not callable(score):
            raise ConfigError(
                f"score must be a callable (agent, entry, rank) -> int, got {show(score)}"
            )
        at_us = to_instant_us(at)
        c = Channel.parse(channel).name
        agents, slots, tickets, edges = self._batch_problem(c, at_us, limit)
        weights = {(r, ag.id): score(ag, tickets[r][1], r) for r, ag in edges}
        if method == "greedy":
            pairs = self._greedy(agents, slots, tickets, edges, weights)
        else:
            pairs = self._optimal(agents, slots, tickets, edges, weights)
        total = sum(weights[(r, aid)] for r, aid in pairs)
        ordered = tuple((tickets[r][1].ticket_id, aid) for r, aid in sorted(pairs))
        return BatchPlan(method, ordered, total, len(tickets), sum(slots.values()))

    def assign_batch(
        self,
        *,
        at: Instant,
        method: Literal["greedy", "optimal"] = "greedy",
        channel: Channel | str,
        score: BatchScore = default_batch_score,
        limit: int | None = None,
    ) -> list[Assignment]:
        """Plan (see :meth:`plan_batch`) and apply a batch assignment on one channel."""
        plan = self.plan_batch(at=at, method=method, channel=channel, score=score, limit=limit)
        at_us = to_instant_us(at)
        out = []
        for tid, aid in plan.pairs:
            w = self._waiting[tid]
            ag = self.pool._agents[aid]
            if not self.pool._can(ag, w.sig.channel):  # pragma: no cover - slots are exact
                continue
            entry = self.queues[w.queue].remove(tid)
            self._drop(w)
            reason = RoutingReason(
                "batch", (plan.method,), plan.slots, w.rule, w.queue, w.sig, w.step
            )
            out.append(self._give(ag, w, entry, reason, at_us, already_dropped=True))
        return out

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

    def _wait(self, ticket_id: str) -> _Wait:
        w = self._waiting.get(ticket_id) if isinstance(ticket_id, str) else None
        if w is None:
            raise UnknownTicketError(f"ticket {show(ticket_id)} is not waiting")
        return w

    def _check_plan(self, plan: object, path: str) -> Relaxation:
        if not isinstance(plan, Relaxation):
            raise ConfigError(f"must be a Relaxation, got {show(plan)}", path)
        for i, s in enumerate(plan.steps):
            if s.overflow_to is not None and s.overflow_to not in self.queues:
                raise ConfigError(
                    f"unknown queue {show(s.overflow_to)}; known: {show(sorted(self.queues))}",
                    f"{path}.steps[{i}].overflow_to",
                )
        return plan

    def _admit(
        self,
        ticket: Ticket,
        at: Instant,
        queue: str | None,
        due: Instant | None,
        queued_at: Instant | None,
        relaxation: Relaxation | None,
        strategies: Sequence[Strategy] | None,
        rule: str | None,
        signature: Signature | None,
    ) -> tuple[_Wait, int]:
        if not isinstance(ticket, Ticket):
            raise ConfigError(f"ticket must be a Ticket, got {show(ticket)}")
        tid = ticket.id
        if tid in self._waiting or tid in self.pool._holder:
            raise DuplicateTicketError(f"ticket {show(tid)} is already waiting or held")
        qname = self._queue_name(queue)
        at_us = to_instant_us(at)
        due_us = None if due is None else to_instant_us(due, "due")
        q_us = at_us if queued_at is None else to_instant_us(queued_at, "queued_at")
        plan = self._plans.get(qname) if relaxation is None else relaxation
        if plan is not None:
            self._check_plan(plan, "relaxation")
        chain = self._chain if strategies is None else self.pool._chain(strategies)
        if rule is not None:
            _name("rule", rule)
        if signature is None:
            sig = Signature.of(ticket)
        elif isinstance(signature, Signature):
            sig = signature
        else:
            raise ConfigError(f"signature must be a Signature, got {show(signature)}")
        return _Wait(ticket, qname, sig, plan, chain, rule, q_us, due_us), at_us

    def _catch_up(self, w: _Wait, at_us: int) -> str:
        """Apply the relaxation steps already due (a ticket queued in the past); the queue."""
        plan = w.plan
        queue = w.queue
        if plan is None:
            return queue
        waited = at_us - w.queued_at_us
        while w.step < len(plan.steps) and plan.steps[w.step].after_us <= waited:
            step = plan.steps[w.step]
            w.open_sig = step.apply(w.open_sig)
            if step.overflow_to is not None:
                queue = step.overflow_to
            w.step += 1
        w.sig = w.open_sig
        return queue

    def _eligible(self, ag: _Agent, sig: Signature) -> bool:
        return (
            ag.caps.get(sig.channel, 0) > 0
            and sig.admits(ag.profile)
            and self.pool._can(ag, sig.channel)
        )

    def _serves(self, group: str, queue: str, waited_us: int) -> int | None:
        """The priority at which *group* serves *queue* for a ticket that waited so long."""
        for prio, delay, g in self._serving[queue]:
            if g == group and delay <= waited_us:
                return prio
        return None

    def _select(
        self, w: _Wait, at_us: int, ctx: SelectionContext | None
    ) -> tuple[_Agent, RoutingReason] | None:
        pool = self.pool
        st = pool._register(w.sig)
        chain = w.chain
        waited = at_us - w.queued_at_us
        best: tuple[int, tuple[int, ...], int, _Agent] | None = None
        count = 0
        for prio, delay, g in self._serving[w.queue]:
            if delay > waited:
                continue
            count += st.avail.get(g, 0)
            top = pool._top(st, g, chain)
            if top is not None:
                cand = (prio, top[0], top[1].order, top[1])
                if best is None or cand[:3] < best[:3]:
                    best = cand
        if ctx is not None and chain.pins and w.sig.agent is None:
            for prefix_len, pin in chain.pins:
                aid = pin.pick(ctx)
                ag = pool._agents.get(aid) if aid is not None else None
                if ag is None or ag.id not in st.members.get(ag.group, {}):
                    continue
                if w.sig.channel not in ag.takeable:
                    continue
                pin_prio = self._serves(ag.group, w.queue, waited)
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
        reason = _reason(how, chain.names, count, w.rule, w.queue, w.sig, w.step)
        return best[3], reason

    def _pin_if_held(
        self, w: _Wait, ctx: SelectionContext, at_us: int, rival: _Agent | None = None
    ) -> bool:
        """Reserve a ticket for its preferred agent when that agent is busy but routable.

        With a *rival* (an agent free now), the ticket waits only when the preferred agent
        would tie with or beat the rival on the ranking strategies before the pin -- the
        same rule by which a free preferred agent wins.  Returns whether it pinned.
        """
        waited = at_us - w.queued_at_us
        for prefix_len, pin in w.chain.pins:
            hold = pin.hold_us
            if hold <= 0:
                continue
            aid = pin.pick(ctx)
            ag = self.pool._agents.get(aid) if aid is not None else None
            if ag is None or not ag.routable or ag is rival:
                continue
            if ag.caps.get(w.open_sig.channel, 0) <= 0 or not w.open_sig.admits(ag.profile):
                continue
            prio = self._serves(ag.group, w.queue, waited)
            if prio is None:
                continue
            if rival is not None:
                rival_prio = self._serves(rival.group, w.queue, waited)
                mine = (prio, w.chain.key(ag, w.open_sig)[:prefix_len])
                theirs = (rival_prio, w.chain.key(rival, w.open_sig)[:prefix_len])
                if rival_prio is not None and theirs < mine:
                    continue
            w.pin = ag.id
            w.pin_until = at_us + hold
            w.sig = w.open_sig.pinned(ag.id)
            return True
        return False

    def _give(
        self,
        ag: _Agent,
        w: _Wait,
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
        self.pool._assign(ag, tid, w.sig.channel, at_us)
        callback = entry.callback if entry is not None else False
        return _assignment(tid, ag.id, at_us, reason, callback, entry)

    def _drop(self, w: _Wait) -> None:
        del self._waiting[w.ticket.id]
        self._unref(w.sig)
        w.version += 1  # its timers are stale now

    def _unref(self, sig: Signature) -> None:
        st = self.pool._sigs.get(sig)
        if st is None:
            return
        st.refs -= 1
        if st.refs <= 0 and sig.agent is not None:
            self.pool._unregister(st)

    def _arm(self, w: _Wait) -> None:
        when: int | None = None
        if w.pin is not None:
            when = w.pin_until
        plan = w.plan
        if plan is not None and w.step < len(plan.steps):
            due = w.queued_at_us + plan.steps[w.step].after_us
            when = due if when is None else min(when, due)
        if when is not None:
            heapq.heappush(self._timers, (when, next(self._timer_seq), w.ticket.id, w.version))

    def _move(self, w: _Wait, sig: Signature, queue: str) -> None:
        old_sig, old_queue = w.sig, w.queue
        if sig == old_sig and queue == old_queue:
            return
        self.pool._register(sig).refs += 1
        if queue != old_queue:
            entry = self.queues[old_queue].remove(w.ticket.id)
            self.queues[queue].insert(attrs.evolve(entry, signature=sig))
            w.queue = queue
        else:
            self.queues[queue].move(w.ticket.id, sig)
        w.sig = sig
        self._unref(old_sig)

    def _fire(self, w: _Wait, at_us: int) -> list[RoutingChange]:
        out: list[RoutingChange] = []
        tid = w.ticket.id
        if w.pin is not None and w.pin_until <= at_us:
            out.append(PinReleased(tid, at_us, w.pin))
            w.pin = None
        plan = w.plan
        queue = w.queue
        if plan is not None:
            waited = at_us - w.queued_at_us
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
        target = w.open_sig if w.pin is None else w.open_sig.pinned(w.pin)
        self._move(w, target, queue)
        w.version += 1
        self._arm(w)
        got = self._route_waiting(w, at_us)
        if got is not None:
            out.append(got)
        return out

    def _route_waiting(self, w: _Wait, at_us: int) -> Assignment | None:
        found = self._select(w, at_us, None)
        if found is None:
            return None
        ag, reason = found
        entry = self.queues[w.queue].remove(w.ticket.id)
        self._drop(w)
        return self._give(ag, w, entry, reason, at_us, already_dropped=True)

    def _pull(self, ag: _Agent, at_us: int) -> list[Assignment]:
        """Fill *ag*'s spare capacity with the best waiting tickets it may take."""
        out: list[Assignment] = []
        pool = self.pool
        levels = self._pull_levels[ag.group]
        queues = self.queues
        while ag.takeable and ag.routable and ag.id in pool._agents:
            best: QueuedTicket | None = None
            best_q = ""
            heads = 0
            takeable = ag.takeable
            for level in levels:
                for c, sigs in ag.sigs.items():
                    if not sigs or c not in takeable:
                        continue
                    for q, qname, delay in level:
                        if not q._channel_groups.get(c):
                            continue  # nothing waits on this channel in this queue
                        e = (
                            q._head(sigs)
                            if delay == 0
                            else q.peek(sigs.keys(), waited=delay, at=at_us)
                        )
                        if e is not None:
                            heads += 1
                            if best is None or e.key < best.key:
                                best, best_q = e, qname
                if best is not None:
                    break
            if best is None:
                break
            w = self._waiting[best.ticket_id]
            queues[best_q].remove(best.ticket_id)
            self._drop(w)
            reason = _reason("agent", ("queue_order",), heads, w.rule, best_q, w.sig, w.step)
            out.append(self._give(ag, w, best, reason, at_us, already_dropped=True))
        return out

    # -- batch internals -------------------------------------------------------------------

    def _batch_problem(
        self, c: str, at_us: int, limit: int | None
    ) -> tuple[
        list[_Agent],
        dict[str, int],
        list[tuple[str, QueuedTicket]],
        list[tuple[int, _Agent]],
    ]:
        pool = self.pool
        agents = sorted(pool._spare_index.get(c, {}).values(), key=lambda a: a.order)
        slots = {ag.id: pool._spare_of(ag, c) for ag in agents}
        slots = {k: v for k, v in slots.items() if v > 0}
        agents = [ag for ag in agents if ag.id in slots]
        total = sum(slots.values())
        if limit is None:
            limit = 2 * total
        elif not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
            raise ConfigError(f"limit must be a non-negative int or None, got {show(limit)}")
        found: list[tuple[str, QueuedTicket]] = []
        for name, q in self.queues.items():
            sigs = [s for s in q.signatures() if s.channel == c]
            found.extend((name, e) for e in q.heads(sigs, limit))
        found.sort(key=lambda pair: pair[1].key)
        tickets = found[:limit]
        edges: list[tuple[int, _Agent]] = []
        for r, (qname, e) in enumerate(tickets):
            st = pool._register(e.signature)
            waited = at_us - e.queued_at_us
            for ag in agents:
                if (
                    ag.id in st.members.get(ag.group, {})
                    and self._serves(ag.group, qname, waited) is not None
                ):
                    edges.append((r, ag))
        return agents, slots, tickets, edges

    @staticmethod
    def _greedy(
        agents: list[_Agent],
        slots: dict[str, int],
        tickets: list[tuple[str, QueuedTicket]],
        edges: list[tuple[int, _Agent]],
        weights: dict[tuple[int, str], int],
    ) -> list[tuple[int, str]]:
        left = dict(slots)
        by_ticket: dict[int, list[_Agent]] = {}
        for r, ag in edges:
            by_ticket.setdefault(r, []).append(ag)
        pairs = []
        for r in range(len(tickets)):
            choice: _Agent | None = None
            for ag in by_ticket.get(r, ()):
                if left[ag.id] and (
                    choice is None or weights[(r, ag.id)] > weights[(r, choice.id)]
                ):
                    choice = ag
            if choice is not None:
                left[choice.id] -= 1
                pairs.append((r, choice.id))
        return pairs

    @staticmethod
    def _optimal(
        agents: list[_Agent],
        slots: dict[str, int],
        tickets: list[tuple[str, QueuedTicket]],
        edges: list[tuple[int, _Agent]],
        weights: dict[tuple[int, str], int],
    ) -> list[tuple[int, str]]:
        graph: nx.Graph[tuple[str, int, int]] = nx.Graph()
        for r, ag in edges:
            for j in range(slots[ag.id]):
                graph.add_edge(("t", r, 0), ("a", ag.order, j), weight=weights[(r, ag.id)])
        by_order = {ag.order: ag.id for ag in agents}
        pairs = []
        for u, v in nx.max_weight_matching(graph):
            t, a = (u, v) if u[0] == "t" else (v, u)
            pairs.append((t[1], by_order[a[1]]))
        return pairs


# ---------------------------------------------------------------------------------------------
# Escalation


def _to_team_list(value: object, path: str) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ConfigError(f"must be a list of team names, got {show(value)}", path)
    out = list(value)
    for i, t in enumerate(out):
        if not isinstance(t, str) or not t:
            raise ConfigError(
                f"team name must be a non-empty string, got {show(t)}", f"{path}[{i}]"
            )
    return out


class EscalationGraph:
    """Teams and who may escalate to whom, as a validated networkx ``DiGraph``.

    Args:
        teams: Every team.
        edges: ``(from_team, to_team)`` escalations allowed.
        entry: Where tickets start (the front line); every team must be reachable from them.

    Raises:
        ConfigError: Unknown teams, duplicate teams, a cycle, or an unreachable team; the
            error's path names the offending part (``edges[2]``, ``teams[4]``).

    Examples:
        >>> g = EscalationGraph.from_dict({
        ...     "teams": ["front", "technical", "engineering", "finance"],
        ...     "entry": ["front"],
        ...     "edges": {"front": ["technical", "finance"], "technical": ["engineering"]},
        ... })
        >>> g.can_escalate("front", "finance")
        True
    """

    def __init__(
        self,
        teams: Iterable[str],
        edges: Iterable[tuple[str, str]],
        entry: Iterable[str],
        *,
        _paths: Sequence[str] | None = None,
    ) -> None:
        team_list = _to_team_list(teams, "teams")
        seen: set[str] = set()
        for i, t in enumerate(team_list):
            if t in seen:
                raise ConfigError(f"team {show(t)} listed twice", f"teams[{i}]")
            seen.add(t)
        entry_list = _to_team_list(entry, "entry")
        if not entry_list:
            raise ConfigError("at least one entry team is required, got []", "entry")
        for i, t in enumerate(entry_list):
            if t not in seen:
                raise ConfigError(f"unknown team {show(t)}", f"entry[{i}]")
        edge_list = list(edges)
        paths = (
            list(_paths) if _paths is not None else [f"edges[{i}]" for i in range(len(edge_list))]
        )
        graph: nx.DiGraph[str] = nx.DiGraph()
        graph.add_nodes_from(team_list)
        for edge, path in zip(edge_list, paths, strict=True):
            if not (isinstance(edge, tuple) and len(edge) == 2):
                raise ConfigError(f"an edge must be a (from, to) pair, got {show(edge)}", path)
            src, dst = edge
            for t in (src, dst):
                if not isinstance(t, str) or t not in seen:
                    raise ConfigError(f"unknown team {show(t)}; known: {show(team_list)}", path)
            graph.add_edge(src, dst)
        try:
            cycle = nx.find_cycle(graph)
        except nx.NetworkXNoCycle:
            pass
        else:
            loop = " -> ".join([cycle[0][0], *(v for _, v in cycle)])
            raise ConfigError(f"escalation cycle {loop}", "edges")
        reachable: set[str] = set()
        for t in entry_list:
            reachable |= nx.descendants(graph, t) | {t}
        for i, t in enumerate(team_list):
            if t not in reachable:
                raise ConfigError(
                    f"team {show(t)} cannot be reached from the entry teams {show(entry_list)}",
                    f"teams[{i}]",
                )
        self._graph = graph
        self.teams: tuple[str, ...] = tuple(team_list)
        self.entry: tuple[str, ...] = tuple(entry_list)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> EscalationGraph:
        """Load from plain data: ``{"teams": [...], "entry": [...], "edges": {...}}``.

        ``edges`` maps a team to the teams it may escalate to (or is a list of pairs).

        Raises:
            ConfigError: Anything malformed, with its path.
        """
        if not isinstance(data, Mapping):
            raise ConfigError(f"escalation config must be a mapping, got {show(data)}")
        unknown = set(data) - {"teams", "entry", "edges"}
        if unknown:
            raise ConfigError(
                f"unknown keys {show(sorted(unknown, key=repr))}; expected teams, entry, edges"
            )
        if "teams" not in data:
            raise ConfigError("'teams' is required", "teams")
        if "entry" not in data:
            raise ConfigError("'entry' is required (the front-line teams)", "entry")
        raw = data.get("edges", {})
        edges: list[tuple[str, str]] = []
        paths: list[str] = []
        if isinstance(raw, Mapping):
            for src, dsts in raw.items():
                for i, dst in enumerate(_to_team_list(dsts, f"edges.{src}")):
                    edges.append((src, dst))
                    paths.append(f"edges.{src}[{i}]")
        elif isinstance(raw, Iterable) and not isinstance(raw, str):
            for i, pair in enumerate(raw):
                if not (
                    isinstance(pair, Sequence) and not isinstance(pair, str) and len(pair) == 2
                ):
                    raise ConfigError(
                        f"an edge must be a [from, to] pair, got {show(pair)}", f"edges[{i}]"
                    )
                edges.append((pair[0], pair[1]))
                paths.append(f"edges[{i}]")
        else:
            raise ConfigError(f"must be a mapping or a list of pairs, got {show(raw)}", "edges")
        teams = data["teams"]
        entry = data["entry"]
        return cls(
            _to_team_list(teams, "teams"), edges, _to_team_list(entry, "entry"), _paths=paths
        )

    @property
    def graph(self) -> nx.DiGraph[str]:
        """A copy of the graph (changing it does not change this object)."""
        return self._graph.copy()

    def can_escalate(self, src: str, dst: str) -> bool:
        """Whether *src* may escalate directly to *dst*."""
        return self._graph.has_edge(src, dst)

    def targets(self, team: str) -> tuple[str, ...]:
        """The teams *team* may escalate to directly.

        Raises:
            ConfigError: An unknown team.
        """
        self._team(team)
        return tuple(self._graph.successors(team))

    def path(self, src: str, dst: str) -> list[str] | None:
        """The shortest chain of escalations from *src* to *dst*, or ``None``.

        Raises:
            ConfigError: An unknown team.
        """
        self._team(src)
        self._team(dst)
        try:
            return list(nx.shortest_path(self._graph, src, dst))
        except nx.NetworkXNoPath:
            return None

    def _team(self, team: str) -> None:
        if team not in self._graph:
            raise ConfigError(f"team must be one of {show(list(self.teams))}, got {show(team)}")


@attrs.frozen
class TransferPolicy:
    """How many hand-overs (transfers and escalations) a ticket may have.

    Args:
        max_transfers: The limit, or ``None`` for none.
        on_limit: ``"refuse"`` raises :class:`TransferLimitError` on the hand-over past the
            limit; ``"flag"`` lets it through with ``flagged=True`` (the desk emits
            ``TransferLimitReached``).
    """

    max_transfers: int | None = 3
    on_limit: Literal["refuse", "flag"] = "refuse"

    def __attrs_post_init__(self) -> None:
        m = self.max_transfers
        if m is not None and (not isinstance(m, int) or isinstance(m, bool) or m < 0):
            raise ConfigError(f"max_transfers must be an int >= 0 or None, got {show(m)}")
        if self.on_limit not in ("refuse", "flag"):
            raise ConfigError(f"on_limit must be 'refuse' or 'flag', got {show(self.on_limit)}")


@attrs.frozen
class HandOver:
    """A recorded hand-over.

    Attributes:
        ticket_id: The ticket.
        kind: ``"transfer"`` or ``"escalation"``.
        count: Hand-overs of the ticket so far, this one included.
        flagged: It went past ``max_transfers`` under the ``"flag"`` policy.
        from_team: The team handing over, if known.
        to_team: The team receiving, if known.
        at_us: When.
    """

    ticket_id: str
    kind: str
    count: int
    flagged: bool
    from_team: str | None
    to_team: str | None
    at_us: int


class TransferLedger:
    """Counts transfers and escalations per ticket and applies a :class:`TransferPolicy`.

    Args:
        policy: The limit and what to do past it.
        graph: When given, escalations must follow its edges.
    """

    def __init__(
        self, policy: TransferPolicy | None = None, graph: EscalationGraph | None = None
    ) -> None:
        self.policy = TransferPolicy() if policy is None else policy
        self.graph = graph
        self._counts: dict[str, int] = {}

    def count(self, ticket_id: str) -> int:
        """Hand-overs of *ticket_id* so far."""
        return self._counts.get(ticket_id, 0)

    def would_flag(self, ticket_id: str) -> bool:
        """Whether the next hand-over of *ticket_id* goes past the limit."""
        m = self.policy.max_transfers
        return m is not None and self.count(ticket_id) >= m

    def check(self, ticket_id: str) -> None:
        """Raise if the policy would refuse the next hand-over of *ticket_id* (changes nothing).

        Raises:
            TransferLimitError: The ticket reached ``max_transfers`` and the policy refuses.
        """
        if self.would_flag(ticket_id) and self.policy.on_limit == "refuse":
            raise TransferLimitError(
                f"ticket {ticket_id!r} was handed over {self.count(ticket_id)} times; "
                f"max_transfers={self.policy.max_transfers} refuses another"
            )

    def hand_over(
        self,
        ticket_id: str,
        *,
        at: Instant,
        kind: Literal["transfer", "escalation"] = "transfer",
        from_team: str | None = None,
        to_team: str | None = None,
    ) -> HandOver:
        """Record a hand-over of *ticket_id*.

        Raises:
            ConfigError: An unknown kind, or an escalation without both teams.
            InvalidTransitionError: The escalation graph has no edge ``from_team -> to_team``.
            TransferLimitError: The ticket reached ``max_transfers`` and the policy refuses.
        """
        if kind not in ("transfer", "escalation"):
            raise ConfigError(f"kind must be 'transfer' or 'escalation', got {show(kind)}")
        at_us = to_instant_us(at)
        if kind == "escalation" and self.graph is not None:
            if from_team is None or to_team is None:
                raise ConfigError("an escalation needs from_team and to_team")
            self.graph._team(from_team)
            self.graph._team(to_team)
            if not self.graph.can_escalate(from_team, to_team):
                raise InvalidTransitionError(
                    f"team {show(from_team)} may not escalate to {show(to_team)}; allowed: "
                    f"{show(list(self.graph.targets(from_team)))}"
                )
        self.check(ticket_id)
        flagged = self.would_flag(ticket_id)
        n = self._counts[ticket_id] = self.count(ticket_id) + 1
        return HandOver(ticket_id, kind, n, flagged, from_team, to_team, at_us)

    def forget(self, ticket_id: str) -> None:
        """Drop *ticket_id*'s count (closed for good)."""
        self._counts.pop(ticket_id, None)
