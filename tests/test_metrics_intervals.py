"""csflow.metrics interval reports: laws against a naive reference, a morning by hand, DST.

The reference is deliberately slow and plain: it cuts the stream into ticket lives with a dict,
finds each life's interval by walking back minute by minute to the latest instant whose local
wall clock reads a multiple of the interval since midnight, and calls :func:`summarize` on
each interval's events.  The interval report must equal it row by row, and its rows must add
up to the whole stream's report.
"""

from __future__ import annotations

import pickle
from collections import defaultdict
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import DeskConfig
from csflow.calendar import BusinessCalendar
from csflow.errors import ConfigError
from csflow.events import (
    AgentPresenceChanged,
    DeskEvent,
    TicketAbandoned,
    TicketAssigned,
    TicketClosed,
    TicketEscalated,
    TicketOverflowed,
    TicketQueued,
    TicketReopened,
    TicketRequeued,
    TicketResolved,
    TicketStatusChanged,
    TicketTransferred,
)
from csflow.metrics import (
    IntervalReport,
    IntervalSummarizer,
    Report,
    summarize,
    summarize_intervals,
)
from csflow.model import Priority
from csflow.sla import Metric, SlaBreached, SlaMet, SlaPolicy, SlaWarning
from csflow.testing import commands
from csflow.testing.command import replay
from test_metrics_properties import interleaved, lives

MIN = timedelta(minutes=1)
SEC = timedelta(seconds=1)
TARGET = 20 * SEC
WIB = ZoneInfo("Asia/Jakarta")
BERLIN = ZoneInfo("Europe/Berlin")
# Berlin's changes of 2026: 02:00 CET -> 03:00 CEST, and 03:00 CEST -> 02:00 CET.
SPRING = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
FALL = datetime(2026, 10, 25, 1, 0, tzinfo=UTC)

# Kinds of event that begin a ticket's life (those summarize keeps a record for).
LIFE_BEGINS = (
    TicketQueued,
    TicketRequeued,
    TicketTransferred,
    TicketEscalated,
    TicketAssigned,
    TicketStatusChanged,
    TicketResolved,
    TicketReopened,
    SlaBreached,
    SlaMet,
)
# The counts (and spans) that are sums over tickets: the rows add up to the total.
ADDITIVE = (
    "offered",
    "answered",
    "answered_within_target",
    "abandoned",
    "waiting",
    "resolved",
    "reopened",
    "transfers",
    "escalations",
    "total_wait",
    "handle_time",
    "handlings_resolved",
    "resolved_handle_time",
    "tickets_resolved",
    "resolved_first_contact",
    "short_abandoned",
)


def test_a_date_whose_midnight_is_skipped_starts_its_own_interval() -> None:
    """Santiago springs forward at 00:00 on 6 September 2026 (the date starts at 01:00), Cairo
    on 24 April 2026: a daily report keeps the two dates apart (23 hours for the short one)."""
    for zone, day in (("America/Santiago", 6), ("Africa/Cairo", 24)):
        tz = ZoneInfo(zone)
        month = 9 if day == 6 else 4
        t1 = datetime(2026, month, day - 1, 12, tzinfo=tz)
        t2 = datetime(2026, month, day, 12, tzinfo=tz)
        events = [
            TicketQueued(t, f"T{i}", "chat", Priority.NORMAL, None, "gold", "chat", "")
            for i, t in enumerate((t1, t2))
        ]
        got = summarize_intervals(events, interval=timedelta(days=1), zone=zone)
        assert [start.date() for start, _ in got] == [t1.date(), t2.date()]
        assert [r.offered for _, r in got] == [1, 1]
        assert got.lengths == (timedelta(days=1), timedelta(hours=23))
        assert got[1][0].hour == 1
        # Two-hour intervals: the date's first interval is 01:00-02:00.
        two = summarize_intervals(events[1:], interval=timedelta(hours=2), zone=zone)
        start, _ = two[0]
        assert (start.hour, two.lengths[0]) == (12, timedelta(hours=2))
        early = [
            TicketQueued(
                datetime(2026, month, day, 1, 30, tzinfo=tz),
                "E",
                "chat",
                Priority.NORMAL,
                None,
                "gold",
                "chat",
                "",
            )
        ]
        first = summarize_intervals(early, interval=timedelta(hours=2), zone=zone)
        assert (first[0][0].hour, first.lengths[0]) == (1, timedelta(hours=1))


