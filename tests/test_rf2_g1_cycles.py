"""SLA cycles named by their natural start, on random desk programs and at the edges.

The reference here is built from the commands alone, as the docs define the cycles
(docs/explanation/sla-semantics.md): the first response from the ticket's creation until the
first reply or a solve; a next response from a customer message (or a re-opening) after a
reply, when none is waiting, until the next reply or a solve; a periodic update from each reply
(or the re-opening after one) until the next reply or a solve.  Every SLA result of a clock
must name the cycle under way (``cycle_start``), and the reports must count each cycle once:
breached if any of its clocks breached.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier, people_report
from csflow.events import Event, TicketResolved
from csflow.metrics import Attainment, Summarizer, summarize, summarize_intervals
from csflow.sla import Metric, RecalcMode, SlaBreached, SlaCancelled, SlaMet, SlaPolicy, TicketSla
from desks import run_program, sla_desk

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
M = timedelta(minutes=1)
GOLD = Customer("c1", Tier("gold", 1))
FR, NR, PU = Metric.FIRST_RESPONSE, Metric.NEXT_RESPONSE, Metric.PERIODIC_UPDATE
_REPLY_METRICS = (FR, NR, PU)
_Sla = SlaBreached | SlaMet | SlaCancelled


def _config(mode: str, *, other: bool = False) -> DeskConfig:
    """Two policies whose targets leave gaps (so priorities and policies lose and regain
    them), pausing on pending or on hold; *other* is a changed config for a restore."""
    p: dict[str, object] = {
        "first_response": {"urgent": "PT5M", "high": "PT3M"},
        "next_response": {"urgent": "PT5M", "high": "PT2M"},
        "periodic_update": {"urgent": "PT6M", "low": "PT4M"},
    }
    if other:
        p = {
            "first_response": {"normal": "PT2M"},
            "next_response": {"urgent": "PT3M", "normal": "PT4M"},
            "periodic_update": {"high": "PT2M"},
        }
    q = {
        "first_response": {"normal": "PT4M", "urgent": "PT9M"},
        "next_response": {"normal": "PT3M", "low": "PT7M"},
        "periodic_update": {"high": "PT5M", "normal": "PT8M"},
    }
    return DeskConfig.from_dict(
        {
            "calendars": {"24x7": {"timezone": "UTC", "always_open": True}},
            "sla_policies": [
                {
                    "name": "p",
                    "calendar": "24x7",
                    "targets": p,
                    "pause_on": {
                        "pending": ["next_response", "periodic_update"],
                        "on_hold": ["first_response"],
                    },
                },
                {
                    "name": "q",
                    "calendar": "24x7",
                    "targets": q,
                    "pause_on": {"on_hold": ["next_response", "periodic_update", "first_response"]},
                },
            ],
            "default_sla_policy": "p",
            "recalculation": mode,
        }
    )


class _Cycles:
    """The reply metrics' cycles from the commands alone: ticket and metric -> the cycle
    under way (a number), and each cycle's natural start."""

    def __init__(self) -> None:
        self.replied: set[str] = set()
        self.solved: set[str] = set()
        self.current: dict[tuple[str, Metric], int] = {}
        self.starts: list[datetime] = []

    def _new(self, tid: str, metric: Metric, t: datetime) -> None:
        self.current[tid, metric] = len(self.starts)
        self.starts.append(t)

    def command(self, op: str, tid: str, t: datetime) -> None:
        if op == "submit":
            self._new(tid, FR, t)
        elif op == "reply":
            self.replied.add(tid)
            self.current.pop((tid, FR), None)
            self.current.pop((tid, NR), None)
            if tid not in self.solved:
                self._new(tid, PU, t)
        elif op == "resolve":
            self.solved.add(tid)
            for m in _REPLY_METRICS:  # a solve ends them all (the first response for good)
                self.current.pop((tid, m), None)
        elif op in ("message", "reopen"):
            if op == "reopen":
                self.solved.discard(tid)
                if tid in self.replied:
                    self._new(tid, PU, t)
            if tid in self.replied and tid not in self.solved and (tid, NR) not in self.current:
                self._new(tid, NR, t)


