"""Transitional alias of :mod:`csflow.samples` (the sample data's public home)."""

from __future__ import annotations

from csflow.samples import (
    JAKARTA_HOLIDAYS_2026,
    TIERS,
    demo_desk_data,
    demo_simulation_data,
    jakarta_office_calendar,
)

__all__ = [
    "JAKARTA_HOLIDAYS_2026",
    "TIERS",
    "demo_desk_data",
    "demo_simulation_data",
    "jakarta_office_calendar",
]
