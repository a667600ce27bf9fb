"""Private helpers for the plain-data (JSON) form of frozen values: events, views, commands.

One rule for every instant written: UTC, ISO 8601 with its offset (``2026-03-02T09:00:00+00:00``),
whatever zone the value carried in memory (an event's ``at`` keeps the zone of the ``at`` the
host passed; a clock's ``due_at`` is in its calendar's zone).  Aware datetimes compare by
instant, so a value read back equals the one written.  Durations are ISO 8601 seconds
(``PT900S``, ``PT0.5S``, ``-PT2S``): exact to the microsecond, where a float of seconds would
round.  Enums are their value, tuples and frozensets lists, mappings objects.

Reading is driven by the field types of the attrs class, so it checks every field: a missing or
unknown key, a wrong type, a naive or malformed instant all raise
:class:`~csflow.errors.ConfigError` naming the path (``event.due_at``).  A whole number may be
written with a zero fraction (``2.0``, as a writer whose numbers are all floats writes it: JSON
Schema counts it an integer too) wherever an int is read, an int-valued enum's value included;
``2.5``, ``NaN``, the infinities and ``true``/``false`` are not ints.
"""

from __future__ import annotations

import enum
import math
import re
import types
import typing
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Final, Union

import attrs

from csflow._text import show
from csflow.errors import ConfigError, CsflowError

__all__ = [
    "ENCODABLE",
    "decode_duration",
    "decode_fields",
    "decode_instant",
    "encodable",
    "encode_duration",
    "encode_fields",
    "encode_instant",
    "encode_value",
    "whole_number",
]

#: Longest string accepted in any field read back (a megabyte of text is tampering).
MAX_STRING: Final = 65_536

#: A UTF-16 surrogate code point (U+D800-U+DFFF): a Python string may hold one alone, no UTF-8
#: text can.
_SURROGATE: Final = re.compile("[\ud800-\udfff]")

#: What a refusal of :func:`encodable` text says was expected.
ENCODABLE: Final = "text without lone surrogates (U+D800-U+DFFF)"


def encodable(text: str) -> bool:
    """Whether *text* can be written as UTF-8: it holds no lone surrogate (U+D800-U+DFFF).

    A Python string may carry one (``"T\\ud800"``, or what ``json.loads`` makes of a lone
    ``\\ud800`` escape); an event holding it could not be written as UTF-8, and a JavaScript or
    Java reader would put U+FFFD in its place, so that a row sent back would no longer match.
    ASCII text (most ids) is told apart without a scan.
    """
    return text.isascii() or _SURROGATE.search(text) is None


def encode_instant(value: datetime) -> str:
    """*value* in UTC, ISO 8601 with offset."""
    return value.astimezone(UTC).isoformat()


def decode_instant(value: object, path: str) -> datetime:
    """The aware datetime :func:`encode_instant` wrote (any offset is accepted), in UTC.

    Raises:
        ConfigError: Not an ISO 8601 string with an offset, or its UTC instant is outside
            years 1 to 9999.
    """
    if isinstance(value, str) and len(value) <= 64:
        try:
            d = datetime.fromisoformat(value)
            if d.tzinfo is not None and d.utcoffset() is not None:
                # Near the ends of the calendar the UTC instant may not exist
                # (``0001-01-01T00:00:00+05:00``): OverflowError, refused like a bad string.
                return d.astimezone(UTC)
        except (ValueError, OverflowError):
            pass
    raise ConfigError(
        f"expected an ISO 8601 instant with offset, in UTC between years 1 and 9999, "
        f"got {show(value)}",
        path,
    )


def encode_duration(value: timedelta) -> str:
    """*value* as ISO 8601 seconds, exact to the microsecond."""
    us = value // timedelta(microseconds=1)
    sign = "-" if us < 0 else ""
    s, frac = divmod(abs(us), 1_000_000)
    tail = f".{frac:06d}".rstrip("0") if frac else ""
    return f"{sign}PT{s}{tail}S"


def decode_duration(value: object, path: str) -> timedelta:
    """The duration :func:`encode_duration` wrote.

    Raises:
        ConfigError: Not of the form ``[-]PT<seconds>[.<fraction>]S`` in ASCII digits (not
            ``"PT²S"``, nor ``"PT٣S"`` in Arabic-Indic digits).
    """
    if isinstance(value, str) and 4 <= len(value) <= 32:
        text = value
        sign = 1
        if text.startswith("-"):
            sign, text = -1, text[1:]
        if text.startswith("PT") and text.endswith("S"):
            whole, _, frac = text[2:-1].partition(".")
            if _digits(whole) and (frac == "" or (_digits(frac) and len(frac) <= 6)):
                us = int(whole) * 1_000_000 + int(frac.ljust(6, "0") or "0")
                try:
                    return timedelta(microseconds=sign * us)
                except OverflowError:
                    pass
    raise ConfigError(f"expected an ISO 8601 duration like 'PT90S', got {show(value)}", path)