_OPS = (
    "urgent",
    "normal",
    "high",
    "low",
    "reply",
    "message",
    "resolve",
    "reopen",
    "pending",
    "on_hold",
    "open",
    "policy_p",
    "policy_q",
    "snapshot",
    "changed_config",
    "wait",
)


@given(
    mode=st.sampled_from(["keep_elapsed", "retroactive", "restart"]),
    first=st.lists(st.sampled_from(["urgent", "normal", "high", "low"]), min_size=2, max_size=2),
    steps=st.lists(
        st.tuples(st.sampled_from(_OPS), st.sampled_from(["T1", "T2"]), st.integers(0, 6)),
        max_size=30,
    ),
)
def test_every_sla_result_names_its_cycle_and_the_reports_count_each_cycle_once(
    mode: str, first: list[str], steps: list[tuple[str, str, int]]
) -> None:
    desk = Desk(_config(mode))
    cycles = _Cycles()
    tagged: list[tuple[int | None, Event]] = []
    # Per TicketResolved (by position): the cycles under way when it came.
    ended: dict[int, dict[tuple[str, Metric], int]] = {}

    def feed(events: list[Event]) -> None:
        # A command's events belong to the cycles under way before it.
        before = dict(cycles.current)
        for e in events:
            cycle = None
            if isinstance(e, _Sla) and e.metric in _REPLY_METRICS:
                cycle = before.get((e.ticket_id, e.metric))
                assert cycle is not None, f"{e!r} in no cycle"
                assert e.cycle_start == cycles.starts[cycle], e
            elif isinstance(e, TicketResolved):
                ended[len(tagged)] = before
            tagged.append((cycle, e))

    feed(desk.add_agent(AgentProfile("sari", capacity={"chat": 3}), at=T0, presence="available"))
    for tid, prio in zip(("T1", "T2"), first, strict=True):
        feed(desk.submit(Ticket(tid, GOLD, "chat", T0, priority=prio), at=T0))
        cycles.command("submit", tid, T0)
    changed = False

    def swap(op: str, desk: Desk) -> tuple[Desk, list[Event]] | None:
        # A restore from the desk's snapshot, once under a changed config.
        nonlocal changed
        if op == "snapshot":
            return Desk.restore(desk.config, json.loads(json.dumps(desk.snapshot()))), []
        if op != "changed_config":
            return None
        if changed:
            return desk, []
        changed = True
        out: list[Event] = []
        snap = json.loads(json.dumps(desk.snapshot()))
        return Desk.restore(_config(mode, other=True), snap, on_config_change=out), out

    desk, t = run_program(desk, steps, T0, feed=feed, done=cycles.command, swap=swap)
    feed(desk.advance(at=t + 60 * M))
    events = [e for _, e in tagged]

    live = Summarizer()
    for e in events:
        live.add(e)
    whole = summarize(events)
    rows = summarize_intervals(events, interval=timedelta(minutes=5))
    for metric in _REPLY_METRICS:
        breached = {c for c, e in tagged if isinstance(e, SlaBreached) and e.metric is metric}
        breached |= {
            c for c, e in tagged if isinstance(e, SlaMet) and e.metric is metric and e.breached
        }
        met = {c for c, e in tagged if isinstance(e, SlaMet) and e.metric is metric} - breached
        want = Attainment(met=len(met), breached=len(breached))
        assert whole.sla_by_metric.get(metric.value, Attainment()) == want, metric
        assert live.report().sla_by_metric.get(metric.value, Attainment()) == want, metric
        added = [r.sla_by_metric.get(metric.value, Attainment()) for _, r in rows]
        assert Attainment(
            met=sum(a.met for a in added), breached=sum(a.breached for a in added)
        ) == (want), metric

    # Sari holds every ticket: she gets each cycle where it stops -- its first SlaMet, or a
    # cancellation or solve after a breach.
    decided: dict[int, int] = {}
    hit: set[int] = set()
    for k, (c, e) in enumerate(tagged):
        if c is not None and (isinstance(e, SlaBreached) or (isinstance(e, SlaMet) and e.breached)):
            hit.add(c)
        if c is not None and isinstance(e, SlaMet):
            decided.setdefault(c, 1 if c in hit else 0)
        elif c is not None and isinstance(e, SlaCancelled) and c in hit:
            decided.setdefault(c, 1)
        elif isinstance(e, TicketResolved):
            for (tid, _), c2 in ended[k].items():
                if tid == e.ticket_id and c2 in hit:
                    decided.setdefault(c2, 1)
    outcomes = list(decided.values())
    sari = people_report(events).agents["sari"]
    assert sari.sla == Attainment(met=outcomes.count(0), breached=outcomes.count(1))


