"""A tampered goodwill ledger is refused under an accepted config change too.

A snapshot keeps, per allowance, what it spent in its period and its grants of the last 35
days.  Restored under an accepted change of the goodwill ``period`` or ``timezone``, what it
spent is recounted from the grants: so the grants are first checked against what was spent,
as the policy that wrote them drew its period (the snapshot names its ``period`` and
``timezone``).  Random grant programs (grants, some over the allowance and answered by a
supervisor, across day, week, month and DST boundaries in Berlin and Santiago): the snapshot
as written restores under the same policy and under a changed one, whose recount is the
naive one; a grant dropped, lowered, moved across a period boundary or duplicated is
refused under both.  Data written before the ledger named its period and zone is checked as
far as its period's key tells (the zone is not known): refused whenever no grant lies within
a day of the period's local midnight, and documented as undetectable otherwise.
"""

from __future__ import annotations

import copy
import json
import zoneinfo
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.desk.goodwill import GoodwillLedger, GoodwillPolicy, period_key
from csflow.errors import ConfigError
from desks import office_desk_doc

DAY_US = 86_400_000_000
KNOWN = frozenset({"t1", "t2"})
#: Where a program starts, per zone: a few days before a month's end and a DST change.
STARTS = {
    "Europe/Berlin": datetime(2026, 3, 24, 20, tzinfo=UTC),  # DST on 29 March
    "America/Santiago": datetime(2026, 3, 27, 2, tzinfo=UTC),  # DST off on 5 April
}
OTHER_ZONES = ("Europe/Berlin", "America/Santiago", "Pacific/Kiritimati", "Pacific/Pago_Pago")
PERIODS = ("day", "week", "month")


