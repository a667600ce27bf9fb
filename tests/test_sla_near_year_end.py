"""SLA deadlines an SLA calendar's zone cannot date: near the end of the year 9999, east of UTC.

A desk accepts commands up to the last instant every SLA calendar's zone can date (on a Tokyo
calendar, 9999-12-31T14:59:59.999999Z, 23:59:59.999999 local).  A target due after it (local
midnight of the year 10000) is one the calendar never reaches, as past the range in UTC: no
deadline (``due_at`` is ``None``), no warning, no breach, and every view, command and snapshot
keeps working.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import Desk, DeskConfig
from csflow.errors import CsflowError
from csflow.events import SlaBreached, SlaWarning
from csflow.model import AgentProfile, Customer, Metric, Ticket, Tier
from csflow.sla.clock import calendar_bounds_us

ALL_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
REGULAR = Tier("regular", 1)
#: Zones east of UTC, whose last datable instant comes before the end of 9999 in UTC.
EAST = ("Asia/Tokyo", "Pacific/Kiritimati", "Asia/Jakarta", "Australia/Lord_Howe")


def desk_doc(zone: str, **policy: Any) -> dict[str, Any]:
    """A one-queue desk on an SLA calendar open all week in *zone*."""
    return {
        "tiers": [{"name": "regular", "rank": 1}],
        "queues": [{"name": "q"}],
        "calendars": {
            "c": {"timezone": zone, "weekly": {d: [["00:00", "24:00"]] for d in ALL_DAYS}}
        },
        "sla_policies": [
            {
                "name": "p",
                "calendar": "c",
                "targets": {"first_response": "PT1H", "resolution": "PT8H"},
                **policy,
            }
        ],
        "default_sla_policy": "p",
    }


def at_us(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


def sla_events(events: list[Any]) -> list[Any]:
    return [e for e in events if isinstance(e, (SlaWarning, SlaBreached))]


def round_trip(desk: Desk) -> Desk:
    """*desk* restored from its snapshot's JSON form; the restored desk saves the same."""
    snap = json.loads(json.dumps(desk.snapshot()))
    again = Desk.restore(desk.config, snap)
    assert again.snapshot() == desk.snapshot()
    return again


def test_a_target_due_at_local_midnight_of_the_year_10000_is_never_reached() -> None:
    """The review's repro: Tokyo, submitted at 23:00 local on 9999-12-31, a 1 h target."""
    desk = Desk(DeskConfig.from_dict(desk_doc("Asia/Tokyo", warnings=[0.5, 0.75])))
    t = datetime(9999, 12, 31, 14, tzinfo=UTC)
    desk.submit(Ticket("T", Customer("c1", REGULAR), "email", t), at=t)
    clocks = desk.clocks("T")
    assert [c.due_at for c in clocks.values()] == [None, None]
    assert {c.state for c in clocks.values()} == {"running"}
    assert desk.ticket("T").sla_policy == "p"
    again = round_trip(desk)
    assert again.clocks("T") == clocks
    # Every timer the desk arms fires without an SLA event, until none is left.
    while (wake := desk.next_wakeup()) is not None:
        assert sla_events(desk.advance(at=wake)) == []
        assert desk.now == wake
    assert [c.due_at for c in desk.clocks("T").values()] == [None, None]
    round_trip(desk)
    # Up to the desk's last instant: nothing comes, business time still counts.
    last = datetime(9999, 12, 31, 14, 59, 59, 999_999, tzinfo=UTC)
    assert sla_events(desk.advance(at=last)) == []
    views = desk.clocks("T")
    assert [v.elapsed for v in views.values()] == [last - t] * 2
    assert {v.state for v in views.values()} == {"running"}
    assert round_trip(desk).clocks("T") == views


def test_a_deadline_the_zone_can_date_still_fires() -> None:
    """The bound is the zone's last datable instant, not before: a target due at
    23:59:59.999999 local on 9999-12-31 warns and breaches as usual."""
    desk = Desk(DeskConfig.from_dict(desk_doc("Asia/Tokyo")))
    t = datetime(9999, 12, 31, 13, 59, 59, 999_999, tzinfo=UTC)
    desk.submit(Ticket("T", Customer("c1", REGULAR), "email", t), at=t)
    due = desk.clocks("T")["first_response"].due_at
    assert due == datetime(9999, 12, 31, 14, 59, 59, 999_999, tzinfo=UTC)
    events = desk.advance(at=due)
    first = [e for e in sla_events(events) if e.metric is Metric.FIRST_RESPONSE]
    assert [type(e).__name__ for e in first][-2:] == ["SlaWarning", "SlaBreached"]
    assert {e.at for e in first if isinstance(e, SlaBreached)} == {due}
    assert desk.clocks("T")["first_response"].state == "breached"
    round_trip(desk)


