"""A restore reads the tiers and customers its tickets share once, and decodes event fields
through readers worked out once per type: the same values and the same refusals as reading
each on its own.

The reference for :func:`ticket_from_dict` with a *shared* cache is the same function without
one (each ticket read afresh); for :func:`csflow._plain.decode_fields`, the general per-value
reader ``_decode``.  The restore law itself (a restored desk's snapshot and future are the
original's) is ``tests/test_state_snapshot.py``; here a desk whose tickets share customers and
tiers is checked against it by hand.
"""

from __future__ import annotations

import enum
import json
import typing
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import _plain
from csflow.desk import Desk, DeskConfig
from csflow.desk.serialisation import ticket_from_dict, ticket_to_dict
from csflow.errors import ConfigError
from csflow.model import AgentProfile, Customer, Ticket, Tier

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

# Values a tampered snapshot may hold where a desk writes a str, an int or null: True and 3.0
# equal (and hash like) 1 and 3, so a cache keyed by value alone would let them through.
_names = st.sampled_from(["gold", "silver", "", "x" * 70, 3, None, "gold\ud800"])
_ranks = st.sampled_from([3, 1, 0, True, 3.0, 1.0, -1, "3", None, 2**70])
_ids = st.sampled_from(["c1", "c2", "", 1, True, None, "c\ud800"])
_languages = st.sampled_from([None, "id", "en", "ID", 1, "", True])
_preferred = st.sampled_from([None, "a1", "", 1, True])
_attributes: st.SearchStrategy[Any] = st.sampled_from(
    [{}, {"vip": True}, {"vip": 1}, [], None, {1: 2}]
)


@st.composite
def _customers(draw: st.DrawFn) -> dict[str, Any]:
    tier: Any = {"name": draw(_names), "rank": draw(_ranks)}
    if draw(st.integers(0, 9)) == 0:
        tier = draw(st.sampled_from([{"name": "gold"}, {"name": "gold", "rank": 3, "x": 1}, []]))
    out = {
        "id": draw(_ids),
        "tier": tier,
        "language": draw(_languages),
        "preferred_agent": draw(_preferred),
        "attributes": draw(_attributes),
    }
    if draw(st.integers(0, 9)) == 0:
        del out[draw(st.sampled_from(sorted(out)))]
    return out


@st.composite
def _rows(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "id": draw(st.sampled_from(["t1", "t2", ""])),
        "customer": draw(_customers()),
        "channel": draw(st.sampled_from(["chat", "email", "nope"])),
        "created_at": "2026-03-02T09:00:00+00:00",
        "priority": "normal",
        "category": "general",
        "language": draw(st.sampled_from([None, "id", 7])),
        "required_skills": draw(st.sampled_from([{}, {"billing": 2}, []])),
        "attributes": draw(_attributes),
    }


def _read(row: object, shared: dict[tuple[Any, ...], Any] | None) -> tuple[str, object]:
    try:
        if shared is None:
            ticket = ticket_from_dict(row, "t")
        else:
            ticket = ticket_from_dict(row, "t", shared=shared)
    except ConfigError as exc:
        return "refused", str(exc)
    c = ticket.customer
    return "read", (ticket, ticket_to_dict(ticket), dict(c.attributes), c.tier.rank)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.lists(_rows(), min_size=1, max_size=12))
def test_shared_reading_is_reading_each_alone(rows: list[dict[str, Any]]) -> None:
    shared: dict[tuple[Any, ...], Any] = {}
    for row in rows:
        alone = _read(row, None)
        got = _read(row, shared)
        assert got[0] == alone[0], (row, got, alone)
        if got[0] == "refused":
            assert got[1] == alone[1]
        else:
            assert got[1] == alone[1]
            ticket, plain = got[1][0], got[1][1]  # type: ignore[index]
            assert type(ticket.customer.tier.rank) is int
            assert plain == ticket_to_dict(ticket)


def test_a_cached_tier_does_not_let_an_equal_value_of_another_type_through() -> None:
    shared: dict[tuple[Any, ...], Any] = {}
    good = ticket_to_dict(Ticket("t1", Customer("c1", Tier("vip", 1)), "chat", T0))
    first = ticket_from_dict(good, shared=shared)
    assert first.customer.tier == Tier("vip", 1)
    again = ticket_from_dict(json.loads(json.dumps(good)), shared=shared)
    assert again.customer is first.customer  # (read once, shared: a customer is immutable)
    for rank in (True, 1.0):
        bad = json.loads(json.dumps(good))
        bad["customer"]["tier"]["rank"] = rank
        with pytest.raises(ConfigError, match=r"rank must be a non-negative int, got "):
            ticket_from_dict(bad, "snapshot.state.tickets[1].ticket", shared=shared)
    bad = json.loads(json.dumps(good))
    bad["customer"]["id"] = True
    with pytest.raises(ConfigError) as info:
        ticket_from_dict(bad, "t", shared=shared)
    assert info.value.path.startswith("t.customer")
    # A customer with attributes is read afresh: they do not take part in its equality.
    rich = json.loads(json.dumps(good))
    rich["customer"]["attributes"] = {"segment": "b2b"}
    read = ticket_from_dict(rich, shared=shared)
    assert dict(read.customer.attributes) == {"segment": "b2b"}
    assert dict(ticket_from_dict(good, shared=shared).customer.attributes) == {}


