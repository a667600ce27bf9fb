"""The desk: its ticket life table walked edge by edge, its errors, its config and snapshots,
and a worked day at the seeds' desk (an Indonesian e-commerce helpdesk)."""

from __future__ import annotations

import copy
import json
import re
import sys
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.desk import LIFECYCLE, TICKET_STATES, Desk, DeskConfig
from csflow.desk.durable import deadlines
from csflow.desk.fingerprint import config_fingerprint
from csflow.desk.serialisation import snapshot_data
from csflow.errors import (
    ConfigError,
    CsflowError,
    DuplicateAgentError,
    DuplicateTicketError,
    InvalidTransitionError,
    UnknownAgentError,
    UnknownTicketError,
)
from csflow.events import (
    CallbackDue,
    CallbackRequested,
    Event,
    SlaBreached,
    SlaDeadlineMoved,
    SlaMet,
    SurveyDue,
    TicketAbandoned,
    TicketAssigned,
    TicketEscalated,
    TicketQueued,
    TicketReopened,
    TicketResolved,
    TicketStatusChanged,
)
from csflow.model import AgentProfile, Customer, Priority, Ticket, Tier
from csflow.routing import QueueSlot, RoutingProfile
from csflow.sla import Metric
from csflow.testing import Story, assert_assigned, assert_no_breach, check_invariants
from desks import busy_desk, busy_log, seeds_desk_doc
from strategies import json_documents

WIB = timezone(timedelta(hours=7), "WIB")  # Jakarta
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=WIB)  # a Monday
S = timedelta(seconds=1)
M = timedelta(minutes=1)

CONFIG = DeskConfig.from_dict(seeds_desk_doc())
GOLD = Tier("gold", 3)
REGULAR = Tier("regular", 1)
SARI = AgentProfile("sari", {"orders": 4}, ["id", "en"], {"chat": 2, "phone": 1}, ["front"])


def chat(ticket_id: str, at: datetime, tier: Tier = REGULAR, customer: str = "c1") -> Ticket:
    return Ticket(ticket_id, Customer(customer, tier, "id"), "chat", at)


def frozen(desk: Desk) -> tuple[str, Any]:
    """The desk's log and every view of it: what a command that raised must leave alone."""
    tickets = list(desk.tickets())
    return json.dumps(desk.snapshot()), (
        desk.now,
        desk.next_wakeup(),
        [desk.ticket(t) for t in tickets],
        [desk.history(t) for t in tickets],
        [desk.agent(a) for a in desk.agents()],
        [(e.ticket_id, e.key[:2], e.queued_at_us) for e in desk.queue()],
    )


# ---------------------------------------------------------------------------------------------
# The ticket life table, walked


def desk_with(state: str) -> Desk:
    """A desk holding ticket ``t1`` in *state*; its only agent, Sari, is away (so nothing
    routes on its own) but still owns what she owned."""
    desk = Desk(CONFIG)
    desk.add_agent(SARI, at=T0, presence="available")
    t = T0
    if state in ("queued", "abandoned"):
        desk.set_presence("sari", "away", at=t)
    desk.submit(chat("t1", t), at=t)
    t += M
    if state in ("pending", "on_hold"):
        desk.set_status("t1", state, at=t)
    elif state in ("solved", "closed"):
        desk.resolve("t1", "sari", at=t)
        if state == "closed":
            desk.close("t1", at=t)
    elif state == "abandoned":
        desk.abandon("t1", at=t)
    desk.set_presence("sari", "away", at=t)
    assert desk.ticket("t1").state == state
    return desk


COMMANDS: dict[str, Callable[[Desk, datetime], list[Event]]] = {
    "reply": lambda d, at: d.reply("t1", "sari", at=at),
    "customer_message": lambda d, at: d.customer_message("t1", at=at),
    "set_status:pending": lambda d, at: d.set_status("t1", "pending", at=at),
    "set_status:on_hold": lambda d, at: d.set_status("t1", "on_hold", at=at),
    "set_status:open": lambda d, at: d.set_status("t1", "open", at=at),
    "set_priority": lambda d, at: d.set_priority("t1", "urgent", at=at),
    "transfer": lambda d, at: d.transfer("t1", "finance", at=at),
    "escalate": lambda d, at: d.escalate("t1", "finance", at=at),
    "request_callback": lambda d, at: d.request_callback("t1", at=at),
    "abandon": lambda d, at: d.abandon("t1", at=at),
    "resolve": lambda d, at: d.resolve("t1", "sari", at=at),
    "reopen": lambda d, at: d.reopen("t1", at=at),
    "close": lambda d, at: d.close("t1", at=at),
}
WALKED = ("submit", "assign", "requeue")  # edges walked by the other tests (not host commands)


