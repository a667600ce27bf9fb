"""Shared pytest configuration: Hypothesis profiles.

``make test`` selects the ``ci`` profile (enough examples to matter, no deadline so a loaded
2-core CI machine does not flake); ``make soak`` selects ``soak`` (far more).  Running pytest
by hand uses ``dev`` unless ``--hypothesis-profile`` says otherwise.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "ci",
    max_examples=300,
    deadline=None,
    derandomize=False,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "soak",
    max_examples=5000,
    stateful_step_count=200,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("dev")
