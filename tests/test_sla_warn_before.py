"""SLA warnings a fixed amount of business time before the target (``warn_before``).

A lead L warns when the business time used reaches ``target - L``: on the policy's calendar,
pauses respected, in time order with the fractional warnings (a lead on a fraction's µs fires
once), never for a lead at or past the target.  Worked examples by hand, laws against a
minute-by-minute reference and on random histories, the plain-data forms, refusals with
their paths, and snapshots (round trip mid-run, tampered, and byte-identical without leads).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from csflow._time import ONE_US, to_us
from csflow.calendar import BusinessCalendar
from csflow.desk import Desk, DeskConfig
from csflow.desk.fingerprint import config_fingerprint
from csflow.errors import ConfigError
from csflow.model import Customer, Metric, Priority, Ticket, Tier
from csflow.sla import (
    TRANSITIONS,
    ClockAction,
    ClockState,
    RecalcMode,
    SlaBreached,
    SlaClock,
    SlaEvent,
    SlaPolicy,
    SlaTarget,
    SlaWarning,
    TicketSla,
)
from desks import seeds_desk_doc

M = timedelta(minutes=1)
H = timedelta(hours=1)
MIN_US = 60_000_000

ALWAYS = BusinessCalendar.always_open("UTC")
#: The worked examples' calendar: 9-17 on weekdays, UTC.
OFFICE = BusinessCalendar(
    "UTC", weekly={d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")}
)
JAKARTA = BusinessCalendar(
    "Asia/Jakarta",
    weekly={d: [("08:00", "12:00"), ("13:00", "17:00")] for d in ("mon", "tue", "wed", "thu")}
    | {"fri": [("08:00", "11:30"), ("13:30", "17:00")], "sat": [("08:00", "12:00")]},
    holidays=[date(2026, 3, d) for d in (18, 19, 20, 21, 23, 24)],
)
NEW_YORK = BusinessCalendar(  # DST starts on 8 March 2026
    "America/New_York",
    weekly={d: [("09:00", "12:00"), ("13:00", "17:00")] for d in ("mon", "tue", "wed", "thu")}
    | {"sun": [("22:00", "24:00")]},
    holidays={date(2026, 3, 13): "closed"},
)
CALENDARS = (ALWAYS, OFFICE, JAKARTA, NEW_YORK)

FRIDAY = datetime(2026, 3, 6, 16, 30, tzinfo=UTC)  # a Friday
MONDAY = datetime(2026, 3, 9, tzinfo=UTC)
T0 = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday


def office_policy(target: timedelta = H, **kw: Any) -> SlaPolicy:
    kw.setdefault("warnings", ())
    kw.setdefault("warn_before", (15 * M,))
    return SlaPolicy(
        "office",
        OFFICE,
        {"first_response": target, "resolution": target},
        pause_on={"pending": ["resolution"]},
        **kw,
    )


def kinds(events: Sequence[SlaEvent]) -> list[tuple[str, str, datetime, float | None]]:
    """Each event as (kind, metric, at, threshold of a warning)."""
    return [
        (
            type(e).__name__,
            e.metric.value,
            e.at,
            e.threshold if isinstance(e, SlaWarning) else None,
        )
        for e in events
    ]


# -- worked examples, by hand ------------------------------------------------------------------


def test_fifteen_minutes_before_a_first_reply_due_after_the_weekend() -> None:
    # 16:30 Friday: 30 business minutes on Friday, the other 30 from 09:00 on Monday.
    policy = office_policy()
    sla = TicketSla("T-1", policy, "normal", FRIDAY)
    clock = sla.clock("first_response")
    assert clock is not None
    assert clock.due_at == MONDAY.replace(hour=9, minute=30)
    assert clock.next_event_at == MONDAY.replace(hour=9, minute=15)
    # Nothing over the weekend, nor a microsecond before 09:15.
    assert sla.advance(MONDAY.replace(hour=9, minute=15) - ONE_US) == []
    warned = sla.advance(MONDAY.replace(hour=9, minute=15))
    assert kinds(warned) == [
        ("SlaWarning", "first_response", MONDAY.replace(hour=9, minute=15), 0.75),
        ("SlaWarning", "resolution", MONDAY.replace(hour=9, minute=15), 0.75),
    ]
    assert all(
        isinstance(w, SlaWarning) and w.due_at == MONDAY.replace(hour=9, minute=30) for w in warned
    )
    assert kinds(sla.agent_reply(MONDAY.replace(hour=9, minute=20))) == [
        ("SlaMet", "first_response", MONDAY.replace(hour=9, minute=20), None)
    ]
    assert kinds(sla.advance(MONDAY.replace(hour=12))) == [
        ("SlaBreached", "resolution", MONDAY.replace(hour=9, minute=30), None)
    ]


def test_a_pause_moves_the_lead_warning_by_exactly_the_paused_business_time() -> None:
    sla = TicketSla("T-2", office_policy(), "normal", FRIDAY)
    sla.agent_reply(FRIDAY + M)  # the first response is met; resolution runs on
    # 30 min on Friday, 5 on Monday: 35 used when the ticket waits on the customer.
    assert sla.set_status("pending", MONDAY.replace(hour=9, minute=5)) == []
    assert sla.advance(MONDAY.replace(hour=9, minute=59)) == []
    assert sla.set_status("open", MONDAY.replace(hour=10)) == []
    res = sla.clock("resolution")
    assert res is not None
    # 10 more business minutes reach 45 used (= 60 - 15): 10:10, not 10:09 nor 10:11.
    assert res.next_event_at == MONDAY.replace(hour=10, minute=10)
    assert res.due_at == MONDAY.replace(hour=10, minute=25)
    assert sla.advance(MONDAY.replace(hour=10, minute=10) - ONE_US) == []
    assert kinds(sla.advance(MONDAY.replace(hour=11))) == [
        ("SlaWarning", "resolution", MONDAY.replace(hour=10, minute=10), 0.75),
        ("SlaBreached", "resolution", MONDAY.replace(hour=10, minute=25), None),
    ]


def test_the_first_response_is_not_paused_by_pending() -> None:
    sla = TicketSla("T-2b", office_policy(), "normal", FRIDAY)
    assert sla.set_status("pending", MONDAY.replace(hour=9, minute=5)) == []
    assert kinds(sla.advance(MONDAY.replace(hour=9, minute=59))) == [
        ("SlaWarning", "first_response", MONDAY.replace(hour=9, minute=15), 0.75),
        ("SlaBreached", "first_response", MONDAY.replace(hour=9, minute=30), None),
    ]


def test_a_pause_exactly_at_the_lead_defers_it_to_the_resume() -> None:
    sla = TicketSla("T-3", office_policy(), "normal", FRIDAY)
    at = MONDAY.replace(hour=9, minute=15)
    # The first response, not paused by pending, warns at the instant: the command comes
    # first, then what is due at its instant, for the clocks still running.
    assert kinds(sla.set_status("pending", at)) == [("SlaWarning", "first_response", at, 0.75)]
    sla.agent_reply(at)
    # Resumed at 11:00: the resolution warning comes then, once, and the breach 15 min later.
    resumed = MONDAY.replace(hour=11)
    assert kinds(sla.set_status("open", resumed)) == [("SlaWarning", "resolution", resumed, 0.75)]
    assert kinds(sla.advance(MONDAY.replace(hour=12))) == [
        ("SlaBreached", "resolution", resumed + 15 * M, None),
    ]


def test_a_resume_while_closed_warns_at_the_first_open_instant() -> None:
    sla = TicketSla("T-3b", office_policy(), "normal", FRIDAY)
    sla.agent_reply(FRIDAY + M)
    sla.set_status("pending", MONDAY.replace(hour=9, minute=15))
    # Resumed at 18:00 Monday, after hours: the warning waits for Tuesday 09:00.
    assert sla.set_status("open", MONDAY.replace(hour=18)) == []
    tuesday = MONDAY + timedelta(days=1)
    assert kinds(sla.advance(tuesday.replace(hour=10))) == [
        ("SlaWarning", "resolution", tuesday.replace(hour=9), 0.75),
        ("SlaBreached", "resolution", tuesday.replace(hour=9, minute=15), None),
    ]


def test_fractions_and_leads_fire_in_time_order_and_a_shared_instant_once() -> None:
    spec = SlaTarget("resolution", H, ALWAYS, (0.5, 0.9), warn_before=(15 * M, 45 * M, 30 * M))
    # 45 min before = 15 used (0.25); 30 min before = 30 used = the 50 % fraction: once.
    assert spec.warn_us == tuple(m * MIN_US for m in (15, 30, 45, 54))
    assert spec.warn_thresholds == (0.25, 0.5, 0.75, 0.9)
    clock = SlaClock("t", spec, T0)
    assert kinds(clock.advance(T0 + 2 * H)) == [
        ("SlaWarning", "resolution", T0 + 15 * M, 0.25),
        ("SlaWarning", "resolution", T0 + 30 * M, 0.5),
        ("SlaWarning", "resolution", T0 + 45 * M, 0.75),
        ("SlaWarning", "resolution", T0 + 54 * M, 0.9),
        ("SlaBreached", "resolution", T0 + H, None),
    ]


def test_the_threshold_is_the_fraction_used_exactly() -> None:
    spec = SlaTarget("resolution", 7 * M, ALWAYS, (), warn_before=(timedelta(seconds=1),))
    [w] = [e for e in SlaClock("t", spec, T0).advance(T0 + H) if isinstance(e, SlaWarning)]
    assert w.threshold == (420 - 1) / 420
    assert w.at == T0 + 7 * M - timedelta(seconds=1)


def test_leads_at_or_past_a_target_are_skipped_for_that_target_only() -> None:
    policy = SlaPolicy(
        "p",
        ALWAYS,
        {"first_response": H, "resolution": 8 * H},
        warnings=(),
        warn_before=(H, 2 * H),
    )
    first = policy.target("first_response", "normal")
    res = policy.target("resolution", "normal")
    assert first is not None
    assert res is not None
    assert first.warn_us == ()
    assert first.warn_before == (2 * H, H)
    assert res.warn_us == (6 * H // ONE_US, 7 * H // ONE_US)
    assert res.warn_thresholds == (0.75, 0.875)
    sla = TicketSla("t", policy, "normal", T0)
    assert kinds(sla.advance(T0 + 9 * H)) == [
        ("SlaBreached", "first_response", T0 + H, None),
        ("SlaWarning", "resolution", T0 + 6 * H, 0.75),
        ("SlaWarning", "resolution", T0 + 7 * H, 0.875),
        ("SlaBreached", "resolution", T0 + 8 * H, None),
    ]


def test_a_target_the_calendar_never_reaches_gives_no_lead_warning() -> None:
    popup = BusinessCalendar("UTC", special_days={date(2026, 11, 11): [("09:00", "11:00")]})
    start = datetime(2026, 11, 1, tzinfo=UTC)
    # 3 h never comes (2 h of business time in all), though its lead's 1 h does.
    never = SlaClock("t", SlaTarget("resolution", 3 * H, popup, (), warn_before=(2 * H,)), start)
    assert never.advance(datetime(2027, 1, 1, tzinfo=UTC)) == []
    assert never.next_event_at is None
    assert never.due_at is None
    # 2 h is reached at 11:00: its 90-minute lead warns at 09:30.
    ok = SlaClock("t", SlaTarget("resolution", 2 * H, popup, (), warn_before=(90 * M,)), start)
    assert kinds(ok.advance(datetime(2027, 1, 1, tzinfo=UTC))) == [
        ("SlaWarning", "resolution", datetime(2026, 11, 11, 9, 30, tzinfo=UTC), 0.25),
        ("SlaBreached", "resolution", datetime(2026, 11, 11, 11, tzinfo=UTC), None),
    ]


def test_a_change_passes_over_leads_already_used_and_rearms_the_others() -> None:
    policy = SlaPolicy(
        "support",
        ALWAYS,
        {"resolution": {"normal": 8 * H, "urgent": 4 * H}},
        warnings=(),
        warn_before=(H,),
    )
    # Exactly 3 h used: the urgent lead (at 3 h) is passed over, never flooded.
    sla = TicketSla("a", policy, "normal", T0)
    assert sla.change_priority("urgent", T0 + 3 * H) == []
    assert kinds(sla.advance(T0 + 5 * H)) == [("SlaBreached", "resolution", T0 + 4 * H, None)]
    # 2 h used: the lead comes at 3 h, as for a ticket urgent from the start.
    sla = TicketSla("b", policy, "normal", T0)
    assert sla.change_priority("urgent", T0 + 2 * H) == []
    assert kinds(sla.advance(T0 + 3 * H)) == [("SlaWarning", "resolution", T0 + 3 * H, 0.75)]
    # RESTART: a fresh clock from the change; RETROACTIVE: as if urgent all along.
    sla = TicketSla("c", policy, "normal", T0)
    assert sla.change_priority("urgent", T0 + 5 * H, mode=RecalcMode.RESTART) == []
    assert kinds(sla.advance(T0 + 8 * H)) == [("SlaWarning", "resolution", T0 + 8 * H, 0.75)]
    sla = TicketSla("d", policy, "normal", T0)
    assert sla.change_priority("urgent", T0 + 2 * H, mode=RecalcMode.RETROACTIVE) == []
    assert kinds(sla.advance(T0 + 3 * H)) == [("SlaWarning", "resolution", T0 + 3 * H, 0.75)]


def test_a_policy_that_gains_a_lead_rearms_the_live_clock() -> None:
    plain = office_policy(warn_before=())
    sla = TicketSla("t", plain, "normal", FRIDAY)
    # Same targets, same fractions: only the lead differs, and the clock follows it.
    sla.change_policy(office_policy(), FRIDAY + 10 * M)
    assert kinds(sla.advance(MONDAY.replace(hour=9, minute=15)))[0] == (
        "SlaWarning",
        "first_response",
        MONDAY.replace(hour=9, minute=15),
        0.75,
    )


def test_a_desk_warns_before_the_target_and_restores_mid_run() -> None:
    doc = seeds_desk_doc()
    for p in doc["sla_policies"]:
        p["warn_before"] = ["PT15M"]
        p["warnings"] = []
    config = DeskConfig.from_dict(doc)
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    desk = Desk(config)
    desk.submit(Ticket("t1", Customer("c1", Tier("regular", 1), "id"), "chat", at), at=at)
    desk.advance(at=at + M)
    snap = json.loads(json.dumps(desk.snapshot()))
    twin = Desk.restore(config, snap)
    horizon = at + timedelta(days=3)
    mine = [e for e in desk.advance(at=horizon) if isinstance(e, SlaWarning | SlaBreached)]
    theirs = [e for e in twin.advance(at=horizon) if isinstance(e, SlaWarning | SlaBreached)]
    assert mine == theirs
    warnings = [e for e in mine if isinstance(e, SlaWarning)]
    assert {w.metric for w in warnings} == {Metric.FIRST_RESPONSE, Metric.RESOLUTION}
    for w in warnings:
        # Each warns 15 business minutes before its own deadline.
        target = config.sla_policies["standard"].target(w.metric, Priority.NORMAL)
        assert target is not None
        assert target.calendar.elapsed(w.at, w.due_at) == 15 * M


# -- the plain-data form -------------------------------------------------------------------


def doc(**kw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": "std", "calendar": "office", "targets": {"resolution": "PT8H"}}
    out.update(kw)
    return out


def load(data: object) -> SlaPolicy:
    return SlaPolicy.from_dict(data, {"office": OFFICE}, path="sla_policies[0]")


def test_leads_are_read_like_targets_and_written_back_the_same_way() -> None:
    policy = load(doc(warn_before=["PT15M", 3600, 90.5, "P1D", "PT0.25S"]))
    assert policy.warn_before == (
        timedelta(days=1),
        H,
        15 * M,
        timedelta(seconds=90.5),
        timedelta(microseconds=250_000),
    )
    data = policy.to_dict()
    assert data["warn_before"] == ["PT24H", "PT1H", "PT15M", "PT1M30.5S", "PT0.25S"]
    assert list(data) == ["name", "calendar", "targets", "warnings", "warn_before", "pause_on"]
    again = SlaPolicy.from_dict(json.loads(json.dumps(data)))
    assert again == policy
    assert hash(again) == hash(policy)
    assert again.to_dict() == data


def test_a_policy_without_leads_writes_what_it_always_wrote() -> None:
    for policy in (load(doc()), load(doc(warn_before=[]))):
        data = policy.to_dict()
        assert "warn_before" not in data
        assert list(data) == ["name", "calendar", "targets", "warnings", "pause_on"]
        assert policy.warn_before == ()
        target = policy.target("resolution", "normal")
        assert target is not None
        # The fractions' thresholds, exactly as before.
        assert target.warn_us == tuple(round(8 * 3600e6 * w) for w in policy.warnings)
        assert target.warn_thresholds == policy.warnings


def test_a_desk_config_round_trips_its_leads() -> None:
    base = seeds_desk_doc()
    base["sla_policies"][0]["warn_before"] = ["PT30S", "PT5M"]
    config = DeskConfig.from_dict(base)
    assert config.sla_policies["vip"].warn_before == (5 * M, timedelta(seconds=30))
    written = config.to_dict()
    assert written["sla_policies"][0]["warn_before"] == ["PT5M", "PT30S"]
    assert "warn_before" not in written["sla_policies"][1]
    assert DeskConfig.from_dict(json.loads(json.dumps(written))) == config


def test_a_lead_that_warns_changes_the_fingerprint_and_none_leaves_it() -> None:
    plain = DeskConfig.from_dict(seeds_desk_doc())
    empty = seeds_desk_doc()
    empty["sla_policies"][0]["warn_before"] = []
    assert config_fingerprint(DeskConfig.from_dict(empty)) == config_fingerprint(plain)
    leads = seeds_desk_doc()
    leads["sla_policies"][1]["warn_before"] = ["PT15M"]
    changed = config_fingerprint(DeskConfig.from_dict(leads))
    assert changed["hash"] != config_fingerprint(plain)["hash"]
    assert [
        k for k in changed["parts"] if changed["parts"][k] != config_fingerprint(plain)["parts"][k]
    ] == ["sla_policies"]


def test_equality_hash_and_repr_include_the_leads_in_any_order() -> None:
    a = office_policy(warn_before=(5 * M, 15 * M))
    b = office_policy(warn_before=[15 * M, 5 * M])
    assert a == b
    assert hash(a) == hash(b)
    assert a.warn_before == (15 * M, 5 * M)  # stored largest first: the order they fire
    assert a != office_policy(warn_before=(15 * M,))
    assert a != office_policy(warn_before=())
    assert "warn_before=(datetime.timedelta(seconds=900), datetime.timedelta(seconds=300))" in (
        repr(a)
    )
    t1 = SlaTarget("resolution", H, ALWAYS, (), warn_before=(15 * M,))
    t2 = SlaTarget("resolution", H, ALWAYS, ())
    assert t1 != t2
    assert t1 == SlaTarget("resolution", H, ALWAYS, (), warn_before=[15 * M])
    assert hash(t1) == hash(SlaTarget("resolution", H, ALWAYS, (), warn_before=(15 * M,)))
    assert repr(t1).endswith("warnings=(), warn_before=(datetime.timedelta(seconds=900),))")
    assert {t1, t2} == {t2, t1}
    assert len({t1, t2}) == 2


def test_evolve_keeps_the_leads_and_can_change_them() -> None:
    """Leads are an attrs field like the others: ``attrs.evolve`` carries them."""
    a = office_policy(warn_before=(15 * M,))
    moved = attrs.evolve(a, warnings=(0.5,))
    assert moved.warn_before == (15 * M,)
    assert moved.target(Metric.FIRST_RESPONSE, Priority.NORMAL) is not None
    spec = moved.target(Metric.FIRST_RESPONSE, Priority.NORMAL)
    assert spec is not None
    assert spec.warn_before == (15 * M,)
    assert attrs.evolve(a, warn_before=()) == office_policy(warn_before=())
    t = SlaTarget("resolution", H, ALWAYS, (), warn_before=(15 * M,))
    t2 = attrs.evolve(t, duration=2 * H)
    assert t2.warn_before == (15 * M,)
    assert t2.warn_us == ((2 * H - 15 * M) // ONE_US,)


# -- refusals, with their paths --------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            ["PT15M", "PT0S"],
            "sla_policies[0].warn_before[1]: a warning lead must be a positive duration, got 'PT0S'",
        ),
        (
            ["PT15M", -60],
            "sla_policies[0].warn_before[1]: a warning lead must be a positive duration, got -60",
        ),
        (
            ["PT15M", 900],
            "sla_policies[0].warn_before[1]: warning lead 900 is given twice",
        ),
        (
            [300, "15m"],
            "sla_policies[0].warn_before[1]: expected an ISO-8601 duration such as 'PT4H' or "
            "'P1DT2H' (weeks, days, hours, minutes, seconds; no years or months), got '15m'",
        ),
        (
            [True],
            "sla_policies[0].warn_before[0]: expected an ISO-8601 duration or a number of "
            "seconds, got True",
        ),
        (
            "PT15M",
            "sla_policies[0].warn_before: expected a sequence of durations before the target, "
            "got 'PT15M'",
        ),
        (
            None,
            "sla_policies[0].warn_before: expected a sequence of durations before the target, "
            "got None",
        ),
        (
            [f"PT{i}M" for i in range(1, 18)],
            "sla_policies[0].warn_before[16]: at most 16 warning leads are allowed, got another: "
            "'PT17M'",
        ),
        (
            ["P99999999999W"],
            "sla_policies[0].warn_before[0]: duration out of range (at most 999,999,999 days), "
            "got 'P99999999999W'",
        ),
    ],
)
def test_bad_leads_in_a_document_are_refused_with_their_path(value: object, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(doc(warn_before=value))
    assert str(caught.value) == message


def test_sixteen_leads_are_allowed() -> None:
    assert len(load(doc(warn_before=[f"PT{i}M" for i in range(1, 17)])).warn_before) == 16


@pytest.mark.parametrize(
    "build", [office_policy, lambda **kw: SlaTarget("resolution", H, ALWAYS, (), **kw)]
)
@pytest.mark.parametrize(
    ("value", "pattern"),
    [
        (
            (15 * M, timedelta(0)),
            r"^warn_before\[1\]: a warning lead must be a positive duration, got datetime\.timedelta\(0\)$",
        ),
        (
            (-M,),
            r"^warn_before\[0\]: a warning lead must be a positive duration, got datetime\.timedelta\(days=-1, seconds=86340\)$",
        ),
        (
            (M, 2 * M, M),
            r"^warn_before\[2\]: warning lead datetime\.timedelta\(seconds=60\) is given twice$",
        ),
        ((900,), r"^warn_before\[0\]: a warning lead must be a datetime\.timedelta, got 900$"),
        (
            ("PT15M",),
            r"^warn_before\[0\]: a warning lead must be a datetime\.timedelta, got 'PT15M'$",
        ),
        (
            15 * M,
            r"^warn_before: expected a sequence of durations before the target, got datetime\.timedelta\(seconds=900\)$",
        ),
        (tuple(k * M for k in range(1, 18)), r"^warn_before\[16\]: at most 16 warning leads"),
    ],
)
def test_bad_leads_in_code_are_refused_with_their_path(
    build: Callable[..., object], value: object, pattern: str
) -> None:
    with pytest.raises(ConfigError, match=pattern):
        build(warn_before=value)


# -- laws --------------------------------------------------------------------------------------

lead_sets = st.lists(st.integers(1, 1500), unique=True, max_size=5)
fraction_sets = st.sampled_from([(), (0.5,), (0.25, 0.5, 0.75), (0.5, 0.9)])


def reference_instants(cal: BusinessCalendar, start: int, amounts: Sequence[int]) -> list[int]:
    """For amounts of whole business minutes, the instant each is reached, walking the
    calendar minute by minute from *start* (a whole minute): every bound of these calendars
    is a whole minute, so a minute is open or closed as a whole, and an amount is reached at
    the end of the open minute that completes it."""
    want = sorted(set(amounts))
    out: dict[int, int] = {}
    used = 0
    t = start
    i = 0
    while i < len(want):
        if cal.is_open_us(t):
            used += 1
            while i < len(want) and want[i] == used:
                out[want[i]] = t + MIN_US
                i += 1
        t += MIN_US
    return [out[a] for a in amounts]


@given(
    st.sampled_from(CALENDARS),
    st.integers(1, 1500),
    lead_sets,
    st.integers(0, 30 * 24 * 60),
)
def test_each_lead_fires_when_the_minute_by_minute_reference_says(
    cal: BusinessCalendar, minutes: int, leads: list[int], offset: int
) -> None:
    spec = SlaTarget("resolution", minutes * M, cal, (), warn_before=[k * M for k in leads])
    start = T0 + offset * M
    events = SlaClock("t", spec, start).advance(start + timedelta(days=60))
    useful = sorted((k for k in leads if k < minutes), reverse=True)
    amounts = [minutes - k for k in useful]
    start_us = to_us(start)
    *warn_at, due = reference_instants(cal, start_us, [*amounts, minutes])
    expected = [(at, (minutes - k) / minutes) for at, k in zip(warn_at, useful, strict=True)]
    assert [(to_us(e.at), e.threshold) for e in events if isinstance(e, SlaWarning)] == expected
    assert [to_us(e.at) for e in events if isinstance(e, SlaBreached)] == [due]
    assert all(isinstance(e, SlaWarning) and to_us(e.due_at) == due for e in events[:-1])


OPS = ("pause", "resume", "stop", "cancel", "reopen", "poll")
Step = tuple[int | None, str]
Call = tuple[int, str, list[SlaEvent]]
ACTIONS = {
    "pause": ClockAction.PAUSE,
    "resume": ClockAction.RESUME,
    "stop": ClockAction.STOP,
    "cancel": ClockAction.CANCEL,
    "reopen": ClockAction.REOPEN,
}
step_lists = st.lists(
    st.tuples(st.one_of(st.integers(0, 2 * 24 * 60), st.none()), st.sampled_from(OPS)),
    max_size=14,
)


def drive(clock: SlaClock, steps: Sequence[Step]) -> list[Call]:
    """Apply the legal steps (a gap of None jumps to the next event); what came back."""
    calls: list[Call] = []
    t = clock.last_at
    for gap, op in steps:
        if gap is None:
            nxt = clock.next_event_at
            t = nxt if nxt is not None and nxt >= t else t + M
        else:
            t = t + gap * M
        action = ACTIONS.get(op)
        if action is None or (clock.state, action) in TRANSITIONS:
            method = getattr(clock, "advance" if op == "poll" else op)
            calls.append((to_us(t), op, method(t)))
    return calls


def replay(clock: SlaClock, calls: Sequence[Call]) -> list[SlaEvent]:
    out: list[SlaEvent] = []
    for t, op, _ in calls:
        at = datetime.fromtimestamp(0, UTC) + timedelta(microseconds=t)
        out += getattr(clock, "advance" if op == "poll" else op)(at)
    return out


def segments(start: int, calls: Sequence[Call]) -> list[tuple[int, int | None]]:
    """The running stretches the calls describe (end None: still running)."""
    segs: list[tuple[int, int | None]] = []
    begin: int | None = start
    for t, op, _ in calls:
        if op in ("pause", "stop", "cancel") and begin is not None:
            segs.append((begin, t))
            begin = None
        elif op in ("resume", "reopen"):
            begin = t
    if begin is not None:
        segs.append((begin, None))
    return segs


def business_in(cal: BusinessCalendar, segs: list[tuple[int, int | None]], t: int) -> int:
    return sum(cal.elapsed_us(s, min(t, e if e is not None else t)) for s, e in segs if s <= t)


@st.composite
def clocks(draw: st.DrawFn) -> SlaClock:
    cal = draw(st.sampled_from(CALENDARS))
    minutes = draw(st.integers(1, 40 * 60))
    leads = draw(st.lists(st.integers(1, 45 * 60), unique=True, min_size=1, max_size=6))
    spec = SlaTarget(
        "resolution", minutes * M, cal, draw(fraction_sets), warn_before=[k * M for k in leads]
    )
    start = T0 + draw(st.integers(0, 30 * 24 * 60)) * M
    return SlaClock("t", spec, start, paused=draw(st.booleans()))


def all_events(calls: Sequence[Call]) -> list[SlaEvent]:
    return [e for _, _, evs in calls for e in evs]


@given(clocks(), step_lists)
def test_every_lead_fires_once_in_order_at_its_business_time_through_any_history(
    clock: SlaClock, steps: list[Step]
) -> None:
    start = to_us(clock.started_at)
    paused_at_start = clock.state is ClockState.PAUSED
    calls = drive(clock, [*steps, (5 * 24 * 60, "poll")])
    if paused_at_start:
        calls = [(start, "pause", []), *calls]
    segs = segments(start, calls)
    spec = clock.target
    cal = spec.calendar
    events = all_events(calls)
    warnings = [e for e in events if isinstance(e, SlaWarning)]
    breaches = [e for e in events if isinstance(e, SlaBreached)]
    # Each warning once, in threshold order (fractions and leads merged), before the breach.
    assert [w.threshold for w in warnings] == list(spec.warn_thresholds[: len(warnings)])
    assert [w.at for w in warnings] == sorted(w.at for w in warnings)
    if breaches:
        assert len(warnings) == len(spec.warn_us)
        assert all(w.at <= breaches[0].at for w in warnings)
    # The thresholds: the fractions, and target - lead for every lead shorter than the target.
    amounts = {round(spec.target_us * f) for f in spec.warnings} | {
        spec.target_us - lead // ONE_US for lead in spec.warn_before if lead < spec.duration
    }
    assert spec.warn_us == tuple(sorted(amounts))
    polled = {t for t, op, _ in calls if op == "poll"}
    for i, w in enumerate(warnings):
        u = to_us(w.at)
        amount = spec.warn_us[i]
        assert w.threshold == spec.warn_thresholds[i]
        # Only while running, at a business-time instant, when exactly that much is used
        # (or at a resume that released a threshold reached as the clock paused).
        assert any(
            s <= u and (e is None or u < e or (u == e and (u in polled or u == s))) for s, e in segs
        )
        assert cal.is_open_us(u) or cal.is_open_us(u - 1)
        used = business_in(cal, segs, u)
        assert used >= amount
        if not any(s == u for s, _ in segs):
            assert used == amount


@given(clocks(), step_lists, step_lists)
def test_a_snapshot_mid_run_restores_the_same_lead_warnings(
    clock: SlaClock, history: list[Step], future: list[Step]
) -> None:
    drive(clock, history)
    data = json.loads(json.dumps(clock.to_dict()))
    assert data["warn_before_us"] == [lead // ONE_US for lead in clock.target.warn_before]
    twin = SlaClock.from_dict(data, clock.target.calendar)
    assert twin.target == clock.target
    assert twin.to_dict() == clock.to_dict()
    later = drive(clock, [*future, (10 * 24 * 60, "poll")])
    assert replay(twin, later) == all_events(later)


@given(clocks(), step_lists, st.sampled_from(list(RecalcMode)), lead_sets, fraction_sets)
def test_a_change_never_floods_lead_warnings(
    clock: SlaClock,
    history: list[Step],
    mode: RecalcMode,
    leads: list[int],
    fractions: tuple[float, ...],
) -> None:
    drive(clock, history)
    if clock.state not in (ClockState.RUNNING, ClockState.PAUSED):
        return
    at = clock.last_at + 7 * M
    old = clock.elapsed(at) // ONE_US
    new = SlaTarget(
        "resolution",
        clock.target.duration + 30 * M,
        clock.target.calendar,
        fractions,
        warn_before=[k * M for k in leads],
    )
    events = clock.recalculate(new, at, mode)
    # Whatever came at the change is the old target's, due before it, or a revealed breach.
    assert all(e.at < at for e in events if isinstance(e, SlaWarning))
    later = clock.advance(at + timedelta(days=30))
    warned = [e for e in later if isinstance(e, SlaWarning)]
    assert [w.threshold for w in warned] == sorted(w.threshold for w in warned)
    assert len({w.threshold for w in warned}) == len(warned)
    if mode is RecalcMode.KEEP_ELAPSED:
        # Only thresholds beyond the time already used, each at a later instant.
        assert all(new.warn_us[new.warn_thresholds.index(w.threshold)] > old for w in warned)
        assert all(w.at > at for w in warned)


# -- snapshots -------------------------------------------------------------------------------


def running_clock() -> SlaClock:
    clock = SlaClock("t", SlaTarget("resolution", H, OFFICE, (0.5,), warn_before=(15 * M,)), FRIDAY)
    clock.advance(MONDAY.replace(hour=9, minute=5))
    return clock


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            [900_000_000, 0],
            "clock.warn_before_us[1]: expected a positive duration in µs, got 0",
        ),
        ([True], "clock.warn_before_us[0]: expected a positive duration in µs, got True"),
        (["PT15M"], "clock.warn_before_us[0]: expected a positive duration in µs, got 'PT15M'"),
        ([1.5], "clock.warn_before_us[0]: expected a positive duration in µs, got 1.5"),
        (
            [10**30],
            "clock.warn_before_us[0]: expected a duration in µs, got "
            "1000000000000000000000000000000",
        ),
        (
            [900_000_000, 900_000_000],
            "clock.warn_before_us[1]: warning lead datetime.timedelta(seconds=900) is given twice",
        ),
        (900_000_000, "clock.warn_before_us: expected a list of durations in µs, got 900000000"),
        (
            list(range(1, 18)),
            "clock.warn_before_us[16]: at most 16 warning leads are allowed, got another: "
            "datetime.timedelta(microseconds=17)",
        ),
    ],
)
def test_a_tampered_lead_in_a_clock_snapshot_is_refused(value: object, message: str) -> None:
    data = running_clock().to_dict()
    data["warn_before_us"] = value
    with pytest.raises(ConfigError) as caught:
        SlaClock.from_dict(data, OFFICE)
    assert str(caught.value) == message


def test_a_snapshot_whose_leads_move_the_next_event_is_refused() -> None:
    data = running_clock().to_dict()
    assert data["next"] == to_us(MONDAY.replace(hour=9, minute=15))
    data["warn_before_us"] = [20 * MIN_US]  # would be due at 09:10, not 09:15
    with pytest.raises(ConfigError, match=r"^clock\.next: expected the instant"):
        SlaClock.from_dict(data, OFFICE)


def desk_with_leads() -> tuple[DeskConfig, Desk, datetime]:
    doc_ = seeds_desk_doc()
    doc_["sla_policies"][1]["warn_before"] = ["PT15M"]
    config = DeskConfig.from_dict(doc_)
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    desk = Desk(config)
    desk.submit(Ticket("t1", Customer("c1", Tier("regular", 1), "id"), "email", at), at=at)
    desk.advance(at=at + M)
    return config, desk, at


def _clocks_of(snapshot: Any) -> list[dict[str, Any]]:
    """Every SLA clock's data in a desk snapshot (found by shape, wherever it sits)."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "target_us" in node and "k" in node:
                found.append(node)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(snapshot)
    return found


