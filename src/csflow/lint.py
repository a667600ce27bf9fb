"""Lint a rule set (and the parts of a desk's configuration it names) for likely mistakes.

:func:`lint` never raises for a problem it finds in the rules: each problem is a
:class:`Finding` with a path (``rules[3].then.queue``), a severity and a sentence.  It looks for

* **rules that cannot take effect** in ``"first"`` mode, where for each action key the first
  matching rule wins:

  - a rule after a catch-all (a rule without ``when``), which therefore always matches first;
  - a rule whose condition implies an earlier rule's condition (whenever it matches, the
    earlier one does too), decided by :func:`implies` for the simple, decidable cases.

  The finding names the earlier rules that decide the rule's actions (up to three), the
  catch-all and any earlier specific rule that decides a key the catch-all leaves open.

  Such a rule still takes effect for action keys the earlier rules do not set, so the finding
  says which keys, if any, are left to it; a rule whose every key is left to it (a priority
  rule layered under a queue rule) is not reported.  In ``"all"`` mode later rules override earlier
  ones, so defaults first and specific rules after is the normal shape and is not reported.
* **names that are not defined**: ``sla_policy`` and ``queue`` actions naming an SLA policy or
  a queue not in *sla_policies* / *queues*, and skills (in ``skill``, ``skills`` and
  ``required_skills`` actions, in ``agent.skills.X`` / ``required_skills.X`` fields, and as
  the ``contains`` operand of ``agent.skills`` / ``required_skills``) not in *skills*;
* **fields that do not exist** (with *known_fields*): a condition on a field the context never
  holds (``"evnt"`` for ``"event"``) can never hold;
* **skills no agent has**: every skill in *skills* and every skill the rules name, checked
  against *agents* (at the proficiency an action asks for, when it gives one, or a condition
  on an agent's level: ``agent.skills.billing`` ``ge`` 3 asks for 3).

An empty collection (the default) means "not given": that check is skipped.

Given a whole desk configuration, :func:`lint` returns its :meth:`~csflow.desk.DeskConfig.lint`:
the rules checked against the configuration's own names, and what following tickets through
the triage rules shows -- conditions on a tier, channel, language or priority no ticket has,
tickets that fall back to the first queue, tickets without an SLA, and ticket shapes no agent
could take (the partial evaluation it uses is below, next to :func:`implies`).
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Final, Literal, Protocol, TypeAlias

import attrs

from csflow._text import show
from csflow.errors import ConfigError
from csflow.model import AgentProfile, SkillRequirement
from csflow.rules.loader import field_is_known
from csflow.rules.regex import REGEX_BUDGET, pattern_cost, subject_matcher
from csflow.rules.ruleset import RuleSet
from csflow.rules.syntax import (
    MAX_SUBJECT_CHARS,
    AllOf,
    AnyOf,
    Comparison,
    Condition,
    Mode,
    Not,
    contains_text,
)

__all__ = ["SKILL_ACTIONS", "Finding", "Severity", "implies", "lint"]

Severity: TypeAlias = Literal["error", "warning", "info"]
# A Literal alias is callable, so documentation tools expect a docstring on it.
Severity.__doc__ = 'How sure a finding is: ``"error"``, ``"warning"`` or ``"info"``.'

SKILL_ACTIONS: Final = ("skill", "skills", "required_skills")
"""Action keys whose values name skills: a name, a list of names, or skill -> proficiency."""

_SKILL_FIELD_PREFIXES = ("agent.skills.", "required_skills.")
# How much work lint spends on one rule set before giving up (a hostile rule set of 1000 rules
# with 1000-way conjunctions or 1000-value lists must not make lint hang): one unit per
# implication step and per value compared, and a search of a ``matches`` pattern its
# estimated worst-case steps on that value over _REGEX_STEPS_PER_UNIT (one unit is about a
# microsecond of work, a regex step some 7-20 ns).  A budget runs out in a second or two.
_IMPLICATION_BUDGET = 2_000_000
_REGEX_STEPS_PER_UNIT = 50


@attrs.frozen
class Finding:
    """One problem :func:`lint` found.

    Args:
        path: Where, e.g. ``"rules[3].then.queue"`` or ``"skills[0]"``.
        severity: ``"error"`` (certainly wrong), ``"warning"`` (very likely wrong) or
            ``"info"``.
        message: A sentence a person can act on.
    """

    path: str
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.severity}: {self.message}"


class _Whole(Protocol):
    """A whole configuration that lints itself (:class:`csflow.desk.DeskConfig`)."""

    def lint(self, *, agents: Iterable[AgentProfile] = ()) -> list[Finding]: ...


# --------------------------------------------------------------------------------------------
# Implication


class _Budget:
    """The work left to one check, and what it has worked out so far (each distinct ``in``
    operand as a set, each search result), so that nothing costly is done twice."""

    __slots__ = ("left", "members", "searched")

    def __init__(self, steps: int) -> None:
        self.left = steps
        # id(operand) -> (operand, its set): the operand is held, so its id is not reused.
        self.members: dict[int, tuple[Any, frozenset[Any]]] = {}
        self.searched: dict[tuple[str, str], bool] = {}

    def members_of(self, operand: Any) -> frozenset[Any]:
        """The values of an ``in``/``not_in`` operand as a set, built once per operand (its
        size charged then)."""
        found = self.members.get(id(operand))
        if found is None:
            self.left -= len(operand)
            found = (operand, frozenset(operand))
            self.members[id(operand)] = found
        return found[1]

    def search(self, pattern: str, value: object) -> bool | None:
        """Whether *pattern*'s ``matches`` accepts *value*, charged by the search's estimated
        cost; ``None`` when the budget cannot pay for it (the search is not run)."""
        if not isinstance(value, str):
            return False
        key = (pattern, value)
        found = self.searched.get(key)
        if found is not None:
            return found
        chars = min(len(value), MAX_SUBJECT_CHARS)
        # The estimate is for MAX_SUBJECT_CHARS characters; a search's work grows at least
        # linearly with the subject, so a shorter one costs at most its share.
        steps = _steps(pattern) * (chars + 1) // (MAX_SUBJECT_CHARS + 1)
        self.left -= 1 + steps // _REGEX_STEPS_PER_UNIT
        if self.left < 0:
            return None
        found = _matcher(pattern)(value)
        self.searched[key] = found
        return found


_NUMBER = (int, float)
_LOWER = {"gt", "ge"}
_UPPER = {"lt", "le"}


def _same_kind(x: object, y: object) -> bool:
    if isinstance(x, bool) or isinstance(y, bool):
        return False
    if isinstance(x, _NUMBER) and isinstance(y, _NUMBER):
        return True
    return isinstance(x, str) and isinstance(y, str)


def _bound_implies(b_op: str, x: Any, a_op: str, y: Any) -> bool:
    """Whether ``v b_op x`` implies ``v a_op y`` for every *v* (bounds of one kind)."""
    if not _same_kind(x, y):
        return False
    if b_op in _LOWER and a_op in _LOWER:
        # v > x or v >= x, against v > y or v >= y.
        return bool(x > y) if (b_op == "ge" and a_op == "gt") else bool(x >= y)
    if b_op in _UPPER and a_op in _UPPER:
        return bool(x < y) if (b_op == "le" and a_op == "lt") else bool(x <= y)
    return False


_ORDER: dict[str, Callable[[Any, Any], Any]] = {
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}


# The search a ``matches`` condition runs (the same cut as evaluation, and the same care at the
# cut); cached because lint asks it once per value of every ``eq``/``in`` it compares.
_matcher = functools.lru_cache(maxsize=256)(subject_matcher)


@functools.lru_cache(maxsize=256)
def _steps(pattern: str) -> int:
    """A pattern's estimated worst-case steps on MAX_SUBJECT_CHARS characters."""
    try:
        return pattern_cost(pattern)
    except Exception:  # a shape the cost model refuses: as costly as any accepted one
        return REGEX_BUDGET


