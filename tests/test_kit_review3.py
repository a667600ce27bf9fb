"""The testing kit and queues against a third acceptance review: invariant 1 checked both ways,
stories reading names as AgentProfile does, aging keys rebuilt from their own fields, a host
policy's own exception named by the machine, assert_queued on a ticket that left its queue,
strategies that draw what they promise, and bad input refused with the kit's errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, ClassVar, cast
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test

from csflow import AgentProfile, Customer, Desk, DeskConfig, Priority, Ticket, Tier
from csflow.errors import ConfigError, InvalidTransitionError, InvariantError
from csflow.policies import PolicyResult
from csflow.queues import AgingKey, TicketQueue
from csflow.queues.keys import MAX_ALLOWANCE
from csflow.routing import CapacityRules
from csflow.testing import (
    Command,
    CommandDriver,
    DeskMachine,
    ManualClock,
    Story,
    assert_queued,
    calendars,
    check_invariants,
    desk_configs,
)
from csflow.testing.programs import Step

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
FRI = datetime(2026, 3, 6, tzinfo=ZoneInfo("Asia/Jakarta"))
REGULAR = Customer("c", Tier("regular", 1))


# -- 1. check_invariants: every ticket in exactly one place, checked both ways -----------------


class _Altered:
    """A real desk with some public views replaced: what a broken desk would show."""

    def __init__(self, desk: Desk, **views: Callable[..., Any]) -> None:
        self._desk, self._views = desk, views

    def __getattr__(self, name: str) -> Any:
        return self._views[name] if name in self._views else getattr(self._desk, name)


def _altered(desk: Desk, **views: Callable[..., Any]) -> Desk:
    return cast(Desk, _Altered(desk, **views))


def _one_held_one_waiting() -> Desk:
    desk = Desk(DeskConfig())
    desk.add_agent(AgentProfile("budi", capacity={"chat": 1}), at=T0, presence="available")
    desk.submit(Ticket("T1", REGULAR, "chat", T0), at=T0)  # budi takes T1
    desk.submit(Ticket("T2", REGULAR, "chat", T0), at=T0)  # T2 waits
    check_invariants(desk)
    return desk


def test_a_waiting_ticket_also_held_is_flagged() -> None:
    desk = _one_held_one_waiting()
    budi = desk.agent("budi")
    both = attrs.evolve(
        budi,
        held=("T1", "T2"),
        counts={"chat": 2},
        load=2,
        profile=attrs.evolve(budi.profile, capacity={"chat": 2}),
    )
    with pytest.raises(InvariantError, match=r"ticket 'T2' waits in 'default' and is held by"):
        check_invariants(_altered(desk, agent=lambda a: both))


@pytest.mark.parametrize(
    ("owned", "match"),
    [
        (("T2",), r"ticket 'T2' waits in 'default' and is owned by 'budi'"),
        (("T1",), r"ticket 'T1' is held by 'budi' and owned, not held, by 'budi'"),
        (("T9",), r"tickets \['T9'\] are in line, held or owned but unknown"),
    ],
)
def test_a_waiting_held_or_unknown_ticket_listed_as_owned_is_flagged(
    owned: tuple[str, ...], match: str
) -> None:
    desk = _one_held_one_waiting()
    with pytest.raises(InvariantError, match=match):
        check_invariants(_altered(desk, owned=lambda a: owned))


def _pending_with(agents: tuple[str, ...]) -> Desk:
    desk = Desk(DeskConfig())
    for aid in agents:
        desk.add_agent(AgentProfile(aid, capacity={"chat": 1}), at=T0, presence="available")
    desk.submit(Ticket("T1", REGULAR, "chat", T0), at=T0)
    holder = desk.ticket("T1").agent_id
    assert holder is not None
    desk.set_status("T1", "pending", at=T0)
    assert desk.owned(holder) == ("T1",)
    check_invariants(desk)
    return desk


def test_a_pending_ticket_owned_by_two_agents_is_flagged() -> None:
    desk = _pending_with(("ana", "budi"))
    with pytest.raises(InvariantError, match=r"ticket 'T1' owned by 'ana' and 'budi'"):
        check_invariants(_altered(desk, owned=lambda a: ("T1",)))


def test_a_pending_ticket_owned_by_another_agent_is_flagged() -> None:
    desk = _pending_with(("ana", "budi"))
    owner = desk.ticket("T1").agent_id
    other = "budi" if owner == "ana" else "ana"
    with pytest.raises(InvariantError, match=rf"'T1' is pending with owner {owner!r} but owned by"):
        check_invariants(_altered(desk, owned=lambda a: ("T1",) if a == other else ()))


def test_a_solved_ticket_still_owned_is_flagged() -> None:
    desk = _pending_with(("ana",))
    desk.resolve("T1", "ana", at=T0)
    check_invariants(desk)
    with pytest.raises(InvariantError, match=r"ticket 'T1' is solved but owned"):
        check_invariants(_altered(desk, owned=lambda a: ("T1",)))


def test_a_pending_ticket_whose_owner_left_is_owned_by_no_one() -> None:
    desk = _pending_with(("ana",))
    desk.remove_agent("ana", at=T0)
    assert desk.ticket("T1").state == "pending"
    check_invariants(desk)  # no false alarm: owned by no one, and nowhere
    desk.add_agent(AgentProfile("budi", capacity={"chat": 1}), at=T0, presence="available")
    desk.reply("T1", "budi", at=T0)  # the replying agent owns it from then on
    assert desk.owned("budi") == ("T1",)
    check_invariants(desk)


# -- 2. Story.agent reads names as AgentProfile does -------------------------------------------


def test_story_agent_reads_a_bare_string_as_one_name() -> None:
    cfg = DeskConfig.from_dict({"teams": {"front": {"queue": "default"}}})
    story = Story(cfg, FRI)
    story.agent("09:00", "sari", languages="id", teams="front", chat=1)
    profile = story.desk.agent("sari").profile
    assert profile == AgentProfile("sari", languages="id", teams="front", capacity={"chat": 1})
    assert profile.languages == {"id"}
    assert profile.teams == {"front"}
    story.customer_opens("09:01", "T1", "chat", language="id")
    assert story.holder("T1") == "sari"


def test_story_agent_refuses_a_list_of_skills_as_agent_profile_does() -> None:
    with pytest.raises(ConfigError) as direct:
        AgentProfile("x", skills=["billing"], capacity={"chat": 1})  # type: ignore[arg-type]
    story = Story(DeskConfig(), FRI)
    with pytest.raises(ConfigError, match=r"skills must be a mapping") as via_story:
        story.agent("09:00", "budi", skills=["billing"], chat=1)  # type: ignore[arg-type]
    assert str(via_story.value) == str(direct.value).replace("'x'", "'budi'")
    assert list(story.desk.agents()) == []


# -- 3. AgingKey rebuilt from its own fields ---------------------------------------------------

_TIER_NAMES = st.sampled_from(["platinum", "gold", "silver", "regular"])
_PRIOS = st.sampled_from([*Priority, "low", "urgent"])
_SPANS = st.timedeltas(timedelta(0), MAX_ALLOWANCE)


def _distinct_allowance_keys(allowances: dict[Any, timedelta]) -> bool:
    """No key given twice in two spellings ("gold" and ("gold", None)): refused by AgingKey."""

    def norm(key: Any) -> tuple[str, Priority | None]:
        if isinstance(key, str):
            return key, None
        return key[0], None if key[1] is None else Priority.parse(key[1])

    return len({norm(k) for k in allowances}) == len(allowances)


@st.composite
def aging_keys(draw: st.DrawFn) -> AgingKey:
    allowances = draw(
        st.dictionaries(
            st.one_of(
                _TIER_NAMES,
                st.tuples(st.one_of(_TIER_NAMES, st.just("*")), _PRIOS),
                st.tuples(_TIER_NAMES, st.none()),
            ),
            _SPANS,
            max_size=5,
        ).filter(_distinct_allowance_keys)
    )
    kwargs: dict[str, Any] = {}
    if draw(st.booleans()):
        kwargs["default"] = draw(_SPANS)
    if draw(st.booleans()):
        kwargs["bands"] = draw(st.dictionaries(_PRIOS, st.integers(-(2**31), 2**31 - 1)))
    if draw(st.booleans()):
        kwargs["default_band"] = draw(st.integers(-(2**31), 2**31 - 1))
    return AgingKey(allowances, **kwargs)


def _init_fields(key: AgingKey) -> dict[str, Any]:
    return attrs.asdict(key, recurse=False, filter=lambda a, _v: a.init)


@given(aging_keys(), _SPANS)
def test_an_aging_key_is_rebuilt_from_its_own_fields(key: AgingKey, span: timedelta) -> None:
    rebuilt = AgingKey(**_init_fields(key))
    assert rebuilt == key
    assert attrs.evolve(key) == key
    assert AgingKey(key.allowances, key.default, key.bands, key.default_band) == key
    moved = attrs.evolve(key, default=span)
    assert moved.allowances == key.allowances
    assert moved.default == span
    rebanded = attrs.evolve(key, bands={"urgent": 0, "high": 0})
    assert rebanded.allowances == key.allowances
    for tier in ("platinum", "gold", "silver", "regular", "bronze"):
        for prio in Priority:
            assert rebuilt.allowance_us(tier, prio) == key.allowance_us(tier, prio)


def test_a_tier_at_any_priority_may_be_given_as_tier_none() -> None:
    spelled = AgingKey({("gold", None): timedelta(minutes=1)})
    assert spelled == AgingKey({"gold": timedelta(minutes=1)})
    with pytest.raises(ConfigError, match=r"allowance key '\*' alone matches no ticket"):
        AgingKey({("*", None): timedelta(minutes=1)})


def test_only_the_keys_own_form_reads_ints_as_microseconds() -> None:
    key = AgingKey({"gold": timedelta(minutes=1)})
    # A bare int in a mapping a caller wrote has no unit.
    with pytest.raises(ConfigError, match=r"must be a datetime.timedelta, got 60000000"):
        AgingKey(dict(key.allowances))
    # The key's own form is checked again when read back.
    broken = AgingKey({"gold": timedelta(minutes=1)})
    broken.allowances[("gold", None)] = -1  # type: ignore[index]
    with pytest.raises(ConfigError, match=r"must be from 0 to .* µs, got -1"):
        AgingKey(broken.allowances)
    broken.allowances[("gold", None)] = True  # type: ignore[index]
    with pytest.raises(ConfigError, match=r"must be a datetime.timedelta, got True"):
        attrs.evolve(broken, default=timedelta(minutes=2))


# -- 4. DeskMachine names the command when a host policy raises its own exception --------------

_TABLE = {"platinum": Priority.URGENT, "gold": Priority.HIGH, "silver": Priority.NORMAL}


def _table_priority(ctx: Any) -> PolicyResult[Priority]:
    return PolicyResult(_TABLE[ctx.customer.tier.name], "table")  # no 'regular' entry


_NO_REGULAR = attrs.evolve(DeskConfig(), priority_policy=_table_priority)
_FEW = settings(
    max_examples=5,
    stateful_step_count=12,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


class _RaisingPolicy(DeskMachine):
    config = _NO_REGULAR


class _RaisingOnPurpose(DeskMachine):
    config = _NO_REGULAR
    seen: ClassVar[list[Step]] = []

    def check_refused(self, step: Step) -> None:
        assert step.kind == "submit", step
        assert isinstance(step.error, KeyError), step
        _RaisingOnPurpose.seen.append(step)


def test_the_driver_keeps_a_policys_own_exception_in_the_step() -> None:
    driver = CommandDriver(_NO_REGULAR, start=T0, check_refusals=True)
    before = driver.desk.snapshot()
    step = driver.apply(Command("submit", T0, (Ticket("T1", REGULAR, "chat", T0),)))
    assert isinstance(step.error, KeyError)
    assert step.events == ()
    assert driver.desk.snapshot() == before


def test_the_machine_names_the_command_a_policy_raised_on() -> None:
    with pytest.raises(
        InvariantError,
        match=r"the desk refused .*: Command\(name='submit'.* raised KeyError: 'regular'",
    ) as info:
        run_state_machine_as_test(_RaisingPolicy, settings=_FEW)
    assert isinstance(info.value.__cause__, KeyError)
    assert any("refused: KeyError" in n for n in getattr(info.value, "__notes__", []))


def test_a_machine_may_let_a_policys_own_exception_through() -> None:
    _RaisingOnPurpose.seen.clear()
    run_state_machine_as_test(_RaisingOnPurpose, settings=_FEW)
    assert _RaisingOnPurpose.seen


# -- 5. assert_queued fails for a ticket that left its queue -----------------------------------


def test_assert_queued_fails_for_an_abandoned_ticket() -> None:
    desk = Desk(DeskConfig())
    events = desk.submit(Ticket("T1", REGULAR, "chat", T0), at=T0)
    assert_queued(events, "T1")
    events += desk.abandon("T1", at=T0 + timedelta(minutes=3))
    with pytest.raises(AssertionError, match=r"(?s)'T1' was abandoned after it entered a queue"):
        assert_queued(events, "T1")


def test_assert_queued_fails_for_a_solved_or_closed_ticket() -> None:
    desk = Desk(DeskConfig())
    desk.add_agent(AgentProfile("ana", capacity={"chat": 1}), at=T0, presence="available")
    events = desk.submit(Ticket("T1", REGULAR, "chat", T0), at=T0)
    events += desk.resolve("T1", "ana", at=T0)
    events += desk.close("T1", at=T0)
    late = [e for e in events if type(e).__name__ != "TicketAssigned"]  # a list that starts late
    with pytest.raises(AssertionError, match=r"'T1' was closed after it entered a queue"):
        assert_queued(late, "T1")


# -- 6. the strategies draw what they promise ---------------------------------------------------

_SEARCH = settings(max_examples=300, database=None, derandomize=True)


def test_calendars_draw_split_hours() -> None:
    split = find(
        calendars(),
        lambda c: any(len(spans) > 1 for spans in c.to_dict()["weekly"].values()),
        settings=_SEARCH,
    )
    assert split.is_open(split.next_open(T0))


def test_desk_configs_draw_capacity_rules() -> None:
    found = find(desk_configs(), lambda c: c.capacity != CapacityRules(), settings=_SEARCH)
    assert found.capacity != DeskConfig().capacity
    for kind in ("budget", "limits", "weights"):

        def has(c: DeskConfig, kind: str = kind) -> bool:
            return bool(getattr(c.capacity, kind))

        find(desk_configs(), has, settings=_SEARCH)
    find(desk_configs(), lambda c: c.capacity.exclusive != {"phone"}, settings=_SEARCH)


@settings(max_examples=60, deadline=None)
@given(desk_configs())
def test_drawn_capacity_rules_let_every_channel_be_served(config: DeskConfig) -> None:
    rules = config.capacity
    if rules.budget is not None:
        assert all(w <= rules.budget for w in rules.weights.values())
    desk = Desk(config)
    desk.add_agent(AgentProfile("a", capacity={"chat": 1}), at=T0, presence="available")


# -- 7. non-CsflowError errors ------------------------------------------------------------------


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_the_manual_clock_refuses_a_step_that_is_not_a_finite_number(value: float) -> None:
    clock = ManualClock(T0)
    with pytest.raises(InvalidTransitionError, match=r"'seconds' must be a finite number"):
        clock.advance(seconds=value)
    assert clock.now == T0


def test_the_manual_clock_refuses_a_step_past_year_9999_in_utc() -> None:
    start = datetime(9999, 12, 31, 18, tzinfo=timezone(timedelta(hours=-5)))
    clock = ManualClock(start)
    with pytest.raises(InvalidTransitionError, match=r"past the last representable instant"):
        clock.advance(hours=1)  # 19:00 -05:00 is midnight of year 10000 in UTC
    assert clock.now == start


@pytest.mark.parametrize("key", [42, "aging", AgingKey().allowances])
def test_a_queue_refuses_a_key_that_is_not_callable(key: Any) -> None:
    with pytest.raises(ConfigError, match=r"key must be a key policy .*, got"):
        TicketQueue("q", key=key)


# -- 8. Story refuses bad input with ConfigError ------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"colour": "red"}, r"unknown field 'colour'; expected attributes, category"),
        ({"created_at": FRI}, r"unknown field 'created_at' \(the step's time is the ticket's\)"),
        ({"id": "x"}, r"unknown field 'id'"),
    ],
)
def test_customer_opens_refuses_an_unknown_field(fields: dict[str, Any], match: str) -> None:
    story = Story(DeskConfig(), FRI)
    with pytest.raises(ConfigError, match=match):
        story.customer_opens("09:01", "T1", "chat", **fields)
    assert list(story.desk.tickets()) == []
    assert story.events == []


def test_customer_opens_refuses_a_tier_that_is_not_a_name() -> None:
    story = Story(DeskConfig(), FRI)
    with pytest.raises(ConfigError, match=r"tier name must be"):
        story.customer_opens("09:01", "T1", "chat", tier=["gold"])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("day", "clock"),
    [
        (datetime(9999, 12, 1, tzinfo=UTC), "+99d 00:00"),
        (datetime(9999, 12, 31, tzinfo=UTC), "Mon 00:00"),
        (datetime(9999, 12, 31, tzinfo=timezone(timedelta(hours=-5))), "23:00"),
        (datetime(1, 1, 2, tzinfo=timezone(timedelta(hours=7))), "0001-01-01 03:00"),
    ],
)
def test_a_story_step_outside_the_datetime_range_is_refused(day: datetime, clock: str) -> None:
    story = Story(DeskConfig(), day)
    with pytest.raises(ConfigError, match=r"outside the instants a datetime can hold"):
        story.at(clock)


@pytest.mark.parametrize(
    "allowances",
    [
        {"gold": timedelta(minutes=1), ("gold", None): timedelta(minutes=2)},
        {("gold", "low"): timedelta(minutes=1), ("gold", Priority.LOW): timedelta(minutes=2)},
    ],
)
def test_an_allowance_key_given_twice_in_two_spellings_is_refused(
    allowances: dict[Any, timedelta],
) -> None:
    """Which value would win is the mapping's order: refused instead of the last one kept."""
    with pytest.raises(ConfigError, match="again"):
        AgingKey(allowances)
