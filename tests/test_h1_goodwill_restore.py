"""Goodwill ledgers through snapshots: restored, replayed, changed and tampered with.

A desk with a goodwill policy (weekly allowances in Berlin, a team pot, per-ticket limits,
requests for a supervisor), driven by the testing kit's random programs: restored from a
snapshot's JSON and the journal since, it has the future of the desk that never stopped.
Restored under a changed goodwill ``period``, ``timezone`` or ``decimals``, what each
allowance spent in the period in progress is what a naive recount of the grants the desk
reported gives (each rounded up to the new decimals), and the restored desk's own snapshot
restores under the new configuration.  A snapshot that keeps a grant made after its own
instant (or, written before grants were kept, an allowance's period begun after it) is
refused, naming the path.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from decimal import ROUND_CEILING, Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.desk.commands import COMMANDS, needs_journal
from csflow.desk.commands import Command as DeskCommand
from csflow.desk.goodwill import period_key
from csflow.errors import ConfigError, CsflowError
from csflow.testing import Command
from csflow.testing.programs import commands
from desks import office_desk_doc

START = datetime(2026, 3, 27, 16, tzinfo=UTC)  # a Friday: a week's and a month's end, then DST
_BY_METHOD = {c.method: c for c in COMMANDS.values()}


def _goodwill(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "currency": "EUR",
        "decimals": 2,
        "period": "week",
        "timezone": "Europe/Berlin",
        "allowance": "30.00",
        "teams": {"front": "50"},
        "per_ticket": {"gold": "20"},
        "default_per_ticket": "15.5",
        "over_limit": "approval",
    }
    doc.update(changes)
    return doc


DOC = office_desk_doc(
    goodwill=_goodwill(),
    strategies=["preferred_agent", "longest_idle"],
    affinity={"timeout": "PT10M"},
)
CONFIG = DeskConfig.from_dict(DOC)
#: Goodwill changes a host may accept at a restore.
CHANGES: dict[str, dict[str, Any]] = {
    "day": {"period": "day"},
    "month": {"period": "month"},
    "new_york": {"timezone": "America/New_York"},
    "kiritimati_day": {"timezone": "Pacific/Kiritimati", "period": "day"},
    "no_cents": {"decimals": 0, "allowance": "30", "default_per_ticket": "16"},
    "no_cents_month": {
        "decimals": 0,
        "period": "month",
        "allowance": "30",
        "default_per_ticket": "16",
    },
    "no_pot": {"teams": {}},
}


def _changed(name: str) -> DeskConfig:
    doc = copy.deepcopy(DOC)
    doc["goodwill"] = _goodwill(**CHANGES[name])
    return DeskConfig.from_dict(doc)


def _run(desk: Desk, c: Command) -> tuple[str, list[dict[str, Any]]]:
    try:
        return "ok", [json.loads(json.dumps(e.to_dict())) for e in c.apply(desk)]
    except CsflowError as exc:
        return type(exc).__name__, []


def _value(c: Command) -> DeskCommand | None:
    try:
        return _BY_METHOD[c.name](*c.args, at=c.at, **dict(c.kwargs))
    except (CsflowError, TypeError, ValueError):
        return None


def _state(desk: Desk) -> tuple[str, object, object, object]:
    return (
        json.dumps(desk.snapshot(), sort_keys=True),
        desk.goodwill_balances(),
        desk.goodwill_requests(),
        desk.next_wakeup(),
    )


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_restored_goodwill_desk_has_the_future_of_the_desk_that_never_stopped(
    data: st.DataObject,
) -> None:
    program = data.draw(commands(CONFIG, start=START, max_size=30))
    never = Desk(CONFIG)
    expected = [_run(never, c) for c in program]
    cut = data.draw(st.integers(0, len(program)))
    end = min(len(program), cut + data.draw(st.integers(0, 8)))
    desk = Desk(CONFIG)
    got = [_run(desk, c) for c in program[:cut]]
    snap = json.loads(json.dumps(desk.snapshot()))
    rows = []
    for c in program[cut:end]:
        value = _value(c)
        journal = value is not None and needs_journal(desk, value)
        got.append(_run(desk, c))
        if got[-1][0] == "ok" and journal:
            assert value is not None
            rows.append(json.loads(json.dumps(value.to_dict())))
    restored = Desk.restore(CONFIG, snap, journal=rows)
    assert _state(restored) == _state(desk)
    got += [_run(restored, c) for c in program[end:]]
    assert got == expected
    assert _state(restored) == _state(never)


def _recount(grants: list[dict[str, Any]], config: DeskConfig, now: datetime) -> dict[str, Any]:
    """What each allowance spent in the period of *now*, from the grants the desk reported,
    as docs/how-to/persisting.md says a changed period, zone or decimals counts it."""
    p = config.goodwill
    assert p is not None
    unit = Decimal(1).scaleb(-p.decimals)
    current = period_key(now, p.period, p.zone)
    out: dict[str, Decimal] = {}
    for g in grants:
        kind, _, name = g["budget"].partition(":")
        at = datetime.fromisoformat(g["at"])
        if (kind == "team" and name not in p.teams) or period_key(at, p.period, p.zone) != current:
            continue
        amount = Decimal(g["amount"]).quantize(unit, rounding=ROUND_CEILING)
        out[g["budget"]] = out.get(g["budget"], Decimal(0)) + amount
    return {b: v for b, v in out.items() if v}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_goodwill_change_recounts_the_period_in_progress_from_the_grants(
    data: st.DataObject,
) -> None:
    program = data.draw(commands(CONFIG, start=START, max_size=30))
    name = data.draw(st.sampled_from(sorted(CHANGES)))
    cut = data.draw(st.integers(0, len(program)))
    desk = Desk(CONFIG)
    grants = []
    for c in program[:cut]:
        for e in _run(desk, c)[1]:
            if e["type"] == "GoodwillGranted" and e["request_id"] is None:
                grants.append(e)  # (an approval is charged to no allowance)
    snap = json.loads(json.dumps(desk.snapshot()))
    config = _changed(name)
    restored = Desk.restore(config, snap, on_config_change=[])
    if desk.now is not None:
        spent = {b: s for b, (s, _) in restored.goodwill_balances().items() if s}
        assert spent == _recount(grants, config, desk.now)
    own = json.loads(json.dumps(restored.snapshot()))
    again = Desk.restore(config, own)
    assert json.dumps(again.snapshot(), sort_keys=True) == json.dumps(own, sort_keys=True)
    for c in program[cut:]:
        assert _run(again, c) == _run(restored, c)


# -- a grant after the snapshot's instant ------------------------------------------------------

T0 = datetime(2026, 3, 25, 9, tzinfo=UTC)  # a Wednesday, ISO week 13
WEEK_US = 7 * 24 * 3600 * 10**6


def _granted() -> dict[str, Any]:
    desk = Desk(CONFIG)
    budi = AgentProfile("budi", {}, ["id"], {"chat": 3}, ["finance"])
    desk.add_agent(budi, at=T0, presence="available")
    desk.submit(Ticket("t1", Customer("c1", Tier("regular", 1), "id"), "chat", T0), at=T0)
    desk.grant_goodwill("t1", "budi", "2", "late_delivery", at=T0)
    snap: dict[str, Any] = json.loads(json.dumps(desk.snapshot()))
    assert snap["state"]["goodwill"]["spent"] == [["agent:budi", "2026-W13", "2.00"]]
    assert snap["state"]["goodwill"]["charges"] == {"agent:budi": [[1774429200000000, "2.00"]]}
    return snap


def _refused(config: DeskConfig, snap: dict[str, Any], path: str, changed: bool) -> None:
    before = json.dumps(snap, sort_keys=True)
    with pytest.raises(ConfigError) as err:
        Desk.restore(config, snap, on_config_change=[] if changed else None)
    assert err.value.path == path
    assert json.dumps(snap, sort_keys=True) == before


def test_a_grant_kept_after_the_snapshots_instant_is_refused() -> None:
    snap = _granted()
    Desk.restore(CONFIG, snap)  # as written: restores
    # The grant moved a week on, with the allowance's period: a desk that granted 3 euros
    # now would count them apart from it, and write a snapshot it refuses.
    later = copy.deepcopy(snap)
    later["state"]["goodwill"]["spent"][0][1] = "2026-W14"
    later["state"]["goodwill"]["charges"]["agent:budi"][0][0] += WEEK_US
    path = "snapshot.state.goodwill.charges.agent:budi[0]"
    _refused(CONFIG, later, path, changed=False)
    # A microsecond after the snapshot's instant, in the same week.
    tick = copy.deepcopy(snap)
    tick["state"]["goodwill"]["charges"]["agent:budi"][0][0] += 1
    _refused(CONFIG, tick, path, changed=False)
    # Under an accepted change of the period the grant would be recounted into a day to come.
    _refused(_changed("day"), tick, path, changed=True)
    _refused(_changed("day"), later, path, changed=True)


def test_a_period_begun_after_the_snapshots_instant_is_refused_without_grants() -> None:
    # Written before the ledger kept its grants: the spending counts as granted when its
    # period began, which must be by the snapshot's instant.
    snap = _granted()
    del snap["state"]["goodwill"]["charges"]
    Desk.restore(CONFIG, snap)  # the week in progress: restores
    later = copy.deepcopy(snap)
    later["state"]["goodwill"]["spent"][0][1] = "2026-W14"
    _refused(CONFIG, later, "snapshot.state.goodwill.spent[0]", changed=False)
    _refused(_changed("month"), later, "snapshot.state.goodwill.spent[0]", changed=True)
