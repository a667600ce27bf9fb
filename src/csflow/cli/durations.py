"""Durations as people write them on a command line or in a config file.

``6m``, ``6min``, ``6 minutes``, ``1h30m``, ``360s``, ``360`` (seconds) and ISO 8601 (``PT6M``)
all mean the same thing here; the library itself reads ISO 8601 and seconds, so the CLI turns
the human forms into seconds before a document reaches it.  In the human form each unit comes
at most once, the largest first (``1h30m``, ``2d6h``): ``6m6m`` or ``30m 1h`` is more likely a
slip than a sum, so it is refused rather than added up.
"""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from typing import Final

from csflow._text import show
from csflow.errors import ConfigError
from csflow.sla import parse_duration

__all__ = ["EXPECTED", "is_human", "parse_human_duration", "to_seconds"]

EXPECTED: Final = "a duration such as 6m, 6min, 1h30m, PT6M or 360s"

_UNITS: Final = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
}
_PART: Final = r"(\d+(?:\.\d+)?)\s*(" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")"
_HUMAN: Final = re.compile(rf"^\s*(?:{_PART}\s*)+$", re.IGNORECASE | re.ASCII)
_PIECE: Final = re.compile(_PART, re.IGNORECASE | re.ASCII)
_NUMBER: Final = re.compile(r"^\s*\d+(?:\.\d+)?\s*$", re.ASCII)


def is_human(text: str) -> bool:
    """Whether *text* is a duration in the human form (``6m``, ``1h30m``, ``360s``)."""
    return _HUMAN.match(text) is not None


def to_seconds(value: object, path: str) -> object:
    """*value* with a human-form or bare-number string turned into seconds; other values
    unchanged (the library checks them and names *path* when they are wrong).

    Raises:
        ConfigError: A string that is neither the human form, a number, nor ISO 8601; or the
            human form with a unit repeated or out of order (``6m6m``, ``30m 1h``).
    """
    if not isinstance(value, str):
        return value
    if _NUMBER.match(value):
        number = float(value)
        return int(number) if number.is_integer() else number
    if is_human(value):
        pieces = [(float(n), _UNITS[u.lower()]) for n, u in _PIECE.findall(value)]
        sizes = [size for _, size in pieces]
        if any(a <= b for a, b in itertools.pairwise(sizes)):
            raise ConfigError(
                f"expected {EXPECTED}, each unit at most once and the largest first "
                f"(1h30m, not 30m1h or 6m6m), got {show(value)}",
                path,
            )
        total = sum(n * size for n, size in pieces)
        return int(total) if float(total).is_integer() else total
    if value.strip().upper().startswith("P"):
        return value.strip().upper()
    raise ConfigError(f"expected {EXPECTED}, got {show(value)}", path)


def parse_human_duration(value: object, path: str, *, zero: bool = False) -> timedelta:
    """A :class:`~datetime.timedelta` from any form :func:`to_seconds` accepts.

    Args:
        value: The duration as written.
        path: Where it was written, for the error.
        zero: Whether zero (``0s``, ``0``, ``PT0S``) is accepted (an answer-time target).

    Raises:
        ConfigError: Malformed, negative, or zero without *zero*, naming *path*.
    """
    converted = to_seconds(value, path)
    try:
        return parse_duration(converted, path)
    except ConfigError:
        if zero and _is_zero(converted):
            return timedelta(0)
        raise ConfigError(f"expected {EXPECTED}, got {show(value)}", path) from None


_ZERO_ISO: Final = re.compile(r"P(?=.*0)(?:0+[WD])*(?:T(?:0+[HM])*(?:0+(?:[.,]0+)?S)?)?", re.ASCII)


def _is_zero(value: object) -> bool:
    """Whether *value* (after :func:`to_seconds`) is a duration of zero."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return value == 0
    return isinstance(value, str) and _ZERO_ISO.fullmatch(value.strip().upper()) is not None
