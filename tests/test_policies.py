"""Policies for an Indonesian e-commerce desk: tiers, channels, refunds needing authority."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from csflow.errors import ConfigError
from csflow.model import Customer, Priority, Ticket, Tier
from csflow.policies import (
    POLICY_FIELDS,
    Escalation,
    EscalationPolicy,
    PolicyContext,
    PolicyResult,
    PriorityPolicy,
    QueuePolicy,
    RuleEscalationPolicy,
    RulePriorityPolicy,
    RuleQueuePolicy,
    RuleSlaSelectionPolicy,
    SlaSelectionPolicy,
)
from csflow.rules import RuleSet

WIB = timezone(timedelta(hours=7))
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=WIB)
TIERS = {n: Tier(n, r) for n, r in (("platinum", 3), ("gold", 2), ("silver", 1), ("regular", 0))}


PRIORITY_RULES: list[dict[str, Any]] = [
    {
        "name": "platinum live",
        "when": {
            "all": [
                {"field": "customer.tier", "eq": "platinum"},
                {"field": "channel", "in": ["chat", "whatsapp", "phone"]},
            ]
        },
        "then": {"priority": "urgent"},
    },
    {
        "name": "gold waited",
        "when": {"all": [{"field": "tier", "eq": "gold"}, {"field": "wait_s", "gt": 60}]},
        "then": {"priority": "high"},
    },
]
SLA_RULES: list[dict[str, Any]] = [
    {"name": f"{tier} sla", "when": {"field": "tier", "eq": tier}, "then": {"sla_policy": tier}}
    for tier in ("platinum", "gold", "silver")
]
QUEUE_RULES: list[dict[str, Any]] = [
    {
        "name": "big refund",
        "when": {
            "all": [
                {"field": "category", "eq": "refund"},
                {"field": "attributes.order_value", "ge": 5_000_000},
            ]
        },
        "then": {"queue": "refund-senior"},
    },
    {"name": "email", "when": {"field": "channel", "eq": "email"}, "then": {"queue": "email"}},
]


def ticket(
    tier: str = "regular",
    channel: str = "chat",
    category: str = "general",
    order_value: int = 100_000,
    **kw: Any,
) -> Ticket:
    customer = Customer("c-7", TIERS[tier], language="id")
    return Ticket(
        "t-7",
        customer,
        channel,
        T0,
        category=category,
        attributes={"order_value": order_value},
        **kw,
    )


def ctx(t: Ticket, seconds: float = 0, **kw: Any) -> PolicyContext:
    return PolicyContext(t, T0 + timedelta(seconds=seconds), **kw)


def test_priority_from_tier_and_channel() -> None:
    policy: PriorityPolicy = RulePriorityPolicy(PRIORITY_RULES)
    r = policy(ctx(ticket("platinum", "whatsapp")))
    assert r.value is Priority.URGENT
    assert r.rule == "platinum live"
    assert r.reason == (
        "priority 'urgent' from rule 'platinum live', because customer.tier is 'platinum' "
        "and channel is one of 'chat', 'whatsapp' or 'phone'"
    )
    assert policy(ctx(ticket("gold"), 61)).value is Priority.HIGH
    kept = policy(ctx(ticket("gold", priority="low"), 60))
    assert kept.value is Priority.LOW
    assert kept.rule is None
    assert kept.reason.startswith("no rule set a priority, so the ticket keeps 'low'")


def test_sla_and_queue_selection_with_defaults() -> None:
    sla: SlaSelectionPolicy = RuleSlaSelectionPolicy(SLA_RULES, default="standard")
    assert sla(ctx(ticket("gold"))).value == "gold"
    assert sla(ctx(ticket("regular"))).value == "standard"
    assert RuleSlaSelectionPolicy(SLA_RULES)(ctx(ticket("regular"))).value is None
    queue: QueuePolicy = RuleQueuePolicy(QUEUE_RULES, default="umum")
    big = queue(ctx(ticket("silver", "email", "refund", 7_500_000)))
    assert big.value == "refund-senior"
    assert "attributes.order_value >= 5000000" in big.reason
    assert queue(ctx(ticket("silver", "email", "refund", 4_999_999))).value == "email"
    assert queue(ctx(ticket("silver", "chat"))).value == "umum"


def test_escalation_on_breach_collects_actions() -> None:
    rules: list[dict[str, Any]] = [
        {
            "name": "breach",
            "when": {"field": "event", "eq": "breach"},
            "then": {"priority": "urgent", "notify": ["supervisor"], "queue": "escalated"},
        },
        {
            "name": "platinum",
            "when": {"field": "tier", "eq": "platinum"},
            "then": {"notify": "account-manager", "tags": ["vip"]},
        },
    ]
    policy: EscalationPolicy = RuleEscalationPolicy(rules)
    r = policy(ctx(ticket("platinum"), event="breach", metric="first_response"))
    assert r.value == Escalation(
        Priority.URGENT, "escalated", ("supervisor", "account-manager"), ("vip",)
    )
    assert r.reason.startswith("escalation for breach on first_response: ")
    nothing = policy(ctx(ticket("silver"), event="warning", metric="resolution"))
    assert nothing.value == Escalation()
    assert not nothing.value
    assert nothing.reason.startswith("no escalation for warning on resolution")
    assert Escalation("high", tags="late") == Escalation(Priority.HIGH, None, (), ("late",))
    with pytest.raises(ConfigError, match=r"escalation notify must be non-empty names, got 3"):
        Escalation(notify=[3])  # type: ignore[list-item]
    with pytest.raises(ConfigError, match=r"escalation queue must be a non-empty name"):
        Escalation(queue="")
    with pytest.raises(ConfigError, match=r"priority must be one of"):
        Escalation("asap")


def test_a_plain_function_is_a_policy() -> None:
    def vip_first(context: PolicyContext) -> PolicyResult[Priority]:
        if context.customer.tier.rank >= 2:
            return PolicyResult(Priority.HIGH, "gold and above go first")
        return PolicyResult(context.ticket.priority, "the ticket's own priority")

    policy: PriorityPolicy = vip_first
    assert policy(ctx(ticket("gold"))).value is Priority.HIGH


def test_context_is_read_only_and_validated() -> None:
    c = ctx(ticket(), 30, extra={"queue_length": 3})
    with pytest.raises(AttributeError):
        c.at = T0  # type: ignore[misc]
    with pytest.raises(TypeError):
        c.extra["queue_length"] = 4  # type: ignore[index]
    assert c.wait_s == 30.0
    assert c.fields()["queue_length"] == 3
    with pytest.raises(ConfigError, match=r"'at' must be timezone-aware"):
        PolicyContext(ticket(), datetime(2026, 3, 2, 9))
    with pytest.raises(ConfigError, match=r"ticket must be a Ticket, got 't-7'"):
        PolicyContext("t-7", T0)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"extra field 'metric' would shadow"):
        PolicyContext(ticket(), T0, extra={"metric": 1})
    with pytest.raises(ConfigError, match=r"'event' must be a simple name or None, got 'a b'"):
        PolicyContext(ticket(), T0, event="a b")


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: RulePriorityPolicy([{"name": "p", "then": {"priority": "asap"}}]),
         r"^rules\[0\]\.then\.priority: priority must be one of .* got 'asap'"),
        (lambda: RuleQueuePolicy([{"name": "q", "then": {"queue": 3}}]),
         r"^rules\[0\]\.then\.queue: 'queue' must be a non-empty name, got 3"),
        (lambda: RuleQueuePolicy([], default=""), r"default must be a non-empty queue name"),
        (lambda: RuleSlaSelectionPolicy([{"name": "s", "then": {"sla_policy": ""}}]),
         r"then\.sla_policy: 'sla_policy' must be a non-empty name"),
        (lambda: RuleEscalationPolicy([{"name": "n", "then": {"notify": [1]}}]),
         r"then\.notify: 'notify' must be a name or a list of names"),
        (lambda: RulePriorityPolicy([{"name": "x", "when": {"field": "a", "inn": [1]}}]),
         r"^rules\[0\]\.when: unknown operator 'inn'"),
    ],
)  # fmt: skip
def test_bad_policy_rules_are_refused_with_paths(make: Any, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        make()


def test_policies_accept_a_ruleset_and_policy_fields_are_known() -> None:
    rs = RuleSet.from_dicts(PRIORITY_RULES, known_fields=POLICY_FIELDS)
    assert RulePriorityPolicy(rs).rules is rs
    escalation = RuleSet.from_dicts(
        [{"name": "b", "when": {"field": "event", "eq": "breach"}, "then": {"notify": "lead"}}],
        known_fields=POLICY_FIELDS,
    )
    assert RuleEscalationPolicy(escalation).rules is escalation
    with pytest.raises(ConfigError, match=r"unknown field 'agent\.skills"):
        RuleSet.from_dicts(
            [{"name": "a", "when": {"field": "agent.skills.refund", "ge": 4}, "then": {}}],
            known_fields=POLICY_FIELDS,
        )
