"""The desk's contract with the people's commands mixed in (feedback, goodwill).

The desk's state machine (:mod:`test_desk_stateful`) runs again under a configuration with
goodwill allowances, with three more kinds of step: a customer rates a ticket, an agent grants
goodwill, a supervisor answers a request.  Every invariant of the base machine still holds
after every step (``check_invariants`` now also checks that no goodwill allowance is
overspent), a refused command changes nothing, snapshots restore the ledger and replay gives
the same events.
"""

from __future__ import annotations

import json

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

import test_desk_stateful as base
from csflow.desk import Desk, DeskConfig
from csflow.events import GoodwillRequested
from csflow.testing import Command, replay

CONFIG = DeskConfig.from_dict(
    {
        **base.CONFIG_DATA,
        "contacts": {"window": "PT2H", "max_contacts": 3, "max_customers": 2},
        "goodwill": {
            "currency": "IDR",
            "decimals": 0,
            "period": "day",
            "timezone": "Asia/Jakarta",
            "allowance": "60000",
            "agents": {"a0": "100000"},
            "teams": {"finance": "150000"},
            "per_ticket": {"platinum": "75000"},
            "default_per_ticket": "40000",
        },
    }
)


class PeopleMachine(base.DeskMachine):
    """The desk's machine, with ratings and goodwill."""

    def __init__(self) -> None:
        super().__init__()
        self.desk = Desk(CONFIG)
        self.requests: list[str] = []

    def apply(self, cmd: Command) -> None:
        super().apply(cmd)
        for e in self.events[-5:]:
            if isinstance(e, GoodwillRequested) and e.request_id not in self.requests:
                self.requests.append(e.request_id)

    @rule(
        dt=base.command_steps, k=base.picks, rating=st.integers(0, 6), comment=st.text(max_size=5)
    )
    def record_feedback(self, dt: int, k: int, rating: int, comment: str) -> None:
        self.run(dt, "record_feedback", self.pick_for("close", k), rating, comment)

    @rule(
        dt=base.command_steps,
        k=base.picks,
        j=base.picks,
        amount=st.sampled_from([1, 5000, 25000, 40000, 60000, "12.5", 0]),
    )
    def grant_goodwill(self, dt: int, k: int, j: int, amount: object) -> None:
        tid = self.pick_ticket(k)
        self.run(dt, "grant_goodwill", tid, self.holder_or(tid, j), amount, "late")

    @precondition(lambda self: bool(self.requests))
    @rule(dt=base.command_steps, k=base.picks, approve=st.booleans())
    def answer_goodwill(self, dt: int, k: int, approve: bool) -> None:
        rid = self.requests[k % len(self.requests)]
        self.run(dt, "approve_goodwill" if approve else "decline_goodwill", rid, "lead")

    @precondition(lambda self: self.desk.now is not None)
    @rule()
    def snapshot_and_restore(self) -> None:
        snap = self.desk.snapshot()
        restored = Desk.restore(CONFIG, json.loads(json.dumps(snap)))
        assert restored.snapshot() == snap
        # The restored desk is the desk that was saved: every ticket, closed ones included.
        assert list(restored.tickets()) == list(self.desk.tickets())
        assert base._state(restored) == base._state(self.desk)
        assert restored.goodwill_balances() == self.desk.goodwill_balances()
        assert restored.goodwill_requests() == self.desk.goodwill_requests()
        self.shadow = restored

    def teardown(self) -> None:
        assert replay(CONFIG, self.commands, errors=True) == self.events


PeopleMachine.TestCase.settings = settings(
    settings.default, stateful_step_count=40, max_examples=min(25, settings().max_examples)
)
TestPeopleMachine = PeopleMachine.TestCase
