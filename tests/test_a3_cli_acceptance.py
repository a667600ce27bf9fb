"""The command line as a helpdesk team and a workforce planner use it: event and arrival files
given as pipes (``/dev/stdin``, ``<(zcat outbox.jsonl.gz)``), a day plan's inputs as data, the
percentages its titles show, and ``--help`` when stdout cannot be written.

The interval reports are checked against a recount written from the reference's definitions
(offered, answered, answered within the target, abandoned, waiting, service level, ASA, AHT),
not against the code that prints them.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import pathlib
import subprocess
import sys
import threading
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import csflow
from csflow.cli import main
from csflow.cli.documents import load_document
from csflow.events import Event
from csflow.sim import simulate

_ROOT = pathlib.Path(__file__).resolve().parents[1]
_CONFIG = _ROOT / "examples" / "configs" / "marketplace-day.yaml"
_FORECAST = _ROOT / "examples" / "configs" / "forecast-day.csv"
_SRC = pathlib.Path(csflow.__file__).resolve().parents[1]
WIB = ZoneInfo("Asia/Jakarta")

_EVENTS: list[dict[str, Any]] = []


def _events() -> list[dict[str, Any]]:
    """A simulated morning of the sample desk, as its host's outbox holds it (made once)."""
    if not _EVENTS:
        desk, sim = load_document(_CONFIG).configs()
        assert sim is not None
        out: list[Event] = []
        start = datetime(2026, 3, 9, 6, tzinfo=WIB)
        sim = attrs.evolve(sim, start=start, duration=timedelta(hours=2))
        simulate(desk, sim, seed=3, on_event=out.append)
        _EVENTS.extend(e.to_dict() for e in out)
    return _EVENTS


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def _ok(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    status, out, err = _cli(capsys, *args)
    assert status == 0, err
    assert "Traceback" not in err
    return out


def _sections(text: str) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for block in text.strip().split("\n\n"):
        head, _, body = block.partition("\n")
        out[head.removeprefix("# ")] = list(csv.DictReader(io.StringIO(body)))
    return out


# ---------------------------------------------------------------------------------------------
# A naive recount of an interval report, from the definitions in docs/reference/metrics.md


def _recount(rows: list[dict[str, Any]], target_s: float, zone: ZoneInfo) -> dict[str, Any]:
    """Per 30-minute interval of the local day (by the first ``TicketQueued``): offered,
    answered (first assignment), within target (waited at most the target), abandoned,
    waiting (neither), SL = within / (answered + abandoned), ASA, AHT (assigned to
    resolved)."""
    queued: dict[str, datetime] = {}
    assigned: dict[str, datetime] = {}
    resolved: dict[str, datetime] = {}
    abandoned: set[str] = set()
    for r in rows:
        tid, at = str(r.get("ticket_id")), datetime.fromisoformat(r["at"])
        if r["type"] == "TicketQueued":
            queued.setdefault(tid, at)
        elif r["type"] == "TicketAssigned":
            assigned.setdefault(tid, at)
        elif r["type"] == "TicketResolved":
            resolved[tid] = at
        elif r["type"] == "TicketAbandoned":
            abandoned.add(tid)
    groups: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"offered": 0, "answered": 0, "within": 0, "abandoned": 0, "w": [], "h": []}
    )
    for tid, q in queued.items():
        local = q.astimezone(zone)
        minute = (local.hour * 60 + local.minute) // 30 * 30
        g = groups[f"{local:%Y-%m-%d} {minute // 60:02d}:{minute % 60:02d}"]
        g["offered"] += 1
        if tid in assigned:
            g["answered"] += 1
            wait = (assigned[tid] - q).total_seconds()
            g["w"].append(wait)
            g["within"] += wait <= target_s
            if tid in resolved:
                g["h"].append((resolved[tid] - assigned[tid]).total_seconds())
        elif tid in abandoned:
            g["abandoned"] += 1
    out: dict[str, Any] = {}
    for key, g in groups.items():
        decided = g["answered"] + g["abandoned"]
        out[key] = {
            "offered": g["offered"],
            "answered": g["answered"],
            "answered_within_target": g["within"],
            "abandoned": g["abandoned"],
            "waiting": g["offered"] - g["answered"] - g["abandoned"],
            "service_level": g["within"] / decided if decided else None,
            "asa_s": round(sum(g["w"]) / len(g["w"]), 1) if g["w"] else None,
            "aht_s": round(sum(g["h"]) / len(g["h"]), 1) if g["h"] else None,
        }
    return out


# ---------------------------------------------------------------------------------------------
# Files given as pipes


