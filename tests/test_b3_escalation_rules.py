"""RuleEscalationPolicy side by side with a reference written from its docstring: priority is
the highest any matched rule asks for, ``queue`` merges by the rule set's mode (the first
matched rule's in ``"first"`` mode, the last one's in ``"all"`` mode), ``notify`` and
``tags`` are collected from every matched rule in order, each name once."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import Customer, DeskConfig, Priority, Ticket, Tier
from csflow.errors import ConfigError
from csflow.policies import Escalation, PolicyContext, RuleEscalationPolicy
from csflow.rules import RuleSet

WIB = timezone(timedelta(hours=7), "WIB")
T0 = datetime(2026, 11, 11, 9, 0, tzinfo=WIB)
PUTRI = Customer("cust-41", Tier("gold", 2), language="id")

FIELDS = {
    "event": ("warning", "breach"),
    "metric": ("first_response", "resolution"),
    "queue": ("front", "finance"),
}
PEOPLE = ("finance-lead", "tech-lead", "supervisor")
TAGS = ("late", "vip", "refund")

comparison = st.sampled_from(sorted(FIELDS)).flatmap(
    lambda f: st.sampled_from(FIELDS[f]).map(lambda v: {"field": f, "eq": v})
)
condition = st.recursive(
    comparison,
    lambda inner: st.one_of(
        inner.map(lambda c: {"not": c}),
        st.lists(inner, min_size=1, max_size=3).map(lambda cs: {"all": cs}),
        st.lists(inner, min_size=1, max_size=3).map(lambda cs: {"any": cs}),
    ),
    max_leaves=5,
)
names = st.one_of(st.sampled_from(PEOPLE), st.lists(st.sampled_from(PEOPLE), max_size=3))
actions = st.fixed_dictionaries(
    {},
    optional={
        "priority": st.sampled_from(["low", "normal", "high", "urgent"]),
        "queue": st.sampled_from(["front", "finance", "technical"]),
        "notify": names,
        "tags": st.one_of(st.sampled_from(TAGS), st.lists(st.sampled_from(TAGS), max_size=3)),
    },
)
rule = st.tuples(st.one_of(st.none(), condition), actions)


def holds(cond: Any, ctx: dict[str, str]) -> bool:
    if cond is None:
        return True
    if "not" in cond:
        return not holds(cond["not"], ctx)
    if "all" in cond:
        return all(holds(c, ctx) for c in cond["all"])
    if "any" in cond:
        return any(holds(c, ctx) for c in cond["any"])
    return bool(ctx[cond["field"]] == cond["eq"])


def as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def reference(rules: list[tuple[Any, dict[str, Any]]], mode: str, ctx: dict[str, str]) -> Any:
    matched = [then for cond, then in rules if holds(cond, ctx)]
    levels = [Priority.parse(t["priority"]) for t in matched if "priority" in t]
    queues = [t["queue"] for t in matched if "queue" in t]
    queue = None if not queues else queues[0] if mode == "first" else queues[-1]
    notify = list(dict.fromkeys(n for t in matched for n in as_list(t.get("notify", ()))))
    tags = list(dict.fromkeys(n for t in matched for n in as_list(t.get("tags", ()))))
    return (max(levels) if levels else None, queue, tuple(notify), tuple(tags))


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    rules=st.lists(rule, max_size=5),
    mode=st.sampled_from(["first", "all"]),
    event=st.sampled_from(FIELDS["event"]),
    metric=st.sampled_from(FIELDS["metric"]),
    queue=st.sampled_from(FIELDS["queue"]),
    own=st.sampled_from(list(Priority)),
)
def test_rule_escalation_policy_matches_the_reference(
    rules: list[tuple[Any, dict[str, Any]]],
    mode: str,
    event: str,
    metric: str,
    queue: str,
    own: Priority,
) -> None:
    dicts = []
    for i, (cond, then) in enumerate(rules):
        d: dict[str, Any] = {"name": f"r{i}", "then": then}
        if cond is not None:
            d["when"] = cond
        dicts.append(d)
    policy = RuleEscalationPolicy(RuleSet.from_dicts(dicts, mode=mode))  # type: ignore[arg-type]
    ticket = Ticket("T-1", PUTRI, "chat", T0, priority=own, category="refund")
    ctx = PolicyContext(ticket, T0, event, metric, queue=queue, state="queued")
    result = policy(ctx)
    esc = result.value
    want = reference(rules, mode, {"event": event, "metric": metric, "queue": queue})
    assert (esc.priority, esc.queue, esc.notify, esc.tags) == want
    assert bool(esc) == (want != (None, None, (), ()))
    if not esc:
        assert result.reason.startswith(f"no escalation for {event} on {metric}: ")
        assert result.rule is None
    else:
        assert result.reason.startswith(f"escalation for {event} on {metric}: ")
        assert isinstance(esc, Escalation)


def test_escalation_rules_name_at_most_1000_people_or_tags_in_all() -> None:
    # Each rule may list 1000 names; without a bound on the rule set, 1000 rules could make
    # one breach notify a million people and add a million tags to the ticket.
    def rules(key: str, n_rules: int, per_rule: int, shared: bool) -> list[dict[str, Any]]:
        return [
            {
                "name": f"r{i}",
                "then": {key: [f"p{j}" if shared else f"p{i}-{j}" for j in range(per_rule)]},
            }
            for i in range(n_rules)
        ]

    for key, what in (("notify", "people or teams to notify"), ("tags", "tags")):
        # The same names in many rules count once.
        ok = RuleEscalationPolicy(rules(key, 5, 1000, shared=True))
        ctx = PolicyContext(Ticket("T-1", PUTRI, "chat", T0), T0, "breach", "first_response")
        assert len(getattr(ok(ctx).value, key)) == 1000
        with pytest.raises(
            ConfigError,
            match=rf"^rules\[2\]\.then\.{key}: the escalation rules name more than 1000 "
            rf"different {what} \(at most 1000\), got 'p2-0' too$",
        ):
            RuleEscalationPolicy(rules(key, 3, 500, shared=False))
    with pytest.raises(ConfigError, match=r"^escalation_rules\[1\]\.then\.notify: "):
        DeskConfig.from_dict({"escalation_rules": rules("notify", 2, 501, shared=False)})
