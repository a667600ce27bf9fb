# Why this file is over 800 lines: its state-snapshot pair (``to_state`` / ``load_state``, at
# the end of the public methods) reads and rebuilds the class's private internals, so it sits
# with them -- a change of those internals then changes their plain form in the same file.
"""A priority queue of waiting tickets: requirement groups, lazy deletion, delay views.

Each waiting ticket has a key fixed when it is queued (:mod:`csflow.queues.keys` explains why
it never changes as time passes); this module keeps the tickets in order of that key.

Theory of operation
-------------------
Groups.  Waiting tickets are grouped by :class:`~csflow.queues.signature.Signature` -- the channel, the language and
the skills (with minimum proficiency) an agent needs -- and each group is its own heap.  An
agent who frees up looks only at the heads of the groups it is eligible for, never at every
waiting ticket; the global head (:meth:`TicketQueue.peek` with no signatures) looks at every
group's head.

Lazy deletion.  Removing a ticket (abandoned, withdrawn, re-keyed, moved to another group)
only drops it from the id index; its heap item stays behind as a tombstone and is discarded
when it reaches the top.  An item is alive exactly when the index maps its ticket id to that
very :class:`~csflow.queues.entries.QueuedTicket` object.  A group whose heap holds more than twice its live count
(plus a little) is compacted, so memory stays proportional to the waiting tickets.

Delay views (overflow).  A routing profile may let a group of agents serve a queue only for
tickets that have waited at least some delay.  For each such delay the queue keeps a view:
a heap of not-yet-visible items ordered by ``queued_at`` and per-group heaps of visible items
ordered by key.  :meth:`TicketQueue.refresh` moves items across as time passes and reports
them, so the owner can offer them to the agents who may now take them;
:meth:`TicketQueue.next_visible_at` is the next instant that happens.  An item crosses at
the first call whose instant is at least its ``queued_at`` plus the delay, and is reported
by a refresh at or after that instant; a peek that showed it earlier leaves it to report
(and ``next_visible_at`` says so).  Instants may come out of order -- a host's commands run
at later instants than the timers its next advance fires -- and an item queued again below
a later call's instant still crosses at its own.  Instants end with year 9999 (``MAX_US``):
an item whose ``queued_at`` plus the delay is later crosses at that last instant, and
``next_visible_at`` says so.

Call-backs (virtual hold).  :meth:`TicketQueue.request_callback` keeps the ticket's key --
and so its place -- and flags the entry ``callback=True``, re-grouping it on the phone
channel (same skills and language).  The desk uses it like this: on ``request_callback`` it
calls this method and stops the customer's abandonment timer (the customer is no longer on
the line); when routing later hands the entry to an agent, the desk sees ``callback=True``
and emits ``CallbackDue`` (the agent dials out) instead of connecting a waiting caller.  The
agent's phone capacity is used exactly as for an inbound call.

Every method that raises has changed nothing: arguments are validated before any mutation.
"""

from __future__ import annotations

import heapq
import itertools
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from datetime import timedelta
from typing import Any, TypeAlias, cast

import attrs

from csflow._counters import peek_count
from csflow._text import show
from csflow._time import MAX_US, MIN_US, duration_us, to_instant_us
from csflow.errors import ConfigError, DuplicateTicketError, UnknownTicketError
from csflow.model import Channel, Ticket
from csflow.queues.entries import Instant, QueuedTicket, new_entry, new_row
from csflow.queues.keys import (
    MAX_BAND,
    MIN_BAND,
    AgingKey,
    DeadlineKey,
    KeyPolicy,
    check_band,
    checked_key,
    make_key_context,
)
from csflow.queues.signature import Signature

_heappush = heapq.heappush
_heappop = heapq.heappop

__all__ = ["TicketQueue"]

#: Compact a heap when it holds more than ``2 * live + _SLACK`` items.
_SLACK = 32


def _span_us(value: object, name: str) -> int:
    """A non-negative duration as microseconds: a timedelta or an int number of microseconds."""
    if type(value) is int:
        if value < 0:
            raise ConfigError(f"{show(name)} must not be negative, got {show(value)}")
        return value
    return duration_us(value, name, ConfigError)


# A heap item: the key spread out (tuples of ints compare fastest), the ticket id, then the
# entry.  ``seq`` is unique among live entries, so comparison reaches the id only between a
# tombstone and the live entry of its ticket.  The id is there so that the liveness check
# (``index.get(item[3]) is item[4]``) reads items of an exact tuple, whose indexing the
# interpreter specialises, instead of an attribute of the entry; it costs no memory (a
# 5-tuple takes the same 80-byte block as a 4-tuple).
_Item: TypeAlias = tuple[int, int, int, str, QueuedTicket]


def _item(entry: QueuedTicket) -> _Item:
    band, due, seq = entry.key
    return band, due, seq, entry.ticket_id, entry


class _Group:
    """One signature's heap and how many of its items are alive."""

    __slots__ = ("heap", "live")

    def __init__(self) -> None:
        self.heap: list[_Item] = []
        self.live = 0


def _listed(ids: AbstractSet[str]) -> Callable[[QueuedTicket], bool]:
    """Whether an entry's ticket is one of *ids*."""
    return lambda e: e.ticket_id in ids


def _opt_us(at: Instant | None) -> int | None:
    return None if at is None else to_instant_us(at)


class _DelayView:
    """Items of one queue that have waited at least ``delay_us``, grouped by signature."""

    __slots__ = ("delay_us", "horizon_us", "items", "late", "pending", "visible")

    def __init__(self, delay_us: int) -> None:
        self.delay_us = delay_us
        self.horizon_us: int | None = None  # latest "queued_at <= horizon is visible" applied
        self.pending: list[tuple[int, int, QueuedTicket]] = []  # (queued_at, seq, entry)
        self.visible: dict[Signature, list[_Item]] = {}
        self.items = 0
        # Entries pending although below the horizon (queued again with an old place after
        # the view passed it): they cross at the next advance, and are reported then.
        self.late: dict[str, QueuedTicket] = {}

    def fill(
        self, entries: Collection[QueuedTicket], shown: Callable[[QueuedTicket], bool]
    ) -> None:
        """Rebuild the view from the queue's live *entries*: those *shown* are visible, the
        others wait in :attr:`pending` (even if due: :meth:`TicketQueue.refresh` still reports
        them when they cross), and :attr:`late` follows."""
        self.pending = []
        self.visible = {}
        for e in entries:
            if shown(e):
                self.visible.setdefault(e.signature, []).append(_item(e))
            else:
                self.pending.append((e.queued_at_us, e.key[2], e))
        heapq.heapify(self.pending)
        for heap in self.visible.values():
            heapq.heapify(heap)
        self.items = len(entries)
        h = self.horizon_us
        self.late = {} if h is None else {e.ticket_id: e for q, _, e in self.pending if q <= h}

    def shows(self, entry: QueuedTicket) -> bool:
        """Whether *entry* (live in its queue) has crossed into this view."""
        h = self.horizon_us
        return (
            h is not None
            and entry.queued_at_us <= h
            and self.late.get(entry.ticket_id) is not entry
        )


