"""A warning of a target the calendar never reaches is not announced.

An SLA clock sends no warning of a breach that cannot come (a pop-up desk's calendar of
special days only, open for part of the target and then never again): ``next_event_at`` says
so (``None``), as does the ticket's ``next_deadline`` and the desk's ``next_wakeup``, instead
of naming the warning's instant, at which nothing happens.  Reading them changes no snapshot.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import Customer, Desk, DeskConfig, Ticket
from csflow.calendar import BusinessCalendar
from csflow.sla import Metric, SlaClock, SlaPolicy, SlaTarget, TicketSla

H = timedelta(hours=1)
M = timedelta(minutes=1)
START = datetime(2026, 11, 11, 8, tzinfo=UTC)

# An 11.11 campaign desk: open 09:00-17:00 on 11 and 12 November 2026, and never again.
POPUP = BusinessCalendar(
    "UTC",
    special_days={
        date(2026, 11, 11): [("09:00", "17:00")],
        date(2026, 11, 12): [("09:00", "17:00")],
    },
)


def test_a_warning_before_a_deadline_that_never_comes_is_not_announced() -> None:
    # 20 business hours: 16 are open, so the half-way warning (10 h) is in reach, the
    # deadline not.  By hand: 8 h on the 11th, 2 more on the 12th -> 11:00 on the 12th.
    clock = SlaClock("t", SlaTarget(Metric.RESOLUTION, 20 * H, POPUP, (0.5,)), START)
    assert clock.due_at is None
    assert clock.next_event_at is None
    assert clock.next_event_us is None
    # Nothing comes at the warning's instant, nor ever after.
    assert clock.advance(datetime(2026, 11, 12, 11, tzinfo=UTC)) == []
    assert clock.advance(datetime(2030, 1, 1, tzinfo=UTC)) == []
    assert clock.next_event_at is None


def test_a_deadline_in_reach_still_announces_its_warning() -> None:
    # 12 business hours: due at 13:00 on the 12th, warned at 6 h, 15:00 on the 11th.
    clock = SlaClock("t", SlaTarget(Metric.RESOLUTION, 12 * H, POPUP, (0.5,)), START)
    assert clock.next_event_at == datetime(2026, 11, 11, 15, tzinfo=UTC)
    assert clock.due_at == datetime(2026, 11, 12, 13, tzinfo=UTC)


def test_the_ticket_names_no_deadline_for_it() -> None:
    policy = SlaPolicy("popup", POPUP, {Metric.RESOLUTION: 20 * H}, warnings=(0.5,))
    ts = TicketSla("t", policy, "normal", START)
    before = ts.to_dict()
    assert ts.next_deadline() is None
    assert ts.next_deadline_us() is None
    assert ts.to_dict() == before  # a read worked the deadline out, and kept nothing


@settings(max_examples=60)
@given(
    target_minutes=st.integers(1, 3 * 16 * 60),
    warning=st.sampled_from([0.25, 0.5, 0.75, 0.9]),
    start_minutes=st.integers(0, 2 * 24 * 60),
)
def test_an_announced_event_always_comes(
    target_minutes: int, warning: float, start_minutes: int
) -> None:
    start = START + start_minutes * M - 8 * H
    clock = SlaClock(
        "t", SlaTarget(Metric.RESOLUTION, target_minutes * M, POPUP, (warning,)), start
    )
    nxt = clock.next_event_at
    if nxt is None:
        assert clock.advance(datetime(2100, 1, 1, tzinfo=UTC)) == []
    else:
        events = clock.advance(nxt)
        assert events, "the instant announced came with no event"
        assert events[-1].at == nxt


def test_the_desk_sets_no_wakeup_for_it() -> None:
    doc = {
        "tiers": [{"name": "regular", "rank": 1}],
        "calendars": {
            "popup": {
                "timezone": "UTC",
                "weekly": {},
                "special_days": {
                    "2026-11-11": [["09:00", "17:00"]],
                    "2026-11-12": [["09:00", "17:00"]],
                },
            }
        },
        "sla_policies": [
            {
                "name": "p",
                "calendar": "popup",
                "targets": {"resolution": "PT20H"},
                "warnings": [0.5],
            }
        ],
        "default_sla_policy": "p",
        "queues": [{"name": "general"}],
        "routing_profiles": [{"name": "f", "queues": [{"queue": "general", "priority": 1}]}],
        "triage": [{"name": "all", "then": {"queue": "general"}}],
    }
    desk = Desk(DeskConfig.from_dict(doc))
    customer = Customer("c", desk.config.tiers["regular"])
    desk.submit(Ticket("T-1", customer, "email", START), at=START)
    assert desk.next_wakeup() is None
    assert desk.advance(at=datetime(2026, 11, 13, tzinfo=UTC)) == []
