"""The command line's output read as a script reads it: ``staff --verify``'s yes-or-no
columns are booleans and its seeds a list in ``json``; a roster row's breaks are a list in
``json``; an option that takes a zero duration says so when it refuses a negative one; and
``table`` pads a character drawn as an emoji (followed by U+FE0F) to two columns.

Run in-process through :func:`csflow.cli.main`, as a user's command line."""

from __future__ import annotations

import csv
import io
import json
import pathlib
import unicodedata
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.cli import main
from csflow.cli.output import Table, csv_text, display_width, render, render_table
from test_a3_cli_acceptance import _cli, _ok
from test_cli_planning import _small

_ROOT = pathlib.Path(__file__).resolve().parents[1]
_LEBARAN = _ROOT / "examples" / "configs" / "marketplace-lebaran.yaml"
_EXPECTED = "such as 6m, 6min, 1h30m, PT6M or 360s"


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    return json.loads(_ok(capsys, *args, "--format", "json"))


def _sections(text: str) -> dict[str, list[dict[str, str]]]:
    """A multi-table ``csv`` output as table name -> rows read by their header."""
    out: dict[str, list[dict[str, str]]] = {}
    for block in text.split("\n\n"):
        head, _, body = block.partition("\n")
        out[head.removeprefix("# ")] = list(csv.DictReader(io.StringIO(body)))
    return out


# ---------------------------------------------------------------------------------------------
# staff --verify: booleans and a list of seeds in json


