"""Transfers and escalations at a desk, side by side with a reference written from the docs.

The reference knows only what the how-to guide and the ``Desk.transfer`` / ``Desk.escalate``
docstrings say: an escalation follows an edge of the escalation graph from the team the
ticket is with; a transfer goes to a team or to a named agent; every hand-over counts against
``max_transfers``, past which ``"refuse"`` raises (changing nothing) and ``"flag"`` lets it
through with a ``TransferLimitReached``; counts survive a reopen and a restore.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.errors import ConfigError, InvalidTransitionError, TransferLimitError
from csflow.events import TicketEscalated, TicketTransferred, TransferLimitReached

WIB = timezone(timedelta(hours=7), "WIB")
T0 = datetime(2026, 11, 11, 9, 0, tzinfo=WIB)

TEAMS = ("front", "technical", "finance", "engineering")
EDGES = {"front": ("technical", "finance"), "technical": ("engineering",)}
AGENT_TEAM = {"sari": "front", "tono": "technical", "hendra": "finance", "eko": "engineering"}
IN_PROGRESS = ("queued", "assigned", "pending", "on_hold")


def config(max_transfers: int | None, on_limit: str) -> DeskConfig:
    return DeskConfig.from_dict(
        {
            "queues": [{"name": t} for t in TEAMS],
            "routing_profiles": [{"name": t, "queues": [{"queue": t}]} for t in TEAMS],
            "teams": {t: {"queue": t, "routing_profile": t} for t in TEAMS},
            "escalation": {
                "teams": list(TEAMS),
                "entry": ["front"],
                "edges": {k: list(v) for k, v in EDGES.items()},
            },
            "triage": {"rules": [{"name": "front line", "then": {"queue": "front"}}]},
            "transfers": {"max_transfers": max_transfers, "on_limit": on_limit},
        }
    )


def staffed(cfg: DeskConfig, present: frozenset[str]) -> Desk:
    desk = Desk(cfg)
    for agent, team in AGENT_TEAM.items():
        desk.add_agent(
            AgentProfile(agent, languages={"id"}, capacity={"chat": 1}, teams={team}),
            at=T0,
            presence="available" if agent in present else "offline",
        )
    return desk


def expected_refusal(desk: Desk, tid: str, op: str, to: str, count: int, cfg: DeskConfig) -> bool:
    """Whether the docs say the hand-over is refused (not counting the transfer limit)."""
    view = desk.ticket(tid)
    if str(view.state) not in IN_PROGRESS:
        return True
    if op == "escalate":
        return view.team == to or to not in EDGES.get(view.team or "front", ())
    if to in AGENT_TEAM:
        status = desk.agent(to)
        return to == view.agent_id or not status.routable or bool(status.held)
    return str(view.state) == "queued" and view.queue == to


def limit_refuses(cfg: DeskConfig, count: int) -> bool:
    m = cfg.transfers.max_transfers
    return m is not None and count >= m and cfg.transfers.on_limit == "refuse"


op_st = st.one_of(
    st.tuples(st.just("submit"), st.just(""), st.just("")),
    st.tuples(
        st.just("transfer"),
        st.integers(0, 2).map(lambda i: f"T-{i}"),
        st.sampled_from([*TEAMS, *AGENT_TEAM]),
    ),
    st.tuples(
        st.just("escalate"),
        st.integers(0, 2).map(lambda i: f"T-{i}"),
        st.sampled_from([*TEAMS, "sari"]),
    ),
    st.tuples(
        st.sampled_from(["resolve", "reopen"]),
        st.integers(0, 2).map(lambda i: f"T-{i}"),
        st.just(""),
    ),
    st.tuples(st.just("restore"), st.just(""), st.just("")),
)


@settings(max_examples=80, deadline=None, derandomize=True)
@given(
    max_transfers=st.sampled_from([None, 0, 1, 2]),
    on_limit=st.sampled_from(["refuse", "flag"]),
    present=st.frozensets(st.sampled_from(sorted(AGENT_TEAM))),
    ops=st.lists(op_st, max_size=25),
)
def test_hand_overs_follow_the_graph_and_the_limit(
    max_transfers: int | None, on_limit: str, present: frozenset[str], ops: list[Any]
) -> None:
    cfg = config(max_transfers, on_limit)
    desk = staffed(cfg, present)
    customer = Customer("c-vip", Tier("platinum", 4), language="id")
    at = T0
    for i in range(3):
        desk.submit(Ticket(f"T-{i}", customer, "chat", at), at=at)
    counts = {f"T-{i}": 0 for i in range(3)}
    for op, tid, to in ops:
        at += timedelta(minutes=1)
        if op == "submit":
            new = f"T-{len(counts)}"
            desk.submit(Ticket(new, customer, "chat", at), at=at)
            counts[new] = 0
            continue
        if op == "restore":
            desk = Desk.restore(cfg, desk.snapshot())
            continue
        if tid not in counts:
            continue
        if op in ("resolve", "reopen"):
            view = desk.ticket(tid)
            if op == "resolve" and str(view.state) == "assigned" and view.agent_id:
                desk.resolve(tid, view.agent_id, at=at)
            elif op == "reopen" and str(view.state) == "solved":
                desk.reopen(tid, at=at)
            assert desk.ticket(tid).transfers == counts[tid]
            continue
        refused = expected_refusal(desk, tid, op, to, counts[tid], cfg)
        over_limit = not refused and limit_refuses(cfg, counts[tid])
        before = desk.snapshot()
        if op == "escalate" and to in AGENT_TEAM:
            # An escalation goes to a team; an agent's id is no team (a ConfigError).
            with pytest.raises(ConfigError, match=rf"^unknown team '{to}'; known: \["):
                desk.escalate(tid, to, at=at)
            assert desk.snapshot() == before
            continue
        try:
            if op == "transfer":
                events = desk.transfer(tid, to, at=at)
            else:
                events = desk.escalate(tid, to, at=at)
        except TransferLimitError:
            assert over_limit, (op, tid, to)
            assert desk.snapshot() == before
            continue
        except InvalidTransitionError:
            assert refused, (op, tid, to, desk.ticket(tid))
            assert desk.snapshot() == before
            continue
        assert not refused, (op, tid, to)
        assert not over_limit, (op, tid, to)
        m = cfg.transfers.max_transfers
        flagged = m is not None and counts[tid] >= m
        counts[tid] += 1
        mine = [e for e in events if getattr(e, "ticket_id", None) == tid]
        limits = [e for e in mine if isinstance(e, TransferLimitReached)]
        assert [(e.transfers, e.limit, e.refused) for e in limits] == (
            [(counts[tid], m, False)] if flagged else []
        )
        if op == "transfer":
            moved = [e for e in mine if isinstance(e, TicketTransferred)]
            assert [(e.to, e.transfers) for e in moved] == [(to, counts[tid])]
        else:
            up = [e for e in mine if isinstance(e, TicketEscalated)]
            assert [(e.to_team, e.escalations) for e in up] == [(to, counts[tid])]
        view = desk.ticket(tid)
        assert view.transfers == counts[tid]
        assert view.team == AGENT_TEAM.get(to, to)
    for tid, n in counts.items():
        assert desk.ticket(tid).transfers == n
