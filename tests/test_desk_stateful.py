"""The desk's contract under random command sequences (a Hypothesis state machine).

A :class:`DeskMachine` plays host to one :class:`~csflow.desk.Desk`: agents join, leave,
change presence and change skills and capacity; customers open tickets, write, give up and ask for call-backs; agents reply,
transfer, escalate and resolve; time moves forward by random steps.  After every step the
machine checks the contract:

* every ticket is in exactly one place, loads are summed weights within capacity, and work is
  conserved (:func:`csflow.testing.check_invariants`, brute force);
* SLA clocks are monotone: a clock's business time used never decreases (a next-response
  clock may restart only when the customer writes);
* a command that raised changed nothing: ``json.dumps(desk.snapshot())`` and every read-only
  view are the same before and after;
* a desk restored from a JSON round trip of its snapshot (at steps the machine chooses) is
  the same desk, and fed the same later commands emits equal events;
* replaying every command (failed ones included) on a fresh desk gives the same events.

The ``ci`` profile runs 40 examples of 40 steps (1,600 steps); ``make soak`` selects the
``soak`` profile, whose 5,000 examples of 200 steps run a million.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from csflow.desk import LIFECYCLE, Desk, DeskConfig
from csflow.errors import CsflowError
from csflow.events import Event
from csflow.model import AgentProfile, Channel, Customer, Priority, Ticket, Tier
from csflow.sla import Metric
from csflow.testing import Command, check_invariants, replay
from desks import office_desk_doc

WIB = timezone(timedelta(hours=7), "WIB")
# A Friday afternoon: long steps cross the office calendar's close and the weekend.
START = datetime(2026, 3, 6, 15, 0, tzinfo=WIB)

# The seeds' desk with lunch breaks and the rest (tests/desks.py: office_desk_doc).
CONFIG_DATA: dict[str, Any] = office_desk_doc()
CONFIG = DeskConfig.from_dict(CONFIG_DATA)

TIERS = [Tier("platinum", 4), Tier("gold", 3), Tier("silver", 2), Tier("regular", 1)]
CHANNELS = ["phone", "chat", "email", "whatsapp", "social"]
AGENT_IDS = ["a0", "a1", "a2", "a3", "a4"]
TEAMS = ["front", "technical", "finance"]
SKILLS = ["orders", "refunds", "tech"]

# Steps of time before a command (mostly none: many things happen at one instant), and the
# longer steps of an explicit advance (hitting a two-minute target exactly, an office close,
# a weekend).
command_steps = st.sampled_from([0, 0, 0, 1, 30, 90, 600])
advance_steps = st.sampled_from([1, 30, 60, 120, 300, 1800, 3600, 4 * 3600, 20 * 3600])
picks = st.integers(0, 1_000)

#: An agent's skills, languages, capacity per channel and teams.
Parts = tuple[dict[str, int], set[str], dict[Channel | str, int], set[str]]

# Agents are mostly broad (so that work flows and replies, transfers and resolutions have
# tickets to act on), sometimes narrow (so that eligibility and capacity bite).
profiles = st.builds(
    lambda skills, languages, capacity, teams: (skills, languages, capacity, teams),
    st.one_of(
        st.fixed_dictionaries({s: st.integers(2, 5) for s in SKILLS}),
        st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 5), max_size=3),
    ),
    st.one_of(st.just({"id", "en"}), st.sets(st.sampled_from(["id", "en"]), max_size=2)),
    st.one_of(
        st.fixed_dictionaries({c: st.integers(1, 3) for c in CHANNELS}),
        st.dictionaries(st.sampled_from(CHANNELS), st.integers(1, 3), min_size=1),
    ),
    st.sets(st.sampled_from(TEAMS), max_size=2),
)

ticket_parts = st.fixed_dictionaries(
    {
        "customer": st.sampled_from(["c0", "c1", "c2", "c3"]),
        "tier": st.sampled_from(TIERS),
        "channel": st.sampled_from(CHANNELS),
        "priority": st.sampled_from(list(Priority)),
        "category": st.sampled_from(["general", "general", "refund"]),
        "language": st.sampled_from([None, None, None, "id", "en"]),
        "skills": st.one_of(
            st.just({}),
            st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 4), max_size=1),
        ),
    }
)

# Every step the soak profile runs counts; the report is the evidence for "at least 10,000".
STEPS = {"steps": 0, "failed": 0, "restores": 0}


def _state(desk: Desk) -> tuple[Any, ...]:
    """Everything a host can read from *desk*: equal states read equal."""
    tickets = tuple(desk.tickets())
    agents = tuple(desk.agents())
    return (
        desk.now,
        desk.next_wakeup(),
        tuple(desk.ticket(t) for t in tickets),
        tuple(tuple(sorted(desk.clocks(t).items(), key=lambda kv: kv[0].value)) for t in tickets),
        tuple(desk.history(t) for t in tickets),
        tuple(desk.agent(a) for a in agents),
        tuple(desk.owned(a) for a in agents),
        # Service order and keys, but not the sequence number: it comes from a counter
        # shared by every queue in the process, so a restored desk's numbers differ (in the
        # same order).
        tuple(
            (e.ticket_id, e.key[:2], e.signature, e.queued_at_us, e.callback) for e in desk.queue()
        ),
    )


def _attempt(cmd: Command, desk: Desk) -> tuple[list[Event], CsflowError | None]:
    """Run *cmd*: its events, or the typed error it raised (anything else propagates)."""
    try:
        return cmd.apply(desk), None
    except CsflowError as exc:
        return [], exc


class DeskMachine(RuleBasedStateMachine):
    """A host driving one desk with random commands; a shadow desk restored from a snapshot
    follows along."""

    #: The desk's configuration.
    config: DeskConfig = CONFIG
    #: Whether the host advances to a command's instant before the command (a diligent host);
    #: a lax host sends commands at later instants straight away, and other tickets' timers
    #: wait for its next ``advance`` (the contract allows both).
    advances_first = True

    def __init__(self) -> None:
        super().__init__()
        self.desk = Desk(self.config)
        self.now = START
        self.commands: list[Command] = []
        self.events: list[Event] = []
        self.shadow: Desk | None = None
        self.ticket_ids: list[str] = []
        self.elapsed: dict[tuple[str, Metric], timedelta] = {}

    # -- helpers -------------------------------------------------------------------------------

    def pick_ticket(self, k: int) -> str:
        """Mostly one of the last few tickets (the ones still in play), sometimes any."""
        ids = self.ticket_ids
        if not ids:
            return "t-none"
        return ids[-1 - k % min(3, len(ids))] if k % 4 != 1 else ids[k % len(ids)]

    def pick_for(self, command: str, k: int) -> str:
        """Mostly a ticket the command is legal for (per LIFECYCLE), sometimes any ticket."""
        legal = LIFECYCLE[command]
        known = set(self.desk.tickets())  # a forget drops a ticket
        fit = [t for t in self.ticket_ids if t in known and self.desk.ticket(t).state in legal]
        return fit[k % len(fit)] if fit and k % 4 != 1 else self.pick_ticket(k)

    def holder_or(self, tid: str, k: int) -> str:
        """Mostly the ticket's own agent (so replies and resolutions succeed), else anyone."""
        if tid in self.ticket_ids and tid in set(self.desk.tickets()) and k % 5 != 1:
            agent = self.desk.ticket(tid).agent_id
            if agent is not None:
                return agent
        return AGENT_IDS[k % len(AGENT_IDS)]

    def step_time(self, dt: int) -> None:
        """Time moves on by *dt* seconds before a command (the host advances, if diligent)."""
        if dt:
            self.now += timedelta(seconds=dt)
            if self.advances_first:
                self.apply(Command("advance", self.now))

    def run(self, dt: int, name: str, *args: Any) -> None:
        self.step_time(dt)
        self.apply(Command(name, self.now, args))

    def apply(self, cmd: Command) -> None:
        STEPS["steps"] += 1
        before_json = json.dumps(self.desk.snapshot())
        before = _state(self.desk)
        self.commands.append(cmd)
        events, error = _attempt(cmd, self.desk)
        if error is not None:
            STEPS["failed"] += 1
            assert json.dumps(self.desk.snapshot()) == before_json, f"{cmd} changed the log"
            assert _state(self.desk) == before, f"{cmd} raised {error!r} but changed the desk"
            if self.shadow is not None:
                _, again = _attempt(cmd, self.shadow)
                assert type(again) is type(error), f"restored desk: {again!r} for {error!r}"
            return
        if cmd.name in ("customer_message", "reopen"):
            # The customer wrote (a reopen is the customer writing to a solved ticket): a new
            # next-response clock may start from zero.
            self.elapsed.pop((cmd.args[0], Metric.NEXT_RESPONSE), None)
        if cmd.name == "forget":
            # The id is free again: a ticket submitted under it later has clocks of its own.
            for key in [k for k in self.elapsed if k[0] == cmd.args[0]]:
                del self.elapsed[key]
        if self.shadow is not None:
            assert cmd.apply(self.shadow) == events, f"restored desk diverged at {cmd}"
        self.events.extend(events)

    # -- agents --------------------------------------------------------------------------------

    @initialize(parts=st.lists(profiles, min_size=1, max_size=3))
    def staff(self, parts: list[Parts]) -> None:
        for i, (skills, languages, capacity, teams) in enumerate(parts):
            aid = AGENT_IDS[i]
            self.run(0, "add_agent", AgentProfile(aid, skills, languages, capacity, teams))
            self.run(0, "set_presence", aid, "available")

    @rule(dt=command_steps, k=picks, parts=profiles, available=st.booleans())
    def add_agent(
        self,
        dt: int,
        k: int,
        parts: Parts,
        available: bool,
    ) -> None:
        skills, languages, capacity, teams = parts
        # Mostly an agent who is not at the desk; sometimes a duplicate, which is refused.
        absent = [a for a in AGENT_IDS if a not in set(self.desk.agents())]
        aid = absent[k % len(absent)] if absent and k % 4 != 1 else AGENT_IDS[k % len(AGENT_IDS)]
        self.run(dt, "add_agent", AgentProfile(aid, skills, languages, capacity, teams))
        if available:
            self.run(0, "set_presence", aid, "available")

    @rule(dt=command_steps, k=picks, parts=profiles)
    def update_agent(self, dt: int, k: int, parts: Parts) -> None:
        # Skills, languages, capacity and teams change while the agent works: holds it can no
        # longer serve end, and it takes the work it now can (work stays conserved).  A
        # capacity below its load, or an agent not at the desk, is refused.
        skills, languages, capacity, teams = parts
        aid = AGENT_IDS[k % len(AGENT_IDS)]
        self.run(dt, "update_agent", AgentProfile(aid, skills, languages, capacity, teams))

    @rule(dt=command_steps, k=picks)
    def remove_agent(self, dt: int, k: int) -> None:
        self.run(dt, "remove_agent", AGENT_IDS[k % len(AGENT_IDS)])

    @rule(
        dt=command_steps,
        k=picks,
        state=st.sampled_from(["available", "available", "available", "away", "offline", "lunch"]),
    )
    def set_presence(self, dt: int, k: int, state: str) -> None:
        self.run(dt, "set_presence", AGENT_IDS[k % len(AGENT_IDS)], state)

    # -- tickets -------------------------------------------------------------------------------

    @rule(dt=command_steps, batch=st.lists(ticket_parts, min_size=1, max_size=3), dup=picks)
    def submit(self, dt: int, batch: list[dict[str, Any]], dup: int) -> None:
        self.step_time(dt)
        for parts in batch:
            # Now and then reuse an id: a duplicate is refused and changes nothing.
            fresh = dup % 8 != 1 or not self.ticket_ids
            tid = f"t{len(self.ticket_ids)}" if fresh else self.pick_ticket(dup)
            customer = Customer(parts["customer"], parts["tier"], parts["language"])
            ticket = Ticket(
                tid,
                customer,
                parts["channel"],
                self.now,
                parts["priority"],
                parts["category"],
                parts["language"],
                parts["skills"],
            )
            self.apply(Command("submit", self.now, (ticket,)))
            if fresh:
                self.ticket_ids.append(tid)

    @rule(dt=command_steps, k=picks, j=picks)
    def reply(self, dt: int, k: int, j: int) -> None:
        tid = self.pick_for("reply", k)
        self.run(dt, "reply", tid, self.holder_or(tid, j))

    @rule(dt=command_steps, k=picks)
    def customer_message(self, dt: int, k: int) -> None:
        self.run(dt, "customer_message", self.pick_for("customer_message", k))

    @rule(
        dt=command_steps,
        k=picks,
        status=st.sampled_from(["pending", "on_hold", "open", "open", "solved"]),
    )
    def set_status(self, dt: int, k: int, status: str) -> None:
        legal = f"set_status:{status}" if status != "solved" else "set_status:pending"
        self.run(dt, "set_status", self.pick_for(legal, k), status)

    @rule(dt=command_steps, k=picks, priority=st.sampled_from(["low", "normal", "high", "urgent"]))
    def set_priority(self, dt: int, k: int, priority: str) -> None:
        self.run(dt, "set_priority", self.pick_for("set_priority", k), priority)

    @rule(dt=command_steps, k=picks, to=st.sampled_from([*AGENT_IDS, *TEAMS, "nobody"]))
    def transfer(self, dt: int, k: int, to: str) -> None:
        self.run(dt, "transfer", self.pick_for("transfer", k), to)

    @rule(dt=command_steps, k=picks, team=st.sampled_from([*TEAMS, "legal"]))
    def escalate(self, dt: int, k: int, team: str) -> None:
        self.run(dt, "escalate", self.pick_for("escalate", k), team)

    @rule(dt=command_steps, k=picks)
    def request_callback(self, dt: int, k: int) -> None:
        self.run(dt, "request_callback", self.pick_for("request_callback", k))

    @rule(dt=command_steps, k=picks)
    def abandon(self, dt: int, k: int) -> None:
        self.run(dt, "abandon", self.pick_for("abandon", k))

    @rule(dt=command_steps, k=picks, j=picks)
    def resolve(self, dt: int, k: int, j: int) -> None:
        tid = self.pick_for("resolve", k)
        self.run(dt, "resolve", tid, self.holder_or(tid, j))

    @rule(dt=command_steps, k=picks)
    def reopen(self, dt: int, k: int) -> None:
        self.run(dt, "reopen", self.pick_for("reopen", k))

    @rule(dt=command_steps, k=picks)
    def close(self, dt: int, k: int) -> None:
        self.run(dt, "close", self.pick_for("close", k))

    # -- time and snapshots --------------------------------------------------------------------

    @rule(dt=advance_steps)
    def advance(self, dt: int) -> None:
        self.now += timedelta(seconds=dt)
        self.apply(Command("advance", self.now))

    @rule(back=st.integers(1, 3600))
    def advance_backwards(self, back: int) -> None:
        # 'at' earlier than the desk's last instant is refused and changes nothing.
        self.apply(Command("advance", self.now - timedelta(seconds=back)))

    @precondition(lambda self: self.desk.now is not None)
    @rule()
    def snapshot_and_restore(self) -> None:
        STEPS["restores"] += 1
        snap = self.desk.snapshot()
        restored = Desk.restore(self.config, json.loads(json.dumps(snap)))
        assert restored.snapshot() == snap
        # The restored desk is the desk that was saved: every ticket, closed ones included.
        assert list(restored.tickets()) == list(self.desk.tickets())
        assert _state(restored) == _state(self.desk)
        self.shadow = restored

    # -- invariants ----------------------------------------------------------------------------

    @invariant()
    def contract_holds(self) -> None:
        check_invariants(self.desk)

    @invariant()
    def clocks_are_monotone(self) -> None:
        known = set(self.desk.tickets())  # a forget drops a ticket
        for tid in self.ticket_ids:
            if tid not in known:
                continue
            for metric, view in self.desk.clocks(tid).items():
                key = (tid, metric)
                last = self.elapsed.get(key)
                assert last is None or view.elapsed >= last, (
                    f"{tid} {metric} went back from {last} to {view.elapsed}"
                )
                self.elapsed[key] = view.elapsed

    @invariant()
    def shadow_matches(self) -> None:
        if self.shadow is not None:
            assert self.shadow.snapshot() == self.desk.snapshot()

    def teardown(self) -> None:
        # Replay determinism: the same commands on a fresh desk, failed ones skipped.
        assert replay(self.config, self.commands, errors=True) == self.events


