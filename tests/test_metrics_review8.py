"""Review 8 of csflow.metrics and csflow.people: hand-built events with fields of the wrong
type are refused whole, SLA attainment per SLA policy, and the people report's plain data."""

from __future__ import annotations

import json
import pickle
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csflow import DeskConfig, people_report, summarize, summarize_intervals
from csflow.errors import ConfigError
from csflow.events import (
    DeskEvent,
    FeedbackRecorded,
    GoodwillGranted,
    TicketAbandoned,
    TicketAssigned,
    TicketClosed,
    TicketEscalated,
    TicketQueued,
    TicketReopened,
    TicketResolved,
    TicketSlaPolicyChanged,
    TicketStatusChanged,
    TicketTransferred,
)
from csflow.metrics import Attainment, IntervalSummarizer, Report, Summarizer
from csflow.model import Priority
from csflow.people import GoodwillTotal, PeopleReport, Satisfaction
from csflow.samples import demo_desk_data
from csflow.sla import Metric, SlaBreached, SlaMet
from csflow.testing.programs import CommandDriver
from test_metrics_properties import Life, lives, time_ordered

T = datetime(2026, 3, 2, 9, tzinfo=UTC)
MIN = timedelta(minutes=1)


def queued(tid: Any, at: datetime = T, *, policy: Any = "std", **kw: Any) -> TicketQueued:
    fields: dict[str, Any] = {
        "queue": "q",
        "priority": Priority.NORMAL,
        "sla_policy": policy,
        "tier": "gold",
        "channel": "chat",
        "reason": "",
    }
    fields.update(kw)
    return TicketQueued(at, tid, **fields)


def base() -> list[Any]:
    """A ticket queued, assigned and breached: each bad event below comes at events[3]."""
    return [
        queued("T1"),
        TicketAssigned(T + MIN, "T1", "ana", 60.0, 1, ""),
        SlaBreached(T + 2 * MIN, "T1", Metric.FIRST_RESPONSE, T + 2 * MIN, MIN),
    ]


def hand(cls: Any, *args: Any) -> Any:
    """An event built by hand, fields of any type (as a host's own code may build one)."""
    return cls(*args)


AT = T + 3 * MIN
# (name, event, the field named in the error's path)
SUMMARY_BAD: list[tuple[str, Any, str]] = [
    ("met metric str", hand(SlaMet, AT, "T1", "first_response", MIN, MIN, False), "metric"),
    ("breach metric str", hand(SlaBreached, AT, "T1", "next_response", AT, MIN), "metric"),
    ("met metric list", hand(SlaMet, AT, "T1", ["x"], MIN, MIN, False), "metric"),
    ("queued tier list", queued("T2", AT, tier=["gold"]), "tier"),
    ("queued tier None", queued("T2", AT, tier=None), "tier"),
    ("queued channel int", queued("T2", AT, channel=7), "channel"),
    ("queued policy list", queued("T2", AT, policy=["std"]), "sla_policy"),
    ("queued id list", queued(["T1"], AT), "ticket_id"),
    ("transfer id list", hand(TicketTransferred, AT, ["T1"], "ana", "budi", 1), "ticket_id"),
    ("escalate id list", hand(TicketEscalated, AT, ["T1"], "a", "b", 1, ""), "ticket_id"),
    ("reopen id list", hand(TicketReopened, AT, ["T1"], "ana"), "ticket_id"),
    ("resolve id dict", hand(TicketResolved, AT, {"T1": 1}, "ana"), "ticket_id"),
    ("close id set", hand(TicketClosed, AT, {"T1"}), "ticket_id"),
]


@pytest.mark.parametrize(("name", "bad", "field"), SUMMARY_BAD, ids=[c[0] for c in SUMMARY_BAD])
def test_summaries_refuse_a_field_of_the_wrong_type_at_its_path(
    name: str, bad: Any, field: str
) -> None:
    events = [*base(), bad, hand(TicketResolved, AT + MIN, "T1", "ana")]
    for run in (
        summarize,
        lambda e: summarize_intervals(e, zone="Asia/Tokyo"),
    ):
        with pytest.raises(ConfigError) as info:
            run(events)
        assert info.value.path == f"events[3].{field}", name


