"""When is a ticket due? Business-hours deadlines on a Jakarta desk across Lebaran 2026.

Run with ``python examples/business_hours.py``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from csflow import BusinessCalendar


def main() -> None:
    office = BusinessCalendar(
        "Asia/Jakarta",
        weekly={
            day: [("08:00", "12:00"), ("13:00", "17:00")]
            for day in ("mon", "tue", "wed", "thu", "fri")
        },
        holidays={
            date(2026, 3, 18): "Cuti bersama",
            date(2026, 3, 19): "Nyepi",
            date(2026, 3, 20): "Idul Fitri",
            date(2026, 3, 23): "Cuti bersama",
            date(2026, 3, 24): "Cuti bersama",
        },
    )
    created = datetime(2026, 3, 17, 15, 30, tzinfo=office.zone)
    due = office.add(created, timedelta(hours=4))
    print(f"created {created:%a %d %b %H:%M}, 4 business hours -> due {due:%a %d %b %H:%M}")
    print(f"business time between them: {office.elapsed(created, due)}")
    print(f"open on Idul Fitri? {office.is_open(datetime(2026, 3, 20, 10, tzinfo=office.zone))}")


if __name__ == "__main__":
    main()
