"""``event_schema()``: the JSON Schema of the events on the wire, for consumers that are not
Python.  Every event a desk can write is valid against it (and matches exactly its own type's
definition); at the edge of every range the schema states, it agrees with ``event_from_dict``;
and ``csflow schema --events`` prints it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import events as events_module
from csflow.cli import main
from csflow.errors import ConfigError
from csflow.events import EVENT_VERSION, TicketClosed, event_from_dict, event_schema
from json_schema_check import schema_valid
from test_b4_event_wire import CLASSES, events

SCHEMA = event_schema()


def _valid(doc: Any) -> bool:
    return schema_valid(doc, SCHEMA, SCHEMA)


def _reads(doc: Any) -> bool:
    try:
        event_from_dict(doc)
    except ConfigError:
        return False
    return True


def test_one_definition_per_event_type_with_every_field_required() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(SCHEMA["$defs"]) == set(CLASSES)
    assert SCHEMA["oneOf"] == [{"$ref": f"#/$defs/{name}"} for name in sorted(CLASSES)]
    for name, cls in CLASSES.items():
        d = SCHEMA["$defs"][name]
        fields = [f.name for f in __import__("attrs").fields(cls)]
        assert d["required"] == ["type", "version", *fields]
        assert d["properties"]["type"] == {"const": name}
        assert d["properties"]["version"] == {"const": EVENT_VERSION}
        assert d["additionalProperties"] is False
        assert d["description"]  # the class's first paragraph
    # The ranges the schema states are the ranges the reader checks, field for field.
    assert set(events_module._SCHEMA_FIELDS) == set(events_module._FIELDS)
    assert set(events_module._SCHEMA_GOODWILL) == set(events_module._GOODWILL)


def test_each_call_returns_an_independent_schema() -> None:
    first = event_schema()
    first["$defs"]["SlaMet"]["properties"]["metric"]["enum"].append("x")
    first["$defs"]["GoodwillGranted"]["properties"]["ticket_id"]["maxLength"] = 1
    assert event_schema() == SCHEMA
    assert "x" not in SCHEMA["$defs"]["SlaWarning"]["properties"]["metric"]["enum"]


#: The keys of a TicketClosed's form.
CLOSED_KEYS = ("type", "version", "at", "ticket_id")


@pytest.mark.parametrize("name", sorted(CLASSES))
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_every_event_written_is_valid(name: str, data: st.DataObject) -> None:
    event = data.draw(events(name))
    doc = json.loads(json.dumps(event.to_dict()))
    assert _valid(doc)
    matches = [n for n in SCHEMA["$defs"] if schema_valid(doc, SCHEMA["$defs"][n], SCHEMA)]
    assert matches == [name]
    # Another type's tag (one with other fields: TicketClosed and CallbackRequested both hold
    # only an instant and a ticket id), a key too many, a key missing: not valid.
    other = "TicketClosed" if set(doc) != set(CLOSED_KEYS) else "SlaMet"
    assert not _valid({**doc, "type": other})
    assert not _valid({**doc, "extra": 1})
    assert not _valid({k: v for k, v in doc.items() if k != "at"})


#: Values at the edges of each range, just inside and just outside.
EDGES: dict[str, list[Any]] = {
    "ticket_id": ["x", "x" * 256, "", "x" * 257, 7],
    "agent_id": ["a" * 256, "", "a" * 257],
    "last_agent": [None, "a" * 256, "", "a" * 257],
    "from_agent": [None, "a", "", "a" * 257],
    "waited": [0, 0.0, 1.5, -0.001, True, "1"],
    "candidates": [0, 2**63 - 1, -1, 2**63, False],
    "contacts": [0, -1],
    "open_tickets": [0, -1],
    "limit": [0, -1],
    "transfers": [1, 0, 2**63 - 1, 2**63],
    "escalations": [1, 0],
    "step": [1, 0],
    "cycle": [1, 0],
    "metric": ["first_response", "resolution", "next_response", "First_Response", "", 1],
    "rating": [1, 5, 0, 6],
    "comment": ["", "c" * 2000, "c" * 2001],
    "routing_profile": ["p", "p" * 64, "", "p" * 65],
    "threshold": [1, 1.0, 0.5, 1e-9, 0, 0.0, 1.0000001, -0.5],
    "target": ["PT0.000001S", "PT1S", "PT0S", "PT0.000000S", "-PT1S", "PT1.0000001S", "1S"],
    "elapsed": ["PT0S", "PT90.5S", "-PT0.000001S", "P1D"],
    "amount": ["0.000001", "1", "100.00", "999999999999999.999999", "0", "0.00",
               "1000000000000000", "1.0000001", "-1"],
    "remaining": [None, "0", "0.000000", "5.50", "-0.01", "1000000000000000"],
    "reason": ["r", "r" * 200, "", "r" * 201],
    "approved_by": [None, "s", "s" * 4096, "", "s" * 4097],
    "supervisor": ["s", "s" * 4096, "", "s" * 4097],
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CLASSES))
@settings(max_examples=3, deadline=None)
@given(data=st.data())
def test_the_schema_and_the_reader_agree_at_every_edge(name: str, data: st.DataObject) -> None:
    doc = json.loads(json.dumps(data.draw(events(name)).to_dict()))
    for field, values in EDGES.items():
        if field not in doc:
            continue
        for value in values:
            changed = {**doc, field: value}
            if field == "ticket_id" and doc.get("request_id") and isinstance(value, str):
                # A request's id names its ticket (a rule across fields, in the docstring).
                changed["request_id"] = f"{value}/goodwill/1"
            assert _valid(changed) == _reads(changed), (field, value)


def test_what_the_reader_takes_beyond_the_schema() -> None:
    # The schema describes what csflow writes; the reader is more lenient in spelling only:
    # a decimal "01" or "1e3" is not how csflow writes an amount (event_schema's docstring).
    # A count written 1.0 is an integer to JSON Schema, and the reader takes it too.
    doc = json.loads(json.dumps(next(iter(_drawn("TicketAssigned"))).to_dict()))
    assert _valid({**doc, "candidates": 1.0})
    assert _reads({**doc, "candidates": 1.0})
    grant = json.loads(json.dumps(next(iter(_drawn("GoodwillGranted"))).to_dict()))
    for spelling in ("01", "1e3", "+5", "5."):
        assert _reads({**grant, "amount": spelling})
        assert not _valid({**grant, "amount": spelling})


def _drawn(name: str) -> list[Any]:
    out: list[Any] = []

    @settings(max_examples=1, database=None)
    @given(events(name))
    def draw(event: Any) -> None:
        out.append(event)

    draw()
    return out


def test_a_worked_event() -> None:
    from datetime import UTC, datetime

    doc = TicketClosed(datetime(2026, 3, 20, 9, 0, 0, 500, tzinfo=UTC), "T-1").to_dict()
    assert doc["at"] == "2026-03-20T09:00:00.000500+00:00"
    assert _valid(doc)
    # csflow writes UTC; the schema says so (the reader takes any offset).
    assert not _valid({**doc, "at": "2026-03-20T16:00:00.000500+07:00"})
    assert _reads({**doc, "at": "2026-03-20T16:00:00.000500+07:00"})
    assert not _valid({**doc, "at": "2026-03-20T09:00:00"})
    assert not _valid({**doc, "version": EVENT_VERSION - 1})


def test_cli_prints_the_event_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--events"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == SCHEMA
    assert err == ""
    assert main(["schema", "--events", "--format", "table"]) == 0
    out, _ = capsys.readouterr()
    assert "TicketAssigned.waited" in out
    assert "SlaMet.metric" in out
