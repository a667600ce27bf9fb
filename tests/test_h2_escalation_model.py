"""A desk's teams, hand-overs and SLA escalation rules against a naive model of the docs.

The model is written from docs/how-to/escalation.md and the references alone: which team's
queue a ticket waits in, how many hand-overs it had (transfers and escalations, refused or
flagged past ``max_transfers``), and what the escalation rules (in ``"all"`` mode) do on a
warning or breach: the highest priority any matched rule asks for (never lowering one), the
last matched rule's queue, every matched rule's people to notify and tags, each once.  A
24/7 desk with no agent on duty keeps every ticket waiting, so each ticket's first response
warns at half its ten minutes and breaches at ten, and a random program of submissions,
escalations, transfers and waits runs on the desk and on the model side by side: every event
and every ticket's place are compared after each step, and a refused command must change
nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from csflow import Desk, DeskConfig
from csflow.errors import ConfigError, CsflowError, InvalidTransitionError, TransferLimitError
from csflow.events import (
    Event,
    SlaBreached,
    SlaEscalated,
    SlaWarning,
    TicketAssigned,
    TicketEscalated,
    TicketOverflowed,
    TicketPrioritized,
    TicketQueued,
    TicketTransferred,
    TransferLimitReached,
)
from csflow.model import AgentProfile, Customer, Priority, Ticket, Tier

TEAMS = ("front", "technical", "finance")
EDGES = {"front": ("technical", "finance")}
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
PRIORITIES = ("low", "normal", "high", "urgent")
PEOPLE = ("lead", "finance-lead", "tech-lead")
TAGS = ("late", "vip", "again")
#: One agent a team: the front line's and the technical team's are on duty, finance's is not.
AGENTS = ("sari", "budi", "hendra")
AGENT_TEAM = dict(zip(AGENTS, TEAMS, strict=True))
ON_DUTY = ("sari", "budi")

Rule = dict[str, Any]

conditions = st.one_of(
    st.none(),
    st.none(),  # rules that act on every warning and breach, twice as often
    st.sampled_from(("warning", "breach")).map(lambda e: {"field": "event", "eq": e}),
    st.sampled_from(TEAMS).map(lambda q: {"field": "queue", "eq": q}),
    st.sampled_from(TEAMS).map(lambda q: {"field": "team", "ne": q}),
    st.lists(st.sampled_from(PRIORITIES), min_size=1, max_size=2, unique=True).map(
        lambda ps: {"field": "priority", "in": ps}
    ),
    st.sampled_from(TAGS).map(lambda t: {"field": "tags", "contains": t}),
    st.sampled_from(("queued", "assigned")).map(lambda s: {"field": "state", "eq": s}),
    st.sampled_from(AGENTS).map(lambda a: {"field": "agent", "eq": a}),
)
actions = st.fixed_dictionaries(
    {},
    optional={
        "priority": st.sampled_from(PRIORITIES),
        "queue": st.sampled_from(TEAMS),
        "notify": st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=2),
        "tags": st.lists(st.sampled_from(TAGS), min_size=1, max_size=2),
    },
).filter(bool)
rules = st.lists(st.tuples(conditions, actions), max_size=4).map(
    lambda rs: [
        {"name": f"r{i}", "then": then, **({} if when is None else {"when": when})}
        for i, (when, then) in enumerate(rs)
    ]
)
steps = st.lists(
    st.tuples(
        st.sampled_from(("submit", "escalate", "escalate", "transfer", "transfer", "wait")),
        st.integers(0, 2),
        st.sampled_from((*TEAMS, *AGENTS, "nowhere")),
        st.integers(0, 7),
    ),
    max_size=16,
)


def desk_doc(escalation_rules: list[Rule], max_transfers: int, on_limit: str) -> dict[str, Any]:
    return {
        "calendars": {"24x7": {"timezone": "UTC", "always_open": True}},
        "sla_policies": [
            {
                "name": "std",
                "calendar": "24x7",
                "targets": {"first_response": "PT10M"},
                "warnings": [0.5],
            }
        ],
        "default_sla_policy": "std",
        "queues": [{"name": t} for t in TEAMS],
        "routing_profiles": [{"name": t, "queues": [t]} for t in TEAMS],
        "teams": {t: {"queue": t, "routing_profile": t} for t in TEAMS},
        "escalation": {"teams": list(TEAMS), "entry": ["front"], "edges": EDGES},
        "transfers": {"max_transfers": max_transfers, "on_limit": on_limit},
        "escalation_rules": escalation_rules,
    }


class Model:
    """What the docs say a desk with no agent on duty does."""

    def __init__(self, rules: list[Rule], max_transfers: int, on_limit: str, staffed: bool) -> None:
        self.rules = rules
        self.staffed = staffed
        self.agent: dict[str, str | None] = {}
        self.max_transfers = max_transfers
        self.on_limit = on_limit
        self.order: list[str] = []
        self.queue: dict[str, str] = {}
        self.priority: dict[str, str] = {}
        self.tags: dict[str, list[str]] = {}
        self.count: dict[str, int] = {}
        self.due: list[tuple[datetime, int, str, str]] = []  # (at, seq, kind, ticket)

    def place(self, tid: str) -> tuple[Any, ...]:
        q = self.queue[tid]
        agent = self.agent[tid]
        state = "queued" if agent is None else "assigned"
        return (q, q, self.count[tid], self.priority[tid], tuple(self.tags[tid]), agent, state)

    def route(self, tid: str) -> list[tuple[Any, ...]]:
        """A ticket in line in its queue: an agent on duty of the queue's team takes it."""
        for agent in ON_DUTY if self.staffed else ():
            if AGENT_TEAM[agent] == self.queue[tid]:
                self.agent[tid] = agent
                return [("assigned", tid, agent)]
        return []

    def submit(self, tid: str, at: datetime) -> list[tuple[Any, ...]]:
        self.order.append(tid)
        self.queue[tid] = "front"
        self.priority[tid] = "normal"
        self.tags[tid] = []
        self.count[tid] = 0
        self.agent[tid] = None
        seq = len(self.order)
        self.due += [(at + 5 * MINUTE, seq, "warning", tid), (at + 10 * MINUTE, seq, "breach", tid)]
        return [("queued", tid, "front"), *self.route(tid)]

    def advance(self, at: datetime) -> list[tuple[Any, ...]]:
        out: list[tuple[Any, ...]] = []
        self.due.sort()
        while self.due and self.due[0][0] <= at:
            _, _, kind, tid = self.due.pop(0)
            out.append((kind, tid))
            out += self.escalation(kind, tid)
        return out

    def holds(self, when: dict[str, Any] | None, kind: str, tid: str) -> bool:
        if when is None:
            return True
        field = when["field"]
        fields: dict[str, Any] = {
            "event": kind,
            "queue": self.queue[tid],
            "team": self.queue[tid],
            "priority": self.priority[tid],
            "tags": self.tags[tid],
            "state": "queued" if self.agent[tid] is None else "assigned",
            "agent": self.agent[tid],
        }
        value = fields[field]
        if "eq" in when:
            return bool(value == when["eq"])
        if "ne" in when:
            return bool(value != when["ne"])
        if "in" in when:
            return value in when["in"]
        return when["contains"] in value

    def escalation(self, kind: str, tid: str) -> list[tuple[Any, ...]]:
        matched = [r["then"] for r in self.rules if self.holds(r.get("when"), kind, tid)]
        if not matched:
            return []
        notify: list[str] = []
        tags: list[str] = []
        for then in matched:
            for key, names in (("notify", notify), ("tags", tags)):
                for name in then.get(key, ()):
                    if name not in names:
                        names.append(name)
        asked = [PRIORITIES.index(then["priority"]) for then in matched if "priority" in then]
        queues = [then["queue"] for then in matched if "queue" in then]
        now = PRIORITIES.index(self.priority[tid])
        lower = bool(asked) and max(asked) < now
        # A ticket with an agent stays with the agent: the queue move is skipped.
        kept = bool(queues) and queues[-1] != self.queue[tid] and self.agent[tid] is not None
        # The event lists the tags the escalation added: those the ticket did not have.
        added = [t for t in tags if t not in self.tags[tid]]
        out: list[tuple[Any, ...]] = [
            ("escalated", tid, kind, tuple(notify), tuple(added), lower, kept)
        ]
        self.tags[tid] += added
        if asked and max(asked) > now:
            self.priority[tid] = PRIORITIES[max(asked)]
            out.append(("prioritized", tid, PRIORITIES[now], self.priority[tid]))
        if queues and queues[-1] != self.queue[tid] and not kept:
            self.queue[tid] = queues[-1]
            out.append(("overflowed", tid, queues[-1]))
            out += self.route(tid)
        return out

    def hand_over(self, tid: str) -> list[tuple[Any, ...]]:
        if self.count[tid] >= self.max_transfers:
            if self.on_limit == "refuse":
                raise TransferLimitError("refused")
            self.count[tid] += 1
            return [("limit", tid, self.count[tid], self.max_transfers)]
        self.count[tid] += 1
        return []

    def escalate(self, tid: str, team: str) -> list[tuple[Any, ...]]:
        if team not in TEAMS:
            raise ConfigError("unknown team")
        src = self.queue[tid]
        if team not in EDGES.get(src, ()):
            raise InvalidTransitionError("not an edge")
        out = self.hand_over(tid)
        out.append(("escalated-to", tid, src, team, self.count[tid]))
        self.queue[tid] = team
        self.agent[tid] = None
        return out + self.route(tid)

    def transfer(self, tid: str, to: str) -> list[tuple[Any, ...]]:
        if to in AGENTS and self.staffed:
            if to == self.agent[tid] or to not in ON_DUTY:
                raise InvalidTransitionError("already with the agent, or the agent is away")
            out = self.hand_over(tid)
            out.append(("transferred", tid, self.agent[tid], to, self.count[tid]))
            # With the agent's team from then on.
            self.queue[tid] = AGENT_TEAM[to]
            self.agent[tid] = to
            return [*out, ("assigned", tid, to)]
        if to not in TEAMS:
            raise ConfigError("neither an agent nor a team")
        if self.queue[tid] == to and self.agent[tid] is None:
            raise InvalidTransitionError("already waits there")
        out = self.hand_over(tid)
        out.append(("transferred", tid, self.agent[tid], to, self.count[tid]))
        self.queue[tid] = to
        self.agent[tid] = None
        return out + self.route(tid)


