"""csflow.metrics: a running interval report redrawn all day rebuilds only the intervals
that changed, and reads as a fresh summary of the same events every time."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import csflow.metrics as metrics
from csflow.events import (
    TicketAssigned,
    TicketQueued,
    TicketResolved,
)
from csflow.metrics import IntervalReport, IntervalSummarizer, Report, summarize_intervals
from csflow.model import Priority
from csflow.sla import Metric, SlaBreached
from test_metrics_intervals import (
    BERLIN,
    FALL,
    INTERVALS,
    MIN,
    SEC,
    SPRING,
    TARGET,
    WIB,
    ZONES,
    mixed_streams,
)


def queued(at: datetime, tid: str) -> TicketQueued:
    return TicketQueued(at, tid, "chat", Priority.NORMAL, None, "gold", "chat", "")


def assigned(at: datetime, tid: str) -> TicketAssigned:
    return TicketAssigned(at, tid, "ana", 0.0, 1, "")


# -- the law: after every event, the report is a fresh summary of the events so far --------------

# After each event: report with no end, with a fresh end some seconds after the latest event
# (in UTC or in Berlin, whose fall-back hour repeats wall times), or with the last end again
# (the same datetime, or an equal one built anew) while no event has come after it.
ENDS = st.sampled_from(["none", "utc", "berlin", "again", "again-copy", "skip"])


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from([FALL, SPRING]).flatmap(mixed_streams),
    ZONES,
    INTERVALS,
    st.lists(ENDS, min_size=25, max_size=25),
    st.integers(0, 3600),
)
def test_law_a_report_after_every_event_is_a_fresh_summary_of_those_events(
    events: list[Any], zone: tzinfo, minutes: int, ends: list[str], later: int
) -> None:
    live = IntervalSummarizer(interval=minutes * MIN, zone=zone, service_target=TARGET)
    latest: datetime | None = None
    until: datetime | None = None
    for i, event in enumerate(events):
        live.add(event)
        latest = event.at if latest is None else max(latest, event.at)
        how = ends[i]
        if how == "skip":
            continue
        if how in ("again", "again-copy") and until is not None and until >= latest:
            if how == "again-copy":  # equal, not the same object
                until = until.replace(microsecond=until.microsecond)
        elif how == "utc":
            until = (latest + later * SEC).astimezone(UTC)
        elif how == "berlin":
            until = (latest + later * SEC).astimezone(BERLIN)
        else:
            until = None
        got = live.report(until=until)
        want = summarize_intervals(
            events[: i + 1], interval=minutes * MIN, zone=zone, service_target=TARGET, until=until
        )
        assert got == want
        assert got.lengths == want.lengths
        assert got.left_out == want.left_out
        # Every row ends where the total does, as an instant too (a wall time of a fall-back
        # day's repeated hour compares equal to the other one in its own zone).
        row_ends = {None if row.end is None else row.end.astimezone(UTC) for _, row in got}
        assert row_ends <= {None if want.total.end is None else want.total.end.astimezone(UTC)}
        assert live.report(until=until) == got  # reporting changes nothing


# -- the work: only what changed is summarized again ---------------------------------------------

DAY = datetime(2026, 3, 19, tzinfo=WIB)


def a_day_of_half_hours(live: IntervalSummarizer) -> list[str]:
    """48 half hours of Jakarta's day, each with a ticket queued and taken (still open)."""
    ids = []
    for k in range(48):
        tid = f"T{k}"
        at = DAY + k * 30 * MIN
        live.add(queued(at, tid))
        live.add(assigned(at + 10 * SEC, tid))
        ids.append(tid)
    return ids


