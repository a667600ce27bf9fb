"""The command line against a second review's findings: the planned occupancy in capacity
slots, a bound on forecast files and rosters, the drain's rows of the ``sla`` table, durations
with a unit repeated or out of order, messages that name the flag at fault, the ``--report``
file's suffix, and ``staff --verify`` on a target no number of agents meets."""

from __future__ import annotations

import itertools
import json
import pathlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csflow.cli import main
from csflow.cli.documents import load_document
from csflow.cli.durations import parse_human_duration
from csflow.cli.pictures import planned_occupancy
from csflow.errors import ConfigError
from csflow.routing import CapacityRules
from csflow.sim import SimConfig

_ROOT = pathlib.Path(__file__).resolve().parents[1]
_DAY = _ROOT / "examples" / "configs" / "marketplace-day.yaml"
_LEBARAN = _ROOT / "examples" / "configs" / "marketplace-lebaran.yaml"


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def _error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    status, out, err = _cli(capsys, *args)
    assert (status, out) == (2, ""), err
    assert err.count("\n") == 1, err
    assert "internal error" not in err
    return err


def _write(tmp_path: pathlib.Path, name: str, text: str | dict[str, Any]) -> str:
    path = tmp_path / name
    path.write_text(text if isinstance(text, str) else json.dumps(text), encoding="utf-8")
    return str(path)


# 1. planned occupancy: offered load over the capacity slots on duty ---------------------------


def test_the_planned_occupancy_counts_the_contacts_agents_hold_at_once() -> None:
    # Four agents holding chat 2 + WhatsApp 2 + e-mail 3 = 7 contacts at once: 28 slots.
    # 40 contacts an hour of 6 minutes are 4 Erlangs until 08:00, then 90 an hour are 9.
    _, sim = load_document(_DAY).configs()
    assert sim is not None
    planned = [v for _, v in planned_occupancy(sim)]
    assert planned == pytest.approx([4 / 28] * 4 + [9 / 28] * 4)


def _waves(**rules: Any) -> list[float | None]:
    sim = SimConfig.from_dict(
        {
            "start": "2026-03-16T06:00:00+07:00",
            "duration": "PT3H",
            "arrivals": {"rates": [["00:00", 30]], "channels": {"chat": 1}},
            "handle_time": {"default": {"exponential": 360}},
            "agents": [
                {
                    "name": "front",
                    "count": 3,
                    "capacity": {"chat": 2, "email": 1},
                    "shifts": [{"start": 0, "end": 10800, "breaks": [[3600, 1800]]}],
                    "break_waves": 3,
                    "break_gap": 1800,
                }
            ],
        }
    )
    return [v for _, v in planned_occupancy(sim, CapacityRules(**rules) if rules else None)]


def test_the_planned_occupancy_follows_break_waves_and_the_desk_capacity_rules() -> None:
    # 3 Erlangs over three agents of 3 slots (chat 2 + e-mail 1, held together); from 07:00
    # one wave at a time is on its half-hour break, so 6 slots are on duty until 08:30.
    assert _waves() == pytest.approx([1 / 3, 1 / 3, 1 / 2, 1 / 2, 1 / 2, 1 / 3])
    # A budget of 2 contacts at once: 2 slots an agent, 6 on duty, 4 during a break.
    assert _waves(budget=2) == pytest.approx([1 / 2, 1 / 2, 3 / 4, 3 / 4, 3 / 4, 1 / 2])


# 2. forecast files and rosters within their bounds --------------------------------------------


_NEW_YEAR = datetime(2026, 1, 1, tzinfo=UTC)


def _rows(n: int) -> str:
    """A forecast file of *n* half hours from New Year."""
    return "start,arrivals\n" + "".join(
        f"{(_NEW_YEAR + k * timedelta(minutes=30)).isoformat()},{10 + k % 7}\n" for k in range(n)
    )


