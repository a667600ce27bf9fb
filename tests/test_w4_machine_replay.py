"""The stateful machine catches a policy that is not a function of what it is given.

A policy that draws from ``random`` without a seed, or keeps a counter, gives a desk whose
events a replay of the same commands does not reproduce (and whose undo, which applies
commands again, goes astray).  ``DeskMachine`` applies every accepted command to a second
desk of the same configuration and fails at the first command whose events differ there,
naming it.
"""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime

import attrs
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from csflow import Customer, DeskConfig, Priority, Ticket, Tier
from csflow.errors import InvariantError
from csflow.policies import PolicyContext, PolicyResult, PriorityPolicy
from csflow.testing import Command, DeskMachine, Vocabulary, replay

START = datetime(2026, 3, 2, 9, tzinfo=UTC)
BASE = DeskConfig.from_dict(
    {
        "tiers": [{"name": "gold", "rank": 3}, {"name": "regular", "rank": 1}],
        "calendars": {"24x7": {"timezone": "UTC", "always_open": True}},
        "sla_policies": [
            {"name": "standard", "calendar": "24x7", "targets": {"first_response": "PT1H"}}
        ],
        "default_sla_policy": "standard",
        "queues": [{"name": "general"}],
        "routing_profiles": [{"name": "all", "queues": ["general"]}],
        "teams": {"front": {"queue": "general", "routing_profile": "all"}},
        "triage": [{"name": "everyone", "then": {"queue": "general"}}],
    }
)
RUN = settings(
    max_examples=15,
    stateful_step_count=8,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.generate],  # (no shrinking: the failure is what is asserted)
    suppress_health_check=list(HealthCheck),
)


def gold_first(ctx: PolicyContext) -> PolicyResult[Priority]:
    """A sound policy: gold customers are served first, the others at their own priority."""
    if ctx.ticket.customer.tier.name == "gold":
        return PolicyResult(Priority.HIGH, "gold first")
    return PolicyResult(ctx.ticket.priority, "its own priority")


def dice(ctx: PolicyContext) -> PolicyResult[Priority]:
    """A broken policy: a priority drawn from the unseeded global ``random``."""
    return PolicyResult(random.choice(list(Priority)), "dice")


def counter_policy() -> PriorityPolicy:
    """A broken policy: every call takes the next priority of a cycle it keeps."""
    turn = itertools.cycle(list(Priority))

    def by_turns(ctx: PolicyContext) -> PolicyResult[Priority]:
        return PolicyResult(next(turn), "by turns")

    return by_turns


def machine(config: DeskConfig, *, check_replay: bool = True) -> type[DeskMachine]:
    class Machine(DeskMachine):
        pass

    Machine.config = config
    Machine.start = START
    Machine.check_replay = check_replay
    return Machine


def test_a_sound_policy_passes() -> None:
    run_state_machine_as_test(machine(attrs.evolve(BASE, priority_policy=gold_first)), settings=RUN)


@pytest.mark.parametrize("policy", [dice, counter_policy()], ids=["random", "counter"])
def test_a_policy_that_is_not_a_function_of_its_context_fails_the_machine(
    policy: PriorityPolicy,
) -> None:
    config = attrs.evolve(BASE, priority_policy=policy)
    with pytest.raises(InvariantError) as failure:
        run_state_machine_as_test(machine(config), settings=RUN)
    message = str(failure.value)
    assert message.startswith("the desk is not deterministic: Command('submit', ")
    # The command is named as source, with its ticket, and both answers are shown.
    assert "Ticket(id='t" in message
    assert message.count("TicketQueued(") == 2
    assert "on a fresh desk of the same configuration" in message


def test_the_check_can_be_turned_off() -> None:
    # A subclass that drives the desk itself (not through run) turns the check off.
    config = attrs.evolve(BASE, priority_policy=counter_policy())
    run_state_machine_as_test(machine(config, check_replay=False), settings=RUN)


def test_the_counter_policy_breaks_replay_as_the_machine_says() -> None:
    # What the machine reports is what a replay regression test would see.
    config = attrs.evolve(BASE, priority_policy=counter_policy())
    regular = Customer("c-1", Tier("regular", 1))
    script = [Command("submit", START, (Ticket("t0", regular, "chat", START),))]
    assert replay(config, script) != replay(config, script)
    sound = attrs.evolve(BASE, priority_policy=gold_first)
    assert replay(sound, script) == replay(sound, script)


def test_replay_of_a_machine_with_a_vocabulary_rebuilds_its_desk() -> None:
    # DeskMachine.accepted: replay(config, accepted) rebuilds the desk -- config being the
    # machine's own, a Vocabulary when it draws names the configuration does not mention.
    rebuilt: list[bool] = []

    class Machine(DeskMachine):
        config = Vocabulary.of(attrs.evolve(BASE, priority_policy=gold_first), categories="refund")
        start = START

        def teardown(self) -> None:
            events = replay(type(self).config, self.accepted)
            rebuilt.append(events == self.events)
            super().teardown()

    run_state_machine_as_test(Machine, settings=RUN)
    assert rebuilt
    assert all(rebuilt)


def test_a_policy_that_raises_only_on_the_replay_fails_the_machine_naming_the_error() -> None:
    # A policy that answers its first call and raises on every later one: the machine's desk
    # accepts the first submission, the second desk's same submission raises.
    calls: list[str] = []

    def first_call_only(ctx: PolicyContext) -> PolicyResult[Priority]:
        calls.append(ctx.ticket.id)
        if len(calls) > 1:
            raise KeyError(ctx.ticket.id)
        return PolicyResult(Priority.NORMAL, "first call")

    class Machine(DeskMachine):
        config = attrs.evolve(BASE, priority_policy=first_call_only)
        start = START

        def __init__(self) -> None:
            calls.clear()  # every run starts afresh
            super().__init__()

    with pytest.raises(InvariantError) as failure:
        run_state_machine_as_test(Machine, settings=RUN)
    message = str(failure.value)
    assert message.startswith("the desk is not deterministic: Command('submit', ")
    assert "after the same 0 accepted commands before it, the command raised KeyError" in message
    assert isinstance(failure.value.__cause__, KeyError)
