"""What :meth:`DeskConfig.lint <csflow.desk.DeskConfig.lint>` finds by following tickets through the configuration.

:meth:`DeskConfig.lint` ends with :func:`unserved_shapes`, which reports, with or without agents:

* **conditions on names no ticket has** (``"error"``): a triage condition comparing ``tier`` or
  ``customer.tier``, ``channel``, ``language`` or ``customer.language`` with a name the
  configuration does not declare (when it declares them), or ``priority`` with anything but
  ``"low"``, ``"normal"``, ``"high"`` and ``"urgent"`` -- ``"glod"``, ``"whatsap"``,
  ``"hgih"`` -- naming the closest declared name; an escalation rule's condition (of a
  rule-backed escalation policy, ``escalation_rules[i].when...``) is checked the same way,
  and so are its ``event`` (``"breach"``, ``"warning"``) and ``metric`` (a
  :class:`~csflow.model.Metric` value): ``event eq "breached"`` would never match;
* **the first-queue fallback**: a ticket no triage rule sends to a queue waits in the *first*
  queue.  When the desk has several queues, rules that send some tickets to a queue, and no
  rule (nor set of rules) that always sets ``queue``, the tickets left over are named: a
  ``"warning"`` when the first queue looks special (a rule sends chosen tickets there, a
  routing profile serves it before another queue, or no team waits in it), else ``"info"``;
* **tickets without an SLA**: with SLA policies, no ``default_sla_policy`` and no SLA
  selection policy, the tickets no rule chooses a policy for get no SLA at all -- per declared
  tier a ``"warning"``, else one ``"info"``;
* **SLA policies that never fall due** (``"warning"``): a policy without targets, and one whose
  calendar never opens (no weekly hours, no special day with hours) -- its main ``calendar``
  when a target counts on it, and each per-metric calendar of ``calendars`` (at
  ``sla_policies.X.calendars.<metric>``); and a per-metric calendar for a metric the policy
  sets no target for (no clock counts on it);

and, given the agents a host staffs the desk with, every **ticket shape** no agent could ever
take.  A ticket waits for an agent who serves its channel, speaks its language, has its skills
(at the minimum proficiencies) and is routed to its queue.  The shapes are

* a channel: each declared channel (or, when channels are open or left at their default, each
  channel an agent serves);
* a language: none, or each declared language (open languages: none only);
* required skills: none, each declared skill, or what a triage rule's ``skills`` action adds;
* a queue: each queue of the desk for the first two kinds (a host may submit any ticket, and
  transfers and escalations move tickets between queues); for a rule's skills, only the
  queues triage can send a ticket to when that rule's skills apply --

and every shape no agent could ever take, even after the queue's relaxation steps (all of
them applied: the widest the requirements ever get) and its overflow, is reported.  A name
that no agent can serve on its own (a channel nobody staffs, a language nobody speaks, a skill
nobody has, a queue nobody is routed to) is one finding at that name's path, and the shapes
that contain it are not repeated.  Shapes are combinations, so a shape is reported only when
each of its parts is served by someone but no single agent has them all.

Theory of operation
-------------------
The configuration says which values a few fields of the triage context can take: ``tier``
(and ``tier_rank``) a declared tier, ``channel`` a declared channel, ``language`` a declared
language or none, ``priority`` one of four names.  :mod:`csflow.lint`'s partial evaluation
decides, for such a set of values, whether a rule's condition certainly holds, certainly does
not, or depends on other fields (a category, an attribute) -- which are taken to be free, so
a rule that depends on them may or may not match.

* A rule's ``skills`` apply to the tickets of a shape only where its condition can hold (a
  rule on ``channel: whatsapp`` adds nothing to chat tickets).  Its queue is the one triage
  decides for those tickets: in ``"first"`` mode the first rule that sets ``queue`` and can
  match, and each before it that might; in ``"all"`` mode the same from the last rule back;
  the first queue when no such rule certainly matches.  A rule whose skills an earlier rule
  certainly overrides (``"first"``) is skipped, as are all rules' skills when a queue policy
  (which may choose any queue) is configured.  (In ``"all"`` mode matched rules' skills
  combine, so a later rule never lowers an earlier one's.)
* "No rule always sets the key" splits the values a field can take until each part is
  decided; rules left depending only on other fields must cover each other (each holds
  whenever all the others fail, by :func:`csflow.lint.implies`), or the part is reported.

Fields lint knows nothing of are taken as free, so rules that always set a key together only
through them (``category: refund`` and its ``not``) must show it in a way :func:`implies` sees.
Where lint cannot tell, it stays silent: a queue policy (any queue) skips the shapes of rules'
skills, and the work is bounded -- a hostile configuration of a thousand rules stops at a step
budget, with an ``"info"`` finding saying that some checks were skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from csflow._config import join_path
from csflow._text import did_you_mean
from csflow.desk.names import COMMON_CHANNELS, extra_skills
from csflow.lint import (
    _ABSENT,
    _IMPLICATION_BUDGET,
    Finding,
    _Budget,
    _comparisons,
    _disjoint,
    _implies,
    _narrow,
    _residual,
    _Space,
    _uncovered,
    _View,
)
from csflow.model import AgentProfile, Metric, Priority, SkillRequirement, TicketStatus, Tier
from csflow.policies import RuleEscalationPolicy
from csflow.rules.syntax import Condition, Not, Rule

if TYPE_CHECKING:
    from csflow.calendar import BusinessCalendar
    from csflow.routing import CapacityRules, Relaxation, RoutingProfile
    from csflow.rules import RuleSet
    from csflow.sla import SlaPolicy


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
    def queue(self) -> str:
        """The queue where the team's work waits."""
        ...

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
    def tiers(self) -> Mapping[str, Tier]:
        """The declared tiers by name (empty: any tier)."""
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

    @property
    def sla_policies(self) -> Mapping[str, SlaPolicy]:
        """The SLA policies by name."""
        ...

    @property
    def default_sla_policy(self) -> str | None:
        """The SLA policy when no rule names one."""
        ...

    @property
    def queue_policy(self) -> object | None:
        """The queue policy callable, if any (it overrides the rules' queue)."""
        ...

    @property
    def sla_selection(self) -> object | None:
        """The SLA selection policy callable, if any (it overrides the rules' SLA policy)."""
        ...

    @property
    def escalation_policy(self) -> object | None:
        """The escalation policy, if any (a rule-backed one has its rules checked too)."""
        ...


