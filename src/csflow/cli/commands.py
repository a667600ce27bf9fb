"""The commands ``simulate``, ``staff``, ``lint`` and ``schema``: each checks every input, then
works, then returns its output as text in the format asked for."""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
from collections.abc import Mapping
from datetime import timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any, Final

import attrs

from csflow._text import show
from csflow.cli import planning
from csflow.cli.documents import (
    MAX_RUNS,
    Document,
    check_distinct_seeds,
    check_distinct_values,
    check_run_count,
    check_sweep_parameter,
    check_sweep_target,
    desk_config,
    load_document,
    set_path,
    sweep_value,
)
from csflow.cli.durations import EXPECTED, parse_human_duration
from csflow.cli.forecast import (
    format_duration,
    labels,
    profile_forecast,
    read_forecast,
    staffing_value,
)
from csflow.cli.output import Table, percent, render
from csflow.cli.pictures import check_matplotlib, check_report_name, plot_format
from csflow.cli.plain import plain_values
from csflow.cli.runs import (
    WriteError,
    check_output_path,
    finish_pictures,
    run_tables,
    simulate_runs,
)
from csflow.cli.schema import schema
from csflow.desk import DeskConfig
from csflow.errors import ConfigError
from csflow.events import event_schema
from csflow.lint import Finding
from csflow.model import AgentProfile
from csflow.sim import PEAK_DAYS, SimConfig
from csflow.staffing import (
    MAX_AGENTS,
    MAX_LOAD,
    ForecastInterval,
    StaffingPlan,
    agents_for_asa,
    agents_for_service_level,
    agents_for_service_level_a,
    average_speed_of_answer,
    erlang_a,
    erlang_c,
    occupancy,
    service_level,
    staffing_plan,
)
from csflow.staffing._checks import check_load
from csflow.staffing.erlang import _check_max_occupancy, _occupancy_floor

__all__ = ["lint", "print_schema", "simulate", "staff"]


def check_pictures(args: argparse.Namespace) -> None:
    """``--plot`` and ``--report``: matplotlib present, paths writable (before any run)."""
    for option, path in (("--plot", args.plot), ("--report", args.report)):
        if path:
            if option == "--plot":
                plot_format(path)
            else:
                check_report_name(path)
            check_matplotlib(option)
            check_output_path(path, option)


def _parse_sweep(text: str) -> tuple[str, list[Any]]:
    """``PARAM=V1,V2,...``: each value as JSON (``20`` a number, ``"6m"`` a string), else as
    text; a peak day's name (``simulation.peak=11.11,12.12``) stays the name."""
    param, sep, values = text.partition("=")
    if not sep or not param or not values:
        raise ConfigError(
            f"expected PARAMETER=V1,V2,... such as simulation.agents[0].count=20,25, got {text!r}",
            "--sweep",
        )
    try:
        check_sweep_parameter(param, "--sweep")
    except ConfigError as exc:  # a malformed path, named where it was given
        raise ConfigError(exc.detail, "--sweep") from None
    peak = param.rsplit(".", 1)[-1] == "peak"
    out: list[Any] = []
    for v in values.split(","):
        if peak and v.strip() in PEAK_DAYS:
            out.append(v.strip())
            continue
        try:
            out.append(json.loads(v))
        except ValueError:
            out.append(v)
    check_distinct_values(param, out, "--sweep")
    return param, out


def _swept_path(exc: ConfigError, param: str) -> str:
    """The error's path, or the swept parameter when the error is about it but names only
    what holds it (``simulation.agents[0]: 'count' must be ...``)."""
    name = param.rsplit(".", 1)[-1]
    if param.startswith(exc.path + ".") and f"'{name}'" in exc.detail:
        return param
    return exc.path


def _counts(args: argparse.Namespace) -> None:
    """``--replications``, ``--seeds`` and ``--jobs`` make sense together."""
    if args.replications is not None and not 1 <= args.replications <= MAX_RUNS:
        raise ConfigError(
            f"expected a number of runs from 1 to {MAX_RUNS:,} (MAX_RUNS), got {args.replications}",
            "--replications",
        )
    if args.seeds and len(args.seeds) > MAX_RUNS:
        raise ConfigError(
            f"expected at most {MAX_RUNS:,} seeds (MAX_RUNS), got {len(args.seeds):,}", "--seeds"
        )
    if args.seeds and args.replications is not None:
        raise ConfigError(
            "give --seeds (these seeds) or --replications (this many seeds from --seed), not both",
            "--replications",
        )
    if args.seeds:
        check_distinct_seeds(args.seeds, "--seeds")
    if args.jobs is not None and args.jobs < 1:
        raise ConfigError(f"expected a number of processes >= 1, got {args.jobs}", "--jobs")


