"""The simulator's figures against naive references written from the docs: arrivals per rate
period against the integrated rate, the occupancy series against the run's own handlings and
the agents' shifts, the SLA series against the SLA events."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import DeskConfig
from csflow.events import Event, TicketAssigned, TicketQueued, TicketResolved
from csflow.sim import SimConfig, simulate
from csflow.sla import SlaBreached, SlaMet

_START = "2026-03-16T00:00:00+07:00"


def test_arrivals_per_period_are_poisson_with_the_integrated_rate() -> None:
    # Periods of 0, a fractional-second start, a short spike and one across midnight; two
    # days at a "lebaran" peak. Each period's count over the seeds is Poisson with mean
    # seeds x rate x length x peak; |z| < 5 fails a correct walk about once in 1.7 million.
    rates = [(0.0, 0.0), (3600.0, 20.0), (7200.5, 0.0), (9000.0, 90.0), (9900.0, 12.0)]
    sim = {
        "start": _START,
        "duration": "P2D",
        "peak": "lebaran",
        "arrivals": {"rates": [[s, r] for s, r in rates]},
        "agents": [],
        "interval": "PT6H",
    }
    config = SimConfig.from_dict(sim)
    bounds = [s for s, _ in rates] + [86_400.0]
    seeds = range(12)
    counts = [[0] * len(rates) for _ in range(2)]
    for seed in seeds:
        queued: list[Event] = []
        simulate(DeskConfig(), config, seed=seed, on_event=queued.append)
        for e in queued:
            if isinstance(e, TicketQueued):
                offset = (e.at - config.start).total_seconds()
                day, tod = divmod(offset, 86_400.0)
                k = max(i for i, b in enumerate(bounds[:-1]) if b <= tod)
                counts[int(day)][k] += 1
    for day in range(2):
        for k, (start, rate) in enumerate(rates):
            mean = len(seeds) * rate * 2.5 * (bounds[k + 1] - start) / 3600
            if mean == 0:
                assert counts[day][k] == 0
            else:
                assert abs(counts[day][k] - mean) < 5 * math.sqrt(mean), (day, k)
    total = sum(map(sum, counts))
    expected = len(seeds) * config.expected_customers()
    assert abs(total - expected) < 5 * math.sqrt(expected)


def _available(config: SimConfig) -> dict[str, list[tuple[datetime, datetime | None]]]:
    """Each agent's spans on shift and not on a break, from the docs: breaks of agent ``i``
    ``(i % waves) * gap`` late, cut at the shift's end, overlapping ones joined."""
    out: dict[str, list[tuple[datetime, datetime | None]]] = {}
    for g in config.agents:
        for i in range(g.count):
            spans = out.setdefault(f"{g.name}-{i}", [])
            lag = g.break_gap * (i % g.break_waves)
            for s in g.shifts:
                begin = config.start + s.start
                end = None if s.end is None else config.start + s.end
                cur = begin
                for b, d in sorted(s.breaks):
                    b0 = config.start + b + lag
                    b1 = b0 + d if end is None else min(b0 + d, end)
                    if end is not None and b0 >= end:
                        continue
                    if b0 > cur:
                        spans.append((cur, b0))
                    cur = max(cur, b1)
                if end is None or cur < end:
                    spans.append((cur, end))
    return out


def _overlap(a: datetime, b: datetime | None, lo: datetime, hi: datetime) -> float:
    top = hi if b is None else min(b, hi)
    return max(0.0, (top - max(a, lo)).total_seconds())


