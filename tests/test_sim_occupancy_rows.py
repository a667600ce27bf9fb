"""Every row of the occupancy series, the last one (the drain's) included, is the agents' busy
time over their time on shift within the row's span: checked against a naive reference that
rebuilds both from the events of the run."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from csflow import DeskConfig
from csflow.events import AgentPresenceChanged, Event, TicketAssigned, TicketResolved
from csflow.sim import AgentGroup, Arrivals, Shift, SimConfig, simulate
from csflow.sim.distributions import Empirical

_START = datetime(2026, 3, 16, 8, tzinfo=UTC)
_US = timedelta(microseconds=1)


def _overlap(a: int, b: int, lo: int, hi: int) -> int:
    return max(0, min(b, hi) - max(a, lo))


def _reference(
    cfg: SimConfig, events: Sequence[Event], slots: dict[str, int]
) -> list[tuple[datetime, float | None]]:
    """The occupancy series computed the slow, obvious way from the events of a run.

    Row ``k`` spans ``[start + k * interval, start + (k + 1) * interval)``, cut at the end of
    the measured time: the horizon, or, when a handling ended after it, the end of the
    interval in which the last one ended.  Its available time is each agent's time
    ``available`` within the span times the agent's capacity slots, plus the time the agent
    spent finishing a contact while not available; its busy time is the handlings' time in it.
    """

    def us(at: datetime) -> int:
        return (at - cfg.start) // _US

    presence: dict[str, list[tuple[int, str]]] = {}
    held: dict[str, tuple[str, int]] = {}
    handlings: list[tuple[str, int, int]] = []
    for e in events:
        if isinstance(e, AgentPresenceChanged):
            presence.setdefault(e.agent_id, []).append((us(e.at), e.new))
        elif isinstance(e, TicketAssigned):
            assert e.ticket_id not in held  # one handling a ticket here: no requeues
            held[e.ticket_id] = (e.agent_id, us(e.at))
        elif isinstance(e, TicketResolved):
            agent, since = held.pop(e.ticket_id)
            handlings.append((agent, since, us(e.at)))
    assert not held  # every handling ended within the run
    # Each agent's spans of time available, from its presence changes (the last one at an
    # instant decides).
    on: dict[str, list[tuple[int, int]]] = {}
    for agent, changes in presence.items():
        spans = on.setdefault(agent, [])
        for i, (t, state) in enumerate(changes):
            end = changes[i + 1][0] if i + 1 < len(changes) else 1 << 62
            if state == "available" and t < end:
                spans.append((t, end))
    step = cfg.interval // _US
    horizon = cfg.duration // _US
    last = max((b for _, _, b in handlings), default=0)
    end = horizon if last <= horizon else -(-last // step) * step
    rows = -(-end // step)
    out: list[tuple[datetime, float | None]] = []
    for k in range(rows):
        lo, hi = k * step, min((k + 1) * step, end)
        available = sum(
            slots[agent] * _overlap(a, b, lo, hi) for agent, spans in on.items() for a, b in spans
        )
        busy = 0
        for agent, a, b in handlings:
            part = _overlap(a, b, lo, hi)
            busy += part
            # Time finishing a contact while not available counts as available time too.
            on_part = sum(_overlap(max(a, s0), min(b, s1), lo, hi) for s0, s1 in on.get(agent, []))
            available += part - on_part
        out.append((cfg.start + k * cfg.interval, busy / available if available else None))
    return out


def _assert_rows_match(
    got: Sequence[tuple[datetime, float | None]], want: Sequence[tuple[datetime, float | None]]
) -> None:
    assert [at for at, _ in got] == [at for at, _ in want]
    for (at, g), (_, w) in zip(got, want, strict=True):
        assert (g is None) == (w is None), at
        if g is not None and w is not None:
            assert math.isclose(g, w, rel_tol=1e-12, abs_tol=0.0), (at, g, w)


def test_the_last_row_counts_the_agents_time_on_shift_over_its_whole_interval() -> None:
    # One agent on shift 0-2 h, 15-minute rows, one 20-minute handling from a little after
    # 08:00: the 08:15 row is busy from 08:15 until the handling ends, out of the 15 minutes
    # the agent was on shift in it -- not 1.0 (on-shift time counted only until the handling
    # ended).
    cfg = SimConfig(
        start=_START,
        duration=timedelta(minutes=15),
        arrivals=Arrivals.constant(600),
        agents=[AgentGroup("a", 1, shifts=[Shift(timedelta(0), timedelta(hours=2))])],
        handle_time={"default": Empirical([timedelta(minutes=20)])},
        max_customers=1,
        interval=timedelta(minutes=15),
    )
    events: list[Event] = []
    result = simulate(DeskConfig(), cfg, seed=3, on_event=events.append)
    assigned = next(e for e in events if isinstance(e, TicketAssigned))
    ended = assigned.at + timedelta(minutes=20)
    row = _START + timedelta(minutes=15)
    assert [at for at, _ in result.occupancy_series] == [_START, row]
    last = result.occupancy_series[-1][1]
    assert last is not None
    assert math.isclose(last, (ended - row) / timedelta(minutes=15), rel_tol=1e-12)
    assert 0.35 < last < 0.37  # 5 min 22 s of 15 min
    # The first row is unchanged: busy from the assignment to 08:15 over the 15 minutes.
    first = result.occupancy_series[0][1]
    assert first is not None
    assert math.isclose(first, (row - assigned.at) / timedelta(minutes=15), rel_tol=1e-12)
    # The report's occupancy is not the series': busy time over busy time plus the idle time
    # while the report's customers arrived (here until the only one arrived, at once taken).
    arrived = assigned.at - timedelta(seconds=assigned.waited)
    busy = timedelta(minutes=20)
    assert result.report.occupancy is not None
    assert math.isclose(result.report.occupancy, busy / (busy + (arrived - _START)), rel_tol=1e-12)


def test_a_last_row_cut_by_the_stop_counts_on_shift_time_up_to_the_stop() -> None:
    # A handling drawn longer than the run goes on until the stop (a year after the horizon):
    # the row in which the run stopped counts the time on shift up to the stop only.
    cfg = SimConfig(
        start=_START,
        duration=timedelta(minutes=10),
        arrivals=Arrivals.constant(600),
        agents=[AgentGroup("a", 1)],
        handle_time={"default": Empirical([timedelta(days=400)])},
        max_customers=1,
        interval=timedelta(days=1),
    )
    series = simulate(DeskConfig(), cfg, seed=3).occupancy_series
    assert len(series) == 366
    assert series[-1] == (_START + timedelta(days=365), 1.0)


def _minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


@st.composite
def _shifts(draw: st.DrawFn) -> list[Shift]:
    """One or two shifts in the first few hours, the last maybe open-ended, with breaks."""
    out: list[Shift] = []
    t = draw(st.integers(0, 60))
    n = draw(st.integers(1, 2))
    for i in range(n):
        start = t
        end = None if i == n - 1 and draw(st.booleans()) else start + draw(st.integers(5, 90))
        breaks = []
        for _ in range(draw(st.integers(0, 2))):
            b = draw(st.integers(start, (start + 120 if end is None else end) - 1))
            d = draw(st.integers(1, 30 if end is None else end - b))
            breaks.append((_minutes(b), _minutes(d)))
        out.append(Shift(_minutes(start), None if end is None else _minutes(end), breaks))
        if end is None:
            break
        t = end + draw(st.integers(0, 30))
    return out


@st.composite
def _configs(draw: st.DrawFn) -> SimConfig:
    """1-3 agents in one or two groups, a constant handle time, a few customers."""
    channel = draw(st.sampled_from(["phone", "chat"]))
    counts = draw(st.sampled_from([[1], [2], [3], [1, 1], [1, 2], [2, 1]]))
    groups = [
        AgentGroup(
            f"g{i}",
            count,
            capacity={channel: 1 if channel == "phone" else draw(st.integers(1, 2))},
            shifts=draw(_shifts()),
            break_waves=draw(st.integers(1, 2)),
            break_gap=_minutes(draw(st.integers(0, 20))),
        )
        for i, count in enumerate(counts)
    ]
    return SimConfig(
        start=_START,
        duration=_minutes(draw(st.integers(5, 120))),
        arrivals=Arrivals.constant(draw(st.integers(2, 40)), channels={channel: 1}),
        agents=groups,
        handle_time={"default": Empirical([timedelta(seconds=draw(st.integers(1, 3600)))])},
        max_customers=draw(st.none() | st.integers(1, 20)),
        interval=_minutes(draw(st.sampled_from([5, 10, 15, 20, 30]))),
    )


@given(cfg=_configs(), seed=st.integers(0, 2**16))
def test_every_row_is_busy_over_on_shift_time_within_its_span(cfg: SimConfig, seed: int) -> None:
    events: list[Event] = []
    result = simulate(DeskConfig(), cfg, seed=seed, on_event=events.append)
    rules = DeskConfig().capacity
    slots = {g.profile(i).id: g.slots(rules) for g in cfg.agents for i in range(g.count)}
    _assert_rows_match(result.occupancy_series, _reference(cfg, events, slots))
