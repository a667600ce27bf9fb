"""A desk configuration's identity: a hash of its canonical plain data, part by part.

A snapshot records the fingerprint of the config it was made under, so that restoring it under
another config is noticed (and refused unless the host asks for the change): a first-response
target edited from ``PT15M`` to ``PT1M`` would otherwise move every open deadline silently.

The canonical form walks the config's attrs values field by field: mappings sorted by key,
sets sorted, enums by value, instants and durations by ISO text, time zones by key, a float
equal to an integer as that integer, and :class:`~decimal.Decimal` amounts (goodwill
allowances and limits) by their exact value, so that values equal as numbers -- ``1000`` and
``1000.00``, a rule operand ``5000000`` and ``5000000.0`` -- have one fingerprint, as they
make equal configs (``DeskConfig.__eq__`` compares them by value too).  A rule set counts its
rules and, when it is not the mode its place loads rules in (``"first"``, and ``"all"`` for a
:class:`~csflow.policies.RuleEscalationPolicy`'s), its mode: a snapshot taken under
``"first"`` triage is refused under ``"all"``, while a rule set in its usual mode has the
fingerprint it had before the mode counted.  Code
policies (a priority policy, a strategy, a key policy ... any callable that is not plain data)
count by their qualified name (``myapp.policies.vip_first``): the fingerprint cannot see inside
code, so editing a function body without renaming it is not noticed -- name a changed policy
anew.  A field added to a config class after configs were first fingerprinted is marked
(attrs metadata ``{"csflow.fingerprint": "omit_default"}``) and left out while it holds its
default, so that a saved desk whose config does not use it restores after an upgrade; values
worked out from other fields may be marked ``"skip"``.  The canonical form is complete for
every config (the deepest plain data a config holds, a rule's condition, is bounded by the
rules' own nesting limit); only a code policy's own data deeper than that is cut short.  It
was cut 64 levels deep before (same version): :func:`fingerprint_changes`, given the config,
takes a part hash of that form for the same field, so a snapshot written then of a config with
rules nested about 30 levels deep restores under it; the same for the form before floats equal
to integers were written as integers (a snapshot of a config with ``ge: 5000000.0`` restores
under that config).  Not so for a rule set in its unusual mode: the form before the mode
counted cannot tell ``"all"`` triage from ``"first"``, and taking it would take today's
``"first"`` snapshots under ``"all"`` too, so such a snapshot is reported as a ``triage`` (or
``escalation_policy``) change, which the host may accept (``on_config_change``).  The hash
is SHA-256 of the canonical JSON, the same on every machine and run.
"""

from __future__ import annotations

import enum
import hashlib
import json
import weakref
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any, Final

import attrs

from csflow.desk.config import DeskConfig
from csflow.policies import RuleEscalationPolicy
from csflow.rules import MAX_NESTING, RuleSet

__all__ = ["FINGERPRINT_VERSION", "config_fingerprint", "fingerprint_changes"]

#: The version of the canonical form (a change of it changes every hash).
FINGERPRINT_VERSION: Final = 1
#: The attrs field metadata key that :func:`_counted` reads (``"skip"`` or ``"omit_default"``).
_MARK: Final = "csflow.fingerprint"
#: Fields that change what a desk keeps in memory, not what it decides.
_IGNORED: Final = frozenset({"keep_history", "keep_log"})
#: How deep the canonical form goes.  The deepest plain data a config holds is a rule's
#: condition: each level of it (an ``all``, ``any`` or ``not``) costs two levels here (the
#: mapping and the list of its conditions), at most :data:`~csflow.rules.MAX_NESTING` levels
#: (what even a condition built in Python may nest; a rule's own ``when`` nests at most
#: :data:`~csflow.rules.MAX_DEPTH`), below the config field, the rule set, the rule and
#: ``when`` (32 levels of room for those and the operand).  So every config's canonical form
#: is complete; deeper than this is only host data (a policy object's, which may even be
#: cyclic), cut short so that the walk ends.
_MAX_CANON_DEPTH: Final = 2 * MAX_NESTING + 32
#: How deep the canonical form went before it was complete (same :data:`FINGERPRINT_VERSION`):
#: a snapshot written then of a config with deeper rules holds the part hash this depth
#: gives, which :func:`fingerprint_changes` accepts for the same config.
_LEGACY_CANON_DEPTH: Final = 64


