"""Policies for an Indonesian e-commerce desk: tiers, channels, refunds needing authority."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.errors import ConfigError
from csflow.model import AgentProfile, Customer, Priority, Ticket, Tier
from csflow.policies import (
    POLICY_FIELDS,
    AgentSelectionPolicy,
    EligibilityPolicy,
    Escalation,
    EscalationPolicy,
    PolicyContext,
    PolicyResult,
    PriorityPolicy,
    QueuePolicy,
    RuleAgentSelectionPolicy,
    RuleEligibilityPolicy,
    RuleEscalationPolicy,
    RulePriorityPolicy,
    RuleQueuePolicy,
    RuleSlaSelectionPolicy,
    SlaSelectionPolicy,
    agent_context,
)
from csflow.rules import RuleSet

WIB = timezone(timedelta(hours=7))
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=WIB)
TIERS = {n: Tier(n, r) for n, r in (("platinum", 3), ("gold", 2), ("silver", 1), ("regular", 0))}

AYU = AgentProfile("ayu", {"refund": 5, "billing": 3}, ["id", "en"], {"chat": 3, "whatsapp": 3})
BUDI = AgentProfile("budi", {"refund": 2}, ["id"], {"chat": 2, "whatsapp": 2, "email": 5})
CITRA = AgentProfile("citra", {"refund": 4}, ["en"], {"chat": 2})
DEWI = AgentProfile("dewi", {"refund": 3, "billing": 5}, ["id"], {"email": 4})
AGENTS = (AYU, BUDI, CITRA, DEWI)

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
AUTHORITY_RULES: list[dict[str, Any]] = [
    {
        "name": "big refunds need authority",
        "when": {
            "all": [
                {"field": "category", "eq": "refund"},
                {"field": "attributes.order_value", "ge": 5_000_000},
                {"not": {"field": "agent.skills.refund", "ge": 4}},
            ]
        },
        "then": {"eligible": False},
    }
]
RANKING_RULES: list[dict[str, Any]] = [
    {
        "name": "refund expert",
        "when": {"field": "agent.skills.refund", "ge": 4},
        "then": {"score": 10},
    },
    {
        "name": "bahasa",
        "when": {"field": "agent.languages", "contains": "id"},
        "then": {"score": 3},
    },
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


def test_big_refunds_go_only_to_agents_with_authority() -> None:
    eligibility: EligibilityPolicy = RuleEligibilityPolicy(AUTHORITY_RULES)
    t = ticket("gold", "chat", "refund", 7_500_000, required_skills=["refund"])
    r = eligibility(ctx(t, candidates=AGENTS))
    # budi lacks authority, citra does not speak Indonesian, dewi does not serve chat.
    assert r.value == (AYU,)
    assert r.reason.startswith("1 of 4 candidates eligible: ")
    assert "'budi' excluded by rule 'big refunds need authority', because" in r.reason
    assert "'citra' does not speak 'id'" in r.reason
    assert "'dewi' does not serve channel 'chat'" in r.reason
    small = eligibility(ctx(ticket("gold", "chat", "refund", 300_000), candidates=AGENTS))
    assert small.value == (AYU, BUDI)
    assert RuleEligibilityPolicy(baseline=False)(ctx(t, candidates=AGENTS)).value == AGENTS


def test_ranking_sums_scores_and_keeps_desk_order_on_ties() -> None:
    selection: AgentSelectionPolicy = RuleAgentSelectionPolicy(RANKING_RULES)
    r = selection(ctx(ticket(), candidates=(BUDI, DEWI, CITRA, AYU)))
    assert r.value == (AYU, CITRA, BUDI, DEWI)
    assert r.reason == "'ayu' ranked first of 4 with score 13 ('refund expert' +10, 'bahasa' +3)"
    assert r.rule == "refund expert"
    assert selection(ctx(ticket())).value == ()


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
    with pytest.raises(ConfigError, match=r"candidates must be AgentProfile values, got 'ayu'"):
        PolicyContext(ticket(), T0, candidates=["ayu"])  # type: ignore[list-item]
    with pytest.raises(ConfigError, match=r"extra field 'agent' would shadow"):
        PolicyContext(ticket(), T0, extra={"agent": 1})
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
        (lambda: RuleEligibilityPolicy([{"name": "e", "then": {"eligible": "no"}}]),
         r"then\.eligible: 'eligible' must be true or false, got 'no'"),
        (lambda: RuleAgentSelectionPolicy([{"name": "s", "then": {"score": True}}]),
         r"then\.score: 'score' must be a number, got True"),
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
    rs = RuleSet.from_dicts(AUTHORITY_RULES + RANKING_RULES, known_fields=POLICY_FIELDS)
    assert RuleEligibilityPolicy(rs).rules is rs
    assert RuleAgentSelectionPolicy(rs).rules.mode == "first"
    fields = agent_context(AYU, ticket())
    assert fields["serves_channel"] is True
    assert fields["speaks_language"] is True
    assert fields["meets_skills"] is True
    assert "serves_channel" not in agent_context(AYU)


agents = st.builds(
    AgentProfile,
    id=st.sampled_from(["a", "b", "c", "d", "e"]),
    skills=st.dictionaries(st.sampled_from(["refund", "billing"]), st.integers(1, 5), max_size=2),
    languages=st.sets(st.sampled_from(["id", "en"]), max_size=2),
    capacity=st.dictionaries(st.sampled_from(["chat", "email"]), st.integers(0, 3), max_size=2),
)


@settings(max_examples=100)
@given(
    st.lists(agents, max_size=6),
    st.sampled_from(["chat", "email"]),
    st.integers(0, 10_000_000),
)
def test_eligible_is_an_ordered_subset_and_ranking_a_permutation(
    candidates: list[AgentProfile], channel: str, value: int
) -> None:
    t = ticket("gold", channel, "refund", value, required_skills={"refund": 2})
    c = ctx(t, candidates=candidates)
    eligible = RuleEligibilityPolicy(AUTHORITY_RULES)(c).value
    assert [a for a in candidates if a in eligible] == list(eligible)
    for agent in eligible:
        assert agent.meets(t.required_skills)
        assert agent.capacity.get(channel, 0) > 0
        assert value < 5_000_000 or agent.proficiency("refund") >= 4
    ranked = RuleAgentSelectionPolicy(RANKING_RULES)(c).value
    assert sorted(map(id, ranked)) == sorted(map(id, candidates))
    scores = [10 * (a.proficiency("refund") >= 4) + 3 * ("id" in a.languages) for a in ranked]
    assert scores == sorted(scores, reverse=True)
