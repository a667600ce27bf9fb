"""The desk end to end: 2,000 agents, 50 skills, 4 tiers, 5 channels, SLA clocks on.

Driven by ``csflow.sim`` (arrivals, replies, resolutions, abandonment); figures are desk
commands per second and memory per ticket (tracemalloc).  Scaled down from the issue's
1,000,000 tickets to TICKETS (and MEMORY_TICKETS for the tracemalloc run, which is slower)
so that main() stays under two minutes; the cost per command does not grow with the count.
The full run: ``CSFLOW_BENCH_TICKETS=1000000 python -m benchmarks desk``.
"""

from __future__ import annotations

import os
import time
import tracemalloc
from typing import Any

from benchmarks._common import section
from csflow.sim import Scenario, run_scenario

TICKETS = int(os.environ.get("CSFLOW_BENCH_TICKETS", "8000"))
MEMORY_TICKETS = 2_000
AGENTS = 2_000
SKILLS = 50
CHANNELS = ("chat", "whatsapp", "email", "social", "phone")
TIERS = {"platinum": 3, "gold": 2, "silver": 1, "regular": 0}


def scenario(customers: int) -> Scenario:
    always = {
        "timezone": "Asia/Jakarta",
        "weekly": {
            d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        },
    }
    desk: dict[str, Any] = {
        "tiers": [{"name": n, "rank": r} for n, r in TIERS.items()],
        "calendars": {"always": always},
        "sla_policies": [
            {
                "name": n,
                "calendar": "always",
                "targets": {"first_response": 60 * (4 - r), "resolution": 3600 * (4 - r)},
                "warnings": [0.75],
            }
            for n, r in TIERS.items()
        ],
        "queues": [{"name": "vip"}, {"name": "general"}],
        "routing_profiles": [
            {
                "name": "all",
                "queues": [{"queue": "vip", "priority": 1}, {"queue": "general", "priority": 2}],
            }
        ],
        "triage": {
            "mode": "first",
            "rules": [
                {
                    "name": f"skill-{k}",
                    "when": {"field": "category", "eq": f"c{k}"},
                    "then": {"skills": {f"s{k}": 2}},
                }
                for k in range(SKILLS)
            ]
            + [
                {
                    "name": f"sla-{n}",
                    "when": {"field": "tier", "eq": n},
                    "then": {"sla_policy": n, **({"queue": "vip"} if r >= 2 else {})},
                }
                for n, r in TIERS.items()
            ],
        },
    }
    # Each agent knows 5 of the 50 skills; every skill is known by 200 agents.
    agents = [
        {
            "name": f"g{g}",
            "count": AGENTS // 10,
            "skills": {f"s{(g * 5 + j) % SKILLS}": 3 for j in range(5)},
            "capacity": {"chat": 3, "whatsapp": 3, "email": 4, "social": 2, "phone": 1},
        }
        for g in range(10)
    ]
    # Load ~70 % of the agents' slots: 2,000 agents x ~3 slots / 6 min AHT.
    per_hour = 0.7 * AGENTS * 3 * 10
    simulation = {
        "start": "2026-03-16T00:00:00+07:00",
        "duration": "P1D",
        "arrivals": {
            "rates": [["00:00", per_hour]],
            "channels": dict.fromkeys(CHANNELS, 1),
            "tiers": {"platinum": 1, "gold": 2, "silver": 3, "regular": 4},
            "categories": {f"c{k}": 1 for k in range(SKILLS)},
        },
        "agents": agents,
        "handle_time": {"default": {"exponential": "PT6M"}},
        "patience": {"chat": {"exponential": "PT10M"}, "phone": {"exponential": "PT3M"}},
        "max_customers": customers,
    }
    return Scenario("desk", desk, simulation, 1)


def main() -> None:
    section(
        f"Desk end to end: {AGENTS} agents, {SKILLS} skills, {len(TIERS)} tiers, "
        f"{len(CHANNELS)} channels, SLA on ({TICKETS:,} tickets; scaled from 1,000,000)"
    )
    t = time.perf_counter()
    result = run_scenario(scenario(TICKETS))
    elapsed = time.perf_counter() - t
    print(f"  tickets            {result.customers:>12,}")
    print(f"  desk commands      {result.commands:>12,}  ({result.commands / elapsed:,.0f} /s)")
    print(f"  events             {result.events:>12,}  ({result.events / elapsed:,.0f} /s)")
    print(f"  wall time          {elapsed:>12.1f} s  ({result.customers / elapsed:,.0f} tickets/s)")
    sl = result.report.service_level
    print(f"  service level      {sl if sl is None else f'{sl:.1%}':>12}")
    tracemalloc.start()
    run_scenario(scenario(MEMORY_TICKETS))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"  peak memory        {peak / 2**20:>12.1f} MiB for {MEMORY_TICKETS:,} tickets "
        f"({peak / MEMORY_TICKETS / 1024:.1f} KiB per ticket, agents included)"
    )


if __name__ == "__main__":
    main()
