"""A queue's state does not depend on how far its delay views were advanced lazily.

Delay views are advanced by the peeks that ask them (a router looking at a queue it pulls from
with a delay).  Whether a peek ran changes nothing observable (every peek and refresh advance
first), so ``to_state(at)`` must not show it either: a desk and its restored copy, whose agents
happen to peek differently, must write the same snapshot.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.model import Customer, Ticket, Tier
from csflow.queues import Signature, TicketQueue

T0 = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
SIGS = [Signature("chat", "id"), Signature("email", "id")]
DELAY = timedelta(seconds=60)

steps = st.lists(
    st.tuples(
        st.sampled_from(["push", "remove", "peek", "pop"]),
        st.integers(0, 90),  # seconds since the last step
        st.integers(0, 1),  # which signature
        st.integers(0, 30),  # which ticket (remove)
    ),
    max_size=40,
)


def _ticket(n: int, at: datetime) -> Ticket:
    return Ticket(f"t{n}", Customer(f"c{n}", Tier("gold", 1), language="id"), "chat", at)


@settings(max_examples=200)
@given(steps)
def test_peeks_leave_no_trace_in_the_state(program: list[tuple[str, int, int, int]]) -> None:
    peeked, plain = TicketQueue("front"), TicketQueue("front")
    for q in (peeked, plain):
        q.watch(DELAY)
    at, n = T0, 0
    for op, dt, s, k in program:
        at += timedelta(seconds=dt)
        if op == "push":
            for q in (peeked, plain):
                q.push(_ticket(n, at), at=at, signature=SIGS[s])
            n += 1
        elif op == "remove" and f"t{k}" in plain:
            for q in (peeked, plain):
                q.remove(f"t{k}")
        elif op == "peek":
            peeked.peek([SIGS[s]], waited=DELAY, at=at)  # only one of the two looks
        elif op == "pop":
            a = peeked.pop([SIGS[s]], waited=DELAY, at=at)
            b = plain.pop([SIGS[s]], waited=DELAY, at=at)
            assert (a and a.ticket_id) == (b and b.ticket_id)
        assert peeked.to_state(at) == plain.to_state(at)
    assert peeked.refresh(at) == plain.refresh(at)
    assert peeked.to_state(at) == plain.to_state(at)
