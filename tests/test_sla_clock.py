"""SLA clocks: the transition table walked edge by edge, and the laws every clock obeys."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta

import attrs
import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from csflow._time import ONE_US, to_us
from csflow.calendar import BusinessCalendar
from csflow.errors import CalendarError, ConfigError, InvalidTransitionError
from csflow.sla import (
    TRANSITIONS,
    ClockAction,
    ClockState,
    Metric,
    RecalcMode,
    SlaBreached,
    SlaClock,
    SlaEvent,
    SlaMet,
    SlaTarget,
    SlaWarning,
    next_state,
    transition_graph,
)
from csflow.sla.states import COUNTING_STATES, LATE_STATES, LIVE_STATES, PAUSED_STATES

T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # a Monday; NY DST starts 8 March, Lebaran 20 March
HOUR = timedelta(hours=1)

ALWAYS = BusinessCalendar.always_open("UTC")
WEEKDAY_NY = BusinessCalendar(
    "America/New_York",
    weekly={
        d: [("09:00", "12:00"), ("13:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")
    },
    holidays={date(2026, 3, 13): "closed for a day"},
)
JAKARTA = BusinessCalendar(
    "Asia/Jakarta",
    weekly={d: [("08:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")}
    | {"sat": [("08:00", "12:00")]},
    holidays=[date(2026, 3, d) for d in (18, 19, 20, 21, 23, 24)],
)
CALENDARS = (ALWAYS, WEEKDAY_NY, JAKARTA)
WARNING_SETS = ((), (0.5, 0.75, 0.9), (0.1, 0.2, 0.3, 0.99), (0.5,))


def target(
    minutes: float, calendar: BusinessCalendar = ALWAYS, warnings: Sequence[float] = ()
) -> SlaTarget:
    return SlaTarget(Metric.RESOLUTION, timedelta(minutes=minutes), calendar, tuple(warnings))


def state_of(clock: SlaClock) -> ClockState:
    return clock.state  # a call, so that mypy does not narrow the property between commands


# -- the transition table --------------------------------------------------------------------


def _build(state: ClockState) -> tuple[SlaClock, datetime]:
    """A clock (1 h target, 24/7, no warnings) brought into *state*, and its last instant."""
    clock = SlaClock("t", target(60), T0)
    t = T0 + timedelta(minutes=30)
    if state is ClockState.RUNNING:
        clock.advance(t)
    elif state is ClockState.PAUSED:
        clock.pause(t)
    elif state is ClockState.MET:
        clock.stop(t)
    elif state is ClockState.CANCELLED:
        clock.cancel(t)
    else:
        t = T0 + 2 * HOUR
        clock.advance(t)
        if state is ClockState.BREACHED_PAUSED:
            clock.pause(t)
        elif state is ClockState.MET_LATE:
            clock.stop(t)
    assert clock.state is state
    return clock, t


def _do(clock: SlaClock, action: ClockAction, at: datetime) -> list[SlaEvent]:
    """Drive *action* through the clock's public API."""
    if action is ClockAction.PAUSE:
        return clock.pause(at)
    if action is ClockAction.RESUME:
        return clock.resume(at)
    if action is ClockAction.STOP:
        return clock.stop(at)
    if action is ClockAction.CANCEL:
        return clock.cancel(at)
    if action is ClockAction.REOPEN:
        return clock.reopen(at)
    if action is ClockAction.RECALC_ON_TIME:
        return clock.recalculate(target(24 * 60), at)  # far more than any elapsed time here
    if action is ClockAction.RECALC_LATE:
        return clock.recalculate(target(10), at)  # less than any elapsed time here
    assert action is ClockAction.BREACH
    return clock.advance(at + 10 * HOUR)  # time is the only way to breach


