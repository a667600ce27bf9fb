"""A run that stops a year after the horizon with handlings still going on: the report's
observation ends at the stop, so its handle time counts those handlings up to it (as the
occupancy series does), not up to the last event, which may lie before the horizon.

The drain's length is written out (365 days): it is the documented contract.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import DeskConfig
from csflow.events import Event, TicketAssigned, TicketQueued
from csflow.metrics import summarize
from csflow.sim import AgentGroup, Arrivals, Shift, SimConfig, simulate

_START = datetime(2026, 3, 16, tzinfo=UTC)
_DRAIN = timedelta(days=365)


@attrs.frozen
class _Endless:
    """A handle time of the caller's own that never ends (it ends after the stop)."""

    def sample(self, rng: random.Random, /) -> float:
        return math.inf

    def mean_seconds(self) -> float:
        return 600.0


def _config(agents: int, hours: int, per_hour: float) -> SimConfig:
    return SimConfig(
        start=_START,
        duration=timedelta(hours=hours),
        arrivals=Arrivals.constant(per_hour),
        agents=[AgentGroup("a", agents, shifts=[Shift()])],
        handle_time={"default": _Endless()},
        interval=timedelta(hours=1),
    )


def test_one_agent_busy_from_its_first_customer_to_the_stop() -> None:
    # One agent on all the time, a customer an hour for ten hours, handlings that never end:
    # the agent takes the first customer at t1 and holds it until the run stops, a year after
    # the horizon; everyone else waits.  By hand: the report observes until the stop, its
    # handle time is stop - t1, and its occupancy that over itself plus the agent's idle time
    # in the window, t1 - start.
    seen: list[Event] = []
    result = simulate(DeskConfig(), _config(1, 10, 1.0), seed=1, on_event=seen.append)
    stop = _START + timedelta(hours=10) + _DRAIN
    t1 = next(e.at for e in seen if isinstance(e, TicketAssigned))
    report = result.report
    assert report.answered == 1
    assert report.waiting == result.customers - 1 > 0
    assert report.end == stop
    assert report.handle_time == stop - t1
    assert report.available == stop - _START
    assert report.occupancy == (stop - t1) / (stop - _START)
    # The occupancy series counts the same busy time, up to the stop.
    busy = sum((rate or 0.0) * 3600 for _, rate in result.occupancy_series)
    assert busy == pytest.approx((stop - t1).total_seconds(), rel=1e-12)
    # The event stream observed until the report's end is the report.
    stream = summarize(seen, until=report.end, service_target=result.report.service_target)
    assert attrs.evolve(stream, available=report.available) == report


@settings(max_examples=12)
@given(
    agents=st.integers(1, 3),
    hours=st.integers(1, 6),
    per_hour=st.sampled_from([0.5, 2.0, 6.0]),
    seed=st.integers(0, 2**16),
)
def test_every_endless_handling_counts_up_to_the_stop(
    agents: int, hours: int, per_hour: float, seed: int
) -> None:
    # The first `agents` customers are taken at their arrival and held to the stop: the
    # report's handle time is the sum of stop - arrival over them, whatever the horizon.
    seen: list[Event] = []
    result = simulate(
        DeskConfig(), _config(agents, hours, per_hour), seed=seed, on_event=seen.append
    )
    arrivals = [e.at for e in seen if isinstance(e, TicketQueued)]
    taken = arrivals[:agents]
    report = result.report
    if not taken:
        assert report.handle_time == timedelta(0)
        return
    stop = _START + timedelta(hours=hours) + _DRAIN
    assert report.end == stop
    assert report.answered == len(taken)
    assert report.handle_time == sum((stop - t for t in taken), timedelta(0))
    # Busy all the time from their first customer on: occupancy is the busy time over itself
    # plus the idle time before each agent's first customer (agents without one idle
    # all through the window).
    idle = sum((t - _START for t in taken), timedelta(0))
    idle += (agents - len(taken)) * timedelta(hours=hours)
    assert report.available == report.handle_time + idle
