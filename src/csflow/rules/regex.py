"""Regular-expression safety: which ``matches`` patterns a rule set accepts, and how they search.

Theory of operation
-------------------
Python's ``re`` backtracks: it tries the ways a pattern can match one after another, without
remembering what failed, at every start position ``re.search`` tries.  A pattern from an
administrator meets a subject from the public, so two defences bound the work of one ``matches``
condition, whatever the subject:

* the subject is cut to its first :data:`MAX_SUBJECT_CHARS` characters (*n* below);
* at load time the pattern is parsed and its worst-case work on a subject of *n* characters
  is estimated; a pattern whose estimate exceeds :data:`REGEX_BUDGET` is refused, and so is a
  rule set whose patterns' estimates add up to more than :data:`REGEX_TOTAL_BUDGET`.

The estimate counts *steps* (one test of one pattern item at one position) with a cost model
that is an upper bound on what a backtracking matcher can do, not a guess at a typical case.
For each part of the pattern it computes *ways* (how many distinct ways the part can match
from one position: the paths the matcher may come back to) and *work* (the steps to try all of
them once):

* a character, ``.`` or anchor: one way, one step; a word boundary (``\\b``, ``\\B``) four,
  since it looks at the characters on both sides (``(?:\\b){1000}`` measured at 40-55 ns an
  estimated step where the slowest shape below takes 12-17, both CPUs loaded);
* a character class: one way, one step for its characters up to U+FFFF (one bitmap lookup)
  plus one for each category (``\\w``, ``\\d`` ...) and each character or range beyond U+FFFF
  in it, which the standard library's matcher tests one after another (without this, a class
  of 200 such characters ran at ~90 ns an estimated step);
* a sequence: each item is tried once for every way its predecessors matched, so
  ``work = Σ work(item) × Π ways(items before it)`` and ``ways = Π ways(item)``;
* an alternation: the sum of its branches' ways and work;
* a repeat ``{lo,hi}`` of a part with one way: ``hi`` is capped by how many repetitions fit in
  *n* characters, the work is ``repetitions × work(part)`` (so ``\\w{300}`` costs 300 steps
  each time it is tried, not one) and the ways are the counts it can stop at
  (``hi - lo + 1``: ``*`` and ``+`` give about *n*, ``?`` gives 2, ``{300}`` gives 1);
* a repeat of a part that itself has several ways (``(a+)+``, ``(a|ab)*``, ``(a?){2}``) would
  multiply them once per repetition -- exponential -- and is refused outright, as is a
  backreference;
* a lookaround or atomic group: one way, the work of trying all of its body's ways (twice
  for an atomic group, and a possessive repeat's work twice too: see the cut, below);
* the search: ``(n + 1) ×`` the work from one start position plus its ways, or that work plus
  *n* when the pattern starts with ``\\A`` or ``^`` (not ``(?m)``), which fails at once
  anywhere but the start.

What is refused, in practice: two open-ended quantifiers in sequence (``\\s*x\\s*``,
``\\S+@\\S+``: about *n*\\ :sup:`3` steps), an open-ended quantifier followed by many optional
parts (each ``?`` doubles the ways), a long fixed or bounded repeat after many optional parts
(``\\w?\\w?…\\w{300}``), nested quantifiers and backreferences.  Accepted: one open-ended
quantifier with a few optional or bounded parts (``^ORD-\\d+$``, ``\\bINV/\\d{4}/\\d{2}\\b``,
``(?i)^[a-z0-9._%+-]+@example\\.com$``), keyword alternations (``(?i)\\b(refund|return)\\b``)
and anything anchored at the start with a few quantifiers.

What a step costs, measured (CPython 3.11 on a 2-CPU AMD EPYC; each family of worst-case
shapes at the largest size the check accepts, searched in runs of ASCII, Latin-1, title-case,
other BMP and non-BMP letters, whole and longer than *n*, best of 5-9 runs): the slowest shape
per step is ``(?i)`` with bounded repeats of title-case letters, ``(?i)\\w{1,3}ǅ{0,45}[ǅ ]{0,45}\\s``
on ``"ǅ" * 1000``: 6.5-7.7 ns a step on a quiet machine, 12-15 ns while other jobs load both
CPUs.  So the :data:`REGEX_BUDGET` of 20,000,000 steps is 0.15 s of searching on a quiet
machine and about a quarter of a second on a loaded one.

A rule set tests every rule on every context, and its compiled form runs each ``matches``
search at most once per evaluation (:mod:`csflow.rules.compiler`) and caches nothing between
conditions, so the worst case of one evaluation is the sum of the estimates of all its
``matches`` conditions (before this budget, 200 accepted patterns took 14 s).  The loader adds
them up and refuses the condition that takes the sum over :data:`REGEX_TOTAL_BUDGET`, also
20,000,000 steps: one evaluation searches for at most about a quarter of a second at the
loaded rate above, whatever the context.  Realistic rule sets stay far below it: a keyword
alternation such as ``(?i)\\b(refund|return|retur dana)\\b`` is estimated at 39,039 steps (512 of
them fit; its last ``\\b`` counts once for each of the three words it may follow), an anchored
``^ORD-\\d+$`` at 4,007.

If the standard library's pattern parser is unavailable or returns a shape this module does
not know, a stricter rule applies (see :func:`check_pattern`).

A value longer than *n* is searched in its first *n* characters, but the cut is not its end:
the search must not succeed where the whole value would not.  For such a value the pattern is
searched in a derived form in which ``$``, ``\\Z`` (and ``\\b``, ``\\B`` at the cut) cannot
match at the cut, ``(?m)$`` matches only before a newline, and a negative lookahead that
reaches the cut counts as if its body could match there (so the lookahead fails), as does
each part of that body that, at the cut, stands for a position further on (a lookbehind, a
nested negative lookahead, ``(?m)^``) or for where a part that jumped to the cut (below)
began (``\\A``, ``^``).  An atomic group or a possessive repeat keeps the first way its body
matched, and in the cut that may not be the whole value's way: where some way of its body may
read the cut, it fails (inside a negative lookahead: it might match), found by searching its
body once more; one that nothing follows matches as an ordinary group or repeat, and one
nested more than four deep in others never matches a cut value.  A match of the derived form
in the cut is therefore a match of the whole value; the converse need not hold (``x$`` never
matches a value longer than *n*).  See :func:`subject_matcher`.
"""

