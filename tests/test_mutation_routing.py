"""Routing refusals a mutation sample found unasserted (``make mutation``, routing).

Escalation graphs, hand-over policies, relaxation plans, routing profiles, capacity rules and
presence states: every refusal with its whole message and path.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import cast

import attrs
import pytest

from csflow.errors import CalendarError, ConfigError, CsflowError
from csflow.model import AgentProfile, Priority
from csflow.queues import Signature, TicketQueue
from csflow.routing import Router, RoutingReason, decisions
from csflow.routing.batch import default_batch_score
from csflow.routing.capacity import CapacityRules, PresenceStates
from csflow.routing.escalation import EscalationGraph, TransferPolicy
from csflow.routing.profiles import (
    QueueSlot,
    Relaxation,
    RelaxationStep,
    RoutingProfile,
    check_plan,
    profile_table,
)
from csflow.routing.strategies import (
    AgentState,
    LongestIdle,
    MostSpareCapacity,
    PreferredAgent,
    Strategy,
)
from test_routing import T0, agent, make_router, ticket

M = timedelta(minutes=1)
T0_US = (T0 - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
G = EscalationGraph(["l1", "l2"], [("l1", "l2")], ["l1"])

REFUSED: list[tuple[type[CsflowError], Callable[[], object], str]] = [
    (
        ConfigError,
        lambda: EscalationGraph("l1", [], ["l1"]),
        "teams: must be a list of team names, got 'l1'",
    ),
    (
        ConfigError,
        lambda: EscalationGraph(["l1", ""], [], ["l1"]),
        "teams[1]: team name must be a non-empty string, got ''",
    ),
    (
        ConfigError,
        lambda: EscalationGraph(["l1", "l1"], [], ["l1"]),
        "teams[1]: team 'l1' listed twice",
    ),
    (
        ConfigError,
        lambda: EscalationGraph(["l1"], [], []),
        "entry: at least one entry team is required, got []",
    ),
    (ConfigError, lambda: EscalationGraph(["l1"], [], ["l9"]), "entry[0]: unknown team 'l9'"),
    (
        ConfigError,
        lambda: EscalationGraph(["l1", "l2"], [("l1",)], ["l1"]),  # type: ignore[list-item]
        "edges[0]: an edge must be a (from, to) pair, got ('l1',)",
    ),
    (
        ConfigError,
        lambda: EscalationGraph(["l1", "l2"], [("l1", "l9")], ["l1"]),
        "edges[0]: unknown team 'l9'; known: ['l1', 'l2']",
    ),
    (
        ConfigError,
        lambda: EscalationGraph(["l1", "l2"], [("l1", "l2"), ("l2", "l1")], ["l1"]),
        "edges: escalation cycle l1 -> l2 -> l1",
    ),
    (
        ConfigError,
        lambda: EscalationGraph(["l1", "l2"], [], ["l1"]),
        "teams[1]: team 'l2' cannot be reached from the entry teams ['l1']",
    ),
    (
        ConfigError,
        lambda: EscalationGraph.from_dict(5),  # type: ignore[arg-type]
        "escalation config must be a mapping, got 5",
    ),
    (
        ConfigError,
        lambda: EscalationGraph.from_dict({"teams": ["a"], "entry": ["a"], "bogus": 1}),
        "unknown keys ['bogus']; expected teams, entry, edges",
    ),
    (
        ConfigError,
        lambda: EscalationGraph.from_dict({"entry": ["a"]}),
        "teams: 'teams' is required",
    ),
    (
        ConfigError,
        lambda: EscalationGraph.from_dict({"teams": ["a"]}),
        "entry: 'entry' is required (the front-line teams)",
    ),
    (
        ConfigError,
        lambda: EscalationGraph.from_dict({"teams": ["a", "b"], "entry": ["a"], "edges": [["a"]]}),
        "edges[0]: an edge must be a [from, to] pair, got ['a']",
    ),
    (
        ConfigError,
        lambda: EscalationGraph.from_dict({"teams": ["a", "b"], "entry": ["a"], "edges": 5}),
        "edges: must be a mapping or a list of pairs, got 5",
    ),
    (ConfigError, lambda: G.check_team("l9"), "team must be one of ['l1', 'l2'], got 'l9'"),
    (
        ConfigError,
        lambda: TransferPolicy(max_transfers=-1),
        "max_transfers must be an int >= 0 or None, got -1",
    ),
    (
        ConfigError,
        lambda: TransferPolicy(max_transfers=True),
        "max_transfers must be an int >= 0 or None, got True",
    ),
    (
        ConfigError,
        lambda: TransferPolicy(on_limit="warn"),  # type: ignore[arg-type]
        "on_limit must be 'refuse' or 'flag', got 'warn'",
    ),
    (
        ConfigError,
        lambda: RelaxationStep(-M),
        "'after' must not be negative, got datetime.timedelta(days=-1, seconds=86340)",
    ),
    (
        ConfigError,
        lambda: RelaxationStep(M, proficiency=0),
        "proficiency must be an int from 1 to 5 or None, got 0",
    ),
    (
        ConfigError,
        lambda: RelaxationStep(M, proficiency=True),
        "proficiency must be an int from 1 to 5 or None, got True",
    ),
    (
        ConfigError,
        lambda: RelaxationStep(M),
        "relaxation step after datetime.timedelta(seconds=60) changes nothing",
    ),
    (
        ConfigError,
        lambda: RelaxationStep(M, drop="skill"),
        "drop must be a collection of skill names, got 'skill'",
    ),
    (
        ConfigError,
        lambda: RelaxationStep(M, overflow_to=""),
        "overflow_to must be a non-empty string, got ''",
    ),
    (ConfigError, lambda: Relaxation([5]), "steps[0]: must be a RelaxationStep, got 5"),  # type: ignore[list-item]
    (
        ConfigError,
        lambda: Relaxation(
            [RelaxationStep(M, any_language=True), RelaxationStep(M, any_language=True)]
        ),
        "steps[1]: 'after' must increase, got datetime.timedelta(seconds=60)",
    ),
    (ConfigError, lambda: QueueSlot(""), "queue must be a non-empty string, got ''"),
    (
        ConfigError,
        lambda: QueueSlot("q", delay=-1),
        "delay must be a non-negative timedelta or int microseconds, got -1",
    ),
    (
        ConfigError,
        lambda: QueueSlot("q", delay="PT1M"),  # type: ignore[arg-type]
        "delay must be a non-negative timedelta or int microseconds, got 'PT1M'",
    ),
    (
        ConfigError,
        lambda: RoutingProfile("", ["q"]),
        "routing profile name must be a non-empty string, got ''",
    ),
    (
        ConfigError,
        lambda: RoutingProfile("p", "q"),
        "queues must be a collection of QueueSlot, got 'q'",
    ),
    (
        ConfigError,
        lambda: RoutingProfile("p", [5]),  # type: ignore[list-item]
        "queues[0]: must be a QueueSlot or a queue name, got 5",
    ),
    (
        ConfigError,
        lambda: RoutingProfile("p", [QueueSlot("q", True)]),
        "queues[0].priority: must be an int, got True",
    ),
    (ConfigError, lambda: RoutingProfile("p", ["q", "q"]), "queues[1]: queue 'q' listed twice"),
    (
        ConfigError,
        lambda: check_plan(5, "queues[0].relaxation", ["q"]),
        "queues[0].relaxation: must be a Relaxation, got 5",
    ),
    (
        ConfigError,
        lambda: check_plan(
            Relaxation([RelaxationStep(M, overflow_to="back")]), "queues[0].relaxation", ["q"]
        ),
        "queues[0].relaxation.steps[0].overflow_to: unknown queue 'back'; known: ['q']",
    ),
    (
        ConfigError,
        lambda: profile_table([5], ["q"]),  # type: ignore[list-item]
        "profiles[0]: must be a RoutingProfile, got 5",
    ),
    (
        ConfigError,
        lambda: profile_table([RoutingProfile("p", ["q"]), RoutingProfile("p", ["q"])], ["q"]),
        "profiles[1]: profile name 'p' used twice",
    ),
    (
        ConfigError,
        lambda: profile_table([RoutingProfile("p", ["r"])], ["q"]),
        "profiles[0].queues[0]: unknown queue 'r'; known: ['q']",
    ),
    (
        ConfigError,
        lambda: CapacityRules(weights=5),  # type: ignore[arg-type]
        "weight must be a mapping of channel -> int, got 5",
    ),
    (
        ConfigError,
        lambda: CapacityRules(weights={"chat": -1}),
        "weight for channel 'chat' must be an int >= 0, got -1",
    ),
    (
        ConfigError,
        lambda: CapacityRules(limits={"chat": True}),
        "limit for channel 'chat' must be an int >= 0, got True",
    ),
    (
        ConfigError,
        lambda: CapacityRules(weights={"chat": 0}),
        "weight for channel 'chat' must be >= 1, got 0",
    ),
    (ConfigError, lambda: CapacityRules(budget=0), "budget must be an int >= 1 or None, got 0"),
    (
        ConfigError,
        lambda: CapacityRules(exclusive="phone"),
        "exclusive must be a collection of channels, got 'phone'",
    ),
    (
        ConfigError,
        lambda: PresenceStates(custom={"available": True}),
        "presence state 'available' is built in and cannot be redefined",
    ),
    (
        ConfigError,
        lambda: PresenceStates(custom={"lunch": 1}),  # type: ignore[dict-item]
        "presence state 'lunch' must map to a bool, got 1",
    ),
    (
        ConfigError,
        lambda: PresenceStates(custom={"lunch": False}).routable("gym"),
        "presence state must be one of ['available', 'away', 'busy', 'lunch', 'offline'], got 'gym'",
    ),
]


@pytest.mark.parametrize(("error", "call", "message"), REFUSED)
def test_every_refusal_has_its_type_its_path_and_its_message(
    error: type[CsflowError], call: Callable[[], object], message: str
) -> None:
    with pytest.raises(error) as caught:
        call()
    assert str(caught.value) == message


def test_a_preferred_agents_recency_is_checked() -> None:
    with pytest.raises(ConfigError) as caught:
        PreferredAgent(recency=timedelta(seconds=-1))
    assert str(caught.value) == (
        "'recency' must not be negative, got datetime.timedelta(days=-1, seconds=86399)"
    )
    with pytest.raises(ConfigError) as caught:
        PreferredAgent(recency=5)  # type: ignore[arg-type]
    assert str(caught.value) == "'recency' must be a datetime.timedelta, got 5"


def test_a_reopened_ticket_goes_back_to_its_last_agent_when_that_agent_can_take_it() -> None:
    router = make_router()
    router.add_agent(agent("a", chat=1), at=T0, presence="available")
    got = router.reopen(ticket("t1"), "a", at=T0, rule="r1")
    assert got is not None
    assert (got.agent_id, got.reason.how, got.reason.strategies, got.reason.rule) == (
        "a",
        "reopen",
        ("last_agent",),
        "r1",
    )


def test_a_reopened_ticket_its_last_agent_cannot_take_waits_with_its_rule() -> None:
    router = make_router()
    router.add_agent(agent("b", email=1), at=T0, presence="available")
    assert router.reopen(ticket("t1"), "b", at=T0, rule="r1") is None
    assert router.where("t1")[0] == "main"
    with pytest.raises(CalendarError) as caught:
        router.reopen(ticket("t2"), None, at=T0, due=datetime(2026, 3, 2))
    assert str(caught.value) == (
        "'due' must be timezone-aware, got datetime.datetime(2026, 3, 2, 0, 0)"
    )
    assert "t2" not in [e.ticket_id for e in router.waiting()]
    with pytest.raises(CalendarError) as caught:
        router.submit(ticket("t3"), at=T0, due=datetime(2026, 3, 2))
    assert str(caught.value) == (
        "'due' must be timezone-aware, got datetime.datetime(2026, 3, 2, 0, 0)"
    )
    [got] = router.add_agent(agent("c", chat=1), at=T0, presence="available")
    assert (got.ticket_id, got.reason.rule) == ("t1", "r1")


def test_reprioritize_rekeys_a_waiting_ticket() -> None:
    router = make_router()
    router.submit(ticket("t1"), at=T0)
    router.submit(ticket("t2"), at=T0)
    urgent = attrs.evolve(ticket("t2"), priority=Priority.URGENT)
    entry = router.reprioritize(urgent)
    assert entry.key[0] == 0
    assert [e.ticket_id for e in router.waiting("main")] == ["t2", "t1"]


def test_relaxation_steps_describe_themselves_and_delays_are_named() -> None:
    assert RelaxationStep(M, proficiency=1).describe() == "after 0:01:00: any agent with the skill"
    assert RelaxationStep(M, proficiency=2).describe() == "after 0:01:00: proficiency >= 2"
    with pytest.raises(ConfigError) as caught:
        QueueSlot("q", delay=timedelta(seconds=-1))
    assert str(caught.value) == (
        "'delay' must not be negative, got datetime.timedelta(days=-1, seconds=86399)"
    )


def test_waiting_lists_one_queue_when_asked() -> None:
    router = make_router()
    router.submit(ticket("t1"), at=T0)
    router.submit(ticket("t2"), at=T0, queue="spare")
    assert [e.ticket_id for e in router.waiting("spare")] == ["t2"]
    assert sorted(e.ticket_id for e in router.waiting()) == ["t1", "t2"]


# -- a sample after the routing speed work (seed 1) ------------------------------------------


def test_a_reason_reads_as_its_strategies_in_order() -> None:
    reason = RoutingReason(
        "ticket_arrived",
        ("preferred_agent", "longest_idle"),
        3,
        "vip",
        "front",
        Signature("chat", "id"),
        1,
    )
    assert str(reason) == (
        "ticket_arrived: preferred_agent > longest_idle among 3 candidates in queue 'front' "
        "on [chat, lang=id] after 1 relaxation step (rule 'vip')"
    )


def test_a_relaxation_step_lowers_proficiency_to_one_to_five() -> None:
    assert RelaxationStep(timedelta(minutes=1), proficiency=5).proficiency == 5
    with pytest.raises(ConfigError) as caught:
        RelaxationStep(timedelta(minutes=1), proficiency=6)
    assert str(caught.value) == "proficiency must be an int from 1 to 5 or None, got 6"


def test_releasing_a_ticket_the_agent_does_not_hold_names_both() -> None:
    router = make_router()
    router.add_agent(agent("sari"), at=T0, presence="available")
    with pytest.raises(CsflowError) as caught:
        router.release("sari", "t9", at=T0)
    assert str(caught.value) == "agent 'sari' does not hold ticket 't9'"


def test_the_default_batch_score_counts_assignments_then_order_then_fit() -> None:
    sari = agent("sari", {"orders": 3, "refunds": 2})
    state = make_router()
    state.add_agent(sari, at=T0, presence="available")
    q = TicketQueue("q")
    entry = q.push(ticket("t1", skills={"orders": 1, "refunds": 1}), at=T0)
    # The score reads the agent's profile alone; the pool's status view carries it.
    status = cast(AgentState, state.pool.status("sari"))
    assert default_batch_score(status, entry, 0) == 1_000_000_000 + 999_000 + 5
    assert default_batch_score(status, entry, 4) == 1_000_000_000 + 995_000 + 5
    assert default_batch_score(status, entry, 5_000) == 1_000_000_000 + 5


# -- a sample from main's head with the broad selection (seed 1) ----------------------------


def test_a_reason_is_formatted_afresh_with_its_separators() -> None:
    # Reason texts are memoised per distinct reason: clear the memo so the text is made here.
    decisions._REASON_TEXT.clear()
    reason = RoutingReason(
        "agent_freed", ("most_spare_capacity", "longest_idle"), 1, None, "q", Signature("email")
    )
    assert str(reason) == (
        "agent_freed: most_spare_capacity > longest_idle among 1 candidate in queue 'q' on [email]"
    )


def test_candidates_count_per_group_and_a_group_without_agents_counts_none() -> None:
    router = make_router()
    router.add_agent(agent("a", chat=1), at=T0, presence="available")
    sig = Signature("chat", "id")
    assert router.pool.count_candidates(sig) == 1
    assert router.pool.count_candidates(sig, groups=["all"]) == 1
    assert router.pool.count_candidates(sig, groups=["nobody", "all"]) == 1
    assert router.pool.count_candidates(sig, groups=["nobody"]) == 0
    with pytest.raises(ConfigError) as caught:
        router.pool.count_candidates(sig, groups=["all", 3])  # type: ignore[list-item]
    assert str(caught.value) == "groups must hold group names, got 3 in ['all', 3]"


def test_a_reopened_ticket_its_last_agent_takes_names_the_queue() -> None:
    router = make_router()
    router.add_agent(agent("a", chat=1), at=T0, presence="available")
    got = router.reopen(ticket("t1"), "a", at=T0, queue="spare")
    assert got is not None
    assert (got.reason.queue, got.reason.signature) == ("spare", Signature("chat", "id"))


def test_a_router_or_pool_state_goes_only_into_a_new_one() -> None:
    source = make_router()
    source.add_agent(agent("a", chat=1), at=T0, presence="available")
    source.submit(ticket("t1"), at=T0)
    source.submit(ticket("t2"), at=T0)  # waits, for nobody in particular
    state = source.to_state(lambda p: p.id, T0_US)
    tickets = {"t1": ticket("t1"), "t2": ticket("t2")}
    waiting = state["waiting"]
    assert isinstance(waiting, list)
    [row] = waiting
    assert (row[0], row[5], row[6]) == ("t2", None, 0)  # no pin, and no pin's end

    def profile(raw: object, path: str) -> AgentProfile:
        assert raw == "a", path
        return agent("a", chat=1)

    with pytest.raises(ConfigError) as caught:
        source.load_state(state, tickets, profile)
    assert (caught.value.path, caught.value.detail) == ("router", "the router is not empty")
    with pytest.raises(ConfigError) as caught:
        source.pool.load_state(state["pool"], profile, source.profiles, "router.pool")
    assert (caught.value.path, caught.value.detail) == ("router.pool", "the pool is not empty")
    for bad in ("7", -1, 1.5):
        with pytest.raises(ConfigError) as caught:
            make_router().load_state({**state, "sequence": bad}, tickets, profile)
        assert (caught.value.path, caught.value.detail) == (
            "router.sequence",
            f"expected a non-negative int, got {bad!r}",
        )
    pool = state["pool"]
    assert isinstance(pool, dict)
    [raw] = pool["agents"]
    with pytest.raises(ConfigError) as caught:
        make_router().load_state(
            {**state, "pool": {**pool, "agents": [{**raw, "held": "t1"}]}}, tickets, profile
        )
    assert (caught.value.path, caught.value.detail) == (
        "router.pool.agents[0].held",
        "expected a list, got 't1'",
    )
    fresh = make_router()
    fresh.load_state(state, tickets, profile)
    assert fresh.pool.status("a").held == ("t1",)
    assert fresh.to_state(lambda p: p.id, T0_US) == state


def test_a_preferred_agent_with_no_timeout_never_holds_a_ticket_for_a_busy_agent() -> None:
    router = make_router()
    router.add_agent(agent("a", chat=1), at=T0, presence="available")
    assert router.submit(ticket("t0"), at=T0) is not None  # "a" is now busy
    chain: list[Strategy] = [PreferredAgent(timeout=timedelta(0)), LongestIdle()]
    assert router.submit(ticket("t1"), at=T0, strategies=chain, last_agent="a") is None
    queue, entry = router.where("t1")
    assert (queue, entry.signature.agent) == ("main", None)  # waits for anyone, unpinned
    with_timeout: list[Strategy] = [PreferredAgent(timeout=M), LongestIdle()]
    assert router.submit(ticket("t2"), at=T0, strategies=with_timeout, last_agent="a") is None
    assert router.where("t2")[1].signature.agent == "a"  # held for "a" for a minute


def test_an_agent_that_frees_room_ranks_by_its_room_in_every_chain_it_serves() -> None:
    """After a release, an agent's entry in a most-spare-capacity heap must be refreshed even
    when its longest-idle entry (another chain, same signature, its heap made first) needs
    nothing; else the stale entry ties and the agent that joined first wins."""
    spare_first: list[Strategy] = [MostSpareCapacity(), LongestIdle()]
    router = Router([TicketQueue("main")])
    for aid in ("a", "b"):
        router.add_agent(agent(aid, chat=3), at=T0, presence="available")
    # The longest-idle heap is made first, then the most-spare-capacity one.
    assert router.submit(ticket("w0"), at=T0).agent_id == "a"  # type: ignore[union-attr]
    got = router.submit(ticket("w1"), at=T0, strategies=spare_first)
    assert got is not None
    assert got.agent_id == "b"
    router.assign_to(ticket("x1"), "b", at=T0)
    router.assign_to(ticket("x2"), "b", at=T0)
    # "b" is full: its entries leave the most-spare-capacity heap as the next ticket passes.
    got = router.submit(ticket("y"), at=T0, strategies=spare_first)
    assert got is not None
    assert got.agent_id == "a"
    assert router.release("b", "x2", at=T0) == []  # "b" was full: its channel opens again
    # "b" frees another slot and stays busy (an idle agent's longest-idle key drops too).
    assert router.release("b", "x1", at=T0 + M) == []
    counts = {aid: router.pool.status(aid).counts.get("chat", 0) for aid in "ab"}
    assert counts == {"a": 2, "b": 1}  # "b" has the most room now
    got = router.submit(ticket("t9"), at=T0 + 2 * M, strategies=spare_first)
    assert got is not None
    assert got.agent_id == "b"
