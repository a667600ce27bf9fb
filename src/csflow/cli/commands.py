"""The commands ``simulate``, ``staff``, ``lint`` and ``schema``: each checks every input, then
works, then returns its output as text in the format asked for."""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from csflow._text import show
from csflow.cli import planning
from csflow.cli.documents import Document, load_document, set_path
from csflow.cli.durations import is_human, parse_human_duration, to_seconds
from csflow.cli.output import Table, render
from csflow.cli.pictures import check_matplotlib
from csflow.cli.runs import check_output_path, finish_pictures, run_tables, simulate_runs
from csflow.cli.schema import schema
from csflow.errors import ConfigError
from csflow.model import AgentProfile
from csflow.sim import PEAK_DAYS, SimConfig
from csflow.staffing import (
    ForecastInterval,
    agents_for_service_level,
    agents_for_service_level_a,
    average_speed_of_answer,
    erlang_a,
    erlang_c,
    occupancy,
    service_level,
    staffing_plan,
)

__all__ = ["lint", "print_schema", "simulate", "staff"]


def check_pictures(args: argparse.Namespace) -> None:
    """``--plot`` and ``--report``: matplotlib present, paths writable (before any run)."""
    for option, path in (("--plot", args.plot), ("--report", args.report)):
        if path:
            check_matplotlib(option)
            check_output_path(path, option)


def _sweep_value(value: Any) -> Any:
    return (
        to_seconds(value, "sweep.values") if isinstance(value, str) and is_human(value) else value
    )


def _parse_sweep(text: str) -> tuple[str, list[Any]]:
    param, sep, values = text.partition("=")
    if not sep or not param or not values:
        raise ConfigError(
            f"expected PARAMETER=V1,V2,... such as simulation.agents[0].count=20,25, got {text!r}",
            "--sweep",
        )
    out: list[Any] = []
    for v in values.split(","):
        try:
            out.append(json.loads(v))
        except ValueError:
            out.append(v)
    return param, out


def simulate(args: argparse.Namespace) -> str:
    """``csflow simulate CONFIG``."""
    doc = load_document(args.config)
    if "simulation" not in doc.data:
        raise ConfigError("the config has no simulation to run", "simulation")
    check_pictures(args)
    base_seed = args.seed if args.seed is not None else int(doc.data.get("seed", 0))
    reps = args.replications or int(doc.data.get("replications", 1))
    seeds = args.seeds if args.seeds else [base_seed + k for k in range(reps)]
    sweep: tuple[str, list[Any]] | None = None
    if args.sweep:
        sweep = _parse_sweep(args.sweep)
    elif "sweep" in doc.data:
        sweep = (doc.data["sweep"]["parameter"], list(doc.data["sweep"]["values"]))
    runs = []
    if sweep is None:
        runs = [(f"seed {s}", doc.scenario(s)) for s in seeds]
    else:
        param, values = sweep
        for v in values:
            variant = set_path(doc.data, param, _sweep_value(v))
            label = f"{param}={v}"
            try:
                Document(doc.path, variant, doc.text).configs()
            except ConfigError as exc:
                raise ConfigError(f"with {label}: {exc.detail}", exc.path) from None
            runs.extend((label, doc.scenario(s, variant)) for s in seeds)
    _, sim = doc.configs()
    assert sim is not None
    jobs = args.jobs if args.jobs is not None else min(len(runs), os.cpu_count() or 1)
    results = simulate_runs(runs, sim, jobs=jobs)
    if sweep is None and len(seeds) == 1:
        results = [(doc.name, results[0][1])]
    tables = run_tables(results, sim, sweep=sweep[0] if sweep else None)
    notes = finish_pictures(
        args,
        results,
        sim,
        tables,
        title=f"csflow simulate: {doc.name}",
        config_name=str(doc.path),
        config_text=doc.text,
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
    return render(args.format, tables, text=text, extra=extra)


# ---------------------------------------------------------------------------------------------
# staff


def _forecast(path: Path, st: dict[str, Any], interval: timedelta) -> list[ForecastInterval]:
    """Rows ``start,arrivals[,duration]``; start an ISO instant, or ``HH:MM`` on *day* in
    *timezone* (from the staffing section or the flags)."""
    zone = None
    if st.get("timezone") is not None:
        try:
            zone = ZoneInfo(str(st["timezone"]))
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"expected an IANA time zone such as 'Asia/Jakarta', got {show(st['timezone'])}",
                "staffing.timezone",
            ) from None
    day = None
    if st.get("day") is not None:
        try:
            day = date.fromisoformat(str(st["day"]))
        except ValueError:
            raise ConfigError(
                f"expected a date YYYY-MM-DD, got {show(st['day'])}", "staffing.day"
            ) from None
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"cannot read {str(path)!r}: {exc.strerror}", "staffing.forecast"
        ) from None
    rows = list(csv.DictReader(text.splitlines()))
    if not rows or "start" not in rows[0] or "arrivals" not in rows[0]:
        raise ConfigError(
            f"{str(path)!r}: expected a header row with start,arrivals", "staffing.forecast"
        )
    out = []
    for i, row in enumerate(rows, start=2):
        where = f"{path.name}:{i}"
        raw = (row.get("start") or "").strip()
        try:
            if len(raw) <= 5 and ":" in raw:
                if zone is None or day is None:
                    given = (
                        "neither is given"
                        if zone is None and day is None
                        else "no day is given"
                        if day is None
                        else "no time zone is given"
                    )
                    raise ConfigError(
                        f"a start given as HH:MM ({raw!r}) needs a day and a time zone, and "
                        f"{given}: give --day and --timezone, or staffing.day and "
                        "staffing.timezone in the config file",
                        f"{where}.start",
                    )
                hh, mm = raw.split(":")
                start = datetime.combine(day, time(int(hh), int(mm)), tzinfo=zone)
            else:
                start = datetime.fromisoformat(raw)
                if start.tzinfo is None:
                    raise ValueError
        except ConfigError:
            raise  # a ValueError too, but already the right message
        except ValueError:
            raise ConfigError(
                f"expected an ISO 8601 instant with an offset or HH:MM, got {raw!r}",
                f"{where}.start",
            ) from None
        try:
            arrivals = float(row.get("arrivals") or "")
        except ValueError:
            raise ConfigError(
                f"expected a number, got {row.get('arrivals')!r}", f"{where}.arrivals"
            ) from None
        length = interval
        if row.get("duration"):
            length = parse_human_duration(row["duration"], f"{where}.duration")
        try:
            out.append(ForecastInterval(start, length, arrivals))
        except ConfigError as exc:
            raise ConfigError(exc.detail, where) from None
    return out


