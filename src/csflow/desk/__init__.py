"""The desk package (being split)."""

from csflow.desk.desk import (
    LIFECYCLE,
    TICKET_STATES,
    ClockView,
    Desk,
    DeskConfig,
    QueueSpec,
    TeamSpec,
    TicketView,
    ticket_from_dict,
    ticket_to_dict,
)

__all__ = [
    "LIFECYCLE",
    "TICKET_STATES",
    "ClockView",
    "Desk",
    "DeskConfig",
    "QueueSpec",
    "TeamSpec",
    "TicketView",
    "ticket_from_dict",
    "ticket_to_dict",
]
