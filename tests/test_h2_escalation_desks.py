"""Worked desks, computed by hand: a refund that goes from the front line to finance and back,
a breach at 02:00 on a night shift, a ticket at the transfer limit (refused, and flagged), an
escalation to a team with nobody online, an escalation along an edge the graph does not
have, and an SLA rule's queue move, which is not a hand-over.  Every refusal is a typed
error that names the value and changes nothing (the snapshot before and after are equal).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.errors import ConfigError, InvalidTransitionError, TransferLimitError
from csflow.events import Event
from csflow.model import Priority

JAKARTA = ZoneInfo("Asia/Jakarta")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=JAKARTA)
MINUTE = timedelta(minutes=1)
TEAMS = ("front", "technical", "finance")
PUTRI = Customer("putri", Tier("gold", 2), language="id")
SKIP = frozenset(
    {"at", "ticket_id", "reason", "tier", "channel", "sla_policy", "due_at", "cycle_start"}
    | {"target", "contacts", "last_contact_at", "open_tickets", "candidates", "last_agent"}
)


def doc(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "queues": [{"name": t} for t in TEAMS],
        "routing_profiles": [{"name": t, "queues": [t]} for t in TEAMS],
        "teams": {t: {"queue": t, "routing_profile": t} for t in TEAMS},
        "escalation": {
            "teams": list(TEAMS),
            "entry": ["front"],
            "edges": {"front": ["technical", "finance"]},
        },
        "transfers": {"max_transfers": 2, "on_limit": "refuse"},
    }
    data.update(changes)
    return data


def staff(desk: Desk, at: datetime, **presence: str) -> None:
    for agent_id, team in (("sari", "front"), ("budi", "technical"), ("hendra", "finance")):
        profile = AgentProfile(agent_id, languages={"id"}, capacity={"chat": 2}, teams={team})
        desk.add_agent(profile, at=at, presence=presence.get(agent_id, "available"))


def plain(events: list[Event]) -> list[tuple[Any, ...]]:
    """Each event's name, local time and the fields a support lead reads."""
    out = []
    for e in events:
        fields = {
            k: str(v) if isinstance(v, Priority) else v.value if isinstance(v, Enum) else v
            for k, v in attrs.asdict(e, recurse=False).items()
            if k not in SKIP
        }
        out.append((type(e).__name__, e.at.astimezone(JAKARTA).strftime("%H:%M"), fields))
    return out


def test_a_refund_goes_to_finance_and_back_and_the_limit_refuses_a_third_hand_over() -> None:
    desk = Desk(DeskConfig.from_dict(doc()))
    staff(desk, T0)
    desk.submit(Ticket("R-1", PUTRI, "chat", T0, category="refund"), at=T0)
    assert desk.ticket("R-1").agent_id == "sari"

    assert plain(desk.escalate("R-1", "finance", at=T0 + MINUTE)) == [
        (
            "TicketEscalated",
            "09:01",
            {"from_team": "front", "to_team": "finance", "escalations": 1},
        ),
        ("TicketAssigned", "09:01", {"agent_id": "hendra", "waited": 0.0}),
    ]
    # Finance may escalate to no team: back to the front line is a transfer.
    before = desk.snapshot()
    with pytest.raises(InvalidTransitionError) as no_edge:
        desk.escalate("R-1", "front", at=T0 + 2 * MINUTE)
    assert str(no_edge.value) == "team 'finance' may not escalate to 'front'; allowed: []"
    assert desk.snapshot() == before

    assert plain(desk.transfer("R-1", "front", at=T0 + 2 * MINUTE)) == [
        ("TicketTransferred", "09:02", {"from_agent": "hendra", "to": "front", "transfers": 2}),
        ("TicketAssigned", "09:02", {"agent_id": "sari", "waited": 0.0}),
    ]
    view = desk.ticket("R-1")
    assert (view.team, view.queue, view.agent_id, view.transfers) == ("front", "front", "sari", 2)

    # Two hand-overs is the limit: a third is refused, whichever command asks for it.
    before = desk.snapshot()
    for command, target in (("escalate", "technical"), ("transfer", "budi")):
        with pytest.raises(TransferLimitError) as refused:
            getattr(desk, command)("R-1", target, at=T0 + 3 * MINUTE)
        assert str(refused.value) == (
            "ticket 'R-1' was handed over 2 times; max_transfers=2 refuses another"
        )
        assert desk.snapshot() == before


def test_a_flagged_hand_over_past_the_limit_comes_before_the_escalation() -> None:
    desk = Desk(DeskConfig.from_dict(doc(transfers={"max_transfers": 0, "on_limit": "flag"})))
    staff(desk, T0)
    desk.submit(Ticket("F-1", PUTRI, "chat", T0), at=T0)
    assert plain(desk.escalate("F-1", "technical", at=T0 + MINUTE)) == [
        ("TransferLimitReached", "09:01", {"transfers": 1, "limit": 0, "refused": False}),
        (
            "TicketEscalated",
            "09:01",
            {"from_team": "front", "to_team": "technical", "escalations": 1},
        ),
        ("TicketAssigned", "09:01", {"agent_id": "budi", "waited": 0.0}),
    ]


