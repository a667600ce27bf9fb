"""``csflow replay CONFIG --snapshot SNAPSHOT.json [--journal JOURNAL.jsonl]``: a host's desk
rebuilt from its snapshot and journal, with the events the journal's commands produced and the
state they left (open tickets with their SLA deadlines, agents with presence and load).

The whole input is first checked by :meth:`Desk.restore <csflow.desk.Desk.restore>` (its
errors name the field, here also the file and the journal's line); then the desk is restored
from the snapshot alone and the journal's commands are applied one by one, so that each
command's events can be printed.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from csflow.cli.documents import json_error, load_document, strict_json
from csflow.cli.output import Table, render
from csflow.desk import Desk
from csflow.desk.commands import command_from_dict
from csflow.errors import ConfigError, CsflowError
from csflow.model import TicketStatus

__all__ = ["held_text", "replay"]

#: Tickets in these states have no work left, so the state table leaves them out.
_DONE = frozenset({TicketStatus.SOLVED, TicketStatus.CLOSED, TicketStatus.ABANDONED})
_ENTRY = re.compile(r"^journal\[(\d+)\]")


def _read(path: Path, field: str) -> str:
    """*path*'s UTF-8 text, without the byte-order mark it may start with (as config and
    forecast files)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"no such file {str(path)!r}", field) from None
    except IsADirectoryError:
        raise ConfigError(f"{str(path)!r} is a directory, expected a file", field) from None
    except OSError as exc:
        raise ConfigError(f"cannot read {str(path)!r}: {exc.strerror}", field) from None
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as exc:
        # Where, as `report` names it: the line, and the byte and its column on that line.
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigError(
            f"{str(path)!r} line {line} is not UTF-8 text (byte 0x{data[exc.start]:02x} at "
            f"column {column})",
            field,
        ) from None


def _read_snapshot(path: Path) -> Any:
    text = _read(path, "--snapshot")
    try:
        return strict_json(text)
    except ConfigError as exc:
        raise ConfigError(f"{str(path)!r} at {exc}", "--snapshot") from None
    except (ValueError, RecursionError) as exc:
        raise ConfigError(
            f"{str(path)!r} is not valid JSON: {json_error(exc)}", "--snapshot"
        ) from None


def _read_journal(path: Path) -> tuple[list[Any], list[int]]:
    """The journal's entries and the line each starts on: a JSON array, or JSON Lines (lines
    end at a line feed only, as ``csflow report`` reads them)."""
    text = _read(path, "--journal")
    if text.lstrip().startswith("["):
        try:
            entries = strict_json(text)
        except ConfigError as exc:
            raise ConfigError(f"{str(path)!r} at {exc}", "--journal") from None
        except (ValueError, RecursionError) as exc:
            raise ConfigError(
                f"{str(path)!r} is not a valid JSON array: {json_error(exc)}", "--journal"
            ) from None
        if not isinstance(entries, list):
            raise ConfigError(f"{str(path)!r}: expected a JSON array of commands", "--journal")
        return entries, [0] * len(entries)
    entries, lines = [], []
    # Lines end at "\n" alone (_read has made "\r\n" one): a raw U+2028, U+2029 or U+0085
    # is legal inside a JSON string, and str.splitlines would cut the line there.
    for n, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue  # blank lines (a trailing newline, say) hold no command
        try:
            entries.append(strict_json(line))
        except ConfigError as exc:
            raise ConfigError(f"{str(path)!r} line {n} at {exc}", "--journal") from None
        except (ValueError, RecursionError) as exc:
            raise ConfigError(
                f"{str(path)!r} line {n} is not valid JSON: {json_error(exc, line=False)}",
                "--journal",
            ) from None
        lines.append(n)
    return entries, lines


def _cli_hint(detail: str) -> str:
    """The library's hint for a changed config (``on_config_change=[]``, a Python argument)
    as the command line's: it replays only under the config the snapshot was taken with."""
    return detail.replace(
        "pass on_config_change=[] to accept the change",
        "replay it with the config file the snapshot was taken under (the command line does "
        "not replay under a changed config; Desk.restore(..., on_config_change=[]) does)",
    )


def _where(path: str, snapshot: Path, journal: Path | None, lines: list[int]) -> str:
    """An error's *path*, with the file it is in (and the journal line)."""
    path = path or "snapshot"
    m = _ENTRY.match(path)
    if m and journal is not None:
        line = lines[int(m.group(1))] if int(m.group(1)) < len(lines) else 0
        return f"{path} ({str(journal)!r}{f' line {line}' if line else ''})"
    return f"{path} ({str(snapshot)!r})"


def _one_line(exc: CsflowError) -> str:
    return " ".join(str(exc).split())


