"""Random programs on a desk whose technical queue is ordered by deadline with no fallback.

Such a queue refuses a ticket without an SLA due instant; a command that would put one there
raises and has changed nothing (``docs/explanation/desk-contract.md``).  Every refused command
leaves the snapshot as it was and the desk's invariants hold; every accepted one sends the
same events as on the same desk whose queue has a fallback (where nothing is refused for want
of a due instant), and the desk restores from its snapshot at any point.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.desk import Desk, DeskConfig
from csflow.desk import commands as cmd
from csflow.errors import CsflowError
from csflow.model import AgentProfile, Customer, Ticket, Tier
from csflow.testing import check_invariants
from desks import seeds_desk_doc

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=7)))
M = timedelta(minutes=1)
REGULAR = Tier("regular", 1)
TEAMS = {"sari": "front", "tess": "technical", "dewi": "finance"}


def _config(mode: str, *, fallback: bool) -> DeskConfig:
    """No default policy; tech tickets under ``quick`` (a first response only), ``u`` ones
    under ``urg`` (targets for urgent tickets only), both in the deadline queue."""
    technical: dict[str, str] = {"name": "technical", "key": "deadline"}
    if fallback:
        technical["fallback"] = "PT1H"
    doc = seeds_desk_doc(
        queues=[{"name": "front"}, technical, {"name": "finance"}],
        triage={
            "rules": [
                {
                    "name": "tech",
                    "when": {"field": "category", "eq": "tech"},
                    "then": {"queue": "technical", "sla_policy": "quick"},
                },
                {
                    "name": "u",
                    "when": {"field": "category", "eq": "u"},
                    "then": {"queue": "technical", "sla_policy": "urg"},
                },
            ]
        },
        recalculation=mode,
    )
    del doc["default_sla_policy"]
    doc["sla_policies"] += [
        {"name": "quick", "calendar": "always", "targets": {"first_response": "PT1H"}},
        {
            "name": "urg",
            "calendar": "always",
            "targets": {
                "first_response": {"urgent": "PT1H"},
                "next_response": {"urgent": "PT20M"},
            },
            "pause_on": {"pending": ["next_response"]},
        },
    ]
    return DeskConfig.from_dict(doc)


OPS = (
    "submit",
    "reply",
    "resolve",
    "requeue",
    "reopen",
    "pending",
    "on_hold",
    "open",
    "message",
    "to_team",
    "to_agent",
    "escalate",
    "remove",
    "add",
    "offline",
    "available",
    "policy",
    "priority",
    "close",
    "forget",
    "abandon",
    "callback",
)
STEP = st.tuples(
    st.sampled_from(OPS),
    st.sampled_from(["t1", "t2", "t3"]),
    st.sampled_from(sorted(TEAMS)),
    st.integers(0, 30),
    st.integers(0, 3),
)


def _command(op: str, tid: str, agent: str, pick: int, at: datetime) -> cmd.Command:
    if op == "submit":
        category = ("tech", "u", "general", "tech")[pick]
        priority = "urgent" if pick % 2 else "normal"
        return cmd.Submit(
            Ticket(
                tid, Customer("c" + tid, REGULAR), "chat", at, category=category, priority=priority
            ),
            at=at,
        )
    if op in ("reply", "resolve", "requeue"):
        kind = {"reply": cmd.Reply, "resolve": cmd.Resolve, "requeue": cmd.Requeue}[op]
        return kind(tid, agent, at=at)
    if op in ("pending", "on_hold", "open"):
        return cmd.SetStatus(tid, op, at=at)
    if op == "to_team":
        return cmd.Transfer(tid, ("front", "technical", "finance", "technical")[pick], at=at)
    if op == "to_agent":
        return cmd.Transfer(tid, agent, at=at)
    if op == "escalate":
        return cmd.Escalate(tid, ("technical", "finance")[pick % 2], at=at)
    if op == "remove":
        return cmd.RemoveAgent(agent, at=at)
    if op == "add":
        profile = AgentProfile(agent, {}, [], {"chat": 2}, [TEAMS[agent]])
        return cmd.AddAgent(profile, presence="available", at=at)
    if op in ("offline", "available"):
        return cmd.SetPresence(agent, op, at=at)
    if op == "policy":
        return cmd.SetSlaPolicy(tid, ("quick", "urg", "standard", "vip")[pick], at=at)
    if op == "priority":
        return cmd.SetPriority(tid, ("urgent", "low", "normal", "high")[pick], at=at)
    simple = {
        "reopen": cmd.Reopen,
        "message": cmd.CustomerMessage,
        "close": cmd.Close,
        "forget": cmd.Forget,
        "abandon": cmd.Abandon,
        "callback": cmd.RequestCallback,
    }
    return simple[op](tid, at=at)


@settings(max_examples=40, deadline=None)
@given(
    mode=st.sampled_from(["keep_elapsed", "retroactive", "restart"]),
    steps=st.lists(STEP, max_size=40),
    restore_at=st.sets(st.integers(0, 39), max_size=3),
)
def test_refused_commands_change_nothing_and_accepted_ones_match_a_desk_with_a_fallback(
    mode: str, steps: list[tuple[str, str, str, int, int]], restore_at: set[int]
) -> None:
    strict = Desk(_config(mode, fallback=False))
    loose = Desk(_config(mode, fallback=True))
    t = T0
    for i, (op, tid, agent, minutes, pick) in enumerate(steps):
        t += minutes * M
        command = _command(op, tid, agent, pick, t)
        before = strict.snapshot()
        try:
            out = strict.apply(command)
        except CsflowError as exc:
            assert strict.snapshot() == before, command
            check_invariants(strict)
            if "DeadlineKey needs a due instant" in str(exc):
                continue  # the fallback desk takes it: the two part ways here
            try:
                loose.apply(command)
            except CsflowError:
                continue
            raise AssertionError(
                f"{command} refused ({exc}) where the fallback desk took it"
            ) from exc
        check_invariants(strict)
        assert [e.to_dict() for e in loose.apply(command)] == [e.to_dict() for e in out]
        if i in restore_at:
            data = json.loads(json.dumps(strict.snapshot()))
            strict = Desk.restore(strict.config, data)
            assert strict.snapshot() == data
