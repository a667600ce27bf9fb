"""Plan chat staffing for the evening before Lebaran, and draw it.

A normal evening's chat forecast (arrivals per 30 minutes) is scaled by the peak-day multiplier
for the last evening before Idul Fitri; Erlang A (customers give up after ~3 minutes on
average) gives the agents needed for 80 % of chats answered within 60 s, and 30 % shrinkage
(breaks, training) turns agents into heads to schedule.

Run with ``python examples/lebaran_staffing.py``; with the ``plot`` extra installed it also
writes ``lebaran_staffing.png`` (into ``$CSFLOW_EXAMPLE_OUT`` when set).
"""

from __future__ import annotations

import os
import pathlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from csflow import staffing_plan

JAKARTA = ZoneInfo("Asia/Jakarta")
# Chats per 30 minutes on an ordinary evening, 17:00-23:00.
NORMAL_EVENING = [120, 150, 190, 240, 260, 250, 230, 210, 180, 150, 110, 80]
LEBARAN_EVE = 2.5  # the peak-day multiplier
# The evening before Idul Fitri 1447 H (Saturday 21 March 2026 in Indonesia).
START = datetime(2026, 3, 20, 17, 0, tzinfo=JAKARTA)


def main() -> None:
    start = START
    step = timedelta(minutes=30)
    forecast = [(start + i * step, step, float(n)) for i, n in enumerate(NORMAL_EVENING)]
    plans = {
        name: staffing_plan(
            forecast,
            aht=timedelta(minutes=7),
            target=timedelta(seconds=60),
            level=0.8,
            patience=timedelta(minutes=3),
            shrinkage=0.3,
            multiplier=factor,
        )
        for name, factor in (("normal", 1.0), ("lebaran eve", LEBARAN_EVE))
    }
    print("time   normal: chats agents heads | lebaran eve: chats agents heads   SL")
    for a, b in zip(plans["normal"].intervals, plans["lebaran eve"].intervals, strict=True):
        print(
            f"{a.start:%H:%M}  {a.arrivals:12.0f} {a.agents:6d} {a.scheduled_heads:5d} | "
            f"{b.arrivals:18.0f} {b.agents:6d} {b.scheduled_heads:5d}  {b.service_level:5.1%}"
        )
    for name, plan in plans.items():
        print(
            f"{name}: peak {plan.peak_agents} agents / {plan.peak_heads} heads, "
            f"{plan.scheduled_hours:.0f} scheduled hours"
        )
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, ax = plt.subplots(figsize=(8, 4))
    for name, plan in plans.items():
        ax.step(
            [i.start.hour + i.start.minute / 60 for i in plan.intervals],
            [i.scheduled_heads for i in plan.intervals],
            where="post",
            label=name,
        )
    ax.set_xlabel("hour of day (Asia/Jakarta)")
    ax.set_ylabel("heads to schedule (chat)")
    ax.set_title("Chat staffing, evening before Lebaran 2026 (Erlang A, 80 % in 60 s)")
    ax.legend()
    out = pathlib.Path(os.environ.get("CSFLOW_EXAMPLE_OUT", ".")) / "lebaran_staffing.png"
    fig.savefig(out, dpi=100)


if __name__ == "__main__":
    main()
