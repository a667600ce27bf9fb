"""An escalation graph of many teams: which teams the entry teams reach, against a naive
reference; the work of finding them (each team's targets read once, however many entry teams
there are); and a cycle's message, which names the cycle and stays short however long it is.
"""

from __future__ import annotations

import itertools
from typing import Any

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import ConfigError
from csflow.routing import EscalationGraph


def reached(teams: list[str], edges: list[tuple[str, str]], entry: list[str]) -> set[str]:
    """The teams the entry teams reach, by a fixpoint over the edges."""
    out = set(entry)
    grew = True
    while grew:
        grew = False
        for src, dst in edges:
            if src in out and dst not in out:
                out.add(dst)
                grew = True
    return out


@st.composite
def acyclic(draw: st.DrawFn) -> tuple[list[str], list[tuple[str, str]], list[str]]:
    n = draw(st.integers(1, 12))
    # Unicode names, in a drawn order; edges run from earlier to later teams only.
    names = draw(st.lists(st.text(min_size=1, max_size=4), min_size=n, max_size=n, unique=True))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] < p[1]),
            unique=True,
            max_size=3 * n,
        )
        if n > 1
        else st.just([])
    )
    entry = draw(st.lists(st.sampled_from(names), min_size=1, max_size=n, unique=True))
    order = draw(st.permutations(names))
    return list(order), [(names[a], names[b]) for a, b in pairs], entry


@settings(max_examples=200, deadline=None)
@given(acyclic())
def test_every_team_must_be_reached_from_the_entry_teams(
    graph: tuple[list[str], list[tuple[str, str]], list[str]],
) -> None:
    teams, edges, entry = graph
    unreached = [t for t in teams if t not in reached(teams, edges, entry)]
    if not unreached:
        g = EscalationGraph(teams, edges, entry)
        for src, dst in edges:
            assert g.can_escalate(src, dst)
        assert g.teams == tuple(teams)
        assert g.entry == tuple(entry)
        return
    with pytest.raises(ConfigError) as caught:
        EscalationGraph(teams, edges, entry)
    first = unreached[0]
    assert caught.value.path == f"teams[{teams.index(first)}]"
    assert caught.value.detail == (
        f"team {first!r} cannot be reached from the entry teams {entry!r}"
    )


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every team whose targets are read, through the graph's successors (and neighbors)."""
    log: list[str] = []
    for name in ("successors", "neighbors"):
        original = getattr(nx.DiGraph, name)

        def counted(self: Any, n: str, _original: Any = original) -> Any:
            log.append(n)
            return _original(self, n)

        monkeypatch.setattr(nx.DiGraph, name, counted)
    return log


def test_many_entry_teams_read_each_teams_targets_once(reads: list[str]) -> None:
    # A chain of 400 teams, every one an entry team: a walk from each entry team would read
    # 80,200 teams' targets (and take a minute at 10,000 teams).
    teams = [f"t{i}" for i in range(400)]
    graph = EscalationGraph(teams, list(itertools.pairwise(teams)), teams)
    assert graph.targets("t0") == ("t1",)
    reads.remove("t0")
    assert sorted(reads) == sorted(teams)


def test_a_short_cycle_is_named_in_full() -> None:
    with pytest.raises(ConfigError) as caught:
        EscalationGraph.from_dict(
            {
                "teams": ["front", "technical", "engineering"],
                "entry": ["front"],
                "edges": {"front": ["technical"], "technical": ["engineering", "front"]},
            }
        )
    assert (caught.value.path, caught.value.detail) == (
        "edges",
        "escalation cycle front -> technical -> front",
    )


@pytest.mark.parametrize("n", [2, 11, 12, 5000])
def test_a_long_cycle_is_named_by_its_first_teams(n: int) -> None:
    teams = [f"t{i}" for i in range(n)]
    ring = [(teams[i], teams[(i + 1) % n]) for i in range(n)]
    with pytest.raises(ConfigError) as caught:
        EscalationGraph(teams, ring, ["t0"])
    detail = caught.value.detail
    loop = " -> ".join([*teams, "t0"])
    if n <= 11:
        assert detail == f"escalation cycle {loop}"
    else:
        first = " -> ".join(teams[:10])
        assert detail == f"escalation cycle {first} -> ... -> t0 (a cycle of {n:,} teams)"
    assert len(detail) < 200


def test_a_cycle_through_a_long_name_abbreviates_it() -> None:
    long = "a" * 10_000
    with pytest.raises(ConfigError) as caught:
        EscalationGraph([long, "b"], [(long, "b"), ("b", long)], ["b"])
    detail = caught.value.detail
    assert detail.startswith("escalation cycle 'aaaa")
    assert " -> b -> 'aaaa" in detail
    assert detail.count("(10,002 characters)") == 2
    assert len(detail) < 2_000
