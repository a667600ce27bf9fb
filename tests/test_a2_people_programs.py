"""people_report's per-agent figures against a recount written from the docs: random desk
programs on an Indonesian marketplace desk (two teams, transfers, escalations, parking,
reopenings, ratings, agents leaving and coming back, snapshots), with the reference reading
the desk's views after each command rather than the event stream."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier, people_report
from csflow.errors import CsflowError
from csflow.events import Event, FeedbackRecorded
from csflow.metrics import summarize

WIB = ZoneInfo("Asia/Jakarta")
T0 = datetime(2026, 11, 11, 9, 0, tzinfo=WIB)
DOC: dict[str, Any] = {
    "tiers": [{"name": "gold", "rank": 2}, {"name": "regular", "rank": 1}],
    "calendars": {"24x7": {"timezone": "Asia/Jakarta", "always_open": True}},
    "sla_policies": [
        {
            "name": "chat",
            "calendar": "24x7",
            "targets": {"first_response": "PT5M", "next_response": "PT10M", "resolution": "PT30M"},
        }
    ],
    "default_sla_policy": "chat",
    "queues": [{"name": "front"}, {"name": "refunds"}],
    "routing_profiles": [
        {"name": "front", "queues": ["front"]},
        {"name": "refunds", "queues": ["refunds"]},
    ],
    "teams": {
        "front": {"queue": "front", "routing_profile": "front"},
        "refunds": {"queue": "refunds", "routing_profile": "refunds"},
    },
    "escalation": {
        "teams": ["front", "refunds"],
        "entry": ["front"],
        "edges": {"front": ["refunds"]},
    },
    "survey_delay": "PT1H",
}
AGENTS = {"sari": "front", "dewi": "front", "budi": "refunds"}
HANDS = ("assigned",)
PARKED = ("pending", "on_hold")
OPS = (
    "submit",
    "reply",
    "resolve",
    "transfer_agent",
    "transfer_team",
    "escalate",
    "requeue",
    "pending",
    "open",
    "message",
    "reopen",
    "close",
    "abandon",
    "rate",
    "away",
    "back",
    "leave_and_return",
    "snapshot",
)
# The moves that make the figures differ (a ticket resolved twice, parked, handed over)
# come more often than the rest.
WEIGHTED = (*OPS, "submit", "resolve", "resolve", "reopen", "reopen", "pending", "escalate", "rate")
STEP = st.tuples(
    st.sampled_from(WEIGHTED),
    st.integers(0, 3),  # which ticket
    st.sampled_from(sorted(AGENTS)),
    st.sampled_from([0, 1, 2, 5, 7]),  # minutes before the step
    st.integers(1, 5),  # a rating
)


class Recount:
    """The reference: per agent, spans in its hands (from the views), assignments, hand-overs
    out of its hands or parking, distinct resolutions, and the ratings of its resolutions."""

    def __init__(self) -> None:
        self.since: dict[str, datetime] = {}
        self.spans: dict[str, list[float]] = defaultdict(list)
        self.assignments: dict[str, int] = defaultdict(int)
        self.handovers: dict[str, int] = defaultdict(int)
        self.handled: dict[str, set[tuple[str, int]]] = defaultdict(set)
        self.ratings: dict[str, list[int]] = defaultdict(list)
        self.incarnation: dict[str, int] = defaultdict(int)
        self.resolver: dict[str, str] = {}

    def moved(
        self,
        tid: str,
        before: tuple[str, str | None],
        after: tuple[str, str | None],
        t: datetime,
        *,
        forced: bool,
    ) -> None:
        """*tid* went from *before* to *after* (state, agent) at *t* (*forced*: it left its
        agent's hands and came back to them within the command)."""
        if before == after and not forced:
            return
        if before[0] in HANDS and before[1] is not None:
            self.spans[before[1]].append((t - self.since.pop(tid)).total_seconds())
        if after[0] in HANDS and after[1] is not None:
            self.since[tid] = t
            self.assignments[after[1]] += 1


def _views(desk: Desk) -> dict[str, tuple[str, str | None]]:
    out = {}
    for tid in desk.tickets():
        v = desk.ticket(tid)
        out[tid] = (str(v.state), v.agent_id)
    return out


def _run(
    desk: Desk, op: str, tid: str, agent: str, holder: str | None, rating: int, t: datetime
) -> list[Event]:
    who = holder or agent
    if op == "reply":
        return desk.reply(tid, who, at=t)
    if op == "resolve":
        return desk.resolve(tid, who, at=t)
    if op == "transfer_agent":
        return desk.transfer(tid, agent, at=t)
    if op == "transfer_team":
        return desk.transfer(tid, AGENTS[agent], at=t)
    if op == "escalate":
        return desk.escalate(tid, "refunds", at=t)
    if op == "requeue":
        return desk.requeue(tid, who, at=t)
    if op in ("pending", "open"):
        return desk.set_status(tid, op, at=t)
    if op == "message":
        return desk.customer_message(tid, at=t)
    if op == "reopen":
        return desk.reopen(tid, at=t)
    if op == "close":
        return desk.close(tid, at=t)
    if op == "abandon":
        return desk.abandon(tid, at=t)
    if op == "rate":
        return desk.record_feedback(tid, rating, at=t)
    if op == "away":
        return desk.set_presence(agent, "away", at=t)
    if op == "back":
        return desk.set_presence(agent, "available", at=t)
    assert op == "leave_and_return"
    out = desk.remove_agent(agent, at=t)
    profile = AgentProfile(agent, capacity={"chat": 1}, teams={AGENTS[agent]})
    return out + desk.add_agent(profile, at=t, presence="available")


@settings(max_examples=80, deadline=None)
@given(
    st.lists(STEP, min_size=25, max_size=60), st.lists(st.integers(1, 2), min_size=3, max_size=3)
)
def test_people_report_agrees_with_a_recount_from_the_desks_views(
    steps: list[tuple[str, int, str, int, int]], capacities: list[int]
) -> None:
    config = DeskConfig.from_dict(DOC)
    desk = Desk(config)
    events: list[Event] = []
    for (aid, team), cap in zip(AGENTS.items(), capacities, strict=True):
        profile = AgentProfile(aid, capacity={"chat": cap}, teams={team})
        events += desk.add_agent(profile, at=T0, presence="available")
    ref = Recount()
    t, submitted, abandoned = T0, 0, False
    for op, k, agent, minutes, rating in steps:
        t += timedelta(minutes=minutes)
        out = desk.advance(at=t)
        tid = f"t{k % (submitted or 1) + 1}"
        if op == "submit" or not submitted:
            op, submitted = "submit", submitted + 1
            tid = f"t{submitted}"
        before = _views(desk)
        ok = True
        try:
            if op == "submit":
                tier = Tier("gold", 2) if k % 2 else Tier("regular", 1)
                out += desk.submit(Ticket(tid, Customer(f"c{k % 3}", tier), "chat", t), at=t)
            elif op == "snapshot":
                desk = Desk.restore(config, json.loads(json.dumps(desk.snapshot())))
            else:
                out += _run(desk, op, tid, agent, before[tid][1], rating, t)
        except CsflowError:
            ok = False  # refused: nothing changed
        events += out
        after = _views(desk)
        for x in set(before) | set(after):
            a, b = before.get(x, ("new", None)), after[x]
            forced = ok and (
                (x == tid and op in ("requeue", "transfer_agent", "transfer_team", "escalate"))
                or (op == "leave_and_return" and a[1] == agent)
            )
            ref.moved(x, a, b, t, forced=forced)
        if not ok:
            continue
        abandoned = abandoned or op == "abandon"
        if op in ("transfer_agent", "transfer_team", "escalate"):
            state, owner = before[tid]
            if (state in HANDS or state in PARKED) and owner is not None:
                ref.handovers[owner] += 1
        elif op == "resolve":
            who = before[tid][1] or agent
            ref.handled[who].add((tid, ref.incarnation[tid]))
            ref.resolver[tid] = who
        elif op in ("close", "abandon"):
            ref.incarnation[tid] += 1
        elif op == "rate":
            [e] = [e for e in out if isinstance(e, FeedbackRecorded)]
            assert e.agent_id == ref.resolver[tid]  # the agent of the resolution rated
            ref.ratings[ref.resolver[tid]].append(rating)
    report = people_report(events)
    for aid in AGENTS:
        spans = ref.spans[aid]
        expected = (
            ref.assignments[aid],
            len(ref.handled[aid]),
            ref.handovers[aid],
            sum(spans) / len(spans) if spans else None,
            len(ref.ratings[aid]),
            sum(ref.ratings[aid]),
            sum(r >= 4 for r in ref.ratings[aid]),
        )
        s = report.agents.get(aid)
        if s is None:
            assert expected[:3] == (0, 0, 0)
            assert expected[4] == 0
            continue
        got = (
            s.assignments,
            s.handled,
            s.transfers_out,
            s.handle_time_s,
            s.satisfaction.responses,
            s.satisfaction.total,
            s.satisfaction.satisfied,
        )
        assert got == expected, aid
    # Every SLA cycle an agent is credited with is one summarize counts.
    desk_wide = summarize(events).sla
    assert sum(s.sla.met for s in report.agents.values()) <= desk_wide.met
    assert sum(s.sla.breached for s in report.agents.values()) <= desk_wide.breached
    # Once every ticket is resolved by an agent, no cycle is left running or stopped with no
    # agent but an abandoned ticket's: the agents' totals are summarize's (docs: "the agents'
    # totals are summarize's SLA counts less those last cycles").
    events += _finish(desk, t + timedelta(minutes=1))
    report = people_report(events)
    desk_wide = summarize(events).sla
    credited = (
        sum(s.sla.met for s in report.agents.values()),
        sum(s.sla.breached for s in report.agents.values()),
    )
    if not abandoned:
        assert credited == (desk_wide.met, desk_wide.breached)


def _finish(desk: Desk, t: datetime) -> list[Event]:
    """Every agent back with room to spare, every open ticket resolved by an agent."""
    out = desk.advance(at=t)
    for aid, team in AGENTS.items():
        out += desk.remove_agent(aid, at=t)
        profile = AgentProfile(aid, capacity={"chat": 50}, teams={team})
        out += desk.add_agent(profile, at=t, presence="available")
    for tid in list(desk.tickets()):
        if desk.ticket(tid).state in PARKED:
            out += desk.set_status(tid, "open", at=t)
        if desk.ticket(tid).state == "queued":
            out += desk.transfer(tid, "sari", at=t)
        view = desk.ticket(tid)
        if view.state == "assigned":
            assert view.agent_id is not None
            out += desk.resolve(tid, view.agent_id, at=t)
    assert {desk.ticket(tid).state for tid in desk.tickets()} <= {"solved", "closed", "abandoned"}
    return out


def test_csat_after_a_transfer_goes_to_the_agent_who_resolved() -> None:
    # 11.11: Ani's refund question reaches Sari on the front line, who passes it to Budi in
    # refunds; Budi resolves it and Ani rates 5.  Sari handed one over, Budi handled it.
    desk = Desk(DeskConfig.from_dict(DOC))
    events: list[Event] = []
    for aid, team in AGENTS.items():
        events += desk.add_agent(AgentProfile(aid, capacity={"chat": 1}, teams={team}), at=T0)
    events += desk.set_presence("sari", "available", at=T0)
    events += desk.set_presence("budi", "available", at=T0)
    ani = Customer("ani", Tier("gold", 2))
    m = timedelta(minutes=1)
    events += desk.submit(Ticket("wa-1111", ani, "chat", T0), at=T0)
    events += desk.reply("wa-1111", "sari", at=T0 + 2 * m)
    events += desk.escalate("wa-1111", "refunds", at=T0 + 4 * m)
    events += desk.reply("wa-1111", "budi", at=T0 + 6 * m)
    events += desk.resolve("wa-1111", "budi", at=T0 + 16 * m)
    events += desk.record_feedback("wa-1111", 5, "cepat", at=T0 + 20 * m)
    report = people_report(events)
    sari, budi = report.agents["sari"], report.agents["budi"]
    assert (sari.assignments, sari.handled, sari.transfers_out, sari.handle_time_s) == (
        1,
        0,
        1,
        240.0,
    )
    assert (budi.assignments, budi.handled, budi.transfers_out, budi.handle_time_s) == (
        1,
        1,
        0,
        720.0,
    )
    assert budi.satisfaction.responses == 1
    assert budi.satisfaction.csat == 1.0
    assert sari.satisfaction.responses == 0
    assert report.by_team["refunds"].responses == 1
    assert "front" not in report.by_team
    # First responses: Sari answered in 2 minutes (met); the clock stopped in her hands.
    assert sari.first_response_median_s == 120.0
    assert budi.first_response_median_s is None
