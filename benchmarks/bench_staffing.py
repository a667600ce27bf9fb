"""Erlang C / A staffing and rosters: csflow beside pyworkforce's ``ErlangC`` and scheduler.

The headline figure is one staffing search (the fewest agents for 80 % answered within 20 s)
at 180 Erlang, AHT 6 minutes; csflow's target is at most 20 µs.  pyworkforce's ``ErlangC``
takes transactions per interval, AHT and the answer-time target (its ``asa`` argument) in
minutes, and recomputes Erlang B from scratch for every candidate.

The roster rows cover one day's requirements (a staffing plan's scheduled heads) with day,
evening and night shift templates, on a desk that closes at night (a line) and on a 24/7 desk
(a circle: the night shift runs across midnight).  pyworkforce's ``MinRequiredResources`` gets
the same shifts as coverage arrays (a night shift's array wraps around the day) and the same
costs, and solves the integer program with OR-tools' CP-SAT; csflow solves it exactly with
networkx (see :mod:`csflow.staffing.roster`).  Both costs are printed: csflow's must be the same
or lower.

Run with ``python -m benchmarks staffing``.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta, timezone
from typing import Any

from benchmarks._common import Row, median_per_call, print_table, section
from csflow.staffing import (
    agents_for_service_level,
    agents_for_service_level_a,
    erlang_a,
    erlang_c,
    occupancy,
    service_level,
    staffing_plan,
)
from csflow.staffing.roster import cover
from csflow.staffing.shifts import ShiftTemplate

try:
    from pyworkforce.queuing import ErlangC
    from pyworkforce.scheduling import MinRequiredResources
except ImportError:  # the bench extra is not installed
    ErlangC = None
    MinRequiredResources = None

MINUTE = timedelta(minutes=1)
TARGET_US = 20.0


def _peer(load: float, aht_min: float, target_s: float, interval_min: float = 30.0) -> Any:
    assert ErlangC is not None
    return ErlangC(
        transactions=load * interval_min / aht_min,
        aht=aht_min,
        asa=target_s / 60.0,
        interval=interval_min,
    )


def _search_rows(load: float, aht_min: float, target_s: float, level: float) -> list[Row]:
    aht, target = aht_min * MINUTE, timedelta(seconds=target_s)
    n = agents_for_service_level(load, aht, target, level)
    number = max(3, int(200_000 / (10 + load**0.5 * 10)))
    rows: list[Row] = [
        (
            "csflow agents_for_service_level",
            median_per_call(
                lambda: agents_for_service_level(load, aht, target, level), number=number
            ),
            f"{n} agents",
        )
    ]
    if ErlangC is None:
        rows.append(("pyworkforce ErlangC.required_positions", None, "not installed"))
        return rows
    peer_n = _peer(load, aht_min, target_s).required_positions(level)["raw_positions"]
    peer_number = max(1, number // 50 if load < 2000 else 1)
    rows.append(
        (
            "pyworkforce ErlangC.required_positions",
            median_per_call(
                lambda: _peer(load, aht_min, target_s).required_positions(level),
                number=peer_number,
                repeat=3 if load >= 2000 else 5,
            ),
            f"{peer_n} agents" + ("" if peer_n == n else f"  ≠ csflow's {n}"),
        )
    )
    return rows


def _differences() -> None:
    section("Where pyworkforce's answers differ from csflow's")
    if ErlangC is None:
        print("pyworkforce is not installed")
        return
    aht, target = 6 * MINUTE, timedelta(seconds=20)
    peer = _peer(180.0, 6.0, 20.0)
    print("180 Erlang, AHT 6 min, target 20 s (csflow | pyworkforce):")
    print(
        f"{'agents':>7}  {'P(wait)':>9} {'SL':>8} {'occupancy':>9}  |"
        f"  {'P(wait)':>9} {'SL':>9} {'occupancy':>9}"
    )
    for n in (100, 150, 179, 180, 181, 190):
        cw, csl, cocc = (
            erlang_c(n, 180.0),
            service_level(n, 180.0, aht, target),
            occupancy(n, 180.0),
        )
        pw, psl, pocc = (
            peer.waiting_probability(n),
            peer.service_level(n),
            peer.achieved_occupancy(n),
        )
        bad = [v for v in (pw, psl, pocc) if not 0.0 <= v <= 1.0]
        flag = "  <- above 1" if bad else ""
        print(
            f"{n:>7}  {cw:>9.4f} {csl:>8.4f} {cocc:>9.4f}  |  {pw:>9.4g} {psl:>9.3g} {pocc:>9.4f}{flag}"
        )
    print("  with agents <= load the queue is unstable: csflow gives P(wait) 1, SL 0, occupancy 1")
    mismatches = []
    cases = 0
    for load in (0.5, 2.0, 10.0, 17.0, 55.5, 180.0, 333.3, 1000.0):
        for level in (0.5, 0.8, 0.9, 0.95):
            for target_s in (10.0, 20.0, 60.0):  # pyworkforce refuses a zero target
                cases += 1
                ours_n = agents_for_service_level(load, aht, timedelta(seconds=target_s), level)
                theirs = _peer(load, 6.0, target_s)
                theirs_n = theirs.required_positions(level)["raw_positions"]
                if ours_n != theirs_n:
                    mismatches.append((load, level, target_s, ours_n, theirs_n, theirs))
    print(f"fewest agents compared on {cases} cases: {len(mismatches)} differ")
    for load, level, target_s, ours_n, theirs_n, theirs in mismatches:
        print(
            f"  {load:g} E, {level:.0%} in {target_s:g} s: csflow {ours_n}, pyworkforce {theirs_n}"
            f" — its own service_level({ours_n}) is {theirs.service_level(ours_n):.4f}; its search"
            f" starts at round(load + 1) = {round(load + 1)}"
        )
    try:
        _peer(0.0, 6.0, 20.0)
    except ValueError as exc:
        print(f"zero load: pyworkforce raises ValueError({exc!r}); csflow needs 0 agents")


def main() -> None:
    """Print csflow's staffing figures beside pyworkforce's."""
    section("Staffing search at 180 Erlang (AHT 6 min, 80 % within 20 s)")
    rows = _search_rows(180.0, 6.0, 20.0, 0.8)
    print_table(rows)
    ours = rows[0][1]
    assert ours is not None
    verdict = "meets" if ours * 1e6 <= TARGET_US else "misses"
    print(f"csflow: {ours * 1e6:.1f} µs per search, {verdict} the {TARGET_US:g} µs target")

    for load, aht_min, target_s, level in (
        (10.0, 3.0, 20.0, 0.8),
        (1000.0, 6.0, 20.0, 0.8),
        (10_000.0, 6.0, 20.0, 0.8),
    ):
        section(
            f"Staffing search at {load:g} Erlang (AHT {aht_min:g} min, {level:.0%} in {target_s:g} s)"
        )
        print_table(_search_rows(load, aht_min, target_s, level))

    section("One evaluation at 190 agents / 180 Erlang")
    aht, target = 6 * MINUTE, timedelta(seconds=20)
    eval_rows: list[Row] = [
        (
            "csflow service_level",
            median_per_call(lambda: service_level(190, 180.0, aht, target), number=5000),
            "",
        ),
        ("csflow erlang_c", median_per_call(lambda: erlang_c(190, 180.0), number=5000), ""),
    ]
    if ErlangC is not None:
        peer = _peer(180.0, 6.0, 20.0)
        eval_rows.append(
            (
                "pyworkforce service_level",
                median_per_call(lambda: peer.service_level(190), number=500),
                "",
            )
        )
    print_table(eval_rows)

    section("Erlang A (patience 3 min) at 180 Erlang — no peer computes it")
    patience = 3 * MINUTE
    print_table(
        [
            (
                "csflow erlang_a (190 agents)",
                median_per_call(lambda: erlang_a(190, 180.0, aht, patience, target), number=200),
                f"SL {erlang_a(190, 180.0, aht, patience, target).service_level:.4f}",
            ),
            (
                "csflow agents_for_service_level_a",
                median_per_call(
                    lambda: agents_for_service_level_a(180.0, aht, target, 0.8, patience), number=20
                ),
                f"{agents_for_service_level_a(180.0, aht, target, 0.8, patience)} agents "
                f"(Erlang C: {agents_for_service_level(180.0, aht, target, 0.8)})",
            ),
        ]
    )

    section("A day plan: 96 quarter-hours, 50-2,000 arrivals each, AHT 5 min, 80 % in 20 s")
    start = datetime(2026, 3, 20, tzinfo=timezone(timedelta(hours=7)))
    quarter = timedelta(minutes=15)
    arrivals = [50 + 1950 * (1 - abs(i - 60) / 60) ** 2 for i in range(96)]
    forecast = [(start + i * quarter, quarter, x) for i, x in enumerate(arrivals)]
    plan_rows: list[Row] = [
        (
            "csflow staffing_plan",
            median_per_call(
                lambda: staffing_plan(forecast, 5 * MINUTE, target, 0.8, shrinkage=0.3), number=5
            ),
            f"peak {staffing_plan(forecast, 5 * MINUTE, target, 0.8).peak_agents} agents",
        ),
        (
            "csflow staffing_plan, Lebaran eve ×2.5",
            median_per_call(
                lambda: staffing_plan(
                    forecast, 5 * MINUTE, target, 0.8, shrinkage=0.3, multiplier=2.5
                ),
                number=5,
            ),
            f"peak {staffing_plan(forecast, 5 * MINUTE, target, 0.8, multiplier=2.5).peak_agents}"
            " agents",
        ),
    ]
    if ErlangC is not None:

        def peer_plan() -> list[object]:
            return [
                ErlangC(
                    transactions=x, aht=5.0, asa=20 / 60, interval=15, shrinkage=0.3
                ).required_positions(0.8)
                for x in arrivals
            ]

        plan_rows.append(
            ("pyworkforce ErlangC per interval", median_per_call(peer_plan, number=1, repeat=3), "")
        )
    print_table(plan_rows, unit="per plan")

    _differences()
    _rosters()


def _roster_case(wraps: bool) -> tuple[list[int], list[ShiftTemplate]]:
    """A Lebaran-eve day in half-hours: heads from a staffing plan, and shift templates."""
    start = datetime(2026, 3, 19, tzinfo=timezone(timedelta(hours=7)))
    half = timedelta(minutes=30)
    hour = timedelta(hours=1)
    per_half = [20 + 180 * max(0.0, 1 - abs(i - 26) / 20) ** 1.5 for i in range(48)]
    if not wraps:  # the desk is open 06:00-22:00
        per_half = [x if 12 <= i < 44 else 0.0 for i, x in enumerate(per_half)]
    forecast = [(start + i * half, half, x) for i, x in enumerate(per_half)]
    plan = staffing_plan(forecast, 4 * MINUTE, timedelta(seconds=30), 0.8, shrinkage=0.25)
    need = [i.scheduled_heads for i in plan.intervals]
    templates = [
        ShiftTemplate("early", 8 * hour, 6 * hour, 8 * hour, cost=8),
        ShiftTemplate("day", 8 * hour, 9 * hour, 11 * hour, cost=8),
        ShiftTemplate("late", 8 * hour, 13 * hour, 14 * hour, cost=9),
        ShiftTemplate("part", 4 * hour, 10 * hour, 18 * hour, cost=5),
    ]
    if wraps:
        templates.append(ShiftTemplate("night", 9 * hour, 21 * hour, 23 * hour, cost=12))
    return need, templates


def _peer_roster(need: list[int], templates: list[ShiftTemplate], wraps: bool) -> float:
    assert MinRequiredResources is not None
    half = timedelta(minutes=30)
    coverage: dict[str, list[int]] = {}
    costs: dict[str, int] = {}
    for t in templates:
        first, last = t.earliest // half, (t.latest or t.earliest) // half
        for s in range(first, last + 1):
            if not wraps and s + t.length // half > 48:
                continue
            cells = {(s + j) % 48 for j in range(t.length // half)}
            name = f"{t.name}@{s}"
            coverage[name] = [int(p in cells) for p in range(48)]
            costs[name] = int(t.unit_cost)
    peer = MinRequiredResources(
        num_days=1,
        periods=48,
        shifts_coverage=coverage,
        required_resources=[need],
        max_period_concurrency=10_000,
        max_shift_concurrency=10_000,
        cost_dict=costs,
        max_search_time=120.0,
        num_search_workers=2,
    )
    solution = peer.solve()
    assert solution["status"] in ("OPTIMAL", "FEASIBLE"), solution["status"]
    return float(solution["cost"])


def _rosters() -> None:
    for wraps, title in ((False, "desk open 06:00-22:00"), (True, "24/7 desk, night shift")):
        need, templates = _roster_case(wraps)
        section(f"Roster for a Lebaran-eve day, {title}: 48 half-hours, peak {max(need)} heads")
        interval = timedelta(minutes=30)
        roster = cover(need, templates, interval=interval, wraps=wraps)
        rows: list[Row] = [
            (
                "csflow cover (networkx, exact)",
                median_per_call(
                    functools.partial(cover, need, templates, interval=interval, wraps=wraps),
                    number=1,
                    repeat=3,
                ),
                f"cost {roster.cost:g}, {roster.agents} agents",
            )
        ]
        if MinRequiredResources is None:
            rows.append(("pyworkforce MinRequiredResources", None, "not installed"))
        else:
            peer_cost = _peer_roster(need, templates, wraps)
            verdict = (
                "same"
                if peer_cost == roster.cost
                else ("csflow lower" if roster.cost < peer_cost else "csflow HIGHER")
            )
            rows.append(
                (
                    "pyworkforce MinRequiredResources (CP-SAT)",
                    median_per_call(
                        functools.partial(_peer_roster, need, templates, wraps),
                        number=1,
                        repeat=3,
                    ),
                    f"cost {peer_cost:g} ({verdict})",
                )
            )
        print_table(rows, unit="per roster")


if __name__ == "__main__":
    main()
