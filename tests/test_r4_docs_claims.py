"""What the documentation and the examples say is what the code does.

``tests/test_docs.py`` runs every page's code; these tests check the prose and the tables
around it: the reference's map of names, the ticket lifecycle table of the desk's contract,
and the Indonesian holidays the pages and examples name against the sample calendar.
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import inspect
import io
import itertools
import re
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType

import pytest

import csflow
from csflow import lowlevel
from csflow.samples import JAKARTA_HOLIDAYS_2026
from test_docs import extract_blocks

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
REFERENCE = DOCS / "reference"
EXAMPLES = ROOT / "examples"

_ROLE = re.compile(r":\w+:`([^`]*)`")
_HEADING = re.compile(
    r"^## From (?:\[`(?P<linked>[\w.]+)`\]\((?P<page>[\w.-]+)\)|`(?P<bare>[\w.]+)`)"
)
_ROW = re.compile(r"^\| `(\w+)` \| (.*) \|$")


def _role(match: re.Match[str]) -> str:
    text = match.group(1)
    labelled = re.fullmatch(r"(.*?)\s*<[^>]*>", text)
    if labelled is not None:  # :meth:`Desk.requeue <csflow.desk.Desk.requeue>`
        return f"`{labelled.group(1)}`"
    if text.startswith("~"):  # :meth:`~csflow.desk.Desk.update_agent`: the last part
        return f"`{text[1:].rsplit('.', 1)[-1]}`"
    return f"`{text}`"


def summary(obj: object) -> str:
    """The first paragraph of *obj*'s docstring as Markdown shows it, on one line."""
    first = (inspect.getdoc(obj) or "").split("\n\n")[0]
    return _ROLE.sub(_role, " ".join(first.split())).replace("``", "`")


def test_summary_renders_roles_and_literals_as_markdown() -> None:
    def f() -> None:
        """The :meth:`Desk.requeue <csflow.desk.Desk.requeue>` of :class:`~a.b.Report`,
        :func:`summarize` and ``x  y``.

        Not this paragraph.
        """

    assert summary(f) == "The `Desk.requeue` of `Report`, `summarize` and `x y`."


def _rows(page: str) -> list[tuple[str, str | None, str, str]]:
    """(section module, its page link, name, summary) of every row of a reference map."""
    rows = []
    section: tuple[str, str | None] | None = None
    for line in (REFERENCE / page).read_text(encoding="utf-8").splitlines():
        heading = _HEADING.match(line)
        if heading is not None:
            section = (heading["linked"] or heading["bare"], heading["page"])
            continue
        row = _ROW.match(line)
        if row is not None:
            assert section is not None, f"{page}: row {row[1]} before any section"
            rows.append((section[0], section[1], row[1], row[2]))
    return rows


_MAPS: list[tuple[str, ModuleType]] = [("api.md", csflow), ("lowlevel.md", lowlevel)]


@pytest.mark.parametrize(("page", "namespace"), _MAPS, ids=["api", "lowlevel"])
def test_each_name_sits_under_its_module_with_its_docstring_summary(
    page: str, namespace: ModuleType
) -> None:
    rows = _rows(page)
    assert len(rows) > 50
    wrong = []
    for module, link, name, text in rows:
        obj = getattr(namespace, name)
        # Every section links to the reference page of its module.
        if link is None or not (REFERENCE / link).is_file():
            wrong.append(f"section {module}: links to {link!r}, not to its page")
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue  # a constant: its docstring is its type's
        home = obj.__module__
        if home != module and not home.startswith(module + "."):
            wrong.append(f"{name}: listed under {module}, defined in {home}")
        if " ".join(text.split()) != summary(obj):
            wrong.append(f"{name}: {text!r} is not its docstring's {summary(obj)!r}")
    assert not wrong, "\n".join(wrong)


_ALL = "all states"