def test_every_host_command_of_the_table_is_walked() -> None:
    assert set(LIFECYCLE) == set(COMMANDS) | set(WALKED)
    for edges in LIFECYCLE.values():
        assert set(edges) <= {None, *TICKET_STATES}
        assert set(edges.values()) <= set(TICKET_STATES)


@pytest.mark.parametrize("state", TICKET_STATES)
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_lifecycle_edge(command: str, state: str) -> None:
    desk = desk_with(state)
    at = T0 + 2 * M
    expected = LIFECYCLE[command].get(state)
    if expected is None:
        before = frozen(desk)
        with pytest.raises(InvalidTransitionError, match=rf"'t1'.*it is {state}"):
            COMMANDS[command](desk, at)
        assert frozen(desk) == before
    else:
        COMMANDS[command](desk, at)
        assert desk.ticket("t1").state == expected
        check_invariants(desk)


def test_submit_then_assign_edges(seeds_config: DeskConfig) -> None:
    desk = Desk(seeds_config)
    desk.add_agent(SARI, at=T0)
    [queued] = desk.submit(chat("t1", T0), at=T0)
    assert isinstance(queued, TicketQueued)
    assert desk.ticket("t1").state == LIFECYCLE["submit"][None]
    events = desk.set_presence("sari", "available", at=T0 + M)
    assert_assigned(events, "t1", "sari")
    assert desk.ticket("t1").state == LIFECYCLE["assign"]["queued"]


def test_requeue_edge_when_the_agent_leaves() -> None:
    desk = desk_with("assigned")
    events = desk.remove_agent("sari", at=T0 + 2 * M)
    assert desk.ticket("t1").state == LIFECYCLE["requeue"]["assigned"]
    assert [type(e).__name__ for e in events] == ["AgentPresenceChanged", "TicketRequeued"]
    check_invariants(desk)


def test_pending_ticket_resumes_with_its_owner_when_she_can_take_it() -> None:
    desk = desk_with("pending")
    desk.set_presence("sari", "available", at=T0 + 2 * M)
    events = desk.customer_message("t1", at=T0 + 3 * M)
    assert isinstance(events[0], TicketStatusChanged)
    assert_assigned(events, "t1", "sari")
    assert desk.ticket("t1").state == "assigned"


@pytest.mark.parametrize("state", ["pending", "on_hold"])
@pytest.mark.parametrize("hand_over", ["transfer", "escalate"])
def test_a_ticket_whose_owner_left_can_still_be_handed_over(state: str, hand_over: str) -> None:
    # Found by the state machine: this used to trip an internal assertion half-way through
    # the command (after it was logged), leaving the desk inconsistent.
    desk = desk_with(state)
    desk.remove_agent("sari", at=T0 + 2 * M)
    assert desk.ticket("t1").agent_id is None
    with pytest.raises(UnknownAgentError, match=r"no agent 'sari'"):
        desk.resolve("t1", "sari", at=T0 + 2 * M)
    events = COMMANDS[hand_over](desk, T0 + 3 * M)
    assert desk.ticket("t1").state == "queued"
    assert desk.ticket("t1").queue == "finance"
    assert type(events[0]).__name__ in ("TicketTransferred", "TicketEscalated")
    check_invariants(desk)


def test_a_second_callback_request_is_refused() -> None:
    desk = desk_with("queued")
    desk.request_callback("t1", at=T0 + M)
    before = frozen(desk)
    with pytest.raises(InvalidTransitionError, match=r"'t1' is already a call-back"):
        desk.request_callback("t1", at=T0 + 2 * M)
    assert frozen(desk) == before


# ---------------------------------------------------------------------------------------------
# Unknown ids, time, naive datetimes, bad arguments: typed errors and nothing changed


