"""The SQLite host of examples/sqlite_host.py survives SIGKILL at any point.

The host process is killed at random instants (between commands, inside a transaction, during
a snapshot) and, in some runs, kills itself inside a command's transaction after its journal
row is written.  Restarted each time, it must finish the script with an outbox equal to an
uninterrupted run's: no command lost, none applied twice, the same events.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sqlite_host.py"
SRC = Path(__file__).resolve().parent.parent / "src"


def serve(db: Path, crash_at: int | None = None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), *sys.path])}
    env.pop("CSFLOW_CRASH_AT", None)
    if crash_at is not None:
        env["CSFLOW_CRASH_AT"] = str(crash_at)
    return subprocess.Popen(
        [sys.executable, str(EXAMPLE), "serve", str(db)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def finish(proc: subprocess.Popen[bytes]) -> tuple[int, str]:
    """Wait for *proc*; its exit code and what it wrote on stderr."""
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err.decode()


def outbox(db: Path) -> tuple[int, list[str]]:
    conn = sqlite3.connect(db)
    try:
        n = conn.execute("SELECT n FROM progress").fetchone()[0]
        rows = [r for (r,) in conn.execute("SELECT event FROM outbox ORDER BY seq")]
    finally:
        conn.close()
    return n, rows


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_at_random_points_loses_and_repeats_nothing(tmp_path: Path) -> None:
    reference = tmp_path / "reference.sqlite3"
    code, err = finish(serve(reference))
    assert code == 0, err
    expected = outbox(reference)
    assert expected[0] == 300
    assert len(expected[1]) > 300

    crashed = tmp_path / "crashed.sqlite3"
    rng = random.Random(14)
    kills = 0
    for attempt in range(60):
        done_so_far = outbox(crashed)[0] if crashed.exists() else 0
        # The first three runs, and every other one after, kill themselves inside a command's
        # transaction (after its journal row is written); the others are killed from outside
        # at a random instant, wherever the host happens to be.
        crash_at = None
        if attempt < 3 or attempt % 2 == 1:
            crash_at = rng.randint(done_so_far, (done_so_far + 300) // 2)
        proc = serve(crashed, crash_at)
        if crash_at is None:
            time.sleep(rng.uniform(0.05, 0.8))  # in the start-up (restore) or the script
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
        code, err = finish(proc)
        if code == 0:
            break
        assert code == -signal.SIGKILL, err
        kills += 1
    else:
        # Still unfinished: one last uninterrupted run.
        assert finish(serve(crashed))[0] == 0
    assert kills >= 3
    assert outbox(crashed) == expected
