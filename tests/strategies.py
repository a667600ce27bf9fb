"""Hypothesis strategies and time helpers that several test files draw from.

A strategy lives here once two test files need it; where two files draw differently on purpose
(a wider grid, larger documents, other ids), the difference is a parameter of the one strategy,
spelled out at the call.  Strategies a user reuses for their own policies are public in
:mod:`csflow.testing`; these are the suite's own.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from hypothesis import strategies as st

from csflow.model import AgentProfile

__all__ = [
    "DAY",
    "EPOCH",
    "HOUR",
    "JSON_SCALARS",
    "MINUTE",
    "ONE_US",
    "RULE_ACTION_KEYS",
    "RULE_PATTERNS",
    "RULE_SEGMENTS",
    "SECOND",
    "Span",
    "agent_profiles",
    "datetime_of",
    "day_spans",
    "hhmm",
    "json_documents",
    "minute_of",
    "rule_conditions",
    "rule_contexts",
    "rule_lists",
    "us_of",
]

# -- the microsecond timeline (the calendar reference tests count in integer microseconds) ------

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_US = timedelta(microseconds=1)
SECOND = 1_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR

#: A span of a day's opening hours as written in a calendar: ``("HH:MM", "HH:MM")``.
Span = tuple[str, str]


def us_of(value: datetime) -> int:
    """Microseconds since the epoch of an aware datetime (exact, stdlib or pendulum).

    Built from the UTC fields rather than ``(value - EPOCH) // ONE_US``: pendulum's subtraction
    returns an ``Interval`` whose ``// timedelta`` raises AttributeError (pendulum 3.3).
    """
    u = value.astimezone(UTC)
    days = u.toordinal() - EPOCH.toordinal()
    return (((days * 24 + u.hour) * 60 + u.minute) * 60 + u.second) * SECOND + u.microsecond


def datetime_of(us: int, tz: tzinfo) -> datetime:
    """The aware datetime in *tz* of *us* microseconds since the epoch (fold set by astimezone)."""
    return (EPOCH + timedelta(microseconds=us)).astimezone(tz)


def hhmm(minute: int) -> str:
    """``"HH:MM"`` of a minute of the day; 1440 is ``"24:00"``."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def minute_of(text: str) -> int:
    """The minute of the day of ``"HH:MM"``."""
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


# -- calendars --------------------------------------------------------------------------------


@functools.cache  # strategies are built once: building and validating them is slow
def day_spans(grid: int, interesting: Sequence[int]) -> st.SearchStrategy[tuple[Span, ...]]:
    """0-3 sorted, non-overlapping, non-touching spans of one day.

    Args:
        grid: the minute grid the bounds fall on besides the *interesting* ones (15 or 1).
        interesting: minutes of the day drawn often (DST changes, midnight, "24:00").
    """
    point = st.one_of(
        st.sampled_from(tuple(interesting)),
        st.integers(0, 1440 // grid).map(lambda k: k * grid),
    )

    def pair_up(points: list[int]) -> tuple[Span, ...]:
        # Distinct sorted points, paired in order; an odd one out is dropped.  Only the last
        # point can be 1440, so "24:00" only ever ends a span.
        ordered = sorted(set(points))
        return tuple(
            (hhmm(ordered[i]), hhmm(ordered[i + 1])) for i in range(0, len(ordered) - 1, 2)
        )

    return st.lists(point, max_size=6).map(pair_up)


# -- agents -----------------------------------------------------------------------------------


def agent_profiles(
    agent_id: str,
    *,
    skills: Sequence[str],
    languages: Sequence[str],
    channels: Sequence[str],
    max_languages: int | None = None,
) -> st.SearchStrategy[AgentProfile]:
    """An agent with up to three skills (proficiency 1-5), at least one language, and a
    capacity of 0-3 on at least one of *channels* (0: the channel is listed but full).

    Args:
        agent_id: the agent's id.
        skills, languages, channels: what the agent's profile draws from.
        max_languages: at most this many languages (None: any number of *languages*).
    """
    return st.builds(
        AgentProfile,
        st.just(agent_id),
        st.dictionaries(st.sampled_from(skills), st.integers(1, 5), max_size=3),
        st.frozensets(st.sampled_from(languages), min_size=1, max_size=max_languages),
        st.dictionaries(st.sampled_from(channels), st.integers(0, 3), min_size=1),
    )


# -- plain-data documents (what a host loads from JSON or YAML) -------------------------------

#: The scalars of a JSON document.
JSON_SCALARS: st.SearchStrategy[Any] = (
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
)


def json_documents(
    scalars: st.SearchStrategy[Any] = JSON_SCALARS,
    keys: st.SearchStrategy[Hashable] | None = None,
    *,
    max_size: int = 3,
    max_leaves: int = 8,
) -> st.SearchStrategy[Any]:
    """Nested lists and mappings of *scalars*, as arbitrary data a loader must survive.

    Args:
        scalars: the leaves.
        keys: the mappings' keys (default: short text).
        max_size: the most items in one list or mapping.
        max_leaves: the most leaves in one document.
    """
    key_strategy: st.SearchStrategy[Hashable] = st.text(max_size=8) if keys is None else keys
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=max_size)
            | st.dictionaries(key_strategy, inner, max_size=max_size)
        ),
        max_leaves=max_leaves,
    )


