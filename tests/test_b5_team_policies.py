"""A helpdesk team tests its own policies with ``csflow.testing``.

Three policies a team might write, each with a natural mistake, and the kit's tool that
catches it with a message pointing at the mistake -- and passes the corrected policy:

* a priority policy that forgets platinum customers on WhatsApp (a property over
  ``tickets(config=...)``, and the stateful machine with a law in ``check_event``);
* a pinning strategy that keeps a repeat customer waiting for the agent who served them last,
  even when that agent is away (a story and ``assert_assigned``);
* a routing profile that serves chat strictly before e-mail, so e-mail starves during a chat
  peak (a story over the peak).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test

from csflow import Desk, DeskConfig, Priority, Ticket, TicketAssigned, TicketQueued
from csflow.events import Event
from csflow.policies import PolicyContext, PolicyResult
from csflow.routing import CapacityRules, QueueSlot, RoutingProfile, SelectionContext
from csflow.testing import DeskMachine, Story, assert_assigned, tickets

JAKARTA = ZoneInfo("Asia/Jakarta")
MONDAY = datetime(2026, 3, 9, tzinfo=JAKARTA)
NINE = MONDAY.replace(hour=9)

_QUICK = settings(
    max_examples=40,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def desk(**changes: Any) -> DeskConfig:
    config = DeskConfig.from_dict(
        {
            "tiers": [
                {"name": "platinum", "rank": 4},
                {"name": "gold", "rank": 3},
                {"name": "regular", "rank": 1},
            ],
            "calendars": {"24x7": {"timezone": "Asia/Jakarta", "always_open": True}},
            "sla_policies": [
                {"name": "standard", "calendar": "24x7", "targets": {"first_response": "PT1H"}}
            ],
            "default_sla_policy": "standard",
            "queues": [{"name": "chat"}, {"name": "email"}],
            "routing_profiles": [
                {
                    "name": "front",
                    "queues": [{"queue": "chat", "priority": 1}, {"queue": "email", "priority": 1}],
                },
            ],
            "triage": {
                "mode": "first",
                "rules": [
                    {
                        "name": "e-mail",
                        "when": {"field": "channel", "eq": "email"},
                        "then": {"queue": "email"},
                    },
                    {"name": "everything else", "then": {"queue": "chat"}},
                ],
            },
        }
    )
    return attrs.evolve(config, **changes)


# -- 1. a priority policy that forgets platinum customers on WhatsApp ------------------------


def platinum_first(context: PolicyContext) -> PolicyResult[Priority]:
    """Platinum customers are urgent on every channel."""
    ticket = context.ticket
    if ticket.customer.tier.name == "platinum":
        return PolicyResult(Priority.URGENT, "platinum customer")
    return PolicyResult(ticket.priority, "as submitted")


def platinum_first_forgets_whatsapp(context: PolicyContext) -> PolicyResult[Priority]:
    """The same, written channel by channel -- and WhatsApp left out."""
    ticket = context.ticket
    if ticket.customer.tier.name == "platinum" and ticket.channel.name in (
        "chat",
        "phone",
        "email",
        "social",
    ):
        return PolicyResult(Priority.URGENT, "platinum customer")
    return PolicyResult(ticket.priority, "as submitted")


def platinum_is_urgent(config: DeskConfig) -> None:
    """The law, as a property over tickets drawn from the configuration."""

    @_QUICK
    @given(st.lists(tickets(created_at=NINE, config=config), max_size=6, unique_by=lambda t: t.id))
    def law(batch: list[Ticket]) -> None:
        d = Desk(config)
        for ticket in batch:
            queued = d.submit(ticket, at=NINE)[0]
            assert isinstance(queued, TicketQueued)
            if queued.tier == "platinum":
                assert queued.priority is Priority.URGENT, (
                    f"platinum ticket on {queued.channel} queued at {queued.priority.name}"
                )

    law()


def test_the_priority_property_catches_platinum_whatsapp_left_out() -> None:
    platinum_is_urgent(desk(priority_policy=platinum_first))
    with pytest.raises(AssertionError, match="platinum ticket on whatsapp queued at"):
        platinum_is_urgent(desk(priority_policy=platinum_first_forgets_whatsapp))


class PlatinumUrgent(DeskMachine):
    """The law as a stateful machine's check: every platinum ticket enters the line urgent
    (an agent may lower it later, with ``set_priority``)."""

    config = desk(priority_policy=platinum_first)
    start = NINE

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()

    def check_event(self, event: Event) -> None:
        if isinstance(event, TicketQueued) and event.ticket_id not in self.seen:
            self.seen.add(event.ticket_id)  # its submission
            if event.tier == "platinum":
                assert event.priority is Priority.URGENT, (
                    f"platinum ticket {event.ticket_id!r} on {event.channel} entered the "
                    f"line {event.priority.name}"
                )


class ForgetsWhatsApp(PlatinumUrgent):
    config = desk(priority_policy=platinum_first_forgets_whatsapp)


_MACHINE = settings(_QUICK, max_examples=12, stateful_step_count=20)


def test_the_machine_catches_platinum_whatsapp_left_out() -> None:
    run_state_machine_as_test(PlatinumUrgent, settings=settings(_MACHINE, max_examples=4))
    with pytest.raises(AssertionError, match=r"on whatsapp entered the line (LOW|NORMAL|HIGH)\n"):
        run_state_machine_as_test(ForgetsWhatsApp, settings=_MACHINE)


# -- 2. a strategy that keeps a repeat customer waiting for the agent of last time ---------


@attrs.frozen
class SameAgentAgain:
    """A repeat customer goes back to the agent who served them last, held for *hold*."""

    hold: timedelta
    name: str = "same_agent_again"

    @property
    def hold_us(self) -> int:
        return self.hold // timedelta(microseconds=1)

    def pick(self, context: SelectionContext) -> str | None:
        return context.last_agent


def sticky(hold: timedelta) -> DeskConfig:
    config = desk()
    return attrs.evolve(config, strategies=[SameAgentAgain(hold), *config.strategies])


def repeat_customer_story(config: DeskConfig, *, sari: str) -> list[Event]:
    """Sari served customer c-7 this morning; at noon she is *sari* ("away", or "busy" with
    another chat) and Dewi is free when c-7 writes again.  The promise: a repeat customer
    waits at most ten minutes for the agent of last time."""
    story = Story(config, MONDAY)
    story.agent("09:00", "sari", languages=["id"], chat=1)
    story.customer_opens("09:05", "T-1", "chat", customer="c-7", language="id")
    story.resolves("09:20", "sari", "T-1")
    if sari == "away":
        story.do("12:00", "set_presence", "sari", "away")
    else:
        story.customer_opens("12:00", "T-0", "chat", customer="c-1", language="id")
    story.agent("12:01", "dewi", languages=["id"], chat=1)
    events = story.customer_opens("12:05", "T-2", "chat", customer="c-7", language="id")
    return events + story.wait_until("12:15")


def test_an_agent_who_is_away_is_not_waited_for() -> None:
    # The desk passes over a pinned agent who is not at work: Dewi takes the ticket at once.
    events = repeat_customer_story(sticky(timedelta(hours=2)), sari="away")
    assert_assigned(events, "T-2", "dewi")
    assigned = [e for e in events if isinstance(e, TicketAssigned)]
    assert assigned[-1].at == datetime(2026, 3, 9, 12, 5, tzinfo=JAKARTA)


def test_a_story_catches_a_repeat_customer_held_too_long_for_a_busy_agent() -> None:
    # Fixed: held five minutes for Sari, then Dewi takes it.
    events = repeat_customer_story(sticky(timedelta(minutes=5)), sari="busy")
    assert_assigned(events, "T-2", "dewi")
    # The mistake: held two hours for Sari while Dewi sits idle.
    events = repeat_customer_story(sticky(timedelta(hours=2)), sari="busy")
    with pytest.raises(AssertionError, match="ticket 'T-2' was not assigned; events:"):
        assert_assigned(events, "T-2", "dewi")


# -- 3. a routing profile that starves e-mail during a chat peak -----------------------------


# Sari takes one ticket at a time, whatever its channel (a load budget of one).
ONE_AT_A_TIME = CapacityRules(weights={"chat": 1, "email": 1}, budget=1)


def chat_first() -> DeskConfig:
    # "Chat customers wait live, so chat always goes first" -- strictly.
    profile = RoutingProfile("front", [QueueSlot("chat", 1), QueueSlot("email", 2)])
    return desk(routing_profiles=[profile], capacity=ONE_AT_A_TIME)


def chat_peak_story(config: DeskConfig) -> list[Event]:
    """Sari is on a chat when an e-mail arrives at 09:00; then a chat comes every four
    minutes, and she answers one every five.  The promise: an e-mail is taken within the
    hour even during a chat peak."""
    story = Story(config, MONDAY)
    story.agent("08:55", "sari", languages=["id"], chat=1, email=1)
    events = story.customer_opens("08:58", "C-0", "chat", language="id")
    events += story.customer_opens("09:00", "E-1", "email", language="id")
    for minute in range(1, 61):
        clock = f"{9 + minute // 60:02d}:{minute % 60:02d}"
        if minute % 4 == 0:
            events += story.customer_opens(clock, f"C-{minute}", "chat", language="id")
        if minute % 5 == 0:
            events += story.resolves(clock, "sari", story.desk.agent("sari").held[0])
    return events


def test_a_story_catches_e_mail_starved_by_a_chat_peak() -> None:
    # Fixed: chat and e-mail at one priority compete by how long they waited.
    events = chat_peak_story(desk(capacity=ONE_AT_A_TIME))
    assert_assigned(events, "E-1", "sari")
    # The mistake: chat strictly first, and the chat line never empties.
    events = chat_peak_story(chat_first())
    with pytest.raises(AssertionError, match="ticket 'E-1' was not assigned; events:"):
        assert_assigned(events, "E-1", "sari")
