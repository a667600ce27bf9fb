"""Which agent takes a new ticket, against a naive reference of the ranking strategies.

A ticket goes to the eligible agent (routable, with room on the channel, every required skill
at its minimum) ranking first on the desk's strategies in order, joining order last:
``best_proficiency`` (highest summed proficiency in the ticket's skills),
``most_spare_capacity`` (most free slots on the channel), ``round_robin`` (oldest last
assignment, in assignment order; never assigned first) and ``longest_idle`` (idle longest;
agents holding work after idle ones, least recently assigned first).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.events import TicketAssigned

T0 = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)
NAMES = ("best_proficiency", "most_spare_capacity", "round_robin", "longest_idle")
SKILLS = ("refunds", "orders")

_agent = st.tuples(
    st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 5), max_size=2),
    st.integers(1, 3),
)
_op = st.tuples(
    st.booleans(),  # submit (else resolve)
    st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 3), max_size=1),
    st.integers(0, 9),
)


@settings(max_examples=120, deadline=None, derandomize=True)
@given(
    st.permutations(NAMES).flatmap(lambda p: st.integers(1, 4).map(lambda k: list(p[:k]))),
    st.lists(_agent, min_size=1, max_size=4),
    st.lists(_op, min_size=1, max_size=20),
)
def test_a_new_ticket_goes_to_the_agent_the_strategies_rank_first(
    chain: list[str],
    agents: list[tuple[dict[str, int], int]],
    ops: list[tuple[bool, dict[str, int], int]],
) -> None:
    desk = Desk(DeskConfig.from_dict({"strategies": chain}))
    held: dict[str, list[str]] = {}
    idle_since: dict[str, int] = {}
    last_assigned: dict[str, int] = {}
    turn: dict[str, int] = {}
    turns = 0
    for n, (skills, slots) in enumerate(agents):
        desk.add_agent(
            AgentProfile(f"a{n}", skills=skills, capacity={"chat": slots}),
            at=T0,
            presence="available",
        )
        held[f"a{n}"], idle_since[f"a{n}"], turn[f"a{n}"] = [], 0, -1

    def key(agent: str, needed: dict[str, int]) -> tuple[int, ...]:
        a = int(agent[1:])
        out: list[int] = []
        for name in chain:
            if name == "best_proficiency":
                out.append(-sum(agents[a][0].get(s, 0) for s in needed))
            elif name == "most_spare_capacity":
                out.append(-(agents[a][1] - len(held[agent])))
            elif name == "round_robin":
                out.append(turn[agent])
            else:
                # Idle agents first (by idle_since), then busy ones by last assignment.
                out += [1, last_assigned[agent]] if held[agent] else [0, idle_since[agent]]
        return (*out, a)

    for n, (submit, needed, pick) in enumerate(ops):
        now = n + 1
        at = T0 + timedelta(seconds=now)
        if submit:
            ticket = Ticket(
                f"T-{n}", Customer(f"c{n}", Tier("r", 1)), "chat", at, required_skills=needed
            )
            events = desk.submit(ticket, at=at)
            eligible = [
                agent
                for agent, (skills, slots) in zip(held, agents, strict=True)
                if len(held[agent]) < slots
                and all(skills.get(s, 0) >= p for s, p in needed.items())
            ]
            got = [(e.ticket_id, e.agent_id) for e in events if isinstance(e, TicketAssigned)]
            if not eligible:
                assert got == []
                desk.abandon(ticket.id, at=at)
                continue
            best = min(eligible, key=lambda agent: key(agent, needed))
            assert got == [(ticket.id, best)], (chain, got, best)
            held[best].append(ticket.id)
            last_assigned[best] = now
            turn[best] = turns
            turns += 1
        else:
            holding = sorted(a for a in held if held[a])
            if not holding:
                continue
            agent = holding[pick % len(holding)]
            tid = held[agent].pop(pick % len(held[agent]))
            assert not [e for e in desk.resolve(tid, agent, at=at) if isinstance(e, TicketAssigned)]
            if not held[agent]:
                idle_since[agent] = now
