"""Queue keys: the cases a mutation run of ``csflow.queues.keys`` found untested -- every error
message and the value it names, the (tier, priority) allowance lookup, the bands of a
deadline queue and its fallback."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from csflow.errors import ConfigError
from csflow.model import Customer, Priority, Ticket, Tier
from csflow.queues import AgingKey, DeadlineKey, KeyContext, TicketQueue

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
S = 1_000_000  # one second in microseconds


def _ctx(
    priority: Priority = Priority.NORMAL, tier: str = "gold", due: int | None = None
) -> KeyContext:
    ticket = Ticket("t1", Customer("c1", Tier(tier)), "chat", T0, priority=priority)
    return KeyContext(ticket, 1000 * S, due)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: AgingKey(bands=5), r"^bands must be a mapping of priority -> int, got 5$"),  # type: ignore[arg-type]
        (
            lambda: AgingKey(bands={"urgent": "x"}),  # type: ignore[dict-item]
            r"^band for priority 'urgent' must be an int, got 'x'$",
        ),
        (lambda: DeadlineKey(bands={"low": 1.5}), r"^band for priority 'low' .* got 1\.5$"),  # type: ignore[dict-item]
        (lambda: AgingKey(allowances=5), r"^allowances must be a mapping, got 5$"),  # type: ignore[arg-type]
        (
            lambda: AgingKey(allowances={5: timedelta(1)}),
            r"^allowance keys must be a tier name or a \(tier or '\*', priority\) pair, got 5$",
        ),
        (
            lambda: AgingKey(allowances={"gold": timedelta(-1)}),
            r"^\"allowance for 'gold'\" must not be negative, got datetime\.timedelta\(days=-1\)$",
        ),
        (
            lambda: AgingKey(default=timedelta(-1)),
            r"^'default' must not be negative, got datetime\.timedelta\(days=-1\)$",
        ),
        (lambda: AgingKey(default_band="x"), r"^default_band must be an int, got 'x'$"),  # type: ignore[arg-type]
        (
            lambda: DeadlineKey(fallback=timedelta(-1))(_ctx()),
            r"^'fallback' must not be negative, got datetime\.timedelta\(days=-1\)$",
        ),
        (
            lambda: DeadlineKey()(_ctx()),
            r"^DeadlineKey needs a due instant for ticket 't1', got None "
            r"\(pass due= or set a fallback\)$",
        ),
    ],
)
def test_each_refusal_names_the_value_and_what_was_expected(
    build: Callable[[], object], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        build()


def test_a_tier_and_priority_allowance_wins_over_the_tier_s() -> None:
    key = AgingKey(
        {
            ("gold", "high"): timedelta(seconds=5),
            "gold": timedelta(seconds=60),
            ("*", "high"): timedelta(seconds=300),
        }
    )
    # By default each priority is its own band (high 1, normal 2); allowances age within it.
    assert key(_ctx(Priority.HIGH)) == (1, 1005 * S)
    assert key(_ctx(Priority.NORMAL)) == (2, 1060 * S)
    assert key(_ctx(Priority.HIGH, tier="silver")) == (1, 1300 * S)
    assert key(_ctx(Priority.NORMAL, tier="silver")) == (2, 1600 * S)  # the 10-minute default


def test_a_deadline_queue_bands_by_priority_and_falls_back_after_the_queueing() -> None:
    key = DeadlineKey(bands={"urgent": 0, "low": 5}, default_band=2, fallback=timedelta(minutes=1))
    assert key(_ctx(Priority.URGENT, due=7)) == (0, 7)
    assert key(_ctx(Priority.LOW, due=7)) == (5, 7)
    assert key(_ctx(Priority.NORMAL, due=7)) == (2, 7)
    # No due instant: queued_at + fallback, never None.
    assert key(_ctx(Priority.NORMAL)) == (2, 1060 * S)


# -- the queue: reprioritisation and the delay views' rebuild ---------------------------------


def _waiting(tid: str, priority: Priority = Priority.NORMAL) -> Ticket:
    return Ticket(tid, Customer(f"c-{tid}", Tier("gold")), "chat", T0, priority=priority)


def test_reprioritize_keeps_the_new_ticket_in_the_entry() -> None:
    """Mutant: ``reprioritize`` stores ``ticket=None`` (or the old ticket) in the entry."""
    q = TicketQueue("q", AgingKey())
    q.push(_waiting("a"), at=T0)
    q.push(_waiting("b"), at=T0)
    urgent = _waiting("b", Priority.URGENT)
    entry = q.reprioritize(urgent)
    assert entry.ticket is urgent
    stored = q.get("b").ticket
    assert stored is not None
    assert stored.priority is Priority.URGENT
    head = q.peek()
    assert head is not None
    assert (head.ticket_id, head.ticket) == ("b", urgent)


def test_a_delay_view_rebuilt_after_many_rekeys_shows_the_same_tickets() -> None:
    """``TicketQueue._rebuild_view`` runs when a delay view holds over twice the live entries
    (plus slack): every rekey adds one.  Visible entries stay visible; hidden ones are still
    announced by ``refresh`` when they cross the delay."""
    q = TicketQueue("q", AgingKey())
    q.push(_waiting("old"), at=T0)
    q.push(_waiting("new"), at=T0 + timedelta(seconds=50))
    q.watch(timedelta(seconds=60))
    at = T0 + timedelta(seconds=70)
    assert [e.ticket_id for _, e in q.refresh(at)] == ["old"]
    for i in range(200):  # far past 2 * 2 live entries + 32
        q.rekey("new", band=1, due=T0 + timedelta(seconds=i))
        q.rekey("old", band=1, due=T0 + timedelta(seconds=1000 + i))
    seen = q.peek(waited=timedelta(seconds=60), at=at)
    assert seen is not None
    assert seen.ticket_id == "old"
    later = T0 + timedelta(seconds=111)
    # (A rekeyed entry is a new entry: "old" may be announced again; "new" must be.)
    assert "new" in [e.ticket_id for _, e in q.refresh(later)]
    head = q.peek(waited=timedelta(seconds=60), at=later)
    assert head is not None
    assert head.ticket_id == "new"