def simulate(args: argparse.Namespace) -> str:
    """``csflow simulate CONFIG``."""
    doc = load_document(args.config)
    if "simulation" not in doc.data:
        raise ConfigError("the config has no simulation to run", "simulation")
    _counts(args)
    check_pictures(args)
    base_seed = args.seed if args.seed is not None else int(doc.data.get("seed", 0))
    reps = (
        args.replications if args.replications is not None else int(doc.data.get("replications", 1))
    )
    seeds = args.seeds if args.seeds else [base_seed + k for k in range(reps)]
    sweep: tuple[str, list[Any]] | None = None
    if args.sweep:
        sweep = _parse_sweep(args.sweep)
    elif "sweep" in doc.data:
        sweep = (doc.data["sweep"]["parameter"], list(doc.data["sweep"]["values"]))
    if sweep is not None:
        check_run_count(len(sweep[1]), len(seeds), "--sweep" if args.sweep else "sweep.values")
    if args.sweep and sweep is not None:
        try:
            check_sweep_target(doc.data, sweep[0])
        except ConfigError as exc:  # the path came from the command line, not the file
            raise ConfigError(exc.detail, "--sweep") from None
    desk, sim = doc.configs()
    assert sim is not None
    check_scenario(doc.data, sim)
    runs = []
    # The configuration a single run's per-interval table and pictures describe: the swept
    # variant's (its interval, its horizon) when one value is swept.
    shown = sim
    if sweep is None:
        runs = [(f"seed {s}", doc.scenario(s)) for s in seeds]
    else:
        param, values = sweep
        for v in values:
            variant = set_path(doc.data, param, sweep_value(v))
            label = f"{param}={v}"
            try:
                _, variant_sim = Document(doc.path, variant, doc.text).configs()
                assert variant_sim is not None
                check_scenario(variant, variant_sim)
            except ConfigError as exc:
                raise ConfigError(f"with {label}: {exc.detail}", _swept_path(exc, param)) from None
            runs.extend((label, doc.scenario(s, variant)) for s in seeds)
            shown = variant_sim
    jobs = args.jobs if args.jobs is not None else min(len(runs), os.cpu_count() or 1)
    results = simulate_runs(runs, sim, jobs=jobs)
    if sweep is None and len(seeds) == 1:
        results = [(doc.name, results[0][1])]
    if len(results) > 1:
        shown = sim
    tables = run_tables(results, shown, sweep=sweep[0] if sweep else None)
    notes, failed = finish_pictures(
        args,
        results,
        shown,
        tables,
        title=f"csflow simulate: {doc.name}",
        config_name=str(doc.path),
        config_text=doc.text,
        rules=desk.capacity,
    )
    extra = None
    if len(results) == 1 and args.format == "json":
        extra = {"report": results[0][1].report.to_dict()}
    text: list[str] = []
    if len(results) == 1 and args.format == "table":
        r = results[0][1]
        text = [
            f"{doc.name}: {r.customers} customers, {r.commands} desk commands, "
            f"{r.events} events (seed {r.seed})",
            "",
            *r.report.table(),
        ]
        tables = tables[1:]
    for n in notes:
        print(n, file=sys.stderr)
    output = render(args.format, tables, text=text, extra=extra)
    if failed is not None:
        raise WriteError(failed.detail, failed.path, output)
    return output


# ---------------------------------------------------------------------------------------------
# staff


@attrs.frozen
class PlanInputs:
    """What a day plan is computed from, every value checked and named by its origin."""

    aht: timedelta
    target: timedelta
    level: float
    patience: timedelta | None
    interval: timedelta
    shrinkage: float
    peak: float
    #: The highest occupancy allowed (``--max-occupancy``, ``staffing.max_occupancy``), or
    #: ``None`` for no cap.
    max_occupancy: float | None = None
    #: Where the cap came from (``--max-occupancy`` or ``staffing.max_occupancy``).
    cap_from: str = "--max-occupancy"
    #: The forecast, and per row the ``file:line`` it came from (``None`` for a profile).
    forecast: list[ForecastInterval] | None = None
    rows: list[str] | None = None
    #: Where the peak factor came from (``--peak``, ``staffing.peak``, ``simulation.peak``).
    peak_from: str = "--peak"


