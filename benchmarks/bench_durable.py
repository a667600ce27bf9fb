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

The issue's figures (1,000 open tickets, 2,000 agents, 0 / 100,000 / 1,000,000 closed) are the
default; building a million closed tickets takes minutes (progress is printed).  A shorter
run: ``CSFLOW_BENCH_CLOSED=10000,50000 python -m benchmarks.bench_durable``.
"""

from __future__ import annotations

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


def main() -> None:
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
