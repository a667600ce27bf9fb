"""Python reprs in a message, as an operator reads the values: ISO 8601 and plain text.

The library's messages name a bad value by its repr, for the Python caller
(``got datetime.datetime(9999, 12, 31, 23, 0, tzinfo=datetime.timezone.utc)``); the command
line's user wrote the value in a file as ``9999-12-31T23:00:00+00:00``.  :func:`plain_values`
writes the reprs of the values a file holds as a file writes them:

* an instant, a date, a time of day: ISO 8601 (``9999-12-31T23:00:00+00:00``), with the
  offset the instant has in its zone (``datetime``, ``pendulum.DateTime``);
* a duration: ISO 8601 seconds, as the events on the wire write it (``PT600S``;
  ``timedelta``, ``pendulum.Duration``);
* a decimal amount: its digits (``Decimal('12.50')`` is ``12.50``);
* an enum member: its value when that is text (``<Metric.RESOLUTION: 'resolution'>`` is
  ``resolution``), else its name as a file writes it (``<Priority.HIGH: 2>`` is ``high``).

A repr is read as data (its parts are literals, checked against the few constructors
above), never evaluated; one that does not read cleanly is left as it is.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo

from csflow._plain import encode_duration

__all__ = ["plain_values"]


def _fixed(offset: int, name: str | None = None) -> timezone:
    """pendulum's ``FixedTimezone(3600, name="+01:00")``: an offset in seconds."""
    return timezone(timedelta(seconds=offset))


def _duration(**parts: float) -> timedelta:
    """pendulum's ``Duration(days=1, hours=2)``: years and months are not lengths of time."""
    if {"years", "months"} & parts.keys():
        raise ValueError("a calendar duration")
    return timedelta(**parts)


#: The constructors a repr may call, by the name it spells them with.
_CALLS: Final[dict[str, Callable[..., Any]]] = {
    "datetime.datetime": datetime,
    "datetime.date": date,
    "datetime.time": time,
    "datetime.timedelta": timedelta,
    "datetime.timezone": timezone,
    "zoneinfo.ZoneInfo": ZoneInfo,
    "Decimal": Decimal,
    "decimal.Decimal": Decimal,
    "DateTime": datetime,
    "Date": date,
    "Time": time,
    "Duration": _duration,
    "Timezone": ZoneInfo,
    "FixedTimezone": _fixed,
}
_NAMES: Final[dict[str, Any]] = {"datetime.timezone.utc": UTC}

#: Where a repr of such a value starts: a constructor's name not inside a longer name, nor
#: at the start of a quoted text (``'datetime.date(2026, 3, 1)'`` is what a file wrote).
_START: Final = re.compile(
    r"(?<![\w.'\"])(?:datetime\.(?:datetime|date|time|timedelta)|decimal\.Decimal|Decimal"
    r"|DateTime|Date|Time|Duration)\("
)
#: An enum member's repr: ``<Metric.RESOLUTION: 'resolution'>``, ``<Priority.HIGH: 2>``.
_ENUM: Final = re.compile(
    r"<([A-Z]\w*)\.([A-Z_][A-Z0-9_]*): (?:'([^'\\]*)'|\"([^\"\\]*)\"|(-?\d+))>"
)


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return None if head is None else f"{head}.{node.attr}"
    return None


def _value(node: ast.expr) -> Any:
    """The value *node* spells, of literals and the constructors of :data:`_CALLS`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float | str | type(None)):
        return node.value
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and isinstance(node.operand.value, int | float)
        and not isinstance(node.operand.value, bool)
    ):
        return -node.operand.value
    name = _dotted(node.func) if isinstance(node, ast.Call) else _dotted(node)
    if isinstance(node, ast.Call) and name in _CALLS:
        args = [_value(a) for a in node.args]
        kwargs = {k.arg: _value(k.value) for k in node.keywords if k.arg is not None}
        if len(kwargs) != len(node.keywords):
            raise ValueError("**kwargs")
        return _CALLS[name](*args, **kwargs)
    if name in _NAMES:
        return _NAMES[name]
    raise ValueError(f"not a value: {ast.dump(node)}")


def _text(value: Any) -> str | None:
    """*value* as a file writes it, or ``None`` for a value of another kind."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return encode_duration(value)
    if isinstance(value, Decimal):
        return str(value)
    return None


def _end(text: str, start: int) -> int | None:
    """Where the call whose ``(`` is at *start* closes (past its ``)``), skipping quoted
    text; ``None`` when it does not close."""
    depth = 0
    quote = ""
    i = start
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


#: Longest message whose reprs are rewritten (the scan is quadratic in unclosed calls).
_LONGEST: Final = 4096


def _enum(m: re.Match[str]) -> str:
    text = m[3] if m[3] is not None else m[4]
    return text if text is not None else m[2].lower()


def plain_values(message: str) -> str:
    """*message* with the reprs of instants, dates, times, durations, decimal amounts and
    enum members written as a config or an event file writes them (see the module).  A message
    longer than :data:`_LONGEST` characters is left as it is: the library's messages are far
    shorter, and each repr's end is looked for to the end of the message."""
    if len(message) > _LONGEST:
        return message
    out: list[str] = []
    pos = 0
    for m in _START.finditer(message):
        if m.start() < pos:
            continue  # inside a repr already written
        end = _end(message, m.end() - 1)
        if end is None:
            continue
        try:
            text = _text(_value(ast.parse(message[m.start() : end], mode="eval").body))
        except Exception:  # not a value (or a zone not on this machine): left as written
            text = None
        if text is None:
            continue
        out.append(message[pos : m.start()])
        out.append(text)
        pos = end
    out.append(message[pos:])
    return _ENUM.sub(_enum, "".join(out))
