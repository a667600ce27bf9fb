"""Rules as data: a small condition language, validated once and compiled to plain functions.

Theory of operation
-------------------
A desk keeps its policies as plain data (a list of dicts from the host's database or YAML)::

    {"name": "platinum chat",
     "when": {"all": [{"field": "customer.tier", "eq": "platinum"},
                      {"field": "channel", "in": ["chat", "whatsapp"]},
                      {"not": {"field": "attributes.order_value", "lt": 100000}}]},
     "then": {"priority": "urgent", "sla_policy": "platinum", "queue": "vip", "tags": ["vip"]}}

:meth:`RuleSet.from_dicts` does all the work up front, once:

1. **Validate** every rule against the language below and raise
   :class:`~csflow.errors.ConfigError` with the path to the first bad part
   (``rules[2].when.all[0]: unknown operator 'inn'``).  The rules come from administrators
   and the context values from the public, so the loader also enforces limits
   (:data:`MAX_RULES`, :data:`MAX_DEPTH`, :data:`MAX_ITEMS`, :data:`MAX_CONDITIONS`) and
   refuses regular expressions with catastrophic-backtracking shapes.
2. **Parse** into frozen values (:class:`Rule`, :class:`Comparison`, :class:`AllOf`,
   :class:`AnyOf`, :class:`Not`) that lint and documentation tools can walk.
3. **Compile** twice:

   * a *safe* evaluator: one closure per condition, each comparison guarded so that a missing
     field or a value of the wrong type is simply false;
   * a *fast* evaluator for the usual case, a context that is a plain ``dict``: one Python
     function per rule set, generated from the parsed rules, in which every comparison is an
     inline expression (no call per condition).  The generated source contains only names the
     compiler made up and fixed operators; every value from the configuration (field names,
     operands, patterns) is bound as a constant in the function's namespace, never pasted
     into the source.  If anything in the fast path raises (a string compared with a number,
     an unhashable value tested with ``in``), the whole context is re-evaluated by the safe
     evaluator, so both paths give the same answers and evaluation never raises.

Evaluation produces a bit mask of the rules whose condition held; the :class:`Decision` for a
mask (matched names, merged actions, reason sentence) depends on nothing else, so it is built
once and cached (at most :data:`MAX_CACHED_DECISIONS` masks per rule set).

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
                          :data:`MAX_SUBJECT_CHARS` characters
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

Regular expressions (``matches``)
---------------------------------
Python's ``re`` backtracks, so an ambiguous pattern can take exponential or high-polynomial
time on a crafted subject.  Two defences:

* the subject is cut to its first :data:`MAX_SUBJECT_CHARS` characters;
* at load time the pattern is parsed and refused if it has a backreference, a quantified
  group that itself contains a quantifier or an alternation (``(a+)+``, ``(a|ab)*``), or if
  the number of ways its quantifiers and alternations can split a subject, counting each
  open-ended quantifier (``*``, ``+``, ``{n,}``) as :data:`MAX_SUBJECT_CHARS`, exceeds
  ``16 × MAX_SUBJECT_CHARS`` -- in practice: one open-ended quantifier plus a few optional
  parts or alternatives (``^ORD-\\d+$`` and ``(?i)refund|return`` are fine, ``\\s*x\\s*``
  is not; write ``\\s?x\\s?`` or ``\\s{0,3}``).  If the standard library's pattern parser is
  unavailable, a stricter syntactic rule applies instead (see :func:`check_pattern`).
"""

from __future__ import annotations

import difflib
import importlib
import math
import operator
import re
import reprlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from types import BuiltinMethodType, FunctionType, MappingProxyType, MethodType
from typing import Any, Final, Literal, TypeAlias

import attrs

from csflow._time import require_aware
from csflow.errors import ConfigError
from csflow.model import Ticket

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
    "SCHEMA",
    "STANDARD_FIELDS",
    "AllOf",
    "AnyOf",
    "Comparison",
    "Condition",
    "Decision",
    "Mode",
    "Not",
    "Rule",
    "RuleSet",
    "check_pattern",
    "describe",
    "field_is_known",
    "ticket_context",
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

_MAX_FIELD_CHARS = 200
_MAX_FIELD_SEGMENTS = 16
_MAX_NAME_CHARS = 200
_MAX_ABS_INT = 2**63
_REGEX_BUDGET = 16 * MAX_SUBJECT_CHARS

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

_ORDERING = frozenset({"lt", "le", "gt", "ge"})
_RULE_KEYS = ("name", "when", "then", "description")
_SEGMENT_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]*\Z")
_ACTION_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")

Scalar: TypeAlias = str | int | float | bool | None


