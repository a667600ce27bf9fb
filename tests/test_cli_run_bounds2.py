"""The bound on the runs one command makes (MAX_RUNS) holds for ``staff --verify`` and for
``lint`` as it does for ``simulate``, and a swept duration is given once in any of its forms
(``30m``, ``PT30M``, ``1800``)."""

from __future__ import annotations

import json
import pathlib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csflow.cli import main
from csflow.cli.documents import MAX_RUNS, check_distinct_values
from csflow.errors import ConfigError


def _error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    status = main(list(args))
    out, err = capsys.readouterr()
    assert (status, out) == (2, ""), err
    assert err.count("\n") == 1, err
    assert err.startswith("csflow: error: "), err
    return err


def _clean(capsys: pytest.CaptureFixture[str], path: pathlib.Path) -> None:
    status = main(["lint", str(path)])
    out, err = capsys.readouterr()
    assert (status, err) == (0, ""), err
    assert out.strip() == f"{path}: no findings"


def _planned(tmp_path: pathlib.Path, **top: Any) -> pathlib.Path:
    """A one-group desk with a day plan of three half hours, the middle one quiet (no
    arrivals: verify_plan runs nothing there)."""
    (tmp_path / "f.csv").write_text("start,arrivals\n06:00,10\n06:30,0\n07:00,16\n")
    doc = {
        "desk": {"tiers": [{"name": "regular"}]},
        "simulation": {
            "start": "2026-03-16T06:00:00+07:00",
            "duration": "90m",
            "arrivals": {"rates": [["00:00", 30]], "channels": {"chat": 1}},
            "handle_time": {"default": {"exponential": "6m"}},
            "agents": [{"name": "front", "count": 3, "capacity": {"chat": 1}}],
        },
        "staffing": {
            "aht": "6m",
            "target": "60s",
            "level": 0.8,
            "interval": "30m",
            "forecast": "f.csv",
            "day": "2026-03-16",
            "timezone": "Asia/Jakarta",
        },
        **top,
    }
    path = tmp_path / "planned.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _with_verify_seeds(tmp_path: pathlib.Path, n: int) -> pathlib.Path:
    path = _planned(tmp_path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["staffing"]["verify"] = {"seeds": list(range(n))}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _seeds(n: int) -> str:
    return ",".join(str(s) for s in range(n))


def test_staff_verify_refuses_more_seeds_than_max_runs_before_any_run(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    # It used to start 10,001 runs for every candidate of every interval (and run on).
    err = _error(
        capsys, "staff", str(_planned(tmp_path)), "--verify", "--seeds", _seeds(MAX_RUNS + 1)
    )
    assert err.startswith("csflow: error: --seeds: expected at most 10,000 seeds (MAX_RUNS)"), err
    assert "10,001" in err


def test_file_verify_seeds_past_max_runs_are_refused_by_lint_and_staff(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    path = _with_verify_seeds(tmp_path, MAX_RUNS + 1)
    for args in (("lint", str(path)), ("staff", str(path), "--verify")):
        err = _error(capsys, *args)
        assert err.startswith(
            "csflow: error: staffing.verify.seeds: expected at most 10,000 seeds (MAX_RUNS)"
        ), err


def test_verify_counts_a_round_of_its_runs_busy_intervals_times_seeds(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    # Two busy intervals (the quiet one runs nothing): 2 x 5,000 = 10,000 runs a round is
    # the bound itself; 2 x 5,001 is past it, refused by lint and staff --verify alike.
    ok = tmp_path / "ok"
    ok.mkdir()
    _clean(capsys, _with_verify_seeds(ok, MAX_RUNS // 2))
    past = _with_verify_seeds(tmp_path, MAX_RUNS // 2 + 1)
    for args in (("lint", str(past)), ("staff", str(past), "--verify")):
        err = _error(capsys, *args)
        assert err.startswith("csflow: error: staffing.verify.seeds: --verify runs"), err
        assert "2 intervals x 5,001 seeds would be 10,002 runs" in err
    err = _error(capsys, "staff", str(ok / "planned.json"), "--verify", "--seeds", _seeds(5001))
    assert err.startswith("csflow: error: --seeds: --verify runs"), err
    assert "10,002 runs" in err


@pytest.mark.parametrize(("values", "reps"), [(3, 4000), (101, 100), (2, 5001)])
def test_lint_refuses_a_sweep_that_simulate_refuses(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path, values: int, reps: int
) -> None:
    sweep = {"parameter": "simulation.agents[0].count", "values": list(range(1, values + 1))}
    path = _planned(tmp_path, sweep=sweep, replications=reps)
    err = _error(capsys, "lint", str(path))
    runs = f"{values * reps:,} runs"
    assert err.startswith("csflow: error: sweep.values: "), err
    assert runs in err
    assert _error(capsys, "simulate", str(path)) == err  # the same line, before any run


def test_lint_accepts_a_sweep_at_the_bound(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    sweep = {"parameter": "simulation.agents[0].count", "values": [2, 3]}
    _clean(capsys, _planned(tmp_path, sweep=sweep, replications=MAX_RUNS // 2))


_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def _forms(seconds: int) -> list[Any]:
    """The ways one duration is written: seconds, the human form, ISO 8601 (upper and lower
    case), and the human and ISO forms in one unit."""
    human = ""
    iso_day = ""
    iso_time = ""
    rest = seconds
    for unit, size in _UNITS.items():
        n, rest = divmod(rest, size)
        if n:
            human += f"{n}{unit}"
            if unit == "d":
                iso_day = f"{n}D"
            else:
                iso_time += f"{n}{unit.upper()}"
    iso = f"P{iso_day}" + (f"T{iso_time}" if iso_time else "")
    return [seconds, human, iso, iso.lower(), f"{seconds}s", f"PT{seconds}S"]


@given(
    seconds=st.integers(1, 10 * 86400),
    picks=st.lists(st.integers(0, 5), min_size=2, max_size=2),
)
def test_a_duration_swept_twice_in_any_forms_is_refused(seconds: int, picks: list[int]) -> None:
    forms = _forms(seconds)
    first, second = forms[picks[0]], forms[picks[1]]
    for param in ("simulation.duration", "simulation.service_target"):
        with pytest.raises(ConfigError, match=r"each value once: .* given twice"):
            check_distinct_values(param, [first, second], "--sweep")


@given(st.lists(st.integers(1, 10 * 86400), min_size=1, max_size=6, unique=True), st.data())
def test_distinct_durations_in_any_forms_are_accepted(
    durations: list[int], data: st.DataObject
) -> None:
    values = [data.draw(st.sampled_from(_forms(s))) for s in durations]
    check_distinct_values("simulation.duration", values, "--sweep")


def test_a_name_that_is_not_a_duration_is_compared_as_written() -> None:
    check_distinct_values("simulation.agents[0].name", ["P1", "p1", "PT", "P"], "--sweep")
    with pytest.raises(ConfigError, match=r"each value once: 'P1' given twice"):
        check_distinct_values("simulation.agents[0].name", ["P1", "P1"], "--sweep")
