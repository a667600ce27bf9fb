"""Read-only mappings and lists that pickle and copy: where csflow's frozen values keep them.

``types.MappingProxyType`` is read-only but cannot be pickled or deep-copied, so a value
holding one (a ticket's attributes, a configuration's tiers, an SLA policy's targets) could
not be sent to a worker process, cached, or copied in a test.  :class:`FrozenDict` is a
``dict`` whose every mutating method raises ``TypeError``: it reads at ``dict`` speed,
compares equal to a ``dict`` with the same items, writes as a JSON object, and pickles (and
copies) as a new ``FrozenDict`` of the same items.  :class:`FrozenList` is the same for a
``list`` (where a ticket's free-form attributes hold JSON arrays): it compares equal to a
``list`` with the same items and writes as a JSON array, as a tuple would not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

__all__ = ["FrozenDict", "FrozenList"]

_K = TypeVar("_K")
_V = TypeVar("_V")
_T = TypeVar("_T")


class FrozenDict(dict[_K, _V]):
    """A ``dict`` that refuses every change after it is built (``TypeError``).

    Examples:
        >>> import pickle
        >>> d = FrozenDict({"gold": 3})
        >>> d["gold"], d == {"gold": 3}
        (3, True)
        >>> pickle.loads(pickle.dumps(d))
        FrozenDict({'gold': 3})
        >>> d["gold"] = 4
        Traceback (most recent call last):
        ...
        TypeError: FrozenDict is read-only
    """

    __slots__ = ()

    if not TYPE_CHECKING:  # (the type checker reads dict's constructor signatures)

        def __new__(cls, *args, **kwargs):
            # Filled here, once: ``__init__`` (which a caller could call again) changes nothing.
            self = super().__new__(cls)
            dict.__init__(self, *args, **kwargs)
            return self

        def __init__(self, *args, **kwargs):
            pass

    def _read_only(self) -> NoReturn:
        raise TypeError(f"{type(self).__name__} is read-only")

    def __setitem__(self, key: _K, value: _V) -> NoReturn:
        self._read_only()

    def __delitem__(self, key: _K) -> NoReturn:
        self._read_only()

    def __ior__(self, other: Any) -> NoReturn:  # type: ignore[misc]
        self._read_only()

    def clear(self) -> NoReturn:
        self._read_only()

    def pop(self, *args: Any) -> NoReturn:
        self._read_only()

    def popitem(self) -> NoReturn:
        self._read_only()

    def setdefault(self, *args: Any) -> NoReturn:
        self._read_only()

    def update(self, *args: Any, **kwargs: Any) -> NoReturn:
        self._read_only()

    def __reduce__(self) -> tuple[Any, ...]:
        # (A dict subclass would otherwise be rebuilt item by item, through __setitem__.)
        return (type(self), (dict(self),))

    def __copy__(self) -> FrozenDict[_K, _V]:
        return self  # nothing can change it

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict.__repr__(self)})"


class FrozenList(list[_T]):
    """A ``list`` that refuses every change after it is built (``TypeError``).

    Reading, slicing, ``+`` and ``copy()`` work as on a list (and give plain lists).

    Examples:
        >>> import json, pickle
        >>> items = FrozenList(["a", "b"])
        >>> items == ["a", "b"], "a" in items, json.dumps(items)
        (True, True, '["a", "b"]')
        >>> pickle.loads(pickle.dumps(items))
        FrozenList(['a', 'b'])
        >>> items.append("c")
        Traceback (most recent call last):
        ...
        TypeError: FrozenList is read-only
    """

    __slots__ = ()

    if not TYPE_CHECKING:  # (the type checker reads list's constructor signatures)

        def __new__(cls, *args):
            # Filled here, once: ``__init__`` (which a caller could call again, and which on a
            # list empties it first) changes nothing.
            self = super().__new__(cls)
            list.__init__(self, *args)
            return self

        def __init__(self, *args):
            pass

    def _read_only(self) -> NoReturn:
        raise TypeError(f"{type(self).__name__} is read-only")

    def __setitem__(self, index: Any, value: Any) -> NoReturn:
        self._read_only()

    def __delitem__(self, index: Any) -> NoReturn:
        self._read_only()

    def __iadd__(self, other: Any) -> NoReturn:  # type: ignore[misc]
        self._read_only()

    def __imul__(self, other: Any) -> NoReturn:  # type: ignore[misc]
        self._read_only()

    def append(self, value: Any) -> NoReturn:
        self._read_only()

    def extend(self, values: Any) -> NoReturn:
        self._read_only()

    def insert(self, index: Any, value: Any) -> NoReturn:
        self._read_only()

    def pop(self, *args: Any) -> NoReturn:
        self._read_only()

    def remove(self, value: Any) -> NoReturn:
        self._read_only()

    def clear(self) -> NoReturn:
        self._read_only()

    def sort(self, *args: Any, **kwargs: Any) -> NoReturn:
        self._read_only()

    def reverse(self) -> NoReturn:
        self._read_only()

    def __reduce__(self) -> tuple[Any, ...]:
        # (A list subclass would otherwise be rebuilt item by item, through append/extend.)
        return (type(self), (list(self),))

    def __copy__(self) -> FrozenList[_T]:
        return self  # nothing can change it

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list.__repr__(self)})"
