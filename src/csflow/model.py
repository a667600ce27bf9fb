"""Value objects of a customer-service desk: tiers, channels, priorities, skills, agents, tickets.

Everything here is a frozen attrs class, validated at construction: a bad value raises
:class:`~csflow.errors.ConfigError` naming the field, what was expected and the value given.
A refusal by :class:`Ticket`, :class:`Customer` or :class:`AgentProfile` carries the field's
path relative to the value as its ``path`` (``capacity.chat``; the message is unchanged), so
that a reader of their plain data names the field in the whole document
(``command.profile.capacity.chat``).
These objects describe; they never change.  Runtime state (a ticket's status, its assignee, its
SLA clocks, an agent's presence and load) belongs to the engine that owns it
(:mod:`csflow.desk`), not to the descriptions.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, ClassVar, TypeVar

import attrs

from csflow._frozen import FrozenDict, FrozenList
from csflow._plain import ENCODABLE, encodable
from csflow._text import did_you_mean, path_key, show
from csflow._time import require_aware
from csflow.errors import ConfigError

__all__ = [
    "MAX_PROFICIENCY",
    "MIN_PROFICIENCY",
    "AgentProfile",
    "Channel",
    "Customer",
    "Metric",
    "MetricMap",
    "Priority",
    "SkillRequirement",
    "Ticket",
    "TicketStatus",
    "Tier",
]

MIN_PROFICIENCY = 1
MAX_PROFICIENCY = 5

_T = TypeVar("_T")

_NAME_RE = re.compile(r"[a-z0-9][a-z0-9_.\-]{0,63}\Z")


class _FieldError(ConfigError):
    """A field of a value being built is refused.

    Ticket, Customer and AgentProfile refuse a bad field with its path relative to the value
    (``id``, ``capacity.chat``, ``attributes.order.lines[2]``) as :attr:`path`, so that a
    reader of their plain data (:func:`csflow._config.wrap`) names the field in the whole
    document (``command.ticket.customer.id: ...``).  The message names the field, as a caller
    of the constructor reads it (``ticket id must be ...``, ``attributes.x must be ...``);
    :attr:`detail` is what the reader puts after the whole path, so it names a nested
    attribute's path no second time (``attribute value must be ...``).  Tier, Channel and
    SkillRequirement describe one value each and refuse it without a path; a value holding
    one puts the refusal at its field.
    """

    def __init__(self, message: str, path: str = "", detail: str | None = None) -> None:
        super().__init__(message if detail is None else detail, path)
        self.args = (message,)

    def __reduce__(self) -> tuple[type[ConfigError], tuple[str, ...]]:
        return (type(self), (str(self), self.path, self.detail))


def _attribute_error(at: str, problem: str, *, subject: str = "attribute value") -> _FieldError:
    """The refusal of a free-form attribute at *at* (``attributes.order.lines[2]``): built
    directly, the message names it (``attributes.x must be ...``); its :attr:`detail`, what
    a reader of plain data puts after its own path to the field, names it no second time
    (``ticket.attributes.x: attribute value must be ...``)."""
    return _FieldError(f"{at} {problem}", at, f"{subject} {problem}")


def _refusal(message: str, path: str) -> ConfigError:
    """The error refusing a value at *path* (a field's, see :class:`_FieldError`), or a plain
    :class:`ConfigError` when *path* is empty (a Tier's, Channel's or skill's own value)."""
    return _FieldError(message, path) if path else ConfigError(message)


# Names that passed the check: a desk uses few (categories, skills, languages, channels), so a
# set lookup replaces the regex on every later ticket.  Bounded, so that names from the public
# cannot grow it without limit; past the bound, names are only checked.  Module-level, and
# allowed to be: pure memoisation (only exact ``str`` values that passed the check are kept, so
# a hit gives the verdict the check would), so no result depends on what the process saw before.
_GOOD_NAMES: set[str] = set()
_GOOD_NAMES_LIMIT = 4096


def _check_name(kind: str, value: object, path: str = "") -> str:
    if type(value) is str and value in _GOOD_NAMES:
        return value
    if not isinstance(value, str) or not _NAME_RE.match(value):
        raise _refusal(
            f"{kind} must be a lowercase name of 1-64 characters "
            f"(letters, digits, '_', '-', '.'), got {show(value)}",
            path,
        )
    if type(value) is str and len(_GOOD_NAMES) < _GOOD_NAMES_LIMIT:
        _GOOD_NAMES.add(value)
    return value


def _check_id(kind: str, value: object, path: str = "") -> str:
    if not isinstance(value, str) or not value or len(value) > 256:
        raise _refusal(
            f"{kind} must be a non-empty string of at most 256 characters, got {show(value)}",
            path,
        )
    if not value.isascii() and not encodable(value):
        # (An id goes into every event about its ticket, customer or agent: one that UTF-8
        # cannot encode would make them all unwritable.)
        raise _refusal(f"{kind} must be {ENCODABLE}, got {show(value)}", path)
    return value


def _at_field(path: str, check: Callable[..., _T], *args: Any) -> _T:
    """``check(*args)``; a ConfigError without a path it raises is put at *path*."""
    try:
        return check(*args)
    except ConfigError as exc:
        if exc.path:
            raise
        raise _FieldError(exc.detail, path) from None


# One shared read-only empty mapping: most tickets and customers carry no attributes, and a
# proxy of a fresh dict each would cost ~200 bytes per ticket.
_NO_ATTRIBUTES: Mapping[str, Any] = FrozenDict({})


#: How deep free-form attributes may nest (a mapping or list inside another counts one level),
#: and the longest string or name in them: what a snapshot or journal entry holding them can
#: be read back with (:mod:`csflow.desk.serialisation`: 32 levels, 65,536 characters).
MAX_ATTRIBUTE_DEPTH = 16
MAX_ATTRIBUTE_STRING = 65_536


def _frozen_mapping(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if value is None or (type(value) is dict and not value):  # the default, checked first
        return _NO_ATTRIBUTES
    if not isinstance(value, Mapping):
        raise _FieldError(f"attributes must be a mapping, got {show(value)}", "attributes")
    if not value:
        return _NO_ATTRIBUTES
    return _frozen_copy(value)


# Filling a frozen container in place, once, while it is built (its own methods refuse).
_put_item = dict.__setitem__
_put_index = list.__setitem__


def _frozen_copy(value: Mapping[str, Any]) -> FrozenDict[str, Any]:
    """A read-only copy of *value* made of JSON values only -- strings, 64-bit integers,
    finite floats, booleans, ``None``, lists (tuples become lists) and mappings with string
    keys -- within the depth and string limits above, built without recursion: what a snapshot
    writes and reads back equal.  Every level is read-only: mappings are
    :class:`~csflow._frozen.FrozenDict`, lists :class:`~csflow._frozen.FrozenList` (equal to
    the plain ``dict``/``list``, written as JSON objects/arrays).  Anything else raises
    :class:`ConfigError` naming where it is, at that path (``attributes.order.lines[2]``)."""
    root: FrozenDict[str, Any] = FrozenDict()
    # (source, copy, how to fill it, depth, where): containers still to copy.
    stack: list[tuple[Any, Any, Callable[[Any, Any, Any], None], int, str]] = [
        (value, root, _put_item, 1, "attributes")
    ]
    while stack:
        src, dst, put, depth, where = stack.pop()
        items = src.items() if isinstance(src, Mapping) else enumerate(src)
        for key, v in items:
            if isinstance(src, Mapping):
                if not isinstance(key, str):
                    problem = f"attribute names must be strings, got {show(key)}"
                    inside = "" if depth == 1 else f" in {where}"
                    raise _FieldError(f"{problem}{inside}", where, problem)
                if len(key) > MAX_ATTRIBUTE_STRING:
                    raise _FieldError(
                        f"attribute name of {len(key)} characters in {where}; at most "
                        f"{MAX_ATTRIBUTE_STRING}",
                        where,
                        f"attribute name of {len(key)} characters; at most {MAX_ATTRIBUTE_STRING}",
                    )
                # (``isascii`` first, here and below: most text is, and it needs no call.)
                if not key.isascii() and not encodable(key):
                    raise _FieldError(
                        f"attribute names in {where} must be {ENCODABLE}, got {show(key)}",
                        where,
                        f"attribute names must be {ENCODABLE}, got {show(key)}",
                    )
                at = f"{where}.{key}"
            else:
                at = f"{where}[{key}]"
            if v is None or isinstance(v, bool):
                out: Any = v
            elif isinstance(v, int):
                if not -(2**63) <= v < 2**63:
                    raise _attribute_error(at, f"must be a 64-bit integer, got {show(v)}")
                out = v
            elif isinstance(v, float):
                if v != v or v in (float("inf"), float("-inf")):
                    raise _attribute_error(at, f"must be a finite number, got {v!r}")
                out = v
            elif isinstance(v, str):
                if len(v) > MAX_ATTRIBUTE_STRING:
                    raise _attribute_error(
                        at, f"is a string of {len(v)} characters; at most {MAX_ATTRIBUTE_STRING}"
                    )
                if not v.isascii() and not encodable(v):
                    raise _attribute_error(at, f"must be {ENCODABLE}, got {show(v)}")
                out = v
            elif isinstance(v, Mapping | list | tuple):
                if depth >= MAX_ATTRIBUTE_DEPTH:
                    raise _attribute_error(at, f"nests deeper than {MAX_ATTRIBUTE_DEPTH} levels")
                if isinstance(v, Mapping):
                    stack.append((v, out := FrozenDict(), _put_item, depth + 1, at))
                else:
                    stack.append((v, out := FrozenList([None] * len(v)), _put_index, depth + 1, at))
            else:
                raise _attribute_error(
                    at,
                    "must be a JSON value (string, number, boolean, null, list or mapping), "
                    f"got {show(v)}",
                )
            put(dst, key, out)
    return root


_E = TypeVar("_E", bound=enum.Enum)


def parse_member(cls: type[_E], value: object, what: str) -> _E:
    """The member of *cls* that *value* is or names (its value, in any case; ASCII only, since
    ``str.lower()`` maps some other letters onto ASCII ones).

    Raises:
        ConfigError: *value* names no member; the message lists the members' values.
    """
    if isinstance(value, cls):
        return value
    if isinstance(value, str) and value.isascii():
        try:
            return cls(value.lower())
        except ValueError:
            pass
    names = ", ".join(repr(m.value) for m in cls)
    word = value.lower() if isinstance(value, str) else value
    hint = did_you_mean(word, [str(m.value) for m in cls])
    raise ConfigError(f"{what} must be one of {names}, got {show(value)}{hint}")


class Metric(enum.Enum):
    """What an SLA target measures.

    * ``FIRST_RESPONSE``: ticket created → first agent reply.
    * ``NEXT_RESPONSE``: a customer message that follows an agent reply → the next agent reply
      (a new cycle each time; at most one cycle runs at a time).
    * ``PERIODIC_UPDATE``: while the ticket is unsolved, an agent posts at least every target;
      the first cycle starts at the first agent reply (before it, ``FIRST_RESPONSE`` is the
      promise), each agent reply meets the running cycle and starts the next, solving stops it.
    * ``RESOLUTION``: ticket created → solved; paused by the statuses in ``pause_on``; a
      re-opened ticket resumes it where it stopped.
    """

    # Members are singletons compared by identity, so the identity hash agrees with equality.
    # It is computed in C (Enum's own hashes the name in Python), and metrics, clock states
    # and actions are hashed on every clock transition.
    __hash__ = object.__hash__

    FIRST_RESPONSE = "first_response"
    NEXT_RESPONSE = "next_response"
    PERIODIC_UPDATE = "periodic_update"
    RESOLUTION = "resolution"

    @classmethod
    def parse(cls, value: Metric | str) -> Metric:
        """Return the metric named by *value* (``"resolution"``, ``"RESOLUTION"`` or a member).

        Raises:
            ConfigError: *value* names no metric.
        """
        return parse_member(cls, value, "metric")

    def __str__(self) -> str:
        return self.value


_V = TypeVar("_V")


class MetricMap(dict[Metric, _V]):
    """A dict keyed by :class:`Metric` that also takes a metric's name as a key.

    What :meth:`Desk.clocks <csflow.desk.Desk.clocks>` and :attr:`TicketSla.clocks
    <csflow.sla.ticket.TicketSla.clocks>` return, so a host reads ``clocks["first_response"]``
    as it writes the metric in a config.  Keys stay :class:`Metric` members (iteration, equality
    with a plain dict); a name is looked up as :meth:`Metric.parse` reads it.

    Raises:
        KeyError: The metric has no entry here (no clock of it has started).
        ConfigError: A string that names no metric at all (the message lists the metrics).
    """

    __slots__ = ()

    def __getitem__(self, key: Metric | str) -> _V:
        return dict.__getitem__(self, key if type(key) is Metric else Metric.parse(key))

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            try:
                key = Metric.parse(key)
            except ConfigError:
                return False
        elif type(key) is not Metric:
            return False  # (an unhashable key is no metric either)
        return dict.__contains__(self, key)

    def get(self, key: Metric | str, default: Any = None) -> Any:
        """The entry of *key* (a :class:`Metric` or its name), else *default*."""
        if key in self:  # (dict.get would not read names)
            return self[key]
        return default


class TicketStatus(enum.StrEnum):
    """The one vocabulary of ticket statuses, shared by the desk's lifecycle and SLA pausing.

    The desk moves a ticket through ``QUEUED``, ``ASSIGNED``, ``PENDING``, ``ON_HOLD``,
    ``SOLVED``, ``CLOSED`` and ``ABANDONED``; an SLA policy's ``pause_on`` names the statuses
    that pause a metric.  ``NEW`` and ``OPEN`` are for hosts that drive a ticket's SLA clocks
    without a desk.  Members are strings, so ``TicketStatus.PENDING == "pending"``.
    """

    NEW = "new"
    OPEN = "open"
    QUEUED = "queued"
    ASSIGNED = "assigned"
    PENDING = "pending"
    ON_HOLD = "on_hold"
    SOLVED = "solved"
    CLOSED = "closed"
    ABANDONED = "abandoned"

    @classmethod
    def parse(cls, value: TicketStatus | str) -> TicketStatus:
        """Return the status named by *value* (``"pending"``, ``"PENDING"`` or a member).

        Raises:
            ConfigError: *value* names no status.
        """
        return parse_member(cls, value, "status")


class Priority(enum.IntEnum):
    """How urgent a ticket is; ordered ``URGENT > HIGH > NORMAL > LOW``."""

    LOW = 0
    NORMAL = 1
    HIGH = 2
    URGENT = 3

    @classmethod
    def parse(cls, value: Priority | str | int) -> Priority:
        """Return the priority named or numbered by *value* (``"urgent"``, ``3``, ``Priority.URGENT``).

        Raises:
            ConfigError: *value* names no priority.
        """
        if isinstance(value, Priority):
            return value
        if isinstance(value, str) and value.isascii():
            # ASCII only: str.upper() maps some other letters onto ASCII ("ı" -> "I").
            try:
                return cls[value.upper()]
            except KeyError:
                pass
        elif isinstance(value, int) and not isinstance(value, bool):
            try:
                return cls(value)
            except ValueError:
                pass
        names = ", ".join(repr(p.name.lower()) for p in cls)
        raise ConfigError(f"priority must be one of {names}, got {show(value)}")

    def __str__(self) -> str:
        return self.name.lower()


@functools.total_ordering
@attrs.frozen
class Tier:
    """A customer tier such as platinum, gold, silver or regular.

    Args:
        name: Lowercase name, e.g. ``"platinum"``.
        rank: Larger ranks are more valuable (``platinum=3 > gold=2 > silver=1 > regular=0``);
            tiers order by rank, then name.

    Raises:
        ConfigError: A malformed name or a rank that is not a non-negative int.
    """

    name: str = attrs.field()
    rank: int = attrs.field(default=0)

    @name.validator
    def _v_name(self, _a: attrs.Attribute[str], value: str) -> None:
        _check_name("tier name", value)

    @rank.validator
    def _v_rank(self, _a: attrs.Attribute[int], value: int) -> None:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"tier rank must be a non-negative int, got {show(value)}")

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Tier):
            return NotImplemented
        return (self.rank, self.name) < (other.rank, other.name)

    def __str__(self) -> str:
        return self.name


@attrs.frozen
class Channel:
    """A contact channel.  The set is open; the common ones are class attributes.

    ``Channel.PHONE``, ``Channel.CHAT``, ``Channel.EMAIL``, ``Channel.WHATSAPP`` and
    ``Channel.SOCIAL`` are provided; ``Channel("line")`` makes any other.  A channel compares
    equal to another with the same name.  Anywhere csflow takes a channel it also takes its
    name as a string.
    """

    name: str = attrs.field()

    PHONE: ClassVar[Channel]
    CHAT: ClassVar[Channel]
    EMAIL: ClassVar[Channel]
    WHATSAPP: ClassVar[Channel]
    SOCIAL: ClassVar[Channel]

    @name.validator
    def _v_name(self, _a: attrs.Attribute[str], value: str) -> None:
        _check_name("channel name", value)

    @classmethod
    def parse(cls, value: Channel | str) -> Channel:
        """Return *value* as a :class:`Channel` (a string is taken as its name)."""
        if isinstance(value, Channel):
            return value
        return cls(value)

    def __str__(self) -> str:
        return self.name


Channel.PHONE = Channel("phone")
Channel.CHAT = Channel("chat")
Channel.EMAIL = Channel("email")
Channel.WHATSAPP = Channel("whatsapp")
Channel.SOCIAL = Channel("social")


def _to_priority(value: Priority | str | int) -> Priority:
    if type(value) is Priority:
        return value
    return _at_field("priority", Priority.parse, value)


# Channels by name, so that a ticket naming its channel as a string shares one Channel object
# (equal by name either way).  Bounded like _GOOD_NAMES, and pure memoisation like it: a hit
# returns a Channel equal to (and hashing like) the one a miss would build.
_CHANNELS: dict[str, Channel] = {}


def _to_channel(value: Channel | str) -> Channel:
    if type(value) is Channel:
        return value
    if type(value) is str:
        known = _CHANNELS.get(value)
        if known is not None:
            return known
        channel = _at_field("channel", Channel.parse, value)
        if len(_CHANNELS) < _GOOD_NAMES_LIMIT:
            _CHANNELS[value] = channel
        return channel
    return _at_field("channel", Channel.parse, value)


@attrs.frozen
class SkillRequirement:
    """A skill a ticket needs, at a minimum proficiency (1 = novice … 5 = expert).

    Raises:
        ConfigError: A malformed skill name or a proficiency outside 1-5.
    """

    skill: str = attrs.field()
    min_proficiency: int = attrs.field(default=MIN_PROFICIENCY)

    @skill.validator
    def _v_skill(self, _a: attrs.Attribute[str], value: str) -> None:
        _check_name("skill", value)

    @min_proficiency.validator
    def _v_prof(self, _a: attrs.Attribute[int], value: int) -> None:
        _check_proficiency(f"min_proficiency of skill {self.skill!r}", value)

    def satisfied_by(self, skills: Mapping[str, int]) -> bool:
        """Whether an agent with *skills* (skill -> proficiency) meets this requirement.

        Raises:
            ConfigError: *skills* is not a mapping.
        """
        if not isinstance(skills, Mapping):
            raise ConfigError(
                f"skills must be a mapping of skill -> proficiency, got {show(skills)}"
            )
        return skills.get(self.skill, 0) >= self.min_proficiency


def _check_proficiency(what: str, value: object) -> None:
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or not MIN_PROFICIENCY <= value <= MAX_PROFICIENCY
    ):
        raise ConfigError(
            f"{what} must be an int from {MIN_PROFICIENCY} to {MAX_PROFICIENCY}, got {show(value)}"
        )


