"""A change of a ticket's SLA policy is an event, and the reports count each SLA result for the
policy in force when it came.

:meth:`Desk.set_sla_policy` sends a :class:`TicketSlaPolicyChanged` (only when the policy is
another one), before the SLA events the change causes.  ``summarize``, its running form and
its interval rows attribute every ``SlaBreached`` / ``SlaMet`` to the ticket's policy at that
moment: a customer upgraded to a premium SLA mid-ticket counts under it from the change.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import (
    AgentProfile,
    ConfigError,
    CsflowError,
    Customer,
    Desk,
    DeskConfig,
    Ticket,
    TicketSlaPolicyChanged,
    Tier,
)
from csflow.desk import commands as cmd
from csflow.events import EVENT_VERSION, Event, TicketQueued, event_from_dict
from csflow.metrics import Attainment, Summarizer, summarize, summarize_intervals
from csflow.sla import Metric, SlaBreached, SlaMet
from desks import seeds_desk_doc

WIB = timezone(timedelta(hours=7), "WIB")
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=WIB)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
M = timedelta(minutes=1)
SILVER = Customer("ayu", Tier("silver", 2))


def _kinds(events: list[Event]) -> list[str]:
    return [type(e).__name__ for e in events]


def _seeds() -> Desk:
    """The seeds' desk (standard: office hours, first response 1 h, resolution 8 h; vip: 24/7,
    1 min and 4 h) with sari on the front line and a silver customer's ticket in her hands."""
    desk = Desk(DeskConfig.from_dict(seeds_desk_doc()))
    sari = AgentProfile("sari", {}, [], {"chat": 2}, ["front"])
    desk.add_agent(sari, at=MONDAY, presence="available")
    desk.submit(Ticket("t1", SILVER, "chat", MONDAY), at=MONDAY)
    return desk


# -- the worked examples -------------------------------------------------------------------------


def test_a_customer_upgraded_mid_ticket_counts_under_the_new_policy_from_the_change() -> None:
    desk = _seeds()
    events = desk.history("t1")
    assert isinstance(events[0], TicketQueued)
    assert events[0].sla_policy == "standard"
    out = desk.reply("t1", "sari", at=MONDAY + 10 * M)  # first response met, under standard
    assert _kinds(out) == ["SlaMet"]
    change = desk.set_sla_policy("t1", "vip", at=MONDAY + 20 * M)
    # 20 minutes of vip's 4 hours used: nothing breaches; the first response stays given.
    assert change == [TicketSlaPolicyChanged(MONDAY + 20 * M, "t1", "standard", "vip")]
    assert desk.ticket("t1").sla_policy == "vip"
    # The same policy again changes nothing and says nothing.
    assert desk.set_sla_policy("t1", "vip", at=MONDAY + 30 * M) == []
    out = desk.resolve("t1", "sari", at=MONDAY + 60 * M)
    assert [(type(e).__name__, getattr(e, "metric", None)) for e in out] == [
        ("TicketResolved", None),
        ("SlaMet", Metric.RESOLUTION),
    ]
    stream = list(desk.history("t1"))
    report = summarize(stream)
    assert report.sla == Attainment(met=2, breached=0)
    assert dict(report.sla_by_policy) == {
        "standard": Attainment(met=1, breached=0),  # the first reply
        "vip": Attainment(met=1, breached=0),  # the resolution
    }
    # The running form and the interval rows agree.
    live = Summarizer()
    live.extend(stream)
    assert live.report() == report
    rows = summarize_intervals(stream, zone="Asia/Jakarta", interval=timedelta(minutes=15))
    assert {name: _sum(rows, name) for name in ("standard", "vip")} == dict(report.sla_by_policy)


def test_a_breach_the_change_reveals_counts_under_the_new_policy() -> None:
    desk = _seeds()
    out = desk.set_sla_policy("t1", "vip", at=MONDAY + 30 * M)
    # vip's first response is 1 minute: 30 minutes have gone, the breach is reported at once,
    # after the change that caused it.
    assert _kinds(out) == ["TicketSlaPolicyChanged", "SlaBreached"]
    out += desk.reply("t1", "sari", at=MONDAY + 31 * M)  # met late: the same cycle
    report = summarize(desk.history("t1"))
    assert dict(report.sla_by_policy) == {"vip": Attainment(met=0, breached=1)}


def _fast_config(mode: str = "keep_elapsed", keep_history: bool = True) -> DeskConfig:
    """A 24/7 desk with three policies of short targets, ``a`` by default."""
    return DeskConfig.from_dict(
        {
            "calendars": {"24x7": {"timezone": "UTC", "always_open": True}},
            "sla_policies": [
                {
                    "name": "a",
                    "calendar": "24x7",
                    "targets": {"first_response": "PT5M", "next_response": "PT5M"}
                    | {"resolution": "PT30M"},
                },
                {
                    "name": "b",
                    "calendar": "24x7",
                    "targets": {"first_response": "PT2M", "resolution": "PT10M"},
                },
                {
                    "name": "c",
                    "calendar": "24x7",
                    "targets": {"next_response": "PT3M", "resolution": "PT20M"},
                    "pause_on": {"pending": ["resolution", "next_response"]},
                },
            ],
            "default_sla_policy": "a",
            "recalculation": mode,
            "keep_history": keep_history,
        }
    )


