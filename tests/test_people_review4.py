"""people_report after the fourth review: SLA cycles counted once, as summarize counts them, for
the agent whose ticket it was when the cycle stopped; hand-overs of parked tickets; handled as
distinct tickets; consistency's teams checked; goodwill summed exactly in one currency."""

from __future__ import annotations

import decimal
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.errors import ConfigError
from csflow.events import (
    DeskEvent,
    FeedbackRecorded,
    GoodwillGranted,
    TicketAbandoned,
    TicketAssigned,
    TicketClosed,
    TicketResolved,
    TicketTransferred,
)
from csflow.metrics import Attainment, summarize
from csflow.people import consistency, people_report
from csflow.samples import demo_desk_data
from csflow.sla import Metric, SlaBreached, SlaMet
from csflow.testing import CommandDriver

T0 = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)
GOLD = Tier("gold", 1)


def m(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def desk_of(targets: dict[str, str], **extra: Any) -> Desk:
    policies = [{"name": "p", "calendar": "24x7", "targets": targets}]
    policies += extra.pop("more_policies", [])
    return Desk(
        DeskConfig.from_dict(
            {
                "calendars": {"24x7": {"timezone": "Asia/Jakarta", "always_open": True}},
                "sla_policies": policies,
                "default_sla_policy": "p",
                **extra,
            }
        )
    )


def submit(desk: Desk, tid: str) -> list[Any]:
    return desk.submit(Ticket(tid, Customer(f"c-{tid}", GOLD), "chat", T0), at=T0)


# ---------------------------------------------------------------------------------------------
# 1. every cycle counted once, as summarize counts it, for the agent of its stop


def test_a_first_response_breach_stopped_by_the_resolution_counts_against_the_agent() -> None:
    desk = desk_of({"first_response": "PT10M", "resolution": "PT2H"})
    ev: list[Any] = []
    for a in ("silent", "late"):
        ev += desk.add_agent(AgentProfile(a, capacity={"chat": 1}), at=T0, presence="available")
    ev += submit(desk, "A")  # to silent
    ev += submit(desk, "B")  # to late
    ev += desk.advance(at=m(30))  # both first responses breach
    ev += desk.reply("B", "late", at=m(30))  # a late reply
    ev += desk.resolve("A", "silent", at=m(40))  # no reply at all
    ev += desk.resolve("B", "late", at=m(40))
    report = people_report(ev)
    # Each: its first response breached, its resolution met -- never replying is no better.
    assert report.agents["silent"].sla == Attainment(met=1, breached=1)
    assert report.agents["late"].sla == Attainment(met=1, breached=1)
    assert summarize(ev).sla == Attainment(met=2, breached=2)


def test_a_breach_already_reported_is_not_withdrawn_by_a_longer_target() -> None:
    slow = {
        "name": "slow",
        "calendar": "24x7",
        "targets": {"first_response": "PT1H", "resolution": "PT8H"},
    }
    desk = desk_of({"first_response": "PT5M", "resolution": "PT1H"}, more_policies=[slow])
    ev = desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=T0, presence="available")
    ev += submit(desk, "T1")
    ev += desk.advance(at=m(10))  # first response breached at 5 minutes
    ev += desk.set_sla_policy("T1", "slow", at=m(11))
    ev += desk.reply("T1", "sari", at=m(20))  # within the new hour: SlaMet(breached=False)
    assert [e.breached for e in ev if isinstance(e, SlaMet)] == [False]
    ev += desk.resolve("T1", "sari", at=m(30))
    assert summarize(ev).sla_by_metric["first_response"] == Attainment(met=0, breached=1)
    assert people_report(ev).agents["sari"].sla == Attainment(met=1, breached=1)


def test_a_resolution_met_then_breached_after_a_reopening_is_one_breached_cycle() -> None:
    desk = desk_of({"resolution": "PT3M"})
    ev = desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=T0, presence="available")
    ev += submit(desk, "T1")
    ev += desk.resolve("T1", "sari", at=m(2))  # met
    ev += desk.reopen("T1", at=m(3))
    ev += desk.advance(at=m(10))  # the resumed clock breaches
    ev += desk.resolve("T1", "sari", at=m(10))
    assert summarize(ev).sla == Attainment(met=0, breached=1)
    assert people_report(ev).agents["sari"].sla == Attainment(met=0, breached=1)


