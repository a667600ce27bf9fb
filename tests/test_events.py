"""Events: one base for every ticket event, the field order it fixes, and the module's place."""

from __future__ import annotations

import ast
import inspect
import typing
from datetime import UTC, datetime, timedelta

import attrs

import csflow.events
import csflow.sla
from csflow.events import (
    AgentPresenceChanged,
    AgentProfileChanged,
    DeskEvent,
    Event,
    SlaBreached,
    SlaCancelled,
    SlaEvent,
    SlaMet,
    SlaWarning,
)
from csflow.model import Metric

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)

EVENT_CLASSES = [
    obj
    for name in csflow.events.__all__
    if inspect.isclass(obj := getattr(csflow.events, name)) and attrs.has(obj)
]


def test_every_ticket_event_shares_one_base_with_at_and_ticket_id_first() -> None:
    agent_events = (AgentPresenceChanged, AgentProfileChanged)
    ticket_events = [cls for cls in EVENT_CLASSES if cls not in agent_events]
    assert {SlaWarning, SlaBreached, SlaMet, DeskEvent} <= set(ticket_events)
    for cls in ticket_events:
        assert issubclass(cls, DeskEvent), cls
        assert [f.name for f in attrs.fields(cls)][:2] == ["at", "ticket_id"], cls
        assert attrs.fields(cls).at.type in ("datetime", datetime), cls
    # An agent event has no ticket; it still says when first, and the agent next.
    for cls in agent_events:
        assert not issubclass(cls, DeskEvent)
        assert [f.name for f in attrs.fields(cls)][:2] == ["at", "agent_id"], cls


def test_event_names_every_event_a_command_returns() -> None:
    members = set(typing.get_args(Event))
    for cls in EVENT_CLASSES:
        assert any(issubclass(cls, m) for m in members), cls
    assert set(typing.get_args(SlaEvent)) == {SlaWarning, SlaBreached, SlaMet, SlaCancelled}


def test_sla_events_by_keyword_and_their_derived_values() -> None:
    met = SlaMet(
        at=T0 + 3 * H,
        ticket_id="t",
        metric=Metric.RESOLUTION,
        elapsed=3 * H,
        target=H,
        breached=True,
    )
    assert met.late_by == 2 * H
    assert met == SlaMet(T0 + 3 * H, "t", Metric.RESOLUTION, 3 * H, H, True)
    warning = SlaWarning(
        at=T0, ticket_id="t", metric=Metric.FIRST_RESPONSE, threshold=0.5, due_at=T0 + H
    )
    breach = SlaBreached(
        at=T0 + H, ticket_id="t", metric=Metric.FIRST_RESPONSE, due_at=T0 + H, target=H
    )
    for event in (warning, breach, met):
        assert isinstance(event, DeskEvent)
        assert (event.at, event.ticket_id) == attrs.astuple(event, recurse=False)[:2]


def test_the_sla_events_keep_their_import_path() -> None:
    for name in ("SlaWarning", "SlaBreached", "SlaMet", "SlaEvent"):
        assert getattr(csflow.sla, name) is getattr(csflow.events, name)


def test_events_depend_only_on_the_model() -> None:
    tree = ast.parse(inspect.getsource(csflow.events))
    imported = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module is not None
    } | {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    ours = {m for m in imported if m.split(".")[0] == "csflow"}
    # csflow._plain (the plain-data codec) itself imports only csflow.errors and csflow._text;
    # csflow._frozen (the read-only dict) imports nothing of csflow.
    allowed = {
        "csflow.model",
        "csflow.errors",
        "csflow._time",
        "csflow._text",
        "csflow._plain",
        "csflow._frozen",
    }
    assert ours <= allowed, ours