def _duration_value(
    args: argparse.Namespace, st: dict[str, Any], name: str, default: Any
) -> tuple[timedelta | None, str]:
    given = getattr(args, name, None)
    where = f"--{name}" if given is not None else f"staffing.{name}"
    raw = given if given is not None else st.get(name, default)
    if raw is None:
        return None, where
    positive = name != "target"
    what = "a positive duration" if positive else "a duration >= 0"
    try:
        value = parse_human_duration(raw, where, zero=not positive)
    except ConfigError:
        # A negative number (-20) or text (-20s) is a duration of the wrong sign: say which
        # durations the value takes, zero or not.
        negative = (
            raw < 0
            if isinstance(raw, int | float) and not isinstance(raw, bool)
            else isinstance(raw, str) and raw.strip().startswith("-")
        )
        if negative:
            raise ConfigError(
                f"expected {what} {EXPECTED.removeprefix('a duration ')}, got {show(raw)}", where
            ) from None
        raise
    if value < timedelta(0) or (positive and value == timedelta(0)):
        raise ConfigError(f"expected {what}, got {format_duration(value)}", where)
    return value, where


def plan_inputs(
    args: argparse.Namespace, doc: Document | None, st: dict[str, Any], *, single: bool
) -> PlanInputs:
    """The values of ``staff``: the flags, else the staffing section, else the defaults,
    each checked and named as given (``--level`` or ``staffing.level``); and for a day plan
    (not *single*) its forecast: the file, or the simulation's arrival profile.

    Raises:
        ConfigError: A bad value, an unreadable forecast, no forecast at all.
    """

    def pick(name: str, default: Any) -> Any:
        given = getattr(args, name, None)
        if given is not None:
            return staffing_value(name, given, f"--{name.replace('_', '-')}")
        return staffing_value(name, st.get(name, default), f"staffing.{name}")

    aht, _ = _duration_value(args, st, "aht", 360)
    target, _ = _duration_value(args, st, "target", 20)
    patience, _ = _duration_value(args, st, "patience", None)
    interval, interval_where = _duration_value(args, st, "interval", 1800)
    assert aht is not None
    assert target is not None
    assert interval is not None
    if interval > timedelta(days=1):
        raise ConfigError(
            f"expected an interval of at most 1d, got {format_duration(interval)}", interval_where
        )
    level = pick("level", 0.8)
    shrinkage = pick("shrinkage", 0.0)
    peak_given = getattr(args, "peak", None) is not None or "peak" in st
    peak = pick("peak", 1.0)
    peak_from = "--peak" if getattr(args, "peak", None) is not None else "staffing.peak"
    inputs = PlanInputs(
        aht,
        target,
        level,
        patience,
        interval,
        shrinkage,
        peak,
        max_occupancy=pick("max_occupancy", None),
        cap_from=(
            "--max-occupancy"
            if getattr(args, "max_occupancy", None) is not None
            else "staffing.max_occupancy"
        ),
        peak_from=peak_from,
    )
    if single:
        return inputs
    forecast_path = getattr(args, "forecast", None) or st.get("forecast")
    if forecast_path is not None:
        from_flag = getattr(args, "forecast", None) is not None
        where = "--forecast" if from_flag else "staffing.forecast"
        p = Path(forecast_path)
        if not from_flag and doc is not None and not p.is_absolute():
            p = doc.path.parent / p
        day = pick("day", None) if getattr(args, "day", None) or "day" in st else None
        zone = (
            pick("timezone", None) if getattr(args, "timezone", None) or "timezone" in st else None
        )
        if getattr(args, "interval", None) is not None:
            given = "--interval"
        elif "interval" in st:
            given = "staffing.interval"
        else:
            given = "the default"
        forecast, lines = read_forecast(p, where, interval, day=day, zone=zone, interval_flag=given)
        return attrs.evolve(inputs, forecast=forecast, rows=[f"{p.name}:{n}" for n in lines])
    if doc is not None and "simulation" in doc.data:
        _, sim = doc.configs()
        assert sim is not None
        forecast = profile_forecast(sim, interval, "simulation.duration")
        if peak_given:
            return attrs.evolve(inputs, forecast=forecast)
        return attrs.evolve(inputs, forecast=forecast, peak=sim.peak, peak_from="simulation.peak")
    raise ConfigError(
        "give --load or --rate for one interval, or --forecast FILE.csv (or a config file "
        "with a staffing.forecast or a simulation) for a day plan",
        "staff",
    )


