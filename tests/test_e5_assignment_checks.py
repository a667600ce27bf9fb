"""The testing kit catches an assignment the desk should never make: to an agent who is
offline, who lacks a skill the ticket requires, or who does not speak its language.

The desk itself never makes one; a bug in routing would, so the engine is broken here on
purpose (its signatures lose the ticket's skills, or its agents stay routable offline) and
the kit must notice -- by :func:`check_assignment` and by a :class:`DeskMachine`, whose other
checks (:func:`check_invariants`) such a bug passes.
"""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from _pytest.assertion.rewrite import rewrite_asserts
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test

from csflow import AgentProfile, Channel, Customer, Desk, DeskConfig, Ticket, TicketAssigned, Tier
from csflow.errors import ConfigError, InvariantError
from csflow.queues import Signature
from csflow.routing import pool
from csflow.testing import DeskMachine, check_invariants
from csflow.testing.invariants import check_assignment

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
GOLD = Customer("c-1", Tier("gold", 3))


def _config(relax: list[dict[str, Any]] | None = None) -> DeskConfig:
    billing: dict[str, Any] = {"name": "billing"}
    if relax is not None:
        billing["relaxation"] = relax
    return DeskConfig.from_dict(
        {
            "queues": [{"name": "general"}, billing],
            "triage": {
                "mode": "first",
                "rules": [
                    {
                        "name": "billing",
                        "when": {"field": "category", "eq": "billing"},
                        "then": {"queue": "billing", "skills": {"billing": 2}},
                    },
                    {"name": "rest", "then": {"queue": "general"}},
                ],
            },
        }
    )


CONFIG = _config()


def _assigned(desk: Desk, ticket: str, agent: str) -> TicketAssigned:
    # An assignment as a broken engine would announce it.
    return TicketAssigned(desk.now or T0, ticket, agent, 0.0, 1, "longest idle")


def _desk(*agents: AgentProfile, presence: str = "available") -> Desk:
    desk = Desk(CONFIG)
    for profile in agents:
        desk.add_agent(profile, at=T0, presence=presence)
    return desk


# -- check_assignment, by hand -----------------------------------------------------------


def test_an_assignment_the_desk_made_passes() -> None:
    desk = _desk(AgentProfile("ana", capacity={"chat": 1}, skills={"billing": 2}))
    events = desk.submit(Ticket("T-1", GOLD, "chat", T0, category="billing"), at=T0)
    [assigned] = [e for e in events if isinstance(e, TicketAssigned)]
    check_assignment(desk, assigned)


def test_an_offline_agent_is_named_with_its_presence() -> None:
    desk = _desk(AgentProfile("ana", capacity={"chat": 1}), presence="offline")
    desk.submit(Ticket("T-1", GOLD, "chat", T0), at=T0)
    with pytest.raises(InvariantError, match="'ana', whose presence 'offline' takes no new work"):
        check_assignment(desk, _assigned(desk, "T-1", "ana"))


def test_a_missing_skill_is_named_with_the_proficiency_held() -> None:
    desk = _desk(AgentProfile("ana", capacity={"chat": 1}, skills={"billing": 1}))
    desk.submit(Ticket("T-1", GOLD, "chat", T0, category="billing"), at=T0)
    with pytest.raises(
        InvariantError,
        match="'T-1' needs 'billing' at 2 or more but was assigned to 'ana', who has it at 1",
    ):
        check_assignment(desk, _assigned(desk, "T-1", "ana"))


def test_a_language_and_a_channel_the_agent_lacks_are_named() -> None:
    desk = _desk(
        AgentProfile("ana", languages={"en"}, capacity={"chat": 1}),
        AgentProfile("budi", languages={"id"}, capacity={"email": 1}),
    )
    desk.submit(Ticket("T-1", GOLD, "chat", T0, language="id"), at=T0)
    with pytest.raises(
        InvariantError, match=r"'T-1' in 'id' was assigned to 'ana', who speaks \['en'\]"
    ):
        check_assignment(desk, _assigned(desk, "T-1", "ana"))
    with pytest.raises(
        InvariantError, match="'T-1' was assigned to 'budi', who does not serve 'chat'"
    ):
        check_assignment(desk, _assigned(desk, "T-1", "budi"))
    with pytest.raises(
        InvariantError, match="'T-1' was assigned to 'nobody', who is not at the desk"
    ):
        check_assignment(desk, _assigned(desk, "T-1", "nobody"))


def test_a_relaxation_step_excuses_what_it_drops_or_lowers() -> None:
    for relax, skills in (
        ([{"after": "PT1M", "drop": ["billing"]}], {}),
        ([{"after": "PT1M", "proficiency": 1}], {"billing": 1}),
    ):
        desk = Desk(_config(relax))
        desk.add_agent(AgentProfile("ana", capacity={"chat": 1}, skills=skills), at=T0)
        desk.submit(Ticket("T-1", GOLD, "chat", T0, category="billing"), at=T0)
        events = desk.set_presence("ana", "available", at=T0 + timedelta(seconds=1))
        assert not [e for e in events if isinstance(e, TicketAssigned)]  # not yet relaxed
        events = desk.advance(at=T0 + timedelta(minutes=2))
        [assigned] = [e for e in events if isinstance(e, TicketAssigned)]
        check_assignment(desk, assigned)


