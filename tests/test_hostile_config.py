"""Hostile plain data at every entry point that reads it.

The project standard: bad input gets a clear, typed error and changes nothing.  Malformed
configuration raises a :class:`~csflow.errors.CsflowError` (usually a
:class:`~csflow.errors.ConfigError` with a ``path``) whose message says what is wrong; rules
come from administrators and ticket fields from the public, so time and memory stay bounded
(no catastrophic backtracking, no ``RecursionError`` on deep nesting, a tampered snapshot is a
``ConfigError``, not a crash).

Each property starts from a valid document (its origin is named next to it), applies one to
three random mutations -- a leaf or subtree replaced with JSON-like junk, a key deleted, an
unknown key added, a value wrapped in a list, a list item duplicated -- and calls the entry
point.  It must return normally or raise a ``CsflowError``; a ``ConfigError`` has a non-empty
message and a string ``path``; the document handed in is never modified.

``test_known_hostile_input`` lists the smallest inputs these properties found that leak
another exception (one case per place that raised), so that each bug fails under its own name
whatever the random examples of a run; the worked examples at the end nest 10,000 levels deep
and pass megabyte strings.
"""

from __future__ import annotations

import copy
import math
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.calendar import BusinessCalendar
from csflow.desk import Desk, DeskConfig, ticket_from_dict
from csflow.errors import ConfigError, CsflowError
from csflow.lint import lint
from csflow.routing import EscalationGraph
from csflow.rules import STANDARD_FIELDS, RuleSet
from csflow.sim import Scenario, SimConfig
from csflow.sla import SlaPolicy, TicketSla
from csflow.staffing import staffing_plan
from desks import ALWAYS_OPEN, SEED_TIERS, busy_desk, office_calendar, seeds_desk_doc
from documents import PLATINUM_CHAT, REGULAR_EMAIL
from strategies import json_documents

WIB = timezone(timedelta(hours=7), "WIB")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=WIB)  # a Monday
S = timedelta(seconds=1)
M = timedelta(minutes=1)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")

# The profile sets the number of examples (300 with `make test`'s `ci` profile).
PROPERTY = settings()

# ---------------------------------------------------------------------------------------------
# Valid documents (the starting points), with where each comes from

# BusinessCalendar.from_dict: the shape of csflow.samples.jakarta_office_calendar().to_dict()
# (docs/how-to/business-hours.md): split weekday hours, a Saturday morning, holidays both as a
# mapping and a list, a special day.
CALENDAR_DOCS: list[Any] = [
    {
        "timezone": "Asia/Jakarta",
        "weekly": {
            **{d: [["08:00", "12:00"], ["13:00", "17:00"]] for d in WEEKDAYS},
            "sat": [["08:00", "12:00"]],
        },
        "holidays": {"2026-03-19": "Nyepi", "2026-03-20": "Idul Fitri"},
        "special_days": {"2026-12-12": [["08:00", "22:00"]], "2026-12-31": []},
    },
    {
        "timezone": "UTC",
        "weekly": {"mon": [["00:00", "24:00"]]},
        "holidays": ["2026-04-03"],
    },
    {"timezone": "Asia/Jakarta", "always_open": True},
]

# SlaPolicy.from_dict: tests/documents.py::REGULAR_EMAIL with warnings (a named calendar), and a
# policy with its calendar inline (to_dict form).
SLA_CALENDARS = {"jakarta-office": BusinessCalendar.from_dict(CALENDAR_DOCS[0])}
SLA_POLICY_DOCS: list[Any] = [
    {**REGULAR_EMAIL, "warnings": [0.5, 0.75, 0.9]},
    {
        "name": "platinum-chat",
        "calendar": {"timezone": "UTC", "weekly": {"mon": [["09:00", "17:00"]]}},
        "targets": {"first_response": "PT1M", "resolution": {"urgent": "PT4H", "normal": 86400}},
    },
]

# RuleSet.from_dicts: the example of the csflow.rules module docstring, plus one rule per
# operator and combinator of its language table.
RULES: list[Any] = [
    {**PLATINUM_CHAT, "description": "the module docstring's example"},
    {
        "name": "orders",
        "when": {
            "any": [
                {"field": "subject", "matches": "(?i)refund|return"},
                {"field": "order_id", "matches": "^ORD-\\d+$"},
                {"field": "tags", "contains": "order"},
                {"field": "attributes.amount", "ge": 1.5},
                {"field": "language", "ne": None},
                {"field": "category", "not_in": ["spam"]},
                {"field": "customer.preferred_agent", "exists": True},
            ]
        },
        "then": {"skills": {"orders": 3}, "tags": ["order"], "score": 2},
    },
    {"name": "catch-all", "then": {"queue": "general", "sla_policy": "regular"}},
]
RULES_DOC: dict[str, Any] = {"rules": RULES, "mode": "all"}


