"""Report figures against a recount from ``docs/reference/metrics.md``, on a desk whose day
has a DST change.

A random program runs on a desk open around the clock in Berlin, over the night its clocks
change (spring forward or fall back), with two SLA policies that triage and
``set_sla_policy`` switch between: submissions (some created before they are queued),
replies, customer messages, resolutions, reopenings, parking, transfers, escalations,
requeues, call-backs, abandonments and closes, by hand and by the desk.  The recount reads the
stream one ticket life at a time, as a support lead reads the definitions, and counts what
the tests beside it leave out: each SLA cycle for the policy *in force when its outcome came*
(the first ``TicketQueued``'s, replaced at each ``TicketSlaPolicyChanged``; a breach for the
policy in force at the first breach, a resolution met and later breached moving there),
occupancy over the declared agent time, and each interval row figure by figure, the interval
found by walking the local wall clock back minute by minute to where it reads a whole number
of intervals since midnight.  Two more laws: the tickets' events interleaved in another order
(each ticket's kept) change no figure but the queue-length series and the longest queue; and
a summarizer pickled at any point goes on folding as if it had never stopped.
"""

from __future__ import annotations

import pickle
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, CsflowError, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.desk import commands as cmd
from csflow.events import (
    DeskEvent,
    Event,
    TicketAbandoned,
    TicketAssigned,
    TicketClosed,
    TicketEscalated,
    TicketQueued,
    TicketReopened,
    TicketRequeued,
    TicketResolved,
    TicketSlaPolicyChanged,
    TicketStatusChanged,
    TicketTransferred,
)
from csflow.metrics import (
    IntervalSummarizer,
    Report,
    Summarizer,
    summarize,
    summarize_intervals,
)
from csflow.sla import Metric, SlaBreached, SlaMet

BERLIN = ZoneInfo("Europe/Berlin")
# 00:00 UTC on the nights Berlin's clocks change (01:00 UTC: 02:00 -> 03:00, 03:00 -> 02:00).
STARTS = (datetime(2026, 3, 29, 0, 0, tzinfo=UTC), datetime(2026, 10, 25, 0, 0, tzinfo=UTC))
ZERO = timedelta(0)
TICKETS = ("t1", "t2", "t3")
TIERS = {"gold": Tier("gold", 2), "silver": Tier("silver", 1)}


def desk() -> Desk:
    return Desk(
        DeskConfig.from_dict(
            {
                "tiers": [{"name": "gold", "rank": 2}, {"name": "silver", "rank": 1}],
                "channels": ["chat", "email", "phone"],
                "calendars": {"24x7": {"timezone": "Europe/Berlin", "always_open": True}},
                "sla_policies": [
                    {
                        "name": "fast",
                        "calendar": "24x7",
                        "targets": {
                            "first_response": "PT3M",
                            "next_response": "PT5M",
                            "resolution": "PT25M",
                        },
                    },
                    {
                        "name": "slow",
                        "calendar": "24x7",
                        "targets": {
                            "first_response": {"urgent": "PT2M", "normal": "PT10M"},
                            "periodic_update": "PT15M",
                            "resolution": "PT1H",
                        },
                    },
                ],
                "default_sla_policy": "slow",
                "triage": {
                    "rules": [
                        {
                            "name": "gold",
                            "when": {"field": "tier", "in": ["gold"]},
                            "then": {"sla_policy": "fast"},
                        }
                    ]
                },
                "queues": [{"name": "front"}, {"name": "back"}],
                "routing_profiles": [
                    {"name": "front", "queues": ["front"]},
                    {"name": "back", "queues": ["back"]},
                ],
                "teams": {
                    "front": {"queue": "front", "routing_profile": "front"},
                    "back": {"queue": "back", "routing_profile": "back"},
                },
                "escalation": {
                    "teams": ["front", "back"],
                    "entry": ["front"],
                    "edges": {"front": ["back"]},
                },
                "close_solved_after": "PT20M",
            }
        )
    )


OPS = (
    "submit_gold_chat",
    "submit_silver_chat",
    "submit_silver_email",
    "submit_gold_email",
    "reply",
    "message",
    "resolve",
    "resolve",
    "reopen",
    "pending",
    "on_hold",
    "open",
    "urgent",
    "normal",
    "policy_fast",
    "policy_slow",
    "policy_fast",
    "transfer",
    "escalate",
    "requeue",
    "callback",
    "abandon",
    "close",
    "ana_off",
    "ana_on",
    "budi_off",
    "budi_on",
)
STEP = st.tuples(
    st.sampled_from(OPS),
    st.sampled_from(TICKETS),
    st.sampled_from([0, 0, 2, 4, 15, 30, 60, 200, 600, 1200]),  # seconds before it
    st.sampled_from([0, 0, 4]),  # minutes a submitted ticket was created before
)


