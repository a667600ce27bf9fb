"""Lint after the acceptance review: the first-queue fallback, rules' skills checked only where
they apply, the message after a catch-all, conditions on names no ticket has, and tickets or
SLA policies that never get a clock that falls due."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, DeskConfig, RuleSet, Ticket, lint
from csflow.desk.triage import triage
from csflow.lint import Finding, implies
from csflow.policies import PolicyResult

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ALWAYS = {"a": {"timezone": "UTC", "always_open": True}}


def _page_block(page: str, marker: str) -> str:
    """The text of ``docs/<page>`` from *marker* to the end of its triple-quoted string."""
    text = (DOCS / page).read_text(encoding="utf-8")
    return text.split(marker, 1)[1].split('"""', 1)[0]


def _by_path(findings: list[Finding]) -> dict[str, Finding]:
    return {f.path: f for f in findings}


# -- 1. the first queue is the fallback ------------------------------------------------------


def test_the_whole_desk_example_sends_ordinary_tickets_to_general() -> None:
    doc = yaml.safe_load(_page_block("how-to/yaml-policies.md", 'DESK_YAML = """'))
    config = DeskConfig.from_dict(doc)
    regular = Ticket("T1", Customer("c", config.tiers["regular"]), "chat", T0)
    queued = Desk(config).submit(regular, at=T0)[0]
    assert getattr(queued, "queue", None) == "general"
    assert lint(config) == []


_FALLBACK_DOC: dict[str, Any] = {
    "tiers": [{"name": "platinum", "rank": 4}, {"name": "regular", "rank": 1}],
    "queues": [{"name": "vip"}, {"name": "general"},
               {"name": "finance", "key": "deadline", "fallback": "PT1H"}],
    "routing_profiles": [
        {"name": "frontline", "queues": [{"queue": "vip", "priority": 1},
                                         {"queue": "general", "priority": 2}]},
        {"name": "finance", "queues": ["finance"]},
    ],
    "triage": {"mode": "first", "rules": [
        {"name": "platinum", "when": {"field": "tier", "eq": "platinum"},
         "then": {"queue": "vip", "priority": "high"}},
        {"name": "large refund",
         "when": {"all": [{"field": "category", "eq": "refund"},
                          {"field": "attributes.order_value", "ge": 5000000}]},
         "then": {"queue": "finance", "tags": ["large-refund"]}},
    ]},
    "teams": {"front": {"queue": "general", "routing_profile": "frontline"},
              "finance": {"queue": "finance", "routing_profile": "finance"}},
}  # fmt: skip


def test_lint_names_the_tickets_that_fall_back_to_a_special_first_queue() -> None:
    config = DeskConfig.from_dict(_FALLBACK_DOC)
    assert [(f.path, f.severity, f.message) for f in lint(config)] == [
        (
            "triage",
            "warning",
            "tickets no triage rule sends to a queue (such as tickets of tier 'regular') go to "
            "the first queue 'vip', a queue that rule 'platinum' (rules[0]) chooses for "
            "particular tickets, routing profile 'frontline' serves before 'general' and no "
            "team waits in; end the rules with a catch-all (a rule without 'when') that sets "
            "'queue', or list first the queue such tickets belong in",
        )
    ]
    # The desk does what the finding says.
    ticket = Ticket("T1", Customer("c", config.tiers["regular"]), "chat", T0)
    assert triage(config, ticket, T0).queue == "vip"


def test_the_fallback_to_an_ordinary_first_queue_is_info() -> None:
    config = DeskConfig.from_dict(
        {
            "queues": [{"name": "general"}, {"name": "vip"}],
            "triage": [
                {"name": "gold", "when": {"field": "tier", "eq": "gold"}, "then": {"queue": "vip"}}
            ],
        }
    )
    (finding,) = lint(config)
    assert (finding.path, finding.severity) == ("triage", "info")
    assert finding.message.startswith(
        "tickets no triage rule sends to a queue go to the first queue 'general' "
        "(no rule always sets 'queue')"
    )


def _gold(queue: str) -> dict[str, Any]:
    return {"name": "gold", "when": {"field": "tier", "eq": "gold"}, "then": {"queue": queue}}


