"""The escalation graph and the transfer ledger against hostile input: orders that are not
lists (a set's order changes from run to run, and the first entry team is where a desk
escalates from), teams listed twice, and a ledger loaded twice."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.errors import ConfigError, InvalidTransitionError, TransferLimitError
from csflow.routing import EscalationGraph, TransferLedger, TransferPolicy

WIB = timezone(timedelta(hours=7), "WIB")
T0 = datetime(2026, 11, 11, 9, 0, tzinfo=WIB)
TEAMS = ["front", "technical", "finance", "legal"]


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"teams": set(TEAMS), "entry": ["front"]}, r"^teams: must be a list of team names"),
        (
            {"teams": {t: {"queue": t} for t in TEAMS}, "entry": ["front"]},
            r"^teams: must be a list of team names",
        ),
        (
            {
                "teams": TEAMS,
                "entry": frozenset({"front", "legal"}),
                "edges": {"front": TEAMS[1:3]},
            },
            r"^entry: must be a list of team names",
        ),
        (
            {
                "teams": TEAMS,
                "entry": ["front", "legal"],
                "edges": {"front": {"technical", "finance"}},
            },
            r"^edges\.front: must be a list of team names",
        ),
        (
            {"teams": TEAMS, "entry": ["front", "legal"], "edges": {("front", "technical")}},
            r"^edges: must be a mapping or a list of pairs",
        ),
    ],
)
def test_unordered_team_collections_are_refused(data: dict[str, object], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        EscalationGraph.from_dict(data)


def test_a_set_of_entry_teams_is_refused_by_the_constructor() -> None:
    with pytest.raises(ConfigError, match=r"^entry: must be a list of team names, got "):
        EscalationGraph(TEAMS, [("front", "technical")], {"front", "finance", "legal"})
    with pytest.raises(ConfigError, match=r"^edges: must be a list of \(from, to\) pairs"):
        EscalationGraph(TEAMS[:3], {("front", "technical"), ("front", "finance")}, ["front"])
    # A list, a tuple or a generator keeps its order.
    g = EscalationGraph(iter(TEAMS), iter([("front", "technical")]), ("front", "finance", "legal"))
    assert g.entry == ("front", "finance", "legal")


def test_the_first_entry_team_does_not_depend_on_the_hash_seed() -> None:
    # Before, a set of entry teams was taken in its iteration order, which changes with
    # PYTHONHASHSEED: the team a desk escalates from differed from run to run.
    code = (
        "from csflow.routing import EscalationGraph\n"
        "try:\n"
        "    g = EscalationGraph(['a', 'b', 'c', 'd', 'e'], [], {'a', 'b', 'c', 'd', 'e'})\n"
        "    print(g.entry[0])\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__)\n"
    )
    answers = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={"PYTHONHASHSEED": str(seed), "PYTHONPATH": ":".join(sys.path)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in range(3)
    }
    assert answers == {"ConfigError"}


def test_entry_teams_and_edges_listed_twice_are_refused() -> None:
    with pytest.raises(ConfigError, match=r"^entry\[1\]: team 'front' listed twice$"):
        EscalationGraph.from_dict({"teams": TEAMS[:1], "entry": ["front", "front"]})
    doc = {"teams": TEAMS[:2], "entry": ["front"], "edges": {"front": ["technical", "technical"]}}
    with pytest.raises(
        ConfigError, match=r"^edges\.front\[1\]: edge 'front' -> 'technical' listed twice$"
    ):
        EscalationGraph.from_dict(doc)
    pairs = {"teams": TEAMS[:2], "entry": ["front"], "edges": [["front", "technical"]] * 2}
    with pytest.raises(
        ConfigError, match=r"^edges\[1\]: edge 'front' -> 'technical' listed twice$"
    ):
        EscalationGraph.from_dict(pairs)


def test_load_state_sets_the_counts_it_is_given() -> None:
    ledger = TransferLedger(TransferPolicy(max_transfers=1))
    ledger.hand_over("T-1", at=T0)
    ledger.hand_over("T-2", at=T0)
    ledger.load_state({"T-2": 1}, {"T-1", "T-2"})
    # T-1 was not handed over in the state loaded: a stale count would refuse its transfer.
    assert (ledger.count("T-1"), ledger.count("T-2")) == (0, 1)
    assert ledger.hand_over("T-1", at=T0).count == 1
    with pytest.raises(ConfigError, match=r"^transfers\.T-9: expected a known ticket id"):
        ledger.load_state({"T-9": 1}, {"T-1", "T-2"})
    assert (ledger.count("T-1"), ledger.count("T-2")) == (1, 1)  # unchanged


# A reference ledger from the how-to guide: escalations follow the graph's edges; past
# max_transfers, "refuse" raises and changes nothing, "flag" lets the hand-over through
# flagged; a transfer needs no edge.
EDGES = {("front", "technical"), ("front", "finance"), ("technical", "legal")}
GRAPH = EscalationGraph(TEAMS, sorted(EDGES), ["front"])

hand_overs = st.lists(
    st.tuples(
        st.sampled_from(["A", "B"]),
        st.sampled_from(["transfer", "escalation"]),
        st.sampled_from(TEAMS),
        st.sampled_from(TEAMS),
    ),
    max_size=12,
)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    limit=st.sampled_from([None, 0, 1, 2, 3]),
    on_limit=st.sampled_from(["refuse", "flag"]),
    steps=hand_overs,
    restore_at=st.integers(0, 12),
)
def test_ledger_matches_the_reference(
    limit: int | None, on_limit: str, steps: list[tuple[str, str, str, str]], restore_at: int
) -> None:
    ledger = TransferLedger(TransferPolicy(limit, on_limit), GRAPH)  # type: ignore[arg-type]
    counts = {"A": 0, "B": 0}
    for i, (tid, kind, src, dst) in enumerate(steps):
        if i == restore_at:
            fresh = TransferLedger(ledger.policy, GRAPH)
            fresh.load_state(ledger.to_state({"A", "B"}), {"A", "B"})
            ledger = fresh
        edge_ok = kind == "transfer" or (src, dst) in EDGES
        full = limit is not None and counts[tid] >= limit
        refused = full and on_limit == "refuse"
        if not edge_ok:
            with pytest.raises(InvalidTransitionError, match=rf"^team '{src}' may not escalate"):
                ledger.hand_over(tid, at=T0, kind=kind, from_team=src, to_team=dst)  # type: ignore[arg-type]
        elif refused:
            with pytest.raises(
                TransferLimitError,
                match=rf"^ticket '{tid}' was handed over {counts[tid]} times; "
                rf"max_transfers={limit} refuses another$",
            ):
                ledger.hand_over(tid, at=T0, kind=kind, from_team=src, to_team=dst)  # type: ignore[arg-type]
        else:
            over = ledger.hand_over(tid, at=T0, kind=kind, from_team=src, to_team=dst)  # type: ignore[arg-type]
            counts[tid] += 1
            assert (over.count, over.flagged, over.kind) == (counts[tid], full, kind)
        assert {t: ledger.count(t) for t in counts} == counts