__all__ = ["unserved_shapes"]

_Reqs = tuple[SkillRequirement, ...]

_LEVELS = {p.name.lower(): int(p) for p in Priority}

#: What an escalation policy is asked about: its context's ``event`` values.
_EVENTS = ("breach", "warning")


# --------------------------------------------------------------------------------------------
# The values the triage context's fields can take


def _space(config: ConfigShape) -> _Space:
    """What *config* says of the triage context's fields (see the theory of operation)."""
    values: dict[str, frozenset[Any]] = {"priority": frozenset(_LEVELS)}
    views: dict[str, _View] = {
        "priority": ("priority", None),
        "priority_level": ("priority", _LEVELS.__getitem__),
        "tier": ("tier", None),
        "customer.tier": ("tier", None),
        "channel": ("channel", None),
        "language": ("language", None),
        "customer.language": ("customer.language", None),
    }
    if config.tiers:
        values["tier"] = frozenset(config.tiers)
        ranks = {name: tier.rank for name, tier in config.tiers.items()}
        views["tier_rank"] = views["customer.tier_rank"] = ("tier", ranks.__getitem__)
    if config.channels is not None:
        values["channel"] = config.channels
    if config.languages is not None:
        values["language"] = values["customer.language"] = config.languages | {_ABSENT}
    return _Space(values, views)


def _example(part: _Space, whole: _Space) -> str:
    """The values *part* singles out of *whole*, as words: ``" (such as tier 'regular')"``."""
    words = []
    for key, values in part.values.items():
        if len(values) == 1 and len(whole.values.get(key, ())) != 1:
            (value,) = values
            words.append(f"without a {key}" if value is _ABSENT else f"{key} {value!r}")
    return f" (such as tickets of {', '.join(words)})" if words else ""


# --------------------------------------------------------------------------------------------
# Checks of the rules against the configuration


# How many conditions on undeclared names are reported one by one (a hostile rule set may
# hold ten million list entries); the rest are counted in one more finding.
_MAX_UNDECLARED = 100


