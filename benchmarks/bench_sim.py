"""Simulator throughput: customers per second on M/M/c, csflow's full desk beside SimPy and Ciw.

The same queue in each: c agents, Poisson arrivals at 0.9c Erlang (180 Erlang at c=200), AHT
6 min, one FIFO queue.  csflow runs a real Desk (routing, queues, and with "SLA on" the SLA
clocks, warnings and the agent's first reply) through ``csflow.sim``; SimPy uses a
``Resource``; Ciw a one-node network.  Beside them, the floor of the desk's contract
(:mod:`benchmarks._sim_floor`: the same commands, events, SLA clocks and report through a desk
with none of the features), which says how much of the gap to the peers the contract itself
takes.  Then csflow's cost per customer from c=20 to c=1000.
"""

from __future__ import annotations

import random
import time
from collections.abc import Generator
from datetime import timedelta
from typing import Any

from benchmarks._common import Row, print_table, section
from benchmarks._sim_floor import run_floor
from csflow.sim import mmc_scenario, run_scenario

AHT_S = 360.0
N = 6000


def _csflow(c: int, load: float, n: int, *, sla: bool) -> float:
    sc = mmc_scenario(c, load, timedelta(seconds=AHT_S), customers=n, seed=1, sla=sla)
    t = time.perf_counter()
    run_scenario(sc)
    return (time.perf_counter() - t) / n


def _floor(c: int, load: float, n: int) -> float:
    t = time.perf_counter()
    run_floor(c, load, n, AHT_S)
    return (time.perf_counter() - t) / n


def _simpy(c: int, load: float, n: int) -> float | None:
    try:
        import simpy
    except ImportError:
        return None
    rng = random.Random(1)
    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=c)
    lam = load / AHT_S

    def customer(env: simpy.Environment) -> Generator[Any, Any, None]:
        with desk.request() as req:
            yield req
            yield env.timeout(rng.expovariate(1 / AHT_S))

    def source(env: simpy.Environment) -> Generator[Any, Any, None]:
        for _ in range(n):
            yield env.timeout(rng.expovariate(lam))
            env.process(customer(env))

    env.process(source(env))
    t = time.perf_counter()
    env.run()
    return (time.perf_counter() - t) / n


def _ciw(c: int, load: float, n: int) -> float | None:
    try:
        import ciw
    except ImportError:
        return None
    lam = load / AHT_S
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=lam)],
        service_distributions=[ciw.dists.Exponential(rate=1 / AHT_S)],
        number_of_servers=[c],
    )
    ciw.seed(1)
    sim = ciw.Simulation(network)
    t = time.perf_counter()
    sim.simulate_until_max_customers(n, method="Finish")
    return (time.perf_counter() - t) / n


def _ratio(peer: float | None, ours: float) -> str:
    """The peer's seconds per customer over csflow's: csflow's throughput as a fraction."""
    return "n/a" if peer is None else f"{peer / ours:.3f}"


def main() -> None:
    section(f"M/M/200 at 180 Erlang, AHT 6 min: seconds per customer ({N} customers each)")
    rows: list[Row] = [
        ("csflow sim, full desk (SLA on)", _csflow(200, 180.0, N, sla=True), "real Desk"),
        ("csflow sim, routing only", _csflow(200, 180.0, N, sla=False), "no SLA clocks"),
        ("simpy Resource", _simpy(200, 180.0, N), "peer"),
        ("ciw one-node network", _ciw(200, 180.0, N), "peer"),
    ]
    print_table(rows, unit="per customer")
    for label, secs, _ in rows:
        if secs:
            print(f"  {label:<32} {1 / secs:10,.0f} customers/s")
    section("Throughput against the peers as the desk grows (0.9c Erlang): ratios in one run")
    print(
        f"{'c':>6}  {'full/SimPy':>10}  {'full/Ciw':>8}  {'no SLA/SimPy':>12}  "
        f"{'floor/SimPy':>11}  {'full/floor':>10}"
    )
    flat: list[Row] = []
    for c in (20, 200, 1000):
        full = _csflow(c, 0.9 * c, N, sla=True)
        bare = _csflow(c, 0.9 * c, N, sla=False)
        sp = _simpy(c, 0.9 * c, N)
        cw = _ciw(c, 0.9 * c, N)
        floor = _floor(c, 0.9 * c, N)
        flat.append((f"c={c}", full, ""))
        print(
            f"{c:>6}  {_ratio(sp, full):>10}  {_ratio(cw, full):>8}  {_ratio(sp, bare):>12}  "
            f"{_ratio(sp, floor):>11}  {_ratio(floor, full):>10}"
        )
    print("  (customers per second of csflow over the peer's: 1.0 is the peer's speed;")
    print("   floor: the desk's contract with none of its features, benchmarks/_sim_floor.py)")
    section("csflow cost per customer as the desk grows (0.9c Erlang, SLA on)")
    print_table(flat, unit="per customer")
    costs = [s for _, s, _ in flat if s]
    print(f"  max / min cost per customer: {max(costs) / min(costs):.2f}× (budget 1.5×)")


if __name__ == "__main__":
    main()