def _plan(inputs: PlanInputs, max_asa: timedelta | None = None) -> StaffingPlan:
    """The Erlang plan of *inputs* (each interval also held to a mean wait of at most
    *max_asa*, ``--asa``); an error about a row names the row of the file."""
    assert inputs.forecast is not None
    try:
        return staffing_plan(
            inputs.forecast,
            inputs.aht,
            inputs.target,
            inputs.level,
            patience=inputs.patience,
            shrinkage=inputs.shrinkage,
            multiplier=inputs.peak,
            max_occupancy=inputs.max_occupancy,
            max_asa=max_asa,
        )
    except ConfigError as exc:
        m = re.match(r"intervals\[(\d+)\]", exc.path)
        if m is None:
            raise
        i = int(m[1])
        rows = inputs.rows or [f"interval {k + 1} of the plan" for k in range(len(inputs.forecast))]
        detail = exc.detail
        row = inputs.forecast[i]
        base = row.arrivals * (inputs.aht / row.duration)
        if detail.startswith("the load must be") and inputs.peak > 1 and base <= MAX_LOAD:
            # The row is fine: the peak factor is what takes its load past the bound.
            raise ConfigError(
                f"expected a peak factor that keeps every interval's load at most "
                f"{MAX_LOAD:g} Erlangs ({rows[i]}: {base:g} Erlangs before the factor), got "
                f"{inputs.peak:g}",
                inputs.peak_from,
            ) from None
        if detail.startswith("'max_occupancy'"):
            # A cap so low that the agents it needs pass the bound: named where it came from,
            # as one interval names it, with the row that needs them.
            raise ConfigError(f"{detail} ({rows[i]})", inputs.cap_from) from None
        if "time order" in detail and i > 0:
            row, before = inputs.forecast[i], inputs.forecast[i - 1]
            detail = (
                f"rows must be in time order without overlap: this row starts at "
                f"{row.start.isoformat()}, before the row before ({rows[i - 1]}) ends at "
                f"{before.end.isoformat()}"
            )
        raise ConfigError(detail, rows[i]) from None


def staff(args: argparse.Namespace) -> str:
    """``csflow staff [CONFIG]``: one interval (--load/--rate) or a day plan."""
    st: dict[str, Any] = {}
    doc: Document | None = None
    if args.config:
        doc = load_document(args.config)
        st = dict(doc.data.get("staffing", {}))
    single = args.load is not None or args.rate is not None
    if single:
        if args.roster or args.verify:
            option = "--roster" if args.roster else "--verify"
            raise ConfigError(
                "needs a day plan (--forecast, or a config file), not one interval", option
            )
        for flag in ("forecast", "interval", "seeds", "span", "jobs", "day", "timezone"):
            if getattr(args, flag) is not None:
                raise ConfigError(
                    "is for a day plan; one interval (--load or --rate) does not use it",
                    f"--{flag}",
                )
        return _staff_one(args, plan_inputs(args, doc, st, single=True))
    if args.seeds:
        if len(args.seeds) > MAX_RUNS:  # before the O(n) checks and the plan
            raise ConfigError(
                f"expected at most {MAX_RUNS:,} seeds (MAX_RUNS), got {len(args.seeds):,}",
                "--seeds",
            )
        check_distinct_seeds(args.seeds, "--seeds")
    if args.agents is not None:
        raise ConfigError(
            "evaluates one interval: give --load or --rate with it (a day plan finds the "
            "agents of each interval)",
            "--agents",
        )
    if getattr(args, "asa", None) is not None and args.verify:
        raise ConfigError(
            "cannot be verified: --verify checks each interval's service level on the desk, "
            "not its mean wait",
            "--asa",
        )
    inputs = plan_inputs(args, doc, st, single=False)
    assert inputs.forecast is not None
    # A day plan staffs each interval to the level and, with --asa, to the mean wait too.
    asa = _asa(args, inputs)
    plan = _plan(inputs, asa)
    forecast = inputs.forecast
    aht, target, level, patience = inputs.aht, inputs.target, inputs.level, inputs.patience
    shrinkage, peak = inputs.shrinkage, inputs.peak
    # Everything --roster and --verify need is checked before the first simulation (without
    # --verify, the roster itself is the check: no need to solve it twice).
    if args.roster and args.verify:
        planning.check_roster(plan, st)
    if args.verify:
        planning.check_verify(doc, st)
        assert doc is not None  # check_verify: a config file with a simulation
        # What `simulate` refuses (and `lint` calls an error): traffic no agent group takes,
        # whose contacts would wait unanswered in every run.
        _, verify_sim = doc.configs()
        assert verify_sim is not None
        check_scenario(doc.data, verify_sim, staffed=True)
        seeds = (
            args.seeds if args.seeds else st.get("verify", {}).get("seeds", planning.DEFAULT_SEEDS)
        )
        where = "--seeds" if args.seeds else "staffing.verify.seeds"
        planning.check_verify_runs(plan, len(seeds), where)
    label = labels([f.start for f in forecast])
    rows = tuple(
        (
            label(r.start),
            round(r.arrivals, 1),
            round(r.load, 2),
            r.agents,
            r.scheduled_heads,
            r.service_level,
            round(r.average_speed_of_answer.total_seconds(), 1),
            r.occupancy,
            r.probability_of_abandonment,
        )
        for r in plan.intervals
    )
    model = (
        "Erlang C" if patience is None else f"Erlang A, mean patience {format_duration(patience)}"
    )
    cols = (
        "from",
        "arrivals",
        "load",
        "agents",
        "heads",
        "service_level",
        "asa_s",
        "occupancy",
        "abandonment",
    )
    totals = Table(
        "totals",
        "Totals",
        ("peak_agents", "peak_heads", "agent_hours", "scheduled_hours"),
        (
            (
                plan.peak_agents,
                plan.peak_heads,
                round(plan.agent_hours, 1),
                round(plan.scheduled_hours, 1),
            ),
        ),
    )
    title = (
        f"Day plan ({model}; {_goal_title(level, target, asa, True)}; "
        f"AHT {format_duration(aht)}; shrinkage {percent(shrinkage)}; "
        f"peak x{peak:.15g}{_cap_title(inputs.max_occupancy, '; ')})"
    )
    tables = [Table("plan", title, cols, rows), totals]
    verified = None
    if args.verify:
        verified = planning.run_verify(args, plan, doc, st)
        tables += planning.verified_tables(verified, args.format)
    if args.roster:
        roster, pad = planning.run_roster(plan, st, verified)
        tables += planning.roster_tables(roster, pad, args.format)
    if args.format != "table":
        # What the title says, as data: a spreadsheet of the plan keeps what it was made for.
        # Last, so that the sections before it stay where they were.
        tables.append(_inputs_table(inputs, asa))
    return render(args.format, tables)


