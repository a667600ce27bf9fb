"""Durable desks: commands as values and a journal, JSON codecs, config identity, bad input.

Laws:

* every command value's plain data reads back equal, through JSON, and ``desk.apply(c)``
  returns what the method returns;
* a desk restored from a snapshot taken at a random point, plus the journal of the commands
  after it, has the same future as the original (compared as plain data, so the codecs are
  exercised too): warnings, breaches, relaxation, overflow, surveys, call-backs;
* leaving out the advances :func:`needs_journal` calls unneeded changes no event;
* every event type reads back equal from its plain data, every instant written in UTC;
* a snapshot under another config is refused, naming the field, or accepted on request with
  every moved deadline reported;
* tampered snapshots and journals raise ConfigError with a path.
"""

from __future__ import annotations

import copy
import json
import typing
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import (
    AgentProfile,
    ConfigError,
    Customer,
    Desk,
    DeskConfig,
    SlaDeadlineMoved,
    Ticket,
    TicketView,
    Tier,
    command_from_dict,
    event_from_dict,
    view_from_dict,
)
from csflow.desk.commands import COMMANDS, AddAgent, Advance, Command, Reply, Submit, needs_journal
from csflow.desk.durable import deadlines
from csflow.desk.fingerprint import config_fingerprint
from csflow.desk.serialisation import ticket_to_dict
from csflow.errors import CsflowError
from csflow.events import EVENT_VERSION, DeskEvent
from csflow.lowlevel import LongestIdle, PreferredAgent, view_to_dict
from csflow.model import Metric, Priority, TicketStatus
from csflow.testing import Command as NamedCommand
from csflow.testing import agent_profiles, commands, tickets
from desks import office_desk_doc

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WIB = timezone(timedelta(hours=7), "WIB")

CONFIG_DATA: dict[str, Any] = {
    "tiers": [{"name": "gold", "rank": 3}, {"name": "regular", "rank": 1}],
    "calendars": {"always": {"timezone": "Asia/Jakarta", "always_open": True}},
    "sla_policies": [
        {
            "name": "std",
            "calendar": "always",
            "targets": {"first_response": "PT15M", "next_response": "PT30M", "resolution": "PT4H"},
        }
    ],
    "default_sla_policy": "std",
    "queues": [
        {
            "name": "q0",
            "relaxation": [
                {"after": "PT2M", "proficiency": 1},
                {"after": "PT5M", "overflow_to": "q1"},
            ],
        },
        {"name": "q1", "key": "deadline", "fallback": "PT1H"},
    ],
    "routing_profiles": [{"name": "p0", "queues": ["q0", "q1"]}],
    "teams": {"finance": {"queue": "q1", "routing_profile": "p0"}},
    "survey_delay": "PT30M",
}
CONFIG = DeskConfig.from_dict(CONFIG_DATA)


def value_of(cmd: NamedCommand) -> Command:
    """The command value of a :class:`csflow.testing.Command`."""
    cls = next(c for c in COMMANDS.values() if c.method == cmd.name)
    args = list(cmd.args)
    if cls.method == "set_priority":
        args[1] = Priority.parse(args[1]).name.lower()
    return cls(*args, at=cmd.at, **cmd.kwargs)


def buildable(cmd: NamedCommand) -> Command | None:
    """The command value of *cmd*, or ``None`` when its arguments cannot make one (a priority
    named ``"asap"``): the desk refuses such a command, so no host journals it."""
    try:
        return value_of(cmd)
    except CsflowError:
        return None


def keeps_every_ticket(desk: Desk, snapshot: Any) -> None:
    """A snapshot keeps every ticket the desk knows, closed and abandoned ones included, so
    the restored desk and the original share one future."""
    assert [t["ticket"]["id"] for t in snapshot["state"]["tickets"]] == list(desk.tickets())


def attempt(desk: Desk, cmd: Command) -> list[dict[str, Any]] | str:
    """The events of *cmd* as plain data, or the name of the error it raised."""
    try:
        return [e.to_dict() for e in desk.apply(cmd)]
    except CsflowError as exc:
        return type(exc).__name__


# ---------------------------------------------------------------------------------------------
# Commands as values