@pytest.mark.parametrize(("name", "bad", "field"), SUMMARY_BAD, ids=[c[0] for c in SUMMARY_BAD])
def test_a_refused_event_changes_no_live_summary(name: str, bad: Any, field: str) -> None:
    live = Summarizer()
    intervals = IntervalSummarizer(interval=timedelta(hours=1), zone="Europe/Berlin")
    for summary in (live, intervals):
        summary.extend(base())
        before = summary.report(until=T + 10 * MIN)
        with pytest.raises(ConfigError):
            summary.add(bad)
        assert summary.events == 3
        assert summary.report(until=T + 10 * MIN) == before, name
        # ... and it goes on as if the bad event had never come.
        summary.add(hand(TicketResolved, AT + MIN, "T1", "ana"))
    assert live.report() == summarize([*base(), hand(TicketResolved, AT + MIN, "T1", "ana")])


@settings(max_examples=60, deadline=None)
@given(lives(), st.data())
def test_law_a_refused_event_anywhere_in_a_stream_changes_nothing(
    tickets: list[Life], data: st.DataObject
) -> None:
    events = time_ordered(tickets)
    cut = data.draw(st.integers(0, len(events)), label="cut")
    tid = data.draw(st.sampled_from([t.tid for t in tickets] or ["X"]), label="ticket")
    at = events[cut - 1].at if cut else T
    bad = data.draw(
        st.sampled_from(
            [
                hand(SlaMet, at, tid, "resolution", MIN, MIN, False),
                hand(SlaBreached, at, tid, "first_response", at, MIN),
                queued(tid, at, tier=None),
                queued(tid, at, policy=3),
                hand(TicketTransferred, at, [tid], "a0", "a1", 1),
                hand(TicketReopened, at, [tid], None),
                hand(TicketEscalated, at, [tid], None, "t", 1, ""),
            ]
        ),
        label="bad",
    )
    live = Summarizer()
    live.extend(events[:cut])
    with pytest.raises(ConfigError) as info:
        live.add(bad)
    assert info.value.path.startswith(f"events[{cut}].")
    live.extend(events[cut:])
    assert live.report() == summarize(events)


PEOPLE_BAD: list[tuple[str, Any, str]] = [
    (
        "rating str",
        hand(FeedbackRecorded, AT, "T1", "5", "", 1, "ana", "gold", "chat", "q", None),
        "rating",
    ),
    (
        "rating None",
        hand(FeedbackRecorded, AT, "T1", None, "", 1, "ana", "gold", "chat", "q", None),
        "rating",
    ),
    (
        "rating bool",
        hand(FeedbackRecorded, AT, "T1", True, "", 1, "ana", "gold", "chat", "q", None),
        "rating",
    ),
    (
        "rating 10",
        hand(FeedbackRecorded, AT, "T1", 10, "", 1, "ana", "gold", "chat", "q", None),
        "rating",
    ),
    (
        "feedback agent int",
        hand(FeedbackRecorded, AT, "T1", 5, "", 1, 7, "gold", "chat", "q", None),
        "agent_id",
    ),
    (
        "feedback tier list",
        hand(FeedbackRecorded, AT, "T1", 5, "", 1, "ana", ["x"], "chat", "q", None),
        "tier",
    ),
    (
        "feedback team int",
        hand(FeedbackRecorded, AT, "T1", 5, "", 1, "ana", "gold", "chat", "q", 1),
        "team",
    ),
    (
        "met elapsed None",
        hand(SlaMet, AT, "T1", Metric.FIRST_RESPONSE, None, MIN, False),
        "elapsed",
    ),
    ("met metric str", hand(SlaMet, AT, "T1", "first_response", MIN, MIN, False), "metric"),
    ("breach metric str", hand(SlaBreached, AT, "T1", "first_response", AT, MIN), "metric"),
    ("assigned agent None", hand(TicketAssigned, AT, "T1", None, 0.0, 1, ""), "agent_id"),
    ("resolved agent None", hand(TicketResolved, AT, "T1", None), "agent_id"),
    ("transfer from int", hand(TicketTransferred, AT, "T1", 3, "team", 1), "from_agent"),
    ("assigned id list", hand(TicketAssigned, AT, ["T1"], "ana", 0.0, 1, ""), "ticket_id"),
    (
        "grant reason list",
        hand(GoodwillGranted, AT, "T1", "ana", Decimal(5), "IDR", ["r"], "gold", "b", None),
        "reason",
    ),
    (
        "grant agent None",
        hand(GoodwillGranted, AT, "T1", None, Decimal(5), "IDR", "r", "gold", "b", None),
        "agent_id",
    ),
]