# DeskConfig.from_dict: the seeds' desk (tests/desks.py) without silver tier, with the optional
# parts the docstring of DeskConfig.from_dict shows (bands, relaxation, strategies and affinity,
# presence, capacity, recalculation, keep_history, keep_log).
def desk_doc() -> dict[str, Any]:
    return seeds_desk_doc(
        tiers=[t for t in SEED_TIERS if t["name"] != "silver"],
        calendars={
            "office": office_calendar(holidays=["2026-03-20"]),
            "always": ALWAYS_OPEN,
        },
        sla_policies=[
            {
                "name": "vip",
                "calendar": "always",
                "targets": {"first_response": "PT1M", "resolution": {"urgent": "PT2H"}},
                "warnings": [0.75],
            },
            {
                "name": "standard",
                "calendar": "office",
                "targets": {"first_response": "PT1H", "resolution": "PT8H"},
                "pause_on": {"pending": ["resolution"]},
            },
        ],
        queues=[
            {
                "name": "front",
                "key": "aging",
                "allowances": {"platinum": "PT30S", "gold:high": "PT2M"},
                "default_allowance": "PT10M",
                "bands": {"urgent": 0},
                "relaxation": [
                    {"after": "PT2M", "proficiency": 1},
                    {"after": "PT5M", "overflow_to": "technical"},
                ],
            },
            {"name": "technical", "key": "deadline", "fallback": "PT1H"},
            {"name": "finance"},
        ],
        routing_profiles=[
            {
                "name": "front",
                "queues": [
                    {"queue": "front", "priority": 1},
                    {"queue": "technical", "priority": 2, "delay": "PT1M"},
                ],
            },
            {"name": "technical", "queues": ["technical"]},
            {"name": "finance", "queues": ["finance"]},
        ],
        strategies=["preferred_agent", "best_proficiency", "longest_idle"],
        affinity={"timeout": "PT2M", "recency": "P7D"},
        triage={
            "mode": "first",
            "rules": [
                {
                    "name": "vip",
                    "when": {"field": "tier", "in": ["platinum", "gold"]},
                    "then": {"sla_policy": "vip", "priority": "high", "tags": ["vip"]},
                },
                {
                    "name": "refunds",
                    "when": {"field": "category", "eq": "refund"},
                    "then": {"queue": "finance", "skills": {"refunds": 2}},
                },
            ],
        },
        presence={"lunch": False, "overflow_ready": True},
        capacity={"weights": {"email": 1}, "exclusive": ["phone"], "budget": 3},
        recalculation="keep_elapsed",
        keep_history=True,
        keep_log=True,
    )


DESK_DOC = desk_doc()
DESK_CONFIG = DeskConfig.from_dict(desk_doc())


# Desk.restore: the snapshot of a desk that went through most commands.
SNAPSHOT_DOC: dict[str, Any] = busy_desk(DESK_CONFIG).snapshot()
# ticket_from_dict: the first ticket of that snapshot (what ticket_to_dict wrote).
TICKET_DOC: dict[str, Any] = SNAPSHOT_DOC["state"]["tickets"][0]["ticket"]


# TicketSla.from_dict: TicketSla.to_dict of a ticket that was replied to and paused, after
# tests/test_sla_ticket.py::test_snapshot_restores_a_ticket_with_the_same_future.
def ticket_sla_doc() -> dict[str, Any]:
    ts = TicketSla("t1", DESK_CONFIG.sla_policies["standard"], "normal", T0)
    ts.agent_reply(T0 + 10 * M)
    ts.set_status("pending", T0 + 20 * M)
    return ts.to_dict()


TICKET_SLA_DOC = ticket_sla_doc()

# SimConfig.from_dict: the docstring of SimConfig.from_dict (every key), and the sample day of
# csflow.samples.demo_simulation_data (rates as mappings, several groups and shifts).
SIM_DOCS: list[Any] = [
    {
        "start": "2026-03-16T00:00:00+07:00",
        "duration": "P1D",
        "peak": "lebaran",
        "arrivals": {
            "rates": [["00:00", 40], ["08:00", 300], ["22:00", 80]],
            "channels": {"chat": 5, "phone": 2},
            "tiers": {"regular": 1},
            "categories": {"order": 3, "refund": 1},
            "languages": {"id": 1},
        },
        "handle_time": {
            "default": {"exponential": "PT6M"},
            "chat": {"lognormal": {"mean": "PT9M", "sigma": 0.7}},
            "phone": {"empirical": ["PT3M", 420, "PT12M"]},
        },
        "patience": {"chat": {"exponential": "PT8M"}},
        "agents": [
            {
                "name": "front",
                "count": 20,
                "capacity": {"chat": 3, "phone": 1},
                "skills": {"orders": 3},
                "languages": ["id"],
                "teams": ["front"],
                "shifts": [{"start": "PT7H", "end": "PT15H", "breaks": [["PT11H", "PT30M"]]}],
                "break_waves": 3,
                "break_gap": "PT30M",
            }
        ],
        "escalations": [{"category": "refund", "team": "finance", "probability": 0.3}],
        "max_customers": None,
        "warmup": 0,
        "service_target": 20,
        "interval": "PT30M",
        "reply_on_assign": True,
    },
    {
        "start": "2026-03-16T00:00:00+07:00",
        "duration": 86400,
        "peak": 2.5,
        "arrivals": {
            "rates": [{"at": "00:00", "per_hour": 20}, {"at": "08:00", "per_hour": 150.5}],
            "channels": [["whatsapp", 40], ["email", 12]],
            "tiers": {"platinum": 5, "regular": 50},
        },
        "agents": [
            {"name": "night", "count": 6, "shifts": [{"start": 0, "end": "PT6H"}]},
            {"name": "finance", "count": 2, "teams": ["finance"]},
        ],
        "max_customers": 500,
    },
]

