"""Queues and the desk's queue config, from an acceptance review: what a key can hold is bounded
when the policy is built, a queue checks every key before it changes anything and reads back
every snapshot it writes, and a desk document's allowances and escalation rules are checked
as its triage rules are.

Each test names the defect it pins; each failed against the reviewed code.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import attrs
import pytest

from csflow import Customer, Desk, DeskConfig, Ticket, Tier
from csflow._time import EPOCH, MAX_US
from csflow.desk import QueueSpec
from csflow.errors import ConfigError, CsflowError
from csflow.events import SlaEscalated
from csflow.model import Priority
from csflow.policies import RuleEscalationPolicy
from csflow.queues import AgingKey, DeadlineKey, KeyContext, QueuedTicket, Signature, TicketQueue
from csflow.routing import RelaxationStep

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
#: A day before the last instant a key can hold.
LATE = datetime(9999, 12, 31, 0, 0, tzinfo=UTC)
S = 1_000_000
BAND_LIMITS = (-(2**31), 2**31 - 1)
LONGEST = timedelta(days=36_525)
TIERS = [{"name": "platinum", "rank": 4}, {"name": "regular", "rank": 1}]


def _ticket(
    i: int, *, tier: str = "regular", priority: str = "normal", at: datetime = T0
) -> Ticket:
    return Ticket(f"T{i}", Customer(f"c{i}", Tier(tier, 0)), "chat", at, priority=priority)


def _refused(build: Callable[[], object]) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        build()
    return caught.value


def _contents(q: TicketQueue) -> tuple[int, list[str], dict[str, Any]]:
    return len(q), [e.ticket_id for e in q], q.to_state()


# -- 1. what a key can hold is bounded when the policy is built -------------------------------


@pytest.mark.parametrize(
    "build",
    [
        lambda: AgingKey({"gold": LONGEST + timedelta(microseconds=1)}),
        lambda: AgingKey({("gold", "urgent"): timedelta.max}),
        lambda: AgingKey(default=timedelta(days=3_000_000)),
        lambda: DeadlineKey(fallback=LONGEST + timedelta(days=1)),
    ],
)
def test_an_allowance_longer_than_36525_days_is_refused_naming_the_limit(
    build: Callable[[], object],
) -> None:
    err = _refused(build)
    assert "must be at most 36,525 days (about 100 years), got datetime.timedelta(" in str(err)


def test_the_longest_allowance_is_accepted() -> None:
    key = AgingKey({"gold": LONGEST}, default=LONGEST)
    assert key.allowance_us("gold", Priority.LOW) == LONGEST // timedelta(microseconds=1)
    assert DeadlineKey(fallback=LONGEST).fallback == LONGEST


@pytest.mark.parametrize("band", [2**31, -(2**31) - 1, 10**18])
def test_a_band_outside_32_bits_is_refused_by_every_policy_and_push_key(band: int) -> None:
    shown = f"{band}"
    for build in (
        lambda: AgingKey(bands={"normal": band}),
        lambda: AgingKey(default_band=band),
        lambda: DeadlineKey(bands={"urgent": band}),
        lambda: DeadlineKey(default_band=band),
    ):
        err = _refused(build)
        assert str(err).endswith(
            f"must be an int from -2,147,483,648 to 2,147,483,647, got {shown}"
        )
    q = TicketQueue("q")
    q.push(_ticket(1), at=T0)
    before = _contents(q)
    sig = Signature("chat")
    with pytest.raises(ConfigError, match=r"^band must be an int from -2,147,483,648"):
        q.push_key("T2", band=band, due=T0, at=T0, signature=sig)
    with pytest.raises(ConfigError, match=r"^band must be an int from -2,147,483,648"):
        q.rekey("T1", band=band, due=T0)
    assert _contents(q) == before


def test_a_desk_document_names_the_bound_at_its_path() -> None:
    cases = [
        ({"name": "q", "default_allowance": "P3000000D"}, "queues[0].default_allowance"),
        ({"name": "q", "allowances": {"regular": "P36526D"}}, "queues[0].allowances.regular"),
        ({"name": "q", "key": "deadline", "fallback": "P40000D"}, "queues[0].fallback"),
    ]
    for queue, path in cases:
        err = _refused(partial(DeskConfig.from_dict, {"queues": [queue]}))
        assert err.path == path
        assert err.detail.startswith("expected a duration of at most 36,525 days")
    err = _refused(
        lambda: DeskConfig.from_dict({"queues": [{"name": "q", "bands": {"normal": 10**18}}]})
    )
    assert (err.path, err.detail) == (
        "queues[0].bands.normal",
        "expected an int from -2,147,483,648 to 2,147,483,647, got 1000000000000000000",
    )


def test_a_virtual_due_past_year_9999_is_the_last_instant_and_survives_a_snapshot() -> None:
    q = TicketQueue("q", AgingKey({"regular": timedelta(days=2)}))
    late = [_ticket(i, at=LATE + timedelta(hours=i)) for i in range(3)]
    for t in late:
        q.push(t, at=t.created_at)
    # All three reach past the end of year 9999: they tie on the last instant, first in first out.
    assert [e.virtual_due_us for e in q] == [MAX_US] * 3
    assert [e.ticket_id for e in q] == ["T0", "T1", "T2"]
    assert q.get("T0").virtual_due == EPOCH + timedelta(microseconds=MAX_US)
    again = TicketQueue("q", q.key_policy)
    again.load_state(q.to_state(), {t.id: t for t in late}, itertools.count(3))
    assert again.to_state() == q.to_state()
    deadline = TicketQueue("d", DeadlineKey(fallback=timedelta(days=5)))
    assert deadline.push(late[0], at=LATE).virtual_due_us == MAX_US


def test_the_queue_reads_back_every_band_and_seq_it_can_hold() -> None:
    sequence = itertools.count(10**18)  # a sequence may start anywhere
    q = TicketQueue("q", sequence=sequence)
    sig = Signature("chat")
    tickets = {t.id: t for t in (_ticket(1), _ticket(2))}
    q.push_key("T1", band=BAND_LIMITS[0], due=T0, at=T0, signature=sig)
    q.push_key("T2", band=BAND_LIMITS[1], due=T0, at=T0, signature=sig)
    again = TicketQueue("q")
    again.load_state(q.to_state(), tickets, itertools.count(10**18 + 2))
    assert again.to_state() == q.to_state()
    assert [e.key for e in again] == [(BAND_LIMITS[0], q.get("T1").key[1], 10**18), q.get("T2").key]


def test_a_desk_submit_near_the_end_of_time_queues_the_ticket_and_restores() -> None:
    config = DeskConfig.from_dict({"queues": [{"name": "q", "default_allowance": "P60D"}]})
    desk = Desk(config)
    ticket = _ticket(1, at=LATE - timedelta(days=1))
    desk.submit(ticket, at=ticket.created_at)
    assert desk.ticket("T1").queue == "q"
    again = Desk.restore(config, desk.snapshot())
    assert again.snapshot() == desk.snapshot()


# -- 2. key policies and what they return are checked before anything changes ----------------


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: DeadlineKey(default_band="1"),  # type: ignore[arg-type]
            r"^default_band must be an int, got '1'$",
        ),
        (lambda: DeadlineKey(default_band=True), r"^default_band must be an int, got True$"),
        (
            lambda: DeadlineKey(fallback="PT1H"),  # type: ignore[arg-type]
            r"^'fallback' must be a datetime\.timedelta, got 'PT1H'$",
        ),
        (
            lambda: DeadlineKey(fallback=timedelta(hours=-1)),
            r"^'fallback' must not be negative, got datetime\.timedelta\(days=-1, seconds=82800\)$",
        ),
    ],
)
def test_a_deadline_key_refuses_a_bad_field_when_built(
    build: Callable[[], object], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        build()


class _Returns:
    """A key policy that returns what it is told (a custom policy gone wrong)."""

    def __init__(self, result: object) -> None:
        self.result = result

    def __call__(self, context: KeyContext, /) -> tuple[int, int]:
        return self.result  # type: ignore[return-value]


@pytest.mark.parametrize(
    "result",
    [
        ("1", 0),
        (0, "x"),
        (0, MAX_US + 1),
        (2**31, 0),
        (True, 0),
        (0, 1.5),
        [0, 0],
        (0, 0, 0),
        None,
    ],
)
def test_push_refuses_a_key_no_queue_can_hold_and_queues_nothing(result: object) -> None:
    policy = _Returns((0, 0))
    q = TicketQueue("q", policy)
    q.push(_ticket(1), at=T0)
    before = _contents(q)
    policy.result = result
    with pytest.raises(ConfigError, match=r"must return \(band, virtual_due_us\)"):
        q.push(_ticket(2), at=T0)
    with pytest.raises(ConfigError, match=r"must return \(band, virtual_due_us\)"):
        q.reprioritize(_ticket(1, priority="high"))
    assert _contents(q) == before
    assert "T2" not in q
    policy.result = (0, 0)
    # The failed push took no sequence number: the next ticket gets the one after T1's.
    assert q.push(_ticket(2), at=T0).key == (0, 0, 1)


def test_a_sequence_that_is_no_count_is_refused_when_the_queue_is_built() -> None:
    # A sequence that hands out something no int compares with (or runs out) would fail a
    # push part way: such a sequence is refused up front, with a ConfigError naming it.
    def sequence() -> Iterator[Any]:
        yield 0
        yield "x"

    given = sequence()
    with pytest.raises(ConfigError, match=r"^sequence must be an itertools\.count\(\) of step 1"):
        TicketQueue("q", DeadlineKey(fallback=timedelta(minutes=5)), sequence=given)
    assert next(given) == 0  # not read
    q = TicketQueue("q", DeadlineKey(fallback=timedelta(minutes=5)), sequence=itertools.count(7))
    q.push(_ticket(1), at=T0)
    assert q.push(_ticket(2), at=T0).key[2] == 8
    assert [e.ticket_id for e in q] == ["T1", "T2"]


@pytest.mark.parametrize("key", ["deadline", "aging", 42, None, AgingKey])
def test_a_queue_spec_refuses_a_key_that_is_not_a_key_policy(key: object) -> None:
    err = _refused(lambda: QueueSpec("q", key))  # type: ignore[arg-type]
    assert err.path == "key"
    assert err.detail.startswith("expected a key policy (AgingKey(), DeadlineKey() or a callable")
    if key == "deadline":
        assert err.detail.endswith("got 'deadline' (DeadlineKey() is that policy)")


def test_an_entry_built_by_hand_with_a_bad_key_is_not_inserted() -> None:
    q = TicketQueue("q")
    sig = Signature("chat")
    for bad in ((2**31, 0, 0), ("1", 0, 0), (0, MAX_US + 1, 0), (0, 0, "s")):
        with pytest.raises(CsflowError):
            q.insert(QueuedTicket("T1", bad, sig, 0))  # type: ignore[arg-type]
    assert len(q) == 0
    assert q.insert(QueuedTicket("T1", (0, 0, 0), sig, 0)).key == (0, 0, 0)


# -- 3. escalation rules are checked as triage rules are --------------------------------------

_ESCALATING: dict[str, Any] = {
    "queues": [{"name": "general"}, {"name": "escalated"}],
}


def _escalation_rule(then: dict[str, Any], field: str = "event") -> list[dict[str, Any]]:
    return [{"name": "breach", "when": {"field": field, "eq": "breach"}, "then": then}]


def test_an_escalation_rule_naming_an_unknown_queue_is_refused_at_its_path() -> None:
    doc = {**_ESCALATING, "escalation_rules": _escalation_rule({"queue": "escalatd"})}
    err = _refused(lambda: DeskConfig.from_dict(doc))
    assert (err.path, err.detail) == (
        "escalation_rules[0].then.queue",
        "unknown queue 'escalatd'; known: ['escalated', 'general']",
    )
    ok = {**_ESCALATING, "escalation_rules": _escalation_rule({"queue": "escalated"})}
    assert isinstance(DeskConfig.from_dict(ok).escalation_policy, RuleEscalationPolicy)


def test_an_escalation_rule_on_a_misspelt_field_is_refused_at_its_path() -> None:
    doc = {**_ESCALATING, "escalation_rules": _escalation_rule({"notify": ["lead"]}, "evnt")}
    err = _refused(lambda: DeskConfig.from_dict(doc))
    assert err.path == "escalation_rules[0].when.field"
    assert err.detail.startswith("unknown field 'evnt'")
    for field in ("metric", "customer.tier", "attributes.order_value"):
        fine = {**_ESCALATING, "escalation_rules": _escalation_rule({"tags": ["x"]}, field)}
        DeskConfig.from_dict(fine)


def test_a_python_built_config_refuses_an_escalation_to_an_unknown_queue() -> None:
    policy = RuleEscalationPolicy(_escalation_rule({"queue": "nowhere"}))
    base = DeskConfig.from_dict(_ESCALATING)
    err = _refused(lambda: attrs.evolve(base, escalation_policy=policy))
    assert err.path == "escalation_policy.rules[0].then.queue"
    assert err.detail.startswith("unknown queue 'nowhere'")


# -- 4. and 5. allowances name declared tiers, at their path ----------------------------------


@pytest.mark.parametrize(
    ("allowance", "detail"),
    [
        ("platnum", "unknown tier 'platnum'; known: ['platinum', 'regular']"),
        ("platnum:urgent", "unknown tier 'platnum'; known: ['platinum', 'regular']"),
        ("Platinum", "tier name must be a lowercase name"),
        ("*", "'*' alone is no tier and matches no ticket"),
        ("gold:soon", "unknown tier 'gold'"),
        ("regular:soon", "priority must be one of 'low', 'normal', 'high', 'urgent', got 'soon'"),
        (
            "regular:urgent:x",
            "priority must be one of 'low', 'normal', 'high', 'urgent', got 'urgent:x'",
        ),
    ],
)
def test_an_allowance_naming_no_declared_tier_or_priority_is_refused_at_its_path(
    allowance: str, detail: str
) -> None:
    doc = {
        "tiers": TIERS,
        "queues": [
            {"name": "general"},
            {"name": "vip", "allowances": {"regular": "PT5M", allowance: "PT30S"}},
        ],
    }
    err = _refused(lambda: DeskConfig.from_dict(doc))
    assert err.path == f"queues[1].allowances.{allowance}"
    assert err.detail.startswith(detail)


def test_allowances_of_declared_tiers_and_of_every_tier_for_one_priority_apply() -> None:
    doc = {
        "tiers": TIERS,
        "queues": [{"name": "q", "allowances": {"platinum": "PT30S", "*:low": "PT1H"}}],
    }
    key = DeskConfig.from_dict(doc).queues[0].key
    assert isinstance(key, AgingKey)
    assert key.allowance_us("platinum", Priority.NORMAL) == 30 * S
    assert key.allowance_us("regular", Priority.LOW) == 3600 * S
    assert key.allowance_us("regular", Priority.NORMAL) == 600 * S
    # Without declared tiers, any tier name is open.
    open_doc = {"queues": [{"name": "q", "allowances": {"gold": "PT1M"}}]}
    assert DeskConfig.from_dict(open_doc).queues[0].key.allowance_us("gold", Priority.LOW) == 60 * S  # type: ignore[attr-defined]


def test_aging_key_and_desk_config_refuse_allowances_that_never_apply() -> None:
    with pytest.raises(ConfigError, match=r"^allowance key '\*' alone matches no ticket"):
        AgingKey({"*": timedelta(minutes=1)})
    with pytest.raises(ConfigError, match=r"^allowance key 'Platinum' names no possible tier"):
        AgingKey({"Platinum": timedelta(minutes=1)})
    with pytest.raises(ConfigError, match=r"^allowance key \('Gold', 'low'\) names no possible"):
        AgingKey({("Gold", "low"): timedelta(minutes=1)})
    spec = QueueSpec("q", AgingKey({("platnum", "urgent"): timedelta(minutes=1)}))
    err = _refused(lambda: DeskConfig(tiers=[Tier("platinum", 4)], queues=[spec]))
    assert (err.path, err.detail) == (
        "queues[0].key.allowances.platnum:urgent",
        "allowance of unknown tier 'platnum'; known: ['platinum']",
    )


# -- 6. a deadline queue keeps its due instant on a priority change ---------------------------


def test_reprioritize_without_due_keeps_the_deadline_and_moves_the_band() -> None:
    q = TicketQueue("finance", DeadlineKey(fallback=timedelta(hours=4)))
    a, b = _ticket(1), _ticket(2)
    q.push(a, at=T0, due=T0 + timedelta(minutes=10))
    q.push(b, at=T0, due=T0 + timedelta(hours=1))
    high = q.reprioritize(attrs.evolve(a, priority="high"))
    assert high.virtual_due == T0 + timedelta(minutes=10)
    assert [e.ticket_id for e in q] == ["T1", "T2"]
    urgent = q.reprioritize(attrs.evolve(b, priority="urgent"))
    assert urgent.key[:2] == (0, q.get("T2").virtual_due_us)
    assert urgent.virtual_due == T0 + timedelta(hours=1)
    assert [e.ticket_id for e in q] == ["T2", "T1"]
    # With a due instant, the new one is used.
    moved = q.reprioritize(a, due=T0 + timedelta(hours=2))
    assert moved.virtual_due == T0 + timedelta(hours=2)
    # A queue without a fallback keeps the due instant too, instead of refusing.
    strict = TicketQueue("strict", DeadlineKey())
    strict.push(a, at=T0, due=T0 + timedelta(minutes=3))
    assert strict.reprioritize(attrs.evolve(a, priority="low")).virtual_due == T0 + timedelta(
        minutes=3
    )


# -- 7. load_state checks everything before it changes anything -------------------------------


def _three() -> tuple[dict[str, Any], dict[str, Ticket]]:
    tickets = {f"T{i}": _ticket(i) for i in range(3)}
    src = TicketQueue("q")
    for t in tickets.values():
        src.push(t, at=T0)
    src.watch(timedelta(minutes=1))
    src.refresh(T0 + timedelta(minutes=2))
    return src.to_state(), tickets


def test_a_failed_load_state_leaves_the_queue_empty_and_a_retry_works() -> None:
    good, tickets = _three()
    entries = good["entries"]
    bad_callback = {**good, "entries": [entries[0], [*entries[1][:6], "yes"], entries[2]]}
    bad_view = {**good, "views": [[60 * S, None, ["T0", ["T1"]]]]}
    bad_announced = {**good, "announced": [[60 * S, ["T0"]]]}
    twice = {**good, "views": good["views"] * 2}
    dst = TicketQueue("q")
    err = _refused(lambda: dst.load_state(bad_callback, tickets, itertools.count(10)))
    assert (err.path, err.detail) == (
        "queue.entries[1][6]",
        "'callback' must be True or False, got 'yes'",
    )
    for data, path in (
        (bad_view, "queue.views[0]"),
        (bad_announced, "queue.announced[0]"),
        (twice, "queue.views[1]"),
    ):
        err = _refused(partial(dst.load_state, data, tickets, itertools.count(10)))
        assert err.path == path
        assert len(dst) == 0
        assert dst.to_state() == {"entries": [], "views": [], "announced": []}
    dst.load_state(good, tickets, itertools.count(10))
    assert dst.to_state() == good


# -- 8. Signature.relaxed refuses what RelaxationStep refuses ---------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"proficiency": "3"}, r"^proficiency must be an int from 1 to 5 or None, got '3'$"),
        ({"proficiency": 0}, r"^proficiency must be an int from 1 to 5 or None, got 0$"),
        ({"proficiency": 9}, r"^proficiency must be an int from 1 to 5 or None, got 9$"),
        ({"proficiency": True}, r"^proficiency must be an int from 1 to 5 or None, got True$"),
        ({"drop": "refunds"}, r"^drop must be a collection of skill names, got 'refunds'$"),
        ({"drop": 5}, r"^drop must be a collection of skill names, got 5$"),
        ({"any_language": "yes"}, r"^any_language must be True or False, got 'yes'$"),
    ],
)
def test_relaxed_refuses_a_bad_argument(kwargs: dict[str, Any], message: str) -> None:
    sig = Signature("chat", "id", {"refunds": 4, "orders": 2})
    with pytest.raises(ConfigError, match=message):
        sig.relaxed(**kwargs)


def test_relaxed_still_drops_and_lowers_skills() -> None:
    sig = Signature("chat", "id", {"refunds": 4, "orders": 2})
    assert sig.relaxed(drop=["refunds"]) == Signature("chat", "id", {"orders": 2})
    assert sig.relaxed(drop=("refunds",), proficiency=3, any_language=True) == Signature(
        "chat", None, {"orders": 2}
    )
    assert sig.relaxed(proficiency=3) == Signature("chat", "id", {"refunds": 3, "orders": 2})
    assert sig.relaxed(drop=frozenset()) is sig


@pytest.mark.parametrize(
    "bad_key",
    [(2**31, 0), ("1", 0), (1, MAX_US + 1), (1,), None],
)
def test_a_host_key_policy_returning_a_bad_key_refuses_the_submit_and_changes_nothing(
    bad_key: object,
) -> None:
    def policy(ctx: KeyContext) -> Any:
        return bad_key

    desk = Desk(DeskConfig(queues=[QueueSpec("q", policy)]))
    ticket = Ticket("T1", Customer("c", Tier("gold", 1)), "chat", T0)
    for _ in range(2):  # the same refusal again: the first one registered nothing
        with pytest.raises(ConfigError, match="must return \\(band, virtual_due_us\\)"):
            desk.submit(ticket, at=T0)
    assert list(desk.tickets()) == []
    assert desk.waiting_count() == 0


@pytest.mark.parametrize("drop", [[1], ["refunds", None], 5])
def test_a_relaxation_step_drops_skill_names_only(drop: Any) -> None:
    with pytest.raises(ConfigError, match=r"drop must (be a collection of|hold) skill names"):
        RelaxationStep(timedelta(minutes=5), drop=drop)


def _urgent_out_of_range(ctx: KeyContext) -> tuple[int, int]:
    band = 2**31 if ctx.ticket.priority is Priority.URGENT else 1
    return band, ctx.queued_at_us


def test_set_priority_to_a_key_the_host_policy_cannot_give_changes_nothing() -> None:
    desk = Desk(DeskConfig(queues=[QueueSpec("front", _urgent_out_of_range)]))
    desk.submit(Ticket("T1", Customer("c", Tier("gold", 3)), "chat", T0), at=T0)
    before = desk.snapshot()
    with pytest.raises(ConfigError, match="must return \\(band, virtual_due_us\\)"):
        desk.set_priority("T1", "urgent", at=T0 + timedelta(seconds=1))
    assert desk.snapshot() == before
    assert desk.ticket("T1").ticket.priority is Priority.NORMAL


def test_an_escalation_the_host_key_policy_cannot_key_is_skipped_and_said() -> None:
    config = DeskConfig.from_dict(
        {
            "calendars": {"24x7": {"timezone": "UTC", "always_open": True}},
            "sla_policies": [
                {"name": "s", "calendar": "24x7", "targets": {"first_response": "PT10M"}}
            ],
            "default_sla_policy": "s",
            "escalation_rules": [
                {
                    "name": "b",
                    "when": {"field": "event", "eq": "breach"},
                    "then": {"priority": "urgent"},
                }
            ],
        }
    )
    config = attrs.evolve(config, queues=[QueueSpec("default", _urgent_out_of_range)])
    desk = Desk(config)
    desk.submit(Ticket("T1", Customer("c", Tier("gold", 3)), "chat", T0), at=T0)
    events = desk.advance(at=T0 + timedelta(minutes=11))
    (escalated,) = [e for e in events if isinstance(e, SlaEscalated)]
    assert any("priority urgent" in s and "must return" in s for s in escalated.skipped)
    assert desk.ticket("T1").ticket.priority is Priority.NORMAL
    assert [e.ticket_id for e in desk.queue()] == ["T1"]
