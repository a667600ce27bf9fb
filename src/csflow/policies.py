"""Policy protocols: one small contract per decision a desk makes, with rule-backed defaults.

A *policy* answers one question about one ticket.  It receives a read-only
:class:`PolicyContext` and returns a :class:`PolicyResult` -- a value and a sentence saying
why.  It cannot reach into or change the desk: the context holds only frozen values (the
ticket, its customer, the candidate agents' profiles, the instant).

The exact call signatures a desk uses (``ctx`` is a :class:`PolicyContext`)::

    priority_policy(ctx)    -> PolicyResult[Priority]                # PriorityPolicy
    sla_policy(ctx)         -> PolicyResult[str | None]             # SlaSelectionPolicy
    queue_policy(ctx)       -> PolicyResult[str]                    # QueuePolicy
    eligibility_policy(ctx) -> PolicyResult[tuple[AgentProfile, ...]]  # EligibilityPolicy
    selection_policy(ctx)   -> PolicyResult[tuple[AgentProfile, ...]]  # AgentSelectionPolicy
    escalation_policy(ctx)  -> PolicyResult[Escalation]             # EscalationPolicy

* ``sla_policy`` names the SLA policy to apply (``None``: none).
* ``eligibility_policy`` returns the eligible subset of ``ctx.candidates``, in their order.
* ``selection_policy`` returns ``ctx.candidates`` ranked best first; the desk assigns the
  first one that can take the ticket.
* ``escalation_policy`` is called with ``ctx.event`` set (``"warning"`` or ``"breach"``) and
  ``ctx.metric`` naming the SLA metric (``"first_response"`` ...).

Any callable with the right signature satisfies the protocol -- a plain function will do::

    def vip_first(ctx: PolicyContext) -> PolicyResult[Priority]:
        if ctx.customer.tier.name == "platinum":
            return PolicyResult(Priority.URGENT, "platinum customers are urgent")
        return PolicyResult(ctx.ticket.priority, "the ticket's own priority")

The defaults (:class:`RulePriorityPolicy` and friends) are backed by a
:class:`~csflow.rules.RuleSet` and read one action key each:

* :class:`RulePriorityPolicy` -- ``priority``: ``"low"`` ... ``"urgent"`` (or 0-3);
* :class:`RuleSlaSelectionPolicy` -- ``sla_policy``: an SLA policy name;
* :class:`RuleQueuePolicy` -- ``queue``: a queue name;
* :class:`RuleEligibilityPolicy` -- ``eligible``: ``false`` excludes the agent;
* :class:`RuleAgentSelectionPolicy` -- ``score``: a number; an agent's matched scores add up;
* :class:`RuleEscalationPolicy` -- ``priority`` (raise to), ``queue`` (move to), ``notify``
  (people or teams) and ``tags``.

Rules see the fields of :func:`csflow.rules.ticket_context` (``customer.tier``, ``channel``,
``priority``, ``category``, ``language``, ``attributes.order_value``, ``wait_s`` ...), plus
``event`` and ``metric`` for escalation and, for the two agent policies, ``agent.*`` (see
:func:`agent_context`).  :data:`POLICY_FIELDS` lists them all for ``known_fields``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any, Final, Generic, Protocol, TypeVar

import attrs

from csflow._text import show
from csflow._time import require_aware
from csflow.errors import ConfigError
from csflow.model import AgentProfile, Customer, Priority, Ticket
from csflow.rules.context import STANDARD_FIELDS, ticket_context
from csflow.rules.ruleset import RuleSet
from csflow.rules.syntax import SEGMENT_RE, Decision, Mode

__all__ = [
    "POLICY_FIELDS",
    "AgentSelectionPolicy",
    "EligibilityPolicy",
    "Escalation",
    "EscalationPolicy",
    "PolicyContext",
    "PolicyResult",
    "PriorityPolicy",
    "QueuePolicy",
    "RuleAgentSelectionPolicy",
    "RuleEligibilityPolicy",
    "RuleEscalationPolicy",
    "RulePriorityPolicy",
    "RuleQueuePolicy",
    "RuleSlaSelectionPolicy",
    "SlaSelectionPolicy",
    "agent_context",
]

T_co = TypeVar("T_co", covariant=True)

POLICY_FIELDS: Final = STANDARD_FIELDS | frozenset({"event", "metric", "agent", "agent.*"})
"""Every field a policy's rules may use (``"x.*"``: any key under ``x``), for
``known_fields``."""

# Top-level context names the policies fill in themselves; host extras may not shadow them.
_RESERVED = frozenset(f.split(".")[0] for f in POLICY_FIELDS)
_MAX_LISTED = 5


# --------------------------------------------------------------------------------------------
# Context and result


def _to_candidates(value: Iterable[AgentProfile]) -> tuple[AgentProfile, ...]:
    if isinstance(value, (str, Mapping)) or not isinstance(value, Iterable):
        raise ConfigError(f"candidates must be a collection of AgentProfile, got {show(value)}")
    out = tuple(value)
    for agent in out:
        if not isinstance(agent, AgentProfile):
            raise ConfigError(f"candidates must be AgentProfile values, got {show(agent)}")
    return out


def _to_extra(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if value is None:
        return MappingProxyType({})
    if not isinstance(value, Mapping):
        raise ConfigError(f"extra must be a mapping of field name -> value, got {show(value)}")
    for key in value:
        if not isinstance(key, str) or not SEGMENT_RE.match(key):
            raise ConfigError(f"extra field names must be simple names, got {show(key)}")
        if key in _RESERVED:
            raise ConfigError(f"extra field {show(key)} would shadow a standard field")
    return MappingProxyType(dict(value))


def _check_label(name: str, value: object) -> None:
    if value is not None and (not isinstance(value, str) or not SEGMENT_RE.match(value)):
        raise ConfigError(f"{show(name)} must be a simple name or None, got {show(value)}")


@attrs.frozen
class PolicyContext:
    """What a policy sees: read-only facts about one ticket at one instant.

    Args:
        ticket: The ticket being decided about (its customer is ``ticket.customer``).
        at: The current instant; timezone-aware.
        candidates: The agents under consideration (for eligibility and selection), in the
            desk's order.
        event: For escalation: ``"warning"`` or ``"breach"`` (any simple name is accepted).
        metric: For escalation: the SLA metric, e.g. ``"first_response"``.
        extra: More top-level fields for rules (e.g. ``{"queue_length": 12}``), read-only.

    Raises:
        ConfigError: A value of the wrong type, a naive *at*, or an *extra* name that is
            malformed or shadows a standard field.
    """

    ticket: Ticket = attrs.field()
    at: datetime = attrs.field()
    candidates: tuple[AgentProfile, ...] = attrs.field(default=(), converter=_to_candidates)
    event: str | None = attrs.field(default=None)
    metric: str | None = attrs.field(default=None)
    extra: Mapping[str, Any] = attrs.field(factory=dict, converter=_to_extra, eq=False, hash=False)

    @ticket.validator
    def _v_ticket(self, _a: attrs.Attribute[Ticket], value: Ticket) -> None:
        if not isinstance(value, Ticket):
            raise ConfigError(f"ticket must be a Ticket, got {show(value)}")

    @at.validator
    def _v_at(self, _a: attrs.Attribute[datetime], value: datetime) -> None:
        require_aware(value, "at", ConfigError)

    @event.validator
    def _v_event(self, _a: attrs.Attribute[str | None], value: str | None) -> None:
        _check_label("event", value)

    @metric.validator
    def _v_metric(self, _a: attrs.Attribute[str | None], value: str | None) -> None:
        _check_label("metric", value)

    @property
    def customer(self) -> Customer:
        """The ticket's customer."""
        return self.ticket.customer

    @property
    def wait_s(self) -> float:
        """Seconds the ticket has waited (from ``created_at`` to ``at``; never negative)."""
        return max(0.0, (self.at - self.ticket.created_at).total_seconds())

    def fields(self) -> dict[str, Any]:
        """The rule context: :func:`~csflow.rules.ticket_context` plus ``event``, ``metric``
        (when set) and the extras.

        Returns:
            A fresh plain dict (the rule engine's fast path).
        """
        ctx = ticket_context(self.ticket, self.at, **self.extra)
        if self.event is not None:
            ctx["event"] = self.event
        if self.metric is not None:
            ctx["metric"] = self.metric
        return ctx


