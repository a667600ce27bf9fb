"""csflow.metrics: SLA cycles across reopenings, and tickets that end without being closed.

Worked examples driven through a real desk: the events come from the desk, the expected
counts by hand from the SLA semantics (a resolution stops the reply clocks without an
``SlaMet``; an abandoned ticket is done for good and its id may come back).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.events import Event
from csflow.metrics import Attainment, Summarizer, summarize
from csflow.sla import SlaBreached, SlaMet

T0 = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)
GOLD = Customer("c1", Tier("gold", 3))


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def sla_desk(targets: dict[str, str], **extra: object) -> Desk:
    return Desk(
        DeskConfig.from_dict(
            {
                "calendars": {"24x7": {"timezone": "UTC", "always_open": True}},
                "sla_policies": [{"name": "p", "calendar": "24x7", "targets": targets}],
                "default_sla_policy": "p",
                **extra,
            }
        )
    )


class Driver:
    """Runs commands on a desk, firing its timers first, and keeps every event."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.events: list[Event] = []

    def __call__(self, command: str, *args: object, t: float) -> None:
        self.events += self.desk.advance(at=at(t))
        self.events += getattr(self.desk, command)(*args, at=at(t))


def reopened_twice(metric: str) -> list[Event]:
    """A ticket whose *metric* cycle is breached, stopped by a resolution, then reopened:
    a second cycle (from the reopening) met on time, a third breached and met late."""
    run = Driver(sla_desk({metric: "PT60S"}))
    run("add_agent", AgentProfile("ana", capacity={"chat": 1}), t=0)
    run("set_presence", "ana", "available", t=0)
    run("submit", Ticket("T1", GOLD, "chat", at(0)), t=0)
    run("reply", "T1", "ana", t=1)
    run("customer_message", "T1", t=2)
    run("resolve", "T1", "ana", t=200)  # the breached cycle stops here, with no SlaMet
    run("reopen", "T1", t=300)
    run("reply", "T1", "ana", t=301)
    run("customer_message", "T1", t=302)
    run("advance", t=500)
    run("reply", "T1", "ana", t=600)
    return run.events


def sla_trace(events: list[Event], metric: str) -> list[tuple[str, float, object]]:
    return [
        (type(e).__name__, (e.at - T0).total_seconds(), getattr(e, "breached", None))
        for e in events
        if isinstance(e, SlaBreached | SlaMet) and e.metric.value == metric
    ]


def test_next_response_cycles_after_a_reopening_each_count() -> None:
    events = reopened_twice("next_response")
    # First cycle (customer wrote at 2): breached at 62, stopped by the resolution at 200.
    # Second (the customer's reopening at 300): met on time by the reply at 301.  Third
    # (customer wrote at 302): breached at 362, met late by the reply at 600.
    assert sla_trace(events, "next_response") == [
        ("SlaBreached", 62.0, None),
        ("SlaMet", 301.0, False),
        ("SlaBreached", 362.0, None),
        ("SlaMet", 600.0, True),
    ]
    assert summarize(events).sla_by_metric["next_response"] == Attainment(met=1, breached=2)


def test_periodic_update_cycles_after_a_reopening_each_count() -> None:
    events = reopened_twice("periodic_update")
    # Breached at 61 and stopped at 200; after the reopening, a cycle met on time at 301,
    # then one breached at 361 and met late at 600.
    assert sla_trace(events, "periodic_update") == [
        ("SlaBreached", 61.0, None),
        ("SlaMet", 301.0, False),
        ("SlaBreached", 361.0, None),
        ("SlaMet", 600.0, True),
    ]
    report = summarize(events)
    assert report.sla_by_metric["periodic_update"] == Attainment(met=1, breached=2)
    assert report.sla == Attainment(met=1, breached=2)
    assert report.sla_by_tier["gold"] == Attainment(met=1, breached=2)


