"""Text that UTF-8 cannot carry: a lone surrogate (U+D800-U+DFFF) in an id or a free text.

A Python string may hold one (``"T\\ud800"``, or what ``json.loads`` makes of a lone
``\\ud800`` escape); no UTF-8 text can, and a JavaScript reader puts U+FFFD in its place.  The
desk refuses such text where it takes an id or a free text from the host, so every event it
emits encodes as UTF-8; and a row or snapshot read back with such an escape is refused with
the path to it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import (
    AgentProfile,
    ConfigError,
    Customer,
    Desk,
    DeskConfig,
    FeedbackRecorded,
    Ticket,
    Tier,
    event_from_dict,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GOLD = Tier("gold", 3)
CONFIG = DeskConfig.from_dict(
    {"queues": [{"name": "general"}], "teams": {"cs": {"queue": "general"}}}
)
REFUSED = r"must be text without lone surrogates \(U\+D800-U\+DFFF\), got "

# Characters of every kind, lone surrogates among them (Hypothesis leaves those out of text
# by default), so that about half the strings drawn hold one.
SURROGATE = st.integers(0xD800, 0xDFFF).map(chr)
CHARS = st.one_of(st.characters(max_codepoint=0x7F), st.characters(), SURROGATE)
TEXT = st.lists(CHARS, min_size=1, max_size=12).map("".join)
WITH_SURROGATE = st.tuples(TEXT, SURROGATE, TEXT).map("".join)


def utf8(text: str) -> bool:
    """The reference: *text* is what UTF-8 can encode."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _build(where: str, text: str) -> tuple[object, object]:
    """A value built with *text* at *where*, and what it holds there."""
    c = Customer("c1", GOLD)
    if where == "ticket id":
        t = Ticket(text, c, "chat", T0)
        return t, t.id
    if where == "customer id":
        c = Customer(text, GOLD)
        return c, c.id
    if where == "preferred agent":
        c = Customer("c1", GOLD, preferred_agent=text)
        return c, c.preferred_agent
    if where == "agent id":
        a = AgentProfile(text)
        return a, a.id
    if where == "agent name":
        a = AgentProfile("a1", name=text)
        return a, a.name
    if where == "attribute value":
        t = Ticket("t1", c, "chat", T0, attributes={"order": {"notes": ["x", text]}})
        return t, t.attributes["order"]["notes"][1]
    assert where == "attribute name"
    c = Customer("c1", GOLD, attributes={"address": {text: 1}})
    return c, next(iter(c.attributes["address"]))


WHERE = st.sampled_from(
    [
        "ticket id",
        "customer id",
        "preferred agent",
        "agent id",
        "agent name",
        "attribute value",
        "attribute name",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(TEXT, st.text()))
def test_encodable_is_exactly_what_utf8_encodes(text: str) -> None:
    # (Imported here: the other tests also run against a version without it.)
    from csflow._plain import encodable

    assert encodable(text) is utf8(text)


@settings(max_examples=200, deadline=None)
@given(WHERE, TEXT)
def test_host_text_is_accepted_exactly_when_utf8_encodes_it(where: str, text: str) -> None:
    if utf8(text):
        _, held = _build(where, text)
        assert held == text
    else:
        with pytest.raises(ConfigError, match=REFUSED):
            _build(where, text)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("T-1", True),
        ("T\U0001f600", True),  # an emoji: one code point, four UTF-8 bytes
        ("Tícket-ñ", True),
        ("T" + chr(0xD800), False),
        ("T" + chr(0xDC80), False),  # what os.fsdecode makes of the byte 0x80
        # The UTF-16 pair of the emoji, as two code points: a Python string, not the emoji.
        ("T" + chr(0xD83D) + chr(0xDE00), False),
    ],
)
def test_worked_examples(text: str, ok: bool) -> None:
    if ok:
        assert Ticket(text, Customer("c1", GOLD), "chat", T0).id == text
    else:
        with pytest.raises(ConfigError, match=rf"^ticket id {REFUSED}"):
            Ticket(text, Customer("c1", GOLD), "chat", T0)


def test_refusal_names_the_value_escaped() -> None:
    with pytest.raises(ConfigError) as info:
        Customer("c\ud800", GOLD)
    message = str(info.value)
    assert message == (
        "customer id must be text without lone surrogates (U+D800-U+DFFF), got 'c\\ud800'"
    )
    message.encode("utf-8")  # the message itself travels
    with pytest.raises(ConfigError, match=rf"^attributes\.order\.note {REFUSED}'x\\udfff'$"):
        Ticket("t1", Customer("c1", GOLD), "chat", T0, attributes={"order": {"note": "x\udfff"}})


