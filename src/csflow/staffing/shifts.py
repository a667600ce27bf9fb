"""Shift templates: the kinds of shift agents can work, their start windows, costs and breaks.

A :class:`ShiftTemplate` is plain configuration: when a shift may start (a window repeated every
day of a horizon), how long it lasts, what one agent on it costs, and its breaks
(:class:`BreakRule`).  Their durations are ``timedelta``s; pendulum's ``Duration``, a subclass
whose arithmetic does not mix with the standard library's, is kept as the plain ``timedelta``
of the same length.  :func:`templates_from_dict` reads a list of them from plain data.
:func:`csflow.staffing.roster.cover` turns templates and a plan into a roster.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta

import attrs

from csflow._config import check_keys, duration, mapping, sequence, wrap
from csflow._text import show
from csflow.errors import ConfigError
from csflow.staffing._checks import ZERO, as_float, check_duration

__all__ = ["BreakRule", "ShiftTemplate", "templates_from_dict"]

_DAY = timedelta(days=1)
_HOUR = timedelta(hours=1)
# Breaks in one shift at most (whether they fit together is checked over their orders).
_MAX_BREAKS = 6


def _plain(value: timedelta) -> timedelta:
    """A duration as a plain ``timedelta``: pendulum's ``Duration`` overrides the arithmetic
    with types of its own that do not mix with the standard library's.  Anything else is
    left as it is, for the checks to refuse."""
    given: object = value  # the annotation is a promise callers may break
    if type(given) is timedelta or not isinstance(given, timedelta):
        return value
    return timedelta(days=given.days, seconds=given.seconds, microseconds=given.microseconds)


def _plain_or_none(value: timedelta | None) -> timedelta | None:
    return None if value is None else _plain(value)


def _window(b: BreakRule) -> str:
    return f"{b.length} from {b.earliest}..{b.last}"


@attrs.frozen
class BreakRule:
    """One break in a shift: how long, and the window in which it starts.

    Args:
        length: The break's length, positive.
        earliest: The earliest start, as an offset from the shift's start.
        latest: The latest start (default: *earliest*), at or after *earliest*; the break must
            end within the shift.

    Raises:
        ConfigError: a value has the wrong type or an out-of-range value.
    """

    length: timedelta = attrs.field(converter=_plain)
    earliest: timedelta = attrs.field(converter=_plain)
    latest: timedelta | None = attrs.field(default=None, converter=_plain_or_none)

    def __attrs_post_init__(self) -> None:
        check_duration(self.length, "length", positive=True)
        check_duration(self.earliest, "earliest", positive=False)
        if (
            self.latest is not None
            and check_duration(self.latest, "latest", positive=False) < self.earliest
        ):
            raise ConfigError(
                f"'latest' must be at or after 'earliest' ({show(self.earliest)}), "
                f"got {show(self.latest)}"
            )

    @property
    def last(self) -> timedelta:
        """The latest start (*latest*, or *earliest* when no window was given)."""
        return self.earliest if self.latest is None else self.latest


def _breaks(value: Iterable[BreakRule]) -> tuple[BreakRule, ...]:
    given: object = value  # the annotation is a promise callers may break
    if isinstance(given, (str, bytes, Mapping)) or not isinstance(given, Iterable):
        raise ConfigError(f"'breaks' must be a sequence of BreakRule, got {show(given)}")
    return tuple(value)


def _breaks_fit(fixed: Sequence[tuple[int, int]], rest: Sequence[tuple[int, int, int]]) -> bool:
    """Whether breaks ``(earliest, latest, length)`` can all start in their windows without
    overlapping each other or the *fixed* spans ``(start, end)``.

    In a schedule that fits, the breaks come in some order; placed in that order, each as
    early as it may go, they still fit.  So trying every order, each break at its earliest
    start after what is placed, decides it (the few breaks of a shift keep that small).
    """
    return _breaks_schedule(fixed, rest) is not None


def _breaks_schedule(
    fixed: Sequence[tuple[int, int]], rest: Sequence[tuple[int, int, int]]
) -> list[tuple[int, int]] | None:
    """A schedule of the breaks *rest* around *fixed* (see :func:`_breaks_fit`): the spans
    ``(start, end)`` of the first order that fits, each break as early as it may go; ``None``
    when no order fits."""
    for order in itertools.permutations(rest):
        taken = sorted(fixed)
        placed = []
        for lo, hi, length in order:
            at = lo
            for a, b in taken:  # in order of start: step past each span it would overlap
                if at < b and a < at + length:
                    at = b
            if at > hi:
                break
            placed.append((at, at + length))
            taken = sorted([*taken, (at, at + length)])
        else:
            return placed
    return None


@attrs.frozen
class ShiftTemplate:
    """A kind of shift agents can work: when it may start, how long it lasts, what it costs.

    Args:
        name: The template's name, non-empty (the roster's rows name it).
        length: How long the shift lasts (breaks included), positive.
        earliest: The earliest start, as an offset from the start of the horizon's day.
        latest: The latest start (default: *earliest*); every interval between *earliest* and
            *latest* is a possible start.  It may pass midnight (a night shift starting between
            22:00 and 26:00); on a horizon of several days the window repeats every day.
        cost: The cost of one agent working it, finite and ``>= 0`` (default: its length in
            hours).
        breaks: The breaks each agent takes (at most six), in order of placement; one agent's
            breaks never overlap.

    Raises:
        ConfigError: a value has the wrong type or an out-of-range value, or the breaks'
            windows leave no way to take them all without overlapping.
    """

    name: str
    length: timedelta = attrs.field(converter=_plain)
    earliest: timedelta = attrs.field(default=ZERO, converter=_plain)
    latest: timedelta | None = attrs.field(default=None, converter=_plain_or_none)
    cost: float | None = None
    breaks: tuple[BreakRule, ...] = attrs.field(default=(), converter=_breaks)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ConfigError(f"'name' must be a non-empty string, got {show(self.name)}")
        check_duration(self.length, "length", positive=True)
        check_duration(self.earliest, "earliest", positive=False)
        if self.latest is not None:
            latest = check_duration(self.latest, "latest", positive=False)
            # A difference, not ``earliest + 1 day``: that overflows near timedelta.max.
            if not (self.earliest <= latest and latest - self.earliest < _DAY):
                raise ConfigError(
                    f"'latest' must be at or after 'earliest' and less than a day after it, "
                    f"got {show(self.earliest)} .. {show(latest)}"
                )
        c = self.cost
        if c is not None:
            v = as_float(c)  # any real number, numpy's too
            if v is None or not 0 <= v < math.inf:
                raise ConfigError(f"'cost' must be a finite number >= 0, got {show(c)}")
        for i, b in enumerate(self.breaks):
            if not isinstance(b, BreakRule):
                raise ConfigError(f"expected a BreakRule, got {show(b)}", f"breaks[{i}]")
            # Differences, not ``b.last + b.length``: that overflows for the longest durations.
            if b.last > self.length or b.length > self.length - b.last:
                raise ConfigError(
                    f"the break must end within the shift of {show(self.length)}, but it may "
                    f"start at {show(b.last)} and lasts {show(b.length)}",
                    f"breaks[{i}]",
                )
        if len(self.breaks) > _MAX_BREAKS:
            raise ConfigError(
                f"template {self.name!r} has {len(self.breaks)} breaks, more than "
                f"{_MAX_BREAKS} in one shift",
                "breaks",
            )
        us = timedelta(microseconds=1)
        windows = [(b.earliest // us, b.last // us, b.length // us) for b in self.breaks]
        if len(windows) > 1 and not _breaks_fit([], windows):
            raise ConfigError(
                f"template {self.name!r}: its breaks cannot all be taken without overlapping, "
                f"got windows {', '.join(_window(b) for b in self.breaks)}",
                "breaks",
            )

    @property
    def unit_cost(self) -> float:
        """The cost of one agent on this shift (its length in hours unless *cost* is given)."""
        return self.length / _HOUR if self.cost is None else float(self.cost)


def _offset(value: object, path: str) -> timedelta:
    """A time of day ``"HH:MM"`` (hours may pass 24) or a duration, as an offset."""
    if isinstance(value, str) and ":" in value and not value.startswith("P"):
        hours, _, minutes = value.partition(":")
        # ASCII digits only ("²".isdigit() holds, int("²") fails), at most six of hours.
        if (
            hours.isascii()
            and hours.isdigit()
            and len(hours) <= 6
            and minutes.isascii()
            and minutes.isdigit()
            and len(minutes) == 2
            and int(minutes) < 60
        ):
            return timedelta(hours=int(hours), minutes=int(minutes))
        raise ConfigError(f"expected a time of day 'HH:MM', got {show(value)}", path)
    return duration(value, path, zero=True)


def templates_from_dict(data: object, path: str = "templates") -> tuple[ShiftTemplate, ...]:
    """Shift templates from plain data (a parsed JSON or TOML document).

    Shape::

        [{"name": "early", "length": "PT8H", "earliest": "06:00", "latest": "08:00",
          "cost": 8, "breaks": [{"length": "PT1H", "earliest": "PT3H", "latest": "PT5H"}]},
         {"name": "night", "length": "PT9H", "earliest": "21:00", "latest": "23:00"}]

    Lengths are ISO 8601 durations or seconds; starts are times of day ``"HH:MM"`` or
    durations from the start of the horizon's day.

    Args:
        data: The list of templates.
        path: Where the list sits in the whole document, for error messages.

    Returns:
        The templates, in order.

    Raises:
        ConfigError: anything malformed, with the path to it (``templates[1].breaks[0]``).
    """
    out = []
    for i, item in enumerate(sequence(data, path)):
        p = f"{path}[{i}]"
        d = mapping(item, p)
        check_keys(d, ("name", "length", "earliest", "latest", "cost", "breaks"), p)
        breaks = []
        for j, b in enumerate(sequence(d.get("breaks", []), f"{p}.breaks")):
            q = f"{p}.breaks[{j}]"
            bd = mapping(b, q)
            check_keys(bd, ("length", "earliest", "latest"), q)
            latest = bd.get("latest")
            breaks.append(
                wrap(
                    q,
                    BreakRule,
                    duration(bd.get("length"), f"{q}.length"),
                    _offset(bd.get("earliest", 0), f"{q}.earliest"),
                    None if latest is None else _offset(latest, f"{q}.latest"),
                )
            )
        latest = d.get("latest")
        out.append(
            wrap(
                p,
                ShiftTemplate,
                d.get("name"),
                duration(d.get("length"), f"{p}.length"),
                _offset(d.get("earliest", 0), f"{p}.earliest"),
                None if latest is None else _offset(latest, f"{p}.latest"),
                d.get("cost"),
                breaks,
            )
        )
    return tuple(out)