def _through_pipe(data: bytes, chunk: int) -> tuple[str, threading.Thread, int]:
    """A pipe that a thread fills with *data*, *chunk* bytes a write: its ``/dev/fd`` path
    (what ``<(zcat f.gz)`` gives a command), the writer and the read end to close after."""
    r, w = os.pipe()

    def write() -> None:
        try:
            for i in range(0, len(data), chunk):
                os.write(w, data[i : i + chunk])
        except BrokenPipeError:
            pass  # the reader stopped early: what it reports is the test's to check
        finally:
            os.close(w)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    return f"/dev/fd/{r}", writer, r


def _via_pipe(capsys: pytest.CaptureFixture[str], data: bytes, chunk: int, *args: str) -> str:
    path, writer, r = _through_pipe(data, chunk)
    try:
        status, out, err = _cli(capsys, args[0], path, *args[1:])
    finally:
        os.close(r)
        writer.join(10)
    assert status == 0, err
    return out


_LAYOUTS = st.sampled_from(["lines", "array"])


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # capsys is read out each time
)
@given(
    cut=st.integers(min_value=1, max_value=400),
    layout=_LAYOUTS,
    bom=st.booleans(),
    blank=st.integers(min_value=0, max_value=3),
    chunk=st.sampled_from([1, 7, 4096, 1 << 20]),
)
def test_a_report_read_from_a_pipe_is_the_report_of_the_whole_stream(
    capsys: pytest.CaptureFixture[str],
    tmp_path_factory: pytest.TempPathFactory,
    cut: int,
    layout: str,
    bom: bool,
    blank: int,
    chunk: int,
) -> None:
    """``csflow report <(zcat outbox.jsonl.gz)``: a pipe is read whole, from its first line --
    the same report as the file's, and the recount's -- not from wherever a first look at
    the file left it (which gave a report of nothing, with exit status 0, for a short one)."""
    rows = _events()[:cut]
    body = "".join(json.dumps(r) + "\n" for r in rows) if layout == "lines" else json.dumps(rows)
    data = (b"\xef\xbb\xbf" if bom else b"") + b"\n" * blank + body.encode()
    path = tmp_path_factory.mktemp("report") / "outbox.jsonl"
    path.write_bytes(data)
    args = ("--zone", "Asia/Jakarta", "--target", "60s", "--format", "json")
    from_file = json.loads(_ok(capsys, "report", str(path), *args))
    from_pipe = json.loads(_via_pipe(capsys, data, chunk, "report", *args))
    assert from_pipe == from_file
    assert from_pipe["totals"][0]["events"] == len(rows)
    expected = _recount(rows, 60.0, WIB)
    assert {
        r["from"]: {k: v for k, v in r.items() if k != "from"} for r in from_pipe["intervals"]
    } == expected