def test_verify_gives_booleans_and_a_list_of_seeds_in_json(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    cfg = str(_small(tmp_path, verify={"span": "20m", "max_steps": 2}))
    args = ("staff", cfg, "--verify", "--seeds", "1,2", "--jobs", "1")
    doc = _json(capsys, *args)
    rows = doc["verified"]
    assert len(rows) == 2
    for row in rows:
        for key in ("converged", "met", "unreachable"):
            assert type(row[key]) is bool, (key, row[key])
        # What the docs say of the columns: an unreachable interval is never met.
        assert not (row["met"] and row["unreachable"])
    assert doc["verified_totals"] == [
        {
            "erlang_agent_hours": doc["verified_totals"][0]["erlang_agent_hours"],
            "agent_hours": doc["verified_totals"][0]["agent_hours"],
            "seeds": [1, 2],
        }
    ]
    # csv keeps the words, row for row the same answers, and the seeds as the title shows them.
    sections = _sections(_ok(capsys, *args, "--format", "csv"))
    assert len(sections["verified"]) == len(rows)
    for cells, row in zip(sections["verified"], rows, strict=True):
        for key in ("converged", "met", "unreachable"):
            assert cells[key] == ("yes" if row[key] else "no")
    assert [r["seeds"] for r in sections["verified_totals"]] == ["1,2"]
    table = _ok(capsys, *args)
    assert "seeds 1,2;" in table
    shown = table.split("Verified on the desk", 1)[1].split("Verified totals", 1)[0]
    lines = [line for line in shown.splitlines() if line.startswith("2026-03-16")]
    assert [line.split()[-3:] for line in lines] == [
        ["yes" if r[k] else "no" for k in ("converged", "met", "unreachable")] for r in rows
    ]
    assert "True" not in table
    assert "False" not in table


def test_verify_with_one_seed_from_the_file_is_a_list_of_one(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    cfg = str(_small(tmp_path, verify={"seeds": [3], "span": "20m", "max_steps": 2}))
    doc = _json(capsys, "staff", cfg, "--verify", "--jobs", "1")
    assert doc["verified_totals"][0]["seeds"] == [3]
    sections = _sections(_ok(capsys, "staff", cfg, "--verify", "--jobs", "1", "--format", "csv"))
    assert sections["verified_totals"][0]["seeds"] == "3"


# ---------------------------------------------------------------------------------------------
# staff --roster: a row's breaks are a list in json


def _two_breaks(tmp_path: pathlib.Path) -> pathlib.Path:
    """A four-hour chat morning covered by one shift template with two breaks."""
    (tmp_path / "f.csv").write_text(
        "start,arrivals\n" + "".join(f"{6 + h // 2:02d}:{h % 2 * 30:02d},20\n" for h in range(8))
    )
    doc = {
        "name": "two breaks",
        "staffing": {
            "aht": "6m",
            "target": "60s",
            "level": 0.8,
            "interval": "30m",
            "forecast": "f.csv",
            "day": "2026-03-16",
            "timezone": "Asia/Jakarta",
            "shifts": [
                {
                    "name": "morning",
                    "length": "4h",
                    "earliest": "06:00",
                    "latest": "06:00",
                    "breaks": [
                        {"length": "30m", "earliest": "1h", "latest": "1h"},
                        {"length": "30m", "earliest": "2h30m", "latest": "2h30m"},
                    ],
                },
                {"name": "cover", "length": "30m", "earliest": "06:00", "latest": "09:30"},
            ],
        },
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc))
    return path


def test_roster_breaks_are_a_list_in_json_and_a_join_in_csv(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    cfg = str(_two_breaks(tmp_path))
    doc = _json(capsys, "staff", cfg, "--roster")
    morning = [r for r in doc["roster"] if r["shift"] == "morning"]
    assert morning, doc["roster"]
    for row in morning:
        # Worked by hand: breaks one hour and two and a half hours into a 06:00 shift.
        assert row["breaks"] == [
            {"start": "2026-03-16 07:00", "end": "2026-03-16 07:30"},
            {"start": "2026-03-16 08:30", "end": "2026-03-16 09:00"},
        ]
    for row in doc["roster"]:
        assert isinstance(row["breaks"], list)
        if row["shift"] == "cover":
            assert row["breaks"] == []
        for b in row["breaks"]:
            assert row["start"] <= b["start"] < b["end"] <= row["end"]
    rows = _sections(_ok(capsys, "staff", cfg, "--roster", "--format", "csv"))["roster"]
    assert len(rows) == len(doc["roster"])
    for cells, row in zip(rows, doc["roster"], strict=True):
        joined = ", ".join(f"{b['start'][-5:]}-{b['end'][-5:]}" for b in row["breaks"])
        assert csv_text(cells["breaks"]) == joined
    assert "07:00-07:30, 08:30-09:00" in _ok(capsys, "staff", cfg, "--roster")


def test_the_sample_roster_keeps_its_breaks_in_every_format(
    capsys: pytest.CaptureFixture[str],
) -> None:
    doc = _json(capsys, "staff", str(_LEBARAN), "--roster")
    openings = [r for r in doc["roster"] if r["shift"] == "opening"]
    assert openings
    # The sample's opening shift (06:00-10:00) takes one half-hour break.
    for row in openings:
        (b,) = row["breaks"]
        assert row["start"] < b["start"] < b["end"] < row["end"]
        assert set(b) == {"start", "end"}
    rows = _sections(_ok(capsys, "staff", str(_LEBARAN), "--roster", "--format", "csv"))
    for cells, row in zip(rows["roster"], doc["roster"], strict=True):
        joined = ", ".join(f"{b['start'][-5:]}-{b['end'][-5:]}" for b in row["breaks"])
        assert cells["breaks"] == joined


# ---------------------------------------------------------------------------------------------
# A negative duration where zero is taken


@pytest.mark.parametrize(
    ("command", "option"),
    [
        (("staff", "--load", "10"), "--target"),
        (("staff", "--load", "10"), "--asa"),
        (("report", "never-read.jsonl"), "--target"),
        (("report", "never-read.jsonl"), "--short-abandon"),
    ],
)
@pytest.mark.parametrize("value", ["-20s", "-5", "-0.5", "-PT5S", "-1h30m"])
@pytest.mark.parametrize("joined", [False, True])
def test_an_option_that_takes_zero_says_so_when_refusing_a_negative_duration(
    capsys: pytest.CaptureFixture[str],
    command: tuple[str, ...],
    option: str,
    value: str,
    joined: bool,
) -> None:
    given = [f"{option}={value}"] if joined else [option, value]
    with pytest.raises(SystemExit) as refused:
        main([*command, *given])
    assert refused.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"csflow {command[0]}: error: argument {option}: expected a duration >= 0 {_EXPECTED}, "
        f"got {value!r} (see csflow {command[0]} --help)\n"
    )


@pytest.mark.parametrize(
    ("command", "option"),
    [
        (("staff", "--load", "10"), "--target"),
        (("staff", "--load", "10"), "--asa"),
        (("report", "never-read.jsonl"), "--short-abandon"),
    ],
)
def test_the_same_options_take_zero(
    capsys: pytest.CaptureFixture[str], command: tuple[str, ...], option: str
) -> None:
    if command[0] == "report":
        # Zero is taken: the command goes on to the (missing) file.
        status, _, err = _cli(capsys, *command, option, "0s")
        assert status == 2
        assert err == "csflow: error: EVENTS: no such file 'never-read.jsonl'\n"
        return
    row = _json(capsys, *command, option, "0s")["staffing"][0]
    assert row["agents"] > 10


@pytest.mark.parametrize("option", ["--aht", "--patience", "--interval", "--span"])
def test_an_option_that_takes_no_zero_still_says_positive(
    capsys: pytest.CaptureFixture[str], option: str
) -> None:
    with pytest.raises(SystemExit):
        main(["staff", "--load", "10", option, "-20s"])
    err = capsys.readouterr().err
    assert f"argument {option}: expected a positive duration {_EXPECTED}, got '-20s'" in err


@pytest.mark.parametrize(
    ("key", "value", "what"),
    [
        ("target", -20, "a duration >= 0"),
        ("target", -0.5, "a duration >= 0"),
        ("target", "-20s", "a duration >= 0"),
        ("target", "-PT1M", "a duration >= 0"),
        ("aht", -20, "a positive duration"),
        ("aht", "-6m", "a positive duration"),
        ("patience", -1, "a positive duration"),
        ("interval", "-30m", "a positive duration"),
    ],
)
def test_a_negative_duration_in_the_file_says_what_the_field_takes(
    capsys: pytest.CaptureFixture[str],
    tmp_path: pathlib.Path,
    key: str,
    value: float | str,
    what: str,
) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"staffing": {key: value}}))
    status, out, err = _cli(capsys, "staff", str(path), "--load", "10")
    assert (status, out) == (2, "")
    assert err == (
        f"csflow: error: staffing.{key}: expected {what} {_EXPECTED}, got {value!r} "
        f"(in {str(path)!r})\n"
    )


