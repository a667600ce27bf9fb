"""The simulator against theory and naive references written from the docs: M/M/c against
Erlang C, M/M/c+M against Erlang A, arrival counts of a time-varying profile against Poisson,
common random numbers between policy variants and staffing levels, the warm-up's who is
counted, and the result's figures against one another."""

from __future__ import annotations

import math
import statistics
from datetime import timedelta
from typing import Any

import attrs

from csflow import DeskConfig
from csflow.events import (
    Event,
    TicketAbandoned,
    TicketAssigned,
    TicketQueued,
    TicketResolved,
)
from csflow.sim import Scenario, SimConfig, mmc_scenario, run_scenario, simulate

# -- naive references ---------------------------------------------------------------------------


def erlang_c(c: int, a: float) -> float:
    """P(wait > 0) in M/M/c at offered load *a* Erlangs (the textbook formula)."""
    below = sum(a**k / math.factorial(k) for k in range(c))
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (below + top)


def erlang_a(c: int, lam: float, mu: float, theta: float) -> tuple[float, float]:
    """(P(abandon), P(wait > 0)) in M/M/c+M, from the birth-death chain truncated far out."""
    p = [1.0]
    for n in range(1, 600):
        p.append(p[-1] * lam / (min(n, c) * mu + max(n - c, 0) * theta))
    total = sum(p)
    queue = sum(max(n - c, 0) * x for n, x in enumerate(p)) / total
    return theta * queue / lam, sum(x for n, x in enumerate(p) if n >= c) / total


def batch_se(values: list[float], batches: int = 20) -> tuple[float, float]:
    """The mean of *values* and its standard error by batch means (consecutive customers'
    waits are correlated; means of long batches are nearly independent)."""
    size = len(values) // batches
    means = [statistics.fmean(values[i * size : (i + 1) * size]) for i in range(batches)]
    return statistics.fmean(values), statistics.stdev(means) / math.sqrt(batches)


def first_waits(events: list[Event]) -> tuple[list[str], dict[str, float], set[str]]:
    """The tickets in arrival order, each answered one's wait (seconds) and the abandoned."""
    queued: dict[str, Any] = {}
    waits: dict[str, float] = {}
    abandoned: set[str] = set()
    for e in events:
        if type(e) is TicketQueued:
            queued.setdefault(e.ticket_id, e.at)
        elif type(e) is TicketAssigned and e.ticket_id not in waits:
            waits[e.ticket_id] = (e.at - queued[e.ticket_id]).total_seconds()
        elif type(e) is TicketAbandoned:
            abandoned.add(e.ticket_id)
    return list(queued), waits, abandoned


# -- Erlang C and Erlang A ------------------------------------------------------------------------


def test_mmc_waits_match_erlang_c_within_the_batch_means_error() -> None:
    c, load, aht = 3, 2.0, 360.0
    scenario = mmc_scenario(c, load, customers=8000, warmup=timedelta(hours=4), seed=11)
    desk, sim = scenario.configs()
    events: list[Event] = []
    result = simulate(desk, sim, seed=scenario.seed, on_event=events.append)
    order, waits, abandoned = first_waits(events)
    assert not abandoned
    assert len(waits) == len(order) == result.report.offered
    waited = [1.0 if waits[t] > 0 else 0.0 for t in order]
    p_wait, p_se = batch_se(waited)
    asa, asa_se = batch_se([waits[t] for t in order])
    theory = erlang_c(c, load)
    assert abs(p_wait - theory) < 4.5 * p_se + 0.01, (p_wait, theory, p_se)
    expected_asa = theory * aht / (c - load)  # C(c, a) / (c mu - lambda)
    assert abs(asa - expected_asa) < 4.5 * asa_se + 2.0, (asa, expected_asa, asa_se)
    # The report's ASA is the same mean of the same waits.
    report_asa = result.report.average_speed_of_answer
    assert report_asa is not None
    assert abs(report_asa.total_seconds() - asa) < 1e-3
    # Occupancy: the handled work over c agents' time; the work of N exponential handlings
    # over Poisson arrivals has a relative error of about sqrt(2 / N).
    occupancy = result.report.occupancy
    assert occupancy is not None
    n = result.report.offered
    assert abs(occupancy - load / c) < 5 * math.sqrt(2 / n) * load / c, occupancy


