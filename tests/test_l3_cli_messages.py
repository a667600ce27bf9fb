"""The command line's error lines and lint findings as an operator reads them: a bad field
names the config file it is in, values are written as a file writes them (ISO 8601, not
Python reprs), a queue is named by its name next to its index, and a top-level ``x-`` key
holds what a YAML document's aliases reuse."""

from __future__ import annotations

import contextlib
import io
import json
import pathlib
import re
import tempfile
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, Ticket, Tier
from csflow.cli import main
from csflow.cli.documents import load_document
from csflow.cli.schema import schema
from csflow.desk import DeskConfig
from csflow.desk.commands import AddAgent, Advance, Submit
from csflow.errors import ConfigError

_ROOT = pathlib.Path(__file__).resolve().parents[1]
_CONFIG = _ROOT / "examples" / "configs" / "marketplace-day.yaml"
_SIM: dict[str, Any] = {
    "start": "2026-03-09T06:00:00+07:00",
    "duration": "1h",
    "arrivals": {"rates": [["00:00", 10]]},
    "agents": [{"name": "a", "count": 2, "capacity": {"chat": 1}}],
}


def _error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    status = main(list(args))
    out, err = capsys.readouterr()
    assert status == 2, err
    assert out == ""
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    assert "internal error" not in err
    return err.rstrip("\n")