def test_anything_but_an_assignment_is_refused() -> None:
    with pytest.raises(ConfigError, match="must be a TicketAssigned event"):
        check_assignment(_desk(), "T-1")  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(
    skills=st.dictionaries(st.sampled_from(["billing", "fraud"]), st.integers(1, 5), max_size=2),
    languages=st.sets(st.sampled_from(["en", "id"]), max_size=2),
    capacity=st.dictionaries(st.sampled_from(["chat", "email"]), st.integers(0, 2), max_size=2),
    presence=st.sampled_from(["available", "away", "offline"]),
    language=st.sampled_from([None, "en", "id"]),
    needs=st.dictionaries(st.sampled_from(["billing", "fraud"]), st.integers(1, 5), max_size=2),
)
def test_the_verdict_is_the_plain_reading_of_the_requirements(
    skills: dict[str, int],
    languages: set[str],
    capacity: dict[Channel | str, int],
    presence: str,
    language: str | None,
    needs: dict[str, int],
) -> None:
    desk = Desk(DeskConfig())
    profile = AgentProfile("ana", skills=skills, languages=languages, capacity=capacity)
    desk.add_agent(profile, at=T0, presence=presence)
    ticket = Ticket("T-1", GOLD, "chat", T0, language=language, required_skills=needs)
    desk.submit(ticket, at=T0)
    ok = (
        presence == "available"
        and capacity.get("chat", 0) > 0
        and (language is None or language in languages)
        and all(skills.get(s, 0) >= n for s, n in needs.items())
    )
    if ok:
        check_assignment(desk, _assigned(desk, "T-1", "ana"))
    else:
        with pytest.raises(InvariantError):
            check_assignment(desk, _assigned(desk, "T-1", "ana"))


# -- the machine, over a broken engine ----------------------------------------------------


class Machine(DeskMachine):
    config = CONFIG
    start = T0


def _run_machine() -> str:
    with pytest.raises(InvariantError) as failure:
        run_state_machine_as_test(
            Machine,
            settings=settings(
                max_examples=50,
                stateful_step_count=20,
                phases=[Phase.generate],  # the failure, not its shrinking, is under test
                derandomize=True,
                database=None,
                deadline=None,
            ),
        )
    return str(failure.value)


@pytest.fixture
def skills_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    # A routing bug: the signature the router matches agents by forgets the skills.
    monkeypatch.setattr(
        Signature, "of", classmethod(lambda cls, t: cls(t.channel.name, t.language, ()))
    )


@pytest.fixture
def offline_routed(monkeypatch: pytest.MonkeyPatch) -> None:
    # A routing bug: an agent's presence is forgotten when its open channels are worked out.
    takeable = pool.AgentPool._takeable

    def ignoring_presence(self: pool.AgentPool, ag: Any) -> frozenset[str]:
        routable, ag.routable = ag.routable, True
        try:
            return takeable(self, ag)
        finally:
            ag.routable = routable

    monkeypatch.setattr(pool.AgentPool, "_takeable", ignoring_presence)


def test_check_invariants_alone_misses_the_broken_engines(
    skills_lost: None, offline_routed: None
) -> None:
    desk = _desk(AgentProfile("ana", capacity={"chat": 1}), presence="offline")
    events = desk.submit(Ticket("T-1", GOLD, "chat", T0, category="billing"), at=T0)
    check_invariants(desk)  # the state is consistent ...
    [assigned] = [e for e in events if isinstance(e, TicketAssigned)]
    with pytest.raises(InvariantError, match="takes no new work"):  # ... the assignment is not
        check_assignment(desk, assigned)


def test_the_machine_catches_an_assignment_without_the_skill(skills_lost: None) -> None:
    message = _run_machine()
    assert re.search(
        r"needs 'billing' at \d or more but was assigned to '\w+', who has it at", message
    )


def test_the_machine_catches_an_assignment_to_an_offline_agent(offline_routed: None) -> None:
    message = _run_machine()
    assert re.search(r"whose presence '\w+' takes no new work", message)


# -- the how-to page, as a pytest module -------------------------------------------------


def test_the_how_to_page_runs_under_pytest_assertion_rewriting() -> None:
    # The page says its code lives in a test file; pytest rewrites that file's asserts, so an
    # assert that passes only unrewritten would fail there.
    page = Path(__file__).parent.parent / "docs" / "how-to" / "testing-policies.md"
    text = page.read_text(encoding="utf-8")
    blocks = re.findall(r"(<!-- no-run -->\n)?```python\n(.*?)```", text, re.S)
    source = "\n".join(code for skip, code in blocks if not skip)
    tree = ast.parse(source)
    rewrite_asserts(tree, source.encode(), "test_desk_policy.py")
    namespace: dict[str, Any] = {"__name__": "test_desk_policy"}
    exec(compile(tree, "test_desk_policy.py", "exec"), namespace)
    assert attrs.has(type(namespace["POLICY"]))