def test_the_met_credited_is_taken_back_and_the_breach_goes_to_the_agent_of_the_late_solve() -> (
    None
):
    t = T0
    res = Metric.RESOLUTION
    target = timedelta(minutes=3)

    def met(at: datetime, late: bool) -> SlaMet:
        return SlaMet(at, "T1", res, at - t, target, late)

    ev = [
        TicketAssigned(t, "T1", "ana", 0.0, 1, ""),
        TicketResolved(m(2), "T1", "ana"),
        met(m(2), False),
        TicketAssigned(m(3), "T1", "ben", 0.0, 1, ""),  # reopened, now ben's
    ]
    report = people_report(ev)
    assert report.agents["ana"].sla == Attainment(met=1)
    breach = SlaBreached(m(4), "T1", res, m(4), target)
    report = people_report([*ev, breach])
    # Running again and breached: no one's met, no one's breach yet (the cycle has not stopped).
    assert report.agents["ana"].sla == report.agents["ben"].sla == Attainment()
    late = [breach, TicketResolved(m(6), "T1", "ben"), met(m(6), True)]
    report = people_report([*ev, *late])
    assert report.agents["ana"].sla == Attainment()
    assert report.agents["ben"].sla == Attainment(breached=1)
    assert summarize([*ev, *late]).sla == Attainment(breached=1)
    # A solve within target after a reopening changes nothing: the cycle was credited.
    again = [TicketResolved(m(2.5), "T1", "ben"), met(m(2.5), False)]
    report = people_report([*ev, *again])
    assert report.agents["ana"].sla == Attainment(met=1)
    assert report.agents["ben"].sla == Attainment()


def test_cycles_still_running_or_stopped_with_no_agent_count_for_no_agent() -> None:
    desk = desk_of({"first_response": "PT5M", "resolution": "PT1H"})
    ev = desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=T0, presence="available")
    ev += submit(desk, "T1")  # to sari
    ev += submit(desk, "T2")  # waits
    ev += desk.advance(at=m(10))  # both first responses breach
    ev += desk.abandon("T2", at=m(11))
    assert summarize(ev).sla == Attainment(breached=2)
    assert people_report(ev).agents["sari"].sla == Attainment()


# ---------------------------------------------------------------------------------------------
# 1b. the law, over real desk streams


class _Cycle:
    __slots__ = ("agent", "index", "metric")

    def __init__(self, metric: Metric, index: int, agent: str | None) -> None:
        self.metric, self.index, self.agent = metric, index, agent


def _lives(events: Sequence[object]) -> list[list[DeskEvent]]:
    """The stream cut into ticket lives, each ending at its close or abandonment."""
    open_: dict[str, list[DeskEvent]] = {}
    lives: list[list[DeskEvent]] = []
    for e in events:
        if not isinstance(e, DeskEvent):
            continue
        life = open_.get(e.ticket_id)
        if life is None:
            life = open_[e.ticket_id] = []
            lives.append(life)
        life.append(e)
        if isinstance(e, TicketClosed | TicketAbandoned):
            del open_[e.ticket_id]
    return lives


def _cycles(life: list[DeskEvent]) -> list[_Cycle]:
    """Every SLA cycle of a life decided either way, as summarize decides it, with the agent
    whose ticket it was when it stopped (``None``: running still, or stopped with no agent)."""
    out: list[_Cycle] = []
    last: str | None = None
    breached: set[Metric] = set()  # reply cycles running, breached
    # The resolution clock: its stops (agent, breached by then) and whether it ever breached.
    stops: list[tuple[str | None, bool]] = []
    ever = False
    for e in life:
        if isinstance(e, TicketAssigned):
            last = e.agent_id
        elif isinstance(e, TicketResolved):
            last = e.agent_id
            out += [_Cycle(metric, 1, last) for metric in breached]
            breached = set()
        elif isinstance(e, SlaBreached | SlaMet) and e.metric is Metric.RESOLUTION:
            ever = ever or isinstance(e, SlaBreached) or e.breached
            if isinstance(e, SlaMet):
                stops.append((last, ever))
        elif isinstance(e, SlaBreached):
            breached.add(e.metric)
        elif isinstance(e, SlaMet):
            late = e.metric in breached or e.breached
            breached.discard(e.metric)
            out.append(_Cycle(e.metric, int(late), last))
    out += [_Cycle(metric, 1, None) for metric in breached]
    if stops or ever:
        # Met: to the first stop with an agent.  Breached: to the first stop with an agent
        # once it had breached.
        who = next((a for a, late in stops if a is not None and late == ever), None)
        out.append(_Cycle(Metric.RESOLUTION, int(ever), who))
    return out