# -- the naive reference ------------------------------------------------------------------------


def on_grid(instant: datetime, zone: tzinfo, minutes: int) -> bool:
    """Whether an interval starts at *instant*: its wall clock is on the grid, or it is the
    first minute of its local date (where the clock skips midnight)."""
    local = instant.astimezone(zone)
    if local.second or local.microsecond:
        return False
    return (local.hour * 60 + local.minute) % minutes == 0 or (
        local.date() > (instant - MIN).astimezone(zone).date()
    )


def reference_start(at: datetime, zone: tzinfo, minutes: int) -> datetime:
    """The latest instant <= *at* whose wall clock in *zone* is on the grid (minute by minute:
    the zones used here have whole-minute offsets)."""
    t = at.astimezone(UTC).replace(second=0, microsecond=0)
    for _ in range(3 * 24 * 60):
        if on_grid(t, zone, minutes):
            return t
        t -= MIN
    raise AssertionError(f"no boundary before {at}")


def reference_length(start: datetime, zone: tzinfo, minutes: int) -> timedelta:
    t = start + MIN
    while not on_grid(t, zone, minutes):
        t += MIN
    return t - start


def reference(
    events: list[Any],
    zone: tzinfo,
    minutes: int,
    until: datetime | None = None,
) -> tuple[list[tuple[datetime, Report]], list[timedelta], int]:
    """Rows, lengths and left-out count of an interval report, the slow way."""
    total = summarize(events, service_target=TARGET, until=until)
    open_lives: dict[str, datetime] = {}
    # A life that begins with SLA results: its events, and the interval of the first, until
    # the ticket's next counted event (its TicketQueued puts the life in its own interval).
    early: dict[str, tuple[datetime, list[Any]]] = {}
    groups: dict[datetime, list[Any]] = defaultdict(list)
    left_out = 0
    for ev in events:
        if not isinstance(ev, DeskEvent):
            left_out += 1
            continue
        start = open_lives.get(ev.ticket_id)
        pending = early.get(ev.ticket_id)
        if start is None and pending is not None:
            if isinstance(ev, (SlaMet, SlaBreached)):
                pending[1].append(ev)
                continue
            if isinstance(ev, TicketQueued):
                start = reference_start(ev.at, zone, minutes)
            elif isinstance(ev, (*LIFE_BEGINS, TicketClosed, TicketAbandoned)):
                start = pending[0]
            else:
                left_out += 1
                continue
            del early[ev.ticket_id]
            open_lives[ev.ticket_id] = start
            groups[start].extend(pending[1])
        if start is None:
            if not isinstance(ev, LIFE_BEGINS):
                left_out += 1
                continue
            if isinstance(ev, (SlaMet, SlaBreached)):
                early[ev.ticket_id] = (reference_start(ev.at, zone, minutes), [ev])
                continue
            start = open_lives[ev.ticket_id] = reference_start(ev.at, zone, minutes)
        groups[start].append(ev)
        if isinstance(ev, (TicketClosed, TicketAbandoned)):
            del open_lives[ev.ticket_id]
    for start, pending_events in early.values():
        groups[start].extend(pending_events)
    starts = sorted(groups)
    rows = [(s, summarize(groups[s], service_target=TARGET, until=total.end)) for s in starts]
    return rows, [reference_length(s, zone, minutes) for s in starts], left_out


def check_against_reference(
    events: list[Any], zone: tzinfo, minutes: int, until: datetime | None = None
) -> IntervalReport:
    report = summarize_intervals(
        events, interval=minutes * MIN, zone=zone, service_target=TARGET, until=until
    )
    rows, lengths, left_out = reference(events, zone, minutes, until)
    # Instants in UTC: an aware datetime in a repeated hour (fold=1) never equals one of
    # another zone (PEP 495), and compares by wall time alone with one of its own zone.
    assert [utc(start) for start, _ in report] == [utc(start) for start, _ in rows]
    for (start, got), (_, want) in zip(report, rows, strict=True):
        assert start.tzinfo is zone
        assert got == want, start
    assert list(report.lengths) == lengths
    assert report.left_out == left_out
    assert report.total == summarize(events, service_target=TARGET, until=until)
    check_totals(report)
    return report


