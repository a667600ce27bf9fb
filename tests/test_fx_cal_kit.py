"""ManualClock.set keeps the clock in its zone: every instant the clock gives is in the zone
of its start, whatever zone the instant it is set to is written in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csflow.errors import InvalidTransitionError
from csflow.testing import ManualClock

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 1, 1, tzinfo=BERLIN)
ZONES = (UTC, ZoneInfo("America/New_York"), timezone(timedelta(hours=7), "WIB"), BERLIN)


def test_set_to_a_utc_instant_keeps_the_clock_in_berlin() -> None:
    clock = ManualClock(START)
    moved = clock.set(datetime(2026, 1, 2, tzinfo=UTC))
    assert moved == clock.now == datetime(2026, 1, 2, 1, 0, tzinfo=BERLIN)
    assert moved.tzinfo is BERLIN
    # Later steps are in Berlin too (before the fix, they stayed in UTC).
    assert clock.advance(hours=1).isoformat() == "2026-01-02T02:00:00+01:00"


@given(
    steps=st.lists(st.tuples(st.integers(0, 400 * 24 * 3600), st.sampled_from(ZONES)), max_size=8)
)
def test_every_instant_the_clock_gives_is_in_the_zone_of_its_start(
    steps: list[tuple[int, object]],
) -> None:
    clock = ManualClock(START)
    for seconds, zone in steps:
        when = (clock.now + timedelta(seconds=seconds)).astimezone(zone)  # type: ignore[arg-type]
        moved = clock.set(when)
        assert moved == when  # the same instant
        assert moved is clock.now
        assert moved.tzinfo is BERLIN
        assert moved.utcoffset() == BERLIN.utcoffset(moved)
        assert clock.advance(minutes=1).tzinfo is BERLIN


def test_set_to_a_datetime_in_the_clock_zone_returns_it() -> None:
    clock = ManualClock(START)
    when = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN)  # the second 02:30
    assert clock.set(when) is when
    assert clock.now.fold == 1


def test_a_refused_set_leaves_the_clock_where_it_was() -> None:
    clock = ManualClock(START)
    with pytest.raises(InvalidTransitionError, match=r"cannot go backwards"):
        clock.set(datetime(2025, 12, 31, 22, tzinfo=UTC))
    # An instant that Berlin cannot write (past 9999-12-31 23:59 local) is refused.
    tokyo = ManualClock(datetime(9999, 12, 31, 12, tzinfo=ZoneInfo("Asia/Tokyo")))
    with pytest.raises(InvalidTransitionError, match=r"past the last instant"):
        tokyo.set(datetime(9999, 12, 31, 23, tzinfo=UTC))
    assert tokyo.now == datetime(9999, 12, 31, 12, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert clock.now == START