from __future__ import annotations

import contextlib
import contextvars
import importlib
import re
from collections.abc import Callable, Iterator
from typing import Any, Final

from csflow.errors import ConfigError
from csflow.rules._abbrev import short_repr
from csflow.rules.syntax import MAX_PATTERN_CHARS, MAX_SUBJECT_CHARS

# checked_cost and PatternCache have public names only so that the loader may import them.
__all__ = [
    "REGEX_BUDGET",
    "REGEX_TOTAL_BUDGET",
    "check_pattern",
    "pattern_cost",
    "subject_matcher",
]

REGEX_BUDGET: Final = 20_000_000
"""Most steps (see the module's cost model) one ``matches`` search may take in the worst case
on a subject of :data:`~csflow.rules.syntax.MAX_SUBJECT_CHARS` characters."""
REGEX_TOTAL_BUDGET: Final = 20_000_000
"""Most steps all the ``matches`` searches of one rule set may take together, in the worst case,
on one context (each on a subject of :data:`~csflow.rules.syntax.MAX_SUBJECT_CHARS`
characters): about a quarter of a second at the slowest measured rate (see the module)."""

# Every running value is capped just above the budget: anything capped is refused anyway, and
# hostile patterns cannot build huge integers.
_CAP: Final = REGEX_BUDGET + 1


def _parser_module() -> Any:
    # The stdlib's pattern parser is private; if a future Python moves or changes it, the
    # syntactic fallback below takes over (fail closed), so importing it lazily here keeps that
    # decision in one place and lets tests force the fallback.
    return importlib.import_module("re._parser")


def _compiler_module() -> Any:
    # Compiles a parsed (and rewritten) pattern; private too, so the same fail-closed rule.
    return importlib.import_module("re._compiler")


class _Unsafe(Exception):
    """A pattern shape that is refused (carries the explanation)."""


class _Unexpected(Exception):
    """The parsed pattern did not have the structure this checker knows."""


_REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})
_BACKREFS = frozenset(
    {"GROUPREF", "GROUPREF_EXISTS", "GROUPREF_IGNORE", "GROUPREF_LOC_IGNORE", "GROUPREF_UNI_IGNORE"}
)
_CHARACTERS = frozenset({"LITERAL", "NOT_LITERAL", "ANY", "IN"})
_NESTED = (
    "a quantified group may not contain another quantifier or an alternation "
    "(nested quantifiers backtrack exponentially)"
)

# --------------------------------------------------------------------------------------------
# The cost model, on a small tree of tuples:
#   ("char", steps)  ("run", steps, width)  ("at", starts_only, steps)  ("seq", items)
#   ("alt", branches)  ("group", body)  ("look", body)  ("atomic", body)
#   ("rep", lo, hi, body, possessive)

_Node = tuple[Any, ...]
_CHAR: Final[_Node] = ("char", 1)
# A word boundary tests the characters on both sides of a position, whether each is a word
# character: about four steps of the slowest other shape (measured, see the module).
_BOUNDARY_STEPS: Final = 4
_BOUNDARIES: Final = frozenset(
    {
        "AT_BOUNDARY",
        "AT_NON_BOUNDARY",
        "AT_UNI_BOUNDARY",
        "AT_UNI_NON_BOUNDARY",
        "AT_LOC_BOUNDARY",
        "AT_LOC_NON_BOUNDARY",
    }
)

# The standard library compiles the characters of a class up to U+FFFF into one bitmap (one
# lookup), but tests each category (\w, \d, \s ...) and each character or range beyond U+FFFF
# of the class one after another: a class of 200 such characters costs 200 tests a position.
_BITMAP_LIMIT: Final = 0xFFFF


