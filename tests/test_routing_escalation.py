"""csflow.routing.escalation: the escalation graph and the transfer ledger that counts
hand-overs, refuses or flags one past the limit, and holds escalations to the graph's edges."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from csflow.errors import ConfigError, InvalidTransitionError
from csflow.routing import EscalationGraph, TransferLedger, TransferLimitError, TransferPolicy

WIB = timezone(timedelta(hours=7), "WIB")  # Jakarta
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=WIB)

ESCALATION = {
    "teams": ["front", "technical", "engineering", "finance"],
    "entry": ["front"],
    "edges": {"front": ["technical", "finance"], "technical": ["engineering"]},
}


def test_transfer_ledger_check_refuses_past_the_limit_without_counting() -> None:
    ledger = TransferLedger(TransferPolicy(max_transfers=1, on_limit="refuse"))
    ledger.check("t1")
    ledger.hand_over("t1", at=0)
    with pytest.raises(TransferLimitError, match="max_transfers=1"):
        ledger.check("t1")
    assert ledger.count("t1") == 1
    flagging = TransferLedger(TransferPolicy(max_transfers=0, on_limit="flag"))
    flagging.check("t1")  # a flagging policy never refuses
    assert flagging.hand_over("t1", at=0).flagged


def test_max_transfers_refuses_or_flags_the_next_hand_over() -> None:
    refuse = TransferLedger(TransferPolicy(max_transfers=2))
    for n in (1, 2):
        assert refuse.hand_over("t1", at=T0).count == n
    assert refuse.would_flag("t1")
    with pytest.raises(TransferLimitError, match=r"ticket 't1' was handed over 2 times"):
        refuse.hand_over("t1", at=T0)
    assert refuse.count("t1") == 2
    flag = TransferLedger(TransferPolicy(max_transfers=1, on_limit="flag"))
    assert not flag.hand_over("t1", at=T0).flagged
    late = flag.hand_over("t1", at=T0, kind="escalation")
    assert (late.flagged, late.count, late.kind) == (True, 2, "escalation")
    flag.forget("t1")
    assert flag.count("t1") == 0
    unlimited = TransferLedger(TransferPolicy(max_transfers=None))
    assert not any(unlimited.hand_over("t", at=T0).flagged for _ in range(20))
    with pytest.raises(ConfigError, match=r"max_transfers must be an int >= 0 or None, got -1"):
        TransferPolicy(max_transfers=-1)
    with pytest.raises(ConfigError, match=r"on_limit must be 'refuse' or 'flag', got 'warn'"):
        TransferPolicy(on_limit="warn")  # type: ignore[arg-type]


def test_escalation_graph_rejects_unknown_teams_cycles_and_unreachable_teams() -> None:
    graph = EscalationGraph.from_dict(ESCALATION)
    assert graph.can_escalate("front", "finance")
    assert not graph.can_escalate("finance", "front")
    assert set(graph.targets("front")) == {"technical", "finance"}
    copy = graph.graph
    copy.add_edge("finance", "front")
    assert not graph.can_escalate("finance", "front")  # the copy is detached
    with pytest.raises(ConfigError, match=r"edges.front\[1\]: unknown team 'legal'"):
        EscalationGraph.from_dict({**ESCALATION, "edges": {"front": ["technical", "legal"]}})
    with pytest.raises(ConfigError, match=r"entry\[0\]: unknown team 'desk'"):
        EscalationGraph.from_dict({**ESCALATION, "entry": ["desk"]})
    cyclic = {
        "front": ["technical", "finance"],
        "technical": ["engineering"],
        "engineering": ["front"],
    }
    with pytest.raises(
        ConfigError, match=r"edges: escalation cycle front -> technical -> engineering -> front"
    ):
        EscalationGraph.from_dict({**ESCALATION, "edges": cyclic})
    with pytest.raises(ConfigError, match=r"teams\[3\]: team 'finance' cannot be reached"):
        EscalationGraph.from_dict(
            {**ESCALATION, "edges": {"front": ["technical"], "technical": ["engineering"]}}
        )
    with pytest.raises(ConfigError, match=r"teams\[2\]: team 'front' listed twice"):
        EscalationGraph(["front", "finance", "front"], [("front", "finance")], ["front"])
    with pytest.raises(ConfigError, match=r"unknown keys \['team'\]"):
        EscalationGraph.from_dict({**ESCALATION, "team": []})
    with pytest.raises(ConfigError, match=r"entry: 'entry' is required"):
        EscalationGraph.from_dict({"teams": ["front"]})
    with pytest.raises(ConfigError, match=r"edges\[0\]: an edge must be a \[from, to\] pair"):
        EscalationGraph.from_dict({**ESCALATION, "edges": [["front"]]})
    pairs = EscalationGraph.from_dict(
        {
            **ESCALATION,
            "edges": [["front", "technical"], ["front", "finance"], ["technical", "engineering"]],
        }
    )
    assert pairs.path("front", "engineering") == ["front", "technical", "engineering"]
    with pytest.raises(ConfigError, match=r"team must be one of .*, got 'legal'"):
        pairs.targets("legal")


def test_escalations_must_follow_the_graph() -> None:
    ledger = TransferLedger(graph=EscalationGraph.from_dict(ESCALATION))
    with pytest.raises(ConfigError, match=r"an escalation needs from_team and to_team"):
        ledger.hand_over("t", at=T0, kind="escalation", to_team="finance")
    with pytest.raises(InvalidTransitionError, match=r"team 'front' may not escalate to 'engin"):
        ledger.hand_over("t", at=T0, kind="escalation", from_team="front", to_team="engineering")
    with pytest.raises(ConfigError, match=r"kind must be 'transfer' or 'escalation', got 'x'"):
        ledger.hand_over("t", at=T0, kind="x")  # type: ignore[arg-type]
    assert ledger.count("t") == 0
    # transfers inside a team are not escalations and need no edge
    assert ledger.hand_over("t", at=T0, from_team="finance", to_team="finance").count == 1
