"""Run the command-line interface as a user does: ``python -m csflow ...`` in a fresh process,
from the repository root, with this checkout's sources first on the path."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

__all__ = ["ROOT", "run_cli"]

#: The repository root.
ROOT = pathlib.Path(__file__).resolve().parents[1]


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python -m csflow *args``: its exit status and captured output (text)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        [sys.executable, "-m", "csflow", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=ROOT,
        timeout=timeout,
    )