def _class_steps(items: Any) -> int:
    """The steps of one test of a parsed character class (``IN``): its bitmap, plus one for
    each part tested on its own."""
    bitmap, one_by_one = 0, 0
    for item in items:
        if not isinstance(item, tuple) or len(item) != 2:
            raise _Unexpected
        op, av = item
        name = getattr(op, "name", None)
        if name == "NEGATE":
            continue
        if name == "LITERAL" and isinstance(av, int):
            low = high = av
        elif name == "RANGE" and isinstance(av, tuple) and len(av) == 2:
            low, high = av
        elif name == "CATEGORY":
            low, high = _BITMAP_LIMIT + 1, _BITMAP_LIMIT + 1
        else:
            raise _Unexpected
        # A range across U+FFFF is in the bitmap up to it and tested on its own beyond it.
        if low <= _BITMAP_LIMIT:
            bitmap = 1
        if high > _BITMAP_LIMIT:
            one_by_one += 1
    return max(bitmap + one_by_one, 1)


def _cost(node: _Node, n: int) -> tuple[int, int, int]:
    """(ways, work, least width) of *node* on a subject of *n* characters, capped."""
    kind = node[0]
    if kind == "char":
        return 1, node[1], 1
    if kind == "run":
        return 1, node[1], node[2]
    if kind == "at":
        return 1, node[2], 0
    if kind == "seq":
        ways, work, width = 1, 0, 0
        for item in node[1]:
            w, k, m = _cost(item, n)
            work = min(work + ways * k, _CAP)
            ways = min(ways * w, _CAP)
            width = min(width + m, n + 1)
        return ways, work, width
    if kind == "alt":
        costs = [_cost(branch, n) for branch in node[1]]
        return (
            min(sum(c[0] for c in costs), _CAP),
            min(sum(c[1] for c in costs) + 1, _CAP),
            min((c[2] for c in costs), default=0),
        )
    if kind == "group":
        w, k, m = _cost(node[1], n)
        return w, min(k + 1, _CAP), m
    if kind in ("look", "atomic"):
        # Tried to its first success or to exhaustion, then never re-entered: one way.  An
        # atomic body is searched twice in a value longer than n (see _Rewriter.guard).
        w, k, m = _cost(node[1], n)
        if kind == "atomic":
            k = min(2 * k, _CAP)
        return 1, min(k + w + 1, _CAP), 0 if kind == "look" else m
    if kind == "rep":
        _, lo, hi, body, possessive = node
        w, k, m = _cost(body, n)
        if hi > 1 and w > 1:
            raise _Unsafe(_NESTED)
        # Repetitions that can succeed: a body of width m fits n // m times; a body that can
        # match empty is repeated up to lo times and then stops when it stops advancing.
        most = n // m if m else lo + n
        tries = min(hi, most + 1)
        # A possessive repeat is searched twice in a value longer than n, as an atomic group.
        work = min(tries * k * (2 if possessive else 1) + 1 + (w if possessive else 0), _CAP)
        if possessive or hi == 0:
            ways = 1
        elif hi == 1:
            ways = w + (1 if lo == 0 else 0)
        else:
            ways = max(min(hi, most) - lo + 1, 1)
        return min(ways, _CAP), work, min(lo * m, n + 1)
    raise _Unexpected


def _anchored(node: _Node) -> bool:
    """Whether every match must start at the start of the subject (``\\A``, ``^``)."""
    kind = node[0]
    if kind == "at":
        return bool(node[1])
    if kind == "seq":
        return bool(node[1]) and _anchored(node[1][0])
    if kind in ("group", "atomic"):
        return _anchored(node[1])
    if kind == "alt":
        return all(_anchored(branch) for branch in node[1])
    return False


def _search_cost(tree: _Node, n: int) -> int:
    ways, work, _ = _cost(tree, n)
    one_start = min(work + ways, _CAP)
    if _anchored(tree):
        return min(one_start + n, _CAP)
    return min((n + 1) * one_start, _CAP)


def _from_sre(sub: Any, multiline: bool) -> _Node:
    """The cost tree of a parsed pattern (``re._parser`` output)."""
    items: list[_Node] = []
    for item in sub:
        if not isinstance(item, tuple) or len(item) != 2:
            raise _Unexpected
        op, av = item
        name = getattr(op, "name", None)
        if name in _BACKREFS:
            raise _Unsafe("backreferences are not allowed")
        if name in _CHARACTERS:
            # Consecutive characters and classes as one run: the same ways, work and width
            # as one node each, without a node (and a step of the estimate) per character.
            steps = _class_steps(av) if name == "IN" else 1
            if items and items[-1][0] == "run":
                _, before, width = items[-1]
                items[-1] = ("run", before + steps, width + 1)
            else:
                items.append(("run", steps, 1))
        elif name == "AT":
            at = getattr(av, "name", None)
            if not isinstance(at, str):
                raise _Unexpected
            starts = at == "AT_BEGINNING_STRING" or (at == "AT_BEGINNING" and not multiline)
            items.append(("at", starts, _BOUNDARY_STEPS if at in _BOUNDARIES else 1))
        elif name in _REPEATS:
            lo, hi, body = av
            if not isinstance(lo, int) or not isinstance(hi, int):
                raise _Unexpected
            items.append(("rep", lo, hi, _from_sre(body, multiline), name == "POSSESSIVE_REPEAT"))
        elif name == "BRANCH":
            items.append(("alt", tuple(_from_sre(b, multiline) for b in av[1])))
        elif name == "SUBPATTERN":
            _, add, remove, body = av
            inner = (multiline or bool(add & re.MULTILINE)) and not remove & re.MULTILINE
            items.append(("group", _from_sre(body, inner)))
        elif name in ("ASSERT", "ASSERT_NOT"):
            items.append(("look", _from_sre(av[1], multiline)))
        elif name == "ATOMIC_GROUP":
            items.append(("atomic", _from_sre(av, multiline)))
        else:
            raise _Unexpected
    return ("seq", tuple(items))


