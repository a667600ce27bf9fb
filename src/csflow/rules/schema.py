"""A JSON Schema of the rule language, for editors and validators outside Python.

The schema is the language's shape and types; the loader (:mod:`csflow.rules.loader`) is the
authority and checks more (unique names, nesting depth, total size, integer range and
regular-expression safety), and the tests check both on the same examples.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from csflow.rules.syntax import (
    MAX_FIELD_CHARS,
    MAX_FIELD_SEGMENTS,
    MAX_ITEMS,
    MAX_NAME_CHARS,
    MAX_PATTERN_CHARS,
    MAX_RULES,
    MAX_STRING_CHARS,
    SEGMENT_PATTERN,
)

__all__ = ["SCHEMA"]

_SCALAR_SCHEMA: dict[str, Any] = {
    "type": ["string", "number", "boolean", "null"],
    "maxLength": MAX_STRING_CHARS,
}
_LIST_SCHEMA: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "maxItems": MAX_ITEMS,
    "items": {"$ref": "#/$defs/scalar"},
}
_ORDERABLE_SCHEMA: dict[str, Any] = {"type": ["string", "number"], "maxLength": MAX_STRING_CHARS}


def _combinator_schema(key: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": [key],
        "additionalProperties": False,
        "properties": {key: body},
    }


SCHEMA: Final[Mapping[str, Any]] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "csflow rule set",
    "description": (
        "A list of rules for csflow.rules.RuleSet.from_dicts.  The schema checks shape and "
        "types; the loader also checks unique names, nesting depth, total size and regular "
        "expression safety."
    ),
    "type": "array",
    "maxItems": MAX_RULES,
    "items": {"$ref": "#/$defs/rule"},
    "$defs": {
        "scalar": _SCALAR_SCHEMA,
        "field": {
            "type": "string",
            "maxLength": MAX_FIELD_CHARS,
            "pattern": (rf"^{SEGMENT_PATTERN}(\.{SEGMENT_PATTERN}){{0,{MAX_FIELD_SEGMENTS - 1}}}$"),
        },
        "rule": {
            "type": "object",
            "required": ["name"],
            "additionalProperties": False,
            "properties": {
                "name": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": MAX_NAME_CHARS,
                    "pattern": r"\S",
                },
                "description": {"type": "string", "maxLength": MAX_STRING_CHARS},
                "when": {"$ref": "#/$defs/condition"},
                "then": {"$ref": "#/$defs/actions"},
            },
        },
        "condition": {
            "oneOf": [
                {"$ref": "#/$defs/comparison"},
                {"$ref": "#/$defs/all"},
                {"$ref": "#/$defs/any"},
                {"$ref": "#/$defs/not"},
            ]
        },
        "comparison": {
            "type": "object",
            "required": ["field"],
            # "field" plus exactly one operator.
            "minProperties": 2,
            "maxProperties": 2,
            "additionalProperties": False,
            "properties": {
                "field": {"$ref": "#/$defs/field"},
                "eq": {"$ref": "#/$defs/scalar"},
                "ne": {"$ref": "#/$defs/scalar"},
                "in": _LIST_SCHEMA,
                "not_in": _LIST_SCHEMA,
                "lt": _ORDERABLE_SCHEMA,
                "le": _ORDERABLE_SCHEMA,
                "gt": _ORDERABLE_SCHEMA,
                "ge": _ORDERABLE_SCHEMA,
                "contains": {
                    "type": ["string", "number", "boolean"],
                    "maxLength": MAX_STRING_CHARS,
                },
                "matches": {"type": "string", "maxLength": MAX_PATTERN_CHARS},
                "exists": {"type": "boolean"},
            },
        },
        "all": _combinator_schema(
            "all",
            {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_ITEMS,
                "items": {"$ref": "#/$defs/condition"},
            },
        ),
        "any": _combinator_schema(
            "any",
            {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_ITEMS,
                "items": {"$ref": "#/$defs/condition"},
            },
        ),
        "not": _combinator_schema("not", {"$ref": "#/$defs/condition"}),
        "actions": {
            "type": "object",
            "maxProperties": MAX_ITEMS,
            "propertyNames": {"pattern": "^[A-Za-z][A-Za-z0-9_]*$", "maxLength": 64},
            "additionalProperties": {"$ref": "#/$defs/action_value"},
        },
        "action_list": {
            "type": "array",
            "maxItems": MAX_ITEMS,
            "items": {"$ref": "#/$defs/scalar"},
        },
        "action_value": {
            "anyOf": [
                {"$ref": "#/$defs/scalar"},
                {"$ref": "#/$defs/action_list"},
                {
                    "type": "object",
                    "maxProperties": MAX_ITEMS,
                    "propertyNames": {"minLength": 1, "maxLength": MAX_NAME_CHARS},
                    "additionalProperties": {
                        "anyOf": [{"$ref": "#/$defs/scalar"}, {"$ref": "#/$defs/action_list"}]
                    },
                },
            ]
        },
    },
}
"""A JSON Schema (draft 2020-12) of the rule language: what :meth:`RuleSet.from_dicts` takes.

It checks shape and types; the loader additionally checks unique names, the nesting and size
limits, integer range and regular-expression safety."""
