"""Per-metric calendars in one SLA policy (``SlaPolicy.calendars``).

"Chat first reply within 1 minute, 24/7; resolution within 16 business hours on the Jakarta
office calendar", in one policy: each metric's targets count on its own calendar, the others
on the policy's ``calendar``.  A worked example by hand through a real desk (pausing, a
retroactive recalculation), the law that a per-metric calendar counts exactly as a policy
whose main calendar it is, the plain-data forms (a policy, a desk document, a snapshot),
refusals with their paths, the fingerprint of configs that do not use it, and the lint;
the desk's instant bounds and a restored ticket's clocks take each metric's calendar.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from csflow import Desk, DeskConfig, lint
from csflow.calendar import BusinessCalendar
from csflow.desk.fingerprint import config_fingerprint
from csflow.errors import CalendarError, ConfigError, CsflowError
from csflow.events import Event, SlaBreached, SlaMet, SlaWarning
from csflow.model import AgentProfile, Customer, Metric, Priority, Ticket, Tier
from csflow.sla import RecalcMode, SlaEvent, SlaPolicy, TicketSla
from csflow.testing import Vocabulary
from csflow.testing.strategies import calendars as calendar_values

JKT = ZoneInfo("Asia/Jakarta")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
S = timedelta(seconds=1)
M = timedelta(minutes=1)
H = timedelta(hours=1)

#: The Jakarta office: Monday to Friday, 09:00-17:00.
OFFICE = BusinessCalendar("Asia/Jakarta", weekly={d: [("09:00", "17:00")] for d in WEEKDAYS})
ALWAYS = BusinessCalendar.always_open("Asia/Jakarta")
OFFICE_DOC: dict[str, Any] = {
    "timezone": "Asia/Jakarta",
    "weekly": {d: [["09:00", "17:00"]] for d in WEEKDAYS},
}
ALWAYS_DOC: dict[str, Any] = {"timezone": "Asia/Jakarta", "always_open": True}

FRI = datetime(2026, 3, 6, 16, 0, tzinfo=JKT)  # a Friday, one office hour left
SAT = datetime(2026, 3, 7, 10, 0, tzinfo=JKT)
MON = datetime(2026, 3, 9, 9, 0, tzinfo=JKT)  # the office opens
TUE = MON + timedelta(days=1)
WED = MON + timedelta(days=2)


def chat_policy(**kw: Any) -> SlaPolicy:
    """First reply in a minute on the 24/7 calendar; resolution in 16 office hours."""
    kw.setdefault("calendars", {"resolution": OFFICE})
    return SlaPolicy(
        "chat",
        ALWAYS,
        {"first_response": M, "resolution": 16 * H},
        warnings=(0.5,),
        **kw,
    )


def kinds(events: Sequence[Event]) -> list[tuple[str, str, str, datetime]]:
    """Each SLA event as (kind, ticket, metric, at), in the order given."""
    return [
        (type(e).__name__, e.ticket_id, e.metric.value, e.at)
        for e in events
        if isinstance(e, SlaWarning | SlaBreached | SlaMet)
    ]


def due(sla: TicketSla, metric: str) -> datetime | None:
    """The due instant of *sla*'s clock for *metric* (which must have one)."""
    clock = sla.clock(metric)
    assert clock is not None
    return clock.due_at


def counts_on(policy: SlaPolicy, metric: str, priority: str) -> BusinessCalendar:
    """The calendar of *policy*'s target for *metric* at *priority* (which must exist)."""
    target = policy.target(metric, priority)
    assert target is not None
    return target.calendar


# -- the policy ------------------------------------------------------------------------------


