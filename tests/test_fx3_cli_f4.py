"""``csflow staff``: an evaluation of the agents asked about does not fail on the search it did
not ask for, and roster errors name the config's fields."""

from __future__ import annotations

import json
import pathlib

from cli_runner import run_cli

_ROSTER = """\
desk:
  calendars:
    always: {timezone: Asia/Jakarta, always_open: true}
simulation:
  start: "2026-03-09T06:START+07:00"
  duration: 100m
  arrivals:
    rates: [["00:00", 40], ["00:45", 100], ["01:20", 10]]
    channels: {chat: 1}
  handle_time:
    default: {exponential: 6m}
  agents:
    - name: front
      count: 4
      capacity: {chat: 1}
staffing:
  aht: 6m
  target: 20s
  level: 0.8
  interval: 30m
  WRAPS
  shifts:
    - {name: a, length: 2h, earliest: "06:00", latest: "08:00"}
"""


def test_the_agents_asked_about_are_evaluated_when_only_the_search_is_refused() -> None:
    # Ten million Erlangs with ten days' patience: the search for the fewest agents is past its
    # budget, the 10,001,000 agents asked about are not.
    done = run_cli(
        "staff", "--load", "1e7", "--patience", "10d", "--agents", "10001000", "--format", "json"
    )
    assert done.returncode == 0, done.stderr
    [row] = json.loads(done.stdout)["staffing"]
    assert row["agents"] == 10001000
    assert row["agents_needed"] is None
    assert row["service_level"] > 0.99
    # Without --agents the refused search is the answer, and says so.
    refused = run_cli("staff", "--load", "1e7", "--patience", "10d")
    assert refused.returncode == 2
    assert "Traceback" not in refused.stderr


def test_roster_errors_name_the_config_fields(tmp_path: pathlib.Path) -> None:
    off = tmp_path / "off.yaml"
    off.write_text(_ROSTER.replace("START", "10:00").replace("WRAPS", ""))
    done = run_cli("staff", str(off), "--roster")
    assert done.returncode == 2
    assert done.stderr.startswith("csflow: error: simulation.start: "), done.stderr
    wraps = tmp_path / "wraps.yaml"
    wraps.write_text(_ROSTER.replace("START", "00:00").replace("WRAPS", "wraps: true"))
    done = run_cli("staff", str(wraps), "--roster")
    assert done.returncode == 2
    assert done.stderr.startswith("csflow: error: staffing.wraps: "), done.stderr
