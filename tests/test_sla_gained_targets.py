"""A metric that gains a target counts from its natural start.

When a priority change, a policy change or a ticket's first policy gives a metric a target it
did not have, its clock counts from the metric's natural start -- creation for the first
response and the resolution, the oldest unanswered customer message for the next response,
the last agent reply for the periodic update -- under ``KEEP_ELAPSED`` and ``RETROACTIVE``,
leaving out the time the ticket spent in statuses the new policy pauses the metric on, and
from the change under ``RESTART``.  A first response already given is never started again;
a breach the replay reaches is reported at the change, due where it fell (``RETROACTIVE``) or
at the change (``KEEP_ELAPSED``).  See docs/explanation/sla-semantics.md.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csflow import AgentProfile, BusinessCalendar, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.errors import ConfigError
from csflow.events import Event, SlaBreached, SlaMet
from csflow.sla import RecalcMode, SlaPolicy, TicketSla
from csflow.sla.clock import SlaClock
from csflow.sla.states import LIVE_STATES, ClockState

NY = ZoneInfo("America/New_York")
MODES = (RecalcMode.KEEP_ELAPSED, RecalcMode.RETROACTIVE, RecalcMode.RESTART)


def utc(h: float) -> datetime:
    return datetime(2026, 3, 2, 0, tzinfo=UTC) + timedelta(hours=h)


def ny(h: float) -> datetime:
    return datetime(2026, 4, 6, 0, tzinfo=NY) + timedelta(hours=h)


def breaches(events: list[Any]) -> list[tuple[str, datetime, datetime]]:
    return [(e.metric.value, e.at, e.due_at) for e in events if isinstance(e, SlaBreached)]


# -- A: a ticket without an SLA, answered and set pending, then given a policy ---------------


def nosla_desk(mode: RecalcMode) -> tuple[Desk, list[Event]]:
    cfg = DeskConfig.from_dict(
        {
            "calendars": {"24x7": {"timezone": "UTC", "always_open": True}},
            "sla_policies": [
                {
                    "name": "fr1h",
                    "calendar": "24x7",
                    "targets": {"first_response": "PT1H", "resolution": "PT8H"},
                    "pause_on": {"pending": ["resolution"]},
                }
            ],
            "recalculation": mode.value,
        }
    )
    d = Desk(cfg)
    d.add_agent(AgentProfile("a", capacity={"chat": 1}), at=utc(0), presence="available")
    d.submit(Ticket("T1", Customer("c", Tier("gold", 1)), "chat", utc(0)), at=utc(0))
    d.reply("T1", "a", at=utc(0.5))
    d.set_status("T1", "pending", at=utc(1))
    return d, d.set_sla_policy("T1", "fr1h", at=utc(10))


def test_a_policy_given_to_an_answered_pending_ticket_sees_its_past() -> None:
    for mode in MODES:
        d, events = nosla_desk(mode)
        assert breaches(events) == [], mode  # answered at 00:30, within the hour
        clocks = d.clocks("T1")
        res = clocks["resolution"]
        assert res.state == "paused", mode  # pending since 01:00
        if mode is RecalcMode.RESTART:
            # From the change: no first-response clock (the reply was given), resolution
            # started at 10:00 paused, nothing used; open at 12:00 -> due 12:00 + 8h = 20:00.
            assert clocks.get("first_response") is None
            assert res.elapsed == timedelta(0)
            due = utc(20)
        else:
            # From creation: the first response met after 30 min; resolution used 00:00-01:00
            # (open), paused since; open at 12:00 -> due 12:00 + 7h = 19:00.
            fr = clocks["first_response"]
            assert (fr.state, fr.elapsed) == ("met", timedelta(minutes=30)), mode
            assert res.elapsed == timedelta(hours=1), mode
            due = utc(19)
        d.set_status("T1", "open", at=utc(12))
        assert d.clocks("T1")["resolution"].due_at == due, mode


# -- B: a next-response target gained while a customer message waits ------------------------

B_POLICY = SlaPolicy(
    "p",
    BusinessCalendar.always_open("America/New_York"),
    targets={"first_response": timedelta(hours=4), "next_response": {"urgent": timedelta(hours=1)}},
    warnings=(),
)


def test_b_a_gained_next_response_counts_from_the_waiting_message() -> None:
    for mode in MODES:
        s = TicketSla("T", B_POLICY, "normal", ny(8))
        s.agent_reply(ny(9))  # first response met
        s.customer_message(ny(10))  # unanswered; normal has no next-response target
        events = s.change_priority("urgent", ny(11), mode=mode)
        nr = s.clock("next_response")
        assert nr is not None, mode
        if mode is RecalcMode.RESTART:
            # A fresh cycle from 11:00: due 12:00.
            assert (nr.state, nr.started_at, nr.due_at) == (ClockState.RUNNING, ny(11), ny(12))
            assert breaches(events) == []
        else:
            # Counted from the message at 10:00: 1h used at 11:00, so due (and breached) at
            # 11:00, reported at the change; KEEP_ELAPSED's due is the change, RETROACTIVE's
            # where it fell -- both 11:00 here.
            assert (nr.state, nr.started_at, nr.due_at) == (ClockState.BREACHED, ny(10), ny(11))
            assert breaches(events) == [("next_response", ny(11), ny(11))], mode
        # The reply meets it (late when it was breached).
        [met] = s.agent_reply(ny(11.5))
        assert isinstance(met, SlaMet)
        assert met.breached is (mode is not RecalcMode.RESTART), mode


def test_b_a_message_answered_before_the_change_gains_nothing() -> None:
    for mode in MODES:
        s = TicketSla("T", B_POLICY, "normal", ny(8))
        s.agent_reply(ny(9))
        s.customer_message(ny(10))
        s.agent_reply(ny(10.5))
        assert s.change_priority("urgent", ny(11), mode=mode) == []
        assert s.clock("next_response") is None, mode
        # The oldest unanswered message starts the cycle, not a later one.
        s.customer_message(ny(12))
        s.customer_message(ny(12.5))
        s.change_priority("low", ny(12.6), mode=mode)
        s.change_priority("urgent", ny(12.75), mode=mode)
        nr = s.clock("next_response")
        assert nr is not None, mode
        assert nr.state is ClockState.RUNNING, mode
        want = ny(12.75) if mode is RecalcMode.RESTART else ny(12)
        assert nr.started_at == want, mode


# -- C: a first-response (and resolution) target gained before the reply (solve) -----------

C_POLICY = SlaPolicy(
    "p",
    BusinessCalendar.always_open("America/New_York"),
    targets={"first_response": {"urgent": timedelta(hours=1)}},
    warnings=(),
)


def test_c_a_gained_first_response_counts_from_creation() -> None:
    # Created 00:00, nobody replies, made urgent (first response within 1h) at 10:00.
    want = {
        # 10h waited >= 1h: breached at the change, first missed then.
        RecalcMode.KEEP_ELAPSED: ([("first_response", ny(10), ny(10))], ny(0), ny(10)),
        # As if urgent all along: due 01:00, reported at the change.
        RecalcMode.RETROACTIVE: ([("first_response", ny(10), ny(1))], ny(0), ny(1)),
        # Fresh from the change: due 11:00.
        RecalcMode.RESTART: ([], ny(10), ny(11)),
    }
    for mode, (events, started, due) in want.items():
        s = TicketSla("T", C_POLICY, "normal", ny(0))
        got = s.change_priority("urgent", ny(10), mode=mode)
        fr = s.clock("first_response")
        assert fr is not None
        assert (breaches(got), fr.started_at, fr.due_at) == (events, started, due), mode


def test_c_a_gained_resolution_leaves_out_the_paused_spells() -> None:
    policy = SlaPolicy(
        "p",
        BusinessCalendar.always_open("America/New_York"),
        targets={"resolution": {"urgent": timedelta(hours=4)}},
        warnings=(),
        pause_on={"pending": ["resolution"]},
    )
    want = {
        # Used 00:00-02:00 and 06:00-10:00 = 6h >= 4h: breached at the change.
        RecalcMode.KEEP_ELAPSED: ([("resolution", ny(10), ny(10))], ny(10)),
        # Replayed: 2h by 02:00, paused to 06:00, 4h reached at 08:00.
        RecalcMode.RETROACTIVE: ([("resolution", ny(10), ny(8))], ny(8)),
        # Fresh from the change: 10:00 + 4h.
        RecalcMode.RESTART: ([], ny(14)),
    }
    for mode, (events, due) in want.items():
        s = TicketSla("T", policy, "normal", ny(0), status="open")
        s.set_status("pending", ny(2))
        s.set_status("open", ny(6))
        got = s.change_priority("urgent", ny(10), mode=mode)
        res = s.clock("resolution")
        assert res is not None
        assert (breaches(got), res.due_at) == (events, due), mode


def test_c_the_desk_gives_one_answer_with_or_without_a_policy_before() -> None:
    cfg = DeskConfig.from_dict(
        {
            "calendars": {"24x7": {"timezone": "America/New_York", "always_open": True}},
            "sla_policies": [
                {
                    "name": "fr1h",
                    "calendar": "24x7",
                    "targets": {"first_response": "PT1H"},
                    "warnings": [],
                },
                {
                    "name": "res",
                    "calendar": "24x7",
                    "targets": {"resolution": "PT48H"},
                    "warnings": [],
                },
            ],
        }
    )
    answers = []
    for start_policy in (None, "res"):
        d = Desk(cfg)
        d.submit(Ticket("T-1", Customer("c1", Tier("regular", 0)), "email", ny(0)), at=ny(0))
        if start_policy:
            d.set_sla_policy("T-1", start_policy, at=ny(0))
        events = d.set_sla_policy("T-1", "fr1h", at=ny(10))
        fr = d.clocks("T-1")["first_response"]
        answers.append((breaches(events), fr.state, fr.due_at))
    # KEEP_ELAPSED (the default): 10h waited, breached at the change.
    assert answers == [([("first_response", ny(10), ny(10))], "breached", ny(10))] * 2


# -- snapshots ----------------------------------------------------------------------------------


def test_a_no_sla_ticket_keeps_its_facts_across_a_snapshot() -> None:
    def build() -> Desk:
        d, _ = nosla_desk(RecalcMode.KEEP_ELAPSED)
        return d

    # The same history, restored from a snapshot taken at 05:00, before the policy.
    cfg = DeskConfig.from_dict(
        {
            "calendars": {"24x7": {"timezone": "UTC", "always_open": True}},
            "sla_policies": [
                {
                    "name": "fr1h",
                    "calendar": "24x7",
                    "targets": {"first_response": "PT1H", "resolution": "PT8H"},
                    "pause_on": {"pending": ["resolution"]},
                }
            ],
        }
    )
    d = Desk(cfg)
    d.add_agent(AgentProfile("a", capacity={"chat": 1}), at=utc(0), presence="available")
    d.submit(Ticket("T1", Customer("c", Tier("gold", 1)), "chat", utc(0)), at=utc(0))
    d.reply("T1", "a", at=utc(0.5))
    d.set_status("T1", "pending", at=utc(1))
    d.advance(at=utc(5))
    snap = json.loads(json.dumps(d.snapshot()))
    restored = Desk.restore(cfg, snap)
    assert restored.snapshot() == snap
    assert breaches(restored.set_sla_policy("T1", "fr1h", at=utc(10))) == []
    ref = build()
    assert {m: (c.state, c.elapsed) for m, c in restored.clocks("T1").items()} == {
        m: (c.state, c.elapsed) for m, c in ref.clocks("T1").items()
    }
    # An older snapshot, without the facts: the policy starts from creation with the status
    # the ticket is in now, as before (the resolution clock paused with nothing used).
    future = copy.deepcopy(snap)
    future["state"]["tickets"][0]["sla_facts"]["waiting"] = (
        utc(5) - datetime(1970, 1, 1, tzinfo=UTC)
    ) // timedelta(microseconds=1) + 1  # after the snapshot's instant
    with pytest.raises(ConfigError, match=r"sla_facts\.waiting: expected null or an instant"):
        Desk.restore(cfg, future)
    old = copy.deepcopy(snap)
    for rec in old["state"]["tickets"]:
        rec.pop("sla_facts")
    legacy = Desk.restore(cfg, old)
    legacy.set_sla_policy("T1", "fr1h", at=utc(10))
    res = legacy.clocks("T1")["resolution"]
    assert (res.state, res.elapsed) == ("paused", timedelta(0))


def test_ticket_sla_facts_round_trip_and_bad_facts_are_refused() -> None:
    s = TicketSla("T", B_POLICY, "normal", ny(8))
    s.agent_reply(ny(9))
    s.customer_message(ny(10))
    data = json.loads(json.dumps(s.to_dict()))
    assert data["facts"]["first"] is not None
    assert data["facts"]["waiting"] is not None
    back = TicketSla.from_dict(data, {"p": B_POLICY})
    assert back.to_dict() == data
    back.change_priority("urgent", ny(11), mode=RecalcMode.RETROACTIVE)
    nr = back.clock("next_response")
    assert nr is not None
    assert nr.started_at == ny(10)
    # Older data (no facts) falls back to starting a gained metric at the change -- and a
    # next response, whose cycle's start is unknown, not at all.
    older = {k: v for k, v in data.items() if k != "facts"}
    legacy = TicketSla.from_dict(older, {"p": B_POLICY})
    legacy.change_priority("urgent", ny(11), mode=RecalcMode.RETROACTIVE)
    assert legacy.clock("next_response") is None
    for key, value, match in (
        ("spells", [], r"non-empty list"),
        ("spells", [[data["facts"]["spells"][0][0], "solved"]], r"\[instant in µs, status\]"),
        (
            "spells",
            [[data["facts"]["spells"][0][0], "new"], [data["facts"]["spells"][0][0] - 1, "open"]],
            r"in time order",
        ),
        (
            "spells",
            [[data["facts"]["spells"][0][0], "new"], [data["facts"]["spells"][0][0] + 1, "new"]],
            r"other than the one before",
        ),
        ("waiting", data["facts"]["spells"][0][0] - 1, r"null or an instant"),
    ):
        bad = copy.deepcopy(data)
        bad["facts"][key] = value
        with pytest.raises(ConfigError, match=match):
            TicketSla.from_dict(bad, {"p": B_POLICY})


def test_note_status_with_an_instant_keeps_the_spell() -> None:
    policy = SlaPolicy(
        "p",
        BusinessCalendar.always_open("America/New_York"),
        targets={"resolution": {"urgent": timedelta(hours=4)}},
        warnings=(),
        pause_on={"on_hold": ["resolution"]},
    )
    quiet = SlaPolicy("q", policy.calendar, targets={}, warnings=(), pause_on={})
    s = TicketSla("T", quiet, "normal", ny(0), status="open")
    assert s.note_status("on_hold", ny(1)) is True  # nothing pauses under "q"
    assert s.note_status("open", ny(3)) is True
    s.change_policy(policy, ny(4), mode=RecalcMode.RETROACTIVE)
    s.change_priority("urgent", ny(4), mode=RecalcMode.RETROACTIVE)
    res = s.clock("resolution")
    assert res is not None
    assert res.elapsed(ny(4)) == timedelta(hours=2)


# -- the law: P from the start == (another policy, then P at t, RETROACTIVE) -------------------

CAL = BusinessCalendar.always_open("UTC")
PAUSES = (
    {"pending": ["resolution"]},
    {
        "pending": ["resolution", "periodic_update"],
        "on_hold": ["first_response", "next_response", "resolution"],
    },
    {"new": ["first_response"], "pending": ["next_response", "first_response"]},
)
METRIC_NAMES = ("first_response", "next_response", "periodic_update", "resolution")
STATUSES = ("new", "open", "queued", "assigned", "pending", "on_hold", "solved")
targets = st.dictionaries(
    st.sampled_from(METRIC_NAMES), st.integers(1, 8).map(lambda h: timedelta(hours=h))
)
steps = st.lists(
    st.tuples(
        st.integers(0, 6),  # half-hours since the step before
        st.one_of(st.sampled_from(("reply", "message")), st.sampled_from(STATUSES)),
    ),
    max_size=14,
)


def drive(s: TicketSla, start: datetime, history: list[tuple[int, str]]) -> datetime:
    at = start
    for gap, what in history:
        at += timedelta(minutes=30 * gap)
        if what == "reply":
            s.agent_reply(at)
        elif what == "message":
            s.customer_message(at)
        else:
            s.set_status(what, at)
    return at


def live(c: SlaClock | None) -> bool:
    return c is not None and c.state in LIVE_STATES


def due_at_a_pause(ca: SlaClock | None, cb: SlaClock | None, at: datetime) -> bool:
    """Whether the clock reached its target exactly at an instant where the ticket's status
    paused (or resumed) it, in either timeline: paused on time with nothing left, or due at
    a pause's start or end."""
    if ca is not None and ca.state is ClockState.PAUSED and ca.remaining(at) == timedelta(0):
        return True
    edges = {u for c in (ca, cb) if c is not None for pair in c.pause_history for u in pair}
    return any(c is not None and c.due_at in edges for c in (ca, cb))


