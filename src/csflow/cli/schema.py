"""The JSON Schema of a config document (``csflow schema``), for editors to validate against.

Point an editor at it (``"$schema": "./csflow.schema.json"`` in JSON, a
``# yaml-language-server: $schema=./csflow.schema.json`` line in YAML).  It describes the
shape; the CLI still checks the values (``csflow lint``).  It may be looser than the CLI, never
stricter: every document ``csflow lint`` accepts is valid against it (every form the readers
take -- ``null`` where a value may be absent, mixes as ``[name, weight]`` pairs, a rate's
``at`` in seconds, whitespace around a peak ``"x2"``).
"""

from __future__ import annotations

from typing import Any

from csflow.desk.config import (
    AFFINITY_KEYS,
    CAPACITY_KEYS,
    DOCUMENT_KEYS,
    PROFILE_KEYS,
    QUEUE_KEYS,
    RELAXATION_KEYS,
    SLOT_KEYS,
    TEAM_KEYS,
    TIER_KEYS,
    TRANSFER_KEYS,
)
from csflow.desk.goodwill import GOODWILL_KEYS
from csflow.rules.syntax import RULE_KEYS
from csflow.sim import PEAK_DAYS
from csflow.sim.distributions import MAX_LOGNORMAL_SIGMA
from csflow.sla.policy import SLA_POLICY_KEYS

__all__ = ["schema"]

# The keys of the parts of a desk document read by other modules' readers (each of which
# refuses any other key): BusinessCalendar, SlaPolicy, EscalationGraph, ContactPolicy and
# GoodwillPolicy.
CALENDAR_KEYS = ("timezone", "weekly", "holidays", "special_days", "always_open")
ESCALATION_KEYS = ("teams", "entry", "edges")
CONTACT_KEYS = ("window", "max_contacts", "max_customers")

# Whitespace as Python's str.strip() removes it: JSON Schema's \s (ECMA-262) lacks the
# information separators U+001C-U+001F and NEXT LINE U+0085.
_WS = r"[\s\u001c-\u001f\u0085]"
_NULL = {"type": "null"}

# A duration as csflow.cli.durations.to_seconds reads it: a bare number of seconds, the
# human form (6m, 1h30m), or anything that starts with P once stripped (ISO 8601, any case).
_DURATION = {
    "description": "6m, 6min, 1h30m, 360s, PT6M or a number of seconds",
    "anyOf": [
        {"type": "number", "minimum": 0},
        {
            "type": "string",
            "pattern": rf"^{_WS}*([pP]|(\d+(\.\d+)?\s*[a-zA-Z]+\s*)+$|\d+(\.\d+)?\s*$)",
        },
    ],
}
_MIX = {
    "description": "name -> weight, or a list of [name, weight] pairs",
    "anyOf": [
        {"type": "object", "additionalProperties": {"type": "number", "minimum": 0}},
        {
            "type": "array",
            "items": {
                "type": "array",
                "prefixItems": [
                    {"type": "string", "minLength": 1},
                    {"type": "number", "minimum": 0},
                ],
                "minItems": 2,
                "maxItems": 2,
            },
        },
    ],
}

