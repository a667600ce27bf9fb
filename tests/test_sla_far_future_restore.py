"""A ticket's snapshot restores to the same future when a finished clock kept from another
policy counted in a zone that dates fewer instants than the policy's (the last hours of 9999
in Jakarta): that clock still bounds the ticket, restored or not."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from csflow import Customer, Desk, DeskConfig, Ticket, Tier
from csflow.calendar import BusinessCalendar
from csflow.errors import CalendarError, ConfigError
from csflow.sla import Metric, SlaPolicy, TicketSla
from csflow.sla.states import ClockState

H = timedelta(hours=1)
JAKARTA = SlaPolicy(
    "std",
    BusinessCalendar.always_open("Asia/Jakarta"),
    {Metric.FIRST_RESPONSE: H, Metric.RESOLUTION: 48 * H},
    warnings=(0.5,),
)
NEW_YORK = SlaPolicy(
    "ny", BusinessCalendar.always_open("America/New_York"), {Metric.FIRST_RESPONSE: H}
)
NEW_YORK_FULL = SlaPolicy(
    "ny-full",
    BusinessCalendar.always_open("America/New_York"),
    {Metric.FIRST_RESPONSE: H, Metric.RESOLUTION: 48 * H},
)
POLICIES = {p.name: p for p in (JAKARTA, NEW_YORK, NEW_YORK_FULL)}
START = datetime(9999, 12, 31, 16, 59, tzinfo=UTC)  # 23:59 in Jakarta, its last minute
LAST_JAKARTA = datetime(9999, 12, 31, 16, 59, 59, 999999, tzinfo=UTC)


def _switched() -> TicketSla:
    ts = TicketSla("T", JAKARTA, "normal", START)
    ts.change_policy(NEW_YORK, START)
    res = ts.clock(Metric.RESOLUTION)
    assert res is not None
    assert res.state is ClockState.CANCELLED  # kept, finished, on the Jakarta calendar
    return ts


def _restored(ts: TicketSla) -> TicketSla:
    return TicketSla.from_dict(json.loads(json.dumps(ts.to_dict())), POLICIES)


def _refusal(ts: TicketSla, at: datetime) -> str | None:
    before = ts.to_dict()
    try:
        ts.advance(at)
    except CalendarError as exc:
        assert ts.to_dict() == before
        return str(exc)
    return None


def test_a_restored_ticket_keeps_the_bound_of_a_finished_clocks_zone() -> None:
    live = _switched()
    restored = _restored(live)
    assert restored.to_dict() == live.to_dict()
    # The first response's warning, 17:29Z, is 10000-01-01 in Jakarta: no command reaches it.
    assert live.next_deadline_us() is None
    assert restored.next_deadline_us() is None
    late = START + H / 2
    assert _refusal(live, late) is not None
    assert _refusal(restored, late) == _refusal(live, late)
    assert _refusal(live, LAST_JAKARTA) is None
    assert _refusal(restored, LAST_JAKARTA) is None
    assert restored.to_dict() == live.to_dict()
    # And a second snapshot keeps it too.
    again = _restored(restored)
    assert again.to_dict() == live.to_dict()
    assert _refusal(again, late) == _refusal(live, late)


def test_the_bound_goes_with_the_finished_clock() -> None:
    # Here the resolution gains a New York target: a new clock replaces the cancelled one,
    # and nothing bounds the ticket by Jakarta's range any more, restored or not.
    live = _switched()
    restored = _restored(live)
    at = datetime(9999, 12, 31, 16, 59, 30, tzinfo=UTC)
    live_events = live.change_policy(NEW_YORK_FULL, at, mode="restart")
    restored_events = restored.change_policy(NEW_YORK_FULL, at, mode="restart")
    assert [e.to_dict() for e in restored_events] == [e.to_dict() for e in live_events]
    assert "zones" not in live.to_dict()
    assert restored.to_dict() == live.to_dict()
    assert restored.next_deadline_us() == live.next_deadline_us() is not None
    due = live.next_deadline()
    assert due is not None
    assert [e.to_dict() for e in restored.advance(due)] == [e.to_dict() for e in live.advance(due)]


def _with_zones(zones: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(json.dumps(_switched().to_dict()))
    data["zones"] = zones
    return data


@pytest.mark.parametrize(
    ("zones", "path"),
    [
        ([], "ticket_sla.zones"),
        ({"resolution": "Mars/Olympus"}, "ticket_sla.zones.resolution"),
        ({"resolution": 7}, "ticket_sla.zones.resolution"),
        ({"first_response": "Asia/Jakarta"}, "ticket_sla.zones.first_response"),
        ({"periodic_update": "UTC"}, "ticket_sla.zones.periodic_update"),
        ({"bogus": "UTC"}, "ticket_sla.zones.bogus"),
    ],
)
def test_bad_zones_are_refused_with_their_path(zones: Any, path: str) -> None:
    with pytest.raises(ConfigError) as info:
        TicketSla.from_dict(_with_zones(zones), POLICIES)
    assert info.value.path == path


def test_a_zone_that_cannot_date_the_last_instant_is_refused() -> None:
    ts = TicketSla("T", NEW_YORK_FULL, "normal", START)
    ts.change_policy(NEW_YORK, START)  # a cancelled New York resolution clock
    ts.advance(START + H / 2)  # past Jakarta's range
    data = json.loads(json.dumps(ts.to_dict()))
    assert "zones" not in data
    data["zones"] = {"resolution": "Asia/Jakarta"}
    with pytest.raises(ConfigError) as info:
        TicketSla.from_dict(data, POLICIES)
    assert info.value.path == "ticket_sla.zones.resolution"


def test_no_wakeup_past_the_last_instant_every_zone_can_date() -> None:
    # A Jakarta policy bounds the desk's instants to 9999-12-31T16:59:59.999999Z; a ticket
    # under the New York default is due after that.  No command can reach the instant, so it
    # is no wakeup (it was, and advance to it raised CalendarError).
    cfg = DeskConfig.from_dict(
        {
            "calendars": {
                "jkt": {"timezone": "Asia/Jakarta", "always_open": True},
                "ny": {"timezone": "America/New_York", "always_open": True},
            },
            "sla_policies": [
                {"name": "jkt", "calendar": "jkt", "targets": {"first_response": "PT30M"}},
                {"name": "ny", "calendar": "ny", "targets": {"first_response": "PT30M"}},
            ],
            "default_sla_policy": "ny",
        }
    )
    desk = Desk(cfg)
    late = datetime(9999, 12, 31, 16, 59, tzinfo=UTC)
    desk.submit(Ticket("t1", Customer("c", Tier("regular", 1)), "chat", late), at=late)
    assert desk.next_wakeup() is None
    # An earlier deadline is still a wakeup, and advance takes it.
    early = Desk(cfg)
    t0 = datetime(9999, 12, 31, 16, 0, tzinfo=UTC)
    early.submit(Ticket("t1", Customer("c", Tier("regular", 1)), "chat", t0), at=t0)
    wake = early.next_wakeup()
    assert wake is not None
    assert wake <= datetime(9999, 12, 31, 16, 59, 59, 999999, tzinfo=UTC)
    assert early.advance(at=wake)