def check_totals(report: IntervalReport) -> None:
    """The rows add up to the whole stream's report."""
    total = report.total
    for name in ADDITIVE:
        values = [getattr(r, name) for _, r in report]
        assert sum(values, type(getattr(total, name))()) == getattr(total, name), name
    assert sum(r.sla.met for _, r in report) == total.sla.met
    assert sum(r.sla.breached for _, r in report) == total.sla.breached
    for metric, att in total.sla_by_metric.items():
        parts = [r.sla_by_metric.get(metric) for _, r in report]
        assert sum(p.total for p in parts if p is not None) == att.total
    starts = [utc(start) for start, _ in report]
    assert starts == sorted(starts)
    assert len(set(starts)) == len(starts)
    for start, following, length in zip(starts, starts[1:], report.lengths, strict=False):
        assert timedelta(0) < length <= following - start


def utc(at: datetime) -> datetime:
    return at.astimezone(UTC)


# -- strategies ---------------------------------------------------------------------------------

ZONES = st.sampled_from([WIB, BERLIN, ZoneInfo("Asia/Kolkata"), ZoneInfo("Australia/Lord_Howe")])
INTERVALS = st.sampled_from([1, 15, 20, 30, 60, 90, 120, 1440])


@st.composite
def mixed_streams(draw: st.DrawFn, around: datetime) -> list[Any]:
    """Any events of a few tickets, in any order, over hours around *around*: events before a
    ticket's TicketQueued, closings of unknown tickets, ids used again after a close,
    presence changes, events no metric counts."""
    tid = st.sampled_from(["A", "B", "C"])
    moment = st.integers(-3 * 3600, 5 * 3600).map(lambda s: around + s * SEC)
    metric = st.sampled_from(list(Metric))
    one = st.one_of(
        st.builds(
            TicketQueued,
            moment,
            tid,
            st.just("q"),
            st.just(Priority.NORMAL),
            st.none(),
            st.sampled_from(["gold", "silver"]),
            st.sampled_from(["chat", "email"]),
            st.just(""),
        ),
        st.builds(
            TicketAssigned, moment, tid, st.just("ana"), st.just(0.0), st.just(1), st.just("")
        ),
        st.builds(TicketRequeued, moment, tid, st.just("ana"), st.just("left")),
        st.builds(TicketTransferred, moment, tid, st.none(), st.just("budi"), st.just(1)),
        st.builds(
            TicketEscalated, moment, tid, st.none(), st.just("tech"), st.just(1), st.just("")
        ),
        st.builds(TicketAbandoned, moment, tid, st.just(1.0)),
        st.builds(TicketResolved, moment, tid, st.just("ana")),
        st.builds(TicketReopened, moment, tid, st.none()),
        st.builds(TicketClosed, moment, tid),
        st.builds(
            TicketStatusChanged,
            moment,
            tid,
            st.just("assigned"),
            st.sampled_from(["pending", "open"]),
        ),
        st.builds(TicketOverflowed, moment, tid, st.just("q2"), st.just(5.0)),
        st.builds(SlaBreached, moment, tid, metric, moment, st.just(TARGET)),
        st.builds(SlaMet, moment, tid, metric, st.just(TARGET), st.just(TARGET), st.booleans()),
        st.builds(SlaWarning, moment, tid, metric, st.just(0.75), moment),
        st.builds(AgentPresenceChanged, moment, st.just("ana"), st.none(), st.just("available")),
    )
    return draw(st.lists(one, max_size=25))


OFFICE = BusinessCalendar(
    "Europe/Berlin",
    weekly={d: [("08:00", "18:00")] for d in ("mon", "tue", "wed", "thu", "fri", "sat")},
)
BERLIN_DESK = DeskConfig(
    sla_policies=[SlaPolicy("office", OFFICE, {Metric.FIRST_RESPONSE: timedelta(minutes=30)})],
    default_sla_policy="office",
)