def test_a_forecast_file_has_at_most_20_000_rows(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    full = _write(tmp_path, "full.csv", _rows(20_000))
    status, out, err = _cli(capsys, "staff", "--forecast", full, "--format", "json")
    assert status == 0, err
    assert len(json.loads(out)["plan"]) == 20_000
    over = _write(tmp_path, "over.csv", _rows(20_001))
    err = _error(capsys, "staff", "--forecast", over)
    # The header is line 1: row 20,001 is line 20,002.
    assert err.startswith("csflow: error: over.csv:20002: a forecast has at most 20,000 rows")


def test_a_forecast_line_the_csv_reader_refuses_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    big = _write(
        tmp_path, "big.csv", "start,arrivals\n2026-01-01T00:00:00+00:00,1\n" + "x" * 200_000
    )
    err = _error(capsys, "staff", "--forecast", big)
    assert err.startswith("csflow: error: big.csv:3: ")
    assert "field larger than field limit" in err


def test_a_roster_longer_than_its_bound_is_refused_naming_the_bound(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    _write(tmp_path, "long.csv", _rows(3_001))
    shifts = [{"name": "day", "length": "8h", "earliest": "00:00", "latest": "23:30"}]
    cfg = _write(tmp_path, "long.json", {"staffing": {"forecast": "long.csv", "shifts": shifts}})
    err = _error(capsys, "staff", cfg, "--roster")
    assert err == (
        "csflow: error: staffing.forecast: a roster covers at most 3,000 intervals (62d12h of "
        "30m), got a plan of 3,001; roster a shorter plan (a month at a time) or longer "
        f"intervals (in {cfg!r})\n"
    )
    assert _error(capsys, "lint", cfg) == err  # lint runs the same checks


def test_a_shift_window_days_past_its_day_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    # 24,000,000 hours into the day (its days would reach back before year 1): a time of day
    # has at most six digits of hours, and the field that says more is named.
    _write(tmp_path, "f.csv", "start,arrivals\n2026-03-19T08:00:00+07:00,10\n")
    shifts = [{"name": "far", "length": "1h", "earliest": "24000000:00"}]
    cfg = _write(tmp_path, "c.json", {"staffing": {"forecast": "f.csv", "shifts": shifts}})
    err = _error(capsys, "staff", cfg, "--roster")
    assert err == (
        "csflow: error: staffing.shifts[0].earliest: expected a time of day 'HH:MM', "
        f"got '24000000:00' (in {cfg!r})\n"
    )


# 3. the sla table's rows add up to the report -------------------------------------------------


def test_the_sla_table_keeps_the_drains_rows_and_adds_up_to_the_report(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # One agent through the Lebaran morning: a backlog drains after 10:00, breaching.
    args = ("simulate", str(_LEBARAN), "--seeds", "1", "--sweep", "simulation.agents[0].count=1")
    status, out, err = _cli(capsys, *args, "--format", "json")
    assert status == 0, err
    doc = json.loads(out)
    rows = doc["sla"]
    assert [r["from"][11:] for r in rows if not r["after_horizon"]] == [
        "06:00", "06:30", "07:00", "07:30", "08:00", "08:30", "09:00", "09:30",
    ]  # fmt: skip
    drain = [r for r in rows if r["after_horizon"]]
    assert drain
    assert rows[-len(drain) :] == drain
    assert sum(r["breached"] for r in drain) > 0
    for key in ("met", "breached"):
        assert sum(r[key] for r in rows) == doc["report"]["sla"][key]
    _, table, _ = _cli(capsys, *args)
    assert "SLA attainment and measured occupancy per 30m " in table
    assert "0:30:00" not in table


# 4. durations: each unit once, the largest first -----------------------------------------------

_UNITS = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))


@given(st.lists(st.integers(0, 3), min_size=2, max_size=4), st.data())
def test_a_duration_is_its_units_summed_only_largest_first_each_once(
    picks: list[int], data: st.DataObject
) -> None:
    parts = [(data.draw(st.integers(1, 99)), *_UNITS[k]) for k in picks]
    text = "".join(f"{n}{unit}" for n, unit, _ in parts)
    order = [size for _, _, size in parts]
    if all(a > b for a, b in itertools.pairwise(order)):
        assert parse_human_duration(text, "x") == timedelta(seconds=sum(n * s for n, _, s in parts))
    else:
        with pytest.raises(ConfigError, match=r"each unit at most once and the largest first"):
            parse_human_duration(text, "x")


@pytest.mark.parametrize("text", ["6m6m", "1h1h", "30m 1h", "1d1d", "1h30m30m", "5 minutes 1 hour"])
def test_a_repeated_or_reordered_unit_is_refused_naming_the_value(text: str) -> None:
    with pytest.raises(ConfigError, match=rf"^--aht: expected a duration such as .*got {text!r}$"):
        parse_human_duration(text, "--aht")


@pytest.mark.parametrize("args", [("--aht", "-6m"), ("--aht=-6m",), ("--patience", "-20s")])
def test_a_negative_duration_flag_says_durations_are_positive(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["staff", "--load", "10", *args])
    assert info.value.code == 2
    err = capsys.readouterr().err
    flag, value = args[0].split("=")[0], (args[-1].split("=")[-1])
    assert err.startswith(
        f"csflow staff: error: argument {flag}: expected a positive duration such as 6m, "
        f"6min, 1h30m, PT6M or 360s, got {value!r}"
    )


# 5. messages name the flag at fault -------------------------------------------------------------


def test_a_peak_that_overflows_the_load_is_named_not_the_load(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    assert _error(capsys, "staff", "--load", "10", "--peak", "1e308") == (
        "csflow: error: --peak: expected a peak factor that keeps the load (10 Erlangs from "
        "--load) at most 1e+07 Erlangs, got 1e+308\n"
    )
    assert _error(capsys, "staff", "--load", "2e7", "--peak", "2").startswith(
        "csflow: error: --load: the load must be at most 1e+07 Erlangs, got 20000000.0"
    )
    f = _write(tmp_path, "f.csv", "start,arrivals\n2026-03-19T08:00:00+07:00,10\n")
    assert _error(capsys, "staff", "--forecast", f, "--peak", "1e308").startswith(
        "csflow: error: --peak: expected a peak factor that keeps every interval's load at most "
        "1e+07 Erlangs (f.csv:2: 2 Erlangs before the factor), got 1e+308"
    )
    cfg = _write(tmp_path, "c.json", {"staffing": {"forecast": "f.csv", "peak": "x1e308"}})
    assert _error(capsys, "staff", cfg).startswith("csflow: error: staffing.peak: expected a peak")


def test_a_report_file_must_be_named_as_a_web_page(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    for command in (("demo",), ("simulate", str(_DAY))):
        page = tmp_path / "report.png"
        err = _error(capsys, *command, "--report", str(page))
        assert err == (
            f"csflow: error: --report: expected a file name ending in .html or .htm, got "
            f"{str(page)!r}\n"
        )
        assert not page.exists()


# 6. staff --verify on a target no number of agents meets --------------------------------------


def test_verify_reports_an_unreachable_target_in_every_format(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    (tmp_path / "f.csv").write_text("start,arrivals\n2026-03-19T20:00:00+07:00,10\n")
    doc = {
        "desk": {
            "tiers": [{"name": "gold", "rank": 3}],
            "calendars": {"24x7": {"timezone": "Asia/Jakarta", "always_open": True}},
            "sla_policies": [
                {"name": "chat", "calendar": "24x7", "targets": {"resolution": "PT1M"}}
            ],
            "default_sla_policy": "chat",
        },
        "simulation": {
            "start": "2026-03-19T20:00:00+07:00",
            "duration": "30m",
            "arrivals": {"rates": [["00:00", 20]], "channels": {"chat": 1}, "tiers": {"gold": 1}},
            "handle_time": {"default": {"exponential": "6m"}},
            "agents": [{"name": "front", "count": 4, "capacity": {"chat": 1}}],
        },
        "staffing": {
            "forecast": "f.csv",
            "aht": "6m",
            "target": "1m",
            "verify": {"seeds": [1, 2], "tiers": {"gold": 0.99}, "max_steps": 12},
        },
    }
    cfg = _write(tmp_path, "c.json", doc)
    verify = ("staff", cfg, "--verify", "--jobs", "1")
    status, out, err = _cli(capsys, *verify, "--format", "json")
    assert status == 0, err
    (row,) = json.loads(out)["verified"]
    assert (row["erlang_agents"], row["agents"]) == (4, 5)
    assert (row["converged"], row["met"], row["unreachable"]) == (True, False, True)
    _, table, _ = _cli(capsys, *verify)
    assert "; 1 unreachable: no number of agents meets the targets there" in table
    _, csv_out, _ = _cli(capsys, *verify, "--format", "csv")
    assert "converged,met,unreachable" in csv_out
    lines = csv_out.splitlines()
    header = next(i for i, line in enumerate(lines) if "converged,met,unreachable" in line)
    assert lines[header + 1].endswith(",yes,no,yes")  # the verify table's one interval