def bad_calls() -> list[tuple[str, Callable[[Desk], object], type[Exception], str]]:
    at = T0 + 2 * M
    return [
        ("reply/ticket", lambda d: d.reply("t9", "sari", at=at), UnknownTicketError, "'t9'"),
        ("reply/agent", lambda d: d.reply("t1", "ghost", at=at), UnknownAgentError, "'ghost'"),
        ("resolve/agent", lambda d: d.resolve("t1", "ghost", at=at), UnknownAgentError, "ghost"),
        ("message", lambda d: d.customer_message("t9", at=at), UnknownTicketError, "'t9'"),
        ("status", lambda d: d.set_status("t9", "pending", at=at), UnknownTicketError, "'t9'"),
        ("priority", lambda d: d.set_priority("t9", "high", at=at), UnknownTicketError, "'t9'"),
        ("transfer", lambda d: d.transfer("t9", "finance", at=at), UnknownTicketError, "'t9'"),
        ("escalate", lambda d: d.escalate("t9", "finance", at=at), UnknownTicketError, "'t9'"),
        ("callback", lambda d: d.request_callback("t9", at=at), UnknownTicketError, "'t9'"),
        ("abandon", lambda d: d.abandon("t9", at=at), UnknownTicketError, "'t9'"),
        ("reopen", lambda d: d.reopen("t9", at=at), UnknownTicketError, "'t9'"),
        ("close", lambda d: d.close("t9", at=at), UnknownTicketError, "'t9'"),
        ("view", lambda d: d.ticket("t9"), UnknownTicketError, "'t9'"),
        ("clocks", lambda d: d.clocks("t9"), UnknownTicketError, "'t9'"),
        ("presence", lambda d: d.set_presence("ghost", "away", at=at), UnknownAgentError, "ghost"),
        ("remove", lambda d: d.remove_agent("ghost", at=at), UnknownAgentError, "ghost"),
        ("agent", lambda d: d.agent("ghost"), UnknownAgentError, "ghost"),
        ("owned", lambda d: d.owned("ghost"), UnknownAgentError, "ghost"),
        ("back", lambda d: d.advance(at=T0), InvalidTransitionError, "must not be earlier"),
        (
            "back/submit",
            lambda d: d.submit(chat("t2", T0), at=T0 + S),
            InvalidTransitionError,
            "must not be earlier",
        ),
        (
            "naive",
            lambda d: d.advance(at=datetime(2026, 3, 2, 10, 0)),
            CsflowError,
            "timezone-aware",
        ),
        (
            "naive/reply",
            lambda d: d.reply("t1", "sari", at=datetime(2026, 3, 2, 10, 0)),
            CsflowError,
            "timezone-aware",
        ),
        ("not a time", lambda d: d.advance(at="09:05"), CsflowError, "'09:05'"),
        ("duplicate", lambda d: d.submit(chat("t1", at), at=at), DuplicateTicketError, "'t1'"),
        ("dup agent", lambda d: d.add_agent(SARI, at=at), DuplicateAgentError, "'sari' already"),
        ("presence", lambda d: d.set_presence("sari", "lunch", at=at), ConfigError, "'lunch'"),
        ("status", lambda d: d.set_status("t1", "done", at=at), ConfigError, "'done'"),
        ("priority", lambda d: d.set_priority("t1", "asap", at=at), ConfigError, "'asap'"),
        ("team", lambda d: d.transfer("t1", "legal", at=at), ConfigError, "'legal'"),
        ("esc team", lambda d: d.escalate("t1", "legal", at=at), ConfigError, "'legal'"),
        ("not ticket", lambda d: d.submit("t3", at=at), ConfigError, "'t3'"),
        (
            "other agent",
            lambda d: d.reply("t1", "budi", at=at),
            InvalidTransitionError,
            "'budi' cannot reply",
        ),
        (
            "edge",
            lambda d: d.escalate("t1", "front", at=at),
            InvalidTransitionError,
            "'front' may not escalate to 'front'",
        ),
    ]


