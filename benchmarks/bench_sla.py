"""SLA clocks: the cost of one clock update per ticket event, and the memory of live clocks.

Issue 4 asks for "O(1) plus one calendar call" per clock update, so the figures are printed
beside one ``BusinessCalendar.add_us`` call on the same calendar (the ratio column is in units of
that call), and for 1,000,000 running clocks with their tickets in at most 1 KiB each, measured
with ``tracemalloc``.  The memory is measured on 100,000 fresh tickets (20,000 tickets in
conversation) and scaled linearly to 1,000,000 (every ticket is its own set of objects, so the
scaling is exact up to allocator rounding, which ``tracemalloc`` does not see).

The desk: a regular e-mail policy on the Jakarta office calendar (``csflow.samples``:
Monday-Friday 08:00-12:00 and 13:00-17:00, Saturday 08:00-12:00, the 2026 holidays), first
response 8 h, next response 4 h, periodic update 24 h, resolution 40 h (8 h when urgent),
warnings at 50 %, 75 % and 90 %.  Tickets are created at random instants of 2026.

Run with ``python -m benchmarks sla``.
"""

from __future__ import annotations

import gc
import random
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from functools import partial
from typing import TypeVar
from zoneinfo import ZoneInfo

from benchmarks._common import Row, median_per_call, print_table, section
from csflow._time import to_us
from csflow.model import Channel, Customer, Priority, Ticket
from csflow.samples import TIERS, jakarta_office_calendar
from csflow.sla import Metric, RecalcMode, SlaClock, SlaPolicy, TicketSla

WIB = ZoneInfo("Asia/Jakarta")
H = timedelta(hours=1)
M = timedelta(minutes=1)
KIB = 1024
N_TIME = 5_000  # fresh objects per timed command (each is used once)
N_MEMORY = 100_000  # tickets measured; the figures are scaled to 1,000,000
N_CONVERSATION = 20_000  # tickets driven through a conversation first (slower to build)

CAL = jakarta_office_calendar()
POLICY = SlaPolicy(
    "regular-email",
    CAL,
    {
        Metric.FIRST_RESPONSE: 8 * H,
        Metric.NEXT_RESPONSE: 4 * H,
        Metric.PERIODIC_UPDATE: 24 * H,
        Metric.RESOLUTION: {Priority.NORMAL: 40 * H, Priority.URGENT: 8 * H},
    },
)

T = TypeVar("T")


def _instants(n: int, seed: int) -> list[datetime]:
    """*n* creation instants at random minutes of 2026, in order, on the calendar's zone."""
    rng = random.Random(seed)
    year = datetime(2026, 1, 1, tzinfo=WIB)
    return sorted(year + timedelta(minutes=rng.randrange(360 * 24 * 60)) for _ in range(n))


def _ticket(i: int, created: datetime) -> Ticket:
    # Every ticket has its own customer: the worst case for memory.
    customer = Customer(f"C-{i:07d}", TIERS["regular"])
    return Ticket(f"T-{i:07d}", customer, Channel.EMAIL, created_at=created)


