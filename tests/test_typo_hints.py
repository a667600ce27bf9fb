"""A misspelt key or name in a config document is refused with the closest right one named.

Calendars, SLA policies, escalation graphs and enum values (metrics, priorities, tiers) read
from a document name the key they expected ("did you mean 'timezone'?"), as the desk's own
keys do; the hint stays cheap on hostile input (a huge key, thousands of names).
"""

from __future__ import annotations

import difflib
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow._text import did_you_mean
from csflow.calendar import DAY_KEYS, BusinessCalendar
from csflow.errors import CalendarError, ConfigError
from csflow.model import Metric, TicketStatus, parse_member
from csflow.routing.escalation import EscalationGraph
from csflow.sla.policy import SLA_POLICY_KEYS, SlaPolicy

CALENDAR_KEYS = ("timezone", "weekly", "holidays", "special_days", "always_open")
GRAPH = {"teams": ["front", "technical", "finance"], "entry": ["front"]}
HINT = re.compile(r"; did you mean '([^']*)'\?$")


def _hinted(message: str) -> str | None:
    found = HINT.search(message)
    return None if found is None else found.group(1)


def _typos(word: str) -> st.SearchStrategy[str]:
    """One edit of *word*: a letter dropped, doubled, swapped with the next, or replaced."""
    n = len(word)
    letters = st.sampled_from("abcdefghijklmnopqrstuvwxyz_")
    return st.one_of(
        st.integers(0, n - 1).map(lambda i: word[:i] + word[i + 1 :]),
        st.integers(0, n - 1).map(lambda i: word[: i + 1] + word[i:]),
        st.integers(0, n - 2).map(lambda i: word[:i] + word[i + 1] + word[i] + word[i + 2 :]),
        st.tuples(st.integers(0, n - 1), letters).map(
            lambda p: word[: p[0]] + p[1] + word[p[0] + 1 :]
        ),
    )


def _best(word: str, names: tuple[str, ...]) -> float:
    return max(difflib.SequenceMatcher(None, word, name).ratio() for name in names)


def _check_hint(message: str, typo: str, names: tuple[str, ...]) -> None:
    hinted = _hinted(message)
    assert hinted is not None, message
    assert hinted in names
    # The hint is (one of) the closest names: none is strictly closer.
    assert difflib.SequenceMatcher(None, typo, hinted).ratio() == _best(typo, names)


@settings(max_examples=60)
@given(st.sampled_from(CALENDAR_KEYS).flatmap(_typos))
def test_a_misspelt_calendar_key_names_the_closest_key(typo: str) -> None:
    if typo in CALENDAR_KEYS:
        return  # the edit made another key (none does today; a new key might)
    with pytest.raises(ConfigError) as caught:
        BusinessCalendar.from_dict({typo: "UTC"}, path="calendars.support")
    assert caught.value.path == "calendars.support"
    _check_hint(str(caught.value), typo, CALENDAR_KEYS)


@settings(max_examples=60)
@given(st.sampled_from(SLA_POLICY_KEYS).flatmap(_typos))
def test_a_misspelt_sla_policy_key_names_the_closest_key(typo: str) -> None:
    if typo in SLA_POLICY_KEYS:
        return  # ``calendars`` less its ``s`` is ``calendar``
    data: dict[str, Any] = {
        "name": "gold",
        "calendar": {"always_open": True},
        "targets": {"first_response": "PT1H"},
        typo: None,
    }
    with pytest.raises(ConfigError) as caught:
        SlaPolicy.from_dict(data, path="sla_policies[0]")
    assert caught.value.path == "sla_policies[0]"
    _check_hint(str(caught.value), typo, tuple(SLA_POLICY_KEYS))


@settings(max_examples=60)
@given(st.sampled_from([m.value for m in Metric]).flatmap(_typos))
def test_a_misspelt_metric_names_the_closest_metric(typo: str) -> None:
    names = tuple(m.value for m in Metric)
    if typo in names:
        return
    with pytest.raises(ConfigError) as caught:
        parse_member(Metric, typo, "metric")
    _check_hint(str(caught.value), typo, names)


def test_worked_examples_from_an_administrators_file() -> None:
    cases: list[tuple[Any, str]] = [
        (lambda: BusinessCalendar.from_dict({"timezon": "Asia/Jakarta"}), "timezone"),
        (lambda: BusinessCalendar.from_dict({"weekly": {"Monday": []}}), "mon"),
        (lambda: BusinessCalendar.from_dict({"weekly": {"wednesday": []}}), "wed"),
        (lambda: BusinessCalendar.from_dict({"weekly": {"thr": []}}), "thu"),
        (lambda: BusinessCalendar("UTC", weekly={"Friday": []}), "fri"),
        (
            lambda: SlaPolicy.from_dict(
                {"name": "gold", "calendar": {"always_open": True}, "target": {}}
            ),
            "targets",
        ),
        (
            lambda: SlaPolicy.from_dict(
                {
                    "name": "gold",
                    "calendar": "office",
                    "targets": {"first_response": "PT1H"},
                },
                calendars={"offices": BusinessCalendar("UTC")},
            ),
            "offices",
        ),
        (
            lambda: SlaPolicy.from_dict(
                {
                    "name": "gold",
                    "calendar": {"always_open": True},
                    "targets": {"first_reponse": "PT1H"},
                }
            ),
            "first_response",
        ),
        (lambda: EscalationGraph.from_dict({**GRAPH, "edge": []}), "edges"),
        (lambda: EscalationGraph.from_dict({**GRAPH, "entry": ["frnot"]}), "front"),
        (
            lambda: EscalationGraph.from_dict({**GRAPH, "edges": {"front": ["technicl"]}}),
            "technical",
        ),
        (lambda: parse_member(TicketStatus, "PENDNG", "status"), "pending"),
    ]
    for build, expected in cases:
        with pytest.raises((ConfigError, CalendarError)) as caught:
            build()
        assert _hinted(str(caught.value)) == expected, str(caught.value)


def test_no_hint_when_nothing_is_close() -> None:
    with pytest.raises(ConfigError) as caught:
        BusinessCalendar.from_dict({"xyzzy": 1})
    assert "did you mean" not in str(caught.value)
    with pytest.raises(ConfigError) as caught:
        BusinessCalendar.from_dict({"weekly": {"someday": []}})
    assert "did you mean" not in str(caught.value)
    assert did_you_mean(7, DAY_KEYS) == ""
    assert did_you_mean(None, ["none"]) == ""


def test_the_hint_stays_cheap_on_hostile_input() -> None:
    # A key of a megabyte is no typo of a name: no hint, and no quadratic comparison.
    huge = "timezone" * 125_000
    with pytest.raises(ConfigError) as caught:
        BusinessCalendar.from_dict({huge: "UTC"})
    assert "did you mean" not in str(caught.value)
    assert len(str(caught.value)) < 2_000
    # Among more than 10,000 names nothing is hinted; 10,000 are still compared.
    many = [f"team{i}" for i in range(10_001)]
    assert did_you_mean("team1", many) == ""
    assert did_you_mean("teamm1", many[:10_000]) == "; did you mean 'team1'?"
    # A name longer than 200 characters is passed over; a word longer than 100 is not looked up.
    assert did_you_mean("a" * 150, ["a" * 150]) == ""
    assert did_you_mean("b" * 90, ["b" * 201]) == ""
    assert did_you_mean("b" * 90, ["b" * 91]) == f"; did you mean {'b' * 91!r}?"
