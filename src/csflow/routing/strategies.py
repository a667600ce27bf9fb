"""Agent-selection strategies: how the candidates for a ticket are ranked, and pinning to a
preferred agent.

A strategy chain is a sequence of ordered tie-breakers.  A :class:`RankingStrategy` gives
each candidate agent an integer key (lower first); a :class:`PinningStrategy` names one agent
(the customer's preferred or last agent) that wins when it ties with the best candidate on
the ranking strategies before it.  :class:`AgentState` is everything a strategy (or a batch
score) may read about an agent.  The pool compiles a chain once (:class:`Chain`) and keeps,
per signature and agent group, a heap ordered by the chain's key (see
:mod:`csflow.routing.pool`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Protocol, TypeAlias, runtime_checkable

import attrs

from csflow._text import show
from csflow._time import duration_us
from csflow.errors import ConfigError
from csflow.model import AgentProfile, Ticket
from csflow.queues import Signature

__all__ = [
    "AgentState",
    "BestProficiency",
    "Chain",
    "LongestIdle",
    "MostSpareCapacity",
    "PinningStrategy",
    "PreferredAgent",
    "RankingStrategy",
    "RoundRobin",
    "SelectionContext",
    "Strategy",
    "strategy_tuple",
]

_BUSY = 1 << 62  # LongestIdle: busy agents rank after every idle one


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


@attrs.frozen
class SelectionContext:
    """What a pinning strategy sees when a ticket is routed.

    Args:
        ticket: The ticket.
        queue: Its queue's name.
        at_us: The current instant (microseconds).
        last_agent: The agent who last served this customer, if the caller knows one.
        last_contact_us: When that was (microseconds), if known.
        handed_off_by: The agent handing the ticket off (a transfer or an escalation away
            from it), if any.  The customer was moved away from that agent, or the agent
            asked for help: the router never prefers it nor holds the ticket for it
            (:func:`pin_candidates` leaves it out), whatever a pinning strategy names.
    """

    ticket: Ticket
    queue: str
    at_us: int
    last_agent: str | None = None
    last_contact_us: int | None = None
    handed_off_by: str | None = None


@runtime_checkable
class RankingStrategy(Protocol):
    """Orders candidate agents: lower key first.  Combine several as ordered tie-breakers.

    The key may depend only on the agent's state and the signature, and may change only when
    the agent's state does (assignment, release, presence, profile).  Set ``monotone`` when
    assigning a ticket never *lowers* the key: the pool then re-keys lazily after assignments
    (see :mod:`csflow.routing.pool`) instead of re-inserting the agent everywhere.
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

    The two are tried in that order (:meth:`candidates`): a preferred agent who cannot take
    the ticket (offline, away, removed, without the skills) leaves it to the last agent.
    The order holds for the whole wait: a ticket held for the last agent because the
    preferred agent could not be waited for then (offline, away, not at the desk, not serving
    the ticket's queue or requirements yet) is held for the preferred agent as soon as it can
    be -- it comes back routable, joins the desk, or the ticket's queue delay or relaxation
    lets it serve -- and goes to it at once when it has room.  The hold keeps its deadline.
    An agent handing the ticket off (a transfer or escalation away from it) is neither
    preferred nor waited for (:attr:`SelectionContext.handed_off_by`).

    Args:
        timeout: How long a ticket may wait for that agent when it is logged in and routable
            but busy (0: only when it can take the ticket right now).  The hold ends at the
            timeout, or as soon as that agent stops being routable or leaves the desk; the
            ticket is then open to everyone (a :class:`PinReleased` change) and routed.
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
        return self._recent_last(context)

    def candidates(self, context: SelectionContext, /) -> tuple[str, ...]:
        """The agents to try in turn: the customer's preferred agent, then the recent enough
        last agent (once each).  The router gives the ticket to (or holds it for) the first
        of them that can take it: a preferred agent who is offline or left the desk does not
        hide a last agent who is free."""
        preferred = context.ticket.customer.preferred_agent
        last = self._recent_last(context)
        if preferred is None:
            return () if last is None else (last,)
        if last is None or last == preferred:
            return (preferred,)
        return (preferred, last)

    def _recent_last(self, context: SelectionContext) -> str | None:
        last = context.last_agent
        if last is None:
            return None
        if self.recency is None:
            return last
        if context.last_contact_us is None:
            return None
        recency_us = duration_us(self.recency, "recency", ConfigError)
        return last if context.at_us - context.last_contact_us <= recency_us else None


def pin_candidates(pin: PinningStrategy, context: SelectionContext) -> tuple[str, ...]:
    """The agents a pinning strategy names for *context*, in the order to try them.

    A strategy with a ``candidates(context)`` method (:class:`PreferredAgent`) names them
    all; any other names the one its :meth:`~PinningStrategy.pick` returns (or none).  The
    agent handing the ticket off (``context.handed_off_by``) is left out: a ticket moved
    away from an agent never bounces back to it, nor waits for it.
    """
    many = getattr(pin, "candidates", None)
    if many is not None:
        names = tuple(many(context))
    else:
        aid = pin.pick(context)
        names = () if aid is None else (aid,)
    away = context.handed_off_by
    if away is not None and away in names:
        names = tuple(a for a in names if a != away)
    return names


class Chain:
    """A compiled strategy chain: ranking strategies plus pins at their positions.

    The pool compiles each distinct chain once (:meth:`csflow.routing.pool.AgentPool.chain`)
    and keys its heaps by it.

    Attributes:
        strategies: The chain as given.
        ranking: Its ranking strategies, in order.
        pins: ``(position, pin)``: each pinning strategy with the number of ranking
            strategies before it.
        names: Every strategy's name, for reasons.
        monotone: Whether assigning a ticket never lowers an agent's key.
        sig_free: Whether the key ignores the signature (only built-in strategies that do).
        solo: The key function of the one ranking strategy when there is exactly one, else
            ``None``: ``(solo(agent, sig),)`` is :meth:`key` without its own call.

    Raises:
        ConfigError: An empty chain.
    """

    __slots__ = (
        "_fns",
        "monotone",
        "names",
        "pins",
        "ranking",
        "sig_free",
        "solo",
        "strategies",
    )

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
        # The one ranking strategy's key function, when there is exactly one: the pool's hot
        # path calls it directly, one call instead of two.
        self.solo: Callable[[AgentState, Signature], int] | None = (
            self._fns[0] if len(self._fns) == 1 else None
        )
        # The built-in strategies whose key ignores the signature: an agent's key is then the
        # same in every heap, and is computed once when the agent is pushed everywhere.
        self.sig_free = all(type(s) in (LongestIdle, RoundRobin) for s in ranking)

    def key(self, agent: AgentState, sig: Signature) -> tuple[int, ...]:
        """The agent's key for *sig*: one int per ranking strategy (lower is better)."""
        fns = self._fns
        if len(fns) == 1:
            return (fns[0](agent, sig),)
        return tuple([f(agent, sig) for f in fns])


def strategy_tuple(value: object) -> tuple[Strategy, ...]:
    """A strategy chain as a tuple of strategy objects (instances, not classes).

    Raises:
        ConfigError: A bare string, a non-iterable, a class, or an object that is neither a
            :class:`RankingStrategy` nor a :class:`PinningStrategy`.
    """
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