def seen(events: list[Event]) -> list[tuple[Any, ...]]:
    """The desk's events as the model writes them."""
    out: list[tuple[Any, ...]] = []
    for e in events:
        if isinstance(e, TicketQueued):
            out.append(("queued", e.ticket_id, e.queue))
        elif isinstance(e, SlaWarning | SlaBreached):
            assert e.metric.value == "first_response"
            out.append(("warning" if isinstance(e, SlaWarning) else "breach", e.ticket_id))
        elif isinstance(e, SlaEscalated):
            lower = any(s.startswith("priority ") for s in e.skipped)
            kept = any(s.startswith("queue ") and "who keeps it" in s for s in e.skipped)
            assert len(e.skipped) == lower + kept, e.skipped
            out.append(("escalated", e.ticket_id, e.kind, e.notify, e.tags, lower, kept))
        elif isinstance(e, TicketPrioritized):
            out.append(("prioritized", e.ticket_id, str(e.old), str(e.new)))
        elif isinstance(e, TicketOverflowed):
            out.append(("overflowed", e.ticket_id, e.queue))
        elif isinstance(e, TransferLimitReached):
            assert not e.refused
            out.append(("limit", e.ticket_id, e.transfers, e.limit))
        elif isinstance(e, TicketEscalated):
            out.append(("escalated-to", e.ticket_id, e.from_team, e.to_team, e.escalations))
        elif isinstance(e, TicketTransferred):
            out.append(("transferred", e.ticket_id, e.from_agent, e.to, e.transfers))
        elif isinstance(e, TicketAssigned):
            out.append(("assigned", e.ticket_id, e.agent_id))
        else:
            raise AssertionError(f"an event the model does not know: {e!r}")
    return out


