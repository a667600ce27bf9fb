"""The router's two hot decisions agree with the slow paths they shortcut.

* *An agent frees up*: :meth:`Router.release` looks for the agent's next ticket before it
  releases, and swaps a ticket for one on the same channel without touching the counters
  (:meth:`AgentPool.swap_unchecked`).  A second router that releases with ``pull=False`` and
  then calls :meth:`Router.pull` (release, publish, then look) must make the same
  assignments, with the same reasons, and end in the same state, command after command --
  under every built-in strategy chain, with load budgets and exclusive channels, and with
  instants that sometimes go back.
* *A ticket arrives*: the built-in key policies are asked for a waiting ticket's key only
  when it waits; a policy of the host's is asked first, so that a refusal changes nothing
  even when an agent could have taken the ticket.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.errors import ConfigError
from csflow.model import AgentProfile, Channel, Customer, Ticket, Tier
from csflow.queues import AgingKey, DeadlineKey, KeyContext, Signature, TicketQueue
from csflow.routing import (
    AgentPool,
    BestProficiency,
    CapacityRules,
    LongestIdle,
    MostSpareCapacity,
    QueueSlot,
    RoundRobin,
    Router,
    RoutingProfile,
    Strategy,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CHANNELS = ["chat", "email", "phone"]
TIERS = [Tier("gold", 2), Tier("regular", 0)]

CHAINS: list[tuple[Strategy, ...]] = [
    (LongestIdle(),),
    (RoundRobin(),),
    (LongestIdle(), RoundRobin()),
    (MostSpareCapacity(), LongestIdle()),
    (BestProficiency(), RoundRobin()),
]
RULES = [
    CapacityRules(),  # the phone is exclusive
    CapacityRules(exclusive=frozenset()),
    CapacityRules(exclusive=frozenset(), limits={"chat": 2}),
    CapacityRules(weights={"email": 2}, budget=3),
]
agents = st.lists(
    st.tuples(
        st.fixed_dictionaries(
            {"chat": st.integers(1, 3), "email": st.integers(0, 2), "phone": st.integers(0, 1)}
        ),
        st.sampled_from([3, 3, 1, 0]),  # orders proficiency
        st.sampled_from([("id", "en"), ("id", "en"), ("id",), ("en",)]),
    ),
    min_size=1,
    max_size=3,
)
# (what, a, b, c, d): what 0-3 submits a ticket (channel a, skill b, language c, tier d; only
# queued when d is a multiple of 5; in queue "side" when d % 3 is 1), 4-7
# releases (agent a, its held ticket b), 8 sets a presence (agent a, away if b is 3), 9 moves
# the clock by a - 30 seconds (so sometimes back): mostly submits and releases, so that
# tickets wait when agents free up.
commands = st.lists(
    st.tuples(
        st.integers(0, 9),
        st.integers(0, 4),
        st.integers(0, 3),
        st.integers(0, 3),
        st.integers(0, 90),
    ),
    min_size=10,
    max_size=60,
)
CHANNEL_OF = ["chat", "chat", "email", "email", "phone"]
SKILL_OF = [0, 0, 1, 3]
LANGUAGE_OF = [None, None, "id", "en"]


PROBES = [Signature(c) for c in CHANNELS] + [Signature("chat", "id", {"orders": 3})]


def _plain(router: Router, chain: tuple[Strategy, ...], scan: bool) -> dict[str, Any]:
    """Everything the router's state says, with each agent's counts in their order; and,
    when *scan*, a check that the pool's lazy heaps give the best agent a scan would (the
    heaps assume the clock never goes back: an assignment then only raises a key)."""
    pool = router.pool
    compiled = pool.chain(chain)
    for sig in PROBES if scan else ():
        ranked = sorted(
            (compiled.key(pool.records[aid], sig), pool.records[aid].order, aid)
            for aid in pool.candidates(sig)
        )
        assert pool.best(sig, chain) == (ranked[0][2] if ranked else None)
    state = router.to_state(lambda p: p.id)
    state["counts"] = {aid: list(router.pool.status(aid).counts.items()) for aid in router.pool}
    state["takeable"] = {
        aid: [router.pool.can_take(aid, c) for c in CHANNELS] for aid in router.pool
    }
    return state


# How the agents' routing profile serves the queues "main" and "side": one queue; two at one
# priority; "side" after "main"; "side" only for tickets that waited 30 seconds.
LAYOUTS: dict[str, list[QueueSlot]] = {
    "one": [QueueSlot("main")],
    "level": [QueueSlot("main"), QueueSlot("side")],
    "levels": [QueueSlot("main", 1), QueueSlot("side", 2)],
    "delay": [QueueSlot("main"), QueueSlot("side", 1, timedelta(seconds=30))],
}


def _router(layout: str, rules: CapacityRules, chain: tuple[Strategy, ...]) -> Router:
    slots = LAYOUTS[layout]
    seq = itertools.count()
    queues = [TicketQueue(slot.queue, sequence=seq) for slot in slots]
    return Router(queues, [RoutingProfile("p", slots)], pool=AgentPool(rules), strategies=chain)


@settings(max_examples=150, deadline=None)
@given(
    agents,
    st.sampled_from(list(LAYOUTS)),
    st.sampled_from(CHAINS),
    st.sampled_from(RULES),
    commands,
)
def test_release_then_take_is_release_then_pull(
    staff: list[tuple[dict[Channel | str, int], int, tuple[str, ...]]],
    layout: str,
    chain: tuple[Strategy, ...],
    rules: CapacityRules,
    script: list[tuple[int, int, int, int, int]],
) -> None:
    fast, slow = (_router(layout, rules, chain) for _ in range(2))
    ids = [f"a{i}" for i in range(len(staff))]
    for i, (aid, (caps, orders, langs)) in enumerate(zip(ids, staff, strict=True)):
        profile = AgentProfile(aid, {"orders": orders} if orders else {}, langs, caps)
        for r in (fast, slow):
            r.add_agent(profile, at=T0 + timedelta(seconds=i), presence="available")
    at = T0 + timedelta(minutes=1)
    monotone = True
    for n, (what, a, b, c, d) in enumerate(script):
        if what == 9:
            at += timedelta(seconds=d - 30)
            monotone = monotone and d >= 30
        elif what <= 3:
            customer = Customer(f"c{n}", TIERS[d % 2], language=LANGUAGE_OF[c])
            skills = {"orders": SKILL_OF[b]} if SKILL_OF[b] else {}
            ticket = Ticket(f"t{n}", customer, CHANNEL_OF[a], T0, required_skills=skills)
            route = d % 5 != 0  # sometimes only queued: work waits beside agents with room
            queue = "side" if d % 3 == 1 and layout != "one" else "main"
            assert fast.submit(ticket, at=at, route=route, queue=queue) == slow.submit(
                ticket, at=at, route=route, queue=queue
            )
        elif what <= 7:
            aid = ids[a % len(ids)]
            held = fast.pool.status(aid).held
            if held:
                tid = held[b % len(held)]
                got = fast.release(aid, tid, at=at)
                assert slow.release(aid, tid, at=at, pull=False) == []
                assert got == slow.pull(aid, at=at)
        else:
            aid = ids[a % len(ids)]
            state = "away" if b == 3 else "available"
            assert fast.set_presence(aid, state, at=at) == slow.set_presence(aid, state, at=at)
        assert _plain(fast, chain, monotone) == _plain(slow, chain, monotone)


def _gold(i: int, channel: str = "chat") -> Ticket:
    return Ticket(f"t{i}", Customer(f"c{i}", TIERS[0]), channel, T0)


class Refusing:
    """A key policy of the host's that refuses tickets of one customer."""

    def __call__(self, context: KeyContext, /) -> tuple[int, int]:
        if context.ticket.customer.id == "c1":
            raise ConfigError(f"no key for ticket {context.ticket.id!r}")
        return 0, context.queued_at_us