def _cap_title(cap: float | None, sep: str) -> str:
    """The occupancy cap in a title (``; occupancy at most 85%``), or nothing.  The percent
    is the decimal written, unrounded: a cap of 0.855 is ``85.5%``, not 86%."""
    if cap is None:
        return ""
    return f"{sep}occupancy at most {percent(cap)}"


def _inputs_table(inputs: PlanInputs, asa: timedelta | None) -> Table:
    """The ``inputs`` table of a day plan: one row of what its title says -- the model, the
    level, the target, the AHT, the patience, the shrinkage, the peak factor, the occupancy
    cap and the mean-wait goal of ``--asa`` (each ``None`` when not given) -- under the keys
    one interval's output uses."""
    columns = (
        "model",
        "level",
        "target_s",
        "aht_s",
        "patience_s",
        "shrinkage",
        "peak",
        "max_occupancy",
        "max_asa_s",
    )
    row = (
        "Erlang C" if inputs.patience is None else "Erlang A",
        inputs.level,
        inputs.target.total_seconds(),
        inputs.aht.total_seconds(),
        None if inputs.patience is None else inputs.patience.total_seconds(),
        inputs.shrinkage,
        inputs.peak,
        inputs.max_occupancy,
        None if asa is None else asa.total_seconds(),
    )
    return Table("inputs", "Inputs", columns, (row,))


def _asa(args: argparse.Namespace, inputs: PlanInputs) -> timedelta | None:
    """``--asa`` as a duration, or ``None``; refused with a patience (the mean wait is Erlang
    C's, :func:`~csflow.staffing.agents_for_asa`, and Erlang A's agents would be shown)."""
    seconds = getattr(args, "asa", None)
    if seconds is None:
        return None
    if inputs.patience is not None:
        origin = (
            "--patience" if getattr(args, "patience", None) is not None else "staffing.patience"
        )
        raise ConfigError(
            f"staffs to Erlang C's average speed of answer, not with a patience (Erlang A, "
            f"from {origin}); give one or the other",
            "--asa",
        )
    return timedelta(seconds=seconds)


def _goal_title(level: float, target: timedelta, asa: timedelta | None, by_level: bool) -> str:
    """What one interval is staffed to, in its title: the level, the mean wait, or both."""
    within = f"{percent(level)} within {format_duration(target)}"
    if asa is None:
        return within
    most = f"ASA at most {format_duration(asa)}"
    if by_level:
        return f"{within} and {most}"
    return f"{most} (service level within {format_duration(target)})"


def _shown_load(load: float) -> float:
    """*load* to two decimals, or to three significant digits where two decimals would show a
    load that is not zero as 0 (``1e-09``, not ``0.0``, beside one agent needed)."""
    return float(f"{load:.3g}") if 0 < load < 0.005 else round(load, 2)


