"""``SlaCancelled``: a live clock whose metric loses its target says so in the event stream,
so that a consumer (the metrics, a wallboard) can tell a later cycle of the metric from the
cancelled one; clocks stopped by a solve, a close or an abandonment send none."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from csflow.calendar import BusinessCalendar
from csflow.events import SlaCancelled, event_from_dict
from csflow.sla import ClockState, Metric, SlaPolicy, TicketSla

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
M = timedelta(minutes=1)
H = timedelta(hours=1)
ALWAYS = BusinessCalendar.always_open("Asia/Jakarta")
METRICS = list(Metric)
FULL = SlaPolicy(
    "full",
    ALWAYS,
    {
        Metric.FIRST_RESPONSE: {"urgent": 5 * M, "normal": H},
        Metric.NEXT_RESPONSE: {"urgent": 5 * M, "normal": H},
        Metric.PERIODIC_UPDATE: {"urgent": 30 * M, "normal": 8 * H},
        Metric.RESOLUTION: {"urgent": 4 * H, "normal": 24 * H},
    },
    warnings=(),
)


def _cancelled(events: Sequence[object]) -> set[Metric]:
    return {e.metric for e in events if isinstance(e, SlaCancelled)}


@given(kept=st.sets(st.sampled_from(METRICS)), replied=st.booleans(), wrote=st.booleans())
def test_each_live_clock_that_loses_its_target_is_cancelled_with_an_event(
    kept: set[Metric], replied: bool, wrote: bool
) -> None:
    ts = TicketSla("T-1", FULL, "urgent", T0)
    if replied:
        ts.agent_reply(T0 + M)
        if wrote:
            ts.customer_message(T0 + 2 * M)
    live = {m for m, c in ts.clocks.items() if c.state is ClockState.RUNNING}
    fewer = SlaPolicy("fewer", ALWAYS, dict.fromkeys(kept, H), warnings=())
    at = T0 + 3 * M
    events = ts.recalculate(at, policy=fewer)
    assert _cancelled(events) == live - kept
    for e in events:
        if isinstance(e, SlaCancelled):
            assert e.at == at
            assert e.ticket_id == "T-1"
            clock = ts.clock(e.metric)
            assert clock is not None
            assert clock.state is ClockState.CANCELLED
            assert event_from_dict(e.to_dict()) == e


def test_a_solve_a_close_and_a_met_clock_send_none() -> None:
    ts = TicketSla("T-1", FULL, "urgent", T0)
    ts.agent_reply(T0 + M)  # first response met: a finished clock loses nothing
    ts.customer_message(T0 + 2 * M)
    assert _cancelled(ts.set_status("solved", T0 + 3 * M)) == set()
    assert _cancelled(ts.set_status("closed", T0 + 4 * M)) == set()
    other = TicketSla("T-2", FULL, "urgent", T0)
    other.agent_reply(T0 + M)
    # The first response met; only the metrics whose clocks run lose anything.
    fewer = SlaPolicy("fewer", ALWAYS, {Metric.RESOLUTION: H}, warnings=())
    assert _cancelled(other.recalculate(T0 + 2 * M, policy=fewer)) == {Metric.PERIODIC_UPDATE}


def test_a_priority_without_a_target_cancels_and_a_reopening_without_one_too() -> None:
    partial = SlaPolicy(
        "partial",
        ALWAYS,
        {Metric.FIRST_RESPONSE: {"urgent": 5 * M}, Metric.RESOLUTION: {"urgent": H}},
        warnings=(),
    )
    ts = TicketSla("T-1", partial, "urgent", T0)
    events = ts.recalculate(T0 + M, priority="normal")
    assert [(type(e).__name__, e.metric) for e in events] == [
        ("SlaCancelled", Metric.FIRST_RESPONSE),
        ("SlaCancelled", Metric.RESOLUTION),
    ]
    solved = TicketSla("T-2", partial, "urgent", T0)
    solved.agent_reply(T0 + M)
    solved.set_status("solved", T0 + 2 * M)
    solved.recalculate(T0 + 3 * M, priority="normal")  # a solved ticket's clock is finished
    reopened = solved.set_status("open", T0 + 4 * M)
    assert _cancelled(reopened) == {Metric.RESOLUTION}