@pytest.mark.parametrize(("name", "bad", "field"), PEOPLE_BAD, ids=[c[0] for c in PEOPLE_BAD])
def test_people_report_refuses_a_field_of_the_wrong_type_at_its_path(
    name: str, bad: Any, field: str
) -> None:
    with pytest.raises(ConfigError) as info:
        people_report([*base(), bad])
    assert info.value.path == f"events[3].{field}", name


def test_people_report_still_takes_the_none_an_event_allows() -> None:
    report = people_report(
        [
            *base(),
            TicketTransferred(AT, "T1", None, "budi", 1),
            FeedbackRecorded(AT, "T1", 4, "", 1, None, "gold", "chat", "q", None),
        ]
    )
    assert report.satisfaction == Satisfaction(1, 1, 4)
    assert report.agents["ana"].transfers_out == 1


# --------------------------------------------------------------------------------------------
# SLA attainment per SLA policy

POLICIES = ("vip", "std", None)


def with_policies(events: list[Any], policy_of: dict[str, str | None]) -> list[Any]:
    """The events, each TicketQueued naming its ticket's policy."""
    return [
        queued(e.ticket_id, e.at, policy=policy_of[e.ticket_id], tier=e.tier, channel=e.channel)
        if isinstance(e, TicketQueued)
        else e
        for e in events
    ]


@settings(max_examples=80, deadline=None)
@given(lives(), st.data())
def test_law_attainment_per_policy_is_the_attainment_of_that_policys_tickets(
    tickets: list[Life], data: st.DataObject
) -> None:
    policy_of = {
        t.tid: data.draw(st.sampled_from(POLICIES), label=f"policy {t.tid}") for t in tickets
    }
    events = with_policies(time_ordered(tickets), policy_of)
    report = summarize(events)
    # Naive reference: summarize each policy's tickets alone and take its overall attainment.
    expected = {}
    for policy in {p for p in policy_of.values() if p is not None}:
        mine = [e for e in events if policy_of[e.ticket_id] == policy]
        got = summarize(mine).sla
        if got.total:
            expected[policy] = got
    assert dict(report.sla_by_policy) == expected
    # A ticket without a policy is in no group: the groups add up to the policies' tickets.
    with_policy = [e for e in events if policy_of[e.ticket_id] is not None]
    assert sum(a.total for a in report.sla_by_policy.values()) == summarize(with_policy).sla.total
    # Interval rows add up to the total, per policy too.
    rows = summarize_intervals(events, interval=timedelta(minutes=15), zone="Asia/Jakarta")
    summed: Counter[tuple[str, int]] = Counter()
    for _, row in rows:
        for name, a in row.sla_by_policy.items():
            summed[name, 0] += a.met
            summed[name, 1] += a.breached
    assert rows.total.sla_by_policy == report.sla_by_policy
    assert {name: Attainment(summed[name, 0], summed[name, 1]) for name, _ in summed} == dict(
        report.sla_by_policy
    )


_DEMO = DeskConfig.from_dict(demo_desk_data())