def roundtrip(s: TicketSla, policies: dict[str, SlaPolicy]) -> TicketSla:
    return TicketSla.from_dict(json.loads(json.dumps(s.to_dict())), policies)


@given(
    st.sampled_from(PAUSES),
    targets,
    targets,
    steps,
    st.integers(0, 14),
    st.integers(0, 6),
    steps,
)
def test_law_p_from_the_start_equals_p_applied_retroactively(
    pause_on: dict[str, list[str]],
    p_targets: dict[str, timedelta],
    q_targets: dict[str, timedelta],
    history: list[tuple[int, str]],
    cut: int,
    gap: int,
    future: list[tuple[int, str]],
) -> None:
    """Where the law is exact: the same ticket (same priority, the same replies, messages
    and status changes), under P from creation, and under Q -- no targets at all, or other
    targets -- with P applied at t under ``RETROACTIVE`` (after a snapshot round trip in the
    middle of the history), when P and Q share their calendar and their ``pause_on`` (the
    recalculation of a clock Q already runs replays the pauses Q recorded).  Then at t and
    after any common future, every metric has a live clock in both or in neither, and live
    clocks agree on their state, due instant, next event and business time used; a first
    response Q had no target for and that the reply finished agrees on its verdict.

    Where it is not exact: a clock that reaches its target exactly at an instant where the
    ticket's status pauses it, or where the first reply comes.  Under P from the start it
    breaches then if another command (a reply, a message) came first at that instant and
    polled it -- and then pauses breached, or is met late -- else it breaches at its resume,
    or is met; the replay knows only the facts, not the order of commands within an
    instant, so it pauses (or meets) first.  A clock the replay leaves paused with nothing
    left is reported breached at the change, as every recalculation does
    (sla-semantics.md).  Such a metric (due at a pause's start or end in either timeline,
    paused on time with nothing left under P, a first response answered exactly at its
    target) is left out.  Clocks of cycles
    that finished before t are history, which the recalculation does not rebuild (except
    the first response)."""
    p = SlaPolicy("p", CAL, targets=p_targets, pause_on=pause_on)
    q = SlaPolicy("q", CAL, targets=q_targets, pause_on=pause_on)
    policies = {"p": p, "q": q}
    t0 = utc(0)
    a = TicketSla("T", p, "normal", t0)
    b = TicketSla("T", q, "normal", t0)
    mid = drive(b, t0, history[:cut])
    drive(a, t0, history[:cut])
    b = roundtrip(b, policies)
    end = drive(b, mid, history[cut:])
    drive(a, mid, history[cut:])
    if b.status == "solved":
        return  # nothing gains a target while solved
    t = end + timedelta(minutes=30 * gap)
    a.advance(t)
    b.change_policy(p, t, mode=RecalcMode.RETROACTIVE)
    left_out = {m for m in METRIC_NAMES if due_at_a_pause(a.clock(m), b.clock(m), t)}

    def agree(at: datetime) -> None:
        for m in METRIC_NAMES:
            if m in left_out:
                continue
            ca, cb = a.clock(m), b.clock(m)
            assert live(ca) == live(cb), m
            if ca is not None and cb is not None and live(ca):
                assert (cb.state, cb.due_at, cb.next_event_at, cb.elapsed(at)) == (
                    ca.state,
                    ca.due_at,
                    ca.next_event_at,
                    ca.elapsed(at),
                ), m
        if "first_response" not in q_targets and a.replied:
            fa, fb = a.clock("first_response"), b.clock("first_response")
            if (
                fa is not None
                and fa.state in (ClockState.MET, ClockState.MET_LATE)
                and fa.remaining(at) != timedelta(0)  # (not answered exactly at the target)
            ):
                assert fb is not None
                assert fb.state is fa.state
                assert fb.elapsed(at) == fa.elapsed(at)

    agree(t)
    b = roundtrip(b, policies)
    later = drive(a, t, future)
    drive(b, t, future)
    agree(later)
