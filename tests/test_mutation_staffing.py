"""Staffing promises a mutation sample found unasserted (``make mutation``, staffing).

The plain-data forms are given whole (a renamed key is a broken wire format); the defaults of
shift templates read from plain data; refusals with their whole message and path.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from csflow.errors import ConfigError
from csflow.staffing import (
    agents_for_service_level,
    average_speed_of_answer,
    erlang_a,
    erlang_b,
    erlang_c,
    service_level,
    staffing_plan,
)
from csflow.staffing.roster import cover
from csflow.staffing.shifts import BreakRule, ShiftTemplate, templates_from_dict
from csflow.staffing.verify import Estimate, VerifiedInterval, VerifiedPlan, verify_plan
from test_staffing_erlang_a import assert_matches, birth_death

H = timedelta(hours=1)
T0 = datetime(2026, 3, 2, tzinfo=UTC)
S = timedelta(seconds=1)
ONE = ShiftTemplate("one", H, latest=3 * H)
PLAN = staffing_plan([(T0, H, 10.0), (T0 + H, H, 10.0)], 300 * S, 20 * S, 0.8)
GAP = staffing_plan([(T0, H, 10.0), (T0 + 2 * H, H, 10.0)], 300 * S, 20 * S, 0.8)


def test_a_roster_as_plain_data() -> None:
    day = ShiftTemplate("day", 3 * H, latest=2 * H, breaks=[BreakRule(H, H, H)])
    assert cover([1, 2, 1, 1], [day], interval=H).to_dict() == {
        "interval": 3600.0,
        "origin": None,
        "wraps": False,
        "cost": 6.0,
        "agents": 2,
        "shortfall": 1,
        "gap": 0.0,
        "rows": [
            {
                "shift": "day",
                "start": 0.0,
                "end": 10800.0,
                "breaks": [[3600.0, 7200.0]],
                "agents": 1,
            },
            {
                "shift": "day",
                "start": 3600.0,
                "end": 14400.0,
                "breaks": [[7200.0, 10800.0]],
                "agents": 1,
            },
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
                "breaks": [
                    {"length": "PT1H", "earliest": "PT3H", "latest": "PT5H"},
                    {"length": 900},
                ],
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


REFUSED: list[tuple[Callable[[], object], str]] = [
    (lambda: erlang_b(True, 1.0), "'agents' must be a non-negative int, got True"),
    (lambda: erlang_b(-1, 1.0), "'agents' must be a non-negative int, got -1"),
    (lambda: erlang_b(1, -1.0), "'load' must be a finite number >= 0, got -1.0"),
    (lambda: erlang_b(1, float("nan")), "'load' must be a finite number >= 0, got nan"),
    (lambda: erlang_b(1, 1e8), "'load' must be at most 1e+07 Erlangs, got 100000000.0"),
    (lambda: erlang_c(1.5, 1.0), "'agents' must be a non-negative int, got 1.5"),  # type: ignore[arg-type]
    (lambda: service_level(2, 1.0, "PT1M", S), "'aht' must be a datetime.timedelta, got 'PT1M'"),  # type: ignore[arg-type]
    (
        lambda: service_level(2, 1.0, 0 * S, S),
        "'aht' must be a positive timedelta, got datetime.timedelta(0)",
    ),
    (
        lambda: service_level(2, 1.0, S, -S),
        "'target' must be a non-negative timedelta, got datetime.timedelta(days=-1, seconds=86399)",
    ),
    (
        lambda: average_speed_of_answer(2, 2.0, S),
        "the queue is unstable with agents=2 <= load=2.0 Erlangs: waits grow without bound, so the average speed of answer is infinite; staff more than 2.0 agents",
    ),
    (
        lambda: agents_for_service_level(1.0, S, S, 1.0),
        "'level' must be a number strictly between 0 and 1, got 1.0",
    ),
    (
        lambda: agents_for_service_level(1.0, S, S, 0),
        "'level' must be a number strictly between 0 and 1, got 0",
    ),
    (
        lambda: erlang_a(0, 1.0, S, S),
        "'agents' must be at least 1 when load > 0 (load=1.0): with 0 agents no arrival is ever answered, got 0",
    ),
    (lambda: staffing_plan(5, S, S, 0.5), "'intervals' must be an iterable of intervals, got 5"),  # type: ignore[arg-type]
    (
        lambda: staffing_plan([(T0, H, -1)], S, S, 0.5),
        "intervals[0]: 'arrivals' must be a finite number of expected arrivals >= 0, got -1",
    ),
    (
        lambda: staffing_plan([(T0, 2 * 24 * H, 1)], S, S, 0.5),
        "intervals[0]: 'duration' must be at most 26 hours (the longest local day), got datetime.timedelta(days=2)",
    ),
    (
        lambda: staffing_plan([(T0, H, 1), (T0, H, 1)], S, S, 0.5),
        "intervals[1]: intervals must be in time order without overlap: starts at datetime.datetime(2026, 3, 2, 0, 0, tzinfo=datetime.timezone.utc), before the previous interval ends at datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.timezone.utc)",
    ),
    (
        lambda: staffing_plan([5], S, S, 0.5),  # type: ignore[list-item]
        "intervals[0]: expected a ForecastInterval or a (start, duration, arrivals) tuple, got 5",
    ),
    (
        lambda: staffing_plan([(T0, H, 1)], S, S, 0.5, shrinkage=1.0),
        "'shrinkage' must be a number in [0, 1), got 1.0",
    ),
    (
        lambda: staffing_plan([(T0, H, 1)], S, S, 0.5, multiplier=0),
        "'multiplier' must be a finite number > 0, got 0",
    ),
    (
        lambda: staffing_plan([(T0, H, 1e12)], S, S, 0.5),
        "intervals[0]: the load must be at most 1e+07 Erlangs, got 277777777.7777778",
    ),
    (
        lambda: staffing_plan([(datetime(9999, 12, 31, 23, 30, tzinfo=UTC), H, 1)], S, S, 0.5),
        "intervals[0]: the interval must end by the year 9999, got start datetime.datetime(9999, 12, 31, 23, 30, tzinfo=datetime.timezone.utc)",
    ),
    (
        lambda: cover("ab", [ONE], interval=H),  # type: ignore[arg-type]
        "'requirements' must be a sequence of agent counts, got 'ab'",
    ),
    (
        lambda: cover([1, True], [ONE], interval=H),
        "requirements[1]: expected a whole number of agents, got True",
    ),
    (
        lambda: cover([1, 1.5], [ONE], interval=H),  # type: ignore[list-item]
        "requirements[1]: expected a whole number of agents, got the fraction 1.5",
    ),
    (
        lambda: cover([1, -1], [ONE], interval=H),
        "requirements[1]: expected a number of agents >= 0, got -1",
    ),
    (
        lambda: cover([], [ONE], interval=H),
        "'requirements' must have at least one interval, got none",
    ),
    (lambda: cover([1], [ONE], interval=H, wraps=1), "'wraps' must be True or False, got 1"),  # type: ignore[arg-type]
    (
        lambda: cover([1], [], interval=H),
        "'templates' must be a non-empty sequence of templates, got []",
    ),
    (lambda: cover([1], [5], interval=H), "templates[0]: expected a ShiftTemplate, got 5"),  # type: ignore[list-item]
    (
        lambda: cover([1, 1], [ONE, ONE], interval=H),
        "templates[1]: template names must be unique, 'one' repeats",
    ),
    (
        lambda: cover([1], [ShiftTemplate("two", 2 * H)], interval=H),
        "templates[0]: template 'two' lasts datetime.timedelta(seconds=7200), longer than the horizon of 1 x datetime.timedelta(seconds=3600)",
    ),
    (
        lambda: cover([1], [ShiftTemplate("half", H / 2)], interval=H),
        "templates[0]: template 'half''s length must be a whole number of datetime.timedelta(seconds=3600) intervals, got datetime.timedelta(seconds=1800)",
    ),
    (
        lambda: cover([1, 1, 1], [ShiftTemplate("two", 2 * H, earliest=2 * H)], interval=H),
        "templates[0]: template 'two' has no start in its window from which a datetime.timedelta(seconds=7200) shift fits in the horizon of 3 x datetime.timedelta(seconds=3600)",
    ),
    (
        lambda: cover([0, 1], [ShiftTemplate("first", H)], interval=H),
        "requirements[1]: interval 1 (from 1:00:00 after the start) needs 1 agents but no shift template covers it",
    ),
    (
        lambda: cover(GAP, [ONE]),
        "requirements.intervals[1]: a plan to roster needs equal intervals back to back, got datetime.datetime(2026, 3, 2, 0, 0, tzinfo=datetime.timezone.utc)+datetime.timedelta(seconds=3600) then datetime.datetime(2026, 3, 2, 2, 0, tzinfo=datetime.timezone.utc)+datetime.timedelta(seconds=3600)",
    ),
    (
        lambda: cover(PLAN, [ONE], interval=2 * H),
        "'interval' datetime.timedelta(seconds=7200) differs from the plan's datetime.timedelta(seconds=3600)",
    ),
    (lambda: ShiftTemplate("", H), "'name' must be a non-empty string, got ''"),
    (
        lambda: ShiftTemplate("a", 0 * S),
        "'length' must be a positive timedelta, got datetime.timedelta(0)",
    ),
    (
        lambda: ShiftTemplate("a", H, earliest=-H),
        "'earliest' must be a non-negative timedelta, got datetime.timedelta(days=-1, seconds=82800)",
    ),
    (
        lambda: ShiftTemplate("a", H, earliest=H, latest=0 * S),
        "'latest' must be at or after 'earliest' and less than a day after it, got datetime.timedelta(seconds=3600) .. datetime.timedelta(0)",
    ),
    (lambda: ShiftTemplate("a", H, cost=-1), "'cost' must be a finite number >= 0, got -1"),
    (lambda: ShiftTemplate("a", H, cost=True), "'cost' must be a finite number >= 0, got True"),
    (lambda: ShiftTemplate("a", H, breaks=[5]), "breaks[0]: expected a BreakRule, got 5"),  # type: ignore[list-item]
    (
        lambda: templates_from_dict([{"name": "a", "length": "PT1H", "earliest": "25:61"}]),
        "templates[0].earliest: expected a time of day 'HH:MM', got '25:61'",
    ),
    (
        lambda: templates_from_dict([{"name": "a", "length": "PT1H", "bogus": 1}]),
        "templates[0]: unknown key 'bogus'; expected one of ['breaks', 'cost', 'earliest', 'latest', 'length', 'name']",
    ),
    (
        lambda: templates_from_dict(
            [{"name": "a", "length": "PT1H", "breaks": [{"length": "PT2H"}]}]
        ),
        "templates[0].breaks[0]: the break must end within the shift of datetime.timedelta(seconds=3600), but it may start at datetime.timedelta(0) and lasts datetime.timedelta(seconds=7200)",
    ),
    (lambda: verify_plan(PLAN, {}, 5), "simulation: expected a mapping, got 5"),  # type: ignore[arg-type]
    (
        lambda: verify_plan(PLAN, {}, {"warmup": "PT1H"}),
        "simulation.warmup: 'warmup' is set per interval by verify_plan; leave it out of the template",
    ),
    (lambda: verify_plan(5, {}, {}), "'plan' must be a StaffingPlan, got 5"),  # type: ignore[arg-type]
    (
        lambda: ShiftTemplate("a", H, latest=-H),
        "'latest' must be a non-negative timedelta, got datetime.timedelta(days=-1, seconds=82800)",
    ),
    (
        lambda: cover([1, 1], [ShiftTemplate("a", H, latest=H / 2)], interval=H),
        "templates[0]: 'latest' must be a whole number of datetime.timedelta(seconds=3600) "
        "intervals, got datetime.timedelta(seconds=1800)",
    ),
]


@pytest.mark.parametrize(("call", "message"), REFUSED)
def test_every_refusal_names_the_argument_the_value_and_the_path(
    call: Callable[[], object], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        call()
    assert str(caught.value) == message


def test_a_plan_with_unequal_intervals_back_to_back_cannot_be_rostered() -> None:
    uneven = staffing_plan([(T0, H, 10.0), (T0 + H, 2 * H, 10.0)], 300 * S, 20 * S, 0.8)
    with pytest.raises(ConfigError, match=r"^requirements\.intervals\[1\]: a plan to roster needs"):
        cover(uneven, [ONE])


def test_an_estimate_over_31_and_32_seeds_uses_students_t_for_their_degrees_of_freedom() -> None:
    # t(0.975, 30) = 2.0422724563, t(0.975, 31) = 2.0395134464 (not the normal 1.96).
    for values, t in (
        ([0.4, 0.6] * 15 + [0.5], 2.0422724563012378),
        ([0.4, 0.6] * 16, 2.039513446396408),
    ):
        half = t * statistics.stdev(values) / math.sqrt(len(values))
        got = Estimate.of(values)
        assert got.mean == pytest.approx(0.5, abs=1e-15)
        assert got.low == pytest.approx(0.5 - half, rel=1e-12)
        assert got.high == pytest.approx(0.5 + half, rel=1e-12)
    assert Estimate.of([0.3]) == Estimate(0.3, 0.3, 0.3)


@pytest.mark.parametrize(
    ("n", "load", "patience"), [(1, 300.0, 60.0), (2, 400.0, 30.0), (3, 500.0, 120.0)]
)
def test_erlang_a_overloaded_with_short_patience_matches_the_chain(
    n: int, load: float, patience: float
) -> None:
    # Few agents and a patience near the handle time: the series for the abandonment starts
    # far up its terms, from a digamma difference at small arguments.
    res = erlang_a(n, load, 60 * S, patience * S, 20 * S)
    assert_matches(res, birth_death(n, load, 60.0, patience, 20.0), rel=1e-9)
