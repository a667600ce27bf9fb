"""The simulator as a workforce planner reads it, held to naive references written from the
docs and run side by side on small runs with fixed seeds: presence plans (shifts, breaks,
waves, a shift over midnight and a daylight-saving change), no ticket given to an agent off
shift, the occupancy and SLA series row by row, the report's occupancy over its window,
common random numbers across staffing levels, and abandonment against Erlang A.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import DeskConfig
from csflow.events import (
    AgentPresenceChanged,
    Event,
    TicketAbandoned,
    TicketAssigned,
    TicketQueued,
    TicketResolved,
)
from csflow.sim import AgentGroup, Arrivals, Empirical, Exponential, Shift, SimConfig, simulate
from csflow.sla import SlaBreached, SlaMet

_MIN = timedelta(minutes=1)
_ZERO = timedelta(0)
# Saturday 28 March 2026, 22:00 at +01:00: the run crosses midnight and, in Berlin, the
# change to summer time (the offsets stay elapsed time from the start, as documented).
_START = datetime(2026, 3, 28, 22, tzinfo=timezone(timedelta(hours=1)))
_SLA_DESK = DeskConfig.from_dict(
    {
        "calendars": {"24x7": {"timezone": "Asia/Jakarta", "always_open": True}},
        "sla_policies": [
            {
                "name": "p",
                "calendar": "24x7",
                "targets": {"first_response": "PT2M", "resolution": "PT20M"},
            }
        ],
        "default_sla_policy": "p",
    }
)


@st.composite
def _groups(draw: st.DrawFn) -> list[AgentGroup]:
    """One or two groups of one or two agents, with one or two shifts (back to back or with
    a gap), breaks that may overlap or touch a shift's edge, and waves of breaks."""
    groups = []
    for g in range(draw(st.integers(1, 2))):
        shifts = []
        t = draw(st.integers(0, 120)) * _MIN
        for _ in range(draw(st.integers(1, 2))):
            length = draw(st.integers(30, 300)) * _MIN
            breaks = []
            for _ in range(draw(st.integers(0, 2))):
                b = t + draw(st.integers(0, length // _MIN - 5)) * _MIN
                d = draw(st.integers(5, 40)) * _MIN
                if b + d <= t + length:
                    breaks.append((b, d))
            shifts.append(Shift(t, t + length, breaks=breaks))
            t += length + draw(st.sampled_from([0, 0, 30])) * _MIN
        chat = draw(st.integers(1, 3))
        groups.append(
            AgentGroup(
                f"g{g}",
                draw(st.integers(1, 2)),
                capacity={"phone": 1, "chat": chat} if g else {"phone": 1},
                shifts=shifts,
                break_waves=draw(st.integers(1, 2)),
                break_gap=draw(st.sampled_from([0, 10])) * _MIN,
            )
        )
    return groups


def _state_at(group: AgentGroup, i: int, offset: timedelta) -> str:
    """Agent *i* of *group* at *offset* from the start, read off the shifts as documented:
    available on a shift, away during a break (delayed by its wave, cut at the shift's end),
    offline off shift."""
    lag = group.break_gap * (i % group.break_waves)
    for s in group.shifts:
        if s.start <= offset and (s.end is None or offset < s.end):
            for b, d in s.breaks:
                b0, b1 = b + lag, b + lag + d
                if s.end is not None:
                    b1 = min(b1, s.end)
                if b0 <= offset < b1:
                    return "away"
            return "available"
    return "offline"


def _overlap(a: datetime, b: datetime, lo: datetime, hi: datetime) -> timedelta:
    return max(_ZERO, min(b, hi) - max(a, lo))


@settings(max_examples=25)
@given(
    groups=_groups(),
    minutes=st.integers(60, 400),
    interval=st.sampled_from([7, 15, 30]),
    per_hour=st.sampled_from([5, 20, 40]),
    aht=st.sampled_from([4, 15]),
    impatient=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_presence_and_series_against_a_reference(
    groups: list[AgentGroup],
    minutes: int,
    interval: int,
    per_hour: int,
    aht: int,
    impatient: bool,
    seed: int,
) -> None:
    step = interval * _MIN
    horizon = _START + minutes * _MIN
    config = SimConfig(
        start=_START,
        duration=minutes * _MIN,
        arrivals=Arrivals.constant(per_hour, channels={"phone": 1, "chat": 1}),
        agents=groups,
        handle_time={"default": Exponential(aht * _MIN)},
        patience={"phone": Exponential(5 * _MIN)} if impatient else {},
        interval=step,
    )
    seen: list[Event] = []
    result = simulate(_SLA_DESK, config, seed=seed, on_event=seen.append)
    by_name = {g.name: g for g in groups}
    slots = {f"{g.name}-{i}": g.slots() for g in groups for i in range(g.count)}
    state: dict[str, tuple[str, datetime]] = {}
    on_shift: list[tuple[str, datetime, datetime]] = []
    taken: dict[str, tuple[datetime, str]] = {}
    handlings: list[tuple[str, datetime, datetime]] = []
    decided: dict[int, list[int]] = {}
    for e in seen:
        if isinstance(e, AgentPresenceChanged):
            name, i = e.agent_id.rsplit("-", 1)
            if e.old is not None:  # (not the agent's arrival on the desk, offline)
                assert e.new == _state_at(by_name[name], int(i), e.at - _START)
            if e.agent_id in state and state[e.agent_id][0] == "available":
                on_shift.append((e.agent_id, state[e.agent_id][1], e.at))
            state[e.agent_id] = (e.new, e.at)
        elif isinstance(e, TicketAssigned):
            # Never to an agent off shift or on a break, by the desk's word or the plan's.
            name, i = e.agent_id.rsplit("-", 1)
            assert state[e.agent_id][0] == "available"
            assert _state_at(by_name[name], int(i), e.at - _START) == "available"
            taken[e.ticket_id] = (e.at, e.agent_id)
        elif isinstance(e, TicketResolved):
            # A ticket in hand at the shift's end is finished, by the agent who took it.
            since, agent = taken.pop(e.ticket_id)
            assert e.agent_id == agent
            handlings.append((agent, since, e.at))
        elif isinstance(e, SlaMet | SlaBreached):
            k = (e.at - _START) // step
            if isinstance(e, SlaBreached):
                decided.setdefault(k, [0, 0])[1] += 1
            elif not e.breached:  # met late: counted at its breach
                decided.setdefault(k, [0, 0])[0] += 1
    assert not taken
    # The series measure up to the horizon or, with handlings after it, to the end of the
    # interval in which the last one ended.
    last = max([horizon, *(b for _, _, b in handlings)])
    end = horizon if last == horizon else _START + math.ceil((last - _START) / step) * step
    on_shift += [(a, since, end) for a, (s, since) in state.items() if s == "available"]
    expected: list[tuple[datetime, float | None]] = []
    for k in range(math.ceil((end - _START) / step)):
        lo = _START + k * step
        hi = min(lo + step, end)
        on = sum((_overlap(a, b, lo, hi) * slots[who] for who, a, b in on_shift), _ZERO)
        busy = off = _ZERO
        for who, a, b in handlings:
            within = _overlap(a, b, lo, hi)
            busy += within
            # Busy time while its agent was away or offline counts as available time too.
            off += within - sum(
                (
                    _overlap(max(a, x), min(b, y), lo, hi)
                    for agent, x, y in on_shift
                    if agent == who and x < b and y > a
                ),
                _ZERO,
            )
        available = on + off
        expected.append((lo, busy / available if available > _ZERO else None))
    got = result.occupancy_series
    assert [t for t, _ in got] == [t for t, _ in expected]
    for (_, rate), (_, want) in zip(got, expected, strict=True):
        assert (rate is None) == (want is None)
        if rate is not None and want is not None:
            assert math.isclose(rate, want, rel_tol=1e-9, abs_tol=1e-9)
            assert rate <= 1.0
    rows = sorted(set(range(math.ceil(minutes / interval))) | set(decided))
    want_sla = [(_START + k * step, *decided.get(k, [0, 0])) for k in rows]
    assert [(r.start, r.met, r.breached) for r in result.sla_series] == want_sla


def test_a_tiny_day_worked_by_hand() -> None:
    # Two agents, ten-minute handlings, seven minutes of patience, fifteen-minute intervals:
    #   a-0 on 00:00-00:40; b-0 on 00:10-01:10 with a break 00:20-00:25.
    # Seed 3 brings ten customers (their instants read off the events); by hand:
    #   T1 18:39 a-0 (to 28:39)     T2 28:12 b-0 (to 38:12)   T3 29:59 a-0 (to 39:59)
    #   T4 35:23 waits, b-0 38:12   T5 35:55 waits, a-0 39:59 (a-0 offline at 40:00 holding
    #   it, finishes at 49:59)      T6 36:29 gives up at 43:29 ...
    seen: list[Event] = []
    config = SimConfig(
        start=datetime(2026, 3, 16, tzinfo=UTC),
        duration=timedelta(hours=1),
        arrivals=Arrivals.constant(12),
        agents=[
            AgentGroup("a", 1, shifts=[Shift(_ZERO, 40 * _MIN)]),
            AgentGroup(
                "b", 1, shifts=[Shift(10 * _MIN, 70 * _MIN, breaks=[(20 * _MIN, 5 * _MIN)])]
            ),
        ],
        handle_time={"default": Empirical([10 * _MIN])},
        patience={"default": Empirical([7 * _MIN])},
        interval=15 * _MIN,
        warmup=5 * _MIN,
    )
    result = simulate(DeskConfig(), config, seed=3, on_event=seen.append)
    report = result.report
    queued = [e for e in seen if isinstance(e, TicketQueued)]
    assigned = {e.ticket_id: e for e in seen if isinstance(e, TicketAssigned)}
    gave_up = {e.ticket_id: e for e in seen if isinstance(e, TicketAbandoned)}
    assert len(queued) == result.customers == report.offered == 10
    # Every customer either got an agent or gave up exactly seven minutes after arriving.
    for q in queued:
        if q.ticket_id in gave_up:
            assert gave_up[q.ticket_id].at - q.at == 7 * _MIN
            assert q.ticket_id not in assigned
        else:
            assert q.ticket_id in assigned
    assert (report.answered, report.abandoned) == (7, 3)
    # Three answered at once (within the 20 s target), out of ten offered.
    assert report.answered_within_target == 3
    assert report.service_level == 0.3
    assert report.abandonment_rate == 0.3
    assert report.handle_time == 7 * 10 * _MIN
    t5 = assigned["T5"]
    assert t5.agent_id == "a-0"
    assert any(
        isinstance(e, TicketResolved) and e.ticket_id == "T5" and e.at == t5.at + 10 * _MIN
        for e in seen
    )
    # Occupancy rows by hand.  00:00-00:15: a-0 15 min, b-0 5 min on, nobody busy.
    rows = {t: math.nan if rate is None else rate for t, rate in result.occupancy_series}
    day = datetime(2026, 3, 16, tzinfo=UTC)
    assert rows[day] == 0.0
    # 00:15-00:30: on shift a-0 15 + b-0 10 (the break left out) = 25 min; busy T1 10 min,
    # and T2 and T3 from their answers (28:12, 29:59) to 00:30.
    half = day + 30 * _MIN
    t2, t3 = assigned["T2"].at, assigned["T3"].at
    assert t3 < half
    assert math.isclose(
        rows[day + 15 * _MIN],
        (10 * _MIN + (half - t2) + (half - t3)) / (25 * _MIN),
        rel_tol=1e-9,
    )
    # 00:30-00:45 and 00:45-01:00: both busy all the time they count (a-0 finishing T5 off
    # shift counts as available too).
    assert rows[day + 30 * _MIN] == 1.0
    assert rows[day + 45 * _MIN] == 1.0
    # 01:00-01:15: the drain; b-0 on until 01:10, busy until the last handling ends.
    last = max(e.at for e in seen if isinstance(e, TicketResolved))
    assert math.isclose(rows[day + 60 * _MIN], (last - day - 60 * _MIN) / (10 * _MIN))
    assert len(rows) == 5


@settings(max_examples=6)
@given(seed=st.integers(0, 2**16), fewer=st.integers(1, 3), more=st.integers(4, 7))
def test_two_staffing_levels_see_the_same_customers(seed: int, fewer: int, more: int) -> None:
    def run(count: int) -> tuple[dict[str, object], dict[str, timedelta], dict[str, float]]:
        config = SimConfig(
            start=_START,
            duration=timedelta(hours=3),
            arrivals=Arrivals.constant(
                40, channels={"phone": 2, "chat": 1}, tiers={"regular": 3, "vip": 1}
            ),
            agents=[AgentGroup("a", count, capacity={"phone": 1, "chat": 2})],
            handle_time={"default": Exponential(5 * _MIN), "chat": Exponential(8 * _MIN)},
            patience={"phone": Exponential(2 * _MIN)},
        )
        seen: list[Event] = []
        simulate(DeskConfig(), config, seed=seed, on_event=seen.append)
        customers: dict[str, object] = {}
        since: dict[str, datetime] = {}
        handled: dict[str, timedelta] = {}
        patience: dict[str, float] = {}
        for e in seen:
            if isinstance(e, TicketQueued):
                customers[e.ticket_id] = (e.at, e.channel, e.tier)
            elif isinstance(e, TicketAssigned):
                since[e.ticket_id] = e.at
            elif isinstance(e, TicketResolved):
                handled[e.ticket_id] = e.at - since[e.ticket_id]
            elif isinstance(e, TicketAbandoned):
                patience[e.ticket_id] = e.waited
        return customers, handled, patience

    a, b = run(fewer), run(more)
    assert a[0] == b[0]  # arrival instants, channels, tiers
    handled = set(a[1]) & set(b[1])
    assert handled
    assert all(a[1][t] == b[1][t] for t in handled)  # handle times
    gave_up = set(a[2]) & set(b[2])
    assert all(a[2][t] == b[2][t] for t in gave_up)  # patience


def _erlang_a_abandonment(per_hour: float, aht: float, patience: float, c: int) -> float:
    """The share of customers who give up in M/M/c+M, from its birth-death chain."""
    lam, mu, theta = per_hour / 3600, 1 / aht, 1 / patience
    p = [1.0]
    for n in range(1, 400):
        p.append(p[-1] * lam / (min(n, c) * mu + max(n - c, 0) * theta))
    total = sum(p)
    return theta * sum(max(n - c, 0) * x for n, x in enumerate(p)) / total / lam


def test_abandonment_matches_erlang_a() -> None:
    # M/M/8+M: 120 calls an hour, four-minute handlings, a minute of mean patience.  Two
    # seeds of 40 hours (about 4,700 customers each, after two hours of warm-up): the share
    # that gives up is Erlang A's within four binomial standard errors.
    expected = _erlang_a_abandonment(120, 240, 60, 8)
    for seed in (1, 2):
        config = SimConfig(
            start=datetime(2026, 3, 16, tzinfo=UTC),
            duration=timedelta(hours=40),
            arrivals=Arrivals.constant(120),
            agents=[AgentGroup("a", 8)],
            handle_time={"default": Exponential(4 * _MIN)},
            patience={"default": Exponential(_MIN)},
            warmup=timedelta(hours=2),
            interval=timedelta(hours=1),
        )
        report = simulate(DeskConfig(), config, seed=seed).report
        share = report.abandoned / report.offered
        error = math.sqrt(expected * (1 - expected) / report.offered)
        assert abs(share - expected) < 4 * error, (seed, share, expected)