# --------------------------------------------------------------------------------------------
# The fallback: a small textual parser for patterns without groups

_FLAGS_PREFIX = re.compile(r"\(\?([aiLmsux]+)\)")
# Escapes inside a class that stand for one character up to U+FFFF (the rest may stand for a
# category or a wider character: counted as tested on their own).
_PLAIN_ESCAPES: Final = frozenset("\\]^-[.*+?{}()|$/abfnrtuvx0")
_QUANTIFIER = re.compile(r"(?:([*+?])|\{(\d*)(?:(,)(\d*))?\})([?+]?)")


def _syntactic_tree(pattern: str) -> _Node:
    """The cost tree of *pattern* read as text: an alternation of sequences of characters,
    classes, escapes and anchors, each optionally quantified.  Anything else is refused."""
    if re.search(r"\\\d|\(\?P=|\(\?\(", pattern):
        raise _Unsafe("backreferences are not allowed")
    if re.search(r"\)\s*(?:[*+?]|\{)", pattern):
        raise _Unsafe("quantified groups are not allowed")
    multiline = False
    i = 0
    while prefix := _FLAGS_PREFIX.match(pattern, i):
        if "x" in prefix.group(1):
            raise _Unsafe("verbose patterns ('(?x)') are not allowed")
        multiline = multiline or "m" in prefix.group(1)
        i = prefix.end()
    branches: list[_Node] = []
    items: list[_Node] = []
    while i < len(pattern):
        c = pattern[i]
        if c == "|":
            branches.append(("seq", tuple(items)))
            items = []
            i += 1
            continue
        if c == "(" or c == ")":
            raise _Unsafe("groups are not allowed (the pattern parser is unavailable)")
        if c in "*+?{" and (q := _QUANTIFIER.match(pattern, i)) and items:
            star, low, comma, high, mode = q.groups()
            if star:
                lo, hi = (1 if star == "+" else 0), (1 if star == "?" else MAX_SUBJECT_CHARS + 1)
            else:
                lo = int(low or 0)
                hi = int(high) if high else (MAX_SUBJECT_CHARS + 1 if comma else lo)
            if items[-1][0] == "rep":
                raise _Unexpected
            items[-1] = ("rep", lo, hi, items[-1], mode == "+")
            i = q.end()
            continue
        if c == "[":
            # A class ends at the first ']' that is not first (after an optional '^').  Its
            # cost, as for a parsed class: one bitmap, plus one step for each part that may be
            # tested on its own (any escape but a plain one, any character beyond U+FFFF).
            j = i + 1
            if j < len(pattern) and pattern[j] == "^":
                j += 1
            bitmap, one_by_one = 0, 0
            if j < len(pattern) and pattern[j] == "]":
                bitmap = 1
                j += 1
            while j < len(pattern) and pattern[j] != "]":
                if pattern[j] == "\\":
                    if pattern[j + 1 : j + 2] in _PLAIN_ESCAPES:
                        bitmap = 1
                    else:
                        one_by_one += 1
                    j += 2
                else:
                    if ord(pattern[j]) > _BITMAP_LIMIT:
                        one_by_one += 1
                    else:
                        bitmap = 1
                    j += 1
            items.append(("char", max(bitmap + one_by_one, 1)))
            i = j + 1
        elif c == "\\":
            code = pattern[i + 1 : i + 2]
            if code == "A":
                items.append(("at", True, 1))
            elif code == "Z":
                items.append(("at", False, 1))
            elif code in ("b", "B"):
                items.append(("at", False, _BOUNDARY_STEPS))
            else:
                # An escape's extra characters (\x41, \N{...}) count as more characters: an
                # over-estimate, never an under-estimate.
                items.append(_CHAR)
            i += 2
        elif c == "^":
            items.append(("at", not multiline, 1))
            i += 1
        elif c == "$":
            items.append(("at", False, 1))
            i += 1
        else:
            items.append(_CHAR)
            i += 1
    branches.append(("seq", tuple(items)))
    return ("alt", tuple(branches)) if len(branches) > 1 else branches[0]


def pattern_cost(pattern: str, subject_chars: int = MAX_SUBJECT_CHARS) -> int:
    """The estimated worst-case steps of searching *pattern* in *subject_chars* characters.

    The module's cost model, capped just above :data:`REGEX_BUDGET`; a tool for tests and for
    people tuning a pattern.

    Args:
        pattern: A pattern that compiles.
        subject_chars: The subject's length.

    Returns:
        The estimate (``REGEX_BUDGET + 1`` means "more than the budget").

    Raises:
        ConfigError: A shape that is refused whatever the budget (nested quantifiers,
            backreferences); a pattern that is not a string or does not compile; a
            *subject_chars* that is not a non-negative int.
    """
    _require_string(pattern, "")
    if isinstance(subject_chars, bool) or not isinstance(subject_chars, int) or subject_chars < 0:
        raise ConfigError(
            f"subject_chars must be a non-negative int, got {short_repr(subject_chars)}",
            "subject_chars",
        )
    try:
        re.compile(pattern)
    except Exception as exc:  # re.error, OverflowError, RecursionError on hostile input
        raise ConfigError(f"bad regular expression {short_repr(pattern)}: {exc}") from None
    try:
        return _search_cost(_tree(pattern), subject_chars)
    except _Unsafe as exc:
        raise ConfigError(f"unsafe regular expression {pattern!r}: {exc}") from None