@pytest.mark.parametrize(
    ("name", "call", "error", "match"), bad_calls(), ids=[c[0] for c in bad_calls()]
)
def test_bad_call_raises_and_changes_nothing(
    name: str, call: Callable[[Desk], object], error: type[Exception], match: str
) -> None:
    desk = desk_with("assigned")
    desk.add_agent(AgentProfile("budi", capacity={"chat": 1}, teams=["front"]), at=T0 + M)
    before = frozen(desk)
    with pytest.raises(error, match=match):
        call(desk)
    assert frozen(desk) == before, name


def test_escalation_must_follow_the_graph() -> None:
    desk = desk_with("queued")
    desk.escalate("t1", "technical", at=T0 + M)
    before = frozen(desk)
    with pytest.raises(InvalidTransitionError, match=r"'technical' may not escalate to 'finance'"):
        desk.escalate("t1", "finance", at=T0 + 2 * M)
    assert frozen(desk) == before


def test_transfer_limit_refuses_the_hand_over_past_it() -> None:
    desk = Desk(DeskConfig.from_dict(seeds_desk_doc(transfers={"max_transfers": 1})))
    desk.submit(chat("t1", T0), at=T0)
    desk.transfer("t1", "technical", at=T0 + M)
    before = frozen(desk)
    with pytest.raises(InvalidTransitionError, match=r"max_transfers=1"):
        desk.transfer("t1", "finance", at=T0 + 2 * M)
    assert frozen(desk) == before


def test_transfer_to_an_agent_who_cannot_take_it_is_refused() -> None:
    desk = desk_with("queued")
    desk.add_agent(AgentProfile("budi", capacity={"email": 1}), at=T0 + M, presence="available")
    before = frozen(desk)
    with pytest.raises(InvalidTransitionError, match=r"'budi' cannot take ticket 't1'"):
        desk.transfer("t1", "budi", at=T0 + 2 * M)
    assert frozen(desk) == before


def test_advance_is_idempotent_for_an_unchanged_instant() -> None:
    desk = desk_with("queued")
    first = desk.advance(at=T0 + 40 * M)
    # The one-hour first-response clock warned at half time, at its own instant.
    assert [(type(e).__name__, e.at) for e in first] == [("SlaWarning", T0 + 30 * M)]
    assert desk.advance(at=T0 + 40 * M) == []


# ---------------------------------------------------------------------------------------------
# DeskConfig.from_dict: errors carry the path to the bad value


@pytest.mark.parametrize(
    ("changes", "path", "match"),
    [
        (
            {"queues": [{"name": "front", "relaxation": [{"after": "PT1M"}]}]},
            "queues[0].relaxation[0]",
            "changes nothing",
        ),
        (
            {"queues": [{"name": "front", "relaxation": [{"after": "soon", "proficiency": 1}]}]},
            "queues[0].relaxation[0].after",
            "'soon'",
        ),
        (
            {
                "queues": [
                    {
                        "name": "front",
                        "relaxation": [{"after": "PT1M", "proficiency": 9}],
                    }
                ]
            },
            "queues[0].relaxation[0]",
            "9",
        ),
        (
            {"routing_profiles": [{"name": "front", "queues": ["front", "vip"]}]},
            "routing_profiles[0].queues[1]",
            "unknown queue 'vip'",
        ),
        (
            {
                "triage": [
                    {
                        "name": "x",
                        "when": {"field": "tier", "eq": "gold"},
                        "then": {"sla_policy": "gold"},
                    }
                ]
            },
            "triage[0].then.sla_policy",
            "unknown SLA policy 'gold'",
        ),
        (
            {
                "escalation": {
                    "teams": ["front", "technical", "finance"],
                    "entry": ["front"],
                    "edges": {
                        "front": ["technical"],
                        "technical": ["finance"],
                        "finance": ["front"],
                    },
                }
            },
            "escalation",
            "cycle",
        ),
        ({"teams": {"front": {"queue": "desk"}}}, "teams.front.queue", "unknown queue 'desk'"),
        ({"default_sla_policy": "gold"}, "default_sla_policy", "'gold'"),
        ({"survey_delay": "later"}, "survey_delay", "'later'"),
        ({"strategies": ["fastest"]}, "strategies[0]", "'fastest'"),
        ({"recalculation": "never"}, "recalculation", "'never'"),
        ({"keep_history": "yes"}, "keep_history", "'yes'"),
        ({"tiers": [{"name": "gold", "rank": 3, "colour": "gold"}]}, "tiers[0]", "'colour'"),
        ({"colour": "blue"}, "config", "'colour'"),
    ],
)
def test_config_errors_carry_paths(changes: dict[str, Any], path: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match) as info:
        DeskConfig.from_dict(seeds_desk_doc(**changes))
    assert info.value.path.startswith(path), info.value.path


