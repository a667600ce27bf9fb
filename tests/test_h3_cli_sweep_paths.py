"""A sweep's path: named where it was given (``--sweep`` or the file's ``sweep.parameter``),
and stepping into a key YAML reads as a date (a holiday, a special day) as its JSON twin
does."""

from __future__ import annotations

import json
import pathlib

import pytest

from csflow.cli import main
from csflow.cli.documents import load_document, set_path

_DESK = {
    "name": "office",
    "desk": {
        "calendars": {
            "office": {
                "timezone": "Asia/Jakarta",
                "weekly": {"mon": [["08:00", "17:00"]]},
                "holidays": {"2026-03-18": "Nyepi"},
                "special_days": {"2026-03-21": [["09:00", "12:00"]]},
            }
        },
        "sla_policies": [
            {"name": "std", "calendar": "office", "targets": {"first_response": "PT8H"}}
        ],
        "default_sla_policy": "std",
    },
    "simulation": {
        "start": "2026-03-16T08:00:00+07:00",
        "duration": "PT1H",
        "arrivals": {"rates": [["00:00", 30]]},
        "agents": [{"name": "a", "count": 2}],
    },
    "sweep": {
        "parameter": "desk.calendars.office.special_days.2026-03-21",
        "values": [[["09:00", "12:00"]], [["08:00", "17:00"]]],
    },
}

_YAML = """\
name: office
desk:
  calendars:
    office:
      timezone: Asia/Jakarta
      weekly: {mon: [["08:00", "17:00"]]}
      holidays: {2026-03-18: Nyepi}
      special_days: {2026-03-21: [["09:00", "12:00"]]}
  sla_policies:
    - {name: std, calendar: office, targets: {first_response: PT8H}}
  default_sla_policy: std
simulation:
  start: "2026-03-16T08:00:00+07:00"
  duration: PT1H
  arrivals: {rates: [["00:00", 30]]}
  agents: [{name: a, count: 2}]
sweep:
  parameter: desk.calendars.office.special_days.2026-03-21
  values: [[["09:00", "12:00"]], [["08:00", "17:00"]]]
"""


def _twins(tmp: pathlib.Path) -> tuple[pathlib.Path, pathlib.Path]:
    y = tmp / "office.yaml"
    y.write_text(_YAML, encoding="utf-8")
    j = tmp / "office.json"
    j.write_text(json.dumps(_DESK), encoding="utf-8")
    return y, j


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("desk.calendars.office.holidays.2026-03-18", "Hari Suci Nyepi"),
        ("desk.calendars.office.special_days.2026-03-21", [["08:00", "17:00"]]),
    ],
)
def test_a_yaml_date_key_is_swept_as_its_json_twin(
    tmp_path: pathlib.Path, param: str, value: object
) -> None:
    y, j = _twins(tmp_path)
    from_yaml = load_document(y)
    from_json = load_document(j)
    swept_yaml = set_path(from_yaml.data, param, value)
    swept_json = set_path(from_json.data, param, value)
    cal_yaml = swept_yaml["desk"]["calendars"]["office"]
    cal_json = swept_json["desk"]["calendars"]["office"]
    # The value replaced the date's entry: no second entry under the text of the date.
    assert len(cal_yaml["holidays"]) == len(cal_json["holidays"]) == 1
    assert len(cal_yaml["special_days"]) == len(cal_json["special_days"]) == 1
    assert {str(k): v for k, v in cal_yaml["holidays"].items()} == cal_json["holidays"]
    assert {str(k): v for k, v in cal_yaml["special_days"].items()} == cal_json["special_days"]


def test_lint_accepts_the_yaml_files_sweep_as_the_json_one(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    y, j = _twins(tmp_path)
    assert main(["lint", str(j)]) == 0
    capsys.readouterr()
    assert main(["lint", str(y)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "no findings" in out


def test_a_path_from_the_command_line_is_named_as_given_there(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, j = _twins(tmp_path)
    for path in ("desk.nope", "simulation.agents[5].count", "desk.calendars.office.holidays.x"):
        assert main(["simulate", str(j), "--sweep", f"{path}=1,2"]) == 2
        out, err = capsys.readouterr()
        assert out == ""
        assert err == f"csflow: error: --sweep: the config has nothing at {path!r} to sweep over\n"


def test_a_malformed_path_from_the_command_line_is_named_there(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, j = _twins(tmp_path)
    assert main(["simulate", str(j), "--sweep", "desk..tiers=1,2"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "csflow: error: --sweep: expected a path such as simulation.agents[0].count, "
        "got 'desk..tiers'\n"
    )


def test_a_path_from_the_file_is_named_there(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = {**_DESK, "sweep": {"parameter": "desk.nope", "values": [1, 2]}}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["simulate", str(path)]) == 2
    _, err = capsys.readouterr()
    assert err == (
        "csflow: error: sweep.parameter: the config has nothing at 'desk.nope' to sweep over "
        f"(in {str(path)!r})\n"
    )
