"""Tools for testing routing policies and desks: clocks, replay, invariants, stories,
strategies, a stateful machine and pytest fixtures.

Install with the ``testing`` extra (``pip install csflow[testing]``): the strategies and the
machine need ``hypothesis``.  Nothing here is needed at run time by a desk.

* :class:`ManualClock` (:mod:`~csflow.testing.clock`) -- a clock a test moves by hand, which
  refuses to go backwards.
* :class:`Command` and :func:`replay` (:mod:`~csflow.testing.command`) -- commands as values,
  and the events they give on a fresh desk.
* :func:`check_invariants` (:mod:`~csflow.testing.invariants`) -- the desk's contract, checked
  by brute force (no shortcuts shared with the engine); :func:`check_assignment` -- that an
  assignment went to an agent who could take the ticket.
* :class:`Story` (:mod:`~csflow.testing.story`) -- a scenario over days that reads like one.
* ``assert_*`` helpers (:mod:`~csflow.testing.assertions`) whose failures show what happened.
* Hypothesis strategies (:mod:`~csflow.testing.strategies`) for calendars, customers, tickets,
  agents, rule sets and configurations, drawing the names of the user's configuration.
* :func:`commands` (:mod:`~csflow.testing.programs`) -- command programs drawn against a real
  desk of the user's configuration, from what is possible at each step.
* :class:`DeskMachine` (:mod:`~csflow.testing.machine`) -- a stateful machine to subclass, with
  the invariants checked after every step and coverage reported as Hypothesis events.
* :mod:`csflow.testing.plugin` -- pytest fixtures (``csflow_config``, ``desk``,
  ``manual_clock``), registered as a pytest plugin on install.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from csflow.errors import InvariantError
from csflow.testing.assertions import (
    assert_assigned,
    assert_breached,
    assert_no_breach,
    assert_queued,
)
from csflow.testing.clock import ManualClock
from csflow.testing.command import Command, replay
from csflow.testing.invariants import check_assignment, check_invariants
from csflow.testing.story import Story

if TYPE_CHECKING:
    from csflow.testing.machine import DeskMachine
    from csflow.testing.programs import COMMAND_KINDS, CommandDriver, Step, commands
    from csflow.testing.strategies import (
        agent_profiles,
        calendars,
        customers,
        desk_configs,
        rule_sets,
        tickets,
    )
    from csflow.testing.vocabulary import Vocabulary

# The names that need Hypothesis load on first use, so that the pytest plugin (registered on
# install, and importing this package) works without the ``testing`` extra.
_LAZY = {
    "DeskMachine": "machine",
    "COMMAND_KINDS": "programs",
    "CommandDriver": "programs",
    "Step": "programs",
    "commands": "programs",
    "agent_profiles": "strategies",
    "calendars": "strategies",
    "customers": "strategies",
    "desk_configs": "strategies",
    "rule_sets": "strategies",
    "tickets": "strategies",
    "Vocabulary": "vocabulary",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'csflow.testing' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"csflow.testing.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "COMMAND_KINDS",
    "Command",
    "CommandDriver",
    "DeskMachine",
    "InvariantError",
    "ManualClock",
    "Step",
    "Story",
    "Vocabulary",
    "agent_profiles",
    "assert_assigned",
    "assert_breached",
    "assert_no_breach",
    "assert_queued",
    "calendars",
    "check_assignment",
    "check_invariants",
    "commands",
    "customers",
    "desk_configs",
    "replay",
    "rule_sets",
    "tickets",
]
