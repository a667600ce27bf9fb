"""A ticket's life at the desk: its states, the commands that move it, and one table.

Theory of operation
-------------------
A ticket at a desk is always in one of seven states, a subset of the status vocabulary
:class:`~csflow.model.TicketStatus` that SLA pausing (``pause_on``) uses too, so the desk
hands its state to the SLA clocks as it is::

    submit -> queued -> assigned <-> pending / on_hold -> solved -> closed
                 |          |                                |
              abandoned  transfer / escalate -> queued     reopen -> queued

What may happen to it is one table of data, :data:`TRANSITIONS` (state before x command ->
state after), and :func:`next_state` is the one function that reads it.  The desk never
writes a ticket's state itself: every change -- a host's command, routing's ``assign`` and
``requeue`` edges -- goes through that function, so a command that the table does not allow
raises :class:`~csflow.errors.InvalidTransitionError` before anything changes.

A command that leads to ``queued`` is followed by routing, which may take the ``assign``
edge at the same instant.  ``requeue`` is the edge a ticket takes when the agent holding it
gives it back (:meth:`~csflow.desk.Desk.requeue`: a call-back whose customer did not pick up)
or leaves the desk.  ``None`` stands for "not at the desk yet" (the state before ``submit``).
Closed and abandoned tickets are final: no command moves them, and only they may be
forgotten (:data:`FORGETTABLE`).

:data:`LIFECYCLE` is the same table keyed by command (the form the desk's refusal messages
and older code read), and :func:`lifecycle_graph` draws it as a networkx ``DiGraph``, as
:func:`csflow.sla.transition_graph` does for SLA clocks.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Final

import networkx as nx

from csflow._frozen import FrozenDict
from csflow._text import show
from csflow.errors import ConfigError, InvalidTransitionError
from csflow.model import TicketStatus

__all__ = [
    "FORGETTABLE",
    "LIFECYCLE",
    "TICKET_STATES",
    "TRANSITIONS",
    "TicketCommand",
    "lifecycle_graph",
    "next_state",
    "status_command",
]


class TicketCommand(enum.StrEnum):
    """What may happen to a ticket at the desk: the column heads of :data:`TRANSITIONS`.

    Most are the :class:`~csflow.desk.Desk` methods of the same name; ``set_status`` is one
    command per status it sets (``set_status:pending`` ...); ``assign`` (routing gives a
    waiting ticket to an agent) is the desk's own edge; ``requeue`` is
    :meth:`Desk.requeue <csflow.desk.Desk.requeue>` and also the edge a ticket takes when the
    agent holding it leaves the desk.
    """

    SUBMIT = "submit"
    ASSIGN = "assign"
    REPLY = "reply"
    CUSTOMER_MESSAGE = "customer_message"
    SET_PENDING = "set_status:pending"
    SET_ON_HOLD = "set_status:on_hold"
    SET_OPEN = "set_status:open"
    SET_PRIORITY = "set_priority"
    TRANSFER = "transfer"
    ESCALATE = "escalate"
    REQUEST_CALLBACK = "request_callback"
    ABANDON = "abandon"
    REQUEUE = "requeue"
    RESOLVE = "resolve"
    REOPEN = "reopen"
    CLOSE = "close"


_Q = TicketStatus.QUEUED
_A = TicketStatus.ASSIGNED
_P = TicketStatus.PENDING
_H = TicketStatus.ON_HOLD
_S = TicketStatus.SOLVED
_C = TicketStatus.CLOSED
_X = TicketStatus.ABANDONED
_T = TicketCommand

TRANSITIONS: Final[Mapping[tuple[TicketStatus | None, TicketCommand], TicketStatus]] = FrozenDict(
    {
        (None, _T.SUBMIT): _Q,
        # Waiting in a queue.
        (_Q, _T.ASSIGN): _A,
        (_Q, _T.CUSTOMER_MESSAGE): _Q,
        (_Q, _T.SET_PRIORITY): _Q,
        (_Q, _T.TRANSFER): _Q,
        (_Q, _T.ESCALATE): _Q,
        (_Q, _T.REQUEST_CALLBACK): _Q,
        (_Q, _T.ABANDON): _X,
        # Held by an agent (using its capacity).
        (_A, _T.REPLY): _A,
        (_A, _T.CUSTOMER_MESSAGE): _A,
        (_A, _T.SET_PENDING): _P,
        (_A, _T.SET_ON_HOLD): _H,
        (_A, _T.SET_PRIORITY): _A,
        (_A, _T.TRANSFER): _Q,
        (_A, _T.ESCALATE): _Q,
        (_A, _T.REQUEUE): _Q,
        (_A, _T.RESOLVE): _S,
        # Owned by an agent without using capacity: waiting on the customer ...
        (_P, _T.REPLY): _P,
        (_P, _T.CUSTOMER_MESSAGE): _Q,
        (_P, _T.SET_ON_HOLD): _H,
        (_P, _T.SET_OPEN): _Q,
        (_P, _T.SET_PRIORITY): _P,
        (_P, _T.TRANSFER): _Q,
        (_P, _T.ESCALATE): _Q,
        (_P, _T.RESOLVE): _S,
        # ... or on a third party.
        (_H, _T.REPLY): _H,
        (_H, _T.CUSTOMER_MESSAGE): _H,
        (_H, _T.SET_PENDING): _P,
        (_H, _T.SET_OPEN): _Q,
        (_H, _T.SET_PRIORITY): _H,
        (_H, _T.TRANSFER): _Q,
        (_H, _T.ESCALATE): _Q,
        (_H, _T.RESOLVE): _S,
        # Solved: the customer may still reopen it until it is closed.
        (_S, _T.REOPEN): _Q,
        (_S, _T.CLOSE): _C,
    }
)
"""The ticket lifecycle as data: (state before, command) -> state after.  A pair that is not
here is refused with :class:`~csflow.errors.InvalidTransitionError`."""

TICKET_STATES: Final[tuple[TicketStatus, ...]] = (_Q, _A, _P, _H, _S, _C, _X)
"""Every state a ticket can be in at the desk (a subset of :class:`~csflow.model.TicketStatus`),
in the order of a ticket's life."""