def _accepts(value: Any, cond: Comparison, budget: _Budget) -> bool | None:
    """Whether a present field with scalar *value* satisfies *cond* (never raises); a unit
    of *budget* (a search: its cost), and ``None`` when the budget cannot pay for it."""
    op, operand = cond.op, cond.value
    budget.left -= 1
    if budget.left < 0:
        return None
    try:
        if op == "eq":
            return bool(value == operand)
        if op == "ne":
            return bool(value != operand)
        if op == "in":
            return value in budget.members_of(operand)
        if op == "not_in":
            return value not in budget.members_of(operand)
        if op in _ORDER:
            return bool(_ORDER[op](value, operand))
        if op == "contains":
            text = contains_text(operand)
            return isinstance(value, str) and text is not None and text in value
        if op == "matches":
            return budget.search(operand, value)
        return bool(operand)  # exists: a present field
    except Exception:
        return False


def _comparison_implies(b: Comparison, a: Comparison, budget: _Budget) -> bool:
    if b.field != a.field:
        return False
    if a.op == "exists":
        # Every operator but "exists: false" is false for a missing field.
        if a.value:
            return b.op != "exists" or bool(b.value)
        return b.op == "exists" and not b.value
    if b.op in ("eq", "in"):
        # b holds only for these values, so a must accept each of them.
        values = (b.value,) if b.op == "eq" else b.value
        # None (out of budget: cannot tell) is not True either.
        return all(_accepts(v, a, budget) for v in values)
    if b.op in ("ne", "not_in") and a.op in ("ne", "not_in"):
        excluded_b = frozenset((b.value,)) if b.op == "ne" else budget.members_of(b.value)
        if a.op == "ne":
            return a.value in excluded_b
        budget.left -= len(a.value)
        return budget.left >= 0 and budget.members_of(a.value) <= excluded_b
    if b.op in _ORDER and a.op in _ORDER:
        return _bound_implies(b.op, b.value, a.op, a.value)
    return False


