"""Conditions rendered as readable text, for the reason every decision carries.

``{"all": [{"field": "customer.tier", "eq": "gold"}, {"field": "wait_s", "gt": 60}]}`` reads
``customer.tier is 'gold' and wait_s > 60``.  Values are shown abbreviated (a long list shows
its first six values and its length), nested ``and``/``or`` groups are parenthesised, and the
whole text is cut at a limit, so a reason stays a sentence whatever the rule holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from csflow.errors import ConfigError
from csflow.rules._abbrev import short_repr
from csflow.rules.syntax import AllOf, AnyOf, Comparison, Condition, Not

__all__ = ["describe"]


def _values(values: Sequence[Any], joiner: str) -> str:
    shown = [short_repr(v) for v in values[:6]]
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
            return f"{field} is {short_repr(value)}"
        if op == "ne":
            return f"{field} is not {short_repr(value)}"
        if op == "in":
            return (
                f"{field} is {_values(value, 'or')}"
                if len(value) == 1
                else (f"{field} is one of {_values(value, 'or')}")
            )
        if op == "not_in":
            return f"{field} is none of {_values(value, 'or')}"
        if op in _SYMBOLS:
            return f"{field} {_SYMBOLS[op]} {short_repr(value)}"
        if op == "contains":
            return f"{field} contains {short_repr(value)}"
        if op == "matches":
            return f"{field} matches {short_repr(value)}"
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

    Raises:
        ConfigError: *condition* is not a condition (a parsed condition is checked when it is
            built, nesting at most :data:`~csflow.rules.syntax.MAX_NESTING` levels, so the
            rendering recurses a bounded number of levels), or *limit* is not a positive int.
    """
    if condition is not None and not isinstance(condition, (Comparison, AllOf, AnyOf, Not)):
        raise ConfigError(
            "condition must be a Comparison, AllOf, AnyOf, Not or None, "
            f"got {short_repr(condition)}",
            "condition",
        )
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ConfigError(f"limit must be a positive int, got {short_repr(limit)}", "limit")
    text = "always" if condition is None else _describe(condition)
    return text if len(text) <= limit else text[: limit - 1] + "…"
