"""``csflow staff --verify``: traffic no agent group takes is refused before any run, as
``simulate`` refuses it and ``lint`` calls it an error; its process pool is no larger than
the runs of a round, as ``simulate``'s is no larger than its runs."""

from __future__ import annotations

import concurrent.futures
import json
import os
import pathlib
from typing import Any

import pytest

from csflow.cli import main, planning


def _config(
    tmp_path: pathlib.Path, channels: dict[str, int], capacity: dict[str, int], count: int = 3
) -> pathlib.Path:
    """A one-group desk and a one-hour forecast of two half hours (two busy intervals)."""
    (tmp_path / "f.csv").write_text("start,arrivals\n06:00,6\n06:30,8\n")
    doc = {
        "name": "small desk",
        "desk": {"tiers": [{"name": "regular"}]},
        "simulation": {
            "start": "2026-03-16T06:00:00+07:00",
            "duration": "1h",
            "arrivals": {"rates": [["00:00", 12]], "channels": channels},
            "handle_time": {"default": {"exponential": "6m"}},
            "agents": [{"name": "front", "count": count, "capacity": capacity}],
        },
        "staffing": {
            "aht": "6m",
            "target": "60s",
            "level": 0.8,
            "interval": "30m",
            "forecast": "f.csv",
            "day": "2026-03-16",
            "timezone": "Asia/Jakarta",
            "verify": {"seeds": [1], "span": "10m", "warmup": "5m", "max_steps": 1},
        },
    }
    path = tmp_path / "small.json"
    path.write_text(json.dumps(doc))
    return path


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


class _Ran(Exception):
    """What the stand-in for the verification raises: the checks let the file through."""


def _verifies(capsys: pytest.CaptureFixture[str], cfg: str) -> bool:
    """``staff CONFIG --verify`` got past its checks to the verification (the stand-in
    raised, an internal error to ``main``)."""
    status, _, err = _run(capsys, "staff", cfg, "--verify")
    return status != 2 and "_Ran" in err


@pytest.mark.parametrize(
    ("channels", "capacity", "count"),
    [
        ({"chat": 5, "email": 1, "phone": 1}, {"chat": 2, "email": 3}, 4),  # the review's file
        ({"chat": 1, "phone": 1}, {"chat": 1}, 3),
        ({"chat": 1, "phone": 1}, {"chat": 1, "phone": 0}, 3),  # no slot is no capacity
        ({"chat": 1, "phone": 0}, {"chat": 1}, 3),  # no phone traffic: nothing to refuse
        ({"chat": 1}, {"chat": 1, "email": 1}, 3),
    ],
)
def test_verify_refuses_what_lint_calls_an_error_of_the_traffic(
    tmp_path: pathlib.Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    channels: dict[str, int],
    capacity: dict[str, int],
    count: int,
) -> None:
    cfg = str(_config(tmp_path, channels, capacity, count))

    def ran(*args: Any, **kwargs: Any) -> Any:
        raise _Ran

    monkeypatch.setattr(planning, "run_verify", ran)
    status, out, _ = _run(capsys, "lint", cfg, "--format", "json")
    errors = [
        f["path"]
        for f in json.loads(out)["findings"]
        if f["severity"] == "error" and f["path"].startswith("simulation.arrivals.channels.")
    ]
    if not errors:
        assert _verifies(capsys, cfg)
        return
    assert status == 1
    for command in (("simulate", cfg), ("staff", cfg, "--verify")):
        status, out, err = _run(capsys, *command)
        # Refused before any run: exit status 2, one line naming the first such channel.
        assert (status, out) == (2, ""), (command, err)
        assert err.startswith(f"csflow: error: {errors[0]}: no agent group has capacity"), err
        assert "never answered" in err


def test_verify_reads_the_group_as_staffed_whatever_its_count(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The plan sets the group's head count per interval: a file's count of 0 takes nothing
    # away from what the group can take under --verify (simulate, with no agent, takes none).
    cfg = str(_config(tmp_path, {"chat": 1, "phone": 1}, {"chat": 1}, count=0))

    def ran(*args: Any, **kwargs: Any) -> Any:
        raise _Ran

    monkeypatch.setattr(planning, "run_verify", ran)
    status, _, err = _run(capsys, "staff", cfg, "--verify")
    assert status == 2
    assert err.startswith("csflow: error: simulation.arrivals.channels.phone: "), err
    cfg = str(_config(tmp_path, {"chat": 1}, {"chat": 1}, count=0))
    assert _verifies(capsys, cfg)


@pytest.mark.parametrize(
    ("jobs", "seeds"), [(None, "1"), ("1", "1"), ("48", "1"), ("48", "1,2"), ("3", "1,2")]
)
def test_the_verify_pool_has_at_most_one_process_per_run_of_a_round(
    tmp_path: pathlib.Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    jobs: str | None,
    seeds: str,
) -> None:
    cfg = str(_config(tmp_path, {"chat": 1}, {"chat": 1}))
    sizes: list[int | None] = []

    def pool(max_workers: int | None = None, **kwargs: Any) -> concurrent.futures.Executor:
        sizes.append(max_workers)
        return concurrent.futures.ThreadPoolExecutor(max_workers or 1)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", pool)
    flags = ["--jobs", jobs] if jobs is not None else []
    status, out, err = _run(
        capsys, "staff", cfg, "--verify", "--seeds", seeds, *flags, "--format", "json"
    )
    assert status == 0, err
    assert len(json.loads(out)["verified"]) == 2
    # Two intervals with arrivals, once per seed: the most runs a round of the search has.
    runs = 2 * len(seeds.split(","))
    wanted = int(jobs) if jobs is not None else os.cpu_count() or 1
    assert sizes == [min(wanted, runs)]


def test_verify_refuses_a_pool_of_no_process(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = str(_config(tmp_path, {"chat": 1}, {"chat": 1}))
    status, out, err = _run(capsys, "staff", cfg, "--verify", "--jobs", "0")
    assert (status, out) == (2, "")
    assert err.startswith("csflow: error: --jobs: expected a number of processes >= 1"), err
