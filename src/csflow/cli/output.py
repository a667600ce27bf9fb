"""Tables and the three output formats: ``table`` (aligned text), ``json`` and ``csv``.

Every command builds its answer as :class:`Table` values and leaves the format to
:func:`render`, so the same rows feed a terminal, ``jq`` or a spreadsheet:

* ``table``: each table under its title, columns aligned;
* ``json``: one object, table name -> list of row objects (plus any extra objects a command
  adds, such as the full report);
* ``csv``: one table is plain CSV with a header row; several are separated by an empty line
  and each starts with a ``# name`` line.

A yes-or-no value is ``yes`` or ``no`` in ``table`` and ``csv`` (a spreadsheet's filter and
the eye read the same word) and ``true`` or ``false`` in ``json``.

Names in a table come from the user's files -- a queue, an agent, a ticket id, the config's
``name`` -- and a terminal acts on the control characters in them: ``"\\x1b[2J"`` clears the
screen, a carriage return or a backspace overwrites what the line showed.  So ``table`` shows
a string with a character that is not printable as an error message shows a value, by its
repr (``'q\\x1b[2J'``), and escapes such characters in titles, headers and the lines above
the tables (``\\x1b``); ``json`` and ``csv`` are data, and keep every name exactly (``csv``
after a quote where a spreadsheet would run it, below).  Columns
are padded to the width a terminal gives the text (:func:`display_width`): a Chinese,
Japanese or Korean character or an emoji takes two columns (so does a character followed by
U+FE0F, which asks for its emoji form: ``"\\u260e\\ufe0f"``), a combining mark none.

A spreadsheet takes a ``csv`` cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return for a formula ("CSV injection"), and a name from a helpdesk's export may start
so (``=HYPERLINK(...)``).  ``csv`` writes such a text cell after a single quote (``'=1+1``),
which a spreadsheet shows as text; so it does a text starting with a quote (``''a``), so that
:func:`csv_text` takes every cell back to the value exactly.  A number, and a text that is
a number (``-3``, ``-0.5``, ``+1e3``, ``-5%``), is written as it is; ``json`` keeps every value
exactly.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

import attrs

__all__ = [
    "FORMATS",
    "FORMULA_STARTS",
    "Table",
    "csv_cell",
    "csv_text",
    "display_width",
    "percent",
    "printable",
    "render",
    "render_table",
]

FORMATS: Final = ("table", "json", "csv")

#: The first characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_STARTS: Final = frozenset("=+-@\t\r")
#: A text that is a number as a spreadsheet reads it: written without the quote.
_NUMBER: Final = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?", re.ASCII)


@attrs.frozen
class Table:
    """Rows under named columns.

    Attributes:
        name: The key in JSON output and the ``# name`` line in CSV.
        title: The heading in table output.
        columns: The column names.
        rows: The rows, one value per column (numbers, strings or ``None``).
    """

    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def records(self) -> list[dict[str, Any]]:
        """The rows as column -> value mappings."""
        return [dict(zip(self.columns, r, strict=True)) for r in self.rows]


def percent(fraction: float) -> str:
    """*fraction* as a percent of the decimal written, unrounded: 0.855 is ``85.5%``, not
    86% (a level, a shrinkage or a cap in a title says the value the plan used)."""
    value = (Decimal(repr(fraction)) * 100).normalize()
    digits = f"{value:f}"
    return f"{digits if len(digits) <= 20 else f'{value:g}'}%"  # 1e-318%, not 0.000...


def printable(text: str) -> str:
    """*text* with each character that is not printable (C0 and C1 controls, ESC, DEL, a
    line or paragraph separator, a bidirectional override ...) escaped as a Python string
    literal writes it: ``"a\\x1b[2Jb"`` is ``a\\x1b[2Jb``, and a terminal shows it as written."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _shown(value: Any) -> Any:
    """*value* as ``csv`` writes it: a yes-or-no value as ``yes`` or ``no``, ``None`` empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def csv_cell(value: Any) -> Any:
    """*value* as a ``csv`` cell: a text that a spreadsheet would take for a formula (it
    starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return), or that starts with a
    quote, after a single quote; a number, or a text that is one (``-3``), as it is."""
    value = _shown(value)
    if isinstance(value, int | float):
        return value
    text = value if isinstance(value, str) else str(value)
    if text[:1] == "'" or (text[:1] in FORMULA_STARTS and _NUMBER.fullmatch(text) is None):
        return "'" + text
    return value


def csv_text(cell: str) -> str:
    """The text a ``csv`` cell was written from: the quote :func:`csv_cell` put before it
    taken away (a cell without one is returned as it is)."""
    if cell[:1] == "'" and (cell[1:2] == "'" or cell[1:2] in FORMULA_STARTS):
        return cell[1:]
    return cell


def display_width(text: str) -> int:
    """The columns a terminal gives *text*: two for a wide or full-width character (Chinese,
    Japanese, Korean, most emoji) and for a character followed by the emoji presentation
    selector U+FE0F (``"\\u260e\\ufe0f"``, the telephone drawn as an emoji), none for a
    combining mark, a format character (a zero-width space or joiner), a variation selector
    or a Hangul vowel or final consonant joined to the syllable before it, one for any
    other."""
    if text.isascii():
        return len(text)
    width = 0
    for i, c in enumerate(text):
        if unicodedata.category(c) in ("Mn", "Me", "Cf") or "\u1160" <= c <= "\u11ff":
            continue
        if unicodedata.east_asian_width(c) in ("W", "F") or text[i + 1 : i + 2] == _EMOJI_STYLE:
            width += 2
        else:
            width += 1
    return width


#: Variation selector 16: the character before it is drawn as an emoji, two columns wide.
_EMOJI_STYLE: Final = "\ufe0f"


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def _cell(value: Any) -> str:
    if isinstance(value, str):
        # As an error message shows a name: by its repr when the terminal would act on it.
        return value if value.isprintable() else repr(value)
    if isinstance(value, float):
        # Four significant digits, never an exponent for a number of 1 or more: a load of
        # 12345.6 Erlangs is 12346, not 1.235e+04 (nor 9999.7 1e+04).
        text = f"{value:.4g}"
        return f"{value:.0f}" if "e" in text and abs(value) >= 1 else text
    return printable(str(_shown(value)))


def render_table(table: Table) -> list[str]:
    """The table as aligned lines of text (numbers right-aligned), every character of them
    printable: a name with control characters is shown by its repr.  Cells are padded to
    their :func:`display_width`, so each column starts at the same terminal column in every
    line."""
    cells = [[_cell(v) for v in row] for row in table.rows]
    columns = [printable(c) for c in table.columns]
    widths = [display_width(c) for c in columns]
    for row in cells:
        widths = [max(w, display_width(c)) for w, c in zip(widths, row, strict=True)]
    numeric = [
        all(
            (isinstance(r[i], int | float) and not isinstance(r[i], bool)) or r[i] is None
            for r in table.rows
        )
        for i in range(len(table.columns))
    ]

    def line(values: Sequence[str]) -> str:
        parts = [_pad(v, w, num) for v, w, num in zip(values, widths, numeric, strict=True)]
        return "  ".join(parts).rstrip()

    out = [printable(table.title), line(columns), line(["-" * w for w in widths])]
    out.extend(line(r) for r in cells)
    return out


def render(
    fmt: str,
    tables: Sequence[Table],
    *,
    text: Sequence[str] = (),
    extra: Mapping[str, Any] | None = None,
) -> str:
    """The command's answer in *fmt*.

    Args:
        fmt: ``table``, ``json`` or ``csv``.
        tables: The tables.
        text: Lines that the ``table`` format prints before the tables (one line each: a
            character that is not printable is escaped).
        extra: More JSON objects for the ``json`` format.
    """
    if fmt == "json":
        doc: dict[str, Any] = {t.name: t.records() for t in tables}
        doc.update(extra or {})
        return json.dumps(doc, indent=2, default=str)
    if fmt == "csv":
        buf = io.StringIO()
        for i, t in enumerate(tables):
            if len(tables) > 1:
                if i:
                    buf.write("\n")
                buf.write(f"# {t.name}\n")
            w = csv.writer(buf, lineterminator="\n")
            # The writer quotes a field holding a character of its line terminator, "\n",
            # but not a lone "\r", which a reader takes for the end of the row: a row with
            # one has every field quoted, and reads back as written.
            quoted = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)
            for row in ([csv_cell(v) for v in r] for r in (t.columns, *t.rows)):
                cr = any(isinstance(v, str) and "\r" in v for v in row)
                (quoted if cr else w).writerow(row)
        return buf.getvalue().rstrip("\n")
    lines = [printable(line) for line in text]
    for t in tables:
        if lines:
            lines.append("")
        lines.extend(render_table(t))
    return "\n".join(lines)
