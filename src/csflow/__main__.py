"""Command line: ``python -m csflow demo | simulate CONFIG | staff``.

* ``demo`` -- the built-in Indonesian e-commerce desk (four tiers, five channels, escalation to
  the technical and finance teams, the Jakarta calendar with its 2026 holidays) through the
  pre-Lebaran peak day; prints SLA deadlines across the Lebaran closing, the simulated day's
  report and a staffing recommendation.
* ``simulate CONFIG`` -- a JSON or TOML file ``{"desk": {...}, "simulation": {...}, "seed": 1}``
  (the shapes of ``DeskConfig.from_dict`` and ``SimConfig.from_dict``).
* ``staff`` -- Erlang C (or Erlang A with ``--patience``) from the command line.

This is the only module of csflow that prints (and reads a clock, for the progress bar).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import tomllib
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from csflow._jakarta import TIERS, demo_desk_data, demo_simulation_data, jakarta_office_calendar
from csflow.calendar import BusinessCalendar
from csflow.errors import ConfigError, CsflowError
from csflow.sim import PEAK_DAYS, Scenario, SimConfig, SimResult, run_scenario
from csflow.sla import parse_duration
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

__all__ = ["main"]

# Business-time targets of the sample desk, per tier: (first response, resolution).
_TARGETS: dict[str, tuple[timedelta, timedelta]] = {
    "platinum": (timedelta(hours=1), timedelta(hours=8)),
    "gold": (timedelta(hours=2), timedelta(hours=16)),
    "silver": (timedelta(hours=4), timedelta(hours=24)),
    "regular": (timedelta(hours=8), timedelta(hours=40)),
}


def _fmt(at: datetime) -> str:
    return at.strftime("%a %d %b %H:%M")


def _deadlines(out: list[str]) -> None:
    office = jakarta_office_calendar()
    wib = office.zone
    around_lebaran = [
        datetime(2026, 3, 17, 15, 30, tzinfo=wib),
        datetime(2026, 3, 19, 10, 0, tzinfo=wib),
        datetime(2026, 3, 25, 11, 45, tzinfo=wib),
    ]
    out.append("SLA deadlines on the Jakarta office calendar (Mon-Fri 08-12, 13-17; Sat 08-12),")
    out.append("across the Lebaran 2026 closing:")
    for d, name in office.holidays.items():
        if d.month == 3:
            out.append(f"  closed {d:%a %d %b}: {name}")
    out.append("")
    header = f"{'tier':<9} {'created':<16} {'first response due':<20} {'resolution due':<20}"
    out.append(header)
    out.append("-" * len(header))
    for tier in TIERS:
        first, resolution = _TARGETS[tier]
        for created in around_lebaran:
            out.append(
                f"{tier:<9} {_fmt(created):<16} {_fmt(office.add(created, first)):<20} "
                f"{_fmt(office.add(created, resolution)):<20}"
            )
    chat = BusinessCalendar.always_open("Asia/Jakarta")
    created = around_lebaran[1]
    out.append("")
    out.append(
        "A platinum WhatsApp chat on the 24/7 calendar, created "
        f"{_fmt(created)}: first reply due {chat.add(created, timedelta(minutes=1)):%H:%M}."
    )


class _Progress:
    """A progress bar on stderr, drawn only once a run has taken more than a second."""

    def __init__(self, stream: TextIO, label: str) -> None:
        self.stream = stream
        self.label = label
        self.started = time.monotonic()
        self.drawn = False

    def __call__(self, fraction: float) -> None:
        if not self.drawn and time.monotonic() - self.started < 1.0:
            return
        self.drawn = True
        width = 30
        full = round(fraction * width)
        self.stream.write(f"\r{self.label} [{'#' * full}{'.' * (width - full)}] {fraction:4.0%}")
        if fraction >= 1.0:
            self.stream.write("\n")
        self.stream.flush()


def _run(scenario: Scenario, label: str) -> tuple[SimResult, SimConfig]:
    _, sim = scenario.configs()
    return run_scenario(scenario, progress=_Progress(sys.stderr, label)), sim


def _sla_lines(result: SimResult, sim: SimConfig, out: list[str]) -> None:
    zone = sim.start.tzinfo
    end = sim.start + sim.duration
    out.append("")
    out.append(f"SLA attainment per {sim.interval} (local time):")
    late = [0, 0]
    for row in result.sla_series:
        if row.start >= end:
            # Tickets still in line after the last arrival decide their clocks later.
            late[0] += row.met
            late[1] += row.breached
            continue
        rate = "   n/a" if row.rate is None else f"{row.rate:6.1%}"
        bar = "" if row.rate is None else "#" * round(row.rate * 20)
        out.append(
            f"  {row.start.astimezone(zone):%a %H:%M}  {rate}  {row.met:>5} met "
            f"{row.breached:>4} breached  {bar}"
        )
    if late[0] or late[1]:
        out.append(f"  after the day: {late[0]} met, {late[1]} breached")


def _plot(result: SimResult, sim: SimConfig, path: str) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ConfigError("--plot needs matplotlib: pip install 'csflow[plot]'", "--plot") from None
    zone = sim.start.tzinfo
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 6), sharex=True)
    q = result.report.queue_length
    if q:
        top.step([at.astimezone(zone) for at, _ in q], [n for _, n in q], where="post")
    top.set_ylabel("tickets in line")
    top.set_title("Queue length and SLA attainment")
    rows = [r for r in result.sla_series if r.rate is not None]
    bottom.plot(
        [r.start.astimezone(zone) for r in rows],
        [100 * (r.rate or 0.0) for r in rows],
        marker="o",
    )
    bottom.set_ylabel(f"SLA met per {sim.interval} (%)")
    bottom.set_ylim(0, 105)
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _recommendation(sim: SimConfig, out: list[str]) -> None:
    """Erlang A staffing per 30 minutes from the day's forecast (agent-equivalents)."""
    step = timedelta(minutes=30)
    per_contact = [d.mean_seconds() for _, d in sim.handle_time]
    aht = timedelta(seconds=sum(per_contact) / len(per_contact))
    forecast = [
        ForecastInterval.from_rate(sim.start + k * step, step, sim.arrivals.per_hour_at(k * step))
        for k in range(48)
    ]
    plan = staffing_plan(
        forecast,
        aht,
        timedelta(seconds=60),
        0.8,
        patience=timedelta(minutes=8),
        shrinkage=0.15,
        multiplier=sim.peak,
    )
    zone = sim.start.tzinfo
    out.append("")
    out.append(
        f"Staffing recommendation (Erlang A, 80 % answered within 60 s, AHT {aht}, patience "
        f"8 min, shrinkage 15 %, peak x{sim.peak:g}), in agents handling one contact at a time:"
    )
    out.append(f"  {'from':<6} {'arrivals':>9} {'load':>7} {'agents':>7} {'heads':>6} {'SL':>7}")
    last: tuple[int, int] | None = None
    for row in plan.intervals:
        if row.arrivals <= 0 or (row.agents, row.scheduled_heads) == last:
            continue  # print a row where the staffing changes
        last = (row.agents, row.scheduled_heads)
        out.append(
            f"  {row.start.astimezone(zone):%H:%M}  {row.arrivals:9.0f} {row.load:7.1f} "
            f"{row.agents:7d} {row.scheduled_heads:6d} {row.service_level:7.1%}"
        )
    out.append(
        f"  peak: {plan.peak_agents} agents ({plan.peak_heads} heads); "
        f"{plan.scheduled_hours:.0f} scheduled agent-hours over the day"
    )