@attrs.frozen
class PolicyResult(Generic[T_co]):
    """A policy's answer: the value and why.

    Args:
        value: The decision (a priority, a queue name, a ranked tuple of agents ...).
        reason: A sentence a person can read.
        rule: The name of the rule that decided, when one did.
    """

    value: T_co
    reason: str
    rule: str | None = None


def _to_priority(value: Priority | str | int | None) -> Priority | None:
    return None if value is None else Priority.parse(value)


def _names_of(what: str, value: Iterable[str]) -> tuple[str, ...]:
    items = (value,) if isinstance(value, str) else tuple(value)
    for item in items:
        if not isinstance(item, str) or not item:
            raise ConfigError(f"escalation {what} must be non-empty names, got {show(item)}")
    return items


def _to_notify(value: Iterable[str]) -> tuple[str, ...]:
    return _names_of("notify", value)


def _to_tags(value: Iterable[str]) -> tuple[str, ...]:
    return _names_of("tags", value)


@attrs.frozen
class Escalation:
    """What to do when an SLA warns or breaches.  Empty (the default) means "nothing".

    Args:
        priority: Raise the ticket to this priority (the desk never lowers one).
        queue: Move the ticket to this queue.
        notify: People or teams to notify.
        tags: Tags to add to the ticket.
    """

    priority: Priority | None = attrs.field(default=None, converter=_to_priority)
    queue: str | None = attrs.field(default=None)
    notify: tuple[str, ...] = attrs.field(default=(), converter=_to_notify)
    tags: tuple[str, ...] = attrs.field(default=(), converter=_to_tags)

    @queue.validator
    def _v_queue(self, _a: attrs.Attribute[str | None], value: str | None) -> None:
        if value is not None and (not isinstance(value, str) or not value):
            raise ConfigError(
                f"escalation queue must be a non-empty name or None, got {show(value)}"
            )

    def __bool__(self) -> bool:
        return bool(self.priority is not None or self.queue or self.notify or self.tags)


