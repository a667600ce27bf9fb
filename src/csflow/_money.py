"""Exact decimal arithmetic for money, whatever the caller's :mod:`decimal` context says.

Amounts (goodwill grants, allowances, totals) are :class:`~decimal.Decimal`; an operation on
them under the thread's context would round to its precision (6 digits, if a host set that)
or raise a trap it enabled.  :data:`EXACT` is a context with every field set: 64 digits hold
any sum of up to 10**43 amounts below 10**15 with at most six places, and ``Inexact`` is
trapped all the same, so a result is exact or an error, never rounded.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Context, Decimal, Inexact, InvalidOperation
from typing import Final

__all__ = ["EXACT", "ceiling"]

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

#: :data:`EXACT`, rounding up to the places asked for (:func:`ceiling`) instead of trapping.
_CEILING: Final = Context(
    prec=64,
    rounding=ROUND_CEILING,
    Emin=-999_999,
    Emax=999_999,
    capitals=1,
    clamp=0,
    flags=[],
    traps=[InvalidOperation],
)


def ceiling(amount: Decimal, unit: Decimal) -> Decimal:
    """*amount* (finite, below 10**60) rounded up to a multiple of *unit* (``Decimal("0.01")``
    or ``Decimal("1")``): ``ceiling(Decimal("12.50"), Decimal(1))`` is ``Decimal("13")``.

    Examples:
        >>> ceiling(Decimal("12.50"), Decimal(1)), ceiling(Decimal("12"), Decimal("0.01"))
        (Decimal('13'), Decimal('12.00'))
    """
    return amount.quantize(unit, context=_CEILING)
