"""csflow.testing after the acceptance review: assertion helpers that check what they say, a
story that loses nothing when a step is refused and refuses wall times that do not exist, a
machine that notices a policy refusing well-formed commands, capacity rules among the
invariants, and bad input refused with a CsflowError that changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test

from csflow import AgentProfile, Customer, Desk, DeskConfig, Priority, Ticket, Tier
from csflow.errors import ConfigError, CsflowError, InvalidTransitionError, InvariantError
from csflow.events import Event, TicketAssigned, TicketQueued, TicketRequeued
from csflow.policies import PolicyContext, PolicyResult
from csflow.testing import (
    Command,
    CommandDriver,
    DeskMachine,
    ManualClock,
    Story,
    assert_assigned,
    assert_queued,
    check_invariants,
    replay,
)
from csflow.testing.invariants import can_take

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
S = timedelta(seconds=1)
GOLD = Tier("gold", 3)


def _ticket(ticket_id: str, channel: str = "chat", at: datetime = T0) -> Ticket:
    return Ticket(ticket_id, Customer(f"c-{ticket_id}", GOLD), channel, at)


def _transferred_desk() -> tuple[Desk, list[Event]]:
    """T1 goes to ana (she joined first), then is transferred to bob."""
    desk = Desk(DeskConfig())
    events = desk.add_agent(AgentProfile("ana", capacity={"chat": 1}), at=T0, presence="available")
    events += desk.add_agent(
        AgentProfile("bob", capacity={"chat": 1}), at=T0 + S, presence="available"
    )
    events += desk.submit(_ticket("T1"), at=T0 + 2 * S)
    assert desk.ticket("T1").agent_id == "ana"
    events += desk.transfer("T1", "bob", at=T0 + 5 * S)
    assert desk.ticket("T1").agent_id == "bob"
    return desk, events


# ---------------------------------------------------------------------------------------------
# 1. assert_queued: the ticket entered a queue, and was not assigned after it did


def _queued(ticket_id: str) -> TicketQueued:
    return TicketQueued(T0, ticket_id, "default", Priority.NORMAL, None, "gold", "chat", "no rule")


def _assigned(ticket_id: str, agent: str, at: datetime = T0) -> TicketAssigned:
    return TicketAssigned(at, ticket_id, agent, 0.0, 1, "longest idle")


def test_assert_queued_fails_for_a_ticket_that_never_entered_a_queue() -> None:
    with pytest.raises(AssertionError, match=r"(?s)'T-lost' never entered a queue.*\(no events\)"):
        assert_queued([], "T-lost")
    other: list[Event] = [_queued("t1")]
    with pytest.raises(AssertionError, match=r"'t2' never entered a queue; events:\n.*'t1'"):
        assert_queued(other, "t2")
    # Assigned without ever waiting: not queued either.
    with pytest.raises(AssertionError, match=r"'t1' never entered a queue"):
        assert_queued([_assigned("t1", "sari")], "t1")


def test_assert_queued_fails_for_a_ticket_assigned_after_it_was_queued() -> None:
    events: list[Event] = [_queued("t1"), _assigned("t1", "sari")]
    with pytest.raises(AssertionError, match=r"'t1' was assigned to 'sari' after it entered"):
        assert_queued(events, "t1")


def test_assert_queued_passes_for_a_ticket_waiting_at_the_end() -> None:
    assert_queued([_queued("t1")], "t1")
    # Assigned, then back in line when its agent left the desk: waiting again.
    back = TicketRequeued(T0, "t1", "sari", "agent 'sari' left the desk")
    assert_queued([_queued("t1"), _assigned("t1", "sari"), back], "t1")
    # On a real desk: nobody to take it.
    desk = Desk(DeskConfig())
    assert_queued(desk.submit(_ticket("t9"), at=T0), "t9")


# ---------------------------------------------------------------------------------------------
# 2. assert_assigned: the ticket's latest assignment in the events


def test_assert_assigned_checks_the_latest_assignment() -> None:
    _, events = _transferred_desk()
    assert_assigned(events, "T1")
    assert_assigned(events, "T1", "bob")
    with pytest.raises(
        AssertionError,
        match=r"(?s)'T1' was last assigned to 'bob', not 'ana'; its assignments: "
        r"'ana' at 2026-03-02T09:00:02\+00:00, 'bob' at 2026-03-02T09:00:05\+00:00; events:",
    ):
        assert_assigned(events, "T1", "ana")
    with pytest.raises(AssertionError, match=r"'T1' was last assigned to 'bob', not 'carl'"):
        assert_assigned(events, "T1", "carl")


# ---------------------------------------------------------------------------------------------
# 3. A refused story step keeps what its advance fired


SLA_CONFIG = DeskConfig.from_dict(
    {
        "calendars": {"24x7": {"timezone": "UTC", "always_open": True}},
        "sla_policies": [{"name": "p", "calendar": "24x7", "targets": {"first_response": "PT5M"}}],
        "default_sla_policy": "p",
    }
)


def test_a_refused_story_step_keeps_the_events_its_advance_fired() -> None:
    story = Story(SLA_CONFIG, datetime(2026, 3, 2, tzinfo=UTC))
    twin = Story(SLA_CONFIG, datetime(2026, 3, 2, tzinfo=UTC))
    for s in (story, twin):
        s.customer_opens("09:00", "T-1", "chat")
    fired = twin.wait_until("10:00")
    assert "SlaBreached" in [type(e).__name__ for e in fired]

    with pytest.raises(CsflowError, match=r"no agent 'sari'") as info:
        story.replies("10:00", "sari", "T-1")  # no such agent: refused
    # Nothing fired is lost: the story has what the twin (which only waited) has ...
    assert story.events == twin.events
    assert story.events[1:] == fired
    assert story.desk.history("T-1") == twin.desk.history("T-1")
    # ... the desk's clock is at the step's time, and the refused reply changed nothing.
    assert story.desk.now == story.at("10:00")
    assert story.desk.snapshot() == twin.desk.snapshot()
    assert any("story.events" in note for note in getattr(info.value, "__notes__", []))


def test_a_refused_story_step_still_returns_nothing_and_later_steps_go_on() -> None:
    story = Story(SLA_CONFIG, datetime(2026, 3, 2, tzinfo=UTC))
    story.customer_opens("09:00", "T-1", "chat")
    with pytest.raises(CsflowError):
        story.customer_opens("09:01", "T-1", "chat")  # a duplicate id: refused, nothing fired
    assert [type(e).__name__ for e in story.events] == ["TicketQueued"]
    story.agent("09:02", "sari", chat=1)
    assert story.holder("T-1") == "sari"


# ---------------------------------------------------------------------------------------------
# 4. Story wall times across DST: a skipped time is refused, a repeated one is the first

NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize("clock", ["02:30", "02:00", "02:59:59", "Sun 02:30", "2026-03-08 02:15"])
def test_story_refuses_a_wall_time_the_clocks_skip(clock: str) -> None:
    story = Story(DeskConfig(), datetime(2026, 3, 8, tzinfo=NEW_YORK))  # spring forward
    shown = clock.split()[-1]
    with pytest.raises(
        ConfigError,
        match=rf"story step '{clock}': {shown} does not exist on 2026-03-08 in America/New_York",
    ):
        story.at(clock)
    # A step at that time is refused before anything happens.
    with pytest.raises(ConfigError, match=r"does not exist"):
        story.customer_opens(clock, "t1", "chat")
    assert story.desk.now is None
    assert story.events == []


def test_story_reads_times_around_the_gap_and_the_repeated_hour() -> None:
    spring = Story(DeskConfig(), datetime(2026, 3, 8, tzinfo=NEW_YORK))
    assert spring.at("01:59").astimezone(UTC) == datetime(2026, 3, 8, 6, 59, tzinfo=UTC)
    assert spring.at("03:00").astimezone(UTC) == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
    assert spring.at("+1d 02:30").astimezone(UTC) == datetime(2026, 3, 9, 6, 30, tzinfo=UTC)
    fall = Story(DeskConfig(), datetime(2026, 11, 1, tzinfo=NEW_YORK))  # fall back at 02:00
    first = fall.at("01:30")
    assert first.astimezone(UTC) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # still EDT
    assert first.utcoffset() == timedelta(hours=-4)


# ---------------------------------------------------------------------------------------------
# 5. The machine fails when the desk refuses a command drawn as possible

BASE = DeskConfig.from_dict(
    {
        "tiers": [{"name": "gold", "rank": 3}, {"name": "regular", "rank": 1}],
        "queues": [{"name": "general"}],
        "routing_profiles": [{"name": "front", "queues": ["general"]}],
        "teams": {"front": {"queue": "general", "routing_profile": "front"}},
    }
)


def _lose_regulars(ctx: PolicyContext) -> PolicyResult[Any]:
    if ctx.customer.tier.name == "regular":
        raise ConfigError("oops, my lookup table has no 'regular'")
    return PolicyResult(ctx.ticket.priority, "own")


LOSING = attrs.evolve(BASE, priority_policy=_lose_regulars)
QUICK = settings(
    max_examples=30,
    stateful_step_count=20,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


class LosingDesk(DeskMachine):
    config = LOSING


class LosingOnPurpose(DeskMachine):
    config = LOSING
    refused_submits: int = 0

    def check_refused(self, step: Any) -> None:
        assert step.kind == "submit"
        assert isinstance(step.error, ConfigError)
        LosingOnPurpose.refused_submits += 1


def test_the_machine_fails_when_a_policy_refuses_well_formed_commands() -> None:
    with pytest.raises(
        InvariantError,
        match=r"the desk refused a command drawn as possible: Command\(name='submit'.*"
        r"raised ConfigError: oops, my lookup table has no 'regular'",
    ):
        run_state_machine_as_test(LosingDesk, settings=QUICK)


def test_a_machine_may_let_refusals_it_expects_through() -> None:
    LosingOnPurpose.refused_submits = 0
    run_state_machine_as_test(LosingOnPurpose, settings=QUICK)
    assert LosingOnPurpose.refused_submits > 0


class Sound(DeskMachine):
    config = BASE
    refusals = 0.5


def test_the_machine_still_passes_a_sound_desk_with_refusal_draws() -> None:
    run_state_machine_as_test(Sound, settings=QUICK)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_commands_drawn_as_possible_are_accepted_by_a_sound_desk(data: st.DataObject) -> None:
    # Transfers too: only to a routable agent with room for the ticket as the desk sees it
    # (a waiting call-back is a phone call), never to a made-up target, never past the limit.
    config = DeskConfig.from_dict(
        {
            "queues": [{"name": "a"}, {"name": "b"}],
            "teams": {"front": {"queue": "a"}, "back": {"queue": "b"}},
            "transfers": {"max_transfers": 1, "on_limit": "refuse"},
        }
    )
    driver = CommandDriver(data.draw(st.sampled_from([config, DeskConfig()])), refusals=0.2)
    for _ in range(30):
        for s in driver.step(data.draw):
            if not s.refusal:
                assert s.error is None, f"{s.command!r} refused: {s.error}"


# ---------------------------------------------------------------------------------------------
# 6. check_invariants checks the capacity rules: per-channel limits and exclusivity


class _WithRules:
    """A desk seen under other capacity rules (the public API only, as check_invariants uses)."""

    def __init__(self, desk: Desk, config: DeskConfig) -> None:
        self._desk, self.config = desk, config

    def __getattr__(self, name: str) -> Any:
        return getattr(self._desk, name)


def _loaded_desk(held: tuple[str, ...]) -> Desk:
    loose = DeskConfig.from_dict({"capacity": {"exclusive": []}})
    desk = Desk(loose)
    profile = AgentProfile("ana", capacity={"phone": 1, "chat": 2})
    desk.add_agent(profile, at=T0, presence="available")
    for i, channel in enumerate(held):
        desk.submit(_ticket(f"t{i}", channel), at=T0)
    assert len(desk.agent("ana").held) == len(held)
    check_invariants(desk)  # sound under its own rules
    return desk


def _rules(desk: Desk, **capacity: Any) -> Any:
    config = desk.config
    return _WithRules(
        desk, attrs.evolve(config, capacity=attrs.evolve(config.capacity, **capacity))
    )


def test_check_invariants_names_a_channel_held_over_its_limit() -> None:
    desk = _loaded_desk(("chat", "chat"))
    view = _rules(desk, limits={"chat": 1})
    assert not can_take(view, "ana", "chat")
    with pytest.raises(
        InvariantError, match=r"agent 'ana' holds 2 'chat' tickets, over the channel's limit 1"
    ):
        check_invariants(view)
    check_invariants(_rules(desk, limits={"chat": 2}))


def test_check_invariants_names_an_exclusive_ticket_not_held_alone() -> None:
    desk = _loaded_desk(("phone", "chat"))
    with pytest.raises(
        InvariantError,
        match=r"agent 'ana' holds \{'phone': 1, 'chat': 1\}: a ticket of exclusive channel "
        r"'phone' must be held alone",
    ):
        check_invariants(_rules(desk, exclusive=frozenset({"phone"})))
    alone = _loaded_desk(("phone",))
    check_invariants(_rules(alone, exclusive=frozenset({"phone"})))


def test_check_invariants_still_checks_the_load_budget() -> None:
    desk = _loaded_desk(("chat", "chat"))
    with pytest.raises(InvariantError, match=r"agent 'ana' load 2 over budget 1"):
        check_invariants(_rules(desk, budget=1))


# ---------------------------------------------------------------------------------------------
# 7. Bad input: a CsflowError naming the value, and nothing changed


@pytest.mark.parametrize(
    ("name", "args"),
    [("snapshot", ()), ("ticket", ("T1",)), ("queue_names", ()), ("next_wakeup", ()), (42, ())],
)
def test_command_refuses_a_desk_query_or_a_non_name(name: Any, args: tuple[Any, ...]) -> None:
    desk, _ = _transferred_desk()
    before = desk.snapshot()
    with pytest.raises(InvalidTransitionError, match=rf"unknown desk command {name!r}; expected"):
        Command(name, T0 + 10 * S, args).apply(desk)
    assert desk.snapshot() == before


@pytest.mark.parametrize("args", [("T1",), ("T1", "bob", "extra"), ()])
def test_command_refuses_arguments_that_do_not_fit(args: tuple[Any, ...]) -> None:
    desk, _ = _transferred_desk()
    before = desk.snapshot()
    with pytest.raises(InvalidTransitionError, match=r"desk command 'reply' does not take"):
        Command("reply", T0 + 10 * S, args).apply(desk)
    assert desk.snapshot() == before


def test_replay_skips_a_query_when_asked_and_raises_otherwise() -> None:
    program = [Command("snapshot", T0), Command("submit", T0, (_ticket("t1"),))]
    assert [type(e).__name__ for e in replay(DeskConfig(), program, errors=True)] == [
        "TicketQueued"
    ]
    with pytest.raises(InvalidTransitionError, match=r"unknown desk command 'snapshot'"):
        replay(DeskConfig(), program)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda c: c.advance(5), r"'delta' must be a datetime\.timedelta .*got 5"),
        (lambda c: c.advance(1.5), r"'delta' must be a datetime\.timedelta .*got 1\.5"),
        (
            lambda c: c.advance(timedelta(seconds=1), seconds=-100),
            r"either a step or timedelta keywords, not both: got datetime\.timedelta\(seconds=1\)"
            r" and seconds=-100",
        ),
        (lambda c: c.advance(hour=1), r"unknown step keyword 'hour'; expected one of weeks"),
        (lambda c: c.advance(seconds="5"), r"'seconds' must be a number, got '5'"),
        (lambda c: c.advance(seconds=True), r"'seconds' must be a number, got True"),
        (lambda c: c.advance(days=10**9), r"past the last representable instant"),
        (lambda c: c.advance(seconds=-1), r"cannot go backwards"),
    ],
)
def test_manual_clock_refuses_bad_steps_and_stays_put(call: Any, match: str) -> None:
    clock = ManualClock(T0)
    clock.advance(minutes=1)
    with pytest.raises(InvalidTransitionError, match=match):
        call(clock)
    assert clock.now == T0 + timedelta(minutes=1)
