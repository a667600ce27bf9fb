"""Bad arguments: a clear, typed error that names the value, and nothing changed.

The project standard: naive datetimes, unknown ids, illegal transitions and malformed arguments
each raise a subclass of :class:`~csflow.errors.CsflowError` whose message names the value; the
command that raised changed nothing; every ticket stays in exactly one known place.

Each property builds a small valid state (a desk with agents and a ticket in every state, a
router, an agent pool, a queue, SLA clocks, a calendar), takes one valid call, replaces one of
its arguments with a wrong value drawn from a strategy of wrong types and values, and checks
three things:

(a) the call raises a ``CsflowError`` (never ``TypeError``, ``AttributeError``, a plain
    ``KeyError``, ``AssertionError`` ...), whose message names the value;
(b) a full observable view of the state is the same before and after the call;
(c) valid commands that follow behave exactly as on an untouched twin.

A failure message lists every problem of the minimal failing call, with the source line that
raised when an exception leaked.
"""

from __future__ import annotations

import math
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.calendar import BusinessCalendar
from csflow.desk import LIFECYCLE, Desk, DeskConfig, QueueSpec, TeamSpec, ticket_to_dict
from csflow.errors import (
    CalendarError,
    CsflowError,
    InvalidTransitionError,
)
from csflow.events import Event
from csflow.model import AgentProfile, Customer, Priority, Ticket, Tier
from csflow.queues import AgingKey, QueuedTicket, Signature, TicketQueue
from csflow.routing import (
    AgentPool,
    LongestIdle,
    Relaxation,
    RelaxationStep,
    Router,
    default_batch_score,
)
from csflow.sla import (
    TRANSITIONS,
    ClockAction,
    Metric,
    RecalcMode,
    SlaClock,
    SlaPolicy,
    SlaTarget,
    TicketSla,
)
from csflow.testing import check_invariants

T = TypeVar("T")

WIB = timezone(timedelta(hours=7), "WIB")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
S = timedelta(seconds=1)
M = timedelta(minutes=1)
H = timedelta(hours=1)
US = timedelta(microseconds=1)
GOLD = Tier("gold", 3)
MAX_US = (datetime.max.replace(tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)) // US
MIN_US = (datetime.min.replace(tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)) // US


