"""Plain-data documents (rule sets, SLA policies) that several test files load.

The worked examples load them and check what they mean; the schema and hostile-input tests
take the same documents as valid starting points.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DESK_RULES", "PLATINUM_CHAT", "REGULAR_EMAIL"]

# The example of the csflow.rules module docstring.
PLATINUM_CHAT: dict[str, Any] = {
    "name": "platinum chat",
    "when": {
        "all": [
            {"field": "customer.tier", "eq": "platinum"},
            {"field": "channel", "in": ["chat", "whatsapp"]},
            {"not": {"field": "attributes.order_value", "lt": 100000}},
        ]
    },
    "then": {"priority": "urgent", "sla_policy": "platinum", "queue": "vip", "tags": ["vip"]},
}

# An Indonesian e-commerce desk: refunds above Rp 5,000,000 need a senior, tiers set SLAs.
DESK_RULES: list[dict[str, Any]] = [
    PLATINUM_CHAT,
    {
        "name": "big refund",
        "when": {
            "all": [
                {"field": "category", "eq": "refund"},
                {"field": "attributes.order_value", "ge": 5_000_000},
            ]
        },
        "then": {"queue": "refund-senior", "required_skills": {"refund": 4}},
    },
    {
        "name": "gold waiting",
        "when": {
            "all": [
                {"field": "tier", "eq": "gold"},
                {"field": "channel", "in": ["chat", "whatsapp"]},
                {"field": "wait_s", "gt": 60},
            ]
        },
        "then": {"priority": "high", "sla_policy": "gold"},
    },
    {
        "name": "order number",
        "when": {"field": "attributes.subject", "matches": r"(?i)\bORD-\d+\b"},
        "then": {"tags": ["has-order"]},
    },
    {"name": "defaults", "then": {"priority": "normal", "sla_policy": "standard", "queue": "umum"}},
]

# An SLA policy in every form of duration (ISO 8601, seconds, a fraction of a second), on a
# calendar named in the desk's calendars, with pauses.
REGULAR_EMAIL: dict[str, Any] = {
    "name": "regular-email",
    "calendar": "jakarta-office",
    "targets": {
        "first_response": "PT8H",
        "next_response": 5400,
        "periodic_update": 90.5,
        "resolution": {"urgent": "PT4H", "normal": "P1DT2H30M", "low": "P1W"},
    },
    "pause_on": {"pending": ["resolution", "periodic_update"]},
}
