"""A waiting ticket with a relaxation plan of its own (``Router.submit``'s *relaxation*)
in the router's state.

``Router.to_state`` wrote a waiting ticket's plan as the name of the queue it belongs to,
and failed with a bare ``KeyError`` for a plan of the ticket's own.  Such a plan is written
as its steps now: read back, the router has the original's future (the same relaxation
steps, at the same instants, and the same assignments); malformed plan data is a
``ConfigError`` with its path.
"""

from __future__ import annotations

import copy
import itertools
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Ticket, Tier
from csflow.desk.serialisation import profile_from_dict, profile_to_dict
from csflow.errors import ConfigError
from csflow.queues import DeadlineKey, TicketQueue
from csflow.routing import Overflowed, Relaxation, RelaxationStep, Relaxed, Router

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SHARED = Relaxation((RelaxationStep(timedelta(seconds=45), any_language=True),), name="shared")


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def make_router() -> Router:
    seq = itertools.count()  # one counter for queues that pass tickets to each other
    back = TicketQueue("back", DeadlineKey(fallback=timedelta(hours=1)), sequence=seq)
    return Router([TicketQueue("front", sequence=seq), back], relaxation={"front": SHARED})


def restored(router: Router, tickets: dict[str, Ticket]) -> Router:
    state = json.loads(json.dumps(router.to_state(profile_to_dict)))
    twin = make_router()
    twin.load_state(state, tickets, profile_from_dict)
    assert twin.to_state(profile_to_dict) == state
    return twin


steps = st.lists(
    st.tuples(
        st.integers(0, 300),
        st.one_of(st.none(), st.integers(1, 4)),
        st.booleans(),
        st.sampled_from([None, "back", "front"]),
    ).filter(lambda s: s[1] is not None or s[2] or s[3] is not None),
    min_size=1,
    max_size=4,
    unique_by=lambda s: s[0],
).map(sorted)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(steps, st.sampled_from(["front", "back"])), min_size=1, max_size=5),
    st.integers(0, 400),
    st.integers(0, 400),
)
def test_a_restored_router_has_the_original_s_future(
    plans: list[tuple[list[tuple[int, int | None, bool, str | None]], str]],
    cut_s: int,
    agent_s: int,
) -> None:
    router = make_router()
    tickets: dict[str, Ticket] = {}
    for n, (raw, queue) in enumerate(plans):
        plan = Relaxation(
            tuple(
                RelaxationStep(
                    timedelta(seconds=a), proficiency=p, any_language=lang, overflow_to=o
                )
                for a, p, lang, o in raw
            ),
            name=f"own-{n}",
        )
        ticket = Ticket(
            f"t{n}",
            Customer(f"c{n}", Tier("gold"), language="id"),
            "chat",
            at(n),
            required_skills={"refunds": 5},
        )
        tickets[ticket.id] = ticket
        assert router.submit(ticket, at=at(n), queue=queue, relaxation=plan) is None
    # An agent who speaks English and knows refunds a little joins at some point.
    expert = AgentProfile("ayu", skills={"refunds": 2}, languages={"en"}, capacity={"chat": 9})
    router.advance(at(cut_s))
    twin = restored(router, tickets)
    seen: list[Any] = []
    for r in (router, twin):
        out: list[Any] = []
        out += r.advance(at(max(cut_s, agent_s)))
        out += r.add_agent(expert, at=at(max(cut_s, agent_s)), presence="available")
        out += r.advance(at(1_000))
        seen.append(out)
    assert seen[0] == seen[1]
    assert router.to_state(profile_to_dict) == twin.to_state(profile_to_dict)