def machine_settings(ci: int, soak: int | None = None) -> settings:
    """A machine's settings under the active profile: 40 steps an example, unless the profile
    asks for more than Hypothesis's default 50 (``soak`` asks for 200); at most *ci* examples
    under ``ci`` (what keeps make test within its budget on 2 cores), and under a profile of
    more than 300 examples (``soak``) its own count, or *soak*."""
    profile = settings()
    steps = profile.stateful_step_count
    many = profile.max_examples > 300
    return settings(
        settings.default,
        stateful_step_count=steps if steps > 50 else 40,
        max_examples=(soak or profile.max_examples) if many else min(ci, profile.max_examples),
    )


DeskMachine.TestCase.settings = machine_settings(40)
TestDeskMachine = DeskMachine.TestCase


US = timedelta(microseconds=1)


class WakeupMachine(DeskMachine):
    """The same desk, and one more law: :meth:`Desk.next_wakeup` is exact.  On a restored copy
    (the original goes on untouched), advancing to one microsecond before it fires nothing,
    and advancing to it does something: an event, a change of state, or a later wake-up."""

    @invariant()
    def wakeup_is_exact(self) -> None:
        wake = self.desk.next_wakeup()
        if wake is None or wake - US < self.now:
            return  # nothing due, or overdue: the host has not advanced
        snap = self.desk.snapshot()
        copy = Desk.restore(self.config, snap)
        assert copy.advance(at=wake - US) == [], f"something fired before {wake}"
        events = copy.advance(at=wake)
        assert events or copy.next_wakeup() != wake, f"nothing happened at {wake}"


