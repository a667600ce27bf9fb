"""Ticket queues: worked examples computed by hand from the docs, and the snapshot checks.

Aging by allowance, earliest deadline first with a fallback, ties at the first and last
instants a key can hold, a call-back asked twice, and snapshots whose ``announced`` list
was tampered with.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow._time import MAX_US, MIN_US
from csflow.errors import ConfigError
from csflow.model import Customer, Ticket, Tier
from csflow.queues import AgingKey, DeadlineKey, QueuedTicket, Signature, TicketQueue
from csflow.queues.keys import MAX_ALLOWANCE

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
US = timedelta(microseconds=1)


def _ticket(tid: str, tier: str = "regular", priority: str = "normal") -> Ticket:
    return Ticket(tid, Customer(f"c-{tid}", Tier(tier)), "chat", T0, priority)


def _order(queue: TicketQueue) -> list[str]:
    out = []
    while (entry := queue.pop()) is not None:
        out.append(entry.ticket_id)
    return out


def test_aging_serves_by_queued_at_plus_allowance_whenever_popped() -> None:
    key = AgingKey({"platinum": timedelta(seconds=30), "gold": 2 * MIN}, default=10 * MIN)
    queue = TicketQueue("chat", key)
    # Virtual due instants: R-1 09:10:00, G-1 09:09:00, P-1 09:09:30, P-2 09:10:00.5,
    # R-2 09:10:00 (ties with R-1, queued later), U-1 urgent: band 0, first whatever its due.
    arrivals = [
        ("R-1", "regular", "normal", T0),
        ("G-1", "gold", "normal", T0 + 7 * MIN),
        ("P-1", "platinum", "normal", T0 + 9 * MIN),
        ("P-2", "platinum", "normal", T0 + 9 * MIN + timedelta(seconds=30, microseconds=500_000)),
        ("R-2", "regular", "normal", T0),
        ("U-1", "regular", "urgent", T0 + 60 * MIN),
    ]
    for tid, tier, prio, at in arrivals:
        queue.push(_ticket(tid, tier, prio), at=at)
    assert queue.get("G-1").virtual_due == T0 + 9 * MIN
    assert queue.get("P-2").virtual_due == T0 + 10 * MIN + timedelta(microseconds=500_000)
    # The same order at every instant: nothing is re-sorted as time passes.
    assert [e.ticket_id for e in queue] == ["U-1", "G-1", "P-1", "R-1", "R-2", "P-2"]
    assert _order(queue) == ["U-1", "G-1", "P-1", "R-1", "R-2", "P-2"]


def test_a_microsecond_decides_and_equal_keys_go_first_in_first_out() -> None:
    queue = TicketQueue("chat", AgingKey(default=timedelta(0)))
    queue.push(_ticket("late"), at=T0 + US)
    queue.push(_ticket("b"), at=T0)
    queue.push(_ticket("a"), at=T0)
    assert _order(queue) == ["b", "a", "late"]


def test_deadline_key_orders_by_due_then_fallback_and_refuses_a_missing_one() -> None:
    queue = TicketQueue("mail", DeadlineKey(fallback=30 * MIN))
    queue.push(_ticket("no-due"), at=T0)  # virtual due 09:30
    queue.push(_ticket("due-0920"), at=T0 + 5 * MIN, due=T0 + 20 * MIN)
    queue.push(_ticket("due-0940"), at=T0 - 60 * MIN, due=T0 + 40 * MIN)
    queue.push(_ticket("urgent-late", priority="urgent"), at=T0, due=T0 + 600 * MIN)
    assert _order(queue) == ["urgent-late", "due-0920", "no-due", "due-0940"]

    strict = TicketQueue("mail", DeadlineKey())
    with pytest.raises(ConfigError, match=r"needs a due instant for ticket 'x'"):
        strict.push(_ticket("x"), at=T0)
    assert len(strict) == 0
    assert strict.next_sequence() == 0  # no number was spent on the refused ticket


def test_keys_at_the_last_instant_tie_and_go_first_in_first_out() -> None:
    queue = TicketQueue("chat", AgingKey({"platinum": timedelta(0)}, default=MAX_ALLOWANCE))
    # Both regular tickets' queued_at + allowance is past year 9999: the last instant.
    queue.push(_ticket("r1"), at=MAX_US - 5)
    queue.push(_ticket("p1", "platinum"), at=MAX_US)
    queue.push(_ticket("r2"), at=MAX_US - 10)
    assert queue.get("r1").virtual_due_us == MAX_US
    assert queue.get("r2").virtual_due_us == MAX_US
    assert _order(queue) == ["r1", "p1", "r2"]


def test_keys_at_the_first_instant() -> None:
    queue = TicketQueue("chat", AgingKey(default=US))
    queue.push(_ticket("second"), at=MIN_US + 1)
    queue.push(_ticket("first"), at=MIN_US)
    assert queue.get("first").virtual_due_us == MIN_US + 1
    assert _order(queue) == ["first", "second"]


def test_a_call_back_asked_again_is_not_reported_again() -> None:
    queue = TicketQueue("chat")
    queue.watch(MIN)
    queue.push(_ticket("t"), at=T0)
    queue.request_callback("t")
    assert [e.ticket_id for _, e in queue.refresh(T0 + MIN)] == ["t"]
    entry = queue.get("t")
    # Already a call-back on the phone: nothing changes, nothing crosses again.
    assert queue.request_callback("t") is entry
    assert queue.refresh(T0 + 2 * MIN) == []
    assert queue.next_visible_at() is None


def _reported_state() -> tuple[dict[str, object], dict[str, Ticket]]:
    queue = TicketQueue("chat")
    queue.watch(MIN)
    tickets = {"a": _ticket("a"), "b": _ticket("b")}
    queue.push(tickets["a"], at=T0)
    queue.push(tickets["b"], at=T0 + 5 * MIN)
    # A peek at a later instant shows both; a refresh before b's crossing reports a only.
    assert queue.peek(waited=MIN, at=T0 + 10 * MIN) is not None
    assert [e.ticket_id for _, e in queue.refresh(T0 + MIN)] == ["a"]
    state = queue.to_state()
    views = state["views"]
    assert isinstance(views, list)
    assert views == [[60_000_000, views[0][1], ["a", "b"]]]
    assert state["announced"] == [[60_000_000, "b"]]
    return state, tickets


def test_a_snapshot_reads_back_its_unreported_crossing() -> None:
    state, tickets = _reported_state()
    queue = TicketQueue("chat")
    queue.load_state(state, tickets, itertools.count(2))
    assert [e.ticket_id for _, e in queue.refresh(T0 + 6 * MIN)] == ["b"]
    assert queue.refresh(T0 + 7 * MIN) == []


@pytest.mark.parametrize(
    ("announced", "views"),
    [
        ([[60_000_000, "b"], [60_000_000, "b"]], None),  # listed twice
        ([[60_000_000, "b"]], [[60_000_000, None, ["a"]]]),  # not shown by its view
        ([[60_000_000, "b"]], [[60_000_000, None, []]]),
    ],
)
def test_a_snapshot_reporting_a_crossing_twice_is_refused(
    announced: list[list[object]], views: list[list[object]] | None
) -> None:
    state, tickets = _reported_state()
    state["announced"] = announced
    if views is not None:
        state["views"] = views
    queue = TicketQueue("chat")
    with pytest.raises(ConfigError, match=r"^queue\.announced\[\d\]: ticket 'b' is listed twice"):
        queue.load_state(state, tickets, itertools.count(2))
    assert len(queue) == 0
    assert queue.to_state() == {"entries": [], "views": [], "announced": []}


def test_signature_group_is_kept_through_a_snapshot() -> None:
    queue = TicketQueue("chat")
    skilled = Signature("chat", None, {"refunds": 2})
    tickets = {"a": _ticket("a"), "b": _ticket("b")}
    queue.push(tickets["a"], at=T0, signature=skilled)
    queue.push(tickets["b"], at=T0)
    copy = TicketQueue("chat")
    copy.load_state(queue.to_state(), tickets, itertools.count(2), signatures={})
    assert copy.get("a").signature is skilled
    assert copy.pop([Signature.of(tickets["b"])]).ticket_id == "b"  # type: ignore[union-attr]


def test_a_question_about_an_earlier_instant_does_not_read_every_visible_ticket(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    queue = TicketQueue("chat")
    queue.watch(MIN)
    sigs = [Signature("chat", None), Signature("chat", None, {"refunds": 1})]
    for i in range(2000):
        queue.push(_ticket(f"t{i}"), at=T0 + i * US, signature=sigs[i % 2])
    late = T0 + 10 * MIN
    assert queue.peek(waited=MIN, at=late) is not None  # the view reaches a later instant
    # The reads of ``queued_at_us`` a question one microsecond earlier makes.
    reads = 0
    real: Any = vars(QueuedTicket)["queued_at_us"]  # the field's descriptor

    def counted(entry: QueuedTicket) -> int:
        nonlocal reads
        reads += 1
        return int(real.__get__(entry))

    monkeypatch.setattr(QueuedTicket, "queued_at_us", property(counted))
    # Keys go by queued_at here (one allowance): t0 is first, t1 first among the skilled.
    earlier = late - US
    assert queue.peek(waited=MIN, at=earlier).ticket_id == "t0"  # type: ignore[union-attr]
    assert [e.ticket_id for e in queue.heads([sigs[1]], 2, waited=MIN, at=earlier)] == [
        "t1",
        "t3",
    ]
    assert queue.pop([sigs[1]], waited=MIN, at=earlier).ticket_id == "t1"  # type: ignore[union-attr]
    monkeypatch.undo()
    assert reads < 50
    assert "t1" not in queue
    # Asked at an instant when only t0 had waited a minute: t0, and nothing in the other group.
    first = T0 + MIN
    assert queue.peek(waited=MIN, at=first).ticket_id == "t0"  # type: ignore[union-attr]
    assert queue.peek([sigs[1]], waited=MIN, at=first) is None
    assert [e.ticket_id for e in queue.heads(None, 5, waited=MIN, at=first + 2 * US)] == [
        "t0",
        "t2",
    ]


def test_crossings_of_tickets_gone_do_not_pile_up_between_refreshes() -> None:
    # A host that peeks with a delay and takes tickets, and seldom refreshes: what the view
    # announced of tickets gone since is not kept until the next refresh.
    queue = TicketQueue("chat", AgingKey(default=timedelta(0)))
    queue.watch(MIN)
    for i in range(10):
        queue.push(_ticket(f"w{i}"), at=T0 + 5000 * MIN)  # queued after the run
    for i in range(3000):
        at = T0 + i * MIN
        queue.push(_ticket(f"t{i}"), at=at)
        taken = queue.pop(waited=MIN, at=at + MIN)
        assert taken is not None
        assert taken.ticket_id == f"t{i}"
    assert len(queue) == 10
    assert len(queue._announced) <= 2 * len(queue) + 32
    assert queue.refresh(T0 + 3000 * MIN) == []


SIGS = [Signature("chat", None), Signature("chat", None, {"refunds": 1})]


def _filled(
    rows: list[tuple[int, int, int, int]], gone: set[int], delay: int
) -> tuple[TicketQueue, list[str]]:
    queue = TicketQueue("chat")
    queue.watch(delay)
    for i, (band, due, at, sig) in enumerate(rows):
        queue.push_key(f"t{i}", band=band, due=due, at=at, signature=SIGS[sig])
    for i in sorted(gone):
        if i < len(rows):
            queue.remove(f"t{i}")
    return queue, [f"t{i}" for i in range(len(rows)) if i not in gone]


@settings(max_examples=150)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(0, 2),
            st.integers(0, 40),
            st.integers(0, 40),
            st.integers(0, 1),
        ),
        min_size=1,
        max_size=25,
    ),
    gone=st.sets(st.integers(0, 24), max_size=6),
    delay=st.integers(1, 15),
    later=st.integers(0, 60),
    earlier=st.lists(st.integers(0, 60), min_size=1, max_size=4),
    sigs=st.sampled_from([None, [SIGS[0]], [SIGS[1]], SIGS]),
    limit=st.integers(1, 4),
)
def test_questions_about_earlier_instants_are_answered_as_a_fresh_queue_would(
    rows: list[tuple[int, int, int, int]],
    gone: set[int],
    delay: int,
    later: int,
    earlier: list[int],
    sigs: list[Signature] | None,
    limit: int,
) -> None:
    queue, waiting = _filled(rows, gone, delay)
    queue.peek(waited=delay, at=later)  # the view reaches *later*
    for at in earlier:
        fresh, _ = _filled(rows, gone, delay)
        # The naive answer: every waiting ticket in the groups asked that has waited *delay*
        # at *at*, sorted by (band, due, seq).
        wanted = set(SIGS if sigs is None else sigs)
        shown = sorted(
            (
                (band, due, i)
                for i, (band, due, q, sig) in enumerate(rows)
                if f"t{i}" in waiting and SIGS[sig] in wanted and q + delay <= at
            ),
        )
        want = [f"t{i}" for _, _, i in shown]
        got = queue.heads(sigs, limit, waited=delay, at=at)
        assert [e.ticket_id for e in got] == want[:limit]
        assert [e.ticket_id for e in fresh.heads(sigs, limit, waited=delay, at=at)] == want[:limit]
        head = queue.peek(sigs, waited=delay, at=at)
        assert (None if head is None else head.ticket_id) == (want[0] if want else None)
    # Taking the head of an earlier question leaves the rest as it was.
    at = min(earlier)
    taken = queue.pop(sigs, waited=delay, at=at)
    if taken is not None:
        waiting.remove(taken.ticket_id)
    assert sorted(e.ticket_id for e in queue) == sorted(waiting)
