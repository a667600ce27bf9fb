"""Persistence and wire formats, third review: what a desk writes, it reads back; what it
could not read back, it refuses when it is given.

1. the config fingerprint sees ``Decimal`` amounts (a goodwill allowance edited is a config
   change), by value (``1000`` and ``1000.00`` are one amount); nothing else in a real
   config is read as code, and configs without amounts keep their fingerprints;
2. an ``Advance`` that moves the desk's clock is journaled (it moves the time floor);
3. a supervisor's name longer than a journal row of the command holds is refused;
4. a tampered SLA clock whose instants lie after the snapshot's is refused at its path;
5. ``contacts.max_customers`` and ``max_contacts`` can be lowered by a config change: the
   memories keep what they would have held under the new bounds all along;
6. the docs say the snapshot grows with the customers remembered, up to their bound;
7. ``event_from_dict`` reads csflow's own event classes only;
8. ``event_from_dict`` refuses values no desk writes, in snapshots' histories too.
"""

from __future__ import annotations

import copy
import gc
import json
import pathlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.desk import commands as commands_module
from csflow.desk import feedback, goodwill
from csflow.desk.commands import (
    AddAgent,
    Advance,
    ApproveGoodwill,
    Command,
    DeclineGoodwill,
    GrantGoodwill,
    RecordFeedback,
    Reply,
    Resolve,
    Submit,
    command_from_dict,
    needs_journal,
)
from csflow.desk.fingerprint import _canon, config_fingerprint
from csflow.errors import ConfigError, CsflowError, InvalidTransitionError
from csflow.events import (
    EVENT_VERSION,
    DeskEvent,
    GoodwillGranted,
    GoodwillRequested,
    TicketClosed,
    event_from_dict,
)
from desks import busy_desk, office_desk_doc, seeds_desk_doc
from test_state_snapshot import PEOPLE_DATA

ROOT = pathlib.Path(__file__).resolve().parent.parent
T0 = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)
AYU = Customer("ayu", Tier("gold", 3))
CHAT = {
    "calendars": {"24x7": {"timezone": "Asia/Jakarta", "always_open": True}},
    "sla_policies": [{"name": "chat", "calendar": "24x7", "targets": {"first_response": "PT15M"}}],
    "default_sla_policy": "chat",
}
GOODWILL = {
    "currency": "IDR",
    "decimals": 0,
    "period": "day",
    "timezone": "Asia/Jakarta",
    "allowance": "50000",
    "default_per_ticket": "30000",
    "over_limit": "approval",
}


def chat_config(**changes: Any) -> DeskConfig:
    return DeskConfig.from_dict({**copy.deepcopy(CHAT), **changes})


def json_copy(value: Any) -> Any:
    return json.loads(json.dumps(value))


# ---------------------------------------------------------------------------------------------
# 1. The fingerprint sees amounts


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("allowance", "1000"),
        ("default_per_ticket", "500"),
        ("agents", {"sari": "1000"}),
        ("teams", {"front": "2000"}),
        ("per_ticket", {"gold": "100"}),
    ],
)
def test_an_edited_goodwill_amount_is_a_config_change(field: str, value: Any) -> None:
    before = chat_config(goodwill=GOODWILL)
    after = chat_config(goodwill={**GOODWILL, field: value})
    assert before != after
    old, new = config_fingerprint(before), config_fingerprint(after)
    assert [k for k in new["parts"] if new["parts"][k] != old["parts"][k]] == ["goodwill"]
    desk = Desk(before)
    desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=T0, presence="available")
    desk.submit(Ticket("T1", AYU, "chat", T0), at=T0)
    desk.grant_goodwill("T1", "sari", "20000", "late", at=T0)
    with pytest.raises(ConfigError, match=r"^snapshot\.config: .* in goodwill; pass"):
        Desk.restore(after, desk.snapshot())
    assert Desk.restore(after, desk.snapshot(), on_config_change=[]).goodwill_balances()


