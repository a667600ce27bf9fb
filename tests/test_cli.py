"""The command line, run as a user runs it: ``python -m csflow ...`` in a subprocess."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

_SIM = {
    "start": "2026-03-16T08:00:00+07:00",
    "duration": "PT2H",
    "arrivals": {"rates": [["00:00", 120]], "channels": {"chat": 1}},
    "agents": [{"name": "a", "count": 4, "capacity": {"chat": 2}}],
    "handle_time": {"default": {"exponential": "PT4M"}},
    "patience": {"chat": {"exponential": "PT5M"}},
}


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "csflow", *args], capture_output=True, text=True, check=False
    )


def test_demo_prints_the_report_and_a_staffing_recommendation(tmp_path: pathlib.Path) -> None:
    png = tmp_path / "day.png"
    done = _run("demo", "--plot", str(png))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Idul Fitri 1447 H" in out
    assert "pre-Lebaran rush (peak 'lebaran', x2.5)" in out
    assert "service level (60 s)" in out
    assert "channel whatsapp" in out
    assert "tier platinum" in out
    assert "Staffing recommendation (Erlang A" in out
    assert png.read_bytes().startswith(b"\x89PNG")


def test_simulate_json_and_toml_give_the_same_seeded_report(tmp_path: pathlib.Path) -> None:
    cfg = tmp_path / "desk.json"
    cfg.write_text(json.dumps({"desk": {}, "simulation": _SIM, "seed": 3}))
    toml = tmp_path / "desk.toml"
    toml.write_text(
        "seed = 3\n[desk]\n[simulation]\n"
        'start = "2026-03-16T08:00:00+07:00"\nduration = "PT2H"\n'
        '[simulation.arrivals]\nrates = [["00:00", 120]]\nchannels = {chat = 1}\n'
        '[[simulation.agents]]\nname = "a"\ncount = 4\ncapacity = {chat = 2}\n'
        '[simulation.handle_time]\ndefault = {exponential = "PT4M"}\n'
        '[simulation.patience]\nchat = {exponential = "PT5M"}\n'
    )
    a = _run("simulate", str(cfg), "--json")
    b = _run("simulate", str(toml), "--json")
    assert a.returncode == 0, a.stderr
    assert b.returncode == 0, b.stderr
    ra, rb = json.loads(a.stdout), json.loads(b.stdout)
    assert ra == rb
    assert ra["offered"] > 100
    assert ra["answered"] + ra["abandoned"] + ra["waiting"] == ra["offered"]
    other = json.loads(_run("simulate", str(cfg), "--json", "--seed", "4").stdout)
    assert other != ra


def test_simulate_reports_a_bad_config_with_its_path(tmp_path: pathlib.Path) -> None:
    cfg = tmp_path / "bad.json"
    cfg.write_text(json.dumps({"simulation": {**_SIM, "peak": "13.13"}}))
    done = _run("simulate", str(cfg))
    assert done.returncode == 2
    assert "simulation.peak: unknown peak day '13.13'" in done.stderr
    missing = _run("simulate", str(tmp_path / "nope.json"))
    assert missing.returncode == 2
    assert "cannot read" in missing.stderr


def test_staff_erlang_c_and_a() -> None:
    c = _run("staff", "--load", "180", "--aht", "360", "--target", "20", "--level", "0.8")
    assert c.returncode == 0, c.stderr
    assert "agents needed for 80% within 0:00:20:" in c.stdout
    needed = int(c.stdout.split("agents needed for 80% within 0:00:20:")[1].split()[0])
    assert 180 < needed < 200
    a = _run("staff", "--rate", "1800", "--aht", "PT6M", "--patience", "PT2M")
    assert a.returncode == 0, a.stderr
    assert "Erlang A (mean patience 0:02:00)" in a.stdout
    assert "abandonment" in a.stdout
    unstable = _run("staff", "--load", "10", "--agents", "10")
    assert "unstable" in unstable.stdout
    both = _run("staff", "--load", "10", "--rate", "5")
    assert both.returncode == 2
    assert "exactly one of --load" in both.stderr
