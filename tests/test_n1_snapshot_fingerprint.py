"""A config's fingerprint is worked out once per config object: snapshots and restores reuse it.

A host that persists its desk after every command took a snapshot whose fingerprint walked the
whole config again each time (longer than the rest of a small desk's snapshot).
"""

from __future__ import annotations

import gc
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import csflow.desk.fingerprint as fingerprint_module
from csflow.desk import Desk, DeskConfig
from csflow.desk.fingerprint import config_fingerprint
from csflow.model import AgentProfile, Customer, Ticket, Tier
from desks import seeds_desk_doc

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _busy_desk(config: DeskConfig) -> Desk:
    desk = Desk(config)
    desk.add_agent(AgentProfile("sari", capacity={"chat": 2}), at=T0, presence="available")
    desk.submit(Ticket("t1", Customer("c1", Tier("gold", 3)), "chat", T0), at=T0)
    return desk


def test_the_fingerprint_is_worked_out_once_per_config(monkeypatch: pytest.MonkeyPatch) -> None:
    config = DeskConfig.from_dict(seeds_desk_doc())
    calls: list[DeskConfig] = []
    work = fingerprint_module._fingerprint_of

    def counted(c: DeskConfig) -> dict[str, Any]:
        calls.append(c)
        return work(c)

    monkeypatch.setattr(fingerprint_module, "_fingerprint_of", counted)
    desk = _busy_desk(config)
    snaps = [desk.snapshot()]
    desk.advance(at=T0 + timedelta(minutes=5))
    snaps.append(desk.snapshot())
    restored = Desk.restore(config, snaps[-1])
    snaps.append(restored.snapshot())
    assert calls == [config]
    assert all(s["config"] == work(config) for s in snaps)
    assert snaps[-1] == snaps[-2]
    # An equal config that is another object is worked out for itself.
    twin = DeskConfig.from_dict(seeds_desk_doc())
    assert config_fingerprint(twin) == snaps[0]["config"]
    assert calls == [config, twin]


def test_a_config_that_is_gone_leaves_no_fingerprint_behind() -> None:
    before = len(fingerprint_module._KEPT)
    for _ in range(50):
        config_fingerprint(DeskConfig.from_dict(seeds_desk_doc()))
    gc.collect()
    assert len(fingerprint_module._KEPT) <= before + 1


def test_a_host_that_edits_one_snapshot_changes_no_other() -> None:
    config = DeskConfig()
    desk = _busy_desk(config)
    first = desk.snapshot()
    first["config"]["hash"] = "0" * 64
    first["config"]["parts"].clear()
    first["config"]["version"] = 99
    second = desk.snapshot()
    assert second["config"] == config_fingerprint(config)
    assert Desk.restore(config, second).snapshot() == second