@pytest.mark.parametrize("mode", ["keep_elapsed", "retroactive", "restart"])
def test_two_cycles_at_the_same_wall_clock_time_of_a_fall_back_night_count_apart(
    mode: str,
) -> None:
    # New York falls back at 06:00Z on 2026-11-01: 05:30Z and 06:30Z are both 01:30.  The
    # message of 01:30 EDT breaches, loses its target and is answered; the message of
    # 01:30 EST is another cycle, and its breach counts on its own.
    start = datetime(2026, 11, 1, 5, 0, tzinfo=UTC)
    desk = sla_desk(mode, {"next_response": {"urgent": "PT5M"}}, zone="America/New_York")
    ev: list[Event] = []
    ev += desk.add_agent(
        AgentProfile("sari", capacity={"email": 1}), at=start, presence="available"
    )
    ev += desk.submit(Ticket("T1", GOLD, "email", start, priority="urgent"), at=start)
    ev += desk.reply("T1", "sari", at=start + 10 * M)
    ev += desk.customer_message("T1", at=start + 30 * M)  # 01:30 EDT, due 01:35
    ev += desk.advance(at=start + 38 * M)
    ev += desk.set_priority("T1", "normal", at=start + 40 * M)  # cancelled, breach counted
    ev += desk.reply("T1", "sari", at=start + 60 * M)  # the cycle ends
    ev += desk.customer_message("T1", at=start + 90 * M)  # 01:30 EST: another cycle
    ev += desk.set_priority("T1", "urgent", at=start + 91 * M)
    ev += desk.advance(at=start + 120 * M)
    starts = [e.cycle_start for e in ev if isinstance(e, _Sla) and e.metric is NR]
    assert starts[0] is not None
    assert starts[-1] is not None
    assert starts[0].replace(tzinfo=None) == starts[-1].replace(tzinfo=None)  # both 01:30
    # (Python compares and subtracts two datetimes of one zone by wall clock: in UTC.)
    assert starts[-1].astimezone(UTC) - starts[0].astimezone(UTC) == timedelta(hours=1)
    two = Attainment(met=0, breached=2)
    assert summarize(ev).sla_by_metric[NR.value] == two
    rows = summarize_intervals(ev, interval=timedelta(minutes=15))
    assert sum(r.sla_by_metric.get(NR.value, Attainment()).breached for _, r in rows) == 2
    # The agent gets the first cycle at its cancellation; the second is still waiting.
    assert people_report(ev).agents["sari"].sla == Attainment(met=0, breached=1)


@pytest.mark.parametrize("mode", ["keep_elapsed", "retroactive", "restart"])
def test_a_first_response_a_solve_ended_is_not_started_again_by_a_regained_target(
    mode: str,
) -> None:
    # Nobody answers the urgent T1 (breached at 09:05); it is solved at 09:06 without a reply,
    # which ends its one first-response cycle, and re-opened at 09:10.  A priority that loses
    # and regains the target then starts no first-response clock, in any mode.
    desk = sla_desk(mode)
    ev: list[Event] = []
    ev += desk.add_agent(AgentProfile("sari", capacity={"email": 1}), at=T0, presence="available")
    ev += desk.submit(Ticket("T1", GOLD, "email", T0, priority="urgent"), at=T0)
    ev += desk.advance(at=T0 + 5 * M)
    ev += desk.resolve("T1", "sari", at=T0 + 6 * M)
    ev += desk.reopen("T1", at=T0 + 10 * M)
    ev += desk.set_priority("T1", "normal", at=T0 + 11 * M)
    ev += desk.set_priority("T1", "urgent", at=T0 + 12 * M)
    ev += desk.advance(at=T0 + 30 * M)
    fr = [e for e in ev if isinstance(e, _Sla) and e.metric is FR]
    assert [type(e).__name__ for e in fr] == ["SlaBreached"]
    assert summarize(ev).sla_by_metric[FR.value] == Attainment(met=0, breached=1)


