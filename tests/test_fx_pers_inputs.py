"""Persistence inputs: fingerprints of deep rule sets, restore arguments, huge ranks,
undeclared names under a changed config, lax events, journal lines."""

from __future__ import annotations

import copy
import json
import pathlib
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csflow import AgentProfile, ConfigError, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.cli import main
from csflow.desk.commands import Submit
from csflow.desk.fingerprint import config_fingerprint, fingerprint_changes
from csflow.errors import UndeclaredNameError
from csflow.events import GoodwillRequested, SlaDeadlineMoved, event_from_dict
from csflow.rules import MAX_DEPTH


def _nested(kinds: list[str], leaf: dict[str, Any]) -> dict[str, Any]:
    c = leaf
    for kind in kinds:
        c = {"not": c} if kind == "not" else {kind: [c]}
    return c


def _triage_config(when: dict[str, Any]) -> DeskConfig:
    return DeskConfig.from_dict(
        {
            "tiers": [{"name": "gold", "rank": 3}, {"name": "regular", "rank": 1}],
            "queues": [{"name": "general"}, {"name": "vip"}],
            "triage": {
                "rules": [{"name": "r", "when": when, "then": {"queue": "vip"}}],
            },
        }
    )


@given(
    kinds=st.one_of(
        st.lists(st.sampled_from(["all", "any", "not"]), max_size=MAX_DEPTH - 1),
        st.lists(st.sampled_from(["all", "any"]), min_size=MAX_DEPTH - 1, max_size=MAX_DEPTH - 1),
    )
)
def test_rule_sets_that_differ_at_any_depth_have_other_fingerprints(kinds: list[str]) -> None:
    a = _triage_config(_nested(kinds, {"field": "tier", "eq": "gold"}))
    b = _triage_config(_nested(kinds, {"field": "tier", "eq": "regular"}))
    assert a != b
    assert fingerprint_changes(config_fingerprint(a), config_fingerprint(b)) == ["triage"]


def test_a_rule_nested_to_the_limit_changes_the_fingerprint() -> None:
    kinds = ["all"] * (MAX_DEPTH - 1)
    a = _triage_config(_nested(kinds, {"field": "tier", "eq": "gold"}))
    b = _triage_config(_nested(kinds, {"field": "tier", "eq": "regular"}))
    assert config_fingerprint(a)["hash"] != config_fingerprint(b)["hash"]


T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def _one_ticket_snapshot() -> tuple[DeskConfig, dict[str, Any]]:
    a = DeskConfig.from_dict({"queues": [{"name": "q"}]})
    desk = Desk(a)
    desk.submit(Ticket("t", Customer("c", Tier("regular", 1)), "chat", T0), at=T0)
    return a, json.loads(json.dumps(desk.snapshot()))


@pytest.mark.parametrize("value", [(), True, False, "yes", {}, 0, ("x",)])
@pytest.mark.parametrize("changed", [False, True])
def test_on_config_change_that_is_no_list_is_refused_first(value: object, changed: bool) -> None:
    a, snap = _one_ticket_snapshot()
    config = DeskConfig.from_dict({"queues": [{"name": "q"}, {"name": "new"}]}) if changed else a
    before = copy.deepcopy(snap)
    with pytest.raises(ConfigError) as info:
        Desk.restore(config, snap, on_config_change=value)  # type: ignore[arg-type]
    assert info.value.path == "on_config_change"
    assert snap == before
    accepted: list[Any] = []
    assert list(Desk.restore(config, snap, on_config_change=accepted).tickets()) == ["t"]


