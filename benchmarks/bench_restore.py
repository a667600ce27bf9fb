"""Restoring a large desk: ``Desk.restore`` per open ticket, against the floors beside it.

A desk of N open tickets (``CSFLOW_BENCH_RESTORE=10000,50000`` by default) on the sample desk
of :mod:`csflow.samples` (five SLA policies, e-mail on office hours, four queues): tickets of
every tier on chat, e-mail, WhatsApp and social media, one customer in two with a second
ticket, agents with room for a few of them, and every other assigned ticket answered and set
pending -- so the snapshot holds queued, assigned and pending tickets, with their SLA clocks
(running, paused) and, in the first table, their histories.

Each row prints the restore time per ticket and two floors measured beside it in the same
run, with the cyclic garbage collector off (medians of three runs):

- the JSON round trip of the snapshot (``json.loads(json.dumps(snapshot))``), the work any
  restore from text does before csflow reads a value;
- building the ``Ticket`` objects (customers and tiers included) from the snapshot's ticket
  rows alone, without any of the desk around them.

``restore / json`` is the figure to compare between versions: what a restore costs beyond
parsing, the checks that refuse a tampered snapshot included.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from benchmarks._common import section
from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.samples import TIERS, demo_desk_data

SIZES = [int(n) for n in os.environ.get("CSFLOW_BENCH_RESTORE", "10000,50000").split(",") if n]
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # a Monday, 09:00 in Jakarta
CHANNELS = ("chat", "email", "whatsapp", "social")


def build(n: int, *, history: bool) -> tuple[DeskConfig, Desk]:
    """The sample desk with *n* open tickets, queued, assigned and pending."""
    data = demo_desk_data()
    data["keep_history"] = history
    config = DeskConfig.from_dict(data)
    desk = Desk(config)
    for i in range(max(20, n // 50)):
        profile = AgentProfile(
            f"a{i}",
            capacity={"chat": 2, "email": 2, "whatsapp": 1},
            teams=["front"] if i % 3 else ["technical"],
        )
        desk.add_agent(profile, at=T0, presence="available")
    tiers = list(TIERS.values())
    at = T0
    for i in range(n):
        at = T0 + timedelta(seconds=i // 10)
        customer = Customer(f"c{i % (n // 2 or 1)}", tiers[i % len(tiers)])
        desk.submit(Ticket(f"t{i}", customer, CHANNELS[i % 4], at), at=at)
    for k, tid in enumerate(list(desk.tickets())):
        agent = desk.ticket(tid).agent_id
        if agent is not None and k % 2 == 0:
            desk.reply(tid, agent, at=at)
            desk.set_status(tid, "pending", at=at)
    return config, desk


def tickets_alone(rows: list[dict[str, Any]]) -> None:
    """The floor of reading the tickets: each row's ``Ticket``, customer and tier built."""
    for row in rows:
        t, c = row["ticket"], row["ticket"]["customer"]
        tier = Tier(c["tier"]["name"], c["tier"]["rank"])
        customer = Customer(
            c["id"],
            tier,
            language=c["language"],
            preferred_agent=c["preferred_agent"],
            attributes=c["attributes"],
        )
        Ticket(
            t["id"],
            customer,
            t["channel"],
            datetime.fromisoformat(t["created_at"]),
            priority=t["priority"],
            category=t["category"],
            language=t["language"],
            required_skills=t["required_skills"],
            attributes=t["attributes"],
        )


def row(n: int, *, history: bool) -> None:
    config, desk = build(n, history=history)
    snap = desk.snapshot()
    counts: dict[str, int] = {}
    for tid in desk.tickets():
        state = desk.ticket(tid).state.value
        counts[state] = counts.get(state, 0) + 1
    del desk
    jsons, floors, restores = [], [], []
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            t = time.perf_counter()
            data = json.loads(json.dumps(snap))
            jsons.append(time.perf_counter() - t)
            t = time.perf_counter()
            tickets_alone(data["state"]["tickets"])
            floors.append(time.perf_counter() - t)
            t = time.perf_counter()
            Desk.restore(config, data)
            restores.append(time.perf_counter() - t)
            del data
            gc.collect()
    finally:
        gc.enable()
    js, fl, rs = (statistics.median(x) for x in (jsons, floors, restores))
    mix = ", ".join(f"{v:,} {k}" for k, v in sorted(counts.items()))
    print(
        f"  {n:>7,} open ({mix}): restore {rs / n * 1e6:6.1f} µs a ticket = "
        f"{rs / js:5.2f}x json ({js / n * 1e6:5.1f} µs), {rs / fl:5.2f}x the tickets alone "
        f"({fl / n * 1e6:5.1f} µs)",
        flush=True,
    )


def main() -> None:
    for history in (True, False):
        section(
            "Desk.restore of the sample desk, per open ticket, as multiples of the JSON round "
            f"trip and of building the tickets alone (history {'kept' if history else 'off'})"
        )
        for n in SIZES:
            row(n, history=history)


if __name__ == "__main__":
    main()
