"""Triage at the desk against a model written from its documentation.

``"first"`` mode: each action comes from the first matched rule that sets it.  ``"all"`` mode:
a later rule overrides a scalar action (priority, queue, SLA policy), tags extend (their union,
in first-seen order) and every matched rule's skills add their requirements (the union, at the
higher minimum proficiency).  Skills only raise what the ticket already requires (a ticket
keeps its requirements in skill-name order).  The rule
named is the one whose queue placed the ticket (in ``"all"`` mode the last to set it), else
the first that matched.  A changed configuration triages the tickets that come after it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csflow import Customer, Desk, DeskConfig, SkillRequirement, Ticket, Tier
from csflow.desk.triage import triage
from csflow.model import Priority
from csflow.rules import ticket_context

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
QUEUES = ["umum", "vip", "arab", "keuangan"]
SKILLS = ["refund", "arabic", "bahasa"]

WHEN = st.one_of(
    st.none(),
    st.builds(lambda t: {"field": "tier", "eq": t}, st.sampled_from(["gold", "silver"])),
    st.builds(lambda c: {"field": "channel", "in": [c]}, st.sampled_from(["chat", "email"])),
    st.builds(
        lambda p: {"field": "attributes.subject", "matches": p},
        st.sampled_from([r"[\u0600-\u06FF]", r"(?i)\bretur dana\b", "😀"]),
    ),
    st.builds(lambda w: {"not": {"field": "attributes.subject", "contains": w}}, st.just("dana")),
)
SKILL_ACTION = st.one_of(
    st.sampled_from(SKILLS),
    st.lists(st.sampled_from(SKILLS), min_size=1, max_size=3),
    st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 5), min_size=1, max_size=2),
)
THEN = st.fixed_dictionaries(
    {},
    optional={
        "priority": st.sampled_from(["low", "normal", "high", "urgent", 3]),
        "queue": st.sampled_from(QUEUES),
        "sla_policy": st.none(),
        "tags": st.lists(st.sampled_from(["vip", "ar", "refund", "😀"]), min_size=1, max_size=3),
        "skills": SKILL_ACTION,
    },
)
SUBJECTS = st.sampled_from(
    ["Mohon retur dana", "أريد استرداد المبلغ", "ok 😀", "Terima kasih", "x" * 1500 + "مرحبا"]
)


def config(mode: str, rules: list[dict[str, Any]]) -> DeskConfig:
    return DeskConfig.from_dict(
        {"queues": [{"name": q} for q in QUEUES], "triage": {"mode": mode, "rules": rules}}
    )


def requirements(value: Any) -> list[tuple[str, int]]:
    if isinstance(value, str):
        return [(value, 1)]
    if isinstance(value, dict):
        return list(value.items())
    return [(v, 1) for v in value]


def model(
    mode: str, rules: list[dict[str, Any]], matched: list[str], ticket: Ticket
) -> dict[str, Any]:
    acting = [r for r in rules if r["name"] in matched]
    if mode == "all":
        acting = acting[::-1]  # the last that sets a scalar action decides it

    def chosen(key: str, default: Any) -> tuple[Any, str | None]:
        for rule in acting:
            if key in rule["then"]:
                return rule["then"][key], rule["name"]
        return default, None

    priority, _ = chosen("priority", ticket.priority)
    queue, placed = chosen("queue", QUEUES[0])
    sla, _ = chosen("sla_policy", None)
    with_tags = [r["then"]["tags"] for r in acting if "tags" in r["then"]]
    with_skills = [r["then"]["skills"] for r in acting if "skills" in r["then"]]
    if mode == "all":
        with_tags, with_skills = with_tags[::-1], with_skills[::-1]
    else:
        with_tags, with_skills = with_tags[:1], with_skills[:1]
    tags = tuple(dict.fromkeys(t for listed in with_tags for t in listed))
    need = {r.skill: r.min_proficiency for r in ticket.required_skills}
    for value in with_skills:
        for skill, level in requirements(value):
            need[skill] = max(need.get(skill, 0), level)
    return {
        "priority": Priority.parse(priority),
        "queue": queue,
        "sla_policy": sla,
        "tags": tags,
        "skills": tuple(SkillRequirement(s, p) for s, p in sorted(need.items())),
        "rule": placed if placed is not None else (matched[0] if matched else None),
    }


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["first", "all"]),
    st.lists(st.tuples(WHEN, THEN), min_size=1, max_size=5),
    st.sampled_from(["gold", "silver"]),
    st.sampled_from(["chat", "email"]),
    SUBJECTS,
    st.lists(st.tuples(st.sampled_from(SKILLS), st.integers(1, 5)), max_size=2),
)
def test_triage_applies_the_rules_actions_as_documented(
    mode: str,
    drawn: list[tuple[dict[str, Any] | None, dict[str, Any]]],
    tier: str,
    channel: str,
    subject: str,
    needs: list[tuple[str, int]],
) -> None:
    rules = []
    for i, (when, then) in enumerate(drawn):
        rule: dict[str, Any] = {"name": f"aturan {i}", "then": then}
        if when is not None:
            rule["when"] = when
        rules.append(rule)
    cfg = config(mode, rules)
    ticket = Ticket(
        "T1",
        Customer("c1", Tier(tier, 2)),
        channel,
        T0,
        attributes={"subject": subject},
        required_skills=tuple(SkillRequirement(s, p) for s, p in dict(needs).items()),
    )
    matched = list(cfg.triage.evaluate(ticket_context(ticket, T0)).matched)
    got = triage(cfg, ticket, T0)
    want = model(mode, rules, matched, ticket)
    assert got.ticket.priority == want["priority"]
    assert got.queue == want["queue"]
    assert got.sla_policy == want["sla_policy"]
    assert got.tags == want["tags"]
    assert got.ticket.required_skills == want["skills"]
    assert got.rule == want["rule"]


def test_a_changed_configuration_triages_the_tickets_after_it() -> None:
    by_tier = [{"name": "emas", "when": {"field": "tier", "eq": "gold"}, "then": {"queue": "vip"}}]
    by_script = [
        {
            "name": "arab",
            "when": {"field": "attributes.subject", "matches": r"[\u0600-\u06FF]"},
            "then": {"queue": "arab", "tags": ["ar"], "skills": ["arabic"]},
        }
    ]
    gold = Customer("c1", Tier("gold", 3))
    desk = Desk(config("first", by_tier))
    desk.submit(Ticket("T1", gold, "chat", T0, attributes={"subject": "مرحبا"}), at=T0)
    changes: list[Any] = []
    changed = Desk.restore(config("first", by_script), desk.snapshot(), on_config_change=changes)
    assert changed.ticket("T1").queue == "vip"  # triaged once, under the rules of its time
    changed.submit(Ticket("T2", gold, "chat", T0, attributes={"subject": "مرحبا"}), at=T0)
    after = changed.ticket("T2")
    assert (after.queue, after.tags) == ("arab", ("ar",))
    assert after.ticket.required_skills == (SkillRequirement("arabic"),)
