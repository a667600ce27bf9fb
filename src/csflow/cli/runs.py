"""Running simulations for the CLI: one in this process, many on a local process pool
(:func:`csflow.sweep.run_sweep`), with progress; their tables; their pictures.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import os
import statistics
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from csflow.cli.forecast import format_duration
from csflow.cli.output import Table
from csflow.cli.pictures import plot_format, plot_png, report_html
from csflow.cli.progress import Progress, expected_customers
from csflow.errors import ConfigError
from csflow.routing import CapacityRules
from csflow.sim import Scenario, SimConfig, SimResult, run_scenario
from csflow.sweep import run_sweep

__all__ = ["WriteError", "check_output_path", "finish_pictures", "run_tables", "simulate_runs"]


def check_output_path(path: str | None, option: str) -> None:
    """Refuse an output path that cannot be written, before any run starts.

    Raises:
        ConfigError: The directory is missing or not writable, or the path is a directory.
    """
    if path is None:
        return
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if p.is_dir():
        raise ConfigError(f"{path!r} is a directory, expected a file to write", option)
    if not parent.is_dir():
        raise ConfigError(f"cannot write {path!r}: no directory {str(parent)!r}", option)
    if not os.access(parent, os.W_OK) or (p.exists() and not os.access(p, os.W_OK)):
        raise ConfigError(f"cannot write {path!r}: permission denied", option)


class _Tracked(concurrent.futures.Executor):
    """A process pool whose finished runs tick the progress line."""

    def __init__(
        self, pool: concurrent.futures.Executor, tick: Callable[[int | None], None]
    ) -> None:
        self.pool = pool
        self.tick = tick

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        future = self.pool.submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: concurrent.futures.Future[Any]) -> None:
        """Tick with the finished run's customers (none when it failed: the error is raised
        where the result is read)."""
        failed = future.cancelled() or future.exception() is not None
        self.tick(None if failed else getattr(future.result(), "customers", None))


def simulate_runs(
    runs: Sequence[tuple[str, Scenario]], sim: SimConfig, *, jobs: int
) -> list[tuple[str, SimResult]]:
    """Run every scenario (label, scenario); one at a time here when *jobs* is 1 or there is one
    run, else on a local pool of *jobs* processes.  Progress goes to stderr (a terminal only).
    """
    progress = Progress(
        sys.stderr,
        "simulating",
        start=sim.start,
        span=sim.duration,
        customers=lambda upto: expected_customers(sim.arrivals.per_hour_at, sim.peak, upto),
        runs=len(runs),
    )
    try:
        if len(runs) == 1 or jobs <= 1:
            results = []
            for _label, scenario in runs:
                hook = progress.fraction if len(runs) == 1 else None
                result = run_scenario(scenario, progress=hook)
                results.append(result)
                if len(runs) > 1:
                    progress.run_done(result.customers)
        else:
            with concurrent.futures.ProcessPoolExecutor(min(jobs, len(runs))) as pool:
                results = run_sweep(
                    [s for _, s in runs], executor=_Tracked(pool, progress.run_done)
                )
    finally:
        progress.close()
    return [(label, r) for (label, _), r in zip(runs, results, strict=True)]


def _seconds(value: Any) -> float | None:
    return None if value is None else round(value.total_seconds(), 1)


def run_tables(
    results: list[tuple[str, SimResult]], sim: SimConfig, *, sweep: str | None
) -> list[Table]:
    """The ``runs`` table (one row per run), a ``summary``: the mean over the replications
    of each swept value (or, without a sweep, one row ``all runs`` over every seed), and for
    a single run its ``sla`` series per interval: every row of
    :attr:`~csflow.sim.SimResult.sla_series`, those of the drain after the horizon too
    (marked ``after_horizon``), so that the rows add up to the report's SLA attainment."""
    cols: tuple[str, ...] = (
        "run",
        "seed",
        "customers",
        "offered",
        "answered",
        "abandoned",
        "service_level",
        "asa_s",
        "abandonment",
        "occupancy",
        "sla_attainment",
        "longest_queue",
    )
    # With call-back offers (in the file, or in a swept variant), how many were taken and
    # how long they waited for the call.
    offers = sim.callbacks is not None or any(r.callbacks for _, r in results)
    if offers:
        cols = (*cols, "callbacks", "callback_wait_s")
    rows = []
    for label, r in results:
        rep = r.report
        row: tuple[Any, ...] = (
            label,
            r.seed,
            r.customers,
            rep.offered,
            rep.answered,
            rep.abandoned,
            rep.service_level,
            _seconds(rep.average_speed_of_answer),
            rep.abandonment_rate,
            rep.occupancy,
            rep.sla.rate,
            rep.max_queue_length,
        )
        if offers:
            row = (*row, r.callbacks, _seconds(r.callback_wait))
        rows.append(row)
    tables = [Table("runs", "Runs", cols, tuple(rows))]
    # Without a sweep, every run is a replication of the one configuration: one mean row.
    every = "all runs"
    keyed = [(label if sweep else every, r) for label, r in results]
    labels = list(dict.fromkeys(label for label, _ in keyed))
    if len(labels) < len(results):
        summary = []
        for label in labels:
            group = [r.report for lb, r in keyed if lb == label]
            sls = [g.service_level for g in group if g.service_level is not None]
            asas = [
                g.average_speed_of_answer.total_seconds()
                for g in group
                if g.average_speed_of_answer is not None
            ]
            occ = [g.occupancy for g in group if g.occupancy is not None]
            summary.append(
                (
                    label,
                    len(group),
                    statistics.fmean(sls) if sls else None,
                    min(sls) if sls else None,
                    max(sls) if sls else None,
                    round(statistics.fmean(asas), 1) if asas else None,
                    statistics.fmean(occ) if occ else None,
                )
            )
        tables.append(
            Table(
                "summary",
                f"Mean over replications{f' by {sweep}' if sweep else ''}",
                ("run", "replications", "service_level", "sl_min", "sl_max", "asa_s", "occupancy"),
                tuple(summary),
            )
        )
    if len(results) == 1:
        zone = sim.start.tzinfo
        end = sim.start + sim.duration
        occupancy = dict(results[0][1].occupancy_series)
        # Every row of the series, the drain's too (the rows from the horizon's end on, where
        # the backlog is served and its cycles decided): the rows add up to the report's SLA.
        series = tuple(
            (
                f"{row.start.astimezone(zone):%Y-%m-%d %H:%M}",
                row.met,
                row.breached,
                row.rate,
                occupancy.get(row.start),
                row.start >= end,
            )
            for row in results[0][1].sla_series
        )
        tables.append(
            Table(
                "sla",
                f"SLA attainment and measured occupancy per {format_duration(sim.interval)} "
                "(after_horizon: the drain, after the arrivals stop)",
                ("from", "met", "breached", "rate", "occupancy", "after_horizon"),
                series,
            )
        )
    return tables


