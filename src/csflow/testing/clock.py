"""A clock a test moves by hand: the injected time of a sans-I/O test, which never runs backwards."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from csflow._time import instant_us
from csflow.errors import InvalidTransitionError

__all__ = ["ManualClock"]

_PARTS = ("weeks", "days", "hours", "minutes", "seconds", "milliseconds", "microseconds")


class ManualClock:
    """A clock a test moves by hand, by elapsed time.

    Args:
        start: The first instant (aware); every instant the clock gives is in its zone.

    Raises:
        InvalidTransitionError: *start* is naive.

    Examples:
        >>> from datetime import timezone
        >>> clock = ManualClock(datetime(2026, 3, 2, 9, tzinfo=timezone.utc))
        >>> clock.advance(seconds=40).isoformat()
        '2026-03-02T09:00:40+00:00'
    """

    def __init__(self, start: datetime) -> None:
        instant_us(start, "start", InvalidTransitionError)
        self._now = start

    @property
    def now(self) -> datetime:
        """The current instant."""
        return self._now

    def advance(self, delta: timedelta | None = None, **parts: float) -> datetime:
        """Move forward by *delta* or by ``timedelta(**parts)`` and return the new instant.

        The step is elapsed time: ``advance(hours=1)`` is an hour later in real time, also
        across a DST change (the wall clock of the clock's zone then moves by two hours or
        none), and the new instant is in the zone of the start.

        Give one or the other: *delta* together with keyword parts is refused (which would
        win is a guess), and so is anything that is not a step of time.  A refused call
        leaves the clock where it was.

        Args:
            delta: The step, a :class:`~datetime.timedelta`.
            **parts: Or ``timedelta`` keywords (``seconds=40``, ``minutes=5`` ...), numbers.

        Returns:
            The new instant.

        Raises:
            InvalidTransitionError: A negative step; *delta* that is not a ``timedelta`` (a
                bare number has no unit); *delta* and keyword parts together; a keyword that
                is not a ``timedelta`` one or a part that is not a finite number; a step past
                the last representable instant.
        """
        if delta is not None and parts:
            raise InvalidTransitionError(
                f"give either a step or timedelta keywords, not both: got {delta!r} and "
                f"{', '.join(f'{k}={v!r}' for k, v in parts.items())}"
            )
        if delta is not None and not isinstance(delta, timedelta):
            raise InvalidTransitionError(
                f"'delta' must be a datetime.timedelta (or use keywords: seconds=5), got {delta!r}"
            )
        for key, value in parts.items():
            if key not in _PARTS:
                raise InvalidTransitionError(
                    f"unknown step keyword {key!r}; expected one of {', '.join(_PARTS)}"
                )
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise InvalidTransitionError(f"{key!r} must be a number, got {value!r}")
            if isinstance(value, float) and not math.isfinite(value):
                # timedelta raises ValueError for a NaN and OverflowError for an infinity.
                raise InvalidTransitionError(f"{key!r} must be a finite number, got {value!r}")
        try:
            step = delta if delta is not None else timedelta(**parts)
            if step < timedelta(0):
                raise InvalidTransitionError(f"a clock cannot go backwards, got a step of {step!r}")
            # By elapsed time: in UTC, then back to the start's zone (adding to a local time
            # moves its wall clock, which across a DST change is not the time that passed).
            now = (self._now.astimezone(UTC) + step).astimezone(self._now.tzinfo)
        except OverflowError:
            raise InvalidTransitionError(
                f"a step of {delta if delta is not None else parts!r} from "
                f"{self._now.isoformat()} is past the last representable instant"
            ) from None
        self._now = now
        return now

    def set(self, when: datetime) -> datetime:
        """Move to the instant *when*, written in the clock's zone (the start's).

        Args:
            when: The new instant (aware, not earlier than now), in any zone: a UTC
                datetime moves a Berlin clock to the same instant, in Berlin time.

        Returns:
            The new instant: *when* in the clock's zone (*when* itself when it is in it).

        Raises:
            InvalidTransitionError: *when* is naive, earlier than now, or not representable
                in the clock's zone.  A refused call leaves the clock where it was.

        Examples:
            >>> from datetime import timezone
            >>> from zoneinfo import ZoneInfo
            >>> clock = ManualClock(datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Europe/Berlin")))
            >>> clock.set(datetime(2026, 3, 2, 12, tzinfo=timezone.utc)).isoformat()
            '2026-03-02T13:00:00+01:00'
        """
        if instant_us(when, "when", InvalidTransitionError) < instant_us(self._now, "now"):
            raise InvalidTransitionError(
                f"a clock cannot go backwards: now {self._now.isoformat()}, got {when!r}"
            )
        try:
            now = when.astimezone(self._now.tzinfo)
        except (OverflowError, ValueError):
            raise InvalidTransitionError(
                f"{when!r} is past the last instant the clock's zone can write"
            ) from None
        self._now = now
        return now
