"""``run_sweep``'s scenarios: an empty sweep is ``[]``, a mapping is refused whole, and an
endless iterable is refused at ``MAX_SWEEP_SCENARIOS`` rather than read for ever."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from concurrent.futures import Executor, Future
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.errors import ConfigError
from csflow.sim import mmc_scenario
from csflow.sweep import MAX_SWEEP_SCENARIOS, run_sweep


class _NoRuns(Executor):
    """An executor that fails the test if a run is submitted."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        raise AssertionError("a run was submitted")


class _Inline(Executor):
    """Runs each call at once, in this thread, and counts them."""

    def __init__(self) -> None:
        self.calls = 0

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.calls += 1
        f: Future[Any] = Future()
        f.set_result(fn(*args, **kwargs))
        return f


def _bounded(item: object, n: int) -> Iterator[object]:
    """*item* *n* times, then a failure: an endless iterable that a test can survive."""
    for _ in range(n):
        yield item
    raise AssertionError(f"read past {n} items")


@pytest.mark.parametrize("grid", [{}, {"agents": [5, 6]}, {"mmc": mmc_scenario(2, 1.0)}])
def test_a_mapping_is_refused_whole(grid: Any) -> None:
    with pytest.raises(ConfigError) as caught:
        run_sweep(grid, executor=_NoRuns())
    assert "'scenarios' must be an iterable of Scenario" in caught.value.detail
    assert caught.value.path == ""


@pytest.mark.parametrize("empty", [[], (), iter(()), (s for s in list[Any]())])
def test_an_empty_sweep_is_an_empty_list_and_runs_nothing(empty: Any) -> None:
    assert run_sweep(empty, executor=_NoRuns()) == []
    assert run_sweep(empty) == []


def test_an_endless_iterable_is_refused_at_the_bound_before_any_run() -> None:
    scenario = mmc_scenario(2, 1.0, customers=10)
    with pytest.raises(ConfigError) as caught:
        run_sweep(_bounded(scenario, MAX_SWEEP_SCENARIOS + 5), executor=_NoRuns())  # type: ignore[arg-type]
    assert caught.value.path == "scenarios"
    assert f"{MAX_SWEEP_SCENARIOS:,}" in caught.value.detail
    with pytest.raises(ConfigError) as caught:
        run_sweep(itertools.repeat(scenario), executor=_NoRuns())
    assert caught.value.path == "scenarios"


@settings(max_examples=10, deadline=None)
@given(n=st.integers(0, 4), seeds=st.lists(st.integers(0, 2**31), min_size=4, max_size=4))
def test_any_finite_iterable_runs_every_scenario_in_order(n: int, seeds: list[int]) -> None:
    grid = [mmc_scenario(2, 1.0, customers=20, seed=s) for s in seeds[:n]]
    pool = _Inline()
    results = run_sweep((s for s in grid), executor=pool)
    assert [r.seed for r in results] == seeds[:n]
    assert pool.calls == n


def test_a_scenario_generator_within_the_bound_is_read_whole() -> None:
    # Exactly MAX_SWEEP_SCENARIOS bad items: the bound lets them all be read, and the first
    # bad one is named.
    items = (3 for _ in range(MAX_SWEEP_SCENARIOS))
    with pytest.raises(ConfigError) as caught:
        run_sweep(items, executor=_NoRuns())  # type: ignore[arg-type]
    assert caught.value.path == "scenarios[0]"
    assert next(items, None) is None  # read to its end
