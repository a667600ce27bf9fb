"""``forecast_from_history``'s *exclude*: any finite iterable of dates, read at most
``MAX_EXCLUDE`` items deep, so an endless one is refused instead of read for ever."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.errors import ConfigError
from csflow.staffing.history import MAX_EXCLUDE, forecast_from_history

DAY = date(2026, 3, 23)  # a Monday


def _bounded(item: date, n: int) -> Iterator[date]:
    """*item* *n* times, then a failure: an endless iterable that a test can survive."""
    for _ in range(n):
        yield item
    raise AssertionError(f"read past {n} items")


def test_an_endless_exclude_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        forecast_from_history(
            [], DAY, timezone="UTC", exclude=_bounded(date(2026, 3, 9), MAX_EXCLUDE + 5)
        )
    assert caught.value.path == "exclude"
    assert f"{MAX_EXCLUDE:,}" in caught.value.detail
    walk_back = (DAY - timedelta(days=i) for i in itertools.count(1))
    with pytest.raises(ConfigError) as caught:
        forecast_from_history([], DAY, timezone="UTC", exclude=walk_back)
    assert caught.value.path == "exclude"
    with pytest.raises(ConfigError) as caught:
        forecast_from_history([], DAY, timezone="UTC", exclude=itertools.repeat(DAY))
    assert caught.value.path == "exclude"


def test_exactly_max_exclude_days_are_read_and_skipped() -> None:
    # Every one of the MAX_EXCLUDE days before DAY left out: the one day averaged, a day at a
    # time back, is the day before them all.
    before = [DAY - timedelta(days=i) for i in range(1, MAX_EXCLUDE + 1)]
    arrival = datetime.combine(DAY - timedelta(days=MAX_EXCLUDE + 1), datetime.min.time(), UTC)
    f = forecast_from_history(
        [arrival + timedelta(hours=9)],
        DAY,
        timezone="UTC",
        lookback=1,
        same_weekday=False,
        exclude=(d for d in before),
        interval=timedelta(hours=1),
    )
    assert f.days == (DAY - timedelta(days=MAX_EXCLUDE + 1),)
    assert f.intervals[9].arrivals == 1.0
    assert f.total == 1.0


@settings(max_examples=40, deadline=None)
@given(
    weeks=st.sets(st.integers(1, 12), max_size=6),
    extra=st.lists(st.integers(-400, 400), max_size=5),
    kind=st.sampled_from(["list", "tuple", "set", "frozenset", "generator", "dict"]),
)
def test_every_finite_kind_of_exclude_gives_the_same_walk(
    weeks: set[int], extra: list[int], kind: str
) -> None:
    days = [DAY - timedelta(weeks=w) for w in sorted(weeks)] + [
        DAY + timedelta(days=x) for x in extra
    ]
    given_as: object = {
        "list": list(days),
        "tuple": tuple(days),
        "set": set(days),
        "frozenset": frozenset(days),
        "generator": (d for d in days),
        "dict": dict.fromkeys(days),
    }[kind]
    f = forecast_from_history([], DAY, timezone="UTC", lookback=3, exclude=given_as)  # type: ignore[arg-type]
    # A naive walk: the Mondays before DAY, a week at a time, those not left out, three.
    left_out = set(days)
    walk = [DAY - timedelta(weeks=w) for w in range(1, 30)]
    assert f.days == tuple(d for d in walk if d not in left_out)[:3]
