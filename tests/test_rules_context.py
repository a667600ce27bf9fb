"""The standard ticket context of rules (csflow.rules.context)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from csflow.errors import ConfigError
from csflow.model import Customer, Priority, SkillRequirement, Ticket, Tier
from csflow.rules import STANDARD_FIELDS, RuleSet, field_is_known, ticket_context

WIB = timezone(timedelta(hours=7))
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=WIB)
PLATINUM = Tier("platinum", 3)


def ticket(*, customer_language: str | None = "id", **attributes: Any) -> Ticket:
    customer = Customer("c-1", PLATINUM, language=customer_language)
    return Ticket("t-1", customer, "email", T0, category="refund", attributes=attributes)


def test_ticket_context_fields() -> None:
    t = ticket(order_value=3)
    ctx = ticket_context(t, T0 + timedelta(minutes=2), queue_length=4)
    assert ctx["tier"] == "platinum"
    assert ctx["customer"]["tier_rank"] == 3
    assert ctx["channel"] == "email"
    assert ctx["priority"] == "normal"
    assert ctx["language"] == "id"
    assert ctx["wait_s"] == 120.0
    assert ctx["queue_length"] == 4
    assert ticket_context(t, T0 - timedelta(minutes=2))["wait_s"] == 0.0
    assert "wait_s" not in ticket_context(t)
    for key in ctx:
        assert field_is_known(key, STANDARD_FIELDS) == (key != "queue_length")


def test_every_key_is_pinned() -> None:
    # Rules name these keys; renaming one silently makes every rule that uses it false.
    t = Ticket(
        "t-9",
        Customer(
            "c-9",
            PLATINUM,
            language="jv",
            preferred_agent="siti",
            attributes={"city": "Bandung"},
        ),
        "whatsapp",
        T0,
        priority=Priority.URGENT,
        category="refund",
        language="su",
        required_skills=(SkillRequirement("refund", 3),),
        attributes={"order_value": 7_500_000},
    )
    ctx = ticket_context(t, T0 + timedelta(seconds=90), contacts={"count": 3, "open": 1})
    assert ctx == {
        "id": "t-9",
        "channel": "whatsapp",
        "priority": "urgent",
        "priority_level": 3,
        "category": "refund",
        "language": "su",
        "tier": "platinum",
        "tier_rank": 3,
        "customer": {
            "id": "c-9",
            "tier": "platinum",
            "tier_rank": 3,
            "attributes": {"city": "Bandung"},
            "language": "jv",
            "preferred_agent": "siti",
        },
        "attributes": {"order_value": 7_500_000},
        "required_skills": {"refund": 3},
        "wait_s": 90.0,
        "contacts": {"count": 3, "open": 1},
    }
    # Every key is a standard field, and every standard field is a key (or under one).
    paths = {"customer." + key for key in ctx["customer"]} | set(ctx)
    assert {field.removesuffix(".*") for field in STANDARD_FIELDS} == paths
    rs = RuleSet.from_dicts(
        [{"name": "bandung", "when": {"field": "customer.attributes.city", "eq": "Bandung"}}],
        known_fields=STANDARD_FIELDS,
    )
    assert rs.evaluate(ctx).matched == ("bandung",)


def test_unknown_customer_facts_are_absent() -> None:
    ctx = ticket_context(ticket(customer_language=None))
    assert set(ctx["customer"]) == {"id", "tier", "tier_rank", "attributes"}
    assert "language" not in ctx


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: ticket_context("t-1"), r"ticket must be a Ticket, got 't-1'"),  # type: ignore[arg-type]
        (lambda: ticket_context(ticket(), datetime(2026, 1, 1)), r"'at' must be timezone-aware"),
        (lambda: ticket_context(ticket(), tier=1), r"extra field 'tier' would shadow"),
        (lambda: ticket_context(ticket(), None, **{"a.b": None}), r"simple names, got 'a.b'"),
    ],
)
def test_ticket_context_rejects_bad_input(call: Any, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        call()


def test_utc_and_other_zones_give_the_same_wait() -> None:
    t = ticket()
    at = datetime(2026, 3, 2, 2, 1, tzinfo=UTC)
    assert ticket_context(t, at)["wait_s"] == 60.0