def run(
    escalation_rules: list[Rule],
    max_transfers: int,
    on_limit: str,
    staffed: bool,
    program: list[tuple[str, int, str, int]],
) -> None:
    desk = Desk(DeskConfig.from_dict(desk_doc(escalation_rules, max_transfers, on_limit)))
    model = Model(escalation_rules, max_transfers, on_limit, staffed)
    for agent in AGENTS if staffed else ():
        presence = "available" if agent in ON_DUTY else "away"
        profile = AgentProfile(
            agent, languages={"id"}, capacity={"chat": 10}, teams={AGENT_TEAM[agent]}
        )
        desk.add_agent(profile, at=T0, presence=presence)
    customer = Customer("putri", Tier("gold", 2), language="id")
    at = T0
    for op, n, team, minutes in program:
        at += minutes * MINUTE
        assert seen(desk.advance(at=at)) == model.advance(at)
        tid = f"T-{n}"
        if op == "submit" and tid not in model.queue:
            got = desk.submit(Ticket(tid, customer, "chat", at), at=at)
            assert seen(got) == model.submit(tid, at)
        elif op in ("escalate", "transfer") and tid in model.queue:
            before = desk.snapshot()
            try:
                expected = getattr(model, op)(tid, team)
            except CsflowError as exc:
                refusal: type[CsflowError] = type(exc)
            else:
                assert seen(getattr(desk, op)(tid, team, at=at)) == expected
                check_places(desk, model)
                continue
            with pytest.raises(refusal):
                getattr(desk, op)(tid, team, at=at)
            assert desk.snapshot() == before
        check_places(desk, model)


def check_places(desk: Desk, model: Model) -> None:
    """Every ticket is where the model has it."""
    for t in model.order:
        v = desk.ticket(t)
        place = (
            v.queue,
            v.team,
            v.transfers,
            str(v.ticket.priority),
            v.tags,
            v.agent_id,
            str(v.state),
        )
        assert place == model.place(t), t


@settings(max_examples=300, deadline=None)
@example(  # the highest priority any matched rule asks for, not the last rule's
    [
        {"name": "urgent", "then": {"priority": "urgent"}},
        {"name": "high", "when": {"field": "event", "eq": "warning"}, "then": {"priority": "high"}},
    ],
    3,
    "refuse",
    False,
    [("submit", 0, "front", 0), ("wait", 0, "front", 6)],
)
@given(
    rules,
    st.integers(0, 3),
    st.sampled_from(("refuse", "flag")),
    st.booleans(),
    steps,
)
def test_a_desk_escalates_as_the_docs_say(
    escalation_rules: list[Rule],
    max_transfers: int,
    on_limit: str,
    staffed: bool,
    program: list[tuple[str, int, str, int]],
) -> None:
    run(escalation_rules, max_transfers, on_limit, staffed, program)


def test_priority_names() -> None:
    # The model compares priorities by the names the desk prints.
    assert [str(p) for p in sorted(Priority)] == list(PRIORITIES)
