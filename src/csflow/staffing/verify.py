"""A staffing plan checked by the real desk: simulate each interval, correct its agents.

Theory of operation
-------------------
Erlang C and A assume one queue, one channel, one contact per agent at a time, exponential
handle times and patience, and no tiers.  A real desk breaks some of these: chats held two at a
time, a gold tier served first, log-normal handle times.  :func:`verify_plan` asks the desk
itself, through :mod:`csflow.sim`.

Each interval of the plan is simulated on its own, in the steady state that the Erlang formulas
assume too: the interval's arrival rate, its number of agents, the desk configuration as given,
and a warm-up at the same rate and staffing (one interval long unless told otherwise) whose
tickets are left out of the count.  The agents stay on after the interval until the last
customer is served or gives up, so every ticket of the interval is decided.  Each candidate
number of agents runs once per seed, with the same seeds for every candidate, so the whole
verification is reproducible.  The simulator gives every source of randomness its own stream
(common random numbers), so two candidates with the same seed see the very same customers,
with the same handle times and patience: the comparison of candidates is not blurred by
different draws.  Over the seeds the simulated service level is still noisy, and not always
monotone in the agents, more so the fewer customers a run sees.  Simulate each interval's steady state for longer than the
interval (``span``) and over more seeds to narrow it; the confidence intervals say how far to
trust each answer.

A candidate *meets the targets* when the mean over the seeds of the simulated service level
(answered within the plan's target, out of those answered, abandoned or still waiting when the
run ends: a day after the interval, so never answered) reaches the plan's
level and, when asked, the mean abandonment stays at or below its ceiling and each listed
tier's and channel's SLA attainment reaches its floor.  From the starting number of agents (the plan's, or
the caller's own), the search steps down while the targets hold and up while they do not, for
every interval at once, by strides that double (1, 2, 4 ... agents) until the answer is
bracketed, then by halving the bracket.  Each round is one batch of scenarios on the executor,
so a process pool, a Dask or a Ray cluster (see :mod:`csflow.sweep`) shortens a week's plan.
The answer is the fewest agents that met the targets with the next fewer failing them.  A
plan made under an occupancy cap (``staffing_plan(max_occupancy=...)``) keeps it: no interval
is searched below ``ceil(load / max_occupancy)`` agents, whatever the simulation says.

Some targets no number of agents meets: a 99 % floor on a one-minute resolution target when
handling takes six minutes.  Agents only shorten waits, so once a candidate's runs have
nobody waiting in line at any moment (every contact taken the instant it arrives, in every
seed) more agents change nothing: the same customers (common random numbers) are handled
alike by alike agents.  A candidate that misses the targets so ends the search: the interval
is *unreachable*.  So does one with as many agents as customers came in its runs (each could
have an agent to itself: whoever still waits waits for something agents cannot give, a skill,
a team), or with :data:`~csflow.sim.scenario.MAX_SIM_AGENTS`, the simulator's bound; the
strides up never pass these.  An unreachable interval reports the agents the search stopped
at, which did not meet the targets, flagged so (``met`` and ``unreachable``): never a count
that was not simulated, nor one that missed the targets as if it met them.

The report gives, per interval, the Erlang answer, the simulated answer and their difference,
and the simulated service level and abandonment at both, each as a mean with a 95 % confidence
interval over the seeds (Student's t, its quantile computed for any number of seeds: see
:meth:`Estimate.of`).
"""

from __future__ import annotations

import concurrent.futures
import itertools
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

import attrs

from csflow._text import show
from csflow.desk.config import DeskConfig
from csflow.errors import ConfigError
from csflow.metrics import Report
from csflow.sim import Scenario, SimConfig, SimResult
from csflow.sim.scenario import MAX_SIM_AGENTS
from csflow.staffing._checks import as_float, as_int
from csflow.staffing._student import t_quantile
from csflow.staffing.erlang import _check_max_occupancy, _occupancy_floor
from csflow.staffing.plan import IntervalStaffing, StaffingPlan, _after
from csflow.sweep import run_sweep

__all__ = ["Estimate", "VerifiedInterval", "VerifiedPlan", "verify_plan"]

#: The most seeds :func:`verify_plan` takes (each one runs every candidate of every interval
#: again), as ``csflow staff --seeds`` takes.  Not exported: the number is the contract.
MAX_SEEDS: Final = 10_000

