"""A review of state snapshots and the plain-data readers: what a tampered snapshot, a hostile
event dict or an instant past the calendar's end must not get past.

- a waiting ticket waits in exactly one queue, the one its record names, on its own channel;
- an assigned ticket is held on its own channel (the capacity it uses is counted there);
- the SLA timers are rebuilt from the clocks (a cut or edited ``timers.sla`` loses nothing);
  each survey timer is checked against its ticket (state, history);
- a ``csflow.desk/2`` or ``/3`` snapshot carries its config fingerprint (null is refused);
- ``event_from_dict`` raises ``ConfigError`` at ``event.<field>`` and nothing else;
- an ``at`` whose UTC instant is outside years 1-9999 is refused before anything changes.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from csflow import AgentProfile, ConfigError, Customer, Desk, DeskConfig, Ticket, Tier
from csflow._time import MAX_US, instant_us, to_instant_us
from csflow.errors import CalendarError, CsflowError
from csflow.events import (
    SlaMet,
    SurveyDue,
    TicketAbandoned,
    TicketPrioritized,
    TicketResolved,
    event_from_dict,
)
from csflow.model import Metric, Priority
from csflow.sla.durations import parse_duration
from csflow.testing import check_invariants

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
AYU = Customer("ayu", Tier("gold", 3))
SLA = DeskConfig.from_dict(
    {
        "calendars": {"24x7": {"timezone": "UTC", "always_open": True}},
        "sla_policies": [
            {"name": "chat", "calendar": "24x7", "targets": {"first_response": "PT2M"}}
        ],
        "default_sla_policy": "chat",
    }
)
TWO_QUEUES = DeskConfig.from_dict({"queues": [{"name": "a"}, {"name": "b"}]})
SURVEYS = DeskConfig.from_dict({"survey_delay": "PT1H"})


def plain(desk: Desk) -> Any:
    return json.loads(json.dumps(desk.snapshot()))


def refused(config: DeskConfig, snap: Any, path: str, words: str = "") -> ConfigError:
    """Restoring *snap* raises a ConfigError at exactly *path* (its message has *words*)."""
    with pytest.raises(ConfigError) as info:
        Desk.restore(config, snap)
    assert info.value.path == path, str(info.value)
    assert words in info.value.detail
    return info.value


# ---------------------------------------------------------------------------------------------
# 1. A waiting ticket waits in one queue, the one its record names


def waiting_in_a() -> Any:
    desk = Desk(TWO_QUEUES)
    desk.submit(Ticket("T-1", AYU, "chat", T0), at=T0)
    snap = plain(desk)
    assert snap["state"]["tickets"][0]["queue"] == "a"
    assert [e[0] for e in snap["state"]["router"]["queues"]["a"]["entries"]] == ["T-1"]
    return snap


def test_a_ticket_copied_into_a_second_queue_is_refused_at_the_copy() -> None:
    snap = waiting_in_a()
    queues = snap["state"]["router"]["queues"]
    queues["b"]["entries"].append(copy.deepcopy(queues["a"]["entries"][0]))
    refused(TWO_QUEUES, snap, "snapshot.state.router.queues.b.entries[0]", "waits in queue 'a' too")


def test_a_ticket_moved_to_another_queue_than_its_record_names_is_refused() -> None:
    snap = waiting_in_a()
    snap["state"]["tickets"][0]["queue"] = "b"
    refused(TWO_QUEUES, snap, "snapshot.state.tickets[0].queue", "waits in queue 'a', not in 'b'")


def test_a_ticket_moved_with_its_routing_state_to_another_queue_is_refused() -> None:
    """The entry and the routing state both moved to queue b: the record still says a."""
    snap = waiting_in_a()
    router = snap["state"]["router"]
    router["queues"]["b"]["entries"] = router["queues"]["a"]["entries"]
    router["queues"]["a"]["entries"] = []
    router["waiting"][0][1] = "b"
    refused(TWO_QUEUES, snap, "snapshot.state.tickets[0].queue")


def test_a_waiting_ticket_on_another_channel_or_flag_is_refused() -> None:
    snap = waiting_in_a()
    router = snap["state"]["router"]
    on_email = copy.deepcopy(snap)
    for sig in (
        on_email["state"]["router"]["queues"]["a"]["entries"][0][4],
        on_email["state"]["router"]["waiting"][0][4],
    ):
        sig[0] = "email"
    refused(TWO_QUEUES, on_email, "snapshot.state.tickets[0]", "waits on channel 'email'")
    router["queues"]["a"]["entries"][0][6] = True  # a call-back, says the entry alone
    refused(TWO_QUEUES, snap, "snapshot.state.tickets[0]", "as a call-back")


def test_the_restored_desk_of_two_queues_is_whole() -> None:
    """Untampered, it restores, and an agent who comes takes the ticket."""
    desk = Desk.restore(TWO_QUEUES, waiting_in_a())
    check_invariants(desk)
    desk.add_agent(AgentProfile("sari", capacity={"chat": 2}), at=T0, presence="available")
    assert desk.agent("sari").held == ("T-1",)
    check_invariants(desk)


# ---------------------------------------------------------------------------------------------
# 2. Timers: the SLA ones rebuilt from the clocks, the survey ones checked against the ticket


def sla_desk() -> Desk:
    desk = Desk(SLA)
    desk.submit(Ticket("T-1", AYU, "chat", T0), at=T0)  # nobody to serve it
    desk.submit(Ticket("T-2", AYU, "chat", T0), at=T0 + timedelta(seconds=30))
    return desk


@pytest.mark.parametrize(
    "edit",
    [
        lambda t: t.clear(),
        lambda t: t.pop(0),
        lambda t: t.reverse(),
        lambda t: t[0].__setitem__(0, t[0][0] + 3_600_000_000),  # an hour late
        lambda t: t[1].__setitem__(0, t[1][0] - 30_000_000),  # early: on T-1's instant
    ],
    ids=["emptied", "one-removed", "reordered", "moved-later", "moved-earlier"],
)
def test_sla_timers_are_rebuilt_from_the_clocks(edit: Callable[[list[Any]], Any]) -> None:
    desk = sla_desk()
    snap = plain(desk)
    timers = snap["state"]["timers"]["sla"]
    assert [tid for _, tid in timers] == ["T-1", "T-2"]
    edit(timers)
    copy_ = Desk.restore(SLA, snap)
    assert copy_.next_wakeup() == desk.next_wakeup() == T0 + timedelta(minutes=1)
    assert copy_.snapshot() == desk.snapshot()
    later = T0 + timedelta(minutes=5)
    events = desk.advance(at=later)
    assert [type(e).__name__ for e in events].count("SlaBreached") == 2
    assert copy_.advance(at=later) == events
    assert copy_.next_wakeup() == desk.next_wakeup()


def test_malformed_sla_timers_are_still_refused() -> None:
    snap = plain(sla_desk())
    snap["state"]["timers"]["sla"].append([1, "T-9"])
    refused(SLA, snap, "snapshot.state.timers.sla[2]", "unknown ticket 'T-9'")


def surveyed() -> Desk:
    """T-1 resolved at T0 + 1 min (its survey due an hour later), T-2 waiting."""
    desk = Desk(SURVEYS)
    desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=T0, presence="available")
    desk.submit(Ticket("T-1", AYU, "chat", T0), at=T0)
    desk.submit(Ticket("T-2", AYU, "chat", T0), at=T0)
    desk.resolve("T-1", "sari", at=T0 + timedelta(minutes=1))
    return desk


def test_a_pending_survey_restores_and_fires_once() -> None:
    desk = surveyed()
    snap = plain(desk)
    survey_at = T0 + timedelta(minutes=61)
    assert snap["state"]["timers"]["surveys"] == [[instant_us(survey_at, "at"), "T-1"]]
    copy_ = Desk.restore(SURVEYS, snap)
    events = copy_.advance(at=T0 + timedelta(hours=3))
    assert events == desk.advance(at=T0 + timedelta(hours=3))
    assert [(type(e), e.at) for e in events if isinstance(e, SurveyDue)] == [(SurveyDue, survey_at)]
    # Fired: the next snapshot has no survey timer, and one put back is refused.
    again = plain(copy_)
    assert again["state"]["timers"]["surveys"] == []
    again["state"]["timers"]["surveys"] = [[instant_us(survey_at, "at"), "T-1"]]
    refused(SURVEYS, again, "snapshot.state.timers.surveys[0]", "its survey fell due")


def test_a_survey_timer_moved_before_the_resolution_is_refused() -> None:
    snap = plain(surveyed())
    resolved = instant_us(T0 + timedelta(minutes=1), "at")
    snap["state"]["timers"]["surveys"][0][0] = resolved - 1
    refused(SURVEYS, snap, "snapshot.state.timers.surveys[0]", "before ticket 'T-1' was resolved")


def test_a_survey_timer_of_a_ticket_not_solved_is_refused() -> None:
    snap = plain(surveyed())
    snap["state"]["timers"]["surveys"][0][1] = "T-2"  # assigned now, never resolved
    refused(SURVEYS, snap, "snapshot.state.timers.surveys[0]", "which is assigned")


def test_a_survey_timer_of_a_ticket_reopened_since_is_refused() -> None:
    desk = surveyed()
    pending = plain(desk)["state"]["timers"]["surveys"]
    desk.reopen("T-1", at=T0 + timedelta(minutes=2))
    desk.resolve("T-2", "sari", at=T0 + timedelta(minutes=3))
    desk.resolve("T-1", "sari", at=T0 + timedelta(minutes=4))
    desk.reopen("T-1", at=T0 + timedelta(minutes=5))
    snap = plain(desk)
    assert [tid for _, tid in snap["state"]["timers"]["surveys"]] == ["T-2"]
    Desk.restore(SURVEYS, snap)
    snap["state"]["timers"]["surveys"] += pending  # T-1's first survey, retired by the reopen
    refused(SURVEYS, snap, "snapshot.state.timers.surveys[1]")


def test_a_survey_of_a_ticket_without_history_is_checked_by_its_state() -> None:
    """Without a history, when the ticket was resolved is not known: its state still is."""
    config = DeskConfig.from_dict({"survey_delay": "PT1H", "keep_history": False})
    desk = Desk(config)
    desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=T0, presence="available")
    desk.submit(Ticket("T-1", AYU, "chat", T0), at=T0)
    desk.submit(Ticket("T-2", AYU, "chat", T0), at=T0)
    desk.resolve("T-1", "sari", at=T0 + timedelta(minutes=1))
    snap = plain(desk)
    Desk.restore(config, snap)
    snap["state"]["timers"]["surveys"][0][1] = "T-2"
    refused(config, snap, "snapshot.state.timers.surveys[0]", "which is assigned")


def test_a_survey_armed_before_an_accepted_config_change_restores_after_it() -> None:
    """A survey armed under the old ``survey_delay`` keeps its instant through a config change
    and through the next snapshot (taken under the new config): not refused."""
    desk = surveyed()
    longer = DeskConfig.from_dict({"survey_delay": "PT2H"})
    moved: list[Any] = []
    changed = Desk.restore(longer, plain(desk), on_config_change=moved)
    again = Desk.restore(longer, plain(changed))
    events = again.advance(at=T0 + timedelta(hours=3))
    assert [e.at for e in events if isinstance(e, SurveyDue)] == [T0 + timedelta(minutes=61)]


# ---------------------------------------------------------------------------------------------
# 3. A held ticket is held on its own channel


def holding() -> Desk:
    desk = Desk(DeskConfig.from_dict({}))
    desk.add_agent(
        AgentProfile("sari", capacity={"chat": 1, "email": 1, "phone": 1}),
        at=T0,
        presence="available",
    )
    desk.submit(Ticket("T-1", AYU, "chat", T0), at=T0)
    return desk


def test_a_held_ticket_relabelled_with_another_channel_is_refused() -> None:
    desk = holding()
    snap = plain(desk)
    held = snap["state"]["router"]["pool"]["agents"][0]["held"]
    assert held == [["T-1", "chat"]]
    held[0][1] = "email"
    refused(
        desk.config,
        snap,
        "snapshot.state.router.pool.agents[0].held[0][1]",
        "held on channel 'email'; it is a 'chat' ticket",
    )


def test_a_call_back_is_held_on_the_phone() -> None:
    desk = Desk(DeskConfig.from_dict({}))
    desk.submit(Ticket("T-1", AYU, "chat", T0), at=T0)
    desk.request_callback("T-1", at=T0)
    desk.add_agent(AgentProfile("sari", capacity={"phone": 1}), at=T0, presence="available")
    snap = plain(desk)
    assert snap["state"]["router"]["pool"]["agents"][0]["held"] == [["T-1", "phone"]]
    check_invariants(Desk.restore(desk.config, snap))
    snap["state"]["tickets"][0]["callback"] = False  # a chat now, says the record
    refused(desk.config, snap, "snapshot.state.router.pool.agents[0].held[0][1]", "'chat'")


# ---------------------------------------------------------------------------------------------
# 4. A state or command-log snapshot carries its config fingerprint


def test_a_null_config_fingerprint_is_refused_for_formats_that_write_one() -> None:
    snap = plain(holding())
    snap["config"] = None
    refused(DeskConfig.from_dict({}), snap, "snapshot.config", "got null")
    log: dict[str, Any] = {
        "format": "csflow.desk/2",
        "at": None,
        "config": None,
        "deadlines": {},
        "commands": [],
    }
    refused(DeskConfig.from_dict({}), log, "snapshot.config", "got null")
    # /1 never wrote one: read without the check.
    Desk.restore(DeskConfig.from_dict({}), {"format": "csflow.desk/1", "commands": []})


def test_a_null_config_does_not_smuggle_in_another_config() -> None:
    old = DeskConfig.from_dict({"transfers": {"max_transfers": 3}, "survey_delay": "PT1H"})
    new = DeskConfig.from_dict({"transfers": {"max_transfers": 0, "on_limit": "refuse"}})
    desk = Desk(old)
    desk.submit(Ticket("T-1", AYU, "chat", T0), at=T0)
    snap = plain(desk)
    snap["config"] = None
    with pytest.raises(ConfigError, match=r"^snapshot\.config: "):
        Desk.restore(new, snap)


# ---------------------------------------------------------------------------------------------
# 5. event_from_dict raises ConfigError at the field, and nothing else

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)
MET = SlaMet(AT, "t1", Metric.FIRST_RESPONSE, timedelta(1), timedelta(2), False).to_dict()


def _deep(n: int) -> list[Any]:
    out: list[Any] = []
    for _ in range(n):
        out = [out]
    return out


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({**MET, "target": "PT²S"}, "event.target"),
        ({**MET, "target": "PT٣S"}, "event.target"),  # ARABIC-INDIC DIGIT THREE
        ({**MET, "elapsed": "PT1.٣S"}, "event.elapsed"),
        ({**TicketAbandoned(AT, "t1", 1.0).to_dict(), "waited": 10**400}, "event.waited"),
        (
            {
                **TicketPrioritized(AT, "t1", Priority.NORMAL, Priority.HIGH).to_dict(),
                "new": _deep(5000),
            },
            "event.new",
        ),
        (
            {**TicketPrioritized(AT, "t1", Priority.NORMAL, Priority.HIGH).to_dict(), "old": True},
            "event.old",
        ),
        ({**MET, "metric": _deep(5000)}, "event.metric"),
        ({k: v for k, v in MET.items() if k != "target"}, "event.target"),
        ({**MET, "extra": 1}, "event.extra"),
    ],
    ids=[
        "superscript-digit",
        "arabic-indic-digit",
        "arabic-indic-fraction",
        "401-digit-int-in-a-float",
        "deep-list-in-a-priority",
        "bool-for-a-priority",
        "deep-list-in-a-metric",
        "missing-field",
        "unknown-key",
    ],
)
def test_a_hostile_event_is_a_config_error_at_its_field(data: dict[str, Any], path: str) -> None:
    with pytest.raises(ConfigError) as info:
        event_from_dict(data)
    assert info.value.path == path, str(info.value)


def test_ascii_durations_still_read_back() -> None:
    assert event_from_dict(MET) == event_from_dict(json.loads(json.dumps(MET)))
    back = event_from_dict({**MET, "target": "PT90.5S", "elapsed": "PT0S"})
    assert isinstance(back, SlaMet)
    assert (back.target, back.elapsed) == (timedelta(seconds=90.5), timedelta(0))


def test_the_event_types_offered_leave_out_the_base() -> None:
    with pytest.raises(ConfigError, match=r"^event\.type: unknown event type 'DeskEvent'") as info:
        event_from_dict({"type": "DeskEvent", "version": 1, "at": AT.isoformat(), "ticket_id": "x"})
    offered = info.value.detail.split("expected one of ", 1)[1]
    assert "DeskEvent" not in offered
    assert "TicketResolved" in offered
    assert "AgentPresenceChanged" in offered
    assert TicketResolved(AT, "t1", "sari") == event_from_dict(
        TicketResolved(AT, "t1", "sari").to_dict()
    )


@pytest.mark.parametrize("text", ["PT٣S", "P١D", "PT1H٣M"])
def test_config_durations_are_ascii_digits_only(text: str) -> None:
    with pytest.raises(ConfigError):
        parse_duration(text, "x")
    assert parse_duration("PT1H3M", "x") == timedelta(hours=1, minutes=3)


# ---------------------------------------------------------------------------------------------
# 6. An instant outside years 1-9999 in UTC is refused before anything changes

PAST_THE_END = datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5)))
BEFORE_THE_START = datetime(1, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=5)))


@pytest.mark.parametrize("at", [PAST_THE_END, BEFORE_THE_START])
def test_an_at_outside_the_calendar_in_utc_is_refused_up_front(at: datetime) -> None:
    desk = holding()
    before = desk.snapshot()
    commands: list[Callable[[], Any]] = [
        lambda: desk.advance(at=at),
        lambda: desk.reply("T-1", "sari", at=at),
        lambda: desk.submit(Ticket("T-2", AYU, "chat", T0), at=at),
        lambda: desk.set_presence("sari", "offline", at=at),
    ]
    for command in commands:
        with pytest.raises(CsflowError, match=r"'at' must be an instant in years 1-9999 in UTC"):
            command()
    assert desk.snapshot() == before
    assert desk.now == T0
    desk.advance(at=T0 + timedelta(minutes=1))  # the desk carries on


def test_the_conversions_refuse_what_no_utc_datetime_can_hold() -> None:
    for convert in (lambda v: instant_us(v, "at"), to_instant_us):
        with pytest.raises(CalendarError, match=r"years 1-9999 in UTC"):
            convert(PAST_THE_END)
    last = datetime(9999, 12, 31, 18, 59, 59, 999_999, tzinfo=timezone(timedelta(hours=-5)))
    assert instant_us(last, "at") == MAX_US
    with pytest.raises(ConfigError, match="years 1-9999"):
        instant_us(PAST_THE_END, "at", ConfigError)


# ---------------------------------------------------------------------------------------------
# 8. What persisting.md says a restore under a changed config refuses


def test_a_relaxation_plan_removed_under_a_waiting_ticket_is_refused() -> None:
    relaxing = DeskConfig.from_dict(
        {"queues": [{"name": "front", "relaxation": [{"after": "PT2M", "proficiency": 1}]}]}
    )
    desk = Desk(relaxing)
    desk.submit(Ticket("T-1", AYU, "chat", T0), at=T0)
    with pytest.raises(ConfigError) as info:
        Desk.restore(
            DeskConfig.from_dict({"queues": [{"name": "front"}]}),
            plain(desk),
            on_config_change=[],
        )
    assert str(info.value) == (
        "snapshot.state.router.waiting[0][2]: no relaxation plan for queue 'front'"
    )
