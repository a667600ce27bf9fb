"""Erlang B, C and A: blocking, waiting, service level, ASA, abandonment and the fewest agents.

Theory of operation
-------------------
``load`` is offered traffic in Erlangs: arrival rate times average handle time (AHT).  With
``n`` agents and load ``a``:

* **Erlang B** (blocking, no queue) comes from the recurrence ``1/B(k) = 1 + (k/a) / B(k-1)``,
  ``B(0) = 1``.  csflow runs it on the inverse ``v = 1/B``: each step is two multiplications and an
  addition on positive numbers, so it is forward-stable, needs no factorials, and when ``v``
  overflows to ``inf`` (thousands of agents on a small load) ``B`` is correctly ``0.0``.
* The recurrence forgets where it started.  For ``k <= a`` every step multiplies the error of
  the start value by ``k/a <= 1``; over the last ``K`` steps below ``m`` that product is at
  most ``exp(-K(K-1)/(2m))``.  So the walk to ``m = min(n, floor(a))`` starts ``K`` steps below
  it, from a closed-form bracket of ``1/B`` there, with ``K(K-1) >= m (61 + ln m)``: the
  neglected part is below half an ulp, and the walk costs ``O(sqrt(a))`` instead of ``O(a)``
  steps (110 instead of 180 at 180 Erlang).  Above ``floor(a)`` it walks one step per agent.
* **Erlang C** (an arrival waits with infinite patience) is ``C = n / ((n - a) v + a)`` for
  ``n > a``.  With ``n <= a`` the queue is unstable: every arrival waits, ``C = 1``, the service
  level is 0 and the average speed of answer is infinite (csflow raises rather than return a
  meaningless number).  Service level within ``t`` is ``1 - C exp(-(n - a) t / AHT)``.
  Where ``1/B`` is finite but ``(n - a)/B`` overflows (hundreds of agents on a few Erlangs),
  C is computed as ``1 / ((1 - a/n)/B + a/n)`` instead, so it stays at or above B.  Where the
  two quotients round apart (a tiny or subnormal load, where ``n - a`` rounds to ``n``), C is
  raised to B: the order ``B <= C`` holds exactly, bit for bit, at every load.
* :func:`agents_for_service_level` walks the same recurrence, in the same floating-point steps,
  once: up to ``floor(a)`` and then one agent at a time, testing each candidate above ``a`` with
  the very expression :func:`service_level` evaluates.  The answer ``n`` therefore satisfies
  ``service_level(n) >= level > service_level(n - 1)`` exactly, not just approximately, and the
  whole search costs ``O(sqrt(a) + answer - a)``.
* :func:`agents_for_asa` walks it the same way, testing each candidate above ``a`` with the
  very expression :func:`average_speed_of_answer` evaluates, so its answer ``n`` satisfies
  ``average_speed_of_answer(n) <= max_asa < average_speed_of_answer(n - 1)`` exactly.
* **Erlang A** (M/M/n+M, Palm's model with exponential patience of mean ``P``): with
  ``x = n P / AHT`` and ``y = a P / AHT``, everything follows from the Kummer series
  ``S(x, y) = sum_k y^k / ((x+1)...(x+k))`` (``= x e^y y^-x γ(x, y)``, the series of the lower
  incomplete gamma function), whose terms ``T_k`` are the stationary probabilities of ``k``
  customers queueing, relative to all agents busy with nobody queueing:

  - ``P(wait) = S / (1/B + S - 1)`` (Garnett, Mandelbaum and Reiman 2002);
  - ``P(abandon) = P(wait) E[k] / y`` (abandonment rate ``θ E[queue]`` over arrival rate);
  - offered wait ``V``: ``P(V > t | V > 0) = γ(x, y e^-θt) / γ(x, y)``, θ = 1/P, because a
    customer with ``k`` ahead waits for the ``(k+1)``-th order statistic of ``x + k``
    exponential clocks;
  - service level (answered within ``t``, out of all arrivals; abandoners count as missed)
    ``= 1 - P(wait) + P(wait) (G(y) - G(y e^-θt))`` with
    ``G(w) = γ(x+1, w) / (y γ(x, y))``;
  - ASA of answered customers ``= P(wait) (n/a) P sum_k T_k h_k / S / (1 - P(abandon))`` with
    ``h_k = 1/(x+1) + ... + 1/(x+k)``, from differentiating the Laplace transform of the wait.

  All series have positive terms (no cancellation).  They are summed from the largest terms
  outwards only as far as they matter: the terms are log-concave in ``k``, peak near
  ``k = y - x`` with a width of about ``sqrt(y)``, and the sum stops when a geometric bound of
  the tail is below ``1e-18`` of each sum.  When the peak lies far out (an overloaded queue with
  long patience), the terms more than ``12 sqrt(y)`` below it are skipped (they add less than
  ``1e-20``) and the series starts at the skip point, scaled by ``lgamma``.
* The terms that matter still span about ``20 sqrt(y)`` on an overloaded or critically loaded
  queue (``agents <= load``), so a patience of many thousand handle times there makes a long
  series: with ``load × patience / aht`` beyond about ``2e10`` (``1e11`` with exactly as many
  agents as load) it would take more than 3,000,000 terms (seconds, then minutes, of work).
  Such a call is refused with a :class:`~csflow.errors.ConfigError` -- before the work where
  the distance to the peak already shows it, else after at most that many terms -- rather
  than left to run: a patience that long behaves as infinite patience, which is Erlang C's
  model.  Queues with more agents than load are not affected (their terms fall geometrically
  from the first).
* :func:`agents_for_service_level_a` evaluates about ``2 log2(answer)`` candidates, two
  series each, so the whole search has a budget of 15,000,000 terms (a few seconds): near a
  load of millions with a patience of many hours (``1e7`` Erlangs at a patience of 1,500
  handle times would take over 100,000,000) it is refused with a ``ConfigError``.  Such a
  search is refused early: it first probes the load's own agents (rounded down), and where
  they meet the target the answer lies below the load, whose probes' series are all long
  (their peak lies out at ``(load - agents) x patience / aht`` terms, with a width of about
  ``sqrt(load x patience / aht)``).  A lower bound of what the bisection down must take
  whichever way each probe goes (each probe's series is at least as long as the distance to
  its peak, up to ``12 sqrt(y)``, plus the ``sqrt(53 y)`` terms past it that it needs to fall
  below ``1e-18`` of the sum) is checked against what is left of the budget, and the search
  refused at once, after one probe, when it cannot be paid for: in about a second at ``1e7``
  Erlangs with a patience of 1,500 handle times, where it used to run its whole budget.
  Otherwise it is refused after at most the budget's work.
  :func:`~csflow.staffing.plan.staffing_plan` with a patience gives all its
  intervals together a budget of 50,000,000 terms (seconds, not hours, for a plan of
  thousands of intervals; a month of half hours at 10,000 Erlangs takes 40,000,000).  Before
  any row is worked out the plan adds up a floor of each row's work (its first probe, then the
  cheaper of the next probe down or up; for Erlang C the walk of the recurrence up to the
  load) and is refused at once if the floors alone pass the budget, naming the interval where
  they do: 100,000 half hours at 2,000 Erlangs are refused in about a second (the validation
  of the intervals), not after half a minute.
* Extreme but valid values stay finite: at a load so small that Erlang B underflows
  (``erlang_a(5, 1e-310, ...)``) nobody waits; a load times patience that underflows uses the
  series' first order; a patience so long that ``x + 1`` rounds to ``x`` (beyond ``4.5e15``
  handle times of agents) is refused like any series that would be too long.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import timedelta
from fractions import Fraction
from math import exp, expm1, lgamma, log, log1p, sqrt

import attrs

from csflow._text import show
from csflow.errors import ConfigError
from csflow.staffing._checks import (
    INF,
    MAX_LOAD,
    ZERO,
    as_float,
    as_written,
    check_agents,
    check_duration,
    check_level,
    check_load,
    unstable,
)

# The bound on agents, importable from here beside MAX_LOAD (outside __all__).
from csflow.staffing._checks import MAX_AGENTS as MAX_AGENTS

__all__ = [
    "MAX_LOAD",
    "ErlangAResult",
    "agents_for_asa",
    "agents_for_service_level",
    "agents_for_service_level_a",
    "average_speed_of_answer",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "occupancy",
    "service_level",
]

# Relative size below which a series tail is dropped.
_TAIL = 1e-18

# The most terms an Erlang A series may take (about a second of work per series).  The terms
# that matter span about 20 sqrt(load x patience / aht) when the queue is overloaded or
# critically loaded (agents <= load) and few otherwise, so only such a queue whose patience
# is many thousand handle times (load x patience / aht beyond about 2e10) reaches it: it is
# refused, not run for minutes.
_MAX_TERMS = 3_000_000


# The most terms one search for the fewest agents (agents_for_service_level_a) may take in all
# its series: a few seconds of work (a term costs 0.1 to 0.2 microseconds).  A search probes
# about 2 log2(answer) candidates; near a load of millions with a patience of hours each
# probe's series is long, and such a search is refused rather than left to run for minutes.
# Each probe's walk of the Erlang B recurrence counts too (_STEPS_PER_TERM).
_SEARCH_TERMS = 15_000_000


# A step of the Erlang B walk costs about half a series term: a computation's _Work is
# charged a term for every two steps.
_STEPS_PER_TERM = 2


class _TooLong(Exception):
    """An Erlang A series would take more than :data:`_MAX_TERMS` terms (*series*), or more
    than its computation's :class:`_Work` has left (not *series*)."""

    def __init__(self, *, series: bool) -> None:
        super().__init__()
        self.series = series