def _each(items: list[T], fn: Callable[[T], object]) -> float:
    """Median seconds of *fn* applied once to each of *items* (each item is used once)."""
    it: Iterator[T] = iter(items)
    return median_per_call(lambda: fn(next(it)), number=len(items) // 5, repeat=5)


# -- per-event cost --------------------------------------------------------------------------


def _prepared(
    n: int, seed: int, setup: Callable[[TicketSla, datetime], datetime], *, settle: bool
) -> list[tuple[TicketSla, datetime]]:
    """*n* fresh ticket SLAs, each brought by *setup* to the instant its timed command uses.

    With *settle*, the events due before that instant are collected first, so that the timed
    command measures itself and not the warnings that fell due in between.
    """
    out = []
    for i, created in enumerate(_instants(n, seed)):
        ts = TicketSla(f"T-{i:07d}", POLICY, "normal", created)
        at = setup(ts, created)
        if settle:
            ts.advance(at - timedelta(microseconds=1))
        out.append((ts, at))
    return out


def _at(offset: timedelta) -> Callable[[TicketSla, datetime], datetime]:
    return lambda _ts, created: created + offset


def _replied(ts: TicketSla, created: datetime) -> datetime:
    ts.agent_reply(created + 30 * M)
    return created + H


def _pending(ts: TicketSla, created: datetime) -> datetime:
    ts.agent_reply(created + 30 * M)
    ts.set_status("pending", created + H)
    return created + 3 * 24 * H


def _due_warning(ts: TicketSla, created: datetime) -> datetime:
    nd = ts.next_deadline()
    assert nd is not None
    return nd


def _raise_priority(ts: TicketSla, at: datetime, mode: RecalcMode) -> object:
    return ts.change_priority(Priority.URGENT, at, mode)


def _event_rows() -> list[Row]:
    n = N_TIME
    created = _instants(n, seed=1)
    # The unit: one calendar call at the same kind of random instants the tickets use.
    instants = [to_us(c) for c in created]
    rows: list[Row] = [
        (
            "reference: one calendar add_us",
            _each(instants, lambda a: CAL.add_us(a, 14_400_000_000)),
            "4 business hours, random instants",
        ),
        (
            "reference: one calendar elapsed_us",
            _each(instants, lambda a: CAL.elapsed_us(a, a + 259_200_000_000)),
            "3 days, random instants",
        ),
    ]
    tickets = [_ticket(i, c) for i, c in enumerate(created)]
    rows.append(
        (
            "TicketSla.for_ticket (start FR + RES)",
            _each(tickets, lambda t: TicketSla.for_ticket(t, POLICY)),
            "2 clocks",
        )
    )

    def timed(
        label: str,
        setup: Callable[[TicketSla, datetime], datetime],
        op: Callable[[TicketSla, datetime], object],
        note: str = "",
        *,
        settle: bool = True,
    ) -> None:
        items = _prepared(n, seed=len(rows), setup=setup, settle=settle)
        rows.append((label, _each(items, lambda item: op(*item)), note))

    timed(
        "agent_reply (first reply)",
        _at(30 * M),
        lambda ts, t: ts.agent_reply(t),
        "meets FR, starts PU",
    )
    timed("customer_message", _replied, lambda ts, t: ts.customer_message(t), "starts NR")
    timed("set_status pending", _replied, lambda ts, t: ts.set_status("pending", t), "pauses RES")
    timed(
        "set_status open (resume)", _pending, lambda ts, t: ts.set_status("open", t), "resumes RES"
    )
    timed(
        "set_status solved",
        _replied,
        lambda ts, t: ts.set_status("solved", t),
        "meets RES, cancels PU",
    )
    timed("advance, nothing due", _at(M), lambda ts, t: ts.advance(t), "")
    timed("advance, one warning due", _due_warning, lambda ts, t: ts.advance(t), "FR 50 %")
    timed(
        "set_status open after 3 days pending",
        _pending,
        lambda ts, t: ts.set_status("open", t),
        "resumes RES + PU's overdue events",
        settle=False,
    )
    for mode in RecalcMode:
        timed(
            f"change_priority urgent {mode.value}",
            _at(2 * H),
            partial(_raise_priority, mode=mode),
            "RES recalculated",
        )

    clocks = [
        (SlaClock("T", POLICY.target(Metric.RESOLUTION, "normal"), c), c + H)  # type: ignore[arg-type]
        for c in created
    ]
    rows.append(("SlaClock.pause", _each(clocks, lambda item: item[0].pause(item[1])), ""))
    rows.append(
        ("SlaClock.resume", _each(clocks, lambda item: item[0].resume(item[1] + 24 * H)), "")
    )
    rows.append(
        (
            "SlaClock.advance, nothing due",
            _each(clocks, lambda item: item[0].advance(item[1] + 24 * H)),
            "",
        )
    )
    return rows


# -- memory ----------------------------------------------------------------------------------


def _measure(build: Callable[[], object]) -> int:
    """Bytes still allocated by *build*'s result, per ``tracemalloc``."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = build()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del kept
    return after - before


def _memory() -> None:
    n, n_conv = N_MEMORY, N_CONVERSATION
    created = _instants(n, seed=3)
    # Warm the calendar's shared caches first: they are bounded and belong to the desk, not to
    # any ticket.
    for c in created[::50]:
        CAL.add(c, 40 * H)

    def tickets_only() -> list[Ticket]:
        return [_ticket(i, c) for i, c in enumerate(created)]

    def fresh() -> list[tuple[Ticket, TicketSla]]:
        out = []
        for i, c in enumerate(created):
            t = _ticket(i, c)
            out.append((t, TicketSla.for_ticket(t, POLICY)))
        return out

    def in_conversation() -> list[tuple[Ticket, TicketSla]]:
        # Replied, the customer answered, a host read the deadlines: FR met; NR, PU and RES
        # running, each with a memoised deadline.
        out = []
        for i, c in enumerate(created[:n_conv]):
            t = _ticket(i, c)
            ts = TicketSla.for_ticket(t, POLICY)
            ts.agent_reply(c + 20 * M)
            ts.customer_message(c + 40 * M)
            ts.advance(c + 41 * M)
            for clock in ts.clocks.values():
                _ = clock.due_at
            out.append((t, ts))
        return out

    section("memory per ticket (tracemalloc; scaled linearly to 1,000,000 tickets)")
    base = _measure(tickets_only) / n
    rows: list[tuple[str, float, int]] = [
        (f"Ticket + its own Customer, no SLA ({n:,})", base, 0),
        (f"fresh: FR, RES running ({n:,})", _measure(fresh) / n, 2),
        (
            f"in conversation: NR, PU, RES running ({n_conv:,})",
            _measure(in_conversation) / n_conv,
            3,
        ),
    ]
    print(
        f"{'tickets measured':52} {'per ticket':>10} {'SLA part':>9} {'per running clock':>18} "
        f"{'1,000,000 tickets':>18}"
    )
    for label, per, running in rows:
        sla = f"{per - base:7.0f} B" if running else ""
        clock = f"{per / running:16.0f} B" if running else ""
        print(f"{label:52} {per:8.0f} B {sla:>9} {clock:>18} {per * 1_000_000 / 2**30:14.2f} GiB")
    worst_clock = max(per / running for _, per, running in rows if running)
    worst_ticket = max(per for _, per, running in rows if running)
    print(
        f"target <= 1 KiB per running clock with its ticket: worst {worst_clock:.0f} B "
        f"-> {'met' if worst_clock <= KIB else 'MISSED'}"
    )
    print(
        f"stricter reading, <= 1 KiB per ticket with all its clocks: worst {worst_ticket:.0f} B "
        f"-> {'met' if worst_ticket <= KIB else 'MISSED'}"
    )


def main() -> None:
    """Print the per-event cost of SLA clock updates and the memory of live clocks."""
    section("per-event cost (median per call; ratio in units of one calendar add_us call)")
    print_table(_event_rows())
    _memory()


if __name__ == "__main__":
    main()
