"""DeskMachine names a failing escalation policy as such, even when its answer's text differs
from one desk to the next.

An escalation policy that answers with a value of the wrong type is reported in the event's
``skipped`` with that value's ``repr``; an object without a ``repr`` of its own shows its
address, which the second desk of the replay check gets another of.  The machine fails on the
escalation policy, as documented, not on a desk it calls not deterministic.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, Phase, settings

from csflow.desk import DeskConfig
from csflow.policies import PolicyContext, PolicyResult
from csflow.testing import DeskMachine, InvariantError

SLA_DESK = {
    "calendars": {"a": {"timezone": "UTC", "always_open": True}},
    "sla_policies": [{"name": "s", "calendar": "a", "targets": {"first_response": "PT1M"}}],
    "default_sla_policy": "s",
}


class Answer:
    """A host's own answer object, without a repr of its own (``<...Answer object at 0x...>``)."""


def _wrong_answer(ctx: PolicyContext) -> PolicyResult[Any]:
    return PolicyResult(Answer(), "the team's bug: not an Escalation")


class WrongAnswer(DeskMachine):
    config = attrs.evolve(DeskConfig.from_dict(SLA_DESK), escalation_policy=_wrong_answer)
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)


def test_the_machine_names_an_escalation_policy_whose_answer_shows_an_address() -> None:
    @settings(
        max_examples=30,
        stateful_step_count=40,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.generate],  # (no shrinking: the failure is what is asserted)
        suppress_health_check=list(HealthCheck),
    )
    class Run(WrongAnswer):
        """The broken machine, under settings that generate without shrinking."""

    with pytest.raises(InvariantError) as err:
        Run.TestCase().runTest()
    message = str(err.value)
    assert "the escalation policy failed: " in message
    assert "value must be an Escalation or None" in message
    assert "not deterministic" not in message