class _Work:
    """The series terms an Erlang A computation may still take (a search, a plan).

    *what* names it in the refusal (``"finding the fewest agents"``), with its budget of
    *terms* (a plan's whole budget, when *left* is what remains of it).
    """

    __slots__ = ("left", "terms", "what")

    def __init__(self, terms: int, what: str, left: int | None = None) -> None:
        self.terms = terms
        self.left = terms if left is None else left
        self.what = what

    def refused(self, a: float, p: float) -> ConfigError:
        advice = (
            "plan fewer intervals at a time, or use Erlang C (no patience)"
            if self.terms == _PLAN_TERMS
            else "a patience that long on a load this large behaves as infinite patience: "
            "use Erlang C (agents_for_service_level), or a shorter patience"
        )
        return ConfigError(
            f"Erlang A on {a:g} Erlangs with a patience of {p:g} handle times is refused: "
            f"{self.what} would take more than {self.terms:,} series terms in all (minutes "
            f"of work); {advice}"
        )


# --------------------------------------------------------------------------------------------
# Erlang B / C kernels (inputs already validated; a > 0)


def _inv_b_at_floor(m: int, a: float) -> float:
    """``1 / B(m, a)`` for ``0 <= m <= a``, ``a > 0``: the truncated walk of the module notes."""
    if m <= 64:  # the walk from the true beginning is short anyway
        return _walk(a, 0.0, m, 1.0)
    # Start K steps below m, at n0, from the midpoint of the bracket
    #     1/s - c/(a s^3) <= 1/B(n0, a) <= 1/s,   c = n0/a, s = 1 - c
    # (from 1/B = ∫ exp(-t) (1 + t/a)^n0 dt and u - u²/2 <= log1p(u) <= u), whose relative
    # half-width is at most m / (2 (K² - m)).  The walk multiplies that error by
    # (m/K) exp(-K(K-1)/(2m)) at most, so K(K-1) >= m (61 + ln m) keeps it below 2^-54.
    k_steps = math.ceil(0.5 + sqrt(0.25 + m * (61.0 + log(m))))
    if k_steps >= m:
        return _walk(a, 0.0, m, 1.0)
    n0 = m - k_steps
    s = (a - n0) / a
    return _walk(a, float(n0), k_steps, 1.0 / s - n0 / (2.0 * a * a * s * s * s))


def _walk(a: float, k: float, steps: int, inv: float) -> float:
    """Run ``steps`` steps of ``1/B(j) = 1 + (j/a) / B(j-1)`` from ``j - 1 = k``, ``1/B = inv``.

    Unrolled eight times and multiplying by ``1/a``: in CPython the loop overhead and the
    division cost a fifth of the time, for a systematic relative error of ``1/a``'s rounding
    (half an ulp) times the mean depth of the sum, about ``sqrt(a)`` ulps.
    """
    ia = 1.0 / a
    for _ in range(steps & 7):
        k += 1.0
        inv = inv * k * ia + 1.0
    for _ in range(steps >> 3):
        inv = inv * (k + 1.0) * ia + 1.0
        inv = inv * (k + 2.0) * ia + 1.0
        inv = inv * (k + 3.0) * ia + 1.0
        inv = inv * (k + 4.0) * ia + 1.0
        inv = inv * (k + 5.0) * ia + 1.0
        inv = inv * (k + 6.0) * ia + 1.0
        inv = inv * (k + 7.0) * ia + 1.0
        inv = inv * (k + 8.0) * ia + 1.0
        k += 8.0
    return inv