def test_a_huge_tier_rank_is_refused_with_the_path_in_submit_journal_and_snapshot() -> None:
    config = DeskConfig.from_dict(
        {"tiers": [{"name": "gold", "rank": 3}, {"name": "regular", "rank": 1}]}
    )
    huge = 10**5000
    desk = Desk(config)
    with pytest.raises(UndeclaredNameError) as refused:
        desk.submit(Ticket("T", Customer("c", Tier("gold", huge)), "chat", T0), at=T0)
    assert refused.value.path == "ticket.customer.tier"
    assert "about 5,001 digits" in str(refused.value)
    row = Submit(Ticket("T", Customer("c", Tier("gold", 3)), "chat", T0), at=T0).to_dict()
    row["ticket"]["customer"]["tier"]["rank"] = huge
    with pytest.raises(ConfigError) as info:
        Desk.restore(config, Desk(config).snapshot(), journal=[row])
    assert info.value.path == "journal[0].ticket.customer.tier.rank"  # (more digits than JSON)
    desk.submit(Ticket("T", Customer("c", Tier("gold", 3)), "chat", T0), at=T0)
    snap = json.loads(json.dumps(desk.snapshot()))
    snap["state"]["tickets"][0]["ticket"]["customer"]["tier"]["rank"] = huge
    with pytest.raises(ConfigError) as info:
        Desk.restore(config, snap)
    assert info.value.path == "snapshot.state.tickets[0].ticket.customer.tier.rank"


def _names_config(
    tier: str, skills: list[str], channels: list[str], teams: list[str]
) -> DeskConfig:
    return DeskConfig.from_dict(
        {
            "tiers": [{"name": tier, "rank": 3}, {"name": "regular", "rank": 1}],
            "channels": channels,
            "skills": skills,
            "teams": {t: {"queue": "default"} for t in teams[:1]},
        }
    )


def _names_desk(closed: bool) -> tuple[DeskConfig, dict[str, Any]]:
    config = _names_config("gold", ["x", "y"], ["chat", "phone"], ["ops"])
    desk = Desk(config)
    agent = AgentProfile("a", {"x": 2}, capacity={"chat": 1}, teams=("ops",))
    desk.add_agent(agent, at=T0, presence="available")
    desk.submit(Ticket("T", Customer("c", Tier("gold", 3)), "chat", T0), at=T0)
    if closed:
        desk.resolve("T", "a", at=T0)
        desk.close("T", at=T0)
    return config, json.loads(json.dumps(desk.snapshot()))


@pytest.mark.parametrize("closed", [False, True])
@pytest.mark.parametrize(
    ("new", "path", "name"),
    [
        (
            ("goldplus", ["x", "y"], ["chat", "phone"], ["ops"]),
            "tickets[0].ticket.customer.tier",
            "'gold'",
        ),
        (("gold", ["x", "y"], ["email", "phone"], ["ops"]), "tickets[0].ticket.channel", "'chat'"),
        (
            ("gold", ["y"], ["chat", "phone"], ["ops"]),
            "router.pool.agents[0].profile.skills",
            "'x'",
        ),
        (
            ("gold", ["x", "y"], ["chat", "phone"], ["dev"]),
            "router.pool.agents[0].profile.teams",
            "'ops'",
        ),
    ],
)
def test_a_change_that_undeclares_a_name_the_desk_holds_is_refused_with_the_path(
    closed: bool, new: tuple[str, list[str], list[str], list[str]], path: str, name: str
) -> None:
    if closed and path.startswith("router"):
        return  # (an agent is not closed: the open desk covers it)
    _, snap = _names_desk(closed)
    with pytest.raises(ConfigError) as info:
        Desk.restore(_names_config(*new), snap, on_config_change=[])
    assert info.value.path == f"snapshot.state.{path}"
    assert "undeclared" in str(info.value)
    assert name in str(info.value)


def test_a_change_that_keeps_every_name_the_desk_holds_is_accepted() -> None:
    config, snap = _names_desk(False)
    # another tier, skill, channel and team added; the gold tier's rank moved
    moved = DeskConfig.from_dict(
        {
            "tiers": [
                {"name": "gold", "rank": 5},
                {"name": "regular", "rank": 1},
                {"name": "p", "rank": 9},
            ],
            "channels": ["chat", "phone", "email"],
            "skills": ["x", "y", "z"],
            "teams": {"ops": {"queue": "default"}},
        }
    )
    desk = Desk.restore(moved, snap, on_config_change=[])
    # the desk's own later snapshot restores under its config
    assert list(Desk.restore(moved, json.loads(json.dumps(desk.snapshot()))).tickets()) == ["T"]
    assert list(Desk.restore(config, snap).tickets()) == ["T"]


