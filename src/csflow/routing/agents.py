"""The pool's agent records: the mutable state of each agent, the per-signature membership
it belongs to, and :class:`AgentStatus`, the snapshot a caller reads.

:class:`AgentRecord` and :class:`SignatureState` are the pool's working state, shared with the
router (which reads them on its hot paths); they are not part of csflow's top-level API.  Only
the :class:`~csflow.routing.pool.AgentPool` changes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol, TypeAlias

import attrs

from csflow.model import AgentProfile
from csflow.queues import Signature
from csflow.routing.strategies import Chain

__all__ = [
    "NO_CHANNELS",
    "AgentRecord",
    "AgentStatus",
    "HeapEntry",
    "SignatureState",
    "SpareSource",
]

#: The empty channel set (an agent that can take nothing now).
NO_CHANNELS: frozenset[str] = frozenset()


class SpareSource(Protocol):
    """What an agent record asks its pool: the spare capacity that the pool's rules give."""

    def spare_of(self, ag: AgentRecord, c: str, /) -> int:
        """How many more tickets of channel *c* the agent could take now."""
        ...


class AgentRecord:
    """An agent's routing state in the pool (it satisfies
    :class:`~csflow.routing.strategies.AgentState`).

    The pool changes it; the router reads it.  ``takeable`` is the set of channels the agent
    can take one more ticket of now, kept exact on every change of its state, so that each
    eligibility check on a hot path is one set lookup.
    """

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
        self, pool: SpareSource, order: int, profile: AgentProfile, group: str, at_us: int
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
        self.sigs: dict[str, dict[Signature, SignatureState]] = {}
        # The channels the agent can take one more ticket of right now, recomputed once per
        # state change (presence, assignment, release, profile) so that every eligibility
        # check on the hot path is one set lookup.
        self.takeable: frozenset[str] = NO_CHANNELS

    def __lt__(self, other: AgentRecord) -> bool:
        # Heap entries of one agent may tie on (key, order, stamp); any order is fine then.
        return False

    def spare(self, channel: str) -> int:
        """How many more tickets of *channel* the agent could take now."""
        return self.pool.spare_of(self, channel)


#: A heap entry: ``(key, order, stamp, agent)``; stale when the stamp moved on.
HeapEntry: TypeAlias = tuple[tuple[int, ...], int, int, AgentRecord]


class SignatureState:
    """A registered signature: its members per group, availability counts and agent heaps.

    Attributes:
        sig: The signature.
        members: Group -> agent id -> record, the agents that meet it statically.
        avail: Group -> how many members can take its channel now.
        heaps: Group -> chain -> the lazy heap of members (see :mod:`csflow.routing.pool`).
        refs: How many waiting tickets wait under it (a pinned signature goes at 0; any
            other is kept among a bounded number of unused ones).
    """

    __slots__ = ("avail", "heaps", "members", "refs", "sig")

    def __init__(self, sig: Signature) -> None:
        self.sig = sig
        self.members: dict[str, dict[str, AgentRecord]] = {}  # group -> agent id -> agent
        self.avail: dict[str, int] = {}  # group -> members able to take the channel now
        self.heaps: dict[str, dict[Chain, list[HeapEntry]]] = {}  # group -> chain -> heap
        self.refs = 0


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
        idle_since: When it last became idle: its last release of work, or its return to a
            routable state with nothing held.  It does not move while the agent is not
            routable.
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
