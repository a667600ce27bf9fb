"""Bad input to a ticket's SLA: a typed error that names the value, and nothing changed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from csflow import BusinessCalendar
from csflow.errors import CalendarError, ConfigError, CsflowError, InvalidTransitionError
from csflow.sla import Metric, SlaBreached, SlaPolicy, TicketSla

T0 = datetime(2026, 3, 2, tzinfo=UTC)
H = timedelta(hours=1)
POLICY = SlaPolicy(
    "p",
    BusinessCalendar.always_open("UTC"),
    targets={
        "first_response": {"urgent": 4 * H},
        "next_response": 2 * H,
        "resolution": {"normal": 16 * H, "urgent": 8 * H},
    },
    pause_on={"pending": ["resolution"]},
)


def state(sla: TicketSla) -> str:
    return json.dumps(sla.to_dict(), sort_keys=True)


def test_a_status_change_before_a_noted_one_is_refused_and_the_snapshot_restores() -> None:
    # A move the clocks need not hear of (new -> assigned) is noted at 05:00, before the
    # clocks are polled up to it; a later status change at 02:00 would put the ticket's
    # status spells out of time order, so that its own snapshot could not be restored.
    sla = TicketSla("T-1", POLICY, "normal", T0)
    assert sla.note_status("assigned", T0 + 5 * H)
    before = state(sla)
    with pytest.raises(InvalidTransitionError, match="2026-03-02T05:00:00"):
        sla.set_status("pending", T0 + 2 * H)
    assert state(sla) == before
    # At or after the noted move the change applies, and the snapshot restores.
    sla.set_status("pending", T0 + 5 * H)
    again = TicketSla.from_dict(json.loads(json.dumps(sla.to_dict())), {"p": POLICY})
    # Urgent: the resolution keeps its 5 hours (pending since 05:00), and the first response
    # gains a 4-hour target from the creation, missed when it was set.
    [breach] = again.change_priority("urgent", T0 + 7 * H)
    assert isinstance(breach, SlaBreached)
    assert (breach.metric, breach.at, breach.due_at) == (
        Metric.FIRST_RESPONSE,
        T0 + 7 * H,
        T0 + 7 * H,
    )
    res = again.clock("resolution")
    assert res is not None
    assert res.elapsed(T0 + 7 * H) == 5 * H


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda s: s.set_status("archived", T0 + H), ConfigError, "'archived'"),
        (lambda s: s.set_status("pending", datetime(2026, 3, 2, 1)), CalendarError, "2026"),
        (lambda s: s.agent_reply(datetime(2026, 3, 2, 1)), CalendarError, "2026"),
        (lambda s: s.customer_message(T0 - H), InvalidTransitionError, "2026, 3, 1, 23, 0"),
        (lambda s: s.change_priority("critical", T0 + H), ConfigError, "'critical'"),
        (lambda s: s.change_priority("urgent", T0 + H, "later"), ConfigError, "'later'"),
        (
            lambda s: s.advance(T0 - timedelta(microseconds=1)),
            InvalidTransitionError,
            "2026, 3, 1, 23, 59",
        ),
        (lambda s: s.note_status("paused", T0 + H), ConfigError, "'paused'"),
        # A move the clocks must hear of is not recorded, but its naive instant is refused
        # all the same, as by every other method.
        (lambda s: s.note_status("pending", datetime(2026, 3, 2, 1)), CalendarError, "2026"),
        (lambda s: s.note_status("solved", "tomorrow"), CalendarError, "'tomorrow'"),
    ],
)
def test_bad_commands_raise_a_typed_error_naming_the_value_and_change_nothing(
    call: Any, error: type[CsflowError], words: str
) -> None:
    sla = TicketSla("T-2", POLICY, "normal", T0)
    sla.agent_reply(T0 + H / 2)
    sla.customer_message(T0 + H / 2)
    before = state(sla)
    with pytest.raises(error, match=words):
        call(sla)
    assert state(sla) == before


@pytest.mark.parametrize("bad", [timedelta(0), -H, "PT0S", 0, -5])
def test_zero_and_negative_targets_are_refused_with_their_path(bad: object) -> None:
    with pytest.raises(ConfigError) as info:
        SlaPolicy.from_dict(
            {"name": "x", "calendar": {"always_open": True}, "targets": {"resolution": bad}}
        )
    assert info.value.path == "sla_policy.targets.resolution"
    assert "positive" in info.value.detail


def test_a_ticket_restored_without_its_facts_refuses_a_naive_noted_move() -> None:
    # A snapshot written before tickets kept their status spells has no "facts": the move is
    # not recorded, but its instant is still checked.
    sla = TicketSla("T-3", POLICY, "normal", T0)
    data = sla.to_dict()
    del data["facts"]
    old = TicketSla.from_dict(data, {"p": POLICY})
    before = state(old)
    with pytest.raises(CalendarError, match="timezone-aware"):
        old.note_status("assigned", datetime(2026, 3, 2, 1))
    assert state(old) == before
    assert old.note_status("assigned", T0 + H)
