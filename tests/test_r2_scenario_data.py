"""A scenario keeps the plain data it was given: a grid built by editing one document in a
loop runs every point, not the last one over and over."""

from __future__ import annotations

import pickle
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from csflow.errors import ConfigError
from csflow.sim import Scenario, mmc_scenario, run_scenario
from csflow.sweep import run_sweep


def _document() -> tuple[dict[str, Any], dict[str, Any]]:
    base = mmc_scenario(3, 2.0, customers=60, seed=1)
    sim = {**base.simulation, "agents": [dict(base.simulation["agents"][0])]}
    return dict(base.desk), sim


def test_a_grid_built_by_editing_one_document_keeps_each_point() -> None:
    desk, sim = _document()
    grid = []
    for n in (1, 2, 5):
        sim["agents"][0]["count"] = n  # the same nested dict, edited for each point
        grid.append(Scenario(f"{n} agents", desk, sim, seed=1))
    assert [s.simulation["agents"][0]["count"] for s in grid] == [1, 2, 5]
    assert [s.configs()[1].agents[0].count for s in grid] == [1, 2, 5]
    # The sweep runs the three levels: the same customers, three staffings.
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = run_sweep(grid, executor=pool)
    assert [r.customers for r in results] == [60, 60, 60]
    waits = [r.report.total_wait for r in results]
    assert waits[0] > waits[1] > waits[2]
    # Each is the run of its own point, built afresh from a document of its own.
    for n, result in zip((1, 2, 5), results, strict=True):
        fresh = {**sim, "agents": [{**sim["agents"][0], "count": n}]}
        assert result == run_scenario(Scenario("again", desk, fresh, seed=1))


def test_editing_the_desk_document_afterwards_leaves_the_scenario_alone() -> None:
    desk, sim = _document()
    desk["tiers"] = [{"name": "regular", "rank": 0}]
    scenario = Scenario("x", desk, sim, seed=2)
    before = run_scenario(scenario)
    desk["tiers"][0]["name"] = "gold"  # would make every arrival's tier undeclared
    sim["arrivals"]["rates"][0][1] = 1.0
    assert scenario.desk["tiers"] == [{"name": "regular", "rank": 0}]
    assert run_scenario(scenario) == before
    # And a pickled copy runs the same.
    assert run_scenario(pickle.loads(pickle.dumps(scenario))) == before


@pytest.mark.parametrize("field", ["desk", "simulation"])
def test_data_that_cannot_be_copied_is_refused_with_the_field(field: str) -> None:
    desk, sim = _document()
    data = {"desk": desk, "simulation": sim}
    data[field] = {**data[field], "lock": threading.Lock()}
    with pytest.raises(ConfigError, match="cannot be copied") as info:
        Scenario("x", data["desk"], data["simulation"], seed=0)
    assert info.value.path == field


@pytest.mark.parametrize("field", ["desk", "simulation"])
def test_a_document_that_is_not_a_mapping_names_its_field(field: str) -> None:
    desk, sim = _document()
    data: dict[str, Any] = {"desk": desk, "simulation": sim, field: ["not", "a", "mapping"]}
    with pytest.raises(ConfigError, match="expected a mapping") as info:
        Scenario("x", data["desk"], data["simulation"], seed=0)
    assert info.value.path == field


@pytest.mark.parametrize("name", [3, None, b"peak", ["a"]])
def test_a_name_that_is_not_a_str_is_refused(name: object) -> None:
    desk, sim = _document()
    with pytest.raises(ConfigError, match="'name' must be a str") as info:
        Scenario(name, desk, sim, seed=1)  # type: ignore[arg-type]
    assert info.value.path == "name"


def test_scenarios_compare_by_value_and_say_they_are_unhashable() -> None:
    desk, sim = _document()
    a, b = Scenario("x", desk, sim, seed=1), Scenario("x", desk, sim, seed=1)
    assert a == b
    assert a != Scenario("x", desk, sim, seed=2)
    # Equal by value over dicts: no hash can keep the contract, and the error names the class.
    with pytest.raises(TypeError, match="unhashable type: 'Scenario'"):
        hash(a)
