"""The standard rule context of a ticket: the fields a desk's rules can test.

:func:`ticket_context` flattens a :class:`~csflow.model.Ticket` into a fresh plain ``dict``
(the compiled evaluator's fast path) whose keys are :data:`STANDARD_FIELDS`; a rule set loaded
with ``known_fields=STANDARD_FIELDS`` refuses a misspelled field at load time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from csflow._frozen import FrozenDict
from csflow._time import require_aware, to_us
from csflow.errors import ConfigError
from csflow.model import Ticket
from csflow.rules._abbrev import short_repr
from csflow.rules.syntax import SEGMENT_RE

__all__ = ["STANDARD_FIELDS", "ticket_context"]


STANDARD_FIELDS: Final = frozenset(
    {
        "id",
        "channel",
        "priority",
        "priority_level",
        "category",
        "language",
        "tier",
        "tier_rank",
        "required_skills",
        "required_skills.*",
        "attributes",
        "attributes.*",
        "customer",
        "customer.id",
        "customer.tier",
        "customer.tier_rank",
        "customer.language",
        "customer.preferred_agent",
        "customer.attributes",
        "customer.attributes.*",
        "wait_s",
        "contacts",
        "contacts.*",
    }
)
"""The fields :func:`ticket_context` provides (``"x.*"``: any key under ``x``), for
``known_fields``."""

_TOP_LEVEL_FIELDS = frozenset(f.split(".")[0] for f in STANDARD_FIELDS)


def ticket_context(
    ticket: Ticket,
    at: datetime | None = None,
    *,
    contacts: Mapping[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The standard rule context for a ticket: a fresh plain dict (the fast path).

    Fields (see :data:`STANDARD_FIELDS`):

    ============================ ==============================================================
    ``id``                       the ticket id
    ``channel``                  channel name, e.g. ``"whatsapp"``
    ``priority``                 priority name, ``"low"``, ``"normal"``, ``"high"``, ``"urgent"``
    ``priority_level``           the priority as an int (0 = low … 3 = urgent), for ordering
    ``category``                 e.g. ``"refund"``
    ``language``                 the ticket's language, absent when unknown
    ``tier``, ``tier_rank``      the customer's tier name (``"platinum"``) and rank
    ``customer.id``              the customer id; also ``customer.tier``, ``customer.tier_rank``,
                                 ``customer.language`` and ``customer.preferred_agent`` (absent
                                 when unknown)
    ``customer.attributes.*``    the customer's free-form attributes
    ``attributes.*``             the ticket's free-form attributes, e.g. ``attributes.order_value``
    ``required_skills.*``        skill name -> minimum proficiency the ticket needs
                                 (``{"field": "required_skills", "contains": "refund"}``)
    ``wait_s``                   seconds from ``created_at`` to *at* (never negative), only
                                 when *at* is given
    ``contacts.*``               the customer's recent contacts, when the desk remembers them:
                                 ``count`` (this one included), ``open`` (open tickets, this
                                 one included), ``last_s`` (seconds since the previous
                                 contact) and ``last_agent`` (absent when unknown)
    ============================ ==============================================================

    Args:
        ticket: The ticket.
        at: The current instant (timezone-aware), for ``wait_s``.
        contacts: The ``contacts`` mapping (see
            :meth:`csflow.desk.contacts.ContactSummary.context`), or ``None``.
        **extra: More top-level fields (e.g. ``queue_length=12``); names must not shadow a
            standard field.

    Returns:
        A new dict; the attributes in it are read-only at every level (mappings and lists).

    Raises:
        ConfigError: *ticket* is not a Ticket, *at* is naive, *contacts* is not a mapping,
            or an extra name is malformed or shadows a standard field.
    """
    if not isinstance(ticket, Ticket):
        raise ConfigError(f"ticket must be a Ticket, got {short_repr(ticket)}")
    customer = ticket.customer
    cust: dict[str, Any] = {
        "id": customer.id,
        "tier": customer.tier.name,
        "tier_rank": customer.tier.rank,
        "attributes": customer.attributes,
    }
    if customer.language is not None:
        cust["language"] = customer.language
    if customer.preferred_agent is not None:
        cust["preferred_agent"] = customer.preferred_agent
    ctx: dict[str, Any] = {
        "id": ticket.id,
        "channel": ticket.channel.name,
        "priority": ticket.priority.name.lower(),
        "priority_level": int(ticket.priority),
        "category": ticket.category,
        "tier": customer.tier.name,
        "tier_rank": customer.tier.rank,
        "customer": cust,
        "attributes": ticket.attributes,
        "required_skills": {r.skill: r.min_proficiency for r in ticket.required_skills},
    }
    if ticket.language is not None:
        ctx["language"] = ticket.language
    if at is not None:
        require_aware(at, "at", ConfigError)
        # In µs: two instants in one zone subtract by wall clock in Python.
        ctx["wait_s"] = max(0.0, (to_us(at) - to_us(ticket.created_at)) / 1e6)
    if contacts is not None:
        if not isinstance(contacts, Mapping):
            raise ConfigError(
                f"contacts must be a mapping of field name -> value or None, "
                f"got {short_repr(contacts)}"
            )
        ctx["contacts"] = FrozenDict(dict(contacts))
    for key, value in extra.items():
        if not SEGMENT_RE.match(key):
            raise ConfigError(f"extra field names must be simple names, got {key!r}")
        if key in _TOP_LEVEL_FIELDS:
            raise ConfigError(f"extra field {key!r} would shadow a standard field")
        ctx[key] = value
    return ctx
