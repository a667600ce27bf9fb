"""``csflow lint`` against docs/reference/lint.md: each documented finding, on the smallest
config that should give it, at the path the file spells, with its severity and lint's exit
status -- and none on the docs' own whole-desk example."""

from __future__ import annotations

import json
import pathlib
import re
from typing import Any

import pytest

from csflow.cli import main

_ROOT = pathlib.Path(__file__).resolve().parents[1]
_HOW_TO = _ROOT / "docs" / "how-to" / "yaml-policies.md"
_START = "2026-03-09T08:00:00+07:00"


def _lint(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path, doc: dict[str, Any]
) -> tuple[int, list[tuple[str, str]]]:
    path = tmp_path / "c.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    status = main(["lint", str(path), "--format", "json"])
    out, err = capsys.readouterr()
    assert status in (0, 1), err
    return status, [(f["path"], f["severity"]) for f in json.loads(out)["findings"]]


def _sim(channels: dict[str, int], capacity: dict[str, int]) -> dict[str, Any]:
    return {
        "start": _START,
        "duration": "1h",
        "arrivals": {"rates": [["00:00", 10]], "channels": channels},
        "agents": [{"name": "front", "count": 1, "capacity": capacity}],
    }


_TIERS = [{"name": "gold", "rank": 2}, {"name": "regular", "rank": 1}]
_QUEUES = [{"name": "vip"}, {"name": "general"}]

CASES: list[tuple[str, dict[str, Any], int, set[tuple[str, str]]]] = [
    (
        "undeclared tier and priority in a triage list",
        {
            "desk": {
                "tiers": _TIERS,
                "queues": _QUEUES,
                "triage": [
                    {
                        "name": "r1",
                        "when": {"field": "tier", "eq": "glod"},
                        "then": {"queue": "vip"},
                    },
                    {
                        "name": "r2",
                        "when": {"field": "priority", "eq": "hi"},
                        "then": {"queue": "general"},
                    },
                    {"name": "rest", "then": {"queue": "general"}},
                ],
            }
        },
        1,
        {("desk.triage[0].when.eq", "error"), ("desk.triage[1].when.eq", "error")},
    ),
    (
        "tickets fall back to a special first queue, under {mode, rules}",
        {
            "desk": {
                "tiers": _TIERS,
                "queues": _QUEUES,
                "triage": {
                    "mode": "first",
                    "rules": [
                        {
                            "name": "r3",
                            "when": {"field": "tier", "eq": "gold"},
                            "then": {"queue": "vip"},
                        }
                    ],
                },
            }
        },
        0,
        {("desk.triage", "warning")},
    ),
    (
        "a tier no rule gives an SLA; a policy without targets; a calendar that never opens",
        {
            "desk": {
                "tiers": _TIERS,
                "calendars": {"never": {"timezone": "UTC"}},
                "sla_policies": [
                    {"name": "empty", "calendar": "never", "targets": {}},
                ],
                "triage": [
                    {
                        "name": "r4",
                        "when": {"field": "tier", "eq": "gold"},
                        "then": {"sla_policy": "empty"},
                    },
                ],
            }
        },
        0,
        {
            ("desk.tiers.regular", "warning"),
            ("desk.sla_policies.empty.targets", "warning"),
            ("desk.sla_policies.empty.calendar", "warning"),
        },
    ),
    (
        "an escalation rule's event that no escalation has",
        {
            "desk": {
                "queues": _QUEUES,
                "escalation_rules": [
                    {
                        "name": "r5",
                        "when": {"field": "event", "eq": "breached"},
                        "then": {"queue": "general"},
                    }
                ],
            }
        },
        1,
        {("desk.escalation_rules[0].when.eq", "error")},
    ),
    (
        "a channel nobody serves; traffic no agent group takes",
        {
            "desk": {"channels": ["chat", "fax", "phone"], "queues": [{"name": "general"}]},
            "simulation": _sim({"chat": 1, "phone": 1}, {"chat": 1}),
        },
        1,
        {
            ("desk.channels.fax", "warning"),
            ("desk.channels.phone", "warning"),
            ("simulation.arrivals.channels.phone", "error"),
        },
    ),
]


@pytest.mark.parametrize(("name", "doc", "status", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_documented_finding_fires_at_the_files_path(
    capsys: pytest.CaptureFixture[str],
    tmp_path: pathlib.Path,
    name: str,
    doc: dict[str, Any],
    status: int,
    expected: set[tuple[str, str]],
) -> None:
    got_status, findings = _lint(capsys, tmp_path, doc)
    assert expected <= set(findings), (name, findings)
    assert got_status == status  # 1 exactly when a finding is an error
    assert (got_status == 1) == any(sev == "error" for _, sev in findings)


def test_the_docs_whole_desk_example_lints_clean(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    match = re.search(r'DESK_YAML = """\n(.*?)"""', _HOW_TO.read_text(encoding="utf-8"), re.S)
    assert match is not None
    body = "".join(f"  {line}\n" if line.strip() else "\n" for line in match[1].splitlines())
    path = tmp_path / "desk.yaml"
    path.write_text("desk:\n" + body, encoding="utf-8")
    status = main(["lint", str(path), "--format", "json"])
    out, err = capsys.readouterr()
    assert (status, json.loads(out)) == (0, {"findings": []}), err
