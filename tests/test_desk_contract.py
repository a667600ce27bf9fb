"""The desk's contract, command by command: events in time order, a ticket's clocks caught up
by every command on it, escalations that say what they did, records that stay, names read as
metrics.  Worked examples first (each one failed before the contract was enforced); the laws
over random command sequences are in the second half."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest

from csflow import (
    AgentProfile,
    Customer,
    Desk,
    DeskConfig,
    SlaBreached,
    SlaEscalated,
    SlaMet,
    SlaWarning,
    Ticket,
    TicketAbandoned,
    TicketAssigned,
    TicketOverflowed,
    TicketPrioritized,
    TicketQueued,
    TicketRelaxed,
    TicketStatusChanged,
    Tier,
)
from csflow.events import Event
from csflow.lowlevel import RuleEscalationPolicy
from csflow.model import Metric
from csflow.sla import ClockState

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
S = timedelta(seconds=1)
ANN = Customer("ann", Tier("gold", 3))

ONE_MINUTE: dict[str, Any] = {
    "calendars": {"24x7": {"timezone": "UTC", "always_open": True}},
    "sla_policies": [
        {
            "name": "chat",
            "calendar": "24x7",
            "targets": {"first_response": "PT1M", "resolution": {"high": "PT1H"}},
        }
    ],
    "default_sla_policy": "chat",
    "queues": [{"name": "general"}, {"name": "supervisors"}],
}


def _desk(data: dict[str, Any] | None = None, **extra: Any) -> Desk:
    return Desk(DeskConfig.from_dict({**(data or ONE_MINUTE), **extra}))


def _kinds(events: list[Event]) -> list[tuple[str, timedelta]]:
    return [(type(e).__name__, e.at - T0) for e in events]


def _sorted(events: list[Event]) -> bool:
    return all(a.at <= b.at for a, b in itertools.pairwise(events))


def _waiting(desk: Desk) -> Desk:
    desk.submit(Ticket("t1", ANN, "chat", T0), at=T0)
    return desk


def _assigned(desk: Desk) -> Desk:
    desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=T0, presence="available")
    desk.submit(Ticket("t1", ANN, "chat", T0), at=T0)
    return desk


# -- item 2: events in time order ------------------------------------------------------------


def test_abandon_returns_the_overdue_warnings_first() -> None:
    events = _waiting(_desk()).abandon("t1", at=T0 + 50 * S)
    assert _kinds(events) == [
        ("SlaWarning", 30 * S),
        ("SlaWarning", 45 * S),
        ("TicketAbandoned", 50 * S),
    ]
    assert isinstance(events[-1], TicketAbandoned)


def test_set_priority_and_set_status_return_events_in_time_order() -> None:
    events = _waiting(_desk()).set_priority("t1", "high", at=T0 + 50 * S)
    assert _sorted(events)
    assert [type(e) for e in events][:3] == [SlaWarning, SlaWarning, TicketPrioritized]
    events = _assigned(_desk()).set_status("t1", "pending", at=T0 + 50 * S)
    assert _sorted(events)
    assert [type(e) for e in events] == [SlaWarning, SlaWarning, TicketStatusChanged]


def test_a_reply_exactly_at_the_due_instant_still_meets_the_target() -> None:
    events = _assigned(_desk()).reply("t1", "sari", at=T0 + 60 * S)
    assert [type(e) for e in events] == [SlaWarning, SlaWarning, SlaWarning, SlaMet]
    met = events[-1]
    assert isinstance(met, SlaMet)
    assert not met.breached


# -- item 3: a command on a ticket catches its clocks up ---------------------------------------


def test_request_callback_returns_the_overdue_warnings() -> None:
    desk = _waiting(_desk())
    events = desk.request_callback("t1", at=T0 + 50 * S)
    assert _kinds(events) == [
        ("SlaWarning", 30 * S),
        ("SlaWarning", 45 * S),
        ("CallbackRequested", 50 * S),
    ]
    # nothing of t1 is left overdue: the next wake-up is the 90 % warning, still ahead
    assert desk.next_wakeup() == T0 + 54 * S
    assert desk.advance(at=T0 + 50 * S) == []


def test_a_command_fires_what_is_due_exactly_at_its_instant_after_its_own_events() -> None:
    desk = _waiting(_desk())
    events = desk.request_callback("t1", at=T0 + 45 * S)
    # The overdue warning, the command's own event, then the warning due at its instant.
    assert _kinds(events) == [
        ("SlaWarning", 30 * S),
        ("CallbackRequested", 45 * S),
        ("SlaWarning", 45 * S),
    ]
    assert desk.next_wakeup() == T0 + 54 * S


def test_submitting_a_ticket_created_earlier_reports_what_it_has_passed() -> None:
    desk = _desk()
    events = desk.submit(Ticket("t1", ANN, "chat", T0), at=T0 + 2 * 60 * S)
    assert _sorted(events)
    assert [type(e) for e in events] == [
        SlaWarning,
        SlaWarning,
        SlaWarning,
        SlaBreached,
        TicketQueued,
    ]
    assert desk.next_wakeup() is None or desk.next_wakeup() > T0 + 2 * 60 * S  # type: ignore[operator]


# -- item 5: an escalation that moves nothing says why ---------------------------------------

ESCALATE_ON_BREACH = RuleEscalationPolicy(
    [
        {
            "name": "breach",
            "when": {"field": "event", "eq": "breach"},
            "then": {"queue": "supervisors", "notify": ["lead-ayu"], "tags": ["late"]},
        }
    ]
)


def _escalating() -> Desk:
    config = DeskConfig.from_dict(ONE_MINUTE)
    return Desk(attrs.evolve(config, escalation_policy=ESCALATE_ON_BREACH))


def test_a_queue_move_for_a_ticket_with_an_agent_is_skipped_and_says_why() -> None:
    desk = _assigned(_escalating())
    events = desk.advance(at=T0 + 2 * 60 * S)
    [esc] = [e for e in events if isinstance(e, SlaEscalated)]
    assert esc.notify == ("lead-ayu",)
    assert esc.skipped == (
        "queue 'supervisors': the ticket is assigned with agent 'sari', who keeps it "
        "(a queue move applies to a waiting ticket)",
    )
    assert not any(isinstance(e, TicketOverflowed) for e in events)
    view = desk.ticket("t1")
    assert (view.state, view.agent_id, view.queue, view.tags) == (
        "assigned",
        "sari",
        "general",
        ("late",),
    )


def test_a_queue_move_for_a_waiting_ticket_happens_and_skips_nothing() -> None:
    desk = _waiting(_escalating())
    events = desk.advance(at=T0 + 2 * 60 * S)
    [esc] = [e for e in events if isinstance(e, SlaEscalated)]
    assert esc.skipped == ()
    [moved] = [e for e in events if isinstance(e, TicketOverflowed)]
    assert moved.queue == desk.ticket("t1").queue == "supervisors"


def test_a_move_found_while_a_command_catches_up_waits_for_the_command() -> None:
    # The breach (and its queue move) fell due before the abandon: the abandon still applies
    # to the waiting ticket it was checked against, and the events come in time order.
    desk = _escalating()
    desk.add_agent(AgentProfile("lead", capacity={"chat": 1}, teams=()), at=T0, presence="offline")
    _waiting(desk)
    events = desk.abandon("t1", at=T0 + 5 * 60 * S)
    assert _sorted(events)
    assert [type(e) for e in events][-3:] == [SlaEscalated, TicketOverflowed, TicketAbandoned]
    assert desk.ticket("t1").state == "abandoned"
    assert desk.queue() == []


# -- item 6: a clock cancelled by a priority change keeps its record ----------------------------


def test_a_priority_change_that_drops_a_target_keeps_the_cancelled_clock() -> None:
    desk = _assigned(_desk())
    desk.set_priority("t1", "high", at=T0 + 10 * S)
    assert Metric.RESOLUTION in desk.clocks("t1")
    desk.set_priority("t1", "normal", at=T0 + 20 * S)
    view = desk.clocks("t1")[Metric.RESOLUTION]
    assert view.state == "cancelled"
    assert view.elapsed == 20 * S  # gained at 10 s, it counted from creation
    # the record survives a snapshot round trip too
    again = Desk.restore(desk.config, desk.snapshot())
    assert again.clocks("t1") == desk.clocks("t1")
    # a later change that brings the target back gains it again: a new clock that counts from
    # the metric's natural start, creation (KEEP_ELAPSED; RESTART would start it afresh)
    desk.set_priority("t1", "high", at=T0 + 30 * S)
    view = desk.clocks("t1")[Metric.RESOLUTION]
    assert (view.state, view.elapsed) == ("running", 30 * S)


# -- item 7: names for metrics, relaxation events --------------------------------------------


def test_clocks_are_read_by_the_metric_name_too() -> None:
    desk = _waiting(_desk())
    clocks = desk.clocks("t1", T0 + 30 * S)
    assert clocks["first_response"] is clocks[Metric.FIRST_RESPONSE]
    assert clocks["FIRST_RESPONSE"].elapsed == 30 * S
    # (mypy --strict reads the keys as Metric only, so `in` with a name needs a pass)
    assert "first_response" in clocks  # type: ignore[comparison-overlap]
    assert "resolution" not in clocks  # type: ignore[comparison-overlap]
    assert clocks.get("resolution") is None
    assert clocks.get("first_response") is clocks[Metric.FIRST_RESPONSE]
    assert list(clocks) == [Metric.FIRST_RESPONSE]
    with pytest.raises(KeyError):
        clocks["next_response"]
    with pytest.raises(ValueError, match="metric must be one of"):
        clocks["first_reponse"]
    assert "first_reponse" not in clocks  # type: ignore[comparison-overlap]


def test_a_relaxation_step_is_an_event_and_the_queue_shows_it() -> None:
    data = {
        **ONE_MINUTE,
        "queues": [
            {
                "name": "general",
                "relaxation": [{"after": "PT30S", "proficiency": 1}],
            }
        ],
    }
    desk = _desk(data)
    refund = Ticket("t1", ANN, "chat", T0, required_skills={"refunds": 4})
    desk.submit(refund, at=T0)
    events = desk.advance(at=T0 + 40 * S)
    [relaxed] = [e for e in events if isinstance(e, TicketRelaxed)]
    assert (relaxed.at, relaxed.ticket_id, relaxed.step) == (T0 + 30 * S, "t1", 1)
    assert "refunds>=1" in relaxed.requirements
    [entry] = desk.queue()
    assert str(entry.signature) == relaxed.requirements
    assert _sorted(events)
    # an agent with some refund experience now takes it
    events = desk.add_agent(
        AgentProfile("eko", skills={"refunds": 1}, capacity={"chat": 1}),
        at=T0 + 40 * S,
        presence="available",
    )
    assert any(isinstance(e, TicketAssigned) for e in events)


def test_a_met_clock_reads_by_name_as_met() -> None:
    desk = _assigned(_desk())
    desk.reply("t1", "sari", at=T0 + 10 * S)
    assert desk.clocks("t1")["first_response"].state == ClockState.MET.name.lower()


# -- item 7: a desk command for an SLA policy change -----------------------------------------

TWO_POLICIES = {
    **ONE_MINUTE,
    "sla_policies": [
        *ONE_MINUTE["sla_policies"],
        {"name": "vip", "calendar": "24x7", "targets": {"first_response": "PT30S"}},
    ],
}


def test_set_sla_policy_recalculates_the_clocks_and_is_replayed() -> None:
    desk = _waiting(_desk(TWO_POLICIES))
    events = desk.set_sla_policy("t1", "vip", at=T0 + 40 * S)
    # chat's 50 % warning fell due first; 40 s used of vip's 30 s: breached at the change,
    # after the change that causes it
    assert _kinds(events) == [
        ("SlaWarning", 30 * S),
        ("TicketSlaPolicyChanged", 40 * S),
        ("SlaBreached", 40 * S),
    ]
    assert desk.ticket("t1").sla_policy == "vip"
    view = desk.clocks("t1")["first_response"]
    assert (view.state, view.target) == ("breached", 30 * S)
    again = Desk.restore(desk.config, json.loads(json.dumps(desk.snapshot())))
    assert again.clocks("t1") == desk.clocks("t1")
    assert again.ticket("t1") == desk.ticket("t1")


def test_set_sla_policy_refuses_unknown_policies_and_finished_tickets() -> None:
    from csflow import ConfigError, InvalidTransitionError

    desk = _assigned(_desk(TWO_POLICIES))
    before = desk.snapshot()
    with pytest.raises(ConfigError, match=r"unknown SLA policy 'gold'; known: \['chat', 'vip'\]"):
        desk.set_sla_policy("t1", "gold", at=T0)
    desk.resolve("t1", "sari", at=T0)
    before = desk.snapshot()
    with pytest.raises(InvalidTransitionError, match="cannot set the SLA policy of ticket 't1'"):
        desk.set_sla_policy("t1", "vip", at=T0)
    assert desk.snapshot() == before


# -- open cases, decided (docs/explanation/sla-semantics.md and desk-contract.md) ---------------

H = timedelta(hours=1)


def _sla(targets: dict[str, Any], calendar: Any = None, **kw: Any) -> Any:
    from csflow import BusinessCalendar
    from csflow.sla import SlaPolicy

    cal = calendar or BusinessCalendar.always_open("UTC")
    return SlaPolicy("p", cal, targets=targets, **kw)


def test_a_threshold_equal_to_the_time_used_at_a_change_is_passed_over() -> None:
    from csflow.sla import TicketSla

    sla = TicketSla("t", _sla({"resolution": {"normal": 8 * H, "urgent": 4 * H}}), "normal", T0)
    # 2 h used; the new target's 50 % threshold is exactly 2 h: it is not emitted
    assert sla.change_priority("urgent", T0 + 2 * H) == []
    assert sla.next_deadline() == T0 + 3 * H  # the 75 % threshold


def test_a_clock_breached_by_keep_elapsed_is_due_at_the_change() -> None:
    from csflow.sla import TicketSla

    sla = TicketSla("t", _sla({"resolution": {"normal": 8 * H, "urgent": 4 * H}}), "normal", T0)
    [breach] = [e for e in sla.change_priority("urgent", T0 + 5 * H) if isinstance(e, SlaBreached)]
    clock = sla.clock("resolution")
    assert clock is not None
    assert breach.at == breach.due_at == clock.due_at == T0 + 5 * H


def test_a_clock_paused_exactly_at_its_due_breaches_when_it_resumes() -> None:
    from csflow.sla import TicketSla

    policy = _sla({"resolution": 4 * H}, pause_on={"pending": ["resolution"]})
    sla = TicketSla("t", policy, "normal", T0)
    paused = sla.set_status("pending", T0 + 4 * H)
    assert not any(isinstance(e, SlaBreached) for e in paused)
    resumed = sla.set_status("open", T0 + 6 * H)
    assert [(type(e), e.at) for e in resumed] == [(SlaBreached, T0 + 6 * H)]


def test_a_threshold_that_lands_at_the_start_of_a_break_fires_as_the_break_starts() -> None:
    from csflow import BusinessCalendar
    from csflow.sla import TicketSla

    office = BusinessCalendar(
        "UTC", weekly={"mon": [("08:00", "12:00"), ("13:00", "17:00")]}
    )  # T0 is a Monday, 09:00
    sla = TicketSla("t", _sla({"resolution": 6 * H}, office), "normal", T0)
    first = sla.advance(T0 + 8 * H)[0]
    assert isinstance(first, SlaWarning)
    assert (first.threshold, first.at) == (0.5, T0 + 3 * H)  # 12:00, not 13:00


def test_naive_instants_raise_calendar_error_on_every_command() -> None:
    from csflow import CalendarError

    naive = T0.replace(tzinfo=None)
    desk = _assigned(_desk())
    calls: list[Callable[[], object]] = [
        lambda: desk.advance(at=naive),
        lambda: desk.reply("t1", "sari", at=naive),
        lambda: desk.set_presence("sari", "away", at=naive),
        lambda: desk.remove_agent("sari", at=naive),
        lambda: desk.submit(Ticket("t2", ANN, "chat", T0), at=naive),
        lambda: desk.add_agent(AgentProfile("eko", capacity={"chat": 1}), at=naive),
        lambda: desk.set_priority("t1", "high", at=naive),
        lambda: desk.forget("t1", at=naive),
    ]
    before = desk.snapshot()
    for call in calls:
        with pytest.raises(CalendarError, match="'at' must be timezone-aware"):
            call()
    assert desk.snapshot() == before


def test_clocks_list_only_metrics_whose_cycle_has_started() -> None:
    data = {
        **ONE_MINUTE,
        "sla_policies": [
            {
                "name": "chat",
                "calendar": "24x7",
                "targets": {
                    "first_response": "PT1M",
                    "next_response": "PT5M",
                    "periodic_update": "PT10M",
                    "resolution": "PT1H",
                },
            }
        ],
    }
    desk = _assigned(_desk(data))
    assert list(desk.clocks("t1")) == [Metric.FIRST_RESPONSE, Metric.RESOLUTION]
    desk.reply("t1", "sari", at=T0 + 10 * S)
    assert Metric.PERIODIC_UPDATE in desk.clocks("t1")
    assert Metric.NEXT_RESPONSE not in desk.clocks("t1")
    desk.customer_message("t1", at=T0 + 20 * S)
    assert Metric.NEXT_RESPONSE in desk.clocks("t1")


def test_an_agent_going_offline_keeps_its_tickets_and_its_idle_since() -> None:
    desk = _assigned(_desk())
    since = desk.agent("sari").idle_since
    events = desk.set_presence("sari", "offline", at=T0 + 10 * S)
    assert [type(e).__name__ for e in events] == ["AgentPresenceChanged"]
    status = desk.agent("sari")
    assert (status.held, status.load, status.idle_since) == (("t1",), 1, since)
    assert (desk.ticket("t1").state, desk.ticket("t1").agent_id) == ("assigned", "sari")
    # back with nothing held, the idle time starts again from the return
    desk.resolve("t1", "sari", at=T0 + 20 * S)
    desk.set_presence("sari", "available", at=T0 + 30 * S)
    assert desk.agent("sari").idle_since == T0 + 30 * S


def test_equally_idle_agents_are_chosen_in_the_order_they_joined() -> None:
    desk = _desk()
    for aid in ("budi", "ayu"):
        desk.add_agent(AgentProfile(aid, capacity={"chat": 1}), at=T0, presence="available")
    events = desk.submit(Ticket("t1", ANN, "chat", T0), at=T0)
    assert [e.agent_id for e in events if isinstance(e, TicketAssigned)] == ["budi"]


def test_a_resumed_or_reopened_ticket_joins_the_line_when_work_resumes() -> None:
    desk = _assigned(_desk())
    desk.set_status("t1", "pending", at=T0 + 10 * S)
    desk.set_presence("sari", "away", at=T0 + 20 * S)
    desk.set_status("t1", "open", at=T0 + 30 * S)  # its owner is away: it waits
    [entry] = desk.queue()
    assert entry.queued_at == T0 + 30 * S
    events = desk.set_presence("sari", "available", at=T0 + 50 * S)
    [assigned] = [e for e in events if isinstance(e, TicketAssigned)]
    assert assigned.waited == 20.0


def test_remove_agent_and_transfer_emit_in_the_documented_order() -> None:
    desk = _desk()
    desk.add_agent(AgentProfile("sari", capacity={"chat": 2}), at=T0, presence="available")
    desk.submit(Ticket("t1", ANN, "chat", T0), at=T0)
    desk.submit(Ticket("t2", ANN, "chat", T0), at=T0)
    budi = AgentProfile("budi", capacity={"chat": 1})
    desk.add_agent(budi, at=T0, presence="available")
    events = desk.transfer("t1", "budi", at=T0 + 1 * S)
    assert [type(e).__name__ for e in events] == ["TicketTransferred", "TicketAssigned"]
    desk.submit(Ticket("t3", ANN, "chat", T0), at=T0 + 2 * S)
    events = desk.remove_agent("sari", at=T0 + 3 * S)
    assert [(type(e).__name__, getattr(e, "ticket_id", None)) for e in events] == [
        ("AgentPresenceChanged", None),
        ("TicketRequeued", "t2"),
        ("TicketRequeued", "t3"),
    ]


@pytest.mark.parametrize(
    ("snapshot", "message"),
    [
        (
            {"commands": []},
            r"snapshot\.format: expected format 'csflow\.desk/3' \(or an older one\), got None",
        ),
        (
            {
                "format": "csflow.desk/1",
                "commands": [
                    ["add_agent", 0, {"id": "x", "capacity": {"chat": 10**100}}, "offline", None]
                ],
            },
            r"capacity for channel 'chat' must be an int from 0 to 1000",
        ),
        (
            {
                "format": "csflow.desk/1",
                "commands": [
                    [
                        "submit",
                        0,
                        {
                            "id": "x" * 1_000_000,
                            "customer": {"id": "c", "tier": {"name": "g", "rank": 1}},
                            "channel": "chat",
                            "created_at": "1970-01-01T00:00:00+00:00",
                        },
                    ]
                ],
            },
            r"snapshot\.commands\[0\]\[2\]\.id: string of 1000000 characters; at most 65536",
        ),
    ],
)
def test_snapshot_values_outside_the_legal_range_are_refused(
    snapshot: dict[str, Any], message: str
) -> None:
    from csflow import ConfigError

    with pytest.raises(ConfigError, match=message):
        Desk.restore(DeskConfig.from_dict(ONE_MINUTE), snapshot)


def test_deep_customer_attributes_are_legal_snapshot_values() -> None:
    desk = _desk()
    customer = Customer("c", Tier("g", 1), attributes={"a": {"b": {"c": [1, {"d": 2}]}}})
    desk.submit(Ticket("t1", customer, "chat", T0), at=T0)
    again = Desk.restore(desk.config, json.loads(json.dumps(desk.snapshot())))
    assert again.ticket("t1") == desk.ticket("t1")


# -- laws over random command sequences --------------------------------------------------------
#
# A host drives a desk with random commands on one of several configurations.  Half the hosts
# are "diligent" (they call advance(now) before a command at a later instant, as the contract
# page asks); the others never do, so every command meets overdue clocks.  After each step:
#
# * the command's events are in time order, none later than its ``at``; a diligent host's
#   whole stream is in time order;
# * the ticket the command was about has no SLA event due at or before ``at`` left unfired;
# * a refused command (each command x each kind of bad argument) raised a documented
#   CsflowError subclass and changed nothing a host can read;
# * every event that says something moved matches the views.

from datetime import timezone  # noqa: E402

from hypothesis import settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule  # noqa: E402

import csflow.errors  # noqa: E402
from csflow import (  # noqa: E402
    CsflowError,
    TicketEscalated,
    TicketTransferred,
)
from csflow.desk import LIFECYCLE  # noqa: E402

WIB = timezone(timedelta(hours=7), "WIB")
START = datetime(2026, 3, 6, 15, 0, tzinfo=WIB)  # a Friday afternoon
DOCUMENTED = {getattr(csflow.errors, n) for n in csflow.errors.__all__} - {CsflowError}

_TEAMS = {
    "front": {"queue": "general"},
    "seniors": {"queue": "supervisors"},
}
LAW_CONFIGS: dict[str, dict[str, Any]] = {
    # Round-the-clock chat: one-minute first response, relaxation, teams, a transfer limit.
    "chat": {
        **TWO_POLICIES,
        "queues": [
            {
                "name": "general",
                "relaxation": [
                    {"after": "PT30S", "proficiency": 1},
                    {"after": "PT2M", "drop": ["refunds"]},
                ],
            },
            {"name": "supervisors", "key": "deadline", "fallback": "PT1H"},
        ],
        "teams": _TEAMS,
        "escalation": {
            "teams": ["front", "seniors"],
            "entry": ["front"],
            "edges": {"front": ["seniors"]},
        },
        "transfers": {"max_transfers": 2, "on_limit": "refuse"},
    },
    # Office hours with every metric and pausing; priorities change targets; retroactive.
    "office": {
        "calendars": {
            "office": {
                "timezone": "Asia/Jakarta",
                "weekly": {
                    d: [["08:00", "12:00"], ["13:00", "17:00"]]
                    for d in ("mon", "tue", "wed", "thu", "fri")
                },
            }
        },
        "sla_policies": [
            {
                "name": "standard",
                "calendar": "office",
                "targets": {
                    "first_response": {"normal": "PT10M", "high": "PT5M", "urgent": "PT1M"},
                    "next_response": "PT15M",
                    "periodic_update": {"high": "PT20M"},
                    "resolution": {"normal": "PT2H", "urgent": "PT30M"},
                },
                "pause_on": {
                    "pending": ["resolution", "next_response"],
                    "on_hold": ["first_response", "resolution", "next_response"],
                },
            },
            {
                "name": "premium",
                "calendar": "office",
                "targets": {"first_response": "PT2M", "resolution": "PT1H"},
            },
        ],
        "default_sla_policy": "standard",
        "recalculation": "retroactive",
        "queues": [{"name": "general"}, {"name": "supervisors"}],
        "teams": _TEAMS,
        "survey_delay": "PT10M",
    },
}
ESCALATION = RuleEscalationPolicy(
    [
        {"name": "warn", "when": {"field": "event", "eq": "warning"}, "then": {"tags": ["warm"]}},
        {
            "name": "breach",
            "when": {"field": "event", "eq": "breach"},
            "then": {"queue": "supervisors", "priority": "high", "notify": ["lead"]},
        },
    ]
)
AGENTS = ["a0", "a1", "a2"]
TICKET_COMMANDS = (
    "set_sla_policy",
    "reply",
    "customer_message",
    "set_status",
    "set_priority",
    "transfer",
    "escalate",
    "request_callback",
    "abandon",
    "resolve",
    "reopen",
    "close",
)


def _config(name: str, escalating: bool) -> DeskConfig:
    config = DeskConfig.from_dict(LAW_CONFIGS[name])
    return attrs.evolve(config, escalation_policy=ESCALATION) if escalating else config


def _readable(desk: Desk) -> tuple[Any, ...]:
    """Everything a host can read from *desk*."""
    tickets = tuple(desk.tickets())
    agents = tuple(desk.agents())
    return (
        json.dumps(desk.snapshot()),
        desk.now,
        desk.next_wakeup(),
        tuple(desk.ticket(t) for t in tickets),
        tuple(desk.clocks(t) for t in tickets),
        tuple(desk.history(t) for t in tickets),
        tuple(desk.agent(a) for a in agents),
        tuple(desk.owned(a) for a in agents),
        tuple((e.ticket_id, e.key[:2], e.signature, e.queued_at_us) for e in desk.queue()),
    )


def _check_moves(desk: Desk, events: list[Event]) -> None:
    """Every event that says something moved matches the views (its last word per ticket)."""
    last: dict[str, Event] = {}
    for e in events:
        if isinstance(e, TicketOverflowed | TicketEscalated | TicketTransferred | TicketRelaxed):
            last[e.ticket_id] = e
        if isinstance(e, SlaEscalated):
            assert set(e.tags) <= set(desk.ticket(e.ticket_id).tags), e
    teams = desk.config.teams
    for tid, e in last.items():
        view = desk.ticket(tid)
        if isinstance(e, TicketOverflowed):
            assert view.queue == e.queue, e
        elif isinstance(e, TicketEscalated):
            assert view.queue == teams[e.to_team].queue, e
            assert view.transfers >= e.escalations, e
        elif isinstance(e, TicketTransferred):
            if e.to in teams:
                assert view.queue == teams[e.to].queue, e
            else:
                assert (view.state, view.agent_id) == ("assigned", e.to), e
        elif isinstance(e, TicketRelaxed) and view.state == "queued":
            [entry] = [q for q in desk.queue() if q.ticket_id == tid]
            assert str(entry.signature) == e.requirements, e
    for e in events:
        if isinstance(e, SlaEscalated) and e.kind == "breach" and not e.skipped:
            # The breach rule asks for the supervisors' queue: it moved there (and maybe on, by
            # a later hand-over in the same command), or it was there already.
            later = events[events.index(e) :]
            moves = TicketOverflowed | TicketTransferred | TicketEscalated
            moved = any(isinstance(x, moves) and x.ticket_id == e.ticket_id for x in later)
            assert moved or desk.ticket(e.ticket_id).queue == "supervisors", e


class ContractMachine(RuleBasedStateMachine):
    """A host, diligent or lazy, driving one desk; the laws are checked after each step."""

    def __init__(self) -> None:
        super().__init__()
        self.desk = Desk(DeskConfig())
        self.now = START
        self.diligent = False
        self.stream: list[Event] = []
        self.ids: list[str] = []

    @initialize(
        name=st.sampled_from(sorted(LAW_CONFIGS)),
        escalating=st.booleans(),
        diligent=st.booleans(),
        skills=st.lists(
            st.dictionaries(st.sampled_from(["refunds"]), st.integers(1, 5)), min_size=1, max_size=3
        ),
    )
    def start(
        self, name: str, escalating: bool, diligent: bool, skills: list[dict[str, int]]
    ) -> None:
        self.desk = Desk(_config(name, escalating))
        self.diligent = diligent
        for aid, sk in zip(AGENTS, skills, strict=False):
            self.do(
                "add_agent",
                AgentProfile(aid, sk, capacity={"chat": 2, "phone": 1}),
                presence="available",
            )

    # -- the host ------------------------------------------------------------------------------

    def do(self, name: str, *args: Any, about: str | None = None, **kwargs: Any) -> list[Event]:
        events: list[Event] = getattr(self.desk, name)(*args, at=self.now, **kwargs)
        # (1) in time order, none later than the command's instant
        assert all(a.at <= b.at for a, b in itertools.pairwise(events)), events
        assert all(e.at <= self.now for e in events), events
        if self.diligent:
            self.stream.extend(events)
            assert all(a.at <= b.at for a, b in itertools.pairwise(self.stream[-len(events) - 1 :]))
        # (2) the ticket the command was about has nothing overdue left
        if about is not None and about in set(self.desk.tickets()):
            wake = self.desk.next_wakeup()
            clocks = self.desk.clocks(about, self.now)
            for view in clocks.values():
                if view.state == "running" and view.due_at is not None:
                    assert view.due_at > self.now, (about, view)
            del wake
        # (4) what moved is in the views
        _check_moves(self.desk, events)
        return events

    def step(self, dt: int) -> None:
        if dt:
            self.now += timedelta(seconds=dt)
            if self.diligent:
                self.do("advance")

    def tid(self, k: int) -> str:
        return self.ids[k % len(self.ids)] if self.ids else "t-none"

    def legal(self, command: str, k: int) -> str:
        fit = [t for t in self.ids if self.desk.ticket(t).state in LIFECYCLE[command]]
        return fit[k % len(fit)] if fit else self.tid(k)

    def attempt(self, name: str, *args: Any, about: str | None = None) -> None:
        before = _readable(self.desk)
        error: CsflowError | None = None
        try:
            self.do(name, *args, about=about)
        except CsflowError as exc:
            error = exc
        if error is not None:
            assert type(error) in DOCUMENTED, error
            assert _readable(self.desk) == before, f"{name}{args} raised {error!r}, changed things"

    # -- commands ------------------------------------------------------------------------------

    @rule(
        dt=st.sampled_from([0, 0, 5, 20, 50, 200, 3600]),
        tier=st.integers(1, 4),
        refunds=st.integers(0, 5),
        back=st.sampled_from([0, 0, 40, 300]),
    )
    def submit(self, dt: int, tier: int, refunds: int, back: int) -> None:
        self.step(dt)
        tid = f"t{len(self.ids)}"
        customer = Customer(f"c{tier}", Tier(f"tier{tier}", tier))
        skills = {"refunds": refunds} if refunds else {}
        # A diligent host submits tickets as they are created (one created earlier brings
        # events from before the desk's last instant: in order within the command only).
        created = self.now if self.diligent else max(self.now - timedelta(seconds=back), START)
        self.ids.append(tid)
        self.do("submit", Ticket(tid, customer, "chat", created, required_skills=skills), about=tid)

    @rule(
        dt=st.sampled_from([0, 5, 20, 50, 200, 3600]),
        command=st.sampled_from(TICKET_COMMANDS),
        k=st.integers(0, 99),
        j=st.integers(0, 99),
    )
    def on_ticket(self, dt: int, command: str, k: int, j: int) -> None:
        self.step(dt)
        key = {
            "set_status": f"set_status:{['pending', 'on_hold', 'open'][j % 3]}",
            "set_sla_policy": "set_priority",  # allowed where a priority change is
        }.get(command, command)
        tid = self.legal(key, k)
        view = self.desk.ticket(tid) if tid in self.ids else None
        agent = view.agent_id if view is not None and view.agent_id else AGENTS[j % 3]
        args: tuple[Any, ...] = {
            "reply": (tid, agent),
            "resolve": (tid, agent),
            "set_status": (tid, key.removeprefix("set_status:")),
            "set_priority": (tid, ["low", "normal", "high", "urgent"][j % 4]),
            "transfer": (tid, [*AGENTS, "front", "seniors"][j % 5]),
            "escalate": (tid, ["seniors", "front"][j % 2]),
            "set_sla_policy": (tid, [*sorted(self.desk.config.sla_policies), "nope"][j % 3]),
        }.get(command, (tid,))
        self.attempt(command, *args, about=tid)

    @rule(
        dt=st.sampled_from([0, 5, 60]),
        k=st.integers(0, 99),
        state=st.sampled_from(["available", "available", "away", "offline"]),
    )
    def presence(self, dt: int, k: int, state: str) -> None:
        self.step(dt)
        self.attempt("set_presence", AGENTS[k % 3], state)

    @rule(dt=st.sampled_from([0, 5, 60]), k=st.integers(0, 99))
    def agents_come_and_go(self, dt: int, k: int) -> None:
        self.step(dt)
        aid = AGENTS[k % 3]
        if aid in set(self.desk.agents()):
            self.attempt("remove_agent", aid)
        else:
            self.attempt("add_agent", AgentProfile(aid, {"refunds": 3}, capacity={"chat": 1}))

    @rule(dt=st.sampled_from([1, 30, 60, 600, 3600, 20 * 3600]))
    def advance(self, dt: int) -> None:
        self.now += timedelta(seconds=dt)
        self.do("advance")

    # -- refusals ------------------------------------------------------------------------------

    @rule(
        command=st.sampled_from(TICKET_COMMANDS),
        bad=st.sampled_from(
            ["ticket", "naive", "backwards", "type", "at-type", "transition", "name", "agent"]
        ),
        k=st.integers(0, 99),
    )
    def refused(self, command: str, bad: str, k: int) -> None:
        tid = self.tid(k)
        view = self.desk.ticket(tid) if tid in self.ids else None
        holder = view.agent_id if view is not None and view.agent_id else AGENTS[k % 3]
        second = {
            "reply": holder,
            "resolve": holder,
            "set_status": "pending",
            "set_priority": "high",
            "transfer": "seniors",
            "escalate": "seniors",
            "set_sla_policy": sorted(self.desk.config.sla_policies)[0],
        }
        args: list[Any] = [tid] + ([second[command]] if command in second else [])
        at: Any = self.now
        if bad == "ticket":
            args[0] = "no-such-ticket"
        elif bad == "naive":
            at = self.now.replace(tzinfo=None)
        elif bad == "backwards":
            if self.desk.now is None:
                return
            at = self.desk.now - timedelta(microseconds=1)
        elif bad == "type":
            args[0] = 7
        elif bad == "at-type":
            at = self.now.isoformat()
        elif bad == "transition":
            if (
                view is None
                or view.state
                in LIFECYCLE[
                    {"set_status": "set_status:pending", "set_sla_policy": "set_priority"}.get(
                        command, command
                    )
                ]
            ):
                return
        elif bad == "name":
            names = {
                "set_sla_policy": "gold-plus",
                "set_status": "solved",
                "set_priority": "critical",
                "transfer": "nobody",
                "escalate": "legal",
            }
            if command not in names:
                return
            args[1] = names[command]
        elif bad == "agent":
            if command not in ("reply", "resolve", "transfer"):
                return
            args[1] = "no-such-agent"
        if not self.ids:
            return
        before = _readable(self.desk)
        with pytest.raises(CsflowError) as info:
            getattr(self.desk, command)(*args, at=at)
        assert type(info.value) in DOCUMENTED, info.value
        if bad in ("naive", "at-type"):
            assert isinstance(info.value, csflow.errors.CalendarError), info.value
        if bad == "backwards":
            assert isinstance(info.value, csflow.errors.InvalidTransitionError), info.value
        assert _readable(self.desk) == before, f"{command} ({bad}) changed the desk"

    @rule(
        case=st.sampled_from(
            [
                ("set_presence", ("no-such-agent", "available")),
                ("set_presence", ("a0", "snoozing")),
                ("set_presence", (7, "available")),
                ("remove_agent", ("no-such-agent",)),
                ("remove_agent", (None,)),
                ("add_agent", ("a0",)),
                ("add_agent", (AgentProfile("a0", capacity={"chat": 1}),)),
                ("submit", ("t0",)),
                ("submit", (Ticket("t0", ANN, "chat", START),)),
                ("submit", (Ticket("later", ANN, "chat", START + timedelta(days=400)),)),
                ("advance", ()),
            ]
        ),
        bad=st.sampled_from(["argument", "naive", "backwards"]),
    )
    def refused_elsewhere(self, case: tuple[str, tuple[Any, ...]], bad: str) -> None:
        command, args = case
        at: Any = self.now
        if bad == "naive":
            at = self.now.replace(tzinfo=None)
        elif bad == "backwards":
            if self.desk.now is None:
                return
            at = self.desk.now - timedelta(microseconds=1)
        elif command == "advance" or (
            command in ("add_agent", "submit")
            and isinstance(args[0], AgentProfile | Ticket)
            and args[0].id not in {*self.desk.agents(), *self.desk.tickets()}
            and args[0].id != "later"
        ):
            return  # a good argument: nothing to refuse
        before = _readable(self.desk)
        with pytest.raises(CsflowError) as info:
            getattr(self.desk, command)(*args, at=at)
        assert type(info.value) in DOCUMENTED, info.value
        if bad == "naive":
            assert isinstance(info.value, csflow.errors.CalendarError), info.value
        assert _readable(self.desk) == before, f"{command}{args} ({bad}) changed the desk"


TestContract = ContractMachine.TestCase
TestContract.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
