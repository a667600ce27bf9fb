"""A naive model of a ticket's life at the desk, run side by side with a real desk.

The model is written from the desk's contract (docs/explanation/desk-contract.md): the table
of states and commands, where a ticket is in each state (in one queue, held by its agent,
owned by its agent while pending or on hold, nowhere once solved), which refusals a command
meets, and the laws of time (events in time order, none later than the command's instant;
``next_wakeup`` never later than the next event ``advance`` returns).  Commands are sent
whatever the ticket's state: the model says which ones the desk must refuse, and a refused
command must change nothing.  Instants are written in New York time across the fall-back
of 2026-11-01, folds included.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from csflow.desk import Desk, DeskConfig
from csflow.errors import CsflowError, InvalidTransitionError
from csflow.events import CallbackDue, Event, TicketAssigned, TicketRequeued
from csflow.model import AgentProfile, Customer, Ticket, Tier
from csflow.sla import SlaBreached, SlaWarning
from csflow.testing import check_invariants

NY = ZoneInfo("America/New_York")
# 00:40 EDT on the night the clocks go back: 01:00-02:00 happens twice.
START = datetime(2026, 11, 1, 4, 40, tzinfo=UTC)

CONFIG = DeskConfig.from_dict(
    {
        "calendars": {"24x7": {"timezone": "America/New_York", "always_open": True}},
        "sla_policies": [
            {
                "name": "std",
                "calendar": "24x7",
                "targets": {"first_response": "PT10M", "resolution": "PT1H"},
                "pause_on": {"pending": ["resolution"]},
            }
        ],
        "default_sla_policy": "std",
        "queues": [{"name": "front"}, {"name": "back"}],
        "routing_profiles": [
            {"name": "front", "queues": ["front"]},
            {"name": "back", "queues": ["back"]},
        ],
        "teams": {
            "front": {"queue": "front", "routing_profile": "front"},
            "back": {"queue": "back", "routing_profile": "back"},
        },
        "strategies": ["preferred_agent", "longest_idle"],
        "affinity": {"timeout": "PT5M"},
        "transfers": {"max_transfers": 3, "on_limit": "flag"},
        "close_solved_after": "PT2H",
        "capacity": {"exclusive": []},
    }
)

# The table of the contract, as a reader writes it down: command -> {from: to}.
TABLE: dict[str, dict[str, str]] = {
    "reply": {"assigned": "assigned", "pending": "pending", "on_hold": "on_hold"},
    "customer_message": {
        "queued": "queued",
        "assigned": "assigned",
        "on_hold": "on_hold",
        "pending": "queued",
    },
    "set_status:pending": {"assigned": "pending", "on_hold": "pending"},
    "set_status:on_hold": {"assigned": "on_hold", "pending": "on_hold"},
    "set_status:open": {"pending": "queued", "on_hold": "queued"},
    "set_priority": {s: s for s in ("queued", "assigned", "pending", "on_hold")},
    "transfer": dict.fromkeys(("queued", "assigned", "pending", "on_hold"), "queued"),
    "escalate": dict.fromkeys(("queued", "assigned", "pending", "on_hold"), "queued"),
    "request_callback": {"queued": "queued"},
    "abandon": {"queued": "abandoned"},
    "requeue": {"assigned": "queued"},
    "resolve": {"assigned": "solved", "pending": "solved", "on_hold": "solved"},
    "reopen": {"solved": "queued"},
    "close": {"solved": "closed"},
}
AGENTS = ["ana", "bo", "cy"]
CUSTOMERS = [
    Customer("c1", Tier("gold", 3), preferred_agent="ana"),
    Customer("c2", Tier("regular", 1)),
    Customer("c3", Tier("regular", 1), preferred_agent="bo"),
]
CHANNELS = ["chat", "phone", "email"]


def us(at: datetime) -> int:
    return round(at.timestamp() * 1_000_000)


def snap(desk: Desk) -> str:
    return json.dumps(desk.snapshot(), sort_keys=True)


def attempt(call: Any) -> tuple[list[Event], CsflowError | None]:
    """The events of *call*, or the refusal it raised."""
    try:
        return call(), None
    except CsflowError as exc:
        return [], exc


# Commands the table allows that a condition of their own may still refuse: a hand-over's
# target, limit or room, a holder check, a call-back already requested.
CONDITIONAL = frozenset({"transfer", "escalate", "requeue", "request_callback", "reply", "resolve"})


class DeskModel(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.desk = Desk(CONFIG)
        self.now = START
        self.state: dict[str, str] = {}  # ticket -> model state
        self.callback: dict[str, bool] = {}
        self.closes: dict[str, int] = {}  # solved ticket -> the instant it closes
        self.agents: list[str] = []
        self.n = 0
        self.in_order = True  # every command came after an advance to its instant
        self.since: dict[str, int | None] = {}  # when a queued ticket last joined the line

    # -- helpers --------------------------------------------------------------------------

    def at(self, step: int, zoned: bool) -> datetime:
        """*step* seconds on: the instant written in New York time (its ``fold`` set in the
        repeated hour) or in UTC."""
        self.now += timedelta(seconds=step)
        return self.now.astimezone(NY) if zoned else self.now

    def run(self, name: str, ticket: str | None, call: Any, expect: str | None) -> bool:
        """Run *call*; *expect* is the model's state after it, ``None`` when it must raise."""
        before = snap(self.desk)
        views = {t: self.desk.ticket(t) for t in self.state}
        events, exc = attempt(call)
        if exc is not None:
            assert snap(self.desk) == before, f"{name} raised {exc!r} and changed the desk"
            assert {t: self.desk.ticket(t) for t in self.state} == views
            if ticket is not None and isinstance(exc, InvalidTransitionError):
                assert ticket in str(exc) or "'at'" in str(exc), f"{exc} does not name {ticket}"
            # The model allows it: only a documented condition of the command may refuse.
            conditional = name in CONDITIONAL or (name == "reopen" and ticket in self.closes)
            assert expect is None or conditional, (
                f"{name} on {ticket} ({self.state.get(ticket or '')}) refused: {exc!r}"
            )
            return False
        assert expect is not None, f"{name} on {ticket} in {self.state.get(ticket or '')} accepted"
        self.check_events(events, self.now, ticket)
        if ticket is not None:
            self.state[ticket] = expect
        return True

    def check_events(self, events: list[Event], now: datetime, about: str | None = "") -> None:
        """Time order, call-backs, waits; and for a command (*about* its ticket, ``None``
        for an agent's command) no other ticket's clocks fire unless it moved."""
        if about != "":
            moved = {about} | {
                e.ticket_id for e in events if isinstance(e, TicketAssigned | TicketRequeued)
            }
            for e in events:
                if isinstance(e, SlaWarning | SlaBreached):
                    assert e.ticket_id in moved, f"{e} fired by a command on {about}: {events}"
        last = None
        for i, e in enumerate(events):
            if isinstance(e, TicketAssigned):
                tid = e.ticket_id
                since = self.since.get(tid)
                if since is not None:
                    assert e.waited == (us(e.at) - since) / 1e6, (e, since)
                after = [x for x in events[i + 1 :] if getattr(x, "ticket_id", None) == tid]
                due = [x for x in after if isinstance(x, CallbackDue)]
                if self.callback.get(tid):
                    assert due, (tid, events)
                    assert due[0].agent_id == e.agent_id, (tid, events)
                    assert after[0] is due[0] or not isinstance(after[0], TicketAssigned)
                elif not any(isinstance(x, TicketAssigned) for x in after):
                    assert not due, (tid, events)
            if isinstance(e, TicketRequeued):
                self.since[e.ticket_id] = us(e.at)
            t = us(e.at)
            assert t <= us(now), f"{e} is later than the command at {now}"
            if last is not None:
                assert t >= last, f"events out of time order: {events}"
            last = t
        if self.in_order:
            # The host advanced to this instant before its commands: nothing is overdue.
            assert all(us(e.at) == us(now) for e in events), (now, events)

    def sync(self) -> None:
        """Moves the desk made on its own: routing (queued -> assigned), closes."""
        for tid, s in list(self.state.items()):
            real = str(self.desk.ticket(tid).state)
            if real == s:
                continue
            allowed = {("queued", "assigned"), ("solved", "closed"), ("assigned", "queued")}
            assert (s, real) in allowed, f"{tid} moved {s} -> {real} on its own"
            self.state[tid] = real

    # -- rules ----------------------------------------------------------------------------

    @rule(
        who=st.sampled_from(AGENTS),
        chat=st.integers(0, 2),
        phone=st.integers(0, 1),
        team=st.sampled_from(["front", "back"]),
        presence=st.sampled_from(["available", "offline", "away"]),
    )
    def add_agent(self, who: str, chat: int, phone: int, team: str, presence: str) -> None:
        profile = AgentProfile(
            who, capacity={"chat": chat, "phone": phone, "email": 2}, teams={team}
        )
        at = self.at(0, True)
        before = snap(self.desk)
        try:
            events = self.desk.add_agent(profile, at=at, presence=presence)
        except CsflowError:
            assert who in self.agents
            assert snap(self.desk) == before
            return
        assert who not in self.agents
        self.agents.append(who)
        self.check_events(events, self.now, None)
        self.sync()

    @rule(who=st.sampled_from(AGENTS), presence=st.sampled_from(["available", "offline", "away"]))
    def set_presence(self, who: str, presence: str) -> None:
        before = snap(self.desk)
        try:
            events = self.desk.set_presence(who, presence, at=self.at(0, True))
        except CsflowError:
            assert who not in self.agents
            assert snap(self.desk) == before
            return
        self.check_events(events, self.now, None)
        self.sync()

    @rule(
        who=st.sampled_from(AGENTS),
        chat=st.integers(0, 2),
        phone=st.integers(0, 1),
        team=st.sampled_from(["front", "back"]),
    )
    def update_agent(self, who: str, chat: int, phone: int, team: str) -> None:
        """A capacity below what the agent holds on a channel is refused, changing nothing."""
        if who not in self.agents:
            return
        capacity = {"chat": chat, "phone": phone, "email": 2}
        status = self.desk.agent(who)
        below = any(status.counts.get(c, 0) > n for c, n in capacity.items())
        profile = AgentProfile(
            who, capacity={"chat": chat, "phone": phone, "email": 2}, teams={team}
        )
        before = snap(self.desk)
        events, exc = attempt(lambda: self.desk.update_agent(profile, at=self.at(0, True)))
        if exc is not None:
            assert below, f"update of {who} refused: {exc!r}"
            assert snap(self.desk) == before
            return
        assert not below, f"{who} holds {status.counts}, capacity {capacity} accepted"
        # It keeps its work (and may take more it can serve now).
        assert set(status.held) <= set(self.desk.agent(who).held)
        self.check_events(events, self.now, None)
        self.sync()

    @rule(pick=st.integers(0, 50))
    def forget(self, pick: int) -> None:
        if not self.state:
            return
        tid = sorted(self.state)[pick % len(self.state)]
        s = self.state[tid]
        before = snap(self.desk)
        _, exc = attempt(lambda: self.desk.forget(tid, at=self.at(0, True)))
        if exc is not None:
            assert isinstance(exc, InvalidTransitionError), exc
            assert s not in {"closed", "abandoned"}, f"forget {tid} ({s}) refused: {exc}"
            assert tid in str(exc)
            assert snap(self.desk) == before
            return
        assert s in {"closed", "abandoned"}, f"{tid} forgotten while {s}"
        del self.state[tid]
        self.closes.pop(tid, None)

    @rule(who=st.sampled_from(AGENTS))
    def remove_agent(self, who: str) -> None:
        if who not in self.agents:
            return
        held = self.desk.agent(who).held
        events = self.desk.remove_agent(who, at=self.at(0, True))
        self.agents.remove(who)
        self.check_events(events, self.now, None)
        for tid in held:
            assert str(self.desk.ticket(tid).state) in {"queued", "assigned"}
            assert self.desk.ticket(tid).agent_id != who
        self.sync()

    @rule(
        cust=st.sampled_from(CUSTOMERS),
        channel=st.sampled_from(CHANNELS),
        step=st.sampled_from([0, 0, 1, 60, 700]),
        zoned=st.booleans(),
    )
    def submit(self, cust: Customer, channel: str, step: int, zoned: bool) -> None:
        tid = f"T{self.n}"
        self.n += 1
        at = self.at(step, zoned)
        self.since[tid] = us(at)
        self.callback[tid] = False
        self.in_order = self.in_order and step == 0
        events = self.desk.submit(Ticket(tid, cust, channel, at), at=at)
        self.check_events(events, self.now, tid)
        self.state[tid] = "queued"
        self.sync()

    @rule(
        pick=st.integers(0, 50),
        command=st.sampled_from(sorted(TABLE)),
        who=st.sampled_from(AGENTS),
        dest=st.sampled_from(["front", "back", *AGENTS]),
        step=st.sampled_from([0, 0, 1, 30, 700]),
        zoned=st.booleans(),
    )
    def ticket_command(
        self, pick: int, command: str, who: str, dest: str, step: int, zoned: bool
    ) -> None:
        if not self.state:
            return
        tid = sorted(self.state)[pick % len(self.state)]
        target = dest
        at = self.at(step, zoned)
        self.in_order = self.in_order and step == 0
        d = self.desk
        s = self.state[tid]
        if s == "solved" and tid in self.closes and self.closes[tid] < us(at):
            s = "closed"
        expect = TABLE[command].get(s)
        view = d.ticket(tid)
        if command in {"reply", "resolve", "requeue"}:
            owner = view.agent_id
            holder_ok = owner == who or (owner is None and s in {"pending", "on_hold"})
            if command == "requeue":
                holder_ok = owner == who
            if who not in self.agents:
                holder_ok = False
            if not holder_ok:
                expect = None
        if command == "request_callback" and self.callback[tid]:
            expect = None
        if command == "escalate" and target in AGENTS:
            target = "back"  # (a hand-over's own checks -- limits, room -- are the desk's)
        calls: dict[str, Any] = {
            "reply": lambda: d.reply(tid, who, at=at),
            "customer_message": lambda: d.customer_message(tid, at=at),
            "set_status:pending": lambda: d.set_status(tid, "pending", at=at),
            "set_status:on_hold": lambda: d.set_status(tid, "on_hold", at=at),
            "set_status:open": lambda: d.set_status(tid, "open", at=at),
            "set_priority": lambda: d.set_priority(tid, "high", at=at),
            "transfer": lambda: d.transfer(tid, target, at=at),
            "escalate": lambda: d.escalate(tid, target, at=at),
            "request_callback": lambda: d.request_callback(tid, at=at),
            "abandon": lambda: d.abandon(tid, at=at),
            "requeue": lambda: d.requeue(tid, who, at=at),
            "resolve": lambda: d.resolve(tid, who, at=at),
            "reopen": lambda: d.reopen(tid, at=at),
            "close": lambda: d.close(tid, at=at),
        }
        was = self.state[tid]
        old_since, old_cb = self.since.get(tid), self.callback[tid]
        if expect is not None:
            # What the model expects before the events are checked: a resume, a reopen and
            # a hand-over to a team join the line now; a call-back taken and then handed over
            # or parked was called.
            if command in {"set_status:open", "customer_message", "reopen"} and was != "queued":
                self.since[tid] = us(at)
            if command in {"transfer", "escalate"}:
                self.since[tid] = us(at) if target not in AGENTS else None
                if was != "queued":
                    self.callback[tid] = False
            if command.startswith("set_status") and was == "assigned":
                self.callback[tid] = False
            if command == "request_callback":
                self.callback[tid] = True
            if command == "reopen":
                self.callback[tid] = False
        if not self.run(command, tid, calls[command], expect):
            self.since[tid], self.callback[tid] = old_since, old_cb
        if self.state[tid] == "solved" and was != "solved":
            self.closes[tid] = us(at) + 2 * 3600 * 1_000_000
        if self.state[tid] != "solved":
            self.closes.pop(tid, None)
        self.sync()

    @rule(step=st.sampled_from([0, 1, 59, 300, 600, 1800, 3600, 8 * 3600]), zoned=st.booleans())
    def advance(self, step: int, zoned: bool) -> None:
        wake = self.desk.next_wakeup()
        at = self.at(step, zoned)
        events = self.desk.advance(at=at)
        self.in_order = False  # each event at its own instant
        self.check_events(events, self.now)
        if events and wake is not None:
            assert us(events[0].at) >= us(wake), (
                f"advance returned {events[0]} before next_wakeup {wake}"
            )
        if wake is None:
            assert not events, f"next_wakeup was None, advance returned {events}"
        after = self.desk.next_wakeup()
        if after is not None:
            assert us(after) > us(at), f"next_wakeup {after} is not after the advance to {at}"
        self.in_order = True
        for tid, c in list(self.closes.items()):
            if c <= us(at) and self.state[tid] == "solved":
                assert str(self.desk.ticket(tid).state) == "closed", f"{tid} did not close"
        self.sync()

    @rule()
    def advance_to_wakeup(self) -> None:
        wake = self.desk.next_wakeup()
        if wake is None or us(wake) < us(self.now):
            return
        self.now = wake
        before = snap(self.desk)
        events = self.desk.advance(at=wake)
        after = self.desk.next_wakeup()
        assert events or snap(self.desk) != before, f"advance to next_wakeup {wake} did nothing"
        assert after is None or us(after) > us(wake)
        self.in_order = False
        self.check_events(events, wake)
        self.in_order = True
        self.sync()

    @rule(back=st.sampled_from([1, 3600]))
    def earlier_command(self, back: int) -> None:
        before = snap(self.desk)
        if self.desk.now is None:
            return
        earlier = self.desk.now - timedelta(seconds=back)
        calls: tuple[Callable[[], object], ...] = (
            lambda: self.desk.advance(at=earlier),
            lambda: self.desk.submit(Ticket("late", CUSTOMERS[0], "chat", earlier), at=earlier),
        )
        for call in calls:
            with pytest.raises(InvalidTransitionError, match="earlier"):
                call()
        assert snap(self.desk) == before

    # -- where every ticket is -----------------------------------------------------------

    @invariant()
    def places(self) -> None:
        d = self.desk
        check_invariants(d)
        waiting: dict[str, int] = {}
        for entry in d.queue():
            waiting[entry.ticket_id] = waiting.get(entry.ticket_id, 0) + 1
            if entry.callback:
                # Whoever can call now makes the call: a call-back is held for nobody.
                assert entry.signature.agent is None, entry
        held: dict[str, str] = {}
        owned: dict[str, str] = {}
        for a in self.agents:
            st_ = d.agent(a)
            for tid in st_.held:
                assert tid not in held, f"{tid} held twice"
                held[tid] = a
            for tid in d.owned(a):
                assert tid not in owned, f"{tid} owned twice"
                owned[tid] = a
        for tid, s in self.state.items():
            view = d.ticket(tid)
            assert str(view.state) == s, (tid, view.state, s)
            places = (waiting.get(tid, 0), tid in held, tid in owned)
            if s == "queued":
                assert places == (1, False, False), (tid, s, places)
                assert view.agent_id is None
            elif s == "assigned":
                assert places == (0, True, False), (tid, s, places)
                assert held[tid] == view.agent_id
            elif s in {"pending", "on_hold"}:
                assert waiting.get(tid, 0) == 0, (tid, s, places)
                assert tid not in held, (tid, s, places)
                if view.agent_id is not None:
                    assert owned.get(tid) == view.agent_id, (tid, s, view.agent_id, owned)
                else:
                    assert tid not in owned
            else:
                assert places == (0, False, False), (tid, s, places)
            if s == "queued":
                assert view.callback == self.callback[tid], (tid, view.callback)


DeskModel.TestCase.settings = settings(
    max_examples=50, stateful_step_count=40, deadline=None, derandomize=True
)
TestDeskModel = DeskModel.TestCase