@pytest.mark.parametrize("warnings", [[0.5], []])
def test_a_snapshot_holding_an_undatable_deadline_restores_without_it(
    warnings: list[float],
) -> None:
    """Older versions saved the instant itself: as the deadline once a view worked it out,
    as the next event of a clock without warnings.  It reads as no instant, as this version
    would have saved it."""
    desk = Desk(DeskConfig.from_dict(desk_doc("Asia/Tokyo", warnings=warnings)))
    t = datetime(9999, 12, 31, 14, tzinfo=UTC)
    desk.submit(Ticket("T", Customer("c1", REGULAR), "email", t), at=t)
    snap = json.loads(json.dumps(desk.snapshot()))
    clock = snap["state"]["tickets"][0]["sla"]["clocks"]["first_response"]
    midnight = (datetime(9999, 12, 31, 15, tzinfo=UTC) - EPOCH) // timedelta(microseconds=1)
    clock["due"] = midnight
    if not warnings:
        clock["next"] = midnight
        snap["state"]["timers"]["sla"] = [[midnight, "T"]]
    again = Desk.restore(desk.config, snap)
    assert again.clocks("T")["first_response"].due_at is None
    assert again.snapshot() == desk.snapshot()
    end = datetime(9999, 12, 31, 14, 59, 59, 999_999, tzinfo=UTC)
    assert sla_events(again.advance(at=again.next_wakeup() or end)) == []
    assert sla_events(again.advance(at=end)) == []


# -- every command path that reads deadlines, in the last days of 9999 ------------------------

AGENT = AgentProfile("a1", {}, [], {"email": 3})
_STEPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "submit",
                "reply",
                "customer_message",
                "pending",
                "open",
                "urgent",
                "policy",
                "resolve",
                "reopen",
                "advance",
                "wakeup",
                "restore",
            ]
        ),
        st.integers(0, 3),  # which ticket
        st.one_of(st.sampled_from([0, 5, 30, 60]), st.integers(0, 180)),  # minutes on
    ),
    max_size=12,
)


def _run(desk: Desk, step: str, tid: str, t: datetime) -> Desk:
    """One command at *t* (the restore step returns the restored desk)."""
    if step == "submit":
        desk.submit(Ticket(tid, Customer("c-" + tid, REGULAR), "email", t), at=t)
    elif step == "reply":
        desk.reply(tid, "a1", at=t)
    elif step == "customer_message":
        desk.customer_message(tid, at=t)
    elif step in ("pending", "open"):
        desk.set_status(tid, step, at=t)
    elif step == "urgent":
        desk.set_priority(tid, "urgent", at=t)
    elif step == "policy":
        desk.set_sla_policy(tid, "other", at=t)
    elif step == "resolve":
        desk.resolve(tid, "a1", at=t)
    elif step == "reopen":
        desk.reopen(tid, at=t)
    elif step == "advance":
        desk.advance(at=t)
    elif step == "wakeup":
        wake = desk.next_wakeup()
        desk.advance(at=t if wake is None else wake)
    else:
        return round_trip(desk)
    return desk


def _read_all(desk: Desk) -> None:
    """Every view that reads deadlines works."""
    for tid in desk.tickets():
        desk.ticket(tid)
        desk.clocks(tid)
        desk.history(tid)
    desk.queue()
    desk.next_wakeup()


@settings(deadline=None, max_examples=60)
@given(
    st.sampled_from(EAST),
    # How many minutes before the end of the zone's last date the desk starts.  Instants
    # are whole minutes from that end, as the targets (5 minutes to a day) are: so deadlines
    # fall on it (the instant after the last datable one), before it and after it.
    st.one_of(st.sampled_from([5, 30, 60, 120, 480, 1_440]), st.integers(1, 3 * 1_440)),
    st.sampled_from(["q", "deadline"]),
    st.sampled_from(["weekly", "always_open"]),
    st.booleans(),
    _STEPS,
)
def test_commands_near_the_end_of_the_zones_dates_succeed_or_refuse_cleanly(
    zone: str,
    before: int,
    key: str,
    kind: str,
    leads: bool,
    steps: list[tuple[str, int, int]],
) -> None:
    doc = desk_doc(zone, warnings=[0.5, 0.9], **({"warn_before": ["PT10M"]} if leads else {}))
    if kind == "always_open":
        doc["calendars"]["c"] = {"timezone": zone, "always_open": True}
    doc["queues"] = [{"name": "q"} if key == "q" else {"name": "q", "key": "deadline"}]
    doc["sla_policies"].append(
        {
            "name": "other",
            "calendar": "c",
            "targets": {
                "first_response": {"urgent": "PT5M", "normal": "PT2H"},
                "next_response": "PT30M",
                "resolution": "P1D",
            },
        }
    )
    config = DeskConfig.from_dict(doc)
    end = calendar_bounds_us(config.calendars["c"])[1] + 1  # local midnight of 10000
    minute = timedelta(minutes=1)
    desk = Desk(config)
    now = at_us(end) - before * minute
    desk.add_agent(AGENT, at=now, presence="available")
    for step, n, dt in [("submit", 0, 0), *steps]:
        # Most steps stay within the desk's range; the others (ticket 3) may go past its end.
        t = now + (dt if n == 3 else dt % max((at_us(end) - now) // minute, 1)) * minute
        before_snap = desk.snapshot()
        try:
            desk = _run(desk, step, f"T{n}", t)
        except CsflowError:
            assert desk.snapshot() == before_snap, step
        else:
            if desk.now is not None:
                now = desk.now
        _read_all(desk)
    round_trip(desk)