def _is_exists(cond: Condition) -> bool:
    return isinstance(cond, Comparison) and cond.op == "exists"


def _exists_flipped(cond: Condition) -> Comparison:
    assert isinstance(cond, Comparison)
    return Comparison(cond.field, "exists", not cond.value)


def _implies(b: Condition, a: Condition, budget: _Budget) -> bool:
    budget.left -= 1
    if budget.left < 0:
        return False
    if _equal(b, a, budget):
        return True
    # "not: {exists: x}" is "exists: not x" (a field is either there or not).
    if isinstance(b, Not) and _is_exists(b.condition):
        b = _exists_flipped(b.condition)
    if isinstance(a, Not) and _is_exists(a.condition):
        a = _exists_flipped(a.condition)
    # Each step below is sound on its own; together they decide the simple cases.
    if isinstance(b, Not) and isinstance(b.condition, Not):
        return _implies(b.condition.condition, a, budget)  # not-not x is x
    if isinstance(a, Not) and isinstance(a.condition, Not):
        return _implies(b, a.condition.condition, budget)
    if isinstance(a, AllOf):
        return all(_implies(b, part, budget) for part in a.conditions)
    if isinstance(b, AnyOf):
        return all(_implies(part, a, budget) for part in b.conditions)
    if isinstance(a, AnyOf) and any(_implies(b, part, budget) for part in a.conditions):
        return True
    if isinstance(b, AllOf):
        return any(_implies(part, a, budget) for part in b.conditions)
    if isinstance(a, Not):
        # b implies "not x" when b and x never hold together (for b = "not y": x implies y).
        return _disjoint(b, a.condition, budget)
    if isinstance(b, Comparison) and isinstance(a, Comparison):
        return _comparison_implies(b, a, budget)
    return False


def _equal(b: Condition, a: Condition, budget: _Budget) -> bool:
    """``b == a``, charged a unit per condition and per value of an ``in`` list compared (two
    equal lists of a thousand long values cost their length, not one step); ``False`` out of
    budget."""
    budget.left -= 1
    if b is a:
        return True
    if type(b) is not type(a) or budget.left < 0:
        return False
    if isinstance(b, Comparison):
        assert isinstance(a, Comparison)
        if b.field != a.field or b.op != a.op:
            return False
        if isinstance(b.value, tuple) and isinstance(a.value, tuple):
            if len(b.value) != len(a.value):
                return False
            budget.left -= len(b.value)
            if budget.left < 0:
                return False
        return bool(b.value == a.value)
    if isinstance(b, Not):
        assert isinstance(a, Not)
        return _equal(b.condition, a.condition, budget)
    assert isinstance(b, AllOf | AnyOf)
    assert isinstance(a, AllOf | AnyOf)
    return len(b.conditions) == len(a.conditions) and all(
        _equal(x, y, budget) for x, y in zip(b.conditions, a.conditions, strict=True)
    )


