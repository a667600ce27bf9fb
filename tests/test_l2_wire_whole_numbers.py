"""Events and commands on the wire as other languages write them.

1. A whole number written with a zero fraction (``2.0``: what a producer whose numbers are all
   floats writes -- JavaScript, or Java and Go decoding into a double) is an integer to the
   events' JSON Schema (draft 2020-12), so ``event_from_dict`` reads it as the int: over rows
   every event type writes, with each int field (counts, ratings, priorities, the version)
   rewritten as a float, a fraction, NaN, an infinity, a bool or a number past the field's
   range, a row is schema-valid exactly when the reader takes it, and what it takes is the
   int.  ``command_from_dict`` and a journal read a command's version and rating the same way.
2. Every refusal of either reader names the path of the field at fault: a field replaced by a
   value of the wrong kind, a field left out, a key that is no field (``command.<key>``).
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.desk.commands import (
    COMMANDS,
    AddAgent,
    Advance,
    Command,
    GrantGoodwill,
    RecordFeedback,
    Reply,
    Resolve,
    SetPriority,
    Submit,
    UpdateAgent,
    command_from_dict,
)
from csflow.desk.views import view_from_dict
from csflow.errors import ConfigError
from csflow.events import TicketAssigned, TicketPrioritized, event_from_dict, event_schema
from csflow.lowlevel import view_to_dict
from csflow.model import Priority
from desks import office_desk_doc
from json_schema_check import schema_valid
from test_b4_event_wire import CLASSES, events

SCHEMA = event_schema()
T0 = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)
SARI = AgentProfile("sari", capacity={"chat": 1})
TICKET = Ticket("T-1", Customer("ayu", Tier("gold", 3)), "chat", T0)


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value))


def _is_integer_field(prop: Any) -> bool:
    """Whether the schema types a property as a whole number: ``integer``, or an enum (a
    priority) or ``const`` (the version) of ints."""
    branches = prop.get("anyOf", [prop])
    for b in branches:
        if b.get("type") == "integer":
            return True
        values = b.get("enum", [b["const"]] if "const" in b else [])
        if values and all(type(v) is int for v in values):
            return True
    return False


def _reference_whole(value: Any) -> int | None:
    """What the docs say an int field takes: an int, or a finite float with no fraction --
    not a bool."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value == math.floor(value):
        return int(value)
    return None


def _candidates(value: int) -> st.SearchStrategy[Any]:
    """The forms an int field's value may take on the wire, written or not by csflow."""
    return (
        st.sampled_from(
            [
                float(value),
                -float(value),
                float(value) + 0.5,
                float(value) - 0.25,
                float(value + 1),
                float(value - 1),
                -0.0,
                0.0,
                1.0,
                5.0,
                6.0,
                2.0**63,  # one past the largest count
                2.0**62,
                1e308,
                math.nan,
                math.inf,
                -math.inf,
                True,
                False,
                str(value),
                value,
            ]
        )
        | st.floats(allow_nan=True, allow_infinity=True)
        | st.integers(-10, 10).map(float)
    )


def _reads(doc: Any) -> Any:
    try:
        return event_from_dict(doc)
    except ConfigError:
        return None


#: The event types added in format version 3: a row of an earlier version is refused.
VERSION_3_TYPES = frozenset({"TicketSlaPolicyChanged", "CallbackRequested"})

INT_FIELDS = {
    name: [k for k, p in SCHEMA["$defs"][name]["properties"].items() if _is_integer_field(p)]
    for name in sorted(CLASSES)
}


def test_the_int_fields_are_the_ones_expected() -> None:
    # A mutation below that left no int field would prove nothing.
    assert all("version" in fields for fields in INT_FIELDS.values())
    assert INT_FIELDS["TicketAssigned"] == ["version", "candidates", "contacts", "open_tickets"]
    assert INT_FIELDS["TicketPrioritized"] == ["version", "old", "new"]
    assert INT_FIELDS["FeedbackRecorded"] == ["version", "rating", "cycle"]


