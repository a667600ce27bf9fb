"""Compiled rule sets against a reference evaluator written from the language's reference.

The reference below reads only what :mod:`csflow.rules.syntax` documents: field resolution
through mapping keys or non-method attributes (strings, numbers, lists, tuples, sets, ``None``
and their subclasses have no fields), every operator false on a missing field but
``exists: false``, Python's equality and ordering (a comparison Python refuses is false),
``contains`` looking for text in a string value (a number operand as its text, a boolean in
no string) and for an element or key in a list, tuple, set or mapping, ``matches`` as
``re.search`` on a string value.  Rule sets are compared with it on plain dicts (the
generated evaluator), other mappings and objects (the safe evaluator), and on the standard
context of generated tickets.
"""

from __future__ import annotations

import enum
import operator
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from types import MappingProxyType, SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csflow.model import Customer, Priority, Ticket, Tier
from csflow.rules import Comparison, RuleSet, ticket_context

MISSING = object()
T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)

TEXTS = [
    "",
    "order 123 missing",
    "ORD-123",
    "123",
    "-5",
    "2.5 kg",
    "1e+16",
    "True",
    "true",
    "None",
    "refund",
    "Refund",
    "retur dana",
    "pesanan 123 hilang",
    "Straße",
    "STRASSE",
    "İstanbul",
    "é",
    "e\u0301",
    "استرداد ١٢٣",
    "👍🏽 123",
    "ﬁ",
]
NUMBERS = [0, 1, -5, 12, 123, 2**63, 2.5, -0.0, 1.0, 1e16, 0.1]
SCALARS = st.one_of(
    st.sampled_from(TEXTS),
    st.sampled_from(NUMBERS),
    st.booleans(),
    st.none(),
    st.text(alphabet="a1 2.Éé😀\u0301-", max_size=6),
    st.integers(-200, 200),
)


class Colour(enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 2


VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.tuples(SCALARS),
    st.frozensets(st.sampled_from(["123", "refund", 123, 2.5]), max_size=2),
    st.dictionaries(st.sampled_from(["123", "refund", "a"]), SCALARS, max_size=2),
    st.sampled_from([Colour.RED, Level.HIGH, Priority.HIGH, b"123", float("nan")]),
)
KEYS = ["a", "b", "c", "d"]
FIELDS = ["a", "b", "c.a", "c.b", "c.c.a", "c.c.c.a", "a.name", "b.value", "c.a.0"]