class WriteError(ConfigError):
    """A file written after the work (``--plot``, ``--report``) could not be written -- a
    full disk, say: a bad output, reported as one line with exit status 2 like any bad
    input, but after the command's *output* (its tables) is printed, so that the runs are
    not lost with the picture.

    Attributes:
        output: The command's output, printed on stdout before the error.
    """

    def __init__(self, message: str, path: str = "", output: str = "") -> None:
        super().__init__(message, path)
        self.output = output


def _write(path: str, data: bytes, option: str) -> ConfigError | None:
    """Write *data* to *path*; the error that stopped it, if any.  A file cut short while
    written (the disk filled up) is removed: half a picture is no picture."""
    p = Path(path)
    opened = False
    try:
        with p.open("wb") as f:
            opened = True
            f.write(data)
    except OSError as exc:
        if opened:  # not a file that could not be opened: that one is left as it was
            with contextlib.suppress(OSError):
                if p.is_file() and not p.is_symlink():
                    p.unlink()
        return ConfigError(f"cannot write {path!r}: {exc.strerror or exc}", option)
    return None


def finish_pictures(
    args: argparse.Namespace,
    results: list[tuple[str, SimResult]],
    sim: SimConfig,
    tables: list[Table],
    *,
    title: str,
    config_name: str,
    config_text: str,
    rules: CapacityRules | None = None,
) -> tuple[list[str], ConfigError | None]:
    """Write ``--plot`` and ``--report`` when asked; return lines saying where, and the
    first write that failed (the other file is still written): the caller prints its tables,
    then raises it as a :class:`WriteError`.  *rules* are the desk's capacity rules
    (default: ``CapacityRules()``), for the planned occupancy."""
    notes: list[str] = []
    failed: ConfigError | None = None
    if not (args.plot or args.report):
        return notes, failed
    png = plot_png(results, sim, rules=rules)
    if args.plot:
        fmt = plot_format(args.plot)
        data = png if fmt == "png" else plot_png(results, sim, fmt, rules=rules)
        failed = _write(args.plot, data, "--plot")
        if failed is None:
            notes.append(f"plot written to {args.plot}")
    if args.report:
        page = report_html(title, tables, png=png, config_name=config_name, config_text=config_text)
        error = _write(args.report, page.encode("utf-8"), "--report")
        if error is None:
            notes.append(f"report written to {args.report}")
        failed = failed or error
    return notes, failed