def test_an_escalation_to_a_team_with_nobody_online_waits_for_it() -> None:
    desk = Desk(DeskConfig.from_dict(doc()))
    staff(desk, T0, hendra="offline")
    desk.submit(Ticket("W-1", PUTRI, "chat", T0), at=T0)
    # Sari is freed, and the ticket waits in finance's queue: nobody there takes it yet.
    assert plain(desk.escalate("W-1", "finance", at=T0 + MINUTE)) == [
        (
            "TicketEscalated",
            "09:01",
            {"from_team": "front", "to_team": "finance", "escalations": 1},
        ),
    ]
    view = desk.ticket("W-1")
    assert (view.state, view.team, view.queue, view.agent_id) == (
        "queued",
        "finance",
        "finance",
        None,
    )
    # Nobody of the front line takes it: it is finance's now.
    desk.submit(Ticket("W-2", PUTRI, "chat", T0 + MINUTE), at=T0 + 2 * MINUTE)
    assert desk.ticket("W-1").agent_id is None
    events = desk.set_presence("hendra", "available", at=T0 + 10 * MINUTE)
    assert ("TicketAssigned", "09:10", {"agent_id": "hendra", "waited": 540.0}) in plain(events)
    assert desk.ticket("W-1").agent_id == "hendra"


@pytest.mark.parametrize(
    ("team", "error", "message"),
    [
        ("engineering", ConfigError, "unknown team 'engineering'; known: "),
        (None, ConfigError, "unknown team None; known: "),
        (
            "front",
            InvalidTransitionError,
            "team 'front' may not escalate to 'front'; allowed: ['technical', 'finance']",
        ),
    ],
)
def test_an_escalation_the_desk_cannot_do_names_the_value_and_changes_nothing(
    team: Any, error: type[Exception], message: str
) -> None:
    desk = Desk(DeskConfig.from_dict(doc()))
    staff(desk, T0)
    desk.submit(Ticket("E-1", PUTRI, "chat", T0), at=T0)
    before = desk.snapshot()
    with pytest.raises(error) as refused:
        desk.escalate("E-1", team, at=T0 + MINUTE)
    assert type(refused.value) is error
    assert str(refused.value).startswith(message)
    assert desk.snapshot() == before


NIGHT = {
    day: [["00:00", "06:00"], ["22:00", "24:00"]]
    for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
}


def night_desk(**changes: Any) -> Desk:
    return Desk(
        DeskConfig.from_dict(
            doc(
                calendars={"night": {"timezone": "Asia/Jakarta", "weekly": NIGHT}},
                sla_policies=[
                    {
                        "name": "night",
                        "calendar": "night",
                        "targets": {"first_response": "PT10M"},
                        "warnings": [0.5],
                    }
                ],
                default_sla_policy="night",
                escalation_rules=[
                    {
                        "name": "night breach",
                        "when": {"field": "event", "eq": "breach"},
                        "then": {
                            "priority": "urgent",
                            "queue": "technical",
                            "notify": ["night-lead"],
                            "tags": ["breached"],
                        },
                    }
                ],
                **changes,
            )
        )
    )


def test_a_breach_at_two_in_the_morning_moves_the_ticket_to_the_night_technician() -> None:
    at = datetime(2026, 3, 3, 1, 50, tzinfo=JAKARTA)
    desk = night_desk()
    staff(desk, at, sari="away", hendra="offline")
    desk.submit(Ticket("N-1", PUTRI, "chat", at), at=at)
    assert plain(desk.advance(at=at + 30 * MINUTE)) == [
        ("SlaWarning", "01:55", {"metric": "first_response", "threshold": 0.5}),
        ("SlaBreached", "02:00", {"metric": "first_response"}),
        (
            "SlaEscalated",
            "02:00",
            {
                "metric": "first_response",
                "kind": "breach",
                "notify": ("night-lead",),
                "tags": ("breached",),
                "skipped": (),
            },
        ),
        ("TicketPrioritized", "02:00", {"old": "normal", "new": "urgent"}),
        ("TicketOverflowed", "02:00", {"queue": "technical", "waited": 600.0}),
        ("TicketAssigned", "02:00", {"agent_id": "budi", "waited": 600.0}),
    ]
    view = desk.ticket("N-1")
    # The rule's queue move is not a hand-over: nothing is counted against max_transfers.
    assert (view.team, view.agent_id, view.tags, view.transfers) == (
        "technical",
        "budi",
        ("breached",),
        0,
    )


def test_a_rule_moves_a_ticket_at_the_transfer_limit_and_off_the_graphs_edges() -> None:
    # Finance may escalate to no team, and the ticket had its two hand-overs: the breach rule
    # still moves it to the technical queue (a rule of the desk's own, not a hand-over).
    at = datetime(2026, 3, 3, 22, 0, tzinfo=JAKARTA)
    desk = night_desk()
    staff(desk, at, sari="away", budi="offline", hendra="offline")
    desk.submit(Ticket("N-2", PUTRI, "chat", at), at=at)
    desk.transfer("N-2", "finance", at=at + MINUTE)
    desk.transfer("N-2", "front", at=at + 2 * MINUTE)
    assert desk.ticket("N-2").transfers == 2
    events = plain(desk.advance(at=at + 20 * MINUTE))
    assert [(name, when) for name, when, _ in events] == [
        ("SlaWarning", "22:05"),
        ("SlaBreached", "22:10"),
        ("SlaEscalated", "22:10"),
        ("TicketPrioritized", "22:10"),
        ("TicketOverflowed", "22:10"),
    ]
    view = desk.ticket("N-2")
    assert (view.team, view.queue, view.agent_id, view.transfers) == (
        "technical",
        "technical",
        None,
        2,
    )
