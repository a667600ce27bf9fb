"""The rule language: its parsed form, its operators and its limits.

A rule set is loaded from plain data (:mod:`csflow.rules.loader`) into the frozen values
defined here (:class:`Rule`, :class:`Comparison`, :class:`AllOf`, :class:`AnyOf`,
:class:`Not`), which lint and documentation tools can walk and which the compiler
(:mod:`csflow.rules.compiler`) turns into functions.

The language
------------
A rule is a mapping with ``name`` (required, unique), ``when`` (a condition; omitted means
*always*), ``then`` (the actions, a mapping; may be omitted) and ``description``.

A condition is one of:

* ``{"field": PATH, OP: OPERAND}`` with exactly one operator:

  ====================== =================================================================
  ``eq`` / ``ne``         equal / not equal to a scalar (string, number, boolean, null)
  ``in`` / ``not_in``     equal / equal to none of a non-empty list of scalars
  ``lt le gt ge``         ordered against a number or a string (Python's own ordering)
  ``contains``            a string value contains the operand as a substring, or a list,
                          tuple, set or mapping value contains it as an element or key
  ``matches``             a string value matches a regular expression (``re.search``; anchor
                          with ``^``/``$``), looking only at the value's first
                          :data:`MAX_SUBJECT_CHARS` characters, which are not its end:
                          ``$``/``\\Z`` never match a longer value's cut (see
                          :mod:`csflow.rules.regex`, also for which patterns are refused)
  ``exists``              ``true``: the field is present; ``false``: it is absent
  ====================== =================================================================

* ``{"all": [conditions]}``, ``{"any": [conditions]}`` (non-empty lists) or
  ``{"not": condition}``.

A field is a dotted path (``customer.attributes.city``) resolved one segment at a time through
mapping keys or, for other objects, attributes (never methods, never names that start with
``_``).  A field that is missing, or whose lookup fails, makes every operator false except
``exists: false``; ``ne`` and ``not_in`` are false for a missing field too (``not`` around
``eq`` is the way to say "absent or different").  A comparison Python refuses (``"abc" < 5``)
is false, never an error.  Equality is Python's (``1 == 1.0``, and ``True == 1``).

Limits
------
At most :data:`MAX_RULES` rules, :data:`MAX_CONDITIONS` conditions in a rule set,
:data:`MAX_DEPTH` levels of nested conditions, :data:`MAX_ITEMS` entries in any list or
mapping, field paths of at most 16 segments and 200 characters, strings of at most
:data:`MAX_STRING_CHARS` characters, integers within ±2**63, finite floats, and patterns of
at most :data:`MAX_PATTERN_CHARS` characters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final, Literal, TypeAlias

import attrs

__all__ = [
    "COMBINATORS",
    "MAX_CACHED_DECISIONS",
    "MAX_CONDITIONS",
    "MAX_DEPTH",
    "MAX_ITEMS",
    "MAX_PATTERN_CHARS",
    "MAX_RULES",
    "MAX_STRING_CHARS",
    "MAX_SUBJECT_CHARS",
    "OPERATORS",
    "AllOf",
    "AnyOf",
    "Comparison",
    "Condition",
    "Decision",
    "Mode",
    "Not",
    "Rule",
]

MAX_RULES: Final = 1000
"""Most rules in one rule set."""
MAX_CONDITIONS: Final = 10_000
"""Most conditions (comparisons and combinators) in one rule set."""
MAX_DEPTH: Final = 32
"""Deepest nesting of conditions: ``when`` is level 1, each ``all``/``any``/``not`` adds one."""
MAX_ITEMS: Final = 1000
"""Most entries in an ``all``/``any``/``in``/``not_in`` list, or in an action list or mapping."""
MAX_STRING_CHARS: Final = 1000
"""Longest string operand or action value."""
MAX_PATTERN_CHARS: Final = 500
"""Longest ``matches`` pattern."""
MAX_SUBJECT_CHARS: Final = 1000
"""``matches`` looks at no more than this many leading characters of the value."""
MAX_CACHED_DECISIONS: Final = 4096
"""Most distinct decisions a rule set keeps built; further ones are built on every call."""


Mode: TypeAlias = Literal["first", "all"]
# A Literal alias is callable, so documentation tools expect a docstring on it.
Mode.__doc__ = 'How a rule set combines matched rules\' actions: ``"first"`` or ``"all"``.'

OPERATORS: Final = (
    "eq",
    "ne",
    "in",
    "not_in",
    "lt",
    "le",
    "gt",
    "ge",
    "contains",
    "matches",
    "exists",
)
"""The comparison operators, in documentation order."""
COMBINATORS: Final = ("all", "any", "not")
"""The condition combinators."""

# Details of the language that the loader, the schema, the compiler and the ticket context
# share; public names so that they can be imported, but not part of the documented surface.
ORDERING: Final = frozenset({"lt", "le", "gt", "ge"})
RULE_KEYS: Final = ("name", "when", "then", "description")
SEGMENT_PATTERN: Final = r"[A-Za-z0-9][A-Za-z0-9_\-]*"
SEGMENT_RE: Final = re.compile(SEGMENT_PATTERN + r"\Z")
MAX_FIELD_CHARS: Final = 200
MAX_FIELD_SEGMENTS: Final = 16
MAX_NAME_CHARS: Final = 200
MAX_ABS_INT: Final = 2**63


@attrs.frozen
class Comparison:
    """A comparison of one field with an operand: ``{"field": "channel", "in": ["chat"]}``.

    Args:
        field: The dotted field path.
        op: One of :data:`OPERATORS`.
        value: The operand: a scalar, a tuple of scalars (``in``/``not_in``), a pattern string
            (``matches``) or a bool (``exists``).
    """

    field: str
    op: str
    value: Any

    def to_dict(self) -> dict[str, Any]:
        """The condition as plain data (lists for tuples)."""
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {"field": self.field, self.op: value}


@attrs.frozen
class AllOf:
    """Holds when every one of its conditions holds (``{"all": [...]}``)."""

    conditions: tuple[Condition, ...]

    def to_dict(self) -> dict[str, Any]:
        """The condition as plain data."""
        return {"all": [c.to_dict() for c in self.conditions]}


@attrs.frozen
class AnyOf:
    """Holds when at least one of its conditions holds (``{"any": [...]}``)."""

    conditions: tuple[Condition, ...]

    def to_dict(self) -> dict[str, Any]:
        """The condition as plain data."""
        return {"any": [c.to_dict() for c in self.conditions]}


@attrs.frozen
class Not:
    """Holds when its condition does not (``{"not": ...}``)."""

    condition: Condition

    def to_dict(self) -> dict[str, Any]:
        """The condition as plain data."""
        return {"not": self.condition.to_dict()}


Condition: TypeAlias = Comparison | AllOf | AnyOf | Not
"""Any parsed condition."""


def _thaw(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    return value


@attrs.frozen
class Rule:
    """One validated rule.

    Args:
        name: Unique within its rule set.
        when: The condition, or ``None`` for a rule that always applies (a catch-all).
        then: The actions, read-only; list values are tuples, mapping values read-only.
        description: Free text for people.
    """

    name: str
    when: Condition | None
    then: Mapping[str, Any] = attrs.field(hash=False)
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The rule as plain, JSON-compatible data (``when``/``then``/``description`` only
        when set)."""
        out: dict[str, Any] = {"name": self.name}
        if self.description:
            out["description"] = self.description
        if self.when is not None:
            out["when"] = self.when.to_dict()
        if self.then:
            out["then"] = _thaw(self.then)
        return out


@attrs.frozen
class Decision:
    """What a rule set decided for one context.

    Args:
        rule: The name of the first rule that matched, or ``None``.
        matched: The names of every rule that matched, in rule order.
        actions: The matched rules' ``then`` mappings merged (see :meth:`RuleSet.evaluate`),
            read-only.
        sources: For each action key, the names of the rules its value came from.
        reason: A sentence saying which rules matched and which conditions held.
    """

    rule: str | None
    matched: tuple[str, ...]
    actions: Mapping[str, Any] = attrs.field(hash=False)
    sources: Mapping[str, tuple[str, ...]] = attrs.field(hash=False)
    reason: str
