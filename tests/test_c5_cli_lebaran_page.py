"""docs/how-to/cli-lebaran.md: the figures the page quotes are what its commands print.

The prose's figures -- the verified plan's agents against Erlang's, the agent-hours, the ratio
it names ("three- to fourfold", or "fourfold"), both rosters' agents and costs -- are read
from the page and compared with the tables of its ``--verify --roster`` command and the ``roster.csv`` of the
next one, both run as the page writes them (``tests/test_c5_cli_lebaran_commands.py`` runs
the page's other commands).
"""

from __future__ import annotations

import csv
import io
import os
import pathlib
import re
import shlex
import subprocess
import sys

import pytest

from test_docs import extract_blocks

_ROOT = pathlib.Path(__file__).resolve().parents[1]
_PAGE = _ROOT / "docs" / "how-to" / "cli-lebaran.md"

# "On this run the desk needs 4 agents where Erlang asks for 12 before 08:00, and 6 where it
# asks for 24 after (20 agent-hours against 72): Erlang over-staffs three- to fourfold"
_VERIFIED = re.compile(
    r"the desk needs (\d+) agents where Erlang asks for (\d+) before (\d\d:\d\d), and (\d+)"
    r" where it asks for (\d+) after \((\d+) agent-hours against (\d+)\): Erlang"
    r" over-staffs (?:(\w+)- to )?(\w+)fold"
)
# "The roster covers the verified plan with 8 agents (cost 27.5, against 95 for the Erlang
# plan's 29, the second command's roster)"
_ROSTERS = re.compile(
    r"The roster covers the verified plan with (\d+) agents \(cost ([\d.]+), against"
    r" ([\d.]+) for the Erlang plan's (\d+), the second command's roster\)"
)
_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


def _prose() -> str:
    """The page's text, each run of white space one space (a sentence may wrap)."""
    return " ".join(_PAGE.read_text(encoding="utf-8").split())


def page_commands() -> list[str]:
    """Every ``csflow`` line of the page's ``sh`` blocks, in order."""
    blocks = extract_blocks(_PAGE.read_text(encoding="utf-8"))
    return [
        line.strip()
        for block in blocks
        if block.language == "sh"
        for line in block.code.splitlines()
        if line.strip().startswith("csflow ")
    ]


def run_line(line: str, cwd: pathlib.Path) -> str:
    """Run one page line as a user would, from *cwd*; its standard output."""
    words = shlex.split(line)
    target = None
    if ">" in words:
        at = words.index(">")
        words, target = words[:at], words[at + 1]
    words = [str(_ROOT / w) if w.startswith("examples/") else w for w in words[1:]]
    done = subprocess.run(
        [sys.executable, "-m", "csflow", *words],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(_ROOT / "src")},
        cwd=cwd,
        timeout=300,
    )
    assert done.returncode == 0, f"{line}\n{done.stderr}"
    if target is not None:
        (cwd / target).write_text(done.stdout, encoding="utf-8")
    return done.stdout


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[pathlib.Path, dict[str, str]]:
    cwd = tmp_path_factory.mktemp("cli-lebaran")
    return cwd, {
        line: run_line(line, cwd)
        for line in page_commands()
        if " staff " in line and "--roster" in line
    }


def _table(text: str, title: str) -> list[list[str]]:
    """The rows of the text table under the line starting with *title*, split on spaces."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    rows = []
    for line in lines[start + 3 :]:  # the title, the header, the rule
        if not line.strip():
            break
        rows.append(line.split())
    return rows


def _csv_section(text: str, name: str) -> list[dict[str, str]]:
    section = text.split(f"# {name}\n", 1)[1].split("\n\n", 1)[0]
    return list(csv.DictReader(io.StringIO(section)))


def test_the_figures_the_page_quotes_are_what_the_commands_print(
    outputs: tuple[pathlib.Path, dict[str, str]],
) -> None:
    cwd, printed = outputs
    text = _prose()
    verified_m = _VERIFIED.search(text)
    assert verified_m is not None, "the page no longer quotes the verified plan"
    rosters_m = _ROSTERS.search(text)
    assert rosters_m is not None, "the page no longer quotes the two rosters"
    early_desk, early_erlang, split, late_desk, late_erlang = verified_m.groups()[:5]
    hours_desk, hours_erlang, low_word, high_word = verified_m.groups()[5:]
    low_word = high_word if low_word is None else low_word  # "fourfold": one ratio

    verify = printed[page_commands()[8]]
    assert "--verify --roster" in page_commands()[8]
    # from (day, time), erlang_agents, agents, difference, ..., converged, met, unreachable
    rows = _table(verify, "Verified on the desk")
    before = {(r[3], r[2]) for r in rows if r[1] < split}
    after = {(r[3], r[2]) for r in rows if r[1] >= split}
    assert before == {(early_desk, early_erlang)}
    assert after == {(late_desk, late_erlang)}
    [totals] = _table(verify, "Verified totals")
    assert (float(totals[1]), float(totals[0])) == (float(hours_desk), float(hours_erlang))
    # "three- to fourfold" (or "fourfold"): the two halves' ratios, rounded, are the range's ends.
    ratios = sorted(
        int(e) / int(d) for d, e in ((early_desk, early_erlang), (late_desk, late_erlang))
    )
    assert (round(ratios[0]), round(ratios[-1])) == (_WORDS[low_word], _WORDS[high_word])
    # "The `verified` table's `met` column says yes, and its `unreachable` column no,
    # everywhere here."
    assert "`met` column says yes, and its `unreachable` column no, everywhere" in text
    assert all(r[-2:] == ["yes", "no"] for r in rows)

    verified_agents, verified_cost, erlang_cost, erlang_agents = rosters_m.groups()
    [roster] = _table(verify, "Roster totals")
    assert (int(roster[0]), float(roster[1])) == (int(verified_agents), float(verified_cost))
    [erlang] = _csv_section((cwd / "roster.csv").read_text(encoding="utf-8"), "roster_totals")
    assert (int(erlang["agents"]), float(erlang["cost"])) == (
        int(erlang_agents),
        float(erlang_cost),
    )
