"""Waiting-ticket queues: csflow's ``TicketQueue`` beside a bare ``heapq`` and ``PriorityQueue``.

The headline figure is one push plus one pop with 1,000,000 tickets waiting, as a ratio
against the floor timed in turns with it in the same run: one ``heappush`` plus one
``heappop`` on a bare ``heapq`` of 1,000,000 ``(band, due, seq, id)`` tuples -- what a queue
costs with no ticket index, no groups, no removal and no call-backs.  The target is at most
2× the floor.  Two csflow paths are timed: the public ``push_key`` + ``pop``, and the calls the
router makes for a desk (``push_key`` when a ticket waits; ``head_of`` then ``take`` when an
agent frees up and takes the best head of its groups).  Memory per waiting ticket is measured
with ``tracemalloc``.

Run with ``python -m benchmarks queues``.
"""

from __future__ import annotations

import gc
import heapq
import itertools
import tracemalloc
from collections.abc import Callable
from queue import PriorityQueue

from benchmarks._common import Row, interleaved_per_call, print_table, section
from csflow.queues import Signature, TicketQueue

WAITING = 1_000_000
GROUPS = 50  # requirement signatures the waiting tickets are spread over
TARGET_RATIO = 2.0  # × one bare heapq push + pop, same size, same run
SIGS = [Signature("chat", "id", {f"skill{i}": 1 + i % 5}) for i in range(GROUPS)]


def _csflow_queue(n: int) -> TicketQueue:
    q = TicketQueue("bench")
    push = q.push_key
    for i in range(n):
        push(f"t{i}", band=1, due=i * 1_000, at=i * 1_000, signature=SIGS[i % GROUPS])
    return q


def _csflow_push_pop(q: TicketQueue, start: int) -> Callable[[], object]:
    counter = itertools.count(start)
    push, pop = q.push_key, q.pop

    def step() -> object:
        i = next(counter)
        sig = SIGS[i % GROUPS]
        push(f"t{i}", band=1, due=i * 1_000, at=i * 1_000, signature=sig)
        return pop((sig,))  # an agent eligible for this group takes its head

    return step


def _csflow_router_path(q: TicketQueue, start: int) -> Callable[[], object]:
    """What the router does: ``push_key`` a waiting ticket; an agent of the ticket's group
    frees up, looks at the heads of its groups (``head_of``) and takes the best (``take``)."""
    counter = itertools.count(start)
    push, head_of, take = q.push_key, q.head_of, q.take
    eligible = [{sig: None} for sig in SIGS]

    def step() -> object:
        i = next(counter)
        sig = SIGS[i % GROUPS]
        push(f"t{i}", band=1, due=i * 1_000, at=i * 1_000, signature=sig)
        head = head_of(eligible[i % GROUPS])
        assert head is not None
        take(head)
        return head

    return step


def _csflow_remove(q: TicketQueue, start: int) -> Callable[[], object]:
    counter = itertools.count(start)
    push, remove = q.push_key, q.remove

    def step() -> object:
        i = next(counter)
        push(f"t{i}", band=1, due=i * 1_000, at=i * 1_000, signature=SIGS[i % GROUPS])
        # a customer in the middle of the line abandons
        return remove(f"t{i - start + WAITING // 2}")

    return step


def _heapq_push_pop(heap: list[tuple[int, int, int, str]], start: int) -> Callable[[], object]:
    counter = itertools.count(start)
    push, pop = heapq.heappush, heapq.heappop

    def step() -> object:
        i = next(counter)
        push(heap, (1, i * 1_000, i, f"t{i}"))
        return pop(heap)

    return step


def _pq_push_pop(pq: PriorityQueue[tuple[int, int, int, str]], start: int) -> Callable[[], object]:
    counter = itertools.count(start)

    def step() -> object:
        i = next(counter)
        pq.put_nowait((1, i * 1_000, i, f"t{i}"))
        return pq.get_nowait()

    return step


def _bytes_per_ticket(build: Callable[[int], object], n: int) -> float:
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    kept = build(n)
    used = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    del kept
    return used / n


def _heap_of(n: int) -> list[tuple[int, int, int, str]]:
    heap = [(1, i * 1_000, i, f"t{i}") for i in range(n)]
    heapq.heapify(heap)
    return heap


def main() -> None:
    """Print push+pop at 1,000,000 waiting (as a ratio to bare heapq) and memory per ticket."""
    section(
        f"Push + pop with {WAITING:,} tickets waiting in {GROUPS} groups "
        f"(target ≤ {TARGET_RATIO:g}× bare heapq, timed in turns)"
    )
    q = _csflow_queue(WAITING)
    heap = _heap_of(WAITING)
    pq: PriorityQueue[tuple[int, int, int, str]] = PriorityQueue()
    pq.queue = _heap_of(WAITING)
    # Every step pushes one ticket and takes one, so each structure stays at WAITING.
    figures = interleaved_per_call(
        {
            "floor": _heapq_push_pop(heap, WAITING),
            "ours": _csflow_push_pop(q, WAITING),
            "router": _csflow_router_path(q, 10 * WAITING),
            "abandon": _csflow_remove(q, 20 * WAITING),
            "locked": _pq_push_pop(pq, WAITING),
        },
        number=5_000,
    )
    floor, ours = figures["floor"], figures["ours"]
    verdict = "meets" if ours <= TARGET_RATIO * floor else "MISSES"
    rows: list[Row] = [
        ("heapq heappush + heappop", floor, "the floor: no index, groups or removal"),
        ("csflow TicketQueue push_key + pop", ours, f"{verdict} the {TARGET_RATIO:g}× target"),
        ("csflow push_key + head_of + take", figures["router"], "the router's calls"),
        ("csflow TicketQueue push_key + remove", figures["abandon"], "a mid-line ticket leaves"),
        ("queue.PriorityQueue put + get", figures["locked"], "thread-safe, no index"),
    ]
    print_table(rows, unit="per step", ratio_label="× floor")
    print(f"push + pop: {ours / floor:.2f}× bare heapq ({verdict} the {TARGET_RATIO:g}× target)")
    del q, heap, pq

    section("Memory per waiting ticket (tracemalloc, 100,000 waiting)")
    n = 100_000
    mem_rows = [
        ("csflow TicketQueue", _bytes_per_ticket(_csflow_queue, n)),
        ("heapq of tuples", _bytes_per_ticket(_heap_of, n)),
    ]
    width = max(len(label) for label, _ in mem_rows)
    base = mem_rows[0][1]
    for label, per in mem_rows:
        print(f"{label:{width}}  {per:8.0f} B  {per / base:6.2f}×")


if __name__ == "__main__":
    main()
