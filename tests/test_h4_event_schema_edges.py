"""The events' JSON Schema against ``event_from_dict``, for a consumer in another language that
validates rows with the schema and sends them on to a Python reader (or the other way round):

- an instant the schema accepts is one the reader reads: a date and time that exist, in years
  1 to 9999 (month 13, February 29 of a common year, hour 24, minute 60 and the leap second
  are refused by both; ``"format": "date-time"`` is only an annotation to most validators);
- an SLA target or elapsed time the schema accepts fits Python's longest duration;
- a wait the schema accepts is a finite float (``1e400`` is not);
- near-miss rows of every event type (wrong types, extra and missing keys, values past a
  range, deep nesting, huge numbers) get the same verdict from both, but for what the schema
  documents it cannot say;
- a :class:`CallbackRequested` row is of format version 3 and later, as the other type
  version 3 added.
"""

from __future__ import annotations

import calendar
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.errors import ConfigError
from csflow.events import (
    EVENT_VERSION,
    CallbackRequested,
    SlaMet,
    TicketAbandoned,
    TicketClosed,
    event_from_dict,
    event_schema,
)
from csflow.model import Metric
from json_schema_check import schema_valid
from test_b4_event_wire import CLASSES, events

SCHEMA = event_schema()
AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def _valid(doc: Any) -> bool:
    return schema_valid(doc, SCHEMA, SCHEMA)


def _reads(doc: Any) -> bool:
    try:
        event_from_dict(doc)
    except ConfigError:
        return False
    return True


def _closed(at: object) -> dict[str, Any]:
    return {**TicketClosed(AT, "T-1").to_dict(), "at": at}


def _naive_exists(y: int, mo: int, d: int, h: int, mi: int, s: int) -> bool:
    """Whether the date and time exist, from the Gregorian calendar's rules alone."""
    if not (1 <= y <= 9999 and 1 <= mo <= 12 and h <= 23 and mi <= 59 and s <= 59):
        return False
    leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]
    return 1 <= d <= days


@settings(max_examples=300, deadline=None)
@given(
    y=st.integers(0, 9999) | st.sampled_from([0, 1, 4, 100, 400, 1900, 2000, 2024, 2100, 9999]),
    mo=st.integers(0, 13),
    d=st.integers(0, 32),
    h=st.integers(0, 25),
    mi=st.integers(0, 61),
    s=st.integers(0, 61),
    us=st.none() | st.integers(0, 999_999),
)
def test_an_instant_the_schema_accepts_is_one_the_reader_reads(
    y: int, mo: int, d: int, h: int, mi: int, s: int, us: int | None
) -> None:
    text = f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}"
    text += "" if us is None else f".{us:06d}"
    text += "+00:00"
    exists = _naive_exists(y, mo, d, h, mi, s)
    assert _valid(_closed(text)) is exists
    assert _reads(_closed(text)) is exists


@pytest.mark.parametrize("year", [1, 4, 100, 400, 1900, 2000, 2024, 2026, 2100, 9996, 9999])
def test_every_day_of_a_year_and_no_other(year: int) -> None:
    pattern = SCHEMA["$defs"]["TicketClosed"]["properties"]["at"]["pattern"]
    for month in range(13 + 1):
        for day in range(33):
            text = f"{year:04d}-{month:02d}-{day:02d}T00:00:00+00:00"
            exists = 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]
            assert (re.search(pattern, text) is not None) is exists, text


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("2024-02-29T23:59:59.999999+00:00", True),  # a leap year
        ("2000-02-29T00:00:00+00:00", True),  # a century divisible by 400
        ("2100-02-29T00:00:00+00:00", False),  # a century that is not
        ("2026-02-29T00:00:00+00:00", False),
        ("2026-04-31T00:00:00+00:00", False),
        ("2026-13-01T00:00:00+00:00", False),
        ("2026-03-02T24:00:00+00:00", False),
        ("2026-03-02T23:60:00+00:00", False),
        ("2016-12-31T23:59:60+00:00", False),  # a leap second: Python has none
        ("0000-01-01T00:00:00+00:00", False),
        ("0001-01-01T00:00:00+00:00", True),
        ("9999-12-31T23:59:59.999999+00:00", True),
    ],
)
def test_worked_instants(text: str, ok: bool) -> None:
    assert _valid(_closed(text)) is ok
    assert _reads(_closed(text)) is ok


#: timedelta.max in whole seconds: 999,999,999 days and 86,399 seconds.
LONGEST = 999_999_999 * 86_400 + 86_399