# The confidence of the intervals that Estimate gives.
_CONFIDENCE = 0.95
# How long the agents stay after an interval so that every ticket of it is decided.
_DRAIN = timedelta(days=1)


@attrs.frozen
class Estimate:
    """A simulated rate over several seeds: its mean and a 95 % confidence interval.

    Attributes:
        mean: The mean over the seeds.
        low: The lower end of the interval (the mean with one seed).
        high: The upper end.
    """

    mean: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Estimate:
        """The estimate of a rate from *values* (one per seed), with Student's t.

        The interval is ``mean ± t s / sqrt(n)`` over the *n* values, *s* their sample
        standard deviation and *t* the two-sided 95 % quantile of Student's t with ``n - 1``
        degrees of freedom, computed for every *n* (no table and no normal 1.96 for many
        seeds: 2.040 at 32 seeds, 1.984 at 101); it is clipped to ``[0, 1]``, where a rate
        lives.  With one value the interval is the mean alone.
        """
        mean = statistics.fmean(values)
        if len(values) < 2:
            return cls(mean, mean, mean)
        t = t_quantile(_CONFIDENCE, len(values) - 1)
        half = t * statistics.stdev(values) / math.sqrt(len(values))
        return cls(mean, max(0.0, mean - half), min(1.0, mean + half))

    def to_dict(self) -> dict[str, float]:
        """Plain data."""
        return {"mean": self.mean, "low": self.low, "high": self.high}


@attrs.frozen
class VerifiedInterval:
    """One interval of a verified plan.

    Attributes:
        start: The interval's start.
        duration: Its length.
        arrivals: Expected arrivals in it.
        erlang_agents: The Erlang answer (the plan's agents).
        agents: The simulated answer: the fewest agents that met the targets on the desk.
        service_level: Simulated service level with *agents*.
        abandonment: Simulated abandonment with *agents*.
        erlang_service_level: Simulated service level with *erlang_agents*.
        erlang_abandonment: Simulated abandonment with *erlang_agents*.
        converged: ``False`` when the search stopped at its step limit before settling.
        met: Whether *agents* met the targets.  ``False`` where no number of agents simulated
            did: the interval is *unreachable*, or the search stopped at its step limit
            first; *agents* is then the most agents simulated, which fell short.
        unreachable: ``True`` when no number of agents can meet the targets: with *agents*
            nobody waited in line (every contact was taken at once) and the targets were
            still missed, or *agents* reached the search's ceiling (as many agents as
            customers came in the runs, or :data:`~csflow.sim.scenario.MAX_SIM_AGENTS`).
    """

    start: datetime
    duration: timedelta
    arrivals: float
    erlang_agents: int
    agents: int
    service_level: Estimate
    abandonment: Estimate
    erlang_service_level: Estimate
    erlang_abandonment: Estimate
    converged: bool = True
    met: bool = True
    unreachable: bool = False

    @property
    def difference(self) -> int:
        """Simulated minus Erlang agents: positive where Erlang under-staffs."""
        return self.agents - self.erlang_agents

    def to_dict(self) -> dict[str, Any]:
        """Plain data (instants as ISO 8601).  An interval whose *agents* did not meet the
        targets adds ``"met": false`` and ``"unreachable"`` (the keys of every other interval
        are as before these were added)."""
        data = {
            "start": self.start.isoformat(),
            "duration": self.duration.total_seconds(),
            "arrivals": self.arrivals,
            "erlang_agents": self.erlang_agents,
            "agents": self.agents,
            "difference": self.difference,
            "service_level": self.service_level.to_dict(),
            "abandonment": self.abandonment.to_dict(),
            "erlang_service_level": self.erlang_service_level.to_dict(),
            "erlang_abandonment": self.erlang_abandonment.to_dict(),
            "converged": self.converged,
        }
        if not self.met:
            data |= {"met": False, "unreachable": self.unreachable}
        return data


