"""Goodwill budgets: allowances per period, limits per ticket, approvals by a supervisor."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
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
    GoodwillLimitError,
    GoodwillRequested,
    InvalidTransitionError,
    Ticket,
    Tier,
    UnknownAgentError,
)
from csflow.desk.goodwill import period_key
from csflow.testing import check_invariants

JKT = ZoneInfo("Asia/Jakarta")
T0 = datetime(2026, 3, 31, 16, 0, tzinfo=JKT)  # the last afternoon of a month
GOLD = Tier("gold", 3)
REGULAR = Tier("regular", 1)

GOODWILL: dict[str, Any] = {
    "currency": "IDR",
    "decimals": 0,
    "period": "month",
    "timezone": "Asia/Jakarta",
    "allowance": "50000",
    "agents": {"sari": "100000"},
    "teams": {"finance": "1000000"},
    "per_ticket": {"gold": "50000"},
    "default_per_ticket": "25000",
    "over_limit": "approval",
}


def _desk(at: datetime = T0, **over: Any) -> Desk:
    desk = Desk(DeskConfig.from_dict({"goodwill": {**GOODWILL, **over}}))
    for aid, teams in (("sari", []), ("budi", []), ("dewi", ["finance"]), ("eka", ["finance"])):
        profile = AgentProfile(aid, capacity={"whatsapp": 9}, teams=teams)
        desk.add_agent(profile, at=at, presence="available")
    for i in range(6):
        tier = GOLD if i % 2 == 0 else REGULAR
        desk.submit(Ticket(f"t{i}", Customer(f"c{i}", tier), "whatsapp", at), at=at)
    return desk


def _frozen(desk: Desk) -> Any:
    return json.dumps(desk.snapshot()), desk.goodwill_balances(), desk.goodwill_requests()


def test_a_shipping_voucher_within_the_allowance_is_granted_at_once() -> None:
    desk = _desk()
    [e] = desk.grant_goodwill("t0", "budi", "25000", "shipping_voucher", at=T0)
    assert e == GoodwillGranted(
        T0, "t0", "budi", Decimal(25000), "IDR", "shipping_voucher", "gold", "agent:budi",
        Decimal(25000),
    )  # fmt: skip
    assert desk.goodwill_balances() == {"agent:budi": (Decimal(25000), Decimal(50000))}
    assert desk.history("t0")[-1] == e
    check_invariants(desk)


def test_beyond_the_allowance_a_supervisor_approves_or_declines() -> None:
    desk = _desk()
    desk.grant_goodwill("t0", "budi", 25000, "late", at=T0)
    desk.grant_goodwill("t2", "budi", 25000, "late", at=T0)
    [req] = desk.grant_goodwill("t4", "budi", 10000, "late", at=T0)
    assert isinstance(req, GoodwillRequested)
    assert req.request_id == "t4/goodwill/1"
    assert "over what is left of 'agent:budi' for 2026-03: 0" in req.why
    assert desk.goodwill_requests() == ("t4/goodwill/1",)
    [ok] = desk.approve_goodwill("t4/goodwill/1", "lead", at=T0 + timedelta(minutes=1))
    assert isinstance(ok, GoodwillGranted)
    assert (ok.approved_by, ok.budget, ok.remaining, ok.request_id) == (
        "lead",
        "approval",
        None,
        "t4/goodwill/1",
    )
    # Not charged to budi's allowance; the request is gone.
    assert desk.goodwill_balances()["agent:budi"] == (Decimal(50000), Decimal(50000))
    with pytest.raises(InvalidTransitionError, match=r"no pending goodwill request"):
        desk.approve_goodwill("t4/goodwill/1", "lead", at=T0 + timedelta(minutes=2))
    [req2] = desk.grant_goodwill("t4", "budi", 1, "late", at=T0 + timedelta(minutes=3))
    assert isinstance(req2, GoodwillRequested)
    [no] = desk.decline_goodwill(req2.request_id, "lead", at=T0 + timedelta(minutes=4))
    assert no == GoodwillDeclined(
        T0 + timedelta(minutes=4), "t4", req2.request_id, "budi", Decimal(1), "lead"
    )


def test_the_ticket_limit_by_tier_applies_before_the_allowance() -> None:
    desk = _desk()
    [req] = desk.grant_goodwill("t1", "sari", 30000, "late", at=T0)  # regular: 25.000
    assert isinstance(req, GoodwillRequested)
    assert "over the 'regular' limit of 25000 per ticket" in req.why
    [e] = desk.grant_goodwill("t0", "sari", 50000, "late", at=T0)  # gold: 50.000
    assert isinstance(e, GoodwillGranted)
    assert e.remaining == Decimal(50000)


def test_a_new_month_in_jakarta_starts_a_new_allowance() -> None:
    desk = _desk()
    desk.grant_goodwill("t0", "budi", 50000, "late", at=T0)
    # 23:59 in Jakarta is still March; 00:00 is April (16:59 / 17:00 UTC).
    [still] = desk.grant_goodwill("t2", "budi", 1, "late", at=T0 + timedelta(hours=7, minutes=59))
    assert isinstance(still, GoodwillRequested)
    [april] = desk.grant_goodwill("t2", "budi", 1, "late", at=T0 + timedelta(hours=8))
    assert isinstance(april, GoodwillGranted)
    assert april.remaining == Decimal(49999)


def test_a_team_shares_one_pot() -> None:
    desk = _desk()
    desk.grant_goodwill("t0", "dewi", 50000, "refund_shipping", at=T0)
    desk.grant_goodwill("t2", "eka", 50000, "refund_shipping", at=T0)
    assert desk.goodwill_balances() == {"team:finance": (Decimal(100000), Decimal(1000000))}


def test_refusing_policies_raise_and_change_nothing() -> None:
    desk = _desk(over_limit="refuse")
    desk.grant_goodwill("t0", "budi", 50000, "late", at=T0)
    before = _frozen(desk)
    with pytest.raises(GoodwillLimitError, match=r"goodwill refused: IDR 1 is over what is left"):
        desk.grant_goodwill("t2", "budi", 1, "late", at=T0)
    assert _frozen(desk) == before


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (2.5, r"never a float\), got 2.5"),
        ("12.5", r"at most 0 decimal places, got '12.5'"),
        ("-5", r"positive amount, got '-5'"),
        ("0", r"positive amount, got '0'"),
        ("NaN", r"positive amount, got 'NaN'"),
        ("lima", r"decimal number, got 'lima'"),
        (True, r"never a float\), got True"),
    ],
)
def test_bad_amounts_are_refused_and_change_nothing(amount: object, message: str) -> None:
    desk = _desk()
    before = _frozen(desk)
    with pytest.raises(ConfigError, match=message):
        desk.grant_goodwill("t0", "budi", amount, "late", at=T0)
    assert _frozen(desk) == before


def test_bad_ids_and_missing_policy_are_refused() -> None:
    desk = _desk()
    with pytest.raises(UnknownAgentError):
        desk.grant_goodwill("t0", "nobody", 1, "late", at=T0)
    with pytest.raises(ConfigError, match=r"reason must be a string of 1 to 200 characters"):
        desk.grant_goodwill("t0", "budi", 1, "", at=T0)
    plain = Desk(DeskConfig())
    plain.add_agent(AgentProfile("budi", capacity={"chat": 1}), at=T0)
    plain.submit(Ticket("t0", Customer("c0", GOLD), "chat", T0), at=T0)
    with pytest.raises(ConfigError, match=r"this desk has no goodwill policy"):
        plain.grant_goodwill("t0", "budi", 1, "late", at=T0)


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"period": "year"}, r"goodwill.period: expected one of"),
        (
            {"timezone": "Asia/Bandung"},
            r"goodwill.timezone: expected an IANA time zone name, got 'Asia/Bandung'",
        ),
        ({"agents": {"sari": 1.5}}, r"goodwill.agents.sari: amount must be a Decimal"),
        ({"allowance": [1]}, r"goodwill.allowance: amount must be a Decimal, .*got \[1\]"),
        ({"default_per_ticket": "-1"}, r"goodwill.default_per_ticket: amount must be zero or more"),
        ({"per_ticket": {"gold": "1.5"}}, r"goodwill.per_ticket.gold: amount must have at most 0"),
        ({"over_limit": "maybe"}, r"goodwill.over_limit: expected 'approval' or 'refuse'"),
        ({"budget": 5}, r"goodwill: unknown key"),
    ],
)
def test_bad_goodwill_config_names_the_path(over: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        DeskConfig.from_dict({"goodwill": {**GOODWILL, **over}})


def test_the_ledger_survives_snapshot_and_restore() -> None:
    desk = _desk()
    desk.grant_goodwill("t0", "budi", 50000, "late", at=T0)
    desk.grant_goodwill("t2", "budi", 5000, "late", at=T0)
    config = DeskConfig.from_dict({"goodwill": GOODWILL})
    restored = Desk.restore(config, json.loads(json.dumps(desk.snapshot())))
    assert _frozen(restored) == _frozen(desk)
    restored.approve_goodwill("t2/goodwill/1", "lead", at=T0)
    assert restored.goodwill_requests() == ()


@pytest.mark.parametrize(
    ("where", "value", "message"),
    [
        (("pending", 0, 3), "1e999999999", "pending[0]: amount must be below 1,000,000,000,000"),
        (("pending", 0, 3), "12.5", "pending[0]: amount must have at most 0 decimal places"),
        (("per_ticket", "t0"), "1e999999999", "per_ticket.t0: expected a decimal amount from 0"),
        (("per_ticket", "t0"), "-5", "per_ticket.t0: expected a decimal amount from 0"),
        (("per_ticket", "t0"), "0.5", "with at most 0 decimal places, got '0.5'"),
        (("spent", 0, 2), "NaN", "spent[0]: expected a decimal amount from 0"),
        (("pending", 0, 0), "t2/goodwill/7", "pending[0]: expected a request id t2/goodwill/N"),
        (("pending", 0, 0), "t2/goodwill/x", "pending[0]: expected a request id t2/goodwill/N"),
        (("count",), 0, "pending[0]: expected a request id t2/goodwill/N with N from 1 to the"),
    ],
)
def test_a_tampered_ledger_is_refused_at_restore(
    where: tuple[Any, ...], value: object, message: str
) -> None:
    # A tampered amount restored, then crashed a later command with decimal.Overflow after it
    # had changed the ledger; a count below a pending request's number let the next request
    # take its id and replace it.
    desk = _desk()
    desk.grant_goodwill("t0", "budi", 50000, "late", at=T0)
    desk.grant_goodwill("t2", "budi", 5000, "late", at=T0)  # over budi's allowance: pending
    snap = json.loads(json.dumps(desk.snapshot()))
    part = snap["state"]["goodwill"]
    for key in where[:-1]:
        part = part[key]
    part[where[-1]] = value
    config = DeskConfig.from_dict({"goodwill": GOODWILL})
    with pytest.raises(ConfigError) as info:
        Desk.restore(config, snap)
    assert message in str(info.value)
    assert str(info.value).startswith("snapshot.state.goodwill.")


# -- the law: no allowance is ever exceeded ----------------------------------------------------

grants = st.lists(
    st.tuples(
        st.integers(0, 40 * 24),  # hours after the start: crosses month and DST boundaries
        st.sampled_from(["sari", "budi", "dewi", "eka"]),
        st.integers(0, 5),
        st.integers(1, 60_000),
        st.sampled_from(["approve", "decline", "leave"]),
    ),
    max_size=40,
)


@settings(max_examples=60)
@given(
    steps=grants,
    period=st.sampled_from(["day", "week", "month"]),
    zone=st.sampled_from(["Asia/Jakarta", "Europe/Amsterdam", "America/Sao_Paulo"]),
)
def test_no_agent_ever_exceeds_an_allowance(
    steps: list[tuple[int, str, int, int, str]], period: str, zone: str
) -> None:
    start = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)  # over the March DST changes
    desk = _desk(start, period=period, timezone=zone)
    spent: dict[tuple[str, str], Decimal] = {}
    size = {"agent:sari": 100000, "agent:budi": 50000, "team:finance": 1000000}
    last = start
    for hours, agent, k, amount, answer in sorted(steps):
        at = max(last, start + timedelta(hours=hours))
        last = at
        events = desk.grant_goodwill(f"t{k}", agent, amount, "late", at=at)
        for e in events:
            if isinstance(e, GoodwillRequested) and answer != "leave":
                verb = desk.approve_goodwill if answer == "approve" else desk.decline_goodwill
                verb(e.request_id, "lead", at=at)
            if isinstance(e, GoodwillGranted):
                assert e.approved_by is None
                key = (e.budget, period_key(at, period, ZoneInfo(zone)))
                spent[key] = spent.get(key, Decimal(0)) + e.amount
                assert spent[key] <= size[e.budget]
                assert e.remaining == size[e.budget] - spent[key]
        check_invariants(desk)


def test_people_commands_travel_as_journal_values() -> None:
    # Grants, answers and ratings are commands like the others: a host journals their plain
    # data and a restored desk replays the tail to the same state.
    from csflow import command_from_dict
    from csflow.lowlevel import ApproveGoodwill, GrantGoodwill, RecordFeedback, Resolve

    desk = _desk()
    snapshot = json.loads(json.dumps(desk.snapshot()))
    t1 = T0 + timedelta(minutes=1)
    values = [
        GrantGoodwill("t0", "budi", Decimal(25000), "shipping_voucher", at=T0),
        GrantGoodwill("t2", "budi", 25000, "late", at=T0),
        GrantGoodwill("t4", "budi", "10000", "late", at=T0),
        ApproveGoodwill("t4/goodwill/1", "lead", at=t1),
        Resolve("t0", desk.ticket("t0").agent_id or "", at=t1),
        RecordFeedback("t0", 5, "cepat sekali", at=t1),
    ]
    journal = []
    for value in values:
        data = json.loads(json.dumps(value.to_dict()))
        assert command_from_dict(data) == value
        journal.append(data)
        desk.apply(value)
    restored = Desk.restore(desk.config, snapshot, journal=journal)
    assert restored.snapshot() == desk.snapshot()
    assert restored.goodwill_balances() == desk.goodwill_balances()
    with pytest.raises(ConfigError, match=r"amount must be a Decimal, an int or a string"):
        GrantGoodwill("t0", "budi", 1.5, "late", at=T0)


def test_a_ticket_with_a_request_awaiting_a_supervisor_is_not_forgotten() -> None:
    desk = _desk()
    desk.grant_goodwill("t0", "budi", 25000, "late", at=T0)
    desk.grant_goodwill("t2", "budi", 25000, "late", at=T0)
    [req] = desk.grant_goodwill("t4", "budi", 10000, "late", at=T0)
    assert isinstance(req, GoodwillRequested)
    holder = desk.ticket("t4").agent_id
    assert holder is not None
    t1 = T0 + timedelta(minutes=5)
    desk.resolve("t4", holder, at=t1)
    desk.close("t4", at=t1)
    before = _frozen(desk)
    with pytest.raises(
        InvalidTransitionError,
        match=r"cannot forget ticket 't4': goodwill request\(s\) \['t4/goodwill/1'\] await",
    ):
        desk.forget("t4", at=t1)
    assert _frozen(desk) == before
    assert desk.ticket("t4").state == "closed"
    [no] = desk.decline_goodwill(req.request_id, "lead", at=t1)
    assert isinstance(no, GoodwillDeclined)
    assert desk.forget("t4", at=t1) == []
    assert "t4" not in list(desk.tickets())
    assert desk.goodwill_requests() == ()
