"""What to simulate: arrivals, agents and their shifts, escalations, and whole scenarios.

:class:`SimConfig` is the traffic, the people and the horizon of one run; :class:`Scenario`
is one run as plain data (picklable, for sweeps on other processes or machines), and
:func:`mmc_scenario` the M/M/c queue of Erlang C as one.
"""

from __future__ import annotations

import bisect
import copy
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final, NoReturn

import attrs

from csflow._config import check_keys, mapping, sequence, wrap
from csflow._frozen import FrozenDict
from csflow._text import check_document, show
from csflow._time import MAX_US, ONE_US, duration_us, instant_us
from csflow.calendar import BusinessCalendar
from csflow.desk import DeskConfig
from csflow.errors import ConfigError, UndeclaredNameError
from csflow.metrics import DEFAULT_SERVICE_TARGET
from csflow.model import AgentProfile, Channel
from csflow.routing.capacity import CapacityRules
from csflow.routing.escalation import EscalationGraph
from csflow.sim._data import MAX_SIM_ITEMS as MAX_SIM_ITEMS
from csflow.sim._data import bounded, clock, mix, number, span
from csflow.sim.distributions import Distribution, Exponential, read_distribution

__all__ = [
    "PEAK_DAYS",
    "AgentGroup",
    "Arrivals",
    "CallbackOffer",
    "EscalationRule",
    "RatePeriod",
    "Scenario",
    "Shift",
    "SimConfig",
    "check_seed",
    "mmc_scenario",
    "peak_factor",
]

#: Peak-day multipliers of the arrival rate, by name, for Indonesian e-commerce: the days
#: before Lebaran (Idul Fitri) and the 11.11 and 12.12 sales.  Sample values: calibrate them on
#: your own history.
PEAK_DAYS: Final[Mapping[str, float]] = FrozenDict(
    {"normal": 1.0, "lebaran": 2.5, "11.11": 3.0, "12.12": 3.5}
)


#: The highest arrival rate a simulation takes, in contacts an hour, after the peak-day
#: multiplier: 10 million an hour (2,778 a second), far beyond any desk's peak.  A run costs
#: about one step per customer, so a rate beyond it would not finish (and rates past about
#: 1e15 an hour draw gaps below the resolution of the simulated clock and would never end).
#: Not exported: the number is the documented contract.
MAX_ARRIVAL_RATE: Final = 1e7

#: The most reporting intervals a simulation's horizon holds: ``duration / interval`` is at
#: most 100,000 (a year is 35,040 intervals of 15 minutes, or 17,520 of 30).  The simulator
#: keeps a row per interval in :attr:`SimResult.sla_series` and
#: :attr:`SimResult.occupancy_series`, so a finer interval or a longer horizon would fill
#: memory; the drain after the horizon adds at most as many rows again.  Not exported: the
#: number is the documented contract.
MAX_SIM_INTERVALS: Final = 100_000

#: How long the drain may last: a year after the horizon (and after the agents' last scheduled
#: shift change, when that is later).  The simulator stops then, whatever is still to happen
#: (a backlog of years, a handle time drawn in months); what is still open stays open in the
#: report (waiting, or taken and not resolved).  It bounds the run's instants, which must stay
#: within the year 9999 (see :class:`SimConfig`).  Not exported.
MAX_DRAIN: Final = timedelta(days=365)

#: The most agents a simulation has, over all its groups: 100,000, past the largest desk a
#: planner simulates, and a bound on the run's memory and set-up time (each simulated agent
#: holds about 3 KB of desk state and takes about 0.1 ms to set up: 100,000 agents about 300
#: MB and 10 s), so that a hostile count is refused when the configuration is built rather
#: than set up agent by agent until memory runs out.  The Erlang formulas take more
#: (``csflow.staffing.MAX_AGENTS``): they cost nothing per agent.  Not exported.
MAX_SIM_AGENTS: Final = 100_000

#: The most customers a simulation expects over its horizon: 10 million, the rate profile
#: (times ``peak``) integrated over ``duration`` (or ``max_customers`` when that is smaller).  A
#: simulated customer costs about a hundred microseconds, so the bound keeps a run within
#: about twenty minutes; a rate within :data:`MAX_ARRIVAL_RATE` held for years would not
#: finish.  It bounds the expected count: the Poisson draws may bring a few thousand more.
#: Not exported: the number is the documented contract.
MAX_SIM_CUSTOMERS: Final = 10_000_000

#: The most tickets open at once during a run (waiting, or held by an agent): a million.  Each
#: costs about 2 KB of desk and simulator state, so the bound keeps a run's memory within about
#: 2 GB however far the staffing falls behind the traffic; a run that reaches it stops with a
#: :class:`~csflow.errors.ConfigError` at path ``agents`` (the staffing cannot keep up).  A run
#: sure to reach it -- more customers expected than this that no agent will ever take and who
#: never give up -- is refused before it starts, by :meth:`SimConfig.check_desk`.  Not
#: exported: the number is the documented contract.
MAX_SIM_OPEN: Final = 1_000_000

#: The most presence changes a simulation plans, over all its agents: 10 million (each shift
#: plans at most two, its start and its end, and each break two more, for every agent of the
#: group).  Each change is one desk command (tens of microseconds), so the bound keeps the
#: run's set-up work within minutes; the plan itself is kept once per group and wave of
#: breaks, not per agent.  Not exported: the number is the documented contract.
MAX_SIM_PRESENCE_CHANGES: Final = 10_000_000

_MAX_DRAIN_US: Final = MAX_DRAIN // ONE_US


def _mix(value: object, path: str) -> tuple[tuple[str, float], ...]:
    """A mix (see :func:`~csflow.sim._data.mix`) whose names are distinct: a name given twice in
    list form (``[["chat", 5], ["chat", 2]]``) is a slip, refused at its place
    (``path[i]``) rather than read as the sum of its weights."""
    out = mix(value, path)
    if len(out) > 1:
        first: dict[str, int] = {}
        for i, (name, _) in enumerate(out):
            if name in first:
                raise ConfigError(
                    f"a mix names each entry once, got {show(name)} again (as {path}[{first[name]}])",
                    f"{path}[{i}]",
                )
            first[name] = i
    return out


def _channels(value: Any) -> tuple[tuple[str, float], ...]:
    return _mix(value, "channels")


def _tiers(value: Any) -> tuple[tuple[str, float], ...]:
    return _mix(value, "tiers")


def _categories(value: Any) -> tuple[tuple[str, float], ...]:
    return _mix(value, "categories")


def _languages(value: Any) -> tuple[tuple[str, float], ...]:
    # An empty mix (or None): tickets without a language.
    if value is None or (isinstance(value, Mapping | list | tuple) and not value):
        return ()
    return _mix(value, "languages")