def _lives(events: list[Any]) -> list[list[Any]]:
    """The ticket lives of a desk's events (a life ends at its close or abandonment)."""
    open_: dict[str, list[Any]] = {}
    done: list[list[Any]] = []
    for e in events:
        if not isinstance(e, DeskEvent):
            continue
        mine = open_.setdefault(e.ticket_id, [])
        mine.append(e)
        if isinstance(e, TicketClosed | TicketAbandoned):
            done.append(mine)
            del open_[e.ticket_id]
    return done + list(open_.values())


def _life_by_policy(life: list[Any], expected: dict[str, list[int]]) -> None:
    """Add a life's SLA outcomes to *expected* per policy, naively: each change of the
    life's own overall count, event by event, goes to the policy in force then (its first
    TicketQueued's, then each TicketSlaPolicyChanged's; one counted before that TicketQueued
    joins its policy); a resolution met and then breached is taken back from the policy it
    was counted for."""
    live = Summarizer()
    was = (0, 0)
    policy: str | None = None
    queued = False
    early: list[tuple[int, int]] = []
    resolution_under: str | None = None
    for e in life:
        if isinstance(e, TicketQueued) and not queued:
            queued, policy = True, e.sla_policy
            for met, breached in early:
                if policy is not None:
                    counts = expected.setdefault(policy, [0, 0])
                    counts[0] += met
                    counts[1] += breached
            early = []
            resolution_under = policy
        elif isinstance(e, TicketSlaPolicyChanged) and queued:
            policy = e.new
        live.add(e)
        now = live.report().sla
        met, breached = now.met - was[0], now.breached - was[1]
        was = (now.met, now.breached)
        if not (met or breached):
            continue
        if not queued:
            early.append((met, breached))
            continue
        if (met, breached) == (-1, 1):  # a resolution met, then breached
            if resolution_under is not None:
                expected.setdefault(resolution_under, [0, 0])[0] -= 1
            met = 0
        if policy is not None:
            counts = expected.setdefault(policy, [0, 0])
            counts[0] += met
            counts[1] += breached
        if e.metric is Metric.RESOLUTION:
            resolution_under = policy


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.data())
def test_law_a_desks_attainment_per_policy_against_a_naive_reference(
    data: st.DataObject,
) -> None:
    driver = CommandDriver(_DEMO, start=datetime(2026, 3, 2, 1, tzinfo=UTC), refusals=0.0)
    events: list[Any] = []
    for _ in range(data.draw(st.integers(10, 60), label="steps")):
        for s in driver.step(data.draw):
            events += s.events
    report = summarize(events)
    expected: dict[str, list[int]] = {}
    for life in _lives(events):
        _life_by_policy(life, expected)
    assert dict(report.sla_by_policy) == {
        p: Attainment(*c) for p, c in expected.items() if c != [0, 0]
    }


def test_a_breach_before_the_ticket_was_queued_counts_for_its_policy() -> None:
    # An e-mail fetched late: its first-response clock breached before it was submitted.
    events = [
        SlaBreached(T, "T1", Metric.FIRST_RESPONSE, T, MIN),
        queued("T1", T + MIN, policy="email"),
        queued("T2", T + MIN, policy=None),
        SlaBreached(T + 2 * MIN, "T2", Metric.FIRST_RESPONSE, T + 2 * MIN, MIN),
        SlaMet(T + 3 * MIN, "T1", Metric.RESOLUTION, MIN, 2 * MIN, False),
    ]
    report = summarize(events)
    assert dict(report.sla_by_policy) == {"email": Attainment(met=1, breached=1)}
    assert report.sla == Attainment(met=1, breached=2)
    rows = summarize_intervals(events, interval=timedelta(hours=1))
    assert [dict(r.sla_by_policy) for _, r in rows] == [{"email": Attainment(1, 1)}]


