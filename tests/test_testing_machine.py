"""csflow.testing.machine and plugin: a stateful machine over the user's own desk catches a
broken policy, reports its coverage (every command kind, the goodwill ledger's included, on a
desk with goodwill allowances), and the pytest fixtures need no import."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import ClassVar

import attrs
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, TicketAssigned, Tier
from csflow.errors import ConfigError, InvariantError
from csflow.events import Event
from csflow.lowlevel import RuleEscalationPolicy
from csflow.testing import COMMAND_KINDS, DeskMachine, check_invariants

pytest_plugins = ["pytester"]


# Rupiah allowances per day in Jakarta, a finance pot, a higher limit per platinum ticket; a
# grant beyond them awaits a supervisor.
GOODWILL = {
    "currency": "IDR",
    "decimals": 0,
    "period": "day",
    "timezone": "Asia/Jakarta",
    "allowance": "60000",
    "teams": {"finance": "150000"},
    "per_ticket": {"platinum": "75000"},
    "default_per_ticket": "40000",
}


def senior_desk(*, broken: bool = False, goodwill: bool = False) -> DeskConfig:
    """Platinum WhatsApp tickets in Indonesian need a senior agent; refunds go to finance after
    two business hours in line.  *broken* sends those platinum tickets to junior agents;
    *goodwill* gives agents allowances (:data:`GOODWILL`) and sends surveys after an hour."""
    rules = [
        {
            "name": "platinum whatsapp in Indonesian",
            "when": {
                "all": [
                    {"field": "tier", "eq": "platinum"},
                    {"field": "channel", "eq": "whatsapp"},
                    {"field": "language", "eq": "id"},
                ]
            },
            "then": {
                "queue": "vip",
                "sla_policy": "vip",
                "skills": {"junior" if broken else "senior": 1},
            },
        },
        {
            "name": "refunds",
            "when": {"field": "category", "eq": "refund"},
            "then": {"queue": "general", "sla_policy": "refunds"},
        },
        {"name": "everyone else", "then": {"queue": "general"}},
    ]
    config = DeskConfig.from_dict(
        {
            "tiers": [
                {"name": "platinum", "rank": 4},
                {"name": "gold", "rank": 3},
                {"name": "regular", "rank": 1},
            ],
            "calendars": {
                "24x7": {"timezone": "Asia/Jakarta", "always_open": True},
                "office": {
                    "timezone": "Asia/Jakarta",
                    "weekly": {
                        d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")
                    },
                },
            },
            "sla_policies": [
                {"name": "vip", "calendar": "24x7", "targets": {"first_response": "PT5M"}},
                {"name": "refunds", "calendar": "office", "targets": {"resolution": "PT2H"}},
                {"name": "standard", "calendar": "24x7", "targets": {"first_response": "PT1H"}},
            ],
            "default_sla_policy": "standard",
            "queues": [{"name": "vip"}, {"name": "general"}, {"name": "finance"}],
            "routing_profiles": [
                {
                    "name": "front",
                    "queues": [
                        {"queue": "vip", "priority": 1},
                        {"queue": "general", "priority": 2},
                    ],
                },
                {"name": "finance", "queues": ["finance"]},
            ],
            "teams": {
                "front": {"queue": "general", "routing_profile": "front"},
                "finance": {"queue": "finance", "routing_profile": "finance"},
            },
            "escalation": {
                "teams": ["front", "finance"],
                "entry": ["front"],
                "edges": {"front": ["finance"]},
            },
            "triage": {"mode": "first", "rules": rules},
        }
        | ({"goodwill": GOODWILL, "survey_delay": "PT1H"} if goodwill else {})
    )
    return attrs.evolve(
        config,
        escalation_policy=RuleEscalationPolicy(
            [
                {
                    "name": "refund to finance",
                    "when": {
                        "all": [
                            {"field": "category", "eq": "refund"},
                            {"field": "event", "eq": "breach"},
                        ]
                    },
                    "then": {"queue": "finance", "notify": "finance-lead"},
                }
            ]
        ),
    )


class SeniorRule(DeskMachine):
    config = senior_desk()

    def check_event(self, event: Event) -> None:
        if isinstance(event, TicketAssigned):
            t = self.desk.ticket(event.ticket_id).ticket
            language = t.language or t.customer.language
            if (t.customer.tier.name, t.channel.name, language) == ("platinum", "whatsapp", "id"):
                agent = self.desk.agent(event.agent_id).profile
                assert agent.proficiency("senior") >= 1, f"{event.agent_id} is not senior"


TestSeniorRule = SeniorRule.TestCase
TestSeniorRule.settings = settings(max_examples=25, stateful_step_count=30, deadline=None)


class BrokenSeniorRule(SeniorRule):
    config = senior_desk(broken=True)


def test_the_machine_catches_a_policy_that_sends_platinum_to_juniors() -> None:
    with pytest.raises(AssertionError, match=r"is not senior"):
        run_state_machine_as_test(
            BrokenSeniorRule,
            settings=settings(
                max_examples=100,  # Hypothesis' default number of examples
                derandomize=True,
                phases=[Phase.generate],  # found is what this test asks; shrinking is slow
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            ),
        )


class Coverage(SeniorRule):
    config = senior_desk(goodwill=True)
    kinds: ClassVar[set[str]] = set()
    event_kinds: ClassVar[set[str]] = set()

    def teardown(self) -> None:
        super().teardown()
        Coverage.kinds.update(c.name for c in self.accepted)
        Coverage.event_kinds.update(type(e).__name__ for e in self.events)


def test_the_machine_reaches_every_command_kind() -> None:
    run_state_machine_as_test(
        Coverage,
        settings=settings(
            max_examples=35, stateful_step_count=40, derandomize=True, database=None, deadline=None
        ),
    )
    # Each drawn as possible and accepted (the machine fails on a refused one).
    assert set(COMMAND_KINDS) <= Coverage.kinds
    people = {"set_sla_policy", "record_feedback"}
    assert {"grant_goodwill", "approve_goodwill", "decline_goodwill", *people} <= Coverage.kinds
    assert {"TicketAssigned", "TicketResolved", "TicketEscalated", "SlaMet"} <= Coverage.event_kinds
    goodwill = {"GoodwillGranted", "GoodwillRequested", "GoodwillDeclined", "FeedbackRecorded"}
    assert goodwill <= Coverage.event_kinds


T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def _granted_twice() -> Desk:
    # A gold ticket (limit IDR 40.000) granted 30.000, then 30.000 more: a request.
    desk = Desk(senior_desk(goodwill=True))
    desk.add_agent(AgentProfile("a0", capacity={"chat": 1}), at=T0, presence="available")
    desk.submit(Ticket("t0", Customer("c0", Tier("gold", 3)), "chat", T0), at=T0)
    desk.grant_goodwill("t0", "a0", "30000", "late_delivery", at=T0)
    desk.grant_goodwill("t0", "a0", "30000", "late_delivery", at=T0 + MINUTE)
    check_invariants(desk)
    return desk


def _tampered(desk: Desk, **goodwill: object) -> Desk:
    snap = desk.snapshot()
    snap["state"]["goodwill"].update(goodwill)
    return Desk.restore(desk.config, snap)


def test_the_invariants_catch_a_ledger_that_loses_a_request() -> None:
    desk = _granted_twice()
    # A restore refuses the snapshot of such a ledger (the history still asks) ...
    with pytest.raises(ConfigError, match=r"'t0/goodwill/1' neither answered nor awaiting"):
        _tampered(desk, pending=[])
    # ... so the ledger loses it behind the desk's back.
    ledger = desk._goodwill
    assert ledger is not None
    ledger._pending.clear()
    with pytest.raises(InvariantError, match=r"request 't0/goodwill/1' was never answered"):
        check_invariants(desk)


def test_the_invariants_catch_a_ledger_that_forgets_what_a_ticket_received() -> None:
    desk = _granted_twice()
    desk.decline_goodwill("t0/goodwill/1", "lead-rina", at=T0 + 2 * MINUTE)
    desk = _tampered(desk, per_ticket={"t0": "0"})
    check_invariants(desk)
    desk.grant_goodwill("t0", "a0", "30000", "late_delivery", at=T0 + 3 * MINUTE)  # room, it says
    with pytest.raises(InvariantError, match=r"brought ticket 't0' to 60000, over the 'gold'"):
        check_invariants(desk)


def test_the_fixtures_need_no_import(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
import pytest
from csflow import DeskConfig

@pytest.fixture
def csflow_config():
    return DeskConfig.from_dict({"queues": [{"name": "line"}]})
"""
    )
    pytester.makepyfile(
        """
from datetime import UTC, datetime

def test_desk_and_clock(desk, manual_clock):
    assert desk.queue_names() == ("line",)
    assert manual_clock.now == datetime(2026, 3, 2, 9, tzinfo=UTC)
    manual_clock.advance(minutes=5)
    assert desk.advance(at=manual_clock.now) == []
"""
    )
    result = pytester.runpytest_inprocess(
        "-p", "no:csflow", "-p", "csflow.testing.plugin", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(passed=1)