def test_a_hosts_key_policy_refuses_before_an_agent_is_given_the_ticket() -> None:
    router = Router([TicketQueue("main", Refusing())])
    router.add_agent(AgentProfile("a0", {}, ("id",), {"chat": 1}), at=T0, presence="available")
    before = router.to_state(lambda p: p.id)
    with pytest.raises(ConfigError, match=r"no key for ticket 't1'"):
        router.submit(_gold(1), at=T0)
    assert router.to_state(lambda p: p.id) == before
    got = router.submit(_gold(2), at=T0)
    assert got is not None
    assert got.agent_id == "a0"


def test_a_deadline_key_without_due_refuses_before_an_agent_is_given_the_ticket() -> None:
    router = Router([TicketQueue("edf", DeadlineKey())])
    router.add_agent(AgentProfile("a0", {}, ("id",), {"chat": 1}), at=T0, presence="available")
    before = router.to_state(lambda p: p.id)
    with pytest.raises(ConfigError, match=r"DeadlineKey needs a due instant for ticket 't1'"):
        router.submit(_gold(1), at=T0)
    assert router.to_state(lambda p: p.id) == before
    got = router.submit(_gold(2), at=T0, due=T0 + timedelta(hours=1))
    assert got is not None
    assert got.agent_id == "a0"