# -- laws -----------------------------------------------------------------------------------------


@settings(max_examples=150)
@given(lives(), st.data(), ZONES, INTERVALS)
def test_each_row_is_summarize_over_the_tickets_its_interval_offered(
    tickets: Any, data: st.DataObject, zone: tzinfo, minutes: int
) -> None:
    events = data.draw(interleaved(tickets))
    check_against_reference(events, zone, minutes)


@settings(max_examples=150)
@given(st.data(), ZONES, INTERVALS, st.sampled_from([SPRING, FALL]), st.booleans())
def test_any_stream_across_a_dst_change_matches_the_reference(
    data: st.DataObject, zone: tzinfo, minutes: int, around: datetime, cut: bool
) -> None:
    events = data.draw(mixed_streams(around))
    until = around + timedelta(hours=6) if cut else None
    check_against_reference(events, zone, minutes, until)


@settings(max_examples=40)
@given(st.data(), st.sampled_from([SPRING - timedelta(hours=6), FALL - timedelta(hours=6)]))
def test_a_real_desks_stream_across_a_dst_change_matches_the_reference(
    data: st.DataObject, start: datetime
) -> None:
    program = data.draw(commands(BERLIN_DESK, start=start, min_size=10, max_size=40))
    events = replay(BERLIN_DESK, program, errors=True)
    report = check_against_reference(events, BERLIN, 30)
    # A desk sends a ticket's TicketQueued first (these tickets are submitted when created):
    # each ticket life is offered in the interval of its row, and the rows hold every offer.
    offers: list[datetime] = []
    open_ids: set[str] = set()
    for ev in events:
        if isinstance(ev, TicketQueued) and ev.ticket_id not in open_ids:
            offers.append(utc(ev.at))
        if isinstance(ev, DeskEvent) and not isinstance(ev, (TicketClosed, TicketAbandoned)):
            open_ids.add(ev.ticket_id)
        else:
            open_ids.discard(getattr(ev, "ticket_id", ""))
    assert report.total.offered == len(offers)
    for (start_at, row), length in zip(report, report.lengths, strict=True):
        begin = utc(start_at)
        assert row.offered == sum(begin <= at < begin + length for at in offers)


ALWAYS_WIB = BusinessCalendar.always_open("Asia/Jakarta")
QUICK_DESK = DeskConfig(
    sla_policies=[
        SlaPolicy(
            "quick",
            ALWAYS_WIB,
            {Metric.FIRST_RESPONSE: 5 * MIN, Metric.RESOLUTION: timedelta(hours=1)},
        )
    ],
    default_sla_policy="quick",
)


@given(
    st.lists(st.tuples(st.integers(0, 90), st.integers(0, 180)), min_size=1, max_size=8),
    ZONES,
    INTERVALS,
)
def test_a_ticket_submitted_after_it_was_created_is_offered_where_it_was_queued(
    submits: list[tuple[int, int]], zone: tzinfo, minutes: int
) -> None:
    # An e-mail fetched late: its clocks count from its creation, so its breaches come before
    # its TicketQueued (at the instants they happened); the ticket is still offered, and
    # counted, in the interval of its TicketQueued.
    from csflow import AgentProfile, Customer, Desk, Ticket, Tier

    desk = Desk(QUICK_DESK)
    t = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)
    events: list[Any] = desk.add_agent(
        AgentProfile("ana", capacity={"email": 1}), presence="available", at=t
    )
    queued: dict[str, datetime] = {}
    for i, (gap, back) in enumerate(submits):
        t += gap * MIN
        ticket = Ticket(f"T{i}", Customer(f"c{i}", Tier("gold", 1)), "email", t - back * MIN)
        events += desk.submit(ticket, at=t)
        queued[ticket.id] = t
    report = check_against_reference(events, zone, minutes)
    for (start_at, row), length in zip(report, report.lengths, strict=True):
        begin = utc(start_at)
        assert row.offered == sum(begin <= at < begin + length for at in queued.values())
        assert row.offered >= 1  # no row of SLA results alone


