"""The inputs of a day plan (``csflow staff``): the staffing section's values and the flags
that override them, the forecast file, and a forecast made of a simulation's arrival profile.

* Every value is checked where it is read, by the staffing library's own checks, and an error
  names where it came from: ``staffing.level`` for the file, ``--level`` for the flag.  The
  config reader checks the file's values on load, so ``lint`` refuses what ``staff`` would.
* A peak written as a bare number that reads as a peak day's name (``peak: 11.11`` unquoted,
  which YAML, TOML and JSON read as the number 11.11) is refused: the name, quoted, is meant.
* A forecast row's ``start`` is an ISO 8601 instant with an offset, or ``HH:MM`` on the
  plan's day in its time zone.  With a time zone given (``--timezone``,
  ``staffing.timezone``) an ISO instant is read on its clock: the same instant, in the zone,
  so ``csflow forecast``'s rows (fixed offsets) make a plan and a roster of the zone's day
  (25 hours in Berlin on 25 October 2026), not of a fixed offset all day.  A local time that does not exist that day (the hour skipped
  when clocks spring forward) is an error naming the row; the hour that repeats when clocks
  fall back may be written twice, in order: the second ``01:00`` after ``01:30`` is the
  second ``01:00`` (after the change), as a wall clock reads them.
* The header names are read in any case (``Start,Arrivals``), blank lines are skipped, and a
  row is named by the file's line it ends on (``f.csv:6``), as ``csflow forecast`` names its
  rows; a quoted ``start``, ``arrivals`` or ``duration`` cell that holds a line break is
  refused there, not read as one value.  A cell is read as ``csv`` output writes it: the
  quote before a text a spreadsheet would take for a formula is taken away
  (:func:`csflow.cli.output.csv_text`).
* Rows without a ``duration`` last the plan's interval; rows evenly spaced at another
  spacing (an hourly forecast read as half hours) are refused, naming the ``--interval``.
* A plan from the arrival profile integrates the piecewise-constant rate over each interval,
  clipped to the simulated horizon: a last interval cut short by the horizon is planned as
  the shorter interval it is, with the arrivals of that part.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import math
import re
import zoneinfo
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from csflow._text import did_you_mean, show
from csflow._time import iana_zone
from csflow.cli.durations import parse_human_duration
from csflow.cli.output import csv_text
from csflow.errors import ConfigError
from csflow.sim import PEAK_DAYS, SimConfig
from csflow.sim.scenario import peak_factor
from csflow.staffing import ForecastInterval
from csflow.staffing._checks import check_level, check_multiplier, check_shrinkage
from csflow.staffing.erlang import _check_max_occupancy

__all__ = [
    "MAX_FORECAST_BYTES",
    "MAX_PLAN_INTERVALS",
    "format_duration",
    "labels",
    "profile_forecast",
    "read_forecast",
    "staffing_value",
]

#: The most intervals a day plan has: a plan from a simulation's arrival profile longer than
#: this (e.g. a year in half hours is 17,520) is refused rather than computed for minutes.
MAX_PLAN_INTERVALS: Final = 20_000

#: The largest forecast file read, in bytes: its rows, at most :data:`MAX_PLAN_INTERVALS`,
#: with room for columns the plan does not read.
MAX_FORECAST_BYTES: Final = 16 * 2**20

_DAY: Final = timedelta(days=1)
# The columns of a forecast file that are read (others are left alone).
_COLUMNS: Final = frozenset({"start", "arrivals", "duration"})


def format_duration(value: timedelta) -> str:
    """*value* as a config file writes it: ``4h``, ``30m``, ``1h30m``, ``20s``, ``1d2h``."""
    total = value.total_seconds()
    sign = "-" if total < 0 else ""
    seconds = abs(total)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        n, seconds = divmod(seconds, size)
        if n:
            parts.append(f"{int(n)}{unit}")
    if seconds or not parts:
        parts.append(f"{seconds:g}s")
    return sign + "".join(parts)


def _checked(check: Callable[[object], float], value: object, where: str, expected: str) -> float:
    """*value* through the library's *check*, its error phrased for *where*."""
    try:
        return check(value)
    except ConfigError:
        raise ConfigError(f"expected {expected}, got {show(value)}", where) from None