def counting_row_reports(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the calls of ``Summarizer.report`` (one per interval summarized, one for the
    total)."""
    calls = [0]
    real = metrics.Summarizer.report

    def counted(self: metrics.Summarizer, **kwargs: Any) -> Report:
        calls[0] += 1
        return real(self, **kwargs)

    monkeypatch.setattr(metrics.Summarizer, "report", counted)
    return calls


@pytest.mark.parametrize("fixed_end", [False, True])
def test_a_hundred_redraws_summarize_the_changed_intervals_only(
    monkeypatch: pytest.MonkeyPatch, fixed_end: bool
) -> None:
    live = IntervalSummarizer(zone=WIB, service_target=TARGET)
    ids = a_day_of_half_hours(live)
    end_of_day = DAY + timedelta(days=1, hours=1)
    until = end_of_day if fixed_end else None
    live.report(until=until)
    calls = counting_row_reports(monkeypatch)
    for k in range(100):
        # One interval changes between two redraws: a ticket of the day is resolved (once
        # or again), or the last interval offers one more ticket.
        at = DAY + timedelta(hours=24, seconds=k)
        if k % 2:
            live.add(TicketResolved(at, ids[k // 2 % 48], "ana"))
        else:
            live.add(queued(DAY + timedelta(hours=23, minutes=40, seconds=k), f"N{k}"))
        live.report(until=until)
    # One total and one interval per redraw (not the 48 intervals each time).
    assert calls[0] == 100 * 2


def test_the_report_after_many_redraws_is_the_fresh_summary(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stream: list[Any] = []
    live = IntervalSummarizer(zone=WIB, service_target=TARGET)

    class Recorder:
        def add(self, event: Any) -> None:
            stream.append(event)
            live.add(event)

    recorder = Recorder()
    for k in range(48):
        at = DAY + k * 30 * MIN
        recorder.add(queued(at, f"T{k}"))
        recorder.add(assigned(at + 10 * SEC, f"T{k}"))
        live.report()
    for k in range(0, 48, 3):
        at = DAY + timedelta(hours=24, seconds=k)
        recorder.add(TicketResolved(at, f"T{k}", "ana"))
        first = live.report()
        assert live.report() is not first
        assert first == summarize_intervals(stream, zone=WIB, service_target=TARGET)
    until = DAY + timedelta(days=2)
    assert live.report(until=until) == summarize_intervals(
        stream, zone=WIB, service_target=TARGET, until=until
    )


def test_an_interval_without_news_shows_the_report_it_showed_before() -> None:
    live = IntervalSummarizer(zone=WIB, service_target=TARGET)
    a_day_of_half_hours(live)
    end = DAY + timedelta(days=1, hours=1)
    before = live.report(until=end)
    live.add(TicketResolved(DAY + timedelta(hours=24), "T3", "ana"))
    after = live.report(until=end)
    changed = [i for i, (b, a) in enumerate(zip(before, after, strict=True)) if b[1] is not a[1]]
    assert changed == [3]  # the others are the very objects shown before
    assert after.rows[3][1].resolved == 1
    assert before.rows[3][1].resolved == 0
    assert live.report(until=end).rows is after.rows  # nothing new: the same rows


def test_a_ticket_submitted_late_is_shown_without_copying_its_interval(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    live = IntervalSummarizer(zone=WIB, service_target=TARGET)
    ids = a_day_of_half_hours(live)
    # T99's first-response clock breached before it was submitted: it waits in 00:00.
    live.add(SlaBreached(DAY + 5 * MIN, "T99", Metric.FIRST_RESPONSE, DAY, TARGET))
    assert live.report().rows[0][1].sla.breached == 1
    calls = counting_row_reports(monkeypatch)
    for k in range(100):
        live.add(TicketResolved(DAY + timedelta(hours=24, seconds=k), ids[k % 48], "ana"))
        live.report()
    assert calls[0] == 100 * 2


# -- worked examples -----------------------------------------------------------------------------


def wib(clock: str) -> datetime:
    h, m, s = (int(x) for x in clock.split(":"))
    return datetime(2026, 3, 19, h, m, s, tzinfo=WIB)


def test_an_open_handling_in_an_earlier_interval_runs_to_each_new_end() -> None:
    live = IntervalSummarizer(zone=WIB, service_target=TARGET)
    live.extend([queued(wib("09:10:00"), "T1"), assigned(wib("09:10:15"), "T1")])
    live.add(queued(wib("09:40:00"), "T2"))
    first = live.report(until=wib("10:00:00"))
    assert [(s.strftime("%H:%M"), r.handle_time, r.end) for s, r in first] == [
        ("09:00", timedelta(minutes=49, seconds=45), wib("10:00:00")),
        ("09:30", timedelta(0), wib("10:00:00")),
    ]
    # Nothing new in 09:00: its row is the same but for the end, and its busy time runs on.
    second = live.report(until=wib("10:30:00"))
    assert [(r.handle_time, r.end) for _, r in second] == [
        (timedelta(hours=1, minutes=19, seconds=45), wib("10:30:00")),
        (timedelta(0), wib("10:30:00")),
    ]
    assert second.rows[0][1].offered == 1
    assert second.rows[0][1].answered == 1
    # No end given: the latest event's instant.
    live.add(TicketResolved(wib("09:50:00"), "T1", "ana"))
    third = live.report()
    assert [(r.handle_time, r.resolved, r.end) for _, r in third] == [
        (timedelta(minutes=39, seconds=45), 1, wib("09:50:00")),
        (timedelta(0), 0, wib("09:50:00")),
    ]


def test_sla_results_before_a_late_submission_count_where_they_came_then_move() -> None:
    live = IntervalSummarizer(zone=WIB, service_target=TARGET)
    live.add(queued(wib("09:10:00"), "T1"))
    # T9's first-response clock ran from its creation and breached at 09:05, before it was
    # submitted: until its next event says where its life belongs, it counts in 09:00.
    live.add(SlaBreached(wib("09:05:00"), "T9", Metric.FIRST_RESPONSE, wib("08:00:00"), TARGET))
    live.add(queued(wib("09:20:00"), "T3"))
    waiting = live.report()
    ((start, row),) = waiting.rows
    assert start == wib("09:00:00")
    assert (row.offered, row.sla.breached, row.start) == (2, 1, wib("09:05:00"))
    assert row.sla_by_metric == {"first_response": metrics.Attainment(0, 1)}
    assert row.sla_by_tier == {}  # T9 said no tier yet
    # T9 is queued at 09:40: its life, breach and all, belongs to 09:30 now.
    live.add(queued(wib("09:40:00"), "T9"))
    moved = live.report()
    assert [(s.strftime("%H:%M"), r.offered, r.sla.breached, r.start) for s, r in moved] == [
        ("09:00", 2, 0, wib("09:10:00")),
        ("09:30", 1, 1, wib("09:05:00")),
    ]
    assert moved.rows[1][1].sla_by_tier == {"gold": metrics.Attainment(0, 1)}


def test_an_interval_report_built_by_a_summarizer_is_one_built_by_hand() -> None:
    live = IntervalSummarizer(zone=WIB, service_target=TARGET)
    live.extend([queued(wib("09:10:00"), "T1"), assigned(wib("09:10:15"), "T1")])
    got = live.report(until=wib("10:00:00"))
    again = IntervalReport(
        interval=got.interval,
        zone=got.zone,
        rows=got.rows,
        lengths=got.lengths,
        total=got.total,
        left_out=got.left_out,
    )
    assert again == got
    row = got.rows[0][1]
    # A row re-ended with a later end is a Report like any other: it compares, pickles and
    # reads as one built from its fields.
    later = live.report(until=wib("11:00:00")).rows[0][1]
    rebuilt = Report(**{f.name: getattr(later, f.name) for f in attrs.fields(Report)})
    assert later == rebuilt
    assert pickle.loads(pickle.dumps(later)) == later
    assert later.to_dict() == rebuilt.to_dict()
    assert later.handle_time - row.handle_time == timedelta(hours=1)


def test_a_second_sla_result_before_a_late_submission_counts_at_once() -> None:
    live = IntervalSummarizer(zone=WIB, service_target=TARGET)
    live.add(queued(wib("09:10:00"), "T1"))
    live.add(SlaBreached(wib("09:05:00"), "T9", Metric.FIRST_RESPONSE, wib("08:00:00"), TARGET))
    until = wib("12:00:00")
    assert live.report(until=until).rows[0][1].sla == metrics.Attainment(0, 1)
    # Its resolution clock breached too, still before it was submitted: two breaches now.
    live.add(SlaBreached(wib("09:06:00"), "T9", Metric.RESOLUTION, wib("08:00:00"), TARGET))
    row = live.report(until=until).rows[0][1]
    assert row.sla == metrics.Attainment(0, 2)
    assert row.sla_by_metric == {
        "first_response": metrics.Attainment(0, 1),
        "resolution": metrics.Attainment(0, 1),
    }
    assert live.report() == summarize_intervals(
        [
            queued(wib("09:10:00"), "T1"),
            SlaBreached(wib("09:05:00"), "T9", Metric.FIRST_RESPONSE, wib("08:00:00"), TARGET),
            SlaBreached(wib("09:06:00"), "T9", Metric.RESOLUTION, wib("08:00:00"), TARGET),
        ],
        zone=WIB,
        service_target=TARGET,
    )


def test_an_interval_of_sla_results_alone_goes_when_its_ticket_is_queued_elsewhere() -> None:
    live = IntervalSummarizer(zone=WIB, service_target=TARGET)
    live.add(queued(wib("09:10:00"), "T1"))
    live.add(SlaBreached(wib("08:05:00"), "T9", Metric.FIRST_RESPONSE, wib("08:00:00"), TARGET))
    until = wib("12:00:00")
    shown = live.report(until=until)
    assert [(s.strftime("%H:%M"), r.offered, r.sla.breached) for s, r in shown] == [
        ("08:00", 0, 1),
        ("09:00", 1, 0),
    ]
    # T9 is queued at 09:20: its life joins the 09:00 interval, and 08:00 holds nothing.
    live.add(queued(wib("09:20:00"), "T9"))
    moved = live.report(until=until)
    assert [(s.strftime("%H:%M"), r.offered, r.sla.breached) for s, r in moved] == [
        ("09:00", 2, 1),
    ]
    assert moved.lengths == (30 * MIN,)


def test_the_repeated_hour_of_a_fall_back_day_is_two_ends_an_hour_apart() -> None:
    # 2026-10-25 in Berlin: 02:00-03:00 comes twice (CEST, then CET).  A ticket taken at
    # 02:10 CEST is still in its agent's hands.
    first_0210 = datetime(2026, 10, 25, 0, 10, tzinfo=UTC).astimezone(BERLIN)
    live = IntervalSummarizer(zone=BERLIN, service_target=TARGET)
    live.extend([queued(first_0210, "T1"), assigned(first_0210, "T1")])
    early = datetime(2026, 10, 25, 2, 40, tzinfo=BERLIN)  # fold 0: CEST, 00:40 UTC
    late = early.replace(fold=1)  # CET, 01:40 UTC
    assert live.report(until=early).rows[0][1].handle_time == 30 * MIN
    row = live.report(until=late).rows[0][1]
    assert row.handle_time == 90 * MIN
    assert row.end is not None
    assert row.end.astimezone(UTC) == datetime(2026, 10, 25, 1, 40, tzinfo=UTC)


def test_a_pickled_summarizer_goes_on_and_keeps_no_shown_rows() -> None:
    stream: list[Any] = []
    for k in range(48):
        at = DAY + k * 30 * MIN
        stream += [queued(at, f"T{k}"), assigned(at + 10 * SEC, f"T{k}")]
    redrawn = IntervalSummarizer(zone=WIB, service_target=TARGET)
    never = IntervalSummarizer(zone=WIB, service_target=TARGET)
    for event in stream:
        redrawn.add(event)
        never.add(event)
        redrawn.report()
    # What the reports showed is not part of its state.
    assert len(pickle.dumps(redrawn)) == len(pickle.dumps(never))
    back = pickle.loads(pickle.dumps(redrawn))
    more = [TicketResolved(DAY + timedelta(hours=24), "T5", "ana"), queued(DAY, "N1")]
    for live in (back, redrawn):
        live.extend(more)
        assert live.report() == summarize_intervals(stream + more, zone=WIB, service_target=TARGET)
