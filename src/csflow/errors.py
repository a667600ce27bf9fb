"""Errors raised by csflow.

Every error csflow raises on purpose is a :class:`CsflowError`.  Each subclass also inherits
the builtin exception a caller would naturally catch (``ValueError`` for bad values,
``KeyError`` for unknown ids, ``AssertionError`` for a broken invariant), so ordinary
``except`` clauses keep working.

Messages name the argument, what was expected, and the value that was given (with ``!r``),
for example::

    CalendarError: 'at' must be timezone-aware, got datetime.datetime(2026, 3, 1, 9, 0)

A command that raises one of these errors has changed nothing.
"""

from __future__ import annotations

__all__ = [
    "CalendarError",
    "CapacityExceededError",
    "ConfigError",
    "CsflowError",
    "DuplicateAgentError",
    "DuplicateTicketError",
    "GoodwillLimitError",
    "InvalidTransitionError",
    "InvariantError",
    "TransferLimitError",
    "UndeclaredNameError",
    "UnknownAgentError",
    "UnknownTicketError",
]


class CsflowError(Exception):
    """Base class of every error csflow raises on purpose."""


class CalendarError(CsflowError, ValueError):
    """A calendar was defined or queried with a bad value.

    Raised for naive datetimes, malformed or overlapping business-hours spans, unknown time
    zones, ``end`` before ``start``, and calendars that never open again.
    """


class ConfigError(CsflowError, ValueError):
    """Configuration (a value object, a rule set, a desk config) is malformed.

    Args:
        message: What is wrong, naming the value and what was expected.
        path: Where the bad value sits, e.g. ``"rules[2].when.all[0]"``; empty when the value
            is the whole input.

    Attributes:
        path: The path given at construction.
        detail: What is wrong, without the path: what a reader of a larger document puts
            after its own path to the value (``f"{outer}.{exc.path}: {exc.detail}"``), so
            the path is named once.  For most errors the message without its path prefix;
            a ``Ticket``, ``Customer`` or ``AgentProfile`` built directly names the field in
            the message itself (``attributes.order.lines[1] must be a finite number, got
            nan``) and leaves the path out of ``detail`` (``attribute value must be ...``).
    """

    def __init__(self, message: str, path: str = "") -> None:
        self.path = path
        self.detail = message
        super().__init__(f"{path}: {message}" if path else message)

    def __reduce__(self) -> tuple[type[ConfigError], tuple[str, ...]]:
        # Keep the path when the error crosses a process boundary (sweeps run in pools).
        return (type(self), (self.detail, self.path))


class UndeclaredNameError(ConfigError):
    """A ticket or an agent names something the desk's configuration does not declare.

    A channel, tier, language, skill or team outside the configuration's declared sets
    (:mod:`csflow.desk.names`): the message names the value and the declared ones, the path
    where it sits (``ticket.channel``, ``profile.skills`` ...).  A ``ConfigError`` (and so a
    ``ValueError``), so existing handlers of malformed input keep catching it.
    """


class UnknownTicketError(CsflowError, KeyError):
    """A ticket id is not known where it was looked for: not at the desk, not waiting in the
    queue or the router asked, or not held by the agent named."""

    def __str__(self) -> str:
        # KeyError quotes its argument; a sentence reads better.
        return str(self.args[0]) if self.args else ""


class UnknownAgentError(CsflowError, KeyError):
    """An agent id is not known to the desk (or to the agent pool or router asked)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class InvalidTransitionError(CsflowError, ValueError):
    """A state change that the state machine does not allow (ticket or SLA clock).

    Also raised for a command at an instant earlier than the desk's last one, a hand-over
    the escalation graph has no edge for, an answer to a goodwill request that is not
    pending, a rating of a ticket not resolved or rated already, and a testing clock asked
    to step back or by a value that is no step of time.
    """


class DuplicateTicketError(CsflowError, ValueError):
    """A ticket id that the desk (or a queue, or the router) already holds was offered again.

    The desk raises it for a ``submit`` of an id it still knows (open or closed, until the
    host calls ``forget``), a queue for a ticket already waiting in it, the router for a
    ticket already waiting or held.
    """


class DuplicateAgentError(CsflowError, ValueError):
    """An agent id that the desk (or the agent pool) already holds was added again."""


class CapacityExceededError(InvalidTransitionError):
    """An assignment the agent cannot take now: it would go over its capacity on the channel
    (or its load budget, or past an exclusive channel), or its presence routes no work."""


class TransferLimitError(InvalidTransitionError):
    """A hand-over refused because the ticket reached its ``max_transfers``."""


class GoodwillLimitError(InvalidTransitionError):
    """A goodwill grant exceeds the agent's allowance or the ticket's limit, and the desk's
    goodwill policy refuses such grants (``over_limit="refuse"``)."""


class InvariantError(CsflowError, AssertionError):
    """A desk broke its contract; the message says which invariant and where.

    Raised by :func:`csflow.testing.check_invariants`; an ``AssertionError`` so that a test
    framework reports it as a failed assertion.
    """