@pytest.mark.parametrize(
    ("state", "action"), list(itertools.product(ClockState, ClockAction)), ids=str
)
def test_every_edge_of_the_transition_table(state: ClockState, action: ClockAction) -> None:
    clock, t = _build(state)
    if (state, action) in TRANSITIONS:
        _do(clock, action, t)
        assert clock.state is TRANSITIONS[(state, action)]
        assert next_state(state, action) is TRANSITIONS[(state, action)]
        return
    with pytest.raises(InvalidTransitionError, match=rf"cannot {action.value} a clock that is"):
        next_state(state, action)
    before = clock.to_dict()
    if action is ClockAction.BREACH:
        # No command breaches; time does not breach a clock that is not running.
        assert [e for e in _do(clock, action, t) if isinstance(e, SlaBreached)] == []
        assert clock.state is state
        return
    verb = "recalculate" if action.value.startswith("recalc") else action.value
    with pytest.raises(InvalidTransitionError, match=rf"cannot {verb} a clock that is {state}"):
        _do(clock, action, t)
    assert clock.to_dict() == before


def test_commands_allowed_on_time_are_allowed_when_breached() -> None:
    # The clock validates a command before emitting the events due earlier, which may breach
    # it; that is sound only because breaching never makes a command illegal.
    def allowed(state: ClockState) -> set[ClockAction]:
        return {a for (s, a) in TRANSITIONS if s is state} - {ClockAction.BREACH}

    assert allowed(ClockState.RUNNING) == allowed(ClockState.BREACHED)
    assert allowed(ClockState.PAUSED) == allowed(ClockState.BREACHED_PAUSED)


def test_transition_graph_is_the_table() -> None:
    graph = transition_graph()
    assert set(graph.nodes) == set(ClockState)
    edges: list[tuple[ClockState, ClockState, tuple[str, ...]]] = list(graph.edges(data="actions"))
    drawn = {(u, ClockAction(a), v) for u, v, acts in edges for a in acts}
    assert drawn == {(s, a, d) for (s, a), d in TRANSITIONS.items()}
    assert {n for n, final in graph.nodes(data="final") if final} == {ClockState.CANCELLED}
    assert nx.descendants(graph, ClockState.RUNNING) | {ClockState.RUNNING} == set(ClockState)
    assert graph.edges[ClockState.RUNNING, ClockState.BREACHED]["label"] == "breach, recalc_late"


def test_the_derived_state_sets_agree_with_the_table() -> None:
    def accepting(action: ClockAction) -> set[ClockState]:
        return {s for (s, a) in TRANSITIONS if a is action}

    assert accepting(ClockAction.PAUSE) == COUNTING_STATES
    assert accepting(ClockAction.RESUME) == PAUSED_STATES
    assert LIVE_STATES == accepting(ClockAction.CANCEL) == accepting(ClockAction.STOP)
    late = {TRANSITIONS[(s, a)] for (s, a) in TRANSITIONS if a is ClockAction.RECALC_LATE}
    late |= {TRANSITIONS[(s, ClockAction.STOP)] for s in late}
    assert late == LATE_STATES


# -- errors ----------------------------------------------------------------------------------


def test_time_never_goes_backwards_and_a_failed_call_changes_nothing() -> None:
    clock = SlaClock("t", target(60, warnings=(0.5,)), T0)
    clock.advance(T0 + HOUR / 4)
    before = clock.to_dict()
    for call in (clock.pause, clock.stop, clock.advance, clock.elapsed, clock.remaining):
        with pytest.raises(
            InvalidTransitionError, match=r"'at' must not be earlier than the clock"
        ):
            call(T0)
    with pytest.raises(CalendarError, match=r"'at' must be timezone-aware"):
        clock.pause(datetime(2026, 3, 2, 1, 0))
    with pytest.raises(ConfigError, match=r"target must be an SlaTarget for metric 'resolution'"):
        clock.recalculate(attrs.evolve(target(5), metric=Metric.FIRST_RESPONSE), T0 + HOUR)
    with pytest.raises(ConfigError, match=r"recalculation mode must be one of"):
        clock.recalculate(target(5), T0 + HOUR, mode="sideways")
    assert clock.to_dict() == before
    # Same instant is fine.
    assert clock.advance(T0 + HOUR / 4) == []


def test_bad_construction() -> None:
    with pytest.raises(ConfigError, match=r"ticket id must be a non-empty string"):
        SlaClock("", target(1), T0)
    with pytest.raises(ConfigError, match=r"target must be an SlaTarget, got 5"):
        SlaClock("t", 5, T0)  # type: ignore[arg-type]
    with pytest.raises(CalendarError, match=r"'at' must be timezone-aware"):
        SlaClock("t", target(1), datetime(2026, 1, 1))


