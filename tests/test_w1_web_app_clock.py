"""The web-app guide's service keeps working when the wall clock steps back.

The guide tells a production host to use ``datetime.now(UTC)`` as the service's clock, and
such a clock can step back (an NTP correction).  A request handled at the desk's last instant
went through (``handle`` never asks the desk for an instant behind it), but the timer's
``wake`` asked for the clock's own instant: the desk refused it as earlier than its last one,
and in the guide's asyncio loop that exception ended the loop.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from csflow import AgentProfile, Customer, Desk, Ticket, Tier
from csflow.events import SlaBreached, SlaMet
from test_examples_review3 import web_app_page

T0 = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)


def test_the_service_wakes_and_serves_after_the_clock_steps_back() -> None:
    page = web_app_page()
    now = [T0]
    store: dict[str, str] = {}
    service: Any = page["DeskService"](Desk(page["CONFIG"]), lambda: now[0], store)
    service.handle(
        lambda d, at: d.add_agent(
            AgentProfile("sari", capacity={"chat": 1}), at=at, presence="available"
        )
    )
    ayu = Customer("ayu", Tier("gold", 3))
    service.handle(lambda d, at: d.submit(Ticket("T-1", ayu, "chat", at), at=at))
    now[0] = T0 + timedelta(seconds=10)
    service.handle(lambda d, at: d.submit(Ticket("T-2", ayu, "chat", at), at=at))
    now[0] = T0 + timedelta(seconds=7)  # the wall clock stepped back three seconds
    assert service.wake() == []  # nothing is due before the desk's own instant
    assert service.desk.now == T0 + timedelta(seconds=10)
    # A request in the meantime is served at the desk's instant, not before it.
    met = [
        e
        for e in service.handle(lambda d, at: d.reply("T-1", "sari", at=at))
        if isinstance(e, SlaMet)
    ]
    assert [(e.ticket_id, e.metric.value, e.at) for e in met] == [
        ("T-1", "first_response", T0 + timedelta(seconds=10))
    ]
    # Once the clock passes the deadline, the timer fires as before: T-2 (waiting since
    # 02:00:10 for its one-minute first response) breaches at 02:01:10.
    now[0] = T0 + timedelta(minutes=2)
    breached = [e for e in service.wake() if isinstance(e, SlaBreached)]
    assert [(e.ticket_id, e.at) for e in breached] == [("T-2", T0 + timedelta(seconds=70))]
    # What the service saved restores to the desk it runs.
    assert Desk.restore(page["CONFIG"], json.loads(store["desk"])).now == T0 + timedelta(minutes=2)
