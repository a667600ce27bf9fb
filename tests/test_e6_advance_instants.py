"""``Router.advance`` past several due instants decides as a host that woke at every one of
them: a ticket whose first timer falls due takes only the steps due at that instant, and is
routed with the routing profiles' delays it had waited by then -- worked by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from csflow import AgentProfile, Customer, Ticket, Tier
from csflow.queues import TicketQueue
from csflow.routing import (
    Assignment,
    LongestIdle,
    PinReleased,
    PreferredAgent,
    QueueSlot,
    Relaxation,
    RelaxationStep,
    Relaxed,
    Router,
    RoutingProfile,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
S = timedelta(seconds=1)


def advance_to(router: Router, at: datetime, *, every_step: bool) -> list[object]:
    out: list[object] = []
    if every_step:
        while (n := router.next_step_at()) is not None and n <= at:
            out += router.advance(n)
    out += router.advance(at)
    return out


def _relaxing_pair() -> Router:
    """One free agent with refunds 2.  X (queued first) relaxes to refunds>=4 at 30 s and to
    refunds>=2 at 90 s; Y relaxes to refunds>=2 at 60 s: at 60 s only Y fits the agent."""
    router = Router([TicketQueue("q")])
    agent = AgentProfile("ayu", skills={"refunds": 2}, capacity={"chat": 1})
    router.add_agent(agent, at=T0, presence="available")
    customer = Customer("c", Tier("gold"))
    plan_x = Relaxation(
        (
            RelaxationStep(30 * S, proficiency=4),
            RelaxationStep(90 * S, proficiency=2),
        )
    )
    plan_y = Relaxation((RelaxationStep(60 * S, proficiency=2),))
    x = Ticket("X", customer, "chat", T0, required_skills={"refunds": 5})
    assert router.submit(x, at=T0, relaxation=plan_x) is None
    y = Ticket("Y", customer, "chat", T0 + S, required_skills={"refunds": 5})
    assert router.submit(y, at=T0 + S, relaxation=plan_y) is None
    return router


@pytest.mark.parametrize("every_step", [True, False])
def test_a_later_step_waits_for_its_own_instant(every_step: bool) -> None:
    router = _relaxing_pair()
    changes = advance_to(router, T0 + 120 * S, every_step=every_step)
    taken = [(c.ticket_id, c.agent_id) for c in changes if isinstance(c, Assignment)]
    assert taken == [("Y", "ayu")]  # at 61 s; X fits her only from 90 s, when she is busy
    relaxed = [(c.ticket_id, c.step) for c in changes if isinstance(c, Relaxed)]
    assert relaxed == [("X", 1), ("Y", 1), ("X", 2)]  # at 30 s, 61 s and 90 s
    if not every_step:  # one call: everything is stamped with the instant it was called at
        stamps = {c.at_us for c in changes if isinstance(c, Relaxed | Assignment)}
        assert stamps == {int((T0 + 120 * S).timestamp()) * 1_000_000}
    assert [e.ticket_id for e in router.waiting()] == ["X"]


def _held_and_delayed() -> Router:
    """Fajar (front) serves queue ``a`` at once and is busy; Bima (back) serves it only for
    tickets that waited a minute, and is free.  Z waits from 0 s; W, queued after it, is held
    for Fajar (its customer's preferred agent) until 30 s."""
    router = Router(
        [TicketQueue("a")],
        [
            RoutingProfile("front", [QueueSlot("a")]),
            RoutingProfile("back", [QueueSlot("a", 1, timedelta(minutes=1))]),
        ],
        strategies=(PreferredAgent(timeout=30 * S), LongestIdle()),
    )
    for name, group in (("fajar", "front"), ("bima", "back")):
        profile = AgentProfile(name, capacity={"chat": 1})
        router.add_agent(profile, at=T0, presence="available", routing_profile=group)
    anyone = Customer("c1", Tier("gold"))
    first = router.submit(Ticket("busy", anyone, "chat", T0), at=T0)
    assert first is not None
    assert first.agent_id == "fajar"
    assert router.submit(Ticket("Z", anyone, "chat", T0), at=T0) is None
    loyal = Customer("c2", Tier("gold"), preferred_agent="fajar")
    assert router.submit(Ticket("W", loyal, "chat", T0), at=T0) is None
    assert router.where("W")[1].signature.agent == "fajar"
    return router


@pytest.mark.parametrize("every_step", [True, False])
def test_a_hold_that_ends_before_a_delay_does_not_open_the_delayed_group(
    every_step: bool,
) -> None:
    router = _held_and_delayed()
    changes = advance_to(router, T0 + 90 * S, every_step=every_step)
    # At 30 s W is open to everyone, but only Fajar serves it then, and he is busy; at 60 s
    # both cross Bima's delay, and he takes the first in line: Z.
    assert [type(c).__name__ for c in changes] == ["PinReleased", "Assignment"]
    released, taken = changes
    assert isinstance(released, PinReleased)
    assert released.ticket_id == "W"
    assert isinstance(taken, Assignment)
    assert (taken.ticket_id, taken.agent_id) == ("Z", "bima")
    assert [e.ticket_id for e in router.waiting()] == ["W"]
