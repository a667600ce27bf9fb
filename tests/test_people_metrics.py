"""Metrics of the people at a desk: CSAT by group, agents' standards, consistency, goodwill."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csflow import (
    AgentProfile,
    ConfigError,
    Customer,
    Desk,
    DeskConfig,
    FeedbackRecorded,
    GoodwillGranted,
    Ticket,
    Tier,
    consistency,
    people_report,
)
from csflow.lowlevel import Satisfaction

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=7)))


def _rating(tid: str, rating: int, agent: str | None, tier: str = "gold") -> FeedbackRecorded:
    return FeedbackRecorded(T0, tid, rating, "", 1, agent, tier, "whatsapp", "general", "cs")


@given(st.lists(st.tuples(st.integers(1, 5), st.sampled_from(["a", "b", "c"])), max_size=40))
def test_csat_and_mean_by_group_agree_with_a_recount(ratings: list[tuple[int, str]]) -> None:
    events = [_rating(f"t{i}", r, a) for i, (r, a) in enumerate(ratings)]
    report = people_report(events)
    assert report.satisfaction.responses == len(ratings)
    for agent in {a for _, a in ratings}:
        mine = [r for r, a in ratings if a == agent]
        got = report.by_agent[agent]
        assert got.responses == len(mine)
        assert got.csat == sum(r >= 4 for r in mine) / len(mine)
        assert got.mean == sum(mine) / len(mine)
        assert report.agents[agent].satisfaction == got
    assert sum(s.responses for s in report.by_agent.values()) == len(ratings)
    assert report.by_team.get("cs", Satisfaction()).responses == len(ratings)
    assert list(report.by_agent) == sorted(report.by_agent)


def test_a_rating_without_an_agent_counts_overall_but_for_no_agent() -> None:
    report = people_report([_rating("t1", 5, None), _rating("t2", 3, "sari", "silver")])
    assert report.satisfaction == Satisfaction(2, 1, 8)
    assert list(report.by_agent) == ["sari"]
    assert report.by_tier["gold"].csat == 1.0
    assert report.by_tier["silver"].csat == 0.0


def _run() -> list[object]:
    """Three agents on one desk: budi answers slowly and transfers; sari and dewi do not."""
    cfg = DeskConfig.from_dict(
        {
            "calendars": {"always": {"timezone": "Asia/Jakarta", "always_open": True}},
            "sla_policies": [
                {
                    "name": "chat",
                    "calendar": "always",
                    "targets": {"first_response": "PT10M", "resolution": "PT2H"},
                }
            ],
            "default_sla_policy": "chat",
            "goodwill": {"currency": "IDR", "decimals": 0, "allowance": "100000"},
        }
    )
    desk = Desk(cfg)
    events: list[object] = []
    for aid in ("sari", "dewi", "budi"):
        events += desk.add_agent(AgentProfile(aid, capacity={"chat": 1}), at=T0)
    now = T0
    for k in range(9):
        agent = ("sari", "dewi", "budi")[k % 3]
        slow = agent == "budi"
        events += desk.set_presence(agent, "available", at=now)
        events += desk.submit(
            Ticket(f"t{k}", Customer(f"c{k}", Tier("gold", 3)), "chat", now), at=now
        )
        now += timedelta(minutes=20 if slow else 2)
        events += desk.reply(f"t{k}", agent, at=now)
        if slow and k == 8:
            events += desk.set_presence("sari", "available", at=now)
            events += desk.transfer(f"t{k}", "sari", at=now)
            agent = "sari"
            events += desk.set_presence("budi", "away", at=now)
        else:
            events += desk.set_presence(agent, "away", at=now)
        now += timedelta(minutes=5)
        events += desk.resolve(f"t{k}", agent, at=now)
        events += desk.record_feedback(f"t{k}", 2 if slow else 5, at=now)
        if agent == "sari":
            events += desk.set_presence("sari", "away", at=now)
        events += desk.grant_goodwill(f"t{k}", agent, 5000, "late" if slow else "gift", at=now)
    return events


def test_agents_standards_from_a_real_desk() -> None:
    report = people_report(_run())
    sari, dewi, budi = (report.agents[a] for a in ("sari", "dewi", "budi"))
    assert (sari.handled, dewi.handled, budi.handled) == (4, 3, 2)
    assert sari.first_response_median_s == 120.0
    assert budi.first_response_median_s == 1200.0
    assert budi.first_response_p90_s == 1200.0
    assert budi.transfers_out == 1
    assert sari.transfers_out == 0
    assert budi.transfer_rate == pytest.approx(1 / 3)
    # budi missed three first responses and met two resolutions; sari met everything,
    # t8's resolution included.
    assert (budi.sla.met, budi.sla.breached) == (2, 3)
    assert (sari.sla.met, sari.sla.breached) == (3 + 4, 0)
    assert sari.handle_time_s == pytest.approx((3 * 420 + 300) / 4)
    # A rating counts for the agent who resolved the ticket: t8's 2 is sari's.
    assert budi.satisfaction.csat == 0.0
    assert sari.satisfaction.csat == 0.75
    assert report.goodwill_by_agent["budi"].amount == Decimal(10000)
    assert report.goodwill_by_reason["late"].grants == 3
    assert report.goodwill_by_tier["gold"].amount == Decimal(45000)
    lines = report.table()
    assert lines[0].split()[:2] == ["agent", "handled"]
    assert len(lines) == 5


def test_consistency_flags_the_agent_outside_the_band() -> None:
    report = people_report(_run())
    flags = consistency(report, band=0.5)
    flagged = {(f.agent_id, f.measure) for f in flags}
    assert ("budi", "first_response_median_s") in flagged
    assert ("budi", "csat") in flagged
    assert not any(a == "dewi" for a, _ in flagged)
    f = next(f for f in flags if f.measure == "csat")
    assert f.value == 0.0
    assert f.median == 0.75
    assert str(f).startswith("budi (desk): csat 0 is below")
    # Each agent its own team: nobody to compare with, no flags.
    assert consistency(report, teams={"sari": "a", "dewi": "b", "budi": "c"}) == ()
    # A wide enough band flags no one.
    assert consistency(report, band=100.0, measures=["first_response_median_s"]) == ()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"band": -0.1}, r"band must be a fraction >= 0, got -0.1"),
        ({"measures": ["speed"]}, r"unknown measure 'speed'"),
    ],
)
def test_consistency_refuses_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        consistency(people_report([]), **kwargs)  # type: ignore[arg-type]


def test_goodwill_totals_are_exact_decimals() -> None:
    g = [
        GoodwillGranted(
            T0, "t1", "sari", Decimal("0.10"), "EUR", "late", "gold", "agent:sari", None
        )
        for _ in range(3)
    ]
    assert people_report(g).goodwill_by_agent["sari"].amount == Decimal("0.30")


def test_the_median_of_an_even_count_is_the_mean_of_the_two_middle_values() -> None:
    """Two first responses, after 1 and 3 minutes: the median is 2 minutes (it was 1, the
    lower middle, so ``people_report`` and ``consistency`` disagreed on what a median is)."""
    cfg = DeskConfig.from_dict(
        {
            "calendars": {"always": {"timezone": "Asia/Jakarta", "always_open": True}},
            "sla_policies": [
                {"name": "chat", "calendar": "always", "targets": {"first_response": "PT10M"}}
            ],
            "default_sla_policy": "chat",
        }
    )
    desk = Desk(cfg)
    events: list[object] = list(
        desk.add_agent(AgentProfile("sari", capacity={"chat": 2}), at=T0, presence="available")
    )
    for k in range(2):
        ticket = Ticket(f"t{k}", Customer(f"c{k}", Tier("gold", 1)), "chat", T0)
        events += desk.submit(ticket, at=T0)
    events += desk.reply("t0", "sari", at=T0 + timedelta(seconds=60))
    events += desk.reply("t1", "sari", at=T0 + timedelta(seconds=180))
    sari = people_report(events).agents["sari"]
    assert sari.first_response_median_s == 120.0
    assert sari.first_response_p90_s == 180.0


def test_hand_overs_of_parked_tickets_count_for_their_owner() -> None:
    t0 = T0

    def at(minutes: int) -> datetime:
        return t0 + timedelta(minutes=minutes)

    desk = Desk(
        DeskConfig.from_dict(
            {
                "queues": [{"name": "general"}, {"name": "tech"}],
                "teams": {"front": {"queue": "general"}, "tech": {"queue": "tech"}},
                "escalation": {
                    "teams": ["front", "tech"],
                    "entry": ["front"],
                    "edges": {"front": ["tech"]},
                },
            }
        )
    )
    events = []
    front = AgentProfile("sari", capacity={"chat": 3}, teams=frozenset({"front"}))
    events += desk.add_agent(front, at=at(0), presence="available")
    budi = AgentProfile("budi", capacity={"chat": 3}, teams=frozenset({"front"}))
    events += desk.add_agent(budi, at=at(0), presence="offline")
    ani = Customer("ani", Tier("gold", 3))
    for tid in ("T1", "T2", "T3", "T4"):
        events += desk.submit(Ticket(tid, ani, "chat", at(0)), at=at(0))
    events += desk.set_presence("budi", "available", at=at(1))
    events += desk.transfer("T1", "budi", at=at(1))  # held by sari
    events += desk.set_status("T2", "pending", at=at(2))
    events += desk.transfer("T2", "budi", at=at(3))  # owned by sari, pending
    events += desk.set_status("T3", "on_hold", at=at(4))
    events += desk.escalate("T3", "tech", at=at(5))  # owned by sari, on hold
    # Parked, then taken up again and resolved: no hand-over.  (Budi took T4 at 1.)
    assert desk.ticket("T4").agent_id == "budi"
    events += desk.set_status("T4", "pending", at=at(6))
    events += desk.set_status("T4", "open", at=at(7))
    events += desk.resolve("T4", "budi", at=at(8))
    report = people_report(events)
    assert report.agents["sari"].transfers_out == 3
    assert report.agents["budi"].transfers_out == 0