@given(st.data(), ZONES, INTERVALS, st.integers(0, 25))
def test_a_running_interval_report_is_the_report_of_the_events_so_far(
    data: st.DataObject, zone: tzinfo, minutes: int, cut: int
) -> None:
    events = data.draw(mixed_streams(FALL))
    live = IntervalSummarizer(interval=minutes * MIN, zone=zone, service_target=TARGET)
    live.extend(events[:cut])
    first = live.report()
    assert live.report() == first  # reporting changes nothing
    assert first == summarize_intervals(
        events[:cut], interval=minutes * MIN, zone=zone, service_target=TARGET
    )
    live.extend(events[cut:])
    assert live.events == len(events)
    assert live.report() == summarize_intervals(
        events, interval=minutes * MIN, zone=zone, service_target=TARGET
    )


# -- a morning at a desk in Jakarta, by hand --------------------------------------------------------


def wib(clock: str) -> datetime:
    h, m, s = (int(x) for x in clock.split(":"))
    return datetime(2026, 3, 19, h, m, s, tzinfo=WIB)


def queued(clock: str, tid: str) -> TicketQueued:
    return TicketQueued(wib(clock), tid, "front", Priority.NORMAL, "std", "gold", "chat", "")


def assigned(clock: str, tid: str) -> TicketAssigned:
    return TicketAssigned(wib(clock), tid, "ana", 0.0, 1, "")


MORNING = [
    queued("08:55:00", "T1"),
    AgentPresenceChanged(wib("09:00:00"), "ana", "offline", "available"),
    assigned("09:00:10", "T1"),  # waited 5 min 10 s: outside the 20 s target
    queued("09:05:00", "T2"),
    assigned("09:05:12", "T2"),  # 12 s
    TicketResolved(wib("09:20:10"), "T1", "ana"),  # handled 20 min
    queued("09:28:00", "T3"),
    queued("09:29:50", "T4"),
    assigned("09:30:05", "T4"),  # 15 s, answered in the next half hour
    queued("09:30:00", "T5"),  # on the boundary: the 09:30 interval
    TicketAbandoned(wib("09:31:00"), "T3", 180.0),
    assigned("09:31:00", "T5"),  # 60 s
    TicketResolved(wib("09:35:12"), "T2", "ana"),  # handled 30 min
    TicketResolved(wib("09:45:05"), "T4", "ana"),  # handled 15 min
    queued("09:50:00", "T6"),  # still waiting at 10:00
]


