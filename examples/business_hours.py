"""When is a ticket due? Business-hours deadlines on a Jakarta desk across Lebaran 2026.

Run with ``python examples/business_hours.py``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from csflow import BusinessCalendar

# Nyepi, Idul Fitri 1447 H (Saturday 21 and Sunday 22 March) and the cuti bersama (joint
# leave days) around them, as the 2026 joint ministerial decree sets them
# (csflow.samples.JAKARTA_HOLIDAYS_2026 holds the whole year).
HOLIDAYS = {
    date(2026, 3, 18): "Cuti bersama Hari Suci Nyepi",
    date(2026, 3, 19): "Hari Suci Nyepi",
    date(2026, 3, 20): "Cuti bersama Idul Fitri",
    date(2026, 3, 21): "Idul Fitri 1447 H",
    date(2026, 3, 22): "Idul Fitri 1447 H (hari kedua)",
    date(2026, 3, 23): "Cuti bersama Idul Fitri",
    date(2026, 3, 24): "Cuti bersama Idul Fitri",
}


def main() -> None:
    office = BusinessCalendar(
        "Asia/Jakarta",
        weekly={
            day: [("08:00", "12:00"), ("13:00", "17:00")]
            for day in ("mon", "tue", "wed", "thu", "fri")
        },
        holidays=HOLIDAYS,
    )
    created = datetime(2026, 3, 17, 15, 30, tzinfo=office.zone)
    due = office.add(created, timedelta(hours=4))
    print(f"created {created:%a %d %b %H:%M}, 4 business hours -> due {due:%a %d %b %H:%M}")
    print(f"business time between them: {office.elapsed(created, due)}")
    eve = datetime(2026, 3, 20, 10, tzinfo=office.zone)  # Friday, the eve of Idul Fitri
    print(f"open on the eve of Idul Fitri (cuti bersama)? {office.is_open(eve)}")


if __name__ == "__main__":
    main()
