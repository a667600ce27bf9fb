"""Restoring a state snapshot of many open tickets: the work per ticket stays what the ticket
itself needs (the few SLA targets and queue signatures the tickets share are read once each,
a ticket's facts once), the checks stay whole (a value tampered in one ticket among many
alike is still refused, at its path), and the quick pass over the plain data refuses what
the full walk refuses.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, ConfigError, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.desk import serialisation
from csflow.desk.serialisation import _plain_ok, check_plain
from csflow.model import Channel
from csflow.queues import Signature, TicketQueue
from csflow.sla import clock as clock_module
from csflow.sla import ticket as ticket_module

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GOLD = Tier("gold", 3)
CONFIG = DeskConfig.from_dict(
    {
        "calendars": {"24x7": {"timezone": "Asia/Jakarta", "always_open": True}},
        "sla_policies": [
            {
                "name": "chat",
                "calendar": "24x7",
                "targets": {"first_response": "PT15M", "resolution": "PT4H"},
            }
        ],
        "default_sla_policy": "chat",
        "keep_history": False,
        "keep_log": False,
        "contacts": None,
    }
)
OPEN = 60


def many() -> dict[str, Any]:
    """A desk of OPEN open tickets (two agents take two chats; the rest wait), through JSON."""
    desk = Desk(CONFIG)
    for i in range(2):
        desk.add_agent(AgentProfile(f"a{i}", capacity={"chat": 1}), at=T0, presence="available")
    for i in range(OPEN):
        channel = "chat" if i % 2 else "email"
        desk.submit(Ticket(f"t{i}", Customer(f"o{i}", GOLD), channel, T0), at=T0)
    snap: dict[str, Any] = json.loads(json.dumps(desk.snapshot()))
    return snap


SAVED = many()


def test_a_restore_builds_each_sla_target_once(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[object] = []
    real = clock_module.SlaTarget  # type: ignore[attr-defined]

    def counting(*args: Any, **kwargs: Any) -> Any:
        built.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(clock_module, "SlaTarget", counting)
    desk = Desk.restore(CONFIG, copy.deepcopy(SAVED))
    # Two metrics of one policy: two targets, not two per ticket.
    assert len(built) == 2
    specs = {id(desk._tickets[f"t{i}"].sla._clocks[0]._spec) for i in range(OPEN)}  # type: ignore[union-attr]
    assert len(specs) == 1
    assert json.loads(json.dumps(desk.snapshot())) == SAVED


def test_a_restore_reads_each_tickets_facts_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = itertools.count()
    real = ticket_module._Facts.from_dict.__func__  # type: ignore[attr-defined]

    def counting(cls: Any, *args: Any) -> Any:
        next(calls)
        return real(cls, *args)

    monkeypatch.setattr(ticket_module._Facts, "from_dict", classmethod(counting))
    Desk.restore(CONFIG, copy.deepcopy(SAVED))
    assert next(calls) == OPEN


def test_a_queue_reads_each_shared_signature_once(monkeypatch: pytest.MonkeyPatch) -> None:
    tickets = {f"t{i}": Ticket(f"t{i}", Customer(f"o{i}", GOLD), "chat", T0) for i in range(50)}
    source = TicketQueue("q")
    for i, t in enumerate(tickets.values()):
        sig = Signature.of(t)
        source.push(t, at=T0, signature=sig.on_channel("email") if i % 2 else sig)
    data = json.loads(json.dumps(source.to_state()))
    calls = itertools.count()
    real = Signature.from_state.__func__  # type: ignore[attr-defined]

    def counting(cls: Any, *args: Any) -> Any:
        next(calls)
        return real(cls, *args)

    monkeypatch.setattr(Signature, "from_state", classmethod(counting))
    queue = TicketQueue("q")
    queue.load_state(data, tickets, itertools.count(1000))
    assert next(calls) == 2  # two signatures among the 50 entries
    assert queue.to_state() == source.to_state()


def test_a_bad_signature_after_good_ones_is_refused_at_its_entry() -> None:
    tickets = {f"t{i}": Ticket(f"t{i}", Customer(f"o{i}", GOLD), "chat", T0) for i in range(5)}
    source = TicketQueue("q")
    for t in tickets.values():
        source.push(t, at=T0)
    good = json.loads(json.dumps(source.to_state()))
    for bad in (
        [Channel.CHAT.name, None, [["billing", True]], None],  # a bool is not a proficiency
        [Channel.CHAT.name, None, [["billing", 1.0]], None],
        [Channel.CHAT.name, 7, [], None],
        "chat",
    ):
        data = copy.deepcopy(good)
        data["entries"][3][4] = bad
        with pytest.raises(ConfigError) as info:
            TicketQueue("q").load_state(data, tickets, itertools.count(1000), "queue")
        assert info.value.path.startswith("queue.entries[3]")


CLOCK_TAMPERS = [
    lambda c: c.__setitem__("target_us", c["target_us"] + 1),
    lambda c: c.__setitem__("target_us", 0),
    lambda c: c.__setitem__("warnings", [0.5, 0.75, True]),
    lambda c: c.__setitem__("warnings", [0.5, 0.75, 1]),
    lambda c: c.__setitem__("warnings", [0.5, 0.75, 0.91]),
    lambda c: c.__setitem__("warnings", [0.5, 0.5]),
    lambda c: c.__setitem__("warnings", "x"),
    lambda c: c.__setitem__("warnings", [[0.5], 0.75]),
    lambda c: c.__setitem__("warnings", [0.5, {"x": 1}]),
    lambda c: c.__setitem__("warn_before_us", [5, 5]),
]


@pytest.mark.parametrize("tamper", CLOCK_TAMPERS)
@settings(max_examples=6, deadline=None)
@given(st.integers(1, OPEN - 1), st.sampled_from(["first_response", "resolution"]))
def test_a_target_tampered_in_one_ticket_among_many_alike_is_refused_at_its_clock(
    tamper: Any, i: int, metric: str
) -> None:
    """The targets the tickets share are read once: one tampered in a later ticket is still
    checked, and refused at that clock (not at the snapshot's state as a whole)."""
    data = copy.deepcopy(SAVED)
    clock = data["state"]["tickets"][i]["sla"]["clocks"][metric]
    tamper(clock)
    with pytest.raises(ConfigError) as info:
        Desk.restore(CONFIG, data)
    where = f"snapshot.state.tickets[{i}].sla.clocks.{metric}"
    assert info.value.path.startswith(where), info.value.path
    # Named at the key tampered with, or at the clock (a target the policy does not give).
    assert info.value.path == where or info.value.path.startswith(f"{where}."), info.value.path


def test_facts_after_the_snapshots_instant_are_refused_at_the_spell() -> None:
    data = copy.deepcopy(SAVED)
    facts = data["state"]["tickets"][5]["sla"]["facts"]
    facts["spells"][-1][0] += 10**9
    with pytest.raises(ConfigError) as info:
        Desk.restore(CONFIG, data)
    n = len(facts["spells"]) - 1
    assert info.value.path == f"snapshot.state.tickets[5].sla.facts.spells[{n}]"
    data = copy.deepcopy(SAVED)
    data["state"]["tickets"][5]["sla"]["facts"]["first"] = (
        data["state"]["tickets"][5]["sla"]["last"] + 10**9
    )
    with pytest.raises(ConfigError) as info:
        Desk.restore(CONFIG, data)
    assert info.value.path == "snapshot.state.tickets[5].sla.facts.first"


# -- the quick pass over plain data, against the bounds as the docs state them ---------------

SMALL_STRING, SMALL_DEPTH, SMALL_INT = 4, 4, 1000


def within(data: object, depth: int = 0) -> bool:
    """The bounds of :func:`check_plain` (with small limits), written plainly: no container
    nested at depth SMALL_DEPTH or deeper, no string (value or key) longer than SMALL_STRING,
    no int (not a bool) outside (-SMALL_INT, SMALL_INT)."""
    if isinstance(data, str):
        return len(data) <= SMALL_STRING
    if isinstance(data, bool) or not isinstance(data, int | dict | list | tuple):
        return True
    if isinstance(data, int):
        return type(data) is not int or -SMALL_INT < data < SMALL_INT
    if depth >= SMALL_DEPTH:
        return False
    if isinstance(data, dict):
        keys_ok = all(not isinstance(k, str) or len(k) <= SMALL_STRING for k in data)
        return keys_ok and all(within(v, depth + 1) for v in data.values())
    return all(within(v, depth + 1) for v in data)


class Text(str):
    """A str subclass: not what JSON reads to, still a string to the bounds."""


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2 * SMALL_INT, 2 * SMALL_INT),
    st.floats(allow_nan=False),
    st.text(max_size=6),
    st.text(max_size=6).map(Text),
)
plain = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.text(max_size=6), inner, max_size=4),
    ),
    max_leaves=25,
)


