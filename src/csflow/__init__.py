"""csflow: which customer-service ticket is served next, by whom, and by when.

A sans-I/O library: a host feeds the desk commands with the current instant and acts on the
events it returns.  Import everything from ``csflow``.
"""

from __future__ import annotations

from csflow.calendar import DAY_KEYS, BusinessCalendar
from csflow.errors import (
    CalendarError,
    ConfigError,
    CsflowError,
    InvalidTransitionError,
    UnknownAgentError,
    UnknownTicketError,
)
from csflow.model import (
    MAX_PROFICIENCY,
    MIN_PROFICIENCY,
    AgentProfile,
    Channel,
    Customer,
    Priority,
    SkillRequirement,
    Ticket,
    Tier,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "DAY_KEYS",
    "MAX_PROFICIENCY",
    "MIN_PROFICIENCY",
    "AgentProfile",
    "BusinessCalendar",
    "CalendarError",
    "Channel",
    "ConfigError",
    "CsflowError",
    "Customer",
    "InvalidTransitionError",
    "Priority",
    "SkillRequirement",
    "Ticket",
    "Tier",
    "UnknownAgentError",
    "UnknownTicketError",
    "__version__",
]
