"""docs/how-to/cli-lebaran.md: every command of the page runs as written.

Each ``csflow ...`` line of the page's ``sh`` blocks runs from a scratch folder (the sample
files' paths made absolute, ``> file`` written there), as a reader types it, and must succeed
and write the files the page names.  The two ``staff --roster`` lines, whose figures the page
quotes, run in ``tests/test_c5_cli_lebaran_page.py``.
"""

from __future__ import annotations

import pathlib

from test_c5_cli_lebaran_page import page_commands, run_line


def test_the_page_has_its_commands() -> None:
    lines = page_commands()
    assert len(lines) == 10
    assert lines[0] == "csflow lint examples/configs/marketplace-day.yaml"
    assert "csflow staff examples/configs/marketplace-lebaran.yaml --verify --roster --jobs 2" in (
        lines
    )


def test_every_other_command_runs_and_writes_the_files_the_page_names(
    tmp_path: pathlib.Path,
) -> None:
    lines = [line for line in page_commands() if not (" staff " in line and "--roster" in line)]
    assert len(lines) == 8
    printed = {line: run_line(line, tmp_path) for line in lines}
    for name in ("lebaran.html", "lebaran.csv"):
        assert (tmp_path / name).stat().st_size > 0, name
    assert all(out.endswith("no findings\n") for line, out in printed.items() if " lint " in line)
    day = printed["csflow simulate examples/configs/marketplace-day.yaml"]
    # "The report gives the service level within 60 s, ... then attainment per half hour."
    assert "service level (60 s)" in day
    assert "SLA attainment and measured occupancy per 30m" in day
    # "The second table (`Mean over replications` on the terminal, `summary` in
    # `lebaran.csv`)"
    report = next(out for line, out in printed.items() if "--report lebaran.html" in line)
    assert "Mean over replications" in report
    assert "# summary" in (tmp_path / "lebaran.csv").read_text(encoding="utf-8").splitlines()
    sweep = next(out for line, out in printed.items() if "--sweep" in line)
    assert "simulation.agents[0].count=7" in sweep
    assert "simulation.agents[0].count=9" in sweep
