"""A state snapshot with an open ticket's SLA clock removed, or with a ticket history holding
an event no desk writes there, is refused with a ``ConfigError`` at its path.

The persisting guide promises that a tampered or truncated snapshot -- a field removed, an
event in a ticket's history with a value no desk writes -- raises ``ConfigError`` with the
path to the bad value, and that a restored desk behaves exactly as the one that was saved.
A snapshot whose open ticket had lost its resolution (or first-response) clock restored
without a word, and the restored desk never warned of nor breached that deadline; a history
event naming another ticket, or dated after the snapshot's instant (later events of the
ticket then come before it), was read back as it was written.

The property: whatever a random day did, removing any clock of an open ticket is refused or
changes nothing the desk does from then on (the same events, from the same later commands,
as the desk restored from the untampered snapshot).
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import ConfigError, Desk, DeskConfig
from csflow.errors import CsflowError
from csflow.model import AgentProfile, Customer, Ticket, Tier
from desks import office_desk_doc

WIB = timezone(timedelta(hours=7), "WIB")
T0 = datetime(2026, 3, 2, 8, 30, tzinfo=WIB)  # a Monday, half an hour into office hours

# The standard policy sets a resolution target for urgent and high tickets only (and a
# periodic update), the VIP one a first-response target for urgent and normal ones only:
# whether a clock belongs to a ticket depends on its priority.
_DOC = office_desk_doc()
_DOC["sla_policies"][1]["targets"]["resolution"] = {"urgent": "PT8H", "high": "PT16H"}
_DOC["sla_policies"][0]["targets"]["first_response"] = {"urgent": "PT2M", "normal": "PT5M"}
_DOC["sla_policies"][1]["targets"]["periodic_update"] = "PT3H"
CONFIG = DeskConfig.from_dict(_DOC)

TIERS = {"platinum": 4, "gold": 3, "silver": 2, "regular": 1}
TICKETS = ("T0", "T1", "T2", "T3")
OPS = (
    "reply",
    "message",
    "resolve",
    "reopen",
    "pending",
    "on_hold",
    "open",
    "urgent",
    "high",
    "normal",
    "low",
    "policy_vip",
    "policy_standard",
    "wait",
)
STEPS = st.lists(
    st.tuples(st.sampled_from(OPS), st.sampled_from(TICKETS), st.sampled_from([0, 1, 7, 45])),
    max_size=14,
)
OPEN = {"queued", "assigned", "pending", "on_hold"}


def _apply(desk: Desk, op: str, tid: str, at: datetime) -> None:
    if op == "reply":
        desk.reply(tid, "sari", at=at)
    elif op == "message":
        desk.customer_message(tid, at=at)
    elif op == "resolve":
        desk.resolve(tid, "sari", at=at)
    elif op == "reopen":
        desk.reopen(tid, at=at)
    elif op in ("pending", "on_hold", "open"):
        desk.set_status(tid, op, at=at)
    elif op.startswith("policy_"):
        desk.set_sla_policy(tid, op.removeprefix("policy_"), at=at)
    elif op != "wait":
        desk.set_priority(tid, op, at=at)


def day(steps: list[tuple[str, str, int]], tiers: list[str]) -> tuple[Desk, datetime]:
    """A desk with one agent who takes the four tickets, after *steps* (refused ones change
    nothing and are passed over)."""
    desk = Desk(CONFIG)
    profile = AgentProfile("sari", {"orders": 3}, ["id"], {"chat": 4}, ["front"])
    desk.add_agent(profile, at=T0, presence="available", routing_profile="front")
    for tid, tier in zip(TICKETS, tiers, strict=True):
        customer = Customer(f"c-{tid}", Tier(tier, TIERS[tier]), "id")
        desk.submit(Ticket(tid, customer, "chat", T0), at=T0)
    t = T0
    for op, tid, minutes in steps:
        t += timedelta(minutes=minutes)
        desk.advance(at=t)
        try:
            _apply(desk, op, tid, t)
        except CsflowError:
            continue
    return desk, t


def future(desk: Desk, at: datetime) -> list[dict[str, Any]]:
    """What *desk* does from *at* on: time passes over every deadline, each ticket is
    answered, written to, answered again and resolved, then reopened a week later."""
    out = [e.to_dict() for e in desk.advance(at=at)]
    later = at + timedelta(days=3)
    for tid in TICKETS:
        for op in ("reply", "message", "reply", "resolve"):
            later += timedelta(hours=1)
            out += [e.to_dict() for e in desk.advance(at=later)]
            try:
                _apply(desk, op, tid, later)
            except CsflowError as exc:
                out.append({"refused": type(exc).__name__})
    out += [e.to_dict() for e in desk.advance(at=later + timedelta(days=7))]
    for tid in TICKETS:
        try:
            desk.reopen(tid, at=later + timedelta(days=7))
        except CsflowError as exc:
            out.append({"refused": type(exc).__name__})
    out += [e.to_dict() for e in desk.advance(at=later + timedelta(days=9))]
    return out


@settings(max_examples=40, deadline=None)
@given(STEPS, st.lists(st.sampled_from(sorted(TIERS)), min_size=4, max_size=4))
def test_an_open_tickets_clock_removed_is_refused_or_changes_nothing(
    steps: list[tuple[str, str, int]], tiers: list[str]
) -> None:
    desk, t = day(steps, tiers)
    snap = json.loads(json.dumps(desk.snapshot()))
    expected = future(Desk.restore(CONFIG, copy.deepcopy(snap)), t)
    for i, record in enumerate(snap["state"]["tickets"]):
        if record["state"] not in OPEN or record["sla"] is None:
            continue
        for metric in record["sla"]["clocks"]:
            tampered = copy.deepcopy(snap)
            del tampered["state"]["tickets"][i]["sla"]["clocks"][metric]
            try:
                restored = Desk.restore(CONFIG, tampered)
            except ConfigError as exc:
                refused_at = exc.path
            else:
                assert future(restored, t) == expected, (record["ticket"]["id"], metric)
                continue
            assert refused_at == f"snapshot.state.tickets[{i}].sla.clocks.{metric}"


def _saved() -> tuple[dict[str, Any], datetime]:
    desk, t = day(
        [("reply", "T0", 1), ("urgent", "T1", 1), ("message", "T0", 2), ("reply", "T3", 1)],
        ["gold", "gold", "regular", "regular"],
    )
    return json.loads(json.dumps(desk.snapshot())), t


@pytest.mark.parametrize(
    ("i", "metric", "policy", "priority"),
    [
        (0, "next_response", "vip", "high"),  # answered, then the customer wrote again
        (1, "resolution", "vip", "urgent"),
        (2, "first_response", "standard", "normal"),  # not answered yet
        (3, "periodic_update", "standard", "normal"),  # answered: updates are due
    ],
)
def test_a_running_clock_removed_is_refused_at_its_path(
    i: int, metric: str, policy: str, priority: str
) -> None:
    snap, _ = _saved()
    record = snap["state"]["tickets"][i]
    assert record["state"] == "assigned"
    assert record["sla"]["clocks"][metric]["state"] == "running"
    assert Desk.restore(CONFIG, copy.deepcopy(snap)).clocks(f"T{i}")[metric].due_at is not None
    del record["sla"]["clocks"][metric]
    with pytest.raises(ConfigError) as caught:
        Desk.restore(CONFIG, snap)
    assert caught.value.path == f"snapshot.state.tickets[{i}].sla.clocks.{metric}"
    assert f"policy {policy!r}" in caught.value.detail
    assert f"priority {priority}" in caught.value.detail


@pytest.mark.parametrize("field", ["ticket_id", "at"])
def test_a_history_event_no_desk_writes_there_is_refused_at_its_path(field: str) -> None:
    snap, t = _saved()
    history = snap["state"]["tickets"][0]["history"]
    assert history
    assert all(e["ticket_id"] == "T0" for e in history)
    assert Desk.restore(CONFIG, copy.deepcopy(snap)).history("T0")  # untampered: restores
    j = len(history) - 1
    if field == "ticket_id":
        history[j]["ticket_id"] = "T1"  # an event of another ticket the desk keeps
    else:
        history[j]["at"] = (t + timedelta(seconds=1)).isoformat()  # after the snapshot
    with pytest.raises(ConfigError) as caught:
        Desk.restore(CONFIG, snap)
    assert caught.value.path == f"snapshot.state.tickets[0].history[{j}].{field}"


@settings(max_examples=25, deadline=None)
@given(STEPS, st.lists(st.sampled_from(sorted(TIERS)), min_size=4, max_size=4), st.data())
def test_any_history_event_moved_to_another_ticket_or_past_the_snapshot_is_refused(
    steps: list[tuple[str, str, int]], tiers: list[str], data: st.DataObject
) -> None:
    desk, t = day(steps, tiers)
    snap = json.loads(json.dumps(desk.snapshot()))
    i = data.draw(st.integers(0, len(snap["state"]["tickets"]) - 1))
    history = snap["state"]["tickets"][i]["history"]
    j = data.draw(st.integers(0, len(history) - 1))
    mine = snap["state"]["tickets"][i]["ticket"]["id"]
    if data.draw(st.booleans()):
        field = "ticket_id"
        history[j]["ticket_id"] = data.draw(st.sampled_from([x for x in TICKETS if x != mine]))
    else:
        field = "at"
        later = t + timedelta(microseconds=data.draw(st.integers(1, 10**12)))
        history[j]["at"] = later.isoformat()
    with pytest.raises(ConfigError) as caught:
        Desk.restore(CONFIG, snap)
    assert caught.value.path == f"snapshot.state.tickets[{i}].history[{j}].{field}"