def _to_requirements(
    value: Iterable[SkillRequirement | str] | Mapping[str, int],
) -> tuple[SkillRequirement, ...]:
    if type(value) is tuple and not value:  # the default: no skills needed
        return ()
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise _FieldError(
            f"required_skills must be a collection of skills, got {show(value)}", "required_skills"
        )
    if isinstance(value, Mapping):
        reqs = [
            _at_field(path_key("required_skills", k), SkillRequirement, k, v)
            for k, v in value.items()
        ]
    else:
        reqs = [
            r
            if isinstance(r, SkillRequirement)
            else _at_field(f"required_skills[{i}]", SkillRequirement, r)
            for i, r in enumerate(value)
        ]
    seen: set[str] = set()
    for r in reqs:
        if r.skill in seen:
            raise _FieldError(
                f"required_skills names skill {show(r.skill)} twice", "required_skills"
            )
        seen.add(r.skill)
    # A canonical order makes equal requirement sets equal signatures.
    return tuple(sorted(reqs, key=lambda r: r.skill))


def _to_language(value: str | None) -> str | None:
    if value is None:
        return None
    return _check_name("language", value, "language")


def _to_names(kind: str, value: object) -> frozenset[str]:
    """A name or a collection of names, each checked, as a set; refused at ``<kind>s`` (or
    ``<kind>s[i]`` in a list or tuple)."""
    where = f"{kind}s"
    if isinstance(value, str):
        return frozenset((_check_name(kind, value, where),))
    if not isinstance(value, Iterable):
        raise _FieldError(
            f"{kind}s must be a name or a collection of names, got {show(value)}", where
        )
    if isinstance(value, list | tuple):
        return frozenset(_check_name(kind, v, f"{where}[{i}]") for i, v in enumerate(value))
    return frozenset(_check_name(kind, v, where) for v in value)


