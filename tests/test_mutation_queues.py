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
        # After every rebuild (the first comes at the 36th ticket), not only an even number.
        assert q.refresh(now) == []
        assert q.peek(waited=WAIT, at=now).ticket_id == "old"  # type: ignore[union-attr]
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
        "sequence must be an itertools.count() of step 1 at a value from 0 to 2**63 - 1, got [1]"
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


def _state_with_a_view() -> tuple[dict[str, object], dict[str, Ticket]]:
    """A queue's state with two entries and a delay view that shows one of them."""
    q = TicketQueue("front")
    q.push(_ticket("old"), at=T0)
    q.push(_ticket("new"), at=T0 + WAIT)
    now = T0 + WAIT + timedelta(minutes=1)
    assert q.peek(waited=WAIT, at=now).ticket_id == "old"  # type: ignore[union-attr]
    return q.to_state(now), {"old": _ticket("old"), "new": _ticket("new")}


def _refusal(state: dict[str, object], tickets: dict[str, Ticket]) -> ConfigError:
    fresh = TicketQueue("front")
    with pytest.raises(ConfigError) as caught:
        fresh.load_state(state, tickets, iter(range(10, 20)))
    return caught.value


def test_a_queue_state_round_trips_with_a_view_that_never_advanced() -> None:
    state, tickets = _state_with_a_view()
    views = state["views"]
    assert isinstance(views, list)
    views[0][1] = None  # a view made but never advanced has no horizon
    views[0][2] = []
    state["announced"] = []  # and has shown nothing, so has nothing to report
    q = TicketQueue("front")
    q.load_state(state, tickets, iter(range(10, 20)))
    assert [e.ticket_id for e in q] == ["old", "new"]
    # Nothing shown yet: the first peek advances the view and shows "old".
    assert q.peek(waited=WAIT, at=T0 + WAIT).ticket_id == "old"  # type: ignore[union-attr]


def test_a_tampered_queue_state_is_refused_at_its_path() -> None:
    state, tickets = _state_with_a_view()
    bad: object
    for bad in ([WAIT.total_seconds(), None], [1, None, [], "extra"], "view"):
        tampered = {**state, "views": [bad]}
        err = _refusal(tampered, tickets)
        assert err.path == "queue.views[0]"
        assert err.detail == "expected [delay_us, horizon_us, [ticket ids]]"
    views = state["views"]
    assert isinstance(views, list)
    delay, horizon, _ = views[0]
    err = _refusal({**state, "views": [[delay, horizon, ["old", "gone"]]]}, tickets)
    assert (err.path, err.detail) == (
        "queue.views[0]",
        "visible tickets not waiting here: ['old', 'gone']",
    )
    for bad in ([delay], [delay, "old", "x"], "old"):
        err = _refusal({**state, "announced": [bad]}, tickets)
        assert (err.path, err.detail) == (
            "queue.announced[0]",
            f"expected [delay_us of a view, waiting ticket id], got {bad!r}",
        )


def test_a_queue_state_takes_instants_up_to_the_edges_of_the_range() -> None:
    from csflow._time import MAX_US, MIN_US

    state, tickets = _state_with_a_view()
    entries = state["entries"]
    assert isinstance(entries, list)
    for edge in (MIN_US, MAX_US):
        row = list(entries[0])
        row[5] = edge  # queued_at_us
        q = TicketQueue("front")
        q.load_state(
            {**state, "entries": [row], "views": [], "announced": []}, tickets, iter(range(10, 20))
        )
        assert q.get(row[0]).queued_at_us == edge
        row[5] = edge + (1 if edge == MAX_US else -1)
        err = _refusal({**state, "entries": [row], "views": [], "announced": []}, tickets)
        assert (err.path, err.detail) == ("queue.entries[0]", f"expected an int, got {row[5]}")


def test_a_tampered_signature_state_is_refused_at_its_path() -> None:
    good = ["chat", "id", [["refunds", 2]], None]
    assert Signature.from_state(good) == Signature("chat", "id", {"refunds": 2})
    for pair in (["refunds"], ["refunds", 2, 3], "refunds", ["refunds", "2"], [2, 2]):
        with pytest.raises(ConfigError) as caught:
            Signature.from_state(["chat", "id", [pair], None], "sig")
        assert caught.value.path == "sig[2][0]"
        assert caught.value.detail == f"expected [skill, min], got {pair!r}"
    with pytest.raises(ConfigError) as caught:
        Signature.from_state(["chat", "id", [["a", 1], ["a", 2]], None], "sig")
    assert (caught.value.path, caught.value.detail) == (
        "sig[2][1]",
        "expected [skill, min], got ['a', 2]",
    )
