"""A desk restored under an accepted config change writes snapshots that config restores.

A preferred-agent hold read under a change is made one the new config could have made:
cut to ``now + the new longest hold`` (a shortened affinity timeout), ended when the new
config no longer lets its agent serve the ticket (a routing profile that stopped serving
its queue).  Before, the restored desk kept the old hold, and its own next snapshot was
refused (``router.waiting[i][6]`` / ``[5]``) under the very config it ran under.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.events import Event

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def _config(timeout_min: int, queues: tuple[str, ...] = ("default",)) -> DeskConfig:
    return DeskConfig.from_dict(
        {
            "strategies": ["preferred_agent", "longest_idle"],
            "affinity": {"timeout": f"PT{timeout_min}M"},
            "queues": [{"name": "default"}, {"name": "other"}],
            "routing_profiles": [{"name": "p", "queues": list(queues)}],
            "teams": {"front": {"queue": "default", "routing_profile": "p"}},
        }
    )


def _held(config: DeskConfig, second_min: int) -> Desk:
    """Mega's second chat, at T0 + *second_min*, held for Sari (who has Mega's first)."""
    desk = Desk(config)
    for name in ("sari", "budi"):
        agent = AgentProfile(name, capacity={"chat": 1}, teams={"front"})
        desk.add_agent(agent, at=T0, presence="available")
    mega = Customer("mega", Tier("gold", 3))
    desk.submit(Ticket("c1", mega, "chat", T0), at=T0)
    desk.submit(Ticket("x", Customer("zaki", Tier("gold", 3)), "chat", T0), at=T0)
    at = T0 + second_min * MINUTE
    desk.submit(Ticket("c2", mega, "chat", at), at=at)
    assert [(v.ticket_id, v.signature.agent) for v in desk.queue()] == [("c2", "sari")]
    return desk


def _round_trip(data: Any) -> Any:
    return json.loads(json.dumps(data))


def _restore_changed(old: Desk, new: DeskConfig) -> tuple[Desk, list[Event]]:
    events: list[Event] = []
    copy = Desk.restore(new, _round_trip(old.snapshot()), on_config_change=events)
    return copy, events


@given(
    old_min=st.integers(2, 600),
    new_min=st.integers(1, 600),
    second=st.integers(0, 120),
)
def test_a_changed_affinity_timeout_restores_again(old_min: int, new_min: int, second: int) -> None:
    desk = _held(_config(old_min), second)
    new = _config(new_min)
    copy, _ = _restore_changed(desk, new)
    # The hold ends by the snapshot's instant plus the new timeout (and no later than it
    # would have under the old config): Sari's chat ends there, Budi being busy, the
    # ticket is open to everyone once the hold is over.
    now = T0 + second * MINUTE
    hold_end = min(now + new_min * MINUTE, now + old_min * MINUTE)
    assert copy.next_wakeup() == hold_end
    again = Desk.restore(new, _round_trip(copy.snapshot()))
    assert again.snapshot() == copy.snapshot()
    later = hold_end + MINUTE
    assert again.advance(at=later) == copy.advance(at=later)
    assert again.queue()[0].signature.agent is None


def test_a_hold_the_changed_config_no_longer_allows_ends_at_the_restore() -> None:
    desk = _held(_config(10), 1)
    new = _config(10, ("default", "other"))  # still serves the queue: the hold stays
    copy, events = _restore_changed(desk, new)
    assert events == []
    assert copy.queue()[0].signature.agent == "sari"
    # A routing profile that no longer serves the ticket's queue: no hold for Sari.
    moved = _config(10, ("other",))
    copy, events = _restore_changed(desk, moved)
    assert events == []
    assert copy.queue()[0].signature.agent is None
    again = Desk.restore(moved, _round_trip(copy.snapshot()))
    assert again.snapshot() == copy.snapshot()


def test_a_change_that_drops_the_pinning_strategy_ends_the_hold_and_routes() -> None:
    desk = _held(_config(10), 1)
    desk.resolve("x", "budi", at=T0 + 2 * MINUTE)  # Budi is free; the ticket stays Sari's
    assert desk.queue()[0].signature.agent == "sari"
    plain = DeskConfig.from_dict(
        {
            "strategies": ["longest_idle"],
            "queues": [{"name": "default"}, {"name": "other"}],
            "routing_profiles": [{"name": "p", "queues": ["default"]}],
            "teams": {"front": {"queue": "default", "routing_profile": "p"}},
        }
    )
    copy, events = _restore_changed(desk, plain)
    assert [
        (type(e).__name__, getattr(e, "ticket_id", None), getattr(e, "agent_id", None))
        for e in events
    ] == [("TicketAssigned", "c2", "budi")]
    again = Desk.restore(plain, _round_trip(copy.snapshot()))
    assert again.snapshot() == copy.snapshot()
