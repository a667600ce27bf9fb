"""The rule compiler: conditions turned into plain functions, a safe one and a fast one.

Theory of operation
-------------------
A rule set is compiled twice:

   * a *safe* evaluator: one closure per condition, each comparison guarded so that a missing
     field or a value of the wrong type is simply false;
   * a *fast* evaluator for the usual case, a context that is a plain ``dict``: one Python
     function per rule set, generated from the parsed rules, in which every comparison is an
     inline expression (no call per condition).  The generated source contains only names the
     compiler made up and fixed operators; every value from the configuration (field names,
     operands, patterns) is bound as a constant in the function's namespace, never pasted
     into the source.  If a rule's inline test raises (a string compared with a number, an
     unhashable value tested with ``in``), that rule is tested again by its safe evaluator,
     so both paths give the same answers and evaluation never raises.

A rule with a ``matches`` condition is generated in a *guarded* form instead: the safe
evaluator's field resolution and value tests, inlined, so its test cannot raise and is never
run again.  A search is the costly part of an evaluation; each runs at most once per
evaluation, which is what the rule set's regex budget
(:data:`~csflow.rules.regex.REGEX_TOTAL_BUDGET`) counts.

Field resolution is the same in both: a dotted path is followed one segment at a time through
mapping keys or, for other objects, attributes that are not methods; anything that fails along
the way makes the field missing (the sentinel ``_MISSING``, which no context can contain).

The generated source stays proportional to the rule set: a path of up to three segments is
resolved inline, a longer one by one small function per distinct path, and a rule set whose
source would exceed :data:`MAX_GENERATED_CHARS` (several thousand conditions) gets no
generated function: its safe evaluator alone answers, the same answers, more slowly.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from types import BuiltinMethodType, FunctionType, MappingProxyType, MethodType
from typing import Any, Final

from csflow._frozen import FrozenDict
from csflow.rules.regex import subject_matcher
from csflow.rules.syntax import (
    ORDERING,
    AllOf,
    AnyOf,
    Comparison,
    Condition,
    Not,
    contains_text,
)

# Nothing here is part of the documented API: RuleSet is the compiler's one user, and the two
# functions it calls have public names only so that it may import them.
__all__: list[str] = []


class _Missing:
    """The value of a field that is not there (a sentinel no context can contain)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<missing>"


_MISSING: Final = _Missing()


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
    try:
        kind = type(obj)
        if kind is dict or kind is FrozenDict or kind is MappingProxyType:
            # Even a plain dict's lookup runs the keys' own __eq__ on a hash collision.
            return obj.get(key, _MISSING)
        if isinstance(obj, _NO_FIELDS):
            return _MISSING
        if isinstance(obj, Mapping):
            return obj.get(key, _MISSING)
        value = getattr(obj, key, _MISSING)
    except Exception:  # a hostile key, property or __class__: the field is simply not there
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


def _contains(value: Any, operand: Any, text: str | None) -> bool:
    """``contains``: *text* (the operand's :func:`~csflow.rules.syntax.contains_text`) is a
    substring of a string value; *operand* an element or key of a collection value."""
    try:
        if isinstance(value, str):
            return text is not None and text in value
        if isinstance(value, (list, tuple, set, frozenset, dict, MappingProxyType)):
            return operand in value
        if isinstance(value, Mapping):
            return operand in value
    except Exception:
        return False
    return False


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
    if op in ORDERING:
        compare: Callable[[Any, Any], Any] = getattr(operator, op)

        def ordered(v: Any) -> bool:
            try:
                return v is not missing and bool(compare(v, operand))
            except Exception:
                return False

        return ordered
    if op == "contains":
        text = contains_text(operand)
        return lambda v: _contains(v, operand, text)
    if op == "matches":
        return subject_matcher(operand)
    if operand:
        return lambda v: v is not missing
    return lambda v: v is missing


