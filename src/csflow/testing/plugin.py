"""pytest fixtures for testing a desk, registered as the ``csflow`` pytest plugin.

Installing csflow registers this module through the ``pytest11`` entry point, so a test file
needs no import to use the fixtures (run ``pytest -p no:csflow`` to turn them off).  Override
``csflow_config`` (and ``csflow_start``) in your ``conftest.py`` to test your own policy::

    @pytest.fixture
    def csflow_config():
        return DeskConfig.from_dict(yaml.safe_load(Path("desk.yaml").read_text()))

    def test_vip_chats_are_served(desk, manual_clock):
        desk.add_agent(sari, at=manual_clock.now, presence="available")
        ...
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from csflow.desk import Desk, DeskConfig
from csflow.testing.clock import ManualClock

__all__ = ["csflow_config", "csflow_start", "desk", "manual_clock"]


@pytest.fixture
def csflow_config() -> DeskConfig:
    """The configuration the ``desk`` fixture is built from; override it in ``conftest.py``.

    Returns:
        An empty :class:`~csflow.desk.DeskConfig` unless overridden.
    """
    return DeskConfig()


@pytest.fixture
def csflow_start() -> datetime:
    """The instant the ``manual_clock`` fixture starts at; override it in ``conftest.py``.

    Returns:
        Monday 2 March 2026, 09:00 UTC, unless overridden.
    """
    return datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture
def desk(csflow_config: DeskConfig) -> Desk:
    """A fresh desk built from ``csflow_config``.

    Returns:
        A new :class:`~csflow.desk.Desk` for every test.
    """
    return Desk(csflow_config)


@pytest.fixture
def manual_clock(csflow_start: datetime) -> ManualClock:
    """A :class:`~csflow.testing.clock.ManualClock` at ``csflow_start``.

    Returns:
        A new clock for every test.
    """
    return ManualClock(csflow_start)
