"""Tables and the three output formats: ``table`` (aligned text), ``json`` and ``csv``.

Every command builds its answer as :class:`Table` values and leaves the format to
:func:`render`, so the same rows feed a terminal, ``jq`` or a spreadsheet:

* ``table``: each table under its title, columns aligned;
* ``json``: one object, table name -> list of row objects (plus any extra objects a command
  adds, such as the full report);
* ``csv``: one table is plain CSV with a header row; several are separated by an empty line
  and each starts with a ``# name`` line.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

import attrs

__all__ = ["FORMATS", "Table", "percent", "render", "render_table"]

FORMATS: Final = ("table", "json", "csv")


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


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e6 else f"{value:.0f}"
    return str(value)


def render_table(table: Table) -> list[str]:
    """The table as aligned lines of text (numbers right-aligned)."""
    cells = [[_cell(v) for v in row] for row in table.rows]
    widths = [len(c) for c in table.columns]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    numeric = [
        all(isinstance(r[i], int | float) or r[i] is None for r in table.rows)
        for i in range(len(table.columns))
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out = [table.title, line(table.columns), line(["-" * w for w in widths])]
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
        text: Lines that the ``table`` format prints before the tables.
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
            w.writerow(t.columns)
            w.writerows([["" if v is None else v for v in r] for r in t.rows])
        return buf.getvalue().rstrip("\n")
    lines = list(text)
    for t in tables:
        if lines:
            lines.append("")
        lines.extend(render_table(t))
    return "\n".join(lines)
