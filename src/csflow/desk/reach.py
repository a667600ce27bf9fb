"""Ticket shapes no agent could ever take: the part of :meth:`DeskConfig.lint <csflow.desk.DeskConfig.lint>` about agents.

A ticket waits for an agent who serves its channel, speaks its language, has its skills (at
the minimum proficiencies) and is routed to its queue.  Given the agents a host staffs the
desk with, this module enumerates the shapes a ticket can have under the configuration --

* a channel: each declared channel (or, when channels are open or left at their default, each
  channel an agent serves);
* a language: none, or each declared language (open languages: none only);
* required skills: none, each declared skill, or what a triage rule's ``skills`` action adds;
* a queue: each queue of the desk --

and reports every shape no agent could ever take, even after the queue's relaxation steps
(all of them applied: the widest the requirements ever get) and its overflow.  A name that no
agent can serve on its own (a channel nobody staffs, a language nobody speaks, a skill nobody
has, a queue nobody is routed to) is one finding at that name's path, and the shapes that
contain it are not repeated.  Shapes are combinations, so a shape is reported only when each of
its parts is served by someone but no single agent has them all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from csflow._config import join_path
from csflow.desk.names import COMMON_CHANNELS, extra_skills
from csflow.lint import Finding
from csflow.model import AgentProfile, SkillRequirement

if TYPE_CHECKING:
    from csflow.routing import CapacityRules, Relaxation, RoutingProfile
    from csflow.rules import RuleSet


class QueueShape(Protocol):
    """What the reach check reads of a queue (a :class:`~csflow.desk.QueueSpec`)."""

    @property
    def name(self) -> str:
        """The queue's name."""
        ...

    @property
    def relaxation(self) -> Relaxation | None:
        """Its relaxation steps."""
        ...


class TeamShape(Protocol):
    """What the reach check reads of a team (a :class:`~csflow.desk.TeamSpec`)."""

    @property
    def routing_profile(self) -> str | None:
        """The team's agents' routing profile."""
        ...


class ConfigShape(Protocol):
    """What the reach check reads of a desk configuration (a :class:`~csflow.desk.DeskConfig`:
    read through this protocol so that the config, which calls the check from its ``lint``,
    and the check do not import each other)."""

    @property
    def capacity(self) -> CapacityRules:
        """How channels share an agent's capacity."""
        ...

    @property
    def channels(self) -> frozenset[str] | None:
        """The declared channels (``None``: open)."""
        ...

    @property
    def languages(self) -> frozenset[str] | None:
        """The declared languages (``None``: open)."""
        ...

    @property
    def skills(self) -> frozenset[str] | None:
        """The declared skills (``None``: open)."""
        ...

    @property
    def queues(self) -> tuple[QueueShape, ...]:
        """The queues."""
        ...

    @property
    def routing_profiles(self) -> tuple[RoutingProfile, ...]:
        """The routing profiles."""
        ...

    @property
    def teams(self) -> Mapping[str, TeamShape]:
        """The teams by name."""
        ...

    @property
    def triage(self) -> RuleSet:
        """The triage rules."""
        ...


__all__ = ["unserved_shapes"]

_Reqs = tuple[SkillRequirement, ...]


def _default_channels(config: ConfigShape) -> frozenset[str] | None:
    """The channels *config* would declare had it listed none."""
    caps = config.capacity
    return COMMON_CHANNELS | set(caps.weights) | set(caps.limits)


def _routed_queues(config: ConfigShape, agent: AgentProfile) -> frozenset[str]:
    """The queues *agent* is routed to, chosen as :meth:`Desk.add_agent` chooses its profile."""
    if not config.routing_profiles:
        return frozenset(q.name for q in config.queues)
    group = None
    for team in sorted(agent.teams):
        spec = config.teams.get(team)
        if spec is not None and spec.routing_profile is not None:
            group = spec.routing_profile
            break
    profile = next((p for p in config.routing_profiles if p.name == group), None)
    profile = profile or config.routing_profiles[0]
    return frozenset(s.queue for s in profile.queues)


def _widest(queue: QueueShape, reqs: _Reqs, language: str | None) -> tuple[_Reqs, str | None]:
    """*reqs* and *language* after every relaxation step of *queue*."""
    steps = queue.relaxation.steps if queue.relaxation is not None else ()
    for step in steps:
        if step.proficiency is not None:
            reqs = tuple(
                SkillRequirement(r.skill, min(r.min_proficiency, step.proficiency)) for r in reqs
            )
        reqs = tuple(r for r in reqs if r.skill not in step.drop)
        if step.any_language:
            language = None
    return reqs, language