# --------------------------------------------------------------------------------------------
# Protocols


class PriorityPolicy(Protocol):
    """Decides a ticket's priority."""

    def __call__(self, context: PolicyContext, /) -> PolicyResult[Priority]:
        """The ticket's priority and why."""
        ...


class SlaSelectionPolicy(Protocol):
    """Chooses the SLA policy (by name) that applies to a ticket; ``None`` for none."""

    def __call__(self, context: PolicyContext, /) -> PolicyResult[str | None]:
        """The SLA policy name and why."""
        ...


class QueuePolicy(Protocol):
    """Chooses the queue (by name) a ticket waits in."""

    def __call__(self, context: PolicyContext, /) -> PolicyResult[str]:
        """The queue name and why."""
        ...


class EligibilityPolicy(Protocol):
    """Filters ``context.candidates`` to the agents allowed to take the ticket, in order."""

    def __call__(self, context: PolicyContext, /) -> PolicyResult[tuple[AgentProfile, ...]]:
        """The eligible candidates and why the others are not."""
        ...


class AgentSelectionPolicy(Protocol):
    """Ranks ``context.candidates`` best first."""

    def __call__(self, context: PolicyContext, /) -> PolicyResult[tuple[AgentProfile, ...]]:
        """The ranked candidates and why the first one leads."""
        ...