def test_a_short_stream_from_a_pipe_is_not_read_as_empty(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A worked case: 20 events (under 4 KiB, what the first look read) through a pipe."""
    rows = _events()[:20]
    data = "".join(json.dumps(r) + "\n" for r in rows).encode()
    assert len(data) < 4096
    out = _via_pipe(capsys, data, 4096, "report", "--format", "csv")
    totals = _sections(out)["totals"][0]
    assert totals["events"] == "20"
    offered = {r["ticket_id"] for r in rows if r["type"] == "TicketQueued"}
    assert totals["offered"] == str(len(offered)) != "0"


@pytest.mark.parametrize("form", ["csv", "events"])
def test_a_forecast_read_from_a_pipe_is_the_forecast_of_the_file(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path, form: str
) -> None:
    """``csflow forecast <(...)``, arrivals as CSV or as events: the same rows as the file's."""
    rows = _events()
    if form == "csv":
        arrivals = [r["at"] for r in rows if r["type"] == "TicketQueued"]
        data = ("created_at\n" + "".join(f"{a}\n" for a in arrivals)).encode()
    else:
        data = "".join(json.dumps(r) + "\n" for r in rows).encode()
    path = tmp_path / "arrivals"
    path.write_bytes(data)
    args = ("--day", "2026-03-16", "--zone", "Asia/Jakarta", "--format", "json")
    from_file = json.loads(_ok(capsys, "forecast", str(path), *args))
    from_pipe = json.loads(_via_pipe(capsys, data, 4096, "forecast", *args))
    assert from_pipe == from_file
    queued = {r["ticket_id"] for r in rows if r["type"] == "TicketQueued"}
    assert from_pipe["arrivals_read"] == len(queued)  # every arrival, the first ones too
    assert from_pipe["total"] == pytest.approx(len(queued) / 4)  # one of the four Mondays


def test_report_reads_dev_stdin_in_a_shell_pipeline() -> None:
    """``zcat outbox.jsonl.gz | csflow report /dev/stdin``, as a shell runs it."""
    rows = _events()[:30]
    env = {**os.environ, "PYTHONPATH": str(_SRC)}
    done = subprocess.run(
        [sys.executable, "-m", "csflow", "report", "/dev/stdin", "--format", "json"],
        input="".join(json.dumps(r) + "\n" for r in rows),
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["totals"][0]["events"] == 30


# ---------------------------------------------------------------------------------------------
# A day plan's inputs as data; percentages as written


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # capsys is read out each time
)
@given(
    level=st.sampled_from(["0.8", "0.855", "0.9", "0.95", "0.7777"]),
    shrinkage=st.sampled_from(["0", "0.125", "0.3", "0.335"]),
    cap=st.sampled_from([None, "0.855", "0.9", "1"]),
    aht=st.sampled_from([("6m", 360.0), ("PT4M30S", 270.0), ("90s", 90.0)]),
    target=st.sampled_from([("20s", 20.0), ("1m", 60.0), ("0s", 0.0)]),
    patience=st.sampled_from([None, ("8m", 480.0)]),
    peak=st.sampled_from([("1", 1.0), ("lebaran", 2.5), ("1.2345678", 1.2345678)]),
)
def test_a_day_plan_carries_what_it_was_made_for_as_data(
    capsys: pytest.CaptureFixture[str],
    level: str,
    shrinkage: str,
    cap: str | None,
    aht: tuple[str, float],
    target: tuple[str, float],
    patience: tuple[str, float] | None,
    peak: tuple[str, float],
) -> None:
    """A planner's spreadsheet of the plan keeps its level, target, AHT, patience,
    shrinkage, peak and occupancy cap: an ``inputs`` table in ``json`` and ``csv``, under the
    keys one interval's output uses -- the same keys there."""
    flags = ["--level", level, "--shrinkage", shrinkage]
    flags += ["--aht", aht[0], "--target", target[0], "--peak", peak[0]]
    if cap is not None:
        flags += ["--max-occupancy", cap]
    if patience is not None:
        flags += ["--patience", patience[0]]
    args = ["staff", "--forecast", str(_FORECAST), "--day", "2026-03-09"]
    args += ["--timezone", "Asia/Jakarta", *flags]
    expected = {
        "model": "Erlang C" if patience is None else "Erlang A",
        "level": float(level),
        "target_s": target[1],
        "aht_s": aht[1],
        "patience_s": None if patience is None else patience[1],
        "shrinkage": float(shrinkage),
        "peak": peak[1],
        "max_occupancy": None if cap is None else float(cap),
        "max_asa_s": None,
    }
    plan = json.loads(_ok(capsys, *args, "--format", "json"))
    assert plan["inputs"] == [expected]
    section = _sections(_ok(capsys, *args, "--format", "csv"))["inputs"]
    assert section == [{k: "" if v is None else str(v) for k, v in expected.items()}]
    # The title says the same, the level and the shrinkage as written, not rounded.
    title = _ok(capsys, *args).splitlines()[0]
    assert f"{float(level) * 100:.15g}% within" in title
    assert f"shrinkage {float(shrinkage) * 100:.15g}%" in title
    assert f"peak x{peak[1]:.15g}" in title
    one = ["staff", "--load", "10", *flags]
    record = json.loads(_ok(capsys, *one, "--format", "json"))["staffing"][0]
    assert {k: record[k] for k in expected} == expected


def test_the_titles_show_the_level_as_given() -> None:
    """A worked case: ``--level 0.855`` is 85.5 %, not 86 %; ``--shrinkage 0.125``
    12.5 %, not 12 %."""
    from csflow.cli.output import percent

    assert percent(0.855) == "85.5%"
    assert percent(0.125) == "12.5%"
    assert percent(0.8) == "80%"
    assert percent(1.0) == "100%"


def test_one_intervals_title_shows_the_level_as_given(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = _ok(capsys, "staff", "--load", "10", "--level", "0.855", "--shrinkage", "0.125")
    title = out.splitlines()[0]
    assert "85.5% within 20s" in title
    assert "shrinkage 12.5%" in title
    assert "86%" not in title


# ---------------------------------------------------------------------------------------------
# --help and --version when stdout cannot be written


class _Full(io.StringIO):
    """A stdout on a full disk: every write fails."""

    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["staff", "--help"]])
def test_help_that_cannot_be_written_is_an_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.setattr(sys, "stdout", _Full())
    try:
        status = main(args)
    except SystemExit as exc:  # argparse's exit: what --help did when the write failed
        status = exc.code  # type: ignore[assignment]
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert status == 2
    assert err == "csflow: error: stdout: cannot write: No space left on device\n"


