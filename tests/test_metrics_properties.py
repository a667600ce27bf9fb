"""csflow.metrics laws over generated desks: bounds, order independence and a reference model."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.events import (
    TicketAbandoned,
    TicketAssigned,
    TicketQueued,
    TicketResolved,
    TicketTransferred,
)
from csflow.metrics import Attainment, Report, summarize
from csflow.model import Priority
from csflow.sla import Metric, SlaBreached, SlaMet

T0 = datetime(2026, 12, 12, 12, 0, tzinfo=UTC)
SEC = timedelta(seconds=1)
TARGET = 20 * SEC
# How an SLA cycle ends: met on time, breached and then met late, met late without a breach
# event, breached and still running at the end.
CYCLE_KINDS = ("met", "late", "late_unannounced", "open")


@attrs.frozen
class Life:
    """One generated ticket's life, and what it must contribute to a report."""

    tid: str
    tier: str
    channel: str
    queued: int
    outcome: str  # "answered", "abandoned" or "waiting"
    wait: int
    transfers: int
    handle: int | None  # seconds from the last transfer to resolution; None: never resolved
    cycles: tuple[tuple[Metric, str], ...]

    def events(self) -> list[Any]:
        """The ticket's events in time order."""
        q = self.queued
        out: list[Any] = [
            TicketQueued(
                at(q), self.tid, "main", Priority.NORMAL, "std", self.tier, self.channel, ""
            )
        ]
        answer = q + self.wait
        if self.outcome == "answered":
            out.append(TicketAssigned(at(answer), self.tid, "a0", float(self.wait), 1, ""))
            for k in range(self.transfers):
                # A transfer to a named agent: assigned at the same instant.
                out.append(
                    TicketTransferred(at(answer + k + 1), self.tid, f"a{k}", f"a{k + 1}", k + 1)
                )
                out.append(TicketAssigned(at(answer + k + 1), self.tid, f"a{k + 1}", 0.0, 1, ""))
            if self.handle is not None:
                out.append(TicketResolved(at(answer + self.transfers + self.handle), self.tid, "a"))
        for j, (metric, kind) in enumerate(self.cycles):
            base = q + 1000 * (j + 1)  # after the ticket's other events, one cycle after another
            if kind in ("late", "open"):
                out.append(
                    SlaBreached(
                        at=at(base + 10),
                        ticket_id=self.tid,
                        metric=metric,
                        due_at=at(base + 10),
                        target=10 * SEC,
                    )
                )
            if kind != "open":  # met on time (5 s of 10) or late (15 s)
                late = kind != "met"
                out.append(
                    SlaMet(
                        at=at(base + 20),
                        ticket_id=self.tid,
                        metric=metric,
                        elapsed=(15 if late else 5) * SEC,
                        target=10 * SEC,
                        breached=late,
                    )
                )
        if self.outcome == "abandoned":
            # Last, as a desk sends it: abandoning stops the ticket's clocks for good.
            out.append(TicketAbandoned(at(self.left()), self.tid, float(self.left() - q)))
        return out

    def left(self) -> int:
        """When the ticket left the line: answered after its wait, abandoned after its wait
        and its SLA cycles."""
        if self.outcome == "abandoned" and self.cycles:
            return self.queued + self.wait + 1000 * len(self.cycles) + 30
        return self.queued + self.wait

    def in_line(self, t: int) -> bool:
        """Whether the ticket waits in line at instant *t* (after that instant's events)."""
        if self.outcome == "waiting":
            return self.queued <= t
        return self.queued <= t < self.left()


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def one_clock_at_a_time(cycles: list[tuple[Metric, str]]) -> tuple[tuple[Metric, str], ...]:
    """Drop the cycles that follow a still-running one of the same metric (a clock that never
    stopped cannot be followed by another cycle of its metric)."""
    running: set[Metric] = set()
    kept = []
    for metric, kind in cycles:
        if metric in running:
            continue
        kept.append((metric, kind))
        if kind == "open":
            running.add(metric)
    return tuple(kept)


