"""Declared names: the channels, tiers, languages, skills and teams a desk accepts.

A ticket on channel ``"whatsap"`` (a typo) or ``"fax"`` (a channel nobody staffs), or of a tier
the configuration never defined, would otherwise be accepted and wait forever: no agent is
indexed under a name nobody declared.  So :class:`~csflow.desk.DeskConfig` declares each set of
names, and the desk refuses a ticket or an agent that uses an undeclared one with an
:class:`~csflow.errors.UndeclaredNameError` naming the value, where it sits and what is declared.

A set is either *closed* (a collection of names: only those are accepted) or *open* (the string
``"open"``, or ``None``: any well-formed name is accepted, as before names were declared).  The
defaults keep a configuration that says nothing working for the common case:

* ``channels``: the five common channels (:class:`~csflow.model.Channel`'s ``PHONE``, ``CHAT``,
  ``EMAIL``, ``WHATSAPP``, ``SOCIAL``); a channel the capacity rules' weights or limits name is
  declared too;
* ``tiers``: open when the configuration defines no tier; once it defines one, a ticket's tier
  must be one of them, with the same rank;
* ``languages`` and ``skills``: open;
* teams: open when the configuration defines no team; once it defines one, an agent's teams
  must be among them.

Queues are always closed: a triage rule or a queue policy naming an unknown queue is refused
already (by the configuration, or when the policy answers).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from csflow._text import show
from csflow.errors import ConfigError, UndeclaredNameError
from csflow.model import AgentProfile, Channel, SkillRequirement, Ticket, Tier

__all__ = [
    "COMMON_CHANNELS",
    "OPEN",
    "check_agent_names",
    "check_ticket_names",
    "extra_skills",
    "name_set",
]

OPEN: Final = "open"
"""The value that leaves a set of names open (any well-formed name is accepted)."""

COMMON_CHANNELS: Final = frozenset(
    c.name for c in (Channel.PHONE, Channel.CHAT, Channel.EMAIL, Channel.WHATSAPP, Channel.SOCIAL)
)
"""The channels a configuration declares when it does not list its own."""


def name_set(value: object, what: str) -> frozenset[str] | None:
    """A declared set of names: ``None`` (open) for ``"open"`` or ``None``, else the names.

    Args:
        value: ``"open"``, ``None``, or a collection of names (a :class:`~csflow.model.Channel`
            counts as its name).
        what: The field's name, for the error message.

    Raises:
        ConfigError: Anything else, or a malformed name.
    """
    if value is None or value == OPEN:
        return None
    if isinstance(value, str | Mapping) or not isinstance(value, Iterable):
        # A mapping too: ``skills: {billing: 3}`` would keep the names and drop the levels in
        # silence (proficiencies belong to agents and rules, not to the declaration).
        raise ConfigError(
            f"{what} must be {OPEN!r} or a collection of names, got {show(value)}", what
        )
    out: set[str] = set()
    for i, item in enumerate(value):
        name = item.name if isinstance(item, Channel) else item
        try:
            # The same check a Channel name gets: lowercase, 1-64 characters.
            Channel(name)
        except ConfigError as exc:
            raise ConfigError(exc.detail.replace("channel name", "name"), f"{what}[{i}]") from None
        out.add(name)
    return frozenset(out)


def _refuse(kind: str, value: str, declared: Iterable[str], path: str, field: str) -> None:
    # Tiers and teams are open only when none is defined; the other sets take "open".
    how = "define none" if field in ("tiers", "teams") else f"or {OPEN!r}"
    raise UndeclaredNameError(
        f"undeclared {kind} {show(value)}; declared: {show(sorted(declared))} "
        f"(DeskConfig.{field}; {how} to accept any)",
        path,
    )


def check_ticket_names(
    ticket: Ticket,
    *,
    channels: frozenset[str] | None,
    tiers: Mapping[str, Tier],
    languages: frozenset[str] | None,
    skills: frozenset[str] | None,
) -> None:
    """Refuse *ticket* if it names a channel, tier, language or skill that is not declared.

    Args:
        ticket: The ticket a host submits.
        channels: The declared channels (``None``: open).
        tiers: The declared tiers by name (empty: open).
        languages: The declared languages (``None``: open).
        skills: The declared skills (``None``: open).

    Raises:
        UndeclaredNameError: The first undeclared name, with its path (``ticket.channel``,
            ``ticket.customer.tier``, ``ticket.language``, ``ticket.required_skills[0]``).
    """
    if channels is not None and ticket.channel.name not in channels:
        _refuse("channel", ticket.channel.name, channels, "ticket.channel", "channels")
    tier = ticket.customer.tier
    if tiers:
        known = tiers.get(tier.name)
        if known is None:
            _refuse("tier", tier.name, tiers, "ticket.customer.tier", "tiers")
        elif known != tier:
            raise UndeclaredNameError(
                f"tier {show(tier.name)} has rank {show(tier.rank)}, but the declared tier has "
                f"rank {show(known.rank)} ({show(known)})",
                "ticket.customer.tier",
            )
    if languages is not None:
        if ticket.language is not None and ticket.language not in languages:
            _refuse("language", ticket.language, languages, "ticket.language", "languages")
        lang = ticket.customer.language
        if lang is not None and lang not in languages:
            _refuse("language", lang, languages, "ticket.customer.language", "languages")
    if skills is not None:
        _check_skills(ticket.required_skills, skills, "ticket.required_skills")


def _check_skills(reqs: Iterable[SkillRequirement], skills: frozenset[str], path: str) -> None:
    for i, r in enumerate(reqs):
        if r.skill not in skills:
            _refuse("skill", r.skill, skills, f"{path}[{i}]", "skills")


def check_agent_names(
    profile: AgentProfile,
    *,
    channels: frozenset[str] | None,
    languages: frozenset[str] | None,
    skills: frozenset[str] | None,
    teams: Iterable[str],
) -> None:
    """Refuse an agent whose capacity, languages, skills or teams name something undeclared.

    Args:
        profile: The agent's profile.
        channels: The declared channels (``None``: open).
        languages: The declared languages (``None``: open).
        skills: The declared skills (``None``: open).
        teams: The configured teams (empty: open).

    Raises:
        UndeclaredNameError: The first undeclared name, with its path (``profile.capacity``,
            ``profile.languages``, ``profile.skills``, ``profile.teams``).
    """
    if channels is not None:
        for name in profile.capacity:
            if name not in channels:
                _refuse("channel", name, channels, "profile.capacity", "channels")
    if languages is not None:
        for lang in sorted(profile.languages):
            if lang not in languages:
                _refuse("language", lang, languages, "profile.languages", "languages")
    if skills is not None:
        for skill in profile.skills:
            if skill not in skills:
                _refuse("skill", skill, skills, "profile.skills", "skills")
    known = frozenset(teams)
    if known:
        for team in sorted(profile.teams):
            if team not in known:
                _refuse("team", team, known, "profile.teams", "teams")


def extra_skills(value: object) -> tuple[SkillRequirement, ...]:
    """The requirements a triage rule's ``skills`` action adds (also read by the desk).

    Args:
        value: A skill name, a list of names or a mapping skill -> minimum proficiency.

    Raises:
        ConfigError: Anything else.
    """
    if isinstance(value, str):
        value = [value]
    if isinstance(value, Mapping):
        return tuple(SkillRequirement(k, v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return tuple(SkillRequirement(v) for v in value)
    raise ConfigError(
        f"skills must be a skill name, a list of names or a mapping skill -> proficiency, "
        f"got {show(value)}"
    )
