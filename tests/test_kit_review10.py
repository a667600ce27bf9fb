"""The testing kit's review 10: time in DST zones, the ticket's own language, the names a
configuration's rules compare, failure notes that paste, exact business-hour boundaries,
bad arguments, and what a shrunk step is.

* Command programs and the machine keep time in UTC: a start in local time of a DST zone
  gives commands in time order, at instants that exist (``commands``, ``DeskMachine``).
* ``ManualClock.advance`` moves by elapsed time, also across a DST change.
* ``dst_changes`` finds each change to the minute, in UTC, from a local *after* too.
* Tickets are sometimes written in another language than their customer's.
* ``Vocabulary`` reads a bare name as one name, and gathers the tiers and attribute values
  rules compare.
* The machine's notes evaluate to the commands (``Priority.LOW``, not ``<Priority.LOW: 0>``).
* A "boundary" time step lands on the opening or closing instant (or a microsecond by it).
* Bad arguments to the kit raise a ``ConfigError`` naming them.
* A shrunk step is a command drawn from what the desk makes possible, not an arbitrary one.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test

import csflow
import csflow.model
import csflow.testing
from csflow import BusinessCalendar, Desk, DeskConfig, SlaPolicy, TicketQueued
from csflow.errors import ConfigError
from csflow.events import Event
from csflow.model import Metric
from csflow.testing import (
    Command,
    CommandDriver,
    DeskMachine,
    ManualClock,
    Vocabulary,
    assert_assigned,
    assert_breached,
    assert_no_breach,
    assert_queued,
    check_invariants,
    commands,
    customers,
    replay,
    tickets,
)
from csflow.testing.programs import Step
from csflow.testing.vocabulary import dst_changes

NY = ZoneInfo("America/New_York")
T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
_ZONES = ("America/New_York", "Europe/London", "Australia/Lord_Howe", "America/Santiago")
_FIND = settings(database=None, max_examples=2000, suppress_health_check=list(HealthCheck))
_T = TypeVar("_T")


class _Found(Exception):
    """Raised inside a search to stop it at the first example found."""


def _reach(strategy: st.SearchStrategy[_T], condition: Callable[[_T], bool], n: int = 300) -> _T:
    """The first of *n* derandomised examples that meets *condition* (no shrinking: programs
    shrink slowly), failing when none does."""
    found: list[_T] = []

    @settings(
        max_examples=n,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def search(value: _T) -> None:
        if condition(value):
            found.append(value)
            raise _Found

    with pytest.raises(_Found):
        search()
    return found[0]


def _sla_config(zone: str, calendar: BusinessCalendar | None = None) -> DeskConfig:
    cal = calendar if calendar is not None else BusinessCalendar.always_open(zone)
    return DeskConfig(
        sla_policies=[SlaPolicy("std", cal, {Metric.FIRST_RESPONSE: timedelta(hours=1)})],
        default_sla_policy="std",
    )


def _exists(at: datetime) -> bool:
    # A wall time that exists in its zone (with the fold that names its offset) round-trips.
    back = at.astimezone(UTC).astimezone(at.tzinfo)
    return (back.replace(tzinfo=None), back.fold, back.utcoffset()) == (
        at.replace(tzinfo=None),
        at.fold,
        at.utcoffset(),
    )


def _changes(zone: str) -> list[datetime]:
    # The zone's offset changes of 2026 (to the minute, in UTC), by a plain minute scan of
    # the hours around each change.
    z = ZoneInfo(zone)
    out = []
    t = datetime(2026, 1, 1, tzinfo=UTC)
    while t.year == 2026:
        n = t + timedelta(hours=1)
        if n.astimezone(z).utcoffset() != t.astimezone(z).utcoffset():
            m = t
            while m.astimezone(z).utcoffset() == t.astimezone(z).utcoffset():
                m += timedelta(minutes=1)
            out.append(m)
        t = n
    return out


_AROUND = {zone: _changes(zone) for zone in _ZONES}


@st.composite
def _local_starts(draw: st.DrawFn) -> datetime:
    """An instant within three hours of a DST change of a DST zone, in that zone's time."""
    zone = draw(st.sampled_from(_ZONES))
    change = draw(st.sampled_from(_AROUND[zone]))
    minutes = draw(st.integers(-180, 180))
    return (change + timedelta(minutes=minutes)).astimezone(ZoneInfo(zone))


