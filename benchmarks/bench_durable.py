"""Durable desks: state snapshot size and time, restore time, journal entries.

One desk with AGENTS agents and OPEN open tickets (half assigned, half waiting in line) is
measured after 0 closed tickets, then again after CLOSED[0], CLOSED[1], ... closed tickets --
each one submitted, assigned, resolved, closed and forgotten by the host, one a second, with
``advance`` every 1,000 -- so that the rows differ only in the history behind them.  A state
snapshot (``csflow.desk/3``) holds what is open, so its size and the time to make and
restore it should be flat: the ratio max/min over the rows is printed (target: within 1.2x).
Times are medians of five runs, each compared with a floor measured beside it -- a JSON round
trip (``json.loads`` + ``json.dumps``) of the same document -- because the machine's speed
drifts during a run that lasts minutes; the ratios to the floor are what the rows compare.

A second table measures a desk of LARGE open tickets (10,000 and 100,000 by default; 100
agents, every ticket submitted at one instant, so most wait): ``snapshot()`` plus
``json.dumps`` as a multiple of ``json.dumps`` of the same data alone, and ``Desk.restore`` as a
multiple of ``json.loads`` of its text alone -- the floors, measured beside them in the same
run, with the cyclic garbage collector off -- then each once with the collector on
(``CSFLOW_BENCH_LARGE=10000`` for a shorter run).

The issue's figures (1,000 open tickets, 2,000 agents, 0 / 100,000 / 1,000,000 closed) are the
default; building a million closed tickets takes minutes (progress is printed).  A shorter
run: ``CSFLOW_BENCH_CLOSED=10000,50000 python -m benchmarks.bench_durable``.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import time
from datetime import UTC, datetime, timedelta

from benchmarks._common import section
from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier, command_from_dict
from csflow.desk.commands import Reply, Submit

CLOSED = [int(n) for n in os.environ.get("CSFLOW_BENCH_CLOSED", "100000,1000000").split(",")]
OPEN = int(os.environ.get("CSFLOW_BENCH_OPEN", "1000"))
AGENTS = int(os.environ.get("CSFLOW_BENCH_AGENTS", "2000"))
LARGE = [int(n) for n in os.environ.get("CSFLOW_BENCH_LARGE", "10000,100000").split(",") if n]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# No command log, no history, no contact memory: the contact memory keeps the customers of
# its window (bounded by its window and max_customers, not by the open tickets).
CONFIG = DeskConfig.from_dict(
    {
        "calendars": {"24x7": {"timezone": "Asia/Jakarta", "always_open": True}},
        "sla_policies": [
            {
                "name": "chat",
                "calendar": "24x7",
                "targets": {"first_response": "PT15M", "resolution": "PT4H"},
            }
        ],
        "default_sla_policy": "chat",
        "keep_history": False,
        "keep_log": False,
        "contacts": None,
    }
)
GOLD = Tier("gold", 3)


def start() -> tuple[Desk, datetime]:
    """The agents and the open tickets: half of them with an agent, half waiting (no agent
    takes email)."""
    desk = Desk(CONFIG)
    for i in range(AGENTS):
        profile = AgentProfile(f"a{i}", capacity={"chat": 1})
        desk.add_agent(profile, at=T0, presence="available")
    for i in range(OPEN):
        channel = "chat" if i % 2 else "email"
        desk.submit(Ticket(f"t{i}", Customer(f"o{i}", GOLD), channel, T0), at=T0)
    return desk, T0


def close_more(desk: Desk, at: datetime, first: int, last: int) -> datetime:
    """Tickets *first* to *last* (excluded) go through their whole life, one a second."""
    step = timedelta(seconds=1)
    for i in range(first, last):
        at += step
        tid = f"old{i}"
        desk.submit(Ticket(tid, Customer(f"c{i % 997}", GOLD), "chat", at), at=at)
        agent = desk.ticket(tid).agent_id
        assert agent is not None
        desk.resolve(tid, agent, at=at)
        desk.close(tid, at=at)
        desk.forget(tid, at=at)
        if i % 1000 == 999:
            desk.advance(at=at)
        if i % 100_000 == 99_999:
            print(f"    ... {i + 1:,} closed", flush=True)
    desk.advance(at=at)
    return at


def measure(desk: Desk) -> tuple[int, float, float, float]:
    """Bytes of ``json.dumps(snapshot())``; the median seconds to make it and to restore it;
    and the floor: the median seconds of a JSON round trip of the same document, measured
    between them (the machine's speed drifts during a long run; the ratio to the floor
    does not)."""
    snaps, restores, floors = [], [], []
    doc = ""
    for _ in range(5):
        t = time.perf_counter()
        doc = json.dumps(desk.snapshot())
        snaps.append(time.perf_counter() - t)
        t = time.perf_counter()
        data = json.loads(doc)
        json.dumps(data)
        floors.append(time.perf_counter() - t)
        t = time.perf_counter()
        Desk.restore(CONFIG, data)
        restores.append(time.perf_counter() - t)
    floor = statistics.median(floors)
    return len(doc), statistics.median(snaps), statistics.median(restores), floor


def large(open_tickets: int) -> None:
    """One desk of *open_tickets* open tickets and 100 agents: its snapshot and restore, each
    as a multiple of the JSON work on the same document, with the cyclic garbage collector off
    (as ``timeit`` does: a collection scans the whole desk, and lands on one side of a ratio
    or the other by chance) -- medians of three runs, one run from 50,000 tickets on; then
    one run of each with the collector on, as a host that leaves it on sees them."""
    desk = Desk(CONFIG)
    for i in range(100):
        desk.add_agent(AgentProfile(f"a{i}", capacity={"chat": 1}), at=T0, presence="available")
    for i in range(open_tickets):
        channel = "chat" if i % 2 else "email"
        desk.submit(Ticket(f"t{i}", Customer(f"o{i}", GOLD), channel, T0), at=T0)
    snaps, dumps, loads, restores = [], [], [], []
    doc = ""
    gc.collect()
    gc.disable()
    try:
        for _ in range(3 if open_tickets < 50_000 else 1):
            t = time.perf_counter()
            snap = desk.snapshot()
            snaps.append(time.perf_counter() - t)
            doc = json.dumps(snap)
            t = time.perf_counter()
            json.dumps(snap)
            dumps.append(time.perf_counter() - t)
            del snap
            t = time.perf_counter()
            data = json.loads(doc)
            loads.append(time.perf_counter() - t)
            t = time.perf_counter()
            Desk.restore(CONFIG, data)
            restores.append(time.perf_counter() - t)
            del data
            gc.collect()
    finally:
        gc.enable()
    t = time.perf_counter()
    desk.snapshot()
    snap_gc = time.perf_counter() - t
    data = json.loads(doc)
    t = time.perf_counter()
    Desk.restore(CONFIG, data)
    restore_gc = time.perf_counter() - t
    snap_s, dump_s = statistics.median(snaps), statistics.median(dumps)
    load_s, restore_s = statistics.median(loads), statistics.median(restores)
    print(
        f"  {open_tickets:>9,} open: {len(doc) / 1e6:6.1f} MB; snapshot() {snap_s:6.2f} s + "
        f"json.dumps {dump_s:5.2f} s = {(snap_s + dump_s) / dump_s:5.2f}x json.dumps; "
        f"restore {restore_s:6.2f} s = {restore_s / load_s:5.2f}x json.loads ({load_s:.2f} s); "
        f"collector on: snapshot() {snap_gc:6.2f} s, restore {restore_gc:6.2f} s",
        flush=True,
    )


def main() -> None:
    section("state snapshots of many open tickets: times as multiples of the JSON work alone")
    print("  (the collector off, as timeit runs; then the same once with it on)")
    for n in LARGE:
        large(n)
    section(f"state snapshots: {OPEN:,} open tickets, {AGENTS:,} agents, after N closed tickets")
    desk, at = start()
    rows = []
    done = 0
    for closed in [0, *CLOSED]:
        at = close_more(desk, at, done, closed)
        done = closed
        size, snap_s, restore_s, floor = measure(desk)
        rows.append((size, snap_s / floor, restore_s / floor))
        print(
            f"  closed {closed:>9,}: snapshot {size / 1e6:6.2f} MB in {snap_s * 1e3:7.1f} ms "
            f"(json.dumps included; {snap_s / floor:5.2f}x a JSON round trip of it), restore "
            f"{restore_s * 1e3:7.1f} ms ({restore_s / floor:5.2f}x); the desk holds "
            f"{sum(1 for _ in desk.tickets()):,} tickets",
            flush=True,
        )
    for i, what in enumerate(("size", "snapshot time", "restore time")):
        values = [r[i] for r in rows]
        print(f"  {what:<14} max/min over the rows: {max(values) / min(values):5.2f}x")
    print("  (times as multiples of the JSON round trip of the same snapshot, in the same run)")
    ticket = Ticket("t1", Customer("c1", GOLD, language="id"), "chat", T0, category="refund")
    for cmd in (Submit(ticket, at=T0), Reply("t1", "a1", at=T0)):
        n = 20_000
        t = time.perf_counter()
        for _ in range(n):
            text = json.dumps(cmd.to_dict())
        enc = (time.perf_counter() - t) / n
        t = time.perf_counter()
        for _ in range(n):
            command_from_dict(json.loads(text))
        dec = (time.perf_counter() - t) / n
        print(
            f"  journal entry {type(cmd).__name__:<7}: {len(text):4d} bytes, encode "
            f"{enc * 1e6:6.1f} us, decode {dec * 1e6:6.1f} us"
        )


if __name__ == "__main__":
    main()