@settings(max_examples=40)
@given(cmds=commands(max_size=25))
def test_command_values_round_trip_and_apply_like_the_methods(cmds: list[NamedCommand]) -> None:
    by_method = Desk(CONFIG)
    by_value = Desk(CONFIG)
    for named in cmds:
        try:
            value = value_of(named)
        except CsflowError:
            # A value that cannot be built (a priority named "asap") is refused by the method
            # too, and changes nothing there.
            before = by_method.snapshot()
            with pytest.raises(CsflowError):
                named.apply(by_method)
            assert by_method.snapshot() == before
            continue
        data = json.loads(json.dumps(value.to_dict()))
        assert command_from_dict(data) == value
        assert data["at"].endswith("+00:00")
        try:
            expected: Any = [e.to_dict() for e in named.apply(by_method)]
        except CsflowError as exc:
            expected = type(exc).__name__
        assert attempt(by_value, command_from_dict(data)) == expected


@settings(max_examples=60)
@given(cmds=commands(max_size=30), data=st.data())
def test_restored_desk_with_journal_has_the_same_future(
    cmds: list[NamedCommand], data: st.DataObject
) -> None:
    built = [v for c in cmds if (v := buildable(c)) is not None]
    values = [*built, Advance(at=cmds[-1].at + timedelta(days=1))]
    cut = data.draw(st.integers(0, len(values)), label="snapshot after")
    tail = data.draw(st.integers(cut, len(values)), label="journal until")
    original = Desk(CONFIG)
    journal: list[dict[str, Any]] = []
    snapshot: Any = None
    for i, cmd in enumerate(values):
        if i == cut:
            snapshot = json.loads(json.dumps(original.snapshot()))
            keeps_every_ticket(original, snapshot)
        if i >= tail:
            break
        if not isinstance(attempt(original, cmd), str) and i >= cut:
            journal.append(cmd.to_dict())
    if snapshot is None:
        snapshot = json.loads(json.dumps(original.snapshot()))
        keeps_every_ticket(original, snapshot)
    restored = Desk.restore(CONFIG, snapshot, journal=json.loads(json.dumps(journal)))
    assert restored.snapshot() == original.snapshot()
    for cmd in values[tail:]:
        assert attempt(restored, cmd) == attempt(original, cmd)


@settings(max_examples=60)
@given(cmds=commands(max_size=30), data=st.data())
def test_advances_that_need_no_journal_change_no_event(
    cmds: list[NamedCommand], data: st.DataObject
) -> None:
    values: list[Command] = []
    for c in cmds:
        value = buildable(c)
        if value is not None:
            values.append(value)
        if data.draw(st.booleans()):  # hosts call advance often, mostly for nothing
            step = data.draw(st.sampled_from([0, 1, 60, 600]))
            values.append(Advance(at=c.at + timedelta(seconds=step)))
    values.append(Advance(at=values[-1].at + timedelta(days=1)))
    full = Desk(CONFIG)
    journaled: list[Command] = []
    events: list[Any] = []
    skipped = 0
    for cmd in values:
        needed = needs_journal(full, cmd)
        out = attempt(full, cmd)
        if isinstance(out, str):
            continue
        if needed:
            journaled.append(cmd)
            events.append(out)
        else:
            skipped += 1
            assert out == []  # nothing fired
    replayed = Desk(CONFIG)
    assert [attempt(replayed, c) for c in journaled] == events
    assert deadlines(replayed) == deadlines(full)


def test_a_host_loop_journals_only_what_it_must() -> None:
    desk = Desk(CONFIG)
    sari = AgentProfile("sari", capacity={"chat": 2})
    ann = Customer("c1", Tier("gold", 3))
    log = []
    for cmd in [
        command_from_dict(
            {
                "type": "AddAgent",
                "version": 1,
                "at": T0.isoformat(),
                "profile": {"id": "sari", "capacity": {"chat": 2}},
                "presence": "available",
                "routing_profile": None,
            }
        ),
        Submit(Ticket("t1", ann, "chat", T0), at=T0),
        Advance(at=T0),  # the desk's own instant, nothing due: not journaled
        Advance(at=T0 + timedelta(minutes=1)),  # nothing due yet, but it moves the clock
        Reply("t1", "sari", at=T0 + timedelta(minutes=2)),
        Advance(at=T0 + timedelta(hours=5)),  # the resolution clock breached
    ]:
        if needs_journal(desk, cmd):
            log.append(cmd.to_dict())
        desk.apply(cmd)
    assert [e["type"] for e in log] == ["AddAgent", "Submit", "Advance", "Reply", "Advance"]
    assert desk.agent("sari").profile == sari