# -- 1. command programs and the machine keep time in UTC ---------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), start=_local_starts())
def test_programs_from_a_local_start_keep_time_order_at_real_instants(
    data: st.DataObject, start: datetime
) -> None:
    assert start.tzinfo is not None
    driver = CommandDriver(_sla_config(str(start.tzinfo)), start=start)
    last = start.astimezone(UTC)
    for _ in range(12):
        for s in driver.step(data.draw):
            at = s.command.at
            assert at.tzinfo is start.tzinfo  # in the start's zone
            assert _exists(at), at
            assert at.astimezone(UTC) >= last, (at, last)
            last = at.astimezone(UTC)
            assert s.error is None or s.refusal, s  # a command drawn as possible is accepted


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(program=commands(_sla_config("America/New_York"), start=datetime(2026, 3, 6, 9, tzinfo=NY)))
def test_commands_before_spring_forward_are_in_time_order(program: list[Command]) -> None:
    instants = [c.at.astimezone(UTC) for c in program]
    assert instants == sorted(instants)
    replay(_sla_config("America/New_York"), program, errors=True)


class _NewYorkFriday(DeskMachine):
    config = _sla_config("America/New_York")
    start = datetime(2026, 3, 6, 9, 0, tzinfo=NY)  # a Friday, two days before spring forward


def test_the_machine_runs_a_plain_desk_from_a_local_start_in_a_dst_zone() -> None:
    run_state_machine_as_test(
        _NewYorkFriday,
        settings=settings(
            max_examples=30,
            stateful_step_count=30,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        ),
    )


# -- 2. ManualClock moves by elapsed time ---------------------------------------------------


@given(
    start=_local_starts(),
    steps=st.lists(st.integers(0, 3 * 3600 * 10**6).map(lambda us: timedelta(microseconds=us))),
)
def test_manual_clock_advances_by_elapsed_time_across_dst(
    start: datetime, steps: list[timedelta]
) -> None:
    clock = ManualClock(start)
    for step in steps:
        before = clock.now
        after = clock.advance(step)
        assert after.astimezone(UTC) - before.astimezone(UTC) == step
        assert after.tzinfo is start.tzinfo
        assert _exists(after)
    assert clock.now.astimezone(UTC) - start.astimezone(UTC) == sum(steps, timedelta(0))


def test_manual_clock_hours_are_real_hours_on_the_dst_days_of_new_york() -> None:
    # Fall back: 01:30 EDT + 1 h is 01:30 EST (the wall clock shows the same time).
    clock = ManualClock(datetime(2026, 11, 1, 1, 30, tzinfo=NY))
    assert clock.advance(hours=1).isoformat() == "2026-11-01T01:30:00-05:00"
    # Spring forward: 01:50 EST + 1 h is 03:50 EDT; 20 minutes later is 04:10 EDT.
    clock = ManualClock(datetime(2026, 3, 8, 1, 50, tzinfo=NY))
    assert clock.advance(hours=1).isoformat() == "2026-03-08T03:50:00-04:00"
    later = clock.advance(minutes=20)
    assert later.isoformat() == "2026-03-08T04:10:00-04:00"
    desk = Desk(DeskConfig())
    desk.advance(at=datetime(2026, 3, 8, 3, 50, tzinfo=NY))
    desk.advance(at=later)  # the clock's next instant is not earlier than its last


# -- 3. dst_changes ----------------------------------------------------------------------------


