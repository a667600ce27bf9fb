"""The simulator folds its report in as the run goes, and forgets what it no longer needs.

Laws: the report is exactly :func:`csflow.metrics.summarize` over the events the run counted
(streamed through ``on_event``); at the end of a run the desk knows only open tickets.
"""

from __future__ import annotations

import itertools
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import csflow.sim.engine
from csflow import Desk, DeskConfig, Summarizer, TicketStatus, summarize
from csflow.errors import ConfigError
from csflow.events import Event, TicketClosed
from csflow.sim import Scenario, run_scenario, simulate
from desks import FRONT_AND_BACK

_DESK: dict[str, Any] = FRONT_AND_BACK
_SLA: dict[str, Any] = {
    "calendars": {
        "office": {
            "timezone": "Asia/Jakarta",
            "weekly": {d: [["06:30", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
        }
    },
    "sla_policies": [
        {
            "name": "standard",
            "calendar": "office",
            "targets": {"first_response": "PT1M", "resolution": "PT20M"},
        }
    ],
    "default_sla_policy": "standard",
}


def _sim(agents: int, patience: bool, escalate: float, warmup: int, brk: bool) -> dict[str, Any]:
    front: dict[str, Any] = {
        "name": "front",
        "count": agents,
        "capacity": {"chat": 2, "email": 1},
        "teams": ["front"],
    }
    if brk:
        front["shifts"] = [{"start": 0, "end": "PT2H", "breaks": [["PT30M", "PT15M"]]}]
    sim: dict[str, Any] = {
        "start": "2026-03-16T06:00:00+07:00",
        "duration": 5400,
        "arrivals": {
            "rates": [["00:00", 100], ["06:30", 160]],
            "channels": {"chat": 3, "email": 1},
            "tiers": {"gold": 1, "regular": 3},
            "categories": {"billing": 1, "delivery": 2},
        },
        "handle_time": {"default": {"exponential": 300}, "email": {"lognormal": {"mean": 500}}},
        "escalations": [{"category": "billing", "team": "back", "probability": escalate}],
        "agents": [
            front,
            {"name": "back", "count": 1, "capacity": {"chat": 1, "email": 1}, "teams": ["back"]},
        ],
        "warmup": warmup,
        "interval": "PT15M",
    }
    if patience:
        sim["patience"] = {"chat": {"exponential": 200}}
    return sim


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    agents=st.integers(1, 6),
    patience=st.booleans(),
    escalate=st.sampled_from([0.0, 0.3, 1.0]),
    warmup=st.sampled_from([0, 900]),
    brk=st.booleans(),
    sla=st.booleans(),
)
def test_the_folded_report_is_summarize_over_the_counted_events(
    seed: int, agents: int, patience: bool, escalate: float, warmup: int, brk: bool, sla: bool
) -> None:
    desk = _DESK | _SLA if sla else _DESK
    sc = Scenario("fold", desk, _sim(agents, patience, escalate, warmup, brk), seed)
    desk_config, sim_config = sc.configs()
    seen: list[Event] = []
    result = simulate(desk_config, sim_config, seed=seed, on_event=seen.append)
    expected = summarize(seen, service_target=sim_config.service_target)
    assert result.report == attrs.evolve(expected, available=result.report.available)
    # The stream is in time order and its closes are the simulator forgetting resolved work.
    assert all(a.at <= b.at for a, b in itertools.pairwise(seen))
    assert result.report.resolved == sum(type(e) is TicketClosed for e in seen)


def test_the_desk_holds_only_open_work_as_the_run_goes(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[Desk] = []

    def build(config: DeskConfig) -> Desk:
        made.append(Desk(config))
        return made[-1]

    monkeypatch.setattr(csflow.sim.engine, "Desk", build)
    gone = (TicketStatus.SOLVED, TicketStatus.CLOSED, TicketStatus.ABANDONED)
    held: list[int] = []

    def look(_fraction: float, customers: int) -> None:
        # Every ticket the desk still knows is open work, and there is far less of it than
        # the customers so far (a desk that never forgot would know every one).
        desk = made[0]
        states = [desk.ticket(t).state for t in desk.tickets()]
        assert not [s for s in states if s in gone]
        held.append(len(states))
        assert len(states) < customers // 2

    sim = _sim(6, True, 0.3, 0, False)
    sim["duration"] = 10 * 3600
    result = run_scenario(Scenario("forget", _DESK | _SLA, sim, 3), progress=look)
    (desk,) = made
    assert result.report.resolved > 1000  # a run long enough for forgetting to matter
    assert len(held) >= 2
    assert max(held) > 0
    # At the end every customer was answered or gave up, and the desk holds nothing.
    assert list(desk.tickets()) == []
    assert result.customers == result.report.resolved + result.report.abandoned


def test_on_event_must_be_callable() -> None:
    sc = Scenario("bad", _DESK, _sim(1, False, 0.0, 0, False), 1)
    desk_config, sim_config = sc.configs()
    with pytest.raises(ConfigError, match="on_event must be callable, got 3"):
        simulate(desk_config, sim_config, on_event=3)  # type: ignore[arg-type]


def test_a_summarizer_reports_as_it_goes_and_reporting_changes_nothing() -> None:
    sc = Scenario("live", _DESK | _SLA, _sim(2, True, 0.3, 0, False), 9)
    desk_config, sim_config = sc.configs()
    seen: list[Event] = []
    simulate(desk_config, sim_config, seed=9, on_event=seen.append)
    live = Summarizer(sim_config.service_target)
    half = len(seen) // 2
    live.extend(seen[:half])
    assert live.events == half
    assert live.report() == summarize(seen[:half], service_target=sim_config.service_target)
    until = seen[-1].at
    assert live.report(until=until) == summarize(
        seen[:half], service_target=sim_config.service_target, until=until
    )
    live.extend(seen[half:])
    assert live.report() == summarize(seen, service_target=sim_config.service_target)
    with pytest.raises(ConfigError, match="'until' must not be before the latest event"):
        live.report(until=seen[0].at.replace(year=2020))
    with pytest.raises(ConfigError, match="expected a csflow event, got 'x'") as err:
        live.add("x")
    assert err.value.path == f"events[{len(seen)}]"
