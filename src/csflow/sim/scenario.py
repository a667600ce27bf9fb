"""What to simulate: arrivals, agents and their shifts, escalations, and whole scenarios.

:class:`SimConfig` is the traffic, the people and the horizon of one run; :class:`Scenario`
is one run as plain data (picklable, for sweeps on other processes or machines), and
:func:`mmc_scenario` the M/M/c queue of Erlang C as one.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, Final

import attrs

from csflow._config import check_keys, duration, mapping, sequence, wrap
from csflow._text import show
from csflow._time import duration_us, instant_us
from csflow.calendar import BusinessCalendar
from csflow.desk import DeskConfig
from csflow.errors import ConfigError
from csflow.metrics import DEFAULT_SERVICE_TARGET
from csflow.model import AgentProfile, Channel
from csflow.routing.capacity import CapacityRules
from csflow.sim._data import clock, mix, number
from csflow.sim.distributions import Distribution, Exponential, read_distribution

__all__ = [
    "PEAK_DAYS",
    "AgentGroup",
    "Arrivals",
    "EscalationRule",
    "RatePeriod",
    "Scenario",
    "Shift",
    "SimConfig",
    "mmc_scenario",
    "peak_factor",
]

#: Peak-day multipliers of the arrival rate, by name, for Indonesian e-commerce: the days
#: before Lebaran (Idul Fitri) and the 11.11 and 12.12 sales.  Sample values: calibrate them on
#: your own history.
PEAK_DAYS: Final[Mapping[str, float]] = MappingProxyType(
    {"normal": 1.0, "lebaran": 2.5, "11.11": 3.0, "12.12": 3.5}
)


#: The highest arrival rate a simulation takes, in contacts an hour, after the peak-day
#: multiplier: 10 million an hour (2,778 a second), far beyond any desk's peak.  A run costs
#: about one step per customer, so a rate beyond it would not finish (and rates past about
#: 1e15 an hour draw gaps below the resolution of the simulated clock and would never end).
#: Not exported: the number is the documented contract.
MAX_ARRIVAL_RATE: Final = 1e7


def _channels(value: Any) -> tuple[tuple[str, float], ...]:
    return mix(value, "channels")


def _tiers(value: Any) -> tuple[tuple[str, float], ...]:
    return mix(value, "tiers")


def _categories(value: Any) -> tuple[tuple[str, float], ...]:
    return mix(value, "categories")


def _languages(value: Any) -> tuple[tuple[str, float], ...]:
    return mix(value, "languages") if value else ()


def _breaks(value: Any) -> tuple[tuple[timedelta, timedelta], ...]:
    return tuple((a, b) for a, b in value)


def _to_tuple(value: Any) -> tuple[Any, ...]:
    return tuple(value)


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
        number(self.per_hour, "per_hour")


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
        (str(k), read_distribution(v, f"{k}")) for k, v in mapping(value, "distributions").items()
    )


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
        name = _named_like(float(value))
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
        start: When the simulation starts (aware).
        duration: How long arrivals come.  The simulation then drains: the agents still on
            shift serve the tickets in line, and customers with a patience give up, until
            nothing is left to happen.  A ticket that no agent can take any more (no agent on
            shift with capacity for its channel, none at all, or shifts that ended before the
            line emptied) and whose customer never gives up stays in line: the report counts
            it in ``waiting``, answered neither on time nor late.
        arrivals: The traffic; at most :data:`MAX_ARRIVAL_RATE` (10 million) contacts an hour
            in any period once multiplied by *peak*.
        agents: The agent groups.
        handle_time: Handle-time distribution by channel name, with ``"default"`` for the rest.
        patience: Patience distribution by channel name (no entry: the customer never gives
            up), with ``"default"`` for the rest.
        escalations: Escalation rules by category.
        peak: A peak-day multiplier of every rate: a :data:`PEAK_DAYS` name, a positive number
            or a factor written ``"x2.5"``; a bare number that reads as a peak day's name
            (``11.11``, ``12.12``) is refused by :meth:`from_dict` (quote the name; see
            :func:`peak_factor`).
        max_customers: Stop arrivals after this many customers (``None``: no limit).
        warmup: Tickets that arrive in the first *warmup* are left out of the report (a
            steady-state estimate should not count the empty desk at the start).
        service_target: The answer-time target of the report's service level.
        interval: The length of the intervals of :attr:`SimResult.sla_series`.
        reply_on_assign: The agent replies as soon as it takes a ticket (meets first response).

    Raises:
        ConfigError: Anything malformed, or an arrival rate (times *peak*) above
            :data:`MAX_ARRIVAL_RATE`.
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
            periods.append(wrap(p, RatePeriod, clock(pair[0], p), number(pair[1], p)))
        mixes = {
            k: wrap(f"{path}.arrivals.{k}", mix, a[k], f"{path}.arrivals.{k}")
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
            kw["peak"] = wrap(at("peak"), peak_factor, d["peak"])
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
        ConfigError: A bad number of agents or load, or a load whose arrival rate
            (``load / aht``) is above :data:`MAX_ARRIVAL_RATE` contacts an hour.
    """
    if isinstance(agents, bool) or not isinstance(agents, int) or agents < 1:
        raise ConfigError(f"'agents' must be an int >= 1, got {show(agents)}")
    per_hour = number(load, "load", positive=True) * 3600 / aht.total_seconds()
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
