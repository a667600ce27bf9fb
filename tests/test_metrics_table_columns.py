"""Report tables keep a space between columns, however wide a value or a group's name is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from csflow import TicketAssigned, TicketQueued, TicketResolved, summarize, summarize_intervals
from csflow.model import Priority
from csflow.sla import Metric, SlaMet

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


def _email(tid: str, queued: datetime, wait: timedelta, handle: timedelta) -> list[object]:
    return [
        TicketQueued(queued, tid, "email", Priority.NORMAL, None, "gold", "email", ""),
        TicketAssigned(queued + wait, tid, "ana", wait.total_seconds(), 1, ""),
        TicketResolved(queued + wait + handle, tid, "ana"),
    ]


def test_a_long_wait_and_a_long_handling_stay_in_their_columns() -> None:
    # An e-mail desk: 2 h 30 min to an agent, 17 hours in the agent's hands.
    events = _email("E1", T0, 2.5 * H, 17 * H)
    lines = summarize_intervals(events, interval=H).table()
    assert lines[-1].split() == ["total", "1", "1", "0.0%", "150.0", "min", "0", "1020.0", "min"]
    assert lines[1].split()[2:] == lines[-1].split()[1:]  # the one interval is the total


@given(
    waits=st.lists(st.integers(0, 10**6), min_size=1, max_size=4),
    handles=st.lists(st.integers(1, 10**7), min_size=4, max_size=4),
)
def test_every_interval_line_has_as_many_columns_as_its_header(
    waits: list[int], handles: list[int]
) -> None:
    events: list[object] = []
    for i, (w, h) in enumerate(zip(waits, handles, strict=False)):
        at = T0 + i * timedelta(minutes=7)
        events += _email(f"E{i}", at, timedelta(seconds=w), timedelta(seconds=h))
    events.sort(key=lambda e: e.at)  # type: ignore[attr-defined]
    report = summarize_intervals(events, interval=H)
    for line in report.table()[1:]:
        # label (date and time, or "total"), offered, answered, SL, ASA (value and unit),
        # abandoned, AHT (value and unit)
        words = line.split()
        label = 1 if words[0] == "total" else 2
        assert len(words) - label == 8, line


def test_a_long_group_name_is_apart_from_its_value() -> None:
    name = "enterprise-premium-24x7-with-a-long-name"
    events = [
        TicketQueued(T0, "P1", "q", Priority.NORMAL, name, "gold", "chat", ""),
        SlaMet(T0, "P1", Metric.FIRST_RESPONSE, H, 2 * H, False),
    ]
    rows = [line for line in summarize(events).table() if "policy" in line]
    assert rows == [f"  policy {name} 100.0% (1 met, 0 breached)"]
