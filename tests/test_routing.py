"""Unit tests for csflow.routing: capacity, presence, strategies, batch, errors, pendulum."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pendulum
import pytest

from csflow._time import to_us
from csflow.errors import (
    CalendarError,
    ConfigError,
    CsflowError,
    DuplicateAgentError,
    UnknownAgentError,
)
from csflow.model import AgentProfile, Channel, Customer, Ticket, Tier
from csflow.queues import AgingKey, DuplicateTicketError, Signature, TicketQueue
from csflow.routing import (
    AgentPool,
    BestProficiency,
    CapacityExceededError,
    CapacityRules,
    LongestIdle,
    MostSpareCapacity,
    Overflowed,
    PresenceStates,
    QueueSlot,
    Relaxation,
    RelaxationStep,
    Relaxed,
    RoundRobin,
    Router,
    RoutingProfile,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
S = timedelta(seconds=1)
GOLD = Tier("gold", 2)


def ticket(tid: str, channel: str = "chat", skills: dict[str, int] | None = None) -> Ticket:
    return Ticket(
        tid, Customer(f"c-{tid}", GOLD, language="id"), channel, T0, required_skills=skills or {}
    )


def agent(aid: str, skills: dict[str, int] | None = None, **capacity: int) -> AgentProfile:
    caps: dict[Channel | str, int] = {"chat": 2} if not capacity else dict(capacity.items())
    return AgentProfile(aid, skills or {}, ["id"], caps)


def snapshot(router: Router) -> object:
    return (
        [(e.ticket_id, e.key, e.signature, e.callback) for e in router.waiting()],
        [router.pool.status(a) for a in router.pool],
        router.next_step_us(),
    )


# -- capacity and presence --------------------------------------------------------------------


def test_a_call_blocks_everything_else_and_chats_run_together() -> None:
    pool = AgentPool(CapacityRules(exclusive={"phone"}))
    pool.add(agent("a", chat=3, phone=1, email=2), at=T0, presence="available")
    assert pool.spare("a", "chat") == 3
    pool.assign("a", "c1", "chat", at=T0)
    pool.assign("a", "c2", "chat", at=T0)
    assert not pool.can_take("a", "phone")  # a call needs an agent holding nothing
    assert pool.can_take("a", "email")
    pool.release("a", "c1", at=T0)
    pool.release("a", "c2", at=T0)
    pool.assign("a", "p1", "phone", at=T0)
    assert [pool.can_take("a", c) for c in ("chat", "email", "phone")] == [False] * 3
    with pytest.raises(CapacityExceededError, match=r"agent 'a' cannot take a 'chat' ticket now"):
        pool.assign("a", "c3", "chat", at=T0)
    assert pool.status("a").held == ("p1",)


def test_weights_and_budget_share_capacity_across_channels() -> None:
    rules = CapacityRules(weights={"email": 2}, limits={"chat": 2}, exclusive=(), budget=4)
    pool = AgentPool(rules)
    pool.add(agent("a", chat=5, email=5), at=T0, presence="available")
    assert pool.spare("a", "chat") == 2  # the limit caps the profile's 5
    assert pool.spare("a", "email") == 2  # 2 emails of weight 2 fill the budget of 4
    pool.assign("a", "e1", "email", at=T0)
    pool.assign("a", "c1", "chat", at=T0)
    assert pool.status("a").load == 3
    assert pool.spare("a", "chat") == 1
    assert not pool.can_take("a", "email")  # 3 + 2 > 4
    assert pool.with_spare("email") == []
    pool.assign("a", "c2", "chat", at=T0)
    assert pool.with_spare("chat") == []
    with pytest.raises(ConfigError, match=r"weight for channel 'email' must be >= 1, got 0"):
        CapacityRules(weights={"email": 0})
    with pytest.raises(ConfigError, match=r"budget must be an int >= 1 or None, got 0"):
        CapacityRules(budget=0)


def test_custom_presence_states() -> None:
    presence = PresenceStates({"lunch": False, "overflow_ready": True})
    pool = AgentPool(presence=presence)
    pool.add(agent("a"), at=T0, presence="lunch")
    assert not pool.can_take("a", "chat")
    pool.set_presence("a", "overflow_ready", at=T0)
    assert pool.can_take("a", "chat")
    assert presence.names() == {"available", "busy", "away", "offline", "lunch", "overflow_ready"}
    with pytest.raises(ConfigError, match=r"presence state must be one of .*, got 'napping'"):
        pool.set_presence("a", "napping", at=T0)
    assert pool.status("a").presence == "overflow_ready"
    with pytest.raises(ConfigError, match=r"presence state 'busy' is built in"):
        PresenceStates({"busy": True})


def test_eligibility_is_indexed_by_signature() -> None:
    pool = AgentPool()
    pool.add(agent("x", {"refunds": 4}), at=T0, presence="available")
    pool.add(agent("y", {"refunds": 2}), at=T0, presence="available")
    pool.add(AgentProfile("z", {"refunds": 5}, ["en"], {"chat": 1}), at=T0, presence="available")
    sig = Signature("chat", "id", {"refunds": 3})
    assert pool.candidates(sig) == ["x"]
    assert pool.is_eligible("x", sig)
    assert not pool.is_eligible("y", sig)
    # a profile change moves the agent in and out of the cached memberships
    pool.update(agent("y", {"refunds": 3}), at=T0)
    assert pool.candidates(sig) == ["x", "y"]
    pool.set_presence("x", "away", at=T0)
    assert pool.count_candidates(sig) == 1
    assert pool.remove("y", at=T0) == ()
    assert pool.candidates(sig) == []
    with pytest.raises(UnknownAgentError, match=r"agent 'y' is not in the pool"):
        pool.status("y")


# -- strategies -------------------------------------------------------------------------------


def test_strategies_choose_as_documented() -> None:
    pool = AgentPool()
    pool.add(agent("a", {"tech": 2}, chat=3), at=T0, presence="available")
    pool.add(agent("b", {"tech": 5}, chat=2), at=T0 + S, presence="available")
    pool.add(agent("c", {"tech": 3}, chat=1), at=T0 + 2 * S, presence="available")
    sig = Signature("chat", "id", {"tech": 1})
    assert pool.best(sig, (LongestIdle(),)) == "a"
    assert pool.best(sig, (BestProficiency(),)) == "b"
    assert pool.best(sig, (MostSpareCapacity(),)) == "a"
    assert pool.best(sig, (RoundRobin(),)) == "a"  # nobody assigned yet: join order
    pool.assign("a", "t1", "chat", at=T0 + 3 * S)
    pool.assign("b", "t2", "chat", at=T0 + 4 * S)
    assert pool.best(sig, (RoundRobin(),)) == "c"
    assert pool.best(sig, (LongestIdle(),)) == "c"  # busy agents rank after idle ones
    assert pool.best(sig, (MostSpareCapacity(), BestProficiency())) == "a"  # 2 left vs 1, 1
    pool.assign("c", "t3", "chat", at=T0 + 5 * S)
    assert pool.best(sig, (RoundRobin(),)) == "a"
    pool.release("a", "t1", at=T0 + 6 * S)
    assert pool.best(sig, (LongestIdle(),)) == "a"


# -- the router: errors, deferral, batch -------------------------------------------------------


def make_router() -> Router:
    return Router(
        [TicketQueue("main", AgingKey()), TicketQueue("spare")],
        [RoutingProfile("all", [QueueSlot("main", 1), QueueSlot("spare", 2)])],
        relaxation={"main": Relaxation((RelaxationStep(30 * S, proficiency=1),))},
    )


def test_failing_commands_change_nothing() -> None:
    router = make_router()
    router.add_agent(agent("a", {"tech": 2}, chat=1), at=T0, presence="available")
    router.submit(ticket("t1"), at=T0)
    router.submit(ticket("t2", skills={"tech": 4}), at=T0)
    before = snapshot(router)
    with pytest.raises(DuplicateTicketError, match=r"ticket 't1' is already waiting or held"):
        router.submit(ticket("t1"), at=T0)
    with pytest.raises(ConfigError, match=r"queue must be one of \['main', 'spare'\], got 'x'"):
        router.submit(ticket("t3"), at=T0, queue="x")
    with pytest.raises(CalendarError, match=r"'at' must be timezone-aware"):
        router.submit(ticket("t3"), at=datetime(2026, 3, 2, 9))
    with pytest.raises(ConfigError, match=r"routing_profile must be one of \['all'\], got 'v'"):
        router.add_agent(agent("b"), at=T0, routing_profile="v")
    with pytest.raises(DuplicateAgentError, match=r"agent 'a' is already in the pool"):
        router.add_agent(agent("a"), at=T0)
    with pytest.raises(CapacityExceededError, match=r"agent 'a' cannot take ticket 't2'"):
        router.assign_to(ticket("t2", skills={"tech": 4}), "a", at=T0)
    with pytest.raises(UnknownAgentError, match=r"agent 'zz' is not in the pool"):
        router.pull("zz", at=T0)
    with pytest.raises(ConfigError, match=r"method must be 'greedy' or 'optimal', got 'best'"):
        router.plan_batch(at=T0, method="best", channel="chat")  # type: ignore[arg-type]
    assert snapshot(router) == before
    assert isinstance(CapacityExceededError("x"), CsflowError)
    with pytest.raises(ConfigError, match=r"relaxation.nope: unknown queue 'nope'"):
        Router([TicketQueue("main")], relaxation={"nope": Relaxation(())})
    with pytest.raises(ConfigError, match=r"profiles\[0\].queues\[0\]: unknown queue 'vip'"):
        Router([TicketQueue("main")], [RoutingProfile("p", ["vip"])])
    with pytest.raises(ConfigError, match=r"steps\[1\]: 'after' must increase"):
        Relaxation((RelaxationStep(S, proficiency=2), RelaxationStep(S, proficiency=1)))
    with pytest.raises(ConfigError, match=r"relaxation step after .* changes nothing"):
        RelaxationStep(S)


def test_deferred_routing_then_pull() -> None:
    router = make_router()
    router.add_agent(agent("a", chat=2), at=T0, presence="available")
    assert router.submit(ticket("t1"), at=T0, route=False) is None
    assert router.submit(ticket("t2"), at=T0 + S, route=False) is None
    assert [e.ticket_id for e in router.waiting()] == ["t1", "t2"]
    got = router.pull("a", at=T0 + 2 * S)
    assert [(a.ticket_id, a.reason.how) for a in got] == [("t1", "agent"), ("t2", "agent")]
    assert router.release("a", "t1", at=T0 + 3 * S, pull=False) == []
    assert router.set_presence("a", "available", at=T0 + 3 * S, pull=False) == []


def test_optimal_batch_beats_greedy_when_a_scarce_skill_is_needed_later_in_line() -> None:
    router = make_router()
    # x knows tech, y does not; both log in at once without pulling
    router.add_agent(agent("x", {"tech": 3}, chat=1), at=T0, presence="offline")
    router.add_agent(agent("y", chat=1), at=T0, presence="offline")
    router.submit(ticket("first"), at=T0)  # anyone may take it
    router.submit(ticket("second", skills={"tech": 2}), at=T0 + S)  # only x
    for aid in ("x", "y"):
        router.set_presence(aid, "available", at=T0 + 2 * S, pull=False)
    greedy = router.plan_batch(at=T0 + 2 * S, method="greedy", channel="chat")
    optimal = router.plan_batch(at=T0 + 2 * S, method="optimal", channel="chat")
    # greedy gives x (first to join, so first on ties) to the first ticket; "second" starves
    assert greedy.pairs == (("first", "x"),)
    assert optimal.pairs == (("first", "y"), ("second", "x"))
    assert optimal.score > greedy.score
    assert (optimal.tickets, optimal.slots) == (2, 2)
    done = router.assign_batch(at=T0 + 2 * S, method="optimal", channel="chat")
    assert [(a.ticket_id, a.agent_id, a.reason.how) for a in done] == [
        ("first", "y", "batch"),
        ("second", "x", "batch"),
    ]
    assert router.waiting() == []


# -- pendulum datetimes -----------------------------------------------------------------------


def test_pendulum_datetimes_are_exact_instants() -> None:
    jakarta = pendulum.datetime(2026, 3, 2, 16, 0, 0, 250, tz="Asia/Jakarta")  # 09:00 UTC
    q = TicketQueue("main")
    entry = q.push(ticket("t1"), at=jakarta, due=jakarta.add(minutes=5))
    assert entry.queued_at == T0 + timedelta(microseconds=250)
    assert entry.waited_us(jakarta.add(seconds=3)) == 3_000_000
    assert q.peek(waited=pendulum.duration(seconds=2), at=jakarta.add(seconds=3)) == entry
    before_epoch = pendulum.datetime(1969, 12, 31, 23, 59, 59, 999_999, tz="UTC")
    assert q.push(ticket("t0"), at=before_epoch).queued_at_us == -1

    router = make_router()
    router.add_agent(agent("a", chat=1), at=jakarta, presence="available")
    router.submit(ticket("busy"), at=jakarta)
    assert router.submit(ticket("t2", skills={"tech": 3}), at=jakarta.add(seconds=1)) is None
    assert router.next_step_at() == T0 + 31 * S + timedelta(microseconds=250)
    router.add_agent(agent("b", {"tech": 1}), at=jakarta.add(seconds=2), presence="available")
    changes = router.advance(jakarta.add(seconds=31))
    assert [type(c).__name__ for c in changes] == ["Relaxed", "Assignment"]
    with pytest.raises(CalendarError, match=r"'at' must be timezone-aware"):
        router.advance(pendulum.naive(2026, 3, 2, 9))


def test_an_instant_before_a_ticket_joined_the_line_counts_as_no_wait() -> None:
    """A router takes instants as given, and a host (or a desk firing overdue SLA events at
    their own instants) may pass one earlier than a ticket's arrival.  Such a ticket has
    waited 0, not a negative time: a queue served with no delay serves it.  (A call-back
    that an agent could make at once stayed in line: the negative wait was below the slot's
    delay of 0.)"""
    router = make_router()
    router.add_agent(AgentProfile("ana", {}, ["en"], {"phone": 1}), at=T0, presence="available")
    english = Ticket("t1", Customer("c1", GOLD, language="en"), "chat", T0)
    assert router.submit(english, at=T0 + 10 * S) is None  # nobody takes English chat
    got = router.request_callback("t1", at=T0 + 9 * S)
    assert got is not None
    assert (got.agent_id, got.callback) == ("ana", True)
    # The same for a ticket that arrives with an instant before its own queued_at.
    router.add_agent(AgentProfile("budi", {}, ["id"], {"chat": 1}), at=T0, presence="available")
    got = router.submit(ticket("t2"), at=T0, queued_at=T0 + 5 * S)
    assert got is not None
    assert got.agent_id == "budi"


def test_a_ticket_queued_in_the_past_takes_its_due_steps_and_says_so() -> None:
    """A ticket that joined the line two minutes ago (taken back from an agent, keeping its
    place) has waited through its 30-second and one-minute steps: both apply at once and
    ``caught_up`` lists them, overflow included, at the submit's instant; the next submit
    (nothing due) leaves it empty."""
    router = Router(
        [TicketQueue("main"), TicketQueue("spare")],
        relaxation={
            "main": Relaxation(
                (
                    RelaxationStep(30 * S, proficiency=1),
                    RelaxationStep(60 * S, overflow_to="spare"),
                )
            )
        },
    )
    now = T0 + 120 * S
    assert router.submit(ticket("t1", skills={"tech": 3}), at=now, queued_at=T0) is None
    relaxed, overflowed = router.caught_up
    assert isinstance(relaxed, Relaxed)
    assert (relaxed.ticket_id, relaxed.at_us, relaxed.step) == ("t1", to_us(now), 1)
    assert isinstance(overflowed, Overflowed)
    assert (overflowed.from_queue, overflowed.to_queue) == ("main", "spare")
    assert router.where("t1")[0] == "spare"
    router.submit(ticket("t2"), at=now)
    assert router.caught_up == ()
