"""Private time helpers shared by every layer: aware-datetime checks and exact conversions.

csflow keeps instants internally as integer microseconds since the Unix epoch (UTC).  Integers
make every law exact (``elapsed(a, add(a, d)) == d`` to the microsecond), where floats would
drift, and they compare and hash faster than datetimes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from csflow.errors import CalendarError, CsflowError

__all__ = [
    "EPOCH",
    "ONE_US",
    "duration_us",
    "from_us",
    "instant_us",
    "require_aware",
    "to_us",
]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_US = timedelta(microseconds=1)
# The stdlib operations themselves: pendulum's subclasses override the operators with results
# of their own types, which do not mix with stdlib timedeltas.
_sub = datetime.__sub__
_floordiv = timedelta.__floordiv__


def require_aware(value: object, name: str, error: type[CsflowError] = CalendarError) -> datetime:
    """Return *value* if it is a timezone-aware datetime, else raise *error*.

    Args:
        value: The value to check.
        name: The argument's name, used in the message.
        error: The error class to raise (a :class:`~csflow.errors.CsflowError` subclass).

    Raises:
        CsflowError: *error*, naming the argument and the value given.
    """
    if not isinstance(value, datetime):
        raise error(f"{name!r} must be a timezone-aware datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise error(f"{name!r} must be timezone-aware, got {value!r}")
    return value


def instant_us(value: object, name: str, error: type[CsflowError] = CalendarError) -> int:
    """Microseconds since the epoch of an aware datetime; anything else raises *error*.

    This is :func:`require_aware` and :func:`to_us` in one step, for hot paths: subtracting
    the aware epoch from a naive datetime raises ``TypeError``, so the check costs nothing
    when the value is good.
    """
    if type(value) is datetime:
        # The common case, with the operator (the slot wrapper below costs ~3x more).
        try:
            return (value - EPOCH) // ONE_US
        except TypeError:
            pass
    elif isinstance(value, datetime):
        try:
            # datetime.__sub__ (not the operator) so that a pendulum DateTime gives a plain
            # timedelta, not a pendulum Interval (whose floor division differs).
            return _sub(value, EPOCH) // ONE_US
        except TypeError:
            pass
    require_aware(value, name, error)
    raise error(f"{name!r} must be a timezone-aware datetime, got {value!r}")  # pragma: no cover


def to_us(value: datetime) -> int:
    """Microseconds since the Unix epoch of an aware datetime (exact)."""
    if type(value) is datetime:
        return (value - EPOCH) // ONE_US
    return _sub(value, EPOCH) // ONE_US


def from_us(us: int, tz: tzinfo) -> datetime:
    """The aware stdlib datetime, in zone *tz*, of *us* microseconds since the epoch."""
    return (EPOCH + timedelta(microseconds=us)).astimezone(tz)


def duration_us(
    value: object,
    name: str,
    error: type[CsflowError] = CalendarError,
    *,
    allow_negative: bool = False,
) -> int:
    """Microseconds in a ``timedelta`` (exact), rejecting other types and negative values.

    Raises:
        CsflowError: *error* when *value* is not a timedelta or is negative.
    """
    if not isinstance(value, timedelta):
        raise error(f"{name!r} must be a datetime.timedelta, got {value!r}")
    us = _floordiv(value, ONE_US)
    if us < 0 and not allow_negative:
        raise error(f"{name!r} must not be negative, got {value!r}")
    return us
