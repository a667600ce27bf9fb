"""An escalation's people to notify and tags are kept once each, in the order first given:
a host's policy that lists a name twice does not page anyone twice, and the desk's
:class:`SlaEscalated` says each tag it added once, as the ticket holds it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import Customer, Desk, DeskConfig, Ticket, Tier
from csflow.events import SlaEscalated
from csflow.policies import Escalation, PolicyContext, PolicyResult

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def first_seen(names: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for name in names:
        if name not in out:
            out.append(name)
    return tuple(out)


@settings(max_examples=100)
@given(
    st.lists(st.sampled_from(["lead", "finance-lead", "財務", "Ñ"]), max_size=8),
    st.lists(st.sampled_from(["late", "vip", "again"]), max_size=8),
)
def test_names_are_kept_once_in_first_seen_order(notify: list[str], tags: list[str]) -> None:
    escalation = Escalation(notify=notify, tags=tags)
    assert escalation.notify == first_seen(notify)
    assert escalation.tags == first_seen(tags)
    assert bool(escalation) == bool(notify or tags)


def test_a_policy_that_lists_a_name_twice_pages_it_once() -> None:
    def twice(ctx: PolicyContext) -> PolicyResult[Escalation]:
        return PolicyResult(
            Escalation(notify=["lead", "finance-lead", "lead"], tags=("late", "late")),
            "page twice",
        )

    config = DeskConfig.from_dict(
        {
            "calendars": {"24x7": {"timezone": "UTC", "always_open": True}},
            "sla_policies": [
                {
                    "name": "std",
                    "calendar": "24x7",
                    "targets": {"first_response": "PT10M"},
                    "warnings": [],
                }
            ],
            "default_sla_policy": "std",
        }
    )
    desk = Desk(attrs.evolve(config, escalation_policy=twice))
    desk.submit(Ticket("T-1", Customer("putri", Tier("gold", 2)), "chat", T0), at=T0)
    late = [e for e in desk.advance(at=T0 + timedelta(minutes=15)) if isinstance(e, SlaEscalated)]
    assert [(e.notify, e.tags) for e in late] == [(("lead", "finance-lead"), ("late",))]
    assert desk.ticket("T-1").tags == ("late",)