@contextlib.contextmanager
def small_bounds() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(serialisation, "MAX_STRING", SMALL_STRING)
        mp.setattr(serialisation, "MAX_DEPTH", SMALL_DEPTH)
        mp.setattr(serialisation, "MAX_INT", SMALL_INT)
        yield


@settings(max_examples=300, deadline=None)
@given(plain, st.booleans())
def test_check_plain_refuses_exactly_what_is_out_of_bounds(data: object, shared: bool) -> None:
    if shared:
        data = [data, data, [data]]  # one value reached twice, at one depth and another
    ok = within(data)
    with small_bounds():
        if _plain_ok(data):
            assert ok
        if ok:
            check_plain(data, "x")
        else:
            with pytest.raises(ConfigError, match=r"^x"):
                check_plain(data, "x")


@settings(max_examples=100, deadline=None)
@given(plain)
def test_the_quick_pass_reads_json_data_alone(data: object) -> None:
    """Data as JSON text reads back (exact types, nothing shared) is settled by the quick
    pass: the walk runs only to name what is out of bounds."""
    back = json.loads(json.dumps(data))
    with small_bounds():
        assert _plain_ok(back) == within(back)


def test_shared_deep_data_is_refused_at_once() -> None:
    data: list[Any] = []
    for _ in range(60):
        data = [data, data]  # 2**60 paths: the walk must not follow them level by level
    with pytest.raises(ConfigError, match="nested deeper than 32 levels"):
        check_plain(data, "x")