FORGETTABLE: Final[frozenset[TicketStatus]] = frozenset({_C, _X})
"""The final states: no command leaves them, and :meth:`~csflow.desk.Desk.forget` drops only
tickets in one of them."""

LIFECYCLE: Final[Mapping[str, Mapping[str | None, TicketStatus]]] = FrozenDict(
    {
        command: FrozenDict({src: dst for (src, c), dst in TRANSITIONS.items() if c is command})
        for command in TicketCommand
    }
)
""":data:`TRANSITIONS` keyed by command: command -> {state before: state after}, derived from it
(every command, in :class:`TicketCommand` order).  ``submit`` starts from ``None``. Keys are
:class:`TicketCommand` and :class:`~csflow.model.TicketStatus` members, which are strings, so
``LIFECYCLE["resolve"]["pending"] == "solved"``."""

# The states each command is allowed from, as the refusal message lists them.
_ALLOWED: Final[Mapping[str, list[str]]] = {
    command: sorted(str(s) for s in moves if s is not None) for command, moves in LIFECYCLE.items()
}

_STATUS_COMMANDS: Final[Mapping[str, TicketCommand]] = {
    "open": _T.SET_OPEN,
    "pending": _T.SET_PENDING,
    "on_hold": _T.SET_ON_HOLD,
}


def next_state(state: TicketStatus | None, command: TicketCommand, ticket_id: str) -> TicketStatus:
    """The state *command* moves a ticket in *state* to: the one reader of the table.

    Args:
        state: The ticket's state now (``None`` before it is submitted).
        command: What happens to it.
        ticket_id: The ticket's id, for the message.

    Returns:
        The state after.

    Raises:
        InvalidTransitionError: The table has no such move; the message names the ticket, its
            state and the states the command is allowed from.
    """
    new = LIFECYCLE[command].get(state)
    if new is None:
        raise InvalidTransitionError(
            f"cannot {command.replace('set_status:', 'set status ')} ticket {show(ticket_id)}: "
            f"it is {state}; allowed from {show(_ALLOWED[command])}"
        )
    return new


def status_command(status: object) -> TicketCommand:
    """The command :meth:`Desk.set_status <csflow.desk.Desk.set_status>` *status* stands for.

    Raises:
        ConfigError: A status other than ``open``, ``pending`` or ``on_hold``.
    """
    command = _STATUS_COMMANDS.get(status) if isinstance(status, str) else None
    if command is None:
        raise ConfigError(f"status must be 'open', 'pending' or 'on_hold', got {show(status)}")
    return command


def lifecycle_graph() -> nx.DiGraph[TicketStatus]:
    """The transition table as a networkx ``DiGraph`` (for docs and checks).

    Nodes are the :data:`TICKET_STATES` (attribute ``final``: no command leaves them) and
    :attr:`TicketStatus.NEW <csflow.model.TicketStatus.NEW>`, which stands for the ``None``
    of the table (a ticket not at the desk yet; attribute ``start``).  Each edge carries
    ``commands``, the sorted command names that take it, and ``label``, those names joined by
    ``", "``.

    Examples:
        >>> graph = lifecycle_graph()
        >>> graph.edges["solved", "queued"]["commands"]
        ('reopen',)
    """
    graph: nx.DiGraph[TicketStatus] = nx.DiGraph()
    graph.add_node(TicketStatus.NEW, start=True, final=False)
    for state in TICKET_STATES:
        graph.add_node(state, start=False, final=not any(s is state for s, _ in TRANSITIONS))
    for (src, command), dst in TRANSITIONS.items():
        node = TicketStatus.NEW if src is None else src
        commands = [command.value]
        if graph.has_edge(node, dst):
            commands = sorted([*graph.edges[node, dst]["commands"], *commands])
        graph.add_edge(node, dst, commands=tuple(commands), label=", ".join(commands))
    return graph
