"""Every way a ticket changes hands keeps its history in time order, and loses no event.

The desk contract ("Time order, command by command"): every command returns its events sorted
by instant, none later than its own; a ticket's history is the events the commands returned
for it, in that order; a host that calls ``advance(at=now)`` before each command sees one
stream in time order.  A host that does not advance sees other tickets' timers late, at their
own earlier instants, when it next advances -- for routing timers (relaxation, overflow,
holds) even on a ticket it commanded since -- but what a command on a ticket already
reported is never followed by that ticket's clock or survey of an earlier instant.

A survey is a timer of its ticket, like the close of ``close_solved_after``: a command on a
solved or closed ticket (``close``, ``reopen``, ``record_feedback``) whose survey fell due
before it, with no advance in between, reports the ``SurveyDue`` first, at its own instant.
Before, a ``close`` wrote its ``TicketClosed`` and the next ``advance`` the earlier
``SurveyDue`` after it, and a ``reopen`` or a rating dropped the survey for good; ``forget``
dropped it too, and now refuses, as it does for a close still to be returned.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow._time import to_us
from csflow.desk.record import TicketRecord
from csflow.desk.timers import Timers
from csflow.errors import InvalidTransitionError
from csflow.events import Event, TicketResolved
from csflow.model import TicketStatus
from csflow.testing.command import Command
from csflow.testing.programs import CommandDriver, Draw, Step
from test_desk_stateful import lax_doc

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
M = timedelta(minutes=1)
AYU = Customer("ayu", Tier("gold", 3))


def _small(**changes: Any) -> DeskConfig:
    doc: dict[str, Any] = {
        "calendars": {"24x7": {"timezone": "UTC", "always_open": True}},
        "sla_policies": [
            {"name": "chat", "calendar": "24x7", "targets": {"first_response": "PT2M"}}
        ],
        "default_sla_policy": "chat",
        "survey_delay": "PT30M",
    }
    doc.update(changes)
    return DeskConfig.from_dict(doc)


def _solved(config: DeskConfig) -> Desk:
    """Sari takes T-1 at 09:00, replies and resolves it at 09:01: its survey is due 09:31."""
    desk = Desk(config)
    desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=T0, presence="available")
    desk.submit(Ticket("T-1", AYU, "chat", T0), at=T0)
    desk.reply("T-1", "sari", at=T0 + M)
    assert isinstance(desk.resolve("T-1", "sari", at=T0 + M)[0], TicketResolved)
    return desk


def _kinds(events: list[Event] | tuple[Event, ...]) -> list[tuple[str, timedelta]]:
    return [(type(e).__name__, e.at - T0) for e in events]


def _in_time_order(desk: Desk) -> None:
    for tid in desk.tickets():
        instants = [to_us(e.at) for e in desk.history(tid)]
        assert instants == sorted(instants), (tid, _kinds(desk.history(tid)))


# -- worked examples (instants by hand: resolved 09:01, survey 30 minutes later) -------------


def test_a_close_after_the_survey_fell_due_reports_the_survey_first() -> None:
    desk = _solved(_small())
    # No advance since 09:01: at 10:00 the survey (09:31) is overdue.
    events = desk.close("T-1", at=T0 + 60 * M)
    assert _kinds(events) == [("SurveyDue", 31 * M), ("TicketClosed", 60 * M)]
    assert desk.advance(at=T0 + 61 * M) == []  # not twice
    assert _kinds(desk.history("T-1")[-2:]) == [("SurveyDue", 31 * M), ("TicketClosed", 60 * M)]
    _in_time_order(desk)


def test_a_reopen_or_a_rating_after_the_survey_fell_due_does_not_drop_it() -> None:
    desk = _solved(_small())
    events = desk.reopen("T-1", at=T0 + 45 * M)
    assert _kinds(events)[0] == ("SurveyDue", 31 * M)
    assert _kinds(events)[1] == ("TicketReopened", 45 * M)
    _in_time_order(desk)

    desk = _solved(_small())
    events = desk.record_feedback("T-1", 5, at=T0 + 45 * M)
    assert _kinds(events) == [("SurveyDue", 31 * M), ("FeedbackRecorded", 45 * M)]
    assert desk.advance(at=T0 + 2 * 60 * M) == []
    _in_time_order(desk)


def test_a_survey_due_exactly_at_the_command_comes_after_it_as_a_due_instant_does() -> None:
    # A command at the due instant itself comes first (as a reply at an SLA due instant):
    # the rating at 09:31 retires the survey, and nothing is due afterwards.
    desk = _solved(_small())
    assert _kinds(desk.record_feedback("T-1", 4, at=T0 + 31 * M)) == [("FeedbackRecorded", 31 * M)]
    assert desk.advance(at=T0 + 60 * M) == []


@pytest.mark.parametrize(
    ("close_after", "expected"),
    [
        # Closed by close_solved_after at 09:21, the survey at 09:31: in time order.
        ("PT20M", [("TicketClosed", 21 * M), ("SurveyDue", 31 * M), ("TicketReopened", 0 * M)]),
        # Closed at 09:41, after the survey at 09:31.
        ("PT40M", [("SurveyDue", 31 * M), ("TicketClosed", 41 * M), ("TicketReopened", 0 * M)]),
        # Both at 09:31: the survey first, as advance fires them.
        ("PT30M", [("SurveyDue", 31 * M), ("TicketClosed", 31 * M), ("TicketReopened", 0 * M)]),
    ],
)
def test_the_survey_and_a_close_that_ran_out_come_in_time_order(
    close_after: str, expected: list[tuple[str, timedelta]]
) -> None:
    desk = _solved(_small(close_solved_after=close_after))
    # A reopen at 10:00 is refused (the ticket closed before it), but reports nothing lost:
    # the host then advances and gets the survey and the close, in time order.
    with pytest.raises(InvalidTransitionError):
        desk.reopen("T-1", at=T0 + 60 * M)
    got = _kinds(desk.advance(at=T0 + 60 * M))
    assert got == [e for e in expected if e[0] != "TicketReopened"]
    # The same through a command that is accepted on the closed ticket: a rating at 10:00.
    desk = _solved(_small(close_solved_after=close_after))
    events = desk.record_feedback("T-1", 3, at=T0 + 60 * M)
    assert _kinds(events) == [e for e in expected if e[0] != "TicketReopened"] + [
        ("FeedbackRecorded", 60 * M)
    ]
    _in_time_order(desk)


def test_forgetting_a_closed_ticket_whose_survey_is_still_to_be_returned_is_refused() -> None:
    desk = _solved(_small())
    desk.close("T-1", at=T0 + 2 * M)
    before = desk.snapshot()
    with pytest.raises(InvalidTransitionError, match=r"survey fell due at 2026-03-02T09:31"):
        desk.forget("T-1", at=T0 + 60 * M)
    assert desk.snapshot() == before
    assert _kinds(desk.advance(at=T0 + 60 * M)) == [("SurveyDue", 31 * M)]
    assert desk.forget("T-1", at=T0 + 60 * M) == []
    # Before the survey is due, a closed ticket is forgotten as before (its survey with it).
    desk = _solved(_small())
    desk.close("T-1", at=T0 + 2 * M)
    assert desk.forget("T-1", at=T0 + 30 * M) == []
    assert desk.advance(at=T0 + 60 * M) == []


# -- random programs, for a host that advances first and one that does not -------------------


def _config(mode: str) -> DeskConfig:
    """The seeds' desk with every routing timer (a hold for the last agent, relaxation and
    overflow), escalations that raise priorities and move queues, surveys and closes, and SLA
    targets of minutes on a 24/7 calendar, so that warnings fall due between commands."""
    doc = lax_doc()
    short = {
        "vip": {"first_response": "PT2M", "next_response": "PT3M", "resolution": "PT10M"},
        "standard": {"first_response": "PT4M", "next_response": "PT5M", "resolution": "PT15M"},
    }
    doc["sla_policies"] = [
        {**p, "calendar": "always", "targets": short[p["name"]]} for p in doc["sla_policies"]
    ]
    doc["recalculation"] = mode
    doc["survey_delay"] = "PT10M"
    doc["close_solved_after"] = "PT20M"
    doc["escalation_rules"] = [
        {
            "name": "late",
            "when": {"field": "event", "eq": "breach"},
            "then": {"queue": "finance", "priority": "high", "tags": ["late"]},
        },
        {
            "name": "warned",
            "when": {"field": "event", "eq": "warning"},
            "then": {"priority": "urgent"},
        },
    ]
    return DeskConfig.from_dict(doc)


CONFIGS = {mode: _config(mode) for mode in ("keep_elapsed", "restart", "retroactive")}


class LaxDriver(CommandDriver):
    """The same programs for a host that never advances before a command (only when an
    ``advance`` is drawn as a command of its own).  An advance that fires no routing step
    must bring no ticket an event earlier than the last one already in its history."""

    def step(
        self, draw: Draw, kind: str | None = None, *, refused: bool | None = None
    ) -> list[Step]:
        # CommandDriver.step without the advance it runs first when a timer is due.
        self.now = self._time_step(draw)
        if kind is None or not self.possible(kind):
            kind = self.draw_kind(draw)
        return [self.apply(c) for c in self._draw_possible(draw, kind)]

    def apply(self, command: Command, *, refusal: bool = False) -> Step:
        routing = self.desk.next_routing_step()
        last = {
            tid: max((to_us(e.at) for e in self.desk.history(tid)), default=None)
            for tid in self.desk.tickets()
        }
        step = super().apply(command, refusal=refusal)
        no_routing = routing is None or routing > command.at
        if step.error is None and command.name == "advance" and no_routing:
            for e in step.events:
                tid = getattr(e, "ticket_id", None)
                if not isinstance(tid, str):
                    continue
                seen = last.get(tid)
                assert seen is None or to_us(e.at) >= seen, (
                    f"advance brought {e!r} after its ticket's history reached {seen} µs: "
                    f"{_kinds(self.desk.history(tid))}"
                )
        return step


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mode=st.sampled_from(sorted(CONFIGS)), lax=st.booleans(), data=st.data())
def test_histories_are_the_events_returned_in_time_order(
    mode: str, lax: bool, data: st.DataObject
) -> None:
    config = CONFIGS[mode]
    driver = (LaxDriver if lax else CommandDriver)(config, refusals=0.0)
    stream: list[Event] = []
    returned: dict[str, list[Event]] = {}
    for _ in range(30):
        for step in driver.step(data.draw):
            if step.error is not None:
                continue
            at = to_us(step.command.at)
            instants = [to_us(e.at) for e in step.events]
            assert instants == sorted(instants), step
            assert all(i <= at for i in instants), step
            if step.command.name == "forget":
                returned.pop(step.command.args[0], None)
            for e in step.events:
                tid = getattr(e, "ticket_id", None)
                if isinstance(tid, str):
                    returned.setdefault(tid, []).append(e)
            if not lax:
                stream += step.events
        if not lax:
            instants = [to_us(e.at) for e in stream]
            assert instants == sorted(instants), "the advancing host's stream is out of order"
            _in_time_order(driver.desk)
        for tid in driver.desk.tickets():
            # Nothing lost, nothing twice: the history is what the commands returned.
            assert list(driver.desk.history(tid)) == returned.get(tid, []), tid
        if data.draw(st.integers(0, 9)) == 0 and driver.desk.now is not None:
            # A desk restored from its snapshot goes on with the same histories.
            copy = Desk.restore(config, json.loads(json.dumps(driver.desk.snapshot())))
            for tid in driver.desk.tickets():
                assert copy.history(tid) == driver.desk.history(tid)
            driver.desk = copy


# -- the timers' index of each ticket's live survey ---------------------------------------------


@settings(max_examples=100, deadline=None)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["arm", "bump", "fire", "wake", "ask"]),
            st.integers(0, 3),
            st.integers(0, 50),
        ),
        max_size=40,
    )
)
def test_the_overdue_survey_is_the_live_timer_in_the_heap(
    steps: list[tuple[str, int, int]],
) -> None:
    """:meth:`Timers.overdue_survey` reads an index, not the heap: it answers as a scan of the
    heap for the ticket's live entry would, whatever arming, reopening (a version bump),
    firing and waking did before (a ticket has one live survey timer at most: each is armed
    under a version of its own, as the desk arms them)."""
    timers = Timers()
    tickets = {
        f"t{i}": TicketRecord(Ticket(f"t{i}", AYU, "chat", T0), TicketStatus.SOLVED, "q", 0)
        for i in range(4)
    }
    for n, r in enumerate(tickets.values()):
        r.order = n
    for kind, i, when in steps:
        r = tickets[f"t{i}"]
        if kind == "arm":  # as a resolve does: a new version, then its timer
            r.survey_version += 1
            timers.arm_survey(when, r)
        elif kind == "bump":
            r.survey_version += 1
        elif kind == "fire":
            list(timers.surveys_due(when, tickets))
        elif kind == "wake":
            timers.next_due(tickets, None)
        live = [
            due
            for due, _, tid, version, order in timers._surveys
            if tid == r.ticket.id and version == r.survey_version and order == r.order
        ]
        assert len(live) <= 1
        expected = live[0] if live and live[0] < when else None
        assert timers.overdue_survey(r, when) == expected


class _CountingHeap(list[tuple[int, int, str, int, int]]):
    """A heap that counts the entries read by index."""

    reads = 0

    def __getitem__(self, i: Any) -> Any:
        type(self).reads += 1
        return super().__getitem__(i)


def test_asking_about_one_overdue_survey_reads_no_other() -> None:
    """A host that never advances lets surveys fall due by the thousand: a command on one
    ticket looks its own up, not through the others (the heap was walked, O(overdue))."""
    timers = Timers()
    heap = _CountingHeap()
    timers._surveys = heap
    records = [
        TicketRecord(Ticket(f"t{i}", AYU, "chat", T0), TicketStatus.SOLVED, "q", 0)
        for i in range(2_000)
    ]
    for n, r in enumerate(records):
        r.order = n
        timers.arm_survey(10 + n, r)
    _CountingHeap.reads = 0
    assert timers.overdue_survey(records[-1], 10**6) == 10 + 1_999
    assert timers.overdue_survey(records[0], 10) is None  # due at 10: not before 10
    assert _CountingHeap.reads == 0
