"""Durable desks: snapshot size and time, restore time, journal entries.

A desk with OPEN open tickets and AGENTS agents, after 0 and CLOSED[i] closed tickets (each:
submit, resolve, close, forget -- so the desk's *state* is the same in every row).  The
snapshot is still the command log (format ``csflow.desk/2``), so its size and restore time
grow with the closed tickets; the rows say by how much.  Scaled down from the issue's 1,000
open tickets, 2,000 agents and 1,000,000 closed so that main() stays short; the issue's run:
``CSFLOW_BENCH_CLOSED=100000,1000000 CSFLOW_BENCH_OPEN=1000 CSFLOW_BENCH_AGENTS=2000
python -m benchmarks durable``.
"""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta

from benchmarks._common import section
from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier, command_from_dict
from csflow.desk.commands import Reply, Submit

CLOSED = [int(n) for n in os.environ.get("CSFLOW_BENCH_CLOSED", "2000,10000").split(",")]
OPEN = int(os.environ.get("CSFLOW_BENCH_OPEN", "200"))
AGENTS = int(os.environ.get("CSFLOW_BENCH_AGENTS", "200"))
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
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
    }
)
GOLD = Tier("gold", 3)


def build(closed: int) -> Desk:
    desk = Desk(CONFIG)
    for i in range(AGENTS):
        desk.add_agent(AgentProfile(f"a{i}", capacity={"chat": 1}), at=T0, presence="available")
    at = T0
    for i in range(closed):
        at += timedelta(milliseconds=10)
        tid = f"old{i}"
        desk.submit(Ticket(tid, Customer(f"c{i % 997}", GOLD), "chat", at), at=at)
        agent = desk.ticket(tid).agent_id
        assert agent is not None
        desk.resolve(tid, agent, at=at)
        desk.close(tid, at=at)
        desk.forget(tid, at=at)
    for i in range(OPEN):
        desk.submit(Ticket(f"t{i}", Customer(f"c{i % 997}", GOLD), "chat", at), at=at)
    return desk


def main() -> None:
    section(f"durable desks: {OPEN} open tickets, {AGENTS} agents, after N closed tickets")
    base = None
    for closed in [0, *CLOSED]:
        desk = build(closed)
        t = time.perf_counter()
        doc = json.dumps(desk.snapshot())
        snap_s = time.perf_counter() - t
        t = time.perf_counter()
        Desk.restore(CONFIG, json.loads(doc))
        restore_s = time.perf_counter() - t
        row = (len(doc), snap_s, restore_s)
        base = base or row
        print(
            f"  closed {closed:>9,}: snapshot {row[0] / 1e6:8.2f} MB ({row[0] / base[0]:5.1f}x) "
            f"in {snap_s * 1e3:8.1f} ms; restore {restore_s * 1e3:9.1f} ms "
            f"({restore_s / base[2]:5.1f}x)"
        )
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