def _takes(agent: AgentProfile, channel: str, language: str | None, reqs: _Reqs) -> bool:
    return (
        agent.capacity.get(channel, 0) > 0
        and (language is None or language in agent.languages)
        and agent.meets(reqs)
    )


def _describe(channel: str, language: str | None, reqs: _Reqs) -> str:
    parts = [f"on channel {channel!r}"]
    if language is not None:
        parts.append(f"in language {language!r}")
    if reqs:
        parts.append("needing " + ", ".join(f"{r.skill}>={r.min_proficiency}" for r in reqs))
    return " ".join(parts)


def _skill_sources(config: ConfigShape) -> list[tuple[str | None, _Reqs]]:
    """Requirement sets a ticket can have, each with the path of where it comes from."""
    out: list[tuple[str | None, _Reqs]] = [(None, ())]
    for skill in sorted(config.skills or ()):
        out.append((join_path("skills", skill), (SkillRequirement(skill),)))
    for j, rule in enumerate(config.triage):
        if "skills" in rule.then:
            reqs = tuple(sorted(extra_skills(rule.then["skills"]), key=lambda r: r.skill))
            out.append((f"triage.rules[{j}].then.skills", reqs))
    return out


def _nobody(
    kind: str, names: Iterable[str], served: Iterable[str], field: str, why: str
) -> tuple[list[Finding], list[str]]:
    have = set(served)
    findings = []
    ok = []
    for name in sorted(names):
        if name in have:
            ok.append(name)
        else:
            findings.append(
                Finding(join_path(field, name), "warning", f"no agent {why} {kind} {name!r}")
            )
    return findings, ok


def unserved_shapes(config: ConfigShape, agents: Sequence[AgentProfile]) -> list[Finding]:
    """Every ticket shape under *config* that none of *agents* could ever take.

    Args:
        config: The desk's configuration.
        agents: The agents the desk is staffed with (none: nothing to check, no findings).

    Returns:
        Findings (severity ``"warning"``): first the names nobody serves (``channels.fax``,
        ``languages.fr``, ``skills.tax``, ``queues[2]``), then the shapes, each at the path
        its skills come from (``skills.X``, ``triage.rules[j].then.skills``) or at its queue.
    """
    if not agents:
        return []
    served_channels = {c for a in agents for c, n in a.capacity.items() if n > 0}
    declared = config.channels
    if declared is not None and declared == _default_channels(config):
        # Channels the host never listed: the default set guards against typos, it does not
        # say the desk means to staff all five; lint the channels the agents serve.
        declared = declared & served_channels
    out, channels = _nobody(
        "channel",
        declared if declared is not None else served_channels,
        served_channels,
        "channels",
        "serves",
    )
    languages: list[str | None] = [None]
    if config.languages is not None:
        found, spoken = _nobody(
            "language",
            config.languages,
            {lang for a in agents for lang in a.languages},
            "languages",
            "speaks",
        )
        out += found
        languages += spoken
    if config.skills is not None:
        found, _ = _nobody(
            "skill", config.skills, {s for a in agents for s in a.skills}, "skills", "has"
        )
        out += found
    routed = {a.id: _routed_queues(config, a) for a in agents}
    by_queue = {q.name: [a for a in agents if q.name in routed[a.id]] for q in config.queues}
    profiled = {s.queue for p in config.routing_profiles for s in p.queues}
    for i, q in enumerate(config.queues):
        # A queue no profile serves is reported by DeskConfig.lint already.
        if not by_queue[q.name] and (q.name in profiled or not config.routing_profiles):
            out.append(
                Finding(f"queues[{i}]", "warning", f"no agent is routed to queue {q.name!r}")
            )
    nobody_has = {f.path.removeprefix("skills.") for f in out if f.path.startswith("skills.")}
    for i, q in enumerate(config.queues):
        if not by_queue[q.name]:
            continue
        steps = q.relaxation.steps if q.relaxation is not None else ()
        overflow = [s.overflow_to for s in steps if s.overflow_to is not None]
        pool = [a for name in (q.name, *overflow) for a in by_queue.get(name, ())]
        for path, reqs in _skill_sources(config):
            if any(r.skill in nobody_has for r in reqs):
                continue
            for channel in channels:
                for language in languages:
                    wide, lang = _widest(q, reqs, language)
                    if not any(_takes(a, channel, lang, wide) for a in pool):
                        out.append(
                            Finding(
                                path or f"queues[{i}]",
                                "warning",
                                f"no agent could ever take a ticket "
                                f"{_describe(channel, language, reqs)} in queue {q.name!r}",
                            )
                        )
    return out
