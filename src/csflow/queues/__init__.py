"""Priority queues of waiting tickets: time-invariant keys, requirement groups, lazy deletion.

One concept per module:

* :mod:`csflow.queues.signature` -- :class:`Signature`, what an agent needs to take a ticket
  (channel, language, skills, maybe one pinned agent): the groups tickets wait in.
* :mod:`csflow.queues.keys` -- the time-invariant key ``(band, virtual_due_us, seq)`` and the
  policies that compute it (:class:`AgingKey`, :class:`DeadlineKey`, any :class:`KeyPolicy`),
  with the theory of why a key never changes while its ticket waits.
* :mod:`csflow.queues.entries` -- :class:`QueuedTicket`, a waiting ticket as a queue holds it.
* :mod:`csflow.queues.queue` -- :class:`TicketQueue`: per-signature heaps, lazy deletion,
  delay views (overflow) and call-backs.

Every name is importable from ``csflow.queues`` as before the split.
"""

from __future__ import annotations

from csflow.errors import DuplicateTicketError
from csflow.queues.entries import Instant, QueuedTicket
from csflow.queues.keys import AgingKey, DeadlineKey, KeyContext, KeyPolicy
from csflow.queues.keys import make_key_context as make_key_context
from csflow.queues.queue import TicketQueue
from csflow.queues.signature import Signature

__all__ = [
    "AgingKey",
    "DeadlineKey",
    "DuplicateTicketError",
    "Instant",
    "KeyContext",
    "KeyPolicy",
    "QueuedTicket",
    "Signature",
    "TicketQueue",
]
