"""The command line against a review's findings: sweeps (into a string, of a value no run
reads, of a defaulted simulation key, a value given twice), outputs that cannot be written
(stdout, --plot and --report on a full disk), durations in every form (staffing.verify,
a rate's ``at``), staffing.verify floors that lint must refuse as staff does, keys given
twice in JSON and YAML, an unstable interval's measures, and intervals across a DST change."""

from __future__ import annotations

import copy
import errno
import io
import json
import os
import pathlib
import re
import string
import subprocess
import sys
from datetime import date, timedelta
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import csflow
from csflow.cli import main
from csflow.cli.documents import _sim_durations, _verify_section, get_path, set_path
from csflow.errors import ConfigError
from csflow.sim import SimConfig
from csflow.staffing.history import forecast_from_history

_ROOT = pathlib.Path(__file__).resolve().parents[1]
#: The sources under test (a subprocess runs them too).
_SRC = pathlib.Path(csflow.__file__).resolve().parents[1]
_EXAMPLES = _ROOT / "examples" / "configs"


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def _error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """The one-line error of a bad input (exit status 2, nothing on stdout)."""
    status, out, err = _cli(capsys, *args)
    assert (status, out) == (2, ""), err
    assert err.count("\n") == 1, err
    assert err.startswith("csflow: error: "), err
    return err


def _write(tmp_path: pathlib.Path, name: str, data: dict[str, Any] | str) -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def _day() -> dict[str, Any]:
    """The marketplace example, its forecast file named absolutely (the copy lives elsewhere)."""
    data: dict[str, Any] = yaml.safe_load((_EXAMPLES / "marketplace-day.yaml").read_text("utf-8"))
    data["staffing"]["forecast"] = str(_EXAMPLES / "forecast-day.csv")
    return data


def _small() -> dict[str, Any]:
    """An hour of a small desk: a run takes a fraction of a second."""
    return {
        "name": "small",
        "seed": 1,
        "desk": {"tiers": [{"name": "regular", "rank": 1}]},
        "simulation": {
            "start": "2026-01-05T08:00:00+07:00",
            "duration": "PT1H",
            "arrivals": {"rates": [["00:00", 40]], "channels": {"phone": 1}},
            "handle_time": {"default": "6m"},
            "agents": [{"name": "a", "count": 4, "capacity": {"phone": 1}}],
        },
    }


# 1. a sweep's path steps into mappings and lists, never into a string ---------------------------

_KEYS = st.sampled_from(["a", "b", "c"])
_DOCS = st.recursive(
    st.one_of(st.integers(-3, 3), st.text(alphabet="xyz", max_size=3), st.none()),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=3)),
    max_leaves=12,
)


def _path(steps: list[str | int]) -> str:
    return "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in steps).lstrip(".")


@given(doc=st.dictionaries(_KEYS, _DOCS, min_size=1, max_size=3), data=st.data())
def test_set_path_sets_the_value_there_or_refuses_at_sweep_parameter(
    doc: dict[str, Any], data: st.DataObject
) -> None:
    # The law: set_path either refuses with a ConfigError naming sweep.parameter, or gives a
    # copy where get_path finds the value, the original untouched.  The path mostly follows
    # the document (into its strings too), then may step past it.
    steps: list[str | int] = []
    node: Any = doc
    while True:
        if isinstance(node, dict) and node:
            step: str | int = data.draw(st.sampled_from(sorted(node)) | _KEYS)
        else:
            size = len(node) if isinstance(node, list | str) else 0
            step = data.draw(st.integers(0, size)) if steps else data.draw(_KEYS)
        steps.append(step)
        parent = node
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(parent, str):
            break  # a letter of a string: what a sweep must not set
        if not isinstance(node, str) and data.draw(st.booleans()):
            break  # (a string is stepped into)
    path = _path(steps)
    before = copy.deepcopy(doc)
    refused: ConfigError | None = None
    try:
        out = set_path(doc, path, 99)
    except ConfigError as exc:
        refused = exc
    if refused is None:
        assert get_path(out, path) == 99
    else:
        assert refused.path == "sweep.parameter"
    assert doc == before


