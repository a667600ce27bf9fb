"""A ticket's first response is one SLA cycle, however often its target is lost and regained.

A priority without a first-response target cancels the clock (``SlaCancelled``); a priority
with one gives it back, replayed from the ticket's creation (``KEEP_ELAPSED``,
``RETROACTIVE``) or from the change (``RESTART``).  Either way it is the same first response:
``summarize``, ``summarize_intervals`` and ``people_report`` count it once -- as breached at
its first breach, else as met at its ``SlaMet`` -- not once per clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Ticket, Tier, people_report
from csflow.events import Event, TicketResolved
from csflow.metrics import Attainment, summarize, summarize_intervals
from csflow.sla import Metric, SlaBreached, SlaCancelled, SlaMet
from desks import run_program, sla_desk

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
M = timedelta(minutes=1)
GOLD = Customer("c1", Tier("gold", 1))
FR = Metric.FIRST_RESPONSE


def _counts(events: list[Event], metric: Metric = FR) -> tuple[Attainment, Attainment, Attainment]:
    """The metric's attainment in summarize, in the interval rows added up, and the agents'
    attainment added up (the desks here hold only *metric*'s targets)."""
    whole = summarize(events).sla_by_metric.get(metric.value, Attainment())
    rows = summarize_intervals(events, interval=timedelta(minutes=1))
    met = sum(r.sla_by_metric.get(metric.value, Attainment()).met for _, r in rows)
    breached = sum(r.sla_by_metric.get(metric.value, Attainment()).breached for _, r in rows)
    agents = people_report(events).agents.values()
    people = Attainment(
        met=sum(a.sla.met for a in agents), breached=sum(a.sla.breached for a in agents)
    )
    return whole, Attainment(met=met, breached=breached), people


@pytest.mark.parametrize("mode", ["keep_elapsed", "retroactive", "restart"])
def test_a_first_response_breached_cancelled_and_regained_is_one_breach(mode: str) -> None:
    # The story: nobody replies to an urgent ticket (breached at 09:05); at 09:11 it is made
    # normal (no target: cancelled), at 09:12 urgent again, and replied to at 09:20.
    desk = sla_desk(mode)
    ev: list[Event] = []
    ev += desk.add_agent(AgentProfile("sari", capacity={"email": 1}), at=T0, presence="available")
    ev += desk.submit(Ticket("T1", GOLD, "email", T0, priority="urgent"), at=T0)
    ev += desk.advance(at=T0 + 10 * M)
    ev += desk.set_priority("T1", "normal", at=T0 + 11 * M)
    ev += desk.set_priority("T1", "urgent", at=T0 + 12 * M)
    ev += desk.advance(at=T0 + 19 * M)
    ev += desk.reply("T1", "sari", at=T0 + 20 * M)
    kinds = [type(e).__name__ for e in ev if isinstance(e, SlaBreached | SlaMet | SlaCancelled)]
    # Two clocks, one first response: the regained clock breaches too and is met late.
    assert kinds == ["SlaBreached", "SlaCancelled", "SlaBreached", "SlaMet"]
    one = Attainment(met=0, breached=1)
    assert _counts(ev) == (one, one, one)


def test_a_first_response_cancelled_before_its_breach_counts_as_the_regained_clock_ends() -> None:
    for late in (False, True):
        desk = sla_desk("keep_elapsed")
        ev: list[Event] = []
        ev += desk.add_agent(
            AgentProfile("sari", capacity={"email": 1}), at=T0, presence="available"
        )
        ev += desk.submit(Ticket("T1", GOLD, "email", T0, priority="urgent"), at=T0)
        ev += desk.set_priority("T1", "normal", at=T0 + 2 * M)  # cancelled, 3 minutes left
        ev += desk.set_priority("T1", "urgent", at=T0 + 3 * M)  # regained: due at 09:05
        ev += desk.advance(at=T0 + (9 if late else 4) * M)
        ev += desk.reply("T1", "sari", at=T0 + (9 if late else 4) * M)
        want = Attainment(met=0, breached=1) if late else Attainment(met=1, breached=0)
        assert _counts(ev) == (want, want, want)


# -- a naive reference on random programs --------------------------------------------------------

_TICKETS = ("T1", "T2", "T3")
_STEP = st.tuples(
    st.sampled_from(["urgent", "normal", "high", "reply", "resolve", "reopen", "wait"]),
    st.sampled_from(_TICKETS),
    st.integers(0, 7),
)


def _reference(events: list[Event]) -> Attainment:
    """One first response per ticket: breached if any of its first-response clocks breached
    (or was met late), else met if one was met, else undecided."""
    breached: set[str] = set()
    met: set[str] = set()
    for e in events:
        if isinstance(e, SlaBreached | SlaMet) and e.metric is FR:
            if isinstance(e, SlaBreached) or e.breached:
                breached.add(e.ticket_id)
            else:
                met.add(e.ticket_id)
    return Attainment(met=len(met - breached), breached=len(breached))


def _people_reference(events: list[Event]) -> Attainment:
    """The same first responses, as the agents get them: decided where the cycle stops -- its
    first ``SlaMet``, or a cancellation or a resolution after a breach -- once per ticket."""
    seen: set[str] = set()  # breached so far
    decided: dict[str, int] = {}  # ticket -> 0 met, 1 breached
    for e in events:
        if isinstance(e, TicketResolved | SlaCancelled):
            if e.ticket_id in seen and (isinstance(e, TicketResolved) or e.metric is FR):
                decided.setdefault(e.ticket_id, 1)
        elif isinstance(e, SlaBreached) and e.metric is FR:
            seen.add(e.ticket_id)
        elif isinstance(e, SlaMet) and e.metric is FR:
            decided.setdefault(e.ticket_id, 1 if e.breached or e.ticket_id in seen else 0)
    out = list(decided.values())
    return Attainment(met=out.count(0), breached=out.count(1))


@given(
    mode=st.sampled_from(["keep_elapsed", "retroactive", "restart"]),
    first=st.lists(st.sampled_from(["urgent", "normal"]), min_size=3, max_size=3),
    steps=st.lists(_STEP, max_size=25),
)
def test_first_response_counts_match_a_per_ticket_reference(
    mode: str, first: list[str], steps: list[tuple[str, str, int]]
) -> None:
    desk = sla_desk(mode, {"first_response": {"urgent": "PT5M", "high": "PT2M"}})
    ev: list[Event] = []
    ev += desk.add_agent(AgentProfile("sari", capacity={"chat": 3}), at=T0, presence="available")
    for tid, prio in zip(_TICKETS, first, strict=True):
        ev += desk.submit(Ticket(tid, GOLD, "chat", T0, priority=prio), at=T0)
    desk, t = run_program(desk, steps, T0, feed=ev.extend, done=lambda op, tid, at: None)
    ev += desk.advance(at=t + 30 * M)
    want = _reference(ev)
    whole, rows, people = _counts(ev)
    assert whole == want
    assert rows == want
    # Every ticket is with sari from its submission: she holds each cycle that stops.
    assert people == _people_reference(ev)
