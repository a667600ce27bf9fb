"""Laws of csflow.routing: relaxation only widens, batch plans are valid, optimal >= greedy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.model import AgentProfile, Customer, Ticket, Tier
from csflow.queues import Signature, TicketQueue
from csflow.routing import (
    AgentPool,
    BatchPlan,
    CapacityRules,
    QueueSlot,
    RelaxationStep,
    Router,
    RoutingProfile,
)
from strategies import agent_profiles

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SKILLS = ["refunds", "billing", "tech", "orders"]
LANGS = ["id", "en", "jv"]
CHANNELS = ["chat", "email", "whatsapp"]


def staff(min_size: int, max_size: int) -> st.SearchStrategy[list[AgentProfile]]:
    """Agents ``a0``, ``a1`` ... (ids by position), each speaking one or two languages."""
    return st.integers(min_size, max_size).flatmap(
        lambda n: st.tuples(
            *(
                agent_profiles(
                    f"a{i}", skills=SKILLS, languages=LANGS, channels=CHANNELS, max_languages=2
                )
                for i in range(n)
            )
        ).map(list)
    )


signatures = st.builds(
    Signature,
    st.sampled_from(CHANNELS),
    st.none() | st.sampled_from(LANGS),
    st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 5), max_size=3),
)

steps = (
    st.tuples(
        st.none() | st.integers(1, 5),
        st.frozensets(st.sampled_from(SKILLS), max_size=2),
        st.booleans(),
    )
    .filter(lambda p: p[0] is not None or p[1] or p[2])  # a step must change something
    .map(
        lambda p: RelaxationStep(
            timedelta(seconds=30), proficiency=p[0], drop=p[1], any_language=p[2]
        )
    )
)


@settings(max_examples=100)
@given(
    staff(1, 8),
    signatures,
    st.lists(steps, min_size=1, max_size=3),
    st.sampled_from(["available", "busy"]),
)
def test_relaxation_only_widens_the_candidate_set(
    agents: list[AgentProfile],
    sig: Signature,
    plan: list[RelaxationStep],
    presence: str,
) -> None:
    pool = AgentPool()
    for profile in agents:
        pool.add(profile, at=T0, presence=presence)
    before = set(pool.candidates(sig))
    assert before == {a.id for a in agents if sig.admits(a) and pool.can_take(a.id, sig.channel)}
    current = sig
    for step in plan:
        relaxed = step.apply(current)
        # statically and in the pool, every agent admitted before is admitted after
        assert all(relaxed.admits(a) for a in agents if current.admits(a))
        after = set(pool.candidates(relaxed))
        assert before <= after
        assert pool.count_candidates(relaxed) == len(after)
        # and the relaxed requirement is never stricter, skill by skill
        need = {r.skill: r.min_proficiency for r in relaxed.skills}
        assert all(need.get(r.skill, 0) <= r.min_proficiency for r in current.skills)
        assert set(need) <= {r.skill for r in current.skills}
        current, before = relaxed, after


TIER = Tier("gold", 2)


def _router(
    agents: list[AgentProfile], tickets: list[tuple[str, dict[str, int]]], groups: list[str]
) -> Router:
    router = Router(
        [TicketQueue("q1"), TicketQueue("q2")],
        [
            RoutingProfile("front", [QueueSlot("q1", 1), QueueSlot("q2", 2)]),
            RoutingProfile("back", [QueueSlot("q2", 1)]),
        ],
        pool=AgentPool(CapacityRules(weights={"email": 2}, budget=4)),
    )
    for profile, group in zip(agents, groups, strict=True):
        router.add_agent(profile, at=T0, presence="offline", routing_profile=group)
    for i, (lang, skills) in enumerate(tickets):
        t = Ticket(f"t{i}", Customer(f"c{i}", TIER, language=lang), "chat", T0, "normal",
                   required_skills=skills)  # fmt: skip
        router.submit(t, at=T0 + timedelta(seconds=i), queue=["q1", "q2"][i % 2])
    # a burst of log-ins: nobody pulls, the batch decides
    for profile in agents:
        router.set_presence(profile.id, "available", at=T0 + timedelta(minutes=1), pull=False)
    return router


def _check_plan(router: Router, plan: BatchPlan) -> None:
    pool = router.pool
    ids = [t for t, _ in plan.pairs]
    assert len(set(ids)) == len(ids)
    per_agent: dict[str, int] = {}
    for tid, aid in plan.pairs:
        _, entry = router.where(tid)
        # never an ineligible agent
        assert entry.signature.admits(pool.status(aid).profile)
        assert pool.is_eligible(aid, entry.signature)
        per_agent[aid] = per_agent.get(aid, 0) + 1
    for aid, n in per_agent.items():
        assert n <= pool.spare(aid, "chat")  # never over capacity


batch_cases = st.tuples(
    staff(1, 6).flatmap(
        lambda agents: st.lists(
            st.sampled_from(["front", "back"]), min_size=len(agents), max_size=len(agents)
        ).map(lambda groups: list(zip(agents, groups, strict=True)))
    ),
    st.lists(
        st.tuples(
            st.sampled_from(LANGS),
            st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 4), max_size=2),
        ),
        min_size=1,
        max_size=14,
    ),
)


@settings(max_examples=80)
@given(batch_cases)
def test_optimal_batch_never_scores_below_greedy(
    case: tuple[list[tuple[AgentProfile, str]], list[tuple[str, dict[str, int]]]],
) -> None:
    staffed, tickets = case
    agents = [p for p, _ in staffed]
    router = _router(agents, tickets, [g for _, g in staffed])
    at = T0 + timedelta(minutes=1)
    greedy = router.plan_batch(at=at, method="greedy", channel="chat")
    optimal = router.plan_batch(at=at, method="optimal", channel="chat")
    assert optimal.score >= greedy.score
    # the default score puts size first: optimal assigns at least as many tickets
    assert len(optimal.pairs) >= len(greedy.pairs)
    assert (greedy.tickets, greedy.slots) == (optimal.tickets, optimal.slots)
    _check_plan(router, greedy)
    _check_plan(router, optimal)
    # applying the plan changes exactly what it said, and the capacity holds
    waiting_before = {e.ticket_id for e in router.waiting()}
    done = router.assign_batch(at=at, method="optimal", channel="chat")
    assert sorted((a.ticket_id, a.agent_id) for a in done) == sorted(optimal.pairs)
    assert {e.ticket_id for e in router.waiting()} == waiting_before - {a.ticket_id for a in done}
    for a in done:
        assert a.reason.how == "batch"
        assert router.pool.holder(a.ticket_id) == a.agent_id
    for profile in agents:
        status = router.pool.status(profile.id)
        for channel, n in status.counts.items():
            assert n <= profile.capacity[channel]
        assert status.load <= 4
