"""Private helper: how an error message shows a value it names.

Messages name bad values, but a value from a document or a tampered snapshot may be huge or
nest 10,000 levels deep, and the builtin repr of that is long or raises RecursionError.
"""

from __future__ import annotations

import reprlib

__all__ = ["show"]

_REPR = reprlib.Repr()
_REPR.maxlevel = 6
_SHOW_LIMIT = 400


def show(value: object) -> str:
    """``repr(value)`` for a message: the builtin repr when it is short, else abbreviated."""
    try:
        try:
            text = repr(value)
        except RecursionError:
            return _REPR.repr(value)  # abbreviates below a few levels
    except Exception:  # a hostile or broken __repr__, or an int past str()'s digit limit
        if isinstance(value, int):
            digits = int(value.bit_length() * 0.30103) + 1  # log10(2): within one digit
            return f"<{type(value).__name__} of about {digits:,} digits>"
        return f"<{type(value).__name__}>"
    if len(text) <= _SHOW_LIMIT:
        return text
    return f"{text[: _SHOW_LIMIT - 60]} ... {text[-40:]} ({len(text):,} characters)"
