"""The command line against an acceptance review's findings, in this process (``main``):
peak names written as numbers, day plans from an arrival profile, forecast files (encodings,
spacing, clock changes), messages that name the flag or field, lint running the commands'
checks, the simulate and staff flags, bounds, and occupancy within the agents' slots."""

from __future__ import annotations

import json
import pathlib
from typing import Any

import pytest

from csflow.cli import main
from csflow.cli.commands import _parse_sweep
from csflow.cli.documents import load_document
from csflow.cli.durations import parse_human_duration, to_seconds
from csflow.cli.forecast import staffing_value
from csflow.errors import ConfigError
from csflow.sim import AgentGroup, Scenario, SimConfig, run_scenario
from csflow.sim.scenario import PEAK_DAYS

_ROOT = pathlib.Path(__file__).resolve().parents[1]
_LEBARAN = _ROOT / "examples" / "configs" / "marketplace-lebaran.yaml"


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def _error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    status, _, err = _cli(capsys, *args)
    assert status == 2, err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    assert "internal error" not in err
    return err


def _ok(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    status, out, err = _cli(capsys, *args)
    assert status == 0, err
    return out


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    return json.loads(_ok(capsys, *args, "--format", "json"))


def _sim(**extra: Any) -> dict[str, Any]:
    sim: dict[str, Any] = {
        "start": "2026-03-16T06:00:00+07:00",
        "duration": "PT1H",
        "arrivals": {"rates": [["00:00", 40]], "channels": {"chat": 1}},
        "agents": [{"name": "front", "count": 4, "capacity": {"chat": 2}}],
    }
    sim.update(extra)
    return sim


def _write(tmp_path: pathlib.Path, name: str, text: str | dict[str, Any]) -> str:
    path = tmp_path / name
    path.write_text(text if isinstance(text, str) else json.dumps(text), encoding="utf-8")
    return str(path)


# 1. peak: 11.11 unquoted ------------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n in PEAK_DAYS if n[0].isdigit()])
def test_a_peak_written_as_a_number_that_is_a_peak_name_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path, name: str
) -> None:
    number = float(name)
    with pytest.raises(ConfigError, match=rf"quote it: '{name}'") as info:
        SimConfig.from_dict(_sim(peak=number))
    assert info.value.path == "simulation.peak"
    assert SimConfig.from_dict(_sim(peak=name)).peak == PEAK_DAYS[name]
    assert SimConfig.from_dict(_sim(peak=f"x{name}")).peak == number  # the factor, if meant
    data = {"simulation": _sim(peak=number)}
    for command in ("simulate", "lint"):
        err = _error(capsys, command, _write(tmp_path, "p.json", data))
        assert f"simulation.peak: the number {number}" in err
    staffing = {"simulation": _sim(), "staffing": {"peak": number}}
    for command in ("staff", "lint"):
        err = _error(capsys, command, _write(tmp_path, "s.json", staffing))
        assert "staffing.peak:" in err
        assert f"'{name}'" in err
    swept = {
        "simulation": _sim(peak="normal"),
        "sweep": {"parameter": "simulation.peak", "values": [number]},
    }
    assert "sweep.values[0]:" in _error(capsys, "lint", _write(tmp_path, "w.json", swept))


def test_a_swept_peak_name_is_the_name() -> None:
    assert _parse_sweep("simulation.peak=11.11,12.12,2") == (
        "simulation.peak",
        ["11.11", "12.12", 2],
    )
    assert _parse_sweep("simulation.agents[0].count=11.11") == (
        "simulation.agents[0].count",
        [11.11],
    )


def test_the_schema_refuses_a_peak_number_that_is_a_peak_name(
    capsys: pytest.CaptureFixture[str],
) -> None:
    schema = _json(capsys, "schema")
    for where in (schema["properties"]["simulation"], schema["properties"]["staffing"]):
        number = where["properties"]["peak"]["anyOf"][0]
        assert number["type"] == "number"
        assert sorted(number["not"]["enum"]) == [11.11, 12.12]


# 2. a day plan from the arrival profile -------------------------------------------------------