@pytest.mark.parametrize("zone", _ZONES)
@pytest.mark.parametrize("local", [False, True])
def test_dst_changes_are_the_first_minute_of_each_new_offset_in_utc(zone: str, local: bool) -> None:
    z = ZoneInfo(zone)
    after = datetime(2026, 1, 1, 9, tzinfo=z if local else UTC)
    got = dst_changes(BusinessCalendar.always_open(zone), after, days=360)
    assert got == [c for c in _AROUND[zone] if c > after]
    for t in got:
        assert t.tzinfo is UTC
        assert (t - timedelta(minutes=1)).astimezone(z).utcoffset() != t.astimezone(z).utcoffset()


# -- 4. a ticket's own language -------------------------------------------------------------

_BY_CUSTOMER_LANGUAGE = DeskConfig.from_dict(
    {
        "queues": [{"name": "general"}, {"name": "id"}],
        "triage": [
            # Planted: reads the customer's language, not the ticket's.
            {
                "name": "indonesian",
                "when": {"field": "customer.language", "eq": "id"},
                "then": {"queue": "id"},
            },
            {"name": "rest", "then": {"queue": "general"}},
        ],
    }
)


def _written_in_another_language(ticket: csflow.Ticket) -> bool:
    return ticket.language is not None and ticket.language != ticket.customer.language


def test_tickets_are_sometimes_written_in_another_language_than_the_customers() -> None:
    ticket = find(
        tickets(config=_BY_CUSTOMER_LANGUAGE), _written_in_another_language, settings=_FIND
    )
    assert ticket.language in Vocabulary.of(_BY_CUSTOMER_LANGUAGE).languages
    both = find(
        tickets(),
        lambda t: t.customer.language is not None and _written_in_another_language(t),
        settings=_FIND,
    )
    assert both.language != both.customer.language


def test_programs_submit_tickets_in_another_language_than_the_customers() -> None:
    def in_indonesian(c: Command) -> bool:
        return (
            c.name == "submit"
            and _written_in_another_language(c.args[0])
            and c.args[0].language == "id"
        )

    program = _reach(
        commands(_BY_CUSTOMER_LANGUAGE, refusals=0.0), lambda p: any(map(in_indonesian, p))
    )
    # The planted rule shows: a ticket written in Indonesian that did not go to "id".
    events = replay(_BY_CUSTOMER_LANGUAGE, program)
    ticket = next(c.args[0] for c in program if in_indonesian(c))
    queued = next(e for e in events if isinstance(e, TicketQueued) and e.ticket_id == ticket.id)
    assert queued.queue == "general"


# -- 5. failure notes paste into a replay test -----------------------------------------------


class _FailsOnSecondQueued(DeskMachine):
    config = DeskConfig()
    refusals = 0.0

    def __init__(self) -> None:
        super().__init__()
        self.queued = 0

    def check_event(self, event: Event) -> None:
        if isinstance(event, TicketQueued):
            self.queued += 1
            assert self.queued < 2, "planted"


def _namespace() -> dict[str, Any]:
    ns: dict[str, Any] = {}
    for mod in (csflow, csflow.model, csflow.testing):
        ns.update({k: getattr(mod, k) for k in dir(mod) if not k.startswith("_")})
    ns.update(datetime=dt, zoneinfo=zoneinfo, Decimal=Decimal)
    return ns


def test_the_machines_notes_evaluate_to_the_commands_that_ran() -> None:
    with pytest.raises(AssertionError, match="planted") as caught:
        run_state_machine_as_test(
            _FailsOnSecondQueued,
            settings=settings(
                max_examples=20,
                stateful_step_count=10,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.generate],  # the first failure's notes; shrinking adds nothing here
                suppress_health_check=list(HealthCheck),
            ),
        )
    notes = [n for n in getattr(caught.value, "__notes__", []) if n.startswith("Command(")]
    assert notes
    program = [eval(n.split("  # ")[0], _namespace()) for n in notes]
    assert all(isinstance(c, Command) for c in program)
    submits = [c for c in program if c.name == "submit"]
    assert len(submits) >= 2
    queued = [e for e in replay(DeskConfig(), program) if isinstance(e, TicketQueued)]
    assert len(queued) == 2


