"""Entries of a queue: a waiting ticket as the queue holds it, and its fast constructor."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypeAlias

import attrs

from csflow._slots import new_object, slot_setters
from csflow._time import EPOCH, to_instant_us
from csflow.model import Ticket
from csflow.queues.signature import Signature

__all__ = ["Instant", "QueuedTicket", "new_entry"]

Instant: TypeAlias = datetime | int
"""An instant: an aware datetime or integer microseconds since the Unix epoch."""


# No ``__weakref__`` slot: nothing refers to an entry weakly, and a million waiting entries
# would carry a million unused pointers.
@attrs.frozen(weakref_slot=False)
class QueuedTicket:
    """A waiting ticket as the queue holds it (immutable; re-keying makes a new one).

    Entries order by key (``a < b`` means *a* is served first).

    Attributes:
        ticket_id: The ticket's id.
        key: ``(band, virtual_due_us, seq)``; lower is served first.
        signature: The group it waits in.
        queued_at_us: When it joined the line (kept across re-keys, moves and call-backs).
        callback: The customer left the line and asked to be called back.
        ticket: The ticket, when it was queued with one.
    """

    ticket_id: str
    key: tuple[int, int, int]
    signature: Signature
    queued_at_us: int
    callback: bool = False
    ticket: Ticket | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def band(self) -> int:
        """The hard band (lower first)."""
        return self.key[0]

    @property
    def virtual_due_us(self) -> int:
        """The virtual due instant, in microseconds since the epoch."""
        return self.key[1]

    @property
    def virtual_due(self) -> datetime:
        """The virtual due instant as an aware UTC datetime."""
        return EPOCH + timedelta(microseconds=self.key[1])

    @property
    def queued_at(self) -> datetime:
        """When the ticket joined the line, as an aware UTC datetime."""
        return EPOCH + timedelta(microseconds=self.queued_at_us)

    def __lt__(self, other: QueuedTicket) -> bool:
        # Service order.  Heaps compare entries only when a tombstone and the live entry of the
        # same ticket share a key (a re-key or move keeps ``seq``); either order is fine then.
        return self.key < other.key

    def waited_us(self, at: Instant) -> int:
        """Microseconds waited at *at* (never negative)."""
        return max(0, to_instant_us(at) - self.queued_at_us)


_set_ticket_id, _set_key, _set_signature, _set_queued_at, _set_callback, _set_ticket = slot_setters(
    QueuedTicket, ("ticket_id", "key", "signature", "queued_at_us", "callback", "ticket")
)


def new_entry(
    ticket_id: str,
    key: tuple[int, int, int],
    signature: Signature,
    queued_at_us: int,
    callback: bool,
    ticket: Ticket | None,
) -> QueuedTicket:
    """``QueuedTicket(...)`` for arguments already checked, about a third cheaper.

    attrs' ``__init__`` of a frozen class goes through ``object.__setattr__`` once per field;
    the slots' own descriptors store the values directly.  The result is an ordinary
    (frozen) :class:`QueuedTicket`.
    """
    entry: QueuedTicket = new_object(QueuedTicket)
    _set_ticket_id(entry, ticket_id)
    _set_key(entry, key)
    _set_signature(entry, signature)
    _set_queued_at(entry, queued_at_us)
    _set_callback(entry, callback)
    _set_ticket(entry, ticket)
    return entry