def _lifecycle_table() -> dict[str, dict[str | None, str]]:
    text = (DOCS / "explanation" / "desk-contract.md").read_text(encoding="utf-8")
    start = text.index("| command | from → to |")
    table: dict[str, dict[str | None, str]] = {}
    for line in text[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        commands_cell, moves = (c.strip() for c in line.strip("|").split("|"))
        names = re.findall(r"`(\w+)`", commands_cell)
        if names[0] == "set_status":  # `set_status` `pending`
            names = [f"set_status:{names[1]}"]
        for move in moves.split(";"):  # queued, assigned → unchanged; pending → queued
            sources, target = (part.strip() for part in move.split("→"))
            for name in names:
                row = table.setdefault(name, {})
                for source in (s.strip() for s in sources.split(",")):
                    key = None if source == "(new)" else source
                    row[key] = source if target == "unchanged" else target
    return table


def test_the_lifecycle_table_of_the_desk_contract_is_lifecycle() -> None:
    # The page's table, command by command, is the table the desk runs on.
    documented = _lifecycle_table()
    actual = {
        command: {None if s is None else str(s): str(t) for s, t in moves.items()}
        for command, moves in lowlevel.LIFECYCLE.items()
    }
    assert documented == actual


def _module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{path.stem}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _idul_fitri() -> date:
    (day,) = (d for d, name in JAKARTA_HOLIDAYS_2026.items() if name == "Idul Fitri 1447 H")
    return day


def test_the_business_hours_example_names_the_sample_holidays() -> None:
    example = _module(EXAMPLES / "business_hours.py")
    assert example.HOLIDAYS, "the example closes no day"
    assert {d: JAKARTA_HOLIDAYS_2026.get(d) for d in example.HOLIDAYS} == example.HOLIDAYS
    # Every holiday of Lebaran week on a weekday is there: it decides the due date printed.
    week = [date(2026, 3, 16) + timedelta(days=i) for i in range(10)]
    assert {d for d in week if d in JAKARTA_HOLIDAYS_2026 and d.weekday() < 5} <= set(
        example.HOLIDAYS
    )


def test_the_lebaran_example_plans_the_evening_before_idul_fitri() -> None:
    example = _module(EXAMPLES / "lebaran_staffing.py")
    assert example.START.date() + timedelta(days=1) == _idul_fitri()


_NAMED_HOLIDAY = re.compile(
    r"""date\(2026,\s*(\d+),\s*(\d+)\):\s*"([^"]+)"|^\s+2026-(\d\d)-(\d\d):\s*(.+?)\s*$""", re.M
)
_DATED = re.compile(
    r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) (\d{1,2}) (March|April)\b"
)


def _texts() -> list[Path]:
    return [*sorted(DOCS.rglob("*.md")), ROOT / "README.md", *sorted(EXAMPLES.glob("*.py"))]


def test_every_2026_holiday_named_in_the_docs_has_its_sample_name() -> None:
    # The pages and examples teach the sample calendar: a national holiday or cuti bersama
    # they name has the name the 2026 decree (and csflow.samples) gives it.
    wrong = []
    found = 0
    for path in _texts():
        for m in _NAMED_HOLIDAY.finditer(path.read_text(encoding="utf-8")):
            month, day, name = (m[1], m[2], m[3]) if m[1] else (m[4], m[5], m[6])
            found += 1
            expected = JAKARTA_HOLIDAYS_2026.get(date(2026, int(month), int(day)))
            # A date the sample calendar does not close is a company's own day off.
            if expected is not None and name != expected:
                wrong.append(f"{path.name}: 2026-{month}-{day} is {expected!r}, not {name!r}")
    assert found >= 10
    assert not wrong, "\n".join(wrong)


