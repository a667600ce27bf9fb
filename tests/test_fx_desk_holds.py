"""A restored preferred-agent hold must be one the router could have made and kept.

A hold (a ticket waiting for its customer's preferred or last agent) is made for an agent who
serves the ticket's channel, requirements and queue, and ends at most the longest pinning
timeout after it was made.  A snapshot edited to hold a ticket for an agent who serves
another queue, or until year 9999, would leave the ticket waiting for nobody while agents
sit idle beside it: the restore refuses it.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csflow import AgentProfile, ConfigError, Customer, Desk, DeskConfig, Ticket, Tier
from csflow._time import MAX_US, to_instant_us
from csflow.desk.serialisation import profile_from_dict, profile_to_dict
from csflow.queues import TicketQueue
from csflow.routing import LongestIdle, PreferredAgent, Router, RoutingProfile

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
M = timedelta(minutes=1)
AYU = Customer("ayu", Tier("regular", 1))
CFG = DeskConfig.from_dict(
    {
        "queues": [{"name": "front"}, {"name": "back"}],
        "routing_profiles": [
            {"name": "front", "queues": ["front"]},
            {"name": "back", "queues": ["back"]},
        ],
        "strategies": ["preferred_agent", "longest_idle"],
        "affinity": {"timeout": "PT5M", "recency": "P1D"},
    }
)


def _held_desk() -> Desk:
    """t2 waits for a1 (ayu's last agent, busy with t9) for 5 minutes; a3 serves only back."""
    desk = Desk(CFG)
    for aid, profile in (("a1", "front"), ("a2", "front"), ("a3", "back")):
        desk.add_agent(
            AgentProfile(aid, capacity={"chat": 1}),
            at=T0,
            presence="available",
            routing_profile=profile,
        )
    desk.set_presence("a2", "offline", at=T0)
    desk.submit(Ticket("t1", AYU, "chat", T0), at=T0)
    desk.resolve("t1", "a1", at=T0 + M)
    desk.submit(Ticket("t9", Customer("bob", Tier("regular", 1)), "chat", T0 + M), at=T0 + M)
    desk.submit(Ticket("t2", AYU, "chat", T0 + 2 * M), at=T0 + 2 * M)
    assert desk.ticket("t2").state == "queued"
    return desk


def _snap(desk: Desk) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(json.dumps(desk.snapshot()))
    return out


def _hold_for(snap: dict[str, Any], agent: str) -> tuple[dict[str, Any], int]:
    """*snap* with t2's hold moved to *agent* (its queue entry edited to match)."""
    bad = copy.deepcopy(snap)
    waiting = bad["state"]["router"]["waiting"]
    i = next(i for i, w in enumerate(waiting) if w[0] == "t2")
    waiting[i][5] = agent
    entry = next(e for e in bad["state"]["router"]["queues"]["front"]["entries"] if e[0] == "t2")
    entry[4][3] = agent
    return bad, i


def test_the_untampered_hold_restores_and_is_served() -> None:
    desk = Desk.restore(CFG, _snap(_held_desk()))
    desk.resolve("t9", "a1", at=T0 + 3 * M)
    assert desk.ticket("t2").agent_id == "a1"


def test_a_hold_for_an_agent_who_serves_another_queue_is_refused() -> None:
    desk = _held_desk()
    bad, i = _hold_for(_snap(desk), "a3")
    with pytest.raises(ConfigError, match=r"does not serve ticket 't2' in queue 'front'") as err:
        Desk.restore(CFG, bad)
    assert err.value.path == f"snapshot.state.router.waiting[{i}][5]"


def _router() -> Router:
    return Router(
        [TicketQueue("front"), TicketQueue("back")],
        [RoutingProfile("front", ["front"]), RoutingProfile("back", ["back"])],
        strategies=[PreferredAgent(timeout=timedelta(minutes=5)), LongestIdle()],
    )


def _router_state() -> tuple[dict[str, Any], int]:
    """A router's state with t2 held for busy a1 from T0 + 2 min, and that instant."""
    r = _router()
    r.add_agent(
        AgentProfile("a1", capacity={"chat": 1}),
        at=T0,
        presence="available",
        routing_profile="front",
    )
    r.submit(Ticket("t9", AYU, "chat", T0), at=T0)  # a1 is busy from now on
    at = T0 + 2 * M
    r.submit(Ticket("t2", AYU, "chat", at), at=at, last_agent="a1", last_contact_at=T0)
    state: dict[str, Any] = json.loads(json.dumps(r.to_state(profile_to_dict)))
    (w,) = state["waiting"]
    assert w[5] == "a1"
    assert w[6] == to_instant_us(at + 5 * M)
    return state, to_instant_us(at)


TICKETS = {t.id: t for t in (Ticket("t9", AYU, "chat", T0), Ticket("t2", AYU, "chat", T0 + 2 * M))}


@given(late=st.integers(1, 10**12))
def test_a_hold_ending_later_than_one_made_by_the_snapshot_instant_can_is_refused(
    late: int,
) -> None:
    state, made = _router_state()
    now = made + 30 * 10**6  # written 30 s after the hold was made
    latest = now + 5 * 60 * 10**6
    state["waiting"][0][6] = min(latest + late, MAX_US)
    fresh = _router()
    with pytest.raises(ConfigError, match=r"later than a hold made by") as err:
        fresh.load_state(state, TICKETS, profile_from_dict, now=now)
    assert err.value.path == "router.waiting[0][6]"
    # The same data with a hold that ends in time loads -- into the same router, which the
    # refusal left empty (load_state refuses a router that is not).
    state["waiting"][0][6] = latest
    fresh.load_state(state, TICKETS, profile_from_dict, now=now)


def test_a_hold_as_written_loads_with_the_instant_it_was_written_at() -> None:
    state, made = _router_state()
    _router().load_state(state, TICKETS, profile_from_dict, now=made)


def test_a_hold_under_a_chain_that_never_holds_is_refused_with_the_instant() -> None:
    state, made = _router_state()
    plain = Router(
        [TicketQueue("front"), TicketQueue("back")],
        [RoutingProfile("front", ["front"]), RoutingProfile("back", ["back"])],
    )
    with pytest.raises(ConfigError, match=r"no strategy of the chain holds") as err:
        plain.load_state(state, TICKETS, profile_from_dict, now=made)
    assert err.value.path == "router.waiting[0][5]"


def test_a_desk_snapshot_whose_hold_ends_in_year_9999_is_refused() -> None:
    # The desk passes the snapshot's instant to the router: a hold can end at most the
    # longest pinning timeout after it, so an edited deadline in 9999 is a tampered one.
    snap = _snap(_held_desk())
    bad = copy.deepcopy(snap)
    w = next(w for w in bad["state"]["router"]["waiting"] if w[0] == "t2")
    w[6] = 253402300799000000 - 1
    with pytest.raises(ConfigError, match="later than a hold made by") as info:
        Desk.restore(CFG, bad)
    assert info.value.path is not None
    assert info.value.path.endswith("[6]")
    Desk.restore(CFG, snap)  # the untampered snapshot restores