def _staff_one(args: argparse.Namespace, inputs: PlanInputs) -> str:
    """One interval of ``--load`` Erlangs (or ``--rate`` an hour), times the peak factor:
    the fewest agents that meet the level (or ``--agents``), the heads to schedule for them
    after the shrinkage, and their service.  The keys are the same whatever the inputs."""
    aht, target, level, patience = inputs.aht, inputs.target, inputs.level, inputs.patience
    if args.load is not None and args.rate is not None:
        raise ConfigError(
            "give exactly one of --load (Erlangs) or --rate (arrivals per hour)", "--load"
        )
    flag = "--load" if args.load is not None else "--rate"
    given = args.load if args.load is not None else args.rate
    if not math.isfinite(given) or given < 0:
        raise ConfigError(f"expected a finite number >= 0, got {given!r}", flag)
    if args.agents is not None and args.agents < 1:
        raise ConfigError(f"expected a number of agents >= 1, got {args.agents}", "--agents")
    if args.agents is not None and args.agents > MAX_AGENTS:
        raise ConfigError(
            f"expected at most {MAX_AGENTS:,} agents, got {show(args.agents)}", "--agents"
        )
    base = given if args.load is not None else given * aht.total_seconds() / 3600
    load = base * inputs.peak
    try:
        check_load(load)
    except ConfigError:
        if base > MAX_LOAD:
            got = show(given)
            if args.load is None:
                got += f" an hour ({base:g} Erlangs)"
            raise ConfigError(
                f"the load must be at most {MAX_LOAD:g} Erlangs, got {got}", flag
            ) from None
        # The load given is fine: the peak factor is what takes it past the bound.
        raise ConfigError(
            f"expected a peak factor that keeps the load ({base:g} Erlangs from {flag}) at "
            f"most {MAX_LOAD:g} Erlangs, got {inputs.peak:g}",
            "--peak" if args.peak is not None else "staffing.peak",
        ) from None
    needed: int | None
    cap = inputs.max_occupancy
    if cap is not None and args.agents is None:
        try:
            _occupancy_floor(load, _check_max_occupancy(cap))
        except ConfigError as exc:
            # A cap so low that the agents it needs pass the bound: named where it came from.
            given_cap = getattr(args, "max_occupancy", None) is not None
            raise ConfigError(
                exc.detail, "--max-occupancy" if given_cap else "staffing.max_occupancy"
            ) from None
    asa = _asa(args, inputs)
    # With --asa alone the mean wait decides; with --target or --level too, both do (the
    # larger head count).
    by_level = asa is None or args.target is not None or args.level is not None
    for_level: int | None = None
    for_asa: int | None = None
    try:
        if by_level and patience is None:
            for_level = agents_for_service_level(load, aht, target, level, max_occupancy=cap)
        elif by_level:
            assert patience is not None
            for_level = agents_for_service_level_a(
                load, aht, target, level, patience, max_occupancy=cap
            )
        if asa is not None:
            try:
                for_asa = agents_for_asa(load, aht, asa, max_occupancy=cap)
            except ConfigError as exc:
                raise ConfigError(exc.detail, "--asa") from None
        needed = max(k for k in (for_level, for_asa) if k is not None)
    except ConfigError:
        if args.agents is None:
            raise
        # Only the search for the fewest agents is refused: the agents asked about are
        # still evaluated (their own refusal, if any, names them), agents_needed is null.
        needed = for_level = for_asa = None
    n = args.agents if args.agents is not None else needed
    assert n is not None
    available = 1 - Fraction(repr(inputs.shrinkage))  # as staffing_plan: the decimal written
    heads = math.ceil(Fraction(n) / available)
    model = "Erlang C" if patience is None else "Erlang A"
    record: dict[str, Any] = {
        "model": model,
        "load_erlangs": _shown_load(load),
        "level": level,
        "target_s": target.total_seconds(),
        "aht_s": aht.total_seconds(),
        "patience_s": None if patience is None else patience.total_seconds(),
        "shrinkage": inputs.shrinkage,
        "peak": inputs.peak,
        "max_occupancy": inputs.max_occupancy,
        "max_asa_s": None if asa is None else asa.total_seconds(),
        "agents_for_level": for_level,
        "agents_for_asa": for_asa,
        "agents_needed": needed,
        "agents": n,
        "heads": heads,
        "stable": True,
        "probability_of_waiting": 0.0,
        "service_level": 1.0,
        "asa_s": 0.0,
        "occupancy": 0.0,
        "abandonment": 0.0,
    }
    if load == 0:
        pass  # nobody calls: nobody waits, whatever the agents
    elif patience is None:
        if n > load:
            record |= {
                "probability_of_waiting": erlang_c(n, load),
                "service_level": service_level(n, load, aht, target),
                "asa_s": round(average_speed_of_answer(n, load, aht).total_seconds(), 1),
                "occupancy": occupancy(n, load),
            }
        else:
            record |= dict.fromkeys(
                ("probability_of_waiting", "service_level", "asa_s", "occupancy", "abandonment"),
                None,
            )
            record["stable"] = False
    else:
        r = erlang_a(n, load, aht, patience, target)
        record |= {
            "probability_of_waiting": r.probability_of_waiting,
            "service_level": r.service_level,
            "abandonment": r.probability_of_abandonment,
            "asa_s": round(r.average_speed_of_answer.total_seconds(), 1),
            "occupancy": r.occupancy,
        }
    if patience is not None:
        model += f", mean patience {format_duration(patience)}"
    title = (
        f"{model}: load {_shown_load(load) if 0 < load < 0.005 else f'{load:.2f}'} Erlangs"
        + (f" (x{inputs.peak:.15g} peak)" if inputs.peak != 1 else "")
        + f", AHT {format_duration(aht)}, "
        + _goal_title(level, target, asa, by_level)
        + (f", shrinkage {percent(inputs.shrinkage)}" if inputs.shrinkage else "")
        + _cap_title(inputs.max_occupancy, ", ")
    )
    if args.format == "table":
        rows = list(record.items())
        if not record["stable"]:
            rows.append(
                ("unstable", "the load is at or above the agents; every caller waits forever")
            )
        return render("table", [Table("staffing", title, ("measure", "value"), tuple(rows))])
    return render(args.format, [Table("staffing", title, tuple(record), (tuple(record.values()),))])