# -- laws, on random histories ---------------------------------------------------------------

OPS = ("pause", "resume", "stop", "cancel", "reopen", "poll")
Step = tuple[int | None, str]  # (gap in minutes, or None: jump exactly to the next event; op)
Call = tuple[int, str, list[SlaEvent]]  # (instant µs, op, events returned)


def _legal(clock: SlaClock, op: str) -> bool:
    action = {
        "pause": ClockAction.PAUSE,
        "resume": ClockAction.RESUME,
        "stop": ClockAction.STOP,
        "cancel": ClockAction.CANCEL,
        "reopen": ClockAction.REOPEN,
    }.get(op)
    return action is None or (clock.state, action) in TRANSITIONS


def _apply(clock: SlaClock, op: str, at: datetime) -> list[SlaEvent]:
    method: Callable[[datetime], list[SlaEvent]] = getattr(clock, "advance" if op == "poll" else op)
    return method(at)


def drive(clock: SlaClock, steps: Sequence[Step]) -> list[Call]:
    """Apply the legal steps; return what was called when, and what came back."""
    calls: list[Call] = []
    t = clock.last_at
    for gap, op in steps:
        if gap is None:
            nxt = clock.next_event_at
            t = nxt if nxt is not None and nxt >= t else t + timedelta(minutes=1)
        else:
            t = t + timedelta(minutes=gap)
        if _legal(clock, op):
            calls.append((to_us(t), op, _apply(clock, op, t)))
    return calls


def replay(clock: SlaClock, calls: Sequence[Call]) -> list[Call]:
    out: list[Call] = []
    for t, op, _ in calls:
        at = datetime.fromtimestamp(0, UTC) + timedelta(microseconds=t)
        out.append((t, op, _apply(clock, op, at)))
    return out


def segments(start: int, calls: Sequence[Call]) -> list[tuple[int, int | None]]:
    """The running stretches the calls describe (end None: still running)."""
    segs: list[tuple[int, int | None]] = []
    begin: int | None = start
    for t, op, _ in calls:
        if op in ("pause", "stop", "cancel") and begin is not None:
            segs.append((begin, t))
            begin = None
        elif op in ("resume", "reopen"):
            begin = t
    if begin is not None:
        segs.append((begin, None))
    return segs


def business_in(cal: BusinessCalendar, segs: list[tuple[int, int | None]], t: int) -> int:
    return sum(cal.elapsed_us(s, min(t, e if e is not None else t)) for s, e in segs if s <= t)


step_lists = st.lists(
    st.tuples(st.one_of(st.integers(0, 3 * 24 * 60), st.none()), st.sampled_from(OPS)),
    max_size=14,
)


@st.composite
def clocks(draw: st.DrawFn) -> SlaClock:
    cal = draw(st.sampled_from(CALENDARS))
    minutes = draw(st.integers(1, 40 * 60))
    spec = target(minutes, cal, draw(st.sampled_from(WARNING_SETS)))
    start = T0 + timedelta(minutes=draw(st.integers(0, 30 * 24 * 60)))
    return SlaClock("t", spec, start, paused=draw(st.booleans()))


def events_of(calls: Sequence[Call]) -> list[SlaEvent]:
    return [e for _, _, evs in calls for e in evs]


@given(clocks(), step_lists)
def test_paused_time_never_counts(clock: SlaClock, steps: list[Step]) -> None:
    start = to_us(clock.started_at)
    paused_at_start = clock.state is ClockState.PAUSED
    calls = drive(clock, steps)
    if paused_at_start:
        calls = [(start, "pause", []), *calls]
    segs = segments(start, calls)
    cal = clock.target.calendar
    end = to_us(clock.last_at) + 3_600_000_000
    at = clock.last_at + HOUR
    assert clock.elapsed(at) // ONE_US == business_in(cal, segs, end)
    # Equivalently: all business time since the start, minus the business time of the pauses.
    pauses = sum(cal.elapsed_us(s, e) for s, e in _gaps(start, segs, end))
    assert clock.elapsed(at) // ONE_US == cal.elapsed_us(start, end) - pauses