@pytest.mark.parametrize("name", sorted(CLASSES))
@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_schema_valid_iff_the_reader_takes_it(name: str, data: st.DataObject) -> None:
    row = _json(data.draw(events(name)).to_dict())
    assert schema_valid(row, SCHEMA, SCHEMA)
    written = event_from_dict(row)
    for key in INT_FIELDS[name]:
        value = data.draw(_candidates(row[key]), label=key)
        doc = {**row, key: value}
        # (The type tag is kept, so the type's own definition is the one ``oneOf`` branch
        # that can hold.)
        valid = schema_valid(doc, SCHEMA["$defs"][name], SCHEMA)
        event = _reads(doc)
        if key == "version" and _reference_whole(value) in (1, 2):
            assert not valid  # an older version: the reader's alone
            # ... which refuses a type added in version 3 (the events reference).
            assert (event is None) is (name in VERSION_3_TYPES)
            continue
        assert valid is (event is not None), (key, value)
        if event is not None:
            # Taken as the int it stands for: the event writes it as an int.
            whole = _reference_whole(value)
            assert whole is not None, (key, value)
            again = event.to_dict()
            assert type(again[key]) is int
            assert again[key] == whole
            if whole == row[key]:
                assert event == written
                assert again == {**row, "version": again["version"]}


@pytest.mark.parametrize(
    ("value", "read"),
    [(2.0, 2), (0.0, 0), (-0.0, 0), (1e18, 10**18), (9.2e18, 9_200_000_000_000_000_000)],
)
def test_a_count_written_as_a_float_worked_examples(value: float, read: int) -> None:
    row = _json(
        {
            "type": "TicketAssigned",
            "version": 3.0,
            "at": "2026-03-02T09:00:00+00:00",
            "ticket_id": "T-1",
            "agent_id": "sari",
            "waited": 12,
            "candidates": value,
            "contacts": 1.0,
            "last_contact_at": None,
            "last_agent": None,
            "open_tickets": 1.0,
            "reason": "least busy",
        }
    )
    event = event_from_dict(row)
    assert isinstance(event, TicketAssigned)
    assert event.candidates == read
    assert type(event.candidates) is int
    assert event.to_dict()["version"] == 3
    assert schema_valid(row, SCHEMA, SCHEMA)


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("candidates", 2.5, "expected int, got 2.5"),
        ("candidates", math.nan, "expected int, got nan"),
        ("candidates", math.inf, "expected int, got inf"),  # 1e400 as json.loads reads it
        ("candidates", True, "expected int, got True"),
        ("candidates", -1.0, "expected an int from 0, got -1"),
        ("candidates", 2.0**63, "expected an int from 0, got 9223372036854775808"),
        ("version", 4.0, "event format version 4 is newer"),
        ("version", 0.0, "expected a positive int, got 0.0"),
        ("version", 3.5, "expected a positive int, got 3.5"),
        ("version", True, "expected a positive int, got True"),
    ],
)
def test_what_is_no_int_of_the_field_is_refused(key: str, value: Any, expected: str) -> None:
    row = _assigned_row()
    with pytest.raises(ConfigError) as caught:
        event_from_dict({**row, key: value})
    assert caught.value.path == f"event.{key}"
    assert expected in str(caught.value)
    assert not schema_valid({**row, key: value}, SCHEMA, SCHEMA)


def _assigned_row() -> dict[str, Any]:
    return TicketAssigned(T0, "T-1", "sari", 12.0, 2, "least busy").to_dict()


def test_a_priority_written_as_a_float_reads_as_the_member() -> None:
    row = TicketPrioritized(T0, "T-1", Priority.LOW, Priority.URGENT).to_dict()
    assert row["new"] == 3
    assert event_from_dict({**row, "old": 0.0, "new": 3.0}) == TicketPrioritized(
        T0, "T-1", Priority.LOW, Priority.URGENT
    )
    for bad in (3.5, 4.0, True, math.nan):
        with pytest.raises(ConfigError) as caught:
            event_from_dict({**row, "new": bad})
        assert caught.value.path == "event.new"


# ---------------------------------------------------------------------------------------------
# Commands and the journal


