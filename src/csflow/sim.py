"""A discrete-event simulator that drives a real :class:`~csflow.desk.Desk`.

The simulator is one more host of the desk: it owns a simulated clock and a seeded
:class:`random.Random`, feeds the desk the commands a real helpdesk would (customers write,
agents log in and take breaks, agents reply, resolve and escalate, customers give up) and
summarizes the events the desk returns with :func:`csflow.metrics.summarize`.  It reads no
clock and no global random state, so the same configuration and seed give the same report on
every machine.

Theory of operation
-------------------
Time is kept in integer microseconds since the epoch.  The simulator's own future happenings
(the next arrival, a handling that ends, a customer's patience running out, a shift or a break
that starts or ends) wait in one heap ordered by ``(instant, counter)``, so ties are FIFO and
deterministic.  Each step takes the earlier of the heap's top and ``desk.next_wakeup()`` (SLA
warnings and breaches, relaxation steps, overflow): a desk timer that is due first is fired
with ``desk.advance(at=...)`` at its own instant, before any command at a later instant.

The simulator reacts only to :class:`~csflow.events.TicketAssigned`: the agent replies at once
(the greeting meets the first-response clock) and the handling ends after a handle time drawn
for the ticket's channel, with a resolution -- or, with the probability the configuration gives
for the ticket's category, an escalation to another team, whose agent then handles and resolves
it.  Everything else the desk decides (which ticket, which agent, when a breach happens) comes
from the desk itself.

Arrivals are a Poisson process whose rate is piecewise constant over the day (it repeats every
24 hours) and scaled by a peak-day multiplier.  Across a change of rate the next gap is drawn
again from the change: the exponential distribution forgets the time already waited, so this
is exact, not an approximation.  Each arrival draws its channel, tier, category and language
from the configured mixes, and a patience for its channel: when the patience runs out while the
ticket still waits for its first agent, the customer abandons (``desk.abandon``).
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, Final, Protocol, runtime_checkable

import attrs

from csflow._config import check_keys, duration, mapping, sequence, wrap
from csflow._text import show
from csflow._time import duration_us, instant_us, utc
from csflow.calendar import BusinessCalendar
from csflow.desk import Desk, DeskConfig
from csflow.errors import ConfigError
from csflow.events import TicketAssigned
from csflow.metrics import DEFAULT_SERVICE_TARGET, Report, summarize
from csflow.model import AgentProfile, Channel, Customer, Ticket, Tier
from csflow.sla import SlaBreached, SlaMet

__all__ = [
    "PEAK_DAYS",
    "AgentGroup",
    "Arrivals",
    "Distribution",
    "Empirical",
    "EscalationRule",
    "Exponential",
    "LogNormal",
    "RatePeriod",
    "Scenario",
    "Shift",
    "SimConfig",
    "SimResult",
    "SlaInterval",
    "mmc_scenario",
    "run_scenario",
    "simulate",
]

#: Peak-day multipliers of the arrival rate, by name, for Indonesian e-commerce: the days
#: before Lebaran (Idul Fitri) and the 11.11 and 12.12 sales.  Sample values: calibrate them on
#: your own history.
PEAK_DAYS: Final[Mapping[str, float]] = MappingProxyType(
    {"normal": 1.0, "lebaran": 2.5, "11.11": 3.0, "12.12": 3.5}
)

_DAY_S: Final = 86_400.0
_US: Final = 1_000_000


# ---------------------------------------------------------------------------------------------
# Plain-data helpers


def _clock(value: object, path: str) -> timedelta:
    """A time of day ``"HH:MM"`` (or a duration since midnight) as an offset into the day."""
    if isinstance(value, str) and ":" in value:
        hh, _, mm = value.partition(":")
        if (
            hh.isascii()
            and mm.isascii()
            and 1 <= len(hh) <= 2
            and len(mm) == 2
            and hh.isdigit()
            and mm.isdigit()
            and int(hh) <= 24
            and int(mm) < 60
        ):
            return timedelta(hours=int(hh), minutes=int(mm))
        raise ConfigError(f"expected a time of day 'HH:MM', got {show(value)}", path)
    return duration(value, path, zero=True)


def _number(value: object, path: str, *, positive: bool = False) -> float:
    try:
        number = float(value) if isinstance(value, int | float) else math.nan
    except OverflowError:  # an int past float's range
        number = math.nan
    if isinstance(value, bool) or not math.isfinite(number):
        raise ConfigError(f"expected a finite number, got {show(value)}", path)
    if number < 0 or (positive and number == 0):
        raise ConfigError(
            f"expected a {'positive' if positive else 'non-negative'} number, got {show(value)}",
            path,
        )
    return number


def _mix(value: object, path: str) -> tuple[tuple[str, float], ...]:
    """Weights by name as a tuple of pairs (picklable, ordered); at least one positive."""
    if isinstance(value, Mapping):
        items = list(value.items())
    elif isinstance(value, list | tuple):
        items = [tuple(p) if isinstance(p, list | tuple) else p for p in value]
    else:
        raise ConfigError(f"expected a mapping name -> weight, got {show(value)}", path)
    out: list[tuple[str, float]] = []
    for item in items:
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)):
            raise ConfigError(f"expected name -> weight pairs, got {show(value)}", path)
        name, w = item
        if not name:
            raise ConfigError(f"expected a non-empty name, got {show(name)}", path)
        out.append((name, _number(w, f"{path}.{name}")))
    if not out or sum(w for _, w in out) <= 0:
        raise ConfigError(f"expected at least one positive weight, got {show(value)}", path)
    return tuple(out)


class _Picker:
    """Draws a name from a mix with one ``random()`` call and a bisection."""

    __slots__ = ("cum", "names", "total")

    def __init__(self, mix: Sequence[tuple[str, float]]) -> None:
        self.names = [n for n, w in mix if w > 0]
        self.cum = list(itertools.accumulate(w for _, w in mix if w > 0))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random) -> str:
        if len(self.names) == 1:
            return self.names[0]
        i = bisect.bisect_right(self.cum, rng.random() * self.total)
        return self.names[min(i, len(self.names) - 1)]


# ---------------------------------------------------------------------------------------------
# Distributions


@runtime_checkable
class Distribution(Protocol):
    """A distribution of durations: handle times, customer patience.

    Any object with these two methods plugs in (a fitted distribution of your own data).
    """

    def sample(self, rng: random.Random, /) -> float:
        """One draw, in seconds, from *rng* only (never from global random state)."""
        ...

    def mean_seconds(self) -> float:
        """The mean, in seconds."""
        ...


def _positive_td(_s: object, a: attrs.Attribute[timedelta], value: timedelta) -> None:
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise ConfigError(f"{show(a.name)} must be a positive timedelta, got {show(value)}")


@attrs.frozen
class Exponential:
    """Exponentially distributed durations (memoryless; the M of M/M/c).

    Args:
        mean: The mean duration.

    Raises:
        ConfigError: *mean* is not a positive timedelta.
    """

    mean: timedelta = attrs.field(validator=_positive_td)

    def sample(self, rng: random.Random, /) -> float:
        """One draw in seconds."""
        return rng.expovariate(1.0 / self.mean.total_seconds())

    def mean_seconds(self) -> float:
        """The mean in seconds."""
        return self.mean.total_seconds()


@attrs.frozen
class LogNormal:
    """Log-normally distributed durations (long right tail, typical of handle times).

    Args:
        mean: The mean duration (not the median).
        sigma: The standard deviation of the logarithm (0.5-1.0 is typical).

    Raises:
        ConfigError: *mean* is not a positive timedelta or *sigma* is negative.
    """

    mean: timedelta = attrs.field(validator=_positive_td)
    sigma: float = attrs.field(default=0.75)

    @sigma.validator
    def _v_sigma(self, _a: attrs.Attribute[float], value: float) -> None:
        _number(value, "sigma")

    def sample(self, rng: random.Random, /) -> float:
        """One draw in seconds."""
        mu = math.log(self.mean.total_seconds()) - self.sigma * self.sigma / 2
        return rng.lognormvariate(mu, self.sigma)

    def mean_seconds(self) -> float:
        """The mean in seconds."""
        return self.mean.total_seconds()


def _to_values(value: Sequence[timedelta]) -> tuple[timedelta, ...]:
    return tuple(value)


def _channels(value: Any) -> tuple[tuple[str, float], ...]:
    return _mix(value, "channels")


def _tiers(value: Any) -> tuple[tuple[str, float], ...]:
    return _mix(value, "tiers")


def _categories(value: Any) -> tuple[tuple[str, float], ...]:
    return _mix(value, "categories")


def _languages(value: Any) -> tuple[tuple[str, float], ...]:
    return _mix(value, "languages") if value else ()


def _breaks(value: Any) -> tuple[tuple[timedelta, timedelta], ...]:
    return tuple((a, b) for a, b in value)


def _to_tuple(value: Any) -> tuple[Any, ...]:
    return tuple(value)


@attrs.frozen
class Empirical:
    """Durations drawn uniformly from observed values (resampling your own history).

    Args:
        values: The observed durations (at least one, none negative).

    Raises:
        ConfigError: No values, or one that is not a non-negative timedelta.
    """

    values: tuple[timedelta, ...] = attrs.field(converter=_to_values)

    @values.validator
    def _v_values(self, _a: attrs.Attribute[tuple[timedelta, ...]], value: tuple[Any, ...]) -> None:
        if not value:
            raise ConfigError("'values' must hold at least one duration, got ()")
        for v in value:
            if not isinstance(v, timedelta) or v < timedelta(0):
                raise ConfigError(f"'values' must be non-negative timedeltas, got {show(v)}")

    def sample(self, rng: random.Random, /) -> float:
        """One draw in seconds."""
        return self.values[int(rng.random() * len(self.values))].total_seconds()

    def mean_seconds(self) -> float:
        """The mean in seconds."""
        return sum(v.total_seconds() for v in self.values) / len(self.values)


def _distribution(value: object, path: str) -> Distribution:
    """``{"exponential": "PT6M"}``, ``{"lognormal": {"mean": ..., "sigma": ...}}``,
    ``{"empirical": [...]}``, or a duration alone (exponential)."""
    if isinstance(value, Distribution):
        return value
    if not isinstance(value, Mapping):
        return Exponential(duration(value, path))
    d = mapping(value, path)
    if len(d) != 1:
        raise ConfigError(
            f"expected one of 'exponential', 'lognormal', 'empirical', got {show(sorted(d))}", path
        )
    ((kind, arg),) = d.items()
    p = f"{path}.{kind}"
    if kind == "exponential":
        return Exponential(duration(arg, p))
    if kind == "lognormal":
        m = mapping(arg, p)
        check_keys(m, ("mean", "sigma"), p)
        return LogNormal(duration(m.get("mean"), f"{p}.mean"), _number(m.get("sigma", 0.75), p))
    if kind == "empirical":
        return Empirical(
            [duration(v, f"{p}[{i}]", zero=True) for i, v in enumerate(sequence(arg, p))]
        )
    raise ConfigError(
        f"unknown distribution {show(kind)}; expected 'exponential', 'lognormal' or 'empirical'",
        path,
    )


# ---------------------------------------------------------------------------------------------
# Configuration


@attrs.frozen
class RatePeriod:
    """From *start* (time of day, as an offset from the day's start) the arrival rate is
    *per_hour* contacts an hour, until the next period starts.

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
        _number(self.per_hour, "per_hour")


def _to_periods(value: Sequence[RatePeriod]) -> tuple[RatePeriod, ...]:
    return tuple(value)


@attrs.frozen
class Arrivals:
    """Who writes, when, on which channel: a Poisson process with a daily rate profile.

    Args:
        rates: The rate over the day, piecewise constant; the first period starts at 0 and the
            profile repeats every day (offsets are from :attr:`SimConfig.start`).
        channels: Channel name -> weight of the mix.
        tiers: Tier name -> weight of the mix (names of the desk's tiers).
        categories: Category -> weight (rules and escalations see the category).
        languages: Language code -> weight, or empty for tickets without a language.

    Raises:
        ConfigError: No period, periods out of order, or a bad mix.
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
            raise ConfigError(f"'rates' must start with a period at 0, got {show(self.rates)}")
        starts = [p.start for p in self.rates]
        if starts != sorted(set(starts)):
            raise ConfigError(f"'rates' must be in increasing order of start, got {show(starts)}")

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

    Args:
        start: The shift starts (the agent becomes available).
        end: The shift ends (the agent goes offline; it finishes the tickets it holds);
            ``None`` (the default): the agent stays until the simulation ends, the drain after
            the last arrival included.  ``Shift()`` is the whole simulation.
        breaks: ``(start, duration)`` pairs, offsets from the simulation start; the agent is
            ``away`` then (it finishes what it holds, takes nothing new).

    Raises:
        ConfigError: *end* not after *start*, or a break outside the shift.
    """

    start: timedelta = timedelta(0)
    end: timedelta | None = None
    breaks: tuple[tuple[timedelta, timedelta], ...] = attrs.field(default=(), converter=_breaks)

    def __attrs_post_init__(self) -> None:
        if not (timedelta(0) <= self.start and (self.end is None or self.start < self.end)):
            raise ConfigError(
                "a shift must end after it starts, at or after 0, "
                f"got {show(self.start)}-{show(self.end)}"
            )
        for b, d in self.breaks:
            if d <= timedelta(0) or b < self.start or (self.end is not None and d > self.end - b):
                raise ConfigError(
                    f"break ({show(b)}, {show(d)}) must be a positive span within the shift "
                    f"{show(self.start)}-{show(self.end)}"
                )

    def on_time(self) -> timedelta | None:
        """Time on shift, breaks excluded; ``None`` for a shift that lasts to the end."""
        if self.end is None:
            return None
        return self.end - self.start - sum((d for _, d in self.breaks), timedelta(0))


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
        shifts: When they work (default: the whole simulation).
        break_waves: Breaks are spread over this many waves: agent ``i`` takes each break
            ``(i % break_waves) * break_gap`` later, so the whole group is never away at once.
        break_gap: The delay between waves.

    Raises:
        ConfigError: A negative count, or a malformed profile.
    """

    name: str
    count: int
    capacity: Mapping[str, int] = attrs.field(factory=lambda: {"phone": 1})
    skills: Mapping[str, int] = attrs.field(factory=dict)
    languages: tuple[str, ...] = attrs.field(default=(), converter=_to_tuple)
    teams: tuple[str, ...] = attrs.field(default=(), converter=_to_tuple)
    shifts: tuple[Shift, ...] = attrs.field(default=(Shift(),), converter=_to_tuple)
    break_waves: int = 1
    break_gap: timedelta = timedelta(0)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ConfigError(f"'name' must be a non-empty string, got {show(self.name)}")
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 0:
            raise ConfigError(f"'count' must be an int >= 0, got {show(self.count)}")
        b = self.break_waves
        if isinstance(b, bool) or not isinstance(b, int) or b < 1:
            raise ConfigError(f"'break_waves' must be an int >= 1, got {show(self.break_waves)}")
        # Build one profile now so that a malformed one fails at configuration time.
        self.profile(0)

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

    def slots(self) -> int:
        """Tickets one agent holds at once at most (its largest channel capacity)."""
        return max(self.capacity.values(), default=0)


@attrs.frozen
class EscalationRule:
    """When a front-line handling of a ticket of *category* ends, escalate it to *team* with
    *probability* instead of resolving it; that team's agent handles it again and resolves.

    Raises:
        ConfigError: A probability outside [0, 1].
    """

    category: str
    team: str
    probability: float

    def __attrs_post_init__(self) -> None:
        p = self.probability
        if isinstance(p, bool) or not isinstance(p, int | float) or not 0 <= p <= 1:
            raise ConfigError(f"'probability' must be a number in [0, 1], got {show(p)}")


def _to_distributions(value: Any) -> tuple[tuple[str, Distribution], ...]:
    if isinstance(value, tuple):
        value = dict(value)
    return tuple(
        (str(k), _distribution(v, f"{k}")) for k, v in mapping(value, "distributions").items()
    )


def _peak(value: float | str) -> float:
    if isinstance(value, str):
        if value not in PEAK_DAYS:
            raise ConfigError(f"unknown peak day {show(value)}; known: {show(sorted(PEAK_DAYS))}")
        return PEAK_DAYS[value]
    return _number(value, "peak", positive=True)


@attrs.frozen
class SimConfig:
    """What to simulate: the traffic, the people, the horizon.

    Args:
        start: When the simulation starts (aware).
        duration: How long arrivals come (the simulation then drains: every ticket in line is
            served or abandoned).
        arrivals: The traffic.
        agents: The agent groups.
        handle_time: Handle-time distribution by channel name, with ``"default"`` for the rest.
        patience: Patience distribution by channel name (no entry: the customer never gives
            up), with ``"default"`` for the rest.
        escalations: Escalation rules by category.
        peak: A peak-day multiplier of every rate: a number or a :data:`PEAK_DAYS` name.
        max_customers: Stop arrivals after this many customers (``None``: no limit).
        warmup: Tickets that arrive in the first *warmup* are left out of the report (a
            steady-state estimate should not count the empty desk at the start).
        service_target: The answer-time target of the report's service level.
        interval: The length of the intervals of :attr:`SimResult.sla_series`.
        reply_on_assign: The agent replies as soon as it takes a ticket (meets first response).

    Raises:
        ConfigError: Anything malformed.
    """

    start: datetime
    duration: timedelta
    arrivals: Arrivals
    agents: tuple[AgentGroup, ...] = attrs.field(converter=_to_tuple)
    handle_time: tuple[tuple[str, Distribution], ...] = attrs.field(
        default=(("default", Exponential(timedelta(minutes=6))),), converter=_to_distributions
    )
    patience: tuple[tuple[str, Distribution], ...] = attrs.field(
        default=(), converter=_to_distributions
    )
    escalations: tuple[EscalationRule, ...] = attrs.field(default=(), converter=_to_tuple)
    peak: float = attrs.field(default=1.0, converter=_peak)
    max_customers: int | None = None
    warmup: timedelta = timedelta(0)
    service_target: timedelta = DEFAULT_SERVICE_TARGET
    interval: timedelta = timedelta(minutes=30)
    reply_on_assign: bool = True

    def __attrs_post_init__(self) -> None:
        instant_us(self.start, "start", ConfigError)
        if not isinstance(self.duration, timedelta) or self.duration <= timedelta(0):
            raise ConfigError(f"'duration' must be a positive timedelta, got {show(self.duration)}")
        if not isinstance(self.interval, timedelta) or self.interval <= timedelta(0):
            raise ConfigError(f"'interval' must be a positive timedelta, got {show(self.interval)}")
        duration_us(self.warmup, "warmup", ConfigError)
        duration_us(self.service_target, "service_target", ConfigError)
        m = self.max_customers
        if m is not None and (isinstance(m, bool) or not isinstance(m, int) or m < 1):
            raise ConfigError(f"'max_customers' must be an int >= 1 or None, got {show(m)}")
        names = [g.name for g in self.agents]
        if len(set(names)) != len(names):
            raise ConfigError(f"agent group names must be unique, got {show(names)}")
        if "default" not in dict(self.handle_time):
            raise ConfigError(
                "'handle_time' needs a 'default' entry, got "
                f"{show([k for k, _ in self.handle_time])}"
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
                             "email": {"empirical": ["PT3M", 420, "PT12M"]}},
             "patience": {"chat": {"exponential": "PT8M"}},
             "agents": [{"name": "front", "count": 20, "capacity": {"chat": 3, "phone": 1},
                         "skills": {"orders": 3}, "languages": ["id"], "teams": ["front"],
                         "shifts": [{"start": "PT7H", "end": "PT15H",
                                     "breaks": [["PT11H", "PT30M"]]}],
                         "break_waves": 3, "break_gap": "PT30M"}],
             "escalations": [{"category": "refund", "team": "finance", "probability": 0.3}],
             "max_customers": null, "warmup": 0, "service_target": 20, "interval": "PT30M",
             "reply_on_assign": true}

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
            ),
            path,
        )

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
            periods.append(wrap(p, RatePeriod, _clock(pair[0], p), _number(pair[1], p)))
        mixes = {
            k: wrap(f"{path}.arrivals.{k}", _mix, a[k], f"{path}.arrivals.{k}")
            for k in ("channels", "tiers", "categories", "languages")
            if k in a
        }
        arrivals = wrap(at("arrivals"), Arrivals, periods, **mixes)
        groups = []
        for i, g in enumerate(sequence(d.get("agents", []), at("agents"))):
            groups.append(_group_from_dict(g, f"{path}.agents[{i}]"))
        kw: dict[str, Any] = {}
        for key in ("handle_time", "patience"):
            if key in d:
                m = mapping(d[key], at(key))
                kw[key] = tuple((k, _distribution(v, f"{at(key)}.{k}")) for k, v in m.items())
        escalations = []
        for i, e in enumerate(sequence(d.get("escalations", []), at("escalations"))):
            p = f"{path}.escalations[{i}]"
            em = mapping(e, p)
            check_keys(em, ("category", "team", "probability"), p)
            escalations.append(
                wrap(p, EscalationRule, em.get("category"), em.get("team"), em.get("probability"))
            )
        if "peak" in d:
            kw["peak"] = wrap(at("peak"), _peak, d["peak"])
        if d.get("max_customers") is not None:
            kw["max_customers"] = d["max_customers"]
        if "warmup" in d:
            kw["warmup"] = duration(d["warmup"], at("warmup"), zero=True)
        if "service_target" in d:
            kw["service_target"] = duration(d["service_target"], at("service_target"), zero=True)
        if "interval" in d:
            kw["interval"] = duration(d["interval"], at("interval"))
        if "reply_on_assign" in d:
            if not isinstance(d["reply_on_assign"], bool):
                raise ConfigError(
                    f"expected true or false, got {show(d['reply_on_assign'])}",
                    at("reply_on_assign"),
                )
            kw["reply_on_assign"] = d["reply_on_assign"]
        return wrap(  # type: ignore[no-any-return]
            path,
            cls,
            start,
            duration(d.get("duration"), at("duration")),
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
                    duration(pair[0], f"{p}.breaks[{k}]", zero=True),
                    duration(pair[1], f"{p}.breaks[{k}]"),
                )
            )
        shifts.append(
            wrap(
                p,
                Shift,
                duration(sm.get("start", 0), f"{p}.start", zero=True),
                None if sm.get("end") is None else duration(sm["end"], f"{p}.end"),
                breaks,
            )
        )
    return wrap(  # type: ignore[no-any-return]
        path,
        AgentGroup,
        g.get("name"),
        g.get("count", 1),
        capacity=dict(mapping(g.get("capacity", {"phone": 1}), f"{path}.capacity")),
        skills=dict(mapping(g.get("skills", {}), f"{path}.skills")),
        languages=sequence(g.get("languages", []), f"{path}.languages"),
        teams=sequence(g.get("teams", []), f"{path}.teams"),
        shifts=shifts,
        break_waves=g.get("break_waves", 1),
        break_gap=duration(g.get("break_gap", 0), f"{path}.break_gap", zero=True),
    )


# ---------------------------------------------------------------------------------------------
# Results


@attrs.frozen
class SlaInterval:
    """SLA cycles decided in one interval of the run (for plots of attainment over the day).

    Attributes:
        start: The interval's start (UTC).
        met: Cycles met on time in it.
        breached: Cycles breached in it (counted at the breach, or when met late).
    """

    start: datetime
    met: int
    breached: int

    @property
    def rate(self) -> float | None:
        """``met / (met + breached)``, or ``None`` when nothing was decided."""
        total = self.met + self.breached
        return self.met / total if total else None


@attrs.frozen
class SimResult:
    """The outcome of a simulation.

    Attributes:
        report: Service level, ASA, abandonment, occupancy, SLA attainment, queue length ...
        customers: Customers who arrived (warm-up included).
        commands: Desk commands the simulator issued.
        events: Events the desk returned.
        sla_series: SLA attainment per :attr:`SimConfig.interval`, in time order.
        seed: The seed of the run.
    """

    report: Report
    customers: int
    commands: int
    events: int
    sla_series: tuple[SlaInterval, ...]
    seed: int


# ---------------------------------------------------------------------------------------------
# The simulator

_ARRIVE, _DONE, _ABANDON, _PRESENCE = 0, 1, 2, 3


class _Run:
    """One simulation's mutable state (see the module notes)."""

    def __init__(
        self,
        desk_config: DeskConfig,
        config: SimConfig,
        seed: int,
        progress: Callable[[float], None] | None,
    ) -> None:
        # The simulation reads the events as they come and never snapshots: no command log or
        # per-ticket history, so memory stays flat over long runs.
        self.desk = Desk(attrs.evolve(desk_config, keep_log=False, keep_history=False))
        self.config = config
        self.seed = seed
        self.rng = random.Random(seed)
        self.progress = progress
        self.start_us = instant_us(config.start, "start", ConfigError)
        self.end_us = self.start_us + duration_us(config.duration, "duration", ConfigError)
        self.warm_us = self.start_us + duration_us(config.warmup, "warmup", ConfigError)
        self.heap: list[tuple[int, int, int, Any, Any]] = []
        self.seq = itertools.count()
        self.commands = 0
        self.n_events = 0
        self.customers = 0
        self.waiting: set[str] = set()  # tickets waiting for their first agent
        self.handling: dict[str, str] = {}  # ticket -> the agent handling it
        self.escalated: set[str] = set()
        self.info: dict[str, tuple[str, str]] = {}  # ticket -> (channel, category)
        self.warm: set[str] = set()  # tickets left out of the report
        tiers = desk_config.tiers
        self.tiers = {n: tiers.get(n) or Tier(n, 0) for n, _ in config.arrivals.tiers}
        self.channel = _Picker(config.arrivals.channels)
        self.tier = _Picker(config.arrivals.tiers)
        self.category = _Picker(config.arrivals.categories)
        self.language = _Picker(config.arrivals.languages) if config.arrivals.languages else None
        ht = dict(config.handle_time)
        self.handle = ht
        self.handle_default = ht["default"]
        pt = dict(config.patience)
        self.patience = pt
        self.patience_default = pt.get("default")
        self.escalate: dict[str, list[tuple[str, float]]] = {}
        for e in config.escalations:
            if e.team not in desk_config.teams:
                raise ConfigError(
                    f"escalation team {show(e.team)} is not a team of the desk; known: "
                    f"{show(sorted(desk_config.teams))}",
                    "escalations",
                )
            self.escalate.setdefault(e.category, []).append((e.team, e.probability))
        self.rate_starts = [p.start.total_seconds() for p in config.arrivals.rates]
        self.rate_per_s = [p.per_hour * config.peak / 3600.0 for p in config.arrivals.rates]
        self.interval_us = duration_us(config.interval, "interval", ConfigError)
        self.sla_bins: dict[int, list[int]] = {}
        self.next_arrival_s = 0.0  # seconds since start of the arrival process

    # -- set-up --------------------------------------------------------------------------------

    def available(self, window: timedelta) -> timedelta:
        """Planned agent time on shift, in capacity slots, within the first *window*."""
        total = timedelta(0)
        for g in self.config.agents:
            for s in g.shifts:
                end = window if s.end is None else min(s.end, window)
                on = end - min(s.start, window)
                on -= sum(
                    (min(d, max(timedelta(0), window - b)) for b, d in s.breaks), timedelta(0)
                )
                total += on * g.count * g.slots()
        return total

    def push(self, t_us: int, kind: int, a: Any = None, b: Any = None) -> None:
        heapq.heappush(self.heap, (t_us, next(self.seq), kind, a, b))

    def schedule_agents(self) -> Iterator[object]:
        at = utc(self.start_us)
        for g in self.config.agents:
            for i in range(g.count):
                profile = g.profile(i)
                self.commands += 1
                yield from self.desk.add_agent(profile, at=at)
                lag = duration_us(g.break_gap, "break_gap", ConfigError) * (i % g.break_waves)
                for s in g.shifts:
                    s0 = self.start_us + duration_us(s.start, "start", ConfigError)
                    # An open-ended shift never sends its agent offline: it works to the end.
                    s1 = (
                        None
                        if s.end is None
                        else self.start_us + duration_us(s.end, "end", ConfigError)
                    )
                    self.push(s0, _PRESENCE, profile.id, "available")
                    for b, d in s.breaks:
                        b0 = self.start_us + duration_us(b, "break", ConfigError) + lag
                        b1 = b0 + duration_us(d, "break", ConfigError)
                        if s1 is not None:
                            b1 = min(b1, s1)
                        if b0 < b1:
                            self.push(b0, _PRESENCE, profile.id, "away")
                            self.push(b1, _PRESENCE, profile.id, "available")
                    if s1 is not None:
                        self.push(s1, _PRESENCE, profile.id, "offline")

    def schedule_arrival(self) -> None:
        """Draw the next arrival of the piecewise-constant Poisson process, if any."""
        m = self.config.max_customers
        if m is not None and self.customers >= m:
            return
        t = self.next_arrival_s
        horizon = (self.end_us - self.start_us) / _US
        starts = self.rate_starts
        rates = self.rate_per_s
        rng = self.rng
        while t < horizon:
            day = math.floor(t / _DAY_S)
            tod = t - day * _DAY_S
            i = bisect.bisect_right(starts, tod) - 1
            seg_end = day * _DAY_S + (starts[i + 1] if i + 1 < len(starts) else _DAY_S)
            rate = rates[i]
            if rate > 0:
                nxt = t + rng.expovariate(rate)
                if nxt < seg_end:
                    if nxt >= horizon:
                        return
                    self.next_arrival_s = nxt
                    self.push(self.start_us + round(nxt * _US), _ARRIVE)
                    return
            t = seg_end  # memoryless: draw afresh from the change of rate
        return

    # -- the loop ------------------------------------------------------------------------------

    def events(self) -> Iterator[object]:
        """Run the simulation, yielding every desk event in order (warm-up tickets left out)."""
        yield from self.schedule_agents()
        self.schedule_arrival()
        desk = self.desk
        heap = self.heap
        pop = heapq.heappop
        react = self.react
        span = max(1, self.end_us - self.start_us)
        steps = 0
        progress = self.progress
        max_c = self.config.max_customers
        while True:
            w_us = desk.next_wakeup_us()
            if not heap and w_us is None:
                break
            if w_us is not None and (not heap or w_us <= heap[0][0]):
                self.commands += 1
                yield from react(desk.advance(at=utc(w_us)))
                continue
            t_us, _, kind, a, b = pop(heap)
            at = utc(t_us)
            if kind == _ARRIVE:
                yield from self.arrive(t_us, at)
            elif kind == _DONE:
                if self.handling.get(a) == b:
                    yield from self.done(a, b, at)
            elif kind == _ABANDON:
                if a in self.waiting:
                    self.waiting.discard(a)
                    self.commands += 1
                    yield from react(desk.abandon(a, at=at))
            else:
                self.commands += 1
                yield from react(desk.set_presence(a, b, at=at))
            steps += 1
            if progress is not None and steps % 2000 == 0:
                frac = (t_us - self.start_us) / span
                if max_c is not None:
                    frac = max(frac, self.customers / max_c)
                progress(min(1.0, frac))
        if progress is not None:
            progress(1.0)

    def arrive(self, t_us: int, at: datetime) -> Iterator[object]:
        rng = self.rng
        self.customers += 1
        n = self.customers
        tid = f"T{n}"
        channel = self.channel.pick(rng)
        tier = self.tiers[self.tier.pick(rng)]
        language = self.language.pick(rng) if self.language is not None else None
        category = self.category.pick(rng)
        ticket = Ticket(
            tid, Customer(f"C{n}", tier, language=language), channel, at, category=category
        )
        self.info[tid] = (channel, category)
        if t_us < self.warm_us:
            self.warm.add(tid)
        patience = self.patience.get(channel, self.patience_default)
        self.schedule_arrival()
        self.waiting.add(tid)
        self.commands += 1
        yield from self.react(self.desk.submit(ticket, at=at))
        if patience is not None and tid in self.waiting:
            self.push(t_us + round(patience.sample(rng) * _US), _ABANDON, tid)

    def done(self, tid: str, agent: str, at: datetime) -> Iterator[object]:
        del self.handling[tid]
        rules = self.escalate.get(self.info[tid][1])
        if rules and tid not in self.escalated:
            rng = self.rng
            for team, p in rules:
                if rng.random() < p:
                    self.escalated.add(tid)
                    self.commands += 1
                    yield from self.react(self.desk.escalate(tid, team, at=at))
                    return
        self.commands += 1
        yield from self.react(self.desk.resolve(tid, agent, at=at))

    def react(self, events: list[Any]) -> Iterator[object]:
        """Pass the desk's events on; an assignment starts a handling (and maybe a reply)."""
        self.n_events += len(events)
        warm = self.warm
        for e in events:
            kind = type(e)
            if kind is TicketAssigned:
                tid = e.ticket_id
                agent = e.agent_id
                self.waiting.discard(tid)
                self.handling[tid] = agent
                t_us = instant_us(e.at, "at")
                dist = self.handle.get(self.info[tid][0], self.handle_default)
                self.push(t_us + round(dist.sample(self.rng) * _US), _DONE, tid, agent)
                counted = not (warm and tid in warm)
                if counted:
                    yield e
                if self.config.reply_on_assign:
                    self.commands += 1
                    replies = self.desk.reply(tid, agent, at=e.at)
                    self.n_events += len(replies)
                    if counted:
                        for r in replies:
                            if type(r) is SlaMet or type(r) is SlaBreached:
                                self.bin(r)
                            yield r
                continue
            if warm and getattr(e, "ticket_id", None) in warm:
                continue
            if kind is SlaMet or kind is SlaBreached:
                self.bin(e)
            yield e

    def bin(self, e: SlaMet | SlaBreached) -> None:
        """Count an SLA cycle in its interval: met on time, or breached at its breach event.

        A cycle met late already counted at its :class:`~csflow.sla.SlaBreached` (the desk
        fires breaches at their instant), so its late ``SlaMet`` is not counted again.
        """
        k = (instant_us(e.at, "at") - self.start_us) // self.interval_us
        counts = self.sla_bins.get(k)
        if counts is None:
            counts = self.sla_bins[k] = [0, 0]
        if isinstance(e, SlaBreached):
            counts[1] += 1
        elif not e.breached:
            counts[0] += 1

    def series(self) -> tuple[SlaInterval, ...]:
        return tuple(
            SlaInterval(utc(self.start_us + k * self.interval_us), met, br)
            for k, (met, br) in sorted(self.sla_bins.items())
        )


def simulate(
    desk_config: DeskConfig,
    config: SimConfig,
    *,
    seed: int = 0,
    progress: Callable[[float], None] | None = None,
) -> SimResult:
    """Simulate *config*'s traffic and agents on a desk built from *desk_config*.

    Args:
        desk_config: The desk under test: its tiers, SLA policies, queues, routing, teams.
        config: The traffic, the agents and the horizon.
        seed: The seed of the run's only source of randomness.
        progress: Called now and then with the fraction done (0.0-1.0), and with 1.0 at the
            end; a CLI draws a progress bar with it.

    Returns:
        The :class:`SimResult`, whose ``report`` is :func:`csflow.metrics.summarize` over the
        desk's events (warm-up tickets left out) with the agents' planned time on shift as the
        available time for occupancy.

    Raises:
        ConfigError: An escalation team the desk does not have, or a desk command refused by
            the desk configuration (for instance an escalation the graph does not allow).

    Examples:
        >>> from datetime import datetime, timedelta, timezone
        >>> cfg = SimConfig(
        ...     start=datetime(2026, 3, 16, tzinfo=timezone.utc),
        ...     duration=timedelta(hours=2),
        ...     arrivals=Arrivals.constant(50),
        ...     agents=[AgentGroup("a", 6)],
        ... )
        >>> result = simulate(DeskConfig(), cfg, seed=1)
        >>> result.report.offered == result.customers
        True
    """
    if not isinstance(desk_config, DeskConfig):
        raise ConfigError(f"desk_config must be a DeskConfig, got {show(desk_config)}")
    if not isinstance(config, SimConfig):
        raise ConfigError(f"config must be a SimConfig, got {show(config)}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigError(f"seed must be an int, got {show(seed)}")
    run = _Run(desk_config, config, seed, progress)
    report = summarize(run.events(), service_target=config.service_target)
    if report.end is not None:
        # Occupancy over the span that ran: the arrival window, or less when a customer
        # limit ended the arrivals early.
        ran = min(config.duration, report.end - config.start)
        report = attrs.evolve(report, available=run.available(ran))
    return SimResult(report, run.customers, run.commands, run.n_events, run.series(), seed)


# ---------------------------------------------------------------------------------------------
# Scenarios (plain data: picklable, for sweeps on other processes or machines)


def _to_data(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"expected a mapping, got {show(value)}")
    return dict(value)


@attrs.frozen
class Scenario:
    """One simulation as plain data: what :func:`run_scenario` runs and sweeps ship around.

    Plain data (the shapes of :meth:`DeskConfig.from_dict` and :meth:`SimConfig.from_dict`)
    pickles, so a scenario can run in another process or on another machine.

    Args:
        name: A label for the results.
        desk: The desk configuration as plain data.
        simulation: The simulation configuration as plain data.
        seed: The seed of the run.
    """

    name: str
    desk: Mapping[str, Any] = attrs.field(converter=_to_data)
    simulation: Mapping[str, Any] = attrs.field(converter=_to_data)
    seed: int = 0

    def configs(self) -> tuple[DeskConfig, SimConfig]:
        """The desk and simulation configurations.

        Raises:
            ConfigError: Malformed data, with the path to it (``desk...``/``simulation...``).
        """
        try:
            desk = DeskConfig.from_dict(self.desk)
        except ConfigError as exc:
            raise ConfigError(exc.detail, f"desk.{exc.path}" if exc.path else "desk") from None
        return desk, SimConfig.from_dict(self.simulation)


def run_scenario(scenario: Scenario, progress: Callable[[float], None] | None = None) -> SimResult:
    """Build *scenario*'s configurations and :func:`simulate` it with its seed.

    The result's report is made of plain containers, so it pickles back from a worker.

    Raises:
        ConfigError: Malformed scenario data.
    """
    desk, sim = scenario.configs()
    result = simulate(desk, sim, seed=scenario.seed, progress=progress)
    r = result.report
    plain = attrs.evolve(
        r,
        sla_by_metric=dict(r.sla_by_metric),
        sla_by_tier=dict(r.sla_by_tier),
        sla_by_channel=dict(r.sla_by_channel),
    )
    return attrs.evolve(result, report=plain)


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
        ConfigError: A bad number of agents or load.
    """
    if isinstance(agents, bool) or not isinstance(agents, int) or agents < 1:
        raise ConfigError(f"'agents' must be an int >= 1, got {show(agents)}")
    per_hour = _number(load, "load", positive=True) * 3600 / aht.total_seconds()
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
    # A span long enough that the customer limit, not the horizon, ends the arrivals.
    days = max(1, math.ceil(customers / per_hour / 24 * 1.5) + 1)
    simulation = {
        "start": "2026-01-05T00:00:00+00:00",
        "duration": f"P{days}D",
        "arrivals": {"rates": [["00:00", per_hour]], "channels": {"phone": 1}},
        "agents": [
            {
                "name": "agent",
                "count": agents,
                "capacity": {"phone": 1},
                "shifts": [{"start": 0, "end": f"P{days + 3650}D"}],
            }
        ],
        "handle_time": {"default": {"exponential": aht.total_seconds()}},
        "max_customers": customers,
        "warmup": warmup.total_seconds(),
        "service_target": service_target.total_seconds(),
        "interval": "PT1H",
    }
    return Scenario(f"M/M/{agents} at {load:g} Erlang", desk, simulation, seed)
