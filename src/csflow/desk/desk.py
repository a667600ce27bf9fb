"""The desk: the sans-I/O engine a helpdesk embeds -- commands in, events out.

A :class:`Desk` composes the lower layers -- calendars, the rule engine, SLA clocks, queues
and routing -- into one state machine.  The host owns the loop, the clock and the I/O; the
desk owns the decisions::

    desk = Desk(config)
    events = desk.add_agent(profile, at=now)
    events += desk.set_presence("sari", "available", at=now)
    events += desk.submit(ticket, at=now)          # TicketQueued, maybe TicketAssigned
    ...
    wake = desk.next_wakeup()                      # sleep until then, or until new input
    events = desk.advance(at=wake)                 # SLA warnings, breaches, relaxation ...

Theory of operation
-------------------
**Time.**  Every command takes ``at``, an aware datetime not earlier than the desk's last
instant (else :class:`~csflow.errors.InvalidTransitionError`).  The desk never reads a clock.
Timers -- SLA warnings and breaches, relaxation steps, overflow delays, preferred-agent pins,
surveys -- fire in :meth:`Desk.advance`, each at its own instant and in time order, so the
events a desk emits do not depend on how often the host calls it.  One exception keeps a
ticket's own story whole: a command on a ticket first brings that ticket's SLA clocks up to
``at`` (a late ``reply`` returns the warnings and breach it passed, then the ``SlaMet``).  A
host calls ``advance(now)`` whenever ``next_wakeup()`` has passed, and before other commands
at ``now``.

**Ticket life.**  A ticket's states and the commands that move it are one table of data,
:data:`LIFECYCLE`, that the code consults and the tests walk::

    submit -> queued -> assigned <-> pending / on_hold -> solved -> closed
                 |          |                                |
              abandoned  transfer / escalate -> queued     reopen -> queued

An agent holds (and spends capacity on) only *assigned* tickets; a *pending* or *on-hold*
ticket stays owned by its agent without using capacity, and when work resumes (the customer
answers, or the status is set back to ``open``) it goes back to that agent when the agent can
take it now, otherwise it is routed like a reopened ticket.

**Validate, then mutate.**  Every command checks its arguments and the ticket's state first;
a command that raises has changed nothing.  Unknown ids raise
:class:`~csflow.errors.UnknownTicketError` / :class:`~csflow.errors.UnknownAgentError`.

**Snapshots.**  :meth:`Desk.snapshot` returns the desk's command log as JSON-compatible data;
:meth:`Desk.restore` replays it against the same configuration.  Because a desk is
deterministic, the restored desk's future events are identical to the original's.  A snapshot
grows with the commands since the desk was built; a tampered one raises
:class:`~csflow.errors.ConfigError` naming the first bad command.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, Final

import attrs

from csflow._config import check_keys, duration, join_path, mapping, sequence, string, wrap
from csflow._text import show
from csflow._time import MAX_US, MIN_US, duration_us, instant_us, utc
from csflow.calendar import BusinessCalendar
from csflow.errors import (
    ConfigError,
    CsflowError,
    DuplicateAgentError,
    DuplicateTicketError,
    InvalidTransitionError,
    UnknownAgentError,
    UnknownTicketError,
)
from csflow.events import (
    AgentPresenceChanged,
    CallbackDue,
    Event,
    SlaEscalated,
    SurveyDue,
    TicketAbandoned,
    TicketAssigned,
    TicketClosed,
    TicketEscalated,
    TicketOverflowed,
    TicketPrioritized,
    TicketQueued,
    TicketReopened,
    TicketRequeued,
    TicketResolved,
    TicketStatusChanged,
    TicketTransferred,
    TransferLimitReached,
)
from csflow.lint import Finding
from csflow.lint import lint as lint_rules
from csflow.model import (
    AgentProfile,
    Channel,
    Customer,
    Priority,
    SkillRequirement,
    Ticket,
    Tier,
)
from csflow.policies import (
    EscalationPolicy,
    PolicyContext,
    PriorityPolicy,
    QueuePolicy,
    SlaSelectionPolicy,
)
from csflow.queues import (
    AgingKey,
    DeadlineKey,
    KeyContext,
    KeyPolicy,
    QueuedTicket,
    Signature,
    TicketQueue,
)
from csflow.routing import (
    AgentStatus,
    Assignment,
    BestProficiency,
    CapacityExceededError,
    CapacityRules,
    EscalationGraph,
    LongestIdle,
    MostSpareCapacity,
    Overflowed,
    PreferredAgent,
    PresenceStates,
    QueueSlot,
    Relaxation,
    RelaxationStep,
    RoundRobin,
    Router,
    RoutingChange,
    RoutingProfile,
    Strategy,
    TransferLedger,
    TransferPolicy,
    strategy_tuple,
)
from csflow.rules import STANDARD_FIELDS, RuleSet, ticket_context
from csflow.sla import (
    Metric,
    RecalcMode,
    SlaBreached,
    SlaClock,
    SlaPolicy,
    SlaWarning,
    TicketSla,
)

__all__ = [
    "LIFECYCLE",
    "TICKET_STATES",
    "ClockView",
    "Desk",
    "DeskConfig",
    "QueueSpec",
    "TeamSpec",
    "TicketView",
    "ticket_from_dict",
    "ticket_to_dict",
]

#: Every state a ticket can be in at the desk.
TICKET_STATES: Final[tuple[str, ...]] = (
    "queued",
    "assigned",
    "pending",
    "on_hold",
    "solved",
    "closed",
    "abandoned",
)

_WORKING = ("assigned", "pending", "on_hold")

#: The ticket life as data: command -> {state before: state after}.  A command on a ticket in a
#: state it does not list raises :class:`~csflow.errors.InvalidTransitionError`.  ``submit``
#: starts from ``None`` (not yet at the desk).  A command that leads to ``queued`` is followed by
#: routing, which may move the ticket on to ``assigned`` at the same instant (the ``assign``
#: edge).
LIFECYCLE: Final[Mapping[str, Mapping[str | None, str]]] = MappingProxyType(
    {
        "submit": {None: "queued"},
        "assign": {"queued": "assigned"},
        "reply": {"assigned": "assigned", "pending": "pending", "on_hold": "on_hold"},
        "customer_message": {
            "queued": "queued",
            "assigned": "assigned",
            "pending": "queued",
            "on_hold": "on_hold",
        },
        "set_status:pending": {"assigned": "pending", "on_hold": "pending"},
        "set_status:on_hold": {"assigned": "on_hold", "pending": "on_hold"},
        "set_status:open": {"pending": "queued", "on_hold": "queued"},
        "set_priority": {s: s for s in ("queued", *_WORKING)},
        "transfer": dict.fromkeys(("queued", *_WORKING), "queued"),
        "escalate": dict.fromkeys(("queued", *_WORKING), "queued"),
        "request_callback": {"queued": "queued"},
        "abandon": {"queued": "abandoned"},
        "requeue": {"assigned": "queued"},
        "resolve": dict.fromkeys(_WORKING, "solved"),
        "reopen": {"solved": "queued"},
        "close": {"solved": "closed"},
    }
)

# Desk states an SLA clock always reacts to; the others matter only when a policy's
# ``pause_on`` names them, and otherwise reach the clocks as plain ``open``.
_SLA_FIXED = frozenset({"solved", "closed", "abandoned"})


def _sla_status(policy: SlaPolicy, state: str) -> str:
    return state if state in _SLA_FIXED or state in policy.pause_on else "open"


_MAX_DEPTH = 64


# ---------------------------------------------------------------------------------------------
# Configuration


@attrs.frozen
class QueueSpec:
    """A queue of the desk: its name, its ordering key and its relaxation plan.

    Args:
        name: The queue's name (rules' ``queue`` action names it).
        key: The ordering policy: :class:`~csflow.queues.AgingKey` (the default) or
            :class:`~csflow.queues.DeadlineKey` (earliest SLA deadline first), or any
            :class:`~csflow.queues.KeyPolicy`.
        relaxation: Timed widening of waiting tickets' requirements, or ``None``.
    """

    name: str = attrs.field(validator=lambda _s, _a, v: string(v, "name"))
    key: KeyPolicy = attrs.field(factory=AgingKey)
    relaxation: Relaxation | None = None


@attrs.frozen
class TeamSpec:
    """A team: the queue its work waits in and the routing profile its agents get.

    Args:
        name: The team's name (agents' ``teams``, escalation graph nodes).
        queue: The queue where tickets transferred or escalated to the team wait.
        routing_profile: The profile an agent of this team routes under by default.
    """

    name: str = attrs.field(validator=lambda _s, _a, v: string(v, "name"))
    queue: str = attrs.field(validator=lambda _s, _a, v: string(v, "queue"))
    routing_profile: str | None = attrs.field(default=None)

    @routing_profile.validator
    def _v_profile(self, _a: attrs.Attribute[str | None], value: object) -> None:
        if value is not None:
            string(value, "routing_profile")


_STRATEGIES: Final[Mapping[str, type]] = MappingProxyType(
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
    return MappingProxyType(_by_name(value, Tier, "a Tier", "tier", "tiers"))


def _to_queues(value: Iterable[QueueSpec]) -> tuple[QueueSpec, ...]:
    out = tuple(_by_name(value, QueueSpec, "a QueueSpec", "queue", "queues").values())
    return out or (QueueSpec("default"),)


def _to_policies(value: Mapping[str, SlaPolicy] | Iterable[SlaPolicy]) -> Mapping[str, SlaPolicy]:
    return MappingProxyType(
        _by_name(value, SlaPolicy, "an SlaPolicy", "SLA policy", "sla_policies")
    )


def _to_teams(value: Mapping[str, TeamSpec] | Iterable[TeamSpec]) -> Mapping[str, TeamSpec]:
    return MappingProxyType(_by_name(value, TeamSpec, "a TeamSpec", "team", "teams"))


def _to_profiles(value: Iterable[RoutingProfile]) -> tuple[RoutingProfile, ...]:
    by_name = _by_name(
        value, RoutingProfile, "a RoutingProfile", "routing profile", "routing_profiles"
    )
    return tuple(by_name.values())


def _to_strategies(value: object) -> tuple[Strategy, ...]:
    strategies: tuple[Strategy, ...] = wrap("strategies", strategy_tuple, value)
    return strategies


def _to_triage(value: RuleSet | None) -> RuleSet:
    if value is None:
        return RuleSet.from_dicts([])
    if not isinstance(value, RuleSet):
        raise ConfigError(f"triage must be a RuleSet, got {show(value)}", "triage")
    return value


@attrs.frozen
class DeskConfig:
    """Everything a desk is told once: tiers, policies, queues, teams and routing.

    Build it from Python values or with :meth:`from_dict` from a JSON/YAML document.

    Args:
        tiers: The customer tiers.
        sla_policies: The SLA policies, by name.
        queues: The queues (one ``"default"`` queue when empty).
        routing_profiles: Agent groups and the queues they serve (one profile serving every
            queue when empty).
        triage: Rules deciding a new ticket's ``priority``, ``sla_policy``, ``queue``,
            ``skills`` (extra required skills: a list of names or a mapping skill -> minimum
            proficiency) and ``tags``; evaluated once per ticket over :meth:`Desk.context`.
        default_sla_policy: The SLA policy when no rule names one (``None``: no SLA).
        strategies: The agent-selection chain (ordered tie-breakers).
        teams: Teams, the queue their work waits in, and their agents' routing profile.
        escalation: Who may escalate to whom; ``None`` allows any escalation between teams.
        transfers: How many hand-overs a ticket may have.
        presence: Presence states beyond the built-in four.
        capacity: How channels share an agent's capacity.
        survey_delay: When to ask for feedback after a resolution (``None``: never).
        recalculation: How SLA clocks follow a priority change (:class:`~csflow.sla.RecalcMode`).
        calendars: Named calendars (only for :meth:`to_dict` round trips and reference).
        keep_history: Keep each ticket's events for :meth:`Desk.history` (memory per event).
        keep_log: Keep the command log that :meth:`Desk.snapshot` returns.  A host that
            persists its own state (or a long simulation) turns it off to keep memory flat;
            ``snapshot()`` then raises.
        priority_policy: A :class:`~csflow.policies.PriorityPolicy` asked after triage (any
            callable ``PolicyContext -> PolicyResult``); its answer wins over the rules'.
        queue_policy: A :class:`~csflow.policies.QueuePolicy`, likewise.
        sla_selection: A :class:`~csflow.policies.SlaSelectionPolicy`, likewise.
        escalation_policy: An :class:`~csflow.policies.EscalationPolicy` asked on every SLA
            warning and breach of an open ticket: it may raise the priority, move a waiting
            ticket to another queue, add tags and name people to notify
            (:class:`~csflow.events.SlaEscalated`).

    Raises:
        ConfigError: Anything inconsistent, with the path to it: a queue a profile or team
            names that does not exist, a rule action naming an unknown queue or SLA policy, an
            escalation team that is not a team.
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
    escalation: EscalationGraph | None = attrs.field(default=None, eq=False)
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
    escalation_policy: EscalationPolicy | None = attrs.field(default=None, eq=False)

    def __attrs_post_init__(self) -> None:
        queues = {q.name for q in self.queues}
        for i, p in enumerate(self.routing_profiles):
            if not isinstance(p, RoutingProfile):
                raise ConfigError(
                    f"expected a RoutingProfile, got {show(p)}", f"routing_profiles[{i}]"
                )
            for j, s in enumerate(p.queues):
                if s.queue not in queues:
                    raise ConfigError(
                        f"unknown queue {show(s.queue)}; known: {show(sorted(queues))}",
                        f"routing_profiles[{i}].queues[{j}]",
                    )
        profiles = {p.name for p in self.routing_profiles}
        for name, t in self.teams.items():
            if t.queue not in queues:
                raise ConfigError(
                    f"unknown queue {show(t.queue)}; known: {show(sorted(queues))}",
                    f"teams.{name}.queue",
                )
            if t.routing_profile is not None and t.routing_profile not in profiles:
                raise ConfigError(
                    f"unknown routing profile {show(t.routing_profile)}; known: "
                    f"{show(sorted(profiles))}",
                    f"teams.{name}.routing_profile",
                )
        for i, q in enumerate(self.queues):
            steps = q.relaxation.steps if q.relaxation is not None else ()
            for j, step in enumerate(steps):
                if step.overflow_to is not None and step.overflow_to not in queues:
                    raise ConfigError(
                        f"unknown queue {show(step.overflow_to)}; known: {show(sorted(queues))}",
                        f"queues[{i}].relaxation[{j}].overflow_to",
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
        if not isinstance(self.transfers, TransferPolicy):
            raise ConfigError(f"expected a TransferPolicy, got {show(self.transfers)}", "transfers")
        for i, rule in enumerate(self.triage):
            for key, value in rule.then.items():
                where = f"triage[{i}].then.{key}"
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
                if key == "skills":
                    wrap(where, _skills_action, value)

    def lint(self, *, agents: Iterable[AgentProfile] = ()) -> list[Finding]:
        """Likely mistakes in the whole configuration (also :func:`csflow.lint.lint` of it).

        The triage rules are linted against this configuration's SLA policies and queues
        (paths ``triage.rules[i]...``); then: a queue no routing profile serves (its tickets
        can never be assigned), an SLA policy neither a rule nor the default chooses, a team
        whose queue no profile serves; with *agents*, skills the rules require that no agent
        has, and agents no team or profile can route (none of their teams has a profile while
        the desk has several).
        """
        profiles = list(agents)
        out = [
            Finding(f"triage.{f.path}", f.severity, f.message)
            for f in lint_rules(
                self.triage,
                sla_policies=list(self.sla_policies),
                queues=[q.name for q in self.queues],
                agents=profiles,
            )
        ]
        served = {s.queue for p in self.routing_profiles for s in p.queues}
        if not self.routing_profiles:
            served = {q.name for q in self.queues}
        for i, q in enumerate(self.queues):
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
                        f"sla_policies.{name}",
                        "info",
                        f"no triage rule chooses SLA policy {name!r} and it is not the default",
                    )
                )
        for name, team in self.teams.items():
            if team.queue not in served:
                out.append(
                    Finding(
                        f"teams.{name}.queue",
                        "warning",
                        f"team {name!r} waits in queue {team.queue!r}, which no routing "
                        "profile serves",
                    )
                )
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
             "transfers": {"max_transfers": 3, "on_limit": "refuse"},
             "presence": {"lunch": false},
             "capacity": {"weights": {"email": 1}, "exclusive": ["phone"], "budget": 3},
             "survey_delay": "PT1H",
             "recalculation": "keep_elapsed",
             "keep_history": true,
             "keep_log": true}

        Durations are ISO 8601 (``"PT30S"``) or seconds.

        Raises:
            ConfigError: Anything malformed, with the path to it
                (``queues[1].relaxation[0].after: ...``).
        """
        d = mapping(data, "config")
        check_keys(
            d,
            (
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
                "transfers",
                "presence",
                "capacity",
                "survey_delay",
                "recalculation",
                "keep_history",
                "keep_log",
            ),
            "config",
        )
        tiers = []
        for i, t in enumerate(sequence(d.get("tiers", []), "tiers")):
            p = f"tiers[{i}]"
            tm = mapping(t, p)
            check_keys(tm, ("name", "rank"), p)
            tiers.append(wrap(p, Tier, tm.get("name"), tm.get("rank", 0)))
        calendars: dict[str, BusinessCalendar] = {}
        for name, c in mapping(d.get("calendars", {}), "calendars").items():
            calendars[name] = BusinessCalendar.from_dict(c, join_path("calendars", name))
        policies = []
        raw_policies = d.get("sla_policies", [])
        if isinstance(raw_policies, Mapping):
            raw_policies = [
                {"name": k, **mapping(v, join_path("sla_policies", k))}
                for k, v in mapping(raw_policies, "sla_policies").items()
            ]
        for i, sp in enumerate(sequence(raw_policies, "sla_policies")):
            policies.append(SlaPolicy.from_dict(sp, calendars, f"sla_policies[{i}]"))
        queues = [
            _queue_from_dict(q, f"queues[{i}]")
            for i, q in enumerate(sequence(d.get("queues", []), "queues"))
        ]
        profiles = [
            _profile_from_dict(p, f"routing_profiles[{i}]")
            for i, p in enumerate(sequence(d.get("routing_profiles", []), "routing_profiles"))
        ]
        strategies = _strategies_from_dict(d.get("strategies"), d.get("affinity"))
        triage = None
        if "triage" in d:
            tr = d["triage"]
            if isinstance(tr, list | tuple):
                tr = {"rules": tr}
            tm = mapping(tr, "triage")
            check_keys(tm, ("mode", "rules"), "triage")
            mode = tm.get("mode", "first")
            if mode not in ("first", "all"):
                raise ConfigError(f"mode must be 'first' or 'all', got {show(mode)}", "triage.mode")
            triage = wrap("triage", _triage_rules, tm.get("rules", []), mode)
        teams = []
        for name, t in mapping(d.get("teams", {}), "teams").items():
            p = join_path("teams", name)
            tm = mapping(t, p)
            check_keys(tm, ("queue", "routing_profile"), p)
            teams.append(
                wrap(p, TeamSpec, name, tm.get("queue"), routing_profile=tm.get("routing_profile"))
            )
        escalation = None
        if d.get("escalation") is not None:
            escalation = wrap(
                "escalation", EscalationGraph.from_dict, mapping(d["escalation"], "escalation")
            )
        transfers = TransferPolicy()
        if "transfers" in d:
            tm = mapping(d["transfers"], "transfers")
            check_keys(tm, ("max_transfers", "on_limit"), "transfers")
            transfers = wrap(
                "transfers",
                TransferPolicy,
                tm.get("max_transfers", 3),
                tm.get("on_limit", "refuse"),
            )
        presence = wrap(
            "presence", PresenceStates, dict(mapping(d.get("presence", {}), "presence"))
        )
        capacity = CapacityRules()
        if "capacity" in d:
            cm = mapping(d["capacity"], "capacity")
            check_keys(cm, ("weights", "limits", "exclusive", "budget"), "capacity")
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
            transfers=transfers,
            presence=presence,
            capacity=capacity,
            survey_delay=survey,
            recalculation=mode_r,
            calendars=calendars,
            keep_history=keep,
            keep_log=keep_log,
        )


def _triage_rules(rules: object, mode: Any) -> RuleSet:
    if not isinstance(rules, list | tuple):
        raise ConfigError(f"expected a list of rules, got {show(rules)}", "triage.rules")
    return RuleSet.from_dicts(list(rules), mode=mode, known_fields=STANDARD_FIELDS)


def _skills_action(value: object) -> tuple[SkillRequirement, ...]:
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


def _queue_from_dict(data: object, path: str) -> QueueSpec:
    d = mapping(data, path)
    check_keys(
        d,
        ("name", "key", "allowances", "default_allowance", "bands", "fallback", "relaxation"),
        path,
    )
    name = string(d.get("name"), join_path(path, "name"))
    kind = d.get("key", "aging")
    bands: dict[Priority, int] = {}
    for k, v in mapping(d.get("bands", {}), join_path(path, "bands")).items():
        bands[wrap(join_path(path, "bands"), Priority.parse, k)] = v
    band_kw: dict[str, Any] = {"bands": bands} if bands else {}
    key: KeyPolicy
    if kind == "aging":
        allow: dict[Any, timedelta] = {}
        for k, v in mapping(d.get("allowances", {}), join_path(path, "allowances")).items():
            p = join_path(join_path(path, "allowances"), k)
            tier, _, prio = k.partition(":")
            allow[(tier, prio) if prio else tier] = duration(v, p, zero=True)
        default = duration(
            d.get("default_allowance", 600), join_path(path, "default_allowance"), zero=True
        )
        key = wrap(path, AgingKey, allow, default, **band_kw)
    elif kind == "deadline":
        fb = d.get("fallback")
        fallback = None if fb is None else duration(fb, join_path(path, "fallback"))
        key = wrap(path, DeadlineKey, fallback=fallback, **band_kw)
    else:
        raise ConfigError(
            f"expected 'aging' or 'deadline', got {show(kind)}", join_path(path, "key")
        )
    relaxation = None
    if d.get("relaxation"):
        steps = []
        for j, s in enumerate(sequence(d["relaxation"], join_path(path, "relaxation"))):
            p = f"{path}.relaxation[{j}]"
            sm = mapping(s, p)
            check_keys(sm, ("after", "proficiency", "drop", "any_language", "overflow_to"), p)
            steps.append(
                wrap(
                    p,
                    RelaxationStep,
                    duration(sm.get("after"), join_path(p, "after"), zero=True),
                    proficiency=sm.get("proficiency"),
                    drop=list(sequence(sm.get("drop", []), join_path(p, "drop"))),
                    any_language=bool(sm.get("any_language", False)),
                    overflow_to=sm.get("overflow_to"),
                )
            )
        relaxation = wrap(join_path(path, "relaxation"), Relaxation, steps, name=name)
    return QueueSpec(name, key, relaxation)


def _profile_from_dict(data: object, path: str) -> RoutingProfile:
    d = mapping(data, path)
    check_keys(d, ("name", "queues"), path)
    slots = []
    for j, s in enumerate(sequence(d.get("queues", []), join_path(path, "queues"))):
        p = f"{path}.queues[{j}]"
        if isinstance(s, str):
            s = {"queue": s}
        sm = mapping(s, p)
        check_keys(sm, ("queue", "priority", "delay"), p)
        delay = duration(sm.get("delay", 0), join_path(p, "delay"), zero=True)
        slots.append(wrap(p, QueueSlot, sm.get("queue"), sm.get("priority", 1), delay))
    return wrap(path, RoutingProfile, d.get("name"), slots)  # type: ignore[no-any-return]


def _strategies_from_dict(names: object, affinity: object) -> tuple[Strategy, ...]:
    if names is None:
        return (LongestIdle(),)
    out: list[Strategy] = []
    for i, n in enumerate(sequence(names, "strategies")):
        p = f"strategies[{i}]"
        if n == "preferred_agent":
            am = mapping(affinity if affinity is not None else {}, "affinity")
            check_keys(am, ("timeout", "recency"), "affinity")
            timeout = duration(am.get("timeout", 0), "affinity.timeout", zero=True)
            recency = None
            if am.get("recency") is not None:
                recency = duration(am["recency"], "affinity.recency")
            out.append(wrap("affinity", PreferredAgent, timeout, recency))
        elif isinstance(n, str) and n in _STRATEGIES:
            out.append(_STRATEGIES[n]())
        else:
            known = sorted([*_STRATEGIES, "preferred_agent"])
            raise ConfigError(f"unknown strategy {show(n)}; known: {show(known)}", p)
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# Serialising tickets and agents (for snapshots)


def ticket_to_dict(ticket: Ticket) -> dict[str, Any]:
    """A ticket (with its customer) as JSON-compatible data; :func:`ticket_from_dict` reads it.

    Free-form ``attributes`` must themselves be JSON-compatible for the result to be.
    """
    c = ticket.customer
    return {
        "id": ticket.id,
        "customer": {
            "id": c.id,
            "tier": {"name": c.tier.name, "rank": c.tier.rank},
            "language": c.language,
            "preferred_agent": c.preferred_agent,
            "attributes": dict(c.attributes),
        },
        "channel": ticket.channel.name,
        "created_at": ticket.created_at.isoformat(),
        "priority": ticket.priority.name.lower(),
        "category": ticket.category,
        "language": ticket.language,
        "required_skills": {r.skill: r.min_proficiency for r in ticket.required_skills},
        "attributes": dict(ticket.attributes),
    }


def ticket_from_dict(data: object, path: str = "ticket") -> Ticket:
    """The ticket :func:`ticket_to_dict` wrote.

    Raises:
        ConfigError: Malformed data, with the path to it.
    """
    d = mapping(data, path)
    check_keys(
        d,
        (
            "id",
            "customer",
            "channel",
            "created_at",
            "priority",
            "category",
            "language",
            "required_skills",
            "attributes",
        ),
        path,
    )
    cp = join_path(path, "customer")
    c = mapping(d.get("customer"), cp)
    check_keys(c, ("id", "tier", "language", "preferred_agent", "attributes"), cp)
    t = mapping(c.get("tier"), join_path(cp, "tier"))
    tier = wrap(join_path(cp, "tier"), Tier, t.get("name"), t.get("rank", 0))
    customer = wrap(
        cp,
        Customer,
        c.get("id"),
        tier,
        language=c.get("language"),
        preferred_agent=c.get("preferred_agent"),
        attributes=dict(mapping(c.get("attributes", {}), join_path(cp, "attributes"))),
    )
    raw_at = d.get("created_at")
    try:
        created = datetime.fromisoformat(raw_at) if isinstance(raw_at, str) else None
    except ValueError:
        created = None
    if created is None:
        raise ConfigError(
            f"expected an ISO 8601 instant, got {show(raw_at)}", join_path(path, "created_at")
        )
    return wrap(  # type: ignore[no-any-return]
        path,
        Ticket,
        d.get("id"),
        customer,
        d.get("channel"),
        created,
        priority=d.get("priority", "normal"),
        category=d.get("category", "general"),
        language=d.get("language"),
        required_skills=dict(
            mapping(d.get("required_skills", {}), join_path(path, "required_skills"))
        ),
        attributes=dict(mapping(d.get("attributes", {}), join_path(path, "attributes"))),
    )


def _profile_to_dict(p: AgentProfile) -> dict[str, Any]:
    return {
        "id": p.id,
        "skills": dict(p.skills),
        "languages": sorted(p.languages),
        "capacity": dict(p.capacity),
        "teams": sorted(p.teams),
        "name": p.name,
    }


def _profile_from_data(data: object, path: str) -> AgentProfile:
    d = mapping(data, path)
    check_keys(d, ("id", "skills", "languages", "capacity", "teams", "name"), path)
    return wrap(  # type: ignore[no-any-return]
        path,
        AgentProfile,
        d.get("id"),
        skills=dict(mapping(d.get("skills", {}), join_path(path, "skills"))),
        languages=list(sequence(d.get("languages", []), join_path(path, "languages"))),
        capacity=dict(mapping(d.get("capacity", {}), join_path(path, "capacity"))),
        teams=list(sequence(d.get("teams", []), join_path(path, "teams"))),
        name=d.get("name", ""),
    )


# ---------------------------------------------------------------------------------------------
# Read-only views


@attrs.frozen
class ClockView:
    """One SLA clock as a host sees it at an instant.

    Attributes:
        metric: The metric.
        state: ``running``, ``paused``, ``met``, ``met_late``, ``breached`` or ``cancelled``.
        target: The target in force.
        due_at: The deadline (``None`` while paused, met on time or cancelled).
        elapsed: Business time used.
        remaining: Business time left before the target (zero once reached).
    """

    metric: Metric
    state: str
    target: timedelta
    due_at: datetime | None
    elapsed: timedelta
    remaining: timedelta


@attrs.frozen
class TicketView:
    """A ticket's place at the desk.

    Attributes:
        ticket: The ticket as the desk knows it now (priority after triage and changes).
        state: One of :data:`TICKET_STATES`.
        agent_id: The agent holding (``assigned``) or owning (``pending``/``on_hold``/
            ``solved``) it, if any.
        queue: The queue it waits in (or last waited in).
        team: The team whose queue that is, if any.
        sla_policy: The SLA policy's name, or ``None``.
        transfers: Hand-overs so far (transfers and escalations).
        callback: The customer asked to be called back.
        tags: Tags the triage rules added.
    """

    ticket: Ticket
    state: str
    agent_id: str | None
    queue: str
    team: str | None
    sla_policy: str | None
    transfers: int
    callback: bool
    tags: tuple[str, ...]


class _Rec:
    """A ticket's mutable record at the desk."""

    __slots__ = (
        "agent",
        "armed",
        "callback",
        "history",
        "policy",
        "queue",
        "queued_us",
        "sla",
        "state",
        "survey_version",
        "tags",
        "ticket",
    )

    def __init__(self, ticket: Ticket, queue: str, at_us: int) -> None:
        self.ticket = ticket
        self.state = "queued"
        self.agent: str | None = None  # holder when assigned; owner while pending/on hold/solved
        self.queue = queue
        self.queued_us = at_us
        self.sla: TicketSla | None = None
        self.policy: str | None = None
        self.armed: int | None = None  # the SLA deadline pushed on the desk's heap
        self.callback = False
        self.survey_version = 0
        self.tags: tuple[str, ...] = ()
        self.history: list[Event] | None = None