def _solved() -> Desk:
    desk = Desk(CONFIG)
    desk.add_agent(AgentProfile("sari", capacity={"chat": 3}), at=T0, presence="available")
    desk.submit(Ticket("t1", Customer("c1", GOLD), "chat", T0), at=T0)
    desk.resolve("t1", "sari", at=T0 + timedelta(minutes=5))
    return desk


def _frozen(desk: Desk) -> Any:
    return json.dumps(desk.snapshot()), desk.history("t1"), desk.ticket("t1")


@settings(max_examples=25, deadline=None)
@given(WITH_SURROGATE)
def test_a_comment_with_a_lone_surrogate_is_refused_and_changes_nothing(comment: str) -> None:
    desk = _solved()
    before = _frozen(desk)
    at = T0 + timedelta(hours=1)
    with pytest.raises(ConfigError, match=rf"^comment {REFUSED}"):
        desk.record_feedback("t1", 4, comment, at=at)
    assert _frozen(desk) == before
    # The cycle is still open for a rating.
    [e] = desk.record_feedback("t1", 4, comment.encode("utf-8", "replace").decode(), at=at)
    assert isinstance(e, FeedbackRecorded)
    replaced = "".join("?" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in comment)
    assert (e.rating, e.comment) == (4, replaced)


@settings(max_examples=15, deadline=None)
@given(TEXT, TEXT)
def test_every_event_of_accepted_text_travels_as_utf8(ident: str, comment: str) -> None:
    """What the desk accepted, it emits as rows that encode as UTF-8 and read back equal."""
    desk = Desk(CONFIG)
    try:
        agent = AgentProfile(ident, capacity={"chat": 3}, name=comment)
        ticket = Ticket(ident, Customer(ident, GOLD), "chat", T0, attributes={ident: comment})
    except ConfigError:
        assert not (utf8(ident) and utf8(comment))
        return
    assert utf8(ident)
    assert utf8(comment)
    events = desk.add_agent(agent, at=T0, presence="available")
    events += desk.submit(ticket, at=T0)
    events += desk.resolve(ident, ident, at=T0 + timedelta(minutes=5))
    events += desk.record_feedback(ident, 5, comment, at=T0 + timedelta(hours=1))
    for e in events:
        row = json.dumps(e.to_dict(), ensure_ascii=False).encode("utf-8")
        assert event_from_dict(json.loads(row.decode("utf-8"))) == e
    json.dumps(desk.snapshot(), ensure_ascii=False).encode("utf-8")


def test_a_row_with_a_lone_surrogate_escape_is_refused_with_its_path() -> None:
    desk = _solved()
    [e] = desk.record_feedback("t1", 5, "cepat", at=T0 + timedelta(hours=1))
    text = json.dumps(e.to_dict())
    assert event_from_dict(json.loads(text)) == e
    # A JSON escape of a lone surrogate is valid JSON (json.loads reads it), not UTF-8 text.
    bad = json.loads(text.replace('"cepat"', '"cep\\ud800at"'))
    with pytest.raises(ConfigError, match=r"^event\.comment: expected text without lone"):
        event_from_dict(bad)
    bad = json.loads(text.replace('"t1"', '"\\udfff"'))
    with pytest.raises(ConfigError, match=r"^event\.ticket_id: expected text without lone"):
        event_from_dict(bad)
    # A pair of escapes is one character, read as such.
    good = json.loads(text.replace('"cepat"', '"\\ud83d\\ude00"'))
    assert event_from_dict(good).comment == "\U0001f600"  # type: ignore[union-attr]


def test_a_snapshot_with_a_lone_surrogate_escape_is_refused_with_its_path() -> None:
    text = json.dumps(_solved().snapshot())
    assert text.count('"c1"') >= 1
    bad = json.loads(text.replace('"c1"', '"c\\ud800"'))
    with pytest.raises(
        ConfigError, match=r"^snapshot\.\S+: .*without lone surrogates .*'c\\ud800'$"
    ):
        Desk.restore(CONFIG, bad)
    # The same snapshot with an escaped pair reads back: its customer id is the emoji.
    good = json.loads(text.replace('"c1"', '"c\\ud83d\\ude00"'))
    restored = Desk.restore(CONFIG, good)
    assert restored.ticket("t1").ticket.customer.id == "c\U0001f600"
