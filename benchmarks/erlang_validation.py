"""Validate the simulator against Erlang C: M/M/c with one FIFO queue, exponential times.

For c=20 at 17 Erlang and c=200 at 180 Erlang (AHT 6 min), at least 1,000,000 customers per
case go through a real desk; the simulated service level (answered within 20 s) must be within
±0.01 of Erlang C, and the average speed of answer is shown beside Erlang C's.

The customers run as independent batches (each with its own seed and a two-hour warm-up that
is left out) on a process pool through :func:`csflow.sweep.run_sweep`: the batches use both
cores, and the batch means give a standard error.  (Memory is flat in the length of a run
either way: the simulator forgets resolved tickets.)

Run: ``.venv/bin/python -m benchmarks.erlang_validation [customers per case] [batches]``;
``make soak`` runs it with 1,000,000 customers per case after the random exploration.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import timedelta

from csflow.sim import mmc_scenario
from csflow.staffing import average_speed_of_answer, service_level
from csflow.sweep import run_sweep

AHT = timedelta(minutes=6)
TARGET = timedelta(seconds=20)
CASES = ((20, 17.0), (200, 180.0))
WARMUP = timedelta(hours=2)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    total = int(args[0]) if args else 1_000_000
    batches = int(args[1]) if len(args) > 1 else 20
    per_batch = -(-total // batches)
    # Each batch's warm-up customers are extra: the report counts at least *total* customers.
    scenarios = []
    for c, load in CASES:
        extra = int(load / AHT.total_seconds() * WARMUP.total_seconds()) + 1
        for b in range(batches):
            scenarios.append(
                mmc_scenario(
                    c, load, AHT, customers=per_batch + extra, warmup=WARMUP, seed=1000 * c + b
                )
            )
    started = time.perf_counter()
    results = run_sweep(scenarios)
    elapsed = time.perf_counter() - started
    print(f"Erlang C validation: {batches} batches per case, AHT {AHT}, target {TARGET}")
    print(f"wall time {elapsed:.0f} s for {sum(r.customers for r in results):,} customers")
    ok = True
    for i, (c, load) in enumerate(CASES):
        mine = results[i * batches : (i + 1) * batches]
        answered = sum(r.report.answered for r in mine)
        within = sum(r.report.answered_within_target for r in mine)
        wait = sum((r.report.total_wait for r in mine), timedelta(0))
        sl = within / answered
        batch_sl = [r.report.answered_within_target / r.report.answered for r in mine]
        se = statistics.stdev(batch_sl) / len(batch_sl) ** 0.5 if len(mine) > 1 else float("nan")
        erl = service_level(c, load, AHT, TARGET)
        asa = wait / answered
        erl_asa = average_speed_of_answer(c, load, AHT)
        good = abs(sl - erl) <= 0.01
        ok &= good
        print(
            f"c={c:<4} load={load:<6g} customers counted={answered:>9,}  "
            f"SL sim={sl:.4f} ± {se:.4f} (s.e.)  Erlang C={erl:.4f}  diff={sl - erl:+.4f}  "
            f"ASA sim={asa.total_seconds():.2f} s  Erlang C={erl_asa.total_seconds():.2f} s  "
            f"{'OK' if good else 'FAIL'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
