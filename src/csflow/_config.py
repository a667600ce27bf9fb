"""Shared helpers for reading plain-data documents (desk and simulator configurations).

Every reader reports a bad value as a :class:`~csflow.errors.ConfigError` whose ``path`` names
it in the whole document (``queues[1].relaxation[0].after``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any, Final

from csflow._text import did_you_mean, show
from csflow.errors import ConfigError, CsflowError
from csflow.model import _FieldError
from csflow.sla import parse_duration

#: Longest name of something a configuration defines (a queue, routing profile, team or
#: calendar): the limit of the declared names (tiers, channels, skills, languages, agents'
#: teams).  A desk writes these names into its snapshots, which refuse huge strings, so a
#: longer one would give a desk that runs and then cannot be restored.
MAX_NAME_CHARS: Final = 64


def join_path(base: str, key: object) -> str:
    if isinstance(key, int):
        return f"{base}[{key}]"
    return f"{base}.{key}" if base else str(key)


def name_set(value: object, argument: str, names: str = "names") -> frozenset[str]:
    """*value* as a set of names: a collection of strings, not one bare string (which would be
    read as its letters).

    Raises:
        ConfigError: Anything else, naming *argument* and, in the message, *names*.
    """
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ConfigError(f"{argument} must be a collection of {names}, got {show(value)}")
    items = list(value)
    for name in items:
        # Checked before the set is built: a list or a mapping is not hashable.
        if not isinstance(name, str):
            raise ConfigError(f"{argument} must hold {names}, got {show(name)}")
    return frozenset(items)


def mapping(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"expected a mapping, got {show(value)}", path)
    for k in value:
        if not isinstance(k, str):
            raise ConfigError(f"keys must be strings, got {show(k)}", path)
    return value


def sequence(value: object, path: str) -> Sequence[Any]:
    if not isinstance(value, list | tuple):
        raise ConfigError(f"expected a list, got {show(value)}", path)
    return value


def check_keys(data: Mapping[str, Any], allowed: Iterable[str], path: str) -> None:
    """Refuse a key of *data* not in *allowed*, at *path*, naming the closest allowed key
    when one is close (``unknown key 'targetz'; expected one of [...]; did you mean
    'targets'?``)."""
    allowed = set(allowed)
    for k in data:
        if k not in allowed:
            raise ConfigError(
                f"unknown key {show(k)}; expected one of {show(sorted(allowed))}"
                f"{did_you_mean(k, allowed)}",
                path,
            )


def duration(value: object, path: str, *, zero: bool = False) -> timedelta:
    """An ISO 8601 duration, seconds or a timedelta; ``0`` only where *zero* allows it."""
    if zero and not isinstance(value, bool) and value in (0, "PT0S", "P0D", timedelta(0)):
        return timedelta(0)
    if isinstance(value, timedelta) and value <= timedelta(0):
        raise ConfigError(f"expected a positive duration, got {show(value)}", path)
    return parse_duration(value, path, what=f"{path.rpartition('.')[2] or 'a duration'!r}")


def string(value: object, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"expected a non-empty string, got {show(value)}", path)
    return value


def defined_name(value: object, path: str) -> str:
    """*value* as the name of something a configuration defines: a non-empty string of at
    most :data:`MAX_NAME_CHARS` characters."""
    if not isinstance(value, str) or not value or len(value) > MAX_NAME_CHARS:
        raise ConfigError(
            f"expected a non-empty string of at most {MAX_NAME_CHARS} characters, "
            f"got {show(value)}",
            path,
        )
    return value


def wrap(path: str, build: Any, *args: Any, **kwargs: Any) -> Any:
    """Call *build*; a ConfigError without a path (or a CalendarError) gets *path*, and one
    whose path is relative to what *build* was given (``edges``, ``rules[0].when``) gets it
    as a prefix, so the error names the bad value in the whole document."""
    try:
        return build(*args, **kwargs)
    except ConfigError as exc:
        if not exc.path:
            raise ConfigError(exc.detail, path) from None
        # Already in the whole document: *path* itself or a path under it, segment by segment
        # (``ticket`` does not hold ``ticket_id``).  A value object's field is relative to it
        # always, whatever its first segment (``attributes.x`` read at ``a``).
        if not isinstance(exc, _FieldError) and (
            exc.path == path or exc.path.startswith((f"{path}.", f"{path}["))
        ):
            raise
        sep = "" if exc.path.startswith("[") else "."
        raise ConfigError(exc.detail, f"{path}{sep}{exc.path}") from None
    except CsflowError as exc:
        raise ConfigError(str(exc), path) from None
