"""csflow.lint checked from its documentation: the skills conditions name, the order of the
findings, and that a rule reported as unable to decide a key never decides it."""

from __future__ import annotations

import itertools
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.lint import Finding, lint
from csflow.model import AgentProfile
from csflow.rules import RuleSet

SKILLS = ("billing", "refund", "tax")


def agent(name: str, **skills: int) -> AgentProfile:
    return AgentProfile(name, skills, ["id"], {"chat": 1})


# --------------------------------------------------------------------------------------------
# Skills a condition names


def test_contains_on_required_skills_names_a_skill() -> None:
    # The context's own example of a skill condition: {"field": "required_skills",
    # "contains": "refund"}; a misspelt skill there is as undefined as in an action.
    rules = [
        {"name": "r", "when": {"field": "required_skills", "contains": "refnd"}, "then": {}},
        {"name": "s", "when": {"field": "agent.skills", "contains": "tax"}, "then": {}},
        {"name": "t", "when": {"field": "required_skills", "contains": "refund"}, "then": {}},
    ]
    found = lint(rules, skills=SKILLS, agents=[agent("ayu", refund=2)])
    assert found == [
        Finding(
            "rules[0].when.contains",
            "error",
            "unknown skill 'refnd' (defined: 'billing', 'refund', 'tax')",
        ),
        Finding("rules[0].when.contains", "warning", "no agent has skill 'refnd'"),
        Finding("rules[1].when.contains", "warning", "no agent has skill 'tax'"),
        Finding("skills[0]", "warning", "no agent has skill 'billing'"),
        Finding("skills[2]", "warning", "no agent has skill 'tax'"),
    ]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    field=st.sampled_from(["required_skills", "agent.skills"]),
    skill=st.sampled_from(["billing", "refund", "tax", "refnd", "biling"]),
    declared=st.sets(st.sampled_from(SKILLS), min_size=1),
)
def test_a_skill_a_contains_condition_names_is_checked_against_the_declared_ones(
    field: str, skill: str, declared: set[str]
) -> None:
    rules = [{"name": "r", "when": {"field": field, "contains": skill}, "then": {}}]
    errors = [f for f in lint(rules, skills=sorted(declared)) if f.severity == "error"]
    if skill in declared:
        assert errors == []
    else:
        assert [f.path for f in errors] == ["rules[0].when.contains"]
        assert repr(skill) in errors[0].message


def test_contains_of_something_else_names_no_skill() -> None:
    rules = [
        {"name": "r", "when": {"field": "required_skills", "contains": 3}, "then": {}},
        {"name": "s", "when": {"field": "attributes.tags", "contains": "refnd"}, "then": {}},
        {"name": "t", "when": {"field": "required_skills.refund", "contains": "x"}, "then": {}},
    ]
    found = lint(rules, skills=SKILLS, agents=[agent("ayu", billing=1, refund=1, tax=1)])
    assert found == []


def holds(op: str, level: int, operand: float) -> bool:
    return {"ge": level >= operand, "gt": level > operand, "eq": level == operand}[op]


@settings(max_examples=120, deadline=None, derandomize=True)
@given(
    op=st.sampled_from(["ge", "gt"]),
    operand=st.one_of(st.integers(-2, 7), st.sampled_from([0.5, 2.5, 3.0, 4.99])),
    levels=st.lists(st.integers(1, 5), min_size=1, max_size=4),
)
def test_an_agent_level_condition_no_agent_meets_is_reported(
    op: str, operand: float, levels: list[int]
) -> None:
    # "skills no agent has (at the proficiency asked)": agent.skills.billing ge 4 can hold
    # only for an agent with billing at 4 or more.
    agents = [agent(f"a{i}", billing=level) for i, level in enumerate(levels)]
    rules = [{"name": "r", "when": {"field": "agent.skills.billing", op: operand}, "then": {}}]
    found = lint(rules, skills=SKILLS, agents=agents)
    about = [f for f in found if f.path == "rules[0].when.field"]
    someone = any(holds(op, level, operand) for level in levels)
    assert (about == []) == someone, (about, levels)
    if about:
        assert about[0].severity == "warning"
        assert f"the best is {max(levels)}" in about[0].message


