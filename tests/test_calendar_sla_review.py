"""Calendar and SLA snapshot refusals an acceptance review found missing, and the laws that
keep them from refusing too much.

* A restored clock's ``next`` and ``due`` must be what its state can hold: only a running clock
  has a next event (after its last instant), and it has one unless its calendar never reaches
  the target; a clock past its target keeps the instant it was reached; the others have no
  deadline.  Every clock reachable through real commands round-trips.
* ``TicketSla.from_dict`` range-checks ``last`` and takes ``replied`` as a real boolean.
* ``BusinessCalendar.from_dict`` refuses ``"weekly": null`` and dates not written
  ``YYYY-MM-DD``; the constructor refuses the holiday names ``from_dict`` refuses.
* ``add`` and ``elapsed_us`` name what is wrong: the deadline past year 9999, the span over
  the limit.
* The reference lists every state a clock (and a ``ClockView``) can be in.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow._time import MAX_US, MIN_US, to_us
from csflow.calendar import BusinessCalendar
from csflow.errors import CalendarError, ConfigError, InvalidTransitionError
from csflow.sla import (
    ClockState,
    Metric,
    RecalcMode,
    SlaClock,
    SlaEvent,
    SlaPolicy,
    SlaTarget,
    TicketSla,
)

JAKARTA = ZoneInfo("Asia/Jakarta")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
M = timedelta(minutes=1)
H = timedelta(hours=1)
DOCS = Path(__file__).resolve().parent.parent / "docs"

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
ALWAYS = BusinessCalendar.always_open("UTC")
OFFICE = BusinessCalendar(
    "Asia/Jakarta",
    weekly={d: [("09:00", "12:00"), ("13:00", "17:00")] for d in WEEKDAYS},
    holidays={date(2026, 3, 20): "Cuti bersama Idul Fitri"},
)
# A pop-up desk: one hour on 3 March 2026 and never again, so a longer target is never reached.
POPUP = BusinessCalendar("UTC", weekly={}, special_days={date(2026, 3, 3): [("09:00", "10:00")]})
CALENDARS = (ALWAYS, OFFICE, POPUP)
WARNING_SETS = ((), (0.5, 0.75, 0.9), (0.25,))


def target(minutes: int, calendar: BusinessCalendar, warnings: tuple[float, ...] = ()) -> SlaTarget:
    return SlaTarget(Metric.RESOLUTION, minutes * M, calendar, warnings)


def restored(clock: SlaClock, calendar: BusinessCalendar | None = None) -> SlaClock:
    cal = clock.target.calendar if calendar is None else calendar
    return SlaClock.from_dict(clock.to_dict(), cal)


def refused(data: dict[str, Any], calendar: BusinessCalendar = OFFICE) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        SlaClock.from_dict(data, calendar)
    return caught.value


# -- 1. a next event or a deadline the clock's state cannot have --------------------------


def _running_with_a_warning_pending() -> SlaClock:
    """Running on OFFICE, a warning and the breach still to come, its deadline worked out."""
    clock = SlaClock(
        "T-1", target(120, OFFICE, (0.5, 0.9)), datetime(2026, 3, 6, 16, 55, tzinfo=JAKARTA)
    )
    assert clock.due_at is not None
    assert clock.next_event_at is not None
    return clock


@pytest.mark.parametrize(
    "state",
    [s for s in ClockState if s is not ClockState.RUNNING],
    ids=str,
)
def test_only_a_running_clock_restores_with_a_next_event(state: ClockState) -> None:
    data = _running_with_a_warning_pending().to_dict()
    data["state"] = state.value  # tampered: the pending warning left in place
    err = refused(data)
    assert err.path == "clock.next"
    assert err.detail.startswith(f"expected null: a {state.value} clock has no next event")


def _desk() -> tuple[DeskConfig, Desk]:
    config = DeskConfig.from_dict(
        {
            "tiers": [{"name": "gold", "rank": 3}],
            "calendars": {
                "office": {
                    "timezone": "Asia/Jakarta",
                    "weekly": {d: [["09:00", "17:00"]] for d in WEEKDAYS},
                }
            },
            "sla_policies": [
                {
                    "name": "std",
                    "calendar": "office",
                    "targets": {"first_response": "PT2H", "resolution": "PT8H"},
                }
            ],
            "default_sla_policy": "std",
            "queues": [{"name": "general"}],
            "routing_profiles": [
                {"name": "front", "queues": [{"queue": "general", "priority": 1}]}
            ],
            "triage": [{"name": "all", "then": {"queue": "general"}}],
        }
    )
    desk = Desk(config)
    t0 = datetime(2026, 3, 6, 16, 55, tzinfo=JAKARTA)
    desk.submit(Ticket("T-1", Customer("c1", Tier("gold", 3)), "chat", t0), at=t0)
    return config, desk


@pytest.mark.parametrize("state", ["paused", "met", "cancelled", "breached"])
def test_a_desk_snapshot_with_a_tampered_clock_state_is_refused_at_restore(state: str) -> None:
    config, desk = _desk()
    snap = desk.snapshot()
    clock = snap["state"]["tickets"][0]["sla"]["clocks"]["first_response"]
    clock["state"] = state
    clock.pop("used_at", None)
    with pytest.raises(ConfigError) as caught:
        Desk.restore(config, snap)
    assert caught.value.path == "snapshot.state.tickets[0].sla.clocks.first_response.next"


def test_a_running_clock_restores_with_its_next_event_after_its_last_instant() -> None:
    clock = _running_with_a_warning_pending()
    data = clock.to_dict()
    data["next"] = data["last"]  # would fire at once, with a true instant in the past
    err = refused(data)
    assert (err.path, err.detail) == (
        "clock.next",
        f"expected an instant after the clock's last instant ({data['last']} µs), got "
        f"{data['last']}",
    )


def test_a_running_clock_remembers_no_deadline_before_its_next_event() -> None:
    data = _running_with_a_warning_pending().to_dict()
    data["due"] = data["next"] - 1
    err = refused(data)
    assert err.path == "clock.due"
    assert err.detail.startswith("expected null or a deadline at or after the next event")


@pytest.mark.parametrize("state", [ClockState.PAUSED, ClockState.MET, ClockState.CANCELLED])
def test_a_clock_on_time_and_not_running_restores_without_a_deadline(state: ClockState) -> None:
    clock = _running_with_a_warning_pending()
    due = clock.due_us
    at = clock.last_at + M
    {
        ClockState.PAUSED: clock.pause,
        ClockState.MET: clock.stop,
        ClockState.CANCELLED: clock.cancel,
    }[state](at)
    data = clock.to_dict()
    assert data["due"] is None
    data["due"] = due  # a reopened or resumed clock would breach at this stale instant
    err = refused(data)
    assert (err.path, err.detail) == (
        "clock.due",
        f"expected null: a {state.value} clock has no deadline, got {due}",
    )


@pytest.mark.parametrize(
    "late", [ClockState.BREACHED, ClockState.BREACHED_PAUSED, ClockState.MET_LATE]
)
def test_a_late_clock_restores_with_the_instant_it_was_reached(late: ClockState) -> None:
    clock = SlaClock("T-1", target(60, ALWAYS), T0)
    clock.advance(T0 + 2 * H)
    if late is ClockState.BREACHED_PAUSED:
        clock.pause(T0 + 2 * H)
    elif late is ClockState.MET_LATE:
        clock.stop(T0 + 2 * H)
    assert clock.state is late
    data = clock.to_dict()
    assert SlaClock.from_dict(data, ALWAYS).to_dict() == data
    for bad in (None, data["last"] + 1):
        err = refused({**data, "due": bad}, ALWAYS)
        assert err.path == "clock.due"
        assert err.detail.startswith(
            f"expected the instant a {late.value} clock reached its target"
        )


# -- 2. a running clock without its next event -----------------------------------------------


def test_a_running_clock_whose_calendar_reaches_the_target_must_have_a_next_event() -> None:
    clock = _running_with_a_warning_pending()
    data = clock.to_dict()
    data["k"], data["next"], data["due"] = 2, None, None  # every warning passed, no breach
    err = refused(data)
    assert (err.path, err.detail) == (
        "clock.next",
        "expected the instant of the running clock's next event (its calendar reaches the "
        f"target at {clock.due_us} µs), got None",
    )


def test_the_desk_refuses_a_running_clock_that_would_never_breach() -> None:
    config, desk = _desk()
    snap = copy.deepcopy(desk.snapshot())
    clock = snap["state"]["tickets"][0]["sla"]["clocks"]["resolution"]
    clock["k"], clock["next"] = 3, None
    with pytest.raises(ConfigError) as caught:
        Desk.restore(config, snap)
    assert caught.value.path == "snapshot.state.tickets[0].sla.clocks.resolution.next"
    # The untampered snapshot restores, and breaches.
    again = Desk.restore(config, desk.snapshot())
    assert again.advance(at=datetime(2026, 3, 20, 12, 0, tzinfo=JAKARTA))


def test_a_running_clock_whose_calendar_never_reaches_the_target_restores() -> None:
    clock = SlaClock("T-1", target(180, POPUP, (0.25,)), T0)  # 3 h; the calendar has 1 h
    # The 45-minute threshold is reached at 09:45, but it would warn of a breach that cannot
    # come: nothing fires, and the clock has no next event.
    assert clock.advance(datetime(2026, 3, 3, 11, tzinfo=UTC)) == []
    last = to_us(clock.last_at)
    data = clock.to_dict(at_us=last)
    assert (data["state"], data["next"], data["due"]) == ("running", None, None)
    assert SlaClock.from_dict(data, POPUP).to_dict(at_us=last) == data
    # A due written for it is refused: it has no deadline to remember.
    err = refused({**data, "due": last + 1}, POPUP)
    assert err.path == "clock.due"
    # Restored under a changed calendar (a config change), its instants are the old
    # calendar's: kept as they are, and a recalculation on the new one arms it.
    stale = SlaClock.from_dict(data, ALWAYS)
    stale.recalculate(target(180, ALWAYS), datetime(2026, 3, 3, 12, tzinfo=UTC))
    assert stale.state is ClockState.RUNNING  # 1 h used on POPUP, 1 h since on ALWAYS
    assert stale.due_at == datetime(2026, 3, 3, 13, tzinfo=UTC)


# -- the guard against refusing too much: every reachable clock round-trips ----------------

CLOCK_OPS = ("pause", "resume", "stop", "cancel", "reopen", "poll", "recalc")
clock_steps = st.lists(
    st.tuples(
        st.one_of(st.integers(0, 3 * 24 * 60), st.none()),
        st.sampled_from(CLOCK_OPS),
        st.integers(0, 2),  # calendar of a recalculation
        st.integers(1, 40 * 60),  # its target, minutes
        st.sampled_from(list(RecalcMode)),
        st.sampled_from(WARNING_SETS),
    ),
    max_size=14,
)


@st.composite
def clocks(draw: st.DrawFn) -> SlaClock:
    cal = draw(st.sampled_from(CALENDARS))
    spec = target(draw(st.integers(1, 40 * 60)), cal, draw(st.sampled_from(WARNING_SETS)))
    start = T0 + draw(st.integers(0, 3 * 24 * 60)) * M
    return SlaClock("t", spec, start, paused=draw(st.booleans()))


def _check_round_trip(clock: SlaClock) -> None:
    data = clock.to_dict()
    # What the examples reach (--hypothesis-show-statistics): every state, and running clocks
    # whose calendar never reaches the target.
    event(f"{data['state']}, next {'set' if data['next'] is not None else 'null'}")
    assert SlaClock.from_dict(data, clock.target.calendar).to_dict() == data
    last = to_us(clock.last_at)
    with_used = clock.to_dict(at_us=last)
    assert SlaClock.from_dict(with_used, clock.target.calendar).to_dict(at_us=last) == with_used
    for other in CALENDARS:  # restored under a changed calendar: stale, and accepted
        SlaClock.from_dict(with_used, other)


@given(clocks(), clock_steps, clock_steps)
def test_every_clock_reachable_through_commands_round_trips(
    clock: SlaClock,
    steps: list[tuple[int | None, str, int, int, RecalcMode, tuple[float, ...]]],
    future: list[tuple[int | None, str, int, int, RecalcMode, tuple[float, ...]]],
) -> None:
    _check_round_trip(clock)
    t = clock.last_at
    for gap, op, cal, minutes, mode, warnings in steps:
        if gap is None:  # exactly at the next event: where a warning turns into the next
            nxt = clock.next_event_at
            t = nxt if nxt is not None and nxt >= t else t + M
        else:
            t = t + gap * M
        try:
            if op == "recalc":
                clock.recalculate(target(minutes, CALENDARS[cal], warnings), t, mode)
            else:
                method: Callable[[datetime], list[SlaEvent]] = getattr(
                    clock, "advance" if op == "poll" else op
                )
                method(t)
        except InvalidTransitionError:
            pass  # not allowed in this state: nothing changed
        _check_round_trip(clock)
    # ... and the restored clock has the same future.
    twin = restored(clock)
    t = clock.last_at
    for gap, op, _, _, _, _ in future:
        t = t + (gap if gap is not None else 60) * M
        if op in ("recalc", "poll"):
            assert twin.advance(t) == clock.advance(t)
            continue
        outcomes = []
        for c in (clock, twin):
            try:
                outcomes.append(getattr(c, op)(t))
            except InvalidTransitionError:
                outcomes.append(None)
        assert outcomes[0] == outcomes[1]


SLA_OPS = ("reply", "message", "status", "priority", "policy", "advance")
STATUSES = ("open", "pending", "on_hold", "solved", "closed")
POLICIES = {
    "office": SlaPolicy(
        "office",
        OFFICE,
        {
            "first_response": {"normal": 2 * H, "urgent": 30 * M},
            "next_response": 4 * H,
            "periodic_update": 8 * H,
            "resolution": {"normal": 16 * H, "urgent": 4 * H},
        },
        pause_on={"pending": ["resolution", "periodic_update"], "on_hold": ["resolution"]},
    ),
    "popup": SlaPolicy(
        "popup",
        POPUP,
        {"first_response": 30 * M, "resolution": 3 * H},
        warnings=(0.5,),
    ),
}


@given(
    st.sampled_from(sorted(POLICIES)),
    st.lists(
        st.tuples(
            st.integers(0, 2 * 24 * 60),
            st.sampled_from(SLA_OPS),
            st.sampled_from(STATUSES),
            st.sampled_from(("normal", "urgent")),
            st.sampled_from(list(RecalcMode)),
        ),
        max_size=14,
    ),
)
def test_every_ticket_sla_reachable_through_commands_round_trips(
    first: str, steps: list[tuple[int, str, str, str, RecalcMode]]
) -> None:
    ts = TicketSla("t", POLICIES[first], "normal", T0)
    t = T0
    for gap, op, status, priority, mode in steps:
        t = t + gap * M
        try:
            if op == "reply":
                ts.agent_reply(t)
            elif op == "message":
                ts.customer_message(t)
            elif op == "status":
                ts.set_status(status, t)
            elif op == "priority":
                ts.change_priority(priority, t, mode)
            elif op == "policy":
                other = POLICIES["popup" if ts.policy.name == "office" else "office"]
                ts.change_policy(other, t, mode)
            else:
                ts.advance(t)
        except InvalidTransitionError:
            pass  # a closed ticket: nothing changed
        data = ts.to_dict(at_us=to_us(t))
        assert TicketSla.from_dict(data, POLICIES).to_dict(at_us=to_us(t)) == data


# -- 3. TicketSla.from_dict: last and replied ------------------------------------------------


def _ticket_sla_doc() -> dict[str, Any]:
    return TicketSla("T-1", POLICIES["office"], "normal", T0).to_dict()


@pytest.mark.parametrize("last", [10**30, MAX_US + 1, MIN_US - 1, -(10**30)])
def test_a_ticket_sla_restores_only_with_its_last_instant_in_range(last: int) -> None:
    with pytest.raises(ConfigError) as caught:
        TicketSla.from_dict({**_ticket_sla_doc(), "last": last}, POLICIES)
    assert (caught.value.path, caught.value.detail) == (
        "ticket_sla.last",
        f"expected an instant in µs within years 1-9999, got {last}",
    )


@pytest.mark.parametrize("replied", ["false", "true", 0, 1, None, []])
def test_a_ticket_sla_restores_only_with_a_boolean_replied(replied: object) -> None:
    with pytest.raises(ConfigError) as caught:
        TicketSla.from_dict({**_ticket_sla_doc(), "replied": replied}, POLICIES)
    assert (caught.value.path, caught.value.detail) == (
        "ticket_sla.replied",
        f"expected true or false, got {replied!r}",
    )


def test_replied_reads_back_as_written_and_defaults_to_false() -> None:
    for replied in (True, False):
        data = {**_ticket_sla_doc(), "replied": replied}
        assert TicketSla.from_dict(data, POLICIES).replied is replied
    older = _ticket_sla_doc()
    del older["replied"]
    assert TicketSla.from_dict(older, POLICIES).replied is False


# -- 4. "weekly": null ------------------------------------------------------------------------


@pytest.mark.parametrize("weekly", [None, 5, "mon", [["09:00", "17:00"]]])
def test_from_dict_refuses_weekly_hours_that_are_not_a_mapping(weekly: object) -> None:
    with pytest.raises(ConfigError) as caught:
        BusinessCalendar.from_dict({"timezone": "Asia/Jakarta", "weekly": weekly})
    assert (caught.value.path, caught.value.detail) == (
        "calendar.weekly",
        f"expected a mapping of day -> spans ({{}} for no weekly hours), got {weekly!r}",
    )


def test_a_calendar_without_weekly_hours_is_written_as_an_empty_mapping_or_left_out() -> None:
    special = {"2026-03-03": [["09:00", "10:00"]]}
    for doc in ({"weekly": {}, "special_days": special}, {"special_days": special}):
        cal = BusinessCalendar.from_dict(doc)
        assert cal == POPUP
        assert BusinessCalendar.from_dict(cal.to_dict()) == cal


# -- 5. holiday names: what the constructor takes, from_dict reads back ----------------------


@pytest.mark.parametrize("name", ["x" * 257, 5, None])
def test_the_constructor_refuses_the_holiday_names_from_dict_refuses(name: object) -> None:
    holidays: Any = {date(2026, 3, 20): name}
    with pytest.raises(CalendarError) as caught:
        BusinessCalendar("Asia/Jakarta", {"mon": [("09:00", "17:00")]}, holidays)
    assert str(caught.value) == (
        "holidays[2026-03-20]: a holiday's name must be a string of at most 256 characters, "
        f"got {name!r}"
    )
    with pytest.raises(
        ConfigError, match=r"^calendar\.holidays\.2026-03-20: a holiday's name must be"
    ):
        BusinessCalendar.from_dict({"holidays": {"2026-03-20": name}})


@given(st.text(max_size=256))
def test_every_holiday_name_the_constructor_takes_round_trips(name: str) -> None:
    cal = BusinessCalendar("Asia/Jakarta", {"mon": [("09:00", "17:00")]}, {date(2026, 3, 20): name})
    again = BusinessCalendar.from_dict(cal.to_dict())
    assert again == cal
    assert again.holidays == cal.holidays


# -- 6. messages that name what is wrong ------------------------------------------------------


def test_add_past_year_9999_names_the_deadline_not_the_start() -> None:
    cal = BusinessCalendar("Asia/Jakarta", {d: [("09:00", "17:00")] for d in WEEKDAYS})
    start = datetime(2026, 3, 6, 16, 55, tzinfo=JAKARTA)
    for duration in (timedelta.max, timedelta(days=3_000_000)):
        with pytest.raises(CalendarError) as caught:
            cal.add(start, duration)
        assert str(caught.value) == (
            f"the deadline {duration!r} after 2026-03-06T16:55:00+07:00 is past the year "
            "9999: outside the supported range of dates (years 1-9999)"
        )
    # Near the end of the range, found through a run at hand (the fast path) and not.
    late = datetime(9999, 12, 30, tzinfo=JAKARTA)
    cal.add(late, H)
    for start in (late, late.astimezone(UTC)):
        with pytest.raises(
            CalendarError, match=r"^the deadline datetime\.timedelta\(days=5\) after"
        ):
            cal.add(start, timedelta(days=5))


def test_a_span_over_the_limit_is_named_whatever_its_ends() -> None:
    for zone in ("UTC", "Asia/Jakarta", "America/New_York"):
        cal = BusinessCalendar(zone, {d: [("09:00", "17:00")] for d in WEEKDAYS})
        with pytest.raises(CalendarError, match=r"^spans longer than 200 years are not supported"):
            cal.elapsed_us(MIN_US + 86_400_000_000, MAX_US)
    cal = BusinessCalendar("Asia/Jakarta", {d: [("09:00", "17:00")] for d in WEEKDAYS})
    with pytest.raises(
        CalendarError, match=r"^spans longer than 200 years are not supported \(from the year 1\)"
    ):
        cal.elapsed_us(MIN_US, MAX_US)
    # An end that is no instant at all is named, however long the span.
    with pytest.raises(CalendarError, match=rf"{MAX_US + 1} µs since the epoch"):
        cal.elapsed_us(MIN_US, MAX_US + 1)


def test_an_instant_past_the_zones_last_date_is_named_with_the_zone() -> None:
    cal = BusinessCalendar("Asia/Jakarta", {d: [("09:00", "17:00")] for d in WEEKDAYS})
    # 9999-12-31 23:59:59.999999 UTC is 10000-01-01 06:59 in Jakarta: no local date holds it.
    with pytest.raises(CalendarError) as caught:
        cal.elapsed_us(MAX_US - 86_400_000_000, MAX_US)
    assert str(caught.value) == (
        f"instant is outside the supported range of dates: {MAX_US} µs since the epoch is not "
        "within years 1-9999 both in UTC and in 'Asia/Jakarta'"
    )


def test_next_open_past_year_9999_names_the_answer_not_the_instant() -> None:
    cal = BusinessCalendar("UTC", {"mon": [("09:00", "17:00")]})
    t = to_us(datetime(9999, 12, 27, 18, tzinfo=UTC))  # the last Monday's hours are over
    with pytest.raises(CalendarError) as caught:
        cal.next_open_us(t)
    assert str(caught.value) == (
        f"the first open instant at or after {t} µs since the epoch is past the year 9999: "
        "outside the supported range of dates (years 1-9999)"
    )


# -- 7. the documented states -------------------------------------------------------------


def test_the_reference_lists_every_state_a_clock_can_be_in() -> None:
    page = (DOCS / "reference" / "sla.md").read_text(encoding="utf-8")
    for state in ClockState:
        assert f"| `{state.value}` |" in page, state


def test_a_clock_view_names_the_breached_paused_state() -> None:
    _, desk = _desk()
    at = datetime(2026, 3, 10, 9, tzinfo=JAKARTA)
    desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=at)
    desk.set_presence("sari", "available", at=at)
    desk.set_status("T-1", "pending", at=datetime(2026, 3, 20, 9, tzinfo=JAKARTA))
    assert desk.clocks("T-1")["resolution"].state == ClockState.BREACHED_PAUSED.value


def test_a_clock_view_past_its_deadline_reads_breached_before_the_breach_fires() -> None:
    """T-1 (Friday 16:55, two office hours) is due Monday 10:55.  Seen at 11:30, before any
    advance, its first-response clock reads breached (the SlaBreached comes with the advance);
    at exactly 10:55 it is still running (a reply then meets it)."""
    _, desk = _desk()
    due = datetime(2026, 3, 9, 10, 55, tzinfo=JAKARTA)
    exactly = desk.clocks("T-1", at=due)["first_response"]
    assert (exactly.state, exactly.due_at, exactly.remaining) == ("running", due, timedelta(0))
    late = desk.clocks("T-1", at=datetime(2026, 3, 9, 11, 30, tzinfo=JAKARTA))["first_response"]
    assert (late.state, late.due_at, late.elapsed) == (
        "breached",
        due,
        timedelta(hours=2, minutes=35),
    )
    assert desk.clocks("T-1")["first_response"].state == "running"  # at the desk's instant
    fired = desk.advance(at=datetime(2026, 3, 9, 11, 30, tzinfo=JAKARTA))
    assert any(type(e).__name__ == "SlaBreached" for e in fired)
    assert desk.clocks("T-1")["first_response"] == late


# -- 8. dates are 'YYYY-MM-DD' ----------------------------------------------------------------

OTHER_ISO_FORMS = ["2026-W12-3", "2026W123", "20260318"]


@pytest.mark.parametrize("raw", OTHER_ISO_FORMS)
@pytest.mark.parametrize(
    ("doc", "path"),
    [
        (lambda raw: {"holidays": [raw]}, "calendar.holidays"),
        (lambda raw: {"holidays": {raw: "Nyepi"}}, "calendar.holidays"),
        (lambda raw: {"special_days": {raw: [["09:00", "12:00"]]}}, "calendar.special_days"),
    ],
    ids=["holiday list", "holiday mapping", "special days"],
)
def test_from_dict_reads_dates_written_yyyy_mm_dd_only(
    raw: str, doc: Callable[[str], dict[str, Any]], path: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        BusinessCalendar.from_dict(doc(raw))
    assert (caught.value.path, caught.value.detail) == (
        path,
        f"expected an ISO date 'YYYY-MM-DD', got {raw!r}",
    )
    # The same date written the documented way is read.
    cal = BusinessCalendar.from_dict(doc("2026-03-18"))
    assert date(2026, 3, 18) in {**cal.holidays, **cal.special_days}


@pytest.mark.parametrize(
    ("field", "shift"),
    [("due", 3_600_000_000), ("next", 60_000_000), ("next", -1), ("due", 1)],
)
def test_a_running_clocks_next_and_due_are_the_ones_its_calendar_gives(
    field: str, shift: int
) -> None:
    """A running clock's next event and deadline follow from its time used and its calendar:
    moved by an hour (or a microsecond), the snapshot was not written by a desk."""
    config, desk = _desk()
    at = datetime(2026, 3, 9, 10, tzinfo=JAKARTA)
    desk.advance(at=at)  # past the first warning: both instants are worked out
    snap = json.loads(json.dumps(desk.snapshot()))
    clock = snap["state"]["tickets"][0]["sla"]["clocks"]["first_response"]
    assert clock["state"] == "running"
    assert clock["due"] is not None
    clock[field] += shift
    with pytest.raises(ConfigError) as caught:
        Desk.restore(config, snap)
    assert caught.value.path == f"snapshot.state.tickets[0].sla.clocks.first_response.{field}"
    clock[field] -= shift
    assert Desk.restore(config, snap).clocks("T-1") == desk.clocks("T-1")