def _write(folder: pathlib.Path, name: str, doc: Any) -> pathlib.Path:
    path = folder / name
    path.write_text(json.dumps(doc) if name.endswith(".json") else doc, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# 1. a bad field names the config file


#: (command, extra arguments, document, the field's path, the message's start): a field
#: refused while the file is read, and one refused by the command after it was read.
_BAD_FIELDS: list[tuple[str, tuple[str, ...], dict[str, Any], str, str]] = [
    ("lint", (), {"desk": {"queues": [{"name": "a"}, {"name": 7}]}}, "desk.queues[1].name", ""),
    ("simulate", (), {"simulaton": {}}, "simulaton", "unknown field"),
    ("lint", (), {"seed": -1}, "seed", "expected an integer >= 0, got -1"),
    ("simulate", (), {"desk": {}}, "simulation", "the config has no simulation to run"),
    ("staff", (), {"staffing": {"timezone": "Asia/Jakata"}}, "staffing.timezone", "expected"),
    ("simulate", (), {"simulation": {**_SIM, "duration": "6 minuets"}}, "simulation.duration", ""),
    (
        "simulate",
        (),
        {"simulation": _SIM, "sweep": {"parameter": "simulation.peak", "values": [2, 2]}},
        "sweep.values",
        "each value once",
    ),
]


@pytest.mark.parametrize(("command", "extra", "doc", "field", "start"), _BAD_FIELDS)
def test_a_bad_field_names_its_file(
    capsys: pytest.CaptureFixture[str],
    tmp_path: pathlib.Path,
    command: str,
    extra: tuple[str, ...],
    doc: dict[str, Any],
    field: str,
    start: str,
) -> None:
    path = _write(tmp_path, "desk-config.json", doc)
    err = _error(capsys, command, str(path), *extra)
    assert err.startswith(f"csflow: error: {field}: {start}"), err
    assert err.endswith(f" (in {str(path)!r})"), err
    assert err.count(str(path)) == 1


def test_the_worked_example_of_a_bad_queue_name(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    path = _write(tmp_path, "bad.yaml", "desk:\n  queues:\n    - name: front\n    - name: 7\n")
    assert _error(capsys, "lint", str(path)) == (
        "csflow: error: desk.queues[1].name: expected a non-empty string of at most 64 "
        f"characters, got 7 (in {str(path)!r})"
    )


def _sim_doc(count: int) -> dict[str, Any]:
    return {"simulation": {**_SIM, "agents": [{**_SIM["agents"][0], "count": count}]}}


@settings(max_examples=12, deadline=None)
@given(
    stem=st.text("abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=12),
    suffix=st.sampled_from([".json", ".yaml", ".toml"]),
    count=st.integers(-5, -1),
)
def test_any_config_file_is_named_once_at_the_end(stem: str, suffix: str, count: int) -> None:
    """Whatever the file and its format, the line is the field's path, the message, the
    file: ``<path>: <message> (in '<file>')``."""
    text = {
        ".json": json.dumps(_sim_doc(count)),
        ".yaml": json.dumps(_sim_doc(count)),  # JSON is YAML
        ".toml": "[simulation]\nstart = '2026-03-09T06:00:00+07:00'\nduration = '1h'\n"
        "[simulation.arrivals]\nrates = [['00:00', 10]]\n"
        f"[[simulation.agents]]\nname = 'a'\ncount = {count}\ncapacity = {{chat = 1}}\n",
    }[suffix]
    err = io.StringIO()
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / f"{stem}{suffix}"
        path.write_text(text, encoding="utf-8")
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            status = main(["simulate", str(path)])
    line = err.getvalue()
    assert status == 2
    assert re.fullmatch(
        rf"csflow: error: simulation\.agents\[0\]\.count: [^\n]*{count}[^\n]* "
        rf"\(in {re.escape(repr(str(path)))}\)\n",
        line,
    ), line


def test_other_files_and_options_are_named_as_before(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    """An option's error names the option, an events file's error its file and line: the
    config file is not added to them."""
    path = _write(tmp_path, "c.json", _sim_doc(2))
    err = _error(capsys, "simulate", str(path), "--sweep", "simulation.nothing[3]=1,2")
    assert err.startswith("csflow: error: --sweep: "), err
    assert "(in " not in err
    events = tmp_path / "events.jsonl"
    events.write_text('{"type": "TicketQueued"}\n', encoding="utf-8")
    err = _error(capsys, "report", str(events))
    assert f"({str(events)!r} line 1)" in err, err
    assert "(in " not in err


# ---------------------------------------------------------------------------------------------
# 2. values as a file writes them


def _snapshot_files(folder: pathlib.Path, to: datetime) -> tuple[pathlib.Path, pathlib.Path]:
    t0 = datetime(2026, 3, 9, 1, 0, tzinfo=UTC)
    desk = Desk(load_document(_CONFIG).configs()[0])
    desk.apply(AddAgent(AgentProfile("sari", capacity={"chat": 1}), "available", at=t0))
    desk.apply(Submit(Ticket("T-1", Customer("c1", Tier("regular", 0)), "chat", t0), at=t0))
    snapshot = folder / "snapshot.json"
    snapshot.write_text(json.dumps(desk.snapshot()), encoding="utf-8")
    journal = folder / "journal.jsonl"
    journal.write_text(json.dumps(Advance(at=to).to_dict()) + "\n", encoding="utf-8")
    return snapshot, journal


def test_replay_past_the_last_instant_shows_the_instant_in_iso_8601(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    snapshot, journal = _snapshot_files(tmp_path, datetime(9999, 12, 31, 23, 0, tzinfo=UTC))
    err = _error(
        capsys, "replay", str(_CONFIG), "--snapshot", str(snapshot), "--journal", str(journal)
    )
    assert err.startswith(f"csflow: error: journal[0] ({str(journal)!r} line 1): "), err
    assert err.endswith(", got 9999-12-31T23:00:00+00:00"), err
    assert "datetime" not in err


# ---------------------------------------------------------------------------------------------
# 3. lint names a queue by its name


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_lint_names_a_queue_by_its_name_and_its_index(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path, fmt: str
) -> None:
    doc = {
        "desk": {
            "tiers": [{"name": "regular"}],
            "queues": [{"name": "general"}, {"name": "vip"}, {"name": "front desk"}],
            "routing_profiles": [{"name": "p", "queues": ["general"]}],
        }
    }
    path = _write(tmp_path, "c.json", doc)
    status = main(["lint", str(path), "--format", fmt])
    out, _ = capsys.readouterr()
    assert status == 0
    if fmt == "json":
        paths = [f["path"] for f in json.loads(out)["findings"]]
        assert paths == ["desk.queues[1] (vip)", "desk.queues[2] (front desk)"]
    else:
        assert "desk.queues[1] (vip)" in out
        assert "desk.queues[2] (front desk)" in out
        assert not re.search(r"queues\[\d\](?! \()", out), out


# ---------------------------------------------------------------------------------------------
# 4. top-level x- keys


_ANCHORED = """\
x-hours: &hours
  timezone: Asia/Jakarta
  weekly: {mon: [["08:00", "17:00"]]}
x-notes: the office calendar is shared
desk:
  calendars:
    office: *hours
    backup: {<<: *hours, weekly: {tue: [["08:00", "17:00"]]}}
"""
_EXPANDED = """\
desk:
  calendars:
    office: {timezone: Asia/Jakarta, weekly: {mon: [["08:00", "17:00"]]}}
    backup: {timezone: Asia/Jakarta, weekly: {tue: [["08:00", "17:00"]]}}
"""


def test_a_top_level_x_key_holds_what_aliases_reuse(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    pytest.importorskip("yaml")
    anchored = _write(tmp_path, "anchored.yaml", _ANCHORED)
    expanded = _write(tmp_path, "expanded.yaml", _EXPANDED)
    assert load_document(anchored).data == load_document(expanded).data
    assert main(["lint", str(anchored), "--format", "json"]) == 0
    with_x = capsys.readouterr().out
    assert main(["lint", str(expanded), "--format", "json"]) == 0
    assert capsys.readouterr().out == with_x
    path = _write(tmp_path, "c.json", {"x-owner": "ops", **_sim_doc(2)})
    assert "x-owner" not in load_document(path).data


def test_other_unknown_keys_are_still_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    path = _write(tmp_path, "c.json", {"base": {}, "desk": {}})
    err = _error(capsys, "lint", str(path))
    assert err.startswith("csflow: error: base: unknown field; expected one of name, "), err
    assert "a key starting x-" in err
    # Below the top, x- keys are fields like any other; the library stays strict.
    path = _write(tmp_path, "d.json", {"desk": {"x-base": {}}})
    assert _error(capsys, "lint", str(path)).startswith("csflow: error: desk.x-base: ")
    with pytest.raises(ConfigError, match="x-base"):
        DeskConfig.from_dict({"x-base": {}})


def test_the_schema_takes_the_x_keys_the_reader_takes() -> None:
    doc = schema()
    (pattern,) = doc["patternProperties"]
    assert re.search(pattern, "x-base")
    assert not re.search(pattern, "base")
    assert not re.search(pattern, "desk")
    assert doc["additionalProperties"] is False