def test_equal_amounts_have_one_fingerprint_as_they_make_equal_configs() -> None:
    euro = {**GOODWILL, "currency": "EUR", "decimals": 2}
    plain = chat_config(goodwill={**euro, "allowance": "1000", "agents": {"sari": "5"}})
    spelled = chat_config(goodwill={**euro, "allowance": "1000.00", "agents": {"sari": "5.0"}})
    assert plain == spelled
    assert config_fingerprint(plain) == config_fingerprint(spelled)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("1000", "1E+3", True),
        ("1000", "1000.000", True),
        ("0", "-0.00", True),
        ("0.5", "0.50", True),
        ("1000", "1001", False),
        ("0.1", "0.01", False),
        ("-1", "1", False),
        # Exact past the default context's 28 digits: no rounding hides a difference.
        ("1." + "0" * 40 + "1", "1", False),
        ("1" + "0" * 40, "1E+40", True),
    ],
)
def test_an_amount_is_canonical_by_its_exact_value(a: str, b: str, same: bool) -> None:
    assert (_canon(Decimal(a)) == _canon(Decimal(b))) is same
    assert (Decimal(a) == Decimal(b)) is same
    assert isinstance(_canon(Decimal(a)), str)
    assert not _canon(Decimal(a)).startswith("code:")


def _sample_configs() -> list[tuple[str, DeskConfig]]:
    from csflow.cli.documents import load_document
    from csflow.samples import demo_desk_data

    out = [
        ("office", DeskConfig.from_dict(office_desk_doc())),
        ("seeds", DeskConfig.from_dict(seeds_desk_doc())),
        ("people", DeskConfig.from_dict(PEOPLE_DATA)),
        ("demo", DeskConfig.from_dict(demo_desk_data())),
        ("goodwill", chat_config(goodwill={**GOODWILL, "agents": {"a": "1"}, "teams": {"t": "2"}})),
    ]
    for path in sorted((ROOT / "examples" / "configs").glob("*.yaml")):
        out.append((path.name, load_document(path).configs()[0]))
    return out