def _tree(pattern: str, parsed: Any = None) -> _Node:
    """The cost tree of *pattern*, from its parse (*parsed*, or parsed here)."""
    try:
        if parsed is None:
            parsed = _parser_module().parse(pattern)
        return _from_sre(parsed, bool(parsed.state.flags & re.MULTILINE))
    except (_Unexpected, ImportError, AttributeError, TypeError, ValueError, RecursionError):
        try:
            return _syntactic_tree(pattern)
        except (_Unexpected, ValueError, IndexError) as exc:
            raise _Unsafe("a shape the safety check cannot read") from exc


def check_pattern(pattern: str, path: str = "") -> re.Pattern[str]:
    """Compile a ``matches`` pattern, refusing shapes that backtrack too much.

    The pattern is parsed with the standard library's own parser and refused when it has a
    backreference, a quantified group containing a quantifier or an alternation, or when the
    module's cost model puts its worst-case search of a
    :data:`~csflow.rules.syntax.MAX_SUBJECT_CHARS`-character subject above
    :data:`REGEX_BUDGET` steps.  When that parser is unavailable or returns a shape this check
    does not know, the same model is applied to the text, which must then have no groups (no
    backreferences, no quantified groups, no verbose mode).

    Args:
        pattern: The regular expression.
        path: Where the pattern sits, for the error.

    Returns:
        The compiled pattern.

    Raises:
        ConfigError: The pattern is not a string, is too long, does not compile, or has a
            refused shape.
    """
    return _checked(pattern, path)[0]


def checked_cost(pattern: str, path: str = "") -> int:
    """:func:`check_pattern`'s checks, returning the pattern's estimated worst-case steps (at
    most :data:`REGEX_BUDGET`) instead of the compiled pattern: what the loader adds up for
    :data:`REGEX_TOTAL_BUDGET`.

    Raises:
        ConfigError: As :func:`check_pattern`.
    """
    return _checked(pattern, path)[1]


def _checked(pattern: str, path: str) -> tuple[re.Pattern[str], int]:
    compiled, cost, _ = _analysed(pattern, path, reuse=False)
    return compiled, cost


def _compiled(pattern: str, reuse: bool) -> tuple[re.Pattern[str], Any]:
    """*pattern* compiled, with its parse when *reuse* asks to compile that (``None`` when the
    parser is unavailable): one parse for the compiled pattern, the cost and the cut."""
    if reuse:
        try:
            sre, compiler = _parser_module(), _compiler_module()
            parsed = sre.parse(pattern)
            return compiler.compile(parsed), parsed
        except Exception:  # a bad pattern (re.compile says why) or no parser: the plain way
            pass
    return re.compile(pattern), None


def _require_string(pattern: object, path: str) -> None:
    # The loader has checked already; a caller of the public functions may not have.
    if not isinstance(pattern, str):
        raise ConfigError(f"a pattern must be a string, got {short_repr(pattern)}", path)


def _analysed(pattern: str, path: str, reuse: bool) -> tuple[re.Pattern[str], int, Any]:
    """(compiled, estimated steps, parse or ``None``) of a pattern :func:`check_pattern`
    accepts; *reuse*: compile the parse (the compiled pattern's ``.pattern`` is ``None``)."""
    _require_string(pattern, path)
    if len(pattern) > MAX_PATTERN_CHARS:
        raise ConfigError(
            f"patterns have at most {MAX_PATTERN_CHARS} characters, got {short_repr(pattern)}", path
        )
    try:
        compiled, parsed = _compiled(pattern, reuse)
    except Exception as exc:  # re.error, OverflowError, RecursionError on hostile input
        raise ConfigError(f"bad regular expression {pattern!r}: {exc}", path) from None
    try:
        cost = _search_cost(_tree(pattern, parsed), MAX_SUBJECT_CHARS)
        if cost > REGEX_BUDGET:
            raise _Unsafe(
                f"its worst-case search of {MAX_SUBJECT_CHARS} characters may take more than "
                f"{REGEX_BUDGET:,} steps (too many quantifiers or alternatives in sequence: "
                "allowed is about one open-ended quantifier ('*', '+', '{n,}') plus a few "
                "optional or bounded parts)"
            )
    except _Unsafe as exc:
        raise ConfigError(f"unsafe regular expression {pattern!r}: {exc}", path) from None
    return compiled, cost, parsed


_MAX_PATTERNS: Final = 10_000  # MAX_CONDITIONS: no rule set has more distinct patterns


