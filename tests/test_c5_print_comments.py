"""A ``print(...)  # text`` line of a page prints the text its comment shows.

The pages show short outputs as a comment on the printing line (``print(sat.csat)  # 1.0``).
``tests/test_docs.py`` runs the code and ``tests/test_r4_docs_claims.py`` compares the
```` ```text ```` blocks; this compares those comments.  A line that prints more than once
(a loop) shows its outputs joined by `` / ``, and ``...`` in a comment stands for any text
(a message cut short).  The README's first block and ``docs/index.md`` are read the same way.
"""

from __future__ import annotations

import io
import re
import sys
import tokenize
from collections import defaultdict
from pathlib import Path

import pytest

from test_docs import Block, extract_blocks

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def commented_prints(block: Block) -> dict[int, str]:
    """{page line: comment text} of each line of *block* that calls ``print`` and comments."""
    found: dict[int, str] = {}
    lines = block.code.splitlines()
    for tok in tokenize.generate_tokens(io.StringIO(block.code).readline):
        if tok.type != tokenize.COMMENT:
            continue
        row, col = tok.start
        code = lines[row - 1][:col].strip()
        if code.startswith("print(") and code.endswith(")"):
            found[block.line + row - 1] = tok.string[1:].strip()
    return found


def shows(comment: str, printed: str) -> bool:
    """Whether *comment* shows *printed*, ``...`` standing for any text."""
    parts = [re.escape(p.strip()) for p in comment.split("...")]
    return re.fullmatch(r".*?".join(parts), printed.strip(), re.DOTALL) is not None


def test_shows_reads_ellipses_and_nothing_else_loosely() -> None:
    assert shows("1 1.0 5.0", "1 1.0 5.0")
    assert not shows("1 1.0 5.0", "1 1.0 4.0")
    assert shows("over the 'gold' limit ...", "over the 'gold' limit of 50000 per ticket")
    assert shows("got '0.5' / ...", "got '0.5' / got 'x'")
    assert not shows("got '0.5' / ...", "got '0.5'")  # a second output was promised
    assert not shows("HIGH ('repeat',)", "HIGH ('repeat',) extra")


def test_commented_prints_finds_print_lines_only() -> None:
    code = (
        "x = 1  # not a print\n"
        "print(x)  # 1\n"
        "print('# not a comment')\n"
        "for n in (1, 2):\n"
        "    print(n)  # 1 / 2\n"
    )
    assert commented_prints(Block("python", code, 10, True)) == {11: "1", 14: "1 / 2"}


def _sources() -> list[Path]:
    pages = sorted(DOCS.rglob("*.md"))
    return [
        p
        for p in pages
        if any(
            b.language == "python" and b.run and commented_prints(b)
            for b in extract_blocks(p.read_text(encoding="utf-8"))
        )
    ]


def test_the_pages_with_print_comments_are_found() -> None:
    names = {p.relative_to(DOCS).as_posix() for p in _sources()}
    assert {"index.md", "how-to/feedback.md", "how-to/goodwill.md"} <= names


def _run(blocks: list[Block], filename: str) -> dict[int, list[str]]:
    """Run the blocks in one namespace; what each page line printed, in order."""
    printed: dict[int, list[str]] = defaultdict(list)

    def recording_print(*args: object, sep: str | None = " ", end: str | None = "\n") -> None:
        line = sys._getframe(1).f_lineno
        printed[line].append((sep if sep is not None else " ").join(map(str, args)))

    namespace: dict[str, object] = {"__name__": "docs_page", "print": recording_print}
    for block in blocks:
        if block.language == "python" and block.run:
            source = "\n" * (block.line - 1) + block.code
            exec(compile(source, filename, "exec"), namespace)
    return printed


@pytest.mark.parametrize("page", _sources(), ids=lambda p: p.relative_to(DOCS).as_posix())
def test_each_print_comment_shows_what_the_line_prints(page: Path) -> None:
    blocks = extract_blocks(page.read_text(encoding="utf-8"))
    printed = _run(blocks, str(page))
    for block in blocks:
        if block.language != "python" or not block.run:
            continue
        for line, comment in commented_prints(block).items():
            out = " / ".join(printed.get(line, []))
            assert shows(comment, out), f"{page.name}:{line}: prints {out!r}, shows {comment!r}"


def test_the_readme_prints_what_its_comments_show() -> None:
    readme = ROOT / "README.md"
    blocks = [
        b for b in extract_blocks(readme.read_text(encoding="utf-8")) if b.language == "python"
    ]
    printed = _run(blocks, str(readme))
    commented = {line: c for b in blocks for line, c in commented_prints(b).items()}
    assert len(commented) >= 2
    for line, comment in commented.items():
        out = " / ".join(printed.get(line, []))
        assert shows(comment, out), f"README.md:{line}: prints {out!r}, shows {comment!r}"