class EscalationPolicy(Protocol):
    """Decides what happens on an SLA event (``context.event``, ``context.metric``)."""

    def __call__(self, context: PolicyContext, /) -> PolicyResult[Escalation]:
        """The escalation (possibly empty) and why."""
        ...


# --------------------------------------------------------------------------------------------
# Rule-backed defaults


def _to_ruleset(value: RuleSet | Sequence[Mapping[str, Any]], mode: Mode) -> RuleSet:
    if isinstance(value, RuleSet):
        return value
    return RuleSet.from_dicts(value, mode=mode)


def _first(value: RuleSet | Sequence[Mapping[str, Any]]) -> RuleSet:
    return _to_ruleset(value, "first")


def _all(value: RuleSet | Sequence[Mapping[str, Any]]) -> RuleSet:
    return _to_ruleset(value, "all")


def _rule_paths(rules: RuleSet, key: str) -> Iterable[tuple[str, Any]]:
    for i, rule in enumerate(rules.rules):
        if key in rule.then:
            yield f"rules[{i}].then.{key}", rule.then[key]


def _check_names(rules: RuleSet, key: str) -> None:
    for path, value in _rule_paths(rules, key):
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{show(key)} must be a non-empty name, got {show(value)}", path)


def _check_priorities(rules: RuleSet, key: str = "priority") -> None:
    for path, value in _rule_paths(rules, key):
        try:
            Priority.parse(value)
        except ConfigError as exc:
            raise ConfigError(exc.detail, path) from None


def _check_name_list(rules: RuleSet, key: str) -> None:
    for path, value in _rule_paths(rules, key):
        items = value if isinstance(value, tuple) else (value,)
        if not all(isinstance(v, str) and v for v in items):
            raise ConfigError(
                f"{show(key)} must be a name or a list of names, got {show(value)}", path
            )


def _why(rules: RuleSet, name: str) -> str:
    """``"because <condition>"`` for rule *name*, or that it always applies."""
    text = rules.explain(name)
    return "which always applies" if text == "always" else f"because {text}"


def _because(decision: Decision) -> str:
    return decision.reason[0].lower() + decision.reason[1:] if decision.reason else ""


def _decided(rules: RuleSet, context: PolicyContext, key: str) -> tuple[Decision, Any, str | None]:
    decision = rules.evaluate(context.fields())
    sources = decision.sources.get(key)
    if sources is None:
        return decision, None, None
    return decision, decision.actions[key], sources[-1]


@attrs.frozen
class RulePriorityPolicy:
    """The default :class:`PriorityPolicy`: the ``priority`` action of a rule set.

    When no matched rule sets ``priority``, the ticket keeps its own.

    Args:
        rules: A :class:`~csflow.rules.RuleSet`, or rule mappings (loaded in ``"first"``
            mode).

    Raises:
        ConfigError: The rules are malformed or a ``priority`` action names no priority.
    """

    rules: RuleSet = attrs.field(converter=_first)

    def __attrs_post_init__(self) -> None:
        _check_priorities(self.rules)

    def __call__(self, context: PolicyContext, /) -> PolicyResult[Priority]:
        """The priority for *context*'s ticket, and why."""
        decision, value, rule = _decided(self.rules, context, "priority")
        if rule is None:
            own = context.ticket.priority
            return PolicyResult(
                own,
                f"no rule set a priority, so the ticket keeps {str(own)!r}: {_because(decision)}",
            )
        priority = Priority.parse(value)
        return PolicyResult(
            priority,
            f"priority {str(priority)!r} from rule {rule!r}, {_why(self.rules, rule)}",
            rule,
        )