def test_a_breach_then_a_longer_target_is_one_breached_cycle() -> None:
    # A breach is not withdrawn when the target grows: the clock runs on time again and is
    # then met, but the cycle was breached once and counts once.
    desk = Desk(
        DeskConfig.from_dict(
            {
                "calendars": {"24x7": {"timezone": "UTC", "always_open": True}},
                "sla_policies": [
                    {"name": "short", "calendar": "24x7", "targets": {"first_response": "PT60S"}},
                    {"name": "long", "calendar": "24x7", "targets": {"first_response": "PT1H"}},
                ],
                "default_sla_policy": "short",
            }
        )
    )
    run = Driver(desk)
    run("add_agent", AgentProfile("ana", capacity={"chat": 1}), t=0)
    run("submit", Ticket("T1", GOLD, "chat", at(0)), t=0)
    run("set_sla_policy", "T1", "long", t=90)
    run("set_presence", "ana", "available", t=100)
    run("reply", "T1", "ana", t=120)
    assert sla_trace(run.events, "first_response") == [
        ("SlaBreached", 60.0, None),
        ("SlaMet", 120.0, False),
    ]
    assert summarize(run.events).sla_by_metric["first_response"] == Attainment(0, 1)


def test_an_abandoned_ticket_forgotten_frees_its_id_for_the_report_too() -> None:
    desk = Desk(DeskConfig())
    events: list[Event] = []
    events += desk.submit(Ticket("T1", GOLD, "chat", at(0)), at=at(0))
    events += desk.abandon("T1", at=at(30))
    desk.forget("T1", at=at(31))
    events += desk.submit(Ticket("T1", GOLD, "chat", at(40)), at=at(40))
    events += desk.add_agent(
        AgentProfile("ana", capacity={"chat": 1}), at=at(45), presence="available"
    )
    report = summarize(events)
    # Two customers: one gave up after 30 s, one was answered after 5 s.
    assert (report.offered, report.answered, report.abandoned) == (2, 1, 1)
    assert report.waiting == 0
    assert report.service_level == 0.5
    assert report.average_speed_of_answer == timedelta(seconds=5)


@pytest.mark.parametrize("end", ["abandon", "close"])
def test_ids_that_come_back_count_as_new_tickets_every_time(end: str) -> None:
    # An abandoned or closed ticket leaves no record behind (memory follows the open work),
    # so one id going round again and again counts as a new ticket each time.
    desk = Desk(DeskConfig())
    live = Summarizer()
    live.extend(
        desk.add_agent(
            AgentProfile("ana", capacity={"chat": 1}),
            at=at(0),
            presence="offline" if end == "abandon" else "available",
        )
    )
    for i in range(50):
        t = at(10 * i)
        live.extend(desk.submit(Ticket("T", GOLD, "chat", t), at=t))
        if end == "abandon":
            live.extend(desk.abandon("T", at=at(10 * i + 4)))
        else:
            live.extend(desk.resolve("T", "ana", at=at(10 * i + 4)))
            live.extend(desk.close("T", at=at(10 * i + 4)))
        desk.forget("T", at=at(10 * i + 4))
    report = live.report()
    if end == "abandon":
        assert (report.offered, report.answered, report.abandoned) == (50, 0, 50)
    else:
        assert (report.offered, report.answered, report.resolved) == (50, 50, 50)
        assert report.handle_time == timedelta(seconds=4 * 50)
    assert report.waiting == 0


def test_a_windows_busy_time_is_the_difference_of_two_cumulative_reports() -> None:
    # One hour of work, 09:30-10:30, reported per hour as the module notes say to.
    desk = Desk(DeskConfig())
    hour = timedelta(hours=1)
    live = Summarizer()
    live.extend(
        desk.add_agent(AgentProfile("ana", capacity={"email": 1}), at=T0, presence="available")
    )
    live.extend(desk.submit(Ticket("T1", GOLD, "email", T0 + hour / 2), at=T0 + hour / 2))
    at_ten = live.report(until=T0 + hour)
    live.extend(desk.resolve("T1", "ana", at=T0 + 1.5 * hour))
    at_eleven = live.report(until=T0 + 2 * hour)
    assert at_ten.handle_time == hour / 2  # 09:30-10:00, cut at the window's end
    assert at_eleven.handle_time - at_ten.handle_time == hour / 2  # 10:00-10:30
    assert at_eleven.handle_time == hour
    assert (at_ten.resolved, at_eleven.resolved) == (0, 1)


