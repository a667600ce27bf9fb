"""The ticket lifecycle: its table, its graph, and a walk of both through a real desk.

Every edge of :func:`lifecycle_graph` is taken by a real :class:`Desk` command and lands where
the table says; every (state, host command) pair the table leaves out is refused with
:class:`InvalidTransitionError` and changes nothing (the snapshot and the ticket's view are
the same before and after).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import networkx as nx
import pytest

from csflow.desk import LIFECYCLE, TICKET_STATES, Desk, DeskConfig, QueueSpec, TeamSpec
from csflow.desk.lifecycle import (
    FORGETTABLE,
    TRANSITIONS,
    TicketCommand,
    lifecycle_graph,
    next_state,
    status_command,
)
from csflow.errors import ConfigError, InvalidTransitionError
from csflow.events import Event
from csflow.model import AgentProfile, Customer, Ticket, TicketStatus, Tier
from csflow.routing import QueueSlot, RoutingProfile

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=7)))
M = timedelta(minutes=1)

# Two teams, so a ticket can be transferred or escalated; only "front" has an agent, so
# nothing routes out of "finance" on its own.
CONFIG = DeskConfig(
    queues=[QueueSpec("front"), QueueSpec("finance")],
    routing_profiles=[
        RoutingProfile("front", [QueueSlot("front")]),
        RoutingProfile("finance", [QueueSlot("finance")]),
    ],
    teams=[TeamSpec("front", "front", "front"), TeamSpec("finance", "finance", "finance")],
)
SARI = AgentProfile("sari", capacity={"chat": 2}, teams=["front"])
TICKET = Ticket("t1", Customer("c1", Tier("regular", 1)), "chat", T0)

# How the desk is made to take each command's edge for ticket "t1".  Sari is away between
# commands, so routing never moves "t1" on by itself; "assign" is routing's edge (she comes
# back), "requeue" the edge of her leaving.
Drive = Callable[[Desk, datetime], list[Event]]


def _assign(desk: Desk, at: datetime) -> list[Event]:
    return desk.set_presence("sari", "available", at=at)


DRIVE: dict[TicketCommand, Drive] = {
    TicketCommand.SUBMIT: lambda d, at: d.submit(TICKET, at=at),
    TicketCommand.ASSIGN: _assign,
    TicketCommand.REQUEUE: lambda d, at: d.remove_agent("sari", at=at),
    TicketCommand.REPLY: lambda d, at: d.reply("t1", "sari", at=at),
    TicketCommand.CUSTOMER_MESSAGE: lambda d, at: d.customer_message("t1", at=at),
    TicketCommand.SET_PENDING: lambda d, at: d.set_status("t1", "pending", at=at),
    TicketCommand.SET_ON_HOLD: lambda d, at: d.set_status("t1", "on_hold", at=at),
    TicketCommand.SET_OPEN: lambda d, at: d.set_status("t1", "open", at=at),
    TicketCommand.SET_PRIORITY: lambda d, at: d.set_priority("t1", "urgent", at=at),
    TicketCommand.TRANSFER: lambda d, at: d.transfer("t1", "finance", at=at),
    TicketCommand.ESCALATE: lambda d, at: d.escalate("t1", "finance", at=at),
    TicketCommand.REQUEST_CALLBACK: lambda d, at: d.request_callback("t1", at=at),
    TicketCommand.ABANDON: lambda d, at: d.abandon("t1", at=at),
    TicketCommand.RESOLVE: lambda d, at: d.resolve("t1", "sari", at=at),
    TicketCommand.REOPEN: lambda d, at: d.reopen("t1", at=at),
    TicketCommand.CLOSE: lambda d, at: d.close("t1", at=at),
}
# Edges only the desk itself takes: a host cannot try them from a wrong state.
DESK_EDGES = (TicketCommand.SUBMIT, TicketCommand.ASSIGN, TicketCommand.REQUEUE)
HOST_COMMANDS = [c for c in TicketCommand if c not in DESK_EDGES]


def desk_in(state: TicketStatus) -> tuple[Desk, datetime]:
    """A desk holding "t1" in *state*, reached along the graph's shortest path from NEW."""
    graph = lifecycle_graph()
    path = nx.shortest_path(graph, TicketStatus.NEW, state)
    desk = Desk(CONFIG)
    at = T0
    desk.add_agent(SARI, at=at, presence="away")
    for src, dst in itertools.pairwise(path):
        command = TicketCommand(graph.edges[src, dst]["commands"][0])
        at += M
        DRIVE[command](desk, at)
        desk.set_presence("sari", "away", at=at)
        assert desk.ticket("t1").state == dst
    return desk, at + M