@st.composite
def lives(draw: st.DrawFn) -> list[Life]:
    n = draw(st.integers(min_value=0, max_value=10))
    out = []
    for i in range(n):
        outcome = draw(st.sampled_from(["answered", "answered", "abandoned", "waiting"]))
        out.append(
            Life(
                tid=f"T{i}",
                tier=draw(st.sampled_from(["gold", "silver", "bronze"])),
                channel=draw(st.sampled_from(["chat", "email"])),
                queued=draw(st.integers(min_value=0, max_value=300)),
                outcome=outcome,
                wait=draw(st.integers(min_value=0, max_value=60)),
                transfers=draw(st.integers(min_value=0, max_value=2)),
                handle=draw(st.none() | st.integers(min_value=1, max_value=400)),
                cycles=one_clock_at_a_time(
                    draw(
                        st.lists(
                            st.tuples(st.sampled_from(list(Metric)), st.sampled_from(CYCLE_KINDS)),
                            max_size=3,
                        )
                    )
                ),
            )
        )
    return out


def time_ordered(tickets: list[Life]) -> list[Any]:
    """Every event, sorted by instant; a stable sort keeps each ticket's own order."""
    return sorted((ev for life in tickets for ev in life.events()), key=lambda ev: ev.at)


@st.composite
def interleaved(draw: st.DrawFn, tickets: list[Life]) -> list[Any]:
    """Every event, the tickets interleaved at random, each ticket's events in its own order."""
    queues = [life.events() for life in tickets]
    tokens = [i for i, evs in enumerate(queues) for _ in evs]
    order = draw(st.permutations(tokens))
    cursors = [0] * len(queues)
    out = []
    for i in order:
        out.append(queues[i][cursors[i]])
        cursors[i] += 1
    return out


def totals(report: Report) -> dict[str, Any]:
    """Everything in a report except what depends on the order of events (the queue series)."""
    data = report.to_dict()
    del data["queue_length"], data["max_queue_length"]
    return data


def check_bounds(report: Report) -> None:
    for rate in (
        report.service_level,
        report.abandonment_rate,
        report.sla.rate,
        *(a.rate for a in report.sla_by_metric.values()),
        *(a.rate for a in report.sla_by_tier.values()),
        *(a.rate for a in report.sla_by_channel.values()),
    ):
        assert rate is None or 0.0 <= rate <= 1.0
    assert report.answered + report.abandoned <= report.offered
    assert report.answered_within_target <= report.answered
    assert 0 <= report.waiting <= report.max_queue_length
    assert report.waiting + report.answered + report.abandoned <= report.offered
    assert report.handle_time >= timedelta(0)
    asa = report.average_speed_of_answer
    assert (asa is None) == (report.answered == 0)
    assert all(n >= 0 for _, n in report.queue_length)


@given(lives().flatmap(lambda ts: st.tuples(st.just(ts), interleaved(ts))))
@settings(max_examples=100)
def test_rates_are_rates_and_the_order_of_tickets_does_not_change_totals(
    case: tuple[list[Life], list[Any]],
) -> None:
    tickets, shuffled = case
    ordered = summarize(time_ordered(tickets), available=timedelta(hours=8))
    mixed = summarize(shuffled, available=timedelta(hours=8))
    check_bounds(ordered)
    check_bounds(mixed)
    assert totals(mixed) == totals(ordered)


