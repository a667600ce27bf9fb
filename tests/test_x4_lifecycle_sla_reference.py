"""A ticket's whole life at a desk against a naive reference written from the docs.

The reference is the lifecycle the docs draw (``csflow.desk.lifecycle``: submit -> queued ->
assigned <-> pending / on_hold -> solved -> closed, reopen -> queued), the closing rule of
*Closing solved tickets on their own* (a solved ticket closes ``close_solved_after`` after
its resolution; a command at that very instant still finds it solved), the rating rule of
*Feedback* (once per resolution cycle, solved or closed), and the SLA rules of *SLA semantics
compared* under the default ``pause_on`` (``pending`` and ``on_hold`` pause the resolution;
``solved`` stops it and ends the response cycles; a reopening resumes it and, after a reply,
starts a next-response and a periodic-update cycle).  Commands come at random, several often
at one instant; after each one the desk must have accepted exactly what the reference accepts
and each clock must be counting, paused, finished or absent as the reference says.
"""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.calendar import BusinessCalendar
from csflow.desk import Desk, DeskConfig
from csflow.errors import InvalidTransitionError
from csflow.events import (
    Event,
    FeedbackRecorded,
    SlaBreached,
    SlaMet,
    SurveyDue,
    TicketClosed,
)
from csflow.model import AgentProfile, Customer, Ticket, Tier
from csflow.samples import jakarta_office_calendar
from csflow.sla import SlaPolicy

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=7)))
CLOSE_AFTER = timedelta(hours=2)
SURVEY_DELAY = timedelta(hours=1)
TARGETS = {
    "first_response": timedelta(hours=1),
    "next_response": timedelta(hours=1),
    "periodic_update": timedelta(hours=3),
    "resolution": timedelta(hours=8),
}
CALENDARS = {
    "always": BusinessCalendar.always_open("Asia/Jakarta"),
    "office": jakarta_office_calendar(),  # Mon-Fri 08-12, 13-17; Sat 08-12
}


def _config(calendar: BusinessCalendar) -> DeskConfig:
    return DeskConfig(
        sla_policies=[SlaPolicy("std", calendar, targets=TARGETS)],
        default_sla_policy="std",
        close_solved_after=CLOSE_AFTER,
        survey_delay=SURVEY_DELAY,
    )


COMMANDS = (
    "reply",
    "customer_message",
    "open",
    "pending",
    "on_hold",
    "resolve",
    "reopen",
    "close",
    "abandon",
    "rate",
    "advance",
    "restore",
)
# The lifecycle the docs draw, for the one agent who is always there with room: a ticket
# that goes back in line is assigned to her again at once.
MOVES: dict[tuple[str, str], str] = {
    ("assigned", "reply"): "assigned",
    ("assigned", "customer_message"): "assigned",
    ("assigned", "pending"): "pending",
    ("assigned", "on_hold"): "on_hold",
    ("assigned", "resolve"): "solved",
    ("pending", "reply"): "pending",
    ("pending", "customer_message"): "assigned",  # the customer answered: work resumes
    ("pending", "on_hold"): "on_hold",
    ("pending", "open"): "assigned",
    ("pending", "resolve"): "solved",
    ("on_hold", "reply"): "on_hold",
    ("on_hold", "customer_message"): "on_hold",  # still waiting on the third party
    ("on_hold", "pending"): "pending",
    ("on_hold", "open"): "assigned",
    ("on_hold", "resolve"): "solved",
    ("solved", "reopen"): "assigned",
    ("solved", "close"): "closed",
}


class Reference:
    """What the docs say the ticket and its four clocks are after each command."""

    def __init__(self) -> None:
        self.state = "assigned"
        self.solved_at: datetime | None = None
        self.cycle = 0  # resolutions so far
        self.rated = 0  # the last cycle rated
        self.survey_at: datetime | None = None  # the survey of the last resolution, not sent
        self.surveys: list[datetime] = []  # the surveys sent
        self.replied = False
        # metric -> "counting" | "paused" | "finished", absent while its cycle has not begun
        self.clocks: dict[str, str] = {"first_response": "counting", "resolution": "counting"}
        # When the resolution clock started or stopped counting: (instant, kind) in order.
        self.resolution_log: list[tuple[datetime, str]] = [(T0, "counting")]

    def resolution_used(self, calendar: BusinessCalendar, now: datetime) -> timedelta:
        """The business time the resolution clock counted up to *now*: the calendar's open
        time over the spells it counted in, and nothing while it was paused or stopped."""
        log = [*self.resolution_log, (now, "")]
        return sum(
            (
                calendar.elapsed(a, b)
                for (a, kind), (b, _) in itertools.pairwise(log)
                if kind == "counting"
            ),
            timedelta(0),
        )

    def closes_before(self, at: datetime, *, inclusive: bool) -> bool:
        if self.state != "solved" or self.solved_at is None:
            return False
        due = self.solved_at + CLOSE_AFTER
        return due <= at if inclusive else due < at

    def apply(self, command: str, at: datetime) -> bool:
        """Apply *command* at *at*; whether the desk must accept it."""
        survey = self.survey_at
        before = self.clocks.get("resolution")
        accepted = self._apply(command, at)
        if self.clocks.get("resolution") != before:
            self.resolution_log.append((at, self.clocks["resolution"]))
        # A survey falls due at its instant: an advance to it sends it, and so does an accepted
        # command after it (before its own effect); a command at that very instant comes first.
        if (
            survey is not None
            and accepted
            and (survey < at or (command == "advance" and survey == at))
        ):
            self.surveys.append(survey)
            if self.survey_at == survey:
                self.survey_at = None
        return accepted

    def _apply(self, command: str, at: datetime) -> bool:
        if command == "advance":
            if self.closes_before(at, inclusive=True):
                self._close()
            return True
        if self.closes_before(at, inclusive=False):
            # The close happened at its own instant, advanced or not: a rating is taken (a
            # closed ticket can be rated) and reports it first; anything else is refused and
            # changes nothing, so the ticket shows as solved until the desk is advanced.
            if command == "rate" and self.rated != self.cycle:
                self._close()
                self._rate(at)
                return True
            return False
        if command == "rate":
            if self.state not in ("solved", "closed") or self.rated == self.cycle:
                return False
            self._rate(at)
            return True
        new = MOVES.get((self.state, command))
        if new is None:
            return False
        old, self.state = self.state, new
        c = self.clocks
        if command == "reply":
            for m in ("first_response", "next_response"):
                if c.get(m) in ("counting", "paused"):
                    c[m] = "finished"
            c["periodic_update"] = "counting"
            self.replied = True
        elif command == "customer_message":
            if self.replied and c.get("next_response") not in ("counting", "paused"):
                c["next_response"] = "counting"
        elif command == "resolve":
            self.cycle += 1
            self.solved_at = at
            self.survey_at = at + SURVEY_DELAY
            for m in ("first_response", "next_response", "periodic_update", "resolution"):
                if c.get(m) in ("counting", "paused"):
                    c[m] = "finished"
        elif command == "reopen":
            self.solved_at = None
            if self.survey_at is not None and self.survey_at >= at:
                self.survey_at = None  # reopened before its survey: none is sent
            c["resolution"] = "counting"
            if self.replied:
                c["periodic_update"] = "counting"
                c["next_response"] = "counting"
        elif command == "close":
            self._close()
        if old != self.state and "resolution" in c and c["resolution"] != "finished":
            c["resolution"] = "paused" if self.state in ("pending", "on_hold") else "counting"
        return True

    def _rate(self, at: datetime) -> None:
        self.rated = self.cycle
        if self.survey_at is not None and self.survey_at >= at:
            self.survey_at = None  # rated before its survey: none is sent

    def _close(self) -> None:
        self.state = "closed"
        self.solved_at = None