def _queue_by(cond: dict[str, Any], queue: str, name: str) -> dict[str, Any]:
    return {"name": name, "when": cond, "then": {"queue": queue}}


@pytest.mark.parametrize(
    "doc",
    [
        pytest.param({"queues": [{"name": "vip"}], "triage": [_gold("vip")]}, id="one-queue"),
        pytest.param(
            {"queues": [{"name": "vip"}, {"name": "general"}], "triage": []}, id="no-rule"
        ),
        pytest.param(
            {
                "queues": [{"name": "vip"}, {"name": "general"}],
                "triage": [_gold("vip"), {"name": "rest", "then": {"queue": "general"}}],
            },
            id="catch-all",
        ),
        pytest.param(
            {
                "tiers": [{"name": "gold", "rank": 2}, {"name": "regular", "rank": 1}],
                "queues": [{"name": "vip"}, {"name": "general"}],
                "triage": [
                    _gold("vip"),
                    _queue_by({"field": "tier", "eq": "regular"}, "general", "regular"),
                ],
            },
            id="every-declared-tier",
        ),
        pytest.param(
            {
                "queues": [{"name": "vip"}, {"name": "general"}],
                "triage": {
                    "mode": "all",
                    "rules": [
                        _queue_by({"field": "priority", "in": ["high", "urgent"]}, "vip", "hot"),
                        _queue_by({"field": "priority_level", "le": 1}, "general", "cool"),
                    ],
                },
            },
            id="every-priority",
        ),
        pytest.param(
            {
                "queues": [{"name": "vip"}, {"name": "general"}],
                "triage": [
                    _queue_by({"field": "category", "eq": "refund"}, "vip", "refund"),
                    _queue_by({"not": {"field": "category", "eq": "refund"}}, "general", "others"),
                ],
            },
            id="a-condition-and-its-not",
        ),
    ],
)
def test_the_fallback_is_quiet_when_no_ticket_falls_back(doc: dict[str, Any]) -> None:
    assert [f for f in lint(DeskConfig.from_dict(doc)) if f.path == "triage"] == []


def test_a_queue_policy_places_every_ticket_so_nothing_falls_back() -> None:
    config = DeskConfig.from_dict({**_FALLBACK_DOC, "teams": {}})
    assert [f.path for f in lint(config)] == ["triage"]
    placed = attrs.evolve(config, queue_policy=lambda ctx: PolicyResult("general", "all"))
    assert lint(placed) == []


_TIERS = ("gold", "regular")
_CHANNELS = ("chat", "email")
_CATEGORIES = ("refund", "billing")


def _literal() -> st.SearchStrategy[dict[str, Any]]:
    """A comparison on a known field (tier, channel) or a free one (category, eq only)."""
    known = st.one_of(
        st.builds(lambda v: {"field": "tier", "eq": v}, st.sampled_from(_TIERS)),
        st.builds(lambda v: {"field": "customer.tier", "ne": v}, st.sampled_from(_TIERS)),
        st.builds(lambda v: {"field": "channel", "eq": v}, st.sampled_from(_CHANNELS)),
        st.builds(
            lambda v: {"field": "channel", "in": sorted(v)},
            st.sets(st.sampled_from(_CHANNELS), min_size=1),
        ),
    )
    free = st.builds(lambda v: {"field": "category", "eq": v}, st.sampled_from(_CATEGORIES))
    return st.one_of(known, known.map(lambda c: {"not": c}), free)


def _condition() -> st.SearchStrategy[dict[str, Any] | None]:
    def combine(parts: list[dict[str, Any]], how: str) -> dict[str, Any]:
        if len(parts) == 1:
            return parts[0]
        # At most one comparison on the free field, so that what lint takes as free is.
        free = [p for p in parts if p.get("field") == "category"]
        parts = [p for p in parts if p.get("field") != "category"] + free[:1]
        return parts[0] if len(parts) == 1 else {how: parts}

    return st.one_of(
        st.none(),
        st.builds(
            combine, st.lists(_literal(), min_size=1, max_size=3), st.sampled_from(["all", "any"])
        ),
    )


_QUEUES = ("vip", "general", "finance")