def _digits(text: str) -> bool:
    """*text* is one or more ASCII digits (``str.isdigit`` accepts ``'²'`` and ``'٣'`` too)."""
    return text.isascii() and text.isdigit()


def encode_value(value: object) -> Any:
    """Any field value as JSON-compatible data (see the module docstring)."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        # Money is exact: a decimal string, never a JSON number (a float on most readers).
        return str(value)
    if isinstance(value, datetime):
        return encode_instant(value)
    if isinstance(value, timedelta):
        return encode_duration(value)
    if isinstance(value, Mapping):
        return {str(k): encode_value(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return sorted(encode_value(v) for v in value)
    if attrs.has(type(value)):  # before tuples: a queue entry is an attrs class over a tuple
        return encode_fields(value)
    if isinstance(value, tuple | list):
        return [encode_value(v) for v in value]
    raise ConfigError(f"no plain-data form for {show(value)}")


def encode_fields(value: Any) -> dict[str, Any]:
    """An attrs value's fields, each by :func:`encode_value`."""
    return {f.name: encode_value(getattr(value, f.name)) for f in attrs.fields(type(value))}


def whole_number(value: object) -> int | None:
    """*value* as the int it stands for, or ``None`` when it is no whole number.

    An int (not a bool) is itself; a float with a zero fraction (``2.0``, ``-0.0``, ``1e20``)
    is the int it equals, as JSON Schema (draft 2020-12) counts it an integer.  ``2.5``,
    ``NaN`` and the infinities (``1e400`` as ``json.loads`` reads it) are ``None``; so are
    ``True`` and ``False``, which JSON tells from numbers.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


#: A reader for one field type, given the value and its path.
Reader = Callable[[object, str], Any]


def _scalar(kind: type, value: object, path: str) -> Any:
    if kind is int and isinstance(value, float):
        whole = whole_number(value)  # ``2.0``: the int 2; ``2.5``, NaN: refused below
        if whole is not None:
            return whole
    ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:  # an int past float's range (a 400-digit JSON number)
            raise ConfigError(f"expected a finite number, got {show(value)}", path) from None
    if kind is float and isinstance(value, float) and not math.isfinite(value):
        # JSON has no NaN or infinity: a reader that wrote one back would not be JSON.
        raise ConfigError(f"expected a finite number, got {show(value)}", path)
    if not ok:
        raise ConfigError(f"expected {kind.__name__}, got {show(value)}", path)
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            raise ConfigError(f"string of {len(value)} characters is too long", path)
        if not encodable(value):
            raise ConfigError(f"expected {ENCODABLE}, got {show(value)}", path)
    return value


#: A decimal as a JSON writer spells it: ASCII digits, an optional sign, point and exponent
#: (``Decimal`` alone would take other scripts' digits, underscores and spaces).  The money
#: strings of :mod:`csflow.desk.goodwill` are spelt the same way.
DECIMAL_SYNTAX: Final = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_DECIMAL: Final = re.compile(DECIMAL_SYNTAX)


def _decimal(value: object, path: str) -> Decimal:
    if not isinstance(value, str) or len(value) > 64 or _DECIMAL.fullmatch(value) is None:
        raise ConfigError(f"expected a decimal string, got {show(value)}", path)
    try:
        out = Decimal(value)
    except ArithmeticError:
        raise ConfigError(f"expected a decimal string, got {show(value)}", path) from None
    if not out.is_finite():
        raise ConfigError(f"expected a finite decimal, got {show(value)}", path)
    return out


def _decode(tp: Any, value: object, path: str, hooks: Mapping[type, Reader]) -> Any:
    origin = typing.get_origin(tp)
    if origin is Union or origin is types.UnionType:
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        rest = [a for a in args if a is not type(None)]
        return _decode(rest[0], value, path, hooks)
    if origin is tuple:
        args = typing.get_args(tp)
        if not isinstance(value, list):
            raise ConfigError(f"expected a list, got {show(value)}", path)
        return tuple(_decode(args[0], v, f"{path}[{i}]", hooks) for i, v in enumerate(value))
    if origin is not None and isinstance(origin, type) and issubclass(origin, Mapping):
        _, vt = typing.get_args(tp)
        if not isinstance(value, dict):
            raise ConfigError(f"expected a mapping, got {show(value)}", path)
        out = {}
        for k, v in value.items():
            _scalar(str, k, path)
            out[k] = _decode(vt, v, f"{path}.{k}", hooks)
        return out
    if tp in hooks:
        return hooks[tp](value, path)
    if tp is datetime:
        return decode_instant(value, path)
    if tp is timedelta:
        return decode_duration(value, path)
    if tp is Decimal:
        return _decimal(value, path)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        # Only a value of a member value's type (a member itself included) is looked up: True
        # == 1 is not a member's value as written, and the enum's own error would show any
        # other value with the builtin repr (a 5,000-deep list raises RecursionError there).
        kinds = tuple({type(m.value) for m in tp})
        if int in kinds and isinstance(value, float) and value.is_integer():
            value = int(value)  # ``2.0`` (see whole_number): the member of value 2
        if isinstance(value, kinds) and not isinstance(value, bool):
            try:
                return tp(value)
            except ValueError:
                pass
        names = [m.value for m in tp]
        raise ConfigError(f"expected one of {show(names)}, got {show(value)}", path)
    if tp in (str, int, float, bool):
        return _scalar(tp, value, path)
    raise ConfigError(f"no reader for {tp!r}", path)


#: A compiled reader for one field type: the value, its path and the hooks.
_Compiled = Callable[[object, str, Mapping[type, Reader]], Any]
_COMPILED: dict[Any, _Compiled] = {}


def _compiled(tp: Any) -> _Compiled:
    """What :func:`_decode` does for *tp*, with the type's shape worked out once (a snapshot
    decodes tens of thousands of events, each field through ``typing.get_origin``): the same
    values read and the same errors raised, with a quick path for the values JSON text gives
    that settles them without the general checks."""
    try:
        found = _COMPILED.get(tp)
    except TypeError:  # (an unhashable hint: read the general way)
        return lambda value, path, hooks: _decode(tp, value, path, hooks)
    if found is None:
        found = _COMPILED[tp] = _compile(tp)
    return found


def _compile(tp: Any) -> _Compiled:
    origin = typing.get_origin(tp)
    if (
        origin is Union
        or origin is types.UnionType
        or origin is tuple
        or (origin is not None and isinstance(origin, type) and issubclass(origin, Mapping))
    ):
        if origin is Union or origin is types.UnionType:
            args = typing.get_args(tp)
            rest = [a for a in args if a is not type(None)]
            inner = _compiled(rest[0])
            if type(None) not in args:
                return inner

            def optional(value: object, path: str, hooks: Mapping[type, Reader]) -> Any:
                return None if value is None else inner(value, path, hooks)

            return optional
        return lambda value, path, hooks: _decode(tp, value, path, hooks)
    quick: Callable[[object], bool] | None = None
    if tp is str:

        def quick(value: object) -> bool:
            return type(value) is str and value.isascii() and len(value) <= MAX_STRING

    elif tp is int or tp is bool:

        def quick(value: object) -> bool:
            return type(value) is tp

    elif isinstance(tp, type) and issubclass(tp, enum.Enum):
        members = {m.value: m for m in tp}
        kinds = frozenset(type(v) for v in members) - {bool}

        def read_enum(value: object, path: str, hooks: Mapping[type, Reader]) -> Any:
            if type(value) in kinds and not hooks:
                member = members.get(value)
                if member is not None and type(member.value) is type(value):
                    return member
            return _decode(tp, value, path, hooks)

        return read_enum
    if quick is None:
        return lambda value, path, hooks: _decode(tp, value, path, hooks)
    check = quick

    def read_scalar(value: object, path: str, hooks: Mapping[type, Reader]) -> Any:
        if check(value) and not hooks:
            return value
        return _decode(tp, value, path, hooks)

    return read_scalar


_Shape = tuple[dict[str, Any], tuple[Any, ...], frozenset[str], tuple[tuple[str, _Compiled], ...]]
_SHAPES: dict[type[Any], _Shape] = {}


def _shape(cls: type[Any]) -> _Shape:
    """*cls*'s resolved type hints, attrs fields and field names, worked out once per class
    (``typing.get_type_hints`` costs several times the rest of decoding a row)."""
    shape = _SHAPES.get(cls)
    if shape is None:
        fields = attrs.fields(cls)
        hints = typing.get_type_hints(cls)
        shape = (
            hints,
            tuple(fields),
            frozenset(f.name for f in fields),
            tuple((f.name, _compiled(hints[f.name])) for f in fields),
        )
        _SHAPES[cls] = shape
    return shape


def decode_fields(
    cls: type[Any],
    data: Mapping[str, Any],
    path: str,
    *,
    skip: frozenset[str] = frozenset(),
    hooks: Mapping[type, Reader] | None = None,
) -> Any:
    """An instance of attrs class *cls* from the fields :func:`encode_fields` wrote.

    Keys in *skip* (the envelope: type tag, version) are ignored; every field must be present
    and no other key may be.

    Raises:
        ConfigError: A missing, unknown or malformed field, with its path (``event.target``,
            also for a field that is missing or a key that is not one).
    """
    _, _, names, readers = _shape(cls)
    for k in data:
        if k not in names and k not in skip:
            raise ConfigError(
                f"unknown key {show(k)}; expected one of {show(sorted(names))}",
                f"{path}.{k}" if isinstance(k, str) and len(k) <= 64 else path,
            )
    kwargs = {}
    hooks = hooks or {}
    for name, read in readers:
        if name not in data:
            raise ConfigError(f"missing field {name!r}", f"{path}.{name}")
        kwargs[name] = read(data[name], f"{path}.{name}", hooks)
    try:
        return cls(**kwargs)
    except ConfigError:
        raise
    except (CsflowError, TypeError, ValueError, ArithmeticError) as exc:
        raise ConfigError(f"cannot build {cls.__name__}: {exc}", path) from None
