"""A metric whose target went away keeps its clock's record (``TicketSla.clock``,
``Desk.clocks``), as the docs say, through the replies and messages that would have started
its next cycle -- they used to wipe it -- and it starts afresh from its natural start when it
gains a target again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from csflow.calendar import BusinessCalendar
from csflow.sla import ClockState, Metric, RecalcMode, SlaPolicy, TicketSla

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
M = timedelta(minutes=1)
H = timedelta(hours=1)
ALWAYS = BusinessCalendar.always_open("UTC")
WITH = SlaPolicy(
    "with",
    ALWAYS,
    {
        Metric.FIRST_RESPONSE: H,
        Metric.NEXT_RESPONSE: 2 * H,
        Metric.PERIODIC_UPDATE: 8 * H,
        Metric.RESOLUTION: 24 * H,
    },
    warnings=(),
)
WITHOUT = SlaPolicy(
    "without", ALWAYS, {Metric.FIRST_RESPONSE: H, Metric.RESOLUTION: 24 * H}, warnings=()
)


def _state(ts: TicketSla, metric: Metric) -> ClockState | None:
    clock = ts.clock(metric)
    return None if clock is None else clock.state


@given(gaps=st.lists(st.integers(1, 100), min_size=5, max_size=5))
def test_cancelled_records_survive_replies_and_messages_and_restart_when_regained(
    gaps: list[int],
) -> None:
    t1, t2, t3, t4, t5 = (T0 + sum(gaps[: k + 1]) * M for k in range(5))
    ts = TicketSla("T-1", WITH, "normal", T0)
    ts.agent_reply(t1)  # first response met; a periodic-update cycle starts
    ts.customer_message(t2)  # a next-response cycle starts
    ts.recalculate(t3, policy=WITHOUT)
    cancelled = {m: _state(ts, m) for m in (Metric.NEXT_RESPONSE, Metric.PERIODIC_UPDATE)}
    assert set(cancelled.values()) == {ClockState.CANCELLED}
    ts.agent_reply(t4)  # would start a periodic-update cycle, had it a target
    ts.customer_message(t5)  # would start a next-response cycle, had it a target
    assert {m: _state(ts, m) for m in cancelled} == cancelled
    assert {m.value for m, c in ts.clocks.items() if c.state is ClockState.CANCELLED} == {
        "next_response",
        "periodic_update",
    }
    # A snapshot keeps the records (and restores to the same state).
    ts = TicketSla.from_dict(ts.to_dict(), {"with": WITH, "without": WITHOUT})
    assert {m: _state(ts, m) for m in cancelled} == cancelled
    # Gained again: each counts from its natural start (the message after the last reply,
    # and the last reply), as a metric without a record does.
    t6 = t5 + M
    ts.recalculate(t6, policy=WITH, mode=RecalcMode.KEEP_ELAPSED)
    nr, pu = ts.clock(Metric.NEXT_RESPONSE), ts.clock(Metric.PERIODIC_UPDATE)
    assert nr is not None
    assert pu is not None
    assert (nr.state, pu.state) == (ClockState.RUNNING, ClockState.RUNNING)
    assert nr.due_at == t5 + 2 * H
    assert pu.due_at == t4 + 8 * H


def test_a_met_record_is_kept_and_a_cycle_started_without_a_target_counts_when_gained() -> None:
    ts = TicketSla("T-1", WITH, "normal", T0)
    ts.agent_reply(T0 + M)
    ts.customer_message(T0 + 2 * M)
    ts.agent_reply(T0 + 3 * M)  # next response met
    ts.recalculate(T0 + 4 * M, policy=WITHOUT)
    ts.customer_message(T0 + 5 * M)
    assert _state(ts, Metric.NEXT_RESPONSE) is ClockState.MET
    ts.recalculate(T0 + 6 * M, policy=WITH)
    nr = ts.clock(Metric.NEXT_RESPONSE)
    assert nr is not None
    assert nr.state is ClockState.RUNNING
    assert nr.due_at == T0 + 5 * M + 2 * H
    # Without a message since the met cycle, regaining the target starts nothing.
    quiet = TicketSla("T-2", WITH, "normal", T0)
    quiet.agent_reply(T0 + M)
    quiet.customer_message(T0 + 2 * M)
    quiet.agent_reply(T0 + 3 * M)
    quiet.recalculate(T0 + 4 * M, policy=WITHOUT)
    quiet.recalculate(T0 + 6 * M, policy=WITH)
    assert _state(quiet, Metric.NEXT_RESPONSE) is ClockState.MET
