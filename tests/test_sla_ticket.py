"""TicketSla: the four metrics driven by a ticket's life, recalculation, snapshots, laws."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csflow._time import ONE_US, to_us
from csflow.calendar import BusinessCalendar
from csflow.errors import CalendarError, ConfigError, InvalidTransitionError
from csflow.model import Channel, Customer, Priority, Ticket, TicketStatus, Tier
from csflow.sla import (
    PAUSABLE_STATUSES,
    TICKET_STATUSES,
    ClockState,
    Metric,
    RecalcMode,
    SlaBreached,
    SlaClock,
    SlaEvent,
    SlaMet,
    SlaPolicy,
    SlaWarning,
    TicketSla,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday
H = timedelta(hours=1)
M = timedelta(minutes=1)

ALWAYS = BusinessCalendar.always_open("UTC")
OFFICE = BusinessCalendar(
    "Europe/Berlin",
    weekly={d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")},
    holidays=[date(2026, 4, 3)],
)

ALL = SlaPolicy(
    "all",
    ALWAYS,
    {
        Metric.FIRST_RESPONSE: H,
        Metric.NEXT_RESPONSE: 2 * H,
        Metric.PERIODIC_UPDATE: 8 * H,
        Metric.RESOLUTION: {Priority.NORMAL: 24 * H, Priority.URGENT: 4 * H, Priority.LOW: 48 * H},
    },
    warnings=(),
)


def kinds(events: Sequence[SlaEvent]) -> list[tuple[str, str, datetime]]:
    return [(type(e).__name__, e.metric.value, e.at) for e in events]


def replied(ts: TicketSla) -> bool:
    return ts.replied  # a call, so that mypy does not narrow the property between commands


def status_of(ts: TicketSla) -> TicketStatus:
    return ts.status  # a call, so that mypy does not narrow the property between commands


def clock_state(clock: SlaClock) -> ClockState:
    return clock.state


def state(ts: TicketSla, metric: Metric) -> ClockState | None:
    clock = ts.clock(metric)
    return None if clock is None else clock.state


def test_first_response_and_resolution_start_with_the_ticket() -> None:
    ts = TicketSla("t1", ALL, "normal", T0)
    assert set(ts.clocks) == {Metric.FIRST_RESPONSE, Metric.RESOLUTION}
    assert ts.next_deadline() == T0 + H
    assert ts.status == "new"
    assert not replied(ts)
    # A customer message before any reply starts no next-response cycle.
    assert ts.customer_message(T0 + 10 * M) == []
    assert ts.clock(Metric.NEXT_RESPONSE) is None
    events = ts.agent_reply(T0 + 30 * M)
    assert kinds(events) == [("SlaMet", "first_response", T0 + 30 * M)]
    assert ts.replied
    # The periodic update starts at the first reply.
    pu = ts.clock(Metric.PERIODIC_UPDATE)
    assert pu is not None
    assert pu.started_at == T0 + 30 * M
    assert pu.due_at == T0 + 30 * M + 8 * H


def test_next_response_cycles_one_at_a_time() -> None:
    ts = TicketSla("t1", ALL, "normal", T0)
    ts.agent_reply(T0 + 10 * M)
    ts.customer_message(T0 + H)
    first = ts.clock(Metric.NEXT_RESPONSE)
    assert first is not None
    assert first.due_at == T0 + 3 * H
    # A second message while the cycle runs does not restart it.
    ts.customer_message(T0 + 2 * H)
    assert ts.clock(Metric.NEXT_RESPONSE) is first
    events = ts.agent_reply(T0 + 2.5 * H)
    assert kinds(events) == [
        ("SlaMet", "next_response", T0 + 2.5 * H),
        ("SlaMet", "periodic_update", T0 + 2.5 * H),
    ]
    assert first.state is ClockState.MET
    ts.customer_message(T0 + 4 * H)
    second = ts.clock(Metric.NEXT_RESPONSE)
    assert second is not None
    assert second is not first
    assert second.due_at == T0 + 6 * H
    assert kinds(ts.advance(T0 + 7 * H)) == [("SlaBreached", "next_response", T0 + 6 * H)]
    events = ts.agent_reply(T0 + 7 * H)
    assert [(type(e), e.breached) for e in events if isinstance(e, SlaMet)] == [
        (SlaMet, True),
        (SlaMet, False),
    ]


def test_each_agent_post_restarts_the_periodic_update() -> None:
    ts = TicketSla("t1", ALL, "normal", T0)
    ts.agent_reply(T0)
    for k in range(1, 4):
        events = ts.agent_reply(T0 + k * 7 * H)
        assert kinds(events) == [("SlaMet", "periodic_update", T0 + k * 7 * H)]
    pu = ts.clock(Metric.PERIODIC_UPDATE)
    assert pu is not None
    assert pu.started_at == T0 + 21 * H
    assert kinds(ts.advance(T0 + 30 * H)) == [
        ("SlaBreached", "resolution", T0 + 24 * H),
        ("SlaBreached", "periodic_update", T0 + 29 * H),
    ]


def test_solving_stops_resolution_and_cancels_response_clocks() -> None:
    ts = TicketSla("t1", ALL, "normal", T0)
    ts.agent_reply(T0 + M)
    ts.customer_message(T0 + H)
    events = ts.set_status("solved", T0 + 2 * H)
    assert kinds(events) == [("SlaMet", "resolution", T0 + 2 * H)]
    assert state(ts, Metric.NEXT_RESPONSE) is ClockState.CANCELLED
    assert state(ts, Metric.PERIODIC_UPDATE) is ClockState.CANCELLED
    assert state(ts, Metric.RESOLUTION) is ClockState.MET
    assert ts.next_deadline() is None
    # On a solved ticket nothing starts.
    assert ts.customer_message(T0 + 3 * H) == []
    assert ts.agent_reply(T0 + 3 * H) == []
    assert state(ts, Metric.NEXT_RESPONSE) is ClockState.CANCELLED


def test_reopening_resumes_resolution_from_where_it_stopped() -> None:
    ts = TicketSla("t1", ALL, "urgent", T0)
    ts.agent_reply(T0 + M)
    ts.set_status("solved", T0 + H)
    ts.set_status("open", T0 + 10 * H)
    res = ts.clock(Metric.RESOLUTION)
    assert res is not None
    assert res.state is ClockState.RUNNING
    assert res.elapsed(T0 + 10 * H) == H
    assert res.due_at == T0 + 13 * H
    assert res.pause_history == ((T0 + H, T0 + 10 * H),)
    pu = ts.clock(Metric.PERIODIC_UPDATE)
    assert pu is not None
    assert pu.state is ClockState.RUNNING
    assert pu.started_at == T0 + 10 * H
    # Re-opening into a pausing status resumes and pauses at once.
    ts.set_status("solved", T0 + 11 * H)
    ts.set_status("pending", T0 + 12 * H)
    assert clock_state(res) is ClockState.PAUSED
    assert res.elapsed(T0 + 20 * H) == 2 * H


def test_reopening_after_a_priority_change_while_solved_uses_the_new_target() -> None:
    ts = TicketSla("t1", ALL, "normal", T0)
    ts.set_status("solved", T0 + 5 * H)
    ts.change_priority("urgent", T0 + 6 * H)
    res = ts.clock(Metric.RESOLUTION)
    assert res is not None
    assert res.target.duration == 24 * H  # finished clocks keep their record
    events = ts.set_status("open", T0 + 7 * H)
    assert kinds(events) == [("SlaBreached", "resolution", T0 + 7 * H)]
    assert res.target.duration == 4 * H
    assert res.late_by(T0 + 8 * H) == 2 * H


def test_status_changes_pause_and_resume_per_pause_on() -> None:
    p = SlaPolicy(
        "p",
        ALWAYS,
        {Metric.FIRST_RESPONSE: H, Metric.RESOLUTION: 10 * H},
        warnings=(),
        pause_on={
            "pending": [Metric.RESOLUTION],
            "on_hold": [Metric.RESOLUTION, Metric.FIRST_RESPONSE],
        },
    )
    ts = TicketSla("t1", p, "normal", T0, status="on_hold")
    assert state(ts, Metric.FIRST_RESPONSE) is ClockState.PAUSED
    assert state(ts, Metric.RESOLUTION) is ClockState.PAUSED
    assert ts.next_deadline() is None
    ts.set_status("open", T0 + 2 * H)
    assert ts.next_deadline() == T0 + 3 * H
    ts.set_status("pending", T0 + 2.5 * H)
    assert state(ts, Metric.FIRST_RESPONSE) is ClockState.RUNNING
    assert state(ts, Metric.RESOLUTION) is ClockState.PAUSED
    ts.set_status("pending", T0 + 2.6 * H)  # same status: nothing changes
    ts.set_status("assigned", T0 + 5 * H)
    res = ts.clock(Metric.RESOLUTION)
    assert res is not None
    assert res.elapsed(T0 + 5 * H) == 0.5 * H
    assert res.pause_history == ((T0, T0 + 2 * H), (T0 + 2.5 * H, T0 + 5 * H))


def test_closing_is_final() -> None:
    ts = TicketSla("t1", ALL, "normal", T0)
    ts.set_status("closed", T0 + H)
    assert state(ts, Metric.FIRST_RESPONSE) is ClockState.CANCELLED
    assert state(ts, Metric.RESOLUTION) is ClockState.CANCELLED
    before = ts.to_dict()
    calls: list[Callable[[], object]] = [
        lambda: ts.agent_reply(T0 + 2 * H),
        lambda: ts.customer_message(T0 + 2 * H),
        lambda: ts.set_status("open", T0 + 2 * H),
        lambda: ts.change_priority("urgent", T0 + 2 * H),
    ]
    for call in calls:
        with pytest.raises(
            InvalidTransitionError, match=r"ticket 't1' is closed: its SLA can no longer"
        ):
            call()
    assert ts.to_dict() == before
    assert ts.advance(T0 + 3 * H) == []


def test_statuses_are_ticket_status_members_or_their_values() -> None:
    ts = TicketSla("t1", ALL, "normal", T0, status=TicketStatus.OPEN)
    assert status_of(ts) is TicketStatus.OPEN
    ts.set_status("pending", T0 + H)
    assert status_of(ts) is TicketStatus.PENDING  # read into the vocabulary
    assert state(ts, Metric.RESOLUTION) is ClockState.PAUSED
    events = ts.set_status(TicketStatus.SOLVED, T0 + 2 * H)
    assert kinds(events) == [("SlaMet", "resolution", T0 + 2 * H)]
    data = ts.to_dict()
    assert data["status"] == "solved"
    assert type(data["status"]) is str
    again = TicketSla.from_dict(data, {"all": ALL})
    assert again.status is TicketStatus.SOLVED
    assert repr(again) == repr(ts)
    with pytest.raises(ConfigError, match=r"status must be one of \['new', .*got 'SOLVED'"):
        ts.set_status("SOLVED", T0 + 3 * H)  # values are exact, as before


def test_metrics_may_be_named() -> None:
    ts = TicketSla("t1", ALL, "normal", T0)
    assert ts.clock("first_response") is ts.clock(Metric.FIRST_RESPONSE) is not None
    assert ts.clock("next_response") is None
    with pytest.raises(ConfigError, match=r"metric must be one of 'first_response'"):
        ts.clock("reply")


def test_bad_input_raises_and_changes_nothing() -> None:
    ts = TicketSla("t1", ALL, "normal", T0)
    ts.agent_reply(T0 + H)
    before = ts.to_dict()
    with pytest.raises(ConfigError, match=r"status must be one of \['new', .*got 'done'"):
        ts.set_status("done", T0 + 2 * H)
    with pytest.raises(
        InvalidTransitionError, match=r"'at' must not be earlier than the ticket's last"
    ):
        ts.agent_reply(T0)
    with pytest.raises(CalendarError, match=r"'at' must be timezone-aware"):
        ts.customer_message(datetime(2026, 3, 2, 12, 0))
    with pytest.raises(ConfigError, match=r"priority must be one of"):
        ts.change_priority("asap", T0 + 2 * H)
    with pytest.raises(ConfigError, match=r"recalculation mode must be one of"):
        ts.change_priority("urgent", T0 + 2 * H, mode="later")
    with pytest.raises(ConfigError, match=r"policy must be an SlaPolicy, got 'gold'"):
        ts.change_policy("gold", T0 + 2 * H)  # type: ignore[arg-type]
    assert ts.to_dict() == before


def test_bad_construction() -> None:
    with pytest.raises(ConfigError, match=r"policy must be an SlaPolicy, got None"):
        TicketSla("t", None, "normal", T0)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"initial status must be one of .*got 'solved'"):
        TicketSla("t", ALL, "normal", T0, status="solved")
    with pytest.raises(ConfigError, match=r"ticket id must be a non-empty string"):
        TicketSla("", ALL, "normal", T0)
    with pytest.raises(CalendarError, match=r"'at' must be timezone-aware"):
        TicketSla("t", ALL, "normal", datetime(2026, 1, 1))


def test_for_ticket_reads_id_priority_and_creation() -> None:
    ticket = Ticket(
        "T-9", Customer("c", Tier("gold", 2)), Channel.EMAIL, created_at=T0, priority="urgent"
    )
    ts = TicketSla.for_ticket(ticket, ALL)
    assert (ts.ticket_id, ts.priority) == ("T-9", Priority.URGENT)
    res = ts.clock(Metric.RESOLUTION)
    assert res is not None
    assert res.due_at == T0 + 4 * H


def test_a_priority_without_target_runs_no_clock_and_a_change_can_add_or_remove_one() -> None:
    ts = TicketSla("t1", ALL, "high", T0)  # no resolution target for high
    assert ts.clock(Metric.RESOLUTION) is None
    ts.change_priority("urgent", T0 + H)
    res = ts.clock(Metric.RESOLUTION)
    assert res is not None
    # A metric that gains a target counts from its natural start (creation, for resolution)
    # under KEEP_ELAPSED (the default); see tests/test_sla_gained_targets.py.
    assert res.started_at == T0
    ts.change_priority("high", T0 + 2 * H)
    assert res.state is ClockState.CANCELLED
    # The cancelled clock keeps its record, as every finished clock does.
    assert ts.clock(Metric.RESOLUTION) is res
    assert ts.clocks["resolution"] is res
    assert ts.to_dict()["clocks"]["resolution"]["state"] == "cancelled"
    # Unchanged targets are left alone in every mode.
    fr = ts.clock(Metric.FIRST_RESPONSE)
    ts.change_priority("low", T0 + 3 * H, mode=RecalcMode.RESTART)
    assert ts.clock(Metric.FIRST_RESPONSE) is fr
    assert fr is not None
    assert fr.started_at == T0


def test_policy_change_applies_the_new_pause_on() -> None:
    ts = TicketSla("t1", ALL, "normal", T0, status="pending")
    res = ts.clock(Metric.RESOLUTION)
    assert res is not None
    assert res.state is ClockState.PAUSED
    no_pause = SlaPolicy("np", ALWAYS, ALL.targets, warnings=(), pause_on={})
    ts.change_policy(no_pause, T0 + H)
    assert clock_state(res) is ClockState.RUNNING
    assert ts.policy is no_pause
    assert res.elapsed(T0 + 2 * H) == H


# -- laws, on random ticket lives ------------------------------------------------------------

POLICIES = (
    ALL,
    SlaPolicy(
        "office",
        OFFICE,
        {
            Metric.FIRST_RESPONSE: {Priority.URGENT: 30 * M, Priority.NORMAL: 4 * H},
            Metric.NEXT_RESPONSE: 3 * H,
            Metric.PERIODIC_UPDATE: {Priority.URGENT: 2 * H},
            Metric.RESOLUTION: {
                Priority.URGENT: 8 * H,
                Priority.NORMAL: 24 * H,
                Priority.LOW: 40 * H,
            },
        },
        pause_on={"pending": ["resolution", "periodic_update"], "on_hold": ["resolution"]},
    ),
)
COMMANDS = st.one_of(
    st.tuples(st.just("reply")),
    st.tuples(st.just("message")),
    st.tuples(st.just("status"), st.sampled_from(TICKET_STATUSES)),
    st.tuples(
        st.just("priority"),
        st.sampled_from(list(Priority)),
        st.sampled_from(list(RecalcMode)),
    ),
    st.tuples(st.just("policy"), st.sampled_from(POLICIES), st.sampled_from(list(RecalcMode))),
    st.tuples(st.just("poll")),
)
lives = st.lists(st.tuples(st.one_of(st.integers(0, 36 * 60), st.none()), COMMANDS), max_size=16)
Call = tuple[datetime, tuple[Any, ...], list[SlaEvent]]


def run(ts: TicketSla, at: datetime, command: tuple[Any, ...]) -> list[SlaEvent]:
    kind = command[0]
    if kind == "reply":
        return ts.agent_reply(at)
    if kind == "message":
        return ts.customer_message(at)
    if kind == "status":
        return ts.set_status(command[1], at)
    if kind == "priority":
        return ts.change_priority(command[1], at, command[2])
    if kind == "policy":
        return ts.change_policy(command[1], at, command[2])
    return ts.advance(at)


def timed(
    ts: TicketSla, steps: Sequence[tuple[int | None, tuple[Any, ...]]]
) -> Iterator[tuple[datetime, tuple[Any, ...]]]:
    """Each step's instant and command, skipping commands a finished ticket refuses.

    A gap of None steps to the next deadline; the caller runs each command before asking for
    the next step, so that deadline is the one in force then.
    """
    t = T0
    for gap, command in steps:
        if gap is None:
            nd = ts.next_deadline()
            t = nd if nd is not None and nd >= t else t + M
        else:
            t = t + timedelta(minutes=gap)
        if ts.status in ("closed", "abandoned") and command[0] != "poll":
            continue
        yield t, command


def live(ts: TicketSla, steps: Sequence[tuple[int | None, tuple[Any, ...]]]) -> list[Call]:
    return [(t, command, run(ts, t, command)) for t, command in timed(ts, steps)]


tickets = st.builds(
    TicketSla,
    st.just("t"),
    st.sampled_from(POLICIES),
    st.sampled_from(list(Priority)),
    st.just(T0),
    status=st.sampled_from(sorted(PAUSABLE_STATUSES)),
)


@given(tickets, lives)
def test_events_come_in_time_order_and_clocks_follow_the_status(
    ts: TicketSla, steps: list[tuple[int | None, tuple[Any, ...]]]
) -> None:
    previous = T0
    last_event = T0
    for t, _command, events in live(ts, steps):
        for e in events:
            assert previous <= e.at <= t
            assert e.at >= last_event
            last_event = e.at
        previous = t
        for metric, clock in ts.clocks.items():
            if clock.state in (ClockState.RUNNING, ClockState.BREACHED):
                assert ts.status not in ("solved", "closed", "abandoned")
                assert not ts.policy.pauses(ts.status, metric)
            elif clock.state in (ClockState.PAUSED, ClockState.BREACHED_PAUSED):
                assert ts.policy.pauses(ts.status, metric)
        assert ts.next_deadline_us() == min(
            (c.next_event_us for c in ts.clocks.values() if c.next_event_us is not None),
            default=None,
        )


@given(tickets, lives)
def test_warnings_fire_only_while_the_ticket_is_open_and_the_metric_not_paused(
    ts: TicketSla, steps: list[tuple[int | None, tuple[Any, ...]]]
) -> None:
    # Events due before a command's instant happened under the status and policy in force
    # before it; events at the instant itself come after the command, under the new ones.
    for t, command in timed(ts, steps):
        before = (ts.status, ts.policy)
        events = run(ts, t, command)
        after = (ts.status, ts.policy)
        for e in events:
            if not isinstance(e, SlaWarning):
                continue
            status, policy = before if e.at < t else after
            assert status not in ("solved", "closed", "abandoned"), (e, status)
            assert not policy.pauses(status, e.metric), (e, status)
            # A warning is due at a business-time instant of the calendar then in force.
            cal = policy.calendar
            u = to_us(e.at)
            assert cal.is_open_us(u) or cal.is_open_us(u - 1)


@given(tickets, lives)
def test_next_deadline_is_when_the_next_event_comes(
    ts: TicketSla, steps: list[tuple[int | None, tuple[Any, ...]]]
) -> None:
    live(ts, steps)
    nd = ts.next_deadline()
    last = max(to_us(c.last_at) for c in ts.clocks.values()) if ts.clocks else to_us(T0)
    if nd is None:
        assert ts.advance(T0 + timedelta(days=400)) == []
        return
    if to_us(nd) > last:
        assert ts.advance(nd - ONE_US) == []
    events = ts.advance(nd)
    assert events
    assert events[0].at == nd


@given(tickets, lives, lives)
def test_snapshot_restores_a_ticket_with_the_same_future(
    ts: TicketSla,
    history: list[tuple[int | None, tuple[Any, ...]]],
    future: list[tuple[int | None, tuple[Any, ...]]],
) -> None:
    calls = live(ts, history)
    policies = {p.name: p for p in POLICIES}
    twin = TicketSla.from_dict(ts.to_dict(), policies)
    assert twin.to_dict() == ts.to_dict()
    start = calls[-1][0] if calls else T0
    shifted = [(None if gap is None else gap, cmd) for gap, cmd in future]
    a = _continue(ts, start, shifted)
    b = _continue(twin, start, shifted)
    assert a == b


def _continue(
    ts: TicketSla, start: datetime, steps: Sequence[tuple[int | None, tuple[Any, ...]]]
) -> list[SlaEvent]:
    out: list[SlaEvent] = []
    t = start
    for gap, command in steps:
        t = t + (M if gap is None else timedelta(minutes=gap))
        if ts.status in ("closed", "abandoned") and command[0] != "poll":
            continue
        out += run(ts, t, command)
    return out


@given(tickets, lives, COMMANDS)
def test_a_command_with_time_going_backwards_changes_nothing(
    ts: TicketSla, steps: list[tuple[int | None, tuple[Any, ...]]], command: tuple[Any, ...]
) -> None:
    calls = live(ts, steps)
    if not calls or calls[-1][0] == T0:
        return
    before = ts.to_dict()
    with pytest.raises(InvalidTransitionError):
        run(ts, T0, command)
    assert ts.to_dict() == before


def test_from_dict_errors_carry_the_path() -> None:
    ts = TicketSla("t1", ALL, "normal", T0)
    data = ts.to_dict()
    with pytest.raises(ConfigError, match=r"^desk.tickets\[0\].policy: unknown SLA policy 'all'"):
        TicketSla.from_dict(data, {}, path="desk.tickets[0]")
    bad = {**data, "clocks": {"resolution": {**data["clocks"]["resolution"], "used": "0"}}}
    with pytest.raises(
        ConfigError, match=r"^ticket_sla.clocks.resolution.used: expected an int, got '0'"
    ):
        TicketSla.from_dict(bad, {"all": ALL})
    with pytest.raises(ConfigError, match=r"^ticket_sla.status: unknown status 'lost'"):
        TicketSla.from_dict({**data, "status": "lost"}, {"all": ALL})


def test_warnings_and_breaches_of_several_clocks_interleave_in_time() -> None:
    p = SlaPolicy(
        "p", ALWAYS, {Metric.FIRST_RESPONSE: 2 * H, Metric.RESOLUTION: 3 * H}, warnings=(0.5,)
    )
    ts = TicketSla("t1", p, "normal", T0)
    events = ts.advance(T0 + 5 * H)
    assert [(type(e), e.metric, e.at) for e in events] == [
        (SlaWarning, Metric.FIRST_RESPONSE, T0 + H),
        (SlaWarning, Metric.RESOLUTION, T0 + 1.5 * H),
        (SlaBreached, Metric.FIRST_RESPONSE, T0 + 2 * H),
        (SlaBreached, Metric.RESOLUTION, T0 + 3 * H),
    ]


def test_a_ticket_reopened_straight_to_a_pausing_status_fires_nothing_until_it_resumes() -> None:
    """Solved exactly at a warning's instant (the stop comes first, so the warning is not
    sent), then reopened at once to ``pending``, which pauses resolution: the clock is paused
    from the reopening, so the warning waits for the resume -- as a breach due exactly when a
    clock pauses does -- and comes at the resume instant."""
    policy = SlaPolicy(
        "support",
        BusinessCalendar.always_open("Asia/Jakarta"),
        targets={"resolution": 4 * H},
        warnings=(0.5,),
        pause_on={"pending": ["resolution"]},
    )
    ts = TicketSla("t", policy, "normal", T0, status="assigned")
    half = T0 + 2 * H
    assert ts.next_deadline() == half
    [met] = ts.set_status("solved", half)
    assert isinstance(met, SlaMet)
    assert ts.set_status("pending", half) == []  # reopened and paused at once
    later = half + 3 * H
    [warning] = ts.set_status("open", later)
    assert isinstance(warning, SlaWarning)
    assert (warning.at, warning.threshold) == (later, 0.5)


def test_a_target_the_calendar_never_reaches_has_no_deadline_and_sends_nothing() -> None:
    """A pop-up desk open one hour on 11.11 (a calendar of one special day) never opens again
    after it: a 4-hour resolution target is never reached.  The clock has no deadline and
    sends nothing -- not the 50 % warning of a breach that cannot come -- while business time
    still counts; the ticket's state stays readable and restorable, and a recalculation onto a
    calendar that opens again arms it afresh."""
    jakarta = ZoneInfo("Asia/Jakarta")
    popup = BusinessCalendar(
        "Asia/Jakarta", weekly={}, special_days={date(2026, 11, 11): [("09:00", "10:00")]}
    )
    policy = SlaPolicy("popup", popup, targets={"resolution": 4 * H}, warnings=(0.5,))
    start = datetime(2026, 11, 11, 9, tzinfo=jakarta)
    ts = TicketSla("t", policy, "normal", start)
    assert ts.next_deadline_bound_us() == to_us(start + 2 * H)  # only a bound, not worked out
    assert ts.next_deadline() is None
    assert ts.advance(start + 50 * H) == []
    clock = ts.clock("resolution")
    assert clock is not None
    assert (clock.due_at, clock.next_event_at) == (None, None)
    assert clock.elapsed(start + 50 * H) == H  # the one open hour counted
    copy = TicketSla.from_dict(ts.to_dict(), {"popup": policy})
    assert copy.next_deadline() is None
    assert copy.to_dict() == ts.to_dict()
    # Moved to a round-the-clock policy: 1 h used of 4 h, due 3 h after the change.
    always = SlaPolicy(
        "always", BusinessCalendar.always_open("Asia/Jakarta"), targets={"resolution": 4 * H}
    )
    change = start + 50 * H
    assert ts.change_policy(always, change) == []
    moved = ts.clock("resolution")
    assert moved is not None
    assert moved.due_at == change + 3 * H


def test_a_warning_reached_when_the_target_never_is_is_not_sent() -> None:
    """Warnings announce a breach: with a target the calendar never reaches, a threshold it
    does reach sends nothing either, and the clock has no next event."""
    popup = BusinessCalendar(
        "UTC", weekly={}, special_days={date(2026, 11, 11): [("09:00", "10:00")]}
    )
    policy = SlaPolicy("popup", popup, targets={"resolution": 2 * H}, warnings=(0.25,))
    start = datetime(2026, 11, 11, 9, tzinfo=UTC)
    ts = TicketSla("t", policy, "normal", start)
    assert ts.advance(start + 30 * 24 * H) == []
    assert ts.next_deadline() is None
    [met] = ts.set_status("solved", start + 31 * 24 * H)
    assert isinstance(met, SlaMet)
    assert not met.breached


TIERED = SlaPolicy(
    "tiered",
    ALWAYS,
    {Metric.RESOLUTION: {Priority.URGENT: 4 * H, Priority.HIGH: 6 * H, Priority.NORMAL: 8 * H}},
    warnings=(),
)


@pytest.mark.parametrize(
    ("mode", "due"), [(RecalcMode.KEEP_ELAPSED, 4 * H), (RecalcMode.RETROACTIVE, 6 * H)]
)
def test_a_breached_clock_that_a_change_leaves_late(mode: RecalcMode, due: timedelta) -> None:
    """Urgent (4 h) from T0, breached at T0 + 4 h; at T0 + 8 h the ticket becomes high (6 h).
    Kept elapsed, the reported breach stands (``due_at`` T0 + 4 h) and ``late_by`` counts
    against the 6-hour target in force: 2 h.  Replayed, both come from the new target: due
    when 6 hours had been used.  No new breach either way (one was reported)."""
    ts = TicketSla("t", TIERED, "urgent", T0)
    [breach] = ts.advance(T0 + 5 * H)
    assert isinstance(breach, SlaBreached)
    assert breach.at == T0 + 4 * H
    assert ts.change_priority("high", T0 + 8 * H, mode=mode) == []
    clock = ts.clock("resolution")
    assert clock is not None
    assert clock.due_at == T0 + due
    assert clock.late_by(T0 + 8 * H) == 2 * H


@pytest.mark.parametrize("mode", list(RecalcMode))
def test_a_change_while_solved_applies_at_the_reopening_with_the_time_used(
    mode: RecalcMode,
) -> None:
    """Normal (8 h) from T0, solved at T0 + 3 h; made urgent (4 h) at T0 + 5 h while solved,
    in any mode; reopened at T0 + 6 h: the clock goes on with its 3 hours used against the
    4-hour target, due at T0 + 7 h -- the mode of a change made while solved is not applied."""
    ts = TicketSla("t", TIERED, "normal", T0)
    [met] = ts.set_status("solved", T0 + 3 * H)
    assert isinstance(met, SlaMet)
    assert not met.breached
    assert ts.change_priority("urgent", T0 + 5 * H, mode=mode) == []
    assert ts.set_status("open", T0 + 6 * H) == []
    clock = ts.clock("resolution")
    assert clock is not None
    assert clock.due_at == T0 + 7 * H
    assert clock.elapsed(T0 + 6 * H) == 3 * H


def _support() -> SlaPolicy:
    """Resolution in 8 h at normal priority, 4 h at urgent, round the clock."""
    return SlaPolicy(
        "support",
        BusinessCalendar.always_open("Asia/Jakarta"),
        targets={"resolution": {"normal": timedelta(hours=8), "urgent": timedelta(hours=4)}},
    )


@pytest.mark.parametrize("mode", ["keep_elapsed", "retroactive"])
def test_a_change_on_a_clock_paused_exactly_at_a_threshold_passes_it_over(mode: str) -> None:
    """Resolution 8 h (normal) or 4 h (urgent), round the clock.  Pending after 2 h, the
    urgent 50 % threshold exactly; made urgent while pending; back to open.  No warning in
    either mode: a threshold already used at a change is passed over (RETROACTIVE's replay
    left it pending for the resume, and it fired there)."""
    policy = _support()
    sla = TicketSla("T-1", policy, "normal", T0)
    sla.set_status("pending", T0 + timedelta(hours=2))
    assert sla.change_priority("urgent", T0 + timedelta(hours=3), mode=mode) == []
    assert sla.set_status("open", T0 + timedelta(hours=4)) == []
    # Next: the 75 % threshold, 1 h of business time after the reopening.
    assert sla.next_deadline() == T0 + timedelta(hours=5)


@pytest.mark.parametrize(("mode", "due"), [("keep_elapsed", 5), ("retroactive", 4)])
def test_a_change_on_a_clock_paused_exactly_at_its_new_target_breaches_at_the_change(
    mode: str, due: int
) -> None:
    """Pending after 4 h, exactly the urgent target; made urgent at 5 h.  Both modes report the
    breach at the change (RETROACTIVE reported it only at the reopening); they differ only in
    ``due_at``: the change (KEEP_ELAPSED) or where the replay reached the target."""
    policy = _support()
    sla = TicketSla("T-2", policy, "normal", T0)
    sla.set_status("pending", T0 + timedelta(hours=4))
    change = T0 + timedelta(hours=5)
    [breach] = sla.change_priority("urgent", change, mode=mode)
    assert isinstance(breach, SlaBreached)
    assert (breach.at, breach.due_at) == (change, T0 + timedelta(hours=due))
    assert sla.set_status("open", T0 + timedelta(hours=6)) == []