class _Missing:
    """The value of a field that is not there (a sentinel no context can contain)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<missing>"


_MISSING: Final = _Missing()

_SHOW = reprlib.Repr()
_SHOW.maxstring = 80
_SHOW.maxother = 80
_SHOW.maxlevel = 3


def _show(value: object) -> str:
    """A short repr that cannot fail (huge ints, deep nesting, hostile ``__repr__``)."""
    try:
        return _SHOW.repr(value)
    except Exception:
        return f"<{type(value).__name__}>"


# --------------------------------------------------------------------------------------------
# Parsed form


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


# --------------------------------------------------------------------------------------------
# Loading and validation


def _is_list(value: object) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes, bytearray))


def _check_keys(value: Mapping[Any, Any], path: str) -> None:
    for key in value:
        if not isinstance(key, str):
            raise ConfigError(f"keys must be strings, got {_show(key)}", path)


def _scalar(value: object, path: str, what: str = "a scalar (string, number, bool or null)") -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if not -_MAX_ABS_INT <= value <= _MAX_ABS_INT:
            raise ConfigError(f"integers must lie within ±2**63, got {_show(value)}", path)
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ConfigError(f"numbers must be finite, got {value!r}", path)
        return float(value)
    if isinstance(value, str):
        if len(value) > MAX_STRING_CHARS:
            raise ConfigError(
                f"strings must have at most {MAX_STRING_CHARS} characters, got {_show(value)}",
                path,
            )
        return str(value)
    raise ConfigError(f"expected {what}, got {_show(value)}", path)


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def field_is_known(field: str, known: Iterable[str]) -> bool:
    """Whether *field* is one of *known*, where an entry ``"x.*"`` admits every path under ``x``.

    Args:
        field: A dotted field path.
        known: Known paths, e.g. :data:`STANDARD_FIELDS`.

    Returns:
        ``True`` when *field* is listed, or a prefix of it is listed with ``.*``.
    """
    known_set = known if isinstance(known, (set, frozenset)) else set(known)
    if field in known_set:
        return True
    segments = field.split(".")
    return any(".".join(segments[:n]) + ".*" in known_set for n in range(1, len(segments)))


class _Loader:
    """Validates rule dicts and parses them, counting conditions across the whole set."""

    def __init__(self, known_fields: frozenset[str] | None) -> None:
        self.known_fields = known_fields
        self.conditions = 0

    def rules(self, raw: object) -> tuple[Rule, ...]:
        if isinstance(raw, Mapping) or not _is_list(raw):
            raise ConfigError(f"expected a list of rule mappings, got {_show(raw)}", "rules")
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
            raise ConfigError(f"expected a rule mapping, got {_show(raw)}", path)
        _check_keys(raw, path)
        for key in raw:
            if key not in _RULE_KEYS:
                raise ConfigError(
                    f"unknown key {key!r} (expected 'name', 'when', 'then' or 'description')"
                    f"{_suggest(key, _RULE_KEYS)}",
                    path,
                )
        if "name" not in raw:
            raise ConfigError("missing required key 'name'", path)
        name = raw["name"]
        if not isinstance(name, str) or not name.strip() or len(name) > _MAX_NAME_CHARS:
            raise ConfigError(
                f"rule name must be a non-blank string of at most {_MAX_NAME_CHARS} characters, "
                f"got {_show(name)}",
                f"{path}.name",
            )
        description = raw.get("description", "")
        if not isinstance(description, str) or len(description) > MAX_STRING_CHARS:
            raise ConfigError(
                f"description must be a string of at most {MAX_STRING_CHARS} characters, "
                f"got {_show(description)}",
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
                f"'not'), got {_show(raw)}",
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
            raise ConfigError(f"{key!r} takes a list of conditions, got {_show(body)}", path)
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
                f"missing an operator for field {_show(raw['field'])} "
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
        if not isinstance(raw, str) or not 0 < len(raw) <= _MAX_FIELD_CHARS:
            raise ConfigError(
                f"field must be a dotted path of at most {_MAX_FIELD_CHARS} characters, "
                f"got {_show(raw)}",
                path,
            )
        segments = raw.split(".")
        if len(segments) > _MAX_FIELD_SEGMENTS or not all(_SEGMENT_RE.match(s) for s in segments):
            raise ConfigError(
                f"field must be 1-{_MAX_FIELD_SEGMENTS} dot-separated names of letters, digits, "
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
                raise ConfigError(f"{op!r} takes a list of scalars, got {_show(raw)}", path)
            assert isinstance(raw, Sequence)
            if not raw:
                raise ConfigError(f"{op!r} takes a non-empty list, got []", path)
            if len(raw) > MAX_ITEMS:
                raise ConfigError(f"{op!r} takes at most {MAX_ITEMS} values, got {len(raw)}", path)
            return tuple(_scalar(v, f"{path}[{j}]") for j, v in enumerate(raw))
        if op in _ORDERING:
            if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
                raise ConfigError(
                    f"{op!r} compares with a number or a string, got non-orderable {_show(raw)}",
                    path,
                )
            return _scalar(raw, path)
        if op == "contains":
            if raw is None:
                raise ConfigError("'contains' takes a string, number or bool, got None", path)
            return _scalar(raw, path)
        if op == "matches":
            if not isinstance(raw, str):
                raise ConfigError(f"'matches' takes a pattern string, got {_show(raw)}", path)
            check_pattern(raw, path)
            return str(raw)
        # exists
        if not isinstance(raw, bool):
            raise ConfigError(f"'exists' takes true or false, got {_show(raw)}", path)
        return raw

    # -- actions -------------------------------------------------------------------------------

    def actions(self, raw: object, path: str) -> Mapping[str, Any]:
        if not isinstance(raw, Mapping):
            raise ConfigError(f"'then' must be a mapping of actions, got {_show(raw)}", path)
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
                raise ConfigError(f"expected {what}, got {_show(raw)}", path)
            _check_keys(raw, path)
            if len(raw) > MAX_ITEMS:
                raise ConfigError(
                    f"mappings hold at most {MAX_ITEMS} entries, got {len(raw)}", path
                )
            inner = {}
            for key, value in raw.items():
                if not key or len(key) > _MAX_NAME_CHARS:
                    raise ConfigError(
                        f"keys must be 1-{_MAX_NAME_CHARS} characters, got {_show(key)}", path
                    )
                inner[str(key)] = self.action_value(value, f"{path}.{key}", nested=False)
            return MappingProxyType(inner)
        return _scalar(raw, path, what)


# --------------------------------------------------------------------------------------------
# Regular-expression safety


def _parser_module() -> Any:
    # The stdlib's pattern parser is private; if a future Python moves or changes it, the
    # syntactic fallback below takes over (fail closed), so importing it lazily here keeps that
    # decision in one place and lets tests force the fallback.
    return importlib.import_module("re._parser")


class _Unsafe(Exception):
    """A pattern shape that is refused (carries the explanation)."""


class _Unexpected(Exception):
    """The parsed pattern did not have the structure this checker knows."""


_REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})
_BACKREFS = frozenset(
    {"GROUPREF", "GROUPREF_EXISTS", "GROUPREF_IGNORE", "GROUPREF_LOC_IGNORE", "GROUPREF_UNI_IGNORE"}
)


def _choices(subpattern: Any, sre: Any) -> int:
    """Ways the items of *subpattern*, in sequence, can split a subject (capped estimate)."""
    total = 1
    for item in subpattern:
        if not isinstance(item, tuple) or len(item) != 2:
            raise _Unexpected
        op, av = item
        name = getattr(op, "name", None)
        if not isinstance(name, str):
            raise _Unexpected
        if name in _BACKREFS:
            raise _Unsafe("backreferences are not allowed")
        if name in _REPEATS:
            if not (isinstance(av, tuple) and len(av) == 3):
                raise _Unexpected
            low, high, body = av
            if not isinstance(low, int) or not isinstance(high, int):
                raise _Unexpected
            inner = _choices(body, sre)
            if high > 1 and inner > 1:
                raise _Unsafe(
                    "a quantified group may not contain another quantifier or an alternation "
                    "(nested quantifiers backtrack exponentially)"
                )
            span = min(high, MAX_SUBJECT_CHARS) - min(low, MAX_SUBJECT_CHARS)
            total *= (max(span, 0) + 1) * inner
        elif name == "BRANCH":
            if not (isinstance(av, tuple) and len(av) == 2 and isinstance(av[1], list)):
                raise _Unexpected
            total *= sum(_choices(branch, sre) for branch in av[1])
        else:
            for nested in _nested_subpatterns(av, sre):
                total *= _choices(nested, sre)
        # Cap the running product so hostile patterns cannot build huge integers.
        total = min(total, _REGEX_BUDGET * MAX_SUBJECT_CHARS)
    return total


def _nested_subpatterns(av: Any, sre: Any) -> list[Any]:
    if isinstance(av, sre.SubPattern):
        return [av]
    if isinstance(av, (tuple, list)):
        out: list[Any] = []
        for part in av:
            out.extend(_nested_subpatterns(part, sre))
        return out
    return []


_SYNTAX_OPEN_ENDED = re.compile(r"(?<!\\)(?:[*+]|\{\d*,\})")


def _syntactic_check(pattern: str) -> None:
    """The stricter fallback: no groups with quantifiers, backreferences or more than one
    open-ended quantifier, judged from the text alone."""
    if re.search(r"\\\d|\(\?P=|\(\?\(", pattern):
        raise _Unsafe("backreferences are not allowed")
    if re.search(r"\)\s*(?:[*+?]|\{)", pattern):
        raise _Unsafe("quantified groups are not allowed")
    if len(_SYNTAX_OPEN_ENDED.findall(pattern)) > 1:
        raise _Unsafe("at most one open-ended quantifier ('*', '+', '{n,}') is allowed")


def check_pattern(pattern: str, path: str = "") -> re.Pattern[str]:
    """Compile a ``matches`` pattern, refusing shapes that backtrack catastrophically.

    The pattern is parsed with the standard library's own parser and refused when it has a
    backreference, a quantified group containing a quantifier or an alternation, or more
    ambiguity than one open-ended quantifier plus a few optional parts (the product of the
    choices of its quantifiers and alternations, an open-ended quantifier counting as
    :data:`MAX_SUBJECT_CHARS`, may not exceed ``16 × MAX_SUBJECT_CHARS``).  When that parser
    is unavailable or returns a shape this check does not know, a stricter textual rule
    applies: no backreferences, no quantified groups, at most one open-ended quantifier.

    Args:
        pattern: The regular expression.
        path: Where the pattern sits, for the error.

    Returns:
        The compiled pattern.

    Raises:
        ConfigError: The pattern is too long, does not compile, or has a refused shape.
    """
    if len(pattern) > MAX_PATTERN_CHARS:
        raise ConfigError(
            f"patterns have at most {MAX_PATTERN_CHARS} characters, got {_show(pattern)}", path
        )
    try:
        compiled = re.compile(pattern)
    except Exception as exc:  # re.error, OverflowError, RecursionError on hostile input
        raise ConfigError(f"bad regular expression {pattern!r}: {exc}", path) from None
    try:
        try:
            sre = _parser_module()
            estimate = _choices(sre.parse(pattern), sre)
        except (_Unexpected, ImportError, AttributeError, TypeError, ValueError, RecursionError):
            _syntactic_check(pattern)
        else:
            if estimate > _REGEX_BUDGET:
                raise _Unsafe(
                    "too many open-ended quantifiers or alternatives (allowed: one of '*', '+', "
                    "'{n,}' plus a few optional parts)"
                )
    except _Unsafe as exc:
        raise ConfigError(f"unsafe regular expression {pattern!r}: {exc}", path) from None
    return compiled


# --------------------------------------------------------------------------------------------
# Field resolution and the safe evaluator

# Values that have no fields: attribute lookup on them would only find methods.
_NO_FIELDS = (
    str,
    bytes,
    bytearray,
    int,
    float,
    complex,
    list,
    tuple,
    set,
    frozenset,
    type(None),
    _Missing,
)
_METHODS = (MethodType, BuiltinMethodType, FunctionType)


def _step(obj: Any, key: str) -> Any:
    """One path segment: a mapping key, or an attribute that is not a method; else missing."""
    kind = type(obj)
    if kind is dict or kind is MappingProxyType:
        return obj.get(key, _MISSING)
    if isinstance(obj, _NO_FIELDS):
        return _MISSING
    try:
        if isinstance(obj, Mapping):
            return obj.get(key, _MISSING)
        value = getattr(obj, key, _MISSING)
    except Exception:  # a hostile or broken property: the field is simply not there
        return _MISSING
    return _MISSING if isinstance(value, _METHODS) else value


def _resolver(segments: tuple[str, ...]) -> Callable[[Any], Any]:
    if len(segments) == 1:
        (key,) = segments

        def resolve1(ctx: Any) -> Any:
            return _step(ctx, key)

        return resolve1

    def resolve(ctx: Any) -> Any:
        for key in segments:
            ctx = _step(ctx, key)
            if ctx is _MISSING:
                break
        return ctx

    return resolve


def _contains(value: Any, operand: Any) -> bool:
    try:
        if isinstance(value, str):
            return isinstance(operand, str) and operand in value
        if isinstance(value, (list, tuple, set, frozenset, dict, MappingProxyType)):
            return operand in value
        if isinstance(value, Mapping):
            return operand in value
    except Exception:
        return False
    return False


def _matcher(pattern: re.Pattern[str]) -> Callable[[Any], bool]:
    search = pattern.search

    def matches(value: Any) -> bool:
        # Only the first MAX_SUBJECT_CHARS characters are searched: a bound on work that does
        # not depend on how long the customer's text is.
        return isinstance(value, str) and search(value[:MAX_SUBJECT_CHARS]) is not None

    return matches


def _test(op: str, operand: Any) -> Callable[[Any], bool]:
    """The value test of one comparison, guarded so that it never raises."""
    missing = _MISSING
    if op == "eq":

        def eq(v: Any) -> bool:
            try:
                return bool(v == operand)
            except Exception:
                return False

        return eq
    if op == "ne":

        def ne(v: Any) -> bool:
            try:
                return v is not missing and bool(v != operand)
            except Exception:
                return False

        return ne
    if op in ("in", "not_in"):
        members = frozenset(operand)
        listed = tuple(operand)

        def is_member(v: Any) -> bool:
            try:
                return v in members
            except TypeError:
                # An unhashable value (a list, a mapping) cannot be looked up by hash; it may
                # still equal an operand (a custom type), so compare one by one.
                return any(v == m for m in listed)

        if op == "in":

            def in_(v: Any) -> bool:
                try:
                    return is_member(v)
                except Exception:
                    return False

            return in_

        def not_in(v: Any) -> bool:
            try:
                return v is not missing and not is_member(v)
            except Exception:
                return False

        return not_in
    if op in _ORDERING:
        compare: Callable[[Any, Any], Any] = getattr(operator, op)

        def ordered(v: Any) -> bool:
            try:
                return v is not missing and bool(compare(v, operand))
            except Exception:
                return False

        return ordered
    if op == "contains":
        return lambda v: _contains(v, operand)
    if op == "matches":
        return _matcher(re.compile(operand))
    if operand:
        return lambda v: v is not missing
    return lambda v: v is missing


def _compile_safe(cond: Condition) -> Callable[[Any], bool]:
    if isinstance(cond, Comparison):
        resolve = _resolver(tuple(cond.field.split(".")))
        test = _test(cond.op, cond.value)

        def comparison(ctx: Any) -> bool:
            return test(resolve(ctx))

        return comparison
    if isinstance(cond, Not):
        inner = _compile_safe(cond.condition)
        return lambda ctx: not inner(ctx)
    parts = tuple(_compile_safe(c) for c in cond.conditions)
    if isinstance(cond, AllOf):

        def all_(ctx: Any) -> bool:
            # An explicit loop: cheaper than all() over a generator on this hot path.
            for part in parts:  # noqa: SIM110
                if not part(ctx):
                    return False
            return True

        return all_

    def any_(ctx: Any) -> bool:
        for part in parts:  # noqa: SIM110
            if part(ctx):
                return True
        return False

    return any_


# --------------------------------------------------------------------------------------------
# The fast evaluator: one generated function per rule set, for plain-dict contexts


class _CodeGen:
    """Emits Python expressions for conditions.  Only generated names and fixed operators
    reach the source text; configuration values live in ``namespace``."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {
            "__builtins__": {"type": type, "dict": dict, "Exception": Exception},
            "_M": _MISSING,
            "_step": _step,
            "_contains": _contains,
        }
        self.counter = 0

    def name(self, prefix: str, value: Any = _MISSING) -> str:
        self.counter += 1
        name = f"_{prefix}{self.counter}"
        if value is not _MISSING:
            self.namespace[name] = value
        return name

    def resolve(self, field: str) -> str:
        segments = field.split(".")
        expr = f"c.get({self.name('k', segments[0])}, _M)"
        for segment in segments[1:]:
            tmp = self.name("t")
            key = self.name("k", segment)
            expr = (
                f"({tmp}.get({key}, _M) if type({tmp} := {expr}) is dict else _step({tmp}, {key}))"
            )
        return expr

    def condition(self, cond: Condition) -> str:
        if isinstance(cond, AllOf):
            return "(" + " and ".join(self.condition(c) for c in cond.conditions) + ")"
        if isinstance(cond, AnyOf):
            return "(" + " or ".join(self.condition(c) for c in cond.conditions) + ")"
        if isinstance(cond, Not):
            return f"(not {self.condition(cond.condition)})"
        value = self.resolve(cond.field)
        op = cond.op
        if op == "eq":
            return f"({value} == {self.name('v', cond.value)})"
        if op in ("in", "not_in"):
            members = self.name("s", frozenset(cond.value))
            if op == "in":
                return f"({value} in {members})"
            tmp = self.name("t")
            return f"(({tmp} := {value}) is not _M and {tmp} not in {members})"
        if op == "ne" or op in _ORDERING:
            symbol = {"ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}[op]
            operand = self.name("v", cond.value)
            tmp = self.name("t")
            return f"(({tmp} := {value}) is not _M and {tmp} {symbol} {operand})"
        if op == "contains":
            return f"_contains({value}, {self.name('v', cond.value)})"
        if op == "matches":
            return f"{self.name('m', _matcher(re.compile(cond.value)))}({value})"
        return f"({value} is {'not ' if cond.value else ''}_M)"


def _generate(
    conditions: Sequence[Condition | None],
    namespace_extra: Mapping[str, Any],
) -> Callable[[Any], Any] | None:
    """Source for ``evaluate(c)`` over a dict context, or ``None`` if it cannot be compiled."""
    gen = _CodeGen()
    lines = ["def evaluate(c):", "    if type(c) is dict:", "        try:"]
    if len(conditions) == 1:
        cond = conditions[0]
        test = "True" if cond is None else gen.condition(cond)
        lines += [
            f"            if {test}:",
            "                return _d1",
            "            return _d0",
            "        except Exception:",
            "            pass",
            "    return _slow(c)",
        ]
    else:
        lines.append("            k = 0")
        for i, cond in enumerate(conditions):
            bit = 1 << i
            if cond is None:
                lines.append(f"            k |= {bit}")
            else:
                lines.append(f"            if {gen.condition(cond)}:")
                lines.append(f"                k |= {bit}")
        lines += [
            "        except Exception:",
            "            k = _mask(c)",
            "    else:",
            "        k = _mask(c)",
            "    d = _cache.get(k)",
            "    if d is None:",
            "        d = _decide(k)",
            "    return d",
        ]
    source = "\n".join(lines)
    namespace = dict(gen.namespace)
    namespace.update(namespace_extra)
    try:
        code = compile(source, "<csflow.rules>", "exec")
        exec(code, namespace)
    except Exception:  # SyntaxError/RecursionError/MemoryError on extreme rule sets
        return None
    fn: Callable[[Any], Any] = namespace["evaluate"]
    return fn


# --------------------------------------------------------------------------------------------
# Describing conditions


def _values(values: Sequence[Any], joiner: str) -> str:
    shown = [_show(v) for v in values[:6]]
    if len(values) > 6:
        return ", ".join(shown) + f", … ({len(values)} values)"
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + f" {joiner} " + shown[-1]


_SYMBOLS = {"lt": "<", "le": "<=", "gt": ">", "ge": ">="}


def _describe(cond: Condition, parent: str = "") -> str:
    if isinstance(cond, Comparison):
        field, op, value = cond.field, cond.op, cond.value
        if op == "eq":
            return f"{field} is {_show(value)}"
        if op == "ne":
            return f"{field} is not {_show(value)}"
        if op == "in":
            return (
                f"{field} is {_values(value, 'or')}"
                if len(value) == 1
                else (f"{field} is one of {_values(value, 'or')}")
            )
        if op == "not_in":
            return f"{field} is none of {_values(value, 'or')}"
        if op in _SYMBOLS:
            return f"{field} {_SYMBOLS[op]} {_show(value)}"
        if op == "contains":
            return f"{field} contains {_show(value)}"
        if op == "matches":
            return f"{field} matches {_show(value)}"
        return f"{field} is {'present' if value else 'absent'}"
    if isinstance(cond, Not):
        return f"not ({_describe(cond.condition)})"
    kind = "and" if isinstance(cond, AllOf) else "or"
    text = f" {kind} ".join(_describe(c, kind) for c in cond.conditions)
    return f"({text})" if parent and len(cond.conditions) > 1 else text


def describe(condition: Condition | None, *, limit: int = 400) -> str:
    """A readable rendering of a condition: ``customer.tier is 'gold' and wait_s > 60``.

    Args:
        condition: A parsed condition, or ``None`` (a rule without ``when``).
        limit: Longest text returned; longer renderings end with ``…``.

    Returns:
        The text; ``"always"`` for ``None``.
    """
    text = "always" if condition is None else _describe(condition)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------------------------
# Rule sets


def _dedupe(values: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(dict.fromkeys(values))


class RuleSet:
    """An ordered, validated, compiled list of rules.  Immutable.

    Build one with :meth:`from_dicts` (or the constructor, which takes the same arguments).

    Args:
        rules: A list of rule mappings (see :mod:`csflow.rules` for the language).
        mode: ``"first"`` or ``"all"``; how matched rules' actions combine (see
            :meth:`evaluate`).
        known_fields: If given, every field path must be one of these (an entry ``"x.*"``
            admits every path under ``x``), e.g. :data:`STANDARD_FIELDS`.

    Raises:
        ConfigError: Anything malformed, with the path to it.
    """

    mode: Mode
    rules: tuple[Rule, ...]
    _index: dict[str, int]
    _texts: tuple[str, ...]
    _safe: tuple[Callable[[Any], bool] | None, ...]
    _cache: dict[int, Decision]

    def __init__(
        self,
        rules: Sequence[Mapping[str, Any]],
        *,
        mode: Mode = "first",
        known_fields: Iterable[str] | None = None,
    ) -> None:
        if mode not in ("first", "all"):
            raise ConfigError(f"mode must be 'first' or 'all', got {_show(mode)}", "mode")
        known: frozenset[str] | None = None
        if known_fields is not None:
            if isinstance(known_fields, str):
                raise ConfigError(
                    f"known_fields must be a collection of field paths, got {known_fields!r}"
                )
            try:
                known = frozenset(known_fields)
            except TypeError:
                raise ConfigError(
                    f"known_fields must be a collection of field paths, got {_show(known_fields)}"
                ) from None
        parsed = _Loader(known).rules(rules)
        self._init(parsed, mode)

    def _init(self, rules: tuple[Rule, ...], mode: Mode) -> None:
        set_ = object.__setattr__
        set_(self, "mode", mode)
        set_(self, "rules", rules)
        set_(self, "_index", {rule.name: i for i, rule in enumerate(rules)})
        set_(self, "_texts", tuple(describe(rule.when) for rule in rules))
        safe = tuple(None if rule.when is None else _compile_safe(rule.when) for rule in rules)
        set_(self, "_safe", safe)
        cache: dict[int, Decision] = {}
        set_(self, "_cache", cache)

        def mask(ctx: Any) -> int:
            k = 0
            for i, test in enumerate(safe):
                if test is None or test(ctx):
                    k |= 1 << i
            return k

        decide = self._decide
        extra: dict[str, Any] = {"_mask": mask, "_cache": cache, "_decide": decide}
        if len(rules) == 1:
            d0, d1 = decide(0), decide(1)
            only = safe[0]
            extra.update(
                _d0=d0,
                _d1=d1,
                _slow=lambda ctx: d1 if only is None or only(ctx) else d0,
            )
        fast = _generate([rule.when for rule in rules], extra) if rules else None
        if fast is None:

            def fast(ctx: Any) -> Decision:
                k = mask(ctx)
                found = cache.get(k)
                return decide(k) if found is None else found

        # An instance attribute shadows the documented method below: one call per evaluation
        # instead of two, a measurable share of the per-context budget.
        set_(self, "evaluate", fast)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"RuleSet is immutable; cannot set {name!r}")

    @classmethod
    def from_dicts(
        cls,
        rules: Sequence[Mapping[str, Any]],
        mode: Mode = "first",
        known_fields: Iterable[str] | None = None,
    ) -> RuleSet:
        """Validate and compile rules given as plain data.

        Args:
            rules: A list of rule mappings.
            mode: ``"first"`` or ``"all"`` (see :meth:`evaluate`).
            known_fields: If given, the allowed field paths (``"x.*"`` admits all under ``x``).

        Returns:
            The compiled rule set.

        Raises:
            ConfigError: Anything malformed, with the path to it, e.g.
                ``rules[2].when.all[0]: unknown operator 'inn'``.

        Examples:
            >>> rs = RuleSet.from_dicts([{"name": "vip", "when": {"field": "tier", "eq": "gold"},
            ...                           "then": {"queue": "vip"}}])
            >>> rs.evaluate({"tier": "gold"}).actions["queue"]
            'vip'
        """
        return cls(rules, mode=mode, known_fields=known_fields)

    def evaluate(self, context: Any) -> Decision:
        """Decide for one context.

        Every rule's condition is evaluated; ``matched`` lists the rules that held, in order.
        The actions of the matched rules combine per key:

        * ``"first"`` mode: for each key, the first matched rule that sets it wins.  A rule
          therefore overrides the ones after it, and a catch-all at the end supplies defaults.
        * ``"all"`` mode: rules apply in order and a later rule overrides an earlier one per
          key, except that list values extend (the union, de-duplicated, in first-seen order)
          and mapping values merge shallowly (later entries override per entry).  A value of
          another kind replaces whatever was there.

        In both modes a list value is de-duplicated, keeping first-seen order.

        Evaluation never raises: a missing field or a value of the wrong type makes a
        comparison false.

        Args:
            context: A mapping or object; a plain ``dict`` (e.g. from :func:`ticket_context`)
                takes the fast path.

        Returns:
            The decision; the same :class:`Decision` object is returned for every context that
            matches the same rules.
        """
        raise NotImplementedError  # replaced per instance in _init; kept for documentation

    def _decide(self, mask: int) -> Decision:
        matched = tuple(i for i in range(len(self.rules)) if mask >> i & 1)
        names = tuple(self.rules[i].name for i in matched)
        actions: dict[str, Any] = {}
        sources: dict[str, tuple[str, ...]] = {}
        for i in matched:
            rule = self.rules[i]
            for key, value in rule.then.items():
                if self.mode == "first":
                    if key not in actions:
                        actions[key] = _dedupe(value) if isinstance(value, tuple) else value
                        sources[key] = (rule.name,)
                    continue
                previous = actions.get(key, _MISSING)
                if isinstance(value, tuple) and isinstance(previous, tuple):
                    actions[key] = _dedupe(previous + value)
                    sources[key] = (*sources[key], rule.name)
                elif isinstance(value, Mapping) and isinstance(previous, Mapping):
                    actions[key] = MappingProxyType({**previous, **value})
                    sources[key] = (*sources[key], rule.name)
                else:
                    actions[key] = _dedupe(value) if isinstance(value, tuple) else value
                    sources[key] = (rule.name,)
        decision = Decision(
            rule=names[0] if names else None,
            matched=names,
            actions=MappingProxyType(actions),
            sources=MappingProxyType(sources),
            reason=self._reason(matched),
        )
        if len(self._cache) < MAX_CACHED_DECISIONS:
            self._cache[mask] = decision
        return decision

    def _because(self, i: int) -> str:
        rule = self.rules[i]
        if rule.when is None:
            return f"{rule.name!r} always applies"
        return f"{rule.name!r} because {self._texts[i]}"

    def _reason(self, matched: Sequence[int]) -> str:
        if not matched:
            return f"no rule matched ({len(self.rules)} checked)"
        if len(matched) == 1:
            rule = self.rules[matched[0]]
            if rule.when is None:
                return f"rule {rule.name!r} matched: it always applies"
            return f"rule {rule.name!r} matched because {self._texts[matched[0]]}"
        head = "rules " + ", ".join(repr(self.rules[i].name) for i in matched) + " matched"
        order = (
            "the first to set an action decides it"
            if self.mode == "first"
            else "later ones override earlier ones"
        )
        return f"{head} ({order}): " + "; ".join(self._because(i) for i in matched)

    def rule(self, name: str) -> Rule:
        """The rule called *name*.

        Raises:
            KeyError: No rule has that name.
        """
        return self.rules[self._index[name]]

    def explain(self, name: str) -> str:
        """The readable condition of the rule called *name* (``"always"`` for a catch-all).

        Raises:
            KeyError: No rule has that name.
        """
        return self._texts[self._index[name]]

    @property
    def names(self) -> tuple[str, ...]:
        """The rule names, in order."""
        return tuple(rule.name for rule in self.rules)

    def to_dicts(self) -> list[dict[str, Any]]:
        """The rules as plain, JSON-compatible data that :meth:`from_dicts` accepts.

        ``RuleSet.from_dicts(rs.to_dicts(), rs.mode) == rs`` always holds.
        """
        return [rule.to_dict() for rule in self.rules]

    def __len__(self) -> int:
        return len(self.rules)

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RuleSet):
            return NotImplemented
        return self.mode == other.mode and self.rules == other.rules

    def __hash__(self) -> int:
        return hash((self.mode, self.rules))

    def __repr__(self) -> str:
        return f"RuleSet(mode={self.mode!r}, rules={list(self.names)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # The generated functions do not pickle; the data they came from does.
        return (_restore, (self.to_dicts(), self.mode))

    def __copy__(self) -> RuleSet:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> RuleSet:
        return self


