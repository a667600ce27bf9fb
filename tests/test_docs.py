"""The documentation is tested: its code runs against the real API, and the site builds.

Every ```python block of ``docs/**/*.md`` is executed.  The blocks of one page run in order in
one shared namespace, as a reader would type them; a block is skipped only when the line
directly above its opening fence is ``<!-- no-run -->`` (for code that needs a package csflow
does not install, such as ``holidays``).  ``mkdocs build --strict`` runs in a subprocess, so a
broken reference, link or docstring fails the tests.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import attrs
import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SRC = ROOT / "src" / "csflow"
MKDOCS_YML = ROOT / "mkdocs.yml"
NO_RUN = "<!-- no-run -->"

# An opening fence: up to three spaces of indent, three or more backticks, an info string.
_FENCE = re.compile(r"^ {0,3}(`{3,})\s*([^`\s]*)[^`]*$")


@attrs.frozen
class Block:
    """One fenced code block of a page."""

    language: str
    code: str
    line: int  # 1-based line of the first code line
    run: bool


def extract_blocks(text: str) -> list[Block]:
    """Every fenced block of a Markdown text, in order.

    A block's ``run`` is false when the line directly above its opening fence is
    ``<!-- no-run -->``.  An unclosed fence raises ``ValueError`` (it would swallow the rest
    of the page silently).
    """
    lines = text.splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if m is None:
            i += 1
            continue
        fence, language = m.group(1), m.group(2).lower()
        skipped = i > 0 and lines[i - 1].strip() == NO_RUN
        start = i + 1
        end = start
        while end < len(lines) and not lines[end].strip().startswith(fence):
            end += 1
        if end == len(lines):
            raise ValueError(f"unclosed code fence opened on line {i + 1}")
        if lines[end].strip().strip("`"):
            # Markdown closes a block only on a fence line with nothing after it: this one
            # would swallow the rest of the page.
            raise ValueError(f"text after the closing fence on line {end + 1}")
        code = "\n".join(lines[start:end]) + "\n"
        blocks.append(Block(language, code, start + 1, not skipped))
        i = end + 1
    return blocks


def _pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def _page_id(page: Path) -> str:
    return page.relative_to(DOCS).as_posix()


def test_extract_blocks_reads_fences_in_order_and_honours_no_run() -> None:
    text = (
        "# Title\n"
        "```python\n"
        "a = 1\n"
        "```\n"
        "text\n"
        f"{NO_RUN}\n"
        "```python\n"
        "import missing\n"
        "```\n"
        f"{NO_RUN}\n"
        "\n"
        "```python title='x.py'\n"
        "b = a + 1\n"
        "```\n"
        "````text\n"
        "```python\n"
        "````\n"
    )
    blocks = extract_blocks(text)
    assert [(b.language, b.line, b.run) for b in blocks] == [
        ("python", 3, True),
        ("python", 8, False),
        # A blank line between the marker and the fence: the marker does not apply.
        ("python", 13, True),
        ("text", 16, True),
    ]
    assert blocks[2].code == "b = a + 1\n"
    assert blocks[3].code == "```python\n"


def test_extract_blocks_refuses_an_unclosed_fence() -> None:
    with pytest.raises(ValueError, match=r"unclosed code fence opened on line 2"):
        extract_blocks("text\n```python\nx = 1\n")


def test_extract_blocks_refuses_text_after_a_closing_fence() -> None:
    with pytest.raises(ValueError, match=r"text after the closing fence on line 4"):
        extract_blocks("text\n```python\nx = 1\n``` More text.\n")


def test_docs_have_pages_with_python_blocks() -> None:
    # Guards the parametrised test below against silently testing nothing.
    runnable = [
        b
        for page in _pages()
        for b in extract_blocks(page.read_text(encoding="utf-8"))
        if b.language == "python" and b.run
    ]
    assert len(runnable) >= 80


@pytest.mark.parametrize("page", _pages(), ids=_page_id)
def test_python_blocks_run(page: Path) -> None:
    namespace: dict[str, object] = {"__name__": f"docs.{_page_id(page)}"}
    for block in extract_blocks(page.read_text(encoding="utf-8")):
        if block.language != "python" or not block.run:
            continue
        # Pad with blank lines so that a traceback points at the page's own line numbers.
        source = "\n" * (block.line - 1) + block.code
        exec(compile(source, str(page), "exec"), namespace)


def test_every_public_module_has_a_reference_page() -> None:
    # A module without a page would be missing from the generated reference silently.
    modules = {p.stem for p in SRC.glob("*.py") if not p.stem.startswith("_")}
    modules |= {p.parent.name for p in SRC.glob("*/__init__.py")}  # packages (csflow.rules)
    # A page documents a module by a ``::: csflow.x`` block (or blocks of its submodules,
    # ``::: csflow.x.y``) or, for a namespace or the CLI, by a title naming it.
    documented = {
        m.group(1)
        for page in (DOCS / "reference").glob("*.md")
        for m in re.finditer(
            r"^(?:::: |# `)csflow\.(\w+)(?:\.\w+)*`?(?::.*)?\s*$",
            page.read_text(encoding="utf-8"),
            re.M,
        )
    }
    assert modules - documented == set(), "modules without a reference page"
    assert documented - modules == set(), "reference pages for modules that do not exist"


def test_every_page_is_in_the_nav() -> None:
    listed = set(re.findall(r"[\w./-]+\.md", MKDOCS_YML.read_text(encoding="utf-8")))
    pages = {_page_id(p) for p in _pages()}
    assert pages - listed == set(), "pages missing from the nav in mkdocs.yml"
    assert listed - pages == set(), "nav entries without a page"


def test_mkdocs_build_strict(tmp_path: Path) -> None:
    # No skip: a missing mkdocs (the `docs` extra) is a failure of the test environment.
    assert importlib.util.find_spec("mkdocs") is not None, "mkdocs is not installed"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--config-file",
            str(MKDOCS_YML),
            "--site-dir",
            str(tmp_path / "site"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "site" / "reference" / "sla" / "index.html").is_file()