def _samples(at: datetime) -> list[Command]:
    """One command of every class."""
    out: list[Command] = []
    for name, cls in sorted(COMMANDS.items()):
        if cls is AddAgent:
            out.append(AddAgent(SARI, "available", "standard", at=at))
        elif cls is UpdateAgent:
            out.append(UpdateAgent(SARI, None, at=at))
        elif cls is Submit:
            out.append(Submit(TICKET, at=at))
        elif cls is RecordFeedback:
            out.append(RecordFeedback("T-1", 4, "ok", at=at))
        elif cls is GrantGoodwill:
            out.append(GrantGoodwill("T-1", "sari", "25000", "late", at=at))
        elif cls is SetPriority:
            out.append(SetPriority("T-1", "high", at=at))
        elif cls is Advance:
            out.append(Advance(at=at))
        else:
            out.append(cls(*(f"{name}-{a}" for a in cls.args), at=at))
    assert {type(c) for c in out} == set(COMMANDS.values())
    return out


SAMPLES = _samples(T0)


@settings(max_examples=60, deadline=None)
@given(
    command=st.sampled_from(SAMPLES),
    version=st.sampled_from([1, 1.0, -0.0, 0.0, 1.5, 2.0, True, math.nan, math.inf, "1"]),
    rating=st.sampled_from([4, 4.0, 1.0, 5.0, 4.5, True, False, math.nan, -math.inf, 1e300])
    | st.floats(),
)
def test_a_command_takes_a_whole_float_as_its_int(
    command: Command, version: Any, rating: Any
) -> None:
    row = _json(command.to_dict())
    doc = {**row, "version": version}
    if isinstance(command, RecordFeedback):
        doc["rating"] = rating
    v, r = _reference_whole(version), _reference_whole(rating)
    ok = v == 1 and (r is not None or not isinstance(command, RecordFeedback))
    if not ok:
        with pytest.raises(ConfigError) as caught:
            command_from_dict(doc)
        assert caught.value.path == ("command.version" if v != 1 else "command.rating")
        return
    read = command_from_dict(doc)
    if isinstance(command, RecordFeedback):
        assert isinstance(read, RecordFeedback)
        assert type(read.rating) is int
        assert read == RecordFeedback("T-1", r, "ok", at=T0)  # type: ignore[arg-type]
        assert type(read.to_dict()["rating"]) is int
    else:
        assert read == command
    assert type(read.to_dict()["version"]) is int


def test_a_journal_written_with_floats_restores_the_same_desk() -> None:
    config = DeskConfig.from_dict(office_desk_doc())
    desk = Desk(config)
    empty = desk.snapshot()
    commands: list[Command] = [
        AddAgent(AgentProfile("sari", capacity={"chat": 1}), "available", at=T0),
        Submit(Ticket("T-1", Customer("ayu", Tier("gold", 3)), "chat", T0), at=T0),
        Reply("T-1", "sari", at=T0 + timedelta(seconds=40)),
        Resolve("T-1", "sari", at=T0 + timedelta(minutes=3)),
        RecordFeedback("T-1", 5, "thanks", at=T0 + timedelta(minutes=4)),
    ]
    for c in commands:
        c.apply(desk)
    rows = [_json(c.to_dict()) for c in commands]
    as_floats = [{**r, "version": float(r["version"])} for r in rows]
    as_floats[-1]["rating"] = 5.0
    restored = Desk.restore(config, empty, journal=as_floats)
    assert restored.snapshot() == desk.snapshot()
    with pytest.raises(ConfigError) as caught:
        Desk.restore(config, empty, journal=[*rows[:-1], {**rows[-1], "rating": 4.5}])
    assert caught.value.path == "journal[4].rating"


# ---------------------------------------------------------------------------------------------
# 2. Every refusal names the path of the field at fault

#: Every key some command row has.
_COMMAND_KEYS = frozenset(k for c in SAMPLES for k in c.to_dict())

