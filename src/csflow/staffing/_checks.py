"""Argument checks shared by the Erlang formulas, the staffing plan and the roster.

Each check returns the value in the type the formulas compute with, or raises
:class:`~csflow.errors.ConfigError` naming the argument, what was expected and the value given.
"""

from __future__ import annotations

import math
import numbers
import operator
import struct
from datetime import timedelta
from fractions import Fraction

from csflow._text import show
from csflow.errors import ConfigError

# Loads beyond this would take seconds per call (the walk is O(sqrt(load) + agents - load)) and
# are far outside any contact centre; refusing them beats hanging.
MAX_LOAD = 1e7
# The most agents the formulas take: ten times MAX_LOAD, so that every load they take can be
# staffed (agents_for_service_level answers little more than the load), and far below where
# an int stops converting to a float (10**309) or the walk up from the load gets slow.
MAX_AGENTS = 100_000_000
INF = math.inf
ZERO = timedelta(0)


def _is_time(value: object) -> bool:
    """Whether *value* is numpy's duration or date (``timedelta64``, ``datetime64``: what a
    pandas column of times yields), which numpy counts among its integers: a span of time,
    not a number of anything (numpy is not imported: read by the scalar's module and dtype)."""
    return type(value).__module__ == "numpy" and getattr(
        getattr(value, "dtype", None), "kind", ""
    ) in ("m", "M")


def as_int(value: object) -> int | None:
    """*value* as an int: any integer (:class:`numbers.Integral`, such as numpy's, what a
    pandas column yields); ``None`` for anything else, a bool included, and numpy's
    ``timedelta64`` (a duration, though numpy counts it an integer)."""
    if type(value) is int:
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or _is_time(value):
        return None
    try:
        return operator.index(value)
    except TypeError:  # an integer type of its own making that does not give its int
        return None


def check_agents(agents: object) -> int:
    """*agents* as an int from 0 to :data:`MAX_AGENTS` (any integer, numpy's too); a bool is
    refused."""
    n = as_int(agents)
    if n is None or n < 0:
        raise ConfigError(f"'agents' must be a non-negative int, got {show(agents)}")
    if n > MAX_AGENTS:
        raise ConfigError(f"'agents' must be at most {MAX_AGENTS:,}, got {show(agents)}")
    return n


def as_float(value: object) -> float | None:
    """*value* as a float: any real number (:class:`numbers.Real`, numpy's too); ``None`` for a
    non-number (a bool is not one, nor numpy's ``timedelta64``, whose nanoseconds ``float``
    would read as a count) or an int too large."""
    if type(value) is float:
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or _is_time(value):
        return None
    try:
        return float(value)
    except (OverflowError, ValueError, TypeError):
        return None


def as_written(value: object, v: float) -> Fraction:
    """The decimal *value* (read as the float *v*) was written as: a float's shortest repr
    (``0.1`` is 1/10, not its binary value); numpy's narrower floats (float32, float16: what a
    downcast pandas column yields) by their own shortest repr, ``np.float32(0.2)`` as 1/5
    rather than the 0.20000000298... it widens to (numpy is not imported: read by the
    scalar's module and size)."""
    kind = type(value)
    if kind is not float and kind.__module__ == "numpy":
        code = _NARROW.get(getattr(getattr(value, "dtype", None), "itemsize", 0))
        if code is not None:
            try:
                written = Fraction(str(value))
                # Only a decimal that is the very same narrow float (a guard on str()).
                if struct.unpack(code, struct.pack(code, float(written)))[0] == v:
                    return written
            except (ValueError, ZeroDivisionError, OverflowError, struct.error):
                pass
    return Fraction(repr(v))


# struct's codes of the narrow floats, by size in bytes.
_NARROW = {4: "f", 2: "e"}


def check_number(value: object, name: str) -> float:
    """*value* (argument *name*) as a finite float ``>= 0``."""
    v = as_float(value)
    if v is None or not (0.0 <= v < INF):  # also rejects NaN, which compares false
        raise ConfigError(f"{name!r} must be a finite number >= 0, got {show(value)}")
    return v


def check_load(load: object) -> float:
    """An offered load in Erlangs: finite, ``>= 0`` and at most :data:`MAX_LOAD`."""
    a = check_number(load, "load")
    if a > MAX_LOAD:
        raise ConfigError(f"'load' must be at most {MAX_LOAD:g} Erlangs, got {show(load)}")
    return a


def check_level(level: object) -> float:
    """A service level strictly between 0 and 1."""
    v = as_float(level)
    if v is None or not 0.0 < v < 1.0:
        raise ConfigError(f"'level' must be a number strictly between 0 and 1, got {show(level)}")
    return v


def check_duration(value: object, name: str, *, positive: bool) -> timedelta:
    """A timedelta ``>= 0`` (``> 0`` when *positive*), named *name* in the error."""
    if not isinstance(value, timedelta):
        raise ConfigError(f"{show(name)} must be a datetime.timedelta, got {show(value)}")
    if value < ZERO or (positive and value == ZERO):
        what = "positive" if positive else "non-negative"
        raise ConfigError(f"{show(name)} must be a {what} timedelta, got {show(value)}")
    return value


def check_shrinkage(shrinkage: object) -> float:
    """A shrinkage in ``[0, 1)``."""
    v = as_float(shrinkage)
    if v is None or not 0.0 <= v < 1.0:
        raise ConfigError(f"'shrinkage' must be a number in [0, 1), got {show(shrinkage)}")
    return v


def check_multiplier(multiplier: object) -> float:
    """A peak-day multiplier: finite and ``> 0``."""
    v = as_float(multiplier)
    if v is None or not 0.0 < v < INF:  # also rejects NaN
        raise ConfigError(f"'multiplier' must be a finite number > 0, got {show(multiplier)}")
    return v


def unstable(agents: int, load: float) -> ConfigError:
    """The error for an average speed of answer asked of an unstable queue."""
    return ConfigError(
        f"the queue is unstable with agents={show(agents)} <= load={show(load)} Erlangs: waits "
        "grow "
        f"without bound, so the average speed of answer is infinite; staff more than "
        f"{show(load)} agents"
    )
