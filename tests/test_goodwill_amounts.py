"""Goodwill amounts: zero allowances and limits, and the bound that keeps sums exact."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.desk.goodwill import MAX_AMOUNT, GoodwillPolicy, parse_amount
from csflow.errors import ConfigError
from csflow.events import GoodwillGranted, GoodwillRequested

T0 = datetime(2026, 3, 16, 3, 0, tzinfo=UTC)


def desk(**goodwill: Any) -> Desk:
    d = Desk(DeskConfig.from_dict({"goodwill": {"currency": "IDR", "decimals": 0, **goodwill}}))
    for agent in ("dimas", "sari"):
        d.add_agent(AgentProfile(agent, capacity={"chat": 5}), at=T0, presence="available")
    for i, tier in enumerate(("regular", "gold")):
        d.submit(Ticket(f"T{i}", Customer(f"c{i}", Tier(tier, i)), "chat", T0), at=T0)
    return d


def test_a_zero_personal_allowance_sends_every_grant_to_a_supervisor() -> None:
    d = desk(allowance="100000", agents={"dimas": "0"})
    holder = {t: d.ticket(t).agent_id for t in ("T0", "T1")}
    by_dimas = next(t for t, a in holder.items() if a == "dimas")
    by_sari = next(t for t, a in holder.items() if a == "sari")
    (asked,) = d.grant_goodwill(by_dimas, "dimas", "1", reason="late", at=T0)
    assert isinstance(asked, GoodwillRequested)
    (granted,) = d.grant_goodwill(by_sari, "sari", "100000", reason="late", at=T0)
    assert isinstance(granted, GoodwillGranted)
    assert granted.remaining == Decimal(0)


def test_a_zero_limit_per_ticket_for_one_tier_only() -> None:
    d = desk(allowance="100000", per_ticket={"regular": "0"}, default_per_ticket="50000")
    agent = {t: str(d.ticket(t).agent_id) for t in ("T0", "T1")}
    (regular,) = d.grant_goodwill("T0", agent["T0"], "1", reason="late", at=T0)
    (gold,) = d.grant_goodwill("T1", agent["T1"], "50000", reason="late", at=T0)
    assert isinstance(regular, GoodwillRequested)
    assert isinstance(gold, GoodwillGranted)


@pytest.mark.parametrize("field", ["allowance", "default_per_ticket"])
@pytest.mark.parametrize("bad", ["-1", "NaN", "Infinity", str(MAX_AMOUNT), "1" + "0" * 30])
def test_negative_infinite_and_huge_config_amounts_are_refused_at_their_path(
    field: str, bad: str
) -> None:
    with pytest.raises(ConfigError) as err:
        DeskConfig.from_dict({"goodwill": {"currency": "IDR", field: bad}})
    assert err.value.path == f"goodwill.{field}"
    assert bad in str(err.value)


def test_a_grant_must_still_be_positive_and_below_the_bound() -> None:
    assert parse_amount("0", 0, zero=True) == 0
    for bad in ("0", "-5", str(MAX_AMOUNT)):
        with pytest.raises(ConfigError):
            parse_amount(bad, 0)
    assert parse_amount(str(MAX_AMOUNT - 1), 0) == MAX_AMOUNT - 1


def test_sums_of_the_largest_amounts_stay_exact() -> None:
    # A grant of 10**15 - 1 with six decimals on top of another: 22 digits, exact in decimal's
    # 28, so a ledger never rounds a spend into fitting an allowance it does not fit.
    top = parse_amount("999999999999999.999999", 6)
    assert top + top - top == top
    policy = GoodwillPolicy("EUR", decimals=6, allowance=str(top))
    assert policy.allowance == top
    d = Desk(
        DeskConfig.from_dict(
            {"goodwill": {"currency": "EUR", "decimals": 6, "allowance": str(top)}}
        )
    )
    d.add_agent(AgentProfile("ana", capacity={"chat": 2}), at=T0, presence="available")
    d.submit(Ticket("T", Customer("c", Tier("gold", 1)), "chat", T0), at=T0)
    (first,) = d.grant_goodwill("T", "ana", "1", reason="late", at=T0)
    (second,) = d.grant_goodwill("T", "ana", str(top), reason="late", at=T0)
    assert isinstance(first, GoodwillGranted)
    assert isinstance(second, GoodwillRequested)  # over by exactly 1