@attrs.frozen
class RuleSlaSelectionPolicy:
    """The default :class:`SlaSelectionPolicy`: the ``sla_policy`` action of a rule set.

    Args:
        rules: A :class:`~csflow.rules.RuleSet`, or rule mappings (loaded in ``"first"``
            mode).
        default: The SLA policy name when no matched rule sets one (``None``: no SLA).

    Raises:
        ConfigError: The rules are malformed or an ``sla_policy`` action is not a name.
    """

    rules: RuleSet = attrs.field(converter=_first)
    default: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        _check_names(self.rules, "sla_policy")
        if self.default is not None and (not isinstance(self.default, str) or not self.default):
            raise ConfigError(f"default must be a non-empty name or None, got {show(self.default)}")

    def __call__(self, context: PolicyContext, /) -> PolicyResult[str | None]:
        """The SLA policy name for *context*'s ticket, and why."""
        decision, value, rule = _decided(self.rules, context, "sla_policy")
        if rule is None:
            return PolicyResult(
                self.default,
                f"no rule chose an SLA policy, so the default {self.default!r} applies: "
                f"{_because(decision)}",
            )
        return PolicyResult(
            str(value), f"SLA policy {value!r} from rule {rule!r}, {_why(self.rules, rule)}", rule
        )


@attrs.frozen
class RuleQueuePolicy:
    """The default :class:`QueuePolicy`: the ``queue`` action of a rule set.

    Args:
        rules: A :class:`~csflow.rules.RuleSet`, or rule mappings (loaded in ``"first"``
            mode).
        default: The queue when no matched rule sets one.

    Raises:
        ConfigError: The rules are malformed, or a ``queue`` action or *default* is not a name.
    """

    rules: RuleSet = attrs.field(converter=_first)
    default: str = attrs.field(default="default", kw_only=True)

    def __attrs_post_init__(self) -> None:
        _check_names(self.rules, "queue")
        if not isinstance(self.default, str) or not self.default:
            raise ConfigError(f"default must be a non-empty queue name, got {show(self.default)}")

    def __call__(self, context: PolicyContext, /) -> PolicyResult[str]:
        """The queue for *context*'s ticket, and why."""
        decision, value, rule = _decided(self.rules, context, "queue")
        if rule is None:
            return PolicyResult(
                self.default,
                f"no rule chose a queue, so the ticket goes to {self.default!r}: "
                f"{_because(decision)}",
            )
        return PolicyResult(
            str(value), f"queue {value!r} from rule {rule!r}, {_why(self.rules, rule)}", rule
        )


def agent_context(agent: AgentProfile, ticket: Ticket | None = None) -> dict[str, Any]:
    """The ``agent`` fields a rule sees for one candidate.

    Fields: ``id``, ``name``, ``skills`` (skill -> proficiency, so ``agent.skills.refund``),
    ``languages`` and ``teams`` (sets, for ``contains``), ``capacity`` (channel -> int), and,
    when *ticket* is given, three facts about the pair: ``serves_channel`` (capacity above 0
    for the ticket's channel), ``speaks_language`` (the ticket has no language, the agent lists
    none, or the agent lists it) and ``meets_skills`` (every required skill at its minimum
    proficiency).

    Args:
        agent: The candidate.
        ticket: The ticket, for the three pair facts.

    Returns:
        A fresh dict.
    """
    out: dict[str, Any] = {
        "id": agent.id,
        "name": agent.name,
        "skills": agent.skills,
        "languages": agent.languages,
        "teams": agent.teams,
        "capacity": agent.capacity,
    }
    if ticket is not None:
        out["serves_channel"] = agent.capacity.get(ticket.channel.name, 0) > 0
        out["speaks_language"] = (
            ticket.language is None or not agent.languages or ticket.language in agent.languages
        )
        out["meets_skills"] = agent.meets(ticket.required_skills)
    return out


