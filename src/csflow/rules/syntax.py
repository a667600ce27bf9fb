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
  ``contains``            a string value contains the operand as a substring (a number
                          operand as its text: ``123`` is found in ``"order 123"``; a
                          boolean in no string), or a list, tuple, set or mapping value
                          contains it as an element or key (Python's equality: ``123`` is
                          not found in ``["123"]``)
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
``_``); strings, bytes, numbers, lists, tuples, sets and ``None`` have no fields, and neither
do their subclasses (a named tuple, an ``IntEnum`` member: ``priority.name`` of an ``IntEnum``
is missing, where it is found on a plain ``Enum``'s member).  A field that is missing, or
whose lookup fails, makes every operator false except ``exists: false``; ``ne`` and
``not_in`` are false for a missing field too (``not`` around ``eq`` is the way to say "absent
or different").  A comparison Python refuses (``"abc" < 5``)
is false, never an error.  Equality is Python's (``1 == 1.0``, and ``True == 1``).

Values are not converted from one type to another, except that ``contains`` on a string
value looks for the operand's text.  So a number value has no text to search
(``{"field": "attributes.order_id", "contains": "12"}`` is false for the number ``123``, as a
``matches`` is), a number is not ordered against a string (``{"field":
"attributes.order_value", "gt": "100"}`` is false for every number: write ``gt: 100``,
unquoted, in YAML or JSON), and a boolean operand is found in no string (YAML reads an
unquoted ``yes`` or ``true`` as a boolean: quote it).  Such a rule is not refused when it is
loaded: an operand's type is known then, a field's only when a context is evaluated.

Limits
------
At most :data:`MAX_RULES` rules, :data:`MAX_CONDITIONS` conditions in a rule set,
:data:`MAX_DEPTH` levels of nested conditions, :data:`MAX_ITEMS` entries in any list or
mapping and a million values in all the ``in``/``not_in`` lists and action lists and mappings
of a rule set (a document that names one large list many times, as a YAML alias can, is
refused before its values are read one by one), field paths of at most 16 segments and 200 characters, strings of at most
:data:`MAX_STRING_CHARS` characters, integers within ±2**63, finite floats, and patterns of
at most :data:`MAX_PATTERN_CHARS` characters whose estimated search work, over all the
``matches`` conditions of a rule set, stays within a budget (:mod:`csflow.rules.regex`).

The parsed form is checked too
------------------------------
The classes below check what they are given as the loader checks a document, and raise
:class:`~csflow.errors.ConfigError` (its ``path`` names the argument: ``op``, ``field``,
``value``, ``conditions[2]``, ``then.queue`` ...): a known operator, an operand that fits it
(a ``matches`` pattern that :func:`~csflow.rules.regex.check_pattern` accepts), conditions
whose parts are conditions, a rule's name, actions and description.  A condition built in
Python may nest :data:`MAX_NESTING` levels (twice :data:`MAX_DEPTH`, so that tools such as
lint can wrap a loaded condition in ``not`` and ``all`` of their own); a :class:`Rule`'s
``when``, like a loaded one, at most :data:`MAX_DEPTH`.  So everything that walks a condition
(:func:`~csflow.rules.rendering.describe`, :func:`csflow.lint.implies`, the compiler) recurses
a bounded number of levels.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, Literal, TypeAlias

import attrs

from csflow._frozen import FrozenDict
from csflow._plain import ENCODABLE, encodable
from csflow._slots import new_object, slot_setters
from csflow._text import path_key
from csflow.errors import ConfigError
from csflow.rules._abbrev import short_repr

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
MAX_NESTING: Final = 2 * MAX_DEPTH
"""Deepest nesting of a condition built in Python (a comparison is one level): twice
:data:`MAX_DEPTH`, room for tools that wrap a loaded condition in conditions of their own."""
MAX_ITEMS: Final = 1000
"""Most entries in an ``all``/``any``/``in``/``not_in`` list, or in an action list or mapping."""
MAX_STRING_CHARS: Final = 1000
"""Longest string operand or action value."""
MAX_PATTERN_CHARS: Final = 500
"""Longest ``matches`` pattern."""
MAX_SUBJECT_CHARS: Final = 1000
"""``matches`` looks at no more than this many leading characters of the value."""
MAX_VALUES: Final = 1_000_000
"""Most values in one rule set's ``in``/``not_in`` lists and its actions' lists and mappings,
together (not in ``__all__``: a limit of the loader, like the field path's)."""
MAX_CACHED_DECISIONS: Final = 4096
"""Most distinct decisions a rule set keeps built (fewer when they are large: the cache also
holds at most a million references in all); further ones are built on every call."""


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
ACTION_RE: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
MAX_ACTION_CHARS: Final = 64


# --------------------------------------------------------------------------------------------
# Checks of the parts of a rule, shared by the loader (which gives the path in the document)
# and by the classes below (which give the argument's name): one rule for both.


def is_list(value: object) -> bool:
    """Whether *value* is a list-like sequence (not a string or bytes)."""
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes, bytearray))