# -- rule documents and the contexts they are evaluated against -----------------------------
#
# Few field names, values and patterns, so that conditions often match, often overlap and
# sometimes contradict each other.

RULE_SEGMENTS = ("a", "b", "c")
RULE_PATTERNS = ("^a", "b$", "ab", "a|b", "^a+$", "(?i)B")
RULE_ACTION_KEYS = ("x", "y", "tags", "meta")

_rule_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 2),
    st.sampled_from([0.5, -1.0, 2.0]),
    st.text("ab", max_size=2),
)
_orderables = st.one_of(st.integers(-2, 2), st.sampled_from([0.5, 1.5]), st.text("ab", max_size=2))
_fields = st.lists(st.sampled_from(RULE_SEGMENTS), min_size=1, max_size=2).map(".".join)


@st.composite
def _comparisons(draw: st.DrawFn) -> dict[str, Any]:
    op = draw(
        st.sampled_from(
            ["eq", "ne", "in", "not_in", "lt", "le", "gt", "ge", "contains", "matches", "exists"]
        )
    )
    if op in ("eq", "ne"):
        value: Any = draw(_rule_scalars)
    elif op in ("in", "not_in"):
        value = draw(st.lists(_rule_scalars, min_size=1, max_size=3))
    elif op in ("lt", "le", "gt", "ge"):
        value = draw(_orderables)
    elif op == "contains":
        value = draw(st.one_of(st.text("ab", max_size=2), st.integers(-2, 2), st.booleans()))
    elif op == "matches":
        value = draw(st.sampled_from(RULE_PATTERNS))
    else:
        value = draw(st.booleans())
    return {"field": draw(_fields), op: value}


#: A rule's ``when``: comparisons on :data:`RULE_SEGMENTS` fields under all / any / not.
rule_conditions: st.SearchStrategy[dict[str, Any]] = st.recursive(
    _comparisons(),
    lambda inner: st.one_of(
        st.builds(lambda cs: {"all": cs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda cs: {"any": cs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda c: {"not": c}, inner),
    ),
    max_leaves=5,
)
_action_values = st.one_of(
    _rule_scalars,
    st.lists(_rule_scalars, max_size=3),
    st.dictionaries(st.sampled_from(["p", "q"]), _rule_scalars, max_size=2),
)
_actions = st.dictionaries(st.sampled_from(RULE_ACTION_KEYS), _action_values, max_size=3)


@st.composite
def rule_lists(draw: st.DrawFn) -> list[dict[str, Any]]:
    """0-5 rules ``r0``, ``r1`` ..., most with a ``when``, about half with a ``then``."""
    n = draw(st.integers(0, 5))
    out = []
    for i in range(n):
        rule: dict[str, Any] = {"name": f"r{i}"}
        if draw(st.integers(0, 5)):
            rule["when"] = draw(rule_conditions)
        if draw(st.booleans()):
            rule["then"] = draw(_actions)
        out.append(rule)
    return out


_context_values = st.recursive(
    st.one_of(_rule_scalars, st.floats(allow_nan=True), st.text("abAB", max_size=4)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(RULE_SEGMENTS), inner, max_size=3),
    ),
    max_leaves=6,
)
#: What a rule set is evaluated against: nested values under :data:`RULE_SEGMENTS` keys.
rule_contexts: st.SearchStrategy[dict[str, Any]] = st.dictionaries(
    st.sampled_from(RULE_SEGMENTS), _context_values, max_size=3
)