def _walk_steps(n: int, a: float) -> int:
    """The steps :func:`_inv_b` ``(n, a)`` walks (at most; ``a > 0``)."""
    m = int(a)
    top = n if n <= m else m
    steps = top if top <= 64 else min(top, math.ceil(0.5 + sqrt(0.25 + top * (61.0 + log(top)))))
    return steps + (n - m if n > m else 0)


def _inv_b(n: int, a: float) -> float:
    """``1 / B(n, a)`` (inverse Erlang B) for ``a > 0``; ``inf`` when ``B`` underflows."""
    m = int(a)
    if n <= m:
        return _inv_b_at_floor(n, a)
    return _inv_b_up(m, n, a)[0]


def _inv_b_up(m: int, n: int, a: float) -> tuple[float, int]:
    """``1 / B(n, a)`` walked up from ``m = int(a) < n``, and the steps above ``m`` walked:
    the walk stops where ``B`` underflows (it only falls further), about ``sqrt(1400 a)``
    steps up, however many agents *n* names."""
    inv = _inv_b_at_floor(m, a)
    k = float(m)
    ia = 1.0 / a
    for j in range(n - m):
        k += 1.0
        inv = inv * k * ia + 1.0
        if inv == INF:
            return inv, j + 1
    return inv, n - m


def _inv_b_walked(n: int, a: float) -> tuple[float, int]:
    """:func:`_inv_b` ``(n, a)``, the very same steps, and how many it walked (as
    :func:`_walk_steps` counts them)."""
    m = int(a)
    if n <= m:
        return _inv_b_at_floor(n, a), _walk_steps(n, a)
    inv, up = _inv_b_up(m, n, a)
    return inv, _walk_steps(m, a) + up


def _erlang_c(n: int, a: float, inv: float) -> float:
    # n > a > 0.  Mathematically C <= 1; rounding of n - a could push it one ulp above.
    d = (n - a) * inv + a
    if d == INF:
        # (n - a) * inv overflowed although inv (= 1/B) did not: B is a tiny normal number and
        # C = B / (1 - ρ + ρB) lies just above it, so divide the other way round instead of
        # rounding C to 0 below B.  When inv itself is inf, B and C are both 0.
        if inv == INF:
            return 0.0
        rho = a / n
        c = 1.0 / ((1.0 - rho) * inv + rho)
    else:
        c = n / d
    # C = B / (1 - ρ(1 - B)) >= B exactly, but the two quotients round on their own and at a
    # tiny load (n - a rounding to n) C can land one ulp below B = 1/inv.  Both are within an
    # ulp or two of the truth there, so taking B restores the order without losing accuracy;
    # erlang_b returns the very same 1/inv, so B <= C holds bit for bit at every load.
    b = 1.0 / inv
    return 1.0 if c > 1.0 else b if c < b else c


# --------------------------------------------------------------------------------------------
# public Erlang B / C


def erlang_b(agents: int, load: float) -> float:
    """Erlang B: the probability that an arrival finds every agent busy and is lost.

    The loss model (no queue): calls that find all ``agents`` busy are blocked.

    Args:
        agents: Number of agents (servers), ``>= 0`` and at most :data:`MAX_AGENTS`.
        load: Offered load in Erlangs (arrival rate × average handle time), finite, ``>= 0``.

    Returns:
        The blocking probability in ``[0, 1]``; ``0.0`` when ``load == 0`` (nothing arrives),
        ``1.0`` with no agents and some load.

    Raises:
        ConfigError: *agents* is not a non-negative int or is above :data:`MAX_AGENTS`
            (100,000,000), or *load* is negative, NaN, infinite or above ``1e7``.

    Examples:
        >>> round(erlang_b(10, 5.0), 6)
        0.018385
    """
    n = check_agents(agents)
    a = check_load(load)
    if a == 0.0:
        return 0.0
    return 1.0 / _inv_b(n, a)


def erlang_c(agents: int, load: float) -> float:
    """Erlang C: the probability that an arrival has to wait (M/M/n, infinite patience).

    Args:
        agents: Number of agents, ``>= 0`` and at most :data:`MAX_AGENTS`.
        load: Offered load in Erlangs, finite, ``>= 0``.

    Returns:
        P(wait) in ``[0, 1]``.  ``1.0`` when ``agents <= load`` (the queue is unstable: every
        arrival eventually waits); ``0.0`` when ``load == 0``.

    Raises:
        ConfigError: *agents* or *load* is invalid (see :func:`erlang_b`).

    Examples:
        >>> round(erlang_c(12, 10.0), 4)
        0.4494
    """
    n = check_agents(agents)
    a = check_load(load)
    if a == 0.0:
        return 0.0
    if n <= a:
        return 1.0
    return _erlang_c(n, a, _inv_b(n, a))


def service_level(agents: int, load: float, aht: timedelta, target: timedelta) -> float:
    """The fraction of arrivals answered within *target* (Erlang C).

    ``1 - C · exp(-(agents - load) · target / aht)``.

    Args:
        agents: Number of agents, ``>= 0`` and at most :data:`MAX_AGENTS`.
        load: Offered load in Erlangs, finite, ``>= 0``.
        aht: Average handle time, a positive timedelta.
        target: The answer-time target, a non-negative timedelta.

    Returns:
        The service level in ``[0, 1]``: ``0.0`` when ``agents <= load`` (unstable queue),
        ``1.0`` when ``load == 0``.

    Raises:
        ConfigError: an argument has the wrong type or an out-of-range value.

    Examples:
        >>> from datetime import timedelta as td
        >>> round(service_level(14, 10.0, td(minutes=3), td(seconds=20)), 4)
        0.8884
    """
    n = check_agents(agents)
    a = check_load(load)
    r = check_duration(target, "target", positive=False) / check_duration(aht, "aht", positive=True)
    if a == 0.0:
        return 1.0
    if n <= a:
        return 0.0
    return 1.0 - _erlang_c(n, a, _inv_b(n, a)) * exp((a - n) * r)


def average_speed_of_answer(agents: int, load: float, aht: timedelta) -> timedelta:
    """The mean wait of all arrivals, ASA (Erlang C): ``C · aht / (agents - load)``.

    Args:
        agents: Number of agents, ``>= 0`` and at most :data:`MAX_AGENTS`.
        load: Offered load in Erlangs, finite, ``>= 0``.
        aht: Average handle time, a positive timedelta.

    Returns:
        The average speed of answer, rounded to the microsecond; zero when ``load == 0``;
        ``timedelta.max`` (about 2.7 million years) when the load is within a rounding error
        of *agents* and the wait would be longer still.

    Raises:
        ConfigError: an argument is invalid, or ``agents <= load`` (the queue is unstable and
            waits grow without bound).
    """
    n = check_agents(agents)
    a = check_load(load)
    handle = check_duration(aht, "aht", positive=True)
    if a == 0.0:
        return ZERO
    if n <= a:
        raise unstable(n, a)
    c = _erlang_c(n, a, _inv_b(n, a))
    return _seconds(c * handle.total_seconds() / (n - a))