# A restore per step: fewer examples than the machine above (10 under ``ci``, 300 under
# ``soak``).
WakeupMachine.TestCase.settings = machine_settings(10, soak=300)
TestWakeupMachine = WakeupMachine.TestCase


def _lax_config() -> DeskConfig:
    """The seeds' desk with every routing timer (:func:`lax_doc`)."""
    return DeskConfig.from_dict(lax_doc())


def lax_doc() -> dict[str, Any]:
    """The seeds' desk document with every routing timer: a hold for the customer's last
    agent, relaxation steps that widen the front queue's requirements and then overflow it to
    the technical queue, finance overflowing to the front, and (already) the technical team's
    delayed slot on the front queue."""
    doc = office_desk_doc()
    doc["strategies"] = ["preferred_agent", "longest_idle"]
    doc["affinity"] = {"timeout": "PT45S"}
    queues = [dict(q) for q in doc["queues"]]
    for q in queues:
        if q["name"] == "front":
            q["relaxation"] = [
                {"after": "PT1M", "any_language": True},
                {"after": "PT3M", "overflow_to": "technical"},
            ]
        elif q["name"] == "finance":
            q["relaxation"] = [{"after": "PT5M", "overflow_to": "front"}]
    doc["queues"] = queues
    return doc


class LaxHostMachine(DeskMachine):
    """The same laws for a host that does not advance before its commands, on a desk with
    every routing timer (holds, relaxation, overflow, delayed slots).  Timers fall due
    between commands and fire at their own, earlier, instants at the next ``advance``: work
    must still be conserved once the host advances, the record must say where each ticket
    waits, and a restored copy must go on identically."""

    config = _lax_config()
    advances_first = False


LaxHostMachine.TestCase.settings = machine_settings(25)
TestLaxHostMachine = LaxHostMachine.TestCase
