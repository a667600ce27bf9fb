"""Queue keys: the time-invariant order of waiting tickets, and the policies that compute it.

Theory of operation
-------------------
A waiting ticket is ordered by a key computed **once**, when it is queued::

    (band, virtual_due_us, seq)

* ``band`` is a hard class: every ticket of band 0 (say, urgent) goes before any ticket of
  band 1, however long the latter has waited.
* ``virtual_due_us`` is an instant.  With :class:`AgingKey` it is ``queued_at + allowance``,
  where the allowance depends on the customer's tier and the ticket's priority (a platinum
  ticket may wait 30 s, a regular one 10 min).  With :class:`DeadlineKey` it is the SLA due
  instant the caller supplies (earliest deadline first).
* ``seq`` comes from the queue's sequence (an :func:`itertools.count` the queue owns, or one
  its owner shares among the queues that pass tickets to each other, as a desk does), so equal
  ``(band, due)`` pairs are served first in, first out, keys never tie, and heap entries never
  compare tickets.  No counter is shared by the whole process: two desks built alike and fed
  the same commands give the same keys.

Why the key does not change as time passes: the usual aging rule "serve the ticket that is
furthest past its allowance" ranks ticket *i* at time *t* by ``(t - queued_at_i) - allowance_i``.
The ``t`` is common to every ticket, so the ranking is the same as ranking by
``queued_at_i + allowance_i`` -- a number fixed at enqueue.  The order of two waiting tickets
therefore never changes while they wait; only arrivals and departures touch the heap, each in
O(log n), and nothing is ever re-sorted on a timer.  Aging is still real: a ticket queued at
``q`` with allowance ``a`` goes ahead of every ticket of its band that arrives after
``q + a - min_allowance``, so given continued service it is eventually served (no
starvation within a band; a band above it that never empties can still starve it, which is
what a *hard* band means).  An SLA due instant is fixed in the same way; when a clock pause
moves it, the owner calls :meth:`~csflow.queues.queue.TicketQueue.reprioritize`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from types import MappingProxyType
from typing import Final, Protocol

import attrs

from csflow._slots import new_object, slot_setters
from csflow._text import show
from csflow._time import duration_us
from csflow.errors import ConfigError
from csflow.model import Priority, Ticket

__all__ = [
    "PRIORITY_BANDS",
    "AgingKey",
    "DeadlineKey",
    "KeyContext",
    "KeyPolicy",
    "make_key_context",
]


@attrs.frozen
class KeyContext:
    """What a key policy sees: the ticket, when it was queued and its due instant if any.

    Args:
        ticket: The ticket being queued.
        queued_at_us: When it joined the line, in microseconds since the epoch.
        due_us: Its SLA due instant in microseconds, when the caller knows one.
    """

    ticket: Ticket
    queued_at_us: int
    due_us: int | None = None


class KeyPolicy(Protocol):
    """Computes the time-invariant part ``(band, virtual_due_us)`` of a ticket's queue key.

    Called once per ticket when it is queued (and again only on re-prioritisation).  It must
    not depend on the current time beyond ``context.queued_at_us`` -- that is what keeps the
    queue a plain heap.  Lower sorts first.
    """

    def __call__(self, context: KeyContext, /) -> tuple[int, int]:
        """Return ``(band, virtual_due_us)`` for *context*."""
        ...


def _to_bands(value: Mapping[Priority | str | int, int]) -> Mapping[Priority, int]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"bands must be a mapping of priority -> int, got {show(value)}")
    out: dict[Priority, int] = {}
    for prio, band in value.items():
        if not isinstance(band, int) or isinstance(band, bool):
            raise ConfigError(f"band for priority {show(prio)} must be an int, got {show(band)}")
        out[Priority.parse(prio)] = band
    return out


def _to_allowances(
    value: Mapping[str | tuple[str, Priority | str | int], timedelta],
) -> Mapping[tuple[str, Priority | None], int]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"allowances must be a mapping, got {show(value)}")
    out: dict[tuple[str, Priority | None], int] = {}
    for key, span in value.items():
        if isinstance(key, str):
            norm: tuple[str, Priority | None] = (key, None)
        elif isinstance(key, tuple) and len(key) == 2 and isinstance(key[0], str):
            norm = (key[0], Priority.parse(key[1]))
        else:
            raise ConfigError(
                "allowance keys must be a tier name or a (tier or '*', priority) pair, got "
                f"{show(key)}"
            )
        out[norm] = duration_us(span, f"allowance for {key!r}", ConfigError)
    return out


#: The default bands of an :class:`AgingKey`: one per priority, urgent first, then high,
#: normal and low -- a ticket of a higher priority goes before any of a lower one, and
#: allowances age tickets within their priority.
PRIORITY_BANDS: Final[Mapping[Priority, int]] = MappingProxyType(
    {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}
)


def _band_of(bands: Mapping[Priority, int], default: int, priority: Priority) -> int:
    return bands.get(priority, default)


@attrs.frozen
class AgingKey:
    """Aging by allowance: ``(band, queued_at + allowance(tier, priority))``.

    A ticket "ages" past others as its allowance runs out, without any re-sorting (see the
    module's theory of operation).

    Args:
        allowances: How long each kind of ticket may wait before it outranks fresh ones.
            Keys are a tier name (any priority), or a ``(tier, priority)`` pair where tier may
            be ``"*"``; lookup order is ``(tier, priority)``, ``tier``, ``("*", priority)``,
            then *default*.
        default: The allowance when nothing matches.
        bands: Priority -> hard band (lower first); by default :data:`PRIORITY_BANDS`, one
            band per priority (urgent, high, normal, low), so a priority set by triage decides
            the order and allowances age tickets within it.  Give several priorities the same
            band to let allowances age them past each other.
        default_band: The band of priorities not in *bands*.

    Raises:
        ConfigError: A malformed key or a negative or non-timedelta allowance.

    Examples:
        >>> key = AgingKey({"platinum": timedelta(seconds=30), ("*", "low"): timedelta(hours=1)})
    """

    allowances: Mapping[tuple[str, Priority | None], int] = attrs.field(
        factory=dict, converter=_to_allowances
    )
    default: timedelta = attrs.field(default=timedelta(minutes=10))
    bands: Mapping[Priority, int] = attrs.field(
        factory=lambda: dict(PRIORITY_BANDS), converter=_to_bands
    )
    default_band: int = attrs.field(default=1)
    _default_us: int = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_default_us", duration_us(self.default, "default", ConfigError))
        if not isinstance(self.default_band, int) or isinstance(self.default_band, bool):
            raise ConfigError(f"default_band must be an int, got {show(self.default_band)}")

    def allowance_us(self, tier: str, priority: Priority) -> int:
        """The allowance, in microseconds, of a ticket of *tier* and *priority*."""
        table = self.allowances
        us = table.get((tier, priority))
        if us is None:
            us = table.get((tier, None))
            if us is None:
                us = table.get(("*", priority), self._default_us)
        return us

    def __call__(self, context: KeyContext, /) -> tuple[int, int]:
        """Return ``(band, queued_at + allowance)`` for *context*."""
        ticket = context.ticket
        band = _band_of(self.bands, self.default_band, ticket.priority)
        return band, context.queued_at_us + self.allowance_us(
            ticket.customer.tier.name, ticket.priority
        )


@attrs.frozen
class DeadlineKey:
    """Earliest deadline first: ``(band, due)`` with the SLA due instant the caller supplies.

    Args:
        bands: Priority -> hard band (lower first); by default urgent tickets form band 0.
        default_band: The band of priorities not in *bands*.
        fallback: When a ticket comes without a due instant, use ``queued_at + fallback``;
            ``None`` makes a missing due instant an error.

    Raises:
        ConfigError: (when called) a ticket without a due instant and no fallback.
    """

    bands: Mapping[Priority, int] = attrs.field(
        factory=lambda: {Priority.URGENT: 0}, converter=_to_bands
    )
    default_band: int = attrs.field(default=1)
    fallback: timedelta | None = attrs.field(default=None)

    def __call__(self, context: KeyContext, /) -> tuple[int, int]:
        """Return ``(band, due_us)`` for *context*."""
        band = _band_of(self.bands, self.default_band, context.ticket.priority)
        if context.due_us is not None:
            return band, context.due_us
        if self.fallback is None:
            raise ConfigError(
                f"DeadlineKey needs a due instant for ticket {show(context.ticket.id)}, got None "
                "(pass due= or set a fallback)"
            )
        return band, context.queued_at_us + duration_us(self.fallback, "fallback", ConfigError)


_set_kc_ticket, _set_kc_queued_at, _set_kc_due = slot_setters(
    KeyContext, ("ticket", "queued_at_us", "due_us")
)


def make_key_context(ticket: Ticket, queued_at_us: int, due_us: int | None) -> KeyContext:
    """``KeyContext(...)`` for checked arguments, without attrs' per-field ``__setattr__``."""
    context: KeyContext = new_object(KeyContext)
    _set_kc_ticket(context, ticket)
    _set_kc_queued_at(context, queued_at_us)
    _set_kc_due(context, due_us)
    return context