def test_a_plan_from_the_arrival_profile_integrates_the_rate_over_each_interval(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    rates = {"rates": [["00:00", 40], ["00:45", 200]], "channels": {"chat": 1}}
    cfg = _write(tmp_path, "p.json", {"simulation": _sim(duration="90m", arrivals=rates)})
    plan = _json(capsys, "staff", cfg)["plan"]
    assert [r["arrivals"] for r in plan] == [20, 60, 100]  # 40/h x 30m; 10 + 50; 200/h x 30m
    short = _write(tmp_path, "q.json", {"simulation": _sim(duration="80m", arrivals=rates)})
    plan = _json(capsys, "staff", short)["plan"]
    # The horizon ends 20 minutes into the third interval: 200/h over 20 minutes.
    assert [r["arrivals"] for r in plan] == [20, 60, 66.7]
    assert plan[2]["load"] == plan[1]["load"] * 200 / 120  # the same rate, a shorter span


# 3. forecast files ----------------------------------------------------------------------------


def test_forecast_files_with_a_bom_latin1_or_no_file_name(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    rows = "start,arrivals\n2026-03-16T06:00:00+07:00,20\n2026-03-16T06:30:00+07:00,40\n"
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + rows.encode())
    assert [r["arrivals"] for r in _json(capsys, "staff", "--forecast", str(bom))["plan"]] == [
        20,
        40,
    ]
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"start,arrivals,catatan\n" + "06:00,20,é\n".encode("latin-1"))
    err = _error(capsys, "staff", "--forecast", str(latin))
    assert "--forecast:" in err
    assert "is not UTF-8" in err
    cfg = _write(tmp_path, "c.json", {"staffing": {"forecast": 5}})
    for command in ("staff", "lint"):
        assert "staffing.forecast: expected the name of a CSV file, got 5" in _error(
            capsys, command, cfg
        )


def test_rows_spaced_otherwise_than_the_interval_are_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    hourly = _write(
        tmp_path,
        "h.csv",
        "start,arrivals\n2026-03-16T06:00:00+07:00,120\n2026-03-16T07:00:00+07:00,120\n",
    )
    err = _error(capsys, "staff", "--forecast", hourly)
    assert "rows are 1h apart" in err
    assert "pass --interval 1h" in err
    plan = _json(capsys, "staff", "--forecast", hourly, "--interval", "1h")["plan"]
    assert [r["load"] for r in plan] == [12, 12]  # 120 an hour x 6 minutes, not doubled


# 4. clock changes -----------------------------------------------------------------------------


