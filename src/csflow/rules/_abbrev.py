"""Private helper of the rule package: how its messages and reasons show a value.

Unlike :func:`csflow._text.show` (the builtin repr unless it is very long), this cuts every
string, number and nesting level short, because the values shown come from rule operands and
from customers' data, and a rule's reason quotes them in a sentence a person reads.
"""

from __future__ import annotations

import reprlib

__all__ = ["short_repr"]

_SHORT = reprlib.Repr()
_SHORT.maxstring = 80
_SHORT.maxother = 80
_SHORT.maxlevel = 3


def short_repr(value: object) -> str:
    """A repr of at most about 80 characters that cannot fail (huge ints, deep nesting,
    hostile ``__repr__``)."""
    try:
        return _SHORT.repr(value)
    except Exception:
        return f"<{type(value).__name__}>"