def _declared(config: ConfigShape) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Field -> (kind, the names a ticket can have, in the order to show them), for the
    fields whose names the configuration declares."""
    out = {"priority": ("priority", tuple(_LEVELS))}
    if config.tiers:
        tiers = ("tier", tuple(sorted(config.tiers)))
        out["tier"] = out["customer.tier"] = tiers
    if config.channels is not None:
        out["channel"] = ("channel", tuple(sorted(config.channels)))
    if config.languages is not None:
        languages = ("language", tuple(sorted(config.languages)))
        out["language"] = out["customer.language"] = languages
    return out


def _checked_rules(config: ConfigShape) -> Iterator[tuple[str, Rule]]:
    """The rules whose conditions compare declared names, each with its path: the triage
    rules, then the escalation rules (of a rule-backed escalation policy)."""
    for j, rule in enumerate(config.triage):
        yield f"triage.rules[{j}].when", rule
    policy = config.escalation_policy
    if isinstance(policy, RuleEscalationPolicy):
        for j, rule in enumerate(policy.rules):
            yield f"escalation_rules[{j}].when", rule


def _undeclared_values(config: ConfigShape) -> list[Finding]:
    """Conditions comparing a field of declared names with a name no ticket has (and, in
    escalation rules, an ``event`` or ``metric`` no escalation is asked about, or a
    ``queue``, ``team`` or ``state`` no ticket is in)."""
    declared = _declared(config)
    escalation = {
        "event": ("event", _EVENTS),
        "metric": ("metric", tuple(sorted(m.value for m in Metric))),
        "queue": ("queue", tuple(sorted(q.name for q in config.queues))),
        "team": ("team", tuple(sorted(config.teams))),
        "state": ("state", tuple(sorted(s.value for s in TicketStatus))),
    }
    sets = {field: frozenset(names) for field, (_, names) in (declared | escalation).items()}
    out: list[Finding] = []
    more = 0
    for where_rule, rule in _checked_rules(config):
        fields = declared
        if where_rule.startswith("escalation_rules"):
            fields = declared | escalation
        for path, cond in _comparisons(rule.when, where_rule):
            if cond.field not in fields or cond.op not in ("eq", "ne", "in", "not_in"):
                continue
            kind, known = fields[cond.field]
            listed_values = cond.op in ("in", "not_in")
            for i, value in enumerate(cond.value if listed_values else (cond.value,)):
                if value in sets[cond.field]:
                    continue
                if len(out) == _MAX_UNDECLARED:
                    more += 1
                    continue
                where = f"{path}.{cond.op}" + (f"[{i}]" if listed_values else "")
                hint = did_you_mean(value.lower() if isinstance(value, str) else value, known)
                listed = ", ".join(map(repr, known[:10])) + (", ..." if len(known) > 10 else "")
                what = {
                    "priority": "priorities",
                    "event": "events",
                    "metric": "metrics",
                    "queue": "queues",
                    "team": "teams",
                    "state": "states",
                }
                if kind in ("event", "metric"):
                    whose = f"no escalation is asked about {kind} {value!r}"
                elif kind in escalation:
                    whose = f"no ticket is in {kind} {value!r}"
                else:
                    whose = f"no ticket has {kind} {value!r}"
                out.append(
                    Finding(
                        where,
                        "error",
                        f"{whose}, so {cond.field!r} never equals it"
                        f"{hint} ({what.get(kind, 'declared')}: {listed})",
                    )
                )
    if more:
        out.append(
            Finding(
                "triage",
                "error",
                f"{more} more comparisons with names no ticket has (the first "
                f"{_MAX_UNDECLARED} are listed)",
            )
        )
    return out


def _first_queue(config: ConfigShape, space: _Space, budget: _Budget) -> list[Finding]:
    """The tickets no rule sends to a queue, which wait in the first queue."""
    rules = config.triage.rules
    placing = [r.when for r in rules if "queue" in r.then]
    if len(config.queues) < 2 or config.queue_policy is not None or not placing:
        # One queue, a policy that places every ticket, or rules that place none (every
        # ticket waits in the first queue, plainly by design): nothing falls through.
        return []
    left = _uncovered(placing, space, budget)
    if left is None or budget.left < 0:
        return []
    first = config.queues[0].name
    why = [
        f"rule {r.name!r} (rules[{i}]) chooses for particular tickets"
        for i, r in enumerate(rules)
        if r.when is not None and r.then.get("queue") == first
    ][:1]
    for p in config.routing_profiles:
        slots = {s.queue: s.priority for s in p.queues}
        later = sorted(q for q, n in slots.items() if first in slots and n > slots[first])
        if later:
            why.append(f"routing profile {p.name!r} serves before {later[0]!r}")
            break
    if config.teams and all(t.queue != first for t in config.teams.values()):
        why.append("no team waits in")
    head = f"tickets no triage rule sends to a queue{_example(left, space)} go to the first queue"
    if why:
        text = f"{head} {first!r}, a queue that " + " and ".join(
            [", ".join(why[:-1]), why[-1]] if len(why) > 1 else why
        )
    else:
        text = f"{head} {first!r} (no rule always sets 'queue')"
    return [
        Finding(
            "triage",
            "warning" if why else "info",
            f"{text}; end the rules with a catch-all (a rule without 'when') that sets "
            "'queue', or list first the queue such tickets belong in",
        )
    ]


def _never_opens(calendar: BusinessCalendar) -> bool:
    """Whether *calendar* has no business hours at all: no weekly hours, no special day."""
    return not calendar.weekly_hours and not any(calendar.special_days.values())


def _no_sla(config: ConfigShape, space: _Space, budget: _Budget) -> list[Finding]:
    """Tickets that get no SLA, and SLA policies whose clocks never fall due."""
    out = []
    for name, policy in config.sla_policies.items():
        if not policy.targets:
            out.append(
                Finding(
                    join_path(join_path("sla_policies", name), "targets"),
                    "warning",
                    f"SLA policy {name!r} has no targets: no clock runs for its tickets",
                )
            )
        where = join_path("sla_policies", name)
        # The main calendar counts when a target has no calendar of its own (or there is none).
        if (not policy.targets or any(m not in policy.calendars for m in policy.targets)) and (
            _never_opens(policy.calendar)
        ):
            out.append(
                Finding(
                    join_path(where, "calendar"),
                    "warning",
                    f"SLA policy {name!r} counts on a calendar that never opens (no weekly "
                    "hours, no special day with hours): its clocks never run and never fall due",
                )
            )
        for metric, cal in policy.calendars.items():
            at = join_path(join_path(where, "calendars"), metric.value)
            if metric not in policy.targets:
                out.append(
                    Finding(
                        at,
                        "warning",
                        f"SLA policy {name!r} gives {metric.value!r} a calendar but no target: "
                        "no clock counts on it; add a target or remove the calendar",
                    )
                )
            elif _never_opens(cal):
                out.append(
                    Finding(
                        at,
                        "warning",
                        f"SLA policy {name!r} counts {metric.value!r} on a calendar that never "
                        "opens (no weekly hours, no special day with hours): its "
                        f"{metric.value!r} clocks never run and never fall due",
                    )
                )
    if not config.sla_policies or config.default_sla_policy is not None:
        return out
    if config.sla_selection is not None:
        return out  # the policy chooses for every ticket
    choosing = [r.when for r in config.triage if "sla_policy" in r.then]
    tail = "no triage rule chooses an SLA policy for them and there is no default_sla_policy"
    if not config.tiers:
        left = _uncovered(choosing, space, budget)
        if left is not None and budget.left >= 0:
            out.append(
                Finding(
                    "default_sla_policy",
                    "info",
                    f"some tickets{_example(left, space)} get no SLA: {tail}",
                )
            )
        return out
    for tier in config.tiers:
        pinned = space.pin("tier", (tier,))
        left = _uncovered(choosing, pinned, budget)
        if left is not None and budget.left >= 0:
            out.append(
                Finding(
                    join_path("tiers", tier),
                    "warning",
                    f"tickets of tier {tier!r}{_example(left, pinned)} get no SLA: {tail}",
                )
            )
    return out


# --------------------------------------------------------------------------------------------
# Ticket shapes


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


def _skill_sources(config: ConfigShape) -> list[tuple[str | None, int | None, _Reqs]]:
    """Requirement sets a ticket can have: (path, triage rule index or ``None``, reqs)."""
    out: list[tuple[str | None, int | None, _Reqs]] = [(None, None, ())]
    for skill in sorted(config.skills or ()):
        out.append((join_path("skills", skill), None, (SkillRequirement(skill),)))
    for j, rule in enumerate(config.triage):
        if "skills" in rule.then:
            reqs = tuple(sorted(extra_skills(rule.then["skills"]), key=lambda r: r.skill))
            out.append((f"triage.rules[{j}].then.skills", j, reqs))
    return out


class _Follow:
    """Follows the tickets to which one triage rule's ``skills`` apply, through the rules."""

    def __init__(self, config: ConfigShape, budget: _Budget) -> None:
        self.config = config
        self.rules = config.triage.rules
        self.first = config.triage.mode == "first"
        self.budget = budget
        # Whether rule i matches whenever rule r does, never does, or either way, whatever
        # the values of the known fields: the same for every shape, so asked once.
        self.pairs: dict[tuple[int, int], bool | None] = {}

    def _pair(self, r: int, i: int) -> bool | None:
        key = (r, i)
        if key not in self.pairs:
            mine, when = self.rules[r].when, self.rules[i].when
            found: bool | None = None
            if mine is not None and when is not None:
                if _implies(mine, when, self.budget):
                    found = True
                elif _disjoint(mine, when, self.budget):
                    found = False
            self.pairs[key] = found
        return self.pairs[key]

    def status(self, r: int, i: int, space: _Space, given: Sequence[Condition] = ()) -> bool | None:
        """Whether rule *i* matches whenever rule *r* does (and *given* hold) in *space*
        (``True``), never does then (``False``), or may either way (``None``)."""
        when = self.rules[i].when
        if i == r or when is None:
            return True
        left = _residual(when, space, self.budget)
        if isinstance(left, bool):
            return left
        pair = self._pair(r, i)
        if pair is not None:
            return pair
        # Split the known fields' values: in every part, r (and what is given) fails or i
        # holds -- or r fails or i fails.
        mine = self.rules[r].when
        premises = [Not(c) for c in ((mine,) if mine is not None else ()) + tuple(given)]
        if _uncovered([*premises, when], space, self.budget) is None:
            return True
        if _uncovered([*premises, Not(when)], space, self.budget) is None:
            return False
        return None

    def _within(self, k: int, i: int) -> bool:
        """Whether rule *k* matching means rule *i* matches too (whatever the fields)."""
        key = (-1 - k, i)  # apart from the pairs of status
        if key not in self.pairs:
            inner, outer = self.rules[k].when, self.rules[i].when
            self.pairs[key] = outer is None or (
                inner is not None and _implies(inner, outer, self.budget)
            )
        return bool(self.pairs[key])

    def queues(self, r: int, space: _Space) -> set[str]:
        """The queues triage may send a ticket of *space* to when rule *r*'s skills apply
        (empty: they never do)."""
        # In "first" mode rule r's skills apply only when no earlier rule setting skills
        # matches: those that may match are ruled out, with every rule that implies them.
        excluded: list[int] = []
        for i, rule in enumerate(self.rules):
            if i == r or "skills" not in rule.then:
                continue
            if self.first and i < r:
                status = self.status(r, i, space)
                if status is True:
                    return set()  # an earlier rule's skills win
                if status is None:
                    excluded.append(i)
        ruled_out: list[Condition] = []
        for i in excluded:
            when = self.rules[i].when
            narrowed = None if when is None else _narrow(Not(when), space, self.budget)
            if when is None or narrowed is None:
                return set()
            space = narrowed
            ruled_out.append(Not(when))
        # The rule that sets the queue: the first (in "all" mode the last) that matches.
        # A rule decides for some ticket of rule r only if it can match while r does and the
        # rules before it in that order fail; the first queue, only if all of them can fail.
        mine = self.rules[r].when
        premises = [Not(c) for c in ((mine,) if mine is not None else ()) + tuple(ruled_out)]
        out: set[str] = set()
        before: list[Condition] = []  # the rules earlier in the order that may match
        order = range(len(self.rules)) if self.first else range(len(self.rules) - 1, -1, -1)
        for k in order:
            target = self.rules[k].then.get("queue")
            if not isinstance(target, str) or any(k == i or self._within(k, i) for i in excluded):
                continue
            status = self.status(r, k, space, ruled_out)
            if status is False:
                continue
            when = self.rules[k].when
            if status is None and when is not None:
                if _uncovered([*premises, *before, Not(when)], space, self.budget) is None:
                    continue  # it matches only where an earlier one does
                before.append(when)
            elif before and _uncovered([*premises, *before], space, self.budget) is None:
                return out  # the earlier ones always decide
            out.add(target)
            if status:
                return out
        if not before or _uncovered([*premises, *before], space, self.budget) is not None:
            out.add(self.config.queues[0].name)  # none may match: the first queue
        return out


