"""The router's fast paths agree with the rules they shortcut.

* The pool updates the channels an agent can take (``can_take``) incrementally when it
  assigns or releases one ticket; after any sequence of commands they must equal what
  :class:`~csflow.routing.CapacityRules` says from the agent's status alone.
* :meth:`TicketQueue.take` (the router's removal of a head it just read) leaves the queue as
  :meth:`TicketQueue.remove` does.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.model import AgentProfile, Channel, Customer, Ticket, Tier
from csflow.queues import Signature, TicketQueue
from csflow.routing import AgentPool, AgentStatus, CapacityRules, Router

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CHANNELS = ["chat", "email", "phone"]
ANYONE = Customer("c1", Tier("regular", 0))


def may_take(status: AgentStatus, rules: CapacityRules, channel: str) -> bool:
    """Whether an agent may take one more *channel* ticket, by the documented rules."""
    caps = {}
    for c, n in status.profile.capacity.items():
        m = min(n, rules.limits[c]) if c in rules.limits else n
        if m > 0:
            caps[c] = m
    held = sum(status.counts.values())
    if not status.routable or channel not in caps:
        return False
    if any(n and c in rules.exclusive for c, n in status.counts.items()):
        return False
    if held and channel in rules.exclusive:
        return False
    if status.counts.get(channel, 0) >= caps[channel]:
        return False
    return rules.budget is None or status.load + rules.weight(channel) <= rules.budget


capacities: st.SearchStrategy[dict[Channel | str, int]] = st.fixed_dictionaries(
    {"chat": st.integers(0, 3), "email": st.integers(0, 2), "phone": st.integers(0, 1)}
)
rules = st.sampled_from(
    [
        CapacityRules(),
        CapacityRules(exclusive=frozenset()),
        CapacityRules(weights={"email": 2}, budget=3),
        CapacityRules(limits={"chat": 2}, budget=4),
    ]
)
# ("submit", channel) | ("release", agent index, which held ticket) | ("presence", agent, on)
commands = st.lists(
    st.one_of(
        st.tuples(st.just("submit"), st.sampled_from(CHANNELS)),
        st.tuples(st.just("release"), st.integers(0, 2), st.integers(0, 5)),
        st.tuples(st.just("presence"), st.integers(0, 2), st.booleans()),
    ),
    max_size=40,
)


@settings(max_examples=60)
@given(st.lists(capacities, min_size=1, max_size=3), rules, commands)
def test_takeable_channels_follow_the_capacity_rules(
    caps: list[dict[Channel | str, int]],
    capacity: CapacityRules,
    script: list[tuple[object, ...]],
) -> None:
    router = Router([TicketQueue("main")], pool=AgentPool(capacity))
    ids = [f"a{i}" for i in range(len(caps))]
    for aid, cap in zip(ids, caps, strict=True):
        router.add_agent(AgentProfile(aid, {}, ("id",), cap), at=T0, presence="available")
    at = T0
    for n, command in enumerate(script):
        at += timedelta(seconds=1)
        if command[0] == "submit":
            router.submit(Ticket(f"t{n}", ANYONE, str(command[1]), T0), at=at)
        elif command[0] == "release":
            aid = ids[int(str(command[1])) % len(ids)]
            held = router.pool.status(aid).held
            if held:
                router.release(aid, held[int(str(command[2])) % len(held)], at=at)
        else:
            aid = ids[int(str(command[1])) % len(ids)]
            router.set_presence(aid, "available" if command[2] else "away", at=at)
        for aid in ids:
            status = router.pool.status(aid)
            for c in CHANNELS:
                assert router.pool.can_take(aid, c) == may_take(status, capacity, c), (aid, c)


SIGS = [Signature("chat"), Signature("chat", "id"), Signature("email")]


@settings(max_examples=60)
@given(
    st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 3), st.integers(0, 50)), min_size=1, max_size=30
    ),
    st.lists(st.integers(0, 2), max_size=30),
)
def test_take_leaves_the_queue_as_remove_does(
    pushes: list[tuple[int, int, int]], takes: list[int]
) -> None:
    taken, removed = TicketQueue("a"), TicketQueue("b")
    for q in (taken, removed):
        for i, (g, band, due) in enumerate(pushes):
            q.push_key(f"t{i}", band=band, due=due, at=0, signature=SIGS[g])
    for g in takes:
        head = taken.head_of({SIGS[g]: None})
        assert head == removed.head_of({SIGS[g]: None})
        if head is None:
            continue
        taken.take(head)
        removed.remove(head.ticket_id)
        assert list(taken) == list(removed)
        assert [taken.group_size(s) for s in SIGS] == [removed.group_size(s) for s in SIGS]
    assert list(taken) == list(removed)
    while (head := taken.pop()) is not None:
        assert head == removed.pop()
    assert removed.pop() is None
