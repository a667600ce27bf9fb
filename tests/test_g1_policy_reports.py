"""Reports by SLA policy against a naive reference, on random desk programs.

Each SLA result counts for the policy in force when it came (``docs/reference/metrics.md``):
the first ``TicketQueued``'s, replaced at each ``TicketSlaPolicyChanged``; a resolution met
and then breached after a reopening is taken back from the policy it was counted for.  The
reference below follows one ticket's life at a time, with the policy the desk's events said,
and attributes each change of that life's own count to it.  The programs mix policy changes
(to the ticket's own policy, to another, to one without a target for a metric), priority
changes under the three recalculation modes, reopenings, pauses, customer messages, hand-overs,
closing, forgetting and a new ticket under a forgotten id; the desk is restored mid-run from
its snapshot and from a journal.  A window cut from the stream leaves a policy change of a
ticket whose life has not begun in it out of the interval rows: it counts nothing.
"""

from __future__ import annotations

import json
import pathlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, CsflowError, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.cli import main
from csflow.desk import commands as cmd
from csflow.events import (
    DeskEvent,
    Event,
    TicketAbandoned,
    TicketClosed,
    TicketQueued,
    TicketSlaPolicyChanged,
    event_from_dict,
)
from csflow.metrics import Attainment, Summarizer, summarize, summarize_intervals
from csflow.people import people_report
from csflow.sla import Metric, SlaBreached

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
M = timedelta(minutes=1)
GOLD, SILVER = Tier("gold", 2), Tier("silver", 1)
TICKETS = ("t1", "t2", "t3")


