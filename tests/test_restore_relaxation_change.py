"""A relaxation plan shortened under an accepted config change while a ticket waits past its
new end: the ticket stands at the new plan's last step (it keeps the requirements it was
relaxed to, and no step is left for it).  Under the snapshot's own config a step past the
plan's end is tampering, refused with a message naming the queue and the plan."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, ConfigError, Customer, Desk, DeskConfig, Event, Ticket, Tier
from csflow.events import TicketAssigned
from csflow.testing import check_invariants

T0 = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)
AYU = Customer("ayu", Tier("gold", 3))
OLD: list[dict[str, Any]] = [
    {"after": "PT1M", "proficiency": 2},
    {"after": "PT2M", "proficiency": 1},
]


def _config(steps: list[dict[str, Any]], *more: dict[str, Any]) -> DeskConfig:
    return DeskConfig.from_dict({"queues": [{"name": "front", "relaxation": steps}, *more]})


def _snap(desk: Desk) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(json.dumps(desk.snapshot()))
    return out


def _relaxed(minutes: int = 3) -> tuple[Desk, dict[str, Any]]:
    """T-1 needs refunds at 3; after *minutes* both steps of OLD have applied."""
    desk = Desk(_config(OLD))
    desk.submit(Ticket("T-1", AYU, "chat", T0, required_skills={"refunds": 3}), at=T0)
    desk.advance(at=T0 + timedelta(minutes=minutes))
    return desk, _snap(desk)


def _step(snap: dict[str, Any]) -> int:
    (wait,) = snap["state"]["router"]["waiting"]
    step: int = wait[3]
    return step


def test_a_ticket_past_a_shortened_plan_stands_at_its_last_step() -> None:
    _, snap = _relaxed()
    assert _step(snap) == 2
    moved: list[Event] = []
    restored = Desk.restore(
        _config([{"after": "PT1M", "proficiency": 3}]), snap, on_config_change=moved
    )
    again = _snap(restored)
    assert _step(again) == 1  # the new plan's last step
    # It keeps the requirements it was relaxed to (any refunds agent), and waits for no step.
    (entry,) = restored.queue()
    assert str(entry.signature) == "[chat, refunds>=1]"
    assert restored.next_routing_step() is None
    assert moved == []
    check_invariants(restored)
    at = T0 + timedelta(minutes=4)
    out = restored.add_agent(
        AgentProfile("sari", {"refunds": 1}, capacity={"chat": 1}), at=at, presence="available"
    )
    assert [(e.ticket_id, e.agent_id) for e in out if isinstance(e, TicketAssigned)] == [
        ("T-1", "sari")
    ]
    # Its snapshot restores under the new config as it is.
    Desk.restore(restored.config, again)


def test_a_ticket_within_a_shortened_plan_takes_its_remaining_steps() -> None:
    _, snap = _relaxed(minutes=1)  # one step of two applied
    assert _step(snap) == 1
    new: list[dict[str, Any]] = [
        {"after": "PT1M", "proficiency": 2},
        {"after": "PT5M", "drop": ["refunds"]},
    ]
    restored = Desk.restore(_config(new), snap, on_config_change=[])
    assert restored.next_routing_step() == T0 + timedelta(minutes=5)


def test_a_free_agent_takes_the_ticket_a_shortened_plan_leaves_at_its_last_step() -> None:
    """With an agent of refunds 1 at the desk but busy, the restored ticket goes to her as
    soon as she has room."""
    desk = Desk(_config(OLD))
    desk.add_agent(
        AgentProfile("sari", {"refunds": 1}, capacity={"chat": 1}), at=T0, presence="available"
    )
    desk.submit(Ticket("T-0", AYU, "chat", T0), at=T0)
    desk.submit(Ticket("T-1", AYU, "chat", T0, required_skills={"refunds": 3}), at=T0)
    desk.advance(at=T0 + timedelta(minutes=3))
    restored = Desk.restore(
        _config([{"after": "PT1M", "proficiency": 1}]), _snap(desk), on_config_change=[]
    )
    check_invariants(restored)
    out = restored.resolve("T-0", "sari", at=T0 + timedelta(minutes=4))
    assert [e.ticket_id for e in out if isinstance(e, TicketAssigned)] == ["T-1"]


def test_a_step_past_the_plan_under_the_snapshots_own_config_names_queue_and_plan() -> None:
    desk, snap = _relaxed()
    snap["state"]["router"]["waiting"][0][3] = 5
    with pytest.raises(ConfigError) as err:
        Desk.restore(desk.config, copy.deepcopy(snap))
    assert err.value.path == "snapshot.state.router.waiting[0][3]"
    assert str(err.value) == (
        "snapshot.state.router.waiting[0][3]: ticket 'T-1' in queue 'front' took 5 relaxation "
        "steps of queue 'front''s plan, which has 2; expected a step from 0 to 2"
    )


def test_an_overflowed_ticket_past_its_plan_names_the_plans_queue() -> None:
    steps: list[dict[str, Any]] = [
        {"after": "PT1M", "proficiency": 1},
        {"after": "PT2M", "overflow_to": "tech"},
    ]
    config = _config(steps, {"name": "tech"})
    desk = Desk(config)
    desk.submit(Ticket("T-1", AYU, "chat", T0, required_skills={"refunds": 3}), at=T0)
    desk.advance(at=T0 + timedelta(minutes=3))
    assert desk.ticket("T-1").queue == "tech"
    snap = _snap(desk)
    bad = copy.deepcopy(snap)
    bad["state"]["router"]["waiting"][0][3] = 3
    with pytest.raises(ConfigError, match=r"in queue 'tech' took 3 relaxation steps of queue "):
        Desk.restore(config, bad)
    # Shortened to its first step by an accepted change: the ticket stays where it went.
    short = _config(steps[:1], {"name": "tech"})
    restored = Desk.restore(short, snap, on_config_change=[])
    assert restored.ticket("T-1").queue == "tech"
    assert _step(_snap(restored)) == 1


def test_steps_without_a_plan_stay_refused_even_under_a_change() -> None:
    config = DeskConfig.from_dict({"queues": [{"name": "front"}]})
    desk = Desk(config)
    desk.submit(Ticket("T-1", AYU, "chat", T0, required_skills={"refunds": 3}), at=T0)
    snap = _snap(desk)
    snap["state"]["router"]["waiting"][0][3] = 1
    other = DeskConfig.from_dict({"queues": [{"name": "front"}, {"name": "tech"}]})
    for target, accept in ((config, None), (other, [])):
        with pytest.raises(ConfigError, match=r"took 1 relaxation steps of no plan") as err:
            Desk.restore(target, copy.deepcopy(snap), on_config_change=accept)
        assert err.value.path == "snapshot.state.router.waiting[0][3]"


@settings(max_examples=40, deadline=None)
@given(
    waited=st.integers(0, 6),
    old=st.integers(1, 4),
    new=st.integers(1, 4),
)
def test_any_shortened_or_lengthened_plan_restores_at_a_step_within_it(
    waited: int, old: int, new: int
) -> None:
    """Plans of *old* and *new* steps, one a minute, lowering the proficiency one by one:
    restored after *waited* minutes, the ticket stands at min(applied, new) steps."""

    def plan(n: int) -> list[dict[str, Any]]:
        return [{"after": f"PT{i + 1}M", "proficiency": 5 - i - 1} for i in range(n)]

    desk = Desk(_config(plan(old)))
    desk.submit(Ticket("T-1", AYU, "chat", T0, required_skills={"refunds": 5}), at=T0)
    desk.advance(at=T0 + timedelta(minutes=waited))
    applied = _step(_snap(desk))
    assert applied == min(waited, old)
    restored = Desk.restore(_config(plan(new)), _snap(desk), on_config_change=[])
    assert _step(_snap(restored)) == min(applied, new)
    check_invariants(restored)
    nxt = restored.next_routing_step()
    if applied < new:
        assert nxt == T0 + timedelta(minutes=applied + 1)
    else:
        assert nxt is None