@settings(max_examples=200, deadline=None)
@given(
    whole=st.integers(0, 10**20)
    | st.integers(LONGEST - 10**6, LONGEST + 10**6)
    | st.sampled_from([0, 1, LONGEST, LONGEST + 1, 10**13, 10**14 - 1, 10**14]),
    frac=st.none() | st.integers(0, 999_999),
    field=st.sampled_from(["elapsed", "target"]),
)
def test_a_duration_the_schema_accepts_is_one_the_reader_reads(
    whole: int, frac: int | None, field: str
) -> None:
    met = SlaMet(AT, "T-1", Metric.RESOLUTION, timedelta(hours=1), timedelta(hours=2), False)
    text = f"PT{whole}" + ("" if frac is None else f".{frac:06d}") + "S"
    doc = {**met.to_dict(), field: text}
    fits = whole <= LONGEST and (field == "elapsed" or whole > 0 or bool(frac))
    assert _valid(doc) is fits
    assert _reads(doc) is fits


@pytest.mark.parametrize(
    ("literal", "ok"),
    [
        ("0", True),
        ("1.5", True),
        ("1e308", True),
        ("1.7976931348623157e308", True),
        ("1e400", False),
        ("1" + "0" * 400, False),
        ("-1", False),
    ],
)
def test_a_wait_the_schema_accepts_is_a_float(literal: str, ok: bool) -> None:
    row = TicketAbandoned(AT, "T-1", 5.0).to_dict()
    text = json.dumps(row).replace('"waited": 5.0', f'"waited": {literal}')
    doc = json.loads(text)
    assert _valid(doc) is ok
    assert _reads(doc) is ok


def _deep(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


#: Near misses for any field: wrong types, empty and long strings, a lone surrogate, numbers at
#: and past the ranges, deep nesting, instants and durations that do not exist.
NEAR_MISSES: list[Any] = [
    None, True, False, 0, 1, -1, 2, 5, 6, 0.5, -0.5, 1e308, 10**400, 2**63 - 1, 2**63,
    0.0, -0.0, 1.0, 3.0, 5.0, 6.0, -1.0, 2.0**63,
    "", "x", "\ud800", "a" * 257, "a" * 2001, "a" * 65_537, [], {}, ["x"], {"x": 1},
    _deep(2000),
    "2026-13-01T00:00:00+00:00", "2026-02-29T00:00:00+00:00", "0000-01-01T00:00:00+00:00",
    "2026-01-01T24:00:00+00:00", "2026-01-01T23:59:60+00:00", "2026-01-01T23:60:00+00:00",
    "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:00.123456+00:00",
    "PT99999999999999999999S", "PT86400000000000S", "PT86399999999999.999999S", "PT0S",
    "PT1S", "-PT1S", "0", "0.5", "1000000000000000", "999999999999999.999999",
    "first_response", "resolution", "warning",
]  # fmt: skip
#: What the schema cannot say (event_schema's docstring): an SLA cycle's start after its
#: event and a goodwill request's id are rules across fields.  (A whole number written with a
#: zero fraction, ``3.0``, is an integer to both.)
ACROSS_FIELDS = frozenset({"cycle_start", "request_id"})


def _integer_literal_safe(value: Any) -> bool:
    # The test validator converts an integer candidate to float to see whether it is whole.
    return not (isinstance(value, int) and not isinstance(value, bool) and value > 2**1000)


@pytest.mark.parametrize("name", sorted(CLASSES))
@settings(max_examples=2, deadline=None)
@given(data=st.data())
def test_near_miss_rows_get_the_same_verdict(name: str, data: st.DataObject) -> None:
    row = json.loads(json.dumps(data.draw(events(name)).to_dict()))
    assert _valid(row)
    assert _reads(row)
    for key in row:
        if key in ACROSS_FIELDS or (name.startswith("Goodwill") and key == "ticket_id"):
            continue
        prop = SCHEMA["$defs"][name]["properties"][key]
        for value in NEAR_MISSES:
            if not _integer_literal_safe(value) and "integer" in json.dumps(prop):
                continue
            doc = {**row, key: value}
            if key == "at" and "cycle_start" in row:  # no cycle start to be after it
                doc["cycle_start"] = None
            if key == "version" and value in (1, 2):  # an older version: the reader's alone
                assert not _valid(doc)
                continue
            assert _valid(doc) is _reads(doc), (key, value if len(repr(value)) < 80 else "...")
        doc = {k: v for k, v in row.items() if k != key}
        assert not _valid(doc)
        if not (key == "cycle_start" and row["version"] == 1):
            assert not _reads(doc)
    assert not _valid({**row, "extra": 1})
    assert not _reads({**row, "extra": 1})


def test_a_callback_request_is_of_version_3_and_later() -> None:
    row = CallbackRequested(AT, "T-1").to_dict()
    assert row == {
        "type": "CallbackRequested",
        "version": EVENT_VERSION,
        "at": "2026-03-02T02:00:00+00:00",
        "ticket_id": "T-1",
    }
    assert event_from_dict({**row, "version": 3}) == CallbackRequested(AT, "T-1")
    for version in (1, 2):
        with pytest.raises(ConfigError, match="of format version 3 and later") as caught:
            event_from_dict({**row, "version": version})
        assert caught.value.path == "event.version"
