"""The low-level SLA API at the ends of the range of dates: instants a calendar's zone cannot date.

9999-12-31T23:00Z is 10000-01-01 06:00 in Jakarta, and 0001-01-01T01:00Z is still the year 0
in New York: no SLA event on such a calendar can be written at them.  A :class:`Desk` refuses
them; :class:`TicketSla` and :class:`SlaClock` refuse them too, with a ``CalendarError`` that
changes nothing (they used to accept them, change state, and then crash with
``OverflowError``).  The oracle is the standard library's: an instant is datable in a zone when
``astimezone`` gives it a date there.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from csflow._time import MAX_US, MIN_US, utc
from csflow.calendar import BusinessCalendar
from csflow.desk import Desk, DeskConfig
from csflow.errors import CalendarError, ConfigError
from csflow.model import Customer, Priority, Ticket, Tier
from csflow.sla import SlaClock, SlaPolicy, TicketSla

H = timedelta(hours=1)
DAY_US = 86_400 * 1_000_000
LATE = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)  # 10000-01-01 06:00 in Jakarta
EARLY = datetime(1, 1, 1, 1, 0, tzinfo=UTC)  # 0000-12-31 20:00 in New York
ZONES = ("Asia/Jakarta", "Asia/Tokyo", "Pacific/Kiritimati", "America/New_York", "UTC")
REFUSED = r"'at' must be from .* the instants every SLA calendar's zone \('"


def datable(t: datetime, zone: str) -> bool:
    """The stdlib's answer: does *zone* give the instant a date within the years 1-9999?"""
    try:
        t.astimezone(ZoneInfo(zone))
    except OverflowError:
        return False
    return True


def policy(zone: str, name: str = "p", **calendars: BusinessCalendar) -> SlaPolicy:
    return SlaPolicy(
        name,
        BusinessCalendar.always_open(zone),
        targets={
            "first_response": H,
            "next_response": 2 * H,
            "periodic_update": 4 * H,
            "resolution": {"normal": 8 * H, "urgent": H},
        },
        warnings=(0.5,),
        calendars=calendars,
    )


def state(sla: TicketSla) -> str:
    return json.dumps(sla.to_dict(), sort_keys=True)


def read_clock(clock: SlaClock) -> None:
    """Every view of a clock works (each datetime the clock writes is one its zone dates)."""
    assert clock.started_at <= clock.last_at
    for instant in (clock.due_at, clock.next_event_at):
        assert instant is None or instant >= clock.started_at
    assert all(clock.started_at <= a <= b <= clock.last_at for a, b in clock.pause_history)
    assert clock.elapsed(clock.last_at) >= timedelta(0)


def read_everything(sla: TicketSla) -> None:
    """Every view of an SLA and of its clocks works, and its snapshot restores."""
    sla.next_deadline()
    repr(sla)
    for clock in sla.clocks.values():
        read_clock(clock)
    again = TicketSla.from_dict(json.loads(state(sla)), {sla.policy.name: sla.policy})
    assert state(again) == state(sla)