def _restore(rules: list[dict[str, Any]], mode: Mode) -> RuleSet:
    return RuleSet(rules, mode=mode)


# --------------------------------------------------------------------------------------------
# The standard ticket context


STANDARD_FIELDS: Final = frozenset(
    {
        "id",
        "channel",
        "priority",
        "priority_level",
        "category",
        "language",
        "tier",
        "tier_rank",
        "required_skills",
        "required_skills.*",
        "attributes",
        "attributes.*",
        "customer",
        "customer.id",
        "customer.tier",
        "customer.tier_rank",
        "customer.language",
        "customer.preferred_agent",
        "customer.attributes",
        "customer.attributes.*",
        "wait_s",
    }
)
"""The fields :func:`ticket_context` provides (``"x.*"``: any key under ``x``), for
``known_fields``."""

_TOP_LEVEL_FIELDS = frozenset(f.split(".")[0] for f in STANDARD_FIELDS)


def ticket_context(ticket: Ticket, at: datetime | None = None, **extra: Any) -> dict[str, Any]:
    """The standard rule context for a ticket: a fresh plain dict (the fast path).

    Fields (see :data:`STANDARD_FIELDS`):

    ============================ ==============================================================
    ``id``                       the ticket id
    ``channel``                  channel name, e.g. ``"whatsapp"``
    ``priority``                 priority name, ``"low"``, ``"normal"``, ``"high"``, ``"urgent"``
    ``priority_level``           the priority as an int (0 = low … 3 = urgent), for ordering
    ``category``                 e.g. ``"refund"``
    ``language``                 the ticket's language, absent when unknown
    ``tier``, ``tier_rank``      the customer's tier name (``"platinum"``) and rank
    ``customer.id``              the customer id; also ``customer.tier``, ``customer.tier_rank``,
                                 ``customer.language`` and ``customer.preferred_agent`` (absent
                                 when unknown)
    ``customer.attributes.*``    the customer's free-form attributes
    ``attributes.*``             the ticket's free-form attributes, e.g. ``attributes.order_value``
    ``required_skills.*``        skill name -> minimum proficiency the ticket needs
                                 (``{"field": "required_skills", "contains": "refund"}``)
    ``wait_s``                   seconds from ``created_at`` to *at* (never negative), only
                                 when *at* is given
    ============================ ==============================================================

    Args:
        ticket: The ticket.
        at: The current instant (timezone-aware), for ``wait_s``.
        **extra: More top-level fields (e.g. ``queue_length=12``); names must not shadow a
            standard field.

    Returns:
        A new dict; nested attribute mappings are read-only views.

    Raises:
        ConfigError: *ticket* is not a Ticket, *at* is naive, or an extra name is malformed or
            shadows a standard field.
    """
    if not isinstance(ticket, Ticket):
        raise ConfigError(f"ticket must be a Ticket, got {_show(ticket)}")
    customer = ticket.customer
    cust: dict[str, Any] = {
        "id": customer.id,
        "tier": customer.tier.name,
        "tier_rank": customer.tier.rank,
        "attributes": customer.attributes,
    }
    if customer.language is not None:
        cust["language"] = customer.language
    if customer.preferred_agent is not None:
        cust["preferred_agent"] = customer.preferred_agent
    ctx: dict[str, Any] = {
        "id": ticket.id,
        "channel": ticket.channel.name,
        "priority": ticket.priority.name.lower(),
        "priority_level": int(ticket.priority),
        "category": ticket.category,
        "tier": customer.tier.name,
        "tier_rank": customer.tier.rank,
        "customer": cust,
        "attributes": ticket.attributes,
        "required_skills": {r.skill: r.min_proficiency for r in ticket.required_skills},
    }
    if ticket.language is not None:
        ctx["language"] = ticket.language
    if at is not None:
        require_aware(at, "at", ConfigError)
        ctx["wait_s"] = max(0.0, (at - ticket.created_at).total_seconds())
    for key, value in extra.items():
        if not _SEGMENT_RE.match(key):
            raise ConfigError(f"extra field names must be simple names, got {key!r}")
        if key in _TOP_LEVEL_FIELDS:
            raise ConfigError(f"extra field {key!r} would shadow a standard field")
        ctx[key] = value
    return ctx


# --------------------------------------------------------------------------------------------
# JSON Schema

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
_SEGMENT_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_\-]*"


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
            "maxLength": _MAX_FIELD_CHARS,
            "pattern": (
                rf"^{_SEGMENT_PATTERN}(\.{_SEGMENT_PATTERN}){{0,{_MAX_FIELD_SEGMENTS - 1}}}$"
            ),
        },
        "rule": {
            "type": "object",
            "required": ["name"],
            "additionalProperties": False,
            "properties": {
                "name": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": _MAX_NAME_CHARS,
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
                    "propertyNames": {"minLength": 1, "maxLength": _MAX_NAME_CHARS},
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
