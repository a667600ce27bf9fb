"""Loading rules: plain data validated, with the path to the first bad part, and parsed.

The rules come from administrators and the context values from the public, so the loader
checks every part against the language (:mod:`csflow.rules.syntax`) before anything is
compiled: it raises :class:`~csflow.errors.ConfigError` with the path to the first bad part
(``rules[2].when.all[0]: unknown operator 'inn'``), suggests the closest known word for a
misspelling, enforces the limits (:data:`~csflow.rules.syntax.MAX_RULES`,
:data:`~csflow.rules.syntax.MAX_DEPTH`, :data:`~csflow.rules.syntax.MAX_ITEMS`,
:data:`~csflow.rules.syntax.MAX_CONDITIONS`, ...) and refuses regular expressions with
catastrophic-backtracking shapes (:func:`csflow.rules.regex.check_pattern`).
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from csflow.errors import ConfigError
from csflow.rules._abbrev import short_repr
from csflow.rules.regex import check_pattern
from csflow.rules.syntax import (
    COMBINATORS,
    MAX_ABS_INT,
    MAX_CONDITIONS,
    MAX_DEPTH,
    MAX_FIELD_CHARS,
    MAX_FIELD_SEGMENTS,
    MAX_ITEMS,
    MAX_NAME_CHARS,
    MAX_RULES,
    MAX_STRING_CHARS,
    OPERATORS,
    ORDERING,
    RULE_KEYS,
    SEGMENT_RE,
    AllOf,
    AnyOf,
    Comparison,
    Condition,
    Not,
    Rule,
)

# Loader has a public name so that RuleSet may import it; RuleSet is its documented front.
__all__ = ["field_is_known"]

_ACTION_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


def _is_list(value: object) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes, bytearray))


def _check_keys(value: Mapping[Any, Any], path: str) -> None:
    for key in value:
        if not isinstance(key, str):
            raise ConfigError(f"keys must be strings, got {short_repr(key)}", path)


def _scalar(value: object, path: str, what: str = "a scalar (string, number, bool or null)") -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if not -MAX_ABS_INT <= value <= MAX_ABS_INT:
            raise ConfigError(f"integers must lie within ±2**63, got {short_repr(value)}", path)
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ConfigError(f"numbers must be finite, got {value!r}", path)
        return float(value)
    if isinstance(value, str):
        if len(value) > MAX_STRING_CHARS:
            raise ConfigError(
                f"strings must have at most {MAX_STRING_CHARS} characters, got {short_repr(value)}",
                path,
            )
        return str(value)
    raise ConfigError(f"expected {what}, got {short_repr(value)}", path)


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def field_is_known(field: str, known: Iterable[str]) -> bool:
    """Whether *field* is one of *known*, where an entry ``"x.*"`` admits every path under ``x``.

    Args:
        field: A dotted field path.
        known: Known paths, e.g. :data:`~csflow.rules.context.STANDARD_FIELDS`.

    Returns:
        ``True`` when *field* is listed, or a prefix of it is listed with ``.*``.
    """
    known_set = known if isinstance(known, (set, frozenset)) else set(known)
    if field in known_set:
        return True
    segments = field.split(".")
    return any(".".join(segments[:n]) + ".*" in known_set for n in range(1, len(segments)))


class Loader:
    """Validates rule dicts and parses them, counting conditions across the whole set.

    One loader reads one rule set (its condition count is the set's).

    Args:
        known_fields: If given, every field path must be one of these (see
            :func:`field_is_known`).
    """

    def __init__(self, known_fields: frozenset[str] | None) -> None:
        self.known_fields = known_fields
        self.conditions = 0

    def rules(self, raw: object) -> tuple[Rule, ...]:
        """Validate and parse a list of rule mappings.

        Args:
            raw: The rules as plain data.

        Returns:
            The parsed rules, in order.

        Raises:
            ConfigError: Anything malformed, with the path to it.
        """
        if isinstance(raw, Mapping) or not _is_list(raw):
            raise ConfigError(f"expected a list of rule mappings, got {short_repr(raw)}", "rules")
        assert isinstance(raw, Sequence)
        if len(raw) > MAX_RULES:
            raise ConfigError(f"at most {MAX_RULES} rules are allowed, got {len(raw)}", "rules")
        seen: dict[str, int] = {}
        out = []
        for i, item in enumerate(raw):
            rule = self.rule(item, f"rules[{i}]")
            if rule.name in seen:
                raise ConfigError(
                    f"duplicate rule name {rule.name!r} (first used by rules[{seen[rule.name]}])",
                    f"rules[{i}].name",
                )
            seen[rule.name] = i
            out.append(rule)
        return tuple(out)

    def rule(self, raw: object, path: str) -> Rule:
        if not isinstance(raw, Mapping):
            raise ConfigError(f"expected a rule mapping, got {short_repr(raw)}", path)
        _check_keys(raw, path)
        for key in raw:
            if key not in RULE_KEYS:
                raise ConfigError(
                    f"unknown key {key!r} (expected 'name', 'when', 'then' or 'description')"
                    f"{_suggest(key, RULE_KEYS)}",
                    path,
                )
        if "name" not in raw:
            raise ConfigError("missing required key 'name'", path)
        name = raw["name"]
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME_CHARS:
            raise ConfigError(
                f"rule name must be a non-blank string of at most {MAX_NAME_CHARS} characters, "
                f"got {short_repr(name)}",
                f"{path}.name",
            )
        description = raw.get("description", "")
        if not isinstance(description, str) or len(description) > MAX_STRING_CHARS:
            raise ConfigError(
                f"description must be a string of at most {MAX_STRING_CHARS} characters, "
                f"got {short_repr(description)}",
                f"{path}.description",
            )
        when = self.condition(raw["when"], f"{path}.when", 1) if "when" in raw else None
        then = self.actions(raw.get("then", {}), f"{path}.then")
        return Rule(name=str(name), when=when, then=then, description=str(description))

    # -- conditions ----------------------------------------------------------------------------

    def condition(self, raw: object, path: str, depth: int) -> Condition:
        # The depth check comes before any recursion, so hostile nesting (10,000 levels of
        # "not") fails here with a ConfigError instead of exhausting the interpreter's stack.
        if depth > MAX_DEPTH:
            raise ConfigError(f"conditions nest deeper than the limit of {MAX_DEPTH} levels", path)
        self.conditions += 1
        if self.conditions > MAX_CONDITIONS:
            raise ConfigError(
                f"a rule set may hold at most {MAX_CONDITIONS} conditions in all", path
            )
        if not isinstance(raw, Mapping):
            raise ConfigError(
                f"expected a condition mapping ('field' with an operator, or 'all', 'any', "
                f"'not'), got {short_repr(raw)}",
                path,
            )
        _check_keys(raw, path)
        if "field" in raw:
            return self.comparison(raw, path)
        keys = list(raw)
        if len(keys) != 1 or keys[0] not in COMBINATORS:
            unknown = [k for k in keys if k not in COMBINATORS]
            if not keys:
                raise ConfigError(
                    "empty condition: expected 'field' with an operator, "
                    "or one of 'all', 'any', 'not'",
                    path,
                )
            if unknown and unknown[0] in OPERATORS:
                raise ConfigError(f"operator {unknown[0]!r} needs a 'field'", path)
            if unknown:
                raise ConfigError(
                    f"unknown key {unknown[0]!r} (expected 'field' with an operator, "
                    f"or one of 'all', 'any', 'not'){_suggest(unknown[0], COMBINATORS)}",
                    path,
                )
            raise ConfigError(
                f"a condition has exactly one of 'all', 'any', 'not', got {keys!r}", path
            )
        key = keys[0]
        body = raw[key]
        if key == "not":
            return Not(self.condition(body, f"{path}.not", depth + 1))
        if not _is_list(body):
            raise ConfigError(f"{key!r} takes a list of conditions, got {short_repr(body)}", path)
        assert isinstance(body, Sequence)
        if not body:
            raise ConfigError(f"empty {key!r}: give at least one condition", f"{path}.{key}")
        if len(body) > MAX_ITEMS:
            raise ConfigError(
                f"{key!r} takes at most {MAX_ITEMS} conditions, got {len(body)}", f"{path}.{key}"
            )
        items = tuple(
            self.condition(item, f"{path}.{key}[{j}]", depth + 1) for j, item in enumerate(body)
        )
        return AllOf(items) if key == "all" else AnyOf(items)

    def comparison(self, raw: Mapping[str, Any], path: str) -> Comparison:
        ops = [k for k in raw if k != "field"]
        for op in ops:
            if op not in OPERATORS:
                raise ConfigError(
                    f"unknown operator {op!r} (expected one of {', '.join(OPERATORS)})"
                    f"{_suggest(op, OPERATORS)}",
                    path,
                )
        if not ops:
            raise ConfigError(
                f"missing an operator for field {short_repr(raw['field'])} "
                f"(expected one of {', '.join(OPERATORS)})",
                path,
            )
        if len(ops) > 1:
            raise ConfigError(
                f"a comparison has exactly one operator, got {', '.join(map(repr, ops))}", path
            )
        field = self.field(raw["field"], f"{path}.field")
        op = ops[0]
        return Comparison(field, op, self.operand(op, raw[op], f"{path}.{op}"))

    def field(self, raw: object, path: str) -> str:
        if not isinstance(raw, str) or not 0 < len(raw) <= MAX_FIELD_CHARS:
            raise ConfigError(
                f"field must be a dotted path of at most {MAX_FIELD_CHARS} characters, "
                f"got {short_repr(raw)}",
                path,
            )
        segments = raw.split(".")
        if len(segments) > MAX_FIELD_SEGMENTS or not all(SEGMENT_RE.match(s) for s in segments):
            raise ConfigError(
                f"field must be 1-{MAX_FIELD_SEGMENTS} dot-separated names of letters, digits, "
                f"'_' and '-', each starting with a letter or digit, got {raw!r}",
                path,
            )
        if self.known_fields is not None and not field_is_known(raw, self.known_fields):
            raise ConfigError(f"unknown field {raw!r}{_suggest(raw, self.known_fields)}", path)
        return str(raw)

    def operand(self, op: str, raw: object, path: str) -> Any:
        if op in ("eq", "ne"):
            return _scalar(raw, path)
        if op in ("in", "not_in"):
            if not _is_list(raw):
                raise ConfigError(f"{op!r} takes a list of scalars, got {short_repr(raw)}", path)
            assert isinstance(raw, Sequence)
            if not raw:
                raise ConfigError(f"{op!r} takes a non-empty list, got []", path)
            if len(raw) > MAX_ITEMS:
                raise ConfigError(f"{op!r} takes at most {MAX_ITEMS} values, got {len(raw)}", path)
            return tuple(_scalar(v, f"{path}[{j}]") for j, v in enumerate(raw))
        if op in ORDERING:
            if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
                raise ConfigError(
                    f"{op!r} compares with a number or a string, got non-orderable {short_repr(raw)}",
                    path,
                )
            return _scalar(raw, path)
        if op == "contains":
            if raw is None:
                raise ConfigError("'contains' takes a string, number or bool, got None", path)
            return _scalar(raw, path)
        if op == "matches":
            if not isinstance(raw, str):
                raise ConfigError(f"'matches' takes a pattern string, got {short_repr(raw)}", path)
            check_pattern(raw, path)
            return str(raw)
        # exists
        if not isinstance(raw, bool):
            raise ConfigError(f"'exists' takes true or false, got {short_repr(raw)}", path)
        return raw

    # -- actions -------------------------------------------------------------------------------

    def actions(self, raw: object, path: str) -> Mapping[str, Any]:
        if not isinstance(raw, Mapping):
            raise ConfigError(f"'then' must be a mapping of actions, got {short_repr(raw)}", path)
        _check_keys(raw, path)
        if len(raw) > MAX_ITEMS:
            raise ConfigError(f"at most {MAX_ITEMS} actions per rule, got {len(raw)}", path)
        out: dict[str, Any] = {}
        for key, value in raw.items():
            if not _ACTION_RE.match(key) or len(key) > 64:
                raise ConfigError(
                    f"action names are identifiers of at most 64 characters, got {key!r}", path
                )
            out[key] = self.action_value(value, f"{path}.{key}", nested=True)
        return MappingProxyType(out)

    def action_value(self, raw: object, path: str, *, nested: bool) -> Any:
        what = "a scalar, a list of scalars or a mapping" if nested else "a scalar or a list"
        if _is_list(raw):
            assert isinstance(raw, Sequence)
            if len(raw) > MAX_ITEMS:
                raise ConfigError(f"lists hold at most {MAX_ITEMS} values, got {len(raw)}", path)
            return tuple(_scalar(v, f"{path}[{j}]") for j, v in enumerate(raw))
        if isinstance(raw, Mapping):
            if not nested:
                raise ConfigError(f"expected {what}, got {short_repr(raw)}", path)
            _check_keys(raw, path)
            if len(raw) > MAX_ITEMS:
                raise ConfigError(
                    f"mappings hold at most {MAX_ITEMS} entries, got {len(raw)}", path
                )
            inner = {}
            for key, value in raw.items():
                if not key or len(key) > MAX_NAME_CHARS:
                    raise ConfigError(
                        f"keys must be 1-{MAX_NAME_CHARS} characters, got {short_repr(key)}", path
                    )
                inner[str(key)] = self.action_value(value, f"{path}.{key}", nested=False)
            return MappingProxyType(inner)
        return _scalar(raw, path, what)
