"""A small JSON Schema validator for the tests (jsonschema is not installed in the dev
environment): exactly the keywords csflow's schemas use, with draft 2020-12 semantics.  It
refuses to run on a keyword it does not implement, so it cannot silently pass."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["KNOWN_KEYWORDS", "schema_valid"]


def _json_type(value: Any, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "integer":  # 1.0 is an integer in JSON Schema: a number without a fraction
        if isinstance(value, int) and not isinstance(value, bool):
            return True  # also one past a float's range (10**400), which float() refuses
        return _json_type(value, "number") and float(value).is_integer()
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "null":
        return value is None
    if kind == "array":
        return isinstance(value, (list, tuple))
    if kind == "object":
        return isinstance(value, Mapping)
    raise AssertionError(f"validator does not know type {kind!r}")


def _same(a: Any, b: Any) -> bool:
    """JSON equality: ``1 == True`` in Python, not in JSON."""
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else a == b


KNOWN_KEYWORDS = {
    "$schema", "title", "description", "$defs", "$ref", "type", "maxItems", "minItems",
    "items", "required", "additionalProperties", "properties", "patternProperties",
    "minProperties",
    "maxProperties", "oneOf", "anyOf", "not", "maxLength", "minLength", "pattern",
    "propertyNames", "const", "enum", "minimum", "maximum", "exclusiveMinimum", "format",
}  # fmt: skip


def schema_valid(value: Any, schema: Mapping[str, Any], root: Mapping[str, Any]) -> bool:
    """Whether *value* is valid against *schema* (whose ``$ref``s point into *root*)."""
    unknown = set(schema) - KNOWN_KEYWORDS
    assert not unknown, f"the test validator does not implement {unknown}"
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        if not schema_valid(value, root["$defs"][name], root):
            return False
    if "type" in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_json_type(value, k) for k in kinds):
            return False
    if "const" in schema and not _same(value, schema["const"]):
        return False
    if "enum" in schema and not any(_same(value, v) for v in schema["enum"]):
        return False
    if "oneOf" in schema and sum(schema_valid(value, s, root) for s in schema["oneOf"]) != 1:
        return False
    if "anyOf" in schema and not any(schema_valid(value, s, root) for s in schema["anyOf"]):
        return False
    if "not" in schema and schema_valid(value, schema["not"], root):
        return False
    if _json_type(value, "number"):
        if "minimum" in schema and value < schema["minimum"]:
            return False
        if "maximum" in schema and value > schema["maximum"]:
            return False
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            return False
    if isinstance(value, str):
        if len(value) > schema.get("maxLength", len(value)):
            return False
        if len(value) < schema.get("minLength", 0):
            return False
        if "pattern" in schema and not re.search(schema["pattern"], value):
            return False
    if isinstance(value, (list, tuple)):
        if not schema.get("minItems", 0) <= len(value) <= schema.get("maxItems", len(value)):
            return False
        if "items" in schema and not all(schema_valid(v, schema["items"], root) for v in value):
            return False
    if isinstance(value, Mapping):
        if (
            not schema.get("minProperties", 0)
            <= len(value)
            <= schema.get("maxProperties", len(value))
        ):
            return False
        if any(key not in value for key in schema.get("required", ())):
            return False
        props = schema.get("properties", {})
        patterns = schema.get("patternProperties", {})
        for key, item in value.items():
            if "propertyNames" in schema and not schema_valid(key, schema["propertyNames"], root):
                return False
            # A key a pattern matches is checked against it, and is not an additional one.
            matched = [sub for pattern, sub in patterns.items() if re.search(pattern, key)]
            if any(not schema_valid(item, sub, root) for sub in matched):
                return False
            if key in props:
                if not schema_valid(item, props[key], root):
                    return False
            elif matched:
                continue
            elif "additionalProperties" in schema:
                extra = schema["additionalProperties"]
                if extra is False or (extra is not True and not schema_valid(item, extra, root)):
                    return False
    return True
