"""Read-only views: what a host sees of a ticket and of its SLA clocks at an instant.

Views are frozen values built when a host asks (:meth:`Desk.ticket
<csflow.desk.Desk.ticket>`, :meth:`Desk.clocks <csflow.desk.Desk.clocks>`); holding one never
keeps the desk's own state alive or lets a host change it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

import attrs

from csflow._plain import decode_fields, encode_fields, whole_number
from csflow._text import show
from csflow._time import instant_us
from csflow.desk.serialisation import (
    profile_from_dict,
    profile_to_dict,
    ticket_from_dict,
    ticket_to_dict,
)
from csflow.errors import ConfigError
from csflow.model import AgentProfile, Metric, Ticket, TicketStatus
from csflow.routing import AgentStatus
from csflow.sla import ClockState, SlaClock

__all__ = [
    "VIEW_VERSION",
    "ClockView",
    "TicketView",
    "clock_view",
    "view_from_dict",
    "view_to_dict",
]

#: The ``version`` every view's plain-data form carries.
VIEW_VERSION: Final = 1


@attrs.frozen
class ClockView:
    """One SLA clock as a host sees it at an instant.

    Attributes:
        metric: The metric.
        state: ``running``, ``paused``, ``breached``, ``breached_paused``, ``met``,
            ``met_late`` or ``cancelled`` (the clock's :class:`~csflow.sla.ClockState` value)
            as of the view's instant: a running clock whose deadline that instant has passed
            reads ``breached`` already (its :class:`~csflow.sla.SlaBreached` comes with the
            desk's next :meth:`~csflow.desk.Desk.advance` or command on the ticket).
        target: The target in force.
        due_at: The deadline (``None`` while paused on time, met on time, cancelled, or when
            the calendar never reaches the target).
        elapsed: Business time used by the view's instant.
        remaining: Business time left before the target (zero once reached).
    """

    metric: Metric
    state: str
    target: timedelta
    due_at: datetime | None
    elapsed: timedelta
    remaining: timedelta

    def to_dict(self) -> dict[str, Any]:
        """This view as JSON-compatible data (:func:`view_to_dict`)."""
        return view_to_dict(self)


@attrs.frozen
class TicketView:
    """A ticket's place at the desk.

    Attributes:
        ticket: The ticket as the desk knows it now (priority after triage and changes).
        state: One of :data:`~csflow.desk.lifecycle.TICKET_STATES` (a
            :class:`~csflow.model.TicketStatus`, equal to its name: ``view.state == "queued"``).
        agent_id: The agent holding (``assigned``) or owning (``pending``/``on_hold``/
            ``solved``) it, if any.
        queue: The queue it waits in (or last waited in).
        team: The team whose queue that is, if any.
        sla_policy: The SLA policy's name, or ``None``.
        transfers: Hand-overs so far (transfers and escalations).
        callback: It is a call-back the customer still waits for: waiting in line on the
            phone, or held by the agent calling (a :meth:`~csflow.desk.Desk.requeue` puts it
            back in line as one).  False once the call was made: its agent parked it
            (``pending``, ``on_hold``), resolved it or handed it over.
        tags: Tags the triage rules added.
    """

    ticket: Ticket
    state: TicketStatus
    agent_id: str | None
    queue: str
    team: str | None
    sla_policy: str | None
    transfers: int
    callback: bool
    tags: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """This view as JSON-compatible data (:func:`view_to_dict`)."""
        return view_to_dict(self)


def clock_view(metric: Metric, clock: SlaClock, at: datetime) -> ClockView:
    """*clock* (the ticket's *metric* clock) as seen at *at*: a running clock past its
    deadline reads ``breached`` (the clock itself changes when the desk fires the breach)."""
    state = clock.state
    name = state.value
    if state is ClockState.RUNNING:
        # Compared as instants (two datetimes in one zone compare by wall clock).
        due_us = clock.due_us
        if due_us is not None and instant_us(at, "at") > due_us:
            name = ClockState.BREACHED.value
    return ClockView(
        metric,
        name,
        clock.target.duration,
        clock.due_at,
        clock.elapsed(at),
        clock.remaining(at),
    )


_VIEWS: Final[dict[str, type[Any]]] = {
    "ClockView": ClockView,
    "TicketView": TicketView,
    "AgentStatus": AgentStatus,
}
_HOOKS: Final = {Ticket: ticket_from_dict, AgentProfile: profile_from_dict}


def view_to_dict(view: ClockView | TicketView | AgentStatus) -> dict[str, Any]:
    """A view as JSON-compatible data: ``{"type": "ClockView", "version": 1, ...fields}``.

    Instants in UTC (ISO 8601 with offset: a clock's ``due_at`` is in its calendar's zone in
    memory, written in UTC), durations as ISO 8601 seconds, the ticket and the agent profile
    as :func:`~csflow.desk.serialisation.ticket_to_dict` and ``profile_to_dict`` write them.

    Raises:
        ConfigError: Not a view.
    """
    name = type(view).__name__
    if _VIEWS.get(name) is not type(view):
        raise ConfigError(f"expected a ClockView, TicketView or AgentStatus, got {show(view)}")
    out: dict[str, Any] = {"type": name, "version": VIEW_VERSION, **encode_fields(view)}
    if isinstance(view, TicketView):
        out["ticket"] = ticket_to_dict(view.ticket)
    if isinstance(view, AgentStatus):
        out["profile"] = profile_to_dict(view.profile)
    return out


def view_from_dict(data: object, path: str = "view") -> ClockView | TicketView | AgentStatus:
    """The view :func:`view_to_dict` wrote, dispatched on its ``type`` tag.

    Raises:
        ConfigError: An unknown type, a version newer than :data:`VIEW_VERSION`, a missing,
            unknown or malformed field -- with the path to it.
    """
    if not isinstance(data, dict):
        raise ConfigError(f"expected a mapping, got {show(data)}", path)
    version = whole_number(data.get("version"))  # ``1.0`` too, as its fields' ints
    if version is None or version < 1:
        raise ConfigError(
            f"expected a positive int, got {show(data.get('version'))}", f"{path}.version"
        )
    if version > VIEW_VERSION:
        raise ConfigError(
            f"view format version {show(version)} is newer than this csflow reads "
            f"({VIEW_VERSION}); upgrade csflow",
            f"{path}.version",
        )
    tag = data.get("type")
    cls = _VIEWS.get(tag) if isinstance(tag, str) else None
    if cls is None:
        raise ConfigError(
            f"unknown view type {show(tag)}; expected one of {show(sorted(_VIEWS))}",
            f"{path}.type",
        )
    hooks: dict[type, Any] = dict(_HOOKS)
    return decode_fields(cls, data, path, skip=frozenset({"type", "version"}), hooks=hooks)  # type: ignore[no-any-return]
