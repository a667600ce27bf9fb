"""A change of SLA policy applies its pause_on to the status the ticket is really in.

The desk does not poll the clocks for a move no pause names (queued to assigned to on hold
under a policy that pauses on pending only); a later policy that pauses on hold must still
see that the ticket is on hold, whether the policy changes by ``set_sla_policy`` or by an
accepted config change at restore -- also from a snapshot written before such moves were
recorded.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.errors import ConfigError, InvalidTransitionError
from csflow.events import Event
from csflow.lowlevel import TicketSla

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CALENDARS = {"24x7": {"timezone": "UTC", "always_open": True}}


def hours(x: float) -> datetime:
    return T0 + timedelta(hours=x)


def policy(name: str, *pausing: str) -> dict[str, Any]:
    return {
        "name": name,
        "calendar": "24x7",
        "targets": {"resolution": "PT4H"},
        "pause_on": {status: ["resolution"] for status in pausing},
    }


def on_hold_desk(config: dict[str, Any]) -> Desk:
    desk = Desk(DeskConfig.from_dict(config))
    desk.add_agent(AgentProfile("a", capacity={"chat": 1}), at=T0, presence="available")
    desk.submit(Ticket("T", Customer("c", Tier("g", 1)), "chat", T0), at=T0)
    desk.set_status("T", "on_hold", at=hours(1))
    desk.advance(at=hours(1.5))
    return desk


def assert_paused_from(desk: Desk, used: timedelta) -> None:
    clock = desk.clocks("T", at=hours(3))["resolution"]
    assert clock.state == "paused"
    assert clock.due_at is None
    assert clock.elapsed == used
    fired: list[Event] = desk.advance(at=hours(10))
    assert fired == []  # no warning, no breach while the ticket waits on hold


def test_set_sla_policy_while_on_hold_pauses_under_the_new_policy() -> None:
    desk = on_hold_desk(
        {
            "calendars": CALENDARS,
            "sla_policies": [policy("basic", "pending"), policy("courier", "pending", "on_hold")],
            "default_sla_policy": "basic",
        }
    )
    desk.set_sla_policy("T", "courier", at=hours(1.5))
    # 09:00-10:30 counted (on hold under basic does not pause), then paused.
    assert_paused_from(desk, timedelta(hours=1.5))


def changed_config_restore(snapshot: dict[str, Any]) -> Desk:
    edited = {
        "calendars": CALENDARS,
        "sla_policies": [policy("basic", "pending", "on_hold")],
        "default_sla_policy": "basic",
    }
    return Desk.restore(DeskConfig.from_dict(edited), snapshot, on_config_change=[])


BASE = {
    "calendars": CALENDARS,
    "sla_policies": [policy("basic", "pending")],
    "default_sla_policy": "basic",
}


def test_a_config_change_at_restore_pauses_a_ticket_on_hold() -> None:
    snapshot = json.loads(json.dumps(on_hold_desk(BASE).snapshot()))
    assert_paused_from(changed_config_restore(snapshot), timedelta(hours=1.5))


def test_an_older_snapshot_whose_clocks_missed_the_move_is_told_it_at_restore() -> None:
    snapshot = json.loads(json.dumps(on_hold_desk(BASE).snapshot()))
    (ticket,) = snapshot["state"]["tickets"]
    assert ticket["state"] == "on_hold"
    older = copy.deepcopy(snapshot)
    older["state"]["tickets"][0]["sla"]["status"] = "assigned"  # as such snapshots were
    assert_paused_from(changed_config_restore(older), timedelta(hours=1.5))


@pytest.mark.parametrize("status", ["pending", "solved", "closed"])
def test_note_status_leaves_a_move_the_clocks_must_hear_of_to_set_status(status: str) -> None:
    config = DeskConfig.from_dict(BASE)
    ticket = Ticket("T", Customer("c", Tier("g", 1)), "chat", T0)
    sla = TicketSla.for_ticket(ticket, config.sla_policies["basic"], status="queued")
    assert sla.note_status("assigned") is True
    assert sla.status == "assigned"
    assert sla.note_status(status) is False  # pending pauses here; solved and closed stop
    assert sla.status == "assigned"


def test_note_status_refuses_a_closed_ticket_and_an_unknown_status() -> None:
    config = DeskConfig.from_dict(BASE)
    ticket = Ticket("T", Customer("c", Tier("g", 1)), "chat", T0)
    sla = TicketSla.for_ticket(ticket, config.sla_policies["basic"], status="queued")
    with pytest.raises(ConfigError, match="status must be one of"):
        sla.note_status("lost")
    sla.set_status("closed", T0)
    with pytest.raises(InvalidTransitionError):
        sla.note_status("assigned")