@pytest.mark.parametrize("parameter", ["simulation.start[0]", "desk.tiers[0].name[1]"])
def test_a_sweep_into_a_string_is_refused_by_lint_and_simulate_alike(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path, parameter: str
) -> None:
    data = _small()
    data["sweep"] = {"parameter": parameter, "values": ["a", "b"]}
    cfg = _write(tmp_path, "c.json", data)
    lint = _error(capsys, "lint", cfg)
    assert lint.startswith("csflow: error: sweep.parameter: the config has nothing at"), lint
    assert "indexes into the string" in lint
    assert _error(capsys, "simulate", cfg, "--jobs", "1") == lint
    del data["sweep"]
    flag = _error(
        capsys, "simulate", _write(tmp_path, "d.json", data), "--sweep", f"{parameter}=1,2"
    )
    # The same refusal, named where the path was given: the command line (not the file).
    assert flag == lint.replace("sweep.parameter:", "--sweep:", 1).replace(f" (in {cfg!r})", "")


# 9. only the simulation and the desk change a run; their defaulted keys may be swept ------------


@pytest.mark.parametrize("parameter", ["staffing.aht", "name", "name[0]", "simulation", "desk"])
def test_a_sweep_that_changes_no_run_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path, parameter: str
) -> None:
    data = _small()
    data["staffing"] = {"aht": "6m"}
    cfg = _write(tmp_path, "c.json", data)
    err = _error(capsys, "simulate", cfg, "--sweep", f"{parameter}=3,9")
    assert err.startswith(f"csflow: error: --sweep: {parameter!r} does not change a run"), err
    data["sweep"] = {"parameter": parameter, "values": [3, 9]}
    err = _error(capsys, "lint", _write(tmp_path, "d.json", data))
    assert err.startswith(f"csflow: error: sweep.parameter: {parameter!r} does not change"), err


def test_a_defaulted_simulation_key_is_swept_with_its_values(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    data = _small()
    assert "peak" not in data["simulation"]
    cfg = _write(tmp_path, "c.json", data)
    status, out, err = _cli(
        capsys, "simulate", cfg, "--sweep", "simulation.peak=normal,12.12", "--format", "json"
    )
    assert status == 0, err
    runs = {row["run"]: row["customers"] for row in json.loads(out)["runs"]}
    # x3.5 the traffic: many more customers than at the default peak (normal, x1).
    assert runs["simulation.peak=12.12"] > 2 * runs["simulation.peak=normal"]
    # A key the simulation does not know is still nothing to sweep.
    err = _error(capsys, "simulate", cfg, "--sweep", "simulation.peek=1,2")
    assert err.startswith("csflow: error: --sweep: the config has nothing at"), err
    data["sweep"] = {"parameter": "simulation.peak", "values": ["normal", "12.12"]}
    assert _cli(capsys, "lint", _write(tmp_path, "d.json", data))[0] == 0


# 6. each swept value once ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parameter", "values"),
    [
        ("simulation.agents[0].count", [3, 3]),
        ("simulation.agents[0].count", [3, 4, 3.0]),
        ("simulation.interval", ["30m", 1800]),
        ("simulation.peak", ["12.12", "x3.5"]),
    ],
)
def test_a_swept_value_given_twice_is_refused_as_a_seed_given_twice_is(
    capsys: pytest.CaptureFixture[str],
    tmp_path: pathlib.Path,
    parameter: str,
    values: list[Any],
) -> None:
    data = _small()
    cfg = _write(tmp_path, "c.json", data)
    text = ",".join(v if isinstance(v, str) else json.dumps(v) for v in values)
    err = _error(capsys, "simulate", cfg, "--sweep", f"{parameter}={text}", "--seeds", "1,2")
    assert err.startswith("csflow: error: --sweep: each value once: "), err
    data["sweep"] = {"parameter": parameter, "values": values}
    err = _error(capsys, "lint", _write(tmp_path, "d.json", data))
    assert err.startswith("csflow: error: sweep.values: each value once: "), err


