"""Goodwill ledgers against a naive reference written from docs/how-to/goodwill.md: random
grants, approvals, declines, snapshots and accepted config changes (lowered limits, pots
added or removed) over day, ISO-week and month periods in three zones."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier, people_report
from csflow.desk.commands import GrantGoodwill, command_from_dict
from csflow.errors import ConfigError, GoodwillLimitError
from csflow.events import Event, GoodwillGranted, GoodwillRequested

WIB = ZoneInfo("Asia/Jakarta")
# Agents and their teams: an agent without a personal allowance draws on the pot of its first
# team by name that has one, else on the default allowance.
TEAMS = {
    "sari": ["front"],
    "dimas": ["front"],
    "budi": ["refunds"],
    "ayu": ["front", "refunds"],
    "eko": [],
}
TIERS = {"t0": "gold", "t1": "gold", "t2": "regular", "t3": "regular"}
POLICY = st.fixed_dictionaries(
    {
        "allowance": st.sampled_from([None, "0", "100000", "250000"]),
        "agents": st.sampled_from([{}, {"dimas": "0"}, {"sari": "50000"}]),
        "teams": st.sampled_from(
            [{}, {"refunds": "300000"}, {"refunds": "300000", "front": "80000"}]
        ),
        "per_ticket": st.sampled_from([{}, {"gold": "50000"}, {"gold": "120000", "regular": "0"}]),
        "default_per_ticket": st.sampled_from([None, "25000", "75000"]),
        "over_limit": st.sampled_from(["approval", "refuse"]),
    }
)
STEP = st.tuples(
    st.sampled_from(["grant"] * 6 + ["approve", "decline", "snapshot", "change"]),
    st.sampled_from(sorted(TIERS)),
    st.sampled_from(sorted(TEAMS)),
    st.sampled_from([1, 5000, 25000, 40000, 50000, 99999, 100000]),
    st.sampled_from([0, 1, 30, 90, 300, 60 * 24 * 3]),  # minutes before the step
    st.integers(0, 3),  # which pending request
)


def _doc(goodwill: dict[str, Any]) -> dict[str, Any]:
    return {
        "tiers": [{"name": "gold", "rank": 2}, {"name": "regular", "rank": 1}],
        "queues": [{"name": "front"}, {"name": "refunds"}],
        "teams": {"front": {"queue": "front"}, "refunds": {"queue": "refunds"}},
        "goodwill": {k: v for k, v in goodwill.items() if v is not None},
    }


class Reference:
    """What the docs promise: per allowance and period, what was charged; per ticket, what was
    granted (charged or approved)."""

    def __init__(self, g: dict[str, Any]) -> None:
        self.g = g
        self.spent: dict[tuple[str, object], Decimal] = defaultdict(Decimal)
        self.on_ticket: dict[str, Decimal] = defaultdict(Decimal)
        self.pending: dict[str, tuple[str, Decimal]] = {}

    def period(self, at: datetime) -> object:
        local = at.astimezone(ZoneInfo(self.g["timezone"])).date()
        if self.g["period"] == "day":
            return local
        if self.g["period"] == "week":
            return local.isocalendar()[:2]
        return local.year, local.month

    def budget(self, agent: str) -> tuple[str, Decimal]:
        g = self.g
        if agent in g["agents"]:
            return f"agent:{agent}", Decimal(g["agents"][agent])
        for team in sorted(TEAMS[agent]):
            if team in g["teams"]:
                return f"team:{team}", Decimal(g["teams"][team])
        return f"agent:{agent}", Decimal(g["allowance"] or 0)

    def limit(self, tier: str) -> Decimal | None:
        g = self.g
        if tier in g["per_ticket"]:
            return Decimal(g["per_ticket"][tier])
        return None if g["default_per_ticket"] is None else Decimal(g["default_per_ticket"])


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["day", "week", "month"]),
    st.sampled_from(["Asia/Jakarta", "UTC", "America/Sao_Paulo"]),
    POLICY,
    st.lists(st.tuples(STEP, POLICY), min_size=5, max_size=40),
)
def test_the_ledger_agrees_with_a_naive_reference(
    period: str, zone: str, first: dict[str, Any], steps: list[tuple[Any, dict[str, Any]]]
) -> None:
    g = {"currency": "IDR", "decimals": 0, "period": period, "timezone": zone, **first}
    ref = Reference(g)
    config = DeskConfig.from_dict(_doc(g))
    desk = Desk(config)
    t = datetime(2026, 11, 10, 20, 0, tzinfo=WIB)
    for aid, teams in TEAMS.items():
        desk.add_agent(AgentProfile(aid, capacity={"chat": 1}, teams=set(teams)), at=t)
    for tid, tier in TIERS.items():
        customer = Customer(f"c-{tid}", Tier(tier, 2 if tier == "gold" else 1))
        desk.submit(Ticket(tid, customer, "chat", t), at=t)
    for (op, tid, agent, amount, minutes, which), new in steps:
        t += timedelta(minutes=minutes)
        if op == "grant":
            size_key, size = ref.budget(agent)
            key = (size_key, ref.period(t))
            limit = ref.limit(TIERS[tid])
            fits = (limit is None or ref.on_ticket[tid] + amount <= limit) and (
                ref.spent[key] + amount <= size
            )
            try:
                out = desk.grant_goodwill(tid, agent, str(amount), "refund", at=t)
            except GoodwillLimitError:
                assert not fits
                assert g["over_limit"] == "refuse"
                continue
            [e] = [e for e in out if isinstance(e, GoodwillGranted | GoodwillRequested)]
            if isinstance(e, GoodwillGranted):
                assert fits, (agent, amount, ref.spent[key], size, ref.on_ticket[tid], limit)
                ref.spent[key] += amount
                ref.on_ticket[tid] += amount
                assert (e.budget, e.remaining, e.amount) == (
                    size_key,
                    size - ref.spent[key],
                    amount,
                )
            else:
                assert not fits
                assert g["over_limit"] == "approval"
                ref.pending[e.request_id] = (tid, Decimal(amount))
        elif op in ("approve", "decline") and ref.pending:
            rid = sorted(ref.pending)[which % len(ref.pending)]
            tid, value = ref.pending.pop(rid)
            if op == "approve":
                [approved] = desk.approve_goodwill(rid, "lead-rina", at=t)
                assert isinstance(approved, GoodwillGranted)
                assert approved.budget == "approval"
                ref.on_ticket[tid] += value  # counts on the ticket, not on any allowance
            else:
                desk.decline_goodwill(rid, "lead-rina", at=t)
        elif op == "snapshot":
            desk = Desk.restore(config, json.loads(json.dumps(desk.snapshot())))
        elif op == "change":
            # An accepted config change: amounts, pots and limits may move; the period and
            # zone stay (the ledger keeps only the current period's sums).
            g = {**g, **new}
            moved: list[Event] = []
            config = DeskConfig.from_dict(_doc(g))
            desk = Desk.restore(config, desk.snapshot(), on_config_change=moved)
            assert moved == []
            for key in [k for k in ref.spent if k[0].startswith("team:")]:
                if key[0].removeprefix("team:") not in g["teams"]:
                    del ref.spent[key]  # a pot the change removed: nobody draws on it
            ref.g = g
        desk.advance(at=t)
        assert sorted(desk.goodwill_requests()) == sorted(ref.pending)
        for budget, (spent, _) in desk.goodwill_balances().items():
            assert spent == ref.spent[(budget, ref.period(t))], budget


def test_a_refund_over_the_daily_allowance_on_11_11_waits_for_a_supervisor() -> None:
    # Budi's allowance is Rp 100.000 a day (WIB); Ani is a gold customer, Rp 75.000 a ticket.
    g = {
        "currency": "IDR",
        "decimals": 0,
        "period": "day",
        "timezone": "Asia/Jakarta",
        "allowance": "100000",
        "per_ticket": {"gold": "75000"},
        "default_per_ticket": "25000",
    }
    desk = Desk(DeskConfig.from_dict(_doc(g)))
    eve = datetime(2026, 11, 11, 23, 30, tzinfo=WIB)
    desk.add_agent(AgentProfile("budi", capacity={"chat": 3}), at=eve, presence="available")
    for tid in ("wa-1", "wa-2", "wa-3"):
        desk.submit(Ticket(tid, Customer(f"c-{tid}", Tier("gold", 2)), "chat", eve), at=eve)
    [a] = desk.grant_goodwill("wa-1", "budi", "60000", "refund_ongkir", at=eve)
    assert isinstance(a, GoodwillGranted)
    assert a.remaining == Decimal(40000)
    # 60.000 + 50.000 > 100.000: a request, nothing charged.
    [b] = desk.grant_goodwill(
        "wa-2", "budi", "50000", "refund_ongkir", at=eve + timedelta(minutes=20)
    )
    assert isinstance(b, GoodwillRequested)
    assert b.why == "IDR 50000 is over what is left of 'agent:budi' for 2026-11-11: 40000"
    assert desk.goodwill_balances() == {"agent:budi": (Decimal(60000), Decimal(100000))}
    # 12 November 00:10 WIB (17:10 UTC the day before): a fresh day.
    [c] = desk.grant_goodwill(
        "wa-3", "budi", "50000", "refund_ongkir", at=eve + timedelta(minutes=40)
    )
    assert isinstance(c, GoodwillGranted)
    assert c.remaining == Decimal(50000)
    # The supervisor approves the 11.11 request: on the ticket, not on Budi's allowance.
    [d] = desk.approve_goodwill(b.request_id, "lead-rina", at=eve + timedelta(minutes=45))
    assert isinstance(d, GoodwillGranted)
    assert (d.budget, d.remaining) == ("approval", None)
    assert desk.goodwill_balances() == {"agent:budi": (Decimal(50000), Decimal(100000))}
    # wa-2 now holds 50.000 of its 75.000: a second 30.000 is over the ticket's limit.
    [e] = desk.grant_goodwill("wa-2", "budi", "30000", "voucher", at=eve + timedelta(minutes=50))
    assert isinstance(e, GoodwillRequested)
    assert "over the 'gold' limit of 75000" in e.why


@pytest.mark.parametrize(
    "amount",
    [
        "NaN",
        "-5000",
        "0",
        "1e15",
        "1000000000000000",
        "2500.5",
        "1e-99999999",
        "Rp25000",
        "２５０００",
        2.5,
        True,
        None,
    ],
)
def test_hostile_amounts_are_refused_and_change_nothing(amount: object) -> None:
    g = {
        "currency": "IDR",
        "decimals": 0,
        "period": "day",
        "timezone": "Asia/Jakarta",
        "allowance": "100000",
    }
    desk = Desk(DeskConfig.from_dict(_doc(g)))
    t = datetime(2026, 11, 11, 10, 0, tzinfo=WIB)
    desk.add_agent(AgentProfile("budi", capacity={"chat": 1}), at=t, presence="available")
    desk.submit(Ticket("wa-1", Customer("ani", Tier("gold", 2)), "chat", t), at=t)
    desk.grant_goodwill("wa-1", "budi", "1000", "voucher", at=t)
    before = json.dumps(desk.snapshot(), sort_keys=True)
    with pytest.raises(ConfigError) as caught:
        desk.grant_goodwill("wa-1", "budi", amount, "voucher", at=t + timedelta(minutes=1))
    assert repr(amount) in str(caught.value) or str(amount) in str(caught.value)
    assert json.dumps(desk.snapshot(), sort_keys=True) == before


@pytest.mark.parametrize(
    "amount", ["0" * 5000 + "25000", Decimal("25000." + "0" * 5000), "0" * 60 + "25000"]
)
def test_an_amount_no_journal_row_could_hold_is_refused(amount: object) -> None:
    # A grant of "000...25000" (5,005 characters) was granted, yet its command cannot be
    # written as a journal row a restore reads back (GrantGoodwill refuses it): the desk
    # applied a command no host could journal.  Amounts are written in 64 characters at most.
    g = {"currency": "IDR", "decimals": 0, "period": "day", "allowance": "100000"}
    desk = Desk(DeskConfig.from_dict(_doc(g)))
    t = datetime(2026, 11, 11, 10, 0, tzinfo=WIB)
    desk.add_agent(AgentProfile("budi", capacity={"chat": 1}), at=t, presence="available")
    desk.submit(Ticket("wa-1", Customer("ani", Tier("gold", 2)), "chat", t), at=t)
    before = json.dumps(desk.snapshot(), sort_keys=True)
    with pytest.raises(ConfigError) as caught:
        desk.grant_goodwill("wa-1", "budi", amount, "voucher", at=t)
    assert "must be written in at most 64 characters" in str(caught.value)
    assert json.dumps(desk.snapshot(), sort_keys=True) == before
    # 64 characters are enough for any amount, and journal as a command.
    [granted] = desk.grant_goodwill("wa-1", "budi", "0" * 59 + "25000", "voucher", at=t)
    assert isinstance(granted, GoodwillGranted)
    assert granted.amount == Decimal(25000)
    command = GrantGoodwill("wa-1", "budi", "0" * 59 + "25000", "voucher", at=t)
    assert command_from_dict(json.loads(json.dumps(command.to_dict()))) == command


def test_people_report_refuses_a_grant_a_desk_could_not_write() -> None:
    # Built by hand: 25000 with 5,000 trailing zeros is not an amount a desk writes.
    at = datetime(2026, 11, 11, 10, 0, tzinfo=WIB)
    long = Decimal("25000." + "0" * 5000)
    fine = GoodwillGranted(
        at, "wa-1", "budi", Decimal(25000), "IDR", "r", "gold", "agent:budi", None
    )
    report = people_report([fine])
    assert report.goodwill_by_agent["budi"].amount == Decimal(25000)
    with pytest.raises(ConfigError) as caught:
        people_report([fine, attrs.evolve(fine, amount=long)])
    assert caught.value.path == "events[1].amount"
