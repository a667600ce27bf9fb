"""``csflow report`` and ``csflow forecast``: a desk's events read back into an interval report,
and arrival history into the forecast file ``csflow staff --forecast`` reads.

The commands run in this process (``main``), so they run the csflow that the tests import;
the chain ``csflow forecast ... > f.csv && csflow staff ... --forecast f.csv`` runs in a shell,
with that same csflow first on the path.  The expected values come from the library itself
(:func:`summarize_intervals`, :func:`forecast_from_history`, :func:`staffing_plan`) on the
same events.
"""

from __future__ import annotations

import csv
import io
import json
import os
import pathlib
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

import csflow
from csflow import event_from_dict, forecast_from_history, summarize_intervals
from csflow.cli import main
from csflow.cli.documents import load_document
from csflow.events import Event, TicketAbandoned, TicketClosed, TicketQueued
from csflow.model import Priority
from csflow.sim import simulate
from csflow.staffing import staffing_plan

_ROOT = pathlib.Path(__file__).resolve().parents[1]
_CONFIG = _ROOT / "examples" / "configs" / "marketplace-day.yaml"
_SRC = pathlib.Path(csflow.__file__).resolve().parents[1]  # the csflow these tests import
WIB = ZoneInfo("Asia/Jakarta")
NEW_YORK = ZoneInfo("America/New_York")
DAY = date(2026, 3, 9)  # a Monday: the sample config's day


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def _ok(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    status, out, err = _cli(capsys, *args)
    assert status == 0, err
    return out


def _error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """The one line of a bad input: exit status 2, nothing on stdout."""
    status, out, err = _cli(capsys, *args)
    assert (status, out) == (2, ""), err
    assert err.count("\n") == 1, err
    assert err.startswith("csflow: error: "), err
    return err.removeprefix("csflow: error: ").rstrip("\n")


def _usage_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    assert info.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1, err
    return err


def _jsonl(path: pathlib.Path, rows: list[dict[str, Any]]) -> pathlib.Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _day_events(seed: int, start: datetime, prefix: str = "") -> list[dict[str, Any]]:
    """The wire form of the sample desk's simulated morning from *start* (ticket ids with
    *prefix*, so that the runs of several days never share one)."""
    desk, sim = load_document(_CONFIG).configs()
    assert sim is not None
    events: list[Event] = []
    simulate(desk, attrs.evolve(sim, start=start), seed=seed, on_event=events.append)
    rows = [e.to_dict() for e in events]
    for row in rows:
        if "ticket_id" in row:
            row["ticket_id"] = prefix + row["ticket_id"]
    return rows


@pytest.fixture(scope="module")
def outbox() -> list[dict[str, Any]]:
    """A morning of the sample desk, as its host's outbox holds it."""
    return _day_events(1, datetime(2026, 3, 9, 6, tzinfo=WIB))


@pytest.fixture(scope="module")
def history() -> list[dict[str, Any]]:
    """The mornings of the four Mondays before :data:`DAY`, in time order."""
    rows: list[dict[str, Any]] = []
    for week in range(1, 5):
        start = datetime(2026, 3, 9, 6, tzinfo=WIB) - timedelta(weeks=week)
        rows += _day_events(week, start, prefix=f"w{week}-")
    rows.sort(key=lambda r: datetime.fromisoformat(r["at"]))
    return rows


def _records(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _sections(text: str) -> dict[str, list[dict[str, str]]]:
    """The ``# name`` sections of a multi-table CSV output."""
    out: dict[str, list[dict[str, str]]] = {}
    for block in text.strip().split("\n\n"):
        head, _, body = block.partition("\n")
        out[head.removeprefix("# ")] = _records(body)
    return out


# ---------------------------------------------------------------------------------------------
# csflow report


def test_report_gives_the_librarys_interval_report_in_every_format(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], outbox: list[dict[str, Any]]
) -> None:
    path = _jsonl(tmp_path / "outbox.jsonl", outbox)
    expected = summarize_intervals(
        (event_from_dict(r) for r in outbox),
        zone="Asia/Jakarta",
        service_target=timedelta(seconds=60),
    )
    assert len(expected) == 8
    assert expected.total.offered > 100
    args = ("report", str(path), "--zone", "Asia/Jakarta", "--target", "60s")

    table = _ok(capsys, *args)
    assert table.startswith(f"outbox.jsonl: {len(outbox):,} events, 8 intervals with tickets ")
    for line in expected.table():
        assert line in table.splitlines()

    doc = json.loads(_ok(capsys, *args, "--format", "json"))
    assert [r["from"] for r in doc["intervals"]] == [f"{s:%Y-%m-%d %H:%M}" for s, _ in expected]
    for row, (_, want) in zip(doc["intervals"], expected, strict=True):
        assert row["offered"] == want.offered
        assert row["answered"] == want.answered
        assert row["answered_within_target"] == want.answered_within_target
        assert row["abandoned"] == want.abandoned
        assert row["service_level"] == want.service_level
        assert want.average_speed_of_answer is not None
        assert row["asa_s"] == round(want.average_speed_of_answer.total_seconds(), 1)
    (totals,) = doc["totals"]
    assert totals["events"] == len(outbox)
    assert totals["left_out"] == expected.left_out
    assert totals["offered"] == expected.total.offered
    full = expected.to_dict()
    for row in full["intervals"]:
        del row["report"]["queue_length"]
    del full["total"]["queue_length"]
    assert doc["report"] == full

    sections = _sections(_ok(capsys, *args, "--format", "csv"))
    assert list(sections) == ["intervals", "totals"]
    assert [int(r["offered"]) for r in sections["intervals"]] == [r.offered for _, r in expected]
    assert int(sections["totals"][0]["answered"]) == expected.total.answered


def test_report_reads_a_json_array_and_a_byte_order_mark_as_json_lines(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], outbox: list[dict[str, Any]]
) -> None:
    lines = _jsonl(tmp_path / "outbox.jsonl", outbox)
    array = tmp_path / "outbox.json"
    array.write_text(json.dumps(outbox, indent=1), encoding="utf-8")
    bom = tmp_path / "bom.jsonl"
    text = "".join(json.dumps(r) + "\r\n\n" for r in outbox)
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode())
    want = _ok(capsys, "report", str(lines), "--format", "json")
    assert _ok(capsys, "report", str(array), "--format", "json") == want
    assert _ok(capsys, "report", str(bom), "--format", "json") == want


