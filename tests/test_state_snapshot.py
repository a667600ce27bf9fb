"""State snapshots (``csflow.desk/3``): the law, worked examples, bad input, old formats.

The law: a desk restored from ``snapshot()`` taken at any point of any command program --
straight, or through ``json.dumps``/``json.loads`` -- has the same future as the original
(a snapshot keeps every ticket until it is forgotten): every event and every refusal, every view (tickets, clocks, histories,
agents, owners, queues with their keys, goodwill, contacts), ``next_wakeup`` and every later
snapshot.  Programs run on several desks so that the future covers SLA warnings and breaches,
relaxation and overflow, delay views, preferred-agent holds, surveys, call-backs, transfers,
escalations, ratings and goodwill requests.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, ConfigError, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.errors import CsflowError
from csflow.events import Event, SlaDeadlineMoved
from csflow.model import TicketStatus
from csflow.testing import Command, check_invariants, commands
from desks import office_desk_doc

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

# Relaxation with overflow, a deadline queue, a team, surveys; repeat customers, goodwill and
# a preferred agent worth waiting a minute for.
PEOPLE_DATA: dict[str, Any] = {
    "tiers": [{"name": "gold", "rank": 3}, {"name": "regular", "rank": 1}],
    "calendars": {"always": {"timezone": "Asia/Jakarta", "always_open": True}},
    "sla_policies": [
        {
            "name": "std",
            "calendar": "always",
            "targets": {
                "first_response": "PT15M",
                "next_response": "PT30M",
                "resolution": "PT4H",
            },
        },
        {"name": "fast", "calendar": "always", "targets": {"first_response": "PT2M"}},
    ],
    "default_sla_policy": "std",
    "queues": [
        {
            "name": "q0",
            "relaxation": [
                {"after": "PT2M", "proficiency": 1},
                {"after": "PT5M", "overflow_to": "q1"},
            ],
        },
        {"name": "q1", "key": "deadline", "fallback": "PT1H"},
    ],
    "routing_profiles": [{"name": "p0", "queues": ["q0", "q1"]}],
    "teams": {"finance": {"queue": "q1", "routing_profile": "p0"}},
    "transfers": {"max_transfers": 1, "on_limit": "flag"},
    "skills": ["billing", "refunds"],
    "strategies": ["preferred_agent", "longest_idle"],
    "affinity": {"timeout": "PT1M", "recency": "PT2H"},
    "survey_delay": "PT30M",
    "contacts": {"window": "PT3H", "max_contacts": 3, "max_customers": 5},
    "goodwill": {
        "currency": "IDR",
        "decimals": 0,
        "period": "day",
        "timezone": "Asia/Jakarta",
        "allowance": "50000",
        "default_per_ticket": "30000",
    },
}
PEOPLE = DeskConfig.from_dict(PEOPLE_DATA)

# Office hours with lunch, next-response targets, a deadline queue that helps the front line
# after two minutes (a delay view), flagged transfers, shared capacity with an exclusive phone.
OFFICE = DeskConfig.from_dict(
    office_desk_doc(
        escalation_rules=[
            {
                "name": "breach-to-tech",
                "when": {"field": "event", "eq": "breach"},
                "then": {"queue": "technical", "priority": "high", "tags": ["late"]},
            }
        ],
    )
)

CONFIGS = {"people": PEOPLE, "office": OFFICE}


def attempt(desk: Desk, cmd: Command) -> list[dict[str, Any]] | str:
    """The events of *cmd* as plain data, or the name of the error it raised."""
    try:
        return [e.to_dict() for e in cmd.apply(desk)]
    except CsflowError as exc:
        return type(exc).__name__


def views(desk: Desk) -> dict[str, Any]:
    """Everything a host can read of *desk*."""
    tickets = list(desk.tickets())
    agents = list(desk.agents())
    customers = sorted({desk.ticket(t).ticket.customer.id for t in tickets})
    return {
        "now": desk.now,
        "wakeup": desk.next_wakeup(),
        "routing": desk.next_routing_step(),
        "tickets": [desk.ticket(t) for t in tickets],
        "clocks": [sorted(desk.clocks(t).items(), key=lambda kv: kv[0].value) for t in tickets],
        "history": [desk.history(t) for t in tickets],
        "agents": [desk.agent(a) for a in agents],
        "owned": [desk.owned(a) for a in agents],
        "queues": [
            (e.ticket_id, e.key, e.signature, e.queued_at_us, e.callback) for e in desk.queue()
        ],
        "balances": desk.goodwill_balances(),
        "requests": desk.goodwill_requests(),
        "contacts": [desk.contacts(c) for c in customers],
    }


@st.composite
def people_commands(draw: st.DrawFn, desk: Desk, at: datetime) -> list[Command]:
    """Ratings, goodwill and SLA policy changes the generic programs do not draw, aimed at
    what *desk* holds now (some of them refused)."""
    out: list[Command] = []
    tickets = list(desk.tickets())
    agents = list(desk.agents())
    if not tickets or not draw(st.booleans()):
        return out
    tid = draw(st.sampled_from(tickets))
    view = desk.ticket(tid)
    kind = draw(st.sampled_from(["rate", "grant", "answer", "policy"]))
    if kind == "rate":
        out.append(Command("record_feedback", at, (tid, draw(st.integers(1, 5)), "ok")))
    elif kind == "grant" and agents and desk.config.goodwill is not None:
        agent = view.agent_id or draw(st.sampled_from(agents))
        amount = str(draw(st.sampled_from([5000, 20000, 40000])))
        out.append(Command("grant_goodwill", at, (tid, agent, amount, "late_delivery")))
    elif kind == "answer" and desk.goodwill_requests():
        rid = draw(st.sampled_from(desk.goodwill_requests()))
        verb = draw(st.sampled_from(["approve_goodwill", "decline_goodwill"]))
        out.append(Command(verb, at, (rid, "lead")))
    elif kind == "policy" and view.state not in (TicketStatus.CLOSED, TicketStatus.ABANDONED):
        policy = draw(st.sampled_from(sorted(desk.config.sla_policies)))
        out.append(Command("set_sla_policy", at, (tid, policy)))
    return out


def same_tickets(original: Desk, restored: Desk) -> None:
    """The twin knows every ticket the original knows, closed and abandoned ones included."""
    assert list(restored.tickets()) == list(original.tickets())


@settings(max_examples=30, deadline=None)
@given(data=st.data(), name=st.sampled_from(sorted(CONFIGS)), through_json=st.booleans())
def test_a_restored_desk_has_the_future_of_the_original(
    data: st.DataObject, name: str, through_json: bool
) -> None:
    config = CONFIGS[name]
    program = data.draw(commands(config, start=T0, max_size=40), label="program")
    cut = data.draw(st.integers(0, len(program)), label="snapshot before step")
    original = Desk(config)
    restored: Desk | None = None
    seen: set[str] = set()
    last = T0
    for i, cmd in enumerate([*program, Command("advance", program[-1].at + timedelta(days=2))]):
        if i == cut and original.now is not None:
            snap = original.snapshot()
            text = json.dumps(snap)
            restored = Desk.restore(config, json.loads(text) if through_json else snap)
            assert json.dumps(restored.snapshot()) == text
            same_tickets(original, restored)
            assert views(restored) == views(original)
        extra = data.draw(people_commands(original, max(last, cmd.at)), label="extra")
        for c in [cmd, *extra]:
            out = attempt(original, c)
            if restored is not None:
                assert attempt(restored, c) == out, f"diverged at {c}"
                if not isinstance(out, str):
                    seen.update(e["type"] for e in out)
            last = max(last, c.at)
        if restored is not None:
            assert views(restored) == views(original)
            assert restored.snapshot() == original.snapshot()
    for kind in sorted(seen):
        event(kind)


# ---------------------------------------------------------------------------------------------
# Worked examples


def busy() -> Desk:
    """Two agents, six tickets: assigned, pending, solved, closed (survey due), waiting."""
    desk = Desk(PEOPLE)
    desk.add_agent(AgentProfile("sari", capacity={"chat": 2}), at=T0, presence="available")
    desk.add_agent(AgentProfile("budi", capacity={"chat": 1}), at=T0, presence="offline")
    for i in range(6):
        c = Customer(f"c{i}", Tier("gold", 3))
        desk.submit(Ticket(f"t{i}", c, "chat", T0), at=T0)
    m = timedelta(minutes=1)
    desk.set_status("t1", "pending", at=T0 + m)  # sari takes t2
    desk.resolve("t2", "sari", at=T0 + 2 * m)  # sari takes t3
    desk.resolve("t3", "sari", at=T0 + 3 * m)  # sari takes t4
    desk.close("t3", at=T0 + 4 * m)
    desk.grant_goodwill("t0", "sari", "20000", "late_delivery", at=T0 + 4 * m)
    return desk


def test_a_snapshot_keeps_every_ticket_until_it_is_forgotten() -> None:
    """Closed t3 stays in the snapshot after its survey fired: a customer's rating may come
    later, and a host's journal may still name it (feedback, ``forget``).  Only ``forget``
    drops it, from the desk and its snapshots alike."""
    desk = busy()
    kept = [t["ticket"]["id"] for t in desk.snapshot()["state"]["tickets"]]
    assert kept == ["t0", "t1", "t2", "t3", "t4", "t5"]
    desk.advance(at=T0 + timedelta(hours=1))  # the surveys fire
    restored = Desk.restore(PEOPLE, desk.snapshot())
    assert restored.snapshot() == desk.snapshot()
    assert restored.ticket("t3") == desk.ticket("t3")
    assert restored.history("t2") == desk.history("t2")
    at = T0 + timedelta(hours=2)
    for d in (desk, restored):
        d.forget("t3", at=at)
    kept = [t["ticket"]["id"] for t in desk.snapshot()["state"]["tickets"]]
    assert kept == ["t0", "t1", "t2", "t4", "t5"]
    assert restored.snapshot() == desk.snapshot()
    with pytest.raises(CsflowError, match="no ticket 't3'"):
        restored.ticket("t3")


def test_the_snapshot_does_not_grow_with_forgotten_tickets() -> None:
    # No contact memory: it keeps the customers of the last week, whatever their tickets.
    config = DeskConfig(survey_delay=None, keep_log=False, keep_history=False, contacts=None)
    desk = Desk(config)
    desk.add_agent(AgentProfile("a", capacity={"chat": 1}), at=T0, presence="available")
    sizes: list[int] = []
    for n in range(3):
        for i in range(50 * n):
            at = T0 + timedelta(seconds=len(sizes) * 1000 + i)
            tid = f"n{n}-{i}"
            desk.submit(Ticket(tid, Customer(tid, Tier("gold", 3)), "chat", at), at=at)
            desk.resolve(tid, "a", at=at)
            desk.close(tid, at=at)
            desk.forget(tid, at=at)
        at = T0 + timedelta(seconds=len(sizes) * 1000 + 999)
        desk.submit(Ticket(f"open{n}", Customer("x", Tier("gold", 3)), "chat", at), at=at)
        sizes.append(len(json.dumps(desk.snapshot()["state"])))
        desk.resolve(f"open{n}", "a", at=at)
        desk.close(f"open{n}", at=at)
        desk.forget(f"open{n}", at=at)
    # Equal but for the digits of the counters (a queue's sequence, an agent's turns).
    assert max(sizes) - min(sizes) <= 8, sizes


def test_commands_on_a_closed_ticket_replay_after_a_restore() -> None:
    """A host's journal after a compaction: the ticket was closed before the snapshot, then a
    late rating and the ``forget`` came.  The restored desk takes both, as the original did
    (it refused them: a restore dropped closed tickets), with the same events."""
    desk = busy()
    desk.advance(at=T0 + timedelta(hours=1))
    restored = Desk.restore(PEOPLE, json.loads(json.dumps(desk.snapshot())))
    at = T0 + timedelta(hours=3)
    again = Ticket("t3", Customer("c9", Tier("gold", 3)), "chat", at)
    for d in (desk, restored):  # the id is still taken, on both (the restored desk took it)
        with pytest.raises(CsflowError, match="'t3'"):
            d.submit(again, at=at)
    for name, args in (("record_feedback", ("t3", 5)), ("forget", ("t3",))):
        assert getattr(restored, name)(*args, at=at) == getattr(desk, name)(*args, at=at)
    assert restored.snapshot() == desk.snapshot()


def test_an_accepted_config_change_recalculates_open_clocks_at_the_snapshot() -> None:
    desk = busy()
    snap = json.loads(json.dumps(desk.snapshot()))
    data = copy.deepcopy(PEOPLE_DATA)
    data["sla_policies"][0]["targets"]["first_response"] = "PT30M"
    data["recalculation"] = "keep_elapsed"
    moved: list[Event] = []
    restored = Desk.restore(DeskConfig.from_dict(data), snap, on_config_change=moved)
    at = T0 + timedelta(minutes=4)
    # Every first response not given yet -- assigned (t0, t4), pending (t1: nothing pauses on
    # it here), waiting (t5) -- had 15 minutes from 09:00 and now has 30.  The solved t2 has
    # no live first-response clock any more.
    got = {
        (e.ticket_id, e.metric): (e.old_due, e.new_due)
        for e in moved
        if isinstance(e, SlaDeadlineMoved)
    }
    due = (T0 + timedelta(minutes=15), T0 + timedelta(minutes=30))
    assert got == {(t, "first_response"): due for t in ("t0", "t1", "t4", "t5")}
    assert all(e.at == at for e in moved)
    assert restored.next_wakeup() is not None


def test_a_target_cut_below_the_time_used_breaches_at_the_restore() -> None:
    desk = busy()
    snap = desk.snapshot()
    data = copy.deepcopy(PEOPLE_DATA)
    data["sla_policies"][0]["targets"]["first_response"] = "PT3M"
    moved: list[Event] = []
    Desk.restore(DeskConfig.from_dict(data), snap, on_config_change=moved)
    kinds = [(type(e).__name__, getattr(e, "ticket_id", None)) for e in moved]
    assert ("SlaBreached", "t5") in kinds
    assert ("SlaDeadlineMoved", "t5") in kinds


def test_a_config_the_state_cannot_stand_under_is_refused_with_the_path() -> None:
    snap = busy().snapshot()
    data = copy.deepcopy(PEOPLE_DATA)
    data["queues"] = [{"name": "q9"}]
    data["routing_profiles"] = [{"name": "p0", "queues": ["q9"]}]
    data["teams"] = {}
    with pytest.raises(ConfigError, match=r"snapshot\.state\.tickets\[0\]\.queue: unknown queue"):
        Desk.restore(DeskConfig.from_dict(data), snap, on_config_change=[])


def test_a_command_log_snapshot_still_restores_and_migrates() -> None:
    desk = busy()
    old = {
        "format": "csflow.desk/2",
        "at": desk.snapshot()["at"],
        "config": desk.snapshot()["config"],
        "deadlines": {},
        "commands": [
            [
                "add_agent",
                1772442000000000,
                {"id": "sari", "capacity": {"chat": 2}},
                "available",
                "p0",
            ],
            [
                "add_agent",
                1772442000000000,
                {"id": "budi", "capacity": {"chat": 1}},
                "offline",
                "p0",
            ],
        ],
    }
    old["at"] = "2026-03-02T09:00:00+00:00"
    restored = Desk.restore(PEOPLE, old)
    assert restored.snapshot()["format"] == "csflow.desk/3"
    assert list(restored.agents()) == ["sari", "budi"]


def test_a_newer_format_is_refused() -> None:
    snap = busy().snapshot()
    snap["format"] = "csflow.desk/4"
    with pytest.raises(ConfigError, match=r"snapshot\.format: .*newer than this csflow reads"):
        Desk.restore(PEOPLE, snap)


# ---------------------------------------------------------------------------------------------
# Bad input: ConfigError with the path, nothing partly restored


def tampered(change: Any) -> Any:
    snap = json.loads(json.dumps(busy().snapshot()))
    change(snap["state"])
    return snap


def _agents(s: Any) -> list[dict[str, Any]]:
    agents: list[dict[str, Any]] = s["router"]["pool"]["agents"]
    return agents


def _nest(s: Any) -> None:
    nested: list[Any] = []
    for _ in range(10_000):
        nested = [nested]
    s["tickets"][0]["tags"] = nested


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda s: s.pop("timers"), r"snapshot\.state: expected the keys"),
        (
            lambda s: s["tickets"][0].pop("queue"),
            r"snapshot\.state\.tickets\[0\]: expected the keys",
        ),
        (
            lambda s: s["tickets"][0].update(queued_us="soon"),
            r"snapshot\.state\.tickets\[0\]\.queued_us: expected an int",
        ),
        (
            lambda s: s["tickets"][0].update(agent="ghost"),
            r"snapshot\.state\.tickets\[0\]\.agent: .* held by 'sari'",
        ),
        (
            lambda s: s["tickets"][1].update(agent="ghost"),
            r"snapshot\.state\.tickets\[1\]\.agent: .*owned by unknown agent",
        ),
        (
            lambda s: _agents(s)[0]["held"].append(["t1", "chat"]),
            r"snapshot\.state\.router\.pool\.agents\[0\]\.held\[2\]: agent 'sari' cannot hold",
        ),
        (
            lambda s: _agents(s)[1]["held"].extend([["t0", "chat"]]),
            r"snapshot\.state\.router\.pool\.agents\[1\]\.held\[0\]: ticket 't0' held twice",
        ),
        (
            lambda s: _agents(s).append(copy.deepcopy(_agents(s)[0])),
            r"snapshot\.state\.router\.pool\.agents\[2\]: agent 'sari' twice",
        ),
        (
            lambda s: s["tickets"].append(copy.deepcopy(s["tickets"][0])),
            r"snapshot\.state\.tickets\[6\]: ticket 't0' twice",
        ),
        (
            lambda s: s["tickets"][0].update(queue="nowhere"),
            r"snapshot\.state\.tickets\[0\]\.queue: unknown queue 'nowhere'",
        ),
        (
            lambda s: s["router"]["waiting"][0].__setitem__(1, "nowhere"),
            r"snapshot\.state\.router\.waiting\[0\]\[1\]: unknown queue",
        ),
        (
            lambda s: s["tickets"][0]["sla"].update(last=2**60),
            r"snapshot\.state\.tickets\[0\]\.sla\.last: an instant after the snapshot's",
        ),
        (
            lambda s: s["tickets"][4].update(queued_us=2**60),
            r"snapshot\.state\.tickets\[4\]\.queued_us: .*not after the snapshot's instant",
        ),
        (
            lambda s: s["contacts"][0][1][0].__setitem__(0, 2**60),
            r"snapshot\.state\.contacts\[0\]\[1\]\[0\]: expected \[at_us, ticket_id\] in time order",
        ),
        (
            lambda s: _agents(s)[1].update(order=5),
            r"snapshot\.state\.router\.pool\.next_order: expected an int above 5",
        ),
        (
            lambda s: s["router"]["queues"]["q0"]["entries"][0].__setitem__(3, 99),
            r"snapshot\.state\.router\.queues\.q0\.entries\[0\]: seq 99 used twice or not yet",
        ),
        (
            lambda s: s["tickets"][0]["sla"]["clocks"]["resolution"].update(used="x"),
            r"snapshot\.state\.tickets\[0\]\.sla\.clocks\.resolution",
        ),
        (
            lambda s: s["tickets"][0]["sla"]["clocks"]["resolution"].update(used=-(10**12)),
            r"clocks\.resolution\.used: expected business µs used, from 0, got -1000000000000",
        ),
        (
            lambda s: s["tickets"][0]["sla"]["clocks"]["resolution"].update(ticket_id="T-999"),
            r"clocks\.resolution\.ticket_id: a clock of ticket 'T-999' in ticket",
        ),
        (
            lambda s: s["tickets"][0]["sla"]["clocks"]["resolution"].update(last=-1),
            r"clocks\.resolution: expected started <= mark <= last",
        ),
        (
            lambda s: s["tickets"][0]["sla"]["clocks"]["resolution"].update(due=10**20),
            r"clocks\.resolution\.due: expected an instant in µs within years 1-9999",
        ),
        (
            lambda s: s["tickets"][0]["sla"]["clocks"]["resolution"].update(target_us=1),
            # (Its next event is no longer the one its target gives: refused at that.)
            r"clocks\.resolution\.next: expected the instant the clock's calendar gives",
        ),
        (
            lambda s: s["tickets"][0]["sla"]["clocks"]["resolution"].update(k=99),
            r"clocks\.resolution\.k: expected a warning count from 0 to \d, got 99",
        ),
        (
            lambda s: s["tickets"][0]["ticket"].update(id="x" * 1_000_000),
            r"snapshot\.state\.tickets\[0\]\.ticket\.id: string of 1000000 characters",
        ),
        (_nest, r"snapshot\.state\.tickets\[0\]\.tags.*nested deeper than 32 levels"),
        (
            lambda s: s["goodwill"]["per_ticket"].update(t0="lots"),
            r"snapshot\.state\.goodwill\.per_ticket\.t0: expected a decimal amount",
        ),
        (
            lambda s: s["last_agent"].append(list(s["last_agent"][0])),
            r"snapshot\.state\.last_agent\[\d\]: customer '.*' twice",
        ),
        (
            lambda s: s["last_agent"].__setitem__(1, ["c0", "sari", s["last_agent"][1][2]]),
            r"snapshot\.state\.last_agent\[1\]: customer 'c0' twice",
        ),
        (
            lambda s: s["last_agent"].append(["c9", "sari", s["last_agent"][-1][2]]),
            r"snapshot\.state\.last_agent\[5\]: more than max_customers=5 customers",
        ),
        (
            lambda s: s["last_agent"][0].pop(),
            r"snapshot\.state\.last_agent\[0\]: expected \[customer, agent, at_us\]",
        ),
        (
            lambda s: s["timers"]["sla"].append(["soon", "t0"]),
            r"snapshot\.state\.timers\.sla\[\d+\]: expected \[due_us, ticket_id\]",
        ),
    ],
)
def test_a_tampered_state_snapshot_raises_config_error_with_the_path(
    change: Any, match: str
) -> None:
    with pytest.raises(ConfigError, match=match):
        Desk.restore(PEOPLE, tampered(change))


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_truncated_or_mutated_state_snapshot_restores_or_raises_config_error(
    data: st.DataObject,
) -> None:
    snap = json.loads(json.dumps(busy().snapshot()))
    node: Any = snap
    path: list[Any] = []
    while isinstance(node, dict | list) and node and data.draw(st.booleans()):
        key = data.draw(st.sampled_from(list(node) if isinstance(node, dict) else range(len(node))))
        path.append(key)
        if not isinstance(node[key], dict | list) or not node[key]:
            break
        node = node[key]
    if path:
        parent: Any = snap
        for key in path[:-1]:
            parent = parent[key]
        how = data.draw(st.sampled_from(["drop", "null", "string", "int", "list"]))
        if how == "drop":
            del parent[path[-1]]
        else:
            parent[path[-1]] = {"null": None, "string": "x", "int": -1, "list": []}[how]
    try:
        desk = Desk.restore(PEOPLE, snap)
    except ConfigError as exc:
        error: ConfigError | None = exc
    else:
        error = None
        json.dumps(desk.snapshot())
    if error is not None:
        assert str(error).startswith("snapshot"), str(error)


def test_who_served_whom_restores_in_order_of_service() -> None:
    # The memory is bounded (PEOPLE remembers five customers): which one it forgets next
    # depends on the order of service -- not the order of the ids -- which the snapshot keeps.
    desk = busy()
    t1 = T0 + timedelta(minutes=10)
    desk.add_agent(AgentProfile("wati", capacity={"chat": 9}), at=t1, presence="available")
    again = Ticket("r0", Customer("c0", Tier("gold", 3)), "chat", t1)
    desk.submit(again, at=t1)  # c0 served again: now the most recent
    restored = Desk.restore(PEOPLE, json.loads(json.dumps(desk.snapshot())))
    same_tickets(desk, restored)
    t2 = t1 + timedelta(minutes=1)
    for i in (5, 6):
        ticket = Ticket(f"n{i}", Customer(f"c{i}", Tier("gold", 3)), "chat", t2)
        assert restored.submit(ticket, at=t2) == desk.submit(ticket, at=t2)
    assert restored.snapshot() == desk.snapshot()
    served = [c for c, _, _ in restored.snapshot()["state"]["last_agent"]]
    assert served == ["c3", "c4", "c0", "c5", "c6"]  # c1 and c2 were served longest ago


def test_a_ticket_transferred_out_of_a_relaxing_queue_keeps_no_relaxation_timer() -> None:
    """A ticket waiting in ``q0`` (which relaxes after two minutes) is transferred to the
    finance team's ``q1`` (which does not): no routing step is due for it any more, on the
    desk and on its restored copy alike.  (The ticket's old timer used to count as live,
    since its new wait's versions start again where the old one's did.)"""
    desk = Desk(PEOPLE)
    at = T0 + timedelta(seconds=1)
    ticket = Ticket("t1", Customer("c0", Tier("gold", 3), "id"), "phone", at)
    desk.submit(ticket, at=at)
    assert desk.next_routing_step() == at + timedelta(minutes=2)
    desk.transfer("t1", "finance", at=at)
    assert desk.ticket("t1").queue == "q1"
    assert desk.next_routing_step() is None
    restored = Desk.restore(PEOPLE, desk.snapshot())
    assert restored.next_routing_step() is None
    assert restored.next_wakeup() == desk.next_wakeup()
    later = at + timedelta(minutes=3)
    assert desk.advance(at=later) == restored.advance(at=later)


WIB = timezone(timedelta(hours=7))
_OFFICE_WEEK = {d: [["08:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def _calendar_desk(calendar: dict[str, Any], recalculation: str = "keep_elapsed") -> DeskConfig:
    return DeskConfig.from_dict(
        {
            "calendars": {"c": calendar},
            "sla_policies": [
                {
                    "name": "p",
                    "calendar": "c",
                    "targets": {"first_response": "PT8H", "resolution": "PT24H"},
                }
            ],
            "default_sla_policy": "p",
            "recalculation": recalculation,
        }
    )


@pytest.mark.parametrize(
    ("mode", "first_due"),
    [
        # 1 h used round the clock (09:00-10:00); 7 h left on Mon/Tue 08:00-12:00: Monday
        # 10-12 and Tuesday 8-12 give 6 h, the last hour is next Monday 08:00-09:00.
        ("keep_elapsed", datetime(2026, 3, 9, 9, 0, tzinfo=UTC)),
        # 8 h afresh from Monday 10:00: Mon 10-12, Tue 8-12, next Mon 8-10.
        ("restart", datetime(2026, 3, 9, 10, 0, tzinfo=UTC)),
    ],
)
def test_a_calendar_changed_under_a_snapshot_moves_its_deadlines(
    mode: str, first_due: datetime
) -> None:
    """A ticket submitted Monday 09:00 on a round-the-clock calendar, saved at 10:00 (first
    response due 17:00); restored under the same policy whose calendar is now Monday and
    Tuesday 08:00-12:00.  Its clocks were stale (due 17:00, a warning at 13:00) and nothing
    said so; now they follow the new calendar per the recalculation mode, with an
    ``SlaDeadlineMoved`` each."""
    t0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    always = {"timezone": "UTC", "always_open": True}
    desk = Desk(_calendar_desk(always, mode))
    desk.submit(Ticket("T-1", Customer("c", Tier("gold", 3)), "chat", t0), at=t0)
    desk.advance(at=t0 + timedelta(hours=1))
    snap = json.loads(json.dumps(desk.snapshot()))
    office = {
        "timezone": "UTC",
        "weekly": {"mon": [["08:00", "12:00"]], "tue": [["08:00", "12:00"]]},
    }
    moved: list[Event] = []
    restored = Desk.restore(_calendar_desk(office, mode), snap, on_config_change=moved)
    first = restored.clocks("T-1")["first_response"]
    assert first.due_at == first_due
    [event] = [e for e in moved if isinstance(e, SlaDeadlineMoved) and e.metric == "first_response"]
    assert (event.old_due, event.new_due) == (t0 + timedelta(hours=8), first_due)
    assert restored.advance(at=t0 + timedelta(hours=9)) == []  # no warning on the old schedule


@pytest.mark.parametrize(
    ("change", "due"),
    [
        # Monday becomes a holiday: the 10 minutes used stay used; 7 h 50 min left from
        # Tuesday 08:00 ends at 15:50 (the stretch was re-measured as 0 and it was 16:00).
        ({"holidays": {"2026-03-16": "Nyepi"}}, datetime(2026, 3, 17, 15, 50, tzinfo=WIB)),
        # Monday opens at 09:05: still 10 minutes used, 7 h 50 min left from 09:10 ends at
        # 17:00 (it was 5 minutes used and Tuesday 08:05).
        (
            {"weekly": {**_OFFICE_WEEK, "mon": [["09:05", "17:00"]]}},
            datetime(2026, 3, 16, 17, 0, tzinfo=WIB),
        ),
    ],
)
def test_keep_elapsed_keeps_the_time_used_when_the_calendar_changes(
    change: dict[str, Any], due: datetime
) -> None:
    """An e-mail with an 8-hour first-response target on an office calendar (Mon-Fri 08-17,
    Jakarta), created Monday 09:00, saved at 09:10 with 10 minutes used.  Restored under a
    changed calendar with ``keep_elapsed``, the persisting how-to promises that each clock
    keeps the business time it has used: that time was measured on the old calendar, and
    only what is left is laid on the new one."""
    t0 = datetime(2026, 3, 16, 9, 0, tzinfo=WIB)
    office = {"timezone": "Asia/Jakarta", "weekly": _OFFICE_WEEK}
    desk = Desk(_calendar_desk(office))
    desk.submit(Ticket("T-1", Customer("c", Tier("gold", 3)), "email", t0), at=t0)
    desk.advance(at=t0 + timedelta(minutes=10))
    snap = json.loads(json.dumps(desk.snapshot()))
    restored = Desk.restore(_calendar_desk({**office, **change}), snap, on_config_change=[])
    first = restored.clocks("T-1")["first_response"]
    assert first.elapsed == timedelta(minutes=10)
    assert first.due_at == due


def test_a_calendar_that_counts_alike_moves_nothing() -> None:
    """Renaming a holiday changes the configuration, not business time: a restore under it
    recalculates nothing (even in ``restart`` mode) and reports no moved deadline."""
    t0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    week = {d: [["08:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    named = {"timezone": "UTC", "weekly": week, "holidays": {"2026-03-20": "Idul Fitri"}}
    desk = Desk(_calendar_desk(named, "restart"))
    desk.submit(Ticket("T-1", Customer("c", Tier("gold", 3)), "chat", t0), at=t0)
    snap = json.loads(json.dumps(desk.snapshot()))
    renamed = {**named, "holidays": {"2026-03-20": "Hari Raya Idul Fitri"}}
    moved: list[Event] = []
    restored = Desk.restore(_calendar_desk(renamed, "restart"), snap, on_config_change=moved)
    assert moved == []
    assert restored.clocks("T-1") == desk.clocks("T-1")


def test_memories_switched_on_by_a_config_change_start_empty() -> None:
    """A desk saved without contact memory or goodwill, restored under a config that switches
    both on (an accepted change): they start empty, and the desk goes on -- the first repeat
    contact counts from the restore.  Switched off by an accepted change, their ledgers go
    (nothing reads them any more; the tickets' histories keep what happened); under the
    snapshot's own config, a missing part is tampering."""
    plain = copy.deepcopy(PEOPLE_DATA)
    plain["contacts"] = None
    del plain["goodwill"]
    without = DeskConfig.from_dict(plain)
    desk = Desk(without)
    desk.add_agent(AgentProfile("sari", capacity={"chat": 2}), at=T0, presence="available")
    desk.submit(Ticket("t1", Customer("c1", Tier("gold", 3)), "chat", T0), at=T0)
    snap = json.loads(json.dumps(desk.snapshot()))
    restored = Desk.restore(PEOPLE, copy.deepcopy(snap), on_config_change=[])
    before = restored.contacts("c1")
    assert before is not None
    assert (before.count, before.open_tickets) == (0, 1)  # no contacts kept; t1 is open
    assert restored.goodwill_requests() == desk.goodwill_requests()
    at = T0 + timedelta(minutes=1)
    restored.submit(Ticket("t2", Customer("c1", Tier("gold", 3)), "chat", at), at=at)
    summary = restored.contacts("c1")
    assert summary is not None
    assert summary.count == 1
    saved = json.loads(json.dumps(restored.snapshot()))
    assert saved["state"]["contacts"] is not None
    assert saved["state"]["goodwill"] is not None
    with pytest.raises(ConfigError, match=r"^snapshot\.config: "):
        Desk.restore(without, copy.deepcopy(saved))  # a change not accepted
    off = Desk.restore(without, copy.deepcopy(saved), on_config_change=[])
    assert off.contacts("c1") is None
    assert off.goodwill_requests() == ()
    assert off.snapshot()["state"]["contacts"] is None
    assert off.snapshot()["state"]["goodwill"] is None
    assert off.history("t2") == restored.history("t2")
    check_invariants(off)
    tampered = copy.deepcopy(json.loads(json.dumps(restored.snapshot())))
    tampered["state"]["contacts"] = None
    with pytest.raises(ConfigError, match=r"snapshot\.state\.contacts: expected data"):
        Desk.restore(PEOPLE, tampered)


@pytest.mark.parametrize(
    "used_at",
    ["x", [1], [True, 0], "at+1", "more than real time", "before mark"],
)
def test_a_tampered_used_at_is_refused_at_its_path(used_at: Any) -> None:
    t0 = datetime(2026, 3, 16, 9, 0, tzinfo=WIB)
    desk = Desk(_calendar_desk({"timezone": "UTC", "always_open": True}))
    desk.submit(Ticket("T-1", Customer("c", Tier("gold", 3)), "email", t0), at=t0)
    desk.advance(at=t0 + timedelta(minutes=10))
    snap = json.loads(json.dumps(desk.snapshot()))
    clock = snap["state"]["tickets"][0]["sla"]["clocks"]["first_response"]
    at, used = clock["used_at"]
    assert used == 600_000_000  # ten minutes, round the clock
    bad = (
        {
            "at+1": [at, used + 1],
            "more than real time": [at - 1, used],
            "before mark": [clock["mark"] - 1, 0],
        }.get(used_at, used_at)
        if isinstance(used_at, str)
        else used_at
    )
    clock["used_at"] = bad
    with pytest.raises(ConfigError, match=r"first_response\.used_at: expected \[instant"):
        Desk.restore(desk.config, snap)
