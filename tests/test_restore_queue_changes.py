"""Restoring under a config that adds a queue, or drops one nothing waits in (an accepted
change): a peak queue for Lebaran or 11.11 is added without draining the desk first."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from csflow import AgentProfile, ConfigError, Customer, Desk, DeskConfig, Event, Ticket, Tier
from desks import seeds_desk_doc

T0 = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)
GOLD = Tier("gold", 3)
PEAK_RULE = {
    "name": "peak",
    "when": {"field": "category", "eq": "lebaran"},
    "then": {"queue": "lebaran"},
}


def _at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _busy_desk() -> tuple[Desk, dict[str, Any]]:
    """The seeds' desk with one agent busy and two tickets waiting in 'front'."""
    desk = Desk(DeskConfig.from_dict(seeds_desk_doc()))
    desk.add_agent(
        AgentProfile("sari", capacity={"chat": 1}, teams={"front"}), at=T0, presence="available"
    )
    for i in range(3):
        desk.submit(Ticket(f"T-{i}", Customer(f"c{i}", GOLD), "chat", T0), at=T0)
    return desk, json.loads(json.dumps(desk.snapshot()))


def _with_peak_queue() -> dict[str, Any]:
    doc = seeds_desk_doc()
    doc["queues"].append({"name": "lebaran"})
    doc["routing_profiles"][0]["queues"] = ["front", "lebaran"]
    doc["triage"]["rules"].insert(0, PEAK_RULE)
    return doc


def test_a_queue_added_by_an_accepted_change_starts_empty_and_takes_work() -> None:
    desk, snap = _busy_desk()
    moved: list[Event] = []
    restored = Desk.restore(DeskConfig.from_dict(_with_peak_queue()), snap, on_config_change=moved)
    assert moved == []
    assert restored.queue("lebaran") == []
    assert [e.ticket_id for e in restored.queue("front")] == [
        e.ticket_id for e in desk.queue("front")
    ]
    at = T0 + timedelta(minutes=1)
    restored.submit(Ticket("T-9", Customer("c9", GOLD), "chat", at, category="lebaran"), at=at)
    assert restored.ticket("T-9").queue == "lebaran"
    # The new queue is part of the desk: it survives the next snapshot and restore.
    again = Desk.restore(restored.config, json.loads(json.dumps(restored.snapshot())))
    assert [e.ticket_id for e in again.queue("lebaran")] == ["T-9"]
    # Without the host's consent the change is still refused, naming what changed.
    with pytest.raises(ConfigError, match="queues"):
        Desk.restore(DeskConfig.from_dict(_with_peak_queue()), snap)


def test_a_queue_nothing_uses_may_be_dropped_one_in_use_may_not() -> None:
    _, snap = _busy_desk()
    unused = seeds_desk_doc()
    unused["queues"] = [q for q in unused["queues"] if q["name"] != "finance"]
    unused["routing_profiles"] = [p for p in unused["routing_profiles"] if p["name"] != "finance"]
    unused["teams"] = {k: v for k, v in unused["teams"].items() if k != "finance"}
    unused["escalation"] = {
        "teams": ["front", "technical"],
        "entry": ["front"],
        "edges": {"front": ["technical"]},
    }
    restored = Desk.restore(DeskConfig.from_dict(unused), snap, on_config_change=[])
    assert restored.queue_names() == ("front", "technical")
    in_use = seeds_desk_doc()
    in_use["queues"] = [{"name": "elsewhere"}, *in_use["queues"][1:]]
    in_use["routing_profiles"][0]["queues"] = ["elsewhere"]
    in_use["teams"]["front"]["queue"] = "elsewhere"
    with pytest.raises(
        ConfigError, match=r"^snapshot\.state\.tickets\[0\]\.queue: unknown queue 'front'"
    ):
        Desk.restore(DeskConfig.from_dict(in_use), snap, on_config_change=[])


