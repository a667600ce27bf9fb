"""Shared helpers for the benchmarks: timing and a ratio table.

Every figure is a median over repeated runs on this machine, in one process, so that csflow's
figures and the peers' are comparable as ratios.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Mapping, Sequence

__all__ = ["Row", "interleaved_per_call", "median_per_call", "print_table", "section"]


def median_per_call(fn: Callable[[], object], *, number: int, repeat: int = 5) -> float:
    """Median seconds per call of *fn* over *repeat* batches of *number* calls."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - start) / number)
    return statistics.median(samples)


def interleaved_per_call(
    fns: Mapping[str, Callable[[], object]],
    *,
    number: int | Mapping[str, int],
    rounds: int = 15,
    warmup: int = 2,
    after_round: Mapping[str, Callable[[], object]] | None = None,
) -> dict[str, float]:
    """Median CPU seconds per call of each of *fns*, timed in turns.

    Each round runs *number* calls of every function (or ``number[name]`` of each), one after
    the other; the median is over the rounds.  A shared machine's speed drifts from one second
    to the next, so figures meant to be read as a ratio are taken side by side like this
    rather than one after the other, and as the process's CPU time (``time.process_time``),
    which time spent waiting for a core does not inflate.  The first *warmup* rounds are not
    timed (a freshly built heap's first tens of thousands of pops run slower than its steady
    state).  ``after_round[name]``, when given, runs untimed after each round of *name* (to
    put back the state its calls used up).

    The cyclic garbage collector is off while timing, as in :mod:`timeit`: a collection of
    everything the process holds (the structures under test, and the other function's) would
    otherwise be charged to whichever call happened to trigger it.
    """
    samples: dict[str, list[float]] = {name: [] for name in fns}
    resets = after_round or {}
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for n in range(warmup + rounds):
            for name, fn in fns.items():
                calls = number if isinstance(number, int) else number[name]
                start = time.process_time()
                for _ in range(calls):
                    fn()
                if n >= warmup:
                    samples[name].append((time.process_time() - start) / calls)
                reset = resets.get(name)
                if reset is not None:
                    reset()
    finally:
        if was_enabled:
            gc.enable()
    return {name: statistics.median(s) for name, s in samples.items()}


Row = tuple[str, float | None, str]  # (label, seconds per unit or None when unavailable, note)


def section(title: str) -> None:
    """Print a section heading."""
    print()
    print(title)
    print("-" * len(title))


def _fmt(seconds: float) -> str:
    if seconds < 1e-6:
        return f"{seconds * 1e9:8.1f} ns"
    if seconds < 1e-3:
        return f"{seconds * 1e6:8.2f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:8.2f} ms"
    return f"{seconds:8.2f} s "


def print_table(
    rows: Sequence[Row],
    *,
    baseline: str | None = None,
    unit: str = "per call",
    ratio_label: str = "× csflow",
) -> None:
    """Print *rows* with a ratio column against the row labelled *baseline* (default: first)."""
    base = next((r[1] for r in rows if r[0] == baseline), rows[0][1]) if rows else None
    width = max(len(r[0]) for r in rows) if rows else 10
    print(f"{'':{width}}  {unit:>11}  {ratio_label:>9}  note")
    for label, secs, note in rows:
        if secs is None:
            print(f"{label:{width}}  {'n/a':>11}  {'':>9}  {note}")
            continue
        ratio = f"{secs / base:8.2f}×" if base else ""
        print(f"{label:{width}}  {_fmt(secs):>11}  {ratio:>9}  {note}")
