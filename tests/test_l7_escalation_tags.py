"""What an SLA escalation says it tagged: :attr:`SlaEscalated.tags` lists the tags the
escalation *added* to the ticket (as its docstring says), not those the ticket had already --
from triage, or from an earlier warning's escalation.  A host counting the tickets tagged by
an escalation from these events counts each tag once, and the events' tags added to what
triage gave make the ticket's tags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import Customer, Desk, DeskConfig, Ticket, Tier
from csflow.events import SlaEscalated
from csflow.policies import Escalation, PolicyContext, PolicyResult

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TAGS = ["vip", "late", "again", "財務"]


def config(triage_tags: list[str], **more: Any) -> DeskConfig:
    """A 24/7 desk with no agent: a ticket's first response warns at five minutes and
    breaches at ten; triage gives every ticket *triage_tags*."""
    then: dict[str, Any] = {"queue": "front"}
    if triage_tags:
        then["tags"] = triage_tags
    return DeskConfig.from_dict(
        {
            "calendars": {"24x7": {"timezone": "UTC", "always_open": True}},
            "sla_policies": [
                {
                    "name": "std",
                    "calendar": "24x7",
                    "targets": {"first_response": "PT10M"},
                    "warnings": [0.5],
                }
            ],
            "default_sla_policy": "std",
            "queues": [{"name": "front"}],
            "triage": {"rules": [{"name": "all", "then": then}]},
            **more,
        }
    )


def first_seen(names: list[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        if name not in out:
            out.append(name)
    return out


def test_a_tag_the_ticket_had_is_not_said_to_be_added_again() -> None:
    desk = Desk(
        config(["vip"], escalation_rules=[{"name": "late", "then": {"tags": ["late", "vip"]}}])
    )
    desk.submit(Ticket("T-1", Customer("putri", Tier("gold", 2)), "chat", T0), at=T0)
    assert desk.ticket("T-1").tags == ("vip",)
    late = [e for e in desk.advance(at=T0 + timedelta(minutes=15)) if isinstance(e, SlaEscalated)]
    # The warning adds "late" ("vip" was triage's); the breach adds nothing new.
    assert [(e.kind, e.tags) for e in late] == [("warning", ("late",)), ("breach", ())]
    assert desk.ticket("T-1").tags == ("vip", "late")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from(TAGS), max_size=4),
    st.lists(st.sampled_from(TAGS), max_size=5),
    st.lists(st.sampled_from(TAGS), max_size=5),
    st.lists(st.sampled_from(["lead", "finance-lead"]), max_size=2),
)
def test_the_events_tags_are_the_tags_each_escalation_added(
    triage_tags: list[str], on_warning: list[str], on_breach: list[str], notify: list[str]
) -> None:
    asked = {"warning": on_warning, "breach": on_breach}

    def policy(ctx: PolicyContext) -> PolicyResult[Escalation]:
        return PolicyResult(Escalation(notify=notify, tags=asked[str(ctx.event)]), "asked")

    desk = Desk(attrs.evolve(config(triage_tags), escalation_policy=policy))
    desk.submit(Ticket("T-1", Customer("putri", Tier("gold", 2)), "chat", T0), at=T0)
    events = desk.advance(at=T0 + timedelta(minutes=15))
    late = [e for e in events if isinstance(e, SlaEscalated)]

    # The reference, from the docs: the ticket holds each tag once, in the order it got it;
    # an escalation's event lists those of its tags the ticket did not have.
    held = first_seen(triage_tags)
    expected = []
    for kind in ("warning", "breach"):
        wanted = first_seen(asked[kind])
        if not (wanted or notify):
            continue  # an empty escalation: no event
        added = [t for t in wanted if t not in held]
        expected.append((kind, tuple(added), tuple(first_seen(notify))))
        held += added
    assert [(e.kind, e.tags, e.notify) for e in late] == expected
    assert desk.ticket("T-1").tags == tuple(held)
    # Counting "tagged by an escalation" from the events counts each tag once.
    counted = [t for e in late for t in e.tags]
    assert len(counted) == len(set(counted))
    assert set(counted).isdisjoint(triage_tags)
    assert (*first_seen(triage_tags), *counted) == desk.ticket("T-1").tags
