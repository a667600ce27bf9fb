"""The testing kit's commands take keyword arguments, its programs draw them, give back
call-backs often enough, and its invariants know solved tickets close by themselves."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.errors import InvalidTransitionError, InvariantError
from csflow.events import Event, TicketClosed, TicketReopened
from csflow.testing import (
    Command,
    CommandDriver,
    Story,
    assert_assigned,
    check_invariants,
    replay,
)

JAKARTA = ZoneInfo("Asia/Jakarta")
NINE = datetime(2026, 3, 9, 9, tzinfo=JAKARTA)
GOLD = Customer("c-1", Tier("gold", 3), "id")

_QUICK = settings(
    max_examples=8,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def two_teams(**changes: Any) -> DeskConfig:
    config = DeskConfig.from_dict(
        {
            "queues": [{"name": "general"}, {"name": "finance"}],
            "routing_profiles": [
                {"name": "front", "queues": ["general"]},
                {"name": "finance", "queues": ["finance"]},
            ],
            "teams": {
                "front": {"queue": "general", "routing_profile": "front"},
                "finance": {"queue": "finance", "routing_profile": "finance"},
            },
            "triage": {
                "mode": "first",
                "rules": [
                    {
                        "name": "refunds",
                        "when": {"field": "category", "eq": "refund"},
                        "then": {"queue": "finance"},
                    },
                    {"name": "everyone else", "then": {"queue": "general"}},
                ],
            },
        }
    )
    return attrs.evolve(config, **changes)


CONFIG = two_teams()
SARI = AgentProfile("sari", languages={"id"}, capacity={"chat": 2}, teams={"front"})


# -- keyword arguments -----------------------------------------------------------------------


def test_a_command_passes_keyword_arguments() -> None:
    # Sari of the front team is lent to finance: a refund waiting there is hers at once.
    script = [
        Command("add_agent", NINE, (SARI,), {"presence": "available"}),
        Command("submit", NINE, (Ticket("T-1", GOLD, "chat", NINE, category="refund"),)),
        Command("update_agent", NINE, (SARI,), {"routing_profile": "finance"}),
    ]
    desk = Desk(CONFIG)
    events: list[Event] = []
    for command in script:
        events += command.apply(desk)
    assert desk.agent("sari").group == "finance"
    assert desk.ticket("T-1").agent_id == "sari"
    assert replay(CONFIG, script) == events
    # Without the keyword, she stays on the front line and the refund waits.
    plain = [*script[:2], Command("update_agent", NINE, (SARI,))]
    desk = Desk(CONFIG)
    for command in plain:
        command.apply(desk)
    assert desk.agent("sari").group == "front"
    assert desk.ticket("T-1").state == "queued"


@pytest.mark.parametrize(
    "kwargs",
    [{"at": NINE}, {"routing_profle": "finance"}, {1: "finance"}, ["routing_profile"]],
)
def test_bad_keyword_arguments_are_refused_changing_nothing(kwargs: Any) -> None:
    desk = Desk(CONFIG)
    Command("add_agent", NINE, (SARI,)).apply(desk)
    before = desk.snapshot()
    with pytest.raises(InvalidTransitionError, match="update_agent"):
        Command("update_agent", NINE, (SARI,), kwargs).apply(desk)
    assert desk.snapshot() == before


def test_commands_with_keyword_arguments_are_values() -> None:
    a = Command("update_agent", NINE, (SARI,), {"routing_profile": "finance"})
    b = Command("update_agent", NINE, (SARI,), {"routing_profile": "finance"})
    assert a == b
    assert hash(a) == hash(b)
    assert a != Command("update_agent", NINE, (SARI,))


def test_a_story_step_passes_keyword_arguments() -> None:
    story = Story(CONFIG, NINE)
    story.agent("09:00", "sari", languages=["id"], teams=["front"], chat=2)
    story.customer_opens("09:01", "T-1", "chat", category="refund", language="id")
    assert story.holder("T-1") is None
    story.do("09:02", "update_agent", SARI, routing_profile="finance")
    assert story.holder("T-1") == "sari"


def test_a_story_agent_joins_under_a_routing_profile() -> None:
    story = Story(CONFIG, NINE)
    story.customer_opens("09:00", "T-1", "chat", category="refund", language="id")
    story.agent("09:01", "sari", languages=["id"], teams=["front"], chat=2)
    assert story.holder("T-1") is None
    events = story.agent(
        "09:02", "dewi", languages=["id"], teams=["front"], routing_profile="finance", chat=2
    )
    assert_assigned(events, "T-1", "dewi")
    assert story.desk.agent("dewi").group == "finance"


def test_programs_draw_routing_profiles_by_keyword_and_the_desk_accepts_them() -> None:
    drawn: dict[str, int] = {"add_agent": 0, "update_agent": 0, "presence": 0}

    @_QUICK
    @given(st.data())
    def run(data: st.DataObject) -> None:
        driver = CommandDriver(CONFIG, start=NINE, refusals=0, check_refusals=True)
        for i in range(30):
            # Now and then an agent's profile changes (a rare kind in a short program).
            kind = "update_agent" if i % 5 == 4 else None
            for step in driver.step(data.draw, kind, refused=False):
                assert step.error is None, f"refused {step.command!r}: {step.error}"
                kwargs = step.command.kwargs
                if "routing_profile" in kwargs:
                    drawn[step.kind] += 1
                    assert (
                        driver.desk.agent(step.command.args[0].id).group
                        == (kwargs["routing_profile"])
                    )
                drawn["presence"] += "presence" in kwargs
        check_invariants(driver.desk)

    run()
    assert all(drawn.values()), drawn


def test_arbitrary_steps_draw_unknown_routing_profiles_refused() -> None:
    refused = 0

    @_QUICK
    @given(st.data())
    def run(data: st.DataObject) -> None:
        nonlocal refused
        driver = CommandDriver(CONFIG, start=NINE, refusals=0.1, check_refusals=True)
        driver.step(data.draw, "add_agent", refused=False)
        for kind in ("update_agent", "add_agent") * 4:
            for step in driver.step(data.draw, kind, refused=True):
                if step.command.kwargs.get("routing_profile") == "nowhere":
                    assert step.error is not None
                    refused += 1

    run()
    assert refused >= 3


# -- solved tickets close by themselves ------------------------------------------------------


class _Lens:
    """A desk as check_invariants sees it, with one answer changed."""

    def __init__(self, desk: Desk, **answers: Any) -> None:
        self._desk = desk
        self._answers = answers

    def __getattr__(self, name: str) -> Any:
        if name in self._answers:
            return self._answers[name]
        return getattr(self._desk, name)


def solved_at_nine_ten(config: DeskConfig) -> Desk:
    desk = Desk(config)
    desk.add_agent(SARI, at=NINE, presence="available")
    desk.submit(Ticket("T-1", GOLD, "chat", NINE), at=NINE)
    desk.resolve("T-1", "sari", at=NINE + timedelta(minutes=10))
    return desk


def test_a_solved_ticket_closes_by_itself_and_the_invariants_hold() -> None:
    desk = solved_at_nine_ten(two_teams(close_solved_after=timedelta(hours=1)))
    check_invariants(desk)
    closed = desk.advance(at=NINE + timedelta(hours=1, minutes=10))
    assert [type(e) for e in closed] == [TicketClosed]
    assert desk.ticket("T-1").state == "closed"
    check_invariants(desk)


def test_the_invariants_catch_a_solved_ticket_kept_past_its_window() -> None:
    # A desk that lost its close timer: solved at 09:10, still solved at 10:15 under a
    # one-hour window (here, a desk without the window, seen under a config with one).
    desk = solved_at_nine_ten(CONFIG)
    desk.advance(at=NINE + timedelta(hours=1, minutes=15))
    lens = _Lens(desk, config=two_teams(close_solved_after=timedelta(hours=1)))
    with pytest.raises(InvariantError, match=r"'T-1' solved at .* is still solved at"):
        check_invariants(lens)  # type: ignore[arg-type]
    # Within the window, nothing to say.
    early = solved_at_nine_ten(CONFIG)
    early.advance(at=NINE + timedelta(hours=1, minutes=9))
    check_invariants(_Lens(early, config=lens.config))  # type: ignore[arg-type]


def test_the_invariants_catch_a_reopened_ticket_closed() -> None:
    desk = solved_at_nine_ten(CONFIG)
    desk.reopen("T-1", at=NINE + timedelta(minutes=20))
    history = desk.history("T-1")
    assert isinstance(history[-1], TicketReopened) or any(
        isinstance(e, TicketReopened) for e in history
    )
    bad = (*history, TicketClosed(NINE + timedelta(minutes=30), "T-1"))
    lens = _Lens(desk, history=lambda tid: bad if tid == "T-1" else desk.history(tid))
    with pytest.raises(InvariantError, match=r"'T-1' closed at .* after it was reopened"):
        check_invariants(lens)  # type: ignore[arg-type]


def test_programs_reach_closes_past_a_resolutions_window() -> None:
    closes = 0

    @_QUICK
    @given(st.data())
    def run(data: st.DataObject) -> None:
        nonlocal closes
        config = two_teams(close_solved_after=timedelta(hours=1))
        driver = CommandDriver(config, start=NINE, refusals=0.1, check_refusals=True)
        for _ in range(30):
            for step in driver.step(data.draw):
                if step.kind != "close":
                    closes += sum(isinstance(e, TicketClosed) for e in step.events)
            check_invariants(driver.desk)

    run()
    assert closes >= 3


# -- call-backs given back -------------------------------------------------------------------


def test_programs_give_back_call_backs_often() -> None:
    # A call-back whose customer did not pick up is given back (requeue) soon: while an
    # agent holds a call-back, about one step in four or more gives one back.
    held = given_back = 0

    @settings(_QUICK, max_examples=20)
    @given(st.data())
    def run(data: st.DataObject) -> None:
        nonlocal held, given_back
        driver = CommandDriver(CONFIG, start=NINE, refusals=0, check_refusals=True)
        desk = driver.desk
        for _ in range(40):
            calls = [
                t
                for t in desk.tickets()
                if desk.ticket(t).callback and desk.ticket(t).state == "assigned"
            ]
            for step in driver.step(data.draw):
                assert step.error is None, f"refused {step.command!r}: {step.error}"
                if calls and step.kind == "requeue" and step.command.args[0] in calls:
                    given_back += 1
            held += bool(calls)

    run()
    assert held >= 20, held
    assert given_back * 6 >= held, (given_back, held)
