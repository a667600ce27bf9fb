"""Re-opening a solved ticket starts a next-response cycle.

The customer's message that re-opens a solved ticket awaits an agent's reply, as any customer
message after a reply does (Zendesk and Freshdesk count the next reply from it).  So a
re-opening starts ``NEXT_RESPONSE`` exactly as :meth:`TicketSla.customer_message` at that
instant would, and a ``customer_message`` at the same instant afterwards changes nothing more.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket
from csflow.calendar import BusinessCalendar
from csflow.sla import ClockState, Metric, RecalcMode, SlaMet, SlaPolicy, TicketSla

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
M = timedelta(minutes=1)
H = timedelta(hours=1)
OFFICE = BusinessCalendar(
    "Europe/Berlin", weekly={d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")}
)


def policy(name: str = "p", *, next_response: bool = True) -> SlaPolicy:
    targets = {"first_response": H, "resolution": 8 * H, "periodic_update": 4 * H}
    if next_response:
        targets["next_response"] = 2 * H
    return SlaPolicy(name, OFFICE, targets=targets, pause_on={"pending": ["next_response"]})


def state(sla: TicketSla) -> str:
    return json.dumps(sla.to_dict(), sort_keys=True)


def test_the_reviews_desk_reopen_starts_the_next_response_clock() -> None:
    """Reply, resolve, reopen: the next reply is due two hours after the reopening."""
    doc = {
        "tiers": [{"name": "regular", "rank": 1}],
        "calendars": {"c": {"timezone": "UTC", "always_open": True}},
        "sla_policies": [
            {
                "name": "std",
                "calendar": "c",
                "targets": {
                    "first_response": "PT1H",
                    "next_response": "PT2H",
                    "resolution": "PT8H",
                },
            }
        ],
        "default_sla_policy": "std",
        "queues": [{"name": "general"}],
        "routing_profiles": [{"name": "fl", "queues": [{"queue": "general", "priority": 1}]}],
        "triage": [{"name": "all", "then": {"queue": "general"}}],
    }
    cfg = DeskConfig.from_dict(doc)
    desk = Desk(cfg)
    desk.add_agent(AgentProfile("a", capacity={"email": 2}), at=T0)
    desk.set_presence("a", "available", at=T0)
    desk.submit(Ticket("T", Customer("c", cfg.tiers["regular"]), "email", T0), at=T0)
    desk.reply("T", "a", at=T0 + 10 * M)
    desk.resolve("T", "a", at=T0 + 20 * M)
    assert Metric.NEXT_RESPONSE not in desk.clocks("T")
    reopened = T0 + H
    desk.reopen("T", at=reopened)
    clocks = desk.clocks("T")
    assert clocks["next_response"].state == "running"
    assert clocks["next_response"].due_at == reopened + 2 * H
    desk.customer_message("T", at=reopened)
    assert desk.clocks("T") == clocks
    # The agent's next reply meets it.
    events = desk.reply("T", "a", at=reopened + 30 * M)
    met = [e for e in events if isinstance(e, SlaMet) and e.metric is Metric.NEXT_RESPONSE]
    assert [(e.at, e.elapsed, e.breached) for e in met] == [(reopened + 30 * M, 30 * M, False)]


@given(
    # Minutes from T0 to the first reply, the solve and the re-opening; whether the ticket
    # re-opens to a status that pauses next_response.
    reply=st.integers(1, 600),
    solve=st.integers(0, 600),
    reopen=st.integers(0, 3_000),
    status=st.sampled_from(["open", "pending", "assigned"]),
)
def test_a_reopening_is_the_customers_message(
    reply: int, solve: int, reopen: int, status: str
) -> None:
    """The clock a reopening starts is the one a customer message would start, and a
    customer message at the same instant afterwards changes nothing."""
    sla = TicketSla("T", policy(), "normal", T0)
    t_reply = T0 + reply * M
    t_solve = t_reply + solve * M
    t_reopen = t_solve + reopen * M
    sla.agent_reply(t_reply)
    sla.customer_message(t_reply)  # a cycle the solve cancels
    sla.set_status("solved", t_solve)
    sla.set_status(status, t_reopen)
    nr = sla.clock("next_response")
    assert nr is not None
    assert nr.started_at == t_reopen
    assert nr.state is (ClockState.PAUSED if status == "pending" else ClockState.RUNNING)
    before = state(sla)
    assert sla.customer_message(t_reopen) == []
    assert state(sla) == before
    # A fresh ticket that was never solved, in the same status, answering a message at the
    # reopening instant: its next-response clock counts the same.
    fresh = TicketSla("U", policy(), "normal", t_reopen, status=status)
    fresh.agent_reply(t_reopen)
    fresh.customer_message(t_reopen)
    other = fresh.clock("next_response")
    assert other is not None
    later = t_reopen + 5 * H
    assert nr.due_at == other.due_at
    assert nr.elapsed(later) == other.elapsed(later)


def test_no_cycle_without_a_reply_or_a_target() -> None:
    """A re-opening starts what a customer message would, and nothing else: no cycle before
    the first agent reply (first_response measures that wait), none without a target."""
    for replied, next_response in ((False, True), (True, False)):
        sla = TicketSla("T", policy(next_response=next_response), "normal", T0)
        if replied:
            sla.agent_reply(T0 + M)
        sla.set_status("solved", T0 + 2 * M)
        sla.set_status("open", T0 + 3 * M)
        assert sla.clock("next_response") is None
        before = state(sla)
        sla.customer_message(T0 + 3 * M)
        assert state(sla) == before


def test_a_target_gained_after_a_reopening_counts_from_it() -> None:
    """The reopening is where the unanswered wait began: a next-response target that a policy
    change adds later counts from there, as from a customer message."""
    sla = TicketSla("T", policy("old", next_response=False), "normal", T0)
    sla.agent_reply(T0 + 10 * M)
    sla.set_status("solved", T0 + 20 * M)
    sla.set_status("open", T0 + H)
    assert sla.clock("next_response") is None
    sla.change_policy(policy("new"), T0 + 2 * H, mode=RecalcMode.KEEP_ELAPSED)
    nr = sla.clock("next_response")
    assert nr is not None
    assert nr.started_at == T0 + H
    assert nr.elapsed(T0 + 2 * H) == H
