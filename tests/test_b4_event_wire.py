"""Every event on the wire, as a host sends it (an outbox, a bus, a reader in another
language): what ``to_dict`` writes is strict JSON of plain values, every instant ISO 8601 in
UTC with its offset, every duration ``PT<seconds>S``, money a decimal string; and
``event_from_dict`` reads it back to the same event, for every field over the range the docs
give it.  Hostile rows -- a newer version, a number past a float, a 10,000-digit int, NaN,
deep nesting, a 50 MB string, a type tag naming something that is not an event -- are a
``ConfigError`` at the field's path, never another exception.
"""

from __future__ import annotations

import json
import re
import typing
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import events as events_module
from csflow.errors import ConfigError
from csflow.events import EVENT_VERSION, DeskEvent, event_from_dict
from csflow.model import Metric, Priority

#: Every event class a desk returns, by its type tag.
CLASSES: dict[str, type[Any]] = {
    name: obj
    for name in events_module.__all__
    if isinstance(obj := getattr(events_module, name), type)
    and attrs.has(obj)
    and obj is not DeskEvent
}
ZONES = [
    UTC,
    ZoneInfo("America/New_York"),
    ZoneInfo("Australia/Lord_Howe"),
    ZoneInfo("Asia/Kathmandu"),
    ZoneInfo("Pacific/Kiritimati"),
    timezone(timedelta(hours=-9, minutes=-30)),
]
#: UTC instants whose wall time repeats in New York (falls back) and Lord Howe (half an hour).
FOLDS = [
    datetime(2026, 11, 1, 6, 0, tzinfo=UTC),
    datetime(2026, 4, 4, 14, 30, tzinfo=UTC),
]
ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00")
DURATION = re.compile(r"PT(0|[1-9][0-9]*)(\.[0-9]*[1-9])?S")
MONEY = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)?")

_instants = st.one_of(
    st.datetimes(
        min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
    ),
    st.builds(
        lambda at, us: at + timedelta(microseconds=us),
        st.sampled_from(FOLDS),
        st.integers(0, 30 * 60 * 10**6 - 1),
    ),
)


@st.composite
def _instant(draw: st.DrawFn) -> datetime:
    return draw(_instants).astimezone(draw(st.sampled_from(ZONES)))


_ID = st.text(min_size=1, max_size=12) | st.sampled_from(["x" * 256, "é\u0301😀", " "])
_TEXT = st.text(max_size=30) | st.sampled_from(["", "x" * 5000, "\u202e\ufeff\x00"])
_AMOUNT = st.decimals(
    min_value=Decimal("0.000001"), max_value=Decimal(10**15) - 1, places=6, allow_nan=False
)
_COUNT = st.integers(0, 2**63 - 1)
_SECONDS = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=36500))
_FIELDS: dict[str, Any] = {
    "ticket_id": _ID,
    "agent_id": _ID,
    "last_agent": st.none() | _ID,
    "from_agent": st.none() | _ID,
    "waited": st.floats(0, 1e12) | st.integers(0, 10**9).map(float),
    "candidates": _COUNT,
    "contacts": _COUNT,
    "open_tickets": _COUNT,
    "limit": _COUNT,
    "transfers": st.integers(1, 2**63 - 1),
    "escalations": st.integers(1, 2**63 - 1),
    "step": st.integers(1, 1000),
    "cycle": st.integers(1, 1000),
    "rating": st.integers(1, 5),
    "comment": st.text(max_size=30) | st.just("c" * 2000),
    "routing_profile": st.text(min_size=1, max_size=64),
    "threshold": st.floats(0, 1, exclude_min=True),
    "target": _SECONDS.filter(bool),
    "elapsed": _SECONDS,
    "amount": _AMOUNT,
    "remaining": st.none() | _AMOUNT | st.just(Decimal(0)),
    "reason": st.text(min_size=1, max_size=30) | st.just("r" * 200),
    "approved_by": st.none() | st.text(min_size=1, max_size=20) | st.just("s" * 4096),
    "supervisor": st.text(min_size=1, max_size=20) | st.just("s" * 4096),
}


#: The fields whose range is a goodwill event's own (elsewhere a ``reason`` is any text).
_GOODWILL = frozenset({"reason", "approved_by", "supervisor", "amount", "remaining"})


def _by_type(tp: Any) -> Any:
    if typing.get_origin(tp) in (typing.Union, type(int | None)):
        rest = [a for a in typing.get_args(tp) if a is not type(None)]
        return st.none() | _by_type(rest[0])
    if typing.get_origin(tp) is tuple:
        return st.lists(_TEXT, max_size=3).map(tuple)
    return {
        datetime: _instant(),
        str: _TEXT,
        int: _COUNT,
        bool: st.booleans(),
        Priority: st.sampled_from(list(Priority)),
        Metric: st.sampled_from(list(Metric)),
    }[tp]


@st.composite
def events(draw: st.DrawFn, name: str) -> Any:
    cls = CLASSES[name]
    hints = typing.get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for f in attrs.fields(cls):
        if f.name == "metric":
            metric = draw(st.sampled_from(list(Metric)))
            kwargs[f.name] = metric if hints[f.name] is Metric else metric.value
        elif f.name == "cycle_start":
            kwargs[f.name] = draw(st.none() | st.builds(lambda s: kwargs["at"] - s, _SECONDS))
        elif f.name == "request_id":
            number = draw(st.integers(1, 10**18))
            kwargs[f.name] = f"{kwargs['ticket_id']}/goodwill/{number}"
            if hints[f.name] is not str:
                kwargs[f.name] = draw(st.sampled_from([None, kwargs[f.name]]))
        elif f.name in _FIELDS and (name.startswith("Goodwill") or f.name not in _GOODWILL):
            kwargs[f.name] = draw(_FIELDS[f.name])
        else:
            kwargs[f.name] = draw(_by_type(hints[f.name]))
    return cls(**kwargs)