@given(lives())
@settings(max_examples=100)
def test_the_report_matches_a_reference_model(tickets: list[Life]) -> None:
    events = time_ordered(tickets)
    report = summarize(events, service_target=TARGET)
    answered = [t for t in tickets if t.outcome == "answered"]
    abandoned = [t for t in tickets if t.outcome == "abandoned"]
    assert report.offered == len(tickets)
    assert report.answered == len(answered)
    assert report.abandoned == len(abandoned)
    assert report.waiting == sum(t.outcome == "waiting" for t in tickets)
    within = sum(t.wait <= TARGET.total_seconds() for t in answered)
    assert report.answered_within_target == within
    decided = len(answered) + len(abandoned)
    assert report.service_level == (within / decided if decided else None)
    assert report.total_wait == sum(t.wait for t in answered) * SEC
    assert report.transfers == sum(t.transfers for t in answered)
    # Busy time: answer to resolution, or to the last event for tickets never resolved.
    end = max((ev.at for ev in events), default=T0)
    busy = sum(
        (
            (
                (t.transfers + t.handle) * SEC
                if t.handle is not None
                else end - at(t.queued + t.wait)
            )
            for t in answered
        ),
        timedelta(0),
    )
    assert report.handle_time == busy
    resolved = [t.handle for t in answered if t.handle is not None]
    assert report.resolved == report.handlings_resolved == len(resolved)
    # Each resolved once, never reopened: at first contact unless it was handed over.
    assert report.tickets_resolved == len(resolved)
    first = sum(t.handle is not None and t.transfers == 0 for t in answered)
    assert report.resolved_first_contact == first
    assert report.first_contact_resolution == (first / len(resolved) if resolved else None)
    # SLA cycles.
    met: Counter[str] = Counter()
    breached: Counter[str] = Counter()
    for t in tickets:
        # The resolution clock is the ticket's own (a reopening resumes it): one outcome per
        # ticket, breached when any of its runs breached.
        resolution = [kind for metric, kind in t.cycles if metric is Metric.RESOLUTION]
        outcomes = [kind for metric, kind in t.cycles if metric is not Metric.RESOLUTION]
        metrics: list[Metric] = [m for m, _ in t.cycles if m is not Metric.RESOLUTION]
        if resolution:
            metrics.append(Metric.RESOLUTION)
            outcomes.append("met" if set(resolution) == {"met"} else "late")
        for metric, kind in zip(metrics, outcomes, strict=True):
            for key in (f"metric {metric.value}", f"tier {t.tier}", f"channel {t.channel}", "all"):
                if kind == "met":
                    met[key] += 1
                else:
                    breached[key] += 1
    assert report.sla == Attainment(met["all"], breached["all"])
    for title, groups in (
        ("metric", report.sla_by_metric),
        ("tier", report.sla_by_tier),
        ("channel", report.sla_by_channel),
    ):
        expected = {
            key.split(" ", 1)[1]: Attainment(met[key], breached[key])
            for key in met.keys() | breached.keys()
            if key.startswith(title + " ")
        }
        assert dict(groups) == expected


@given(lives())
@settings(max_examples=100)
def test_the_queue_series_of_a_time_ordered_stream_counts_the_tickets_in_line(
    tickets: list[Life],
) -> None:
    report = summarize(time_ordered(tickets))
    steps = report.queue_length
    instants = [step_at for step_at, _ in steps]
    assert instants == sorted(set(instants))  # one step per instant, in time order
    lengths = [0] + [n for _, n in steps]
    assert all(a != b for a, b in itertools.pairwise(lengths))  # every step moves
    for step_at, n in steps:
        t = int((step_at - T0) / SEC)
        assert n == sum(life.in_line(t) for life in tickets)
    assert lengths[-1] == report.waiting
    # Between steps nothing changes, so the longest line is at a step (or was a blip).
    assert report.max_queue_length >= max(lengths)


@given(lives(), st.integers(min_value=0, max_value=120))
@settings(max_examples=50)
def test_a_longer_target_never_lowers_the_service_level(tickets: list[Life], extra: int) -> None:
    events = time_ordered(tickets)
    short = summarize(events, service_target=TARGET)
    long = summarize(events, service_target=TARGET + extra * SEC)
    assert long.answered_within_target >= short.answered_within_target
    if short.service_level is not None:
        assert long.service_level is not None
        assert long.service_level >= short.service_level
