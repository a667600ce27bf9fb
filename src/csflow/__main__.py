"""Command line: ``python -m csflow demo``.

This is the only module of csflow that prints.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta

from csflow._jakarta import TIERS, jakarta_office_calendar
from csflow.calendar import BusinessCalendar

__all__ = ["main"]

# Business-time targets of the sample desk, per tier: (first response, resolution).
_TARGETS: dict[str, tuple[timedelta, timedelta]] = {
    "platinum": (timedelta(hours=1), timedelta(hours=8)),
    "gold": (timedelta(hours=2), timedelta(hours=16)),
    "silver": (timedelta(hours=4), timedelta(hours=24)),
    "regular": (timedelta(hours=8), timedelta(hours=40)),
}


def _fmt(at: datetime) -> str:
    return at.strftime("%a %d %b %H:%M")


def _demo(out: list[str]) -> None:
    office = jakarta_office_calendar()
    wib = office.zone
    around_lebaran = [
        datetime(2026, 3, 17, 15, 30, tzinfo=wib),
        datetime(2026, 3, 19, 10, 0, tzinfo=wib),
        datetime(2026, 3, 25, 11, 45, tzinfo=wib),
    ]
    out.append("SLA deadlines on the Jakarta office calendar (Mon-Fri 08-12, 13-17; Sat 08-12),")
    out.append("across the Lebaran 2026 closing:")
    for d, name in office.holidays.items():
        if d.month == 3:
            out.append(f"  closed {d:%a %d %b}: {name}")
    out.append("")
    header = f"{'tier':<9} {'created':<16} {'first response due':<20} {'resolution due':<20}"
    out.append(header)
    out.append("-" * len(header))
    for tier in TIERS:
        first, resolution = _TARGETS[tier]
        for created in around_lebaran:
            out.append(
                f"{tier:<9} {_fmt(created):<16} {_fmt(office.add(created, first)):<20} "
                f"{_fmt(office.add(created, resolution)):<20}"
            )
    chat = BusinessCalendar.always_open("Asia/Jakarta")
    created = around_lebaran[1]
    out.append("")
    out.append(
        "A platinum WhatsApp chat on the 24/7 calendar, created "
        f"{_fmt(created)}: first reply due {chat.add(created, timedelta(minutes=1)):%H:%M}."
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the csflow command line and return the exit status."""
    parser = argparse.ArgumentParser(prog="csflow", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="an Indonesian e-commerce desk around Lebaran 2026")
    args = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    out: list[str] = []
    if args.command == "demo":
        _demo(out)
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