def _wire(value: Any, path: str) -> None:
    """*value* is plain JSON data: no float NaN or infinity, no Python objects."""
    if isinstance(value, dict):
        for k, v in value.items():
            assert isinstance(k, str), path
            _wire(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _wire(v, f"{path}[{i}]")
    else:
        assert value is None or type(value) in (str, int, float, bool), (path, value)


@pytest.mark.parametrize("name", sorted(CLASSES))
@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_every_event_round_trips_through_json(name: str, data: st.DataObject) -> None:
    event = data.draw(events(name))
    row = event.to_dict()
    assert list(row)[:2] == ["type", "version"]
    assert row["type"] == name
    assert row["version"] == EVENT_VERSION
    _wire(row, "event")
    text = json.dumps(row, allow_nan=False, ensure_ascii=False)
    back = event_from_dict(json.loads(text))
    assert type(back) is type(event)
    assert back.to_dict() == row
    hints = typing.get_type_hints(type(event))
    for f in attrs.fields(type(event)):
        value, written = getattr(event, f.name), row[f.name]
        if isinstance(value, datetime):
            # In UTC, ISO 8601 with offset; the same instant, which compares equal by its
            # microseconds since the epoch (``==`` is False across zones in a fold).
            assert ISO_UTC.fullmatch(written), written
            assert back_at(back, f.name) == value.timestamp()
        elif isinstance(value, timedelta):
            assert DURATION.fullmatch(written), written
            assert getattr(back, f.name) == value
        elif isinstance(value, Decimal):
            assert MONEY.fullmatch(written), written
            assert Decimal(written) == value
        elif isinstance(value, Priority):
            assert written == int(value)
        elif hints[f.name] is not datetime:
            assert getattr(back, f.name) == value


def back_at(event: Any, name: str) -> float:
    at = getattr(event, name)
    assert at.utcoffset() == timedelta(0)
    return float(at.timestamp())


def test_every_event_class_is_drawn() -> None:
    assert len(CLASSES) == len(events_module._EVENT_CLASSES)
    assert set(CLASSES) == set(events_module._EVENT_CLASSES)


# ---------------------------------------------------------------------------------------------
# Hostile rows

_ROW = {
    "type": "TicketAssigned",
    "version": EVENT_VERSION,
    "at": "2026-03-02T02:00:00+00:00",
    "ticket_id": "T-1",
    "agent_id": "sari",
    "waited": 90.0,
    "candidates": 2,
    "reason": "longest idle",
    "contacts": 1,
    "last_contact_at": None,
    "last_agent": None,
    "open_tickets": 1,
}


def _deep(depth: int) -> Any:
    out: Any = []
    for _ in range(depth):
        out = [out]
    return out


@pytest.mark.parametrize(
    ("field", "value", "path"),
    [
        ("waited", lambda: float("inf"), "event.waited"),
        ("waited", lambda: float("nan"), "event.waited"),
        ("waited", lambda: 10**400, "event.waited"),
        ("candidates", lambda: 10**10_000, "event.candidates"),
        ("candidates", lambda: float("nan"), "event.candidates"),
        ("candidates", lambda: True, "event.candidates"),
        ("version", lambda: 10**10_000, "event.version"),
        ("version", lambda: EVENT_VERSION + 1, "event.version"),
        ("version", lambda: 0, "event.version"),
        ("version", lambda: "3", "event.version"),
        ("ticket_id", lambda: "x" * 50_000_000, "event.ticket_id"),
        ("reason", lambda: "x" * 50_000_000, "event.reason"),
        ("at", lambda: "x" * 50_000_000, "event.at"),
        ("at", lambda: "2026-03-02T02:00:00", "event.at"),
        ("ticket_id", lambda: _deep(50_000), "event.ticket_id"),
        ("waited", lambda: _deep(50_000), "event.waited"),
        ("last_contact_at", lambda: {"at": _deep(50_000)}, "event.last_contact_at"),
        ("type", lambda: "DeskEvent", "event.type"),
        ("type", lambda: "Event", "event.type"),
        ("type", lambda: "SlaEvent", "event.type"),
        ("type", lambda: "ConfigError", "event.type"),
        ("type", lambda: "__class__", "event.type"),
        ("type", lambda: _deep(50_000), "event.type"),
        ("surplus", lambda: 1, "event.surplus"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 40 else None,
)
def test_a_hostile_row_is_a_config_error_at_its_path(
    field: str, value: Callable[[], Any], path: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        event_from_dict({**_ROW, field: value()})
    assert caught.value.path == path
    assert len(str(caught.value)) < 2000  # the message shows the value bounded


def test_a_row_missing_a_field_names_it() -> None:
    for field in _ROW:
        if field in ("type", "version"):
            continue
        row = {k: v for k, v in _ROW.items() if k != field}
        with pytest.raises(ConfigError, match=f"missing field '{field}'") as caught:
            event_from_dict(row)
        assert caught.value.path == f"event.{field}"


def test_a_newer_version_says_to_upgrade() -> None:
    with pytest.raises(ConfigError, match=r"newer than this csflow reads.*upgrade csflow"):
        event_from_dict({**_ROW, "version": EVENT_VERSION + 1, "surplus": 1})