def test_a_note_renders_enum_members_and_mappings_as_source() -> None:
    from csflow.testing.machine import _describe

    ticket = csflow.Ticket(
        "t1",
        csflow.Customer("c1", csflow.Tier("gold", 3), "en", "a0"),
        "whatsapp",
        datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NY),
        priority=csflow.Priority.LOW,
        language="id",
        required_skills={"tech": 2},
        attributes={"order_value": 5, "tags": ["a", {"b": None}]},
    )
    cmd = Command("submit", ticket.created_at, (ticket,))
    note = _describe(Step(cmd, ()))
    assert "Priority.LOW" in note
    assert "<" not in note.split("  # ")[0]
    back = eval(note.split("  # ")[0], _namespace())
    assert back == cmd
    assert back.at.fold == 1


# -- 6 and 7. Vocabulary ----------------------------------------------------------------------


def test_a_bare_name_is_one_name() -> None:
    cfg = DeskConfig.from_dict({"languages": ["id", "en"]})
    voc = Vocabulary.of(cfg, languages="en", categories="refund", skills="tech", channels="sms")
    assert voc.languages == ("en", "id")
    assert voc.categories == ("general", "refund")
    assert voc.skills == ("tech",)
    assert "sms" in voc.channels
    assert "s" not in voc.channels


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"languages": 5}, "languages"),
        ({"skills": {"tech": 1}}, "skills"),
        ({"categories": ["refund", 3]}, "categories[1]"),
        ({"channels": b"sms"}, "channels"),
    ],
)
def test_names_that_are_not_names_are_refused(kwargs: dict[str, Any], path: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Vocabulary.of(DeskConfig(), **kwargs)
    assert caught.value.path == path


_LITERALS = DeskConfig.from_dict(
    {
        "queues": [{"name": "general"}, {"name": "vip"}],
        "triage": [
            {"name": "vip", "when": {"field": "tier", "eq": "vip"}, "then": {"queue": "vip"}},
            {
                "name": "big order",
                "when": {"field": "attributes.order_value", "gt": 1000000},
                "then": {"priority": "urgent"},
            },
            {
                "name": "gift",
                "when": {"field": "attributes.wrap", "in": ["gift", "plain"]},
                "then": {"priority": "high"},
            },
            {"name": "rest", "then": {"queue": "general"}},
        ],
    }
)


def test_the_vocabulary_gathers_the_tiers_and_attribute_values_rules_compare() -> None:
    voc = Vocabulary.of(_LITERALS)
    assert "vip" in [t.name for t in voc.tiers]
    assert voc.attributes["order_value"] == (999999, 1000000, 1000001)
    assert voc.attributes["wrap"] == ("gift", "plain")
    # A configuration that declares its tiers draws those alone.
    declared = DeskConfig.from_dict({**_LITERALS.to_dict(), "tiers": [{"name": "gold", "rank": 3}]})
    assert [t.name for t in Vocabulary.of(declared).tiers] == ["gold"]


def test_generated_tickets_reach_the_rules_literals() -> None:
    def reaches(t: csflow.Ticket) -> bool:
        return (
            t.customer.tier.name == "vip"
            and t.attributes.get("order_value") == 1000001
            and t.attributes.get("wrap") == "gift"
        )

    assert find(tickets(config=_LITERALS), reaches, settings=_FIND)
    program = _reach(
        commands(_LITERALS, refusals=0.0),
        lambda p: any(c.name == "submit" and reaches(c.args[0]) for c in p),
    )
    events = replay(_LITERALS, program)
    assert any(isinstance(e, TicketQueued) and e.queue == "vip" for e in events)


# -- 8. boundary steps land on the boundary ------------------------------------------------------

_OFFICE = BusinessCalendar(
    "UTC", {d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")}
)


@pytest.mark.parametrize("offset_us", [0, -1, 1])
def test_a_boundary_step_lands_on_the_closing_instant_or_a_microsecond_by_it(
    offset_us: int,
) -> None:
    closing = datetime(2026, 3, 2, 17, tzinfo=UTC)
    start = datetime(2026, 3, 2, 14, 17, 33, 250_000, tzinfo=UTC)
    target = closing + timedelta(microseconds=offset_us)
    _reach(
        commands(_sla_config("UTC", _OFFICE), start=start, max_size=3),
        lambda p: any(c.at == target for c in p),
    )


def test_a_boundary_step_lands_on_the_opening_instant() -> None:
    opening = datetime(2026, 3, 3, 9, tzinfo=UTC)
    start = datetime(2026, 3, 2, 23, 59, 59, 999_999, tzinfo=UTC)
    _reach(
        commands(_sla_config("UTC", _OFFICE), start=start, max_size=2),
        lambda p: any(c.at == opening for c in p),
    )


# -- 9. bad arguments ------------------------------------------------------------------------

_BAD: dict[str, tuple[Callable[[], object], str]] = {
    "check_invariants(None)": (lambda: check_invariants(None), "desk"),  # type: ignore[arg-type]
    "Vocabulary.of(None)": (lambda: Vocabulary.of(None), "config"),  # type: ignore[arg-type]
    "tickets(config=5)": (lambda: tickets(config=5), "config"),  # type: ignore[arg-type]
    "customers(config='x')": (lambda: customers(config="x"), "config"),  # type: ignore[arg-type]
    "assert_assigned(None)": (lambda: assert_assigned(None, "t"), "events"),  # type: ignore[arg-type]
    "assert_queued(events, 5)": (lambda: assert_queued([], 5), "ticket"),  # type: ignore[arg-type]
    "assert_breached('x')": (
        lambda: assert_breached("x", "t", "resolution"),  # type: ignore[arg-type]
        "events",
    ),
    "assert_no_breach(5)": (lambda: assert_no_breach(5), "events"),  # type: ignore[arg-type]
    "refusals=2": (lambda: CommandDriver(DeskConfig(), refusals=2), "refusals"),
    "refusals=-0.1": (lambda: CommandDriver(DeskConfig(), refusals=-0.1), "refusals"),
    "refusals=True": (lambda: CommandDriver(DeskConfig(), refusals=True), "refusals"),
    "refusals='0.1'": (
        lambda: CommandDriver(DeskConfig(), refusals="0.1"),  # type: ignore[arg-type]
        "refusals",
    ),
}


@pytest.mark.parametrize("case", sorted(_BAD))
def test_bad_arguments_to_the_kit_raise_a_config_error_naming_them(case: str) -> None:
    call, path = _BAD[case]
    with pytest.raises(ConfigError) as caught:
        call()
    assert caught.value.path == path


def test_a_naive_start_is_refused() -> None:
    with pytest.raises(ConfigError, match="start"):
        CommandDriver(DeskConfig(), start=datetime(2026, 3, 2))
    driver = CommandDriver(DeskConfig())
    with pytest.raises(ConfigError, match="now"):
        driver.now = datetime(2026, 3, 3)
    assert driver.now == T0


# -- 10. a shrunk step is well formed ----------------------------------------------------------


@st.composite
def _one_step(draw: st.DrawFn, refusals: float) -> list[Step]:
    driver = CommandDriver(DeskConfig(), start=T0, refusals=refusals)
    return driver.step(draw)


@pytest.mark.parametrize("refusals", [0.1, 0.5, 0.9])
def test_a_shrunk_accepted_submit_is_drawn_from_what_the_desk_makes_possible(
    refusals: float,
) -> None:
    # Shrinking a step that submits a ticket the desk accepts ends at a well-formed submit,
    # not an "arbitrary" one (a desk that refused it would be named as refusing an arbitrary
    # command).
    steps = find(
        _one_step(refusals),
        lambda s: s[-1].kind == "submit" and s[-1].error is None,
        settings=_FIND,
    )
    assert not steps[-1].refusal
    arbitrary = find(_one_step(refusals), lambda s: s[-1].refusal, settings=_FIND)
    assert arbitrary[-1].refusal  # still drawn, for a share of the steps
