"""Router, pool and ledger state (review F): a state the router wrote reads back whatever its
queues' counters, and every ``load_state`` that raises changes nothing; the transfer ledger
and the escalation graph refuse malformed arguments."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from csflow.errors import ConfigError
from csflow.model import AgentProfile, Customer, Ticket, Tier
from csflow.queues import TicketQueue
from csflow.routing import (
    AgentPool,
    EscalationGraph,
    PreferredAgent,
    Router,
    TransferLedger,
    TransferPolicy,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
S = timedelta(seconds=1)
CUSTOMER = Customer("c1", Tier("regular", 0))


def ticket(tid: str, at: datetime = T0) -> Ticket:
    return Ticket(tid, CUSTOMER, "chat", at)


def to_plain(profile: AgentProfile) -> Any:
    return profile.id


def from_plain(raw: object, path: str) -> AgentProfile:
    if not isinstance(raw, str):
        raise ConfigError(f"expected an agent id, got {raw!r}", path)
    return AgentProfile(raw, capacity={"chat": 1})


# -- queues with counters of their own ------------------------------------------------------


def _two_queues() -> Router:
    return Router([TicketQueue("billing"), TicketQueue("tech")])


def test_a_router_whose_queues_have_their_own_counters_reads_its_state_back() -> None:
    router = _two_queues()
    tickets = {t.id: t for t in (ticket("T1"), ticket("T2", T0 + S), ticket("T3", T0 + 2 * S))}
    router.submit(tickets["T1"], at=T0, queue="tech")  # tech's counter hands out 0
    router.submit(tickets["T2"], at=T0 + S, queue="billing")  # billing's hands out 0 too
    router.submit(tickets["T3"], at=T0 + 2 * S, queue="tech")
    state = router.to_state(to_plain)
    assert state["sequence"] == 2  # above every number any queue handed out

    restored = _two_queues()
    restored.load_state(state, tickets, from_plain)
    assert restored.to_state(to_plain) == state
    # each queue's later tickets still come after its earlier ones (equal keys, FIFO)
    for r in (router, restored):
        r.submit(ticket("T4", T0 + 2 * S), at=T0 + 2 * S, queue="billing")
        r.submit(ticket("T5", T0 + 2 * S), at=T0 + 2 * S, queue="tech")
    for name in ("billing", "tech"):
        assert [e.ticket_id for e in restored.waiting(name)] == [
            e.ticket_id for e in router.waiting(name)
        ]


def test_a_desk_like_router_with_one_shared_counter_writes_the_same_sequence() -> None:
    seq = itertools.count()
    router = Router([TicketQueue("billing", sequence=seq), TicketQueue("tech", sequence=seq)])
    router.submit(ticket("T1"), at=T0, queue="tech")
    router.submit(ticket("T2"), at=T0, queue="billing")
    state = router.to_state(to_plain)
    assert state["sequence"] == 2
    assert [e[3] for q in state["queues"].values() for e in q["entries"]] == [1, 0]


# -- a load that raises changes nothing -----------------------------------------------------


def _router() -> Router:
    return Router(
        [TicketQueue("q", sequence=(s := itertools.count())), TicketQueue("r", sequence=s)],
        strategies=(PreferredAgent(timeout=timedelta(minutes=5)),),
    )


def _good_state() -> tuple[dict[str, Any], dict[str, Ticket]]:
    router = _router()
    router.add_agent(AgentProfile("A0", capacity={"chat": 1}), at=T0, presence="available")
    router.add_agent(AgentProfile("A1", capacity={"chat": 1}), at=T0, presence="available")
    tickets = {f"T{i}": ticket(f"T{i}", T0 + i * S) for i in range(5)}
    for i, t in enumerate(tickets.values()):
        router.submit(t, at=T0 + i * S, queue="q" if i % 2 else "r")
    assert len(router.waiting()) == 3
    return router.to_state(to_plain), tickets


def _breaks() -> dict[str, Callable[[dict[str, Any]], None]]:
    def set_(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
        def apply(state: dict[str, Any]) -> None:
            target: Any = state
            for part in path[:-1]:
                target = target[part]
            target[path[-1]] = value

        return apply

    return {
        "2nd agent's presence": set_(("pool", "agents", 1, "presence"), "lunch"),
        "2nd agent's profile": set_(("pool", "agents", 1, "profile"), 5),
        "pool counter": set_(("pool", "next_order"), 0),
        "2nd queue's entry": set_(("queues", "r", "entries", 1, 3), "x"),
        "last waiting ticket": set_(("waiting", -1, 11), 5),
        "a missing routing state": lambda state: state["waiting"].pop(),
        "a hold for an unknown agent": set_(("waiting", 0, 5), "A9"),
    }


@pytest.mark.parametrize("name", sorted(_breaks()))
def test_a_router_load_that_raises_leaves_it_empty_and_ready(name: str) -> None:
    good, tickets = _good_state()
    bad = copy.deepcopy(good)
    _breaks()[name](bad)
    router = _router()
    empty = router.to_state(to_plain)
    with pytest.raises(ConfigError):
        router.load_state(bad, tickets, from_plain)
    assert router.to_state(to_plain) == empty
    assert router.waiting() == []
    assert list(router.pool) == []
    assert router.next_step_at() is None
    router.load_state(good, tickets, from_plain)  # a retry with good data
    assert router.to_state(to_plain) == good


def test_a_profile_reader_that_raises_leaves_the_router_empty() -> None:
    good, tickets = _good_state()
    router = _router()
    empty = router.to_state(to_plain)

    def flaky(raw: object, path: str) -> AgentProfile:
        if raw == "A1":
            raise RuntimeError("database gone")
        return from_plain(raw, path)

    with pytest.raises(RuntimeError, match="database gone"):
        router.load_state(good, tickets, flaky)
    assert router.to_state(to_plain) == empty


def test_a_pool_load_that_raises_leaves_it_empty_with_its_counters() -> None:
    pool = AgentPool()
    pool.add(AgentProfile("A0", capacity={"chat": 1}), at=T0, presence="available")
    pool.add(AgentProfile("A1", capacity={"chat": 1}), at=T0, presence="available")
    pool.assign("A0", "T1", "chat", at=T0)
    state = pool.to_state(to_plain)
    bad = copy.deepcopy(state)
    bad["agents"][1]["presence"] = "lunch"
    fresh = AgentPool()
    empty = fresh.to_state(to_plain)
    with pytest.raises(ConfigError, match=r"agents\.agents\[1\]: presence state must be one of"):
        fresh.load_state(bad, from_plain, {"default"})
    assert fresh.to_state(to_plain) == empty
    assert fresh.holder("T1") is None
    assert fresh.with_spare("chat") == []
    fresh.load_state(state, from_plain, {"default"})
    assert fresh.to_state(to_plain) == state


# -- the transfer ledger and the escalation graph ------------------------------------------


def _ledger() -> TransferLedger:
    graph = EscalationGraph(["front", "tech"], [("front", "tech")], ["front"])
    ledger = TransferLedger(TransferPolicy(2), graph)
    ledger.hand_over("T1", at=T0)
    return ledger


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"T2": 1, "T3": 0}, r"transfers\.T3: expected a count of a known ticket, got 0"),
        ({"T4": 2, "zz": 1}, r"transfers\.zz: expected a known ticket id, got 'zz'"),
    ],
)
def test_a_ledger_load_that_raises_changes_nothing(data: dict[str, int], message: str) -> None:
    ledger = _ledger()
    with pytest.raises(ConfigError, match=message):
        ledger.load_state(data, {"T2", "T3", "T4"})
    assert ledger.to_state({"T1", "T2", "T3", "T4"}) == {"T1": 1}


BAD_IDS = [None, 5, ["T1"], ""]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_the_ledger_refuses_a_ticket_id_that_is_not_one(bad: Any) -> None:
    ledger = _ledger()
    shown = "''" if bad == "" else repr(bad).replace("[", r"\[").replace("]", r"\]")
    message = rf"ticket id must be a non-empty string of at most 256 characters, got {shown}"
    for call in (
        lambda: ledger.hand_over(bad, at=T0),
        lambda: ledger.count(bad),
        lambda: ledger.check(bad),
        lambda: ledger.would_flag(bad),
        lambda: ledger.forget(bad),
    ):
        with pytest.raises(ConfigError, match=message):
            call()
    assert ledger.to_state({"T1"}) == {"T1": 1}


def test_the_ledger_refuses_teams_that_are_not_names() -> None:
    ledger = _ledger()
    with pytest.raises(ConfigError, match=r"from_team must be a team name or None, got \['x'\]"):
        ledger.hand_over("T1", at=T0, kind="escalation", from_team=["x"], to_team="tech")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"to_team must be a team name or None, got 5"):
        TransferLedger().hand_over("T1", at=T0, to_team=5)  # type: ignore[arg-type]
    assert ledger.count("T1") == 1


def test_a_ledger_refuses_a_policy_or_graph_of_the_wrong_kind() -> None:
    with pytest.raises(ConfigError, match=r"policy must be a TransferPolicy or None, got 'x'"):
        TransferLedger("x")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"graph must be an EscalationGraph or None, got 'x'"):
        TransferLedger(None, "x")  # type: ignore[arg-type]


def test_the_escalation_graph_refuses_malformed_arguments() -> None:
    graph = EscalationGraph(["front", "tech"], [("front", "tech")], ["front"])
    with pytest.raises(ConfigError, match=r"team must be a team name, got \['front'\]"):
        graph.can_escalate(["front"], "tech")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"team must be a team name, got None"):
        graph.can_escalate("front", None)  # type: ignore[arg-type]
    assert graph.can_escalate("front", "tech")
    assert not graph.can_escalate("front", "nobody")
    with pytest.raises(ConfigError, match=r"team must be one of \['front', 'tech'\], got \['x'\]"):
        graph.targets(["x"])  # type: ignore[arg-type]
    for edges in (None, "ab", 5, {"a": "b"}):
        with pytest.raises(ConfigError, match=r"edges: must be a list of \(from, to\) pairs"):
            EscalationGraph(["a"], edges, ["a"])  # type: ignore[arg-type]