def test_report_until_cuts_open_handling_and_may_not_come_before_the_last_event(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], outbox: list[dict[str, Any]]
) -> None:
    cut = [r for r in outbox if r["at"] < "2026-03-09T01:30:00+00:00"]  # handling still open
    path = _jsonl(tmp_path / "cut.jsonl", cut)
    until = datetime(2026, 3, 9, 9, tzinfo=WIB)
    expected = summarize_intervals(
        (event_from_dict(r) for r in cut), zone=WIB, until=until
    ).to_dict()
    doc = json.loads(
        _ok(
            capsys,
            "report",
            str(path),
            "--zone",
            "Asia/Jakarta",
            "--until",
            "2026-03-09T09:00:00+07:00",
            "--format",
            "json",
        )
    )
    assert doc["report"]["total"]["end"] == "2026-03-09T02:00:00+00:00"
    assert doc["report"]["total"]["handle_time_seconds"] == expected["total"]["handle_time_seconds"]
    early = _error(capsys, "report", str(path), "--until", "2026-03-09T06:00:00+07:00")
    assert re.fullmatch(
        r"--until: expected an instant at or after the latest event, 2026-03-09T08:\d\d:[\d.]+"
        r"\+07:00, got 2026-03-09T06:00:00\+07:00",
        early,
    ), early


def _queued(at: datetime, tid: str) -> dict[str, Any]:
    return TicketQueued(at, tid, "q", Priority.NORMAL, None, "gold", "chat", "").to_dict()