def test_attainment_per_policy_is_in_the_plain_data_the_table_and_a_pickle() -> None:
    events = [
        queued("T1", policy="vip"),
        SlaMet(T + MIN, "T1", Metric.FIRST_RESPONSE, MIN, 2 * MIN, False),
        queued("T2", policy="std"),
        SlaBreached(T + 2 * MIN, "T2", Metric.FIRST_RESPONSE, T + 2 * MIN, MIN),
    ]
    report = summarize(events)
    data = report.to_dict()
    assert data["sla_by_policy"] == {
        "std": {"met": 0, "breached": 1, "rate": 0.0},
        "vip": {"met": 1, "breached": 0, "rate": 1.0},
    }
    json.dumps(data)
    table = report.table()
    assert any(line.startswith("  policy std") and "1 breached" in line for line in table)
    assert any(line.startswith("  policy vip") and "1 met" in line for line in table)
    clone = pickle.loads(pickle.dumps(report))
    assert clone == report
    assert clone.sla_by_policy["vip"] == Attainment(1, 0)
    interval_data = summarize_intervals(events).to_dict()
    assert interval_data["total"]["sla_by_policy"] == data["sla_by_policy"]


def test_a_report_checks_and_freezes_its_policy_groups() -> None:
    report = Report(sla_by_policy={"vip": Attainment(2, 1), "std": Attainment()})
    assert list(report.sla_by_policy) == ["std", "vip"]
    with pytest.raises(TypeError):
        report.sla_by_policy["x"] = Attainment()  # type: ignore[index]
    with pytest.raises(ConfigError):
        Report(sla_by_policy={"vip": 3})  # type: ignore[dict-item]


# --------------------------------------------------------------------------------------------
# the people report as plain data


def test_people_report_to_dict_is_json_and_round_trips_by_hand() -> None:
    events: list[Any] = [
        queued("T1"),
        TicketAssigned(T + MIN, "T1", "ana", 60.0, 1, ""),
        SlaMet(T + 2 * MIN, "T1", Metric.FIRST_RESPONSE, MIN, 2 * MIN, False),
        TicketResolved(T + 5 * MIN, "T1", "ana"),
        FeedbackRecorded(T + 6 * MIN, "T1", 5, "", 1, "ana", "gold", "chat", "q", "front"),
        FeedbackRecorded(T + 6 * MIN, "T2", 2, "", 1, None, "silver", "email", "q", None),
        GoodwillGranted(
            T + 7 * MIN, "T1", "ana", Decimal("12.50"), "EUR", "late", "gold", "b", None
        ),
        GoodwillGranted(
            T + 8 * MIN, "T1", "ana", Decimal("0.505"), "EUR", "late", "gold", "b", None
        ),
        GoodwillGranted(
            T + 9 * MIN, "T2", "budi", Decimal("1E+3"), "EUR", "lost", "silver", "b", None
        ),
    ]
    report = people_report(events)
    data = report.to_dict()
    assert json.loads(json.dumps(data)) == data

    def sat(d: dict[str, Any]) -> Satisfaction:
        return Satisfaction(d["responses"], d["satisfied"], d["total"])

    def good(d: dict[str, Any]) -> GoodwillTotal:
        return GoodwillTotal(d["grants"], Decimal(d["amount"]))

    assert sat(data["satisfaction"]) == report.satisfaction
    assert data["satisfaction"]["csat"] == report.satisfaction.csat == 0.5
    assert data["satisfaction"]["mean"] == 3.5
    for name in ("by_agent", "by_tier", "by_channel", "by_queue", "by_team"):
        got = {k: sat(v) for k, v in data[name].items()}
        assert got == dict(getattr(report, name)), name
    for name in ("goodwill_by_agent", "goodwill_by_reason", "goodwill_by_tier"):
        got_goodwill = {k: good(v) for k, v in data[name].items()}
        assert got_goodwill == dict(getattr(report, name)), name
    # Exact decimals in plain notation, their places kept.
    assert data["goodwill_by_agent"]["ana"] == {"grants": 2, "amount": "13.005"}
    assert data["goodwill_by_agent"]["budi"]["amount"] == "1000"
    assert Decimal(data["goodwill_by_reason"]["late"]["amount"]).as_tuple() == (
        report.goodwill_by_reason["late"].amount.as_tuple()
    )
    ana = data["agents"]["ana"]
    standard = report.agents["ana"]
    assert ana["agent_id"] == "ana"
    assert ana["handled"] == standard.handled == 1
    assert ana["assignments"] == standard.assignments
    assert ana["first_response_median_s"] == standard.first_response_median_s == 60.0
    assert ana["handle_time_s"] == standard.handle_time_s == 240.0
    assert ana["transfer_rate"] == standard.transfer_rate
    assert Attainment(ana["sla"]["met"], ana["sla"]["breached"]) == standard.sla
    assert sat(ana["satisfaction"]) == standard.satisfaction
    assert list(data["agents"]) == sorted(report.agents)
    assert data["goodwill_currency"] == "EUR"
    assert (data["goodwill_requests"], data["goodwill_declined"]) == (0, 0)


