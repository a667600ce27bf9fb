"""The Lebaran dates the staffing how-to pages name agree with the sample 2026 calendar.

Idul Fitri 1447 H is Saturday 21 March 2026, its second day Sunday 22 March, and Friday
20 March is cuti bersama, its eve (``csflow.samples.JAKARTA_HOLIDAYS_2026``, from the joint
ministerial decree).  Idul Fitri 1445 H was 10 April 2024 (second day 11 April), 1446 H
31 March 2025 (second day 1 April).  A forecast for "Lebaran's second day" averaged from past
second days must forecast the second day of 2026 too, not the first.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from csflow.samples import JAKARTA_HOLIDAYS_2026
from test_docs import extract_blocks

DOCS = Path(__file__).resolve().parents[1] / "docs"
LEBARAN_PAGE = DOCS / "how-to" / "lebaran-staffing.md"
ROSTER_PAGE = DOCS / "how-to" / "roster.md"

# The first day of Idul Fitri, year by year: 2026 from the sample calendar.
FIRST_DAY = {
    2024: date(2024, 4, 10),
    2025: date(2025, 3, 31),
    2026: next(d for d, name in JAKARTA_HOLIDAYS_2026.items() if name == "Idul Fitri 1447 H"),
}
SECOND_DAY = {
    2024: date(2024, 4, 11),
    2025: date(2025, 4, 1),
    2026: next(
        d for d, name in JAKARTA_HOLIDAYS_2026.items() if name == "Idul Fitri 1447 H (hari kedua)"
    ),
}
MONTHS = {"March": 3, "April": 4}


def _run_page(page: Path) -> dict[str, object]:
    namespace: dict[str, object] = {"__name__": "docs.e2"}
    for block in extract_blocks(page.read_text(encoding="utf-8")):
        if block.language == "python" and block.run:
            exec(compile("\n" * (block.line - 1) + block.code, str(page), "exec"), namespace)
    return namespace


def test_the_sample_calendar_puts_idul_fitri_2026_on_saturday_21_march() -> None:
    assert FIRST_DAY[2026] == date(2026, 3, 21)
    assert SECOND_DAY[2026] == date(2026, 3, 22)
    assert JAKARTA_HOLIDAYS_2026[date(2026, 3, 20)] == "Cuti bersama Idul Fitri"


def test_the_dates_listed_for_idul_fitri_are_its_first_days() -> None:
    text = " ".join(LEBARAN_PAGE.read_text(encoding="utf-8").split())
    listed = re.search(r"Idul Fitri comes some eleven days earlier every year \(([^)]*)\)", text)
    assert listed is not None
    days = [
        date(int(y), MONTHS[m], int(d))
        for d, m, y in re.findall(r"(\d+) (March|April) (\d{4})", listed.group(1))
    ]
    assert days == [FIRST_DAY[2024], FIRST_DAY[2025], FIRST_DAY[2026]]


def test_the_second_day_forecast_averages_second_days_for_a_second_day() -> None:
    namespace = _run_page(LEBARAN_PAGE)
    second_days = namespace["second_days"]
    assert isinstance(second_days, list)
    assert sorted(second_days) == [SECOND_DAY[2024], SECOND_DAY[2025]]
    feast = namespace["feast"]
    assert feast.day == SECOND_DAY[2026]  # type: ignore[attr-defined]
    assert set(feast.days) == set(second_days)  # type: ignore[attr-defined]
    nine = next(f for f in feast if f.start.hour == 9 and f.start.minute == 0)  # type: ignore[attr-defined]
    assert nine.start.date() == SECOND_DAY[2026]
    assert nine.arrivals == 130.0  # (140 + 120) / 2, counted by hand


def test_the_roster_page_names_friday_20_march_the_eve_and_no_other_day() -> None:
    text = " ".join(ROSTER_PAGE.read_text(encoding="utf-8").split())
    eves = re.findall(r"(\w+)(?: \d+ March)?, the eve of Idul Fitri", text)
    eves += re.findall(r"the eve of Idul Fitri \((\w+) (\d+) March", text)
    assert eves, "the page names the eve of Idul Fitri"
    for found in eves:
        named = found if isinstance(found, str) else found[0]
        assert named == "Friday", f"the eve of Idul Fitri is Friday 20 March, not {named}"
        if not isinstance(found, str):
            assert int(found[1]) == 20
    first = re.search(r"its first day \((\w+) (\d+) March", text)
    assert first is not None
    assert (first.group(1), int(first.group(2))) == ("Saturday", FIRST_DAY[2026].day)
