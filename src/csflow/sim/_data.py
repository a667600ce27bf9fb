"""Readers of the simulator's plain data shared by its modules: numbers, times of day, mixes."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any, Final

from csflow._config import duration
from csflow._text import show
from csflow.errors import ConfigError

__all__ = ["MAX_SIM_ITEMS", "bounded", "clock", "mix", "number", "span"]

#: The most items a sequence argument of the simulator holds (agent groups, shifts, breaks,
#: rate periods, escalation rules, names, an empirical distribution's values): ten million,
#: the largest of the simulator's other bounds.  An endless iterable given for one is refused
#: once it gives one more, rather than read until memory runs out.
MAX_SIM_ITEMS: Final = 10_000_000


def bounded(value: Iterable[Any], argument: str) -> tuple[Any, ...]:
    """*value* as a tuple of at most :data:`MAX_SIM_ITEMS` items (read once, no further)."""
    items = tuple(itertools.islice(value, MAX_SIM_ITEMS + 1))
    if len(items) > MAX_SIM_ITEMS:
        raise ConfigError(
            f"{argument!r} must hold at most {MAX_SIM_ITEMS:,} items, got more (an endless "
            "iterable?)"
        )
    return items


# A zero ISO 8601 duration in the shape `parse_duration` reads (``PT0S``, ``P0D``, ``PT0.000S``):
# every number in it a zero.
_ZERO_ISO = re.compile(
    r"P(?:0+W)?(?:0+D)?(?:T(?=0)(?:0+H)?(?:0+M)?(?:0+(?:[.,]0{1,6})?S)?)?\Z", re.ASCII
)


def clock(value: object, path: str) -> timedelta:
    """A time of day ``"HH:MM"`` (or a duration since midnight) as an offset into the day."""
    if isinstance(value, str) and ":" in value:
        hh, _, mm = value.partition(":")
        if (
            hh.isascii()
            and mm.isascii()
            and 1 <= len(hh) <= 2
            and len(mm) == 2
            and hh.isdigit()
            and mm.isdigit()
            and int(hh) <= 24
            and int(mm) < 60
        ):
            return timedelta(hours=int(hh), minutes=int(mm))
        raise ConfigError(f"expected a time of day 'HH:MM', got {show(value)}", path)
    return span(value, path, zero=True)


def span(value: object, path: str, *, zero: bool = False) -> timedelta:
    """A duration (ISO 8601, seconds or a timedelta) that is positive, or ``>= 0`` with *zero*.

    A zero or negative one is refused saying what the field needs (``expected a non-negative
    duration``), not as an SLA target.

    Raises:
        ConfigError: A malformed duration, a negative one, or zero without *zero*, at *path*.
    """
    sign: float | None = None
    if isinstance(value, timedelta):
        sign = value / timedelta(microseconds=1)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        try:
            # Seconds are read to the microsecond: 1e-9 s is zero.
            sign = float(round(value * 1_000_000)) if math.isfinite(value) else None
        except OverflowError:  # past float's range: parse_duration names it
            sign = None
    elif isinstance(value, str) and value not in ("P", "PT") and _ZERO_ISO.match(value):
        sign = 0.0
    if sign is not None and (sign < 0 or (sign == 0 and not zero)):
        what = "non-negative" if zero else "positive"
        raise ConfigError(f"expected a {what} duration, got {show(value)}", path)
    if sign == 0:
        return timedelta(0)
    return duration(value, path, zero=zero)


def number(value: object, path: str, *, positive: bool = False) -> float:
    try:
        number = float(value) if isinstance(value, int | float) else math.nan
    except OverflowError:  # an int past float's range
        number = math.nan
    if isinstance(value, bool) or not math.isfinite(number):
        raise ConfigError(f"expected a finite number, got {show(value)}", path)
    if number < 0 or (positive and number == 0):
        raise ConfigError(
            f"expected a {'positive' if positive else 'non-negative'} number, got {show(value)}",
            path,
        )
    return number


def mix(value: object, path: str) -> tuple[tuple[str, float], ...]:
    """Weights by name as a tuple of pairs (picklable, ordered); at least one positive, and
    a finite total."""
    if isinstance(value, Mapping):
        items = list(value.items())
    elif isinstance(value, list | tuple):
        items = [tuple(p) if isinstance(p, list | tuple) else p for p in value]
    else:
        raise ConfigError(f"expected a mapping name -> weight, got {show(value)}", path)
    out: list[tuple[str, float]] = []
    for item in items:
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)):
            raise ConfigError(f"expected name -> weight pairs, got {show(value)}", path)
        name, w = item
        if not name:
            raise ConfigError(f"expected a non-empty name, got {show(name)}", path)
        out.append((name, number(w, f"{path}.{name}")))
    total = sum(w for _, w in out)
    if not out or total <= 0:
        raise ConfigError(f"expected at least one positive weight, got {show(value)}", path)
    if not math.isfinite(total):
        # Each weight is finite, but their total overflows: the draws would all go one way.
        raise ConfigError(f"expected weights whose total is finite, got {show(value)}", path)
    return tuple(out)
