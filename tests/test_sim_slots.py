"""The simulator counts an agent's slots under the desk's own capacity rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from csflow import DeskConfig
from csflow.lowlevel import CapacityRules
from csflow.sim import AgentGroup, Arrivals, SimConfig, simulate


@pytest.mark.parametrize(
    ("rules", "slots"),
    [
        (CapacityRules(), 4),  # two chats and two e-mails at once
        (CapacityRules(limits={"chat": 1, "email": 1}), 2),
        (CapacityRules(budget=3), 3),
    ],
)
def test_an_overloaded_desk_reads_full_under_its_own_capacity_rules(
    rules: CapacityRules, slots: int
) -> None:
    group = AgentGroup("a", 3, capacity={"chat": 2, "email": 2})
    assert group.slots(rules) == slots
    config = SimConfig(
        start=datetime(2026, 3, 16, tzinfo=UTC),
        duration=timedelta(hours=4),
        arrivals=Arrivals.constant(400, channels=[("chat", 1), ("email", 1)]),
        agents=[group],
    )
    result = simulate(DeskConfig(capacity=rules), config, seed=1)
    # Far more work than the agents can take: every slot busy all the time, never more.
    assert result.report.occupancy is not None
    assert 0.95 < result.report.occupancy <= 1.0
    assert all(o is None or o <= 1.0 for _, o in result.occupancy_series)
