"""``TicketView.callback`` says the ticket is a call-back: it waits in line as a phone call, or
is held by the agent calling the customer (a ``requeue`` -- no answer -- puts it back in line
as one).  Once the agent has made the call and parks the ticket (``pending``, ``on_hold``) or
resolves it, it is a call-back no more, as when the agent hands it over: a host listing the
customers still waiting for a call does not call them twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, CallbackDue, Customer, Desk, DeskConfig, Ticket, Tier

T0 = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def called_back() -> Desk:
    """T-1 asked for a call-back and Budi, who just logged in, was given the call."""
    desk = Desk(
        DeskConfig.from_dict(
            {
                "queues": [{"name": "front"}, {"name": "technical"}],
                "routing_profiles": [
                    {"name": "front", "queues": ["front"]},
                    {"name": "technical", "queues": ["technical"]},
                ],
                "teams": {
                    "front": {"queue": "front", "routing_profile": "front"},
                    "technical": {"queue": "technical", "routing_profile": "technical"},
                },
            }
        )
    )
    desk.submit(Ticket("T-1", Customer("ayu", Tier("regular", 1)), "chat", T0), at=T0)
    desk.request_callback("T-1", at=T0)
    assert desk.ticket("T-1").callback
    events = desk.add_agent(
        AgentProfile("budi", capacity={"chat": 1, "phone": 1}, teams={"front"}),
        at=T0 + MINUTE,
        presence="available",
    )
    assert any(isinstance(e, CallbackDue) for e in events)
    view = desk.ticket("T-1")
    # Held by the agent calling: still a call-back (it counts on Budi's phone line).
    assert (view.state, view.agent_id, view.callback) == ("assigned", "budi", True)
    assert desk.agent("budi").counts.get("phone") == 1
    return desk


def test_a_called_back_ticket_set_pending_is_no_longer_a_call_back() -> None:
    desk = called_back()
    desk.reply("T-1", "budi", at=T0 + 2 * MINUTE)
    desk.set_status("T-1", "pending", at=T0 + 3 * MINUTE)
    view = desk.ticket("T-1")
    assert (view.state, view.callback) == ("pending", False)
    assert desk.snapshot()["state"]["tickets"][0]["callback"] is False


def test_on_hold_and_resolved_likewise() -> None:
    desk = called_back()
    desk.set_status("T-1", "on_hold", at=T0 + 2 * MINUTE)
    assert (desk.ticket("T-1").state, desk.ticket("T-1").callback) == ("on_hold", False)

    desk = called_back()
    desk.resolve("T-1", "budi", at=T0 + 2 * MINUTE)
    assert (desk.ticket("T-1").state, desk.ticket("T-1").callback) == ("solved", False)


def test_a_requeued_call_back_still_waits_for_its_call() -> None:
    desk = called_back()
    desk.set_presence("budi", "away", at=T0 + 2 * MINUTE)
    desk.requeue("T-1", "budi", at=T0 + 2 * MINUTE)
    assert (desk.ticket("T-1").state, desk.ticket("T-1").callback) == ("queued", True)


# After the call-back is given to Budi: what the desk does next, as the reference reads the
# call-backs guide.  "work" resumes a parked ticket (the customer writes).
STEPS = st.lists(
    st.sampled_from(["pending", "on_hold", "resolve", "requeue", "escalate", "work", "reply"]),
    max_size=6,
)


@settings(max_examples=40, deadline=None)
@given(STEPS)
def test_the_flag_follows_the_call_back_guide(steps: list[str]) -> None:
    desk = called_back()
    callback = True  # the reference: a call-back not yet made (waiting or being called)
    at = T0 + MINUTE
    for step in steps:
        at += MINUTE
        view = desk.ticket("T-1")
        state, agent = view.state, view.agent_id
        if step in ("pending", "on_hold") and state == "assigned":
            desk.set_status("T-1", step, at=at)
            callback = False  # the call was made
        elif step == "resolve" and state == "assigned":
            desk.resolve("T-1", "budi", at=at)
            callback = False
        elif step == "requeue" and state == "assigned" and agent == "budi":
            desk.set_presence("budi", "away", at=at)
            desk.requeue("T-1", "budi", at=at)  # no answer: still waits for its call
            desk.set_presence("budi", "available", at=at + timedelta(seconds=1))
        elif step == "escalate" and state in ("assigned", "pending", "on_hold"):
            if view.team != "front":
                continue
            desk.escalate("T-1", "technical", at=at)
            callback = False  # handed over by its agent: it was called
        elif step == "work" and state in ("pending", "on_hold"):
            desk.customer_message("T-1", at=at)
        elif step == "reply" and agent is not None and state in ("assigned", "pending"):
            desk.reply("T-1", agent, at=at)
        assert desk.ticket("T-1").callback is callback, (steps, step, desk.ticket("T-1"))