_DEMO = DeskConfig.from_dict(demo_desk_data())


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.data())
def test_law_agents_count_each_stopped_cycle_once_as_summarize_does(data: st.DataObject) -> None:
    driver = CommandDriver(_DEMO, start=datetime(2026, 3, 2, 1, tzinfo=UTC), refusals=0.0)
    events: list[Any] = []
    for _ in range(data.draw(st.integers(10, 50), label="steps")):
        for s in driver.step(data.draw):
            events += s.events
    lives = _lives(events)
    cycles = [c for life in lives for c in _cycles(life)]
    # The cycles are summarize's cycles ...
    report = summarize(events)
    assert (
        Attainment(sum(c.index == 0 for c in cycles), sum(c.index == 1 for c in cycles))
        == report.sla
    )
    by_metric = Counter((c.metric.value, c.index) for c in cycles)
    for name, got in report.sla_by_metric.items():
        assert (got.met, got.breached) == (by_metric[name, 0], by_metric[name, 1]), name
    # ... and each agent's are those that stopped in its hands.
    people = people_report(events)
    mine = Counter((c.agent, c.index) for c in cycles if c.agent is not None)
    for aid, standard in people.agents.items():
        assert standard.sla == Attainment(mine[aid, 0], mine[aid, 1]), aid
    assert sum(n for (aid, _), n in mine.items() if aid not in people.agents) == 0
    total = [a.sla for a in people.agents.values()]
    assert sum(a.met for a in total) <= report.sla.met
    assert sum(a.breached for a in total) <= report.sla.breached
    # transfers out: at least every transfer that names the agent it came from
    named = Counter(
        e.from_agent
        for e in events
        if isinstance(e, TicketTransferred) and e.from_agent is not None
    )
    for giver, n in named.items():
        assert people.agents[giver].transfers_out >= n, giver
    # handled: distinct tickets (lives) each agent resolved
    resolved = Counter(
        aid for life in lives for aid in {e.agent_id for e in life if isinstance(e, TicketResolved)}
    )
    assert {a: s.handled for a, s in people.agents.items() if s.handled} == dict(resolved)


# ---------------------------------------------------------------------------------------------
# 3. a hand-over of a parked ticket counts for its owner, whatever came in between


def test_a_parked_ticket_handed_over_after_sla_events_counts_for_its_owner() -> None:
    desk = desk_of(
        {"first_response": "PT5M"},
        queues=[{"name": "general"}, {"name": "tech"}],
        teams={"front": {"queue": "general"}, "tech": {"queue": "tech"}},
    )
    profile = AgentProfile("sari", capacity={"chat": 1}, teams=frozenset({"front"}))
    ev = desk.add_agent(profile, at=T0, presence="available")
    ev += submit(desk, "T1")
    ev += desk.set_status("T1", "on_hold", at=m(1))
    ev += desk.advance(at=m(10))  # warnings and a breach while on hold
    assert any(isinstance(e, SlaBreached) for e in ev)
    ev += desk.transfer("T1", "tech", at=m(11))
    assert people_report(ev).agents["sari"].transfers_out == 1


def test_a_hand_over_of_a_parked_ticket_whose_owner_left_is_not_the_owners() -> None:
    desk = desk_of({"first_response": "PT5M"})
    ev = desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=T0, presence="available")
    ev += submit(desk, "T1")  # to sari
    ev += desk.add_agent(AgentProfile("dewi", capacity={"chat": 1}), at=T0, presence="available")
    ev += desk.set_status("T1", "pending", at=m(1))
    ev += desk.remove_agent("sari", at=m(2))
    ev += desk.transfer("T1", "dewi", at=m(3))
    assert [e.from_agent for e in ev if isinstance(e, TicketTransferred)] == [None]
    assert people_report(ev).agents["sari"].transfers_out == 0