def test_each_metric_counts_on_its_own_calendar_worked_by_hand() -> None:
    policy = chat_policy()
    first = policy.target("first_response", "normal")
    res = policy.target("resolution", "urgent")
    assert first is not None
    assert res is not None
    assert first.calendar == ALWAYS
    assert res.calendar == OFFICE
    assert policy.calendar_for(Metric.FIRST_RESPONSE) == ALWAYS
    assert policy.calendar_for("resolution") == OFFICE
    assert policy.calendar_for("next_response") == ALWAYS  # no override: the main calendar
    assert policy.calendars_used == (ALWAYS, OFFICE)
    sla = TicketSla("T-1", policy, "normal", FRI)
    # Friday 16:00: one minute around the clock; 16 office hours = 1 h on Friday, 8 h on
    # Monday, 7 h on Tuesday.  Half of each: 16:00:30, and 1 h + 7 h = Monday 16:00.
    assert due(sla, "first_response") == FRI + M
    assert due(sla, "resolution") == TUE.replace(hour=16)
    events = sla.advance(WED)
    assert [(type(e).__name__, e.metric.value, e.at) for e in events] == [
        ("SlaWarning", "first_response", FRI + 30 * S),
        ("SlaBreached", "first_response", FRI + M),
        ("SlaWarning", "resolution", MON.replace(hour=16)),
        ("SlaBreached", "resolution", TUE.replace(hour=16)),
    ]


def test_calendars_are_read_only_keyed_by_metric_in_metric_order() -> None:
    policy = SlaPolicy(
        "p",
        ALWAYS,
        {"first_response": H, "resolution": H},
        calendars={"resolution": OFFICE, Metric.FIRST_RESPONSE: OFFICE},
    )
    assert list(policy.calendars) == [Metric.FIRST_RESPONSE, Metric.RESOLUTION]
    with pytest.raises(TypeError):
        policy.calendars[Metric.NEXT_RESPONSE] = OFFICE  # type: ignore[index]
    # Distinct calendars once each, the main one first (even when no target uses it).
    assert policy.calendars_used == (ALWAYS, OFFICE)
    same = SlaPolicy("p", OFFICE, {"resolution": H}, calendars={"resolution": OFFICE})
    assert same.calendars_used == (OFFICE,)
    assert SlaPolicy("p", OFFICE, {"resolution": H}).calendars_used == (OFFICE,)
    assert SlaPolicy("p", OFFICE, {"resolution": H}).calendars == {}


def test_equality_hash_repr_and_evolve_include_the_calendars() -> None:
    a = chat_policy()
    b = chat_policy(calendars={Metric.RESOLUTION: OFFICE})
    assert a == b
    assert hash(a) == hash(b)
    assert a != chat_policy(calendars={})
    assert a != chat_policy(calendars={"first_response": OFFICE})
    assert "calendars=FrozenDict({<Metric.RESOLUTION: 'resolution'>: BusinessCalendar(" in (repr(a))
    # evolve keeps them, and the targets it builds follow a new main calendar elsewhere.
    moved = attrs.evolve(a, calendar=OFFICE, calendars={"first_response": ALWAYS})
    assert counts_on(moved, "first_response", "low") == ALWAYS
    assert counts_on(moved, "resolution", "low") == OFFICE
    kept = attrs.evolve(a, warnings=())
    assert kept.calendars == a.calendars
    assert counts_on(kept, "resolution", "low") == OFFICE


def test_per_priority_targets_count_on_the_metrics_calendar() -> None:
    policy = SlaPolicy(
        "p",
        ALWAYS,
        {"resolution": {"urgent": 4 * H, "low": 40 * H}, "first_response": M},
        calendars={"resolution": OFFICE},
    )
    for priority in ("urgent", "low"):
        assert counts_on(policy, "resolution", priority) == OFFICE
    assert counts_on(policy, "first_response", "urgent") == ALWAYS


def test_a_metric_with_a_calendar_but_no_target_runs_no_clock() -> None:
    policy = SlaPolicy("p", ALWAYS, {"first_response": M}, calendars={"next_response": OFFICE})
    assert policy.target("next_response", "normal") is None
    assert policy.calendar_for("next_response") == OFFICE
    sla = TicketSla("T-2", policy, "normal", FRI)
    sla.agent_reply(FRI + 10 * S)
    sla.customer_message(FRI + H)
    assert sla.clock("next_response") is None


