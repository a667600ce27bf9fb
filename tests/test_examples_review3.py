"""The host examples keep the desk and its store in step, and serve on after a refusal.

- examples/sqlite_host.py: a transaction that fails (another connection holds the write lock,
  an insert fails half-way) is rolled back and the in-memory desk rebuilt from the database,
  so a retry of the command behaves like its first attempt and a restart loses nothing.
- examples/asyncio_host.py and the ``serve`` loop of docs/how-to/web-app.md: a refused
  command is answered as refused and the loop goes on; any other exception still surfaces.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from csflow import AgentProfile, Customer, Desk, DeskConfig, Event, Ticket, Tier
from csflow.desk.commands import Submit
from test_docs import extract_blocks

ROOT = Path(__file__).resolve().parent.parent


def load_example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        f"example_{name}", ROOT / "examples" / f"{name}.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- examples/sqlite_host.py -------------------------------------------------------------------


@pytest.fixture
def sqlite_host() -> ModuleType:
    return load_example("sqlite_host")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "desk.sqlite3"


def submit(ex: ModuleType, ticket_id: str = "T-1") -> Submit:
    gold = Customer("ayu", Tier("gold", 3))
    return Submit(Ticket(ticket_id, gold, "chat", ex.START), at=ex.START)


def table(path: Path, sql: str) -> list[Any]:
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute(sql)]
    finally:
        conn.close()


def outbox_types(path: Path) -> list[str]:
    return [json.loads(doc)["type"] for doc in table(path, "SELECT event FROM outbox ORDER BY seq")]


def test_sqlite_host_locked_database_leaves_desk_and_database_agreeing(
    sqlite_host: ModuleType, db_path: Path
) -> None:
    host = sqlite_host.SqliteHost(db_path, sqlite_host.CONFIG_DATA)
    host.db.execute("PRAGMA busy_timeout = 50")
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # a backup, a migration, an admin query
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        host.handle(submit(sqlite_host))
    # The desk was rebuilt from the database, which never heard of T-1.
    assert list(host.desk.tickets()) == []
    assert host.position == 0
    assert not host.db.in_transaction
    other.execute("ROLLBACK")
    other.close()

    host.handle(submit(sqlite_host))  # the client's retry: like the first attempt
    assert list(host.desk.tickets()) == ["T-1"]
    assert outbox_types(db_path) == ["TicketQueued"]
    assert [json.loads(c)["type"] for c in table(db_path, "SELECT cmd FROM journal")] == ["Submit"]
    assert table(db_path, "SELECT n FROM progress") == [1]
    restarted = sqlite_host.SqliteHost(db_path, sqlite_host.CONFIG_DATA)
    assert list(restarted.desk.tickets()) == ["T-1"]
    assert restarted.position == 1


def test_sqlite_host_failure_inside_the_transaction_rolls_back_its_journal_row(
    sqlite_host: ModuleType, db_path: Path
) -> None:
    host = sqlite_host.SqliteHost(db_path, sqlite_host.CONFIG_DATA)
    # The outbox insert fails after the journal row is written (think: the disk is full).
    host.db.execute(
        "CREATE TRIGGER full BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'full'); END"
    )
    with pytest.raises(sqlite3.IntegrityError, match="full"):
        host.handle(submit(sqlite_host))
    assert table(db_path, "SELECT cmd FROM journal") == []
    assert list(host.desk.tickets()) == []
    host.db.execute("DROP TRIGGER full")
    host.handle(submit(sqlite_host))
    assert outbox_types(db_path) == ["TicketQueued"]
    assert len(table(db_path, "SELECT cmd FROM journal")) == 1


def test_sqlite_host_refusal_whose_transaction_fails_is_refused_again_on_retry(
    sqlite_host: ModuleType, db_path: Path
) -> None:
    host = sqlite_host.SqliteHost(db_path, sqlite_host.CONFIG_DATA)
    host.handle(submit(sqlite_host))
    host.db.execute("PRAGMA busy_timeout = 50")
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    with pytest.raises(sqlite3.OperationalError):
        host.handle(submit(sqlite_host))  # a duplicate: refused, and its error row not written
    other.execute("ROLLBACK")
    other.close()
    host.handle(submit(sqlite_host))
    assert outbox_types(db_path) == ["TicketQueued", "error"]
    assert table(db_path, "SELECT n FROM progress") == [2]


def test_sqlite_host_rebuild_that_fails_is_retried_before_the_next_command(
    sqlite_host: ModuleType, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    host = sqlite_host.SqliteHost(db_path, sqlite_host.CONFIG_DATA)
    host.db.execute("PRAGMA busy_timeout = 50")
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    restore = Desk.restore

    def broken(*args: Any, **kwargs: Any) -> Desk:
        raise MemoryError

    monkeypatch.setattr(Desk, "restore", broken)
    with pytest.raises(MemoryError):
        host.handle(submit(sqlite_host))
    assert host.stale
    monkeypatch.setattr(Desk, "restore", restore)
    other.execute("ROLLBACK")
    other.close()
    host.handle(submit(sqlite_host))  # rebuilt first, so the retry is not a duplicate
    assert not host.stale
    assert outbox_types(db_path) == ["TicketQueued"]


def test_sqlite_host_scripted_day_still_matches_an_uninterrupted_run_after_a_failure(
    sqlite_host: ModuleType, tmp_path: Path
) -> None:
    commands = sqlite_host.script(60)
    reference = tmp_path / "reference.sqlite3"
    sqlite_host.SqliteHost(reference, sqlite_host.CONFIG_DATA).run(commands)
    path = tmp_path / "failed.sqlite3"
    host = sqlite_host.SqliteHost(path, sqlite_host.CONFIG_DATA)
    host.db.execute("PRAGMA busy_timeout = 50")
    host.run(commands[:37])
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    with pytest.raises(sqlite3.OperationalError):
        host.run(commands)
    other.execute("ROLLBACK")
    other.close()
    host.run(commands)  # carries on from the stored position, with a desk that agrees
    sql = "SELECT event FROM outbox ORDER BY seq"
    assert table(path, sql) == table(reference, sql)


# --- examples/asyncio_host.py ------------------------------------------------------------------

CONFIG = {
    "calendars": {"24x7": {"timezone": "UTC", "always_open": True}},
    "sla_policies": [{"name": "chat", "calendar": "24x7", "targets": {"first_response": "PT1M"}}],
    "default_sla_policy": "chat",
}
Command = Callable[[Desk, datetime], list[Event]]


async def play(ex: ModuleType, script: list[tuple[int, Command]], until: int) -> Desk:
    host = ex.Host(Desk(DeskConfig.from_dict(CONFIG)))

    async def world() -> None:
        for second, command in script:
            at = ex.START + timedelta(seconds=second)
            await asyncio.sleep(max(0.0, (at - host.now()).total_seconds() * ex.SCALE))
            await host.inbox.put((at, command))

    await asyncio.gather(host.run(until=ex.START + timedelta(seconds=until)), world())
    desk: Desk = host.desk
    return desk


def opening(ex: ModuleType) -> list[tuple[int, Command]]:
    gold = Customer("ayu", Tier("gold", 3))
    sari = AgentProfile("sari", capacity={"chat": 1})
    return [
        (0, lambda d, at: d.add_agent(sari, at=at, presence="available")),
        (1, lambda d, at: d.submit(Ticket("T-1", gold, "chat", at), at=at)),
    ]


def test_asyncio_host_answers_a_refusal_and_serves_on(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ex = load_example("asyncio_host")
    monkeypatch.setattr(ex, "SCALE", 0.002)
    gold = Customer("budi", Tier("gold", 3))
    script = [
        *opening(ex),
        (2, lambda d, at: d.reply("T-1", "budi", at=at)),  # no such agent: refused
        (3, lambda d, at: d.submit(Ticket("T-2", gold, "chat", at), at=at)),
    ]
    desk = asyncio.run(play(ex, script, until=10))
    assert list(desk.tickets()) == ["T-1", "T-2"]
    out = capsys.readouterr().out
    assert "refused                UnknownAgentError: no agent 'budi' at this desk" in out
    assert "TicketQueued           T-2" in out


def test_asyncio_host_lets_other_exceptions_surface(monkeypatch: pytest.MonkeyPatch) -> None:
    ex = load_example("asyncio_host")
    monkeypatch.setattr(ex, "SCALE", 0.002)

    def bug(desk: Desk, at: datetime) -> list[Event]:
        raise RuntimeError("a bug in the host")

    with pytest.raises(RuntimeError, match="a bug in the host"):
        asyncio.run(play(ex, [*opening(ex), (2, bug)], until=10))


# --- docs/how-to/web-app.md ----------------------------------------------------------------------


def web_app_page() -> dict[str, Any]:
    """The page's namespace after its python blocks ran (they assert the refused 422 too)."""
    namespace: dict[str, Any] = {"__name__": "web_app_page"}
    for block in extract_blocks((ROOT / "docs" / "how-to" / "web-app.md").read_text()):
        if block.language == "python" and block.run:
            exec(compile(block.code, "web-app.md", "exec"), namespace)
    return namespace


def test_web_app_serve_answers_refusals_and_lets_bugs_surface() -> None:
    page = web_app_page()
    serve, call = page["serve"], page["call"]

    def bug(desk: Desk, at: datetime) -> list[Event]:
        raise RuntimeError("a bug in the host")

    async def world(inbox: asyncio.Queue[Any]) -> list[int]:
        statuses = [await call(inbox, lambda d, at: d.resolve("T-404", "sari", at=at))]
        statuses.append(await call(inbox, lambda d, at: d.advance(at=at)))
        await inbox.put((bug, asyncio.get_running_loop().create_future()))
        return statuses

    async def main() -> list[int]:
        inbox: asyncio.Queue[Any] = asyncio.Queue()
        served = asyncio.ensure_future(serve(inbox))
        statuses = await world(inbox)
        with pytest.raises(RuntimeError, match="a bug in the host"):
            await served
        return statuses

    assert asyncio.run(main()) == [422, 200]
