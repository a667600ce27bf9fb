"""Student's t quantiles of the verified plan's confidence intervals, for any number of seeds."""

from __future__ import annotations

import itertools
import math
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.staffing._student import t_quantile
from csflow.staffing.verify import Estimate


def coverage(t: float, df: int, panels: int = 2000) -> float:
    """``P(|T| <= t)`` by Simpson's rule, independently of the library: with
    ``x = sqrt(df) tan(u)`` it is ``2 / B(df/2, 1/2)`` times the integral of
    ``cos(u)^(df-1)`` from 0 to ``atan(t / sqrt(df))``, a smooth integrand on a short range."""
    top = math.atan(t / math.sqrt(df))
    h = top / panels
    total = 1.0 + math.cos(top) ** (df - 1)
    for k in range(1, panels):
        total += (4 if k % 2 else 2) * math.cos(k * h) ** (df - 1)
    log_beta = math.lgamma(df / 2) + math.lgamma(0.5) - math.lgamma((df + 1) / 2)
    return 2.0 * math.exp(-log_beta) * total * h / 3.0


# Two-sided quantiles t(p, df) with p = (1 + confidence) / 2, from tables (and scipy, mpmath).
KNOWN = [
    (0.95, 1, 12.706204736),
    (0.95, 2, 4.302652730),
    (0.95, 10, 2.228138852),
    (0.95, 30, 2.042272456),
    (0.95, 31, 2.039513446),
    (0.95, 60, 2.000297822),
    (0.95, 120, 1.979930405),
    (0.99, 5, 4.032142984),
    (0.90, 7, 1.894578605),
    (0.95, 1000, 1.962339081),
]


@pytest.mark.parametrize(("confidence", "df", "expected"), KNOWN)
def test_the_quantile_matches_the_tables(confidence: float, df: int, expected: float) -> None:
    assert t_quantile(confidence, df) == pytest.approx(expected, abs=5e-10)
    assert coverage(expected, df) == pytest.approx(confidence, abs=1e-9)


@pytest.mark.parametrize("confidence", [0.5, 0.9, 0.95, 0.99, 0.999])
def test_closed_forms_for_one_and_two_degrees_of_freedom(confidence: float) -> None:
    # df = 1 is Cauchy: P(|T| <= t) = 2 atan(t) / pi.  df = 2: P(|T| <= t) = t / sqrt(2 + t²).
    assert t_quantile(confidence, 1) == pytest.approx(math.tan(math.pi * confidence / 2), rel=1e-12)
    two = confidence * math.sqrt(2.0 / (1.0 - confidence * confidence))
    assert t_quantile(confidence, 2) == pytest.approx(two, rel=1e-12)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.integers(1, 400), st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.975, 0.99, 0.995, 0.999]))
def test_the_quantile_covers_its_confidence(df: int, confidence: float) -> None:
    t = t_quantile(confidence, df)
    assert coverage(t, df) == pytest.approx(confidence, abs=1e-9)


def test_monotone_in_the_degrees_of_freedom_and_down_to_the_normal_quantile() -> None:
    for confidence in (0.9, 0.95, 0.99):
        z = statistics.NormalDist().inv_cdf(0.5 + confidence / 2)
        dfs = [*range(1, 200), 250, 500, 1000, 5000, 99_999, 100_000, 10**6, 10**9]
        ts = [t_quantile(confidence, df) for df in dfs]
        assert all(a > b for a, b in itertools.pairwise(ts))
        assert all(t > z for t in ts)
        # t - z = z (1 + z²) / (4 df) + O(df^-2)
        for df, t in zip(dfs, ts, strict=True):
            if df >= 1000:
                assert t - z == pytest.approx(z * (1 + z * z) / (4 * df), rel=10 / df)
        assert t_quantile(confidence, 10**12) == pytest.approx(z, rel=1e-11)


def test_the_fraction_and_the_expansion_agree_where_they_meet() -> None:
    # 99,999 degrees of freedom by the continued fraction, 100,000 by the expansion in 1/df:
    # their difference is the step of one degree of freedom, z (1 + z²) / 4 (1/99999 - 1/100000).
    z = statistics.NormalDist().inv_cdf(0.975)
    step = z * (1 + z * z) / 4 * (1 / 99_999 - 1 / 100_000)
    assert t_quantile(0.95, 99_999) - t_quantile(0.95, 100_000) == pytest.approx(step, rel=1e-3)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.lists(st.floats(0.0, 1.0), min_size=2, max_size=150))
def test_an_estimate_is_the_mean_plus_or_minus_t_times_the_standard_error(
    values: list[float],
) -> None:
    n = len(values)
    e = Estimate.of(values)
    mean = statistics.fmean(values)
    s = statistics.stdev(values)
    assert e.mean == mean
    if s == 0:
        assert e.low == e.high == pytest.approx(mean)
        return
    half = t_quantile(0.95, n - 1) * s / math.sqrt(n)
    assert e.low == pytest.approx(max(0.0, mean - half), abs=1e-12)
    assert e.high == pytest.approx(min(1.0, mean + half), abs=1e-12)
    # The interval's own t covers 95 % of Student's t with n - 1 degrees of freedom.
    if mean - half > 0 and mean + half < 1:
        t = (e.high - e.low) / 2 / (s / math.sqrt(n))
        assert coverage(t, n - 1) == pytest.approx(0.95, abs=1e-9)


def test_an_estimate_over_many_seeds_is_not_narrowed_to_the_normal_quantile() -> None:
    # 40 seeds: t(0.975, 39) = 2.0226909, 3.2 % wider than 1.96.
    values = [0.4, 0.6] * 20
    e = Estimate.of(values)
    t = (e.high - e.mean) / (statistics.stdev(values) / math.sqrt(40))
    assert t == pytest.approx(2.022690920, abs=1e-9)
    # 101 seeds: t(0.975, 100) = 1.9839715.
    values = [0.45, 0.55] * 50 + [0.5]
    e = Estimate.of(values)
    t = (e.high - e.mean) / (statistics.stdev(values) / math.sqrt(101))
    assert t == pytest.approx(1.983971519, abs=1e-9)
