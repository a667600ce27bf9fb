"""Shifts that cover a plan: how many agents start each shift, at the least cost.

Theory of operation
-------------------
The horizon (a day, a week) is cut into ``T`` equal intervals; interval ``t`` needs ``r[t]``
agents.  A :class:`~csflow.staffing.shifts.ShiftTemplate` offers *options*: a start (every interval of its start
window, repeated every day of the horizon) and a fixed length.  A window is local time of day
in the zone of the horizon's origin, every day: a late shift at 14:00 starts at 14:00 on the
clock also on the day after a DST change (each day's local midnight plus the offset, then
placed on the grid of intervals in real time; a wall-clock time the clocks skip is read on the
clock before the change, and a start the grid cannot hold -- a change the interval does not
divide -- is not offered).  A shift's length is real time.  On a line the window of the evening
before the first day counts too (a window that passes midnight starts shifts on the first
morning); a start before the horizon's start is not offered.  Choosing ``x[o]`` agents for
each option, every interval must be covered, ``sum of x[o] over the options covering t >=
r[t]``, at the least total cost.

**On a line** (a desk that closes, or a horizon that does not wrap) every option covers
consecutive intervals, so each column of the constraint matrix has consecutive ones.
Subtracting each row from the next (with an empty row before the first and after the last)
leaves every column with one ``+1`` and one ``-1``: the problem *is* a min-cost flow on the
nodes ``0..T`` (node ``t`` is the boundary before interval ``t``):

* an option covering ``[s, e)`` is an arc ``s -> e`` with the option's cost;
* over-coverage of interval ``t`` is a free arc ``t+1 -> t``;
* node ``t`` supplies ``r[t] - r[t-1]`` units (``r[-1] = r[T] = 0``), so the net flow across
  interval ``t`` -- forward options minus the over-coverage arc -- is exactly ``r[t]``.

The network simplex of networkx solves it exactly, and a network flow with integer supplies has
an integer optimum: no rounding, no gap.

**On a circle** (a 24/7 desk whose horizon wraps around midnight, or around the week: a whole
number of days on the origin's clock, or the daily windows would not meet) the same
arcs form a circle, and a circle flow only fixes the coverage up to a constant added to every
interval: the flow may wind backwards and leave every interval short.  Fixing just the *number*
of agents crossing one boundary does not repair it in general: with 7 intervals, shifts 3
intervals long and one agent needed everywhere, the linear program with exactly one agent
crossing midnight has a fractional optimum of 2.5 agents (half an agent on every other start),
while a roster needs 3.  csflow therefore cuts the circle at the
boundary where the fewest agents could cross (at night, where requirements are small).

First, a bound and a roster: each option crossing the cut is split into its piece before the
cut and its piece after, each at half its cost and free to take its own number of agents.
Every roster is such a split with both pieces alike, so the split's optimum (one exact line
solve) is a lower bound of the least cost; and the larger count of each option's two pieces,
with the rest of the line solved exactly, is a roster.  When the two meet, it is optimal.
The options that do not cross the horizon's end make a line of their own, and each of its
rosters is a circle roster too: its exact solve is a second roster, and the cheaper of the two
starts the search, so a circle never costs more than the same horizon rostered as a line.

Otherwise a search enumerates how many agents take each crossing option (the split's count
first, then outwards), and solves the remaining line exactly as above.  The enumeration is a
depth-first search, bounded without losing exactness:

* no option takes more agents than the largest requirement it covers (one of them could be
  dropped, and costs are not negative);
* a branch stops when its cost so far, plus a lower bound of the line that remains with every
  undecided crossing option at its bound (more coverage never costs more), cannot beat the best
  roster found.  The bound comes from LP duality: prices ``u[t] >= 0`` per interval whose sum
  over any shift is at most its cost bound the cover of *every* requirement ``r`` by
  ``sum(r[t] u[t])``, whatever ``r`` is.  Each exact solve of a line yields its optimal prices
  (the potentials of the min-cost flow, from shortest paths in its residual graph), so the
  bounds sharpen as the search goes and most branches close without a solve.

**Shifts that nest nowhere.**  When, ordered by start, the options' ends never go down (one
shift length, or templates that start later and end later: early, day, late and night shifts
of one length) and the last ends within a horizon of the first, the options over each
interval are a run of that order around the circle: the *circular ones in rows* of
Bartholdi, Orlin and Ratliff (1980).  With ``p`` agents in all and ``Y[j]`` the agents on the
first ``j`` options, each interval's cover is ``Y[b] - Y[a]`` (or ``p - Y[k] + Y[i]`` for a
run that wraps), so for a fixed ``p`` the least cost is the dual of a min-cost flow and
integral, and it is convex in ``p``: a binary search for the fewest agents that cover (up to
the agents of the roster already found), then one for the bottom of the curve, settles the
circle exactly in a few dozen solves of ``n`` options and about ``n * (n + arcs) / 20``
microseconds each (within the budget below; a circle too large for it, such as a month of
15-minute starts, is left to the search).  Its optimum is then the search's floor, and its
roster the answer unless the search finds one as cheap on a tenth of its budget (the
search's rosters keep a shift start's agents together).  A 24/7 day of one shift length free
to start at any interval, up to a week of 15-minute intervals, so settles exactly in a
second or two.

A boundary that no option crosses needs no enumeration at all.  The search is exponential in
the number of crossing options in the worst case, so it has a budget of work (a few seconds of
it): a search that ends within it, or whose roster meets the split's bound, is exact and the
roster says so (:attr:`Roster.gap` is 0); one that runs out returns the best roster found, and
:attr:`Roster.gap` says how much more it may cost than the least possible (its cost minus the
split's bound; the true distance is often smaller).  Small circles -- a day of hours, shifts
from a few windows -- settle exactly, and so does every circle whose shifts nest nowhere
within the budget (see above): the how-to's week settles in a fraction of a second at hourly
intervals and in under a second at 15-minute ones.  Shifts of several lengths that nest
(a 4-hour shift inside a 9-hour one) are searched: a day of hours with wide windows may stop at
the budget with a gap.  Intervals between two
consecutive shift starts or ends are covered by the same shifts, so the flow has one node per
such block rather than per interval.

**Bounds.** An exact solve of a line of ``b`` blocks and ``a`` arcs takes about
``b * (b + a) / 5`` microseconds here (the network simplex of networkx), so the size of the
problem is bounded before anything is solved: at most :data:`MAX_ROSTER_INTERVALS` intervals
and :data:`MAX_ROSTER_STARTS` shift starts, a line solved in a few seconds at both bounds.  A
circle solves its split, its first line and its plain line unconditionally, then searches
only while its budget lasts: the budget counts each solve at that cost, and a solve it could not afford is
not started, so a circle at the bounds also takes seconds, not minutes.  The search walks its
tree on an explicit stack (more options may cross the cut than Python's recursion limit) and
tries counts outwards from the split's one at a time (an option's bound may be large).

**Breaks** are placed after the shifts are chosen, agent by agent (shifts in order of start):
each break goes where, within its window, the agents on duty exceed the requirement the most
(ties to the earliest start), and the agents on duty drop there.  One agent's breaks never
overlap: a break goes only where it overlaps none of the agent's breaks already placed and
leaves room for those still to place (a template whose windows allow no such schedule is
refused when it is made).  This never changes the shifts
or their cost; the coverage it gives up is reported per interval (:attr:`IntervalCover.short`)
and in total (:attr:`Roster.shortfall`), so a planner can see it and add agents where it hurts.
The placement is greedy, shift by shift and agent by agent: it does not minimise the total
shortfall over all the agents' breaks together (an exact placement is a hard problem), and a
different placement can give up less.  Agents of one start who would take the very same breaks
are placed together, and past 16 agents a start's agents go in batches of at least a sixteenth
of those left: about ``16 (1 + ln(agents / 16))`` placements a start (16 up to 16 agents, 164
for 160,000, 266 for 100,000,000), each weighing every start of each break's window once: a
start's surplus over its break is a difference of two running sums (not a sum over the
break), and the starts of a window that leave room for the breaks still to place depend only
on the breaks placed before it, so they are found once and shared by the template's agents
(a schedule of the later breaks, as early and as late as they go, vouches for every start
that overlaps neither; only the others are tried in every order).  So the time grows with
the logarithm of the head count, and with the number of breaks and the width of their
windows, not with the breaks' length: a month of 15-minute intervals with 96 shift starts a
day and three breaks a shift takes at most about 1 s with one head an interval, 3 s with up
to 40, 20 to 25 s with up to 10,000 and 1 to 1.5 minutes with up to 100,000,000; six breaks
a shift at the most heads, up to about two minutes.  A shift of 1,500 one-minute intervals
with six 200-minute breaks free to go anywhere in it takes about 0.01 s a shift start used.

**Templates.** Every start of every template's window, every day that can reach into the
horizon, is weighed before those outside the horizon are left out: at most
:data:`MAX_ROSTER_WINDOW_STARTS` together, a template whose start fits nowhere counted too
(each weighs about 3,400 starts on a month of 15-minute intervals with a window of a whole
day, so some 170 such templates fit), which keeps the weighing under a second.
"""