def _report(result: SimResult, sim: SimConfig, out: list[str]) -> None:
    out.append(
        f"{result.customers} customers, {result.commands} desk commands, "
        f"{result.events} events (seed {result.seed})"
    )
    out.append("")
    out.extend(result.report.table())
    _sla_lines(result, sim, out)


def _demo(args: argparse.Namespace, out: list[str]) -> None:
    _deadlines(out)
    out.append("")
    scenario = Scenario("demo", demo_desk_data(), demo_simulation_data(args.peak), args.seed)
    result, sim = _run(scenario, "simulating")
    out.append(
        f"The desk through Mon 16 Mar 2026, the pre-Lebaran rush (peak '{args.peak}', "
        f"x{sim.peak:g}): 5 channels, 4 tiers, escalation to technical and finance"
    )
    out.append("")
    _report(result, sim, out)
    _recommendation(sim, out)
    if args.plot:
        _plot(result, sim, args.plot)
        out.append(f"\nplot written to {args.plot}")


def _load_config(path: str) -> dict[str, Any]:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path!r}: {exc.strerror}", "CONFIG") from None
    try:
        if p.suffix.lower() == ".toml":
            data = tomllib.loads(raw.decode("utf-8"))
        else:
            data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path!r} is not valid {p.suffix or 'JSON'}: {exc}", "CONFIG") from None
    if not isinstance(data, dict):
        raise ConfigError(f"expected a table/object at the top of {path!r}, got {data!r}", "")
    return data


def _simulate(args: argparse.Namespace, out: list[str]) -> None:
    data = _load_config(args.config)
    unknown = set(data) - {"desk", "simulation", "seed", "name"}
    if unknown:
        raise ConfigError(
            f"unknown keys {sorted(unknown)!r}; expected desk, simulation, seed, name", "config"
        )
    seed = args.seed if args.seed is not None else data.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigError(f"expected an integer, got {seed!r}", "seed")
    scenario = Scenario(
        str(data.get("name", args.config)),
        data.get("desk", {}),
        data.get("simulation", {}),
        seed,
    )
    result, sim = _run(scenario, "simulating")
    if args.json:
        out.append(json.dumps(result.report.to_dict(), indent=2))
    else:
        _report(result, sim, out)
    if args.plot:
        _plot(result, sim, args.plot)
        if not args.json:
            out.append(f"\nplot written to {args.plot}")