def _gaps(start: int, segs: list[tuple[int, int | None]], end: int) -> list[tuple[int, int]]:
    gaps, t = [], start
    for s, e in segs:
        gaps.append((t, s))
        t = end if e is None else e
    gaps.append((t, end))
    return [(a, b) for a, b in gaps if b > a]


@given(clocks(), step_lists)
def test_elapsed_never_decreases_and_never_exceeds_wall_time(
    clock: SlaClock, steps: list[Step]
) -> None:
    start = clock.started_at
    previous = timedelta(0)
    for gap, op in steps:
        drive(clock, [(gap, op)])
        at = clock.last_at
        elapsed = clock.elapsed(at)
        assert previous <= elapsed <= at - start
        assert clock.remaining(at) == max(clock.target.duration - elapsed, timedelta(0))
        assert clock.late_by(at) == max(elapsed - clock.target.duration, timedelta(0))
        previous = elapsed


@given(clocks(), step_lists)
def test_events_come_in_time_order_with_their_true_instants(
    clock: SlaClock, steps: list[Step]
) -> None:
    previous = to_us(clock.last_at)
    last_event = clock.last_at
    for t, _op, events in drive(clock, steps):
        for e in events:
            # Due after the previous call (which returned everything up to its instant), at
            # the latest at this call's instant.
            assert previous < to_us(e.at) <= t or (to_us(e.at) == t == previous)
            assert e.at >= last_event
            last_event = e.at
        previous = t


@given(clocks(), step_lists, st.lists(st.integers(0, 24 * 60), max_size=6))
def test_events_do_not_depend_on_when_the_host_polls(
    clock: SlaClock, steps: list[Step], polls: list[int]
) -> None:
    twin = SlaClock._start_us(
        "t", clock.target, to_us(clock.started_at), clock.state is ClockState.PAUSED
    )
    calls = drive(clock, [s for s in steps if s[1] != "poll"])
    # The twin sees the same commands, plus polls in between.
    extra: list[Call] = []
    for i, (t, op, _) in enumerate(calls):
        if i < len(polls):
            previous = calls[i - 1][0] if i else to_us(clock.started_at)
            # Strictly before the next command: calls at one instant count in the order
            # they are made, so a poll at the command's own instant would come first.
            poll_at = max(previous, min(previous + polls[i] * 60_000_000, t - 1))
            extra.append((poll_at, "poll", []))
        extra.append((t, op, []))
    assert events_of(replay(twin, extra)) == events_of(calls)


@given(clocks(), step_lists)
def test_warnings_fire_once_in_threshold_order_while_running(
    clock: SlaClock, steps: list[Step]
) -> None:
    start = to_us(clock.started_at)
    paused_at_start = clock.state is ClockState.PAUSED
    calls = drive(clock, [*steps, (5 * 24 * 60, "poll")])
    if paused_at_start:
        calls = [(start, "pause", []), *calls]
    segs = segments(start, calls)
    spec = clock.target
    cal = spec.calendar
    events = events_of(calls)
    warnings = [e for e in events if isinstance(e, SlaWarning)]
    breaches = [e for e in events if isinstance(e, SlaBreached)]
    polled = {t for t, op, _ in calls if op == "poll"}
    # Each threshold at most once, in order, and all before the breach.
    assert [w.threshold for w in warnings] == list(spec.warnings[: len(warnings)])
    assert len(breaches) <= 1
    if breaches:
        assert len(warnings) == len(spec.warnings)
        assert events.index(breaches[0]) > max((events.index(w) for w in warnings), default=-1)
    checked: list[SlaWarning | SlaBreached] = [*warnings, *breaches]
    for e in checked:
        u = to_us(e.at)
        # Only while running: inside a running stretch, never at its closing command (unless
        # the host polled at that instant first: calls at one instant count in order).  A
        # clock paused exactly at its due instant breaches when it resumes, so an event may
        # also stand at the opening command of a stretch that closes at once.
        assert any(
            s <= u and (end is None or u < end or (u == end and (u in polled or u == s)))
            for s, end in segs
        )
        # At a business-time instant: open, or the very end of an open stretch.
        assert cal.is_open_us(u) or cal.is_open_us(u - 1)
        amount = (
            spec.target_us
            if isinstance(e, SlaBreached)
            else spec.warn_us[spec.warnings.index(e.threshold)]
        )
        used = business_in(cal, segs, u)
        assert used >= amount
        if not any(s == u for s, _ in segs):  # not released by a resume
            assert used == amount


