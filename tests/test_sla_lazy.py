"""Lazy SLA deadlines: a clock works its next event's instant out only when it is needed.

The laws: the bound a ticket's SLA gives without asking the calendar is never after its true
next event, and is that event once worked out; laziness changes no event, no instant and no
snapshot; and a desk that arms its timers at the bound still wakes up exactly when something
is due.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.calendar import BusinessCalendar
from csflow.sla import Metric, SlaEvent, SlaMet, SlaPolicy, TicketSla

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday
M = timedelta(minutes=1)
H = timedelta(hours=1)

OFFICE = BusinessCalendar(
    "Europe/Berlin",
    weekly={d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")},
    holidays=[date(2026, 3, 6)],
)


def policy(first: timedelta, resolution: timedelta, warnings: tuple[float, ...]) -> SlaPolicy:
    return SlaPolicy(
        "office",
        OFFICE,
        {Metric.FIRST_RESPONSE: first, Metric.RESOLUTION: resolution},
        warnings=warnings,
    )


def everything(ts: TicketSla, until: datetime) -> list[SlaEvent]:
    """Every event up to *until*, one due instant at a time (as a host's timer would)."""
    out: list[SlaEvent] = []
    while True:
        nxt = ts.next_deadline()
        if nxt is None or nxt > until:
            return out + ts.advance(until)
        out += ts.advance(nxt)


targets = st.integers(min_value=1, max_value=60 * 40).map(lambda m: m * M)
starts = st.integers(min_value=0, max_value=7 * 24 * 60).map(lambda m: T0 + m * M)
warning_sets = st.sampled_from([(), (0.5,), (0.25, 0.75)])


@settings(max_examples=60)
@given(targets, targets, warning_sets, starts)
def test_the_bound_is_never_after_the_next_event(
    first: timedelta, resolution: timedelta, warnings: tuple[float, ...], start: datetime
) -> None:
    ts = TicketSla("t1", policy(first, resolution, warnings), "normal", start)
    bound = ts.next_deadline_bound_us()
    exact = ts.next_deadline_us()
    assert bound is not None
    assert exact is not None
    assert bound <= exact
    # Once worked out, the bound is the event's instant.
    assert ts.next_deadline_bound_us() == exact


@settings(max_examples=60)
@given(targets, targets, warning_sets, starts, st.integers(min_value=0, max_value=3 * 24 * 60))
def test_laziness_changes_no_event_and_no_snapshot(
    first: timedelta,
    resolution: timedelta,
    warnings: tuple[float, ...],
    start: datetime,
    reply_after: int,
) -> None:
    pol = policy(first, resolution, warnings)
    lazy = TicketSla("t1", pol, "normal", start)
    eager = TicketSla("t1", pol, "normal", start)
    eager.next_deadline_us()  # every instant worked out at once
    assert lazy.to_dict() == eager.to_dict()
    # A snapshot taken while lazy restores to a ticket with the same future.
    lazy = TicketSla("t1", pol, "normal", start)
    restored = TicketSla.from_dict(lazy.to_dict(), {"office": pol})
    fresh = TicketSla("t1", pol, "normal", start)
    reply = start + reply_after * M
    runs = []
    for ts in (restored, fresh, eager):
        events = everything(ts, reply)
        events += ts.agent_reply(reply)
        events += everything(ts, reply + 30 * 24 * H)
        runs.append([(type(e).__name__, e.metric, e.at) for e in events])
    assert runs[0] == runs[1] == runs[2]


def test_a_desk_wakes_at_the_true_deadline_not_at_the_bound() -> None:
    # Friday 16:50 Berlin: the 30-minute first response is due Monday 09:20, not at 17:20.
    friday = datetime(2026, 3, 13, 15, 50, tzinfo=UTC)
    pol = policy(30 * M, 8 * H, ())
    desk = Desk(DeskConfig(sla_policies=[pol], default_sla_policy="office"))
    ticket = Ticket("t1", Customer("c1", Tier("regular", 0)), "chat", friday)
    desk.submit(ticket, at=friday)
    due = datetime(2026, 3, 16, 8, 20, tzinfo=UTC)
    assert desk.next_wakeup() == due
    assert desk.advance(at=due - M) == []
    events = desk.advance(at=due)
    assert [(type(e).__name__, e.at) for e in events] == [("SlaBreached", due)]


def test_a_ticket_answered_in_time_leaves_no_wake_up_behind() -> None:
    pol = policy(30 * M, 8 * H, (0.5,))
    desk = Desk(DeskConfig(sla_policies=[pol], default_sla_policy="office"))
    desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=T0)
    desk.set_presence("sari", "available", at=T0)
    ticket = Ticket("t1", Customer("c1", Tier("regular", 0)), "chat", T0)
    desk.submit(ticket, at=T0)
    desk.reply("t1", "sari", at=T0 + M)
    # The resolution clock's warning (4 business hours in) is the next thing due.
    assert desk.next_wakeup() == T0 + 4 * H
    desk.resolve("t1", "sari", at=T0 + 2 * M)
    assert desk.next_wakeup() is None


