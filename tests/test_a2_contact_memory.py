"""The repeat-customer memory against a naive reference written from
docs/how-to/repeat-customers.md: every contact kept in full, the bounds applied as the docs
say (a customer whose last contact left the window is forgotten; past ``max_customers``, the
one whose last contact is oldest; a ticket with ``max_contacts`` newer contacts has left the
memory), checked at each assignment, at each triage preview, through snapshots and through
accepted changes that lower the bounds."""

from __future__ import annotations

import json
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.desk.contacts import ContactPolicy
from csflow.events import Event, TicketAssigned

WIB = ZoneInfo("Asia/Jakarta")
T0 = datetime(2026, 11, 11, 9, 0, tzinfo=WIB)
BOUNDS = st.tuples(st.sampled_from([1, 2, 3, 20]), st.sampled_from([1, 2, 3, 100]))
STEP = st.tuples(
    st.sampled_from(["submit"] * 4 + ["on", "off", "resolve", "snapshot", "lower"]),
    st.integers(0, 3),  # which customer
    st.integers(0, 5),  # the time before the step: see _gap
    BOUNDS,
)


def _doc(window: int, max_contacts: int, max_customers: int) -> dict[str, Any]:
    return {
        "contacts": {
            "window": f"PT{window}M",
            "max_contacts": max_contacts,
            "max_customers": max_customers,
        }
    }


