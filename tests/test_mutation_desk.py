"""Desk promises a mutation sample found unasserted (``make mutation``, desk).

Refusals of configs, commands, tickets and snapshots with their whole message and path;
commands read from plain data keep their instant and their defaults; the rule context of a
repeat customer; the smallest bounds a contact policy accepts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from csflow import (
    AgentProfile,
    Customer,
    Desk,
    DeskConfig,
    Ticket,
    Tier,
    command_from_dict,
    view_from_dict,
)
from csflow.desk import ContactPolicy, ticket_from_dict
from csflow.desk.feedback import FeedbackBook
from csflow.desk.serialisation import MAX_STRING
from csflow.errors import (
    CalendarError,
    ConfigError,
    CsflowError,
    InvalidTransitionError,
    UndeclaredNameError,
)
from csflow.events import SlaEscalated, TicketAssigned
from desks import busy_desk, seeds_desk_doc

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
AT = "2026-03-02T09:00:00+00:00"
ALW = {"timezone": "UTC", "always_open": True}
POL = {"name": "std", "calendar": "always", "targets": {"first_response": "PT1M"}}


def cfg(**kw: Any) -> DeskConfig:
    doc: dict[str, Any] = {
        "calendars": {"always": ALW},
        "sla_policies": [POL],
        "default_sla_policy": "std",
    }
    doc.update(kw)
    return DeskConfig.from_dict(doc)


def desk_with_open() -> Desk:
    desk = Desk(DeskConfig())
    desk.submit(Ticket("t1", Customer("c", Tier("gold", 1)), "chat", T0), at=T0)
    return desk


def declared() -> Desk:
    return Desk(
        DeskConfig.from_dict({"channels": ["chat"], "languages": ["id"], "skills": ["billing"]})
    )


REFUSED: list[tuple[type[CsflowError], Callable[[], object], str]] = [
    (
        ConfigError,
        lambda: cfg(sla_policies=[POL, POL]),
        "sla_policies[1]: SLA policy 'std' defined twice",
    ),
    (
        ConfigError,
        lambda: cfg(queues=[{"name": "q", "key": "fifo"}]),
        "queues[0].key: expected 'aging' or 'deadline', got 'fifo'",
    ),
    (
        ConfigError,
        lambda: cfg(queues=[{"name": "q"}, {"name": "q"}]),
        "queues[1]: queue 'q' defined twice",
    ),
    (ConfigError, lambda: DeskConfig(contacts=5), "contacts: expected a ContactPolicy, got 5"),  # type: ignore[arg-type]
    (ConfigError, lambda: DeskConfig(transfers=5), "transfers: expected a TransferPolicy, got 5"),  # type: ignore[arg-type]
    (
        ConfigError,
        lambda: DeskConfig(sla_policies=[5]),  # type: ignore[list-item]
        "sla_policies[0]: expected an SlaPolicy, got 5",
    ),
    (
        ConfigError,
        lambda: cfg(goodwill={"currency": "IDR", "decimals": 9}),
        "goodwill.decimals: expected an int from 0 to 6, got 9",
    ),
    (
        ConfigError,
        lambda: cfg(goodwill={"decimals": 0}),
        "goodwill.currency: missing; expected the currency's code, e.g. 'IDR'",
    ),
    (
        InvalidTransitionError,
        lambda: desk_with_open().forget("t1", at=T0),
        "cannot forget ticket 't1': it is queued; only closed or abandoned tickets can be forgotten",
    ),
    (
        CalendarError,
        lambda: desk_with_open().contacts("c", at=datetime(2026, 3, 2)),
        "'at' must be timezone-aware, got datetime.datetime(2026, 3, 2, 0, 0)",
    ),
    (
        UndeclaredNameError,
        lambda: declared().submit(
            Ticket(
                "t",
                Customer("c", Tier("gold", 1), language="id"),
                "chat",
                T0,
                required_skills={"biling": 1},
            ),
            at=T0,
        ),
        "ticket.required_skills[0]: undeclared skill 'biling'; declared: ['billing'] (DeskConfig.skills; or 'open' to accept any)",
    ),
    (
        UndeclaredNameError,
        lambda: declared().add_agent(AgentProfile("a", capacity={"fax": 1}), at=T0),
        "profile.capacity: undeclared channel 'fax'; declared: ['chat'] (DeskConfig.channels; or 'open' to accept any)",
    ),
    (
        UndeclaredNameError,
        lambda: declared().add_agent(
            AgentProfile("a", capacity={"chat": 1}, languages=["xx"]), at=T0
        ),
        "profile.languages: undeclared language 'xx'; declared: ['id'] (DeskConfig.languages; or 'open' to accept any)",
    ),
    (
        ConfigError,
        lambda: DeskConfig.from_dict({"channels": ["chat", ""]}),
        "channels[1]: name must be a lowercase name of 1-64 characters (letters, digits, '_', '-', '.'), got ''",
    ),
    (ConfigError, lambda: command_from_dict(5), "command: expected a mapping, got 5"),
    (
        ConfigError,
        lambda: command_from_dict(
            {
                "type": "AddAgent",
                "version": 1,
                "at": "2026-03-02T09:00:00+00:00",
                "profile": {"id": "a"},
                "bogus": 1,
            }
        ),
        "command.bogus: unknown key 'bogus'; expected one of ['at', 'presence', 'profile', 'routing_profile', 'type', 'version']",
    ),
    (
        ConfigError,
        lambda: command_from_dict(
            {
                "type": "RecordFeedback",
                "version": 1,
                "at": "2026-03-02T09:00:00+00:00",
                "ticket_id": "",
                "rating": 5,
            }
        ),
        "command.ticket_id: expected a non-empty string, got ''",
    ),
    (
        ConfigError,
        lambda: command_from_dict(
            {
                "type": "RecordFeedback",
                "version": 1,
                "at": "2026-03-02T09:00:00+00:00",
                "ticket_id": 5,
                "rating": 5,
            }
        ),
        "command.ticket_id: expected a non-empty string, got 5",
    ),
    (
        ConfigError,
        lambda: command_from_dict(
            {
                "type": "AddAgent",
                "version": 1,
                "at": "2026-03-02T09:00:00+00:00",
                "profile": {"id": "a", "teams": "x"},
            }
        ),
        "command.profile.teams: expected a list, got 'x'",
    ),
    (
        ConfigError,
        lambda: command_from_dict(
            {"type": "Submit", "version": 1, "at": "2026-03-02T09:00:00+00:00", "ticket": 5}
        ),
        "command.ticket: expected a mapping, got 5",
    ),
    (
        ConfigError,
        lambda: ticket_from_dict(
            {
                "id": "t",
                "customer": {"id": "c", "tier": {"name": "gold"}, "bogus": 1},
                "channel": "chat",
                "created_at": "2026-03-02T09:00:00+00:00",
            }
        ),
        "ticket.customer.bogus: unknown key 'bogus'; expected one of ['attributes', 'id', 'language', 'preferred_agent', 'tier']",
    ),
    (
        ConfigError,
        lambda: ticket_from_dict(
            {
                "id": "t",
                "customer": {"id": "c", "tier": {"name": ""}},
                "channel": "chat",
                "created_at": "2026-03-02T09:00:00+00:00",
            }
        ),
        "ticket.customer.tier.name: tier name must be a lowercase name of 1-64 characters (letters, digits, '_', '-', '.'), got ''",
    ),
    (
        ConfigError,
        lambda: ticket_from_dict(
            {
                "id": "t",
                "customer": {"id": "c", "tier": {"name": "gold"}},
                "channel": "chat",
                "created_at": "yesterday",
            }
        ),
        "ticket.created_at: expected an ISO 8601 instant, got 'yesterday'",
    ),
    (ConfigError, lambda: Desk.restore(DeskConfig(), 5), "snapshot: expected a mapping, got 5"),
    (
        ConfigError,
        lambda: Desk.restore(DeskConfig(), {"format": "csflow.desk/0", "state": {}}),
        "snapshot.format: expected format 'csflow.desk/3' (or an older one), got 'csflow.desk/0'",
    ),
    (
        ConfigError,
        lambda: ticket_from_dict(
            {
                "id": "t",
                "customer": {"id": "c", "tier": 5},
                "channel": "chat",
                "created_at": "2026-03-02T09:00:00+00:00",
            }
        ),
        "ticket.customer.tier: expected a mapping, got 5",
    ),
    (ConfigError, lambda: view_from_dict(5), "view: expected a mapping, got 5"),
]


@pytest.mark.parametrize(("error", "call", "message"), REFUSED)
def test_every_refusal_has_its_type_its_path_and_its_message(
    error: type[CsflowError], call: Callable[[], object], message: str
) -> None:
    with pytest.raises(error) as caught:
        call()
    assert str(caught.value) == message


def test_commands_from_plain_data_keep_their_instant_and_defaults() -> None:
    feedback = command_from_dict(
        {"type": "RecordFeedback", "version": 1, "at": AT, "ticket_id": "t", "rating": 5}
    )
    assert feedback.to_dict() == {
        "type": "RecordFeedback",
        "version": 1,
        "at": AT,
        "ticket_id": "t",
        "rating": 5,
        "comment": "",
    }
    ticket = {
        "id": "t1",
        "customer": {"id": "c", "tier": {"name": "gold", "rank": 1}},
        "channel": "chat",
        "created_at": AT,
    }
    submit = command_from_dict({"type": "Submit", "version": 1, "at": AT, "ticket": ticket})
    assert submit.at == T0
    add = command_from_dict(
        {
            "type": "AddAgent",
            "version": 1,
            "at": AT,
            "profile": {"id": "ana", "capacity": {"chat": 1}},
            "presence": "available",
            "routing_profile": None,
        }
    )
    assert add.at == T0
    desk = Desk(DeskConfig())
    add.apply(desk)
    events = submit.apply(desk)
    assert [type(e).__name__ for e in events] == ["TicketQueued", "TicketAssigned"]
    assert desk.ticket("t1").agent_id == "ana"


def test_a_ticket_from_plain_data_takes_its_defaults() -> None:
    ticket = ticket_from_dict(
        {
            "id": "t",
            "customer": {"id": "c", "tier": {"name": "gold"}},
            "channel": "chat",
            "created_at": AT,
        }
    )
    assert ticket == Ticket("t", Customer("c", Tier("gold", 0)), "chat", T0)
    assert ticket.category == "general"


def test_a_repeat_customers_context_and_the_smallest_contact_bounds() -> None:
    policy = ContactPolicy(window=timedelta(days=1), max_contacts=1, max_customers=1)
    desk = Desk(DeskConfig(contacts=policy))
    desk.submit(Ticket("t1", Customer("c", Tier("gold", 1)), "chat", T0), at=T0)
    later = T0 + timedelta(minutes=1)
    summary = desk.contacts("c", later)
    assert summary is not None
    assert summary.context(later) == {"count": 1, "open": 1, "last_s": 60.0}
    assert desk.contacts("c") == summary


def test_views_round_trip_through_plain_data() -> None:
    desk = Desk(cfg())
    desk.submit(Ticket("t1", Customer("c", Tier("gold", 1)), "chat", T0), at=T0)
    view = desk.ticket("t1")
    assert view_from_dict(view.to_dict()) == view
    clocks = desk.clocks("t1")
    assert list(clocks) != []
    for clock in clocks.values():
        assert view_from_dict(clock.to_dict()) == clock


def test_lint_warns_of_queues_and_teams_no_profile_serves() -> None:
    config = DeskConfig.from_dict(
        {
            "queues": [{"name": "a"}, {"name": "b"}],
            "routing_profiles": [{"name": "p", "queues": ["a"]}],
            "teams": {"l2": {"queue": "b"}},
        }
    )
    assert [(f.path, f.severity, f.message) for f in config.lint()] == [
        (
            "queues[1]",
            "warning",
            "no routing profile serves queue 'b': its tickets can never be assigned",
        ),
        (
            "teams.l2.queue",
            "warning",
            "team 'l2' waits in queue 'b', which no routing profile serves",
        ),
    ]


def test_an_escalation_without_a_queue_skips_nothing() -> None:
    rules = [
        {
            "name": "breach",
            "when": {"field": "event", "eq": "breach"},
            "then": {"priority": "urgent", "notify": "lead-ayu"},
        }
    ]
    desk = Desk(cfg(escalation_rules=rules))
    desk.submit(Ticket("t1", Customer("c", Tier("gold", 1)), "chat", T0), at=T0)
    events = desk.advance(at=T0 + timedelta(minutes=3))
    [esc] = [e for e in events if isinstance(e, SlaEscalated) and e.kind == "breach"]
    assert (esc.notify, esc.skipped) == (("lead-ayu",), ())
    assert desk.ticket("t1").queue == "default"


# -- a second sample (desk, seed 1, after state snapshots) ------------------------------------


def _tampered_state(edit: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    snap = busy_desk(SEEDS).snapshot()
    edit(snap["state"])
    return snap


SEEDS = DeskConfig.from_dict(seeds_desk_doc())


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda s: s.update(tickets=5),
            "snapshot.state.tickets: expected a list, got 5",
        ),
        (
            lambda s: s["tickets"][0].update(state="bogus"),
            "snapshot.state.tickets[0].state: unknown ticket state 'bogus'",
        ),
        (
            lambda s: s["tickets"][0]["sla"].update(policy="standard"),
            "snapshot.state.tickets[0].sla: the clocks are of policy 'standard' and ticket 't1', "
            "the record's 'vip' and 't1'",
        ),
        (
            lambda s: s.update(last_agent=[[5, "sari", 0]]),
            "snapshot.state.last_agent[0]: expected [customer, agent, at_us] by the snapshot's "
            "instant, got [5, 'sari', 0]",
        ),
        (
            lambda s: s["tickets"][0].update(tags=["x" * (MAX_STRING + 1)]),
            f"snapshot.state.tickets[0].tags[0]: string of {MAX_STRING + 1} characters; "
            f"at most {MAX_STRING}",
        ),
        (
            lambda s: s["tickets"].append(s["tickets"][0]),
            "snapshot.state.tickets[2]: ticket 't1' twice",
        ),
        (
            lambda s: s["timers"]["sla"].insert(0, ["x", "t1"]),
            "snapshot.state.timers.sla[0]: expected [due_us, ticket_id], got ['x', 't1']",
        ),
        (
            lambda s: s.update(last_agent=[["ayu", 5, 0]]),
            "snapshot.state.last_agent[0]: expected [customer, agent, at_us] by the snapshot's "
            "instant, got ['ayu', 5, 0]",
        ),
    ],
)
def test_a_tampered_state_snapshot_names_the_bad_field(
    edit: Callable[[dict[str, Any]], object], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        Desk.restore(SEEDS, _tampered_state(edit))
    assert str(caught.value) == message


def test_an_escalation_while_a_command_catches_up_routes_the_ticket_after_the_command() -> None:
    """A breach escalates a waiting ticket to a queue with a free agent while a later command
    on it (a priority change) catches its clocks up: the command applies to the ticket as it
    was checked (waiting), and the move to the agent comes after it, at the command's
    instant."""
    desk = Desk(
        cfg(
            queues=[{"name": "front"}, {"name": "technical"}],
            routing_profiles=[
                {"name": "front", "queues": ["front"]},
                {"name": "technical", "queues": ["technical"]},
            ],
            escalation_rules=[
                {
                    "name": "late-to-tech",
                    "when": {"field": "event", "eq": "breach"},
                    "then": {"queue": "technical"},
                }
            ],
        )
    )
    tech = AgentProfile("tech", capacity={"chat": 1})
    desk.add_agent(tech, at=T0, presence="available", routing_profile="technical")
    desk.submit(Ticket("t1", Customer("c", Tier("gold", 1)), "chat", T0), at=T0)
    later = T0 + timedelta(seconds=90)
    events = desk.set_priority("t1", "high", at=later)
    kinds = [type(e).__name__ for e in events]
    assert kinds.index("SlaBreached") < kinds.index("TicketPrioritized")
    assert kinds.index("TicketPrioritized") < kinds.index("TicketAssigned")
    assigned = next(e for e in events if isinstance(e, TicketAssigned))
    assert (assigned.agent_id, assigned.at) == ("tech", later)
    view = desk.ticket("t1")
    assert (view.state, view.agent_id, view.queue) == ("assigned", "tech", "technical")


def test_a_call_back_put_back_in_line_still_needs_a_phone_agent() -> None:
    """A ticket whose customer asked to be called back is a phone call wherever it is routed
    again: when its phone agent leaves, a chat-only agent does not take it."""
    desk = Desk(DeskConfig())
    desk.submit(Ticket("t1", Customer("c", Tier("gold", 1)), "chat", T0), at=T0)
    desk.request_callback("t1", at=T0)
    phone = AgentProfile("ph", capacity={"phone": 1})
    assert any(
        isinstance(e, TicketAssigned) for e in desk.add_agent(phone, at=T0, presence="available")
    )
    desk.add_agent(AgentProfile("chatty", capacity={"chat": 1}), at=T0, presence="available")
    events = desk.remove_agent("ph", at=T0 + timedelta(minutes=1))
    assert not any(isinstance(e, TicketAssigned) for e in events)
    assert desk.ticket("t1").state == "queued"
    assert desk.ticket("t1").agent_id is None


def test_a_feedback_book_counts_resolution_cycles_per_ticket() -> None:
    book = FeedbackBook()
    assert book.cycle("t1") == 0
    book.resolved("t1")
    book.resolved("t1")
    book.resolved("t2")
    assert (book.cycle("t1"), book.cycle("t2"), book.cycle("t3")) == (2, 1, 0)


def test_a_rating_of_a_ticket_never_resolved_says_there_is_nothing_to_rate() -> None:
    book = FeedbackBook()
    with pytest.raises(InvalidTransitionError) as caught:
        book.check("t1")
    assert str(caught.value) == "ticket 't1' has not been resolved: there is nothing to rate"


def test_a_snapshot_that_is_one_long_string_is_refused_at_its_root() -> None:
    from csflow.desk.serialisation import check_plain

    huge = "x" * (MAX_STRING + 1)
    with pytest.raises(ConfigError) as caught:
        check_plain(huge, "snapshot")
    assert (caught.value.path, caught.value.detail) == (
        "snapshot",
        f"string of {MAX_STRING + 1} characters; at most {MAX_STRING}",
    )
    check_plain("x" * MAX_STRING, "snapshot")  # at the limit: accepted