def test_a_ticket_id_used_again_does_not_revive_the_old_tickets_timers() -> None:
    """A ticket closed, forgotten and submitted again under its id is a new ticket: the old
    one's retired timers (still in the heap, dropped lazily) are not its timers, even when one
    falls due at the very instant the new ticket's timer does.  Ties fire in the order the
    tickets were submitted -- the new one last -- and a snapshot lists them so."""
    pol = policy(30 * M, 8 * H, ())
    desk = Desk(DeskConfig(sla_policies=[pol], default_sla_policy="office", survey_delay=H))
    desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=T0)
    desk.set_presence("sari", "available", at=T0)
    c1 = Customer("c1", Tier("regular", 0))
    # Thursday 17:30 in Berlin, after hours (Friday is a holiday): the first response is due
    # Monday 09:30, 08:30 UTC.
    thursday = datetime(2026, 3, 5, 16, 30, tzinfo=UTC)
    monday = datetime(2026, 3, 9, 8, 30, tzinfo=UTC)
    desk.submit(Ticket("t1", c1, "chat", thursday), at=thursday)
    assert desk.next_wakeup() == monday  # its timer moved from the bound to Monday
    desk.reply("t1", "sari", at=thursday + M)
    desk.resolve("t1", "sari", at=thursday + 2 * M)  # a survey is due an hour later
    desk.close("t1", at=thursday + 3 * M)
    desk.forget("t1", at=thursday + 3 * M)
    desk.set_presence("sari", "offline", at=thursday + 4 * M)
    # Saturday: two tickets whose first response is due Monday 09:30 too; the id "t1" again.
    saturday = datetime(2026, 3, 7, 10, 0, tzinfo=UTC)
    desk.submit(Ticket("t2", Customer("c2", Tier("regular", 0)), "chat", saturday), at=saturday)
    desk.submit(Ticket("t1", c1, "chat", saturday), at=saturday)
    assert desk.next_wakeup() == monday
    timers = desk.snapshot()["state"]["timers"]
    assert timers["sla"] == [[_us(monday), "t2"], [_us(monday), "t1"]]
    assert timers["surveys"] == []  # the old ticket's survey is not the new one's
    events = desk.advance(at=monday)
    assert [(type(e).__name__, getattr(e, "ticket_id", None)) for e in events] == [
        ("SlaBreached", "t2"),
        ("SlaBreached", "t1"),
    ]


def _us(at: datetime) -> int:
    return (at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def test_a_ticket_id_used_again_does_not_inherit_the_old_tickets_survey() -> None:
    """The survey of a forgotten ticket is not due for a new ticket under its id, even once
    the new one is resolved too (its survey counter starts again from where the old one's
    did)."""
    desk = Desk(DeskConfig(survey_delay=H))
    desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=T0)
    desk.set_presence("sari", "available", at=T0)
    c1 = Customer("c1", Tier("regular", 0))
    for k, start in enumerate((T0, T0 + 10 * M)):
        desk.submit(Ticket("t1", c1, "chat", start), at=start)
        desk.resolve("t1", "sari", at=start + M)  # survey due an hour after
        if k == 0:
            desk.close("t1", at=start + 2 * M)
            desk.forget("t1", at=start + 2 * M)
    # The old ticket's survey was due at T0 + 61 min; the new ticket's is at T0 + 71 min.
    assert desk.next_wakeup() == T0 + 71 * M
    assert desk.advance(at=T0 + 70 * M) == []
    assert [type(e).__name__ for e in desk.advance(at=T0 + 71 * M)] == ["SurveyDue"]


def test_a_popup_desk_whose_calendar_closes_for_good_keeps_working() -> None:
    """A pop-up desk for 11.11, open 09:00-10:00 that day only.  A ticket that arrives at
    09:00 with a 4-hour resolution target can never reach it: the desk arms its timer at the
    clock's bound, finds no true instant when asked for its next wake-up, and goes on -- every later
    command, the snapshot and the restore work, and the ticket is still resolved normally."""
    popup = BusinessCalendar(
        "Asia/Jakarta", weekly={}, special_days={date(2026, 11, 11): [("09:00", "10:00")]}
    )
    policy = SlaPolicy("popup", popup, targets={"resolution": 4 * H}, warnings=(0.5,))
    desk = Desk(DeskConfig(sla_policies={"popup": policy}, default_sla_policy="popup"))
    start = datetime(2026, 11, 11, 2, tzinfo=UTC)  # 09:00 in Jakarta
    desk.submit(Ticket("t1", Customer("c1", Tier("gold", 3)), "chat", start), at=start)
    assert desk.next_wakeup() is None  # the bound (2 h on) worked out: no instant
    assert desk.advance(at=start + 3 * H) == []
    assert desk.advance(at=start + 48 * H) == []
    restored = Desk.restore(desk.config, desk.snapshot())
    assert restored.snapshot() == desk.snapshot()
    for d in (desk, restored):
        d.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=start + 49 * H)
        events = d.set_presence("sari", "available", at=start + 49 * H)
        assert [type(e).__name__ for e in events] == ["AgentPresenceChanged", "TicketAssigned"]
        resolved = d.resolve("t1", "sari", at=start + 50 * H)
        met = [e for e in resolved if isinstance(e, SlaMet)]
        assert [(e.metric, e.breached) for e in met] == [(Metric.RESOLUTION, False)]