def test_report_labels_the_repeated_hour_of_a_fall_back_day_with_its_offset(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = datetime(2026, 11, 1, 5, 10, tzinfo=UTC)  # 01:10 EDT
    rows = [_queued(first + timedelta(hours=h), f"T{h}") for h in range(3)]
    path = _jsonl(tmp_path / "fall.jsonl", rows)
    doc = json.loads(
        _ok(capsys, "report", str(path), "--zone", "America/New_York", "--format", "json")
    )
    assert [r["from"] for r in doc["intervals"]] == [
        "2026-11-01 01:00-0400",
        "2026-11-01 01:00-0500",
        "2026-11-01 02:00-0500",
    ]
    hourly = json.loads(
        _ok(
            capsys,
            "report",
            str(path),
            "--timezone",
            "America/New_York",
            "--interval",
            "1d",
            "--format",
            "json",
        )
    )
    assert [(r["from"], r["offered"]) for r in hourly["intervals"]] == [("2026-11-01 00:00", 3)]
    assert hourly["report"]["intervals"][0]["length_seconds"] == 25 * 3600


def test_a_bad_row_names_the_field_the_file_and_the_line(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], outbox: list[dict[str, Any]]
) -> None:
    bad = [*outbox[:3], {**outbox[3], "at": "nope"}]
    path = _jsonl(tmp_path / "bad.jsonl", bad)
    assert _error(capsys, "report", str(path)).startswith(
        f"events[3].at ({str(path)!r} line 4): expected an ISO 8601 instant"
    )
    blank = tmp_path / "blank.jsonl"
    blank.write_text("\n" + json.dumps(outbox[0]) + '\n\n{"type": \n', encoding="utf-8")
    assert _error(capsys, "report", str(blank)) == (
        f"EVENTS: {str(blank)!r} line 4 is not valid JSON: Expecting value (column 10)"
    )
    unknown = _jsonl(tmp_path / "unknown.jsonl", [outbox[0], {**outbox[1], "type": "Nope"}])
    assert _error(capsys, "report", str(unknown)).startswith(
        f"events[1].type ({str(unknown)!r} line 2): unknown event type 'Nope'"
    )
    array = tmp_path / "bad.json"
    array.write_text(json.dumps([outbox[0], 7]), encoding="utf-8")
    assert _error(capsys, "report", str(array)) == (
        f"events[1] ({str(array)!r}): expected a mapping, got 7"
    )
    naive = _jsonl(tmp_path / "far.jsonl", [_queued(datetime(1, 1, 1, 1, tzinfo=UTC), "T")])
    assert _error(capsys, "report", str(naive), "--zone", "America/New_York").startswith(
        f"events[0] ({str(naive)!r} line 1): no interval holds"
    )
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes(json.dumps(outbox[0]).encode() + b'\n"caf\xe9"\n')
    assert _error(capsys, "report", str(latin)) == (
        f"EVENTS: {str(latin)!r} line 2 is not UTF-8 text (byte 0xe9 at column 5)"
    )
    assert _error(capsys, "report", str(tmp_path / "none.jsonl")) == (
        f"EVENTS: no such file {str(tmp_path / 'none.jsonl')!r}"
    )
    assert _error(capsys, "report", str(tmp_path)) == (
        f"EVENTS: {str(tmp_path)!r} is a directory, expected a file"
    )


def test_report_options_are_checked_before_the_file_is_read(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "none.jsonl")
    assert _error(capsys, "report", missing, "--interval", "7m") == (
        "--interval: expected an interval of at least 1m that divides a day evenly "
        "(15m, 30m, 1h, 1d ...), got 7m"
    )
    assert _error(capsys, "report", missing, "--interval", "30s").startswith("--interval: ")
    assert _error(capsys, "report", missing, "--zone", "Mars/Olympus") == (
        "--zone: expected an IANA time zone such as 'Asia/Jakarta', got 'Mars/Olympus'"
    )
    for naive in ("2026-03-09", "2026-03-09T23:59:59", "tomorrow", "0001-01-01T00:00:00+01:00"):
        assert _error(capsys, "report", missing, "--until", naive).startswith(
            "--until: expected an ISO 8601 instant with an offset"
        ), naive
    err = _usage_error(capsys, "report", missing, "--target", "-20s")
    assert "argument --target: expected a duration >= 0" in err
    err = _usage_error(capsys, "report", missing, "--interval", "30 minuets")
    assert "argument --interval: expected a duration" in err


