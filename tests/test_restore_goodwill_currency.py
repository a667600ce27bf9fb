"""Pending goodwill requests an accepted config change drops -- another currency, or goodwill
switched off -- are declined, and the host hears of it in ``on_config_change`` (the tickets'
histories say so too): a read model built from the outbox never shows a request nobody can
answer, and ``check_invariants`` holds on the restored desk."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, ConfigError, Customer, Desk, DeskConfig, Event, Ticket, Tier
from csflow.desk import goodwill
from csflow.desk.goodwill import GoodwillLedger, GoodwillPolicy
from csflow.errors import CsflowError
from csflow.events import GoodwillDeclined, GoodwillRequested
from csflow.testing import check_invariants

T0 = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)


def _config(currency: str = "IDR", decimals: int = 0, **goodwill: Any) -> DeskConfig:
    policy = {
        "currency": currency,
        "decimals": decimals,
        "allowance": "100000" if decimals == 0 else "100",
        "default_per_ticket": "10000" if decimals == 0 else "10",
        "over_limit": "approval",
        **goodwill,
    }
    return DeskConfig.from_dict({"goodwill": policy})


IDR = _config()
USD = _config("USD", 2)
OFF = DeskConfig.from_dict({})


def _snap(desk: Desk) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(json.dumps(desk.snapshot()))
    return out


def _asking_desk() -> tuple[Desk, list[GoodwillRequested]]:
    """Two tickets, three requests over the limit (one answered), one grant within it."""
    desk = Desk(IDR)
    desk.add_agent(AgentProfile("sari", capacity={"chat": 2}), at=T0, presence="available")
    for tid in ("T-1", "T-2"):
        desk.submit(Ticket(tid, Customer("ayu", Tier("gold", 3)), "chat", T0), at=T0)
    asked = []
    for tid, amount in (("T-1", "50000"), ("T-2", "20000"), ("T-1", "30000")):
        (e,) = desk.grant_goodwill(tid, "sari", amount, "voucher", at=T0)
        assert isinstance(e, GoodwillRequested)
        asked.append(e)
    desk.grant_goodwill("T-2", "sari", "5000", "voucher", at=T0)
    desk.decline_goodwill(asked[1].request_id, "lead", at=T0 + timedelta(minutes=1))
    return desk, [asked[0], asked[2]]


def _declines(moved: list[Event]) -> list[GoodwillDeclined]:
    return [e for e in moved if isinstance(e, GoodwillDeclined)]


def test_a_currency_change_declines_each_pending_request_and_tells_the_host() -> None:
    desk, pending = _asking_desk()
    assert list(desk.goodwill_requests()) == [e.request_id for e in pending]
    snap = _snap(desk)
    moved: list[Event] = []
    restored = Desk.restore(USD, copy.deepcopy(snap), on_config_change=moved)
    declined = _declines(moved)
    assert [(e.request_id, e.ticket_id, e.agent_id, e.amount) for e in declined] == [
        (e.request_id, e.ticket_id, e.agent_id, e.amount) for e in pending
    ]
    at = T0 + timedelta(minutes=1)
    for e in declined:
        assert e.at == at  # the snapshot's instant
        assert e.supervisor == "config change: goodwill currency IDR changed to USD"
        assert restored.history(e.ticket_id).count(e) == 1
    assert restored.goodwill_requests() == ()
    check_invariants(restored)
    # A declined request cannot be answered again.
    with pytest.raises(CsflowError, match="no pending goodwill request"):
        restored.approve_goodwill(pending[0].request_id, "lead", at=at)
    # Its plain form goes on the wire like any event.
    assert json.loads(json.dumps(declined[0].to_dict()))["supervisor"].startswith("config")


def test_goodwill_switched_off_then_on_again_leaves_no_request_unanswered() -> None:
    desk, pending = _asking_desk()
    moved: list[Event] = []
    off = Desk.restore(OFF, _snap(desk), on_config_change=moved)
    declined = _declines(moved)
    assert [e.request_id for e in declined] == [e.request_id for e in pending]
    assert {e.supervisor for e in declined} == {"config change: goodwill switched off"}
    check_invariants(off)
    again: list[Event] = []
    on = Desk.restore(IDR, _snap(off), on_config_change=again)
    assert _declines(again) == []  # told once
    assert on.goodwill_requests() == ()
    check_invariants(on)  # every request in the histories was answered
    for e in pending:
        assert on.history(e.ticket_id).count(declined[pending.index(e)]) == 1


def test_the_same_currency_or_an_edited_allowance_drops_nothing() -> None:
    desk, pending = _asking_desk()
    moved: list[Event] = []
    edited = _config(allowance="200000")
    restored = Desk.restore(edited, _snap(desk), on_config_change=moved)
    assert _declines(moved) == []
    assert restored.goodwill_requests() == tuple(e.request_id for e in pending)
    check_invariants(restored)


def test_a_ledger_hands_back_the_requests_it_drops() -> None:
    ledger = GoodwillLedger(GoodwillPolicy("EUR", decimals=2, allowance="100"))
    rid = ledger.request("t", "budi", Decimal("12.50"), "late", "gold")
    state = json.loads(json.dumps(ledger.to_state({"t"})))
    same = GoodwillLedger(GoodwillPolicy("EUR", decimals=2, allowance="100"))
    assert same.load_state(state, {"t"}) == []
    other = GoodwillLedger(GoodwillPolicy("IDR", decimals=0, allowance="100000"))
    (dropped,) = other.load_state(state, {"t"}, changed=True)
    assert (dropped.request_id, dropped.ticket_id, dropped.agent_id) == (rid, "t", "budi")
    assert (dropped.amount, str(dropped.amount), dropped.currency) == (
        Decimal("12.5"),
        "12.50",  # as the euro ledger wrote it
        "EUR",
    )
    assert other.requests() == ()


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda g: g["pending"][0].__setitem__(1, "nobody"), "goodwill.pending[0]"),
        (lambda g: g["pending"][0].__setitem__(3, "-5"), "goodwill.pending[0]"),
        (lambda g: g.__setitem__("count", -1), "goodwill.count"),
        (lambda g: g.__setitem__("currency", 7), "goodwill.currency"),
    ],
)
def test_dropped_requests_are_read_with_the_ledgers_checks(change: Any, path: str) -> None:
    ledger = GoodwillLedger(GoodwillPolicy("EUR", decimals=2, allowance="100"))
    ledger.request("t", "budi", Decimal("12.50"), "late", "gold")
    state = json.loads(json.dumps(ledger.to_state({"t"})))
    change(state)
    with pytest.raises(ConfigError) as err:
        goodwill.dropped_requests(state, {"t"}, "goodwill")
    assert err.value.path == path


def test_a_tampered_request_under_a_dropping_change_is_refused_with_its_path() -> None:
    desk, _ = _asking_desk()
    snap = _snap(desk)
    snap["state"]["goodwill"]["pending"][0][3] = "fifty"
    for config in (USD, OFF):
        with pytest.raises(ConfigError) as err:
            Desk.restore(config, copy.deepcopy(snap), on_config_change=[])
        assert err.value.path == "snapshot.state.goodwill.pending[0]"


@settings(max_examples=30, deadline=None)
@given(
    grants=st.lists(
        st.tuples(
            st.sampled_from(["T-1", "T-2", "T-3"]),
            st.sampled_from(["1000", "9000", "20000", "60000"]),
            st.sampled_from(["grant", "grant", "approve", "decline"]),
        ),
        max_size=12,
    ),
    target=st.sampled_from(["USD", "off"]),
    history=st.booleans(),
)
def test_any_ledger_restored_under_a_dropping_change_keeps_the_kits_invariant(
    grants: list[tuple[str, str, str]], target: str, history: bool
) -> None:
    config = DeskConfig.from_dict({**IDR.to_dict(), "keep_history": history})
    desk = Desk(config)
    desk.add_agent(AgentProfile("sari", capacity={"chat": 3}), at=T0, presence="available")
    for tid in ("T-1", "T-2", "T-3"):
        desk.submit(Ticket(tid, Customer("ayu", Tier("gold", 3)), "chat", T0), at=T0)
    for i, (tid, amount, verb) in enumerate(grants):
        at = T0 + timedelta(minutes=i)
        pending = desk.goodwill_requests()
        if verb == "grant" or not pending:
            desk.grant_goodwill(tid, "sari", amount, "voucher", at=at)
        elif verb == "approve":
            desk.approve_goodwill(pending[0], "lead", at=at)
        else:
            desk.decline_goodwill(pending[0], "lead", at=at)
    check_invariants(desk)
    new = USD if target == "USD" else OFF
    new = DeskConfig.from_dict({**new.to_dict(), "keep_history": history})
    moved: list[Event] = []
    restored = Desk.restore(new, _snap(desk), on_config_change=moved)
    assert [e.request_id for e in _declines(moved)] == list(desk.goodwill_requests())
    check_invariants(restored)
    back = Desk.restore(config, _snap(restored), on_config_change=[])
    check_invariants(back)
    assert back.goodwill_requests() == ()
