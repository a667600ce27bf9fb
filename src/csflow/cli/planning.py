"""``csflow staff --verify`` and ``--roster``: a day plan checked by the real desk, and the
cheapest shifts that cover it.

* ``--verify`` simulates each interval of the plan on the config file's desk and simulation
  (:func:`csflow.staffing.verify.verify_plan`) on a local process pool of ``--jobs``
  processes, and moves each interval's agents until the simulated targets hold.  The
  simulation section is the template: its mixes, handle times, patience and its one agent
  group; what the plan decides (start, duration, rates, head count, shifts) is taken out.
* ``--roster`` covers the plan's heads (the verified agents after shrinkage, when both are
  asked for) with the shift templates of ``staffing.shifts``
  (:func:`csflow.staffing.roster.cover`).  Template starts are times of day: a plan that
  starts after midnight is rostered from its day's midnight, the hours before it needing no
  one, so ``"06:00"`` means 06:00.

Everything is checked before the first simulation: the templates against the plan's horizon
(a quick roster of the intervals that need anyone), the simulation template, traffic its one
agent group cannot take (what ``simulate`` refuses, :func:`csflow.cli.commands.check_scenario`,
with the group staffed whatever its count), the seeds.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import math
import os
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any, Final
from zoneinfo import ZoneInfo

from csflow.cli.documents import MAX_RUNS, Document
from csflow.cli.forecast import format_duration, labels
from csflow.cli.output import Table, percent
from csflow.errors import ConfigError
from csflow.staffing import StaffingPlan
from csflow.staffing.roster import MAX_ROSTER_INTERVALS, Roster, RosterRow, cover
from csflow.staffing.shifts import ShiftTemplate, templates_from_dict
from csflow.staffing.verify import VerifiedPlan, verify_plan
from csflow.staffing.verify import _check_floors as check_floors

__all__ = [
    "DEFAULT_SEEDS",
    "check_roster",
    "check_verify",
    "check_verify_runs",
    "roster_tables",
    "run_roster",
    "run_verify",
    "simulation_template",
    "verified_tables",
]

_SHIFTS = "staffing.shifts"
#: The seeds of ``--verify`` when neither ``--seeds`` nor ``staffing.verify.seeds`` gives any.
DEFAULT_SEEDS: Final = (1, 2, 3)
# What verify_plan sets per interval: left out of the template it gets.
_PER_INTERVAL = ("start", "duration", "warmup", "max_customers", "service_target", "peak")


def _when(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M}"


def _after(origin: datetime, offset: timedelta) -> datetime:
    """*offset* of real time after *origin*, on *origin*'s clock (across a DST change the
    wall-clock sum is an hour off)."""
    return (origin.astimezone(UTC) + offset).astimezone(origin.tzinfo)


def _padded(plan: StaffingPlan) -> tuple[int, datetime, timedelta]:
    """Intervals from the first interval's local midnight to its start, that midnight, and the
    interval length; the plan's intervals must be equal and back to back (the last may be
    shorter: a plan from a simulation whose horizon ends inside an interval, rostered as a
    whole interval).  The padding is counted in real time, as :func:`cover` reads offsets
    from its origin: 08:00 is seven hours after midnight on the day the clocks spring
    forward, nine on the day they fall back."""
    rows = plan.intervals
    if not rows:
        raise ConfigError("the plan has no interval to roster", "staffing.forecast")
    step = rows[0].duration
    for i in range(1, len(rows)):
        last_short = i == len(rows) - 1 and rows[i].duration < step
        # Back to back as instants: two times of one zone compare by wall clock in Python.
        follows = rows[i].start.astimezone(UTC) == rows[i - 1].end.astimezone(UTC)
        if (rows[i].duration != step and not last_short) or not follows:
            raise ConfigError(
                "a plan to roster needs equal intervals back to back; the row starting "
                f"{rows[i].start.isoformat()} does not follow the one before",
                "staffing.forecast",
            )
    first = rows[0].start
    if not isinstance(first.tzinfo, ZoneInfo):
        # Fixed offsets (what `csflow forecast` writes): shift windows are read on the first
        # row's clock, which is an hour off the local one after a clock change.
        for r in rows:
            if r.start.utcoffset() != first.utcoffset():
                raise ConfigError(
                    f"the plan's rows change UTC offset, from {first.isoformat()} to "
                    f"{r.start.isoformat()} (the clocks change), but carry no time zone: "
                    "shift windows would be read an hour off the local clock; give the zone "
                    "the forecast was made in, --timezone or staffing.timezone (such as "
                    "America/New_York)",
                    "staffing.timezone",
                )
    midnight = first.replace(hour=0, minute=0, second=0, microsecond=0)
    before = first.astimezone(UTC) - midnight.astimezone(UTC)
    if before % step:
        return 0, first, step
    return before // step, midnight, step


def _cover(
    need: Sequence[int],
    plan: StaffingPlan,
    templates: Sequence[ShiftTemplate],
    wraps: bool,
    start_path: str = "simulation.start",
) -> tuple[Roster, int]:
    """... *start_path* names where the plan's first row comes from (the config's
    simulation.start, or staffing.forecast / --forecast for a forecast file)."""
    pad, origin, step = _padded(plan)
    need = [0] * pad + list(need)
    if len(need) > MAX_ROSTER_INTERVALS:
        got = (
            f"{len(need):,}: the plan's {len(need) - pad:,} and the {pad:,} before it from its "
            "first day's midnight"
            if pad
            else f"a plan of {len(need):,}"
        )
        raise ConfigError(
            f"a roster covers at most {MAX_ROSTER_INTERVALS:,} intervals "
            f"({format_duration(MAX_ROSTER_INTERVALS * step)} of {format_duration(step)}), got "
            f"{got}; roster a shorter plan (a month at a time) or longer intervals",
            "staffing.forecast",
        )
    try:
        roster = cover(need, templates, interval=step, origin=origin, wraps=wraps)
    except ConfigError as exc:
        path = exc.path
        if path.startswith("templates"):
            path = _SHIFTS + path[len("templates") :]
        elif path.startswith("requirements"):
            path = _SHIFTS
        elif path == "origin":
            # The horizon's start is the plan's first row: the simulation's start, or the
            # forecast's first row.
            path = start_path
        elif path == "wraps":
            path = "staffing.wraps"
        # Templates left unused, named in an uncovered interval's message, as the file does.
        detail = exc.detail.replace("; templates[", f"; {_SHIFTS}[")
        raise ConfigError(_readable(detail, origin, step), path or _SHIFTS) from None
    return roster, pad


_TIMEDELTA = re.compile(r"datetime\.timedelta\(([^()]*)\)")
_HORIZON = re.compile(r"the horizon of (\d+) x (\S+)")
_INTERVAL = re.compile(r"\binterval \d+ \(from ")


def _readable(detail: str, origin: datetime, step: timedelta) -> str:
    """A roster message as a planner reads it: durations as the config writes them (``4h``,
    not ``datetime.timedelta(seconds=14400)``), the horizon as a span from the rostered
    midnight (not a count of intervals that includes the hours before the plan)."""

    def duration(m: re.Match[str]) -> str:
        parts = {}
        for item in m[1].split(","):
            key, sep, value = item.partition("=")
            if not sep:
                return m[0]
            try:
                parts[key.strip()] = int(value)
            except ValueError:
                return m[0]
        try:
            return format_duration(timedelta(**parts))
        except TypeError:
            return m[0]

    text = _TIMEDELTA.sub(duration, detail)
    text = _HORIZON.sub(
        lambda m: (
            f"the horizon of {format_duration(int(m[1]) * step)} from {_when(origin)} "
            f"to {_when(_after(origin, int(m[1]) * step))}"
        ),
        text,
    )
    return _INTERVAL.sub("the interval (from ", text)


def _templates(st: Mapping[str, Any]) -> tuple[ShiftTemplate, ...]:
    if "shifts" not in st:
        raise ConfigError(
            "--roster needs shift templates: a list of {name, length, earliest, latest, cost, "
            "breaks} in the config file",
            _SHIFTS,
        )
    return templates_from_dict(st["shifts"], _SHIFTS)


def check_roster(plan: StaffingPlan, st: Mapping[str, Any]) -> None:
    """The templates fit the plan's horizon and cover every interval that needs anyone
    (a quick roster of one agent per such interval), before anything long runs.

    Raises:
        ConfigError: the templates are missing or malformed, or cannot cover the plan.
    """
    need = [1 if r.scheduled_heads > 0 or r.arrivals > 0 else 0 for r in plan.intervals]
    _cover(need, plan, _templates(st), bool(st.get("wraps", False)))


def run_roster(
    plan: StaffingPlan, st: Mapping[str, Any], verified: VerifiedPlan | None
) -> tuple[Roster, int]:
    """The least-cost roster of the plan's heads (of the verified agents after the plan's
    shrinkage, when given); also the number of padding intervals before the plan."""
    if verified is None:
        need = [r.scheduled_heads for r in plan.intervals]
    else:
        # As staffing_plan does: the shrinkage as the decimal written, so 9 agents at 10 %
        # schedule 10 heads.
        available = 1 - Fraction(repr(plan.shrinkage))
        need = [math.ceil(Fraction(i.agents) / available) for i in verified.intervals]
    return _cover(need, plan, _templates(st), bool(st.get("wraps", False)))


def roster_tables(roster: Roster, pad: int, fmt: str = "table") -> list[Table]:
    """The roster, its coverage of the plan's intervals and its totals, as tables, for the
    output format *fmt*.

    A row's ``breaks`` are a list in ``json``, each ``{"start": ..., "end": ...}`` written
    as the row's ``start`` and ``end`` are (with the date, and the offset where the plan's
    offsets differ); the other formats join them as ``07:30-08:00, 12:00-12:30`` (empty for
    none)."""
    origin = roster.origin
    assert origin is not None

    def local(offset: timedelta) -> datetime:
        # Offsets are real time (a DST day has 23 or 25 hours); shown on the origin's clock.
        return _after(origin, offset)

    # Labelled as the plan's rows are: with the offset when the offsets differ (a day the
    # clocks fall back shows 01:00 twice, at -0400 and at -0500).
    label = labels(
        [local(t) for r in roster.rows for t in (r.start, r.end)]
        + [local(i.start) for i in roster.intervals[pad:]]
    )

    def at(offset: timedelta) -> str:
        return label(local(offset))

    def breaks(row: RosterRow) -> list[dict[str, str]] | str:
        if fmt == "json":
            return [{"start": at(b), "end": at(e)} for b, e in row.breaks]
        return ", ".join(f"{local(b):%H:%M}-{local(e):%H:%M}" for b, e in row.breaks)

    rows = tuple((r.shift, at(r.start), at(r.end), breaks(r), r.agents) for r in roster.rows)
    coverage = tuple(
        (at(i.start), i.required, i.scheduled, i.on_duty, i.short) for i in roster.intervals[pad:]
    )
    title = "Roster (the least-cost shifts" + (", wrapping around" if roster.wraps else "") + ")"
    return [
        Table("roster", title, ("shift", "start", "end", "breaks", "agents"), rows),
        Table(
            "coverage",
            "Coverage per interval (on duty = on shift and not on a break)",
            ("from", "required", "scheduled", "on_duty", "short"),
            coverage,
        ),
        Table(
            "roster_totals",
            "Roster totals",
            ("agents", "cost", "shortfall", "gap"),
            ((roster.agents, roster.cost, roster.shortfall, roster.gap),),
        ),
    ]


def simulation_template(doc: Document | None) -> dict[str, Any]:
    """The config file's simulation without what the plan sets per interval.

    Raises:
        ConfigError: no config file or no simulation, or more than one agent group.
    """
    if doc is None or "simulation" not in doc.data:
        raise ConfigError(
            "--verify needs a config file with a simulation (its traffic mixes, handle times, "
            "patience and agent group) and a desk",
            "simulation",
        )
    sim = {k: v for k, v in doc.data["simulation"].items() if k not in _PER_INTERVAL}
    arrivals = sim.get("arrivals")
    if isinstance(arrivals, Mapping):
        sim["arrivals"] = {k: v for k, v in arrivals.items() if k != "rates"}
    groups = sim.get("agents")
    if not isinstance(groups, list) or len(groups) != 1:
        count = len(groups) if isinstance(groups, list) else 0
        raise ConfigError(
            f"--verify needs exactly one agent group (the plan sets its head count), got {count}",
            "simulation.agents",
        )
    sim["agents"] = [
        {k: v for k, v in groups[0].items() if k not in ("count", "shifts", "break_waves")}
    ]
    return sim


def check_verify(doc: Document | None, st: Mapping[str, Any]) -> None:
    """What ``--verify`` refuses before its first simulation, found without running it: the
    simulation template (:func:`simulation_template`), and a floor of ``staffing.verify``
    that no run could measure -- a tier the desk does not have, a tier or channel the
    simulated traffic never brings, any floor on a desk without SLA policies.

    Raises:
        ConfigError: The first such problem, at its path in the document
            (``staffing.verify.tiers.gold``).
    """
    simulation_template(doc)
    assert doc is not None
    options = st.get("verify", {})
    floors = [
        (kind, name, floor)
        for kind in ("tier", "channel")
        for name, floor in dict(options.get(f"{kind}s") or {}).items()
    ]
    if not floors:
        return
    desk, sim = doc.configs()
    assert sim is not None  # simulation_template: the document has a simulation
    for kind, name, floor in floors:
        try:
            # verify_plan's own check, on the template's traffic (its mixes are the
            # simulation's), one floor at a time so that the error names it.
            check_floors({(kind, name): floor}, desk, sim)
        except ConfigError as exc:
            raise ConfigError(exc.detail, f"staffing.verify.{kind}s.{name}") from None


def check_verify_runs(plan: StaffingPlan, seeds: int, where: str) -> None:
    """``--verify`` within :data:`~csflow.cli.documents.MAX_RUNS`: each round of its search
    runs every interval that expects arrivals once per seed (a quiet interval needs nobody and
    runs nothing), so that many runs is the least a verification makes, and past the bound it
    is refused before the first one.

    Raises:
        ConfigError: *seeds* seeds, or the seeds times the busy intervals, past the bound (at
            *where*).
    """
    if seeds > MAX_RUNS:
        raise ConfigError(f"expected at most {MAX_RUNS:,} seeds (MAX_RUNS), got {seeds:,}", where)
    busy = sum(1 for r in plan.intervals if r.arrivals != 0)
    if busy * seeds > MAX_RUNS:
        raise ConfigError(
            f"--verify runs each of the plan's {busy:,} intervals with arrivals once per seed "
            f"in every round of its search: {busy:,} intervals x {seeds:,} seeds would be "
            f"{busy * seeds:,} runs a round; expected at most {MAX_RUNS:,} (MAX_RUNS); "
            "give fewer seeds or verify a shorter plan",
            where,
        )


def run_verify(
    args: argparse.Namespace,
    plan: StaffingPlan,
    doc: Document | None,
    st: Mapping[str, Any],
) -> VerifiedPlan:
    """Verify *plan* on the config file's desk, on a local pool of ``--jobs`` processes
    (default: one per CPU), at most one per run of the search's busiest round (each of the
    plan's intervals with arrivals, once per seed)."""
    template = simulation_template(doc)
    assert doc is not None
    options = dict(st.get("verify", {}))
    seeds = args.seeds if args.seeds else options.get("seeds", DEFAULT_SEEDS)
    span = args.span if args.span is not None else options.get("span")
    warmup = options.get("warmup")
    start = [max(1, r.agents) for r in plan.intervals]
    jobs = args.jobs
    if jobs is not None and jobs < 1:
        raise ConfigError(f"expected a number of processes >= 1, got {jobs!r}", "--jobs")
    # As `simulate` does: a pool of one process per CPU (or --jobs), and at most one per run
    # of the busiest round -- the first, each interval with arrivals once per seed -- since a
    # process pool that forks starts all its processes at the first run it is given.
    most = max(1, sum(1 for r in plan.intervals if r.arrivals != 0) * len(seeds))
    workers = min(jobs if jobs is not None else os.cpu_count() or 1, most)
    kwargs: dict[str, Any] = {
        "agents": start,
        "seeds": tuple(seeds),
        "abandonment": options.get("abandonment"),
        "tiers": options.get("tiers"),
        "channels": options.get("channels"),
        "warmup": None if warmup is None else timedelta(seconds=warmup),
        "span": None if span is None else timedelta(seconds=span),
        "max_steps": options.get("max_steps", 30),
    }
    desk = doc.data.get("desk", {})
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
        return verify_plan(plan, desk, template, executor=pool, **kwargs)