def held_text(ids: Sequence[str]) -> str:
    """The ticket ids an agent holds as one readable cell (``table`` and ``csv``): joined by a
    space, an id that is empty or holds a space (any whitespace) or a double quote written as
    a JSON string, in double quotes (``T-1 "T 2" T-3``), so that every id reads back exactly
    (``json`` gives the list itself)."""
    return " ".join(
        json.dumps(t, ensure_ascii=False)
        if not t or '"' in t or not t.isprintable() or any(c.isspace() for c in t)
        else t
        for t in ids
    )


def _state(desk: Desk, fmt: str) -> tuple[list[tuple[Any, ...]], list[str], list[tuple[Any, ...]]]:
    """The open tickets (with each SLA clock's due instant), the metrics of those clocks,
    and the agents (the tickets each holds: a list in ``json``, :func:`held_text` in the
    other formats *fmt*).

    Raises:
        CsflowError: The desk's readers refuse its state.
    """
    open_ids = [t for t in desk.tickets() if desk.ticket(t).state not in _DONE]
    clocks = {t: {m.value: c for m, c in desk.clocks(t).items()} for t in open_ids}
    metrics = sorted({m for c in clocks.values() for m in c})
    tickets = []
    for tid in open_ids:
        view = desk.ticket(tid)
        due = [_utc(clocks[tid][m].due_at) if m in clocks[tid] else None for m in metrics]
        tickets.append((tid, str(view.state), view.queue, view.agent_id, *due))
    agents = []
    for aid in desk.agents():
        status = desk.agent(aid)
        held = list(status.held) if fmt == "json" else held_text(status.held)
        agents.append((aid, status.presence, status.load, held))
    return tickets, metrics, agents


def _utc(at: datetime | None) -> str | None:
    return None if at is None else at.astimezone(UTC).isoformat()


def replay(args: argparse.Namespace) -> str:
    """``csflow replay``: the journal's events and the desk's state, in ``args.format``.

    Raises:
        ConfigError: A missing or unreadable file, bad JSON (with its line), a malformed or
            tampered snapshot or journal entry, a config other than the snapshot's, or a
            state the desk reached that its readers refuse (named at the journal entry that
            moved the desk's clock there, else at the snapshot's ``at``).
    """
    config = load_document(args.config).configs()[0]
    snap_path = Path(args.snapshot)
    journal_path = None if args.journal is None else Path(args.journal)
    snapshot = _read_snapshot(snap_path)
    entries, lines = ([], []) if journal_path is None else _read_journal(journal_path)
    try:
        # The library's own checks of the whole input first: nothing is printed from a
        # snapshot or journal that does not restore.
        Desk.restore(config, snapshot, journal=entries)
        desk = Desk.restore(config, snapshot)
    except ConfigError as exc:
        raise ConfigError(
            _cli_hint(exc.detail), _where(exc.path, snap_path, journal_path, lines)
        ) from None
    at = desk.now
    events: list[dict[str, Any]] = []
    rows: list[tuple[Any, ...]] = []
    moved: int | None = None  # the last journal entry that moved the desk's clock
    for i, entry in enumerate(entries):
        before = desk.now
        produced = desk.apply(command_from_dict(entry, f"journal[{i}]"))
        if desk.now != before:
            moved = i
        for event in produced:
            data = event.to_dict()
            events.append(data)
            rest = {
                k: v for k, v in data.items() if k not in ("type", "version", "at", "ticket_id")
            }
            rows.append(
                (
                    i,
                    data["type"],
                    data["at"],
                    data.get("ticket_id"),
                    json.dumps(rest, sort_keys=True),
                )
            )

    try:
        tickets, metrics, agents = _state(desk, args.format)
    except CsflowError as exc:
        # A state the desk reached that its readers refuse (a clock over a span longer than
        # the calendars index, say): named at the entry that moved the desk's clock there,
        # else at the snapshot's instant.
        path = "snapshot.at" if moved is None else f"journal[{moved}].at"
        raise ConfigError(
            f"the desk's state at {_utc(desk.now)} cannot be shown: {_one_line(exc)}",
            _where(path, snap_path, journal_path, lines),
        ) from None

    tables = [
        Table(
            "events",
            "Events of the journal's commands",
            ("command", "type", "at", "ticket_id", "fields"),
            tuple(rows),
        ),
        Table(
            "tickets",
            "Open tickets",
            ("ticket_id", "state", "queue", "agent_id", *(f"{m}_due" for m in metrics)),
            tuple(tickets),
        ),
        Table("agents", "Agents", ("agent_id", "presence", "load", "held"), tuple(agents)),
    ]
    text = [
        f"Snapshot at {_utc(at)}, {len(entries)} journal command(s), now {_utc(desk.now)}",
    ]
    extra = {"snapshot_at": _utc(at), "now": _utc(desk.now), "events": events}
    return render(args.format, tables, text=text, extra=extra)
