"""SLA policies and per-ticket SLA clocks on business-hours calendars.

An :class:`SlaPolicy` promises, per :class:`~csflow.model.Metric` and optionally per
:class:`~csflow.model.Priority`, an amount of *business time* on one
:class:`~csflow.calendar.BusinessCalendar`.  An :class:`SlaClock` keeps one such promise for one
ticket; a :class:`TicketSla` owns a ticket's four clocks and turns the ticket's life (agent
replies, customer messages, status changes, priority or policy changes) into clock commands.
The clocks emit :class:`~csflow.events.SlaWarning`, :class:`~csflow.events.SlaBreached` and
:class:`~csflow.events.SlaMet` (and a ticket's clocks :class:`~csflow.events.SlaCancelled`),
defined with the other events in :mod:`csflow.events` and
re-exported here.

One concept per module:

* :mod:`csflow.sla.durations`: reading and writing target durations (ISO 8601 or seconds);
* :mod:`csflow.sla.policy`: :class:`SlaPolicy`, :class:`SlaTarget`, :func:`resolve_policy`,
  :class:`RecalcMode` and the status vocabulary of ``pause_on``;
* :mod:`csflow.sla.states`: the clock's state table (:data:`TRANSITIONS`);
* :mod:`csflow.sla.clock`: :class:`SlaClock`, and the theory of operation of a clock
  (pauses, lazy events, breach and "met late", recalculation);
* :mod:`csflow.sla.ticket`: :class:`TicketSla`.
"""

from __future__ import annotations

from csflow.events import SlaBreached, SlaCancelled, SlaEvent, SlaMet, SlaWarning
from csflow.model import Metric
from csflow.sla.clock import SlaClock
from csflow.sla.durations import format_duration, parse_duration
from csflow.sla.policy import (
    DEFAULT_PAUSE_ON,
    DEFAULT_WARNINGS,
    FINAL_STATUSES,
    PAUSABLE_STATUSES,
    TICKET_STATUSES,
    RecalcMode,
    SlaPolicy,
    SlaTarget,
    resolve_policy,
)
from csflow.sla.states import TRANSITIONS, ClockAction, ClockState, next_state, transition_graph
from csflow.sla.ticket import TicketSla

__all__ = [
    "DEFAULT_PAUSE_ON",
    "DEFAULT_WARNINGS",
    "FINAL_STATUSES",
    "PAUSABLE_STATUSES",
    "TICKET_STATUSES",
    "TRANSITIONS",
    "ClockAction",
    "ClockState",
    "Metric",
    "RecalcMode",
    "SlaBreached",
    "SlaCancelled",
    "SlaClock",
    "SlaEvent",
    "SlaMet",
    "SlaPolicy",
    "SlaTarget",
    "SlaWarning",
    "TicketSla",
    "format_duration",
    "next_state",
    "parse_duration",
    "resolve_policy",
    "transition_graph",
]
