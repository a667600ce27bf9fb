"""Student's t quantiles for the confidence intervals of :mod:`csflow.staffing.verify`.

Theory of operation
-------------------
The two-sided tail of Student's t with ``df`` degrees of freedom is a regularised incomplete
beta function: ``P(|T| > t) = I_x(df/2, 1/2)`` with ``x = df / (df + t²)``.  ``I_x(a, b)`` is
``x^a (1-x)^b / (a B(a, b))`` times a continued fraction (Abramowitz and Stegun 26.5.8),
evaluated by the modified Lentz method; where ``x >= (a+1)/(a+b+2)`` it is computed as
``1 - I_{1-x}(b, a)``, where the fraction converges fast (Numerical Recipes, 6.4), in
``O(sqrt(df))`` steps at most.  ``1 - x = t² / (df + t²)`` and ``ln x = -ln(1 + t²/df)`` are
computed directly, not by subtraction.  The front factor's ``ln(Γ(a + 1/2) / Γ(a))`` is
``lgamma(a + 1/2) - lgamma(a)`` for ``a < 32`` and beyond it the asymptotic series
``ln(a)/2 - 1/(8a) + 1/(192a³) - 1/(640a⁵) + 17/(14336a⁷)``, whose error is below its next
term ``31/(18432a⁹)`` (under ``5e-17`` at ``a = 32``), so that large ``df`` loses no digits to
the cancellation of two large ``lgamma`` values.

The tail falls strictly from 1 at ``t = 0``, so the quantile is bracketed by doubling from
``t = 1`` and then bisected until the bracket is two adjacent floats: it always converges,
in about 60 halvings, to within the accuracy of the tail.  The fraction's rounding grows
with its ``O(sqrt(df))`` steps (``3e-13`` relative at 100,000 degrees of freedom, ``4e-6`` at
a million millions), so from ``df = 100,000`` on the quantile is instead the expansion in
``1/df`` about the normal quantile ``z`` (Fisher 1925; Abramowitz and Stegun 26.7.5), to its
``df^-4`` term: its terms fall by ``z² / df`` or faster (``4e-4`` at a confidence of
``1 - 1e-15``), so what it leaves out is below ``1e-20`` there, and it matches the fraction
to the fraction's own accuracy where they meet.  The normal quantile is the standard library's
(:meth:`statistics.NormalDist.inv_cdf`, Wichura's AS 241, about ``1e-16`` relative).
No table: every confidence and every number of degrees of freedom gets its own quantile.
"""

from __future__ import annotations

import functools
from math import exp, lgamma, log, log1p, pi
from statistics import NormalDist

# Below this the continued fraction's denominators are nudged off zero (modified Lentz).
_TINY = 1e-300
# The continued fraction stops when a step changes it by less than this (relative).
_EPS = 1e-16
_LN_SQRT_PI = 0.5 * log(pi)  # ln Γ(1/2)
# From this many degrees of freedom on, the expansion about the normal quantile.
_SERIES_DF = 100_000


def _log_gamma_ratio(a: float) -> float:
    """``ln(Γ(a + 1/2) / Γ(a))`` for ``a > 0``."""
    if a < 32.0:
        return lgamma(a + 0.5) - lgamma(a)
    i = 1.0 / a
    i2 = i * i
    return 0.5 * log(a) - i * (
        1.0 / 8.0 - i2 * (1.0 / 192.0 - i2 * (1.0 / 640.0 - i2 * (17.0 / 14336.0)))
    )


def _fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of ``I_x(a, b)`` (modified Lentz), for ``x < (a+1)/(a+b+2)``."""
    qab = a + b
    c = 1.0
    d = 1.0 - qab * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    m = 0
    # Converges in O(sqrt(max(a, b))) steps where it is used; the bound only guards the loop.
    limit = 1000 + int(10.0 * (a + b) ** 0.5)
    while m < limit:
        m += 1
        m2 = 2 * m
        for num in (
            m * (b - m) * x / ((a - 1.0 + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (a + 1.0 + m2)),
        ):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + num / c
            c = c if abs(c) > _TINY else _TINY
            h *= d * c
        if abs(d * c - 1.0) < _EPS:
            break
    return h


def two_sided_tail(t: float, df: int) -> float:
    """``P(|T| > t)`` for Student's t with *df* degrees of freedom (``t >= 0``, ``df >= 1``)."""
    if t <= 0.0:
        return 1.0
    a = 0.5 * df
    t2 = t * t
    x = df / (df + t2)
    y = t2 / (df + t2)  # 1 - x, without the subtraction
    # ln(x^a y^(1/2) / B(a, 1/2)), B(a, 1/2) = Γ(a) Γ(1/2) / Γ(a + 1/2)
    front = exp(_log_gamma_ratio(a) - _LN_SQRT_PI - a * log1p(t2 / df) + 0.5 * log(y))
    if x < (a + 1.0) / (a + 2.5):
        return front * _fraction(a, 0.5, x) / a
    return 1.0 - front * _fraction(0.5, a, y) / 0.5


def _expansion(confidence: float, df: int) -> float:
    """The quantile of :func:`t_quantile` by the expansion in ``1/df`` about the normal
    quantile (Abramowitz and Stegun 26.7.5), for ``df >= _SERIES_DF``."""
    z = NormalDist().inv_cdf(0.5 + 0.5 * confidence)
    z2 = z * z
    g1 = z * (z2 + 1.0) / 4.0
    g2 = z * ((5.0 * z2 + 16.0) * z2 + 3.0) / 96.0
    g3 = z * (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) / 384.0
    g4 = z * ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) / 92160.0
    v = 1.0 / df
    return z + v * (g1 + v * (g2 + v * (g3 + v * g4)))


@functools.lru_cache(maxsize=256)
def t_quantile(confidence: float, df: int) -> float:
    """The two-sided Student's t quantile: the ``t`` with ``P(|T| <= t) = confidence``.

    *confidence* is in ``(0, 1)`` and *df* an int ``>= 1`` (checked by the callers).
    """
    if df >= _SERIES_DF:
        return _expansion(confidence, df)
    alpha = 1.0 - confidence
    lo, hi = 0.0, 1.0
    while two_sided_tail(hi, df) > alpha:
        lo, hi = hi, 2.0 * hi
    while True:
        mid = 0.5 * (lo + hi)
        if not lo < mid < hi:
            return hi
        if two_sided_tail(mid, df) > alpha:
            lo = mid
        else:
            hi = mid
