"""A live report costs the same however long the stream: the queue-length series of
``Summarizer.report()`` shares the summary's storage, and stays as it was while the summary
goes on; an interval report's ``to_dict()`` names its zone as IANA does, or not at all."""

from __future__ import annotations

import pickle
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.events import (
    TicketAbandoned,
    TicketAssigned,
    TicketClosed,
    TicketQueued,
    TicketRequeued,
    TicketResolved,
    TicketStatusChanged,
    TicketTransferred,
)
from csflow.metrics import QueueLengthSeries, Report, Summarizer, summarize, summarize_intervals
from csflow.model import Priority

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = timedelta(microseconds=1)
OPS = (
    *("queued", "assigned", "requeued", "transferred", "parked", "resumed"),
    *("abandoned", "resolved", "closed"),
)


def event(op: str, tid: str, at: datetime) -> Any:
    if op == "queued":
        return TicketQueued(at, tid, "main", Priority.NORMAL, None, "gold", "chat", "")
    if op == "assigned":
        return TicketAssigned(at, tid, "ana", 0.0, 1, "")
    if op == "requeued":
        return TicketRequeued(at, tid, "ana", "requeued by 'ana'")
    if op == "transferred":
        return TicketTransferred(at, tid, "ana", "billing", 1)
    if op == "parked":
        return TicketStatusChanged(at, tid, "open", "pending")
    if op == "resumed":
        return TicketStatusChanged(at, tid, "pending", "open")
    if op == "abandoned":
        return TicketAbandoned(at, tid, 0.0)
    if op == "resolved":
        return TicketResolved(at, tid, "ana")
    assert op == "closed"
    return TicketClosed(at, tid)


# Time order, many events at one instant (steps merged, then replaced or taken back), and
# instants on both sides of the epoch (a microsecond before it is -1).
streams = st.lists(
    st.tuples(
        st.sampled_from(OPS),
        st.sampled_from(("T1", "T2", "T3", "T4", "T5")),
        st.sampled_from((0, 0, 0, 1, 2, 3)),
    ),
    min_size=150,
    max_size=300,
).map(
    lambda steps: [
        event(op, tid, EPOCH + (sum(g for _, _, g in steps[: i + 1]) - 60) * US)
        for i, (op, tid, _) in enumerate(steps)
    ]
)

ON = (TicketQueued, TicketRequeued, TicketTransferred)
OFF = (TicketAssigned, TicketAbandoned, TicketResolved, TicketClosed)


def naive_series(events: list[Any]) -> list[tuple[datetime, int]]:
    """The queue-length steps as the docs define them: a ticket is in line from a queueing,
    requeue, hand-over or resumption until an assignment, abandonment, parking, resolution
    or close; one step per instant at which the length (after that instant's events)
    differs from the length before it."""
    in_line: set[str] = set()
    after: list[tuple[datetime, int]] = []  # (instant, length after its events)
    for ev in events:
        if isinstance(ev, ON) or (isinstance(ev, TicketStatusChanged) and ev.new == "open"):
            in_line.add(ev.ticket_id)
        elif isinstance(ev, (OFF, TicketStatusChanged)):
            in_line.discard(ev.ticket_id)
        if after and after[-1][0] == ev.at:
            after[-1] = (ev.at, len(in_line))
        else:
            after.append((ev.at, len(in_line)))
    steps: list[tuple[datetime, int]] = []
    for at, n in after:
        if n != (steps[-1][1] if steps else 0):
            steps.append((at, n))
    return steps


@settings(max_examples=25, deadline=None)
@given(streams, st.integers(0, 299))
def test_law_the_report_after_every_prefix_is_the_summary_of_that_prefix(
    events: list[Any], pickled_at: int
) -> None:
    live = Summarizer()
    reports: list[Report] = []
    for i, ev in enumerate(events):
        if i == pickled_at:  # a host that keeps a pickle goes on from it
            live = pickle.loads(pickle.dumps(live))
        live.add(ev)
        reports.append(live.report())
    # Taken while the stream went on, each report is still its prefix's, step for step.
    for i, report in enumerate(reports):
        prefix = events[: i + 1]
        assert report == summarize(prefix)
        assert list(report.queue_length) == naive_series(prefix)
        assert pickle.loads(pickle.dumps(report)) == report
    last = reports[-1].queue_length
    assert last == tuple(naive_series(events))
    assert hash(last) == hash(tuple(last))


