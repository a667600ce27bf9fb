"""The names a desk configuration speaks of, gathered so that generators draw the user's own.

A :class:`~csflow.desk.DeskConfig` names its tiers, teams, queues, presence states and
calendars outright; channels, languages, skills and categories appear only as the literals
its triage rules compare against (``{"field": "channel", "in": ["chat", "whatsapp"]}``), its
skill actions and its capacity rules.  :meth:`Vocabulary.of` collects both, and lets a test
add the names its config does not mention (``languages=["id"]``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta

import attrs

from csflow._text import show
from csflow.calendar import BusinessCalendar
from csflow.desk import DeskConfig
from csflow.errors import ConfigError
from csflow.model import Tier
from csflow.rules import AllOf, AnyOf, Comparison, Condition, Not

__all__ = ["COMMON_CHANNELS", "Vocabulary", "dst_changes"]

#: The channels drawn when a configuration names none.
COMMON_CHANNELS = ("phone", "chat", "email", "whatsapp", "social")
_DEFAULT_TIERS = (Tier("platinum", 4), Tier("gold", 3), Tier("silver", 2), Tier("regular", 1))
_DEFAULT_LANGUAGES = ("id", "en")
_DEFAULT_CATEGORIES = ("general", "refund", "delivery")


def _literals(cond: Condition | None, out: dict[str, list[object]]) -> None:
    if cond is None:
        return
    if isinstance(cond, Comparison):
        if cond.op in ("matches", "exists"):
            return  # a pattern, a flag: no value a ticket has
        values = (
            cond.value if isinstance(cond.value, (list, tuple, frozenset, set)) else [cond.value]
        )
        if cond.op in ("lt", "le", "gt", "ge"):
            # Each side of the bound: the rule holds for some, not for others.
            values = [
                w
                for v in values
                for w in (
                    (v - 1, v, v + 1)
                    if isinstance(v, (int, float)) and not isinstance(v, bool)
                    else (v,)
                )
            ]
        out.setdefault(cond.field, []).extend(values)
    elif isinstance(cond, (AllOf, AnyOf)):
        for c in cond.conditions:
            _literals(c, out)
    elif isinstance(cond, Not):
        _literals(cond.condition, out)


def _skill_names(action: object) -> list[str]:
    if isinstance(action, Mapping):
        return [str(k) for k in action]
    if isinstance(action, str):
        return [action]
    if isinstance(action, Iterable):
        names: list[str] = []
        for item in action:
            if isinstance(item, Mapping) and "skill" in item:
                names.append(str(item["skill"]))
            elif isinstance(item, str):
                names.append(item)
            else:
                names.append(str(getattr(item, "skill", item)))
        return names
    return []


def _names(values: Iterable[object]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if isinstance(v, str) and v))


def _is_name(name: str) -> bool:
    try:
        Tier(name)
    except ConfigError:
        return False
    return True


def _attribute_values(lits: Mapping[str, list[object]]) -> dict[str, tuple[object, ...]]:
    # The values rules compare ``attributes.<key>`` against (JSON scalars), by key.
    out: dict[str, tuple[object, ...]] = {}
    for field in sorted(lits):
        key = field.removeprefix("attributes.")
        if key == field or not key or "." in key:
            continue
        values = [v for v in lits[field] if isinstance(v, (str, int, float, bool))]
        if values:
            out[key] = tuple(dict.fromkeys(values))
    return out


def _names_given(value: object, name: str) -> tuple[str, ...]:
    # Names a test adds: an iterable of names, or one name as a bare string (not its letters).
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (bytes, Mapping)) or not isinstance(value, Iterable):
        raise ConfigError(f"must be a name or an iterable of names, got {show(value)}", name)
    out = tuple(value)
    for i, v in enumerate(out):
        if not isinstance(v, str):
            raise ConfigError(f"must be a name (a string), got {show(v)}", f"{name}[{i}]")
    return out


def _declared(
    found: tuple[str, ...], declared: frozenset[str], asked: Iterable[str]
) -> tuple[str, ...]:
    """*found* names the desk declares, then the rest of *declared*, then *asked* ones."""
    return _names([*(n for n in found if n in declared), *sorted(declared), *asked])


@attrs.frozen
class Vocabulary:
    """What generators draw from: the configuration's own names, plus any a test adds.

    Attributes:
        config: The configuration.
        tiers: Customer tiers (the config's, else platinum, gold, silver, regular).
        channels: Channels: those named by rules and capacity rules, then the given ones or,
            when none is given, the five common ones.
        languages: Languages (named by rules, plus those added, else ``id`` and ``en``).
        skills: Skills (named by rules and skill actions, plus those added).
        categories: Ticket categories (named by rules, plus ``general``).
        teams: The config's teams.
        queues: The config's queues.
        presence: Every declared presence state.
        attributes: For each ticket attribute a rule compares (``attributes.order_value``),
            the values it compares against (and, for an ordering, one either side), which
            tickets draw.
        calendars: The calendars of the config's SLA policies (each policy's calendar and
            its metrics' own, :attr:`SlaPolicy.calendars_used
            <csflow.sla.SlaPolicy.calendars_used>`) and named calendars, whose
            boundaries, nights, weekends and DST changes the time steps cross.
    """

    config: DeskConfig
    tiers: tuple[Tier, ...]
    channels: tuple[str, ...]
    languages: tuple[str, ...]
    skills: tuple[str, ...]
    categories: tuple[str, ...]
    teams: tuple[str, ...]
    queues: tuple[str, ...]
    presence: tuple[str, ...]
    calendars: tuple[BusinessCalendar, ...]
    attributes: Mapping[str, tuple[object, ...]] = attrs.field(factory=dict)

    @classmethod
    def of(
        cls,
        config: DeskConfig,
        *,
        channels: Iterable[str] = (),
        languages: Iterable[str] = (),
        skills: Iterable[str] = (),
        categories: Iterable[str] = (),
    ) -> Vocabulary:
        """Gather the names *config* speaks of, plus the given ones.

        Args:
            config: The desk configuration.
            channels: More channels to draw.
            languages: More languages to draw.
            skills: More skills to draw.
            categories: More categories to draw.

        Each of *channels*, *languages*, *skills* and *categories* is an iterable of names,
        or one name as a bare string (``languages="en"``).  A configuration that declares its
        channels, languages or skills (:attr:`DeskConfig.languages
        <csflow.desk.DeskConfig.languages>` ...) draws those, plus the ones given here even
        when it does not declare them -- and the desk refuses a ticket or an agent that uses
        such a name (:class:`~csflow.errors.UndeclaredNameError`), so a
        :class:`~csflow.testing.machine.DeskMachine` over such a vocabulary fails on the
        first one: add undeclared names only to test that refusal.  When the configuration
        declares no tiers, the tiers drawn are the default ones plus any a rule names
        (``{"field": "tier", "eq": "vip"}``).

        Returns:
            The vocabulary.

        Raises:
            ConfigError: *config* is not a :class:`~csflow.desk.DeskConfig`, or a name
                argument is not a name or an iterable of names.
        """
        if not isinstance(config, DeskConfig):
            raise ConfigError(f"must be a DeskConfig, got {show(config)}", "config")
        channels = _names_given(channels, "channels")
        languages = _names_given(languages, "languages")
        skills = _names_given(skills, "skills")
        categories = _names_given(categories, "categories")
        lits: dict[str, list[object]] = {}
        skill_names: list[str] = list(skills)
        for r in config.triage:
            _literals(r.when, lits)
            if "skills" in r.then:
                skill_names += _skill_names(r.then["skills"])
        for f in lits:
            if f.startswith("required_skills."):
                skill_names.append(f.split(".", 1)[1])
        cap = config.capacity
        # (Sorted: a set's order changes with PYTHONHASHSEED, and a derandomized run must not.)
        found_channels = [*lits.get("channel", []), *cap.limits, *sorted(cap.exclusive), *channels]
        found_languages = [
            *lits.get("language", []),
            *lits.get("customer.language", []),
            *languages,
        ]
        cals: dict[str, BusinessCalendar] = {}
        for p in config.sla_policies.values():
            for cal in p.calendars_used:  # its calendar, then each metric's own
                cals.setdefault(repr(cal.to_dict()), cal)
        for c in config.calendars.values():
            cals.setdefault(repr(c.to_dict()), c)
        tiers = tuple(config.tiers.values())
        if not tiers:
            # A desk without declared tiers takes any: the default ones, and those rules name.
            known = {t.name for t in _DEFAULT_TIERS}
            named = [*lits.get("tier", []), *lits.get("customer.tier", [])]
            extra = [n for n in _names(named) if n not in known and _is_name(n)]
            tiers = (*_DEFAULT_TIERS, *(Tier(n, 0) for n in extra))
        drawn_channels = _names([*found_channels, *(() if channels else COMMON_CHANNELS)])
        drawn_languages = _names(found_languages) or _DEFAULT_LANGUAGES
        drawn_skills = _names(skill_names)
        # A desk refuses names it does not declare (DeskConfig.channels, languages, skills):
        # draw the declared ones, plus those the caller asked for by name.
        if config.channels is not None:
            drawn_channels = _declared(drawn_channels, config.channels, channels)
        if config.languages is not None:
            drawn_languages = _declared(drawn_languages, config.languages, languages)
        if config.skills is not None:
            drawn_skills = _declared(drawn_skills, config.skills, skills)
        return cls(
            config=config,
            tiers=tuple(sorted(tiers, reverse=True)),
            channels=drawn_channels,
            languages=drawn_languages,
            skills=drawn_skills,
            categories=_names(["general", *lits.get("category", []), *categories]),
            teams=tuple(config.teams),
            queues=tuple(q.name for q in config.queues),
            presence=tuple(sorted(config.presence.names())),
            calendars=tuple(cals.values()),
            attributes=_attribute_values(lits),
        )


def dst_changes(calendar: BusinessCalendar, after: datetime, *, days: int = 400) -> list[datetime]:
    """The instants within *days* after *after* when *calendar*'s zone changes its UTC offset.

    Found by stepping a day at a time and bisecting to the minute, in UTC: the standard
    library does not list a zone's transitions.

    Args:
        calendar: The calendar whose zone is searched.
        after: Where the search starts (aware).
        days: How far it looks.

    Returns:
        The first instant (UTC, to the minute) of each new offset, in order.
    """
    zone = calendar.zone
    out: list[datetime] = []
    # In UTC: a timedelta added to a local time moves its wall clock, not the instant.
    t = after.astimezone(UTC).replace(second=0, microsecond=0)
    off = t.astimezone(zone).utcoffset()
    for _ in range(days):
        nxt = t + timedelta(days=1)
        noff = nxt.astimezone(zone).utcoffset()
        if noff != off:
            # Bisect on whole minutes after t: zones change their offset on a minute.
            lo, hi = 0, 24 * 60
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if (t + timedelta(minutes=mid)).astimezone(zone).utcoffset() == off:
                    lo = mid
                else:
                    hi = mid
            out.append(t + timedelta(minutes=hi))
            off = noff
        t = nxt
    return out
