"""Entries of a queue: a waiting ticket as the queue holds it, and its fast constructor.

Why an entry is a tuple underneath
----------------------------------
Every ``push_key`` makes one entry, so its construction is on the host's hot path.  A slotted
attrs class is filled one slot at a time (seven calls from Python, measured at about three
times the cost of the one call below); a tuple subclass is made by one C call,
``tuple.__new__(QueuedTicket, row)`` (:data:`new_row`).  So at run time :class:`QueuedTicket`
is an attrs class (``attrs.fields``, ``attrs.evolve``, ``attrs.asdict`` see its six fields; its
repr is attrs', its equality and hash are by the same fields as before, the ticket left out)
whose values live in a tuple -- the key spread out, no tuple of its own -- and are read back by
C-level field descriptors.  Being a tuple is an implementation detail: code reads the named
attributes, never positions.

Type checkers are shown the same class as an ordinary frozen attrs class (the ``if
TYPE_CHECKING`` declaration below): mypy's attrs plugin does not treat a tuple subclass as an
attrs class, and the tuple's own methods (``+``, ``count``, indexing...) are not part of the
entry's contract.  Both declarations share :class:`_Entry` (its behaviour) and must list the
same fields in the same order; the run-time one checks that at import.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable
from datetime import datetime, timedelta
from operator import itemgetter
from typing import TYPE_CHECKING, TypeAlias, cast

import attrs

from csflow._time import EPOCH, to_instant_us
from csflow.model import Ticket
from csflow.queues.signature import Signature

__all__ = ["Instant", "QueuedTicket", "new_entry", "new_row"]

Instant: TypeAlias = datetime | int
"""An instant: an aware datetime or integer microseconds since the Unix epoch."""

#: The fields of :class:`QueuedTicket` (its attrs fields, its constructor's arguments).
_FIELDS = ("ticket_id", "key", "signature", "queued_at_us", "callback", "ticket")
#: What its tuple holds: the fields with the key spread out.
_ROW = (
    "ticket_id",
    "band",
    "virtual_due_us",
    "seq",
    "signature",
    "queued_at_us",
    "callback",
    "ticket",
)


class _Entry:
    """What both declarations of :class:`QueuedTicket` do with their fields."""

    __slots__ = ()

    key: tuple[int, int, int]
    queued_at_us: int

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
        if not isinstance(other, QueuedTicket):
            return NotImplemented
        return self.key < other.key

    def waited_us(self, at: Instant) -> int:
        """Microseconds waited at *at* (never negative)."""
        return max(0, to_instant_us(at) - self.queued_at_us)


if TYPE_CHECKING:

    @attrs.frozen
    class QueuedTicket(_Entry):
        """The type checker's view of the run-time class below (same fields, same order)."""

        ticket_id: str
        key: tuple[int, int, int]
        signature: Signature
        queued_at_us: int
        callback: bool = False
        ticket: Ticket | None = attrs.field(default=None, eq=False, repr=False)

else:
    # ``slots=False``: a tuple subclass cannot have slots of its own (``__slots__ = ()``
    # keeps it free of a ``__dict__``); ``init=False``: ``__new__`` builds the tuple.
    # ``frozen`` still makes every attribute assignment raise ``FrozenInstanceError``.
    @attrs.frozen(slots=False, init=False)
    class QueuedTicket(_Entry, tuple):
        """A waiting ticket as the queue holds it (immutable; re-keying makes a new one).

        Entries order by key (``a < b`` means *a* is served first); equality and hash leave the
        ticket out.

        Attributes:
            ticket_id: The ticket's id.
            key: ``(band, virtual_due_us, seq)``; lower is served first.
            signature: The group it waits in.
            queued_at_us: When it joined the line (kept across re-keys, moves and call-backs).
            callback: The customer left the line and asked to be called back.
            ticket: The ticket, when it was queued with one.
        """

        __slots__ = ()

        ticket_id: str
        key: tuple[int, int, int]
        signature: Signature
        queued_at_us: int
        callback: bool = False
        ticket: Ticket | None = attrs.field(default=None, eq=False, repr=False)

        def __new__(cls, ticket_id, key, signature, queued_at_us, callback=False, ticket=None):
            band, due, seq = key
            row = (ticket_id, band, due, seq, signature, queued_at_us, callback, ticket)
            return _tuple_new(cls, row)

        # Equality and hash by the fields but the ticket, as attrs would make them, except that
        # an entry is never equal to a plain tuple (a tuple would otherwise compare its items).
        def __eq__(self, other):
            if other.__class__ is not QueuedTicket:
                return False if isinstance(other, tuple) else NotImplemented
            return self[:7] == other[:7]

        def __ne__(self, other):
            if other.__class__ is not QueuedTicket:
                return True if isinstance(other, tuple) else NotImplemented
            return self[:7] != other[:7]

        def __hash__(self):
            return hash(self[:7])

        def __getnewargs__(self):
            # Copies and pickles rebuild through ``__new__``, whose arguments are the fields.
            return (self[0], self[1:4], *self[4:])

        # A tuple's other orderings compare every field; an entry has only ``<`` (``a > b``
        # is ``b < a``), as an attrs class with ``__lt__`` alone has.
        def __le__(self, other):
            return NotImplemented

        def __gt__(self, other):
            return NotImplemented

        def __ge__(self, other):
            return NotImplemented

    # attrs keeps no values on the class for a dict class's fields; a named tuple's field
    # descriptors read an item in C, several times faster than a property.  The key is held
    # spread out (no tuple of its own per entry); ``key`` reads it back as a tuple.
    _row_fields = namedtuple("_row_fields", _ROW)
    for _name in _ROW:
        if _name != "seq":
            _getter = getattr(_row_fields, _name)
            _shared = getattr(_Entry, _name, None)  # the properties it replaces
            _getter.__doc__ = _shared.__doc__ if _shared is not None else f"The {_name}."
            setattr(QueuedTicket, _name, _getter)
    QueuedTicket.key = property(
        itemgetter(slice(1, 4)), doc="``(band, virtual_due_us, seq)``; lower is served first."
    )
    del _name, _getter, _shared
    if tuple(f.name for f in attrs.fields(QueuedTicket)) != _FIELDS:  # pragma: no cover
        raise RuntimeError("QueuedTicket's attrs fields and its tuple layout differ")

_tuple_new = tuple.__new__

#: ``new_row(QueuedTicket, (ticket_id, band, virtual_due_us, seq, signature, queued_at_us,
#: callback, ticket))``: an entry from values already checked, in one C call
#: (``tuple.__new__``).  Hot paths call it directly; :func:`new_entry` takes the fields as
#: the constructor does.
new_row = cast(
    "Callable[[type[QueuedTicket], tuple[str, int, int, int, Signature, int, bool, "
    "Ticket | None]], QueuedTicket]",
    tuple.__new__,
)


def new_entry(
    ticket_id: str,
    key: tuple[int, int, int],
    signature: Signature,
    queued_at_us: int,
    callback: bool,
    ticket: Ticket | None,
) -> QueuedTicket:
    """``QueuedTicket(...)`` for arguments already checked, without the call through the class."""
    band, due, seq = key
    return new_row(
        QueuedTicket, (ticket_id, band, due, seq, signature, queued_at_us, callback, ticket)
    )