def _codes(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.startswith("code:") or value == "..." else []
    if isinstance(value, dict):
        return [c for v in value.values() for c in _codes(v)]
    if isinstance(value, list):
        return [c for v in value for c in _codes(v)]
    return []


def test_no_value_of_a_real_config_is_read_as_code() -> None:
    """Only code policies count by their name; every value of the sample and example configs
    (which name no code policy) is seen by the fingerprint."""
    for name, config in _sample_configs():
        for f in attrs.fields(DeskConfig):
            assert _codes(_canon(getattr(config, f.name))) == [], (name, f.name)


def test_configs_without_amounts_keep_their_fingerprints() -> None:
    """Pinned before amounts were canonicalised: a host's saved desks without goodwill still
    restore after the upgrade."""
    people = {k: v for k, v in PEOPLE_DATA.items() if k != "goodwill"}
    assert [
        config_fingerprint(DeskConfig.from_dict(seeds_desk_doc()))["hash"],
        config_fingerprint(DeskConfig.from_dict(people))["hash"],
        config_fingerprint(DeskConfig())["hash"],
    ] == [
        "d50f8b7d38b9b3e2fdae474df40edf645651ada55d8154e2b427ea00710c2d6a",
        "54666ff84286a9c8abba3c315aa483b1cce28a58958e08b5250fc0aa85098094",
        "7ef4d01e3e3510358e7c43806b5a8cbd2481d409ae904c4215f85f339d96ce5a",
    ]


# ---------------------------------------------------------------------------------------------
# 2. An advance that moves the clock is journaled


def _journaling_host(config: DeskConfig) -> tuple[Desk, dict[str, Any], list[Any], Any]:
    desk = Desk(config)
    base = json_copy(desk.snapshot())
    journal: list[Any] = []

    def run(cmd: Command) -> str | list[str]:
        needed = needs_journal(desk, cmd)
        try:
            events = desk.apply(cmd)
        except CsflowError as exc:
            return type(exc).__name__
        if needed:
            journal.append(json_copy(cmd.to_dict()))
        return [type(e).__name__ for e in events]

    return desk, base, journal, run


def test_an_advance_that_moves_the_clock_is_journaled_so_a_restart_refuses_alike() -> None:
    config = chat_config()
    desk, base, journal, run = _journaling_host(config)
    run(AddAgent(AgentProfile("sari", capacity={"chat": 1}), "available", at=T0))
    run(Submit(Ticket("T-1", AYU, "chat", T0), at=T0))
    late = T0 + timedelta(minutes=5)
    assert needs_journal(desk, Advance(at=late))  # nothing due, but the clock moves
    assert run(Advance(at=late)) == []
    assert not needs_journal(desk, Advance(at=late))  # the desk's own instant: nothing
    assert run(Advance(at=late)) == []
    restarted = Desk.restore(config, base, journal=journal)
    assert restarted.now == desk.now == late
    lagging = Reply("T-1", "sari", at=T0 + timedelta(minutes=3))
    with pytest.raises(InvalidTransitionError):
        desk.apply(lagging)
    with pytest.raises(InvalidTransitionError):
        restarted.apply(lagging)
    assert [e["type"] for e in journal] == ["AddAgent", "Submit", "Advance"]


@settings(max_examples=40)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(["advance", "reply", "submit"]), st.integers(0, 3)), max_size=12
    )
)
def test_a_desk_restored_from_its_journal_is_the_desk(steps: list[tuple[str, int]]) -> None:
    """Whatever the host advances, the restored desk has the original's clock and state, and
    refuses (or accepts) a command at any instant as the original does."""
    config = chat_config()
    desk, base, journal, run = _journaling_host(config)
    run(AddAgent(AgentProfile("sari", capacity={"chat": 9}), "available", at=T0))
    at, n = T0, 0
    for kind, minutes in steps:
        at += timedelta(minutes=minutes)
        if kind == "advance":
            run(Advance(at=at))
        elif kind == "submit":
            n += 1
            run(Submit(Ticket(f"T-{n}", AYU, "chat", at), at=at))
        elif n:
            run(Reply(f"T-{n}", "sari", at=at))
    restored = Desk.restore(config, base, journal=journal)
    assert restored.now == desk.now
    assert restored.snapshot() == desk.snapshot()
    probe = Advance(at=desk.now - timedelta(seconds=1)) if desk.now else None
    if probe is not None:
        with pytest.raises(InvalidTransitionError):
            desk.apply(probe)
        with pytest.raises(InvalidTransitionError):
            restored.apply(probe)


# ---------------------------------------------------------------------------------------------
# 3. What a command row cannot hold, the desk refuses


def _goodwill_request() -> tuple[Desk, dict[str, Any], list[Any], Any, str]:
    desk, base, journal, run = _journaling_host(chat_config(goodwill=GOODWILL))
    run(AddAgent(AgentProfile("sari", capacity={"chat": 1}), "available", at=T0))
    run(Submit(Ticket("T-1", AYU, "chat", T0), at=T0))
    (requested,) = desk.apply(GrantGoodwill("T-1", "sari", "40000", "late", at=T0))
    journal.append(json_copy(GrantGoodwill("T-1", "sari", "40000", "late", at=T0).to_dict()))
    assert isinstance(requested, GoodwillRequested)
    return desk, base, journal, run, requested.request_id


@pytest.mark.parametrize("kind", [ApproveGoodwill, DeclineGoodwill])
@pytest.mark.parametrize("name", ["", "S" * 4097, "S" * 70_000])
def test_a_supervisor_name_no_journal_row_holds_is_refused(kind: type[Any], name: str) -> None:
    desk, *_, rid = _goodwill_request()
    before = desk.snapshot()
    method = getattr(desk, kind.method)
    with pytest.raises(ConfigError, match=r"^supervisor must be a string of 1 to 4096 characters"):
        method(rid, name, at=T0)
    # Nor is such a command value built: no journal row could read it back.
    with pytest.raises(ConfigError, match=r"^supervisor: expected a non-empty string"):
        kind(rid, name, at=T0)
    assert desk.snapshot() == before
    assert desk.goodwill_requests() == (rid,)


