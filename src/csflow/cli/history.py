"""``csflow forecast ARRIVALS --day YYYY-MM-DD --zone ZONE``: a day's forecast from arrival
history (:func:`csflow.forecast_from_history`), written as the forecast file ``csflow staff
--forecast`` reads: ``start,arrivals,duration`` rows, each start an ISO 8601 instant with its
offset, so that ``csflow forecast ... > f.csv && csflow staff CONFIG --forecast f.csv`` plans
the day.

ARRIVALS is read one line at a time (see :func:`csflow.cli.documents.read_lines` for the
bounds), and only counts per interval are kept.  It is one of:

* CSV: one arrival a row, an ISO 8601 instant with an offset.  The first row is a header
  when its first cell does not start with a digit; the column read is then ``created_at``,
  else ``at``, else the only one (a helpdesk's export with more columns names one of these);
  without a header, the first column.  An error names ``file:line.column``.
* JSON Lines of csflow events (or a JSON array: the file's first character is ``{`` or
  ``[``): each row an event's ``to_dict()``, every row read with
  :func:`csflow.event_from_dict`; an arrival is a ticket's first ``TicketQueued``, counted
  again only after the ticket's ``TicketClosed`` or ``TicketAbandoned`` (an id submitted
  again), as :func:`csflow.summarize` counts offered tickets.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import sys
from collections.abc import Generator, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import IO

from csflow._text import show
from csflow.cli.documents import (
    MAX_STREAM_ROWS,
    open_sniffed,
    read_json_rows,
    read_lines,
)
from csflow.cli.forecast import format_duration, staffing_value
from csflow.cli.output import Table, render
from csflow.cli.report import check_interval, instant, row_error
from csflow.errors import ConfigError, CsflowError
from csflow.events import TicketAbandoned, TicketClosed, TicketQueued, event_from_dict
from csflow.staffing.history import MAX_LOOKBACK, forecast_from_history

__all__ = ["forecast"]

#: The header names of the instant column, in the order looked for.
COLUMNS = ("created_at", "at")


def _csv_arrivals(path: Path, stream: IO[bytes]) -> Generator[datetime]:
    """The instants of a CSV file of arrivals (see the module docstring), opened as
    *stream*."""
    lines = read_lines(path, "ARRIVALS", stream)
    reader = csv.reader(lines)
    column: int | None = None
    name = ""
    rows = 0
    with contextlib.closing(lines):
        try:
            for record in reader:
                if not any(cell.strip() for cell in record):
                    continue  # a blank line
                at = f"{path.name}:{reader.line_num}"
                if column is None:
                    first = record[0].strip()
                    if first[:1].isdigit():
                        column = 0
                    else:
                        column, name = _header(record, at)
                        continue
                rows += 1
                if rows > MAX_STREAM_ROWS:
                    raise ConfigError(
                        f"{str(path)!r} has more than {MAX_STREAM_ROWS:,} arrivals: split it",
                        at,
                    )
                where = f"{at}.{name}" if name else at
                if column >= len(record):
                    raise ConfigError(
                        "expected an ISO 8601 instant with an offset, got a row without this "
                        "column",
                        where,
                    )
                yield instant(record[column], where)
        except csv.Error as exc:
            raise ConfigError(
                f"{str(path)!r} is not CSV as expected: {exc}",
                f"{path.name}:{max(reader.line_num, 1)}",  # the line it stopped in
            ) from None


def _header(record: Sequence[str], at: str) -> tuple[int, str]:
    """The column of the instants, and its name, from a header row."""
    names = [cell.strip() for cell in record]
    folded = [n.lower() for n in names]
    for wanted in COLUMNS:
        if wanted in folded:
            k = folded.index(wanted)
            return k, names[k]
    if len(names) == 1:
        return 0, names[0]
    raise ConfigError(
        "expected a header row with a created_at or at column (or no header: an ISO 8601 "
        f"instant in the first column), got {show(','.join(record))}",
        at,
    )


def _event_arrivals(path: Path, sniffed: tuple[IO[bytes], str]) -> Generator[datetime]:
    """The arrivals of a JSON Lines file (or JSON array) of csflow events, opened as
    *sniffed*: each ticket's first ``TicketQueued``, again after it was closed or
    abandoned."""
    queued: set[str] = set()  # tickets queued and not yet closed or abandoned
    rows = read_json_rows(path, "ARRIVALS", sniffed)
    with contextlib.closing(rows):
        for i, (line, data) in enumerate(rows):
            where = f"events[{i}]"
            try:
                event = event_from_dict(data, where)
            except CsflowError as exc:
                raise row_error(exc, path, line, where) from None
            if isinstance(event, TicketQueued):
                if event.ticket_id not in queued:
                    queued.add(event.ticket_id)
                    yield event.at
            elif isinstance(event, TicketClosed | TicketAbandoned):
                queued.discard(event.ticket_id)


def _dates(values: Sequence[str] | None, option: str) -> list[date]:
    """``--exclude 2026-03-09,2026-03-16`` (given once or more) as dates (or ``--days``)."""
    days: list[date] = []
    for value in values or ():
        for piece in value.split(","):
            days.append(staffing_value("day", piece.strip(), option))
    return days


def forecast(args: argparse.Namespace) -> str:
    """``csflow forecast ARRIVALS``: the forecast of ``--day``, in ``args.format``.

    Raises:
        ConfigError: A bad option (checked before the file is read), an unreadable or
            oversized file, a bad row (naming the file, the line and the field), a file with
            no arrival at all.
    """
    day = staffing_value("day", args.day, "--day")
    zone = staffing_value("timezone", args.zone, "--zone")
    interval = check_interval(args.interval, "--interval")
    if args.lookback is not None and not 1 <= args.lookback <= MAX_LOOKBACK:
        raise ConfigError(
            f"expected a number of past days from 1 to {MAX_LOOKBACK}, got {args.lookback}",
            "--lookback",
        )
    exclude = _dates(args.exclude, "--exclude")
    chosen = None if args.days is None else _dates(args.days, "--days")
    if chosen is not None and (args.lookback is not None or args.daily or exclude):
        raise ConfigError(
            "names the days to average itself: leave out --lookback, --daily and --exclude",
            "--days",
        )
    path = Path(args.arrivals)
    # One open: a pipe (``<(zcat arrivals.csv.gz)``) is read whole, from its first line.
    stream, first = open_sniffed(path, "ARRIVALS")
    events = first in ("{", "[")
    arrivals = _event_arrivals(path, (stream, first)) if events else _csv_arrivals(path, stream)
    read = 0
    first_at: datetime | None = None
    last_at: datetime | None = None

    def counted(stream: Iterator[datetime]) -> Iterator[datetime]:
        nonlocal read, first_at, last_at
        for at in stream:
            read += 1
            if first_at is None or at < first_at:
                first_at = at
            if last_at is None or at > last_at:
                last_at = at
            yield at

    try:
        result = forecast_from_history(
            counted(arrivals),
            day,
            timezone=zone.key,
            interval=interval,
            **(
                {"days": chosen}
                if chosen is not None
                else {"lookback": args.lookback, "same_weekday": not args.daily, "exclude": exclude}
            ),
        )
    except ConfigError as exc:
        if exc.path in ("day", "lookback"):  # the days searched or forecast, out of range
            raise ConfigError(exc.detail, f"--{exc.path}") from None
        if exc.path.startswith("days"):  # chosen days out of order
            raise ConfigError(exc.detail, "--days") from None
        raise
    finally:
        arrivals.close()
        stream.close()  # a generator closed before it started has not opened its with
    if read == 0:
        what = "TicketQueued event" if events else "arrival"
        raise ConfigError(f"{str(path)!r} holds no {what}: there is nothing to average", "ARRIVALS")
    days = ", ".join(d.isoformat() for d in result.days)
    if result.counted == 0:
        print(
            f"csflow: warning: none of the {read:,} arrivals in {str(path)!r} falls on the "
            f"days averaged ({days}): the forecast is 0 in every interval",
            file=sys.stderr,
        )
    elif first_at is not None and last_at is not None:
        # A day the history does not reach is averaged as a day without arrivals: say so,
        # rather than let a history shorter than --lookback lower the forecast unseen.
        earliest = first_at.astimezone(zone).date()
        latest = last_at.astimezone(zone).date()
        outside = [d for d in result.days if not earliest <= d <= latest]
        if outside:
            several = len(outside) > 1
            print(
                f"csflow: warning: the arrivals in {str(path)!r} run from {earliest.isoformat()} "
                f"to {latest.isoformat()}; {', '.join(d.isoformat() for d in outside)}, outside "
                f"them, {'are' if several else 'is'} averaged as "
                f"{'days' if several else 'a day'} without arrivals (give a history that "
                "covers the days averaged, a shorter --lookback, or --days)",
                file=sys.stderr,
            )
    if chosen is not None:
        averaged = f"{len(result.days)} chosen past day{'s' if len(result.days) > 1 else ''}"
    else:
        past = f"{day:%A}s" if not args.daily else "days"
        averaged = f"{len(result.days)} past {past}"
    table = Table(
        "forecast",
        f"Forecast for {day.isoformat()} ({day:%a}) in {zone.key}: the mean of "
        f"{averaged}, {format_duration(interval)} intervals",
        ("start", "arrivals", "duration"),
        tuple((f.start.isoformat(), f.arrivals, format_duration(f.duration)) for f in result),
    )
    text = [
        f"{path.name}: {read:,} arrivals, {result.counted:,} on the days averaged ({days}); "
        f"{result.total:.1f} expected on {day.isoformat()}"
    ]
    extra = {
        "day": day.isoformat(),
        "timezone": zone.key,
        "interval_seconds": interval.total_seconds(),
        "days": [d.isoformat() for d in result.days],
        "arrivals_read": read,
        "counted": result.counted,
        "total": result.total,
    }
    return render(args.format, [table], text=text, extra=extra)
