"""A plan rostered with an origin: the origin names the zone, it never moves the plan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from csflow import ConfigError
from csflow.staffing import staffing_plan
from csflow.staffing.roster import cover
from csflow.staffing.shifts import ShiftTemplate

H = timedelta(hours=1)
JAKARTA = ZoneInfo("Asia/Jakarta")


def _plan(start: datetime) -> object:
    # Eight hours from 08:00, 100 chats an hour at 5 minutes, 80 % in 20 s: 12 agents.
    return staffing_plan(
        [(start + i * H, H, 100) for i in range(8)],
        timedelta(minutes=5),
        timedelta(seconds=20),
        0.8,
    )


def test_an_origin_other_than_the_plans_start_is_refused_and_nothing_is_rostered() -> None:
    plan = _plan(datetime(2026, 3, 16, 8, tzinfo=JAKARTA))
    anytime = [ShiftTemplate("d", 4 * H, timedelta(0), 23 * H)]
    # Midnight would roster 08:00's requirements at 00:00.
    with pytest.raises(ConfigError, match=r"^origin: 'origin' .* is not the plan's start"):
        cover(plan, anytime, origin=datetime(2026, 3, 16, tzinfo=JAKARTA))  # type: ignore[arg-type]


def test_the_same_instant_in_another_zone_names_the_zone_of_the_windows() -> None:
    # A plan in a fixed offset (+07:00), rostered in Jakarta's zone: the same instant
    # (01:00 UTC), written either way.
    plan = _plan(datetime(2026, 3, 16, 8, tzinfo=timezone(timedelta(hours=7))))
    morning = [ShiftTemplate("m", 4 * H, 8 * H, 12 * H)]
    for origin in (datetime(2026, 3, 16, 8, tzinfo=JAKARTA), datetime(2026, 3, 16, 1, tzinfo=UTC)):
        if origin.tzinfo is UTC:
            # Windows are read in the origin's zone: 08:00 UTC is 15:00 in Jakarta, past
            # the plan's end, so no shift fits.
            with pytest.raises(ConfigError, match=r"templates\[0\]: template 'm' has no start"):
                cover(plan, morning, origin=origin)  # type: ignore[arg-type]
            continue
        roster = cover(plan, morning, origin=origin)  # type: ignore[arg-type]
        assert [(r.start, r.agents) for r in roster.rows] == [(timedelta(0), 12), (4 * H, 12)]
        assert roster.rows[0].to_dict(roster.origin)["start"] == "2026-03-16T08:00:00+07:00"
    assert cover(plan, morning).cost == roster.cost == 96  # type: ignore[arg-type]
