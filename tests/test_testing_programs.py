"""csflow.testing.programs and vocabulary: command programs drawn from the user's own config
reach the whole ticket lifecycle.

The reach test measures, over 200 derandomised programs of ``commands(config)`` on the docs'
Indonesian example desk, how many programs have each command kind accepted, how many submitted
tickets are assigned and resolved, and which event kinds occur.  (The blind generator this
replaced reached 0 % assigned, and never an accepted reply, resolve or status change.)  The
same desk with goodwill allowances reaches the goodwill ledger too; a kind the configuration
rules out (no SLA policy, no goodwill policy) is never drawn as possible.
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from csflow import (
    AgentProfile,
    BusinessCalendar,
    Customer,
    Desk,
    DeskConfig,
    SlaPolicy,
    Ticket,
    TicketAssigned,
    TicketResolved,
    Tier,
)
from csflow.errors import CsflowError, InvalidTransitionError
from csflow.events import Event
from csflow.model import Metric
from csflow.testing import (
    COMMAND_KINDS,
    Command,
    CommandDriver,
    Vocabulary,
    check_invariants,
    commands,
    replay,
)
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
# Rupiah allowances per day in Jakarta, a finance pot, a higher limit per platinum ticket.
GOODWILL: dict[str, Any] = {
    "currency": "IDR",
    "decimals": 0,
    "period": "day",
    "timezone": "Asia/Jakarta",
    "allowance": "60000",
    "teams": {"finance": "150000"},
    "per_ticket": {"platinum": "75000"},
    "default_per_ticket": "40000",
    "over_limit": "approval",
}
#: The Indonesian desk with goodwill and surveys: every command kind is possible on it.
GOODWILL_DESK = DeskConfig.from_dict(
    {**_example_config(), "goodwill": GOODWILL, "survey_delay": "PT1H"}
)
#: The kinds a goodwill policy makes possible, and an approval mode besides.
GOODWILL_KINDS = {"grant_goodwill", "approve_goodwill", "decline_goodwill"}
ANSWERS = {"approve_goodwill", "decline_goodwill"}
#: The kinds of SLA policies and of the people around a ticket (ratings, goodwill).
PEOPLE_AND_POLICY_KINDS = {"set_sla_policy", "record_feedback", *GOODWILL_KINDS}


def possible_kinds(config: DeskConfig) -> set[str]:
    """The command kinds a desk of *config* can ever make possible."""
    kinds = set(COMMAND_KINDS)
    if not config.sla_policies:
        kinds.discard("set_sla_policy")
    if config.goodwill is None:
        kinds -= GOODWILL_KINDS
    elif config.goodwill.over_limit == "refuse":
        kinds -= ANSWERS  # no grant ever awaits a supervisor
    return kinds


# Every event kind the Indonesian desk can produce.  It cannot produce SurveyDue (no
# survey_delay), SlaEscalated (no escalation policy), TicketOverflowed (no relaxation or
# overflow) or TransferLimitReached (no transfer limit).
REACHABLE_EVENTS = {
    "AgentPresenceChanged",
    "CallbackDue",
    "FeedbackRecorded",
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
    reachable = possible_kinds(INDONESIAN)
    assert reachable == set(COMMAND_KINDS) - GOODWILL_KINDS
    # Derandomized, the draws still differ between a run of this file and of the whole suite
    # (Hypothesis mixes in constants from the modules loaded): the floors leave room for that
    # (measured: 63-71% assigned, 42-60% resolved, the rarest kind in 35-54 programs; the share
    # assigned fell as kinds that take work back -- update_agent, requeue -- joined the mix,
    # and again once a held call-back is given back about one step in five: 64% assigned and
    # 45% resolved for this file alone, 52% assigned in the whole suite).
    rare = {k: kinds[k] for k in sorted(reachable) if kinds[k] < len(programs) / 8}
    assert not rare, f"command kinds accepted in under an eighth of the programs: {rare}"
    assert not {k: kinds[k] for k in GOODWILL_KINDS if kinds[k]}, "goodwill without a policy"
    assert assigned >= 0.45, f"only {assigned:.0%} of submitted tickets were assigned"
    assert resolved >= 0.3, f"only {resolved:.0%} of submitted tickets were resolved"
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


def test_programs_grant_goodwill_rate_tickets_and_change_sla_policies() -> None:
    # Under goodwill allowances, SLA policies and surveys, every kind is drawn as possible in
    # a tenth of the programs at least, and the desk accepts every command so drawn.
    drawn: Counter[str] = Counter()
    events: set[str] = set()
    programs = 0

    @settings(
        max_examples=40,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def run(data: st.DataObject) -> None:
        nonlocal programs
        driver = CommandDriver(GOODWILL_DESK)
        kinds: set[str] = set()
        for _ in range(50):
            for step in driver.step(data.draw):
                if step.refusal:
                    continue
                assert step.error is None, f"refused {step.command!r}: {step.error}"
                kinds.add(step.kind)
                events.update(type(e).__name__ for e in step.events)
            check_invariants(driver.desk)
        drawn.update(kinds)
        programs += 1

    run()
    assert PEOPLE_AND_POLICY_KINDS <= set(COMMAND_KINDS) == possible_kinds(GOODWILL_DESK)
    rare = {k: drawn[k] for k in sorted(set(COMMAND_KINDS)) if drawn[k] < programs / 10}
    assert not rare, f"kinds drawn as possible in under a tenth of {programs} programs: {rare}"
    assert events >= {"FeedbackRecorded", "GoodwillGranted", "GoodwillRequested"}
    assert events >= {"GoodwillDeclined", "SurveyDue"}


@pytest.mark.parametrize(
    ("config", "ruled_out"),
    [
        pytest.param(DeskConfig(), {"set_sla_policy", *GOODWILL_KINDS}, id="no policies"),
        pytest.param(LONDON_DESK, GOODWILL_KINDS, id="no goodwill"),
        pytest.param(
            DeskConfig.from_dict(
                {**_example_config(), "goodwill": GOODWILL | {"over_limit": "refuse"}}
            ),
            ANSWERS,
            id="goodwill refused over a limit",
        ),
    ],
)
def test_a_kind_the_config_rules_out_is_never_possible(
    config: DeskConfig, ruled_out: set[str]
) -> None:
    assert possible_kinds(config) == set(COMMAND_KINDS) - ruled_out
    accepted: set[str] = set()

    @settings(
        max_examples=15,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def run(data: st.DataObject) -> None:
        driver = CommandDriver(config, refusals=0.3)
        for _ in range(30):
            for kind in ruled_out:
                assert not driver.possible(kind), kind
            for step in driver.step(data.draw):
                assert step.refusal or step.error is None, f"{step.command!r}: {step.error}"
                if step.error is None:
                    accepted.add(step.kind)

    run()
    assert not accepted & ruled_out
    if config.goodwill is not None:
        assert "grant_goodwill" in accepted  # within the allowances, never refused


START = datetime(2026, 3, 2, 9, tzinfo=UTC)
A0 = AgentProfile("a0", languages=["id"], capacity={"chat": 2})


def _run(driver: CommandDriver, *commands: tuple[Any, ...]) -> CommandDriver:
    """*driver* after applying *commands* (``(name, *args)``, at its ``now``), each accepted."""
    for name, *args in commands:
        step = driver.apply(Command(name, driver.now, tuple(args)))
        assert step.error is None, step.error
    return driver


def _ticket(tid: str) -> Ticket:
    return Ticket(tid, Customer("c0", Tier("regular", 1), "id"), "chat", START)


def test_a_resolution_is_rated_once_and_a_reopened_ticket_again() -> None:
    driver = _run(
        CommandDriver(GOODWILL_DESK),
        ("add_agent", A0),
        ("set_presence", "a0", "available"),
        ("submit", _ticket("t0")),
    )
    assert not driver.possible("record_feedback")
    _run(driver, ("resolve", "t0", "a0"))
    assert driver.possible("record_feedback")
    _run(driver, ("record_feedback", "t0", 4, ""))
    assert not driver.possible("record_feedback")  # the desk would refuse a second rating
    _run(driver, ("reopen", "t0"), ("resolve", "t0", "a0"))
    assert driver.possible("record_feedback")


def test_a_ticket_whose_goodwill_request_awaits_an_answer_is_not_forgotten() -> None:
    # An abandoned regular ticket (limit IDR 40.000) asked IDR 50.000: a request.
    driver = _run(
        CommandDriver(GOODWILL_DESK),
        ("submit", _ticket("t0")),
        ("abandon", "t0"),
        ("add_agent", A0),
        ("grant_goodwill", "t0", "a0", "50000", "late_delivery"),
    )
    assert driver.desk.goodwill_requests() == ("t0/goodwill/1",)
    assert driver.possible("approve_goodwill")
    assert not driver.possible("forget")
    _run(driver, ("decline_goodwill", "t0/goodwill/1", "lead-rina"))
    assert not driver.possible("approve_goodwill")
    assert driver.possible("forget")


def test_a_spent_allowance_allows_no_grant_until_the_next_day_when_over_is_refused() -> None:
    refuse = DeskConfig.from_dict(
        {**_example_config(), "goodwill": GOODWILL | {"over_limit": "refuse"}}
    )
    driver = _run(
        CommandDriver(refuse),
        ("add_agent", A0),
        ("submit", _ticket("t0")),
        ("submit", _ticket("t1")),
        ("grant_goodwill", "t0", "a0", "40000", "late_delivery"),  # t0 at its limit
    )
    assert driver.possible("grant_goodwill")  # IDR 20.000 left, on t1
    _run(driver, ("grant_goodwill", "t1", "a0", "20000", "late_delivery"))
    assert not driver.possible("grant_goodwill")  # the day's IDR 60.000 spent
    driver.now = datetime(2026, 3, 2, 17, 1, tzinfo=UTC)  # 00:01 on Tuesday in Jakarta
    assert driver.possible("grant_goodwill")


def test_a_waiting_ticket_is_not_drawn_a_transfer_to_a_team_on_its_own_queue() -> None:
    # The front team's queue is the only one: handing a waiting ticket to that team would leave
    # it where it is, and the desk refuses it, so the driver must not draw it as possible.
    # (Two teams may not share a queue: DeskConfig refuses that.)
    shared = DeskConfig.from_dict(
        {
            "queues": [{"name": "front"}],
            "routing_profiles": [{"name": "front", "queues": ["front"]}],
            "teams": {"day": {"queue": "front", "routing_profile": "front"}},
        }
    )
    driver = _run(CommandDriver(shared), ("submit", _ticket("t0")))
    assert driver.desk.ticket("t0").state == "queued"
    assert not driver.possible("transfer")
    with pytest.raises(InvalidTransitionError, match="already waits in queue 'front'"):
        driver.desk.transfer("t0", "day", at=driver.now)