@pytest.mark.parametrize(
    "policy", [AgingKey({"gold": timedelta(minutes=2)}), DeadlineKey(fallback=timedelta(hours=1))]
)
def test_a_built_in_key_is_the_policys_key_when_the_ticket_waits(policy: Any) -> None:
    router = Router([TicketQueue("main", policy)])
    due = T0 + timedelta(minutes=30)
    router.submit(_gold(1), at=T0, due=due)
    router.submit(_gold(2), at=T0 + timedelta(seconds=5))
    (first, second) = router.waiting()
    t0_us = first.queued_at_us
    assert first.ticket_id == "t1"
    assert first.key[:2] == (
        (2, t0_us + 120_000_000) if isinstance(policy, AgingKey) else (1, t0_us + 1_800_000_000)
    )
    assert second.key[:2] == (
        (2, t0_us + 5_000_000 + 120_000_000)
        if isinstance(policy, AgingKey)
        else (1, t0_us + 5_000_000 + 3_600_000_000)
    )


def test_a_swapped_channel_counts_last_as_after_a_release_and_an_assignment() -> None:
    router = Router([TicketQueue("main")], pool=AgentPool(CapacityRules(exclusive=frozenset())))
    profile = AgentProfile("a0", {}, ("id",), {"chat": 1, "email": 1})
    router.add_agent(profile, at=T0, presence="available")
    for i, channel in enumerate(["chat", "email", "chat"]):
        router.submit(_gold(i, channel), at=T0 + timedelta(seconds=i))
    got = router.release("a0", "t0", at=T0 + timedelta(minutes=1))
    assert [(a.ticket_id, a.reason.how) for a in got] == [("t2", "agent")]
    status = router.pool.status("a0")
    assert status.held == ("t1", "t2")
    assert list(status.counts.items()) == [("email", 1), ("chat", 1)]
    assert status.idle_since == T0  # it held the email throughout


def _one_agent(caps: dict[Channel | str, int]) -> Router:
    router = Router([TicketQueue("main")], pool=AgentPool(CapacityRules(exclusive=frozenset())))
    router.add_agent(AgentProfile("a0", {}, ("id",), caps), at=T0, presence="available")
    return router


def test_after_a_swap_the_agent_takes_what_waits_on_its_other_channels() -> None:
    router = _one_agent({"chat": 1, "email": 1})
    router.submit(_gold(0, "chat"), at=T0)
    router.submit(_gold(1, "email"), at=T0, route=False)  # waits beside a free email slot
    router.submit(_gold(2, "chat"), at=T0, queued_at=T0 - timedelta(hours=1))  # first in line
    got = router.release("a0", "t0", at=T0 + timedelta(minutes=1))
    assert [a.ticket_id for a in got] == ["t2", "t1"]
    assert router.pool.status("a0").held == ("t2", "t1")


def test_after_a_swap_the_agent_takes_more_on_the_same_channel_when_it_has_room() -> None:
    router = _one_agent({"chat": 2})
    router.submit(_gold(0, "chat"), at=T0)
    for i in (1, 2):
        router.submit(_gold(i, "chat"), at=T0, route=False)
    got = router.release("a0", "t0", at=T0 + timedelta(minutes=1))
    assert [a.ticket_id for a in got] == ["t1", "t2"]
    assert [a.reason.candidates for a in got] == [1, 1]
    assert not router.waiting()


@pytest.mark.parametrize("layout", ["level", "levels"])
def test_after_a_swap_the_agent_takes_what_waits_in_its_other_queues(layout: str) -> None:
    router = _router(layout, CapacityRules(exclusive=frozenset()), (LongestIdle(),))
    profile = AgentProfile("a0", {}, ("id",), {"chat": 1, "email": 1})
    router.add_agent(profile, at=T0, presence="available", routing_profile="p")
    router.submit(_gold(0, "chat"), at=T0)
    router.submit(_gold(1, "email"), at=T0, queue="side", route=False)
    router.submit(_gold(2, "chat"), at=T0, queued_at=T0 - timedelta(hours=1))
    got = router.release("a0", "t0", at=T0 + timedelta(minutes=1))
    assert [(a.ticket_id, a.reason.queue) for a in got] == [("t2", "main"), ("t1", "side")]
