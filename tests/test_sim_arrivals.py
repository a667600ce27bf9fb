"""The simulator's tickets: copies of a checked prototype equal what the constructors make."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from csflow.errors import ConfigError
from csflow.model import Customer, Ticket, Tier
from csflow.sim.arrivals import Arrivals

T0 = datetime(2026, 3, 20, 8, 0, tzinfo=UTC)  # the eve of Lebaran's first day
TIERS = [Tier("platinum", 3), Tier("gold", 2), Tier("regular", 0)]

shapes = st.tuples(
    st.sampled_from(["chat", "email", "phone", "whatsapp", "social"]),
    st.sampled_from(TIERS),
    st.sampled_from([None, "id", "en"]),
    st.sampled_from(["general", "refund", "delivery"]),
)


def fields(ticket: Ticket) -> tuple[object, ...]:
    """Every slot of the ticket and its customer, the unhashed mappings included."""
    c = ticket.customer
    return (
        tuple(getattr(ticket, f.name) for f in attrs.fields(Ticket) if f.name != "attributes"),
        dict(ticket.attributes),
        type(ticket.attributes),
        tuple(getattr(c, f.name) for f in attrs.fields(Customer) if f.name != "attributes"),
        dict(c.attributes),
        type(c.attributes),
    )


@given(st.lists(st.tuples(shapes, st.integers(0, 10**6)), min_size=1, max_size=30))
def test_every_ticket_is_the_one_the_constructors_make(
    arrivals: list[tuple[tuple[str, Tier, str | None, str], int]],
) -> None:
    made = Arrivals()
    for n, ((channel, tier, language, category), seconds) in enumerate(arrivals):
        at = T0 + timedelta(seconds=seconds)
        got = made.ticket(f"T{n}", f"C{n}", channel, tier, language, category, at)
        want = Ticket(
            f"T{n}", Customer(f"C{n}", tier, language=language), channel, at, category=category
        )
        assert type(got) is Ticket
        assert type(got.customer) is Customer
        assert got == want
        assert hash(got) == hash(want)
        assert repr(got) == repr(want)
        assert fields(got) == fields(want)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            got.id = "other"  # type: ignore[misc]


def test_the_first_ticket_of_a_shape_is_checked() -> None:
    with pytest.raises(ConfigError, match="channel"):
        Arrivals().ticket("T1", "C1", "", TIERS[0], None, "general", T0)
    with pytest.raises(ConfigError):
        Arrivals().ticket("T1", "C1", "chat", TIERS[0], None, "general", T0.replace(tzinfo=None))