#: Values of a kind no field of any event or command takes where another kind is wanted.
WRONG_KINDS: list[Any] = [[], {}, [1], {"x": 1}, True, 1.5, -7, math.nan, "", "\ud800"]
SCHEMA_KEYS: frozenset[str] = frozenset(
    k for d in SCHEMA["$defs"].values() for k in d["properties"]
)
UNKNOWN_KEYS: st.SearchStrategy[str] = st.text(min_size=1, max_size=20).filter(
    lambda k: k not in SCHEMA_KEYS and k not in _COMMAND_KEYS
)


def _names(exc: ConfigError, path: str) -> bool:
    """Whether *exc* is at *path* or inside it (``event.notify[0]``, ``command.ticket.id``),
    and says so."""
    at = exc.path == path or exc.path.startswith((f"{path}[", f"{path}."))
    return at and str(exc).startswith(f"{exc.path}: ")


def _refusal(read: Any, doc: Any) -> ConfigError | None:
    try:
        read(doc)
    except ConfigError as exc:
        return exc
    return None


@pytest.mark.parametrize("name", sorted(CLASSES))
@settings(max_examples=4, deadline=None)
@given(data=st.data(), extra=UNKNOWN_KEYS)
def test_an_event_refusal_names_the_field(name: str, data: st.DataObject, extra: str) -> None:
    row = _json(data.draw(events(name)).to_dict())
    for key in row:
        for value in WRONG_KINDS:
            exc = _refusal(event_from_dict, {**row, key: value})
            if exc is not None:
                assert _names(exc, f"event.{key}"), (key, value, str(exc))
        exc = _refusal(event_from_dict, {k: v for k, v in row.items() if k != key})
        if exc is not None:
            assert _names(exc, f"event.{key}"), (key, str(exc))
    exc = _refusal(event_from_dict, {**row, extra: 1})
    assert exc is not None
    assert exc.path == f"event.{extra}", str(exc)


@settings(max_examples=40, deadline=None)
@given(command=st.sampled_from(SAMPLES), extra=UNKNOWN_KEYS, data=st.data())
def test_a_command_refusal_names_the_field(
    command: Command, extra: str, data: st.DataObject
) -> None:
    row = _json(command.to_dict())
    key = data.draw(st.sampled_from(sorted(row)), label="key")
    value = data.draw(st.sampled_from(WRONG_KINDS), label="value")
    exc = _refusal(command_from_dict, {**row, key: value})
    if exc is not None:
        assert _names(exc, f"command.{key}"), (key, value, str(exc))
    exc = _refusal(command_from_dict, {k: v for k, v in row.items() if k != key})
    if exc is not None:
        assert _names(exc, f"command.{key}"), (key, str(exc))
    exc = _refusal(command_from_dict, {**row, extra: 1})
    assert exc is not None, extra
    assert exc.path == f"command.{extra}"
    assert f"command.{extra}: unknown key" in str(exc)


def test_an_unknown_command_key_worked_example() -> None:
    row = {**Reply("T-1", "sari", at=T0).to_dict(), "agentId": "sari"}
    with pytest.raises(ConfigError) as caught:
        command_from_dict(row)
    assert caught.value.path == "command.agentId"
    assert str(caught.value).startswith("command.agentId: unknown key 'agentId'; expected one of")
    with pytest.raises(ConfigError) as caught:
        Desk.restore(
            DeskConfig.from_dict(office_desk_doc()),
            Desk(DeskConfig.from_dict(office_desk_doc())).snapshot(),
            journal=[row],
        )
    assert caught.value.path == "journal[0].agentId"


def test_a_view_count_written_as_a_float_reads_as_the_int() -> None:
    # Views are read by the same field reader as events.
    desk = Desk(DeskConfig.from_dict(office_desk_doc()))
    desk.submit(TICKET, at=T0)
    row = _json(view_to_dict(desk.ticket("T-1")))
    assert row["transfers"] == 0
    view = view_from_dict({**row, "transfers": 0.0})
    assert view == desk.ticket("T-1")
    assert type(view_to_dict(view)["transfers"]) is int
    for bad in (0.5, True, math.nan):
        with pytest.raises(ConfigError) as caught:
            view_from_dict({**row, "transfers": bad})
        assert caught.value.path == "view.transfers"
