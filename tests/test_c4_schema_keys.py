"""The JSON Schema lists, at every part of a desk document whose keys are fixed, exactly the
keys ``DeskConfig.from_dict`` takes there: an editor flags a misspelt ``nmae`` as the reader
refuses it, and no key the reader takes is flagged.  The schema stays looser than the reader,
never stricter: every valid generated desk document is valid against it.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings

from csflow import ConfigError, DeskConfig
from csflow.cli.schema import schema
from test_cli_review3 import _valid
from test_config_round_trip import desk_documents

SCHEMA = schema()
DESK = SCHEMA["properties"]["desk"]

FULL: dict[str, Any] = {
    "tiers": [{"name": "gold", "rank": 3}],
    "calendars": {"office": {"timezone": "UTC", "weekly": {"mon": [["08:00", "17:00"]]}}},
    "sla_policies": [{"name": "std", "calendar": "office", "targets": {"first_response": 60}}],
    "queues": [
        {"name": "general", "relaxation": [{"after": 60, "proficiency": 1}]},
        {"name": "billing", "key": "deadline", "fallback": 3600},
    ],
    "routing_profiles": [{"name": "front", "queues": [{"queue": "general"}, "billing"]}],
    "strategies": ["preferred_agent"],
    "affinity": {"timeout": 60},
    "triage": {"mode": "first", "rules": [{"name": "all", "then": {"queue": "general"}}]},
    "teams": {"front": {"queue": "general"}, "finance": {"queue": "billing"}},
    "escalation": {
        "teams": ["front", "finance"],
        "entry": ["front"],
        "edges": [["front", "finance"]],
    },
    "escalation_rules": [{"name": "late", "then": {"priority": "urgent"}}],
    "transfers": {"max_transfers": 2},
    "capacity": {"budget": 3},
    "contacts": {"window": 3600},
    "goodwill": {"currency": "IDR", "decimals": 0},
}

# Where a part with fixed keys sits: in the document, and in the schema (from the desk node).
PLACES: list[tuple[tuple[Any, ...], tuple[str, ...]]] = [
    ((), ()),
    (("tiers", 0), ("tiers", "items")),
    (("calendars", "office"), ("calendars", "additionalProperties")),
    (("sla_policies", 0), ("sla_policies", "items")),
    (("queues", 0), ("queues", "items")),
    (("queues", 0, "relaxation", 0), ("queues", "items", "properties", "relaxation", "items")),
    (("routing_profiles", 0), ("routing_profiles", "items")),
    (
        ("routing_profiles", 0, "queues", 0),
        ("routing_profiles", "items", "properties", "queues", "items"),
    ),
    (("affinity",), ("affinity",)),
    (("triage",), ("triage",)),
    (("triage", "rules", 0), ("triage", "properties", "rules", "items")),
    (("teams", "front"), ("teams", "additionalProperties")),
    (("escalation",), ("escalation",)),
    (("escalation_rules", 0), ("escalation_rules", "items")),
    (("transfers",), ("transfers",)),
    (("capacity",), ("capacity",)),
    (("contacts",), ("contacts",)),
    (("goodwill",), ("goodwill",)),
]


def node_at(doc: Any, where: tuple[Any, ...]) -> Any:
    for step in where:
        doc = doc[step]
    return doc


def schema_keys(where: tuple[str, ...]) -> set[str]:
    node = DESK
    for step in where:
        node = node["properties"][step] if step in node.get("properties", {}) else node[step]
    assert node["additionalProperties"] is False
    return set(node["properties"])


def refused_as_unknown(doc: dict[str, Any], key: str) -> bool:
    try:
        DeskConfig.from_dict(doc)
    except ConfigError as exc:
        return f"unknown key {key!r}" in str(exc) or f"unknown keys [{key!r}]" in str(exc)
    return False


def test_the_full_document_is_valid_to_both() -> None:
    DeskConfig.from_dict(FULL)
    assert _valid(SCHEMA, {"desk": FULL}, SCHEMA)


@pytest.mark.parametrize(("where", "pointer"), PLACES, ids=lambda p: ".".join(map(str, p)))
def test_the_schema_lists_the_keys_the_reader_takes(
    where: tuple[Any, ...], pointer: tuple[str, ...]
) -> None:
    listed = schema_keys(pointer)
    # A key the schema does not list: both refuse it.
    doc = copy.deepcopy(FULL)
    node_at(doc, where)["nmae"] = 1
    assert refused_as_unknown(doc, "nmae")
    assert not _valid(SCHEMA, {"desk": doc}, SCHEMA)
    # Each key it lists: the reader knows it there (whatever it says of the value).
    for key in sorted(listed):
        doc = copy.deepcopy(FULL)
        node_at(doc, where).setdefault(key, None)
        assert not refused_as_unknown(doc, key), key


def test_the_triage_forms_and_null_sections_stay_valid() -> None:
    forms: list[Any] = [[{"name": "x", "then": {"queue": "general"}}], {"rules": []}]
    for triage in forms:
        assert _valid(SCHEMA, {"desk": {**FULL, "triage": triage}}, SCHEMA)
    nulls = {"contacts": None, "goodwill": None, "escalation": None, "escalation_rules": None}
    DeskConfig.from_dict({**FULL, **nulls})
    assert _valid(SCHEMA, {"desk": {**FULL, **nulls}}, SCHEMA)
    by_name = {"std": {"calendar": "office", "targets": {"first_response": 60}}}
    DeskConfig.from_dict({**FULL, "sla_policies": by_name})
    assert _valid(SCHEMA, {"desk": {**FULL, "sla_policies": by_name}}, SCHEMA)
    assert not _valid(SCHEMA, {"desk": {**FULL, "sla_policies": {"std": {"nmae": 1}}}}, SCHEMA)


@settings(max_examples=60)
@given(desk_documents())
def test_every_valid_desk_document_is_valid_against_the_schema(doc: dict[str, Any]) -> None:
    DeskConfig.from_dict(doc)
    assert _valid(SCHEMA, {"desk": doc}, SCHEMA)
