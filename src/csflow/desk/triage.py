"""Triage: how the desk decides a new ticket's priority, SLA policy, queue, skills and tags.

First the configuration's triage rules (:class:`~csflow.rules.RuleSet`) are evaluated once
over the ticket's context; then the policy callables a host configured
(``priority_policy``, ``queue_policy``, ``sla_selection``), whose answers win over the
rules'; then the rules' ``skills`` action adds requirements (raising a minimum proficiency,
never lowering one).  In ``"all"`` mode every matched rule's ``skills`` add theirs, whatever
their spelling: ``["refund"]`` and ``{"senior": 1}`` require both skills, and ``{"refund":
3}`` then ``{"refund": 1}`` requires proficiency 3.  The outcome carries one reason a person
can read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from csflow._text import show
from csflow.desk.config import DeskConfig
from csflow.desk.names import extra_skills
from csflow.errors import ConfigError
from csflow.model import Priority, SkillRequirement, Ticket
from csflow.policies import _MAX_POLICY_TEXT, PolicyContext, PolicyResult
from csflow.rules import RuleSet, ticket_context

__all__ = ["Triage", "policy_answer", "triage"]


@attrs.frozen
class Triage:
    """What triage decided for a new ticket.

    Attributes:
        ticket: The ticket with its priority and required skills after triage.
        queue: The queue it waits in.
        sla_policy: The SLA policy's name, or ``None``.
        reason: Why, for a person.
        rule: The rule that decided, if one did: the rule whose ``queue`` action placed the
            ticket (in mode ``"all"``, the last rule that set it, whose value is kept), else
            the first rule that matched; ``None`` when the configuration's queue policy chose
            the queue (its reason is in ``reason``).
        tags: Tags the rules added.
    """

    ticket: Ticket
    queue: str
    sla_policy: str | None
    reason: str
    rule: str | None
    tags: tuple[str, ...]


def triage(
    config: DeskConfig,
    ticket: Ticket,
    at: datetime,
    contacts: Mapping[str, Any] | None = None,
) -> Triage:
    """Decide *ticket*'s priority, SLA policy, queue, extra skills and tags under *config*.

    *contacts* is the customer's recent contacts (the ``contacts.*`` of the rules' context
    and of the policy callables' :class:`~csflow.policies.PolicyContext`).

    Raises:
        ConfigError: A policy callable chose an unknown queue or SLA policy, or a rule's
            action cannot be read.
    """
    rules = config.triage
    ctx = ticket_context(ticket, at, contacts=contacts) if len(rules) else {}
    decision = rules.evaluate(ctx)
    acts = decision.actions
    if "priority" in acts:
        ticket = attrs.evolve(ticket, priority=Priority.parse(acts["priority"]))
    queue = acts.get("queue", config.queues[0].name)
    sla = acts.get("sla_policy", config.default_sla_policy)
    reason = decision.reason
    if config.priority_policy or config.queue_policy or config.sla_selection:
        ticket, queue, sla, reason = _ask_policies(config, ticket, at, queue, sla, reason, contacts)
    if "skills" in acts:
        mine = {r.skill: r for r in ticket.required_skills}
        for req in _rule_skills(rules, decision.matched, acts["skills"]):
            old = mine.get(req.skill)
            if old is None or old.min_proficiency < req.min_proficiency:
                mine[req.skill] = req
        ticket = attrs.evolve(ticket, required_skills=tuple(mine.values()))
    tags = tuple(str(x) for x in acts.get("tags", ()) or ())
    # The rule that put the ticket in its queue (in mode "all", the last that set it: its
    # value is the one kept), else the first that matched; none when a queue policy chose.
    placed = decision.sources.get("queue")
    rule = placed[-1] if placed else decision.rule
    if config.queue_policy is not None:
        rule = None
    return Triage(ticket, queue, sla, reason, rule, tags)


def _rule_skills(
    rules: RuleSet, matched: Sequence[str], merged: object
) -> Iterator[SkillRequirement]:
    """The requirements the matched rules' ``skills`` actions add.

    In ``"first"`` mode, the first matched rule's (*merged*, the decision's value).  In
    ``"all"`` mode, every matched rule's: requirements combine (the union of the skills; the
    caller keeps the higher minimum proficiency), where the rule set's generic merge would
    let a later rule's value of another kind (a mapping after a list) replace an earlier
    one, or a later mapping lower an earlier proficiency.
    """
    if rules.mode == "first":
        yield from extra_skills(merged)
        return
    for name in matched:
        value = rules.rule(name).then.get("skills")
        if value is not None:
            yield from extra_skills(value)


def policy_answer(result: object, what: str) -> PolicyResult[Any]:
    """*result*, which the *what* (``"priority policy"`` ...) returned, if it is a
    :class:`~csflow.policies.PolicyResult` with a string reason of at most 4,096 characters.

    Raises:
        ConfigError: Anything else, naming it (a bare priority, ``None`` ...).
    """
    if not isinstance(result, PolicyResult) or not isinstance(result.reason, str):
        raise ConfigError(
            f"the {what} must return a PolicyResult(value, reason), got {show(result)}"
        )
    if len(result.reason) > _MAX_POLICY_TEXT:
        # The reason goes into events and the snapshot, whose readers would refuse it.
        raise ConfigError(
            f"the {what}'s reason must be at most {_MAX_POLICY_TEXT:,} characters, got "
            f"{show(result.reason)}"
        )
    return result


def _ask_policies(
    config: DeskConfig,
    ticket: Ticket,
    at: datetime,
    queue: str,
    sla: str | None,
    reason: str,
    contacts: Mapping[str, Any] | None,
) -> tuple[Ticket, str, str | None, str]:
    """Ask the configured policy callables (after the rules), with the customer's recent
    *contacts* in their context as the rules have them; check their answers."""
    reasons = [reason]
    if config.priority_policy is not None:
        first = PolicyContext(ticket, at, contacts=contacts)
        res = policy_answer(config.priority_policy(first), "priority policy")
        ticket = attrs.evolve(ticket, priority=Priority.parse(res.value))
        reasons.append(f"priority: {res.reason}")
    ctx = PolicyContext(ticket, at, contacts=contacts)
    if config.queue_policy is not None:
        res_q = policy_answer(config.queue_policy(ctx), "queue policy")
        queues = [q.name for q in config.queues]
        if res_q.value not in queues:
            raise ConfigError(
                f"the queue policy chose unknown queue {show(res_q.value)}; known: "
                f"{show(sorted(queues))}"
            )
        queue = res_q.value
        reasons.append(f"queue: {res_q.reason}")
    if config.sla_selection is not None:
        res_s = policy_answer(config.sla_selection(ctx), "SLA selection policy")
        chosen = res_s.value
        if chosen is not None and not isinstance(chosen, str):
            # (Checked before the look-up below, which a list or a dict cannot be hashed for.)
            raise ConfigError(
                f"the SLA selection policy must choose an SLA policy's name or None, got "
                f"{show(chosen)}; known: {show(sorted(config.sla_policies))}"
            )
        if chosen is not None and chosen not in config.sla_policies:
            raise ConfigError(
                f"the SLA selection policy chose unknown SLA policy {show(chosen)}; "
                f"known: {show(sorted(config.sla_policies))}"
            )
        sla = chosen
        reasons.append(f"SLA policy: {res_s.reason}")
    return ticket, queue, sla, "; ".join(r for r in reasons if r)
