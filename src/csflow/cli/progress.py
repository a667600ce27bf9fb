"""Progress on stderr: customers simulated, simulated time reached, time left.

Drawn only when stderr is a terminal (a pipe or a log file gets nothing), redrawn at most ten
times a second, from the first report on (a short run shows it too), and cleared at the end.
The simulator reports the fraction of simulated time done and the customers simulated so
far, so a single run shows the exact count; several runs on a pool show the customers of the
runs finished.  When no count is reported (a caller of :meth:`Progress.fraction` without one)
the line shows the number the arrival profile expects by then, marked ``~``.  The time left
extrapolates the wall-clock time spent so far.  This module reads the clock: the CLI is the only part of
csflow allowed to.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TextIO

__all__ = ["Progress", "expected_customers"]


def expected_customers(
    rate_at: Callable[[timedelta], float], peak: float, upto: timedelta
) -> float:
    """The customers a rate profile (per hour, by offset) brings in over ``[0, upto)``."""
    total = 0.0
    step = timedelta(minutes=5)
    t = timedelta(0)
    while t < upto:
        span = min(step, upto - t)
        total += rate_at(t) * peak * span / timedelta(hours=1)
        t += span
    return total


class Progress:
    """A one-line progress report on *stream*, silent unless it is a terminal.

    Args:
        stream: Where to draw (stderr).
        label: What is running.
        start: The simulated start (for "simulated time reached"), or ``None``.
        span: The simulated span of one run.
        customers: Expected customers by a simulated offset, or ``None``.
        runs: How many runs this progress covers.
    """

    def __init__(
        self,
        stream: TextIO,
        label: str,
        *,
        start: datetime | None = None,
        span: timedelta | None = None,
        customers: Callable[[timedelta], float] | None = None,
        runs: int = 1,
    ) -> None:
        self.stream = stream
        self.enabled = bool(getattr(stream, "isatty", lambda: False)())
        self.label = label
        self.start = start
        self.span = span
        self.customers = customers
        self.runs = runs
        self.done_runs = 0
        self.done_customers = 0
        self.counted: int | None = None
        self.began = time.monotonic()
        self.last = 0.0
        self.width = 0
        self.lock = threading.Lock()

    def fraction(self, frac: float, customers: int | None = None) -> None:
        """A single run reports the fraction of its simulated time done and the customers
        simulated so far (the simulator's progress callback)."""
        if customers is not None:
            self.counted = customers
        self._draw(frac, frac, force=frac >= 1.0)

    def run_done(self, customers: int | None = None) -> None:
        """One run of several finished, with its customers (called from a pool's callback
        thread)."""
        with self.lock:
            self.done_runs += 1
            frac = self.done_runs / self.runs
            if customers is not None:
                self.done_customers += customers
                self.counted = self.done_customers
        self._draw(frac, 1.0, force=True)

    def _draw(self, frac: float, run_frac: float, *, force: bool) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self.last < 0.1:
            return
        self.last = now
        parts = [self.label]
        if self.runs > 1:
            parts.append(f"{self.done_runs}/{self.runs} runs")
        if self.counted is not None:
            parts.append(f"{self.counted:,} customers")
        elif self.span is not None and self.customers is not None:
            reached = self.span * run_frac
            n = self.customers(reached) * (self.done_runs if self.runs > 1 else 1)
            parts.append(f"~{n:,.0f} customers")
        if self.span is not None and self.start is not None and self.runs == 1:
            parts.append(f"simulated {(self.start + self.span * run_frac):%a %d %b %H:%M}")
        elapsed = now - self.began
        if 0 < frac < 1:
            parts.append(f"{frac:4.0%}, about {elapsed * (1 - frac) / frac:.0f} s left")
        else:
            parts.append(f"{frac:4.0%}")
        line = ", ".join(parts)
        with self.lock:
            self.stream.write("\r" + line.ljust(self.width))
            self.width = len(line)
            self.stream.flush()

    def close(self) -> None:
        """Clear the line."""
        if self.enabled and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