def implies(condition: Condition | None, other: Condition | None) -> bool:
    """Whether every context that satisfies *condition* also satisfies *other*.

    Sound but incomplete: ``True`` is always right, ``False`` may mean "could not tell".  It
    decides the simple cases: equal conditions, a conjunction with more conditions than
    another (``all`` superset), ``eq``/``in`` values that are a subset of another ``in`` (or
    disjoint from a ``not_in``), tighter numeric or string bounds, ``exists`` (``not`` of
    ``exists: true`` is ``exists: false``, and the other way round), a condition
    that never holds together with the one under a ``not`` (``eq: "gold"`` implies
    ``not: {eq: "silver"}``), and these through ``all``, ``any`` and ``not``.  ``None`` (no
    ``when``) is "always".

    Args:
        condition: The condition that holds.
        other: The condition that is asked about.

    Returns:
        ``True`` when *condition* certainly implies *other*.

    Raises:
        ConfigError: An argument is not a condition or ``None``.  (A parsed condition nests
            at most :data:`~csflow.rules.syntax.MAX_NESTING` levels, checked when it is built,
            so the decision recurses a bounded number of levels.)
    """
    _check_condition(condition, "condition")
    _check_condition(other, "other")
    if other is None:
        return True
    if condition is None:
        return False
    return _implies(condition, other, _Budget(_IMPLICATION_BUDGET))


def _check_condition(value: object, argument: str) -> None:
    if value is not None and not isinstance(value, (Comparison, AllOf, AnyOf, Not)):
        raise ConfigError(
            f"{argument} must be a Comparison, AllOf, AnyOf, Not or None, got {show(value)}",
            argument,
        )


# --------------------------------------------------------------------------------------------
# What a condition says about a few fields whose values lint knows
#
# The configuration says which values some fields of the context can take (a ticket's tier is
# a declared tier, its priority one of four names ...).  Given those sets (a _Space), a
# condition is partly decided: _residual replaces each comparison on such a field that holds
# for all of them by True, for none of them by False, and simplifies; what is left reads other
# fields.  Lint uses it to follow a ticket through the triage rules without a ticket.


class _Absent:
    """The value of a field the context does not hold (a ticket without a language)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<absent>"


_ABSENT: Final = _Absent()

# How a field reads a known value: its key in _Space.values, and what it sees of the value
# (``tier_rank`` sees the rank of the tier), ``None`` for the value itself.
_View: TypeAlias = tuple[str, Callable[[Any], Any] | None]


@attrs.frozen
class _Space:
    """The values some fields of a context can take.

    Attributes:
        values: Key -> every value it can take (:data:`_ABSENT` for a missing field); a key
            not listed can take any value.
        views: Field path -> (key, projection) for each field that reads a key.
    """

    values: Mapping[str, frozenset[Any]]
    views: Mapping[str, _View]

    def pin(self, key: str, values: Iterable[Any]) -> _Space:
        """This space with *key* restricted to *values*."""
        return attrs.evolve(self, values={**self.values, key: frozenset(values)})

    def seen(self, cond: Comparison) -> frozenset[Any] | None:
        """What *cond*'s field can hold, or ``None`` when it is not known."""
        view = self.views.get(cond.field)
        if view is None:
            return None
        key, project = view
        values = self.values.get(key)
        if values is None:
            return None
        if project is None:
            return values
        return frozenset(v if v is _ABSENT else project(v) for v in values)


def _holds(value: Any, cond: Comparison, budget: _Budget) -> bool | None:
    if value is _ABSENT:
        return cond.op == "exists" and not cond.value
    return _accepts(value, cond, budget)


def _residual(cond: Condition, space: _Space, budget: _Budget) -> Condition | bool:
    """*cond* with what *space* decides decided: ``True``, ``False`` or what is left.

    Sound: ``True`` means it holds in every context of the space, ``False`` in none.  Out of
    budget, the rest is left undecided.
    """
    budget.left -= 1
    if budget.left < 0:
        return cond
    if isinstance(cond, Comparison):
        values = space.seen(cond)
        if values is None:
            return cond
        results = {_holds(v, cond, budget) for v in values}
        if None in results:
            return cond  # out of budget: undecided
        if results == {True}:
            return True
        return cond if True in results else False
    if isinstance(cond, Not):
        inner = _residual(cond.condition, space, budget)
        return (not inner) if isinstance(inner, bool) else Not(inner)
    every = isinstance(cond, AllOf)
    parts: list[Condition] = []
    for part in cond.conditions:
        r = _residual(part, space, budget)
        if r is not every and isinstance(r, bool):
            return r  # a false part of "all", a true part of "any"
        if not isinstance(r, bool):
            parts.append(r)
    if not parts:
        return every
    if len(parts) == 1:
        return parts[0]
    return AllOf(tuple(parts)) if every else AnyOf(tuple(parts))


