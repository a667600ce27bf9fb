"""``csflow simulate``: the number of runs one command makes is bounded (MAX_RUNS), and a single
swept run's per-interval table describes the swept simulation, not the file's."""

from __future__ import annotations

import argparse
import csv
import io
import json
import pathlib
from datetime import datetime, timedelta

import pytest

from csflow.cli import main
from csflow.cli.documents import MAX_RUNS
from csflow.errors import ConfigError

_EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples" / "configs"
_DAY = str(_EXAMPLES / "marketplace-day.yaml")

_SMALL = {
    "simulation": {
        "start": "2026-03-02T08:00:00+07:00",
        "duration": "1h",
        "arrivals": {"rates": [["00:00", 20]]},
        "agents": [{"name": "a", "count": 2}],
    }
}


def _error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    status = main(list(args))
    out, err = capsys.readouterr()
    assert (status, out) == (2, ""), err
    assert err.count("\n") == 1, err
    assert err.startswith("csflow: error: "), err
    return err


def _small(tmp_path: pathlib.Path, **top: object) -> str:
    path = tmp_path / "small.json"
    path.write_text(json.dumps({**top, **_SMALL}), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("reps", [MAX_RUNS + 1, 10**11])
def test_replications_past_max_runs_are_refused_before_any_run(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path, reps: int
) -> None:
    # (10**11 used to build a list of a hundred billion seeds: a MemoryError, exit 70.)
    err = _error(capsys, "simulate", _small(tmp_path), "--replications", str(reps))
    assert "--replications" in err
    assert f"{MAX_RUNS:,}" in err
    assert str(reps) in err
    err = _error(capsys, "simulate", _small(tmp_path, replications=reps))
    assert "csflow: error: replications:" in err
    assert f"{MAX_RUNS:,}" in err


def test_seeds_and_sweeps_past_max_runs_are_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    config = _small(tmp_path)
    seeds = ",".join(str(s) for s in range(MAX_RUNS + 1))
    assert "--seeds" in _error(capsys, "simulate", config, "--seeds", seeds)
    # 101 values x 100 seeds = 10,100 runs: refused as a whole, naming the product.
    values = ",".join(str(v) for v in range(1, 102))
    some = ",".join(str(s) for s in range(100))
    err = _error(
        capsys,
        "simulate",
        config,
        "--seeds",
        some,
        "--sweep",
        f"simulation.agents[0].count={values}",
    )
    assert "--sweep" in err
    assert "10,100 runs" in err


def test_max_runs_itself_is_within_the_bound() -> None:
    # The flags' own check, before any run: MAX_RUNS replications pass, one more does not.
    from csflow.cli.commands import _counts

    _counts(argparse.Namespace(replications=MAX_RUNS, seeds=None, jobs=None))
    with pytest.raises(ConfigError, match="MAX_RUNS"):
        _counts(argparse.Namespace(replications=MAX_RUNS + 1, seeds=None, jobs=None))


def _sla_rows(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, str]]:
    assert main(["simulate", _DAY, "--format", "csv", *args]) == 0
    out = capsys.readouterr().out
    section = out.split("# sla\n", 1)[1].split("\n\n", 1)[0]
    return list(csv.DictReader(io.StringIO(section)))


def test_a_single_swept_run_flags_the_rows_after_its_own_horizon(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # With the duration swept to 1 h, every row from start + 1 h on is the drain.
    rows = _sla_rows(capsys, "--sweep", "simulation.duration=1h")
    assert rows
    first = datetime.strptime(rows[0]["from"] + " +0000", "%Y-%m-%d %H:%M %z")
    for row in rows:
        after = datetime.strptime(row["from"] + " +0000", "%Y-%m-%d %H:%M %z") - first >= timedelta(
            hours=1
        )
        assert row["after_horizon"] == ("yes" if after else "no"), row
    assert any(row["after_horizon"] == "yes" for row in rows)


def test_a_single_swept_run_titles_its_table_with_its_own_interval(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["simulate", _DAY, "--sweep", "simulation.interval=1h"]) == 0
    out = capsys.readouterr().out
    assert "per 1h (after_horizon" in out
    assert "per 30m" not in out
