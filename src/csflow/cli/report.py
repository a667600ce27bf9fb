"""``csflow report EVENTS``: the interval report of a desk's event stream -- per half hour of
the desk's local day, the tickets offered, answered, answered within the target, abandoned and
still waiting, the service level, ASA and AHT (:func:`csflow.summarize_intervals`).  With
``--short-abandon 5s`` the tickets abandoned after less than 5 seconds in line are short
abandons, left out of the service level (and counted in a ``short_abandoned`` column).

EVENTS is what a host's outbox holds: one event's ``to_dict()`` a line (JSON Lines), or a
JSON array of them, each read back with :func:`csflow.event_from_dict`.  The file is read one
line at a time and folded into an :class:`~csflow.metrics.IntervalSummarizer` as it is read,
so memory holds the open tickets and the intervals, not the stream (see
:func:`csflow.cli.documents.read_json_rows` for the bounds).  A bad row is one line naming
the row's field, the file and the line (``events[2].at ('events.jsonl' line 3): ...``).
"""

from __future__ import annotations

import argparse
import contextlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from csflow._text import show
from csflow.cli.documents import read_json_rows
from csflow.cli.forecast import format_duration, labels, staffing_value
from csflow.cli.output import Table, render
from csflow.errors import ConfigError, CsflowError
from csflow.events import event_from_dict
from csflow.metrics import IntervalReport, IntervalSummarizer, Report

__all__ = ["MAX_REPORT_INTERVALS", "check_interval", "instant", "report", "row_error"]

_DAY: Final = timedelta(days=1)

#: The most intervals that may hold tickets in one report: 100,000 (a year of 15-minute
#: intervals is 35,040).  Each holds a running summary and prints a row, so a stream whose
#: tickets fall into more (a hostile file, or years of events at ``--interval 1m``) is
#: refused rather than fill memory: a longer ``--interval`` reads it.
MAX_REPORT_INTERVALS: Final = 100_000

#: The measures of an interval row (and of the total).
MEASURES: Final = (
    "offered",
    "answered",
    "answered_within_target",
    "abandoned",
    "waiting",
    "service_level",
    "asa_s",
    "aht_s",
)


def check_interval(seconds: float, where: str) -> timedelta:
    """``--interval`` as a timedelta: at least a minute, dividing a day evenly (what interval
    reports and history forecasts are cut into).

    Raises:
        ConfigError: Another length, naming *where*.
    """
    interval = timedelta(seconds=seconds)
    if interval < timedelta(minutes=1) or _DAY % interval:
        raise ConfigError(
            "expected an interval of at least 1m that divides a day evenly (15m, 30m, 1h, "
            f"1d ...), got {format_duration(interval)}",
            where,
        )
    return interval


def instant(value: str, where: str) -> datetime:
    """An ISO 8601 instant with an offset (``2026-03-19T23:59:59+07:00``, ``...Z``).

    Raises:
        ConfigError: Not such an instant (a date alone, a time without an offset).
    """
    try:
        at = datetime.fromisoformat(value.strip())
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError(value)
        at.astimezone(UTC)  # an offset that takes it past the datetime range
    except (ValueError, OverflowError):
        raise ConfigError(
            "expected an ISO 8601 instant with an offset, such as 2026-03-19T23:59:59+07:00, "
            f"got {show(value)}",
            where,
        ) from None
    return at


def row_error(exc: CsflowError, path: Path, line: int, fallback: str) -> ConfigError:
    """*exc*, raised about a row of *path*, as one error naming the row's field, the file and
    the line: ``events[2].at ('events.jsonl' line 3)`` (no line for an array's items)."""
    where = exc.path if isinstance(exc, ConfigError) and exc.path else fallback
    detail = exc.detail if isinstance(exc, ConfigError) else str(exc)
    return ConfigError(detail, f"{where} ({str(path)!r}{f' line {line}' if line else ''})")


def _seconds(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds(), 1)


def _measures(r: Report, short: bool = False) -> tuple[Any, ...]:
    return (
        r.offered,
        r.answered,
        r.answered_within_target,
        r.abandoned,
        *((r.short_abandoned,) if short else ()),
        r.waiting,
        r.service_level,
        _seconds(r.average_speed_of_answer),
        _seconds(r.average_handle_time),
    )


