"""A forecast file (``staff --forecast``) that is empty, has no header, or a header and no
rows: one line saying which, naming the file."""

from __future__ import annotations

import pathlib

import pytest

from csflow.cli import main


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("", "expected a header row with start,arrivals, got an empty file"),
        ("\n\n", "expected a header row with start,arrivals, got an empty file"),
        ("when,count\n06:00,3\n", "expected a header row with start,arrivals, got 'when,count'"),
        ("start,arrivals\n", "expected a row per interval after the header, got none"),
        ("\ufeffStart,Arrivals\r\n\r\n", "expected a row per interval after the header, got none"),
    ],
)
def test_a_forecast_without_rows_says_what_it_lacks(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], text: str, detail: str
) -> None:
    path = tmp_path / "fc.csv"
    path.write_text(text, encoding="utf-8", newline="")
    args = ["staff", "--forecast", str(path), "--day", "2026-03-16", "--timezone", "UTC"]
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"csflow: error: --forecast: {str(path)!r}: {detail}\n"


def test_a_forecast_with_one_row_is_planned(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "fc.csv"
    path.write_text("start,arrivals\n06:00,10\n", encoding="utf-8")
    args = ["staff", "--forecast", str(path), "--day", "2026-03-16", "--timezone", "UTC"]
    assert main([*args, "--format", "csv"]) == 0
    out, _ = capsys.readouterr()
    # 10 arrivals in half an hour at 6 minutes each: 2 Erlangs.
    assert "\n2026-03-16 06:00,10.0,2.0," in out
