"""``TicketQueue.head_of`` refuses what is not a mapping of signatures with a typed error, and
changes nothing; an assignment's reason reads as one sentence, a hand-made one too."""

from __future__ import annotations

import pytest

from csflow.errors import ConfigError
from csflow.queues import Signature, TicketQueue

SIG = Signature("chat")


@pytest.mark.parametrize("bad", [None, 3, object()])
def test_head_of_refuses_a_non_mapping(bad: object) -> None:
    q = TicketQueue("general")
    q.push_key("T-1", band=1, due=10, at=10, signature=SIG)
    before = q.to_state()
    with pytest.raises(ConfigError, match="signatures must be a mapping keyed by Signature"):
        q.head_of(bad)  # type: ignore[arg-type]
    assert q.to_state() == before
    head = q.head_of({SIG: None})
    assert head is not None
    assert head.ticket_id == "T-1"


def test_a_direct_assignment_reason_reads_without_a_gap() -> None:
    from csflow.routing.decisions import RoutingReason

    direct = RoutingReason("direct", (), 1, None, "front", SIG, 0)
    assert str(direct) == f"direct: among 1 candidate in queue 'front' on {SIG}"
    chained = RoutingReason("ticket", ("longest_idle", "least_busy"), 2, "vip", "front", SIG, 1)
    assert str(chained) == (
        f"ticket: longest_idle > least_busy among 2 candidates in queue 'front' on {SIG} "
        "after 1 relaxation step (rule 'vip')"
    )
