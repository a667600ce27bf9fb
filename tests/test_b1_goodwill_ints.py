"""A goodwill amount given as an int of any size is an amount or a ``ConfigError``.

``str`` of an int past 4,300 digits raises ``ValueError``; the amount's length check must not
reach it.  An int amount is granted when it is positive and below ``MAX_AMOUNT`` (exactly, as
``Decimal(value)``), and refused with a ``ConfigError`` naming the bound otherwise, in a grant
and in a config's allowance alike, and a refused grant changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Ticket, Tier
from csflow.desk import Desk, DeskConfig
from csflow.desk.goodwill import MAX_AMOUNT, parse_amount
from csflow.errors import ConfigError
from csflow.events import GoodwillGranted

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
HUGE = 10**5000  # ``str`` of it raises ValueError


def _policy(allowance: object) -> dict[str, object]:
    return {
        "currency": "IDR",
        "decimals": 0,
        "period": "month",
        "timezone": "UTC",
        "allowance": allowance,
        "default_per_ticket": "50000",
        "over_limit": "approval",
    }


def test_a_huge_int_grant_is_refused_as_too_large_and_changes_nothing() -> None:
    desk = Desk(DeskConfig.from_dict({"goodwill": _policy("250000")}))
    desk.add_agent(AgentProfile("budi", capacity={"chat": 3}), at=T0, presence="available")
    desk.submit(Ticket("t1", Customer("ani", Tier("gold")), "chat", T0), at=T0)
    before = desk.snapshot()
    for amount in (HUGE, -HUGE):
        with pytest.raises(ConfigError):
            desk.grant_goodwill("t1", "budi", amount, "voucher", at=T0)
    with pytest.raises(ConfigError, match="below 1,000,000,000,000,000"):
        desk.grant_goodwill("t1", "budi", HUGE, "voucher", at=T0)
    assert desk.snapshot() == before
    [granted] = desk.grant_goodwill("t1", "budi", 25000, "voucher", at=T0)
    assert isinstance(granted, GoodwillGranted)
    assert granted.amount == Decimal(25000)


def test_a_huge_int_allowance_is_a_config_error_at_its_path() -> None:
    with pytest.raises(ConfigError) as info:
        DeskConfig.from_dict({"goodwill": _policy(HUGE)})
    assert info.value.path is not None
    assert "allowance" in info.value.path


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    st.one_of(
        st.integers(-(10**20), 10**20),
        st.integers(0, 6000).map(lambda n: 10**n),
        st.integers(4290, 4400).map(lambda n: -(10**n) + 1),
    )
)
def test_an_int_amount_is_exact_below_the_bound_else_a_config_error(value: int) -> None:
    if 0 < value < MAX_AMOUNT:
        assert parse_amount(value, 0) == Decimal(value)
        assert parse_amount(value, 2) == Decimal(value)
    else:
        with pytest.raises(ConfigError):
            parse_amount(value, 0)
