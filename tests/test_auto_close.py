"""Solved tickets close on their own: ``DeskConfig.close_solved_after``.

A desk worked by hand (a four-day window, as helpdesks set it by default), a random program
against a reference written from the docs (the close falls exactly the window after the last
resolution, unless a reopening or a close by hand comes first; snapshots and restores in the
middle change nothing), and the restore rules: under a config that closes nothing the timers
go, under one that starts closing a solved ticket waits the window from the snapshot's instant,
and a timer its ticket contradicts is refused.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Ticket, Tier
from csflow.desk import Desk, DeskConfig
from csflow.desk.fingerprint import config_fingerprint
from csflow.errors import ConfigError, InvalidTransitionError
from csflow.events import Event, TicketClosed

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday
FOUR_DAYS = timedelta(days=4)
GOLD = Tier("gold", 3)


def _desk(after: timedelta | None = FOUR_DAYS, agents: int = 1) -> Desk:
    desk = Desk(DeskConfig(close_solved_after=after))
    for i in range(agents):
        desk.add_agent(AgentProfile(f"a{i}", capacity={"chat": 9}), at=T0)
        desk.set_presence(f"a{i}", "available", at=T0)
    return desk


def _submit(desk: Desk, tid: str, at: datetime) -> str:
    events = desk.submit(Ticket(tid, Customer(f"c-{tid}", GOLD), "chat", at), at=at)
    agent = desk.ticket(tid).agent_id
    assert agent is not None, events
    return agent


def _closes(events: list[Event]) -> list[tuple[str, datetime]]:
    return [(e.ticket_id, e.at) for e in events if isinstance(e, TicketClosed)]


def test_a_solved_ticket_closes_four_days_later_unless_reopened_first() -> None:
    desk = _desk()
    a = _submit(desk, "t1", T0)
    _submit(desk, "t2", T0)
    desk.resolve("t1", a, at=T0 + timedelta(hours=1))  # Monday 11:00
    desk.resolve("t2", a, at=T0 + timedelta(hours=2))  # Monday 12:00
    assert desk.next_wakeup() == datetime(2026, 3, 6, 11, 0, tzinfo=UTC)  # Friday 11:00
    # Thursday: the customer of t2 writes back; it reopens, is solved again at 15:00.
    thursday = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)
    desk.reopen("t2", at=thursday)
    desk.resolve("t2", a, at=thursday + timedelta(hours=1))
    # An advance well past both: t1 closes Friday 11:00, t2 Monday 15:00 -- not Friday 12:00.
    events = desk.advance(at=datetime(2026, 3, 10, tzinfo=UTC))
    assert _closes(events) == [
        ("t1", datetime(2026, 3, 6, 11, 0, tzinfo=UTC)),
        ("t2", datetime(2026, 3, 9, 15, 0, tzinfo=UTC)),
    ]
    assert desk.ticket("t1").state == "closed"
    assert desk.ticket("t2").state == "closed"
    assert desk.next_wakeup() is None
    # Closed: nothing reopens it, and the desk may forget it.
    with pytest.raises(InvalidTransitionError):
        desk.reopen("t1", at=datetime(2026, 3, 10, tzinfo=UTC))
    desk.forget("t1", at=datetime(2026, 3, 10, tzinfo=UTC))


def test_a_close_by_hand_first_leaves_no_timer() -> None:
    desk = _desk()
    a = _submit(desk, "t1", T0)
    desk.resolve("t1", a, at=T0)
    desk.close("t1", at=T0 + timedelta(days=1))
    assert desk.next_wakeup() is None
    assert _closes(desk.advance(at=T0 + timedelta(days=9))) == []


def test_a_reopen_after_the_close_is_refused_even_before_an_advance() -> None:
    desk = _desk()
    a = _submit(desk, "t1", T0)
    desk.resolve("t1", a, at=T0)
    before = json.dumps(desk.snapshot(), sort_keys=True)
    late = T0 + FOUR_DAYS + timedelta(seconds=1)
    with pytest.raises(InvalidTransitionError, match="close_solved_after") as info:
        desk.reopen("t1", at=late)
    assert "closed" in str(info.value)
    with pytest.raises(InvalidTransitionError, match="close_solved_after"):
        desk.close("t1", at=late)
    # Refused: nothing changed, and the close still fires at its own instant.
    assert json.dumps(desk.snapshot(), sort_keys=True) == before
    assert _closes(desk.advance(at=late)) == [("t1", T0 + FOUR_DAYS)]


def test_a_reopen_at_the_close_instant_itself_still_reopens() -> None:
    desk = _desk()
    a = _submit(desk, "t1", T0)
    desk.resolve("t1", a, at=T0)
    events = desk.reopen("t1", at=T0 + FOUR_DAYS)  # (a command at a due instant comes first)
    assert _closes(events) == []
    assert _closes(desk.advance(at=T0 + 2 * FOUR_DAYS)) == []
    assert desk.ticket("t1").state != "closed"


# -- a random program against the reference ------------------------------------------------------

_STEPS = st.lists(
    st.tuples(
        st.sampled_from(["submit", "resolve", "reopen", "close", "advance", "restore"]),
        st.integers(0, 3),  # which ticket
        st.integers(0, 50),  # minutes on
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(_STEPS, st.integers(10, 120))
def test_closes_fall_where_the_reference_says(steps: list[tuple[str, int, int]], w: int) -> None:
    after = timedelta(minutes=w)
    config = DeskConfig(close_solved_after=after)
    desk = _desk(after, agents=2)
    now = T0
    states: dict[str, str] = {}
    solved_at: dict[str, datetime] = {}  # the reference: the close due of each solved ticket
    seen: list[tuple[str, datetime]] = []
    want: list[tuple[str, datetime]] = []

    def fire_reference(upto: datetime, strict: bool) -> None:
        # What the reference closes up to *upto* (strictly before it, for a command's catch-up).
        for tid, since in sorted(solved_at.items(), key=lambda kv: (kv[1], kv[0])):
            due = since + after
            if due < upto or (not strict and due == upto):
                want.append((tid, due))
                states[tid] = "closed"
                del solved_at[tid]

    for op, k, minutes in steps:
        now += timedelta(minutes=minutes)
        tid = f"t{k}"
        state = states.get(tid)
        if op == "advance":
            fire_reference(now, strict=False)
            seen.extend(_closes(desk.advance(at=now)))
            continue
        if op == "restore":
            fire_reference(now, strict=False)
            seen.extend(_closes(desk.advance(at=now)))
            desk = Desk.restore(config, json.loads(json.dumps(desk.snapshot())))
            continue
        # A command on one ticket: its own overdue close comes first (a refusal changes
        # nothing, and the close fires at the next advance).
        overdue = tid in solved_at and solved_at[tid] + after < now
        if op == "submit" and state is None:
            seen.extend(_closes(desk.submit(Ticket(tid, Customer("c", GOLD), "chat", now), at=now)))
            states[tid] = "open"
        elif op == "resolve" and state == "open" and desk.ticket(tid).state == "assigned":
            agent = desk.ticket(tid).agent_id
            assert agent is not None
            seen.extend(_closes(desk.resolve(tid, agent, at=now)))
            states[tid] = "solved"
            solved_at[tid] = now
        elif op in ("reopen", "close") and state == "solved":
            if overdue:
                with pytest.raises(InvalidTransitionError, match="close_solved_after"):
                    getattr(desk, op)(tid, at=now)
                continue
            seen.extend(_closes(getattr(desk, op)(tid, at=now)))
            del solved_at[tid]
            states[tid] = "open" if op == "reopen" else "closed"
        else:
            continue
        # (Other tickets' overdue closes fire at the next advance, at their own instants.)
    end = now + after + timedelta(minutes=1)
    fire_reference(end, strict=False)
    seen.extend(_closes(desk.advance(at=end)))
    assert sorted(seen) == sorted(want)
    assert "solved" not in states.values()  # every window has run out by *end*
    for tid, state in states.items():
        assert desk.ticket(tid).state in (("closed",) if state == "closed" else ("assigned",))
    assert desk.next_wakeup() is None


# -- config and restore -------------------------------------------------------------------------


def test_the_config_takes_a_positive_duration_and_writes_it() -> None:
    config = DeskConfig.from_dict({"close_solved_after": "P4D"})
    assert config.close_solved_after == FOUR_DAYS
    assert config.to_dict()["close_solved_after"] == "PT96H"
    assert DeskConfig.from_dict(config.to_dict()) == config
    assert DeskConfig.from_dict({}).close_solved_after is None
    for bad in ("PT0S", "-P1D", "soon", [1]):
        with pytest.raises(ConfigError) as info:
            DeskConfig.from_dict({"close_solved_after": bad})
        assert info.value.path == "close_solved_after"
    for value in (timedelta(0), timedelta(seconds=-1), 3600):
        with pytest.raises(ConfigError, match="close_solved_after"):
            DeskConfig(close_solved_after=value)  # type: ignore[arg-type]


def test_a_config_without_it_keeps_its_fingerprint() -> None:
    parts = config_fingerprint(DeskConfig())["parts"]
    assert "close_solved_after" not in parts
    with_it = config_fingerprint(DeskConfig(close_solved_after=FOUR_DAYS))
    assert with_it["parts"]["close_solved_after"] != parts.get("survey_delay")
    assert with_it["hash"] != config_fingerprint(DeskConfig())["hash"]


def _us(at: datetime) -> int:
    return int(at.timestamp()) * 10**6


def _solved_snapshot(after: timedelta | None) -> dict[str, Any]:
    desk = _desk(after)
    a = _submit(desk, "t1", T0)
    desk.resolve("t1", a, at=T0 + timedelta(hours=1))
    desk.set_presence(a, "available", at=T0 + timedelta(hours=3))  # the snapshot's instant
    return desk.snapshot()


def test_a_snapshot_without_closes_writes_what_it_did() -> None:
    assert set(_solved_snapshot(None)["state"]["timers"]) == {"sla", "surveys"}
    timers = _solved_snapshot(FOUR_DAYS)["state"]["timers"]
    due = T0 + timedelta(hours=1) + FOUR_DAYS
    assert timers["closes"] == [[int(due.timestamp()) * 10**6, "t1"]]


def test_restores_follow_the_config_they_are_restored_under() -> None:
    # Same config: the close is where it was.
    desk = Desk.restore(DeskConfig(close_solved_after=FOUR_DAYS), _solved_snapshot(FOUR_DAYS))
    assert desk.next_wakeup() == T0 + timedelta(hours=1) + FOUR_DAYS
    # A config that closes nothing: the timer goes.
    desk = Desk.restore(DeskConfig(), _solved_snapshot(FOUR_DAYS), on_config_change=[])
    assert desk.next_wakeup() is None
    assert _closes(desk.advance(at=T0 + 3 * FOUR_DAYS)) == []
    # A config that starts closing: the ticket waits the window from the snapshot's instant.
    one_day = timedelta(days=1)
    desk = Desk.restore(
        DeskConfig(close_solved_after=one_day), _solved_snapshot(None), on_config_change=[]
    )
    assert _closes(desk.advance(at=T0 + FOUR_DAYS)) == [("t1", T0 + timedelta(hours=3) + one_day)]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.__setitem__("closes", [[t["closes"][0][0], "nobody"]]), "unknown ticket"),
        (lambda t: t.__setitem__("closes", t["closes"] * 2), "twice"),
        (lambda t: t.__setitem__("closes", [[_us(T0) - 1, "t1"]]), "before ticket"),
        (lambda t: t.__setitem__("closes", [[_us(T0) + 1, "t1"]]), "before ticket 't1' was res"),
        (lambda t: t.__setitem__("closes", [["soon", "t1"]]), "due_us"),
        (lambda t: t.__setitem__("closes", {}), "expected a list"),
        (lambda t: t.__setitem__("other", []), "maybe 'closes'"),
    ],
)
def test_a_tampered_close_timer_is_refused(edit: Any, message: str) -> None:
    snap = _solved_snapshot(FOUR_DAYS)
    edit(snap["state"]["timers"])
    with pytest.raises(ConfigError, match=message) as info:
        Desk.restore(DeskConfig(close_solved_after=FOUR_DAYS), snap)
    assert info.value.path.startswith("snapshot.state.timers")


def test_a_close_timer_of_a_ticket_that_is_not_solved_is_refused() -> None:
    desk = _desk()
    a = _submit(desk, "t1", T0)
    _submit(desk, "t2", T0)
    desk.resolve("t1", a, at=T0)
    snap = desk.snapshot()
    snap["state"]["timers"]["closes"] = [[snap["state"]["timers"]["closes"][0][0], "t2"]]
    with pytest.raises(ConfigError, match="only a solved ticket waits to close") as info:
        Desk.restore(DeskConfig(close_solved_after=FOUR_DAYS), snap)
    assert info.value.path == "snapshot.state.timers.closes[0]"


def test_a_tampered_close_timer_is_refused_even_where_it_would_be_dropped() -> None:
    snap = _solved_snapshot(FOUR_DAYS)
    snap["state"]["timers"]["closes"] = [[_us(T0) - 1, "t1"]]
    with pytest.raises(ConfigError, match="before ticket"):
        Desk.restore(DeskConfig(), snap, on_config_change=[])
