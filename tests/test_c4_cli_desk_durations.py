"""A desk section of a CLI config file takes durations as people write them, at every place a
desk document holds a duration, and nowhere else.

``docs/reference/cli.md``: "Durations may be written ``6m``, ``6min``, ``1h30m``, ``360s``,
``PT6M`` or a number of seconds, wherever a duration goes."  A desk document holds durations
at ``survey_delay``, ``close_solved_after``, ``affinity.timeout`` / ``.recency``,
``contacts.window``, a queue's ``default_allowance``, ``fallback``, ``allowances`` and
relaxation ``after``, a routing slot's ``delay``, an SLA policy's ``targets`` (one, or one per
priority) and ``warn_before``.  The reference: the same document with each duration written as
ISO 8601 seconds (``PT5400S``), read by :meth:`DeskConfig.from_dict` itself, must give an equal
configuration.  And a value that is not a duration -- a goodwill amount of an agent called
``after`` -- is passed on as written.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csflow import ConfigError, DeskConfig
from csflow.cli.documents import load_document

CAL = {"c": {"timezone": "UTC", "always_open": True}}


def human(seconds: int) -> str:
    """*seconds* in the short human form, each unit once, the largest first (``1h30m``)."""
    if seconds == 0:
        return "0s"
    out = ""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        n, seconds = divmod(seconds, size)
        if n:
            out += f"{n}{unit}"
    return out


def iso(seconds: int) -> str:
    return f"PT{seconds}S"


def desk_doc(d: dict[str, int], form: Any) -> dict[str, Any]:
    """A desk using every duration place, each duration *form*-ed from its seconds."""
    return {
        "calendars": CAL,
        "sla_policies": [
            {
                "name": "s",
                "calendar": "c",
                "targets": {
                    "first_response": form(d["first"]),
                    "resolution": {"urgent": form(d["urgent"]), "normal": form(d["normal"])},
                },
                "warn_before": [form(d["lead"])],
            }
        ],
        "queues": [
            {
                "name": "general",
                "allowances": {"*:low": form(d["allow"])},
                "default_allowance": form(d["default"]),
                "relaxation": [{"after": form(d["after"]), "proficiency": 1}],
            },
            {"name": "late", "key": "deadline", "fallback": form(d["fallback"])},
        ],
        "routing_profiles": [
            {"name": "p", "queues": ["general", {"queue": "late", "delay": form(d["delay"])}]}
        ],
        "strategies": ["preferred_agent"],
        "affinity": {"timeout": form(d["timeout"]), "recency": form(d["recency"])},
        "contacts": {"window": form(d["window"])},
        "survey_delay": form(d["survey"]),
        "close_solved_after": form(d["close"]),
    }


PLACES = (
    "first",
    "urgent",
    "normal",
    "lead",
    "allow",
    "default",
    "after",
    "fallback",
    "delay",
    "timeout",
    "recency",
    "window",
    "survey",
    "close",
)


def load(tmp: Path, doc: dict[str, Any]) -> DeskConfig:
    path = tmp / "desk.json"
    path.write_text(json.dumps({"desk": doc}), encoding="utf-8")
    config, _ = load_document(path).configs()
    return config


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.fixed_dictionaries({k: st.integers(1, 30 * 86400) for k in PLACES}))
def test_every_desk_duration_reads_the_human_form(tmp_path: Path, d: dict[str, int]) -> None:
    assert load(tmp_path, desk_doc(d, human)) == DeskConfig.from_dict(desk_doc(d, iso))


def test_worked_example_per_priority_targets_and_warn_before(tmp_path: Path) -> None:
    doc = desk_doc(dict.fromkeys(PLACES, 60), human)
    doc["sla_policies"][0]["targets"]["resolution"] = {"urgent": "4h", "normal": "1d"}
    doc["sla_policies"][0]["warn_before"] = ["15m", "1h30m"]
    doc["contacts"] = {"window": "30d"}
    config = load(tmp_path, doc)
    policy = config.sla_policies["s"]
    urgent, normal = policy.target("resolution", "urgent"), policy.target("resolution", "normal")
    assert urgent is not None
    assert urgent.duration == timedelta(hours=4)
    assert normal is not None
    assert normal.duration == timedelta(days=1)
    assert set(policy.warn_before) == {timedelta(minutes=15), timedelta(minutes=90)}
    assert config.contacts is not None
    assert config.contacts.window == timedelta(days=30)


@pytest.mark.parametrize(
    ("where", "value", "path"),
    [
        (
            ("sla_policies", 0, "targets", "resolution", "urgent"),
            "4 hourz",
            "desk.sla_policies[0].targets.resolution.urgent",
        ),
        (("sla_policies", 0, "warn_before", 0), "30m1h", "desk.sla_policies[0].warn_before[0]"),
        (("contacts", "window"), "-5m", "desk.contacts.window"),
    ],
)
def test_a_bad_human_duration_is_refused_at_its_path(
    tmp_path: Path, where: tuple[Any, ...], value: str, path: str
) -> None:
    doc = desk_doc(dict.fromkeys(PLACES, 60), human)
    node: Any = doc
    for step in where[:-1]:
        node = node[step]
    node[where[-1]] = value
    with pytest.raises(ConfigError) as info:
        load(tmp_path, doc)
    assert info.value.path == path
    assert repr(value) in str(info.value)


@pytest.mark.parametrize("name", ["after", "delay", "fallback", "timeout", "window"])
def test_names_that_look_like_duration_keys_keep_their_values(tmp_path: Path, name: str) -> None:
    """A goodwill amount of an agent (or a team pot, a tier's limit) is an amount, whatever
    the name: ``"12.50"`` stays a decimal string (a float would be refused)."""
    doc = {
        "tiers": [{"name": name, "rank": 1}],
        "queues": [{"name": "q"}],
        "teams": {name: {"queue": "q"}},
        "goodwill": {
            "currency": "EUR",
            "agents": {name: "12.50"},
            "teams": {name: "100.25"},
            "per_ticket": {name: "7.5"},
        },
        "presence": {name: True},
    }
    assert load(tmp_path, doc) == DeskConfig.from_dict(doc)
