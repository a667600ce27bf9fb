"""Follow-ups of the hold, band, requeue and SLA restore changes: what a restore refuses, and
instants a desk works out past year 9999."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from csflow import AgentProfile, ConfigError, Customer, Desk, DeskConfig, Ticket, Tier

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ANI = Customer("ani", Tier("gold", 3))
AFFINITY = DeskConfig.from_dict(
    {"strategies": ["preferred_agent", "longest_idle"], "affinity": {"timeout": "PT2M"}}
)


def _held_for_busy_sari(at: datetime = T0) -> Desk:
    """A2 waits for sari (ani's last agent), busy with A1; budi is offline."""
    desk = Desk(AFFINITY)
    desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=at, presence="available")
    desk.submit(Ticket("A1", ANI, "chat", at), at=at)
    desk.add_agent(AgentProfile("budi", capacity={"chat": 1}), at=at, presence="offline")
    desk.submit(Ticket("A2", ANI, "chat", at), at=at)
    assert [e.signature.agent for e in desk.queue()] == ["sari"]
    return desk


@pytest.mark.parametrize(
    ("tamper", "why"),
    [
        (lambda s: s["router"]["pool"]["agents"][0].update(presence="offline"), "not routable"),
        (lambda s: s["router"]["waiting"][0].__setitem__(5, "ghost"), "not at the desk"),
    ],
)
def test_a_hold_for_an_agent_who_cannot_take_it_is_refused_at_restore(
    tamper: Any, why: str
) -> None:
    """A live desk ends a hold when its agent goes offline or leaves; a snapshot still holding
    the ticket for such an agent was not written by a desk (it would wait for nobody)."""
    snap = json.loads(json.dumps(_held_for_busy_sari().snapshot()))
    assert snap["state"]["router"]["pool"]["agents"][0]["profile"]["id"] == "sari"
    tamper(snap["state"])
    with pytest.raises(ConfigError, match=why) as info:
        Desk.restore(AFFINITY, snap)
    assert info.value.path == "snapshot.state.router.waiting[0][5]"


def test_empty_bands_put_every_priority_in_one_band() -> None:
    """``bands: {}`` means what the docs say, every priority in band 1 (it fell back to the
    default, one band per priority): a low ticket that waited longer goes first."""
    config = DeskConfig.from_dict({"queues": [{"name": "q", "bands": {}}]})
    desk = Desk(config)
    desk.submit(Ticket("low", ANI, "chat", T0, priority="low"), at=T0)
    later = T0 + timedelta(minutes=1)
    desk.submit(Ticket("normal", ANI, "chat", later, priority="normal"), at=later)
    assert [e.ticket_id for e in desk.queue()] == ["low", "normal"]


def _requeued() -> tuple[Desk, dict[str, Any]]:
    desk = Desk(DeskConfig())
    desk.add_agent(AgentProfile("a", capacity={"chat": 1}), at=T0, presence="available")
    desk.submit(Ticket("T1", ANI, "chat", T0), at=T0)
    desk.remove_agent("a", at=T0 + timedelta(minutes=30))
    return desk, json.loads(json.dumps(desk.snapshot()))


def test_a_requeue_before_the_ticket_joined_the_line_is_refused() -> None:
    desk, snap = _requeued()
    [record] = snap["state"]["tickets"]
    assert record["waiting_since_us"] > record["queued_us"]
    record["waiting_since_us"] = record["queued_us"] - 10**12
    with pytest.raises(ConfigError) as info:
        Desk.restore(desk.config, snap)
    assert info.value.path == "snapshot.state.tickets[0].waiting_since_us"


def test_time_used_written_for_another_instant_than_the_snapshots_is_refused() -> None:
    config = DeskConfig.from_dict(
        {
            "calendars": {"c": {"timezone": "UTC", "always_open": True}},
            "sla_policies": [{"name": "p", "calendar": "c", "targets": {"first_response": "PT1H"}}],
            "default_sla_policy": "p",
        }
    )
    desk = Desk(config)
    desk.submit(Ticket("T1", ANI, "email", T0), at=T0)
    desk.advance(at=T0 + timedelta(minutes=10))
    snap = json.loads(json.dumps(desk.snapshot()))
    clock = snap["state"]["tickets"][0]["sla"]["clocks"]["first_response"]
    at, used = clock["used_at"]
    clock["used_at"] = [at + 86_400_000_000, used + 86_400_000_000]  # "a day later, a day used"
    with pytest.raises(ConfigError) as info:
        Desk.restore(config, snap)
    assert info.value.path.endswith("first_response.used_at")


def test_a_hold_and_a_survey_due_after_year_9999_end_at_the_last_instant() -> None:
    """Both are worked out from the command's instant: past the last instant a datetime holds,
    ``next_wakeup`` raised a bare OverflowError and the snapshot did not restore."""
    at = datetime(9999, 12, 31, 22, 0, tzinfo=UTC)
    last = datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
    held = Desk(
        DeskConfig.from_dict(
            {"strategies": ["preferred_agent", "longest_idle"], "affinity": {"timeout": "PT5H"}}
        )
    )
    held.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=at, presence="available")
    held.submit(Ticket("A1", ANI, "chat", at), at=at)
    held.add_agent(AgentProfile("budi", capacity={"chat": 1}), at=at, presence="offline")
    held.submit(Ticket("A2", ANI, "chat", at), at=at)
    surveyed = Desk(DeskConfig(survey_delay=timedelta(hours=3)))
    surveyed.add_agent(AgentProfile("a", capacity={"chat": 1}), at=at, presence="available")
    surveyed.submit(Ticket("t", ANI, "chat", at), at=at)
    surveyed.resolve("t", "a", at=at)
    for desk in (held, surveyed):
        assert desk.next_wakeup() == last
        restored = Desk.restore(desk.config, json.loads(json.dumps(desk.snapshot())))
        assert restored.next_wakeup() == last
