"""A solved ticket whose ``close_solved_after`` ran out before a snapshot's instant closed
then, also for a desk restored under a config that no longer closes solved tickets.

The desk refuses a ``reopen`` that comes after the window ran out, advanced or not (the
close happened at its own instant).  A config change accepted at a restore takes effect at
the snapshot's instant: a close due before it has happened already, so the restored desk
refuses the same ``reopen`` and its next ``advance`` returns the close at its instant; a
close due at the snapshot's instant or later is dropped (nothing closes on its own any
more).  Checked by hand and against that rule for random resolution instants.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Ticket, Tier
from csflow.desk import Desk, DeskConfig
from csflow.errors import InvalidTransitionError
from csflow.events import Event, TicketClosed

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
GOLD = Tier("gold")


def _at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _desk(tickets: int) -> Desk:
    desk = Desk(DeskConfig.from_dict({"close_solved_after": "PT1H"}))
    desk.add_agent(AgentProfile("a", capacity={"chat": 99}), at=T0, presence="available")
    for i in range(tickets):
        desk.submit(Ticket(f"t{i}", Customer(f"c{i}", GOLD), "chat", T0), at=T0)
    return desk


def _closes(events: list[Event]) -> list[tuple[str, datetime]]:
    return [(e.ticket_id, e.at) for e in events if isinstance(e, TicketClosed)]


def _without_closing(desk: Desk) -> Desk:
    changes: list[Event] = []
    snapshot = json.loads(json.dumps(desk.snapshot()))
    return Desk.restore(DeskConfig(), snapshot, on_config_change=changes)


def test_an_overdue_close_survives_a_config_that_stops_closing() -> None:
    """By hand: t0 solved at 10:00 (closes 11:00), t1 at 11:30 (closes 12:30); the desk is
    at 12:00, not advanced since.  Restored at 12:00 under a config without
    ``close_solved_after``: t0 closed at 11:00 (reopen refused, the next advance returns the
    close at 11:00); t1's close was still to come and is dropped: it reopens at 13:00."""
    desk = _desk(3)
    desk.resolve("t0", "a", at=_at(0))
    desk.resolve("t1", "a", at=_at(90))
    desk.reply("t2", "a", at=_at(120))  # the desk's instant: 12:00
    with pytest.raises(InvalidTransitionError, match="closed at 2026-03-02T11:00"):
        desk.reopen("t0", at=_at(120))
    restored = _without_closing(desk)
    assert restored.next_wakeup() == _at(60)
    with pytest.raises(InvalidTransitionError, match="closed at 2026-03-02T11:00"):
        restored.reopen("t0", at=_at(120))
    assert restored.ticket("t0").state == "solved"  # refused: nothing changed
    # Its own snapshot (under the new config) keeps the overdue close too.
    again = Desk.restore(restored.config, json.loads(json.dumps(restored.snapshot())))
    assert _closes(again.advance(at=_at(180))) == [("t0", _at(60))]
    assert _closes(restored.advance(at=_at(180))) == [("t0", _at(60))]
    assert restored.ticket("t0").state == "closed"
    assert restored.ticket("t1").state == "solved"
    restored.reopen("t1", at=_at(180))
    assert restored.next_wakeup() is None


@settings(max_examples=30, deadline=None, derandomize=True)
@given(
    resolved=st.lists(st.integers(0, 240), min_size=1, max_size=5),
    after=st.integers(0, 200),
)
def test_restored_without_closing_a_desk_keeps_the_closes_that_happened(
    resolved: list[int], after: int
) -> None:
    desk = _desk(len(resolved) + 1)
    for i, minutes in sorted(enumerate(resolved), key=lambda p: p[1]):
        desk.resolve(f"t{i}", "a", at=_at(minutes))
    snap_at = _at(max(resolved) + after)
    desk.reply(f"t{len(resolved)}", "a", at=snap_at)  # moves the desk on, no advance
    restored = _without_closing(desk)
    # The rule: closed at resolution + 1 h when that is before the snapshot's instant.
    closed = sorted((_at(m + 60), f"t{i}") for i, m in enumerate(resolved) if _at(m + 60) < snap_at)
    for i in range(len(resolved)):
        tid = f"t{i}"
        original = True
        try:
            desk.reopen(tid, at=snap_at)
        except InvalidTransitionError:
            original = False
        try:
            restored.reopen(tid, at=snap_at)
        except InvalidTransitionError:
            assert not original, f"{tid} reopened before the restore, not after"
            assert any(t == tid for _, t in closed)
        else:
            assert original, f"{tid} was closed before the restore, reopened after"
            assert all(t != tid for _, t in closed)
    events = restored.advance(at=snap_at + timedelta(days=1))
    assert _closes(events) == [(tid, when) for when, tid in closed]


def test_forget_names_the_close_an_advance_still_owes() -> None:
    """By hand: t0 solved at 10:00 closes at 11:00.  At 12:00, not advanced since, a forget
    is refused (its close is still to be returned), saying when it closed and that an
    advance comes first; it changes nothing.  After the advance, which returns the close at
    11:00, it is forgotten."""
    desk = _desk(1)
    desk.resolve("t0", "a", at=_at(0))
    before = desk.snapshot()
    with pytest.raises(InvalidTransitionError, match=r"closed at 2026-03-02T11:00.*advance"):
        desk.forget("t0", at=_at(120))
    assert desk.snapshot() == before
    # Before its window ran out, a solved ticket is refused as before, with no close named.
    with pytest.raises(InvalidTransitionError) as info:
        desk.forget("t0", at=_at(30))
    assert "closed at" not in str(info.value)
    assert _closes(desk.advance(at=_at(120))) == [("t0", _at(60))]
    assert desk.forget("t0", at=_at(120)) == []
    assert list(desk.tickets()) == []