def _to_languages(value: Iterable[str]) -> frozenset[str]:
    return _to_names("language", value)


@attrs.frozen
class Customer:
    """Someone who contacts the desk.

    Args:
        id: The host's customer id.
        tier: The customer's tier.
        language: Preferred language code (e.g. ``"id"``, ``"en"``), or ``None`` for any.
        preferred_agent: The agent id the customer prefers (or last spoke to), if any.
        attributes: Free-form data for rules (``customer.attributes.city``): JSON values,
            copied read-only at every level -- nested mappings and lists refuse changes
            (``TypeError``) and compare equal to, and write as, the plain ``dict``/``list``
            (see :data:`MAX_ATTRIBUTE_DEPTH`).
    """

    id: str = attrs.field(validator=lambda _s, _a, v: _check_id("customer id", v, "id"))
    tier: Tier = attrs.field()
    language: str | None = attrs.field(default=None, converter=_to_language)
    preferred_agent: str | None = attrs.field(default=None)
    attributes: Mapping[str, Any] = attrs.field(
        factory=dict, converter=_frozen_mapping, eq=False, hash=False
    )

    @tier.validator
    def _v_tier(self, _a: attrs.Attribute[Tier], value: Tier) -> None:
        if not isinstance(value, Tier):
            raise _FieldError(f"customer tier must be a Tier, got {show(value)}", "tier")

    @preferred_agent.validator
    def _v_pref(self, _a: attrs.Attribute[str | None], value: str | None) -> None:
        if value is not None:
            _check_id("preferred_agent", value, "preferred_agent")


