"""Staffing promises a mutation sample found unasserted (``make mutation``, staffing).

The plain-data forms are given whole (a renamed key is a broken wire format); the defaults of
shift templates read from plain data; refusals with their whole message and path.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from csflow.errors import ConfigError
from csflow.staffing.roster import cover
from csflow.staffing.shifts import BreakRule, ShiftTemplate, templates_from_dict
from csflow.staffing.verify import Estimate, VerifiedInterval, VerifiedPlan

H = timedelta(hours=1)
T0 = datetime(2026, 3, 2, tzinfo=UTC)


def test_a_roster_as_plain_data() -> None:
    day = ShiftTemplate("day", 3 * H, latest=2 * H, breaks=[BreakRule(H, H, H)])
    assert cover([1, 2, 1, 1], [day], interval=H).to_dict() == {
        "interval": 3600.0,
        "origin": None,
        "wraps": False,
        "cost": 6.0,
        "agents": 2,
        "shortfall": 1,
        "rows": [
            {"shift": "day", "start": 0.0, "end": 10800.0, "breaks": [[3600.0, 7200.0]], "agents": 1},
            {"shift": "day", "start": 3600.0, "end": 14400.0, "breaks": [[7200.0, 10800.0]], "agents": 1},
        ],
        "intervals": [
            {"start": 0.0, "required": 1, "scheduled": 1, "on_duty": 1, "short": 0},
            {"start": 3600.0, "required": 2, "scheduled": 2, "on_duty": 1, "short": 1},
            {"start": 7200.0, "required": 1, "scheduled": 2, "on_duty": 1, "short": 0},
            {"start": 10800.0, "required": 1, "scheduled": 1, "on_duty": 1, "short": 0},
        ],
    }


def test_a_roster_with_an_origin_gives_instants() -> None:
    one = ShiftTemplate("one", H, latest=H, cost=5)
    data = cover([1, 1], [one], interval=H, origin=T0).to_dict()
    assert data["origin"] == "2026-03-02T00:00:00+00:00"
    assert data["cost"] == 10.0
    assert data["rows"] == [
        {
            "shift": "one",
            "start": "2026-03-02T00:00:00+00:00",
            "end": "2026-03-02T01:00:00+00:00",
            "breaks": [],
            "agents": 1,
        },
        {
            "shift": "one",
            "start": "2026-03-02T01:00:00+00:00",
            "end": "2026-03-02T02:00:00+00:00",
            "breaks": [],
            "agents": 1,
        },
    ]
    assert [i["start"] for i in data["intervals"]] == [
        "2026-03-02T00:00:00+00:00",
        "2026-03-02T01:00:00+00:00",
    ]


def test_a_verified_plan_as_plain_data() -> None:
    sl, ab = Estimate(0.9, 0.85, 0.95), Estimate(0.02, 0.01, 0.03)
    interval = VerifiedInterval(T0, 2 * H, 40.0, 5, 6, sl, ab, Estimate(0.8, 0.7, 0.9), ab, True)
    plan = VerifiedPlan((interval,), 0.8, timedelta(seconds=20), 0.05, (1, 2))
    assert plan.to_dict() == {
        "level": 0.8,
        "target": 20.0,
        "abandonment": 0.05,
        "seeds": [1, 2],
        "agent_hours": 12.0,
        "erlang_agent_hours": 10.0,
        "intervals": [
            {
                "start": "2026-03-02T00:00:00+00:00",
                "duration": 7200.0,
                "arrivals": 40.0,
                "erlang_agents": 5,
                "agents": 6,
                "difference": 1,
                "service_level": {"mean": 0.9, "low": 0.85, "high": 0.95},
                "abandonment": {"mean": 0.02, "low": 0.01, "high": 0.03},
                "erlang_service_level": {"mean": 0.8, "low": 0.7, "high": 0.9},
                "erlang_abandonment": {"mean": 0.02, "low": 0.01, "high": 0.03},
                "converged": True,
            }
        ],
    }


def test_templates_from_plain_data_take_their_defaults() -> None:
    (plain,) = templates_from_dict([{"name": "n", "length": "PT2H"}])
    assert plain == ShiftTemplate("n", 2 * H, timedelta(0), None, None, ())
    assert plain.unit_cost == 2.0
    (full,) = templates_from_dict(
        [
            {
                "name": "early",
                "length": "PT8H",
                "earliest": "06:00",
                "latest": "08:30",
                "cost": 7.5,
                "breaks": [{"length": "PT1H", "earliest": "PT3H", "latest": "PT5H"}, {"length": 900}],
            }
        ]
    )
    assert full == ShiftTemplate(
        "early",
        8 * H,
        6 * H,
        timedelta(hours=8, minutes=30),
        7.5,
        (BreakRule(H, 3 * H, 5 * H), BreakRule(timedelta(minutes=15), timedelta(0), None)),
    )
    assert full.breaks[1].last == timedelta(0)