def test_config_is_not_a_mapping() -> None:
    with pytest.raises(ConfigError, match=r"expected a mapping, got \['tiers'\]"):
        DeskConfig.from_dict(["tiers"])


@pytest.mark.parametrize("depth", [100, 10_000])
def test_deeply_nested_config_is_refused_without_recursion_error(
    depth: int, seeds_doc: dict[str, Any]
) -> None:
    when: dict[str, Any] = {"field": "tier", "eq": "gold"}
    for _ in range(depth):
        when = {"all": [when]}
    rules = [{"name": "deep", "when": when, "then": {"priority": "high"}}]
    with pytest.raises(ConfigError, match=r"deep|nest") as info:
        DeskConfig.from_dict({**seeds_doc, "triage": {"rules": rules}})
    assert info.value.path.startswith("triage")


@pytest.mark.parametrize("depth", [100, 10_000])
def test_deeply_nested_snapshot_is_refused_without_recursion_error(depth: int) -> None:
    nested: list[Any] = []
    for _ in range(depth):
        nested = [nested]
    with pytest.raises(ConfigError, match=r"snapshot\.commands\[0\]"):
        Desk.restore(CONFIG, {"format": "csflow.desk/1", "commands": [nested]})
    assert sys.getrecursionlimit() >= 1000


# ---------------------------------------------------------------------------------------------
# Snapshots: a tampered one raises ConfigError, never anything else


def test_snapshot_round_trips_through_json() -> None:
    desk = busy_desk(CONFIG)
    snap = json.loads(json.dumps(desk.snapshot()))
    restored = Desk.restore(CONFIG, snap)
    assert frozen(restored) == frozen(desk)
    later = T0 + timedelta(hours=3)
    assert restored.advance(at=later) == desk.advance(at=later)


def log_snapshot() -> dict[str, Any]:
    """:func:`busy_desk` as the command-log snapshot (``csflow.desk/2``) it would have written
    before state snapshots: what a restore still reads, by replay."""
    return snapshot_data(
        busy_log(),
        at=busy_desk(CONFIG).now,
        config=config_fingerprint(CONFIG),
        deadlines=deadlines(busy_desk(CONFIG)),
    )


def test_a_command_log_snapshot_restores_by_replay_to_the_same_desk() -> None:
    desk = busy_desk(CONFIG)
    restored = Desk.restore(CONFIG, json.loads(json.dumps(log_snapshot())))
    assert frozen(restored) == frozen(desk)
    assert restored.snapshot() == desk.snapshot()  # its next snapshot is a state snapshot
    assert restored.snapshot()["format"] == "csflow.desk/3"


def test_a_command_log_snapshot_under_a_changed_config_reports_the_deadlines_it_moved() -> None:
    """The deadlines a ``csflow.desk/2`` snapshot recorded are what a restore under another
    config compares against: t1's 4-hour VIP resolution target becomes 8 hours."""
    doc = seeds_desk_doc()
    vip = next(p for p in doc["sla_policies"] if p["name"] == "vip")
    vip["targets"]["resolution"] = "PT8H"
    moved: list[Any] = []
    restored = Desk.restore(DeskConfig.from_dict(doc), log_snapshot(), on_config_change=moved)
    recorded = log_snapshot()["deadlines"]
    changes = [e for e in moved if isinstance(e, SlaDeadlineMoved)]
    assert [(e.ticket_id, e.metric) for e in changes] == [("t1", "resolution")]
    (change,) = changes
    assert change.old_due == datetime.fromisoformat(recorded["t1"]["resolution"])
    assert change.new_due == restored.clocks("t1")[Metric.RESOLUTION].due_at
    assert change.new_due is not None
    assert change.new_due > change.old_due


def tampered(edit: Callable[[list[Any]], object]) -> dict[str, Any]:
    snap = copy.deepcopy(log_snapshot())
    edit(snap["commands"])
    return snap


