"""SLA clocks over spans the calendar does not count in one go: a state the desk reached stays
readable and savable (views, clocks, snapshots), and business time still adds up."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import BusinessCalendar, CalendarError, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.sla.clock import _elapsed

JAKARTA_ALWAYS: dict[str, object] = {"timezone": "Asia/Jakarta", "always_open": True}
OFFICE: dict[str, object] = {
    "timezone": "Europe/Berlin",
    "weekly": {"mon": [["09:00", "17:00"]], "fri": [["09:00", "13:00"]]},
    "holidays": {"2100-12-24": "Christmas Eve"},
}
T0 = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)


def desk_on(calendar: dict[str, object]) -> Desk:
    cfg = DeskConfig.from_dict(
        {
            "calendars": {"cal": calendar},
            "sla_policies": [
                {
                    "name": "chat",
                    "calendar": "cal",
                    "targets": {"first_response": "PT15M", "resolution": "PT4H"},
                }
            ],
            "default_sla_policy": "chat",
        }
    )
    desk = Desk(cfg)
    desk.submit(Ticket("T-1", Customer("C1", Tier("regular", 1)), "chat", T0), at=T0)
    return desk


def test_three_centuries_later_the_clocks_read_and_the_desk_saves() -> None:
    """An always-open clock's elapsed time is the wall time, whatever its length."""
    desk = desk_on(JAKARTA_ALWAYS)
    later = datetime(2330, 1, 1, tzinfo=UTC)
    desk.advance(at=later)
    clocks = desk.clocks("T-1")
    assert {str(c.state) for c in clocks.values()} == {"breached"}
    for view in clocks.values():
        assert view.elapsed == later - T0
    snap = json.loads(json.dumps(desk.snapshot()))
    again = Desk.restore(desk.config, snap)
    assert again.clocks("T-1") == clocks
    assert again.snapshot() == desk.snapshot()


def test_a_long_business_span_adds_up_as_its_pieces() -> None:
    desk = desk_on(OFFICE)
    later = datetime(2400, 6, 1, tzinfo=UTC)
    desk.advance(at=later)
    cal = desk.config.calendars["cal"]
    a, b = int(T0.timestamp()) * 10**6, int(later.timestamp()) * 10**6
    mid = int(datetime(2200, 1, 1, tzinfo=UTC).timestamp()) * 10**6
    want = cal.elapsed_us(a, mid) + cal.elapsed_us(mid, b)
    for view in desk.clocks("T-1").values():
        assert view.elapsed == timedelta(microseconds=want)
    Desk.restore(desk.config, json.loads(json.dumps(desk.snapshot())))


@settings(deadline=None, max_examples=40)
@given(
    st.integers(0, 9_000 * 365 * 86_400 * 10**6),
    st.integers(0, 400 * 365 * 86_400 * 10**6),
    st.sampled_from([JAKARTA_ALWAYS, OFFICE, {"timezone": "America/Santiago"}]),
)
def test_elapsed_over_any_span_is_additive(
    start: int, length: int, spec: dict[str, object]
) -> None:
    """``_elapsed`` splits at any instant like the calendar does: for spans the calendar
    counts itself it is the calendar's answer; longer ones are sums of such answers."""
    cal = BusinessCalendar.from_dict(
        spec
        if "weekly" in spec or "always_open" in spec
        else {**spec, "weekly": {"tue": [["08:00", "20:00"]]}}
    )
    a = int(datetime(1000, 1, 1, tzinfo=UTC).timestamp()) * 10**6 + start
    b = a + length
    mid = a + length // 3
    got = _elapsed(cal, a, b)
    assert got == _elapsed(cal, a, mid) + _elapsed(cal, mid, b)
    assert 0 <= got <= b - a
    if length < 150 * 365 * 86_400 * 10**6:
        assert got == cal.elapsed_us(a, b)


def test_an_instant_no_sla_calendar_can_date_is_refused_before_anything_changes() -> None:
    """9999-12-31T20:00Z is in the year 10000 in Jakarta: an SLA event there could not be
    written, so the desk refuses the command (it accepted the ticket and then could neither
    reply to it nor save itself)."""
    desk = desk_on(JAKARTA_ALWAYS)
    before = desk.snapshot()
    late = datetime(9999, 12, 31, 20, 0, tzinfo=UTC)
    with pytest.raises(CalendarError, match=r"9999-12-31T16:59:59\.999999"):
        desk.advance(at=late)
    with pytest.raises(CalendarError):
        desk.submit(Ticket("T-2", Customer("C2", Tier("regular", 1)), "chat", late), at=late)
    assert desk.snapshot() == before
    # The last instant Jakarta can date is accepted, and the desk still saves itself.
    last = datetime(9999, 12, 31, 16, 59, 59, 999_999, tzinfo=UTC)
    desk.advance(at=last)
    Desk.restore(desk.config, json.loads(json.dumps(desk.snapshot())))
