"""Desk.update_agent, reviewed: refusals made before the desk changes, command values that read
back, and laws over random programs with preferred-agent holds.

The laws (checked after every accepted update, on programs where customers prefer agents who
are busy, lose or gain their languages, skills and channels, and move between routing
profiles that serve one another's queues after a delay):

* an update to the profile and routing profile the agent already has changes nothing but
  says so: its one event is the :class:`AgentProfileChanged`, and the desk's snapshot is
  the same;
* a desk restored from the snapshot before an update, given the update's journal row, emits
  equal events and ends equal (the command is a value, and nothing the update did lives
  outside the snapshot);
* no ticket stays held for an agent that cannot serve it now (not routable, or its channel,
  requirements or queue not the agent's), and the desk's contract holds
  (:func:`~csflow.testing.check_invariants`).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

from csflow import AgentProfile, AgentProfileChanged, Channel, Customer, Ticket, Tier
from csflow.desk import Desk, DeskConfig
from csflow.desk.commands import UpdateAgent, command_from_dict
from csflow.errors import ConfigError, CsflowError
from csflow.events import Event
from csflow.queues import Signature
from csflow.routing import LongestIdle
from csflow.routing.strategies import AgentState
from csflow.testing import check_invariants
from desks import seeds_desk_doc

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=7), "WIB"))
GOLD = Tier("gold", 3)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


# -- command values ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"routing_profile": ""}, "routing_profile"),
        ({"routing_profile": 5}, "routing_profile"),
        ({"routing_profile": "x" * 5000}, "routing_profile"),
        ({"profile": "sari"}, "profile"),
        ({"profile": {"id": "sari"}}, "profile"),
    ],
)
def test_an_update_value_that_would_not_read_back_is_refused_when_built(
    kwargs: dict[str, Any], path: str
) -> None:
    args: dict[str, Any] = {"profile": AgentProfile("sari", capacity={"chat": 1}), **kwargs}
    with pytest.raises(ConfigError) as info:
        UpdateAgent(**args, at=T0)
    assert info.value.path == path


def test_an_update_value_reads_back_as_it_was_built() -> None:
    for group in (None, "front"):
        cmd = UpdateAgent(AgentProfile("sari", capacity={"chat": 1}), at=T0, routing_profile=group)
        assert command_from_dict(json.loads(json.dumps(cmd.to_dict()))) == cmd


# -- refusals before the desk changes ------------------------------------------------------


@attrs.frozen
class Counting:
    """A host's ranking strategy (longest idle's order, by the agent's idle instant) that
    counts its calls: a desk with host code keeps a checkpoint, and rebuilds from it when a
    command raises after the desk began to change -- calling the strategy again."""

    calls: list[int] = attrs.field(factory=list, eq=False)

    @property
    def name(self) -> str:
        return "counting"

    @property
    def monotone(self) -> bool:
        return False

    def key(self, agent: AgentState, signature: Signature, /) -> int:
        self.calls.append(1)
        return 0


@pytest.mark.parametrize(
    ("profile", "kwargs", "match"),
    [
        (AgentProfile("sari", capacity={"chat": 1}), {}, r"holds 2 'chat' tickets"),
        (AgentProfile("sari", capacity={"email": 3}), {}, r"holds 2 'chat' tickets"),
        (AgentProfile("sari", capacity={"chat": 3}), {"routing_profile": "legal"}, "legal"),
        (AgentProfile("sari", capacity={"chat": 3}), {"routing_profile": 7}, "7"),
    ],
)
def test_a_refused_update_is_refused_before_the_desk_changes(
    profile: AgentProfile, kwargs: dict[str, Any], match: str
) -> None:
    """An update the desk refuses (a capacity below the agent's load, an unknown routing
    profile) changes nothing -- and is refused before the desk begins to change, so a desk
    with host code is not rebuilt from its checkpoint (which calls the host's code again for
    every command since) for a plain input error."""
    strategy = Counting()
    config = attrs.evolve(
        DeskConfig.from_dict(seeds_desk_doc()), strategies=(strategy, LongestIdle())
    )
    desk = Desk(config)
    desk.add_agent(AgentProfile("sari", capacity={"chat": 2}), at=T0, presence="available")
    for i in range(4):
        desk.submit(Ticket(f"t{i}", Customer(f"c{i}", GOLD), "chat", at(i)), at=at(i))
    assert desk.agent("sari").counts == {"chat": 2}
    before = json.dumps(desk.snapshot())
    calls = len(strategy.calls)
    with pytest.raises(ConfigError, match=match) as info:
        desk.update_agent(profile, at=at(10), **kwargs)
    if "routing_profile" in kwargs:
        assert info.value.path == "routing_profile"
    assert len(strategy.calls) == calls  # no rebuild, no host call
    assert json.dumps(desk.snapshot()) == before
    # The desk goes on as before: an accepted update routes as it would have.
    events = desk.update_agent(AgentProfile("sari", capacity={"chat": 3}), at=at(11))
    assert events[0] == AgentProfileChanged(at(11), "sari", "front")
    assert [getattr(e, "ticket_id", None) for e in events[1:2]] == ["t2"]


# -- laws over random programs -------------------------------------------------------------

AGENTS = ("a0", "a1", "a2")
GROUPS = ("front", "technical", "finance")


def holds_desk_config(variant: int) -> DeskConfig:
    doc = seeds_desk_doc()
    doc["queues"][0].pop("allowances")
    doc["strategies"] = (
        ["preferred_agent", "longest_idle"]
        if variant % 2 == 0
        else ["longest_idle", "preferred_agent"]
    )
    doc["affinity"] = {"timeout": "PT5M", "recency": "P7D"}
    if variant >= 2:
        # Each profile helps another's queue after a delay; the front line relaxes, then
        # overflows to the technical queue.
        doc["routing_profiles"] = [
            {
                "name": "front",
                "queues": ["front", {"queue": "technical", "priority": 2, "delay": "PT1M"}],
            },
            {
                "name": "technical",
                "queues": ["technical", {"queue": "front", "priority": 2, "delay": "PT2M"}],
            },
            {"name": "finance", "queues": ["finance", {"queue": "front", "delay": "PT30S"}]},
        ]
        doc["queues"][0]["relaxation"] = [
            {"after": "PT1M", "any_language": True},
            {"after": "PT3M", "overflow_to": "technical"},
        ]
    if variant == 3:
        doc["capacity"] = {
            "weights": {"phone": 2, "email": 2},
            "exclusive": ["phone"],
            "budget": 3,
            "limits": {"chat": 2},
        }
    return DeskConfig.from_dict(doc)


CONFIGS = [holds_desk_config(v) for v in range(4)]

profiles = st.builds(
    lambda cap, langs, refunds: (cap, langs, refunds),
    st.dictionaries(st.sampled_from(["chat", "email", "phone"]), st.integers(1, 2), min_size=1),
    st.sets(st.sampled_from(["id", "en"])),
    st.integers(0, 4),
)
ops = st.lists(
    st.tuples(
        st.sampled_from(
            ["add", "submit", "submit", "resolve", "update", "update", "presence", "wait"]
        ),
        st.integers(0, 2),  # which agent / customer
        profiles,
        st.sampled_from([None, *GROUPS]),
        st.sampled_from([None, *AGENTS]),  # a preferred agent
        st.sampled_from(["chat", "chat", "email", "phone"]),
    ),
    min_size=8,
    max_size=30,
)


def agent_profile(
    aid: str, drawn: tuple[dict[Channel | str, int], set[str], int], held: Any
) -> AgentProfile:
    cap, langs, refunds = drawn
    capacity = dict(cap)
    for c, n in held.items():  # room at least for what it holds
        capacity[c] = max(capacity.get(c, 0), n)
    return AgentProfile(
        aid, skills={"refunds": refunds} if refunds else {}, languages=langs, capacity=capacity
    )


def holds_stand(desk: Desk) -> None:
    """No ticket waits held for an agent that cannot serve it now (public views only)."""
    groups = {p.name: p for p in desk.config.routing_profiles}
    for name in desk.queue_names():
        for e in desk.queue(name):
            held_for = e.signature.agent
            if held_for is None:
                continue
            status = desk.agent(held_for)  # an agent that left holds nothing
            assert status.routable, f"{e.ticket_id} held for {held_for}, not routable"
            assert e.signature.pinned(None).admits(status.profile), (e.ticket_id, held_for)
            assert any(s.queue == name for s in groups[status.group].queues), (e.ticket_id, name)


def snap(desk: Desk) -> str:
    return json.dumps(desk.snapshot(), sort_keys=True)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 3), st.lists(profiles, min_size=3, max_size=3), ops)
def test_updates_keep_the_laws_over_random_programs(
    variant: int, staff: list[Any], program: list[Any]
) -> None:
    config = CONFIGS[variant]
    desk = Desk(config)
    now = T0
    for aid, drawn, group in zip(AGENTS, staff, GROUPS, strict=True):
        desk.add_agent(
            agent_profile(aid, drawn, {}), at=T0, presence="available", routing_profile=group
        )
    n = 0
    for kind, i, drawn, group, preferred, channel in program:
        now += timedelta(seconds=15)
        agents = list(desk.agents())
        wake = desk.next_wakeup()
        if wake is not None and wake <= now:
            desk.advance(at=now)
        aid = AGENTS[i]
        events: list[Event] = []
        try:
            if kind == "add" and aid not in agents:
                desk.add_agent(
                    agent_profile(aid, drawn, {}),
                    at=now,
                    presence="available",
                    routing_profile=group or "front",
                )
            elif kind == "submit":
                customer = Customer(f"c{i}", GOLD, (None, "id", "en")[i], preferred)
                skills = {"refunds": 2} if drawn[2] == 4 else {}
                ticket = Ticket(f"t{n}", customer, channel, now, required_skills=skills)
                n += 1
                desk.submit(ticket, at=now)
            elif kind == "resolve" and aid in agents and desk.agent(aid).held:
                desk.resolve(desk.agent(aid).held[0], aid, at=now)
            elif kind == "presence" and aid in agents:
                state = "offline" if desk.agent(aid).routable else "available"
                desk.set_presence(aid, state, at=now)
            elif kind == "update" and aid in agents:
                profile = agent_profile(aid, drawn, desk.agent(aid).counts)
                before = json.loads(snap(desk))
                note(f"update {profile!r} routing_profile={group!r}")
                events = desk.update_agent(profile, at=now, routing_profile=group)
                assert events[0] == AgentProfileChanged(now, aid, desk.agent(aid).group)
                # Replayed from the snapshot before it, as a journal row: the same.
                row = UpdateAgent(profile, at=now, routing_profile=group).to_dict()
                again = Desk.restore(config, before)
                assert command_from_dict(json.loads(json.dumps(row))).apply(again) == events
                assert snap(again) == snap(desk)
                # The profile it now has, again: nothing changes.
                same = Desk.restore(config, json.loads(snap(desk)))
                status = same.agent(aid)
                unchanged = same.update_agent(status.profile, at=now, routing_profile=status.group)
                assert unchanged == [AgentProfileChanged(now, aid, status.group)]
                assert snap(same) == snap(desk)
                holds_stand(desk)
        except CsflowError as exc:  # refused: changed nothing
            note(f"refused {kind}: {exc}")
        check_invariants(desk)
