"""A goodwill reason, a supervisor's name and a journal row's text: no lone surrogates.

Each reaches an event (or a journal row) as the host gave it; one holding a lone surrogate
(U+D800-U+DFFF) could not be written as UTF-8.  Refused, changing nothing; a journal row read
back with a lone ``\\ud800`` escape is refused with the path to it.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
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
    GoodwillRequested,
    Ticket,
    Tier,
)
from csflow.desk.commands import RecordFeedback, Reply, command_from_dict

JKT = ZoneInfo("Asia/Jakarta")
T0 = datetime(2026, 3, 31, 16, 0, tzinfo=JKT)
GOODWILL: dict[str, Any] = {
    "currency": "IDR",
    "decimals": 0,
    "period": "month",
    "timezone": "Asia/Jakarta",
    "allowance": "50000",
    "default_per_ticket": "25000",
    "over_limit": "approval",
}
REFUSED = r"must be text without lone surrogates \(U\+D800-U\+DFFF\), got "
SURROGATE = st.integers(0xD800, 0xDFFF).map(chr)
CHARS = st.one_of(st.characters(max_codepoint=0x7F), st.characters(), SURROGATE)
TEXT = st.lists(CHARS, min_size=1, max_size=12).map("".join)


def utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _desk() -> Desk:
    desk = Desk(DeskConfig.from_dict({"goodwill": GOODWILL}))
    desk.add_agent(AgentProfile("budi", capacity={"whatsapp": 3}), at=T0, presence="available")
    desk.submit(Ticket("t0", Customer("c0", Tier("gold", 3)), "whatsapp", T0), at=T0)
    return desk


def _frozen(desk: Desk) -> Any:
    return json.dumps(desk.snapshot()), desk.goodwill_balances(), desk.goodwill_requests()


@settings(max_examples=30, deadline=None)
@given(TEXT)
def test_a_reason_is_accepted_exactly_when_utf8_encodes_it(reason: str) -> None:
    desk = _desk()
    before = _frozen(desk)
    if utf8(reason):
        [e] = desk.grant_goodwill("t0", "budi", "10000", reason, at=T0)
        json.dumps(e.to_dict(), ensure_ascii=False).encode("utf-8")
    else:
        with pytest.raises(ConfigError, match=rf"^reason {REFUSED}"):
            desk.grant_goodwill("t0", "budi", "10000", reason, at=T0)
        assert _frozen(desk) == before


@settings(max_examples=20, deadline=None)
@given(TEXT)
def test_a_supervisor_is_accepted_exactly_when_utf8_encodes_it(supervisor: str) -> None:
    desk = _desk()
    [req] = desk.grant_goodwill("t0", "budi", "40000", "refund", at=T0)  # over the ticket limit
    assert isinstance(req, GoodwillRequested)
    rid = req.request_id
    at = T0 + timedelta(minutes=1)
    before = _frozen(desk)
    if utf8(supervisor):
        [e, *_] = desk.approve_goodwill(rid, supervisor, at=at)
        json.dumps(e.to_dict(), ensure_ascii=False).encode("utf-8")
    else:
        for answer in (desk.approve_goodwill, desk.decline_goodwill):
            with pytest.raises(ConfigError, match=rf"^supervisor {REFUSED}"):
                answer(rid, supervisor, at=at)
        assert _frozen(desk) == before


def test_a_journal_row_with_a_lone_surrogate_escape_is_refused_with_its_path() -> None:
    row = json.dumps(Reply("t1", "sari", at=T0).to_dict())
    assert command_from_dict(json.loads(row)) == Reply("t1", "sari", at=T0)
    bad = json.loads(row.replace('"sari"', '"sa\\ud800ri"'))
    with pytest.raises(ConfigError, match=r"^command\.agent_id: expected text without lone"):
        command_from_dict(bad)
    row = json.dumps(RecordFeedback("t1", 5, "ok", at=T0).to_dict())
    bad = json.loads(row.replace('"ok"', '"o\\udfffk"'))
    with pytest.raises(ConfigError, match=r"^command\.comment: expected text without lone"):
        command_from_dict(bad)
    # A command built in Python is refused as it is made, before it reaches a journal.
    with pytest.raises(ConfigError, match=r"expected text without lone"):
        Reply("t1", "sa\ud800ri", at=T0)
    # A pair of escapes is one character.
    good = json.loads(row.replace('"ok"', '"\\ud83d\\ude00"'))
    assert command_from_dict(good) == RecordFeedback("t1", 5, "\U0001f600", at=T0)


def test_a_snapshot_or_journal_with_a_lone_surrogate_escape_anywhere_is_refused() -> None:
    desk = _desk()
    config = desk.config
    desk.grant_goodwill("t0", "budi", "10000", "refund", at=T0)
    text = json.dumps(desk.snapshot())
    assert '"refund"' in text
    bad = json.loads(text.replace('"refund"', '"ref\\ud800und"'))
    with pytest.raises(ConfigError, match=r"^snapshot\.\S+: expected text without lone"):
        Desk.restore(config, bad)
    row = Reply("t0", "budi", at=T0 + timedelta(minutes=1)).to_dict()
    assert Desk.restore(config, json.loads(text), journal=[row]).ticket("t0") is not None
    bad_row = json.loads(json.dumps(row).replace('"budi"', '"bu\\udfffdi"'))
    with pytest.raises(ConfigError, match=r"\.agent_id: expected text without lone"):
        Desk.restore(config, json.loads(text), journal=[bad_row])
