"""A command driver's time does not go backwards: setting ``now`` before the desk's last
instant is refused (every command drawn from it would be refused by the desk), and changes
nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import DeskConfig
from csflow.errors import ConfigError, InvalidTransitionError
from csflow.testing import Command, CommandDriver

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
CONFIG = DeskConfig.from_dict(
    {
        "queues": [{"name": "general"}],
        "routing_profiles": [{"name": "all", "queues": ["general"]}],
        "triage": [{"name": "everyone", "then": {"queue": "general"}}],
    }
)


def _at_work() -> CommandDriver:
    driver = CommandDriver(CONFIG, start=T0)
    driver.apply(Command("advance", T0 + timedelta(hours=2)))
    return driver


def test_setting_now_before_the_desks_last_instant_is_refused() -> None:
    driver = _at_work()
    assert driver.desk.now == T0 + timedelta(hours=2)
    with pytest.raises(InvalidTransitionError, match="earlier than the desk's last instant"):
        driver.now = T0 + timedelta(hours=1)
    assert driver.now == T0  # unchanged (the advance was applied by hand, not by a step)


def test_setting_now_forward_or_to_the_desks_instant_is_accepted() -> None:
    driver = _at_work()
    driver.now = T0 + timedelta(hours=2)
    assert driver.now == T0 + timedelta(hours=2)
    driver.now = datetime(2026, 3, 2, 20, tzinfo=UTC)
    assert driver.now == datetime(2026, 3, 2, 20, tzinfo=UTC)
    with pytest.raises(ConfigError, match="now"):
        driver.now = datetime(2026, 3, 3)  # naive: still a ConfigError


@settings(max_examples=20, deadline=None, derandomize=True, database=None)
@given(st.data(), st.integers(1, 8), st.integers(-7200, 7200))
def test_a_driver_moved_by_hand_never_draws_a_command_in_the_past(
    data: st.DataObject, steps: int, shift_s: int
) -> None:
    # Set now anywhere: either it is refused, or every step after it is in time order and
    # not before the desk's last instant (so the desk never refuses one for its time).
    driver = CommandDriver(CONFIG, start=T0, refusals=0)
    for _ in range(steps):
        driver.step(data.draw)
    last = driver.desk.now
    assert last is not None
    wanted = last + timedelta(seconds=shift_s)
    try:
        driver.now = wanted
    except InvalidTransitionError:
        assert wanted < last
        return
    for _ in range(3):
        for s in driver.step(data.draw):
            assert s.command.at >= wanted
            assert s.error is None, s
