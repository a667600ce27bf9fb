"""A hand-built ``IntervalReport`` is checked as a ``Report`` is: a field of the wrong kind is
refused with a ``ConfigError`` naming it, not left to fail later in ``table()`` or
``to_dict()``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

from csflow.errors import ConfigError
from csflow.events import TicketQueued
from csflow.metrics import IntervalReport, Report, summarize_intervals
from csflow.model import Priority

WIB = ZoneInfo("Asia/Jakarta")
T0 = datetime(2026, 3, 19, 2, 10, tzinfo=UTC)
GOOD = summarize_intervals(
    [TicketQueued(T0, "A", "front", Priority.NORMAL, None, "gold", "chat", "")], zone=WIB
)
START = GOOD.rows[0][0]


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("interval", 1800),
        ("interval", timedelta(minutes=7)),
        ("zone", "Asia/Jakarta"),
        ("rows", [(START, GOOD.total)]),
        ("rows", ((START, GOOD.total.to_dict()),)),
        ("rows", ((START.replace(tzinfo=None), GOOD.total),)),
        ("rows", ((START, GOOD.total, 1),)),
        ("lengths", (1800.0,)),
        ("lengths", (timedelta(0),)),
        ("total", GOOD.total.to_dict()),
    ],
)
def test_a_field_of_the_wrong_kind_is_refused_naming_it(field: str, bad: Any) -> None:
    with pytest.raises(ConfigError) as caught:
        attrs.evolve(GOOD, **{field: bad})
    assert caught.value.path is not None
    assert caught.value.path.startswith(field)


def test_the_reports_it_gives_pass_its_own_checks() -> None:
    assert attrs.evolve(GOOD) == GOOD
    assert GOOD.table()[1].startswith("2026-03-19 09:00")
    empty = IntervalReport(timedelta(hours=1), WIB, (), (), Report())
    assert empty.to_dict()["intervals"] == []