def test_a_worked_example() -> None:
    """``t`` needs refunds>=4 in ``front``, with its own plan: proficiency 2 after 30 s, then
    the back queue after 60 s.  Written at 10 s and read back, the twin relaxes it at 30 s,
    moves it at 60 s, and gives it at 70 s to an agent with refunds 2, as the original does."""
    router = make_router()
    ticket = Ticket("t", Customer("c", Tier("gold")), "chat", at(0), required_skills={"refunds": 4})
    own = Relaxation(
        (
            RelaxationStep(timedelta(seconds=30), proficiency=2),
            RelaxationStep(timedelta(seconds=60), overflow_to="back"),
        ),
        name="mine",
    )
    router.submit(ticket, at=at(0), queue="front", relaxation=own)
    state = router.to_state(profile_to_dict)
    assert state["waiting"][0][2] == {
        "name": "mine",
        "steps": [[30_000_000, 2, [], False, None], [60_000_000, None, [], False, "back"]],
    }
    twin = make_router()
    twin.load_state(json.loads(json.dumps(state)), {"t": ticket}, profile_from_dict)
    for r in (router, twin):
        assert r.next_step_at() == at(30)
        (relaxed,) = r.advance(at(30))
        assert isinstance(relaxed, Relaxed)
        assert str(relaxed.signature) == "[chat, refunds>=2]"
        (moved,) = r.advance(at(60))
        assert isinstance(moved, Overflowed)
        assert r.where("t")[0] == "back"
        agent = AgentProfile("eko", skills={"refunds": 2}, capacity={"chat": 1})
        (taken,) = r.add_agent(agent, at=at(70), presence="available")
        assert (taken.ticket_id, taken.agent_id) == ("t", "eko")


@pytest.mark.parametrize(
    ("bad", "path"),
    [
        ({"name": "x"}, "router.waiting[0][2]"),
        ({"name": 3, "steps": []}, "router.waiting[0][2].name"),
        ({"name": "x", "steps": "no"}, "router.waiting[0][2].steps"),
        ({"name": "x", "steps": [[-1, 2, [], False, None]]}, "router.waiting[0][2].steps[0]"),
        ({"name": "x", "steps": [[1, 9, [], False, None]]}, "router.waiting[0][2].steps[0]"),
        ({"name": "x", "steps": [[1, None, [], False, None]]}, "router.waiting[0][2].steps[0]"),
        ({"name": "x", "steps": [[1, 2, "ab", False, None]]}, "router.waiting[0][2].steps[0]"),
        (
            {"name": "x", "steps": [[1, 2, [], False, None], [1, 1, [], False, None]]},
            "router.waiting[0][2]",
        ),
        (
            {"name": "x", "steps": [[1, None, [], False, "nowhere"]]},
            "router.waiting[0][2].steps[0].overflow_to",
        ),
    ],
)
def test_malformed_plan_data_is_refused_with_its_path(bad: object, path: str) -> None:
    router = make_router()
    ticket = Ticket("t", Customer("c", Tier("gold")), "chat", at(0), required_skills={"refunds": 4})
    own = Relaxation((RelaxationStep(timedelta(seconds=30), proficiency=2),))
    router.submit(ticket, at=at(0), relaxation=own)
    state = copy.deepcopy(router.to_state(profile_to_dict))
    state["waiting"][0][2] = bad
    twin = make_router()
    with pytest.raises(ConfigError) as info:
        twin.load_state(state, {"t": ticket}, profile_from_dict)
    assert info.value.path == path
    assert twin.waiting() == []


def test_a_reader_that_allows_no_plan_of_a_ticket_s_own_refuses_one() -> None:
    """A desk's tickets follow their queues' plans: its reader passes ``own_plans=False``."""
    router = make_router()
    ticket = Ticket("t", Customer("c", Tier("gold")), "chat", at(0), required_skills={"refunds": 4})
    own = Relaxation((RelaxationStep(timedelta(seconds=30), proficiency=2),))
    router.submit(ticket, at=at(0), relaxation=own)
    state = router.to_state(profile_to_dict)
    twin = make_router()
    with pytest.raises(ConfigError) as info:
        twin.load_state(state, {"t": ticket}, profile_from_dict, own_plans=False)
    assert info.value.path == "router.waiting[0][2]"
    assert twin.waiting() == []
    # The queue's own plan is named by its queue, and reads back under either reader.
    shared = make_router()
    shared.submit(ticket, at=at(0), queue="front")
    named = shared.to_state(profile_to_dict)
    assert named["waiting"][0][2] == "front"
    make_router().load_state(named, {"t": ticket}, profile_from_dict, own_plans=False)
