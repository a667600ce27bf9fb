"""Overflow and the target queue's order.

1. A ticket that overflows joins the target queue keyed by that queue's key policy, as of
   when it joined the line (its sequence number kept): the target's line is then the order a
   reference computes from the docs -- its key policy over every ticket in it, ties first in,
   first out -- whatever the source queue's policy was.  Between queues that order alike,
   the key is the one the ticket had (its place in line).
2. A relaxation plan that would overflow a ticket with no SLA due instant into a queue
   ordered by deadline without a fallback is refused (``ConfigError`` naming the step), by
   the router, by a per-ticket plan at submit (nothing changes) and by a desk; a plan from a
   queue ordered the same way is accepted.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import Customer, Desk, DeskConfig, Priority, Ticket, Tier
from csflow._time import to_instant_us
from csflow.errors import ConfigError
from csflow.queues import AgingKey, DeadlineKey, KeyContext, TicketQueue
from csflow.routing import Overflowed, Relaxation, RelaxationStep, Router

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TIERS = ("gold", "silver", "bronze")


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def plan_to(target: str, after_s: int = 300) -> Relaxation:
    return Relaxation((RelaxationStep(timedelta(seconds=after_s), overflow_to=target),))


# -- 1. the target queue's order ---------------------------------------------------------------

aging_keys = st.builds(
    AgingKey,
    st.dictionaries(
        st.sampled_from(TIERS), st.integers(0, 3_600).map(lambda s: timedelta(seconds=s))
    ),
    default=st.integers(0, 3_600).map(lambda s: timedelta(seconds=s)),
)
deadline_keys = st.builds(
    DeadlineKey, fallback=st.integers(0, 7_200).map(lambda s: timedelta(seconds=s))
)
key_policies = st.one_of(aging_keys, deadline_keys)

arrivals = st.lists(
    st.tuples(
        st.sampled_from(("a", "b")),
        st.integers(0, 900),  # seconds after T0
        st.sampled_from(TIERS),
        st.sampled_from(list(Priority)),
        st.one_of(st.none(), st.integers(0, 7_200)),  # SLA due, seconds after T0
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=120, deadline=None)
@given(key_policies, key_policies, arrivals)
def test_an_overflowed_ticket_is_ordered_as_the_target_orders_its_own(
    key_a: AgingKey | DeadlineKey,
    key_b: AgingKey | DeadlineKey,
    tickets: list[tuple[str, int, str, Priority, int | None]],
) -> None:
    seq = itertools.count()
    router = Router(
        [TicketQueue("a", key_a, sequence=seq), TicketQueue("b", key_b, sequence=seq)],
        relaxation={"a": plan_to("b")},
    )
    tickets = sorted(tickets, key=lambda t: t[1])
    expected: list[tuple[tuple[int, int], int, str]] = []
    for n, (queue, when, tier, priority, due_s) in enumerate(tickets):
        ticket = Ticket(f"t{n}", Customer(f"c{n}", Tier(tier)), "chat", at(when), priority=priority)
        due = None if due_s is None else at(due_s)
        router.advance(at(when))
        assert router.submit(ticket, at=at(when), queue=queue, due=due) is None
        # The reference, from the docs: every ticket ends up in b (the overflow is due at
        # 5 min, and nothing serves them), keyed by b's policy as of when it joined the
        # line with its due instant; equal keys first in, first out.
        context = KeyContext(ticket, to_instant_us(at(when)), to_instant_us(due) if due else None)
        expected.append((key_b(context), n, ticket.id))
    changes = router.advance(at(900 + 300))
    assert all(isinstance(c, Overflowed) for c in changes)
    assert router.waiting("a") == []
    assert [e.ticket_id for e in router.waiting("b")] == [tid for *_, tid in sorted(expected)]
    for e in router.waiting("b"):
        n = int(e.ticket_id[1:])
        assert e.key[:2] == expected[n][0]


@settings(max_examples=60, deadline=None)
@given(key_policies, arrivals)
def test_between_queues_ordered_alike_an_overflowed_ticket_keeps_its_key(
    key: AgingKey | DeadlineKey, tickets: list[tuple[str, int, str, Priority, int | None]]
) -> None:
    seq = itertools.count()
    router = Router(
        [TicketQueue("a", key, sequence=seq), TicketQueue("b", key, sequence=seq)],
        relaxation={"a": plan_to("b")},
    )
    keys = {}
    for n, (_, when, tier, priority, due_s) in enumerate(sorted(tickets, key=lambda t: t[1])):
        ticket = Ticket(f"t{n}", Customer(f"c{n}", Tier(tier)), "chat", at(when), priority=priority)
        router.advance(at(when))
        router.submit(ticket, at=at(when), queue="a", due=None if due_s is None else at(due_s))
        keys[ticket.id] = router.where(ticket.id)[1].key
    router.advance(at(1_200))
    assert {e.ticket_id: e.key for e in router.waiting("b")} == keys


def test_a_worked_example_aging_to_deadline() -> None:
    """By hand: an aging queue (10 min for everyone, NORMAL in band 2) overflows after
    5 min into a deadline queue with a 1 h fallback (every priority but urgent in band 1).

    ``old`` (normal, no SLA) queued at 09:00 overflows at 09:05.  ``new`` (normal, no
    SLA) went straight to the deadline queue at 09:01.  In the deadline queue ``old`` is
    keyed (1, 10:00) and ``new`` (1, 10:01): ``old`` goes first.  Kept as it was, the aging
    key (2, 09:10) would put it behind every normal ticket of the deadline queue."""
    seq = itertools.count()
    router = Router(
        [
            TicketQueue("vip", AgingKey(default=timedelta(minutes=10)), sequence=seq),
            TicketQueue("general", DeadlineKey(fallback=timedelta(hours=1)), sequence=seq),
        ],
        relaxation={"vip": plan_to("general")},
    )
    old = Ticket("old", Customer("c1", Tier("gold")), "chat", at(0))
    new = Ticket("new", Customer("c2", Tier("gold")), "chat", at(60))
    router.submit(old, at=at(0), queue="vip")
    router.submit(new, at=at(60), queue="general")
    assert router.where("old")[1].key[:2] == (2, to_instant_us(at(600)))
    (moved,) = router.advance(at(300))
    assert isinstance(moved, Overflowed)
    assert moved.to_queue == "general"
    assert [e.ticket_id for e in router.waiting("general")] == ["old", "new"]
    assert router.where("old")[1].key == (1, to_instant_us(at(3_600)), 0)
    assert router.where("old")[1].queued_at_us == to_instant_us(at(0))


# -- 2. no overflow where the target cannot order the ticket -----------------------------------


def deadline_router(source_key: AgingKey | DeadlineKey) -> Router:
    seq = itertools.count()
    return Router(
        [TicketQueue("a", source_key, sequence=seq), TicketQueue("b", DeadlineKey(), sequence=seq)],
        relaxation={"a": plan_to("b")},
    )


@pytest.mark.parametrize("source_key", [AgingKey(), DeadlineKey(fallback=timedelta(hours=1))])
def test_a_plan_overflowing_to_a_deadline_queue_without_fallback_is_refused(
    source_key: AgingKey | DeadlineKey,
) -> None:
    with pytest.raises(ConfigError) as info:
        deadline_router(source_key)
    assert info.value.path == "relaxation.a.steps[0].overflow_to"
    assert "'b'" in str(info.value)
    assert "fallback" in str(info.value)


def test_from_a_deadline_queue_without_fallback_the_overflow_is_accepted() -> None:
    router = deadline_router(DeadlineKey())
    ticket = Ticket("t", Customer("c", Tier("gold")), "chat", at(0))
    router.submit(ticket, at=at(0), queue="a", due=at(1_800))
    (moved,) = router.advance(at(300))
    assert isinstance(moved, Overflowed)
    assert router.where("t") == ("b", router.waiting("b")[0])
    assert router.waiting("b")[0].key[:2] == (1, to_instant_us(at(1_800)))


def test_what_counts_is_where_the_plan_s_tickets_joined_the_line() -> None:
    """a (aging) -> b (deadline, fallback) -> c (deadline, no fallback) is refused at the
    second step: a's tickets may have no due instant.  c -> a -> c is accepted: c's tickets
    all joined the line with one, and a ticket keeps it through a."""
    seq = itertools.count()
    queues = [
        TicketQueue("a", sequence=seq),
        TicketQueue("b", DeadlineKey(fallback=timedelta(hours=1)), sequence=seq),
        TicketQueue("c", DeadlineKey(), sequence=seq),
    ]
    plan = Relaxation(
        (
            RelaxationStep(timedelta(minutes=1), overflow_to="b"),
            RelaxationStep(timedelta(minutes=2), overflow_to="c"),
        )
    )
    with pytest.raises(ConfigError) as info:
        Router(queues, relaxation={"a": plan})
    assert info.value.path == "relaxation.a.steps[1].overflow_to"
    there_and_back = Relaxation(
        (
            RelaxationStep(timedelta(minutes=1), overflow_to="a"),
            RelaxationStep(timedelta(minutes=2), overflow_to="c"),
        )
    )
    router = Router(queues, relaxation={"c": there_and_back})
    router.submit(
        Ticket("t", Customer("x", Tier("gold")), "chat", at(0)), at=at(0), queue="c", due=at(900)
    )
    router.advance(at(120))
    assert router.where("t")[0] == "c"
    assert router.where("t")[1].key[:2] == (1, to_instant_us(at(900)))


def test_a_ticket_s_own_plan_is_refused_at_submit_and_nothing_changes() -> None:
    seq = itertools.count()
    router = Router([TicketQueue("a", sequence=seq), TicketQueue("b", DeadlineKey(), sequence=seq)])
    ticket = Ticket("t", Customer("c", Tier("gold")), "chat", at(0))
    with pytest.raises(ConfigError) as info:
        router.submit(ticket, at=at(0), queue="a", relaxation=plan_to("b"))
    assert info.value.path == "relaxation.steps[0].overflow_to"
    assert router.waiting() == []
    assert router.next_step_at() is None
    assert router.submit(ticket, at=at(0), queue="a") is None  # still free to submit


def test_a_desk_refuses_such_a_config() -> None:
    """The desk's hand-overs refuse a ticket with no due instant into such a queue; an
    overflow, which nobody can refuse while time passes, is refused with the config."""
    document = {
        "queues": [
            {"name": "a", "relaxation": [{"after": "PT5M", "overflow_to": "b"}]},
            {"name": "b", "key": "deadline"},
        ]
    }
    with pytest.raises(ConfigError, match="fallback") as info:
        Desk(DeskConfig.from_dict(document))
    assert info.value.path.endswith("overflow_to")
    document["queues"][1]["fallback"] = "PT1H"  # type: ignore[index]
    desk = Desk(DeskConfig.from_dict(document))
    desk.submit(Ticket("T1", Customer("c", Tier("gold")), "chat", T0), at=T0)
    desk.advance(at=at(300))
    assert [e.key[:2] for e in desk.queue("b")] == [(1, to_instant_us(at(3_600)))]