def test_help_to_dev_full_exits_non_zero() -> None:
    """``csflow --help > /dev/full``, as a shell runs it."""
    env = {**os.environ, "PYTHONPATH": str(_SRC)}
    with open("/dev/full", "w", encoding="utf-8") as full:
        done = subprocess.run(
            [sys.executable, "-m", "csflow", "--help"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            env=env,
            timeout=60,
        )
    assert done.returncode == 2
    assert "csflow: error: stdout: cannot write" in done.stderr
    assert "Traceback" not in done.stderr


def test_help_still_prints_and_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["staff", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: csflow staff")
    assert "--max-occupancy" in out


# ---------------------------------------------------------------------------------------------
# Zero durations; a journal line that is not UTF-8


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (("staff", "--load", "10", "--aht", "0s"), "--aht"),
        (("staff", "--load", "10", "--aht", "PT0S"), "--aht"),
        (("report", "x.jsonl", "--interval", "0m"), "--interval"),
        (("staff", "--load", "10", "--patience", "0s"), "--patience"),
    ],
)
def test_a_zero_duration_where_a_positive_one_goes_says_positive(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], flag: str
) -> None:
    """``--aht 0s`` is refused as not positive, as ``--aht 0`` is -- not as if ``0s`` were
    not a duration at all."""
    with pytest.raises(SystemExit) as info:
        main(list(args))
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {flag}: expected a positive duration such as 6m" in err, err


def test_report_takes_a_target_of_zero_as_staff_does(capsys: pytest.CaptureFixture[str]) -> None:
    """``--target 0s``: answered at once, as ``staff --target 0s`` reads it."""
    rows = _events()[:300]
    data = "".join(json.dumps(r) + "\n" for r in rows).encode()
    out = _via_pipe(capsys, data, 4096, "report", "--target", "0s", "--zone", "Asia/Jakarta")
    path, writer, r = _through_pipe(data, 4096)
    try:
        report = json.loads(
            _ok(
                capsys,
                "report",
                path,
                "--target",
                "0s",
                "--zone",
                "Asia/Jakarta",
                "--format",
                "json",
            )
        )
    finally:
        os.close(r)
        writer.join(10)
    assert "SL 0 s" in out
    expected = _recount(rows, 0.0, WIB)
    assert {
        r["from"]: {k: v for k, v in r.items() if k != "from"} for r in report["intervals"]
    } == expected


def test_a_journal_line_that_is_not_utf8_is_named(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    """As ``report`` names the line of an events file that is not UTF-8."""
    from test_cli_replay import _desk_files

    _, _, snap, journal = _desk_files(tmp_path)
    first = journal.read_bytes().split(b"\n")[0]
    journal.write_bytes(first + b"\n" + b'{"type": "\xff"}\n')
    status, out, err = _cli(
        capsys, "replay", str(_CONFIG), "--snapshot", str(snap), "--journal", str(journal)
    )
    assert (status, out) == (2, "")
    assert err == (
        f"csflow: error: --journal: {str(journal)!r} line 2 is not UTF-8 text "
        "(byte 0xff at column 11)\n"
    )


@pytest.mark.parametrize("given", ["flag", "file"])
def test_a_day_plans_cap_too_low_is_named_where_it_was_given(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path, given: str
) -> None:
    """A cap so low that an interval would need more agents than the bound is the cap's
    error (``--max-occupancy`` or ``staffing.max_occupancy``, as one interval names it), with
    the row that needs them -- not an error of the forecast's row."""
    args = ["staff", "--forecast", str(_FORECAST), "--day", "2026-03-09"]
    args += ["--timezone", "Asia/Jakarta"]
    if given == "flag":
        args += ["--max-occupancy", "1e-9"]
        where, file = "--max-occupancy", ""
    else:
        config = tmp_path / "c.json"
        config.write_text(json.dumps({"staffing": {"max_occupancy": 1e-9}}), encoding="utf-8")
        args.insert(1, str(config))
        where, file = "staffing.max_occupancy", f" (in {str(config)!r})"
    status, out, err = _cli(capsys, *args)
    assert (status, out) == (2, "")
    assert err.startswith(f"csflow: error: {where}: 'max_occupancy' 1e-09 on a load of "), err
    assert err.rstrip().endswith(f"(forecast-day.csv:2){file}"), err


def test_the_verified_tables_title_shows_the_level_as_given() -> None:
    """``--verify`` titles its table with the level as written, as the plan's title does."""
    from csflow.cli.planning import verified_tables
    from csflow.staffing.verify import VerifiedPlan

    verified = VerifiedPlan((), 0.855, timedelta(seconds=20), None, (1, 2))
    title = verified_tables(verified)[0].title
    assert title.startswith("Verified on the desk (85.5% within 20s; seeds 1,2;"), title
