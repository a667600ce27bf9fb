"""A clock a test moves by hand: the injected time of a sans-I/O test, which never runs backwards."""

from __future__ import annotations

from datetime import datetime, timedelta

from csflow._time import instant_us
from csflow.errors import InvalidTransitionError

__all__ = ["ManualClock"]


class ManualClock:
    """A clock a test moves by hand.

    Args:
        start: The first instant (aware).

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
        """Move forward by *delta* (or ``timedelta(**parts)``) and return the new instant.

        Args:
            delta: The step; when ``None``, ``timedelta(**parts)``.
            **parts: ``timedelta`` keywords (``seconds=40``, ``minutes=5`` ...).

        Returns:
            The new instant.

        Raises:
            InvalidTransitionError: A negative step.
        """
        step = delta if delta is not None else timedelta(**parts)
        if step < timedelta(0):
            raise InvalidTransitionError(f"a clock cannot go backwards, got a step of {step!r}")
        self._now = self._now + step
        return self._now

    def set(self, when: datetime) -> datetime:
        """Move to *when*.

        Args:
            when: The new instant (aware, not earlier than now).

        Returns:
            *when*.

        Raises:
            InvalidTransitionError: *when* is earlier than now.
        """
        if instant_us(when, "when", InvalidTransitionError) < instant_us(self._now, "now"):
            raise InvalidTransitionError(
                f"a clock cannot go backwards: now {self._now.isoformat()}, got {when!r}"
            )
        self._now = when
        return when
