"""``IntervalSummarizer.intervals`` counts the rows its report would give, those of tickets
whose events so far are SLA results alone (a ticket submitted after it was created) too, so
that ``csflow report`` bounds them by ``MAX_REPORT_INTERVALS`` as it bounds the others."""

from __future__ import annotations

import json
import pathlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csflow.cli import main
from csflow.events import Event, TicketClosed, TicketQueued
from csflow.metrics import IntervalSummarizer
from csflow.model import Metric, Priority
from csflow.sla import SlaBreached, SlaMet

T0 = datetime(2026, 3, 9, 1, 0, tzinfo=UTC)
M = timedelta(minutes=1)
FIVE = timedelta(minutes=5)


def _event(kind: str, tid: str, at: datetime) -> Event:
    if kind == "queued":
        return TicketQueued(at, tid, "q", Priority.NORMAL, None, "gold", "chat", "")
    if kind == "breached":
        return SlaBreached(at, tid, Metric.FIRST_RESPONSE, at, FIVE)
    if kind == "met":
        return SlaMet(at, tid, Metric.RESOLUTION, FIVE, FIVE, False)
    return TicketClosed(at, tid)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["queued", "breached", "met", "closed"]),
            st.sampled_from(["T1", "T2", "T3", "T4"]),
            st.integers(0, 3),
        ),
        max_size=30,
    )
)
def test_intervals_is_the_number_of_rows_the_report_gives(
    steps: list[tuple[str, str, int]],
) -> None:
    live = IntervalSummarizer(interval=M)
    t = T0
    for kind, tid, minutes in steps:
        t += minutes * M
        live.add(_event(kind, tid, t))
        assert live.intervals == len(live.report())


def test_report_refuses_tickets_of_sla_results_alone_in_more_intervals_than_its_bound(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # One breach a minute of tickets never queued: each would be a row (and, at report time,
    # a summary of its own) -- refused at the line that goes over the bound.
    import csflow.cli.report as report_module

    monkeypatch.setattr(report_module, "MAX_REPORT_INTERVALS", 2)
    rows = [_event("breached", f"T{k}", T0 + k * M) for k in (0, 0, 1, 5)]
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(e.to_dict()) + "\n" for e in rows), encoding="utf-8")
    assert main(["report", str(path), "--interval", "1m", "--format", "csv"]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == (
        "",
        f"csflow: error: EVENTS: {str(path)!r} line 4: the tickets fall into more than 2 "
        "intervals of 1m; report on a longer --interval\n",
    )
    # Three in two intervals of 1m, or all four in one of 1h, are read.
    path.write_text("".join(json.dumps(e.to_dict()) + "\n" for e in rows[:3]), encoding="utf-8")
    assert main(["report", str(path), "--interval", "1m", "--format", "csv"]) == 0
    path.write_text("".join(json.dumps(e.to_dict()) + "\n" for e in rows), encoding="utf-8")
    assert main(["report", str(path), "--interval", "1h", "--format", "csv"]) == 0
