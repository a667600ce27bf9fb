"""A snapshot's ratings book agrees with its tickets: restore refuses cycles a ticket's state or
history contradicts, and still reads every book a desk writes (partial histories included)."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.errors import ConfigError, CsflowError, InvalidTransitionError
from csflow.events import FeedbackRecorded

WIB = ZoneInfo("Asia/Jakarta")
T0 = datetime(2026, 11, 11, 9, 0, tzinfo=WIB)  # 11.11, the marketplace's busiest day
M = timedelta(minutes=1)


def _config(keep_history: bool = True) -> DeskConfig:
    return DeskConfig.from_dict({"survey_delay": "PT1H", "keep_history": keep_history})


def _desk(keep_history: bool = True) -> Desk:
    """Sari resolves Ani's chat t1 (once, not rated); t2 waits with her."""
    desk = Desk(_config(keep_history))
    desk.add_agent(AgentProfile("sari", capacity={"chat": 3}), at=T0, presence="available")
    ani = Customer("ani", Tier("gold", 2))
    desk.submit(Ticket("t1", ani, "chat", T0), at=T0)
    desk.submit(Ticket("t2", ani, "chat", T0), at=T0)
    desk.resolve("t1", "sari", at=T0 + M)
    return desk


def _with_book(snapshot: dict[str, Any], book: dict[str, Any]) -> dict[str, Any]:
    tampered = copy.deepcopy(snapshot)
    tampered["state"]["feedback"] = book
    return tampered


def test_a_solved_ticket_missing_from_the_book_is_refused() -> None:
    # Restored, it could never be rated ("has not been resolved"): no desk leaves that state.
    snapshot = _desk().snapshot()
    assert snapshot["state"]["feedback"] == {"t1": [1, 0]}
    with pytest.raises(ConfigError) as caught:
        Desk.restore(_config(), _with_book(snapshot, {}))
    assert caught.value.path == "snapshot.state.feedback.t1"
    assert "is solved but has no resolution cycle" in caught.value.detail


def test_a_solved_ticket_missing_from_the_book_is_refused_without_histories_too() -> None:
    snapshot = _desk(keep_history=False).snapshot()
    with pytest.raises(ConfigError) as caught:
        Desk.restore(_config(False), _with_book(snapshot, {}))
    assert caught.value.path == "snapshot.state.feedback.t1"


def test_a_closed_ticket_missing_from_the_book_is_refused() -> None:
    desk = _desk()
    desk.close("t1", at=T0 + 2 * M)
    with pytest.raises(ConfigError) as caught:
        Desk.restore(_config(), _with_book(desk.snapshot(), {}))
    assert caught.value.path == "snapshot.state.feedback.t1"
    assert "is closed" in caught.value.detail


def test_a_rating_the_history_does_not_hold_is_refused() -> None:
    # [1, 1]: rated for its resolution, yet its history holds no FeedbackRecorded -- restored,
    # Ani's real answer to the survey would be refused as a second rating.
    with pytest.raises(ConfigError) as caught:
        Desk.restore(_config(), _with_book(_desk().snapshot(), {"t1": [1, 1]}))
    assert caught.value.path == "snapshot.state.feedback.t1"
    assert caught.value.detail == (
        "ticket 't1' at [cycle, rated cycle] [1, 1]; its history has 1 resolution(s) and no rating"
    )


def test_a_cycle_behind_the_history_is_refused() -> None:
    desk = _desk()
    desk.reopen("t1", at=T0 + 2 * M)
    desk.resolve("t1", "sari", at=T0 + 3 * M)
    snapshot = desk.snapshot()
    assert snapshot["state"]["feedback"]["t1"] == [2, 0]
    with pytest.raises(ConfigError) as caught:
        Desk.restore(_config(), _with_book(snapshot, {"t1": [1, 0]}))
    assert caught.value.path == "snapshot.state.feedback.t1"