def test_a_tampered_or_dropped_lead_in_a_desk_snapshot_is_refused() -> None:
    config, desk, _ = desk_with_leads()
    snap = json.loads(json.dumps(desk.snapshot()))
    clocks = _clocks_of(snap)
    assert clocks
    assert all(c["warn_before_us"] == [900_000_000] for c in clocks)
    clocks[0]["warn_before_us"] = [-1]
    with pytest.raises(ConfigError, match=r"^snapshot\..*warn_before_us\[0\]: expected a positive"):
        Desk.restore(config, snap)
    # Without its leads the clock keeps another promise than its policy's: refused too.
    # (The first response's 15-minute lead is its 75 % fraction: the resolution's is its own.)
    snap = json.loads(json.dumps(desk.snapshot()))
    [res] = [c for c in _clocks_of(snap) if c["metric"] == "resolution"]
    del res["warn_before_us"]
    with pytest.raises(ConfigError, match=r"^snapshot\."):
        Desk.restore(config, snap)


def test_snapshots_without_leads_carry_no_lead_key() -> None:
    desk = Desk(DeskConfig.from_dict(seeds_desk_doc()))
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    desk.submit(Ticket("t1", Customer("c1", Tier("regular", 1), "id"), "email", at), at=at)
    clocks = _clocks_of(desk.snapshot())
    assert clocks
    assert all(
        list(c)
        == [
            "ticket_id",
            "metric",
            "target_us",
            "warnings",
            "state",
            "started",
            "mark",
            "used",
            "last",
            "k",
            "next",
            "due",
            "calendar",
            "history",
            *(["used_at"] if "used_at" in c else []),
        ]
        for c in clocks
    )
    assert "warn_before" not in json.dumps(desk.snapshot())