def _desk_config() -> DeskConfig:
    return DeskConfig.from_dict(
        {
            "tiers": [{"name": "gold", "rank": 3}, {"name": "regular", "rank": 1}],
            "calendars": {"24x7": {"timezone": "Asia/Jakarta", "always_open": True}},
            "sla_policies": [
                {
                    "name": "chat",
                    "calendar": "24x7",
                    "targets": {"first_response": "PT15M", "resolution": "PT4H"},
                }
            ],
            "default_sla_policy": "chat",
        }
    )


def test_a_desk_of_shared_customers_restores_to_its_own_snapshot_and_future() -> None:
    config = _desk_config()
    desk = Desk(config)
    for i in range(3):
        desk.add_agent(AgentProfile(f"a{i}", capacity={"chat": 1}), at=T0, presence="available")
    tiers = [Tier("gold", 3), Tier("regular", 1)]
    for i in range(12):
        customer = Customer(f"c{i % 4}", tiers[i % 2], language="id" if i % 3 else None)
        desk.submit(Ticket(f"t{i}", customer, "chat", T0), at=T0 + timedelta(seconds=i))
    desk.reply("t0", "a0", at=T0 + timedelta(minutes=1))
    desk.set_status("t0", "pending", at=T0 + timedelta(minutes=2))
    snap = desk.snapshot()
    back = Desk.restore(config, json.loads(json.dumps(snap)))
    assert back.snapshot() == snap
    # The customers read once are the ones the tickets were submitted with.
    for tid in desk.tickets():
        assert back.ticket(tid) == desk.ticket(tid)
    later = T0 + timedelta(hours=5)
    assert back.advance(at=later) == desk.advance(at=later)
    for tid in ("t1", "t2"):
        agent = desk.ticket(tid).agent_id
        if agent is not None:
            assert back.resolve(tid, agent, at=later) == desk.resolve(tid, agent, at=later)
    assert back.snapshot() == desk.snapshot()


class _Colour(enum.Enum):
    RED = "red"
    ONE = 1


@attrs.frozen
class _Row:
    text: str
    count: int
    flag: bool
    ratio: float
    maybe: str | None
    maybe_count: int | None
    colour: _Colour
    maybe_colour: _Colour | None
    names: tuple[str, ...]
    when: datetime
    amount: Decimal


_HINTS = typing.get_type_hints(_Row)
_values: st.SearchStrategy[Any] = st.sampled_from(
    [
        "red",
        "",
        "é",
        "x\ud800",
        "y" * 65_537,
        1,
        0,
        -3,
        True,
        False,
        2.0,
        2.5,
        float("nan"),
        None,
        [],
        ["a"],
        {},
        "2026-03-02T09:00:00+00:00",
        "1.50",
        _Colour.RED,
        10**20,
    ]
)


def _reference(data: dict[str, Any], hooks: dict[type, Any]) -> object:
    try:
        kwargs = {
            f.name: _plain._decode(_HINTS[f.name], data[f.name], f"r.{f.name}", hooks)
            for f in attrs.fields(_Row)
        }
        return _Row(**kwargs)
    except ConfigError as exc:
        return str(exc)


def _decoded(data: dict[str, Any], hooks: dict[type, Any] | None) -> object:
    try:
        return _plain.decode_fields(_Row, data, "r", hooks=hooks)
    except ConfigError as exc:
        return str(exc)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.fixed_dictionaries({f.name: _values for f in attrs.fields(_Row)}), st.booleans())
def test_decoded_fields_are_the_general_readers(data: dict[str, Any], hook: bool) -> None:
    hooks: dict[type, Any] = {str: lambda v, p: f"<{v}>"} if hook else {}
    want = _reference(data, hooks)
    got = _decoded(data, hooks if hook else None)
    if isinstance(want, str) or isinstance(got, str):
        assert got == want
    else:
        assert attrs.asdict(got) == attrs.asdict(want)  # type: ignore[arg-type]
        for f in attrs.fields(_Row):
            assert type(getattr(got, f.name)) is type(getattr(want, f.name)), f.name


def test_decoded_fields_worked_examples() -> None:
    data = {
        "text": "hi",
        "count": 2.0,  # a whole number read as the int
        "flag": False,
        "ratio": 1,
        "maybe": None,
        "maybe_count": 3,
        "colour": 1,
        "maybe_colour": "red",
        "names": ["a", "b"],
        "when": "2026-03-02T16:00:00+07:00",
        "amount": "1.50",
    }
    row = _plain.decode_fields(_Row, data, "r")
    assert row == _Row(
        "hi", 2, False, 1.0, None, 3, _Colour.ONE, _Colour.RED, ("a", "b"), T0, Decimal("1.50")
    )
    assert type(row.count) is int
    assert type(row.ratio) is float
    for key, value, message in (
        ("colour", True, "expected one of ['red', 1], got True"),
        ("count", True, "expected int, got True"),
        ("flag", 1, "expected bool, got 1"),
        ("text", "x\ud800", "got 'x\\ud800'"),
    ):
        with pytest.raises(ConfigError) as info:
            _plain.decode_fields(_Row, {**data, key: value}, "r")
        assert info.value.path == f"r.{key}"
        assert message in str(info.value)