@st.composite
def _triage_docs(draw: st.DrawFn) -> dict[str, Any]:
    rules = []
    for i in range(draw(st.integers(0, 5))):
        then: dict[str, Any] = {}
        if draw(st.booleans()):
            then["queue"] = draw(st.sampled_from(_QUEUES))
        if draw(st.booleans()):
            then["skills"] = {draw(st.sampled_from(["senior", "billing"])): draw(st.integers(1, 3))}
        if draw(st.booleans()):
            then["sla_policy"] = "s"
        rule: dict[str, Any] = {"name": f"r{i}", "then": then}
        when = draw(_condition())
        if when is not None:
            rule["when"] = when
        rules.append(rule)
    return {
        "tiers": [{"name": "gold", "rank": 2}, {"name": "regular", "rank": 1}],
        "channels": list(_CHANNELS),
        "calendars": ALWAYS,
        "sla_policies": [{"name": "s", "calendar": "a", "targets": {"first_response": "PT1M"}}],
        "queues": [{"name": q} for q in _QUEUES],
        "triage": {"mode": draw(st.sampled_from(["first", "all"])), "rules": rules},
    }


def _every_ticket(config: DeskConfig) -> list[Ticket]:
    """A ticket of every tier, channel and category (one no rule names)."""
    return [
        Ticket("t", Customer("c", config.tiers[tier]), channel, T0, category=category)
        for tier, channel, category in itertools.product(_TIERS, _CHANNELS, (*_CATEGORIES, "other"))
    ]


@settings(max_examples=150)
@given(_triage_docs())
def test_the_fallback_and_no_sla_findings_are_exactly_the_tickets_that_fall_through(
    doc: dict[str, Any],
) -> None:
    config = DeskConfig.from_dict(doc)
    found = _by_path(lint(config))
    decided = [config.triage.evaluate(_context(t)).actions for t in _every_ticket(config)]
    placing = any("queue" in r.then for r in config.triage)
    falls_back = placing and any("queue" not in acts for acts in decided)
    assert ("triage" in found) == falls_back, found
    for tier in _TIERS:
        tickets = [t for t in _every_ticket(config) if t.customer.tier.name == tier]
        no_sla = any(
            "sla_policy" not in config.triage.evaluate(_context(t)).actions for t in tickets
        )
        assert (f"tiers.{tier}" in found) == no_sla, (tier, found)


def _context(ticket: Ticket) -> dict[str, Any]:
    from csflow.rules import ticket_context

    return ticket_context(ticket, T0)


# -- 2. a rule's skills are checked where the rule applies, in the queue it sends to ---------


_WHATSAPP_DOC: dict[str, Any] = {
    "channels": ["chat", "whatsapp"],
    "languages": ["id"],
    "queues": [{"name": "vip"}, {"name": "general"}],
    "routing_profiles": [{"name": "front", "queues": ["vip", "general"]}],
    "triage": [
        {"name": "platinum whatsapp",
         "when": {"all": [{"field": "tier", "eq": "platinum"},
                          {"field": "channel", "eq": "whatsapp"}]},
         "then": {"queue": "vip", "skills": {"senior": 1}}},
        {"name": "everyone else", "then": {"queue": "general"}},
    ],
}  # fmt: skip


def test_a_rules_skills_are_not_checked_on_channels_its_condition_excludes() -> None:
    staff = [
        AgentProfile("sari", languages={"id"}, capacity={"chat": 3, "whatsapp": 2}),
        AgentProfile("dewi", skills={"senior": 3}, languages={"id"}, capacity={"whatsapp": 2}),
    ]
    assert lint(DeskConfig.from_dict(_WHATSAPP_DOC), agents=staff) == []


def test_a_rules_skills_are_checked_in_the_queue_it_sends_to_and_no_other() -> None:
    # Nobody senior on WhatsApp: the rule's tickets wait in vip for ever, and only there.
    staff = [AgentProfile("sari", languages={"id"}, capacity={"chat": 3, "whatsapp": 2})]
    shapes = [
        ("triage.rules[0].then.skills",
         "no agent could ever take a ticket on channel 'whatsapp' needing senior>=1 in queue "
         "'vip'"),
        ("triage.rules[0].then.skills",
         "no agent could ever take a ticket on channel 'whatsapp' in language 'id' needing "
         "senior>=1 in queue 'vip'"),
    ]  # fmt: skip
    found = [(f.path, f.message) for f in lint(DeskConfig.from_dict(_WHATSAPP_DOC), agents=staff)]
    assert found == [("triage.rules[0].then.skills.senior", "no agent has skill 'senior'"), *shapes]
    # Someone senior, but on chat only: the same shapes.
    staff.append(AgentProfile("dewi", skills={"senior": 3}, languages={"id"}, capacity={"chat": 2}))
    found = [(f.path, f.message) for f in lint(DeskConfig.from_dict(_WHATSAPP_DOC), agents=staff)]
    assert found == shapes