def _seconds(value: float) -> timedelta:
    """*value* seconds as a timedelta, ``timedelta.max`` beyond its range (a queue whose load
    is a rounding error below its agents waits longer than a timedelta holds)."""
    if value >= _MAX_SECONDS:
        return timedelta.max
    return timedelta(seconds=value)


_MAX_SECONDS = timedelta.max.total_seconds()


def occupancy(agents: int, load: float) -> float:
    """The fraction of the agents' time spent handling contacts: ``load / agents``, at most 1.

    Args:
        agents: Number of agents, ``>= 0`` and at most :data:`MAX_AGENTS`.
        load: Offered load in Erlangs, finite, ``>= 0``.

    Returns:
        Occupancy in ``[0, 1]``: ``1.0`` when ``agents <= load`` and ``load > 0`` (every agent
        is always busy), ``0.0`` when ``load == 0``.

    Raises:
        ConfigError: *agents* or *load* is invalid.
    """
    n = check_agents(agents)
    a = check_load(load)
    if a == 0.0:
        return 0.0
    if n <= a:
        return 1.0
    return a / n


def agents_for_service_level(
    load: float,
    aht: timedelta,
    target: timedelta,
    level: float,
    *,
    max_occupancy: float | None = None,
) -> int:
    """The fewest agents whose Erlang C service level reaches *level*.

    One upward walk of the Erlang B recurrence (see the module notes): ``O(sqrt(load))`` steps
    to reach ``floor(load)``, then one step per extra agent.  The result ``n`` satisfies
    ``service_level(n, ...) >= level > service_level(n - 1, ...)`` and ``n > load``.  Long
    targets are fine (an e-mail queue answered within 48 hours at an AHT of 2 minutes).

    With *max_occupancy* the answer is also at least ``ceil(load / max_occupancy)``, so that
    ``occupancy(n, load) <= max_occupancy``: a large queue meets its service level at an
    occupancy that burns agents out (1,000 Erlangs reach 80 % in 20 s at 99 %).

    Args:
        load: Offered load in Erlangs, finite, ``>= 0``.
        aht: Average handle time, a positive timedelta.
        target: The answer-time target, a non-negative timedelta.
        level: The wanted fraction answered within *target*, strictly between 0 and 1.
        max_occupancy: The highest occupancy allowed, in ``(0, 1]`` (``0.85`` is usual), read
            as the decimal written (``0.85`` caps 8.5 Erlangs at 10 agents, not 11; numpy's
            float32 ``0.85`` too); ``None`` (the default) for no cap.

    Returns:
        The number of agents; 0 when ``load == 0``.

    Raises:
        ConfigError: an argument has the wrong type or an out-of-range value, or the cap
            would need more than :data:`MAX_AGENTS` agents.

    Examples:
        >>> from datetime import timedelta as td
        >>> agents_for_service_level(10.0, td(minutes=3), td(seconds=20), 0.8)
        14
        >>> agents_for_service_level(1000.0, td(minutes=3), td(seconds=20), 0.8)
        1011
        >>> agents_for_service_level(1000.0, td(minutes=3), td(seconds=20), 0.8, max_occupancy=0.85)
        1177
    """
    # Fast paths for the common exact types; anything else goes through the full checks.
    a = load if type(load) is float and 0.0 <= load <= MAX_LOAD else check_load(load)
    if type(aht) is timedelta and type(target) is timedelta and aht > ZERO <= target:
        r = target / aht
    else:
        r = check_duration(target, "target", positive=False) / check_duration(
            aht, "aht", positive=True
        )
    lvl = level if type(level) is float and 0.0 < level < 1.0 else check_level(level)
    if max_occupancy is not None:
        cap = _check_max_occupancy(max_occupancy)
        if a == 0.0:
            return 0
        return max(_fewest_c(a, r, lvl)[0], _occupancy_floor(a, cap))
    if a == 0.0:
        return 0
    return _fewest_c(a, r, lvl)[0]


def agents_for_asa(
    load: float,
    aht: timedelta,
    max_asa: timedelta,
    *,
    max_occupancy: float | None = None,
) -> int:
    """The fewest agents whose Erlang C average speed of answer is at most *max_asa*.

    Planners who staff to a mean wait ("answer in 30 seconds on average") rather than to a
    service level: the answer ``n`` satisfies ``average_speed_of_answer(n, ...) <= max_asa``
    and, when ``n - 1`` agents are more than the load, ``average_speed_of_answer(n - 1, ...) >
    max_asa``, exactly (each candidate is tested with the very expression
    :func:`average_speed_of_answer` evaluates, on the same walk of the Erlang B recurrence);
    ``n > load``.  The mean wait counts every arrival, those answered at once included.
    The walk ends where Erlang B underflows, about ``sqrt(1400 load)`` agents above the load,
    however small *max_asa* is: ``O(sqrt(load) + answer - load)`` in all.

    With *max_occupancy* the answer is also at least ``ceil(load / max_occupancy)``, as in
    :func:`agents_for_service_level`.

    Args:
        load: Offered load in Erlangs, finite, ``>= 0``.
        aht: Average handle time, a positive timedelta.
        max_asa: The longest average speed of answer allowed, a non-negative timedelta
            (zero asks for a wait that rounds to zero microseconds).
        max_occupancy: The highest occupancy allowed, in ``(0, 1]``, or ``None`` (no cap).

    Returns:
        The number of agents; 0 when ``load == 0``.

    Raises:
        ConfigError: an argument has the wrong type or an out-of-range value, or the cap
            would need more than :data:`MAX_AGENTS` agents.

    Examples:
        >>> from datetime import timedelta as td
        >>> agents_for_asa(10.0, td(minutes=3), td(seconds=20))
        13
        >>> average_speed_of_answer(13, 10.0, td(minutes=3)) <= td(seconds=20)
        True
        >>> average_speed_of_answer(12, 10.0, td(minutes=3)) > td(seconds=20)
        True
    """
    a = check_load(load)
    handle = check_duration(aht, "aht", positive=True).total_seconds()
    longest = check_duration(max_asa, "max_asa", positive=False)
    cap = None if max_occupancy is None else _check_max_occupancy(max_occupancy)
    if a == 0.0:
        return 0
    n = _fewest_c_asa(a, handle, longest)[0]
    return n if cap is None else max(n, _occupancy_floor(a, cap))


