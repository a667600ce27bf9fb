"""``SlaClock.from_dict`` (the low-level API) refuses a pause history that no clock writes:
instants out of time order, before the clock's start or after its mark, or that no zone can
date.  It used to load them, and ``pause_history`` or a later recalculation then crashed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csflow.calendar import BusinessCalendar
from csflow.errors import ConfigError
from csflow.sla import Metric, RecalcMode, SlaClock, SlaTarget

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
M = timedelta(minutes=1)
ALWAYS = BusinessCalendar.always_open("UTC")
SPEC = SlaTarget(Metric.RESOLUTION, 60 * M, ALWAYS)


def paused_twice() -> SlaClock:
    clock = SlaClock("T-1", SPEC, T0)
    clock.pause(T0 + 5 * M)
    clock.resume(T0 + 10 * M)
    clock.pause(T0 + 20 * M)
    clock.resume(T0 + 25 * M)
    clock.advance(T0 + 30 * M)
    return clock


def test_a_real_pause_history_round_trips() -> None:
    data = paused_twice().to_dict()
    assert len(data["history"]) == 4
    restored = SlaClock.from_dict(data, ALWAYS)
    assert restored.to_dict() == data
    assert restored.pause_history == paused_twice().pause_history


@pytest.mark.parametrize(
    ("tamper", "index"),
    [
        (lambda h, d: [h[1], h[0], h[2], h[3]], 1),  # a pause that ends before it starts
        (lambda h, d: [h[2], h[3], h[0], h[1]], 2),  # pauses out of order
        (lambda h, d: [d["started"] - 1, *h[1:]], 0),  # before the clock started
        (lambda h, d: [*h[:3], d["mark"] + 1], 3),  # after the clock's mark
        (lambda h, d: [-(10**30), *h[1:]], 0),  # no instant at all
        (lambda h, d: [*h[:3], 10**30], 3),
    ],
)
def test_a_tampered_pause_history_is_refused_at_its_entry(tamper: Any, index: int) -> None:
    data = paused_twice().to_dict()
    data["history"] = tamper(data["history"], data)
    with pytest.raises(ConfigError, match=rf"^clock\.history\[{index}\]: expected pause instants"):
        SlaClock.from_dict(data, ALWAYS)


@given(
    st.lists(st.integers(-(10**20), 10**20), min_size=2, max_size=8).filter(
        lambda h: not len(h) % 2
    )
)
def test_a_loaded_history_never_breaks_the_views_or_a_recalculation(history: list[int]) -> None:
    data = paused_twice().to_dict()
    data["history"] = history
    try:
        clock = SlaClock.from_dict(data, ALWAYS)
    except ConfigError:
        return
    # Whatever loads can be read and recalculated (the recalculation replays the pauses).
    assert len(clock.pause_history) == len(history) // 2
    clock.recalculate(
        SlaTarget(Metric.RESOLUTION, 90 * M, ALWAYS), T0 + 40 * M, RecalcMode.RETROACTIVE
    )
