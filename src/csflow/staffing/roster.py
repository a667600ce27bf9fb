"""Shifts that cover a plan: how many agents start each shift, at the least cost.

Theory of operation
-------------------
The horizon (a day, a week) is cut into ``T`` equal intervals; interval ``t`` needs ``r[t]``
agents.  A :class:`~csflow.staffing.shifts.ShiftTemplate` offers *options*: a start (every interval of its start
window, repeated every day of the horizon) and a fixed length.  Choosing ``x[o]`` agents for
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

**On a circle** (a 24/7 desk whose horizon wraps around midnight, or around the week) the same
arcs form a circle, and a circle flow only fixes the coverage up to a constant added to every
interval: the flow may wind backwards and leave every interval short.  Fixing just the *number*
of agents crossing one boundary does not repair it in general: with 7 intervals, shifts 3
intervals long and one agent needed everywhere, the linear program with exactly one agent
crossing midnight has a fractional optimum of 2.5 agents (half an agent on every other start),
while a roster needs 3.  csflow therefore cuts the circle at the
boundary where the fewest agents could cross (at night, where requirements are small),
enumerates how many agents take each of those crossing options, and solves the remaining line
exactly as above.  The enumeration is a depth-first search, bounded without losing exactness:

* no option takes more agents than the largest requirement it covers (one of them could be
  dropped, and costs are not negative);
* a branch stops when its cost so far, plus a lower bound of the line that remains with every
  undecided crossing option at its bound (more coverage never costs more), cannot beat the best
  roster found.  The bound comes from LP duality: prices ``u[t] >= 0`` per interval whose sum
  over any shift is at most its cost bound the cover of *every* requirement ``r`` by
  ``sum(r[t] u[t])``, whatever ``r`` is.  Each exact solve of a line yields its optimal prices
  (the potentials of the min-cost flow, from shortest paths in its residual graph), so the
  bounds sharpen as the search goes and most branches close without a solve.

A boundary that no option crosses needs no enumeration at all.  The search is exact but, in
the worst case, exponential in the number of crossing options: a 24/7 desk whose shifts may
start at every hour and whose every hour needs many agents has no quiet boundary to cut at
(a day of 24 hours needing up to 12 agents each, with 8-hour shifts free to start at any hour,
can take minutes).  Start windows as planners draw them (night shifts starting between 21:00
and 23:00, say) keep it to milliseconds: the week of the how-to, 168 hours, takes a fraction of
a second.  Intervals between two
consecutive shift starts or ends are covered by the same shifts, so the flow has one node per
such block rather than per interval.

**Breaks** are placed after the shifts are chosen, agent by agent (shifts in order of start):
each break goes where, within its window, the agents on duty exceed the requirement the most
(ties to the earliest start), and the agents on duty drop there.  This never changes the shifts
or their cost; the coverage it gives up is reported per interval (:attr:`IntervalCover.short`)
and in total (:attr:`Roster.shortfall`), so a planner can see it and add agents where it hurts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

import attrs
import networkx as nx

from csflow._text import show
from csflow._time import instant_us, require_aware
from csflow.errors import ConfigError
from csflow.staffing._checks import check_duration
from csflow.staffing.plan import StaffingPlan, _after
from csflow.staffing.shifts import ShiftTemplate

__all__ = ["IntervalCover", "Roster", "RosterRow", "cover"]

_DAY = timedelta(days=1)
_HOUR = timedelta(hours=1)


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
    """

    rows: tuple[RosterRow, ...]
    intervals: tuple[IntervalCover, ...]
    cost: float
    interval: timedelta
    origin: datetime | None = None
    wraps: bool = False

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
            instants are local times of *origin* when it was given, offsets otherwise.
        """

        def at(offset: timedelta) -> str:
            if self.origin is not None:
                return f"{_after(self.origin, offset):%a %H:%M}"
            days, rest = divmod(offset, _DAY)
            return f"+{days}d {rest // _HOUR:02d}:{rest % _HOUR // timedelta(minutes=1):02d}"

        width = max([5, *(len(r.shift) for r in self.rows)])
        lines = [f"{'shift':<{width}}  {'start':>12}  {'end':>12}  {'agents':>6}  breaks"]
        for r in self.rows:
            breaks = ", ".join(f"{at(b)}-{at(e)}" for b, e in r.breaks) or "-"
            lines.append(
                f"{r.shift:<{width}}  {at(r.start):>12}  {at(r.end):>12}  {r.agents:>6}  {breaks}"
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
        if isinstance(r, bool) or not isinstance(r, (int, float)):
            raise ConfigError(
                f"expected a whole number of agents, got {show(r)}", f"requirements[{i}]"
            )
        if isinstance(r, float) and not r.is_integer():
            raise ConfigError(
                f"expected a whole number of agents, got the fraction {show(r)}",
                f"requirements[{i}]",
            )
        if r < 0:
            raise ConfigError(
                f"expected a number of agents >= 0, got {show(r)}", f"requirements[{i}]"
            )
        out.append(int(r))
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


@attrs.frozen
class _Option:
    """One way to work a template: start interval and length in intervals."""

    template: int
    start: int
    length: int


def _options(
    templates: Sequence[ShiftTemplate],
    interval: timedelta,
    horizon: int,
    wraps: bool,
    lead: int = 0,
) -> list[_Option]:
    """Every start of every template within the horizon.  *lead*: how many intervals the
    horizon starts after its day's midnight (a template's window counts from midnight)."""
    names: set[str] = set()
    per_day = _DAY / interval
    out: list[_Option] = []
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
        # The window repeats every day; a horizon shorter than a day sees it once (or twice,
        # when it starts after midnight and runs into the next day).
        days = max(1, math.ceil((horizon + lead) / per_day)) if per_day.is_integer() else 1
        starts: set[int] = set()
        for d in range(days):
            for s in range(first, last + 1):
                at = (s + d * int(per_day) if per_day.is_integer() else s) - lead
                if wraps:
                    starts.add(at % horizon)
                elif at >= 0 and at + length <= horizon:
                    starts.add(at)
        if not starts:
            raise ConfigError(
                f"template {show(tpl.name)} has no start in its window from which a "
                f"{show(tpl.length)} shift fits in the horizon of {horizon} x {show(interval)}",
                path,
            )
        out.extend(_Option(k, s, length) for s in sorted(starts))
    return out


def _int_costs(templates: Sequence[ShiftTemplate]) -> list[int]:
    """Costs scaled to integers (the network simplex is exact on integers only)."""
    exact = [Fraction(repr(t.unit_cost)) for t in templates]
    scale = math.lcm(1, *(f.denominator for f in exact))
    return [int(f * scale) for f in exact]


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
        for (a, b), (c, _) in self.arcs.items():
            for k in range(a, b):
                self.covered[k] = True
                self.rate[k] = min(self.rate[k], c / (b - a))

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
        dist = [0] * (len(blocks) + 1)
        changed = True
        while changed:
            changed = False
            for u, v, w in residual:
                if dist[u] + w < dist[v]:
                    dist[v] = dist[u] + w
                    changed = True
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


def _solve(need: list[int], options: list[_Option], costs: list[int], wraps: bool) -> list[int]:
    """Agents per option of a least-cost cover (see the module notes)."""
    horizon = len(need)
    counts = [0] * len(options)
    if not wraps:
        arcs = _line_arcs(options, costs, range(len(options)))
        found = _Line(horizon, arcs).solve(need)
        assert found is not None  # every needed interval was checked to be covered
        for span, n in found[1].items():
            counts[arcs[span][1]] += n
        return counts

    def crossing(i: int, b: int) -> bool:
        o = options[i]
        return 1 <= (b - o.start) % horizon <= o.length - 1

    def bound(i: int) -> int:
        o = options[i]
        return max(need[(o.start + j) % horizon] for j in range(o.length))

    # Cut where the fewest agents could cross (the search's size), then the fewest options.
    def size(b: int) -> tuple[int, int]:
        cross = [i for i in range(len(options)) if crossing(i, b)]
        return (math.prod(bound(i) + 1 for i in cross), len(cross))

    cut = min(range(horizon), key=size)
    rot = need[cut:] + need[:cut]
    cross = [i for i in range(len(options)) if crossing(i, cut) and bound(i) > 0]
    rest = [i for i in range(len(options)) if not crossing(i, cut)]
    arcs = _line_arcs(
        [_Option(o.template, (o.start - cut) % horizon, o.length) for o in options], costs, rest
    )
    line = _Line(horizon, arcs)
    Found = tuple[int, dict[tuple[int, int], int], list[float]] | None
    memo: dict[tuple[int, ...], Found] = {}

    def missing(extra: Sequence[int]) -> list[int]:
        return [max(0, r - x) for r, x in zip(rot, extra, strict=True)]

    def remainder(extra: Sequence[int]) -> Found:
        left = tuple(line.need_of(missing(extra)))
        if left not in memo:
            memo[left] = line.solve(missing(extra))
        return memo[left]

    def cover_of(picks: Sequence[tuple[int, int]]) -> list[int]:
        extra = [0] * horizon
        for i, n in picks:
            o = options[i]
            for j in range(o.length):
                extra[(o.start - cut + j) % horizon] += n
        return extra

    # Lower bounds of a remainder from LP duality: any prices u >= 0 with sum(u over an arc)
    # <= its cost bound every remainder by sum(missing * u).  The first prices need no
    # solving; every exact solve adds its optimal ones.
    prices = [line.rate]

    best: list[Any] = [math.inf, None, None]

    def search(depth: int, picks: list[tuple[int, int]], spent: int) -> None:
        # Every undecided crossing option at its bound: more coverage never costs more.
        full = cover_of(picks + [(i, bound(i)) for i in cross[depth:]])
        if spent + line.bound(missing(full), prices) >= best[0]:
            return
        if depth == len(cross) or depth % 2 == 0:
            found = remainder(full)
            if found is None or spent + found[0] >= best[0]:
                return
            if found[2] not in prices:
                prices.append(found[2])
            if depth == len(cross):
                best[:] = [spent + found[0], list(picks), found[1]]
                return
        i = cross[depth]
        c = costs[options[i].template]
        for n in range(bound(i) + 1):
            search(depth + 1, [*picks, (i, n)] if n else picks, spent + n * c)

    search(0, [], 0)
    assert best[1] is not None  # every needed interval was checked to be covered
    for i, n in best[1]:
        counts[i] += n
    for span, n in best[2].items():
        counts[arcs[span][1]] += n
    return counts


# --------------------------------------------------------------------------------------------
# breaks and the table


def _place_breaks(
    need: list[int],
    options: list[_Option],
    counts: list[int],
    templates: Sequence[ShiftTemplate],
    interval: timedelta,
) -> tuple[list[int], list[int], dict[tuple[int, tuple[int, ...]], int]]:
    horizon = len(need)
    on_shift = [0] * horizon
    for o, n in zip(options, counts, strict=True):
        for j in range(o.length):
            on_shift[(o.start + j) % horizon] += n
    duty = list(on_shift)
    groups: dict[tuple[int, tuple[int, ...]], int] = {}
    order = sorted(
        range(len(options)), key=lambda i: (options[i].start, templates[options[i].template].name)
    )
    for i in order:
        o = options[i]
        rules = templates[o.template].breaks
        for _ in range(counts[i]):
            placed: list[int] = []
            for b in rules:
                length = b.length // interval
                lo, hi = b.earliest // interval, b.last // interval

                def surplus(s: int, first: int = o.start, length: int = length) -> int:
                    return sum(
                        duty[(first + s + j) % horizon] - need[(first + s + j) % horizon]
                        for j in range(length)
                    )

                # Largest surplus first, then the earliest start; a start the shift's other
                # breaks already use is skipped when another is free.
                candidates = [s for s in range(lo, hi + 1) if s not in placed] or [lo]
                s = max(candidates, key=lambda s: (surplus(s), -s))
                placed.append(s)
                for j in range(length):
                    duty[(o.start + s + j) % horizon] -= 1
            key = (i, tuple(placed))
            groups[key] = groups.get(key, 0) + 1
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

    The shifts are optimal, not approximately: an exact min-cost flow (see the module notes).
    Breaks are then placed where they cost the least coverage; what they give up is reported,
    not hidden.

    Args:
        requirements: Agents needed per interval, whole numbers ``>= 0``, in time order; or a
            :class:`~csflow.staffing.plan.StaffingPlan`, whose scheduled heads are the
            requirements and whose intervals (equal and back to back) give *interval* and
            *origin*.
        templates: The shifts agents can work (names unique).
        interval: The length of one interval (30 minutes by default; taken from a plan).
        origin: The horizon's start (aware), for the instants of :meth:`Roster.to_dict`;
            templates' windows count from its day's midnight (a horizon from 08:00 is eight
            hours into the day), so it must fall on an interval boundary from midnight.
            Without it, the horizon starts at midnight.
        wraps: The horizon wraps around (a 24/7 desk: the last interval is followed by the
            first, and a night shift may run from the end of the horizon into its start).

    Returns:
        The :class:`Roster`.

    Raises:
        ConfigError: before any solving, for a requirement that is negative, fractional or not
            a number (path ``requirements[i]``), a template that is malformed, lasts longer
            than the horizon or has no start that fits (path ``templates[k]``), or an interval
            that needs agents but that no template covers (named in the message).

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
        interval = step
        origin = rows[0].start if origin is None else origin
    else:
        need = _requirements(requirements)
        interval = timedelta(minutes=30) if interval is None else interval
    step = check_duration(interval, "interval", positive=True)
    if origin is not None:
        require_aware(origin, "origin", ConfigError)
    if not isinstance(wraps, bool):
        raise ConfigError(f"'wraps' must be True or False, got {show(wraps)}")
    given: object = templates  # the annotation is a promise callers may break
    tpls = list(templates) if not isinstance(given, (str, bytes)) else None
    if not tpls:
        raise ConfigError(
            f"'templates' must be a non-empty sequence of templates, got {show(templates)}"
        )
    horizon = len(need)
    lead = 0
    if origin is not None:
        # Template windows are offsets from the start of the horizon's day: a horizon that
        # starts at 08:00 is eight hours into it.
        since = origin - origin.replace(hour=0, minute=0, second=0, microsecond=0)
        if since % step:
            raise ConfigError(
                f"the horizon starts at {origin.time().isoformat()}, not on an interval of "
                f"{show(step)} from midnight: template windows could not be placed",
                "origin",
            )
        lead = since // step
    options = _options(tpls, step, horizon, wraps, lead)
    covered = [False] * horizon
    for o in options:
        for j in range(o.length):
            covered[(o.start + j) % horizon] = True
    for t, r in enumerate(need):
        if r > 0 and not covered[t]:
            when = _after(origin, t * step).isoformat() if origin else f"{t * step} after the start"
            raise ConfigError(
                f"interval {t} (from {when}) needs {r} agents but no shift template covers it",
                f"requirements[{t}]",
            )
    costs = _int_costs(tpls)
    counts = _solve(need, options, costs, wraps)
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
    return Roster(tuple(table), intervals, total, step, origin, wraps)