# ---------------------------------------------------------------------------------------------
# lint and schema


def _document_path(path: str, listed: bool) -> str:
    """*path* of a desk finding as the document spells it: ``DeskConfig.lint`` names triage
    rule i ``triage.rules[i]``, the ``{mode, rules}`` shape; a document whose ``triage`` is a
    list of rules has it at ``triage[i]`` (as ``DeskConfig.from_dict`` errors say)."""
    head = "triage.rules"
    if listed and (path == head or path.startswith(head + "[")):
        return "triage" + path[len(head) :]
    return path


_QUEUE_AT: Final = re.compile(r"queues\[(\d+)\]")


def _queue_named(path: str, desk: DeskConfig) -> str:
    """*path* of a desk finding with the queue it is in named, as SLA policies, teams and
    channels are: ``queues[3] (front)``, ``queues[3].key (front)`` (the index stays: it is
    where the queue is in the file)."""
    m = _QUEUE_AT.match(path)
    if m is None or int(m[1]) >= len(desk.queues):
        return path
    return f"{path} ({desk.queues[int(m[1])].name})"


def _document_message(finding: Finding, listed: bool) -> str:
    """A triage finding's message naming other rules as the document spells them:
    ``(desk.triage[0])`` for a list of rules, ``(desk.triage.rules[0])`` under ``{mode, rules}``
    (the rules linter says ``(rules[0])``, relative to the rules)."""
    if not finding.path.startswith("triage"):
        return finding.message
    head = "desk.triage" if listed else "desk.triage.rules"
    return re.sub(r"\(rules(\[\d+\])\)", lambda m: f"({head}{m[1]})", finding.message)


def scenario_findings(
    desk: DeskConfig, sim: SimConfig, *, staffed: bool = False
) -> list[tuple[str, str, str]]:
    """What the simulation asks of the desk that it cannot give, beyond what
    :meth:`SimConfig.check_desk` refuses (names the desk does not declare, escalations it
    refuses): a channel of the traffic no agent group can take (an error: its contacts are
    never answered).  With *staffed*, every group counts whatever its ``count`` (``staff
    --verify`` sets the count of its one group per interval)."""
    findings: list[tuple[str, str, str]] = []
    takers = {
        channel
        for g in sim.agents
        if staffed or g.count > 0
        for channel, slots in g.capacity.items()
        if slots > 0
    }
    for name, weight in sim.arrivals.channels:
        if weight > 0 and name not in takers:
            findings.append(
                (
                    "simulation.arrivals.channels." + name,
                    "error",
                    f"no agent group has capacity for channel {name!r}: its contacts are "
                    "never answered (add it to an agent group's capacity)",
                )
            )
    return findings


def check_scenario(data: Mapping[str, Any], sim: SimConfig, *, staffed: bool = False) -> None:
    """Refuse, before any run, a simulation that :func:`scenario_findings` finds an error in
    (*staffed* as there).

    Raises:
        ConfigError: The first such error, at its path.
    """
    desk = desk_config(data.get("desk", {}))
    for path, severity, message in scenario_findings(desk, sim, staffed=staffed):
        if severity == "error":
            raise ConfigError(message, path)