def _occupancy_cap(value: object) -> float:
    """An occupancy cap in ``(0, 1]``, checked as the staffing functions check it."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"expected a number, got {show(value)}")
    return float(_check_max_occupancy(value))


def _peak(value: object, where: str) -> float:
    if isinstance(value, str) and value not in PEAK_DAYS and value.strip()[:1] not in "xX×":
        with contextlib.suppress(ValueError):
            value = float(value)  # --peak 2.5, or peak: "2.5"
    factor = peak_factor(value, where)
    return _checked(check_multiplier, factor, where, "a finite number > 0")


_ISO_DAY: Final = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def _zone(value: object, where: str) -> ZoneInfo:
    zone = iana_zone(value)
    if zone is None:
        # A zone misspelt by a letter or two (Asia/Jakart) is hinted at; the names are read
        # only here, on the way to the error.
        hint = did_you_mean(value, zoneinfo.available_timezones())
        raise ConfigError(
            f"expected an IANA time zone such as 'Asia/Jakarta', got {show(value)}{hint}", where
        )
    return zone


def _day(value: object, where: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value  # YAML and TOML read an unquoted 2026-03-19 as a date
    try:
        # YYYY-MM-DD only: fromisoformat also reads '20260319' and '2026-W12-4'.
        if not isinstance(value, str) or _ISO_DAY.fullmatch(value) is None:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"expected a date YYYY-MM-DD, got {show(value)}", where) from None


def staffing_value(key: str, value: object, where: str) -> Any:
    """The staffing value *key* (``level``, ``shrinkage``, ``max_occupancy``, ``peak``,
    ``day``, ``timezone``, ``forecast``) checked and converted; errors name *where* (``staffing.level``, ``--level``).
    Other keys are returned as they are.

    Raises:
        ConfigError: The value is not valid.
    """
    if key == "level":
        return _checked(check_level, value, where, "a number strictly between 0 and 1")
    if key == "shrinkage":
        return _checked(check_shrinkage, value, where, "a number from 0 up to (not including) 1")
    if key == "max_occupancy":
        if value is None:
            return None  # null: no cap
        return _checked(_occupancy_cap, value, where, "a number greater than 0 and at most 1")
    if key == "peak":
        return _peak(value, where)
    if key == "timezone":
        return _zone(value, where)
    if key == "day":
        return _day(value, where)
    if key == "forecast" and not isinstance(value, str | Path):
        raise ConfigError(f"expected the name of a CSV file, got {show(value)}", where)
    return value


def _decode(data: bytes, path: Path, where: str) -> str:
    try:
        return data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte-order mark
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{str(path)!r} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start}): save it as CSV UTF-8",
            where,
        ) from None


def _local(day: date, raw: str, zone: ZoneInfo, previous: datetime | None, where: str) -> datetime:
    """``HH:MM`` on *day* in *zone*: a time skipped by a clock change is an error; a time
    that repeats is its second occurrence when the row before is already past its first."""
    hh, mm = raw.split(":")
    wall = datetime.combine(day, time(int(hh), int(mm)))
    first = wall.replace(tzinfo=zone)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
        raise ConfigError(
            f"{raw} does not exist on {day.isoformat()} in {zone.key}: the clocks "
            "skip it (daylight saving time starts); leave the row out",
            where,
        )
    second = wall.replace(tzinfo=zone, fold=1)
    if (
        previous is not None
        and second.utcoffset() != first.utcoffset()
        and first.astimezone(UTC) <= previous.astimezone(UTC)
    ):
        return second
    return first


def read_forecast(
    path: Path,
    where: str,
    interval: timedelta,
    *,
    day: date | None,
    zone: ZoneInfo | None,
    interval_flag: str,
) -> tuple[list[ForecastInterval], list[int]]:
    """The rows of a forecast file, and the line of each in the file.

    Args:
        path: The CSV file.
        where: What named it (``--forecast`` or ``staffing.forecast``).
        interval: The length of a row without a ``duration``.
        day: The day of ``HH:MM`` rows.
        zone: The time zone of ``HH:MM`` rows, and the zone ISO rows are converted to
            (the same instants).
        interval_flag: How the interval was given (``--interval``, ``staffing.interval``, or
            ``the default``), for the message about rows spaced otherwise.

    Raises:
        ConfigError: The file is unreadable, larger than :data:`MAX_FORECAST_BYTES`, has more
            than :data:`MAX_PLAN_INTERVALS` rows (naming the first row past the bound), or a
            row is malformed (naming ``file:line``).
    """
    try:
        with path.open("rb") as f:
            data = f.read(MAX_FORECAST_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"cannot read {str(path)!r}: {exc.strerror}", where) from None
    if len(data) > MAX_FORECAST_BYTES:
        raise ConfigError(
            f"{str(path)!r} is larger than {MAX_FORECAST_BYTES // 2**20} MiB; a forecast has at "
            f"most {MAX_PLAN_INTERVALS:,} rows",
            where,
        )
    text = _decode(data, path, where)
    # The text with its line ends, so that a quoted cell keeps its line break and line_num
    # counts the file's lines (blank ones and those inside a quoted cell too): each row is
    # named by the line it ends on, as `csflow forecast` names its rows.
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str | None]]] = []
    try:
        for record in reader:
            if not record:
                continue  # a blank line
            if header is None:
                # Names as `csflow forecast` reads its own: Start,Arrivals is start,arrivals.
                header = [csv_text(name).strip().lower() for name in record]
                continue
            if len(rows) == MAX_PLAN_INTERVALS:
                raise ConfigError(
                    f"a forecast has at most {MAX_PLAN_INTERVALS:,} rows (a plan has at most "
                    f"{MAX_PLAN_INTERVALS:,} intervals), and {str(path)!r} has more: split it, "
                    "or give longer intervals",
                    f"{path.name}:{reader.line_num}",
                )
            extra = [cell for cell in record[len(header) :] if cell.strip()]
            if extra:
                # A cell past the header's columns has no name to be read under: dropping it
                # would misread a decimal comma (06:00,20,5 for 20.5 arrivals) as 20.
                raise ConfigError(
                    f"expected at most {len(header)} cells, as the header "
                    f"{show(','.join(header))} names, got {len(record)}: "
                    f"{show(','.join(record))} (write a decimal with a point, 20.5, or quote "
                    "a cell holding a comma)",
                    f"{path.name}:{reader.line_num}",
                )
            # A cell as `csflow forecast` wrote it: the quote before a text a spreadsheet
            # would take for a formula taken away.
            cells = dict(zip(header, map(csv_text, record), strict=False))
            rows.append((reader.line_num, {name: cells.get(name) for name in header}))
    except csv.Error as exc:
        raise ConfigError(
            f"{str(path)!r} is not CSV as expected: {exc}",
            f"{path.name}:{max(reader.line_num, 1)}",  # the line it stopped in
        ) from None
    if header is None or "start" not in header or "arrivals" not in header:
        got = "an empty file" if header is None else show(",".join(header))
        raise ConfigError(
            f"{str(path)!r}: expected a header row with start,arrivals, got {got}", where
        )
    if not rows:
        raise ConfigError(
            f"{str(path)!r}: expected a row per interval after the header, got none", where
        )
    out: list[ForecastInterval] = []
    lines: list[int] = []
    timed = False
    for i, row in rows:
        at = f"{path.name}:{i}"
        for name, cell in row.items():
            if name in _COLUMNS and isinstance(cell, str) and ("\n" in cell or "\r" in cell):
                raise ConfigError(
                    f"expected one line, got a quoted cell holding a line break: {cell!r}",
                    f"{at}.{name}",
                )
        raw = (row.get("start") or "").strip()
        previous = out[-1].start if out else None
        try:
            if len(raw) <= 5 and ":" in raw:
                if zone is None or day is None:
                    given = (
                        "neither is given"
                        if zone is None and day is None
                        else "no day is given"
                        if day is None
                        else "no time zone is given"
                    )
                    raise ConfigError(
                        f"a start given as HH:MM ({raw!r}) needs a day and a time zone, and "
                        f"{given}: give --day and --timezone, or staffing.day and "
                        "staffing.timezone in the config file",
                        f"{at}.start",
                    )
                start = _local(day, raw, zone, previous, f"{at}.start")
            else:
                start = datetime.fromisoformat(raw)
                if start.tzinfo is None:
                    raise ValueError
                if zone is not None:
                    # The same instant on the plan's clock: `csflow forecast` writes fixed
                    # offsets (+02:00, then +01:00 after the change), and a roster reads its
                    # shift windows in the zone of the plan's first row.
                    start = start.astimezone(zone)
        except ConfigError:
            raise  # a ValueError too, but already the right message
        except ValueError:
            raise ConfigError(
                f"expected an ISO 8601 instant with an offset or HH:MM, got {raw!r}",
                f"{at}.start",
            ) from None
        cell = row.get("arrivals")
        try:
            arrivals = float(cell or "")
        except ValueError:
            got = "a row that ends before it" if cell is None else show(cell)
            raise ConfigError(f"expected a number, got {got}", f"{at}.arrivals") from None
        if not math.isfinite(arrivals) or arrivals < 0:
            raise ConfigError(
                f"expected a finite number of expected arrivals >= 0, got {show(cell)}",
                f"{at}.arrivals",
            )
        length = interval
        if row.get("duration"):
            timed = True
            length = parse_human_duration(row["duration"], f"{at}.duration")
        try:
            out.append(ForecastInterval(start, length, arrivals))
        except ConfigError as exc:
            raise ConfigError(exc.detail, at) from None
        lines.append(i)
    if not timed:
        _check_spacing(out, interval, interval_flag, path, where)
    return out, lines


def _check_spacing(
    rows: Sequence[ForecastInterval], interval: timedelta, given: str, path: Path, where: str
) -> None:
    """Rows evenly spaced at other than the interval: an hourly forecast read as half hours
    would double every interval's load."""
    if len(rows) < 2:
        return
    starts = [r.start.astimezone(UTC) for r in rows]
    gaps = {b - a for a, b in itertools.pairwise(starts)}
    if len(gaps) != 1:
        return
    (gap,) = gaps
    if gap == interval or gap <= timedelta(0):
        return
    raise ConfigError(
        f"{str(path)!r}: the rows are {format_duration(gap)} apart, but each is read as "
        f"{format_duration(interval)} ({given}); pass --interval {format_duration(gap)} "
        "(or set staffing.interval), or give each row a duration",
        given if given in ("--interval", "staffing.interval") else where,
    )


