"""Zendesk's SLA metrics, worked by hand, against csflow.

Each example is a ticket's timeline from Zendesk's definitions (GitLab's handbook quotes them;
see docs/explanation/sla-semantics.md): requester wait time counts new, open and on-hold;
agent work time counts new and open; pausable update is the periodic update paused while
pending; next reply time runs from the oldest unanswered customer comment; a target met
exactly at its due instant is achieved.  csflow builds each metric as the how-to *Pausing on
pending* says (one ``pause_on`` each), and the expected verdicts and business time were
computed by hand on the calendar written next to them.  The last examples pin the two places
where csflow deliberately differs from Zendesk.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from csflow import AgentProfile, BusinessCalendar, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.events import SlaBreached, SlaEvent, SlaMet
from csflow.sla import ClockState, Metric, SlaClock, SlaPolicy, TicketSla

NY = ZoneInfo("America/New_York")
JAKARTA = ZoneInfo("Asia/Jakarta")
H = timedelta(hours=1)
M = timedelta(minutes=1)
WEEKDAYS = BusinessCalendar(
    "America/New_York",
    weekly={d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")},
    holidays=[date(2026, 3, 9)],  # the Monday after the spring-forward Sunday
)
ALWAYS = BusinessCalendar.always_open("Asia/Jakarta")


def ny(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=NY)


def clock(sla: TicketSla, metric: str) -> SlaClock:
    c = sla.clock(metric)
    assert c is not None, metric
    return c


def met(events: list[SlaEvent], metric: str) -> SlaMet:
    [event] = [e for e in events if isinstance(e, SlaMet) and e.metric is Metric(metric)]
    return event


# -- requester wait time, agent work time, total resolution time ----------------------------


def _resolution_timeline(pause_on: dict[str, list[str]]) -> tuple[TicketSla, SlaMet]:
    """Created Monday 2 March 09:00; pending from 10:00 until the customer answers on
    Tuesday at 11:00; on hold from Tuesday 12:00 to Wednesday 10:00; solved Wednesday
    12:00.  Office hours Mon-Fri 09-17 (New York)."""
    policy = SlaPolicy("p", WEEKDAYS, targets={"resolution": 8 * H}, pause_on=pause_on)
    sla = TicketSla("Z-1", policy, "normal", ny(2, 9))
    sla.set_status("open", ny(2, 10))
    sla.set_status("pending", ny(2, 10))
    sla.set_status("open", ny(3, 11))
    sla.set_status("on_hold", ny(3, 12))
    sla.set_status("open", ny(4, 10))
    return sla, met(sla.set_status("solved", ny(4, 12)), "resolution")


def test_requester_wait_time_counts_on_hold_and_not_pending() -> None:
    # 1 h on Monday, Tuesday 11-12 and 12-17 on hold, Wednesday 9-12: 10 business hours.
    # Eight were used at Wednesday 10:00 (7 by Tuesday's close): breached then, met late.
    sla, result = _resolution_timeline({"pending": ["resolution"]})
    assert result.elapsed == 10 * H
    assert result.breached
    assert clock(sla, "resolution").state is ClockState.MET_LATE
    assert clock(sla, "resolution").due_at == ny(4, 10)


def test_agent_work_time_counts_new_and_open_only() -> None:
    # Monday 9-10, Tuesday 11-12, Wednesday 10-12: 4 business hours, achieved.
    sla, result = _resolution_timeline({"pending": ["resolution"], "on_hold": ["resolution"]})
    assert (result.elapsed, result.breached) == (4 * H, False)
    assert clock(sla, "resolution").pause_history == (
        (ny(2, 10), ny(3, 11)),
        (ny(3, 12), ny(4, 10)),
    )


def test_total_resolution_time_counts_every_unsolved_status() -> None:
    # Monday 9-17, Tuesday 9-17, Wednesday 9-12: 19 business hours.
    _, result = _resolution_timeline({})
    assert (result.elapsed, result.breached) == (19 * H, True)


# -- reply metrics ---------------------------------------------------------------------------


def test_next_reply_time_runs_from_the_oldest_unanswered_comment() -> None:
    t0 = datetime(2026, 3, 2, 9, 0, tzinfo=JAKARTA)
    policy = SlaPolicy("p", ALWAYS, targets={"next_response": H})
    sla = TicketSla("Z-2", policy, "normal", t0)
    sla.agent_reply(t0 + H)  # 10:00
    sla.customer_message(t0 + H + 5 * M)  # 10:05: the oldest unanswered comment
    sla.customer_message(t0 + H + 20 * M)  # 10:20 neither restarts nor adds a cycle
    events = sla.agent_reply(t0 + 2 * H + 10 * M)  # 11:10
    [breach] = [e for e in events if isinstance(e, SlaBreached)]
    assert breach.at == breach.due_at == t0 + 2 * H + 5 * M
    result = met(events, "next_response")
    assert (result.elapsed, result.breached) == (65 * M, True)
    assert result.cycle_start == t0 + H + 5 * M


@pytest.mark.parametrize(
    ("pause_on", "elapsed"),
    [
        # Pausable update: Monday 16:00-16:30, then Tuesday 09:30-10:00 (the customer's
        # answer re-opened it): 1 h of 2, achieved.
        ({"pending": ["periodic_update"]}, H),
        # Periodic update: Monday 16-17 and Tuesday 9-10, exactly the 2-hour target: a reply
        # at the due instant achieves it.
        ({}, 2 * H),
    ],
)
def test_pausable_and_periodic_update(pause_on: dict[str, list[str]], elapsed: timedelta) -> None:
    policy = SlaPolicy("p", WEEKDAYS, targets={"periodic_update": 2 * H}, pause_on=pause_on)
    sla = TicketSla("Z-3", policy, "normal", ny(2, 15), status="open")
    sla.agent_reply(ny(2, 16))
    sla.set_status("pending", ny(2, 16, 30))
    sla.customer_message(ny(3, 9, 30))
    sla.set_status("open", ny(3, 9, 30))
    events = sla.agent_reply(ny(3, 10))
    assert not any(isinstance(e, SlaBreached) for e in events)
    result = met(events, "periodic_update")
    assert (result.elapsed, result.breached, result.cycle_start) == (elapsed, False, ny(2, 16))


@pytest.mark.parametrize(
    "created",
    [
        ny(9, 6),  # before opening, on the holiday after the clocks sprang forward
        ny(8, 2, 30),  # in the hour the spring-forward skips (read as 03:30 EDT)
        ny(7, 12),  # a Saturday
    ],
)
def test_first_reply_after_a_holiday_in_a_dst_zone_at_its_due_instant(created: datetime) -> None:
    # Nothing is open from the creation until Tuesday 10 March 09:00 EDT: the two-hour first
    # reply is due at 11:00 EDT (15:00 UTC), and a reply at that very instant achieves it.
    policy = SlaPolicy("p", WEEKDAYS, targets={"first_response": 2 * H})
    sla = TicketSla("Z-4", policy, "normal", created)
    due = clock(sla, "first_response").due_at
    assert due == ny(10, 11)
    assert due.utcoffset() == -4 * H
    result = met(sla.agent_reply(ny(10, 11)), "first_response")
    assert (result.elapsed, result.breached) == (2 * H, False)


# -- where csflow deliberately differs --------------------------------------------------------


def test_a_solve_before_any_reply_ends_the_first_reply_cycle() -> None:
    """Zendesk keeps measuring the first reply of a ticket solved without one (a phone call
    solved at once, reopened later) until the first public reply; csflow ends the cycle at
    the solve, undecided and without an event (the reports end the reply cycles at the
    resolution), and a reply after the reopening meets nothing."""
    t0 = datetime(2026, 3, 2, 9, 0, tzinfo=JAKARTA)
    policy = SlaPolicy("p", ALWAYS, targets={"first_response": H, "next_response": H})
    sla = TicketSla("Z-5", policy, "normal", t0)
    assert sla.set_status("solved", t0 + 10 * M) == []
    assert clock(sla, "first_response").state is ClockState.CANCELLED
    assert sla.set_status("open", t0 + 2 * H) == []
    assert sla.agent_reply(t0 + 5 * H) == []
    assert clock(sla, "first_response").state is ClockState.CANCELLED


def test_a_customer_message_resumes_a_pending_ticket_and_not_an_on_hold_one() -> None:
    """As Zendesk resets a pending ticket to open when the requester comments, a desk puts a
    pending ticket back to work on the customer's message; an on-hold ticket, waiting on a
    third party, stays on hold until an agent sets it open."""
    t0 = datetime(2026, 3, 2, 9, 0, tzinfo=JAKARTA)
    desk = Desk(DeskConfig())
    desk.add_agent(AgentProfile("sari", capacity={"chat": 2}), at=t0, presence="available")
    for tid in ("Z-6", "Z-7"):
        desk.submit(Ticket(tid, Customer(f"c-{tid}", Tier("gold", 3)), "chat", t0), at=t0)
    desk.set_status("Z-6", "pending", at=t0 + M)
    desk.set_status("Z-7", "on_hold", at=t0 + M)
    desk.customer_message("Z-6", at=t0 + H)
    desk.customer_message("Z-7", at=t0 + H)
    assert desk.ticket("Z-6").state == "assigned"
    assert desk.ticket("Z-7").state == "on_hold"