def suggest(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest of *choices*, or ``""``."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def check_keys(value: Mapping[Any, Any], path: str) -> None:
    """Refuse a mapping with a key that is not a string."""
    for key in value:
        if not isinstance(key, str):
            raise ConfigError(f"keys must be strings, got {short_repr(key)}", path)


def check_text(value: str, path: str, what: str = "strings") -> str:
    """*value* if UTF-8 can write it: a rule's text reaches decisions, events and snapshots.

    Raises:
        ConfigError: *value* holds a lone surrogate (U+D800-U+DFFF).
    """
    if not value.isascii() and not encodable(value):
        raise ConfigError(f"{what} must be {ENCODABLE}, got {short_repr(value)}", path)
    return value


def plain_text(value: str) -> str:
    """*value* as a plain ``str``: a subclass's own text, whatever its ``__str__``, ``__len__``
    or ``split`` would say (the checks below read, and keep, this copy)."""
    return str.__str__(value)


def scalar(value: object, path: str, what: str = "a scalar (string, number, bool or null)") -> Any:
    """*value* as a plain scalar (``str``/``int``/``float``/``bool``/``None``) within the limits.

    A subclass of ``str``, ``int`` or ``float`` is read as the plain value it holds, which is
    checked and kept: its own methods cannot pass a longer string or a larger number.

    Raises:
        ConfigError: Anything else, an integer beyond ±2**63, a float that is not finite, a
            string longer than :data:`MAX_STRING_CHARS`.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        number = int.__index__(value)
        if not -MAX_ABS_INT <= number <= MAX_ABS_INT:
            raise ConfigError(f"integers must lie within ±2**63, got {short_repr(number)}", path)
        return number
    if isinstance(value, float):
        real = float.__float__(value)
        if not math.isfinite(real):
            raise ConfigError(f"numbers must be finite, got {real!r}", path)
        return real
    if isinstance(value, str):
        text = plain_text(value)
        if len(text) > MAX_STRING_CHARS:
            raise ConfigError(
                f"strings must have at most {MAX_STRING_CHARS} characters, got {short_repr(text)}",
                path,
            )
        return check_text(text, path)
    raise ConfigError(f"expected {what}, got {short_repr(value)}", path)


class ValueCount:
    """The values of a rule set counted so far, against ``MAX_VALUES``.

    A list or mapping is counted before its entries are read, so that a document repeating
    one large list (a YAML alias, a shared Python list) is refused at once, not after
    checking every repetition.
    """

    __slots__ = ("total",)

    def __init__(self) -> None:
        self.total = 0

    def add(self, n: int, path: str) -> None:
        """Count *n* more values, found at *path*.

        Raises:
            ConfigError: The total would exceed ``MAX_VALUES``.
        """
        self.total += n
        if self.total > MAX_VALUES:
            raise ConfigError(
                f"a rule set may hold at most {MAX_VALUES:,} values in all its 'in'/'not_in' "
                f"lists and action lists and mappings, this one {self.total:,} with this list",
                path,
            )


def contains_text(operand: object) -> str | None:
    """The text a ``contains`` operand is looked for in a string value: a string itself, a
    number as its decimal text (``123`` as ``"123"``, ``2.5`` as ``"2.5"``, ``1e+16`` as
    Python writes the float); ``None`` (found in no string) for a boolean."""
    if isinstance(operand, bool) or operand is None:
        return None
    if isinstance(operand, str):
        return operand
    if isinstance(operand, int | float):
        return str(operand)
    return None


def check_operator(op: object, path: str) -> str:
    """*op* if it is one of :data:`OPERATORS`.

    Raises:
        ConfigError: Anything else, with the closest operator when there is one.
    """
    if isinstance(op, str):
        op = plain_text(op)
    if not isinstance(op, str) or op not in OPERATORS:
        hint = suggest(op, OPERATORS) if isinstance(op, str) else ""
        raise ConfigError(
            f"unknown operator {short_repr(op)} (expected one of {', '.join(OPERATORS)}){hint}",
            path,
        )
    return op


def check_field(raw: object, path: str) -> str:
    """*raw* if it is a field path: 1-16 dot-separated names, at most 200 characters.

    Raises:
        ConfigError: Anything else.
    """
    if isinstance(raw, str):
        raw = plain_text(raw)
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
    return raw


def check_operand(op: str, raw: object, path: str, count: ValueCount | None = None) -> Any:
    """The operand of *op* (one of :data:`OPERATORS`) as the language takes it: a scalar, a
    tuple of scalars for ``in``/``not_in``, a string for ``matches``, a bool for ``exists``.

    A ``matches`` pattern is only checked to be a string here; whether it is safe to search is
    :func:`csflow.rules.regex.check_pattern`'s question, asked by the callers.  An
    ``in``/``not_in`` list is counted in *count* (the rule set's, when given).

    Raises:
        ConfigError: An operand that does not fit *op*.
    """
    if op in ("eq", "ne"):
        return scalar(raw, path)
    if op in ("in", "not_in"):
        if not is_list(raw):
            raise ConfigError(f"{op!r} takes a list of scalars, got {short_repr(raw)}", path)
        assert isinstance(raw, Sequence)
        if not raw:
            raise ConfigError(f"{op!r} takes a non-empty list, got []", path)
        if len(raw) > MAX_ITEMS:
            raise ConfigError(f"{op!r} takes at most {MAX_ITEMS} values, got {len(raw)}", path)
        if count is not None:
            count.add(len(raw), path)
        return tuple(scalar(v, f"{path}[{j}]") for j, v in enumerate(raw))
    if op in ORDERING:
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            raise ConfigError(
                f"{op!r} compares with a number or a string, got non-orderable {short_repr(raw)}",
                path,
            )
        return scalar(raw, path)
    if op == "contains":
        if raw is None:
            raise ConfigError("'contains' takes a string, number or bool, got None", path)
        return scalar(raw, path)
    if op == "matches":
        if not isinstance(raw, str):
            raise ConfigError(f"'matches' takes a pattern string, got {short_repr(raw)}", path)
        return check_text(plain_text(raw), path, "a pattern")
    # exists
    if not isinstance(raw, bool):
        raise ConfigError(f"'exists' takes true or false, got {short_repr(raw)}", path)
    return raw


def check_rule_name(raw: object, path: str) -> str:
    """*raw* if it is a rule name: a non-blank string of at most :data:`MAX_NAME_CHARS`."""
    if isinstance(raw, str):
        raw = plain_text(raw)
    if not isinstance(raw, str) or not raw.strip() or len(raw) > MAX_NAME_CHARS:
        raise ConfigError(
            f"rule name must be a non-blank string of at most {MAX_NAME_CHARS} characters, "
            f"got {short_repr(raw)}",
            path,
        )
    return check_text(raw, path, "rule name")


def check_description(raw: object, path: str) -> str:
    """*raw* if it is a description: a string of at most :data:`MAX_STRING_CHARS`."""
    if isinstance(raw, str):
        raw = plain_text(raw)
    if not isinstance(raw, str) or len(raw) > MAX_STRING_CHARS:
        raise ConfigError(
            f"description must be a string of at most {MAX_STRING_CHARS} characters, "
            f"got {short_repr(raw)}",
            path,
        )
    return check_text(raw, path, "description")


def check_actions(raw: object, path: str, count: ValueCount | None = None) -> Mapping[str, Any]:
    """A rule's actions, read-only: identifier keys, values a scalar, a list of scalars (made a
    tuple) or a mapping of those (made read-only).  The entries of their lists and mappings
    are counted in *count* (the rule set's, when given; else the rule's own).

    Raises:
        ConfigError: Anything else, with the path to it.
    """
    if not isinstance(raw, Mapping):
        raise ConfigError(f"'then' must be a mapping of actions, got {short_repr(raw)}", path)
    check_keys(raw, path)
    if len(raw) > MAX_ITEMS:
        raise ConfigError(f"at most {MAX_ITEMS} actions per rule, got {len(raw)}", path)
    if count is None:
        count = ValueCount()
    out: dict[str, Any] = {}
    for raw_key, value in raw.items():
        key = plain_text(raw_key)
        if not ACTION_RE.match(key) or len(key) > MAX_ACTION_CHARS:
            raise ConfigError(
                f"action names are identifiers of at most {MAX_ACTION_CHARS} characters, "
                f"got {short_repr(key)}",
                path,
            )
        out[key] = _action_value(value, f"{path}.{key}", count, nested=True)
    return FrozenDict(out)


def _action_value(raw: object, path: str, count: ValueCount, *, nested: bool) -> Any:
    what = "a scalar, a list of scalars or a mapping" if nested else "a scalar or a list"
    if is_list(raw):
        assert isinstance(raw, Sequence)
        if len(raw) > MAX_ITEMS:
            raise ConfigError(f"lists hold at most {MAX_ITEMS} values, got {len(raw)}", path)
        count.add(len(raw), path)
        return tuple(scalar(v, f"{path}[{j}]") for j, v in enumerate(raw))
    if isinstance(raw, Mapping):
        if not nested:
            raise ConfigError(f"expected {what}, got {short_repr(raw)}", path)
        check_keys(raw, path)
        if len(raw) > MAX_ITEMS:
            raise ConfigError(f"mappings hold at most {MAX_ITEMS} entries, got {len(raw)}", path)
        count.add(len(raw), path)
        inner = {}
        for raw_key, value in raw.items():
            key = plain_text(raw_key)
            if not key or len(key) > MAX_NAME_CHARS:
                raise ConfigError(
                    f"keys must be 1-{MAX_NAME_CHARS} characters, got {short_repr(key)}", path
                )
            check_text(key, path, "keys")
            inner[key] = _action_value(value, path_key(path, key), count, nested=False)
        return FrozenDict(inner)
    return scalar(raw, path, what)


def _check_pattern(pattern: str, path: str) -> None:
    # Imported here: csflow.rules.regex reads this module's limits.
    from csflow.rules.regex import check_pattern

    check_pattern(pattern, path)


_CONDITION_NAMES: Final = "a condition (Comparison, AllOf, AnyOf or Not)"


def _depth(cond: object, path: str) -> int:
    """How many levels *cond* nests (a comparison is one), refusing what is not a condition."""
    if isinstance(cond, Comparison):
        return 1
    if isinstance(cond, (AllOf, AnyOf, Not)):
        depth: int = cond._depth
        return depth
    raise ConfigError(f"expected {_CONDITION_NAMES}, got {short_repr(cond)}", path)


def _nest(depth: int, path: str) -> int:
    if depth > MAX_NESTING:
        raise ConfigError(
            f"conditions built in Python nest at most {MAX_NESTING} levels, this one would "
            f"nest {depth}",
            path,
        )
    return depth


def _parts(cls: type, raw: object) -> tuple[Condition, ...]:
    key = "all" if cls is AllOf else "any"
    if not is_list(raw) or not raw:
        raise ConfigError(
            f"{cls.__name__} ({key!r}) takes a non-empty list of conditions, got {short_repr(raw)}",
            "conditions",
        )
    assert isinstance(raw, Sequence)
    if len(raw) > MAX_ITEMS:
        raise ConfigError(
            f"{cls.__name__} ({key!r}) takes at most {MAX_ITEMS} conditions, got {len(raw)}",
            "conditions",
        )
    return tuple(raw)


@attrs.frozen
class Comparison:
    """A comparison of one field with an operand: ``{"field": "channel", "in": ["chat"]}``.

    Args:
        field: The dotted field path.
        op: One of :data:`OPERATORS`.
        value: The operand: a scalar, a tuple (or list) of scalars (``in``/``not_in``), a
            pattern string (``matches``) or a bool (``exists``).

    Raises:
        ConfigError: What the loader would refuse: an unknown operator, a malformed field path,
            an operand that does not fit the operator, an unsafe pattern.
    """

    field: str
    op: str
    value: Any

    def __attrs_post_init__(self) -> None:
        # The loader builds through checked_comparison instead: it has checked each part with
        # its path already, and a pattern's check is the costly part of loading.
        op = check_operator(self.op, "op")
        field = check_field(self.field, "field")
        value = check_operand(op, self.value, "value")
        if op == "matches":
            _check_pattern(value, "value")
        object.__setattr__(self, "field", field)
        object.__setattr__(self, "op", op)
        object.__setattr__(self, "value", value)

    def to_dict(self) -> dict[str, Any]:
        """The condition as plain data (lists for tuples)."""
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {"field": self.field, self.op: value}


@attrs.frozen
class AllOf:
    """Holds when every one of its conditions holds (``{"all": [...]}``).

    Args:
        conditions: A non-empty tuple of at most :data:`MAX_ITEMS` conditions (a list is
            taken as a tuple).

    Raises:
        ConfigError: Something that is not a condition, an empty or too long list, nesting
            deeper than :data:`MAX_NESTING`.
    """

    conditions: tuple[Condition, ...]
    _depth: int = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        parts = _parts(AllOf, self.conditions)
        depth = 1 + max(_depth(c, f"conditions[{i}]") for i, c in enumerate(parts))
        object.__setattr__(self, "conditions", parts)
        object.__setattr__(self, "_depth", _nest(depth, "conditions"))

    def to_dict(self) -> dict[str, Any]:
        """The condition as plain data."""
        return {"all": [c.to_dict() for c in self.conditions]}


@attrs.frozen
class AnyOf:
    """Holds when at least one of its conditions holds (``{"any": [...]}``).

    Args:
        conditions: A non-empty tuple of at most :data:`MAX_ITEMS` conditions (a list is
            taken as a tuple).

    Raises:
        ConfigError: Something that is not a condition, an empty or too long list, nesting
            deeper than :data:`MAX_NESTING`.
    """

    conditions: tuple[Condition, ...]
    _depth: int = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        parts = _parts(AnyOf, self.conditions)
        depth = 1 + max(_depth(c, f"conditions[{i}]") for i, c in enumerate(parts))
        object.__setattr__(self, "conditions", parts)
        object.__setattr__(self, "_depth", _nest(depth, "conditions"))

    def to_dict(self) -> dict[str, Any]:
        """The condition as plain data."""
        return {"any": [c.to_dict() for c in self.conditions]}


@attrs.frozen
class Not:
    """Holds when its condition does not (``{"not": ...}``).

    Args:
        condition: The condition it negates.

    Raises:
        ConfigError: Something that is not a condition, nesting deeper than
            :data:`MAX_NESTING`.
    """

    condition: Condition
    _depth: int = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        depth = 1 + _depth(self.condition, "condition")
        object.__setattr__(self, "_depth", _nest(depth, "condition"))

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

    Raises:
        ConfigError: What the loader would refuse: a blank or long name, a ``when`` that is not
            a condition or nests deeper than :data:`MAX_DEPTH`, malformed actions, a
            description that is not a string.
    """

    name: str
    when: Condition | None
    then: Mapping[str, Any] = attrs.field(hash=False)
    description: str = ""

    def __attrs_post_init__(self) -> None:
        # The loader builds through checked_rule instead (it has checked every part).
        name = check_rule_name(self.name, "name")
        depth = 0 if self.when is None else _depth(self.when, "when")
        if depth > MAX_DEPTH:
            raise ConfigError(
                f"conditions nest deeper than the limit of {MAX_DEPTH} levels, got {depth}",
                "when",
            )
        then = check_actions(self.then, "then")
        description = check_description(self.description, "description")
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "then", then)
        object.__setattr__(self, "description", description)

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


