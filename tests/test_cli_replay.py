"""``csflow replay``, run as a user runs it: a desk built here with the library, its snapshot
and journal written to files, then ``python -m csflow replay`` in a subprocess."""

from __future__ import annotations

import json
import pathlib
import subprocess
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cli_runner import run_cli
from csflow import AgentProfile, Customer, Desk, Ticket, Tier
from csflow.cli.documents import load_document
from csflow.desk.commands import AddAgent, Advance, Command, Reply, Submit

_ROOT = pathlib.Path(__file__).resolve().parent.parent
_CONFIG = _ROOT / "examples" / "configs" / "marketplace-day.yaml"
T0 = datetime(2026, 3, 9, 1, 0, tzinfo=UTC)


_run = run_cli


def _ticket(n: int, tier: Tier, at: datetime) -> Ticket:
    return Ticket(f"T-{n}", Customer(f"c{n}", tier), "chat", at)


def _desk_files(tmp_path: pathlib.Path) -> tuple[Desk, list[Any], pathlib.Path, pathlib.Path]:
    """A desk of the sample config: snapshot after a few commands, then a journal of more,
    applied to the desk too (its events are what replay must print)."""
    gold, regular = Tier("gold", 1), Tier("regular", 0)
    desk = Desk(load_document(_CONFIG).configs()[0])
    before: list[Command] = [
        AddAgent(AgentProfile("sari", capacity={"chat": 1}), "available", at=T0),
        Submit(_ticket(1, regular, T0), at=T0),
        Submit(_ticket(2, gold, T0 + timedelta(seconds=30)), at=T0 + timedelta(seconds=30)),
    ]
    for cmd in before:
        desk.apply(cmd)
    snapshot = json.loads(json.dumps(desk.snapshot()))
    t1 = T0 + timedelta(minutes=1)
    after: list[Command] = [
        Reply("T-1", "sari", at=t1),
        Submit(_ticket(3, gold, t1), at=t1),
        AddAgent(AgentProfile("budi", capacity={"chat": 2}), "available", at=t1),
        Advance(at=T0 + timedelta(minutes=20)),
    ]
    events: list[Any] = []
    for cmd in after:
        events.extend(e.to_dict() for e in desk.apply(cmd))
    snap = tmp_path / "snapshot.json"
    snap.write_text(json.dumps(snapshot), encoding="utf-8")
    journal = tmp_path / "journal.jsonl"
    journal.write_text("".join(json.dumps(c.to_dict()) + "\n" for c in after), encoding="utf-8")
    return desk, events, snap, journal


def test_replay_prints_the_journals_events_and_the_state(tmp_path: pathlib.Path) -> None:
    desk, events, snap, journal = _desk_files(tmp_path)
    assert events  # the journal's commands did something to print
    done = _run(
        "replay",
        str(_CONFIG),
        "--snapshot",
        str(snap),
        "--journal",
        str(journal),
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["events"] == events
    tickets = {r["ticket_id"]: r for r in out["tickets"]}
    assert set(tickets) == {"T-1", "T-2", "T-3"}
    for tid, row in tickets.items():
        view = desk.ticket(tid)
        assert (row["state"], row["queue"], row["agent_id"]) == (
            view.state,
            view.queue,
            view.agent_id,
        )
        for metric, clock in desk.clocks(tid).items():
            due = None if clock.due_at is None else clock.due_at.astimezone(UTC).isoformat()
            assert row[f"{metric.value}_due"] == due
    agents = {r["agent_id"]: r for r in out["agents"]}
    assert set(agents) == {"sari", "budi"}
    for aid, row in agents.items():
        status = desk.agent(aid)
        assert (row["presence"], row["load"]) == (status.presence, status.load)
    assert desk.now is not None
    assert out["now"] == desk.now.isoformat()


def test_replay_reads_a_json_array_and_prints_table_and_csv(tmp_path: pathlib.Path) -> None:
    _, events, snap, journal = _desk_files(tmp_path)
    array = tmp_path / "journal.json"
    rows = [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()]
    array.write_text(json.dumps(rows), encoding="utf-8")
    args = ("replay", str(_CONFIG), "--snapshot", str(snap), "--journal", str(array))
    table = _run(*args)
    assert table.returncode == 0, table.stderr
    assert "Open tickets" in table.stdout
    assert "T-3" in table.stdout
    csv_out = _run(*args, "--format", "csv")
    assert csv_out.returncode == 0, csv_out.stderr
    lines = csv_out.stdout.splitlines()
    start = lines.index("# events")
    assert lines[start + 1] == "command,type,at,ticket_id,fields"
    assert [line.split(",")[1] for line in lines[start + 2 : start + 2 + len(events)]] == [
        e["type"] for e in events
    ]
    # Without a journal: the snapshot's own state, no events.
    bare = _run("replay", str(_CONFIG), "--snapshot", str(snap), "--format", "json")
    assert bare.returncode == 0, bare.stderr
    assert json.loads(bare.stdout)["events"] == []
    assert {r["ticket_id"] for r in json.loads(bare.stdout)["tickets"]} == {"T-1", "T-2"}


def _one_line_error(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    for word in words:
        assert word in done.stderr, done.stderr


def test_bad_json_on_a_journal_line_names_the_file_and_line(tmp_path: pathlib.Path) -> None:
    _, _, snap, journal = _desk_files(tmp_path)
    lines = journal.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2][:-3]
    journal.write_text("\n".join(lines), encoding="utf-8")
    done = _run("replay", str(_CONFIG), "--snapshot", str(snap), "--journal", str(journal))
    _one_line_error(done, "--journal", str(journal), "line 3")


def test_a_tampered_snapshot_and_a_missing_file_are_one_line_errors(
    tmp_path: pathlib.Path,
) -> None:
    _, _, snap, journal = _desk_files(tmp_path)
    data = json.loads(snap.read_text(encoding="utf-8"))
    data["state"]["tickets"][0]["state"] = "no-such-state"
    snap.write_text(json.dumps(data), encoding="utf-8")
    done = _run("replay", str(_CONFIG), "--snapshot", str(snap), "--journal", str(journal))
    _one_line_error(done, "snapshot.state.tickets[0].state", str(snap))
    missing = tmp_path / "nope.json"
    done = _run("replay", str(_CONFIG), "--snapshot", str(missing))
    _one_line_error(done, "--snapshot", str(missing))


@pytest.mark.parametrize(
    ("which", "text", "words"),
    [
        ("snapshot", "[" * 200_000 + "]" * 200_000, "nested too deeply"),
        ("snapshot", '{"format": ' + "9" * 5000 + "}", "more than 4300 digits"),
        ("journal", "[" * 200_000 + "]" * 200_000, "nested too deeply"),
        ("journal", '{"type": "Advance", "version": 1, "at": ' + "9" * 5000 + "}\n", "line 1"),
    ],
    ids=["deep-snapshot", "long-int-snapshot", "deep-journal", "long-int-journal-line"],
)
def test_json_past_the_parsers_limits_is_a_one_line_error(
    tmp_path: pathlib.Path, which: str, text: str, words: str
) -> None:
    _, _, snap, journal = _desk_files(tmp_path)
    (snap if which == "snapshot" else journal).write_text(text, encoding="utf-8")
    done = _run("replay", str(_CONFIG), "--snapshot", str(snap), "--journal", str(journal))
    _one_line_error(done, f"--{which}", words)
