"""Wire forms refuse what they cannot write or read, with a CsflowError naming the value.

Laws:

* a command value cannot hold an ``at`` the desk would refuse (naive, not a datetime, outside
  years 1 to 9999 in UTC): building it raises the desk's own ``CalendarError``, so ``to_dict``
  never reads a naive datetime in the machine's local zone;
* ``Desk.restore(journal=...)`` refuses a journal that is no iterable of commands (at
  ``journal``) and a command value whose ``at`` is bad (at ``journal[i].at``), and reads
  nothing into the host's documents;
* a snapshot ``format`` of any length is a ``ConfigError`` at ``snapshot.format``;
* a ``version`` of any size is a ``ConfigError`` at its path, in every reader.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest

from csflow import (
    AgentProfile,
    CalendarError,
    ConfigError,
    Customer,
    Desk,
    DeskConfig,
    Ticket,
    Tier,
    command_from_dict,
    event_from_dict,
    view_from_dict,
)
from csflow._text import show
from csflow._time import to_instant_us
from csflow.desk.commands import COMMANDS, Advance, Command, Reply
from csflow.events import TicketAssigned
from csflow.lowlevel import view_to_dict

T0 = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)
WIB = timezone(timedelta(hours=7), "WIB")
HUGE = 10**5000  # more digits than int's str() will write (4,300 by default)
CONFIG = DeskConfig.from_dict(
    {
        "calendars": {"24x7": {"timezone": "Asia/Jakarta", "always_open": True}},
        "sla_policies": [
            {"name": "chat", "calendar": "24x7", "targets": {"first_response": "PT15M"}},
        ],
        "default_sla_policy": "chat",
    }
)

# Arguments (besides ``at``) that build each command value.
_ARGS: dict[str, tuple[Any, ...]] = {
    "AddAgent": (AgentProfile("sari", capacity={"chat": 1}), "available"),
    "UpdateAgent": (AgentProfile("sari", skills={"refunds": 3}, capacity={"chat": 2}), "default"),
    "SetPresence": ("sari", "away"),
    "RemoveAgent": ("sari",),
    "Submit": (Ticket("T-1", Customer("ayu", Tier("gold", 3)), "chat", T0),),
    "Reply": ("T-1", "sari"),
    "CustomerMessage": ("T-1",),
    "SetStatus": ("T-1", "pending"),
    "SetPriority": ("T-1", "high"),
    "SetSlaPolicy": ("T-1", "chat"),
    "Transfer": ("T-1", "sari"),
    "Escalate": ("T-1", "finance"),
    "RequestCallback": ("T-1",),
    "Requeue": ("T-1", "sari"),
    "Abandon": ("T-1",),
    "Resolve": ("T-1", "sari"),
    "Reopen": ("T-1",),
    "Close": ("T-1",),
    "Forget": ("T-1",),
    "Advance": (),
    "RecordFeedback": ("T-1", 5, ""),
    "GrantGoodwill": ("T-1", "sari", "25000", "late"),
    "ApproveGoodwill": ("G-1", "boss"),
    "DeclineGoodwill": ("G-1", "boss"),
}

_BAD_AT: list[tuple[object, str]] = [
    (datetime(2026, 3, 16, 9, 0), r"'at' must be timezone-aware, got datetime\.datetime\(2026"),
    ("2026-03-16T09:00:00+00:00", r"'at' must be a timezone-aware datetime, got '2026-03-16"),
    (None, r"'at' must be a timezone-aware datetime, got None"),
    (date(2026, 3, 16), r"'at' must be a timezone-aware datetime, got datetime\.date\(2026"),
    (1773626400, r"'at' must be a timezone-aware datetime, got 1773626400"),
    (
        datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5))),
        r"'at' must be an instant in years 1-9999 in UTC",
    ),
]
_BAD_AT_IDS = ["naive", "str", "None", "date", "int", "outside years 1-9999"]


def test_every_command_class_has_sample_arguments() -> None:
    assert set(_ARGS) == set(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
@pytest.mark.parametrize(("at", "match"), _BAD_AT, ids=_BAD_AT_IDS)
def test_a_command_value_refuses_an_at_the_desk_would_refuse(
    name: str, at: object, match: str
) -> None:
    cls = COMMANDS[name]
    with pytest.raises(CalendarError, match=match):
        cls(*_ARGS[name], at=at)  # type: ignore[arg-type]
    # The refusal is the desk's: the same error class, the same message.
    with pytest.raises(CalendarError, match=match):
        Desk(CONFIG).advance(at=at)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_command_value_with_an_aware_at_in_any_zone_round_trips_in_utc(name: str) -> None:
    at = datetime(2026, 3, 16, 9, 0, tzinfo=WIB)
    cmd = COMMANDS[name](*_ARGS[name], at=at)
    row = json.loads(json.dumps(cmd.to_dict()))
    assert row["at"] == "2026-03-16T02:00:00+00:00"
    assert command_from_dict(row) == cmd


def test_evolving_a_command_value_checks_the_new_at() -> None:
    cmd = Reply("T-1", "sari", at=T0)
    with pytest.raises(CalendarError, match=r"'at' must be timezone-aware"):
        attrs.evolve(cmd, at=T0.replace(tzinfo=None))


def _snapshot() -> dict[str, Any]:
    desk = Desk(CONFIG)
    desk.advance(at=T0)
    return json.loads(json.dumps(desk.snapshot()))  # type: ignore[no-any-return]


def _tampered(at: object) -> Command:
    """An Advance whose ``at`` was changed behind attrs' back (its validator never ran)."""
    cmd = Advance(at=T0 + timedelta(hours=1))
    object.__setattr__(cmd, "at", at)
    return cmd