# Scenario(...).configs(): a scenario of the sample desk and the docstring's simulation.
SCENARIO_DOC: dict[str, Any] = {
    "name": "lebaran",
    "desk": DESK_DOC,
    "simulation": SIM_DOCS[0],
    "seed": 7,
}

# EscalationGraph.from_dict: the example of the EscalationGraph docstring, and the same graph
# with its edges as a list of pairs.
ESCALATION_DOCS: list[Any] = [
    {
        "teams": ["front", "technical", "engineering", "finance"],
        "entry": ["front"],
        "edges": {"front": ["technical", "finance"], "technical": ["engineering"]},
    },
    {
        "teams": ["front", "technical", "finance"],
        "entry": ["front"],
        "edges": [["front", "technical"], ["technical", "finance"]],
    },
]

# staffing_plan: the docstring example of csflow.staffing.staffing_plan, as (start, duration,
# arrivals) lists over three half-hours, with the keyword arguments spelled out.
STAFFING_DOC: dict[str, Any] = {
    "intervals": [
        [datetime(2026, 3, 19, 9, tzinfo=UTC) + i * 30 * M, 30 * M, arrivals]
        for i, arrivals in enumerate([100, 140.5, 0])
    ],
    "aht": 3 * M,
    "target": 20 * S,
    "level": 0.8,
    "patience": None,
    "shrinkage": 0.1,
    "multiplier": 2.5,
}

# lint: the rules above, with the names they may use.
LINT_DOC: dict[str, Any] = {
    "rules": RULES,
    "mode": "first",
    "sla_policies": ["platinum", "regular"],
    "queues": ["vip", "general"],
    "skills": ["orders"],
}


# ---------------------------------------------------------------------------------------------
# Junk and mutations

HUGE_INTS = st.sampled_from(
    [2**31, 2**53 + 1, 2**62, 2**63, -(2**63) - 1, 10**20, -(10**20), 10**400, -(10**400)]
)
FLOATS = st.floats() | st.sampled_from([math.nan, math.inf, -math.inf, 1e300, -1e300, 5e-324])
NASTY_STRINGS = st.sampled_from(
    [
        "",
        " ",
        "x" * 5000,
        "é",
        "ı",  # dotless i: str.upper() maps it onto ASCII "I"
        "\x00",
        "\ud800",  # a lone surrogate (JSON may carry one as an escape)
        "²:00",  # str.isdigit() but not int()
        "٣:٠٠",
        "(a+)+$",
        "(a|aa)*b",
        "\\s*x\\s*",
        "(?P<x>a)(?P=x)",
        "a{4294967296}",
        "[",
        "\\",
        "{0}",
        "%s",
        "P99999999999W",
        "PT99999999999999999999H",
        "P1M",
        "PT",
        "PT0S",
        "-PT1H",
        "9999-12-31",
        "0001-01-01",
        "9999-12-31T23:59:59+00:00",
        "0001-01-01T00:00:00+14:00",
        "2026-03-16T00:00:00",
        "24:00",
        "23:59",
        "99:99",
        "UTC",
        "Asia/Jakarta",
        "../../etc/passwd",
        "first",
        "all",
        "default",
        "urgent",
        "phone",
        "chat",
        "resolution",
        "pending",
        "platinum",
        "front",
        "finance",
        "general",
        "vip",
        "standard",
        "lebaran",
        "submit",
        "advance",
        "preferred_agent",
        "csflow.desk/1",
        "NaN",
        "1e309",
    ]
)
STRINGS = st.text(max_size=12) | NASTY_STRINGS
SCALARS = st.none() | st.booleans() | st.integers() | HUGE_INTS | FLOATS | STRINGS
KEYS = (
    STRINGS
    | st.integers()
    | st.none()
    | st.booleans()
    | st.floats(allow_nan=True)
    | st.tuples(st.integers(), st.text(max_size=3))
)
JUNK = json_documents(SCALARS, KEYS, max_size=4, max_leaves=10)

Path = tuple[Any, ...]


def _nodes(doc: Any) -> Iterator[tuple[Path, Any]]:
    """Every node of *doc* with its path, the root first (depth-first, iterative)."""
    stack: list[tuple[Path, Any]] = [((), doc)]
    while stack:
        path, node = stack.pop()
        yield path, node
        if isinstance(node, dict):
            stack.extend(((*path, k), v) for k, v in reversed(list(node.items())))
        elif isinstance(node, list):
            stack.extend(((*path, i), v) for i, v in reversed(list(enumerate(node))))


def _parent(doc: Any, path: Path) -> Any:
    for key in path[:-1]:
        doc = doc[key]
    return doc


class Mutated:
    """A valid document after some mutations; its repr lists the mutations, not the document."""

    def __init__(self, base: Any, doc: Any, changes: list[str]) -> None:
        self.base = base
        self.doc = doc
        self.changes = changes

    def __repr__(self) -> str:
        return "Mutated(" + "; ".join(self.changes) + ")"