def _short_abandon(args: argparse.Namespace) -> timedelta:
    """``--short-abandon`` as a timedelta (0 when not given).

    Read with a default: a parser without the option (an older one, or a host's own) reports
    every abandonment, as before it existed.

    Raises:
        ConfigError: A negative duration.
    """
    seconds = getattr(args, "short_abandon", None)
    if seconds is None:
        return timedelta(0)
    if seconds < 0:
        raise ConfigError(
            f"expected a duration >= 0 such as 5s, got {show(seconds)} seconds", "--short-abandon"
        )
    return timedelta(seconds=seconds)


def _full(result: IntervalReport) -> dict[str, Any]:
    """``IntervalReport.to_dict()`` without the queue-length series: a day's stream has a step
    per change of the line, millions of pairs that no table shows (``max_queue_length``
    stays)."""
    doc = result.to_dict()
    for row in doc["intervals"]:
        row["report"].pop("queue_length", None)
    doc["total"].pop("queue_length", None)
    return doc


def report(args: argparse.Namespace) -> str:
    """``csflow report EVENTS``: the interval report, in ``args.format``.

    Raises:
        ConfigError: A bad option (``--interval``, ``--zone``, ``--until``,
            ``--short-abandon``; checked before the file is read), an unreadable or oversized
            file, a row that is not JSON or not an event (naming the field, the file and the
            line), an event whose interval cannot be expressed, an ``--until`` before the
            latest event, tickets in more than :data:`MAX_REPORT_INTERVALS` intervals.
    """
    interval = check_interval(args.interval, "--interval")
    zone = staffing_value("timezone", args.zone, "--zone")
    target = timedelta(seconds=args.target)
    short_abandon = _short_abandon(args)
    until = None if args.until is None else instant(args.until, "--until")
    path = Path(args.events)
    live = IntervalSummarizer(
        interval=interval, zone=zone, service_target=target, short_abandon=short_abandon
    )
    rows = read_json_rows(path, "EVENTS")
    with contextlib.closing(rows):
        for line, data in rows:
            where = f"events[{live.events}]"
            try:
                live.add(event_from_dict(data, where))
            except CsflowError as exc:
                raise row_error(exc, path, line, where) from None
            if live.intervals > MAX_REPORT_INTERVALS:
                at = f"line {line}" if line else f"item {live.events - 1}"
                raise ConfigError(
                    f"{str(path)!r} {at}: the tickets fall into more than "
                    f"{MAX_REPORT_INTERVALS:,} intervals of {format_duration(interval)}; "
                    "report on a longer --interval",
                    "EVENTS",
                )
    try:
        result = live.report(until=until)
    except ConfigError:
        latest = live.report().total.end
        assert until is not None
        assert latest is not None
        raise ConfigError(
            "expected an instant at or after the latest event, "
            f"{latest.astimezone(until.tzinfo).isoformat()}, got "
            f"{until.isoformat()}",
            "--until",
        ) from None
    label = labels([start for start, _ in result])
    name = f"{format_duration(interval)} intervals in {zone.key}"
    short = bool(short_abandon)
    measures: tuple[str, ...] = MEASURES
    within = f"service level within {format_duration(target)}"
    if short:
        # The column only when asked for: the default report keeps its columns.
        measures = (*MEASURES[:4], "short_abandoned", *MEASURES[4:])
        within += f", abandons under {format_duration(short_abandon)} left out"
    intervals = Table(
        "intervals",
        f"Intervals ({name}; {within})",
        ("from", *measures),
        tuple((label(start), *_measures(r, short)) for start, r in result),
    )
    totals = Table(
        "totals",
        "Totals",
        ("events", "left_out", *measures),
        ((live.events, result.left_out, *_measures(result.total, short)),),
    )
    if args.format == "table":
        text = [
            f"{path.name}: {live.events:,} events, {len(result):,} intervals with tickets ({name})",
            "",
            *result.table(),
        ]
        if result.left_out:
            text.append(
                f"{result.left_out:,} events count in the total only (presence changes, events "
                "of a ticket before its first counted one)"
            )
        return render("table", [], text=text)
    return render(args.format, [intervals, totals], extra={"report": _full(result)})
