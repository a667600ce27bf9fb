"""csflow.testing: the manual clock, replay, invariant checks, assertion helpers, stories and
Hypothesis strategies."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.calendar import BusinessCalendar
from csflow.desk import Desk, DeskConfig
from csflow.errors import ConfigError, CsflowError, InvalidTransitionError
from csflow.events import Event, TicketAssigned, TicketQueued
from csflow.model import AgentProfile, Customer, Priority, Ticket, TicketStatus, Tier
from csflow.rules import RuleSet
from csflow.sla import Metric, SlaBreached, SlaPolicy
from csflow.testing import (
    Command,
    InvariantError,
    ManualClock,
    Story,
    agent_profiles,
    assert_assigned,
    assert_breached,
    assert_no_breach,
    assert_queued,
    calendars,
    check_invariants,
    commands,
    customers,
    desk_configs,
    replay,
    rule_sets,
    tickets,
)

WIB = timezone(timedelta(hours=7), "WIB")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=WIB)
M = timedelta(minutes=1)


# ---------------------------------------------------------------------------------------------
# ManualClock


def test_manual_clock_moves_forward() -> None:
    clock = ManualClock(T0)
    assert clock.now == T0
    assert clock.advance(seconds=40) == T0 + timedelta(seconds=40)
    assert clock.advance(timedelta(minutes=1)) == T0 + timedelta(seconds=100)
    assert clock.advance() == clock.now  # a zero step is allowed
    assert clock.set(T0 + timedelta(hours=1)) == clock.now == T0 + timedelta(hours=1)


def test_manual_clock_refuses_to_go_backwards() -> None:
    clock = ManualClock(T0)
    clock.advance(minutes=5)
    with pytest.raises(
        InvalidTransitionError,
        match=r"cannot go backwards, got a step of datetime\.timedelta\(days=-1",
    ):
        clock.advance(timedelta(seconds=-1))
    with pytest.raises(InvalidTransitionError, match=r"cannot go backwards: now 2026-03-02T09:05"):
        clock.set(T0)
    assert clock.now == T0 + 5 * M


def test_manual_clock_refuses_naive_instants() -> None:
    with pytest.raises(CsflowError, match=r"'start' must be timezone-aware"):
        ManualClock(datetime(2026, 3, 2, 9, 0))
    clock = ManualClock(T0)
    with pytest.raises(CsflowError, match=r"'when' must be timezone-aware"):
        clock.set(datetime(2026, 3, 2, 10, 0))


@given(steps=st.lists(st.integers(-100, 100), max_size=20))
def test_manual_clock_never_runs_backwards(steps: list[int]) -> None:
    clock = ManualClock(T0)
    for s in steps:
        before = clock.now
        if s < 0:
            with pytest.raises(InvalidTransitionError):
                clock.advance(seconds=s)
        else:
            clock.advance(seconds=s)
        assert clock.now - before == timedelta(seconds=max(s, 0))


# ---------------------------------------------------------------------------------------------
# Command and replay


def ticket(ticket_id: str, at: datetime, channel: str = "chat") -> Ticket:
    return Ticket(ticket_id, Customer("c1", Tier("gold", 3)), channel, at)


def test_command_applies_a_desk_method() -> None:
    desk = Desk(DeskConfig())
    Command("add_agent", T0, (AgentProfile("sari", capacity={"chat": 1}),)).apply(desk)
    Command("set_presence", T0, ("sari", "available")).apply(desk)
    events = Command("submit", T0, (ticket("t1", T0),)).apply(desk)
    assert [type(e) for e in events] == [TicketQueued, TicketAssigned]


@pytest.mark.parametrize("name", ["_commit", "explode", "config"])
def test_command_refuses_what_is_not_a_command(name: str) -> None:
    with pytest.raises(InvalidTransitionError, match=rf"unknown desk command '{name}'"):
        Command(name, T0).apply(Desk(DeskConfig()))


def test_replay_skips_failed_commands_only_when_asked() -> None:
    cmds = [
        Command("submit", T0, (ticket("t1", T0),)),
        Command("abandon", T0, ("t9",)),
        Command("abandon", T0 + M, ("t1",)),
    ]
    events = replay(DeskConfig(), cmds, errors=True)
    assert [type(e).__name__ for e in events] == ["TicketQueued", "TicketAbandoned"]
    with pytest.raises(CsflowError, match=r"'t9'"):
        replay(DeskConfig(), cmds)


# ---------------------------------------------------------------------------------------------
# check_invariants: passes on a sound desk, names what is broken otherwise


def staffed_desk() -> Desk:
    desk = Desk(DeskConfig())
    desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=T0, presence="available")
    desk.submit(ticket("t1", T0), at=T0)
    desk.submit(ticket("t2", T0), at=T0)
    return desk


def test_check_invariants_passes_on_a_sound_desk() -> None:
    desk = staffed_desk()
    check_invariants(desk)
    assert desk.ticket("t1").state == "assigned"
    assert desk.ticket("t2").state == "queued"


def test_check_invariants_names_a_ticket_in_the_wrong_place() -> None:
    desk = staffed_desk()
    desk._tickets["t2"].state = TicketStatus.ASSIGNED  # corrupt the desk behind its back
    with pytest.raises(InvariantError, match=r"ticket 't2' is assigned but waiting"):
        check_invariants(desk)


def test_check_invariants_names_work_not_conserved() -> None:
    desk = staffed_desk()
    desk._router.pool.release("sari", "t1", at=T0)  # free Sari without routing
    desk._tickets["t1"].state = TicketStatus.SOLVED
    with pytest.raises(InvariantError, match=r"work not conserved: agent 'sari'.*'t2'"):
        check_invariants(desk)


# ---------------------------------------------------------------------------------------------
# Assertion helpers: their failures show what happened


def assigned(ticket_id: str, agent: str) -> TicketAssigned:
    return TicketAssigned(T0, ticket_id, agent, 0.0, 1, "longest idle")


def breach(ticket_id: str, metric: Metric = Metric.FIRST_RESPONSE) -> SlaBreached:
    return SlaBreached(at=T0, ticket_id=ticket_id, metric=metric, due_at=T0, target=M)


def test_assert_assigned() -> None:
    events: list[Event] = [assigned("t1", "sari")]
    assert_assigned(events, "t1")
    assert_assigned(events, "t1", "sari")
    with pytest.raises(AssertionError, match=r"'t1' was last assigned to 'sari', not 'budi'"):
        assert_assigned(events, "t1", "budi")
    with pytest.raises(AssertionError, match=r"(?s)'t2' was not assigned; events:.*'sari'"):
        assert_assigned(events, "t2")
    with pytest.raises(AssertionError, match=r"(?s)'t2' was not assigned.*\(no events\)"):
        assert_assigned([], "t2")


def test_assert_queued() -> None:
    queued = TicketQueued(T0, "t2", "default", Priority.NORMAL, None, "gold", "chat", "no rule")
    events: list[Event] = [queued, assigned("t1", "sari")]
    assert_queued(events, "t2")
    with pytest.raises(
        AssertionError, match=r"(?s)ticket 't1' never entered a queue; events:.*'sari'"
    ):
        assert_queued(events, "t1")
    events.append(assigned("t2", "sari"))
    with pytest.raises(
        AssertionError, match=r"(?s)ticket 't2' was assigned to 'sari' after it entered a queue"
    ):
        assert_queued(events, "t2")


def test_assert_no_breach_and_assert_breached() -> None:
    events: list[Event] = [assigned("t1", "sari"), breach("t2")]
    assert_no_breach(events, "t1")
    assert_no_breach(events, "t2", Metric.RESOLUTION)
    with pytest.raises(AssertionError, match=r"(?s)unexpected SLA breaches:.*'t2'.*FIRST_RESPONSE"):
        assert_no_breach(events)
    assert assert_breached(events, "t2", "first_response") == events[1]
    with pytest.raises(AssertionError, match=r"(?s)no RESOLUTION breach for ticket 't2'.*'sari'"):
        assert_breached(events, "t2", Metric.RESOLUTION)


# ---------------------------------------------------------------------------------------------
# Story


def test_story_times_are_on_its_day_in_its_zone() -> None:
    story = Story(DeskConfig(), datetime(2026, 3, 6, tzinfo=WIB))
    assert story.at("08:05") == datetime(2026, 3, 6, 8, 5, tzinfo=WIB)
    assert story.at("23:59:59") == datetime(2026, 3, 6, 23, 59, 59, tzinfo=WIB)
    assert story.at("7:00") == datetime(2026, 3, 6, 7, 0, tzinfo=WIB)


def test_story_steps_name_days_by_weekday_offset_or_date() -> None:
    story = Story(DeskConfig(), datetime(2026, 3, 6, tzinfo=WIB))  # a Friday
    assert story.at("Fri 16:00") == datetime(2026, 3, 6, 16, 0, tzinfo=WIB)
    assert story.at("Mon 09:00") == datetime(2026, 3, 9, 9, 0, tzinfo=WIB)
    assert story.at("thursday 09:00:30") == datetime(2026, 3, 12, 9, 0, 30, tzinfo=WIB)
    assert story.at("+1d 00:30") == datetime(2026, 3, 7, 0, 30, tzinfo=WIB)
    assert story.at("+0d 08:00") == story.at("08:00")
    assert story.at("2026-03-31 17:45") == datetime(2026, 3, 31, 17, 45, tzinfo=WIB)


def test_story_wall_clock_times_follow_the_zone_across_dst() -> None:
    from zoneinfo import ZoneInfo

    london = ZoneInfo("Europe/London")
    story = Story(DeskConfig(), datetime(2026, 3, 27, tzinfo=london))  # Friday before the change
    friday, monday = story.at("Fri 16:00"), story.at("Mon 09:00")
    assert friday.utcoffset() == timedelta(0)
    assert monday.utcoffset() == timedelta(hours=1)
    assert monday.astimezone(UTC) == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("clock", "match"),
    [
        ("9h", r"story step '9h': expected 'HH:MM\[:SS\]', 'Mon HH:MM', '\+1d HH:MM'"),
        ("24:00", r"story step '24:00': no such time of day"),
        ("24:30", r"story step '24:30': no such time of day"),
        ("09:60", r"story step '09:60': no such time of day"),
        ("09:00:61", r"story step '09:00:61': no such time of day"),
        ("", r"story step '': expected"),
        ("Fry 09:00", r"story step 'Fry 09:00': unknown day 'Fry'; expected mon"),
        ("2026-02-30 09:00", r"story step '2026-02-30 09:00': no such date"),
        ("-1d 09:00", r"story step '-1d 09:00': expected"),
    ],
)
def test_story_refuses_malformed_steps_with_a_config_error(clock: str, match: str) -> None:
    story = Story(DeskConfig(), datetime(2026, 3, 6, tzinfo=WIB))
    with pytest.raises(ConfigError, match=match):
        story.at(clock)


def test_a_friday_to_monday_story_counts_business_hours_only() -> None:
    office = BusinessCalendar(
        "Asia/Jakarta", {d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")}
    )
    config = DeskConfig(
        sla_policies=[SlaPolicy("office", office, {Metric.FIRST_RESPONSE: timedelta(hours=2)})],
        default_sla_policy="office",
    )
    from zoneinfo import ZoneInfo

    story = Story(config, datetime(2026, 3, 6, tzinfo=ZoneInfo("Asia/Jakarta")))
    story.customer_opens("Fri 16:00", "t1", "email")
    assert_no_breach(story.wait_until("Mon 09:59"))
    breach = assert_breached(story.wait_until("Mon 10:01"), "t1", "first_response")
    assert breach.at == story.at("Mon 10:00")


def test_story_refuses_a_naive_day() -> None:
    with pytest.raises(CsflowError, match=r"'day' must be timezone-aware"):
        Story(DeskConfig(), datetime(2026, 3, 6))


def test_story_steps_return_and_keep_their_events() -> None:
    story = Story(DeskConfig(), datetime(2026, 3, 6, tzinfo=WIB))
    first = story.agent("09:00", "sari", chat=1)
    second = story.customer_opens("09:01", "t1", "chat", tier="gold", priority=Priority.HIGH)
    assert_assigned(second, "t1", "sari")
    assert story.holder("t1") == "sari"
    assert story.desk.ticket("t1").ticket.customer.tier == Tier("gold", 0)
    third = story.resolves("09:05", "sari", "t1")
    assert story.events == first + second + third
    assert third[0].at == story.at("09:05")
    with pytest.raises(InvalidTransitionError, match=r"must not be earlier"):
        story.wait_until("09:04")


# ---------------------------------------------------------------------------------------------
# Strategies produce valid values


@settings(max_examples=100)
@given(calendars())
def test_calendars_are_calendars(cal: BusinessCalendar) -> None:
    assert cal.next_open(datetime(2026, 3, 2, tzinfo=UTC)) is not None


@given(customers(), tickets(), agent_profiles())
def test_values_are_well_formed(c: Customer, t: Ticket, a: AgentProfile) -> None:
    assert c.tier.name in {"platinum", "gold", "silver", "regular"}
    assert t.created_at == datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert all(1 <= r.min_proficiency <= 5 for r in t.required_skills)
    assert a.capacity
    assert all(n >= 1 for n in a.capacity.values())


@settings(max_examples=100)
@given(rule_sets(queues=["q0", "q1"], sla_policies=["fast"]))
def test_rule_sets_name_only_the_given_targets(rules: RuleSet) -> None:
    for r in rules:
        assert r.then.get("queue", "q0") in {"q0", "q1"}
        assert r.then.get("sla_policy", "fast") == "fast"


@settings(max_examples=60)
@given(config=desk_configs(), cmds=commands(max_size=25))
def test_generated_configs_and_commands_drive_a_sound_desk(
    config: DeskConfig, cmds: list[Command]
) -> None:
    desk = Desk(config)
    times = [c.at for c in cmds]
    assert times == sorted(times)
    for cmd in cmds:
        with contextlib.suppress(CsflowError):
            cmd.apply(desk)
        check_invariants(desk)
    assert replay(config, cmds, errors=True) == replay(config, cmds, errors=True)
