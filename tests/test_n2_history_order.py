"""A ticket an agent takes up by another command catches up first: its history stays in time order.

A waiting ticket whose clocks passed a warning is assigned by a command about an agent (one
coming available, one freeing up by solving another ticket).  Without an escalation policy
the warnings due before the assignment were written into the ticket's history only with the
next command on that ticket, after the ``TicketAssigned`` of a later instant: the history read
out of time order, against the desk contract.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow._time import to_us
from csflow.events import TicketAssigned
from csflow.sla import SlaWarning

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
AYU = Customer("ayu", Tier("gold", 3))


def _config(escalation: bool) -> DeskConfig:
    doc: dict[str, object] = {
        "calendars": {"24x7": {"timezone": "UTC", "always_open": True}},
        "sla_policies": [
            {"name": "chat", "calendar": "24x7", "targets": {"first_response": "PT2M"}}
        ],
        "default_sla_policy": "chat",
    }
    if escalation:
        # A rule that never matches: the desk then has an escalation policy to ask.
        doc["escalation_rules"] = [
            {
                "name": "never",
                "when": {"field": "priority", "eq": "urgent"},
                "then": {"notify": ["lead"]},
            }
        ]
    return DeskConfig.from_dict(doc)


def _in_time_order(desk: Desk) -> None:
    for tid in desk.tickets():
        instants = [to_us(e.at) for e in desk.history(tid)]
        assert instants == sorted(instants), (tid, desk.history(tid))


def test_a_ticket_taken_up_by_an_agent_coming_available_catches_up_first() -> None:
    desk = Desk(_config(escalation=False))
    desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=T0)
    desk.submit(Ticket("T-1", AYU, "chat", T0), at=T0)
    events = desk.set_presence("sari", "available", at=T0 + timedelta(seconds=100))
    # 50 % and 75 % of two minutes passed while T-1 waited: they come first, at their instants.
    assert [(type(e), e.at - T0) for e in events if getattr(e, "ticket_id", None) == "T-1"] == [
        (SlaWarning, timedelta(seconds=60)),
        (SlaWarning, timedelta(seconds=90)),
        (TicketAssigned, timedelta(seconds=100)),
    ]
    _in_time_order(desk)
    # The reply brings the 90 % warning (at 108 s) and meets the target: nothing twice.
    later = desk.reply("T-1", "sari", at=T0 + timedelta(seconds=110))
    assert [e.at - T0 for e in later] == [timedelta(seconds=108), timedelta(seconds=110)]
    _in_time_order(desk)


@settings(max_examples=60, deadline=None)
@given(
    escalation=st.booleans(),
    steps=st.lists(
        st.tuples(st.sampled_from(["submit", "join", "solve"]), st.integers(0, 90)),
        min_size=1,
        max_size=25,
    ),
)
def test_histories_stay_in_time_order_when_tickets_are_assigned_by_other_commands(
    escalation: bool, steps: list[tuple[str, int]]
) -> None:
    """A host that never advances: tickets are submitted, agents join, agents solve what they
    hold (which hands them the next waiting ticket); every history stays in time order."""
    desk = Desk(_config(escalation))
    at = T0
    n = 0
    for kind, wait in steps:
        at += timedelta(seconds=wait)
        if kind == "submit":
            n += 1
            desk.submit(Ticket(f"T-{n}", AYU, "chat", at), at=at)
        elif kind == "join":
            agent = f"a{len(list(desk.agents())) + 1}"
            desk.add_agent(AgentProfile(agent, capacity={"chat": 1}), at=at, presence="available")
        else:
            held = [
                (tid, view.agent_id)
                for tid in desk.tickets()
                if (view := desk.ticket(tid)).state == "assigned" and view.agent_id is not None
            ]
            if held:
                tid, agent = held[0]
                desk.resolve(tid, agent, at=at)
        _in_time_order(desk)