@attrs.frozen
class VerifiedPlan:
    """A plan after the desk's verdict, interval by interval.

    Attributes:
        intervals: One :class:`VerifiedInterval` per plan interval, in order.
        level: The service level aimed for.
        target: Its answer-time target.
        abandonment: The abandonment ceiling, if one was set.
        seeds: The seeds every candidate ran with.
    """

    intervals: tuple[VerifiedInterval, ...]
    level: float
    target: timedelta
    abandonment: float | None
    seeds: tuple[int, ...]

    @property
    def unreachable(self) -> tuple[VerifiedInterval, ...]:
        """The intervals whose targets no number of agents can meet."""
        return tuple(i for i in self.intervals if i.unreachable)

    @property
    def agent_hours(self) -> float:
        """Agent-hours of the simulated answer (with the agents an interval that did not meet
        the targets stopped at)."""
        return sum(i.agents * (i.duration / timedelta(hours=1)) for i in self.intervals)

    @property
    def erlang_agent_hours(self) -> float:
        """Agent-hours of the Erlang answer."""
        return sum(i.erlang_agents * (i.duration / timedelta(hours=1)) for i in self.intervals)

    def table(self) -> list[str]:
        """Erlang against the desk, per interval, as lines of text (nothing is printed).

        Returns:
            A header, one line per interval (start, Erlang's agents, the desk's, the
            difference, the simulated service level at both with its 95 % interval) and a
            total line in agent-hours.
        """

        def rate(e: Estimate) -> str:
            return f"{e.mean:6.1%} [{e.low:.1%}, {e.high:.1%}]"

        lines = [
            f"{'start':<25}  {'Erlang':>6}  {'desk':>4}  {'diff':>4}  "
            f"{'SL with the desk':<24}  SL with Erlang's"
        ]
        for i in self.intervals:
            flag = (
                "  (unreachable: more agents would not meet the targets)"
                if i.unreachable
                else "  (short of the targets: the step limit came first)"
                if not i.met
                else ""
                if i.converged
                else "  (unsettled)"
            )
            lines.append(
                f"{i.start.isoformat():<25}  {i.erlang_agents:>6}  {i.agents:>4}  "
                f"{i.difference:>+4}  {rate(i.service_level):<24}  "
                f"{rate(i.erlang_service_level)}{flag}"
            )
        lines.append(f"agent-hours: Erlang {self.erlang_agent_hours:g}, desk {self.agent_hours:g}")
        return lines

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {
            "level": self.level,
            "target": self.target.total_seconds(),
            "abandonment": self.abandonment,
            "seeds": list(self.seeds),
            "agent_hours": self.agent_hours,
            "erlang_agent_hours": self.erlang_agent_hours,
            "intervals": [i.to_dict() for i in self.intervals],
        }


def _check_template(simulation: object) -> dict[str, Any]:
    if not isinstance(simulation, Mapping):
        raise ConfigError(f"expected a mapping, got {show(simulation)}", "simulation")
    data = dict(simulation)
    for key in ("start", "duration", "warmup", "max_customers", "service_target", "peak"):
        if key in data:
            raise ConfigError(
                f"{key!r} is set per interval by verify_plan; leave it out of the template",
                f"simulation.{key}",
            )
    groups = data.get("agents")
    if not isinstance(groups, Sequence) or len(groups) != 1 or not isinstance(groups[0], Mapping):
        raise ConfigError(
            f"expected one agent group (its count is set per interval), got {show(groups)}",
            "simulation.agents",
        )
    for key in ("count", "shifts"):
        if key in groups[0]:
            raise ConfigError(
                f"{key!r} is set per interval by verify_plan; leave it out of the template",
                f"simulation.agents[0].{key}",
            )
    arrivals = data.get("arrivals", {})
    if not isinstance(arrivals, Mapping) or "rates" in arrivals:
        raise ConfigError(
            "expected the arrival mixes without 'rates' (the plan gives the rates), "
            f"got {show(arrivals)}",
            "simulation.arrivals",
        )
    return data


def _check_floors(
    floors: Mapping[tuple[str, str], float], desk: DeskConfig, simulation: SimConfig
) -> None:
    """Refuse a floor that no run could ever measure: a tier the desk does not have, a tier
    or channel the traffic never brings, or any floor on a desk without SLA clocks."""
    traffic = {
        "tier": {name for name, weight in simulation.arrivals.tiers if weight > 0},
        "channel": {name for name, weight in simulation.arrivals.channels if weight > 0},
    }
    for (kind, name), _ in floors.items():
        where = f"{kind}s[{name!r}]"
        if kind == "tier" and desk.tiers and name not in desk.tiers:
            raise ConfigError(
                f"the desk has no tier {name!r} (its tiers: {', '.join(map(repr, desk.tiers))})",
                where,
            )
        if name not in traffic[kind]:
            seen = ", ".join(map(repr, sorted(traffic[kind]))) or "none"
            raise ConfigError(
                f"the simulated traffic brings no {kind} {name!r} (its {kind}s: {seen}): "
                "its SLA attainment could never be measured",
                where,
            )
        if not desk.sla_policies:
            raise ConfigError(
                f"the desk has no SLA policy, so the SLA attainment of the {kind} {name!r} could "
                "never be measured",
                where,
            )


