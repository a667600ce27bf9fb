"""Bounds on what the command line reads back.  A key given twice in the JSON -- event files
(``report``, ``forecast``), a snapshot and a journal (``replay``) -- is refused at its path,
as it is in a config file: ``json.loads`` keeps the last one silently, so a tampered or
hand-edited file would be read as something it does not say.  And ``report`` holds at most
``MAX_REPORT_INTERVALS`` intervals."""

from __future__ import annotations

import json
import pathlib
from datetime import UTC, datetime

import pytest

from csflow import AgentProfile, Customer, Desk, Ticket, Tier
from csflow.cli import main
from csflow.cli.documents import load_document
from csflow.desk.commands import Reply

_ROOT = pathlib.Path(__file__).resolve().parents[1]
_CONFIG = _ROOT / "examples" / "configs" / "marketplace-day.yaml"
T0 = datetime(2026, 3, 9, 1, 0, tzinfo=UTC)


def _error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """The one line of a bad input: exit status 2, nothing on stdout."""
    status = main(list(args))
    out, err = capsys.readouterr()
    assert (status, out) == (2, ""), err
    assert err.count("\n") == 1, err
    return err.removeprefix("csflow: error: ").rstrip("\n")


def _twice(text: str, key: str) -> str:
    """*text* (a JSON object) with its first ``"key": value`` member given again, last
    with a changed value: ``"status": "open"`` becomes ``..., "status": "openX"``."""
    value = json.loads(text)[key]
    member = f"{json.dumps(key)}: {json.dumps(value)}"
    assert member in text
    changed = f"{value}X" if isinstance(value, str) else 7
    return text[:-1] + f", {json.dumps(key)}: {json.dumps(changed)}}}"


def _queued_row() -> dict[str, object]:
    desk = Desk(load_document(_CONFIG).configs()[0])
    events = desk.submit(Ticket("T-1", Customer("c1", Tier("regular", 0)), "chat", T0), at=T0)
    return events[0].to_dict()


@pytest.mark.parametrize("command", ["report", "forecast"])
def test_an_event_line_with_a_key_given_twice_is_refused_naming_line_and_key(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    row = json.dumps(_queued_row())
    path = tmp_path / "events.jsonl"
    path.write_text(row + "\n" + _twice(row, "ticket_id") + "\n", encoding="utf-8")
    extra = ["--day", "2026-03-16", "--zone", "Asia/Jakarta"] if command == "forecast" else []
    err = _error(capsys, command, str(path), *extra)
    assert err.startswith(f"{'EVENTS' if command == 'report' else 'ARRIVALS'}: "), err
    assert f"{str(path)!r} line 2 at ticket_id: the key 'ticket_id' is given twice" in err


def test_an_event_array_with_a_nested_key_given_twice_names_its_path(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    row = json.dumps(_queued_row())
    path = tmp_path / "events.json"
    path.write_text(f"[{row}, {_twice(row, 'ticket_id')}]", encoding="utf-8")
    err = _error(capsys, "report", str(path))
    assert err == (
        f"EVENTS: {str(path)!r} at [1].ticket_id: the key 'ticket_id' is given twice in one "
        "mapping: the second would replace the first without a word; give it once"
    )


def _snapshot_and_journal(tmp_path: pathlib.Path) -> tuple[pathlib.Path, pathlib.Path, str]:
    desk = Desk(load_document(_CONFIG).configs()[0])
    desk.add_agent(AgentProfile("sari", capacity={"chat": 1}), at=T0)
    desk.set_presence("sari", "available", at=T0)
    desk.submit(Ticket("T-1", Customer("c1", Tier("regular", 0)), "chat", T0), at=T0)
    snap = tmp_path / "snapshot.json"
    snap.write_text(json.dumps(desk.snapshot()), encoding="utf-8")
    line = json.dumps(Reply("T-1", "sari", at=T0).to_dict())
    journal = tmp_path / "journal.jsonl"
    journal.write_text(line + "\n", encoding="utf-8")
    return snap, journal, line


def test_replay_refuses_a_snapshot_or_a_journal_with_a_key_given_twice(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snap, journal, line = _snapshot_and_journal(tmp_path)
    good = ["replay", str(_CONFIG), "--snapshot", str(snap), "--journal", str(journal)]
    assert main(good) == 0
    capsys.readouterr()

    text = snap.read_text(encoding="utf-8")
    snap.write_text(_twice(text, next(iter(json.loads(text)))), encoding="utf-8")
    err = _error(capsys, *good)
    assert err.startswith(f"--snapshot: {str(snap)!r} at "), err
    assert "is given twice in one mapping" in err

    snap, journal, line = _snapshot_and_journal(tmp_path)
    journal.write_text(line + "\n" + _twice(line, "agent_id") + "\n", encoding="utf-8")
    err = _error(capsys, *good)
    assert err.startswith(
        f"--journal: {str(journal)!r} line 2 at agent_id: the key 'agent_id' is given twice"
    ), err
    journal.write_text(f"[{line}, {_twice(line, 'agent_id')}]", encoding="utf-8")
    err = _error(capsys, *good)
    assert err.startswith(f"--journal: {str(journal)!r} at [1].agent_id: the key 'agent_id'"), err


def test_report_refuses_tickets_in_more_intervals_than_its_bound(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each interval holds a running summary and prints a row: a hostile file of one ticket a
    # minute read at --interval 1m would otherwise fill memory (about 6 KB an interval).
    import csflow.cli.report as report_module
    from csflow.events import TicketQueued
    from csflow.model import Priority

    monkeypatch.setattr(report_module, "MAX_REPORT_INTERVALS", 2)
    rows = [
        TicketQueued(T0.replace(minute=k), f"T{k}", "q", Priority.NORMAL, None, "gold", "chat", "")
        for k in (0, 0, 1, 5)
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(e.to_dict()) + "\n" for e in rows), encoding="utf-8")
    assert main(["report", str(path), "--interval", "1m", "--format", "csv"]) == 2
    _, err = capsys.readouterr()
    assert err == (
        f"csflow: error: EVENTS: {str(path)!r} line 4: the tickets fall into more than 2 "
        "intervals of 1m; report on a longer --interval\n"
    )
    # Three tickets in two intervals of 1m, or all four in one of 1h, are read.
    path.write_text("".join(json.dumps(e.to_dict()) + "\n" for e in rows[:3]), encoding="utf-8")
    assert main(["report", str(path), "--interval", "1m", "--format", "csv"]) == 0
    path.write_text("".join(json.dumps(e.to_dict()) + "\n" for e in rows), encoding="utf-8")
    assert main(["report", str(path), "--interval", "1h", "--format", "csv"]) == 0


def test_an_interval_reports_running_summaries_are_slotted() -> None:
    # One per interval that holds a ticket: a dict of attributes each would double the memory.
    from csflow.metrics import _Summary

    assert not hasattr(_Summary(0), "__dict__")
