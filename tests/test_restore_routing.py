"""Work conservation across a restore.

Under an accepted config change that lets an agent with room take waiting work (a larger
capacity budget, a routing profile that now serves the ticket's queue), the restored desk
routes it at the snapshot's instant and reports the assignments in ``on_config_change``.
Under the snapshot's own config, a state in which an agent with room could take a waiting
ticket was not written by a desk (no routing timer due): it is refused as tampering.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, ConfigError, Customer, Desk, DeskConfig, Event, Ticket, Tier
from csflow.events import TicketAssigned
from csflow.testing import CommandDriver, check_invariants
from desks import office_desk_doc

T0 = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)
AYU = Customer("ayu", Tier("gold", 3))


def _doc(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "queues": [{"name": "front"}, {"name": "tech"}],
        "routing_profiles": [{"name": "front", "queues": ["front"]}],
        "capacity": {"weights": {"chat": 1, "email": 1}, "budget": 1},
        "triage": {
            "rules": [
                {
                    "name": "t",
                    "when": {"field": "category", "eq": "tech"},
                    "then": {"queue": "tech"},
                }
            ]
        },
    }
    doc.update(changes)
    return doc


def _snap(desk: Desk) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(json.dumps(desk.snapshot()))
    return out


def _sari(desk: Desk, **skills: int) -> None:
    desk.add_agent(
        AgentProfile("sari", skills, capacity={"chat": 2, "email": 2}),
        at=T0,
        presence="available",
        routing_profile="front",
    )


def _waiting_in_tech() -> Desk:
    """Sari serves 'front' only, and is free; T-2 waits in 'tech'."""
    desk = Desk(DeskConfig.from_dict(_doc()))
    _sari(desk)
    desk.submit(Ticket("T-2", AYU, "chat", T0, category="tech"), at=T0)
    return desk


def _budget_used_up() -> Desk:
    """Sari's budget of 1 is used by T-1; T-3 waits in 'front'."""
    desk = Desk(DeskConfig.from_dict(_doc()))
    _sari(desk)
    desk.submit(Ticket("T-1", AYU, "chat", T0), at=T0)
    desk.submit(Ticket("T-3", AYU, "chat", T0), at=T0)
    return desk


@pytest.mark.parametrize(
    ("make", "changes", "ticket"),
    [
        (
            _waiting_in_tech,
            {"routing_profiles": [{"name": "front", "queues": ["front", "tech"]}]},
            "T-2",
        ),
        (
            _budget_used_up,
            {"capacity": {"weights": {"chat": 1, "email": 1}, "budget": 2}},
            "T-3",
        ),
    ],
)
def test_a_change_that_lets_a_free_agent_take_waiting_work_routes_it_at_the_snapshot(
    make: Any, changes: dict[str, Any], ticket: str
) -> None:
    desk = make()
    assert desk.ticket(ticket).state == "queued"
    later = T0 + timedelta(minutes=7)
    desk.advance(at=later)  # the snapshot's instant
    snap = _snap(desk)
    moved: list[Event] = []
    restored = Desk.restore(DeskConfig.from_dict(_doc(**changes)), snap, on_config_change=moved)
    # Assigned at the snapshot's instant, as the desk would have; the host hears of it.
    view = restored.ticket(ticket)
    assert (view.state, view.agent_id) == ("assigned", "sari")
    (assigned,) = [e for e in moved if isinstance(e, TicketAssigned)]
    assert (assigned.ticket_id, assigned.agent_id, assigned.at) == (ticket, "sari", later)
    assert assigned.waited == 7 * 60
    assert restored.history(ticket)[-1] == assigned
    assert restored.queue() == []
    check_invariants(restored)
    # The restored desk is whole: its own snapshot restores under its config as it is.
    again = Desk.restore(restored.config, _snap(restored))
    assert again.ticket(ticket).agent_id == "sari"


def test_a_change_that_frees_no_agent_routes_nothing() -> None:
    desk = _budget_used_up()
    snap = _snap(desk)
    moved: list[Event] = []
    wider = _doc(routing_profiles=[{"name": "front", "queues": ["front", "tech"]}])
    restored = Desk.restore(DeskConfig.from_dict(wider), snap, on_config_change=moved)
    assert moved == []
    assert restored.ticket("T-3").state == "queued"
    check_invariants(restored)


def test_routing_on_restore_follows_the_queue_order_and_the_strategy_chain() -> None:
    """Two agents freed by the change, three tickets waiting: the first two in line go, to
    the agents in the strategy chain's order (longest idle first)."""
    desk = Desk(DeskConfig.from_dict(_doc()))
    for i, aid in enumerate(["sari", "budi"]):
        desk.add_agent(
            AgentProfile(aid, capacity={"chat": 1}),
            at=T0 + timedelta(minutes=i),
            presence="available",
            routing_profile="front",
        )
    at = T0 + timedelta(minutes=2)
    for tid in ["T-1", "T-2", "T-3"]:
        desk.submit(Ticket(tid, AYU, "chat", at, category="tech"), at=at)
    moved: list[Event] = []
    wider = _doc(routing_profiles=[{"name": "front", "queues": ["front", "tech"]}])
    restored = Desk.restore(DeskConfig.from_dict(wider), _snap(desk), on_config_change=moved)
    assert [(e.ticket_id, e.agent_id) for e in moved if isinstance(e, TicketAssigned)] == [
        ("T-1", "sari"),
        ("T-2", "budi"),
    ]
    assert [e.ticket_id for e in restored.queue()] == ["T-3"]
    check_invariants(restored)


# -- under the snapshot's own config: a state a desk never leaves is tampering -----------------