def test_agent_level_conditions_by_hand() -> None:
    agents = [agent("ayu", billing=3), agent("budi", billing=1)]
    rules = [
        {"name": "a", "when": {"field": "agent.skills.billing", "ge": 4}, "then": {}},
        {"name": "b", "when": {"field": "agent.skills.billing", "gt": 2}, "then": {}},
        {"name": "c", "when": {"field": "agent.skills.billing", "eq": 3}, "then": {}},
        {"name": "d", "when": {"field": "agent.skills.billing", "eq": 5}, "then": {}},
        {"name": "e", "when": {"field": "agent.skills.billing", "lt": 9}, "then": {}},
        # The ticket's requirement, not an agent's level: asks for the skill only.
        {"name": "f", "when": {"field": "required_skills.billing", "ge": 5}, "then": {}},
    ]
    # In "all" mode: the rules, all without actions, are not shadowing findings.
    found = lint(rules, mode="all", agents=agents)
    assert found == [
        Finding(
            "rules[0].when.field",
            "warning",
            "no agent has skill 'billing' at proficiency 4 (the best is 3)",
        ),
        Finding(
            "rules[3].when.field",
            "warning",
            "no agent has skill 'billing' at proficiency 5 (the best is 3)",
        ),
    ]


# --------------------------------------------------------------------------------------------
# Order


def rule_of(path: str) -> int | None:
    m = re.match(r"rules\[(\d+)\]", path)
    return int(m[1]) if m else None


def test_findings_come_rule_by_rule() -> None:
    rules = [
        {"name": "all", "then": {"queue": "umum"}},
        {"name": "vip", "when": {"field": "tier", "eq": "gold"}, "then": {"queue": "vip"}},
    ]
    found = lint(rules, queues=["vip"])
    assert [f.path for f in found] == ["rules[0].then.queue", "rules[1]"]


@settings(max_examples=80, deadline=None, derandomize=True)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([None, "gold", "silver"]),
            st.sampled_from(["vip", "umum", "nope"]),
            st.sampled_from(["billing", "tax", "nope"]),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_findings_are_in_rule_order_then_skills(spec: list[tuple[Any, str, str]]) -> None:
    rules = []
    for i, (tier, queue, skill) in enumerate(spec):
        r: dict[str, Any] = {"name": f"r{i}", "then": {"queue": queue, "skills": [skill]}}
        if tier is not None:
            r["when"] = {"field": "tier", "eq": tier}
        rules.append(r)
    found = lint(rules, queues=["vip", "umum"], skills=SKILLS, agents=[agent("ayu", tax=1)])
    indexes = [rule_of(f.path) for f in found]
    ruled = [i for i in indexes if i is not None]
    assert ruled == sorted(ruled)
    # Every finding about a rule comes before the ones about the declared skills.
    first_skill = next((k for k, f in enumerate(found) if f.path.startswith("skills[")), None)
    if first_skill is not None:
        assert all(i is None for i in indexes[first_skill:])


# --------------------------------------------------------------------------------------------
# No false positives: a rule reported as shadowed really never decides those keys


VALUES = (0, 1, 2, 1.5, "x", "xy", True, None)
CONTEXTS = [
    {k: v for k, v in (("a", a), ("b", b)) if v is not _MISSING}
    for _MISSING in [object()]
    for a, b in itertools.product((*VALUES, _MISSING), repeat=2)
]

