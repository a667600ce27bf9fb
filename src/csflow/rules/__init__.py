"""Rules as data: a small condition language, validated once and compiled to plain functions.

A desk keeps its policies (priority, SLA policy, queue, eligibility, escalation) as plain data,
a list of rule mappings from the host's database or YAML::

    {"name": "platinum chat",
     "when": {"all": [{"field": "customer.tier", "eq": "platinum"},
                      {"field": "channel", "in": ["chat", "whatsapp"]},
                      {"not": {"field": "attributes.order_value", "lt": 100000}}]},
     "then": {"priority": "urgent", "sla_policy": "platinum", "queue": "vip", "tags": ["vip"]}}

:meth:`RuleSet.from_dicts` validates them, parses them and compiles them, once;
:meth:`RuleSet.evaluate` then decides for one context, never raises, and says why.

The parts, one concept per module:

* :mod:`csflow.rules.syntax`: the language (operators, combinators, field paths), its parsed
  form (:class:`Rule`, :class:`Comparison`, :class:`AllOf`, :class:`AnyOf`, :class:`Not`,
  :class:`Decision`) and its limits (``MAX_*``);
* :mod:`csflow.rules.loader`: plain data validated with the path to the first bad part;
* :mod:`csflow.rules.regex`: which ``matches`` patterns are safe from catastrophic
  backtracking;
* :mod:`csflow.rules.compiler`: the safe closure evaluator and the generated fast evaluator;
* :mod:`csflow.rules.rendering`: conditions as readable text (:func:`describe`);
* :mod:`csflow.rules.ruleset`: :class:`RuleSet`, its decisions and their cache;
* :mod:`csflow.rules.context`: the standard ticket context (:func:`ticket_context`,
  :data:`STANDARD_FIELDS`);
* :mod:`csflow.rules.schema`: a JSON Schema of the language (:data:`SCHEMA`).

Every name below is importable from ``csflow.rules`` itself.
"""

from __future__ import annotations

from csflow.rules.context import STANDARD_FIELDS, ticket_context
from csflow.rules.loader import field_is_known
from csflow.rules.regex import check_pattern
from csflow.rules.rendering import describe
from csflow.rules.ruleset import RuleSet
from csflow.rules.schema import SCHEMA
from csflow.rules.syntax import (
    COMBINATORS,
    MAX_CACHED_DECISIONS,
    MAX_CONDITIONS,
    MAX_DEPTH,
    MAX_ITEMS,
    MAX_NESTING,
    MAX_PATTERN_CHARS,
    MAX_RULES,
    MAX_STRING_CHARS,
    MAX_SUBJECT_CHARS,
    OPERATORS,
    AllOf,
    AnyOf,
    Comparison,
    Condition,
    Decision,
    Mode,
    Not,
    Rule,
)

__all__ = [
    "COMBINATORS",
    "MAX_CACHED_DECISIONS",
    "MAX_CONDITIONS",
    "MAX_DEPTH",
    "MAX_ITEMS",
    "MAX_NESTING",
    "MAX_PATTERN_CHARS",
    "MAX_RULES",
    "MAX_STRING_CHARS",
    "MAX_SUBJECT_CHARS",
    "OPERATORS",
    "SCHEMA",
    "STANDARD_FIELDS",
    "AllOf",
    "AnyOf",
    "Comparison",
    "Condition",
    "Decision",
    "Mode",
    "Not",
    "Rule",
    "RuleSet",
    "check_pattern",
    "describe",
    "field_is_known",
    "ticket_context",
]
