"""The simulator's sequence arguments: an endless iterable is refused at ``MAX_SIM_ITEMS``
rather than read until memory runs out, and a long list of call-back channels is checked in
linear time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from csflow.errors import ConfigError
from csflow.sim import (
    AgentGroup,
    Arrivals,
    CallbackOffer,
    Empirical,
    EscalationRule,
    RatePeriod,
    Shift,
    SimConfig,
)
from csflow.sim.scenario import MAX_SIM_ITEMS


def _bounded(item: object, n: int) -> Iterator[Any]:
    """*item* *n* times, then a failure: an endless iterable that a test can survive."""
    for _ in range(n):
        yield item
    raise AssertionError(f"read past {n} items")


def _sim(agents: Any) -> SimConfig:
    return SimConfig(
        start=datetime(2026, 3, 16, tzinfo=UTC),
        duration=timedelta(hours=1),
        arrivals=Arrivals.constant(5),
        agents=agents,
    )


ENDLESS: list[tuple[str, object, Callable[[Any], object]]] = [
    ("agents", AgentGroup("a", 0), _sim),
    ("shifts", Shift(), lambda it: AgentGroup("a", 0, shifts=it)),
    ("rates", RatePeriod(timedelta(0), 5), Arrivals),
    ("values", timedelta(seconds=30), Empirical),
    ("languages", "id", lambda it: AgentGroup("a", 0, languages=it)),
    ("breaks", (timedelta(0), timedelta(1)), lambda it: Shift(breaks=it)),
    (
        "escalations",
        EscalationRule("general", "t2", 0.1),
        lambda it: SimConfig(
            start=datetime(2026, 3, 16, tzinfo=UTC),
            duration=timedelta(hours=1),
            arrivals=Arrivals.constant(5),
            agents=[],
            escalations=it,
        ),
    ),
]


@pytest.mark.parametrize(("argument", "item", "build"), ENDLESS, ids=[e[0] for e in ENDLESS])
def test_an_endless_sequence_argument_is_refused(
    argument: str, item: object, build: Callable[[Any], object]
) -> None:
    with pytest.raises(ConfigError) as caught:
        build(_bounded(item, MAX_SIM_ITEMS + 3))
    assert f"{argument!r} must hold at most {MAX_SIM_ITEMS:,} items" in caught.value.detail


def test_a_finite_generator_is_read_as_before() -> None:
    group = AgentGroup("a", 2, shifts=(s for s in [Shift(end=timedelta(hours=1))]))
    assert group.shifts == (Shift(end=timedelta(hours=1)),)
    assert Empirical(iter([timedelta(seconds=10), timedelta(seconds=30)])).mean_seconds() == 20


class _Name(str):
    """A channel name that counts how often it is compared."""

    compared = 0

    def __eq__(self, other: object) -> bool:
        _Name.compared += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_call_back_channels_are_checked_in_linear_time() -> None:
    names = [_Name(f"c{i}") for i in range(2_000)]
    _Name.compared = 0
    offer = CallbackOffer(timedelta(minutes=2), 0.5, names)
    assert len(offer.channels) == 2_000
    assert _Name.compared < 10 * len(names)  # not one per pair (two million)
    with pytest.raises(ConfigError) as caught:
        CallbackOffer(timedelta(minutes=2), 0.5, ["phone", "chat", "phone"])
    assert caught.value.path == "channels[2]"
    assert "(as channels[0])" in caught.value.detail
