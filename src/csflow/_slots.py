"""Private helper: build frozen attrs instances on hot paths without attrs' ``__init__``.

attrs' ``__init__`` of a frozen class calls ``object.__setattr__`` once per field; on the
routing and queue hot paths the slots are filled directly instead (the same values, already
checked, no validators or converters to skip).
"""

from __future__ import annotations

from typing import Any

import attrs

__all__ = ["new_object", "slot_setters"]

new_object = object.__new__


def slot_setters(cls: type, names: tuple[str, ...]) -> tuple[Any, ...]:
    """The slot descriptors' setters of the frozen attrs class *cls*, for *names*.

    Refuses to build if *names* are not exactly the class's fields, so a field added to the
    class without updating the fast constructor fails at import, not silently.
    """
    fields = tuple(f.name for f in attrs.fields(cls))
    if fields != names:  # pragma: no cover - a field was added without updating the caller
        raise RuntimeError(f"{cls.__name__} fields are {fields!r}, expected {names!r}")
    return tuple(cls.__dict__[name].__set__ for name in names)