def _fast_desk(mode: str = "keep_elapsed") -> Desk:
    desk = Desk(_fast_config(mode))
    desk.add_agent(AgentProfile("sari", capacity={"chat": 2}), at=T0, presence="available")
    return desk


def test_a_resolution_met_then_breached_under_another_policy_moves_to_it() -> None:
    desk = _fast_desk()
    desk.submit(Ticket("t1", SILVER, "chat", T0), at=T0)
    desk.reply("t1", "sari", at=T0 + M)  # first response met under a
    desk.resolve("t1", "sari", at=T0 + 5 * M)  # resolution met under a (5 of 30 minutes)
    desk.reopen("t1", at=T0 + 6 * M)
    desk.set_sla_policy("t1", "b", at=T0 + 7 * M)  # 10 minutes: due at 11
    out = desk.advance(at=T0 + 12 * M)
    assert [(type(e).__name__, e.metric) for e in out if isinstance(e, SlaBreached)] == [
        ("SlaBreached", Metric.RESOLUTION)
    ]
    report = summarize(desk.history("t1"))
    assert report.sla_by_metric["resolution"] == Attainment(met=0, breached=1)
    assert dict(report.sla_by_policy) == {
        "a": Attainment(met=1, breached=0),  # the first response; the resolution taken back
        "b": Attainment(met=0, breached=1),
    }


# -- on the wire -----------------------------------------------------------------------------------


def test_the_event_goes_over_the_wire_at_version_3() -> None:
    assert EVENT_VERSION == 3
    for old in ("standard", None):
        event = TicketSlaPolicyChanged(MONDAY, "t1", old, "vip")
        data = json.loads(json.dumps(event.to_dict()))
        assert data == {
            "type": "TicketSlaPolicyChanged",
            "version": 3,
            "at": "2026-03-02T02:00:00+00:00",
            "ticket_id": "t1",
            "old": old,
            "new": "vip",
        }
        assert event_from_dict(data) == event
    row = TicketSlaPolicyChanged(MONDAY, "t1", "a", "b").to_dict()
    for version in (1, 2):
        with pytest.raises(
            ConfigError,
            match=r"^event\.version: event type 'TicketSlaPolicyChanged' is of format version 3 "
            rf"and later, got version {version}$",
        ):
            event_from_dict({**row, "version": version})
    with pytest.raises(ConfigError, match=r"event\.version: .*newer than this csflow reads \(3\)"):
        event_from_dict({**row, "version": 4})
    with pytest.raises(ConfigError, match=r"^event\.new: "):
        event_from_dict({**row, "new": 7})
    with pytest.raises(ConfigError, match=r"^events\[0\]\.new: .*must be a name \(str\), got 7"):
        summarize([TicketSlaPolicyChanged(MONDAY, "t1", "a", 7)])  # type: ignore[arg-type]


def test_older_streams_still_read_and_count_under_the_first_policy() -> None:
    # A stream a desk wrote before the change had an event: a version 2 stream and a version
    # 1 one (its SLA rows without cycle_start), where set_sla_policy sent nothing.
    at = "2026-03-02T02:00:00+00:00"
    queued = {
        "type": "TicketQueued",
        "at": at,
        "ticket_id": "t1",
        "queue": "front",
        "priority": 1,
        "sla_policy": "standard",
        "tier": "silver",
        "channel": "chat",
        "reason": "",
    }
    met = {
        "type": "SlaMet",
        "at": "2026-03-02T02:10:00+00:00",
        "ticket_id": "t1",
        "metric": "first_response",
        "elapsed": "PT600S",
        "target": "PT3600S",
        "breached": False,
    }
    later = {**met, "at": "2026-03-02T03:00:00+00:00", "metric": "resolution"}
    for version, extra in ((1, {}), (2, {"cycle_start": at})):
        rows = [
            {**queued, "version": version},
            {**met, "version": version, **extra},
            {**later, "version": version, **extra},
        ]
        stream = [event_from_dict(json.loads(json.dumps(r))) for r in rows]
        report = summarize(stream)
        assert dict(report.sla_by_policy) == {"standard": Attainment(met=2, breached=0)}
        # Written again, they are version 3 rows of the same events.
        assert [event_from_dict(e.to_dict()) for e in stream] == stream


# -- random programs against a reference ---------------------------------------------------------

_TICKETS = ("t1", "t2")
_OPS = ("reply", "message", "resolve", "reopen", "pending", "open", "wait", "a", "b", "c", "urgent")
_STEP = st.tuples(st.sampled_from(_OPS), st.sampled_from(_TICKETS), st.integers(0, 6))