def _gap(window: int, k: int) -> timedelta:
    """The time before a step: none, a minute, a third of the window, or the window's length
    give or take a minute (contacts reach the window's bound exactly)."""
    return timedelta(minutes=(0, 1, window // 3, window - 1, window, window + 1)[k])


class Reference:
    def __init__(self, window: int, max_contacts: int, max_customers: int) -> None:
        self.window = timedelta(minutes=window)
        self.max_contacts, self.max_customers = max_contacts, max_customers
        # customer -> every contact (instant, ticket) since it was last remembered afresh;
        # in order of last contact.
        self.memory: OrderedDict[str, list[tuple[datetime, str]]] = OrderedDict()
        self.last_agent: OrderedDict[str, str] = OrderedDict()
        self.customer_of: dict[str, str] = {}

    def expire(self, at: datetime) -> None:
        horizon = at - self.window
        for c in [c for c, seen in self.memory.items() if seen[-1][0] <= horizon]:
            del self.memory[c]

    def contact(self, customer: str, tid: str, at: datetime) -> None:
        self.expire(at)
        if customer in self.memory:
            self.memory.move_to_end(customer)
        else:
            while len(self.memory) >= self.max_customers:
                self.memory.popitem(last=False)
            self.memory[customer] = []
        self.memory[customer].append((at, tid))
        self.customer_of[tid] = customer

    def served(self, customer: str, agent: str) -> None:
        if customer in self.last_agent:
            self.last_agent.move_to_end(customer)
        else:
            while len(self.last_agent) >= self.max_customers:
                self.last_agent.popitem(last=False)
        self.last_agent[customer] = agent

    def preview(self, customer: str, at: datetime) -> tuple[int, float | None]:
        """``contacts.count`` and ``contacts.last_s`` for a new contact at *at*."""
        horizon = at - self.window
        seen = [c for c in self.memory.get(customer, ()) if c[0] > horizon]
        last = (at - seen[-1][0]).total_seconds() if seen else None
        return min(len(seen) + 1, self.max_contacts), last

    def told(self, tid: str, at: datetime) -> tuple[int, datetime | None]:
        """What an assignment of *tid* at *at* says: its count and previous contact."""
        horizon = at - self.window
        seen = self.memory.get(self.customer_of[tid], [])
        own = next((i for i in range(len(seen) - 1, -1, -1) if seen[i][1] == tid), None)
        kept = own is not None and own >= len(seen) - self.max_contacts
        previous = seen[own - 1][0] if kept and own else None
        if previous is not None and previous <= horizon:
            previous = None
        in_window = sum(1 for c in seen if c[0] > horizon)
        own_in_window = own is not None and seen[own][0] > horizon
        count = min(self.max_contacts, in_window + (0 if own_in_window else 1))
        return count, None if previous is None else previous.astimezone(UTC)


@settings(max_examples=80, deadline=None)
@given(st.sampled_from([10, 30, 60]), BOUNDS, st.lists(STEP, min_size=10, max_size=60))
def test_the_memory_agrees_with_a_naive_reference(
    window: int, bounds: tuple[int, int], steps: list[tuple[str, int, int, tuple[int, int]]]
) -> None:
    ref = Reference(window, *bounds)
    desk = Desk(DeskConfig.from_dict(_doc(window, *bounds)))
    t, n = T0, 0
    desk.add_agent(AgentProfile("budi", capacity={"chat": 1}), at=t, presence="offline")

    def check(out: list[Event], at: datetime) -> None:
        for e in out:
            if isinstance(e, TicketAssigned):
                customer = ref.customer_of[e.ticket_id]
                assert (e.contacts, e.last_contact_at) == ref.told(e.ticket_id, at), e.ticket_id
                assert e.last_agent == ref.last_agent.get(customer)
                ref.served(customer, e.agent_id)

    for op, k, minutes, (max_contacts, max_customers) in steps:
        t += _gap(window, minutes)
        out = desk.advance(at=t)
        if op == "submit":
            n += 1
            ticket = Ticket(f"t{n}", Customer(f"c{k}", Tier("regular", 1)), "chat", t)
            context = desk.context(ticket, at=t)["contacts"]
            assert (context["count"], context.get("last_s")) == ref.preview(f"c{k}", t)
            ref.contact(f"c{k}", ticket.id, t)
            out += desk.submit(ticket, at=t)
        elif op in ("on", "off"):
            out += desk.set_presence("budi", "available" if op == "on" else "offline", at=t)
        elif op == "resolve":
            held = [x for x in desk.tickets() if desk.ticket(x).state == "assigned"]
            if held:
                out += desk.resolve(held[0], "budi", at=t)
                ref.served(ref.customer_of[held[0]], "budi")
        elif op == "snapshot":
            config = DeskConfig.from_dict(_doc(window, ref.max_contacts, ref.max_customers))
            desk = Desk.restore(config, json.loads(json.dumps(desk.snapshot())))
        else:
            # An accepted change to bounds no larger: the memory keeps what it would have
            # kept under them (the newest customers, each one's newest contacts).
            ref.max_contacts = min(ref.max_contacts, max_contacts)
            ref.max_customers = max_customers
            config = DeskConfig.from_dict(_doc(window, ref.max_contacts, max_customers))
            moved: list[Event] = []
            desk = Desk.restore(config, desk.snapshot(), on_config_change=moved)
            ref.expire(t)
            while len(ref.memory) > max_customers:
                ref.memory.popitem(last=False)
            while len(ref.last_agent) > max_customers:
                ref.last_agent.popitem(last=False)
            out += moved
        check(out, t)


def test_a_customer_writing_three_times_on_11_11() -> None:
    # Ani writes at 09:00, 13:00 and 20:00 WIB; a day's window.  Budi serves the first two;
    # the third goes to Sari, who is told: third contact, the last at 13:00, with Budi.
    desk = Desk(DeskConfig.from_dict({"contacts": {"window": "P1D"}}))
    desk.add_agent(AgentProfile("budi", capacity={"chat": 1}), at=T0, presence="available")
    desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=T0, presence="offline")
    ani = Customer("ani", Tier("gold", 2))
    told = []
    for hour, tid in ((9, "wa-1"), (13, "wa-2")):
        at = T0.replace(hour=hour)
        [_, assigned] = desk.submit(Ticket(tid, ani, "chat", at), at=at)
        assert isinstance(assigned, TicketAssigned)
        told.append((assigned.contacts, assigned.last_contact_at, assigned.last_agent))
        desk.resolve(tid, "budi", at=at + timedelta(minutes=20))
    evening = T0.replace(hour=20)
    desk.set_presence("budi", "offline", at=evening)
    desk.set_presence("sari", "available", at=evening)
    [_, third] = desk.submit(Ticket("wa-3", ani, "chat", evening), at=evening)
    assert isinstance(third, TicketAssigned)
    assert third.agent_id == "sari"
    told.append((third.contacts, third.last_contact_at, third.last_agent))
    assert told == [
        (1, None, None),
        (2, datetime(2026, 11, 11, 2, 0, tzinfo=UTC), "budi"),
        (3, datetime(2026, 11, 11, 6, 0, tzinfo=UTC), "budi"),
    ]
    # The next morning at 09:00 the first contact has left the window (exactly a day old).
    # Asked about the customer (no ticket of hers), the last contact is her newest: 20:00.
    summary = desk.contacts("ani", at=T0 + timedelta(days=1))
    assert summary is not None
    assert (summary.count, summary.open_tickets, summary.last_agent) == (2, 1, "sari")
    assert summary.last_contact_at == datetime(2026, 11, 11, 20, 0, tzinfo=WIB)
    # A microsecond earlier the first contact was still in the window.
    earlier = desk.contacts("ani", at=T0 + timedelta(days=1, microseconds=-1))
    assert earlier is not None
    assert earlier.count == 3


def test_asked_about_an_earlier_instant_the_desk_counts_no_later_contact() -> None:
    # Ani wrote at 09:00, 10:00 and 11:00.  At 10:30 she had written twice, the last time at
    # 10:00; at 08:00 not at all -- not three times, the last at 11:00 (a contact from after
    # the instant asked about).
    desk = Desk(DeskConfig.from_dict({"contacts": {"window": "P1D"}}))
    ani = Customer("ani", Tier("gold", 2))
    hour = timedelta(hours=1)
    for i in range(3):
        desk.submit(Ticket(f"wa-{i}", ani, "chat", T0 + i * hour), at=T0 + i * hour)
    now = desk.contacts("ani")
    assert now is not None
    assert (now.count, now.last_contact_at) == (3, datetime(2026, 11, 11, 11, 0, tzinfo=WIB))
    half_past_ten = desk.contacts("ani", at=T0 + 1.5 * hour)
    assert half_past_ten is not None
    assert (half_past_ten.count, half_past_ten.last_contact_at) == (2, T0 + hour)
    eight = desk.contacts("ani", at=T0 - hour)
    assert eight is not None
    assert (eight.count, eight.last_contact_at) == (0, None)
    # A day after the 10:00 contact (the window's bound) only the 11:00 one is left.
    later = desk.contacts("ani", at=T0 + 25 * hour)
    assert later is not None
    assert (later.count, later.last_contact_at) == (1, T0 + 2 * hour)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, timedelta.max // timedelta(microseconds=1)))
def test_a_contact_policy_reads_back_its_own_plain_data(window_us: int) -> None:
    # The window was written as float seconds: past some 137 years a microsecond was lost
    # (a window of 50,152 days and 0.473227 s read back as ...0.473228 s).
    policy = ContactPolicy(window=timedelta(microseconds=window_us), max_contacts=3)
    data = json.loads(json.dumps(policy.to_dict()))
    assert ContactPolicy.from_dict(data) == policy


def test_a_contact_policy_writes_its_window_as_iso_text() -> None:
    assert ContactPolicy().to_dict() == {
        "window": "PT168H",
        "max_contacts": 20,
        "max_customers": 100_000,
    }
    odd = ContactPolicy(window=timedelta(days=50_152, seconds=50_948, microseconds=473_227))
    assert ContactPolicy.from_dict(odd.to_dict()).window == odd.window
