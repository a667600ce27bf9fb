"""Shared pytest configuration: Hypothesis profiles, and the seeds' desk as fixtures.

``make test`` selects the ``ci`` profile: derandomised (the same commit draws the same examples
on every run and every machine, so CI passes or fails the same way each time), 150 examples a
property unless it asks for its own count (enough to matter, within ten minutes on 2 cores), no deadline so a loaded 2-core CI machine does not flake, and no example database
(nothing is written into the checkout, and no earlier failure replays into a later run).
``make soak`` selects ``soak``: random exploration with far more examples, printing the seed
and the reproduction blob of any failure.  ``make mutation`` selects ``mutation``, which runs
the suite once per mutant: ten examples a property, derandomised.  Running pytest by hand uses
``dev`` unless ``--hypothesis-profile`` says otherwise.

The fixtures hand out the seeds' desk of tests/desks.py; module-level constants and Hypothesis
tests (which function-scoped fixtures do not suit) call :func:`desks.seeds_desk_doc` directly.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from csflow.desk import DeskConfig
from desks import seeds_desk_doc

settings.register_profile("dev", max_examples=50, deadline=None, database=None)
settings.register_profile(
    "ci",
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "soak",
    max_examples=5000,
    stateful_step_count=200,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
# ``make mutation`` runs the tests once per mutant: few examples, the same ones every time.
settings.register_profile(
    "mutation",
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("dev")


@pytest.fixture
def seeds_doc() -> dict[str, Any]:
    """The seeds' desk as plain data, a fresh copy the test may change."""
    return seeds_desk_doc()


@pytest.fixture(scope="session")
def seeds_config() -> DeskConfig:
    """The seeds' desk config (frozen: one for the session)."""
    return DeskConfig.from_dict(seeds_desk_doc())