def apply(d: Desk, op: str, tid: str, at: datetime, back: int) -> list[Event]:
    if op.startswith("submit_"):
        _, tier, channel = op.split("_")
        created = at - back * timedelta(minutes=1)
        return d.apply(
            cmd.Submit(Ticket(tid, Customer("c" + tid, TIERS[tier]), channel, created), at=at)
        )
    if op.endswith(("_off", "_on")):
        agent, state = op.split("_")
        return d.set_presence(agent, "offline" if state == "off" else "available", at=at)
    holder = d.ticket(tid).agent_id if tid in set(d.tickets()) else None
    if op == "reply":
        return d.reply(tid, holder or "ana", at=at)
    if op == "resolve":
        return d.resolve(tid, holder or "ana", at=at)
    if op == "requeue":
        return d.requeue(tid, holder or "ana", at=at)
    if op == "message":
        return d.customer_message(tid, at=at)
    if op == "reopen":
        return d.reopen(tid, at=at)
    if op in ("pending", "on_hold", "open"):
        return d.set_status(tid, op, at=at)
    if op in ("urgent", "normal"):
        return d.set_priority(tid, op, at=at)
    if op.startswith("policy_"):
        return d.set_sla_policy(tid, op.removeprefix("policy_"), at=at)
    if op == "transfer":
        return d.transfer(tid, "back", at=at)
    if op == "escalate":
        return d.escalate(tid, "back", at=at)
    if op == "callback":
        return d.request_callback(tid, at=at)
    if op == "abandon":
        return d.abandon(tid, at=at)
    assert op == "close"
    return d.close(tid, at=at)


def run(start: datetime, steps: list[tuple[str, str, int, int]]) -> tuple[list[Event], datetime]:
    d = desk()
    t = start
    events: list[Event] = []
    for name, team in (("ana", "front"), ("budi", "back")):
        profile = AgentProfile(name, {}, [], {"chat": 2, "email": 1, "phone": 1}, [team])
        events += d.add_agent(profile, at=t, presence="available")
    for op, tid, seconds, back in steps:
        t += timedelta(seconds=seconds)
        events += d.advance(at=t)
        try:
            events += apply(d, op, tid, t, back)
        except CsflowError:
            continue  # not possible now: nothing changed
    t += timedelta(hours=1)
    events += d.advance(at=t)
    return events, t


# --------------------------------------------------------------------------------------------
# the recount


def lives(events: list[Event]) -> list[list[DeskEvent]]:
    """Each ticket life's events, in stream order: a life ends at its TicketClosed or
    TicketAbandoned (the id may then begin another)."""
    open_: dict[str, list[DeskEvent]] = {}
    done: list[list[DeskEvent]] = []
    for e in events:
        if isinstance(e, DeskEvent):
            open_.setdefault(e.ticket_id, []).append(e)
            if isinstance(e, TicketClosed | TicketAbandoned):
                done.append(open_.pop(e.ticket_id))
    return done + list(open_.values())


# Events at which a ticket leaves its agent's hands, or is handed to another.
LEAVES = (
    TicketTransferred,
    TicketEscalated,
    TicketRequeued,
    TicketResolved,
    TicketAbandoned,
    TicketClosed,
    TicketReopened,
    TicketAssigned,
    TicketQueued,
    TicketStatusChanged,
)


def is_breach(e: Event) -> bool:
    return isinstance(e, SlaBreached) or (isinstance(e, SlaMet) and e.breached)


