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

Limits.  Every part of a key is an int a snapshot can write and read back: a band is an int
from -2,147,483,648 to 2,147,483,647 (``MIN_BAND``, ``MAX_BAND``), a virtual due
instant is an instant in years 1-9999 (UTC), and an allowance or a fallback is at most
36,525 days, about a hundred years (``MAX_ALLOWANCE``).  The policies refuse anything
else when they are built, and a queue checks every key a policy returns before it changes
anything.  ``queued_at + allowance`` past the last instant (a ticket queued within its
allowance of the end of year 9999) is that last instant: such tickets share a virtual due
instant and are served first in, first out.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Final, Protocol

import attrs

from csflow._frozen import FrozenDict
from csflow._slots import new_object, slot_setters
from csflow._text import show
from csflow._time import MAX_US, MIN_US, ONE_US, duration_us
from csflow.errors import ConfigError, CsflowError
from csflow.model import Priority, Ticket, Tier

__all__ = [
    "MAX_ALLOWANCE",
    "MAX_BAND",
    "MIN_BAND",
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


MIN_BAND: Final = -(2**31)
"""The lowest band a key may have (bands are 32-bit signed ints)."""
MAX_BAND: Final = 2**31 - 1
"""The highest band a key may have."""
MAX_ALLOWANCE: Final = timedelta(days=36_525)
"""The longest allowance (or :class:`DeadlineKey` fallback) a key policy accepts: 36,525
days, about a hundred years.  Longer would age nothing a desk could see, and reaches past the
last instant a key can hold (year 9999) from the instants a desk runs at."""
_MAX_ALLOWANCE_US: Final = MAX_ALLOWANCE // ONE_US


def check_band(value: object, name: str) -> int:
    """*value* if it is a band: an int from ``MIN_BAND`` to ``MAX_BAND``.

    Raises:
        ConfigError: Anything else, naming *name* and the value.
    """
    if type(value) is not int or not MIN_BAND <= value <= MAX_BAND:
        if isinstance(value, int) and not isinstance(value, bool):
            if MIN_BAND <= value <= MAX_BAND:
                return int(value)  # an int subclass (an IntEnum): its plain value
            raise ConfigError(
                f"{name} must be an int from {MIN_BAND:,} to {MAX_BAND:,}, got {show(value)}"
            )
        raise ConfigError(f"{name} must be an int, got {show(value)}")
    return value


def check_allowance(value: object, name: str) -> int:
    """*value* as microseconds if it is a timedelta from 0 to ``MAX_ALLOWANCE``.

    Raises:
        ConfigError: A value that is not a timedelta, a negative one or a longer one.
    """
    us = duration_us(value, name, ConfigError)
    if us > _MAX_ALLOWANCE_US:
        raise ConfigError(
            f"{name!r} must be at most {MAX_ALLOWANCE.days:,} days (about 100 years), "
            f"got {show(value)}"
        )
    return us


def checked_key(result: object, policy: object) -> tuple[int, int]:
    """The ``(band, virtual_due_us)`` a key *policy* returned, if it is one a queue can hold.

    A band from ``MIN_BAND`` to ``MAX_BAND`` and an instant, in microseconds, in
    years 1-9999.  A queue calls this before it changes anything.

    Raises:
        ConfigError: Anything else, naming the policy and what it returned.
    """
    if type(result) is tuple and len(result) == 2:
        band, due = result
        if (
            type(band) is int
            and MIN_BAND <= band <= MAX_BAND
            and type(due) is int
            and MIN_US <= due <= MAX_US
        ):
            return result
    raise ConfigError(
        f"key policy {show(policy)} must return (band, virtual_due_us): a band from "
        f"{MIN_BAND:,} to {MAX_BAND:,} and an instant in µs in years 1-9999, got {show(result)}"
    )


def _to_bands(value: Mapping[Any, int]) -> Mapping[Priority, int]:
    # (Keys typed Any: a Mapping is invariant in its keys, and a key's own bands --
    # Mapping[Priority, int] -- must type-check when handed back.)
    if not isinstance(value, Mapping):
        raise ConfigError(f"bands must be a mapping of priority -> int, got {show(value)}")
    out: dict[Priority, int] = {}
    for prio, band in value.items():
        checked = check_band(band, f"band for priority {show(prio)}")
        out[Priority.parse(prio)] = checked
    return out


def _check_tier(key: object, tier: str) -> None:
    # A name no Tier can have ("Platinum", "gold ") would never match a ticket: refuse it.
    try:
        Tier(tier)
    except CsflowError as exc:
        raise ConfigError(f"allowance key {show(key)} names no possible tier: {exc}") from None


class _Allowances(dict[tuple[str, Priority | None], int]):
    """An :class:`AgingKey`'s allowances as it keeps them: ``(tier, priority or None)`` ->
    microseconds.  Its own type, so that the converter knows the ints in it are microseconds
    it checked once (an int in a mapping a caller wrote has no unit and is refused)."""

    __slots__ = ()


def _to_allowances(
    # Keys: a tier name or a (tier or '*', priority or None) pair; typed Any, as in _to_bands.
    value: Mapping[Any, timedelta | int],
) -> Mapping[tuple[str, Priority | None], int]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"allowances must be a mapping, got {show(value)}")
    # The normalised form (an AgingKey's own ``allowances``, handed to ``attrs.evolve`` or to
    # a new AgingKey) is read back as it is: its values are microseconds, each checked again.
    stored = isinstance(value, _Allowances)
    out = _Allowances()
    for key, span in value.items():
        if key == "*" or key == ("*", None):
            # Not a tier, and not "every tier": that is the default allowance.
            raise ConfigError(
                "allowance key '*' alone matches no ticket: give every tier's allowance as "
                "the default, or one priority's as ('*', priority)"
            )
        if isinstance(key, str):
            _check_tier(key, key)
            norm: tuple[str, Priority | None] = (key, None)
        elif isinstance(key, tuple) and len(key) == 2 and isinstance(key[0], str):
            if key[0] != "*":
                _check_tier(key, key[0])
            # (tier, None) is the tier at any priority, as the key is kept.
            norm = (key[0], None if key[1] is None else Priority.parse(key[1]))
        else:
            raise ConfigError(
                "allowance keys must be a tier name or a (tier or '*', priority) pair, got "
                f"{show(key)}"
            )
        name = f"allowance for {key!r}"
        if norm in out:
            # "gold" and ("gold", None), or ("gold", "low") and ("gold", Priority.LOW): one
            # key twice, and which value wins would be the mapping's order.
            raise ConfigError(f"allowance key {show(key)} names {show(norm)} again")
        if stored and type(span) is int:
            if not 0 <= span <= _MAX_ALLOWANCE_US:
                raise ConfigError(
                    f"{name!r} must be from 0 to {_MAX_ALLOWANCE_US:,} µs, got {show(span)}"
                )
            out[norm] = span
        else:
            out[norm] = check_allowance(span, name)
    return out