class LazyText:
    """Text built when first read: ``str(LazyText(build, arg))`` is ``build(arg)``.

    A rule set's decision holds its reason this way (the builder and the matched rules'
    bit mask: references to the rule set's shared parts, not text).  It pickles and copies as
    the plain text.
    """

    __slots__ = ("_arg", "_build")

    def __init__(self, build: Callable[[Any], str], arg: Any) -> None:
        self._build = build
        self._arg = arg

    def __str__(self) -> str:
        return self._build(self._arg)

    def __repr__(self) -> str:
        return repr(str(self))

    def __reduce__(self) -> tuple[Any, ...]:
        return (str, (str(self),))


def _keep_text(value: str | LazyText) -> str:
    """``Decision(reason=...)``: a str, or a LazyText kept as it is until first read."""
    return value  # type: ignore[return-value]


@attrs.frozen(repr=False)
class Decision:
    """What a rule set decided for one context.

    Args:
        rule: The name of the first rule that matched, or ``None``.
        matched: The names of every rule that matched, in rule order.
        actions: The matched rules' ``then`` mappings merged (see :meth:`RuleSet.evaluate`),
            read-only.
        sources: For each action key, the names of the rules its value came from.
        reason: A sentence saying which rules matched and which conditions held.  A rule set
            builds it when it is first read, and keeps it short whatever matched: past about
            2,000 characters it names the first matched rules and counts the rest.  It is
            an ordinary field of text for attrs too: ``attrs.asdict`` gives it as a ``str``.
    """

    rule: str | None
    matched: tuple[str, ...]
    actions: Mapping[str, Any] = attrs.field(hash=False)
    sources: Mapping[str, tuple[str, ...]] = attrs.field(hash=False)
    # Left out of the hash (which ``rule`` and ``matched`` already spread).  A rule set gives
    # a LazyText: the slot holds it until the first read, which (through _LazySlot below)
    # replaces it by its text, so every read -- attrs' eq, asdict, evolve, pickling
    # included -- sees a str.
    reason: str = attrs.field(hash=False, converter=_keep_text)

    def __repr__(self) -> str:
        return (
            f"Decision(rule={self.rule!r}, matched={self.matched!r}, actions={self.actions!r}, "
            f"sources={self.sources!r}, reason={self.reason!r})"
        )