def _arrivals_between(sim: SimConfig, a: timedelta, b: timedelta) -> float:
    """Expected arrivals (before the peak factor) from offset *a* to *b* of the run."""
    starts = [p.start for p in sim.arrivals.rates]
    total = 0.0
    t = a
    while t < b:
        tod = t % _DAY
        i = max(k for k, s in enumerate(starts) if s <= tod)
        nxt = starts[i + 1] if i + 1 < len(starts) else _DAY
        end = min(b, t - tod + nxt)
        total += sim.arrivals.rates[i].per_hour * ((end - t) / timedelta(hours=1))
        t = end
    return total


def profile_forecast(sim: SimConfig, interval: timedelta, where: str) -> list[ForecastInterval]:
    """The simulation's arrivals per interval: the rate profile integrated over each, up to
    the end of the horizon (a last interval cut short keeps the arrivals of its part).

    Raises:
        ConfigError: More than :data:`MAX_PLAN_INTERVALS` intervals.
    """
    n = math.ceil(sim.duration / interval)
    if n > MAX_PLAN_INTERVALS:
        raise ConfigError(
            f"a plan of the simulation's {format_duration(sim.duration)} in intervals of "
            f"{format_duration(interval)} has {n:,} intervals; at most "
            f"{MAX_PLAN_INTERVALS:,} are planned: shorten the simulation or lengthen the interval",
            where,
        )
    out = []
    for k in range(n):
        a = k * interval
        b = min((k + 1) * interval, sim.duration)
        out.append(ForecastInterval(sim.start + a, b - a, _arrivals_between(sim, a, b)))
    return out


def labels(starts: Sequence[datetime]) -> Callable[[datetime], str]:
    """How a plan labels its rows: each start in its own offset, as written; with the offset
    when the rows' offsets differ (a plan across a clock change)."""
    offsets = {s.utcoffset() for s in starts}
    if len(offsets) <= 1:
        return lambda s: f"{s:%Y-%m-%d %H:%M}"
    return lambda s: f"{s:%Y-%m-%d %H:%M%z}"