@pytest.mark.parametrize("kind", [ApproveGoodwill, DeclineGoodwill])
def test_the_longest_supervisor_name_restores_from_journal_and_snapshot(kind: type[Any]) -> None:
    desk, base, journal, run, rid = _goodwill_request()
    assert run(kind(rid, "S" * 4096, at=T0)) in (["GoodwillGranted"], ["GoodwillDeclined"])
    config = desk.config
    from_journal = Desk.restore(config, base, journal=journal)
    from_snapshot = Desk.restore(config, json_copy(desk.snapshot()))
    assert from_journal.snapshot() == from_snapshot.snapshot() == desk.snapshot()


def test_the_desks_text_caps_are_within_the_readers() -> None:
    """Every free-text argument of a desk command is held by the desk to at most what
    ``command_from_dict`` (4,096 characters) and the snapshot's reader (65,536) read back."""
    cap = commands_module._MAX_TEXT
    assert cap == 4096
    assert cap >= feedback.MAX_COMMENT_CHARS
    assert cap >= goodwill.MAX_REASON_CHARS
    for make in (
        lambda s: Ticket(s, AYU, "chat", T0),
        lambda s: Customer(s, Tier("gold", 3)),
        lambda s: AgentProfile(s),
        lambda s: AgentProfile("a", name=s),
    ):
        make("x" * 256)
        with pytest.raises(ConfigError, match=r"at most 256 characters"):
            make("x" * 257)
    row = ApproveGoodwill("r", "S" * cap, at=T0).to_dict()
    assert command_from_dict(json_copy(row)) == ApproveGoodwill("r", "S" * cap, at=T0)
    with pytest.raises(ConfigError, match=r"^command\.supervisor: "):
        command_from_dict({**row, "supervisor": "S" * (cap + 1)})


# ---------------------------------------------------------------------------------------------
# 4. A clock's instants are the snapshot's at the latest


def _busy() -> tuple[DeskConfig, dict[str, Any]]:
    config = DeskConfig.from_dict(seeds_desk_doc())
    return config, json_copy(busy_desk(config).snapshot())


@pytest.mark.parametrize("metric", ["first_response", "resolution"])
@pytest.mark.parametrize("ticket", [0, 1])
def test_a_clock_last_after_the_snapshot_is_refused(ticket: int, metric: str) -> None:
    config, snap = _busy()
    clock = snap["state"]["tickets"][ticket]["sla"]["clocks"][metric]
    clock["last"] *= 2  # some year 2082
    if clock["next"] is not None:  # a running clock: its next event must follow it too
        clock["next"] = clock["last"] + 1
        clock["due"] = None
    where = rf"^snapshot\.state\.tickets\[{ticket}\]\.sla\.clocks\.{metric}\.(last|next)"
    with pytest.raises(ConfigError, match=where):
        Desk.restore(config, snap)


def test_a_met_clock_last_after_the_snapshot_is_refused_at_its_last() -> None:
    config, snap = _busy()
    clock = snap["state"]["tickets"][0]["sla"]["clocks"]["first_response"]
    assert clock["state"] == "met"
    assert clock["next"] is None
    now = snap["state"]["tickets"][0]["sla"]["clocks"]["resolution"]["used_at"][0]
    clock["last"] = now + 1  # one µs after the snapshot's instant
    with pytest.raises(
        ConfigError,
        match=r"^snapshot\.state\.tickets\[0\]\.sla\.clocks\.first_response\.last: expected an "
        r"instant not after the snapshot's",
    ):
        Desk.restore(config, snap)


@pytest.mark.parametrize(
    ("tamper", "index"),
    [
        (lambda h, c, now: [h[0], now + 1], 1),  # after the snapshot
        (lambda h, c, now: [h[1], h[0]], 1),  # out of order
        (lambda h, c, now: [c["started"] - 1, h[1]], 0),  # before the clock started
        (lambda h, c, now: [-(10**30), h[1]], 0),  # no instant at all
    ],
)
def test_a_clock_pause_history_out_of_its_span_is_refused(tamper: Any, index: int) -> None:
    config, snap = _busy()
    clock = snap["state"]["tickets"][0]["sla"]["clocks"]["resolution"]
    history = clock["history"]
    assert history is not None
    assert len(history) == 2
    now = clock["used_at"][0]
    clock["history"] = tamper(history, clock, now)
    with pytest.raises(
        ConfigError,
        match=rf"^snapshot\.state\.tickets\[0\]\.sla\.clocks\.resolution\.history\[{index}\]: ",
    ):
        Desk.restore(config, snap)


