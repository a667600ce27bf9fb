"""Metrics: the cost of a wallboard's redraw, an interval report asked for after each event.

A desk's day is folded into an :class:`~csflow.metrics.IntervalSummarizer` of half hours
(every interval holds a ticket still in an agent's hands), then each timed call folds in one
more event -- a ticket of some interval resolved -- and asks for the report: once with the
observation ending at the latest event (the end moves with every event, so every row's
report is a copy ending there), once with a fixed end of day (rows without news are shown as
they were).  Only the interval that had the event is summarized again, so the cost grows with
the intervals listed by a copy or a pointer each, not by a summary each.  The ratio column
is in units of a :class:`~csflow.metrics.Summarizer`'s report of the same events (the total
an interval report carries), timed in turns with the others.

Run with ``python -m benchmarks metrics``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

from benchmarks._common import Row, interleaved_per_call, print_table, section
from csflow.events import TicketAssigned, TicketQueued, TicketResolved
from csflow.metrics import IntervalSummarizer, Summarizer
from csflow.model import Priority

WIB = ZoneInfo("Asia/Jakarta")
DAY = datetime(2026, 3, 19, tzinfo=WIB)
HALF_HOUR = timedelta(minutes=30)
PER_INTERVAL = 10  # tickets offered in each half hour, all taken and still in hand


def _desk(days: int) -> tuple[IntervalSummarizer, Summarizer, list[str]]:
    """*days* of half hours, each offering PER_INTERVAL tickets, all taken."""
    live = IntervalSummarizer(interval=HALF_HOUR, zone=WIB)
    total = Summarizer()
    ids = []
    for k in range(48 * days):
        start = DAY + k * HALF_HOUR
        for j in range(PER_INTERVAL):
            tid = f"T{k}-{j}"
            at = start + j * timedelta(minutes=2)
            for event in (
                TicketQueued(at, tid, "chat", Priority.NORMAL, None, "gold", "chat", ""),
                TicketAssigned(at + timedelta(seconds=15), tid, "ana", 15.0, 1, ""),
            ):
                live.add(event)
                total.add(event)
            ids.append(tid)
    return live, total, ids


def _redraw(
    live: IntervalSummarizer, ids: list[str], days: int, *, fixed: bool
) -> Callable[[], object]:
    """One call: a ticket of some interval resolved (one second after the last), then the
    report."""
    later = DAY + timedelta(days=days, hours=1)
    end = later + timedelta(days=30) if fixed else None
    ticks: Iterator[int] = count()

    def call() -> object:
        n = next(ticks)
        live.add(TicketResolved(later + timedelta(seconds=n), ids[n * 7 % len(ids)], "ana"))
        return live.report(until=end)

    return call


def _total(total: Summarizer, ids: list[str], days: int) -> Callable[[], object]:
    later = DAY + timedelta(days=days, hours=1)
    ticks: Iterator[int] = count()

    def call() -> object:
        n = next(ticks)
        total.add(TicketResolved(later + timedelta(seconds=n), ids[n * 7 % len(ids)], "ana"))
        return total.report()

    return call


def main() -> None:
    """Print the cost of a redraw for a day and a week of half hours."""
    section(
        "An interval report after each event: 48 half hours (a day) and 336 (a week), "
        f"{PER_INTERVAL} tickets each (timed in turns)"
    )
    fns: dict[str, Callable[[], object]] = {}
    for days in (1, 7):
        live_m, total, ids = _desk(days)
        live_f, _, _ = _desk(days)
        fns[f"total {days}"] = _total(total, ids, days)
        fns[f"moving {days}"] = _redraw(live_m, ids, days, fixed=False)
        fns[f"fixed {days}"] = _redraw(live_f, ids, days, fixed=True)
    figures = interleaved_per_call(fns, number=100, rounds=9)
    rows: list[Row] = [("Summarizer.report (the total), a day", figures["total 1"], "")]
    for days, label in ((1, "a day"), (7, "a week")):
        intervals = 48 * days
        rows += [
            (
                f"IntervalSummarizer.report, {label}, end moves",
                figures[f"moving {days}"],
                f"{intervals} rows: 1 summarized, {intervals - 1} copied with the new end",
            ),
            (
                f"IntervalSummarizer.report, {label}, end fixed",
                figures[f"fixed {days}"],
                f"{intervals} rows: 1 summarized, {intervals - 1} shown as they were",
            ),
        ]
    print_table(rows, ratio_label="× total")


if __name__ == "__main__":
    main()