def _rule_queues(
    config: ConfigShape,
    sources: Sequence[tuple[str | None, int | None, _Reqs]],
    channels: Sequence[str],
    languages: Sequence[str | None],
    budget: _Budget,
) -> dict[tuple[int, str, str | None], set[str]]:
    """For each triage rule with skills, channel and language: the queues its tickets reach
    (a shape left out, as when the budget ran out, is not checked)."""
    out: dict[tuple[int, str, str | None], set[str]] = {}
    if config.queue_policy is not None:
        return out  # the policy may choose any queue
    base = _space(config)
    read = {
        base.views[c.field][0]
        for rule in config.triage
        for _, c in _comparisons(rule.when, "")
        if c.field in base.views
    }
    follow = _Follow(config, budget)
    known: dict[tuple[int, str | None, str | None], set[str]] = {}
    for _, j, _ in sources:
        if j is None:
            continue
        for channel in channels:
            for language in languages:
                # Shapes that differ only in a field no rule reads reach the same queues.
                key = (
                    j,
                    channel if "channel" in read else None,
                    language if "language" in read else None,
                )
                if key not in known:
                    space = base.pin("channel", (channel,))
                    if language is not None:
                        space = space.pin("language", (language,))
                    narrowed = _narrow(config.triage.rules[j].when, space, budget)
                    reached = set() if narrowed is None else follow.queues(j, narrowed)
                    if budget.left < 0:
                        return out  # this shape's answer is not sure: stop here
                    known[key] = reached
                out[j, channel, language] = known[key]
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
    """What following tickets through *config* finds, and every ticket shape none of *agents*
    could ever take.

    Args:
        config: The desk's configuration.
        agents: The agents the desk is staffed with (none: no shape is checked).

    Returns:
        Findings: conditions on undeclared names (``"error"``, at the value's path, e.g.
        ``triage.rules[0].when.eq``), the first-queue fallback (at ``triage``), tickets without
        an SLA (``tiers.X`` or ``default_sla_policy``) and SLA policies that never fall due
        (``sla_policies.X.targets``, ``sla_policies.X.calendar``,
        ``sla_policies.X.calendars.<metric>``); then, with *agents*
        (severity ``"warning"``), the names nobody serves (``channels.fax``,
        ``languages.fr``, ``skills.tax``, ``queues[2]``) and the shapes, each at the path
        its skills come from (``skills.X``, ``triage.rules[j].then.skills``) or at its queue.
    """
    # One budget for the rules' coverage, one for the shapes: neither starves the other.
    budgets = (_Budget(_IMPLICATION_BUDGET), _Budget(_IMPLICATION_BUDGET))
    space = _space(config)
    out = _undeclared_values(config)
    out += _first_queue(config, space, budgets[0])
    out += _no_sla(config, space, budgets[0])
    out += _shapes(config, agents, budgets[1])
    if any(b.left < 0 for b in budgets):
        out.append(
            Finding(
                "triage",
                "info",
                "the configuration is too large to follow every ticket through the triage "
                "rules: some checks were skipped",
            )
        )
    return out


def _shapes(config: ConfigShape, agents: Sequence[AgentProfile], budget: _Budget) -> list[Finding]:
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
    sources = _skill_sources(config)
    reached = _rule_queues(config, sources, channels, languages, budget)
    for i, q in enumerate(config.queues):
        if not by_queue[q.name]:
            continue
        steps = q.relaxation.steps if q.relaxation is not None else ()
        overflow = [s.overflow_to for s in steps if s.overflow_to is not None]
        pool = [a for name in (q.name, *overflow) for a in by_queue.get(name, ())]
        for path, j, reqs in sources:
            if any(r.skill in nobody_has for r in reqs):
                continue
            for channel in channels:
                for language in languages:
                    if j is not None and q.name not in reached.get((j, channel, language), ()):
                        continue  # the rule's skills never reach this queue on this shape
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