def test_the_testing_policies_example_has_no_false_alarm() -> None:
    page = (DOCS / "how-to" / "testing-policies.md").read_text(encoding="utf-8")
    first_block = page.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {}
    exec(compile(first_block, "testing-policies.md", "exec"), namespace)
    staff = [
        AgentProfile("budi", languages={"id"}, teams={"finance"}, capacity={"chat": 2}),
        AgentProfile(
            "sari", languages={"id"}, teams={"front"}, capacity={"whatsapp": 2, "chat": 2}
        ),
        AgentProfile(
            "dewi", skills={"senior": 3}, languages={"id"}, teams={"front"},
            capacity={"whatsapp": 1},
        ),
    ]  # fmt: skip
    # The one finding left is true: a WhatsApp refund escalated to finance waits for ever.
    assert [str(f) for f in lint(namespace["POLICY"], agents=staff)] == [
        "queues[2]: warning: no agent could ever take a ticket on channel 'whatsapp' in queue "
        "'finance'"
    ]


def test_a_rule_whose_skills_an_earlier_rule_always_overrides_is_not_checked() -> None:
    doc = {
        "channels": ["chat"],
        "queues": [{"name": "general"}],
        "triage": [
            {"name": "all", "then": {"skills": ["billing"]}},
            {"name": "gold", "when": {"field": "tier", "eq": "gold"}, "then": {"skills": ["tax"]}},
        ],
    }
    staff = [
        AgentProfile("ana", skills={"billing": 1}, capacity={"chat": 1}),
        AgentProfile("bob", skills={"tax": 1}, capacity={"email": 1}),
    ]
    found = [f.path for f in lint(DeskConfig.from_dict(doc), agents=staff)]
    assert "triage.rules[1].then.skills" not in found


@settings(max_examples=150)
@given(_triage_docs(), st.sets(st.sampled_from(_QUEUES), max_size=2))
def test_a_reported_rule_shape_is_one_triage_produces(
    doc: dict[str, Any], staffed: set[str]
) -> None:
    # Agents with no skills on some queues: every shape of a rule's skills that triage can
    # produce in a staffed queue is unserved; lint must report no other.
    config = DeskConfig.from_dict(
        {
            **doc,
            "routing_profiles": [
                {"name": "p", "queues": sorted(staffed) or ["vip"]},
                {"name": "rest", "queues": list(_QUEUES)},
            ],
        }
    )
    staff = [AgentProfile("ana", capacity=dict.fromkeys(_CHANNELS, 1))]
    shape = re.compile(r"on channel '(\w+)' needing (.*) in queue '(\w+)'")
    produced = set()
    for ticket in _every_ticket(config):
        t = triage(config, ticket, T0)
        needs = {r.skill: r.min_proficiency for r in t.ticket.required_skills}
        produced.add((ticket.channel.name, t.queue, frozenset(needs.items())))
    for f in lint(config, agents=staff):
        m = shape.search(f.message)
        if m is None or not f.path.startswith("triage.rules"):
            continue
        channel, needing, queue = m.groups()
        wanted = {k: int(v) for k, v in (p.split(">=") for p in needing.split(", "))}
        assert any(
            c == channel and q == queue and all(dict(n).get(k, 0) >= v for k, v in wanted.items())
            for c, q, n in produced
        ), (f, produced)


# -- 3. after a catch-all ---------------------------------------------------------------------