def test_a_morning_in_jakarta_by_hand() -> None:
    report = summarize_intervals(
        MORNING, zone="Asia/Jakarta", service_target=TARGET, until=wib("10:00:00")
    )
    assert [start for start, _ in report] == [wib("08:30:00"), wib("09:00:00"), wib("09:30:00")]
    assert next(start.isoformat() for start, _ in report) == "2026-03-19T08:30:00+07:00"
    assert report.lengths == (30 * MIN,) * 3
    assert report.left_out == 1  # the presence change
    early, nine, half_past = (r for _, r in report)

    assert (early.offered, early.answered, early.abandoned, early.waiting) == (1, 1, 0, 0)
    assert early.service_level == 0.0
    assert early.average_speed_of_answer == timedelta(minutes=5, seconds=10)
    assert early.average_handle_time == timedelta(minutes=20)

    # T2, T3 and T4: T4 answered after 09:30 and T2 resolved after it still count here.
    assert (nine.offered, nine.answered, nine.abandoned, nine.waiting) == (3, 2, 1, 0)
    assert nine.answered_within_target == 2
    assert nine.service_level == pytest.approx(2 / 3)
    assert nine.abandonment_rate == pytest.approx(1 / 3)
    assert nine.average_speed_of_answer == timedelta(seconds=13.5)
    assert nine.average_handle_time == timedelta(minutes=22, seconds=30)
    assert nine.handle_time == timedelta(minutes=45)

    # T5 answered in 60 s and still in handling at 10:00; T6 waiting.
    assert (half_past.offered, half_past.answered, half_past.abandoned) == (2, 1, 0)
    assert half_past.waiting == 1
    assert half_past.service_level == 0.0
    assert half_past.average_speed_of_answer == timedelta(seconds=60)
    assert half_past.average_handle_time is None
    assert half_past.handle_time == timedelta(minutes=29)
    assert half_past.end == wib("10:00:00")

    total = report.total
    assert (total.offered, total.answered, total.abandoned, total.waiting) == (6, 4, 1, 1)
    assert total.service_level == 2 / 5
    assert total.handle_time == timedelta(minutes=20 + 30 + 15 + 29)

    assert report.table() == [
        "interval                 offered answered   SL 20 s      ASA abandoned       AHT",
        "2026-03-19 08:30               1        1      0.0%  5.2 min         0  20.0 min",
        "2026-03-19 09:00               3        2     66.7%   13.5 s         1  22.5 min",
        "2026-03-19 09:30               2        1      0.0%     60 s         0       n/a",
        # ASA (310 + 12 + 15 + 60) / 4 s; AHT (20 + 30 + 15) / 3 min.
        "total                          6        4     40.0%   99.2 s         1  21.7 min",
    ]
    data = report.to_dict()
    assert data["interval_seconds"] == 1800.0
    assert data["zone"] == "Asia/Jakarta"
    assert [row["start"] for row in data["intervals"]] == [
        "2026-03-19T08:30:00+07:00",
        "2026-03-19T09:00:00+07:00",
        "2026-03-19T09:30:00+07:00",
    ]
    assert data["intervals"][1]["length_seconds"] == 1800.0
    assert data["intervals"][1]["report"] == nine.to_dict()
    assert data["total"] == total.to_dict()
    assert data["left_out"] == 1
    check_totals(report)


def test_hourly_and_daily_intervals_of_the_same_morning() -> None:
    hourly = summarize_intervals(MORNING, interval=timedelta(hours=1), zone=WIB)
    assert [(s, r.offered) for s, r in hourly] == [(wib("08:00:00"), 1), (wib("09:00:00"), 5)]
    daily = summarize_intervals(MORNING, interval=timedelta(days=1), zone=WIB)
    assert [(s, r.offered) for s, r in daily] == [(datetime(2026, 3, 19, tzinfo=WIB), 6)]
    # Without *until*, every row's observation ends at the stream's last event.
    assert {r.end for _, r in daily} == {wib("09:50:00")}


# -- DST days in Berlin -----------------------------------------------------------------------------


def ticket_at(at: datetime, tid: str) -> TicketQueued:
    return TicketQueued(at, tid, "front", Priority.NORMAL, None, "gold", "chat", "")


def test_the_fall_back_day_has_two_intervals_for_each_repeated_wall_time() -> None:
    # 01:00 to 02:00 UTC is 02:00-03:00 CET, the second pass of the wall clock's 02:00-03:00.
    instants = [FALL - timedelta(minutes=50), FALL - timedelta(minutes=20)]  # 02:10, 02:40 CEST
    instants += [FALL + timedelta(minutes=10), FALL + timedelta(minutes=40)]  # 02:10, 02:40 CET
    events = [ticket_at(at, f"T{i}") for i, at in enumerate(instants)]
    report = summarize_intervals(events, zone="Europe/Berlin")
    starts = [start for start, _ in report]
    assert [s.isoformat() for s in starts] == [
        "2026-10-25T02:00:00+02:00",
        "2026-10-25T02:30:00+02:00",
        "2026-10-25T02:00:00+01:00",
        "2026-10-25T02:30:00+01:00",
    ]
    assert [s.fold for s in starts] == [0, 0, 1, 1]
    assert report.lengths == (30 * MIN,) * 4
    assert [r.offered for _, r in report] == [1, 1, 1, 1]
    assert report.table()[1].startswith("2026-10-25 02:00 +0200")
    assert report.table()[3].startswith("2026-10-25 02:00 +0100")

    # Hourly: the day has 25 hours, and each pass of 02:00 is an hour of its own.
    hourly = summarize_intervals(events, interval=timedelta(hours=1), zone=BERLIN)
    assert [s.isoformat() for s, _ in hourly] == [
        "2026-10-25T02:00:00+02:00",
        "2026-10-25T02:00:00+01:00",
    ]
    assert [r.offered for _, r in hourly] == [2, 2]
    # Daily: one interval of 25 hours.
    daily = summarize_intervals(events, interval=timedelta(days=1), zone=BERLIN)
    assert [s.isoformat() for s, _ in daily] == ["2026-10-25T00:00:00+02:00"]
    assert daily.lengths == (timedelta(hours=25),)
    # Two hours: the 02:00 interval of the first pass ends where the second pass begins.
    two = summarize_intervals(events, interval=timedelta(hours=2), zone=BERLIN)
    assert [s.isoformat() for s, _ in two] == [
        "2026-10-25T02:00:00+02:00",
        "2026-10-25T02:00:00+01:00",
    ]
    assert two.lengths == (timedelta(hours=1), timedelta(hours=2))


