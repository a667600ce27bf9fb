"""Target durations: ISO 8601 durations or seconds in, a ``timedelta`` out, and back.

An SLA target is an amount of *business time*, so a day here is 24 hours of it and never a
"business day"; years and months, whose length is ambiguous, are refused.  :func:`parse_duration`
reads what a configuration document holds (``"PT4H"``, ``"P1DT2H"``, ``90``) and
:func:`format_duration` writes the form it reads back, in hours, minutes and seconds.
"""

from __future__ import annotations

import math
import re
from datetime import timedelta

from csflow._text import show
from csflow._time import ONE_US
from csflow.errors import ConfigError

__all__ = ["format_duration", "parse_duration"]

_ISO_DURATION = re.compile(
    r"P(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)(?:[.,](?P<f>\d{1,6}))?S)?)?\Z",
    re.ASCII,  # digits 0-9 only: ``\d`` alone matches any Unicode decimal digit ('٣')
)


def parse_duration(value: object, path: str = "", *, what: str = "a target") -> timedelta:
    """Read a target duration: an ISO-8601 duration string or a number of seconds.

    ``"PT1M"``, ``"PT4H"``, ``"PT1H30M"``, ``"P1DT2H"``, ``"PT0.5S"``, ``"P1W"`` and ``90`` are
    accepted (in ASCII digits: ``"PT٣S"`` is refused); a ``timedelta`` is returned as is.
    Days and weeks are 24 hours and 7 × 24 hours *of business time* (a target is an amount of
    business time, never "business days").  Years and months are refused (their length is
    ambiguous).

    Raises:
        ConfigError: *value* is malformed, zero or negative (the message carries *path*, and
            names the value *what* when it is zero or negative).
    """
    try:
        return _parse_duration(value, path, what)
    except ConfigError:
        raise
    except (OverflowError, ValueError):  # past timedelta's range, or digits past int()'s limit
        raise ConfigError(
            f"duration out of range (at most 999,999,999 days), got {show(value)}", path
        ) from None


def _parse_duration(value: object, path: str, what: str) -> timedelta:
    if isinstance(value, timedelta):
        result = value
    elif isinstance(value, bool):
        raise ConfigError(
            f"expected an ISO-8601 duration or a number of seconds, got {show(value)}", path
        )
    elif isinstance(value, int):
        result = timedelta(seconds=value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ConfigError(f"expected a finite number of seconds, got {show(value)}", path)
        result = timedelta(microseconds=round(value * 1_000_000))
    elif isinstance(value, str):
        m = _ISO_DURATION.match(value)
        if m is None or value in ("P", "PT"):
            raise ConfigError(
                "expected an ISO-8601 duration such as 'PT4H' or 'P1DT2H' (weeks, days, hours, "
                f"minutes, seconds; no years or months), got {show(value)}",
                path,
            )
        parts = {k: int(v) for k, v in m.groupdict().items() if v is not None and k != "f"}
        micros = int((m.group("f") or "0").ljust(6, "0"))
        result = timedelta(
            weeks=parts.get("w", 0),
            days=parts.get("d", 0),
            hours=parts.get("h", 0),
            minutes=parts.get("m", 0),
            seconds=parts.get("s", 0),
            microseconds=micros,
        )
    else:
        raise ConfigError(
            f"expected an ISO-8601 duration or a number of seconds, got {show(value)}", path
        )
    if result <= timedelta(0):
        raise ConfigError(f"{what} must be a positive duration, got {show(value)}", path)
    return result


def format_duration(value: timedelta) -> str:
    """The ISO-8601 form of a non-negative duration, in hours, minutes and seconds.

    ``timedelta(hours=36, minutes=5)`` is ``"PT36H5M"``; :func:`parse_duration` reads it back.
    Days are written as hours so that nobody mistakes them for business days.

    Raises:
        ConfigError: *value* is negative or not a timedelta.
    """
    if not isinstance(value, timedelta) or value < timedelta(0):
        raise ConfigError(f"expected a non-negative timedelta, got {show(value)}")
    us = value // ONE_US
    seconds, micros = divmod(us, 1_000_000)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    out = "PT"
    if hours:
        out += f"{hours}H"
    if minutes:
        out += f"{minutes}M"
    if secs or micros or out == "PT":
        out += f"{secs}.{micros:06d}".rstrip("0").rstrip(".") + "S"
    return out
