"""Instants in the repeated hour of a fall-back: Python compares and subtracts two datetimes
that share a zone by wall clock, so csflow compares and subtracts them as instants.

New York, Sunday 2026-11-01: 01:00-02:00 happens twice, first in EDT (UTC-4), then in EST
(UTC-5, ``fold=1``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from csflow import (
    Customer,
    Desk,
    DeskConfig,
    PolicyContext,
    SlaBreached,
    SlaWarning,
    Ticket,
    Tier,
)
from csflow.desk.contacts import ContactSummary
from csflow.lowlevel import ticket_context

NY = ZoneInfo("America/New_York")
EDT_0030 = datetime(2026, 11, 1, 0, 30, tzinfo=NY)  # 04:30 UTC
EST_0130 = datetime(2026, 11, 1, 1, 30, tzinfo=NY, fold=1)  # 06:30 UTC, two hours later

CONFIG = DeskConfig.from_dict(
    {
        "calendars": {"24x7": {"timezone": "America/New_York", "always_open": True}},
        "sla_policies": [
            {
                "name": "standard",
                "calendar": "24x7",
                "targets": {"first_response": "PT4H10M", "resolution": "PT7H20M"},
                "warnings": [0.5],
            }
        ],
        "default_sla_policy": "standard",
    }
)


def _ticket(at: datetime) -> Ticket:
    return Ticket("T-1", Customer("c1", Tier("regular", 1)), "email", at)


def test_a_command_returns_the_events_of_the_repeated_hour_in_time_order() -> None:
    """Submitted Saturday 22:00 EDT: the first-response warning falls at 00:05 EDT (04:05
    UTC), the resolution warning at 01:40 EDT (05:40 UTC) and the first-response breach at
    01:10 EST (06:10 UTC).  Read by wall clock, 01:10 sorts before 01:40, and a command
    returned the breach before the warning that came half an hour earlier."""
    t0 = datetime(2026, 10, 31, 22, 0, tzinfo=NY)
    later = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    for command in ("customer_message", "advance"):
        desk = Desk(CONFIG)
        desk.submit(_ticket(t0), at=t0)
        if command == "advance":
            events = desk.advance(at=later)
        else:
            events = desk.customer_message("T-1", at=later)
        sla = [e for e in events if isinstance(e, SlaWarning | SlaBreached)]
        got = [
            (type(e).__name__, str(e.metric), e.at.astimezone(UTC).strftime("%H:%M")) for e in sla
        ]
        assert got == [
            ("SlaWarning", "first_response", "04:05"),
            ("SlaWarning", "resolution", "05:40"),
            ("SlaBreached", "first_response", "06:10"),
        ], command
        instants = [e.at.astimezone(UTC) for e in events]
        assert instants == sorted(instants)


def test_waiting_time_across_the_repeated_hour_is_real_time() -> None:
    """A ticket created at 00:30 EDT has waited two hours at 01:30 EST (one by wall clock)."""
    ticket = _ticket(EDT_0030)
    assert ticket_context(ticket, EST_0130)["wait_s"] == 7200.0
    assert PolicyContext(ticket, EST_0130).wait_s == 7200.0


def test_seconds_since_the_last_contact_are_real_time() -> None:
    summary = ContactSummary(1, EDT_0030, None, 0)
    assert summary.context(EST_0130)["last_s"] == 7200.0