def test_hh_mm_rows_across_clock_changes(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    spring = _write(tmp_path, "spring.csv", "start,arrivals\n01:00,10\n02:00,10\n03:00,10\n")
    err = _error(
        capsys,
        "staff",
        "--forecast",
        spring,
        "--interval",
        "1h",
        "--day",
        "2026-03-08",
        "--timezone",
        "America/New_York",
    )
    assert "spring.csv:3.start: 02:00 does not exist on 2026-03-08 in America/New_York" in err
    fall = _write(tmp_path, "fall.csv", "start,arrivals\n00:00,10\n01:00,10\n01:00,10\n02:00,10\n")
    plan = _json(
        capsys,
        "staff",
        "--forecast",
        fall,
        "--interval",
        "1h",
        "--day",
        "2026-11-01",
        "--timezone",
        "America/New_York",
    )["plan"]
    assert [r["from"] for r in plan] == [
        "2026-11-01 00:00-0400",
        "2026-11-01 01:00-0400",
        "2026-11-01 01:00-0500",
        "2026-11-01 02:00-0500",
    ]


def test_iso_rows_are_labelled_in_their_own_offset(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    iso = _write(
        tmp_path,
        "iso.csv",
        "start,arrivals\n2026-11-01T00:30:00-04:00,10\n2026-11-01T01:30:00-04:00,10\n"
        "2026-11-01T01:30:00-05:00,10\n",
    )
    plan = _json(capsys, "staff", "--forecast", iso, "--interval", "1h")["plan"]
    assert [r["from"][-10:] for r in plan] == ["00:30-0400", "01:30-0400", "01:30-0500"]


# 5. messages name the flag or the field -----------------------------------------------------


def test_messages_name_the_flag_or_the_field(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    assert "csflow: error: --level: expected a number strictly between 0 and 1, got 1.5" in (
        _error(capsys, "staff", "--load", "10", "--level", "1.5")
    )
    assert "--shrinkage: expected" in _error(capsys, "staff", "--load", "10", "--shrinkage", "1")
    assert "--peak:" in _error(capsys, "staff", "--load", "10", "--peak", "-2")
    cfg = _write(tmp_path, "c.json", {"staffing": {"level": 80}})
    assert "staffing.level: expected a number strictly between 0 and 1, got 80" in _error(
        capsys, "staff", cfg, "--load", "10"
    )
    forecast = _write(tmp_path, "f.csv", "start,arrivals\n06:00,10\n")
    for flag, value in (("--timezone", "Mars/Olympus"), ("--day", "2026-13-01")):
        err = _error(
            capsys,
            "staff",
            "--forecast",
            forecast,
            "--day",
            "2026-03-16",
            "--timezone",
            "Asia/Jakarta",
            flag,
            value,
        )
        assert f"csflow: error: {flag}:" in err
    desk = _write(tmp_path, "d.json", {"desk": {"tierz": []}})
    assert "csflow: error: desk.tierz: unknown key 'tierz'" in _error(capsys, "lint", desk)


def test_a_forecast_row_out_of_order_is_named_by_its_line(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    rows = _write(
        tmp_path,
        "o.csv",
        "start,arrivals\n2026-03-16T07:00:00+07:00,10\n2026-03-16T06:00:00+07:00,10\n",
    )
    err = _error(capsys, "staff", "--forecast", rows)
    assert "o.csv:3: rows must be in time order" in err
    assert "2026-03-16T06:00:00+07:00" in err
    assert "datetime.datetime" not in err


def test_roster_messages_read_like_the_config(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    forecast = _write(
        tmp_path,
        "f.csv",
        "start,arrivals\n2026-03-16T06:00:00+07:00,10\n2026-03-16T06:30:00+07:00,10\n",
    )
    cfg = _write(
        tmp_path,
        "r.json",
        {
            "staffing": {
                "forecast": forecast,
                "shifts": [{"name": "long", "length": "20h", "earliest": "06:00"}],
            }
        },
    )
    err = _error(capsys, "staff", cfg, "--roster")
    assert "template 'long' lasts 20h, longer than the horizon of 7h" in err
    assert "timedelta" not in err
    assert " x " not in err  # no count of intervals that includes the padding


# 6. lint runs the commands' checks ------------------------------------------------------------


def test_lint_refuses_what_staff_and_simulate_refuse(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    for staffing, where in (
        ({"level": 1.5}, "staffing.level"),
        ({"shrinkage": -0.1}, "staffing.shrinkage"),
        ({"peak": "lebarn"}, "staffing.peak"),
        ({"timezone": "Nowhere/Town"}, "staffing.timezone"),
        ({"day": "16/03/2026"}, "staffing.day"),
        ({"forecast": "missing.csv"}, "staffing.forecast"),
    ):
        cfg = _write(tmp_path, "c.json", {"simulation": _sim(), "staffing": staffing})
        assert f"csflow: error: {where}:" in _error(capsys, "lint", cfg)


def test_lint_finds_a_channel_no_agent_takes_and_simulate_refuses_it(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    sim = _sim(arrivals={"rates": [["00:00", 40]], "channels": {"phone": 1}})
    cfg = _write(tmp_path, "c.json", {"simulation": sim})
    status, out, _ = _cli(capsys, "lint", cfg, "--format", "json")
    assert status == 1
    findings = json.loads(out)["findings"]
    assert findings[0]["path"] == "simulation.arrivals.channels.phone"
    assert findings[0]["severity"] == "error"
    assert "simulation.arrivals.channels.phone: no agent group" in _error(capsys, "simulate", cfg)


# 7. simulate's flags --------------------------------------------------------------------------


def test_simulate_refuses_counts_that_make_no_sense(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    cfg = _write(tmp_path, "c.json", {"simulation": _sim(), "replications": 2})
    for args, flag in (
        (("--replications", "-2"), "--replications"),
        (("--replications", "0"), "--replications"),
        (("--jobs", "0"), "--jobs"),
        (("--jobs", "-1"), "--jobs"),
        (("--seeds", "1,1"), "--seeds"),
        (("--seeds", "1,2", "--replications", "3"), "--replications"),
        (("--sweep", "seed=1,2"), "--sweep"),
    ):
        assert f"csflow: error: {flag}:" in _error(capsys, "simulate", cfg, *args)


def test_replications_without_a_sweep_have_a_mean_row(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    cfg = _write(tmp_path, "c.json", {"simulation": _sim(duration="20m")})
    out = _json(capsys, "simulate", cfg, "--replications", "3", "--jobs", "1")
    assert len(out["runs"]) == 3
    (mean,) = out["summary"]
    assert mean["replications"] == 3
    levels = [r["service_level"] for r in out["runs"]]
    assert mean["service_level"] == pytest.approx(sum(levels) / 3)


# 8. staff one interval ------------------------------------------------------------------------


def test_staff_one_interval(capsys: pytest.CaptureFixture[str]) -> None:
    for agents in ("0", "-3"):
        assert "--agents: expected a number of agents >= 1" in _error(
            capsys, "staff", "--load", "10", "--agents", agents
        )
    zero = _json(capsys, "staff", "--load", "0")["staffing"][0]
    assert zero["agents_needed"] == 0
    assert zero["stable"] is True
    assert "unstable" not in _ok(capsys, "staff", "--load", "0")
    base = _json(capsys, "staff", "--load", "10")["staffing"][0]
    shrunk = _json(capsys, "staff", "--load", "10", "--shrinkage", "0.2")["staffing"][0]
    assert shrunk["agents"] == base["agents"]
    assert shrunk["heads"] == -(-base["agents"] * 5 // 4)
    peak = _json(capsys, "staff", "--load", "10", "--peak", "lebaran")["staffing"][0]
    assert peak["load_erlangs"] == 25
    assert peak["agents"] > base["agents"]
    other = _json(capsys, "staff", "--load", "10", "--level", "0.9", "--target", "1m")
    assert list(other["staffing"][0]) == list(base)  # the same keys whatever the inputs
    for flag, value in (("--interval", "1h"), ("--seeds", "1,2")):
        assert f"csflow: error: {flag}:" in _error(capsys, "staff", "--load", "10", flag, value)


# 9. bounds ------------------------------------------------------------------------------------


def test_simulate_refuses_an_unknown_arrival_tier_before_the_run(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    sim = _sim(arrivals={"rates": [["00:00", 40]], "channels": {"chat": 1}, "tiers": {"x": 1}})
    cfg = _write(tmp_path, "c.json", {"desk": {"tiers": [{"name": "regular"}]}, "simulation": sim})
    assert "simulation.arrivals.tiers.x: undeclared tier 'x'" in _error(capsys, "simulate", cfg)


def test_a_swept_count_is_named_and_large_configs_are_bounded(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    cfg = _write(tmp_path, "c.json", {"simulation": _sim()})
    err = _error(capsys, "simulate", cfg, "--sweep", "simulation.agents[0].count=abc")
    assert "simulation.agents[0].count:" in err
    many = _sim(agents=[{"name": "front", "count": 100_000, "capacity": {"chat": 2}}])
    assert "no findings" in _ok(capsys, "lint", _write(tmp_path, "m.json", {"simulation": many}))
    # A count past the simulator's bound is refused at its path, before any agent is set up.
    more = _sim(agents=[{"name": "front", "count": 100_000_000, "capacity": {"chat": 2}}])
    err = _error(capsys, "simulate", _write(tmp_path, "n.json", {"simulation": more}))
    assert "simulation.agents[0].count: 'count' must be at most 100,000, got 100000000" in err
    long = _write(tmp_path, "l.json", {"simulation": _sim(duration="1000000d")})
    assert "simulation.duration:" in _error(capsys, "staff", long)


# 10. occupancy within the slots ---------------------------------------------------------------


def test_slots_count_every_channel_an_agent_holds_at_once() -> None:
    group = AgentGroup("a", 1, capacity={"chat": 2, "whatsapp": 2, "email": 3, "phone": 1})
    assert group.slots() == 7  # phone is exclusive: it adds no slot beside the others
    assert AgentGroup("p", 1, capacity={"phone": 1}).slots() == 1


def test_occupancy_stays_within_the_agents_slots_on_the_lebaran_sweep() -> None:
    doc = load_document(_LEBARAN)
    data = json.loads(json.dumps(doc.data))
    sim = data["simulation"]
    sim["duration"] = 1800
    sim["agents"][0]["count"] = min(data["sweep"]["values"])
    result = run_scenario(Scenario("small", data.get("desk", {}), sim, 1))
    assert result.report.occupancy is not None
    assert 0 < result.report.occupancy <= 1
    assert all(v is None or v <= 1 for _, v in result.occupancy_series)


# 11. the rest ---------------------------------------------------------------------------------


def test_an_internal_error_has_its_own_exit_status(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from csflow.cli import commands

    def broken(_: object) -> str:
        raise RuntimeError("a defect")

    monkeypatch.setattr(commands, "print_schema", broken)
    status, _, err = _cli(capsys, "schema")
    assert status == 70  # EX_SOFTWARE: not lint's 1, not a bad input's 2
    assert err.startswith("csflow: internal error: RuntimeError: a defect")


def test_plot_writes_the_format_of_its_suffix(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    pytest.importorskip("matplotlib")
    cfg = _write(tmp_path, "c.json", {"simulation": _sim(duration="PT20M")})
    svg = tmp_path / "x.svg"
    _ok(capsys, "simulate", cfg, "--plot", str(svg))
    assert b"<svg" in svg.read_bytes()[:1000]
    assert "--plot: expected a file name ending in .png, .svg or .pdf" in _error(
        capsys, "simulate", cfg, "--plot", str(tmp_path / "x.gif")
    )


@pytest.mark.parametrize("listed", [True, False])
def test_a_triage_message_names_rules_as_the_document_does(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path, listed: bool
) -> None:
    rules = [
        {"name": "all", "then": {"queue": "general"}},
        {"name": "again", "then": {"queue": "general"}},
    ]
    desk = {
        "tiers": [{"name": "regular"}],
        "queues": [{"name": "general"}],
        "triage": rules if listed else {"mode": "first", "rules": rules},
    }
    _, out, _ = _cli(capsys, "lint", _write(tmp_path, "c.json", {"desk": desk}), "--format", "json")
    shadowed = [f for f in json.loads(out)["findings"] if "always matches first" in f["message"]]
    assert shadowed, out
    head = "desk.triage" if listed else "desk.triage.rules"
    assert shadowed[0]["path"].startswith(f"{head}[1]")
    assert f"({head}[0])" in shadowed[0]["message"]


def test_replay_hints_at_what_the_command_line_can_do() -> None:
    from csflow.cli.replay import _cli_hint

    hint = _cli_hint("the config differs in queues; pass on_config_change=[] to accept the change")
    assert "on_config_change=[] to accept" not in hint
    assert "config file the snapshot was taken under" in hint


@pytest.mark.parametrize("text", ["٣٦٠", "٦m", "1h٣٠m", "６ min", "３６０s"])
def test_human_durations_read_ascii_digits_only(text: str) -> None:
    # int("٣") is 3 in Python: a duration written with other scripts' digits is refused, as
    # the library's own ISO 8601 reader refuses it, rather than read as a number.
    with pytest.raises(ConfigError, match="expected a duration such as"):
        to_seconds(text, "simulation.handle_time")
    with pytest.raises(ConfigError):
        parse_human_duration(text, "aht")
    assert to_seconds("1h30m", "x") == 5400
    assert to_seconds(" 360 ", "x") == 360


@pytest.mark.parametrize("day", ["20260309", "2026-W11-1", "2026-3-9", "٢٠٢٦-٠٣-٠٩"])
def test_a_staffing_day_is_written_yyyy_mm_dd(day: str) -> None:
    with pytest.raises(ConfigError, match="expected a date YYYY-MM-DD") as caught:
        staffing_value("day", day, "--day")
    assert caught.value.path == "--day"
    assert str(staffing_value("day", "2026-03-09", "--day")) == "2026-03-09"