def recount(lives_: list[list[DeskEvent]], *, end: datetime) -> dict[str, Any]:
    """The figures of the tickets in *lives_*, observed until *end* (a 20-second target)."""
    n: dict[str, Any] = defaultdict(int)
    n["wait"] = n["handle"] = ZERO
    groups: dict[str, dict[str, list[int]]] = {
        k: defaultdict(lambda: [0, 0]) for k in ("metric", "tier", "channel", "policy")
    }
    for life in lives_:
        queued = [e for e in life if isinstance(e, TicketQueued)]
        first = queued[0] if queued else None
        if first is not None:
            n["offered"] += 1
            for e in life:
                if isinstance(e, TicketAssigned):
                    n["answered"] += 1
                    n["wait"] += e.at - first.at
                    n["within"] += e.at - first.at <= timedelta(seconds=20)
                    break
                if isinstance(e, TicketAbandoned):
                    n["abandoned"] += 1
                    break
        since: datetime | None = None
        for e in life:
            if isinstance(e, LEAVES) and since is not None:
                n["handle"] += e.at - since
                since = None
            if isinstance(e, TicketAssigned):
                since = e.at
        if since is not None:
            n["handle"] += end - since
        # The policy in force at each event: the first TicketQueued's (also for the SLA
        # results before it), then each change's.
        policy = first.sla_policy if first is not None else None
        in_force: list[str | None] = []
        seen_queued = False
        for e in life:
            if isinstance(e, TicketQueued):
                seen_queued = True
            if isinstance(e, TicketSlaPolicyChanged) and seen_queued:
                policy = e.new
            in_force.append(policy)
        # One outcome per cycle; breached at its first breach, else met at its SlaMet.
        cycles: dict[tuple[Any, ...], list[Any]] = {}
        resolutions = 0
        for e, pol in zip(life, in_force, strict=True):
            if isinstance(e, TicketResolved):
                resolutions += 1
            if isinstance(e, SlaBreached | SlaMet):
                key: tuple[Any, ...] = (
                    (Metric.RESOLUTION,)
                    if e.metric is Metric.RESOLUTION
                    else (e.metric, resolutions, e.cycle_start)
                )
                cycle = cycles.setdefault(key, [e.metric, None, None])
                if is_breach(e) and cycle[1] is not True:
                    cycle[1], cycle[2] = True, pol
                elif cycle[1] is None:
                    cycle[1], cycle[2] = False, pol
        for metric, breached, pol in cycles.values():
            i = int(breached)
            n[f"sla{i}"] += 1
            groups["metric"][metric.value][i] += 1
            if first is not None:
                groups["tier"][first.tier][i] += 1
                groups["channel"][first.channel][i] += 1
                if pol is not None:
                    groups["policy"][pol][i] += 1
    n["groups"] = {k: dict(d) for k, d in groups.items()}
    return n


def figures(r: Report) -> dict[str, Any]:
    def plain(g: Any) -> dict[str, list[int]]:
        return {k: [a.met, a.breached] for k, a in g.items() if a.total}

    return {
        "offered": r.offered,
        "answered": r.answered,
        "within": r.answered_within_target,
        "abandoned": r.abandoned,
        "wait": r.total_wait,
        "handle": r.handle_time,
        "sla": [r.sla.met, r.sla.breached],
        "groups": {
            "metric": plain(r.sla_by_metric),
            "tier": plain(r.sla_by_tier),
            "channel": plain(r.sla_by_channel),
            "policy": plain(r.sla_by_policy),
        },
    }


def expected(n: dict[str, Any]) -> dict[str, Any]:
    return {
        "offered": n["offered"],
        "answered": n["answered"],
        "within": n["within"],
        "abandoned": n["abandoned"],
        "wait": n["wait"],
        "handle": n["handle"],
        "sla": [n["sla0"], n["sla1"]],
        "groups": {k: {g: v for g, v in d.items() if v != [0, 0]} for k, d in n["groups"].items()},
    }


def is_boundary(m: datetime, minutes: int) -> bool:
    """Whether Berlin's wall clock reads midnight plus a whole number of *minutes* at the
    whole minute *m* (offsets there are whole hours)."""
    local = m.astimezone(BERLIN)
    return (local.hour * 60 + local.minute) % minutes == 0


def wall_start(at: datetime, minutes: int) -> datetime:
    """The start of *at*'s interval: the latest minute at or before it that is a boundary
    (by instant, in UTC: a repeated wall time compares apart)."""
    m = at.astimezone(UTC).replace(second=0, microsecond=0)
    while not is_boundary(m, minutes):
        m -= timedelta(minutes=1)
    return m


SETTINGS = settings(max_examples=40, deadline=None)


@SETTINGS
@given(
    start=st.sampled_from(STARTS),
    steps=st.lists(STEP, min_size=10, max_size=60),
    hours=st.sampled_from([1, 4, 40]),
)
def test_law_policy_groups_and_occupancy_match_the_recount(
    start: datetime, steps: list[tuple[str, str, int, int]], hours: int
) -> None:
    events, end = run(start, steps)
    available = timedelta(hours=hours)
    report = summarize(events, available=available, until=end)
    n = recount(lives(events), end=end)
    assert figures(report) == expected(n)
    assert report.occupancy == n["handle"] / available
    # Every group of each kind adds up to the overall attainment (no policy is None on
    # this desk, and every life is submitted in the stream).
    for by in (report.sla_by_tier, report.sla_by_channel, report.sla_by_policy):
        assert sum(a.met for a in by.values()) == report.sla.met
        assert sum(a.breached for a in by.values()) == report.sla.breached


