"""csflow.metrics: hand-built event streams with known answers, edge cases and validation."""

from __future__ import annotations

import copy
import doctest
import json
import pickle
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import csflow.metrics
from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.errors import ConfigError
from csflow.events import (
    AgentPresenceChanged,
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
from csflow.metrics import Attainment, QueueLengthSeries, Report, Summarizer, summarize
from csflow.model import Priority
from csflow.sla import Metric, SlaBreached, SlaMet, SlaWarning

JKT = ZoneInfo("Asia/Jakarta")
T0 = datetime(2026, 3, 19, 9, 0, tzinfo=JKT)
SEC = timedelta(seconds=1)
FR = Metric.FIRST_RESPONSE
RES = Metric.RESOLUTION


def s(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def queued(tid: str, at: float, tier: str = "gold", channel: str = "chat") -> TicketQueued:
    return TicketQueued(s(at), tid, "main", Priority.NORMAL, "standard", tier, channel, "test")


def assigned(tid: str, at: float, agent: str = "ana") -> TicketAssigned:
    return TicketAssigned(s(at), tid, agent, 0.0, 1, "test")


def bad(value: object) -> Any:
    """Pass a deliberately ill-typed argument past the type checker."""
    return value


# A morning on a small desk (seconds after 09:00 WIB):
#   A gold chat, queued at 0, answered at 10 (within 20 s), resolved at 300;
#   B silver email, queued at 5, answered at 45 (40 s), first response breached at 305 and met
#     late at 400, then transferred to the finance team at 400 and taken by budi at 460;
#   C gold chat, queued at 60, abandoned at 90;
#   D silver chat, queued at 120, still waiting at the end (600).
MORNING: list[object] = [
    queued("A", 0),
    queued("B", 5, "silver", "email"),
    assigned("A", 10),
    assigned("B", 45, "citra"),
    queued("C", 60),
    TicketAbandoned(s(90), "C", 30.0),
    queued("D", 120, "silver", "chat"),
    SlaMet(at=s(130), ticket_id="A", metric=FR, elapsed=130 * SEC, target=60 * SEC, breached=False),
    TicketResolved(s(300), "A", "ana"),
    SlaMet(
        at=s(300), ticket_id="A", metric=RES, elapsed=300 * SEC, target=3600 * SEC, breached=False
    ),
    SlaBreached(at=s(305), ticket_id="B", metric=FR, due_at=s(305), target=300 * SEC),
    SlaMet(at=s(400), ticket_id="B", metric=FR, elapsed=395 * SEC, target=300 * SEC, breached=True),
    TicketTransferred(s(400), "B", "citra", "finance", 1),
    assigned("B", 460, "budi"),
    SlaWarning(at=s(600), ticket_id="D", metric=FR, threshold=0.75, due_at=s(720)),
]


def test_a_morning_gives_the_known_figures() -> None:
    report = summarize(MORNING, available=timedelta(hours=1))
    assert (report.offered, report.answered, report.abandoned, report.waiting) == (4, 2, 1, 1)
    assert report.answered_within_target == 1
    assert report.service_target == 20 * SEC
    assert report.service_level == pytest.approx(1 / 3)  # A in time; B late; C abandoned
    assert report.average_speed_of_answer == 25 * SEC  # (10 + 40) / 2
    assert report.total_wait == 50 * SEC
    assert report.abandonment_rate == 0.25
    assert (report.transfers, report.transfers_per_ticket) == (1, 0.25)
    assert (report.escalations, report.escalations_per_ticket) == (0, 0.0)
    assert (report.resolved, report.reopened) == (1, 0)
    # Busy: A 10-300, B 45-400 with citra and 460-600 (still open) with budi.
    assert report.handle_time == (290 + 355 + 140) * SEC
    assert (report.handlings_resolved, report.average_handle_time) == (1, 290 * SEC)
    assert report.occupancy == pytest.approx(785 / 3600)
    assert report.sla == Attainment(met=2, breached=1)
    assert dict(report.sla_by_metric) == {
        "first_response": Attainment(1, 1),
        "resolution": Attainment(1, 0),
    }
    assert dict(report.sla_by_tier) == {"gold": Attainment(2, 0), "silver": Attainment(0, 1)}
    assert dict(report.sla_by_channel) == {"chat": Attainment(2, 0), "email": Attainment(0, 1)}
    assert report.queue_length == (
        (s(0), 1),
        (s(5), 2),
        (s(10), 1),
        (s(45), 0),
        (s(60), 1),
        (s(90), 0),
        (s(120), 1),
        (s(400), 2),  # B back in the finance queue
        (s(460), 1),
    )
    assert report.max_queue_length == 2
    assert (report.start, report.end) == (s(0), s(600))


def test_a_different_target_changes_only_the_service_level() -> None:
    loose = summarize(MORNING, service_target=timedelta(minutes=1))
    tight = summarize(MORNING, service_target=timedelta(0))
    assert loose.answered_within_target == 2
    assert loose.service_level == pytest.approx(2 / 3)
    assert (tight.answered_within_target, tight.service_level) == (0, 0.0)
    assert attrs.evolve(loose, service_target=20 * SEC, answered_within_target=1) == summarize(
        MORNING
    )


def test_attainment_rates() -> None:
    assert Attainment().rate is None
    assert Attainment().total == 0
    assert Attainment(3, 1).rate == 0.75
    assert Attainment(3, 1).total == 4


def test_an_empty_stream_has_no_rates() -> None:
    report = summarize([])
    assert report == Report()
    assert report.offered == report.answered == report.abandoned == report.waiting == 0
    for rate in (
        report.service_level,
        report.average_speed_of_answer,
        report.abandonment_rate,
        report.transfers_per_ticket,
        report.escalations_per_ticket,
        report.average_handle_time,
        report.occupancy,
        report.sla.rate,
        report.start,
        report.end,
    ):
        assert rate is None
    assert report.queue_length == ()
    assert all(line.endswith("n/a") for line in report.table() if "rate" in line)


def test_a_ticket_taken_at_once_leaves_no_trace_in_the_queue_series() -> None:
    report = summarize([queued("A", 0), assigned("A", 0), queued("B", 3), assigned("B", 3)])
    assert report.queue_length == ()
    assert report.max_queue_length == 1  # for an instant each ticket was in line
    assert (report.answered_within_target, report.average_speed_of_answer) == (2, 0 * SEC)
    assert report.service_level == 1.0


def test_same_instant_steps_collapse_to_the_last_length() -> None:
    report = summarize([queued("A", 0), queued("B", 7), assigned("A", 7), queued("C", 7)])
    assert report.queue_length == ((s(0), 1), (s(7), 2))


def test_a_requeued_ticket_is_answered_once_and_waits_from_its_first_queueing() -> None:
    events = [
        queued("A", 0),
        assigned("A", 5, "ana"),
        TicketRequeued(s(50), "A", "ana", "agent 'ana' left the desk"),
        assigned("A", 80, "budi"),
        TicketResolved(s(100), "A", "budi"),
    ]
    report = summarize(events)
    assert (report.offered, report.answered, report.answered_within_target) == (1, 1, 1)
    assert report.average_speed_of_answer == 5 * SEC
    assert report.queue_length == ((s(0), 1), (s(5), 0), (s(50), 1), (s(80), 0))
    assert report.handle_time == (45 + 20) * SEC
    assert report.average_handle_time == 20 * SEC  # the span that ended in the resolution


def test_an_abandonment_after_an_answer_is_not_an_abandoned_ticket() -> None:
    events = [
        queued("A", 0),
        assigned("A", 30),
        TicketRequeued(s(40), "A", "ana", "agent left"),
        TicketAbandoned(s(70), "A", 70.0),
        queued("B", 0),
        TicketAbandoned(s(10), "B", 10.0),
        TicketAbandoned(s(11), "B", 11.0),
    ]
    report = summarize(events)
    assert (report.offered, report.answered, report.abandoned) == (2, 1, 1)
    assert report.waiting == 0
    assert report.service_level == 0.0  # A answered late, B abandoned
    assert report.handle_time == 10 * SEC


def test_parked_tickets_leave_the_line_and_the_agent() -> None:
    events = [
        queued("A", 0),
        assigned("A", 10),
        TicketStatusChanged(s(70), "A", "assigned", "pending"),
        TicketStatusChanged(s(200), "A", "pending", "open"),
        assigned("A", 230),
        TicketResolved(s(260), "A", "ana"),
    ]
    report = summarize(events)
    assert report.handle_time == (60 + 30) * SEC
    assert report.queue_length == ((s(0), 1), (s(10), 0), (s(200), 1), (s(230), 0))
    assert report.answered == 1


def test_a_reopened_ticket_is_offered_once_and_escalations_count() -> None:
    events = [
        queued("A", 0),
        assigned("A", 2),
        TicketResolved(s(60), "A", "ana"),
        TicketReopened(s(600), "A", "ana"),
        queued("A", 600),
        TicketEscalated(s(610), "A", "front", "technical", 1, "needs a specialist"),
        assigned("A", 700, "tono"),
        TicketResolved(s(760), "A", "tono"),
        TicketClosed(s(800), "A"),
    ]
    report = summarize(events)
    assert (report.offered, report.answered, report.resolved, report.reopened) == (1, 1, 2, 1)
    assert (report.escalations, report.escalations_per_ticket) == (1, 1.0)
    assert report.average_speed_of_answer == 2 * SEC
    assert report.handle_time == (58 + 60) * SEC
    assert report.average_handle_time == 59 * SEC
    assert report.queue_length[-2:] == ((s(600), 1), (s(700), 0))


def test_a_closed_ticket_is_forgotten_but_still_counted() -> None:
    events = [queued("A", 0), assigned("A", 1), TicketClosed(s(5), "A"), TicketClosed(s(6), "A")]
    report = summarize(events)
    assert (report.offered, report.answered, report.handle_time) == (1, 1, 4 * SEC)


def test_events_of_tickets_queued_before_the_window_count_only_for_busy_time_and_sla() -> None:
    events = [
        assigned("OLD", 0),
        SlaMet(
            at=s(0), ticket_id="OLD", metric=FR, elapsed=100 * SEC, target=60 * SEC, breached=True
        ),
        TicketAbandoned(s(1), "GONE", 99.0),
        TicketResolved(s(40), "OLD", "ana"),
    ]
    report = summarize(events)
    assert (report.offered, report.answered, report.abandoned) == (0, 0, 0)
    assert report.service_level is None
    assert report.handle_time == 40 * SEC
    assert report.sla == Attainment(0, 1)
    assert dict(report.sla_by_metric) == {"first_response": Attainment(0, 1)}
    assert dict(report.sla_by_tier) == {}  # the tier was in the TicketQueued we did not see
    assert report.queue_length == ()


def test_each_sla_cycle_counts_once() -> None:
    events = [
        queued("A", 0),
        SlaBreached(at=s(60), ticket_id="A", metric=FR, due_at=s(60), target=60 * SEC),
        SlaBreached(
            at=s(61), ticket_id="A", metric=FR, due_at=s(60), target=60 * SEC
        ),  # a recalculation re-announces it
        SlaMet(
            at=s(90), ticket_id="A", metric=FR, elapsed=90 * SEC, target=60 * SEC, breached=True
        ),
        # the next cycle of the same metric on the same ticket starts clean
        SlaMet(
            at=s(200), ticket_id="A", metric=FR, elapsed=10 * SEC, target=60 * SEC, breached=False
        ),
        SlaBreached(
            at=s(500), ticket_id="A", metric=RES, due_at=s(500), target=500 * SEC
        ),  # still running at the end
        SlaMet(
            at=s(300),
            ticket_id="A",
            metric=Metric.NEXT_RESPONSE,
            elapsed=300 * SEC,
            target=60 * SEC,
            breached=True,
        ),  # no breach seen
    ]
    report = summarize(events)
    assert dict(report.sla_by_metric) == {
        "first_response": Attainment(1, 1),
        "next_response": Attainment(0, 1),
        "resolution": Attainment(0, 1),
    }
    assert report.sla == Attainment(1, 3)
    assert list(report.sla_by_metric) == sorted(report.sla_by_metric)


def test_ignored_events_only_move_the_window() -> None:
    events = [
        AgentPresenceChanged(s(-60), "ana", None, "available"),
        queued("A", 0),
        TicketOverflowed(s(30), "A", "overflow", 30.0),
        SlaWarning(at=s(30), ticket_id="A", metric=FR, threshold=0.5, due_at=s(60)),
        assigned("A", 40),
    ]
    report = summarize(events)
    assert (report.start, report.end) == (s(-60), s(40))
    assert report.answered == 1
    assert report.queue_length == ((s(0), 1), (s(40), 0))


def test_subclassed_events_count_like_their_base() -> None:
    @attrs.frozen
    class VipQueued(TicketQueued):
        note: str = ""

    report = summarize([VipQueued(s(0), "A", "vip", Priority.HIGH, None, "gold", "phone", "")])
    assert report.offered == 1
    assert report.queue_length == ((s(0), 1),)


def test_the_stream_is_read_once_in_a_single_pass() -> None:
    consumed: list[int] = []

    def stream() -> Iterator[object]:
        for i, ev in enumerate(MORNING):
            consumed.append(i)
            yield ev

    assert summarize(stream()) == summarize(MORNING)
    assert consumed == list(range(len(MORNING)))


def test_times_in_other_zones_are_the_same_instants() -> None:
    utc = [attrs.evolve(bad(ev), at=bad(ev).at.astimezone(ZoneInfo("UTC"))) for ev in MORNING]
    mine, theirs = summarize(MORNING).to_dict(), summarize(utc).to_dict()
    for key in ("queue_length", "start", "end"):
        del mine[key], theirs[key]
    assert mine == theirs


def test_to_dict_is_json_compatible() -> None:
    report = summarize(MORNING, available=timedelta(hours=1))
    data = report.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["offered"] == 4
    assert data["service_level"] == pytest.approx(1 / 3)
    assert data["average_speed_of_answer_seconds"] == 25.0
    assert data["service_target_seconds"] == 20.0
    assert data["occupancy"] == pytest.approx(785 / 3600)
    assert data["sla_by_tier"]["silver"] == {"met": 0, "breached": 1, "rate": 0.0}
    # Every instant in UTC, whatever zone the events came in.
    assert data["queue_length"][0] == ["2026-03-19T02:00:00+00:00", 1]
    assert data["start"] == "2026-03-19T02:00:00+00:00"
    assert summarize([]).to_dict()["average_speed_of_answer_seconds"] is None


def test_table_lines() -> None:
    lines = summarize(MORNING, available=timedelta(hours=1)).table()
    assert all(isinstance(line, str) and "\n" not in line for line in lines)
    text = "\n".join(lines)
    for expected in (
        "offered                         4",
        "service level (20 s)            33.3%",
        "average speed of answer         25 s",
        "abandonment rate                25.0%",
        "transfers per ticket            0.25",
        "average handle time             4.8 min",
        "occupancy                       21.8%",
        "SLA attainment                  66.7% (2 met, 1 breached)",
        "  metric first_response         50.0% (1 met, 1 breached)",
        "  tier silver                   0.0% (0 met, 1 breached)",
        "  channel chat                  100.0% (2 met, 0 breached)",
    ):
        assert expected in text


def test_reports_pickle_and_copy() -> None:
    report = summarize(MORNING, available=timedelta(hours=1))
    for clone in (pickle.loads(pickle.dumps(report)), copy.deepcopy(report), copy.copy(report)):
        assert clone == report
        assert clone.to_dict() == report.to_dict()
        assert clone.sla_by_tier["gold"] == Attainment(2, 0)
        with pytest.raises(TypeError):
            clone.sla_by_tier["gold"] = Attainment()  # type: ignore[index]


def test_reports_are_frozen() -> None:
    report = summarize(MORNING)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        report.offered = 0  # type: ignore[misc]
    with pytest.raises(TypeError):
        report.sla_by_tier["gold"] = Attainment()  # type: ignore[index]


@pytest.mark.parametrize(
    ("call", "pattern", "path"),
    [
        (
            lambda: summarize([queued("A", 0), bad("oops")]),
            r"expected a csflow event, got 'oops'",
            "events[1]",
        ),
        (lambda: summarize([bad(None)]), r"expected a csflow event, got None", "events[0]"),
        (
            lambda: summarize([bad(TicketClosed(datetime(2026, 3, 19, 9), "A"))]),
            r"'at' must be timezone-aware, got datetime\.datetime\(2026, 3, 19, 9, 0\)",
            "events[0]",
        ),
        (
            lambda: summarize([bad(TicketClosed(bad("09:00"), "A"))]),
            r"'at' must be a timezone-aware datetime, got '09:00'",
            "events[0]",
        ),
        (lambda: summarize(bad(5)), r"'events' must be an iterable of csflow events, got 5", ""),
        (lambda: summarize(bad("abc")), r"'events' must be an iterable", ""),
        (
            lambda: summarize([], service_target=bad(20)),
            r"'service_target' must be a datetime\.timedelta, got 20",
            "",
        ),
        (
            lambda: summarize([], service_target=-SEC),
            r"'service_target' must not be negative, got datetime\.timedelta\(days=-1, seconds=86399\)",
            "",
        ),
        (
            lambda: summarize([], available=bad(3600.0)),
            r"'available' must be a datetime\.timedelta, got 3600\.0",
            "",
        ),
    ],
)
def test_bad_input_raises_config_error_naming_the_value(
    call: object, pattern: str, path: str
) -> None:
    assert callable(call)
    with pytest.raises(ConfigError, match=pattern) as info:
        call()
    assert info.value.path == path


def test_until_cuts_the_open_handling_spans_later() -> None:
    report = summarize(MORNING, until=s(900))
    assert report.handle_time == (290 + 355 + 440) * SEC
    assert (report.start, report.end) == (s(0), s(900))
    assert summarize(MORNING, until=s(600)) == summarize(MORNING)
    empty = summarize([], until=s(900))
    assert (empty.start, empty.end, empty.handle_time) == (s(900), s(900), 0 * SEC)
    with pytest.raises(ConfigError, match=r"'until' must not be before the latest event"):
        summarize(MORNING, until=s(599))
    with pytest.raises(ConfigError, match=r"'until' must be timezone-aware"):
        summarize(MORNING, until=datetime(2026, 3, 19, 10))


def test_zero_available_time_gives_no_occupancy() -> None:
    assert summarize(MORNING, available=timedelta(0)).occupancy is None


def test_the_docstring_examples_run() -> None:
    result = doctest.testmod(csflow.metrics, raise_on_error=False)
    assert result.attempted > 0
    assert result.failed == 0


@given(
    st.lists(
        st.tuples(
            st.integers(0, 10**12).map(
                lambda us: datetime(2026, 1, 1, tzinfo=JKT) + timedelta(microseconds=us)
            ),
            st.integers(0, 10**6),
        ),
        max_size=30,
    ).map(lambda steps: sorted(steps, key=lambda s: s[0]))
)
def test_a_queue_length_series_reads_as_its_pairs(steps: list[tuple[datetime, int]]) -> None:
    series = QueueLengthSeries(steps)
    pairs = tuple(steps)
    assert series == pairs
    assert pairs == series  # the tuple's own comparison defers to the series
    assert series == list(pairs)
    assert len(series) == len(pairs)
    assert tuple(series) == pairs
    assert hash(series) == hash(pairs)
    assert series[-2:] == pairs[-2:]
    for i in range(len(pairs)):
        at, n = series[i]
        assert (at, n) == pairs[i]
        assert at.utcoffset() == timedelta(0)  # read back in UTC
    assert pickle.loads(pickle.dumps(series)) == series
    if pairs:
        assert series != pairs[:-1]
        assert series != (*pairs[:-1], (pairs[-1][0], pairs[-1][1] + 1))


@pytest.mark.parametrize(
    ("steps", "message", "path"),
    [
        ([(T0, 1, 2)], r"expected an \(at, length\) pair, got \(", "[0]"),
        ([(T0, 1), (T0.replace(tzinfo=None), 2)], "'at' must be timezone-aware", "[1]"),
        ([(T0, -1)], "a length must be a non-negative int, got -1", "[0]"),
        ([(T0, True)], "a length must be a non-negative int, got True", "[0]"),
        ([(T0, 1), (T0 - timedelta(seconds=1), 0)], "steps must be in time order", "[1]"),
    ],
)
def test_a_queue_length_series_refuses_bad_steps(steps: Any, message: str, path: str) -> None:
    with pytest.raises(ConfigError, match=message) as err:
        QueueLengthSeries(steps)
    assert err.value.path == path


def test_a_report_keeps_its_series_when_the_summary_goes_on() -> None:
    live = Summarizer()
    live.add(queued("T1", 0))
    first = live.report()
    live.add(queued("T2", 5))
    assert first.queue_length == ((T0, 1),)
    assert live.report().queue_length == ((T0, 1), (T0 + timedelta(seconds=5), 2))
    assert Report(queue_length=((T0, 1),)) == attrs.evolve(
        Report(), queue_length=first.queue_length
    )
    assert pickle.loads(pickle.dumps(first)) == first


def test_a_breach_before_the_ticket_is_queued_counts_for_its_tier_and_channel() -> None:
    """A WhatsApp ticket created at 09:00 reaches the desk at 09:02 (a late webhook): its
    one-minute first-response target breached at 09:01, before its ``TicketQueued``.  The
    breach counts overall, for the metric, and for the gold tier and the WhatsApp channel the
    queued event names -- the per-tier and per-channel rows add up to the total (they missed
    it)."""
    jakarta = ZoneInfo("Asia/Jakarta")
    t0 = datetime(2026, 3, 16, 9, 0, tzinfo=jakarta)
    config = DeskConfig.from_dict(
        {
            "calendars": {"24x7": {"timezone": "Asia/Jakarta", "always_open": True}},
            "sla_policies": [
                {"name": "chat", "calendar": "24x7", "targets": {"first_response": "PT1M"}}
            ],
            "default_sla_policy": "chat",
        }
    )
    desk = Desk(config)
    events = desk.add_agent(AgentProfile("a", capacity={"whatsapp": 2}), at=t0)
    late = t0 + timedelta(minutes=2)
    events += desk.submit(Ticket("T2", Customer("c1", Tier("gold", 3)), "whatsapp", t0), at=late)
    names = [type(e).__name__ for e in events]
    assert names.index("SlaBreached") < names.index("TicketQueued")
    report = summarize(events)
    assert (report.sla.met, report.sla.breached) == (0, 1)
    assert (report.sla_by_tier["gold"].met, report.sla_by_tier["gold"].breached) == (0, 1)
    assert report.sla_by_channel["whatsapp"].breached == 1


@pytest.mark.parametrize(
    ("kind", "values", "message"),
    [
        (QueueLengthSeries, {"steps": 5}, "expected a sequence of (at, length) pairs, got 5"),
        (Report, {"queue_length": 5}, "expected a sequence of (at, length) pairs, got 5"),
        (Report, {"sla_by_tier": 5}, "expected a mapping of names to Attainment, got 5"),
        (
            Report,
            {"sla_by_tier": {"a": 1}},
            "expected a mapping of names to Attainment, got 'a': 1",
        ),
        (Report, {"offered": "x"}, "'offered' must be an int >= 0, got 'x'"),
        (Report, {"abandoned": -1}, "'abandoned' must be an int >= 0, got -1"),
        (Report, {"resolved": True}, "'resolved' must be an int >= 0, got True"),
        (Report, {"total_wait": 5}, "'total_wait' must be a datetime.timedelta, got 5"),
        (Report, {"available": -timedelta(seconds=1)}, "'available' must not be negative"),
        (Report, {"sla": (1, 0)}, "'sla' must be an Attainment, got (1, 0)"),
        (Report, {"start": datetime(2026, 3, 16)}, "'start' must be timezone-aware"),
        (Attainment, {"met": -1}, "'met' must be an int >= 0, got -1"),
        (Attainment, {"breached": 1.5}, "'breached' must be an int >= 0, got 1.5"),
    ],
)
def test_reports_built_by_hand_refuse_bad_values(
    kind: Any, values: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as info:
        kind(**values)
    assert message in str(info.value)


def test_a_report_built_by_hand_with_good_values_reads_as_summarize_would() -> None:
    report = Report(offered=4, answered=3, abandoned=1, sla_by_tier={"gold": Attainment(2, 1)})
    assert report.abandonment_rate == 0.25
    assert report.to_dict()["sla_by_tier"]["gold"]["met"] == 2
    assert pickle.loads(pickle.dumps(report)) == report