def verified_tables(verified: VerifiedPlan, fmt: str = "table") -> list[Table]:
    """Erlang against the desk per interval, and the agent-hours of both, as tables, for the
    output format *fmt*.

    ``met`` says whether the interval's agents met the targets, ``unreachable`` whether no
    number of agents can (the agents are then where the search stopped, short of them);
    these and ``converged`` are ``true`` or ``false`` in ``json``, ``yes`` or ``no`` in
    ``table`` and ``csv``.  ``verified_totals.seeds`` is a list of numbers in ``json`` and
    the text ``1,2`` in the other formats.
    With one seed there is no interval: ``sl_low`` and ``sl_high`` are ``n/a`` in ``table``,
    and missing -- ``null`` in ``json``, an empty cell in ``csv`` -- in the data formats, whose
    column holds numbers in every other row."""
    one_seed = len(verified.seeds) < 2
    missing = "n/a" if fmt == "table" else None
    label = labels([i.start for i in verified.intervals])
    rows = tuple(
        (
            label(i.start),
            i.erlang_agents,
            i.agents,
            i.difference,
            i.service_level.mean,
            # One seed gives no interval: n/a, not a zero-width one.
            i.service_level.low if one_seed is False else missing,
            i.service_level.high if one_seed is False else missing,
            i.erlang_service_level.mean,
            i.abandonment.mean,
            # Booleans: true or false in json, yes or no in table and csv (render's rule).
            i.converged,
            i.met,
            i.unreachable,
        )
        for i in verified.intervals
    )
    cols = (
        "from",
        "erlang_agents",
        "agents",
        "difference",
        "service_level",
        "sl_low",
        "sl_high",
        "erlang_service_level",
        "abandonment",
        "converged",
        "met",
        "unreachable",
    )
    seeds = ",".join(str(s) for s in verified.seeds)
    # json: the seeds as a list of numbers; table and csv: the text the title shows.
    seed_cell: list[int] | str = list(verified.seeds) if fmt == "json" else seeds
    title = (
        f"Verified on the desk ({percent(verified.level)} within {format_duration(verified.target)}; "
        f"seeds {seeds}; "
        "service level with the desk's agents, 95% interval, and with Erlang's)"
    )
    if verified.unreachable:
        title += (
            f"; {len(verified.unreachable)} unreachable: no number of agents meets the "
            "targets there (agents: where the search stopped, short of them)"
        )
    totals = Table(
        "verified_totals",
        "Verified totals",
        ("erlang_agent_hours", "agent_hours", "seeds"),
        ((round(verified.erlang_agent_hours, 1), round(verified.agent_hours, 1), seed_cell),),
    )
    return [Table("verified", title, cols, rows), totals]
