"""Sample data for the demo, the docs and the examples: an Indonesian e-commerce desk in Jakarta.

Everything here is sample data for learning and testing csflow, with a documented source, not an
authority: a real desk loads the dates its government publishes each year, for example from
``holidays.Indonesia(years=..., categories=("public", "government"))`` (the ``holidays``
package), which :class:`~csflow.calendar.BusinessCalendar` accepts as it is.

``JAKARTA_HOLIDAYS_2026`` lists Indonesia's 2026 national holidays and *cuti bersama* (joint
leave days), as set by the joint ministerial decree (SKB 3 Menteri) on 2026 holidays and joint
leave, in the form the ``holidays`` package (version 0.109, ``Indonesia``, categories ``public``
and ``government``) publishes it; the names are the Indonesian ones: 17 national holidays
and 8 days of cuti bersama.  Three dates are Sundays (the second day of Idul Fitri, 22 March;
Easter, 5 April; Waisak, 31 May) and close nothing on the sample office calendar, which is
closed on Sundays anyway.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from csflow.calendar import BusinessCalendar
from csflow.model import Tier

__all__ = [
    "JAKARTA_HOLIDAYS_2026",
    "TIERS",
    "demo_desk_data",
    "demo_simulation_data",
    "jakarta_office_calendar",
]

JAKARTA_HOLIDAYS_2026: dict[date, str] = {
    date(2026, 1, 1): "Tahun Baru Masehi",
    date(2026, 1, 16): "Isra Mikraj",
    date(2026, 2, 16): "Cuti bersama Tahun Baru Imlek",
    date(2026, 2, 17): "Tahun Baru Imlek",
    date(2026, 3, 18): "Cuti bersama Hari Suci Nyepi",
    date(2026, 3, 19): "Hari Suci Nyepi",
    date(2026, 3, 20): "Cuti bersama Idul Fitri",
    date(2026, 3, 21): "Idul Fitri 1447 H",
    date(2026, 3, 22): "Idul Fitri 1447 H (hari kedua)",
    date(2026, 3, 23): "Cuti bersama Idul Fitri",
    date(2026, 3, 24): "Cuti bersama Idul Fitri",
    date(2026, 4, 3): "Wafat Yesus Kristus",
    date(2026, 4, 5): "Kebangkitan Yesus Kristus (Paskah)",
    date(2026, 5, 1): "Hari Buruh Internasional",
    date(2026, 5, 14): "Kenaikan Yesus Kristus",
    date(2026, 5, 15): "Cuti bersama Kenaikan Yesus Kristus",
    date(2026, 5, 27): "Idul Adha 1447 H",
    date(2026, 5, 28): "Cuti bersama Idul Adha",
    date(2026, 5, 31): "Hari Raya Waisak",
    date(2026, 6, 1): "Hari Lahir Pancasila",
    date(2026, 6, 16): "Tahun Baru Islam 1448 H",
    date(2026, 8, 17): "Hari Kemerdekaan Republik Indonesia",
    date(2026, 8, 25): "Maulid Nabi Muhammad",
    date(2026, 12, 24): "Cuti bersama Hari Raya Natal",
    date(2026, 12, 25): "Hari Raya Natal",
}

TIERS: dict[str, Tier] = {
    "platinum": Tier("platinum", 3),
    "gold": Tier("gold", 2),
    "silver": Tier("silver", 1),
    "regular": Tier("regular", 0),
}


def jakarta_office_calendar() -> BusinessCalendar:
    """Office hours of the sample desk: Mon-Fri 08:00-12:00 and 13:00-17:00, Sat 08:00-12:00.

    The 12.12 sale (a Saturday in 2026) is a special day with long hours.
    """
    weekday = [("08:00", "12:00"), ("13:00", "17:00")]
    return BusinessCalendar(
        "Asia/Jakarta",
        weekly={
            "mon": weekday,
            "tue": weekday,
            "wed": weekday,
            "thu": weekday,
            "fri": weekday,
            "sat": [("08:00", "12:00")],
        },
        holidays=JAKARTA_HOLIDAYS_2026,
        special_days={date(2026, 12, 12): [("08:00", "22:00")]},
    )


def demo_desk_data() -> dict[str, Any]:
    """The sample desk as plain data for :meth:`csflow.DeskConfig.from_dict`.

    Four tiers; chat, WhatsApp, social media and phone on a 24/7 calendar, e-mail on office
    hours; platinum and gold customers wait in a VIP queue; orders, refunds and technical
    problems triaged to skills; escalation from the front line to the technical and finance
    teams.
    """
    office = jakarta_office_calendar().to_dict()
    always = BusinessCalendar.always_open("Asia/Jakarta").to_dict()
    targets = {
        "platinum": ("PT1M", "PT4H"),
        "gold": ("PT2M", "PT8H"),
        "silver": ("PT5M", "PT24H"),
        "regular": ("PT10M", "PT48H"),
    }
    policies: list[dict[str, Any]] = [
        {
            "name": tier,
            "calendar": "always",
            "targets": {"first_response": first, "resolution": resolution},
            "warnings": [0.75],
        }
        for tier, (first, resolution) in targets.items()
    ]
    policies.append(
        {
            "name": "email",
            "calendar": "office",
            "targets": {"first_response": "PT4H", "resolution": "PT16H"},
        }
    )
    return {
        "tiers": [{"name": t.name, "rank": t.rank} for t in TIERS.values()],
        "calendars": {"office": office, "always": always},
        "sla_policies": policies,
        "default_sla_policy": "regular",
        "queues": [
            {"name": "vip", "key": "aging", "default_allowance": "PT1M"},
            {
                "name": "general",
                "key": "aging",
                "allowances": {"silver": "PT3M"},
                "default_allowance": "PT10M",
            },
            {"name": "technical", "key": "deadline", "fallback": "PT1H"},
            {"name": "finance", "key": "deadline", "fallback": "PT1H"},
        ],
        "routing_profiles": [
            {
                "name": "frontline",
                "queues": [{"queue": "vip", "priority": 1}, {"queue": "general", "priority": 2}],
            },
            {"name": "technical", "queues": ["technical"]},
            {"name": "finance", "queues": ["finance"]},
        ],
        "teams": {
            "front": {"queue": "general", "routing_profile": "frontline"},
            "technical": {"queue": "technical", "routing_profile": "technical"},
            "finance": {"queue": "finance", "routing_profile": "finance"},
        },
        "escalation": {
            "teams": ["front", "technical", "finance"],
            "entry": ["front"],
            "edges": {"front": ["technical", "finance"], "technical": ["finance"]},
        },
        "triage": {
            "mode": "first",
            "rules": [
                {
                    "name": "email-office-hours",
                    "when": {"field": "channel", "eq": "email"},
                    "then": {"sla_policy": "email"},
                },
                {
                    "name": "vip",
                    "when": {"field": "tier", "in": ["platinum", "gold"]},
                    "then": {"queue": "vip"},
                },
            ]
            + [
                {
                    "name": f"sla-{tier}",
                    "when": {"field": "tier", "eq": tier},
                    "then": {"sla_policy": tier},
                }
                for tier in targets
            ]
            # Everyone else waits in the general queue (without this rule, a ticket no rule
            # sends to a queue would wait in the first one: the VIP queue).
            + [{"name": "everyone-else", "then": {"queue": "general"}}],
        },
        "capacity": {"exclusive": ["phone"]},
        "transfers": {"max_transfers": 3, "on_limit": "flag"},
    }


def demo_simulation_data(peak: str = "lebaran") -> dict[str, Any]:
    """A day of traffic and staff at the sample desk, as data for ``SimConfig.from_dict``.

    Monday 16 March 2026, two working days before the office closes on Wednesday 18 March
    for Nyepi and then Lebaran (Idul Fitri): the pre-holiday rush of orders and refunds, with
    the *peak* multiplier on every rate.
    """
    day = ["whatsapp", "chat", "phone", "email", "social"]
    front_shifts = [
        {"start": "PT6H", "end": "PT14H", "breaks": [["PT10H", "PT30M"]]},
        {"start": "PT14H", "end": "PT22H", "breaks": [["PT18H", "PT30M"]]},
    ]
    return {
        "start": "2026-03-16T00:00:00+07:00",
        "duration": "P1D",
        "peak": peak,
        "arrivals": {
            "rates": [
                ["00:00", 20],
                ["06:00", 60],
                ["08:00", 150],
                ["12:00", 120],
                ["13:00", 160],
                ["17:00", 130],
                ["19:00", 180],
                ["22:00", 50],
            ],
            "channels": dict(zip(day, [40, 25, 15, 12, 8], strict=True)),
            "tiers": {"platinum": 5, "gold": 15, "silver": 30, "regular": 50},
            "categories": {"order": 55, "refund": 25, "technical": 20},
            "languages": {"id": 9, "en": 1},
        },
        "handle_time": {
            "default": {"lognormal": {"mean": "PT6M", "sigma": 0.6}},
            "phone": {"lognormal": {"mean": "PT5M", "sigma": 0.5}},
            "email": {"lognormal": {"mean": "PT8M", "sigma": 0.7}},
        },
        "patience": {
            "chat": {"lognormal": {"mean": "PT8M", "sigma": 0.8}},
            "whatsapp": {"lognormal": {"mean": "PT12M", "sigma": 0.8}},
            "phone": {"exponential": "PT3M"},
        },
        "agents": [
            {
                "name": f"front-{i}",
                "count": 30,
                "capacity": {"chat": 3, "whatsapp": 3, "social": 2, "email": 4, "phone": 1},
                "languages": ["id", "en"],
                "teams": ["front"],
                "shifts": [shift],
                "break_waves": 3,
                "break_gap": "PT30M",
            }
            for i, shift in enumerate(front_shifts)
        ]
        + [
            {
                "name": "night",
                "count": 6,
                "capacity": {"chat": 3, "whatsapp": 3, "social": 2, "email": 4, "phone": 1},
                "languages": ["id", "en"],
                "teams": ["front"],
                "shifts": [{"start": 0, "end": "PT6H"}, {"start": "PT22H", "end": "PT30H"}],
            },
            {
                "name": "technical",
                "count": 8,
                "capacity": {"chat": 2, "whatsapp": 2, "social": 2, "email": 3, "phone": 1},
                "languages": ["id", "en"],
                "teams": ["technical"],
                "shifts": [{"start": "PT8H", "end": "PT20H", "breaks": [["PT12H", "PT1H"]]}],
                "break_waves": 2,
                "break_gap": "PT1H",
            },
            {
                "name": "finance",
                "count": 6,
                "capacity": {"chat": 2, "whatsapp": 2, "social": 2, "email": 3, "phone": 1},
                "languages": ["id", "en"],
                "teams": ["finance"],
                "shifts": [{"start": "PT8H", "end": "PT20H", "breaks": [["PT12H", "PT1H"]]}],
                "break_waves": 2,
                "break_gap": "PT1H",
            },
        ],
        "escalations": [
            {"category": "technical", "team": "technical", "probability": 0.3},
            {"category": "refund", "team": "finance", "probability": 0.25},
        ],
        "service_target": 60,
        "interval": "PT30M",
    }