def _fewest_c_asa(a: float, handle: float, longest: timedelta) -> tuple[int, float]:
    """The fewest agents ``n`` of :func:`agents_for_asa` (``a > 0``, *handle* the AHT in
    seconds), and ``1/B(n, a)`` as :func:`_inv_b` computes it (the very same steps), so a
    plan's row needs no second walk."""
    # The steps of _inv_b (its walk above floor(a)), _erlang_c and average_speed_of_answer,
    # in the same float operations, one agent at a time.  The walk ends: where B underflows
    # (inv is inf) C is 0 and so is the wait.
    m = int(a)
    inv = _inv_b_at_floor(m, a)
    k = float(m)
    ia = 1.0 / a
    while True:
        k += 1.0
        inv = inv * k * ia + 1.0
        n = int(k)
        if _seconds(_erlang_c(n, a, inv) * handle / (n - a)) <= longest:
            return n, inv


def _check_max_occupancy(value: object) -> Fraction:
    """An occupancy cap in ``(0, 1]``, as the decimal written (``0.85`` is 85/100, and so is
    numpy's float32 ``0.85``)."""
    v = as_float(value)
    if v is None or not 0.0 < v <= 1.0:
        raise ConfigError(
            f"'max_occupancy' must be a number greater than 0 and at most 1, got {show(value)}"
        )
    cap = as_written(value, v)
    return cap if 0 < cap <= 1 else Fraction(repr(v))


