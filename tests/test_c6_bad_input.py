"""Bad input to routing, queues, people and the value objects: a typed error naming the value,
and nothing changed -- for the arguments and constructors the wider suites do not reach.

Each property throws wrong values (``None``, numbers, strings where collections are wanted,
sets where order matters, mappings, over-long ids) at one call and checks that it raises a
:class:`~csflow.errors.CsflowError` (never ``TypeError`` or ``AttributeError``) whose message
names the value, and that the object's state snapshot is what it was.  Values a call accepts
must survive the object's own state round trip (what it writes, it reads back).
"""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import csflow.errors as errors_module
from csflow.errors import (
    CapacityExceededError,
    ConfigError,
    CsflowError,
    DuplicateAgentError,
    InvalidTransitionError,
    UnknownAgentError,
    UnknownTicketError,
)
from csflow.model import (
    AgentProfile,
    Channel,
    Customer,
    Metric,
    MetricMap,
    SkillRequirement,
    Ticket,
    Tier,
)
from csflow.people import (
    CONSISTENCY_MEASURES,
    GoodwillTotal,
    Satisfaction,
    consistency,
    people_report,
)
from csflow.queues import Signature, TicketQueue
from csflow.routing import (
    AgentPool,
    CapacityRules,
    EscalationGraph,
    LongestIdle,
    PreferredAgent,
    PresenceStates,
    Relaxation,
    RelaxationStep,
    Router,
    RoutingProfile,
    TransferLedger,
    TransferPolicy,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
M = timedelta(minutes=1)
GOLD = Tier("gold", 3)
STEP = RelaxationStep(M, proficiency=1)


def ticket(tid: str, channel: str = "chat") -> Ticket:
    return Ticket(tid, Customer(f"c-{tid}", GOLD, language="id"), channel, T0)


MAIN_PLAN = Relaxation((STEP,), name="main")


def new_router() -> Router:
    seq = itertools.count()
    return Router(
        [TicketQueue("main", sequence=seq), TicketQueue("spare", sequence=seq)],
        relaxation={"main": MAIN_PLAN},
        strategies=[PreferredAgent(5 * M), LongestIdle()],
    )


def build_router() -> Router:
    """a1 holds t1; a2 (offline) is t2's last agent, so t2 waits for it; t3 waits."""
    router = new_router()
    router.add_agent(AgentProfile("a1", {}, ["id"], {"chat": 1}), at=T0, presence="available")
    router.add_agent(AgentProfile("a2", {}, ["id"], {"chat": 1}), at=T0)
    router.submit(ticket("t1"), at=T0)
    router.submit(ticket("t2"), at=T0, last_agent="a2", last_contact_at=T0)
    router.submit(ticket("t3"), at=T0)
    return router


def state(router: Router) -> str:
    return repr(router.to_state(repr))


def reload(router: Router) -> Router:
    """A new router of the same configuration, filled from *router*'s state."""
    data = router.to_state(lambda p: [p.id, dict(p.skills), sorted(p.languages), dict(p.capacity)])
    fresh = new_router()
    tickets = {e.ticket_id: e.ticket for e in router.waiting() if e.ticket is not None}

    def profile(raw: object, _path: str) -> AgentProfile:
        assert isinstance(raw, list)
        return AgentProfile(raw[0], raw[1], raw[2], raw[3])

    fresh.load_state(data, tickets, profile, own_plans=True)
    return fresh


def mentions(message: str, value: object) -> bool:
    """Whether *message* names *value*: its repr (a long one by its beginning) or, for a
    list, the element at fault."""
    text = repr(value)
    if text in message or (len(text) > 200 and text[:100] in message):
        return True
    return isinstance(value, list) and any(mentions(message, v) for v in value)


def refused(call: Callable[[], object], value: object) -> CsflowError:
    """*call* raises a CsflowError (nothing else) whose message names *value*."""
    caught: CsflowError | None = None
    try:
        result = call()
    except CsflowError as exc:
        caught = exc
    except Exception as exc:  # pragma: no cover - the failure being tested for
        pytest.fail(f"leaked {type(exc).__name__}: {exc}")
    else:
        pytest.fail(f"accepted {value!r}, returned {result!r}")
    assert mentions(str(caught), value), f"{caught} does not name {value!r}"
    return caught


NOT_ITERABLE: st.SearchStrategy[object] = st.sampled_from([None, 5, 1.5, True, math.nan, object()])
NOT_BOOL: st.SearchStrategy[object] = st.sampled_from(
    [None, 0, 1, 5, "yes", "no", "", [], {}, 1.0, math.nan]
)


# -- the router's constructor --------------------------------------------------------------


@settings(max_examples=30)
@given(value=st.one_of(NOT_ITERABLE, st.just("main"), st.just({"main": 1})))
def test_router_refuses_queues_and_profiles_that_are_no_collections(value: object) -> None:
    refused(lambda: Router(value), value)  # type: ignore[arg-type]
    refused(lambda: Router([TicketQueue("main")], value), value)  # type: ignore[arg-type]


@settings(max_examples=20)
@given(value=st.sampled_from([5, "pool", [], AgentPool, CapacityRules()]))
def test_router_refuses_a_pool_that_is_no_agent_pool(value: object) -> None:
    refused(lambda: Router([TicketQueue("main")], pool=value), value)  # type: ignore[arg-type]


@settings(max_examples=20)
@given(value=st.sampled_from([5, "main", [("main", Relaxation((STEP,)))], Relaxation((STEP,))]))
def test_router_refuses_a_relaxation_that_is_no_mapping(value: object) -> None:
    refused(lambda: Router([TicketQueue("main")], relaxation=value), value)  # type: ignore[arg-type]


# -- relaxation plans, routing profiles, capacity rules, signatures ------------------------


@settings(max_examples=30)
@given(value=st.one_of(NOT_ITERABLE, st.just({STEP}), st.just({STEP: 1}), st.just("abc")))
def test_relaxation_steps_must_be_a_sequence_of_steps(value: object) -> None:
    refused(lambda: Relaxation(value), value)  # type: ignore[arg-type]


@settings(max_examples=30)
@given(
    value=st.one_of(
        st.sampled_from([None, 5, [], b"x", True]), st.text(min_size=65, max_size=70_000)
    )
)
def test_relaxation_name_must_be_a_short_string(value: object) -> None:
    refused(lambda: Relaxation((STEP,), name=value), value)  # type: ignore[arg-type]


@settings(max_examples=25, deadline=None)
@given(name=st.text(max_size=64))
def test_a_plan_of_its_own_with_any_accepted_name_reads_back(name: str) -> None:
    router = build_router()
    plan = Relaxation((RelaxationStep(2 * M, any_language=True),), name=name)
    router.submit(ticket("t9"), at=T0 + M, queue="spare", relaxation=plan)
    back = reload(router)
    assert state(back) == state(router)


@settings(max_examples=20)
@given(value=NOT_ITERABLE)
def test_routing_profile_queues_must_be_a_collection(value: object) -> None:
    refused(lambda: RoutingProfile("p", value), value)  # type: ignore[arg-type]


@settings(max_examples=20)
@given(value=st.one_of(NOT_ITERABLE, st.just({"phone": 1}), st.just("phone")))
def test_capacity_rules_exclusive_must_be_a_collection_of_channels(value: object) -> None:
    refused(lambda: CapacityRules(exclusive=value), value)  # type: ignore[arg-type]


def test_capacity_rules_exclusive_worked_example() -> None:
    assert CapacityRules(exclusive=["phone", Channel("video")]).exclusive == {"phone", "video"}
    assert CapacityRules(exclusive=()).exclusive == frozenset()


@settings(max_examples=20)
@given(value=NOT_ITERABLE)
def test_signature_skills_must_be_a_collection(value: object) -> None:
    refused(lambda: Signature("chat", None, value), value)  # type: ignore[arg-type]


@settings(max_examples=30)
@given(
    value=st.one_of(
        st.sampled_from(["EN", "Id", "en us", "", 5, [], "x" * 65]),
        st.text(min_size=1, max_size=8).filter(lambda s: s != s.lower() or " " in s),
    )
)
def test_signature_language_is_a_language_name_as_tickets_have_them(value: object) -> None:
    refused(lambda: Signature("chat", value), value)  # type: ignore[arg-type]


def test_a_signature_language_of_a_ticket_is_accepted() -> None:
    t = Ticket("t1", Customer("c1", GOLD, language="en-us"), "chat", T0)
    assert Signature.of(t) == Signature("chat", "en-us")
    # A language no agent names would make the ticket wait for nobody.
    agent = AgentProfile("a1", {}, ["en"], {"chat": 1})
    assert Signature("chat", "en").admits(agent)


@settings(max_examples=20)
@given(value=st.one_of(st.sampled_from(["", 5, ["a1"]]), st.text(min_size=257, max_size=300)))
def test_signature_pinned_agent_is_an_agent_id(value: object) -> None:
    refused(lambda: Signature("chat", None, (), value), value)  # type: ignore[arg-type]
    refused(lambda: Signature("chat").pinned(value), value)  # type: ignore[arg-type]


# -- the router's commands ----------------------------------------------------------------


@settings(max_examples=30)
@given(value=st.one_of(st.just(""), st.text(min_size=257, max_size=400)))
def test_submit_refuses_a_handed_off_by_that_is_no_agent_id(value: str) -> None:
    router = build_router()
    before = state(router)
    refused(lambda: router.submit(ticket("t9"), at=T0 + M, handed_off_by=value), value)
    assert state(router) == before


@settings(max_examples=25, deadline=None)
@given(value=st.text(min_size=1, max_size=256))
def test_any_handed_off_by_submit_accepts_reads_back(value: str) -> None:
    router = build_router()
    router.submit(ticket("t9"), at=T0 + M, handed_off_by=value)
    back = reload(router)
    assert back.handed_off_by("t9") == value
    assert state(back) == state(router)


PULL_CALLS: dict[str, Callable[[Router, Any], object]] = {
    "add_agent": lambda r, v: r.add_agent(
        AgentProfile("a3", {}, ["id"], {"chat": 1}), at=T0 + M, presence="available", pull=v
    ),
    "update_agent": lambda r, v: r.update_agent(
        AgentProfile("a1", {}, ["id"], {"chat": 2}), at=T0 + M, pull=v
    ),
    "set_presence": lambda r, v: r.set_presence("a2", "available", at=T0 + M, pull=v),
    "set_presence_off": lambda r, v: r.set_presence("a1", "away", at=T0 + M, pull=v),
    "release": lambda r, v: r.release("a1", "t1", at=T0 + M, pull=v),
    "release_pins": lambda r, v: r.release_pins("a2", at=T0 + M, pull=v),
}


@pytest.mark.parametrize("command", sorted(PULL_CALLS))
@settings(max_examples=12)
@given(value=NOT_BOOL)
def test_pull_must_be_true_or_false_and_a_refused_command_changes_nothing(
    command: str, value: object
) -> None:
    router = build_router()
    before = state(router)
    refused(lambda: PULL_CALLS[command](router, value), value)
    assert state(router) == before


@pytest.mark.parametrize("command", sorted(PULL_CALLS))
def test_pull_false_and_true_still_work(command: str) -> None:
    for flag in (False, True):
        router = build_router()
        PULL_CALLS[command](router, flag)


def test_a_duplicate_agent_is_a_duplicate_agent_error() -> None:
    router = build_router()
    before = state(router)
    with pytest.raises(DuplicateAgentError, match="'a1'"):
        router.add_agent(AgentProfile("a1", {}, ["id"], {"chat": 1}), at=T0 + M)
    assert state(router) == before


# -- queue sequences ----------------------------------------------------------------------


@settings(max_examples=30)
@given(
    value=st.one_of(
        st.sampled_from([[1], (0,), 5, "abc"]),
        st.lists(st.integers(0, 10), max_size=3).map(iter),
        st.integers(2, 5).map(lambda step: itertools.count(0, step)),
        st.integers(-(10**6), -1).map(itertools.count),
        st.integers(2**63, 2**70).map(itertools.count),
        st.just(itertools.count(0.5)),
    )
)
def test_a_queue_sequence_is_a_count_of_step_one_in_range(value: object) -> None:
    refused(lambda: TicketQueue("q", sequence=value), value)  # type: ignore[arg-type]


@settings(max_examples=20, deadline=None)
@given(start=st.integers(0, 2**62))
def test_a_router_over_any_accepted_sequence_writes_and_reads_its_state(start: int) -> None:
    seq = itertools.count(start)
    router = Router(
        [TicketQueue("main", sequence=seq), TicketQueue("spare", sequence=seq)],
        relaxation={"main": MAIN_PLAN},
        strategies=[PreferredAgent(5 * M), LongestIdle()],
    )
    router.submit(ticket("t1"), at=T0)
    router.submit(ticket("t2"), at=T0, queue="spare")
    assert [e.key[2] for e in router.waiting()] == [start, start + 1]
    assert state(reload(router)) == state(router)


# -- people ---------------------------------------------------------------------------------


@settings(max_examples=20)
@given(value=st.sampled_from([None, 5, 1.5, True, object()]))
def test_consistency_measures_must_be_a_collection(value: object) -> None:
    report = people_report([])
    refused(lambda: consistency(report, measures=value), value)  # type: ignore[arg-type]


@settings(max_examples=20)
@given(value=st.one_of(st.sampled_from([None, 5, "", "nope", "agent_id"]), st.text(max_size=5)))
def test_agent_standard_measure_names_a_known_measure(value: object) -> None:
    from csflow.events import TicketAssigned

    report = people_report([TicketAssigned(T0, "t1", "a1", 0.0, 1, "")])
    standard = report.agents["a1"]
    if value in CONSISTENCY_MEASURES:
        return
    refused(lambda: standard.measure(value), value)  # type: ignore[arg-type]


def test_agent_standard_measures_worked_example() -> None:
    from csflow.events import TicketAssigned

    report = people_report([TicketAssigned(T0, "t1", "a1", 0.0, 1, "")])
    standard = report.agents["a1"]
    assert standard.measure("transfer_rate") == 0.0
    assert standard.measure("csat") is None


@settings(max_examples=60)
@given(ratings=st.lists(st.one_of(st.integers(-3, 9), st.sampled_from([True, 1.5, None, "5"]))))
def test_satisfaction_add_takes_ratings_from_one_to_five_only(ratings: list[object]) -> None:
    total = Satisfaction()
    good: list[int] = []
    for r in ratings:
        if type(r) is int and 1 <= r <= 5:
            total = total.add(r)
            good.append(r)
        else:
            before = total
            refused(lambda: total.add(r), r)  # type: ignore[arg-type]  # noqa: B023
            assert total == before
    # The naive reference: counts, the share of 4s and 5s, the sum.
    assert total.responses == len(good)
    assert total.satisfied == sum(1 for r in good if r >= 4)
    assert total.total == sum(good)


@settings(max_examples=30)
@given(
    value=st.sampled_from(
        [None, 1.5, "1", Decimal("NaN"), Decimal("Infinity"), Decimal("-1"), Decimal(0), 1]
    )
)
def test_goodwill_total_add_takes_a_grant_amount_only(value: object) -> None:
    total = GoodwillTotal()
    refused(lambda: total.add(value), value)  # type: ignore[arg-type]


def test_goodwill_total_add_worked_example() -> None:
    total = GoodwillTotal().add(Decimal("10.50")).add(Decimal("0.000001"))
    assert total == GoodwillTotal(2, Decimal("10.500001"))


# -- value objects ----------------------------------------------------------------------------


@settings(max_examples=20)
@given(value=st.sampled_from([[], {}, set(), ["first_response"], None, 5]))
def test_metric_map_membership_of_anything_is_an_answer(value: object) -> None:
    clocks: MetricMap[int] = MetricMap({Metric.RESOLUTION: 1})
    assert value not in clocks
    assert clocks.get(value, "none") == "none"  # type: ignore[arg-type]
    assert "resolution" in clocks  # type: ignore[comparison-overlap]
    assert clocks.get("RESOLUTION") == 1


@settings(max_examples=20)
@given(value=st.sampled_from([None, 5, "tech", ["tech"], [("tech", 3)]]))
def test_satisfied_by_needs_a_mapping(value: object) -> None:
    refused(lambda: SkillRequirement("tech", 2).satisfied_by(value), value)  # type: ignore[arg-type]


@settings(max_examples=20)
@given(value=st.sampled_from([None, 5, "tech", ["tech"], [None], {"tech": 2}]))
def test_meets_needs_skill_requirements(value: object) -> None:
    agent = AgentProfile("a1", {"tech": 3})
    exc = refused(lambda: agent.meets(value), value)  # type: ignore[arg-type]
    assert isinstance(exc, ConfigError)


def test_meets_and_proficiency_worked_examples() -> None:
    agent = AgentProfile("a1", {"tech": 3})
    assert agent.meets([SkillRequirement("tech", 3)])
    assert not agent.meets((SkillRequirement("tech", 4),))
    assert agent.meets([])
    assert agent.proficiency("tech") == 3
    assert agent.proficiency("billing") == 0
    refused(lambda: agent.proficiency(["tech"]), ["tech"])  # type: ignore[arg-type]


def test_a_capacity_naming_one_channel_twice_is_refused() -> None:
    value = {"chat": 1, Channel("chat"): 2}
    refused(lambda: AgentProfile("a1", capacity=value), "chat")  # type: ignore[arg-type]
    assert dict(AgentProfile("a1", capacity={Channel("chat"): 2}).capacity) == {"chat": 2}


# -- errors.md: each class says where csflow raises it ---------------------------------------


def _raises(cls: type[CsflowError], call: Callable[[], object]) -> None:
    with pytest.raises(cls):
        call()


def test_the_errors_reference_says_where_each_error_is_raised() -> None:
    documented = {
        name
        for name in errors_module.__all__
        if isinstance(getattr(errors_module, name), type)
        and issubclass(getattr(errors_module, name), CsflowError)
    }
    defined = {
        name
        for name, value in vars(errors_module).items()
        if isinstance(value, type) and issubclass(value, CsflowError)
    }
    assert documented == defined
    # The places the docstrings name, one call each.
    router = build_router()
    _raises(UnknownTicketError, lambda: router.where("t-none"))
    _raises(UnknownTicketError, lambda: router.release("a1", "t3", at=T0 + M))
    _raises(UnknownAgentError, lambda: router.pool.status("a9"))
    _raises(CapacityExceededError, lambda: router.pool.assign("a2", "t9", "chat", at=T0 + M))
    graph = EscalationGraph(["front", "tech"], [("front", "tech")], ["front"])
    ledger = TransferLedger(TransferPolicy(3), graph)
    _raises(
        InvalidTransitionError,
        lambda: ledger.hand_over("t1", at=T0, kind="escalation", from_team="tech", to_team="front"),
    )
    text = {name: (getattr(errors_module, name).__doc__ or "") for name in documented}
    assert "queue" in text["UnknownTicketError"]
    assert "agent" in text["UnknownTicketError"]
    assert "pool" in text["UnknownAgentError"]
    assert "presence" in text["CapacityExceededError"]
    assert "escalation graph" in text["InvalidTransitionError"]
    assert "earlier" in text["InvalidTransitionError"]


# -- no aliasing: what a pool indexes by cannot change behind its back ---------------------


def test_capacity_and_presence_rules_are_read_only_copies() -> None:
    weights: dict[Channel | str, int] = {"email": 2}
    custom = {"lunch": False}
    rules = CapacityRules(weights=weights, limits={"chat": 1})
    presence = PresenceStates(custom)
    pool = AgentPool(rules, presence)
    pool.add(AgentProfile("a1", {}, ["id"], {"chat": 2, "email": 2}), at=T0, presence="lunch")
    weights["email"] = 9  # the caller's own dicts: copied
    custom["lunch"] = True
    before = pool.status("a1")
    changes: list[tuple[dict[str, Any], str, object]] = [
        (rules.limits, "chat", 0),  # type: ignore[list-item]
        (rules.weights, "email", 1),  # type: ignore[list-item]
        (presence.custom, "lunch", True),  # type: ignore[list-item]
    ]
    for mapping, key, value in changes:
        with pytest.raises(TypeError, match="read-only"):
            mapping[key] = value
    assert dict(rules.weights) == {"email": 2}
    assert dict(rules.limits) == {"chat": 1}
    assert not presence.routable("lunch")
    assert pool.status("a1") == before
    assert rules == CapacityRules(weights={"email": 2}, limits={"chat": 1})


# -- a router's state, corrupted anywhere, is refused and the router stays empty -----------


def _profile_to_plain(p: AgentProfile) -> list[object]:
    return [p.id, dict(p.skills), sorted(p.languages), dict(p.capacity)]


def _profile_from_plain(raw: object, path: str) -> AgentProfile:
    if not isinstance(raw, list) or len(raw) != 4:
        raise ConfigError(f"expected [id, skills, languages, capacity], got {raw!r}", path)
    return AgentProfile(raw[0], raw[1], raw[2], raw[3])


def _rich_router() -> Router:
    router = build_router()
    router.submit(ticket("t4"), at=T0, queue="spare", handed_off_by="a1")
    own = Relaxation((RelaxationStep(2 * M, any_language=True),), name="own")
    router.submit(ticket("t5"), at=T0, relaxation=own)
    return router


def _places(value: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    out = [path] if path else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _places(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _places(v, (*path, i))
    return out


WRONG_STATE_VALUES: list[object] = [None, 5, -1, "", "x", [], {}, True, 2**70, 1.5, "a9", ["a1"]]


def test_router_load_state_refuses_a_wrong_value_anywhere_and_stays_empty() -> None:
    good = _rich_router().to_state(_profile_to_plain)
    tickets = {t: ticket(t) for t in ("t1", "t2", "t3", "t4", "t5")}
    empty = repr(new_router().to_state(_profile_to_plain))
    problems: list[str] = []
    for place in _places(good):
        for wrong in WRONG_STATE_VALUES:
            data = copy.deepcopy(good)
            holder: Any = data
            for key in place[:-1]:
                holder = holder[key]
            if holder[place[-1]] == wrong and type(holder[place[-1]]) is type(wrong):
                continue
            holder[place[-1]] = wrong
            router = new_router()
            try:
                router.load_state(data, tickets, _profile_from_plain)
            except CsflowError:
                if repr(router.to_state(_profile_to_plain)) != empty:
                    problems.append(f"{place} = {wrong!r}: refused, but the router changed")
            except Exception as exc:
                problems.append(f"{place} = {wrong!r}: leaked {type(exc).__name__}: {exc}")
    assert not problems, "\n".join(problems[:20])
    # And the good state reads back to itself.
    back = new_router()
    back.load_state(good, tickets, _profile_from_plain)
    assert back.to_state(_profile_to_plain) == good


def test_an_agent_group_that_is_a_list_is_a_config_error() -> None:
    data = _rich_router().to_state(_profile_to_plain)
    data["pool"]["agents"][0]["group"] = ["default"]
    router = new_router()
    with pytest.raises(ConfigError, match=r"unknown routing profile \['default'\]") as caught:
        router.load_state(data, {t: ticket(t) for t in ("t2", "t3")}, _profile_from_plain)
    assert caught.value.path == "router.pool.agents[0].group"