class NoOffset(tzinfo):
    """A tzinfo whose ``utcoffset`` is ``None``: such a datetime is naive, whatever it looks like."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None

    def __repr__(self) -> str:
        return "NoOffset()"


NO_OFFSET = NoOffset()


# ---------------------------------------------------------------------------------------------
# Calls, checks and reports


@dataclass(frozen=True, repr=False)
class Call:
    """A method call by name, with one argument replaceable (by position or keyword)."""

    method: str
    args: tuple[object, ...] = ()
    kwargs: Mapping[str, object] = field(default_factory=dict)

    def with_value(self, slot: int | str, value: object) -> Call:
        if isinstance(slot, int):
            args = list(self.args)
            args[slot] = value
            return Call(self.method, tuple(args), self.kwargs)
        return Call(self.method, self.args, {**self.kwargs, slot: value})

    def run(self, target: object) -> object:
        return getattr(target, self.method)(*self.args, **self.kwargs)

    def show(self) -> str:
        parts = [_short(a, 80) for a in self.args]
        parts += [f"{k}={_short(v, 80)}" for k, v in self.kwargs.items()]
        return f"{self.method}({', '.join(parts)})"

    def __repr__(self) -> str:
        return self.show()


@dataclass(frozen=True, repr=False)
class Case:
    """One call and the argument a property replaces with wrong values."""

    call: Call
    slot: int | str
    values: st.SearchStrategy[object]
    expected: type[CsflowError] = CsflowError

    @property
    def id(self) -> str:
        return f"{self.call.method}-{self.slot}"

    def __repr__(self) -> str:
        return f"Case({self.call.show()}, slot={self.slot!r})"


def _short(value: object, limit: int = 240) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 20]}...<{len(text)} chars>"


def _site(exc: BaseException) -> str:
    """Where *exc* was raised: the innermost frame inside csflow (else the innermost frame)."""
    frames = traceback.extract_tb(exc.__traceback__)
    inside = [f for f in frames if "/csflow/" in f.filename.replace("\\", "/")]
    frame = (inside or frames)[-1]
    return f"{Path(frame.filename).name}:{frame.lineno} `{frame.line}`"


def _mentions(message: str, value: object) -> bool:
    """Whether an error message names *value*: its repr (a long one may be abbreviated to its
    beginning), its text, or the id it carries."""
    text = repr(value)
    if text in message or (len(text) > 200 and text[:200] in message):
        return True
    if isinstance(value, str) and value and value in message:
        return True
    if isinstance(value, list | tuple | set | frozenset | dict):
        # A container may be named by its offending element, or (empty) as "nothing given".
        if not value:
            return any(mark in message for mark in ("()", "[]", "{}", "none", "nothing"))
        if any(_mentions(message, item) for item in value):
            return True
    for attr in ("id", "ticket_id"):
        ident = getattr(value, attr, None)
        if isinstance(ident, str) and repr(ident) in message:
            return True
    return value is None and "required" in message


def _change(before: object, after: object) -> str:
    if isinstance(before, list) and isinstance(after, list) and after[: len(before)] == before:
        return f"appended {_short(after[len(before) :])}"
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        keys = sorted(
            (k for k in before.keys() | after.keys() if before.get(k) != after.get(k)), key=repr
        )
        return "{" + "; ".join(f"{k!r}: {_change(before.get(k), after.get(k))}" for k in keys) + "}"
    return f"{_short(before)} -> {_short(after)}"


def check_rejected(
    subject: T,
    view: Callable[[T], object],
    call: Call,
    value: object,
    *,
    follow_up: Callable[[T], object],
    expected_follow_up: object,
    expected: type[CsflowError] = CsflowError,
) -> None:
    """Run *call* on *subject* and check (a) the error, (b) no change, (c) a normal future."""
    problems: list[str] = []
    before = view(subject)
    try:
        result = call.run(subject)
    except CsflowError as exc:
        if not isinstance(exc, expected):
            problems.append(f"raised {type(exc).__name__}, expected {expected.__name__}: {exc}")
        if not _mentions(str(exc), value):
            problems.append(
                f"{type(exc).__name__} message does not name the value {_short(value, 80)}: "
                f"{_short(str(exc), 300)}"
            )
    except Exception as exc:
        problems.append(f"leaked {type(exc).__name__}: {exc} -- raised at {_site(exc)}")
    else:
        problems.append(f"accepted the wrong value silently, returned {_short(result)}")
    try:
        after = view(subject)
    except Exception as exc:
        problems.append(f"state unreadable afterwards: {type(exc).__name__}: {exc} at {_site(exc)}")
    else:
        if after != before:
            problems.append(f"state changed: {_change(before, after)}")
    try:
        got = follow_up(subject)
    except Exception as exc:
        problems.append(
            f"a following valid command failed: {type(exc).__name__}: {exc} at {_site(exc)}"
        )
    else:
        if got != expected_follow_up:
            problems.append(
                "following valid commands behaved differently than on an untouched twin: "
                f"{_change(expected_follow_up, got)}"
            )
    if problems:
        pytest.fail(f"{call.show()}:\n  - " + "\n  - ".join(problems))


_REFERENCES: dict[str, object] = {}


def reference(key: str, make: Callable[[], object]) -> object:
    """What *make* returns, computed once (the follow-up of an untouched twin)."""
    if key not in _REFERENCES:
        _REFERENCES[key] = make()
    return _REFERENCES[key]


def expect_ok(subject: object, call: Call) -> object:
    """Run a baseline call that must be valid (the properties rely on it)."""
    try:
        return call.run(subject)
    except Exception as exc:  # pragma: no cover - a broken baseline is a broken test
        pytest.fail(f"baseline {call.show()} raised {type(exc).__name__}: {exc}")


# ---------------------------------------------------------------------------------------------
# Wrong values


def _naive() -> st.SearchStrategy[datetime]:
    return st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30))


def not_aware(*, none: bool = True) -> st.SearchStrategy[object]:
    """Values that are no aware datetime: naive, offset-less, dates, text, numbers, containers."""
    fixed: list[object] = [True, False, b"2026-03-02", (T0,), "", "now", "2026-03-02T09:00:00Z"]
    if none:
        fixed.append(None)
    return st.one_of(
        _naive(),
        _naive().map(lambda d: d.replace(tzinfo=NO_OFFSET)),
        st.dates(),
        st.times(),
        st.timedeltas(),
        st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()),
        st.floats(),
        st.sampled_from(fixed),
        st.just("x" * 5000),
        st.builds(list),
        st.builds(dict),
        st.just([T0]),
    )


def not_datetimes() -> st.SearchStrategy[object]:
    """As :func:`not_aware`, plus integers (where only a datetime is documented)."""
    return st.one_of(not_aware(), st.integers())


def earlier_than(last: datetime) -> st.SearchStrategy[object]:
    """Aware datetimes strictly before *last* (in UTC or a positive offset)."""
    bound = last.astimezone(UTC).replace(tzinfo=None) - US
    return st.datetimes(
        min_value=datetime(1, 1, 2), max_value=bound, timezones=st.sampled_from([UTC, WIB])
    )


def wrong_ids(known: Iterable[str], other_kinds: Sequence[str] = ()) -> st.SearchStrategy[object]:
    """Unknown ids, ids of another kind, and things that are no id at all."""
    known_set = frozenset(known)
    odd: list[object] = [
        "",
        "x" * 5000,
        None,
        0,
        5,
        -1,
        True,
        False,
        1.5,
        math.nan,
        b"t5",
        ("t5",),
        frozenset({"t5"}),
    ]
    return st.one_of(
        st.text(max_size=10).filter(lambda s: s not in known_set),
        st.sampled_from([*other_kinds, *odd]),
        st.builds(list),
        st.builds(dict),
        st.just(["t5"]),
    )


def values(*items: object) -> st.SearchStrategy[object]:
    return st.sampled_from(list(items))


PRESENCE = values("lunch", "", "Available", "available ", None, 0, 1, True, ("available",), [], {})
ROUTING_PROFILE = values("nope", "", "front", 5, True, [], {})


def _cases(
    calls: Sequence[tuple[Call, Mapping[int | str, st.SearchStrategy[object]]]],
    at: st.SearchStrategy[object] | None,
) -> list[Case]:
    out: list[Case] = []
    for call, slots in calls:
        for slot, strategy in slots.items():
            out.append(Case(call, slot, strategy))
        if at is not None and "at" in call.kwargs and "at" not in slots:
            out.append(Case(call, "at", at))
    return out


# ---------------------------------------------------------------------------------------------
# The desk: two teams, three agents, a ticket in every state


DESK_CAL = BusinessCalendar.always_open("Asia/Jakarta")
DESK_CONFIG = DeskConfig(
    tiers=[GOLD],
    sla_policies=[
        SlaPolicy(
            "std",
            DESK_CAL,
            {
                Metric.FIRST_RESPONSE: 5 * M,
                Metric.NEXT_RESPONSE: 10 * M,
                Metric.PERIODIC_UPDATE: 30 * M,
                Metric.RESOLUTION: 2 * H,
            },
        )
    ],
    default_sla_policy="std",
    queues=[QueueSpec("front-q"), QueueSpec("fin-q")],
    teams=[TeamSpec("front", "front-q"), TeamSpec("finance", "fin-q")],
    survey_delay=H,
)
DESK_NOW = T0 + 6 * M
DESK_LATER = DESK_NOW + M
DESK_FOLLOW = DESK_NOW + 10 * M
DESK_STATES = {
    "t1": "on_hold",
    "t2": "solved",
    "t3": "pending",
    "t4": "closed",
    "t5": "assigned",
    "t6": "assigned",
    "t7": "assigned",
    "t8": "abandoned",
    "t9": "queued",
}
DESK_AGENT_OF = {"t1": "a1", "t2": "a2", "t3": "a1", "t4": "a2", "t5": "a1", "t6": "a2", "t7": "a1"}
DESK_TICKETS = tuple(DESK_STATES)
DESK_AGENTS = ("a1", "a2", "a3")


def desk_ticket(tid: str, at: datetime) -> Ticket:
    return Ticket(tid, Customer(f"c-{tid}", GOLD, language="id"), "chat", at)


def desk_agent(aid: str, chats: int) -> AgentProfile:
    return AgentProfile(aid, {}, ["id"], {"chat": chats})


def build_desk() -> Desk:
    """t1 on hold, t2 solved, t3 pending, t4 closed, t5-t7 assigned, t8 abandoned, t9 queued."""
    desk = Desk(DESK_CONFIG)
    desk.add_agent(desk_agent("a1", 2), at=T0, presence="available")
    desk.add_agent(desk_agent("a2", 1), at=T0, presence="available")
    desk.add_agent(desk_agent("a3", 1), at=T0)
    for n in range(1, 7):
        desk.submit(desk_ticket(f"t{n}", T0), at=T0)
    at = T0 + M
    desk.advance(at=at)
    desk.resolve("t2", "a2", at=at)  # a2 takes t4
    at += M
    desk.advance(at=at)
    desk.set_status("t3", "pending", at=at)  # a1 takes t5
    at += M
    desk.advance(at=at)
    desk.resolve("t4", "a2", at=at)  # a2 takes t6
    desk.close("t4", at=at)
    at += M
    desk.advance(at=at)
    desk.submit(desk_ticket("t7", at), at=at)
    desk.submit(desk_ticket("t8", at), at=at)
    desk.abandon("t8", at=at)
    at += M
    desk.advance(at=at)
    desk.set_status("t1", "on_hold", at=at)  # a1 takes t7
    at += M
    desk.advance(at=at)
    desk.submit(desk_ticket("t9", at), at=at)
    return desk


def desk_view(desk: Desk, *, seq: bool = True) -> dict[str, object]:
    """Everything a host can see of the desk (queue keys without the process-wide sequence
    number when *seq* is false, to compare two desks: the state snapshot, which holds those
    numbers, only then)."""
    cut = 3 if seq else 2
    return {
        "now": desk.now,
        "state": desk.snapshot()["state"] if seq else None,
        "tickets": {t: desk.ticket(t) for t in desk.tickets()},
        "history": {t: desk.history(t) for t in desk.tickets()},
        "clocks": {t: desk.clocks(t) for t in desk.tickets()},
        "agents": {a: desk.agent(a) for a in desk.agents()},
        "owned": {a: desk.owned(a) for a in desk.agents()},
        "queues": {
            q: [
                (e.ticket_id, e.key[:cut], e.signature, e.queued_at_us, e.callback)
                for e in desk.queue(q)
            ]
            for q in desk.queue_names()
        },
        "waiting": desk.waiting_count(),
        "wakeup": desk.next_wakeup_us(),
    }


def desk_follow_up(desk: Desk) -> object:
    events: list[Event] = []
    events += desk.advance(at=DESK_FOLLOW)
    events += desk.submit(desk_ticket("t-next", DESK_FOLLOW), at=DESK_FOLLOW)
    events += desk.reply("t5", "a1", at=DESK_FOLLOW)
    events += desk.resolve("t6", "a2", at=DESK_FOLLOW)
    check_invariants(desk)
    return events, desk_view(desk, seq=False)


def desk_reference() -> object:
    return reference("desk", lambda: desk_follow_up(build_desk()))


D_AT = st.one_of(not_datetimes(), earlier_than(DESK_NOW))
D_TICKET_ID = wrong_ids(
    DESK_TICKETS, ["a1", "a2", "a3", "front", "finance", "front-q", "fin-q", "std", "c-t5"]
)
D_AGENT_ID = wrong_ids(DESK_AGENTS, ["t1", "t5", "t9", "front", "finance", "default", "c-t5"])
D_HOLDER_OF_T5 = st.one_of(D_AGENT_ID, values("a2", "a3"))
D_SUBMIT_TICKET = values(
    "t10",
    None,
    5,
    {},
    ticket_to_dict(desk_ticket("t10", DESK_LATER)),
    AgentProfile("t10"),
    Customer("c-t10", GOLD),
    desk_ticket("t1", T0),  # on hold: a duplicate
    desk_ticket("t4", T0),  # closed: a duplicate
    desk_ticket("t10", DESK_LATER + H),  # created an hour after it is submitted
)
D_PROFILE = values(
    "a4", None, {}, {"id": "a4"}, desk_ticket("a4", T0), desk_agent("a1", 1), desk_agent("a3", 2)
)
D_STATUS = values(
    "open", "closed", "solved", "queued", "OPEN", "Pending", "", None, 0, True, [], {}
)
D_PRIORITY = values(
    "critical",
    "",
    "urgent!",
    "ＵＲＧＥＮＴ",
    None,
    -1,
    4,
    99,
    True,
    False,
    1.5,
    math.nan,
    math.inf,
    Priority,
    [],
    {},
)
D_TRANSFER_TARGET = st.one_of(
    st.text(max_size=10).filter(lambda s: s not in {*DESK_AGENTS, "front", "finance"}),
    values("t5", "t9", "fin-q", "a1", "a2", "a3", "Finance", "", None, 5, True, [], {}),
)
D_TEAM = st.one_of(
    st.text(max_size=10).filter(lambda s: s not in {"front", "finance"}),
    values("front", "fin-q", "a1", "t5", "Finance", "", None, 5, True, [], {}),
)
D_QUEUE = st.one_of(
    st.text(max_size=10).filter(lambda s: s not in {"front-q", "fin-q"}),
    values("front", "t5", "", 5, True, [], {}),
)

_LATER = {"at": DESK_LATER}
DESK_CALLS: list[tuple[Call, Mapping[int | str, st.SearchStrategy[object]]]] = [
    (Call("submit", (desk_ticket("t10", DESK_LATER),), _LATER), {0: D_SUBMIT_TICKET}),
    (
        Call("add_agent", (desk_agent("a4", 1),), {**_LATER, "presence": "offline"}),
        {0: D_PROFILE, "presence": PRESENCE, "routing_profile": ROUTING_PROFILE},
    ),
    (Call("set_presence", ("a3", "available"), _LATER), {0: D_AGENT_ID, 1: PRESENCE}),
    (Call("remove_agent", ("a3",), _LATER), {0: D_AGENT_ID}),
    (Call("reply", ("t5", "a1"), _LATER), {0: D_TICKET_ID, 1: D_HOLDER_OF_T5}),
    (Call("customer_message", ("t5",), _LATER), {0: D_TICKET_ID}),
    (Call("set_status", ("t5", "pending"), _LATER), {0: D_TICKET_ID, 1: D_STATUS}),
    (Call("set_priority", ("t5", "high"), _LATER), {0: D_TICKET_ID, 1: D_PRIORITY}),
    (Call("transfer", ("t5", "finance"), _LATER), {0: D_TICKET_ID, 1: D_TRANSFER_TARGET}),
    (Call("escalate", ("t5", "finance"), _LATER), {0: D_TICKET_ID, 1: D_TEAM}),
    (Call("request_callback", ("t9",), _LATER), {0: D_TICKET_ID}),
    (Call("abandon", ("t9",), _LATER), {0: D_TICKET_ID}),
    (Call("resolve", ("t5", "a1"), _LATER), {0: D_TICKET_ID, 1: D_HOLDER_OF_T5}),
    (Call("reopen", ("t2",), _LATER), {0: D_TICKET_ID}),
    (Call("close", ("t2",), _LATER), {0: D_TICKET_ID}),
    (Call("forget", ("t4",), _LATER), {0: D_TICKET_ID}),
    (Call("advance", (), _LATER), {}),
    # Queries take ids too, and must not fail differently.
    (Call("ticket", ("t5",)), {0: D_TICKET_ID}),
    (Call("history", ("t5",)), {0: D_TICKET_ID}),
    (
        Call("clocks", ("t5",), {"at": DESK_LATER}),
        {0: D_TICKET_ID, "at": not_datetimes().filter(lambda v: v is not None)},  # None: now
    ),
    (Call("agent", ("a1",)), {0: D_AGENT_ID}),
    (Call("owned", ("a1",)), {0: D_AGENT_ID}),
    (Call("queue", ("fin-q",)), {0: D_QUEUE}),
]
DESK_CASES = _cases(DESK_CALLS, D_AT)


def test_the_desk_scenario_has_a_ticket_in_every_state() -> None:
    desk = build_desk()
    check_invariants(desk)
    assert {t: desk.ticket(t).state for t in desk.tickets()} == DESK_STATES
    assert {t: desk.ticket(t).agent_id for t in DESK_AGENT_OF} == DESK_AGENT_OF
    assert desk.now == DESK_NOW
    assert desk.agent("a3").presence == "offline"


@pytest.mark.parametrize("call", [c for c, _ in DESK_CALLS], ids=lambda c: c.method)
def test_every_desk_baseline_call_is_valid(call: Call) -> None:
    desk = build_desk()
    expect_ok(desk, call)
    check_invariants(desk)


# Each desk case builds a whole desk per example, and its wrong values come from small sets:
# 50 examples a case under ``ci`` (what keeps make test within its budget), the profile's own
# count under ``soak``.
_DESK_CASE_SETTINGS = settings(max_examples=min(50, settings().max_examples))
if settings().max_examples > 300:
    _DESK_CASE_SETTINGS = settings()


@pytest.mark.parametrize("case", DESK_CASES, ids=lambda c: c.id)
@_DESK_CASE_SETTINGS
@given(data=st.data())
def test_desk_commands_reject_bad_arguments_and_change_nothing(
    case: Case, data: st.DataObject
) -> None:
    value = data.draw(case.values, label=f"wrong {case.slot!r}")
    check_rejected(
        build_desk(),
        desk_view,
        case.call.with_value(case.slot, value),
        value,
        follow_up=desk_follow_up,
        expected_follow_up=desk_reference(),
    )


def _desk_transition_call(command: str, tid: str) -> Call:
    agent = DESK_AGENT_OF.get(tid, "a1")
    name, _, status = command.partition(":")
    args: dict[str, tuple[object, ...]] = {
        "reply": (tid, agent),
        "resolve": (tid, agent),
        "set_status": (tid, status),
        "set_priority": (tid, "urgent"),
        "transfer": (tid, "finance"),
        "escalate": (tid, "finance"),
    }
    return Call(name, args.get(name, (tid,)), _LATER)


DESK_TRANSITIONS = sorted(k for k in LIFECYCLE if k not in ("submit", "assign", "requeue"))


@pytest.mark.parametrize("command", [*DESK_TRANSITIONS, "forget"])
@given(data=st.data())
def test_desk_refuses_illegal_transitions_and_changes_nothing(
    command: str, data: st.DataObject
) -> None:
    allowed = {"closed", "abandoned"} if command == "forget" else set(LIFECYCLE[command])
    illegal = [t for t, s in DESK_STATES.items() if s not in allowed]
    tid = data.draw(st.sampled_from(illegal), label="ticket")
    check_rejected(
        build_desk(),
        desk_view,
        _desk_transition_call(command, tid),
        tid,
        follow_up=desk_follow_up,
        expected_follow_up=desk_reference(),
        expected=InvalidTransitionError,
    )


# Worked examples


def test_desk_naive_at_is_a_calendar_error_naming_the_value() -> None:
    desk = build_desk()
    before = desk_view(desk)
    naive = datetime(2026, 3, 2, 9, 7)
    with pytest.raises(CalendarError, match=r"'at' must be timezone-aware, got datetime\.datetime"):
        desk.reply("t5", "a1", at=naive)
    assert desk_view(desk) == before


def test_desk_at_before_the_last_instant_is_an_invalid_transition() -> None:
    desk = build_desk()
    before = desk_view(desk)
    with pytest.raises(InvalidTransitionError, match=r"not be earlier than the desk's last"):
        desk.advance(at=DESK_NOW - US)
    assert desk_view(desk) == before


@pytest.mark.parametrize(
    ("call", "value"),
    [
        (Call("transfer", ("t5", ["finance"]), _LATER), ["finance"]),
        (Call("escalate", ("t5", ["finance"]), _LATER), ["finance"]),
        (Call("set_presence", ("a1", ["away"]), _LATER), ["away"]),
        (Call("queue", (["fin-q"],)), ["fin-q"]),
    ],
    ids=["transfer", "escalate", "set_presence", "queue"],
)
def test_desk_unhashable_names_are_config_errors(call: Call, value: object) -> None:
    check_rejected(
        build_desk(),
        desk_view,
        call,
        value,
        follow_up=desk_follow_up,
        expected_follow_up=desk_reference(),
    )


def test_desk_refuses_a_ticket_created_after_it_is_submitted() -> None:
    future = desk_ticket("t10", DESK_LATER + H)
    check_rejected(
        build_desk(),
        desk_view,
        Call("submit", (future,), _LATER),
        future,
        follow_up=desk_follow_up,
        expected_follow_up=desk_reference(),
    )


# ---------------------------------------------------------------------------------------------
# The router and its agent pool


R_NOW = T0
R_LATER = T0 + M
R_FOLLOW = T0 + 31 * M
R_AGENTS = ("a1", "a2", "a3")
R_TICKETS = ("t1", "t2", "t3", "t4", "t5", "e1")


def rticket(
    tid: str,
    channel: str = "chat",
    skills: Mapping[str, int] | None = None,
    priority: str = "normal",
) -> Ticket:
    return Ticket(
        tid,
        Customer(f"c-{tid}", GOLD, language="id"),
        channel,
        T0,
        priority=priority,
        required_skills=dict(skills or {}),
    )


def build_router() -> Router:
    """a1 holds t1 and t3, a2 holds t2 (room for one email), a3 is offline; t4 and t5 (needs
    tech 4, relaxed after 30 minutes) wait; e1 (email) waits, queued without routing."""
    router = Router(
        [TicketQueue("main"), TicketQueue("spare")],
        relaxation={"main": Relaxation((RelaxationStep(30 * M, proficiency=1),))},
    )
    router.add_agent(
        AgentProfile("a1", {"tech": 2}, ["id"], {"chat": 2}), at=R_NOW, presence="available"
    )
    router.add_agent(
        AgentProfile("a2", {}, ["id"], {"chat": 1, "email": 1}), at=R_NOW, presence="available"
    )
    router.add_agent(AgentProfile("a3", {}, ["id"], {"chat": 1}), at=R_NOW)
    for tid in ("t1", "t2", "t3", "t4"):
        router.submit(rticket(tid), at=R_NOW)
    router.submit(rticket("t5", skills={"tech": 4}), at=R_NOW)
    router.submit(rticket("e1", "email"), at=R_NOW, route=False)
    return router


_ROUTER_IDS = (*R_TICKETS, "t6", "e2", "e3", "t-next")


def router_view(router: Router, *, seq: bool = True) -> dict[str, object]:
    cut = 3 if seq else 2
    pool = router.pool
    return {
        "waiting": [
            (e.ticket_id, e.key[:cut], e.signature, e.queued_at_us, e.callback)
            for e in router.waiting()
        ],
        "agents": [pool.status(a) for a in pool],
        "holders": {t: pool.holder(t) for t in _ROUTER_IDS},
        "next": router.next_step_us(),
    }


def router_follow_up(router: Router) -> object:
    changes: list[object] = list(router.advance(R_FOLLOW))
    changes.append(router.submit(rticket("t-next"), at=R_FOLLOW))
    changes += router.release("a1", "t1", at=R_FOLLOW)
    changes += router.set_presence("a3", "available", at=R_FOLLOW)
    return changes, router_view(router, seq=False)


def router_reference() -> object:
    return reference("router", lambda: router_follow_up(build_router()))


R_AT = not_aware()
R_OPT_AT = not_aware(none=False)
R_AGENT_ID = wrong_ids(R_AGENTS, ["t1", "t4", "main", "default"])
R_WAITING_ID = st.one_of(wrong_ids(R_TICKETS, ["a1", "main"]), values("t1", "t2"))
R_HELD_BY_A1 = st.one_of(wrong_ids(R_TICKETS, ["a1", "main"]), values("t2", "t4", "e1"))
R_NEW_TICKET = values("t6", None, 5, {}, AgentProfile("t6"), Customer("c-t6", GOLD))
R_QUEUE = st.one_of(
    st.text(max_size=8).filter(lambda s: s not in {"main", "spare"}),
    values("default", "Main", "", 5, True, [], {}),
)
R_STRATEGIES = values(5, "abc", [], (), [None], [[]], [5], [LongestIdle])
R_RULE = values(5, "", True, 1.5, [], {})
R_SIGNATURE = values("chat", 5, True, [], {}, Signature)
R_CHANNEL = values("", "Phone", "x" * 100, None, 5, True, [], {})
R_RELAXATION = values("x", 5, [], {}, RelaxationStep(M, proficiency=1))

_RL = {"at": R_LATER}
ROUTER_CALLS: list[tuple[Call, Mapping[int | str, st.SearchStrategy[object]]]] = [
    (
        Call(
            "add_agent",
            (AgentProfile("a4", {}, ["id"], {"chat": 1}),),
            {**_RL, "presence": "offline", "routing_profile": None},
        ),
        {
            0: values("a4", None, {}, AgentProfile("a1")),
            "presence": PRESENCE,
            "routing_profile": ROUTING_PROFILE,
        },
    ),
    (Call("remove_agent", ("a3",), _RL), {0: R_AGENT_ID}),
    (Call("set_presence", ("a3", "available"), _RL), {0: R_AGENT_ID, 1: PRESENCE}),
    (Call("release", ("a1", "t1"), _RL), {0: R_AGENT_ID, 1: R_HELD_BY_A1}),
    (Call("pull", ("a2",), _RL), {0: R_AGENT_ID}),
    (
        Call(
            "submit",
            (rticket("t6"),),
            {
                **_RL,
                "queue": "spare",
                "due": R_LATER,
                "queued_at": R_NOW,
                "relaxation": None,
                "strategies": None,
                "rule": "r1",
                "last_contact_at": R_NOW,
                "signature": None,
            },
        ),
        {
            0: st.one_of(R_NEW_TICKET, values(rticket("t1"), rticket("t4"))),
            "queue": R_QUEUE,
            "due": R_OPT_AT,
            "queued_at": R_OPT_AT,
            "relaxation": R_RELAXATION,
            "strategies": R_STRATEGIES,
            "rule": R_RULE,
            "last_contact_at": R_OPT_AT,
            "signature": R_SIGNATURE,
        },
    ),
    (Call("remove", ("t4",)), {0: R_WAITING_ID}),
    (Call("where", ("t4",)), {0: R_WAITING_ID}),
    (Call("waiting", ("main",)), {0: R_QUEUE}),
    (
        Call("reprioritize", (rticket("t4", priority="high"),), {"due": R_LATER}),
        {0: values("t4", None, 5, {}, rticket("t1"), rticket("t99")), "due": R_OPT_AT},
    ),
    (
        Call("request_callback", ("t4",), {**_RL, "channel": "phone"}),
        {0: R_WAITING_ID, "channel": R_CHANNEL},
    ),
    (
        Call("assign_to", (rticket("e2", "email"), "a2"), {**_RL, "rule": "r1"}),
        {
            0: st.one_of(R_NEW_TICKET, values(rticket("t1"), rticket("t5", skills={"tech": 4}))),
            1: st.one_of(R_AGENT_ID, values("a1", "a3")),
            "rule": R_RULE,
        },
    ),
    (
        Call(
            "reopen",
            (rticket("e3", "email"), "a2"),
            {**_RL, "queue": "main", "due": R_LATER, "rule": "r1"},
        ),
        {
            0: st.one_of(R_NEW_TICKET, values(rticket("t1"), rticket("t4"))),
            1: values([], {}, 5, True, 1.5),
            "queue": R_QUEUE,
            "due": R_OPT_AT,
            "rule": R_RULE,
        },
    ),
    (Call("advance", (R_LATER,)), {0: R_AT}),
    (
        Call(
            "plan_batch",
            (),
            {
                **_RL,
                "method": "optimal",
                "channel": "email",
                "score": default_batch_score,
                "limit": 5,
            },
        ),
        {
            "method": values("best", "", "GREEDY", None, 5, True, [], {}),
            "channel": R_CHANNEL,
            "score": values(None, 5, "x", []),
            "limit": values(-1, 1.5, "3", True, [], math.nan),
        },
    ),
    (
        Call(
            "assign_batch",
            (),
            {
                **_RL,
                "method": "greedy",
                "channel": "email",
                "score": default_batch_score,
                "limit": 5,
            },
        ),
        {
            "method": values("best", "", "GREEDY", None, 5, True, [], {}),
            "channel": R_CHANNEL,
            "score": values(None, 5, "x", []),
            "limit": values(-1, 1.5, "3", True, [], math.nan),
        },
    ),
]
ROUTER_CASES = _cases(ROUTER_CALLS, R_AT)


def test_the_router_scenario() -> None:
    router = build_router()
    pool = router.pool
    assert pool.status("a1").held == ("t1", "t3")
    assert pool.status("a2").held == ("t2",)
    assert [e.ticket_id for e in router.waiting()] == ["t4", "t5", "e1"]
    assert router.next_step_us() is not None
    assert router.plan_batch(at=R_LATER, channel="email").pairs == (("e1", "a2"),)


@pytest.mark.parametrize("call", [c for c, _ in ROUTER_CALLS], ids=lambda c: c.method)
def test_every_router_baseline_call_is_valid(call: Call) -> None:
    expect_ok(build_router(), call)


@pytest.mark.parametrize("case", ROUTER_CASES, ids=lambda c: c.id)
@given(data=st.data())
def test_router_commands_reject_bad_arguments_and_change_nothing(
    case: Case, data: st.DataObject
) -> None:
    value = data.draw(case.values, label=f"wrong {case.slot!r}")
    check_rejected(
        build_router(),
        router_view,
        case.call.with_value(case.slot, value),
        value,
        follow_up=router_follow_up,
        expected_follow_up=router_reference(),
    )


def test_router_submit_names_the_bad_step_of_a_relaxation_plan() -> None:
    router = build_router()
    before = router_view(router)
    plan = Relaxation((RelaxationStep(M, overflow_to="nowhere"),))
    with pytest.raises(CsflowError, match=r"overflow_to: unknown queue 'nowhere'"):
        router.submit(rticket("t6"), at=R_LATER, relaxation=plan)
    assert router_view(router) == before


def test_router_reopen_to_the_last_agent_ignores_a_naive_due() -> None:
    router = build_router()
    naive = datetime(2026, 3, 2, 10, 0)
    check_rejected(
        router,
        router_view,
        Call("reopen", (rticket("e3", "email"), "a2"), {**_RL, "due": naive}),
        naive,
        follow_up=router_follow_up,
        expected_follow_up=router_reference(),
    )


def test_router_submit_with_a_strategy_class_instead_of_an_instance() -> None:
    """``LongestIdle`` (the class) passes the protocol check; a2 is free for email, so the
    chain is used at once."""
    check_rejected(
        build_router(),
        router_view,
        Call("submit", (rticket("e9", "email"),), {**_RL, "strategies": [LongestIdle]}),
        [LongestIdle],
        follow_up=router_follow_up,
        expected_follow_up=router_reference(),
    )


def test_router_reprioritize_with_a_ticket_id_instead_of_a_ticket() -> None:
    check_rejected(
        build_router(),
        router_view,
        Call("reprioritize", ("t4",)),
        "t4",
        follow_up=router_follow_up,
        expected_follow_up=router_reference(),
    )


# -- the agent pool on its own -----------------------------------------------------------------


P_LATER = T0 + M
P_FOLLOW = T0 + 10 * M
P_AGENTS = ("a1", "a2", "a3")


def build_pool() -> AgentPool:
    """a1 (chat 2) holds c1, a2 (chat 1, phone 1) holds c2, a3 is offline."""
    pool = AgentPool()
    pool.add(AgentProfile("a1", {"tech": 2}, ["id"], {"chat": 2}), at=T0, presence="available")
    pool.add(AgentProfile("a2", {}, ["id"], {"chat": 1, "phone": 1}), at=T0, presence="available")
    pool.add(AgentProfile("a3", {}, ["id"], {"chat": 1}), at=T0)
    pool.assign("a1", "c1", "chat", at=T0)
    pool.assign("a2", "c2", "chat", at=T0)
    return pool


def pool_view(pool: AgentPool) -> dict[str, object]:
    return {
        "agents": [pool.status(a) for a in pool],
        "holders": {t: pool.holder(t) for t in ("c1", "c2", "c9", "c-next")},
        "candidates": pool.candidates(Signature("chat")),
        "spare": pool.with_spare("chat"),
    }


def pool_follow_up(pool: AgentPool) -> object:
    pool.release("a1", "c1", at=P_FOLLOW)
    pool.set_presence("a3", "available", at=P_FOLLOW)
    pool.assign("a3", "c-next", "chat", at=P_FOLLOW)
    return pool_view(pool)


def pool_reference() -> object:
    return reference("pool", lambda: pool_follow_up(build_pool()))


P_AGENT_ID = wrong_ids(P_AGENTS, ["c1", "c2", "default"])
P_SIGNATURE = values("chat", 5, None, True, [], {}, ("chat",), Signature)
P_GROUPS = values(5, True, "default", [[]], [None], [5])
P_STRATEGIES = values(5, [], (), "abc", [None], [[]], [LongestIdle])
P_CHANNEL = values("", "Chat", "x" * 100, None, 5, True, [], {})
_PL = {"at": P_LATER}
POOL_CALLS: list[tuple[Call, Mapping[int | str, st.SearchStrategy[object]]]] = [
    (
        Call(
            "add",
            (AgentProfile("a4", {}, ["id"], {"chat": 1}),),
            {**_PL, "presence": "offline", "group": "default"},
        ),
        {
            0: values("a4", None, {}, AgentProfile("a1")),
            "presence": PRESENCE,
            "group": values("", None, 5, True, [], {}),
        },
    ),
    (
        Call("update", (AgentProfile("a1", {"tech": 3}, ["id"], {"chat": 2}),), _PL),
        {
            0: values(
                "a1",
                None,
                {},
                AgentProfile("a9", capacity={"chat": 1}),
                AgentProfile("a1", capacity={"email": 1}),
            )
        },
    ),
    (Call("remove", ("a3",), _PL), {0: P_AGENT_ID}),
    (Call("set_presence", ("a3", "available"), _PL), {0: P_AGENT_ID, 1: PRESENCE}),
    (
        Call("assign", ("a1", "c9", "chat"), _PL),
        {
            0: P_AGENT_ID,
            1: values("c1", "c2", "", None, 5, True, 1.5, b"c9", [], {}),
            2: P_CHANNEL,
        },
    ),
    (
        Call("release", ("a1", "c1"), _PL),
        {0: P_AGENT_ID, 1: st.one_of(wrong_ids(("c1", "c2"), ["a1"]), values("c2"))},
    ),
    (Call("status", ("a1",)), {0: P_AGENT_ID}),
    (Call("can_take", ("a1", "chat")), {0: P_AGENT_ID, 1: P_CHANNEL}),
    (Call("spare", ("a1", "chat")), {0: P_AGENT_ID, 1: P_CHANNEL}),
    (Call("is_eligible", ("a1", Signature("chat"))), {0: P_AGENT_ID, 1: P_SIGNATURE}),
    (
        Call("candidates", (Signature("chat"),), {"groups": ["default"]}),
        {0: P_SIGNATURE, "groups": P_GROUPS},
    ),
    (
        Call("count_candidates", (Signature("chat"),), {"groups": ["default"]}),
        {0: P_SIGNATURE, "groups": P_GROUPS},
    ),
    (
        Call("best", (Signature("chat"), [LongestIdle()]), {"groups": ["default"]}),
        {0: P_SIGNATURE, 1: P_STRATEGIES, "groups": P_GROUPS},
    ),
    (Call("with_spare", ("chat",)), {0: P_CHANNEL}),
]
POOL_CASES = _cases(POOL_CALLS, R_AT)


@pytest.mark.parametrize("call", [c for c, _ in POOL_CALLS], ids=lambda c: c.method)
def test_every_pool_baseline_call_is_valid(call: Call) -> None:
    expect_ok(build_pool(), call)


@pytest.mark.parametrize("case", POOL_CASES, ids=lambda c: c.id)
@given(data=st.data())
def test_agent_pool_rejects_bad_arguments_and_changes_nothing(
    case: Case, data: st.DataObject
) -> None:
    value = data.draw(case.values, label=f"wrong {case.slot!r}")
    check_rejected(
        build_pool(),
        pool_view,
        case.call.with_value(case.slot, value),
        value,
        follow_up=pool_follow_up,
        expected_follow_up=pool_reference(),
    )


# ---------------------------------------------------------------------------------------------
# TicketQueue


Q_LATER = T0 + M
Q_FOLLOW = T0 + 10 * M
Q_TICKETS = ("q1", "q2", "q3", "q4")


def qticket(
    tid: str,
    channel: str = "chat",
    skills: Mapping[str, int] | None = None,
    priority: str = "normal",
) -> Ticket:
    return Ticket(
        tid,
        Customer(f"c-{tid}", GOLD, language="id"),
        channel,
        T0,
        priority=priority,
        required_skills=dict(skills or {}),
    )


def build_queue() -> TicketQueue:
    """Four tickets on two channels, one with a skill, and a five-minute delay view."""
    q = TicketQueue("main", AgingKey({"gold": M}))
    q.push(qticket("q1"), at=T0)
    q.push(qticket("q2"), at=T0 + 10 * S)
    q.push(qticket("q3", "phone"), at=T0 + 20 * S)
    q.push(qticket("q4", skills={"tech": 2}), at=T0 + 30 * S)
    q.watch(5 * M)
    return q


def queue_view(q: TicketQueue, *, seq: bool = True) -> dict[str, object]:
    cut = 3 if seq else 2
    return {
        "entries": [
            (e.ticket_id, e.key[:cut], e.signature, e.queued_at_us, e.callback, e.ticket) for e in q
        ],
        "len": len(q),
        "signatures": sorted(map(str, q.signatures())),
        "next_visible": q.next_visible_at(),
    }


def queue_follow_up(q: TicketQueue) -> object:
    shown = [(d, e.ticket_id) for d, e in q.refresh(Q_FOLLOW)]
    q.push(qticket("q-next"), at=Q_FOLLOW)
    popped = []
    while (e := q.pop()) is not None:
        popped.append((e.ticket_id, e.key[:2], e.callback))
    return shown, popped, queue_view(q, seq=False)


def queue_reference() -> object:
    return reference("queue", lambda: queue_follow_up(build_queue()))


OTHER_ENTRY: QueuedTicket = TicketQueue("other").push(qticket("q9"), at=Q_LATER)
DUPLICATE_ENTRY: QueuedTicket = TicketQueue("other").push(qticket("q1"), at=T0)
Q_AT = not_aware()
Q_OPT_AT = not_aware(none=False)
Q_ID = wrong_ids(Q_TICKETS, ["main", "c-q1"])
Q_SIG_OR_NONE = values("chat", 5, True, [], {}, Signature)
Q_SIGS = values(
    5, True, "chat", ["chat"], [None], [[]], [{}], Signature("chat"), [Signature("chat"), "x"]
)
Q_WAITED = values(-1, 1.5, math.nan, math.inf, "PT1H", None, -S, True, [], {})
Q_BAND = values(True, False, 1.5, math.nan, "1", None, Priority.HIGH, [], {})
Q_CALLBACK = values("yes", "no", None, 1, 0, [], {})
Q_CHANNEL = values("", "Phone", None, 5, True, [], {})
Q_LIMIT = values(-1, True, 1.5, None, "3", math.nan, [])
_VIEW = {"waited": 2 * M, "at": Q_LATER}  # a new delay view: due before the 5-minute one
QUEUE_CALLS: list[tuple[Call, Mapping[int | str, st.SearchStrategy[object]]]] = [
    (
        Call(
            "push",
            (qticket("q9"),),
            {"at": Q_LATER, "due": None, "signature": None, "callback": False},
        ),
        {
            0: values("q9", None, 5, {}, qticket("q1"), AgentProfile("q9")),
            "due": Q_OPT_AT,
            "signature": Q_SIG_OR_NONE,
            "callback": Q_CALLBACK,
        },
    ),
    (
        Call(
            "push_key",
            ("q9",),
            {
                "band": 1,
                "due": Q_LATER,
                "at": Q_LATER,
                "signature": Signature("chat"),
                "callback": False,
                "ticket": None,
            },
        ),
        {
            0: values("q1", "", None, 5, True, [], {}),
            "band": Q_BAND,
            "due": Q_AT,
            "signature": values(None, "chat", 5, [], {}),
            "callback": Q_CALLBACK,
            "ticket": values("q9", 5, {}, AgentProfile("q9"), qticket("q1")),
        },
    ),
    (Call("insert", (OTHER_ENTRY,)), {0: values("x", None, 5, {}, DUPLICATE_ENTRY)}),
    (Call("remove", ("q1",)), {0: Q_ID}),
    (Call("get", ("q1",)), {0: Q_ID}),
    (Call("position", ("q1",)), {0: Q_ID}),
    (
        Call("reprioritize", (qticket("q1", priority="urgent"),), {"due": Q_LATER}),
        {0: values("q1", None, 5, {}, qticket("q99")), "due": Q_OPT_AT},
    ),
    (
        Call("rekey", ("q1",), {"band": 0, "due": Q_LATER}),
        {0: Q_ID, "band": Q_BAND, "due": Q_AT},
    ),
    (
        Call("move", ("q1", Signature("chat", "id"))),
        {0: Q_ID, 1: values(None, "chat", 5, [], {})},
    ),
    (
        Call("request_callback", ("q1",), {"channel": "phone"}),
        {0: Q_ID, "channel": Q_CHANNEL},
    ),
    (Call("refresh", (Q_LATER,)), {0: Q_AT}),
    (Call("watch", (2 * M,)), {0: values(-1, 1.5, math.nan, "PT1M", None, True, -S, [])}),
    (
        Call("peek", ([Signature("chat")],), _VIEW),
        {0: Q_SIGS, "waited": Q_WAITED, "at": Q_AT},
    ),
    (
        Call("pop", ([Signature("chat")],), _VIEW),
        {0: Q_SIGS, "waited": Q_WAITED, "at": Q_AT},
    ),
    (
        Call("heads", ([Signature("chat")], 3), _VIEW),
        {0: Q_SIGS, 1: Q_LIMIT, "waited": Q_WAITED, "at": Q_AT},
    ),
    (Call("group_size", (Signature("chat"),)), {0: values([], {}, "chat", 5, None)}),
]
QUEUE_CASES = _cases(QUEUE_CALLS, Q_AT)


@pytest.mark.parametrize("call", [c for c, _ in QUEUE_CALLS], ids=lambda c: c.method)
def test_every_queue_baseline_call_is_valid(call: Call) -> None:
    expect_ok(build_queue(), call)


@pytest.mark.parametrize("case", QUEUE_CASES, ids=lambda c: c.id)
@given(data=st.data())
def test_ticket_queue_rejects_bad_arguments_and_changes_nothing(
    case: Case, data: st.DataObject
) -> None:
    value = data.draw(case.values, label=f"wrong {case.slot!r}")
    check_rejected(
        build_queue(),
        queue_view,
        case.call.with_value(case.slot, value),
        value,
        follow_up=queue_follow_up,
        expected_follow_up=queue_reference(),
    )


def test_queue_pop_with_a_bad_signature_list_after_a_delay_view_was_made() -> None:
    """``pop(5, waited=..., at=...)`` builds the delay view before it looks at *signatures*."""
    check_rejected(
        build_queue(),
        queue_view,
        Call("pop", (5,), _VIEW),
        5,
        follow_up=queue_follow_up,
        expected_follow_up=queue_reference(),
    )


# ---------------------------------------------------------------------------------------------
# Instants as integers outside the range of datetimes (router, pool and queue take ints)


OUT_OF_RANGE = st.one_of(
    st.integers(min_value=MAX_US + 1, max_value=MAX_US * 10**6),
    st.integers(min_value=MIN_US * 10**6, max_value=MIN_US - 1),
)
OUT_OF_RANGE_CASES: list[tuple[str, Case]] = [
    ("queue", Case(QUEUE_CALLS[0][0], "at", OUT_OF_RANGE)),
    ("queue", Case(QUEUE_CALLS[0][0], "due", OUT_OF_RANGE)),
    ("queue", Case(QUEUE_CALLS[1][0], "due", OUT_OF_RANGE)),
    ("pool", Case(POOL_CALLS[0][0], "at", OUT_OF_RANGE)),
    ("pool", Case(POOL_CALLS[5][0], "at", OUT_OF_RANGE)),
    ("router", Case(ROUTER_CALLS[5][0], "at", OUT_OF_RANGE)),
    ("router", Case(ROUTER_CALLS[3][0], "at", OUT_OF_RANGE)),
]


@pytest.mark.parametrize(
    ("kind", "case"), OUT_OF_RANGE_CASES, ids=[f"{k}-{c.id}" for k, c in OUT_OF_RANGE_CASES]
)
@given(data=st.data())
def test_integer_instants_outside_the_datetime_range_are_refused(
    kind: str, case: Case, data: st.DataObject
) -> None:
    value = data.draw(case.values, label="microseconds")
    call = case.call.with_value(case.slot, value)
    if kind == "queue":
        check_rejected(
            build_queue(),
            queue_view,
            call,
            value,
            follow_up=queue_follow_up,
            expected_follow_up=queue_reference(),
        )
    elif kind == "pool":
        check_rejected(
            build_pool(),
            pool_view,
            call,
            value,
            follow_up=pool_follow_up,
            expected_follow_up=pool_reference(),
        )
    else:
        check_rejected(
            build_router(),
            router_view,
            call,
            value,
            follow_up=router_follow_up,
            expected_follow_up=router_reference(),
        )


# ---------------------------------------------------------------------------------------------
# SLA: TicketSla and SlaClock on an office calendar


OFFICE = BusinessCalendar(
    "Asia/Jakarta",
    weekly={
        d: [("08:00", "12:00"), ("13:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")
    },
    holidays={date(2026, 3, 19): "Nyepi"},
)
SLA_POLICY = SlaPolicy(
    "std",
    OFFICE,
    {
        Metric.FIRST_RESPONSE: H,
        Metric.NEXT_RESPONSE: 2 * H,
        Metric.PERIODIC_UPDATE: 4 * H,
        Metric.RESOLUTION: {Priority.NORMAL: 8 * H, Priority.HIGH: 4 * H},
    },
)
OTHER_POLICY = SlaPolicy(
    "vip",
    BusinessCalendar.always_open("Asia/Jakarta"),
    {Metric.FIRST_RESPONSE: 30 * M, Metric.RESOLUTION: 2 * H},
)
SLA_T0 = datetime(2026, 3, 2, 9, 0, tzinfo=WIB)  # Monday, open
SLA_LAST = {
    "new": SLA_T0,
    "replied": SLA_T0 + 40 * M,
    "pending": SLA_T0 + 50 * M,
    "solved": SLA_T0 + 60 * M,
    "closed": SLA_T0 + 70 * M,
}
SLA_LATER = SLA_T0 + 3 * H
SLA_FOLLOW = SLA_T0 + timedelta(days=1)
OPEN_SLA_STATES = ("new", "replied", "pending", "solved")


def build_sla(state: str) -> TicketSla:
    s = TicketSla("s1", SLA_POLICY, "normal", SLA_T0)
    if state != "new":
        s.agent_reply(SLA_T0 + 30 * M)
        s.customer_message(SLA_T0 + 40 * M)
    if state in ("pending", "solved", "closed"):
        s.set_status("pending", SLA_T0 + 50 * M)
    if state in ("solved", "closed"):
        s.set_status("solved", SLA_T0 + 60 * M)
    if state == "closed":
        s.set_status("closed", SLA_T0 + 70 * M)
    return s


def sla_view(s: TicketSla) -> dict[str, object]:
    return {"state": s.to_dict(), "next": s.next_deadline_us(), "repr": repr(s)}


def sla_follow_up(s: TicketSla) -> object:
    events: list[object] = list(s.advance(SLA_FOLLOW))
    if s.status not in ("closed", "abandoned"):
        events += s.agent_reply(SLA_FOLLOW)
        events += s.set_status("solved", SLA_FOLLOW + H)
    return events, sla_view(s)


def sla_reference(state: str) -> object:
    return reference(f"sla-{state}", lambda: sla_follow_up(build_sla(state)))


SLA_POLICIES = values("std", 5, {}, SLA_POLICY.target("first_response", "normal"), OFFICE)
SLA_PRIORITIES = values("critical", "", 9, -1, True, 1.5, math.nan, [], {})
SLA_MODES = values("", "keep", "RESTART!", None, 5, True, [], {}, RecalcMode)
SLA_STATUSES = values("", "OPEN", "resolved", "Solved", None, 1, True, [], {})
SLA_CALLS: list[tuple[Call, Mapping[int | str, st.SearchStrategy[object]]]] = [
    (Call("agent_reply", (SLA_LATER,)), {}),
    (Call("customer_message", (SLA_LATER,)), {}),
    (Call("set_status", ("pending", SLA_LATER)), {0: SLA_STATUSES}),
    (
        Call(
            "recalculate",
            (SLA_LATER,),
            {"policy": OTHER_POLICY, "priority": "high", "mode": "restart"},
        ),
        {"policy": SLA_POLICIES, "priority": SLA_PRIORITIES, "mode": SLA_MODES},
    ),
    (
        Call("change_priority", ("high", SLA_LATER), {"mode": "keep_elapsed"}),
        {0: st.one_of(SLA_PRIORITIES, st.none()), "mode": SLA_MODES},
    ),
    (
        Call("change_policy", (OTHER_POLICY, SLA_LATER), {"mode": "retroactive"}),
        {0: st.one_of(SLA_POLICIES, st.none()), "mode": SLA_MODES},
    ),
    (Call("advance", (SLA_LATER,)), {}),
    (Call("clock", ("resolution",)), {0: values("", "sla", "FIRST RESPONSE", None, 1, True, [])}),
]
# Where ``at`` sits in each call (positional), for the at-slot cases.
_SLA_AT_SLOT = {"agent_reply": 0, "customer_message": 0, "set_status": 1, "recalculate": 0}
_SLA_AT_SLOT |= {"change_priority": 1, "change_policy": 1, "advance": 0}
SLA_CASES: list[tuple[Call, int | str, st.SearchStrategy[object] | None]] = [
    *[(call, slot, vals) for call, slots in SLA_CALLS for slot, vals in slots.items()],
    *[
        (call, _SLA_AT_SLOT[call.method], None)
        for call, _ in SLA_CALLS
        if call.method in _SLA_AT_SLOT
    ],
]


def _sla_at_values(state: str) -> st.SearchStrategy[object]:
    return st.one_of(not_datetimes(), earlier_than(SLA_LAST[state]))


def test_the_sla_scenarios() -> None:
    assert build_sla("new").replied is False
    assert build_sla("replied").clock("next_response") is not None
    assert build_sla("pending").status == "pending"
    assert build_sla("solved").status == "solved"
    assert build_sla("closed").status == "closed"
    for state in SLA_LAST:
        s = build_sla(state)
        assert s.advance(SLA_LAST[state]) == []  # time never went past the last instant


@pytest.mark.parametrize("state", OPEN_SLA_STATES)
@pytest.mark.parametrize("call", [c for c, _ in SLA_CALLS], ids=lambda c: c.method)
def test_every_sla_baseline_call_is_valid(call: Call, state: str) -> None:
    expect_ok(build_sla(state), call)


@pytest.mark.parametrize(
    ("call", "slot", "vals"),
    SLA_CASES,
    ids=[f"{c.method}-{'at' if v is None else s}" for c, s, v in SLA_CASES],
)
@given(data=st.data())
def test_ticket_sla_rejects_bad_arguments_and_changes_nothing(
    call: Call, slot: int | str, vals: st.SearchStrategy[object] | None, data: st.DataObject
) -> None:
    state = data.draw(st.sampled_from(OPEN_SLA_STATES), label="state")
    value = data.draw(_sla_at_values(state) if vals is None else vals, label=f"wrong {slot!r}")
    check_rejected(
        build_sla(state),
        sla_view,
        call.with_value(slot, value),
        value,
        follow_up=sla_follow_up,
        expected_follow_up=sla_reference(state),
    )


@pytest.mark.parametrize(
    "call",
    [c for c, _ in SLA_CALLS if c.method not in ("advance", "clock")],
    ids=lambda c: c.method,
)
def test_a_closed_ticket_sla_refuses_every_change(call: Call) -> None:
    check_rejected(
        build_sla("closed"),
        sla_view,
        call,
        "s1",
        follow_up=sla_follow_up,
        expected_follow_up=sla_reference("closed"),
        expected=InvalidTransitionError,
    )


# -- one clock ---------------------------------------------------------------------------------


CLOCK_TARGET = SLA_POLICY.target("first_response", "normal")
assert CLOCK_TARGET is not None
OTHER_TARGET = SlaTarget(Metric.FIRST_RESPONSE, 2 * H, OFFICE)
CLOCK_STEPS: dict[str, list[tuple[str, timedelta]]] = {
    "running": [],
    "paused": [("pause", 10 * M)],
    "breached": [("advance", 2 * H)],
    "breached_paused": [("advance", 2 * H), ("pause", 2 * H + 10 * M)],
    "met": [("stop", 10 * M)],
    "met_late": [("advance", 2 * H), ("stop", 2 * H + 10 * M)],
    "cancelled": [("cancel", 10 * M)],
}
CLOCK_LAST = {
    k: SLA_T0 + (steps[-1][1] if steps else timedelta(0)) for k, steps in CLOCK_STEPS.items()
}
CLOCK_LATER = SLA_T0 + 3 * H
CLOCK_FOLLOW = SLA_T0 + timedelta(days=2)
CLOCK_ACTIONS = {
    "pause": ClockAction.PAUSE,
    "resume": ClockAction.RESUME,
    "stop": ClockAction.STOP,
    "cancel": ClockAction.CANCEL,
    "reopen": ClockAction.REOPEN,
    "recalculate": ClockAction.RECALC_ON_TIME,
}


def build_clock(state: str) -> SlaClock:
    assert CLOCK_TARGET is not None
    c = SlaClock("s1", CLOCK_TARGET, SLA_T0)
    for method, offset in CLOCK_STEPS[state]:
        getattr(c, method)(SLA_T0 + offset)
    return c


def clock_view(c: SlaClock) -> dict[str, object]:
    due = c.due_us  # first: reading it memoises the deadline into the clock's state
    return {"state": c.to_dict(), "due": due, "next": c.next_event_us, "repr": repr(c)}


def clock_follow_up(c: SlaClock) -> object:
    events = c.advance(CLOCK_FOLLOW)
    return events, c.elapsed(CLOCK_FOLLOW), clock_view(c)


def clock_reference(state: str) -> object:
    return reference(f"clock-{state}", lambda: clock_follow_up(build_clock(state)))


def clock_allows(method: str, state: str) -> bool:
    action = CLOCK_ACTIONS.get(method)
    if action is None:
        return True
    return any(s.value == state and a is action for s, a in TRANSITIONS)


CLOCK_CALLS = [
    Call("pause", (CLOCK_LATER,)),
    Call("resume", (CLOCK_LATER,)),
    Call("stop", (CLOCK_LATER,)),
    Call("cancel", (CLOCK_LATER,)),
    Call("reopen", (CLOCK_LATER,)),
    Call("advance", (CLOCK_LATER,)),
    Call("recalculate", (OTHER_TARGET, CLOCK_LATER), {"mode": "retroactive"}),
    Call("elapsed", (CLOCK_LATER,)),
    Call("remaining", (CLOCK_LATER,)),
    Call("late_by", (CLOCK_LATER,)),
]
CLOCK_CASES: list[tuple[Call, int | str, st.SearchStrategy[object] | None]] = [
    (c, 1 if c.method == "recalculate" else 0, None) for c in CLOCK_CALLS
]
CLOCK_CASES += [
    (
        CLOCK_CALLS[6],
        0,
        values("x", None, 5, SLA_POLICY, SLA_POLICY.target("resolution", "normal")),
    ),
    (CLOCK_CALLS[6], "mode", SLA_MODES),
]


def test_the_clock_scenarios() -> None:
    for state in CLOCK_STEPS:
        c = build_clock(state)
        assert c.state.value == state
        assert c.last_at == CLOCK_LAST[state]


@pytest.mark.parametrize(
    ("call", "slot", "vals"),
    CLOCK_CASES,
    ids=[f"{c.method}-{'at' if v is None else s}" for c, s, v in CLOCK_CASES],
)
@given(data=st.data())
def test_sla_clock_rejects_bad_arguments_and_changes_nothing(
    call: Call, slot: int | str, vals: st.SearchStrategy[object] | None, data: st.DataObject
) -> None:
    states = [s for s in CLOCK_STEPS if clock_allows(call.method, s)]
    state = data.draw(st.sampled_from(states), label="state")
    strategy = st.one_of(not_datetimes(), earlier_than(CLOCK_LAST[state])) if vals is None else vals
    value = data.draw(strategy, label=f"wrong {slot!r}")
    expect_ok(build_clock(state), call)  # the baseline is valid in this state
    check_rejected(
        build_clock(state),
        clock_view,
        call.with_value(slot, value),
        value,
        follow_up=clock_follow_up,
        expected_follow_up=clock_reference(state),
    )


CLOCK_ILLEGAL = [(c, s) for c in CLOCK_CALLS for s in CLOCK_STEPS if not clock_allows(c.method, s)]


@pytest.mark.parametrize(
    ("call", "state"), CLOCK_ILLEGAL, ids=[f"{c.method}-{s}" for c, s in CLOCK_ILLEGAL]
)
def test_sla_clock_refuses_illegal_transitions_and_changes_nothing(call: Call, state: str) -> None:
    check_rejected(
        build_clock(state),
        clock_view,
        call,
        state,
        follow_up=clock_follow_up,
        expected_follow_up=clock_reference(state),
        expected=InvalidTransitionError,
    )


# ---------------------------------------------------------------------------------------------
# BusinessCalendar queries


CAL_T = SLA_T0
CAL_US = (CAL_T - datetime(1970, 1, 1, tzinfo=UTC)) // US
_3H_US = 3 * 3_600_000_000
_3D_US = 3 * 86_400_000_000


def calendar_answers(cal: BusinessCalendar) -> object:
    friday = datetime(2026, 3, 6, 16, 30, tzinfo=WIB)
    return (
        cal.to_dict(),
        cal.is_open(CAL_T),
        cal.next_open(friday + H),
        cal.add(friday, 10 * H),
        cal.elapsed(CAL_T, CAL_T + timedelta(days=20)),
        cal.add(datetime(2027, 12, 30, 9, tzinfo=WIB), 100 * H),
        cal.is_open_us(CAL_US),
        cal.next_open_us(CAL_US + _3D_US),
        cal.add_us(CAL_US, _3H_US),
        cal.elapsed_us(CAL_US, CAL_US + _3D_US),
    )


def build_calendar() -> BusinessCalendar:
    return BusinessCalendar.from_dict(OFFICE.to_dict())


def calendar_reference() -> object:
    return reference("calendar", lambda: calendar_answers(build_calendar()))


NOT_MICROSECONDS = st.one_of(
    st.floats(),
    st.text(max_size=5),
    values(None, True, False, CAL_T, H, [], {}, b"1", (1,), "x" * 5000),
    st.integers(min_value=MAX_US + 1),
    st.integers(max_value=MIN_US - 1),
)
NOT_DURATIONS = st.one_of(
    values("PT1H", 3600, 1.5, math.nan, math.inf, None, True, [], {}, CAL_T, date(2026, 3, 2)),
    st.timedeltas(max_value=-US),
)
CALENDAR_CASES: list[tuple[Call, int, st.SearchStrategy[object]]] = [
    (Call("is_open", (CAL_T,)), 0, not_datetimes()),
    (Call("next_open", (CAL_T,)), 0, not_datetimes()),
    (Call("add", (CAL_T, 3 * H)), 0, not_datetimes()),
    (Call("add", (CAL_T, 3 * H)), 1, NOT_DURATIONS),
    (Call("elapsed", (CAL_T, CAL_T + 3 * H)), 0, not_datetimes()),
    (Call("elapsed", (CAL_T, CAL_T + 3 * H)), 1, st.one_of(not_datetimes(), earlier_than(CAL_T))),
    (Call("is_open_us", (CAL_US,)), 0, NOT_MICROSECONDS),
    (Call("next_open_us", (CAL_US,)), 0, NOT_MICROSECONDS),
    (Call("add_us", (CAL_US, _3H_US)), 0, NOT_MICROSECONDS),
    (Call("add_us", (CAL_US, _3H_US)), 1, st.one_of(NOT_MICROSECONDS, st.integers(max_value=-1))),
    (Call("elapsed_us", (CAL_US, CAL_US + _3H_US)), 0, NOT_MICROSECONDS),
    (
        Call("elapsed_us", (CAL_US, CAL_US + _3H_US)),
        1,
        st.one_of(NOT_MICROSECONDS, st.integers(min_value=MIN_US, max_value=CAL_US - 1)),
    ),
]


@pytest.mark.parametrize(
    ("call", "slot", "vals"), CALENDAR_CASES, ids=[f"{c.method}-{s}" for c, s, _ in CALENDAR_CASES]
)
@given(data=st.data())
def test_calendar_queries_reject_bad_arguments_and_change_nothing(
    call: Call, slot: int, vals: st.SearchStrategy[object], data: st.DataObject
) -> None:
    value = data.draw(vals, label=f"wrong argument {slot}")
    check_rejected(
        build_calendar(),
        calendar_answers,
        call.with_value(slot, value),
        value,
        follow_up=calendar_answers,
        expected_follow_up=calendar_reference(),
    )


def test_calendar_add_us_with_a_nan_duration() -> None:
    check_rejected(
        build_calendar(),
        calendar_answers,
        Call("add_us", (CAL_US, math.nan)),
        math.nan,
        follow_up=calendar_answers,
        expected_follow_up=calendar_reference(),
    )


def test_calendar_datetime_queries_name_a_naive_value() -> None:
    naive = datetime(2026, 3, 2, 9, 0)
    with pytest.raises(CalendarError, match=r"'at' must be timezone-aware, got datetime"):
        OFFICE.is_open(naive)
    with pytest.raises(CalendarError, match=r"'duration' must be a datetime.timedelta, got 5"):
        OFFICE.add(CAL_T, 5)  # type: ignore[arg-type]
    with pytest.raises(CalendarError, match=r"'end' must not be before 'start'"):
        OFFICE.elapsed(CAL_T, CAL_T - US)