def _needs_refunds() -> Desk:
    """Sari is free, but T-1 needs refunds at 3 and she has 1."""
    desk = Desk(DeskConfig.from_dict({}))
    desk.add_agent(
        AgentProfile("sari", {"refunds": 1}, capacity={"chat": 1}), at=T0, presence="available"
    )
    desk.submit(Ticket("T-1", AYU, "chat", T0, required_skills={"refunds": 3}), at=T0)
    return desk


def _chat_full() -> Desk:
    """Sari holds T-0, her one chat; T-1 waits."""
    desk = Desk(DeskConfig.from_dict({}))
    desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=T0, presence="available")
    desk.submit(Ticket("T-0", AYU, "chat", T0), at=T0)
    desk.submit(Ticket("T-1", AYU, "chat", T0), at=T0)
    return desk


def _offline() -> Desk:
    """Sari is offline; T-1 waits."""
    desk = Desk(DeskConfig.from_dict({}))
    desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=T0, presence="offline")
    desk.submit(Ticket("T-1", AYU, "chat", T0), at=T0)
    return desk


def _agent(snap: dict[str, Any]) -> dict[str, Any]:
    (agent,) = snap["state"]["router"]["pool"]["agents"]
    return agent  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("make", "field", "value"),
    [
        (_needs_refunds, ("profile", "skills", "refunds"), 5),
        (_chat_full, ("profile", "capacity", "chat"), 2),
        (_offline, ("presence",), "available"),
    ],
    ids=["skill", "capacity", "presence"],
)
def test_a_tampered_snapshot_that_leaves_a_free_agent_idle_is_refused(
    make: Any, field: tuple[str, ...], value: object
) -> None:
    desk = make()
    assert desk.ticket("T-1").state == "queued"
    snap = _snap(desk)
    Desk.restore(desk.config, copy.deepcopy(snap))  # as a desk wrote it: restored
    where = _agent(snap)
    for key in field[:-1]:
        where = where[key]
    assert field[-1] in where or field[-1] == "refunds"
    where[field[-1]] = value
    with pytest.raises(ConfigError) as err:
        Desk.restore(desk.config, snap)
    assert err.value.path == "snapshot.state.router.waiting[0]"
    assert "ticket 'T-1' waits while agent 'sari' has room for it" in str(err.value)


def test_a_due_routing_timer_excuses_waiting_work_in_a_snapshot() -> None:
    """A queue delay passed, not advanced over yet: the agent it lets serve the ticket has
    not taken it, and the snapshot is a desk's."""
    doc = _doc(
        routing_profiles=[
            {"name": "front", "queues": ["front"]},
            {"name": "tech", "queues": ["tech", {"queue": "front", "delay": "PT2M"}]},
        ]
    )
    config = DeskConfig.from_dict(doc)
    desk = Desk(config)
    desk.add_agent(
        AgentProfile("sari", capacity={"chat": 1}),
        at=T0,
        presence="available",
        routing_profile="tech",
    )
    desk.submit(Ticket("T-1", AYU, "chat", T0), at=T0)
    desk.add_agent(AgentProfile("budi", capacity={"chat": 1}), at=T0 + timedelta(minutes=3))
    assert desk.ticket("T-1").state == "queued"
    restored = Desk.restore(config, _snap(desk))
    assert restored.ticket("T-1").state == "queued"
    out = restored.advance(at=T0 + timedelta(minutes=3))
    assert [(e.ticket_id, e.agent_id) for e in out if isinstance(e, TicketAssigned)] == [
        ("T-1", "sari")
    ]


# -- random programs: no snapshot of a desk is refused; a widening change conserves work -------

OFFICE = DeskConfig.from_dict(office_desk_doc())
_ALL = ["front", "technical", "finance"]
WIDE = DeskConfig.from_dict(
    office_desk_doc(
        routing_profiles=[{"name": p, "queues": _ALL} for p in _ALL],
        capacity={
            "weights": {"phone": 2, "chat": 1, "whatsapp": 1, "email": 1, "social": 1},
            "exclusive": ["phone"],
            "budget": 8,
        },
    )
)


@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_every_snapshot_restores_and_a_widening_change_conserves_work(
    data: st.DataObject,
) -> None:
    driver = CommandDriver(OFFICE, start=datetime(2026, 3, 2, 9, tzinfo=UTC))
    routed = 0
    for _ in range(data.draw(st.integers(1, 20), label="steps")):
        driver.step(data.draw)
        desk = driver.desk
        if desk.now is None:
            continue
        snap = _snap(desk)
        # Under its own config no snapshot of a desk is refused (nor routes anything).
        same = Desk.restore(OFFICE, copy.deepcopy(snap))
        assert same.snapshot() == desk.snapshot()
        moved: list[Event] = []
        wide = Desk.restore(WIDE, copy.deepcopy(snap), on_config_change=moved)
        check_invariants(wide)
        assigned = [e for e in moved if isinstance(e, TicketAssigned)]
        # Exactly the waiting tickets the change let an agent take, each once, at the
        # snapshot's instant, to the agent that holds it now.
        was_waiting = {t for t in desk.tickets() if desk.ticket(t).state == "queued"}
        now_assigned = {t for t in was_waiting if wide.ticket(t).state == "assigned"}
        assert len({e.ticket_id for e in assigned}) == len(assigned)
        assert {e.ticket_id for e in assigned} == now_assigned
        for e in assigned:
            assert e.at == desk.now
            assert wide.ticket(e.ticket_id).agent_id == e.agent_id
            assert e in wide.history(e.ticket_id) or not desk.config.keep_history
        assert {t for t in wide.tickets() if wide.ticket(t).state == "queued"} == (
            was_waiting - now_assigned
        )
        routed += len(assigned)
    event(f"routed on restore: {min(routed, 3)}+")
