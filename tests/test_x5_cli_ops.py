"""The command line as an operations engineer drives it from config files alone: a config file
that is empty or not UTF-8 in any of the three formats, and a day plan staffed to a mean wait
whose spreadsheet keeps that goal.

Expected messages and positions are computed here from the reference's words (the line and
the column an editor shows), not taken from the code that prints them.
"""

from __future__ import annotations

import json
import pathlib
import zoneinfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_a3_cli_acceptance import _FORECAST, _cli, _ok, _sections

_SUFFIXES = (".json", ".toml", ".yaml", ".yml")
_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def _error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """The one line a bad input gives, with exit status 2 and nothing on stdout."""
    status, out, err = _cli(capsys, *args)
    assert status == 2, (status, out, err)
    assert out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


# ---------------------------------------------------------------------------------------------
# An empty config file is no config, whatever its format


@_SETTINGS
@given(
    suffix=st.sampled_from(_SUFFIXES),
    blank=st.text(alphabet=" \t\r\n", max_size=6),
    bom=st.booleans(),
)
def test_an_empty_config_file_is_an_empty_document_in_every_format(
    tmp_path: pathlib.Path,
    capsys: pytest.CaptureFixture[str],
    suffix: str,
    blank: str,
    bom: bool,
) -> None:
    """Nothing but white space (after a byte-order mark or not) reads as the reference's
    empty document in JSON and TOML as in YAML: not a JSON parser's ``Expecting value``, and
    not TOML's empty table, which would lint as a config without findings."""
    path = tmp_path / f"blank{suffix}"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + blank.encode())
    for command in ("lint", "simulate", "staff"):
        line = _error(capsys, command, str(path))
        assert line == (
            f"csflow: error: CONFIG: {str(path)!r}: expected a mapping at the top (of name, "
            "desk, simulation, sweep, staffing ...), got an empty document"
        )


@pytest.mark.parametrize(("suffix", "text"), [(".json", "{}"), (".toml", "# nothing yet\n")])
def test_an_empty_mapping_is_still_a_config(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], suffix: str, text: str
) -> None:
    """Every section is optional: ``{}`` and a TOML file of comments are configs without
    findings -- only a file with nothing written is refused."""
    path = tmp_path / f"c{suffix}"
    path.write_text(text)
    assert _ok(capsys, "lint", str(path)) == f"{path}: no findings\n"


# ---------------------------------------------------------------------------------------------
# A config file that is not UTF-8 names the line and the column of the bad byte


_LINE = st.text(alphabet="abcdefghijklmnopqrstuvwxyz:# -", max_size=12)


@_SETTINGS
@given(
    suffix=st.sampled_from(_SUFFIXES),
    before=st.lists(_LINE, max_size=4),
    head=_LINE,
    tail=_LINE,
    bad=st.sampled_from([0xE9, 0xFF, 0x80, 0xC3]),
    bom=st.booleans(),
)
def test_a_config_file_not_utf8_names_the_line_and_column(
    tmp_path: pathlib.Path,
    capsys: pytest.CaptureFixture[str],
    suffix: str,
    before: list[str],
    head: str,
    tail: str,
    bad: int,
    bom: bool,
) -> None:
    """A Latin-1 ``é`` in a config saved by an old editor: the message says where, as
    ``report`` names the line and column of an events file (an editor jumps there), counting
    the line from 1 and the column from 1 after a byte-order mark, which an editor does not
    show."""
    # The bad byte, then a byte that cannot continue it (so that it is the one refused).
    body = "".join(f"{line}\n" for line in before).encode() + head.encode()
    raw = body + bytes([bad]) + b"!" + tail.encode() + b"\n"
    path = tmp_path / f"latin{suffix}"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + raw)
    line = _error(capsys, "lint", str(path))
    expected_line = len(before) + 1
    expected_column = len(head) + 1
    assert line == (
        f"csflow: error: CONFIG: {str(path)!r} line {expected_line} is not UTF-8 text "
        f"(byte 0x{bad:02x} at column {expected_column}): save it as UTF-8"
    )