from __future__ import annotations

import bisect
import itertools
import math
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

import attrs
import networkx as nx

from csflow._text import show
from csflow._time import instant_us, require_aware
from csflow.errors import ConfigError
from csflow.staffing._checks import MAX_AGENTS, as_float, as_int, check_duration
from csflow.staffing.plan import StaffingPlan, _after
from csflow.staffing.shifts import ShiftTemplate, _breaks_fit, _breaks_schedule

__all__ = [
    "MAX_ROSTER_AGENTS",
    "MAX_ROSTER_INTERVALS",
    "MAX_ROSTER_STARTS",
    "MAX_ROSTER_WINDOW_STARTS",
    "IntervalCover",
    "Roster",
    "RosterRow",
    "cover",
]

#: The most intervals :func:`cover` rosters: a month of 15-minute intervals (2,976), 62 days
#: of half hours.  An exact solve grows with the intervals times the intervals and shift
#: starts (a few seconds at both bounds; see the module notes), so a longer horizon is
#: refused rather than solved for minutes: roster it a month at a time.
MAX_ROSTER_INTERVALS = 3_000
#: The most shift starts :func:`cover` weighs: every start of every template within the
#: horizon (a template free to start at any half hour offers 48 a day).
MAX_ROSTER_STARTS = 6_000
#: The most agents :func:`cover` takes as one interval's requirement: the most the Erlang
#: formulas staff (:data:`~csflow.staffing.erlang.MAX_AGENTS`), ten times the heads of the
#: largest load a plan takes (1e7 Erlangs, 1.4e7 heads at 30 % shrinkage).  The solve takes
#: the same time for any count up to it; the breaks grow with its logarithm (see the module
#: notes).
MAX_ROSTER_AGENTS = MAX_AGENTS
#: The most starts the templates' windows may hold together over the horizon's days, before
#: those outside the horizon are left out: each is weighed, whether it fits or not (a window
#: of a whole day in intervals of a second holds 86,400 a day).  A month of 15-minute
#: intervals with windows of a whole day weighs about 3,400 a template, so some 170 such
#: templates fit; the weighing takes well under a second at the bound.
MAX_ROSTER_WINDOW_STARTS = 100 * MAX_ROSTER_STARTS

_DAY = timedelta(days=1)
_HOUR = timedelta(hours=1)
# The horizon's start when no origin is given: a midnight, on a clock that never changes.
_MIDNIGHT = datetime(2000, 1, 3, tzinfo=UTC)


@attrs.frozen
class RosterRow:
    """Agents that start the same shift at the same time and take the same breaks.

    Attributes:
        shift: The :class:`~csflow.staffing.shifts.ShiftTemplate`'s name.
        start: The shift's start, as an offset from the horizon's start (real time: across a
            DST change, :meth:`to_dict` and :meth:`Roster.table` show the instant that much
            real time after the origin, in its zone).
        end: Its end (on a wrapping horizon it may lie past the horizon's end: the shift goes
            on at the horizon's start).
        breaks: ``(start, end)`` of each break, offsets like *start*.
        agents: How many agents work it.
    """

    shift: str
    start: timedelta
    end: timedelta
    breaks: tuple[tuple[timedelta, timedelta], ...]
    agents: int

    def to_dict(self, origin: datetime | None = None) -> dict[str, Any]:
        """Plain data: instants as ISO 8601 from *origin*, or offsets in seconds without one.

        An instant is the offset's real time after *origin*, written in *origin*'s zone (as a
        plan's intervals are): across a DST change that is not the wall-clock sum.
        """

        def put(offset: timedelta) -> str | float:
            return _after(origin, offset).isoformat() if origin else offset.total_seconds()

        return {
            "shift": self.shift,
            "start": put(self.start),
            "end": put(self.end),
            "breaks": [[put(b), put(e)] for b, e in self.breaks],
            "agents": self.agents,
        }


@attrs.frozen
class IntervalCover:
    """How one interval of the horizon is covered.

    Attributes:
        start: The interval's start, as an offset from the horizon's start.
        required: Agents the plan asks for.
        scheduled: Agents on shift (breaks included).
        on_duty: Agents on shift and not on a break.
        short: Coverage given up to breaks: ``max(0, required - on_duty)``.
    """

    start: timedelta
    required: int
    scheduled: int
    on_duty: int
    short: int

    def to_dict(self, origin: datetime | None = None) -> dict[str, Any]:
        """Plain data (see :meth:`RosterRow.to_dict`)."""
        start = _after(origin, self.start).isoformat() if origin else self.start.total_seconds()
        return {
            "start": start,
            "required": self.required,
            "scheduled": self.scheduled,
            "on_duty": self.on_duty,
            "short": self.short,
        }


@attrs.frozen
class Roster:
    """The cheapest shifts that cover a plan, and how they cover it.

    Attributes:
        rows: The roster table, in order of start then shift name.
        intervals: Coverage per interval, in order.
        cost: The roster's total cost (the least possible for the templates).
        interval: The length of one interval.
        origin: The horizon's start, when it was given; offsets are real time after it.
        wraps: Whether the horizon wraps around (a 24/7 desk).
        gap: How much more the roster may cost than the least possible: 0 when *cost* is
            proven the least (always on a line, and on a circle whose search settled); on a
            circle too large to search to the end, *cost* minus a lower bound of the least
            cost (see the module notes).
    """

    rows: tuple[RosterRow, ...]
    intervals: tuple[IntervalCover, ...]
    cost: float
    interval: timedelta
    origin: datetime | None = None
    wraps: bool = False
    gap: float = 0.0

    @property
    def agents(self) -> int:
        """Agents on the roster (one per shift worked)."""
        return sum(r.agents for r in self.rows)

    @property
    def shortfall(self) -> int:
        """Agent-intervals given up to breaks, over the horizon."""
        return sum(i.short for i in self.intervals)

    def table(self) -> list[str]:
        """The roster table as lines of text for a terminal or a log (nothing is printed).

        Returns:
            A header, one line per row (shift, start, end, breaks, agents) and a total line;
            instants are local times of *origin* when it was given (with their UTC offset
            when the rows' offsets differ, as across a clock change: ``Sun 01:00-0500``),
            offsets from the start otherwise.
        """
        origin = self.origin
        stamp = "%a %H:%M"
        if origin is not None:
            offsets = {
                _after(origin, t).utcoffset()
                for r in self.rows
                for t in (r.start, r.end, *(x for b in r.breaks for x in b))
            }
            if len(offsets) > 1:
                stamp = "%a %H:%M%z"

        def at(offset: timedelta) -> str:
            if origin is not None:
                return _after(origin, offset).strftime(stamp)
            days, rest = divmod(offset, _DAY)
            return f"+{days}d {rest // _HOUR:02d}:{rest % _HOUR // timedelta(minutes=1):02d}"

        width = max([5, *(len(r.shift) for r in self.rows)])
        w = 17 if stamp.endswith("%z") else 12
        lines = [f"{'shift':<{width}}  {'start':>{w}}  {'end':>{w}}  {'agents':>6}  breaks"]
        for r in self.rows:
            breaks = ", ".join(f"{at(b)}-{at(e)}" for b, e in r.breaks) or "-"
            lines.append(
                f"{r.shift:<{width}}  {at(r.start):>{w}}  {at(r.end):>{w}}  {r.agents:>6}  {breaks}"
            )
        lines.append(
            f"{self.agents} agents, cost {self.cost:g}, {self.shortfall} interval-agents "
            "given up to breaks"
        )
        return lines

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the table, the coverage and the totals (JSON-ready)."""
        o = self.origin
        return {
            "interval": self.interval.total_seconds(),
            "origin": None if o is None else o.isoformat(),
            "wraps": self.wraps,
            "cost": self.cost,
            "agents": self.agents,
            "shortfall": self.shortfall,
            "gap": self.gap,
            "rows": [r.to_dict(o) for r in self.rows],
            "intervals": [i.to_dict(o) for i in self.intervals],
        }


# --------------------------------------------------------------------------------------------
# checks


def _requirements(value: object) -> list[int]:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise ConfigError(f"'requirements' must be a sequence of agent counts, got {show(value)}")
    out = []
    for i, r in enumerate(value):
        if i == MAX_ROSTER_INTERVALS:
            raise ConfigError(
                f"a roster covers at most {MAX_ROSTER_INTERVALS:,} intervals, got more: roster "
                "a shorter horizon (a month at a time) or longer intervals",
                "requirements",
            )
        # Any integer or real number (numpy's too: what a pandas column yields).
        n = as_int(r)
        if n is None:
            v = as_float(r)
            if v is None:
                raise ConfigError(
                    f"expected a whole number of agents, got {show(r)}", f"requirements[{i}]"
                )
            if not v.is_integer():
                raise ConfigError(
                    f"expected a whole number of agents, got {show(r)}"
                    if math.isinf(v) or math.isnan(v)
                    else f"expected a whole number of agents, got the fraction {show(r)}",
                    f"requirements[{i}]",
                )
            n = int(v)
        if n < 0:
            raise ConfigError(
                f"expected a number of agents >= 0, got {show(r)}", f"requirements[{i}]"
            )
        if n > MAX_ROSTER_AGENTS:
            raise ConfigError(
                f"expected at most {MAX_ROSTER_AGENTS:,} agents, got {show(r)}",
                f"requirements[{i}]",
            )
        out.append(n)
    if not out:
        raise ConfigError("'requirements' must have at least one interval, got none")
    return out


def _steps(value: timedelta, interval: timedelta, what: str, path: str) -> int:
    n, rest = divmod(value, interval)
    if rest:
        raise ConfigError(
            f"{what} must be a whole number of {show(interval)} intervals, got {show(value)}", path
        )
    return int(n)


def _plain_instant(value: datetime) -> datetime:
    """*value* as a plain ``datetime`` (the same wall clock, zone and fold): pendulum's
    ``DateTime`` overrides the arithmetic with types of its own that do not mix with the
    standard library's (its ``Interval`` modulo a ``timedelta`` raises)."""
    if type(value) is datetime:
        return value
    return datetime(
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
        value.tzinfo,
        fold=value.fold,
    )


