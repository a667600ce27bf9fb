"""The command line, run as a user runs it: ``python -m csflow ...`` in a subprocess, on the
sample files of examples/configs/ and on the broken files of tests/data/cli/."""

from __future__ import annotations

import csv
import io
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

from cli_runner import run_cli

_ROOT = pathlib.Path(__file__).resolve().parents[1]
_CONFIGS = _ROOT / "examples" / "configs"
_BROKEN = _ROOT / "tests" / "data" / "cli"
_DAY = _CONFIGS / "marketplace-day.yaml"
_LEBARAN = _CONFIGS / "marketplace-lebaran.yaml"


_run = run_cli


def _ok(*args: str) -> str:
    done = _run(*args)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def test_demo_prints_the_report_and_a_staffing_recommendation(tmp_path: pathlib.Path) -> None:
    png = tmp_path / "day.png"
    out = _ok("demo", "--plot", str(png))
    assert "Idul Fitri 1447 H" in out
    assert "pre-Lebaran rush (peak 'lebaran', x2.5)" in out
    assert "service level (60 s)" in out
    assert "channel whatsapp" in out
    assert "Staffing recommendation (Erlang A" in out
    assert png.read_bytes().startswith(b"\x89PNG")


def test_the_sample_day_simulates_the_same_in_every_format() -> None:
    table = _ok("simulate", str(_DAY))
    assert "Marketplace desk, an ordinary day" in table
    assert "service level (60 s)" in table
    report = json.loads(_ok("simulate", str(_DAY), "--format", "json"))
    run = report["runs"][0]
    assert run["offered"] == report["report"]["offered"] > 100
    assert run["answered"] + run["abandoned"] == run["offered"]
    horizon = [r for r in report["sla"] if not r["after_horizon"]]
    assert len(horizon) == 8  # a 4-hour day in 30-minute intervals, then the drain's rows
    assert report["sla"][: len(horizon)] == horizon
    assert sum(r["met"] for r in report["sla"]) == report["report"]["sla"]["met"]
    assert sum(r["breached"] for r in report["sla"]) == report["report"]["sla"]["breached"]
    rows = list(csv.reader(io.StringIO(_ok("simulate", str(_DAY), "--format", "csv"))))
    assert rows[0] == ["# runs"]
    assert rows[2][3] == str(run["offered"])
    again = json.loads(_ok("simulate", str(_DAY), "--format", "json"))
    assert again == report
    other = json.loads(_ok("simulate", str(_DAY), "--format", "json", "--seed", "2"))
    assert other != report


def test_json_toml_and_yaml_give_the_same_seeded_run(tmp_path: pathlib.Path) -> None:
    import tomllib

    import yaml

    data = yaml.safe_load(_DAY.read_text())
    data.pop("staffing")
    (tmp_path / "d.json").write_text(json.dumps(data))
    as_toml = tmp_path / "d.toml"
    # A minimal TOML writer for this document's shapes (lists of lists, nested tables).
    lines = [f"name = {json.dumps(data['name'])}", f"seed = {data['seed']}"]

    def table(prefix: str, d: dict[str, object]) -> None:
        lines.append(f"[{prefix}]")
        for k, v in d.items():
            lines.append(f"{json.dumps(k)} = {json.dumps(v)}")

    table("desk", data["desk"])
    table("simulation", data["simulation"])
    toml_text = "\n".join(lines).replace('": {', '": {').replace("null", '""')
    # JSON objects are not TOML inline tables: turn {"a": 1} into {"a" = 1}.
    toml_text = toml_text.replace('": ', '" = ')
    as_toml.write_text(toml_text)
    assert tomllib.loads(toml_text)["simulation"]["duration"] == "4h"
    a = json.loads(_ok("simulate", str(tmp_path / "d.json"), "--format", "json"))
    b = json.loads(_ok("simulate", str(as_toml), "--format", "json"))
    c = json.loads(_ok("simulate", str(_DAY), "--format", "json"))
    assert a["report"] == b["report"] == c["report"]