def _comparisons_disjoint(b: Comparison, a: Comparison, budget: _Budget) -> bool:
    if b.field != a.field:
        return False
    if b.op == "exists" and not b.value:
        # Only "exists: false" holds for a missing field.
        return not (a.op == "exists" and not a.value)
    if a.op == "exists" and not a.value:
        return True
    for x, y in ((b, a), (a, b)):
        if x.op in ("eq", "in"):
            values = (x.value,) if x.op == "eq" else x.value
            # None (out of budget: cannot tell) is not False either.
            return all(_accepts(v, y, budget) is False for v in values)
    return False


def _disjoint(b: Condition, a: Condition, budget: _Budget) -> bool:
    """Whether *b* and *a* never hold together (sound, incomplete, like :func:`implies`)."""
    budget.left -= 1
    if budget.left < 0:
        return False
    if isinstance(b, AllOf):
        return any(_disjoint(part, a, budget) for part in b.conditions)
    if isinstance(a, AllOf):
        return any(_disjoint(b, part, budget) for part in a.conditions)
    if isinstance(b, AnyOf):
        return all(_disjoint(part, a, budget) for part in b.conditions)
    if isinstance(a, AnyOf):
        return all(_disjoint(b, part, budget) for part in a.conditions)
    if isinstance(b, Not):
        return _implies(a, b.condition, budget)
    if isinstance(a, Not):
        return _implies(b, a.condition, budget)
    return _comparisons_disjoint(b, a, budget)


def _conjuncts(cond: Condition) -> Iterator[Condition]:
    if isinstance(cond, AllOf):
        for part in cond.conditions:
            yield from _conjuncts(part)
    else:
        yield cond


def _keys_read(cond: Condition, space: _Space, budget: _Budget) -> set[str]:
    """The keys of *space* that *cond*'s comparisons read (a step of *budget* each)."""
    keys = set()
    for _, c in _comparisons(cond, ""):
        budget.left -= 1
        view = space.views.get(c.field)
        if view is not None:
            keys.add(view[0])
    return keys


def _narrow(cond: Condition | None, space: _Space, budget: _Budget) -> _Space | None:
    """The part of *space* where *cond* can hold (``None``: nowhere).

    A key with unknown values that *cond* pins (``{"field": "tier", "eq": "gold"}`` as the
    condition or one of its ``all`` parts) gets the pinned values; a key with known values
    keeps each value under which *cond* is not certainly false (each key on its own, so the
    part may be wider than where *cond* holds, never narrower).
    """
    if cond is None:
        return space
    for part in _conjuncts(cond):
        budget.left -= 1
        if isinstance(part, Comparison) and part.op in ("eq", "in"):
            view = space.views.get(part.field)
            if view is not None and view[1] is None and view[0] not in space.values:
                space = space.pin(view[0], (part.value,) if part.op == "eq" else part.value)
    if _residual(cond, space, budget) is False:
        return None
    for key in sorted(_keys_read(cond, space, budget)):
        values = space.values.get(key, ())
        if len(values) > 1:
            kept = [v for v in values if _residual(cond, space.pin(key, (v,)), budget) is not False]
            if not kept:
                return None
            space = space.pin(key, kept)
    return space


# How many conditions the cover check weighs against each other at most (it costs their
# number squared implications).
_MAX_COVER = 32


