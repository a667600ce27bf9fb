"""Queue entries made in one C call: ``QueuedTicket`` behaves as the attrs value it was.

An entry is a tuple underneath (see :mod:`csflow.queues.entries`); these laws pin the value
behaviour hosts and the router rely on (attributes, equality without the ticket, hash, repr,
immutability, ordering by key, ``attrs.evolve``, copies and pickles), and the pop paths that
read the queue's items directly.
"""

from __future__ import annotations

import copy
import pickle
from datetime import UTC, datetime

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow._plain import encode_value
from csflow.model import Customer, Ticket, Tier
from csflow.queues import QueuedTicket, Signature, TicketQueue
from csflow.queues.entries import new_entry

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SIGS = [Signature("chat", "id"), Signature("email"), Signature("phone", "en", {"refunds": 2})]
INSTANTS = st.integers(-(10**15), 10**15)


def a_ticket(tid: str) -> Ticket:
    return Ticket(tid, Customer(f"c-{tid}", Tier("regular", 0)), "chat", T0)


@st.composite
def entries(draw: st.DrawFn) -> QueuedTicket:
    tid = draw(st.sampled_from(["a", "b", "t1"]))
    key = (draw(st.integers(0, 3)), draw(INSTANTS), draw(st.integers(0, 5)))
    ticket = draw(st.none() | st.just(a_ticket(tid)))
    return QueuedTicket(
        tid, key, draw(st.sampled_from(SIGS)), draw(INSTANTS), draw(st.booleans()), ticket
    )


@settings(max_examples=60)
@given(entries())
def test_an_entry_reads_back_what_it_was_made_of(e: QueuedTicket) -> None:
    same = QueuedTicket(e.ticket_id, e.key, e.signature, e.queued_at_us, e.callback, e.ticket)
    assert same == e
    assert hash(same) == hash(e)
    assert e.key == (e.band, e.virtual_due_us, e.key[2])
    assert type(e.key) is tuple
    assert len(e.key) == 3
    assert new_entry(e.ticket_id, e.key, e.signature, e.queued_at_us, e.callback, e.ticket) == e
    assert attrs.asdict(e, recurse=False) == {
        "ticket_id": e.ticket_id,
        "key": e.key,
        "signature": e.signature,
        "queued_at_us": e.queued_at_us,
        "callback": e.callback,
        "ticket": e.ticket,
    }
    assert repr(e) == (
        f"QueuedTicket(ticket_id={e.ticket_id!r}, key={e.key!r}, signature={e.signature!r}, "
        f"queued_at_us={e.queued_at_us!r}, callback={e.callback!r})"
    )


@settings(max_examples=60)
@given(entries(), st.none() | st.just(a_ticket("other")))
def test_equality_and_hash_leave_the_ticket_out(e: QueuedTicket, other: Ticket | None) -> None:
    twin = attrs.evolve(e, ticket=other)
    assert twin == e
    assert hash(twin) == hash(e)
    assert twin.ticket is other
    assert attrs.evolve(e, callback=not e.callback) != e
    assert attrs.evolve(e, key=(e.band, e.virtual_due_us, e.key[2] + 1)) != e
    row: object = tuple(e)  # type: ignore[arg-type]  # the tuple underneath is not the entry
    assert e != row
    assert not e == row  # noqa: SIM201


@settings(max_examples=60)
@given(entries(), entries())
def test_entries_order_by_key_alone(a: QueuedTicket, b: QueuedTicket) -> None:
    assert (a < b) == (a.key < b.key)
    assert (a > b) == (b.key < a.key)  # no ``>`` of its own: Python asks ``b < a``
    with pytest.raises(TypeError):
        _ = a <= b
    with pytest.raises(TypeError):
        _ = a >= b


@settings(max_examples=30)
@given(entries())
def test_copies_and_pickles_are_equal_entries(e: QueuedTicket) -> None:
    bare = attrs.evolve(e, ticket=None)  # a Ticket itself neither pickles nor deep-copies
    made = [
        (copy.copy(e), e),
        (copy.deepcopy(bare), bare),
        (pickle.loads(pickle.dumps(bare)), bare),
    ]
    for twin, source in made:
        assert type(twin) is QueuedTicket
        assert twin == source
        assert twin.ticket == source.ticket
        assert twin.key == source.key


@given(entries())
def test_an_entry_as_plain_data_is_its_fields_not_its_tuple(e: QueuedTicket) -> None:
    # Being a tuple underneath must not make it a JSON list of its row.
    plain = encode_value(e)
    assert isinstance(plain, dict)
    assert list(plain) == [f.name for f in attrs.fields(QueuedTicket)]
    assert plain["ticket_id"] == e.ticket_id
    assert plain["key"] == list(e.key)
    assert plain["queued_at_us"] == e.queued_at_us
    assert plain["callback"] is e.callback


def test_an_entry_is_immutable_and_has_no_instance_dict() -> None:
    e = QueuedTicket("a", (1, 5, 1), SIGS[0], 0)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        e.callback = True  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        e.anything = 1  # type: ignore[attr-defined]
    assert not hasattr(e, "__dict__")
    assert [f.name for f in attrs.fields(QueuedTicket)] == [
        "ticket_id",
        "key",
        "signature",
        "queued_at_us",
        "callback",
        "ticket",
    ]
    assert attrs.has(QueuedTicket)


def test_popping_one_group_skips_a_tombstone_whose_ticket_waits_elsewhere() -> None:
    # "a" moves to another group, leaving a tombstone at the top of its old group's heap; the
    # one-group pop must drop the tombstone and still know that "a" waits.
    q = TicketQueue("q")
    q.push_key("a", band=1, due=10, at=0, signature=SIGS[0])
    q.push_key("b", band=1, due=20, at=0, signature=SIGS[0])
    q.move("a", SIGS[1])
    before = q.to_state()
    popped = q.pop((SIGS[0],))
    assert popped is not None
    assert popped.ticket_id == "b"
    assert "a" in q
    assert q.get("a").signature == SIGS[1]
    assert q.pop([SIGS[0]]) is None
    assert [e.ticket_id for e in q] == ["a"]
    assert [x for x in before["entries"] if x[0] != "b"] == q.to_state()["entries"]
    moved = q.pop([SIGS[1]])
    assert moved is not None
    assert moved.ticket_id == "a"
    assert len(q) == 0


def test_popping_one_group_skips_the_tombstone_of_a_rekeyed_ticket() -> None:
    q = TicketQueue("q")
    q.push_key("a", band=1, due=10, at=0, signature=SIGS[0])
    q.push_key("b", band=1, due=20, at=0, signature=SIGS[0])
    q.rekey("a", band=1, due=30)  # "a"'s old item (due 10) is now a tombstone at the top
    order = [q.pop((SIGS[0],)) for _ in range(3)]
    assert [e.ticket_id if e else None for e in order] == ["b", "a", None]
    assert q.group_size(SIGS[0]) == 0
    assert q.signatures() == []


@settings(max_examples=40)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 50)), min_size=1, max_size=40))
def test_one_group_and_many_group_pops_agree(pushes: list[tuple[int, int]]) -> None:
    def fill() -> TicketQueue:
        q = TicketQueue("q")
        for n, (group, due) in enumerate(pushes):
            q.push_key(f"t{n}", band=1, due=due, at=0, signature=SIGS[group])
        return q

    one, many = fill(), fill()
    for sig in SIGS:
        while True:
            a = one.pop((sig,))
            b = many.pop([sig, sig])  # the same group twice takes the many-group path
            assert a == b
            if a is None:
                break
    assert len(one) == len(many) == 0
