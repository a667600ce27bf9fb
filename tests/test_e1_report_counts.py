"""A report's counts that are parts of others: a hand-built report may not hold more of the
part than of the whole (a service level or an FCR above 100 %)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.errors import ConfigError
from csflow.metrics import Report


@pytest.mark.parametrize(
    ("fields", "path", "shown"),
    [
        ({"answered": 1, "answered_within_target": 3}, "answered_within_target", "3 and 1"),
        ({"tickets_resolved": 2, "resolved_first_contact": 5}, "resolved_first_contact", "5 and 2"),
        ({"abandoned": 1, "short_abandoned": 2}, "short_abandoned", "2 and 1"),
    ],
)
def test_a_part_above_its_whole_is_refused_naming_both(
    fields: dict[str, int], path: str, shown: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        Report(**fields)  # type: ignore[arg-type]
    assert caught.value.path == path
    assert shown in str(caught.value)


@settings(max_examples=50, deadline=None)
@given(
    answered=st.integers(0, 10**12),
    within=st.integers(0, 10**12),
    resolved=st.integers(0, 10**12),
    first=st.integers(0, 10**12),
)
def test_law_a_hand_built_reports_rates_stay_within_0_and_1(
    answered: int, within: int, resolved: int, first: int
) -> None:
    fields = {
        "answered": answered,
        "answered_within_target": within,
        "tickets_resolved": resolved,
        "resolved_first_contact": first,
    }
    if within > answered or first > resolved:
        with pytest.raises(ConfigError):
            Report(**fields)  # type: ignore[arg-type]
        return
    report = Report(**fields)  # type: ignore[arg-type]
    for rate in (report.service_level, report.first_contact_resolution):
        assert rate is None or 0.0 <= rate <= 1.0


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (12, "12 s"),
        (13.5, "13.5 s"),
        (119.9, "119.9 s"),
        (119.96, "2.0 min"),  # not "120.0 s": two minutes read in minutes, as 120 s does
        (120, "2.0 min"),
        (150, "2.5 min"),
    ],
)
def test_a_tables_durations_change_unit_at_two_minutes_as_shown(seconds: float, shown: str) -> None:
    report = Report(answered=1, total_wait=timedelta(seconds=seconds))
    assert f"average speed of answer         {shown}" in report.table()
