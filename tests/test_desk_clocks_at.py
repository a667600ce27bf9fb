"""``Desk.clocks(ticket, at=...)`` refuses an *at* that is not an aware datetime for every
ticket, as its docstring says -- a ticket without SLA clocks too (it used to return an empty
map for anything), so that a host's bug shows on its first desk, not on the first with SLAs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csflow import Customer, Desk, DeskConfig, Ticket, Tier
from csflow.errors import CalendarError

T0 = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)


def _desk() -> Desk:
    desk = Desk(DeskConfig())
    desk.submit(Ticket("T-1", Customer("c1", Tier("regular", 0)), "chat", T0), at=T0)
    return desk


@given(
    at=st.one_of(
        st.datetimes(),  # naive
        st.text(max_size=5),
        st.integers(),
        st.dates(),
    )
)
def test_a_ticket_without_clocks_refuses_an_at_that_is_not_an_aware_datetime(at: object) -> None:
    desk = _desk()
    with pytest.raises(CalendarError, match="'at' must be"):
        desk.clocks("T-1", at=at)  # type: ignore[arg-type]


def test_a_ticket_without_clocks_reads_empty_at_an_aware_instant() -> None:
    desk = _desk()
    assert dict(desk.clocks("T-1", at=T0)) == {}
    assert dict(desk.clocks("T-1")) == {}
