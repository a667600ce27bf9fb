"""Every script in ``examples/`` runs and prints exactly its golden output."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"
SCRIPTS = sorted(p for p in EXAMPLES.glob("*.py"))


def test_every_example_has_a_golden_file() -> None:
    names = {p.stem for p in SCRIPTS}
    golden = {p.stem for p in (EXAMPLES / "golden").glob("*.txt")}
    assert names == golden, f"scripts without golden output: {sorted(names - golden)}"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_example_prints_its_golden_output(script: pathlib.Path, tmp_path: pathlib.Path) -> None:
    env = {**os.environ, "MPLBACKEND": "Agg", "CSFLOW_EXAMPLE_OUT": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    expected = (EXAMPLES / "golden" / f"{script.stem}.txt").read_text()
    assert done.stdout == expected


def test_readme_example_runs_and_prints_what_it_says(capsys: pytest.CaptureFixture[str]) -> None:
    readme = (EXAMPLES.parent / "README.md").read_text()
    block = readme.split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(block, "README.md", "exec"), {})
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "['TicketQueued', 'TicketAssigned']"
    assert out[1] == "2026-03-02 09:00:30+00:00"