def _duration_arg(value: str) -> timedelta:
    try:
        number = float(value)
    except ValueError:
        return parse_duration(value, "duration")
    return parse_duration(number, "duration")


def _staff(args: argparse.Namespace, out: list[str]) -> None:
    aht: timedelta = args.aht
    target: timedelta = args.target
    if (args.load is None) == (args.rate is None):
        raise ConfigError("give exactly one of --load (Erlangs) or --rate (arrivals per hour)")
    load = args.load if args.load is not None else args.rate * aht.total_seconds() / 3600
    if not math.isfinite(load) or load < 0:
        raise ConfigError(f"the load must be a finite number >= 0, got {load!r}")
    patience: timedelta | None = args.patience
    if args.agents is not None:
        n = args.agents
    elif patience is None:
        n = agents_for_service_level(load, aht, target, args.level)
    else:
        n = agents_for_service_level_a(load, aht, target, args.level, patience)
    model = "Erlang C" if patience is None else f"Erlang A (mean patience {patience})"
    out.append(f"{model}: load {load:.2f} Erlang, AHT {aht}, target {target}")
    if args.agents is None:
        out.append(f"agents needed for {args.level:.0%} within {target}: {n}")
    if patience is None:
        out.append(f"agents                  {n}")
        if n > load:
            out.append(f"probability of waiting  {erlang_c(n, load):.1%}")
            out.append(f"service level           {service_level(n, load, aht, target):.1%}")
            asa = average_speed_of_answer(n, load, aht)
            out.append(f"average speed of answer {asa.total_seconds():.1f} s")
            out.append(f"occupancy               {occupancy(n, load):.1%}")
        else:
            out.append("unstable: the load is at or above the agents; every caller waits forever")
    else:
        r = erlang_a(n, load, aht, patience, target)
        out.append(f"agents                  {n}")
        out.append(f"probability of waiting  {r.probability_of_waiting:.1%}")
        out.append(f"service level           {(r.service_level or 0.0):.1%}")
        out.append(f"abandonment             {r.probability_of_abandonment:.1%}")
        out.append(f"average speed of answer {r.average_speed_of_answer.total_seconds():.1f} s")
        out.append(f"occupancy               {r.occupancy:.1%}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="csflow", description="csflow: simulate and staff a customer-service desk."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="an Indonesian e-commerce desk through the Lebaran peak")
    demo.add_argument("--seed", type=int, default=1, help="the seed of the run (default 1)")
    demo.add_argument(
        "--peak",
        choices=sorted(PEAK_DAYS),
        default="lebaran",
        help="the peak-day multiplier (default lebaran)",
    )
    demo.add_argument("--plot", metavar="FILE.png", help="draw queue length and SLA attainment")
    simulate = sub.add_parser("simulate", help="simulate a desk described in a JSON/TOML file")
    simulate.add_argument("config", help="{'desk': ..., 'simulation': ..., 'seed': ...}")
    simulate.add_argument("--seed", type=int, default=None, help="override the file's seed")
    simulate.add_argument("--json", action="store_true", help="print the report as JSON")
    simulate.add_argument("--plot", metavar="FILE.png", help="draw queue length and SLA")
    staff = sub.add_parser("staff", help="Erlang C / Erlang A staffing")
    staff.add_argument("--load", type=float, help="offered load in Erlangs")
    staff.add_argument("--rate", type=float, help="arrivals per hour (instead of --load)")
    staff.add_argument(
        "--aht", type=_duration_arg, default=timedelta(minutes=6), help="seconds or ISO 8601"
    )
    staff.add_argument(
        "--target", type=_duration_arg, default=timedelta(seconds=20), help="answer target"
    )
    staff.add_argument("--level", type=float, default=0.8, help="service level wanted (0-1)")
    staff.add_argument("--patience", type=_duration_arg, help="mean patience: Erlang A")
    staff.add_argument("--agents", type=int, help="evaluate this many agents instead")
    return parser


_COMMANDS: dict[str, Callable[[argparse.Namespace, list[str]], None]] = {
    "demo": _demo,
    "simulate": _simulate,
    "staff": _staff,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the csflow command line and return the exit status.

    Args:
        argv: The arguments (default: ``sys.argv[1:]``).

    Returns:
        0 on success, 2 on a configuration or usage error (printed on stderr).
    """
    parser = _parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    out: list[str] = []
    try:
        _COMMANDS[args.command](args, out)
    except CsflowError as exc:
        print(f"csflow: error: {exc}", file=sys.stderr)
        return 2
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