def test_weekdays_and_the_eve_of_idul_fitri_agree_with_the_2026_calendar() -> None:
    months = {"March": 3, "April": 4}
    wrong = []
    for path in _texts():
        text = path.read_text(encoding="utf-8")
        for m in _DATED.finditer(text):
            day = date(2026, months[m[3]], int(m[2]))
            if day.strftime("%A") != m[1]:
                wrong.append(f"{path.name}: {m[0]} is a {day:%A}")
            eve = "eve of Idul Fitri" in text[max(0, m.start() - 40) : m.start()]
            if eve and day + timedelta(days=1) != _idul_fitri():
                wrong.append(f"{path.name}: the eve of Idul Fitri is not {m[0]}")
    assert not wrong, "\n".join(wrong)


def _imported_csflow_modules(path: Path) -> set[str]:
    """The top-level csflow modules *path* imports, at any depth of its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found |= {n.split(".")[1] for n in names if n.startswith("csflow.")}
    return found


def test_the_reference_index_lists_every_module_in_layer_order() -> None:
    # "The modules are listed bottom-up, in the order of csflow's layers: a module imports
    # only from the modules above it in this list."
    text = (REFERENCE / "index.md").read_text(encoding="utf-8")
    order = re.findall(r"^\| \[`csflow\.(\w+)`\]\((\w+)\.md\)", text, re.M)
    assert all(page == module for module, page in order)
    layers = [module for module, _ in order]
    src = ROOT / "src" / "csflow"
    modules = {p.stem for p in src.glob("*.py") if not p.stem.startswith("_")}
    modules |= {p.parent.name for p in src.glob("*/__init__.py")}
    assert set(layers) == modules - {"lowlevel"}  # lowlevel: a namespace, not a layer
    wrong = []
    for i, module in enumerate(layers):
        package = src / module
        files = sorted(package.rglob("*.py")) if package.is_dir() else [src / f"{module}.py"]
        for path in files:
            for used in _imported_csflow_modules(path) - {module}:
                if not used.startswith("_") and used not in layers[:i]:
                    wrong.append(f"{path.relative_to(src)} imports csflow.{used}, listed below it")
    assert not wrong, "\n".join(wrong)


def _shown_outputs() -> list[tuple[Path, int]]:
    """(page, line) of every ```text block that follows a ```python block that prints."""
    found = []
    for page in sorted(DOCS.rglob("*.md")):
        blocks = extract_blocks(page.read_text(encoding="utf-8"))
        for before, block in itertools.pairwise(blocks):
            shows = block.language == "text" and before.language == "python"
            if shows and before.run and "print(" in before.code:
                found.append((page, block.line))
    return found


@pytest.mark.parametrize(
    ("page", "line"),
    _shown_outputs(),
    ids=lambda v: v.relative_to(DOCS).as_posix() if isinstance(v, Path) else str(v),
)
def test_a_text_block_after_a_printing_block_is_what_it_prints(page: Path, line: int) -> None:
    # A page shows what its code prints right after the code: the reader compares the two.
    namespace: dict[str, object] = {"__name__": f"docs.{page.name}"}
    printed = ""
    for block in extract_blocks(page.read_text(encoding="utf-8")):
        if block.line == line:
            assert block.code == printed
            return
        if block.language == "python" and block.run:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile("\n" * (block.line - 1) + block.code, str(page), "exec"), namespace)
            printed = out.getvalue()
    raise AssertionError(f"no block at line {line}")


def test_the_tutorial_shows_what_it_prints() -> None:
    shown = {(p.relative_to(DOCS).as_posix()) for p, _ in _shown_outputs()}
    assert {"tutorial/first-tickets.md", "how-to/callbacks.md"} <= shown


@pytest.mark.parametrize("part", ["tutorial", "how-to", "explanation", "reference"])
def test_each_part_s_index_links_every_page_of_the_part(part: str) -> None:
    # A reader finds a page from its part's index, not only from the navigation.
    index = (DOCS / part / "index.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(([\w-]+\.md)(?:#[\w-]+)?\)", index))
    pages = {p.name for p in (DOCS / part).glob("*.md")} - {"index.md"}
    assert pages - linked == set(), f"{part}/index.md does not link them"