scalars = st.sampled_from(VALUES)
fields = st.sampled_from(["a", "b"])
comparisons = st.one_of(
    st.builds(lambda f, o, v: {"field": f, o: v}, fields, st.sampled_from(["eq", "ne"]), scalars),
    st.builds(
        lambda f, o, v: {"field": f, o: v},
        fields,
        st.sampled_from(["in", "not_in"]),
        st.lists(scalars, min_size=1, max_size=3),
    ),
    st.builds(
        lambda f, o, v: {"field": f, o: v},
        fields,
        st.sampled_from(["lt", "le", "gt", "ge"]),
        st.sampled_from([0, 1, 1.5, "x", "xy"]),
    ),
    st.builds(lambda f, v: {"field": f, "contains": v}, fields, st.sampled_from(["x", 1])),
    st.builds(lambda f, v: {"field": f, "matches": v}, fields, st.sampled_from(["^x", "y$"])),
    st.builds(lambda f, v: {"field": f, "exists": v}, fields, st.booleans()),
)
conditions = st.recursive(
    comparisons,
    lambda c: st.one_of(
        st.builds(lambda xs: {"all": xs}, st.lists(c, min_size=1, max_size=3)),
        st.builds(lambda xs: {"any": xs}, st.lists(c, min_size=1, max_size=3)),
        st.builds(lambda x: {"not": x}, c),
    ),
    max_leaves=5,
)
keys = st.lists(st.sampled_from(["queue", "priority", "sla_policy"]), min_size=1, unique=True)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.none() | conditions, keys), min_size=2, max_size=5))
def test_a_shadowed_rule_never_decides_the_keys_lint_says_it_cannot(
    spec: list[tuple[Any, list[str]]],
) -> None:
    rules = []
    for i, (when, ks) in enumerate(spec):
        r: dict[str, Any] = {"name": f"r{i}", "then": dict.fromkeys(ks, i)}
        if when is not None:
            r["when"] = when
        rules.append(r)
    ruleset = RuleSet.from_dicts(rules)
    decided: dict[int, set[str]] = {i: set() for i in range(len(rules))}
    for ctx in CONTEXTS:
        for key, names in ruleset.evaluate(ctx).sources.items():
            for name in names:
                decided[int(name[1:])].add(key)
    for f in lint(ruleset):
        j = rule_of(f.path)
        assert j is not None, f
        assert f.path == f"rules[{j}]", f
        assert f.severity == "warning"
        m = re.search(r"only its (.*) action\(s\) can take effect", f.message)
        left = set(re.findall(r"'(\w+)'", m[1])) if m else set()
        assert m or "can never decide anything" in f.message
        assert decided[j] <= left, (f, decided[j])
        # A rule reported at all decides less than it asks for.
        assert left < set(rules[j]["then"])


# --------------------------------------------------------------------------------------------
# Bounded work


def test_a_thousand_rules_listing_the_same_thousand_values_give_the_budget_finding() -> None:
    # The documented example of a rule set too large for the budget: comparing two lists of
    # a thousand values is a thousand values compared, however equal they are (equal lists
    # of long strings cost their length each time, not one step).
    def values() -> list[str]:
        return [f"value-{k:04d}" for k in range(1000)]

    rules = [
        {"name": f"r{i}", "when": {"field": "x", "in": values()}, "then": {"q": i}}
        for i in range(1000)
    ]
    found = lint(RuleSet.from_dicts(rules))
    assert found[-1] == Finding(
        "rules", "info", "the rule set is too large to check every implication"
    )
    # What it did make sure of is right: every rule it reports matches only with rules[0].
    assert all(f.path == f"rules[{k + 1}]" for k, f in enumerate(found[:-1]))
    assert all("'r0' (rules[0])" in f.message for f in found[:-1])


@settings(max_examples=150, deadline=None, derandomize=True)
@given(conditions)
def test_a_condition_written_twice_implies_itself(when: Any) -> None:
    # Two rules with the same condition, each parsed on its own: the second never decides.
    rules = [
        {"name": "first", "when": when, "then": {"queue": "a"}},
        {"name": "again", "when": when, "then": {"queue": "b"}},
    ]
    ruleset = RuleSet.from_dicts(rules)
    assert ruleset.rules[0].when is not ruleset.rules[1].when
    assert [f.path for f in lint(ruleset)] == ["rules[1]"]