class PatternCache:
    """Each distinct ``matches`` pattern of one rule set, checked, parsed and compiled once.

    Loading a rule set asks for every pattern's estimated work (the loader, which adds it up
    for :data:`REGEX_TOTAL_BUDGET`) and then for its search (the compiler, through
    :func:`subject_matcher`, for the safe and the generated evaluator).  While a cache is
    :meth:`active` (in the current thread or task), :func:`subject_matcher` takes the searches
    :meth:`cost` built, so each distinct pattern is parsed once and compiled once (its cut form
    once more).  A cache belongs to one load and holds at most the rule set's own patterns
    (never more than :data:`_MAX_PATTERNS`); it changes no result.
    """

    def __init__(self) -> None:
        self._found: dict[str, tuple[int, Callable[[object], bool]]] = {}

    def cost(self, pattern: str, path: str = "") -> int:
        """:func:`checked_cost` of *pattern*.

        Raises:
            ConfigError: As :func:`check_pattern`.
        """
        found = self._found.get(pattern)
        if found is None:
            compiled, steps, parsed = _analysed(pattern, path, reuse=True)
            found = (steps, _matcher(compiled, _cut_search(pattern, compiled, parsed)))
            if len(self._found) < _MAX_PATTERNS:
                self._found[pattern] = found
        return found[0]

    def search(self, pattern: str) -> Callable[[object], bool] | None:
        """The test :meth:`cost` built for *pattern*, or ``None``."""
        found = self._found.get(pattern)
        return None if found is None else found[1]

    @contextlib.contextmanager
    def active(self) -> Iterator[PatternCache]:
        """Within the block, :func:`subject_matcher` takes the searches this cache holds."""
        token = _ACTIVE.set(self)
        try:
            yield self
        finally:
            _ACTIVE.reset(token)


# The pattern cache of the load running in this thread or task (see PatternCache.active): a
# context variable, so that concurrent loads never share one.
_ACTIVE: contextvars.ContextVar[PatternCache | None] = contextvars.ContextVar(
    "csflow_rules_patterns", default=None
)


# --------------------------------------------------------------------------------------------
# Searching a value longer than the cut

# Without these, a pattern's match in a prefix is a match in the whole value: every other
# construct looks only at characters it has consumed or at those before it.  An atomic group
# or a possessive repeat keeps only the first way its body matched, so one that ran into the
# cut may have kept another way in the whole value.
_CUT_SENSITIVE = re.compile(r"\$|\\[ZzbB]|\(\?<?[=!>]|[*+?}]\+")

# How deep the cut-reach checks of atomic groups, possessive repeats and lookarounds may nest
# (each level searches its body once more); a deeper pattern never matches a cut value.
_MAX_REACH_DEPTH: Final = 4


def _one_character(parsed: Any) -> bool:
    """Whether a parsed (sub)pattern is one character, class or ``.``."""
    return len(parsed) == 1 and parsed[0][0].name in _CHARACTERS


def _looks_ahead(parsed: Any) -> bool:
    """Whether a parsed (sub)pattern holds a lookahead: inside a lookbehind, the one part that
    reads forward."""
    for op, av in parsed:
        name = op.name
        if name in ("ASSERT", "ASSERT_NOT"):
            if av[0] > 0 or _looks_ahead(av[1]):
                return True
        elif name in _REPEATS:
            if _looks_ahead(av[2]):
                return True
        elif name == "BRANCH":
            if any(_looks_ahead(b) for b in av[1]):
                return True
        elif name == "SUBPATTERN":
            if _looks_ahead(av[3]):
                return True
        elif name == "ATOMIC_GROUP" and _looks_ahead(av):
            return True
    return False


