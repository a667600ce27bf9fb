"""Hostile simulation input is refused with a ConfigError naming the field, never a bare
Python error."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import attrs
import pytest

from csflow import DeskConfig
from csflow.errors import ConfigError
from csflow.sim import Distribution, Empirical, Exponential, LogNormal, SimConfig, simulate
from csflow.sim.distributions import read_distribution
from csflow.sim.scenario import peak_factor

_SIM: dict[str, Any] = {
    "start": "2026-03-16T00:00:00+07:00",
    "duration": "PT1H",
    "arrivals": {"rates": [["00:00", 60]]},
    "agents": [{"name": "a", "count": 2}],
}


@pytest.mark.parametrize("peak", [10**400, -(10**400), 2**1024], ids=["1e400", "-1e400", "2^1024"])
def test_a_peak_past_floats_range_is_refused_at_its_path(peak: int) -> None:
    # (An integer literal of a YAML or JSON document is read as a Python int of any size.)
    with pytest.raises(ConfigError, match="expected a finite number") as caught:
        SimConfig.from_dict({**_SIM, "peak": peak})
    assert caught.value.path == "simulation.peak"
    with pytest.raises(ConfigError, match="expected a finite number") as caught:
        peak_factor(peak, "peak")
    assert caught.value.path == "peak"


@pytest.mark.parametrize(("peak", "factor"), [(2, 2.0), (2**53, float(2**53)), ("x3", 3.0)])
def test_a_large_peak_within_floats_range_is_read_as_given(peak: object, factor: float) -> None:
    assert peak_factor(peak) == factor


def _change(field: str, value: object) -> dict[str, Any]:
    return {field: {"default": value}}


@pytest.mark.parametrize("cls", [Exponential, LogNormal, Empirical], ids=lambda c: c.__name__)
@pytest.mark.parametrize("field", ["handle_time", "patience"])
def test_a_distribution_class_for_a_distribution_is_refused_before_any_run(
    cls: type[Distribution], field: str
) -> None:
    # A class has the protocol's two methods too: it was taken, and the run then failed at
    # its first draw with a TypeError.
    base = SimConfig.from_dict(_SIM)
    with pytest.raises(ConfigError, match=rf"the class {cls.__name__}: pass an instance") as e:
        attrs.evolve(base, **_change(field, cls))
    assert e.value.path == f"{field}.default"
    with pytest.raises(ConfigError, match="pass an instance") as e:
        read_distribution(cls, "handle_time.chat")
    assert e.value.path == "handle_time.chat"
    # An instance runs.
    one = Exponential(timedelta(minutes=2))
    config = attrs.evolve(base, **_change(field, one))
    assert simulate(DeskConfig(), config, seed=1).customers > 0