def _show_path(path: Path) -> str:
    return "doc" + "".join(f"[{k!r}]" for k in path)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else f"{text[:100]}...<{len(text)} chars>"


@st.composite
def mutated(draw: st.DrawFn, bases: list[Any], *, fixed_root: bool = False) -> Mutated:
    """One of *bases*, deep-copied, after 1-3 mutations.

    With *fixed_root* the document is a mapping of an entry point's arguments: its own keys
    are neither deleted nor added (that would only be a wrong call), its values are fair game.
    """
    base = draw(st.sampled_from(bases))
    doc = copy.deepcopy(base)
    changes: list[str] = [f"base #{bases.index(base)}"]
    for _ in range(draw(st.integers(1, 3))):
        nodes = list(_nodes(doc))
        if fixed_root:
            nodes = nodes[1:]
        path, node = draw(st.sampled_from(nodes))
        kinds = ["replace", "replace", "wrap", "add", "duplicate"]
        if path and not (fixed_root and len(path) == 1):
            kinds.append("delete")
        kind = draw(st.sampled_from(kinds))
        if kind == "add" and not isinstance(node, dict):
            kind = "replace"
        if kind == "duplicate" and not (isinstance(node, list) and node):
            kind = "wrap"
        where = _show_path(path)
        if kind == "replace":
            new: Any = draw(JUNK)
            changes.append(f"{where} = {_short(new)}")
        elif kind == "wrap":
            new = [node]
            changes.append(f"{where} = [{where}]")
        elif kind == "add":
            key, value = draw(KEYS), draw(JUNK)
            node[key] = value
            changes.append(f"{where}[{key!r}] = {_short(value)}")
            continue
        elif kind == "duplicate":
            i = draw(st.integers(0, len(node) - 1))
            node.append(copy.deepcopy(node[i]))
            changes.append(f"{where}.append({where}[{i}])")
            continue
        else:  # delete
            del _parent(doc, path)[path[-1]]
            changes.append(f"del {where}")
            continue
        if path:
            _parent(doc, path)[path[-1]] = new
        else:
            doc = new
    return Mutated(base, doc, changes)


def _same(a: Any, b: Any) -> bool:
    return a is b or a == b


def check(call: Callable[[Any], object], m: Mutated) -> None:
    """*call* on *m*'s document returns or raises a CsflowError, and leaves the document alone.

    Any other exception propagates, so Hypothesis reports its type and where it was raised.
    """
    before = copy.deepcopy(m.doc)
    error: CsflowError | None = None
    try:
        call(m.doc)
    except CsflowError as exc:
        error = exc
    if isinstance(error, ConfigError):
        assert str(error), f"empty ConfigError message for {m!r}"
        assert isinstance(error.path, str)
    assert _same(m.doc, before), f"the entry point modified its input: {m!r}"


# ---------------------------------------------------------------------------------------------
# The entry points, as functions of one document


def load_calendar(doc: Any) -> object:
    return BusinessCalendar.from_dict(doc)


def load_sla_policy(doc: Any) -> object:
    return SlaPolicy.from_dict(doc, SLA_CALENDARS)


def load_rules(doc: Any) -> object:
    return RuleSet.from_dicts(doc["rules"], mode=doc["mode"])


def load_rules_with_known_fields(doc: Any) -> object:
    return RuleSet.from_dicts(doc["rules"], mode=doc["mode"], known_fields=STANDARD_FIELDS)


def load_desk(doc: Any) -> object:
    return DeskConfig.from_dict(doc)


def restore_desk(doc: Any) -> object:
    return Desk.restore(DESK_CONFIG, doc)


def load_ticket(doc: Any) -> object:
    return ticket_from_dict(doc)


def load_ticket_sla(doc: Any) -> object:
    return TicketSla.from_dict(doc, DESK_CONFIG.sla_policies)


def load_sim(doc: Any) -> object:
    return SimConfig.from_dict(doc)


def load_scenario(doc: Any) -> object:
    return Scenario(doc["name"], doc["desk"], doc["simulation"], doc["seed"]).configs()


def load_escalation(doc: Any) -> object:
    return EscalationGraph.from_dict(doc)


def plan_staffing(doc: Any) -> object:
    return staffing_plan(
        doc["intervals"],
        doc["aht"],
        doc["target"],
        doc["level"],
        patience=doc["patience"],
        shrinkage=doc["shrinkage"],
        multiplier=doc["multiplier"],
    )


def lint_rules(doc: Any) -> object:
    return lint(
        doc["rules"],
        mode=doc["mode"],
        sla_policies=doc["sla_policies"],
        queues=doc["queues"],
        skills=doc["skills"],
    )


@pytest.mark.parametrize(
    ("load", "docs"),
    [
        (load_calendar, CALENDAR_DOCS),
        (load_sla_policy, SLA_POLICY_DOCS),
        (load_rules, [RULES_DOC]),
        (load_desk, [DESK_DOC]),
        (restore_desk, [SNAPSHOT_DOC]),
        (load_ticket, [TICKET_DOC]),
        (load_ticket_sla, [TICKET_SLA_DOC]),
        (load_sim, SIM_DOCS),
        (load_scenario, [SCENARIO_DOC]),
        (load_escalation, ESCALATION_DOCS),
        (plan_staffing, [STAFFING_DOC]),
        (lint_rules, [LINT_DOC]),
    ],
)
def test_the_valid_documents_load(load: Callable[[Any], object], docs: list[Any]) -> None:
    """The starting points are valid, so the mutations start from something that works."""
    for doc in docs:
        load(copy.deepcopy(doc))