def compile_condition(cond: Condition) -> Callable[[Any], bool]:
    """The safe evaluator of one condition: a closure that never raises.

    Args:
        cond: A parsed condition.

    Returns:
        A function of a context (any mapping or object) that says whether *cond* holds; a
        missing field or a value of the wrong type makes a comparison false.
    """
    if isinstance(cond, Comparison):
        resolve = _resolver(tuple(cond.field.split(".")))
        test = _test(cond.op, cond.value)

        def comparison(ctx: Any) -> bool:
            return test(resolve(ctx))

        return comparison
    if isinstance(cond, Not):
        inner = compile_condition(cond.condition)
        return lambda ctx: not inner(ctx)
    parts = tuple(compile_condition(c) for c in cond.conditions)
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


_INLINE_SEGMENTS: Final = 3
"""Field paths of at most this many segments are resolved inline in the generated source;
a longer one is resolved by one small function per distinct path (:func:`_dict_resolver`), so
that a comparison's source stays short whatever its field."""
MAX_GENERATED_CHARS: Final = 1_000_000
"""The longest generated source :func:`generate_evaluator` compiles; a rule set whose fast
evaluator would be longer (several thousand conditions) is evaluated by its safe evaluator
alone, so that loading stays proportional to the document (compiling a megabyte of source
takes about a third of a second and 100 MB)."""