def _plain_duration(value: timedelta) -> timedelta:
    """*value* as a plain ``timedelta`` (pendulum's ``Duration`` overrides the arithmetic)."""
    if type(value) is timedelta:
        return value
    return timedelta(days=value.days, seconds=value.seconds, microseconds=value.microseconds)


@attrs.frozen
class _Option:
    """One way to work a template: start interval and length in intervals."""

    template: int
    start: int
    length: int


def _local_days(origin: datetime, span: timedelta) -> int | None:
    """How many local days of *origin*'s zone *span* of real time after it covers, when it
    ends at the same local time of day as it starts (``None`` otherwise)."""
    end = (origin.astimezone(UTC) + span).astimezone(origin.tzinfo)
    days, rest = divmod(end.replace(tzinfo=None) - origin.replace(tzinfo=None), _DAY)
    return days if not rest and days >= 1 else None


def _starts(
    origin: datetime, interval: timedelta, horizon: int, first: int, last: int, days: range
) -> list[int]:
    """The starts of a window ``first..last`` (intervals from a local midnight), one window
    a local day for every day of *days* (0: *origin*'s day), as intervals of real time after
    *origin*.  A start on a wall-clock time that the clocks skip is the instant that many
    hours after midnight on the clock before the change (Python's ``fold=0``); a start that
    falls between two intervals of the grid (a clock change the interval does not divide)
    is not offered."""
    zone = origin.tzinfo
    base = origin.astimezone(UTC)
    day0 = origin.date()
    out = []
    for d in days:
        try:
            date = day0 + d * _DAY
        except OverflowError:
            continue  # a window that opens days into its day reaches back before year 1
        # A plain datetime, so that adding an offset is wall-clock arithmetic in the zone.
        midnight = datetime(date.year, date.month, date.day, tzinfo=zone)
        for s in range(first, last + 1):
            try:
                at, rest = divmod((midnight + s * interval).astimezone(UTC) - base, interval)
            except OverflowError:
                continue  # past year 9999: outside any horizon
            if not rest:
                out.append(at)
    return out