def test_an_untampered_busy_desk_still_restores() -> None:
    config, snap = _busy()
    assert Desk.restore(config, snap).snapshot() == snap


# ---------------------------------------------------------------------------------------------
# 5. Lowering the contact memory's bounds


def _contacts_doc(**contacts: Any) -> dict[str, Any]:
    return {**copy.deepcopy(CHAT), "contacts": {"window": "PT1H", **contacts}}


def _serve(config: DeskConfig, customers: int, gap: timedelta) -> Desk:
    desk = Desk(config)
    desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=T0, presence="available")
    at = T0
    for i in range(customers):
        for j in range(2):  # each customer comes twice: two contacts in the window
            at += gap
            tid = f"T{i}-{j}"
            desk.submit(Ticket(tid, Customer(f"c{i}", Tier("gold", 3)), "chat", at), at=at)
            desk.resolve(tid, "sari", at=at)
            desk.close(tid, at=at)
            desk.forget(tid, at=at)
    return desk


@pytest.mark.parametrize(
    ("bounds", "gap"),
    [
        ({"max_customers": 2}, timedelta(days=1)),  # only last agents left: the window passed
        ({"max_customers": 2}, timedelta(minutes=1)),  # contacts within the window too
        ({"max_contacts": 1}, timedelta(minutes=1)),
        ({"max_customers": 1, "max_contacts": 1}, timedelta(minutes=1)),
    ],
)
def test_lowered_contact_bounds_keep_what_the_new_bounds_would_have_kept(
    bounds: dict[str, int], gap: timedelta
) -> None:
    wide = DeskConfig.from_dict(_contacts_doc(max_contacts=3, max_customers=10))
    narrow = DeskConfig.from_dict(
        _contacts_doc(**{"max_contacts": 3, "max_customers": 10, **bounds})
    )
    desk = _serve(wide, 4, gap)
    snap = json_copy(desk.snapshot())
    with pytest.raises(ConfigError, match=r"in contacts"):
        Desk.restore(narrow, snap)
    restored = Desk.restore(narrow, snap, on_config_change=[])
    all_along = _serve(narrow, 4, gap).snapshot()["state"]
    state = restored.snapshot()["state"]
    assert state["last_agent"] == all_along["last_agent"]
    assert state["contacts"] == all_along["contacts"]
    assert len(state["last_agent"]) <= narrow.contacts.max_customers  # type: ignore[union-attr]


def test_over_the_bounds_under_the_same_config_is_still_a_tampered_snapshot() -> None:
    config = DeskConfig.from_dict(_contacts_doc(max_contacts=2, max_customers=2))
    snap = json_copy(_serve(config, 2, timedelta(minutes=1)).snapshot())
    extra = copy.deepcopy(snap)
    extra["state"]["last_agent"].insert(0, ["c9", "sari", extra["state"]["last_agent"][0][2]])
    with pytest.raises(ConfigError, match=r"^snapshot\.state\.last_agent\[2\]: more than"):
        Desk.restore(config, extra)
    extra = copy.deepcopy(snap)
    extra["state"]["contacts"][0][1].insert(0, list(extra["state"]["contacts"][0][1][0]))
    with pytest.raises(ConfigError, match=r"^snapshot\.state\.contacts\[0\]: expected"):
        Desk.restore(config, extra)


def test_a_customer_twice_is_refused_under_a_config_change_too() -> None:
    wide = DeskConfig.from_dict(_contacts_doc(max_contacts=3, max_customers=10))
    narrow = DeskConfig.from_dict(_contacts_doc(max_contacts=3, max_customers=1))
    snap = json_copy(_serve(wide, 3, timedelta(days=1)).snapshot())
    rows = snap["state"]["last_agent"]
    rows.append([rows[0][0], "sari", rows[-1][2]])
    with pytest.raises(
        ConfigError, match=r"^snapshot\.state\.last_agent\[3\]: customer 'c0' twice"
    ):
        Desk.restore(narrow, snap, on_config_change=[])


