"""A queue's state does not depend on how far its delay views' horizons were advanced.

Delay views are advanced lazily, by the peeks that ask them (a router looking at a queue it
pulls from with a delay); every peek and refresh first brings the horizon up to its instant,
so a peek that shows nothing new changes nothing observable, and ``to_state(at)`` must not
show it either: a desk and its restored copy, whose agents happen to peek differently, must
write the same snapshot.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from csflow.model import Customer, Ticket, Tier
from csflow.queues import Signature, TicketQueue

T0 = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
SIG = Signature("chat", "id")
DELAY = timedelta(seconds=60)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _ticket(n: int, at: datetime) -> Ticket:
    return Ticket(f"t{n}", Customer(f"c{n}", Tier("gold", 1), language="id"), "chat", at)


@given(
    joins=st.lists(st.integers(0, 600), min_size=1, max_size=8),
    peek=st.integers(0, 600),
)
def test_a_peek_that_shows_nothing_new_leaves_no_trace(joins: list[int], peek: int) -> None:
    peeked, plain = TicketQueue("front"), TicketQueue("front")
    last = T0
    for n, s in enumerate(sorted(joins)):
        last = T0 + timedelta(seconds=s)
        for q in (peeked, plain):
            q.watch(DELAY)
            q.push(_ticket(n, last), at=last, signature=SIG)
    # Both views are advanced to the last join; then only one of them looks again, later,
    # at an instant before anything more crosses the delay.
    for q in (peeked, plain):
        q.refresh(last)
    crossing = plain.next_visible_at()
    at = last + timedelta(seconds=peek)
    if crossing is not None and at >= EPOCH + timedelta(microseconds=crossing):
        at = last  # a peek at the crossing would show something new
    peeked.peek([SIG], waited=DELAY, at=at)
    assert peeked.next_visible_at() == plain.next_visible_at()
    assert peeked.to_state(at) == plain.to_state(at)
    assert peeked.to_state(at)["views"][0][1] is not None
