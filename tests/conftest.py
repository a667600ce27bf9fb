"""Shared pytest configuration: Hypothesis profiles.

``make test`` selects the ``ci`` profile: derandomised (the same commit draws the same examples
on every run and every machine, so CI passes or fails the same way each time), enough examples
to matter, no deadline so a loaded 2-core CI machine does not flake, and no example database
(nothing is written into the checkout, and no earlier failure replays into a later run).
``make soak`` selects ``soak``: random exploration with far more examples, printing the seed
and the reproduction blob of any failure.  Running pytest by hand uses ``dev`` unless
``--hypothesis-profile`` says otherwise.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=50, deadline=None, database=None)
settings.register_profile(
    "ci",
    max_examples=300,
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
settings.load_profile("dev")
