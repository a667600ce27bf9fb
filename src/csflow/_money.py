"""Exact decimal arithmetic for money, whatever the caller's :mod:`decimal` context says.

Amounts (goodwill grants, allowances, totals) are :class:`~decimal.Decimal`; an operation on
them under the thread's context would round to its precision (6 digits, if a host set that)
or raise a trap it enabled.  :data:`EXACT` is a context with every field set: 64 digits hold
any sum of up to 10**43 amounts below 10**15 with at most six places, and ``Inexact`` is
trapped all the same, so a result is exact or an error, never rounded.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Inexact, InvalidOperation
from typing import Final

__all__ = ["EXACT"]

EXACT: Final = Context(
    prec=64,
    rounding=ROUND_HALF_EVEN,
    Emin=-999_999,
    Emax=999_999,
    capitals=1,
    clamp=0,
    flags=[],
    traps=[InvalidOperation, Inexact],
)