def test_after_a_catch_all_a_rule_whose_every_key_is_decided_can_decide_nothing() -> None:
    rules = [
        {"name": "A", "when": {"field": "tier", "eq": "gold"}, "then": {"queue": "vip"}},
        {"name": "catch", "then": {"priority": "normal"}},
        {
            "name": "C",
            "when": {"field": "tier", "eq": "gold"},
            "then": {"queue": "general", "priority": "high"},
        },
    ]
    assert [str(f) for f in lint(rules)] == [
        "rules[2]: warning: rule 'C' comes after the catch-all 'catch' (rules[1]), which always "
        "matches first, and whenever it matches, the earlier rule 'A' (rules[0]) matches too; "
        "so it can never decide anything in 'first' mode"
    ]
    # A key no earlier rule decides is still left to it.
    rules[2]["then"] = {"queue": "general", "tags": ["gold"]}
    assert [str(f) for f in lint(rules)] == [
        "rules[2]: warning: rule 'C' comes after the catch-all 'catch' (rules[1]), which always "
        "matches first, and whenever it matches, the earlier rule 'A' (rules[0]) matches too; "
        "only its 'tags' action(s) can take effect"
    ]


def test_a_condition_implies_the_negation_of_one_it_never_holds_with() -> None:
    def c(d: dict[str, Any]) -> Any:
        return RuleSet.from_dicts([{"name": "x", "when": d}]).rules[0].when

    gold = c({"field": "tier", "eq": "gold"})
    assert implies(gold, c({"not": {"field": "tier", "in": ["silver", "bronze"]}}))
    assert implies(gold, c({"not": {"not": {"field": "tier", "ne": "silver"}}}))
    assert implies(gold, c({"not": {"field": "tier", "exists": False}}))
    assert not implies(gold, c({"not": {"field": "tier", "in": ["gold", "silver"]}}))
    assert not implies(gold, c({"not": {"field": "channel", "eq": "chat"}}))
    # So lint sees that a rule for gold after one for "not silver" can decide nothing.
    rules = [
        {"name": "not silver", "when": {"not": {"field": "tier", "eq": "silver"}},
         "then": {"queue": "general"}},
        {"name": "gold", "when": {"field": "tier", "eq": "gold"}, "then": {"queue": "vip"}},
    ]  # fmt: skip
    assert [f.path for f in lint(rules)] == ["rules[1]"]


# -- 4. conditions on names no ticket has ---------------------------------------------------


def test_conditions_on_undeclared_tiers_channels_and_priorities_are_errors() -> None:
    config = DeskConfig.from_dict(
        {
            "tiers": [{"name": "gold", "rank": 3}, {"name": "regular", "rank": 1}],
            "channels": ["chat", "whatsapp"],
            "queues": [{"name": "vip"}, {"name": "general"}],
            "triage": [
                {"name": "gold", "when": {"field": "tier", "eq": "glod"}, "then": {"queue": "vip"}},
                {"name": "wa", "when": {"field": "channel", "eq": "whatsap"},
                 "then": {"queue": "vip"}},
                {"name": "hot", "when": {"field": "priority", "eq": "hgih"},
                 "then": {"queue": "vip"}},
                {"name": "rest", "then": {"queue": "general"}},
            ],
        }
    )  # fmt: skip
    assert [(f.path, f.severity, f.message) for f in lint(config)] == [
        ("triage.rules[0].when.eq", "error",
         "no ticket has tier 'glod', so 'tier' never equals it; did you mean 'gold'? "
         "(declared: 'gold', 'regular')"),
        ("triage.rules[1].when.eq", "error",
         "no ticket has channel 'whatsap', so 'channel' never equals it; did you mean "
         "'whatsapp'? (declared: 'chat', 'whatsapp')"),
        ("triage.rules[2].when.eq", "error",
         "no ticket has priority 'hgih', so 'priority' never equals it; did you mean 'high'? "
         "(priorities: 'low', 'normal', 'high', 'urgent')"),
    ]  # fmt: skip