def _to_skills(value: Mapping[str, int]) -> Mapping[str, int]:
    if not isinstance(value, Mapping):
        raise _FieldError(
            f"skills must be a mapping of skill -> proficiency, got {show(value)}", "skills"
        )
    for skill, prof in value.items():
        where = path_key("skills", skill)
        _check_name("skill", skill, where)
        _at_field(where, _check_proficiency, f"proficiency of skill {skill!r}", prof)
    return FrozenDict(dict(sorted(value.items())))


def _to_capacity(value: Mapping[Channel | str, int]) -> Mapping[str, int]:
    if not isinstance(value, Mapping):
        raise _FieldError(
            f"capacity must be a mapping of channel -> int, got {show(value)}", "capacity"
        )
    out: dict[str, int] = {}
    for channel, n in value.items():
        where = path_key("capacity", channel.name if isinstance(channel, Channel) else channel)
        name = _at_field(where, Channel.parse, channel).name
        if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= 1000:
            raise _FieldError(
                f"capacity for channel {show(name)} must be an int from 0 to 1000, got {show(n)}",
                where,
            )
        if name in out:
            # A Channel and its name, both given: one of the two numbers would be lost.
            raise _FieldError(f"capacity names channel {show(name)} twice", "capacity")
        out[name] = n
    return FrozenDict(dict(sorted(out.items())))