def test_a_transfer_of_a_ticket_whose_assignment_is_before_the_window_names_its_agent() -> None:
    ev = [TicketTransferred(T0, "T1", "sari", "tech", 1)]
    assert people_report(ev).agents["sari"].transfers_out == 1
    assert people_report([TicketTransferred(T0, "T1", None, "tech", 1)]).agents == {}


# ---------------------------------------------------------------------------------------------
# 4. consistency's teams are strings


@pytest.mark.parametrize(
    ("teams", "path"),
    [
        ({"sari": 1, "dewi": "jkt"}, "teams['sari']"),
        ({"sari": ["jkt"]}, "teams['sari']"),
        ({"dewi": "jkt", "sari": None}, "teams['sari']"),
        ({7: "jkt"}, "teams[7]"),
    ],
)
def test_consistency_refuses_teams_that_are_not_strings(teams: Any, path: str) -> None:
    ev: list[Any] = []
    for i, a in enumerate(("sari", "dewi", "budi")):
        ev += [
            TicketAssigned(T0, f"T{i}", a, 0.0, 1, ""),
            TicketResolved(T0, f"T{i}", a),
            FeedbackRecorded(T0, f"T{i}", 5 - i, "", 1, a, "gold", "chat", "q", None),
        ]
    report = people_report(ev)
    with pytest.raises(ConfigError, match=r"teams must map agent ids to team names") as info:
        consistency(report, teams=teams)
    assert info.value.path == path


# ---------------------------------------------------------------------------------------------
# 5. goodwill: exact whatever the caller's context, one currency


def grant(tid: str, amount: Any, currency: str = "EUR") -> GoodwillGranted:
    return GoodwillGranted(T0, tid, "sari", amount, currency, "late", "gold", "agent:sari", None)


def test_goodwill_totals_are_exact_whatever_the_callers_decimal_context() -> None:
    ev = [grant(f"T{i}", Decimal("12345.67")) for i in range(3)]
    with decimal.localcontext() as ctx:
        ctx.prec = 6
        ctx.traps[decimal.Inexact] = True
        report = people_report(ev)
    assert str(report.goodwill_by_agent["sari"].amount) == "37037.01"
    assert report.goodwill_by_tier["gold"].grants == 3
    assert report.goodwill_currency == "EUR"
    assert people_report([]).goodwill_currency is None


def test_goodwill_in_two_currencies_is_not_added_into_one_total() -> None:
    ev = [grant("T1", Decimal(10)), grant("T2", Decimal(25000), "IDR")]
    with pytest.raises(ConfigError, match=r"goodwill in 'IDR' cannot be added .* 'EUR'") as info:
        people_report(ev)
    assert info.value.path == "events[1].currency"


@pytest.mark.parametrize(
    "amount",
    [1.5, "10", Decimal("NaN"), Decimal("-1"), Decimal(0), Decimal("1e15"), Decimal("0.0000001")],
)
def test_a_goodwill_amount_a_desk_cannot_write_is_refused(amount: Any) -> None:
    with pytest.raises(ConfigError, match=r"goodwill amount") as info:
        people_report([grant("T1", Decimal(1)), grant("T2", amount)])
    assert info.value.path == "events[1].amount"


# ---------------------------------------------------------------------------------------------
# 6. handled counts distinct tickets


def test_handled_counts_a_ticket_resolved_twice_once() -> None:
    desk = desk_of({"resolution": "PT1H"})
    ev = desk.add_agent(AgentProfile("ben", capacity={"chat": 1}), at=T0, presence="available")
    ev += submit(desk, "T5")
    ev += desk.resolve("T5", "ben", at=m(5))
    ev += desk.reopen("T5", at=m(10))
    ev += desk.resolve("T5", "ben", at=m(15))
    assert sum(isinstance(e, TicketResolved) for e in ev) == 2
    ben = people_report(ev).agents["ben"]
    assert ben.handled == 1
    # Closed, then submitted again under its id: another ticket.
    ev += desk.close("T5", at=m(20))
    ev += desk.forget("T5", at=m(21))
    ev += desk.submit(Ticket("T5", Customer("c-T5", GOLD), "chat", m(22)), at=m(22))
    ev += desk.resolve("T5", "ben", at=m(25))
    assert people_report(ev).agents["ben"].handled == 2