def test_the_spring_forward_day_has_no_interval_for_the_skipped_hour() -> None:
    # 01:00 UTC: 02:00 CET becomes 03:00 CEST.
    instants = [SPRING - timedelta(minutes=10), SPRING, SPRING + timedelta(minutes=35)]
    events = [ticket_at(at, f"T{i}") for i, at in enumerate(instants)]
    report = summarize_intervals(events, zone=BERLIN)
    assert [s.isoformat() for s, _ in report] == [
        "2026-03-29T01:30:00+01:00",
        "2026-03-29T03:00:00+02:00",
        "2026-03-29T03:30:00+02:00",
    ]
    assert report.lengths == (30 * MIN,) * 3  # 01:30 CET to 03:00 CEST is half an hour
    hourly = summarize_intervals(events, interval=timedelta(hours=2), zone=BERLIN)
    assert [s.isoformat() for s, _ in hourly] == ["2026-03-29T00:00:00+01:00"]
    assert hourly.lengths == (timedelta(hours=3),)  # 00:00 CET to 04:00 CEST
    assert hourly[0][1].offered == 3
    daily = summarize_intervals(events, interval=timedelta(days=1), zone=BERLIN)
    assert daily.lengths == (timedelta(hours=23),)


def test_tickets_over_thousands_of_years_keep_only_their_intervals() -> None:
    years = [1000, 2026, 5000, 9000]
    events = [ticket_at(datetime(y, 6, 1, 12, 7, tzinfo=UTC), f"T{y}") for y in years]
    report = summarize_intervals(events, interval=MIN, zone="Europe/Berlin")
    assert len(report) == 4
    # Local mean time in the year 1000 (+00:53:28), summer time in the others.
    assert [s.strftime("%Y-%m-%d %H:%M:%S") for s, _ in report] == [
        "1000-06-01 13:00:00",
        "2026-06-01 14:07:00",
        "5000-06-01 14:07:00",
        "9000-06-01 14:07:00",
    ]
    assert report.lengths == (MIN,) * 4


# -- the result's forms -------------------------------------------------------------------------------


def test_an_interval_report_is_a_sequence_of_start_and_report_pairs() -> None:
    report = summarize_intervals(MORNING, zone=WIB)
    assert len(report) == 3
    assert report[0] == report.rows[0]
    assert report[1:] == report.rows[1:]
    start, row = report[-1]
    assert (start, row) in report
    assert list(report) == list(report.rows)
    assert pickle.loads(pickle.dumps(report)) == report
    with pytest.raises(AttributeError):
        report.left_out = 3  # type: ignore[misc]


def test_an_empty_stream_has_no_rows() -> None:
    report = summarize_intervals([])
    assert len(report) == 0
    assert report.total == summarize([])
    assert report.table() == [report.table()[0], report.table()[-1]]
    assert report.to_dict()["intervals"] == []
    presence = [AgentPresenceChanged(wib("09:00:00"), "ana", None, "available")]
    only = summarize_intervals(presence, zone=WIB)
    assert len(only) == 0
    assert only.left_out == 1
    assert only.total.start == wib("09:00:00")