def _qualname(obj: object) -> str:
    kind = obj if isinstance(obj, type) else type(obj)
    name = getattr(obj, "__qualname__", None) or kind.__qualname__
    module = getattr(obj, "__module__", None) or kind.__module__
    return f"{module}.{name}"


def _decimal(value: Decimal) -> str:
    """*value*'s exact value as text, the same for every spelling of it (``1000``,
    ``1000.00``, ``1E+3``, and ``-0`` for ``0``), computed without a :mod:`decimal` context (so
    no rounding at any precision)."""
    if not value.is_finite():
        return f"decimal:{value}"
    if not value:
        return "decimal:0"
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite
    text = "".join(map(str, digits)).lstrip("0")
    kept = text.rstrip("0")
    return f"decimal:{'-' if sign else ''}{kept}e{exponent + len(text) - len(kept)}"


def _canon(value: object, depth: int = 0, limit: int = _MAX_CANON_DEPTH, raw: bool = False) -> Any:
    """The canonical form of *value*; *limit* and *raw* (floats as they are) give the older
    forms :func:`fingerprint_changes` accepts."""
    if depth > limit:
        return "..."  # only host data reaches this far (a cycle in a policy object's data)
    if type(value) is float and not raw and value.is_integer():
        # Equal as numbers, one form: 5000000.0 is 5000000 (and -0.0 is 0).
        return int(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        # Before the fallbacks below: a Decimal has neither fields nor a __dict__, and was
        # read as code ("code:decimal.Decimal"), which hid every edited amount.
        return _decimal(value)
    if isinstance(value, enum.Enum):
        return _canon(value.value, depth + 1, limit, raw)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return f"{value // timedelta(microseconds=1)}us"
    if isinstance(value, tzinfo):
        return str(value)
    if isinstance(value, Mapping):
        return [
            [str(k), _canon(v, depth + 1, limit, raw)] for k, v in sorted(value.items(), key=_key)
        ]
    if isinstance(value, frozenset | set):
        return sorted((_canon(v, depth + 1, limit, raw) for v in value), key=_dump)
    if isinstance(value, tuple | list):
        return [_canon(v, depth + 1, limit, raw) for v in value]
    if attrs.has(type(value)):
        fields = attrs.fields(type(value))  # type: ignore[arg-type]
        return [
            _qualname(value),
            {
                f.name: _field(value, getattr(value, f.name), depth + 1, limit, raw)
                for f in fields
                if _counted(f, getattr(value, f.name))
            },
        ]
    if isinstance(value, RuleSet):
        return _rule_set(value, "first", depth, limit, raw)
    for reader in ("to_dicts", "to_dict"):
        method = getattr(value, reader, None)
        if callable(method):
            try:
                return [_qualname(value), _canon(method(), depth + 1, limit, raw)]
            except Exception:
                break
    slots = getattr(type(value), "__slots__", None)
    data = getattr(value, "__dict__", None)
    if data is None and slots:
        data = {s: getattr(value, s, None) for s in slots if not s.startswith("__")}
    if data and not callable(value):
        return [_qualname(value), _canon(dict(data), depth + 1, limit, raw)]
    # Code: a function, or a callable object of no data: its name is its identity.
    return f"code:{_qualname(value)}"


def _field(owner: object, value: object, depth: int, limit: int, raw: bool) -> Any:
    """An attrs field's canonical form: a rule set's mode counts when it is not the one its
    owner loads rules in (``"all"`` for an escalation policy, else ``"first"``)."""
    if isinstance(value, RuleSet):
        default = "all" if isinstance(owner, RuleEscalationPolicy) else "first"
        return _rule_set(value, default, depth, limit, raw)
    return _canon(value, depth, limit, raw)


def _rule_set(rules: RuleSet, default: str, depth: int, limit: int, raw: bool) -> Any:
    """A rule set: its rules, and its mode when it is not *default* (so that the forms written
    before the mode counted stay the same for every rule set in its usual mode)."""
    if depth > limit:
        return "..."
    form = [_qualname(rules), _canon(rules.to_dicts(), depth + 1, limit, raw)]
    if rules.mode != default:
        form.append(f"mode:{rules.mode}")
    return form


def _counted(field: attrs.Attribute[Any], value: object) -> bool:
    """Whether an attrs field enters the canonical form: not one marked ``skip`` (worked out
    from other fields), nor one marked ``omit_default`` (added after configs were first
    fingerprinted) while it holds its default, so that configs that do not use it keep their
    fingerprints."""
    mark = field.metadata.get(_MARK)
    if mark is None:
        return True
    if mark == "skip":
        return False
    default = field.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        return True
    return bool(value != default)


def _dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _key(item: tuple[Any, Any]) -> str:
    return str(item[0])


def _hash(value: Any) -> str:
    return hashlib.sha256(_dump(value).encode()).hexdigest()


def config_fingerprint(config: DeskConfig) -> dict[str, Any]:
    """The fingerprint of *config*: ``{"version", "hash", "parts": {field: hash}}``.

    ``keep_history`` and ``keep_log`` are left out (they change memory, not decisions); so
    is a field added after configs were first fingerprinted while it holds its default
    (``close_solved_after``), so that configs that do not use it keep their fingerprints.

    It is worked out once per config object, while the object lives, and handed out as a
    fresh dict each time (a desk snapshots with it; a host persisting after every command
    walked the whole config each time).  A :class:`~csflow.desk.DeskConfig` is a frozen
    value; the data of a policy object it holds is read at the first call, so a policy object
    changed in place afterwards is not seen: build a new config for a changed policy.
    """
    key = id(config)
    kept = _KEPT.get(key)
    if kept is None or kept[0]() is not config:
        kept = (weakref.ref(config, _forget(key)), _fingerprint_of(config))
        _KEPT[key] = kept
    fingerprint = kept[1]
    return {**fingerprint, "parts": dict(fingerprint["parts"])}


#: The fingerprints of live configs, by the config's id (a config's entry leaves with it).
_KEPT: dict[int, tuple[weakref.ref[DeskConfig], dict[str, Any]]] = {}


def _forget(key: int) -> Callable[[weakref.ref[DeskConfig]], None]:
    """A weakref callback dropping *key*'s entry when its config goes (not a newer config's
    that took the same id)."""

    def drop(ref: weakref.ref[DeskConfig]) -> None:
        kept = _KEPT.get(key)
        if kept is not None and kept[0] is ref:
            del _KEPT[key]

    return drop


def _fingerprint_of(config: DeskConfig) -> dict[str, Any]:
    """:func:`config_fingerprint`, worked out."""
    parts = {
        f.name: _hash(_field(config, getattr(config, f.name), 0, _MAX_CANON_DEPTH, False))
        for f in attrs.fields(DeskConfig)
        if f.name not in _IGNORED and _counted(f, getattr(config, f.name))
    }
    return {"version": FINGERPRINT_VERSION, "hash": _hash(parts), "parts": parts}


def fingerprint_changes(
    old: Mapping[str, Any], new: Mapping[str, Any], config: DeskConfig | None = None
) -> list[str]:
    """The config fields whose part hashes differ between two fingerprints, sorted.

    Every field when the versions differ or *old* has no parts.  With *config* (the one
    *new* was made of), a part of *old* that is a hash *config*'s field had in an older
    canonical form is the same field, so that a snapshot written then under this config
    restores: the form before it was complete (cut 64 levels deep: only rules nested about
    30 levels deep reach that far), and the form before floats equal to integers were
    written as integers (a rule operand ``5000000.0``).
    """
    if old.get("version") != new.get("version") or not isinstance(old.get("parts"), Mapping):
        return sorted(new["parts"])
    a, b = old["parts"], new["parts"]
    return sorted(
        k
        for k in set(a) | set(b)
        if a.get(k) != b.get(k)
        and not (config is not None and k in b and _older(a.get(k), config, k))
    )


def _older(part: object, config: DeskConfig, name: str) -> bool:
    """Whether *part* is the hash of *config*'s field *name* in an older canonical form."""
    value = getattr(config, name)
    return any(
        part == _hash(_field(config, value, 0, limit, True))
        for limit in (_MAX_CANON_DEPTH, _LEGACY_CANON_DEPTH)
    )
