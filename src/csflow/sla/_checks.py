"""Checks and readers shared by the SLA modules (policy, clock and ticket clocks).

Private to :mod:`csflow.sla`; the names are public so that the modules import them without
reaching into each other's private names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from csflow._text import show
from csflow.errors import ConfigError
from csflow.model import Metric, TicketStatus

__all__ = ["METRICS", "check_ticket_id", "join", "status_names", "ticket_status"]

#: The metrics in their declared order: a policy's pause flags and a ticket's clocks are
#: tuples indexed in this order.
METRICS: Final = tuple(Metric)

# Exact values only (no case folding), as the status vocabulary has always been read.
_STATUS_BY_VALUE: Final[Mapping[str, TicketStatus]] = {s.value: s for s in TicketStatus}


def join(path: str, key: str) -> str:
    """*key* appended to the document path *path* (``"targets"`` + ``"resolution"``)."""
    return f"{path}.{key}" if path else key


def check_ticket_id(value: object) -> str:
    """*value* if it is a ticket id: a non-empty string of at most 256 characters.

    Raises:
        ConfigError: It is not.
    """
    if not isinstance(value, str) or not value or len(value) > 256:
        raise ConfigError(
            f"ticket id must be a non-empty string of at most 256 characters, got {show(value)}"
        )
    return value


def ticket_status(value: object) -> TicketStatus | None:
    """The :class:`~csflow.model.TicketStatus` that *value* is or whose value it is, else ``None``."""
    if isinstance(value, TicketStatus):
        return value
    if isinstance(value, str):
        return _STATUS_BY_VALUE.get(value)
    return None


def status_names(statuses: Iterable[TicketStatus]) -> list[str]:
    """The values of *statuses*, in their order, for messages (``['new', 'open', ...]``)."""
    return [s.value for s in statuses]