def _us(at: datetime) -> int:
    return (at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def _at(us: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)


def _policy(period: str, zone: str) -> GoodwillPolicy:
    return GoodwillPolicy("EUR", decimals=2, period=period, timezone=zone, allowance="40")


@st.composite
def programs(draw: st.DrawFn) -> tuple[GoodwillPolicy, list[tuple[str, int, Decimal]]]:
    """A policy and a program: grants (some over the allowance: requests), approvals and
    declines, at strictly increasing instants over up to three weeks."""
    zone = draw(st.sampled_from(sorted(STARTS)))
    policy = _policy(draw(st.sampled_from(PERIODS)), zone)
    start = _us(STARTS[zone])
    steps = draw(st.lists(st.integers(1, 36 * 60), min_size=1, max_size=25))
    program = []
    us = start
    for gap in steps:
        us += gap * 60_000_000 + draw(st.integers(0, 59_999_999))
        kind = draw(st.sampled_from(("grant", "grant", "grant", "approve", "decline")))
        cents = draw(st.integers(1, 2500))
        program.append((kind, us, Decimal(cents).scaleb(-2)))
    return policy, program


def _run(
    policy: GoodwillPolicy, program: list[tuple[str, int, Decimal]]
) -> tuple[GoodwillLedger, list[tuple[int, Decimal]]]:
    """The ledger after *program*, and the grants it charged (instant, amount)."""
    ledger = GoodwillLedger(policy)
    charged = []
    for i, (kind, us, amount) in enumerate(program):
        if kind == "grant":
            ticket = f"t{1 + i % 2}"
            verdict = ledger.judge("budi", frozenset(), ticket, "regular", amount, _at(us))
            if verdict.over is None:
                ledger.charge(verdict, ticket, amount)
                charged.append((us, amount))
            else:
                ledger.request(ticket, "budi", amount, "late", "regular")
        elif ledger.requests():
            ledger.settle(ledger.requests()[0], kind == "approve")
    return ledger, charged


def _load(policy: GoodwillPolicy, state: dict[str, Any], changed: bool) -> GoodwillLedger:
    ledger = GoodwillLedger(policy)
    ledger.load_state(json.loads(json.dumps(state)), KNOWN, changed=changed)
    return ledger


def _refused(policy: GoodwillPolicy, state: dict[str, Any], changed: bool) -> str:
    before = json.dumps(state, sort_keys=True)
    with pytest.raises(ConfigError) as err:
        _load(policy, state, changed)
    assert json.dumps(state, sort_keys=True) == before
    return str(err.value)


def _changed(draw: Any) -> GoodwillPolicy:
    """Another policy (or the same one, accepted as a change all the same)."""
    return _policy(draw(st.sampled_from(PERIODS)), draw(st.sampled_from(OTHER_ZONES)))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(programs(), st.data())
def test_a_snapshot_as_written_restores_under_the_same_and_a_changed_policy(
    case: tuple[GoodwillPolicy, list[tuple[str, int, Decimal]]], data: st.DataObject
) -> None:
    policy, program = case
    ledger, charged = _run(policy, program)
    state = ledger.to_state(KNOWN)
    assert _load(policy, state, changed=False).to_state(KNOWN) == state
    new = _changed(data.draw)
    for legacy in (False, True):
        written = copy.deepcopy(state)
        if legacy:  # written before the ledger named its period and zone
            written.pop("period", None), written.pop("timezone", None)
        restored = _load(new, written, changed=True)
        if charged:
            # The naive recount: the grants in the new period of the latest.
            latest = _at(charged[-1][0])
            period = period_key(latest, new.period, new.zone)
            spent = sum(
                (a for us, a in charged if period_key(_at(us), new.period, new.zone) == period),
                Decimal(0),
            )
            assert restored.spent("agent:budi", latest) == spent
        # And its own snapshot restores under the new policy, checked exactly.
        again = restored.to_state(KNOWN)
        assert _load(new, again, changed=False).to_state(KNOWN) == again


TAMPERINGS = ("drop", "lower", "move", "duplicate", "copy")


def _tamper(
    state: dict[str, Any], policy: GoodwillPolicy, how: str, pick: int
) -> tuple[dict[str, Any], int] | None:
    """*state* with a grant of the allowance's period tampered with *how*, and the instant of
    the grant tampered with; ``None`` when the period holds no grant to tamper with."""
    out = copy.deepcopy(state)
    grants = out["charges"]["agent:budi"]
    period = out["spent"][0][1]
    inside = [
        j
        for j, (us, _) in enumerate(grants)
        if period_key(_at(us), policy.period, policy.zone) == period
    ]
    j = inside[pick % len(inside)]
    us, amount = grants[j]
    if how == "drop":
        del grants[j]
        if not grants:
            del out["charges"]["agent:budi"]
    elif how == "lower":
        grants[j][1] = str(Decimal(amount) - Decimal("0.01"))
    elif how == "move":
        # The period's first grant, moved to just before the period's local midnight.
        j = inside[0]
        us = grants[j][0]
        local = _at(us).astimezone(policy.zone)
        while period_key(local, policy.period, policy.zone) == period:
            local = (local - timedelta(days=1)).replace(hour=23, minute=59, second=59)
        grants[j][0] = _us(local)
        if j and grants[j - 1][0] >= grants[j][0]:
            grants[j][0] = grants[j - 1][0] + 1
            if period_key(_at(grants[j][0]), policy.period, policy.zone) == period:
                return None  # no instant left between the grants before and the period
    elif how == "duplicate":  # the same grant twice
        grants.insert(j, [us, amount])
    else:  # a copy a microsecond later, as if granted twice
        grants.insert(j + 1, [us + 1, amount])
    return out, us


@settings(max_examples=60, deadline=None, derandomize=True)
@given(programs(), st.sampled_from(TAMPERINGS), st.integers(0, 30), st.data())
def test_a_tampered_grant_is_refused_under_the_same_and_a_changed_policy(
    case: tuple[GoodwillPolicy, list[tuple[str, int, Decimal]]],
    how: str,
    pick: int,
    data: st.DataObject,
) -> None:
    policy, program = case
    ledger, charged = _run(policy, program)
    if not charged:
        return
    state = ledger.to_state(KNOWN)
    tampered = _tamper(state, policy, how, pick)
    if tampered is None:
        return
    bad, _ = tampered
    new = _changed(data.draw)
    _refused(policy, bad, changed=False)
    _refused(new, bad, changed=True)
    # Written before the ledger named its period and zone: the period's key says which day,
    # week or month, not where its midnight fell.  Refused whenever no grant lies within a
    # day of that midnight read in UTC (which of those grants fell in the period is not
    # known: such a tampering is undetectable).
    legacy = copy.deepcopy(bad)
    legacy.pop("period", None), legacy.pop("timezone", None)
    lo = _us(_first_day(state["spent"][0][1]))
    grants = state["charges"]["agent:budi"] + legacy.get("charges", {}).get("agent:budi", [])
    if all(abs(us - lo) >= DAY_US for us, _ in grants):
        _refused(new, legacy, changed=True)


def _first_day(key: str) -> datetime:
    """The first local day of a period's key, at midnight read in UTC."""
    if "W" in key:
        first = date.fromisocalendar(int(key[:4]), int(key[6:]), 1)
    else:
        first = date.fromisoformat(key if len(key) == 10 else f"{key}-01")
    return datetime(first.year, first.month, first.day, tzinfo=UTC)


# -- worked examples through a desk ----------------------------------------------------------

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
MONDAY = datetime(2026, 3, 23, 9, tzinfo=BERLIN)  # ISO week 13


def _goodwill(**changes: Any) -> dict[str, Any]:
    doc = {
        "currency": "EUR",
        "period": "week",
        "timezone": "Europe/Berlin",
        "allowance": "300",
    }
    doc.update(changes)
    return doc


def _config(**changes: Any) -> DeskConfig:
    return DeskConfig.from_dict(office_desk_doc(goodwill=_goodwill(**changes)))


def _granted() -> dict[str, Any]:
    """Budi grants 200 on Monday and 100 on Wednesday: his weekly 300 is spent."""
    desk = Desk(_config())
    budi = AgentProfile("budi", {}, ["id"], {"chat": 3}, [])
    desk.add_agent(budi, at=MONDAY, presence="available")
    wed = MONDAY + timedelta(days=2)
    for tid, at, amount in (("t1", MONDAY, "200"), ("t2", wed, "100")):
        desk.submit(Ticket(tid, Customer("c1", Tier("regular", 1), "id"), "chat", at), at=at)
        desk.grant_goodwill(tid, "budi", amount, "late_delivery", at=at)
    snap: dict[str, Any] = json.loads(json.dumps(desk.snapshot()))
    assert snap["state"]["goodwill"]["spent"] == [["agent:budi", "2026-W13", "300.00"]]
    return snap


def test_a_snapshot_names_the_period_and_zone_its_periods_are_drawn_in() -> None:
    state = _granted()["state"]["goodwill"]
    assert (state["period"], state["timezone"]) == ("week", "Europe/Berlin")


def test_grants_removed_under_a_changed_period_are_refused_naming_both_sums() -> None:
    snap = _granted()
    month = _config(period="month")
    restored = Desk.restore(month, snap, on_config_change=[])
    assert restored.goodwill_balances()["agent:budi"][0] == Decimal(300)
    # The 200 of Monday removed: a monthly recount would give Budi 200 back.
    bad = copy.deepcopy(snap)
    del bad["state"]["goodwill"]["charges"]["agent:budi"][0]
    before = json.dumps(bad, sort_keys=True)
    with pytest.raises(ConfigError, match=r"adding up to 100\.00 in 2026-W13, .* spent 300\.00"):
        Desk.restore(month, bad, on_config_change=[])
    assert json.dumps(bad, sort_keys=True) == before
    # Lowered to 20: the same.
    low = copy.deepcopy(snap)
    low["state"]["goodwill"]["charges"]["agent:budi"][0][1] = "20.00"
    with pytest.raises(ConfigError, match=r"adding up to 120\.00 in 2026-W13") as err:
        Desk.restore(_config(timezone="America/Santiago"), low, on_config_change=[])
    assert err.value.path == "snapshot.state.goodwill.charges.agent:budi"


def test_a_grant_moved_into_the_previous_week_is_refused_under_a_daily_policy() -> None:
    snap = _granted()
    moved = copy.deepcopy(snap)
    # Monday's grant moved to Sunday night, Berlin time: last week's, under the old policy.
    sunday = datetime(2026, 3, 22, 23, 30, tzinfo=BERLIN)
    moved["state"]["goodwill"]["charges"]["agent:budi"][0][0] = _us(sunday)
    with pytest.raises(ConfigError, match=r"adding up to 100\.00 in 2026-W13"):
        Desk.restore(_config(period="day"), moved, on_config_change=[])
    with pytest.raises(ConfigError, match=r"adding up to 100\.00 in 2026-W13"):
        Desk.restore(_config(), moved)


def test_a_grant_of_nothing_is_refused() -> None:
    snap = _granted()
    bad = copy.deepcopy(snap)
    bad["state"]["goodwill"]["charges"]["agent:budi"].insert(1, [_us(MONDAY) + 1, "0.00"])
    with pytest.raises(ConfigError, match=r"expected a positive grant, got '0\.00'"):
        Desk.restore(_config(), bad)
    with pytest.raises(ConfigError, match=r"expected a positive grant"):
        Desk.restore(_config(period="month"), bad, on_config_change=[])


def test_a_period_or_zone_other_than_the_policys_is_refused_under_the_same_config() -> None:
    snap = _granted()
    bad = copy.deepcopy(snap)
    bad["state"]["goodwill"]["timezone"] = "Asia/Tokyo"
    with pytest.raises(ConfigError, match=r"expected the policy's period 'week' and time zone"):
        Desk.restore(_config(), bad)
    for key, value in (("period", "fortnight"), ("timezone", "Mars/Olympus")):
        odd = copy.deepcopy(snap)
        odd["state"]["goodwill"][key] = value
        with pytest.raises(ConfigError) as err:
            Desk.restore(_config(period="month"), odd, on_config_change=[])
        assert err.value.path == f"snapshot.state.goodwill.{key}"


def test_without_its_period_and_zone_a_snapshot_is_checked_as_far_as_its_key_tells() -> None:
    snap = _granted()
    for key in ("period", "timezone"):
        snap["state"]["goodwill"].pop(key, None)
    month = _config(period="month")
    Desk.restore(month, snap, on_config_change=[])  # as written: restores
    # Monday's 200 removed: the grants since any instant within a day of Monday's midnight
    # add up to 100 at most, not 300.
    bad = copy.deepcopy(snap)
    del bad["state"]["goodwill"]["charges"]["agent:budi"][0]
    with pytest.raises(ConfigError, match=r"adding up to 100\.00 in 2026-W13 \(whatever"):
        Desk.restore(month, bad, on_config_change=[])
    # The limit: a grant within a day of the week's start may have fallen in the week before
    # in some zone.  Monday's grant moved to Sunday 23:30 Berlin time (22:30 UTC, within a
    # day of Monday 00:00 read in UTC) is undetectable without the zone.
    moved = copy.deepcopy(snap)
    sunday = datetime(2026, 3, 22, 23, 30, tzinfo=BERLIN)
    moved["state"]["goodwill"]["charges"]["agent:budi"][0][0] = _us(sunday)
    Desk.restore(month, moved, on_config_change=[])