def test_an_empty_people_report_to_dict() -> None:
    data = people_report([]).to_dict()
    assert json.dumps(data)
    assert data["satisfaction"] == {
        "responses": 0,
        "satisfied": 0,
        "total": 0,
        "csat": None,
        "mean": None,
    }
    assert data["agents"] == {}
    assert data["goodwill_currency"] is None


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["ana", "budi"]),
            st.decimals(min_value=Decimal("0.000001"), max_value=Decimal(10**14), places=6),
        ),
        max_size=8,
    )
)
def test_law_goodwill_amounts_round_trip_exactly(grants: list[tuple[str, Decimal]]) -> None:
    events = [
        GoodwillGranted(T, f"T{i}", agent, amount, "IDR", "r", "gold", "b", None)
        for i, (agent, amount) in enumerate(grants)
    ]
    report: PeopleReport = people_report(events)
    data = json.loads(json.dumps(report.to_dict()))
    for agent, total in report.goodwill_by_agent.items():
        back = Decimal(data["goodwill_by_agent"][agent]["amount"])
        assert back == total.amount
        assert back.as_tuple() == total.amount.as_tuple()
        assert "E" not in data["goodwill_by_agent"][agent]["amount"]


# --------------------------------------------------------------------------------------------
# handle time per resolved ticket


@settings(max_examples=80, deadline=None)
@given(lives())
def test_law_handle_time_per_resolved_ticket_counts_all_of_a_tickets_handling(
    tickets: list[Life],
) -> None:
    events = time_ordered(tickets)
    report = summarize(events)
    # A generated ticket is held from its answer to its resolution (a transfer hands it on
    # at once): all of that is its handling, however many agents shared it.
    resolved = [t for t in tickets if t.outcome == "answered" and t.handle is not None]
    work = sum((timedelta(seconds=t.transfers + (t.handle or 0)) for t in resolved), timedelta(0))
    assert report.tickets_resolved == len(resolved)
    assert report.resolved_tickets_handle_time == work
    if resolved:
        mean = report.handle_time_per_resolved_ticket
        assert mean is not None
        assert abs(mean - work / len(resolved)) <= timedelta(microseconds=1)
        # Never below AHT's closing spans: each resolved ticket's work includes its own.
        assert report.resolved_tickets_handle_time >= report.resolved_handle_time
    else:
        assert report.handle_time_per_resolved_ticket is None
    rows = summarize_intervals(events, interval=timedelta(minutes=15))
    assert (
        sum((r.resolved_tickets_handle_time for _, r in rows), timedelta(0))
        == rows.total.resolved_tickets_handle_time
        == work
    )