class _Rewriter:
    r"""Rewrites a parsed pattern for a subject cut at MAX_SUBJECT_CHARS (see the module doc).

    *positive*: the part must not match unless it would in the whole value (the pattern
    itself, a positive lookaround); otherwise (inside a negative lookaround) it must match
    whenever it might, so the lookaround fails whenever it might.

    An atomic group or a possessive repeat commits to the first way its body matches, so its
    result in the cut is its result in the whole value only if no way its body tries reads
    the cut.  :meth:`reach` builds the test of that: a pattern that matches the rest of the
    cut, ``\Z`` included, whenever some way of a part may read the cut (its characters may
    also stand at the cut; a part whose own body may read the cut jumps there).  Where that
    test fails, the part is left as it is (its search is the whole value's); where it holds,
    the part fails (*positive*) or jumps to the cut, where everything might match (inside a
    negative lookaround).
    """

    def __init__(self, sre: Any, state: Any) -> None:
        self.sre = sre
        self.state = state
        end = (sre.AT, sre.AT_END_STRING)
        self.at_end: tuple[Any, Any] = end
        self.fail = (sre.ASSERT_NOT, (1, sre.SubPattern(state, [])))
        self.not_at_end = (sre.ASSERT_NOT, (1, sre.SubPattern(state, [end])))
        self.before_newline = (sre.ASSERT, (1, sre.SubPattern(state, [(sre.LITERAL, 10)])))
        # [\s\S]*+ (to the cut) and [\s\S]?\Z (at its last character or at it).
        self.to_end = list(sre.parse(r"[\s\S]*+"))
        self.last_or_end = list(sre.parse(r"[\s\S]?\Z"))

    def or_at_end(self, item: tuple[Any, Any]) -> tuple[Any, Any]:
        sub = self.sre.SubPattern
        branches = [sub(self.state, [item]), sub(self.state, [self.at_end])]
        return (self.sre.BRANCH, (None, branches))

    def reaches(self, test: Any) -> tuple[Any, Any]:
        """A lookahead: *test* (a :meth:`reach` rewrite) matches up to the cut."""
        return (self.sre.ASSERT, (1, self.sre.SubPattern(self.state, [*test, self.at_end])))

    def guard(self, item: tuple[Any, Any], multiline: bool) -> tuple[Any, Any]:
        """A negative lookahead that fails where an atomic or possessive *item* may read the
        cut."""
        test = self.reach([item], multiline, 1, commit=False)
        return (self.sre.ASSERT_NOT, (1, self.sre.SubPattern(self.state, [*test, self.at_end])))

    def jump_or_exact(self, item: tuple[Any, Any], test: Any) -> tuple[Any, Any]:
        """*item* as it is, or, where *test* reaches the cut, a jump to it."""
        sub = self.sre.SubPattern
        jump = sub(self.state, [self.reaches(test), *self.to_end])
        return (self.sre.BRANCH, (None, [jump, sub(self.state, [item])]))

    def reach(self, parsed: Any, multiline: bool, depth: int, commit: bool = True) -> Any:
        """A pattern that matches up to the cut whenever some way of *parsed* may read it
        (and, where none does, matches as *parsed* does).  Every part of it matches at the
        cut.  *commit* False: an atomic or possessive part at the top is searched in all its
        ways (the test of that part itself) rather than jumped over."""
        if depth > _MAX_REACH_DEPTH:
            raise _Unexpected
        sre = self.sre
        out: list[tuple[Any, Any]] = []
        for op, av in parsed:
            name = op.name
            if name in _CHARACTERS:
                out.append(self.or_at_end((op, av)))
            elif name == "AT":
                at = av.name
                if at == "AT_END" and not multiline:
                    # True at the cut's last character before a newline: not in the whole.
                    last = sre.SubPattern(self.state, self.last_or_end)
                    out.append((sre.SUBPATTERN, (None, 0, 0, last)))
                else:
                    out.append(self.or_at_end((op, av)))
            elif name in ("MAX_REPEAT", "MIN_REPEAT"):
                lo, hi, body = av
                if _one_character(body):
                    # A run of the character (the matcher's fast loop), or one cut short.
                    out.append((op, av))
                    if lo:
                        short = (op, (0, lo - 1, body))
                        branches = [sre.SubPattern(self.state, [(op, av)])]
                        branches.append(sre.SubPattern(self.state, [short, self.at_end]))
                        out[-1] = (sre.BRANCH, (None, branches))
                else:
                    out.append((op, (lo, hi, self.reach(body, multiline, depth))))
            elif name == "POSSESSIVE_REPEAT":
                lo, hi, body = av
                if _one_character(body):
                    # The run it takes reads the cut only if it ends there (after fewer than
                    # lo characters too: then it fails in the cut, not necessarily further on).
                    repeat: tuple[Any, Any] = (op, (0, hi, body))
                else:
                    repeat = (sre.MAX_REPEAT, (lo, hi, self.reach(body, multiline, depth + 1)))
                out.append(self.jump_or_exact((op, av), [repeat]) if commit else repeat)
            elif name == "ATOMIC_GROUP":
                group = (sre.SUBPATTERN, (None, 0, 0, self.reach(av, multiline, depth + 1)))
                out.append(self.jump_or_exact((op, av), [group]) if commit else group)
            elif name == "BRANCH":
                branches = [self.reach(b, multiline, depth) for b in av[1]]
                out.append((op, (None, branches)))
            elif name == "SUBPATTERN":
                _, add, remove, body = av
                inner = (multiline or bool(add & re.MULTILINE)) and not remove & re.MULTILINE
                out.append((op, (None, add, remove, self.reach(body, inner, depth))))
            elif name in ("ASSERT", "ASSERT_NOT"):
                direction, body = av
                if direction < 0:
                    if _looks_ahead(body):
                        raise _Unexpected
                    out.append(self.or_at_end((op, av)))  # reads only before the cut
                else:
                    test = self.reach(body, multiline, depth + 1)
                    out.append(self.jump_or_exact((op, av), test))
            else:
                raise _Unexpected
        return sre.SubPattern(self.state, out)

    def rewrite(
        self, parsed: Any, positive: bool, multiline: bool, behind: bool, tail: bool = False
    ) -> Any:
        """*parsed* rewritten (see the class); *tail*: nothing follows it in the pattern or in
        a positive lookahead (so only whether it matches counts, not how)."""
        out: list[tuple[Any, Any]] = []
        last = len(parsed) - 1
        for i, (op, av) in enumerate(parsed):
            name = op.name
            at_tail = tail and i == last
            if name in _CHARACTERS:
                # Inside a negative lookahead, running out of characters at the cut means
                # "might match".  (Never inside a lookbehind: it reads only what lies before
                # its position, and its width must stay fixed.)
                out.append((op, av) if positive or behind else self.or_at_end((op, av)))
            elif name == "AT":
                at = av.name
                if at in ("AT_END", "AT_END_STRING"):
                    if not positive:
                        out.append((op, av))  # true at the cut: "might match"
                    elif at == "AT_END" and multiline:
                        out.append(self.before_newline)
                    else:
                        out.append(self.fail)
                elif at in ("AT_BOUNDARY", "AT_NON_BOUNDARY"):
                    if positive:
                        out += [self.not_at_end, (op, av)]
                    else:
                        out.append(self.or_at_end((op, av)))
                elif at in ("AT_BEGINNING", "AT_BEGINNING_STRING") and not positive and not behind:
                    # At the cut it stands for a line start further on (``(?m)^``), or for
                    # where a part that jumped to the cut began: a zero-width atomic or
                    # possessive part may end where it started, at the start (``\A``, ``^``):
                    # "might match".
                    out.append(self.or_at_end((op, av)))
                else:
                    out.append((op, av))  # a start: decided by the characters before it
            elif name == "POSSESSIVE_REPEAT" or name == "ATOMIC_GROUP":
                if behind and not _looks_ahead([(op, av)]):
                    out.append((op, av))  # reads only what lies before the lookbehind
                elif positive and at_tail:
                    # Nothing follows: which way the body matched cannot matter, so it may
                    # backtrack (and its parts are rewritten as any others).
                    if name == "ATOMIC_GROUP":
                        body = self.rewrite(av, positive, multiline, behind, True)
                        out.append((self.sre.SUBPATTERN, (None, 0, 0, body)))
                    else:
                        lo, hi, body = av
                        new = self.rewrite(body, positive, multiline, behind)
                        out.append((self.sre.MAX_REPEAT, (lo, hi, new)))
                elif positive:
                    out += [self.guard((op, av), multiline), (op, av)]
                elif behind:
                    raise _Unexpected  # a jump would give the lookbehind a variable width
                else:
                    test = self.reach([(op, av)], multiline, 1, commit=False)
                    out.append(self.jump_or_exact((op, av), test))
            elif name in _REPEATS:
                lo, hi, body = av
                new = self.rewrite(body, positive, multiline, behind)
                out.append((op, (lo, hi, new)))
            elif name == "BRANCH":
                branches = [self.rewrite(b, positive, multiline, behind, at_tail) for b in av[1]]
                out.append((op, (av[0], branches)))
            elif name == "SUBPATTERN":
                group, add, remove, body = av
                inner = (multiline or bool(add & re.MULTILINE)) and not remove & re.MULTILINE
                new = self.rewrite(body, positive, inner, behind, at_tail)
                out.append((op, (group, add, remove, new)))
            elif name in ("ASSERT", "ASSERT_NOT"):
                direction, body = av
                keep = positive if name == "ASSERT" else not positive
                whole = keep and name == "ASSERT" and direction > 0
                new = self.rewrite(body, keep, multiline, direction < 0, whole)
                item = (op, (direction, new))
                if not positive and not behind and (direction < 0 or name == "ASSERT_NOT"):
                    # At the cut it stands for a position further on, whose characters (before
                    # it, or ahead of it for the negative lookahead's body) are unknown.
                    out.append(self.or_at_end(item))
                else:
                    out.append(item)
            else:
                raise _Unexpected
        return self.sre.SubPattern(self.state, out)


