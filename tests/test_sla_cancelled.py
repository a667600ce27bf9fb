"""``SlaCancelled``: a live clock whose metric loses its target says so in the event stream,
so that a consumer (the metrics, a wallboard) can tell a later cycle of the metric from the
cancelled one; clocks stopped by a solve, a close or an abandonment send none."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csflow.calendar import BusinessCalendar
from csflow.events import Event, SlaCancelled, event_from_dict
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


# -- the reports tell the cycles apart ---------------------------------------------------------


def _story(cancel_unbreached: bool) -> list[Event]:
    """A next-response cycle (5 minutes, urgent tickets only) that breaches -- or, with
    *cancel_unbreached*, is cancelled before it does -- is cancelled by a priority without a
    target; a second cycle, started without a target, gains one and breaches too."""
    from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier

    def m(x: int) -> datetime:
        return T0 + x * M

    desk = Desk(
        DeskConfig.from_dict(
            {
                "calendars": {"24x7": {"timezone": "Asia/Jakarta", "always_open": True}},
                "sla_policies": [
                    {
                        "name": "p",
                        "calendar": "24x7",
                        "targets": {"next_response": {"urgent": "PT5M"}},
                    }
                ],
                "default_sla_policy": "p",
            }
        )
    )
    gold = Customer("c1", Tier("gold", 1))
    ev: list[Event] = []
    ev += desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=T0, presence="available")
    ev += desk.submit(Ticket("T1", gold, "chat", T0, priority="urgent"), at=T0)
    ev += desk.reply("T1", "sari", at=m(1))
    ev += desk.customer_message("T1", at=m(2))  # cycle 1 starts: due at 7
    cancel = m(5 if cancel_unbreached else 11)
    ev += desk.advance(at=cancel)
    ev += desk.set_priority("T1", "normal", at=cancel)  # no target: cycle 1 cancelled
    ev += desk.reply("T1", "sari", at=m(12))
    ev += desk.customer_message("T1", at=m(13))  # cycle 2 starts, without a target
    ev += desk.set_priority("T1", "urgent", at=m(14))  # gains one, counted from 13
    ev += desk.advance(at=m(30))  # cycle 2 breaches at 18
    ev += desk.reply("T1", "sari", at=m(31))  # and is met late
    return ev


@pytest.mark.parametrize("cancel_unbreached", [False, True])
def test_a_cancelled_cycle_and_the_next_count_apart_in_summarize_and_people_report(
    cancel_unbreached: bool,
) -> None:
    from csflow import people_report, summarize
    from csflow.metrics import Attainment

    events = _story(cancel_unbreached)
    assert [e.metric for e in events if isinstance(e, SlaCancelled)] == [Metric.NEXT_RESPONSE]
    # Two breached cycles; a cycle cancelled before its deadline counts neither way.
    want = Attainment(met=0, breached=1 if cancel_unbreached else 2)
    assert summarize(events).sla_by_metric["next_response"] == want
    assert people_report(events).agents["sari"].sla == want
