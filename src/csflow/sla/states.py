"""The SLA clock's state table: which commands a clock accepts in which state.

Theory of operation
-------------------
A clock (:class:`~csflow.sla.clock.SlaClock`) is in one of seven :class:`ClockState` values.
Every change of state goes through one table, :data:`TRANSITIONS` (``(state, action) ->
state``), applied by :func:`next_state`: the clock consults it for each command and for each
breach that time brings, so no code path sets a state the table does not allow.  An absent key
is an illegal transition; a command whose action the table does not allow raises
:class:`~csflow.errors.InvalidTransitionError` and changes nothing.  :func:`transition_graph`
draws the same table as a networkx ``DiGraph``, which the tests walk edge by edge and the docs
can draw.

``BREACH`` is the only action that time drives; a running clock and a breached one accept the
same commands, so a command validated before the breaches due earlier than its instant are
applied is still allowed after them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Final

import networkx as nx

from csflow._frozen import FrozenDict
from csflow.errors import InvalidTransitionError

__all__ = ["TRANSITIONS", "ClockAction", "ClockState", "next_state", "transition_graph"]


class ClockState(enum.Enum):
    """The state of an :class:`~csflow.sla.clock.SlaClock`.

    ``RUNNING`` and ``PAUSED`` are on time; ``BREACHED`` and ``BREACHED_PAUSED`` are past the
    target (still measuring how late); ``MET``, ``MET_LATE`` and ``CANCELLED`` are finished
    (``MET`` and ``MET_LATE`` can be re-opened).
    """

    __hash__ = object.__hash__  # as Metric's: the identity hash, computed in C

    RUNNING = "running"
    PAUSED = "paused"
    BREACHED = "breached"
    BREACHED_PAUSED = "breached_paused"
    MET = "met"
    MET_LATE = "met_late"
    CANCELLED = "cancelled"

    def __str__(self) -> str:
        return self.value


class ClockAction(enum.Enum):
    """What can happen to an :class:`~csflow.sla.clock.SlaClock`; the keys of :data:`TRANSITIONS`.

    ``BREACH`` is driven by time (the clock's business time reaches its target while it runs);
    ``RECALC_ON_TIME`` / ``RECALC_LATE`` are the two outcomes of a recalculation; the others are
    commands (``pause``, ``resume``, ``stop``, ``cancel``, ``reopen``).
    """

    __hash__ = object.__hash__  # as Metric's: the identity hash, computed in C

    PAUSE = "pause"
    RESUME = "resume"
    BREACH = "breach"
    STOP = "stop"
    CANCEL = "cancel"
    REOPEN = "reopen"
    RECALC_ON_TIME = "recalc_on_time"
    RECALC_LATE = "recalc_late"

    def __str__(self) -> str:
        return self.value


_S = ClockState
_A = ClockAction

#: The one table of allowed clock transitions: ``(state, action) -> new state``.  The clock
#: consults it for every change; an absent key is an illegal transition.
TRANSITIONS: Final[Mapping[tuple[ClockState, ClockAction], ClockState]] = FrozenDict(
    {
        (_S.RUNNING, _A.PAUSE): _S.PAUSED,
        (_S.RUNNING, _A.BREACH): _S.BREACHED,
        (_S.RUNNING, _A.STOP): _S.MET,
        (_S.RUNNING, _A.CANCEL): _S.CANCELLED,
        (_S.RUNNING, _A.RECALC_ON_TIME): _S.RUNNING,
        (_S.RUNNING, _A.RECALC_LATE): _S.BREACHED,
        (_S.PAUSED, _A.RESUME): _S.RUNNING,
        (_S.PAUSED, _A.STOP): _S.MET,
        (_S.PAUSED, _A.CANCEL): _S.CANCELLED,
        (_S.PAUSED, _A.RECALC_ON_TIME): _S.PAUSED,
        (_S.PAUSED, _A.RECALC_LATE): _S.BREACHED_PAUSED,
        (_S.BREACHED, _A.PAUSE): _S.BREACHED_PAUSED,
        (_S.BREACHED, _A.STOP): _S.MET_LATE,
        (_S.BREACHED, _A.CANCEL): _S.CANCELLED,
        (_S.BREACHED, _A.RECALC_ON_TIME): _S.RUNNING,
        (_S.BREACHED, _A.RECALC_LATE): _S.BREACHED,
        (_S.BREACHED_PAUSED, _A.RESUME): _S.BREACHED,
        (_S.BREACHED_PAUSED, _A.STOP): _S.MET_LATE,
        (_S.BREACHED_PAUSED, _A.CANCEL): _S.CANCELLED,
        (_S.BREACHED_PAUSED, _A.RECALC_ON_TIME): _S.PAUSED,
        (_S.BREACHED_PAUSED, _A.RECALC_LATE): _S.BREACHED_PAUSED,
        (_S.MET, _A.REOPEN): _S.RUNNING,
        (_S.MET_LATE, _A.REOPEN): _S.BREACHED,
    }
)

# Derived views of the table, used on the clocks' hot paths (tests check them against it).
#: States in which business time counts.
COUNTING_STATES: Final = frozenset({_S.RUNNING, _S.BREACHED})
#: States in which a clock is paused (on time or late).
PAUSED_STATES: Final = frozenset({_S.PAUSED, _S.BREACHED_PAUSED})
#: States past the target: breached, breached and paused, met late.
LATE_STATES: Final = frozenset({_S.BREACHED, _S.BREACHED_PAUSED, _S.MET_LATE})
#: States that commands can still change (not met, met late or cancelled).
LIVE_STATES: Final = COUNTING_STATES | PAUSED_STATES


def next_state(state: ClockState, action: ClockAction) -> ClockState:
    """The state :data:`TRANSITIONS` allows after *action* in *state*.

    Raises:
        InvalidTransitionError: The table has no such transition.
    """
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        allowed = sorted(a.value for (s, a) in TRANSITIONS if s is state)
        raise InvalidTransitionError(
            f"cannot {action.value} a clock that is {state.value}; "
            f"allowed actions in that state: {allowed}"
        ) from None


def transition_graph() -> nx.DiGraph[ClockState]:
    """The transition table as a networkx ``DiGraph`` (for docs and checks).

    Nodes are :class:`ClockState` members (attribute ``final``: no transition leaves them);
    each edge carries ``actions``, the sorted action names that take it, and ``label``, those
    names joined by ``", "``.
    """
    graph: nx.DiGraph[ClockState] = nx.DiGraph()
    for state in ClockState:
        graph.add_node(state, final=not any(s is state for s, _ in TRANSITIONS))
    for (src, action), dst in TRANSITIONS.items():
        if graph.has_edge(src, dst):
            actions = sorted([*graph.edges[src, dst]["actions"], action.value])
        else:
            actions = [action.value]
        graph.add_edge(src, dst, actions=tuple(actions), label=", ".join(actions))
    return graph
