"""Assertion helpers whose failure messages list the events that did happen."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from csflow._text import show
from csflow.errors import ConfigError
from csflow.events import (
    Event,
    TicketAbandoned,
    TicketAssigned,
    TicketClosed,
    TicketEscalated,
    TicketOverflowed,
    TicketQueued,
    TicketRequeued,
    TicketResolved,
    TicketTransferred,
)
from csflow.model import Metric
from csflow.sla import SlaBreached

__all__ = ["assert_assigned", "assert_breached", "assert_no_breach", "assert_queued", "show_events"]


def show_events(events: Sequence[Event]) -> str:
    """The events one per line, indented, for a failure message (``(no events)`` if none)."""
    return "\n".join(f"  {e!r}" for e in events) or "  (no events)"


def _check(events: object, ticket: object, *, any_ticket: bool = False) -> None:
    # The arguments a test passes: a list of events, a ticket id.  A wrong one is the test's
    # mistake, not a failed assertion: a ConfigError naming it.
    if isinstance(events, str | bytes | Mapping) or not isinstance(events, Iterable):
        raise ConfigError(f"must be a sequence of events, got {show(events)}", "events")
    if not isinstance(ticket, str) and not (any_ticket and ticket is None):
        raise ConfigError(f"must be a ticket id (a string), got {show(ticket)}", "ticket")


def assert_assigned(events: Sequence[Event], ticket: str, agent: str | None = None) -> None:
    """Assert that *events* assign *ticket* -- and, when *agent* is given, that the latest
    assignment of *ticket* in *events* is to *agent*.

    A ticket handed from agent to agent (a transfer, an escalation, a reopen) is assigned
    more than once; what counts is who got it last in *events*, so after a transfer to Bob
    ``assert_assigned(events, "t1", "bob")`` passes.  Whether the ticket is still with that
    agent at the end of *events* (not resolved or requeued since) is not checked.

    Args:
        events: The events, in order.
        ticket: The ticket id.
        agent: The agent who must have the ticket's latest assignment, or ``None`` for any.

    Raises:
        AssertionError: Listing the ticket's assignments in *events* (agent and instant) and
            the events that did happen.
        ConfigError: *events* is not a sequence of events, or *ticket* not an id.
    """
    _check(events, ticket)
    seen = [e for e in events if isinstance(e, TicketAssigned) and e.ticket_id == ticket]
    if not seen:
        raise AssertionError(f"ticket {ticket!r} was not assigned; events:\n{show_events(events)}")
    last = seen[-1].agent_id
    if agent is not None and last != agent:
        history = ", ".join(f"{e.agent_id!r} at {e.at.isoformat()}" for e in seen)
        raise AssertionError(
            f"ticket {ticket!r} was last assigned to {last!r}, not {agent!r}; its assignments: "
            f"{history}; events:\n{show_events(events)}"
        )


#: The events that put a ticket in line: a submission, a reopen or a resumed ticket
#: (``TicketQueued``), an agent removed (``TicketRequeued``), a hand-over (``TicketTransferred``,
#: ``TicketEscalated``) and an overflow to another queue (``TicketOverflowed``).
_ENTERS_A_QUEUE = (
    TicketQueued,
    TicketRequeued,
    TicketTransferred,
    TicketEscalated,
    TicketOverflowed,
)


#: The events that take a waiting ticket out of line: an assignment (``TicketAssigned``), the
#: customer giving up (``TicketAbandoned``) -- and, should a ticket be solved or closed without
#: an assignment in *events* (a list that starts late), ``TicketResolved`` and ``TicketClosed``.
_LEAVES_A_QUEUE = (TicketAssigned, TicketAbandoned, TicketResolved, TicketClosed)


def assert_queued(events: Sequence[Event], ticket: str) -> None:
    """Assert that *ticket* entered a queue in *events* and is still waiting at their end.

    A ticket enters a queue with a :class:`~csflow.events.TicketQueued` (submitted, reopened,
    work resumed), a :class:`~csflow.events.TicketRequeued`, a hand-over
    (:class:`~csflow.events.TicketTransferred`, :class:`~csflow.events.TicketEscalated`; a
    hand-over to an agent is followed by its :class:`~csflow.events.TicketAssigned`) or a
    :class:`~csflow.events.TicketOverflowed`, and leaves it when assigned
    (:class:`~csflow.events.TicketAssigned`), abandoned
    (:class:`~csflow.events.TicketAbandoned`), solved or closed.  So the assertion passes
    when *ticket* is waiting at the end of *events*; a ticket that never entered a queue, or
    left it after it last entered, fails it.

    Args:
        events: The events, in order.
        ticket: The ticket id.

    Raises:
        AssertionError: The ticket never entered a queue, or left it after it last did
            (assigned -- to whom --, abandoned, solved or closed); with the events that did
            happen.
        ConfigError: *events* is not a sequence of events, or *ticket* not an id.
    """
    _check(events, ticket)
    entered = -1
    left: Event | None = None
    for i, e in enumerate(events):
        if getattr(e, "ticket_id", None) != ticket:
            continue
        if isinstance(e, _ENTERS_A_QUEUE):
            entered, left = i, None
        elif isinstance(e, _LEAVES_A_QUEUE) and entered >= 0:
            left = e
    if entered < 0:
        raise AssertionError(
            f"ticket {ticket!r} never entered a queue; events:\n{show_events(events)}"
        )
    if isinstance(left, TicketAssigned):
        raise AssertionError(
            f"ticket {ticket!r} was assigned to {left.agent_id!r} after it entered a queue; "
            f"events:\n{show_events(events)}"
        )
    if left is not None:
        how = {
            TicketAbandoned: "abandoned",
            TicketResolved: "solved",
            TicketClosed: "closed",
        }[type(left)]
        raise AssertionError(
            f"ticket {ticket!r} was {how} after it entered a queue, so it no longer waits; "
            f"events:\n{show_events(events)}"
        )


def assert_no_breach(
    events: Sequence[Event], ticket: str | None = None, metric: Metric | str | None = None
) -> None:
    """Assert that no SLA was breached in *events* (for *ticket* / *metric*, when given).

    Raises:
        AssertionError: Naming the breaches.
        ConfigError: *events* is not a sequence of events, or *ticket* not an id.
    """
    _check(events, ticket, any_ticket=True)
    m = None if metric is None else Metric.parse(metric)
    bad = [
        e
        for e in events
        if isinstance(e, SlaBreached)
        and (ticket is None or e.ticket_id == ticket)
        and (m is None or e.metric is m)
    ]
    if bad:
        raise AssertionError(f"unexpected SLA breaches:\n{show_events(bad)}")


def assert_breached(events: Sequence[Event], ticket: str, metric: Metric | str) -> SlaBreached:
    """Assert that *ticket*'s *metric* was breached in *events*; returns the breach.

    Raises:
        AssertionError: With the events that did happen.
        ConfigError: *events* is not a sequence of events, or *ticket* not an id.
    """
    _check(events, ticket)
    m = Metric.parse(metric)
    for e in events:
        if isinstance(e, SlaBreached) and e.ticket_id == ticket and e.metric is m:
            return e
    raise AssertionError(
        f"no {m.name} breach for ticket {ticket!r}; events:\n{show_events(events)}"
    )
