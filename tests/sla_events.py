"""Helpers the worked SLA examples share: Jakarta wall-clock instants and event summaries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from csflow.sla import SlaEvent, SlaWarning

__all__ = ["WIB", "summary", "wib"]

WIB = ZoneInfo("Asia/Jakarta")


def wib(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """An instant of 2026 on the Jakarta wall clock."""
    return datetime(2026, month, day, hour, minute, tzinfo=WIB)


def summary(events: Sequence[SlaEvent]) -> list[tuple[str, str, datetime]]:
    """Each SLA event as (kind, metric, at); a warning's kind names its threshold."""
    out = []
    for e in events:
        label = f"warning {e.threshold}" if isinstance(e, SlaWarning) else type(e).__name__
        out.append((label, e.metric.value, e.at))
    return out