def _options(
    templates: Sequence[ShiftTemplate],
    interval: timedelta,
    horizon: int,
    wraps: bool,
    origin: datetime,
    unused: list[ConfigError] | None = None,
) -> list[_Option]:
    """Every start of every template within the horizon.  A template's window is local
    time of day in *origin*'s zone, every day (*origin* is where the horizon starts).

    A template with no start that fits is left unused, its reason added to *unused*; when no
    template has one, the first such is refused."""
    names: set[str] = set()
    out: list[_Option] = []
    idle: list[ConfigError] = [] if unused is None else unused
    span = horizon * interval
    scanned = 0
    for k, tpl in enumerate(templates):
        path = f"templates[{k}]"
        if not isinstance(tpl, ShiftTemplate):
            raise ConfigError(f"expected a ShiftTemplate, got {show(tpl)}", path)
        if tpl.name in names:
            raise ConfigError(f"template names must be unique, {show(tpl.name)} repeats", path)
        names.add(tpl.name)
        length = _steps(tpl.length, interval, f"template {show(tpl.name)}'s length", path)
        if length > horizon:
            raise ConfigError(
                f"template {show(tpl.name)} lasts {show(tpl.length)}, longer than the horizon "
                f"of {horizon} x {show(interval)}",
                path,
            )
        first = _steps(tpl.earliest, interval, f"template {show(tpl.name)}'s earliest start", path)
        last = first if tpl.latest is None else _steps(tpl.latest, interval, "'latest'", path)
        for j, b in enumerate(tpl.breaks):
            where = f"{path}.breaks[{j}]"
            _steps(b.length, interval, "a break's length", where)
            _steps(b.earliest, interval, "a break's earliest start", where)
            _steps(b.last, interval, "a break's latest start", where)
        if wraps:
            # A circle of whole local days: each day's window once, folded onto the circle.
            days = range(_local_days(origin, span) or 1)
        else:
            # Every day whose window reaches into the horizon, the evening before its first
            # day included (a window may pass midnight).
            # (Only the days whose window can reach into it: a window that opens days into
            # the day, ``earliest`` past 24:00, moves the days back, not the count up.)
            days = range(
                -(last * interval // _DAY) - 1, span // _DAY + 3 - first * interval // _DAY
            )
        # Every template's windows count, those with no start that fits too.
        scanned += (last - first + 1) * len(days)
        if scanned > MAX_ROSTER_WINDOW_STARTS:
            raise ConfigError(
                f"template {show(tpl.name)}'s window holds {last - first + 1:,} starts a day in "
                f"intervals of {show(interval)}, {(last - first + 1) * len(days):,} over the "
                f"horizon's days, {scanned:,} with the templates before it; the templates' "
                f"windows may hold at most {MAX_ROSTER_WINDOW_STARTS:,} together "
                "(MAX_ROSTER_WINDOW_STARTS): use longer intervals, narrower windows or fewer "
                "templates",
                path,
            )
        starts: set[int] = set()
        for at in _starts(origin, interval, horizon, first, last, days):
            if wraps:
                starts.add(at % horizon)
            elif at >= 0 and at + length <= horizon:
                starts.add(at)
        if not starts:
            idle.append(
                ConfigError(
                    f"template {show(tpl.name)} has no start in its window from which a "
                    f"{show(tpl.length)} shift fits in the horizon of {horizon} x "
                    f"{show(interval)}",
                    path,
                )
            )
            continue
        if len(out) + len(starts) > MAX_ROSTER_STARTS:
            raise ConfigError(
                f"a roster weighs at most {MAX_ROSTER_STARTS:,} shift starts (every start of "
                f"every template within the horizon), got {len(out) + len(starts):,} with "
                f"template {show(tpl.name)}: narrow the start windows, use fewer templates or "
                "a shorter horizon",
                path,
            )
        out.extend(_Option(k, s, length) for s in sorted(starts))
    if not out and idle:
        raise idle[0]
    return out


# The largest integer a cost may scale to (see _int_costs): the solvers' bounds and prices
# are floats, exact to 2^53 and finite to about 1.8e308, and sums of a horizon's worth of
# them must stay far inside that range.
_MAX_COST_UNITS = 10**30


def _int_costs(templates: Sequence[ShiftTemplate]) -> tuple[list[int], Fraction]:
    """Costs scaled to the smallest integers in their ratios (the network simplex is exact on
    integers only), and the scale (integer cost = cost x scale).

    Refused when a cost would scale beyond :data:`_MAX_COST_UNITS`: the costs together need
    more than 30 significant digits (such as ``8`` and ``1e-320``).
    """
    exact = [Fraction(repr(t.unit_cost)) for t in templates]
    scale = Fraction(math.lcm(1, *(f.denominator for f in exact)))
    ints = [int(f * scale) for f in exact]
    common = math.gcd(*ints)
    if common > 1:
        ints = [c // common for c in ints]
        scale /= common
    top = max(range(len(ints)), key=ints.__getitem__)
    if ints[top] > _MAX_COST_UNITS:
        # Name the finest cost: the one whose precision stretches the range.
        fine = min(
            (k for k, c in enumerate(ints) if c), key=lambda k: (ints[k], -exact[k].denominator)
        )
        raise ConfigError(
            f"the shift costs span more than 30 significant digits together: cost "
            f"{show(templates[fine].unit_cost)} of template {show(templates[fine].name)} "
            f"against {show(templates[top].unit_cost)} of {show(templates[top].name)}; round "
            "the costs, or make a negligible one 0",
            f"templates[{fine}].cost",
        )
    return ints, scale


# --------------------------------------------------------------------------------------------
# the exact solvers


class _Line:
    """The cover problem on a line for one set of arcs ``(s, e) -> (cost, option)``.

    Intervals between two consecutive arc ends are covered by exactly the same arcs, so they
    merge into one *block* whose requirement is their largest: the flow has one node per arc
    end, not per interval (a third of the nodes for shifts starting every half-hour over
    two-hour windows).
    """

    def __init__(self, horizon: int, arcs: Mapping[tuple[int, int], tuple[int, int]]) -> None:
        ends = sorted({0, horizon, *(t for span in arcs for t in span)})
        self.ends = ends
        index = {t: k for k, t in enumerate(ends)}
        self.block = [0] * horizon
        for k in range(len(ends) - 1):
            for t in range(ends[k], ends[k + 1]):
                self.block[t] = k
        self.arcs = {(index[s], index[e]): (c, (s, e)) for (s, e), (c, _) in arcs.items()}
        blocks = len(ends) - 1
        self.covered = [False] * blocks
        # Prices that need no solving: each block charged the least cost per block of the
        # arcs over it (infinite where none passes).
        self.rate = [math.inf] * blocks
        # Cheapest arcs first, each block priced by the first arc over it: ``ahead[k]`` leads
        # to the next block not yet priced, so each block is priced once, however many arcs
        # pass over it.
        ahead = list(range(blocks + 1))

        def unpriced(k: int) -> int:
            while ahead[k] != k:
                ahead[k] = ahead[ahead[k]]
                k = ahead[k]
            return k

        for (a, b), (c, _) in sorted(
            self.arcs.items(), key=lambda arc: arc[1][0] / (arc[0][1] - arc[0][0])
        ):
            k = unpriced(a)
            while k < b:
                self.covered[k] = True
                self.rate[k] = c / (b - a)
                ahead[k] = k + 1
                k = unpriced(k + 1)

    def need_of(self, need: Sequence[int]) -> list[int]:
        """Each block's requirement: the largest of its intervals'."""
        out = [0] * len(self.covered)
        for t, r in enumerate(need):
            k = self.block[t]
            if r > out[k]:
                out[k] = r
        return out

    def solve(
        self, need: Sequence[int]
    ) -> tuple[int, dict[tuple[int, int], int], list[float]] | None:
        """Min-cost cover of *need* (per interval).

        Returns the cost, the agents per arc and optimal prices per block: ``u[k] >= 0`` with
        ``sum(u over an arc's blocks) <= its cost``.  The prices do not depend on *need*, so
        by LP duality they bound the cover of any other requirement (see :meth:`bound`).
        ``None`` when a needed interval has no arc over it.
        """
        blocks = self.need_of(need)
        if any(r > 0 and not c for r, c in zip(blocks, self.covered, strict=True)):
            return None
        g: nx.DiGraph[int] = nx.DiGraph()
        prev = 0
        for k in range(len(blocks) + 1):
            r = blocks[k] if k < len(blocks) else 0
            g.add_node(k, demand=prev - r)  # networkx: demand = inflow - outflow
            prev = r
        for k in range(len(blocks)):
            g.add_edge(k + 1, k, weight=0)
        for (a, b), (c, _) in self.arcs.items():
            g.add_edge(a, b, weight=c)
        cost, flow = nx.network_simplex(g)
        used = {span: flow[a][b] for (a, b), (_, span) in self.arcs.items() if flow[a][b]}
        # Optimal potentials: shortest distances in the residual graph (no negative cycle
        # there, the flow being optimal), from every node at once.
        weights: list[tuple[int, int, int]] = list(g.edges(data="weight"))
        residual = weights + [(v, u, -w) for u, v, w in weights if flow[u][v]]
        dist = _distances(residual, len(blocks) + 1)
        prices = [float(dist[k + 1] - dist[k]) for k in range(len(blocks))]
        return int(cost), used, prices

    def bound(self, need: Sequence[int], prices: Sequence[Sequence[float]]) -> float:
        """A lower bound of the cover of *need*: the best of ``sum(need * u)`` over *prices*."""
        blocks = [(k, r) for k, r in enumerate(self.need_of(need)) if r]
        return max(sum(r * u[k] for k, r in blocks) for u in prices)


def _line_arcs(
    options: Sequence[_Option], costs: Sequence[int], keep: Iterable[int]
) -> dict[tuple[int, int], tuple[int, int]]:
    """The cheapest option per ``(start, end)`` span (the first one on ties)."""
    arcs: dict[tuple[int, int], tuple[int, int]] = {}
    for i in keep:
        o = options[i]
        span = (o.start, o.start + o.length)
        c = costs[o.template]
        if span not in arcs or c < arcs[span][0]:
            arcs[span] = (c, i)
    return arcs


# Work the search may do on a circle before it settles for its best roster so far, in units
# of about a microsecond: an interval's share of a bound is one, an exact solve of a line of
# b blocks and a arcs about b * (b + a) / 5 (the network simplex of networkx grows about so).
_BUDGET = 5_000_000


class _Spent(Exception):
    """The search's budget would not cover its next solve."""


def _outwards(first: int, last: int) -> Iterator[int]:
    """``0..last`` from *first* outwards, the smaller first on ties: 2, 1, 3, 0, 4 ... for
    ``first=2``, one at a time (*last* may be large)."""
    yield first
    for k in range(1, max(first, last - first) + 1):
        if first - k >= 0:
            yield first - k
        if first + k <= last:
            yield first + k


def _distances(arcs: Sequence[tuple[int, int, int]], size: int) -> list[int]:
    """Shortest distances to nodes ``0 .. size - 1`` from a virtual source joined to each by
    an arc of weight 0 (Bellman-Ford over *arcs* ``(u, v, weight)``; a min-cost flow's
    residual graph has no negative cycle)."""
    dist = [0] * size
    changed = True
    while changed:
        changed = False
        for u, v, w in arcs:
            if dist[u] + w < dist[v]:
                dist[v] = dist[u] + w
                changed = True
    return dist


def _rows_solve(
    need: Sequence[int],
    options: Sequence[_Option],
    costs: Sequence[int],
    bounds: Sequence[int],
    most: int,
    budget: int,
) -> tuple[tuple[list[int], int] | None, int]:
    """An exact circle cover when the shifts nest nowhere: ``(counts, cost)``, or ``None``
    when the options do not qualify or the budget runs out; and the work spent.

    Ordered by start, the options qualify when their ends never go down (one shift length,
    or templates that start later and end later: early, day, late and night of one length)
    and the last ends at most a horizon after the first.  The options over each interval are
    then a run of that order, around the circle (Bartholdi, Orlin and Ratliff's circular
    ones in rows).  With ``p`` agents in all and ``Y[j]`` the agents on the first ``j``
    options, each interval's cover is a difference of two ``Y`` (plus ``p`` for a run that
    wraps), so for a fixed ``p`` the least cost is the dual of a min-cost flow, integral;
    and that least cost is convex in ``p``.  A search for the smallest feasible ``p``, then
    for the bottom of the curve, finds the optimum in a few dozen exact solves.
    """
    horizon = len(need)
    cheapest: dict[tuple[int, int], int] = {}
    for i, o in enumerate(options):
        if not bounds[i]:
            continue  # covers no interval that needs anybody
        span = (o.start, o.start + o.length)
        if span not in cheapest or costs[o.template] < costs[options[cheapest[span]].template]:
            cheapest[span] = i
    order = sorted(cheapest)
    n = len(order)
    if not n:
        return ([0] * len(options), 0), 0
    ends = [e for _, e in order]
    if any(a > b for a, b in itertools.pairwise(ends)) or ends[-1] - horizon > ends[0]:
        return None, 0
    starts = [s for s, _ in order]
    price = [costs[options[cheapest[span]].template] for span in order]
    # The intervals' runs: Y[b] - Y[a] >= r, or Y[i] - Y[k] >= r - p around the circle
    # (kept the tightest per pair).
    plain: dict[tuple[int, int], int] = {}
    wrapped: dict[tuple[int, int], int] = {}
    for t, r in enumerate(need):
        if not r:
            continue
        i = bisect.bisect_right(starts, t)
        j = bisect.bisect_right(ends, t)
        k = bisect.bisect_right(ends, t + horizon)
        if k == n or k <= i:
            a, b = j, (n if k < n else i)
            if a >= b:
                return None, 0  # not covered (checked before; not reached)
            plain[(a, b)] = max(plain.get((a, b), 0), r)
        else:
            wrapped[(k, i)] = max(wrapped.get((k, i), 0), r)
    weight = [0] * (n + 1)  # the objective's coefficient of each Y
    for j, c in enumerate(price):
        weight[j + 1] += c
        weight[j] -= c
    arcs = len(plain) + len(wrapped) + n + 2
    # An exact solve of n options: about (n + 1) * (n + 1 + arcs) / 20 microseconds here.
    per_solve = (n + 1) * (n + 1 + arcs) // 20
    if 4 * per_solve > budget:
        return None, 0  # too large to settle in the budget: the search alone
    spent = [0]

    def graph(p: int) -> nx.DiGraph[int]:
        # Each constraint Y[v] - Y[u] >= low is an arc u -> v of weight -low in the dual.
        low: dict[tuple[int, int], int] = {(j, j + 1): 0 for j in range(n)}
        for (a, b), r in plain.items():
            low[(a, b)] = max(low[(a, b)], r) if (a, b) in low else r
        for (k, i), r in wrapped.items():
            low[(k, i)] = max(low[(k, i)], r - p) if (k, i) in low else r - p
        low[(0, n)] = max(low.get((0, n), p), p)
        low[(n, 0)] = max(low.get((n, 0), -p), -p)
        g: nx.DiGraph[int] = nx.DiGraph()
        for v in range(n + 1):
            g.add_node(v, demand=weight[v])
        for (u, v), lo in low.items():
            if (u, v) in plain or (u, v) in wrapped:
                # An interval's cover may fall short at a price above any roster of p
                # agents: the flow is never unbounded, and a cost at that price or more
                # says that p agents cannot cover.
                g.add_edge(u, v, weight=-lo, capacity=penalty(p))
            else:
                g.add_edge(u, v, weight=-lo)
        return g

    top_price = max(price)

    def penalty(p: int) -> int:
        return p * top_price + 1

    memo: dict[int, tuple[int, Any] | None] = {}

    def least(p: int) -> int | None:
        """The least cost with *p* agents in all, ``None`` when they cannot cover."""
        if p not in memo:
            if spent[0] + per_solve > budget:
                raise _Spent
            spent[0] += per_solve
            g = graph(p)
            value, flow = nx.network_simplex(g)
            memo[p] = None if -value >= penalty(p) else (-int(value), (g, flow))
        found = memo[p]
        return None if found is None else found[0]

    try:
        # At least the largest requirement, and the agent-intervals needed over the longest
        # shift.
        longest = max(e - s for s, e in order)
        lo = max(max(need), -(-sum(need) // longest))
        # The fewest agents that can cover, at most *most* (a roster's): feasibility only
        # grows with p.
        hi = max(lo, most)
        while lo < hi:
            mid = (lo + hi) // 2
            if least(mid) is None:
                lo = mid + 1
            else:
                hi = mid

        # Then the bottom of the convex curve: the first p whose next costs no less.
        def rises(p: int) -> bool:
            here, there = least(p), least(p + 1)
            if here is None or there is None:
                raise _Spent  # not reached: p covers, and so does p + 1
            return there >= here

        top = lo
        step = 1
        while not rises(top):
            top += step
            step *= 2
        bottom = lo
        while bottom < top:
            mid = (bottom + top) // 2
            if rises(mid):
                top = mid
            else:
                bottom = mid + 1
        best = bottom
        cost = least(best)
    except _Spent:
        return None, spent[0]
    found = memo[best]
    assert found is not None
    assert cost is not None
    g, flow = found[1]
    # Optimal Y: shortest distances in the residual graph, negated (complementary slackness).
    residual = [
        (u, v, w)
        for u, v, w in g.edges(data="weight")
        if "capacity" not in g[u][v] or flow[u][v] < g[u][v]["capacity"]
    ]
    residual += [(v, u, -w) for u, v, w in g.edges(data="weight") if flow[u][v]]
    residual.sort()
    dist = _distances(residual, n + 1)
    y = [dist[0] - d for d in dist]
    counts = [0] * len(options)
    for j, span in enumerate(order):
        counts[cheapest[span]] = y[j + 1] - y[j]
    # Checked, not trusted: a cover at the cost found, or the search's way instead.
    if any(x < 0 for x in counts) or y[n] != best:
        return None, spent[0]
    if sum(x * costs[o.template] for o, x in zip(options, counts, strict=True)) != cost:
        return None, spent[0]
    if any(c < r for c, r in zip(_coverage(horizon, options, counts), need, strict=True)):
        return None, spent[0]
    return (counts, cost), spent[0]


def _solve(
    need: list[int], options: list[_Option], costs: list[int], wraps: bool
) -> tuple[list[int], int]:
    """Agents per option of a least-cost cover, and a lower bound of the least cost (the
    cover's own cost when it is proven optimal; see the module notes)."""
    horizon = len(need)
    counts = [0] * len(options)
    if not wraps:
        arcs = _line_arcs(options, costs, range(len(options)))
        found = _Line(horizon, arcs).solve(need)
        assert found is not None  # every needed interval was checked to be covered
        for span, n in found[1].items():
            counts[arcs[span][1]] += n
        return counts, found[0]

    # Each option's bound: no option takes more agents than the largest requirement it
    # covers.  Options crossing each boundary, by a sweep rather than a scan per boundary.
    bounds = [max(need[(o.start + j) % horizon] for j in range(o.length)) for o in options]
    across: list[list[int]] = [[] for _ in range(horizon)]
    for i, o in enumerate(options):
        for j in range(1, o.length):
            across[(o.start + j) % horizon].append(i)

    # Cut where the fewest agents could cross (the search's size), then the fewest options.
    def size(b: int) -> tuple[float, int]:
        return (
            sum(math.log(bounds[i] + 1) for i in across[b]),
            sum(bool(bounds[i]) for i in across[b]),
        )

    cut = min(range(horizon), key=size)
    rot = need[cut:] + need[:cut]
    # Options that cross the cut but need take nobody (all they cover needs no agent) stay
    # out of the search and out of the line.
    cross = [i for i in across[cut] if bounds[i]]
    crossing = set(across[cut])
    rest = [i for i in range(len(options)) if i not in crossing]
    shifted = [_Option(o.template, (o.start - cut) % horizon, o.length) for o in options]
    arcs = _line_arcs(shifted, costs, rest)
    line = _Line(horizon, arcs)
    Found = tuple[int, dict[tuple[int, int], int], list[float]] | None
    memo: dict[tuple[int, ...], Found] = {}

    def missing(extra: Sequence[int]) -> list[int]:
        return [max(0, r - x) for r, x in zip(rot, extra, strict=True)]

    work = [0]

    # An exact solve of the line: about blocks * (blocks + arcs) / 5 microseconds here.
    solve_work = len(line.covered) * (len(line.covered) + len(line.arcs)) // 5

    def remainder(extra: Sequence[int], *, budgeted: bool = False) -> Found:
        left = tuple(line.need_of(missing(extra)))
        if left not in memo:
            if budgeted and work[0] + solve_work > budget:
                # A solve that would run past the budget is not started: the search ends.
                raise _Spent
            work[0] += solve_work
            memo[left] = line.solve(missing(extra))
        return memo[left]

    def cover_of(picks: Sequence[tuple[int, int]]) -> list[int]:
        extra = [0] * horizon
        for i, n in picks:
            o = shifted[i]
            for j in range(o.length):
                extra[(o.start + j) % horizon] += n
        return extra

    # A lower bound and a first roster from the circle cut open: each crossing option split
    # into its piece before the cut and its piece after, each at half the cost and free to
    # take its own number of agents.  Every roster is such a split (both pieces alike), so the
    # split's optimum bounds the roster's from below; and the larger count of each option's
    # two pieces is a roster.
    halves = {}
    for (s, e), (c, i) in arcs.items():
        halves[(s, e)] = (2 * c, i)
    for i in cross:
        o = shifted[i]
        c = costs[o.template]
        for span in ((o.start, horizon), (0, o.start + o.length - horizon)):
            if span not in halves or c < halves[span][0]:
                halves[span] = (c, i)
    split = _Line(horizon, halves).solve(rot)
    assert split is not None  # every needed interval was checked to be covered
    floor = -(-split[0] // 2)
    guess = dict.fromkeys(cross, 0)
    for span, n in split[1].items():
        i = halves[span][1]
        if i in guess:
            guess[i] = max(guess[i], n)
    picks0 = [(i, n) for i, n in guess.items() if n]
    first = remainder(cover_of(picks0))
    assert first is not None  # the split's pieces cover what the line leaves
    spent0 = sum(n * costs[options[i].template] for i, n in picks0)
    # The best roster so far: its cost, the crossing options' agents and the line's flow; or
    # (last) the agents per option of a roster found otherwise.
    best: list[Any] = [spent0 + first[0], picks0, first[1], None]
    # Every roster of the options that do not cross the horizon's end is a circle roster
    # too: the best of them (one exact line solve) seeds the search, so a circle never costs
    # more than its line.
    inside = [i for i, o in enumerate(options) if o.start + o.length <= horizon]
    plain_arcs = _line_arcs(options, costs, inside)
    plain = _Line(horizon, plain_arcs).solve(need) if plain_arcs else None
    if plain is not None and plain[0] < best[0]:
        plain_counts = [0] * len(options)
        for span, n in plain[1].items():
            plain_counts[plain_arcs[span][1]] += n
        best = [plain[0], [], {}, plain_counts]

    # Shifts that nest nowhere have an exact optimum (see _rows_solve), found with at most
    # as many agents as the best roster so far: it is then the search's floor, and its roster
    # the answer unless the search, on a tenth of its budget, finds one as cheap (the
    # search's rosters keep a shift start's agents together).
    agents = (
        sum(best[3]) if best[3] is not None else sum(n for _, n in best[1]) + sum(best[2].values())
    )
    exact, spent = _rows_solve(need, options, costs, bounds, agents, _BUDGET - work[0])
    work[0] += spent
    budget = _BUDGET
    if exact is not None:
        floor = exact[1]
        budget = min(_BUDGET, work[0] + _BUDGET // 10)

    # Lower bounds of a remainder from LP duality: any prices u >= 0 with sum(u over an arc)
    # <= its cost bound every remainder by sum(missing * u).  The first prices need no
    # solving; every exact solve adds its optimal ones (the latest few are kept).
    prices = [line.rate, first[2]]

    # What one visit of the search costs besides its solve: the bound over the horizon with
    # each set of prices, or the coverage of the crossing options (their lengths), whichever
    # is larger (thousands of long shifts may cross the cut).
    spans = len(cross) + sum(shifted[i].length for i in cross)
    Children = Iterator[tuple[int, list[tuple[int, int]], int]]

    def visit(depth: int, picks: list[tuple[int, int]], spent: int) -> Children | None:
        """Visit a node of the search: prune it, or note a roster, or return its children."""
        if best[0] <= floor or work[0] > budget:
            return None
        work[0] += max(horizon * (len(prices) + 2), spans)
        # Every undecided crossing option at its bound: more coverage never costs more.
        full = cover_of(picks + [(i, bounds[i]) for i in cross[depth:]])
        if spent + line.bound(missing(full), prices) >= best[0]:
            return None
        if depth == len(cross) or depth % 2 == 0:
            found = remainder(full, budgeted=True)
            if found is None or spent + found[0] >= best[0]:
                return None
            if found[2] not in prices:
                prices.append(found[2])
                if len(prices) > 6:
                    del prices[1]
            if depth == len(cross):
                best[:] = [spent + found[0], list(picks), found[1], None]
                return None
        i = cross[depth]
        c = costs[options[i].template]
        # The split's count first, then outwards: a better roster early prunes more.
        return (
            (depth + 1, [*picks, (i, n)] if n else picks, spent + n * c)
            for n in _outwards(min(guess[i], bounds[i]), bounds[i])
        )

    # Depth first, on a stack of the children still to visit rather than by recursion: the
    # crossing options may be many more than Python's recursion limit.
    stack: list[Children] = []
    try:
        root = visit(0, [], 0)
    except _Spent:
        root = None
        work[0] = budget + 1
    if root is not None:
        stack.append(root)
    try:
        while stack and best[0] > floor and work[0] <= budget:
            child = next(stack[-1], None)
            if child is None:
                stack.pop()
                continue
            children = visit(*child)
            if children is not None:
                stack.append(children)
    except _Spent:
        work[0] = budget + 1

    if best[3] is not None:
        counts = best[3]
    for i, n in best[1]:
        counts[i] += n
    for span, n in best[2].items():
        counts[arcs[span][1]] += n
    if exact is not None and best[0] > exact[1]:
        return exact
    # A search that ran to its end proved its best roster optimal.
    settled = best[0] <= floor or work[0] <= budget
    return counts, best[0] if settled else floor


# --------------------------------------------------------------------------------------------
# breaks and the table


def _coverage(horizon: int, options: Sequence[_Option], counts: Sequence[int]) -> list[int]:
    """Agents on shift per interval, *counts[i]* on each option *i* (one pass over the
    options' ends, not over every interval of every shift: a roster may weigh thousands of
    shifts thousands of intervals long)."""
    change = [0] * (horizon + 1)
    for o, n in zip(options, counts, strict=True):
        if not n:
            continue
        end = o.start + o.length
        change[o.start] += n
        if end <= horizon:
            change[end] -= n
        else:  # on a circle: on to the horizon's end, then on from its start
            change[horizon] -= n
            change[0] += n
            change[end - horizon] -= n
    out = []
    total = 0
    for t in range(horizon):
        total += change[t]
        out.append(total)
    return out


# Agents of one shift start whose breaks are placed one at a time before the rest go in bulk
# (see the module notes): at most this many, then batches of at least 1/_BREAK_BATCHES of the
# agents left, so an option takes about _BREAK_BATCHES * (1 + ln(agents / _BREAK_BATCHES))
# batches: 16 up to 16 agents, 53 for 160, 164 for 160,000, 266 for 100,000,000.  The
# batches must shrink to single agents for the later ones to even out what an early one
# overshoots, so their number grows with the logarithm of the head count.
_BREAK_BATCHES = 16
# The most sets of breaks placed whose next window's fitting starts a template keeps (see
# _next_breaks): a few hundred kept lists of a few thousand starts at the most.
_FITS_KEPT = 256


def _running_cover(spans: Iterable[tuple[int, int]], top: int) -> list[int]:
    """Running sums of the coverage of *spans* (half-open offsets within ``[0, top]``): the
    offsets ``[a, b)`` covers is ``sums[b] - sums[a]`` counted with multiplicity."""
    change = [0] * (top + 1)
    for a, b in spans:
        change[a] += 1
        change[b] -= 1
    out = [0]
    depth = 0
    for t in range(top):
        depth += change[t]
        out.append(out[-1] + depth)
    return out


def _fitting_starts(
    spans: Sequence[tuple[int, int]],
    window: tuple[int, int, int],
    rest: Sequence[tuple[int, int, int]],
) -> list[int]:
    """The starts of a break *window* ``(earliest, latest, length)`` that overlap none of the
    *spans* placed and leave room for the breaks *rest* still to place.

    A schedule of *rest* around *spans* -- one with each break as early as it may go, one
    with each as late -- shows room for every start that overlaps none of its breaks; only
    the starts that overlap both are tried in full."""
    lo, hi, length = window
    if not _breaks_fit(spans, rest):
        return []  # no start leaves room (not so for a template that was checked)
    top = max(e + n for _, e, n in (window, *rest))
    top = max([top, *(b for _, b in spans)])
    early = _breaks_schedule(spans, rest) or []
    # The latest schedule: the earliest one of the mirror image.
    mirrored = _breaks_schedule(
        [(-b, -a) for a, b in spans], [(-e - n, -b - n, n) for b, e, n in rest]
    )
    late = [(-b, -a) for a, b in mirrored or []]

    busy, first, last = (_running_cover(x, top) for x in (spans, early, late))
    return [
        s
        for s in range(lo, hi + 1)
        if busy[s + length] == busy[s]
        and (
            first[s + length] == first[s]
            or last[s + length] == last[s]
            or _breaks_fit([*spans, (s, s + length)], rest)
        )
    ]


def _next_breaks(
    first: int,
    windows: Sequence[tuple[int, int, int]],
    duty: Sequence[int],
    need: Sequence[int],
    fits: dict[tuple[tuple[int, int], ...], list[int]],
) -> tuple[list[int], int]:
    """The breaks the next agent of a shift starting at interval *first* takes (one start per
    window, offsets from *first*), and how many agents in a row take the very same ones,
    placed one at a time (at least 1; at most every agent, as a large number).

    *fits* keeps, per breaks already placed, the starts of the next window that overlap none
    of them and leave room for the rest: they depend on the template's windows only, not on
    the shift's start or the coverage, so every agent of the template shares them."""
    horizon = len(need)
    placed: list[int] = []
    spans: list[tuple[int, int]] = []
    others: list[tuple[int, int, int, list[tuple[int, int]]]] = []
    for k, (lo, hi, length) in enumerate(windows):
        # The surplus (on duty minus needed) summed from the window's first start: a
        # candidate's surplus over its break is a difference of two sums, one pass over the
        # window rather than one over the break for every start of it.
        acc = [0]
        total = 0
        for j in range(first + lo, first + hi + length):
            total += duty[j % horizon] - need[j % horizon]
            acc.append(total)
        # Largest surplus first, then the earliest start; one agent's breaks never overlap,
        # and each leaves room for the breaks still to place (the template was checked to
        # have such a schedule).
        key = tuple(spans)
        starts = fits.get(key)
        if starts is None:
            starts = _fitting_starts(spans, windows[k], windows[k + 1 :])
            if len(fits) >= _FITS_KEPT:
                fits.clear()
            fits[key] = starts
        scored = [(acc[s - lo + length] - acc[s - lo], -s) for s in starts]
        best, neg = max(scored)
        placed.append(-neg)
        spans.append((-neg, -neg + length))
        others.append((-neg, best, length, [(-t, v) for v, t in scored if t != neg]))
    # Agent j of a run sees each candidate's surplus fall by j times its overlap with the
    # breaks chosen (the chosen one's by its whole length, the most any can): the choice holds
    # while every gap to a rival, shrinking linearly, stays positive (or zero with the
    # earlier start).  The candidates of a window only depend on the choices before it, the
    # same for the whole run.
    run = 1 << 62
    # Offsets taken by the chosen breaks, summed: they never overlap, so a rival's overlap
    # with them all is a difference of two sums.
    top = max(hi + length for _, hi, length in windows)
    inside = _running_cover(spans, top)
    for chosen, best, length, rivals in others:
        for s, value in rivals:
            rate = length - (inside[s + length] - inside[s])
            if rate > 0:
                gap = best - value
                run = min(run, 1 + (gap // rate if chosen < s else (gap - 1) // rate))
    return placed, run


def _place_breaks(
    need: list[int],
    options: list[_Option],
    counts: list[int],
    templates: Sequence[ShiftTemplate],
    interval: timedelta,
) -> tuple[list[int], list[int], dict[tuple[int, tuple[int, ...]], int]]:
    horizon = len(need)
    on_shift = _coverage(horizon, options, counts)
    duty = list(on_shift)
    groups: dict[tuple[int, tuple[int, ...]], int] = {}
    fitting: dict[int, dict[tuple[tuple[int, int], ...], list[int]]] = {}
    order = sorted(
        range(len(options)), key=lambda i: (options[i].start, templates[options[i].template].name)
    )
    for i in order:
        o = options[i]
        left = counts[i]
        rules = templates[o.template].breaks
        if not left:
            continue
        if not rules:
            groups[(i, ())] = left
            continue
        windows = [
            (b.earliest // interval, b.last // interval, b.length // interval) for b in rules
        ]
        fits = fitting.setdefault(o.template, {})
        while left:
            # Exactly the agent-by-agent placement while the run of agents taking the same
            # breaks lasts, and at least 1/_BREAK_BATCHES of those left at once: the later,
            # smaller batches even out what a large one overshoots.
            placed, run = _next_breaks(o.start, windows, duty, need, fits)
            batch = min(left, max(run, -(-left // _BREAK_BATCHES)))
            for s, (_, _, length) in zip(placed, windows, strict=True):
                for j in range(length):
                    duty[(o.start + s + j) % horizon] -= batch
            key = (i, tuple(placed))
            groups[key] = groups.get(key, 0) + batch
            left -= batch
    return on_shift, duty, groups


def cover(
    requirements: Sequence[int] | StaffingPlan,
    templates: Sequence[ShiftTemplate],
    *,
    interval: timedelta | None = None,
    origin: datetime | None = None,
    wraps: bool = False,
) -> Roster:
    """The least-cost shifts that cover every interval's requirement.

    The shifts are optimal on a line (an exact min-cost flow, see the module notes); on a
    circle they are optimal when :attr:`Roster.gap` is 0, and otherwise cost at most *gap*
    more than the optimum (a search too large to finish within its budget).  Breaks are then
    placed greedily, shift by shift, each where the agents on duty exceed the requirement the
    most: a good placement, not always the one that gives up the least coverage in all (see
    the module notes); what they give up is reported, not hidden.

    Args:
        requirements: Agents needed per interval, whole numbers ``>= 0``, in time order; or a
            :class:`~csflow.staffing.plan.StaffingPlan`, whose scheduled heads are the
            requirements and whose intervals (equal and back to back) give *interval* and
            *origin* (an *origin* given with it must be the plan's start, the same instant,
            in the zone meant).  A plan's heads already include its shrinkage, and the templates'
            breaks are then taken out of them again: give such a plan a shrinkage *without*
            the breaks the templates place (training and absence only), or templates without
            breaks when its shrinkage includes them -- else breaks count twice and
            :attr:`IntervalCover.short` reports shortfalls where the plan's agents are on
            duty.
        templates: The shifts agents can work (names unique).
        interval: The length of one interval (30 minutes by default; taken from a plan).
            Unless it divides a day (15, 30, 60 minutes), the horizon must stay within its
            first day, not wrap, and have no template window past midnight: the windows of
            later days would fall between intervals.
        origin: The horizon's start (aware), for the instants of :meth:`Roster.to_dict`;
            templates' windows are local times of day in its zone, every day, DST changes
            included (a horizon from 08:00 is eight hours into the day), so it must fall on
            an interval boundary from midnight.  Without it, the horizon starts at midnight
            on a clock that never changes.  A pendulum ``DateTime`` is taken as the same
            instant (:attr:`Roster.origin` is then the plain ``datetime`` of its wall clock
            and zone), as is a plan's pendulum start, and a pendulum ``Duration`` as
            *interval*.
        wraps: The horizon wraps around (a 24/7 desk: the last interval is followed by the
            first, and a night shift may run from the end of the horizon into its start).  It
            must then span a whole number of days on the origin's clock.

    Returns:
        The :class:`Roster`.

    Raises:
        ConfigError: before any solving, for a requirement that is negative, fractional, not
            a number or above :data:`MAX_ROSTER_AGENTS` (path ``requirements[i]``, or
            ``requirements.intervals[i].scheduled_heads`` for a plan's), more than
            :data:`MAX_ROSTER_INTERVALS`
            intervals (path ``requirements``), a template that is malformed, lasts longer
            than the horizon, or takes the shift starts past :data:`MAX_ROSTER_STARTS` or
            the starts its windows hold together with the templates before it past
            :data:`MAX_ROSTER_WINDOW_STARTS` (path ``templates[k]``), no template with a start that fits (path ``templates[k]``, the
            first; a template without one is otherwise left unused), an interval that needs
            agents but that no template covers (named in the message, with the templates
            left unused and why), a wrapping horizon that is
            not a whole number of days (path ``wraps``), an interval that does not divide a day
            on a horizon past its first day, wrapping or with a window past midnight (path
            ``interval``), a horizon that runs into the year
            10000 or, with a plan, an origin other than its start (path ``origin``), costs that need more than 30 significant digits together,
            such as ``8`` and ``1e-320`` (path ``templates[k].cost``, the finest), or a
            roster whose cost overflows a float (path ``templates``).

    Examples:
        >>> from datetime import timedelta as td
        >>> day = ShiftTemplate("day", td(hours=8), td(0), td(hours=8))
        >>> roster = cover([2] * 8 + [3] * 8, [day], interval=td(hours=1))
        >>> [(r.start // td(hours=1), r.agents) for r in roster.rows]
        [(0, 2), (8, 3)]
        >>> roster.cost
        40.0
    """
    if isinstance(requirements, StaffingPlan):
        rows = requirements.intervals
        if not rows:
            raise ConfigError("the plan has no interval to cover")
        if len(rows) > MAX_ROSTER_INTERVALS:
            raise ConfigError(
                f"a roster covers at most {MAX_ROSTER_INTERVALS:,} intervals, got a plan of "
                f"{len(rows):,}: roster a shorter plan (a month at a time) or longer intervals",
                "requirements",
            )
        step = rows[0].duration
        for i in range(1, len(rows)):
            # Back to back as instants (one zone's times compare by wall clock in Python).
            if rows[i].duration != step or instant_us(rows[i].start, "start") != instant_us(
                rows[i - 1].end, "end"
            ):
                raise ConfigError(
                    "a plan to roster needs equal intervals back to back, got "
                    f"{show(rows[i - 1].start)}+{show(rows[i - 1].duration)} then "
                    f"{show(rows[i].start)}+{show(rows[i].duration)}",
                    f"requirements.intervals[{i}]",
                )
        if interval is not None and interval != step:
            raise ConfigError(f"'interval' {show(interval)} differs from the plan's {show(step)}")
        need = [r.scheduled_heads for r in rows]
        for i, r in enumerate(need):
            if r > MAX_ROSTER_AGENTS:
                raise ConfigError(
                    f"expected at most {MAX_ROSTER_AGENTS:,} scheduled heads to roster, got "
                    f"{r:,} (the shrinkage of {requirements.shrinkage!r} leaves "
                    f"{rows[i].agents:,} agents)",
                    f"requirements.intervals[{i}].scheduled_heads",
                )
        interval = step
        if origin is not None:
            require_aware(origin, "origin", ConfigError)
            # The same instant, in a zone of the caller's choosing (a plan of fixed offsets
            # rostered in the desk's zone): another instant would move every requirement.
            if instant_us(origin, "origin") != instant_us(rows[0].start, "start"):
                raise ConfigError(
                    f"'origin' {show(origin)} is not the plan's start {show(rows[0].start)}: "
                    "the plan's intervals would be rostered at other times; leave 'origin' "
                    "out, or give the same instant in the zone meant",
                    "origin",
                )
        origin = rows[0].start if origin is None else origin
    else:
        need = _requirements(requirements)
        interval = timedelta(minutes=30) if interval is None else interval
    step = _plain_duration(check_duration(interval, "interval", positive=True))
    if origin is not None:
        origin = _plain_instant(require_aware(origin, "origin", ConfigError))
    if not isinstance(wraps, bool):
        raise ConfigError(f"'wraps' must be True or False, got {show(wraps)}")
    given: object = templates  # the annotation is a promise callers may break
    tpls = (
        list(given)
        if isinstance(given, Iterable) and not isinstance(given, (str, bytes, Mapping))
        else None
    )
    if not tpls:
        raise ConfigError(
            f"'templates' must be a non-empty sequence of templates, got {show(templates)}"
        )
    horizon = len(need)
    if origin is not None:
        # Template windows are local times of day in the origin's zone: a horizon that
        # starts at 08:00 is eight hours into its day.
        since = origin - origin.replace(hour=0, minute=0, second=0, microsecond=0)
        if since % step:
            raise ConfigError(
                f"the horizon starts at {origin.time().isoformat()}, not on an interval of "
                f"{show(step)} from midnight: template windows could not be placed",
                "origin",
            )
    start = _MIDNIGHT if origin is None else origin
    if _DAY % step:
        # The next day's midnight falls between two intervals: its windows would have no
        # start on the grid, and a horizon past its first day, or a window into the next
        # morning, would silently lose every start after the first day's.
        first_day = _DAY - (start - start.replace(hour=0, minute=0, second=0, microsecond=0))
        late = next(
            (t for t in tpls if isinstance(t, ShiftTemplate) and (t.latest or t.earliest) >= _DAY),
            None,
        )
        if wraps or horizon * step > first_day or late is not None:
            why = (
                "wraps around"
                if wraps
                else f"starts in the window of {show(late.name)}, past midnight"
                if late is not None
                else f"runs past its first day ({horizon} x {show(step)})"
            )
            raise ConfigError(
                f"the interval {show(step)} does not divide a day, and the horizon {why}: "
                "the template windows of the days after the first fall between intervals. "
                "Use an interval that divides a day (15, 30 or 60 minutes)",
                "interval",
            )
    try:
        (start.astimezone(UTC) + horizon * step + 2 * _DAY).astimezone(start.tzinfo)
    except OverflowError:
        raise ConfigError(
            f"the horizon of {horizon} x {show(step)} from {start.isoformat()} must end a "
            "day or more before the year 10000",
            "origin" if origin is not None else "interval",
        ) from None
    if wraps and _local_days(start, horizon * step) is None:
        until = (
            f", from {origin.isoformat()} to {_after(origin, horizon * step).isoformat()}"
            if origin
            else ""
        )
        raise ConfigError(
            "a horizon that wraps must be a whole number of days (on its clock), got "
            f"{horizon} intervals of {show(step)}{until}",
            "wraps",
        )
    unused: list[ConfigError] = []
    options = _options(tpls, step, horizon, wraps, start, unused)
    covered = [n > 0 for n in _coverage(horizon, options, [1] * len(options))]
    for t, r in enumerate(need):
        if r > 0 and not covered[t]:
            when = _after(origin, t * step).isoformat() if origin else f"{t * step} after the start"
            idle = "".join(f"; {e.path}: {e.detail}" for e in unused)
            raise ConfigError(
                f"interval {t} (from {when}) needs {r} agents but no shift template covers "
                f"it{idle}",
                f"requirements[{t}]",
            )
    costs, scale = _int_costs(tpls)
    counts, floor = _solve(need, options, costs, wraps)
    on_shift, duty, groups = _place_breaks(need, options, counts, tpls, step)
    table = []
    for (i, placed), n in groups.items():
        o = options[i]
        tpl = tpls[o.template]
        begin = o.start * step
        breaks = tuple(
            (begin + s * step, begin + s * step + b.length)
            for s, b in zip(placed, tpl.breaks, strict=True)
        )
        table.append(RosterRow(tpl.name, begin, begin + tpl.length, breaks, n))
    table.sort(key=lambda r: (r.start, r.shift, r.breaks))
    intervals = tuple(
        IntervalCover(t * step, r, s, d, max(0, r - d))
        for t, (r, s, d) in enumerate(zip(need, on_shift, duty, strict=True))
    )
    total = sum(n * tpls[o.template].unit_cost for o, n in zip(options, counts, strict=True))
    exact = sum(n * costs[o.template] for o, n in zip(options, counts, strict=True))
    gap = float(Fraction(exact - floor) / scale)
    if not math.isfinite(total):
        raise ConfigError(
            f"the roster's cost exceeds the largest float ({sys.float_info.max:g}): use "
            "smaller shift costs (in other units)",
            "templates",
        )
    return Roster(tuple(table), intervals, total, step, origin, wraps, gap)
