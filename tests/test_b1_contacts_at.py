"""``Desk.contacts(customer, at=...)`` answers the same from a desk and from its restore.

The desk remembers contacts for one ``contacts`` window back from its own instant (it forgets
older ones at any contact, and a snapshot does not keep them).  Asked about an earlier
instant, it counts the contacts within the window up to that instant that it still
remembers: those within the window at its own instant too.  Checked against that rule
written out plainly, for a desk and for the desk restored from its JSON snapshot.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Ticket, Tier
from csflow.desk import Desk, DeskConfig
from csflow.desk.contacts import ContactSummary

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WINDOW = timedelta(hours=6)
GOLD = Tier("gold")


def _hours(h: float) -> datetime:
    return T0 + timedelta(hours=h)


def _desk() -> Desk:
    desk = Desk(DeskConfig.from_dict({"contacts": {"window": "PT6H"}}))
    desk.add_agent(AgentProfile("a", capacity={"chat": 99}), at=T0, presence="available")
    return desk


def _restored(desk: Desk) -> Desk:
    return Desk.restore(desk.config, json.loads(json.dumps(desk.snapshot())))


def test_an_earlier_instant_counts_what_a_restored_desk_counts() -> None:
    """By hand: the customer wrote at 09:00 and 10:00; the desk is at 15:30.  Asked about
    14:00, both were within the six-hour window then, but the 09:00 contact left the window
    at 15:00, before the desk's instant: the desk does not keep it (its snapshot holds only
    10:00), so the answer is one contact, the last at 10:00 -- from the desk and from its
    restore alike (the desk said two, its restore one)."""
    desk = _desk()
    c = Customer("c", GOLD)
    desk.submit(Ticket("A", c, "chat", _hours(0)), at=_hours(0))
    desk.submit(Ticket("B", c, "chat", _hours(1)), at=_hours(1))
    desk.advance(at=_hours(6.5))
    expected = ContactSummary(1, _hours(1), "a", 2)
    assert desk.contacts("c", at=_hours(5)) == expected
    assert _restored(desk).contacts("c", at=_hours(5)) == expected
    # At 10:30 both contacts are still within the window, the desk at 10:30 too: two.
    early = _desk()
    early.submit(Ticket("A", c, "chat", _hours(0)), at=_hours(0))
    early.submit(Ticket("B", c, "chat", _hours(1)), at=_hours(1))
    early.advance(at=_hours(1.5))
    assert early.contacts("c", at=_hours(1.5)) == ContactSummary(2, _hours(1), "a", 2)
    # Asked about 09:30, the 10:00 contact had not come yet: one, the last at 09:00.
    assert early.contacts("c", at=_hours(0.5)) == ContactSummary(1, _hours(0), "a", 2)
    assert _restored(early).contacts("c", at=_hours(0.5)) == ContactSummary(1, _hours(0), "a", 2)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    contacts=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 300)), min_size=1, max_size=12),
    tail=st.integers(0, 600),
    queries=st.lists(st.integers(-60, 2000), min_size=1, max_size=6),
)
def test_contacts_at_any_instant_follow_the_rule_and_survive_a_restore(
    contacts: list[tuple[int, int]], tail: int, queries: list[int]
) -> None:
    desk = _desk()
    when = T0
    made: dict[str, list[datetime]] = {}
    for i, (who, gap) in enumerate(contacts):
        when += timedelta(minutes=gap)
        cid = f"c{who}"
        desk.submit(Ticket(f"t{i}", Customer(cid, GOLD), "chat", when), at=when)
        made.setdefault(cid, []).append(when)
    now = when + timedelta(minutes=tail)
    desk.advance(at=now)
    restored = _restored(desk)
    for minutes in queries:
        at = T0 + timedelta(minutes=minutes)
        for cid in ("c0", "c1", "c2"):
            # The rule: within the window up to ``at``, and within it at the desk's instant.
            horizon = max(at, now) - WINDOW
            seen = [x for x in made.get(cid, []) if horizon < x <= at]
            got = desk.contacts(cid, at=at)
            assert got is not None
            assert (got.count, got.last_contact_at) == (len(seen), seen[-1] if seen else None)
            assert restored.contacts(cid, at=at) == got