_AT = "2026-03-02T02:00:00+00:00"
_LAX_EVENTS: list[tuple[dict[str, Any], str]] = (
    [
        (
            {
                "type": "SlaDeadlineMoved",
                "ticket_id": "t1",
                "metric": m,
                "old_due": None,
                "new_due": None,
            },
            "metric",
        )
        for m in ("", "bogus", "First_Response")
    ]
    + [
        (
            {
                "type": "GoodwillDeclined",
                "ticket_id": "t1",
                "request_id": rid,
                "agent_id": "a",
                "amount": "5",
                "supervisor": "s",
            },
            "request_id",
        )
        for rid in (
            "",
            "x",
            "t2/goodwill/1",
            "t1/goodwill/0",
            "t1/goodwill/",
            "t1/goodwill/1x",
            "t1/goodwill/٣",
        )
    ]
    + [
        (
            {
                "type": "TicketEscalated",
                "ticket_id": "t1",
                "from_team": None,
                "to_team": "x",
                "escalations": 0,
                "reason": "r",
            },
            "escalations",
        ),
        (
            {
                "type": "TicketTransferred",
                "ticket_id": "t1",
                "from_agent": "a",
                "to": "b",
                "transfers": 0,
            },
            "transfers",
        ),
        (
            {
                "type": "SlaEscalated",
                "ticket_id": "t1",
                "metric": "",
                "kind": "breach",
                "notify": [],
                "tags": [],
                "reason": "r",
                "skipped": [],
            },
            "metric",
        ),
    ]
)


@pytest.mark.parametrize(("row", "field"), _LAX_EVENTS)
def test_an_event_value_no_desk_writes_is_refused_at_its_path(
    row: dict[str, Any], field: str
) -> None:
    with pytest.raises(ConfigError) as info:
        event_from_dict({**row, "version": 1, "at": _AT})
    assert info.value.path == f"event.{field}"


def test_the_events_a_desk_writes_still_read_back() -> None:
    config = DeskConfig.from_dict(
        {
            "goodwill": {
                "currency": "IDR",
                "decimals": 0,
                "period": "day",
                "timezone": "UTC",
                "allowance": "10",
            },
        }
    )
    desk = Desk(config)
    desk.add_agent(AgentProfile("a", capacity={"chat": 1}), at=T0, presence="available")
    desk.add_agent(AgentProfile("b", capacity={"chat": 1}), at=T0, presence="available")
    events = desk.submit(Ticket("t1", Customer("c", Tier("regular", 1)), "chat", T0), at=T0)
    events += desk.grant_goodwill("t1", "a", "50", "voucher", at=T0)  # over: a request
    rid = next(e.request_id for e in events if isinstance(e, GoodwillRequested))
    assert rid.startswith("t1/goodwill/")
    events += desk.decline_goodwill(rid, "s", at=T0)
    events += desk.transfer("t1", "b", at=T0)
    kinds = {type(e).__name__ for e in events}
    assert {"GoodwillRequested", "GoodwillDeclined", "TicketTransferred"} <= kinds
    for e in events:
        assert event_from_dict(json.loads(json.dumps(e.to_dict()))) == e
    moved = SlaDeadlineMoved(T0, "t1", "first_response", None, T0)
    assert event_from_dict(moved.to_dict()) == moved


def test_replay_keeps_a_journal_line_with_a_raw_line_separator_whole(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    desk = Desk(DeskConfig())
    (tmp_path / "desk.json").write_text(json.dumps({"desk": {}}), encoding="utf-8")
    (tmp_path / "snap.json").write_text(json.dumps(desk.snapshot()), encoding="utf-8")
    rows = []
    for n, sep in enumerate(("\u2028", "\u2029", "\u0085", "\x1c")):
        attributes = {"subject": f"Refund{sep}please"}
        t = Ticket(f"t{n}", Customer("c", Tier("gold", 1)), "chat", T0, attributes=attributes)
        rows.append(json.dumps(Submit(t, at=T0).to_dict(), ensure_ascii=False))
    (tmp_path / "journal.jsonl").write_text("\n".join(rows) + "\r\n", encoding="utf-8")
    status = main(
        [
            "replay",
            str(tmp_path / "desk.json"),
            "--snapshot",
            str(tmp_path / "snap.json"),
            "--journal",
            str(tmp_path / "journal.jsonl"),
        ]
    )
    out, err = capsys.readouterr()
    assert status == 0, err
    for n in range(4):
        assert f"t{n}" in out