#: The default bands of an :class:`AgingKey`: one per priority, urgent first, then high,
#: normal and low -- a ticket of a higher priority goes before any of a lower one, and
#: allowances age tickets within their priority.
PRIORITY_BANDS: Final[Mapping[Priority, int]] = FrozenDict(
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
            then *default*.  The key keeps them as ``(tier, priority or None)`` ->
            microseconds (:attr:`allowances`), and reads that form back: ``attrs.evolve(key,
            default=...)`` and ``AgingKey(key.allowances)`` rebuild the same allowances.
        default: The allowance when nothing matches.
        bands: Priority -> hard band (lower first); by default :data:`PRIORITY_BANDS`, one
            band per priority (urgent, high, normal, low), so a priority set by triage decides
            the order and allowances age tickets within it.  Give several priorities the same
            band to let allowances age them past each other.
        default_band: The band of priorities not in *bands*.

    A band is an int from -2,147,483,648 to 2,147,483,647 and an allowance a timedelta from 0
    to 36,525 days (``MAX_ALLOWANCE``, about a hundred years) -- or, in the key's own
    :attr:`allowances`, that many microseconds (a bare int anywhere else has no unit).  ``queued_at + allowance``
    past the last instant of year 9999 is that instant.

    Raises:
        ConfigError: A malformed key, a tier name no :class:`~csflow.model.Tier` can have, a
            bare ``"*"`` key (the allowance of every tier is *default*), an allowance that is
            not a timedelta, negative or longer than ``MAX_ALLOWANCE``, or a band that is
            not an int in range.

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
        object.__setattr__(self, "_default_us", check_allowance(self.default, "default"))
        object.__setattr__(self, "default_band", check_band(self.default_band, "default_band"))

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
        due = context.queued_at_us + self.allowance_us(ticket.customer.tier.name, ticket.priority)
        # Past the last instant a key can hold: that instant (ties then go first in, first out).
        return band, due if due <= MAX_US else MAX_US


@attrs.frozen
class DeadlineKey:
    """Earliest deadline first: ``(band, due)`` with the SLA due instant the caller supplies.

    Args:
        bands: Priority -> hard band (lower first); by default urgent tickets form band 0.
        default_band: The band of priorities not in *bands*.
        fallback: When a ticket comes without a due instant, use ``queued_at + fallback``
            (a timedelta from 0 to ``MAX_ALLOWANCE``; past the last instant of year 9999,
            that instant); ``None`` makes a missing due instant an error.

    Raises:
        ConfigError: A band that is not an int from -2,147,483,648 to 2,147,483,647, a
            fallback that is not ``None`` or a timedelta from 0 to ``MAX_ALLOWANCE``;
            (when called) a ticket without a due instant and no fallback.
    """

    bands: Mapping[Priority, int] = attrs.field(
        factory=lambda: {Priority.URGENT: 0}, converter=_to_bands
    )
    default_band: int = attrs.field(default=1)
    fallback: timedelta | None = attrs.field(default=None)
    # No field for the fallback in microseconds: a config's fingerprint reads every field.

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "default_band", check_band(self.default_band, "default_band"))
        if self.fallback is not None:
            check_allowance(self.fallback, "fallback")

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
        due = context.queued_at_us + duration_us(self.fallback, "fallback", ConfigError)
        return band, due if due <= MAX_US else MAX_US


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