def test_lebaran_week_sweeps_head_count_with_replications_on_a_pool() -> None:
    out = json.loads(_ok("simulate", str(_LEBARAN), "--format", "json", "--jobs", "2"))
    labels = [r["run"] for r in out["runs"]]
    assert labels == [f"simulation.agents[0].count={n}" for n in (6, 6, 8, 8, 10, 10)]
    assert [r["seed"] for r in out["runs"]] == [1, 2] * 3
    sl = [s["service_level"] for s in out["summary"]]
    assert sl[0] < sl[2]  # more agents, better service
    flag = json.loads(
        _ok("simulate", str(_LEBARAN), "--format", "json", "--seeds", "7", "--jobs", "1",
            "--sweep", "simulation.agents[0].count=9")
    )  # fmt: skip
    assert [(r["run"], r["seed"]) for r in flag["runs"]] == [("simulation.agents[0].count=9", 7)]


@pytest.mark.parametrize("aht", ["6m", "6min", "PT6M", "360s", "360"])
def test_staff_reads_durations_as_people_write_them(aht: str) -> None:
    out = json.loads(
        _ok("staff", "--load", "180", "--aht", aht, "--target", "20s", "--format", "json")
    )
    assert 180 < out["staffing"][0]["agents"] < 200


def test_staff_erlang_a_and_a_day_plan_from_the_forecast() -> None:
    a = _ok("staff", "--rate", "1800", "--aht", "PT6M", "--patience", "2m")
    assert "Erlang A, mean patience 2m" in a
    assert "abandonment" in a
    assert "unstable" in _ok("staff", "--load", "10", "--agents", "10")
    day = json.loads(_ok("staff", str(_DAY), "--format", "json"))
    lebaran = json.loads(_ok("staff", str(_LEBARAN), "--format", "json"))
    assert [r["from"] for r in day["plan"]][:2] == ["2026-03-09 06:00", "2026-03-09 06:30"]
    assert lebaran["totals"][0]["peak_agents"] > day["totals"][0]["peak_agents"]
    flags = _ok(
        "staff", "--forecast", str(_CONFIGS / "forecast-day.csv"), "--day", "2026-03-09",
        "--timezone", "Asia/Jakarta", "--format", "csv",
    )  # fmt: skip
    assert flags.splitlines()[1].startswith("from,arrivals,load,agents,heads")


def test_lint_schema_and_version() -> None:
    assert "no findings" in _ok("lint", str(_DAY))
    schema = json.loads(_ok("schema"))
    assert schema["properties"]["simulation"]["required"] == ["start", "duration", "arrivals"]
    assert json.loads((_CONFIGS / "csflow.schema.json").read_text()) == schema
    fields = _ok("schema", "--format", "csv")
    assert "simulation.arrivals.rates" in fields
    assert _ok("--version").startswith("csflow ")
    help_text = _ok("simulate", "--help")
    assert "PARAM=V1,V2,..." in help_text
    assert "default: table" in help_text
    assert "{'desk'" not in help_text


def test_lint_reports_every_finding_with_its_path(tmp_path: pathlib.Path) -> None:
    cfg = tmp_path / "c.json"
    cfg.write_text(
        json.dumps(
            {
                "desk": {
                    "tiers": [{"name": "regular"}],
                    "queues": [{"name": "general"}, {"name": "vip"}],
                    "routing_profiles": [{"name": "p", "queues": ["general"]}],
                },
                "simulation": {
                    "start": "2026-03-09T06:00:00+07:00",
                    "duration": "1h",
                    "arrivals": {"rates": [["00:00", 10]], "tiers": {"gold": 1}},
                },
            }
        )
    )
    done = _run("lint", str(cfg), "--format", "json")
    assert done.returncode == 1, done.stderr
    paths = {f["path"] for f in json.loads(done.stdout)["findings"]}
    assert {"desk.queues[1] (vip)", "simulation.arrivals.tiers.gold"} <= paths


