"""``csflow staff --forecast``: rows named by the file's real line (blank lines and quoted
line breaks counted), a quoted line break in a cell refused, the header read in any case;
and one interval's load never shown as 0 when it is not."""

from __future__ import annotations

import json
import pathlib
import tempfile
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csflow.cli import main
from csflow.cli.forecast import read_forecast
from csflow.errors import ConfigError

_DAY = date(2026, 3, 9)
_ZONE = ZoneInfo("Asia/Jakarta")
_HALF = timedelta(minutes=30)


def _read(text: str) -> tuple[list[float], list[int]] | ConfigError:
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp, "f.csv")
        path.write_bytes(text.encode())
        try:
            rows, lines = read_forecast(
                path, "--forecast", _HALF, day=_DAY, zone=_ZONE, interval_flag="--interval"
            )
        except ConfigError as exc:
            return exc
    return [r.arrivals for r in rows], lines


@given(
    blanks=st.lists(st.integers(0, 3), min_size=4, max_size=4),
    arrivals=st.lists(st.integers(0, 99), min_size=3, max_size=3),
    newline=st.sampled_from(["\n", "\r\n"]),
    bad=st.booleans(),
)
def test_rows_are_named_by_their_line_in_the_file(
    blanks: list[int], arrivals: list[int], newline: str, bad: bool
) -> None:
    # A header, three rows and, when *bad*, a fourth that is not a number, with blank lines
    # before each: the line each row is on, counted as an editor counts them.
    lines = ["start,arrivals"]
    where = []
    cells = [str(a) for a in arrivals] + (["x"] if bad else [])
    for k, cell in enumerate(cells):
        lines += [""] * blanks[k]
        lines.append(f"{6 + k // 2:02d}:{30 * (k % 2):02d},{cell}")
        where.append(len(lines))
    got = _read(newline.join(lines) + newline)
    if bad:
        assert isinstance(got, ConfigError)
        assert got.path == f"f.csv:{where[-1]}.arrivals"
        assert got.detail == "expected a number, got 'x'"
    else:
        assert got == ([float(a) for a in arrivals], where)


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ('start,arrivals\n06:00,10\n06:30,"1\n2"\n', "f.csv:4.arrivals"),
        ('start,arrivals\n06:00,10\n06:30,"1\n2"\n07:00,x\n', "f.csv:4.arrivals"),
        ('start,arrivals\n06:00,10\n06:30,"12\r\n"\n', "f.csv:4.arrivals"),
        ('start,arrivals\n06:00,10\n"06:30\n",12\n', "f.csv:4.start"),
        ('start,arrivals,duration\n06:00,10,"30m\n"\n', "f.csv:3.duration"),
    ],
)
def test_a_quoted_line_break_is_not_part_of_a_value(text: str, path: str) -> None:
    got = _read(text)
    assert isinstance(got, ConfigError)
    assert got.path == path
    assert got.detail.startswith("expected one line, got a quoted cell holding a line break")


def test_other_columns_may_hold_line_breaks_and_the_rows_after_keep_their_lines() -> None:
    text = 'start,arrivals,note\n06:00,10,"a\nnote"\n06:30,12,\n'
    assert _read(text) == ([10.0, 12.0], [3, 4])


@pytest.mark.parametrize("header", ["Start,Arrivals", "START, ARRIVALS", " start ,arrivals"])
def test_the_header_is_read_in_any_case(header: str) -> None:
    assert _read(f"{header}\n06:00,10\n06:30,12\n") == ([10.0, 12.0], [2, 3])


def test_a_csv_error_names_the_line_it_stopped_in() -> None:
    big = "x" * 200_000
    got = _read(f'start,arrivals\n06:00,10\n\n06:30,"{big}"\n')
    assert isinstance(got, ConfigError)
    assert got.path == "f.csv:4"
    assert "is not CSV as expected" in got.detail


def test_the_plan_names_the_rows_as_staff_reads_them(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("start,arrivals\n06:00,10\n\n\n06:30,12\n07:00,x\n")
    args = ["staff", "--forecast", str(path), "--day", "2026-03-09", "--timezone", "Asia/Jakarta"]
    status = main(args)
    out, err = capsys.readouterr()
    assert (status, out) == (2, "")
    assert err == "csflow: error: blank.csv:6.arrivals: expected a number, got 'x'\n"


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(load=st.floats(min_value=1e-300, max_value=1000, allow_subnormal=False))
def test_a_load_that_is_not_zero_never_shows_as_zero(
    capsys: pytest.CaptureFixture[str], load: float
) -> None:
    status = main(["staff", "--load", repr(load), "--format", "json"])
    out, err = capsys.readouterr()
    assert status == 0, err
    (record,) = json.loads(out)["staffing"]
    shown = record["load_erlangs"]
    assert shown > 0
    # Two decimals where they show it; else three significant digits.
    assert abs(shown - load) <= max(0.005, load * 0.005)
    status = main(["staff", "--load", repr(load)])
    out, _ = capsys.readouterr()
    title = out.splitlines()[0]
    assert " load 0.00 " not in title, title