def _scenario(
    template: Mapping[str, Any],
    desk: Mapping[str, Any],
    row: IntervalStaffing,
    agents: int,
    warmup: timedelta | None,
    span: timedelta | None,
    target: timedelta,
    seed: int,
) -> Scenario:
    per_hour = row.arrivals / (row.duration / timedelta(hours=1))
    before = row.duration if warmup is None else warmup
    length = row.duration if span is None else span
    group = dict(template["agents"][0])
    group["count"] = agents
    group["shifts"] = [{"start": 0, "end": (before + length + _DRAIN).total_seconds()}]
    simulation = {
        **template,
        # Real time before the interval (an aware datetime minus a timedelta is wall-clock
        # arithmetic: an hour off across a DST change), so the warm-up ends at its start.
        "start": _after(row.start, -before).isoformat(),
        "duration": (before + length).total_seconds(),
        "warmup": before.total_seconds(),
        "service_target": target.total_seconds(),
        "arrivals": {**template.get("arrivals", {}), "rates": [["00:00", per_hour]]},
        "agents": [group],
    }
    return Scenario(f"{row.start.isoformat()} x {agents}", desk, simulation, seed)


def verify_plan(
    plan: StaffingPlan,
    desk: Mapping[str, Any],
    simulation: Mapping[str, Any],
    *,
    agents: Sequence[int] | None = None,
    seeds: Sequence[int] = (1, 2, 3),
    abandonment: float | None = None,
    tiers: Mapping[str, float] | None = None,
    channels: Mapping[str, float] | None = None,
    warmup: timedelta | None = None,
    span: timedelta | None = None,
    executor: concurrent.futures.Executor | None = None,
    max_steps: int = 30,
) -> VerifiedPlan:
    """Simulate a day plan on the real desk and correct each interval's agents.

    An interval that expects no arrivals needs nobody: it verifies at 0 agents, without a
    search.  With no customer to measure, its simulated service level counts as met (100 %)
    and its abandonment as 0.

    Args:
        plan: The plan (from :func:`~csflow.staffing.plan.staffing_plan`): its intervals'
            arrivals, its Erlang answer, its service level and answer-time target.
        desk: The desk configuration as plain data (:meth:`csflow.DeskConfig.from_dict`).
        simulation: A simulation template as plain data (:meth:`csflow.sim.SimConfig.from_dict`)
            without what is set per interval: ``arrivals`` holds the mixes (channels, tiers,
            ...) but no ``rates``; ``agents`` is one group whose ``count`` and ``shifts`` are
            left out; ``handle_time``, ``patience``, ``escalations`` as the desk needs.
        agents: Agents per interval to start from (the caller's own plan), one per interval
            in a list, a numpy array or a pandas column: ints ``>= 1``, or 0 for an interval
            that expects no arrivals; the plan's Erlang answer by default.
        seeds: One run per seed for every candidate: at least one, distinct ints ``>= 0``,
            at most :data:`MAX_SEEDS` (10,000; read once, so an endless iterable is refused
            once it gives more).
        abandonment: A ceiling on the mean simulated abandonment, or ``None``.
        tiers: Tier name -> floor on its SLA attainment (the desk's SLA clocks), or ``None``.
        channels: Channel name -> floor on its SLA attainment, or ``None``.
        warmup: The warm-up before each interval (default: the interval's length).
        span: How long each interval's steady state is simulated, at its rate and staffing
            (default: the interval's length); longer runs see more customers, less noise.
        executor: Where the simulations run (any :class:`concurrent.futures.Executor`);
            ``None`` runs a local process pool for the duration of the call.
        max_steps: Rounds of the search at most; an interval still moving then is reported
            with ``converged=False`` (and ``met=False`` when no candidate met the targets
            yet).  An interval whose targets no number of agents can meet ends its search
            early, reported ``unreachable`` (see the module notes).

    Returns:
        The :class:`VerifiedPlan`.

    Raises:
        ConfigError: before any simulation, for a malformed template, desk or argument (a
            template that sets what the plan decides, a wrong number of starting agents, a
            tier or channel floor that could never be measured: a tier the desk does not
            have, a tier or channel the simulated traffic never brings, a desk without SLA
            policies, starting agents above :data:`~csflow.sim.scenario.MAX_SIM_AGENTS`, a
            seed given twice, more than :data:`MAX_SEEDS` seeds).
    """
    if not isinstance(plan, StaffingPlan):
        raise ConfigError(f"'plan' must be a StaffingPlan, got {show(plan)}")
    template = _check_template(simulation)
    n = len(plan.intervals)
    if agents is None:
        start_agents = [i.agents for i in plan.intervals]
    else:
        # Only what the caller passed is checked here (the plan's own answer is 0 exactly
        # where it expects no arrivals), and the message names it.
        given: object = agents  # the annotation is a promise callers may break
        # Any iterable of them (a list, a numpy array, a pandas column), but not a string
        # or a mapping.
        raw = (
            []
            if isinstance(given, (str, bytes, Mapping)) or not isinstance(given, Iterable)
            else list(given)
        )
        # Any integers (numpy's too: what a pandas column yields), as ints.
        ints = [as_int(a) for a in raw]
        if len(ints) != n or any(
            a is None or a < (0 if row.arrivals == 0 else 1)
            for a, row in zip(ints, plan.intervals, strict=True)
        ):
            raise ConfigError(
                f"'agents' must hold one int >= 1 per plan interval ({n}), or 0 for an "
                f"interval that expects no arrivals, got {show(agents)}"
            )
        start_agents = [a for a in ints if a is not None]
    seed_list: object = seeds  # the annotation is a promise callers may break
    if isinstance(seed_list, (str, bytes, Mapping)) or not isinstance(seed_list, Iterable):
        raise ConfigError(
            f"'seeds' must be a non-empty sequence of ints >= 0, got {show(seeds)}", "seeds"
        )
    # Read at most one seed past the bound: an endless iterable is refused, not read for ever.
    given_seeds = [as_int(s) for s in itertools.islice(seeds, MAX_SEEDS + 1)]
    if len(given_seeds) > MAX_SEEDS:
        raise ConfigError(
            f"'seeds' must hold at most {MAX_SEEDS:,} seeds (each a simulation of every "
            "candidate of every interval), got more",
            "seeds",
        )
    runs = tuple(s for s in given_seeds if s is not None)
    if not runs or len(runs) != len(given_seeds) or any(s < 0 for s in runs):
        # (A negative seed would repeat its positive twin's run: random.Random(-s) is Random(s).)
        raise ConfigError(
            f"'seeds' must be a non-empty sequence of ints >= 0, got {show(seeds)}", "seeds"
        )
    distinct: set[int] = set()
    for seed in runs:
        if seed in distinct:
            # A seed given twice repeats its run (common random numbers): the mean counts it
            # twice and the confidence interval narrows, as if more had been seen.
            raise ConfigError(
                f"'seeds' must be distinct, got {seed} more than once in {show(seeds)}: a "
                "repeated seed repeats its run and narrows the confidence interval for nothing",
                "seeds",
            )
        distinct.add(seed)
    if abandonment is not None:
        ceiling = as_float(abandonment)
        if ceiling is None or not 0.0 <= ceiling <= 1.0:
            raise ConfigError(f"'abandonment' must be a number in [0, 1], got {show(abandonment)}")
        abandonment = ceiling
    by_name: tuple[tuple[str, object], ...] = (("tiers", tiers), ("channels", channels))
    for arg, floors_given in by_name:  # the annotations are promises callers may break
        if floors_given is not None and not isinstance(floors_given, Mapping):
            raise ConfigError(
                f"{arg!r} must be a mapping of {arg[:-1]} name to a floor in [0, 1] (or None), "
                f"got {show(floors_given)}",
                arg,
            )
    floors = {("tier", k): v for k, v in (tiers or {}).items()}
    floors |= {("channel", k): v for k, v in (channels or {}).items()}
    for (kind, name), floor in floors.items():
        level = as_float(floor)
        if level is None or not 0 <= level <= 1:
            raise ConfigError(f"the {kind} {name!r} floor must be in [0, 1], got {show(floor)}")
        floors[kind, name] = level
    for name, value, positive in (("warmup", warmup, False), ("span", span, True)):
        if value is not None and (
            not isinstance(value, timedelta) or value < timedelta(0) or (positive and not value)
        ):
            what = "positive" if positive else "non-negative"
            raise ConfigError(f"{name!r} must be a {what} timedelta or None, got {show(value)}")
    for row in plan.intervals:
        # Each interval's run, warm-up, span and drain together, must start and end within
        # the years a datetime holds.
        before = row.duration if warmup is None else warmup
        try:
            _after(row.start, -before)
            _after(row.start, (row.duration if span is None else span) + _DRAIN)
        except OverflowError:
            raise ConfigError(
                f"the interval at {row.start.isoformat()} with a warm-up of {show(before)} "
                f"and a span of {show(row.duration if span is None else span)} runs outside "
                "the years 1-9999: use a shorter 'warmup' and 'span'"
            ) from None
    steps = as_int(max_steps)
    if steps is None or steps < 1:
        raise ConfigError(f"'max_steps' must be an int >= 1, got {show(max_steps)}")
    max_steps = steps
    # The plan's occupancy cap, if any: the fewest agents each interval may have.
    cap = None if plan.max_occupancy is None else _check_max_occupancy(plan.max_occupancy)
    occupancy_floors = [
        0 if cap is None or row.arrivals == 0 else _occupancy_floor(row.load, cap)
        for row in plan.intervals
    ]
    # Erlang's agents are simulated too, for the comparison: both within the simulator's bound.
    for k, (row, a) in enumerate(zip(plan.intervals, start_agents, strict=True)):
        if max(a, row.agents) > MAX_SIM_AGENTS:
            which = "'agents'" if a > MAX_SIM_AGENTS else "the plan's (Erlang's) agents"
            raise ConfigError(
                f"{which} at {row.start.isoformat()} (interval {k}) must be at most "
                f"{MAX_SIM_AGENTS:,}, the most the simulator runs, got {max(a, row.agents):,}"
            )
        if occupancy_floors[k] > MAX_SIM_AGENTS:
            # The cap's floor is what the search would start from: name the cap.
            raise ConfigError(
                f"the plan's 'max_occupancy' {show(plan.max_occupancy)} needs at least "
                f"{occupancy_floors[k]:,} agents at {row.start.isoformat()} (interval {k}, "
                f"a load of {show(row.load)} Erlangs), more than {MAX_SIM_AGENTS:,}, the most "
                "the simulator runs"
            )
    # Check the data once, before anything runs (run_sweep checks every scenario again).
    first = plan.intervals[0] if plan.intervals else None
    if first is not None:
        probe = _scenario(template, desk, first, 1, warmup, span, plan.target, runs[0])
        desk_config, sim_config = probe.configs()
        _check_floors(floors, desk_config, sim_config)

    if executor is None:
        with concurrent.futures.ProcessPoolExecutor() as pool:
            return _verify(plan, desk, template, start_agents, occupancy_floors, runs,
                           abandonment, floors, (warmup, span), pool, max_steps)  # fmt: skip
    return _verify(plan, desk, template, start_agents, occupancy_floors, runs, abandonment,
                   floors, (warmup, span), executor, max_steps)  # fmt: skip


