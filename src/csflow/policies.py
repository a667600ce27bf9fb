"""Policy protocols: one small contract per decision a desk makes, with rule-backed defaults.

A *policy* answers one question about one ticket.  It receives a read-only
:class:`PolicyContext` and returns a :class:`PolicyResult` -- a value and a sentence saying
why.  It cannot reach into or change the desk: the context holds only frozen values (the
ticket, its customer, the candidate agents' profiles, the instant).

The exact call signatures a desk uses (``ctx`` is a :class:`PolicyContext`)::

    priority_policy(ctx)    -> PolicyResult[Priority]                # PriorityPolicy
    sla_policy(ctx)         -> PolicyResult[str | None]             # SlaSelectionPolicy
    queue_policy(ctx)       -> PolicyResult[str]                    # QueuePolicy
    escalation_policy(ctx)  -> PolicyResult[Escalation]             # EscalationPolicy

* ``sla_policy`` names the SLA policy to apply (``None``: none).
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
* :class:`RuleEscalationPolicy` -- ``priority`` (raise to), ``queue`` (move to), ``notify``
  (people or teams) and ``tags``.

Rules see the fields of :func:`csflow.rules.ticket_context` (``customer.tier``, ``channel``,
``priority``, ``category``, ``language``, ``attributes.order_value``, ``wait_s`` ...) and,
when the desk remembers them, the customer's recent ``contacts.*``; for escalation also
``event`` and ``metric``, and where the ticket is: ``queue``, ``team``, ``agent``, ``state``
and ``tags`` (see :class:`PolicyContext`).  :data:`POLICY_FIELDS` lists them all for
``known_fields``.

Which agent takes a ticket is not a policy over a list of candidates: a desk decides it from
indexes, at a cost that does not grow with the number of agents, so its plug-ins are the
router's strategies (:class:`~csflow.routing.RankingStrategy` and
:class:`~csflow.routing.PinningStrategy`, given to ``DeskConfig(strategies=...)`` or named in
``DeskConfig.from_dict``); who may take it at all is the ticket's skills, language, channel
capacity, presence and team, which the desk's config and triage rules set.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Final, Generic, Protocol, TypeVar

import attrs

from csflow._config import name_set
from csflow._frozen import FrozenDict
from csflow._text import did_you_mean, show
from csflow._time import require_aware, to_us
from csflow.errors import ConfigError
from csflow.model import Customer, Priority, Ticket
from csflow.rules.context import STANDARD_FIELDS, ticket_context
from csflow.rules.loader import field_is_known
from csflow.rules.ruleset import RuleSet
from csflow.rules.syntax import (
    MAX_ITEMS,
    SEGMENT_RE,
    AllOf,
    AnyOf,
    Comparison,
    Condition,
    Decision,
    Mode,
    Not,
)

__all__ = [
    "ESCALATION_POLICY_FAILED",
    "POLICY_FIELDS",
    "Escalation",
    "EscalationPolicy",
    "PolicyContext",
    "PolicyResult",
    "PriorityPolicy",
    "QueuePolicy",
    "RuleEscalationPolicy",
    "RulePriorityPolicy",
    "RuleQueuePolicy",
    "RuleSlaSelectionPolicy",
    "SlaSelectionPolicy",
]

T_co = TypeVar("T_co", covariant=True)

# Where a ticket is at the desk, as an escalation policy's context says it.
_PLACE_FIELDS: Final = frozenset({"queue", "team", "agent", "state", "tags"})

POLICY_FIELDS: Final = STANDARD_FIELDS | frozenset({"event", "metric"}) | _PLACE_FIELDS
"""Every field a policy's rules may use (``"x.*"``: any key under ``x``), for
``known_fields``: what a desk's escalation context holds (the triage policies' context holds
the :data:`~csflow.rules.STANDARD_FIELDS`)."""

#: The longest text a policy's answer may give: a :class:`PolicyResult`'s ``reason``, an
#: :class:`Escalation`'s names to notify and tags.  The desk writes them into events and
#: snapshots, whose readers hold each string to 65,536 characters (a ticket's reason joins
#: the rules' reason and up to three policies').
_MAX_POLICY_TEXT: Final = 4096

ESCALATION_POLICY_FAILED: Final = "the escalation policy failed: "
"""How :attr:`SlaEscalated.skipped <csflow.events.SlaEscalated.skipped>` begins when the
escalation policy raised, or answered with something other than a ``PolicyResult`` of an
:class:`Escalation` (or ``None``): the warning or breach is kept, and the testing kit's
:class:`~csflow.testing.machine.DeskMachine` fails on such an event as a broken policy (a desk's state
stays consistent, so :func:`~csflow.testing.check_invariants` has nothing to report)."""

# Top-level context names the policies fill in themselves; host extras may not shadow them.
_RESERVED = frozenset(f.split(".")[0] for f in POLICY_FIELDS)


# --------------------------------------------------------------------------------------------
# Context and result


def _to_extra(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if value is None:
        return FrozenDict({})
    if not isinstance(value, Mapping):
        raise ConfigError(f"extra must be a mapping of field name -> value, got {show(value)}")
    for key in value:
        if not isinstance(key, str) or not SEGMENT_RE.match(key):
            raise ConfigError(f"extra field names must be simple names, got {show(key)}")
        if key in _RESERVED:
            raise ConfigError(f"extra field {show(key)} would shadow a standard field")
    return FrozenDict(dict(value))


def _check_label(name: str, value: object) -> None:
    if value is not None and (not isinstance(value, str) or not SEGMENT_RE.match(value)):
        raise ConfigError(f"{show(name)} must be a simple name or None, got {show(value)}")


def _check_place(name: str, value: object) -> None:
    if value is not None and (not isinstance(value, str) or not value):
        raise ConfigError(f"{show(name)} must be a non-empty string or None, got {show(value)}")


def _to_contacts(value: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise ConfigError(f"contacts must be a mapping of field name -> value, got {show(value)}")
    return FrozenDict(dict(value))


def _to_context_tags(value: Iterable[str] | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ConfigError(f"tags must be a collection of strings or None, got {show(value)}")
    items = tuple(value)
    if not all(isinstance(v, str) for v in items):
        raise ConfigError(f"tags must be a collection of strings or None, got {show(value)}")
    return items


@attrs.frozen
class PolicyContext:
    """What a policy sees: read-only facts about one ticket at one instant.

    Args:
        ticket: The ticket being decided about (its customer is ``ticket.customer``).
        at: The current instant; timezone-aware.
        event: For escalation: ``"warning"`` or ``"breach"`` (any simple name is accepted).
        metric: For escalation: the SLA metric, e.g. ``"first_response"``.
        extra: More top-level fields for rules (e.g. ``{"queue_length": 12}``), read-only.
        contacts: The customer's recent contacts (the rule context's ``contacts.*``: see
            :func:`~csflow.rules.ticket_context`), when the desk remembers them.
        queue: For escalation: the queue the ticket waits in, or goes back to.
        team: For escalation: the team whose queue that is, if any.
        agent: For escalation: the agent holding or owning the ticket, if any.
        state: For escalation: the ticket's state (``"queued"``, ``"assigned"``,
            ``"pending"``, ``"on_hold"``).
        tags: For escalation: the ticket's tags (triage's and earlier escalations').

    The keyword-only fields are set by the desk (a :class:`~csflow.desk.Desk` fills
    ``contacts`` for every policy when it keeps contacts, and the others for its escalation
    policy); each one that is ``None`` is absent from :meth:`fields`.

    Raises:
        ConfigError: A value of the wrong type, a naive *at*, or an *extra* name that is
            malformed or shadows a standard field.
    """

    ticket: Ticket = attrs.field()
    at: datetime = attrs.field()
    event: str | None = attrs.field(default=None)
    metric: str | None = attrs.field(default=None)
    extra: Mapping[str, Any] = attrs.field(factory=dict, converter=_to_extra, eq=False, hash=False)
    contacts: Mapping[str, Any] | None = attrs.field(
        default=None, converter=_to_contacts, kw_only=True, eq=False, hash=False
    )
    queue: str | None = attrs.field(default=None, kw_only=True)
    team: str | None = attrs.field(default=None, kw_only=True)
    agent: str | None = attrs.field(default=None, kw_only=True)
    state: str | None = attrs.field(default=None, kw_only=True)
    tags: tuple[str, ...] | None = attrs.field(
        default=None, converter=_to_context_tags, kw_only=True
    )

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

    @queue.validator
    @team.validator
    @agent.validator
    @state.validator
    def _v_place(self, a: attrs.Attribute[str | None], value: str | None) -> None:
        _check_place(a.name, value)

    @property
    def customer(self) -> Customer:
        """The ticket's customer."""
        return self.ticket.customer

    @property
    def wait_s(self) -> float:
        """Seconds the ticket has waited (from ``created_at`` to ``at``; never negative)."""
        # In µs: two instants in one zone subtract by wall clock in Python, an hour off
        # across a fall-back.
        return max(0.0, (to_us(self.at) - to_us(self.ticket.created_at)) / 1e6)

    def fields(self) -> dict[str, Any]:
        """The rule context: :func:`~csflow.rules.ticket_context` (with ``contacts.*`` when
        set) plus ``event``, ``metric``, ``queue``, ``team``, ``agent``, ``state`` and
        ``tags`` (each when set) and the extras.

        Returns:
            A fresh plain dict (the rule engine's fast path).
        """
        ctx = ticket_context(self.ticket, self.at, contacts=self.contacts, **self.extra)
        if self.event is not None:
            ctx["event"] = self.event
        if self.metric is not None:
            ctx["metric"] = self.metric
        if self.queue is not None:
            ctx["queue"] = self.queue
        if self.team is not None:
            ctx["team"] = self.team
        if self.agent is not None:
            ctx["agent"] = self.agent
        if self.state is not None:
            ctx["state"] = self.state
        if self.tags is not None:
            ctx["tags"] = self.tags
        return ctx