# A peak: a name, a positive factor, or "x<factor>" (what follows the x is read by float(),
# around whitespace and all); a bare number that reads as a name (11.11, 12.12: an unquoted
# `peak: 11.11`) is not a factor anyone means.
_PEAK_ALTERNATIVES: list[dict[str, Any]] = [
    {
        "type": "number",
        "exclusiveMinimum": 0,
        "not": {"enum": [float(n) for n in PEAK_DAYS if n.replace(".", "").isdigit()]},
    },
    {"enum": list(PEAK_DAYS)},
    {"type": "string", "pattern": f"^{_WS}*[xX\u00d7]"},
]
_PEAK = {
    "description": "a peak day's name (quoted: '11.11'), a factor > 0, or 'x<factor>'",
    "anyOf": _PEAK_ALTERNATIVES,
}
# staffing.peak also reads a factor written as a string, as --peak does ("2.5"): whatever
# float() reads, which starts with a digit, a point or a sign (or a digit of another script).
_STAFFING_PEAK = {
    "description": "a peak day's name (quoted: '11.11'), a factor > 0 (also as a string: "
    "'2.5'), or 'x<factor>'",
    "anyOf": [
        *_PEAK_ALTERNATIVES,
        {"type": "string", "pattern": rf"^{_WS}*\+?(\d|\.\d|[^\x00-\x7f])"},
    ],
}
_DIST = {
    "description": "a duration (exponential), or one of exponential / lognormal / empirical",
    "anyOf": [
        {"$ref": "#/$defs/duration"},
        {
            "type": "object",
            "additionalProperties": False,
            "minProperties": 1,
            "maxProperties": 1,
            "properties": {
                "exponential": {"$ref": "#/$defs/duration"},
                "lognormal": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["mean"],
                    "properties": {
                        "mean": {"$ref": "#/$defs/duration"},
                        "sigma": {"type": "number", "minimum": 0, "maximum": MAX_LOGNORMAL_SIGMA},
                    },
                },
                "empirical": {"type": "array", "items": {"$ref": "#/$defs/duration"}},
            },
        },
    ],
}


