"""Undoing a command that the host's own code made fail part-way.

Theory of operation
-------------------
A desk checks a command before it changes anything, so a command the desk refuses has
changed nothing.  Some of the host's code cannot be asked first, because the desk only
learns which calls it needs while the command changes things: a custom ranking strategy's
``key`` is read by the agent pool's lazy heaps whenever an agent joins, comes online, takes
or frees work, or a ticket with new requirements arrives (:mod:`csflow.routing.pool`), and a
custom key policy keys a ticket that goes back in line, or that a relaxation step moves to
another queue in the middle of :meth:`~csflow.desk.Desk.advance`.  When such code raises,
the router and the desk are half-way through the change.

So a desk whose configuration holds such code (:func:`runs_host_code`) keeps a
:class:`Checkpoint`: its state snapshot (:func:`~csflow.desk.state.state_snapshot`) and the
commands it applied since.  A command that raises after it began to change the desk is
undone by rebuilding the desk from the checkpoint (as :meth:`~csflow.desk.Desk.restore`
does) and applying those commands again; then the exception propagates as it was raised.
The replay makes the same calls of the host's code with the same answers, because that code
is a function of what it is given (:class:`~csflow.routing.strategies.RankingStrategy`, a
key policy): what the desk was before the failed command is what it is again.  A queue
ordered by deadline without a ``fallback`` (:class:`~csflow.queues.DeadlineKey`) refuses a
ticket without an SLA due instant, which a hand-over, requeue, reopen, resume or an agent
leaving finds out only as it moves the ticket: the desk keeps a checkpoint for it too
(``csflow.desk.desk._keeps_checkpoint``).

A checkpoint is taken again once the commands since the last one outnumber the desk's
tickets and agents (and at least :data:`MIN_COMMANDS`): its O(tickets + agents) cost is O(1)
per command on average, and an undo costs O(tickets + agents) once.  A desk with only the
built-in strategies and key policies -- code that never raises on a checked ticket -- keeps
no checkpoint and pays nothing (unless a deadline queue has no fallback, above).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from csflow.desk.config import DeskConfig
from csflow.queues import AgingKey, DeadlineKey
from csflow.routing import (
    BestProficiency,
    LongestIdle,
    MostSpareCapacity,
    PreferredAgent,
    RoundRobin,
)

__all__ = ["MIN_COMMANDS", "Checkpoint", "runs_host_code"]

#: The fewest commands between two checkpoints.
MIN_COMMANDS: Final = 64

_BUILT_IN_STRATEGIES: Final = frozenset(
    {BestProficiency, LongestIdle, MostSpareCapacity, PreferredAgent, RoundRobin}
)
_BUILT_IN_KEYS: Final = frozenset({AgingKey, DeadlineKey})


def runs_host_code(config: DeskConfig) -> bool:
    """Whether a desk of *config* may call the host's code while a command changes it: a
    strategy or a queue's key policy that is not one of csflow's own (a subclass counts as
    the host's).  The triage, priority, queue and SLA-selection policies are asked before a
    submission changes anything, and the escalation policy's failures are reported
    (:class:`~csflow.events.SlaEscalated`), so they need no checkpoint."""
    if any(type(s) not in _BUILT_IN_STRATEGIES for s in config.strategies):
        return True
    return any(type(q.key) not in _BUILT_IN_KEYS for q in config.queues)


class Checkpoint:
    """A desk's state at some instant, and the commands applied since (see the module
    docstring).

    Attributes:
        state: The desk's state snapshot (its ``state`` part), ``None`` before the first.
        now: The desk's instant (µs) when it was taken.
        log: The commands applied since: ``(function, args, kwargs)``, the function called
            with the desk first.
        left: How many more commands before the next checkpoint.
        busy: A command runs (or is replayed) under this checkpoint now: the commands it
            calls are not checkpointed again.
    """

    __slots__ = ("busy", "left", "log", "now", "state")

    def __init__(self) -> None:
        self.state: dict[str, Any] | None = None
        self.now = 0
        self.log: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = []
        self.left = 0
        self.busy = False

    def take(self, state: dict[str, Any], now: int, size: int) -> None:
        """Keep *state* (at *now*) for a desk of *size* tickets and agents; the log restarts."""
        self.state = state
        self.now = now
        self.log = []
        self.left = max(MIN_COMMANDS, size)
