"""csflow: which customer-service ticket is served next, by whom, and by when.

A sans-I/O library: a host feeds the desk commands with the current instant and acts on the
events it returns.  This namespace holds what an embedding host and a policy tester use: the
desk and its configuration, the value objects, the events, the errors, the policy protocols,
calendars and SLA policies, and the entry points of metrics, staffing and simulation.

Two documented namespaces sit beside it:

* :mod:`csflow.lowlevel`: the parts for power users (the agent pool, ticket queues, SLA clocks,
  the router, queue keys and signatures, rule syntax, limits), as ``trio.lowlevel`` does;
* :mod:`csflow.testing`: the testing kit (the ``testing`` extra).

The list of names below is pinned by ``tests/test_public_api.py``: adding one is a decision.
"""

from __future__ import annotations

from csflow.calendar import (
    BusinessCalendar,
)
from csflow.desk import (
    ClockView,
    Desk,
    DeskConfig,
    QueueSpec,
    TeamSpec,
    TicketView,
)
from csflow.desk.commands import (
    command_from_dict,
)
from csflow.desk.views import (
    view_from_dict,
)
from csflow.errors import (
    CalendarError,
    ConfigError,
    CsflowError,
    DuplicateAgentError,
    GoodwillLimitError,
    InvalidTransitionError,
    InvariantError,
    UndeclaredNameError,
    UnknownAgentError,
    UnknownTicketError,
)
from csflow.events import (
    AgentPresenceChanged,
    AgentProfileChanged,
    CallbackDue,
    CallbackRequested,
    Event,
    FeedbackRecorded,
    GoodwillDeclined,
    GoodwillGranted,
    GoodwillRequested,
    SlaDeadlineMoved,
    SlaEscalated,
    SurveyDue,
    TicketAbandoned,
    TicketAssigned,
    TicketClosed,
    TicketEscalated,
    TicketOverflowed,
    TicketPrioritized,
    TicketQueued,
    TicketRelaxed,
    TicketReopened,
    TicketRequeued,
    TicketResolved,
    TicketSlaPolicyChanged,
    TicketStatusChanged,
    TicketTransferred,
    TransferLimitReached,
    event_from_dict,
)
from csflow.lint import (
    lint,
)
from csflow.metrics import (
    IntervalReport,
    IntervalSummarizer,
    Report,
    Summarizer,
    summarize,
    summarize_intervals,
)
from csflow.model import (
    AgentProfile,
    Channel,
    Customer,
    Priority,
    SkillRequirement,
    Ticket,
    TicketStatus,
    Tier,
)
from csflow.people import (
    consistency,
    people_report,
)
from csflow.policies import (
    EscalationPolicy,
    PolicyContext,
    PriorityPolicy,
    QueuePolicy,
    SlaSelectionPolicy,
)
from csflow.queues import (
    DuplicateTicketError,
)
from csflow.routing import (
    CapacityExceededError,
    QueueSlot,
    RankingStrategy,
    Relaxation,
    RelaxationStep,
    RoutingProfile,
    TransferLimitError,
)
from csflow.rules import (
    RuleSet,
)
from csflow.sim import (
    Scenario,
    SimResult,
    simulate,
)
from csflow.sla import (
    Metric,
    RecalcMode,
    SlaBreached,
    SlaCancelled,
    SlaMet,
    SlaPolicy,
    SlaTarget,
    SlaWarning,
)
from csflow.staffing import (
    erlang_a,
    erlang_c,
    forecast_from_history,
    staffing_plan,
)
from csflow.staffing.roster import (
    cover,
)
from csflow.staffing.verify import (
    verify_plan,
)
from csflow.sweep import (
    run_sweep,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "AgentPresenceChanged",
    "AgentProfile",
    "AgentProfileChanged",
    "BusinessCalendar",
    "CalendarError",
    "CallbackDue",
    "CallbackRequested",
    "CapacityExceededError",
    "Channel",
    "ClockView",
    "ConfigError",
    "CsflowError",
    "Customer",
    "Desk",
    "DeskConfig",
    "DuplicateAgentError",
    "DuplicateTicketError",
    "EscalationPolicy",
    "Event",
    "FeedbackRecorded",
    "GoodwillDeclined",
    "GoodwillGranted",
    "GoodwillLimitError",
    "GoodwillRequested",
    "IntervalReport",
    "IntervalSummarizer",
    "InvalidTransitionError",
    "InvariantError",
    "Metric",
    "PolicyContext",
    "Priority",
    "PriorityPolicy",
    "QueuePolicy",
    "QueueSlot",
    "QueueSpec",
    "RankingStrategy",
    "RecalcMode",
    "Relaxation",
    "RelaxationStep",
    "Report",
    "RoutingProfile",
    "RuleSet",
    "Scenario",
    "SimResult",
    "SkillRequirement",
    "SlaBreached",
    "SlaCancelled",
    "SlaDeadlineMoved",
    "SlaEscalated",
    "SlaMet",
    "SlaPolicy",
    "SlaSelectionPolicy",
    "SlaTarget",
    "SlaWarning",
    "Summarizer",
    "SurveyDue",
    "TeamSpec",
    "Ticket",
    "TicketAbandoned",
    "TicketAssigned",
    "TicketClosed",
    "TicketEscalated",
    "TicketOverflowed",
    "TicketPrioritized",
    "TicketQueued",
    "TicketRelaxed",
    "TicketReopened",
    "TicketRequeued",
    "TicketResolved",
    "TicketSlaPolicyChanged",
    "TicketStatus",
    "TicketStatusChanged",
    "TicketTransferred",
    "TicketView",
    "Tier",
    "TransferLimitError",
    "TransferLimitReached",
    "UndeclaredNameError",
    "UnknownAgentError",
    "UnknownTicketError",
    "__version__",
    "command_from_dict",
    "consistency",
    "cover",
    "erlang_a",
    "erlang_c",
    "event_from_dict",
    "forecast_from_history",
    "lint",
    "people_report",
    "run_sweep",
    "simulate",
    "staffing_plan",
    "summarize",
    "summarize_intervals",
    "verify_plan",
    "view_from_dict",
]