def _drive(desk: Desk, command: str, at: datetime) -> list[Event]:
    if command == "reply":
        return desk.reply("t1", "sari", at=at)
    if command == "customer_message":
        return desk.customer_message("t1", at=at)
    if command in ("open", "pending", "on_hold"):
        return desk.set_status("t1", command, at=at)
    if command == "resolve":
        return desk.resolve("t1", "sari", at=at)
    if command == "reopen":
        return desk.reopen("t1", at=at)
    if command == "close":
        return desk.close("t1", at=at)
    if command == "abandon":
        return desk.abandon("t1", at=at)
    if command == "rate":
        return desk.record_feedback("t1", 4, at=at)
    return desk.advance(at=at)


def _restored(desk: Desk) -> Desk:
    """The desk rebuilt from its snapshot's JSON round trip, as a host restarts it."""
    return Desk.restore(desk.config, json.loads(json.dumps(desk.snapshot())))


_KIND = {
    "running": "counting",
    "breached": "counting",
    "paused": "paused",
    "breached_paused": "paused",
    "met": "finished",
    "met_late": "finished",
    "cancelled": "finished",
}

STEPS = st.lists(
    st.tuples(
        st.sampled_from(COMMANDS),
        st.sampled_from([0, 0, 0, 1, 30, 59, 60, 61, 120, 600, 1440]),  # minutes on
    ),
    max_size=30,
)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(CALENDARS)), STEPS)
def test_the_desk_follows_the_documented_lifecycle_and_clocks(
    calendar_name: str, steps: list[tuple[str, int]]
) -> None:
    calendar = CALENDARS[calendar_name]
    desk = Desk(_config(calendar))
    desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=T0, presence="available")
    desk.submit(Ticket("t1", Customer("c1", Tier("gold", 3)), "chat", T0), at=T0)
    ref = Reference()
    now = T0
    for command, minutes in steps:
        now += timedelta(minutes=minutes)
        if command == "restore":
            # Whatever the desk keeps of the ticket's past survives a restart.
            before = desk.history("t1")
            desk = _restored(desk)
            assert desk.history("t1") == before
            continue
        expected = ref.apply(command, now)
        try:
            events = _drive(desk, command, now)
        except InvalidTransitionError:
            assert not expected, (command, now, ref.state)
        else:
            assert expected, (command, now, ref.state, events)
            if command == "rate":
                assert [e.cycle for e in events if isinstance(e, FeedbackRecorded)] == [ref.cycle]
        view = desk.ticket("t1")
        assert view.state == ref.state, (command, now)
        if ref.state == "closed":
            continue  # every live clock is cancelled; the finished ones keep their record
        views = desk.clocks("t1", now)
        got = {m.value: _KIND[str(v.state)] for m, v in views.items()}
        assert got == ref.clocks, (command, now)
        assert views["resolution"].elapsed == ref.resolution_used(calendar, now), (command, now)
    end = now + timedelta(days=2)
    ref.apply("advance", end)
    desk.advance(at=end)
    history = desk.history("t1")
    assert [e.at for e in history if isinstance(e, SurveyDue)] == ref.surveys
    # Whatever happened, the history is in time order and never contradicts itself: no
    # cycle is met on time after it was breached.
    assert [e.at for e in history] == sorted(e.at for e in history)
    for i, e in enumerate(history):
        if isinstance(e, SlaMet) and not e.breached:
            assert not any(
                isinstance(b, SlaBreached)
                and b.metric is e.metric
                and b.cycle_start == e.cycle_start
                and b.at < e.at
                for b in history[:i]
            ), e
    assert sum(isinstance(e, TicketClosed) for e in history) == (ref.state == "closed")