def _dict_resolver(segments: tuple[str, ...]) -> Callable[[Any], Any]:
    """The generated code's resolution of a long path, given a plain ``dict`` context: the
    same steps as the inline form (and as :func:`_resolver`).  It never raises (a key whose
    ``__eq__`` raises on a hash collision makes the field missing, as :func:`_step` does):
    the guarded form of a rule with a search calls it outside any ``try``."""
    first, rest = segments[0], segments[1:]

    def resolve(c: dict[str, Any]) -> Any:
        try:
            v = c.get(first, _MISSING)
            for key in rest:
                if type(v) is dict:
                    v = v.get(key, _MISSING)
                elif v is _MISSING:
                    break
                else:
                    v = _step(v, key)
        except Exception:
            return _MISSING
        return v

    return resolve


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
        self.resolvers: dict[str, str] = {}

    def name(self, prefix: str, value: Any = _MISSING) -> str:
        self.counter += 1
        name = f"_{prefix}{self.counter}"
        if value is not _MISSING:
            self.namespace[name] = value
        return name

    def resolve(self, field: str) -> str:
        segments = field.split(".")
        if len(segments) > _INLINE_SEGMENTS:
            return f"{self.resolver(field)}(c)"
        expr = f"c.get({self.name('k', segments[0])}, _M)"
        for segment in segments[1:]:
            tmp = self.name("t")
            key = self.name("k", segment)
            expr = (
                f"({tmp}.get({key}, _M) if type({tmp} := {expr}) is dict else _step({tmp}, {key}))"
            )
        return expr

    def resolver(self, field: str) -> str:
        """The name of a function that resolves *field* in a plain-``dict`` context: one per
        distinct path, however many comparisons read it."""
        name = self.resolvers.get(field)
        if name is None:
            name = self.name("f", _dict_resolver(tuple(field.split("."))))
            self.resolvers[field] = name
        return name

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
        if op == "ne" or op in ORDERING:
            symbol = {"ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}[op]
            operand = self.name("v", cond.value)
            tmp = self.name("t")
            return f"(({tmp} := {value}) is not _M and {tmp} {symbol} {operand})"
        if op == "contains":
            operand = self.name("v", cond.value)
            text = self.name("v", contains_text(cond.value))
            return f"_contains({value}, {operand}, {text})"
        if op == "matches":
            return f"{self.name('m', subject_matcher(cond.value))}({value})"
        return f"({value} is {'not ' if cond.value else ''}_M)"

    def guarded(self, cond: Condition) -> str:
        """An expression that cannot raise: the safe evaluator's resolution and value tests,
        inlined (for a condition with a search, which must not run twice)."""
        if isinstance(cond, AllOf):
            return "(" + " and ".join(self.guarded(c) for c in cond.conditions) + ")"
        if isinstance(cond, AnyOf):
            return "(" + " or ".join(self.guarded(c) for c in cond.conditions) + ")"
        if isinstance(cond, Not):
            return f"(not {self.guarded(cond.condition)})"
        segments = cond.field.split(".")
        if len(segments) > _INLINE_SEGMENTS:
            value = f"{self.resolver(cond.field)}(c)"
        else:
            value = "c"
            for segment in segments:
                value = f"_step({value}, {self.name('k', segment)})"
        if cond.op == "exists":
            return f"({value} is {'not ' if cond.value else ''}_M)"
        return f"{self.name('g', _test(cond.op, cond.value))}({value})"


def _has_search(cond: Condition) -> bool:
    if isinstance(cond, Comparison):
        return cond.op == "matches"
    if isinstance(cond, Not):
        return _has_search(cond.condition)
    return any(_has_search(c) for c in cond.conditions)


def generate_evaluator(
    conditions: Sequence[Condition | None],
    namespace_extra: Mapping[str, Any],
    safe: Sequence[Callable[[Any], bool] | None],
) -> Callable[[Any], Any] | None:
    """The fast evaluator of a rule set: one generated function ``evaluate(c)``.

    For a plain-``dict`` context it tests every condition inline; a condition whose inline test
    raises is tested again by its safe evaluator, and a condition with a ``matches``
    comparison is inlined in a guarded form that cannot raise (so no search runs twice).  For
    any other context it falls back to names the caller supplies in *namespace_extra*.  With one
    condition it returns ``_d1`` when the condition holds and ``_d0`` otherwise, and calls
    ``_slow(c)`` for other contexts; with several it builds the bit mask of the conditions
    that held (``_mask(c)`` for other contexts) and returns ``_cache.get(mask)`` or
    ``_decide(mask)``.

    Args:
        conditions: One condition per rule, in rule order; ``None`` for a rule that always
            applies.
        namespace_extra: The names above, bound in the function's namespace.
        safe: The safe evaluator of each condition (:func:`compile_condition`), ``None`` for
            a rule that always applies.

    Returns:
        The function, or ``None`` if Python cannot compile it (an extreme rule set); the
        caller then uses the safe evaluator alone.
    """
    gen = _CodeGen()

    def test(i: int, cond: Condition) -> tuple[str, str | None]:
        """The inline test of rule *i* and the safe one to run if it raises (``None``: it
        cannot raise)."""
        if _has_search(cond):
            return gen.guarded(cond), None
        return gen.condition(cond), f"{gen.name('r', safe[i])}(c)"

    lines = ["def evaluate(c):", "    if type(c) is dict:"]
    if len(conditions) == 1:
        cond = conditions[0]
        inline, fallback = ("True", None) if cond is None else test(0, cond)
        if fallback is None:
            lines += [f"        return _d1 if {inline} else _d0"]
        else:
            lines += [
                "        try:",
                f"            return _d1 if {inline} else _d0",
                "        except Exception:",
                f"            return _d1 if {fallback} else _d0",
            ]
        lines.append("    return _slow(c)")
    else:
        lines.append("        k = 0")
        for i, cond in enumerate(conditions):
            bit = 1 << i
            if cond is None:
                lines.append(f"        k |= {bit}")
                continue
            inline, fallback = test(i, cond)
            if fallback is None:
                lines += [f"        if {inline}:", f"            k |= {bit}"]
            else:
                lines += [
                    "        try:",
                    f"            if {inline}:",
                    f"                k |= {bit}",
                    "        except Exception:",
                    f"            if {fallback}:",
                    f"                k |= {bit}",
                ]
        lines += [
            "    else:",
            "        k = _mask(c)",
            "    d = _cache.get(k)",
            "    if d is None:",
            "        d = _decide(k)",
            "    return d",
        ]
    source = "\n".join(lines)
    if len(source) > MAX_GENERATED_CHARS:
        return None
    namespace = dict(gen.namespace)
    namespace.update(namespace_extra)
    try:
        code = compile(source, "<csflow.rules>", "exec")
        exec(code, namespace)
    except Exception:  # SyntaxError/RecursionError/MemoryError on extreme rule sets
        return None
    fn: Callable[[Any], Any] = namespace["evaluate"]
    return fn