def test_undeclared_names_in_lists_nested_conditions_and_customer_fields() -> None:
    config = DeskConfig.from_dict(
        {
            "tiers": [{"name": "gold", "rank": 3}],
            "languages": ["id", "en"],
            "queues": [{"name": "general"}],
            "triage": [
                {
                    "name": "x",
                    "when": {
                        "any": [
                            {"field": "customer.tier", "not_in": ["gold", "glod"]},
                            {"not": {"field": "language", "in": ["id", "jv"]}},
                            {"field": "customer.language", "ne": "EN"},
                            {"field": "priority", "eq": 2},
                        ]
                    },
                    "then": {"priority": "high"},
                }
            ],
        }
    )
    assert [(f.path, f.severity) for f in lint(config)] == [
        ("triage.rules[0].when.any[0].not_in[1]", "error"),
        ("triage.rules[0].when.any[1].not.in[1]", "error"),
        ("triage.rules[0].when.any[2].ne", "error"),
        ("triage.rules[0].when.any[3].eq", "error"),
    ]
    messages = [f.message for f in lint(config)]
    assert "did you mean 'gold'?" in messages[0]
    assert "did you mean" not in messages[1]  # 'jv' is close to nothing
    assert "did you mean 'en'?" in messages[2]
    assert messages[3].startswith("no ticket has priority 2, so 'priority' never equals it (")


def test_open_names_and_declared_values_give_no_error() -> None:
    config = DeskConfig.from_dict(
        {
            "channels": "open",
            "queues": [{"name": "general"}],
            "triage": [
                {
                    "name": "x",
                    "when": {
                        "all": [
                            {"field": "tier", "eq": "anything"},
                            {"field": "channel", "eq": "fax"},
                            {"field": "language", "eq": "xx"},
                            {"field": "priority", "in": ["low", "urgent"]},
                        ]
                    },
                    "then": {"queue": "general"},
                }
            ],
        }
    )
    assert lint(config) == []


# -- 5. tickets without an SLA, SLA policies that never fall due ----------------------------

_NEVER = {"timezone": "Asia/Jakarta", "weekly": {}}


def test_a_tier_no_rule_gives_an_sla_is_a_warning() -> None:
    doc = {
        "tiers": [{"name": "gold", "rank": 3}, {"name": "regular", "rank": 1}],
        "calendars": ALWAYS,
        "sla_policies": [{"name": "gold", "calendar": "a", "targets": {"first_response": "PT1M"}}],
        "triage": [
            {"name": "g", "when": {"field": "tier", "eq": "gold"}, "then": {"sla_policy": "gold"}}
        ],
    }
    assert [str(f) for f in lint(DeskConfig.from_dict(doc))] == [
        "tiers.regular: warning: tickets of tier 'regular' get no SLA: no triage rule chooses "
        "an SLA policy for them and there is no default_sla_policy"
    ]
    undeclared = {**doc, "tiers": []}
    assert [str(f) for f in lint(DeskConfig.from_dict(undeclared))] == [
        "default_sla_policy: info: some tickets get no SLA: no triage rule chooses an SLA "
        "policy for them and there is no default_sla_policy"
    ]
    for quiet in (
        {**doc, "default_sla_policy": "gold"},
        {**doc, "triage": [{"name": "all", "then": {"sla_policy": "gold"}}]},
        {**doc, "triage": [*doc["triage"], {"name": "rest", "then": {"sla_policy": None}}]},
        {key: value for key, value in doc.items() if key != "sla_policies" and key != "triage"},
    ):
        assert lint(DeskConfig.from_dict(quiet)) == [], quiet


def test_sla_policies_without_targets_or_on_a_calendar_that_never_opens() -> None:
    cals = {**ALWAYS, "never": _NEVER}
    empty = {
        "calendars": cals,
        "sla_policies": [{"name": "s", "calendar": "a", "targets": {}}],
        "default_sla_policy": "s",
    }
    assert [str(f) for f in lint(DeskConfig.from_dict(empty))] == [
        "sla_policies.s.targets: warning: SLA policy 's' has no targets: no clock runs for its "
        "tickets"
    ]
    never = {
        "calendars": cals,
        "sla_policies": [{"name": "s", "calendar": "never", "targets": {"first_response": "PT1M"}}],
        "default_sla_policy": "s",
    }
    assert [str(f) for f in lint(DeskConfig.from_dict(never))] == [
        "sla_policies.s.calendar: warning: SLA policy 's' counts on a calendar that never opens "
        "(no weekly hours, no special day with hours): its clocks never run and never fall due"
    ]
    # A special day with hours opens it; a closed special day does not.
    for spans, opens in (([["09:00", "17:00"]], True), ([], False)):
        cal = {**_NEVER, "special_days": {"2026-03-21": spans}}
        doc = {**never, "calendars": {"never": cal}}
        assert (lint(DeskConfig.from_dict(doc)) == []) is opens