@given(clocks(), step_lists)
def test_a_clock_met_before_its_due_time_never_breaches(clock: SlaClock, steps: list[Step]) -> None:
    calls = drive(clock, steps)
    stops = [(t, evs) for t, op, evs in calls if op == "stop"]
    if not stops:
        return
    met = next(e for e in stops[0][1] if isinstance(e, SlaMet))
    first_stop = next(i for i, c in enumerate(calls) if c[1] == "stop")
    breached_before = any(isinstance(e, SlaBreached) for e in events_of(calls[: first_stop + 1]))
    assert met.breached == breached_before
    if met.elapsed <= clock.target.duration and not _ran_over(clock.target, calls[:first_stop]):
        assert not met.breached


def _ran_over(spec: SlaTarget, calls: Sequence[Call]) -> bool:
    """Whether the clock was running at some instant with its target used (a recalculation is
    not among these calls, so only a pause exactly at the due instant can leave it on time)."""
    return any(isinstance(e, SlaBreached) for e in events_of(calls))


@given(
    clocks(),
    step_lists,
    st.integers(0, 24 * 60),
    st.sampled_from(CALENDARS),
    st.integers(1, 40 * 60),
    st.sampled_from(WARNING_SETS),
    step_lists,
)
def test_retroactive_equals_a_fresh_clock_replayed_over_the_same_history(
    clock: SlaClock,
    history: list[Step],
    gap: int,
    new_cal: BusinessCalendar,
    new_minutes: int,
    new_warnings: tuple[float, ...],
    future: list[Step],
) -> None:
    paused_at_start = clock.state is ClockState.PAUSED
    calls = drive(clock, history)
    if clock.state not in (
        ClockState.RUNNING,
        ClockState.PAUSED,
        ClockState.BREACHED,
        ClockState.BREACHED_PAUSED,
    ):
        return
    new = target(new_minutes, new_cal, new_warnings)
    at = clock.last_at + timedelta(minutes=gap)
    clock.recalculate(new, at, RecalcMode.RETROACTIVE)

    fresh = SlaClock("t", new, clock.started_at, paused=paused_at_start)
    replay(fresh, calls)
    fresh.advance(at)
    used = fresh.elapsed(at) // timedelta(microseconds=1)
    if fresh.state is ClockState.PAUSED and used in {*new.warn_us, new.target_us}:
        # The replay paused exactly as it reached a threshold: a fresh clock reports it when
        # it resumes, but at a change every mode passes over a threshold already used and
        # reports a target already reached at once (see SlaClock._recalc_us).
        assert clock.elapsed(at) == fresh.elapsed(at)
        reached = used == new.target_us
        assert clock.state is (ClockState.BREACHED_PAUSED if reached else ClockState.PAUSED)
        return
    assert fresh.state is clock.state
    assert fresh.elapsed(at) == clock.elapsed(at)
    assert fresh.due_at == clock.due_at
    assert fresh.remaining(at) == clock.remaining(at)
    assert fresh.late_by(at) == clock.late_by(at)
    assert fresh.next_event_at == clock.next_event_at
    assert fresh.pause_history == clock.pause_history
    later = drive(clock, future)
    assert events_of(replay(fresh, later)) == events_of(later)