# ---------------------------------------------------------------------------------------------
# 6. The docs say what the snapshot grows with


def test_the_docs_bound_the_snapshot_by_the_customers_remembered() -> None:
    page = (ROOT / "docs" / "how-to" / "persisting.md").read_text(encoding="utf-8")
    section = page.split("## What a snapshot holds", 1)[1].split("\n## ", 1)[0]
    assert "O(tickets not forgotten + agents + customers\nremembered)" in section
    assert "`contacts.max_customers`" in section
    assert "contacts.max_customers" in (Desk.snapshot.__doc__ or "")
    from csflow.desk import state

    assert "contacts.max_customers" in (state.__doc__ or "").split("What a snapshot keeps")[1]


# ---------------------------------------------------------------------------------------------
# 7. Only csflow's own event classes


def test_a_hosts_event_class_of_a_csflow_name_does_not_take_over_decoding() -> None:
    row = TicketClosed(T0, "T-1").to_dict()

    @attrs.frozen
    class Hosts(DeskEvent):
        crm_ref: str = ""

    Hosts.__name__ = Hosts.__qualname__ = "TicketClosed"  # the host's own "TicketClosed"
    try:
        back = event_from_dict(json_copy(row))
        assert type(back) is TicketClosed
        assert back == TicketClosed(T0, "T-1")
    finally:
        del Hosts
        gc.collect()


def test_a_hosts_own_event_type_is_not_read() -> None:
    @attrs.frozen
    class CrmSynced(DeskEvent):
        crm_ref: str

    row = {**CrmSynced(T0, "T-1", "crm-9").to_dict()}
    try:
        with pytest.raises(ConfigError, match=r"^event\.type: unknown event type 'CrmSynced'"):
            event_from_dict(json_copy(row))
    finally:
        del CrmSynced
        gc.collect()


# ---------------------------------------------------------------------------------------------
# 8. Values no desk writes

AT = "2026-03-16T02:00:00+00:00"
ROWS: dict[str, dict[str, Any]] = {
    "FeedbackRecorded": {
        "type": "FeedbackRecorded",
        "version": 1,
        "at": AT,
        "ticket_id": "t",
        "rating": 5,
        "comment": "",
        "cycle": 1,
        "agent_id": None,
        "tier": "gold",
        "channel": "chat",
        "queue": "q",
        "team": None,
    },
    "TicketAssigned": {
        "type": "TicketAssigned",
        "version": 1,
        "at": AT,
        "ticket_id": "t",
        "agent_id": "a",
        "waited": 5.0,
        "candidates": 1,
        "reason": "",
        "contacts": 0,
        "last_contact_at": None,
        "last_agent": None,
        "open_tickets": 0,
    },
    "SlaWarning": {
        "type": "SlaWarning",
        "version": 1,
        "at": AT,
        "ticket_id": "t",
        "metric": "first_response",
        "threshold": 0.5,
        "due_at": AT,
    },
    "SlaBreached": {
        "type": "SlaBreached",
        "version": 1,
        "at": AT,
        "ticket_id": "t",
        "metric": "first_response",
        "due_at": AT,
        "target": "PT900S",
    },
    "SlaMet": {
        "type": "SlaMet",
        "version": 1,
        "at": AT,
        "ticket_id": "t",
        "metric": "first_response",
        "elapsed": "PT0S",
        "target": "PT900S",
        "breached": False,
    },
    "GoodwillDeclined": {
        "type": "GoodwillDeclined",
        "version": 1,
        "at": AT,
        "ticket_id": "t",
        "request_id": "t/goodwill/1",
        "agent_id": "a",
        "amount": "10",
        "supervisor": "s",
    },
    "GoodwillGranted": {
        "type": "GoodwillGranted",
        "version": 1,
        "at": AT,
        "ticket_id": "t",
        "agent_id": "a",
        "amount": "10.5",
        "currency": "EUR",
        "reason": "late",
        "tier": "gold",
        "budget": "agent:a",
        "remaining": "0",
        "approved_by": None,
        "request_id": None,
    },
    "TicketRelaxed": {
        "type": "TicketRelaxed",
        "version": 1,
        "at": AT,
        "ticket_id": "t",
        "step": 1,
        "requirements": "",
        "description": "",
    },
    "TicketTransferred": {
        "type": "TicketTransferred",
        "version": 1,
        "at": AT,
        "ticket_id": "t",
        "from_agent": None,
        "to": "b",
        "transfers": 1,
    },
    "TicketAbandoned": {
        "type": "TicketAbandoned",
        "version": 1,
        "at": AT,
        "ticket_id": "t",
        "waited": 0.0,
    },
    "TicketClosed": {"type": "TicketClosed", "version": 1, "at": AT, "ticket_id": "t"},
    "SlaCancelled": {
        "type": "SlaCancelled",
        "version": 1,
        "at": AT,
        "ticket_id": "t",
        "metric": "next_response",
    },
    "AgentPresenceChanged": {
        "type": "AgentPresenceChanged",
        "version": 1,
        "at": AT,
        "agent_id": "a",
        "old": None,
        "new": "available",
    },
}