def _uncovered(
    conditions: Sequence[Condition | None], space: _Space, budget: _Budget
) -> _Space | None:
    """Part of *space* where none of *conditions* certainly holds, or ``None`` if there is none.

    Splits the space on a key the conditions read (every value in turn) until each part is
    decided or what is left of the conditions reads only unknown fields; those must then
    cover each other (each holds whenever all the others fail, decided by :func:`implies`).
    Sound for ``None`` only while *budget* lasts: the caller checks it.
    """
    left: list[Condition] = []
    for cond in conditions:
        if cond is None:
            return None
        r = _residual(cond, space, budget)
        if r is True:
            return None
        if r is not False:
            left.append(r)
        if budget.left < 0:
            return None
    read = set().union(*(_keys_read(c, space, budget) for c in left))
    for key, values in space.values.items():
        if len(values) > 1 and key in read:
            for value in sorted(values, key=repr):
                part = _uncovered(left, space.pin(key, (value,)), budget)
                if part is not None or budget.left < 0:
                    return part
            return None
    if 2 <= len(left) <= _MAX_COVER:
        for k, cond in enumerate(left):
            others = [Not(c) for i, c in enumerate(left) if i != k]
            premise = others[0] if len(others) == 1 else AllOf(tuple(others))
            if _implies(premise, cond, budget):
                return None
    return space


# --------------------------------------------------------------------------------------------
# Names