COMMANDS: dict[str, Callable[[TicketSla, datetime], object]] = {
    "agent_reply": lambda s, t: s.agent_reply(t),
    "customer_message": lambda s, t: s.customer_message(t),
    "solved": lambda s, t: s.set_status("solved", t),
    "pending": lambda s, t: s.set_status("pending", t),
    "closed": lambda s, t: s.set_status("closed", t),
    "urgent": lambda s, t: s.change_priority("urgent", t),
    "advance": lambda s, t: s.advance(t),
    "note": lambda s, t: s.note_status("assigned", t),
    "stop": lambda s, t: s.clock("first_response").stop(t),  # type: ignore[union-attr]
    "pause": lambda s, t: s.clock("resolution").pause(t),  # type: ignore[union-attr]
    "elapsed": lambda s, t: s.clock("resolution").elapsed(t),  # type: ignore[union-attr]
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_the_reviews_instant_is_refused_by_every_command_and_changes_nothing(
    command: str,
) -> None:
    """The review's repro: an always-open Jakarta policy, a command at 9999-12-31T23:00Z (on
    a ticket created days, not millennia, before: a test counts business time to the end)."""
    sla = TicketSla("T-1", policy("Asia/Jakarta"), "normal", datetime(9999, 12, 29, tzinfo=UTC))
    before = state(sla)
    with pytest.raises(CalendarError, match=REFUSED + r"Asia/Jakarta'\).*9999, 12, 31, 23, 0"):
        COMMANDS[command](sla, LATE)
    assert state(sla) == before
    read_everything(sla)
    # The last instant Jakarta dates is still a command's instant.
    last = datetime(9999, 12, 31, 16, 59, 59, 999_999, tzinfo=UTC)
    COMMANDS[command](sla, last)
    read_everything(sla)


@given(
    zone=st.sampled_from(ZONES),
    command=st.sampled_from(sorted(COMMANDS)),
    # Microseconds before the end of the range of dates in UTC: the last two days, where a
    # zone east of UTC stops dating instants.
    before=st.one_of(st.integers(0, 2 * DAY_US), st.sampled_from([0, 1, 7 * 3_600_000_000])),
)
@example(zone="Asia/Jakarta", command="solved", before=3_600_000_000 - 1)
@example(zone="Asia/Tokyo", command="agent_reply", before=9 * 3_600_000_000)
@example(zone="Asia/Tokyo", command="agent_reply", before=9 * 3_600_000_000 - 1)
def test_a_command_near_the_end_is_refused_exactly_when_the_zone_cannot_date_it(
    zone: str, command: str, before: int
) -> None:
    sla = TicketSla("T-1", policy(zone), "normal", utc(MAX_US - 3 * DAY_US))
    t = utc(MAX_US - before)
    snapshot = state(sla)
    if datable(t, zone):
        COMMANDS[command](sla, t)
        read_everything(sla)
    else:
        with pytest.raises(CalendarError, match=REFUSED):
            COMMANDS[command](sla, t)
        assert state(sla) == snapshot
        read_everything(sla)


@given(
    zone=st.sampled_from(ZONES),
    after=st.one_of(st.integers(0, 2 * DAY_US), st.sampled_from([0, 5 * 3_600_000_000])),
    how=st.sampled_from(["init", "for_ticket", "clock"]),
)
@example(zone="America/New_York", after=3_600_000_000, how="init")
def test_a_creation_near_the_start_is_refused_exactly_when_the_zone_cannot_date_it(
    zone: str, after: int, how: str
) -> None:
    """Mirrored at the start of the year 1: west of UTC, the first hours are the year 0."""
    p = policy(zone)
    t = utc(MIN_US + after)

    def create() -> TicketSla | SlaClock:
        if how == "init":
            return TicketSla("T-1", p, "normal", t)
        if how == "for_ticket":
            return TicketSla.for_ticket(Ticket("T-1", Customer("c", Tier("t", 1)), "email", t), p)
        target = p.target("resolution", "normal")
        assert target is not None
        return SlaClock("T-1", target, t)

    if not datable(t, zone):
        with pytest.raises(CalendarError, match=REFUSED):
            create()
        return
    made = create()
    if isinstance(made, SlaClock):
        read_clock(made)
        made.stop(t + H)
        read_clock(made)
    else:
        read_everything(made)
        made.agent_reply(t + H)
        read_everything(made)


def test_a_ticket_created_at_an_instant_its_zone_cannot_date_is_refused() -> None:
    """It used to be accepted; then its clocks' ``started_at`` crashed."""
    for when, zone in ((LATE, "Asia/Jakarta"), (EARLY, "America/New_York")):
        with pytest.raises(CalendarError, match=REFUSED + zone):
            TicketSla("T-2", policy(zone), "normal", when)


def test_a_priority_change_at_such_an_instant_keeps_the_priority() -> None:
    p = SlaPolicy(
        "p2",
        BusinessCalendar.always_open("Asia/Jakarta"),
        targets={"resolution": {"normal": timedelta(days=10**6), "urgent": H}},
    )
    sla = TicketSla("T-3", p, "normal", datetime(2026, 3, 2, 9, tzinfo=UTC))
    before = state(sla)
    with pytest.raises(CalendarError, match=REFUSED):
        sla.change_priority("urgent", LATE)
    assert state(sla) == before
    assert sla.priority is Priority.NORMAL


def test_every_calendar_of_the_policy_bounds_the_ticket() -> None:
    """A per-metric calendar in Jakarta bounds a ticket whose policy counts in UTC."""
    sla = TicketSla(
        "T-1",
        policy("UTC", resolution=BusinessCalendar.always_open("Asia/Jakarta")),
        "normal",
        datetime(2026, 3, 2, 9, tzinfo=UTC),
    )
    before = state(sla)
    with pytest.raises(CalendarError, match=r"zone \('UTC', 'Asia/Jakarta'\)"):
        sla.set_status("solved", LATE)
    assert state(sla) == before
    with pytest.raises(CalendarError, match=REFUSED):
        TicketSla("T-2", sla.policy, "normal", LATE)


def test_a_policy_change_onto_a_zone_that_cannot_date_the_ticket_is_refused() -> None:
    """The new policy's calendars read the ticket's instants from its creation on."""
    early = TicketSla("T-1", policy("UTC"), "normal", EARLY)
    before = state(early)
    with pytest.raises(CalendarError, match=r"'created_at' must be from .*'America/New_York'"):
        early.change_policy(policy("America/New_York", "ny"), EARLY + 4 * H)
    assert state(early) == before
    late = TicketSla("T-2", policy("UTC"), "normal", datetime(9999, 12, 30, tzinfo=UTC))
    before = state(late)
    with pytest.raises(CalendarError, match=REFUSED + "Asia/Jakarta"):
        late.change_policy(policy("Asia/Jakarta", "jkt"), LATE)
    assert state(late) == before
    # Once on a Jakarta policy, its clocks (kept when the next policy has no target for
    # them) still bound the ticket.
    late.change_policy(policy("Asia/Jakarta", "jkt"), datetime(9999, 12, 31, 12, tzinfo=UTC))
    bare = SlaPolicy("bare", BusinessCalendar.always_open("UTC"), targets={"resolution": 8 * H})
    late.change_policy(bare, datetime(9999, 12, 31, 13, tzinfo=UTC))
    before = state(late)
    with pytest.raises(CalendarError, match=r"zone \('UTC', 'Asia/Jakarta'\)"):
        late.advance(LATE)
    assert state(late) == before
    read_everything(late)


def test_a_clock_refuses_a_recalculation_onto_a_zone_that_cannot_date_it() -> None:
    utc_target = policy("UTC").target("resolution", "normal")
    ny_target = policy("America/New_York").target("resolution", "urgent")
    jkt_target = policy("Asia/Jakarta").target("resolution", "urgent")
    assert utc_target is not None
    assert ny_target is not None
    assert jkt_target is not None
    clock = SlaClock("T-1", utc_target, EARLY)
    before = clock.to_dict()
    with pytest.raises(CalendarError, match=r"'started_at' must be from"):
        clock.recalculate(ny_target, EARLY + H)
    assert clock.to_dict() == before
    clock.advance(datetime(9999, 12, 31, 20, tzinfo=UTC))  # fine in UTC
    before = clock.to_dict()
    with pytest.raises(CalendarError, match=REFUSED + "Asia/Jakarta"):
        clock.recalculate(jkt_target, LATE)
    assert clock.to_dict() == before


def test_a_snapshot_whose_instants_its_zone_cannot_date_is_refused() -> None:
    p = policy("Asia/Jakarta")
    sla = TicketSla("T-1", p, "normal", datetime(2026, 3, 2, 9, tzinfo=UTC))
    sla.set_status("solved", datetime(2026, 3, 2, 10, tzinfo=UTC))
    late_us = (LATE - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    data: dict[str, Any] = json.loads(state(sla))
    data["last"] = late_us
    with pytest.raises(ConfigError, match=r"^ticket_sla\.last: 'last' must be from"):
        TicketSla.from_dict(data, {"p": p})
    data = json.loads(state(sla))
    data["clocks"]["resolution"]["last"] = late_us
    with pytest.raises(ConfigError, match=r"^clock\.last: 'last' must be from"):
        SlaClock.from_dict(data["clocks"]["resolution"], p.calendar)
    with pytest.raises(ConfigError, match=r"^ticket_sla\.clocks\.resolution\.last: "):
        TicketSla.from_dict(data, {"p": p})
    # Written on a UTC policy, restored on a New York one of the same name.
    ny = policy("America/New_York", "ny")
    early = TicketSla("T-1", policy("UTC", "ny"), "normal", EARLY)
    with pytest.raises(ConfigError, match=r"^ticket_sla\.last: 'last' must be from"):
        TicketSla.from_dict(early.to_dict(), {"ny": ny})
    early.advance(EARLY + 24 * H)
    data = early.to_dict()
    with pytest.raises(ConfigError, match=r"^ticket_sla\.clocks\.first_response\.started: "):
        TicketSla.from_dict(data, {"ny": ny})
    data["clocks"] = {}
    with pytest.raises(ConfigError, match=r"^ticket_sla\.facts\.spells\[0\]: 'spells\[0\]' "):
        TicketSla.from_dict(data, {"ny": ny})


def test_a_deadline_past_the_tickets_range_is_never_reached() -> None:
    """A resolution counted in UTC on a Jakarta policy, due at 9999-12-31T20:00Z: UTC dates
    it, but no command on the ticket (nor on a desk) can reach it, as Jakarta cannot.  It
    is no deadline of the ticket (``next_deadline`` used to crash), and a desk does not wake
    up for it (it used to ask for a wakeup its ``advance`` refuses)."""
    jakarta = BusinessCalendar.always_open("Asia/Jakarta")
    p = SlaPolicy(
        "p",
        jakarta,
        targets={"resolution": 8 * H},
        warnings=(),
        calendars={"resolution": BusinessCalendar.always_open("UTC")},
    )
    t = datetime(9999, 12, 31, 12, tzinfo=UTC)
    sla = TicketSla("T", p, "normal", t)
    clock = sla.clock("resolution")
    assert clock is not None
    assert clock.due_at == t + 8 * H  # the clock's own calendar dates it
    assert sla.next_deadline_us() is None
    assert sla.next_deadline() is None
    last = datetime(9999, 12, 31, 16, 59, 59, 999_999, tzinfo=UTC)
    assert sla.advance(last) == []
    # Four hours earlier, it is the ticket's deadline, and it fires.
    sla = TicketSla("T", p, "normal", t - 4 * H)
    assert sla.next_deadline() == t + 4 * H
    assert [type(e).__name__ for e in sla.advance(t + 4 * H)] == ["SlaBreached"]
    desk = Desk(
        DeskConfig.from_dict(
            {
                "tiers": [{"name": "regular", "rank": 1}],
                "calendars": {
                    "j": {"timezone": "Asia/Jakarta", "always_open": True},
                    "u": {"timezone": "UTC", "always_open": True},
                },
                "sla_policies": [
                    {
                        "name": "std",
                        "calendar": "j",
                        "calendars": {"resolution": "u"},
                        "warnings": [],
                        "targets": {"resolution": "PT8H"},
                    }
                ],
                "default_sla_policy": "std",
                "queues": [{"name": "general"}],
            }
        )
    )
    desk.submit(Ticket("T", Customer("c", Tier("regular", 1)), "email", t), at=t)
    assert desk.next_wakeup() is None
    assert desk.advance(at=last) == []