# ---------------------------------------------------------------------------------------------
# The desk


class Desk:
    """The sans-I/O engine: one state machine for tickets, agents, queues and SLA clocks.

    Args:
        config: The desk's configuration.

    Every command takes ``at`` (aware, not earlier than the last instant the desk saw) and
    returns the events it caused, in order.  See the module docstring for the contract.

    Examples:
        >>> from datetime import datetime, timezone
        >>> from csflow import AgentProfile, Customer, Ticket, Tier
        >>> desk = Desk(DeskConfig())
        >>> t0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
        >>> _ = desk.add_agent(AgentProfile("sari", capacity={"chat": 3}), at=t0)
        >>> _ = desk.set_presence("sari", "available", at=t0)
        >>> ann = Customer("c1", Tier("gold", 3))
        >>> events = desk.submit(Ticket("t1", ann, "chat", t0), at=t0)
        >>> [type(e).__name__ for e in events]
        ['TicketQueued', 'TicketAssigned']
    """

    def __init__(self, config: DeskConfig) -> None:
        if not isinstance(config, DeskConfig):
            raise ConfigError(f"config must be a DeskConfig, got {show(config)}")
        self.config = config
        self._queues = {q.name: TicketQueue(q.name, q.key) for q in config.queues}
        relax = {q.name: q.relaxation for q in config.queues if q.relaxation is not None}
        from csflow.routing import AgentPool

        self._router = Router(
            self._queues.values(),
            config.routing_profiles,
            pool=AgentPool(config.capacity, config.presence),
            strategies=config.strategies,
            relaxation=relax,
        )
        self._ledger = TransferLedger(config.transfers, config.escalation)
        self._queue_team = {t.queue: t.name for t in config.teams.values()}
        self._tickets: dict[str, _Rec] = {}
        self._last_agent: dict[str, tuple[str, int]] = {}  # customer id -> (agent, at_us)
        self._owned: dict[str, set[str]] = {}  # agent -> tickets it owns but does not hold
        self._now = -(2**62)
        self._sla_heap: list[tuple[int, int, str]] = []
        self._surveys: list[tuple[int, int, str, int]] = []
        self._seq = itertools.count()
        self._log: list[tuple[Any, ...]] = []
        self._keep_log = config.keep_log
        self._default_queue = config.queues[0].name
        # Queues whose key may use the SLA due instant (anything but allowance aging).
        self._deadline_queues = frozenset(
            q.name for q in config.queues if not isinstance(q.key, AgingKey)
        )

    # -- reading -------------------------------------------------------------------------------

    @property
    def now(self) -> datetime | None:
        """The last instant the desk saw (UTC), or ``None`` before the first command."""
        return None if self._now < -(2**61) else utc(self._now)

    def tickets(self) -> Iterator[str]:
        """The ids of every ticket the desk knows, in order of submission."""
        return iter(list(self._tickets))

    def agents(self) -> Iterator[str]:
        """The ids of every agent, in order of joining."""
        return iter(list(self._router.pool))

    def ticket(self, ticket_id: str) -> TicketView:
        """Where *ticket_id* is and who has it.

        Raises:
            UnknownTicketError: No such ticket.
        """
        r = self._rec(ticket_id)
        return TicketView(
            r.ticket,
            r.state,
            r.agent,
            r.queue,
            self._queue_team.get(r.queue),
            r.policy,
            self._ledger.count(ticket_id),
            r.callback,
            r.tags,
        )

    def clocks(self, ticket_id: str, at: datetime | None = None) -> dict[Metric, ClockView]:
        """*ticket_id*'s SLA clocks as seen at *at* (default: the desk's last instant).

        Raises:
            UnknownTicketError: No such ticket.
        """
        r = self._rec(ticket_id)
        if r.sla is None:
            return {}
        when = at if at is not None else utc(max(self._now, 0))
        out: dict[Metric, ClockView] = {}
        for metric, c in r.sla.clocks.items():
            out[metric] = _clock_view(metric, c, when)
        return out

    def history(self, ticket_id: str) -> tuple[Event, ...]:
        """Every event of *ticket_id* so far, in order (empty when ``keep_history`` is off).

        Raises:
            UnknownTicketError: No such ticket.
        """
        r = self._rec(ticket_id)
        return tuple(r.history or ())

    def agent(self, agent_id: str) -> AgentStatus:
        """*agent_id*'s presence, load and the tickets it holds.

        Raises:
            UnknownAgentError: No such agent.
        """
        return self._router.pool.status(agent_id)

    def owned(self, agent_id: str) -> tuple[str, ...]:
        """Tickets *agent_id* owns without holding them (pending or on hold), sorted.

        Raises:
            UnknownAgentError: No such agent.
        """
        self._router.pool.status(agent_id)
        return tuple(sorted(self._owned.get(agent_id, ())))

    def queue(self, name: str | None = None) -> list[QueuedTicket]:
        """Waiting tickets in service order, of one queue or of all (queue by queue).

        Raises:
            ConfigError: An unknown queue.
        """
        return self._router.waiting(name)

    def queue_names(self) -> tuple[str, ...]:
        """The desk's queues."""
        return tuple(self._queues)

    def waiting_count(self) -> int:
        """How many tickets wait, in every queue."""
        return sum(len(q) for q in self._queues.values())

    def context(self, ticket: Ticket, at: datetime | None = None) -> dict[str, Any]:
        """The read-only context the triage rules see for *ticket*.

        It is :func:`csflow.rules.ticket_context`: ``tier``, ``channel``, ``priority``,
        ``category``, ``language``, ``customer.*``, ``attributes.*``, ``required_skills.*``
        and ``wait_s`` (seconds since the ticket was created, at *at*).
        """
        return ticket_context(ticket, at)

    def next_wakeup(self) -> datetime | None:
        """When the desk next has something to fire (UTC), or ``None``.

        The host sleeps until then (or until new input) and calls :meth:`advance`.
        """
        us = self._next_due()
        return None if us is None else utc(us)

    def next_wakeup_us(self) -> int | None:
        """:meth:`next_wakeup` as integer microseconds since the epoch (no datetime built)."""
        return self._next_due()

    # -- agents --------------------------------------------------------------------------------

    def add_agent(
        self,
        profile: AgentProfile,
        *,
        at: datetime,
        presence: str = "offline",
        routing_profile: str | None = None,
    ) -> list[Event]:
        """An agent joins the desk (offline unless *presence* says otherwise).

        Its routing profile is *routing_profile*, else its first team's (by name) profile,
        else the desk's first profile.

        Raises:
            ConfigError: A duplicate agent, an unknown presence state or routing profile.
        """
        t = self._time(at)
        if not isinstance(profile, AgentProfile):
            raise ConfigError(f"profile must be an AgentProfile, got {show(profile)}")
        if profile.id in self._router.pool:
            raise DuplicateAgentError(f"agent {show(profile.id)} already exists")
        group = routing_profile
        if group is None:
            for team in sorted(profile.teams):
                spec = self.config.teams.get(team)
                if spec is not None and spec.routing_profile is not None:
                    group = spec.routing_profile
                    break
        if group is None and self.config.routing_profiles:
            # As documented: an agent of no team (or of teams without a profile) routes under
            # the desk's first profile; the router alone would refuse when there are several.
            group = self.config.routing_profiles[0].name
        self.config.presence.routable(presence)
        changes = self._router.add_agent(profile, at=at, presence=presence, routing_profile=group)
        self._commit(t, ("add_agent", profile, presence, group))
        out: list[Event] = [AgentPresenceChanged(at, profile.id, None, presence)]
        self._routed(changes, at, t, out)
        return out

    def set_presence(self, agent_id: str, state: str, *, at: datetime) -> list[Event]:
        """Set an agent's presence; a routable agent takes waiting work at once.

        Raises:
            UnknownAgentError: No such agent.
            ConfigError: An undeclared state.
        """
        t = self._time(at)
        old = self._router.pool._agent(agent_id).presence
        self.config.presence.routable(state)
        changes = self._router.set_presence(agent_id, state, at=at)
        self._commit(t, ("set_presence", agent_id, state))
        out: list[Event] = [AgentPresenceChanged(at, agent_id, old, state)]
        self._routed(changes, at, t, out)
        return out

    def remove_agent(self, agent_id: str, *, at: datetime) -> list[Event]:
        """An agent leaves: the tickets it held go back in line; those it owned lose their owner.

        Raises:
            UnknownAgentError: No such agent.
        """
        t = self._time(at)
        old = self._router.pool._agent(agent_id).presence
        held = self._router.remove_agent(agent_id, at=at)
        self._commit(t, ("remove_agent", agent_id))
        out: list[Event] = [AgentPresenceChanged(at, agent_id, old, "removed")]
        for tid in self._owned.pop(agent_id, set()):
            self._tickets[tid].agent = None
        for tid in held:
            r = self._tickets[tid]
            r.agent = None
            self._move(r, "requeue", at, t, out)
            self._emit(
                r, TicketRequeued(at, tid, agent_id, f"agent {agent_id!r} left the desk"), out
            )
            self._route_new(r, at, t, out, queued_us=r.queued_us)
        return out

    # -- tickets -------------------------------------------------------------------------------

    def submit(self, ticket: Ticket, *, at: datetime) -> list[Event]:
        """A new ticket: triage decides priority, SLA policy and queue; routing may assign it.

        Returns:
            :class:`TicketQueued`, then a :class:`TicketAssigned` when an agent takes it now.

        Raises:
            ConfigError: A duplicate ticket id or a malformed ticket.
        """
        t = self._time(at)
        if not isinstance(ticket, Ticket):
            raise ConfigError(f"ticket must be a Ticket, got {show(ticket)}")
        if ticket.id in self._tickets:
            raise DuplicateTicketError(f"ticket {show(ticket.id)} was already submitted")
        if instant_us(ticket.created_at, "created_at") > t:
            raise ConfigError(
                f"ticket {show(ticket.id)} was created at {ticket.created_at.isoformat()}, "
                f"after it is submitted at {show(at)}"
            )
        triage = self.config.triage
        decision = triage.evaluate(self.context(ticket, at) if len(triage) else {})
        acts = decision.actions
        if "priority" in acts:
            ticket = attrs.evolve(ticket, priority=Priority.parse(acts["priority"]))
        queue = acts.get("queue", self._default_queue)
        policy_name = acts.get("sla_policy", self.config.default_sla_policy)
        reason = decision.reason
        cfg = self.config
        if cfg.priority_policy or cfg.queue_policy or cfg.sla_selection:
            ticket, queue, policy_name, reason = self._policies(
                ticket, at, queue, policy_name, reason
            )
        if "skills" in acts:
            mine = {r.skill: r for r in ticket.required_skills}
            for req in _skills_action(acts["skills"]):
                old_req = mine.get(req.skill)
                if old_req is None or old_req.min_proficiency < req.min_proficiency:
                    mine[req.skill] = req
            ticket = attrs.evolve(ticket, required_skills=tuple(mine.values()))
        rec = _Rec(ticket, queue, t)
        rec.tags = tuple(str(x) for x in acts.get("tags", ()) or ())
        if self.config.keep_history:
            rec.history = []
        if policy_name is not None:
            rec.policy = policy_name
            rec.sla = TicketSla.for_ticket(
                ticket,
                self.config.sla_policies[policy_name],
                status=_sla_status(self.config.sla_policies[policy_name], "queued"),
            )
        if queue in self._deadline_queues:
            # The key policy may refuse a ticket (a deadline queue without a due instant): ask
            # it now, before anything changes.
            self._queues[queue].key_policy(KeyContext(ticket, t, self._due(rec)))
        self._commit(t, ("submit", ticket))
        self._tickets[ticket.id] = rec
        out: list[Event] = []
        self._emit(
            rec,
            TicketQueued(
                at,
                ticket.id,
                queue,
                ticket.priority,
                policy_name,
                ticket.customer.tier.name,
                ticket.channel.name,
                reason,
            ),
            out,
        )
        if rec.sla is not None:
            self._sla_events(rec, (), out)  # arm the desk's timer for the new clocks
        self._route_new(rec, at, t, out, rule=decision.rule)
        return out

    def reply(self, ticket_id: str, agent_id: str, *, at: datetime) -> list[Event]:
        """An agent replied publicly: meets response clocks, restarts the periodic-update clock.

        Raises:
            UnknownTicketError / UnknownAgentError: Unknown ids.
            InvalidTransitionError: The ticket is not with an agent, or with another one.
        """
        t = self._time(at)
        r = self._rec(ticket_id)
        self._agent_known(agent_id)
        self._check("reply", r)
        if r.agent != agent_id:
            raise InvalidTransitionError(
                f"agent {show(agent_id)} cannot reply to ticket {show(ticket_id)}: it is with "
                f"{show(r.agent)}"
            )
        self._commit(t, ("reply", ticket_id, agent_id))
        out: list[Event] = []
        if r.sla is not None:
            self._sla_events(r, r.sla.agent_reply(at), out)
        return out

    def customer_message(self, ticket_id: str, *, at: datetime) -> list[Event]:
        """The customer wrote: starts a next-response clock; a pending ticket resumes.

        Raises:
            UnknownTicketError: No such ticket.
            InvalidTransitionError: The ticket is solved, closed or abandoned (reopen a solved
                ticket with :meth:`reopen`).
        """
        t = self._time(at)
        r = self._rec(ticket_id)
        new = self._check("customer_message", r)
        self._commit(t, ("customer_message", ticket_id))
        out: list[Event] = []
        if r.sla is not None:
            self._sla_events(r, r.sla.customer_message(at), out)
        if new != r.state:
            self._resume(r, "customer_message", at, t, out)
        return out

    def set_status(self, ticket_id: str, status: str, *, at: datetime) -> list[Event]:
        """Move a ticket between ``open``, ``pending`` (waiting on the customer) and ``on_hold``.

        ``pending`` and ``on_hold`` free the agent's capacity (the agent still owns the
        ticket) and pause the clocks the SLA policy's ``pause_on`` names; ``open`` resumes work.

        Raises:
            UnknownTicketError: No such ticket.
            ConfigError: A status other than ``open``, ``pending`` or ``on_hold``.
            InvalidTransitionError: Not allowed from the ticket's state.
        """
        t = self._time(at)
        r = self._rec(ticket_id)
        if status not in ("open", "pending", "on_hold"):
            raise ConfigError(f"status must be 'open', 'pending' or 'on_hold', got {show(status)}")
        new = self._check(f"set_status:{status}", r)
        self._commit(t, ("set_status", ticket_id, status))
        out: list[Event] = []
        old = r.state
        if status == "open":
            self._resume(r, "set_status:open", at, t, out)
            return out
        if old == "assigned":
            agent = r.agent
            assert agent is not None
            r.state = new
            self._owned.setdefault(agent, set()).add(ticket_id)
            self._emit(r, TicketStatusChanged(at, ticket_id, old, new), out)
            self._sla_status(r, at, out)
            changes = self._router.release(agent, ticket_id, at=at)
            self._routed(changes, at, t, out)
        else:
            r.state = new
            self._emit(r, TicketStatusChanged(at, ticket_id, old, new), out)
            self._sla_status(r, at, out)
        return out

    def set_priority(
        self, ticket_id: str, priority: Priority | str, *, at: datetime
    ) -> list[Event]:
        """Change a ticket's priority: its queue key and its SLA clocks follow.

        SLA clocks are recalculated per the config's ``recalculation`` mode.

        Raises:
            UnknownTicketError: No such ticket.
            ConfigError: An unknown priority.
            InvalidTransitionError: The ticket is solved, closed or abandoned.
        """
        t = self._time(at)
        r = self._rec(ticket_id)
        new = Priority.parse(priority)
        self._check("set_priority", r)
        self._commit(t, ("set_priority", ticket_id, new.name.lower()))
        out: list[Event] = []
        self._reprioritize(r, new, at, out)
        return out

    def _reprioritize(self, r: _Rec, new: Priority, at: datetime, out: list[Event]) -> None:
        old = r.ticket.priority
        if new == old:
            return
        r.ticket = attrs.evolve(r.ticket, priority=new)
        self._emit(r, TicketPrioritized(at, r.ticket.id, old, new), out)
        if r.sla is not None:
            self._sla_events(r, r.sla.change_priority(new, at, self.config.recalculation), out)
        if r.state == "queued":
            self._router.reprioritize(r.ticket, due=self._due(r))

    def transfer(self, ticket_id: str, to: str, *, at: datetime) -> list[Event]:
        """Hand a ticket to a named agent, or to a team (it waits in the team's queue).

        Counts as a hand-over against ``max_transfers``.

        Raises:
            UnknownTicketError: No such ticket.
            ConfigError: *to* is neither an agent nor a team.
            InvalidTransitionError: Not allowed from the ticket's state; the agent cannot take
                it now (:class:`~csflow.routing.CapacityExceededError`); the limit refuses it
                (:class:`~csflow.routing.TransferLimitError`).
        """
        t = self._time(at)
        r = self._rec(ticket_id)
        self._check("transfer", r)
        pool = self._router.pool
        to_agent = to in pool
        if not to_agent and (not isinstance(to, str) or to not in self.config.teams):
            raise ConfigError(
                f"transfer target {show(to)} is neither an agent nor a team; teams: "
                f"{show(sorted(self.config.teams))}"
            )
        if to_agent:
            if to == r.agent:
                raise InvalidTransitionError(
                    f"ticket {show(ticket_id)} is already with agent {show(to)}"
                )
            # A waiting call-back stays a phone call; a ticket taken from an agent goes by its
            # own channel.
            sig = self._signature(r) if r.state == "queued" else Signature.of(r.ticket)
            if not pool.is_eligible(to, sig) or not pool.can_take(to, sig.channel):
                raise CapacityExceededError(
                    f"agent {to!r} cannot take ticket {ticket_id!r} on {sig} now"
                )
        self._ledger.check(ticket_id)
        self._commit(t, ("transfer", ticket_id, to))
        out: list[Event] = []
        over = self._ledger.hand_over(
            ticket_id,
            at=at,
            kind="transfer",
            from_team=self._queue_team.get(r.queue),
            to_team=None if to_agent else to,
        )
        if over.flagged:
            self._emit(r, self._limit_event(at, ticket_id, over.count), out)
        old_agent = r.agent
        self._emit(r, TicketTransferred(at, ticket_id, old_agent, to, over.count), out)
        if to_agent and r.state == "queued":
            # The router hands a waiting ticket over from its queue, keeping its signature.
            a = self._router.assign_to(r.ticket, to, at=at)
            self._assigned(a, at, t, out)
            return out
        self._leave(r, "transfer", at, t, out)
        if to_agent:
            a = self._router.assign_to(r.ticket, to, at=at)
            self._assigned(a, at, t, out)
        else:
            r.queue = self.config.teams[to].queue
            self._route_new(r, at, t, out)
        return out

    def escalate(self, ticket_id: str, team: str, *, at: datetime) -> list[Event]:
        """Escalate a ticket to *team* along the escalation graph; it waits in the team's queue.

        Raises:
            UnknownTicketError: No such ticket.
            ConfigError: An unknown team.
            InvalidTransitionError: Not allowed from the ticket's state, not an edge of the
                escalation graph, or refused by the transfer limit.
        """
        t = self._time(at)
        r = self._rec(ticket_id)
        self._check("escalate", r)
        if not isinstance(team, str) or team not in self.config.teams:
            raise ConfigError(
                f"unknown team {show(team)}; known: {show(sorted(self.config.teams))}"
            )
        src = self._queue_team.get(r.queue)
        graph = self.config.escalation
        if src is None and graph is not None:
            src = graph.entry[0]
        if graph is not None and src is not None and not graph.can_escalate(src, team):
            raise InvalidTransitionError(
                f"team {show(src)} may not escalate to {show(team)}; allowed: "
                f"{show(list(graph.targets(src)))}"
            )
        if src == team:
            raise InvalidTransitionError(
                f"ticket {show(ticket_id)} is already with team {show(team)}"
            )
        self._ledger.check(ticket_id)
        self._commit(t, ("escalate", ticket_id, team))
        out: list[Event] = []
        ledger_src = src if graph is not None else None
        over = self._ledger.hand_over(
            ticket_id,
            at=at,
            kind="escalation",
            from_team=ledger_src,
            to_team=team if graph is not None else None,
        )
        if over.flagged:
            self._emit(r, self._limit_event(at, ticket_id, over.count), out)
        graph_path = f"{src} -> {team}" if src is not None else team
        self._emit(
            r,
            TicketEscalated(at, ticket_id, src, team, over.count, f"escalation {graph_path}"),
            out,
        )
        self._leave(r, "escalate", at, t, out)
        r.queue = self.config.teams[team].queue
        self._route_new(r, at, t, out)
        return out

    def request_callback(self, ticket_id: str, *, at: datetime) -> list[Event]:
        """A waiting customer asks to be called back: the ticket keeps its place, on the phone.

        When an agent takes it, a :class:`CallbackDue` follows the :class:`TicketAssigned`.

        Raises:
            UnknownTicketError: No such ticket.
            InvalidTransitionError: The ticket is not waiting, or already a call-back.
        """
        t = self._time(at)
        r = self._rec(ticket_id)
        self._check("request_callback", r)
        if r.callback:
            raise InvalidTransitionError(f"ticket {show(ticket_id)} is already a call-back")
        self._commit(t, ("request_callback", ticket_id))
        out: list[Event] = []
        r.callback = True
        a = self._router.request_callback(ticket_id, at=at)
        if a is not None:
            self._assigned(a, at, t, out)
        return out

    def abandon(self, ticket_id: str, *, at: datetime) -> list[Event]:
        """The customer gave up waiting (or withdrew the ticket).

        Raises:
            UnknownTicketError: No such ticket.
            InvalidTransitionError: The ticket is not waiting.
        """
        t = self._time(at)
        r = self._rec(ticket_id)
        new = self._check("abandon", r)
        self._commit(t, ("abandon", ticket_id))
        out: list[Event] = []
        self._router.remove(ticket_id)
        r.state = new
        self._emit(r, TicketAbandoned(at, ticket_id, (t - r.queued_us) / 1e6), out)
        self._sla_status(r, at, out)
        return out

    def resolve(self, ticket_id: str, agent_id: str, *, at: datetime) -> list[Event]:
        """The agent solved the ticket: resolution clock met, the agent takes its next ticket.

        Raises:
            UnknownTicketError / UnknownAgentError: Unknown ids.
            InvalidTransitionError: Not with an agent, or with another one.
        """
        t = self._time(at)
        r = self._rec(ticket_id)
        self._agent_known(agent_id)
        new = self._check("resolve", r)
        if r.agent != agent_id:
            raise InvalidTransitionError(
                f"agent {show(agent_id)} cannot resolve ticket {show(ticket_id)}: it is with "
                f"{show(r.agent)}"
            )
        self._commit(t, ("resolve", ticket_id, agent_id))
        out: list[Event] = []
        held = r.state == "assigned"
        if not held:
            self._owned.get(agent_id, set()).discard(ticket_id)
        r.state = new
        self._last_agent[r.ticket.customer.id] = (agent_id, t)
        self._emit(r, TicketResolved(at, ticket_id, agent_id), out)
        self._sla_status(r, at, out)
        if self.config.survey_delay is not None:
            due = t + duration_us(self.config.survey_delay, "survey_delay")
            r.survey_version += 1
            heapq.heappush(self._surveys, (due, next(self._seq), ticket_id, r.survey_version))
        if held:
            self._routed(self._router.release(agent_id, ticket_id, at=at), at, t, out)
        return out

    def reopen(self, ticket_id: str, *, at: datetime) -> list[Event]:
        """The customer reopened a solved ticket: back to its last agent when available, else
        routed like a new one; the resolution clock resumes where it stopped.

        Raises:
            UnknownTicketError: No such ticket.
            InvalidTransitionError: The ticket is not solved.
        """
        t = self._time(at)
        r = self._rec(ticket_id)
        new = self._check("reopen", r)
        self._commit(t, ("reopen", ticket_id))
        out: list[Event] = []
        last = r.agent
        r.agent = None
        r.state = new
        r.callback = False
        r.survey_version += 1  # a pending survey is no longer due
        r.queued_us = t
        self._emit(r, TicketReopened(at, ticket_id, last), out)
        self._sla_status(r, at, out)
        a = self._router.reopen(r.ticket, last, at=at, queue=r.queue, due=self._due(r))
        if a is not None:
            self._assigned(a, at, t, out)
        else:
            self._emit(r, self._queued_event(r, at, "reopened"), out)
        return out

    def close(self, ticket_id: str, *, at: datetime) -> list[Event]:
        """Close a solved ticket for good (it can no longer be reopened).

        Raises:
            UnknownTicketError: No such ticket.
            InvalidTransitionError: The ticket is not solved.
        """
        t = self._time(at)
        r = self._rec(ticket_id)
        new = self._check("close", r)
        self._commit(t, ("close", ticket_id))
        out: list[Event] = []
        r.state = new
        self._emit(r, TicketClosed(at, ticket_id), out)
        self._sla_status(r, at, out)
        self._ledger.forget(ticket_id)
        return out

    def forget(self, ticket_id: str, *, at: datetime) -> list[Event]:
        """Drop a closed or abandoned ticket from the desk's memory (its views and history).

        A long-running host or simulation calls it for tickets it has archived, so memory
        stays proportional to the open work.  Returns no events.

        Raises:
            UnknownTicketError: No such ticket.
            InvalidTransitionError: The ticket is not closed or abandoned.
        """
        t = self._time(at)
        r = self._rec(ticket_id)
        if r.state not in ("closed", "abandoned"):
            raise InvalidTransitionError(
                f"cannot forget ticket {show(ticket_id)}: it is {r.state}; only closed or "
                "abandoned "
                "tickets can be forgotten"
            )
        self._commit(t, ("forget", ticket_id))
        del self._tickets[ticket_id]
        self._ledger.forget(ticket_id)
        return []

    # -- time ----------------------------------------------------------------------------------

    def advance(self, *, at: datetime) -> list[Event]:
        """Fire everything due up to *at*, each at its own instant, in time order.

        SLA warnings and breaches, relaxation steps, overflow, preferred-agent pins that
        expire, surveys.  Idempotent for an unchanged *at*.

        Raises:
            InvalidTransitionError: *at* is earlier than the desk's last instant.
            CalendarError: *at* is naive.
        """
        t = self._time(at)
        self._commit(t, ("advance",))
        out: list[Event] = []
        fired_at: int | None = None
        while True:
            due = self._next_due()
            if due is None or due > t or due == fired_at:
                break
            fired_at = due
            self._now = max(self._now, due)
            self._fire(due, out)
        self._now = t
        return out

    def _fire(self, due: int, out: list[Event]) -> None:
        when = utc(due)
        heap = self._sla_heap
        while heap and heap[0][0] <= due:
            d, _, tid = heapq.heappop(heap)
            r = self._tickets.get(tid)
            if r is None or r.sla is None or r.armed != d:
                continue
            r.armed = None
            self._sla_events(r, r.sla.advance(when), out)
        surveys = self._surveys
        while surveys and surveys[0][0] <= due:
            _, _, tid, version = heapq.heappop(surveys)
            r = self._tickets.get(tid)
            if r is not None and r.survey_version == version and r.state in ("solved", "closed"):
                self._emit(r, SurveyDue(when, tid, r.agent), out)
        step = self._router.next_step_us()
        if step is not None and step <= due:
            self._routed(self._router.advance(when), when, due, out)

    def _next_due(self) -> int | None:
        best = self._router.next_step_us()
        heap = self._sla_heap
        while heap:
            d, _, tid = heap[0]
            r = self._tickets.get(tid)
            if r is not None and r.sla is not None and r.armed == d:
                break
            heapq.heappop(heap)
        if heap and (best is None or heap[0][0] < best):
            best = heap[0][0]
        surveys = self._surveys
        while surveys:
            _, _, tid, version = surveys[0]
            r = self._tickets.get(tid)
            if r is not None and r.survey_version == version:
                break
            heapq.heappop(surveys)
        if surveys and (best is None or surveys[0][0] < best):
            best = surveys[0][0]
        return best

    # -- snapshots -----------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The desk as JSON-compatible data: :meth:`restore` rebuilds it.

        The snapshot is the log of the commands the desk accepted (the desk is deterministic,
        so replaying it reproduces the desk exactly); its size grows with that log.

        Raises:
            InvalidTransitionError: The desk was configured with ``keep_log=False``.
        """
        if not self._keep_log:
            raise InvalidTransitionError(
                "this desk keeps no command log (keep_log=False): it cannot be snapshotted"
            )
        commands: list[list[Any]] = []
        for entry in self._log:
            at_us, name, *args = entry
            if name == "submit":
                args = [ticket_to_dict(args[0])]
            elif name == "add_agent":
                args = [_profile_to_dict(args[0]), args[1], args[2]]
            commands.append([name, at_us, *args])
        return {"format": "csflow.desk/1", "commands": commands}

    @classmethod
    def restore(cls, config: DeskConfig, snapshot: object) -> Desk:
        """A desk rebuilt from :meth:`snapshot` under the same *config*.

        Raises:
            ConfigError: The snapshot is malformed or tampered with, naming the first bad
                command (``snapshot.commands[12]: ...``).
        """
        d = mapping(snapshot, "snapshot")
        check_keys(d, ("format", "commands"), "snapshot")
        if d.get("format") != "csflow.desk/1":
            raise ConfigError(
                f"expected format 'csflow.desk/1', got {show(d.get('format'))}", "snapshot.format"
            )
        desk = cls(config)
        for i, cmd in enumerate(sequence(d.get("commands"), "snapshot.commands")):
            path = f"snapshot.commands[{i}]"
            try:
                desk._replay(cmd, path)
            except ConfigError as exc:
                if exc.path and exc.path.startswith("snapshot"):
                    raise
                raise ConfigError(str(exc), path) from None
            except (CsflowError, TypeError, ValueError, KeyError, AttributeError) as exc:
                raise ConfigError(f"command {show(cmd)} cannot be replayed: {exc}", path) from None
        return desk

    def _replay(self, cmd: object, path: str) -> None:
        items = sequence(cmd, path)
        if len(items) < 2 or not isinstance(items[0], str):
            raise ConfigError(f"expected [name, at_us, *args], got {show(cmd)}", path)
        name, at_us, *args = items
        if type(at_us) is not int or not MIN_US <= at_us <= MAX_US:
            raise ConfigError(
                f"expected an int of microseconds in years 1-9999, got {show(at_us)}", path
            )
        at = utc(at_us)
        for a in args:
            if a is not None and not isinstance(a, str | dict):
                raise ConfigError(f"unexpected argument {show(a)}", path)

        def arity(n: int) -> None:
            if len(args) != n or not all(isinstance(a, str) for a in args):
                raise ConfigError(
                    f"{show(name)} takes {n} string arguments, got {show(args)}", path
                )

        if name == "submit" and len(args) == 1:
            self.submit(ticket_from_dict(args[0], f"{path}[2]"), at=at)
        elif name == "add_agent" and len(args) == 3:
            presence, group = args[1], args[2]
            if not isinstance(presence, str) or not (group is None or isinstance(group, str)):
                raise ConfigError(f"bad add_agent arguments {show(args)}", path)
            self.add_agent(
                _profile_from_data(args[0], f"{path}[2]"),
                at=at,
                presence=presence,
                routing_profile=group,
            )
        elif name == "advance":
            arity(0)
            self.advance(at=at)
        elif name in (
            "set_presence",
            "reply",
            "set_status",
            "set_priority",
            "transfer",
            "escalate",
            "resolve",
        ):
            arity(2)
            getattr(self, name)(args[0], args[1], at=at)
        elif name in (
            "forget",
            "remove_agent",
            "customer_message",
            "request_callback",
            "abandon",
            "reopen",
            "close",
        ):
            arity(1)
            getattr(self, name)(args[0], at=at)
        else:
            raise ConfigError(f"unknown command {show(name)} with {len(args)} arguments", path)

    # -- internals -----------------------------------------------------------------------------

    def _time(self, at: object) -> int:
        t = instant_us(at, "at")  # raises on naive or non-datetime values
        if t < self._now:
            raise InvalidTransitionError(
                f"'at' must not be earlier than the desk's last instant "
                f"{utc(self._now).isoformat()}, got {show(at)}"
            )
        return t

    def _commit(self, t: int, entry: tuple[Any, ...]) -> None:
        """Validation is over: from here on the command mutates.  Log it and move time on."""
        self._now = t
        if self._keep_log:
            self._log.append((t, *entry))

    def _rec(self, ticket_id: str) -> _Rec:
        r = self._tickets.get(ticket_id) if isinstance(ticket_id, str) else None
        if r is None:
            raise UnknownTicketError(f"no ticket {show(ticket_id)} at this desk")
        return r

    def _agent_known(self, agent_id: str) -> None:
        if not isinstance(agent_id, str) or agent_id not in self._router.pool:
            raise UnknownAgentError(f"no agent {show(agent_id)} at this desk")

    def _check(self, command: str, r: _Rec) -> str:
        new = LIFECYCLE[command].get(r.state)
        if new is None:
            allowed = sorted(s for s in LIFECYCLE[command] if s is not None)
            raise InvalidTransitionError(
                f"cannot {command.replace('set_status:', 'set status ')} ticket "
                f"{show(r.ticket.id)}: it is {r.state}; allowed from {show(allowed)}"
            )
        return new

    def _limit_event(self, at: datetime, ticket_id: str, count: int) -> TransferLimitReached:
        limit = self._ledger.policy.max_transfers
        return TransferLimitReached(at, ticket_id, count, limit if limit is not None else 0, False)

    def _emit(self, r: _Rec, event: Event, out: list[Event]) -> None:
        out.append(event)
        if r.history is not None:
            r.history.append(event)

    def _due(self, r: _Rec) -> int | None:
        """The SLA due instant (µs) a deadline-ordered queue sorts by: the first response's,
        else the next response's, else the resolution's; ``None`` for queues that age by
        allowance (they never look at it) and tickets without an SLA."""
        if r.sla is None or r.queue not in self._deadline_queues:
            return None
        for metric in (Metric.FIRST_RESPONSE, Metric.NEXT_RESPONSE, Metric.RESOLUTION):
            c = r.sla.clock(metric)
            if c is not None:
                due = c.due_us
                if due is not None:
                    return due
        return None

    def _policies(
        self, ticket: Ticket, at: datetime, queue: str, sla: str | None, reason: str
    ) -> tuple[Ticket, str, str | None, str]:
        """Ask the configured policy callables (after triage); check their answers."""
        cfg = self.config
        reasons = [reason]
        if cfg.priority_policy is not None:
            res = cfg.priority_policy(PolicyContext(ticket, at))
            ticket = attrs.evolve(ticket, priority=Priority.parse(res.value))
            reasons.append(f"priority: {res.reason}")
        ctx = PolicyContext(ticket, at)
        if cfg.queue_policy is not None:
            res_q = cfg.queue_policy(ctx)
            if res_q.value not in self._queues:
                raise ConfigError(
                    f"the queue policy chose unknown queue {show(res_q.value)}; known: "
                    f"{show(sorted(self._queues))}"
                )
            queue = res_q.value
            reasons.append(f"queue: {res_q.reason}")
        if cfg.sla_selection is not None:
            res_s = cfg.sla_selection(ctx)
            if res_s.value is not None and res_s.value not in cfg.sla_policies:
                raise ConfigError(
                    f"the SLA selection policy chose unknown SLA policy {show(res_s.value)}; "
                    f"known: {show(sorted(cfg.sla_policies))}"
                )
            sla = res_s.value
            reasons.append(f"SLA policy: {res_s.reason}")
        return ticket, queue, sla, "; ".join(r for r in reasons if r)

    def _signature(self, r: _Rec) -> Signature:
        """What an agent needs to take the ticket now (a call-back is a phone call)."""
        sig = Signature.of(r.ticket)
        return sig.on_channel(Channel.PHONE.name) if r.callback else sig

    def _queued_event(self, r: _Rec, at: datetime, why: str) -> TicketQueued:
        tk = r.ticket
        return TicketQueued(
            at,
            tk.id,
            r.queue,
            tk.priority,
            r.policy,
            tk.customer.tier.name,
            tk.channel.name,
            why,
        )

    def _route_new(
        self,
        r: _Rec,
        at: datetime,
        t: int,
        out: list[Event],
        *,
        rule: str | None = None,
        queued_us: int | None = None,
    ) -> None:
        """Route a ticket that is (back) in state ``queued``: to an agent now, or into line."""
        r.state = "queued"
        r.queued_us = t if queued_us is None else queued_us
        tk = r.ticket
        last = self._last_agent.get(tk.customer.id)
        a = self._router.submit(
            tk,
            at=at,
            queue=r.queue,
            due=self._due(r),
            queued_at=r.queued_us,
            rule=rule,
            last_agent=None if last is None else last[0],
            last_contact_at=None if last is None else last[1],
            signature=self._signature(r) if r.callback else None,
        )
        if a is not None:
            self._assigned(a, at, t, out)

    def _assigned(self, a: Assignment, at: datetime, t: int, out: list[Event]) -> None:
        r = self._tickets[a.ticket_id]
        r.state = "assigned"
        r.agent = a.agent_id
        self._last_agent[r.ticket.customer.id] = (a.agent_id, t)
        waited = max(0, a.at_us - r.queued_us) / 1e6
        self._emit(
            r,
            TicketAssigned(at, a.ticket_id, a.agent_id, waited, a.reason.candidates, str(a.reason)),
            out,
        )
        if a.callback or r.callback:
            self._emit(r, CallbackDue(at, a.ticket_id, a.agent_id), out)
        self._sla_status(r, at, out)

    def _routed(
        self, changes: Sequence[RoutingChange], at: datetime, t: int, out: list[Event]
    ) -> None:
        for c in changes:
            if isinstance(c, Assignment):
                self._assigned(c, at, t, out)
            elif isinstance(c, Overflowed):
                r = self._tickets[c.ticket_id]
                r.queue = c.to_queue
                self._emit(
                    r,
                    TicketOverflowed(at, c.ticket_id, c.to_queue, max(0, t - r.queued_us) / 1e6),
                    out,
                )

    def _move(self, r: _Rec, command: str, at: datetime, t: int, out: list[Event]) -> None:
        r.state = LIFECYCLE[command][r.state]
        self._sla_status(r, at, out)

    def _leave(self, r: _Rec, command: str, at: datetime, t: int, out: list[Event]) -> None:
        """Take the ticket away from where it is now (its agent or its queue) for a hand-over."""
        state = r.state
        agent = r.agent
        r.agent = None
        if state == "queued":
            self._router.remove(r.ticket.id)
        elif state == "assigned":
            assert agent is not None
            r.state = "queued"
            self._routed(self._router.release(agent, r.ticket.id, at=at), at, t, out)
        elif agent is not None:
            # Pending or on hold: the owner lets it go.  (An owner who left the desk has
            # already been cleared, and the ticket has no one to leave.)
            self._owned.get(agent, set()).discard(r.ticket.id)
        r.state = "queued"
        r.callback = False
        self._sla_status(r, at, out)

    def _resume(self, r: _Rec, command: str, at: datetime, t: int, out: list[Event]) -> None:
        """Work on a pending / on-hold ticket resumes: back to its owner if it can take it now."""
        owner = r.agent
        self._emit(r, TicketStatusChanged(at, r.ticket.id, r.state, "open"), out)
        if owner is not None:
            self._owned.get(owner, set()).discard(r.ticket.id)
        r.agent = None
        r.state = "queued"
        r.queued_us = t
        r.callback = False  # the call-back happened; resumed work goes by the ticket's channel
        self._sla_status(r, at, out)
        a = self._router.reopen(r.ticket, owner, at=at, queue=r.queue, due=self._due(r))
        if a is not None:
            self._assigned(a, at, t, out)
        else:
            self._emit(r, self._queued_event(r, at, "work resumed"), out)

    def _sla_status(self, r: _Rec, at: datetime, out: list[Event]) -> None:
        sla = r.sla
        if sla is None or sla.status in ("closed", "abandoned"):
            return
        # Skipping a change between two statuses the policy treats alike saves a poll of
        # every clock per assignment.
        status = _sla_status(sla.policy, r.state)
        if sla.status != status:
            self._sla_events(r, sla.set_status(status, at), out)

    def _sla_events(self, r: _Rec, events: Sequence[Event], out: list[Event]) -> None:
        policy = self.config.escalation_policy
        for e in events:
            self._emit(r, e, out)
            if policy is not None and isinstance(e, SlaWarning | SlaBreached):
                self._escalate_on(policy, r, e, out)
        sla = r.sla
        assert sla is not None
        d = sla.next_deadline_us()
        if d is not None and d != r.armed:
            heapq.heappush(self._sla_heap, (d, next(self._seq), r.ticket.id))
        r.armed = d

    def _escalate_on(
        self, policy: EscalationPolicy, r: _Rec, e: SlaWarning | SlaBreached, out: list[Event]
    ) -> None:
        """Apply the escalation policy's answer to an SLA warning or breach.

        A priority is only ever raised (each raise is strictly higher, so a breach caused by
        the recalculation cannot loop); a queue move applies to a waiting ticket and keeps its
        place in time; tags are added; people to notify reach the host in
        :class:`~csflow.events.SlaEscalated`.
        """
        if r.state not in ("queued", *_WORKING):
            return
        kind = "breach" if isinstance(e, SlaBreached) else "warning"
        result = policy(PolicyContext(r.ticket, e.at, event=kind, metric=e.metric.value))
        esc = result.value
        if not esc:
            return
        self._emit(
            r,
            SlaEscalated(
                e.at, r.ticket.id, e.metric.value, kind, esc.notify, esc.tags, result.reason
            ),
            out,
        )
        if esc.tags:
            r.tags = tuple(dict.fromkeys((*r.tags, *esc.tags)))
        if esc.priority is not None and esc.priority > r.ticket.priority:
            self._reprioritize(r, esc.priority, e.at, out)
        if (
            esc.queue is not None
            and esc.queue in self._queues
            and r.state == "queued"
            and esc.queue != r.queue
        ):
            t = instant_us(e.at, "at")
            self._router.remove(r.ticket.id)
            r.queue = esc.queue
            self._emit(
                r, TicketOverflowed(e.at, r.ticket.id, esc.queue, (t - r.queued_us) / 1e6), out
            )
            self._route_new(r, e.at, t, out, queued_us=r.queued_us)


def _clock_view(metric: Metric, c: SlaClock, at: datetime) -> ClockView:
    return ClockView(
        metric,
        c.state.name.lower(),
        c.target.duration,
        c.due_at,
        c.elapsed(at),
        c.remaining(at),
    )