@given(
    clocks(),
    step_lists,
    st.integers(0, 24 * 60),
    st.integers(1, 40 * 60),
    st.sampled_from(WARNING_SETS),
)
def test_keep_elapsed_and_restart(
    clock: SlaClock,
    history: list[Step],
    gap: int,
    new_minutes: int,
    new_warnings: tuple[float, ...],
) -> None:
    drive(clock, history)
    if clock.state in (ClockState.MET, ClockState.MET_LATE, ClockState.CANCELLED):
        return
    at = clock.last_at + timedelta(minutes=gap)
    if at > clock.last_at:
        clock.advance(at - ONE_US)  # what the old target had to say comes first
    was_late = clock.state in (ClockState.BREACHED, ClockState.BREACHED_PAUSED)
    running = clock.state in (ClockState.RUNNING, ClockState.BREACHED)
    new = target(new_minutes, clock.target.calendar, new_warnings)
    twin = SlaClock.from_dict(clock.to_dict(), clock.target.calendar)

    elapsed = clock.elapsed(at)
    events = clock.recalculate(new, at)  # KEEP_ELAPSED
    assert clock.elapsed(at) == elapsed
    late = elapsed >= new.duration
    assert clock.state in (
        (ClockState.BREACHED, ClockState.BREACHED_PAUSED)
        if late
        else (ClockState.RUNNING, ClockState.PAUSED)
    )
    breaches = [e for e in events if isinstance(e, SlaBreached) and e.at == at]
    assert len(breaches) == (1 if late and not was_late else 0)
    if not late and running:
        assert clock.due_at == new.calendar.add(at, new.duration - elapsed)
    # Thresholds whose business time is already used are not emitted again.
    later = [e for e in clock.advance(at + 30 * 24 * HOUR) if isinstance(e, SlaWarning)]
    assert all(new.warn_us[new.warnings.index(w.threshold)] > elapsed // ONE_US for w in later)

    twin.recalculate(new, at, RecalcMode.RESTART)
    assert twin.elapsed(at) == timedelta(0)
    assert twin.started_at == at
    assert twin.state is (ClockState.RUNNING if running else ClockState.PAUSED)
    assert twin.pause_history == ()
    if running:
        assert twin.due_at == new.calendar.add(at, new.duration)


@given(clocks(), step_lists, step_lists)
def test_snapshot_restores_a_clock_with_the_same_future(
    clock: SlaClock, history: list[Step], future: list[Step]
) -> None:
    drive(clock, history)
    twin = SlaClock.from_dict(clock.to_dict(), clock.target.calendar)
    assert twin.to_dict() == clock.to_dict()
    later = drive(clock, future)
    assert events_of(replay(twin, later)) == events_of(later)


# -- edge cases, by example ------------------------------------------------------------------


def test_reply_exactly_at_the_due_instant_is_on_time() -> None:
    clock = SlaClock("t", target(60), T0)
    events = clock.stop(T0 + HOUR)
    assert events == [
        SlaMet(
            at=T0 + HOUR,
            ticket_id="t",
            metric=Metric.RESOLUTION,
            elapsed=HOUR,
            target=HOUR,
            breached=False,
        )
    ]
    assert clock.state is ClockState.MET


def test_poll_exactly_at_the_due_instant_breaches() -> None:
    clock = SlaClock("t", target(60), T0)
    assert clock.advance(T0 + HOUR - ONE_US) == []
    assert clock.advance(T0 + HOUR) == [
        SlaBreached(
            at=T0 + HOUR, ticket_id="t", metric=Metric.RESOLUTION, due_at=T0 + HOUR, target=HOUR
        )
    ]
    assert clock.late_by(T0 + 2 * HOUR) == HOUR
    events = clock.stop(T0 + 3 * HOUR)
    assert events == [
        SlaMet(
            at=T0 + 3 * HOUR,
            ticket_id="t",
            metric=Metric.RESOLUTION,
            elapsed=3 * HOUR,
            target=HOUR,
            breached=True,
        )
    ]
    assert events[0].late_by == 2 * HOUR  # type: ignore[union-attr]
    assert clock.state is ClockState.MET_LATE
    assert clock.due_at == T0 + HOUR


def test_a_breached_clock_keeps_measuring_and_pauses_do_not_count() -> None:
    clock = SlaClock("t", target(60), T0)
    clock.advance(T0 + 2 * HOUR)
    clock.pause(T0 + 2 * HOUR)
    assert clock.state is ClockState.BREACHED_PAUSED
    assert clock.late_by(T0 + 10 * HOUR) == HOUR
    clock.resume(T0 + 10 * HOUR)
    assert clock.late_by(T0 + 11 * HOUR) == 2 * HOUR
    assert clock.due_at == T0 + HOUR
    assert clock.pause_history == ((T0 + 2 * HOUR, T0 + 10 * HOUR),)


def test_a_pause_exactly_at_a_threshold_defers_it_to_the_first_open_instant_after_resuming() -> (
    None
):
    # Weekday desk: warning at 50% of 2 h = 1 h after Friday 16:00 = Friday 17:00 (NY).
    friday = datetime(2026, 3, 6, 16, 0, tzinfo=WEEKDAY_NY.zone)
    clock = SlaClock("t", target(120, WEEKDAY_NY, (0.5,)), friday)
    assert clock.next_event_at == friday + HOUR
    assert clock.pause(friday + HOUR) == []  # the pause comes first at the same instant
    saturday = datetime(2026, 3, 7, 10, 0, tzinfo=WEEKDAY_NY.zone)
    assert clock.resume(saturday) == []  # not at a closed instant...
    monday = datetime(2026, 3, 9, 9, 0, tzinfo=WEEKDAY_NY.zone)
    assert clock.next_event_at == monday
    events = clock.advance(monday)  # ...but when business time flows again
    assert [(type(e), e.at) for e in events] == [(SlaWarning, monday)]


def test_paused_clock_has_no_deadline_and_emits_nothing() -> None:
    clock = SlaClock("t", target(60, warnings=(0.5,)), T0, paused=True)
    assert clock.due_at is None
    assert clock.next_event_at is None
    assert clock.advance(T0 + 100 * HOUR) == []
    clock.resume(T0 + 100 * HOUR)
    assert clock.due_at == T0 + 101 * HOUR
    assert [e.at for e in clock.advance(T0 + 200 * HOUR)] == [T0 + 100.5 * HOUR, T0 + 101 * HOUR]


def test_reopen_resumes_where_it_stopped() -> None:
    clock = SlaClock("t", target(60), T0)
    clock.stop(T0 + HOUR / 2)
    clock.reopen(T0 + 5 * HOUR)
    assert clock.elapsed(T0 + 5 * HOUR) == HOUR / 2
    assert clock.due_at == T0 + 5.5 * HOUR
    assert clock.pause_history == ((T0 + HOUR / 2, T0 + 5 * HOUR),)
    late = SlaClock("u", target(60), T0)
    late.stop(T0 + 2 * HOUR)
    late.reopen(T0 + 3 * HOUR)
    assert late.state is ClockState.BREACHED
    assert late.late_by(T0 + 4 * HOUR) == 2 * HOUR


def test_recalculation_can_unbreach_and_breach_again() -> None:
    clock = SlaClock("t", target(60, warnings=(0.5, 0.9)), T0)
    clock.advance(T0 + 2 * HOUR)
    assert clock.state is ClockState.BREACHED
    assert clock.recalculate(target(240, warnings=(0.5, 0.9)), T0 + 2 * HOUR) == []
    assert state_of(clock) is ClockState.RUNNING
    # 50% of 4 h is used already: not emitted again; 90% and the breach are re-armed.
    events = clock.advance(T0 + 5 * HOUR)
    assert [(type(e), e.at) for e in events] == [
        (SlaWarning, T0 + 3.6 * HOUR),
        (SlaBreached, T0 + 4 * HOUR),
    ]


def test_retroactive_breach_is_reported_at_the_change_with_the_past_due_instant() -> None:
    clock = SlaClock("t", target(60), T0)
    clock.pause(T0 + HOUR / 2)
    clock.resume(T0 + 2 * HOUR)
    events = clock.recalculate(target(40), T0 + 2.5 * HOUR, RecalcMode.RETROACTIVE)
    assert events == [
        SlaBreached(
            at=T0 + 2.5 * HOUR,
            ticket_id="t",
            metric=Metric.RESOLUTION,
            due_at=T0 + 2 * HOUR + timedelta(minutes=10),
            target=timedelta(minutes=40),
        )
    ]
    assert clock.late_by(T0 + 2.5 * HOUR) == timedelta(minutes=20)
