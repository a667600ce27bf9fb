"""What the command line prints: a name from a file never reaches a terminal with the control
characters in it (``table``), yet ``json`` and ``csv`` keep it exactly; yes-or-no values are
``yes`` or ``no`` in ``table`` and ``csv``; every ``--help`` says what the command reads."""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import pathlib
import re
import tempfile
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, Ticket, Tier
from csflow.cli import _parser, main
from csflow.cli.documents import load_document
from csflow.cli.output import Table, csv_text, render
from csflow.desk.commands import AddAgent, Command, Submit

_ROOT = pathlib.Path(__file__).resolve().parent.parent
_CONFIG = _ROOT / "examples" / "configs" / "marketplace-day.yaml"
T0 = datetime(2026, 3, 9, 1, 0, tzinfo=UTC)

#: C0 controls, DEL and C1 controls: what a terminal acts on (ESC starts a sequence).
_CONTROLS = "".join(map(chr, range(0x20))) + "".join(map(chr, range(0x7F, 0xA0)))
_RAW = re.compile(f"[{re.escape(_CONTROLS.replace(chr(10), ''))}]")

# A name with at least one control character, among letters, spaces and quotes; ``"\x1b[2J"``
# (clear the screen), a carriage return and a backspace come first, so shrinking finds them.
_controls = st.sampled_from(["\x1b[2J", "\r", "\x08", "\x1b]0;t\x07", "\x9b31m", "\n", "\t"])
_controls = _controls | st.text(st.sampled_from(_CONTROLS), min_size=1, max_size=3)
_plain = st.text(st.sampled_from("abT-1 '\"\\"), max_size=4)
names = st.builds(lambda a, c, b: a + c + b, _plain, _controls, _plain)