def test_mmc_with_exponential_patience_matches_erlang_a() -> None:
    base = mmc_scenario(4, 4.0, customers=6000, seed=3)
    sim = dict(base.simulation)
    sim["patience"] = {"default": {"exponential": "PT3M"}}
    sim["warmup"] = 3 * 3600
    scenario = Scenario("M/M/4+M", base.desk, sim, 3)
    desk, config = scenario.configs()
    events: list[Event] = []
    result = simulate(desk, config, seed=3, on_event=events.append)
    order, waits, abandoned = first_waits(events)
    assert set(waits) | abandoned == set(order)
    assert not set(waits) & abandoned
    lam, mu, theta = 40 / 3600, 1 / 360, 1 / 180
    p_abandon, p_wait = erlang_a(4, lam, mu, theta)
    gave_up, se = batch_se([1.0 if t in abandoned else 0.0 for t in order])
    assert abs(gave_up - p_abandon) < 4.5 * se + 0.01, (gave_up, p_abandon, se)
    delayed = [1.0 if t in abandoned or waits[t] > 0 else 0.0 for t in order]
    seen, se = batch_se(delayed)
    assert abs(seen - p_wait) < 4.5 * se + 0.01, (seen, p_wait, se)
    assert result.report.abandonment_rate == len(abandoned) / len(order)


# -- a time-varying profile -------------------------------------------------------------------------

_ELEVEN = {
    "start": "2026-11-11T00:00:00+07:00",
    "duration": "P2D",
    "peak": "11.11",
    "arrivals": {"rates": [["00:00", 0], ["07:30", 20], ["12:00", 60], ["21:15", 5]]},
    "agents": [{"name": "nobody", "count": 0}],
    "interval": "PT1H",
}


def _rate(hours: float) -> float:
    """The 11.11 profile at *hours* after the start, contacts an hour, peak (x3) included."""
    h = hours % 24
    return 3.0 * (0 if h < 7.5 else 20 if h < 12 else 60 if h < 21.25 else 5)


def test_arrivals_per_hour_of_a_peak_day_with_a_rate_step_at_noon_are_poisson() -> None:
    config = SimConfig.from_dict(_ELEVEN)
    seeds = range(8)
    counts = [0] * 48
    for seed in seeds:
        events: list[Event] = []
        result = simulate(DeskConfig(), config, seed=seed, on_event=events.append)
        arrivals = [e.at for e in events if type(e) is TicketQueued]
        assert result.customers == len(arrivals) == result.report.offered
        # Nobody on shift and nobody gives up: every customer is still waiting.
        assert result.report.waiting == result.customers
        for at in arrivals:
            counts[int((at - config.start) / timedelta(hours=1))] += 1
    chi2, cells = 0.0, 0
    for hour, got in enumerate(counts):
        # The integrated rate over the hour (the step at 07:30 and 21:15 lies inside one).
        expected = len(seeds) * sum(_rate(hour + (k + 0.5) / 240) / 240 for k in range(240))
        if expected == 0:
            assert got == 0, hour
            continue
        assert abs(got - expected) < 5 * math.sqrt(expected), (hour, got, expected)
        chi2 += (got - expected) ** 2 / expected
        cells += 1
    # chi-square with `cells` degrees of freedom: mean cells, sd sqrt(2 cells).
    assert chi2 < cells + 5 * math.sqrt(2 * cells), (chi2, cells)
    assert abs(config.expected_customers() - sum(_rate(h / 60) / 60 for h in range(2880))) < 1


# -- common random numbers ---------------------------------------------------------------------------

_TIERED = {
    "tiers": [{"name": "gold", "rank": 3}, {"name": "regular", "rank": 1}],
    "triage": [
        {"name": "gold", "when": {"field": "tier", "eq": "gold"}, "then": {"priority": "high"}}
    ],
}
_FIFO = {"tiers": _TIERED["tiers"]}


def _morning(agents: int) -> dict[str, Any]:
    return {
        "start": "2026-03-16T08:00:00+07:00",
        "duration": "PT2H",
        "peak": "lebaran",
        "arrivals": {
            "rates": [["00:00", 60], ["01:00", 90]],
            "channels": {"chat": 3, "email": 1},
            "tiers": {"gold": 1, "regular": 4},
        },
        "handle_time": {
            "default": {"exponential": "PT6M"},
            "chat": {"lognormal": {"mean": "PT5M", "sigma": 0.8}},
        },
        "patience": {"chat": {"exponential": "PT4M"}},
        "agents": [{"name": "front", "count": agents, "capacity": {"chat": 1, "email": 1}}],
    }


def _customers(desk: dict[str, Any], agents: int, seed: int) -> tuple[Any, ...]:
    """What a run's customers were: arrivals (instant, tier, channel), the length of every
    handling that ended in a resolution, and how long each abandoning customer waited."""
    events: list[Event] = []
    desk_config, sim = Scenario("v", desk, _morning(agents), seed).configs()
    result = simulate(desk_config, sim, seed=seed, on_event=events.append)
    arrivals: dict[str, tuple[Any, str, str]] = {}
    assigned: dict[str, Any] = {}
    handled: dict[str, timedelta] = {}
    patience: dict[str, timedelta] = {}
    for e in events:
        if type(e) is TicketQueued:
            arrivals.setdefault(e.ticket_id, (e.at, e.tier, e.channel))
        elif type(e) is TicketAssigned:
            assigned[e.ticket_id] = e.at
        elif type(e) is TicketResolved:
            handled[e.ticket_id] = e.at - assigned[e.ticket_id]
        elif type(e) is TicketAbandoned:
            patience[e.ticket_id] = e.at - arrivals[e.ticket_id][0]
    return arrivals, handled, patience, result.report.service_level