def test_the_rows_in_range_read_back() -> None:
    # Version-1 rows: written again they are the current version, an SLA result with no cycle.
    for row in ROWS.values():
        want = {**row, "version": EVENT_VERSION}
        if row["type"] in ("SlaBreached", "SlaMet", "SlaCancelled"):
            want["cycle_start"] = None
        assert event_from_dict(json_copy(row)).to_dict() == want


OUT_OF_RANGE: list[tuple[str, str, Any]] = [
    ("FeedbackRecorded", "rating", 10**400),
    ("FeedbackRecorded", "rating", 0),
    ("FeedbackRecorded", "rating", 6),
    ("FeedbackRecorded", "cycle", -7),
    ("FeedbackRecorded", "cycle", 0),
    ("FeedbackRecorded", "comment", "x" * 2001),
    ("TicketAssigned", "waited", -5.0),
    ("TicketAssigned", "candidates", -1),
    ("TicketAssigned", "candidates", 10**400),
    ("TicketAssigned", "contacts", -3),
    ("TicketAssigned", "open_tickets", -9),
    ("TicketAssigned", "agent_id", ""),
    ("TicketAssigned", "last_agent", "x" * 257),
    ("SlaWarning", "threshold", -3.0),
    ("SlaWarning", "threshold", 0.0),
    ("SlaWarning", "threshold", 1.5),
    ("SlaBreached", "target", "-PT900S"),
    ("SlaBreached", "target", "PT0S"),
    ("SlaMet", "elapsed", "-PT1S"),
    ("GoodwillDeclined", "amount", "-1E+999999999"),
    ("GoodwillDeclined", "amount", "1E+999999999"),
    ("GoodwillDeclined", "amount", "0"),
    ("GoodwillDeclined", "amount", "0.0000001"),
    ("GoodwillDeclined", "amount", "1E+15"),
    ("GoodwillDeclined", "supervisor", ""),
    ("GoodwillDeclined", "supervisor", "S" * 4097),
    ("GoodwillGranted", "remaining", "-1"),
    ("GoodwillGranted", "reason", ""),
    ("GoodwillGranted", "reason", "r" * 201),
    ("GoodwillGranted", "approved_by", ""),
    ("TicketRelaxed", "step", 0),
    ("TicketTransferred", "transfers", -1),
    ("TicketTransferred", "from_agent", ""),
    ("TicketAbandoned", "waited", -0.5),
    ("TicketClosed", "ticket_id", ""),
    ("TicketClosed", "ticket_id", "t" * 257),
    ("AgentPresenceChanged", "agent_id", ""),
]


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    OUT_OF_RANGE,
    ids=[f"{k}.{f}-{i}" for i, (k, f, _) in enumerate(OUT_OF_RANGE)],
)
def test_a_value_no_desk_writes_is_refused_at_its_path(kind: str, field: str, value: Any) -> None:
    row = {**ROWS[kind], field: value}
    with pytest.raises(ConfigError) as info:
        event_from_dict(json_copy(row))
    assert info.value.path == f"event.{field}", str(info.value)


