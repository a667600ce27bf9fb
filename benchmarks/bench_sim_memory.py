"""Simulator memory in the length of a run: max RSS of 100,000 and 1,000,000 customers.

M/M/200 at 180 Erlang, AHT 6 min, the full desk (SLA clocks on).  Each run is a fresh process
(max RSS is a high-water mark), and SimPy's plain ``Resource`` model runs the same traffic in
its own processes as the floor.  The simulator closes and forgets each resolved ticket, folds
its report in as it goes, and the desk's per-customer memories (contacts, who served whom) are
bounded, so the ratio between the two lengths should stay within 1.5x.

``CSFLOW_BENCH_MEMORY=10000,100000`` measures other lengths (the 1,000,000-customer run takes
minutes).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from benchmarks._common import section

_CSFLOW = """
import resource, sys
from datetime import timedelta
from csflow.sim import mmc_scenario, run_scenario
n = int(sys.argv[1])
r = run_scenario(mmc_scenario(200, 180.0, timedelta(seconds=360), customers=n, seed=1, sla=True))
assert r.customers == n, r.customers
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

_SIMPY = """
import random, resource, sys
import simpy
n = int(sys.argv[1])
rng = random.Random(1)
env = simpy.Environment()
desk = simpy.Resource(env, capacity=200)
def customer(env):
    with desk.request() as req:
        yield req
        yield env.timeout(rng.expovariate(1 / 360))
def source(env):
    for _ in range(n):
        yield env.timeout(rng.expovariate(0.5))
        env.process(customer(env))
env.process(source(env))
env.run()
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _rss_mib(code: str, n: int) -> tuple[float, float] | None:
    """Max RSS (MiB) and wall seconds of *code* run for *n* customers in a fresh process."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, str(n)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        print(f"  (failed: {done.stderr.strip().splitlines()[-1:]})")
        return None
    return int(done.stdout.split()[-1]) / 1024, time.perf_counter() - started


def main() -> None:
    sizes = [int(s) for s in os.environ.get("CSFLOW_BENCH_MEMORY", "100000,1000000").split(",")]
    section("Simulator memory: max RSS by run length (M/M/200, 180 Erlang, full desk)")
    print(f"  {'customers':>10}  {'csflow MiB':>10}  {'simpy MiB':>10}  {'csflow s':>9}")
    mine: list[float] = []
    for n in sizes:
        ours = _rss_mib(_CSFLOW, n)
        peer = _rss_mib(_SIMPY, n)
        if ours is None:
            continue
        mine.append(ours[0])
        simpy = f"{peer[0]:10.1f}" if peer else f"{'-':>10}"
        print(f"  {n:>10,}  {ours[0]:10.1f}  {simpy}  {ours[1]:9.1f}")
    if len(mine) > 1:
        print(f"  longest / shortest run's max RSS: {mine[-1] / mine[0]:.2f}x (budget 1.5x)")


if __name__ == "__main__":
    main()