_breaks = st.lists(st.tuples(st.integers(5, 170), st.integers(1, 40)), max_size=3).map(
    lambda bs: [[f"PT{b}M", f"PT{d}M"] for b, d in bs]
)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    end=st.integers(60, 200),
    breaks=_breaks,
    waves=st.integers(1, 3),
    gap=st.integers(0, 20),
    late=st.integers(0, 90),
)
def test_the_occupancy_series_is_busy_over_available_time_per_interval(
    seed: int, end: int, breaks: list[list[str]], waves: int, gap: int, late: int
) -> None:
    breaks = [b for b in breaks if int(b[0][2:-1]) + int(b[1][2:-1]) <= end]
    sim: dict[str, Any] = {
        "start": _START,
        "duration": "PT3H",
        "arrivals": {"rates": [["00:00", 30], ["01:00", 45]]},
        "handle_time": {"default": {"exponential": "PT6M"}},
        "agents": [
            {
                "name": "a",
                "count": 3,
                "shifts": [{"start": "PT5M", "end": f"PT{end}M", "breaks": breaks}],
                "break_waves": waves,
                "break_gap": f"PT{gap}M",
            },
            {"name": "b", "count": 1, "shifts": [{"start": f"PT{late}M"}]},
        ],
        "interval": "PT25M",
    }
    config = SimConfig.from_dict(sim)
    events: list[Event] = []
    result = simulate(DeskConfig(), config, seed=seed, on_event=events.append)
    taken: dict[str, tuple[datetime, str]] = {}
    handlings = []
    for e in events:
        if isinstance(e, TicketAssigned):
            taken[e.ticket_id] = (e.at, e.agent_id)
        elif isinstance(e, TicketResolved):
            since, agent = taken.pop(e.ticket_id)
            handlings.append((agent, since, e.at))
    assert not taken  # every phone ticket taken is resolved by the end of the drain
    spans = _available(config)
    horizon = config.start + config.duration
    last = max((b for _, _, b in handlings), default=config.start)
    # The measured time ends at the horizon, or at the end of the drain's last busy interval.
    rows = -(-(max(last, horizon) - config.start) // config.interval)
    assert len(result.occupancy_series) == rows
    measured_end = config.start + rows * config.interval if last > horizon else horizon
    for k, (at, occupancy) in enumerate(result.occupancy_series):
        lo = config.start + k * config.interval
        hi = min(lo + config.interval, measured_end)
        assert at == lo
        busy = off = 0.0
        for agent, a, b in handlings:
            part = _overlap(a, b, lo, hi)
            on = sum(
                _overlap(max(a, s0), b if s1 is None else min(b, s1), lo, hi)
                for s0, s1 in spans[agent]
                if s1 is None or s1 > a
            )
            busy += part
            off += part - on  # finishing a contact on a break or after the shift
        shift = sum(_overlap(s0, s1, lo, hi) for ss in spans.values() for s0, s1 in ss)
        if shift + off == 0:
            assert occupancy is None
        else:
            assert occupancy is not None
            assert math.isclose(occupancy, busy / (shift + off), abs_tol=1e-9), k
            assert occupancy <= 1 + 1e-12


def test_the_sla_series_counts_each_cycle_once_in_the_interval_it_is_decided() -> None:
    desk = DeskConfig.from_dict(
        {
            "calendars": {"24x7": {"timezone": "Asia/Jakarta", "always_open": True}},
            "sla_policies": [
                {
                    "name": "chat",
                    "calendar": "24x7",
                    "targets": {"first_response": "PT1M", "resolution": "PT20M"},
                }
            ],
            "default_sla_policy": "chat",
        }
    )
    sim = {
        "start": _START,
        "duration": "PT2H",
        "arrivals": {"rates": [["00:00", 50]], "channels": {"chat": 1}},
        "patience": {"chat": {"exponential": "PT3M"}},
        "agents": [{"name": "a", "count": 3, "capacity": {"chat": 1}}],
        "interval": "PT15M",
        "warmup": "PT10M",
    }
    config = SimConfig.from_dict(sim)
    for seed in (1, 2, 3):
        events: list[Event] = []
        result = simulate(desk, config, seed=seed, on_event=events.append)
        bins: dict[int, list[int]] = {}
        breached: set[tuple[str, str, datetime | None]] = set()
        for e in events:
            if not isinstance(e, SlaMet | SlaBreached):
                continue
            key = (e.ticket_id, str(e.metric), e.cycle_start)
            k = (e.at - config.start) // config.interval
            if isinstance(e, SlaBreached):
                if key not in breached:
                    breached.add(key)
                    bins.setdefault(k, [0, 0])[1] += 1
            elif not e.breached and key not in breached:
                bins.setdefault(k, [0, 0])[0] += 1
        rows = {
            (row.start - config.start) // config.interval: [row.met, row.breached]
            for row in result.sla_series
        }
        assert len(rows) >= 8  # every interval of the horizon has its row
        assert {k: v for k, v in rows.items() if v != [0, 0]} == bins
        assert sum(m + b for m, b in bins.values()) == result.report.sla.met + (
            result.report.sla.breached
        )
        assert all(v for v in bins.values())
        assert timedelta(0) < config.interval