def test_handle_time_per_resolved_ticket_worked_examples() -> None:
    q = queued("H1")
    handed = [
        q,
        TicketAssigned(T, "H1", "ana", 0.0, 1, ""),
        TicketTransferred(T + 20 * MIN, "H1", "ana", "budi", 1),
        TicketAssigned(T + 20 * MIN, "H1", "budi", 0.0, 1, ""),
        TicketResolved(T + 30 * MIN, "H1", "budi"),
    ]
    report = summarize(handed)
    assert report.average_handle_time == 10 * MIN
    assert report.handle_time_per_resolved_ticket == 30 * MIN
    # Parked and resumed: the span before the parking counts, the busy time is the same.
    parked = [
        queued("P1"),
        TicketAssigned(T, "P1", "ana", 0.0, 1, ""),
        TicketStatusChanged(T + 4 * MIN, "P1", "open", "pending"),
        TicketStatusChanged(T + 9 * MIN, "P1", "pending", "open"),
        TicketAssigned(T + 10 * MIN, "P1", "ana", 0.0, 1, ""),
        TicketResolved(T + 12 * MIN, "P1", "ana"),
    ]
    report = summarize(parked)
    assert (report.average_handle_time, report.handle_time_per_resolved_ticket) == (
        2 * MIN,
        6 * MIN,
    )
    assert report.handle_time == 6 * MIN
    # Reopened: the handling after the reopening counts for the ticket resolved once; a span
    # still open at the end does not (it is busy time).
    reopened = [
        queued("R1"),
        TicketAssigned(T, "R1", "ana", 0.0, 1, ""),
        TicketResolved(T + 5 * MIN, "R1", "ana"),
        TicketReopened(T + 20 * MIN, "R1", "ana"),
        TicketAssigned(T + 21 * MIN, "R1", "ana", 0.0, 1, ""),
        TicketResolved(T + 24 * MIN, "R1", "ana"),
        TicketReopened(T + 30 * MIN, "R1", "ana"),
        TicketAssigned(T + 31 * MIN, "R1", "budi", 0.0, 1, ""),
    ]
    report = summarize(reopened, until=T + 40 * MIN)
    assert report.tickets_resolved == 1
    assert report.resolved_tickets_handle_time == 8 * MIN
    assert report.handle_time_per_resolved_ticket == 8 * MIN
    assert report.handle_time == 17 * MIN
    # A ticket never resolved adds nothing; one resolved in the stream adds all its spans.
    unresolved = [queued("U1"), TicketAssigned(T, "U1", "ana", 0.0, 1, "")]
    both = summarize([*handed, *unresolved], until=T + 60 * MIN)
    assert both.handle_time_per_resolved_ticket == 30 * MIN
    data = both.to_dict()
    assert data["resolved_tickets_handle_time_seconds"] == 1800.0
    assert data["handle_time_per_resolved_ticket_seconds"] == 1800.0
    assert summarize([]).to_dict()["handle_time_per_resolved_ticket_seconds"] is None
    assert "handle time per resolved ticket 30.0 min" in both.table()
    with pytest.raises(ConfigError):
        Report(resolved_tickets_handle_time=-MIN)


def test_the_new_fields_come_last_so_older_positional_reports_keep_their_meaning() -> None:
    names = [f.name for f in attrs.fields(Report)]
    assert names[-2:] == ["sla_by_policy", "resolved_tickets_handle_time"]
    plain = summarize(
        [
            queued("T1", policy="vip"),
            TicketAssigned(T, "T1", "ana", 0.0, 1, ""),
            SlaMet(T + MIN, "T1", Metric.FIRST_RESPONSE, MIN, 2 * MIN, False),
            TicketResolved(T + 2 * MIN, "T1", "ana"),
        ]
    )
    older = tuple(getattr(plain, n) for n in names[:-2])
    rebuilt = Report(*older)
    assert tuple(getattr(rebuilt, n) for n in names[:-2]) == older
    assert dict(rebuilt.sla_by_policy) == {}
    assert rebuilt.handle_time_per_resolved_ticket == timedelta(0)
    assert plain.handle_time_per_resolved_ticket == 2 * MIN
    assert pickle.loads(pickle.dumps(plain)) == plain
