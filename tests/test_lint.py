"""csflow.lint: findings for a desk's rules, and the soundness of implication."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.errors import ConfigError
from csflow.lint import Finding, implies, lint
from csflow.model import AgentProfile, SkillRequirement
from csflow.rules import RuleSet
from strategies import rule_conditions, rule_contexts

AGENTS = (
    AgentProfile("ayu", {"refund": 5, "billing": 3}, ["id"], {"chat": 3}),
    AgentProfile("budi", {"refund": 2}, ["id"], {"chat": 2}),
)


def rule(name: str, when: Any = None, **then: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "then": then}
    if when is not None:
        out["when"] = when
    return out


def test_rule_after_a_catch_all() -> None:
    rules = [
        rule("defaults", queue="umum"),
        rule("vip", {"field": "tier", "eq": "gold"}, queue="vip"),
        rule("tagged", {"field": "tier", "eq": "gold"}, queue="vip", tags=["x"]),
    ]
    findings = lint(rules)
    assert findings == [
        Finding(
            "rules[1]",
            "warning",
            "rule 'vip' comes after the catch-all 'defaults' (rules[0]), which always matches "
            "first; so it can never decide anything in 'first' mode",
        ),
        Finding(
            "rules[2]",
            "warning",
            "rule 'tagged' comes after the catch-all 'defaults' (rules[0]), which always "
            "matches first; only its 'tags' action(s) can take effect",
        ),
    ]
    # In "all" mode defaults first and overrides after is the normal shape.
    assert lint(rules, mode="all") == []


def test_rule_implied_by_an_earlier_one() -> None:
    rules = [
        rule("live", {"field": "channel", "in": ["chat", "whatsapp", "phone"]}, queue="live"),
        rule("chat", {"field": "channel", "eq": "chat"}, queue="chat"),
        rule(
            "gold chat long",
            {"all": [{"field": "channel", "in": ["chat"]}, {"field": "wait_s", "gt": 120}]},
            priority="high",
        ),
        rule("email", {"field": "channel", "eq": "email"}, queue="email"),
    ]
    findings = lint(RuleSet.from_dicts(rules))
    # 'gold chat long' is implied too, but its one action is its own to decide: layering a
    # priority rule under a queue rule is no mistake, so it is not reported.
    assert [f.path for f in findings] == ["rules[1]"]
    assert findings[0].message == (
        "whenever rule 'chat' matches, the earlier rule 'live' (rules[0]) matches too; "
        "so it can never decide anything in 'first' mode"
    )
    assert str(findings[0]).startswith("rules[1]: warning: whenever rule 'chat'")


def test_layered_rules_whose_every_action_takes_effect_are_not_reported() -> None:
    rules = [
        rule("vip", {"field": "tier", "in": ["platinum", "gold"]}, queue="vip"),
        rule("sla-platinum", {"field": "tier", "eq": "platinum"}, sla_policy="platinum"),
        rule("sla-gold", {"field": "tier", "eq": "gold"}, sla_policy="gold"),
        rule("everyone", queue="general", sla_policy="standard"),
        rule("chat first", {"field": "channel", "eq": "chat"}, priority="high"),
    ]
    assert lint(RuleSet.from_dicts(rules)) == []
    # One action shadowed and one its own: the finding names the one that can take effect.
    rules.append(rule("chat vip", {"field": "channel", "eq": "chat"}, queue="vip", tags=["c"]))
    (finding,) = lint(RuleSet.from_dicts(rules))
    assert finding.path == "rules[5]"
    assert finding.message.endswith("only its 'tags' action(s) can take effect")


def test_conjunction_superset_and_tighter_bounds_are_implied() -> None:
    rules = [
        rule("gold waited", {"all": [{"field": "tier", "eq": "gold"}, {"field": "wait_s", "gt": 60}]}, queue="a"),
        rule("gold chat waited long", {"all": [{"field": "channel", "eq": "chat"}, {"field": "wait_s", "ge": 300}, {"field": "tier", "in": ["gold"]}]}, queue="b", tags=["t"]),
    ]  # fmt: skip
    (finding,) = lint(rules)
    assert finding.path == "rules[1]"
    assert finding.message.endswith("only its 'tags' action(s) can take effect")


def test_unknown_names_and_skills_nobody_has() -> None:
    rules = [
        rule("a", {"field": "tier", "eq": "gold"}, sla_policy="gold", queue="vip"),
        rule("b", {"field": "tier", "eq": "silver"}, sla_policy="silverr", queue="vipp"),
        rule("c", {"field": "category", "eq": "refund"}, required_skills={"refund": 5, "legal": 1}),
        rule("d", {"field": "agent.skills.billing", "ge": 2}, skills=["billing", "fraud"]),
    ]
    findings = lint(
        rules,
        sla_policies=["gold", "standard"],
        queues={"vip": object(), "umum": object()},
        skills=["refund", "billing", "fraud", SkillRequirement("billing", 4)],
        agents=AGENTS,
    )
    by_path: dict[str, Finding] = {}
    for f in findings:
        by_path.setdefault(f.path, f)
    assert by_path["rules[1].then.sla_policy"].message == (
        "unknown SLA policy 'silverr' (defined: 'gold', 'standard')"
    )
    assert by_path["rules[1].then.sla_policy"].severity == "error"
    assert by_path["rules[1].then.queue"].message == "unknown queue 'vipp' (defined: 'umum', 'vip')"
    assert "rules[2].then.required_skills.refund" not in by_path
    assert by_path["rules[2].then.required_skills.legal"].severity == "error"
    assert [f.message for f in findings if f.path == "rules[2].then.required_skills.legal"] == [
        "unknown skill 'legal' (defined: 'billing', 'fraud', 'refund')",
        "no agent has skill 'legal'",
    ]
    assert by_path["rules[3].then.skills[1]"].message == "no agent has skill 'fraud'"
    assert "rules[3].when.field" not in by_path
    assert by_path["skills[2]"].message == "no agent has skill 'fraud'"
    assert by_path["skills[3]"].message == (
        "no agent has skill 'billing' at proficiency 4 (the best is 3)"
    )
    assert by_path["skills[3]"].severity == "warning"
    # Nothing given, nothing checked.
    assert lint(rules) == []


def test_a_rule_set_that_does_not_load_is_one_error_finding() -> None:
    bad = [rule("a"), rule("b"), {"name": "c", "when": {"all": [{"field": "x", "inn": [1]}]}}]
    (finding,) = lint(bad)
    assert finding.path == "rules[2].when.all[0]"
    assert finding.severity == "error"
    assert finding.message.startswith("unknown operator 'inn'")


def test_bad_keyword_collections_raise() -> None:
    with pytest.raises(ConfigError, match=r"queues must be a collection of names, got 'vip'"):
        lint([], queues="vip")
    with pytest.raises(ConfigError, match=r"agents must hold AgentProfile values, got 'ayu'"):
        lint([], agents=["ayu"])  # type: ignore[list-item]
    with pytest.raises(ConfigError, match=r"sla_policies must hold names or objects"):
        lint([], sla_policies=[3])


def test_implies_simple_cases() -> None:
    def c(d: dict[str, Any]) -> Any:
        return RuleSet.from_dicts([{"name": "x", "when": d}]).rules[0].when

    assert implies(c({"field": "a", "eq": 1}), c({"field": "a", "in": [1, 2]}))
    assert not implies(c({"field": "a", "in": [1, 3]}), c({"field": "a", "in": [1, 2]}))
    assert implies(c({"field": "a", "gt": 5}), c({"field": "a", "ge": 5}))
    assert not implies(c({"field": "a", "ge": 5}), c({"field": "a", "gt": 5}))
    assert implies(c({"field": "a", "eq": "x"}), c({"field": "a", "not_in": ["y"]}))
    assert implies(c({"field": "a", "lt": 1}), c({"field": "a", "exists": True}))
    assert implies(c({"not": {"field": "a", "in": [1, 2]}}), c({"not": {"field": "a", "eq": 1}}))
    assert implies(
        c({"any": [{"field": "a", "eq": 1}, {"field": "a", "eq": 2}]}),
        c({"field": "a", "in": [1, 2]}),
    )
    assert implies(c({"field": "a", "eq": 1}), None)
    assert not implies(None, c({"field": "a", "eq": 1}))
    assert not implies(c({"field": "a", "eq": 1}), c({"field": "b", "eq": 1}))


@settings(max_examples=200)
@given(rule_conditions, rule_conditions, st.lists(rule_contexts, min_size=1, max_size=8))
def test_implies_is_sound(b: Any, a: Any, ctxs: list[dict[str, Any]]) -> None:
    rs = RuleSet.from_dicts([{"name": "b", "when": b}, {"name": "a", "when": a}], mode="all")
    cb, ca = rs.rules[0].when, rs.rules[1].when
    assert implies(cb, cb)
    if implies(cb, ca):
        for ctx in ctxs:
            matched = rs.evaluate(ctx).matched
            assert "b" not in matched or "a" in matched, ctx


def test_lint_of_a_whole_desk_config_covers_rules_queues_policies_and_teams() -> None:
    from csflow.desk import DeskConfig

    config = DeskConfig.from_dict(
        {
            "calendars": {"24x7": {"timezone": "UTC", "always_open": True}},
            "sla_policies": [
                {"name": "fast", "calendar": "24x7", "targets": {"first_response": "PT1M"}},
                {"name": "unused", "calendar": "24x7", "targets": {"first_response": "PT1H"}},
            ],
            "queues": [{"name": "general"}, {"name": "finance"}, {"name": "orphan"}],
            "routing_profiles": [
                {"name": "front", "queues": ["general"]},
                {"name": "money", "queues": ["finance"]},
            ],
            "teams": {"lost": {"queue": "orphan"}},
            "triage": [
                {"name": "all", "then": {"queue": "general", "sla_policy": "fast"}},
                {
                    "name": "never",
                    "when": {"field": "tier", "eq": "gold"},
                    "then": {"queue": "finance"},
                },
                {"name": "refund", "then": {"skills": ["refunds"]}},
            ],
        }
    )
    agents = [AgentProfile("sari", skills={"billing": 3})]
    findings = lint(config, agents=agents)
    assert findings == config.lint(agents=agents)
    by_path = {f.path: f for f in findings}
    assert by_path["triage.rules[1]"].severity == "warning"  # after a catch-all
    assert by_path["queues[2]"].severity == "warning"
    assert "orphan" in by_path["queues[2]"].message
    assert by_path["sla_policies.unused"].severity == "info"
    assert by_path["teams.lost.queue"].severity == "warning"
    assert any(p.startswith("triage.rules[2].then.skills") for p in by_path)
    assert "sla_policies.fast" not in by_path


def test_the_sample_desk_lints_clean() -> None:
    from csflow.desk import DeskConfig
    from csflow.samples import demo_desk_data

    assert DeskConfig.from_dict(demo_desk_data()).lint() == []


def test_escalation_rules_are_checked_for_names_no_escalation_has() -> None:
    from csflow.desk import DeskConfig

    def desk(*conditions: dict[str, Any]) -> DeskConfig:
        return DeskConfig.from_dict(
            {
                "tiers": [{"name": "regular"}, {"name": "gold"}],
                "channels": ["chat", "email"],
                "queues": [{"name": "general"}, {"name": "vip"}],
                "triage": [{"name": "all", "then": {"queue": "general"}}],
                "escalation_rules": [
                    {"name": f"e{i}", "when": c, "then": {"priority": "urgent"}}
                    for i, c in enumerate(conditions)
                ],
            }
        )

    good = desk(
        {"all": [{"field": "tier", "eq": "gold"}, {"field": "event", "eq": "breach"}]},
        {"field": "metric", "in": ["first_response", "resolution"]},
        {"all": [{"field": "channel", "ne": "email"}, {"field": "event", "eq": "warning"}]},
    )
    assert good.lint() == []
    bad = desk(
        {"all": [{"field": "tier", "eq": "glod"}, {"field": "event", "eq": "breached"}]},
        {"field": "metric", "in": ["resolution", "first_reponse"]},
        {"field": "channel", "eq": "whatsap"},
    )
    assert [(f.path, f.severity) for f in bad.lint()] == [
        ("escalation_rules[0].when.all[0].eq", "error"),
        ("escalation_rules[0].when.all[1].eq", "error"),
        ("escalation_rules[1].when.in[1]", "error"),
        ("escalation_rules[2].when.eq", "error"),
    ]
    messages = [f.message for f in bad.lint()]
    assert "did you mean 'gold'?" in messages[0]
    assert messages[1].startswith("no escalation is asked about event 'breached'")
    assert "did you mean 'breach'? (events: 'breach', 'warning')" in messages[1]
    assert "did you mean 'first_response'?" in messages[2]
    assert messages[3].startswith("no ticket has channel 'whatsap'")