def test_policy_variants_and_staffing_levels_see_the_same_customers() -> None:
    base = _customers(_TIERED, 9, 5)
    for desk, agents in ((_TIERED, 10), (_FIFO, 9)):
        other = _customers(desk, agents, 5)
        assert other[0] == base[0]  # the same arrival instants, tiers and channels
        for k in (1, 2):  # the same handle times, the same patience, where both runs show it
            both = set(base[k]) & set(other[k])
            assert len(both) > 20
            assert {t: base[k][t] for t in both} == {t: other[k][t] for t in both}
        assert other[3] != base[3]  # (and the variants do differ)


def test_the_difference_between_levels_varies_far_less_than_between_seeds() -> None:
    desk = DeskConfig.from_dict(_TIERED)
    fewer = SimConfig.from_dict(_morning(8))
    more = SimConfig.from_dict(_morning(9))
    seeds = range(10)
    a = [simulate(desk, fewer, seed=s).report.service_level or 0.0 for s in seeds]
    b = [simulate(desk, more, seed=s).report.service_level or 0.0 for s in seeds]
    paired = statistics.variance([x - y for x, y in zip(a, b, strict=True)])
    crossed = statistics.variance([a[i] - b[(i + 1) % len(b)] for i in seeds])
    assert paired * 4 < crossed, (paired, crossed)
    assert statistics.fmean(b) > statistics.fmean(a)


# -- who is counted, and the result's figures ----------------------------------------------------------


def test_the_warm_up_leaves_out_exactly_the_customers_who_arrive_in_it() -> None:
    plan = _morning(7) | {"warmup": "PT30M", "interval": "PT15M"}
    config = SimConfig.from_dict(plan)
    desk = DeskConfig.from_dict(_TIERED)
    counted: list[Event] = []
    result = simulate(desk, config, seed=2, on_event=counted.append)
    plain: list[Event] = []
    everyone = simulate(
        desk, attrs.evolve(config, warmup=timedelta(0)), seed=2, on_event=plain.append
    )
    assert everyone.customers == result.customers  # the warm-up changes no customer
    warm_end = config.start + timedelta(minutes=30)
    arrived = {e.ticket_id: e.at for e in plain if type(e) is TicketQueued}
    kept = {t for t, at in arrived.items() if at >= warm_end}
    seen = {e.ticket_id for e in counted if hasattr(e, "ticket_id")}
    assert seen == kept
    assert result.report.offered == len(kept) < result.customers
    report = result.report
    assert report.answered + report.abandoned + report.waiting == report.offered
    # The SLA series counts the report's cycles: as many as the report, per interval of
    # the horizon (8 rows of 15 minutes), none in the warm-up's.
    rows = result.sla_series
    assert len(rows) >= 8
    assert [r.start for r in rows[:8]] == [
        config.start + k * timedelta(minutes=15) for k in range(8)
    ]
    assert sum(r.met for r in rows) == report.sla.met
    assert sum(r.breached for r in rows) == report.sla.breached
    assert len(result.occupancy_series) >= 8


def test_the_report_as_data_agrees_with_the_result() -> None:
    result = run_scenario(Scenario("r", _TIERED, _morning(7), 4))
    report = result.report
    data = report.to_dict()
    for name in ("offered", "answered", "abandoned", "waiting", "escalations", "transfers"):
        assert data[name] == getattr(report, name)
    assert report.offered == result.customers
    asa = report.average_speed_of_answer
    assert asa is not None
    assert data["average_speed_of_answer_seconds"] == asa.total_seconds()
    assert data["service_level"] == report.service_level
    assert data["abandonment_rate"] == report.abandonment_rate
    assert data["occupancy"] == report.occupancy
    occupancy = report.occupancy
    assert occupancy is not None
    assert 0 < occupancy <= 1
    assert all(share is None or 0 <= share <= 1 for _, share in result.occupancy_series)
    assert data["handle_time_seconds"] == report.handle_time.total_seconds()
    for row in result.sla_series:
        decided = row.met + row.breached
        assert row.rate == (row.met / decided if decided else None)
        assert row.start.utcoffset() == timedelta(0)
    table = dict(line.rsplit(None, 1) for line in report.table()[:3])
    assert {k.strip(): int(v) for k, v in table.items()} == {
        "offered": report.offered,
        "answered": report.answered,
        "abandoned": report.abandoned,
    }