@pytest.mark.parametrize("at", [a for a, _ in _BAD_AT], ids=_BAD_AT_IDS)
def test_restore_refuses_a_journalled_command_value_with_a_bad_at(at: object) -> None:
    snap = _snapshot()
    before = copy.deepcopy(snap)
    journal = [Advance(at=T0 + timedelta(minutes=1)), _tampered(at)]
    with pytest.raises(ConfigError, match=r"^journal\[1\]\.at: expected a timezone-aware") as info:
        Desk.restore(CONFIG, snap, journal=journal)
    assert info.value.path == "journal[1].at"
    assert info.value.detail.endswith(f"got {at!r}")
    assert snap == before  # the host's documents are read, never changed


@pytest.mark.parametrize(
    "journal",
    [
        None,
        5,
        1.5,
        object(),
        '[{"type": "Advance", "version": 1, "at": "2026-03-16T03:00:00+00:00"}]',
        b"[]",
        {"type": "Advance", "version": 1, "at": "2026-03-16T03:00:00+00:00"},
    ],
    ids=["None", "int", "float", "object", "str", "bytes", "one command's dict"],
)
def test_restore_refuses_a_journal_that_is_no_iterable_of_commands(journal: object) -> None:
    snap = _snapshot()
    before = copy.deepcopy(snap)
    with pytest.raises(ConfigError, match=r"^journal: expected an iterable of commands") as info:
        Desk.restore(CONFIG, snap, journal=journal)  # type: ignore[arg-type]
    assert info.value.path == "journal"
    assert snap == before


def test_restore_reads_a_journal_from_any_iterable() -> None:
    snap = _snapshot()
    rows = (Advance(at=T0 + timedelta(minutes=m)).to_dict() for m in (1, 2))
    assert Desk.restore(CONFIG, snap, journal=rows).now == T0 + timedelta(minutes=2)
    values = (Advance(at=T0 + timedelta(minutes=m)) for m in (1, 2))
    assert Desk.restore(CONFIG, snap, journal=values).now == T0 + timedelta(minutes=2)


@pytest.mark.parametrize(
    ("number", "newer"),
    [
        ("9" * 5000, True),
        ("0" * 5000 + "4", True),
        ("0" * 5000 + "3", False),
        ("4", True),
        ("10", True),
        ("03", False),
        ("0", False),
        ("", False),
        ("\N{SUPERSCRIPT TWO}", False),  # str.isdigit() says yes; int() refuses it
        ("\N{ARABIC-INDIC DIGIT FOUR}", False),  # not a format csflow writes
    ],
    ids=[
        "9 x 5000",
        "0 x 5000 then 4",
        "0 x 5000 then 3",
        "4",
        "10",
        "03",
        "0",
        "empty",
        "superscript two",
        "arabic-indic four",
    ],
)
def test_a_snapshot_format_of_any_length_is_a_config_error(number: str, newer: bool) -> None:
    snap = _snapshot()
    snap["format"] = "csflow.desk/" + number
    before = copy.deepcopy(snap)
    with pytest.raises(ConfigError, match=r"^snapshot\.format: expected format") as info:
        Desk.restore(CONFIG, snap)
    assert info.value.path == "snapshot.format"
    assert ("newer than this csflow reads" in info.value.detail) is newer
    assert len(str(info.value)) < 600  # the value is shown abbreviated
    assert snap == before


def _event_row() -> dict[str, Any]:
    return TicketAssigned(T0, "T-1", "sari", 1.5, 2, "why").to_dict()


def _command_row() -> dict[str, Any]:
    return Reply("T-1", "sari", at=T0).to_dict()


def _view_row() -> dict[str, Any]:
    desk = Desk(CONFIG)
    desk.submit(Ticket("T-1", Customer("ayu", Tier("gold", 3)), "chat", T0), at=T0)
    return view_to_dict(next(iter(desk.clocks("T-1").values())))


@pytest.mark.parametrize(
    ("read", "row", "path"),
    [
        (event_from_dict, _event_row, "event"),
        (command_from_dict, _command_row, "command"),
        (view_from_dict, _view_row, "view"),
    ],
    ids=["event", "command", "view"],
)
@pytest.mark.parametrize("version", [HUGE, 7, 2**64], ids=["5001 digits", "7", "2**64"])
def test_a_version_of_any_size_is_a_config_error(
    read: Any, row: Any, path: str, version: int
) -> None:
    data = {**row(), "version": version}
    with pytest.raises(ConfigError, match=r"version .* is newer than this csflow reads") as info:
        read(data)
    assert info.value.path == f"{path}.version"
    assert len(str(info.value)) < 600


@pytest.mark.parametrize("value", [10**5000, -(10**5000)], ids=["huge", "-huge"])
def test_an_instant_of_any_size_is_refused_with_a_message(value: int) -> None:
    # str() of an int past 4,300 digits raises: the message says how big it is instead.
    assert show(value) == "<int of about 5,001 digits>"
    with pytest.raises(CalendarError, match=r"got <int of about 5,001 digits>$"):
        to_instant_us(value)