def _escaped(text: str) -> str:
    """The reference: each character that is not printable as a string literal writes it."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _no_raw_controls(out: str) -> None:
    """No control character but the line breaks between lines reaches the terminal."""
    assert not _RAW.search(out), out


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


# --- the printer ----------------------------------------------------------------------------


@settings(max_examples=60)
@given(name=names, other=names)
def test_table_output_shows_a_name_as_a_message_does_and_data_keeps_it(
    name: str, other: str
) -> None:
    table = Table("queues", f"Queue {name}", ("name", f"col{other}", "n"), ((name, other, 3),))
    plain = Table("queues", "Queue x", ("name", "colx", "n"), (("x", "x", 3),))
    shown = render("table", [table], text=[f"file {other}: 1 row"])
    _no_raw_controls(shown)
    # One line per line of the plain table: a line break in a name breaks no row.
    assert len(shown.split("\n")) == len(render("table", [plain], text=["file"]).split("\n"))
    assert repr(name) in shown  # the cell, as an error message would show the name
    assert f"Queue {_escaped(name)}" in shown
    # JSON and CSV are data: the exact names come back.
    doc = json.loads(render("json", [table]))
    assert doc["queues"] == [{"name": name, f"col{other}": other, "n": 3}]
    # CSV: the exact names, once the quote before a would-be formula is taken away.
    rows = list(csv.reader(io.StringIO(render("csv", [table]), newline="")))
    assert [[csv_text(c) for c in r] for r in rows] == [
        ["name", f"col{other}", "n"],
        [name, other, "3"],
    ]


def test_csv_quotes_a_row_with_a_carriage_return_so_it_reads_back() -> None:
    table = Table("t", "T", ("id", "n"), (("a\rb", 1), ("c", None)))
    assert render("csv", [table]) == 'id,n\n"a\rb","1"\nc,'
    rows = list(csv.reader(io.StringIO(render("csv", [table]), newline="")))
    assert rows == [["id", "n"], ["a\rb", "1"], ["c", ""]]


def test_printable_escapes_as_a_string_literal_writes_it() -> None:
    from csflow.cli.output import printable

    assert printable("a\x1b[2Jb\rc\x08d") == "a\\x1b[2Jb\\rc\\x08d"
    assert printable("\x85\u202e\x7f") == "\\x85\\u202e\\x7f"
    assert printable("plain 'text' \\ é") == "plain 'text' \\ é"


def test_yes_or_no_values_are_yes_or_no_in_table_and_csv_and_booleans_in_json() -> None:
    table = Table("t", "T", ("stable", "n"), ((True, 1), (False, 2)))
    assert render("csv", [table]) == "stable,n\nyes,1\nno,2"
    lines = render("table", [table]).split("\n")
    assert lines[3:] == ["yes     1", "no      2"]  # words left-aligned, numbers right
    assert json.loads(render("json", [table]))["t"] == [
        {"stable": True, "n": 1},
        {"stable": False, "n": 2},
    ]


# --- every command that prints a name from a file -------------------------------------------


def _replay_files(tmp: pathlib.Path, ticket: str, agent: str) -> tuple[pathlib.Path, ...]:
    desk = Desk(load_document(_CONFIG).configs()[0])
    snap = tmp / "snapshot.json"
    snap.write_text(json.dumps(desk.snapshot()), encoding="utf-8")
    commands: list[Command] = [
        AddAgent(AgentProfile(agent, capacity={"chat": 1}), "available", at=T0),
        Submit(Ticket(ticket, Customer(ticket, Tier("gold", 1)), "chat", T0), at=T0),
        Submit(
            Ticket(ticket + "2", Customer("c", Tier("gold", 1)), "chat", T0),
            at=T0 + timedelta(seconds=1),
        ),
    ]
    journal = tmp / "journal.jsonl"
    journal.write_text("".join(json.dumps(c.to_dict()) + "\n" for c in commands), "utf-8")
    return snap, journal


@settings(max_examples=8)
@given(ticket=names, agent=names)
def test_replay_tables_escape_ids_and_json_keeps_them(ticket: str, agent: str) -> None:
    with tempfile.TemporaryDirectory() as d:
        snap, journal = _replay_files(pathlib.Path(d), ticket, agent)
        args = ("replay", str(_CONFIG), "--snapshot", str(snap), "--journal", str(journal))
        status, table, err = _run(*args)
        assert status == 0, err
        _no_raw_controls(table)
        assert repr(ticket) in table
        assert repr(agent) in table
        status, out, err = _run(*args, "--format", "json")
        assert status == 0, err
        doc = json.loads(out)
        assert {r["ticket_id"] for r in doc["tickets"]} == {ticket, ticket + "2"}
        assert [r["agent_id"] for r in doc["agents"]] == [agent]


# A file name may hold any character but "/" and NUL.
file_names = names.filter(lambda s: "/" not in s and "\x00" not in s and s not in (".", ".."))


@settings(max_examples=8)
@given(stem=file_names)
def test_forecast_and_report_escape_the_file_name_they_print(stem: str) -> None:
    with tempfile.TemporaryDirectory() as d:
        arrivals = pathlib.Path(d) / f"{stem}.csv"
        arrivals.write_text("created_at\n2026-03-02T09:05:00+07:00\n", "utf-8")
        status, out, err = _run(
            "forecast", str(arrivals), "--day", "2026-03-09", "--zone", "Asia/Jakarta",
            "--format", "table", "--lookback", "1",
        )  # fmt: skip
        assert status == 0, err
        _no_raw_controls(out)
        assert f"{_escaped(stem)}.csv: 1 arrivals" in out
        events = pathlib.Path(d) / f"{stem}.jsonl"
        events.write_text("", "utf-8")
        status, out, err = _run("report", str(events))
        assert status == 0, err
        _no_raw_controls(out)
        assert out.startswith(f"{_escaped(stem)}.jsonl: 0 events")


@settings(max_examples=5)
@given(name=names)
def test_simulate_escapes_the_config_name(name: str) -> None:
    data: dict[str, Any] = {
        "name": name,
        "desk": load_document(_CONFIG).data["desk"],
        "simulation": {**load_document(_CONFIG).data["simulation"], "duration": "5m"},
    }
    with tempfile.TemporaryDirectory() as d:
        config = pathlib.Path(d) / "c.json"
        config.write_text(json.dumps(data), "utf-8")
        status, out, err = _run("simulate", str(config))
        assert status == 0, err
        _no_raw_controls(out)
        assert out.startswith(f"{_escaped(name)}: ")


def test_an_error_line_escapes_what_it_names(tmp_path: pathlib.Path) -> None:
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"staffing": {"aht\x1b[2J": 1}}), "utf-8")
    status, out, err = _run("lint", str(config))
    assert status == 2
    assert out == ""
    _no_raw_controls(err.rstrip("\n"))
    assert err.startswith("csflow: error: staffing.aht\\x1b[2J: unknown field")


def test_staff_csv_says_yes_or_no_as_the_other_tables_do() -> None:
    status, out, _ = _run("staff", "--load", "10", "--format", "csv")
    assert status == 0
    (row,) = csv.DictReader(io.StringIO(out))
    assert row["stable"] == "yes"
    status, out, _ = _run("staff", "--load", "10", "--agents", "10", "--format", "csv")
    (row,) = csv.DictReader(io.StringIO(out))
    assert row["stable"] == "no"
    assert row["service_level"] == ""
    status, out, _ = _run("staff", "--load", "10", "--agents", "10")
    assert re.search(r"^stable\s+no$", out, re.MULTILINE)


# --- help texts -----------------------------------------------------------------------------


def _help(command: str) -> str:
    parser = _parser()
    (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return " ".join(sub.choices[command].format_help().split())


def test_forecast_help_says_a_json_array_of_events_is_read(tmp_path: pathlib.Path) -> None:
    assert "or a JSON array" in _help("forecast")
    # ... as it is: the array's first TicketQueued is an arrival.
    desk = Desk(load_document(_CONFIG).configs()[0])
    at = datetime(2026, 3, 2, 2, 5, tzinfo=UTC)
    events = desk.apply(Submit(Ticket("T-1", Customer("c", Tier("gold", 1)), "chat", at), at=at))
    path = tmp_path / "events.json"
    path.write_text(json.dumps([e.to_dict() for e in events]), "utf-8")
    status, out, err = _run(
        "forecast", str(path), "--day", "2026-03-09", "--zone", "Asia/Jakarta", "--lookback", "1"
    )
    assert status == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert sum(float(r["arrivals"]) for r in rows) == 1


@pytest.mark.parametrize("command", ["simulate", "lint"])
def test_config_help_names_every_suffix_read(command: str) -> None:
    assert ".yml" in _help(command)


def test_report_help_does_not_promise_half_hours_whatever_the_interval() -> None:
    listing = " ".join(_parser().format_help().split())
    assert "ASA, AHT per interval" in listing
    assert "half hour" not in listing


def test_staff_help_says_what_peak_and_forecast_fall_back_on() -> None:
    text = _help("staff")
    assert "factor on the load or the forecast" in text
    assert "x2.5" in text
    assert "else the arrival profile of the file's simulation" in text
    assert "--agents N evaluate this many agents, >= 1" in text