def _to_teams(value: Iterable[str]) -> frozenset[str]:
    return _to_names("team", value)


@attrs.frozen
class AgentProfile:
    """What an agent can do: skills with proficiency, languages, capacity per channel, teams.

    Args:
        id: The host's agent id.
        skills: Skill name -> proficiency (1-5).
        languages: Language codes the agent serves in.
        capacity: Channel (or its name) -> how many tickets of it the agent may hold at once;
            a channel not listed is one the agent does not serve.
        teams: Team names, used for escalation and transfers.
        name: A display name, for reasons and reports.

    Raises:
        ConfigError: A malformed skill, proficiency, language, channel, capacity, team or
            display name.
    """

    id: str = attrs.field(validator=lambda _s, _a, v: _check_id("agent id", v, "id"))
    skills: Mapping[str, int] = attrs.field(factory=dict, converter=_to_skills, hash=False)
    languages: frozenset[str] = attrs.field(factory=frozenset, converter=_to_languages)
    capacity: Mapping[str, int] = attrs.field(factory=dict, converter=_to_capacity, hash=False)
    teams: frozenset[str] = attrs.field(factory=frozenset, converter=_to_teams)
    name: str = attrs.field(default="")

    @name.validator
    def _v_display_name(self, _a: attrs.Attribute[str], value: str) -> None:
        if not isinstance(value, str) or len(value) > 256:
            raise _FieldError(
                f"agent name must be a string of at most 256 characters, got {show(value)}",
                "name",
            )
        if not encodable(value):
            raise _FieldError(f"agent name must be {ENCODABLE}, got {show(value)}", "name")

    def proficiency(self, skill: str) -> int:
        """The agent's proficiency in *skill*, 0 when the agent lacks it.

        Raises:
            ConfigError: *skill* is not a string.
        """
        if not isinstance(skill, str):
            raise ConfigError(f"skill must be a skill name, got {show(skill)}")
        return self.skills.get(skill, 0)

    def meets(self, requirements: Iterable[SkillRequirement]) -> bool:
        """Whether the agent meets every requirement.

        Raises:
            ConfigError: *requirements* is not a collection of :class:`SkillRequirement`
                (a bare string would be read as its letters, a mapping as its keys).
        """
        given: object = requirements
        if isinstance(given, str | Mapping) or not isinstance(given, Iterable):
            raise ConfigError(
                f"requirements must be a collection of SkillRequirement, got {show(given)}"
            )
        reqs = tuple(given)
        for r in reqs:
            if not isinstance(r, SkillRequirement):
                raise ConfigError(f"requirements must hold SkillRequirement values, got {show(r)}")
        return all(r.satisfied_by(self.skills) for r in reqs)


