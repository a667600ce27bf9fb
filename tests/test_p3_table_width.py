"""Plain-text tables in a terminal: columns are padded to the width the terminal gives the
text -- two columns for a Chinese, Japanese or Korean character or an emoji, none for a
combining mark -- so names in any script line up; unprintable characters stay escaped."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.cli.output import Table, display_width, render_table


def _width(text: str) -> int:
    """The reference, from the docs: east_asian_width W or F counts 2; a combining mark, a
    format character or a Hangul vowel or final consonant 0; any other character 1."""
    total = 0
    for c in text:
        if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf"):
            continue
        if 0x1160 <= ord(c) <= 0x11FF:
            continue
        total += 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1
    return total


# Latin, accented, CJK, Hangul, full-width forms, emoji, combining marks.
_chars = st.sampled_from(
    list("ab Z-é")
    + list("张伟王芳田中さくらカタ김민준")
    + ["Ｔ", "１", "😀", "🎉", "\u0301", "\u0308", "\u20dd", "e\u0301", "\u1100\u1161\u11a8"]
)
names = st.lists(_chars, min_size=0, max_size=6).map("".join)
numbers = st.integers(-9999, 99999) | st.floats(-1e5, 1e5, allow_nan=False)


def _number(n: float) -> str:
    """A number as the docs show it: four significant digits, no exponent from 1 on."""
    if isinstance(n, int):
        return str(n)
    text = f"{n:.4g}"
    return f"{n:.0f}" if "e" in text and abs(n) >= 1 else text


def _columns_at(line: str, cells: list[str]) -> list[int]:
    """The display column at which each of *cells* starts in *line*, read left to right."""
    starts = []
    pos = 0  # index in line
    for cell in cells:
        while line[pos] == " " and not cell.startswith(" "):
            pos += 1
        assert line.startswith(cell, pos), (line, cell)
        starts.append(_width(line[:pos]))
        pos += len(cell)
    return starts


@settings(max_examples=100, deadline=None)
@given(
    header=names.filter(lambda s: s.strip() == s and s != ""),
    rows=st.lists(st.tuples(names, numbers, names), min_size=1, max_size=5),
)
def test_each_column_starts_at_the_same_display_column_in_every_line(
    header: str, rows: list[tuple[str, float, str]]
) -> None:
    # Text cells without spaces at their ends, so that a cell's start is where its text is.
    rows = [(a.strip() or "x", n, c.strip() or "y") for a, n, c in rows]
    table = Table("t", "T", ("name", "n", header), tuple(rows))
    lines = render_table(table)
    body = lines[1:]
    rule = body[1]
    full = _width(rule)
    # Every line is as wide as the rule under the header, but for the trailing spaces
    # a line leaves off.
    for line in body:
        assert _width(line) <= full
        assert _width(line) == full or line == line.rstrip()
    # The rule's dashes give each column's start and width.
    dashes = rule.split("  ")
    widths = [len(d) for d in dashes]
    starts = [sum(w + 2 for w in widths[:k]) for k in range(len(widths))]
    shown = [["name", "n", header]] + [[a, _number(n), c] for a, n, c in rows]
    for k, w in enumerate(widths):
        assert w == max(_width(r[k]) for r in shown)
    for line, cells in zip(body[:1] + body[2:], shown, strict=True):
        at = _columns_at(line, cells)
        # Text columns start at the column's start; the number column (its header too)
        # ends at its end.
        assert at[0] == starts[0]
        assert at[2] == starts[2]
        assert at[1] + _width(cells[1]) == starts[1] + widths[1]


def test_display_width_of_scripts_emoji_and_combining_marks() -> None:
    assert display_width("abc") == 3
    assert display_width("张伟") == 4
    assert display_width("さくら") == 6
    assert display_width("김민준") == 6
    assert display_width("Ｔ１") == 4  # full-width forms
    assert display_width("😀") == 2
    assert display_width("e\u0301") == 1  # e and a combining acute
    assert display_width("\u1100\u1161\u11a8") == 2  # a Hangul syllable in jamo
    for text in ["ab", "张伟", "😀🎉", "e\u0301\u0308", "Ｔ"]:
        assert display_width(text) == _width(text)


def test_a_worked_table_of_names_in_several_scripts() -> None:
    table = Table(
        "agents",
        "Agents",
        ("agent", "held"),
        (("张伟", 3), ("Budi", 12), ("José\u0301", 1), ("😀x", 4)),
    )
    assert render_table(table) == [
        "Agents",
        "agent  held",
        "-----  ----",
        "张伟      3",
        "Budi     12",
        "José\u0301      1",
        "😀x       4",
    ]


def test_unprintable_characters_stay_escaped_and_wide_ones_still_line_up() -> None:
    table = Table("t", "T", ("name", "n"), (("张\x1b[2J", 1), ("王芳", 22)))
    lines = render_table(table)
    assert "\x1b" not in "".join(lines)
    assert lines[3] == "'张\\x1b[2J'   1"
    assert lines[4] == "王芳         22"
    assert _width(lines[3]) == _width(lines[4]) == _width(lines[2])
