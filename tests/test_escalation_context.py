"""What an escalation policy (and a triage policy callable) sees: the customer's recent
contacts, as the triage rules do, and -- for escalation -- where the ticket is: its queue,
team, agent, state and tags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, ConfigError, Customer, Desk, DeskConfig, Ticket, Tier, lint
from csflow.events import SlaEscalated
from csflow.model import Priority
from csflow.policies import (
    POLICY_FIELDS,
    Escalation,
    PolicyContext,
    PolicyResult,
    RuleEscalationPolicy,
    RulePriorityPolicy,
    RuleQueuePolicy,
)
from csflow.testing import CommandDriver

T0 = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)
PLACE = ("queue", "team", "agent", "state", "tags")


def doc(escalation_rules: list[dict[str, Any]], **more: Any) -> dict[str, Any]:
    return {
        "calendars": {"24x7": {"timezone": "UTC", "always_open": True}},
        "sla_policies": [
            {
                "name": "s",
                "calendar": "24x7",
                "targets": {"first_response": "PT10M"},
                "warnings": [],
            }
        ],
        "default_sla_policy": "s",
        "queues": [{"name": "front"}, {"name": "finance"}],
        "routing_profiles": [
            {"name": "front", "queues": ["front"]},
            {"name": "finance", "queues": ["finance"]},
        ],
        "teams": {
            "front": {"queue": "front", "routing_profile": "front"},
            "finance": {"queue": "finance", "routing_profile": "finance"},
        },
        "triage": {
            "rules": [
                {
                    "name": "refunds",
                    "when": {"field": "category", "eq": "refund"},
                    "then": {"queue": "finance", "tags": ["refund"]},
                }
            ]
        },
        "escalation_rules": escalation_rules,
        **more,
    }


def breach_rule(when: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "name": "lead",
            "when": {"all": [{"field": "event", "eq": "breach"}, when]},
            "then": {"notify": ["lead"]},
        }
    ]


def notified(desk: Desk, at: datetime) -> list[str]:
    return sorted(
        e.ticket_id for e in desk.advance(at=at) if isinstance(e, SlaEscalated) and e.notify
    )


# -- contacts ----------------------------------------------------------------------------------


def test_an_escalation_rule_on_contacts_matches_a_repeat_customer() -> None:
    cfg = DeskConfig.from_dict(doc(breach_rule({"field": "contacts.count", "ge": 2})))
    assert not [f for f in lint(cfg) if f.path.startswith("escalation_rules")]
    desk = Desk(cfg)
    ani, budi = Customer("ani", Tier("gold", 3)), Customer("budi", Tier("gold", 3))
    desk.submit(Ticket("A1", ani, "chat", T0), at=T0)
    desk.submit(Ticket("B1", budi, "chat", T0), at=T0)
    later = T0 + timedelta(minutes=1)
    desk.submit(Ticket("A2", ani, "chat", later), at=later)
    # Ani wrote twice (A1's breach comes after her second contact); Budi once.
    assert notified(desk, T0 + timedelta(minutes=30)) == ["A1", "A2"]


def test_the_triage_policy_callables_see_the_contacts_the_rules_see() -> None:
    repeat = {"field": "contacts.count", "ge": 2}
    cfg = attrs.evolve(
        DeskConfig.from_dict(doc([])),
        priority_policy=RulePriorityPolicy(
            [{"name": "repeat", "when": repeat, "then": {"priority": "urgent"}}]
        ),
        queue_policy=RuleQueuePolicy(
            [{"name": "repeat", "when": repeat, "then": {"queue": "finance"}}], default="front"
        ),
    )
    desk = Desk(cfg)
    ani = Customer("ani", Tier("gold", 3))
    desk.submit(Ticket("A1", ani, "chat", T0), at=T0)
    desk.submit(Ticket("A2", ani, "chat", T0), at=T0)
    first, second = desk.ticket("A1"), desk.ticket("A2")
    assert (first.ticket.priority, first.queue) == (Priority.NORMAL, "front")
    assert (second.ticket.priority, second.queue) == (Priority.URGENT, "finance")


# -- where the ticket is -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ({"field": "queue", "eq": "finance"}, ["R1"]),
        ({"field": "team", "eq": "front"}, ["G1", "S1"]),
        ({"field": "agent", "eq": "sari"}, ["S1"]),
        ({"field": "state", "eq": "queued"}, ["G1", "R1"]),
        ({"field": "tags", "contains": "refund"}, ["R1"]),
        ({"not": {"field": "tags", "contains": "refund"}}, ["G1", "S1"]),
    ],
)
def test_an_escalation_rule_on_where_the_ticket_is(
    when: dict[str, Any], expected: list[str]
) -> None:
    cfg = DeskConfig.from_dict(doc(breach_rule(when)))
    assert not [f for f in lint(cfg) if f.path.startswith("escalation_rules")]
    desk = Desk(cfg)
    desk.add_agent(
        AgentProfile("sari", capacity={"chat": 1}, teams={"front"}), at=T0, presence="available"
    )
    cust = Customer("ani", Tier("gold", 3))
    desk.submit(Ticket("S1", cust, "chat", T0), at=T0)  # Sari takes it
    desk.submit(Ticket("G1", cust, "chat", T0), at=T0)  # waits in front
    desk.submit(Ticket("R1", cust, "chat", T0, category="refund"), at=T0)  # waits in finance
    assert desk.ticket("S1").agent_id == "sari"
    assert notified(desk, T0 + timedelta(minutes=30)) == expected


def test_the_place_fields_are_known_to_the_escalation_rules_and_lint() -> None:
    assert set(PLACE) <= POLICY_FIELDS
    rules = [
        {"name": f, "when": {"field": f, "eq": "x"}, "then": {"notify": "lead"}} for f in PLACE
    ]
    RuleEscalationPolicy(rules).check(queues=["front"])  # no unknown field
    assert lint(rules, mode="all", known_fields=POLICY_FIELDS) == []


def test_a_policy_context_holds_the_place_it_is_given() -> None:
    ticket = Ticket("T1", Customer("ani", Tier("gold", 3)), "chat", T0)
    ctx = PolicyContext(
        ticket,
        T0,
        event="breach",
        queue="front",
        team="front",
        agent="sari",
        state="assigned",
        tags=["vip"],
        contacts={"count": 2, "open": 1},
    )
    fields = ctx.fields()
    assert {k: fields[k] for k in PLACE} == {
        "queue": "front",
        "team": "front",
        "agent": "sari",
        "state": "assigned",
        "tags": ("vip",),
    }
    assert fields["contacts"]["count"] == 2
    # What is not given is absent: a rule on it does not match (and a host's own context
    # without a desk is as before).
    assert not set(PLACE) & set(PolicyContext(ticket, T0).fields())


@pytest.mark.parametrize(
    "bad",
    [
        {"queue": ""},
        {"agent": 3},
        {"state": ["queued"]},
        {"tags": "vip"},
        {"tags": [1]},
        {"contacts": [1, 2]},
    ],
)
def test_a_policy_context_refuses_a_place_of_the_wrong_kind(bad: dict[str, Any]) -> None:
    ticket = Ticket("T1", Customer("ani", Tier("gold", 3)), "chat", T0)
    (name,) = bad
    with pytest.raises(ConfigError, match=rf"^'?{name}'? must be"):
        PolicyContext(ticket, T0, **bad)


# -- the context is the desk's view of the ticket, on random programs ---------------------------


def _watching_config(
    seen: list[tuple[dict[str, Any], dict[str, Any]]], desk: list[Desk]
) -> DeskConfig:
    def policy(ctx: PolicyContext) -> PolicyResult[Escalation]:
        view = desk[0].ticket(ctx.ticket.id)
        told = {k: ctx.fields().get(k) for k in PLACE}
        truth = {
            "queue": view.queue,
            "team": view.team,
            "agent": view.agent_id,
            "state": str(view.state),
            "tags": view.tags,
        }
        seen.append((told, truth))
        # Move some waiting tickets: the view must follow the escalations too.
        if ctx.event == "breach" and view.queue == "front":
            return PolicyResult(Escalation(queue="finance", tags=["late"]), "late")
        return PolicyResult(Escalation(), "nothing to do")

    base = DeskConfig.from_dict(doc([]))
    return attrs.evolve(base, escalation_policy=policy)


@settings(max_examples=60)
@given(st.data())
def test_the_escalation_context_says_where_the_ticket_is_as_the_desk_shows_it(
    data: st.DataObject,
) -> None:
    seen: list[tuple[dict[str, Any], dict[str, Any]]] = []
    holder: list[Desk] = []
    driver = CommandDriver(_watching_config(seen, holder), start=T0, refusals=0.0)
    holder.append(driver.desk)
    for _ in range(data.draw(st.integers(5, 30))):
        driver.step(data.draw)
    for told, truth in seen:
        assert told == truth
