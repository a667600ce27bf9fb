"""A team the desk has but its escalation graph leaves out (legal, say, which tickets reach
only by transfer) escalates to no team: escalating a ticket it holds is refused as any
escalation off the graph is, with an InvalidTransitionError naming the teams, and changes
nothing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from csflow import Customer, Desk, DeskConfig, Ticket, Tier
from csflow.errors import InvalidTransitionError
from csflow.testing import CommandDriver

WIB = timezone(timedelta(hours=7), "WIB")
T0 = datetime(2026, 11, 11, 9, 0, tzinfo=WIB)


def desk_with_legal() -> Desk:
    return Desk(
        DeskConfig.from_dict(
            {
                "queues": [{"name": "front"}, {"name": "finance"}, {"name": "legal"}],
                "routing_profiles": [
                    {"name": q, "queues": [{"queue": q}]} for q in ("front", "finance", "legal")
                ],
                "teams": {
                    q: {"queue": q, "routing_profile": q} for q in ("front", "finance", "legal")
                },
                "escalation": {
                    "teams": ["front", "finance"],
                    "entry": ["front"],
                    "edges": {"front": ["finance"]},
                },
            }
        )
    )


def test_escalating_from_a_team_outside_the_graph_is_an_invalid_transition() -> None:
    desk = desk_with_legal()
    putri = Customer("cust-41", Tier("gold", 2), language="id")
    desk.submit(Ticket("T-700", putri, "chat", T0), at=T0)
    desk.transfer("T-700", "legal", at=T0)
    before = desk.snapshot()
    later = T0 + timedelta(minutes=1)
    for team in ("finance", "front"):
        with pytest.raises(
            InvalidTransitionError,
            match=rf"^team 'legal' may not escalate to '{team}'; allowed: \[\] "
            r"\(the escalation graph has no team 'legal'\)$",
        ):
            desk.escalate("T-700", team, at=later)
        assert desk.snapshot() == before
    view = desk.ticket("T-700")
    assert (view.queue, view.team, view.transfers) == ("legal", "legal", 1)
    # Escalating into a team outside the graph is refused as before.
    desk.submit(Ticket("T-701", putri, "chat", T0), at=later)
    with pytest.raises(
        InvalidTransitionError, match=r"^team 'front' may not escalate to 'legal'; allowed: "
    ):
        desk.escalate("T-701", "legal", at=later)


def test_the_command_driver_draws_no_escalation_from_a_team_outside_the_graph() -> None:
    driver = CommandDriver(desk_with_legal().config, start=T0)
    putri = Customer("cust-41", Tier("gold", 2), language="id")
    driver.desk.submit(Ticket("T-700", putri, "chat", T0), at=T0)
    assert driver.possible("escalate")  # from the front line, to finance
    driver.desk.transfer("T-700", "legal", at=T0)
    assert not driver.possible("escalate")  # legal escalates to no team
    assert driver.possible("transfer")
