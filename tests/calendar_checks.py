"""Helpers the calendar's edge and run tests share: review settings, how instants are written,
short runs of years, outcomes of calls that may refuse."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, tzinfo
from unittest import mock

from hypothesis import HealthCheck, settings

from csflow import calendar as calendar_module
from csflow.errors import CalendarError
from strategies import DAY

__all__ = ["REVIEW", "YEAR", "canonical", "outcome", "short_runs", "written"]

YEAR = 365 * DAY


# CSFLOW_REVIEW_EXAMPLES=2000 soaks the property tests below.
REVIEW = settings(
    max_examples=int(os.environ.get("CSFLOW_REVIEW_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def canonical(value: datetime, zone: tzinfo) -> tuple[object, ...]:
    """How converting *value*'s instant to *zone* writes it: fields, fold and offset."""
    local = value.astimezone(UTC).astimezone(zone)
    return (*local.timetuple()[:6], local.microsecond, local.fold, local.utcoffset())


def written(value: datetime) -> tuple[object, ...]:
    return (*value.timetuple()[:6], value.microsecond, value.fold, value.utcoffset())


@contextlib.contextmanager
def short_runs(limit: int) -> Iterator[None]:
    """Runs of years patched short, so that runs at hand are replaced as others are needed."""
    with mock.patch.object(calendar_module, "_RUN_YEARS", limit):
        yield


def outcome(call: Callable[..., object], *args: object) -> object:
    """The answer, or the fact that the call raised CalendarError (anything else propagates)."""
    try:
        return call(*args)
    except CalendarError:
        return CalendarError