# ---------------------------------------------------------------------------------------------
# The properties: one per entry point


@PROPERTY
@given(mutated(CALENDAR_DOCS))
def test_calendar_from_dict_survives_hostile_data(m: Mutated) -> None:
    check(load_calendar, m)


@PROPERTY
@given(mutated(SLA_POLICY_DOCS))
def test_sla_policy_from_dict_survives_hostile_data(m: Mutated) -> None:
    check(load_sla_policy, m)


@PROPERTY
@given(mutated([RULES_DOC], fixed_root=True))
def test_rule_set_from_dicts_survives_hostile_data(m: Mutated) -> None:
    check(load_rules, m)
    check(load_rules_with_known_fields, m)


@PROPERTY
@given(mutated([DESK_DOC]))
def test_desk_config_from_dict_survives_hostile_data(m: Mutated) -> None:
    check(load_desk, m)


@PROPERTY
@given(mutated([SNAPSHOT_DOC]))
def test_desk_restore_survives_a_tampered_snapshot(m: Mutated) -> None:
    check(restore_desk, m)


@PROPERTY
@given(mutated([TICKET_DOC]))
def test_ticket_from_dict_survives_hostile_data(m: Mutated) -> None:
    check(load_ticket, m)


@PROPERTY
@given(mutated([TICKET_SLA_DOC]))
def test_ticket_sla_from_dict_survives_a_tampered_snapshot(m: Mutated) -> None:
    check(load_ticket_sla, m)


@PROPERTY
@given(mutated(SIM_DOCS))
def test_sim_config_from_dict_survives_hostile_data(m: Mutated) -> None:
    check(load_sim, m)


@PROPERTY
@given(mutated([SCENARIO_DOC], fixed_root=True))
def test_scenario_configs_survive_hostile_data(m: Mutated) -> None:
    check(load_scenario, m)


@PROPERTY
@given(mutated(ESCALATION_DOCS))
def test_escalation_graph_from_dict_survives_hostile_data(m: Mutated) -> None:
    check(load_escalation, m)


@PROPERTY
@given(mutated([STAFFING_DOC], fixed_root=True))
def test_staffing_plan_survives_hostile_data(m: Mutated) -> None:
    check(plan_staffing, m)


@PROPERTY
@given(mutated([LINT_DOC], fixed_root=True))
def test_lint_survives_hostile_rules(m: Mutated) -> None:
    check(lint_rules, m)


# Ticket fields come from the public: evaluating a loaded rule set never raises.
RULE_SET = RuleSet.from_dicts(RULES, mode="all")
CONTEXT_DOC: dict[str, Any] = {
    "customer": {"tier": "platinum", "preferred_agent": "sari"},
    "channel": "chat",
    "attributes": {"order_value": 5, "amount": 2.0},
    "subject": "refund please",
    "order_id": "ORD-1",
    "tags": ["order"],
    "language": "id",
    "category": "order",
}


@PROPERTY
@given(mutated([CONTEXT_DOC]))
def test_rule_evaluation_survives_hostile_ticket_fields(m: Mutated) -> None:
    before = copy.deepcopy(m.doc)
    RULE_SET.evaluate(m.doc)
    assert _same(m.doc, before)


# ---------------------------------------------------------------------------------------------
# Worked examples: deep nesting and huge values, in bounded time

DEPTH = 10_000
MB = "x" * 1_000_000


def nested_list(depth: int) -> list[Any]:
    out: list[Any] = []
    for _ in range(depth):
        out = [out]
    return out


def nested_not(depth: int) -> dict[str, Any]:
    out: dict[str, Any] = {"field": "tier", "eq": "gold"}
    for _ in range(depth):
        out = {"not": out}
    return out


def with_value(doc: Any, path: Path, value: Any) -> Any:
    """A deep copy of *doc* with the value at *path* replaced (or added) by *value*."""
    out = copy.deepcopy(doc)
    if not path:
        return value
    _parent(out, path)[path[-1]] = value
    return out


def bounded(call: Callable[[], object], seconds: float = 2.0) -> None:
    """*call* returns or raises a CsflowError (ConfigError messages non-empty), quickly."""
    limit = sys.getrecursionlimit()
    start = time.perf_counter()
    error: CsflowError | None = None
    try:
        call()
    except CsflowError as exc:
        error = exc
    assert time.perf_counter() - start < seconds
    assert error is None or str(error)
    assert sys.getrecursionlimit() == limit


def test_rules_nested_ten_thousand_levels_of_not_are_refused_quickly() -> None:
    start = time.perf_counter()
    with pytest.raises(ConfigError, match="nest deeper") as info:
        RuleSet.from_dicts([{"name": "deep", "when": nested_not(DEPTH)}])
    assert info.value.path.startswith("rules[0].when.not")
    assert time.perf_counter() - start < 2.0