@attrs.frozen
class PolicyResult(Generic[T_co]):
    """A policy's answer: the value and why.

    Args:
        value: The decision (a priority, a queue name, a ranked tuple of agents ...).
        reason: A sentence a person can read, of at most 4,096 characters: the desk writes
            it into events (``TicketQueued.reason``, ``SlaEscalated.reason``) and snapshots,
            whose readers hold text to a bound, so it refuses a longer one as it refuses any
            other malformed answer.
        rule: The name of the rule that decided, when one did.
    """

    value: T_co
    reason: str
    rule: str | None = None


def _to_priority(value: Priority | str | int | None) -> Priority | None:
    return None if value is None else Priority.parse(value)


def _names_of(what: str, value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        items: tuple[object, ...] = (value,)
    elif isinstance(value, Iterable) and not isinstance(value, Mapping | bytes | bytearray):
        items = tuple(value)
    else:
        raise ConfigError(
            f"escalation {what} must be a name or a collection of names, got {show(value)}"
        )
    names: list[str] = []
    for item in items:
        if not isinstance(item, str) or not item:
            raise ConfigError(f"escalation {what} must be non-empty names, got {show(item)}")
        if len(item) > _MAX_POLICY_TEXT:
            # The desk writes them into events and snapshots, whose readers would refuse it.
            raise ConfigError(
                f"escalation {what} must be names of at most {_MAX_POLICY_TEXT:,} characters, "
                f"got {show(item)}"
            )
        names.append(item)
    # Each name once, in first-seen order: a name listed twice is not paged twice, nor a tag
    # said to be added twice (the ticket holds each tag once).
    distinct = tuple(dict.fromkeys(names))
    if len(distinct) > MAX_ITEMS:
        # The bound the escalation rules are held to (RuleEscalationPolicy): one escalation's
        # names go into one event, and its tags stay on the ticket.
        raise ConfigError(
            f"escalation {what} must be at most {MAX_ITEMS} different names, got "
            f"{len(distinct):,}; the first past the limit is {show(distinct[MAX_ITEMS])}"
        )
    return distinct


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
        notify: People or teams to notify: a name or a collection of names, kept once each
            in first-seen order, at most 1000 different ones (as the escalation rules name
            in all).
        tags: Tags to add to the ticket, likewise.

    Raises:
        ConfigError: A name that is not a non-empty string of at most 4,096 characters, or
            more than 1000 different names to notify or tags (naming the first one past the
            limit).
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


class EscalationPolicy(Protocol):
    """Decides what happens on an SLA event (``context.event``, ``context.metric``).

    The desk asks it while time passes (``advance``, or a command's catch-up), after the
    warning or breach has happened: if it raises, or answers with anything but a
    :class:`PolicyResult` of an :class:`Escalation` or ``None``, the event is kept and an
    :class:`~csflow.events.SlaEscalated` doing nothing says why in ``skipped`` (beginning with
    :data:`ESCALATION_POLICY_FAILED`), rather than losing the breach.
    """

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


def _check_distinct(rules: RuleSet, key: str, what: str) -> None:
    """At most :data:`~csflow.rules.syntax.MAX_ITEMS` different names under *key* in all the
    rules: each rule's list is bounded, but one warning or breach may match every rule, and
    the escalation carries them all (and its tags stay on the ticket)."""
    seen: set[str] = set()
    for path, value in _rule_paths(rules, key):
        for name in value if isinstance(value, tuple) else (value,):
            seen.add(name)
            if len(seen) > MAX_ITEMS:
                raise ConfigError(
                    f"the escalation rules name more than {MAX_ITEMS} different {what} "
                    f"(at most {MAX_ITEMS}), got {show(name)} too",
                    path,
                )


def _comparisons(cond: Condition | None, path: str) -> Iterator[tuple[str, Comparison]]:
    """Each comparison in *cond* with its path, as the rule loader spells paths."""
    if isinstance(cond, Comparison):
        yield path, cond
    elif isinstance(cond, Not):
        yield from _comparisons(cond.condition, f"{path}.not")
    elif isinstance(cond, AllOf | AnyOf):
        key = "all" if isinstance(cond, AllOf) else "any"
        for i, part in enumerate(cond.conditions):
            yield from _comparisons(part, f"{path}.{key}[{i}]")


def _why(rules: RuleSet, name: str) -> str:
    """``"because <condition>"`` for rule *name*, or that it always applies."""
    text = rules.explain(name)
    return "which always applies" if text == "always" else f"because {text}"


def _because(decision: Decision) -> str:
    return decision.reason[0].lower() + decision.reason[1:] if decision.reason else ""


def _fields(context: PolicyContext) -> dict[str, Any]:
    """*context*'s fields, after checking that it is a :class:`PolicyContext` (a dict or
    ``None`` passed by mistake is a ConfigError, not an AttributeError)."""
    if not isinstance(context, PolicyContext):
        raise ConfigError(f"context must be a PolicyContext, got {show(context)}", "context")
    return context.fields()


def _decided(rules: RuleSet, context: PolicyContext, key: str) -> tuple[Decision, Any, str | None]:
    decision = rules.evaluate(_fields(context))
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
        """The priority for *context*'s ticket, and why.

        Raises:
            ConfigError: *context* is not a :class:`PolicyContext` (path ``context``).
        """
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
        """The SLA policy name for *context*'s ticket, and why.

        Raises:
            ConfigError: *context* is not a :class:`PolicyContext` (path ``context``).
        """
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
        """The queue for *context*'s ticket, and why.

        Raises:
            ConfigError: *context* is not a :class:`PolicyContext` (path ``context``).
        """
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


#: The actions of an escalation rule (``then``) that :class:`RuleEscalationPolicy` reads.
ESCALATION_ACTIONS: Final = ("priority", "queue", "notify", "tags")


@attrs.frozen
class RuleEscalationPolicy:
    """The default :class:`EscalationPolicy`: the escalation actions of a rule set.

    Rules see ``event`` (``"warning"`` / ``"breach"``) and ``metric`` besides the ticket's
    fields, and at a desk where the ticket is (``queue``, ``team``, ``agent``, ``state``,
    ``tags``) and the customer's recent ``contacts.*`` (see :class:`PolicyContext`).
    Actions: ``priority`` (raise to; the highest any matched rule asks for), ``queue`` (move
    to; merged by the rule set's mode), ``notify`` and ``tags`` (a name or a list of names,
    collected from every matched rule in order, each once).  The rules name at most 1000
    different people or teams to notify, and 1000 different tags, in all: one warning or
    breach may match every rule, and its escalation carries them all.

    Args:
        rules: A :class:`~csflow.rules.RuleSet`, or rule mappings (loaded in ``"all"`` mode).

    Raises:
        ConfigError: The rules are malformed, an action has a value of the wrong kind, or
            the rules name more than 1000 different people to notify or tags (at the rule
            that names one too many).
    """

    rules: RuleSet = attrs.field(converter=_all)

    def check(
        self,
        *,
        queues: Iterable[str] | None = None,
        known_fields: Iterable[str] | None = POLICY_FIELDS,
    ) -> None:
        """Refuse rules that name a queue or a field that does not exist.

        The constructor checks the rules' shape; this checks them against a desk: a ``queue``
        action must name one of *queues*, and every field a condition reads must be one of
        *known_fields* (``"x.*"`` admits every path under ``x``; by default
        :data:`POLICY_FIELDS`, what a desk's escalation context holds).  A misspelt field
        (``"evnt"``) would never match; an unknown queue would be skipped when the SLA fires.

        Args:
            queues: The queue names; ``None`` skips that check.
            known_fields: The field paths; ``None`` skips that check.

        Raises:
            ConfigError: The first unknown name, with its path (``rules[i].then.queue``,
                ``rules[i].when.all[0].field``).
        """
        queue_names = None if queues is None else name_set(queues, "queues")
        fields = None if known_fields is None else name_set(known_fields, "known_fields")
        for i, rule in enumerate(self.rules.rules):
            if fields is not None:
                for path, comparison in _comparisons(rule.when, f"rules[{i}].when"):
                    if not field_is_known(comparison.field, fields):
                        raise ConfigError(
                            f"unknown field {show(comparison.field)}"
                            f"{did_you_mean(comparison.field, fields)}",
                            f"{path}.field",
                        )
            queue = rule.then.get("queue")
            if queue_names is not None and queue is not None and queue not in queue_names:
                raise ConfigError(
                    f"unknown queue {show(queue)}; known: {show(sorted(queue_names))}",
                    f"rules[{i}].then.queue",
                )

    def __attrs_post_init__(self) -> None:
        for i, rule in enumerate(self.rules.rules):
            for key in rule.then:
                if key not in ESCALATION_ACTIONS:
                    # Read by nothing: a misspelt action would be ignored in silence.
                    raise ConfigError(
                        f"unknown escalation action {show(key)}; escalation acts on "
                        f"{show(list(ESCALATION_ACTIONS))}",
                        f"rules[{i}].then.{key}",
                    )
        _check_priorities(self.rules)
        _check_names(self.rules, "queue")
        _check_name_list(self.rules, "notify")
        _check_name_list(self.rules, "tags")
        _check_distinct(self.rules, "notify", "people or teams to notify")
        _check_distinct(self.rules, "tags", "tags")

    def __call__(self, context: PolicyContext, /) -> PolicyResult[Escalation]:
        """The escalation for *context* (empty when no rule asks for one), and why.

        Raises:
            ConfigError: *context* is not a :class:`PolicyContext` (path ``context``).
        """
        decision = self.rules.evaluate(_fields(context))
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
