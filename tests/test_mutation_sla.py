"""SLA refusals a mutation sample found unasserted (``make mutation``, sla).

Every refusal of a policy, a ticket's clocks and their plain-data forms, with its error type,
its whole message and its path: a wrong path or a vaguer message fails here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from csflow.calendar import BusinessCalendar
from csflow.errors import ConfigError, CsflowError, InvalidTransitionError
from csflow.model import Customer, Ticket, TicketStatus, Tier
from csflow.sla import SlaClock, SlaPolicy, TicketSla, resolve_policy
from csflow.sla.policy import RecalcMode

C = {"always": BusinessCalendar.always_open()}
T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def P(**kw: Any) -> SlaPolicy:
    doc: dict[str, Any] = {
        "name": "std",
        "calendar": "always",
        "targets": {"first_response": "PT1H"},
    }
    doc.update(kw)
    return SlaPolicy.from_dict(doc, C)


POL = P()


def closed() -> TicketSla:
    t = TicketSla("t", POL, "normal", T0)
    t.set_status("closed", T0)
    return t


def later() -> TicketSla:
    t = TicketSla("t", POL, "normal", T0)
    t.advance(T0 + timedelta(hours=1))
    return t


def clk() -> SlaClock:
    target = POL.target("first_response", "normal")
    assert target is not None
    return SlaClock("t", target, T0)


def stopped() -> SlaClock:
    c = clk()
    c.stop(T0)
    return c


REFUSED: list[tuple[type[CsflowError], Callable[[], object], str]] = [
    (ConfigError, lambda: SlaPolicy.from_dict(5, C), "sla_policy: expected a mapping, got 5"),
    (
        ConfigError,
        lambda: SlaPolicy.from_dict(
            {"name": "a", "calendar": "always", "targets": {}, "bogus": 1}, C
        ),
        "sla_policy: unknown key 'bogus'; expected one of ['calendar', 'calendars', 'name', 'pause_on', 'targets', 'warn_before', 'warnings']",
    ),
    (
        ConfigError,
        lambda: SlaPolicy.from_dict({"name": "a", "calendar": "always"}, C),
        "sla_policy: missing required key 'targets'",
    ),
    (
        ConfigError,
        lambda: P(name=""),
        "sla_policy.name: expected a non-empty string of at most 256 characters, got ''",
    ),
    (
        ConfigError,
        lambda: P(name=5),
        "sla_policy.name: expected a non-empty string of at most 256 characters, got 5",
    ),
    (
        ConfigError,
        lambda: P(calendar="office"),
        "sla_policy.calendar: unknown calendar 'office'; known calendars: ['always']",
    ),
    (
        ConfigError,
        lambda: P(calendar={"timezone": "Mars/Base"}),
        "sla_policy.calendar.timezone: 'timezone' must be an IANA time zone name, got 'Mars/Base'",
    ),
    (
        ConfigError,
        lambda: P(targets=5),
        "sla_policy.targets: expected a mapping of metric -> target, got 5",
    ),
    (
        ConfigError,
        lambda: P(targets={"first_reply": "PT1H"}),
        "sla_policy.targets.first_reply: metric must be one of 'first_response', 'next_response', 'periodic_update', 'resolution', got 'first_reply'; did you mean 'first_response'?",
    ),
    (
        ConfigError,
        lambda: P(targets={"first_response": "PT0S"}),
        "sla_policy.targets.first_response: a target must be a positive duration, got 'PT0S'",
    ),
    (
        ConfigError,
        lambda: P(targets={"first_response": "soon"}),
        "sla_policy.targets.first_response: expected an ISO-8601 duration such as 'PT4H' or 'P1DT2H' (weeks, days, hours, minutes, seconds; no years or months), got 'soon'",
    ),
    (
        ConfigError,
        lambda: P(targets={"resolution": {"urgnt": "PT1H"}}),
        "sla_policy.targets.resolution.urgnt: priority must be one of 'low', 'normal', 'high', 'urgent', got 'urgnt'",
    ),
    (
        ConfigError,
        lambda: P(targets={"resolution": {}}),
        "sla_policy.targets.resolution: expected at least one priority -> target",
    ),
    (
        ConfigError,
        lambda: P(targets={"resolution": {"urgent": -5}}),
        "sla_policy.targets.resolution.urgent: a target must be a positive duration, got -5",
    ),
    (
        ConfigError,
        lambda: P(warnings="0.5"),
        "sla_policy.warnings: expected a sequence of fractions in (0, 1), got '0.5'",
    ),
    (
        ConfigError,
        lambda: P(warnings=[0.5, True]),
        "sla_policy.warnings[1]: a warning threshold must be a number in (0, 1), got True",
    ),
    (
        ConfigError,
        lambda: P(warnings=[0.5, float("nan")]),
        "sla_policy.warnings[1]: a warning threshold must be a number in (0, 1), got nan",
    ),
    (
        ConfigError,
        lambda: P(warnings=[0.5, 1.0]),
        "sla_policy.warnings[1]: a warning threshold must lie strictly between 0 and 1, got 1.0",
    ),
    (
        ConfigError,
        lambda: P(warnings=[0.5, 0.5]),
        "sla_policy.warnings[1]: warning thresholds must be strictly increasing, got 0.5 after 0.5",
    ),
    (
        ConfigError,
        lambda: P(warnings=[0]),
        "sla_policy.warnings[0]: a warning threshold must lie strictly between 0 and 1, got 0",
    ),
    (
        ConfigError,
        lambda: P(pause_on=5),
        "sla_policy.pause_on: expected a mapping of status -> metrics, got 5",
    ),
    (
        ConfigError,
        lambda: P(pause_on={"solved": ["resolution"]}),
        "sla_policy.pause_on.solved: a pausing status must be one of ['assigned', 'new', 'on_hold', 'open', 'pending', 'queued'], got 'solved'",
    ),
    (
        ConfigError,
        lambda: P(pause_on={"pending": "resolution"}),
        "sla_policy.pause_on.pending: expected a list of metrics, got 'resolution'",
    ),
    (
        ConfigError,
        lambda: P(pause_on={"pending": ["resolutoin"]}),
        "sla_policy.pause_on.pending[0]: metric must be one of 'first_response', 'next_response', 'periodic_update', 'resolution', got 'resolutoin'; did you mean 'resolution'?",
    ),
    (
        ConfigError,
        lambda: SlaPolicy("a", BusinessCalendar.always_open(), targets={"first_response": 5}),
        "targets.first_response: a target must be a datetime.timedelta, got 5",
    ),
    (
        ConfigError,
        lambda: SlaPolicy(
            "a", BusinessCalendar.always_open(), targets={"first_response": timedelta(0)}
        ),
        "targets.first_response: a target must be a positive duration, got datetime.timedelta(0)",
    ),
    (
        ConfigError,
        lambda: SlaPolicy(
            "a",
            BusinessCalendar.always_open(),
            targets={"first_response": timedelta(hours=1), "FIRST_RESPONSE": timedelta(hours=1)},
        ),
        "targets: metric 'first_response' is given twice",
    ),
    (
        ConfigError,
        lambda: SlaPolicy(
            "a",
            BusinessCalendar.always_open(),
            targets={"resolution": {"urgent": timedelta(hours=1), "URGENT": timedelta(hours=1)}},
        ),
        "targets.resolution: priority 'urgent' is given twice",
    ),
    (ConfigError, lambda: resolve_policy("x", {}), "unknown SLA policy 'x'; known policies: []"),
    (
        ConfigError,
        lambda: RecalcMode.parse("later"),
        "recalculation mode must be one of 'keep_elapsed', 'restart', 'retroactive', got 'later'",
    ),
    (
        ConfigError,
        lambda: P().target("first_reply", "normal"),
        "metric must be one of 'first_response', 'next_response', 'periodic_update', 'resolution', got 'first_reply'; did you mean 'first_response'?",
    ),
    (
        ConfigError,
        lambda: P().target("first_response", "urgnt"),
        "priority must be one of 'low', 'normal', 'high', 'urgent', got 'urgnt'",
    ),
    (
        ConfigError,
        lambda: P().pauses("pending", "resolutoin"),
        "metric must be one of 'first_response', 'next_response', 'periodic_update', 'resolution', got 'resolutoin'; did you mean 'resolution'?",
    ),
    (
        ConfigError,
        lambda: SlaPolicy("", BusinessCalendar.always_open(), {}),
        "SLA policy name must be a non-empty string of at most 256 characters, got ''",
    ),
    (
        ConfigError,
        lambda: SlaPolicy("a", 5, {}),  # type: ignore[arg-type]
        "SLA policy calendar must be a BusinessCalendar, got 5",
    ),
    (ConfigError, lambda: TicketSla("t", 5, "normal", T0), "policy must be an SlaPolicy, got 5"),  # type: ignore[arg-type]
    (
        ConfigError,
        lambda: TicketSla("t", POL, "normal", T0, status="solved"),
        "initial status must be one of ['assigned', 'new', 'on_hold', 'open', 'pending', 'queued'], got 'solved'",
    ),
    (
        ConfigError,
        lambda: TicketSla("t", POL, "normal", T0).set_status("done", T0),
        "status must be one of ['new', 'open', 'queued', 'assigned', 'pending', 'on_hold', 'solved', 'closed', 'abandoned'], got 'done'",
    ),
    (
        ConfigError,
        lambda: TicketSla("t", POL, "normal", T0).change_priority(None, T0),  # type: ignore[arg-type]
        "priority must be a Priority, its name or its number, got None",
    ),
    (
        ConfigError,
        lambda: TicketSla("t", POL, "normal", T0).change_policy(5, T0),  # type: ignore[arg-type]
        "policy must be an SlaPolicy, got 5",
    ),
    (
        ConfigError,
        lambda: TicketSla("t", POL, "normal", T0).recalculate(T0, policy=5),  # type: ignore[arg-type]
        "policy must be an SlaPolicy, got 5",
    ),
    (
        ConfigError,
        lambda: TicketSla("t", POL, "normal", T0).recalculate(T0, mode="later"),
        "recalculation mode must be one of 'keep_elapsed', 'restart', 'retroactive', got 'later'",
    ),
    (
        InvalidTransitionError,
        lambda: closed().agent_reply(T0),
        "ticket 't' is closed: its SLA can no longer change",
    ),
    (
        InvalidTransitionError,
        lambda: later().agent_reply(T0),
        "'at' must not be earlier than the ticket's last instant 2026-03-02T10:00:00+00:00, got datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.timezone.utc)",
    ),
    (ConfigError, lambda: SlaClock("t", 5, T0), "target must be an SlaTarget, got 5"),  # type: ignore[arg-type]
    (
        ConfigError,
        lambda: clk().recalculate(5, T0),  # type: ignore[arg-type]
        "target must be an SlaTarget for metric 'first_response', got 5",
    ),
    (
        ConfigError,
        lambda: TicketSla.from_dict(5, {"std": POL}),
        "ticket_sla: expected a mapping, got 5",
    ),
    (
        ConfigError,
        lambda: TicketSla.from_dict({"policy": "x"}, {"std": POL}),
        "ticket_sla.policy: unknown SLA policy 'x'; known policies: ['std']",
    ),
    (
        ConfigError,
        lambda: TicketSla.from_dict({"policy": "std", "priority": "x"}, {"std": POL}),
        "ticket_sla.priority: priority must be one of 'low', 'normal', 'high', 'urgent', got 'x'",
    ),
    (
        ConfigError,
        lambda: TicketSla.from_dict(
            {"policy": "std", "priority": "normal", "status": "x"}, {"std": POL}
        ),
        "ticket_sla.status: unknown status 'x'",
    ),
    (
        ConfigError,
        lambda: TicketSla.from_dict(
            {"policy": "std", "priority": "normal", "status": "new", "last": "x"}, {"std": POL}
        ),
        "ticket_sla.last: expected an int, got 'x'",
    ),
    (
        ConfigError,
        lambda: TicketSla.from_dict(
            {"policy": "std", "priority": "normal", "status": "new", "last": 0, "clocks": 5},
            {"std": POL},
        ),
        "ticket_sla.clocks: expected a mapping, got 5",
    ),
    (
        ConfigError,
        lambda: TicketSla.from_dict(
            {
                "policy": "std",
                "priority": "normal",
                "status": "new",
                "last": 0,
                "clocks": {"x": {}},
            },
            {"std": POL},
        ),
        "ticket_sla.clocks.x: metric must be one of 'first_response', 'next_response', 'periodic_update', 'resolution', got 'x'",
    ),
    (ConfigError, lambda: SlaClock.from_dict(5, POL.calendar), "clock: expected a mapping, got 5"),
    (
        InvalidTransitionError,
        lambda: stopped().recalculate(clk().target, T0),
        "cannot recalculate a clock that is met; only a running, paused or breached clock can be recalculated",
    ),
]


@pytest.mark.parametrize(("error", "call", "message"), REFUSED)
def test_every_refusal_has_its_type_its_path_and_its_message(
    error: type[CsflowError], call: Callable[[], object], message: str
) -> None:
    with pytest.raises(error) as caught:
        call()
    assert str(caught.value) == message


def test_reprs_name_the_ticket_the_policy_and_every_clock() -> None:
    policy = P(targets={"first_response": "PT1H", "resolution": "PT4H"})
    sla = TicketSla("t", policy, "normal", T0)
    sla.advance(T0 + timedelta(minutes=30))
    assert (
        repr(sla) == "<TicketSla 't' 'std' normal new: first_response=running, resolution=running>"
    )
    clock = sla.clock("first_response")
    assert repr(clock) == "<SlaClock 't' first_response running used=0:00:00 target=1:00:00>"


def test_a_ticket_sla_can_start_in_another_status() -> None:
    ticket = Ticket("t", Customer("c", Tier("gold", 1)), "chat", T0)
    sla = TicketSla.for_ticket(ticket, POL, status="pending")
    assert sla.status is TicketStatus.PENDING
    assert TicketSla.for_ticket(ticket, POL).status is TicketStatus.NEW


@pytest.mark.parametrize(("value", "shown"), [(True, "True"), ([1], "[1]"), (None, "None")])
def test_a_target_that_is_no_duration_is_named(value: object, shown: str) -> None:
    with pytest.raises(ConfigError) as caught:
        P(targets={"first_response": value})
    assert str(caught.value) == (
        "sla_policy.targets.first_response: expected an ISO-8601 duration or a number of "
        f"seconds, got {shown}"
    )
