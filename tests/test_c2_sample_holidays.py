"""The sample 2026 Indonesian holidays, checked against the joint ministerial decree (SKB 3
Menteri No. 1497/2025, 2/2025 and 5/2025): 17 national holidays and 8 days of cuti bersama."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import csflow.samples as samples
from csflow.samples import JAKARTA_HOLIDAYS_2026, jakarta_office_calendar

NATIONAL = {
    date(2026, 1, 1),  # Tahun Baru Masehi
    date(2026, 1, 16),  # Isra Mikraj
    date(2026, 2, 17),  # Tahun Baru Imlek 2577
    date(2026, 3, 19),  # Nyepi, Tahun Baru Saka 1948
    date(2026, 3, 21),  # Idul Fitri 1447 H
    date(2026, 3, 22),  # Idul Fitri 1447 H, second day
    date(2026, 4, 3),  # Wafat Yesus Kristus
    date(2026, 4, 5),  # Paskah
    date(2026, 5, 1),  # Hari Buruh
    date(2026, 5, 14),  # Kenaikan Yesus Kristus
    date(2026, 5, 27),  # Idul Adha 1447 H
    date(2026, 5, 31),  # Waisak 2570 BE
    date(2026, 6, 1),  # Hari Lahir Pancasila
    date(2026, 6, 16),  # Tahun Baru Islam 1448 H
    date(2026, 8, 17),  # Hari Kemerdekaan
    date(2026, 8, 25),  # Maulid Nabi Muhammad
    date(2026, 12, 25),  # Natal
}
CUTI_BERSAMA = {
    date(2026, 2, 16),
    date(2026, 3, 18),
    date(2026, 3, 20),
    date(2026, 3, 23),
    date(2026, 3, 24),
    date(2026, 5, 15),
    date(2026, 5, 28),
    date(2026, 12, 24),
}


def test_the_dates_are_the_decree_s() -> None:
    assert len(NATIONAL) == 17
    assert len(CUTI_BERSAMA) == 8
    assert set(JAKARTA_HOLIDAYS_2026) == NATIONAL | CUTI_BERSAMA
    for day, name in JAKARTA_HOLIDAYS_2026.items():
        assert name.startswith("Cuti bersama") == (day in CUTI_BERSAMA), (day, name)


def test_the_module_names_every_sunday_among_them() -> None:
    months = ["January", "February", "March", "April", "May", "June", "July", "August"]
    doc = " ".join((samples.__doc__ or "").split())
    sundays = [d for d in JAKARTA_HOLIDAYS_2026 if d.weekday() == 6]
    words = {2: "Two", 3: "Three", 4: "Four"}
    assert f"{words[len(sundays)]} dates are Sundays" in doc
    for day in sundays:
        assert re.search(rf"\b{day.day} {months[day.month - 1]}\b", doc), day


def test_lebaran_week_on_the_office_calendar() -> None:
    cal = jakarta_office_calendar()
    jkt = ZoneInfo("Asia/Jakarta")
    # Tuesday 17 March 16:00, 8 business hours: 1 h that day, closed 18-24 March, then
    # Wednesday 25 March 08:00-12:00 and 13:00-16:00.
    start = datetime(2026, 3, 17, 16, 0, tzinfo=jkt)
    assert cal.add(start, timedelta(hours=8)) == datetime(2026, 3, 25, 16, 0, tzinfo=jkt)
    # Saturday 21 March (Idul Fitri) is closed, though Saturdays open 08:00-12:00.
    assert not cal.is_open(datetime(2026, 3, 21, 9, 0, tzinfo=jkt))
    assert cal.is_open(datetime(2026, 3, 28, 9, 0, tzinfo=jkt))
