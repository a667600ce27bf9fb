"""What the desk's command values, snapshot codecs and restore call on a desk.

:class:`~csflow.desk.Desk` satisfies :class:`DeskHost`; the modules below the desk in this
package (``commands``, ``serialisation``, ``durable``) are written against this protocol rather
than the class, so that they do not import the module that imports them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from csflow.model import AgentProfile, Metric, Ticket

if TYPE_CHECKING:
    from csflow.events import Event

__all__ = ["DeskHost"]


class DeskHost(Protocol):
    """The part of a desk's interface that commands, snapshots and restore use."""

    @property
    def now(self) -> datetime | None:
        """The last instant the desk saw."""
        ...

    def tickets(self) -> Iterator[str]:
        """The ids of the tickets the desk holds."""
        ...

    def clocks(self, ticket_id: str, at: datetime | None = None) -> Mapping[Metric, Any]:
        """A ticket's SLA clocks (their views)."""
        ...

    def next_wakeup_us(self) -> int | None:
        """When the desk next needs ``advance``, in µs since the epoch."""
        ...

    def add_agent(
        self,
        profile: AgentProfile,
        *,
        at: datetime,
        presence: str = "offline",
        routing_profile: str | None = None,
    ) -> list[Event]:
        """An agent joins the desk."""
        ...

    def update_agent(
        self, profile: AgentProfile, *, at: datetime, routing_profile: str | None = None
    ) -> list[Event]:
        """An agent's profile changes."""
        ...

    def submit(self, ticket: Ticket, *, at: datetime) -> list[Event]:
        """A new ticket arrives."""
        ...

    def advance(self, *, at: datetime) -> list[Event]:
        """Time passes."""
        ...

    def record_feedback(
        self, ticket_id: str, rating: int, comment: str = "", *, at: datetime
    ) -> list[Event]:
        """A customer rates a resolved ticket."""
        ...

    def grant_goodwill(
        self, ticket_id: str, agent_id: str, amount: Any, reason: str, *, at: datetime
    ) -> list[Event]:
        """An agent grants goodwill on a ticket."""
        ...