def _service_level(report: Report) -> float:
    """The run's service level with the tickets still waiting at its end counted as missed:
    the agents stayed on for a day past the interval, so whoever still waits is never
    answered (a channel or a skill no agent has), not yet to be decided as
    :attr:`Report.service_level` leaves them.  1.0 with no ticket to measure."""
    decided = report.answered + report.abandoned - report.short_abandoned + report.waiting
    return 1.0 if decided == 0 else report.answered_within_target / decided


def _verify(
    plan: StaffingPlan,
    desk: Mapping[str, Any],
    template: Mapping[str, Any],
    start_agents: list[int],
    occupancy_floors: list[int],
    seeds: tuple[int, ...],
    abandonment: float | None,
    floors: Mapping[tuple[str, str], float],
    lengths: tuple[timedelta | None, timedelta | None],
    executor: concurrent.futures.Executor,
    max_steps: int,
) -> VerifiedPlan:
    rows = plan.intervals
    warmup, span = lengths
    seen: dict[tuple[int, int], list[SimResult]] = {}

    def run(wanted: list[tuple[int, int]]) -> None:
        todo = [w for w in dict.fromkeys(wanted) if w not in seen]
        scenarios = [
            _scenario(template, desk, rows[i], a, warmup, span, plan.target, s)
            for i, a in todo
            for s in seeds
        ]  # fmt: skip
        results = run_sweep(scenarios, executor=executor)
        for k, w in enumerate(todo):
            seen[w] = results[k * len(seeds) : (k + 1) * len(seeds)]

    def levels(w: tuple[int, int]) -> list[float]:
        return [_service_level(r.report) for r in seen[w]]

    def abandons(w: tuple[int, int]) -> list[float]:
        return [r.report.abandonment_rate or 0.0 for r in seen[w]]

    def meets(w: tuple[int, int]) -> bool:
        if statistics.fmean(levels(w)) < plan.level:
            return False
        if abandonment is not None and statistics.fmean(abandons(w)) > abandonment:
            return False
        for (kind, name), floor in floors.items():
            rates = [
                (r.report.sla_by_tier if kind == "tier" else r.report.sla_by_channel).get(name)
                for r in seen[w]
            ]
            got = [1.0 if a is None or a.rate is None else a.rate for a in rates]
            if statistics.fmean(got) < floor:
                return False
        return True

    def nobody_waited(w: tuple[int, int]) -> bool:
        """No ticket in line at any moment of any run: every contact taken as it came."""
        return all(
            r.report.waiting == 0 and max((n for _, n in r.report.queue_length), default=0) == 0
            for r in seen[w]
        )

    # A quiet interval (no arrivals expected) needs nobody: its answer is 0 agents, with
    # nothing to search.  Elsewhere, lo: most agents known to fail (0: nobody answers); hi:
    # fewest known to pass (0: none yet).  Gallop from the start (1, 2, 4 ... agents a step;
    # at least 1) until the answer is bracketed, then bisect: O(log |answer - start|) rounds
    # however far Erlang was.  Upwards the gallop stops at a ceiling (as many agents as
    # customers came in the runs, and the simulator's bound), and a failing candidate with
    # nobody waiting or at the ceiling proves the targets out of reach (module notes).
    quiet = [r.arrivals == 0 for r in rows]
    # A plan made under an occupancy cap keeps it: below ``ceil(load / cap)`` agents a
    # candidate fails without a run (``lo`` starts just under that floor).
    least = [1 if q else max(1, f) for q, f in zip(quiet, occupancy_floors, strict=True)]
    lo = [f - 1 for f in least]
    hi = [0] * len(rows)
    cand = [0 if q else max(f, a) for q, f, a in zip(quiet, least, start_agents, strict=True)]
    stride = [1] * len(rows)
    ceiling = [MAX_SIM_AGENTS] * len(rows)
    unreachable = [False] * len(rows)
    steps = 0
    while True:
        pending = [
            i
            for i in range(len(rows))
            if not quiet[i] and not unreachable[i] and (not hi[i] or hi[i] - lo[i] > 1)
        ]
        if not pending or steps == max_steps:
            break
        steps += 1
        run([(i, cand[i]) for i in pending])
        for i in pending:
            w = (i, cand[i])
            came = max(r.customers for r in seen[w])
            ceiling[i] = min(ceiling[i], max(1, came))
            if meets(w):
                hi[i] = cand[i]
                gallop = lo[i] == least[i] - 1 and cand[i] - stride[i] >= least[i]
                cand[i] = cand[i] - stride[i] if gallop else (lo[i] + hi[i]) // 2
            else:
                lo[i] = cand[i]
                if hi[i]:
                    cand[i] = (lo[i] + hi[i]) // 2
                elif nobody_waited(w) or cand[i] >= ceiling[i]:
                    unreachable[i] = True
                else:
                    cand[i] = max(least[i], min(cand[i] + stride[i], ceiling[i]))
            stride[i] *= 2
    run([(i, r.agents) for i, r in enumerate(rows)])
    out = []
    for i, r in enumerate(rows):
        # The fewest agents that met the targets; where none did, the most simulated (never
        # a candidate that was not run).
        got = 0 if quiet[i] else hi[i] or lo[i]
        met = quiet[i] or hi[i] > 0
        w, e = (i, got), (i, r.agents)
        out.append(
            VerifiedInterval(
                r.start,
                r.duration,
                r.arrivals,
                r.agents,
                got,
                Estimate.of(levels(w)),
                Estimate.of(abandons(w)),
                Estimate.of(levels(e)),
                Estimate.of(abandons(e)),
                quiet[i] or unreachable[i] or (met and hi[i] - lo[i] <= 1),
                met,
                unreachable[i],
            )
        )
    return VerifiedPlan(tuple(out), plan.level, plan.target, abandonment, seeds)
