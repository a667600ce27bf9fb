"""people_report, consistency and run_sweep refuse bad input with a ConfigError."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from csflow.errors import ConfigError
from csflow.events import FeedbackRecorded
from csflow.people import consistency, people_report
from csflow.sim import mmc_scenario
from csflow.sweep import run_sweep

T = datetime(2026, 3, 2, 9, tzinfo=UTC)
GOOD = FeedbackRecorded(T, "T1", 5, "", 1, "sari", "gold", "chat", "general", None)


def bad(value: object) -> Any:
    return value


@pytest.mark.parametrize("events", [None, 5, "abc", b"xy"])
def test_people_report_wants_an_iterable_of_events(events: object) -> None:
    with pytest.raises(ConfigError, match="'events' must be an iterable of csflow events"):
        people_report(bad(events))


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (1, "expected a csflow event, got 1"),
        ("T1", "expected a csflow event, got 'T1'"),
        (
            FeedbackRecorded(
                datetime(2026, 3, 2, 9), "T1", 5, "", 1, "sari", "gold", "w", "g", None
            ),
            "an event's 'at' must be an aware datetime",
        ),
    ],
)
def test_people_report_names_the_bad_item(item: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as err:
        people_report([GOOD, item])
    assert err.value.path == "events[1]"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"report": None}, "report must be a PeopleReport, got None"),
        ({"teams": ["a"]}, "teams must be a mapping"),
        ({"min_handled": "3"}, "min_handled must be an int >= 0, got '3'"),
        ({"min_handled": -1}, "min_handled must be an int >= 0, got -1"),
        ({"min_handled": True}, "min_handled must be an int >= 0, got True"),
        ({"measures": "csat"}, "measures must be a collection of measure names, got the string"),
    ],
)
def test_consistency_refuses_bad_arguments(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"report": people_report([GOOD]), **kwargs}
    report = args.pop("report")
    with pytest.raises(ConfigError, match=message):
        consistency(report, **args)


@pytest.mark.parametrize("scenarios", [None, 5, "grid"])
def test_run_sweep_wants_an_iterable_of_scenarios(scenarios: object) -> None:
    with pytest.raises(ConfigError, match="'scenarios' must be an iterable of Scenario"):
        run_sweep(bad(scenarios))


def test_run_sweep_wants_an_executor() -> None:
    with pytest.raises(ConfigError, match=r"'executor' must be an executor .* got 'x'"):
        run_sweep([mmc_scenario(2, 1.0, customers=5, seed=1)], executor=bad("x"))