def test_distinct_swept_values_still_run(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    cfg = _write(tmp_path, "c.json", _small())
    status, out, err = _cli(
        capsys, "simulate", cfg, "--sweep", "simulation.agents[0].count=3,4", "--seeds", "1,2",
        "--format", "json",
    )  # fmt: skip
    assert status == 0, err
    summary = json.loads(out)["summary"]
    assert [row["replications"] for row in summary] == [2, 2]  # each: the two seeds


# 2. stdout that cannot be written ----------------------------------------------------------------


class _Full(io.StringIO):
    """A stdout on a full disk."""

    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_stdout_that_cannot_be_written_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdout", _Full())
    status = main(["staff", "--load", "10"])
    err = capsys.readouterr().err
    assert status == 2
    assert err == f"csflow: error: stdout: cannot write: {os.strerror(errno.ENOSPC)}\n"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("args", [("staff", "--load", "10"), ("schema",)])
def test_csflow_into_dev_full_says_so_in_one_line(args: tuple[str, ...]) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "csflow", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            env={**os.environ, "PYTHONPATH": str(_SRC)},
            cwd=_ROOT,
            timeout=120,
        )
    assert done.returncode == 2
    assert done.stderr == "csflow: error: stdout: cannot write: No space left on device\n"


# 3. a --plot or --report that cannot be written after the runs -----------------------------------


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize(("option", "name"), [("--report", "day.html"), ("--plot", "day.png")])
def test_a_picture_that_cannot_be_written_comes_after_the_tables(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path, option: str, name: str
) -> None:
    pytest.importorskip("matplotlib")
    target = tmp_path / name
    target.symlink_to("/dev/full")  # writable, until the first byte: a full disk
    cfg = _write(tmp_path, "c.json", _small())
    status, out, err = _cli(capsys, "simulate", cfg, option, str(target), "--format", "csv")
    assert status == 2
    assert out.startswith("# runs\n")  # the runs are printed, not lost
    assert "# sla\n" in out
    assert err.endswith(
        f"csflow: error: {option}: cannot write {str(target)!r}: {os.strerror(errno.ENOSPC)}\n"
    ), err
    assert "internal error" not in err