def test_a_latin1_config_worked_example(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``name: Café`` written as Latin-1 on the second line: byte 0xe9 is the tenth
    character of line 2."""
    path = tmp_path / "day.yaml"
    path.write_bytes("seed: 1\nname: Café\n".encode("latin-1"))
    assert _error(capsys, "lint", str(path)) == (
        f"csflow: error: CONFIG: {str(path)!r} line 2 is not UTF-8 text "
        "(byte 0xe9 at column 10): save it as UTF-8"
    )


# ---------------------------------------------------------------------------------------------
# A day plan staffed to a mean wait keeps the goal in its data


_PLAN = ["staff", "--forecast", str(_FORECAST), "--day", "2026-03-09"]
_PLAN += ["--timezone", "Asia/Jakarta"]


@pytest.mark.parametrize(
    "asa", [None, ("20s", 20.0), ("1m30s", 90.0), ("0s", 0.0), ("PT45S", 45.0)]
)
def test_a_day_plan_keeps_its_mean_wait_goal_as_data(
    capsys: pytest.CaptureFixture[str], asa: tuple[str, float] | None
) -> None:
    """``staff --forecast ... --asa 20s`` staffs every interval to the mean wait too (each
    row's ``asa_s`` within it): the ``inputs`` row says so under the key one interval's output
    uses, ``max_asa_s`` (``null`` without ``--asa``), so that a spreadsheet of the plan tells
    it from one made without the goal."""
    flags = [] if asa is None else ["--asa", asa[0]]
    goal = None if asa is None else asa[1]
    plan = json.loads(_ok(capsys, *_PLAN, *flags, "--format", "json"))
    assert plan["inputs"][0]["max_asa_s"] == goal
    if goal is not None:
        assert all(row["asa_s"] <= goal + 0.05 for row in plan["plan"])
    section = _sections(_ok(capsys, *_PLAN, *flags, "--format", "csv"))["inputs"]
    assert section[0]["max_asa_s"] == ("" if goal is None else str(goal))
    # The same key, and the same value, as one interval's output.
    one = json.loads(_ok(capsys, "staff", "--load", "10", *flags, "--format", "json"))
    assert one["staffing"][0]["max_asa_s"] == goal
    assert set(plan["inputs"][0]) <= set(one["staffing"][0])


def test_a_day_plan_with_and_without_asa_differ_in_inputs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Worked example: the sample forecast's 08:00 rows (45 arrivals, 9 Erlangs) need 13
    agents under Erlang C for 80 % within 20 s; an ASA of 5 s asks for more, and the inputs
    say why."""
    plain = json.loads(_ok(capsys, *_PLAN, "--format", "json"))
    tight = json.loads(_ok(capsys, *_PLAN, "--asa", "5s", "--format", "json"))
    assert plain["inputs"] != tight["inputs"]
    assert {k: v for k, v in tight["inputs"][0].items() if k != "max_asa_s"} == {
        k: v for k, v in plain["inputs"][0].items() if k != "max_asa_s"
    }
    assert max(r["agents"] for r in plain["plan"]) == 13
    assert max(r["agents"] for r in tight["plan"]) > 13


# ---------------------------------------------------------------------------------------------
# A misspelt time zone is hinted at, as a misspelt key is


@pytest.mark.parametrize(
    ("typo", "zone"),
    [
        ("Asia/Jakart", "Asia/Jakarta"),
        ("Europe/Londn", "Europe/London"),
        ("Asia/Jakartaa", "Asia/Jakarta"),
    ],
)
def test_a_misspelt_time_zone_is_hinted_at_wherever_it_is_given(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], typo: str, zone: str
) -> None:
    """``--timezone``, ``--zone`` and ``staffing.timezone`` in the file: the zone a letter
    away is named, as ``did you mean 'replications'?`` names a key."""
    expected = (
        f"expected an IANA time zone such as 'Asia/Jakarta', got {typo!r}; did you mean {zone!r}?"
    )
    line = _error(
        capsys, "staff", "--forecast", str(_FORECAST), "--day", "2026-03-09", "--timezone", typo
    )
    assert line == f"csflow: error: --timezone: {expected}"
    events = tmp_path / "outbox.jsonl"
    events.write_text("")
    line = _error(capsys, "report", str(events), "--zone", typo)
    assert line == f"csflow: error: --zone: {expected}"
    config = tmp_path / "plan.json"
    config.write_text(
        json.dumps(
            {"staffing": {"forecast": str(_FORECAST), "day": "2026-03-09", "timezone": typo}}
        )
    )
    line = _error(capsys, "lint", str(config))
    assert line == f"csflow: error: staffing.timezone: {expected} (in {str(config)!r})"


@_SETTINGS
@given(
    name=st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz/_", min_size=1, max_size=30
    )
)
def test_a_time_zone_hint_is_a_real_zone_or_nothing(
    capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """Whatever is written, the message is the one line the reference shows, and the zone it
    hints at (if any) is one the command would take."""
    if name in zoneinfo.available_timezones():
        return
    line = _error(capsys, "forecast", str(_FORECAST), "--day", "2026-03-09", "--zone", name)
    head = f"csflow: error: --zone: expected an IANA time zone such as 'Asia/Jakarta', got {name!r}"
    assert line.startswith(head)
    rest = line[len(head) :]
    if rest:
        assert rest.startswith("; did you mean '")
        assert rest.endswith("'?")
        hinted = rest[len("; did you mean '") : -2]
        assert hinted in zoneinfo.available_timezones()


# ---------------------------------------------------------------------------------------------
# A forecast row is read as written, or refused at its line


def _forecast_rows(counts: list[float]) -> list[str]:
    return [f"{6 + i // 2:02d}:{30 * (i % 2):02d},{c!r}" for i, c in enumerate(counts)]


def _plan_arrivals(capsys: pytest.CaptureFixture[str], path: pathlib.Path) -> list[float]:
    args = ["staff", "--forecast", str(path), "--day", "2026-03-09", "--timezone", "UTC"]
    plan = json.loads(_ok(capsys, *args, "--format", "json"))
    return [row["arrivals"] for row in plan["plan"]]


@_SETTINGS
@given(
    counts=st.lists(
        st.floats(min_value=0, max_value=500, allow_nan=False).map(lambda x: round(x, 1)),
        min_size=2,
        max_size=8,
    ),
    at=st.integers(min_value=0, max_value=7),
    decimal=st.integers(min_value=1, max_value=9),
)
def test_a_row_with_a_cell_past_the_header_is_refused_at_its_line(
    tmp_path: pathlib.Path,
    capsys: pytest.CaptureFixture[str],
    counts: list[float],
    at: int,
    decimal: int,
) -> None:
    """A forecast saved with a decimal comma (``06:00,20,5``) has a cell the header does not
    name: it is refused at its line (the header is line 1), never read as the whole number
    before the comma. Trailing empty cells are a spreadsheet's, and change nothing."""
    at = at % len(counts)
    rows = _forecast_rows(counts)
    trailing = tmp_path / "trailing.csv"
    trailing.write_text("start,arrivals\n" + "".join(f"{r},,\n" for r in rows))
    assert _plan_arrivals(capsys, trailing) == [round(c, 1) for c in counts]
    bad = list(rows)
    bad[at] = f"{bad[at]},{decimal}"
    path = tmp_path / "comma.csv"
    path.write_text("start,arrivals\n" + "".join(f"{r}\n" for r in bad))
    line = _error(
        capsys, "staff", "--forecast", str(path), "--day", "2026-03-09", "--timezone", "UTC"
    )
    assert line.startswith(
        f"csflow: error: comma.csv:{at + 2}: expected at most 2 cells, as the header "
        f"'start,arrivals' names, got 3: {bad[at]!r}"
    )


@pytest.mark.parametrize(
    ("row", "column", "detail"),
    [
        ("07:00", "arrivals", "expected a number, got a row that ends before it"),
        ("07:00,-1", "arrivals", "expected a finite number of expected arrivals >= 0, got '-1'"),
        (
            "07:00,1e999",
            "arrivals",
            "expected a finite number of expected arrivals >= 0, got '1e999'",
        ),
    ],
)
def test_a_bad_arrivals_cell_is_named_as_written(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], row: str, column: str, detail: str
) -> None:
    """The file's line and column, and the cell as the file writes it: not Python's ``None``
    for a missing cell, not ``-1.0`` for ``-1`` nor ``inf`` for ``1e999``."""
    path = tmp_path / "f.csv"
    path.write_text(f"start,arrivals\n06:30,4\n{row}\n")
    line = _error(
        capsys, "staff", "--forecast", str(path), "--day", "2026-03-09", "--timezone", "UTC"
    )
    assert line == f"csflow: error: f.csv:3.{column}: {detail}"


# ---------------------------------------------------------------------------------------------
# A tab in a YAML file says what to write instead


@_SETTINGS
@given(depth=st.integers(min_value=1, max_value=4), tabs=st.integers(min_value=1, max_value=3))
def test_a_yaml_file_indented_with_tabs_says_to_use_spaces(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], depth: int, tabs: int
) -> None:
    """An editor set to tabs writes ``\\taht: 6m`` under ``staffing:``: YAML refuses the tab,
    and the message says where (the line of the first tab, column 1 as an editor counts) and
    what to write instead."""
    lines = ["name: plan"] + [f"{'  ' * k}k{k}:" for k in range(depth)]
    lines.append("\t" * tabs + "aht: 6m")
    path = tmp_path / "tabs.yaml"
    path.write_text("\n".join(lines) + "\n")
    line = _error(capsys, "lint", str(path))
    assert line.startswith(f"csflow: error: CONFIG: {str(path)!r} is not valid YAML: ")
    assert f"(line {depth + 2}, column 1)" in line
    assert line.endswith("expected spaces there: YAML indents with spaces, never tabs")