# ---------------------------------------------------------------------------------------------
# table: a character followed by U+FE0F is two columns wide

PHONE = "\u260e\ufe0f"  # the telephone, drawn as an emoji


def test_display_width_worked_examples() -> None:
    assert display_width("\u260e") == 1  # text presentation: one column
    assert display_width(PHONE) == 2
    assert display_width(PHONE + " desk") == 7
    assert display_width("1\ufe0f\u20e3") == 2  # keycap one: 1, U+FE0F, U+20E3
    assert display_width("\u2764\ufe0f\u2764\ufe0f") == 4  # two red hearts
    assert display_width("\ufe0f") == 0  # a selector with nothing before it
    assert display_width("\u6f22\ufe0f") == 2  # already wide: still two
    assert display_width("e\u0301") == 1  # combining mark: none
    assert display_width("\u6f22\u5b57") == 4  # CJK: two each
    assert display_width("\u260e\ufe0e") == 1  # U+FE0E asks for the text form


def test_a_table_with_an_emoji_lines_up_worked_by_hand() -> None:
    table = Table("t", "Queues", ("name", "n"), ((PHONE + " desk", 1), ("ab", 22)))
    # "name": width max(4, 2 + 1 + 4, 2) = 7; "n": max(1, 1, 2) = 2, numbers to the right.
    assert render_table(table) == [
        "Queues",
        "name      n",
        "-------  --",
        PHONE + " desk   1",
        "ab       22",
    ]
    assert render("table", [table]).splitlines() == render_table(table)


def _reference_width(text: str) -> int:
    """The columns as the docs state them, char by char: none for a combining mark, a format
    character, a variation selector or a Hangul medial/final jamo; two for a wide or
    full-width character or one followed by U+FE0F; one for any other."""
    total = 0
    for i, c in enumerate(text):
        zero = unicodedata.category(c) in ("Mn", "Me", "Cf") or 0x1160 <= ord(c) <= 0x11FF
        if zero:
            continue
        wide = unicodedata.east_asian_width(c) in ("W", "F")
        emoji = i + 1 < len(text) and text[i + 1] == "\ufe0f"
        total += 2 if wide or emoji else 1
    return total


_NARROW = ["a", "Z", " ", "\u260e", "\u2764", "\u2600", "1", "#", "\u00e9"]
_OTHER = ["\u6f22", "\u3042", "\u0301", "\ufe0f", "\ufe0e", "\u200d", "\u1161", "\uac00"]
_PIECES = st.sampled_from([*_NARROW, *_OTHER, "\U0001f600"])


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(_PIECES, max_size=8).map("".join))
def test_display_width_follows_the_documented_rule(text: str) -> None:
    assert display_width(text) == _reference_width(text)
    # An emoji selector after a narrow printable character widens it by exactly one column.
    if text and text[-1] in "aZ1#\u260e\u2764\u2600":
        assert display_width(text + "\ufe0f") == display_width(text) + 1


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    st.lists(
        st.lists(_PIECES, min_size=1, max_size=5).map("".join).filter(str.isprintable),
        min_size=1,
        max_size=4,
    )
)
def test_every_column_starts_at_the_same_terminal_column(names: list[str]) -> None:
    table = Table("t", "T", ("name", "n"), tuple((n, i) for i, n in enumerate(names)))
    lines = render_table(table)[1:]
    width = max(display_width("name"), *(display_width(n) for n in names))
    for line, name in zip(lines[2:], names, strict=True):
        assert line.startswith(name)
        # The number ends where the header's "n" ends: name's width, two spaces, one column.
        assert display_width(line) == width + 2 + 1
    assert display_width(lines[0]) == width + 3


@pytest.mark.parametrize("value", ["-abc", "-6m6m", "-", "--5"])
def test_a_minus_before_what_is_no_duration_is_still_no_duration(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path, value: str
) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"staffing": {"target": value}}))
    status, _, err = _cli(capsys, "staff", str(path), "--load", "10")
    assert status == 2
    assert err.startswith(f"csflow: error: staffing.target: expected a duration {_EXPECTED}")
    assert f"got {value!r}" in err