def test_a_picture_cut_short_is_removed_and_one_not_opened_is_left_alone(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from csflow.cli import runs

    class Cut(io.BytesIO):
        def __init__(self, path: pathlib.Path) -> None:
            super().__init__()
            self.path = path

        def write(self, data: Any) -> int:
            with open(self.path, "wb") as part:  # part of it made it to the disk
                part.write(bytes(data)[:10])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    real_open = pathlib.Path.open

    def cut_open(self: pathlib.Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        return Cut(self) if mode == "wb" else real_open(self, mode, *args, **kwargs)

    cut = tmp_path / "cut.png"
    monkeypatch.setattr(pathlib.Path, "open", cut_open)
    error = runs._write(str(cut), b"x" * 100, "--plot")
    monkeypatch.undo()
    assert error is not None
    assert error.path == "--plot"
    assert "No space left on device" in error.detail
    assert not cut.exists()
    kept = tmp_path / "kept.html"
    kept.write_text("an earlier report", encoding="utf-8")
    kept.chmod(0o444)
    if os.access(kept, os.W_OK):  # root writes anyway: nothing to refuse
        return
    error = runs._write(str(kept), b"new", "--report")
    assert error is not None
    assert kept.read_text(encoding="utf-8") == "an earlier report"


# 4. staffing.verify.warmup and span take every form of a duration --------------------------------


@given(seconds=st.integers(0, 10**6), form=st.sampled_from(["iso", "human", "number", "text"]))
def test_verify_durations_read_every_form_as_the_same_seconds(seconds: int, form: str) -> None:
    written: Any = {
        "iso": f"PT{seconds}S",
        "human": f"{seconds}s",
        "number": seconds,
        "text": str(seconds),
    }[form]
    if seconds == 0:
        out = _verify_section({"warmup": written})
        assert out["warmup"] == 0
        with pytest.raises(ConfigError, match=r"^staffing\.verify\.span: expected a positive"):
            _verify_section({"span": written})
        return
    out = _verify_section({"warmup": written, "span": written})
    assert out["warmup"] == out["span"] == seconds


def test_lint_takes_iso_verify_durations(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    doc = {"staffing": {"aht": "6m", "verify": {"warmup": "PT30M", "span": "PT1H"}}}
    status, out, err = _cli(capsys, "lint", _write(tmp_path, "v.json", doc))
    assert (status, err) == (0, ""), err
    assert out.endswith(": no findings\n")


# 8. a rate's `at` as a duration from midnight, in every form -------------------------------------


@given(minutes=st.integers(1, 1439), form=st.sampled_from(["iso", "human", "seconds", "clock"]))
def test_a_rates_at_in_any_form_is_the_same_profile(minutes: int, form: str) -> None:
    written: Any = {
        "iso": f"PT{minutes}M",
        "human": f"{minutes}m",
        "seconds": minutes * 60,
        "clock": f"{minutes // 60:02d}:{minutes % 60:02d}",
    }[form]

    def profile(at: Any) -> Any:
        sim = _small()["simulation"]
        sim["arrivals"]["rates"] = [["00:00", 40], {"at": at, "per_hour": 90}]
        return SimConfig.from_dict(_sim_durations(sim)).arrivals.rates

    assert profile(written) == profile(minutes * 60)


@pytest.mark.parametrize(
    ("rates", "message"),
    [
        ([["00:00", 40], ["2h", 90], ["PT1H", 3]], "[2]: times of day must increase: 'PT1H' comes after '2h'"),
        ([["PT1H", 40]], "[0]: the first period must start at 00:00, got 'PT1H'"),
        ([["00:00", 40], ["24h", 3]], "[1]: expected a duration from midnight under 1d"),
        ([["00:00", 40], ["8am", 3]], "[1]: expected a time of day from 00:00 to 23:59, or a duration"),
    ],
)  # fmt: skip
def test_a_rates_at_is_checked_as_written(
    capsys: pytest.CaptureFixture[str],
    tmp_path: pathlib.Path,
    rates: list[Any],
    message: str,
) -> None:
    data = _small()
    data["simulation"]["arrivals"]["rates"] = rates
    err = _error(capsys, "lint", _write(tmp_path, "r.json", data))
    assert err.startswith(f"csflow: error: simulation.arrivals.rates{message}"), err


# 5. staffing.verify floors: lint refuses what staff --verify refuses, at the file's path ---------


def _no_sla(d: dict[str, Any]) -> None:
    desk = d["desk"]
    del desk["sla_policies"], desk["default_sla_policy"]
    desk["triage"]["rules"] = []
    del desk["queues"][0]["allowances"]


@pytest.mark.parametrize(
    ("floors", "change", "path", "message"),
    [
        ({"tiers": {"golld": 0.9}}, None, "tiers.golld", "the desk has no tier 'golld'"),
        (
            {"channels": {"phone": 0.5}},
            None,
            "channels.phone",
            "the simulated traffic brings no channel 'phone'",
        ),
        ({"channels": {"chat": 0.9}}, _no_sla, "channels.chat", "the desk has no SLA policy"),
    ],
)
def test_lint_refuses_the_floors_staff_verify_refuses_with_the_files_path(
    capsys: pytest.CaptureFixture[str],
    tmp_path: pathlib.Path,
    floors: dict[str, Any],
    change: Any,
    path: str,
    message: str,
) -> None:
    data = _day()
    if change is not None:
        change(data)
    data["staffing"]["verify"] = {"seeds": [1], **floors}
    cfg = _write(tmp_path, "v.json", data)
    lint = _error(capsys, "lint", cfg)
    assert lint.startswith(f"csflow: error: staffing.verify.{path}: {message}"), lint
    staff = _error(capsys, "staff", cfg, "--verify", "--jobs", "1", "--span", "5m")
    assert staff == lint


def test_floors_the_runs_can_measure_pass_lint(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    data = _day()
    data["staffing"]["verify"] = {"seeds": [1], "tiers": {"gold": 0.9}, "channels": {"chat": 0.8}}
    status, out, err = _cli(capsys, "lint", _write(tmp_path, "v.json", data))
    assert (status, err) == (0, ""), err
    assert out.endswith(": no findings\n")


# 7. keys given twice in JSON and YAML ------------------------------------------------------------

_NAMES = st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=4)


def _nested_twice(keys: list[str]) -> str:
    """The members ``"k0": {"k1": {... "kn": 1, "kn": 2}}``."""
    if len(keys) == 1:
        return f'"{keys[0]}": 1, "{keys[0]}": 2'
    return f'"{keys[0]}": {{{_nested_twice(keys[1:])}}}'


@given(keys=st.lists(_NAMES, min_size=1, max_size=5), fmt=st.sampled_from(["json", "yaml"]))
def test_a_key_given_twice_is_refused_at_its_path(keys: list[str], fmt: str) -> None:
    # After a sibling that holds the same key once (upper case: no key of the path).
    text = f'{{"Z": {{"{keys[-1]}": 0}}, {_nested_twice(keys)}}}'
    from csflow.cli.documents import _yaml, strict_json

    read = strict_json if fmt == "json" else _yaml  # JSON is YAML's flow style
    where = re.escape(".".join(keys))
    with pytest.raises(ConfigError, match=rf"^{where}: the key {keys[-1]!r} is given twice"):
        read(text)


def test_yaml_key_given_twice_in_block_style_and_the_merge_key_still_overrides() -> None:
    from csflow.cli.documents import _yaml

    with pytest.raises(ConfigError, match=r"^staffing: the key 'staffing' is given twice"):
        _yaml("staffing:\n  aht: 6m\nname: desk\nstaffing:\n  aht: 4m\n")
    with pytest.raises(ConfigError, match=r"^desk\.queues\[1\]\.name: the key 'name'"):
        _yaml("desk:\n  queues:\n    - {name: a}\n    - {name: b, name: c}\n")
    merged = _yaml("base: &b {aht: 6m, level: 0.9}\nstaffing:\n  <<: *b\n  aht: 4m\n")
    assert merged["staffing"] == {"aht": "4m", "level": 0.9}


def test_lint_refuses_a_json_config_with_a_section_given_twice(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    cfg = _write(tmp_path, "d.json", '{"staffing": {"aht": "6m"}, "staffing": {"aht": "4m"}}')
    err = _error(capsys, "lint", cfg)
    assert err.startswith("csflow: error: staffing: the key 'staffing' is given twice"), err


# 11. an unstable interval: every measure empty ---------------------------------------------------


@pytest.mark.parametrize(("load", "agents"), [("10", "9"), ("10", "10"), ("2.5", "1")])
def test_an_unstable_interval_has_every_measure_empty(
    capsys: pytest.CaptureFixture[str], load: str, agents: str
) -> None:
    status, out, err = _cli(capsys, "staff", "--load", load, "--agents", agents, "--format", "json")
    assert status == 0, err
    (record,) = json.loads(out)["staffing"]
    assert record["stable"] is False
    measures = ("probability_of_waiting", "service_level", "asa_s", "occupancy", "abandonment")
    assert {k: record[k] for k in measures} == dict.fromkeys(measures)


# 10. intervals across a DST change, as cli.md and the history module say -------------------------


@pytest.mark.parametrize(
    ("minutes", "start", "length"),
    [(120, "00:00", timedelta(hours=3)), (90, "01:30", timedelta(minutes=30))],
)
def test_an_interval_across_new_yorks_spring_forward_is_as_documented(
    minutes: int, start: str, length: timedelta
) -> None:
    forecast = forecast_from_history(
        [],
        date(2026, 3, 8),
        timezone="America/New_York",
        interval=timedelta(minutes=minutes),
        lookback=1,
    )
    odd = [
        (f"{i.start:%H:%M}", i.duration)
        for i in forecast.intervals
        if i.duration != timedelta(minutes=minutes)
    ]
    assert odd == [(start, length)]
    docs = (_ROOT / "docs" / "reference" / "cli.md").read_text(encoding="utf-8")
    assert "the last interval may be\nshorter" not in docs
    assert "a two-hour\n  interval across the gap lasts one hour" not in (
        _ROOT / "src" / "csflow" / "staffing" / "history.py"
    ).read_text(encoding="utf-8")
