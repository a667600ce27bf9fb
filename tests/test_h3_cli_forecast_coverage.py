"""``csflow forecast`` over a history shorter than the days it averages: a day before the
first arrival (or after the last) is averaged as a day without arrivals, and a warning on
stderr names it, so that a forecast lowered by missing history is not taken as real."""

from __future__ import annotations

import contextlib
import io
import pathlib
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.cli import main

_WIB = timezone(timedelta(hours=7))
_DAY = date(2026, 3, 16)  # a Monday


def _history(path: pathlib.Path, mondays: int, per_day: int) -> None:
    """*per_day* arrivals at 09:00 on each of the *mondays* Mondays before ``_DAY``."""
    rows = ["created_at"]
    for week in range(1, mondays + 1):
        day = _DAY - timedelta(weeks=week)
        at = datetime(day.year, day.month, day.day, 9, tzinfo=_WIB)
        rows += [at.isoformat()] * per_day
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def _forecast(
    capsys: pytest.CaptureFixture[str], path: pathlib.Path, *more: str
) -> tuple[float, str]:
    args = ["forecast", str(path), "--day", _DAY.isoformat(), "--zone", "Asia/Jakarta"]
    assert main([*args, "--interval", "1d", *more]) == 0
    out, err = capsys.readouterr()
    header, row = out.splitlines()
    assert header == "start,arrivals,duration"
    return float(row.split(",")[1]), err


def test_a_day_before_the_history_is_named(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "arrivals.csv"
    _history(path, mondays=3, per_day=40)
    total, err = _forecast(capsys, path)
    # Four Mondays averaged, three of them in the file: 3 x 40 / 4.
    assert total == 30.0
    assert err == (
        f"csflow: warning: the arrivals in {str(path)!r} run from 2026-02-23 to 2026-03-09; "
        "2026-02-16, outside them, is averaged as a day without arrivals (give a history "
        "that covers the days averaged, a shorter --lookback, or --days)\n"
    )


@settings(max_examples=15, deadline=None)
@given(mondays=st.integers(1, 6), lookback=st.integers(1, 6))
def test_the_warning_names_exactly_the_days_the_history_misses(
    tmp_path_factory: pytest.TempPathFactory, mondays: int, lookback: int
) -> None:
    path = tmp_path_factory.mktemp("h") / "arrivals.csv"
    _history(path, mondays=mondays, per_day=10)
    args = ["forecast", str(path), "--day", _DAY.isoformat(), "--zone", "Asia/Jakarta"]
    err = io.StringIO()
    out = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        assert main([*args, "--interval", "1d", "--lookback", str(lookback)]) == 0
    missing = [
        (_DAY - timedelta(weeks=w)).isoformat() for w in range(1, lookback + 1) if w > mondays
    ]
    total = float(out.getvalue().splitlines()[1].split(",")[1])
    assert total == pytest.approx(10 * min(mondays, lookback) / lookback)
    if missing:
        assert ", ".join(missing) + ", outside them" in err.getvalue()
    else:
        assert err.getvalue() == ""


def test_days_chosen_before_the_history_are_named_too(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "arrivals.csv"
    _history(path, mondays=2, per_day=40)
    total, err = _forecast(capsys, path, "--days", "2026-03-09,2025-03-31")
    assert total == 20.0
    assert "; 2025-03-31, outside them, is averaged as a day without arrivals" in err
