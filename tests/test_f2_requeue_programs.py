"""The testing kit draws ``requeue``: the agent holding a ticket gives it back (a call-back
whose customer did not pick up).

Drawn from what the desk makes possible, a requeue comes from the agent holding the ticket and
the desk accepts it; drawn with arbitrary arguments, it is accepted exactly when the docs say
(the ticket is assigned, to that agent) and changes nothing otherwise.  A host written as if a
``TicketRequeued`` meant the agent left the desk is caught by a :class:`DeskMachine`.
"""

from __future__ import annotations

from typing import ClassVar

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, run_state_machine_as_test

from csflow.events import AgentPresenceChanged, Event, TicketRequeued
from csflow.testing import COMMAND_KINDS, CommandDriver, DeskMachine, check_invariants
from test_testing_programs import INDONESIAN

_QUICK = settings(
    max_examples=6,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def test_requeue_is_a_command_kind() -> None:
    assert "requeue" in COMMAND_KINDS
    # After the call-back it gives back, before the customer gives up.
    assert COMMAND_KINDS.index("request_callback") < COMMAND_KINDS.index("requeue")
    assert COMMAND_KINDS.index("requeue") < COMMAND_KINDS.index("abandon")


def test_programs_draw_requeues_the_desk_accepts() -> None:
    drawn: list[int] = []  # per program, the requeues the kit drew

    @_QUICK
    @given(st.data())
    def run(data: st.DataObject) -> None:
        driver = CommandDriver(INDONESIAN, refusals=0, check_refusals=True)
        n = 0
        for _ in range(40):
            for step in driver.step(data.draw):
                assert step.error is None, f"refused {step.command!r}: {step.error}"
                n += step.kind == "requeue"
        check_invariants(driver.desk)
        drawn.append(n)

    run()
    assert len(drawn) == 6
    # (How often, over many programs: tests/test_testing_programs.py, which counts every kind.)
    assert sum(drawn) >= 1, drawn


def test_a_requeue_drawn_as_possible_is_the_holders_and_keeps_the_call_back() -> None:
    forced = 0
    callbacks = 0

    @_QUICK
    @given(st.data())
    def run(data: st.DataObject) -> None:
        nonlocal callbacks, forced
        driver = CommandDriver(INDONESIAN, refusals=0, check_refusals=True)
        desk = driver.desk
        for i in range(30):
            for step in driver.step(data.draw):
                assert step.error is None, f"refused {step.command!r}: {step.error}"
            if i % 2 or not driver.possible("requeue"):
                continue
            # Now and then, a requeue drawn now: the one the docs describe.
            held = {
                tid: desk.ticket(tid)
                for tid in desk.tickets()
                if desk.ticket(tid).state == "assigned"
            }
            steps = driver.step(data.draw, "requeue", refused=False)
            step = steps[-1]
            assert step.kind == "requeue"
            assert step.error is None, f"refused {step.command!r}: {step.error}"
            tid, agent = step.command.args
            first = step.events[0]
            assert isinstance(first, TicketRequeued)
            assert (first.ticket_id, first.agent_id) == (tid, agent)
            forced += 1
            if len(steps) > 1:
                continue  # a timer was due first: the desk moved on before the requeue
            before = held[tid]
            assert agent == before.agent_id
            after = desk.ticket(tid)
            # Back in line or taken again at once; a call-back stays one; no hand-over.
            assert after.state in ("queued", "assigned")
            assert after.callback == before.callback
            assert after.transfers == before.transfers
            assert after.team == before.team
            callbacks += before.callback
            check_invariants(desk)

    run()
    assert forced >= 20
    assert callbacks >= 2, "too few call-backs were given back"


def test_requeues_drawn_at_random_are_refused_unless_by_the_holder() -> None:
    refused = 0

    @_QUICK
    @given(st.data())
    def run(data: st.DataObject) -> None:
        nonlocal refused
        driver = CommandDriver(INDONESIAN, refusals=0.1, check_refusals=True)
        desk = driver.desk
        for _ in range(12):
            driver.step(data.draw)
            # What the docs say: accepted when the ticket is assigned and the agent holds it.
            holders = {
                tid: v.agent_id
                for tid in desk.tickets()
                if (v := desk.ticket(tid)).state == "assigned"
            }
            # (The driver checks that a refused command changed nothing.)
            steps = driver.step(data.draw, "requeue", refused=True)
            step = steps[-1]
            assert step.kind == "requeue"
            refused += step.error is not None
            if len(steps) == 1:  # no timer was due first: the holders are those above
                tid, agent = step.command.args
                assert (step.error is None) == (holders.get(tid) == agent), step
            check_invariants(desk)

    run()
    assert refused >= 30


class _Wallboard(DeskMachine):
    """A host's wallboard of the agents on the desk, kept from the events."""

    config = INDONESIAN
    requeue_means_left: ClassVar[bool] = False

    def __init__(self) -> None:
        super().__init__()
        self.board: set[str] = set()

    def check_event(self, event: Event) -> None:
        if isinstance(event, AgentPresenceChanged):
            if event.new == "removed":
                self.board.discard(event.agent_id)
            else:
                self.board.add(event.agent_id)
        elif isinstance(event, TicketRequeued) and self.requeue_means_left:
            # Written when a ticket went back in line only when its agent left the desk.
            self.board.discard(event.agent_id)

    @invariant()
    def the_board_shows_the_desks_agents(self) -> None:
        on_desk = set(self.desk.agents())
        assert self.board == on_desk, f"the wallboard lost {sorted(on_desk - self.board)}"


class _MistakenWallboard(_Wallboard):
    requeue_means_left = True


_MACHINE = settings(_QUICK, stateful_step_count=30)


def test_a_host_that_takes_a_requeue_for_the_agent_leaving_is_caught() -> None:
    with pytest.raises(AssertionError, match="the wallboard lost"):
        run_state_machine_as_test(_MistakenWallboard, settings=_MACHINE)


def test_the_wallboard_that_reads_the_removal_passes() -> None:
    run_state_machine_as_test(_Wallboard, settings=_MACHINE)
