"""What a run measures as it goes: occupancy per interval, and the customers in the progress
callback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from csflow import DeskConfig
from csflow.sim import AgentGroup, Arrivals, Shift, SimConfig, mmc_scenario, run_scenario, simulate

_START = datetime(2026, 3, 16, tzinfo=UTC)


def test_occupancy_per_interval_matches_the_offered_load() -> None:
    # M/M/10 at 8 Erlang: agents are busy 80 % of the time in every interval of the steady
    # state, and never more than all the time.
    aht = timedelta(minutes=6)
    sc = mmc_scenario(10, 8.0, aht, customers=2400, seed=3)
    result = run_scenario(sc)
    series = result.occupancy_series
    _, sim = sc.configs()
    assert [at for at, _ in series][:3] == [sim.start + k * sim.interval for k in range(3)]
    assert all(v is not None and 0.0 <= v <= 1.0 for _, v in series)
    # While customers arrive (2400 at 80 an hour: 30 hours), the mean is the load per agent.
    busy = [v for at, v in series if at < sim.start + timedelta(hours=29)]
    assert all(v is not None for v in busy)
    mean = sum(v for v in busy if v is not None) / len(busy)
    assert abs(mean - 0.8) < 0.06
    # After the last customer, the agents idle.
    assert series[-1][1] == 0.0


def test_occupancy_is_none_where_no_agent_is_on_shift_and_counts_capacity_slots() -> None:
    # Two agents on for the first hour only, each holding two chats: in the second hour no
    # agent is on shift, only finishing the chats it held at the shift's end (time that counts
    # as available: busy), and the first hour's busy time is over four chat slots.
    cfg = SimConfig(
        start=_START,
        duration=timedelta(hours=2),
        arrivals=Arrivals.constant(40, channels={"chat": 1}),
        agents=[
            AgentGroup(
                "a", 2, capacity={"chat": 2}, shifts=[Shift(timedelta(0), timedelta(hours=1))]
            )
        ],
        interval=timedelta(hours=1),
    )
    result = simulate(DeskConfig(), cfg, seed=2)
    (first, one), (second, two) = result.occupancy_series
    assert (first, second) == (_START, _START + timedelta(hours=1))
    assert two == 1.0
    assert one is not None
    assert 0.5 < one <= 1.0  # 40 chats an hour of 6 minutes: 4 Erlang
    other = simulate(DeskConfig(), cfg, seed=2)
    assert other.occupancy_series == result.occupancy_series  # deterministic


def test_progress_reports_the_customers_so_far_and_the_old_form_still_works() -> None:
    cfg = SimConfig(
        start=_START,
        duration=timedelta(hours=10),
        arrivals=Arrivals.constant(300),
        agents=[AgentGroup("a", 40)],
    )
    seen: list[tuple[float, int]] = []

    def both(fraction: float, customers: int) -> None:
        seen.append((fraction, customers))

    result = simulate(DeskConfig(), cfg, seed=4, progress=both)
    assert len(seen) > 2
    assert seen[-1] == (1.0, result.customers)
    assert [c for _, c in seen] == sorted(c for _, c in seen)
    assert 0 < seen[0][1] < result.customers
    fractions: list[float] = []
    simulate(DeskConfig(), cfg, seed=4, progress=fractions.append)
    assert fractions == [f for f, _ in seen]
