"""A snapshot's agent counters (``next_order``, ``next_turn``) past what the pool reads back
an agent's own order and turn as (the last microsecond of year 9999): refused at the restore,
not at the restore after the next turn (which handed the tampered turn to an agent, and wrote
it back)."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from typing import Any

import pytest

from csflow import ConfigError, Desk
from csflow._time import MAX_US
from test_state_snapshot import PEOPLE, T0, busy

PATH = r"^snapshot\.state\.router\.pool\.next_"


def saved() -> dict[str, Any]:
    snap: dict[str, Any] = json.loads(json.dumps(busy().snapshot()))
    return snap


@pytest.mark.parametrize("key", ["next_order", "next_turn"])
@pytest.mark.parametrize("value", [MAX_US + 1, 2**63, 10**40])
def test_a_counter_past_the_range_is_refused(key: str, value: int) -> None:
    snap = saved()
    snap["state"]["router"]["pool"][key] = value
    with pytest.raises(ConfigError, match=PATH + key[5:]):
        Desk.restore(PEOPLE, snap)


@pytest.mark.parametrize("key", ["next_order", "next_turn"])
def test_a_large_counter_within_the_range_keeps_working(key: str) -> None:
    """Near the bound, agents still join, take turns and resolve; every later snapshot
    restores."""
    snap = saved()
    snap["state"]["router"]["pool"][key] = MAX_US - 1000
    desk = Desk.restore(PEOPLE, copy.deepcopy(snap))
    at = T0 + timedelta(minutes=5)
    for tid in list(desk.tickets()):
        agent = desk.ticket(tid).agent_id
        if desk.ticket(tid).state == "assigned" and agent is not None:
            desk.resolve(tid, agent, at=at)
    desk.set_presence("budi", "available", at=at)
    again = Desk.restore(PEOPLE, json.loads(json.dumps(desk.snapshot())))
    assert again.snapshot() == desk.snapshot()
