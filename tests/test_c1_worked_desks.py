"""SLA clocks worked by hand on a New York office calendar, across a weekend, a holiday and
the change to summer time (Sunday 8 March 2026, 02:00 EST -> 03:00 EDT).

Every expected instant below is worked out by hand from docs/how-to/pausing.md and
docs/explanation/sla-semantics.md, not by running the code: the office is open Monday to
Friday, 09:00-17:00 wall time; Monday 9 March is a holiday.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from csflow import AgentProfile, BusinessCalendar, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.events import Event, SlaBreached, SlaEvent, SlaMet, SlaWarning
from csflow.sla import Metric, SlaPolicy, TicketSla

NY = ZoneInfo("America/New_York")
H = timedelta(hours=1)
US = timedelta(microseconds=1)
OFFICE = BusinessCalendar(
    "America/New_York",
    weekly={d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")},
    holidays={date(2026, 3, 9): "holiday"},
)
POLICY = SlaPolicy(
    "office",
    OFFICE,
    targets={
        "first_response": timedelta(hours=4),
        "next_response": timedelta(hours=2),
        "resolution": timedelta(hours=16),
    },
)


def ny(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=NY)


def due(sla: TicketSla, metric: str) -> datetime | None:
    clock = sla.clock(metric)
    assert clock is not None
    return clock.due_at


def kinds(events: list[SlaEvent]) -> list[tuple[str, Metric, datetime, object]]:
    out: list[tuple[str, Metric, datetime, object]] = []
    for e in events:
        if isinstance(e, SlaWarning):
            out.append(("warning", e.metric, e.at, e.threshold))
        elif isinstance(e, SlaBreached):
            out.append(("breached", e.metric, e.at, e.due_at))
        else:
            assert isinstance(e, SlaMet)
            out.append(("met", e.metric, e.at, (e.elapsed, e.breached)))
    return out


def friday_ticket() -> TicketSla:
    """Created on Friday 6 March at 15:00 EST, answered at 16:00, pending from 16:30."""
    sla = TicketSla("T-1", POLICY, "normal", ny(6, 15))
    # First response, 4 h: 2 h on Friday, none on the weekend or the holiday, 2 h on Tuesday.
    assert due(sla, "first_response") == ny(10, 11)
    # Resolution, 16 h: 2 h on Friday, 8 h on Tuesday, 6 h on Wednesday.
    assert due(sla, "resolution") == ny(11, 15)
    assert kinds(sla.agent_reply(ny(6, 16))) == [
        ("met", Metric.FIRST_RESPONSE, ny(6, 16), (H, False))
    ]
    assert sla.set_status("pending", ny(6, 16, 30)) == []
    return sla


def test_pause_across_weekend_holiday_and_dst_resumed_before_opening() -> None:
    sla = friday_ticket()
    res = sla.clock("resolution")
    assert res is not None
    assert res.due_at is None
    # Paused from Friday 16:30 EST to Tuesday 08:00 EDT, before the office opens: 1.5 h used.
    assert res.elapsed(ny(10, 8)) == 1.5 * H
    assert sla.set_status("open", ny(10, 8)) == []
    # 14.5 h left: 8 h on Tuesday (9.5 h used), 6.5 h on Wednesday -> 15:30 EDT.
    assert res.due_at == ny(11, 15, 30)
    # Warnings: 8 h used at Tuesday 15:30; 12 h at Wednesday 11:30; 14.4 h at 13:54.
    assert kinds(sla.advance(ny(11, 13))) == [
        ("warning", Metric.RESOLUTION, ny(10, 15, 30), 0.5),
        ("warning", Metric.RESOLUTION, ny(11, 11, 30), 0.75),
    ]
    # Pending again at Wednesday 13:00 EDT (13.5 h used), open on Thursday at 16:00.
    sla.set_status("pending", ny(11, 13))
    assert res.elapsed(ny(12, 15)) == 13.5 * H
    sla.set_status("open", ny(12, 16))
    # 2.5 h left: 1 h on Thursday, 1.5 h on Friday -> 10:30; 90 % (14.4 h) at Thursday 16:54.
    assert res.due_at == ny(13, 10, 30)
    assert kinds(sla.advance(ny(13, 10, 29))) == [
        ("warning", Metric.RESOLUTION, ny(12, 16, 54), 0.9)
    ]
    # Solved exactly at the deadline: met on time, 16 h used.
    assert kinds(sla.set_status("solved", ny(13, 10, 30))) == [
        ("met", Metric.RESOLUTION, ny(13, 10, 30), (16 * H, False))
    ]


def test_solved_one_microsecond_late_is_breached_at_the_deadline_then_met_late() -> None:
    sla = friday_ticket()
    sla.set_status("open", ny(10, 8))
    sla.set_status("pending", ny(11, 13))
    sla.set_status("open", ny(12, 16))
    sla.advance(ny(13, 10))
    late = ny(13, 10, 30) + US
    assert kinds(sla.set_status("solved", late)) == [
        ("breached", Metric.RESOLUTION, ny(13, 10, 30), ny(13, 10, 30)),
        ("met", Metric.RESOLUTION, late, (16 * H + US, True)),
    ]


def test_a_deadline_at_closing_time_falls_at_closing_not_at_the_next_opening() -> None:
    # Created Monday 2 March 09:00 EST: the 4-hour first response is due at 13:00; the
    # 16-hour resolution takes Monday and Tuesday whole: due Tuesday at 17:00.
    sla = TicketSla("T-2", POLICY, "normal", ny(2, 9))
    assert due(sla, "first_response") == ny(2, 13)
    assert due(sla, "resolution") == ny(3, 17)
    sla.agent_reply(ny(2, 10))
    # 90 % of 16 h is 14.4 h: Tuesday 15:24.  Nothing more is due before 17:00.
    events = sla.advance(ny(3, 16, 59))
    assert [e.at for e in events] == [ny(2, 17), ny(3, 13), ny(3, 15, 24)]
    assert kinds(sla.advance(ny(3, 17))) == [("breached", Metric.RESOLUTION, ny(3, 17), ny(3, 17))]


def test_paused_exactly_at_the_deadline_breaches_at_the_first_open_instant_after_resume() -> None:
    sla = TicketSla("T-3", POLICY, "normal", ny(2, 9))
    sla.agent_reply(ny(2, 9, 30))
    sla.advance(ny(3, 16))
    # Pending exactly at the deadline (Tuesday 17:00): a command counts before the events due
    # at its instant, so no breach now.
    assert sla.set_status("pending", ny(3, 17)) == []
    # Open again on Wednesday at 07:00, before the office opens: the breach comes at 09:00,
    # due when the target was reached.
    assert sla.set_status("open", ny(4, 7)) == []
    assert kinds(sla.advance(ny(4, 9))) == [("breached", Metric.RESOLUTION, ny(4, 9), ny(4, 9))]


def test_reopening_continues_the_resolution_and_breaches_once() -> None:
    sla = TicketSla("T-4", POLICY, "normal", ny(2, 9))
    sla.agent_reply(ny(2, 9, 30))
    # Solved on Monday at 15:00 (6 h used), re-opened on Wednesday at 12:00: 10 h left, 5 on
    # Wednesday, 5 on Thursday -> due Thursday 14:00.
    assert kinds(sla.set_status("solved", ny(2, 15))) == [
        ("met", Metric.RESOLUTION, ny(2, 15), (6 * H, False))
    ]
    sla.set_status("open", ny(4, 12))
    res = sla.clock("resolution")
    assert res is not None
    assert res.due_at == ny(5, 14)
    # The re-opening is a customer's message after a reply: a next response (2 h) is due at
    # 14:00 (warned at 13:00, 13:30 and 13:48), and a reply then meets it; the resolution's
    # 50 % warning (8 h used) falls at 14:00 too.
    assert due(sla, "next_response") == ny(4, 14)
    assert kinds(sla.agent_reply(ny(4, 14))) == [
        ("warning", Metric.NEXT_RESPONSE, ny(4, 13), 0.5),
        ("warning", Metric.NEXT_RESPONSE, ny(4, 13, 30), 0.75),
        ("warning", Metric.NEXT_RESPONSE, ny(4, 13, 48), 0.9),
        ("met", Metric.NEXT_RESPONSE, ny(4, 14), (2 * H, False)),
        ("warning", Metric.RESOLUTION, ny(4, 14), 0.5),
    ]
    # Solved late on Thursday at 15:00 (17 h used), re-opened on Friday at 09:00: still
    # breached, and no second breach is reported.
    events = sla.set_status("solved", ny(5, 15))
    assert kinds(events)[-2:] == [
        ("breached", Metric.RESOLUTION, ny(5, 14), ny(5, 14)),
        ("met", Metric.RESOLUTION, ny(5, 15), (17 * H, True)),
    ]
    sla.set_status("open", ny(6, 9))
    assert res.state.value == "breached"
    assert res.due_at == ny(5, 14)
    # (The re-opening starts a next-response cycle again, due at 11:00; the resolution says
    # nothing more.)
    events = sla.advance(ny(6, 17))
    assert [e.metric for e in events] == [Metric.NEXT_RESPONSE] * 4
    assert res.late_by(ny(6, 17)) == 9 * H


def test_always_open_counts_real_time_across_both_dst_changes() -> None:
    # Around the clock, a target is real elapsed time: 4 hours from Saturday 23:00 EST are
    # 04:00 EDT on Sunday (the wall clock skips 02:00-03:00), and 4 hours from Saturday
    # 31 October 23:00 EDT are 02:00 EST (the wall clock repeats 01:00-02:00).
    policy = SlaPolicy(
        "24x7",
        BusinessCalendar.always_open("America/New_York"),
        targets={"resolution": timedelta(hours=4)},
    )
    spring = TicketSla("T-5", policy, "normal", ny(7, 23))
    assert due(spring, "resolution") == ny(8, 4)
    autumn = TicketSla("T-6", policy, "normal", datetime(2026, 10, 31, 23, tzinfo=NY))
    assert due(autumn, "resolution") == datetime(2026, 11, 1, 2, tzinfo=NY)


def test_office_hours_that_span_the_dst_change_count_the_hours_that_exist() -> None:
    # Open 00:00-06:00 on Sundays: 5 hours on 8 March (02:00-03:00 does not exist), 7 on
    # 1 November (01:00-02:00 happens twice).
    sundays = BusinessCalendar("America/New_York", weekly={"sun": [("00:00", "06:00")]})
    policy = SlaPolicy("sun", sundays, targets={"resolution": timedelta(hours=6)})
    spring = TicketSla("T-7", policy, "normal", ny(8, 0))
    # 5 hours on 8 March, the sixth on 15 March from 00:00.
    assert due(spring, "resolution") == ny(15, 1)
    autumn = TicketSla("T-8", policy, "normal", datetime(2026, 11, 1, 0, tzinfo=NY))
    # 6 of the 7 hours: 05:00 EST (the wall clock shows one hour less than the time used).
    assert due(autumn, "resolution") == datetime(2026, 11, 1, 5, tzinfo=NY)


def office_desk() -> Desk:
    weekdays = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    config = DeskConfig.from_dict(
        {
            "calendars": {
                "office": {
                    "timezone": "America/New_York",
                    "weekly": weekdays,
                    "holidays": {"2026-03-09": "holiday"},
                }
            },
            "sla_policies": [POLICY.to_dict() | {"calendar": "office"}],
            "default_sla_policy": "office",
        }
    )
    desk = Desk(config)
    ana = AgentProfile("ana", {}, ["en"], {"email": 1}, [])
    desk.add_agent(ana, at=ny(6, 14), presence="available")
    return desk


def sla_events(events: list[Event]) -> list[tuple[str, Metric, datetime, object]]:
    return kinds([e for e in events if isinstance(e, SlaWarning | SlaBreached | SlaMet)])


def test_a_desk_paused_over_the_weekend_and_restored_mid_pause_keeps_its_deadlines() -> None:
    desk = office_desk()
    customer = Customer("c-1", Tier("regular", 0), language="en")
    desk.submit(Ticket("T-9", customer, "email", ny(6, 15)), at=ny(6, 15))
    assert sla_events(desk.reply("T-9", "ana", at=ny(6, 16))) == [
        ("met", Metric.FIRST_RESPONSE, ny(6, 16), (H, False))
    ]
    desk.set_status("T-9", "pending", at=ny(6, 16, 30))
    saved = json.loads(json.dumps(desk.snapshot()))
    restored = Desk.restore(desk.config, saved)
    for d in (desk, restored):
        assert d.clocks("T-9")["resolution"].state == "paused"
        # The customer answers on Tuesday at 08:00, before the office opens: the ticket is
        # open again and a next response (2 h) is due at 11:00.
        d.customer_message("T-9", at=ny(10, 8))
        assert d.clocks("T-9")["next_response"].due_at == ny(10, 11)
        assert d.clocks("T-9")["resolution"].due_at == ny(11, 15, 30)
    later = [sla_events(d.advance(at=ny(11, 16))) for d in (desk, restored)]
    assert (
        later[0]
        == later[1]
        == [
            ("warning", Metric.NEXT_RESPONSE, ny(10, 10), 0.5),
            ("warning", Metric.NEXT_RESPONSE, ny(10, 10, 30), 0.75),
            ("warning", Metric.NEXT_RESPONSE, ny(10, 10, 48), 0.9),
            ("breached", Metric.NEXT_RESPONSE, ny(10, 11), ny(10, 11)),
            ("warning", Metric.RESOLUTION, ny(10, 15, 30), 0.5),
            ("warning", Metric.RESOLUTION, ny(11, 11, 30), 0.75),
            ("warning", Metric.RESOLUTION, ny(11, 13, 54), 0.9),
            ("breached", Metric.RESOLUTION, ny(11, 15, 30), ny(11, 15, 30)),
        ]
    )
