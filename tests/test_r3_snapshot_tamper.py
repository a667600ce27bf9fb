"""Tampered state snapshots: refused with a ``ConfigError``, or restored to a desk that keeps
working -- its invariants hold as time passes and work moves, and its own snapshots restore.

A restore that accepts a value no desk writes, and hands it on to views, events and later
snapshots, fails later instead of at the restore: a ticket's agent of no characters restored,
its reopen said ``last_agent=''``, and the next restore refused the desk's own snapshot.
"""

from __future__ import annotations

import contextlib
import copy
import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import ConfigError, Desk, DeskConfig
from csflow.errors import CsflowError
from csflow.testing import check_invariants
from test_state_snapshot import PEOPLE, PEOPLE_DATA, T0, busy

#: Seven minutes into the busy desk: assigned, pending, solved, closed and waiting tickets.
AT = T0 + timedelta(minutes=7)


def saved() -> dict[str, Any]:
    desk = busy()
    desk.advance(at=AT)
    snap: dict[str, Any] = json.loads(json.dumps(desk.snapshot()))
    return snap


SAVED = saved()


def drive(desk: Desk, at: datetime) -> None:
    """Move *desk* on as a host would -- time passes, solved tickets reopen, agents come and
    go -- checking its invariants and that its own snapshot restores after each step."""
    for step in (timedelta(0), timedelta(minutes=30), timedelta(days=3)):
        now = at + step
        desk.advance(at=now)
        for tid in list(desk.tickets()):
            view = desk.ticket(tid)
            for verb, args in (
                ("reopen", ()),
                ("resolve", (view.agent_id,)),
                ("set_priority", ("urgent",)),
                ("close", ()),
            ):
                with contextlib.suppress(CsflowError):
                    getattr(desk, verb)(tid, *args, at=now)
        for aid in list(desk.agents()):
            for presence in ("offline", "available"):
                with contextlib.suppress(CsflowError):
                    desk.set_presence(aid, presence, at=now)
        check_invariants(desk)
        again = Desk.restore(desk.config, json.loads(json.dumps(desk.snapshot())))
        assert again.snapshot() == desk.snapshot()


def restores_or_refuses(snap: object) -> None:
    error: ConfigError | None = None
    try:
        desk = Desk.restore(PEOPLE, snap)
    except ConfigError as exc:
        error = exc
    if error is not None:
        assert str(error).startswith("snapshot"), str(error)
        return
    check_invariants(desk)
    drive(desk, AT)


def test_the_saved_desk_itself_keeps_working() -> None:
    restores_or_refuses(copy.deepcopy(SAVED))


@pytest.mark.parametrize("ticket", range(len(SAVED["state"]["tickets"])))
@pytest.mark.parametrize("agent", ["", "x" * 257])
def test_a_ticket_whose_agent_is_no_id_is_refused_at_its_path(ticket: int, agent: str) -> None:
    snap = copy.deepcopy(SAVED)
    snap["state"]["tickets"][ticket]["agent"] = agent
    with pytest.raises(ConfigError, match=rf"^snapshot\.state\.tickets\[{ticket}\]\.agent: "):
        Desk.restore(PEOPLE, snap)


def test_a_solved_tickets_agent_of_no_characters_reached_its_reopen_and_the_next_restore() -> None:
    """Worked example of what the refusal prevents: t2 (solved by sari) written with the
    agent ``""`` restored, its reopen said ``last_agent=''`` and the restored desk's own
    snapshot was refused at ``tickets[2].history``."""
    snap = copy.deepcopy(SAVED)
    assert snap["state"]["tickets"][2]["ticket"]["id"] == "t2"
    assert snap["state"]["tickets"][2]["state"] == "solved"
    snap["state"]["tickets"][2]["agent"] = ""
    restores_or_refuses(snap)


def test_a_goodwill_grant_written_twice_in_a_history_is_refused() -> None:
    """t0's history holds sari's grant of 20,000 (of a 30,000 limit per ticket) twice: the
    ledger says 20,000, the history 40,000 -- over the limit, which no desk grants."""
    snap = copy.deepcopy(SAVED)
    history = snap["state"]["tickets"][0]["history"]
    assert history[2]["type"] == "GoodwillGranted"
    assert snap["state"]["goodwill"]["per_ticket"] == {"t0": "20000"}
    history.append(copy.deepcopy(history[2]))
    with pytest.raises(
        ConfigError,
        match=r"^snapshot\.state\.tickets\[0\]\.history\[3\]: goodwill grants of 40000 on "
        r"ticket 't0', over the 'gold' limit of 30000 per ticket and over the 20000 the "
        r"ledger counts",
    ):
        Desk.restore(PEOPLE, snap)


def leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path] if path else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += leaves(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += leaves(v, (*path, i))
    return out


PATHS = leaves(SAVED)
#: What a tamperer writes: values of the wrong type, empty and edge values, names of other
#: tickets and agents, the snapshot's own instant and an earlier one.
AWKWARD: list[Any] = [
    None,
    True,
    0,
    -1,
    1.5,
    "",
    "x" * 257,
    "t0",
    "t2",
    "t5",
    "sari",
    "budi",
    "q1",
    "phone",
    [],
    {},
    [None],
    "2026-03-02T09:00:00+00:00",
    "2026-03-02T08:00:00+00:00",
]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    where=st.sampled_from(PATHS),
    how=st.one_of(
        st.just("drop"),
        st.just("duplicate"),
        st.just("shift"),
        st.sampled_from(AWKWARD).map(lambda v: ("value", v)),
    ),
)
def test_a_tampered_snapshot_is_refused_or_keeps_working(where: tuple[Any, ...], how: Any) -> None:
    snap = copy.deepcopy(SAVED)
    parent: Any = snap
    for key in where[:-1]:
        parent = parent[key]
    key = where[-1]
    if how == "drop":
        del parent[key]
    elif how == "duplicate":
        if isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        else:
            parent[key] = [parent[key], parent[key]]
    elif how == "shift":
        value = parent[key]
        parent[key] = value + 1 if type(value) is int else [value]
    else:
        parent[key] = copy.deepcopy(how[1])
    restores_or_refuses(snap)


def int_paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in int_paths(v, (*path, k))]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in int_paths(v, (*path, i))]
    return [path] if type(node) is int else []


def test_every_int_of_the_saved_snapshot_is_one_json_can_write() -> None:
    assert len(int_paths(SAVED)) > 20
    assert all(len(str(abs(v))) <= 4300 for v in _ints(SAVED))


def _ints(node: Any) -> list[int]:
    out = []
    for path in int_paths(node):
        value = node
        for key in path:
            value = value[key]
        out.append(value)
    return out


@pytest.mark.parametrize("where", int_paths(SAVED), ids=str)
@pytest.mark.parametrize("sign", [1, -1], ids=["huge", "-huge"])
def test_an_int_json_cannot_write_is_refused_at_its_path(where: tuple[Any, ...], sign: int) -> None:
    """A survey's version, a timer's instant, the goodwill request count, the pool's next
    turn of 4,301 digits restored, and the desk's next snapshot could not be written as JSON
    (``json.dumps`` raised ``ValueError``).  Refused before anything is built, at its path."""
    snap = copy.deepcopy(SAVED)
    parent: Any = snap
    for key in where[:-1]:
        parent = parent[key]
    parent[where[-1]] = sign * 10**4300  # 4,301 digits; 10**4300 - 1 has 4,300
    with pytest.raises(ConfigError, match=r"at most 4,300 digits \(what JSON text holds\)") as info:
        Desk.restore(PEOPLE, snap)
    expected = "snapshot" + "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in where)
    assert info.value.path == expected


def test_an_int_of_4300_digits_is_not_refused_for_its_size() -> None:
    snap = copy.deepcopy(SAVED)
    snap["state"]["tickets"][0]["survey_version"] = 10**4300 - 1
    desk = Desk.restore(PEOPLE, snap)
    json.dumps(desk.snapshot())


def test_a_journal_row_with_an_int_json_cannot_write_is_refused_at_its_path() -> None:
    row = {"type": "Advance", "version": 1, "at": "2026-03-02T09:08:00+00:00", "x": [10**4300]}
    with pytest.raises(ConfigError) as info:
        Desk.restore(PEOPLE, SAVED, journal=[row])
    assert info.value.path == "journal[0].x[0]"


def test_grants_over_a_limit_a_config_change_lowered_still_restore() -> None:
    """t0 was granted 20,000 under a 30,000 limit; the limit is now 10,000.  The history is
    over the new limit but within what the ledger counts: the desk's own snapshot restores."""
    data = copy.deepcopy(PEOPLE_DATA)
    data["goodwill"]["default_per_ticket"] = "10000"
    lowered = DeskConfig.from_dict(data)
    desk = Desk.restore(lowered, copy.deepcopy(SAVED), on_config_change=[])
    again = Desk.restore(lowered, json.loads(json.dumps(desk.snapshot())))
    assert again.snapshot() == desk.snapshot()
    assert again.goodwill_balances() == desk.goodwill_balances()
