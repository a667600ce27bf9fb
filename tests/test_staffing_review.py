"""Worked examples from the staffing acceptance review: quiet intervals in a verified plan,
roster instants on a DST day, and Erlang A with a patience beyond reason."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from csflow.errors import ConfigError
from csflow.staffing import erlang_a, erlang_c, staffing_plan
from csflow.staffing.roster import cover
from csflow.staffing.shifts import ShiftTemplate
from csflow.staffing.verify import verify_plan

_T0 = datetime(2026, 3, 16, tzinfo=UTC)
_HALF = timedelta(minutes=30)
_SIM: dict[str, Any] = {
    "arrivals": {"channels": {"phone": 1}},
    "handle_time": {"default": {"exponential": "PT6M"}},
    "agents": [{"name": "a", "capacity": {"phone": 1}}],
}
_QUIET_THEN_BUSY = staffing_plan(
    [(_T0, _HALF, 0), (_T0 + _HALF, _HALF, 20)], timedelta(minutes=6), timedelta(seconds=20), 0.8
)


def test_a_quiet_interval_verifies_at_zero_agents() -> None:
    # Nobody arrives in the first half hour, so Erlang asks for nobody: verify_plan refused the
    # plan, naming an 'agents' argument the caller never passed ("got None").
    plan = _QUIET_THEN_BUSY
    assert [r.agents for r in plan.intervals] == [0, 7]
    with ThreadPoolExecutor(1) as pool:
        verified = verify_plan(plan, {}, _SIM, seeds=(1,), executor=pool)
    quiet, busy = verified.intervals
    assert (quiet.erlang_agents, quiet.agents, quiet.converged) == (0, 0, True)
    assert (quiet.service_level.mean, quiet.abandonment.mean) == (1.0, 0.0)
    assert (busy.erlang_agents, busy.agents >= 1) == (7, True)
    # A caller's own plan may say 0 for the quiet interval too.
    with ThreadPoolExecutor(1) as pool:
        again = verify_plan(plan, {}, _SIM, agents=[0, 7], seeds=(1,), executor=pool)
    assert again.to_dict() == verified.to_dict()


@pytest.mark.parametrize(
    ("agents", "shown"),
    [([0, 0], r"\[0, 0\]"), ([1], r"\[1\]"), ("07", r"'07'"), ([0, True], r"\[0, True\]")],
)
def test_bad_starting_agents_are_named_as_the_caller_passed_them(
    agents: object, shown: str
) -> None:
    # 0 agents where customers are expected is refused; the message shows what was passed.
    with pytest.raises(
        ConfigError,
        match=r"'agents' must hold one int >= 1 per plan interval "
        r"\(2\), or 0 for an interval that expects no arrivals, got " + shown,
    ):
        verify_plan(_QUIET_THEN_BUSY, {}, _SIM, agents=agents, seeds=(1,))  # type: ignore[arg-type]


_NY = ZoneInfo("America/New_York")
_HOUR = timedelta(hours=1)


def _dst_day_plan() -> Any:
    # 8 March 2026 in New York has 23 hours: the clocks jump from 02:00 EST to 03:00 EDT.
    day = datetime(2026, 3, 8, tzinfo=_NY).astimezone(UTC)
    forecast = [((day + i * _HOUR).astimezone(_NY), _HOUR, 50) for i in range(23)]
    return staffing_plan(forecast, timedelta(minutes=6), timedelta(seconds=20), 0.8)


def test_roster_instants_on_a_dst_day_are_the_plans() -> None:
    plan = _dst_day_plan()
    assert plan.intervals[6].start.isoformat() == "2026-03-08T07:00:00-04:00"
    templates = [
        ShiftTemplate("early", 9 * _HOUR, 6 * _HOUR, 6 * _HOUR),
        ShiftTemplate("a", 8 * _HOUR, timedelta(0), timedelta(0)),
        ShiftTemplate("b", 9 * _HOUR, 15 * _HOUR, 15 * _HOUR),
    ]
    roster = cover(plan, templates)
    data = roster.to_dict()
    # Every interval's instant is the plan's (it was an hour early from 02:00 on).
    assert [i["start"] for i in data["intervals"]] == [r.start.isoformat() for r in plan.intervals]
    # An 8-hour shift from midnight EST ends 8 real hours later, 09:00 EDT (it said 08:00).
    rows = {r["shift"]: r for r in data["rows"]}
    assert (rows["a"]["start"], rows["a"]["end"]) == (
        "2026-03-08T00:00:00-05:00",
        "2026-03-08T09:00:00-04:00",
    )
    # Windows are local clock times, also after the change: "early" at 06:00 EDT, "b" at
    # 15:00 EDT, and "b" ends with the plan's last interval, at the next midnight.
    assert rows["early"]["start"] == "2026-03-08T06:00:00-04:00"
    assert rows["b"]["start"] == "2026-03-08T15:00:00-04:00"
    assert rows["b"]["end"] == plan.intervals[-1].end.isoformat() == "2026-03-09T00:00:00-04:00"
    for r in data["rows"]:
        length = datetime.fromisoformat(r["end"]) - datetime.fromisoformat(r["start"])
        assert length == {"a": 8, "early": 9, "b": 9}[r["shift"]] * _HOUR
    # The text table agrees: "a" from Sun 00:00 to Sun 09:00.
    assert any(
        line.split()[:5] == ["a", "Sun", "00:00-0500", "Sun", "09:00-0400"]
        for line in roster.table()
    )


def test_erlang_a_refuses_a_patience_beyond_reason_at_once() -> None:
    # Overloaded (5 agents, 10 Erlang) with a patience of 999,999,999 days: the series of terms
    # to sum spans millions; this took about a minute.
    aht, target = timedelta(minutes=6), timedelta(seconds=20)
    began = time.perf_counter()
    with pytest.raises(ConfigError, match=r"more than 3,000,000 terms"):
        erlang_a(5, 10.0, aht, timedelta(days=999_999_999), target)
    with pytest.raises(ConfigError, match=r"with 1 agent on 1e\+07 Erlangs"):
        erlang_a(1, 1e7, aht, timedelta(days=365), target)
    assert time.perf_counter() - began < 5.0
    # With more agents than load the terms fall fast: still answered, and it is Erlang C.
    res = erlang_a(20, 10.0, aht, timedelta(days=999_999_999), target)
    assert res.probability_of_waiting == pytest.approx(erlang_c(20, 10.0), rel=1e-9)
    assert res.probability_of_abandonment < 1e-12
    # A long but reasonable patience on a critically loaded queue is unaffected.
    assert erlang_a(10, 10.0, aht, timedelta(days=100_000), target).service_level is not None