_NO_FLAGS: Final = argparse.Namespace()


def lint(args: argparse.Namespace) -> tuple[str, int]:
    """``csflow lint CONFIG``: every finding with its path; status 1 when one is an error.

    The file is read as every command reads it (a value ``staff`` or ``simulate`` would
    refuse is refused here, with exit status 2), its staffing inputs too (the forecast file
    is read) -- but what the simulation would refuse of the desk (an undeclared tier, an
    escalation the desk refuses) is listed as an error finding; the desk is linted against one agent of each group (agents of a group are
    alike), so a group of a hundred million agents costs no more than one of ten.
    """
    doc = load_document(args.config, check=False)
    desk, sim = doc.configs(check=False)
    profiles: list[AgentProfile] = []
    findings: list[tuple[str, str, str]] = []
    if sim is not None:
        profiles = [g.profile(0) for g in sim.agents if g.count > 0]
        findings = scenario_findings(desk, sim)
        try:
            sim.check_desk(desk)  # what a run would refuse: a finding here
        except ConfigError as exc:
            path = f"simulation.{exc.path}"
            if all(p != path for p, _, _ in findings):
                findings.append((path, "error", exc.detail))
    st = dict(doc.data.get("staffing", {}))
    if st:  # what staff checks before it works
        day_plan = "forecast" in st or sim is not None
        inputs = plan_inputs(_NO_FLAGS, doc, st, single=not day_plan)
        if day_plan:
            plan = _plan(inputs)
            if "shifts" in st:
                planning.check_roster(plan, st)
            if "verify" in st:
                planning.check_verify(doc, st)
                seeds = st["verify"].get("seeds", planning.DEFAULT_SEEDS)
                planning.check_verify_runs(plan, len(seeds), "staffing.verify.seeds")
    if "sweep" in doc.data:  # simulate's bound, with the file's replications
        reps = int(doc.data.get("replications", 1))
        check_run_count(len(doc.data["sweep"]["values"]), reps, "sweep.values")
    listed = isinstance(doc.data.get("desk", {}).get("triage"), list | tuple)
    findings[:0] = [
        (
            f"desk.{_queue_named(_document_path(f.path, listed), desk)}",
            f.severity,
            _document_message(f, listed),
        )
        for f in desk.lint(agents=profiles)
    ]
    findings = [(p, s, plain_values(m)) for p, s, m in findings]
    table = Table(
        "findings", f"Findings in {doc.path}", ("path", "severity", "message"), tuple(findings)
    )
    status = 1 if any(s == "error" for _, s, _ in findings) else 0
    if args.format == "table" and not findings:
        return f"{doc.path}: no findings", 0
    return render(args.format, [table]), status


def _kind(node: dict[str, Any]) -> str:
    """A schema node's type as the field table shows it: ``duration``, ``number|null``..."""
    if "$ref" in node:
        return str(node["$ref"]).rsplit("/", 1)[-1]
    kind = node.get("type")
    if kind is None:
        kinds = dict.fromkeys(_kind(alt) for alt in node.get("anyOf", ()))
        return "|".join(k for k in kinds if k)
    return kind if isinstance(kind, str) else "|".join(kind)


def _flatten(node: dict[str, Any], path: str, out: list[tuple[str, str, str]]) -> None:
    for key, sub in node.get("properties", {}).items():
        p = f"{path}.{key}" if path else key
        out.append((p, _kind(sub), sub.get("description", "")))
        _flatten(sub, p, out)
        items = sub.get("items")
        if isinstance(items, dict):
            _flatten(items, f"{p}[]", out)


def print_schema(args: argparse.Namespace) -> str:
    """``csflow schema``: the JSON Schema (``json``) of config files, or with ``--events`` of
    the events on the wire (:func:`csflow.events.event_schema`); or its fields as rows."""
    doc = event_schema() if args.events else schema()
    if args.format == "json":
        return json.dumps(doc, indent=2)
    rows: list[tuple[str, str, str]] = []
    if args.events:
        for name, definition in doc["$defs"].items():
            for key, sub in definition["properties"].items():
                if key not in ("type", "version"):
                    kind = _kind(sub) or ("enum" if "enum" in sub else "")
                    rows.append((f"{name}.{key}", kind, sub.get("description", "")))
        title = "Event fields (each event also has its type tag and format version)"
    else:
        _flatten(doc, "", rows)
        title = "Config fields"
    return render(
        args.format, [Table("fields", title, ("field", "type", "description"), tuple(rows))]
    )
