"""Triage in ``"all"`` mode: every matched rule's ``skills`` add their requirements, whatever
their spelling (a name, a list, a mapping): the union of the skills, at the higher minimum
proficiency.  In ``"first"`` mode the first matched rule that sets ``skills`` decides."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.model import SkillRequirement

T0 = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)
SKILLS = ("refund", "senior", "billing")


def required(desk: Desk, ticket_id: str) -> dict[str, int]:
    return {r.skill: r.min_proficiency for r in desk.ticket(ticket_id).ticket.required_skills}


def test_a_list_and_a_mapping_of_two_matched_rules_both_apply() -> None:
    cfg = DeskConfig.from_dict(
        {
            "triage": {
                "mode": "all",
                "rules": [
                    {
                        "name": "refunds",
                        "when": {"field": "category", "eq": "refund"},
                        "then": {"skills": ["refund"], "tags": ["refund"]},
                    },
                    {
                        "name": "vip",
                        "when": {"field": "tier", "eq": "platinum"},
                        "then": {"skills": {"senior": 1}, "tags": ["vip"]},
                    },
                ],
            }
        }
    )
    desk = Desk(cfg)
    desk.add_agent(
        AgentProfile("senior-only", capacity={"chat": 1}, skills={"senior": 3}),
        at=T0,
        presence="available",
    )
    desk.submit(
        Ticket("T1", Customer("c", Tier("platinum", 4)), "chat", T0, category="refund"), at=T0
    )
    assert required(desk, "T1") == {"refund": 1, "senior": 1}
    # The agent without the refund skill does not take it.
    assert desk.ticket("T1").state == "queued"


def test_a_later_mapping_does_not_lower_an_earlier_proficiency() -> None:
    cfg = DeskConfig.from_dict(
        {
            "triage": {
                "mode": "all",
                "rules": [
                    {"name": "expert", "then": {"skills": {"refund": 3}}},
                    {"name": "any", "then": {"skills": {"refund": 1, "billing": 2}}},
                ],
            }
        }
    )
    desk = Desk(cfg)
    desk.submit(Ticket("T1", Customer("c", Tier("gold", 3)), "chat", T0), at=T0)
    assert required(desk, "T1") == {"refund": 3, "billing": 2}


_skill_values = st.one_of(
    st.sampled_from(SKILLS),
    st.lists(st.sampled_from(SKILLS), min_size=1, max_size=3, unique=True),
    st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 5), min_size=1, max_size=3),
)


def _reqs(value: Any) -> dict[str, int]:
    if isinstance(value, str):
        return {value: 1}
    if isinstance(value, list):
        return dict.fromkeys(value, 1)
    return dict(value)


def _combine(into: dict[str, int], more: dict[str, int]) -> None:
    for skill, level in more.items():
        into[skill] = max(into.get(skill, 0), level)


@given(
    mode=st.sampled_from(["all", "first"]),
    rules=st.lists(
        st.tuples(st.sampled_from(["refund", "general", None]), _skill_values),
        min_size=1,
        max_size=5,
    ),
    category=st.sampled_from(["refund", "general"]),
    own=st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 5), max_size=2),
)
def test_required_skills_combine_over_the_matched_rules(
    mode: str,
    rules: list[tuple[str | None, Any]],
    category: str,
    own: dict[str, int],
) -> None:
    docs: list[dict[str, Any]] = []
    for i, (when, skills) in enumerate(rules):
        rule: dict[str, Any] = {"name": f"r{i}", "then": {"skills": skills}}
        if when is not None:
            rule["when"] = {"field": "category", "eq": when}
        docs.append(rule)
    desk = Desk(DeskConfig.from_dict({"triage": {"mode": mode, "rules": docs}}))
    ticket = Ticket(
        "T1",
        Customer("c", Tier("gold", 3)),
        "chat",
        T0,
        category=category,
        required_skills=[SkillRequirement(s, p) for s, p in own.items()],
    )
    desk.submit(ticket, at=T0)
    matched = [skills for when, skills in rules if when in (None, category)]
    expected = dict(own)
    for skills in matched[:1] if mode == "first" else matched:
        _combine(expected, _reqs(skills))
    assert required(desk, "T1") == expected