def edges() -> list[tuple[TicketStatus, TicketStatus, TicketCommand]]:
    """Every (source, target, command) the graph's edges carry."""
    graph = lifecycle_graph()
    return [
        (src, dst, TicketCommand(c))
        for src, dst in graph.edges
        for c in graph.edges[src, dst]["commands"]
    ]


def frozen(desk: Desk) -> tuple[Any, ...]:
    return desk.snapshot(), desk.ticket("t1"), desk.history("t1"), desk.next_wakeup()


def test_every_command_is_driven_and_every_state_is_a_ticket_status() -> None:
    assert set(DRIVE) == set(TicketCommand)
    assert set(TICKET_STATES) <= set(TicketStatus)
    assert {TicketStatus.CLOSED, TicketStatus.ABANDONED} == FORGETTABLE


def test_the_graph_is_the_table() -> None:
    graph = lifecycle_graph()
    assert set(graph.nodes) == {TicketStatus.NEW, *TICKET_STATES}
    taken = {(src, command): dst for src, dst, command in edges()}
    assert taken == {
        (TicketStatus.NEW if src is None else src, c): dst for (src, c), dst in TRANSITIONS.items()
    }
    assert {s for s in TICKET_STATES if graph.nodes[s]["final"]} == FORGETTABLE
    assert graph.nodes[TicketStatus.NEW]["start"]
    # Every state is reachable from the start, and every open state can still be finished.
    assert set(nx.descendants(graph, TicketStatus.NEW)) == set(TICKET_STATES)
    for state in TICKET_STATES:
        assert nx.descendants(graph, state) & FORGETTABLE or state in FORGETTABLE


def test_lifecycle_is_the_table_by_command() -> None:
    # The table as it was written before it became data of its own: nothing moved.
    working = ("assigned", "pending", "on_hold")
    before: dict[str, dict[str | None, str]] = {
        "submit": {None: "queued"},
        "assign": {"queued": "assigned"},
        "reply": {"assigned": "assigned", "pending": "pending", "on_hold": "on_hold"},
        "customer_message": {
            "queued": "queued",
            "assigned": "assigned",
            "pending": "queued",
            "on_hold": "on_hold",
        },
        "set_status:pending": {"assigned": "pending", "on_hold": "pending"},
        "set_status:on_hold": {"assigned": "on_hold", "pending": "on_hold"},
        "set_status:open": {"pending": "queued", "on_hold": "queued"},
        "set_priority": {s: s for s in ("queued", *working)},
        "transfer": dict.fromkeys(("queued", *working), "queued"),
        "escalate": dict.fromkeys(("queued", *working), "queued"),
        "request_callback": {"queued": "queued"},
        "abandon": {"queued": "abandoned"},
        "requeue": {"assigned": "queued"},
        "resolve": dict.fromkeys(working, "solved"),
        "reopen": {"solved": "queued"},
        "close": {"solved": "closed"},
    }
    assert {c: dict(m) for c, m in LIFECYCLE.items()} == before
    assert list(LIFECYCLE) == list(before)


EDGES = edges()


@pytest.mark.parametrize(
    ("src", "dst", "command"), EDGES, ids=[f"{s}-{c}->{d}" for s, d, c in EDGES]
)
def test_every_edge_is_taken_by_the_real_desk(
    src: TicketStatus, dst: TicketStatus, command: TicketCommand
) -> None:
    if src == TicketStatus.NEW:
        desk, at = Desk(CONFIG), T0
        desk.add_agent(SARI, at=at, presence="away")
    else:
        desk, at = desk_in(src)
    DRIVE[command](desk, at)
    assert desk.ticket("t1").state == dst


