"""A support lead's desk against naive references written from the routing docs.

An agent who frees up takes the waiting ticket with the lowest key among those it may serve
(``(band, queued_at + allowance(tier, priority), arrival)``, docs/explanation/queue-keys.md);
a ticket goes to the longest-idle eligible agent; a customer's preferred agent is waited for
while busy, for the affinity timeout (docs/how-to/repeat-customers.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, DeskConfig, Priority, Ticket, Tier
from csflow.events import TicketAssigned

T0 = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)  # 09:00 in Jakarta
ALLOWANCES = {"platinum": 30, "gold": 120, "regular": 600}  # seconds
BANDS = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}
RANKS = {"platinum": 3, "gold": 2, "regular": 1}


def _aging_desk() -> Desk:
    return Desk(
        DeskConfig.from_dict(
            {
                "tiers": [{"name": name, "rank": rank} for name, rank in RANKS.items()],
                "queues": [
                    {
                        "name": "default",
                        "allowances": {name: f"PT{s}S" for name, s in ALLOWANCES.items()},
                    }
                ],
            }
        )
    )


def _assigned(events: Sequence[object]) -> list[tuple[str, str]]:
    return [(e.ticket_id, e.agent_id) for e in events if isinstance(e, TicketAssigned)]


_ticket = st.tuples(
    st.sampled_from(sorted(ALLOWANCES)),
    st.sampled_from(list(Priority)),
    st.sampled_from(["id", "en"]),
    st.integers(0, 900),  # seconds after the previous arrival
)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(_ticket, min_size=1, max_size=12))
def test_a_freed_agent_takes_the_lowest_key_it_may_serve(
    tickets: list[tuple[str, Priority, str, int]],
) -> None:
    desk = _aging_desk()
    desk.add_agent(
        AgentProfile("sari", languages={"id"}, capacity={"chat": 1}), at=T0, presence="available"
    )
    blocker = Customer("blocker", Tier("regular", 1))
    desk.submit(Ticket("B-0", blocker, "chat", T0), at=T0)
    waiting: list[tuple[int, int, int, str, str]] = []  # (band, due, arrival, id, language)
    at = T0
    for n, (tier, priority, language, gap) in enumerate(tickets):
        at = at + timedelta(seconds=gap)
        customer = Customer(f"c-{n}", Tier(tier, RANKS[tier]), language=language)
        desk.submit(Ticket(f"T-{n}", customer, "chat", at, priority=priority), at=at)
        due = int((at - T0).total_seconds()) + ALLOWANCES[tier]
        waiting.append((BANDS[priority], due, n, f"T-{n}", language))
    held = "B-0"
    while True:
        at = at + timedelta(seconds=1)
        taken = _assigned(desk.resolve(held, "sari", at=at))
        eligible = sorted(w for w in waiting if w[4] == "id")
        if not eligible:
            assert taken == []
            break
        expected = eligible[0]
        assert taken == [(expected[3], "sari")]
        waiting.remove(expected)
        held = expected[3]
    assert sorted(e.ticket_id for e in desk.queue()) == sorted(w[3] for w in waiting)


def test_a_regular_customer_waiting_long_goes_before_a_platinum_arriving_now() -> None:
    # Worked by hand: the regular ticket's virtual due is 09:00 + 10 min = 09:10:00. Platinum
    # P-1 at 09:09:00 is due 09:09:30 (before it), P-2 at 09:09:45 due 09:10:15 (after it).
    desk = _aging_desk()
    desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=T0, presence="busy")
    regular = Customer("ani", Tier("regular", 1))
    platinum = Customer("putri", Tier("platinum", 3))
    desk.submit(Ticket("R-1", regular, "chat", T0), at=T0)
    for tid, s in (("P-1", 540), ("P-2", 585)):
        at = T0 + timedelta(seconds=s)
        desk.submit(Ticket(tid, platinum, "chat", at), at=at)
    # An urgent regular ticket is a band of its own: it goes first however fresh.
    at = T0 + timedelta(seconds=600)
    desk.submit(Ticket("U-1", regular, "chat", at, priority="urgent"), at=at)
    order = []
    events = desk.set_presence("sari", "available", at=at)
    for _ in range(4):
        ((tid, _agent),) = _assigned(events)
        order.append(tid)
        at = at + timedelta(minutes=1)
        events = desk.resolve(tid, "sari", at=at)
    assert order == ["U-1", "P-1", "R-1", "P-2"]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    st.lists(st.integers(0, 600), min_size=2, max_size=6),
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 300)), min_size=1, max_size=10),
)
def test_a_ticket_goes_to_the_longest_idle_agent_with_room(
    logins: list[int], work: list[tuple[int, int]]
) -> None:
    # Agents log in one by one (idle since then); each ticket goes to the agent idle longest
    # among those with room (nobody busy holds work and has room: capacity is one chat).
    desk = Desk(DeskConfig())
    idle_since: dict[str, int] = {}
    at_s = 0
    for n, gap in enumerate(logins):
        at_s += gap
        desk.add_agent(
            AgentProfile(f"a{n}", capacity={"chat": 1}),
            at=T0 + timedelta(seconds=at_s),
            presence="available",
        )
        idle_since[f"a{n}"] = at_s * 1_000_000 * 1 + n  # login order breaks ties
    holding: dict[str, str] = {}
    for n, (resolve_pick, gap) in enumerate(work):
        at_s += gap + 1
        at = T0 + timedelta(seconds=at_s)
        if holding and resolve_pick % 2:
            agent = sorted(holding)[resolve_pick % len(holding)]
            events = desk.resolve(holding.pop(agent), agent, at=at)
            assert _assigned(events) == []
            idle_since[agent] = at_s * 1_000_000 * 1 + 0
        free = sorted((since, a) for a, since in idle_since.items() if a not in holding)
        events = desk.submit(Ticket(f"T-{n}", Customer(f"c{n}", Tier("r", 1)), "chat", at), at=at)
        if free:
            expected = free[0][1]
            assert _assigned(events) == [(f"T-{n}", expected)]
            holding[expected] = f"T-{n}"
        else:
            assert _assigned(events) == []
            desk.abandon(f"T-{n}", at=at)
