"""One agent's channels against the capacity rules as documented (CapacityRules).

An agent may take one more ticket of channel *c* when it holds fewer than its capacity for
*c* (capped by the rules' limit), holds no ticket of an exclusive channel, *c* is not
exclusive or it holds nothing, and its load plus the weight of *c* stays within the budget.
A ticket that arrives goes to the agent when it may take it; an agent that frees up takes,
while it may, the waiting ticket with the lowest key among those it may take.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Channel, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.events import TicketAssigned

T0 = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)
CHANNELS = ("chat", "email", "phone", "whatsapp")


def _may_take(held: list[str], channel: str, cap: dict[str, int], rules: dict[str, object]) -> bool:
    exclusive = set(rules["exclusive"])  # type: ignore[call-overload]
    limits: dict[str, int] = rules.get("limits", {})  # type: ignore[assignment]
    weights: dict[str, int] = rules.get("weights", {})  # type: ignore[assignment]
    budget = rules.get("budget")
    own = min(cap.get(channel, 0), limits.get(channel, cap.get(channel, 0)))
    if sum(1 for c in held if c == channel) >= own:
        return False
    if any(c in exclusive for c in held):
        return False
    if channel in exclusive and held:
        return False
    if budget is not None:
        load = sum(weights.get(c, 1) for c in held)
        return load + weights.get(channel, 1) <= budget  # type: ignore[operator]
    return True


_rules = st.fixed_dictionaries(
    {"exclusive": st.lists(st.sampled_from(CHANNELS), unique=True, max_size=2)},
    optional={
        "limits": st.dictionaries(st.sampled_from(CHANNELS), st.integers(0, 3), max_size=2),
        "weights": st.dictionaries(st.sampled_from(CHANNELS), st.integers(1, 3), max_size=2),
        "budget": st.integers(1, 6),
    },
)
_steps = st.lists(
    st.tuples(st.booleans(), st.sampled_from(CHANNELS), st.integers(0, 7)),
    min_size=1,
    max_size=25,
)


@settings(max_examples=80, deadline=None, derandomize=True)
@given(st.dictionaries(st.sampled_from(CHANNELS), st.integers(1, 3), min_size=1), _rules, _steps)
def test_one_agent_takes_what_the_capacity_rules_allow(
    cap: dict[str, int], rules: dict[str, object], steps: list[tuple[bool, str, int]]
) -> None:
    desk = Desk(DeskConfig.from_dict({"capacity": rules}))
    capacity: dict[Channel | str, int] = dict(cap.items())
    desk.add_agent(AgentProfile("sari", capacity=capacity), at=T0, presence="available")
    held: dict[str, str] = {}  # ticket id -> channel, in the order taken
    waiting: list[tuple[int, str, str]] = []  # (arrival, id, channel)
    for n, (submit, channel, pick) in enumerate(steps):
        at = T0 + timedelta(seconds=n)
        if submit or not held:
            tid = f"T-{n}"
            events = desk.submit(Ticket(tid, Customer(f"c{n}", Tier("r", 1)), channel, at), at=at)
            expected = []
            # Nothing waiting could be taken now (the agent would have taken it), so the
            # new ticket goes to the agent exactly when the rules let it in.
            if _may_take(list(held.values()), channel, cap, rules):
                held[tid] = channel
                expected = [tid]
            else:
                waiting.append((n, tid, channel))
        else:
            tid = sorted(held)[pick % len(held)]
            events = desk.resolve(tid, "sari", at=at)
            del held[tid]
            expected = []
            while True:
                takeable = [w for w in waiting if _may_take(list(held.values()), w[2], cap, rules)]
                if not takeable:
                    break
                first = min(takeable)
                waiting.remove(first)
                held[first[1]] = first[2]
                expected.append(first[1])
        got = [e.ticket_id for e in events if isinstance(e, TicketAssigned)]
        assert got == expected, (got, expected)
        assert sorted(desk.agent("sari").held) == sorted(held)
        assert [e.ticket_id for e in desk.queue()] == [w[1] for w in sorted(waiting)]


def test_chat_three_and_email_two_at_once_and_the_phone_alone() -> None:
    # Worked by hand: Wati takes three chats and two e-mails together; the call waits until
    # she holds nothing, then blocks the chat that came after it.
    desk = Desk(DeskConfig())
    wati = AgentProfile("wati", capacity={"chat": 3, "email": 2, "phone": 1})
    desk.add_agent(wati, at=T0, presence="available")
    arrivals = ["chat", "email", "chat", "phone", "email", "chat", "chat", "email"]
    for n, channel in enumerate(arrivals):
        at = T0 + timedelta(seconds=n)
        desk.submit(Ticket(f"T-{n}", Customer(f"c{n}", Tier("r", 1)), channel, at), at=at)
    assert desk.agent("wati").held == ("T-0", "T-1", "T-2", "T-4", "T-5")
    assert [e.ticket_id for e in desk.queue()] == ["T-3", "T-6", "T-7"]
    at = T0 + timedelta(minutes=1)
    # Each freed slot takes the next chat or e-mail behind the call: the call needs an agent
    # holding nothing, and keeps its place in line meanwhile.
    taken = []
    for tid in ("T-0", "T-1", "T-2", "T-4"):
        taken += [
            e.ticket_id for e in desk.resolve(tid, "wati", at=at) if isinstance(e, TicketAssigned)
        ]
    assert taken == ["T-6", "T-7"]
    assert desk.agent("wati").held == ("T-5", "T-6", "T-7")
    assert [e.ticket_id for e in desk.queue()] == ["T-3"]
    for tid in ("T-5", "T-6"):
        assert desk.resolve(tid, "wati", at=at) == list(desk.history(tid)[-1:])
    (_resolved, call) = desk.resolve("T-7", "wati", at=at)
    assert isinstance(call, TicketAssigned)
    assert call.ticket_id == "T-3"
    late = T0 + timedelta(minutes=2)
    desk.submit(Ticket("T-8", Customer("c8", Tier("r", 1)), "chat", late), at=late)
    assert desk.agent("wati").held == ("T-3",)  # on the phone: the chat waits
