"""A host that journals every command and replays the journal after a crash, with every kind
of command (the people commands and goodwill included), commands in any zone, and commands
the desk refuses:

- ``desk.apply(command_from_dict(row))`` -- the row through JSON -- does what the desk method
  does: the same events, or the same error;
- a refused command changes nothing (the snapshot is the one before);
- every event's row reads back to the same row;
- the desk restored from any snapshot taken on the way plus the journal rows after it
  (those :func:`needs_journal` asked for) is the original: the same snapshot, the same future.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.desk.commands import (
    COMMANDS,
    AddAgent,
    Command,
    Submit,
    UpdateAgent,
    command_from_dict,
    needs_journal,
)
from csflow.errors import CsflowError
from csflow.events import event_from_dict
from desks import office_desk_doc

CONFIG = DeskConfig.from_dict(
    office_desk_doc(
        goodwill={
            "currency": "IDR",
            "decimals": 0,
            "period": "day",
            "timezone": "Asia/Jakarta",
            "allowance": "50000",
            "default_per_ticket": "30000",
            "over_limit": "approval",
        },
        contacts={"window": "P1D"},
    )
)
START = datetime(2026, 11, 1, 5, 0, tzinfo=UTC)  # New York falls back an hour later
ZONES = [UTC, ZoneInfo("America/New_York"), ZoneInfo("Asia/Jakarta"), timezone(timedelta(hours=-3))]
PROFILES = [
    AgentProfile("sari", {"orders": 4}, ["id", "en"], {"chat": 2, "phone": 1}, ["front"]),
    AgentProfile("dewi", {}, ["id"], {"chat": 2, "email": 1}, ["finance"]),
    AgentProfile("budi", {}, ["id", "en"], {"chat": 1, "phone": 1}, ["technical"]),
]
TIERS = [Tier("gold", 3), Tier("regular", 1), Tier("platinum", 4)]
GAPS = [0, 0, 1, 30, 120, 600, 3600, 4 * 3600]
KINDS = [
    "submit", "submit", "reply", "reply", "resolve", "resolve", "customer_message",
    "set_status", "set_priority", "set_sla_policy", "transfer", "escalate", "request_callback",
    "requeue", "abandon", "reopen", "close", "forget", "advance", "record_feedback",
    "grant_goodwill", "answer_goodwill", "set_presence", "remove_agent", "add_agent",
]  # fmt: skip
STEP = st.tuples(
    st.sampled_from(KINDS),
    st.integers(0, 9),  # which ticket, which agent, which variant
    st.sampled_from(GAPS),
    st.sampled_from(ZONES),
    st.booleans(),  # the ticket's holder as the agent named
    st.integers(0, 9),  # a snapshot after this step when 0
)


def _cls(method: str) -> Any:
    return COMMANDS["".join(p.title() for p in method.split("_"))]


def _command(
    desk: Desk, step: tuple[Any, ...], n: int, requests: list[str], at: datetime
) -> Command:
    kind, k, _, zone, holder, _ = step
    at = at.astimezone(zone)
    tid = f"T{k % max(n, 1)}"
    agent = PROFILES[k % 3].id
    if holder and tid in desk.tickets() and desk.ticket(tid).agent_id is not None:
        agent = desk.ticket(tid).agent_id
    pick = ["available", "away", "offline", "busy"][k % 4]
    if kind == "submit":
        customer = Customer(f"c{k % 4}", TIERS[k % 3], "id")
        channel = ["chat", "phone", "email"][k % 3]
        category = "refund" if k % 4 == 0 else "general"
        return Submit(Ticket(f"T{n}", customer, channel, at, category=category), at=at)
    if kind == "add_agent":
        return AddAgent(PROFILES[k % 3], pick, at=at)
    if kind == "set_presence":
        return _cls(kind)(agent, pick, at=at)  # type: ignore[no-any-return]
    if kind == "remove_agent":
        return _cls(kind)(agent, at=at)  # type: ignore[no-any-return]
    if kind == "advance":
        return _cls(kind)(at=at)  # type: ignore[no-any-return]
    if kind == "answer_goodwill":
        rid = requests[k % len(requests)] if requests else f"{tid}/goodwill/1"
        return _cls("approve_goodwill" if k % 2 else "decline_goodwill")(rid, "boss", at=at)  # type: ignore[no-any-return]
    second: dict[str, Any] = {
        "reply": agent,
        "resolve": agent,
        "requeue": agent,
        "set_status": ["open", "pending", "on_hold"][k % 3],
        "set_priority": ["low", "normal", "high", "urgent"][k % 4],
        "set_sla_policy": ["vip", "standard"][k % 2],
        "transfer": ["sari", "dewi", "front", "finance"][k % 4],
        "escalate": ["technical", "finance", "front"][k % 3],
    }
    if kind == "record_feedback":
        return _cls(kind)(tid, k % 7, ["", "cepat 😀", "é\u0301"][k % 3], at=at)  # type: ignore[no-any-return]
    if kind == "grant_goodwill":
        return _cls(kind)(tid, agent, ["1000", "30000", "45000", "60000"][k % 4], "late", at=at)  # type: ignore[no-any-return]
    if kind in second:
        return _cls(kind)(tid, second[kind], at=at)  # type: ignore[no-any-return]
    return _cls(kind)(tid, at=at)  # type: ignore[no-any-return]


def _by_method(desk: Desk, c: Command) -> list[Any]:
    """The desk method the command names, called with its arguments."""
    if isinstance(c, AddAgent):
        return desk.add_agent(
            c.profile, at=c.at, presence=c.presence, routing_profile=c.routing_profile
        )
    if isinstance(c, UpdateAgent):
        return desk.update_agent(c.profile, at=c.at, routing_profile=c.routing_profile)
    if isinstance(c, Submit):
        return desk.submit(c.ticket, at=c.at)
    return getattr(desk, c.method)(*(getattr(c, a) for a in c.args), at=c.at)  # type: ignore[no-any-return]


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value, allow_nan=False))


def _outcome(run: Any) -> list[dict[str, Any]] | str:
    try:
        return [e.to_dict() for e in run()]
    except CsflowError as exc:
        return type(exc).__name__


@settings(max_examples=10, deadline=None)
@given(steps=st.lists(STEP, min_size=10, max_size=40))
def test_a_journal_replayed_on_any_snapshot_is_the_desk(steps: list[tuple[Any, ...]]) -> None:
    desk, twin = Desk(CONFIG), Desk(CONFIG)
    at, n = START, 0
    requests: list[str] = []
    journal: list[Any] = []
    snapshots: list[tuple[Any, int]] = [(_json(Desk(CONFIG).snapshot()), 0)]
    for p in PROFILES:
        add = AddAgent(p, "available", at=at)
        desk.apply(add)
        twin.apply(add)
        journal.append(_json(add.to_dict()))
    for step in steps:
        at += timedelta(seconds=step[2])
        command = _command(desk, step, n, requests, at)
        row = _json(command.to_dict())
        assert command_from_dict(row) == command
        journal_it = needs_journal(desk, command)
        before = json.dumps(desk.snapshot(), sort_keys=True)
        got = _outcome(lambda: desk.apply(command_from_dict(row)))  # noqa: B023
        assert got == _outcome(lambda: _by_method(twin, command))  # noqa: B023
        if isinstance(got, str):
            assert json.dumps(desk.snapshot(), sort_keys=True) == before, got
            continue
        n += isinstance(command, Submit)
        for event in got:
            assert event_from_dict(_json(event)).to_dict() == event
            if event["type"] == "GoodwillRequested":
                requests.append(event["request_id"])
        if journal_it:
            journal.append(row)
        if step[5] == 0:
            snapshots.append((_json(desk.snapshot()), len(journal)))
    final = desk.snapshot()
    later = at + timedelta(days=2)
    restored = [Desk.restore(CONFIG, snap, journal=journal[k:]) for snap, k in snapshots]
    future = [e.to_dict() for e in desk.advance(at=later)]
    for again in restored:
        assert again.snapshot() == final
        assert [e.to_dict() for e in again.advance(at=later)] == future