#: The values a queue's sequence may stand at: what a state snapshot's ``sequence`` holds.
_MAX_SEQUENCE = 2**63 - 1


def _check_sequence(sequence: object) -> None:
    """Refuse a *sequence* that is not an ``itertools.count`` of step 1 at a value from 0 to
    :data:`_MAX_SEQUENCE` (a :class:`ConfigError` naming it)."""
    at: int | None = None
    if isinstance(sequence, itertools.count):
        try:
            at = peek_count(sequence)
        except TypeError:  # a step other than 1, or a count of floats
            at = None
    if at is None or not 0 <= at <= _MAX_SEQUENCE:
        raise ConfigError(
            "sequence must be an itertools.count() of step 1 at a value from 0 to 2**63 - 1, "
            f"got {show(sequence)}"
        )


class TicketQueue:
    """A priority queue of waiting tickets, grouped by requirement signature.

    Args:
        name: The queue's name (used in messages and reasons).
        key: The key policy; :class:`AgingKey` with its defaults when omitted.
        sequence: Where the last part of every key (``seq``) comes from: an
            :func:`itertools.count` of step 1, at a value from 0 to ``2**63 - 1`` (a state
            snapshot records where it stands, and reads back only such a value).  Queues
            that move tickets to one another (:meth:`insert` keeps the key) should share one,
            so that a moved ticket keeps a number no other entry has and FIFO ties stay in
            arrival order; a desk shares one among its queues.  A fresh ``itertools.count()``
            when omitted.

    Raises:
        ConfigError: An empty or non-string *name*, a *key* that is not callable, or a
            *sequence* that is not such a count (any other iterator might hand out
            something other than increasing ints, or run out).

    Examples:
        >>> q = TicketQueue("vip")
        >>> entry = q.push(ticket, at=now)  # doctest: +SKIP
        >>> q.pop().ticket_id  # doctest: +SKIP
        't1'
    """

    def __init__(
        self,
        name: str = "default",
        key: KeyPolicy | None = None,
        *,
        sequence: Iterator[int] | None = None,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise ConfigError(f"queue name must be a non-empty string, got {show(name)}")
        if sequence is not None:
            _check_sequence(sequence)
        if key is not None and not callable(key):
            # Refused here, not at the first push (which would raise TypeError mid-desk).
            raise ConfigError(
                f"key must be a key policy (a callable such as AgingKey() or DeadlineKey()), "
                f"got {show(key)}"
            )
        self.name = name
        self.key_policy: KeyPolicy = AgingKey() if key is None else key
        # The queue's own counter (or its owner's, shared among sibling queues): never a
        # process-wide one, whose numbers would depend on what else the process has queued.
        self._seq: Iterator[int] = itertools.count() if sequence is None else sequence
        self._index: dict[str, QueuedTicket] = {}
        self._groups: dict[Signature, _Group] = {}
        # Channel -> how many groups wait on it: lets the router skip a channel with nothing
        # waiting without hashing every signature of an agent.
        self.channel_groups: Counter[str] = Counter()
        self._views: dict[int, _DelayView] = {}
        # The delays :meth:`watch` asked for (a router's): their views stay.  Views a query
        # made (a ``waited`` nobody watches), least recently used first: at most
        # ``_SPARE_VIEWS`` are kept, so that read-only questions cost no lasting memory or
        # time (every view holds an item per waiting ticket, and every push touches it).
        self._watched: set[int] = set()
        self._spare: dict[int, None] = {}
        self._announced: list[tuple[int, QueuedTicket]] = []

    # -- reading ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, ticket_id: object) -> bool:
        return ticket_id in self._index

    def __iter__(self) -> Iterator[QueuedTicket]:
        """Waiting tickets in service order (a snapshot; O(n log n))."""
        return iter(sorted(self._index.values(), key=_entry_key))

    def __repr__(self) -> str:
        return f"<TicketQueue {self.name!r}: {len(self)} waiting in {len(self._groups)} groups>"

    def get(self, ticket_id: str) -> QueuedTicket:
        """The waiting entry of *ticket_id*.

        Raises:
            UnknownTicketError: The ticket is not waiting in this queue.
        """
        try:
            return self._index[ticket_id]
        except (KeyError, TypeError):  # TypeError: an unhashable value is no ticket id
            raise self._unknown(ticket_id) from None

    def position(self, ticket_id: str) -> int:
        """How many waiting tickets go before *ticket_id* (0 = next); O(n).

        Raises:
            UnknownTicketError: The ticket is not waiting in this queue.
        """
        key = self.get(ticket_id).key
        return sum(1 for e in self._index.values() if e.key < key)

    def signatures(self) -> list[Signature]:
        """The signatures that have waiting tickets."""
        return list(self._groups)

    def group_size(self, signature: Signature) -> int:
        """How many tickets wait with *signature* (0 when none)."""
        group = self._groups.get(_check_signature(signature))
        return 0 if group is None else group.live

    def peek(
        self,
        signatures: Iterable[Signature] | None = None,
        *,
        waited: timedelta | int = 0,
        at: Instant | None = None,
    ) -> QueuedTicket | None:
        """The next ticket, without removing it.

        Args:
            signatures: Only look at these groups (an agent's eligible signatures); every
                group when ``None``.  Cost: one look per group named.
            waited: Only tickets that have waited at least this long at *at* (a delay view,
                created on first use; one nobody watches (:meth:`watch`) is dropped again
                when more than a few such views exist, so questions about many *waited*
                values hold no lasting memory); 0 means every ticket.  A question about an
                instant before one asked already (instants may come out of order) is
                answered as a fresh queue would, at the cost of the tickets met before the
                answer that crossed after that instant (not of every ticket visible).
            at: The current instant; required when *waited* is not 0.

        Returns:
            The entry with the lowest key, or ``None`` when nothing qualifies.

        Raises:
            ConfigError: A negative *waited*, or *waited* without *at*.
            CalendarError: A naive *at*.
        """
        found = self._find(signatures, waited, at)
        return None if found is None else found[0][4]

    def pop(
        self,
        signatures: Iterable[Signature] | None = None,
        *,
        waited: timedelta | int = 0,
        at: Instant | None = None,
    ) -> QueuedTicket | None:
        """Remove and return the next ticket (see :meth:`peek` for the arguments).

        Returns:
            The entry removed, or ``None`` when nothing qualifies (nothing changes then).
        """
        if type(signatures) in _SEQ_TYPES and type(waited) is int and waited == 0:
            # The hot path (a list or tuple of groups, no delay view): ``_find`` then
            # ``_forget`` inlined, reusing the group found on the way.
            index = self._index
            groups = self._groups
            if len(signatures) == 1:  # type: ignore[arg-type]
                # One group (an agent with one set of skills): its live head, no comparing.
                sig = signatures[0]  # type: ignore[index]
                best_group = groups.get(sig) if type(sig) is Signature else _group_of(groups, sig)
                if best_group is None:
                    return None
                heap = best_group.heap
                while True:  # a group with live entries has a live item
                    top = heap[0]
                    # The head is taken whenever it is alive, so one look-up both checks
                    # and forgets it; a tombstone's id is put back when it names an entry.
                    held = index.pop(top[3], None)
                    if held is top[4]:
                        break
                    if held is not None:
                        index[top[3]] = held  # the ticket waits elsewhere: keep it
                    _heappop(heap)  # a tombstone reached the top: drop it
            else:
                best: _Item | None = None
                best_group = None
                for sig in signatures:  # type: ignore[union-attr]
                    group = groups.get(sig) if type(sig) is Signature else _group_of(groups, sig)
                    if group is None:
                        continue
                    heap = group.heap
                    while heap:
                        top = heap[0]
                        if index.get(top[3]) is top[4]:
                            break
                        _heappop(heap)  # a tombstone reached the top: drop it
                    else:
                        continue
                    if best is None or top < best:
                        best, best_group = top, group
                if best is None or best_group is None:
                    return None
                top = best
                heap = best_group.heap
                del index[top[3]]
            _heappop(heap)
            entry = top[4]
            live = best_group.live = best_group.live - 1
            if not live:
                del groups[entry.signature]
                self.channel_groups[entry.signature.channel] -= 1
            elif len(heap) > 2 * live + _SLACK:
                self._compact(best_group)
            return entry
        found = self._find(signatures, waited, at)
        if found is None:
            return None
        item, heap, view = found
        entry = item[4]
        # The item is at the top of *heap* (a group heap or a view heap): take it off there so
        # it does not linger as a tombstone, then forget the entry everywhere else.
        heapq.heappop(heap)
        if view is not None:
            view.items -= 1
        self._forget(entry)
        return entry

    def heads(
        self,
        signatures: Iterable[Signature] | None = None,
        limit: int = 1,
        *,
        waited: timedelta | int = 0,
        at: Instant | None = None,
    ) -> list[QueuedTicket]:
        """The first *limit* waiting tickets in service order across the given groups.

        Does not change the queue (a delay view it makes for *waited* is one of the few
        kept for questions, see :meth:`peek`).  Cost O(limit * log(limit * groups)) plus
        tombstones met.
        """
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
            raise ConfigError(f"limit must be a non-negative int, got {show(limit)}")
        heaps, _, cut = self._heaps_for(signatures, waited, at)
        if len(heaps) > 1:
            # A signature listed twice names its group's heap twice: walk each heap once.
            heaps = list({id(h): h for h in heaps}.values())
        index = self._index
        out: list[QueuedTicket] = []
        # Walk every heap in order without popping: a heap's children of position i are
        # 2i+1 and 2i+2, so a frontier heap of (item, heap number, position) yields items in
        # order.
        frontier: list[tuple[_Item, int, int]] = [(h[0], n, 0) for n, h in enumerate(heaps) if h]
        heapq.heapify(frontier)
        while frontier and len(out) < limit:
            item, n, i = heapq.heappop(frontier)
            entry = item[4]
            if index.get(entry.ticket_id) is entry and (cut is None or entry.queued_at_us <= cut):
                out.append(entry)
            heap = heaps[n]
            for child in (2 * i + 1, 2 * i + 2):
                if child < len(heap):
                    heapq.heappush(frontier, (heap[child], n, child))
        return out

    def next_visible_at(self) -> int | None:
        """The next instant (microseconds) a ticket becomes visible in a delay view, if any.

        A ticket a peek made visible that :meth:`refresh` has not reported yet counts at the
        instant it became visible: that step is still to be taken.  An instant after the
        last one (year 9999) is the last one: the ticket crosses then.
        """
        best: int | None = None
        if self._announced:
            alive = [(d, e) for d, e in self._announced if self._alive(e)]
            self._announced = alive
            for d, e in alive:
                when = e.queued_at_us + d
                if best is None or when < best:
                    best = when
        for view in self._views.values():
            pending = view.pending
            while pending and not self._alive(pending[0][2]):
                heapq.heappop(pending)
                view.items -= 1
            if pending:
                when = pending[0][0] + view.delay_us
                if best is None or when < best:
                    best = when
        return best if best is None or best <= MAX_US else MAX_US

    # -- changing --------------------------------------------------------------------------

    def push(
        self,
        ticket: Ticket,
        *,
        at: Instant,
        due: Instant | None = None,
        signature: Signature | None = None,
        callback: bool = False,
    ) -> QueuedTicket:
        """Queue *ticket*, computing its key once with the key policy.

        Args:
            ticket: The ticket.
            at: When it joins the line (``queued_at``).
            due: Its SLA due instant, for :class:`DeadlineKey`.
            signature: Its group; ``Signature.of(ticket)`` when omitted (pass a relaxed or
                pinned one to override).
            callback: Queue it as a call-back.

        Returns:
            The new entry.

        Raises:
            DuplicateTicketError: The ticket is already waiting here.
            CalendarError: A naive *at* or *due*.
            ConfigError: The key policy refused the ticket, or returned something other than
                a band from -2,147,483,648 to 2,147,483,647 and an instant in years 1-9999
                (nothing is queued then).
        """
        if not isinstance(ticket, Ticket):
            raise ConfigError(f"ticket must be a Ticket, got {show(ticket)}")
        if ticket.id in self._index:
            raise self._duplicate(ticket.id)
        at_us = to_instant_us(at)
        due_us = None if due is None else to_instant_us(due, "due")
        sig = Signature.of(ticket) if signature is None else _check_signature(signature)
        _check_flag(callback, "callback")
        policy = self.key_policy
        band, vdue = checked_key(policy(make_key_context(ticket, at_us, due_us)), policy)
        entry = new_entry(ticket.id, (band, vdue, next(self._seq)), sig, at_us, callback, ticket)
        self._insert(entry)
        return entry

    def push_key(
        self,
        ticket_id: str,
        *,
        band: int,
        due: Instant,
        at: Instant,
        signature: Signature,
        callback: bool = False,
        ticket: Ticket | None = None,
    ) -> QueuedTicket:
        """Queue a ticket with a key the caller computed (the fast path; no policy call).

        Args:
            ticket_id: The ticket's id.
            band: Its hard band, an int from -2,147,483,648 to 2,147,483,647.
            due: Its virtual due instant.
            at: When it joined the line.
            signature: Its group.
            callback: Queue it as a call-back.
            ticket: The ticket, to keep with the entry.

        Raises:
            DuplicateTicketError: The ticket is already waiting here.
            ConfigError: A malformed id, band or signature.
        """
        index = self._index
        # The plain case, tested in one expression; anything else -- a datetime instant, a
        # Ticket subclass, a bad argument -- is checked one by one below, and raised before
        # anything changes.
        if not (
            type(ticket_id) is str
            and type(band) is int
            and type(due) is int
            and type(at) is int
            and type(signature) is Signature
            and ticket_id
            and ticket_id not in index
            and MIN_BAND <= band <= MAX_BAND
            and MIN_US <= due <= MAX_US
            and MIN_US <= at <= MAX_US
            and (callback is False or callback is True)
            and (ticket is None or (type(ticket) is Ticket and ticket.id == ticket_id))
        ):
            ticket_id, band, due, at = self._checked_key_args(
                ticket_id, band, due, at, signature, callback, ticket
            )
        seq = next(self._seq)
        # ``new_entry`` inlined: one C call.
        entry = new_row(QueuedTicket, (ticket_id, band, due, seq, signature, at, callback, ticket))
        if self._views:
            self._insert(entry)
            return entry
        # ``_insert`` without delay views, inlined: this is the host's hot path.  The heap
        # first, the only step that compares (a sequence's numbers): it is undone if it fails.
        item = (band, due, seq, ticket_id, entry)
        group = self._groups.get(signature)
        if group is None:
            group = self._groups[signature] = _Group()
            self.channel_groups[signature.channel] += 1
            group.heap.append(item)  # a heap of one
        else:
            try:
                _heappush(group.heap, item)
            except BaseException:
                _unpush(group.heap, item)
                raise
        index[ticket_id] = entry
        group.live += 1
        # No compaction check: a push adds one item and one live entry, so it never takes the
        # heap above ``2 * live + _SLACK`` (every removal checks).
        return entry

    def _checked_key_args(
        self,
        ticket_id: object,
        band: object,
        due: Instant,
        at: Instant,
        signature: object,
        callback: object,
        ticket: object,
    ) -> tuple[str, int, int, int]:
        """:meth:`push_key`'s arguments checked one by one: ``(ticket_id, band, due_us,
        at_us)``."""
        if type(ticket_id) is not str or not ticket_id:
            raise ConfigError(f"ticket_id must be a non-empty string, got {show(ticket_id)}")
        if ticket_id in self._index:
            raise self._duplicate(ticket_id)
        if type(band) is not int:  # not a bool nor an IntEnum: a plain int goes in the key
            raise ConfigError(f"band must be an int, got {show(band)}")
        band_ = check_band(band, "band")
        due_us = to_instant_us(due, "due")
        at_us = to_instant_us(at)
        _check_signature(signature)
        _check_flag(callback, "callback")
        if ticket is not None and (not isinstance(ticket, Ticket) or ticket.id != ticket_id):
            raise ConfigError(
                f"ticket must be None or the Ticket {show(ticket_id)}, got {show(ticket)}"
            )
        return ticket_id, band_, due_us, at_us

    def insert(self, entry: QueuedTicket) -> QueuedTicket:
        """Queue an entry taken from another queue, keeping its key and ``queued_at``.

        Raises:
            DuplicateTicketError: The ticket is already waiting here.
            ConfigError: Not an entry, or one no queue can hold (built by hand with a band
                outside -2,147,483,648 to 2,147,483,647, an instant outside years 1-9999 ...).
        """
        if not isinstance(entry, QueuedTicket):
            raise ConfigError(f"entry must be a QueuedTicket, got {show(entry)}")
        _check_entry(entry)
        if entry.ticket_id in self._index:
            raise self._duplicate(entry.ticket_id)
        # A fresh object, so that a stale item of the same entry elsewhere stays dead.
        fresh = attrs.evolve(entry)
        self._insert(fresh)
        return fresh

    def remove(self, ticket_id: str) -> QueuedTicket:
        """Take *ticket_id* out of the line (abandoned, withdrawn, assigned by hand).

        Raises:
            UnknownTicketError: The ticket is not waiting in this queue.
        """
        entry = self.get(ticket_id)
        self._forget(entry)
        return entry

    def reprioritize(
        self, ticket: Ticket, *, due: Instant | None = None, at: Instant | None = None
    ) -> QueuedTicket:
        """Recompute a waiting ticket's key from *ticket* (e.g. a new priority).

        With *at* (the instant of the change), a delay view that has shown and reported the
        ticket by then keeps showing it (see :meth:`move`).

        The ticket's requirements (channel, language, required skills) must be the ones it
        was queued with: the entry keeps its signature, so a changed requirement is refused
        (take the ticket out and queue it again to change them).

        ``queued_at``, the group and the FIFO sequence number are kept, so among equal keys
        the ticket keeps its arrival order.  Without *due*, a :class:`DeadlineKey` queue keeps
        the entry's due instant (the one it was queued or last re-keyed with): only its band
        follows the new priority.  Other policies are asked with no due instant.

        Raises:
            UnknownTicketError: The ticket is not waiting in this queue.
            CalendarError: A naive *due*.
            ConfigError: The ticket's requirements changed, or the key policy refused the
                ticket or returned a key no queue can hold (the entry is unchanged then).
        """
        if not isinstance(ticket, Ticket):
            raise ConfigError(f"ticket must be a Ticket, got {show(ticket)}")
        old = self.get(ticket.id)
        was = old.ticket
        if was is not None:
            for what, before, now in (
                ("channel", was.channel, ticket.channel),
                ("language", was.language, ticket.language),
                ("required_skills", was.required_skills, ticket.required_skills),
            ):
                if before != now:
                    raise ConfigError(
                        f"a re-prioritised ticket keeps its requirements: {what} was "
                        f"{show(before)}, got {show(now)} (take the ticket out and queue it "
                        "again to change them)",
                        f"ticket.{what}",
                    )
        policy = self.key_policy
        if due is not None:
            due_us: int | None = to_instant_us(due, "due")
        elif isinstance(policy, DeadlineKey):
            # Its virtual due is the due instant it was given (or queued_at + fallback, which
            # the same queued_at gives again): a new priority changes the band, not the SLA.
            due_us = old.virtual_due_us
        else:
            due_us = None
        band, vdue = checked_key(policy(make_key_context(ticket, old.queued_at_us, due_us)), policy)
        return self._replace(
            old, attrs.evolve(old, key=(band, vdue, old.key[2]), ticket=ticket), _opt_us(at)
        )

    def rekey(self, ticket_id: str, *, band: int, due: Instant) -> QueuedTicket:
        """Give a waiting ticket a new ``(band, virtual_due)``, keeping its sequence number.

        Raises:
            UnknownTicketError: The ticket is not waiting in this queue.
            ConfigError: A band that is not an int from -2,147,483,648 to 2,147,483,647.
            CalendarError: A *due* that is not an instant in years 1-9999.
        """
        old = self.get(ticket_id)
        if type(band) is not int:
            raise ConfigError(f"band must be an int, got {show(band)}")
        band = check_band(band, "band")
        due_us = to_instant_us(due, "due")
        return self._replace(old, attrs.evolve(old, key=(band, due_us, old.key[2])))

    def move(
        self, ticket_id: str, signature: Signature, *, at: Instant | None = None
    ) -> QueuedTicket:
        """Move a waiting ticket to another group (relaxation, pin expiry), keeping its key.

        The entry keeps its ``queued_at``, so a delay view sees it cross at its own instant
        (``queued_at`` plus the delay).  With *at* (the instant of the move), a view that had
        shown the ticket by *at* and reported it (:meth:`refresh`) keeps showing it: it
        crossed already, and nothing is due again.  Without *at* (or moved at an earlier
        instant than the crossing, by a host whose instants come out of order) it crosses
        anew at its own instant.

        Raises:
            UnknownTicketError: The ticket is not waiting in this queue.
        """
        old = self.get(ticket_id)
        sig = _check_signature(signature)
        if sig == old.signature:
            return old
        return self._replace(old, attrs.evolve(old, signature=sig), _opt_us(at))

    def request_callback(
        self, ticket_id: str, *, channel: Channel | str = "phone", at: Instant | None = None
    ) -> QueuedTicket:
        """Turn a waiting ticket into a call-back that keeps its place in line.

        The entry keeps its key (so its position), is flagged ``callback=True`` and moves to
        the same requirements on *channel* (the phone by default), so it is later routed like
        any phone ticket.  See the module docstring for how the desk uses it.  *at* is the
        instant of the request (see :meth:`move`).  A ticket already a call-back on *channel*
        is left as it is (its entry is returned).

        Raises:
            UnknownTicketError: The ticket is not waiting in this queue.
        """
        old = self.get(ticket_id)
        sig = old.signature.on_channel(channel)
        if old.callback and sig == old.signature:
            # Already a call-back on that channel: nothing changes (as a move to the group a
            # ticket is in), so a delay view that reported it does not report it again.
            return old
        return self._replace(old, attrs.evolve(old, signature=sig, callback=True), _opt_us(at))

    def refresh(self, at: Instant) -> list[tuple[int, QueuedTicket]]:
        """Bring every delay view up to *at*; return ``(delay_us, entry)`` newly visible.

        Also returns entries that became visible during earlier calls (peeks with a delay)
        and were not reported yet, those that have waited the delay at *at*: an entry a peek
        at a later instant showed is reported at a *at* at or after its own instant (a
        host's instants may come out of order), and counts in :meth:`next_visible_at` until
        then.
        """
        at_us = to_instant_us(at)
        for view in self._views.values():
            self._advance_view(view, at_us)
        out: list[tuple[int, QueuedTicket]] = []
        later: list[tuple[int, QueuedTicket]] = []
        end = at_us >= MAX_US  # the last instant: everything crosses
        for d, e in self._announced:
            if self._alive(e):
                (out if end or e.queued_at_us + d <= at_us else later).append((d, e))
        self._announced = later
        return out

    def watch(self, waited: timedelta | int) -> None:
        """Create the delay view for *waited* now and keep it (else it is made on first use,
        and may be dropped again when more than a few views nobody watches exist: its
        unreported crossings then go with it)."""
        delay = _span_us(waited, "waited")
        if delay:
            self._view(delay)
            self._watched.add(delay)
            self._spare.pop(delay, None)

    # -- state snapshots -------------------------------------------------------------------

    def next_sequence(self) -> int:
        """The ``seq`` the next queued ticket gets (the counter is not advanced)."""
        return peek_count(self._seq)  # type: ignore[arg-type]

    def to_state(self, at: Instant | None = None) -> dict[str, Any]:
        """The queue's waiting entries and delay views as plain data (:meth:`load_state`).

        Entries are ``[ticket_id, band, virtual_due_us, seq, signature, queued_at_us,
        callback]`` in service order; each delay view is ``[delay_us, horizon_us, [ids
        visible]]``; ``announced`` lists the entries a view showed that :meth:`refresh` has
        not reported yet.  Heaps and group counts are rebuilt from these.

        A view is advanced lazily, by the peeks that ask it, and every peek and
        :meth:`refresh` first bring its horizon up to their instant: how far the horizon had
        got is not observable, so with *at* (the host's current instant) it is written as of
        *at* -- the same whichever peeks happened to run.  (Which entries a view shows is
        observable, through :meth:`next_visible_at`, and is written as it is.)
        """
        index = self._index
        at_us = None if at is None else to_instant_us(at)
        views = []
        for delay, view in self._views.items():
            shown = sorted(
                it[4] for heap in view.visible.values() for it in heap if index.get(it[3]) is it[4]
            )
            horizon = view.horizon_us
            if at_us is not None:
                # As ``_advance_view`` would bring it to *at* (the last instant shows all).
                now = at_us - delay if at_us < MAX_US else MAX_US
                if horizon is None or now > horizon:
                    horizon = now
            views.append([delay, horizon, [e.ticket_id for e in shown]])
        return {
            "entries": [
                [e.ticket_id, *e.key, e.signature.to_state(), e.queued_at_us, e.callback]
                for e in sorted(index.values(), key=_entry_key)
            ],
            "views": views,
            "announced": [[d, e.ticket_id] for d, e in self._announced if self._alive(e)],
        }

    def load_state(
        self,
        data: object,
        tickets: Mapping[str, Ticket],
        sequence: Iterator[int],
        path: str = "queue",
        *,
        signatures: dict[object, Signature] | None = None,
    ) -> None:
        """Fill this (empty) queue from :meth:`to_state` data; *tickets* gives each entry its
        ticket, *sequence* becomes the queue's counter (its next value must exceed every
        entry's ``seq``).  *signatures* (see :func:`read_signature`), when given, is shared
        with other reads of the same snapshot.

        It reads back whatever :meth:`to_state` writes of anything this queue can hold, and
        changes nothing when it raises (the data is checked in full before the first entry is
        queued).

        Raises:
            ConfigError: Malformed data, an entry of an unknown ticket, a duplicate, a band
                outside -2,147,483,648 to 2,147,483,647, an instant outside years 1-9999, a
                ``seq`` the counter has not passed yet, an ``announced`` ticket listed twice
                or not among those its view shows; with the path to it.
        """
        if self._index:
            raise ConfigError(f"queue {show(self.name)} is not empty", path)
        if not isinstance(data, Mapping) or set(data) != {"entries", "views", "announced"}:
            raise ConfigError("expected {'entries', 'views', 'announced'}", path)
        # Everything is read and checked first; the queue changes only once all of it is good.
        nxt = peek_count(sequence) if isinstance(sequence, itertools.count) else None
        if signatures is None:
            signatures = {}
        seqs: set[int] = set()
        loaded: dict[str, QueuedTicket] = {}
        entries = data["entries"]
        if not isinstance(entries, list):
            raise ConfigError(f"expected a list, got {show(entries)}", f"{path}.entries")
        for i, raw in enumerate(entries):
            where = f"{path}.entries[{i}]"
            if not isinstance(raw, list) or len(raw) != 7:
                raise ConfigError(
                    "expected [ticket_id, band, due_us, seq, signature, queued_at_us, callback]",
                    where,
                )
            tid, band, due, seq, sig, queued, callback = raw
            if not isinstance(tid, str) or tid not in tickets:
                raise ConfigError(f"entry of unknown ticket {show(tid)}", where)
            if tid in loaded:
                raise ConfigError(f"ticket {show(tid)} twice", where)
            if type(band) is not int or not MIN_BAND <= band <= MAX_BAND:
                raise ConfigError(
                    f"expected a band (an int from {MIN_BAND:,} to {MAX_BAND:,}), got {show(band)}",
                    where,
                )
            for value in (due, queued):
                if type(value) is not int or not MIN_US <= value <= MAX_US:
                    raise ConfigError(f"expected an int, got {show(value)}", where)
            # Any int the queue's sequence handed out (a sequence may start anywhere).
            if type(seq) is not int:
                raise ConfigError(f"expected an int, got {show(seq)}", where)
            if seq in seqs or (nxt is not None and seq >= nxt):
                raise ConfigError(f"seq {seq} used twice or not yet handed out", where)
            seqs.add(seq)
            _check_flag(callback, "callback", f"{where}[6]")
            signature = read_signature(sig, f"{where}[4]", signatures)
            loaded[tid] = new_entry(
                tid, (band, due, seq), signature, queued, callback, tickets[tid]
            )
        views = data["views"]
        if not isinstance(views, list):
            raise ConfigError(f"expected a list, got {show(views)}", f"{path}.views")
        read_views: dict[int, tuple[int | None, set[str]]] = {}
        for i, raw in enumerate(views):
            where = f"{path}.views[{i}]"
            if (
                not isinstance(raw, list)
                or len(raw) != 3
                or type(raw[0]) is not int
                or raw[0] <= 0
                or not (raw[1] is None or type(raw[1]) is int)
                or not isinstance(raw[2], list)
                or not all(isinstance(t, str) for t in raw[2])
            ):
                raise ConfigError("expected [delay_us, horizon_us, [ticket ids]]", where)
            if raw[0] in read_views:
                raise ConfigError(f"a second view of delay {raw[0]}", where)
            shown = set(raw[2])
            if not shown <= loaded.keys():
                raise ConfigError(f"visible tickets not waiting here: {show(raw[2])}", where)
            read_views[raw[0]] = (raw[1], shown)
        announced = data["announced"]
        if not isinstance(announced, list):
            raise ConfigError(f"expected a list, got {show(announced)}", f"{path}.announced")
        read_announced: list[tuple[int, QueuedTicket]] = []
        seen: set[tuple[int, str]] = set()
        for i, raw in enumerate(announced):
            if (
                not isinstance(raw, list)
                or len(raw) != 2
                or type(raw[0]) is not int
                or raw[0] not in read_views
                or not isinstance(raw[1], str)
                or raw[1] not in loaded
            ):
                raise ConfigError(
                    f"expected [delay_us of a view, waiting ticket id], got {show(raw)}",
                    f"{path}.announced[{i}]",
                )
            # A crossing not yet reported is one the view shows, and is reported once: a
            # ticket listed twice, or one the view does not show (it would cross again from
            # the view's pending side), would be reported twice.
            if (raw[0], raw[1]) in seen or raw[1] not in read_views[raw[0]][1]:
                raise ConfigError(
                    f"ticket {show(raw[1])} is listed twice, or not among the tickets the "
                    f"view of delay {raw[0]} shows",
                    f"{path}.announced[{i}]",
                )
            seen.add((raw[0], raw[1]))
            read_announced.append((raw[0], loaded[raw[1]]))
        # -- every part is good: from here on nothing raises --
        for entry in loaded.values():
            self._insert(entry)
        self._seq = sequence
        for delay, (horizon, shown) in read_views.items():
            view = self._view(delay)
            view.horizon_us = horizon
            view.fill(self._index.values(), _listed(shown))
        self._announced = read_announced

    # -- internals -------------------------------------------------------------------------

    def head_of(self, signatures: Mapping[Signature, object]) -> QueuedTicket | None:
        """:meth:`peek` among the groups keyed in *signatures*, without a delay view.

        The router's agent-frees-up path, with the agent's signature -> state mapping.

        Raises:
            ConfigError: *signatures* is not a mapping (or another sized container).
        """
        index = self._index
        groups = self._groups
        # An agent eligible for many signatures, few of them waiting: walk the groups instead.
        try:
            wide = len(signatures) > len(groups)
        except TypeError:
            raise ConfigError(
                f"signatures must be a mapping keyed by Signature, got {show(signatures)}"
            ) from None
        best: _Item | None = None
        for sig in groups if wide else signatures:
            if wide:
                if sig not in signatures:
                    continue
                group = groups[sig]
            else:
                found = groups.get(sig)
                if found is None:
                    continue
                group = found
            heap = group.heap
            while heap:
                top = heap[0]
                if index.get(top[3]) is top[4]:
                    break
                _heappop(heap)  # a tombstone reached the top: drop it
            else:
                continue
            if best is None or top < best:
                best = top
        return None if best is None else best[4]

    def take(self, entry: QueuedTicket) -> None:
        """Remove *entry*, which the caller has just read from this queue and which is waiting.

        The router's path once it chose a head (:meth:`head_of`): unchecked, and when the
        entry is at the top of its group's heap (as a head is) its item leaves the heap at
        once instead of lingering as a tombstone.  Anything else is :meth:`remove`'s job.
        """
        signature = entry.signature
        group = self._groups[signature]
        heap = group.heap
        if heap[0][4] is entry:
            _heappop(heap)
        del self._index[entry.ticket_id]
        group.live -= 1
        if group.live == 0:
            del self._groups[signature]
            self.channel_groups[signature.channel] -= 1
        elif len(heap) > 2 * group.live + _SLACK:
            self._compact(group)

    def _alive(self, entry: QueuedTicket) -> bool:
        return self._index.get(entry.ticket_id) is entry

    def _unknown(self, ticket_id: object) -> UnknownTicketError:
        return UnknownTicketError(
            f"ticket {show(ticket_id)} is not waiting in queue {show(self.name)}"
        )

    def _duplicate(self, ticket_id: str) -> DuplicateTicketError:
        return DuplicateTicketError(
            f"ticket {show(ticket_id)} is already waiting in queue {show(self.name)}"
        )

    def _insert(self, entry: QueuedTicket, shown: Collection[_DelayView] = ()) -> None:
        # The heaps first: pushing is the only step that compares, so the only one that could
        # raise (a sequence that hands out something other than ints), and it is undone then.
        # Then the index and the counts, which cannot fail: a failed insert leaves nothing.
        # The views in *shown* had shown the entry this one replaces: it stays visible there
        # (reported once already), not pending again.
        signature = entry.signature
        group = self._groups.get(signature)
        fresh = group is None
        if group is None:
            group = _Group()
        heap = group.heap
        item = _item(entry)
        try:
            heapq.heappush(heap, item)
        except BaseException:
            _unpush(heap, item)
            raise
        views = self._views
        if views:
            pending = (entry.queued_at_us, entry.key[2], entry)
            done: list[tuple[list[Any], Any]] = []
            try:
                for view in views.values():
                    if view in shown:
                        target: list[Any] = view.visible.setdefault(signature, [])
                        pushed: Any = item
                    else:
                        target, pushed = view.pending, pending
                    try:
                        heapq.heappush(target, pushed)
                    except BaseException:
                        _unpush(target, pushed)
                        raise
                    done.append((target, pushed))
            except BaseException:
                for target, pushed in done:
                    _unpush(target, pushed)
                _unpush(heap, item)
                raise
        # -- from here on nothing raises --
        if fresh:
            self._groups[signature] = group
            self.channel_groups[signature.channel] += 1
        self._index[entry.ticket_id] = entry
        group.live += 1
        if len(heap) > 2 * group.live + _SLACK:
            self._compact(group)
        for view in views.values():
            view.items += 1
            h = view.horizon_us
            if h is not None and entry.queued_at_us <= h and view not in shown:
                view.late[entry.ticket_id] = entry
            if view.items > 2 * len(self._index) + _SLACK:
                self._rebuild_view(view)

    def _forget(self, entry: QueuedTicket) -> None:
        del self._index[entry.ticket_id]
        group = self._groups[entry.signature]
        group.live -= 1
        if group.live == 0:
            del self._groups[entry.signature]
            self.channel_groups[entry.signature.channel] -= 1
        elif len(group.heap) > 2 * group.live + _SLACK:
            self._compact(group)

    def _replace(
        self, old: QueuedTicket, new: QueuedTicket, at_us: int | None = None
    ) -> QueuedTicket:
        # The same ticket, same place in time, new key or group.  Where a view had shown the
        # old entry by *at_us* and reported it, the new one is shown at once: put back in
        # pending, it would cross again at an instant long past (a wake-up behind the host's
        # clock).  One shown by a peek at a later instant and not reported yet crosses anew
        # at its own instant, as in a queue that never saw the later peek.
        shown: list[_DelayView] = []
        if at_us is not None and self._views:
            unreported = {d for d, e in self._announced if e is old}
            shown = [
                v
                for v in self._views.values()
                if v.delay_us not in unreported
                and old.queued_at_us + v.delay_us <= at_us
                and v.shows(old)
            ]
        self._forget(old)
        self._insert(new, shown)
        return new

    def _compact(self, group: _Group) -> None:
        index = self._index
        group.heap = [it for it in group.heap if index.get(it[3]) is it[4]]
        heapq.heapify(group.heap)

    def _view(self, delay_us: int) -> _DelayView:
        view = self._views.get(delay_us)
        if view is None:
            view = self._views[delay_us] = _DelayView(delay_us)
            view.pending = [(e.queued_at_us, e.key[2], e) for e in self._index.values()]
            heapq.heapify(view.pending)
            view.items = len(view.pending)
        return view

    def _spare_view(self, delay_us: int) -> None:
        """The unwatched view of *delay_us* was just used: it becomes the most recently used,
        and the least recently used ones beyond ``_SPARE_VIEWS`` are dropped (with the
        crossings they showed and :meth:`refresh` has not reported: nobody watches them).
        A view dropped and asked again is rebuilt, as a fresh queue's would be."""
        spare = self._spare
        spare.pop(delay_us, None)
        spare[delay_us] = None
        while len(spare) > _SPARE_VIEWS:
            old = next(iter(spare))
            del spare[old]
            del self._views[old]
            if self._announced:
                self._announced = [(d, e) for d, e in self._announced if d != old]

    def _advance_view(self, view: _DelayView, at_us: int) -> None:
        # Entries that have waited the delay at *at_us* become visible.  Not those below a
        # later instant's horizon: an entry queued again (a pin released, a step applied) by a
        # command at an earlier instant than a peek already made -- a host's instants may come
        # out of order -- is not visible yet at this one, and becomes so at its own instant
        # (next_visible_at), as in a queue that never saw the later peek.
        # At the last instant every entry has waited every delay (nothing comes later).
        horizon = at_us - view.delay_us if at_us < MAX_US else MAX_US
        if view.horizon_us is None or horizon > view.horizon_us:
            view.horizon_us = horizon
        pending = view.pending
        index = self._index
        late = view.late
        while pending and pending[0][0] <= horizon:
            _, _, entry = heapq.heappop(pending)
            if late and late.get(entry.ticket_id) is entry:
                del late[entry.ticket_id]
            if index.get(entry.ticket_id) is not entry:
                view.items -= 1
                continue
            heap = view.visible.get(entry.signature)
            if heap is None:
                heap = view.visible[entry.signature] = []
            heapq.heappush(heap, _item(entry))
            self._announced.append((view.delay_us, entry))
        announced = self._announced
        if len(announced) > 2 * len(self._views) * len(index) + _SLACK:
            # Crossings of tickets gone since (taken, abandoned) wait to be dropped by the next
            # refresh; a host that only peeks would keep them all.  Each view announces a live
            # entry at most once, so after this at least half of them were gone: amortised
            # O(1) a crossing, and memory in proportion to the waiting tickets.
            self._announced = [(d, e) for d, e in announced if index.get(e.ticket_id) is e]
        if len(view.visible) > 2 * len(self._groups) + _SLACK:
            # Forget signatures whose visible heaps emptied (pinned ones come and go).
            view.visible = {s: h for s, h in view.visible.items() if h}

    def _rebuild_view(self, view: _DelayView) -> None:
        # Entries already visible stay visible; everything else waits in ``pending`` (even if
        # due), so that :meth:`refresh` still reports it when it crosses.
        index = self._index
        shown = {
            id(it[4]) for heap in view.visible.values() for it in heap if index.get(it[3]) is it[4]
        }
        view.fill(index.values(), lambda e: id(e) in shown)

    def _heaps_for(
        self, signatures: Iterable[Signature] | None, waited: timedelta | int, at: Instant | None
    ) -> tuple[list[list[_Item]], _DelayView | None, int | None]:
        """The heaps to look at, the delay view they belong to (``None``: the groups'), and
        the cut: ``None``, or the latest ``queued_at`` to show in the view's heaps when the
        question is about an instant before one the view has reached."""
        if signatures is not None:
            signatures = _check_signatures(signatures)
        delay = 0 if type(waited) is int and waited == 0 else _span_us(waited, "waited")
        if delay == 0:
            groups = self._groups
            if signatures is None:
                return [g.heap for g in groups.values()], None, None
            kind = type(signatures)
            is_set = kind in _SET_TYPES or (
                kind not in _SEQ_TYPES and isinstance(signatures, AbstractSet)
            )
            if is_set and len(cast("AbstractSet[Signature]", signatures)) > len(groups):
                # An agent eligible for many signatures, few of them waiting: walk the groups.
                return [g.heap for s, g in groups.items() if s in signatures], None, None
            return [g.heap for s in signatures if (g := groups.get(s)) is not None], None, None
        if at is None:
            raise ConfigError(f"'at' is required with waited={show(waited)}")
        at_us = to_instant_us(at)
        view = self._view(delay)
        if delay not in self._watched:
            self._spare_view(delay)
        self._advance_view(view, at_us)
        visible = view.visible
        if signatures is None:
            heaps = list(visible.values())
        else:
            heaps = [h for s in signatures if (h := visible.get(s)) is not None]
        cut = at_us - delay
        horizon = view.horizon_us
        if at_us < MAX_US and horizon is not None and cut < horizon:
            # A question about an instant before one the view has reached (a host's instants
            # may come out of order): only the tickets that had waited *waited* by then, as a
            # queue that never saw the later question answers.  The readers walk the view's
            # heaps in key order, past the tickets that crossed after the cut, and change
            # nothing (no view to account for, hence ``None``).
            return heaps, None, cut
        return heaps, view, None

    def _find(
        self, signatures: Iterable[Signature] | None, waited: timedelta | int, at: Instant | None
    ) -> tuple[_Item, list[_Item], _DelayView | None] | None:
        index = self._index
        best: _Item | None = None
        best_heap: list[_Item] = []
        if (
            signatures is not None
            and type(signatures) in _SEQ_TYPES
            and type(waited) is int
            and waited == 0
        ):
            # The common case (a list or tuple of groups, no delay view) without a call.
            groups = self._groups
            heaps = []
            for sig in signatures:
                g = groups.get(sig) if type(sig) is Signature else _group_of(groups, sig)
                if g is not None:
                    heaps.append(g.heap)
            view = None
        else:
            heaps, view, cut = self._heaps_for(signatures, waited, at)
            if cut is not None:
                for heap in heaps:
                    top = _first_shown(heap, index, cut)
                    if top is not None and (best is None or top < best):
                        best = top
                # A heap of its own to take it off (it stays in the view as a tombstone).
                return None if best is None else (best, [best], None)
        for heap in heaps:
            while heap:
                top = heap[0]
                if index.get(top[3]) is top[4]:
                    break
                heapq.heappop(heap)  # a tombstone reached the top: drop it
                if view is not None:
                    view.items -= 1
            else:
                continue
            if best is None or top < best:
                best, best_heap = top, heap
        if best is None:
            return None
        return best, best_heap, view


#: How many delay views a queue keeps for ``waited`` values that no :meth:`TicketQueue.watch`
#: asked for (made by a query): the least recently used beyond these are dropped.
_SPARE_VIEWS = 4

# Exact types tested before ``isinstance(..., AbstractSet)``, whose ABC check is slow.
_SET_TYPES: tuple[type, ...] = (type({}.keys()), set, frozenset)
_SEQ_TYPES: tuple[type, ...] = (list, tuple)


def _first_shown(heap: list[_Item], index: Mapping[str, QueuedTicket], cut: int) -> _Item | None:
    """The live item of *heap* with the lowest key among those queued at or before *cut*.

    Walks the heap in key order without changing it (a position's children are ``2i+1`` and
    ``2i+2``): the cost is the items met before the answer -- tickets that crossed after the
    cut, and tombstones -- not the heap's size.
    """
    if not heap:
        return None
    frontier: list[tuple[_Item, int]] = [(heap[0], 0)]
    size = len(heap)
    while frontier:
        item, i = heapq.heappop(frontier)
        if item[4].queued_at_us <= cut and index.get(item[3]) is item[4]:
            return item
        child = 2 * i + 1
        if child < size:
            heapq.heappush(frontier, (heap[child], child))
            if child + 1 < size:
                heapq.heappush(frontier, (heap[child + 1], child + 1))
    return None


def _entry_key(entry: QueuedTicket) -> tuple[int, int, int]:
    return entry.key


def _check_signature(value: object) -> Signature:
    if not isinstance(value, Signature):
        raise ConfigError(f"signature must be a Signature, got {show(value)}")
    return value


def _check_flag(value: object, name: str, path: str = "") -> None:
    if type(value) is not bool:
        raise ConfigError(f"{name!r} must be True or False, got {show(value)}", path)


def _unpush(heap: list[Any], item: object) -> None:
    """Undo a ``heappush`` of *item* that raised part way: take it out, restore the heap."""
    for i, it in enumerate(heap):
        if it is item:
            del heap[i]
            break
    heapq.heapify(heap)


def _check_entry(entry: QueuedTicket) -> None:
    """Refuse an entry no queue could have made (built by hand): its key and instants are
    checked as :meth:`TicketQueue.push_key` checks them."""
    band, due, seq = entry.key
    ticket = entry.ticket
    if type(entry.ticket_id) is not str or not entry.ticket_id:
        raise ConfigError(f"ticket_id must be a non-empty string, got {show(entry.ticket_id)}")
    if type(band) is not int or not MIN_BAND <= band <= MAX_BAND:
        raise ConfigError(
            f"band must be an int from {MIN_BAND:,} to {MAX_BAND:,}, got {show(band)}"
        )
    for name, value in (("virtual_due_us", due), ("queued_at_us", entry.queued_at_us)):
        if type(value) is not int:
            raise ConfigError(f"{name} must be an int of µs since the epoch, got {show(value)}")
        to_instant_us(value, name)
    if type(seq) is not int:
        raise ConfigError(f"seq must be an int, got {show(seq)}")
    _check_signature(entry.signature)
    _check_flag(entry.callback, "callback")
    if ticket is not None and (not isinstance(ticket, Ticket) or ticket.id != entry.ticket_id):
        raise ConfigError(
            f"ticket must be None or the Ticket {show(entry.ticket_id)}, got {show(ticket)}"
        )


def _group_of(groups: Mapping[Signature, _Group], value: object) -> _Group | None:
    """``groups.get(value)`` for a value that is not exactly a Signature: checked first."""
    return groups.get(_check_signature(value))


def _check_signatures(value: object) -> Collection[Signature]:
    """A collection of signatures (an iterator is read into a list); anything else raises."""
    if isinstance(value, str | Signature) or not isinstance(value, Iterable):
        raise ConfigError(f"signatures must be a collection of Signature values, got {show(value)}")
    if not isinstance(value, Collection):
        value = list(value)
    for sig in value:
        if type(sig) is not Signature:
            _check_signature(sig)
    return value


def read_signature(
    data: object, path: str, cache: dict[object, Signature] | None = None
) -> Signature:
    """:meth:`Signature.from_state <csflow.queues.signature.Signature.from_state>`, sharing
    what it read before through *cache*: a snapshot's thousands of waiting tickets have a
    few signatures.  Only data of the exact types the signature's form has (strings, null,
    ``[skill, int]`` pairs) is cached; anything else is read, and refused, as it is.

    Raises:
        ConfigError: Malformed data, with the path to it.
    """
    if cache is None:
        return Signature.from_state(data, path)
    key = _signature_key(data)
    if key is None:
        return Signature.from_state(data, path)
    found = cache.get(key)
    if found is None:
        found = cache[key] = Signature.from_state(data, path)
    return found


def _signature_key(data: object) -> tuple[object, ...] | None:
    """A hashable copy of a signature's plain form ``[channel, language, [[skill, min], ...],
    agent]`` with the exact JSON types, or ``None`` for any other data."""
    if type(data) is not list or len(data) != 4:
        return None
    channel, language, skills, agent = data
    if type(skills) is not list:
        return None
    for x in (channel, language, agent):
        if x is not None and type(x) is not str:
            return None
    pairs: list[tuple[str, int]] = []
    for pair in skills:
        if type(pair) is not list or len(pair) != 2:
            return None
        skill, least = pair
        if type(skill) is not str or type(least) is not int:
            return None
        pairs.append((skill, least))
    return (channel, language, tuple(pairs), agent)
