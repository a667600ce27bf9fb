"""Goodwill allowances across an accepted config change of the period, the time zone or the
currency's decimals, checked against a reference written from docs/how-to/goodwill.md: an
allowance is never spent past its size in a period -- a period as the policy in force draws
it, local midnight to local midnight in its zone -- whatever the policy was when the grants
were made.  Also: the currency's code, and sums exact whatever the host's decimal context."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, localcontext
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import (
    AgentProfile,
    ConfigError,
    Customer,
    Desk,
    DeskConfig,
    GoodwillDeclined,
    GoodwillGranted,
    GoodwillRequested,
    Ticket,
    Tier,
)
from csflow.desk.goodwill import GoodwillPolicy

T0 = datetime(2026, 3, 25, 20, 0, tzinfo=UTC)  # days before a month's end and Europe's DST
ZONES = ("UTC", "Europe/Berlin", "America/Sao_Paulo", "Asia/Kolkata", "Pacific/Kiritimati")
ALLOWANCE = 100


def _config(period: str, zone: str, **more: Any) -> DeskConfig:
    goodwill = {
        "currency": "EUR",
        "decimals": 2,
        "period": period,
        "timezone": zone,
        "allowance": str(ALLOWANCE),
        **more,
    }
    return DeskConfig.from_dict({"goodwill": goodwill})


def _desk(config: DeskConfig, at: datetime = T0) -> Desk:
    desk = Desk(config)
    desk.add_agent(AgentProfile("a", capacity={"email": 3}), at=at)
    desk.submit(Ticket("t", Customer("c", Tier("gold", 1)), "email", at), at=at)
    return desk


def _changed(desk: Desk, config: DeskConfig) -> Desk:
    """The desk restored from its snapshot (a JSON round trip) under *config*, accepted."""
    snap = json.loads(json.dumps(desk.snapshot()))
    return Desk.restore(config, snap, on_config_change=[])


def _period(at: datetime, period: str, zone: str) -> tuple[int, ...]:
    """The period of *at* as a support lead reads the docs: its local date's day, ISO week
    or month in *zone*."""
    local: date = at.astimezone(ZoneInfo(zone)).date()
    if period == "day":
        return (local.year, local.month, local.day)
    if period == "week":
        return tuple(local.isocalendar())[:2]
    return (local.year, local.month)


class Reference:
    """Every grant charged to the allowance, and the policy in force."""

    def __init__(self, period: str, zone: str) -> None:
        self.period, self.zone = period, zone
        self.charged: list[tuple[datetime, Decimal]] = []

    def spent(self, at: datetime) -> Decimal:
        key = _period(at, self.period, self.zone)
        return sum(
            (v for u, v in self.charged if _period(u, self.period, self.zone) == key), Decimal(0)
        )


steps = st.lists(
    st.one_of(
        st.tuples(st.just("grant"), st.integers(0, 60 * 60), st.integers(1, 70)),
        st.tuples(
            st.just("change"), st.sampled_from(("day", "week", "month")), st.sampled_from(ZONES)
        ),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=120, deadline=None)
@given(period=st.sampled_from(("day", "week", "month")), zone=st.sampled_from(ZONES), program=steps)
def test_no_allowance_is_spent_past_its_size_in_a_period_across_config_changes(
    period: str, zone: str, program: list[tuple[str, Any, Any]]
) -> None:
    desk = _desk(_config(period, zone))
    ref = Reference(period, zone)
    now = T0
    for step in program:
        if step[0] == "change":
            _, ref.period, ref.zone = step
            desk = _changed(desk, _config(ref.period, ref.zone))
        else:
            _, minutes, whole = step
            now += timedelta(minutes=minutes * 3)  # up to ~6 days a step
            amount = Decimal(whole)
            spent = ref.spent(now)
            (event,) = desk.grant_goodwill("t", "a", amount, "voucher", at=now)
            if spent + amount <= ALLOWANCE:
                assert isinstance(event, GoodwillGranted), (step, spent, event)
                assert event.remaining == ALLOWANCE - spent - amount
                ref.charged.append((now, amount))
            else:
                assert isinstance(event, GoodwillRequested), (step, spent, event)
        if ref.charged:
            assert desk.goodwill_balances()["agent:a"][0] == ref.spent(now)


def test_a_week_changed_to_a_month_keeps_what_was_spent_this_week() -> None:
    desk = _desk(_config("week", "UTC"))
    desk.grant_goodwill("t", "a", "90", "voucher", at=T0)
    desk = _changed(desk, _config("month", "UTC"))
    assert desk.goodwill_balances() == {"agent:a": (Decimal("90.00"), Decimal("100.00"))}
    (event,) = desk.grant_goodwill("t", "a", "20", "voucher", at=T0 + timedelta(hours=1))
    assert isinstance(event, GoodwillRequested)  # 90 + 20 is over the month's 100


def test_a_month_changed_to_a_day_counts_only_todays_grants() -> None:
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    desk = _desk(_config("month", "UTC"), start)
    desk.grant_goodwill("t", "a", "30", "voucher", at=start)
    today = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)
    desk.grant_goodwill("t", "a", "50", "voucher", at=today)
    desk = _changed(desk, _config("day", "UTC"))
    assert desk.goodwill_balances()["agent:a"][0] == Decimal("50.00")
    (event,) = desk.grant_goodwill("t", "a", "50", "voucher", at=today + timedelta(hours=1))
    assert isinstance(event, GoodwillGranted)
    assert event.remaining == Decimal("0.00")


def test_a_zone_change_draws_the_day_at_the_new_zones_midnight() -> None:
    # 09:00 UTC on 10 March is 23:00 in Kiritimati (UTC+14); 11:00 UTC is 01:00 on the 11th.
    start = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    desk = _desk(_config("day", "UTC"), start)
    desk.grant_goodwill("t", "a", "60", "voucher", at=start)
    desk = _changed(desk, _config("day", "Pacific/Kiritimati"))
    (event,) = desk.grant_goodwill("t", "a", "60", "voucher", at=start + timedelta(hours=2))
    assert isinstance(event, GoodwillGranted)  # another day in Kiritimati
    # Back to UTC, where both grants fall on 10 March: 120 spent of 100 is not undone, and
    # nothing more fits that day.
    desk = _changed(desk, _config("day", "UTC"))
    assert desk.goodwill_balances()["agent:a"][0] == Decimal("120.00")
    (event,) = desk.grant_goodwill("t", "a", "1", "voucher", at=start + timedelta(hours=3))
    assert isinstance(event, GoodwillRequested)


def test_a_snapshot_without_the_grants_instants_restores_and_counts_its_period() -> None:
    desk = _desk(_config("month", "Europe/Berlin"))
    desk.grant_goodwill("t", "a", "40", "voucher", at=T0)
    snap = json.loads(json.dumps(desk.snapshot()))
    assert snap["state"]["goodwill"]["charges"] == {"agent:a": [[1774468800000000, "40.00"]]}
    del snap["state"]["goodwill"]["charges"]  # as an older release wrote it
    again = Desk.restore(desk.config, copy.deepcopy(snap))
    assert again.goodwill_balances() == desk.goodwill_balances()
    (event,) = again.grant_goodwill("t", "a", "60", "voucher", at=T0)
    assert isinstance(event, GoodwillGranted)
    assert Desk.restore(desk.config, again.snapshot()).goodwill_balances() == {
        "agent:a": (Decimal("100.00"), Decimal("100.00"))
    }
    # Changed to a week: what the month spent counts as granted at its start (1 March).
    weekly = Desk.restore(_config("week", "Europe/Berlin"), snap, on_config_change=[])
    assert weekly.goodwill_balances()["agent:a"][0] == Decimal("0.00")


@pytest.mark.parametrize(
    ("tamper", "where"),
    [
        (lambda g: g["charges"]["agent:a"][0].__setitem__(1, "41.00"), "charges.agent:a"),
        (lambda g: g["charges"].clear(), "charges"),
        (lambda g: g["charges"]["agent:a"].append([1, "1.00"]), "charges.agent:a[1]"),
        (lambda g: g["charges"]["agent:a"][0].__setitem__(1, "0.001"), "charges.agent:a[0]"),
        (lambda g: g["charges"]["agent:a"][0].__setitem__(0, 10**20), "charges.agent:a[0]"),
        (lambda g: g["charges"].__setitem__("agent:a", []), "charges.agent:a"),
    ],
)
def test_grants_that_do_not_add_up_to_what_was_spent_are_refused_at_restore(
    tamper: Any, where: str
) -> None:
    desk = _desk(_config("month", "UTC"))
    desk.grant_goodwill("t", "a", "40", "voucher", at=T0)
    snap = json.loads(json.dumps(desk.snapshot()))
    tamper(snap["state"]["goodwill"])
    with pytest.raises(ConfigError) as err:
        Desk.restore(desk.config, snap)
    assert err.value.path == f"snapshot.state.goodwill.{where}"


def test_grants_older_than_any_period_are_not_kept() -> None:
    desk = _desk(_config("month", "UTC"))
    for day in range(0, 80, 5):
        desk.grant_goodwill("t", "a", "1", "voucher", at=T0 + timedelta(days=day))
    charges = desk.snapshot()["state"]["goodwill"]["charges"]["agent:a"]
    assert len(charges) == 8  # days 40 to 75: within 35 days of the latest
    assert Desk.restore(desk.config, desk.snapshot()).snapshot() == desk.snapshot()


# -- the currency's decimals lowered by an accepted config change ------------------------------


def test_lowered_decimals_round_totals_up_and_decline_requests_the_currency_cannot_hold() -> None:
    config = _config("month", "UTC", default_per_ticket="20")
    desk = _desk(config)
    desk.grant_goodwill("t", "a", "12.50", "voucher", at=T0)
    (asked,) = desk.grant_goodwill("t", "a", "7.75", "voucher", at=T0)  # over 20 on the ticket
    (whole,) = desk.grant_goodwill("t", "a", "8", "voucher", at=T0)
    assert isinstance(asked, GoodwillRequested)
    assert isinstance(whole, GoodwillRequested)
    events: list[Any] = []
    lowered = _config("month", "UTC", decimals=0, default_per_ticket="20")
    restored = Desk.restore(lowered, desk.snapshot(), on_config_change=events)
    # What was spent and granted rounds up: an allowance never has more room than before.
    assert restored.goodwill_balances() == {"agent:a": (Decimal(13), Decimal(100))}
    assert [e.request_id for e in events if isinstance(e, GoodwillDeclined)] == [asked.request_id]
    assert restored.goodwill_requests() == (whole.request_id,)
    (granted,) = restored.approve_goodwill(whole.request_id, "lead", at=T0)
    assert isinstance(granted, GoodwillGranted)
    assert str(granted.amount) == "8"
    (over,) = restored.grant_goodwill("t", "a", "1", "voucher", at=T0)
    assert isinstance(over, GoodwillRequested)  # 13 + 8 on the ticket: over its 20
    again = Desk.restore(lowered, json.loads(json.dumps(restored.snapshot())))
    assert again.snapshot() == restored.snapshot()


# -- the currency's code ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "code", ["", "eur", "€", " EUR", "EURO", "E\nUR", "ＩＤＲ", "X" * 100_000, 978]
)
def test_a_currency_code_is_three_capital_letters(code: object) -> None:
    with pytest.raises(ConfigError) as err:
        DeskConfig.from_dict({"goodwill": {"currency": code}})
    assert err.value.path == "goodwill.currency"
    assert "expected an ISO 4217 code of three capital letters" in str(err.value)
    assert len(str(err.value)) < 1000  # the code shown shortened
    with pytest.raises(ConfigError):
        GoodwillPolicy(code)  # type: ignore[arg-type]


@pytest.mark.parametrize("code", ["IDR", "EUR", "XTS"])
def test_an_iso_currency_code_is_taken(code: str) -> None:
    assert GoodwillPolicy.from_dict({"currency": code}).currency == code


# -- sums exact whatever the host's decimal context -------------------------------------------


def test_the_ledger_sums_exactly_under_a_host_context_of_low_precision() -> None:
    desk = Desk(
        DeskConfig.from_dict(
            {"goodwill": {"currency": "IDR", "decimals": 0, "allowance": "10000000"}}
        )
    )
    desk.add_agent(AgentProfile("a", capacity={"email": 3}), at=T0)
    desk.submit(Ticket("t", Customer("c", Tier("gold", 1)), "email", T0), at=T0)
    with localcontext() as ctx:
        ctx.prec = 3
        (first,) = desk.grant_goodwill("t", "a", "1234", "voucher", at=T0)
        (second,) = desk.grant_goodwill("t", "a", "1", "voucher", at=T0)
    assert isinstance(first, GoodwillGranted)
    assert isinstance(second, GoodwillGranted)
    assert (str(first.remaining), str(second.remaining)) == ("9998766", "9998765")
    assert desk.goodwill_balances() == {"agent:a": (Decimal(1235), Decimal(10_000_000))}


# -- periods as a lead draws them: a 25-hour day, an ISO week across the new year --------------


def test_a_25_hour_day_is_one_period_and_the_next_starts_at_local_midnight() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    first = datetime(2026, 10, 25, 0, 30, tzinfo=berlin)  # clocks go back at 03:00 that day
    desk = _desk(_config("day", "Europe/Berlin"), first)
    desk.grant_goodwill("t", "a", "60", "voucher", at=first)
    late = datetime(2026, 10, 25, 23, 59, tzinfo=berlin)  # 24.5 hours later, the same day
    (event,) = desk.grant_goodwill("t", "a", "60", "voucher", at=late)
    assert isinstance(event, GoodwillRequested)
    (event,) = desk.grant_goodwill("t", "a", "60", "voucher", at=late + timedelta(minutes=1))
    assert isinstance(event, GoodwillGranted)


def test_an_iso_week_runs_across_the_new_year() -> None:
    monday = datetime(2026, 12, 28, 9, 0, tzinfo=UTC)  # ISO week 2026-W53 runs to 3 January
    desk = _desk(_config("week", "UTC"), monday)
    desk.grant_goodwill("t", "a", "60", "voucher", at=monday)
    (event,) = desk.grant_goodwill(
        "t", "a", "60", "voucher", at=datetime(2027, 1, 3, 23, 0, tzinfo=UTC)
    )
    assert isinstance(event, GoodwillRequested)
    (event,) = desk.grant_goodwill(
        "t", "a", "60", "voucher", at=datetime(2027, 1, 4, 0, 0, tzinfo=UTC)
    )
    assert isinstance(event, GoodwillGranted)


def test_a_balance_with_nothing_spent_this_period_is_in_the_currencys_form() -> None:
    desk = _desk(_config("day", "UTC"))
    desk.grant_goodwill("t", "a", "40", "voucher", at=T0)
    desk.advance(at=T0 + timedelta(days=1))
    ((spent, size),) = desk.goodwill_balances().values()
    assert (str(spent), str(size)) == ("0.00", "100.00")