def test_rules_ten_thousand_deep_list_where_a_list_is_expected_is_refused_quickly() -> None:
    start = time.perf_counter()
    with pytest.raises(ConfigError) as info:
        RuleSet.from_dicts([{"name": "deep", "when": {"all": nested_list(DEPTH)}}])
    assert info.value.path.startswith("rules[0].when")
    with pytest.raises(ConfigError):
        RuleSet.from_dicts(nested_list(DEPTH))
    assert time.perf_counter() - start < 2.0


def test_rules_with_a_megabyte_value_are_refused_quickly() -> None:
    for rule in (
        {"name": MB},
        {"name": "x", "description": MB},
        {"name": "x", "when": {"field": MB, "eq": 1}},
        {"name": "x", "when": {"field": "subject", "eq": MB}},
        {"name": "x", "when": {"field": "subject", "matches": MB}},
        {"name": "x", "then": {"queue": MB}},
    ):
        start = time.perf_counter()
        with pytest.raises(ConfigError) as info:
            RuleSet.from_dicts([rule])
        assert len(str(info.value)) < 10_000  # the message quotes the value, abbreviated
        assert time.perf_counter() - start < 2.0


def test_matching_a_megabyte_ticket_field_is_quick() -> None:
    rules = RuleSet.from_dicts(
        [{"name": "r", "when": {"field": "subject", "matches": "^a*b$"}}, {"name": "o"}]
    )
    start = time.perf_counter()
    assert rules.evaluate({"subject": "a" * 1_000_000}).matched == ("o",)
    assert time.perf_counter() - start < 2.0


# Where a 10,000-deep list (or a megabyte string) goes in each document.
DEEP_PLACES: list[tuple[str, Callable[[Any], object], Any, Path]] = [
    ("calendar", load_calendar, CALENDAR_DOCS[0], ()),
    ("calendar.timezone", load_calendar, CALENDAR_DOCS[0], ("timezone",)),
    ("calendar.weekly.mon", load_calendar, CALENDAR_DOCS[0], ("weekly", "mon")),
    ("calendar.weekly.mon[0]", load_calendar, CALENDAR_DOCS[0], ("weekly", "mon", 0)),
    ("calendar.holidays", load_calendar, CALENDAR_DOCS[1], ("holidays",)),
    ("calendar.holidays[0]", load_calendar, CALENDAR_DOCS[1], ("holidays", 0)),
    ("calendar.holidays name", load_calendar, CALENDAR_DOCS[0], ("holidays", "2026-03-19")),
    ("calendar.special_days", load_calendar, CALENDAR_DOCS[0], ("special_days",)),
    ("sla_policy", load_sla_policy, SLA_POLICY_DOCS[0], ()),
    ("sla_policy.name", load_sla_policy, SLA_POLICY_DOCS[0], ("name",)),
    ("sla_policy.calendar", load_sla_policy, SLA_POLICY_DOCS[0], ("calendar",)),
    ("sla_policy.targets", load_sla_policy, SLA_POLICY_DOCS[0], ("targets",)),
    ("sla_policy.targets.x", load_sla_policy, SLA_POLICY_DOCS[0], ("targets", "resolution")),
    ("sla_policy.warnings", load_sla_policy, SLA_POLICY_DOCS[0], ("warnings",)),
    ("sla_policy.warnings[0]", load_sla_policy, SLA_POLICY_DOCS[0], ("warnings", 0)),
    ("sla_policy.pause_on", load_sla_policy, SLA_POLICY_DOCS[0], ("pause_on",)),
    ("sla_policy.pause_on.x", load_sla_policy, SLA_POLICY_DOCS[0], ("pause_on", "pending")),
    ("rules", load_rules, RULES_DOC, ("rules",)),
    ("rules.mode", load_rules, RULES_DOC, ("mode",)),
    ("rules[0].then.tags", load_rules, RULES_DOC, ("rules", 0, "then", "tags")),
    ("desk", load_desk, DESK_DOC, ()),
    ("desk.tiers", load_desk, DESK_DOC, ("tiers",)),
    ("desk.tiers[0].name", load_desk, DESK_DOC, ("tiers", 0, "name")),
    ("desk.calendars.office", load_desk, DESK_DOC, ("calendars", "office")),
    ("desk.sla_policies", load_desk, DESK_DOC, ("sla_policies",)),
    ("desk.queues[0].key", load_desk, DESK_DOC, ("queues", 0, "key")),
    ("desk.queues[0].bands", load_desk, DESK_DOC, ("queues", 0, "bands", "urgent")),
    ("desk.queues[0].relaxation", load_desk, DESK_DOC, ("queues", 0, "relaxation", 0)),
    ("desk.routing_profiles", load_desk, DESK_DOC, ("routing_profiles", 0, "queues")),
    ("desk.strategies", load_desk, DESK_DOC, ("strategies", 1)),
    ("desk.triage", load_desk, DESK_DOC, ("triage",)),
    ("desk.triage.mode", load_desk, DESK_DOC, ("triage", "mode")),
    ("desk.triage.rules", load_desk, DESK_DOC, ("triage", "rules")),
    ("desk.teams.front.queue", load_desk, DESK_DOC, ("teams", "front", "queue")),
    ("desk.escalation.teams", load_desk, DESK_DOC, ("escalation", "teams")),
    ("desk.transfers", load_desk, DESK_DOC, ("transfers", "max_transfers")),
    ("desk.presence", load_desk, DESK_DOC, ("presence", "lunch")),
    ("desk.capacity", load_desk, DESK_DOC, ("capacity", "exclusive")),
    ("desk.survey_delay", load_desk, DESK_DOC, ("survey_delay",)),
    ("desk.recalculation", load_desk, DESK_DOC, ("recalculation",)),
    ("desk.keep_log", load_desk, DESK_DOC, ("keep_log",)),
    ("desk.default_sla_policy", load_desk, DESK_DOC, ("default_sla_policy",)),
    ("snapshot", restore_desk, SNAPSHOT_DOC, ()),
    ("snapshot.format", restore_desk, SNAPSHOT_DOC, ("format",)),
    ("snapshot.state", restore_desk, SNAPSHOT_DOC, ("state",)),
    ("snapshot.state.tickets[0]", restore_desk, SNAPSHOT_DOC, ("state", "tickets", 0)),
    ("snapshot.state.tickets[0].sla", restore_desk, SNAPSHOT_DOC, ("state", "tickets", 0, "sla")),
    ("snapshot.state.router", restore_desk, SNAPSHOT_DOC, ("state", "router")),
    ("ticket.created_at", load_ticket, TICKET_DOC, ("created_at",)),
    ("ticket.customer.id", load_ticket, TICKET_DOC, ("customer", "id")),
    ("ticket.channel", load_ticket, TICKET_DOC, ("channel",)),
    ("ticket_sla", load_ticket_sla, TICKET_SLA_DOC, ()),
    ("ticket_sla.status", load_ticket_sla, TICKET_SLA_DOC, ("status",)),
    ("ticket_sla.policy", load_ticket_sla, TICKET_SLA_DOC, ("policy",)),
    ("ticket_sla.last", load_ticket_sla, TICKET_SLA_DOC, ("last",)),
    ("ticket_sla.clocks", load_ticket_sla, TICKET_SLA_DOC, ("clocks",)),
    ("ticket_sla.clock.history", load_ticket_sla, TICKET_SLA_DOC, ("clocks", "resolution")),
    ("simulation.start", load_sim, SIM_DOCS[0], ("start",)),
    ("simulation.arrivals.rates[0]", load_sim, SIM_DOCS[0], ("arrivals", "rates", 0)),
    ("simulation.arrivals.channels", load_sim, SIM_DOCS[0], ("arrivals", "channels")),
    ("simulation.handle_time", load_sim, SIM_DOCS[0], ("handle_time", "default")),
    ("simulation.agents[0].shifts", load_sim, SIM_DOCS[0], ("agents", 0, "shifts", 0, "breaks")),
    ("simulation.peak", load_sim, SIM_DOCS[0], ("peak",)),
    ("simulation.reply_on_assign", load_sim, SIM_DOCS[0], ("reply_on_assign",)),
    ("simulation.max_customers", load_sim, SIM_DOCS[0], ("max_customers",)),
    ("escalation", load_escalation, ESCALATION_DOCS[0], ()),
    ("escalation.teams", load_escalation, ESCALATION_DOCS[0], ("teams",)),
    ("escalation.edges", load_escalation, ESCALATION_DOCS[1], ("edges",)),
    ("escalation.edges[0]", load_escalation, ESCALATION_DOCS[1], ("edges", 0)),
    ("staffing.intervals[0]", plan_staffing, STAFFING_DOC, ("intervals", 0)),
    ("staffing.level", plan_staffing, STAFFING_DOC, ("level",)),
    ("lint.rules", lint_rules, LINT_DOC, ("rules",)),
    ("lint.sla_policies", lint_rules, LINT_DOC, ("sla_policies",)),
]


