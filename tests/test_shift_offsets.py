"""Times of day in shift templates: only ASCII ``HH:MM`` with a bounded hour is read."""

from __future__ import annotations

from datetime import timedelta

import pytest

from csflow.errors import ConfigError
from csflow.staffing.shifts import templates_from_dict


def _earliest(value: str) -> timedelta:
    [template] = templates_from_dict(
        [{"name": "early", "length": "PT8H", "earliest": value, "latest": value}]
    )
    return template.earliest


@pytest.mark.parametrize("value", ["²:00", "٣:00", "06:٣٠", "99999999999999:00", "6:0", "06:60"])
def test_a_time_of_day_that_is_not_ascii_hh_mm_is_a_config_error(value: str) -> None:
    with pytest.raises(ConfigError, match=r"templates\[0\]\.earliest: expected a time of day"):
        _earliest(value)


@pytest.mark.parametrize(
    ("value", "offset"),
    [("06:00", timedelta(hours=6)), ("30:15", timedelta(hours=30, minutes=15))],
)
def test_a_time_of_day_is_an_offset_from_the_day(value: str, offset: timedelta) -> None:
    assert _earliest(value) == offset