_BROKEN_CASES = [
    ("simulate", "bad-syntax.json", "CONFIG: ", "is not valid JSON"),
    ("simulate", "unknown-field.yaml", "simulaton: ", "unknown field"),
    ("simulate", "unknown-nested-field.json", "simulation.arrivals: ", "unknown key 'ratez'"),
    ("simulate", "bad-duration.yaml", "simulation.handle_time.default.exponential: ", "6m"),
    ("simulate", "bad-timezone.toml", "desk.calendars.office.timezone: ", "IANA time zone"),
    ("lint", "bad-timezone.toml", "desk.calendars.office.timezone: ", "'Asia/Jakata'"),
    ("simulate", "bad-rates.yaml", "simulation.arrivals.rates[2]: ", "'06:00' comes after '08:00'"),
    ("simulate", "bad-start.json", "simulation.start: ", "ISO 8601 instant with an offset"),
    ("staff", "bad-staffing-timezone.yaml", "staffing.timezone: ", "IANA time zone"),
    ("simulate", "no-such-file.yaml", "CONFIG: ", "no such file"),
]


@pytest.mark.parametrize(("command", "name", "field", "expected"), _BROKEN_CASES)
def test_a_broken_file_is_one_line_naming_the_field(
    command: str, name: str, field: str, expected: str
) -> None:
    done = _run(command, str(_BROKEN / name))
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"csflow: error: {field}")
    assert expected in lines[0]
    assert "RatePeriod" not in lines[0]
    assert "timedelta" not in lines[0]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("staff", "--aht", "6 minuets", "--load", "3"), "argument --aht: expected a duration"),
        (("demo", "--plot", "/nonexistent/x.png"), "--plot: cannot write '/nonexistent/x.png'"),
        (("simulate", str(_DAY), "--report", "/nonexistent/r.html"), "--report: cannot write"),
        (("simulate", str(_DAY), "--sweep", "simulation.agents[3].count=1"), "--sweep: the config"),
        (("simulate", str(_DAY), "--sweep", "simulation.duration=0"), "simulation.duration:"),
        (("staff", "--load", "10", "--rate", "5"), "exactly one of --load"),
        (("staff",), "give --load or --rate"),
    ],
)
def test_a_bad_argument_is_one_line_before_any_run(args: tuple[str, ...], expected: str) -> None:
    done = _run(*args)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert expected in lines[0]