def comparisons() -> st.SearchStrategy[dict[str, Any]]:
    field = st.sampled_from(FIELDS)

    def build(op: str, operand: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
        return st.builds(lambda f, v: {"field": f, op: v}, field, operand)

    orderable = st.one_of(st.sampled_from(TEXTS), st.sampled_from(NUMBERS), st.integers(-200, 200))
    return st.one_of(
        *(build(op, SCALARS) for op in ("eq", "ne")),
        *(build(op, st.lists(SCALARS, min_size=1, max_size=3)) for op in ("in", "not_in")),
        *(build(op, orderable) for op in ("lt", "le", "gt", "ge")),
        build("contains", st.one_of(SCALARS.filter(lambda v: v is not None))),
        build("matches", st.sampled_from([r"\d+", "^ORD-", "(?i)refund", "123$", "é", "^$"])),
        build("exists", st.booleans()),
    )


CONDITIONS = st.recursive(
    comparisons(),
    lambda inner: st.one_of(
        st.builds(lambda xs: {"all": xs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda xs: {"any": xs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda x: {"not": x}, inner),
    ),
    max_leaves=5,
)
CONTEXTS = st.recursive(
    st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=4),
    lambda inner: st.dictionaries(st.sampled_from(KEYS), st.one_of(VALUES, inner), max_size=4),
    max_leaves=8,
)

# -- the reference ------------------------------------------------------------------------

NO_FIELDS = (str, bytes, bytearray, int, float, complex, list, tuple, set, frozenset)


def resolve(ctx: Any, field: str) -> Any:
    for segment in field.split("."):
        if ctx is None or isinstance(ctx, NO_FIELDS):
            return MISSING
        if isinstance(ctx, Mapping):
            ctx = ctx.get(segment, MISSING)
        else:
            found = getattr(ctx, segment, MISSING)
            ctx = MISSING if callable(found) else found
        if ctx is MISSING:
            return MISSING
    return ctx


def refused_is_false(test: Any) -> bool:
    try:
        return bool(test())
    except Exception:
        return False


def reference(cond: Mapping[str, Any], ctx: Any) -> bool:
    if "all" in cond:
        return all(reference(c, ctx) for c in cond["all"])
    if "any" in cond:
        return any(reference(c, ctx) for c in cond["any"])
    if "not" in cond:
        return not reference(cond["not"], ctx)
    (op,) = (k for k in cond if k != "field")
    operand = cond[op]
    value = resolve(ctx, cond["field"])
    if op == "exists":
        return bool((value is not MISSING) == operand)
    if value is MISSING:
        return False
    if op in ("eq", "ne", "lt", "le", "gt", "ge"):
        return refused_is_false(lambda: getattr(operator, op)(value, operand))
    if op in ("in", "not_in"):
        found = any(refused_is_false(lambda m=m: value == m) for m in operand)
        return found if op == "in" else not found
    if op == "contains":
        if isinstance(value, str):
            if isinstance(operand, bool):
                return False
            text = operand if isinstance(operand, str) else repr(operand)
            return text in value
        if isinstance(value, list | tuple | set | frozenset | Mapping):
            return refused_is_false(lambda: operand in value)
        return False
    assert op == "matches"
    return isinstance(value, str) and re.search(operand, value) is not None


# -- the three shapes of a context ---------------------------------------------------------


class Lookup(Mapping[str, Any]):
    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = {k: Lookup(v) if type(v) is dict else v for k, v in data.items()}

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


def as_object(data: Mapping[str, Any]) -> Any:
    return SimpleNamespace(**{k: as_object(v) if type(v) is dict else v for k, v in data.items()})


def shapes(ctx: dict[str, Any]) -> list[Any]:
    return [ctx, Lookup(ctx), MappingProxyType(ctx), as_object(ctx)]


def _rules(conditions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"name": f"r{i}", "when": c, "then": {}} for i, c in enumerate(conditions)]


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(conditions=st.lists(CONDITIONS, min_size=1, max_size=3), ctx=CONTEXTS)
def test_rule_sets_agree_with_the_reference(
    conditions: list[dict[str, Any]], ctx: dict[str, Any]
) -> None:
    rules = RuleSet(_rules(conditions), mode="all")
    expected = tuple(f"r{i}" for i, c in enumerate(conditions) if reference(c, ctx))
    for shape in shapes(ctx):
        assert rules.evaluate(shape).matched == expected, (shape, conditions)
    # One rule alone: the generated function's other form.
    for i, c in enumerate(conditions):
        alone = RuleSet(_rules([c]))
        assert (alone.evaluate(ctx).rule is not None) == (f"r{i}" in expected)


TICKET_ATTRIBUTES = st.dictionaries(
    st.sampled_from(["note", "order_id", "total", "tags", "flag"]),
    st.one_of(
        st.sampled_from(TEXTS),
        st.sampled_from([n for n in NUMBERS if n != 2**63]),
        st.booleans(),
        st.none(),
        st.lists(st.one_of(st.sampled_from(TEXTS), st.integers(-200, 200)), max_size=3),
    ),
    max_size=4,
)
TICKET_FIELDS = [
    "id",
    "category",
    "priority",
    "priority_level",
    "tier",
    "tier_rank",
    "language",
    "customer.id",
    "customer.attributes.note",
    "attributes.note",
    "attributes.order_id",
    "attributes.total",
    "attributes.tags",
    "attributes.flag",
    "attributes.missing",
    "required_skills",
]


@st.composite
def ticket_conditions(draw: st.DrawFn) -> dict[str, Any]:
    field = draw(st.sampled_from(TICKET_FIELDS))
    op = draw(st.sampled_from(["eq", "ne", "lt", "ge", "contains", "matches", "exists", "in"]))
    if op == "matches":
        operand: Any = draw(st.sampled_from([r"\d", "^t-", "123", "(?i)REFUND"]))
    elif op == "exists":
        operand = draw(st.booleans())
    elif op == "in":
        operand = draw(st.lists(SCALARS, min_size=1, max_size=3))
    elif op in ("lt", "ge"):
        operand = draw(st.one_of(st.sampled_from(TEXTS), st.sampled_from(NUMBERS)))
    elif op == "contains":
        operand = draw(
            st.one_of(
                st.sampled_from(["123", "billing", "1", "refund", "t-1"]),
                st.sampled_from([1, 12, 123, 2.5, -5, True]),
            )
        )
    else:
        operand = draw(SCALARS)
    return {"field": field, op: operand}


@settings(max_examples=120, deadline=None, derandomize=True)
@given(
    conditions=st.lists(ticket_conditions(), min_size=1, max_size=4),
    ident=st.sampled_from(["t-1", "t-123", "T-9"]),
    category=st.sampled_from(["general", "refund", "order-123"]),
    priority=st.sampled_from(list(Priority)),
    attributes=TICKET_ATTRIBUTES,
    customer_attributes=TICKET_ATTRIBUTES,
    skills=st.sampled_from([(), ("billing",), {"billing": 3, "refund-1": 1}]),
)
def test_ticket_contexts_agree_with_the_reference(
    conditions: list[dict[str, Any]],
    ident: str,
    category: str,
    priority: Priority,
    attributes: dict[str, Any],
    customer_attributes: dict[str, Any],
    skills: Any,
) -> None:
    customer = Customer("c-123", Tier("gold", 2), attributes=customer_attributes)
    ticket = Ticket(
        ident,
        customer,
        "chat",
        T0,
        priority=priority,
        category=category,
        required_skills=skills,
        attributes=attributes,
    )
    ctx = ticket_context(ticket)
    rules = RuleSet(_rules(conditions), mode="all")
    expected = tuple(f"r{i}" for i, c in enumerate(conditions) if reference(c, ctx))
    assert rules.evaluate(ctx).matched == expected
    assert rules.evaluate(Lookup(ctx)).matched == expected


# -- worked examples, by hand --------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "operand", "holds"),
    [
        ("order 123 missing", 123, True),
        ("order 123 missing", "123", True),
        ("order 124 missing", 123, False),
        ("weight 2.5 kg", 2.5, True),
        ("weight 2.50 kg", 2.5, True),
        ("weight 25 kg", 2.5, False),
        ("balance -5", -5, True),
        ("x 100.0", 100.0, True),
        ("x 100", 100.0, False),  # a float's text is "100.0"
        ("x 1e+16", 1e16, True),
        ("said True", True, False),  # a boolean is found in no string
        ("said true", True, False),
        ([123, 4], 123, True),
        (["123"], 123, False),  # an element: Python's equality
        ([1], True, True),  # True == 1
        ({"123": 1}, 123, False),
        ({"123": 1}, "123", True),
        (123, "12", False),  # a number has no text to search
        (123, 123, False),
        (None, 1, False),
    ],
)
def test_contains_worked_examples(value: Any, operand: Any, holds: bool) -> None:
    rules = RuleSet([{"name": "r", "when": {"field": "subject", "contains": operand}}])
    twice = RuleSet(
        [
            {"name": "r", "when": {"field": "subject", "contains": operand}},
            {"name": "s", "when": {"not": {"field": "subject", "contains": operand}}},
        ]
    )
    for ctx in ({"subject": value}, SimpleNamespace(subject=value), Lookup({"subject": value})):
        assert (rules.evaluate(ctx).rule == "r") is holds
        assert twice.evaluate(ctx).matched == (("r",) if holds else ("s",))


def test_the_reverse_is_false_as_documented() -> None:
    """A string operand does not order a number, nor a number a string: false, never an
    error; the condition reads as written."""
    rules = RuleSet(
        [
            {"name": "quoted", "when": {"field": "total", "gt": "100"}},
            {"name": "number", "when": {"field": "total", "gt": 100}},
            {"name": "text", "when": {"field": "code", "lt": 5}},
        ],
        mode="all",
    )
    assert rules.evaluate({"total": 150, "code": "3"}).matched == ("number",)
    assert Comparison("subject", "contains", 123).to_dict() == {
        "field": "subject",
        "contains": 123,
    }