def _config(mode: str) -> DeskConfig:
    """24/7; gold tickets under ``a``, silver under none; ``b`` has a first response only for
    each priority, ``c`` none at all (and pauses on pending)."""
    return DeskConfig.from_dict(
        {
            "tiers": [{"name": "gold", "rank": 2}, {"name": "silver", "rank": 1}],
            "calendars": {"24x7": {"timezone": "UTC", "always_open": True}},
            "sla_policies": [
                {
                    "name": "a",
                    "calendar": "24x7",
                    "targets": {
                        "first_response": "PT5M",
                        "next_response": "PT5M",
                        "resolution": "PT30M",
                    },
                },
                {
                    "name": "b",
                    "calendar": "24x7",
                    "targets": {
                        "first_response": {"urgent": "PT1M", "low": "PT4M", "normal": "PT2M"},
                        "resolution": "PT10M",
                    },
                },
                {
                    "name": "c",
                    "calendar": "24x7",
                    "targets": {"next_response": "PT3M", "resolution": "PT20M"},
                    "pause_on": {"pending": ["resolution", "next_response"]},
                },
            ],
            "triage": {
                "rules": [
                    {
                        "name": "g",
                        "when": {"field": "tier", "in": ["gold"]},
                        "then": {"sla_policy": "a"},
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
            "recalculation": mode,
        }
    )


OPS = (
    "reply",
    "message",
    "resolve",
    "reopen",
    "pending",
    "open",
    "on_hold",
    "wait",
    "a",
    "b",
    "c",
    "urgent",
    "low",
    "normal",
    "transfer",
    "escalate",
    "requeue",
    "close",
    "forget",
    "abandon",
    "submit_gold",
    "submit_silver",
)


def _command(op: str, tid: str, at: datetime, back: int) -> cmd.Command:
    simple: dict[str, Any] = {
        "message": cmd.CustomerMessage,
        "reopen": cmd.Reopen,
        "close": cmd.Close,
        "forget": cmd.Forget,
        "abandon": cmd.Abandon,
    }
    if op in simple:
        return simple[op](tid, at=at)  # type: ignore[no-any-return]
    if op in ("reply", "resolve", "requeue"):
        kind = {"reply": cmd.Reply, "resolve": cmd.Resolve, "requeue": cmd.Requeue}[op]
        return kind(tid, "sari", at=at)
    if op in ("pending", "open", "on_hold"):
        return cmd.SetStatus(tid, op, at=at)
    if op in ("urgent", "low", "normal"):
        return cmd.SetPriority(tid, op, at=at)
    if op in ("a", "b", "c"):
        return cmd.SetSlaPolicy(tid, op, at=at)
    if op == "transfer":
        return cmd.Transfer(tid, "back", at=at)
    if op == "escalate":
        return cmd.Escalate(tid, "back", at=at)
    tier = GOLD if op == "submit_gold" else SILVER
    # Created up to ten minutes before: its clocks may have breached before it is queued.
    return cmd.Submit(Ticket(tid, Customer("c" + tid, tier), "chat", at - back * M), at=at)


Counts = dict[str, Attainment]


def _reference(events: list[Event], *, follow_changes: bool = True) -> tuple[Counts, list[int]]:
    """Per policy, and for tickets in no policy group, the SLA results as the docs attribute
    them: each ticket life alone (``TicketQueued`` to ``TicketClosed`` / ``TicketAbandoned``),
    each change of that life's own count (``summarize`` of its events so far) to the policy
    in force -- the first ``TicketQueued``'s before it and until a change (results before it
    join it), then each change's ``new`` -- a resolution met and then breached taken back from
    where it was counted.  Without *follow_changes* (a stream of an older format), the first
    policy throughout."""
    lives: dict[str, list[Event]] = {}
    done: list[list[Event]] = []
    for e in events:
        if not isinstance(e, DeskEvent):
            continue
        lives.setdefault(e.ticket_id, []).append(e)
        if isinstance(e, TicketClosed | TicketAbandoned):
            done.append(lives.pop(e.ticket_id))
    done.extend(lives.values())
    counts: dict[str | None, list[int]] = {}
    for life in done:
        queued = [e for e in life if isinstance(e, TicketQueued)]
        policy = queued[0].sla_policy if queued else None
        was = (0, 0)
        resolution_under: str | None = None
        for k, e in enumerate(life):
            if isinstance(e, TicketSlaPolicyChanged) and follow_changes and queued:
                policy = e.new
            now = summarize(life[: k + 1]).sla
            met, breached = now.met - was[0], now.breached - was[1]
            was = (now.met, now.breached)
            if (met, breached) == (-1, 1):  # a resolution met, now breached
                counts.setdefault(resolution_under, [0, 0])[0] -= 1
                counts.setdefault(policy, [0, 0])[1] += 1
            elif met or breached:
                assert (met, breached) in ((1, 0), (0, 1))
                row = counts.setdefault(policy, [0, 0])
                row[0] += met
                row[1] += breached
            if (met or breached) and getattr(e, "metric", None) is Metric.RESOLUTION:
                resolution_under = policy
    none = counts.pop(None, [0, 0])
    found = {p: Attainment(met=m, breached=b) for p, (m, b) in counts.items() if p and (m or b)}
    return found, none


def _rows_by_policy(rows: Any) -> Counts:
    total: dict[str, list[int]] = {}
    for _, r in rows:
        for p, a in r.sla_by_policy.items():
            x = total.setdefault(p, [0, 0])
            x[0] += a.met
            x[1] += a.breached
    return {p: Attainment(met=m, breached=b) for p, (m, b) in total.items() if m or b}


STEP = st.tuples(
    st.sampled_from(OPS), st.sampled_from(TICKETS), st.integers(0, 6), st.sampled_from([0, 3, 10])
)


@settings(max_examples=40, deadline=None)
@given(
    mode=st.sampled_from(["keep_elapsed", "retroactive", "restart"]),
    first=st.lists(st.booleans(), min_size=3, max_size=3),
    steps=st.lists(STEP, max_size=30),
    cut=st.integers(0, 30),
    window=st.integers(0, 200),
)
def test_reports_by_policy_match_a_reference_per_ticket_life(
    mode: str, first: list[bool], steps: list[tuple[str, str, int, int]], cut: int, window: int
) -> None:
    desk = Desk(_config(mode))
    desk.add_agent(
        AgentProfile("sari", capacity={"chat": 3}, teams=["front", "back"]),
        at=T0,
        presence="available",
    )
    events: list[Event] = []
    program: list[cmd.Command] = []

    def run(c: cmd.Command) -> None:
        before = desk.ticket(c.ticket_id).sla_policy if isinstance(c, cmd.SetSlaPolicy) else None
        try:
            out = desk.apply(c)
        except CsflowError:  # not possible now: nothing changed
            return
        program.append(c)
        events.extend(out)
        if isinstance(c, cmd.SetSlaPolicy):
            changes = [e for e in out if isinstance(e, TicketSlaPolicyChanged)]
            want = (
                []
                if before == c.policy
                else [TicketSlaPolicyChanged(c.at, c.ticket_id, before, c.policy)]
            )
            assert changes == want
            assert out[: len(changes)] == changes  # before the SLA events it causes
            assert desk.ticket(c.ticket_id).sla_policy == c.policy

    for tid, gold in zip(TICKETS, first, strict=True):
        run(_command("submit_gold" if gold else "submit_silver", tid, T0, 0))
    t = T0
    mark: tuple[dict[str, Any], int, int] | None = None
    for i, (op, tid, minutes, back) in enumerate(steps):
        if i == cut:
            mark = (json.loads(json.dumps(desk.snapshot())), len(program), len(events))
        t += minutes * M
        run(cmd.Advance(at=t))
        if op != "wait":
            run(_command(op, tid, t, back))
    run(cmd.Advance(at=t + 40 * M))

    want, none = _reference(events)
    report = summarize(events)
    assert dict(report.sla_by_policy) == want
    # The groups and the tickets in none add up to the whole.
    assert sum(a.met for a in want.values()) + none[0] == report.sla.met
    assert sum(a.breached for a in want.values()) + none[1] == report.sla.breached
    # The running form equals summarize at every prefix; so do the interval rows' sums.
    live = Summarizer()
    latest = T0
    for k, e in enumerate(events):
        live.add(e)
        latest = max(latest, e.at)
        if k % 5 == 0 or k == len(events) - 1:
            prefix = summarize(events[: k + 1], until=latest + M)
            assert live.report(until=latest + M) == prefix
    rows = summarize_intervals(events, interval=timedelta(minutes=5))
    assert rows.total == report
    assert _rows_by_policy(rows) == want
    # On the wire and back: the same report; people_report reads the new event.
    wire = [event_from_dict(json.loads(json.dumps(e.to_dict()))) for e in events]
    assert summarize(wire) == report
    people_report(events)
    # A stream of an older format (no policy changes) counts under the first policy.
    old = [e for e in events if not isinstance(e, TicketSlaPolicyChanged)]
    assert dict(summarize(old).sla_by_policy) == _reference(events, follow_changes=False)[0]
    # A window cut from the stream: a policy change of a ticket whose life has not begun in
    # the window counts nothing and is in no row.
    cut_at = window % (len(events) + 1)
    part = events[cut_at:]
    queued: set[str] = set()  # tickets whose TicketQueued is in the window (this life)
    kept: list[Event] = []
    for e in part:
        if isinstance(e, TicketQueued):
            queued.add(e.ticket_id)
        if not isinstance(e, TicketSlaPolicyChanged) or e.ticket_id in queued:
            kept.append(e)
        if isinstance(e, TicketClosed | TicketAbandoned):
            queued.discard(e.ticket_id)
    end = max((e.at for e in events), default=T0)
    got = summarize_intervals(part, interval=timedelta(minutes=5), until=end)
    plain = summarize_intervals(kept, interval=timedelta(minutes=5), until=end)
    assert [s for s, _ in got] == [s for s, _ in plain]
    assert list(got) == list(plain)
    if mark is None:
        return
    # Restored at the cut (from its snapshot with the journal since, or given the commands
    # one by one), the desk is the same desk and sends the same events.
    snap, at_command, at_event = mark
    again = Desk.restore(desk.config, snap, journal=[c.to_dict() for c in program[at_command:]])
    assert again.snapshot() == desk.snapshot()
    step = Desk.restore(desk.config, snap)
    tail: list[Event] = []
    for c in program[at_command:]:
        tail += step.apply(c)
    assert [e.to_dict() for e in tail] == [e.to_dict() for e in events[at_event:]]


def test_a_policy_change_before_a_carried_ticket_begins_is_in_no_interval_row() -> None:
    """A window cut from a longer run: ticket x was queued before it.  Its policy changes at
    09:10 and its first response breaches at 10:05; the breach is the first event a metric
    counts, so x's life is in the 10:00 row, and the change (in no group: x's TicketQueued is
    not in the window) is left out of the rows."""
    window = [
        TicketSlaPolicyChanged(T0 + 10 * M, "x", "a", "b"),
        SlaBreached(T0 + 65 * M, "x", Metric.FIRST_RESPONSE, T0, timedelta(hours=1)),
    ]
    rows = summarize_intervals(window, interval=timedelta(minutes=30))
    assert [(start, r.sla) for start, r in rows] == [
        (datetime(2026, 3, 2, 10, 0, tzinfo=UTC), Attainment(met=0, breached=1))
    ]
    assert rows.left_out == 1
    assert rows.total.sla == Attainment(met=0, breached=1)
    assert dict(rows.total.sla_by_policy) == {}
    # A change alone makes no row.
    alone = summarize_intervals(window[:1], interval=timedelta(minutes=30))
    assert list(alone) == []
    assert alone.left_out == 1


def test_csflow_report_reads_policy_changes_and_leaves_a_leading_one_out(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``csflow report`` reads the new event; a window whose first event for x is a policy
    change has x's life in the 10:00 interval only."""
    window = [
        TicketSlaPolicyChanged(T0 + 10 * M, "x", "a", "b"),
        SlaBreached(T0 + 65 * M, "x", Metric.FIRST_RESPONSE, T0, timedelta(hours=1)),
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(e.to_dict()) + "\n" for e in window), encoding="utf-8")
    assert main(["report", str(path), "--zone", "UTC", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [row["from"] for row in doc["intervals"]] == ["2026-03-02 10:00"]
    assert doc["totals"][0]["left_out"] == 1
