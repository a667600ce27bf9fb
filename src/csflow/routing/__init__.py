"""Skill-based routing: which agent takes a ticket, and which ticket an agent takes next.

The package has one module per concept:

- :mod:`csflow.routing.capacity` -- :class:`CapacityRules` (how channels share an agent's
  capacity) and :class:`PresenceStates` (which presence states route work);
- :mod:`csflow.routing.strategies` -- how candidates are ranked: :class:`AgentState` (what a
  strategy sees), :class:`RankingStrategy`, :class:`PinningStrategy` and the built-ins
  :class:`LongestIdle`, :class:`RoundRobin`, :class:`MostSpareCapacity`,
  :class:`BestProficiency`, :class:`PreferredAgent`;
- :mod:`csflow.routing.agents` -- the pool's agent records and :class:`AgentStatus`;
- :mod:`csflow.routing.pool` -- :class:`AgentPool`: agents, presence, load and the indexes
  that make eligibility and selection cost a logarithm (its theory of operation);
- :mod:`csflow.routing.profiles` -- :class:`RoutingProfile`, :class:`QueueSlot` (overflow
  delays), :class:`Relaxation` and :class:`RelaxationStep`;
- :mod:`csflow.routing.decisions` -- :class:`RoutingReason`, :class:`Assignment`,
  :class:`Relaxed`, :class:`Overflowed`, :class:`PinReleased`;
- :mod:`csflow.routing.waiting` -- a waiting ticket's state and the timers of its relaxation
  steps and pin;
- :mod:`csflow.routing.batch` -- :class:`BatchPlan`, :class:`BatchScore`,
  :func:`default_batch_score`: greedy or optimal batch matching;
- :mod:`csflow.routing.router` -- :class:`Router`: queues plus the pool, the commands a desk
  calls;
- :mod:`csflow.routing.escalation` -- :class:`EscalationGraph`, :class:`TransferPolicy`,
  :class:`TransferLedger`, :class:`HandOver`.

Every name below is importable from ``csflow.routing``.
"""

from csflow.errors import CapacityExceededError, TransferLimitError
from csflow.routing.agents import AgentStatus
from csflow.routing.batch import MAX_OPTIMAL_PAIRS, BatchPlan, BatchScore, default_batch_score
from csflow.routing.capacity import CapacityRules, PresenceStates
from csflow.routing.decisions import (
    Assignment,
    Overflowed,
    PinReleased,
    Relaxed,
    RoutingChange,
    RoutingReason,
)
from csflow.routing.escalation import EscalationGraph, HandOver, TransferLedger, TransferPolicy
from csflow.routing.pool import AgentPool
from csflow.routing.profiles import QueueSlot, Relaxation, RelaxationStep, RoutingProfile

# Importable for the desk's config reader (it checks overflows with it); a helper, not in __all__.
from csflow.routing.profiles import check_overflow_keys as check_overflow_keys
from csflow.routing.router import Router
from csflow.routing.strategies import (
    AgentState,
    BestProficiency,
    LongestIdle,
    MostSpareCapacity,
    PinningStrategy,
    PreferredAgent,
    RankingStrategy,
    RoundRobin,
    SelectionContext,
    Strategy,
)

# Importable for the desk's config reader (it checks chains with it); a helper, not in __all__.
from csflow.routing.strategies import strategy_tuple as strategy_tuple

__all__ = [
    "MAX_OPTIMAL_PAIRS",
    "AgentPool",
    "AgentState",
    "AgentStatus",
    "Assignment",
    "BatchPlan",
    "BatchScore",
    "BestProficiency",
    "CapacityExceededError",
    "CapacityRules",
    "EscalationGraph",
    "HandOver",
    "LongestIdle",
    "MostSpareCapacity",
    "Overflowed",
    "PinReleased",
    "PinningStrategy",
    "PreferredAgent",
    "PresenceStates",
    "QueueSlot",
    "RankingStrategy",
    "Relaxation",
    "RelaxationStep",
    "Relaxed",
    "RoundRobin",
    "Router",
    "RoutingChange",
    "RoutingProfile",
    "RoutingReason",
    "SelectionContext",
    "Strategy",
    "TransferLedger",
    "TransferLimitError",
    "TransferPolicy",
    "default_batch_score",
]
