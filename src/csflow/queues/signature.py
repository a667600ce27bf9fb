"""Requirement signatures: what an agent needs to take a ticket.

Waiting tickets are grouped by :class:`Signature` -- the channel, the language and the skills
(with minimum proficiency) an agent needs, maybe one pinned agent.  An agent is eligible for a
whole group or for none of it, so an agent who frees up looks only at the heads of the groups
it is eligible for (see :mod:`csflow.queues.queue`).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from csflow._config import name_set
from csflow._text import show
from csflow.errors import ConfigError
from csflow.model import AgentProfile, Channel, SkillRequirement, Ticket
from csflow.model import _check_name as check_name

__all__ = ["Signature"]


def _channel_name(value: Channel | str) -> str:
    return Channel.parse(value).name


def _check_language(value: str | None) -> str | None:
    # A language as tickets and agents name it (lowercase): any other would match no agent.
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ConfigError(f"language must be a non-empty string or None, got {show(value)}")
    return check_name("language", value)


def _canonical_skills(
    value: Iterable[SkillRequirement | str] | Mapping[str, int],
) -> tuple[SkillRequirement, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ConfigError(f"skills must be a collection of skill requirements, got {show(value)}")
    if isinstance(value, Mapping):
        reqs = [SkillRequirement(k, v) for k, v in value.items()]
    else:
        reqs = [r if isinstance(r, SkillRequirement) else SkillRequirement(r) for r in value]
    names = [r.skill for r in reqs]
    if len(set(names)) != len(names):
        raise ConfigError(f"skills must name each skill once, got {show(names)}")
    return tuple(sorted(reqs, key=lambda r: r.skill))


def _check_agent(value: str | None) -> str | None:
    if value is not None and (not isinstance(value, str) or not value or len(value) > 256):
        raise ConfigError(
            "pinned agent must be a non-empty string of at most 256 characters (an agent id) "
            f"or None, got {show(value)}"
        )
    return value


class _Interned(type):
    """Makes every :class:`Signature` built through its class the one object of its value.

    Equal signatures are then the same object, so a signature hashes by identity -- a C-level
    hash, where a value hash is a Python call; routing hashes signatures several times per
    decision.  Equality stays by value.  ``attrs.evolve`` builds through the class too, and
    copying and pickling go through :meth:`Signature.__reduce__`, so no equal twin escapes.
    """

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        made = super().__call__(*args, **kwargs)
        value = (made.channel, made.language, made.skills, made.agent)
        known = _INTERNED.get(value)
        if known is None:
            _INTERNED[value] = known = made
        return known


@attrs.frozen(eq=True, hash=False)
class Signature(metaclass=_Interned):
    """What an agent needs to take a ticket: channel, language, skills, maybe one named agent.

    Tickets with equal signatures wait in one group; an agent is eligible for a whole group or
    for none of it (apart from spare capacity and presence, which routing checks).  Equal
    signatures are one object (however made: built, evolved, copied or unpickled), so a
    signature hashes by identity; equality is by value.

    Args:
        channel: The channel (or its name).
        language: The language the agent must speak (a lowercase name, as a ticket's and an
            agent's languages are), or ``None`` for any.
        skills: Skill requirements (or skill names, or a mapping skill -> minimum proficiency);
            kept sorted by skill, so equal sets make equal signatures.
        agent: When set, only this agent id (at most 256 characters, as an agent's) may take
            the ticket (a ticket waiting for its preferred agent).

    Raises:
        ConfigError: A malformed channel, language, skill or agent id.

    Examples:
        >>> str(Signature("whatsapp", "id", {"refunds": 3}))
        '[whatsapp, lang=id, refunds>=3]'
    """

    channel: str = attrs.field(converter=_channel_name)
    language: str | None = attrs.field(default=None, converter=_check_language)
    skills: tuple[SkillRequirement, ...] = attrs.field(default=(), converter=_canonical_skills)
    agent: str | None = attrs.field(default=None, converter=_check_agent)

    @classmethod
    def of(cls, ticket: Ticket) -> Signature:
        """The signature of *ticket*: its channel, language and required skills."""
        parts = (ticket.channel.name, ticket.language, ticket.required_skills)
        sig = _OF_CACHE.get(parts)
        if sig is None:
            if len(_OF_CACHE) >= 4096:  # a bound, not an LRU: signatures are few in practice
                _OF_CACHE.clear()
            sig = _OF_CACHE[parts] = cls(*parts)
        return sig

    def admits(self, profile: AgentProfile) -> bool:
        """Whether an agent with *profile* meets this signature (ignoring presence and load).

        The agent must serve the channel (capacity above 0), speak the language when one is
        required, hold every skill at or above its minimum proficiency, and be the pinned
        agent when there is one.
        """
        if self.agent is not None and profile.id != self.agent:
            return False
        if profile.capacity.get(self.channel, 0) <= 0:
            return False
        if self.language is not None and self.language not in profile.languages:
            return False
        skills = profile.skills
        return all(skills.get(r.skill, 0) >= r.min_proficiency for r in self.skills)

    def relaxed(
        self,
        *,
        proficiency: int | None = None,
        drop: Iterable[str] = (),
        any_language: bool = False,
    ) -> Signature:
        """A signature at most as demanding as this one.

        Args:
            proficiency: Lower every minimum proficiency above this value to it
                (``1`` means "any agent with the skill").
            drop: Skills no longer required.
            any_language: Drop the language requirement.

        Returns:
            The relaxed signature (this one when nothing changes).  Every agent this
            signature admits, the relaxed one admits too.

        Raises:
            ConfigError: A *proficiency* that is not ``None`` or an int from 1 to 5, a *drop*
                that is not a collection of skill names (a bare string would be read as its
                letters), an *any_language* that is not a bool -- as
                :class:`~csflow.routing.RelaxationStep` refuses them.
        """
        p = proficiency
        if p is not None and (not isinstance(p, int) or isinstance(p, bool) or not 1 <= p <= 5):
            raise ConfigError(f"proficiency must be an int from 1 to 5 or None, got {show(p)}")
        dropped = drop if type(drop) is frozenset else name_set(drop, "drop", "skill names")
        if type(any_language) is not bool:
            raise ConfigError(f"any_language must be True or False, got {show(any_language)}")
        skills = tuple(
            r
            if proficiency is None or r.min_proficiency <= proficiency
            else SkillRequirement(r.skill, proficiency)
            for r in self.skills
            if r.skill not in dropped
        )
        language = None if any_language else self.language
        if skills == self.skills and language == self.language:
            return self
        return attrs.evolve(self, skills=skills, language=language)

    def pinned(self, agent_id: str | None) -> Signature:
        """This signature reserved for *agent_id* (or released from any pin with ``None``)."""
        if agent_id == self.agent:
            return self
        return attrs.evolve(self, agent=agent_id)

    def on_channel(self, channel: Channel | str) -> Signature:
        """This signature on another channel (skills, language and pin unchanged)."""
        name = _channel_name(channel)
        if name == self.channel:
            return self
        return attrs.evolve(self, channel=name)

    def to_state(self) -> list[Any]:
        """Plain data for a state snapshot: ``[channel, language, [[skill, min], ...], agent]``;
        :meth:`from_state` reads it."""
        return [
            self.channel,
            self.language,
            [[r.skill, r.min_proficiency] for r in self.skills],
            self.agent,
        ]

    @classmethod
    def from_state(cls, data: object, path: str = "signature") -> Signature:
        """The signature :meth:`to_state` wrote.

        Raises:
            ConfigError: Malformed data, with the path to it.
        """
        if not isinstance(data, list) or len(data) != 4 or not isinstance(data[2], list):
            raise ConfigError(
                f"expected [channel, language, [[skill, min], ...], agent], got {show(data)}",
                path,
            )
        skills: dict[str, int] = {}
        for i, pair in enumerate(data[2]):
            if (
                not isinstance(pair, list)
                or len(pair) != 2
                or not isinstance(pair[0], str)
                or type(pair[1]) is not int
                or pair[0] in skills
            ):
                raise ConfigError(f"expected [skill, min], got {show(pair)}", f"{path}[2][{i}]")
            skills[pair[0]] = pair[1]
        try:
            return cls(data[0], data[1], skills, data[3])
        except ConfigError as exc:
            raise ConfigError(exc.detail, path) from None

    # Interned (see ``_Interned``): equal signatures are one object, so identity is a hash
    # consistent with equality.
    __hash__ = object.__hash__

    def __reduce__(self) -> tuple[type[Signature], tuple[object, ...]]:
        # Copies and unpickled signatures go through the class, so they are the interned one.
        return Signature, (self.channel, self.language, self.skills, self.agent)

    def __copy__(self) -> Signature:
        return self

    def __deepcopy__(self, memo: object) -> Signature:
        return self

    def __str__(self) -> str:
        parts = [self.channel]
        if self.language is not None:
            parts.append(f"lang={self.language}")
        parts.extend(f"{r.skill}>={r.min_proficiency}" for r in self.skills)
        if self.agent is not None:
            parts.append(f"agent={self.agent}")
        return "[" + ", ".join(parts) + "]"


# Signatures by (channel, language, skills): most tickets share a few, so ``Signature.of`` is
# a lookup.  Module-level, and allowed to be: pure memoisation (a Signature is a frozen value,
# equal and hashing alike whether it comes from here or is built afresh), bounded at 4096
# entries, so no result depends on what the process queued before.
_OF_CACHE: dict[tuple[str, str | None, tuple[SkillRequirement, ...]], Signature] = {}

# The one signature of each value (see ``_Interned``).  Module-level, and allowed to be: it
# only decides which of equal objects is handed out, and holds them weakly, so a signature
# nobody uses any more goes.
_INTERNED: weakref.WeakValueDictionary[
    tuple[str, str | None, tuple[SkillRequirement, ...], str | None], Signature
] = weakref.WeakValueDictionary()
