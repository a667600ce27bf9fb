"""Regular-expression safety: which ``matches`` patterns a rule set accepts.

Theory of operation
-------------------
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

import importlib
import re
from typing import Any, Final

from csflow.errors import ConfigError
from csflow.rules._abbrev import short_repr
from csflow.rules.syntax import MAX_PATTERN_CHARS, MAX_SUBJECT_CHARS

__all__ = ["check_pattern"]

_REGEX_BUDGET: Final = 16 * MAX_SUBJECT_CHARS


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
            f"patterns have at most {MAX_PATTERN_CHARS} characters, got {short_repr(pattern)}", path
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