@pytest.mark.parametrize("book", [[2, 2], [3, 1], [1, 1], [2, 0]])
def test_cycles_after_a_rating_must_follow_from_it(book: list[int]) -> None:
    # Rated 4 for resolution 1, reopened and resolved again: the history says [2, 1].
    desk = _desk()
    desk.record_feedback("t1", 4, at=T0 + 2 * M)
    desk.reopen("t1", at=T0 + 3 * M)
    desk.resolve("t1", "sari", at=T0 + 4 * M)
    snapshot = desk.snapshot()
    assert snapshot["state"]["feedback"]["t1"] == [2, 1]
    with pytest.raises(ConfigError) as caught:
        Desk.restore(_config(), _with_book(snapshot, {"t1": book}))
    assert caught.value.path == "snapshot.state.feedback.t1"
    assert caught.value.detail.endswith("its history says [2, 1]")
    restored = Desk.restore(_config(), snapshot)
    [rated] = restored.record_feedback("t1", 5, at=T0 + 5 * M)
    assert isinstance(rated, FeedbackRecorded)
    assert rated.cycle == 2


def test_a_refused_book_leaves_the_snapshot_unchanged() -> None:
    snapshot = _desk().snapshot()
    tampered = _with_book(snapshot, {})
    before = json.dumps(tampered, sort_keys=True)
    with pytest.raises(ConfigError):
        Desk.restore(_config(), tampered)
    assert json.dumps(tampered, sort_keys=True) == before


def test_histories_switched_on_by_a_config_change_lack_their_beginning_and_still_restore() -> None:
    # Written without histories, restored under a config that keeps them: the histories start
    # at the restore.  The book (resolved twice, rated once) is still the desk's.
    desk = _desk(keep_history=False)
    desk.record_feedback("t1", 5, at=T0 + 2 * M)
    desk.reopen("t1", at=T0 + 3 * M)
    desk.resolve("t1", "sari", at=T0 + 4 * M)
    moved: list[Any] = []
    on = Desk.restore(_config(True), desk.snapshot(), on_config_change=moved)
    on.reopen("t1", at=T0 + 5 * M)
    on.resolve("t1", "sari", at=T0 + 6 * M)
    assert on.snapshot()["state"]["feedback"]["t1"] == [3, 1]
    again = Desk.restore(_config(True), json.loads(json.dumps(on.snapshot())))
    [rated] = again.record_feedback("t1", 2, at=T0 + 7 * M)
    assert isinstance(rated, FeedbackRecorded)
    assert rated.cycle == 3


_STEP = st.tuples(
    st.sampled_from(["resolve", "reopen", "rate", "close", "snap"]), st.integers(0, 1)
)


@settings(max_examples=40, deadline=None)
@given(st.lists(_STEP, max_size=25), st.booleans())
def test_every_book_a_desk_writes_restores_to_the_same_cycles(
    steps: list[tuple[str, int]], keep_history: bool
) -> None:
    # Reference: a ticket's cycle is how many times it was resolved; it may be rated once per
    # cycle (docs/how-to/feedback.md).
    desk = _desk(keep_history)
    cycles, rated = {"t1": 1, "t2": 0}, {"t1": 0, "t2": 0}
    at = T0 + M
    for op, k in steps:
        at += M
        tid = f"t{k + 1}"
        try:
            if op == "resolve":
                desk.resolve(tid, "sari", at=at)
                cycles[tid] += 1
            elif op == "reopen":
                desk.reopen(tid, at=at)
            elif op == "close":
                desk.close(tid, at=at)
            elif op == "rate":
                [e] = desk.record_feedback(tid, 1 + k, at=at)
                assert isinstance(e, FeedbackRecorded)
                assert e.cycle == cycles[tid]
                assert rated[tid] < cycles[tid]
                rated[tid] = e.cycle
            else:
                snapshot = json.loads(json.dumps(desk.snapshot()))
                desk = Desk.restore(_config(keep_history), snapshot)
        except InvalidTransitionError:
            continue
        except CsflowError as exc:  # pragma: no cover - a failure's message
            raise AssertionError(f"{op} {tid}: {exc}") from exc
    book = Desk.restore(_config(keep_history), desk.snapshot()).snapshot()["state"]["feedback"]
    assert book == {t: [c, rated[t]] for t, c in cycles.items() if c}
