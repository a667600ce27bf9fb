"""A snapshot whose waiting ticket's own requirements name an agent is refused at its path: it
restored, and the desk's own next snapshot was refused once the ticket's hold ended."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from csflow import ConfigError, Desk
from test_r3_snapshot_tamper import AT, SAVED, restores_or_refuses
from test_state_snapshot import PEOPLE


def _waiting_rows() -> list[int]:
    rows = SAVED["state"]["router"]["waiting"]
    assert rows, "the saved desk has tickets waiting"
    return list(range(len(rows)))


@pytest.mark.parametrize("row", _waiting_rows())
def test_an_agent_in_a_waiting_tickets_own_requirements_is_refused(row: int) -> None:
    snap = copy.deepcopy(SAVED)
    agent = snap["state"]["router"]["pool"]["agents"][0]["profile"]["id"]
    snap["state"]["router"]["waiting"][row][4][3] = agent
    with pytest.raises(ConfigError) as refused:
        Desk.restore(PEOPLE, snap)
    assert refused.value.path == f"snapshot.state.router.waiting[{row}][4]"
    assert repr(agent) in str(refused.value)
    restores_or_refuses(snap)  # and the law of every tampered snapshot holds


def test_the_untampered_desk_restores_and_keeps_working() -> None:
    desk = Desk.restore(PEOPLE, copy.deepcopy(SAVED))
    desk.advance(at=AT + timedelta(minutes=30))
    assert Desk.restore(PEOPLE, desk.snapshot()).snapshot() == desk.snapshot()
