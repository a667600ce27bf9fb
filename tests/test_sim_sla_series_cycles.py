"""The simulator's SLA series counts each SLA cycle once, as its report and ``summarize`` do,
when an escalation takes a metric's target away and gives it back (two clocks, one cycle)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs

from csflow.desk import DeskConfig
from csflow.metrics import Attainment, summarize
from csflow.policies import Escalation, PolicyContext, PolicyResult
from csflow.sim import AgentGroup, Arrivals, SimConfig, simulate
from csflow.sla import Metric, SlaBreached

T0 = datetime(2026, 3, 16, tzinfo=UTC)


def _escalate(ctx: PolicyContext, /) -> PolicyResult[Escalation]:
    # A breached first response makes the ticket high (no first-response target: cancelled);
    # a breached resolution makes it urgent (the first-response target is back, same cycle).
    if ctx.event == "breach" and ctx.metric == "first_response":
        return PolicyResult(Escalation(priority="high"), "first response late")
    if ctx.event == "breach" and ctx.metric == "resolution":
        return PolicyResult(Escalation(priority="urgent"), "resolution late")
    return PolicyResult(Escalation(), "on time")  # empty: nothing to do


def test_a_cycle_whose_target_comes_back_is_one_in_the_series() -> None:
    base = DeskConfig.from_dict(
        {
            "calendars": {"24x7": {"timezone": "UTC", "always_open": True}},
            "sla_policies": [
                {
                    "name": "p",
                    "calendar": "24x7",
                    "targets": {
                        "first_response": {"normal": "PT1M", "urgent": "PT1M"},
                        "resolution": {"high": "PT2M"},
                    },
                }
            ],
            "default_sla_policy": "p",
            "recalculation": "keep_elapsed",
        }
    )
    config = attrs.evolve(base, escalation_policy=_escalate)
    events: list[object] = []
    scenario = SimConfig(
        start=T0,
        duration=timedelta(hours=1),
        arrivals=Arrivals.constant(120),
        agents=[AgentGroup("a", 1)],
    )
    result = simulate(config, scenario, seed=3, on_event=events.append)
    series = Attainment(
        met=sum(s.met for s in result.sla_series),
        breached=sum(s.breached for s in result.sla_series),
    )
    assert series == result.report.sla == summarize(events).sla
    # The story happened: first-response clocks breached twice in one cycle.
    breaches = [
        e for e in events if isinstance(e, SlaBreached) and e.metric is Metric.FIRST_RESPONSE
    ]
    cycles = {(e.ticket_id, e.cycle_start) for e in breaches}
    assert len(breaches) > len(cycles) > 0