def _obj(props: dict[str, Any], desc: str, required: list[str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "object",
        "description": desc,
        "additionalProperties": False,
        "properties": props,
    }
    if required:
        out["required"] = required
    return out


def _keys(keys: dict[str, Any], desc: str) -> dict[str, Any]:
    """A mapping of a desk document that takes *keys* and no others (their values are only
    described: ``DeskConfig.from_dict`` checks them).  No ``type``: where the reader takes
    another form too (``null``, a name for a routing slot), the schema does not refuse it."""
    return {"description": desc, "additionalProperties": False, "properties": keys}


def _see(*names: str) -> dict[str, Any]:
    return {name: {"description": f"see DeskConfig.from_dict: {name}"} for name in names}


def _desk_sections() -> dict[str, Any]:
    """The desk's sections whose keys are fixed, each listing every key the reader takes at
    that place (an editor flags a misspelt ``nmae`` as the reader would)."""
    step = _keys(_see(*RELAXATION_KEYS), "a relaxation step")
    queue = _keys(_see(*QUEUE_KEYS), "a queue")
    queue["properties"]["relaxation"] = {"items": step, "description": "timed steps"}
    slot = _keys(_see(*SLOT_KEYS), "a queue a profile serves (or just its name)")
    profile = _keys(_see(*PROFILE_KEYS), "a routing profile")
    profile["properties"]["queues"] = {"items": slot, "description": "the queues it serves"}
    policy = _keys(_see(*SLA_POLICY_KEYS), "an SLA policy (csflow.sla.SlaPolicy.from_dict)")
    rule = _keys(_see(*RULE_KEYS), "a rule (csflow.rules)")
    return {
        "tiers": {"items": _keys(_see(*TIER_KEYS), "a tier"), "description": "the tiers"},
        "calendars": {
            "additionalProperties": _keys(
                _see(*CALENDAR_KEYS), "a calendar (csflow.BusinessCalendar.from_dict)"
            ),
            "description": "calendar name -> calendar",
        },
        "sla_policies": {
            "items": policy,
            "additionalProperties": policy,
            "description": "a list of policies, or policy name -> policy",
        },
        "queues": {"items": queue, "description": "the queues, the fallback queue first"},
        "routing_profiles": {"items": profile, "description": "the routing profiles"},
        "affinity": _keys(_see(*AFFINITY_KEYS), "the preferred_agent strategy's settings"),
        "triage": {
            "items": rule,
            "properties": {"mode": {"enum": ["first", "all"]}, "rules": {"items": rule}},
            "additionalProperties": False,
            "description": "a list of rules, or {mode, rules}",
        },
        "teams": {
            "additionalProperties": _keys(_see(*TEAM_KEYS), "a team"),
            "description": "team name -> team",
        },
        "escalation": _keys(_see(*ESCALATION_KEYS), "the escalation graph; null: any"),
        "escalation_rules": {"items": rule, "description": "rules asked on SLA events"},
        "transfers": _keys(_see(*TRANSFER_KEYS), "the transfer limit"),
        "capacity": _keys(_see(*CAPACITY_KEYS), "how channels share an agent's capacity"),
        "contacts": _keys(_see(*CONTACT_KEYS), "the memory of repeat customers; null: none"),
        "goodwill": _keys(_see(*GOODWILL_KEYS), "goodwill allowances; null: none"),
    }


def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a csflow config document."""
    d = {"$ref": "#/$defs/duration"}
    shift = _obj(
        {
            "start": d,
            "end": {"anyOf": [d, _NULL], "description": "null: the simulation's end"},
            "breaks": {
                "type": "array",
                "items": {"type": "array", "items": d, "minItems": 2, "maxItems": 2},
            },
        },
        "offsets from the simulation start",
    )
    group = _obj(
        {
            "name": {"type": "string"},
            "count": {"type": "integer", "minimum": 0},
            "capacity": {
                "type": "object",
                "additionalProperties": {"type": "integer", "minimum": 0},
            },
            "skills": {"type": "object", "additionalProperties": {"type": "integer"}},
            "languages": {"type": "array", "items": {"type": "string"}},
            "teams": {"type": "array", "items": {"type": "string"}},
            "shifts": {"type": "array", "items": shift},
            "break_waves": {"type": "integer", "minimum": 1},
            "break_gap": d,
        },
        "a group of agents alike",
        ["name"],
    )
    rate = {
        "description": '["HH:MM", per hour] or {"at": "HH:MM", "per_hour": n}',
        "anyOf": [
            {"type": "array", "minItems": 2, "maxItems": 2},
            _obj(
                {
                    "at": {
                        "description": '"HH:MM", or a duration from midnight (seconds, PT8H)',
                        "anyOf": [{"type": "string"}, {"type": "number", "minimum": 0}],
                    },
                    "per_hour": {"type": "number"},
                },
                "a rate period",
            ),
        ],
    }
    # (null, or an object: "required" and the properties apply to an object only.)
    callbacks = _obj(
        {
            "after": d,
            "accept": {"type": "number", "minimum": 0, "maximum": 1},
            "channels": {"type": "array", "items": {"type": "string"}},
        },
        "offer waiting customers a call-back: after how long on hold, the probability "
        "they accept, on which channels (default: phone); null: no offer",
        ["after", "accept"],
    )
    callbacks["type"] = ["object", "null"]
    simulation = _obj(
        {
            "start": {"type": "string", "description": "ISO 8601 instant with an offset"},
            "duration": d,
            "peak": _PEAK,
            "arrivals": _obj(
                {
                    "rates": {"type": "array", "items": rate, "minItems": 1},
                    "channels": _MIX,
                    "tiers": _MIX,
                    "categories": _MIX,
                    "languages": _MIX,
                },
                "the traffic: a daily rate profile and the mixes",
                ["rates"],
            ),
            "handle_time": {
                "type": "object",
                "additionalProperties": {"$ref": "#/$defs/distribution"},
            },
            "patience": {
                "type": "object",
                "additionalProperties": {"$ref": "#/$defs/distribution"},
            },
            "agents": {"type": "array", "items": group},
            "escalations": {
                "type": "array",
                "items": _obj(
                    {
                        "category": {"type": "string"},
                        "team": {"type": "string"},
                        "probability": {"type": "number", "minimum": 0, "maximum": 1},
                    },
                    "an escalation by category",
                ),
            },
            "max_customers": {"type": ["integer", "null"], "minimum": 1},
            "warmup": d,
            "service_target": d,
            "interval": d,
            "reply_on_assign": {"type": "boolean"},
            "short_abandon": d,
            "callbacks": callbacks,
        },
        "csflow.sim.SimConfig.from_dict",
        ["start", "duration", "arrivals"],
    )
    desk_keys = DOCUMENT_KEYS
    desk = _obj(
        {k: {"description": f"see DeskConfig.from_dict: {k}"} for k in desk_keys},
        "csflow.desk.DeskConfig.from_dict",
    )
    desk["properties"].update(_desk_sections())
    desk["properties"]["survey_delay"] = {"anyOf": [d, _NULL], "description": "null: never"}
    desk["properties"]["close_solved_after"] = {
        "anyOf": [d, _NULL],
        "description": "how long a solved ticket may be reopened before the desk closes it; "
        "null: only a close by hand closes",
    }
    offset = {
        "description": 'a time of day "HH:MM" (hours may pass 24) or a duration from midnight',
        "anyOf": [{"type": "string", "pattern": r"^\d+:\d\d$"}, d],
    }
    latest = {
        "description": f"{offset['description']}; null: the earliest",
        "anyOf": [*offset["anyOf"], _NULL],
    }
    after_start = {
        "description": 'after the shift\'s start: a duration, or "H:MM"',
        "anyOf": offset["anyOf"],
    }
    break_latest = {
        "description": f"{after_start['description']}; null: the earliest",
        "anyOf": [*offset["anyOf"], _NULL],
    }
    shift_template = _obj(
        {
            "name": {"type": "string", "minLength": 1},
            "length": d,
            "earliest": offset,
            "latest": latest,
            "cost": {
                "type": ["number", "null"],
                "minimum": 0,
                "description": "one agent on it (default, or null: its length in hours)",
            },
            "breaks": {
                "type": "array",
                "items": _obj(
                    {
                        "length": d,
                        "earliest": after_start,
                        "latest": break_latest,
                    },
                    "a break: its length and its window after the shift's start",
                    ["length"],
                ),
            },
        },
        "a shift template (csflow.staffing.shifts.templates_from_dict)",
        ["name", "length"],
    )
    floors = {
        "type": "object",
        "additionalProperties": {"type": "number", "minimum": 0, "maximum": 1},
    }
    verify = _obj(
        {
            "seeds": {
                "type": "array",
                "items": {"type": "integer", "minimum": 0},
                "minItems": 1,
                "uniqueItems": True,
            },
            "abandonment": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
            "tiers": floors,
            "channels": floors,
            "warmup": d,
            "span": d,
            "max_steps": {"type": "integer", "minimum": 1},
        },
        "csflow staff --verify: the targets and the effort (csflow.staffing.verify.verify_plan)",
    )
    staffing = _obj(
        {
            "aht": d,
            "target": d,
            "level": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
            "patience": {"anyOf": [d, _NULL], "description": "null: none (Erlang C)"},
            "shrinkage": {"type": "number", "minimum": 0, "exclusiveMaximum": 1},
            "max_occupancy": {
                "anyOf": [{"type": "number", "exclusiveMinimum": 0, "maximum": 1}, _NULL],
                "description": "the highest occupancy allowed (0.85 is usual); null: no cap",
            },
            "peak": _STAFFING_PEAK,
            "interval": d,
            "forecast": {"type": "string", "description": "a CSV file: start,arrivals[,duration]"},
            "day": {"type": "string", "format": "date"},
            "timezone": {"type": "string", "description": "IANA time zone, e.g. Asia/Jakarta"},
            "shifts": {"type": "array", "items": shift_template, "minItems": 1},
            "wraps": {
                "type": "boolean",
                "description": "csflow staff --roster: a 24/7 horizon, the last interval runs "
                "into the first",
            },
            "verify": verify,
        },
        "a staffing question (Erlang C, or Erlang A with patience)",
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://csflow.invalid/schema/config.json",
        "title": "csflow config",
        "type": "object",
        "additionalProperties": False,
        "patternProperties": {
            "^x-": {
                "description": "ignored: a place for what the document's YAML aliases reuse "
                "(x-base: &base)"
            }
        },
        "properties": {
            "$schema": {"type": "string"},
            "name": {"type": "string"},
            "seed": {"type": "integer", "minimum": 0},
            "replications": {"type": "integer", "minimum": 1},
            "desk": desk,
            "simulation": simulation,
            "sweep": _obj(
                {
                    "parameter": {
                        "type": "string",
                        "description": "e.g. simulation.agents[0].count",
                    },
                    "values": {"type": "array", "minItems": 1},
                },
                "run once per value",
                ["parameter", "values"],
            ),
            "staffing": staffing,
        },
        "$defs": {"duration": _DURATION, "distribution": _DIST},
    }
