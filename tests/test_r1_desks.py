"""Three desks worked by hand: a Jakarta office over Lebaran, a London desk open at weekends
across the October clock change, and a 24/7 chat desk with a one-minute first reply across
New York's spring-forward night.  Every instant below was computed on paper from the docs'
rules, not by csflow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from csflow import BusinessCalendar, Customer, Ticket, Tier
from csflow.events import SlaBreached, SlaEvent, SlaMet, SlaWarning
from csflow.samples import JAKARTA_HOLIDAYS_2026
from csflow.sla import Metric, SlaClock, SlaPolicy, SlaTarget, TicketSla

JAKARTA = ZoneInfo("Asia/Jakarta")
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def kinds(events: list[SlaEvent]) -> list[tuple[str, datetime]]:
    out = []
    for e in events:
        name = {SlaWarning: "warning", SlaBreached: "breached", SlaMet: "met"}[type(e)]
        out.append((name, e.at.astimezone(UTC)))
    return out


def offsets(events: list[SlaEvent]) -> list[timedelta | None]:
    return [e.at.utcoffset() for e in events]


def test_jakarta_office_over_lebaran() -> None:
    """Mon-Fri 08:00-17:00 WIB.  A ticket at 15:00 on Tuesday 17 March 2026 with 8 business
    hours: 2 that afternoon; Wednesday 18 to Tuesday 24 are Nyepi, Idul Fitri, cuti bersama and
    a weekend; so 50 % (4 h) falls on Wednesday 25 at 10:00, 75 % (6 h) at 12:00, 90 % (7 h
    12 min) at 13:12 and the deadline at 14:00.  Pending from 11:00 to Thursday 09:00 moves
    the last two: 5 h used at the pause, so 6 h at 10:00, 7 h 12 min at 11:12, breach 12:00."""

    def jkt(day: int, hour: int, minute: int = 0) -> datetime:
        return datetime(2026, 3, day, hour, minute, tzinfo=JAKARTA)

    office = BusinessCalendar(
        "Asia/Jakarta",
        weekly={day: [("08:00", "17:00")] for day in WEEKDAYS},
        holidays=JAKARTA_HOLIDAYS_2026,
    )
    target = SlaTarget(Metric.RESOLUTION, timedelta(hours=8), office)
    clock = SlaClock("T-LEB", target, jkt(17, 15))
    assert clock.due_at == jkt(25, 14)
    assert clock.next_event_at == jkt(25, 10)
    assert clock.advance(jkt(24, 23, 59)) == []  # nothing over the holidays
    assert kinds(clock.pause(jkt(25, 11))) == [("warning", jkt(25, 10))]
    assert clock.elapsed(jkt(26, 8, 30)) == timedelta(hours=5)
    events = clock.resume(jkt(26, 9)) + clock.advance(jkt(26, 16))
    assert kinds(events) == [
        ("warning", jkt(26, 10)),
        ("warning", jkt(26, 11, 12)),
        ("breached", jkt(26, 12)),
    ]
    (met,) = clock.stop(jkt(26, 16))
    assert isinstance(met, SlaMet)
    assert met.breached
    assert met.elapsed == timedelta(hours=12)  # 5 h, then 09:00-16:00
    assert clock.pause_history == ((jkt(25, 11), jkt(26, 9)),)


def test_london_weekend_desk_across_the_october_change() -> None:
    """Open all weekend (and 09:00-17:30 on weekdays).  BST ends on Sunday 25 October 2026:
    02:00 BST becomes 01:00 GMT, so that Sunday lasts 25 hours.  A ticket at 20:00 BST on
    Saturday (19:00Z) with a 12-hour target: every hour counts, so 50 % falls at 01:00Z, the
    *second* 01:00 (GMT, fold=1), 75 % at 04:00 GMT, 90 % at 05:48 GMT and the breach at
    07:00 GMT -- not 08:00, as a count by the wall clock would have it."""
    weekly: dict[str, list[tuple[str, str]]] = {day: [("09:00", "17:30")] for day in WEEKDAYS}
    weekly |= {"sat": [("00:00", "24:00")], "sun": [("00:00", "24:00")]}
    desk = BusinessCalendar("Europe/London", weekly=weekly)
    opened = datetime(2026, 10, 24, 20, tzinfo=LONDON)
    assert opened.utcoffset() == timedelta(hours=1)
    target = SlaTarget(Metric.RESOLUTION, timedelta(hours=12), desk)

    def gmt(hour: int, minute: int = 0) -> datetime:
        return datetime(2026, 10, 25, hour, minute, tzinfo=UTC)

    clock = SlaClock("T-LON", target, opened)
    events = clock.advance(datetime(2026, 10, 25, 12, tzinfo=LONDON))
    assert kinds(events) == [
        ("warning", gmt(1)),
        ("warning", gmt(4)),
        ("warning", gmt(5, 48)),
        ("breached", gmt(7)),
    ]
    first = events[0].at
    assert (first.hour, first.fold, first.utcoffset()) == (1, 1, timedelta(0))
    assert (events[-1].at.hour, events[-1].at.minute) == (7, 0)
    assert offsets(events) == [timedelta(0)] * 4

    # Pending from 00:30 BST (23:30Z on Saturday) to the first 01:30 (BST, 00:30Z): one real
    # hour, so everything after moves an hour: 02:00, 05:00, 06:48 and 08:00 GMT.
    paused = SlaClock("T-LON-2", target, opened)
    assert paused.pause(datetime(2026, 10, 25, 0, 30, tzinfo=LONDON)) == []
    resumed_at = datetime(2026, 10, 25, 1, 30, tzinfo=LONDON)  # fold=0: BST
    # (An instant in the overlap compares unequal across zones, PEP 495: compare in UTC.)
    assert resumed_at.astimezone(UTC) == gmt(0, 30)
    assert paused.elapsed(resumed_at) == timedelta(hours=4, minutes=30)
    events = paused.resume(resumed_at) + paused.advance(gmt(12))
    assert kinds(events) == [
        ("warning", gmt(2)),
        ("warning", gmt(5)),
        ("warning", gmt(6, 48)),
        ("breached", gmt(8)),
    ]
    # Business time on the calendar itself: Saturday 20:00 BST to Sunday 20:00 GMT is 25 h.
    assert desk.elapsed(opened, datetime(2026, 10, 25, 20, tzinfo=LONDON)) == timedelta(hours=25)
    # Then Monday 09:00-17:30 GMT: 29 + 8 = 37 h end at 17:00 on Monday, and 40 h (29 + 8.5,
    # then 2.5 on Tuesday) at 11:30 on Tuesday.
    assert desk.add(opened, timedelta(hours=37)) == datetime(2026, 10, 26, 17, tzinfo=LONDON)
    assert desk.add(opened, timedelta(hours=40)) == datetime(2026, 10, 27, 11, 30, tzinfo=LONDON)


def test_chat_desk_with_a_one_minute_first_reply_across_spring_forward() -> None:
    """24/7 chat in New York; first reply within one minute.  On 8 March 2026 the clocks go
    from 02:00 EST to 03:00 EDT.  A chat at 01:59:30 EST (06:59:30Z): 50 % (30 s) is due at
    03:00:00 EDT, 75 % at 03:00:15, 90 % at 03:00:24 and the deadline at 03:00:30 EDT.  A
    reply at the deadline meets it; one a second later is late."""
    chat = BusinessCalendar.always_open("America/New_York")
    policy = SlaPolicy(
        "chat",
        chat,
        targets={"first_response": timedelta(minutes=1), "resolution": timedelta(hours=4)},
    )

    def ny(hour: int, minute: int, second: int = 0) -> datetime:
        return datetime(2026, 3, 8, hour, minute, second, tzinfo=NEW_YORK)

    rina = Customer("cust-1", Tier("gold", 1), language="en")
    on_time = TicketSla.for_ticket(Ticket("C-1", rina, "chat", ny(1, 59, 30)), policy)
    reply = on_time.clock("first_response")
    assert reply is not None
    assert reply.due_at == ny(3, 0, 30)
    assert reply.due_at.utcoffset() == timedelta(hours=-4)
    events = on_time.agent_reply(ny(3, 0, 30))
    assert kinds(events) == [
        ("warning", ny(3, 0)),
        ("warning", ny(3, 0, 15)),
        ("warning", ny(3, 0, 24)),
        ("met", ny(3, 0, 30)),
    ]
    met = events[-1]
    assert isinstance(met, SlaMet)
    assert not met.breached
    assert met.metric is Metric.FIRST_RESPONSE
    assert met.elapsed == timedelta(minutes=1)

    late = TicketSla.for_ticket(Ticket("C-2", rina, "chat", ny(1, 59, 30)), policy)
    events = [e for e in late.agent_reply(ny(3, 0, 31)) if e.metric is Metric.FIRST_RESPONSE]
    assert kinds(events)[-2:] == [("breached", ny(3, 0, 30)), ("met", ny(3, 0, 31))]
    met = events[-1]
    assert isinstance(met, SlaMet)
    assert met.breached
    assert met.elapsed == timedelta(seconds=61)
    # The resolution clock keeps running, four real hours from 06:59:30Z.
    resolution = late.clock("resolution")
    assert resolution is not None
    assert resolution.due_at == datetime(2026, 3, 8, 10, 59, 30, tzinfo=UTC)
