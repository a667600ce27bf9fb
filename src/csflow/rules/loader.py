"""Loading rules: plain data validated, with the path to the first bad part, and parsed.

The rules come from administrators and the context values from the public, so the loader
checks every part against the language (:mod:`csflow.rules.syntax`) before anything is
compiled: it raises :class:`~csflow.errors.ConfigError` with the path to the first bad part
(``rules[2].when.all[0]: unknown operator 'inn'``), suggests the closest known word for a
misspelling, enforces the limits (:data:`~csflow.rules.syntax.MAX_RULES`,
:data:`~csflow.rules.syntax.MAX_DEPTH`, :data:`~csflow.rules.syntax.MAX_ITEMS`,
:data:`~csflow.rules.syntax.MAX_CONDITIONS`, a million values in all ``in``/``not_in``
lists and action lists and mappings (``MAX_VALUES``) ...), refuses regular expressions with
catastrophic-backtracking shapes (:func:`csflow.rules.regex.check_pattern`) and holds the
estimated work of all the rule set's ``matches`` searches to
:data:`~csflow.rules.regex.REGEX_TOTAL_BUDGET`.  The checks of each part are the ones the
parsed-form classes run (:mod:`csflow.rules.syntax`), applied here with the path in the
document; the parsed form is then built without checking it all a second time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

from csflow._text import did_you_mean
from csflow.errors import ConfigError
from csflow.rules._abbrev import short_repr
from csflow.rules.regex import REGEX_TOTAL_BUDGET, PatternCache
from csflow.rules.syntax import (
    COMBINATORS,
    MAX_CONDITIONS,
    MAX_DEPTH,
    MAX_ITEMS,
    MAX_RULES,
    MAX_SUBJECT_CHARS,
    OPERATORS,
    RULE_KEYS,
    AllOf,
    AnyOf,
    Comparison,
    Condition,
    Not,
    Rule,
    ValueCount,
    check_actions,
    check_description,
    check_field,
    check_keys,
    check_operand,
    check_operator,
    check_rule_name,
    checked_comparison,
    checked_rule,
    is_list,
    suggest,
)

# Loader has a public name so that RuleSet may import it; RuleSet is its documented front.
__all__ = ["field_is_known"]


def field_is_known(field: str, known: Iterable[str]) -> bool:
    """Whether *field* is one of *known*, where an entry ``"x.*"`` admits every path under ``x``.

    Args:
        field: A dotted field path.
        known: Known paths, e.g. :data:`~csflow.rules.context.STANDARD_FIELDS`.

    Returns:
        ``True`` when *field* is listed, or a prefix of it is listed with ``.*``.

    Raises:
        ConfigError: *field* is not a string, or *known* is a string or not a collection of
            field paths (a string would be read as the set of its characters).
    """
    if not isinstance(field, str):
        raise ConfigError(
            f"field must be a dotted path (a string), got {short_repr(field)}", "field"
        )
    if isinstance(known, (set, frozenset)):
        known_set: AbstractSet[object] = known
    else:
        if isinstance(known, (str, bytes, bytearray)):
            raise ConfigError(
                f"known must be a collection of field paths, not one string, got {short_repr(known)}",
                "known",
            )
        try:
            known_set = set(known)
        except TypeError:
            raise ConfigError(
                f"known must be a collection of field paths, got {short_repr(known)}", "known"
            ) from None
    if field in known_set:
        return True
    segments = field.split(".")
    return any(".".join(segments[:n]) + ".*" in known_set for n in range(1, len(segments)))


class Loader:
    """Validates rule dicts and parses them, counting conditions across the whole set.

    One loader reads one rule set (its condition count, and the estimated work of its
    ``matches`` searches, are the set's).

    Args:
        known_fields: If given, every field path must be one of these (see
            :func:`field_is_known`).
        patterns: Where the ``matches`` patterns' checks are kept (a new one if not given);
            while it is :meth:`~csflow.rules.regex.PatternCache.active`, the compiler takes
            their searches from it, so each distinct pattern is parsed and compiled once in a
            load.
    """

    def __init__(
        self, known_fields: frozenset[str] | None, patterns: PatternCache | None = None
    ) -> None:
        self.known_fields = known_fields
        self.patterns = PatternCache() if patterns is None else patterns
        self.conditions = 0
        # Every matches condition runs its search once per evaluation (the compiled rule set
        # caches nothing between conditions), so the set's worst case is the sum of them all.
        self.regex_steps = 0
        # The values of its in/not_in lists and actions' lists and mappings (MAX_VALUES).
        self.values = ValueCount()

    def rules(self, raw: object) -> tuple[Rule, ...]:
        """Validate and parse a list of rule mappings.

        Args:
            raw: The rules as plain data.

        Returns:
            The parsed rules, in order.

        Raises:
            ConfigError: Anything malformed, with the path to it.
        """
        if isinstance(raw, Mapping) or not is_list(raw):
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
                    # No path in the text: a desk names these rules triage[i] or triage.rules[i].
                    f"duplicate rule name {rule.name!r} "
                    f"(also used by the rule at index {seen[rule.name]})",
                    f"rules[{i}].name",
                )
            seen[rule.name] = i
            out.append(rule)
        return tuple(out)

    def rule(self, raw: object, path: str) -> Rule:
        if not isinstance(raw, Mapping):
            raise ConfigError(f"expected a rule mapping, got {short_repr(raw)}", path)
        check_keys(raw, path)
        for key in raw:
            if key not in RULE_KEYS:
                raise ConfigError(
                    f"unknown key {short_repr(key)} (expected 'name', 'when', 'then' or "
                    f"'description'){did_you_mean(key, RULE_KEYS)}",
                    path,
                )
        if "name" not in raw:
            raise ConfigError("missing required key 'name'", path)
        name = check_rule_name(raw["name"], f"{path}.name")
        description = check_description(raw.get("description", ""), f"{path}.description")
        when = self.condition(raw["when"], f"{path}.when", 1) if "when" in raw else None
        then = check_actions(raw.get("then", {}), f"{path}.then", self.values)
        return checked_rule(name, when, then, description)

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
        check_keys(raw, path)
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
                    f"unknown key {short_repr(unknown[0])} (expected 'field' with an operator, "
                    f"or one of 'all', 'any', 'not'){did_you_mean(unknown[0], COMBINATORS)}",
                    path,
                )
            raise ConfigError(
                f"a condition has exactly one of 'all', 'any', 'not', got {short_repr(keys)}", path
            )
        key = keys[0]
        body = raw[key]
        if key == "not":
            return Not(self.condition(body, f"{path}.not", depth + 1))
        if not is_list(body):
            raise ConfigError(
                f"{key!r} takes a list of conditions, got {short_repr(body)}", f"{path}.{key}"
            )
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
        ops = [check_operator(k, path) for k in raw if k != "field"]
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
        operand = check_operand(op, raw[op], f"{path}.{op}", self.values)
        if op == "matches":
            self.pattern(operand, f"{path}.{op}")
        return checked_comparison(field, op, operand)

    def field(self, raw: object, path: str) -> str:
        field = check_field(raw, path)
        if self.known_fields is not None and not field_is_known(field, self.known_fields):
            raise ConfigError(f"unknown field {field!r}{suggest(field, self.known_fields)}", path)
        return field

    def pattern(self, pattern: str, path: str) -> None:
        """Check a ``matches`` pattern and add its estimated work to the rule set's."""
        steps = self.patterns.cost(pattern, path)
        self.regex_steps += steps
        if self.regex_steps > REGEX_TOTAL_BUDGET:
            raise ConfigError(
                f"pattern {short_repr(pattern)} brings the estimated worst-case work of this "
                f"rule set's 'matches' searches to {self.regex_steps:,} steps per evaluation "
                f"(this pattern: {steps:,}, each search on {MAX_SUBJECT_CHARS} characters), over "
                f"the budget of {REGEX_TOTAL_BUDGET:,} steps a rule set: use fewer or cheaper "
                "patterns (anchored with '^', without open-ended quantifiers)",
                path,
            )
