"""The command line's YAML reader: a plain scalar with a colon is a string, as YAML 1.2 and
JSON read it, not YAML 1.1's base-60 number (``13:00`` as 780, ``8:00`` as 480)."""

from __future__ import annotations

import json
import pathlib
import tempfile

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from csflow.cli import main
from csflow.cli.documents import Document, load_document
from csflow.errors import ConfigError

# A rate change at `{at}`, as a person types it: the horizon covers a whole day.
_YAML = """\
name: times
seed: 1
desk:
  calendars:
    always: {{timezone: Asia/Jakarta, always_open: true}}
simulation:
  start: "2026-03-09T00:00:00+07:00"
  duration: 24h
  arrivals:
    rates: [["00:00", 0], [{at}, 60]]
    channels: {{chat: 1}}
  handle_time: {{default: 6m}}
  agents:
    - {{name: front, count: 4, capacity: {{chat: 2}}}}
"""


def _twins(at: str) -> tuple[Document | str, Document | str]:
    """The document with *at* unquoted in YAML and quoted in JSON, each read as ``csflow``
    reads it (or the error it gives)."""
    out: list[Document | str] = []
    with tempfile.TemporaryDirectory() as tmp:
        yaml_path = pathlib.Path(tmp, "times.yaml")
        yaml_path.write_text(_YAML.format(at=at))
        json_path = pathlib.Path(tmp, "times.json")
        # The same document in JSON: the shape as PyYAML reads it with the time quoted.
        shape = yaml.safe_load(_YAML.format(at=json.dumps(at)))
        json_path.write_text(json.dumps(shape))
        for path in (yaml_path, json_path):
            try:
                out.append(load_document(path))
            except ConfigError as exc:
                out.append(f"{exc.path}: {exc.detail}")
    return out[0], out[1]


@pytest.mark.parametrize("at", ["13:00", "8:00", "1:30:00", "08:00", "23:59"])
def test_an_unquoted_time_reads_as_its_quoted_json_twin(at: str) -> None:
    from_yaml, from_json = _twins(at)
    if isinstance(from_yaml, str) or isinstance(from_json, str):
        assert from_yaml == from_json
        return
    assert from_yaml.data == from_json.data
    assert from_yaml.data["simulation"]["arrivals"]["rates"][1][0] == at
    assert from_yaml.configs() == from_json.configs()
    # The time of day, not that many seconds after midnight.
    _, sim = from_yaml.configs()
    assert sim is not None
    hh, mm = at.split(":")[:2]
    assert sim.arrivals.rates[1].start.total_seconds() == int(hh) * 3600 + int(mm) * 60


@given(
    hours=st.integers(0, 99),
    minutes=st.integers(0, 59),
    seconds=st.none() | st.integers(0, 59),
    sign=st.sampled_from(["", "-", "+"]),
)
def test_any_base_60_scalar_reads_as_its_json_twin(
    hours: int, minutes: int, seconds: int | None, sign: str
) -> None:
    at = f"{sign}{hours}:{minutes:02d}" + ("" if seconds is None else f":{seconds:02d}")
    from_yaml, from_json = _twins(at)
    if isinstance(from_yaml, str) or isinstance(from_json, str):
        assert from_yaml == from_json
    else:
        assert from_yaml.data == from_json.data


@pytest.mark.parametrize(
    ("line", "path"),
    [
        ("seed: 1:30", "seed"),
        ("replications: 1:30", "replications"),
        (
            _YAML.format(at='"13:00"').replace("count: 4", "count: 1:30"),
            "simulation.agents[0].count",
        ),
        ("staffing: {aht: 6m, target: 60s, level: 1:30}", "staffing.level"),
        ("staffing: {aht: 6m, target: 60s, level: 0.8, shrinkage: 0:30}", "staffing.shrinkage"),
    ],
)
def test_a_number_field_given_a_base_60_scalar_is_refused_at_its_path(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], line: str, path: str
) -> None:
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(line if line.endswith("\n") else line + "\n")
    status = main(["lint", str(cfg)])
    out, err = capsys.readouterr()
    assert (status, out) == (2, ""), err
    assert err.startswith(f"csflow: error: {path}"), err
    assert "'1:30'" in err or "'0:30'" in err, err


def test_numbers_without_a_colon_still_read_as_numbers(tmp_path: pathlib.Path) -> None:
    cfg = tmp_path / "n.yaml"
    cfg.write_text("seed: 0x1F\nreplications: 1_0\nstaffing: {aht: 360, target: 20, level: .8}\n")
    data = load_document(cfg).data
    assert (data["seed"], data["replications"]) == (31, 10)
    assert data["staffing"]["level"] == 0.8