# -- refusals, with their paths ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("calendars", "message"),
    [
        (5, r"^calendars: expected a mapping of metric -> calendar, got 5$"),
        ("resolution", r"^calendars: expected a mapping of metric -> calendar, got 'resolution'$"),
        (
            {"first_reply": OFFICE},
            r"^calendars\.first_reply: metric must be one of .*'first_reply'; did you mean 'first_response'\?$",
        ),
        ({3: OFFICE}, r"^calendars: metric must be one of .*got 3$"),
        (
            {"resolution": "office"},
            r"^calendars\.resolution: a metric's calendar must be a BusinessCalendar, got 'office'$",
        ),
        (
            {"resolution": OFFICE_DOC},
            r"^calendars\.resolution: a metric's calendar must be a BusinessCalendar, got \{",
        ),
        (
            {"resolution": OFFICE, "RESOLUTION": ALWAYS},
            r"^calendars: metric 'resolution' is given twice$",
        ),
    ],
)
def test_a_bad_calendars_argument_is_a_config_error(calendars: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        SlaPolicy("p", ALWAYS, {"resolution": H}, calendars=calendars)
    assert isinstance(caught.value, CsflowError)
    assert caught.value.path.startswith("calendars")


def doc(**kw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": "chat",
        "calendar": "always",
        "targets": {"first_response": "PT1M", "resolution": "PT16H"},
    }
    out.update(kw)
    return out


NAMED = {"office": OFFICE, "always": ALWAYS}


@pytest.mark.parametrize(
    ("calendars", "message"),
    [
        (
            None,
            r"^sla_policies\[0\]\.calendars: expected a mapping of metric -> calendar, got None$",
        ),
        (["office"], r"^sla_policies\[0\]\.calendars: expected a mapping"),
        (
            {"first_reply": "office"},
            r"^sla_policies\[0\]\.calendars\.first_reply: metric must be one of",
        ),
        (
            {"first_response": "offfice"},
            r"^sla_policies\[0\]\.calendars\.first_response: unknown calendar 'offfice'; "
            r"known calendars: \['always', 'office'\]; did you mean 'office'\?$",
        ),
        (
            {"resolution": {"timezone": "Mars/Base"}},
            r"^sla_policies\[0\]\.calendars\.resolution\.timezone: 'timezone' must be an IANA",
        ),
        (
            {"resolution": {**OFFICE_DOC, "weekly": {"mon": [["17:00", "09:00"]]}}},
            r"^sla_policies\[0\]\.calendars\.resolution\.weekly\.mon",
        ),
        ({"resolution": 5}, r"^sla_policies\[0\]\.calendars\.resolution: expected a mapping"),
    ],
)
def test_a_bad_calendars_document_names_its_path(calendars: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        SlaPolicy.from_dict(doc(calendars=calendars), NAMED, path="sla_policies[0]")


def test_a_desk_document_names_the_bad_per_metric_calendar() -> None:
    data = desk_doc()
    data["sla_policies"][0]["calendars"] = {"first_response": "24x7"}
    with pytest.raises(
        ConfigError,
        match=r"^sla_policies\[0\]\.calendars\.first_response: unknown calendar '24x7'",
    ):
        DeskConfig.from_dict(data)


def test_the_unknown_key_message_lists_calendars() -> None:
    with pytest.raises(ConfigError, match=r"expected one of \['calendar', 'calendars', 'name',"):
        SlaPolicy.from_dict(doc(calendar_overrides={}), NAMED)


# -- the plain-data form ---------------------------------------------------------------------


def test_to_dict_writes_calendars_inline_after_the_calendar_only_when_there_are_some() -> None:
    data = chat_policy().to_dict()
    assert list(data) == ["name", "calendar", "calendars", "targets", "warnings", "pause_on"]
    assert data["calendars"] == {"resolution": OFFICE.to_dict()}
    plain = chat_policy(calendars={}).to_dict()
    assert "calendars" not in plain
    assert list(plain) == ["name", "calendar", "targets", "warnings", "pause_on"]
    assert SlaPolicy.from_dict(json.loads(json.dumps(data))) == chat_policy()


def test_from_dict_reads_names_inline_data_and_calendars() -> None:
    want = chat_policy()
    for value in ("office", OFFICE_DOC, OFFICE):
        got = SlaPolicy.from_dict(doc(warnings=[0.5], calendars={"resolution": value}), NAMED)
        assert got == want
        assert counts_on(got, "resolution", "normal") == OFFICE
    # An empty mapping is no override at all.
    assert SlaPolicy.from_dict(doc(warnings=[0.5], calendars={}), NAMED) == chat_policy(
        calendars={}
    )


# -- through a real desk -------------------------------------------------------------------------


def desk_doc() -> dict[str, Any]:
    """One policy: first reply in a minute around the clock, resolution in office hours
    (four for urgent tickets, sixteen otherwise), recalculated retroactively."""
    return {
        "calendars": {"office": OFFICE_DOC, "always": ALWAYS_DOC},
        "sla_policies": [
            {
                "name": "chat",
                "calendar": "always",
                "calendars": {"resolution": "office"},
                "targets": {
                    "first_response": "PT1M",
                    "resolution": {
                        "urgent": "PT4H",
                        "high": "PT16H",
                        "normal": "PT16H",
                        "low": "PT16H",
                    },
                },
                "warnings": [0.5],
            }
        ],
        "default_sla_policy": "chat",
        "recalculation": "retroactive",
    }


SARI = AgentProfile("sari", {}, ["id"], {"chat": 2}, [])


def chat(ticket_id: str, at: datetime) -> Ticket:
    return Ticket(ticket_id, Customer(f"c-{ticket_id}", Tier("regular", 1), "id"), "chat", at)


def friday_desk() -> Desk:
    """Two chats at Friday 16:00 Jakarta, both with Sari."""
    desk = Desk(DeskConfig.from_dict(desk_doc()))
    desk.add_agent(SARI, at=FRI, presence="available")
    desk.submit(chat("t1", FRI), at=FRI)
    desk.submit(chat("t2", FRI), at=FRI)
    assert desk.ticket("t1").agent_id == desk.ticket("t2").agent_id == "sari"
    return desk


def test_a_desk_worked_example_pending_pauses_resolution_only_and_retroactive_priority() -> None:
    desk = friday_desk()
    # t1 waits on the customer from 16:00:20: resolution stops at 20 s used; the first
    # response (not paused by pending) warns at 16:00:30 and is breached at 16:01.
    desk.set_status("t1", "pending", at=FRI + 20 * S)
    assert desk.clocks("t1")["resolution"].state == "paused"
    # t2 is answered at 16:00:45, after its own half-way warning.
    assert kinds(desk.reply("t2", "sari", at=FRI + 45 * S)) == [
        ("SlaWarning", "t2", "first_response", FRI + 30 * S),
        ("SlaMet", "t2", "first_response", FRI + 45 * S),
    ]
    assert kinds(desk.advance(at=FRI + 2 * M)) == [
        ("SlaWarning", "t1", "first_response", FRI + 30 * S),
        ("SlaBreached", "t1", "first_response", FRI + M),
    ]
    # t2's resolution: 1 h Friday + 8 h Monday + 7 h Tuesday -> due Tuesday 16:00; half at
    # Monday 16:00.  Nothing counts over the weekend.
    t2 = desk.clocks("t2")["resolution"]
    assert t2.due_at == TUE.replace(hour=16)
    assert desk.clocks("t2", at=MON)["resolution"].elapsed == H
    # The customer writes on Saturday 10:00: t1 resumes, but the office is closed until
    # Monday 09:00.  At Monday 11:00 it is made urgent (4 h), recomputed from its start:
    # 20 s on Friday + 2 h on Monday = 2 h 0 min 20 s used, so due at 12:59:40; its 2-hour
    # warning (Monday 10:59:40) lies before the change and is passed over.
    desk.customer_message("t1", at=SAT)
    assert desk.clocks("t1", at=MON)["resolution"].elapsed == 20 * S
    assert kinds(desk.advance(at=MON + 2 * H)) == []
    assert kinds(desk.set_priority("t1", "urgent", at=MON + 2 * H)) == []
    t1 = desk.clocks("t1")["resolution"]
    assert t1.target == 4 * H
    assert t1.elapsed == 2 * H + 20 * S
    assert t1.due_at == MON.replace(hour=12, minute=59, second=40)
    assert kinds(desk.resolve("t1", "sari", at=MON.replace(hour=12, minute=30))) == [
        ("SlaMet", "t1", "resolution", MON.replace(hour=12, minute=30)),
    ]
    assert kinds(desk.advance(at=WED)) == [
        ("SlaWarning", "t2", "resolution", MON.replace(hour=16)),
        ("SlaBreached", "t2", "resolution", TUE.replace(hour=16)),
    ]


def test_on_the_main_calendar_alone_the_same_desk_would_breach_at_once() -> None:
    """The control: without the override the retroactive resolution counts the weekend."""
    data = desk_doc()
    del data["sla_policies"][0]["calendars"]
    desk = Desk(DeskConfig.from_dict(data))
    desk.add_agent(SARI, at=FRI, presence="available")
    desk.submit(chat("t1", FRI), at=FRI)
    desk.set_status("t1", "pending", at=FRI + 20 * S)
    desk.customer_message("t1", at=SAT)
    # Sixteen hours around the clock from Saturday 10:00, less the 20 s of Friday.
    assert kinds(desk.advance(at=MON + 2 * H)) == [
        ("SlaWarning", "t1", "resolution", SAT + 8 * H - 20 * S),
        ("SlaBreached", "t1", "resolution", SAT + 16 * H - 20 * S),
    ]


def test_a_desk_config_document_round_trips_its_per_metric_calendars() -> None:
    config = DeskConfig.from_dict(desk_doc())
    policy = config.sla_policies["chat"]
    assert policy.calendars == {Metric.RESOLUTION: OFFICE}
    written = config.to_dict()
    # Written by name, as the policy's own calendar is, since the desk declares it.
    assert written["calendars"]["office"] == OFFICE.to_dict()
    assert written["sla_policies"][0]["calendars"] == {"resolution": "office"}
    again = DeskConfig.from_dict(json.loads(json.dumps(written)))
    assert again == config
    assert config_fingerprint(again) == config_fingerprint(config)


def test_a_snapshot_restores_under_the_config_read_back_from_its_document() -> None:
    desk = friday_desk()
    desk.set_status("t1", "pending", at=FRI + 20 * S)
    again = DeskConfig.from_dict(json.loads(json.dumps(desk.config.to_dict())))
    snap = json.loads(json.dumps(desk.snapshot()))
    twin = Desk.restore(again, snap)  # the same fingerprint: no change to accept
    for ticket_id in ("t1", "t2"):
        mine, theirs = desk.clocks(ticket_id), twin.clocks(ticket_id)
        assert [(c.state, c.due_at) for c in mine.values()] == [
            (c.state, c.due_at) for c in theirs.values()
        ]
    assert twin.clocks("t1")["resolution"].state == "paused"
    assert twin.clocks("t2")["resolution"].due_at == TUE.replace(hour=16)


def test_a_restored_desk_counts_each_metric_on_its_own_calendar() -> None:
    desk = friday_desk()
    desk.reply("t2", "sari", at=FRI + 45 * S)
    snap = json.loads(json.dumps(desk.snapshot()))
    twin = Desk.restore(desk.config, snap)
    # The restored desk is the desk that was saved (each clock names its calendar's digest).
    assert json.loads(json.dumps(twin.snapshot())) == snap
    for d in (desk, twin):
        assert d.clocks("t2", at=MON)["resolution"].elapsed == H
    # t2 waits on the customer on Monday 10:00 (2 h used) and resumes at 12:00: 14 h left,
    # 5 on Monday, 8 on Tuesday, 1 on Wednesday -> due Wednesday 10:00.
    out: list[list[tuple[str, str, str, datetime]]] = []
    for d in (desk, twin):
        events = d.set_status("t2", "pending", at=MON + H)
        events += d.set_status("t2", "open", at=MON + 3 * H)
        events += d.advance(at=WED + 2 * H)
        out.append(kinds(events))
        assert d.clocks("t2")["resolution"].due_at == WED.replace(hour=10)
    assert out[0] == out[1]
    assert ("SlaBreached", "t2", "resolution", WED.replace(hour=10)) in out[0]


def test_a_policy_without_per_metric_calendars_keeps_its_fingerprint() -> None:
    data = desk_doc()
    del data["sla_policies"][0]["calendars"]
    plain = config_fingerprint(DeskConfig.from_dict(data))
    data["sla_policies"][0]["calendars"] = {}
    assert config_fingerprint(DeskConfig.from_dict(data)) == plain
    changed = config_fingerprint(DeskConfig.from_dict(desk_doc()))
    assert changed["hash"] != plain["hash"]
    assert [k for k in changed["parts"] if changed["parts"][k] != plain["parts"][k]] == [
        "sla_policies"
    ]
    other = desk_doc()
    other["sla_policies"][0]["calendars"] = {"first_response": "office"}
    assert config_fingerprint(DeskConfig.from_dict(other))["hash"] != changed["hash"]


def test_the_desk_refuses_an_instant_a_per_metric_calendar_cannot_date() -> None:
    data = desk_doc()
    data["calendars"]["always"] = {"timezone": "UTC", "always_open": True}
    desk = Desk(DeskConfig.from_dict(data))
    # 9999-12-31 17:00 UTC is 10000-01-01 00:00 in Jakarta, where resolution counts.
    late = datetime(9999, 12, 31, 17, 0, tzinfo=UTC)
    before = json.dumps(desk.snapshot())
    with pytest.raises(CalendarError, match=r"instants every SLA calendar's zone can date"):
        desk.submit(chat("t1", late), at=late)
    assert json.dumps(desk.snapshot()) == before
    # A microsecond earlier Jakarta still dates it.
    ok = late - timedelta(microseconds=1)
    desk.submit(chat("t1", ok), at=ok)


# -- lint and the testing vocabulary ---------------------------------------------------------

_NEVER = {"timezone": "Asia/Jakarta", "weekly": {}}


def _lint(policy: dict[str, Any]) -> list[str]:
    data = {
        "calendars": {"office": OFFICE_DOC, "always": ALWAYS_DOC, "never": _NEVER},
        "sla_policies": [policy],
        "default_sla_policy": policy["name"],
    }
    return [str(f) for f in lint(DeskConfig.from_dict(data))]


def test_lint_checks_each_per_metric_calendar_with_its_path() -> None:
    assert _lint(doc(calendars={"resolution": "office"})) == []
    assert _lint(doc(calendars={"resolution": "never"})) == [
        "sla_policies.chat.calendars.resolution: warning: SLA policy 'chat' counts "
        "'resolution' on a calendar that never opens (no weekly hours, no special day with "
        "hours): its 'resolution' clocks never run and never fall due"
    ]
    # The main calendar is checked while a target counts on it ...
    assert _lint(doc(calendar="never", calendars={"resolution": "office"})) == [
        "sla_policies.chat.calendar: warning: SLA policy 'chat' counts on a calendar that "
        "never opens (no weekly hours, no special day with hours): its clocks never run and "
        "never fall due"
    ]
    # ... and not when every target has a calendar of its own.
    every = {"first_response": "always", "resolution": "office"}
    assert _lint(doc(calendar="never", calendars=every)) == []


def test_lint_warns_of_a_calendar_for_a_metric_without_a_target() -> None:
    assert _lint(doc(calendars={"next_response": "office"})) == [
        "sla_policies.chat.calendars.next_response: warning: SLA policy 'chat' gives "
        "'next_response' a calendar but no target: no clock counts on it; add a target or "
        "remove the calendar"
    ]


def test_the_testing_vocabulary_draws_the_per_metric_calendars() -> None:
    data = desk_doc()
    data["calendars"] = {"always": ALWAYS_DOC}  # the office is named nowhere else
    data["sla_policies"][0]["calendars"] = {"resolution": OFFICE_DOC}
    vocabulary = Vocabulary.of(DeskConfig.from_dict(data))
    assert vocabulary.calendars == (ALWAYS, OFFICE)


# -- laws ------------------------------------------------------------------------------------

_METRIC = st.sampled_from(tuple(Metric))
_TARGET = st.integers(1, 3 * 24 * 60).map(lambda m: timedelta(minutes=m))


@st.composite
def _targets(draw: st.DrawFn) -> dict[Metric, timedelta | dict[Priority, timedelta]]:
    out: dict[Metric, timedelta | dict[Priority, timedelta]] = {}
    for metric in draw(st.sets(_METRIC, min_size=1)):
        if draw(st.booleans()):
            out[metric] = draw(_TARGET)
        else:
            out[metric] = draw(
                st.dictionaries(st.sampled_from(tuple(Priority)), _TARGET, min_size=1)
            )
    return out


# A ticket's story: (minutes after the previous step, what happens).
_STEP = st.tuples(
    st.integers(0, 2 * 24 * 60),
    st.one_of(
        st.just(("reply",)),
        st.just(("message",)),
        st.tuples(st.just("status"), st.sampled_from(("open", "pending", "on_hold", "solved"))),
        st.tuples(
            st.just("priority"),
            st.sampled_from(tuple(Priority)),
            st.sampled_from(tuple(RecalcMode)),
        ),
    ),
)


def _story(
    policy: SlaPolicy, priority: Priority, steps: Sequence[tuple[int, tuple[Any, ...]]]
) -> list[SlaEvent]:
    start = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
    sla = TicketSla("T", policy, priority, start)
    at = start
    events: list[SlaEvent] = []
    for minutes, (kind, *args) in steps:
        at += timedelta(minutes=minutes)
        if kind == "reply":
            events += sla.agent_reply(at)
        elif kind == "message":
            events += sla.customer_message(at)
        elif kind == "status":
            events += sla.set_status(args[0], at)
        else:
            events += sla.change_priority(args[0], at, mode=args[1])
    events += sla.advance(at + timedelta(days=10))
    return events


@given(
    main=calendar_values(),
    own=calendar_values(),
    targets=_targets(),
    priority=st.sampled_from(tuple(Priority)),
    steps=st.lists(_STEP, max_size=6),
    data=st.data(),
)
def test_a_metrics_calendar_counts_as_the_main_calendar_of_a_policy_for_it_alone(
    main: BusinessCalendar,
    own: BusinessCalendar,
    targets: dict[Metric, Any],
    priority: Priority,
    steps: list[tuple[int, tuple[Any, ...]]],
    data: st.DataObject,
) -> None:
    # Mostly a metric with a target; now and then one without (then no clock at all).
    metric = data.draw(
        st.sampled_from(sorted(targets, key=list(Metric).index)) | _METRIC, label="metric"
    )
    mixed = SlaPolicy("p", main, targets, calendars={metric: own})
    alone = SlaPolicy("p", own, {m: t for m, t in targets.items() if m is metric})
    rest = SlaPolicy("p", main, {m: t for m, t in targets.items() if m is not metric})
    events = _story(mixed, priority, steps)
    assert [e for e in events if e.metric is metric] == _story(alone, priority, steps)
    assert [e for e in events if e.metric is not metric] == _story(rest, priority, steps)


@st.composite
def _policies(draw: st.DrawFn) -> SlaPolicy:
    main = draw(calendar_values())
    own = draw(st.dictionaries(_METRIC, calendar_values(), max_size=4))
    leads = draw(st.lists(_TARGET, max_size=2, unique=True))
    return SlaPolicy("p", main, draw(_targets()), warn_before=leads, calendars=own)


@given(policy=_policies())
def test_a_policy_round_trips_through_its_plain_data(policy: SlaPolicy) -> None:
    data = json.loads(json.dumps(policy.to_dict()))
    again = SlaPolicy.from_dict(data)
    assert again == policy
    assert hash(again) == hash(policy)
    assert again.to_dict() == data
    assert ("calendars" in data) is bool(policy.calendars)
    for metric in Metric:
        assert again.calendar_for(metric) == policy.calendar_for(metric)
    assert again.calendars_used == policy.calendars_used


@given(policy=_policies(), name_it=st.booleans())
def test_a_desk_config_round_trips_and_keeps_its_fingerprint(
    policy: SlaPolicy, name_it: bool
) -> None:
    data = policy.to_dict()
    named = {}
    if name_it and policy.calendars:
        # A document may name a per-metric calendar, as it names the main one.
        metric, calendar = next(iter(policy.calendars.items()))
        named["own"] = calendar.to_dict()
        data["calendars"][metric.value] = "own"
    config = DeskConfig.from_dict(
        {"calendars": named, "sla_policies": [data], "default_sla_policy": "p"}
    )
    assert config.sla_policies["p"] == policy
    again = DeskConfig.from_dict(json.loads(json.dumps(config.to_dict())))
    assert again == config
    assert config_fingerprint(again) == config_fingerprint(config)


def test_holidays_on_a_per_metric_calendar_count_for_that_metric_only() -> None:
    closed = BusinessCalendar(
        "Asia/Jakarta",
        weekly={d: [("09:00", "17:00")] for d in WEEKDAYS},
        holidays={date(2026, 3, 9): "closed"},
    )
    policy = chat_policy(calendars={"resolution": closed})
    sla = TicketSla("T-3", policy, "normal", FRI)
    # Monday closed: 1 h Friday, 8 h Tuesday, 7 h Wednesday.
    assert due(sla, "resolution") == WED.replace(hour=16)
    assert due(sla, "first_response") == FRI + M
