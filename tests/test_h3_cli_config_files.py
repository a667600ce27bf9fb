"""Config files as planners write them: TOML's own times of day, and the one-line errors of
a file that is empty, not a mapping, nested too deeply, holding an integer too long to read,
or a YAML alias bomb -- each naming the file and saying what was expected."""

from __future__ import annotations

import pathlib
import sys
import tempfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.cli import main
from csflow.cli.documents import load_document
from csflow.errors import ConfigError

_SIM = """\
[simulation]
start = "2026-03-16T00:00:00+07:00"
duration = "PT24H"
agents = [{{name = "front", count = 4}}]
arrivals = {{rates = [[{first}, 10], [{second}, 60]]}}
"""

_SHIFTS = """\
[[staffing.shifts]]
name = "early"
length = "2h"
earliest = {earliest}
latest = {latest}
breaks = [{{length = "15m", earliest = {b_earliest}, latest = {b_latest}}}]
"""


def _load(tmp: pathlib.Path, name: str, text: str) -> object:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    try:
        return load_document(path).data
    except ConfigError as exc:
        return f"error: {exc}"


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@settings(max_examples=25, deadline=None)
@given(
    first=st.integers(0, 0),
    second=st.integers(1, 24 * 60 - 1),
)
def test_a_toml_time_of_day_is_the_time_written_in_the_rates(first: int, second: int) -> None:
    # TOML writes a time of day unquoted as 06:00:00; it is the time "06:00", as quoted.
    native = _SIM.format(first=f"{_clock(first)}:00", second=f"{_clock(second)}:00")
    quoted = _SIM.format(first=f'"{_clock(first)}"', second=f'"{_clock(second)}"')
    with tempfile.TemporaryDirectory() as tmp:
        got = _load(pathlib.Path(tmp), "native.toml", native)
        want = _load(pathlib.Path(tmp), "quoted.toml", quoted)
    assert not isinstance(want, str), want
    assert got == want


def test_a_toml_time_with_seconds_is_the_seconds_from_midnight(tmp_path: pathlib.Path) -> None:
    native = _SIM.format(first="00:00:00", second="06:00:30")
    seconds = _SIM.format(first='"00:00"', second=str(6 * 3600 + 30))
    assert _load(tmp_path, "a.toml", native) == _load(tmp_path, "b.toml", seconds)


@settings(max_examples=25, deadline=None)
@given(
    earliest=st.integers(0, 20 * 60),
    later=st.integers(0, 3 * 60),
    b_earliest=st.integers(0, 50),
    b_later=st.integers(0, 30),
)
def test_toml_times_in_shift_templates_read_as_written(
    earliest: int, later: int, b_earliest: int, b_later: int
) -> None:
    values = {
        "earliest": _clock(earliest),
        "latest": _clock(min(earliest + later, 23 * 60 + 59)),
        "b_earliest": _clock(b_earliest),
        "b_latest": _clock(b_earliest + b_later),
    }
    native = _SHIFTS.format(**{k: f"{v}:00" for k, v in values.items()})
    quoted = _SHIFTS.format(**{k: f'"{v}"' for k, v in values.items()})
    with tempfile.TemporaryDirectory() as tmp:
        want = _load(pathlib.Path(tmp), "quoted.toml", quoted)
        got = _load(pathlib.Path(tmp), "native.toml", native)
    assert not isinstance(want, str), want
    assert got == want


def test_a_toml_time_out_of_order_is_named_as_written(tmp_path: pathlib.Path) -> None:
    text = _SIM.format(first="00:00:00", second="00:00:00")
    got = _load(tmp_path, "c.toml", text)
    assert got == (
        "error: simulation.arrivals.rates[1]: times of day must increase: "
        "'00:00' comes after '00:00'"
    )


def _error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(list(args)) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_a_naive_toml_datetime_is_shown_as_written(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "naive.toml"
    path.write_text(
        _SIM.format(first="0", second="3600").replace(
            '"2026-03-16T00:00:00+07:00"', "2026-03-16T06:00:00"
        )
    )
    line = _error(capsys, "lint", str(path))
    assert line.startswith("csflow: error: simulation.start: expected an ISO 8601 instant")
    assert line.endswith(f"got '2026-03-16T06:00:00' (in {str(path)!r})")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("empty.yaml", ""),
        ("comment.yaml", "# nothing yet\n"),
        ("null.json", "null"),
        ("list.json", "[]"),
        ("list.yaml", "- desk\n"),
        ("string.json", '"desk"'),
    ],
)
def test_a_file_that_is_not_a_mapping_names_the_file(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], name: str, text: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    line = _error(capsys, "lint", str(path))
    assert line.startswith(f"csflow: error: CONFIG: {str(path)!r}: expected a mapping")
    assert "None" not in line
    if not text.strip() or text.startswith("#") or text == "null":
        assert line.endswith("got an empty document")


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".toml"])
def test_nesting_too_deep_is_said_plainly(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    n = 10_000
    text = {
        ".json": '{"name": ' + "[" * n + "]" * n + "}",
        ".yaml": "name: " + "[" * n + "]" * n + "\n",
        ".toml": "name = " + "[" * n + "]" * n + "\n",
    }[suffix]
    path = tmp_path / f"deep{suffix}"
    path.write_text(text)
    line = _error(capsys, "lint", str(path))
    kind = suffix[1:].upper()
    assert line == f"csflow: error: CONFIG: {str(path)!r} is not valid {kind}: nested too deeply"


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".toml"])
def test_an_integer_too_long_is_said_plainly(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    digits = "9" * (sys.get_int_max_str_digits() + 10)
    text = {".json": f'{{"seed": {digits}}}', ".yaml": f"seed: {digits}\n"}.get(
        suffix, f"seed = {digits}\n"
    )
    path = tmp_path / f"long{suffix}"
    path.write_text(text)
    line = _error(capsys, "lint", str(path))
    limit = f"{sys.get_int_max_str_digits():,}"
    assert line == (
        f"csflow: error: CONFIG: {str(path)!r} is not valid {suffix[1:].upper()}: "
        f"an integer of more than {limit} digits"
    )


def test_a_yaml_error_names_its_line_not_a_unicode_string(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "two.yaml"
    path.write_text("name: a\n---\nname: b\n")
    line = _error(capsys, "lint", str(path))
    assert "<unicode string>" not in line
    assert line.startswith(f"csflow: error: CONFIG: {str(path)!r} is not valid YAML: ")
    assert "line 2, column 1" in line


def test_a_yaml_bomb_names_the_file(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        rows.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(rows) + "\n")
    line = _error(capsys, "lint", str(path))
    assert line.startswith(f"csflow: error: CONFIG: {str(path)!r}: the YAML document's aliases")
