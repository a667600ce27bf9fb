"""Routing refusals a mutation sample found unasserted (``make mutation``, routing).

Escalation graphs, hand-over policies, relaxation plans, routing profiles, capacity rules and
presence states: every refusal with its whole message and path.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import cast

import attrs
import pytest

from csflow.errors import CalendarError, ConfigError, CsflowError
from csflow.model import Priority
from csflow.queues import Signature, TicketQueue
from csflow.routing import RoutingReason
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
from csflow.routing.strategies import AgentState, PreferredAgent
from test_routing import T0, agent, make_router, ticket

M = timedelta(minutes=1)
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