def _command(op: str, tid: str, at: datetime) -> cmd.Command:
    if op == "reply":
        return cmd.Reply(tid, "sari", at=at)
    if op == "message":
        return cmd.CustomerMessage(tid, at=at)
    if op == "resolve":
        return cmd.Resolve(tid, "sari", at=at)
    if op == "reopen":
        return cmd.Reopen(tid, at=at)
    if op in ("pending", "open"):
        return cmd.SetStatus(tid, op, at=at)
    if op == "urgent":
        return cmd.SetPriority(tid, op, at=at)
    return cmd.SetSlaPolicy(tid, op, at=at)


def _sum(rows: Any, policy: str) -> Attainment:
    got = [r.sla_by_policy.get(policy, Attainment()) for _, r in rows]
    return Attainment(met=sum(a.met for a in got), breached=sum(a.breached for a in got))


def _reference(tagged: list[tuple[dict[str, str], Event]]) -> dict[str, Attainment]:
    """Per policy, the SLA outcomes as the docs attribute them: each change of the overall
    count (``summarize``'s, event by event) goes to the policy the commands had put the
    ticket under when its event came -- but a resolution met and then breached is taken back
    from the policy it was counted for."""
    live = Summarizer()
    was = (0, 0)
    counts: dict[str, list[int]] = {}
    resolution_under: dict[str, str] = {}
    for policies, e in tagged:
        live.add(e)
        now = live.report().sla
        met, breached = now.met - was[0], now.breached - was[1]
        was = (now.met, now.breached)
        if not (met or breached):
            continue
        assert isinstance(e, SlaBreached | SlaMet)
        policy = policies[e.ticket_id]
        if (met, breached) == (-1, 1):  # a resolution met, now breached
            counts.setdefault(resolution_under[e.ticket_id], [0, 0])[0] -= 1
            counts.setdefault(policy, [0, 0])[1] += 1
        else:
            assert (met, breached) in ((1, 0), (0, 1))
            row = counts.setdefault(policy, [0, 0])
            row[0] += met
            row[1] += breached
        if e.metric is Metric.RESOLUTION:
            resolution_under[e.ticket_id] = policy
    return {p: Attainment(met=m, breached=b) for p, (m, b) in counts.items() if m or b}


@settings(max_examples=60, deadline=None)
@given(
    mode=st.sampled_from(["keep_elapsed", "retroactive", "restart"]),
    steps=st.lists(_STEP, max_size=24),
    cut=st.integers(0, 24),
)
def test_reports_by_policy_match_a_reference_from_the_commands(
    mode: str, steps: list[tuple[str, str, int]], cut: int
) -> None:
    desk = _fast_desk(mode)
    policies = dict.fromkeys(_TICKETS, "a")  # the reference: the policy each ticket is under
    tagged: list[tuple[dict[str, str], Event]] = []
    program: list[cmd.Command] = []

    def run(c: cmd.Command) -> None:
        try:
            out = desk.apply(c)
        except CsflowError:  # not possible now (a reply to a solved ticket ...): nothing changed
            return
        program.append(c)
        if isinstance(c, cmd.SetSlaPolicy):
            changes = [e for e in out if isinstance(e, TicketSlaPolicyChanged)]
            was = policies[c.ticket_id]
            assert changes == (
                []
                if was == c.policy
                else [TicketSlaPolicyChanged(c.at, c.ticket_id, was, c.policy)]
            )
            policies[c.ticket_id] = c.policy
        tagged.extend((dict(policies), e) for e in out)

    for tid in _TICKETS:
        run(cmd.Submit(Ticket(tid, SILVER, "chat", T0), at=T0))
    t = T0
    snapshot: dict[str, Any] | None = None
    mark = marked_events = 0
    for i, (op, tid, minutes) in enumerate(steps):
        if i == cut:
            snapshot = json.loads(json.dumps(desk.snapshot()))
            mark = len(program)
            marked_events = len(tagged)
        t += minutes * M
        run(cmd.Advance(at=t))
        run(_command(op, tid, t))
    run(cmd.Advance(at=t + 40 * M))
    for tid in _TICKETS:
        assert desk.ticket(tid).sla_policy == policies[tid]
    events = [e for _, e in tagged]
    want = _reference(tagged)
    report = summarize(events)
    assert dict(report.sla_by_policy) == want
    # Every ticket has a policy: the groups add up to the whole.
    assert sum(a.met for a in want.values()) == report.sla.met
    assert sum(a.breached for a in want.values()) == report.sla.breached
    live = Summarizer()
    live.extend(events)
    assert live.report() == report
    rows = summarize_intervals(events, interval=timedelta(minutes=5))
    assert {p: _sum(rows, p) for p in want} == want
    assert rows.total == report
    if snapshot is None:
        return
    # Restored at the cut and given the commands since (as a journal, or one by one), the desk
    # is the same desk, and its events give the same reports.
    again = Desk.restore(desk.config, snapshot, journal=[c.to_dict() for c in program[mark:]])
    assert again.snapshot() == desk.snapshot()
    step = Desk.restore(desk.config, snapshot)
    tail: list[Event] = []
    for c in program[mark:]:
        tail += step.apply(c)
    assert tail == events[marked_events:]
    assert summarize(events[:marked_events] + tail) == report
