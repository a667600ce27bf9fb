"""Assertion helpers whose failure messages list the events that did happen."""

from __future__ import annotations

from collections.abc import Sequence

from csflow.events import Event, TicketAssigned
from csflow.model import Metric
from csflow.sla import SlaBreached

__all__ = ["assert_assigned", "assert_breached", "assert_no_breach", "assert_queued", "show_events"]


def show_events(events: Sequence[Event]) -> str:
    """The events one per line, indented, for a failure message (``(no events)`` if none)."""
    return "\n".join(f"  {e!r}" for e in events) or "  (no events)"


def assert_assigned(events: Sequence[Event], ticket: str, agent: str | None = None) -> None:
    """Assert that *events* assign *ticket* (to *agent*, when given).

    Raises:
        AssertionError: With the events that did happen.
    """
    for e in events:
        if isinstance(e, TicketAssigned) and e.ticket_id == ticket:
            if agent is None or e.agent_id == agent:
                return
            raise AssertionError(
                f"ticket {ticket!r} was assigned to {e.agent_id!r}, not {agent!r}:\n{show_events(events)}"
            )
    raise AssertionError(f"ticket {ticket!r} was not assigned; events:\n{show_events(events)}")


def assert_queued(events: Sequence[Event], ticket: str) -> None:
    """Assert that *ticket* entered a queue and was not assigned in *events*.

    Raises:
        AssertionError: With the events that did happen.
    """
    if any(isinstance(e, TicketAssigned) and e.ticket_id == ticket for e in events):
        raise AssertionError(f"ticket {ticket!r} was assigned; events:\n{show_events(events)}")


def assert_no_breach(
    events: Sequence[Event], ticket: str | None = None, metric: Metric | str | None = None
) -> None:
    """Assert that no SLA was breached in *events* (for *ticket* / *metric*, when given).

    Raises:
        AssertionError: Naming the breaches.
    """
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
    """
    m = Metric.parse(metric)
    for e in events:
        if isinstance(e, SlaBreached) and e.ticket_id == ticket and e.metric is m:
            return e
    raise AssertionError(
        f"no {m.name} breach for ticket {ticket!r}; events:\n{show_events(events)}"
    )
