"""Routing decisions and changes: why a ticket went to an agent (:class:`RoutingReason`), the
:class:`Assignment` itself, and the time-driven changes of a waiting ticket (:class:`Relaxed`,
:class:`Overflowed`, :class:`PinReleased`).

The router builds a reason and an assignment on every decision, so :func:`new_reason` and
:func:`new_assignment` fill the frozen instances' slots directly, skipping the validation of
values the router already knows are valid.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeAlias

import attrs

from csflow._slots import new_object, slot_setters
from csflow._time import utc
from csflow.queues import QueuedTicket, Signature

__all__ = [
    "Assignment",
    "Overflowed",
    "PinReleased",
    "Relaxed",
    "RoutingChange",
    "RoutingReason",
    "new_assignment",
    "new_reason",
]


@attrs.frozen
class RoutingReason:
    """Why a ticket went to an agent.

    Attributes:
        how: ``"ticket"`` (a ticket was routed: the chain chose among agents), ``"agent"``
            (an agent freed up and took the best waiting ticket it may take), ``"preferred"``
            (a pinning strategy named the agent), ``"reopen"`` (back to the last agent),
            ``"direct"`` (assigned by hand) or ``"batch"``.
        strategies: The strategy chain's names (for ``"agent"``: ``("queue_order",)``).
        candidates: How many agents were eligible (for ``"agent"``: how many group heads the
            agent compared).
        rule: The rule that chose the routing, if the caller named one.
        queue: The queue the ticket waited in.
        signature: The requirements it was matched on.
        step: How many relaxation steps had applied.
    """

    how: str
    strategies: tuple[str, ...]
    candidates: int
    rule: str | None
    queue: str
    signature: Signature
    step: int = 0

    def __str__(self) -> str:
        # The desk formats every assignment's reason; all but the candidate count repeat
        # from one assignment to the next, so that text is formatted once and reused.
        parts = (self.how, self.strategies, self.queue, self.signature, self.step, self.rule)
        fixed = _REASON_TEXT.get(parts)
        if fixed is None:
            fixed = _reason_text(*parts)
            if len(_REASON_TEXT) >= 4096:  # a bound, not an LRU: reasons are few in practice
                _REASON_TEXT.clear()
            _REASON_TEXT[parts] = fixed
        n = self.candidates
        return f"{fixed[0]}{n} candidate{'s' if n != 1 else ''}{fixed[1]}"


_REASON_TEXT: dict[
    tuple[str, tuple[str, ...], str, Signature, int, str | None], tuple[str, str]
] = {}


def _reason_text(
    how: str,
    strategies: tuple[str, ...],
    queue: str,
    signature: Signature,
    step: int,
    rule: str | None,
) -> tuple[str, str]:
    """A reason's text before and after its candidate count."""
    # A hand-made assignment (``direct``) has no strategy chain: ``direct: among 1 ...``.
    head = f"{how}: {' > '.join(strategies)} among " if strategies else f"{how}: among "
    tail = f" in queue {queue!r} on {signature}"
    if step:
        tail += f" after {step} relaxation step{'s' if step != 1 else ''}"
    if rule is not None:
        tail += f" (rule {rule!r})"
    return head, tail


@attrs.frozen
class Assignment:
    """A ticket given to an agent.

    Attributes:
        ticket_id: The ticket.
        agent_id: The agent.
        at_us: When (microseconds).
        callback: The ticket was a call-back: the agent calls the customer.
        reason: Why.
        entry: The queue entry, when the ticket had waited.
    """

    ticket_id: str
    agent_id: str
    at_us: int
    reason: RoutingReason
    callback: bool = False
    entry: QueuedTicket | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def at(self) -> datetime:
        """When, as an aware UTC datetime."""
        return utc(self.at_us)


@attrs.frozen
class Relaxed:
    """A waiting ticket's requirements widened by a relaxation step."""

    ticket_id: str
    at_us: int
    step: int
    signature: Signature
    description: str


@attrs.frozen
class Overflowed:
    """A waiting ticket moved to another queue by a relaxation step (keeping its key)."""

    ticket_id: str
    at_us: int
    from_queue: str
    to_queue: str


@attrs.frozen
class PinReleased:
    """A ticket stopped waiting for its preferred agent and is open to every eligible agent."""

    ticket_id: str
    at_us: int
    agent_id: str


RoutingChange: TypeAlias = Assignment | Relaxed | Overflowed | PinReleased

_REASON_SET = slot_setters(
    RoutingReason, ("how", "strategies", "candidates", "rule", "queue", "signature", "step")
)
_ASSIGNMENT_SET = slot_setters(
    Assignment, ("ticket_id", "agent_id", "at_us", "reason", "callback", "entry")
)


def new_reason(
    how: str,
    strategies: tuple[str, ...],
    candidates: int,
    rule: str | None,
    queue: str,
    signature: Signature,
    step: int,
) -> RoutingReason:
    """``RoutingReason(...)`` for the router's own, already valid, values (cheaper)."""
    reason: RoutingReason = new_object(RoutingReason)
    s_how, s_strategies, s_candidates, s_rule, s_queue, s_signature, s_step = _REASON_SET
    s_how(reason, how)
    s_strategies(reason, strategies)
    s_candidates(reason, candidates)
    s_rule(reason, rule)
    s_queue(reason, queue)
    s_signature(reason, signature)
    s_step(reason, step)
    return reason


def new_assignment(
    ticket_id: str,
    agent_id: str,
    at_us: int,
    reason: RoutingReason,
    callback: bool,
    entry: QueuedTicket | None,
) -> Assignment:
    """``Assignment(...)`` for the router's own, already valid, values (cheaper)."""
    out: Assignment = new_object(Assignment)
    s_ticket, s_agent, s_at, s_reason, s_callback, s_entry = _ASSIGNMENT_SET
    s_ticket(out, ticket_id)
    s_agent(out, agent_id)
    s_at(out, at_us)
    s_reason(out, reason)
    s_callback(out, callback)
    s_entry(out, entry)
    return out