def test_yaml_without_pyyaml_names_the_extra() -> None:
    code = (
        "import sys; sys.modules['yaml'] = None; from csflow.cli import main; "
        f"raise SystemExit(main(['simulate', {str(_DAY)!r}]))"
    )
    env = {**os.environ, "PYTHONPATH": str(_ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, env=env
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "csflow: error: CONFIG: reading YAML needs PyYAML: pip install 'csflow[yaml]'"
    )


def test_progress_is_silent_when_stderr_is_not_a_terminal() -> None:
    done = _run("simulate", str(_DAY))
    assert done.returncode == 0
    assert done.stderr == ""


def test_the_html_report_renders_its_plot_and_tables_in_a_browser(tmp_path: pathlib.Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "chromium is missing: `make test` installs it (apt-get install chromium)"
    page = tmp_path / "report.html"
    _ok("simulate", str(_DAY), "--report", str(page))
    text = page.read_text()
    assert "http://" not in text.replace("http://www.w3.org", "")  # nothing to fetch
    assert "data:image/png;base64," in text
    assert "marketplace-day.yaml" in text
    flags = [
        chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=5000",
    ]  # fmt: skip
    dom = subprocess.run(
        [*flags, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    # The page's script counted, after load, the images the browser decoded and the tables.
    assert 'data-images="1"' in dom
    assert 'data-images-ok="1"' in dom
    assert 'data-tables="2"' in dom
    assert "<td>2026-03-09 06:00</td>" in dom
    shot = tmp_path / "shot.png"
    subprocess.run(
        [*flags, f"--screenshot={shot}", "--window-size=1200,1600", page.as_uri()],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    assert shot.read_bytes().startswith(b"\x89PNG")
    assert shot.stat().st_size > 20_000  # a blank page is a few kB


def _help_entries(command: str) -> dict[str, str]:
    """``csflow COMMAND --help``: each argument's entry (its first word -> the entry's text on
    one line, wrapping undone)."""
    entries: dict[str, str] = {}
    key = ""
    for line in _ok(command, "--help").splitlines():
        if line.startswith("  ") and not line.startswith("   "):
            key = line.split()[0]
            entries[key] = line.strip()
        elif line.startswith("   ") and key:
            entries[key] += " " + line.strip()
        else:
            key = ""
    return entries


@pytest.mark.parametrize("command", ["demo", "simulate", "staff", "lint", "replay", "schema"])
def test_help_shows_each_default_once_and_none_that_is_empty(command: str) -> None:
    entries = _help_entries(command)
    assert "--format" in entries
    for name, entry in entries.items():
        assert entry.count("(default") <= 1, entry
        for empty in ("(default: None)", "(default: False)", "(default: True)"):
            assert empty not in entry, (name, entry)


def test_help_states_the_defaults_the_commands_use() -> None:
    staff = _help_entries("staff")
    assert staff["--aht"].endswith("(default: staffing.aht, else 6m)")
    assert staff["--target"].endswith("(default: staffing.target, else 20s)")
    assert staff["--level"].endswith("(default: staffing.level, else 0.8)")
    assert staff["--shrinkage"].endswith("(default: staffing.shrinkage, else 0)")
    assert staff["--interval"].endswith("(default: staffing.interval, else 30m)")
    assert "else the simulation's peak" in staff["--peak"]
    assert staff["--seeds"].endswith("(default: staffing.verify.seeds, else 1,2,3)")
    assert "(default" not in staff["--verify"]
    assert "(default" not in staff["--roster"]
    simulate = _help_entries("simulate")
    assert simulate["--seed"].endswith("(default: the file's seed, else 0)")
    assert simulate["--format"].endswith("(default: table)")
    demo = _help_entries("demo")
    assert demo["--seed"].endswith("(default: 1)")
    assert demo["--peak"].endswith("(default: lebaran)")
    assert _help_entries("schema")["--format"].endswith("(default: json)")


def test_the_command_table_of_the_docs_names_every_option() -> None:
    doc = (_ROOT / "docs" / "reference" / "cli.md").read_text(encoding="utf-8")
    for command in ("demo", "simulate", "staff", "lint", "replay", "schema"):
        (row,) = [r for r in doc.splitlines() if re.match(rf"\| `{command}[ `]", r)]
        for name in _help_entries(command):
            if name.startswith("--") and name not in ("--help", "--format"):
                mentioned = re.search(rf"{re.escape(name)}(?![\w-])", row)
                assert mentioned, f"{command} {name} is not in the docs' table"


def test_an_hh_mm_forecast_without_a_day_and_zone_says_so(tmp_path: pathlib.Path) -> None:
    forecast = tmp_path / "fc.csv"
    forecast.write_text("start,arrivals\n08:00,10\n08:30,12\n")
    done = _run("staff", "--forecast", str(forecast))
    assert done.returncode == 2
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith("csflow: error: fc.csv:2.start: ")
    assert "('08:00') needs a day and a time zone, and neither is given" in line
    assert "--day and --timezone, or staffing.day and staffing.timezone" in line
    assert "expected an ISO 8601 instant" not in line
    cfg = tmp_path / "c.yaml"
    cfg.write_text("staffing: {forecast: fc.csv, day: 2026-03-09}\n")
    done = _run("staff", str(cfg))
    assert done.returncode == 2
    assert "fc.csv:2.start: " in done.stderr
    assert "no time zone is given" in done.stderr
    done = _run("staff", "--forecast", str(forecast), "--timezone", "Asia/Jakarta")
    assert done.returncode == 2
    assert "no day is given" in done.stderr
    assert _ok("staff", str(cfg), "--timezone", "Asia/Jakarta").startswith("Day plan")
    forecast.write_text("start,arrivals\n25:00,10\n")
    done = _run("staff", "--forecast", str(forecast), "--day", "2026-03-09",
                "--timezone", "Asia/Jakarta")  # fmt: skip
    assert done.returncode == 2
    assert "fc.csv:2.start: expected an ISO 8601 instant with an offset or HH:MM" in done.stderr


@pytest.mark.parametrize("listed", [True, False])
def test_lint_paths_follow_the_shape_of_triage(tmp_path: pathlib.Path, listed: bool) -> None:
    rules = [
        {"name": "all", "then": {"queue": "general"}},
        {
            "name": "gold",
            "when": {"field": "tier", "eq": "gold"},
            "then": {"queue": "general", "skills": ["billing"]},
        },
    ]
    cfg = tmp_path / "c.json"
    cfg.write_text(
        json.dumps(
            {
                "desk": {
                    "tiers": [{"name": "regular"}, {"name": "gold"}],
                    "queues": [{"name": "general"}],
                    "skills": ["billing"],
                    "triage": rules if listed else {"mode": "first", "rules": rules},
                    "escalation_rules": [{"name": "e", "then": {"priority": "high"}}],
                },
                "simulation": {
                    "start": "2026-03-09T06:00:00+07:00",
                    "duration": "1h",
                    "arrivals": {"rates": [["00:00", 10]], "channels": {"chat": 1}},
                    "agents": [{"name": "front", "count": 2, "capacity": {"chat": 1}}],
                },
            }
        )
    )
    done = _run("lint", str(cfg), "--format", "json")
    assert done.returncode == 0, done.stderr
    paths = [f["path"] for f in json.loads(done.stdout)["findings"]]
    rule = "desk.triage[1]" if listed else "desk.triage.rules[1]"
    assert rule in paths  # after the catch-all
    assert f"{rule}.then.skills[0]" in paths  # no agent has billing
    triage = [p for p in paths if p.startswith("desk.triage")]
    assert all(p.startswith(rule) for p in triage), triage
    # A rule that does not load is named the same way, before any finding (exit status 2).
    data = json.loads(cfg.read_text())
    data["desk"]["escalation_rules"][0]["then"]["priority"] = "bogus"
    cfg.write_text(json.dumps(data))
    done = _run("lint", str(cfg))
    assert done.returncode == 2
    assert done.stderr.startswith("csflow: error: desk.escalation_rules[0].then.priority: ")
    rules[1]["then"] = {"queue": "nowhere"}
    data["desk"]["triage"] = rules if listed else {"mode": "first", "rules": rules}
    data["desk"].pop("escalation_rules")
    cfg.write_text(json.dumps(data))
    done = _run("lint", str(cfg))
    assert done.returncode == 2
    assert done.stderr.startswith(f"csflow: error: {rule}.then.queue: ")


def test_demo_json_has_the_full_report_as_simulate_does() -> None:
    out = json.loads(_ok("demo", "--format", "json"))
    assert out["report"]["offered"] == out["runs"][0]["offered"] > 0
    assert set(out["report"]) == set(
        json.loads(_ok("simulate", str(_DAY), "--format", "json"))["report"]
    )
    assert "report" not in _ok("demo", "--format", "csv").split("\n", 1)[0]


@pytest.mark.parametrize(
    ("args", "unbuffered"),
    [
        (("schema",), False),
        (("schema",), True),
        (("schema", "--format", "csv"), False),
        (("lint", str(_DAY)), False),
        (("staff", "--help"), False),
    ],
)
def test_output_into_a_closed_pipe_ends_quietly(args: tuple[str, ...], unbuffered: bool) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first byte (``csflow ... | head -0``)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "csflow", *args],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            env={**env, "PYTHONPATH": str(_ROOT / "src")},
            cwd=_ROOT,
            timeout=120,
        )
    finally:
        os.close(write)
    assert done.stderr == ""
    assert done.returncode == 141  # 128 + SIGPIPE, as a shell reports it


def test_main_in_a_program_survives_a_closed_stdout(monkeypatch: pytest.MonkeyPatch) -> None:
    from csflow.cli import main

    class Closed(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", Closed())
    assert main(["schema"]) == 141