def _baseline_gap(agent: AgentProfile, ticket: Ticket) -> str | None:
    """Why *agent* fails the basic checks for *ticket*, or ``None`` when it passes."""
    if agent.capacity.get(ticket.channel.name, 0) <= 0:
        return f"does not serve channel {ticket.channel.name!r}"
    if ticket.language is not None and agent.languages and ticket.language not in agent.languages:
        return f"does not speak {ticket.language!r}"
    for req in ticket.required_skills:
        if not req.satisfied_by(agent.skills):
            return f"lacks skill {req.skill!r} at proficiency {req.min_proficiency}"
    return None


def _listing(items: Sequence[str]) -> str:
    shown = list(items[:_MAX_LISTED])
    if len(items) > _MAX_LISTED:
        shown.append(f"and {len(items) - _MAX_LISTED} more")
    return "; ".join(shown)


@attrs.frozen
class RuleEligibilityPolicy:
    """The default :class:`EligibilityPolicy`: basic checks, then rules that may exclude.

    A candidate is eligible when it passes the basic checks (with *baseline*: it serves the
    ticket's channel, speaks its language when it lists languages, and meets every required
    skill) and no rule's ``eligible`` action says ``false`` for it.  Rules narrow; they never
    admit an agent the basic checks refused.  Each candidate is evaluated with the ticket's
    fields plus ``agent.*`` (see :func:`agent_context`).

    Args:
        rules: A :class:`~csflow.rules.RuleSet`, or rule mappings (loaded in ``"first"``
            mode); none by default.
        baseline: Whether to apply the basic checks.

    Raises:
        ConfigError: The rules are malformed or an ``eligible`` action is not a bool.
    """

    rules: RuleSet = attrs.field(factory=lambda: RuleSet([]), converter=_first)
    baseline: bool = attrs.field(default=True, kw_only=True)

    def __attrs_post_init__(self) -> None:
        for path, value in _rule_paths(self.rules, "eligible"):
            if not isinstance(value, bool):
                raise ConfigError(f"'eligible' must be true or false, got {show(value)}", path)
        if not isinstance(self.baseline, bool):
            raise ConfigError(f"baseline must be a bool, got {show(self.baseline)}")

    def __call__(self, context: PolicyContext, /) -> PolicyResult[tuple[AgentProfile, ...]]:
        """The eligible candidates, in their order, and why the others are not."""
        ticket = context.ticket
        base = context.fields() if self.rules.rules else {}
        eligible: list[AgentProfile] = []
        refused: list[str] = []
        for agent in context.candidates:
            gap = _baseline_gap(agent, ticket) if self.baseline else None
            if gap is not None:
                refused.append(f"{agent.id!r} {gap}")
                continue
            if self.rules.rules:
                decision = self.rules.evaluate({**base, "agent": agent_context(agent, ticket)})
                if decision.actions.get("eligible") is False:
                    rule = decision.sources["eligible"][-1]
                    refused.append(
                        f"{agent.id!r} excluded by rule {rule!r}, {_why(self.rules, rule)}"
                    )
                    continue
            eligible.append(agent)
        total = len(context.candidates)
        head = f"{len(eligible)} of {total} candidates eligible"
        if not refused:
            return PolicyResult(tuple(eligible), head)
        return PolicyResult(tuple(eligible), f"{head}: {_listing(refused)}")


