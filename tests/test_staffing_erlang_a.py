"""Erlang A (M/M/n+M) against an independent birth-death computation, and its laws."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any, NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.errors import ConfigError
from csflow.staffing import (
    ErlangAResult,
    agents_for_service_level,
    agents_for_service_level_a,
    average_speed_of_answer,
    erlang_a,
    erlang_c,
    service_level,
)

MIN = timedelta(minutes=1)
SEC = timedelta(seconds=1)


def bad(value: object) -> Any:
    """Pass a deliberately ill-typed argument past the type checker."""
    return value


class Chain(NamedTuple):
    waiting: float
    abandonment: float
    queue: float
    occupancy: float
    answered: float
    asa: float
    service_level: float | None


def birth_death(n: int, load: float, aht: float, patience: float, target: float | None) -> Chain:
    """Erlang A by brute force, with none of csflow's formulas.

    * The number in system is a birth-death chain (birth λ, death min(j, n)·μ + (j - n)⁺·θ),
      summed over a state space truncated far beyond its mass.
    * A customer who finds ``k`` ahead in the queue is answered, and waits, according to a
      first-step analysis of its own little chain: ahead-count falls at ``nμ + kθ``, the
      customer abandons at ``θ``.
    * Answered within the target: uniformisation of that little chain (a Poisson mixture of
      jump counts), started from the distribution of ``k`` that arrivals see.
    """
    mu, theta = 1.0 / aht, 1.0 / patience
    lam = load * mu
    y, x = lam / theta, n * mu / theta
    top = n + int(max(0.0, y - x) + 40.0 * math.sqrt(y) + 60.0)
    logw = [0.0]
    for j in range(1, top + 1):
        down = min(j, n) * mu + max(j - n, 0) * theta
        logw.append(logw[-1] + math.log(lam / down))
    peak = max(logw)
    weights = [math.exp(v - peak) for v in logw]
    total = math.fsum(weights)
    p = [w / total for w in weights]
    queued = p[n:]
    waiting = math.fsum(queued)
    queue = math.fsum(k * q for k, q in enumerate(queued))
    busy = math.fsum(min(j, n) * p[j] for j in range(top + 1))
    # First-step analysis: answered probability and E[wait; answered] with k ahead.
    answered_k: list[float] = []
    wait_k: list[float] = []
    for k in range(len(queued)):
        advance = n * mu + k * theta
        rate = advance + theta
        if k == 0:
            ans = n * mu / rate
            ew = ans / rate
        else:
            ans = advance / rate * answered_k[-1]
            ew = ans / rate + advance / rate * wait_k[-1]
        answered_k.append(ans)
        wait_k.append(ew)
    answered = math.fsum(p[:n]) + math.fsum(q * a for q, a in zip(queued, answered_k, strict=True))
    mean_wait = math.fsum(q * w for q, w in zip(queued, wait_k, strict=True))
    sl = None
    if target is not None:
        uni = n * mu + len(queued) * theta
        lt = uni * target
        mass = list(queued)
        absorbed = 0.0
        acc = 0.0
        for i in range(int(lt + 12.0 * math.sqrt(lt) + 30.0) + 1):
            poisson = math.exp(-lt + i * math.log(lt) - math.lgamma(i + 1)) if lt > 0 else i == 0
            acc += poisson * absorbed
            nxt = [0.0] * len(mass)
            for k, m in enumerate(mass):
                if m == 0.0:
                    continue
                adv = (n * mu + k * theta) / uni
                if k == 0:
                    absorbed += m * adv
                else:
                    nxt[k - 1] += m * adv
                nxt[k] += m * (1.0 - adv - theta / uni)
            mass = nxt
        sl = math.fsum(p[:n]) + acc
    return Chain(
        waiting=waiting,
        abandonment=theta * queue / lam,
        queue=queue,
        occupancy=busy / n,
        answered=answered,
        asa=mean_wait / answered,
        service_level=sl,
    )


def assert_matches(res: ErlangAResult, ref: Chain, rel: float = 1e-10) -> None:
    assert res.probability_of_waiting == pytest.approx(ref.waiting, rel=rel, abs=1e-13)
    assert res.probability_of_abandonment == pytest.approx(ref.abandonment, rel=rel, abs=1e-13)
    assert 1.0 - res.probability_of_abandonment == pytest.approx(ref.answered, rel=rel)
    assert res.average_queue_length == pytest.approx(ref.queue, rel=rel, abs=1e-12)
    assert res.occupancy == pytest.approx(ref.occupancy, rel=rel)
    assert res.average_speed_of_answer.total_seconds() == pytest.approx(ref.asa, rel=rel, abs=2e-6)
    if ref.service_level is not None:
        assert res.service_level == pytest.approx(ref.service_level, rel=rel, abs=1e-12)


@pytest.mark.parametrize(
    ("n", "load", "aht", "patience", "target"),
    [
        (13, 10.0, 180, 300, 20),  # ordinary
        (8, 10.0, 180, 60, 20),  # fewer agents than load: stable thanks to abandonment
        (50, 55.0, 240, 120, 30),
        (1, 0.5, 300, 600, 60),  # a single agent
        (190, 180.0, 360, 600, 20),  # 180 Erlang, chat-like patience
        (20, 30.0, 60, 3000, 600),  # overloaded, long patience: the series starts mid-way
        (5, 2.0, 600, 1, 3),  # patience far below AHT: almost a loss system
    ],
)
def test_erlang_a_matches_the_birth_death_chain(
    n: int, load: float, aht: int, patience: int, target: int
) -> None:
    res = erlang_a(n, load, aht * SEC, patience * SEC, target * SEC)
    assert_matches(res, birth_death(n, load, aht, patience, target))


def test_overloaded_long_patience_regime_matches_the_chain() -> None:
    # 200 Erlang on 100 agents, patience 100× AHT: the queue holds ~10,000 customers.
    res = erlang_a(100, 200.0, MIN, 100 * MIN)
    assert_matches(res, birth_death(100, 200.0, 60.0, 6000.0, None), rel=1e-9)
    assert res.probability_of_abandonment == pytest.approx(0.5, rel=1e-9)


@given(
    st.integers(min_value=1, max_value=30),
    st.floats(min_value=0.05, max_value=40.0),
    st.integers(min_value=10, max_value=900),
    st.floats(min_value=0.05, max_value=20.0),
    st.integers(min_value=0, max_value=120),
)
@settings(max_examples=25)
def test_erlang_a_matches_the_chain_for_random_queues(
    n: int, load: float, aht: int, patience_ratio: float, target: int
) -> None:
    patience = timedelta(seconds=round(aht * patience_ratio, 3))
    res = erlang_a(n, load, aht * SEC, patience, target * SEC)
    ref = birth_death(n, load, aht, patience.total_seconds(), float(target))
    assert_matches(res, ref, rel=1e-9)


# --------------------------------------------------------------------------------------------
# laws


@pytest.mark.parametrize(("n", "load"), [(12, 10.0), (14, 10.0), (190, 180.0), (25, 17.0)])
def test_as_patience_grows_erlang_a_approaches_erlang_c(n: int, load: float) -> None:
    aht, target = 3 * MIN, 20 * SEC
    res = erlang_a(n, load, aht, aht * 1_000_000, target)
    assert res.probability_of_waiting == pytest.approx(erlang_c(n, load), rel=1e-4)
    assert res.service_level == pytest.approx(service_level(n, load, aht, target), rel=1e-4)
    assert res.average_speed_of_answer.total_seconds() == pytest.approx(
        average_speed_of_answer(n, load, aht).total_seconds(), rel=1e-4
    )
    assert res.probability_of_abandonment < 1e-4
    assert res.occupancy == pytest.approx(load / n, rel=1e-4)
    # and the gap closes as patience grows
    shorter = erlang_a(n, load, aht, aht * 100, target)
    assert abs(shorter.probability_of_waiting - erlang_c(n, load)) > abs(
        res.probability_of_waiting - erlang_c(n, load)
    )


@pytest.mark.parametrize(("n", "load"), [(1, 5.0), (8, 10.0), (10, 10.0), (150, 180.0)])
def test_with_finite_patience_the_queue_is_stable_even_when_agents_do_not_exceed_load(
    n: int, load: float
) -> None:
    res = erlang_a(n, load, 3 * MIN, 2 * MIN, 20 * SEC)
    assert 0.0 < res.probability_of_waiting < 1.0
    assert 0.0 < res.probability_of_abandonment < 1.0
    assert res.service_level is not None
    assert 0.0 < res.service_level < 1.0
    assert timedelta(0) < res.average_speed_of_answer < timedelta(hours=1)
    assert 0.0 < res.occupancy <= 1.0
    assert res.average_queue_length < math.inf


queues = st.tuples(
    st.integers(min_value=1, max_value=200),
    st.floats(min_value=0.01, max_value=200.0),
    st.integers(min_value=5, max_value=1800).map(lambda s: s * SEC),
    st.integers(min_value=5, max_value=3600).map(lambda s: s * SEC),
)


@given(queues, st.integers(min_value=0, max_value=300), st.integers(min_value=0, max_value=300))
@settings(max_examples=60)
def test_erlang_a_laws(q: tuple[int, float, timedelta, timedelta], t1: int, t2: int) -> None:
    n, load, aht, patience = q
    lo, hi = sorted((t1 * SEC, t2 * SEC))
    # Service level is a difference of O(1) sums: in heavy overload (90 Erlang on one agent)
    # its true value is ~1e-13 and float64 noise reaches ~1e-12, so the monotonicity laws
    # hold to EPS, not to 1e-12.
    eps = 1e-9
    res = erlang_a(n, load, aht, patience, lo)
    for p in (res.probability_of_waiting, res.probability_of_abandonment, res.occupancy):
        assert 0.0 <= p <= 1.0
    assert res.service_level is not None
    assert 0.0 <= res.service_level <= 1.0 - res.probability_of_abandonment + eps
    assert res.probability_of_abandonment <= res.probability_of_waiting
    assert res.service_level <= (erlang_a(n, load, aht, patience, hi).service_level or 0.0) + eps
    more = erlang_a(n + 1, load, aht, patience, lo)
    assert more.service_level is not None
    assert res.service_level <= more.service_level + eps
    assert more.probability_of_waiting <= res.probability_of_waiting + eps
    assert more.probability_of_abandonment <= res.probability_of_abandonment + eps
    # Abandonment and its mean wait tie together: P(abandon) = E[queue] / (λ · patience).
    rate = load / aht.total_seconds()
    assert res.probability_of_abandonment == pytest.approx(
        res.average_queue_length / (rate * patience.total_seconds()), rel=1e-12, abs=1e-300
    )


@given(
    st.floats(min_value=0.01, max_value=300.0),
    st.integers(min_value=5, max_value=1800).map(lambda s: s * SEC),
    st.integers(min_value=0, max_value=300).map(lambda s: s * SEC),
    st.floats(min_value=0.05, max_value=0.99),
    st.integers(min_value=5, max_value=3600).map(lambda s: s * SEC),
)
@settings(max_examples=40)
def test_agents_for_service_level_a_is_the_fewest(
    load: float, aht: timedelta, target: timedelta, level: float, patience: timedelta
) -> None:
    n = agents_for_service_level_a(load, aht, target, level, patience)
    assert n >= 1
    met = erlang_a(n, load, aht, patience, target).service_level
    assert met is not None
    assert met >= level
    if n > 1:
        short = erlang_a(n - 1, load, aht, patience, target).service_level
        assert short is not None
        assert short < level


def test_impatient_customers_can_need_fewer_agents_than_the_load() -> None:
    # 10 Erlang, patience 20 s, half answered within a minute: 6 agents do.
    n = agents_for_service_level_a(10.0, 3 * MIN, MIN, 0.5, 20 * SEC)
    assert n == 6
    assert n < 10.0


def test_chat_peak_with_abandonment_needs_fewer_agents_than_erlang_c() -> None:
    # The 12.12 chat peak (350 Erlang, AHT 7 min, 90 % in 60 s) with a 4-minute mean patience.
    aht, target, patience = 7 * MIN, MIN, 4 * MIN
    n_c = agents_for_service_level(350.0, aht, target, 0.9)
    n_a = agents_for_service_level_a(350.0, aht, target, 0.9, patience)
    assert n_a < n_c
    ref = birth_death(n_a, 350.0, 420.0, 240.0, 60.0)
    assert ref.service_level is not None
    assert ref.service_level >= 0.9
    below = birth_death(n_a - 1, 350.0, 420.0, 240.0, 60.0).service_level
    assert below is not None
    assert below < 0.9


def test_zero_target_and_zero_load() -> None:
    res = erlang_a(13, 10.0, 3 * MIN, 5 * MIN, timedelta(0))
    assert res.service_level == pytest.approx(1.0 - res.probability_of_waiting, rel=1e-15)
    idle = erlang_a(3, 0.0, 3 * MIN, 5 * MIN, 20 * SEC)
    assert idle == ErlangAResult(3, 0.0, 0.0, 0.0, timedelta(0), 0.0, 0.0, 20 * SEC, 1.0)
    assert erlang_a(0, 0.0, 3 * MIN, 5 * MIN).service_level is None
    assert agents_for_service_level_a(0.0, 3 * MIN, 20 * SEC, 0.8, MIN) == 0


def test_without_a_target_there_is_no_service_level() -> None:
    res = erlang_a(13, 10.0, 3 * MIN, 5 * MIN)
    assert res.target is None
    assert res.service_level is None


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (
            lambda: erlang_a(0, 3.0, MIN, MIN),
            r"'agents' must be at least 1 when load > 0 \(load=3\.0\).*got 0",
        ),
        (
            lambda: erlang_a(3, 3.0, MIN, bad(60)),
            r"'patience' must be a datetime\.timedelta, got 60",
        ),
        (
            lambda: erlang_a(3, 3.0, MIN, timedelta(0)),
            r"'patience' must be a positive timedelta",
        ),
        (lambda: erlang_a(3, -3.0, MIN, MIN), r"'load' must be a finite number >= 0, got -3\.0"),
        (lambda: erlang_a(3, 3.0, MIN, MIN, -SEC), r"'target' must be a non-negative timedelta"),
        (lambda: erlang_a(-3, 3.0, MIN, MIN), r"'agents' must be a non-negative int, got -3"),
        (
            lambda: agents_for_service_level_a(3.0, MIN, SEC, 1.5, MIN),
            r"'level' must be a number strictly between 0 and 1, got 1\.5",
        ),
        (
            lambda: agents_for_service_level_a(3.0, MIN, SEC, 0.8, bad("1m")),
            r"'patience' must be a datetime\.timedelta, got '1m'",
        ),
    ],
)
def test_bad_input_raises_config_error(call: object, pattern: str) -> None:
    assert callable(call)
    with pytest.raises(ConfigError, match=pattern):
        call()
