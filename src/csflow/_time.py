"""Private time helpers shared by every layer: aware-datetime checks and exact conversions.

csflow keeps instants internally as integer microseconds since the Unix epoch (UTC).  Integers
make every law exact (``elapsed(a, add(a, d)) == d`` to the microsecond), where floats would
drift, and they compare and hash faster than datetimes.
"""

from __future__ import annotations

import functools
import importlib
import zoneinfo
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from csflow._text import show
from csflow.errors import CalendarError, CsflowError

__all__ = [
    "EPOCH",
    "MAX_US",
    "MIN_US",
    "NO_RULES_YEAR",
    "ONE_US",
    "duration_us",
    "from_us",
    "iana_zone",
    "instant_us",
    "require_aware",
    "rules_year",
    "to_instant_us",
    "to_us",
    "utc",
]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_US = timedelta(microseconds=1)
#: The instants (µs since the epoch) a ``datetime`` can hold: years 1 to 9999, in UTC.
MIN_US = (datetime(1, 1, 1, tzinfo=UTC) - EPOCH) // ONE_US
MAX_US = (datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC) - EPOCH) // ONE_US
# The stdlib operations themselves: pendulum's subclasses override the operators with results
# of their own types, which do not mix with stdlib timedeltas.
_sub = datetime.__sub__
_floordiv = timedelta.__floordiv__
_fromtimestamp = datetime.fromtimestamp
_UNIX_ORDINAL = EPOCH.toordinal()
# Module-level, and allowed to be: pure memoisation (an offset's microseconds are a function of
# the offset, so a hit and a miss give the same answer), bounded by ``_offset_us``.
_OFFSET_US: dict[timedelta, int] = {}
# Zone types known to change offset only at whole UTC seconds (TZif data stores whole seconds;
# a fixed offset never changes), which from_us relies on to add the microseconds last.
_FAST_ZONES = (ZoneInfo, timezone)


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
        raise error(f"{name!r} must be a timezone-aware datetime, got {show(value)}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise error(f"{name!r} must be timezone-aware, got {show(value)}")
    return value


def instant_us(value: object, name: str, error: type[CsflowError] = CalendarError) -> int:
    """Microseconds since the epoch of an aware datetime; anything else raises *error*.

    This is :func:`require_aware` and :func:`to_us` in one step, for hot paths: subtracting
    the aware epoch from a naive datetime raises ``TypeError``, so the check costs nothing
    when the value is good.  An aware datetime whose UTC instant is outside years 1 to 9999
    (``datetime(9999, 12, 31, 23, tzinfo=<UTC-5>)``) raises *error* too: no datetime can hold
    that instant in UTC, so nothing downstream (a desk's ``now``, a snapshot) could.
    """
    global _last
    last = _last
    if last[0] is value:
        return last[1]
    if type(value) is datetime:
        # The common case: the wall clock's fields minus the offset.  One utcoffset() call (none
        # for UTC) and integer arithmetic cost less than subtracting the aware epoch, which
        # builds several timedeltas on the way.
        if value.tzinfo is UTC:
            off = 0
        else:
            offset = value.utcoffset()
            if offset is None:
                raise error(f"{name!r} must be timezone-aware, got {show(value)}")
            known = _OFFSET_US.get(offset)
            off = _offset_us(offset) if known is None else known
        us = (
            (
                (value.toordinal() - _UNIX_ORDINAL) * 86_400
                + value.hour * 3600
                + value.minute * 60
                + value.second
            )
            * 1_000_000
            + value.microsecond
            - off
        )
        if not MIN_US <= us <= MAX_US:
            raise error(_out_of_range(name, value))
        _last = (value, us)
        return us
    if isinstance(value, datetime):
        try:
            # datetime.__sub__ (not the operator) so that a pendulum DateTime gives a plain
            # timedelta, not a pendulum Interval (whose floor division differs).
            us = _sub(value, EPOCH) // ONE_US
        except TypeError:
            pass
        else:
            if not MIN_US <= us <= MAX_US:
                raise error(_out_of_range(name, value))
            _last = (value, us)
            return us
    require_aware(value, name, error)
    raise error(
        f"{name!r} must be a timezone-aware datetime, got {show(value)}"
    )  # pragma: no cover


def _out_of_range(name: str, value: object) -> str:
    return f"{name!r} must be an instant in years 1-9999 in UTC, got {show(value)}"


# The last conversion.  One command hands the same ``at`` object to several layers, and its
# events carry it to the host and to the metrics, each of which converts it: the second and
# later conversions are an identity check.  Datetimes are immutable, the pair holds a
# reference (so the object's id cannot be reused while it is remembered), and it is replaced
# in one assignment, so a hit is always right.  Module-level, and allowed to be: pure
# memoisation of one entry (a hit returns what the conversion would), so no result depends on
# what the process converted before.
_last: tuple[object, int] = (object(), 0)  # a sentinel no caller can pass


def _offset_us(offset: timedelta) -> int:
    """Microseconds in a UTC offset, remembered (zones use few distinct offsets)."""
    if len(_OFFSET_US) >= 1024:
        _OFFSET_US.clear()
    _OFFSET_US[offset] = us = offset // ONE_US
    return us


def to_us(value: datetime) -> int:
    """Microseconds since the Unix epoch of an aware datetime (exact)."""
    if type(value) is datetime:
        return (value - EPOCH) // ONE_US
    return _sub(value, EPOCH) // ONE_US


def from_us(us: int, tz: tzinfo) -> datetime:
    """The aware stdlib datetime, in zone *tz*, of *us* microseconds since the epoch."""
    if type(tz) in _FAST_ZONES:
        sec, micro = divmod(us, 1_000_000)
        try:
            # ``fromtimestamp`` resolves the zone with ``tz.fromutc``, as ``astimezone`` does,
            # but without building two intermediate datetimes and a timedelta.
            result = _fromtimestamp(sec, tz)
        except (OverflowError, OSError, ValueError):
            pass  # out of the platform's range: the general path raises the usual error
        else:
            if not micro:
                return result
            if not result.fold:
                # Zone transitions fall on whole seconds, so adding under a second to the wall
                # clock keeps the offset; the sum has fold=0, which is right only if this does.
                return result + ONE_US * micro
            return result.replace(microsecond=micro)
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
    if type(value) is timedelta:
        us = value // ONE_US
    elif isinstance(value, timedelta):
        # The stdlib operation: pendulum's Duration overrides floor division.
        us = _floordiv(value, ONE_US)
    else:
        raise error(f"{name!r} must be a datetime.timedelta, got {show(value)}")
    if us < 0 and not allow_negative:
        raise error(f"{name!r} must not be negative, got {value!r}")
    return us


def utc(us: int) -> datetime:
    """The UTC datetime of *us* microseconds since the epoch (no zone lookup)."""
    return EPOCH + timedelta(microseconds=us)


def to_instant_us(value: object, name: str = "at") -> int:
    """An instant as microseconds: ints pass through, aware datetimes convert, others raise.

    Raises:
        CalendarError: A naive datetime or anything else that is not an instant, or an
            instant outside years 1 to 9999 in UTC.
    """
    if type(value) is int:
        if MIN_US <= value <= MAX_US:
            return value
        raise CalendarError(
            f"{name!r} must be an instant in years 1-9999, in µs since the epoch, got {show(value)}"
        )
    # Not ``(value - EPOCH) // ONE_US``: a pendulum DateTime minus a datetime is a pendulum
    # Interval, whose floor division by a stdlib timedelta fails.  ``instant_us`` uses the
    # stdlib operations, so it is exact for every datetime subclass, and it remembers its last
    # conversion, which the other layers handling the same command's ``at`` reuse.
    return instant_us(value, name)


#: Files a zone search path may hold that ``ZoneInfo`` loads but that name no IANA zone:
#: ``localtime`` is whatever zone the host is set to (the same config would mean different
#: hours on different hosts), ``posixrules`` a default rule file, ``Factory`` a placeholder.
_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})