# -- soundness on what ships, and bounds ---------------------------------------------------


@pytest.mark.parametrize("config", sorted((ROOT / "examples" / "configs").glob("*.yaml")))
def test_the_shipped_configurations_lint_clean(config: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "csflow", "lint", str(config)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "src")},
        timeout=120,
    )
    assert (done.returncode, done.stdout.strip()) == (0, f"{config}: no findings"), done.stderr


def test_a_huge_triage_is_followed_within_a_budget() -> None:
    rules = [
        {
            "name": f"r{i}",
            "when": {
                "all": [
                    {"field": "channel", "in": ["chat", "email"]},
                    {"field": "category", "eq": f"c{i}"},
                    {"field": "tier", "ne": f"t{i % 7}"},
                ]
            },
            "then": {"queue": f"q{i % 5}", "skills": {f"s{i % 9}": 2}},
        }
        for i in range(999)
    ]
    config = DeskConfig.from_dict(
        {
            "tiers": [{"name": f"t{i}", "rank": i} for i in range(7)],
            "languages": ["id", "en", "fr"],
            "channels": ["chat", "email", "whatsapp"],
            "queues": [{"name": f"q{i}"} for i in range(5)],
            "triage": {"mode": "all", "rules": rules},
        }
    )
    agents = [
        AgentProfile(f"a{i}", languages={"id"}, skills={f"s{i}": 1}, capacity={"chat": 1})
        for i in range(9)
    ]
    found = lint(config, agents=agents)
    assert (
        Finding(
            "triage",
            "info",
            "the configuration is too large to follow every ticket through the triage rules: "
            "some checks were skipped",
        )
        in found
    )


def test_conditions_on_undeclared_names_are_listed_up_to_a_hundred() -> None:
    typos = [f"x{i}" for i in range(1000)]
    config = DeskConfig.from_dict(
        {
            "tiers": [{"name": "gold", "rank": 3}],
            "queues": [{"name": "general"}],
            "triage": [
                {"name": "x", "when": {"field": "tier", "in": typos}, "then": {"priority": "high"}}
            ],
        }
    )
    found = lint(config)
    assert [f.path for f in found[:2]] == [
        "triage.rules[0].when.in[0]",
        "triage.rules[0].when.in[1]",
    ]
    assert len(found) == 101
    assert str(found[-1]) == (
        "triage: error: 900 more comparisons with names no ticket has (the first 100 are listed)"
    )


def test_teams_in_their_own_queues_without_routing_profiles_are_flagged() -> None:
    # An escalation to finance would reach a front-line agent: every agent serves every queue.
    doc: dict[str, Any] = {
        "queues": [{"name": "general"}, {"name": "finance"}],
        "teams": {"front": {"queue": "general"}, "finance": {"queue": "finance"}},
        "escalation": {"teams": ["front", "finance"], "entry": ["front"],
                       "edges": {"front": ["finance"]}},
    }  # fmt: skip
    [finding] = [f for f in DeskConfig.from_dict(doc).lint() if f.path == "routing_profiles"]
    assert finding.severity == "warning"
    assert "every agent serves every queue" in finding.message
    # With profiles (each team's serving its queue), or with one team queue, nothing to say.
    doc["routing_profiles"] = [
        {"name": "front", "queues": [{"queue": "general"}]},
        {"name": "finance", "queues": [{"queue": "finance"}]},
    ]
    doc["teams"] = {
        "front": {"queue": "general", "routing_profile": "front"},
        "finance": {"queue": "finance", "routing_profile": "finance"},
    }
    assert not [f for f in DeskConfig.from_dict(doc).lint() if f.path == "routing_profiles"]
    one = {"queues": [{"name": "general"}], "teams": {"a": {"queue": "general"}}}
    assert not [f for f in DeskConfig.from_dict(one).lint() if f.path == "routing_profiles"]
    # One team with a queue of its own beside the front line's: its escalations reach anyone.
    finance_only = {
        "queues": [{"name": "general"}, {"name": "finance"}],
        "teams": {"finance": {"queue": "finance"}},
    }
    [only] = [f for f in DeskConfig.from_dict(finance_only).lint() if f.path == "routing_profiles"]
    assert "(finance)" in only.message