@attrs.frozen
class Ticket:
    """The immutable description of a customer's request.

    Args:
        id: The host's ticket id.
        customer: Who asked.
        channel: Where they asked (a :class:`Channel` or its name).
        priority: How urgent (a :class:`Priority` or its name).
        created_at: When the request arrived; must be timezone-aware.
        category: Free-form category for rules, e.g. ``"refund"``.
        language: The ticket's language; defaults to the customer's.
        required_skills: Skills an agent needs, as :class:`SkillRequirement` values, skill
            names (minimum proficiency 1), or a mapping skill -> minimum proficiency.
        attributes: Free-form data for rules (``attributes.order_value``): JSON values,
            copied read-only at every level -- nested mappings and lists refuse changes
            (``TypeError``) and compare equal to, and write as, the plain ``dict``/``list``
            (see :data:`MAX_ATTRIBUTE_DEPTH`).

    Raises:
        ConfigError: Any malformed field, including a naive ``created_at``.
    """

    id: str = attrs.field(validator=lambda _s, _a, v: _check_id("ticket id", v, "id"))
    customer: Customer = attrs.field()
    channel: Channel = attrs.field(converter=_to_channel)
    created_at: datetime = attrs.field()
    priority: Priority = attrs.field(default=Priority.NORMAL, converter=_to_priority)
    category: str = attrs.field(default="general")
    language: str | None = attrs.field(default=None, converter=_to_language)
    required_skills: tuple[SkillRequirement, ...] = attrs.field(
        default=(), converter=_to_requirements
    )
    attributes: Mapping[str, Any] = attrs.field(
        factory=dict, converter=_frozen_mapping, eq=False, hash=False
    )

    @customer.validator
    def _v_customer(self, _a: attrs.Attribute[Customer], value: Customer) -> None:
        if not isinstance(value, Customer):
            raise _FieldError(f"ticket customer must be a Customer, got {show(value)}", "customer")

    @created_at.validator
    def _v_created(self, _a: attrs.Attribute[datetime], value: datetime) -> None:
        _at_field("created_at", require_aware, value, "created_at", ConfigError)

    @category.validator
    def _v_category(self, _a: attrs.Attribute[str], value: str) -> None:
        _check_name("category", value, "category")

    def __attrs_post_init__(self) -> None:
        if self.language is None and self.customer.language is not None:
            object.__setattr__(self, "language", self.customer.language)

    @property
    def tier(self) -> Tier:
        """The customer's tier (a shortcut for rules: ``tier``)."""
        return self.customer.tier