@functools.cache
def _zone_names() -> frozenset[str]:
    """The IANA zone names (and their links, ``Asia/Calcutta``, ``UTC``) this host knows: read
    once, on the first zone asked for (``posix/...`` and ``right/...`` copies are not in it)."""
    return frozenset(zoneinfo.available_timezones()) - _NOT_ZONES


def iana_zone(name: object) -> ZoneInfo | None:
    """The zone an IANA zone name (or link, ``"UTC"``) names; ``None`` for anything else: not
    a string, a host's ``"localtime"``, ``"posixrules"``, ``"Factory"``, a file path, a
    ``posix/`` or ``right/`` copy, a name this host's zone database does not hold.  Every
    reader of a zone name in a document goes through it, so that one config means the same
    hours on every host."""
    if not isinstance(name, str) or not 0 < len(name) <= 255 or name not in _zone_names():
        return None
    try:
        return ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # pragma: no cover - listed
        return None


#: What :func:`rules_year` answers for a zone it cannot read the transitions of: no year.
NO_RULES_YEAR = 10_000


@functools.lru_cache(maxsize=1024)
def rules_year(name: str) -> int:
    """The first year from which zone *name*'s UTC offsets follow its yearly rule alone.

    A zone's data lists its transitions up to some instant and then gives one rule for every
    later year: a fixed offset, or a POSIX TZ rule (``EST5EDT,M3.2.0,M11.1.0``) whose dates
    are a weekday of a month or a day of the year.  Past the last listed transition, the
    offset at a wall time of year ``y`` depends only on ``y``'s rule dates (PEP 615's
    ``zoneinfo`` works them out for the wall time's own year), which depend only on the
    weekday of ``y``'s 1 January and on whether ``y`` is a leap year.  So, from the year this
    returns on, two years alike in those two respects (and in whether the next year is a
    leap year: the last date of a year ends on the next one's midnight) have the same
    offsets on the same dates.

    The transitions are read with the standard library's pure-Python ``zoneinfo``
    implementation, which loads the same zone file as :class:`~zoneinfo.ZoneInfo`; a zone
    it cannot read (or a Python whose implementation differs) gives :data:`NO_RULES_YEAR`,
    which no year reaches.  Memoised (by the zone names a host knows: bounded).
    """
    try:
        module = importlib.import_module("zoneinfo._zoneinfo")
        zone = module.ZoneInfo.no_cache(name)
        transitions = list(zone._trans_utc)
        after = type(zone._tz_after).__name__
    except Exception:  # any failure means "unknown": every year is then worked out
        return NO_RULES_YEAR
    if after not in ("_ttinfo", "_TZStr") or not all(type(x) is int for x in transitions):
        return NO_RULES_YEAR
    if not transitions:
        return 2
    last = max(transitions)
    if not MIN_US <= last * 1_000_000 <= MAX_US:
        return NO_RULES_YEAR
    # Two years after the last transition's UTC year: no wall time of that year or later
    # lies before the transition on either reading (offsets are under a day, so the year
    # after can still begin, east of UTC, before it).
    return utc(last * 1_000_000).year + 2
