"""Goodwill review 3: vanishing amounts, amounts in the currency's form, pots a config change
removed or a snapshot invents, and undeclared tiers and teams in the goodwill section."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from decimal import Context, Decimal, localcontext
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from csflow import (
    AgentProfile,
    ConfigError,
    Customer,
    Desk,
    DeskConfig,
    GoodwillGranted,
    Ticket,
    Tier,
    people_report,
)
from csflow.desk.goodwill import GoodwillLedger, GoodwillPolicy, parse_amount

T0 = datetime(2026, 3, 16, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
IDR: dict[str, Any] = {"currency": "IDR", "decimals": 0, "allowance": "250000"}
TINY = "1e-99999999"  # normalize() under the default context underflows it to 0


def _desk(goodwill: dict[str, Any], **config: Any) -> Desk:
    desk = Desk(DeskConfig.from_dict({**config, "goodwill": goodwill}))
    profile = AgentProfile("budi", capacity={"chat": 3}, teams=frozenset(config.get("teams", ())))
    desk.add_agent(profile, at=T0, presence="available")
    desk.submit(Ticket("t", Customer("c", Tier("gold", 3)), "chat", T0), at=T0)
    return desk


def _snapshot(desk: Desk) -> Any:
    return json.loads(json.dumps(desk.snapshot()))


# -- 1. an amount with more places than the currency has, however small ---------------------


@pytest.mark.parametrize("amount", [TINY, Decimal(TINY), "1e-1000000", "0.5", "1.0000001e3"])
def test_a_vanishing_grant_is_refused_and_changes_nothing(amount: object) -> None:
    desk = _desk(IDR)
    before = desk.snapshot()
    with pytest.raises(ConfigError, match=r"^amount must have at most 0 decimal places, got "):
        desk.grant_goodwill("t", "budi", amount, "voucher", at=T0)
    assert desk.snapshot() == before
    Desk.restore(desk.config, _snapshot(desk))  # the desk's own state still restores


@pytest.mark.parametrize("field", ["allowance", "default_per_ticket"])
def test_a_vanishing_config_amount_is_refused_at_its_path(field: str) -> None:
    with pytest.raises(ConfigError) as err:
        DeskConfig.from_dict({"goodwill": {**IDR, field: TINY}})
    assert err.value.path == f"goodwill.{field}"
    assert "at most 0 decimal places" in str(err.value)
    with pytest.raises(ConfigError) as err:
        DeskConfig.from_dict({"goodwill": {**IDR, "per_ticket": {"gold": TINY}}})
    assert err.value.path == "goodwill.per_ticket.gold"


@pytest.mark.parametrize("where", ["spent", "per_ticket", "pending"])
def test_a_vanishing_amount_in_a_snapshot_is_refused_at_its_path(where: str) -> None:
    desk = _desk({**IDR, "default_per_ticket": "1000"})
    desk.grant_goodwill("t", "budi", "1000", "voucher", at=T0)
    desk.grant_goodwill("t", "budi", "5", "voucher", at=T0)  # over the limit: a request
    snap = _snapshot(desk)
    state = snap["state"]["goodwill"]
    if where == "spent":
        state["spent"][0][2] = TINY
        path = r"snapshot\.state\.goodwill\.spent\[0\]"
    elif where == "per_ticket":
        state["per_ticket"]["t"] = TINY
        path = r"snapshot\.state\.goodwill\.per_ticket\.t"
    else:
        state["pending"][0][3] = TINY
        path = r"snapshot\.state\.goodwill\.pending\[0\]"
    with pytest.raises(ConfigError, match=rf"^{path}: .*0 decimal places"):
        Desk.restore(desk.config, snap)


def test_the_places_check_does_not_depend_on_the_callers_decimal_context() -> None:
    # normalize() rounded to the context's precision: 1.001 became 1.00, so "fit" 2 places.
    with localcontext(Context(prec=3)):
        with pytest.raises(ConfigError, match=r"at most 2 decimal places"):
            parse_amount("1.001", 2)
        assert str(parse_amount("123456.78", 2)) == "123456.78"
        assert str(parse_amount("999999999999999.999999", 6)) == "999999999999999.999999"


# -- 4. amounts in the currency's form -------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "decimals", "form"),
    [
        ("1e3", 0, "1000"),
        ("1E+3", 0, "1000"),
        (Decimal("1E+3"), 0, "1000"),
        ("100.0", 0, "100"),
        ("100.000", 2, "100.00"),
        ("12.5", 2, "12.50"),
        (7, 2, "7.00"),
        ("0.000001", 6, "0.000001"),
        ("+5", 0, "5"),
    ],
)
def test_an_amount_is_kept_in_the_currencys_form(amount: object, decimals: int, form: str) -> None:
    assert str(parse_amount(amount, decimals)) == form


def test_a_grant_and_what_remains_are_in_the_currencys_form() -> None:
    desk = _desk(IDR)
    events = []
    for amount in ("1e3", "100.0"):
        (event,) = desk.grant_goodwill("t", "budi", amount, "voucher", at=T0)
        assert isinstance(event, GoodwillGranted)
        events.append(event)
    plain = [e.to_dict() for e in events]
    assert [(p["amount"], p["remaining"]) for p in plain] == [
        ("1000", "249000"),
        ("100", "248900"),
    ]
    assert str(people_report(events).goodwill_by_agent["budi"].amount) == "1100"
    euro = _desk({"currency": "EUR", "decimals": 2, "allowance": 100})
    (event,) = euro.grant_goodwill("t", "budi", "12.5", "voucher", at=T0)
    assert event.to_dict()["amount"] == "12.50"
    assert event.to_dict()["remaining"] == "87.50"


def test_a_policy_keeps_its_amounts_in_the_currencys_form() -> None:
    policy = GoodwillPolicy(
        "EUR", allowance="1e2", agents={"sari": "-0"}, default_per_ticket="12.5"
    )
    written = policy.to_dict()
    assert (written["allowance"], written["agents"], written["default_per_ticket"]) == (
        "100.00",
        {"sari": "0.00"},
        "12.50",
    )
    assert GoodwillPolicy.from_dict(written) == policy


def test_a_snapshot_total_written_in_another_form_reads_back_in_the_currencys() -> None:
    desk = _desk(IDR)
    desk.grant_goodwill("t", "budi", "1000", "voucher", at=T0)
    snap = _snapshot(desk)
    snap["state"]["goodwill"]["spent"][0][2] = "1E+3"
    snap["state"]["goodwill"]["per_ticket"]["t"] = "1000.000"
    again = Desk.restore(desk.config, snap).snapshot()["state"]["goodwill"]
    assert again["spent"][0][2] == "1000"
    assert again["per_ticket"] == {"t": "1000"}


@pytest.mark.parametrize(
    "amount",
    ["２５０００", "٢٥٠٠٠", "२५०००", "25\u00a0000", "1_000", " 100 ", "100\n", "1,000", "0x10", ""],
)
def test_a_money_string_is_read_in_ascii_digits_only(amount: str) -> None:
    desk = _desk(IDR)
    before = desk.snapshot()
    with pytest.raises(ConfigError, match=r"^amount must be a decimal number, got "):
        desk.grant_goodwill("t", "budi", amount, "voucher", at=T0)
    assert desk.snapshot() == before
    with pytest.raises(ConfigError) as err:
        DeskConfig.from_dict({"goodwill": {**IDR, "allowance": amount}})
    assert err.value.path == "goodwill.allowance"


def test_a_money_string_in_other_digits_says_so() -> None:
    with pytest.raises(ConfigError, match=r"\(a money string is written in ASCII digits\)$"):
        parse_amount("２５０００", 0)


# -- 2. a team pot a config change removed, or a snapshot invents ------------------------------


def _team_desk(pots: dict[str, str]) -> Desk:
    return _desk({**IDR, "teams": pots}, queues=[{"name": "q"}], teams={"finance": {"queue": "q"}})


def test_a_snapshot_naming_a_pot_the_policy_does_not_have_is_refused_at_restore() -> None:
    desk = _team_desk({"finance": "5000000"})
    (event,) = desk.grant_goodwill("t", "budi", "1000", "voucher", at=T0)
    assert isinstance(event, GoodwillGranted)
    assert event.budget == "team:finance"
    snap = _snapshot(desk)
    snap["state"]["goodwill"]["spent"][0][0] = "team:nonexistent"
    with pytest.raises(ConfigError) as err:
        Desk.restore(desk.config, snap)
    assert err.value.path == "snapshot.state.goodwill.spent[0]"
    assert "no goodwill pot for team 'nonexistent'; pots: ['finance']" in str(err.value)


@pytest.mark.parametrize(
    "budget", ["finance", "team:", "agent:", "boss:budi", ":budi", "agent:budi"]
)
def test_a_malformed_or_repeated_allowance_in_a_snapshot_is_refused(budget: str) -> None:
    desk = _team_desk({"finance": "5000000"})
    desk.grant_goodwill("t", "budi", "1000", "voucher", at=T0)
    snap = _snapshot(desk)
    spent = snap["state"]["goodwill"]["spent"]
    spent[0][0] = "agent:budi"
    spent.append([budget, spent[0][1], "5"])
    with pytest.raises(ConfigError) as err:
        Desk.restore(desk.config, snap)
    assert err.value.path == "snapshot.state.goodwill.spent[1]"
    assert "expected an allowance 'agent:<id>' or 'team:<name>', once each" in str(err.value)


def test_a_pot_an_accepted_config_change_removed_is_dropped_from_the_ledger() -> None:
    before = GoodwillPolicy("IDR", decimals=0, allowance="250000", teams={"finance": "5000000"})
    ledger = GoodwillLedger(before)
    verdict = ledger.judge("fin", frozenset({"finance"}), "t", "gold", Decimal(1000), T0)
    ledger.charge(verdict, "t", Decimal(1000))
    ledger.charge(ledger.judge("ana", frozenset(), "t", "gold", Decimal(5), T0), "t", Decimal(5))
    state = json.loads(json.dumps(ledger.to_state({"t"})))
    after = GoodwillPolicy("IDR", decimals=0, allowance="250000")
    with pytest.raises(ConfigError) as err:  # the same config: a tampered snapshot
        GoodwillLedger(after).load_state(state, {"t"})
    assert err.value.path == "goodwill.spent[0]"
    changed = GoodwillLedger(after)
    changed.load_state(state, {"t"}, changed=True)
    # Nothing draws on the pot any more: the read-only view shows the allowances that are.
    assert changed.balances(T0) == {"agent:ana": (Decimal(5), Decimal(250000))}
    assert changed.granted_on("t") == Decimal(1005)
    verdict = changed.judge("fin", frozenset({"finance"}), "t", "gold", Decimal(1), T0)
    assert (verdict.budget, verdict.remaining) == ("agent:fin", Decimal(249999))


# -- 3. undeclared tiers and teams in the goodwill section --------------------------------------

DECLARED: dict[str, Any] = {
    "tiers": [{"name": "gold", "rank": 3}, {"name": "regular", "rank": 1}],
    "queues": [{"name": "general"}, {"name": "finance"}],
    "teams": {"front": {"queue": "general"}, "finance": {"queue": "finance"}},
}


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (
            {"per_ticket": {"gold": "50000", "glod": "50000"}},
            "goodwill.per_ticket.glod: unknown tier 'glod'; known: ['gold', 'regular']",
        ),
        (
            {"teams": {"finanse": "5000000"}},
            "goodwill.teams.finanse: unknown team 'finanse'; known: ['finance', 'front']",
        ),
    ],
)
def test_an_undeclared_tier_or_team_in_the_goodwill_section_is_refused(
    section: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as err:
        DeskConfig.from_dict({**DECLARED, "goodwill": {**IDR, **section}})
    assert str(err.value) == message
    assert err.value.path == message.partition(":")[0]
    config = DeskConfig.from_dict(DECLARED)
    with pytest.raises(ConfigError, match=rf"^{message.partition(':')[0]}: "):
        DeskConfig(
            tiers=config.tiers,
            queues=config.queues,
            teams=config.teams,
            goodwill=GoodwillPolicy.from_dict({**IDR, **section}),
        )


def test_declared_names_and_open_sections_still_load() -> None:
    goodwill = {**IDR, "per_ticket": {"gold": "50000"}, "teams": {"finance": "5000000"}}
    DeskConfig.from_dict({**DECLARED, "goodwill": goodwill})
    # Nothing declared: any tier and any team, as for tickets and agents.
    open_goodwill = {**IDR, "per_ticket": {"platinum": "1"}, "teams": {"anyone": "1"}}
    DeskConfig.from_dict({"goodwill": open_goodwill})


def test_a_restore_under_a_config_change_that_removed_a_pot_drops_it() -> None:
    base: dict[str, object] = {"queues": [{"name": "q"}], "teams": {"finance": {"queue": "q"}}}
    desk = _desk({**IDR, "teams": {"finance": "5000000"}}, **base)
    desk.grant_goodwill("t", "budi", "1000", "voucher", at=T0)
    snap = _snapshot(desk)
    after = DeskConfig.from_dict({**base, "goodwill": IDR})
    with pytest.raises(ConfigError, match=r"in goodwill; pass"):
        Desk.restore(after, snap)
    restored = Desk.restore(after, snap, on_config_change=[])
    assert restored.goodwill_balances() == {}
    (event,) = restored.grant_goodwill("t", "budi", "1", "voucher", at=T0)
    assert isinstance(event, GoodwillGranted)
    assert (event.budget, event.remaining) == ("agent:budi", Decimal(249999))
    assert restored.goodwill_balances() == {"agent:budi": (Decimal(1), Decimal(250000))}
    assert "team:finance" not in json.dumps(restored.snapshot()["state"]["goodwill"])


# -- a goodwill currency changed under an accepted config change ---------------------------


def test_a_ledger_in_another_currency_starts_afresh_under_an_accepted_change() -> None:
    eur = {"currency": "EUR", "decimals": 2, "allowance": "100", "over_limit": "approval"}
    desk = _desk(eur)
    desk.grant_goodwill("t", "budi", "40", "late parcel", at=T0)
    desk.grant_goodwill("t", "budi", "90", "damaged", at=T0)  # over what is left: a request
    assert len(desk.goodwill_requests()) == 1
    snap = _snapshot(desk)
    assert snap["state"]["goodwill"]["currency"] == "EUR"
    idr = DeskConfig.from_dict({"goodwill": IDR})
    restored = Desk.restore(idr, copy.deepcopy(snap), on_config_change=[])
    # Euros are not rupiah: nothing spent or asked for in euros carries over.
    assert restored.goodwill_balances() == {}
    assert restored.goodwill_requests() == ()
    (event,) = restored.grant_goodwill("t", "budi", "40", "late parcel", at=T0)
    assert isinstance(event, GoodwillGranted)
    assert (event.remaining, event.request_id) == (Decimal(249960), None)
    # The request numbers go on (no id of the old ledger is given out again).
    assert restored.snapshot()["state"]["goodwill"]["count"] == snap["state"]["goodwill"]["count"]
    # Under the snapshot's own config another currency is tampering.
    tampered = copy.deepcopy(snap)
    tampered["state"]["goodwill"]["currency"] = "IDR"
    with pytest.raises(ConfigError, match=r"goodwill\.currency: expected the policy's currency"):
        Desk.restore(desk.config, tampered)
    # A snapshot written before the ledger kept its currency reads as the policy's.
    older = copy.deepcopy(snap)
    del older["state"]["goodwill"]["currency"]
    again = Desk.restore(desk.config, older)
    assert again.goodwill_balances() == desk.goodwill_balances()
    assert again.goodwill_requests() == desk.goodwill_requests()