@SETTINGS
@given(
    start=st.sampled_from(STARTS),
    steps=st.lists(STEP, min_size=10, max_size=60),
    minutes=st.sampled_from([15, 30, 60, 120, 1440]),
)
def test_law_interval_rows_across_a_dst_change_match_the_recount(
    start: datetime, steps: list[tuple[str, str, int, int]], minutes: int
) -> None:
    events, end = run(start, steps)
    report = summarize_intervals(
        events, interval=timedelta(minutes=minutes), zone=BERLIN, until=end
    )
    offered: dict[datetime, list[list[DeskEvent]]] = defaultdict(list)
    for life in lives(events):
        first = next(e for e in life if isinstance(e, TicketQueued))
        offered[wall_start(first.at, minutes)].append(life)
    got = [(start.astimezone(UTC), row) for start, row in report]
    assert [s for s, _ in got] == sorted(offered)
    for (row_start, row), length in zip(got, report.lengths, strict=True):
        # Named by its wall-clock start (a repeated hour's second pass with fold=1).
        local = row_start.astimezone(BERLIN)
        assert (local.hour * 60 + local.minute) % minutes == 0
        assert figures(row) == expected(recount(offered[row_start], end=end))
        # Its real length: to the next instant the wall clock reads a boundary.
        nxt = row_start + timedelta(minutes=1)
        while not is_boundary(nxt, minutes):
            nxt += timedelta(minutes=1)
        assert length == nxt - row_start
    assert figures(report.total) == expected(recount(lives(events), end=end))


def interleave(events: list[Event], draw: st.DataObject) -> list[Event]:
    """Another order of *events* that keeps each ticket's events in their order."""
    by_ticket: dict[str, list[Event]] = defaultdict(list)
    for e in events:
        by_ticket[e.ticket_id if isinstance(e, DeskEvent) else ""].append(e)
    queues = [list(reversed(q)) for q in by_ticket.values()]
    out: list[Event] = []
    while queues:
        i = draw.draw(st.integers(0, len(queues) - 1))
        out.append(queues[i].pop())
        if not queues[i]:
            del queues[i]
    return out


@settings(max_examples=25, deadline=None)
@given(
    start=st.sampled_from(STARTS),
    steps=st.lists(STEP, min_size=10, max_size=40),
    data=st.data(),
)
def test_law_totals_do_not_depend_on_how_tickets_interleave(
    start: datetime, steps: list[tuple[str, str, int, int]], data: st.DataObject
) -> None:
    events, end = run(start, steps)
    mixed = interleave(events, data)
    kw: dict[str, Any] = {"until": end, "short_abandon": timedelta(seconds=5)}
    one, other = summarize(events, **kw), summarize(mixed, **kw)
    # Only the queue-length series and the longest queue read the stream's order.
    assert attrs.evolve(one, queue_length=(), max_queue_length=0) == attrs.evolve(
        other, queue_length=(), max_queue_length=0
    )
    rows = summarize_intervals(events, zone=BERLIN, **kw)
    mixed_rows = summarize_intervals(mixed, zone=BERLIN, **kw)
    assert [s for s, _ in rows] == [s for s, _ in mixed_rows]
    for (_, a), (_, b) in zip(rows, mixed_rows, strict=True):
        assert attrs.evolve(a, queue_length=(), max_queue_length=0) == attrs.evolve(
            b, queue_length=(), max_queue_length=0
        )


@settings(max_examples=15, deadline=None)
@given(
    start=st.sampled_from(STARTS),
    steps=st.lists(STEP, min_size=10, max_size=40),
    cut=st.floats(0, 1),
)
def test_law_a_pickled_summarizer_goes_on_as_if_it_never_stopped(
    start: datetime, steps: list[tuple[str, str, int, int]], cut: float
) -> None:
    events, end = run(start, steps)
    i = int(cut * len(events))
    short = timedelta(seconds=5)
    live = Summarizer(short_abandon=short)
    rows = IntervalSummarizer(interval=timedelta(minutes=30), zone=BERLIN, short_abandon=short)
    for j, e in enumerate(events[:i]):
        live.add(e)
        rows.add(e)
        if j % 7 == 0:  # the live rows are the batch ones at every prefix
            assert rows.report() == summarize_intervals(
                events[: j + 1], interval=timedelta(minutes=30), zone=BERLIN, short_abandon=short
            )
    live, rows = pickle.loads(pickle.dumps((live, rows)))
    assert live.events == rows.events == i
    live.extend(events[i:])
    rows.extend(events[i:])
    assert live.report(until=end) == summarize(events, short_abandon=short, until=end)
    assert rows.report(until=end) == summarize_intervals(
        events, interval=timedelta(minutes=30), zone=BERLIN, short_abandon=short, until=end
    )