def test_a_fixed_offset_zone_and_a_tzinfo_are_accepted() -> None:
    plus7 = timezone(timedelta(hours=7))
    report = summarize_intervals(MORNING, zone=plus7)
    assert [s.utcoffset() for s, _ in report] == [timedelta(hours=7)] * 3
    assert [s for s, _ in report] == [s for s, _ in summarize_intervals(MORNING, zone=WIB)]


# -- bad input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("interval", "shown"),
    [
        (timedelta(minutes=7), r"datetime\.timedelta\(seconds=420\)"),
        (timedelta(seconds=30), r"datetime\.timedelta\(seconds=30\)"),
        (timedelta(days=2), r"datetime\.timedelta\(days=2\)"),
        (timedelta(0), r"datetime\.timedelta\(0\)"),
    ],
)
def test_an_interval_that_does_not_divide_a_day_is_refused(interval: timedelta, shown: str) -> None:
    with pytest.raises(
        ConfigError,
        match=rf"^'interval' must be at least a minute and divide a day evenly .*, got {shown}$",
    ):
        summarize_intervals(MORNING, interval=interval)
    with pytest.raises(ConfigError, match=shown):
        IntervalSummarizer(interval=interval)


def test_bad_arguments_are_refused_naming_them() -> None:
    with pytest.raises(ConfigError, match=r"^'interval' must be a datetime\.timedelta, got 30$"):
        summarize_intervals(MORNING, interval=30)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"^'interval' must not be negative"):
        summarize_intervals(MORNING, interval=-MIN)
    with pytest.raises(
        ConfigError, match=r"^'zone' must be an IANA time zone name, got 'Mars/Olympus'$"
    ):
        summarize_intervals(MORNING, zone="Mars/Olympus")
    with pytest.raises(ConfigError, match=r"^'zone' must be an IANA time zone name, got ''$"):
        IntervalSummarizer(zone="")
    with pytest.raises(ConfigError, match=r"^'zone' must be an IANA time zone name or a tzinfo"):
        summarize_intervals(MORNING, zone=7)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"^'service_target' must not be negative"):
        summarize_intervals(MORNING, service_target=-SEC)
    with pytest.raises(
        ConfigError, match=r"^'events' must be an iterable of csflow events, got 'abc'$"
    ):
        summarize_intervals("abc")
    with pytest.raises(ConfigError, match=r"^'until' must be timezone-aware"):
        summarize_intervals(MORNING, until=datetime(2026, 3, 19, 10))
    with pytest.raises(ConfigError, match=r"^'until' must not be before the latest event"):
        summarize_intervals(MORNING, until=wib("09:00:00"))


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (None, r"expected a csflow event, got None"),
        ("T1", r"expected a csflow event, got 'T1'"),
        (
            TicketQueued(datetime(2026, 3, 19, 9), "T9", "q", Priority.NORMAL, None, "g", "c", ""),
            r"'at' must be timezone-aware",
        ),
        (
            AgentPresenceChanged(datetime(2026, 3, 19, 9), "ana", None, "away"),
            r"'at' must be timezone-aware",
        ),
    ],
)
def test_a_bad_event_is_refused_with_its_path_as_summarize_does(bad: object, message: str) -> None:
    events = [*MORNING[:3], bad]
    with pytest.raises(ConfigError, match=message) as got:
        summarize_intervals(events, zone=WIB)
    assert got.value.path == "events[3]"
    with pytest.raises(ConfigError) as want:
        summarize(events)
    assert (want.value.path, want.value.detail) == (got.value.path, got.value.detail)


def test_a_refused_event_changes_nothing() -> None:
    live = IntervalSummarizer(zone=WIB)
    live.extend(MORNING[:5])
    before = live.report()
    # Within hours of the end of the datetime range, Jakarta's date is in year 10000.
    late = ticket_at(datetime(9999, 12, 31, 20, tzinfo=UTC), "T9")
    with pytest.raises(
        ConfigError, match=r"^events\[5\]: no interval holds .*'Asia/Jakarta'"
    ) as got:
        live.add(late)
    assert got.value.path == "events[5]"
    with pytest.raises(ConfigError, match=r"events\[5\]: expected a csflow event"):
        live.add(object())
    assert live.events == 5
    assert live.report() == before
