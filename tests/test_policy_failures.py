"""A host's policy that fails: answers of the wrong type are refused before anything changes,
and an escalation policy that fails while time passes loses no warning or breach."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, Phase, settings

from csflow import ConfigError, Customer, Desk, DeskConfig, Priority, SlaBreached, Ticket, Tier
from csflow.errors import InvariantError
from csflow.events import SlaEscalated, SlaWarning
from csflow.policies import ESCALATION_POLICY_FAILED, Escalation, PolicyContext, PolicyResult
from csflow.testing import DeskMachine

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
REGULAR = Customer("c", Tier("regular", 1))
SLA_DESK = {
    "calendars": {"a": {"timezone": "UTC", "always_open": True}},
    "sla_policies": [{"name": "s", "calendar": "a", "targets": {"first_response": "PT1M"}}],
    "default_sla_policy": "s",
}


def _config(**policies: Any) -> DeskConfig:
    return attrs.evolve(DeskConfig.from_dict(SLA_DESK), **policies)


@pytest.mark.parametrize(
    ("field", "answer"),
    [
        ("priority_policy", Priority.HIGH),
        ("priority_policy", None),
        ("queue_policy", "default"),
        ("sla_selection", PolicyResult("s", 42)),  # type: ignore[arg-type]
    ],
)
def test_a_policy_answer_of_the_wrong_type_is_refused_before_anything_changes(
    field: str, answer: object
) -> None:
    desk = Desk(_config(**{field: lambda ctx: answer}))
    before = desk.snapshot()
    name = {"sla_selection": "SLA selection policy"}.get(field, field.replace("_", " "))
    with pytest.raises(ConfigError, match=f"the {name} must return a PolicyResult"):
        desk.submit(Ticket("T-1", REGULAR, "chat", T0), at=T0)
    assert desk.snapshot() == before


def _refunds_raise(ctx: PolicyContext) -> PolicyResult[Escalation]:
    if ctx.event == "breach" and ctx.ticket.category == "refund":
        raise KeyError("refund-team")  # the team's bug
    return PolicyResult(Escalation(notify=("lead",)), "page the lead")


@pytest.mark.parametrize(
    ("policy", "why"),
    [
        (_refunds_raise, "KeyError('refund-team')"),
        (lambda ctx: Escalation(), "the escalation policy must return a PolicyResult"),
        (lambda ctx: PolicyResult("urgent", "x"), "value must be an Escalation or None"),
    ],
    ids=["raises", "bare escalation", "wrong value"],
)
def test_an_escalation_policy_that_fails_loses_no_warning_or_breach(
    policy: Callable[[PolicyContext], Any], why: str
) -> None:
    desk = Desk(_config(escalation_policy=policy))
    desk.submit(Ticket("A", REGULAR, "chat", T0), at=T0)
    desk.submit(Ticket("R", REGULAR, "chat", T0, category="refund"), at=T0)
    out = desk.advance(at=T0 + timedelta(minutes=5))
    for tid in ("A", "R"):
        mine = [e for e in out if getattr(e, "ticket_id", None) == tid]
        assert [type(e) for e in mine if not isinstance(e, SlaEscalated)] == [
            SlaWarning,
            SlaWarning,
            SlaWarning,
            SlaBreached,
        ]
    failed = [e for e in out if isinstance(e, SlaEscalated) and e.skipped]
    assert failed
    for e in failed:
        assert (e.notify, e.tags, e.reason) == ((), (), "")
        assert e.skipped[0].startswith(ESCALATION_POLICY_FAILED)
        assert why in e.skipped[0]
    assert desk.advance(at=T0 + timedelta(minutes=5)) == []  # nothing lost, nothing twice
    again = Desk.restore(desk.config, json.loads(json.dumps(desk.snapshot())))
    assert again.snapshot() == desk.snapshot()


def _breaches_raise(ctx: PolicyContext) -> PolicyResult[Escalation]:
    if ctx.event == "breach":
        raise KeyError(ctx.ticket.tier.name)
    return PolicyResult(Escalation(), "nothing on a warning")


class BrokenEscalation(DeskMachine):
    config = _config(escalation_policy=_breaches_raise)


def test_the_machine_fails_on_an_escalation_policy_that_fails() -> None:
    # The desk refuses nothing when the escalation policy fails; the machine still catches it.
    @settings(
        max_examples=30,
        stateful_step_count=40,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.generate],  # (no shrinking: the failure is what is asserted)
        suppress_health_check=list(HealthCheck),
    )
    class Run(BrokenEscalation):
        """The broken machine, under settings that generate without shrinking."""

    with pytest.raises(InvariantError, match="the escalation policy failed: KeyError"):
        Run.TestCase().runTest()


def test_the_machine_passes_a_sound_escalation_policy() -> None:
    @settings(
        max_examples=5,
        stateful_step_count=30,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    class Run(DeskMachine):
        config = _config(
            escalation_policy=lambda ctx: PolicyResult(Escalation(tags=("late",)), "tag it")
        )

    Run.TestCase().runTest()


@pytest.mark.parametrize("answer", [["chat"], {"chat": 1}, 7])
def test_an_sla_selection_answer_that_is_not_a_name_is_a_config_error(answer: object) -> None:
    """A list or a dict could not even be looked up (``TypeError``); nothing changes."""

    def choose(ctx: PolicyContext) -> Any:  # a wrong answer, on purpose
        return PolicyResult(answer, "host")

    config = attrs.evolve(
        DeskConfig.from_dict(
            {
                "calendars": {"c": {"timezone": "UTC", "always_open": True}},
                "sla_policies": [
                    {"name": "chat", "calendar": "c", "targets": {"first_response": "PT1M"}}
                ],
            }
        ),
        sla_selection=choose,
    )
    desk = Desk(config)
    before = desk.snapshot()
    with pytest.raises(ConfigError, match="must choose an SLA policy's name or None"):
        desk.submit(Ticket("T-1", Customer("c", Tier("regular", 1)), "chat", T0), at=T0)
    assert desk.snapshot() == before
