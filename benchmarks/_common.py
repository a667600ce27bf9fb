"""Shared helpers for the benchmarks: timing and a ratio table.

Every figure is a median over repeated runs on this machine, in one process, so that csflow's
figures and the peers' are comparable as ratios.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence

__all__ = ["Row", "median_per_call", "print_table", "section"]


def median_per_call(fn: Callable[[], object], *, number: int, repeat: int = 5) -> float:
    """Median seconds per call of *fn* over *repeat* batches of *number* calls."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - start) / number)
    return statistics.median(samples)


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
    rows: Sequence[Row], *, baseline: str | None = None, unit: str = "per call"
) -> None:
    """Print *rows* with a ratio column against the row labelled *baseline* (default: first)."""
    base = next((r[1] for r in rows if r[0] == baseline), rows[0][1]) if rows else None
    width = max(len(r[0]) for r in rows) if rows else 10
    print(f"{'':{width}}  {unit:>11}  {'× csflow':>9}  note")
    for label, secs, note in rows:
        if secs is None:
            print(f"{label:{width}}  {'n/a':>11}  {'':>9}  {note}")
            continue
        ratio = f"{secs / base:8.2f}×" if base else ""
        print(f"{label:{width}}  {_fmt(secs):>11}  {ratio:>9}  {note}")
