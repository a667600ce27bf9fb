"""Argument checks the routing modules share: names, ticket ids, tickets, group lists.

Each returns its value when it is well formed and raises :class:`~csflow.errors.ConfigError`
naming the value otherwise, so a command can check every argument before it changes anything.
"""

from __future__ import annotations

from collections.abc import Iterable

from csflow._text import show
from csflow.errors import ConfigError
from csflow.model import Ticket


def check_name(kind: str, value: object) -> str:
    """*value* as a non-empty string (*kind* names it in the error)."""
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{kind} must be a non-empty string, got {show(value)}")
    return value


def check_ticket_id(value: object) -> str:
    """*value* as a ticket id: a non-empty string of at most 256 characters."""
    if not isinstance(value, str) or not value or len(value) > 256:
        raise ConfigError(
            f"ticket id must be a non-empty string of at most 256 characters, got {show(value)}"
        )
    return value


def check_ticket(value: object) -> Ticket:
    """*value* as a :class:`~csflow.model.Ticket`."""
    if not isinstance(value, Ticket):
        raise ConfigError(f"ticket must be a Ticket, got {show(value)}")
    return value


def group_list(value: object) -> list[str]:
    """Routing-profile (group) names: a collection of strings, not one bare string."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ConfigError(f"groups must be a collection of group names, got {show(value)}")
    out = list(value)
    for g in out:
        if not isinstance(g, str):
            raise ConfigError(f"groups must hold group names, got {show(g)} in {show(out)}")
    return out