def _items(value: object, argument: str, what: str) -> tuple[Any, ...]:
    """*value* as a tuple: a collection (not a string, bytes or a mapping, which would be read
    as their letters or keys)."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise ConfigError(f"{argument!r} must be a sequence of {what}, got {show(value)}")
    return bounded(value, argument)


def _typed(value: object, argument: str, kind: type[Any], what: str) -> tuple[Any, ...]:
    """*value* as a tuple of *kind* instances (``argument[i]`` named for a stray item)."""
    items = _items(value, argument, what)
    for i, item in enumerate(items):
        if not isinstance(item, kind):
            name = kind.__name__
            article = "an" if name[0] in "AEIOU" else "a"
            raise ConfigError(f"{argument}[{i}] must be {article} {name}, got {show(item)}")
    return items


def _span_us(value: object, argument: str) -> int:
    """Microseconds of a ``timedelta >= 0`` named *argument*."""
    return duration_us(value, argument, ConfigError)


def _breaks(value: Any) -> tuple[tuple[timedelta, timedelta], ...]:
    out = []
    for i, pair in enumerate(_items(value, "breaks", "(start, duration) pairs")):
        if not (
            isinstance(pair, tuple | list)
            and len(pair) == 2
            and all(isinstance(x, timedelta) for x in pair)
        ):
            raise ConfigError(
                f"breaks[{i}] must be a (start, duration) pair of timedeltas, got {show(pair)}"
            )
        out.append((pair[0], pair[1]))
    return tuple(out)


def _names(value: object, argument: str) -> tuple[str, ...]:
    items = _items(value, argument, "names")
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise ConfigError(f"{argument}[{i}] must be a string, got {show(item)}")
    return items


def _agent_languages(value: object) -> tuple[str, ...]:
    return _names(value, "languages")


def _agent_teams(value: object) -> tuple[str, ...]:
    return _names(value, "teams")


def _shifts(value: object) -> tuple[Shift, ...]:
    return _typed(value, "shifts", Shift, "Shift")


def _groups(value: object) -> tuple[AgentGroup, ...]:
    return _typed(value, "agents", AgentGroup, "AgentGroup")


def _rules(value: object) -> tuple[EscalationRule, ...]:
    return _typed(value, "escalations", EscalationRule, "EscalationRule")


@attrs.frozen
class RatePeriod:
    """From *start* (time of day, as an offset from the day's start) the arrival rate is
    *per_hour* contacts an hour, until the next period starts.

    The simulated day starts at :attr:`SimConfig.start` and every 24 elapsed hours after it,
    so *start* is elapsed time, not a wall-clock time in a zone: across a daylight-saving
    change the period lands an hour off the local clock (see :class:`SimConfig`).

    Raises:
        ConfigError: *start* outside ``[0, 24 h)`` or a negative rate.
    """

    start: timedelta
    per_hour: float

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.start, timedelta) or not (
            timedelta(0) <= self.start < timedelta(days=1)
        ):
            raise ConfigError(f"'start' must be a time of day in [0, 24 h), got {self.start!r}")
        number(self.per_hour, "per_hour")


def _to_periods(value: Sequence[RatePeriod]) -> tuple[RatePeriod, ...]:
    return _typed(value, "rates", RatePeriod, "RatePeriod")


@attrs.frozen
class Arrivals:
    """Who writes, when, on which channel: a Poisson process with a daily rate profile.

    Args:
        rates: The rate over the day, piecewise constant; the first period starts at 0 and the
            profile repeats every 24 elapsed hours (offsets are elapsed time from
            :attr:`SimConfig.start`, at its UTC offset: across a daylight-saving change
            they land an hour off the local clock; see :class:`SimConfig`).
        channels: Channel name -> weight of the mix.  A mix is a mapping: the order it
            lists its names in changes no run (the simulator draws from it in the sorted
            order of the names), so ``{"chat": 3, "email": 1}`` and ``{"email": 1,
            "chat": 3}`` give each customer the same channel, as for every other mix.
        tiers: Tier name -> weight of the mix (names of the desk's tiers).
        categories: Category -> weight (rules and escalations see the category).
        languages: Language code -> weight, or empty for tickets without a language.

    Raises:
        ConfigError: *rates* not a sequence of :class:`RatePeriod`, no period, periods out of
            order, or a bad mix.
    """

    rates: tuple[RatePeriod, ...] = attrs.field(converter=_to_periods)
    channels: tuple[tuple[str, float], ...] = attrs.field(
        default=(("phone", 1.0),), converter=_channels
    )
    tiers: tuple[tuple[str, float], ...] = attrs.field(
        default=(("regular", 1.0),), converter=_tiers
    )
    categories: tuple[tuple[str, float], ...] = attrs.field(
        default=(("general", 1.0),), converter=_categories
    )
    languages: tuple[tuple[str, float], ...] = attrs.field(default=(), converter=_languages)

    def __attrs_post_init__(self) -> None:
        if not self.rates or self.rates[0].start != timedelta(0):
            raise ConfigError(
                f"'rates' must start with a period at 0, got {show(self.rates)}",
                "rates[0]" if self.rates else "rates",
            )
        for i in range(1, len(self.rates)):
            if self.rates[i].start <= self.rates[i - 1].start:
                raise ConfigError(
                    "'rates' must be in increasing order of start, got "
                    f"{show(self.rates[i].start)} after {show(self.rates[i - 1].start)}",
                    f"rates[{i}]",
                )

    def expected(self, duration: timedelta, peak: float = 1.0) -> float:
        """The customers expected over the first *duration* of the profile: its rates
        integrated over that span (the profile repeats every day), times *peak*."""
        day = timedelta(days=1)
        bounds = [p.start for p in self.rates] + [day]

        def upto(offset: timedelta) -> float:
            """Contact-hours of rate over ``[0, offset)`` of one day."""
            total = 0.0
            for i, p in enumerate(self.rates):
                if offset <= p.start:
                    break
                span = min(offset, bounds[i + 1]) - p.start
                total += p.per_hour * (span / timedelta(hours=1))
            return total

        days, rest = divmod(duration, day)
        return (days * upto(day) + upto(rest)) * peak

    @classmethod
    def constant(cls, per_hour: float, **mix: Any) -> Arrivals:
        """Arrivals at one rate all day (the mixes as keyword arguments)."""
        return cls((RatePeriod(timedelta(0), per_hour),), **mix)

    def per_hour_at(self, offset: timedelta) -> float:
        """The rate (before the peak multiplier) at *offset* from the start of a day."""
        tod = offset % timedelta(days=1)
        i = bisect.bisect_right([p.start for p in self.rates], tod) - 1
        return self.rates[i].per_hour


@attrs.frozen
class Shift:
    """When an agent works, as offsets from :attr:`SimConfig.start`, and its breaks.

    The offsets are elapsed time (``PT32H`` is 32 hours after the start, whatever the local
    clock reads then: 09:00, not 08:00, the day after a midnight start on the day clocks go
    forward); see :class:`SimConfig`.

    Args:
        start: The shift starts (the agent becomes available).
        end: The shift ends (the agent goes offline; it finishes the tickets it holds);
            ``None`` (the default): the agent stays until the simulation ends, the drain after
            the last arrival included.  ``Shift()`` is the whole simulation.
        breaks: ``(start, duration)`` pairs, offsets from the simulation start; the agent is
            ``away`` then (it finishes what it holds, takes nothing new).  Breaks that overlap
            join into one.  A break that starts with the shift keeps the agent away from the
            shift's first instant (it takes no work before the break), and one that lasts to
            the shift's end keeps it away until then, when it goes offline (it is never
            available between the break and the end).

    Raises:
        ConfigError: *start* or *end* not a timedelta, *end* not after *start* (path ``end``;
            ``start`` for a negative start), *breaks* not ``(start, duration)`` pairs of
            timedeltas, or a break outside the shift (path ``breaks[k]``).
    """

    start: timedelta = timedelta(0)
    end: timedelta | None = None
    breaks: tuple[tuple[timedelta, timedelta], ...] = attrs.field(default=(), converter=_breaks)

    def __attrs_post_init__(self) -> None:
        for name, value in (("start", self.start), ("end", self.end)):
            if not isinstance(value, timedelta) and not (name == "end" and value is None):
                raise ConfigError(
                    f"{name!r} must be a timedelta (an offset from the simulation's start)"
                    + (" or None" if name == "end" else "")
                    + f", got {show(value)}"
                )
        if not (timedelta(0) <= self.start and (self.end is None or self.start < self.end)):
            raise ConfigError(
                "a shift must end after it starts, at or after 0, "
                f"got {show(self.start)}-{show(self.end)}",
                "start" if self.start < timedelta(0) else "end",
            )
        for k, (b, d) in enumerate(self.breaks):
            if d <= timedelta(0) or b < self.start or (self.end is not None and d > self.end - b):
                raise ConfigError(
                    f"break ({show(b)}, {show(d)}) must be a positive span within the shift "
                    f"{show(self.start)}-{show(self.end)}",
                    f"breaks[{k}]",
                )

    def on_time(self) -> timedelta | None:
        """Time on shift, breaks excluded (overlapping breaks counted once); ``None`` for a
        shift that lasts to the end."""
        if self.end is None:
            return None
        away = timedelta(0)
        until = self.start
        for b, d in sorted(self.breaks):
            # Each break lies within the shift: its end is at most the shift's, no overflow.
            b1 = b + d
            if b1 > until:
                away += b1 - max(b, until)
                until = b1
        return self.end - self.start - away


def _check_count(count: object) -> int:
    """An agent group's count: an int from 0 to :data:`MAX_SIM_AGENTS`."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ConfigError(f"'count' must be an int >= 0, got {show(count)}")
    if count > MAX_SIM_AGENTS:
        raise ConfigError(f"'count' must be at most {MAX_SIM_AGENTS:,}, got {show(count)}")
    return count


@attrs.frozen
class AgentGroup:
    """*count* alike agents: ids ``f"{name}-{i}"``, the same skills, capacity and shifts.

    Args:
        name: The group's name (prefix of the agents' ids).
        count: How many agents.
        capacity: Channel name -> tickets held at once.
        skills: Skill -> proficiency (1-5).
        languages: Language codes the agents serve in.
        teams: Team names (their routing profile follows from the desk's teams).
        shifts: When they work (default: the whole simulation); they must not overlap (one
            may start where another ends: the agent then stays on).
        break_waves: Breaks are spread over this many waves: agent ``i`` takes each break
            ``(i % break_waves) * break_gap`` later, so the whole group is never away at once.
            A break delayed past its shift's end is cut there (or dropped).
        break_gap: The delay between waves.

    Raises:
        ConfigError: A count that is negative or above :data:`MAX_SIM_AGENTS`, *shifts* not a
            sequence of :class:`Shift`, two shifts that overlap (path ``shifts[j]``, the later
            one), more planned presence changes than :data:`MAX_SIM_PRESENCE_CHANGES` (*count*
            times two per shift and two per break; path ``shifts``), *break_waves* not an int
            ``>= 1`` (path ``break_waves``), *break_gap* not a ``timedelta >= 0``, or a
            malformed profile (name, capacity, skills, languages, teams; path ``name``,
            ``capacity.<channel>``, ``skills.<skill>``, ``languages[i]``, ``teams[i]``).
    """

    name: str
    count: int
    capacity: Mapping[str, int] = attrs.field(factory=lambda: {"phone": 1})
    skills: Mapping[str, int] = attrs.field(factory=dict)
    languages: tuple[str, ...] = attrs.field(default=(), converter=_agent_languages)
    teams: tuple[str, ...] = attrs.field(default=(), converter=_agent_teams)
    shifts: tuple[Shift, ...] = attrs.field(default=(Shift(),), converter=_shifts)
    break_waves: int = 1
    break_gap: timedelta = timedelta(0)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ConfigError(f"'name' must be a non-empty string, got {show(self.name)}", "name")
        _check_count(self.count)
        for name, value in (("capacity", self.capacity), ("skills", self.skills)):
            if not isinstance(value, Mapping):
                raise ConfigError(f"{name!r} must be a mapping name -> int, got {show(value)}")
        b = self.break_waves
        if isinstance(b, bool) or not isinstance(b, int) or b < 1:
            raise ConfigError(
                f"'break_waves' must be an int >= 1, got {show(self.break_waves)}", "break_waves"
            )
        _span_us(self.break_gap, "break_gap")
        self._check_shifts()
        # Build one profile now so that a malformed one fails at configuration time.
        try:
            self.profile(0)
        except ConfigError as exc:
            # (The profile's path is its own: its ``id`` is the group's name.)
            raise ConfigError(exc.detail, self._profile_culprit() or exc.path) from None

    def _check_shifts(self) -> None:
        """No two shifts overlap, and the plan is within :data:`MAX_SIM_PRESENCE_CHANGES`."""
        order = sorted(range(len(self.shifts)), key=lambda j: self.shifts[j].start)
        for p, q in itertools.pairwise(order):
            earlier, later = self.shifts[p], self.shifts[q]
            if earlier.end is None or earlier.end > later.start:
                raise ConfigError(
                    f"shifts must not overlap: {show(later.start)}-{show(later.end)} starts "
                    f"before shifts[{p}] ({show(earlier.start)}-{show(earlier.end)}) ends",
                    f"shifts[{q}]",
                )
        changes = self.presence_changes()
        if self.count * changes > MAX_SIM_PRESENCE_CHANGES:
            raise ConfigError(
                f"a simulation plans at most {MAX_SIM_PRESENCE_CHANGES:,} presence changes, "
                f"got {self.count:,} agents x {changes:,} (two per shift and per break)",
                "shifts",
            )

    def presence_changes(self) -> int:
        """The most presence changes the simulator plans for one of the group's agents: two
        per shift (its start and end) and two per break."""
        return sum(2 + 2 * len(s.breaks) for s in self.shifts)

    def _profile_culprit(self) -> str:
        """The field of a profile that :class:`~csflow.model.AgentProfile` refuses: the name,
        a capacity's or skill's entry, or a language or team (``""`` when none alone is)."""
        probes: list[tuple[str, dict[str, Any]]] = [("name", {})]
        probes += [(f"capacity.{k}", {"capacity": {k: v}}) for k, v in self.capacity.items()]
        probes += [(f"skills.{k}", {"skills": {k: v}}) for k, v in self.skills.items()]
        probes += [(f"languages[{i}]", {"languages": (x,)}) for i, x in enumerate(self.languages)]
        probes += [(f"teams[{i}]", {"teams": (x,)}) for i, x in enumerate(self.teams)]
        for where, kwargs in probes:
            try:
                AgentProfile(f"{self.name}-0", **kwargs)
            except ConfigError:
                return where
        return ""

    def profile(self, i: int) -> AgentProfile:
        """The profile of the group's *i*-th agent."""
        capacity: dict[Channel | str, int] = {}
        capacity.update(self.capacity.items())
        return AgentProfile(
            f"{self.name}-{i}",
            skills=dict(self.skills),
            languages=self.languages,
            capacity=capacity,
            teams=self.teams,
        )

    def slots(self, rules: CapacityRules | None = None) -> int:
        """Tickets one agent holds at once at most, under the desk's capacity *rules*
        (default: ``CapacityRules()``, the desk's default): the capacity slots its
        occupancy is counted in, so that time on contacts never exceeds time available.

        An agent holds tickets of several channels at once: up to its capacity on each
        channel that is not exclusive (capped by the rules' *limits*; with a *budget*, as
        many as the budget's load units allow, lightest channels first); a ticket of an
        exclusive channel (the phone, by default) is held alone, so such a channel adds one
        slot at most, and only when nothing else is held.
        """
        r = CapacityRules() if rules is None else rules
        caps: dict[str, int] = {}
        for channel, n in self.capacity.items():
            cap = min(n, r.limits[channel]) if channel in r.limits else n
            if cap > 0:
                caps[str(channel)] = cap
        shared = sorted(
            (r.weights.get(channel, 1), n)
            for channel, n in caps.items()
            if channel not in r.exclusive
        )
        together = 0
        budget = r.budget
        for weight, n in shared:
            k = n if budget is None else min(n, budget // weight)
            together += k
            if budget is not None:
                budget -= k * weight
        alone = 1 if any(channel in r.exclusive for channel in caps) else 0
        return max(together, alone)


def _last_change_us(group: AgentGroup) -> int:
    """The latest offset from the start, in µs, at which the simulator may change the presence
    of one of *group*'s agents (an upper bound: a shift's start or end, or the end of a break of
    an open-ended shift, in the latest wave)."""
    if group.count == 0:
        return 0
    lag = _span_us(group.break_gap, "break_gap") * (min(group.count, group.break_waves) - 1)
    latest = 0
    for s in group.shifts:
        latest = max(latest, _span_us(s.start, "start"))
        if s.end is not None:
            latest = max(latest, _span_us(s.end, "end"))  # its breaks end by its end
        else:
            for b, d in s.breaks:
                latest = max(latest, _span_us(b, "break") + lag + _span_us(d, "break"))
    return latest


def _undeclared(kind: str, name: str, declared: Iterable[str], path: str, field: str) -> NoReturn:
    """Refuse *name*, which the desk's *field* does not declare (as the desk would, mid-run)."""
    how = "define none" if field in ("tiers", "teams") else "or 'open'"
    raise UndeclaredNameError(
        f"undeclared {kind} {show(name)}; declared: {show(sorted(declared))} "
        f"(DeskConfig.{field}; {how} to accept any)",
        path,
    )


def _check_group_names(group: AgentGroup, path: str, desk: DeskConfig) -> None:
    """The names *group*'s agents use are declared by *desk*, as ``Desk.add_agent`` checks
    them, at the group's own paths."""
    profile = group.profile(0)
    if desk.channels is not None:
        for name in profile.capacity:
            if name not in desk.channels:
                where = f"{path}.capacity.{name}"
                _undeclared("channel", name, desk.channels, where, "channels")
    if desk.languages is not None:
        for j, name in enumerate(group.languages):
            if name not in desk.languages:
                where = f"{path}.languages[{j}]"
                _undeclared("language", name, desk.languages, where, "languages")
    if desk.skills is not None:
        for name in profile.skills:
            if name not in desk.skills:
                _undeclared("skill", name, desk.skills, f"{path}.skills.{name}", "skills")
    if desk.teams:
        for j, name in enumerate(group.teams):
            if name not in desk.teams:
                _undeclared("team", name, desk.teams, f"{path}.teams[{j}]", "teams")


def _escalation_source(desk: DeskConfig, graph: EscalationGraph) -> str | None:
    """The team a simulated ticket is escalated from, when the desk's configuration fixes it
    before the run: every ticket waits in the default queue (no triage rule sets a queue,
    no queue or escalation policy can choose one, no queue overflows), whose team it is, else
    the escalation graph's first entry (as ``Desk.escalate`` finds it); ``None`` when it
    depends on the ticket or on the run."""
    if desk.queue_policy is not None or desk.escalation_policy is not None:
        return None
    if any("queue" in rule.then for rule in desk.triage):
        return None
    for q in desk.queues:
        steps = q.relaxation.steps if q.relaxation is not None else ()
        if any(step.overflow_to is not None for step in steps):
            return None
    default = desk.queues[0].name
    # The desk's own lookup, queue -> team (the last team of a queue that several share).
    source = {t.queue: t.name for t in desk.teams.values()}.get(default)
    return graph.entry[0] if source is None else source


@attrs.frozen
class EscalationRule:
    """When a front-line handling of a ticket of *category* ends, escalate it to *team* with
    *probability* instead of resolving it; that team's agent handles it again and resolves.

    Raises:
        ConfigError: A *category* or *team* that is not a non-empty string, or a probability
            outside [0, 1].
    """

    category: str
    team: str
    probability: float

    def __attrs_post_init__(self) -> None:
        for name, value in (("category", self.category), ("team", self.team)):
            if not isinstance(value, str) or not value:
                raise ConfigError(f"{name!r} must be a non-empty string, got {show(value)}")
        p = self.probability
        if isinstance(p, bool) or not isinstance(p, int | float) or not 0 <= p <= 1:
            raise ConfigError(f"'probability' must be a number in [0, 1], got {show(p)}")


def _offer_channels(value: object) -> tuple[str, ...]:
    """The converter of :attr:`CallbackOffer.channels`: channel names, at least one, each
    once."""
    names = _names(value, "channels")
    if not names:
        raise ConfigError("'channels' must name at least one channel, got none", "channels")
    first: dict[str, int] = {}  # (a look-up each: a long list costs no quadratic time)
    for i, name in enumerate(names):
        if not name:
            raise ConfigError(
                f"channels[{i}] must be a non-empty string, got {show(name)}", f"channels[{i}]"
            )
        if name in first:
            raise ConfigError(
                f"channels[{i}]: {show(name)} is offered twice (as channels[{first[name]}])",
                f"channels[{i}]",
            )
        first[name] = i
    return names


@attrs.frozen
class CallbackOffer:
    """Offer a call-back to customers still on hold: a planner's what-if for a peak day.

    A customer on one of *channels* who still waits for a first agent *after* its arrival is
    offered a call-back and takes it with probability *accept*: the simulator then asks the
    desk for one (:meth:`~csflow.desk.Desk.request_callback`: the ticket keeps its place in
    line and waits for an agent who can take a call now, on the ``phone`` channel; its
    handling takes the handle time drawn at its arrival for its own channel), and the
    customer no longer abandons (it hung up and waits for the call: its patience is
    cancelled).  A customer who declines keeps waiting with its patience.  Whether a
    customer would accept is drawn at its arrival, for every customer of an offered channel,
    from a stream of that channel's own (see the run loop's "Common random numbers"), so runs
    with and without the offer see the same customers, handle times and patience, and runs
    that offer more or fewer channels give each channel's customers the same answers.

    Args:
        after: How long a customer waits before the offer, a ``timedelta >= 0`` (``0``: at
            once, to every customer who could not be served on arrival).  When a customer's
            patience runs out at that very instant, the offer comes first.
        accept: The probability that a customer takes the offer, a number in ``[0, 1]``.
        channels: The channels whose customers are offered a call-back (default: the
            phone's: "press 1 to be called back"), at least one, each once.

    Raises:
        ConfigError: An *after* that is not a ``timedelta >= 0`` (path ``after``), an
            *accept* that is not a number in ``[0, 1]`` (path ``accept``), or *channels* not
            a sequence of distinct non-empty names (path ``channels`` or ``channels[i]``).

    Examples:
        >>> from datetime import timedelta
        >>> CallbackOffer(timedelta(minutes=2), 0.6).channels
        ('phone',)
    """

    after: timedelta
    accept: float
    channels: tuple[str, ...] = attrs.field(default=("phone",), converter=_offer_channels)

    def __attrs_post_init__(self) -> None:
        try:
            _span_us(self.after, "after")
        except ConfigError as exc:
            raise ConfigError(exc.detail, "after") from None
        p = self.accept
        if isinstance(p, bool) or not isinstance(p, int | float) or not 0 <= p <= 1:
            raise ConfigError(f"'accept' must be a number in [0, 1], got {show(p)}", "accept")


def _callbacks(value: object) -> CallbackOffer | None:
    """The converter of :attr:`SimConfig.callbacks`: ``None`` or a :class:`CallbackOffer`."""
    if value is None or isinstance(value, CallbackOffer):
        return value
    raise ConfigError(
        f"'callbacks' must be a CallbackOffer or None, got {show(value)}", "callbacks"
    )


def _offer_from_dict(data: object, path: str) -> CallbackOffer:
    """A :class:`CallbackOffer` from ``{"after": "PT2M", "accept": 0.6, "channels":
    ["phone"]}`` (*channels* optional)."""
    d = mapping(data, path)
    check_keys(d, ("after", "accept", "channels"), path)
    for key in ("after", "accept"):
        if key not in d:
            raise ConfigError(f"missing {key!r}", f"{path}.{key}")
    kw: dict[str, Any] = {}
    if "channels" in d:
        kw["channels"] = sequence(d["channels"], f"{path}.channels")
    return wrap(  # type: ignore[no-any-return]
        path,
        CallbackOffer,
        span(d["after"], f"{path}.after", zero=True),
        number(d["accept"], f"{path}.accept"),
        **kw,
    )


def _distributions(value: Any, argument: str) -> tuple[tuple[str, Distribution], ...]:
    if isinstance(value, tuple):
        try:
            value = dict(value)
        except (TypeError, ValueError):
            raise ConfigError(
                f"expected a mapping channel -> distribution, got {show(value)}", argument
            ) from None
    return tuple(
        (str(k), read_distribution(v, f"{argument}.{k}"))
        for k, v in mapping(value, argument).items()
    )


def _handle_times(value: Any) -> tuple[tuple[str, Distribution], ...]:
    return _distributions(value, "handle_time")


def _patiences(value: Any) -> tuple[tuple[str, Distribution], ...]:
    return _distributions(value, "patience")


def _named_like(value: float) -> str | None:
    """The :data:`PEAK_DAYS` name that reads as the number *value* (``11.11``), if any."""
    for name in PEAK_DAYS:
        try:
            if float(name) == value:
                return name
        except ValueError:
            continue
    return None


def peak_factor(value: object, path: str = "") -> float:
    """A peak-day multiplier: a :data:`PEAK_DAYS` name, a positive number, or a factor
    written ``"x11.11"``.

    A bare number that reads as a peak day's name (``11.11``, ``12.12``: what YAML, TOML and
    JSON make of an unquoted ``peak: 11.11``) is refused: nobody plans for eleven times the
    traffic, and the name (quoted) is what was meant.

    Raises:
        ConfigError: An unknown name, a number that is not positive, or a bare number that
            is a peak day's name.
    """
    if isinstance(value, str):
        if value in PEAK_DAYS:
            return PEAK_DAYS[value]
        text = value.strip()
        if text[:1] in ("x", "X", "\u00d7"):
            try:
                factor = float(text[1:])
            except ValueError:
                factor = math.nan
            if math.isfinite(factor) and factor > 0:
                return factor
        raise ConfigError(
            f"unknown peak day {show(value)}; expected one of {', '.join(PEAK_DAYS)}, "
            "a positive number, or a factor such as 'x2.5'",
            path,
        )
    if not isinstance(value, bool) and isinstance(value, int | float):
        try:
            name = _named_like(float(value))
        except OverflowError:  # an int past float's range: `number` refuses it below
            name = None
        if name is not None:
            raise ConfigError(
                f"the number {value!r} multiplies the traffic by {value!r}; for the "
                f"{name} peak day (x{PEAK_DAYS[name]:g}) quote it: '{name}' (or, if a factor "
                f"of {value!r} is really meant, write it 'x{name}')",
                path,
            )
    return number(value, path or "peak", positive=True)


def _peak(value: float | str) -> float:
    """The converter of :attr:`SimConfig.peak`: a name, ``"x<factor>"`` or a number (a
    number from Python code is taken as given; :meth:`SimConfig.from_dict`, the reader of
    config files, refuses a bare ``11.11`` first)."""
    if isinstance(value, str):
        return peak_factor(value)
    return number(value, "peak", positive=True)


@attrs.frozen
class SimConfig:
    """What to simulate: the traffic, the people, the horizon.

    Args:
        start: When the simulation starts (aware).  Every offset of the run is elapsed time
            from it, at its fixed UTC offset: the rate profile's times of day
            (:class:`RatePeriod`), the shifts and breaks (:class:`Shift`), *warmup* and
            *duration*.  A simulated day is 24 elapsed hours, not a day of a time zone's wall
            clock: from a daylight-saving change on, rate periods and shifts land an hour off
            the desk's local time (its calendars' zone).  A run that starts at midnight
            ``+01:00`` on the day Berlin moves its clocks forward brings the ``08:00`` rate at
            09:00 local time from that day on.  To simulate a week that spans a change, run
            each local day as a run of its own, *start* at local midnight with the offset
            then in force (``2026-03-30T00:00:00+02:00``), and on the day of the change
            write the times after it an hour earlier when clocks go forward (an hour later
            when they go back): 08:00 in Berlin on 29 March 2026 is ``07:00`` from that
            day's ``+01:00`` midnight.  (Shifts alone could be moved within one long run;
            a rate profile repeats every 24 hours and cannot.)
        duration: How long arrivals come.  The simulation then drains: the agents still on
            shift serve the tickets in line, and customers with a patience give up, until
            nothing is left to happen, or for :data:`MAX_DRAIN` (a year) at most after the
            horizon and after the agents' last scheduled shift change.  A ticket that no agent
            can take any more (no agent on shift with capacity for its channel, none at all,
            or shifts that ended before the line emptied) and whose customer never gives up
            stays in line: the report counts it in ``waiting``, answered neither on time nor
            late (more than :data:`MAX_SIM_OPEN` of them expected is refused by
            :meth:`check_desk`, before the run).  The horizon holds at most :data:`MAX_SIM_INTERVALS` (100,000)
            intervals of *interval*, and *start* plus *duration* (or the last shift change, if
            later) plus :data:`MAX_DRAIN` must be within the year 9999.
        arrivals: The traffic; at most :data:`MAX_ARRIVAL_RATE` (10 million) contacts an hour
            in any period once multiplied by *peak*.
        agents: The agent groups: at most :data:`MAX_SIM_AGENTS` (100,000) agents in all,
            planning at most :data:`MAX_SIM_PRESENCE_CHANGES` (10 million) presence changes
            (see :meth:`AgentGroup.presence_changes`), in groups of distinct names.
        handle_time: Handle-time distribution by channel name, with ``"default"`` for the rest.
            Every other key is a channel of ``arrivals.channels`` (of weight 0 too) or of an
            agent group's capacity: a what-if that turns a channel off, or a sweep over
            ``arrivals.channels`` that leaves one out, keeps its distributions; a misspelt
            channel, in neither, would silently leave its customers on the default, and is
            refused.
        patience: Patience distribution by channel name (no entry: the customer never gives
            up), with ``"default"`` for the rest; every other key is a channel of
            ``arrivals.channels`` or of a group's capacity, as for *handle_time*.
        escalations: Escalation rules by category.
        peak: A peak-day multiplier of every rate: a :data:`PEAK_DAYS` name, a positive number
            or a factor written ``"x2.5"``; a bare number that reads as a peak day's name
            (``11.11``, ``12.12``) is refused by :meth:`from_dict` (quote the name; see
            :func:`peak_factor`).
        max_customers: Stop arrivals after this many customers (``None``: no limit).  The
            customers expected over the horizon (the rates times *peak* integrated over
            *duration*, or *max_customers* when fewer) are at most :data:`MAX_SIM_CUSTOMERS`
            (10 million); see :meth:`expected_customers`.
        warmup: Tickets that arrive in the first *warmup* are left out of the report (a
            steady-state estimate should not count the empty desk at the start); ``>= 0``
            and shorter than *duration* (a warm-up over the whole horizon would leave every
            ticket out).
        service_target: The answer-time target of the report's service level; ``>= 0``.
        interval: The length of the intervals of :attr:`SimResult.sla_series` and
            :attr:`SimResult.occupancy_series`; positive, and at least *duration* /
            :data:`MAX_SIM_INTERVALS`.
        reply_on_assign: The agent replies as soon as it takes a ticket (``True``, the
            default): the reply meets the desk's first-response clock (and restarts a
            periodic-update one) at the instant the ticket is answered.  ``False``: no agent
            ever replies, and resolving is no response (a solve cancels the response clocks
            still running), so a first-response target is never met: each ticket breaches it
            or, resolved before its deadline, counts neither way.  It changes only the SLA
            figures (``report.sla`` and ``sla_by_metric``, :attr:`SimResult.sla_series`);
            the service level and the speed of answer measure the wait for an agent either
            way.  Keep ``True`` for e-mail too: there the real reply goes out when the
            handling ends, a handle time after the answer, so plan an e-mail promise by
            simulating a desk whose e-mail first-response target is the promise less a
            typical handle time (a four-hour promise, ten-minute handlings: ``PT3H50M``).
            ``False`` is for a plan that reads the resolution targets only.
        short_abandon: The report's short-abandon threshold; ``>= 0``.  A customer who gives
            up after waiting strictly less than this is a short abandon, left out of the
            report's service level and abandonment rate (see
            :attr:`csflow.metrics.Report.short_abandoned`), as the real desk's reports of
            :func:`~csflow.metrics.summarize` with the same threshold leave it out.
            ``timedelta(0)`` (the default) leaves every abandonment in.
        callbacks: Offer waiting customers a call-back (a :class:`CallbackOffer`: after how
            long on hold, who accepts, on which channels); ``None`` (the default): no offer.
            Each offered channel must be one the traffic brings (a positive weight in
            ``arrivals.channels``).  :attr:`SimResult.callbacks` counts the call-backs
            requested.

    Raises:
        ConfigError: Anything malformed (a field of the wrong type, such as *arrivals* that is
            not an :class:`Arrivals` or *agents* that are not agent groups), an
            arrival rate (times *peak*) above :data:`MAX_ARRIVAL_RATE`, more than
            :data:`MAX_SIM_INTERVALS` intervals over the horizon (path ``interval``, or
            ``duration`` when even the default half hour would give too many), more than
            :data:`MAX_SIM_AGENTS` agents (path ``agents``), more than
            :data:`MAX_SIM_PRESENCE_CHANGES` planned presence changes (path ``agents``), more
            than :data:`MAX_SIM_CUSTOMERS` expected customers (path ``max_customers`` when it
            is set, else ``duration``, or ``arrivals`` when a single day brings too many), a
            horizon whose end plus :data:`MAX_DRAIN` is past the year 9999 (path
            ``duration``, or ``start`` when the start alone is too late; ``agents[i].shifts``
            for a shift change that late), a *warmup* not shorter than *duration* (path
            ``warmup``), two groups of one name (path ``agents[i].name``),
            or *handle_time* without a ``"default"`` (path ``handle_time``), a *handle_time*
            or *patience* entry for a channel that neither ``arrivals.channels`` nor any
            group's capacity names (path ``handle_time.<channel>`` or
            ``patience.<channel>``), *callbacks* not
            a :class:`CallbackOffer` or ``None`` (path ``callbacks``), or an offered channel
            the traffic never brings (path ``callbacks.channels[i]``).  The error's path
            names the field.
    """

    start: datetime
    duration: timedelta
    arrivals: Arrivals
    agents: tuple[AgentGroup, ...] = attrs.field(converter=_groups)
    handle_time: tuple[tuple[str, Distribution], ...] = attrs.field(
        default=(("default", Exponential(timedelta(minutes=6))),), converter=_handle_times
    )
    patience: tuple[tuple[str, Distribution], ...] = attrs.field(default=(), converter=_patiences)
    escalations: tuple[EscalationRule, ...] = attrs.field(default=(), converter=_rules)
    peak: float = attrs.field(default=1.0, converter=_peak)
    max_customers: int | None = None
    warmup: timedelta = timedelta(0)
    service_target: timedelta = DEFAULT_SERVICE_TARGET
    interval: timedelta = timedelta(minutes=30)
    reply_on_assign: bool = True
    short_abandon: timedelta = timedelta(0)
    callbacks: CallbackOffer | None = attrs.field(default=None, converter=_callbacks)

    def __attrs_post_init__(self) -> None:
        try:
            start_us = instant_us(self.start, "start", ConfigError)
        except ConfigError as exc:
            raise ConfigError(exc.detail, "start") from None
        if not isinstance(self.duration, timedelta) or self.duration <= timedelta(0):
            raise ConfigError(
                f"'duration' must be a positive timedelta, got {show(self.duration)}", "duration"
            )
        if not isinstance(self.interval, timedelta) or self.interval <= timedelta(0):
            raise ConfigError(
                f"'interval' must be a positive timedelta, got {show(self.interval)}", "interval"
            )
        if not isinstance(self.arrivals, Arrivals):
            raise ConfigError(f"'arrivals' must be an Arrivals, got {show(self.arrivals)}")
        for name in ("warmup", "service_target", "short_abandon"):
            try:
                duration_us(getattr(self, name), name, ConfigError)
            except ConfigError as exc:
                raise ConfigError(exc.detail, name) from None
        if self.warmup >= self.duration:
            # Every ticket would be left out: an empty report (no service level), refused.
            raise ConfigError(
                f"'warmup' must be shorter than 'duration' ({show(self.duration)}), got "
                f"{show(self.warmup)}: every ticket would be left out of the report",
                "warmup",
            )
        if not isinstance(self.reply_on_assign, bool):
            raise ConfigError(
                f"'reply_on_assign' must be True or False, got {show(self.reply_on_assign)}"
            )
        self._check_horizon(start_us)
        m = self.max_customers
        if m is not None and (isinstance(m, bool) or not isinstance(m, int) or m < 1):
            raise ConfigError(
                f"'max_customers' must be an int >= 1 or None, got {show(m)}", "max_customers"
            )
        for i, p in enumerate(self.arrivals.rates):
            rate = p.per_hour * self.peak
            if rate > MAX_ARRIVAL_RATE:
                # Name the culprit: the period's own rate, or the multiplier that lifted it.
                where = f"arrivals.rates[{i}]" if p.per_hour > MAX_ARRIVAL_RATE else "peak"
                raise ConfigError(
                    f"the arrival rate must be at most {MAX_ARRIVAL_RATE:g} contacts an hour "
                    f"(after the peak multiplier), got {show(p.per_hour)} an hour"
                    + ("" if self.peak == 1.0 else f" x peak {show(self.peak)}"),
                    where,
                )
        self._check_customers()
        seen: dict[str, int] = {}
        for i, g in enumerate(self.agents):
            if g.name in seen:
                raise ConfigError(
                    f"agent group names must be unique, got {show(g.name)} again (as "
                    f"agents[{seen[g.name]}])",
                    f"agents[{i}].name",
                )
            seen[g.name] = i
        total = sum(g.count for g in self.agents)
        if total > MAX_SIM_AGENTS:
            raise ConfigError(
                f"a simulation has at most {MAX_SIM_AGENTS:,} agents, got {total:,} over the "
                "groups",
                "agents",
            )
        changes = sum(g.count * g.presence_changes() for g in self.agents)
        if changes > MAX_SIM_PRESENCE_CHANGES:
            raise ConfigError(
                f"a simulation plans at most {MAX_SIM_PRESENCE_CHANGES:,} presence changes, "
                f"got {changes:,} over the groups (each agent's two per shift and per break)",
                "agents",
            )
        if "default" not in dict(self.handle_time):
            raise ConfigError(
                "'handle_time' needs a 'default' entry, got "
                f"{show([k for k, _ in self.handle_time])}",
                "handle_time",
            )
        # A distribution for a channel that names nothing else of the run is never drawn
        # from: a slip (a misspelt channel, whose customers then silently get the default),
        # refused.  A channel of the agents' capacity is the desk's own even when this mix
        # leaves it out (weight 0, or a sweep over arrivals.channels that drops it): its
        # distributions are kept for the what-if, as a misspelling is in no capacity (the
        # traffic's real channel must be, or the config is refused for that).
        named = [name for name, _ in self.arrivals.channels]
        known = {*named, "default"}
        for group in self.agents:
            known.update(group.capacity)
        for field in ("handle_time", "patience"):
            for name, _ in getattr(self, field):
                if name not in known:
                    raise ConfigError(
                        f"{field} has an entry for channel {show(name)}, which the traffic "
                        f"never brings and no agent group has capacity for; "
                        f"arrivals.channels names {show(named)} (and 'default' covers the "
                        "channels without an entry)",
                        f"{field}.{name}",
                    )
        if self.callbacks is not None:
            # An offer on a channel no customer comes on would never be made: a slip (a
            # chat desk left with the default "phone"), refused rather than run without it.
            brought = [name for name, w in self.arrivals.channels if w > 0]
            for i, name in enumerate(self.callbacks.channels):
                if name not in brought:
                    raise ConfigError(
                        f"call-backs are offered on channel {show(name)}, which the traffic "
                        f"never brings; arrivals.channels brings {show(brought)}",
                        f"callbacks.channels[{i}]",
                    )

    def expected_customers(self) -> float:
        """The customers the configuration expects over its horizon: the arrival rates
        integrated over *duration* (times *peak*), or *max_customers* when that is fewer."""
        expected = self.arrivals.expected(self.duration, self.peak)
        if self.max_customers is not None and self.max_customers < expected:
            return float(self.max_customers)
        return expected

    def _check_customers(self) -> None:
        """The expected customers are within :data:`MAX_SIM_CUSTOMERS`."""
        expected = self.expected_customers()
        if expected <= MAX_SIM_CUSTOMERS:
            return
        if self.max_customers is not None:
            where = "max_customers"
        else:
            # A shorter horizon helps unless a single day already brings too many.
            one_day = self.arrivals.expected(min(self.duration, timedelta(days=1)), self.peak)
            where = "duration" if one_day <= MAX_SIM_CUSTOMERS else "arrivals"
        raise ConfigError(
            f"a simulation expects at most {MAX_SIM_CUSTOMERS:,} customers, got {expected:,.0f} "
            f"(the arrival rates x peak {show(self.peak)} over {show(self.duration)}"
            + ("" if self.max_customers is None else f", max_customers {self.max_customers:,}")
            + "): shorten the duration, lower the rates, or set max_customers",
            where,
        )

    def check_desk(self, desk_config: DeskConfig) -> None:
        """Check what the simulation needs of the desk it runs on, so that a run does not
        fail partway on something known before it starts.  :meth:`Scenario.configs`,
        :func:`~csflow.sweep.run_sweep` and :func:`~csflow.sim.simulate` call it before any
        run.

        * Every name the desk must accept is one it declares (see :mod:`csflow.desk.names`):
          the channels, tiers and languages of the arrival mixes (those of a positive weight:
          a name of weight 0 never arrives), and the channels (capacity), languages, skills
          and teams of every group of at least one agent.
        * Every escalation's team is one of the desk's teams, and, for an escalation that
          can happen (a positive probability), the desk allows it: its transfer limit does
          not refuse every hand-over (``max_transfers`` 0 with ``on_limit="refuse"``), and,
          when the desk has an escalation graph and where the tickets wait is known before
          the run (no triage rule and no policy can move them out of the default queue, and
          no queue overflows), the graph lets the team of that queue (else the graph's first
          entry) escalate to the rule's team.
          An escalation refused by the desk all the same, later in a run, stops the run with
          a :class:`~csflow.errors.ConfigError` at the rule's path (see
          :func:`~csflow.sim.simulate`).
        * With call-backs offered (:attr:`callbacks`), the desk takes a call-back: it
          declares the ``phone`` channel (when it declares its channels), and some group of
          at least one agent has phone capacity that the desk's capacity limits do not cap
          to 0.
        * The customers that no agent will ever take and who never give up are expected to
          be at most :data:`MAX_SIM_OPEN`: they stay open until the run stops, so more of
          them would fill memory for minutes and then stop the run at that bound.  They are
          those of a channel of a positive weight with no patience (no entry of its own and
          no ``"default"``) and no call-back offer that may be taken, arriving when no group
          of at least one agent has capacity for the channel (that the desk's capacity limits
          do not cap to 0), or after the last such group's last shift ends.  Fewer of them
          are a run like any other, counted in the report's ``waiting`` (a run with no agent
          at all is a legitimate what-if).

        Raises:
            UndeclaredNameError: A name the desk does not declare, at the path of the field
                that names it: ``arrivals.channels.<name>``, ``arrivals.tiers.<name>``,
                ``arrivals.languages.<name>``, ``agents[i].capacity.<channel>``,
                ``agents[i].languages[j]``, ``agents[i].skills.<skill>``,
                ``agents[i].teams[j]``; ``callbacks`` for call-backs offered on a desk whose
                channels leave out ``phone``.  (A :class:`~csflow.errors.ConfigError`.)
            ConfigError: An escalation to a team the desk does not have (path
                ``escalations[i].team``), one the escalation graph does not allow from
                where the tickets wait (path ``escalations[i].team``), one the transfer
                limit refuses (path ``escalations[i]``), call-backs offered when no agent
                can take a call (path ``callbacks``), or more than :data:`MAX_SIM_OPEN`
                customers expected that no agent will ever take and who never give up (path
                ``agents``; the message names each channel, and how many of its customers).
        """
        channels = desk_config.channels
        languages = desk_config.languages
        a = self.arrivals
        if channels is not None:
            for name, w in a.channels:
                if w > 0 and name not in channels:
                    _undeclared("channel", name, channels, f"arrivals.channels.{name}", "channels")
        if desk_config.tiers:
            for name, w in a.tiers:
                if w > 0 and name not in desk_config.tiers:
                    _undeclared("tier", name, desk_config.tiers, f"arrivals.tiers.{name}", "tiers")
        if languages is not None:
            for name, w in a.languages:
                if w > 0 and name not in languages:
                    where = f"arrivals.languages.{name}"
                    _undeclared("language", name, languages, where, "languages")
        for i, g in enumerate(self.agents):
            if g.count > 0:
                _check_group_names(g, f"agents[{i}]", desk_config)
        if self.callbacks is not None:
            self._check_callbacks(desk_config)
        self._check_stranded(desk_config)
        for i, e in enumerate(self.escalations):
            if e.team not in desk_config.teams:
                raise ConfigError(
                    f"escalation team {show(e.team)} is not a team of the desk; known: "
                    f"{show(sorted(desk_config.teams))}",
                    f"escalations[{i}].team",
                )
        rules = [(i, e) for i, e in enumerate(self.escalations) if e.probability > 0]
        if not rules:
            return
        limit = desk_config.transfers
        if limit.max_transfers == 0 and limit.on_limit == "refuse":
            i, e = rules[0]
            raise ConfigError(
                f"the desk refuses every escalation (transfers: max_transfers 0, on_limit "
                f"'refuse'), but tickets of category {show(e.category)} escalate to "
                f"{show(e.team)} with probability {e.probability:g}",
                f"escalations[{i}]",
            )
        graph = desk_config.escalation
        if graph is None:
            return
        source = _escalation_source(desk_config, graph)
        if source is None:
            return
        for i, e in rules:
            if not graph.can_escalate(source, e.team):
                allowed = list(graph.targets(source)) if source in graph.teams else []
                raise ConfigError(
                    f"the desk's escalation graph does not let team {show(source)} (where the "
                    f"tickets wait) escalate to {show(e.team)}; allowed: {show(allowed)}",
                    f"escalations[{i}].team",
                )

    def _stranded(self, desk_config: DeskConfig) -> dict[str, tuple[timedelta | None, float]]:
        """The customers no agent will ever take and who never give up, by channel: for each
        channel of a positive weight with no patience (neither its own entry nor a
        ``"default"``) and no call-back offer that may be taken, when the last agent able to take its tickets
        goes off shift (``None``: no group of at least one agent has capacity for it that the
        desk's capacity limits do not cap to 0), and how many of its customers are expected to
        arrive from then on.  They stay in line until the run stops (the report's
        ``waiting``).  Channels that some agent serves all through the horizon are left out.
        """
        patience = dict(self.patience)
        offer = self.callbacks
        offered = () if offer is None or offer.accept == 0 else offer.channels
        limits = desk_config.capacity.limits
        weights = [(name, w) for name, w in self.arrivals.channels if w > 0]
        total_w = sum(w for _, w in weights)
        total = self.expected_customers()
        out: dict[str, tuple[timedelta | None, float]] = {}
        for name, w in weights:
            if name in patience or "default" in patience or name in offered:
                continue
            last: timedelta | None = None  # when the last agent able to take it leaves
            forever = False
            if limits.get(name) != 0:
                for g in self.agents:
                    if g.count == 0 or not any(
                        str(c) == name and n > 0 for c, n in g.capacity.items()
                    ):
                        continue
                    for shift in g.shifts:
                        if shift.end is None:
                            forever = True
                        elif last is None or shift.end > last:
                            last = shift.end
            if forever or (last is not None and last >= self.duration):
                continue
            before = 0.0 if last is None else self.arrivals.expected(last, self.peak)
            out[name] = (last, max(0.0, total - before) * (w / total_w))
        return out

    def _check_stranded(self, desk_config: DeskConfig) -> None:
        """Refuse a run sure to reach :data:`MAX_SIM_OPEN` open tickets: the customers that
        no agent will take and who never give up are expected to be that many."""
        stranded = self._stranded(desk_config)
        expected = sum(n for _, n in stranded.values())
        if expected <= MAX_SIM_OPEN:
            return
        why = "; ".join(
            f"{name!r}: "
            + (
                "no group of at least one agent can take it"
                if last is None
                else f"no agent can take it after {show(last)}, when the last shift with "
                "capacity for it ends"
            )
            + f" (about {n:,.0f} customers)"
            for name, (last, n) in stranded.items()
        )
        raise ConfigError(
            f"about {expected:,.0f} customers are expected to wait until the run stops, past "
            f"the {MAX_SIM_OPEN:,} tickets a simulation holds open at once (MAX_SIM_OPEN): "
            f"their channels have no patience, so nobody gives up, and {why}; add agents "
            "with capacity for those channels (or shifts that cover the horizon), give them "
            "a patience, or lower the traffic (max_customers)",
            "agents",
        )

    def _check_callbacks(self, desk_config: DeskConfig) -> None:
        """A call-back is a phone call: the desk declares ``phone`` (when it declares its
        channels) and some agent of the run can take one."""
        phone = Channel.PHONE.name
        channels = desk_config.channels
        if channels is not None and phone not in channels:
            # The desk's own refusal of request_callback, found before the run.
            _undeclared("channel", phone, channels, "callbacks", "channels")
        limit = desk_config.capacity.limits.get(phone)
        if limit == 0 or not any(
            g.count > 0 and any(str(c) == phone and n > 0 for c, n in g.capacity.items())
            for g in self.agents
        ):
            raise ConfigError(
                "call-backs are offered, but no agent can take a call: a call-back waits "
                "for an agent with 'phone' capacity, and "
                + (
                    "the desk's capacity limits allow no phone ticket at all"
                    if limit == 0
                    else "no agent group of at least one agent has any"
                ),
                "callbacks",
            )

    def _check_horizon(self, start_us: int) -> None:
        """The horizon's bounds: :data:`MAX_SIM_INTERVALS` intervals, and an end (its drain
        included) within the year 9999."""
        # (Ceiling division without negating the duration, which can overflow.)
        n = self.duration // self.interval + (1 if self.duration % self.interval else 0)
        if n > MAX_SIM_INTERVALS:
            # Blame the duration when even the default interval would give too many.
            too_long = self.duration > MAX_SIM_INTERVALS * timedelta(minutes=30)
            raise ConfigError(
                f"the horizon must hold at most {MAX_SIM_INTERVALS:,} reporting intervals, got "
                f"{n:,} (duration {show(self.duration)} / interval {show(self.interval)}): "
                + ("shorten the duration" if too_long else "lengthen the interval"),
                "duration" if too_long else "interval",
            )
        end_us = start_us + duration_us(self.duration, "duration", ConfigError)
        if end_us + _MAX_DRAIN_US > MAX_US:
            late = start_us + _MAX_DRAIN_US > MAX_US
            raise ConfigError(
                f"the simulation must end by the year 9999, its drain of up to "
                f"{MAX_DRAIN.days} days after the horizon included, got start "
                f"{self.start.isoformat()} and duration {show(self.duration)}",
                "start" if late else "duration",
            )
        for i, g in enumerate(self.agents):
            if start_us + _last_change_us(g) + _MAX_DRAIN_US > MAX_US:
                raise ConfigError(
                    f"the simulation must end by the year 9999, its drain of up to "
                    f"{MAX_DRAIN.days} days after the agents' last shift change included, got "
                    f"start {self.start.isoformat()} and shifts {show(g.shifts)}",
                    f"agents[{i}].shifts",
                )

    @classmethod
    def from_dict(cls, data: object, path: str = "simulation") -> SimConfig:
        """Build a simulation config from plain data (a parsed JSON or TOML document).

        Shape::

            {"start": "2026-03-16T00:00:00+07:00", "duration": "P1D", "peak": "lebaran",
             "arrivals": {"rates": [["00:00", 40], ["08:00", 300], ["22:00", 80]],
                          "channels": {"chat": 5, "phone": 2}, "tiers": {"regular": 1},
                          "categories": {"order": 3, "refund": 1}, "languages": {"id": 1}},
             "handle_time": {"default": {"exponential": "PT6M"},
                             "chat": {"lognormal": {"mean": "PT9M", "sigma": 0.7}},
                             "phone": {"empirical": ["PT3M", 420, "PT12M"]}},
             "patience": {"chat": {"exponential": "PT8M"}},
             "agents": [{"name": "front", "count": 20, "capacity": {"chat": 3, "phone": 1},
                         "skills": {"orders": 3}, "languages": ["id"], "teams": ["front"],
                         "shifts": [{"start": "PT7H", "end": "PT15H",
                                     "breaks": [["PT11H", "PT30M"]]}],
                         "break_waves": 3, "break_gap": "PT30M"}],
             "escalations": [{"category": "refund", "team": "finance", "probability": 0.3}],
             "max_customers": null, "warmup": 0, "service_target": 20, "interval": "PT30M",
             "reply_on_assign": true, "short_abandon": 5,
             "callbacks": {"after": "PT2M", "accept": 0.6, "channels": ["phone"]}}

        Durations are ISO 8601 or seconds; times of day ``"HH:MM"``.

        Raises:
            ConfigError: Anything malformed, with the path to it.
        """
        d = mapping(data, path)
        check_keys(
            d,
            (
                "start",
                "duration",
                "arrivals",
                "agents",
                "handle_time",
                "patience",
                "escalations",
                "peak",
                "max_customers",
                "warmup",
                "service_target",
                "interval",
                "reply_on_assign",
                "short_abandon",
                "callbacks",
            ),
            path,
        )
        # A category, channel or team name (any string) that cannot be written as UTF-8 would
        # reach the simulated tickets and events: refused here, at its path.
        check_document(d, path)

        def at(key: str) -> str:
            return f"{path}.{key}"

        raw = d.get("start")
        try:
            start = datetime.fromisoformat(raw) if isinstance(raw, str) else raw
        except ValueError:
            start = None
        if not isinstance(start, datetime) or start.utcoffset() is None:
            raise ConfigError(
                f"expected an ISO 8601 instant with an offset, got {show(raw)}", at("start")
            )
        a = mapping(d.get("arrivals"), at("arrivals"))
        check_keys(a, ("rates", "channels", "tiers", "categories", "languages"), at("arrivals"))
        periods = []
        for i, r in enumerate(sequence(a.get("rates"), at("arrivals.rates"))):
            p = f"{path}.arrivals.rates[{i}]"
            if isinstance(r, Mapping):
                check_keys(r, ("at", "per_hour"), p)
                r = [r.get("at"), r.get("per_hour")]
            pair = sequence(r, p)
            if len(pair) != 2:
                raise ConfigError(f"expected [time of day, per hour], got {show(r)}", p)
            periods.append(wrap(p, RatePeriod, clock(pair[0], p), number(pair[1], p)))
        mixes = {
            k: wrap(f"{path}.arrivals.{k}", _mix, a[k], f"{path}.arrivals.{k}")
            for k in ("channels", "tiers", "categories", "languages")
            if k in a
            # No languages (an empty mix): tickets without a language, as `Arrivals` takes it.
            and not (k == "languages" and isinstance(a[k], Mapping | list) and not a[k])
        }
        arrivals = wrap(at("arrivals"), Arrivals, periods, **mixes)
        groups = []
        for i, g in enumerate(sequence(d.get("agents", []), at("agents"))):
            groups.append(_group_from_dict(g, f"{path}.agents[{i}]"))
        kw: dict[str, Any] = {}
        for key in ("handle_time", "patience"):
            if key in d:
                m = mapping(d[key], at(key))
                kw[key] = tuple((k, read_distribution(v, f"{at(key)}.{k}")) for k, v in m.items())
        escalations = []
        for i, e in enumerate(sequence(d.get("escalations", []), at("escalations"))):
            p = f"{path}.escalations[{i}]"
            em = mapping(e, p)
            check_keys(em, ("category", "team", "probability"), p)
            escalations.append(
                wrap(p, EscalationRule, em.get("category"), em.get("team"), em.get("probability"))
            )
        if "peak" in d:
            kw["peak"] = peak_factor(d["peak"], at("peak"))
        if d.get("max_customers") is not None:
            kw["max_customers"] = d["max_customers"]
        if "warmup" in d:
            kw["warmup"] = span(d["warmup"], at("warmup"), zero=True)
        if "service_target" in d:
            kw["service_target"] = span(d["service_target"], at("service_target"), zero=True)
        if "short_abandon" in d:
            kw["short_abandon"] = span(d["short_abandon"], at("short_abandon"), zero=True)
        if "interval" in d:
            kw["interval"] = span(d["interval"], at("interval"))
        if "reply_on_assign" in d:
            if not isinstance(d["reply_on_assign"], bool):
                raise ConfigError(
                    f"expected true or false, got {show(d['reply_on_assign'])}",
                    at("reply_on_assign"),
                )
            kw["reply_on_assign"] = d["reply_on_assign"]
        if d.get("callbacks") is not None:
            kw["callbacks"] = _offer_from_dict(d["callbacks"], at("callbacks"))
        return wrap(  # type: ignore[no-any-return]
            path,
            cls,
            start,
            span(d.get("duration"), at("duration")),
            arrivals,
            groups,
            escalations=escalations,
            **kw,
        )


def _group_from_dict(data: object, path: str) -> AgentGroup:
    g = mapping(data, path)
    check_keys(
        g,
        (
            "name",
            "count",
            "capacity",
            "skills",
            "languages",
            "teams",
            "shifts",
            "break_waves",
            "break_gap",
        ),
        path,
    )
    shifts = []
    for j, s in enumerate(sequence(g.get("shifts", [{}]), f"{path}.shifts")):
        p = f"{path}.shifts[{j}]"
        sm = mapping(s, p)
        check_keys(sm, ("start", "end", "breaks"), p)
        breaks = []
        for k, b in enumerate(sequence(sm.get("breaks", []), f"{p}.breaks")):
            pair = sequence(b, f"{p}.breaks[{k}]")
            if len(pair) != 2:
                raise ConfigError(f"expected [start, duration], got {show(b)}", f"{p}.breaks[{k}]")
            breaks.append(
                (
                    span(pair[0], f"{p}.breaks[{k}][0]", zero=True),
                    span(pair[1], f"{p}.breaks[{k}][1]"),
                )
            )
        shifts.append(
            wrap(
                p,
                Shift,
                span(sm.get("start", 0), f"{p}.start", zero=True),
                None if sm.get("end") is None else span(sm["end"], f"{p}.end"),
                breaks,
            )
        )
    return wrap(  # type: ignore[no-any-return]
        path,
        AgentGroup,
        g.get("name"),
        wrap(f"{path}.count", _check_count, g.get("count", 1)),
        capacity=dict(mapping(g.get("capacity", {"phone": 1}), f"{path}.capacity")),
        skills=dict(mapping(g.get("skills", {}), f"{path}.skills")),
        languages=sequence(g.get("languages", []), f"{path}.languages"),
        teams=sequence(g.get("teams", []), f"{path}.teams"),
        shifts=shifts,
        break_waves=g.get("break_waves", 1),
        break_gap=span(g.get("break_gap", 0), f"{path}.break_gap", zero=True),
    )


def _to_data(value: Mapping[str, Any] | None, field: str) -> Mapping[str, Any]:
    """A copy of *value*, all the way down: a scenario keeps the data as it was given, so a
    dict or list the caller changes afterwards (one document edited in a loop to build a
    grid) does not change the scenarios built from it."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"expected a mapping, got {show(value)}", field)
    try:
        return dict(copy.deepcopy(value))
    except Exception as exc:  # (something in it that cannot be copied: not plain data)
        raise ConfigError(
            f"expected plain data (mappings, lists, strings, numbers), got {show(value)}, "
            f"which cannot be copied: {exc}",
            field,
        ) from None


def _desk_data(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return _to_data(value, "desk")


def _simulation_data(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return _to_data(value, "simulation")


@attrs.frozen(unsafe_hash=False)
class Scenario:
    """One simulation as plain data: what :func:`run_scenario` runs and sweeps ship around.

    Plain data (the shapes of :meth:`DeskConfig.from_dict` and :meth:`SimConfig.from_dict`)
    pickles, so a scenario can run in another process or on another machine.  The scenario
    keeps a copy of the data, all the way down: a document changed after the scenario was
    built (one ``dict`` edited in a loop to build a grid) leaves the scenario as it was.
    Scenarios compare equal by value; they are not hashable (the data are dicts): key a grid
    by :attr:`name`.

    Args:
        name: A label for the results.
        desk: The desk configuration as plain data.
        simulation: The simulation configuration as plain data.
        seed: The seed of the run, an int ``>= 0``.

    Raises:
        ConfigError: A *name* that is not a ``str`` (path ``name``), *desk* or *simulation*
            not a mapping (path ``desk`` or ``simulation``)
            or holding something that cannot be copied, or a *seed* that is not an int
            ``>= 0`` (a bool is not one; ``random.Random`` seeds ``-s`` as ``s``, so a negative
            seed would silently repeat a positive one).  The data itself is checked by
            :meth:`configs`.
    """

    name: str = attrs.field()
    desk: Mapping[str, Any] = attrs.field(converter=_desk_data)
    simulation: Mapping[str, Any] = attrs.field(converter=_simulation_data)
    seed: int = attrs.field(default=0)

    @name.validator
    def _v_name(self, _a: attrs.Attribute[str], value: str) -> None:
        if not isinstance(value, str):
            raise ConfigError(f"a scenario's 'name' must be a str, got {show(value)}", "name")

    @seed.validator
    def _v_seed(self, _a: attrs.Attribute[int], value: int) -> None:
        check_seed(value)

    def configs(self) -> tuple[DeskConfig, SimConfig]:
        """The desk and simulation configurations, checked together
        (:meth:`SimConfig.check_desk`: a name the desk does not declare, or an escalation to
        a team the desk does not have or does not allow, is refused here, before any run).

        Raises:
            ConfigError: Malformed data, with the path to it (``desk...``/``simulation...``,
                such as ``simulation.escalations[0].team``); an
                :class:`~csflow.errors.UndeclaredNameError` for an undeclared name (such as
                ``simulation.arrivals.tiers.vip``).
        """
        try:
            desk = DeskConfig.from_dict(self.desk)
        except ConfigError as exc:
            raise ConfigError(exc.detail, f"desk.{exc.path}" if exc.path else "desk") from None
        sim = SimConfig.from_dict(self.simulation)
        try:
            sim.check_desk(desk)
        except ConfigError as exc:  # (an UndeclaredNameError stays one)
            raise type(exc)(exc.detail, f"simulation.{exc.path}") from None
        return desk, sim


def check_seed(seed: object, path: str = "") -> int:
    """*seed* if it is an int ``>= 0`` (not a bool).

    ``random.Random(-s)`` is ``random.Random(s)``: two runs seeded ``3`` and ``-3`` would be
    one run twice, so a negative seed is refused, as the config file's ``seed`` is.

    Raises:
        ConfigError: Anything else, at *path*.
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigError(f"'seed' must be an int, got {show(seed)}", path)
    if seed < 0:
        raise ConfigError(
            f"'seed' must be an int >= 0, got {seed} (random.Random seeds {seed} as {-seed})",
            path,
        )
    return seed


# mmc_scenario's start, the days its agents stay on after the horizon, and the longest span
# of arrivals it builds: its simulation, the shifts and the drain after them included, ends by
# the year 9999.
_MMC_START: Final = datetime(2026, 1, 5, tzinfo=UTC)
_MMC_AFTER_DAYS: Final = 3650
_MMC_MAX_DAYS: Final = (
    datetime(9999, 12, 31, tzinfo=UTC) - _MMC_START - MAX_DRAIN
).days - _MMC_AFTER_DAYS


def mmc_scenario(
    agents: int,
    load: float,
    aht: timedelta = timedelta(minutes=6),
    *,
    customers: int = 10_000,
    warmup: timedelta = timedelta(0),
    seed: int = 0,
    sla: bool = False,
    service_target: timedelta = DEFAULT_SERVICE_TARGET,
) -> Scenario:
    """The M/M/c queue of Erlang C as a scenario: one FIFO queue, Poisson arrivals,
    exponential handle times, *agents* phone agents on all the time, nobody abandons.

    Args:
        agents: c, the number of agents.
        load: The offered load in Erlangs (arrival rate × *aht*).
        aht: The mean handle time.
        customers: How many customers arrive.
        warmup: Leave out of the report the tickets of the first *warmup*.
        seed: The seed.
        sla: Turn the desk's SLA clocks on too (first response *service_target*, resolution
            one hour, on a 24/7 calendar), to measure the full desk.
        service_target: The report's service-level target.

    Raises:
        ConfigError: *agents* not an int from 1 to :data:`MAX_SIM_AGENTS`, a *load* that is
            not a positive number, an *aht* that is not a positive timedelta, *customers* not
            an int from 1 to :data:`MAX_SIM_CUSTOMERS`, a *warmup* or *service_target* that
            is not a ``timedelta >= 0``, a *seed* that is not an int ``>= 0``, *sla* not a
            bool, a load whose arrival rate (``load / aht``) is above :data:`MAX_ARRIVAL_RATE`
            contacts an hour, *customers* so many at that rate that they would arrive past
            the year 9999, or a *warmup* at least as long as the span the customers arrive
            over (path ``warmup``: the report would count nobody).
    """
    if isinstance(agents, bool) or not isinstance(agents, int) or agents < 1:
        raise ConfigError(f"'agents' must be an int >= 1, got {show(agents)}")
    if agents > MAX_SIM_AGENTS:
        raise ConfigError(f"'agents' must be at most {MAX_SIM_AGENTS:,}, got {show(agents)}")
    a = number(load, "load", positive=True)
    if not isinstance(aht, timedelta) or aht <= timedelta(0):
        raise ConfigError(f"'aht' must be a positive timedelta, got {show(aht)}")
    if isinstance(customers, bool) or not isinstance(customers, int) or customers < 1:
        raise ConfigError(f"'customers' must be an int >= 1, got {show(customers)}")
    _span_us(warmup, "warmup")
    _span_us(service_target, "service_target")
    check_seed(seed)
    if not isinstance(sla, bool):
        raise ConfigError(f"'sla' must be True or False, got {show(sla)}")
    per_hour = a * 3600 / aht.total_seconds()
    if per_hour > MAX_ARRIVAL_RATE:
        raise ConfigError(
            f"'load' must give at most {MAX_ARRIVAL_RATE:g} arrivals an hour at an aht of "
            f"{show(aht)}, got {show(load)} Erlangs ({per_hour:g} an hour)"
        )
    desk: dict[str, Any] = {"tiers": [{"name": "regular", "rank": 0}]}
    if sla:
        desk |= {
            "calendars": {"always": BusinessCalendar.always_open("UTC").to_dict()},
            "sla_policies": [
                {
                    "name": "standard",
                    "calendar": "always",
                    "targets": {
                        "first_response": service_target.total_seconds() or 1,
                        "resolution": "PT1H",
                    },
                }
            ],
            "default_sla_policy": "standard",
        }
    # The customer bound first: a count past it is refused for that, at any rate.
    if customers > MAX_SIM_CUSTOMERS:
        raise ConfigError(
            f"'customers' must be at most {MAX_SIM_CUSTOMERS:,} (MAX_SIM_CUSTOMERS), got "
            f"{customers:,}"
        )
    # A span long enough that the customer limit, not the horizon, ends the arrivals.
    # (An int compares with a float exactly, however large: no conversion to overflow.)
    too_many = customers > per_hour * 24 * (_MMC_MAX_DAYS - 2) / 1.5
    days = 0 if too_many else max(1, math.ceil(customers / per_hour / 24 * 1.5) + 1)
    if too_many or days > _MMC_MAX_DAYS:
        raise ConfigError(
            f"'customers' must arrive by the year 9999, got {show(customers)} customers at "
            f"{per_hour:g} an hour (load {show(load)} Erlangs at an aht of {show(aht)}), "
            f"which takes more than {_MMC_MAX_DAYS:,} days"
        )
    if warmup >= timedelta(days=days):
        raise ConfigError(
            f"'warmup' must be shorter than the simulation's duration of {days} days (the "
            f"span {show(customers)} customers take to arrive at {per_hour:g} an hour), got "
            f"{show(warmup)}: every customer would be left out of the report",
            "warmup",
        )
    # Hour-long reporting intervals, longer when the span would have too many of them.
    hours = max(1, -(-days * 24 // MAX_SIM_INTERVALS))
    simulation = {
        "start": _MMC_START.isoformat(),
        "duration": f"P{days}D",
        "arrivals": {"rates": [["00:00", per_hour]], "channels": {"phone": 1}},
        "agents": [
            {
                "name": "agent",
                "count": agents,
                "capacity": {"phone": 1},
                "shifts": [{"start": 0, "end": f"P{days + _MMC_AFTER_DAYS}D"}],
            }
        ],
        "handle_time": {"default": {"exponential": aht.total_seconds()}},
        "max_customers": customers,
        "warmup": warmup.total_seconds(),
        "service_target": service_target.total_seconds(),
        "interval": f"PT{hours}H",
    }
    return Scenario(f"M/M/{agents} at {load:g} Erlang", desk, simulation, seed)