class _LazySlot:
    """``Decision.reason``: the slot, read as text (a LazyText in it is built on first read)."""

    __slots__ = ("_slot",)

    def __init__(self, slot: Any) -> None:
        self._slot = slot

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = self._slot.__get__(obj, owner)
        if type(value) is LazyText:
            value = str(value)
            self._slot.__set__(obj, value)
        return value

    def __set__(self, obj: object, value: object) -> None:
        self._slot.__set__(obj, value)

    def __delete__(self, obj: object) -> None:
        self._slot.__delete__(obj)


Decision.reason = _LazySlot(Decision.__dict__["reason"])  # type: ignore[assignment]


# The loader's way to the parsed form: each part is checked already, with its path in the
# document, exactly as the constructors above check it; building through the constructors
# would check it all again (for a pattern, parse it and estimate its cost a second time).
_COMPARISON_SET = slot_setters(Comparison, ("field", "op", "value"))
_RULE_SET = slot_setters(Rule, ("name", "when", "then", "description"))


def checked_comparison(field: str, op: str, value: Any) -> Comparison:
    """A :class:`Comparison` of parts already checked as its constructor checks them."""
    out: Comparison = new_object(Comparison)
    set_field, set_op, set_value = _COMPARISON_SET
    set_field(out, field)
    set_op(out, op)
    set_value(out, value)
    return out


def checked_rule(
    name: str, when: Condition | None, then: Mapping[str, Any], description: str
) -> Rule:
    """A :class:`Rule` of parts already checked as its constructor checks them."""
    out: Rule = new_object(Rule)
    set_name, set_when, set_then, set_description = _RULE_SET
    set_name(out, name)
    set_when(out, when)
    set_then(out, then)
    set_description(out, description)
    return out