@pytest.mark.parametrize(
    ("snapshot", "match"),
    [
        (
            {"format": "csflow.desk/4", "commands": []},
            r"snapshot\.format: .*'csflow\.desk/4' \(newer than this csflow reads",
        ),
        (
            {"commands": []},
            r"snapshot\.format: expected format 'csflow\.desk/3' \(or an older one\), got None",
        ),
        ({"format": "csflow.desk/1"}, r"snapshot\.commands: expected a list, got None"),
        ({"format": "csflow.desk/1", "commands": [], "x": 1}, r"snapshot: unknown key 'x'"),
        ("csflow.desk/1", r"snapshot: expected a mapping"),
        (
            tampered(lambda c: c.append(["explode", c[-1][1]])),
            r"snapshot\.commands\[\d+\]: unknown command 'explode'",
        ),
        (
            tampered(lambda c: c[3][2].pop("customer")),
            r"snapshot\.commands\[3\]\[2\]\.customer: expected a mapping, got None",
        ),
        (
            tampered(lambda c: c[3][2].update(channel=7)),
            r"snapshot\.commands\[3\]",
        ),
        (
            tampered(lambda c: c[3][2].update(created_at="Friday")),
            r"snapshot\.commands\[3\]\[2\]\.created_at: expected an ISO 8601 instant, got 'Friday'",
        ),
        (
            tampered(lambda c: c[1].__setitem__(1, "2026-03-02T09:00:00+07:00")),
            r"snapshot\.commands\[1\]: expected an int of microseconds",
        ),
        (tampered(lambda c: c[1].__setitem__(1, 1.5)), r"snapshot\.commands\[1\]: expected an int"),
        (
            tampered(lambda c: c[1].__setitem__(1, True)),
            r"snapshot\.commands\[1\]: expected an int",
        ),
        (
            tampered(lambda c: c.append(["reply", c[-1][1], "t1", "dewi"])),
            r"snapshot\.commands\[\d+\]: .*'dewi' cannot reply",
        ),
        (
            tampered(lambda c: c.append(["reply", c[-1][1], "t9", "sari"])),
            r"snapshot\.commands\[\d+\]: .*'t9'",
        ),
        (
            tampered(lambda c: c.append(["advance", 0])),
            r"snapshot\.commands\[\d+\]: .*must not be earlier",
        ),
        (tampered(lambda c: c.append(["advance"])), r"expected \[name, at_us, \*args\]"),
        (tampered(lambda c: c.append(["reply", c[-1][1], "t1"])), r"'reply' takes 2 string"),
        (
            tampered(lambda c: c.insert(0, c[4])),
            r"snapshot\.commands\[1\]: .*must not be earlier",
        ),
    ],
)
def test_tampered_snapshot_raises_config_error(snapshot: object, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        Desk.restore(CONFIG, snapshot)


json_values = json_documents()
BASE_SNAPSHOT = busy_desk(CONFIG).snapshot()


def mutate(data: st.DataObject, node: Any) -> Any:
    """*node* with one random change somewhere inside it: replaced, dropped, or descended into."""
    action = data.draw(st.sampled_from(["replace", "descend", "descend", "drop", "duplicate"]))
    if action == "replace" or not isinstance(node, dict | list) or not node:
        return data.draw(json_values)
    if isinstance(node, dict):
        key = data.draw(st.sampled_from(sorted(node)))
        if action == "drop":
            return {k: v for k, v in node.items() if k != key}
        if action == "duplicate":
            return {**node, data.draw(st.text(max_size=8)): node[key]}
        return {**node, key: mutate(data, node[key])}
    i = data.draw(st.integers(0, len(node) - 1))
    if action == "drop":
        return node[:i] + node[i + 1 :]
    if action == "duplicate":
        return [*node[: i + 1], node[i], *node[i + 1 :]]
    return [*node[:i], mutate(data, node[i]), *node[i + 1 :]]


@settings(max_examples=150)
@given(data=st.data(), n=st.integers(1, 3))
def test_fuzzed_snapshot_restores_or_raises_config_error(data: st.DataObject, n: int) -> None:
    snap: Any = BASE_SNAPSHOT
    for _ in range(n):
        snap = mutate(data, snap)
    try:
        desk = Desk.restore(CONFIG, snap)
    except ConfigError as exc:
        error: ConfigError | None = exc
    else:
        error = None
    if error is not None:
        assert str(error).startswith("snapshot")
        return
    # A mutation the desk accepts is a valid command log: the desk keeps its contract.
    check_invariants(desk)
    json.dumps(desk.snapshot())


# ---------------------------------------------------------------------------------------------
# A day at the seeds' desk


JAKARTA_FRIDAY = datetime(2026, 3, 6, tzinfo=WIB)
JAKARTA_MONDAY = datetime(2026, 3, 9, tzinfo=WIB)


def of(kind: type[Any], events: list[Event], ticket: str | None = None) -> list[Any]:
    return [e for e in events if isinstance(e, kind) and (ticket is None or e.ticket_id == ticket)]


def test_a_day_at_the_seeds_desk() -> None:
    config = DeskConfig.from_dict(
        seeds_desk_doc(
            strategies=["preferred_agent", "longest_idle"],
            affinity={"timeout": "PT2M", "recency": "P7D"},
            triage={
                "rules": [
                    {
                        "name": "vip",
                        "when": {"field": "tier", "in": ["platinum", "gold"]},
                        "then": {"sla_policy": "vip", "priority": "high"},
                    }
                ]
            },
        )
    )
    day = Story(config, JAKARTA_FRIDAY)
    # The morning shift: Sari (chat, WhatsApp, social, the phone line), Budi (chat, email,
    # WhatsApp), Dewi in finance.
    day.agent("08:00", "sari", languages=["id", "en"], teams=["front"], chat=3, whatsapp=2,
              social=2, phone=1)  # fmt: skip
    day.agent("08:01", "budi", languages=["id"], teams=["front"], chat=2, email=4, whatsapp=2)
    day.agent("08:01", "dewi", languages=["id", "en"], teams=["finance"], chat=2, whatsapp=2)

    # 08:05 a platinum customer opens a chat: VIP policy, high priority, Sari (longest idle).
    opened = day.customer_opens("08:05", "t1", "chat", tier="platinum", customer="ayu",
                                language="id")  # fmt: skip
    [queued] = of(TicketQueued, opened)
    assert (queued.queue, queued.priority, queued.sla_policy, queued.tier) == (
        "front",
        Priority.HIGH,
        "vip",
        "platinum",
    )
    assert_assigned(opened, "t1", "sari")
    # She answers in 40 seconds: the one-minute first response is met.
    [met] = of(SlaMet, day.replies("08:05:40", "sari", "t1"))
    assert (met.metric, met.elapsed, met.breached) == (Metric.FIRST_RESPONSE, 40 * S, False)

    # 08:10 a gold customer wants a refund on WhatsApp: Budi takes it and escalates to finance.
    assert_assigned(day.customer_opens("08:10", "t2", "whatsapp", tier="gold", customer="rudi",
                                       category="refund", language="id"), "t2", "budi")  # fmt: skip
    day.replies("08:10:30", "budi", "t2")
    escalated = day.do("08:12", "escalate", "t2", "finance")
    [esc] = of(TicketEscalated, escalated)
    assert (esc.from_team, esc.to_team, esc.escalations) == ("front", "finance", 1)
    assert_assigned(escalated, "t2", "dewi")
    assert day.desk.ticket("t2").team == "finance"
    [resolved] = of(TicketResolved, day.resolves("08:30", "dewi", "t2"))
    assert resolved.agent_id == "dewi"

    # 08:40 a regular customer phones while Sari, the only phone agent, is on a chat (the phone
    # is exclusive): the call waits, and the customer asks to be called back.
    called = day.customer_opens("08:40", "t3", "phone", customer="wati", language="id")
    assert of(TicketAssigned, called) == []
    assert day.do("08:41", "request_callback", "t3") == [CallbackRequested(day.at("08:41"), "t3")]
    assert day.desk.ticket("t3").callback
    # Sari solves the chat at 08:45 and is given the call-back at once.
    freed = day.resolves("08:45", "sari", "t1")
    assert_assigned(freed, "t3", "sari")
    [due] = of(CallbackDue, freed)
    assert (due.ticket_id, due.agent_id, due.at) == ("t3", "sari", day.at("08:45"))

    # 09:00 a customer writes on social media; nobody can take it (Sari is on the phone) and
    # she gives up after ten minutes.
    assert of(TicketAssigned, day.customer_opens("09:00", "t4", "social", customer="joko")) == []
    [gone] = of(TicketAbandoned, day.do("09:10", "abandon", "t4"))
    assert gone.waited == 600.0
    assert day.desk.ticket("t4").state == "abandoned"

    # 09:30 the survey for the refund is due, an hour after its resolution.
    surveys = of(SurveyDue, day.wait_until("09:30"))
    assert [(s.ticket_id, s.agent_id, s.at) for s in surveys] == [("t2", "dewi", day.at("09:30"))]

    # 09:35 Sari finishes the call; 09:40 the platinum customer comes back on WhatsApp and
    # reaches Sari again (the preferred agent), though Budi has been idle longer.
    day.resolves("09:35", "sari", "t3")
    again = day.customer_opens("09:40", "t5", "whatsapp", tier="platinum", customer="ayu",
                               language="id")  # fmt: skip
    assert_assigned(again, "t5", "sari")
    day.replies("09:40:30", "sari", "t5")
    day.resolves("09:50", "sari", "t5")

    # 10:00 a regular customer emails (office-hours policy: first response 1 h, resolution
    # 8 h).  Budi answers, then at 16:00 waits on the customer over the weekend.
    assert_assigned(day.customer_opens("10:00", "t6", "email", customer="sri", language="id"),
                    "t6", "budi")  # fmt: skip
    day.replies("10:20", "budi", "t6")
    day.do("16:00", "set_status", "t6", "pending")
    assert day.desk.ticket("t6").state == "pending"
    assert day.desk.owned("budi") == ("t6",)
    # Without the pause the 8-hour resolution target would fall due at 09:00 on Monday (seven
    # business hours on Friday, one on Monday); pending holds the clock at 6 hours used.
    friday_evening = day.wait_until("23:59")
    assert_no_breach(friday_evening, "t6")

    monday = Story(day.desk, JAKARTA_MONDAY)
    weekend = monday.wait_until("08:30")
    assert_no_breach(weekend)
    clock = monday.desk.clocks("t6")[Metric.RESOLUTION]
    assert (clock.state, clock.elapsed) == ("paused", timedelta(hours=6))
    # The customer answers on Monday: the ticket goes back to Budi, the clock runs again.
    resumed = monday.do("09:00", "customer_message", "t6")
    [status] = of(TicketStatusChanged, resumed)
    assert (status.old, status.new) == ("pending", "open")
    assert_assigned(resumed, "t6", "budi")
    done = monday.resolves("09:30", "budi", "t6")
    [met] = of(SlaMet, done, "t6")
    assert (met.metric, met.elapsed, met.breached) == (
        Metric.RESOLUTION,
        timedelta(hours=6, minutes=30),
        False,
    )
    # The whole story: no breach anywhere, and the desk kept its contract.
    assert_no_breach(day.events + monday.events)
    assert of(SlaBreached, day.events + monday.events) == []
    check_invariants(monday.desk)
    reopened = monday.do("10:00", "reopen", "t6")
    assert of(TicketReopened, reopened)[0].last_agent == "budi"


@pytest.mark.parametrize(
    ("kwargs", "path", "message"),
    [
        ({"tiers": 5}, "tiers", "expected a collection of Tier values, got 5"),
        ({"queues": "vip"}, "queues", "expected a collection of QueueSpec values, got 'vip'"),
        ({"sla_policies": None}, "sla_policies", "of SlaPolicy values, got None"),
        ({"teams": 3.5}, "teams", "expected a collection of TeamSpec values, got 3.5"),
        ({"strategies": 7}, "strategies", "must be a sequence of strategies, got 7"),
        (
            {"routing_profiles": [RoutingProfile("desk", [QueueSlot("default", 1)])] * 2},
            "routing_profiles[1]",
            "routing profile 'desk' defined twice",
        ),
        ({"tiers": [Tier("gold", 2), "silver"]}, "tiers[1]", "expected a Tier, got 'silver'"),
    ],
)
def test_desk_config_refuses_malformed_collections_with_their_path(
    kwargs: dict[str, Any], path: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)) as exc:
        DeskConfig(**kwargs)
    assert exc.value.path == path