def _cut_search(
    pattern: str, compiled: re.Pattern[str], parsed: Any = None
) -> Callable[[str], object] | None:
    """The search to run on a cut value, or ``None`` for "never matches a cut value"."""
    if not _CUT_SENSITIVE.search(pattern):
        return compiled.search
    try:
        sre = _parser_module()
        if parsed is None:
            parsed = sre.parse(pattern)
        rewritten = _Rewriter(sre, parsed.state).rewrite(
            parsed, True, bool(parsed.state.flags & re.MULTILINE), False, True
        )
        derived: re.Pattern[str] = _compiler_module().compile(rewritten)
    except Exception:  # no parser, an unknown shape: fail closed
        return None
    return derived.search


def subject_matcher(pattern: str) -> Callable[[object], bool]:
    """The test a ``matches`` condition runs: a function of a value that never raises.

    A string of at most :data:`~csflow.rules.syntax.MAX_SUBJECT_CHARS` characters is searched
    whole (``re.search``).  A longer one is searched in its first ``MAX_SUBJECT_CHARS``
    characters with a derived pattern that cannot treat the cut as the end of the value
    (``$`` and ``\\Z`` do not match there, ``\\b`` and ``\\B`` do not match at the cut, a
    negative lookahead that reaches the cut fails, an atomic group or possessive repeat whose
    body may read the cut fails), so a match is always a match of the whole value; a pattern
    the derivation cannot handle never matches a cut value.  Anything else
    (not a string) does not match.

    Args:
        pattern: A pattern :func:`check_pattern` accepted.

    Returns:
        The test.
    """
    cache = _ACTIVE.get()
    if cache is not None and (found := cache.search(pattern)) is not None:
        return found
    compiled = re.compile(pattern)
    return _matcher(compiled, _cut_search(pattern, compiled))


def _matcher(
    compiled: re.Pattern[str], cut: Callable[[str], object] | None
) -> Callable[[object], bool]:
    whole = compiled.search
    limit = MAX_SUBJECT_CHARS

    def matches(value: object) -> bool:
        if not isinstance(value, str):
            return False
        try:
            # str.__len__, not the value's own: a str subclass cannot have its whole searched.
            if str.__len__(value) <= limit:
                return whole(value) is not None
            # str.__getitem__, not the value's own: a str subclass cannot change the cut.
            return cut is not None and cut(str.__getitem__(value, slice(0, limit))) is not None
        except Exception:  # a str subclass with a hostile method
            return False

    return matches
