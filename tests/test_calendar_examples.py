"""Worked examples of BusinessCalendar: a Jakarta desk, a New York desk, and 24/7 calendars.

Every expected value is computed by hand in the comments next to it, so a reader can check
the arithmetic without running anything.  Instants are compared as UTC microseconds (`us`):
``==`` between aware datetimes in different zones is always False for an ambiguous wall time
(PEP 495), and arithmetic on an aware datetime is wall-clock arithmetic, so neither is used to
state an expectation.

**Jakarta** (Asia/Jakarta, WIB = UTC+7, no DST): Mon-Fri 08:00-12:00 and 13:00-17:00 (8 h),
Sat 08:00-12:00 (4 h), Sun closed; 44 h a week.  The 2026 holidays used (a desk's own list;
cuti bersama are the government's collective-leave days):

    Thu 1 Jan   Tahun Baru Masehi          Fri 16 Jan  Isra Mikraj
    Tue 17 Feb  Tahun Baru Imlek           Wed 18 Mar  cuti bersama (Lebaran)
    Thu 19 Mar  Hari Suci Nyepi            Fri 20 Mar  Idul Fitri 1447 H
    Sat 21 Mar  Idul Fitri 1447 H          Mon 23 Mar  cuti bersama (Lebaran)
    Tue 24 Mar  cuti bersama (Lebaran)     Fri 3 Apr   Wafat Yesus Kristus
    Fri 1 May   Hari Buruh                 Thu 14 May  Kenaikan Yesus Kristus
    Wed 27 May  Idul Adha 1447 H           Sun 31 May  Waisak
    Mon 1 Jun   Hari Lahir Pancasila       Tue 16 Jun  Tahun Baru Islam 1448 H
    Mon 17 Aug  Hari Kemerdekaan           Tue 25 Aug  Maulid Nabi Muhammad
    Fri 25 Dec  Hari Raya Natal

so the Lebaran closing runs from Wed 18 to Tue 24 March 2026 inclusive (Sun 22 is closed
anyway).  The 12.12 sale, Saturday 12 December 2026, is a special day 08:00-22:00.

**New York** (America/New_York): Mon-Fri 09:00-17:00 and all of Sunday ("00:00"-"24:00"), so
that the two 2026 DST changes, both on a Sunday, fall inside an open span: 8 March 2026
(02:00 EST -> 03:00 EDT, a 23-hour Sunday) and 1 November 2026 (02:00 EDT -> 01:00 EST, a
25-hour Sunday).  EST = UTC-5, EDT = UTC-4.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pendulum
import pytest

from csflow import samples
from csflow.calendar import BusinessCalendar

__all__: list[str] = []

WIB = ZoneInfo("Asia/Jakarta")
NY = ZoneInfo("America/New_York")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_US = timedelta(microseconds=1)
H = timedelta(hours=1)
MIN = timedelta(minutes=1)


def us(value: datetime) -> int:
    """UTC microseconds since the epoch (exact; via UTC fields, so pendulum works too)."""
    u = value.astimezone(UTC)
    seconds = (u.toordinal() - EPOCH.toordinal()) * 86400 + u.hour * 3600 + u.minute * 60
    return (seconds + u.second) * 1_000_000 + u.microsecond


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> int:
    """UTC microseconds of a UTC wall time."""
    return us(datetime(y, mo, d, h, mi, tzinfo=UTC))


def wib(y: int, mo: int, d: int, h: int = 0, mi: int = 0, sec: int = 0, micro: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, sec, micro, tzinfo=WIB)


def ny(y: int, mo: int, d: int, h: int = 0, mi: int = 0, *, fold: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=NY, fold=fold)


def in_zone(value: datetime, zone: ZoneInfo) -> bool:
    """*value* is aware and shows the wall clock and offset of *zone* at that instant."""
    local = value.astimezone(zone)
    return (
        value.utcoffset() is not None
        and value.replace(tzinfo=None) == local.replace(tzinfo=None)
        and value.utcoffset() == local.utcoffset()
    )


# --------------------------------------------------------------------------------------------
# Jakarta
# --------------------------------------------------------------------------------------------

# Indonesia's 2026 national holidays and cuti bersama (the SKB 3 Menteri decree, as published
# in the holidays package's Indonesia calendar); a copy, so that this test pins the dates.
JAKARTA_HOLIDAYS_2026 = {
    date(2026, 1, 1): "Tahun Baru Masehi",
    date(2026, 1, 16): "Isra Mikraj",
    date(2026, 2, 16): "Cuti bersama Tahun Baru Imlek",
    date(2026, 2, 17): "Tahun Baru Imlek",
    date(2026, 3, 18): "Cuti bersama Hari Suci Nyepi",
    date(2026, 3, 19): "Hari Suci Nyepi",
    date(2026, 3, 20): "Cuti bersama Idul Fitri",
    date(2026, 3, 21): "Idul Fitri 1447 H",
    date(2026, 3, 22): "Idul Fitri 1447 H (hari kedua)",
    date(2026, 3, 23): "Cuti bersama Idul Fitri",
    date(2026, 3, 24): "Cuti bersama Idul Fitri",
    date(2026, 4, 3): "Wafat Yesus Kristus",
    date(2026, 4, 5): "Kebangkitan Yesus Kristus (Paskah)",
    date(2026, 5, 1): "Hari Buruh Internasional",
    date(2026, 5, 14): "Kenaikan Yesus Kristus",
    date(2026, 5, 15): "Cuti bersama Kenaikan Yesus Kristus",
    date(2026, 5, 27): "Idul Adha 1447 H",
    date(2026, 5, 28): "Cuti bersama Idul Adha",
    date(2026, 5, 31): "Hari Raya Waisak",
    date(2026, 6, 1): "Hari Lahir Pancasila",
    date(2026, 6, 16): "Tahun Baru Islam 1448 H",
    date(2026, 8, 17): "Hari Kemerdekaan Republik Indonesia",
    date(2026, 8, 25): "Maulid Nabi Muhammad",
    date(2026, 12, 24): "Cuti bersama Hari Raya Natal",
    date(2026, 12, 25): "Hari Raya Natal",
}
WEEKDAY = [("08:00", "12:00"), ("13:00", "17:00")]
JAKARTA_WEEKLY = {
    "mon": WEEKDAY,
    "tue": WEEKDAY,
    "wed": WEEKDAY,
    "thu": WEEKDAY,
    "fri": WEEKDAY,
    "sat": [("08:00", "12:00")],
}
SALE_12_12 = {date(2026, 12, 12): [("08:00", "22:00")]}


def jakarta(**overrides: object) -> BusinessCalendar:
    kwargs: dict[str, object] = {
        "timezone": "Asia/Jakarta",
        "weekly": JAKARTA_WEEKLY,
        "holidays": JAKARTA_HOLIDAYS_2026,
        "special_days": SALE_12_12,
    }
    kwargs.update(overrides)
    return BusinessCalendar(**kwargs)  # type: ignore[arg-type]


def test_jakarta_lebaran_closing_pushes_a_deadline_eight_days() -> None:
    cal = jakarta()
    # Tue 17 Mar 16:00 + 4 h: Tue 16:00-17:00 gives 1 h; Wed 18 (cuti), Thu 19 (Nyepi),
    # Fri 20 and Sat 21 (Idul Fitri), Sun 22 (closed), Mon 23 and Tue 24 (cuti) are shut;
    # Wed 25 08:00-11:00 gives the other 3 h.  Deadline Wed 25 Mar 11:00 WIB = 04:00 UTC.
    due = cal.add(wib(2026, 3, 17, 16, 0), 4 * H)
    assert us(due) == us(wib(2026, 3, 25, 11, 0)) == utc(2026, 3, 25, 4, 0)
    assert in_zone(due, WIB)
    # Tue 17 09:00 -> Wed 25 10:00: Tue 3 h (09-12) + 4 h (13-17), Wed 2 h (08-10) = 9 h.
    assert cal.elapsed(wib(2026, 3, 17, 9, 0), wib(2026, 3, 25, 10, 0)) == 9 * H
    # The whole closing, Wed 18 00:00 -> Wed 25 00:00, contains no business time.
    assert cal.elapsed(wib(2026, 3, 18, 0, 0), wib(2026, 3, 25, 0, 0)) == timedelta(0)


def test_jakarta_next_open_after_the_last_day_before_lebaran() -> None:
    cal = jakarta()
    # 17:00 ends Tuesday's span: spans are [start, end), so it is closed at 17:00 exactly.
    assert cal.is_open(wib(2026, 3, 17, 16, 59, 59, 999_999))
    assert not cal.is_open(wib(2026, 3, 17, 17, 0))
    assert us(cal.next_open(wib(2026, 3, 17, 17, 0))) == us(wib(2026, 3, 25, 8, 0))
    # Mid-morning on Idul Fitri (a Friday), as a host in UTC would ask: 02:00 UTC = 09:00 WIB.
    assert not cal.is_open(datetime(2026, 3, 20, 2, 0, tzinfo=UTC))
    # Sat 21 Mar would be open 08-12, but it is Idul Fitri.
    assert not cal.is_open(wib(2026, 3, 21, 9, 0))


def test_jakarta_inputs_in_utc_give_results_in_jakarta() -> None:
    cal = jakarta()
    # 09:00 UTC = 16:00 WIB on Tue 17 Mar: the same 4-hour example as above.
    due = cal.add(datetime(2026, 3, 17, 9, 0, tzinfo=UTC), 4 * H)
    assert us(due) == utc(2026, 3, 25, 4, 0)
    assert due.utcoffset() == 7 * H
    assert (due.hour, due.minute) == (11, 0)


def test_jakarta_lunch_break() -> None:
    cal = jakarta()
    # Mon 2 Feb 2026 (1 Jan is a Thursday, so 1 Feb is a Sunday).
    # 11:30 + 1 h: 11:30-12:00 is 30 min, lunch 12:00-13:00 is closed, 13:00-13:30 is 30 min.
    assert us(cal.add(wib(2026, 2, 2, 11, 30), H)) == us(wib(2026, 2, 2, 13, 30))
    # 11:30 + 30 min ends exactly at 12:00, the earliest instant with 30 min elapsed: not 13:00.
    assert us(cal.add(wib(2026, 2, 2, 11, 30), 30 * MIN)) == us(wib(2026, 2, 2, 12, 0))
    assert not cal.is_open(wib(2026, 2, 2, 12, 30))
    assert us(cal.next_open(wib(2026, 2, 2, 12, 0))) == us(wib(2026, 2, 2, 13, 0))
    assert cal.elapsed(wib(2026, 2, 2, 11, 0), wib(2026, 2, 2, 14, 0)) == 2 * H  # 11-12, 13-14
    assert cal.elapsed(wib(2026, 2, 2, 0, 0), wib(2026, 2, 3, 0, 0)) == 8 * H


def test_jakarta_saturday_half_day_and_a_full_week() -> None:
    cal = jakarta()
    # Fri 6 Feb 16:00 + 3 h: Fri 16-17 is 1 h; Sat 7 Feb 08:00-10:00 is 2 h -> Sat 10:00.
    assert us(cal.add(wib(2026, 2, 6, 16, 0), 3 * H)) == us(wib(2026, 2, 7, 10, 0))
    # Sat 7 Feb 11:00 + 2 h: Sat 11-12 is 1 h; Sunday is closed; Mon 9 Feb 08-09 -> Mon 09:00.
    assert us(cal.add(wib(2026, 2, 7, 11, 0), 2 * H)) == us(wib(2026, 2, 9, 9, 0))
    # Mon 2 Feb 00:00 -> Mon 9 Feb 00:00: 5 x 8 h + 4 h = 44 h.
    assert cal.elapsed(wib(2026, 2, 2, 0, 0), wib(2026, 2, 9, 0, 0)) == 44 * H


def test_jakarta_12_12_sale_is_a_long_saturday() -> None:
    cal = jakarta()
    # Sat 12 Dec 2026 is a special day 08:00-22:00 = 14 h instead of Saturday's 4 h.
    assert cal.elapsed(wib(2026, 12, 12, 0, 0), wib(2026, 12, 13, 0, 0)) == 14 * H
    # 11:00 + 5 h on the sale day: 16:00 the same day.
    assert us(cal.add(wib(2026, 12, 12, 11, 0), 5 * H)) == us(wib(2026, 12, 12, 16, 0))
    # The same on an ordinary Saturday, 5 Dec: Sat 11-12 is 1 h; Mon 7 Dec 08-12 is 4 h, and
    # the 5th hour is complete at 12:00 (the earliest such instant), not after lunch.
    assert us(cal.add(wib(2026, 12, 5, 11, 0), 5 * H)) == us(wib(2026, 12, 7, 12, 0))
    # 21:00 + 2 h on the sale day: 21-22 is 1 h; Sun closed; Mon 14 Dec 08-09 -> 09:00.
    assert us(cal.add(wib(2026, 12, 12, 21, 0), 2 * H)) == us(wib(2026, 12, 14, 9, 0))
    assert cal.is_open(wib(2026, 12, 12, 21, 59))
    assert not cal.is_open(wib(2026, 12, 12, 22, 0))


def test_jakarta_special_day_wins_over_a_holiday_and_empty_special_day_closes() -> None:
    # A skeleton crew works 09:00-12:00 on Sat 21 Mar, the second day of Idul Fitri.
    crew = jakarta(special_days={**SALE_12_12, date(2026, 3, 21): [("09:00", "12:00")]})
    # Tue 17 Mar 16:00 + 4 h: Tue 16-17 is 1 h; Sat 21 09:00-12:00 is 3 h -> Sat 21 12:00.
    assert us(crew.add(wib(2026, 3, 17, 16, 0), 4 * H)) == us(wib(2026, 3, 21, 12, 0))
    assert crew.is_open(wib(2026, 3, 21, 9, 0))
    assert not crew.is_open(wib(2026, 3, 21, 8, 30))  # Saturday's 08:00 start is replaced
    # An office move closes Fri 6 Feb (an ordinary Friday) with an empty special day.
    moving = jakarta(special_days={date(2026, 2, 6): []})
    # Thu 5 Feb 16:00 + 3 h: Thu 16-17 is 1 h; Fri closed; Sat 7 08:00-10:00 -> Sat 10:00.
    assert us(moving.add(wib(2026, 2, 5, 16, 0), 3 * H)) == us(wib(2026, 2, 7, 10, 0))
    assert not moving.is_open(wib(2026, 2, 6, 9, 0))


# Each form is made afresh per run (a factory, not a value): an iterator made at collection
# would be spent by the first run, and a runner that runs the test twice (mutmut's clean run
# after its statistics) would see an empty one.
@pytest.mark.parametrize(
    "holidays",
    [
        pytest.param(lambda: JAKARTA_HOLIDAYS_2026, id="mapping"),
        pytest.param(lambda: sorted(JAKARTA_HOLIDAYS_2026), id="list"),
        pytest.param(lambda: set(JAKARTA_HOLIDAYS_2026), id="set"),
        pytest.param(lambda: iter(sorted(JAKARTA_HOLIDAYS_2026)), id="iterator"),
    ],
)
def test_jakarta_holidays_as_any_mapping_or_iterable_of_dates(
    holidays: Callable[[], object],
) -> None:
    cal = jakarta(holidays=holidays())
    assert us(cal.add(wib(2026, 3, 17, 16, 0), 4 * H)) == us(wib(2026, 3, 25, 11, 0))


def test_jakarta_whole_year_2026() -> None:
    cal = jakarta()
    # 2026 has 365 days = 52 weeks + 1 day; 1 Jan and 31 Dec are Thursdays, so there are 261
    # weekdays and 52 Saturdays: 261 x 8 h + 52 x 4 h = 2088 h + 208 h = 2296 h.
    # Holidays on weekdays: 21 (all but Sat 21 Mar and Sun 22 Mar, 5 Apr, 31 May) x 8 h = 168 h;
    # Sat 21 Mar 4 h; the Sundays 0 h: 172 h closed.  The 12.12 sale adds 14 h - 4 h = 10 h.
    # 2296 - 172 + 10 = 2134 h.
    year = cal.elapsed(wib(2026, 1, 1, 0, 0), wib(2027, 1, 1, 0, 0))
    assert year == 2134 * H
    # The year's last open moment: Thu 31 Dec 17:00; adding the whole year from 1 Jan ends there.
    assert us(cal.add(wib(2026, 1, 1, 0, 0), year)) == us(wib(2026, 12, 31, 17, 0))


def test_jakarta_accepts_pendulum_datetimes() -> None:
    cal = jakarta()
    start = pendulum.datetime(2026, 3, 17, 16, 0, tz="Asia/Jakarta")
    assert us(cal.add(start, 4 * H)) == us(wib(2026, 3, 25, 11, 0))
    assert cal.elapsed(start, pendulum.datetime(2026, 3, 25, 11, 0, tz="Asia/Jakarta")) == 4 * H


# --------------------------------------------------------------------------------------------
# New York
# --------------------------------------------------------------------------------------------

NY_WEEKLY = {
    **{day: [("09:00", "17:00")] for day in ("mon", "tue", "wed", "thu", "fri")},
    "sun": [("00:00", "24:00")],
}


def new_york(special_days: dict[date, list[tuple[str, str]]] | None = None) -> BusinessCalendar:
    return BusinessCalendar(
        timezone="America/New_York", weekly=NY_WEEKLY, special_days=special_days or {}
    )


def test_new_york_sundays_of_23_and_25_hours() -> None:
    cal = new_york()
    # Sun 8 Mar 00:00 EST (05:00Z) -> Mon 9 Mar 00:00 EDT (04:00Z) is 23 real hours.
    assert cal.elapsed(ny(2026, 3, 8, 0, 0), ny(2026, 3, 9, 0, 0)) == 23 * H
    # Sun 1 Nov 00:00 EDT (04:00Z) -> Mon 2 Nov 00:00 EST (05:00Z) is 25 real hours.
    assert cal.elapsed(ny(2026, 11, 1, 0, 0), ny(2026, 11, 2, 0, 0)) == 25 * H
    # Sat 7 Mar 12:00 -> Mon 9 Mar 12:00: Sunday 23 h + Monday 09-12 3 h = 26 h.
    assert cal.elapsed(ny(2026, 3, 7, 12, 0), ny(2026, 3, 9, 12, 0)) == 26 * H
    # Sat 31 Oct 12:00 -> Mon 2 Nov 12:00: Sunday 25 h + Monday 3 h = 28 h.
    assert cal.elapsed(ny(2026, 10, 31, 12, 0), ny(2026, 11, 2, 12, 0)) == 28 * H
    # Saturday is closed; the next opening is Sunday's midnight, 00:00 EST = 05:00Z.
    assert us(cal.next_open(ny(2026, 3, 7, 12, 0))) == utc(2026, 3, 8, 5, 0)


def test_new_york_adding_across_spring_forward() -> None:
    cal = new_york()
    # Fri 6 Mar 16:00 EST + 25 h: Fri 16-17 is 1 h, Sunday gives 23 h (24 h so far), then
    # Mon 9 Mar 09:00 EDT + 1 h = 10:00 EDT = 14:00Z.
    due = cal.add(ny(2026, 3, 6, 16, 0), 25 * H)
    assert us(due) == utc(2026, 3, 9, 14, 0)
    assert in_zone(due, NY)
    assert due.utcoffset() == -4 * H
    # Sun 00:00 EST + 3 h: 05:00Z + 3 h = 08:00Z = 04:00 EDT (the wall clock skips 02:xx).
    due = cal.add(ny(2026, 3, 8, 0, 0), 3 * H)
    assert us(due) == utc(2026, 3, 8, 8, 0)
    assert (due.hour, due.utcoffset()) == (4, -4 * H)


def test_new_york_adding_across_fall_back() -> None:
    cal = new_york()
    # Fri 30 Oct 16:00 EDT + 25 h: Fri 16-17 is 1 h; the other 24 h fit in the 25-hour Sunday:
    # Sun 00:00 EDT (04:00Z) + 24 h = Mon 04:00Z = Sun 1 Nov 23:00 EST, before midnight.
    due = cal.add(ny(2026, 10, 30, 16, 0), 25 * H)
    assert us(due) == utc(2026, 11, 2, 4, 0)
    assert (due.day, due.hour, due.utcoffset()) == (1, 23, -5 * H)
    # Sun 00:00 EDT + 3 h = 07:00Z = 02:00 EST (01:xx is lived twice).
    assert us(cal.add(ny(2026, 11, 1, 0, 0), 3 * H)) == utc(2026, 11, 1, 7, 0)
    # + 90 min = 05:30Z = 01:30 EDT, the first 01:30; + 150 min = 06:30Z = 01:30 EST, the second.
    first = cal.add(ny(2026, 11, 1, 0, 0), 90 * MIN)
    second = cal.add(ny(2026, 11, 1, 0, 0), 150 * MIN)
    assert (us(first), us(second)) == (utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30))
    assert (first.hour, first.minute, first.utcoffset()) == (1, 30, -4 * H)
    assert (second.hour, second.minute, second.utcoffset(), second.fold) == (1, 30, -5 * H, 1)


def test_new_york_span_0100_0400_is_2_hours_in_march_and_4_in_november() -> None:
    cal = new_york(
        {date(2026, 3, 8): [("01:00", "04:00")], date(2026, 11, 1): [("01:00", "04:00")]}
    )
    # 8 Mar: 01:00 EST (06:00Z) -> 04:00 EDT (08:00Z) = 2 h.
    assert cal.elapsed(ny(2026, 3, 8, 0, 0), ny(2026, 3, 9, 0, 0)) == 2 * H
    assert us(cal.next_open(ny(2026, 3, 8, 0, 0))) == utc(2026, 3, 8, 6, 0)
    assert us(cal.add(ny(2026, 3, 8, 0, 0), 2 * H)) == utc(2026, 3, 8, 8, 0)  # 04:00 EDT
    # 1 Nov: 01:00 EDT (05:00Z, the first 01:00) -> 04:00 EST (09:00Z) = 4 h.
    assert cal.elapsed(ny(2026, 11, 1, 0, 0), ny(2026, 11, 2, 0, 0)) == 4 * H
    assert us(cal.next_open(ny(2026, 11, 1, 0, 0))) == utc(2026, 11, 1, 5, 0)
    assert us(cal.add(ny(2026, 11, 1, 0, 0), 4 * H)) == utc(2026, 11, 1, 9, 0)  # 04:00 EST


def test_new_york_bound_in_the_gap_moves_forward_by_the_gap() -> None:
    # 02:30 does not exist on 8 Mar 2026: the span opens at 03:30 EDT (07:30Z).
    cal = new_york({date(2026, 3, 8): [("02:30", "05:00")]})
    opens = cal.next_open(ny(2026, 3, 8, 0, 0))
    assert us(opens) == utc(2026, 3, 8, 7, 30)
    assert (opens.hour, opens.minute, opens.utcoffset()) == (3, 30, -4 * H)
    assert not cal.is_open(datetime(2026, 3, 8, 7, 29, 59, 999_999, tzinfo=UTC))  # 03:29:59 EDT
    assert cal.is_open(datetime(2026, 3, 8, 7, 30, tzinfo=UTC))
    # 03:30 EDT -> 05:00 EDT = 1.5 h.
    assert cal.elapsed(ny(2026, 3, 8, 0, 0), ny(2026, 3, 9, 0, 0)) == 90 * MIN
    # As an end: 00:00 EST (05:00Z) -> "02:30" = 03:30 EDT (07:30Z) = 2.5 h.
    ends = new_york({date(2026, 3, 8): [("00:00", "02:30")]})
    assert ends.elapsed(ny(2026, 3, 8, 0, 0), ny(2026, 3, 9, 0, 0)) == 150 * MIN
    assert us(ends.add(ny(2026, 3, 8, 0, 0), 150 * MIN)) == utc(2026, 3, 8, 7, 30)


def test_new_york_bound_in_the_overlap_means_its_first_occurrence() -> None:
    # 01:30 happens twice on 1 Nov 2026; "01:30" means the first, 01:30 EDT (05:30Z).
    cal = new_york({date(2026, 11, 1): [("01:30", "03:00")]})
    opens = cal.next_open(ny(2026, 11, 1, 0, 0))
    assert us(opens) == utc(2026, 11, 1, 5, 30)
    assert (opens.hour, opens.minute, opens.utcoffset()) == (1, 30, -4 * H)
    # 01:30 EDT (05:30Z) -> 03:00 EST (08:00Z) = 2.5 h.
    assert cal.elapsed(ny(2026, 11, 1, 0, 0), ny(2026, 11, 2, 0, 0)) == 150 * MIN
    # So the first 01:15 (EDT, 05:15Z) is closed and the second (EST, 06:15Z) is open.
    assert not cal.is_open(ny(2026, 11, 1, 1, 15, fold=0))
    assert cal.is_open(ny(2026, 11, 1, 1, 15, fold=1))
    # As an end: 00:00 EDT (04:00Z) -> "01:30" = 01:30 EDT (05:30Z) = 1.5 h, and the second
    # 01:15 (EST) is after it, so closed.
    ends = new_york({date(2026, 11, 1): [("00:00", "01:30")]})
    assert ends.elapsed(ny(2026, 11, 1, 0, 0), ny(2026, 11, 2, 0, 0)) == 90 * MIN
    assert ends.is_open(ny(2026, 11, 1, 1, 15, fold=0))
    assert not ends.is_open(ny(2026, 11, 1, 1, 15, fold=1))


def test_new_york_pendulum_inputs_in_the_overlap() -> None:
    # pendulum's default for an ambiguous wall time is the second occurrence (EST, 06:30Z);
    # the calendar must take the instant it is given, whatever produced it.
    cal = new_york({date(2026, 11, 1): [("00:00", "01:30")]})
    second = pendulum.datetime(2026, 11, 1, 1, 30, tz="America/New_York")
    assert us(second) == utc(2026, 11, 1, 6, 30)
    assert not cal.is_open(second)
    # It is after the special day's only span, so the next opening is Mon 2 Nov 09:00 EST.
    assert us(cal.next_open(second)) == utc(2026, 11, 2, 14, 0)


# --------------------------------------------------------------------------------------------
# 24/7
# --------------------------------------------------------------------------------------------


def test_always_open_new_york_counts_real_hours_across_dst() -> None:
    cal = BusinessCalendar.always_open(timezone="America/New_York")
    assert cal.timezone == "America/New_York"
    # Local midnight to local midnight: 23 h in March, 25 h in November.
    assert cal.elapsed(ny(2026, 3, 8, 0, 0), ny(2026, 3, 9, 0, 0)) == 23 * H
    assert cal.elapsed(ny(2026, 11, 1, 0, 0), ny(2026, 11, 2, 0, 0)) == 25 * H
    # 24 real hours after Sun 8 Mar 00:00 EST (05:00Z) is 05:00Z Monday = 01:00 EDT.
    due = cal.add(ny(2026, 3, 8, 0, 0), 24 * H)
    assert us(due) == utc(2026, 3, 9, 5, 0)
    assert (due.day, due.hour) == (9, 1)
    # 24 real hours after Sun 1 Nov 00:00 EDT (04:00Z) is 04:00Z Monday = Sun 23:00 EST.
    due = cal.add(ny(2026, 11, 1, 0, 0), 24 * H)
    assert us(due) == utc(2026, 11, 2, 4, 0)
    assert (due.day, due.hour) == (1, 23)
    # Always open, so next_open is the instant itself, even in the repeated hour.
    second_0130 = ny(2026, 11, 1, 1, 30, fold=1)
    assert cal.is_open(second_0130)
    assert us(cal.next_open(second_0130)) == utc(2026, 11, 1, 6, 30)


def test_always_open_utc_and_jakarta() -> None:
    cal = BusinessCalendar.always_open()
    assert cal.timezone == "UTC"
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert cal.elapsed(start, datetime(2027, 1, 1, tzinfo=UTC)) == 365 * 24 * H  # 2026: 8760 h
    assert us(cal.add(start, 8760 * H + ONE_US)) == utc(2027, 1, 1, 0, 0) + 1
    jkt = BusinessCalendar.always_open(timezone="Asia/Jakarta")
    due = jkt.add(datetime(2026, 3, 20, 2, 0, tzinfo=UTC), 90 * MIN)  # Idul Fitri: no holidays
    assert us(due) == utc(2026, 3, 20, 3, 30)
    assert in_zone(due, WIB)
    assert (due.hour, due.minute) == (10, 30)


def test_the_shipped_sample_holidays_are_the_2026_decree() -> None:
    # csflow.samples ships the same dates and names this test pins (its documented source).
    assert samples.JAKARTA_HOLIDAYS_2026 == JAKARTA_HOLIDAYS_2026
    joint = {d for d, name in JAKARTA_HOLIDAYS_2026.items() if name.startswith("Cuti bersama")}
    assert joint == {
        date(2026, 2, 16),
        date(2026, 3, 18),
        date(2026, 3, 20),
        date(2026, 3, 23),
        date(2026, 3, 24),
        date(2026, 5, 15),
        date(2026, 5, 28),
        date(2026, 12, 24),
    }
    assert JAKARTA_HOLIDAYS_2026[date(2026, 3, 21)] == "Idul Fitri 1447 H"
