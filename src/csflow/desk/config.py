"""The desk's configuration: everything a desk is told once, from Python values or plain data.

:class:`DeskConfig` holds the tiers, SLA policies, queues (:class:`QueueSpec`), routing
profiles, triage rules, teams (:class:`TeamSpec`), escalation graph, transfer limit, presence
states, capacity rules and policy callables of a desk, checks that they agree with each other
(a queue a profile serves exists, a rule's action names a known SLA policy ...), and reads
them from a JSON/YAML/TOML document with :meth:`DeskConfig.from_dict`, naming the path to
anything malformed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any, Final

import attrs

from csflow._config import (
    check_keys,
    defined_name,
    duration,
    mapping,
    sequence,
    string,
    wrap,
)
from csflow._frozen import FrozenDict
from csflow._text import check_document, check_text, path_key, show
from csflow._time import duration_us
from csflow.calendar import BusinessCalendar
from csflow.desk.contacts import ContactPolicy
from csflow.desk.goodwill import GoodwillPolicy
from csflow.desk.names import (
    COMMON_CHANNELS,
    OPEN,
    check_agent_names,
    check_ticket_names,
    extra_skills,
    name_set,
)
from csflow.desk.reach import unserved_shapes
from csflow.errors import ConfigError
from csflow.lint import Finding
from csflow.lint import lint as lint_rules
from csflow.model import _NAME_RE as _AGENT_TEAM_NAME
from csflow.model import AgentProfile, Priority, Ticket, Tier
from csflow.policies import (
    POLICY_FIELDS,
    EscalationPolicy,
    PriorityPolicy,
    QueuePolicy,
    RuleEscalationPolicy,
    SlaSelectionPolicy,
)
from csflow.queues import AgingKey, DeadlineKey, KeyPolicy
from csflow.queues.keys import MAX_ALLOWANCE, MAX_BAND, MIN_BAND
from csflow.routing import (
    BestProficiency,
    CapacityRules,
    EscalationGraph,
    LongestIdle,
    MostSpareCapacity,
    PreferredAgent,
    PresenceStates,
    QueueSlot,
    Relaxation,
    RelaxationStep,
    RoundRobin,
    RoutingProfile,
    Strategy,
    TransferPolicy,
    check_overflow_keys,
    strategy_tuple,
)
from csflow.rules import STANDARD_FIELDS, RuleSet
from csflow.sla import RecalcMode, SlaPolicy, format_duration

__all__ = ["DeskConfig", "QueueSpec", "TeamSpec"]


def _text_name(value: object, path: str) -> str:
    """*value* as the name of something a configuration defines (:func:`defined_name`) that
    can be written as UTF-8 (a desk writes it into events and snapshots)."""
    name = defined_name(value, path)
    check_text(name, path)
    return name


@attrs.frozen
class QueueSpec:
    """A queue of the desk: its name, its ordering key and its relaxation plan.

    Args:
        name: The queue's name (rules' ``queue`` action names it), at most 64 characters.
        key: The ordering policy: :class:`~csflow.queues.AgingKey` (the default) or
            :class:`~csflow.queues.DeadlineKey` (earliest SLA deadline first), or any
            :class:`~csflow.queues.KeyPolicy`.
        relaxation: Timed widening of waiting tickets' requirements, or ``None``.

    Raises:
        ConfigError: A malformed name, or a *key* that is not a key policy (a callable, such
            as ``DeadlineKey()``; the names ``"aging"`` and ``"deadline"`` are for
            :meth:`DeskConfig.from_dict`).
    """

    name: str = attrs.field(validator=lambda _s, _a, v: _text_name(v, "name"))
    key: KeyPolicy = attrs.field(factory=AgingKey)
    relaxation: Relaxation | None = None

    @key.validator
    def _v_key(self, _a: attrs.Attribute[KeyPolicy], value: object) -> None:
        if not callable(value) or isinstance(value, type):
            hint = ""
            if value in ("aging", "deadline"):
                hint = f" ({'AgingKey' if value == 'aging' else 'DeadlineKey'}() is that policy)"
            raise ConfigError(
                "expected a key policy (AgingKey(), DeadlineKey() or a callable KeyContext -> "
                f"(band, virtual_due_us)), got {show(value)}{hint}",
                "key",
            )


@attrs.frozen
class TeamSpec:
    """A team: the queue its work waits in and the routing profile its agents get.

    Args:
        name: The team's name (agents' ``teams``, escalation graph nodes), at most 64
            characters.
        queue: The queue where tickets transferred or escalated to the team wait; a
            queue of the team's own (no other team of a :class:`DeskConfig` may have it,
            since the queue a ticket is in tells which team it is with).
        routing_profile: The profile an agent of this team routes under by default.
    """

    name: str = attrs.field(validator=lambda _s, _a, v: _text_name(v, "name"))
    queue: str = attrs.field(validator=lambda _s, _a, v: check_text(string(v, "queue"), "queue"))
    routing_profile: str | None = attrs.field(default=None)

    @routing_profile.validator
    def _v_profile(self, _a: attrs.Attribute[str | None], value: object) -> None:
        if value is not None:
            check_text(string(value, "routing_profile"), "routing_profile")


_STRATEGIES: Final[Mapping[str, type]] = FrozenDict(
    {
        "longest_idle": LongestIdle,
        "round_robin": RoundRobin,
        "most_spare_capacity": MostSpareCapacity,
        "best_proficiency": BestProficiency,
    }
)


def _by_name(value: object, kind: type[Any], noun: str, what: str, field: str) -> dict[str, Any]:
    """Named specs (a collection, or a mapping whose values are the specs) by their names;
    anything else, or a name given twice, is a ConfigError at *field*."""
    items = value.values() if isinstance(value, Mapping) else value
    if isinstance(items, str) or not isinstance(items, Iterable):
        raise ConfigError(
            f"expected a collection of {kind.__name__} values, got {show(value)}", field
        )
    out: dict[str, Any] = {}
    for i, item in enumerate(items):
        if not isinstance(item, kind):
            raise ConfigError(f"expected {noun}, got {show(item)}", f"{field}[{i}]")
        if item.name in out:
            raise ConfigError(f"{what} {show(item.name)} defined twice", f"{field}[{i}]")
        out[item.name] = item
    return out


def _to_tiers(value: Iterable[Tier] | Mapping[str, Tier]) -> Mapping[str, Tier]:
    return FrozenDict(_by_name(value, Tier, "a Tier", "tier", "tiers"))


def _to_queues(value: Iterable[QueueSpec]) -> tuple[QueueSpec, ...]:
    out = tuple(_by_name(value, QueueSpec, "a QueueSpec", "queue", "queues").values())
    return out or (QueueSpec("default"),)


def _to_policies(value: Mapping[str, SlaPolicy] | Iterable[SlaPolicy]) -> Mapping[str, SlaPolicy]:
    return FrozenDict(_by_name(value, SlaPolicy, "an SlaPolicy", "SLA policy", "sla_policies"))


def _to_teams(value: Mapping[str, TeamSpec] | Iterable[TeamSpec]) -> Mapping[str, TeamSpec]:
    return FrozenDict(_by_name(value, TeamSpec, "a TeamSpec", "team", "teams"))


def _to_profiles(value: Iterable[RoutingProfile]) -> tuple[RoutingProfile, ...]:
    by_name = _by_name(
        value, RoutingProfile, "a RoutingProfile", "routing profile", "routing_profiles"
    )
    return tuple(by_name.values())


def _to_strategies(value: object) -> tuple[Strategy, ...]:
    strategies: tuple[Strategy, ...] = wrap("strategies", strategy_tuple, value)
    return strategies


#: The top-level keys of :meth:`DeskConfig.from_dict` (the CLI's JSON Schema lists them too).
DOCUMENT_KEYS: Final[tuple[str, ...]] = (
    "tiers",
    "calendars",
    "sla_policies",
    "default_sla_policy",
    "queues",
    "routing_profiles",
    "strategies",
    "affinity",
    "triage",
    "teams",
    "escalation",
    "escalation_rules",
    "transfers",
    "presence",
    "capacity",
    "survey_delay",
    "close_solved_after",
    "recalculation",
    "keep_history",
    "keep_log",
    "channels",
    "languages",
    "skills",
    "contacts",
    "goodwill",
)


# The keys of the document's parts DeskConfig.from_dict reads itself (the CLI's JSON Schema
# lists them too): any other key is refused at the part's path.
TIER_KEYS: Final = ("name", "rank")
QUEUE_KEYS: Final = (
    "name",
    "key",
    "allowances",
    "default_allowance",
    "bands",
    "fallback",
    "relaxation",
)
RELAXATION_KEYS: Final = ("after", "proficiency", "drop", "any_language", "overflow_to")
PROFILE_KEYS: Final = ("name", "queues")
SLOT_KEYS: Final = ("queue", "priority", "delay")
AFFINITY_KEYS: Final = ("timeout", "recency")
TEAM_KEYS: Final = ("queue", "routing_profile")
TRANSFER_KEYS: Final = ("max_transfers", "on_limit")
CAPACITY_KEYS: Final = ("weights", "limits", "exclusive", "budget")


def _to_triage(value: RuleSet | None) -> RuleSet:
    if value is None:
        return RuleSet.from_dicts([])
    if not isinstance(value, RuleSet):
        raise ConfigError(f"triage must be a RuleSet, got {show(value)}", "triage")
    return value


def _channels(value: object) -> frozenset[str] | None:
    return name_set(value, "channels")


def _languages(value: object) -> frozenset[str] | None:
    return name_set(value, "languages")


def _skills(value: object) -> frozenset[str] | None:
    return name_set(value, "skills")


class _Same:
    """A code policy, as equality sees it: the same object, not an equal one."""

    __slots__ = ("policy",)

    def __init__(self, policy: object) -> None:
        self.policy = policy

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.policy is self.policy

    def __hash__(self) -> int:
        return id(self.policy)


def _escalation_key(policy: object) -> object:
    """What :class:`DeskConfig` equality compares of an escalation policy: a
    :class:`RuleEscalationPolicy` by its rules (two documents with the same
    ``escalation_rules`` give equal configs), code by identity."""
    if policy is None or type(policy) is RuleEscalationPolicy:
        return policy
    return _Same(policy)


@attrs.frozen
class DeskConfig:
    """Everything a desk is told once: tiers, policies, queues, teams and routing.

    Build it from Python values or with :meth:`from_dict` from a JSON/YAML document.

    Args:
        tiers: The customer tiers.
        sla_policies: The SLA policies, by name.
        queues: The queues (one ``"default"`` queue when empty).  The first one is the
            fallback: a ticket that no triage rule (and no *queue_policy*) sends to a queue
            waits there, so list the default queue first or end the rules with a catch-all
            that sets ``queue`` (:meth:`lint` names the tickets that fall back to it).
        routing_profiles: Agent groups and the queues they serve (one profile serving every
            queue when empty).
        triage: Rules deciding a new ticket's ``priority``, ``sla_policy``, ``queue``,
            ``skills`` (extra required skills: a list of names or a mapping skill -> minimum
            proficiency) and ``tags``; evaluated once per ticket over :meth:`Desk.context`.
            A ticket for which no rule sets ``queue`` waits in the first of *queues*, and one
            for which none sets ``sla_policy`` gets *default_sla_policy*.
        default_sla_policy: The SLA policy when no rule names one (``None``: no SLA).
        strategies: The agent-selection chain (ordered tie-breakers).
        teams: Teams, the queue their work waits in, and their agents' routing profile;
            each team has a queue of its own (the queue a ticket waits or was last queued in
            tells which team it is with), while a queue may be no team's.
        escalation: Who may escalate to whom; ``None`` allows any escalation between teams.
        transfers: How many hand-overs a ticket may have.
        presence: Presence states beyond the built-in four.
        capacity: How channels share an agent's capacity.
        survey_delay: When to ask for feedback after a resolution (``None``: never); a
            resolution rated or reopened before then is not asked about.
        close_solved_after: How long a solved ticket stays open to a reopening before the
            desk closes it for good (``None``, the default: only :meth:`Desk.close` closes);
            a positive duration of wall-clock time from the resolution.  A ticket reopened
            or closed by hand before then is not closed by the timer; one solved again
            starts a new wait.  The close is a :class:`~csflow.events.TicketClosed` that
            :meth:`Desk.advance` fires at its instant.
        recalculation: How SLA clocks follow a priority change (:class:`~csflow.sla.RecalcMode`).
        calendars: Named calendars (only for :meth:`to_dict` round trips and reference); names
            of at most 64 characters.
        keep_history: Keep each ticket's events for :meth:`Desk.history` (memory per event).
        keep_log: Has no effect (accepted so that older configs still load).  The desk used
            to keep every command it accepted in memory, for command-log snapshots; since
            state snapshots (``csflow.desk/3``) nothing reads such a log, so none is kept and
            a desk's memory follows its open work whatever this says.
        priority_policy: A :class:`~csflow.policies.PriorityPolicy` asked after triage (any
            callable ``PolicyContext -> PolicyResult``); its answer wins over the rules'.
        queue_policy: A :class:`~csflow.policies.QueuePolicy`, likewise.
        sla_selection: A :class:`~csflow.policies.SlaSelectionPolicy`, likewise.
        escalation_policy: An :class:`~csflow.policies.EscalationPolicy` asked on every SLA
            warning and breach of an open ticket: it may raise the priority, move a waiting
            ticket to another queue, add tags and name people to notify
            (:class:`~csflow.events.SlaEscalated`).
        channels: The channels tickets and agents may use: a collection of names, or
            ``"open"`` for any (default: the five common channels; channels the capacity rules
            name in weights or limits are declared too).  See :mod:`csflow.desk.names`.
        languages: The languages tickets and agents may use, or ``"open"`` (the default).
        skills: The skills tickets and agents may name, or ``"open"`` (the default); triage
            rules' ``skills`` actions, and the skills a queue's relaxation step drops, must
            name declared skills.
        contacts: How much of each customer's recent contacts the desk remembers, for the
            triage rules' ``contacts.*`` fields and :class:`~csflow.events.TicketAssigned`
            (``None``: nothing).
        goodwill: Agents' goodwill allowances (``None``: the desk grants no goodwill); once
            ``tiers`` (or ``teams``) are declared, its ``per_ticket`` tiers (or team pots)
            must be among them.

    A ticket of a tier not in *tiers* (when some are defined), or an agent of a team not in
    *teams* (when some are defined), is refused like an undeclared channel
    (:meth:`check_ticket`, :meth:`check_agent`).

    Two configurations are equal when their parts are: the escalation graph by value, a
    :class:`~csflow.policies.RuleEscalationPolicy` by its rules, any other escalation policy
    (code) by identity; *priority_policy*, *queue_policy* and *sla_selection* are not
    compared.  :meth:`to_dict` writes a configuration as the plain data :meth:`from_dict`
    reads.

    Raises:
        ConfigError: Anything inconsistent, with the path to it: a queue a profile or team
            names that does not exist, two teams on one queue (at the second team's
            ``teams.<name>.queue``), a rule action naming an unknown queue or SLA policy
            (an escalation rule's too, when *escalation_policy* is a
            :class:`~csflow.policies.RuleEscalationPolicy`), an allowance of a tier not in
            *tiers* (when some are defined), an escalation team that is not a team.
    """

    tiers: Mapping[str, Tier] = attrs.field(factory=dict, converter=_to_tiers, hash=False)
    sla_policies: Mapping[str, SlaPolicy] = attrs.field(
        factory=dict, converter=_to_policies, hash=False
    )
    queues: tuple[QueueSpec, ...] = attrs.field(default=(), converter=_to_queues)
    routing_profiles: tuple[RoutingProfile, ...] = attrs.field(default=(), converter=_to_profiles)
    triage: RuleSet = attrs.field(default=None, converter=_to_triage)
    default_sla_policy: str | None = None
    strategies: tuple[Strategy, ...] = attrs.field(
        default=(LongestIdle(),), converter=_to_strategies
    )
    teams: Mapping[str, TeamSpec] = attrs.field(factory=dict, converter=_to_teams, hash=False)
    escalation: EscalationGraph | None = None
    transfers: TransferPolicy = attrs.field(factory=TransferPolicy)
    presence: PresenceStates = attrs.field(factory=PresenceStates)
    capacity: CapacityRules = attrs.field(factory=CapacityRules)
    survey_delay: timedelta | None = None
    recalculation: RecalcMode = attrs.field(default=RecalcMode.KEEP_ELAPSED, converter=RecalcMode)
    calendars: Mapping[str, BusinessCalendar] = attrs.field(factory=dict, hash=False)
    keep_history: bool = True
    keep_log: bool = True
    priority_policy: PriorityPolicy | None = attrs.field(default=None, eq=False)
    queue_policy: QueuePolicy | None = attrs.field(default=None, eq=False)
    sla_selection: SlaSelectionPolicy | None = attrs.field(default=None, eq=False)
    escalation_policy: EscalationPolicy | None = attrs.field(default=None, eq=_escalation_key)
    channels: frozenset[str] | None = attrs.field(default=COMMON_CHANNELS, converter=_channels)
    languages: frozenset[str] | None = attrs.field(default=None, converter=_languages)
    skills: frozenset[str] | None = attrs.field(default=None, converter=_skills)
    contacts: ContactPolicy | None = attrs.field(factory=ContactPolicy)
    goodwill: GoodwillPolicy | None = None
    # (Added after configs were first fingerprinted: left out of a fingerprint while unset.)
    close_solved_after: timedelta | None = attrs.field(
        default=None, metadata={"csflow.fingerprint": "omit_default"}
    )

    def __attrs_post_init__(self) -> None:
        if self.channels is not None and isinstance(self.capacity, CapacityRules):
            # A channel the capacity rules name is one the desk means to serve.
            # (Not ``exclusive``: it names "phone" by default, declared or not.)
            named = set(self.capacity.weights) | set(self.capacity.limits)
            object.__setattr__(self, "channels", self.channels | named)
        for cal in self.calendars:
            _text_name(cal, "calendars")
        if self.default_sla_policy is not None:
            check_text(self.default_sla_policy, "default_sla_policy")
        for field in ("channels", "languages", "skills"):
            for declared in sorted(getattr(self, field) or ()):
                check_text(declared, field)
        if isinstance(self.presence, PresenceStates):
            for state in self.presence.custom:
                check_text(state, "presence")
        queues = {q.name for q in self.queues}
        for i, p in enumerate(self.routing_profiles):
            if not isinstance(p, RoutingProfile):
                raise ConfigError(
                    f"expected a RoutingProfile, got {show(p)}", f"routing_profiles[{i}]"
                )
            check_text(p.name, f"routing_profiles[{i}].name")
            for j, s in enumerate(p.queues):
                if s.queue not in queues:
                    raise ConfigError(
                        f"unknown queue {show(s.queue)}; known: {show(sorted(queues))}",
                        f"routing_profiles[{i}].queues[{j}]",
                    )
        profiles = {p.name for p in self.routing_profiles}
        # A queue names the team its tickets are with (a view's ``team``, the team a transfer
        # or an escalation starts from, the team feedback credits), so each team has a queue
        # of its own: with two teams on one queue the desk could not tell whose ticket it is.
        team_of_queue: dict[str, str] = {}
        for name, t in self.teams.items():
            if t.queue not in queues:
                raise ConfigError(
                    f"unknown queue {show(t.queue)}; known: {show(sorted(queues))}",
                    path_key(path_key("teams", name), "queue"),
                )
            other = team_of_queue.setdefault(t.queue, name)
            if other != name:
                raise ConfigError(
                    f"team {show(other)} already waits in queue {show(t.queue)}; each team "
                    "needs a queue of its own",
                    path_key(path_key("teams", name), "queue"),
                )
            if t.routing_profile is not None and t.routing_profile not in profiles:
                raise ConfigError(
                    f"unknown routing profile {show(t.routing_profile)}; known: "
                    f"{show(sorted(profiles))}",
                    path_key(path_key("teams", name), "routing_profile"),
                )
        for i, q in enumerate(self.queues):
            steps = q.relaxation.steps if q.relaxation is not None else ()
            for j, step in enumerate(steps):
                if step.overflow_to is not None and step.overflow_to not in queues:
                    raise ConfigError(
                        f"unknown queue {show(step.overflow_to)}; known: {show(sorted(queues))}",
                        f"queues[{i}].relaxation[{j}].overflow_to",
                    )
        # An overflow no key can order (a ticket with no due instant into a queue ordered by
        # deadline without a fallback) is refused here, with the path of its step.
        key_policies = {q.name: q.key for q in self.queues}
        for i, q in enumerate(self.queues):
            if q.relaxation is not None:
                check_overflow_keys(q.relaxation, f"queues[{i}].relaxation", q.name, key_policies)
        for i, q in enumerate(self.queues):
            if self.tiers and isinstance(q.key, AgingKey):
                for tier, prio in q.key.allowances:
                    if tier != "*" and tier not in self.tiers:
                        # An allowance of a tier no ticket can have would never apply.
                        raise ConfigError(
                            f"allowance of unknown tier {show(tier)}; known: "
                            f"{show(sorted(self.tiers))}",
                            path_key(
                                f"queues[{i}].key.allowances",
                                tier if prio is None else f"{tier}:{prio}",
                            ),
                        )
        if isinstance(self.escalation_policy, RuleEscalationPolicy):
            for i, rule in enumerate(self.escalation_policy.rules.rules):
                target = rule.then.get("queue")
                if target is not None and target not in queues:
                    # The desk would skip the move at every breach; refuse it now instead.
                    raise ConfigError(
                        f"unknown queue {show(target)}; known: {show(sorted(queues))}",
                        f"{_ESCALATION_RULES}[{i}].then.queue",
                    )
        if self.escalation is not None:
            for i, team in enumerate(self.escalation.teams):
                if team not in self.teams:
                    raise ConfigError(
                        f"escalation team {show(team)} is not a configured team; known: "
                        f"{show(sorted(self.teams))}",
                        f"escalation.teams[{i}]",
                    )
        if self.default_sla_policy is not None and self.default_sla_policy not in self.sla_policies:
            raise ConfigError(
                f"unknown SLA policy {show(self.default_sla_policy)}; known: "
                f"{show(sorted(self.sla_policies))}",
                "default_sla_policy",
            )
        if self.survey_delay is not None:
            duration_us(self.survey_delay, "survey_delay", ConfigError)
        if self.close_solved_after is not None:
            after = self.close_solved_after
            if duration_us(after, "close_solved_after", ConfigError) <= 0:
                raise ConfigError(
                    f"'close_solved_after' must be a positive duration, got {show(after)}",
                    "close_solved_after",
                )
        if self.contacts is not None and not isinstance(self.contacts, ContactPolicy):
            raise ConfigError(f"expected a ContactPolicy, got {show(self.contacts)}", "contacts")
        if self.skills is not None:
            # A step dropping a skill no ticket can need (an undeclared one: such a ticket is
            # refused) would do nothing, in silence: a typo ("biling") must not load.
            for i, q in enumerate(self.queues):
                steps = q.relaxation.steps if q.relaxation is not None else ()
                for j, step in enumerate(steps):
                    undeclared = sorted(step.drop - self.skills)
                    if undeclared:
                        raise ConfigError(
                            f"undeclared skill {show(undeclared[0])}; declared: "
                            f"{show(sorted(self.skills))}",
                            f"queues[{i}].relaxation[{j}].drop",
                        )
        if self.goodwill is not None and not isinstance(self.goodwill, GoodwillPolicy):
            raise ConfigError(f"expected a GoodwillPolicy, got {show(self.goodwill)}", "goodwill")
        if self.goodwill is not None:
            # A limit for a tier no ticket can have, or a pot for a team no agent can be in,
            # would never apply: a typo ("glod", "finanse") must not load silently.
            for section, kind, declared in (
                ("per_ticket", "tier", self.tiers),
                ("teams", "team", self.teams),
            ):
                for name in getattr(self.goodwill, section) if declared else ():
                    if name not in declared:
                        raise ConfigError(
                            f"unknown {kind} {show(name)}; known: {show(sorted(declared))}",
                            path_key(f"goodwill.{section}", name),
                        )
        if not isinstance(self.transfers, TransferPolicy):
            raise ConfigError(f"expected a TransferPolicy, got {show(self.transfers)}", "transfers")
        for i, rule in enumerate(self.triage):
            for key, value in rule.then.items():
                where = f"triage[{i}].then.{key}"
                if key not in TRIAGE_ACTIONS:
                    # The desk reads only these: a misspelt one ("queu") would be ignored and
                    # the ticket would quietly go to the default queue.
                    raise ConfigError(
                        f"unknown triage action {show(key)}; triage acts on "
                        f"{show(list(TRIAGE_ACTIONS))}",
                        where,
                    )
                if key == "queue" and (not isinstance(value, str) or value not in queues):
                    raise ConfigError(
                        f"unknown queue {show(value)}; known: {show(sorted(queues))}", where
                    )
                if key == "sla_policy" and not (
                    value is None or (isinstance(value, str) and value in self.sla_policies)
                ):
                    raise ConfigError(
                        f"unknown SLA policy {show(value)}; known: "
                        f"{show(sorted(self.sla_policies))}",
                        where,
                    )
                if key == "priority":
                    wrap(where, Priority.parse, value)
                if key == "tags" and not (
                    isinstance(value, tuple) and all(isinstance(t, str) and t for t in value)
                ):
                    # The rule loader keeps a list as a tuple; a bare string would become one
                    # tag per character, a number would fail on every ticket.
                    raise ConfigError(
                        f"tags must be a list of non-empty names, got "
                        f"{show(list(value) if isinstance(value, tuple) else value)}",
                        where,
                    )
                if key == "skills":
                    for req in wrap(where, extra_skills, value):
                        if self.skills is not None and req.skill not in self.skills:
                            raise ConfigError(
                                f"undeclared skill {show(req.skill)}; declared: "
                                f"{show(sorted(self.skills))}",
                                where,
                            )

    def check_ticket(self, ticket: Ticket) -> None:
        """Refuse a ticket that names an undeclared channel, tier, language or skill.

        :meth:`Desk.submit` calls it first; a host may call it earlier (on its own form).

        Raises:
            UndeclaredNameError: The first undeclared name, with its path and the declared
                names (see :mod:`csflow.desk.names`).
        """
        check_ticket_names(
            ticket,
            channels=self.channels,
            tiers=self.tiers,
            languages=self.languages,
            skills=self.skills,
        )

    def check_agent(self, profile: AgentProfile) -> None:
        """Refuse an agent whose channels, languages, skills or teams are undeclared.

        :meth:`Desk.add_agent` calls it first.

        Raises:
            UndeclaredNameError: The first undeclared name, with its path and the declared
                names (see :mod:`csflow.desk.names`).
        """
        check_agent_names(
            profile,
            channels=self.channels,
            languages=self.languages,
            skills=self.skills,
            teams=self.teams,
        )

    def lint(self, *, agents: Iterable[AgentProfile] = ()) -> list[Finding]:
        """Likely mistakes in the whole configuration (also :func:`csflow.lint.lint` of it).

        The triage rules are linted against this configuration's SLA policies and queues
        (paths ``triage.rules[i]...``); then: a queue ordered by SLA deadline without a
        ``fallback`` (a ticket with no due instant is refused there), a queue no routing
        profile serves (its tickets can never be assigned), an SLA policy neither a rule nor
        the default chooses, a team whose name no agent's teams can hold (``"Finance"``: no
        agent can be of it), a team whose queue no profile serves, a team the escalation
        graph leaves out (info: it is reached by transfer only), teams with a queue of their
        own among several and no routing profile at all (every agent serves every queue, so
        an escalation reaches anyone, at ``routing_profiles``); with *agents*, skills the rules require that no agent
        has, and agents no team or profile can route (none of their teams has a profile while
        the desk has several); with *agents*, also every declared name no agent serves and
        every ticket shape (channel x language x required skills x queue) no agent could ever
        take.  Following tickets through the triage rules, it also reports conditions on a
        tier, channel, language or priority no ticket has (errors), tickets that fall back to
        the first queue, tickets that get no SLA, and SLA policies without targets or on a
        calendar that never opens (:mod:`csflow.desk.reach`); escalation rules' conditions
        are checked for undeclared names too, for an ``event`` or ``metric`` no
        escalation is asked about, and for a ``queue``, ``team`` or ``state`` no ticket is
        in.
        """
        profiles = list(agents)
        # The declared skills, so that a condition naming another (``required_skills``
        # ``contains`` "biling") is an error; the declared skills no agent has are reported
        # once, below (``skills.X``), not again by the rules' lint (``skills[i]``).
        skills = sorted(self.skills) if self.skills is not None else []
        out = [
            Finding(f"triage.{f.path}", f.severity, f.message)
            for f in lint_rules(
                self.triage,
                sla_policies=list(self.sla_policies),
                queues=[q.name for q in self.queues],
                skills=skills,
                agents=profiles,
                # What the desk's triage context holds (a document's rules were checked
                # against it when loaded; rules built in Python were not).
                known_fields=STANDARD_FIELDS,
            )
            if not f.path.startswith("skills[")
        ]
        if isinstance(self.escalation_policy, RuleEscalationPolicy):
            out += [
                Finding(f"escalation_rules{f.path.removeprefix('rules')}", f.severity, f.message)
                for f in lint_rules(
                    self.escalation_policy.rules,
                    queues=[q.name for q in self.queues],
                    skills=skills,
                    agents=profiles,
                    known_fields=POLICY_FIELDS,
                )
                if not f.path.startswith("skills[")
            ]
        served = {s.queue for p in self.routing_profiles for s in p.queues}
        if not self.routing_profiles:
            served = {q.name for q in self.queues}
        for i, q in enumerate(self.queues):
            if type(q.key) is DeadlineKey and q.key.fallback is None:
                out.append(
                    Finding(
                        f"queues[{i}].key",
                        "warning",
                        f"queue {q.name!r} orders by SLA deadline without a fallback: a "
                        "ticket with no due instant (no SLA policy, or its clocks met or "
                        "paused) is refused there -- at submit, and on a transfer, "
                        "escalation, requeue, reopening, resume or its agent's removal; give "
                        "the key a fallback (such as 1h) to order such tickets by when they "
                        "joined",
                    )
                )
            if q.name not in served:
                out.append(
                    Finding(
                        f"queues[{i}]",
                        "warning",
                        f"no routing profile serves queue {q.name!r}: its tickets can never be "
                        "assigned",
                    )
                )
        chosen = {r.then.get("sla_policy") for r in self.triage} | {self.default_sla_policy}
        for name in self.sla_policies:
            if name not in chosen:
                out.append(
                    Finding(
                        path_key("sla_policies", name),
                        "info",
                        f"no triage rule chooses SLA policy {name!r} and it is not the default",
                    )
                )
        for name, team in self.teams.items():
            if not _AGENT_TEAM_NAME.match(name):
                # A desk's team is any name of 64 characters, an agent's team a lowercase one:
                # no agent can be of this team ("Finance", "財務"), so its tickets reach an
                # agent only through a routing profile named at add_agent.
                out.append(
                    Finding(
                        path_key("teams", name),
                        "warning",
                        f"team {name!r} is not a name an agent's teams can hold (a lowercase "
                        "name of letters, digits, '_', '-', '.'): no agent can be of it",
                    )
                )
            if team.queue not in served:
                out.append(
                    Finding(
                        path_key(path_key("teams", name), "queue"),
                        "warning",
                        f"team {name!r} waits in queue {team.queue!r}, which no routing "
                        "profile serves",
                    )
                )
        if self.escalation is not None:
            graph_teams = set(self.escalation.teams)
            for name in self.teams:
                if name not in graph_teams:
                    out.append(
                        Finding(
                            path_key("teams", name),
                            "info",
                            f"team {name!r} is not in the escalation graph: tickets reach it "
                            "by transfer only, and it escalates to no team (list it in "
                            "escalation.teams, with edges, if it should)",
                        )
                    )
        team_queues = {team.queue for team in self.teams.values()}
        if not self.routing_profiles and team_queues and len(self.queues) > 1:
            out.append(
                Finding(
                    "routing_profiles",
                    "warning",
                    f"teams wait in queues of their own ({', '.join(sorted(team_queues))}), "
                    "but no routing profile is defined, so every agent serves every queue: a "
                    "ticket transferred or escalated to a team goes to any free agent, not to "
                    "one of the team's (give each team a routing_profile that serves its queue)",
                )
            )
        out += unserved_shapes(self, profiles)
        return out

    @classmethod
    def from_dict(cls, data: object) -> DeskConfig:
        """Build a configuration from plain data (a parsed JSON, YAML or TOML document).

        Shape (every key optional)::

            {"tiers": [{"name": "platinum", "rank": 4}, ...],
             "calendars": {"jakarta": {...BusinessCalendar.to_dict()...}},
             "sla_policies": [{"name": "platinum", "calendar": "jakarta",
                               "targets": {"first_response": "PT1M"}}, ...],
             "default_sla_policy": "regular",
             "queues": [{"name": "vip", "key": "aging",
                         "allowances": {"platinum": "PT30S"}, "default_allowance": "PT10M",
                         "relaxation": [{"after": "PT2M", "proficiency": 1},
                                        {"after": "PT5M", "overflow_to": "general"}]},
                        {"name": "general", "key": "deadline", "fallback": "PT1H"}],
             "routing_profiles": [{"name": "frontline",
                                   "queues": [{"queue": "vip", "priority": 1},
                                              {"queue": "general", "priority": 2,
                                               "delay": "PT1M"}]}],
             "strategies": ["preferred_agent", "longest_idle"],
             "affinity": {"timeout": "PT2M", "recency": "P7D"},
             "triage": {"mode": "first", "rules": [...rule dicts...]},
             "teams": {"finance": {"queue": "finance", "routing_profile": "finance"}},
             "escalation": {"teams": [...], "entry": [...], "edges": {...}},
             "escalation_rules": [...rule dicts: RuleEscalationPolicy...],
             "transfers": {"max_transfers": 3, "on_limit": "refuse"},
             "presence": {"lunch": false},
             "capacity": {"weights": {"email": 1}, "exclusive": ["phone"], "budget": 3},
             "survey_delay": "PT1H",
             "channels": ["chat", "email", "phone"],
             "languages": "open",
             "skills": ["billing", "refunds"],
             "recalculation": "keep_elapsed",
             "keep_history": true,
             "keep_log": true,
             "contacts": {"window": "P7D", "max_contacts": 20, "max_customers": 100000},
             "goodwill": {...GoodwillPolicy.from_dict...}}

        ``"contacts": null`` turns the memory of repeat customers off.

        Durations are ISO 8601 (``"PT30S"``) or seconds.  ``channels``, ``languages`` and
        ``skills`` are lists of names or ``"open"`` (see the constructor for the defaults).
        A queue's ``allowances`` and ``default_allowance`` belong to ``"key": "aging"`` (the
        default) and ``fallback`` to ``"key": "deadline"``; the other kind's key is refused.
        An aging queue serves priorities in order (urgent, high, normal, low: each its own
        band) and ages tickets of one priority by their allowances; ``"bands"`` (priority ->
        band, lower first; priorities left out share band 1) lets priorities age past each
        other, e.g. ``{"urgent": 0}``.  An allowance is keyed by ``"tier"``,
        ``"tier:priority"`` or ``"*:priority"`` (every tier, one priority); the tier must be
        one of ``tiers`` when the document declares some, and a bare ``"*"`` is refused (the
        allowance of every tier is ``default_allowance``).  Allowances, ``default_allowance``
        and ``fallback`` are at most 36,525 days (about 100 years); bands are ints from
        -2,147,483,648 to 2,147,483,647.  ``escalation_rules`` are checked as triage rules
        are: a field no escalation context has and a ``queue`` the desk does not have are
        refused (``escalation_rules[0].then.queue: ...``).

        Every string of the document (a name, a rule's description or tags, a holiday's name)
        and every key must be text UTF-8 can write: it reaches events, snapshots and reports,
        so one holding a lone surrogate (U+D800-U+DFFF, what ``json.loads`` makes of a lone
        ``"\\ud800"`` escape) is refused with its path (``triage.rules[0].description:
        expected text without lone surrogates (U+D800-U+DFFF), got 'VIP\\ud800'``; a key at
        its mapping's path).  An error names a key of the document in its path as written when
        it is a printable name of at most 64 characters, else shown escaped and shortened
        (``teams['a\\x1b[31m']``).

        Raises:
            ConfigError: Anything malformed, with the path to it
                (``queues[1].relaxation[0].after: ...``).
        """
        d = mapping(data, "config")
        check_keys(d, DOCUMENT_KEYS, "config")
        # Every string of the document (a rule's description, a holiday's name, a tag) may
        # reach events, snapshots and reports: one that cannot be written as UTF-8 is refused
        # here, at its path, whatever part reads it.
        check_document(d)
        tiers = []
        for i, t in enumerate(sequence(d.get("tiers", []), "tiers")):
            p = f"tiers[{i}]"
            tm = mapping(t, p)
            check_keys(tm, TIER_KEYS, p)
            try:
                tiers.append(Tier(tm.get("name"), tm.get("rank", 0)))  # type: ignore[arg-type]
            except ConfigError as exc:  # at the field it names: tiers[i].name or .rank
                field = "rank" if exc.detail.startswith("tier rank") else "name"
                raise ConfigError(exc.detail, f"{p}.{field}") from None
        calendars: dict[str, BusinessCalendar] = {}
        for name, c in mapping(d.get("calendars", {}), "calendars").items():
            _text_name(name, "calendars")
            calendars[name] = BusinessCalendar.from_dict(c, path_key("calendars", name))
        policies = []
        raw_policies = d.get("sla_policies", [])
        # A list of policies, or a mapping name -> policy: each named (and its errors) as the
        # document writes it, ``sla_policies[i]`` or ``sla_policies.<name>``.
        entries: list[tuple[str, object]] = []
        if isinstance(raw_policies, Mapping):
            for k, v in mapping(raw_policies, "sla_policies").items():
                p = path_key("sla_policies", k)
                vm = mapping(v, p)
                if "name" in vm and vm["name"] != k:
                    # Which would name it?  Neither silently.
                    raise ConfigError(
                        f"a policy in the mapping form is named by its key {show(k)}, got "
                        f"the name {show(vm['name'])} too; leave 'name' out",
                        path_key(p, "name"),
                    )
                entries.append((p, {**vm, "name": k}))
        else:
            for i, sp in enumerate(sequence(raw_policies, "sla_policies")):
                entries.append((f"sla_policies[{i}]", sp))
        for p, sp in entries:
            policies.append(SlaPolicy.from_dict(sp, calendars, p))
        tier_names = frozenset(t.name for t in tiers)
        queues = [
            _queue_from_dict(q, f"queues[{i}]", tier_names)
            for i, q in enumerate(sequence(d.get("queues", []), "queues"))
        ]
        profiles = [
            _profile_from_dict(p, f"routing_profiles[{i}]")
            for i, p in enumerate(sequence(d.get("routing_profiles", []), "routing_profiles"))
        ]
        strategies = _strategies_from_dict(d.get("strategies"), d.get("affinity"))
        triage = None
        # Triage is written as a list of rules or as {mode, rules}: an error in rule i is at
        # ``triage[i]`` or ``triage.rules[i]``, as the document has it.
        listed = isinstance(d.get("triage"), list | tuple)
        if "triage" in d:
            tr = d["triage"]
            if listed:
                tr = {"rules": tr}
            elif not isinstance(tr, Mapping):
                raise ConfigError(
                    f"expected a list of rules or a mapping {{mode, rules}}, got {show(tr)}",
                    "triage",
                )
            tm = mapping(tr, "triage")
            check_keys(tm, ("mode", "rules"), "triage")
            mode = tm.get("mode", "first")
            if mode not in ("first", "all"):
                raise ConfigError(f"mode must be 'first' or 'all', got {show(mode)}", "triage.mode")
            try:
                triage = wrap("triage", _triage_rules, tm.get("rules", []), mode)
            except ConfigError as exc:
                raise _triage_path(exc, listed) from None
        teams = []
        for name, t in mapping(d.get("teams", {}), "teams").items():
            defined_name(name, "teams")
            p = path_key("teams", name)
            tm = mapping(t, p)
            check_keys(tm, TEAM_KEYS, p)
            teams.append(
                wrap(p, TeamSpec, name, tm.get("queue"), routing_profile=tm.get("routing_profile"))
            )
        escalation = None
        if d.get("escalation") is not None:
            em = mapping(d["escalation"], "escalation")
            edges = em.get("edges")
            for src in edges if isinstance(edges, Mapping) else ():
                if isinstance(src, str) and path_key("", src) != src:
                    # Not a team's name (the graph would name it verbatim in its path).
                    raise ConfigError(
                        "expected a team's name (at most 64 printable characters), got "
                        f"{show(src)}",
                        path_key("escalation.edges", src),
                    )
            escalation = wrap("escalation", EscalationGraph.from_dict, em)
        escalation_policy = None
        if d.get("escalation_rules") is not None:
            # The rule-set form of an EscalationPolicy (a code policy goes to the constructor).
            rules = list(sequence(d["escalation_rules"], "escalation_rules"))
            try:
                # Loaded as the policy loads them ("all" mode), and checked as triage rules
                # are: a misspelt field ("evnt") would never match, in silence.
                escalation_policy = RuleEscalationPolicy(
                    RuleSet.from_dicts(rules, mode="all", known_fields=POLICY_FIELDS)
                )
            except ConfigError as exc:
                # The rule loader names ``rules[i]...``: in the document they are
                # ``escalation_rules[i]...``.
                where = exc.path.removeprefix("rules")
                raise ConfigError(exc.detail, f"escalation_rules{where}") from None
        transfers = TransferPolicy()
        if "transfers" in d:
            tm = mapping(d["transfers"], "transfers")
            check_keys(tm, TRANSFER_KEYS, "transfers")
            for k in tm:  # each field checked alone, so an error names it in its path
                wrap(path_key("transfers", k), TransferPolicy, **{k: tm[k]})
            transfers = wrap(
                "transfers",
                TransferPolicy,
                tm.get("max_transfers", 3),
                tm.get("on_limit", "refuse"),
            )
        pm = mapping(d.get("presence", {}), "presence")
        for k, v in pm.items():  # each state checked alone, so an error names it in its path
            wrap(path_key("presence", k), PresenceStates, {k: v})
        presence = wrap("presence", PresenceStates, dict(pm))
        capacity = CapacityRules()
        if "capacity" in d:
            cm = mapping(d["capacity"], "capacity")
            check_keys(cm, CAPACITY_KEYS, "capacity")
            # Each value checked alone first, so an error names it in its path.
            for field in ("weights", "limits"):
                fp = path_key("capacity", field)
                for ch, v in mapping(cm.get(field, {}), fp).items():
                    wrap(path_key(fp, ch), CapacityRules, **{field: {ch: v}})
            for i, ch in enumerate(sequence(cm.get("exclusive", []), "capacity.exclusive")):
                wrap(f"capacity.exclusive[{i}]", CapacityRules, exclusive=[ch])
            if "budget" in cm:
                wrap("capacity.budget", CapacityRules, budget=cm["budget"])
            capacity = wrap(
                "capacity",
                CapacityRules,
                weights=dict(mapping(cm.get("weights", {}), "capacity.weights")),
                limits=dict(mapping(cm.get("limits", {}), "capacity.limits")),
                exclusive=list(sequence(cm.get("exclusive", ["phone"]), "capacity.exclusive")),
                budget=cm.get("budget"),
            )
        survey = None
        if d.get("survey_delay") is not None:
            survey = duration(d["survey_delay"], "survey_delay")
        close_after = None
        if d.get("close_solved_after") is not None:
            close_after = duration(d["close_solved_after"], "close_solved_after")
        recalc = d.get("recalculation", "keep_elapsed")
        try:
            mode_r = RecalcMode.parse(recalc)
        except ConfigError:
            raise ConfigError(
                f"expected one of {show([m.name.lower() for m in RecalcMode])}, got {show(recalc)}",
                "recalculation",
            ) from None
        keep_log = d.get("keep_log", True)
        if not isinstance(keep_log, bool):
            raise ConfigError(f"expected true or false, got {show(keep_log)}", "keep_log")
        keep = d.get("keep_history", True)
        if not isinstance(keep, bool):
            raise ConfigError(f"expected true or false, got {show(keep)}", "keep_history")
        default_policy = d.get("default_sla_policy")
        if default_policy is not None:
            string(default_policy, "default_sla_policy")
        try:
            return cls(
                tiers=tiers,
                sla_policies=policies,
                queues=queues,
                routing_profiles=profiles,
                triage=triage,
                default_sla_policy=default_policy,
                strategies=strategies,
                teams=teams,
                escalation=escalation,
                escalation_policy=escalation_policy,
                transfers=transfers,
                presence=presence,
                capacity=capacity,
                survey_delay=survey,
                close_solved_after=close_after,
                recalculation=mode_r,
                calendars=calendars,
                keep_history=keep,
                keep_log=keep_log,
                **{k: d[k] for k in ("channels", "languages", "skills") if k in d},
                contacts=(
                    ContactPolicy.from_dict(d.get("contacts", {}))
                    if d.get("contacts", {}) is not None
                    else None
                ),
                goodwill=(
                    GoodwillPolicy.from_dict(d["goodwill"])
                    if d.get("goodwill") is not None
                    else None
                ),
            )
        except ConfigError as exc:
            if exc.path.startswith(_ESCALATION_RULES):
                # The constructor names the policy's rules; the document calls them this.
                where = exc.path.removeprefix(_ESCALATION_RULES)
                raise ConfigError(exc.detail, f"escalation_rules{where}") from None
            raise _triage_path(exc, listed) from None

    def to_dict(self) -> dict[str, Any]:
        """The configuration as the JSON-compatible plain data :meth:`from_dict` reads.

        Every key is written, defaults included, so that a host can show, diff or store the
        configuration a desk runs with: ``DeskConfig.from_dict(config.to_dict()) == config``
        for a configuration read from a document, and writing that one again gives the same
        data.  Durations are ISO 8601 text (``"PT10M"``), sets of names sorted lists, amounts
        decimal strings; ``channels``, ``languages`` and ``skills`` are ``"open"`` when they
        are; an SLA policy names its calendar (and each per-metric one) when one of
        *calendars* has the same data (else the calendar is written inline); ``affinity`` is
        written when a ``preferred_agent`` is in ``strategies``.  A queue's relaxation plan
        is read back named after its queue.

        Code has no document form.  A :class:`~csflow.policies.RuleEscalationPolicy` is
        written as ``escalation_rules`` and the built-in strategies and key policies by
        their names; any other policy, strategy or key policy raises.

        Returns:
            A mapping of the keys of :meth:`from_dict`, in its order.

        Raises:
            ConfigError: A part that cannot be written as data, with its path and why:
                ``priority_policy``, ``queue_policy`` or ``sla_selection`` (code), an
                ``escalation_policy`` that is not a :class:`~csflow.policies.RuleEscalationPolicy`
                (or whose rules are in ``"first"`` mode: a document's are read in ``"all"``
                mode), ``queues[i].key`` (a key policy other than
                :class:`~csflow.queues.AgingKey` and :class:`~csflow.queues.DeadlineKey`, or
                one whose ``default_band`` is not 1), ``strategies[i]`` (a strategy other than
                the built-in ones, or a second :class:`~csflow.routing.PreferredAgent` with
                other settings: a document has one ``affinity``), a zero duration where a
                document's is positive (``queues[i].key.fallback``, ``strategies[i].recency``,
                ``survey_delay``, ``contacts.window``); and anything else :meth:`from_dict`
                would refuse, at the path it names (``triage.rules[0].when.field``: a rule
                built in Python may read a field no ticket has, a document's may not).

        Examples:
            >>> config = DeskConfig.from_dict({"queues": [{"name": "general"}]})
            >>> config.to_dict()["queues"][0]["default_allowance"]
            'PT10M'
            >>> DeskConfig.from_dict(config.to_dict()) == config
            True
        """
        for name in ("priority_policy", "queue_policy", "sla_selection"):
            policy = getattr(self, name)
            if policy is not None:
                raise ConfigError(
                    f"{show(policy)} is code and cannot be written as data: a document has no "
                    "key for a policy given in Python (leave it out, and give it again to the "
                    "config read back)",
                    name,
                )
        calendars = {name: cal.to_dict() for name, cal in self.calendars.items()}
        data: dict[str, Any] = {
            "tiers": [{"name": t.name, "rank": t.rank} for t in self.tiers.values()],
            "calendars": calendars,
            "sla_policies": [_sla_to_dict(p, calendars) for p in self.sla_policies.values()],
            "default_sla_policy": self.default_sla_policy,
            "queues": [_queue_to_dict(q, f"queues[{i}]") for i, q in enumerate(self.queues)],
            "routing_profiles": [_profile_to_dict(p) for p in self.routing_profiles],
            **_strategies_to_dict(self.strategies),
            "triage": {"mode": self.triage.mode, "rules": self.triage.to_dicts()},
            "teams": {
                name: {"queue": team.queue, "routing_profile": team.routing_profile}
                for name, team in self.teams.items()
            },
            "escalation": None if self.escalation is None else _graph_to_dict(self.escalation),
            "escalation_rules": _escalation_rules_to_dict(self.escalation_policy),
            "transfers": {
                "max_transfers": self.transfers.max_transfers,
                "on_limit": self.transfers.on_limit,
            },
            "presence": _presence_to_dict(self.presence),
            "capacity": _capacity_to_dict(self.capacity),
            "survey_delay": _positive(self.survey_delay, "survey_delay"),
            "close_solved_after": _positive(self.close_solved_after, "close_solved_after"),
            "recalculation": self.recalculation.value,
            "keep_history": self.keep_history,
            "keep_log": self.keep_log,
            "channels": _names_to_dict(self.channels),
            "languages": _names_to_dict(self.languages),
            "skills": _names_to_dict(self.skills),
            "contacts": None if self.contacts is None else _contacts_to_dict(self.contacts),
            "goodwill": None if self.goodwill is None else self.goodwill.to_dict(),
        }
        try:
            # A configuration built in Python may hold what a document may not say (a rule
            # reading a field no ticket has): refuse to write what would not be read back.
            DeskConfig.from_dict(data)
        except ConfigError as exc:
            raise ConfigError(
                f"cannot be written as data that DeskConfig.from_dict reads: {exc.detail}",
                exc.path,
            ) from None
        return data


#: Where :class:`DeskConfig` puts an error in a :class:`RuleEscalationPolicy`'s rules.
_ESCALATION_RULES: Final = "escalation_policy.rules"


def _triage_path(exc: ConfigError, listed: bool) -> ConfigError:
    """*exc* with its path as the document spells rule i: ``triage[i]`` for a list of rules,
    ``triage.rules[i]`` under ``{mode, rules}``."""
    path = exc.path or ""
    if listed and path.startswith("triage.rules["):
        return ConfigError(exc.detail, "triage" + path[len("triage.rules") :])
    if not listed and path.startswith("triage["):
        return ConfigError(exc.detail, "triage.rules" + path[len("triage") :])
    return exc


def _triage_rules(rules: object, mode: Any) -> RuleSet:
    if not isinstance(rules, list | tuple):
        raise ConfigError(f"expected a list of rules, got {show(rules)}", "triage.rules")
    return RuleSet.from_dicts(list(rules), mode=mode, known_fields=STANDARD_FIELDS)


#: The actions a triage rule may take (``then``): the desk reads these and no others.
TRIAGE_ACTIONS: Final = ("priority", "queue", "sla_policy", "skills", "tags")


def _allowance_key(key: str, path: str, tiers: frozenset[str]) -> str | tuple[str, Priority]:
    """An allowance key of a document (``"gold"``, ``"gold:urgent"``, ``"*:low"``) as
    :class:`~csflow.queues.AgingKey` takes it; a tier the desk does not declare (when it
    declares some), a name no tier can have or a bad priority is refused at *path*."""
    tier, colon, prio = key.partition(":")
    if tier == "*" and not colon:
        raise ConfigError(
            "'*' alone is no tier and matches no ticket: the allowance of every tier is "
            "default_allowance, and '*:<priority>' (e.g. '*:low') sets one priority's",
            path,
        )
    if tier != "*":
        wrap(path, Tier, tier)  # a name no tier can have ("Platinum") would never match
        if tiers and tier not in tiers:
            raise ConfigError(f"unknown tier {show(tier)}; known: {show(sorted(tiers))}", path)
    if not colon:
        return tier
    priority: Priority = wrap(path, Priority.parse, prio)
    return (tier, priority)


def _queue_from_dict(data: object, path: str, tiers: frozenset[str] = frozenset()) -> QueueSpec:
    d = mapping(data, path)
    check_keys(d, QUEUE_KEYS, path)
    name = defined_name(d.get("name"), path_key(path, "name"))
    kind = d.get("key", "aging")
    # Keys of the other queue kind would be read and then ignored: refuse them instead.
    other = {"aging": ("fallback",), "deadline": ("allowances", "default_allowance")}
    for k in other.get(kind, ()) if isinstance(kind, str) else ():
        if k in d:
            raise ConfigError(
                f"{show(k)} applies only to a queue with key "
                f"{show('deadline' if kind == 'aging' else 'aging')}, and this one is {show(kind)}",
                path_key(path, k),
            )
    bands: dict[Priority, int] = {}
    bands_path = path_key(path, "bands")
    for k, v in mapping(d.get("bands", {}), bands_path).items():
        if not isinstance(v, int) or isinstance(v, bool):
            raise ConfigError(f"expected an int, got {show(v)}", path_key(bands_path, k))
        if not MIN_BAND <= v <= MAX_BAND:
            raise ConfigError(
                f"expected an int from {MIN_BAND:,} to {MAX_BAND:,}, got {show(v)}",
                path_key(bands_path, k),
            )
        bands[wrap(path_key(bands_path, k), Priority.parse, k)] = v
    # Bands given (even none: every priority in band 1) replace the default, one per priority.
    band_kw: dict[str, Any] = {"bands": bands} if "bands" in d else {}
    key: KeyPolicy
    if kind == "aging":
        allow: dict[Any, timedelta] = {}
        for k, v in mapping(d.get("allowances", {}), path_key(path, "allowances")).items():
            p = path_key(path_key(path, "allowances"), k)
            norm = _allowance_key(k, p, tiers)
            if norm in allow:  # "gold:urgent" and "gold:URGENT"
                raise ConfigError(f"allowance {show(k)} given twice", p)
            allow[norm] = _allowance(v, p)
        default = _allowance(d.get("default_allowance", 600), path_key(path, "default_allowance"))
        key = wrap(path, AgingKey, allow, default, **band_kw)
    elif kind == "deadline":
        fb = d.get("fallback")
        fallback = None if fb is None else _allowance(fb, path_key(path, "fallback"), zero=False)
        key = wrap(path, DeadlineKey, fallback=fallback, **band_kw)
    else:
        raise ConfigError(
            f"expected 'aging' or 'deadline', got {show(kind)}", path_key(path, "key")
        )
    relaxation = None
    if d.get("relaxation") is not None and sequence(d["relaxation"], path_key(path, "relaxation")):
        steps = []
        for j, s in enumerate(sequence(d["relaxation"], path_key(path, "relaxation"))):
            p = f"{path}.relaxation[{j}]"
            sm = mapping(s, p)
            check_keys(sm, RELAXATION_KEYS, p)
            any_language = sm.get("any_language", False)
            if not isinstance(any_language, bool):
                raise ConfigError(
                    f"expected true or false, got {show(any_language)}",
                    path_key(p, "any_language"),
                )
            drop = list(sequence(sm.get("drop", []), path_key(p, "drop")))
            for i, item in enumerate(drop):
                if not isinstance(item, str):
                    raise ConfigError(f"expected a skill name, got {show(item)}", f"{p}.drop[{i}]")
            # Each field alone first, so that an error names it in its path.
            for field in ("proficiency", "overflow_to"):
                if sm.get(field) is not None:
                    wrap(path_key(p, field), RelaxationStep, timedelta(0), **{field: sm[field]})
            steps.append(
                wrap(
                    p,
                    RelaxationStep,
                    duration(sm.get("after"), path_key(p, "after"), zero=True),
                    proficiency=sm.get("proficiency"),
                    drop=drop,
                    any_language=any_language,
                    overflow_to=sm.get("overflow_to"),
                )
            )
        relaxation = wrap(path_key(path, "relaxation"), Relaxation, steps, name=name)
    return QueueSpec(name, key, relaxation)


def _allowance(value: object, path: str, *, zero: bool = True) -> timedelta:
    """A duration of at most ``csflow.queues.keys.MAX_ALLOWANCE`` (36,525 days)."""
    span = duration(value, path, zero=zero)
    if span > MAX_ALLOWANCE:
        raise ConfigError(
            f"expected a duration of at most {MAX_ALLOWANCE.days:,} days (about 100 years), "
            f"got {show(value)}",
            path,
        )
    return span


def _profile_from_dict(data: object, path: str) -> RoutingProfile:
    d = mapping(data, path)
    check_keys(d, PROFILE_KEYS, path)
    defined_name(d.get("name"), path_key(path, "name"))
    slots = []
    for j, s in enumerate(sequence(d.get("queues", []), path_key(path, "queues"))):
        p = f"{path}.queues[{j}]"
        if isinstance(s, str):
            s = {"queue": s}
        sm = mapping(s, p)
        check_keys(sm, SLOT_KEYS, p)
        delay = duration(sm.get("delay", 0), path_key(p, "delay"), zero=True)
        slots.append(wrap(p, QueueSlot, sm.get("queue"), sm.get("priority", 1), delay))
    return wrap(path, RoutingProfile, d.get("name"), slots)  # type: ignore[no-any-return]


def _strategies_from_dict(names: object, affinity: object) -> tuple[Strategy, ...]:
    # The strategies first: a misspelt one is reported as such, not as an affinity without
    # a preferred agent.
    known = sorted([*_STRATEGIES, "preferred_agent"])
    for i, n in enumerate(sequence(names, "strategies") if names is not None else ()):
        if not (isinstance(n, str) and n in known):
            raise ConfigError(
                f"unknown strategy {show(n)}; known: {show(known)}", f"strategies[{i}]"
            )
    if affinity is not None and (
        not isinstance(names, list | tuple) or "preferred_agent" not in names
    ):
        # Read only for a preferred_agent strategy: without one it would do nothing, in
        # silence (a repeat customer would not reach the agent who knows her).
        raise ConfigError(
            "'affinity' takes effect only with 'preferred_agent' in 'strategies', got "
            f"strategies {show(names if names is not None else ['longest_idle'])}",
            "affinity",
        )
    if names is None:
        return (LongestIdle(),)
    out: list[Strategy] = []
    for n in sequence(names, "strategies"):
        if n == "preferred_agent":
            am = mapping(affinity if affinity is not None else {}, "affinity")
            check_keys(am, AFFINITY_KEYS, "affinity")
            timeout = duration(am.get("timeout", 0), "affinity.timeout", zero=True)
            recency = None
            if am.get("recency") is not None:
                recency = duration(am["recency"], "affinity.recency")
            out.append(wrap("affinity", PreferredAgent, timeout, recency))
        else:
            out.append(_STRATEGIES[n]())
    return tuple(out)


# -- writing a configuration back (DeskConfig.to_dict): the readers above, inverted ----------


def _duration_or_none(value: timedelta | None) -> str | None:
    return None if value is None else format_duration(value)


def _positive(value: timedelta | None, path: str) -> str | None:
    """*value* as ISO text, where a document takes only a positive duration (or none)."""
    if value is not None and value <= timedelta(0):
        raise ConfigError(
            f"{show(value)} cannot be written as data: a document's "
            f"{show(path.rpartition('.')[2])} is a positive duration",
            path,
        )
    return _duration_or_none(value)


def _names_to_dict(names: frozenset[str] | None) -> str | list[str]:
    return OPEN if names is None else sorted(names)


def _sla_to_dict(policy: SlaPolicy, calendars: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """*policy* as a document writes it: its calendar (and each per-metric one) by name when
    one of the named *calendars* (their data) is that calendar, else inline."""
    data = policy.to_dict()

    def named(inline: dict[str, Any]) -> str | dict[str, Any]:
        return next((name for name, cal in calendars.items() if cal == inline), inline)

    data["calendar"] = named(data["calendar"])
    if "calendars" in data:
        data["calendars"] = {m: named(c) for m, c in data["calendars"].items()}
    return data


def _allowance_name(key: tuple[str, Priority | None]) -> str:
    tier, priority = key
    return tier if priority is None else f"{tier}:{priority}"


def _queue_to_dict(queue: QueueSpec, path: str) -> dict[str, Any]:
    data: dict[str, Any] = {"name": queue.name}
    key = queue.key
    if type(key) is AgingKey:
        data["key"] = "aging"
        data["allowances"] = {
            _allowance_name(k): format_duration(timedelta(microseconds=us))
            for k, us in key.allowances.items()
        }
        data["default_allowance"] = format_duration(key.default)
        bands, default_band = key.bands, key.default_band
    elif type(key) is DeadlineKey:
        data["key"] = "deadline"
        data["fallback"] = _positive(key.fallback, f"{path}.key.fallback")
        bands, default_band = key.bands, key.default_band
    else:
        raise ConfigError(
            f"{show(key)} is code and cannot be written as data: a document's queue names its "
            "key policy, 'aging' (AgingKey) or 'deadline' (DeadlineKey)",
            f"{path}.key",
        )
    if default_band != 1:
        raise ConfigError(
            f"default_band {show(default_band)} cannot be written as data: a document's queue "
            "puts the priorities its 'bands' leave out in band 1",
            f"{path}.key.default_band",
        )
    data["bands"] = {str(priority): band for priority, band in bands.items()}
    plan = queue.relaxation
    data["relaxation"] = [] if plan is None else [_step_to_dict(s) for s in plan.steps]
    return data


def _step_to_dict(step: RelaxationStep) -> dict[str, Any]:
    return {
        "after": format_duration(step.after),
        "proficiency": step.proficiency,
        "drop": sorted(step.drop),
        "any_language": step.any_language,
        "overflow_to": step.overflow_to,
    }


def _profile_to_dict(profile: RoutingProfile) -> dict[str, Any]:
    slots = [
        {"queue": s.queue, "priority": s.priority, "delay": format_duration(s.delay)}
        for s in profile.queues
    ]
    return {"name": profile.name, "queues": slots}


def _strategies_to_dict(strategies: tuple[Strategy, ...]) -> dict[str, Any]:
    """``strategies`` by name, and ``affinity`` when a preferred agent is among them."""
    names: list[str] = []
    preferred: PreferredAgent | None = None
    for i, strategy in enumerate(strategies):
        if type(strategy) is PreferredAgent:
            _positive(strategy.recency, f"strategies[{i}].recency")
            if preferred is not None and strategy != preferred:
                raise ConfigError(
                    f"{show(strategy)} cannot be written as data: a document has one "
                    "'affinity' for every preferred_agent, and an earlier one is "
                    f"{show(preferred)}",
                    f"strategies[{i}]",
                )
            preferred = strategy
            names.append("preferred_agent")
            continue
        name = next((n for n, kind in _STRATEGIES.items() if type(strategy) is kind), None)
        if name is None:
            known = sorted([*_STRATEGIES, "preferred_agent"])
            raise ConfigError(
                f"{show(strategy)} is code and cannot be written as data: a document names "
                f"its strategies, each one of {show(known)}",
                f"strategies[{i}]",
            )
        names.append(name)
    out: dict[str, Any] = {"strategies": names}
    if preferred is not None:
        out["affinity"] = {
            "timeout": format_duration(preferred.timeout),
            "recency": _duration_or_none(preferred.recency),
        }
    return out


def _graph_to_dict(graph: EscalationGraph) -> dict[str, Any]:
    """The data :meth:`EscalationGraph.from_dict` reads: ``edges`` maps each team that may
    escalate to the teams it may escalate to."""
    edges = {team: list(graph.targets(team)) for team in graph.teams}
    return {
        "teams": list(graph.teams),
        "entry": list(graph.entry),
        "edges": {team: targets for team, targets in edges.items() if targets},
    }


def _escalation_rules_to_dict(policy: EscalationPolicy | None) -> list[dict[str, Any]] | None:
    if policy is None:
        return None
    rules = policy.rules if type(policy) is RuleEscalationPolicy else None
    if rules is None:
        raise ConfigError(
            f"{show(policy)} is code and cannot be written as data: a document writes only a "
            "RuleEscalationPolicy, as 'escalation_rules'",
            "escalation_policy",
        )
    if rules.mode != "all":
        raise ConfigError(
            f"rules in {show(rules.mode)} mode cannot be written as data: a document's "
            "escalation_rules are read in 'all' mode",
            _ESCALATION_RULES,
        )
    return rules.to_dicts()


def _presence_to_dict(presence: PresenceStates) -> dict[str, bool]:
    return dict(presence.custom)


def _capacity_to_dict(capacity: CapacityRules) -> dict[str, Any]:
    return {
        "weights": dict(capacity.weights),
        "limits": dict(capacity.limits),
        "exclusive": sorted(capacity.exclusive),
        "budget": capacity.budget,
    }


def _contacts_to_dict(policy: ContactPolicy) -> dict[str, Any]:
    # The window as ISO text, exact to the microsecond, as every duration of the document.
    return {
        "window": _positive(policy.window, "contacts.window"),
        "max_contacts": policy.max_contacts,
        "max_customers": policy.max_customers,
    }
