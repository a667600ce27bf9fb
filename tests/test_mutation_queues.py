"""Queue behaviours a mutation sample found unasserted (``make mutation``, queues).

Messages of refused arguments name the argument; ``head_of`` and ``heads`` keep their
documented defaults; a delay view survives being rebuilt (a ticket already visible stays
visible and is not announced twice) and being asked about an empty queue.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from csflow.errors import CalendarError, ConfigError
from csflow.model import Customer, Priority, Ticket, Tier
from csflow.queues import Signature, TicketQueue

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SIG = Signature("chat", "id")
WAIT = timedelta(minutes=5)


def _ticket(tid: str, priority: str = "normal") -> Ticket:
    return Ticket(
        tid, Customer(f"c-{tid}", Tier("regular", 0), language="id"), "chat", T0, priority
    )


def _us(dt: datetime) -> int:
    return (dt - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def test_refused_arguments_are_named() -> None:
    q = TicketQueue("front")
    naive = datetime(2026, 3, 2)
    with pytest.raises(CalendarError) as naive_due:
        q.push_key("a", band=0, due=naive, at=T0, signature=SIG)
    assert str(naive_due.value) == f"'due' must be timezone-aware, got {naive!r}"
    with pytest.raises(ConfigError) as caught:
        q.push_key("a", band=0, due=T0, at=T0, signature=SIG, callback="yes")  # type: ignore[arg-type]
    assert str(caught.value) == "'callback' must be True or False, got 'yes'"
    with pytest.raises(ConfigError) as caught:
        q.insert(5)  # type: ignore[arg-type]
    assert str(caught.value) == "entry must be a QueuedTicket, got 5"
    for bad in (-1, timedelta(seconds=-1)):
        with pytest.raises(ConfigError) as caught:
            q.watch(bad)
        assert str(caught.value) == f"'waited' must not be negative, got {bad!r}"
    for signatures in (["x"], ("x",)):
        with pytest.raises(ConfigError) as caught:
            q.pop(signatures)  # type: ignore[arg-type]
        assert str(caught.value) == "signature must be a Signature, got 'x'"
    q.push(_ticket("a"), at=T0)
    with pytest.raises(CalendarError) as naive_due:
        q.reprioritize(_ticket("a", "high"), due=naive)
    assert str(naive_due.value) == f"'due' must be timezone-aware, got {naive!r}"
    entry = q.get("a")
    assert entry.ticket is not None
    assert entry.ticket.priority is Priority.NORMAL


def test_push_key_takes_datetimes_as_well_as_microseconds() -> None:
    q = TicketQueue("front")
    entry = q.push_key("a", band=0, due=T0 + WAIT, at=T0, signature=SIG)
    assert (entry.queued_at_us, entry.key[:2]) == (_us(T0), (0, _us(T0 + WAIT)))
    entry = q.push_key("b", band=1, due=_us(T0), at=_us(T0) + 1, signature=SIG)
    assert (entry.queued_at_us, entry.key[:2]) == (_us(T0) + 1, (1, _us(T0)))


def test_heads_gives_one_ticket_by_default() -> None:
    q = TicketQueue("front")
    q.push(_ticket("a"), at=T0)
    q.push(_ticket("b"), at=T0 + timedelta(seconds=1))
    assert [e.ticket_id for e in q.heads()] == ["a"]
    assert [e.ticket_id for e in q.heads(limit=5)] == ["a", "b"]


def test_head_of_skips_tickets_that_left_and_reads_either_way_round() -> None:
    q = TicketQueue("front")
    other = Signature("email", "id")
    q.push(_ticket("a"), at=T0)
    q.push(_ticket("b"), at=T0 + timedelta(seconds=1))
    q.remove("a")  # its heap item stays behind as a tombstone at the top
    assert q.head_of({SIG: None}).ticket_id == "b"  # type: ignore[union-attr]
    # More signatures than waiting groups: the groups are walked instead.
    many = {SIG: None, other: None, Signature("phone", "id"): None}
    assert q.head_of(many).ticket_id == "b"  # type: ignore[union-attr]
    assert q.head_of({other: None}) is None
    q.remove("b")
    assert q.head_of({SIG: None}) is None


def test_a_delay_view_on_an_emptied_queue_finds_nothing() -> None:
    q = TicketQueue("front")
    q.push(_ticket("a"), at=T0)
    assert q.peek(waited=WAIT, at=T0 + 2 * WAIT).ticket_id == "a"  # type: ignore[union-attr]
    q.remove("a")
    assert q.peek(waited=WAIT, at=T0 + 3 * WAIT) is None
    assert q.refresh(T0 + 4 * WAIT) == []
    assert q.next_visible_at() is None


def test_a_rebuilt_delay_view_keeps_what_was_visible() -> None:
    q = TicketQueue("front")
    q.push(_ticket("old"), at=T0)
    now = T0 + 2 * WAIT
    assert q.peek(waited=WAIT, at=now).ticket_id == "old"  # type: ignore[union-attr]
    assert [e.ticket_id for _, e in q.refresh(now)] == ["old"]
    # Tickets that come and go fill the view with dead items until it is rebuilt.
    for i in range(80):
        q.push(_ticket(f"x{i}"), at=now)
        q.remove(f"x{i}")
    q.push(_ticket("new"), at=now)
    assert q.refresh(now) == []  # "old" is not announced a second time
    assert q.peek(waited=WAIT, at=now).ticket_id == "old"  # type: ignore[union-attr]
    assert [e.ticket_id for e in q.heads(limit=5, waited=WAIT, at=now)] == ["old"]
    assert q.next_visible_at() == _us(now + WAIT)
    assert [e.ticket_id for _, e in q.refresh(now + WAIT)] == ["new"]
    assert q.pop(waited=WAIT, at=now + WAIT).ticket_id == "old"  # type: ignore[union-attr]
    assert q.pop(waited=WAIT, at=now + WAIT).ticket_id == "new"  # type: ignore[union-attr]


def test_heads_lists_each_ticket_once_when_a_signature_is_named_twice() -> None:
    """A real bug the sample showed: ``heads([sig, sig])`` listed every ticket twice."""
    q = TicketQueue("front")
    q.push(_ticket("a"), at=T0)
    q.push(_ticket("b"), at=T0 + timedelta(seconds=1))
    other = Signature("email", "id")
    for signatures in ([SIG, SIG], (SIG, other, SIG), [SIG, other, other, SIG]):
        assert [e.ticket_id for e in q.heads(signatures, limit=5)] == ["a", "b"]
        assert [e.ticket_id for e in q.heads(signatures, limit=5, waited=WAIT, at=T0 + WAIT)] == [
            "a"
        ]


def test_a_queue_sequence_and_a_kept_ticket_are_checked() -> None:
    with pytest.raises(ConfigError) as caught:
        TicketQueue("q", sequence=[1])  # type: ignore[arg-type]
    assert str(caught.value) == (
        "sequence must be an iterator of ints (e.g. itertools.count()), got [1]"
    )
    q = TicketQueue("front")
    entry = q.push_key("c", band=0, due=T0, at=T0, signature=SIG, ticket=_ticket("c"))
    assert entry.ticket == _ticket("c")
    with pytest.raises(
        ConfigError, match=r"^ticket must be None or the Ticket 'd', got Ticket\(id='c'"
    ):
        q.push_key("d", band=0, due=T0, at=T0, signature=SIG, ticket=_ticket("c"))
    assert "d" not in q


def test_pop_from_listed_groups_honours_a_wait_in_microseconds() -> None:
    q = TicketQueue("front")
    q.push(_ticket("a"), at=T0)
    five_minutes = 5 * 60 * 10**6
    assert q.pop([SIG], waited=five_minutes, at=T0 + timedelta(minutes=4)) is None
    assert q.pop((SIG,), waited=five_minutes, at=T0 + timedelta(minutes=4)) is None
    assert "a" in q
    assert q.pop([SIG], waited=five_minutes, at=T0 + WAIT).ticket_id == "a"  # type: ignore[union-attr]


def test_push_key_into_a_queue_with_a_delay_view() -> None:
    q = TicketQueue("front")
    q.watch(WAIT)
    entry = q.push_key("a", band=0, due=T0, at=T0, signature=SIG)
    assert q.get("a") is entry
    assert q.peek(waited=WAIT, at=T0 + timedelta(minutes=4)) is None
    assert q.peek(waited=WAIT, at=T0 + WAIT) is entry
    assert q.pop([SIG]) is entry


def test_a_queue_refuses_a_nameless_queue_and_a_non_boolean_call_back_by_name() -> None:
    with pytest.raises(ConfigError) as caught:
        TicketQueue("")
    assert str(caught.value) == "queue name must be a non-empty string, got ''"
    q = TicketQueue("front")
    with pytest.raises(ConfigError) as caught:
        q.push(_ticket("t1"), at=T0, callback="yes")  # type: ignore[arg-type]
    assert str(caught.value) == "'callback' must be True or False, got 'yes'"
    assert len(q) == 0


def test_a_wait_of_one_microsecond_is_a_wait() -> None:
    """``waited=1`` (µs) is a delay view, not the plain look: a ticket that joined at *at*
    has not waited yet."""
    q = TicketQueue("front")
    q.push(_ticket("t1"), at=T0)
    assert q.pop([SIG], waited=1, at=T0) is None
    assert len(q) == 1
    entry = q.pop([SIG], waited=1, at=T0 + timedelta(microseconds=1))
    assert entry is not None
    assert entry.ticket_id == "t1"
