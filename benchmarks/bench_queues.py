"""Waiting-ticket queues: csflow's ``TicketQueue`` beside a bare ``heapq`` and ``PriorityQueue``.

The headline figure is one push plus one pop with 1,000,000 tickets waiting; csflow's target
is at most 3 µs.  The bare ``heapq`` of ``(band, due, seq, id)`` tuples is the floor: what a
queue costs with no ticket index, no groups, no removal and no call-backs.  Memory per waiting
ticket is measured with ``tracemalloc``.

Run with ``python -m benchmarks queues``.
"""

from __future__ import annotations

import gc
import heapq
import itertools
import tracemalloc
from collections.abc import Callable
from queue import PriorityQueue

from benchmarks._common import Row, median_per_call, print_table, section
from csflow.queues import Signature, TicketQueue

WAITING = 1_000_000
GROUPS = 50  # requirement signatures the waiting tickets are spread over
TARGET_US = 3.0
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
    """Print push+pop at 1,000,000 waiting and memory per waiting ticket."""
    section(f"Push + pop with {WAITING:,} tickets waiting in {GROUPS} groups (target ≤ 3 µs)")
    q = _csflow_queue(WAITING)
    number = 50_000
    ours = median_per_call(_csflow_push_pop(q, WAITING), number=number)
    abandon = median_per_call(_csflow_remove(q, 10 * WAITING), number=number)
    heap = _heap_of(WAITING)
    floor = median_per_call(_heapq_push_pop(heap, WAITING), number=number)
    pq: PriorityQueue[tuple[int, int, int, str]] = PriorityQueue()
    pq.queue = _heap_of(WAITING)
    locked = median_per_call(_pq_push_pop(pq, WAITING), number=number)
    verdict = "meets" if ours * 1e6 <= TARGET_US else "MISSES"
    rows: list[Row] = [
        ("csflow TicketQueue push_key + pop", ours, f"{verdict} the {TARGET_US:g} µs target"),
        ("csflow TicketQueue push_key + remove", abandon, "lazy deletion of a mid-line ticket"),
        ("heapq heappush + heappop", floor, "no index, groups or removal"),
        ("queue.PriorityQueue put + get", locked, "thread-safe, no index"),
    ]
    print_table(rows)
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