def _profile_forecast(sim: SimConfig, interval: timedelta) -> list[ForecastInterval]:
    n = max(1, math.ceil(sim.duration / interval))
    return [
        ForecastInterval.from_rate(
            sim.start + k * interval, interval, sim.arrivals.per_hour_at(k * interval)
        )
        for k in range(n)
    ]


def staff(args: argparse.Namespace) -> str:
    """``csflow staff [CONFIG]``: one interval (--load/--rate) or a day plan."""
    st: dict[str, Any] = {}
    doc: Document | None = None
    if args.config:
        doc = load_document(args.config)
        st = dict(doc.data.get("staffing", {}))

    def pick(name: str, default: Any) -> Any:
        given = getattr(args, name)
        return given if given is not None else st.get(name, default)

    aht = parse_human_duration(pick("aht", 360), "staffing.aht")
    target = parse_human_duration(pick("target", 20), "staffing.target")
    level = pick("level", 0.8)
    patience_raw = pick("patience", None)
    patience = (
        None if patience_raw is None else parse_human_duration(patience_raw, "staffing.patience")
    )
    interval = parse_human_duration(pick("interval", 1800), "staffing.interval")
    shrinkage = pick("shrinkage", 0.0)
    peak = pick("peak", 1.0)
    if isinstance(peak, str):
        if peak not in PEAK_DAYS:
            try:
                peak = float(peak)
            except ValueError:
                raise ConfigError(
                    f"expected a number or one of {', '.join(PEAK_DAYS)}, got {peak!r}",
                    "staffing.peak",
                ) from None
        else:
            peak = PEAK_DAYS[peak]
    forecast_path = args.forecast or st.get("forecast")
    single = args.load is not None or args.rate is not None
    if single:
        if args.roster or args.verify:
            option = "--roster" if args.roster else "--verify"
            raise ConfigError(
                "needs a day plan (--forecast, or a config file), not one interval", option
            )
        return _staff_one(args, aht, target, level, patience)
    if forecast_path is not None:
        p = Path(forecast_path)
        if args.forecast is None and doc is not None and not p.is_absolute():
            p = doc.path.parent / p
        if args.day:
            st["day"] = args.day
        if args.timezone:
            st["timezone"] = args.timezone
        forecast = _forecast(p, st, interval)
    elif doc is not None and "simulation" in doc.data:
        _, sim = doc.configs()
        assert sim is not None
        forecast = _profile_forecast(sim, interval)
        if args.peak is None and "peak" not in st:
            peak = sim.peak
    else:
        raise ConfigError(
            "give --load or --rate for one interval, or --forecast FILE.csv (or a config file "
            "with a staffing.forecast or a simulation) for a day plan",
            "staff",
        )
    plan = staffing_plan(
        forecast, aht, target, level, patience=patience, shrinkage=shrinkage, multiplier=peak
    )
    # Everything --roster and --verify need is checked before the first simulation.
    if args.roster:
        planning.check_roster(plan, st)
    if args.verify:
        planning.simulation_template(doc)
    zone = forecast[0].start.tzinfo if forecast else None
    rows = tuple(
        (
            f"{r.start.astimezone(zone):%Y-%m-%d %H:%M}",
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
    model = "Erlang C" if patience is None else f"Erlang A, mean patience {patience}"
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
        f"Day plan ({model}; {level:.0%} within {target}; AHT {aht}; shrinkage {shrinkage:.0%}; "
        f"peak x{peak:g})"
    )
    tables = [Table("plan", title, cols, rows), totals]
    verified = None
    if args.verify:
        verified = planning.run_verify(args, plan, doc, st)
        tables += planning.verified_tables(verified)
    if args.roster:
        roster, pad = planning.run_roster(plan, st, verified)
        tables += planning.roster_tables(roster, pad)
    return render(args.format, tables)


def _staff_one(
    args: argparse.Namespace,
    aht: timedelta,
    target: timedelta,
    level: float,
    patience: timedelta | None,
) -> str:
    if args.load is not None and args.rate is not None:
        raise ConfigError(
            "give exactly one of --load (Erlangs) or --rate (arrivals per hour)", "--load"
        )
    load = args.load if args.load is not None else args.rate * aht.total_seconds() / 3600
    if not math.isfinite(load) or load < 0:
        raise ConfigError(f"expected a finite number >= 0, got {load!r}", "--load")
    if args.agents is not None:
        n = args.agents
    elif patience is None:
        n = agents_for_service_level(load, aht, target, level)
    else:
        n = agents_for_service_level_a(load, aht, target, level, patience)
    model = "Erlang C" if patience is None else f"Erlang A (mean patience {patience})"
    rows: list[tuple[str, Any]] = [
        ("model", model),
        ("load_erlangs", round(load, 2)),
        ("agents", n),
    ]
    if args.agents is None:
        rows.append((f"agents needed for {level:.0%} within {target}", n))
    if patience is None:
        if n > load:
            rows += [
                ("probability_of_waiting", erlang_c(n, load)),
                ("service_level", service_level(n, load, aht, target)),
                ("asa_s", round(average_speed_of_answer(n, load, aht).total_seconds(), 1)),
                ("occupancy", occupancy(n, load)),
            ]
        else:
            rows.append(
                ("unstable", "the load is at or above the agents; every caller waits forever")
            )
    else:
        r = erlang_a(n, load, aht, patience, target)
        rows += [
            ("probability_of_waiting", r.probability_of_waiting),
            ("service_level", r.service_level),
            ("abandonment", r.probability_of_abandonment),
            ("asa_s", round(r.average_speed_of_answer.total_seconds(), 1)),
            ("occupancy", r.occupancy),
        ]
    title = f"{model}: load {load:.2f} Erlang, AHT {aht}, target {target}"
    if args.format == "table":
        return render("table", [Table("staffing", title, ("measure", "value"), tuple(rows))])
    record = dict(rows)
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


def lint(args: argparse.Namespace) -> tuple[str, int]:
    """``csflow lint CONFIG``: every finding with its path; status 1 when one is an error."""
    doc = load_document(args.config)
    desk, sim = doc.configs()
    profiles: list[AgentProfile] = []
    findings: list[tuple[str, str, str]] = []
    if sim is not None:
        for g in sim.agents:
            profiles.extend(g.profile(i) for i in range(g.count))
        tiers = set(desk.tiers)
        for name, _ in sim.arrivals.tiers:
            if tiers and name not in tiers:
                findings.append(
                    (
                        "simulation.arrivals.tiers." + name,
                        "error",
                        f"tier {name!r} is not a desk tier",
                    )
                )
        teams = set(desk.teams)
        for i, g in enumerate(sim.agents):
            for team in g.teams:
                if teams and team not in teams:
                    findings.append(
                        (
                            f"simulation.agents[{i}].teams",
                            "warning",
                            f"team {team!r} is not a desk team",
                        )
                    )
    listed = isinstance(doc.data.get("desk", {}).get("triage"), list | tuple)
    findings[:0] = [
        (f"desk.{_document_path(f.path, listed)}", f.severity, f.message)
        for f in desk.lint(agents=profiles)
    ]
    table = Table(
        "findings", f"Findings in {doc.path}", ("path", "severity", "message"), tuple(findings)
    )
    status = 1 if any(s == "error" for _, s, _ in findings) else 0
    if args.format == "table" and not findings:
        return f"{doc.path}: no findings", 0
    return render(args.format, [table]), status


def _flatten(node: dict[str, Any], path: str, out: list[tuple[str, str, str]]) -> None:
    for key, sub in node.get("properties", {}).items():
        p = f"{path}.{key}" if path else key
        kind = sub.get("type", "duration" if sub.get("$ref", "").endswith("duration") else "")
        if "$ref" in sub and sub["$ref"].endswith("distribution"):
            kind = "distribution"
        out.append(
            (p, kind if isinstance(kind, str) else "|".join(kind), sub.get("description", ""))
        )
        _flatten(sub, p, out)
        items = sub.get("items")
        if isinstance(items, dict):
            _flatten(items, f"{p}[]", out)


def print_schema(args: argparse.Namespace) -> str:
    """``csflow schema``: the JSON Schema (``json``) or its fields as rows."""
    doc = schema()
    if args.format == "json":
        return json.dumps(doc, indent=2)
    rows: list[tuple[str, str, str]] = []
    _flatten(doc, "", rows)
    return render(
        args.format,
        [Table("fields", "Config fields", ("field", "type", "description"), tuple(rows))],
    )
