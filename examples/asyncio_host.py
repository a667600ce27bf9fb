"""A tiny asyncio host: feed the desk as input arrives, sleep until ``next_wakeup()`` otherwise.

The desk never reads a clock; the host does.  Here one desk second lasts 5 ms of real time, so
the script finishes in under two seconds; a real host would use ``datetime.now(UTC)`` and real
sleeps.  (Faster still, a busy machine could deliver a scripted command a few desk seconds
late, after a timer it should precede, and the output would change.)

Run with ``python examples/asyncio_host.py``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from csflow import AgentProfile, CsflowError, Customer, Desk, DeskConfig, Event, Ticket, Tier

SCALE = 0.005  # real seconds per desk second
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
Command = Callable[[Desk, datetime], list[Event]]


class Host:
    """Owns the loop, the clock and the I/O; the desk owns the decisions."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.inbox: asyncio.Queue[tuple[datetime, Command]] = asyncio.Queue()
        self.loop = asyncio.get_running_loop()
        self.t0 = self.loop.time()

    def now(self) -> datetime:
        return START + timedelta(seconds=(self.loop.time() - self.t0) / SCALE)

    def publish(self, events: list[Event]) -> None:
        for e in events:  # a real host would notify agents, customers and supervisors here
            print(f"{type(e).__name__:<22} {getattr(e, 'ticket_id', getattr(e, 'agent_id', ''))}")

    async def run(self, until: datetime) -> None:
        while True:
            wake = self.desk.next_wakeup()
            deadline = min(wake, until) if wake is not None else until
            timeout = max(0.0, (deadline - self.now()).total_seconds() * SCALE)
            try:
                at, command = await asyncio.wait_for(self.inbox.get(), timeout)
            except TimeoutError:
                if deadline >= until:
                    return
                self.publish(self.desk.advance(at=max(deadline, self.desk.now or deadline)))
                continue
            at = max(at, self.desk.now or at)
            self.publish(self.desk.advance(at=at))
            try:
                self.publish(command(self.desk, at))
            except CsflowError as exc:  # refused, and nothing changed: tell the sender why
                print(f"{'refused':<22} {type(exc).__name__}: {exc}")


async def customers(host: Host) -> None:
    """The outside world: a script of what happens, at desk times."""
    gold = Customer("ayu", Tier("gold", 3))
    script: list[tuple[int, Command]] = [
        (0, lambda d, at: d.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=at)),
        (5, lambda d, at: d.submit(Ticket("T-1", gold, "chat", at), at=at)),
        (50, lambda d, at: d.set_presence("sari", "available", at=at)),
        (120, lambda d, at: d.reply("T-1", "sari", at=at)),
        (300, lambda d, at: d.resolve("T-1", "sari", at=at)),
    ]
    for second, command in script:
        delay = (START + timedelta(seconds=second) - host.now()).total_seconds() * SCALE
        await asyncio.sleep(max(0.0, delay))
        await host.inbox.put((START + timedelta(seconds=second), command))


async def main() -> None:
    config = DeskConfig.from_dict(
        {
            "calendars": {"24x7": {"timezone": "UTC", "always_open": True}},
            "sla_policies": [
                {"name": "chat", "calendar": "24x7", "targets": {"first_response": "PT1M"}}
            ],
            "default_sla_policy": "chat",
        }
    )
    host = Host(Desk(config))
    await asyncio.gather(host.run(until=START + timedelta(seconds=310)), customers(host))


if __name__ == "__main__":
    asyncio.run(main())
