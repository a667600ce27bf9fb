"""Tests for csflow.queues: keys, groups, lazy deletion, call-backs, delay views."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow._time import to_us
from csflow.errors import CalendarError, ConfigError, CsflowError, UnknownTicketError
from csflow.model import AgentProfile, Customer, Priority, SkillRequirement, Ticket, Tier
from csflow.queues import (
    AgingKey,
    DeadlineKey,
    DuplicateTicketError,
    KeyContext,
    QueuedTicket,
    Signature,
    TicketQueue,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PLATINUM = Tier("platinum", 3)
GOLD = Tier("gold", 2)
REGULAR = Tier("regular", 0)
TIERS = {"platinum": PLATINUM, "gold": GOLD, "regular": REGULAR}


def ticket(
    tid: str,
    *,
    tier: Tier = REGULAR,
    channel: str = "chat",
    priority: str = "normal",
    language: str | None = "id",
    skills: dict[str, int] | None = None,
) -> Ticket:
    return Ticket(
        tid,
        Customer(f"c-{tid}", tier, language=language),
        channel,
        T0,
        priority,
        required_skills=skills or {},
    )


def us(dt: datetime) -> int:
    return (dt - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def snapshot(q: TicketQueue) -> list[tuple[str, tuple[int, int, int], Signature, bool]]:
    return [(e.ticket_id, e.key, e.signature, e.callback) for e in q]


SIG = Signature("chat", "id")


# -- Signature --------------------------------------------------------------------------------


def test_signature_is_canonical_and_hashable() -> None:
    a = Signature("chat", "id", [SkillRequirement("refunds", 3), SkillRequirement("billing")])
    b = Signature("chat", "id", {"billing": 1, "refunds": 3})
    assert a == b
    assert hash(a) == hash(b)
    assert [r.skill for r in a.skills] == ["billing", "refunds"]
    assert str(a) == "[chat, lang=id, billing>=1, refunds>=3]"


def test_signature_of_ticket_uses_channel_language_and_skills() -> None:
    t = ticket("t1", channel="whatsapp", skills={"refunds": 2})
    assert Signature.of(t) == Signature("whatsapp", "id", {"refunds": 2})
    assert Signature.of(t) is Signature.of(t)  # interned


def test_signature_rejects_bad_values() -> None:
    with pytest.raises(ConfigError, match=r"skills must name each skill once"):
        Signature("chat", None, [SkillRequirement("a", 1), SkillRequirement("a", 2)])
    with pytest.raises(ConfigError, match=r"language must be a non-empty string or None, got ''"):
        Signature("chat", "")
    with pytest.raises(ConfigError, match=r"skills must be a collection"):
        Signature("chat", None, "refunds")
    with pytest.raises(ConfigError, match=r"pinned agent must be a non-empty string"):
        Signature("chat", None, (), "")


def test_signature_admits() -> None:
    agent = AgentProfile("a1", {"refunds": 3}, ["id"], {"chat": 2})
    assert Signature("chat", "id", {"refunds": 3}).admits(agent)
    assert not Signature("chat", "id", {"refunds": 4}).admits(agent)
    assert not Signature("chat", "en").admits(agent)
    assert not Signature("phone", "id").admits(agent)
    assert Signature("chat").admits(agent)
    assert Signature("chat", agent="a1").admits(agent)
    assert not Signature("chat", agent="a2").admits(agent)


def test_signature_relaxed_pinned_on_channel() -> None:
    sig = Signature("chat", "id", {"refunds": 5, "billing": 2})
    assert sig.relaxed(proficiency=3) == Signature("chat", "id", {"refunds": 3, "billing": 2})
    assert sig.relaxed(drop=["billing"], any_language=True) == Signature(
        "chat", None, {"refunds": 5}
    )
    assert sig.relaxed() is sig
    assert sig.pinned("a1").agent == "a1"
    assert sig.pinned(None) is sig
    assert sig.on_channel("phone").channel == "phone"
    assert sig.on_channel("chat") is sig


# -- keys -------------------------------------------------------------------------------------


def test_aging_key_lookup_order() -> None:
    key = AgingKey(
        {
            ("platinum", "high"): timedelta(seconds=10),
            "platinum": timedelta(seconds=30),
            ("*", "high"): timedelta(minutes=1),
        },
        default=timedelta(minutes=10),
    )
    assert key.allowance_us("platinum", Priority.HIGH) == 10_000_000
    assert key.allowance_us("platinum", Priority.LOW) == 30_000_000
    assert key.allowance_us("gold", Priority.HIGH) == 60_000_000
    assert key.allowance_us("gold", Priority.LOW) == 600_000_000


def test_aging_key_bands_and_due() -> None:
    key = AgingKey({"platinum": timedelta(seconds=30)})
    q_us = us(T0)
    band, due = key(KeyContext(ticket("t", tier=PLATINUM), q_us))
    assert (band, due) == (2, q_us + 30_000_000)  # normal: the third band
    band, _ = key(KeyContext(ticket("u", priority="urgent"), q_us))
    assert band == 0


def test_aging_key_rejects_bad_config() -> None:
    with pytest.raises(ConfigError, match=r"allowance keys must be"):
        AgingKey({3: timedelta(seconds=1)})
    with pytest.raises(ConfigError, match=r"must not be negative"):
        AgingKey({"gold": timedelta(seconds=-1)})
    with pytest.raises(ConfigError, match=r"priority must be one of"):
        AgingKey({("gold", "asap"): timedelta(seconds=1)})
    with pytest.raises(ConfigError, match=r"band for priority 'high' must be an int"):
        AgingKey(bands={"high": "0"})  # type: ignore[dict-item]


def test_deadline_key() -> None:
    q_us = us(T0)
    key = DeadlineKey()
    assert key(KeyContext(ticket("t"), q_us, q_us + 5)) == (1, q_us + 5)
    with pytest.raises(ConfigError, match=r"DeadlineKey needs a due instant for ticket 't'"):
        key(KeyContext(ticket("t"), q_us))
    fallback = DeadlineKey(fallback=timedelta(seconds=2))
    assert fallback(KeyContext(ticket("t"), q_us)) == (1, q_us + 2_000_000)


def test_deadline_queue_serves_earliest_due_first() -> None:
    q = TicketQueue("edf", DeadlineKey())
    q.push(ticket("late"), at=T0, due=T0 + timedelta(hours=4))
    q.push(ticket("soon"), at=T0 + timedelta(minutes=1), due=T0 + timedelta(minutes=30))
    assert [e.ticket_id for e in q] == ["soon", "late"]


# -- basic queue behaviour --------------------------------------------------------------------


def test_push_pop_peek_len_position() -> None:
    q = TicketQueue("main", AgingKey({"platinum": timedelta(seconds=30)}))
    q.push(ticket("r1"), at=T0)
    q.push(ticket("p1", tier=PLATINUM), at=T0 + timedelta(minutes=5))
    q.push(ticket("u1", priority="urgent"), at=T0 + timedelta(minutes=9))
    assert len(q) == 3
    assert [e.ticket_id for e in q] == ["u1", "p1", "r1"]
    assert q.position("r1") == 2
    peeked = q.peek()
    assert peeked is not None
    assert peeked.ticket_id == "u1"
    assert len(q) == 3  # peek does not pop
    popped = q.pop()
    assert popped is not None
    assert popped.ticket_id == "u1"
    assert "u1" not in q
    assert "p1" in q
    assert q.pop() is not None
    assert q.pop() is not None
    assert q.pop() is None
    assert q.peek() is None


def test_int_instants_are_accepted() -> None:
    q = TicketQueue()
    e = q.push(ticket("t"), at=us(T0))
    assert e.queued_at == T0
    assert e.queued_at_us == us(T0)
    assert e.waited_us(T0 + timedelta(seconds=3)) == 3_000_000
    assert e.virtual_due == T0 + timedelta(minutes=10)


def test_errors_name_the_value_and_change_nothing() -> None:
    q = TicketQueue("main")
    q.push(ticket("t1"), at=T0)
    before = snapshot(q)
    with pytest.raises(
        DuplicateTicketError, match=r"ticket 't1' is already waiting in queue 'main'"
    ):
        q.push(ticket("t1"), at=T0)
    with pytest.raises(UnknownTicketError, match=r"ticket 'nope' is not waiting in queue 'main'"):
        q.remove("nope")
    with pytest.raises(UnknownTicketError, match=r"'nope'"):
        q.position("nope")
    with pytest.raises(UnknownTicketError):
        q.request_callback("nope")
    with pytest.raises(CalendarError, match=r"'at' must be timezone-aware"):
        q.push(ticket("t2"), at=datetime(2026, 3, 2, 9))
    with pytest.raises(ConfigError, match=r"DeadlineKey needs a due instant"):
        TicketQueue("edf", DeadlineKey()).push(ticket("t3"), at=T0)
    with pytest.raises(ConfigError, match=r"band must be an int, got '1'"):
        q.push_key("t4", band="1", due=T0, at=T0, signature=SIG)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"ticket_id must be a non-empty string"):
        q.push_key("", band=1, due=T0, at=T0, signature=SIG)
    with pytest.raises(ConfigError, match=r"signature must be a Signature"):
        q.move("t1", "chat")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"'at' is required with waited="):
        q.peek(waited=timedelta(seconds=1))
    with pytest.raises(ConfigError, match=r"'waited' must not be negative"):
        q.peek(waited=-1, at=T0)
    assert snapshot(q) == before
    assert isinstance(DuplicateTicketError("x"), CsflowError)
    assert isinstance(UnknownTicketError("x"), KeyError)


def test_reprioritize_keeps_queued_at_and_seq() -> None:
    q = TicketQueue("main")
    old = q.push(ticket("t1"), at=T0)
    q.push(ticket("t2"), at=T0 + timedelta(minutes=1))
    new = q.reprioritize(ticket("t1", priority="urgent"))
    assert new.queued_at_us == old.queued_at_us
    assert new.key[2] == old.key[2]
    assert new.band == 0
    rekeyed = q.rekey("t2", band=0, due=T0 - timedelta(hours=1))
    assert rekeyed.key[2] != new.key[2]
    assert [e.ticket_id for e in q] == ["t2", "t1"]
    assert len(q) == 2


def test_remove_and_groups() -> None:
    q = TicketQueue("main")
    q.push(ticket("chat1"), at=T0)
    q.push(ticket("mail1", channel="email"), at=T0 + timedelta(seconds=1))
    q.push(ticket("chat2"), at=T0 + timedelta(seconds=2))
    email = Signature("email", "id")
    assert set(q.signatures()) == {SIG, email}
    assert q.group_size(SIG) == 2
    only_email = q.peek([email])
    assert only_email is not None
    assert only_email.ticket_id == "mail1"
    removed = q.remove("chat1")
    assert removed.ticket_id == "chat1"
    assert q.group_size(SIG) == 1
    q.remove("chat2")
    assert q.group_size(SIG) == 0
    assert q.signatures() == [email]
    assert q.peek([SIG]) is None
    # a set of signatures larger than the groups present walks the groups instead
    many = {Signature("chat", "id", {f"s{i}": 1}) for i in range(10)} | {email}
    found = q.peek(many)
    assert found is not None
    assert found.ticket_id == "mail1"


def test_move_keeps_key_and_changes_group() -> None:
    q = TicketQueue("main")
    e = q.push(ticket("t1", skills={"refunds": 4}), at=T0)
    relaxed = e.signature.relaxed(proficiency=2)
    moved = q.move("t1", relaxed)
    assert moved.key == e.key
    assert moved.signature == relaxed
    assert q.move("t1", relaxed) is moved
    assert q.peek([e.signature]) is None
    assert q.peek([relaxed]) == moved


def test_callback_keeps_place_and_moves_to_phone() -> None:
    q = TicketQueue("main")
    for i in range(5):
        q.push(ticket(f"t{i}"), at=T0 + timedelta(seconds=i))
    before = [e.ticket_id for e in q]
    cb = q.request_callback("t2")
    assert cb.callback
    assert cb.signature == Signature("phone", "id")
    assert [e.ticket_id for e in q] == before
    assert q.position("t2") == 2
    assert q.peek([Signature("phone", "id")]) == cb


def test_insert_moves_an_entry_between_queues_with_its_key() -> None:
    a, b = TicketQueue("a"), TicketQueue("b")
    e = a.push(ticket("t1"), at=T0)
    b.push(ticket("t0"), at=T0 - timedelta(minutes=1))
    moved = b.insert(a.remove("t1"))
    assert moved.key == e.key
    assert [x.ticket_id for x in b] == ["t0", "t1"]
    with pytest.raises(DuplicateTicketError):
        b.insert(moved)
    with pytest.raises(ConfigError, match=r"entry must be a QueuedTicket"):
        b.insert("t1")  # type: ignore[arg-type]


def test_heads_in_order_without_popping() -> None:
    q = TicketQueue("main")
    for i in range(10):
        q.push(ticket(f"t{i}", channel="chat" if i % 2 else "email"), at=T0 + timedelta(seconds=i))
    q.remove("t3")
    got = [e.ticket_id for e in q.heads(limit=4)]
    assert got == ["t0", "t1", "t2", "t4"]
    assert len(q) == 9
    assert [e.ticket_id for e in q.heads([SIG], limit=2)] == ["t1", "t5"]
    with pytest.raises(ConfigError, match=r"limit must be a non-negative int"):
        q.heads(limit=-1)


# -- delay views (overflow) -------------------------------------------------------------------


def test_delay_view_shows_only_tickets_that_waited_long_enough() -> None:
    q = TicketQueue("general")
    q.watch(timedelta(minutes=2))
    q.push(ticket("old"), at=T0)
    q.push(ticket("new"), at=T0 + timedelta(minutes=1))
    wait = timedelta(minutes=2)
    assert q.next_visible_at() == us(T0 + wait)
    assert q.peek(waited=wait, at=T0 + timedelta(seconds=119)) is None
    assert q.refresh(T0 + timedelta(seconds=119)) == []
    assert [(d, e.ticket_id) for d, e in q.refresh(T0 + wait)] == [(120_000_000, "old")]
    seen = q.peek(waited=wait, at=T0 + wait)
    assert seen is not None
    assert seen.ticket_id == "old"
    assert q.next_visible_at() == us(T0 + timedelta(minutes=3))
    popped = q.pop(waited=wait, at=T0 + wait)
    assert popped is not None
    assert popped.ticket_id == "old"
    assert "old" not in q
    assert q.pop(waited=wait, at=T0 + wait) is None
    assert q.peek() is not None  # without the delay 'new' is there
    # peeking may bring entries into view; refresh still reports them once
    assert q.peek(waited=wait, at=T0 + timedelta(minutes=5)) is not None
    assert [e.ticket_id for _, e in q.refresh(T0 + timedelta(minutes=5))] == ["new"]
    assert q.refresh(T0 + timedelta(minutes=6)) == []


def test_delay_view_follows_moves_and_removals() -> None:
    q = TicketQueue("general")
    wait = timedelta(seconds=30)
    q.push(ticket("a", skills={"refunds": 4}), at=T0)
    q.push(ticket("b"), at=T0)
    q.remove("b")
    relaxed = Signature("chat", "id", {"refunds": 1})
    q.move("a", relaxed)
    later = T0 + timedelta(minutes=1)
    assert q.peek([Signature("chat", "id", {"refunds": 4})], waited=wait, at=later) is None
    seen = q.peek([relaxed], waited=wait, at=later)
    assert seen is not None
    assert seen.ticket_id == "a"
    # The peek showed "a" (visible since T0 + 30 s): until refresh reports it, that is still
    # a step to take, at its own instant; "b" left and is never reported.
    assert q.next_visible_at() == to_us(T0 + wait)
    assert [e.ticket_id for _, e in q.refresh(later)] == ["a"]
    assert q.next_visible_at() is None


def test_refresh_at_an_earlier_instant_keeps_what_a_later_peek_showed() -> None:
    """A peek at T0 + 60 s shows "a" (queued at T0, visible from T0 + 30 s) and "b" (queued
    at T0 + 20 s, visible from T0 + 50 s).  A refresh at T0 + 40 s -- a host's instants may
    come out of order -- reports "a" only; "b" stays a step at T0 + 50 s until a refresh at
    or after it."""
    q = TicketQueue("general")
    wait = timedelta(seconds=30)
    q.push(ticket("a"), at=T0)
    q.push(ticket("b"), at=T0 + timedelta(seconds=20))
    assert q.peek(waited=wait, at=T0 + timedelta(seconds=60)) is not None
    assert [e.ticket_id for _, e in q.refresh(T0 + timedelta(seconds=40))] == ["a"]
    assert q.next_visible_at() == to_us(T0 + timedelta(seconds=50))
    assert [e.ticket_id for _, e in q.refresh(T0 + timedelta(seconds=50))] == ["b"]
    assert q.next_visible_at() is None


def test_an_entry_queued_again_below_a_later_peeks_horizon_waits_for_its_own_instant() -> None:
    """A peek at T0 + 60 s moved the view's horizon to T0 + 30 s.  An entry then queued
    again with ``queued_at`` T0 + 10 s (a move at an earlier instant, out of order) becomes
    visible at T0 + 40 s, its own instant -- not at once because the horizon passed it."""
    q = TicketQueue("general")
    wait = timedelta(seconds=30)
    q.push(ticket("a"), at=T0 + timedelta(seconds=10))
    q.move("a", Signature("chat", "id", {"refunds": 1}))
    assert q.peek([Signature("chat", "en")], waited=wait, at=T0 + timedelta(seconds=60)) is None
    assert q.refresh(T0 + timedelta(seconds=60))[0][1].ticket_id == "a"
    q.move("a", Signature("chat", "id"))
    assert q.refresh(T0 + timedelta(seconds=35)) == []
    assert q.next_visible_at() == to_us(T0 + timedelta(seconds=40))
    assert [e.ticket_id for _, e in q.refresh(T0 + timedelta(seconds=40))] == ["a"]


# -- properties -------------------------------------------------------------------------------

keys = st.tuples(st.integers(0, 2), st.integers(0, 50))


@given(st.lists(keys, min_size=1, max_size=60))
def test_fifo_among_equal_keys(pairs: list[tuple[int, int]]) -> None:
    q = TicketQueue("p")
    for i, (band, due) in enumerate(pairs):
        q.push_key(f"t{i}", band=band, due=due, at=0, signature=SIG)
    popped = []
    while (e := q.pop()) is not None:
        popped.append(e)
    expected = sorted(range(len(pairs)), key=lambda i: (pairs[i], i))
    assert [e.ticket_id for e in popped] == [f"t{i}" for i in expected]


@given(
    st.lists(
        st.tuples(st.integers(0, 10), st.integers(0, 20), st.sampled_from(["chat", "email"])),
        min_size=1,
        max_size=40,
    ),
    st.data(),
)
def test_callbacks_keep_their_place(items: list[tuple[int, int, str]], data: st.DataObject) -> None:
    q = TicketQueue("p")
    for i, (band, due, ch) in enumerate(items):
        q.push_key(f"t{i}", band=band, due=due, at=0, signature=Signature(ch, "id"))
    chosen = data.draw(st.lists(st.sampled_from([f"t{i}" for i in range(len(items))]), unique=True))
    before = {e.ticket_id: q.position(e.ticket_id) for e in q}
    order = [e.ticket_id for e in q]
    for tid in chosen:
        q.request_callback(tid)
    assert [e.ticket_id for e in q] == order
    assert {e.ticket_id: q.position(e.ticket_id) for e in q} == before
    for tid in chosen:
        assert q.get(tid).callback
        assert q.get(tid).signature.channel == "phone"


@settings(max_examples=60)
@given(
    st.lists(
        st.tuples(st.sampled_from(["platinum", "gold", "regular"]), st.integers(0, 30)),
        min_size=1,
        max_size=40,
    ),
    st.integers(1, 4),
)
def test_no_starvation_under_aging(arrivals: list[tuple[str, int]], rate: int) -> None:
    """Law: a ticket is never overtaken by one arriving after ``q + a - a_min``, so with
    continued service every ticket is eventually served."""
    allow = {"platinum": 30, "gold": 120, "regular": 600}
    a_min = min(allow.values())
    key = AgingKey({k: timedelta(seconds=v) for k, v in allow.items()})
    q = TicketQueue("aging", key)
    t = 0
    info: dict[str, tuple[int, int]] = {}
    served: list[str] = []
    # arrivals at increasing instants; `rate` pops per arrival keep service going
    for n, (tier, gap) in enumerate(arrivals, start=1):
        t += gap
        tid = f"t{n}"
        q.push(ticket(tid, tier=TIERS[tier]), at=T0 + timedelta(seconds=t))
        info[tid] = (t, allow[tier])
        for _ in range(rate if n % 2 else 0):
            e = q.pop()
            if e is None:
                break
            for waiting in q:
                w_q, w_a = info[waiting.ticket_id]
                p_q, _ = info[e.ticket_id]
                assert not p_q > w_q + w_a - a_min, (e.ticket_id, waiting.ticket_id)
            served.append(e.ticket_id)
    # keep serving with no more arrivals: everyone is served, none lost
    while (e := q.pop()) is not None:
        served.append(e.ticket_id)
    assert sorted(served) == sorted(info)


@given(
    st.lists(
        st.tuples(
            st.integers(0, 3), st.integers(0, 100), st.sampled_from(["chat", "email", "phone"])
        ),
        max_size=50,
    ),
    st.integers(0, 60),
    st.data(),
)
def test_heads_agree_with_sorted_order(
    items: list[tuple[int, int, str]], limit: int, data: st.DataObject
) -> None:
    q = TicketQueue("h")
    for i, (band, due, ch) in enumerate(items):
        q.push_key(f"t{i}", band=band, due=due, at=0, signature=Signature(ch))
    gone = data.draw(
        st.lists(st.sampled_from([f"t{i}" for i in range(len(items))] or ["x"]), unique=True)
    )
    for tid in gone:
        if tid in q:
            q.remove(tid)
    channels = data.draw(st.sets(st.sampled_from(["chat", "email", "phone"])))
    sigs = [Signature(c) for c in channels]
    expected = [e for e in q if e.signature.channel in channels][:limit]
    assert q.heads(sigs, limit) == expected


@settings(max_examples=40)
@given(st.lists(st.integers(0, 3), min_size=50, max_size=300))
def test_tombstones_stay_bounded(ops: list[int]) -> None:
    q = TicketQueue("m")
    n = 0
    for op in ops:
        if op == 0 or len(q) == 0:
            q.push_key(f"t{n}", band=1, due=n, at=0, signature=SIG)
            n += 1
        elif op == 1:
            first = q.peek()
            assert first is not None
            q.rekey(first.ticket_id, band=1, due=first.virtual_due_us + 1000)
        elif op == 2:
            first = q.peek()
            assert first is not None
            q.remove(first.ticket_id)
        else:
            q.pop()
        heap_items = sum(len(g.heap) for g in q._groups.values())
        assert heap_items <= 2 * len(q) + 32 * max(1, len(q._groups))


def test_queued_ticket_orders_by_key() -> None:
    a = QueuedTicket("a", (1, 5, 1), SIG, 0)
    b = QueuedTicket("b", (1, 5, 2), SIG, 0)
    assert a < b
    assert not b < a
    assert attrs.evolve(a, callback=True) != a