def test_the_ranges_are_the_desks() -> None:
    """The reader's limits restate the desk's (csflow.events imports no desk module)."""
    from csflow import events

    assert events._RATINGS == feedback.RATING_SCALE
    assert events._MAX_COMMENT == feedback.MAX_COMMENT_CHARS
    assert events._MAX_AMOUNT == goodwill.MAX_AMOUNT
    assert events._MAX_REASON == goodwill.MAX_REASON_CHARS
    assert events._MAX_SUPERVISOR == commands_module._MAX_TEXT
    with pytest.raises(ConfigError, match=r"decimals"):
        goodwill.GoodwillPolicy("EUR", decimals=events._MAX_PLACES + 1)
    goodwill.GoodwillPolicy("EUR", decimals=events._MAX_PLACES)


def test_an_event_out_of_range_in_a_snapshots_history_is_refused() -> None:
    config = chat_config()
    desk = Desk(config)
    desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=T0, presence="available")
    desk.submit(Ticket("T-1", AYU, "chat", T0), at=T0)
    desk.apply(Resolve("T-1", "sari", at=T0 + timedelta(minutes=1)))
    desk.record_feedback("T-1", 5, at=T0 + timedelta(minutes=2))
    snap = json_copy(desk.snapshot())
    history = snap["state"]["tickets"][0]["history"]
    (i,) = [k for k, e in enumerate(history) if e["type"] == "FeedbackRecorded"]
    history[i]["rating"] = 10**400
    with pytest.raises(
        ConfigError, match=rf"^snapshot\.state\.tickets\[0\]\.history\[{i}\]\.rating: "
    ):
        Desk.restore(config, snap)


@pytest.mark.parametrize(
    "amount", ["２５０００", "٢٥٠٠٠", "1_000", " 100 ", "100 ", "0x10", "1e", ""]
)
def test_an_amount_on_the_wire_is_written_in_ascii_digits(amount: str) -> None:
    # What a desk writes (its amounts are in the currency's form); Decimal alone would read
    # other scripts' digits, underscores and spaces as numbers.
    row = {**json_copy(ROWS["GoodwillGranted"]), "amount": amount}
    with pytest.raises(ConfigError, match=r"amount: expected a decimal string"):
        event_from_dict(row)
    for ok in ("10", "10.50", "1E+3", "+7", ".5"):
        granted = event_from_dict({**row, "amount": ok})
        assert isinstance(granted, GoodwillGranted)
        assert granted.amount == Decimal(ok)


@pytest.mark.parametrize(
    ("build", "where"),
    [
        (lambda: Reply("", "sari", at=T0), "ticket_id"),
        (lambda: Reply("T-1", "s" * 4097, at=T0), "agent_id"),
        (lambda: Resolve("T-1", 7, at=T0), "agent_id"),  # type: ignore[arg-type]
        (lambda: RecordFeedback("T-1", True, at=T0), "rating"),
        (lambda: RecordFeedback("T-1", 5, None, at=T0), "comment"),  # type: ignore[arg-type]
        (lambda: RecordFeedback("", 5, at=T0), "ticket_id"),
    ],
)
def test_a_command_value_no_journal_row_reads_back_is_not_built(
    build: Callable[[], Command], where: str
) -> None:
    # Every value built reads back from its to_dict (a host journals values it built).
    with pytest.raises(ConfigError) as caught:
        build()
    assert caught.value.path == where


def test_the_values_built_read_back() -> None:
    for value in (
        Reply("T-1", "sari", at=T0),
        RecordFeedback("T-1", 5, at=T0),
        RecordFeedback("T-1", 1, "x" * 4096, at=T0),
        DeclineGoodwill("g-1", "S" * 4096, at=T0),
    ):
        assert command_from_dict(json_copy(value.to_dict())) == value
