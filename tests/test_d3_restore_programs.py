"""A desk restored in the middle of a program is the desk that never stopped.

Random command programs (the testing kit's), with a snapshot taken on the way, the commands
after it journaled as :func:`needs_journal` asks, and the desk restored from the snapshot's
JSON and that journal: every later command gives the same events (or the same refusal), and
the final snapshot, views and next wake-up are the never-restored desk's.  The configurations
include a preferred-agent desk (call-backs are held for nobody when routed again), queues
that relax declared skills, and SLA policies with per-metric calendars in other zones and
targets years long (deadlines past the zones' last transitions).  A configuration written by
``to_dict`` and read back has the fingerprint of the one written.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import Desk, DeskConfig
from csflow.desk.commands import COMMANDS, needs_journal
from csflow.desk.commands import Command as DeskCommand
from csflow.desk.fingerprint import config_fingerprint
from csflow.errors import CsflowError
from csflow.testing import Command
from csflow.testing.programs import commands
from csflow.testing.strategies import desk_configs
from desks import office_desk_doc

START = datetime(2026, 3, 6, 16, tzinfo=UTC)  # a Friday afternoon: the weekend follows
_BY_METHOD = {c.method: c for c in COMMANDS.values()}
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def _per_metric() -> dict[str, Any]:
    doc = office_desk_doc()
    doc["calendars"]["ny"] = {
        "timezone": "America/New_York",
        "weekly": {d: [["09:00", "17:00"]] for d in _WEEKDAYS},
        "holidays": ["2026-12-25"],
    }
    doc["sla_policies"][0]["calendars"] = {"resolution": "ny"}
    doc["sla_policies"][0]["targets"]["resolution"] = "P800D"  # past 2037 in business days
    doc["sla_policies"][1]["calendars"] = {"first_response": "always", "resolution": "ny"}
    return doc


DOCS: dict[str, dict[str, Any]] = {
    "office": office_desk_doc(),
    "preferred": office_desk_doc(
        strategies=["preferred_agent", "longest_idle"], affinity={"timeout": "PT10M"}
    ),
    "relaxing": office_desk_doc(
        skills=["orders", "billing"],
        queues=[
            {
                "name": "front",
                "relaxation": [
                    {"after": "PT5M", "proficiency": 1},
                    {"after": "PT10M", "drop": ["orders"], "any_language": True},
                ],
            },
            {"name": "technical", "key": "deadline", "fallback": "PT1H"},
            {"name": "finance"},
        ],
    ),
    "per_metric": _per_metric(),
}
CONFIGS = {name: DeskConfig.from_dict(doc) for name, doc in DOCS.items()}


def _value(c: Command) -> DeskCommand | None:
    """The kit's command as a journal's command value (None: it cannot be one)."""
    try:
        return _BY_METHOD[c.name](*c.args, at=c.at, **dict(c.kwargs))
    except (CsflowError, TypeError, ValueError):
        return None


def _run(desk: Desk, c: Command) -> tuple[str, list[str]]:
    try:
        return "ok", [json.dumps(e.to_dict(), sort_keys=True) for e in c.apply(desk)]
    except CsflowError as exc:
        return type(exc).__name__, []


def _state(desk: Desk) -> tuple[str, list[str], datetime | None]:
    views = [repr(desk.ticket(t)) for t in sorted(desk.tickets())]
    return json.dumps(desk.snapshot(), sort_keys=True), views, desk.next_wakeup()


def _check(config: DeskConfig, program: list[Command], cut: int, tail: int) -> None:
    never = Desk(config)
    expected = [_run(never, c) for c in program]
    cut = min(cut, len(program))
    end = min(cut + tail, len(program))
    desk = Desk(config)
    got = [_run(desk, c) for c in program[:cut]]
    snap = json.loads(json.dumps(desk.snapshot()))
    rows = []
    for c in program[cut:end]:
        value = _value(c)
        journal = value is not None and needs_journal(desk, value)
        got.append(_run(desk, c))
        if got[-1][0] == "ok":
            assert value is not None, c
            if journal:
                rows.append(json.loads(json.dumps(value.to_dict())))
    restored = Desk.restore(config, snap, journal=rows)
    assert _state(restored) == _state(desk)
    got += [_run(restored, c) for c in program[end:]]
    for i, (want, have) in enumerate(zip(expected, got, strict=True)):
        assert have == want, f"command {i} {program[i]!r}"
    assert _state(restored) == _state(never)


@st.composite
def _cases(draw: st.DrawFn) -> tuple[DeskConfig, list[Command], int, int]:
    name = draw(st.sampled_from([*DOCS, "drawn"]))
    config = draw(desk_configs()) if name == "drawn" else CONFIGS[name]
    program = draw(commands(config, start=START, max_size=30))
    return config, program, draw(st.integers(0, 30)), draw(st.integers(0, 10))


@settings(max_examples=60, deadline=None)
@given(_cases())
def test_a_restored_desk_has_the_future_of_the_desk_that_never_stopped(
    case: tuple[DeskConfig, list[Command], int, int],
) -> None:
    _check(*case)


def test_a_config_written_and_read_back_keeps_its_fingerprint() -> None:
    for name, config in CONFIGS.items():
        doc = config.to_dict()
        again = DeskConfig.from_dict(json.loads(json.dumps(doc)))
        assert config_fingerprint(again) == config_fingerprint(config), name
        assert again.to_dict() == doc, name
    # Per-metric calendars are written by name when a named calendar is theirs.
    written = CONFIGS["per_metric"].to_dict()["sla_policies"]
    assert [p.get("calendars") for p in written] == [
        {"resolution": "ny"},
        {"first_response": "always", "resolution": "ny"},
    ]
