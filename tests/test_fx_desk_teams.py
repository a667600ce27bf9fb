"""Teams, transfers and the desk's views.

- Each team has a queue of its own: the queue a ticket is in tells which team it is with (its
  view's ``team``, the team a transfer or escalation starts from), so a configuration with
  two teams on one queue is refused where the second team names it.
- An agent's id may not be a team's name (a transfer takes either).
- A ticket's history is in the order the commands returned its events: time order.
- ``Desk.contacts`` refuses an id that is not a string with a typed error.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csflow import (
    AgentProfile,
    ConfigError,
    Customer,
    Desk,
    DeskConfig,
    Ticket,
    Tier,
)
from csflow.errors import CsflowError
from csflow.events import TicketEscalated

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
REGULAR = Tier("regular", 1)

# -- 1. one queue, one team -----------------------------------------------------------------


def _doc(teams: dict[str, str]) -> dict[str, Any]:
    queues = sorted(set(teams.values()) | {"front", "tech"})
    return {
        "queues": [{"name": q} for q in queues],
        "routing_profiles": [{"name": q, "queues": [q]} for q in queues],
        "teams": {name: {"queue": q, "routing_profile": q} for name, q in teams.items()},
    }


def test_two_teams_on_one_queue_are_refused_at_the_second_team() -> None:
    doc = _doc({"jakarta": "front", "surabaya": "front", "tech": "tech"})
    with pytest.raises(ConfigError, match=r"team 'jakarta' already waits in queue 'front'") as e:
        DeskConfig.from_dict(doc)
    assert e.value.path == "teams.surabaya.queue"


@given(
    st.dictionaries(
        st.sampled_from(["jakarta", "surabaya", "medan", "tech"]),
        st.sampled_from(["front", "tech", "back"]),
        min_size=1,
    )
)
def test_a_configuration_loads_exactly_when_no_two_teams_share_a_queue(
    teams: dict[str, str],
) -> None:
    if len(set(teams.values())) < len(teams):
        with pytest.raises(ConfigError, match=r"^teams\.\w+\.queue: team '\w+' already waits"):
            DeskConfig.from_dict(_doc(teams))
        return
    config = DeskConfig.from_dict(_doc(teams))
    # Every team's tickets read as that team's: a transfer to it shows it in the view.
    desk = Desk(config)
    desk.add_agent(AgentProfile("budi", capacity={"chat": 1}), at=T0, presence="available")
    desk.submit(Ticket("T1", Customer("c", REGULAR), "chat", T0), at=T0)
    for name in sorted(teams):
        view = desk.ticket("T1")
        if view.state == "queued" and view.queue == teams[name]:
            continue
        desk.transfer("T1", name, at=T0)
        assert desk.ticket("T1").team == name


def test_a_handed_over_ticket_escalates_along_its_own_teams_edges() -> None:
    # The review's desk, with Surabaya on a queue of its own: Jakarta has no edge to tech.
    doc = _doc({"jakarta": "front", "surabaya": "back", "tech": "tech"})
    doc["escalation"] = {
        "teams": ["jakarta", "surabaya", "tech"],
        "entry": ["jakarta", "surabaya"],
        "edges": {"surabaya": ["tech"]},
    }
    doc["triage"] = {"rules": [{"name": "tech first", "then": {"queue": "tech"}}]}
    desk = Desk(DeskConfig.from_dict(doc))
    desk.add_agent(
        AgentProfile("tono", capacity={"chat": 1}, teams={"tech"}), at=T0, presence="available"
    )
    desk.submit(Ticket("T1", Customer("c", REGULAR), "chat", T0), at=T0)
    desk.transfer("T1", "jakarta", at=T0)
    assert desk.ticket("T1").team == "jakarta"
    with pytest.raises(CsflowError, match=r"team 'jakarta' may not escalate to 'tech'"):
        desk.escalate("T1", "tech", at=T0)
    desk.transfer("T1", "surabaya", at=T0)
    events = desk.escalate("T1", "tech", at=T0)
    assert [e.from_team for e in events if isinstance(e, TicketEscalated)] == ["surabaya"]


# -- 3. an agent named like a team ------------------------------------------------------------


def test_an_agent_id_that_names_a_team_is_refused_and_changes_nothing() -> None:
    desk = Desk(DeskConfig.from_dict(_doc({"front": "front", "tech": "tech"})))
    desk.advance(at=T0)
    before = desk.snapshot()
    with pytest.raises(ConfigError, match=r"agent id 'tech' is the name of a team") as e:
        desk.add_agent(AgentProfile("tech", capacity={"chat": 1}), at=T0, presence="offline")
    assert e.value.path == "profile.id"
    assert desk.snapshot() == before
    # Any other id is fine, and a transfer to the team goes to the team.
    desk.add_agent(AgentProfile("budi", capacity={"chat": 1}), at=T0, presence="available")
    desk.submit(Ticket("T1", Customer("c", REGULAR), "chat", T0), at=T0)
    desk.transfer("T1", "tech", at=T0 + timedelta(minutes=1))
    assert (desk.ticket("T1").queue, desk.ticket("T1").team) == ("tech", "tech")


def test_a_transfer_to_a_name_of_both_an_agent_and_a_team_is_refused() -> None:
    # A desk restored under a configuration that added a team named like an agent.
    old = DeskConfig.from_dict(_doc({"front": "front"}))
    desk = Desk(old)
    for aid in ("tech", "budi"):
        desk.add_agent(AgentProfile(aid, capacity={"chat": 1}), at=T0, presence="available")
    desk.submit(Ticket("T1", Customer("c", REGULAR), "chat", T0), at=T0)
    new = DeskConfig.from_dict(_doc({"front": "front", "tech": "tech"}))
    restored = Desk.restore(new, desk.snapshot(), on_config_change=[])
    holder = restored.ticket("T1").agent_id
    assert holder is not None
    before = restored.snapshot()
    with pytest.raises(ConfigError, match=r"'tech' names both an agent and a team"):
        restored.transfer("T1", "tech", at=T0 + timedelta(minutes=1))
    assert restored.snapshot() == before


# -- 4. history in time order -----------------------------------------------------------------

LATE = DeskConfig.from_dict(
    {
        "calendars": {"24x7": {"timezone": "UTC", "always_open": True}},
        "sla_policies": [
            {"name": "chat", "calendar": "24x7", "targets": {"first_response": "PT2M"}}
        ],
        "default_sla_policy": "chat",
    }
)


@given(lag=st.integers(0, 600), extra=st.integers(0, 300))
def test_a_history_is_in_the_order_the_commands_returned_its_events(lag: int, extra: int) -> None:
    # A ticket created before it reached the desk (mail-server lag): SLA events due before
    # it arrived come first, as submit returns them.
    desk = Desk(LATE)
    created = T0
    arrived = created + timedelta(seconds=lag)
    returned = list(desk.submit(Ticket("T1", Customer("c", REGULAR), "email", created), at=arrived))
    returned += desk.advance(at=arrived + timedelta(seconds=extra))
    mine = [e for e in returned if getattr(e, "ticket_id", None) == "T1"]
    history = desk.history("T1")
    assert list(history) == mine
    assert [e.at for e in history] == sorted(e.at for e in history)


# -- 5. contacts of a bad id --------------------------------------------------------------------


@pytest.mark.parametrize("contacts", [None, {"window": "P30D"}])
@pytest.mark.parametrize("bad", [1, ["c1"], {"id": "c1"}, None, b"c1"])
def test_contacts_of_an_id_that_is_not_a_string_is_a_typed_error(
    bad: object, contacts: dict[str, str] | None
) -> None:
    desk = Desk(DeskConfig.from_dict({} if contacts is None else {"contacts": contacts}))
    desk.advance(at=T0)
    with pytest.raises(ConfigError, match=r"expected a customer's id \(a string\)") as e:
        desk.contacts(bad)  # type: ignore[arg-type]
    assert e.value.path == "customer_id"
    if contacts is not None:
        summary = desk.contacts("c1")
        assert summary is not None
        assert summary.count == 0