@attrs.frozen
class RuleAgentSelectionPolicy:
    """The default :class:`AgentSelectionPolicy`: rank candidates by the scores of rules.

    Each candidate is evaluated with the ticket's fields plus ``agent.*`` (see
    :func:`agent_context`); its score is the sum of the ``score`` actions of *every* rule that
    matched it (in either mode).  Candidates are ranked by score, highest first; equal scores
    keep the order the desk gave (e.g. longest idle first).

    Args:
        rules: A :class:`~csflow.rules.RuleSet`, or rule mappings (loaded in ``"all"`` mode).

    Raises:
        ConfigError: The rules are malformed or a ``score`` action is not a number.
    """

    rules: RuleSet = attrs.field(converter=_all)
    _scores: Mapping[str, float] = attrs.field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        scores: dict[str, float] = {}
        for i, rule in enumerate(self.rules.rules):
            value = rule.then.get("score", 0)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ConfigError(
                    f"'score' must be a number, got {show(value)}", f"rules[{i}].then.score"
                )
            scores[rule.name] = value
        # Computed once from the rules; attrs' frozen classes are set through object.
        object.__setattr__(self, "_scores", MappingProxyType(scores))

    def __call__(self, context: PolicyContext, /) -> PolicyResult[tuple[AgentProfile, ...]]:
        """The candidates ranked best first, and why the first one leads."""
        candidates = context.candidates
        if not candidates:
            return PolicyResult((), "no candidates to rank")
        base = context.fields()
        scored: list[tuple[float, int, AgentProfile, tuple[str, ...]]] = []
        for position, agent in enumerate(candidates):
            decision = self.rules.evaluate({**base, "agent": agent_context(agent, context.ticket)})
            score = sum(self._scores[name] for name in decision.matched)
            scored.append((-score, position, agent, decision.matched))
        scored.sort(key=lambda item: (item[0], item[1]))
        best_score, _, best, matched = scored[0]
        parts = [f"{name!r} {self._scores[name]:+g}" for name in matched if self._scores[name]]
        why = f" ({', '.join(parts)})" if parts else ""
        reason = f"{best.id!r} ranked first of {len(candidates)} with score {-best_score:g}{why}"
        rule = next((name for name in matched if self._scores[name]), None)
        return PolicyResult(tuple(item[2] for item in scored), reason, rule)


@attrs.frozen
class RuleEscalationPolicy:
    """The default :class:`EscalationPolicy`: the escalation actions of a rule set.

    Rules see ``event`` (``"warning"`` / ``"breach"``) and ``metric`` besides the ticket's
    fields.  Actions: ``priority`` (raise to; the highest any matched rule asks for),
    ``queue`` (move to; merged by the rule set's mode), ``notify`` and ``tags`` (a name or a
    list of names, collected from every matched rule in order).

    Args:
        rules: A :class:`~csflow.rules.RuleSet`, or rule mappings (loaded in ``"all"`` mode).

    Raises:
        ConfigError: The rules are malformed or an action has a value of the wrong kind.
    """

    rules: RuleSet = attrs.field(converter=_all)

    def __attrs_post_init__(self) -> None:
        _check_priorities(self.rules)
        _check_names(self.rules, "queue")
        _check_name_list(self.rules, "notify")
        _check_name_list(self.rules, "tags")

    def __call__(self, context: PolicyContext, /) -> PolicyResult[Escalation]:
        """The escalation for *context* (empty when no rule asks for one), and why."""
        decision = self.rules.evaluate(context.fields())
        matched = [self.rules.rule(name).then for name in decision.matched]

        def names(key: str) -> tuple[str, ...]:
            # Collected from every matched rule, whatever the mode: one rule's scalar must not
            # replace another rule's list.
            out: dict[str, None] = {}
            for then in matched:
                value = then.get(key, ())
                out.update(dict.fromkeys(value if isinstance(value, tuple) else (value,)))
            return tuple(out)

        # The highest priority any matched rule asks for: escalation only ever raises.
        levels = [Priority.parse(then["priority"]) for then in matched if "priority" in then]
        escalation = Escalation(
            priority=max(levels) if levels else None,
            queue=decision.actions.get("queue"),
            notify=names("notify"),
            tags=names("tags"),
        )
        what = f"{context.event or 'event'} on {context.metric or 'the ticket'}"
        if not escalation:
            return PolicyResult(escalation, f"no escalation for {what}: {_because(decision)}")
        return PolicyResult(
            escalation, f"escalation for {what}: {_because(decision)}", decision.rule
        )
