"""Desk programs with call-backs, in a zone whose clocks fall back, as a host that sends every
event as JSON text to a consumer in another language: each event a desk returns is valid
against exactly its own definition of ``event_schema()``, and its JSON text reads back to the
same row and the same instant; a ticket's ``CallbackDue`` follows its ``CallbackRequested``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.errors import CsflowError
from csflow.events import CallbackDue, CallbackRequested, Event, event_from_dict, event_schema
from json_schema_check import schema_valid

SCHEMA = event_schema()
CONFIG = DeskConfig.from_dict(
    {
        "calendars": {"24x7": {"timezone": "America/New_York", "always_open": True}},
        "sla_policies": [
            {
                "name": "p",
                "calendar": "24x7",
                "targets": {"first_response": "PT10M", "resolution": "PT1H"},
            }
        ],
        "default_sla_policy": "p",
    }
)
NEW_YORK = ZoneInfo("America/New_York")
#: 00:30 in New York on 1 November 2026: an hour later the clocks fall back to 01:00.
START = datetime(2026, 11, 1, 4, 30, tzinfo=UTC)
AGENTS = [
    AgentProfile("sari", capacity={"chat": 1, "phone": 1}),
    AgentProfile("budi", capacity={"chat": 2}),
]
OPS = ["submit", "callback", "callback", "add", "requeue", "resolve", "abandon", "advance"]


def _apply(desk: Desk, op: str, k: int, n: int, at: datetime) -> list[Event]:
    tid = f"T-{k % max(n, 1)}"
    agent = AGENTS[k % 2]
    if op == "submit":
        customer = Customer(f"c{k % 3}", Tier("gold", 1))
        return desk.submit(Ticket(f"T-{n}", customer, "chat", at), at=at)
    if op == "callback":
        return desk.request_callback(tid, at=at)
    if op == "add":
        return desk.add_agent(agent, at=at, presence="available")
    if op == "requeue":
        return desk.requeue(tid, agent.id, at=at)
    if op == "resolve":
        return desk.resolve(tid, agent.id, at=at)
    if op == "abandon":
        return desk.abandon(tid, at=at)
    return desk.advance(at=at)


@settings(max_examples=25, deadline=None)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(OPS),
            st.integers(0, 5),
            st.sampled_from([0, 1, 7, 60, 600, 1800]),  # seconds, with microseconds below
            st.integers(0, 999_999),
        ),
        min_size=5,
        max_size=30,
    )
)
def test_callback_programs_cross_the_wire(steps: list[tuple[str, int, int, int]]) -> None:
    desk = Desk(CONFIG)
    at, n = START, 0
    sent: list[dict[str, Any]] = []
    for op, k, gap, us in steps:
        at += timedelta(seconds=gap, microseconds=us)
        try:
            out = _apply(desk, op, k, n, at.astimezone(NEW_YORK))  # local, across the fold
        except CsflowError:
            continue
        n += op == "submit"
        for event in out:
            row = event.to_dict()
            text = json.dumps(row, ensure_ascii=False, allow_nan=False)
            back = event_from_dict(json.loads(text))
            assert back.to_dict() == row
            assert back.at == event.at.astimezone(UTC)
            matches = [d for d in SCHEMA["$defs"] if schema_valid(row, SCHEMA["$defs"][d], SCHEMA)]
            assert matches == [row["type"]]
            sent.append(row)
    requested: set[str] = set()
    for row in sent:
        if row["type"] == CallbackRequested.__name__:
            requested.add(row["ticket_id"])
        if row["type"] == CallbackDue.__name__:
            assert row["ticket_id"] in requested


def test_a_callback_requested_in_the_repeated_hour_crosses_the_wire() -> None:
    desk = Desk(CONFIG)
    first = datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK)  # 01:30 EDT
    second = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NEW_YORK)  # 01:30 EST, an hour on
    desk.submit(Ticket("T-1", Customer("ayu", Tier("gold", 1)), "chat", first), at=first)
    desk.advance(at=second)  # the SLA warning and breach of the hour between
    (event,) = desk.request_callback("T-1", at=second)
    row = json.loads(json.dumps(event.to_dict()))
    assert row == {
        "type": "CallbackRequested",
        "version": 3,
        "at": "2026-11-01T06:30:00+00:00",
        "ticket_id": "T-1",
    }
    assert event_from_dict(row).to_dict() == row