def test_waiting_tickets_in_a_dropped_queue_are_named_even_in_tampered_data() -> None:
    # A queue the config lacks that still lists waiting entries is refused at its own path
    # (the tickets' records would name it too; here the data is hand-made to say otherwise).
    _, snap = _busy_desk()
    router = snap["state"]["router"]
    router["queues"]["gone"] = router["queues"]["front"]
    peak = DeskConfig.from_dict(_with_peak_queue())
    with pytest.raises(ConfigError, match=r"snapshot\.state\.router\.queues\.gone: queue 'gone'"):
        Desk.restore(peak, snap, on_config_change=[])
    # Under the snapshot's own config, any difference in the queues is tampering.
    del router["queues"]["gone"]
    del router["queues"]["finance"]
    with pytest.raises(ConfigError, match=r"snapshot\.state\.router\.queues: expected the queues"):
        Desk.restore(DeskConfig.from_dict(seeds_desk_doc()), snap)


BREACHING = {
    "calendars": {"24x7": {"timezone": "Asia/Jakarta", "always_open": True}},
    "sla_policies": [
        {
            "name": "chat",
            "calendar": "24x7",
            "targets": {"first_response": "PT15M", "resolution": "PT4H"},
            "warnings": [],
        }
    ],
    "default_sla_policy": "chat",
    "survey_delay": "PT30M",
    "escalation_rules": [
        {
            "name": "page-lead",
            "when": {"field": "event", "eq": "breach"},
            "then": {"notify": ["lead"], "priority": "urgent"},
        }
    ],
}


@pytest.mark.parametrize(
    "edit",
    [
        {"survey_delay": "PT45M"},
        {"transfers": {"max_transfers": 2}},
        {"queues": [{"name": "default"}, {"name": "lebaran"}]},
    ],
)
def test_a_change_that_leaves_the_slas_alone_leaves_their_clocks_alone(
    edit: dict[str, Any],
) -> None:
    """T-1's first response fell due at 02:15; at 02:20 (no advance yet) the desk is saved and
    restored under a config whose SLA policies and calendars did not change: the breach fires
    at the next advance with its escalation, as on the desk that was saved -- it is not
    swallowed into the change's report."""
    desk = Desk(DeskConfig.from_dict(BREACHING))
    ayu = Customer("ayu", GOLD)
    desk.submit(Ticket("T-1", ayu, "chat", T0), at=T0)
    desk.submit(Ticket("T-2", ayu, "chat", _at(20)), at=_at(20))
    snap = json.loads(json.dumps(desk.snapshot()))
    moved: list[Event] = []
    restored = Desk.restore(
        DeskConfig.from_dict({**BREACHING, **edit}), snap, on_config_change=moved
    )
    assert moved == []
    assert [e.to_dict() for e in restored.advance(at=_at(21))] == [
        e.to_dict() for e in desk.advance(at=_at(21))
    ]
    assert restored.ticket("T-1").ticket.priority.name == "URGENT"
    # A change of the SLA policies still recalculates, as documented: the clocks catch up
    # under their old targets first, and the breach of that catch-up is reported with the
    # moved deadlines (not escalated).
    longer = json.loads(json.dumps(BREACHING))
    longer["sla_policies"][0]["targets"]["first_response"] = "PT30M"
    moved = []
    changed = Desk.restore(DeskConfig.from_dict(longer), snap, on_config_change=moved)
    assert [(getattr(e, "ticket_id", None), type(e).__name__) for e in moved] == [
        ("T-1", "SlaDeadlineMoved"),
        ("T-2", "SlaDeadlineMoved"),
        ("T-1", "SlaBreached"),
    ]
    assert changed.ticket("T-1").ticket.priority.name != "URGENT"


def test_waiting_tickets_without_an_sla_are_re_keyed_by_the_new_allowances() -> None:
    doc = seeds_desk_doc(default_sla_policy=None, triage={"rules": []})
    doc["queues"][0]["allowances"] = {"gold": "PT2M"}
    desk = Desk(DeskConfig.from_dict(doc))
    desk.submit(Ticket("T-r", Customer("c1", Tier("regular", 1)), "chat", T0), at=T0)
    desk.submit(Ticket("T-g", Customer("c2", GOLD), "chat", _at(1)), at=_at(1))
    assert desk.clocks("T-r") == {}
    assert [e.ticket_id for e in desk.queue("front")] == ["T-g", "T-r"]
    doc["queues"][0]["allowances"] = {}
    restored = Desk.restore(
        DeskConfig.from_dict(doc), json.loads(json.dumps(desk.snapshot())), on_config_change=[]
    )
    assert [e.ticket_id for e in restored.queue("front")] == ["T-r", "T-g"]