def test_a_resolution_clock_resumed_by_reopenings_counts_once_per_ticket() -> None:
    # One resolution clock of 3 minutes: solved at 2:00 (met so far), reopened at 2:10,
    # solved at 2:40 (used 2:30 of it: the solved spell paused it), reopened at 3:00, breached
    # at 3:30 and solved at 6:20.  One clock, one outcome: breached.
    run = Driver(sla_desk({"first_response": "PT1M", "resolution": "PT3M"}))
    run("add_agent", AgentProfile("ana", capacity={"chat": 1}), t=0)
    run("set_presence", "ana", "available", t=0)
    run("submit", Ticket("T1", GOLD, "chat", at(0)), t=0)
    run("reply", "T1", "ana", t=10)
    run("resolve", "T1", "ana", t=120)
    run("reopen", "T1", t=130)
    run("resolve", "T1", "ana", t=170)
    after_two = summarize(run.events)
    # Solved twice within target: still one met cycle, not two.
    assert after_two.sla_by_metric["resolution"] == Attainment(met=1, breached=0)
    run("reopen", "T1", t=180)
    run("advance", t=400)
    run("resolve", "T1", "ana", t=400)
    assert [k for k, _, _ in sla_trace(run.events, "resolution")] == [
        "SlaMet",
        "SlaMet",
        "SlaBreached",
        "SlaMet",
    ]
    report = summarize(run.events)
    assert report.sla_by_metric["resolution"] == Attainment(met=0, breached=1)
    assert report.sla_by_metric["first_response"] == Attainment(met=1, breached=0)
    assert report.sla == Attainment(met=1, breached=1)
    assert report.sla_by_tier["gold"] == Attainment(met=1, breached=1)
    assert report.sla_by_channel["chat"] == Attainment(met=1, breached=1)
    # Folded one event at a time, the same: the met is taken back when the breach comes.
    live = Summarizer()
    seen = []
    for e in run.events:
        live.add(e)
        seen.append(live.report().sla_by_metric.get("resolution"))
    assert Attainment(met=1, breached=0) in seen
    assert seen[-1] == Attainment(met=0, breached=1)


def test_first_contact_resolution_counts_tickets_resolved_once_without_a_hand_over() -> None:
    run = Driver(Desk(DeskConfig()))
    run("add_agent", AgentProfile("ana", capacity={"chat": 3}), t=0)
    run("add_agent", AgentProfile("budi", capacity={"chat": 3}), t=0)
    run("set_presence", "ana", "available", t=0)
    for tid in ("T1", "T2", "T3", "T4"):
        run("submit", Ticket(tid, GOLD, "chat", at(0)), t=0)
    run("set_presence", "budi", "available", t=1)  # budi takes T4
    run("resolve", "T1", "ana", t=60)  # at first contact
    run("resolve", "T2", "ana", t=70)  # ... until the customer comes back
    run("transfer", "T3", "budi", t=80)  # handed over, then resolved: not first contact
    run("resolve", "T3", "budi", t=90)
    mid = summarize(run.events)
    assert (mid.tickets_resolved, mid.resolved_first_contact) == (3, 2)
    run("reopen", "T2", t=100)
    run("resolve", "T2", "ana", t=110)  # resolved again: still one ticket, no longer FCR
    report = summarize(run.events)
    assert report.resolved == 4
    assert (report.tickets_resolved, report.resolved_first_contact) == (3, 1)
    assert report.first_contact_resolution == 1 / 3
    assert report.to_dict()["first_contact_resolution"] == 1 / 3
    # T4 was never resolved: it counts neither way.
    assert summarize([]).first_contact_resolution is None
