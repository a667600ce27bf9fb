"""A snapshot written before the fingerprint's canonical form went deeper still restores.

The canonical form was cut 64 levels deep; a triage rule nested 32 levels deep (what a
loaded rule may nest) reached past that, so its part hash changed when the form became
complete, and a desk whose own (older) csflow wrote the snapshot was refused ("the config
differs from the snapshot's in triage") after the upgrade.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csflow import Customer, Desk, DeskConfig, Ticket, Tier
from csflow.desk.fingerprint import config_fingerprint, fingerprint_changes
from csflow.errors import ConfigError

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
#: The triage part of the fingerprint csflow wrote, before the canonical form went deeper,
#: for ``_config(32)`` (the whole fingerprint's hash beside it).
OLD_TRIAGE = "4eb1339c7c7d843295db4b5879272369322b0d86095dd5382443eb294a24f073"
OLD_HASH = "fa4d9a567d86223a4a1884e777b07be09df5dbb3e030ab8cf560411734ea04e4"


def _condition(levels: int, value: str = "bug") -> dict[str, Any]:
    cond: dict[str, Any] = {"field": "category", "eq": value}
    for _ in range(levels - 1):
        cond = {"all": [cond, {"field": "channel", "eq": "chat"}]}
    return cond


def _config(levels: int, value: str = "bug") -> DeskConfig:
    rule = {"name": "deep", "when": _condition(levels, value), "then": {"priority": "high"}}
    return DeskConfig.from_dict({"triage": {"rules": [rule]}})


def _snapshot(config: DeskConfig) -> dict[str, Any]:
    desk = Desk(config)
    bug = Ticket("t1", Customer("c", Tier("gold", 3)), "chat", T0, category="bug")
    desk.submit(bug, at=T0)
    data: dict[str, Any] = json.loads(json.dumps(desk.snapshot()))
    return data


def _as_written_before(snap: dict[str, Any]) -> dict[str, Any]:
    old = copy.deepcopy(snap)
    old["config"]["parts"]["triage"] = OLD_TRIAGE
    old["config"]["hash"] = OLD_HASH
    return old


def test_an_older_snapshot_of_a_deeply_nested_rule_restores() -> None:
    config = _config(32)
    snap = _snapshot(config)
    assert snap["config"]["parts"]["triage"] != OLD_TRIAGE  # the form did change
    desk = Desk.restore(config, _as_written_before(snap))
    assert desk.snapshot() == Desk.restore(config, snap).snapshot()
    # Its next snapshot carries the complete form.
    assert desk.snapshot()["config"] == snap["config"]


def test_an_older_snapshot_under_another_config_is_still_refused() -> None:
    old = _as_written_before(_snapshot(_config(32)))
    with pytest.raises(ConfigError, match="triage"):
        Desk.restore(_config(31), old)
    moved: list[Any] = []
    Desk.restore(_config(31), old, on_config_change=moved)


@given(levels=st.integers(1, 32), other=st.integers(1, 32))
def test_changes_are_the_same_with_or_without_the_config(levels: int, other: int) -> None:
    # A current fingerprint compared with the current form: the legacy form adds nothing
    # (a config differs exactly where its parts differ).
    a, b = _config(levels), _config(other, "refund")
    fa, fb = config_fingerprint(a), config_fingerprint(b)
    assert fingerprint_changes(fa, fb, b) == fingerprint_changes(fa, fb) == ["triage"]
    assert fingerprint_changes(fa, fa, a) == []