@pytest.mark.parametrize("mode", [RecalcMode.KEEP_ELAPSED, RecalcMode.RESTART])
def test_a_first_response_regained_on_a_ticket_restored_without_facts_keeps_its_cycle(
    mode: RecalcMode,
) -> None:
    # An older snapshot keeps no facts: a gained first response counts from the change, but
    # still in the ticket's one first-response cycle, named by its creation.
    policy = SlaPolicy.from_dict(
        {"name": "p", "calendar": "24x7", "targets": {"first_response": {"urgent": "PT5M"}}},
        {"24x7": sla_desk("restart").config.calendars["24x7"]},
    )
    sla = TicketSla("T1", policy, "urgent", T0)
    ev: list[object] = []
    ev += sla.advance(T0 + 6 * M)  # breached at 09:05
    ev += sla.change_priority("normal", T0 + 7 * M)  # cancelled
    data = json.loads(json.dumps(sla.to_dict()))
    del data["facts"]
    older = TicketSla.from_dict(data, {"p": policy})
    ev += older.change_priority("urgent", T0 + 8 * M, mode=mode)
    ev += older.advance(T0 + 20 * M)
    fr = [e for e in ev if isinstance(e, _Sla)]
    assert [type(e).__name__ for e in fr] == ["SlaBreached", "SlaCancelled", "SlaBreached"]
    assert {e.cycle_start for e in fr} == {T0}
    assert summarize(ev).sla_by_metric[FR.value] == Attainment(met=0, breached=1)


def test_a_clock_cancelled_for_want_of_a_target_regains_it_under_a_changed_config() -> None:
    # The 09:02 message breaches at 09:07; at 09:11 the ticket is made normal, which has no
    # next-response target (cancelled).  Restored at 09:15 under a config that gives normal
    # tickets one, the same message is still waiting: its clock is regained, in its cycle --
    # not started afresh at the customer's next message -- and the cycle counts once.
    desk = sla_desk("keep_elapsed", {"next_response": {"urgent": "PT5M"}})
    ev: list[Event] = []
    ev += desk.add_agent(AgentProfile("sari", capacity={"email": 1}), at=T0, presence="available")
    ev += desk.submit(Ticket("T1", GOLD, "email", T0, priority="urgent"), at=T0)
    ev += desk.reply("T1", "sari", at=T0 + M)
    ev += desk.customer_message("T1", at=T0 + 2 * M)
    ev += desk.advance(at=T0 + 10 * M)
    ev += desk.set_priority("T1", "normal", at=T0 + 11 * M)
    ev += desk.advance(at=T0 + 15 * M)
    moved: list[Event] = []
    desk = Desk.restore(
        sla_desk("keep_elapsed", {"next_response": {"urgent": "PT5M", "normal": "PT30M"}}).config,
        json.loads(json.dumps(desk.snapshot())),
        on_config_change=moved,
    )
    ev += moved
    ev += desk.customer_message("T1", at=T0 + 20 * M)  # the same cycle: still unanswered
    ev += desk.reply("T1", "sari", at=T0 + 25 * M)
    nr = [e for e in ev if isinstance(e, _Sla) and e.metric is NR]
    assert [type(e).__name__ for e in nr] == ["SlaBreached", "SlaCancelled", "SlaMet"]
    assert {e.cycle_start for e in nr} == {T0 + 2 * M}
    one = Attainment(met=0, breached=1)
    assert summarize(ev).sla_by_metric[NR.value] == one
    assert people_report(ev).agents["sari"].sla == one
