"""``BusinessCalendar.next_close``: the first closed instant at or after a given one.

The law, for any calendar and instant *t*: the answer *r* is not before *t*, the desk is closed
at *r*, and it is open all through ``[t, r)`` -- the business time between them is all of
their real time.  Together these make *r* the first closed instant, whatever the zone's DST
changes, holidays, special days or hours that run past midnight.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.calendar import DAY_KEYS, BusinessCalendar
from csflow.errors import CalendarError

ZONES = ("Asia/Jakarta", "America/New_York", "Europe/Berlin", "America/Santiago", "UTC")
# Bounds that touch at midnight and around DST changes, whole days, and ordinary hours.
HHMM = ["00:00", "01:30", "02:30", "03:00", "06:00", "09:00", "12:00", "17:00", "22:00", "24:00"]
FIRST, LAST = date(2026, 1, 1), date(2027, 12, 31)
US = 1_000_000


@st.composite
def spans(draw: st.DrawFn) -> list[tuple[str, str]]:
    kind = draw(st.sampled_from(["whole", "whole", "none", "picked"]))
    if kind == "whole":
        return [("00:00", "24:00")]
    if kind == "none":
        return []
    picks = sorted(set(draw(st.lists(st.sampled_from(HHMM), max_size=6))))
    picks = picks[: len(picks) // 2 * 2]
    out = [(picks[i], picks[i + 1]) for i in range(0, len(picks), 2)]
    if draw(st.booleans()) and out and out[-1][1] != "24:00":
        out.append((out[-1][1], "24:00"))  # a span touching the one before
    return out


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    zone = draw(st.sampled_from(ZONES))
    weekly = {key: draw(spans()) for key in DAY_KEYS}
    dates = st.dates(FIRST, LAST)
    holidays = draw(st.lists(dates, max_size=3))
    special = draw(st.dictionaries(dates, spans(), max_size=3))
    return BusinessCalendar(zone, weekly=weekly, holidays=holidays, special_days=special)


def _instants() -> st.SearchStrategy[int]:
    start = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp()) * US
    end = int(datetime(2027, 6, 1, tzinfo=UTC).timestamp()) * US
    # On the minute mostly (where spans begin and end), sometimes anywhere.
    on_minute = st.integers(start // (60 * US), end // (60 * US)).map(lambda m: m * 60 * US)
    return st.one_of(on_minute, st.integers(start, end))


@settings(max_examples=250)
@given(calendars(), _instants())
def test_the_answer_is_the_first_closed_instant(cal: BusinessCalendar, t: int) -> None:
    try:
        r = cal.next_close_us(t)
    except CalendarError:
        # Only a desk that never closes again: open now and all week, no closing date after.
        assert cal.is_open_us(t)
        assert cal.weekly_hours == timedelta(days=7)
        later = cal.elapsed_us(t, t + 400 * 86_400 * US)  # past every listed date
        assert later == 400 * 86_400 * US
        return
    assert r >= t
    assert not cal.is_open_us(r)
    assert cal.elapsed_us(t, r) == r - t  # open all through [t, r)
    # The datetime form says the same, in the calendar's zone.
    at = datetime.fromtimestamp(t // US, UTC) + timedelta(microseconds=t % US)
    answer = cal.next_close(at)
    assert answer.tzinfo == cal.zone
    assert answer == datetime.fromtimestamp(r // US, UTC) + timedelta(microseconds=r % US)


JAKARTA = ZoneInfo("Asia/Jakarta")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def test_an_office_desk_in_jakarta() -> None:
    cal = BusinessCalendar(
        "Asia/Jakarta",
        weekly=dict.fromkeys(WEEKDAYS, (("08:00", "12:00"), ("13:00", "17:00"))),
        holidays=[date(2026, 3, 20)],  # Idul Fitri
    )
    # Friday 16:00 before Lebaran: closes at 17:00; at lunch it is closed already.
    assert cal.next_close(datetime(2026, 3, 19, 16, tzinfo=JAKARTA)) == datetime(
        2026, 3, 19, 17, tzinfo=JAKARTA
    )
    assert cal.next_close(datetime(2026, 3, 19, 9, tzinfo=JAKARTA)) == datetime(
        2026, 3, 19, 12, tzinfo=JAKARTA
    )
    lunch = datetime(2026, 3, 19, 12, 30, tzinfo=JAKARTA)
    assert cal.next_close(lunch) == lunch
    holiday = datetime(2026, 3, 20, 10, tzinfo=JAKARTA)
    assert cal.next_close(holiday) == holiday
    # Given in UTC, answered in the calendar's zone.
    answer = cal.next_close(datetime(2026, 3, 19, 2, tzinfo=UTC))  # 09:00 in Jakarta
    assert (answer, answer.tzinfo) == (datetime(2026, 3, 19, 12, tzinfo=JAKARTA), JAKARTA)


def test_a_night_shift_past_midnight_and_a_dst_change() -> None:
    night = BusinessCalendar(
        "America/New_York", weekly={"sat": [("22:00", "24:00")], "sun": [("00:00", "06:00")]}
    )
    # The night of 7-8 March 2026 loses an hour at 02:00: still one stretch, closing at 06:00.
    assert night.next_close(datetime(2026, 3, 7, 23, tzinfo=NEW_YORK)) == datetime(
        2026, 3, 8, 6, tzinfo=NEW_YORK
    )
    assert night.next_close(datetime(2026, 3, 8, 3, 30, tzinfo=NEW_YORK)) == datetime(
        2026, 3, 8, 6, tzinfo=NEW_YORK
    )


def test_a_desk_open_around_the_clock_closes_on_its_holidays() -> None:
    lebaran = [date(2026, 3, 20), date(2026, 3, 21)]
    cal = BusinessCalendar(
        "Asia/Jakarta",
        weekly=dict.fromkeys(DAY_KEYS, (("00:00", "24:00"),)),
        holidays=lebaran,
        special_days={
            date(2026, 12, 31): [("00:00", "18:00")],  # New Year's Eve: closes early
            date(2026, 6, 1): [("00:00", "12:00"), ("12:00", "24:00")],  # open all day
        },
    )
    assert cal.next_close(datetime(2026, 1, 5, tzinfo=JAKARTA)) == datetime(
        2026, 3, 20, tzinfo=JAKARTA
    )
    assert cal.next_close(datetime(2026, 3, 22, tzinfo=JAKARTA)) == datetime(
        2026, 12, 31, 18, tzinfo=JAKARTA
    )
    with pytest.raises(CalendarError, match="never closes at or after 2027-01-01"):
        cal.next_close(datetime(2027, 1, 1, 7, tzinfo=JAKARTA))
    with pytest.raises(CalendarError, match="never closes"):
        BusinessCalendar.always_open("Europe/Berlin").next_close_us(0)


def test_bad_instants_are_refused() -> None:
    cal = BusinessCalendar.always_open()
    with pytest.raises(CalendarError):
        cal.next_close(datetime(2026, 3, 1, 9))  # naive
    for bad in (1.5, "0", True, None):
        with pytest.raises(CalendarError):
            cal.next_close_us(bad)  # type: ignore[arg-type]
