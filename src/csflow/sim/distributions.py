"""Distributions of durations (handle times, customer patience), and reading them from data."""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any, Final, Protocol, runtime_checkable

import attrs

from csflow._config import check_keys, mapping, sequence
from csflow._text import show
from csflow.errors import ConfigError
from csflow.sim._data import bounded, number, span

__all__ = ["Distribution", "Empirical", "Exponential", "LogNormal", "read_distribution"]

#: The largest *sigma* of a :class:`LogNormal`: 2.5, past any real distribution of handle
#: times or patience (0.5-1.0 is typical, 1.5 a very long tail).  The mean of a log-normal
#: rests on ever rarer, ever longer draws as *sigma* grows: at 2.5 the median is already 4% of
#: the mean (a 13-second median for a five-minute mean), and a day's 10,000 draws average
#: within about 15% of the configured mean (the typical day 6% below it; 200,000 draws within
#: about 5%).  At 3 the typical day averages 13% low and one in ten 30% low, at 5 a day
#: averages a fifth of the mean, and from about 10 nearly every draw is a tiny fraction of a
#: second: the configured mean no longer means anything and a run reports a handle time of 0.
#: Not exported: the number is the documented contract.
MAX_LOGNORMAL_SIGMA: Final = 2.5


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
        sigma: The standard deviation of the logarithm (0.5-1.0 is typical), a number from 0
            (every draw is the mean) to :data:`MAX_LOGNORMAL_SIGMA` (2.5).

    Raises:
        ConfigError: *mean* is not a positive timedelta, or *sigma* is not a number in
            ``[0, MAX_LOGNORMAL_SIGMA]`` (path ``sigma``).
    """

    mean: timedelta = attrs.field(validator=_positive_td)
    sigma: float = attrs.field(default=0.75)

    @sigma.validator
    def _v_sigma(self, _a: attrs.Attribute[float], value: float) -> None:
        _sigma(value, "sigma")

    def sample(self, rng: random.Random, /) -> float:
        """One draw in seconds."""
        mu = math.log(self.mean.total_seconds()) - self.sigma * self.sigma / 2
        return rng.lognormvariate(mu, self.sigma)

    def mean_seconds(self) -> float:
        """The mean in seconds."""
        return self.mean.total_seconds()


def _sigma(value: object, path: str) -> float:
    """A log-normal's *sigma*: a number in ``[0, MAX_LOGNORMAL_SIGMA]``, else a
    :class:`~csflow.errors.ConfigError` at *path*."""
    sigma = number(value, path)
    if sigma > MAX_LOGNORMAL_SIGMA:
        raise ConfigError(
            f"a log-normal's sigma must be at most {MAX_LOGNORMAL_SIGMA:g}, got {show(value)}: "
            "past it the draws no longer keep the configured mean (0.5-1.0 is typical of "
            "handle times)",
            path,
        )
    return sigma


def _to_values(value: Iterable[timedelta]) -> tuple[timedelta, ...]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise ConfigError(f"'values' must be a sequence of durations, got {show(value)}")
    values: tuple[Any, ...] = bounded(value, "values")
    if all(isinstance(v, timedelta) for v in values):
        # The observations are a sample, not a sequence: kept in increasing order, so the
        # order they came in (rows of a query without ORDER BY) changes no draw.
        return tuple(sorted(values))
    return values  # (the validator names what is not a duration)


@attrs.frozen
class Empirical:
    """Durations drawn uniformly from observed values (resampling your own history).

    Args:
        values: The observed durations (at least one, none negative; at most ten million,
            read once: an endless iterable is refused once it gives more).  They are a
            sample, kept in increasing order: the order they are given in changes no draw,
            so the same history exported in another order gives the same run, and
            ``Empirical([b, a]) == Empirical([a, b])``.

    Raises:
        ConfigError: *values* not a sequence (a string or a mapping is not one), no values,
            or one that is not a non-negative timedelta.
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


def read_distribution(value: object, path: str) -> Distribution:
    """``{"exponential": "PT6M"}``, ``{"lognormal": {"mean": ..., "sigma": ...}}``,
    ``{"empirical": [...]}``, or a duration alone (exponential).

    Raises:
        ConfigError: A malformed distribution, with the path to the bad value: a mean that is
            not a positive duration, an empirical value that is negative, an empty empirical
            list, a *sigma* that is negative or above :data:`MAX_LOGNORMAL_SIGMA`, an unknown
            kind, or a class (``Exponential`` for ``Exponential(mean)``) rather than a
            distribution.
    """
    if isinstance(value, type):
        # A class with the two methods passes the protocol's check too, and would fail at
        # its first draw, mid-run, without an instance to draw with.
        raise ConfigError(
            f"expected a distribution, got the class {value.__name__}: pass an instance "
            f"(such as {value.__name__}(...)) or data such as {{'exponential': 'PT6M'}}",
            path,
        )
    if isinstance(value, Distribution):
        return value
    if not isinstance(value, Mapping):
        return Exponential(span(value, path))
    d = mapping(value, path)
    if len(d) != 1:
        raise ConfigError(
            f"expected one of 'exponential', 'lognormal', 'empirical', got {show(sorted(d))}", path
        )
    ((kind, arg),) = d.items()
    p = f"{path}.{kind}"
    if kind == "exponential":
        return Exponential(span(arg, p))
    if kind == "lognormal":
        m = mapping(arg, p)
        check_keys(m, ("mean", "sigma"), p)
        return LogNormal(
            span(m.get("mean"), f"{p}.mean"), _sigma(m.get("sigma", 0.75), f"{p}.sigma")
        )
    if kind == "empirical":
        values = [span(v, f"{p}[{i}]", zero=True) for i, v in enumerate(sequence(arg, p))]
        if not values:
            raise ConfigError(f"expected a list of at least one duration, got {show(arg)}", p)
        return Empirical(values)
    raise ConfigError(
        f"unknown distribution {show(kind)}; expected 'exponential', 'lognormal' or 'empirical'",
        path,
    )
