"""Feedback: a customer's rating of a resolved ticket, once per resolution cycle."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csflow import (
    AgentProfile,
    ConfigError,
    Customer,
    Desk,
    DeskConfig,
    FeedbackRecorded,
    InvalidTransitionError,
    Ticket,
    Tier,
    UnknownTicketError,
)
from csflow.desk.feedback import MAX_COMMENT_CHARS
from csflow.testing import check_invariants

WIB = timezone(timedelta(hours=7))
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=WIB)
GOLD = Tier("gold", 3)
CONFIG = DeskConfig.from_dict(
    {
        "queues": [{"name": "general"}],
        "teams": {"cs": {"queue": "general"}},
    }
)


def _desk() -> Desk:
    desk = Desk(CONFIG)
    desk.add_agent(AgentProfile("sari", capacity={"whatsapp": 3}), at=T0, presence="available")
    desk.submit(Ticket("t1", Customer("c1", GOLD), "whatsapp", T0), at=T0)
    return desk


def _frozen(desk: Desk) -> Any:
    return json.dumps(desk.snapshot()), desk.history("t1"), desk.ticket("t1")


def test_a_resolved_ticket_is_rated_with_who_and_where() -> None:
    desk = _desk()
    desk.resolve("t1", "sari", at=T0 + timedelta(minutes=5))
    [e] = desk.record_feedback("t1", 5, "cepat sekali", at=T0 + timedelta(hours=1))
    assert e == FeedbackRecorded(
        T0 + timedelta(hours=1), "t1", 5, "cepat sekali", 1, "sari", "gold", "whatsapp",
        "general", "cs",
    )  # fmt: skip
    assert desk.history("t1")[-1] == e
    check_invariants(desk)


def test_once_per_cycle_and_again_after_a_reopening() -> None:
    desk = _desk()
    desk.resolve("t1", "sari", at=T0 + timedelta(minutes=5))
    desk.record_feedback("t1", 2, at=T0 + timedelta(minutes=6))
    before = _frozen(desk)
    with pytest.raises(InvalidTransitionError, match=r"already rated for resolution 1"):
        desk.record_feedback("t1", 4, at=T0 + timedelta(minutes=7))
    assert _frozen(desk) == before
    desk.reopen("t1", at=T0 + timedelta(minutes=8))
    with pytest.raises(InvalidTransitionError, match=r"is assigned: only a solved or closed"):
        desk.record_feedback("t1", 4, at=T0 + timedelta(minutes=9))
    desk.resolve("t1", "sari", at=T0 + timedelta(minutes=10))
    desk.close("t1", at=T0 + timedelta(minutes=11))
    [e] = desk.record_feedback("t1", 4, at=T0 + timedelta(minutes=12))
    assert isinstance(e, FeedbackRecorded)
    assert e.cycle == 2
    assert e.rating == 4


def test_unknown_and_unresolved_tickets_are_refused() -> None:
    desk = _desk()
    before = _frozen(desk)
    with pytest.raises(UnknownTicketError, match=r"no ticket 'nope'"):
        desk.record_feedback("nope", 5, at=T0)
    with pytest.raises(InvalidTransitionError, match=r"'t1' is assigned"):
        desk.record_feedback("t1", 5, at=T0)
    assert _frozen(desk) == before


@given(
    rating=st.one_of(
        st.integers().filter(lambda r: not 1 <= r <= 5),
        st.booleans(),
        st.floats(1, 5),
        st.text(max_size=2),
        st.none(),
    )
)
def test_ratings_off_the_scale_are_refused_and_change_nothing(rating: object) -> None:
    desk = _desk()
    desk.resolve("t1", "sari", at=T0 + timedelta(minutes=5))
    before = _frozen(desk)
    with pytest.raises(ConfigError, match=r"rating must be an int from 1 to 5, got"):
        desk.record_feedback("t1", rating, at=T0 + timedelta(minutes=6))  # type: ignore[arg-type]
    assert _frozen(desk) == before


def test_comments_are_bounded() -> None:
    desk = _desk()
    desk.resolve("t1", "sari", at=T0 + timedelta(minutes=5))
    with pytest.raises(ConfigError, match=rf"at most {MAX_COMMENT_CHARS} characters, got 2001"):
        desk.record_feedback("t1", 3, "x" * 2001, at=T0 + timedelta(minutes=6))
    with pytest.raises(ConfigError, match=r"comment must be a string, got 7"):
        desk.record_feedback("t1", 3, 7, at=T0 + timedelta(minutes=6))  # type: ignore[arg-type]
    [e] = desk.record_feedback("t1", 3, "x" * 2000, at=T0 + timedelta(minutes=6))
    assert isinstance(e, FeedbackRecorded)
    assert len(e.comment) == 2000


def test_a_rating_survives_snapshot_and_restore() -> None:
    desk = _desk()
    desk.resolve("t1", "sari", at=T0 + timedelta(minutes=5))
    desk.record_feedback("t1", 1, "kecewa", at=T0 + timedelta(minutes=6))
    restored = Desk.restore(CONFIG, json.loads(json.dumps(desk.snapshot())))
    assert restored.history("t1") == desk.history("t1")
    with pytest.raises(InvalidTransitionError, match=r"already rated"):
        restored.record_feedback("t1", 5, at=T0 + timedelta(minutes=7))


def test_a_tampered_rating_in_a_snapshot_is_refused() -> None:
    desk = _desk()
    desk.resolve("t1", "sari", at=T0 + timedelta(minutes=5))
    desk.record_feedback("t1", 4, at=T0 + timedelta(minutes=6))
    snap = desk.snapshot()
    snap["state"]["feedback"]["t1"] = [1, 9]  # rated for a resolution that never happened
    with pytest.raises(ConfigError, match=r"snapshot\.state\.feedback\.t1: expected \[cycle"):
        Desk.restore(CONFIG, snap)
    rating = snap["state"]["tickets"][0]["history"][-1]
    assert rating["type"] == "FeedbackRecorded"
    snap["state"]["feedback"]["t1"] = [1, 1]
    rating["rating"] = "9"
    with pytest.raises(ConfigError, match=r"snapshot\.state\.tickets\[0\]\.history\[\d+\]"):
        Desk.restore(CONFIG, snap)


SURVEYED = DeskConfig.from_dict(
    {
        "queues": [{"name": "general"}],
        "teams": {"cs": {"queue": "general"}},
        "survey_delay": "PT1H",
    }
)


def _surveyed() -> Desk:
    desk = Desk(SURVEYED)
    desk.add_agent(AgentProfile("sari", capacity={"whatsapp": 3}), at=T0, presence="available")
    desk.submit(Ticket("t1", Customer("c1", GOLD), "whatsapp", T0), at=T0)
    desk.resolve("t1", "sari", at=T0 + timedelta(minutes=5))
    return desk


def test_a_resolution_rated_before_its_survey_is_not_surveyed() -> None:
    # The customer rates in the chat widget two minutes after the resolution: the survey an
    # hour after it would ask about a resolution that cannot be rated again.
    desk = _surveyed()
    assert desk.next_wakeup() == T0 + timedelta(minutes=65)
    desk.record_feedback("t1", 5, at=T0 + timedelta(minutes=7))
    assert desk.next_wakeup() is None
    restored = Desk.restore(SURVEYED, json.loads(json.dumps(desk.snapshot())))
    for d in (desk, restored):
        assert d.advance(at=T0 + timedelta(hours=3)) == []
        # The next resolution cycle is surveyed again.
        d.reopen("t1", at=T0 + timedelta(hours=3))
        d.resolve("t1", "sari", at=T0 + timedelta(hours=4))
        [survey] = d.advance(at=T0 + timedelta(hours=6))
        assert (type(survey).__name__, survey.at) == ("SurveyDue", T0 + timedelta(hours=5))
        check_invariants(d)


def test_a_survey_timer_of_a_rated_resolution_in_a_snapshot_is_dropped() -> None:
    # What a snapshot written before a rating retired the survey holds: the timer is dead.
    pending = _surveyed().snapshot()
    desk = _surveyed()
    desk.record_feedback("t1", 5, at=T0 + timedelta(minutes=7))
    snap = desk.snapshot()
    assert snap["state"]["timers"]["surveys"] == []
    snap["state"]["timers"]["surveys"] = pending["state"]["timers"]["surveys"]
    restored = Desk.restore(SURVEYED, snap)
    assert restored.next_wakeup() is None
    assert restored.advance(at=T0 + timedelta(hours=3)) == []
    assert restored.snapshot()["state"]["timers"]["surveys"] == []
