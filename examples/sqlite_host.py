"""A desk persisted in SQLite: journal, outbox and snapshots, safe against a crash at any point.

Run it as ``python examples/sqlite_host.py`` to play a scripted day (a few hundred commands)
into ``desk.sqlite3`` and print what the database holds.  ``python examples/sqlite_host.py
serve DB`` plays the same script into *DB*, carrying on from wherever the database says it
stopped: the crash test (tests/test_sqlite_host.py) kills that process with SIGKILL at random
points, restarts it, and checks that the outbox equals an uninterrupted run's.

The tables (WAL mode):

- ``config``: the configuration document, pinned at creation; a later run with another one is
  refused by :meth:`Desk.restore` (the snapshot records the config's fingerprint);
- ``journal``: each command the desk needed journaled since the last snapshot, as plain data;
- ``outbox``: every event (and every refused command's error), for a deliverer to send;
- ``progress``: how many commands of the script were handled -- the host's inbox position;
- ``snapshot``: the last snapshot.

Each command's journal row, outbox rows and new inbox position commit in one transaction, so
a crash leaves the command either wholly done or not done at all; every 25 commands a
snapshot replaces the journal in one transaction.  The desk applies a command before its
transaction: when the transaction fails (another connection holds the write lock, the disk is
full), it is rolled back and the desk rebuilt from the database, so the two never disagree and
a retry of the command behaves like its first attempt.  ``CSFLOW_CRASH_AT=<n>`` makes the host
kill itself inside the transaction of its *n*-th command, after the journal row is written.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sqlite3
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from csflow import AgentProfile, CsflowError, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.desk.commands import (
    AddAgent,
    Advance,
    Command,
    Reply,
    Resolve,
    SetPresence,
    Submit,
    needs_journal,
)

CONFIG_DATA: dict[str, Any] = {
    "tiers": [{"name": "gold", "rank": 3}, {"name": "regular", "rank": 1}],
    "calendars": {"24x7": {"timezone": "Asia/Jakarta", "always_open": True}},
    "sla_policies": [
        {
            "name": "chat",
            "calendar": "24x7",
            "targets": {"first_response": "PT5M", "resolution": "PT1H"},
        }
    ],
    "default_sla_policy": "chat",
    "queues": [{"name": "default", "relaxation": [{"after": "PT2M", "proficiency": 1}]}],
    "survey_delay": "PT30M",
}
START = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)
SNAPSHOT_EVERY = 25


def script(n: int = 300, seed: int = 2026) -> list[Command]:
    """The day's commands: agents join, chats arrive, agents reply and resolve, time passes.

    A scratch desk plays along, so that replies and resolutions name tickets the agent holds
    (a few still name the wrong agent: refused commands belong in a day too).
    """
    rng = random.Random(seed)
    config = DeskConfig.from_dict(CONFIG_DATA)
    scratch = Desk(config)
    now = START
    out: list[Command] = []
    agents = [f"a{i}" for i in range(4)]
    for a in agents:
        profile = AgentProfile(a, {"orders": rng.randint(1, 3)}, capacity={"chat": 2})
        out.append(AddAgent(profile, "available", at=now))
        scratch.apply(out[-1])
    tiers = [Tier("gold", 3), Tier("regular", 1)]
    opened = 0
    while len(out) < n:
        now += timedelta(seconds=rng.choice([0, 10, 30, 60, 120]))
        kind = rng.choice(["submit", "submit", "reply", "resolve", "resolve", "advance", "away"])
        agent = rng.choice(agents)
        held = scratch.agent(agent).held
        if kind == "submit":
            opened += 1
            customer = Customer(f"c{opened % 17}", rng.choice(tiers))
            skills = {"orders": rng.randint(1, 3)} if rng.random() < 0.3 else {}
            ticket = Ticket(f"T-{opened}", customer, "chat", now, required_skills=skills)
            out.append(Submit(ticket, at=now))
        elif kind in ("reply", "resolve") and (held or rng.random() < 0.1):
            tid = rng.choice(held) if held else f"T-{rng.randint(1, max(opened, 1))}"
            out.append((Reply if kind == "reply" else Resolve)(tid, agent, at=now))
        elif kind == "away":
            presence = scratch.agent(agent).presence
            back = "available" if presence == "away" else "away"
            out.append(SetPresence(agent, back, at=now))
        else:
            out.append(Advance(at=now))
        with contextlib.suppress(CsflowError):
            scratch.apply(out[-1])
    return out


class SqliteHost:
    """One desk on one SQLite file."""

    def __init__(self, path: Path, config_data: dict[str, Any]) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)  # transactions by hand
        self.db.executescript(
            """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            CREATE TABLE IF NOT EXISTS config (id INTEGER PRIMARY KEY CHECK (id = 1), doc TEXT);
            CREATE TABLE IF NOT EXISTS snapshot (id INTEGER PRIMARY KEY CHECK (id = 1), doc TEXT);
            CREATE TABLE IF NOT EXISTS progress (id INTEGER PRIMARY KEY CHECK (id = 1), n INT);
            CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY, cmd TEXT);
            CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY, event TEXT);
            """
        )
        with self.transaction():
            if self.db.execute("SELECT doc FROM config").fetchone() is None:
                self.db.execute("INSERT INTO config VALUES (1, ?)", (json.dumps(config_data),))
                self.db.execute("INSERT INTO progress VALUES (1, 0)")
        # The pinned config is the one the desk runs under.
        pinned = json.loads(self.db.execute("SELECT doc FROM config").fetchone()[0])
        self.config = DeskConfig.from_dict(pinned)
        self.load()
        self.unjournaled = 0

    def load(self) -> None:
        """(Re)build the desk and the inbox position from what the database committed."""
        snap = self.db.execute("SELECT doc FROM snapshot").fetchone()
        rows = [json.loads(r) for (r,) in self.db.execute("SELECT cmd FROM journal ORDER BY seq")]
        base = json.loads(snap[0]) if snap else Desk(self.config).snapshot()
        self.desk = Desk.restore(self.config, base, journal=rows)
        self.position: int = self.db.execute("SELECT n FROM progress").fetchone()[0]
        self.stale = False

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``; on any failure, ``ROLLBACK`` and re-raise."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise

    def handle(self, command: Command, crash: bool = False) -> None:
        """Apply one command; its journal row, outbox rows and position commit together.

        The desk applies the command before the transaction: if the transaction then fails
        (the database is locked, the disk is full), the desk is ahead of the database.  It is
        rebuilt from the database, so a retry of the command behaves like the first attempt.
        """
        if self.stale:  # the rebuild after a failed transaction failed too: try it again
            self.load()
        journal = needs_journal(self.desk, command)
        skipped = not journal  # counted once the command commits
        try:
            rows = [json.dumps(e.to_dict()) for e in self.desk.apply(command)]
        except CsflowError as exc:  # refused: it changed nothing; the client hears why
            rows, journal = [json.dumps({"type": "error", "error": type(exc).__name__})], False
        try:
            with self.transaction():
                if journal:
                    self.db.execute(
                        "INSERT INTO journal (cmd) VALUES (?)", (json.dumps(command.to_dict()),)
                    )
                if crash:
                    os.kill(os.getpid(), signal.SIGKILL)
                self.db.executemany("INSERT INTO outbox (event) VALUES (?)", [(r,) for r in rows])
                self.db.execute("UPDATE progress SET n = ?", (self.position + 1,))
        except BaseException:  # the desk is ahead of the database: rebuild it from the database
            self.stale = True
            self.load()
            raise
        self.position += 1
        self.unjournaled += skipped
        if self.position % SNAPSHOT_EVERY == 0:
            self.compact()

    def compact(self) -> None:
        """Snapshot, and drop the journal it now contains, in one transaction."""
        doc = json.dumps(self.desk.snapshot())
        with self.transaction():
            self.db.execute("INSERT OR REPLACE INTO snapshot VALUES (1, ?)", (doc,))
            self.db.execute("DELETE FROM journal")

    def run(self, commands: list[Command], crash_at: int | None = None) -> None:
        """Handle the commands from the stored position on."""
        for i in range(self.position, len(commands)):
            self.handle(commands[i], crash=i == crash_at)


def main(argv: list[str]) -> None:
    commands = script()
    crash = os.environ.get("CSFLOW_CRASH_AT")
    if len(argv) == 3 and argv[1] == "serve":
        SqliteHost(Path(argv[2]), CONFIG_DATA).run(commands, int(crash) if crash else None)
        return
    out = Path(os.environ.get("CSFLOW_EXAMPLE_OUT", "."))
    path = out / "desk.sqlite3"
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)
    host = SqliteHost(path, CONFIG_DATA)
    host.run(commands)
    db = host.db
    kinds: dict[str, int] = {}
    for (doc,) in db.execute("SELECT event FROM outbox"):
        kind = json.loads(doc)["type"]
        kinds[kind] = kinds.get(kind, 0) + 1
    print(f"commands handled: {db.execute('SELECT n FROM progress').fetchone()[0]}")
    print(
        f"journal rows since the last snapshot: {db.execute('SELECT count(*) FROM journal').fetchone()[0]}"
    )
    advances = sum(1 for c in commands if isinstance(c, Advance))
    print(f"advances left out of the journal: {host.unjournaled} of {advances}")
    for kind in sorted(kinds):
        print(f"  {kind:<22} {kinds[kind]:>4}")
    again = SqliteHost(path, CONFIG_DATA)
    later = commands[-1].at + timedelta(days=1)
    same = [e.to_dict() for e in again.desk.advance(at=later)] == [
        e.to_dict() for e in host.desk.advance(at=later)
    ]
    print(f"a restarted host has the same future: {same}")
    edited = json.loads(json.dumps(CONFIG_DATA))
    edited["sla_policies"][0]["targets"]["first_response"] = "PT15M"
    snap = json.loads(db.execute("SELECT doc FROM snapshot").fetchone()[0])
    try:
        Desk.restore(DeskConfig.from_dict(edited), snap)
    except CsflowError as exc:
        print(f"restore under an edited config: {type(exc).__name__}: {exc}")


if __name__ == "__main__":
    main(sys.argv)
