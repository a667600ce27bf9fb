"""Sweeps on a small process pool: results in order, identical to in-process runs."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest

from csflow.errors import ConfigError
from csflow.sim import Scenario, mmc_scenario, run_scenario
from csflow.sweep import run_sweep


def test_a_process_pool_sweep_matches_in_process_runs() -> None:
    grid = [mmc_scenario(c, 4.0, customers=300, seed=s, sla=True) for c in (5, 7) for s in (1, 2)]
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = run_sweep(grid, executor=pool)
    assert [(r.seed, r.customers) for r in results] == [(1, 300), (2, 300), (1, 300), (2, 300)]
    for scenario, result in zip(grid, results, strict=True):
        assert result.report.to_dict() == run_scenario(scenario).report.to_dict()
    # More agents, same traffic (same seed): nobody waits longer on average.
    for few, many in zip(results[:2], results[2:], strict=True):
        assert few.report.total_wait >= many.report.total_wait


def test_the_default_executor_is_a_process_pool() -> None:
    results = run_sweep([mmc_scenario(3, 2.0, customers=50, seed=9)])
    assert results[0].customers == 50


def test_bad_scenarios_fail_before_anything_runs() -> None:
    good = mmc_scenario(3, 2.0, customers=50)
    bad = Scenario("bad", {}, {"start": "yesterday"}, 0)
    with (
        ThreadPoolExecutor(1) as pool,
        pytest.raises(
            ConfigError, match=r"scenarios\[1\]\.simulation\.start: expected an ISO 8601 instant"
        ),
    ):
        run_sweep([good, bad], executor=pool)
    with pytest.raises(ConfigError, match=r"scenarios\[0\]: expected a Scenario, got 3"):
        run_sweep([3])  # type: ignore[list-item]
    assert run_sweep([]) == []