def _names(value: object, argument: str) -> frozenset[str]:
    """Names from a mapping (its keys) or a collection of names or of objects with ``.name``."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ConfigError(f"{argument} must be a collection of names, got {show(value)}")
    out: set[str] = set()
    for item in value:
        name = item if isinstance(item, str) else getattr(item, "name", None)
        if isinstance(item, SkillRequirement):
            name = item.skill
        if not isinstance(name, str):
            raise ConfigError(
                f"{argument} must hold names or objects with a 'name', got {show(item)}"
            )
        out.add(name)
    return frozenset(out)


def _agents(value: object) -> tuple[AgentProfile, ...]:
    if isinstance(value, Mapping):
        value = value.values()
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ConfigError(f"agents must be a collection of AgentProfile, got {show(value)}")
    out = tuple(value)
    for agent in out:
        if not isinstance(agent, AgentProfile):
            raise ConfigError(f"agents must hold AgentProfile values, got {show(agent)}")
    return out


def _skill_mentions(value: Any, path: str) -> Iterator[tuple[str, str, int]]:
    """(path, skill, minimum proficiency) for each skill an action value names."""
    if isinstance(value, str):
        yield path, value, 1
    elif isinstance(value, tuple):
        for i, item in enumerate(value):
            if isinstance(item, str):
                yield f"{path}[{i}]", item, 1
    elif isinstance(value, Mapping):
        for skill, level in value.items():
            ok = isinstance(level, int) and not isinstance(level, bool)
            yield f"{path}.{skill}", skill, level if ok else 1


def _comparisons(cond: Condition | None, path: str) -> Iterator[tuple[str, Comparison]]:
    if cond is None:
        return
    if isinstance(cond, Comparison):
        yield path, cond
    elif isinstance(cond, Not):
        yield from _comparisons(cond.condition, f"{path}.not")
    else:
        key = "all" if isinstance(cond, AllOf) else "any"
        for i, part in enumerate(cond.conditions):
            yield from _comparisons(part, f"{path}.{key}[{i}]")


# --------------------------------------------------------------------------------------------
# Lint


def _shadowing(rules: RuleSet) -> list[Finding]:
    findings: list[Finding] = []
    budget = _Budget(_IMPLICATION_BUDGET)
    catch_all: int | None = None
    for j, rule in enumerate(rules.rules):
        # The earlier rules that match whenever this one does: every catch-all, and (while the
        # budget lasts) every rule whose condition this one's implies -- after a catch-all too,
        # so that the keys left to this rule are the keys none of them decides.
        earlier: list[int] = []
        for i in range(j):
            when = rules.rules[i].when
            implied = (
                when is not None
                and rule.when is not None
                and budget.left > 0
                and _implies(rule.when, when, budget)
            )
            if when is None or implied:
                earlier.append(i)
        if earlier:
            covered = {key for i in earlier for key in rules.rules[i].then}
            left = [key for key in rule.then if key not in covered]
            if left and len(left) == len(rule.then):
                # Every action of the rule is its own to decide: layered rules (a queue rule,
                # then an SLA or priority rule for some of its tickets) are not a mistake.
                if rule.when is None and catch_all is None:
                    catch_all = j
                continue
            # The earlier rules that decide one of this rule's keys (the ones to blame).
            mine = rule.then.keys()
            deciders = [i for i in earlier if rules.rules[i].then.keys() & mine] or earlier[:1]
            if catch_all is not None:
                head = (
                    f"rule {rule.name!r} comes after the catch-all "
                    f"{rules.rules[catch_all].name!r} (rules[{catch_all}]), which always "
                    "matches first"
                )
                # An earlier specific rule that decides a key the catch-all leaves open.
                free = mine - rules.rules[catch_all].then.keys()
                also = [
                    i
                    for i in deciders
                    if rules.rules[i].when is not None and rules.rules[i].then.keys() & free
                ]
                if also:
                    head += f", and whenever it matches, {_earlier(rules, also)}"
            else:
                head = f"whenever rule {rule.name!r} matches, {_earlier(rules, deciders)}"
            if left:
                tail = f"only its {', '.join(map(repr, left))} action(s) can take effect"
            else:
                tail = "so it can never decide anything in 'first' mode"
            findings.append(Finding(f"rules[{j}]", "warning", f"{head}; {tail}"))
        if rule.when is None and catch_all is None:
            catch_all = j
    if budget.left <= 0:
        findings.append(
            Finding("rules", "info", "the rule set is too large to check every implication")
        )
    return findings


def _earlier(rules: RuleSet, which: Sequence[int]) -> str:
    """``the earlier rule 'a' (rules[0]) matches too`` for one or more rules (three named)."""
    named = [f"{rules.rules[i].name!r} (rules[{i}])" for i in which[:3]]
    if len(which) > 3:
        named.append(f"{len(which) - 3} more")
    if len(named) == 1:
        return f"the earlier rule {named[0]} matches too"
    return f"the earlier rules {', '.join(named[:-1])} and {named[-1]} match too"


def _check_name(
    value: Any, path: str, known: frozenset[str], kind: str, findings: list[Finding]
) -> None:
    if known and isinstance(value, str) and value not in known:
        listed = ", ".join(map(repr, sorted(known)[:10]))
        findings.append(Finding(path, "error", f"unknown {kind} {value!r} (defined: {listed})"))


def lint(
    rules_or_ruleset: RuleSet | Sequence[Mapping[str, Any]] | _Whole,
    *,
    mode: Mode = "first",
    sla_policies: Iterable[Any] = (),
    queues: Iterable[Any] = (),
    skills: Iterable[str | SkillRequirement] = (),
    agents: Iterable[AgentProfile] | Mapping[str, AgentProfile] = (),
    known_fields: Iterable[str] | None = None,
) -> list[Finding]:
    """Find likely mistakes in a rule set and in the names its actions use.

    Given a whole desk configuration (:class:`~csflow.desk.DeskConfig`), lints all of it:
    its triage rules against its own SLA policies and queues, plus queues no routing profile
    serves, SLA policies nothing chooses, and (with *agents*) skills nobody has.

    Args:
        rules_or_ruleset: A :class:`~csflow.rules.RuleSet`, rule mappings to load with
            *mode* (a rule set that does not load gives one ``"error"`` finding at the bad
            path), or a desk configuration.
        mode: The mode to load rule mappings with; a RuleSet keeps its own.
        sla_policies: The defined SLA policies: names, objects with a ``name``, or a mapping
            keyed by name.
        queues: The defined queues, in the same forms.
        skills: The defined skills: names or :class:`~csflow.model.SkillRequirement` values.
        agents: The agent profiles (or a mapping id -> profile).
        known_fields: The field paths the rules' context holds (``"x.*"`` admits every path
            under ``x``), e.g. :data:`~csflow.policies.POLICY_FIELDS` for escalation rules;
            a condition on any other field is an ``"error"`` finding (it can never match).
            ``None`` (the default) skips the check.

    Returns:
        The findings, rule by rule (``rules[0]...`` first), then the one ``info`` finding
        of a rule set too large to check every implication, then the findings about
        *skills*.

    Raises:
        ConfigError: One of the keyword collections is not a collection of the right things.
    """
    if not isinstance(rules_or_ruleset, RuleSet | Sequence):
        # A whole configuration (a csflow.desk.DeskConfig) lints itself, rules included.
        lint_config = getattr(rules_or_ruleset, "lint", None)
        if not callable(lint_config):
            raise ConfigError(
                "expected a RuleSet, a list of rule dicts or a DeskConfig, "
                f"got {show(rules_or_ruleset)}"
            )
        found: list[Finding] = lint_config(agents=_agents(agents))
        return found
    sla_names = _names(sla_policies, "sla_policies")
    queue_names = _names(queues, "queues")
    # Materialised once: the skills are read twice (names, then the agents check).
    skill_items = (
        tuple(skills) if isinstance(skills, Iterable) and not isinstance(skills, str) else skills
    )
    skill_names = _names(skill_items, "skills")
    profiles = _agents(agents)
    fields = None if known_fields is None else _names(known_fields, "known_fields")
    if isinstance(rules_or_ruleset, RuleSet):
        rules = rules_or_ruleset
    else:
        try:
            rules = RuleSet.from_dicts(rules_or_ruleset, mode=mode)
        except ConfigError as exc:
            return [Finding(exc.path or "rules", "error", exc.detail)]

    findings = _shadowing(rules) if rules.mode == "first" else []
    best: dict[str, int] = {}
    for agent in profiles:
        for skill, level in agent.skills.items():
            best[skill] = max(best.get(skill, 0), level)

    mentioned: list[tuple[str, str, int]] = []
    for j, rule in enumerate(rules.rules):
        base = f"rules[{j}].then"
        _check_name(
            rule.then.get("sla_policy"), f"{base}.sla_policy", sla_names, "SLA policy", findings
        )
        _check_name(rule.then.get("queue"), f"{base}.queue", queue_names, "queue", findings)
        for key in SKILL_ACTIONS:
            if key in rule.then:
                mentioned.extend(_skill_mentions(rule.then[key], f"{base}.{key}"))
        for path, comparison in _comparisons(rule.when, f"rules[{j}].when"):
            if fields is not None and not field_is_known(comparison.field, fields):
                findings.append(
                    Finding(
                        f"{path}.field",
                        "error",
                        f"unknown field {comparison.field!r}: the condition can never hold",
                    )
                )
            mentioned.extend(_condition_skills(comparison, path))
    for path, skill, level in mentioned:
        _check_name(skill, path, skill_names, "skill", findings)
        if profiles and best.get(skill, 0) < level:
            findings.append(Finding(path, "warning", _nobody(skill, level, best)))
    # Rule by rule (each rule's findings in the order they were made), then the one about the
    # budget (path "rules").
    findings.sort(key=lambda f: _rule_index(f.path, len(rules.rules)))
    if profiles:
        for i, item in enumerate(skill_items):
            skill = item.skill if isinstance(item, SkillRequirement) else item
            level = item.min_proficiency if isinstance(item, SkillRequirement) else 1
            if best.get(skill, 0) < level:
                findings.append(Finding(f"skills[{i}]", "warning", _nobody(skill, level, best)))
    return findings


def _rule_index(path: str, after: int) -> int:
    """The index of the rule *path* is in (``rules[3].then.queue``: 3), else *after*."""
    if path.startswith("rules["):
        return int(path[6 : path.index("]")])
    return after


def _condition_skills(cond: Comparison, path: str) -> Iterator[tuple[str, str, int]]:
    """(path, skill, minimum proficiency) for a skill a comparison names: its field
    (``agent.skills.X``, ``required_skills.X``) or its ``contains`` operand on ``agent.skills``
    or ``required_skills``.  An agent's skill compared ``ge``, ``gt`` or ``eq`` with a level
    asks for that level (``agent.skills.billing ge 3``: 3)."""
    for prefix in _SKILL_FIELD_PREFIXES:
        if cond.field == prefix[:-1]:
            if cond.op == "contains" and isinstance(cond.value, str):
                yield f"{path}.contains", cond.value, 1
            return
        rest = cond.field.removeprefix(prefix)
        if rest != cond.field and "." not in rest:
            level = _level_asked(cond) if prefix == "agent.skills." else 1
            yield f"{path}.field", rest, level
            return


def _level_asked(cond: Comparison) -> int:
    """The least proficiency for which an agent's ``cond`` can hold (at least 1)."""
    value = cond.value
    if isinstance(value, bool) or not isinstance(value, _NUMBER) or not math.isfinite(value):
        return 1
    if cond.op in ("ge", "eq"):
        return max(1, math.ceil(value))
    if cond.op == "gt":
        return max(1, math.floor(value) + 1)
    return 1


def _nobody(skill: str, level: int, best: Mapping[str, int]) -> str:
    have = best.get(skill, 0)
    if have == 0:
        return f"no agent has skill {skill!r}"
    return f"no agent has skill {skill!r} at proficiency {level} (the best is {have})"
