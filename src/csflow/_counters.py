"""Reading where an :func:`itertools.count` stands without advancing it.

A desk's counters (the queues' shared FIFO sequence, the pool's joining order and turns) are
``itertools.count`` objects: the fastest ``next`` there is.  A state snapshot must record the
value each would hand out next, and ``next`` would consume it; the counter's ``repr``
(``count(41)``) states it without a side effect.  The one place that relies on that text.
"""

from __future__ import annotations

import itertools
import re
from typing import Final

__all__ = ["peek_count"]

_REPR: Final = re.compile(r"count\((-?\d+)\)\Z")


def peek_count(counter: itertools.count[int]) -> int:
    """The value *counter* (an ``itertools.count`` of step 1) hands out next.

    Raises:
        TypeError: *counter* is not such a count.
    """
    m = _REPR.match(repr(counter)) if isinstance(counter, itertools.count) else None
    if m is None:
        raise TypeError(f"expected an itertools.count of step 1, got {counter!r}")
    return int(m.group(1))