@pytest.mark.parametrize(
    ("load", "doc", "path"),
    [pytest.param(load, doc, path, id=name) for name, load, doc, path in DEEP_PLACES],
)
def test_a_ten_thousand_deep_list_is_refused_without_recursion_error(
    load: Callable[[Any], object], doc: Any, path: Path
) -> None:
    bounded(lambda: load(with_value(doc, path, nested_list(DEPTH))))


@pytest.mark.parametrize(
    ("load", "doc", "path"),
    [pytest.param(load, doc, path, id=name) for name, load, doc, path in DEEP_PLACES],
)
def test_a_megabyte_string_is_handled_in_bounded_time(
    load: Callable[[Any], object], doc: Any, path: Path
) -> None:
    bounded(lambda: load(with_value(doc, path, MB)))


# ---------------------------------------------------------------------------------------------
# The smallest inputs the properties above found that leak another exception (one per bug)

NEAR_THE_END = datetime(9999, 12, 31, 23, 45, tzinfo=UTC)
KNOWN_HOSTILE_INPUTS = [
    # parse_duration: a huge number of seconds (int, float or ISO field) overflows timedelta.
    pytest.param(
        load_sla_policy,
        with_value(SLA_POLICY_DOCS[1], ("targets", "resolution", "normal"), 2**63),
        id="sla_policy-duration-int-overflow",
    ),
    pytest.param(
        load_sla_policy,
        with_value(SLA_POLICY_DOCS[0], ("targets", "next_response"), 1e300),
        id="sla_policy-duration-float-overflow",
    ),
    pytest.param(
        load_sla_policy,
        with_value(SLA_POLICY_DOCS[0], ("targets", "first_response"), "P99999999999W"),
        id="sla_policy-duration-iso-overflow",
    ),
    pytest.param(
        load_desk,
        with_value(DESK_DOC, ("survey_delay",), 86_400_000_000_000.0),
        id="desk-survey_delay-overflow",
    ),
    pytest.param(
        load_sim, with_value(SIM_DOCS[0], ("interval",), 2**63), id="simulation-interval-overflow"
    ),
    # math.isfinite / float() of an int beyond the float range.
    pytest.param(
        load_sla_policy,
        with_value(SLA_POLICY_DOCS[0], ("warnings",), [10**400]),
        id="sla_policy-warning-huge-int",
    ),
    pytest.param(
        load_ticket_sla,
        with_value(TICKET_SLA_DOC, ("clocks", "resolution", "warnings"), [10**400]),
        id="ticket_sla-warning-huge-int",
    ),
    pytest.param(
        load_sim,
        with_value(SIM_DOCS[0], ("arrivals", "rates", 0, 1), 10**400),
        id="simulation-rate-huge-int",
    ),
    pytest.param(
        plan_staffing,
        with_value(STAFFING_DOC, ("intervals", 0, 2), 10**400),
        id="staffing-arrivals-huge-int",
    ),
    pytest.param(
        plan_staffing, with_value(STAFFING_DOC, ("level",), 10**400), id="staffing-level-huge-int"
    ),
    pytest.param(
        plan_staffing,
        with_value(STAFFING_DOC, ("shrinkage",), 10**400),
        id="staffing-shrinkage-huge-int",
    ),
    pytest.param(
        plan_staffing,
        with_value(STAFFING_DOC, ("multiplier",), 10**400),
        id="staffing-multiplier-huge-int",
    ),
    # A clock's target beyond the timedelta range.
    pytest.param(
        load_ticket_sla,
        with_value(TICKET_SLA_DOC, ("clocks", "resolution", "target_us"), 10**20),
        id="ticket_sla-target_us-overflow",
    ),
    # Datetime arithmetic past year 9999.
    pytest.param(
        restore_desk,
        with_value(SNAPSHOT_DOC, ("state", "tickets", 0, "queued_us"), 2**61),
        id="snapshot-at_us-beyond-datetime",
    ),
    pytest.param(
        plan_staffing,
        with_value(
            STAFFING_DOC,
            ("intervals",),
            [[NEAR_THE_END, 30 * M, 1], [NEAR_THE_END + 5 * M, M, 1]],
        ),
        id="staffing-interval-end-beyond-datetime",
    ),
    pytest.param(
        load_sim,
        with_value(
            SIM_DOCS[0],
            ("agents", 0, "shifts"),
            [{"start": 0, "end": "P999999999D", "breaks": [["P999999998D", "P999999998D"]]}],
        ),
        id="simulation-break-end-overflow",
    ),
    # Unhashable values tested against sets and dicts.
    pytest.param(
        load_desk,
        with_value(DESK_DOC, ("teams", "front", "routing_profile"), []),
        id="desk-team-routing_profile-list",
    ),
    pytest.param(
        load_desk,
        with_value(DESK_DOC, ("triage", "rules", 1, "then", "queue"), {}),
        id="desk-triage-queue-mapping",
    ),
    pytest.param(
        load_desk,
        with_value(DESK_DOC, ("triage", "rules", 0, "then", "sla_policy"), {}),
        id="desk-triage-sla_policy-mapping",
    ),
    pytest.param(
        load_sim,
        with_value(SIM_DOCS[0], ("agents", 0, "name"), []),
        id="simulation-agent-name-list",
    ),
    pytest.param(
        load_escalation,
        with_value(ESCALATION_DOCS[1], ("edges", 1, 0), []),
        id="escalation-edge-team-list",
    ),
    # Sorting unknown keys of mixed types for the message.
    pytest.param(load_escalation, {"": None, 0: None}, id="escalation-mixed-type-keys"),
    # str.isdigit() accepts digits int() refuses.
    pytest.param(
        load_sim,
        with_value(SIM_DOCS[0], ("arrivals", "rates", 0, 0), "²:00"),
        id="simulation-rate-clock-superscript-digit",
    ),
    # Scenario's converter calls dict() on anything.
    pytest.param(load_scenario, with_value(SCENARIO_DOC, ("desk",), 5), id="scenario-desk-int"),
    pytest.param(
        load_scenario, with_value(SCENARIO_DOC, ("simulation",), "ab"), id="scenario-simulation-str"
    ),
    # lint calls .lint() on whatever is neither a RuleSet nor a sequence.
    pytest.param(lint_rules, with_value(LINT_DOC, ("rules",), None), id="lint-rules-none"),
    pytest.param(
        lint_rules, with_value(LINT_DOC, ("rules",), {"name": "x"}), id="lint-rules-mapping"
    ),
]


@pytest.mark.parametrize(("load", "doc"), KNOWN_HOSTILE_INPUTS)
def test_known_hostile_input(load: Callable[[Any], object], doc: Any) -> None:
    check(load, Mutated(doc, doc, ["a known hostile input"]))