def _occupancy_floor(a: float, cap: Fraction) -> int:
    """The fewest agents whose occupancy ``a / n`` is at most *cap*, exactly: ``ceil(a/cap)``
    of the load's binary value and the cap's decimal (a float division could round 8.5 / 0.85
    up past 10).  Then ``occupancy(n, a) <= cap`` holds in floats too (rounding is monotone)."""
    q = Fraction(a) / cap
    n = -(-q.numerator // q.denominator)
    if n > MAX_AGENTS:
        raise ConfigError(
            f"'max_occupancy' {float(cap)!r} on a load of {show(a)} Erlangs would need "
            f"{n:,} agents, more than {MAX_AGENTS:,}"
        )
    return n


def _fewest_c(a: float, r: float, lvl: float) -> tuple[int, float]:
    """The fewest agents ``n`` of :func:`agents_for_service_level` (``a > 0``, *r* the target
    over the AHT), and ``1/B(n, a)`` as :func:`_inv_b` computes it (the very same steps), so a
    plan's row needs no second walk."""
    # The same float operations, in the same order, as _inv_b, _erlang_c and service_level
    # (inlined: this loop is the hot path of every staffing plan).  exp((a - k) r) is tracked
    # by one multiplication per agent to skip candidates that clearly fall short; the slack
    # covers its drift (< 1e-9 relative), so every candidate that could pass gets the exact test.
    # The tracking starts at the first candidate, floor(a) + 1, whose exponent is negative: at
    # floor(a) it would be (a - floor(a)) r, which overflows for a long target (an e-mail
    # queue answered within 48 hours at an AHT of 2 minutes has r = 1440).
    m = int(a)
    inv = _inv_b_at_floor(m, a)
    k = float(m)
    ia = 1.0 / a
    step = exp(-r)
    decay = exp((a - (k + 1.0)) * r)
    miss = (1.0 - lvl + 1e-15) * (1.0 + 1e-9)
    while True:
        k += 1.0
        inv = inv * k * ia + 1.0
        c = k / ((k - a) * inv + a)
        if c * decay <= miss:
            # The same clamps as _erlang_c (the slack of `miss` covers the one-ulp raise).
            b = 1.0 / inv
            c = 1.0 if c > 1.0 else b if c < b else c
            if 1.0 - c * exp((a - k) * r) >= lvl:
                return int(k), inv
        decay *= step


# --------------------------------------------------------------------------------------------
# Erlang A kernels


def _digamma_asym(u: float) -> float:
    """``ψ(u) - ln(u)`` for ``u >= 20`` (asymptotic series; error below 1e-17)."""
    i2 = 1.0 / (u * u)
    return -0.5 / u - i2 * (
        1.0 / 12 - i2 * (1.0 / 120 - i2 * (1.0 / 252 - i2 * (1.0 / 240 - i2 / 132)))
    )


def _digamma_diff(u: float, v: float) -> float:
    """``ψ(v) - ψ(u)`` for ``0 < u <= v``."""
    acc = 0.0
    while u < 20.0:  # ψ(u) = ψ(u + 1) - 1/u
        acc += 1.0 / u
        u += 1.0
    while v < 20.0:
        acc -= 1.0 / v
        v += 1.0
    return acc + log1p((v - u) / u) + _digamma_asym(v) - _digamma_asym(u)


def _kummer(x: float, w: float, work: _Work | None = None) -> tuple[float, float, float]:
    """``(ln S, E[k], E[h_k])`` for the weights ``T_k = w^k / ((x+1)...(x+k))``, ``x > 0``.

    ``S = sum T_k``; the means are under ``T_k / S``; ``h_k = sum_{i=1..k} 1/(x+i)``.  The
    terms summed are taken off *work*.
    """
    if w == 0.0:
        return 0.0, 0.0, 0.0
    peak = w - x  # terms grow while k + 1 <= w - x
    k = 0
    log_scale = 0.0
    h = 0.0
    skip = int(peak - 12.0 * sqrt(w) - 12.0)
    if skip > 0:
        # Overloaded with long patience: the terms below `skip` are < 1e-20 of the sum.
        k = skip
        log_scale = skip * log(w) + lgamma(x + 1.0) - lgamma(x + skip + 1.0)
        h = _digamma_diff(x + 1.0, x + skip + 1.0)
    limit = _MAX_TERMS if work is None or work.left >= _MAX_TERMS else work.left
    first = k
    last = k + limit
    if peak > last:  # too long before it even reaches the peak: refused without the work
        raise _TooLong(series=peak > k + _MAX_TERMS)
    t = 1.0
    s = sk = sh = 0.0
    while True:
        s += t
        sk += k * t
        sh += h * t
        k += 1
        d = x + k
        t *= w / d
        h += 1.0 / d
        if k > peak:
            if k > last:
                raise _TooLong(series=limit == _MAX_TERMS)
            # Past the peak the ratio w/(x+j+1) only falls, so the tails are bounded by
            # geometric series with the next ratio.
            r = w / (d + 1.0)
            if r >= 1.0:
                # x + k is so large (beyond 4.5e15) that adding 1 is lost to rounding: the
                # terms fall by less than 2^-52 a step, and more than sqrt(82 w) > 6e8 steps
                # would be needed to make the tail negligible.
                raise _TooLong(series=True)
            q = 1.0 / (1.0 - r)
            tail = t * q
            if (
                tail <= _TAIL * s
                and tail * (k + r * q) <= _TAIL * sk
                and tail * (h + r * q / (d + 1.0)) <= _TAIL * sh
            ):
                break
    if work is not None:
        work.left -= k - first
    return log_scale + log(s), sk / s, sh / s


# ln(1 / _TAIL): a series stops only once a term is below _TAIL of the sum so far.
_LN_TAIL = -log(_TAIL)


def _series_floor(x: float, w: float) -> int:
    """Fewer terms than :func:`_kummer` ``(x, w)`` takes (or it refuses the series), found
    without summing any: the work an Erlang A probe must do, for refusing up front.

    The series stops only past its peak and at a term below ``_TAIL`` of its sum.  With the
    peak at ``m = floor(w - x) >= 0`` the sum is at most ``_MAX_TERMS`` times the peak term,
    and ``T_{m+j} / T_m >= exp(-j (j+1) / 2w)`` (each ratio is ``w / (x+m+i) >= w / (w+i)``),
    so at least ``j`` terms past the peak with ``j (j+1) >= 2 w (ln(1/_TAIL) - ln _MAX_TERMS)``,
    after those from the start (or the skip) to the peak.  With ``x > w`` the terms fall from
    the first, the sum is at most ``(x+1) / (x+1-w)``, ``T_k >= (w / (x+k))^k`` and
    ``ln(1+u) <= u`` give ``k (x - w + k) >= w R`` with ``R = ln(1/_TAIL) - ln((x+1)/(x+1-w))``.
    """
    if not (w >= 1.0 and 0.0 < x < 1e15):
        return 0
    peak = w - x
    if peak >= 0.0:
        skip = int(peak - 12.0 * sqrt(w) - 12.0)
        before = int(peak) - (skip if skip > 0 else 0)
        r = _LN_TAIL - log(_MAX_TERMS + 1.0)
        after = 0.5 * (sqrt(1.0 + 8.0 * w * r) - 1.0)
        return max(0, before + int(after) - 1)
    gap = x - w
    r = _LN_TAIL - log((x + 1.0) / (gap + 1.0))
    if r <= 0.0:
        return 0
    return max(0, int(0.5 * (sqrt(gap * gap + 4.0 * w * r) - gap)) - 1)


def _probe_floor(n: int, a: float, p: float, tp: float, *, walk: bool = True) -> int:
    """Fewer terms than one probe of :func:`_fewest_a` at *n* agents takes from its work
    (``a >= 1``): its walk of the Erlang B recurrence (unless not *walk*) and its series."""
    if n > a and n * log(a) - a - lgamma(n + 1.0) < -700.0:
        # B(n, a) >= P(Poisson(a) = n) may underflow: the walk may stop short of n and the
        # probe then sums no series.  Only the walk to the load is certain.
        return _walk_steps(int(a), a) // _STEPS_PER_TERM if walk else 0
    x = n * p
    terms = _series_floor(x, a * p)
    if tp > 0.0:
        terms += _series_floor(x + 1.0, a * p * exp(-tp))
    if walk:
        terms += _walk_steps(n, a) // _STEPS_PER_TERM
    return terms


def _bisection_floor(a: float, p: float, tp: float, hi: int) -> int:
    """Fewer terms than the bisection of :func:`_fewest_a` down from *hi* agents (which met
    the target; ``1 <= hi <= a``) to 0 takes, whichever way each probe goes.

    With ``H = hi`` the ``d``-th probe halves a bracket of at least ``H >> (d-1)`` agents
    whose top is at most *hi*, so it is at most ``hi - (H >> d)`` agents, where a probe's
    series is at least as long as at any fewer agents' (further below the load, its peak
    lies further out).  Its walk of the recurrence is left out (shorter with fewer agents).
    """
    total = 0
    d = 1
    while hi >> (d - 1) >= 2:
        total += _probe_floor(hi - (hi >> d), a, p, tp, walk=False)
        d += 1
    return total


def _search_floor(a: float, p: float, tp: float) -> int:
    """Fewer terms than :func:`_fewest_a` takes in all, whichever way its probes go: its
    first probe, at ``floor(a)`` agents, then the next, down (half the agents) or up."""
    if a < 1.0:
        return 0
    hi = int(a)
    down = _probe_floor(hi // 2, a, p, tp) if hi >= 2 else 0
    up = _probe_floor(hi + math.isqrt(hi), a, p, tp)
    return _probe_floor(hi, a, p, tp) + min(down, up)


@attrs.frozen
class ErlangAResult:
    """The steady state of an Erlang A queue (M/M/n+M: exponential patience).

    Attributes:
        agents: Number of agents.
        load: Offered load in Erlangs.
        probability_of_waiting: The fraction of arrivals that find every agent busy.
        probability_of_abandonment: The fraction of arrivals that hang up before an answer.
        average_speed_of_answer: Mean wait of the answered arrivals.
        average_queue_length: Mean number of arrivals waiting.
        occupancy: Fraction of the agents' time spent handling (answered) contacts.
        target: The answer-time target, if one was given.
        service_level: The fraction of all arrivals answered within *target* (abandoners count
            as missed), or ``None`` without a target.
    """

    agents: int
    load: float
    probability_of_waiting: float
    probability_of_abandonment: float
    average_speed_of_answer: timedelta
    average_queue_length: float
    occupancy: float
    target: timedelta | None = None
    service_level: float | None = None


def _refused(n: int, a: float, p: float) -> ConfigError:
    return ConfigError(
        f"Erlang A with {n} agent{'' if n == 1 else 's'} on {a:g} Erlangs and a patience of "
        f"{p:g} handle times is refused: its series would take more than {_MAX_TERMS:,} "
        "terms (minutes of work).  "
        "A patience that long on a queue this loaded behaves as infinite patience: use "
        "Erlang C (erlang_c, agents_for_service_level), or a shorter patience"
    )


def _erlang_a_core(
    n: int, a: float, p: float, tp: float | None, work: _Work | None = None
) -> tuple[float, float, float, float, float, float | None]:
    """``(P(wait), P(abandon), ASA in patience units, E[queue], occupancy, SL)``.

    *p* is patience / AHT, *tp* target / patience (or ``None``); ``n >= 1``, ``a > 0``.  The
    series' terms are taken off *work*, which refuses the call when it runs out, and so is
    the walk of the Erlang B recurrence (half a term a step: tens of thousands of steps at a
    load of millions).
    """
    if work is None:
        inv = _inv_b(n, a)
    else:
        # The walk stops where B underflows (a bounded number of steps above the load,
        # whatever n is): charged what it took, the work refused before the series.
        inv, walked = _inv_b_walked(n, a)
        charge = walked // _STEPS_PER_TERM
        if charge > work.left:
            raise work.refused(a, p)
        work.left -= charge
    if inv == INF:
        # B underflows (a load so small that a^n/n! is below 1e-308): nobody waits, to the
        # precision of a float -- and the series below would divide 0 by 0 at such a load.
        return 0.0, 0.0, 0.0, 0.0, a / n, None if tp is None else 1.0
    x = n * p
    y = a * p
    try:
        ln_s, mean_k, mean_h = _kummer(x, y, work)
        # P(wait) = S / (1/B + S - 1), written so that a huge S cannot overflow.
        pw = 1.0 / (1.0 + (inv - 1.0) * exp(-ln_s))
        if y > 0.0:
            mean_k_y = mean_k / y
            pab = pw * mean_k / y
            asa = pw * mean_h * (n / a)
        else:
            # y = load x patience / aht underflowed to 0 (a tiny load, a patience of
            # microseconds): the series' first order, E[k] ~ y/(x+1), E[h] ~ y/(x+1)^2.
            mean_k_y = 1.0 / (x + 1.0)
            pab = pw * mean_k_y
            asa = pw * n * p * mean_k_y * mean_k_y
        served = 1.0 - pab
        asa /= served
        busy = a * served / n
        sl: float | None = None
        if tp is not None:
            if tp == 0.0:
                sl = 1.0 - pw
            else:
                ln_s1 = _kummer(x + 1.0, y * exp(-tp), work)[0]
                g_t = exp(log(x / (x + 1.0)) - (x + 1.0) * tp - y * expm1(-tp) + ln_s1 - ln_s)
                sl = (1.0 - pw) + pw * ((1.0 - mean_k_y) - g_t)
                sl = 0.0 if sl < 0.0 else 1.0 if sl > 1.0 else sl
    except _TooLong as exc:  # the second series is about as long as the first: refused alike
        if exc.series or work is None:
            raise _refused(n, a, p) from None
        raise work.refused(a, p) from None
    return pw, pab, asa, pw * mean_k, (1.0 if busy > 1.0 else busy), sl


def erlang_a(
    agents: int,
    load: float,
    aht: timedelta,
    patience: timedelta,
    target: timedelta | None = None,
) -> ErlangAResult:
    """Erlang A (M/M/n+M): a queue whose customers hang up after an exponential patience.

    Unlike Erlang C, the queue is stable for any number of agents: impatient customers leave.
    As *patience* grows the results approach Erlang C's.

    Args:
        agents: Number of agents; at least 1 when ``load > 0``, at most :data:`MAX_AGENTS`.
        load: Offered load in Erlangs, finite, ``>= 0``.
        aht: Average handle time, a positive timedelta.
        patience: Mean patience (time a customer waits before abandoning), positive.
        target: Optional answer-time target for :attr:`ErlangAResult.service_level`.

    Returns:
        The :class:`ErlangAResult`.

    Raises:
        ConfigError: an argument has the wrong type or an out-of-range value, ``agents`` is
            0 while ``load > 0`` (nobody would ever be answered), or the series would take
            more than 3,000,000 terms (``agents <= load`` with ``load × patience / aht``
            beyond about ``2e10``: see the module notes).
    """
    n = check_agents(agents)
    a = check_load(load)
    handle = check_duration(aht, "aht", positive=True)
    pat = check_duration(patience, "patience", positive=True)
    tp = None if target is None else check_duration(target, "target", positive=False) / pat
    if a == 0.0:
        return ErlangAResult(n, a, 0.0, 0.0, ZERO, 0.0, 0.0, target, None if tp is None else 1.0)
    if n == 0:
        raise ConfigError(
            f"'agents' must be at least 1 when load > 0 (load={show(a)}): with 0 agents no "
            f"arrival is ever answered, got {show(agents)}"
        )
    pw, pab, asa, queue, busy, sl = _erlang_a_core(n, a, pat / handle, tp)
    return ErlangAResult(
        n,
        a,
        pw,
        pab,
        _seconds(asa * pat.total_seconds()),
        queue,
        busy,
        target,
        sl,
    )


def agents_for_service_level_a(
    load: float,
    aht: timedelta,
    target: timedelta,
    level: float,
    patience: timedelta,
    *,
    max_occupancy: float | None = None,
) -> int:
    """The fewest agents whose Erlang A service level reaches *level*.

    The service level is :attr:`ErlangAResult.service_level`: answered within *target* out of
    all arrivals, abandoners counting as missed.  It rises with the number of agents, so the
    search gallops up from ``load`` and bisects; the answer ``n`` satisfies
    ``erlang_a(n, ...).service_level >= level`` and ``erlang_a(n - 1, ...)`` falls short (or
    ``n == 1``).  With abandonment the answer can be below *load*; with *max_occupancy* it is
    at least ``ceil(load / max_occupancy)`` (as :func:`agents_for_service_level`).

    Args:
        load: Offered load in Erlangs, finite, ``>= 0``.
        aht: Average handle time, a positive timedelta.
        target: The answer-time target, a non-negative timedelta.
        level: The wanted service level, strictly between 0 and 1.
        patience: Mean patience, a positive timedelta.
        max_occupancy: The highest occupancy ``load / agents`` allowed, in ``(0, 1]``, or
            ``None`` (the default) for no cap.

    Returns:
        The number of agents; 0 when ``load == 0``.

    Raises:
        ConfigError: an argument has the wrong type or an out-of-range value, the cap would
            need more than :data:`MAX_AGENTS` agents, a candidate
            whose series is too long (as :func:`erlang_a`), or a search that would take more
            than 15,000,000 series terms in all (a few seconds: a load of millions with a
            patience of hours; see the module notes), refused after one probe where the
            rest of the search certainly cannot be paid for, else after at most that work.
    """
    a = check_load(load)
    handle = check_duration(aht, "aht", positive=True)
    pat = check_duration(patience, "patience", positive=True)
    tp = check_duration(target, "target", positive=False) / pat
    lvl = check_level(level)
    cap = None if max_occupancy is None else _check_max_occupancy(max_occupancy)
    if a == 0.0:
        return 0
    n = _fewest_a(a, pat / handle, tp, lvl, _Work(_SEARCH_TERMS, "finding the fewest agents"))
    return n if cap is None else max(n, _occupancy_floor(a, cap))


def _fewest_a(
    a: float,
    p: float,
    tp: float,
    lvl: float,
    work: _Work,
    asa_ok: Callable[[float], bool] | None = None,
) -> int:
    """The search of :func:`agents_for_service_level_a` (``a > 0``, *p* the patience over the
    AHT, *tp* the target over the patience), its series' terms taken off *work*.  With
    *asa_ok* (a test of the ASA of the answered, in patience units) a candidate must pass it
    too: both goals rise with the agents, so the answer is the fewest that meet both."""

    def meets(n: int) -> bool:
        _, _, asa, _, _, sl = _erlang_a_core(n, a, p, tp, work)
        return sl is not None and sl >= lvl and (asa_ok is None or asa_ok(asa))

    lo = 0  # known to fall short: with no agents nobody is answered
    hi = max(1, int(a))
    step = max(1, math.isqrt(hi))
    ok = meets(hi)
    if ok and a >= 1.0 and _bisection_floor(a, p, tp, hi) > work.left:
        # The load's own agents meet the target: the answer lies below, where every probe's
        # series is long.  Refused now if even the cheapest way down cannot be paid for.
        raise work.refused(a, p)
    while not ok:
        lo = hi
        hi += step
        step *= 2
        ok = meets(hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if meets(mid):
            hi = mid
        else:
            lo = mid
    return hi


# --------------------------------------------------------------------------------------------
# a staffing plan's rows (csflow.staffing.plan): the same numbers as the public functions


# The most series terms a staffing plan's Erlang A rows may take in all: seconds of work
# (a term costs 0.1 to 0.2 microseconds), however many intervals.  A month of half hours at
# 10,000 Erlangs takes about 40,000,000.
_PLAN_TERMS = 50_000_000


def _plan_work() -> _Work:
    return _Work(_PLAN_TERMS, "the plan's intervals together")


def _plan_beyond(
    loads: list[float], aht: timedelta, target: timedelta, patience: timedelta | None
) -> int | None:
    """The first interval by which a plan's rows are certain to need more than their
    budget (:data:`_PLAN_TERMS`), found before any row is worked out: each row takes at
    least its :func:`_search_floor` (Erlang A) or its walk of the Erlang B recurrence up to
    the load (Erlang C).  ``None`` when the floors fit (the rows may still run out, later)."""
    total = 0
    floors: dict[float, int] = {}
    p = 0.0 if patience is None else patience / aht
    tp = 0.0 if patience is None else target / patience
    for i, a in enumerate(loads):
        floor = floors.get(a)
        if floor is None:
            if a <= 0.0:
                floor = 0
            elif patience is None:
                floor = _walk_steps(int(a), a) // _STEPS_PER_TERM
            else:
                floor = _search_floor(a, p, tp)
            floors[a] = floor
        if patience is not None and floor > _SEARCH_TERMS:
            return None  # refused by its own search's budget when it comes to it
        total += floor
        if total > _PLAN_TERMS:
            return i
    return None


def _refused_c(a: float) -> ConfigError:
    return ConfigError(
        f"Erlang C on {a:g} Erlangs is refused: the plan's intervals together would take "
        f"more than {_PLAN_TERMS * _STEPS_PER_TERM:,} steps of the Erlang B recurrence "
        "(about sqrt(60 x load) an interval; over ten seconds of work): plan fewer intervals "
        "at a time"
    )


def _row_c(
    a: float,
    aht: timedelta,
    target: timedelta,
    lvl: float,
    cap: Fraction | None,
    plan: _Work | None = None,
    max_asa: timedelta | None = None,
) -> tuple[int, float, timedelta, float, float]:
    """``(agents, service level, ASA, P(wait), occupancy)`` of a plan's row under Erlang C,
    each bit for bit what :func:`agents_for_service_level` (the larger of it and
    :func:`agents_for_asa` with *max_asa*), :func:`service_level`,
    :func:`average_speed_of_answer`, :func:`erlang_c` and :func:`occupancy` return, from one
    walk of the recurrence instead of four (arguments already checked).  The walk is taken
    off *plan* (a term per two steps): refused before a walk from the floor that the budget
    cannot pay for."""
    if a == 0.0:
        return 0, 1.0, ZERO, 0.0, 0.0
    if plan is not None and _walk_steps(int(a), a) // _STEPS_PER_TERM > plan.left:
        raise _refused_c(a)
    r = target / aht
    n, inv = _fewest_c(a, r, lvl)
    walked = _walk_steps(n, a)
    if max_asa is not None:
        # A second walk, to the fewest agents whose mean wait is short enough: the same
        # float steps, so the larger answer's 1/B is the one either walk reached there.
        n_asa, inv_asa = _fewest_c_asa(a, aht.total_seconds(), max_asa)
        walked += _walk_steps(n_asa, a)
        if n_asa > n:
            n, inv = n_asa, inv_asa
    if cap is not None:
        least = _occupancy_floor(a, cap)
        if least > n:
            # The cap's walk stops where B underflows: charged what it took, not the
            # cap's agents above the load.
            inv, capped = _inv_b_walked(least, a)
            n, walked = least, max(walked, capped)
    if plan is not None:
        plan.left -= walked // _STEPS_PER_TERM
    c = _erlang_c(n, a, inv)
    sl = 1.0 - c * exp((a - n) * r)
    return n, sl, _seconds(c * aht.total_seconds() / (n - a)), c, a / n


def _row_a(
    a: float,
    aht: timedelta,
    target: timedelta,
    lvl: float,
    patience: timedelta,
    cap: Fraction | None,
    plan: _Work,
    max_asa: timedelta | None = None,
) -> tuple[int, float, timedelta, float, float, float]:
    """``(agents, service level, ASA, P(wait), P(abandon), occupancy)`` of a plan's row under
    Erlang A, as :func:`agents_for_service_level_a` and :func:`erlang_a` give them; with
    *max_asa* the fewest agents also keep :attr:`ErlangAResult.average_speed_of_answer` (of
    the answered, as the row reports it) at most *max_asa*.  The series' terms are taken off
    *plan* (and the search's own budget)."""
    if a == 0.0:
        return 0, 1.0, ZERO, 0.0, 0.0, 0.0
    p = patience / aht
    tp = target / patience
    if plan.left >= _SEARCH_TERMS:
        work = _Work(_SEARCH_TERMS, "finding the fewest agents")
    else:
        work = _Work(plan.terms, plan.what, plan.left)
    start = work.left
    seconds = patience.total_seconds()
    asa_ok = (
        None
        if max_asa is None
        else lambda asa: _seconds(asa * seconds) <= max_asa  # the row's very figure
    )
    try:
        n = _fewest_a(a, p, tp, lvl, work, asa_ok)
        if cap is not None:
            n = max(n, _occupancy_floor(a, cap))
        pw, pab, asa, _, busy, sl = _erlang_a_core(n, a, p, tp, work)
    finally:
        plan.left -= start - work.left
    assert sl is not None  # a target was given
    return n, sl, _seconds(asa * seconds), pw, pab, busy