@settings(max_examples=25, deadline=None)
@given(streams, st.data())
def test_a_live_series_reads_as_the_list_of_its_pairs(events: list[Any], data: Any) -> None:
    live = Summarizer()
    cut = data.draw(st.integers(1, len(events)))
    live.extend(events[:cut])
    series = live.report().queue_length
    live.extend(events[cut:])  # the arrays it shares grow and change their last step
    pairs = naive_series(events[:cut])
    assert len(series) == len(pairs)
    for i in range(-len(pairs), len(pairs)):
        assert series[i] == pairs[i]
    for index in (len(pairs), -len(pairs) - 1):
        with pytest.raises(IndexError):
            series[index]
    start = data.draw(st.integers(-len(pairs) - 2, len(pairs) + 2))
    stop = data.draw(st.integers(-len(pairs) - 2, len(pairs) + 2))
    step = data.draw(st.sampled_from((1, 2, -1, -3)))
    assert series[start:stop:step] == tuple(pairs[start:stop:step])
    assert series == QueueLengthSeries(pairs)
    assert series == pairs
    assert repr(series) == repr(QueueLengthSeries(pairs))


def test_steps_a_microsecond_before_the_epoch_are_kept() -> None:
    # The series' "no step to replace" mark was the instant -1 µs: a step there replaced
    # the step of an earlier instant.
    at = [EPOCH + us * US for us in (-5, -3, -3, -1)]
    events = [
        event("queued", "T1", at[0]),  # 1 in line
        event("assigned", "T1", at[1]),  # 0 ...
        event("queued", "T2", at[2]),  # ... and 1 again at the same instant: no step
        event("assigned", "T2", at[3]),  # 0
    ]
    assert list(summarize(events).queue_length) == [(at[0], 1), (at[3], 0)]


def stream(tickets: int) -> Iterator[Any]:
    """*tickets* tickets queued and answered a second apart: two steps each."""
    t0 = datetime(2026, 3, 19, 8, tzinfo=UTC)
    for k in range(tickets):
        yield event("queued", f"T{k}", t0 + timedelta(seconds=2 * k))
        yield event("assigned", f"T{k}", t0 + timedelta(seconds=2 * k + 1))


def allocated_by_a_report(live: Summarizer) -> int:
    """The most memory (bytes) a report took while it was made: the work of copying."""
    live.report()  # anything made once (a cache) is made before measuring
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        live.report()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_redraw_does_not_grow_with_the_stream() -> None:
    short, long = Summarizer(), Summarizer()
    short.extend(stream(50))
    long.extend(stream(20_000))
    assert len(long.report().queue_length) == 40_000
    # Copying 40,000 steps of 16 bytes would take 640 kB; the report takes what a report
    # of 100 steps takes.
    small, large = allocated_by_a_report(short), allocated_by_a_report(long)
    assert large < small + 4_096, (small, large)


# -- the zone an interval report's dict names ------------------------------------------------


class Fixed(tzinfo):
    """A tzinfo class of a caller's own, UTC+07:00."""

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return timedelta(hours=7)

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        return "WIB"


def zone_written(zone: tzinfo) -> object:
    at = datetime(2026, 3, 19, 9, 10, tzinfo=UTC)
    report = summarize_intervals([event("queued", "T1", at)], zone=zone)
    return report.to_dict()["zone"]


@pytest.mark.parametrize(
    ("zone", "name"),
    [
        (ZoneInfo("Asia/Jakarta"), "Asia/Jakarta"),
        (UTC, "UTC"),
        (timezone(timedelta(0), "GMT"), "UTC"),
        (timezone(timedelta(hours=7)), "Etc/GMT-7"),
        (timezone(timedelta(hours=-5)), "Etc/GMT+5"),
        # The name a fixed offset was given is no zone's: "CET" keeps summer time.
        (timezone(timedelta(hours=1), "CET"), "Etc/GMT-1"),
        (timezone(timedelta(hours=14)), "Etc/GMT-14"),
        (timezone(timedelta(hours=-12)), "Etc/GMT+12"),
        (timezone(timedelta(hours=-13)), None),  # past IANA's fixed zones
        (timezone(timedelta(hours=5, minutes=30)), None),
        (Fixed(), None),
    ],
)
def test_the_dict_names_the_zone_as_iana_does_or_not_at_all(zone: tzinfo, name: object) -> None:
    assert zone_written(zone) == name


@given(st.integers(-12, 14), st.datetimes(timezones=st.just(UTC)))
@settings(max_examples=60, deadline=None)
def test_a_fixed_offsets_name_reads_back_as_a_zone_with_its_offset(
    hours: int, at: datetime
) -> None:
    zone = timezone(timedelta(hours=hours))
    name = zone_written(zone)
    assert isinstance(name, str)
    assert ZoneInfo(name).utcoffset(at.replace(tzinfo=None)) == timedelta(hours=hours)
