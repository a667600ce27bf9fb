"""Sample data for the demo and the docs: an Indonesian e-commerce desk in Jakarta.

The 2026 holiday list is illustrative sample data for examples, not an authority: a real desk
should load the dates its government publishes (for example from ``holidays.Indonesia``, which
``BusinessCalendar`` accepts as it is).
"""

from __future__ import annotations

from datetime import date

from csflow.calendar import BusinessCalendar
from csflow.model import Tier

__all__ = ["JAKARTA_HOLIDAYS_2026", "TIERS", "jakarta_office_calendar"]

JAKARTA_HOLIDAYS_2026: dict[date, str] = {
    date(2026, 1, 1): "Tahun Baru Masehi",
    date(2026, 1, 16): "Isra Mikraj",
    date(2026, 2, 17): "Tahun Baru Imlek",
    date(2026, 3, 19): "Hari Suci Nyepi",
    date(2026, 3, 18): "Cuti bersama Idul Fitri",
    date(2026, 3, 20): "Idul Fitri 1447 H",
    date(2026, 3, 21): "Idul Fitri 1447 H",
    date(2026, 3, 23): "Cuti bersama Idul Fitri",
    date(2026, 3, 24): "Cuti bersama Idul Fitri",
    date(2026, 4, 3): "Wafat Yesus Kristus",
    date(2026, 5, 1): "Hari Buruh",
    date(2026, 5, 14): "Kenaikan Yesus Kristus",
    date(2026, 5, 27): "Idul Adha 1447 H",
    date(2026, 5, 31): "Waisak",
    date(2026, 6, 1): "Hari Lahir Pancasila",
    date(2026, 6, 16): "Tahun Baru Islam 1448 H",
    date(2026, 8, 17): "Hari Kemerdekaan",
    date(2026, 8, 25): "Maulid Nabi Muhammad",
    date(2026, 12, 25): "Hari Raya Natal",
}

TIERS: dict[str, Tier] = {
    "platinum": Tier("platinum", 3),
    "gold": Tier("gold", 2),
    "silver": Tier("silver", 1),
    "regular": Tier("regular", 0),
}


def jakarta_office_calendar() -> BusinessCalendar:
    """Office hours of the sample desk: Mon-Fri 08:00-12:00 and 13:00-17:00, Sat 08:00-12:00.

    The 12.12 sale (a Saturday in 2026) is a special day with long hours.
    """
    weekday = [("08:00", "12:00"), ("13:00", "17:00")]
    return BusinessCalendar(
        "Asia/Jakarta",
        weekly={
            "mon": weekday,
            "tue": weekday,
            "wed": weekday,
            "thu": weekday,
            "fri": weekday,
            "sat": [("08:00", "12:00")],
        },
        holidays=JAKARTA_HOLIDAYS_2026,
        special_days={date(2026, 12, 12): [("08:00", "22:00")]},
    )
