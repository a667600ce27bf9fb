"""The tickets of simulated arrivals, built without checking again what the scenario checked.

A simulated customer's ticket differs from the last one of the same shape (channel, tier,
language, category) only in its ids and its instant.  ``Ticket(...)`` and ``Customer(...)``
would run every converter and validator again for each of them -- about a tenth of what a
simulated customer costs.  :class:`Arrivals` builds one ticket of each shape through the
public constructors (so every value is exactly what they make) and copies it for each
customer, filling the slots directly with the new ids and instant.  The result is an ordinary
:class:`~csflow.model.Ticket`, equal to the one the constructors would build.
"""

from __future__ import annotations

from datetime import datetime

from csflow._slots import new_object, slot_setters
from csflow.model import Customer, Ticket, Tier

__all__ = ["Arrivals"]

_TICKET = slot_setters(
    Ticket,
    (
        "id",
        "customer",
        "channel",
        "created_at",
        "priority",
        "category",
        "language",
        "required_skills",
        "attributes",
    ),
)
_CUSTOMER = slot_setters(Customer, ("id", "tier", "language", "preferred_agent", "attributes"))


class Arrivals:
    """Makes the simulator's tickets: one checked prototype per shape, copied per customer."""

    __slots__ = ("_shapes",)

    def __init__(self) -> None:
        self._shapes: dict[tuple[str, Tier, str | None, str], Ticket] = {}

    def ticket(
        self,
        ticket_id: str,
        customer_id: str,
        channel: str,
        tier: Tier,
        language: str | None,
        category: str,
        at: datetime,
    ) -> Ticket:
        """``Ticket(ticket_id, Customer(customer_id, tier, language=language), channel, at,
        category=category)``, for values the scenario has checked and ids the simulator made
        (the first ticket of each shape goes through the constructors, which raise on
        anything malformed).

        Raises:
            ConfigError: As the constructors, for the first ticket of a shape.
        """
        key = (channel, tier, language, category)
        proto = self._shapes.get(key)
        if proto is None:
            proto = Ticket(
                ticket_id,
                Customer(customer_id, tier, language=language),
                channel,
                at,
                category=category,
            )
            self._shapes[key] = proto
            return proto
        c_id, c_tier, c_language, c_preferred, c_attributes = _CUSTOMER
        pc = proto.customer
        customer = new_object(Customer)
        c_id(customer, customer_id)
        c_tier(customer, pc.tier)
        c_language(customer, pc.language)
        c_preferred(customer, None)
        c_attributes(customer, pc.attributes)  # an empty read-only mapping, safe to share
        t_id, t_customer, t_channel, t_at, t_priority, t_category, t_lang, t_skills, t_attrs = (
            _TICKET
        )
        ticket = new_object(Ticket)
        t_id(ticket, ticket_id)
        t_customer(ticket, customer)
        t_channel(ticket, proto.channel)
        t_at(ticket, at)
        t_priority(ticket, proto.priority)
        t_category(ticket, proto.category)
        t_lang(ticket, proto.language)
        t_skills(ticket, proto.required_skills)
        t_attrs(ticket, proto.attributes)
        return ticket
