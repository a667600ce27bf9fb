"""Three desks worked on paper, and their reports read back figure by figure.

1. A small chat desk in Jakarta over one morning: one agent, four chats, a short abandon.
2. A Jakarta desk with a front line and a back office: an escalation, a parking, a
   reopening and an upgrade to the VIP policy (handle time, FCR, SLA per policy).
3. Berlin on the night its clocks fall back: hourly rows of the repeated hour, and a day
   25 hours long.

The numbers in the comments are the hand count; the desks' own events are summarized.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.events import Event, TicketAbandoned, TicketAssigned, TicketQueued
from csflow.metrics import Attainment, summarize, summarize_intervals
from csflow.model import Priority

WIB = ZoneInfo("Asia/Jakarta")
BERLIN = ZoneInfo("Europe/Berlin")
GOLD = Tier("gold", 1)
S = timedelta(seconds=1)
M = timedelta(minutes=1)


def wib(clock: str) -> datetime:
    h, m, s = (int(x) for x in clock.split(":"))
    return datetime(2026, 3, 19, h, m, s, tzinfo=WIB)


def chat(tid: str, clock: str) -> Ticket:
    return Ticket(tid, Customer("c" + tid, GOLD), "chat", wib(clock))


def chat_desk() -> tuple[list[Event], datetime]:
    """Ana alone on a 24/7 chat desk, one chat at a time; first reply in 5 minutes,
    resolution in an hour."""
    desk = Desk(
        DeskConfig.from_dict(
            {
                "tiers": [{"name": "gold", "rank": 1}],
                "channels": ["chat"],
                "calendars": {"wib": {"timezone": "Asia/Jakarta", "always_open": True}},
                "sla_policies": [
                    {
                        "name": "chat",
                        "calendar": "wib",
                        "targets": {"first_response": "PT5M", "resolution": "PT1H"},
                    }
                ],
                "default_sla_policy": "chat",
            }
        )
    )
    events: list[Event] = []

    def now(clock: str) -> datetime:
        events.extend(desk.advance(at=wib(clock)))
        return wib(clock)

    ana = AgentProfile("ana", {}, [], {"chat": 1}, [])
    events += desk.add_agent(ana, at=wib("09:00:00"), presence="available")
    events += desk.submit(chat("T1", "09:00:00"), at=now("09:00:00"))  # taken at once
    events += desk.reply("T1", "ana", at=now("09:02:00"))  # first reply in 2 min: met
    events += desk.submit(chat("T2", "09:10:00"), at=now("09:10:00"))  # ana is busy
    events += desk.resolve("T1", "ana", at=now("09:12:00"))  # T2 taken: waited 120 s
    events += desk.reply("T2", "ana", at=now("09:20:00"))  # 10 min: breached at 09:15
    events += desk.submit(chat("T3", "09:25:00"), at=now("09:25:00"))
    events += desk.abandon("T3", at=now("09:25:03"))  # gone after 3 s
    events += desk.resolve("T2", "ana", at=now("09:40:00"))
    events += desk.submit(chat("T4", "09:45:00"), at=now("09:45:00"))  # taken at once
    events += desk.reply("T4", "ana", at=now("09:49:00"))
    events += desk.resolve("T4", "ana", at=now("10:05:00"))
    return events, now("17:00:00")


def test_a_jakarta_chat_morning_counted_by_hand() -> None:
    events, end = chat_desk()
    report = summarize(events, short_abandon=5 * S, available=timedelta(hours=8), until=end)
    # Offered T1-T4; answered T1 (0 s), T2 (120 s), T4 (0 s); T3 abandoned after 3 s.
    assert (report.offered, report.answered, report.abandoned) == (4, 3, 1)
    assert (report.answered_within_target, report.short_abandoned) == (2, 1)
    assert report.service_level == 2 / 3  # 2 within 20 s of 3 answered, T3 left out
    assert report.abandonment_rate == 0.0  # (1 - 1) / (4 - 1)
    assert report.average_speed_of_answer == 40 * S  # (0 + 120 + 0) / 3
    # Handling: T1 09:00-09:12, T2 09:12-09:40, T4 09:45-10:05: 12 + 28 + 20 minutes.
    assert report.handle_time == 60 * M
    assert report.average_handle_time == 20 * M
    assert report.handle_time_per_resolved_ticket == 20 * M
    assert report.first_contact_resolution == 1.0
    assert report.occupancy == 1 / 8  # an hour's chats in ana's 8 hours
    assert report.max_queue_length == 1
    # First replies: T1 met, T2 breached, T4 met (T3 left before any); three resolutions met.
    assert report.sla == Attainment(met=5, breached=1)
    assert report.sla_by_metric == {
        "first_response": Attainment(met=2, breached=1),
        "resolution": Attainment(met=3, breached=0),
    }
    assert report.sla_by_policy == {"chat": Attainment(met=5, breached=1)}
    # Without the threshold T3 is an ordinary abandonment: a miss.
    plain = summarize(events, until=end)
    assert (plain.service_level, plain.abandonment_rate) == (2 / 4, 1 / 4)


def test_the_jakarta_morning_in_half_hours() -> None:
    events, end = chat_desk()
    report = summarize_intervals(
        events, interval=30 * M, zone="Asia/Jakarta", short_abandon=5 * S, until=end
    )
    assert [start for start, _ in report] == [wib("09:00:00"), wib("09:30:00")]
    nine, half_past = (row for _, row in report)
    # 09:00 offered T1, T2, T3; T2's reply and resolution (09:20, 09:40) count there too.
    assert (nine.offered, nine.answered, nine.abandoned, nine.short_abandoned) == (3, 2, 1, 1)
    assert nine.service_level == 1 / 2  # T1 within, T2 not; T3 out
    assert nine.average_speed_of_answer == 60 * S
    assert nine.average_handle_time == 20 * M  # (12 + 28) / 2
    assert nine.sla == Attainment(met=3, breached=1)
    assert (half_past.offered, half_past.answered, half_past.service_level) == (1, 1, 1.0)
    assert half_past.average_handle_time == 20 * M
    assert half_past.sla == Attainment(met=2, breached=0)
    assert report.lengths == (30 * M, 30 * M)
    assert report.table()[1:] == [
        "2026-03-19 09:00               3        2     50.0%     60 s         1  20.0 min"
        "           1",
        "2026-03-19 09:30               1        1    100.0%      0 s         0  20.0 min"
        "           0",
        "total                          4        3     66.7%     40 s         1  20.0 min"
        "           1",
    ]


def test_a_jakarta_desk_that_escalates_parks_reopens_and_upgrades() -> None:
    desk = Desk(
        DeskConfig.from_dict(
            {
                "tiers": [{"name": "gold", "rank": 1}],
                "channels": ["chat"],
                "calendars": {"wib": {"timezone": "Asia/Jakarta", "always_open": True}},
                "sla_policies": [
                    {
                        "name": "std",
                        "calendar": "wib",
                        "targets": {"first_response": "PT10M", "resolution": "PT2H"},
                    },
                    {
                        "name": "vip",
                        "calendar": "wib",
                        "targets": {"first_response": "PT2M", "resolution": "PT30M"},
                    },
                ],
                "default_sla_policy": "std",
                "queues": [{"name": "front"}, {"name": "back"}],
                "routing_profiles": [
                    {"name": "front", "queues": ["front"]},
                    {"name": "back", "queues": ["back"]},
                ],
                "teams": {
                    "front": {"queue": "front", "routing_profile": "front"},
                    "back": {"queue": "back", "routing_profile": "back"},
                },
                "escalation": {
                    "teams": ["front", "back"],
                    "entry": ["front"],
                    "edges": {"front": ["back"]},
                },
            }
        )
    )
    events: list[Event] = []

    def now(clock: str) -> datetime:
        events.extend(desk.advance(at=wib(clock)))
        return wib(clock)

    start = wib("10:00:00")
    events += desk.add_agent(
        AgentProfile("ana", {}, [], {"chat": 2}, ["front"]), at=start, presence="available"
    )
    events += desk.add_agent(
        AgentProfile("budi", {}, [], {"chat": 1}, ["back"]), at=start, presence="available"
    )
    events += desk.submit(chat("K1", "10:00:00"), at=now("10:00:00"))  # ana, at once
    events += desk.submit(chat("K2", "10:01:00"), at=now("10:01:00"))  # ana, at once
    events += desk.reply("K1", "ana", at=now("10:03:00"))  # first reply 3 min: met (std)
    events += desk.escalate("K1", "back", at=now("10:05:00"))  # ana 5 min; budi takes it
    events += desk.reply("K2", "ana", at=now("10:06:00"))  # first reply 5 min: met (std)
    events += desk.set_status("K2", "pending", at=now("10:08:00"))  # ana 7 min
    events += desk.set_status("K2", "open", at=now("10:20:00"))  # back to ana
    events += desk.resolve("K1", "budi", at=now("10:25:00"))  # budi 20 min; 25 min: met
    events += desk.resolve("K2", "ana", at=now("10:30:00"))  # ana 10 min; met (std)
    events += desk.reopen("K2", at=now("10:40:00"))  # back to ana
    events += desk.set_sla_policy("K2", "vip", at=now("10:41:00"))
    # The resolution clock had used 17 minutes (29 less 12 parked): the VIP target's
    # 30 minutes run out at 10:53.
    events += desk.resolve("K2", "ana", at=now("12:00:00"))  # ana 80 min
    end = now("13:00:00")
    report = summarize(events, until=end)

    assert (report.offered, report.answered, report.answered_within_target) == (2, 2, 2)
    assert report.average_speed_of_answer == timedelta(0)  # the back office's wait is no answer
    assert (report.escalations, report.transfers, report.reopened) == (1, 0, 1)
    assert report.escalations_per_ticket == 0.5
    # K1 was handed over, K2 came back: neither resolved at first contact.
    assert (report.tickets_resolved, report.resolved_first_contact) == (2, 0)
    # Resolving spans: budi's 20, ana's 10, ana's 80 after the reopening.
    assert report.handlings_resolved == 3
    assert report.resolved_handle_time == 110 * M
    assert report.average_handle_time == 110 * M / 3
    # All the handling: K1 5 + 20, K2 7 + 10 + 80 = 122 minutes over two tickets.
    assert report.resolved_tickets_handle_time == 122 * M
    assert report.handle_time_per_resolved_ticket == 61 * M
    assert report.handle_time == 122 * M
    # Both first replies and K1's resolution met under std; K2's resolution, met under std at
    # 10:30, breached under vip after the reopening: taken back from std.
    assert report.sla_by_policy == {
        "std": Attainment(met=3, breached=0),
        "vip": Attainment(met=0, breached=1),
    }
    assert report.sla_by_metric == {
        "first_response": Attainment(met=2, breached=0),
        "resolution": Attainment(met=1, breached=1),
    }


def berlin(utc_clock: str, day: int = 25) -> datetime:
    h, m, s = (int(x) for x in utc_clock.split(":"))
    return datetime(2026, 10, day, h, m, s, tzinfo=UTC)


def queued(at: datetime, tid: str) -> TicketQueued:
    return TicketQueued(at, tid, "front", Priority.NORMAL, None, "gold", "email", "")


# 25 October 2026: at 01:00 UTC Berlin's clocks go back from 03:00 CEST to 02:00 CET.
FALL_BACK: list[Event] = [
    queued(berlin("23:50:00", 24), "D1"),  # 01:50 CEST
    TicketAssigned(berlin("00:10:00"), "D1", "ana", 1200.0, 1, ""),  # 02:10 CEST
    queued(berlin("00:15:00"), "D2"),  # 02:15 CEST
    TicketAssigned(berlin("00:15:10"), "D2", "ana", 10.0, 1, ""),
    queued(berlin("01:15:00"), "D3"),  # 02:15 CET, the second 02:15
    TicketAbandoned(berlin("01:16:00"), "D3", 60.0),
    queued(berlin("01:59:59"), "D4"),  # 02:59:59 CET
    TicketAssigned(berlin("02:00:30"), "D4", "ana", 31.0, 1, ""),  # 03:00:30 CET
    queued(berlin("02:00:00"), "D5"),  # 03:00 CET: the edge opens the 03:00 row
    TicketAssigned(berlin("02:00:00"), "D5", "ana", 0.0, 1, ""),
]


def test_berlin_hourly_rows_on_the_night_the_clocks_go_back() -> None:
    report = summarize_intervals(FALL_BACK, interval=timedelta(hours=1), zone=BERLIN)
    starts = [start.astimezone(UTC) for start, _ in report]
    # 01:00 CEST, 02:00 CEST, 02:00 CET, 03:00 CET: each an hour long.
    assert starts == [
        berlin("23:00:00", 24),
        berlin("00:00:00"),
        berlin("01:00:00"),
        berlin("02:00:00"),
    ]
    assert [start.fold for start, _ in report] == [0, 0, 1, 0]
    assert report.lengths == (timedelta(hours=1),) * 4
    rows = [row for _, row in report]
    # D1 waited 20 minutes into the next hour: answered, late, in its 01:00 row.
    assert (rows[0].offered, rows[0].answered, rows[0].answered_within_target) == (1, 1, 0)
    assert rows[0].total_wait == 20 * M
    assert (rows[1].offered, rows[1].answered_within_target) == (1, 1)
    # The second 02:00 hour: D3 abandoned, D4 answered after 31 s (past 20 s).
    assert (rows[2].offered, rows[2].answered, rows[2].abandoned) == (2, 1, 1)
    assert rows[2].service_level == 0.0
    assert rows[2].total_wait == 31 * S
    assert (rows[3].offered, rows[3].answered_within_target) == (1, 1)
    assert [line[:24].rstrip() for line in report.table()[1:]] == [
        "2026-10-25 01:00",
        "2026-10-25 02:00 +0200",
        "2026-10-25 02:00 +0100",
        "2026-10-25 03:00",
        "total",
    ]
    total = report.total
    assert (total.offered, total.answered, total.abandoned) == (5, 4, 1)
    assert total.service_level == 2 / 5


def test_berlin_fall_back_day_is_one_row_25_hours_long() -> None:
    report = summarize_intervals(FALL_BACK, interval=timedelta(days=1), zone=BERLIN)
    assert len(report) == 1
    start, row = report[0]
    assert start == datetime(2026, 10, 25, tzinfo=BERLIN)  # 22:00 UTC on the 24th
    assert report.lengths == (timedelta(hours=25),)
    assert row == report.total
    assert (row.offered, row.answered, row.abandoned) == (5, 4, 1)
    # A ticket at 23:59:59 on the 25th, local, is still in that day; at midnight, the next.
    late: list[Event] = [queued(berlin("22:59:59"), "L1"), queued(berlin("23:00:00"), "L2")]
    days = summarize_intervals(FALL_BACK + late, interval=timedelta(days=1), zone=BERLIN)
    assert [(s.day, r.offered) for s, r in days] == [(25, 6), (26, 1)]
    assert days.lengths == (timedelta(hours=25), timedelta(hours=24))


def test_berlin_edges_of_the_clock_changes() -> None:
    # The fall-back instant itself (01:00 UTC) opens the second 02:00 hour.
    edge = summarize_intervals(
        [queued(berlin("00:59:59"), "E1"), queued(berlin("01:00:00"), "E2")],
        interval=timedelta(hours=1),
        zone=BERLIN,
    )
    assert [(s.hour, s.fold, r.offered) for s, r in edge] == [(2, 0, 1), (2, 1, 1)]
    # 29 March 2026: 02:00 CET becomes 03:00 CEST at 01:00 UTC.  In 2-hour intervals the
    # wall clock never reads 02:00: the 00:00 interval runs until 04:00 CEST, three hours.
    spring = [
        TicketQueued(
            datetime(2026, 3, 29, h, m, tzinfo=UTC),
            f"S{h}{m}",
            "f",
            Priority.NORMAL,
            None,
            "gold",
            "email",
            "",
        )
        for h, m in ((0, 59), (1, 0), (1, 59), (2, 0))
    ]
    two = summarize_intervals(spring, interval=timedelta(hours=2), zone=BERLIN)
    assert [(s.hour, r.offered) for s, r in two] == [(0, 3), (4, 1)]
    assert two.lengths == (timedelta(hours=3), timedelta(hours=2))
    one = summarize_intervals(spring, interval=timedelta(hours=1), zone=BERLIN)
    assert [(s.hour, r.offered) for s, r in one] == [(1, 1), (3, 2), (4, 1)]
    assert one.lengths == (timedelta(hours=1),) * 3
