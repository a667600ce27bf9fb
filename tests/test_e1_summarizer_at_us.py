"""``Summarizer.add(event, at_us)``: an instant given in microseconds that is no such instant
is refused whole, as any bad event is, before it changes anything."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from csflow.errors import ConfigError
from csflow.events import TicketAssigned, TicketQueued
from csflow.metrics import Summarizer, summarize
from csflow.model import Priority

T0 = datetime(2026, 3, 19, 9, tzinfo=UTC)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def us(at: datetime) -> int:
    return (at - EPOCH) // timedelta(microseconds=1)


QUEUED = TicketQueued(T0, "A", "front", Priority.NORMAL, None, "gold", "chat", "")
ASSIGNED = TicketAssigned(T0 + timedelta(seconds=5), "A", "ana", 5.0, 1, "")


@pytest.mark.parametrize("bad", ["x", 1.7e15, 10**30, -(10**30), True, 2.0])
def test_an_at_us_that_is_no_instant_is_refused_and_changes_nothing(bad: Any) -> None:
    live = Summarizer()
    live.add(QUEUED, us(T0))
    before = live.report()
    with pytest.raises(ConfigError) as caught:
        live.add(ASSIGNED, bad)
    assert caught.value.path == "events[1].at_us"
    assert repr(bad)[:10] in str(caught.value)
    assert live.events == 1
    assert live.report() == before
    live.add(ASSIGNED, us(ASSIGNED.at))  # and it goes on as if the bad one never came
    assert live.report() == summarize([QUEUED, ASSIGNED])
