"""Every reader of a zone name takes IANA names only.

A host's ``localtime`` (the zone the machine is set to), ``posixrules`` and ``Factory`` load
with ``ZoneInfo`` on most hosts but name no IANA zone: the same config would mean different
hours on different machines.  The calendar refused them already; the goodwill policy's
period, the forecast's and history's day, and the interval report's zone refuse them too.
"""

from __future__ import annotations

from datetime import date

import pytest

from csflow import ConfigError, summarize_intervals
from csflow._time import iana_zone
from csflow.desk import GoodwillPolicy
from csflow.staffing.history import forecast_from_history

NOT_ZONES = ["localtime", "posixrules", "Factory", "right/UTC", "/usr/share/zoneinfo/UTC", ""]
ZONES = ["Asia/Jakarta", "UTC", "Etc/GMT+7", "America/New_York", "Asia/Calcutta"]


@pytest.mark.parametrize("name", ZONES)
def test_iana_names_and_links_load(name: str) -> None:
    zone = iana_zone(name)
    assert zone is not None
    assert zone.key == name


@pytest.mark.parametrize("name", [*NOT_ZONES, None, 7, "x" * 300])
def test_other_names_are_none(name: object) -> None:
    assert iana_zone(name) is None


@pytest.mark.parametrize("name", [n for n in NOT_ZONES if n])
def test_the_goodwill_period_refuses_a_name_that_is_no_iana_zone(name: str) -> None:
    with pytest.raises(ConfigError, match="IANA time zone") as info:
        GoodwillPolicy("IDR", timezone=name, allowance="100")
    assert info.value.path == "timezone"
    assert (
        GoodwillPolicy("IDR", timezone="Asia/Jakarta", allowance="100").zone.key == "Asia/Jakarta"
    )


@pytest.mark.parametrize("name", ["localtime", "posixrules", "Factory"])
def test_the_interval_report_and_the_forecast_refuse_it(name: str) -> None:
    with pytest.raises(ConfigError, match="IANA time zone"):
        summarize_intervals([], zone=name)
    with pytest.raises(ConfigError, match="IANA time zone"):
        forecast_from_history([], day=date(2026, 3, 16), timezone=name)