def test_an_empty_event_file_is_an_empty_report(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    doc = json.loads(_ok(capsys, "report", str(empty), "--format", "json"))
    assert doc["intervals"] == []
    assert doc["totals"][0]["events"] == 0


def test_event_files_past_the_bounds_are_refused(
    tmp_path: pathlib.Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    outbox: list[dict[str, Any]],
) -> None:
    from csflow.cli import documents

    path = _jsonl(tmp_path / "outbox.jsonl", outbox[:10])
    want = _ok(capsys, "report", str(path), "--format", "json")
    monkeypatch.setattr(documents, "MAX_STREAM_ROWS", 9)
    assert _error(capsys, "report", str(path)) == (
        f"EVENTS: {str(path)!r} has more than 9 rows (line 10 is one past the bound): split it"
    )
    array = tmp_path / "outbox.json"
    array.write_text(json.dumps(outbox[:10]), encoding="utf-8")
    assert _error(capsys, "report", str(array)).startswith(
        f"EVENTS: {str(array)!r} has more than 9 rows: "
    )
    monkeypatch.setattr(documents, "MAX_STREAM_ROWS", 10)
    monkeypatch.setattr(documents, "MAX_LINE_BYTES", 100)
    assert _error(capsys, "report", str(path)) == (
        f"EVENTS: {str(path)!r} line 1 is longer than 100 bytes"
    )
    # An array is parsed whole: written on one line, it may be longer than a line of JSON Lines.
    one_line = tmp_path / "one.json"
    one_line.write_text(" \n\t" + json.dumps(outbox[:10]), encoding="utf-8")
    assert _ok(capsys, "report", str(one_line), "--format", "json") == want
    monkeypatch.setattr(documents, "MAX_LINE_BYTES", 2**20)
    monkeypatch.setattr(documents, "MAX_STREAM_BYTES", path.stat().st_size - 1)
    assert _error(capsys, "report", str(path)).startswith(f"EVENTS: {str(path)!r} is larger than ")
    monkeypatch.setattr(documents, "MAX_STREAM_BYTES", 2**31)
    monkeypatch.setattr(documents, "MAX_ARRAY_BYTES", array.stat().st_size - 1)
    assert _error(capsys, "report", str(array)).endswith(
        "an array is read whole; write one JSON value a line (JSON Lines) instead"
    )


def test_a_long_line_is_refused_without_reading_it_whole(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from csflow.cli import documents

    monkeypatch.setattr(documents, "MAX_LINE_BYTES", 2**20)
    path = tmp_path / "long.jsonl"
    path.write_bytes(b"\n" + b" " * (2**20 + 1) + b"{}\n")
    assert _error(capsys, "report", str(path)) == (
        f"EVENTS: {str(path)!r} line 2 is longer than 1 MiB"
    )
    exact = tmp_path / "exact.jsonl"
    exact.write_bytes(b" " * (2**20 - 2) + b"{}\n")  # 1 MiB and its newline: read
    assert _error(capsys, "report", str(exact)).startswith(f"events[0].version ({str(exact)!r}")


# ---------------------------------------------------------------------------------------------
# csflow forecast


def _instants(rows: list[dict[str, Any]]) -> list[str]:
    return [r["at"] for r in rows if r["type"] == "TicketQueued"]


def test_forecast_from_a_csv_or_the_events_is_the_librarys(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], history: list[dict[str, Any]]
) -> None:
    events = _jsonl(tmp_path / "history.jsonl", history)
    instants = _instants(history)
    plain = tmp_path / "plain.csv"
    plain.write_text("".join(a + "\n" for a in instants), encoding="utf-8")
    export = tmp_path / "export.csv"
    export.write_text(
        "id,Created_At,subject\n"
        + "".join(f'{i},{a},"line one\nline two"\n' for i, a in enumerate(instants)),
        encoding="utf-8",
    )
    expected = forecast_from_history(
        [datetime.fromisoformat(a) for a in instants], DAY, timezone="Asia/Jakarta"
    )
    assert expected.counted == len(instants) > 400
    args = ("--day", "2026-03-09", "--zone", "Asia/Jakarta")
    out = _ok(capsys, "forecast", str(events), *args)
    assert _ok(capsys, "forecast", str(plain), *args) == out
    assert _ok(capsys, "forecast", str(export), *args) == out
    rows = _records(out)
    assert list(rows[0]) == ["start", "arrivals", "duration"]
    assert len(rows) == 48
    for row, want in zip(rows, expected, strict=True):
        assert datetime.fromisoformat(row["start"]) == want.start
        assert row["start"] == want.start.isoformat()
        assert float(row["arrivals"]) == want.arrivals  # not rounded
        assert row["duration"] == "30m"

    doc = json.loads(_ok(capsys, "forecast", str(plain), *args, "--format", "json"))
    assert doc["days"] == ["2026-03-02", "2026-02-23", "2026-02-16", "2026-02-09"]
    assert doc["arrivals_read"] == doc["counted"] == len(instants)
    assert doc["total"] == pytest.approx(expected.total)
    assert [r["arrivals"] for r in doc["forecast"]] == [f.arrivals for f in expected]
    table = _ok(capsys, "forecast", str(plain), *args, "--format", "table")
    assert table.startswith(f"plain.csv: {len(instants):,} arrivals, {len(instants):,} on the days")
    assert "Forecast for 2026-03-09 (Mon) in Asia/Jakarta: the mean of 4 past Mondays" in table


def test_the_forecast_chains_into_staff_in_a_shell(
    tmp_path: pathlib.Path, history: list[dict[str, Any]]
) -> None:
    events = _jsonl(tmp_path / "history.jsonl", history)
    csflow_cmd = f"{sys.executable} -m csflow"
    script = (
        f"{csflow_cmd} forecast {events} --day 2026-03-09 --zone Asia/Jakarta > f.csv && "
        f"{csflow_cmd} staff {_CONFIG} --forecast f.csv --format json"
    )
    done = subprocess.run(
        script,
        shell=True,
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(_SRC)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    plan = json.loads(done.stdout)["plan"]
    forecast = forecast_from_history(
        [datetime.fromisoformat(a) for a in _instants(history)], DAY, timezone="Asia/Jakarta"
    )
    expected = staffing_plan(
        forecast,
        timedelta(minutes=6),
        timedelta(seconds=60),
        0.8,
        patience=timedelta(minutes=8),
        shrinkage=0.15,
    )
    assert [r["from"] for r in plan] == [f"{f.start:%Y-%m-%d %H:%M}" for f in forecast]
    assert [r["agents"] for r in plan] == [r.agents for r in expected.intervals]
    assert [r["heads"] for r in plan] == [r.scheduled_heads for r in expected.intervals]
    assert max(r["agents"] for r in plan) > 5


def test_a_day_the_clocks_change_chains_into_staff(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    past = [datetime(2026, 10, 25, 1, 30, tzinfo=NEW_YORK) - timedelta(weeks=k) for k in range(4)]
    path = tmp_path / "arrivals.csv"
    path.write_text("at\n" + "".join(f"{a.isoformat()}\n" for a in past), encoding="utf-8")
    out = _ok(
        capsys,
        "forecast", str(path), "--day", "2026-11-01", "--zone", "America/New_York",
        "--interval", "2h",
    )  # fmt: skip
    rows = _records(out)
    # A day of 25 hours on a two-hour wall-clock grid: 00:00-02:00 holds the repeated hour
    # (3 hours, the 01:30 arrival twice), then eleven of 2 hours.
    assert len(rows) == 12
    assert [r["duration"] for r in rows[:2]] == ["3h", "2h"]
    assert rows[0]["arrivals"] == "2.0"
    forecast = tmp_path / "f.csv"
    forecast.write_text(out, encoding="utf-8")
    plan = json.loads(
        _ok(capsys, "staff", "--forecast", str(forecast), "--aht", "6m", "--format", "json")
    )["plan"]
    assert len(plan) == 12
    assert plan[0]["from"] == "2026-11-01 00:00-0400"
    assert plan[-1]["from"] == "2026-11-01 22:00-0500"
    assert plan[0]["arrivals"] == 2.0


def test_arrivals_of_events_are_first_queued_per_ticket_until_it_closes(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monday = datetime(2026, 3, 2, 9, tzinfo=WIB)
    rows = [
        _queued(monday, "A"),
        _queued(monday + timedelta(minutes=40), "A"),  # queued again while open: not new
        TicketClosed(monday + timedelta(minutes=50), "A").to_dict(),
        _queued(monday + timedelta(minutes=55), "A"),  # the id submitted again: new
        _queued(monday + timedelta(minutes=5), "B"),
        TicketAbandoned(monday + timedelta(minutes=6), "B", 60.0).to_dict(),
        _queued(monday + timedelta(minutes=7), "B"),
    ]
    path = _jsonl(tmp_path / "events.jsonl", rows)
    doc = json.loads(
        _ok(
            capsys,
            "forecast",
            str(path),
            "--day",
            "2026-03-09",
            "--zone",
            "Asia/Jakarta",
            "--lookback",
            "1",
            "--interval",
            "1h",
            "--format",
            "json",
        )
    )
    assert doc["arrivals_read"] == doc["counted"] == 4
    assert doc["forecast"][9] == {
        "start": "2026-03-09T09:00:00+07:00",
        "arrivals": 4.0,
        "duration": "1h",
    }


def test_daily_lookback_and_excluded_days(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    past = [datetime(2026, 3, d, 10, 5, tzinfo=WIB) for d in range(1, 9) for _ in range(d)]
    path = tmp_path / "a.csv"
    path.write_text("created_at\n" + "".join(f"{a.isoformat()}\n" for a in past))
    args = ("forecast", str(path), "--day", "2026-03-09", "--zone", "Asia/Jakarta")
    doc = json.loads(_ok(capsys, *args, "--daily", "--lookback", "2", "--format", "json"))
    assert doc["days"] == ["2026-03-08", "2026-03-07"]
    assert doc["forecast"][20]["arrivals"] == 7.5
    doc = json.loads(
        _ok(
            capsys,
            *args,
            "--daily",
            "--lookback",
            "2",
            "--exclude",
            "2026-03-08,2026-03-07",
            "--exclude",
            "2026-03-05",
            "--format",
            "json",
        )
    )
    assert doc["days"] == ["2026-03-06", "2026-03-04"]
    assert doc["forecast"][20]["arrivals"] == 5.0
    doc = json.loads(_ok(capsys, *args, "--lookback", "1", "--format", "json"))
    assert doc["days"] == ["2026-03-02"]
    assert doc["forecast"][20]["arrivals"] == 2.0


def test_bad_arrival_rows_name_the_file_the_line_and_the_column(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("--day", "2026-03-09", "--zone", "Asia/Jakarta")

    def error(name: str, text: str) -> str:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return _error(capsys, "forecast", str(path), *args)

    ok = "2026-03-02T09:00:00+07:00"
    assert error("naive.csv", f"created_at\n{ok}\n\n2026-03-02T09:00:00\n") == (
        "naive.csv:4.created_at: expected an ISO 8601 instant with an offset, such as "
        "2026-03-19T23:59:59+07:00, got '2026-03-02T09:00:00'"
    )
    assert error("bare.csv", f"{ok}\n2026-03-02\n") == (
        "bare.csv:2: expected an ISO 8601 instant with an offset, such as "
        "2026-03-19T23:59:59+07:00, got '2026-03-02'"
    )
    assert error("cols.csv", f"id,when\n1,{ok}\n") == (
        "cols.csv:1: expected a header row with a created_at or at column (or no header: an "
        "ISO 8601 instant in the first column), got 'id,when'"
    )
    assert error("short.csv", f"id,at\n1,{ok}\n2\n") == (
        "short.csv:3.at: expected an ISO 8601 instant with an offset, got a row without this column"
    )
    assert error("empty.csv", "created_at\n\n").startswith("ARRIVALS: ")
    assert "holds no arrival" in error("empty2.csv", "")
    assert "holds no TicketQueued event" in error(
        "closed.jsonl", json.dumps(TicketClosed(datetime(2026, 3, 2, tzinfo=UTC), "A").to_dict())
    )
    assert error("bad.jsonl", '{"type": "TicketQueued", "version": 1}\n').startswith(
        f"events[0].at ({str(tmp_path / 'bad.jsonl')!r} line 1): "
    )
    huge = "x" * (csv.field_size_limit() + 1)
    assert error("huge.csv", f"at\n{ok}\n{ok},{huge}\n") == (
        f"huge.csv:3: {str(tmp_path / 'huge.csv')!r} is not CSV as expected: field larger "
        f"than field limit ({csv.field_size_limit()})"
    )


def test_forecast_options_are_checked_before_the_file_is_read(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "none.csv")
    args = ("forecast", missing, "--day", "2026-03-09", "--zone", "Asia/Jakarta")
    assert _error(capsys, "forecast", missing, "--day", "2026-3-9", "--zone", "UTC") == (
        "--day: expected a date YYYY-MM-DD, got '2026-3-9'"
    )
    assert _error(capsys, "forecast", missing, "--day", "2026-03-09", "--zone", "Nowhere") == (
        "--zone: expected an IANA time zone such as 'Asia/Jakarta', got 'Nowhere'"
    )
    assert _error(capsys, *args, "--interval", "7m").startswith("--interval: expected an interval")
    for n in ("0", "367", "-1"):
        assert _error(capsys, *args, "--lookback", n) == (
            f"--lookback: expected a number of past days from 1 to 366, got {n}"
        )
    assert _error(capsys, *args, "--exclude", "2026-03-02,") == (
        "--exclude: expected a date YYYY-MM-DD, got ''"
    )
    assert _error(capsys, *args) == f"ARRIVALS: no such file {missing!r}"
    err = _usage_error(capsys, "forecast", missing, "--day", "2026-03-09")
    assert "the following arguments are required: --zone" in err
    err = _usage_error(capsys, "forecast", missing, "--zone", "UTC")
    assert "the following arguments are required: --day" in err
    # The days searched past the calendar's start are named as the option that asks for them.
    path = tmp_path / "a.csv"
    path.write_text("2026-03-02T09:00:00+07:00\n", encoding="utf-8")
    assert _error(capsys, "forecast", str(path), "--day", "0001-01-09", "--zone", "UTC") == (
        "--lookback: only 1 past days before 0001-01-09 are left after excluding 0; expected 4"
    )


def test_arrivals_far_from_the_day_forecast_zero_with_a_warning(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "a.csv"
    path.write_text("\ufeffcreated_at\r\n2026-03-02T09:00:00+07:00\r\n", encoding="utf-8")
    status, out, err = _cli(
        capsys, "forecast", str(path), "--day", "2027-03-09", "--zone", "Asia/Jakarta"
    )
    assert status == 0
    assert {r["arrivals"] for r in _records(out)} == {"0.0"}
    assert err == (
        f"csflow: warning: none of the 1 arrivals in {str(path)!r} falls on the days averaged "
        "(2027-03-02, 2027-02-23, 2027-02-16, 2027-02-09): the forecast is 0 in every interval\n"
    )
    status, out, err = _cli(
        capsys, "forecast", str(path), "--day", "2026-03-09", "--zone", "Asia/Jakarta"
    )
    assert status == 0
    assert _records(out)[18]["arrivals"] == "0.25"
    # One day of history for four weeks averaged: the three weeks it does not reach are named.
    assert err == (
        f"csflow: warning: the arrivals in {str(path)!r} run from 2026-03-02 to 2026-03-02; "
        "2026-02-23, 2026-02-16, 2026-02-09, outside them, are averaged as days without "
        "arrivals (give a history that covers the days averaged, a shorter --lookback, or "
        "--days)\n"
    )


# ---------------------------------------------------------------------------------------------
# help and docs


def _help_entries(capsys: pytest.CaptureFixture[str], command: str) -> dict[str, str]:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    entries: dict[str, str] = {}
    key = ""
    for line in capsys.readouterr().out.splitlines():
        if line.startswith("  ") and not line.startswith("   "):
            key = line.split()[0]
            entries[key] = line.strip()
        elif line.startswith("   ") and key:
            entries[key] += " " + line.strip()
        else:
            key = ""
    return entries


@pytest.mark.parametrize("command", ["report", "forecast"])
def test_help_shows_each_default_once_and_the_docs_table_names_every_option(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    entries = _help_entries(capsys, command)
    assert "--format" in entries
    assert "--zone" in entries
    for name, entry in entries.items():
        assert entry.count("(default") <= 1, entry
        for empty in ("(default: None)", "(default: False)", "(default: 1800.0)"):
            assert empty not in entry, (name, entry)
    assert entries["--interval"].endswith("(default: 30m)")
    doc = (_ROOT / "docs" / "reference" / "cli.md").read_text(encoding="utf-8")
    (row,) = [r for r in doc.splitlines() if re.match(rf"\| `{command}[ `]", r)]
    for name in (*entries, "--timezone"):
        if name.startswith("--") and name not in ("--help", "--format"):
            assert re.search(rf"{re.escape(name)}(?![\w-])", row), f"{command} {name}"


def test_help_states_the_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    report = _help_entries(capsys, "report")
    assert report["--zone"].endswith("(default: UTC)")
    assert report["--target"].endswith("(default: 20s)")
    assert report["--format"].endswith("(default: table)")
    forecast = _help_entries(capsys, "forecast")
    assert forecast["--lookback"].endswith("(default: 4)")
    assert forecast["--format"].endswith("(default: csv)")
    assert "(default" not in forecast["--day"]