ILLEGAL = [
    (state, command)
    for state in TICKET_STATES
    for command in HOST_COMMANDS
    if (state, command) not in TRANSITIONS
]


@pytest.mark.parametrize(("state", "command"), ILLEGAL, ids=[f"{s}-{c}" for s, c in ILLEGAL])
def test_every_illegal_pair_is_refused_and_changes_nothing(
    state: TicketStatus, command: TicketCommand
) -> None:
    desk, at = desk_in(state)
    before = frozen(desk)
    with pytest.raises(InvalidTransitionError, match=rf"^cannot .* ticket 't1': it is {state};"):
        DRIVE[command](desk, at)
    assert frozen(desk) == before


@pytest.mark.parametrize("state", TICKET_STATES)
def test_forget_is_allowed_from_the_final_states_only(state: TicketStatus) -> None:
    desk, at = desk_in(state)
    if state in FORGETTABLE:
        assert desk.forget("t1", at=at) == []
        assert "t1" not in set(desk.tickets())
        return
    before = frozen(desk)
    with pytest.raises(
        InvalidTransitionError, match=rf"^cannot forget ticket 't1': it is {state};"
    ):
        desk.forget("t1", at=at)
    assert frozen(desk) == before


@pytest.mark.parametrize("command", DESK_EDGES)
def test_the_desk_edges_refuse_every_other_state(command: TicketCommand) -> None:
    for state in (None, *TICKET_STATES):
        if (state, command) in TRANSITIONS:
            assert next_state(state, command, "t1") == TRANSITIONS[state, command]
        else:
            with pytest.raises(InvalidTransitionError, match=r"allowed from \["):
                next_state(state, command, "t1")


def test_refusals_name_the_allowed_states_as_plain_words() -> None:
    with pytest.raises(
        InvalidTransitionError,
        match=r"^cannot set status pending ticket 't9': it is queued; "
        r"allowed from \['assigned', 'on_hold'\]$",
    ):
        next_state(TicketStatus.QUEUED, TicketCommand.SET_PENDING, "t9")


def test_status_words_name_the_set_status_commands() -> None:
    assert status_command("pending") is TicketCommand.SET_PENDING
    assert status_command("on_hold") is TicketCommand.SET_ON_HOLD
    assert status_command("open") is TicketCommand.SET_OPEN
    for bad in ("solved", "PENDING", None, ["open"]):
        with pytest.raises(ConfigError, match=r"status must be 'open', 'pending' or 'on_hold'"):
            status_command(bad)


def test_the_desk_hands_its_state_to_the_sla_clocks_as_it_is() -> None:
    """A pending ticket's resolution clock pauses because ``pause_on`` names ``pending``;
    queued and assigned (named by no policy here) leave every clock running."""
    from csflow.sla import SlaPolicy

    always = {"timezone": "Asia/Jakarta", "always_open": True}
    config = DeskConfig.from_dict(
        {
            "calendars": {"always": always},
            "sla_policies": [
                {"name": "std", "calendar": "always", "targets": {"resolution": "PT8H"}}
            ],
            "default_sla_policy": "std",
        }
    )
    assert isinstance(config.sla_policies["std"], SlaPolicy)
    desk = Desk(config)
    desk.add_agent(SARI, at=T0, presence="available")
    desk.submit(TICKET, at=T0)
    assert desk.ticket("t1").state == TicketStatus.ASSIGNED
    assert [v.state for v in desk.clocks("t1").values()] == ["running"]
    desk.set_status("t1", "pending", at=T0 + M)
    assert [v.state for v in desk.clocks("t1").values()] == ["paused"]
    desk.set_status("t1", "open", at=T0 + 2 * M)
    assert [v.state for v in desk.clocks("t1").values()] == ["running"]