def test_apply_refuses_what_is_not_a_command() -> None:
    with pytest.raises(ConfigError, match=r"expected a desk command value, got 'advance'"):
        Desk(CONFIG).apply("advance")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# JSON codecs for events and views

ZONES = st.sampled_from([UTC, WIB, timezone(timedelta(hours=-5, minutes=-30))])
INSTANTS = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=ZONES
)


def strategy_for(tp: Any) -> st.SearchStrategy[Any]:
    """Values of a field type (the types events use)."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is tuple:
        return st.lists(strategy_for(args[0]), max_size=3).map(tuple)
    if args and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return st.none() | strategy_for(rest[0])
    table: dict[Any, st.SearchStrategy[Any]] = {
        datetime: INSTANTS,
        timedelta: st.timedeltas(timedelta(days=-999), timedelta(days=999)),
        str: st.text(max_size=20),
        int: st.integers(-(2**40), 2**40),
        float: st.floats(allow_nan=False, allow_infinity=False),
        bool: st.booleans(),
        Metric: st.sampled_from(list(Metric)),
        Priority: st.sampled_from(list(Priority)),
        TicketStatus: st.sampled_from(list(TicketStatus)),
        Decimal: st.decimals(allow_nan=False, allow_infinity=False, places=2),
    }
    return table[tp]


def event_classes() -> list[type[Any]]:
    import csflow.events as ev

    out = [ev.AgentPresenceChanged, ev.AgentProfileChanged]
    todo: list[type[Any]] = [DeskEvent]
    while todo:
        cls = todo.pop()
        if cls is not DeskEvent:
            out.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(out, key=lambda c: c.__name__)


# The fields a desk writes within a range (event_from_dict refuses values outside it).
IDS = st.text(min_size=1, max_size=20)
IN_RANGE: dict[str, st.SearchStrategy[Any]] = {
    "ticket_id": IDS,
    "agent_id": IDS,
    "routing_profile": IDS,
    "last_agent": st.none() | IDS,
    "from_agent": st.none() | IDS,
    "waited": st.floats(0, 1e9),
    **dict.fromkeys(("candidates", "contacts", "open_tickets", "limit"), st.integers(0, 2**40)),
    # a hand-over's count includes itself
    **dict.fromkeys(("transfers", "escalations"), st.integers(1, 2**40)),
    # SlaDeadlineMoved and SlaEscalated carry the metric's value (the SLA events a Metric)
    "metric": st.sampled_from([m.value for m in Metric]),
    "step": st.integers(1, 2**40),
    "cycle": st.integers(1, 2**40),
    "rating": st.integers(1, 5),
    "threshold": st.floats(0, 1, exclude_min=True),
    "target": st.timedeltas(timedelta(microseconds=1), timedelta(days=999)),
    "elapsed": st.timedeltas(timedelta(0), timedelta(days=999)),
}
AMOUNTS = st.decimals(Decimal("0.01"), Decimal("1E14"), places=2)
GOODWILL: dict[str, st.SearchStrategy[Any]] = {
    "amount": AMOUNTS,
    "remaining": st.none() | st.just(Decimal(0)) | AMOUNTS,
    "reason": IDS,
    "supervisor": IDS,
    "approved_by": st.none() | IDS,
}


def events_of(cls: type[Any]) -> st.SearchStrategy[Any]:
    hints = typing.get_type_hints(cls)
    table = {**IN_RANGE, **(GOODWILL if cls.__name__.startswith("Goodwill") else {})}
    if hints.get("metric") is Metric:
        table = {k: v for k, v in table.items() if k != "metric"}
    events = st.builds(
        cls,
        **{
            f.name: table[f.name] if f.name in table else strategy_for(hints[f.name])
            for f in attrs.fields(cls)
        },
    )
    if "cycle_start" in attrs.fields_dict(cls):
        # An SLA cycle starts at or before its event (the reader refuses a later one).
        events = events.map(
            lambda e: (
                e
                if e.cycle_start is None or e.cycle_start <= e.at
                else attrs.evolve(e, cycle_start=e.at)
            )
        )
    if "request_id" not in attrs.fields_dict(cls):
        return events
    # A goodwill request's id is its ticket's id, "/goodwill/" and a number from 1.
    return st.tuples(events, st.integers(1, 2**40)).map(
        lambda en: (
            en[0]
            if en[0].request_id is None
            else attrs.evolve(en[0], request_id=f"{en[0].ticket_id}/goodwill/{en[1]}")
        )
    )


@pytest.mark.parametrize("cls", event_classes(), ids=lambda c: c.__name__)
@settings(max_examples=30)
@given(data=st.data())
def test_every_event_type_round_trips_through_json(cls: type[Any], data: st.DataObject) -> None:
    event = data.draw(events_of(cls))
    plain = json.loads(json.dumps(event.to_dict()))
    assert plain["type"] == cls.__name__
    assert plain["version"] == EVENT_VERSION
    assert plain["at"].endswith("+00:00")
    back = event_from_dict(plain)
    assert back == event
    assert type(back) is cls
    assert back.to_dict() == event.to_dict()


def test_every_event_of_the_desk_module_is_covered() -> None:
    import csflow.events as ev

    names = {
        n for n in ev.__all__ if isinstance(getattr(ev, n), type) and attrs.has(getattr(ev, n))
    }
    assert names - {"DeskEvent"} <= {c.__name__ for c in event_classes()}


def test_instants_are_written_in_utc_whatever_zone_they_carry() -> None:
    desk = Desk(CONFIG)
    desk.add_agent(AgentProfile("sari", capacity={"chat": 2}), at=T0, presence="available")
    at = datetime(2026, 3, 2, 16, 0, tzinfo=WIB)  # 09:00 UTC
    events = desk.submit(Ticket("t1", Customer("c1", Tier("gold", 3)), "chat", at), at=at)
    assert events[0].at.tzinfo is WIB  # in memory, the caller's zone
    assert events[0].to_dict()["at"] == "2026-03-02T09:00:00+00:00"
    clock = desk.clocks("t1")[Metric.RESOLUTION]
    assert clock.due_at is not None
    assert clock.due_at.utcoffset() == timedelta(hours=7)
    plain = clock.to_dict()
    assert plain["due_at"] == "2026-03-02T13:00:00+00:00"
    assert plain["target"] == "PT14400S"
    assert view_from_dict(json.loads(json.dumps(plain))) == clock


def test_views_round_trip_through_json() -> None:
    desk = Desk(CONFIG)
    desk.add_agent(
        AgentProfile("sari", {"orders": 3}, ["en"], {"chat": 2}), at=T0, presence="available"
    )
    desk.submit(Ticket("t1", Customer("c1", Tier("gold", 3)), "chat", T0), at=T0)
    views: list[Any] = [desk.ticket("t1"), desk.agent("sari"), *desk.clocks("t1").values()]
    for view in views:
        plain = json.loads(json.dumps(view_to_dict(view)))
        assert plain["type"] == type(view).__name__
        back = view_from_dict(plain)
        assert back == view
        if isinstance(view, TicketView):
            assert isinstance(back, TicketView)
            assert back.ticket == view.ticket
            assert view.to_dict() == plain
    agent = view_from_dict(json.loads(json.dumps(view_to_dict(views[1]))))
    assert agent.profile == views[1].profile  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("reader", "data", "match"),
    [
        (event_from_dict, {"type": "TicketClosed", "version": 4}, r"event\.version: .*newer"),
        (event_from_dict, {"type": "Nope", "version": 1}, r"event\.type: unknown event type"),
        (
            event_from_dict,
            {"type": "TicketClosed", "version": 1, "at": "2026-03-02T09:00:00"},
            r"event\.at: expected an ISO 8601 instant with offset",
        ),
        (
            event_from_dict,
            {"type": "TicketClosed", "version": 1, "at": "2026-03-02T09:00:00Z"},
            r"event\.ticket_id: missing field 'ticket_id'",
        ),
        (
            event_from_dict,
            {"type": "TicketClosed", "version": 1, "at": "2026-03-02T09:00:00Z", "ticket_id": 7},
            r"event\.ticket_id: expected str, got 7",
        ),
        (
            event_from_dict,
            {"type": "TicketClosed", "version": 1, "at": "2026-03-02T09:00Z", "ticket_id": "x"}
            | {"extra": 1},
            r"event\.extra: unknown key 'extra'",
        ),
        (command_from_dict, {"type": "Advance", "version": 9}, r"command\.version: .*newer"),
        (command_from_dict, {"type": "Explode", "version": 1}, r"command\.type: unknown"),
        (
            command_from_dict,
            {"type": "Reply", "version": 1, "at": "2026-03-02T09:00Z", "ticket_id": "t1"},
            r"command\.agent_id: expected a non-empty string, got None",
        ),
        (view_from_dict, {"type": "ClockView", "version": 2}, r"view\.version: .*newer"),
    ],
)
def test_malformed_plain_data_is_refused_with_its_path(reader: Any, data: Any, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        reader(data)


# ---------------------------------------------------------------------------------------------
# Config identity and change


def busy(config: DeskConfig = CONFIG) -> Desk:
    desk = Desk(config)
    desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=T0, presence="available")
    for i in range(3):
        desk.submit(Ticket(f"t{i}", Customer(f"c{i}", Tier("gold", 3)), "chat", T0), at=T0)
    desk.reply("t0", "sari", at=T0 + timedelta(minutes=1))
    return desk


def test_a_snapshot_under_another_config_is_refused_naming_what_changed() -> None:
    snap = busy().snapshot()
    data = copy.deepcopy(CONFIG_DATA)
    data["sla_policies"][0]["targets"]["first_response"] = "PT1M"
    with pytest.raises(ConfigError, match=r"snapshot\.config: .* differs .* in sla_policies;"):
        Desk.restore(DeskConfig.from_dict(data), snap)
    # What does not decide anything is not part of the identity.
    Desk.restore(attrs.evolve(CONFIG, keep_history=False), snap)


def test_an_accepted_config_change_reports_every_moved_deadline() -> None:
    snap = json.loads(json.dumps(busy().snapshot()))
    data = copy.deepcopy(CONFIG_DATA)
    data["sla_policies"][0]["targets"]["first_response"] = "PT30M"
    moved: list[Any] = []
    desk = Desk.restore(DeskConfig.from_dict(data), snap, on_config_change=moved)
    # t0 was answered (met: no deadline either way); t1, t2 wait: 15 more minutes each.
    assert moved == [
        SlaDeadlineMoved(
            T0 + timedelta(minutes=1),
            tid,
            "first_response",
            T0 + timedelta(minutes=15),
            T0 + timedelta(minutes=30),
        )
        for tid in ("t1", "t2")
    ]
    assert desk.clocks("t1")[Metric.FIRST_RESPONSE].due_at == T0 + timedelta(minutes=30)
    assert json.loads(json.dumps([e.to_dict() for e in moved]))[0]["type"] == "SlaDeadlineMoved"
    # The same config: nothing moved, nothing reported.
    same: list[Any] = []
    Desk.restore(CONFIG, snap, on_config_change=same)
    assert same == []


def test_the_fingerprint_is_the_same_in_another_process() -> None:
    import subprocess
    import sys

    from csflow.desk.fingerprint import config_fingerprint

    code = (
        "import json,sys; from csflow.desk import DeskConfig;"
        "from csflow.desk.fingerprint import config_fingerprint;"
        "print(config_fingerprint(DeskConfig.from_dict(json.load(sys.stdin)))['hash'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(CONFIG_DATA),
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "123", "PYTHONPATH": ":".join(sys.path)},
    )
    assert out.stdout.strip() == config_fingerprint(CONFIG)["hash"]


# ---------------------------------------------------------------------------------------------
# Format versions and bad input


def log_snapshot() -> dict[str, Any]:
    """What ``busy().snapshot()`` wrote before state snapshots: the command log."""
    us = 1772442000000000  # T0
    profile = {"id": "sari", "capacity": {"chat": 1}}
    tickets = [
        ticket_to_dict(Ticket(f"t{i}", Customer(f"c{i}", Tier("gold", 3)), "chat", T0))
        for i in range(3)
    ]
    return {
        "format": "csflow.desk/2",
        "at": (T0 + timedelta(minutes=1)).isoformat(),
        "config": config_fingerprint(CONFIG),
        "deadlines": {"t1": {"first_response": (T0 + timedelta(minutes=15)).isoformat()}},
        "commands": [
            ["add_agent", us, profile, "available", "p0"],
            *[["submit", us, t] for t in tickets],
            ["reply", us + 60_000_000, "t0", "sari"],
        ],
    }


def test_a_command_log_snapshot_is_migrated_by_replay() -> None:
    restored = Desk.restore(CONFIG, json.loads(json.dumps(log_snapshot())))
    assert restored.snapshot() == busy().snapshot()


def test_a_format_1_snapshot_is_still_read_without_a_config_check() -> None:
    old = {"format": "csflow.desk/1", "commands": log_snapshot()["commands"]}
    data = copy.deepcopy(CONFIG_DATA)
    data["survey_delay"] = "PT1H"
    desk = Desk.restore(DeskConfig.from_dict(data), old)
    assert desk.snapshot()["state"] == busy().snapshot()["state"]


def snap_with(change: Any) -> Any:
    snap = json.loads(json.dumps(busy().snapshot()))
    change(snap)
    return snap


def log_with(change: Any) -> Any:
    snap = json.loads(json.dumps(log_snapshot()))
    change(snap)
    return snap


JOURNAL_OK = [Reply("t0", "sari", at=T0 + timedelta(minutes=2)).to_dict()]


@pytest.mark.parametrize(
    ("snapshot", "journal", "match"),
    [
        (snap_with(lambda s: s.pop("at")), [], r"snapshot: missing key 'at'"),
        (
            snap_with(lambda s: s.update(at="yesterday")),
            [],
            r"snapshot\.at: expected an ISO 8601 instant",
        ),
        (
            log_with(lambda s: s.update(at="2026-03-02T09:00:00+00:00")),
            [],
            r"snapshot\.at: .* is not its last command's",
        ),
        (
            snap_with(lambda s: s.update(at="2026-03-02T08:00:00+00:00")),
            [],
            r"snapshot\.state\.tickets\[0\]\.queued_us: .*not after the snapshot's instant",
        ),
        (
            snap_with(lambda s: s["config"].update(hash=5)),
            [],
            r"snapshot\.config: expected a config fingerprint",
        ),
        (
            log_with(lambda s: s["deadlines"].update(t1={"first_response": 5})),
            [],
            r"snapshot\.deadlines\.t1\.first_response: expected an ISO 8601",
        ),
        (
            log_with(lambda s: s["commands"].append(["reply", s["commands"][-1][1], "t1", "bob"])),
            [],
            r"snapshot\.commands\[\d+\]: .*no agent 'bob'",
        ),
        (
            log_with(lambda s: s["commands"][0][2].update(capacity={"chat": "x"})),
            [],
            r"snapshot\.commands\[0\]\[2\]",
        ),
        (
            log_with(lambda s: s["commands"][0][2].update(id="x" * 1_000_000)),
            [],
            r"snapshot\.commands\[0\]\[2\]\.id: string of 1000000 characters",
        ),
        (
            log_with(lambda s: s["commands"][-1].__setitem__(1, s["commands"][0][1] - 1)),
            [],
            r"snapshot\.commands\[\d+\]: .*must not be earlier",
        ),
        (
            None,
            [{"type": "Advance", "version": 1, "at": "2026-03-02T08:00:00+00:00"}],
            r"journal\[0\]\.at: .* before the snapshot's instant",
        ),
        (
            None,
            [{"type": "Advance", "version": 3, "at": "2026-03-02T10:00:00+00:00"}],
            r"journal\[0\]\.version: .*newer",
        ),
        (
            None,
            [{**JOURNAL_OK[0], "agent_id": "bob"}],
            r"journal\[0\]: Reply cannot be replayed: no agent 'bob'",
        ),
        (
            None,
            [{**JOURNAL_OK[0], "agent_id": ["x"]}],
            r"journal\[0\]\.agent_id: expected a non-empty string",
        ),
        (
            None,
            [{k: v for k, v in JOURNAL_OK[0].items() if k != "at"}],
            r"journal\[0\]\.at: expected an ISO 8601",
        ),
        (
            None,
            [
                Advance(at=T0 + timedelta(hours=1)).to_dict(),
                Advance(at=T0 + timedelta(minutes=30)).to_dict(),
            ],
            r"journal\[1\]\.at: .* before the entry above it",
        ),
    ],
)
def test_tampered_snapshots_and_journals_raise_config_error_with_the_path(
    snapshot: Any, journal: Any, match: str
) -> None:
    snap = snapshot if snapshot is not None else busy().snapshot()
    with pytest.raises(ConfigError, match=match):
        Desk.restore(CONFIG, snap, journal=journal)


@pytest.mark.parametrize("where", ["snapshot", "journal"])
def test_ten_thousand_deep_nesting_is_refused_with_its_path(where: str) -> None:
    nested: list[Any] = []
    for _ in range(10_000):
        nested = [nested]
    snap = busy().snapshot()
    if where == "snapshot":
        snap["state"]["tickets"][1]["tags"] = nested
        journal: list[Any] = []
    else:
        journal = [{**JOURNAL_OK[0], "agent_id": nested}]
    with pytest.raises(ConfigError, match=rf"{where}.*nested deeper than 32 levels"):
        Desk.restore(CONFIG, snap, journal=journal)


def test_journal_after_snapshot_round_trip_keeps_working() -> None:
    original = busy()
    snap = json.loads(json.dumps(original.snapshot()))
    cmd = Reply("t0", "sari", at=T0 + timedelta(minutes=3))
    journal = [json.loads(json.dumps(cmd.to_dict()))]
    original.apply(cmd)
    restored = Desk.restore(CONFIG, snap, journal=journal)
    later = T0 + timedelta(days=1)
    assert [e.to_dict() for e in restored.advance(at=later)] == [
        e.to_dict() for e in original.advance(at=later)
    ]


@settings(max_examples=30)
@given(profile=agent_profiles(), ticket=tickets(created_at=T0))
def test_submit_and_add_agent_values_round_trip(profile: AgentProfile, ticket: Ticket) -> None:
    for cmd in (
        Submit(ticket, at=T0),
        AddAgent(profile, "available", None, at=T0),
    ):
        assert command_from_dict(json.loads(json.dumps(cmd.to_dict()))) == cmd


def test_a_journal_over_capacity_is_refused_and_nothing_is_touched() -> None:
    from csflow.desk.commands import Transfer

    snap = json.loads(json.dumps(busy().snapshot()))
    before = copy.deepcopy(snap)
    # sari's one chat slot holds t0: handing her t1 too would put her over capacity.
    journal = [Transfer("t1", "sari", at=T0 + timedelta(minutes=2)).to_dict()]
    with pytest.raises(ConfigError, match=r"journal\[0\]: Transfer cannot be replayed: .*sari"):
        Desk.restore(CONFIG, snap, journal=journal)
    assert snap == before  # the host's documents are read, never changed


def vip_first(ctx: Any) -> Any:
    """A code priority policy (its name is its identity in the fingerprint)."""
    from csflow.lowlevel import PolicyResult

    return PolicyResult(Priority.HIGH, "vip first")


def vip_later(ctx: Any) -> Any:
    """Another one."""
    from csflow.lowlevel import PolicyResult

    return PolicyResult(Priority.LOW, "vip later")


def test_the_fingerprint_names_code_policies_and_ignores_caches() -> None:
    from csflow.desk.fingerprint import config_fingerprint, fingerprint_changes

    rules = {
        "rules": [
            {"name": "vip", "when": {"field": "tier", "eq": "gold"}, "then": {"priority": "high"}}
        ]
    }
    config = DeskConfig.from_dict({**CONFIG_DATA, "triage": rules})
    before = config_fingerprint(config)
    busy(config)  # triage caches its decisions: not part of the identity
    assert config_fingerprint(config) == before
    first = config_fingerprint(attrs.evolve(config, priority_policy=vip_first))
    assert fingerprint_changes(before, first) == ["priority_policy"]
    later = config_fingerprint(attrs.evolve(config, priority_policy=vip_later))
    assert fingerprint_changes(first, later) == ["priority_policy"]
    assert fingerprint_changes(first, first) == []


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=6,
)


def mutate(data: st.DataObject, node: Any) -> Any:
    """*node* with one random change somewhere inside it."""
    action = data.draw(st.sampled_from(["replace", "descend", "descend", "drop"]))
    if action == "replace" or not isinstance(node, dict | list) or not node:
        return data.draw(JSON_VALUES)
    if isinstance(node, dict):
        key = data.draw(st.sampled_from(sorted(node)))
        if action == "drop":
            return {k: v for k, v in node.items() if k != key}
        return {**node, key: mutate(data, node[key])}
    i = data.draw(st.integers(0, len(node) - 1))
    if action == "drop":
        return node[:i] + node[i + 1 :]
    return [*node[:i], mutate(data, node[i]), *node[i + 1 :]]


def _fuzz_base() -> tuple[Any, list[Any]]:
    desk = busy()
    snap = json.loads(json.dumps(desk.snapshot()))
    ticket = Ticket("t9", Customer("c9", Tier("gold", 3), language="id"), "chat", T0)
    journal = [
        Submit(ticket, at=T0 + timedelta(minutes=2)).to_dict(),
        Reply("t0", "sari", at=T0 + timedelta(minutes=3)).to_dict(),
        Advance(at=T0 + timedelta(hours=1)).to_dict(),
    ]
    return snap, json.loads(json.dumps(journal))


FUZZ_SNAPSHOT, FUZZ_JOURNAL = _fuzz_base()


@settings(max_examples=150)
@given(data=st.data(), n=st.integers(1, 3), target=st.sampled_from(["snapshot", "journal"]))
def test_fuzzed_snapshot_and_journal_restore_or_raise_config_error(
    data: st.DataObject, n: int, target: str
) -> None:
    snap: Any = FUZZ_SNAPSHOT
    journal: Any = FUZZ_JOURNAL
    for _ in range(n):
        if target == "snapshot":
            snap = mutate(data, snap)
        else:
            journal = mutate(data, journal)
    if not isinstance(journal, list):
        journal = [journal]
    try:
        desk = Desk.restore(CONFIG, snap, journal=journal)
    except ConfigError as exc:
        error: ConfigError | None = exc
    else:
        error = None
    if error is not None:
        assert str(error).startswith(("snapshot", "journal")), str(error)
        return
    json.dumps(desk.snapshot())


def test_a_configs_fingerprint_is_stable_across_releases() -> None:
    """A snapshot records its config's fingerprint, and a restore under a config whose
    fingerprint differs is refused unless the host accepts the change.  So a release must not
    change the fingerprint of a config nobody edited -- not by a field added to a value's
    class, derived or not (a preferred agent's converted recency, say), nor by a change of the
    canonical form -- or every host's saved desks stop restoring after an upgrade.  A change
    that must happen bumps ``FINGERPRINT_VERSION`` and says so in the changelog; then this
    pinned hash changes with it."""
    config = attrs.evolve(
        DeskConfig.from_dict(office_desk_doc()),
        strategies=(
            PreferredAgent(timeout=timedelta(minutes=2), recency=timedelta(days=30)),
            LongestIdle(),
        ),
    )
    fingerprint = config_fingerprint(config)
    assert fingerprint["version"] == 1
    # Changed once, with the changelog's note: the default bands of an aging queue (one per
    # priority) change the order of a config nobody edited, so its ``queues`` part differs.
    assert fingerprint["hash"] == (
        "4ac349e6b6de272d057bd193cfbc41d0a0eee397bbf2c0d1c0f290b07e27c2db"
    )
