"""csflow.testing.programs and vocabulary: command programs drawn from the user's own config
reach the whole ticket lifecycle.

The reach test measures, over 200 derandomised programs of ``commands(config)`` on the docs'
Indonesian example desk, how many programs have each command kind accepted, how many submitted
tickets are assigned and resolved, and which event kinds occur.  (The blind generator this
replaced reached 0 % assigned, and never an accepted reply, resolve or status change.)
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csflow import BusinessCalendar, Desk, DeskConfig, SlaPolicy, TicketAssigned, TicketResolved
from csflow.errors import CsflowError
from csflow.events import Event
from csflow.model import Metric
from csflow.testing import COMMAND_KINDS, Command, Vocabulary, check_invariants, commands, replay
from csflow.testing.vocabulary import dst_changes

ROOT = Path(__file__).resolve().parent.parent


def _example_config() -> dict[str, Any]:
    spec = importlib.util.spec_from_file_location(
        "indonesian_desk", ROOT / "examples" / "indonesian_desk.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    config: dict[str, Any] = module.CONFIG
    return config


INDONESIAN = DeskConfig.from_dict(_example_config())

# Every event kind the Indonesian desk can produce.  It cannot produce SurveyDue (no
# survey_delay), SlaEscalated (no escalation policy), TicketOverflowed (no relaxation or
# overflow) or TransferLimitReached (no transfer limit).
REACHABLE_EVENTS = {
    "AgentPresenceChanged",
    "CallbackDue",
    "SlaBreached",
    "SlaMet",
    "SlaWarning",
    "TicketAbandoned",
    "TicketAssigned",
    "TicketClosed",
    "TicketEscalated",
    "TicketPrioritized",
    "TicketQueued",
    "TicketReopened",
    "TicketRequeued",
    "TicketResolved",
    "TicketStatusChanged",
    "TicketTransferred",
}


def test_the_vocabulary_is_the_configs_own() -> None:
    voc = Vocabulary.of(INDONESIAN, languages=["id"], skills=["senior"])
    assert [t.name for t in voc.tiers] == ["platinum", "gold", "silver", "regular"]
    assert voc.channels[:2] == ("chat", "whatsapp")  # named by the triage rules first
    assert set(voc.channels) >= {"phone", "email", "social"}
    assert voc.languages == ("id",)
    assert voc.skills == ("senior",)
    assert voc.teams == ("front", "finance")
    assert voc.queues == ("vip", "general", "finance")
    assert set(voc.presence) == {"available", "away", "busy", "offline"}
    assert len(voc.calendars) == 1


def test_dst_changes_are_found_to_the_minute() -> None:
    london = BusinessCalendar.always_open("Europe/London")
    changes = dst_changes(london, datetime(2026, 1, 1, tzinfo=UTC))
    assert changes == [
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
    ]
    assert (
        dst_changes(BusinessCalendar.always_open("Asia/Jakarta"), datetime(2026, 1, 1, tzinfo=UTC))
        == []
    )


def _reach(
    programs: list[list[Command]], config: DeskConfig
) -> tuple[Counter[str], float, float, set[str]]:
    kinds: Counter[str] = Counter()
    events: set[str] = set()
    submitted = assigned = resolved = 0
    for program in programs:
        desk = Desk(config)
        accepted: set[str] = set()
        mine: set[str] = set()
        got: set[str] = set()
        done: set[str] = set()
        for command in program:
            try:
                out = command.apply(desk)
            except CsflowError:
                continue
            accepted.add(command.name)
            if command.name == "submit":
                mine.add(command.args[0].id)
            for e in out:
                events.add(type(e).__name__)
                if isinstance(e, TicketAssigned):
                    got.add(e.ticket_id)
                if isinstance(e, TicketResolved):
                    done.add(e.ticket_id)
        kinds.update(accepted)
        submitted += len(mine)
        assigned += len(got & mine)
        resolved += len(done & mine)
    return kinds, assigned / submitted, resolved / submitted, events


def test_programs_reach_every_command_and_event_of_the_indonesian_desk() -> None:
    programs: list[list[Command]] = []

    @settings(
        max_examples=200,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(commands(INDONESIAN))
    def collect(program: list[Command]) -> None:
        programs.append(program)

    collect()
    assert len(programs) == 200
    kinds, assigned, resolved, events = _reach(programs, INDONESIAN)
    rare = {k: kinds[k] for k in COMMAND_KINDS if kinds[k] < len(programs) / 5}
    assert not rare, f"command kinds accepted in under a fifth of the programs: {rare}"
    assert assigned >= 0.8, f"only {assigned:.0%} of submitted tickets were assigned"
    assert resolved >= 0.5, f"only {resolved:.0%} of submitted tickets were resolved"
    assert events >= REACHABLE_EVENTS, f"never occurred: {sorted(REACHABLE_EVENTS - events)}"


OFFICE = BusinessCalendar(
    "Europe/London", {d: [("09:00", "17:30")] for d in ("mon", "tue", "wed", "thu", "fri")}
)
LONDON_DESK = DeskConfig(
    sla_policies=[SlaPolicy("office", OFFICE, {Metric.FIRST_RESPONSE: timedelta(hours=2)})],
    default_sla_policy="office",
)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_programs_cross_nights_weekends_and_dst(data: st.DataObject) -> None:
    program = data.draw(
        commands(LONDON_DESK, start=datetime(2026, 3, 27, 15, tzinfo=UTC), min_size=20)
    )
    times = [c.at for c in program]
    assert times == sorted(times)
    assert replay(LONDON_DESK, program, errors=True) == replay(LONDON_DESK, program, errors=True)


def test_time_steps_reach_closing_time_weekends_and_the_dst_change() -> None:
    seen: set[str] = set()
    change = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)

    @settings(max_examples=60, derandomize=True, database=None, deadline=None)
    @given(commands(LONDON_DESK, start=datetime(2026, 3, 27, 15, tzinfo=UTC), min_size=10))
    def collect(program: list[Command]) -> None:
        for c in program:
            local = c.at.astimezone(OFFICE.zone)
            if (local.hour, local.minute) == (17, 30):
                seen.add("closing time")
            if local.weekday() >= 5:
                seen.add("weekend")
            if abs(c.at - change) <= timedelta(minutes=90):
                seen.add("dst")
            if local.day == 30 and local.utcoffset() == timedelta(hours=1):
                seen.add("monday in summer time")

    collect()
    assert seen == {"closing time", "weekend", "dst", "monday in summer time"}


@settings(max_examples=30, deadline=None)
@given(commands(INDONESIAN, max_size=30))
def test_programs_keep_the_desk_sound(program: list[Command]) -> None:
    desk = Desk(INDONESIAN)
    events: list[Event] = []
    for command in program:
        before = desk.snapshot()
        try:
            events += command.apply(desk)
        except CsflowError:
            assert desk.snapshot() == before
        check_invariants(desk)
