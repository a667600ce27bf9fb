"""The command line's data as data: a missing figure is ``null`` in ``json`` and an empty cell
in ``csv``, the tickets an agent holds are a list in ``json`` and an unambiguous join in the
other formats, titles write ``Erlangs`` and ``95%``; and ``staff --asa``, staffing one interval
to a mean wait.  Run in-process through :func:`csflow.cli.main`, as a user's command line."""

from __future__ import annotations

import csv
import io
import json
import math
import pathlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Desk, Ticket, Tier
from csflow.cli import main
from csflow.cli.documents import load_document
from csflow.cli.output import csv_text
from csflow.desk.commands import AddAgent, Submit
from test_a3_cli_acceptance import _cli, _ok
from test_cli_planning import _small as small_desk

_ROOT = pathlib.Path(__file__).resolve().parents[1]
_DAY = _ROOT / "examples" / "configs" / "marketplace-day.yaml"
T0 = datetime(2026, 3, 9, 1, 0, tzinfo=UTC)


def _error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    status, out, err = _cli(capsys, *args)
    assert status == 2, err
    assert out == ""
    assert err.count("\n") == 1, err
    return err


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    return json.loads(_ok(capsys, *args, "--format", "json"))


def _sections(text: str) -> dict[str, list[list[str]]]:
    """A multi-table ``csv`` output as table name -> rows (the header first)."""
    out = {}
    for section in text.split("\n\n"):
        first, _, rest = section.partition("\n")
        out[first.removeprefix("# ")] = list(csv.reader(io.StringIO(rest)))
    return out


# ---------------------------------------------------------------------------------------------
# staff --verify with one seed: no interval, and no text in a column of numbers


def _small(tmp_path: pathlib.Path) -> pathlib.Path:
    """The planning tests' one-queue chat desk, with a short verification."""
    return small_desk(tmp_path, verify={"span": "20m", "max_steps": 2})


def test_one_seed_leaves_the_interval_missing_not_a_text(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    cfg = str(_small(tmp_path))
    args = ("staff", cfg, "--verify", "--seeds", "1", "--jobs", "1")
    out = _json(capsys, *args)
    assert len(out["verified"]) == 2
    for row in out["verified"]:
        assert row["sl_low"] is None
        assert row["sl_high"] is None
        assert isinstance(row["service_level"], float)
    sections = _sections(_ok(capsys, *args, "--format", "csv"))
    header, *rows = sections["verified"]
    low, high = header.index("sl_low"), header.index("sl_high")
    assert len(rows) == 2
    for row in rows:
        assert (row[low], row[high]) == ("", "")
        float(row[header.index("service_level")])
    table = _ok(capsys, *args)
    # table keeps the word, in each row of the verified table
    verified = table.split("Verified on the desk", 1)[1].split("Verified totals", 1)[0]
    rows_shown = [line for line in verified.splitlines() if line.startswith("2026-03-16")]
    assert len(rows_shown) == 2
    assert all(line.split()[6:8] == ["n/a", "n/a"] for line in rows_shown)
    # Two seeds: numbers, the interval around the mean.
    two = _json(capsys, "staff", cfg, "--verify", "--seeds", "1,2", "--jobs", "1")
    for row in two["verified"]:
        assert isinstance(row["sl_low"], float)
        assert isinstance(row["sl_high"], float)
        assert row["sl_low"] <= row["service_level"] <= row["sl_high"]


def test_titles_write_erlangs_and_percent_signs_as_the_rest_does(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    title = _ok(capsys, "staff", "--load", "12.5").splitlines()[0]
    assert "load 12.50 Erlangs, AHT 6m, 80% within 20s" in title
    table = _ok(capsys, "staff", str(_small(tmp_path)), "--verify", "--seeds", "1", "--jobs", "1")
    assert "95% interval" in table
    assert "95 %" not in table
    demo = _ok(capsys, "demo")
    assert "Staffing recommendation (Erlang A, 80% answered within 60 s," in demo
    assert "shrinkage 15%, peak x" in demo
    assert " %" not in demo.split("Staffing recommendation", 1)[1].splitlines()[0]


# ---------------------------------------------------------------------------------------------
# replay: the tickets an agent holds


def _parse_held(text: str) -> list[str]:
    """The ids of a ``held`` cell, read as the docs describe it: separated by one space, an id
    in double quotes a JSON string, any other taken as written."""
    ids: list[str] = []
    decoder = json.JSONDecoder()
    i = 0
    while i < len(text):
        if text[i] == '"':
            value, i = decoder.raw_decode(text, i)
            ids.append(value)
        else:
            end = text.find(" ", i)
            end = len(text) if end < 0 else end
            ids.append(text[i:end])
            i = end
        if i < len(text):
            assert text[i] == " ", text
            i += 1
            assert i < len(text), text  # no trailing separator
    return ids


def test_held_text_worked_examples() -> None:
    from csflow.cli.replay import held_text

    assert held_text([]) == ""
    assert held_text(["T-1", "T-2"]) == "T-1 T-2"
    assert held_text(["T-1", "T 2", "T-3"]) == 'T-1 "T 2" T-3'
    assert held_text(['q"x', "", "a\tb"]) == r'"q\"x" "" "a\tb"'
    # Two readings of the old join, told apart now.
    assert held_text(["a b"]) != held_text(["a", "b"])


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.text(max_size=6) | st.sampled_from(["a b", '"', " ", "T-1", '""'])))
def test_held_text_reads_back_exactly(ids: list[str]) -> None:
    from csflow.cli.replay import held_text

    text = held_text(ids)
    if ids and all(i and " " not in i and '"' not in i and i.isprintable() for i in ids):
        # A plain id is written as it is: the join is the readable one.
        assert text == " ".join(ids)
    assert _parse_held(text) == ids


def _desk_files(tmp_path: pathlib.Path, ids: list[str]) -> tuple[Desk, pathlib.Path]:
    desk = Desk(load_document(_DAY).configs()[0])
    desk.apply(AddAgent(AgentProfile("sari", capacity={"chat": len(ids)}), "available", at=T0))
    for n, tid in enumerate(ids):
        at = T0 + timedelta(seconds=n)
        desk.apply(Submit(Ticket(tid, Customer(f"c{n}", Tier("regular", 0)), "chat", at), at=at))
    snap = tmp_path / "snapshot.json"
    snap.write_text(json.dumps(desk.snapshot()), encoding="utf-8")
    return desk, snap


def test_replay_gives_the_held_tickets_as_a_list_and_an_unambiguous_join(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    ids = ["a b", "c", 'q"x', "=1"]
    desk, snap = _desk_files(tmp_path, ids)
    assert desk.agent("sari").held == tuple(ids)
    args = ("replay", str(_DAY), "--snapshot", str(snap))
    (row,) = _json(capsys, *args)["agents"]
    assert row["held"] == ids
    sections = _sections(_ok(capsys, *args, "--format", "csv"))
    header, cells = sections["agents"]
    held = csv_text(cells[header.index("held")])
    assert held == 'a b c "q\\"x" =1'.replace("a b", '"a b"')
    assert _parse_held(held) == ids
    table = _ok(capsys, *args)
    assert "sari" in table
    assert '"a b" c "q\\"x" =1' in table
    # Nothing held: an empty list, an empty cell.
    _, empty = _desk_files(tmp_path, [])
    (row,) = _json(capsys, "replay", str(_DAY), "--snapshot", str(empty))["agents"]
    assert row["held"] == []


# ---------------------------------------------------------------------------------------------
# staff --asa


def _erlang_c(n: int, a: float) -> float:
    """Erlang C from its textbook formula, summed in exact-ish floats."""
    term, total = 1.0, 1.0
    for k in range(1, n):
        term *= a / k
        total += term
    last = term * a / n * n / (n - a)
    return last / (total + last)


def _asa_s(n: int, a: float, aht_s: float) -> float:
    return _erlang_c(n, a) * aht_s / (n - a)


def test_asa_worked_example(capsys: pytest.CaptureFixture[str]) -> None:
    # 10 Erlangs, AHT 3 minutes: 12 agents wait 0.4493 * 180 / 2 = 40.4 s on average,
    # 13 wait 0.2853 * 180 / 3 = 17.1 s; the fewest for at most 20 s is 13.
    assert _asa_s(12, 10.0, 180) == pytest.approx(40.44, abs=0.01)
    assert _asa_s(13, 10.0, 180) == pytest.approx(17.12, abs=0.01)
    row = _json(capsys, "staff", "--load", "10", "--aht", "3m", "--asa", "20s")["staffing"][0]
    assert row["max_asa_s"] == 20.0
    assert row["agents_for_asa"] == row["agents_needed"] == row["agents"] == 13
    assert row["agents_for_level"] is None
    assert row["asa_s"] == 17.1
    assert row["asa_s"] <= 20
    # The same keys whatever the inputs, --asa or not.
    base = _json(capsys, "staff", "--load", "10", "--aht", "3m")["staffing"][0]
    assert list(base) == list(row)
    assert base["max_asa_s"] is None
    assert base["agents_for_asa"] is None
    assert base["agents_for_level"] == base["agents_needed"]
    text = _ok(capsys, "staff", "--load", "10", "--aht", "3m", "--asa", "20s")
    assert text.splitlines()[0] == (
        "Erlang C: load 10.00 Erlangs, AHT 3m, ASA at most 20s (service level within 20s)"
    )
    csv_rows = list(
        csv.reader(io.StringIO(_ok(capsys, "staff", "--load", "10", "--aht", "3m", "--asa",
                                   "20s", "--format", "csv")))
    )  # fmt: skip
    assert dict(zip(*csv_rows, strict=True))["agents_for_asa"] == "13"


# capsys is read after each command: nothing carries over between examples.
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    load=st.floats(0.05, 60.0),
    aht_s=st.integers(30, 900),
    asa_s=st.integers(1, 300),
    shrinkage=st.sampled_from([0.0, 0.2, 0.35]),
)
def test_asa_is_the_fewest_agents_whose_mean_wait_is_within_it(
    capsys: pytest.CaptureFixture[str], load: float, aht_s: int, asa_s: int, shrinkage: float
) -> None:
    args = ("staff", "--load", repr(load), "--aht", f"{aht_s}s", "--asa", f"{asa_s}s")
    row = _json(capsys, *args, "--shrinkage", repr(shrinkage))["staffing"][0]
    n = row["agents_needed"]
    assert row["agents_for_asa"] == n == row["agents"]
    assert n > load
    tolerance = 1e-9 * asa_s
    assert _asa_s(n, load, aht_s) <= asa_s + tolerance
    if n - 1 > load:
        assert _asa_s(n - 1, load, aht_s) > asa_s - tolerance
    assert row["heads"] == math.ceil(n / (1 - shrinkage) - 1e-9)
    assert row["asa_s"] <= asa_s
    assert (
        row["asa_s"] == round(_asa_s(n, load, aht_s), 1)
        or abs(row["asa_s"] - _asa_s(n, load, aht_s)) <= 0.051
    )


# capsys is read after each command: nothing carries over between examples.
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    load=st.floats(0.5, 40.0),
    asa_s=st.integers(1, 120),
    level=st.sampled_from([0.7, 0.8, 0.9, 0.95]),
    target_s=st.sampled_from([10, 20, 60]),
)
def test_asa_with_a_level_takes_the_larger_head_count(
    capsys: pytest.CaptureFixture[str], load: float, asa_s: int, level: float, target_s: int
) -> None:
    common = ("staff", "--load", repr(load), "--aht", "4m")
    goal = ("--level", repr(level), "--target", f"{target_s}s")
    both = _json(capsys, *common, *goal, "--asa", f"{asa_s}s")["staffing"][0]
    by_level = _json(capsys, *common, *goal)["staffing"][0]["agents_needed"]
    by_asa = _json(capsys, *common, "--asa", f"{asa_s}s")["staffing"][0]["agents_needed"]
    assert both["agents_for_level"] == by_level
    assert both["agents_for_asa"] == by_asa
    assert both["agents_needed"] == both["agents"] == max(by_level, by_asa)
    assert both["service_level"] >= level
    assert both["asa_s"] <= asa_s


def test_asa_combinations_and_refusals(capsys: pytest.CaptureFixture[str]) -> None:
    # Only --level given: it still counts, with the default target.
    row = _json(capsys, "staff", "--load", "10", "--aht", "3m", "--asa", "60s", "--level", "0.9")
    row = row["staffing"][0]
    assert (row["agents_for_level"], row["agents_for_asa"], row["agents_needed"]) == (15, 12, 15)
    title = _ok(capsys, "staff", "--load", "10", "--aht", "3m", "--asa", "60s", "--level", "0.9")
    assert "90% within 20s and ASA at most 1m" in title.splitlines()[0]
    # --agents evaluates the agents asked about; agents_needed is still the fewest.
    row = _json(capsys, "staff", "--load", "10", "--aht", "3m", "--asa", "20s", "--agents", "20")
    assert (row["staffing"][0]["agents"], row["staffing"][0]["agents_needed"]) == (20, 13)
    # A zero wait: the walk stops where Erlang B underflows, as the library's does.
    zero = _json(capsys, "staff", "--load", "10", "--asa", "0s")["staffing"][0]
    assert zero["asa_s"] == 0.0
    assert zero["agents_needed"] > 10
    assert _json(capsys, "staff", "--load", "0", "--asa", "5s")["staffing"][0]["agents"] == 0
    err = _error(capsys, "staff", "--load", "10", "--asa", "20s", "--patience", "2m")
    assert err.startswith("csflow: error: --asa: ")
    assert "--patience" in err
    err = _error(capsys, "staff", "--forecast", "x.csv", "--asa", "20s", "--verify")
    assert err.startswith("csflow: error: --asa: cannot be verified")
    with pytest.raises(SystemExit) as refused:
        main(["staff", "--load", "10", "--asa", "-20s"])
    assert refused.value.code == 2
    assert "argument --asa: expected a duration >= 0 such as" in capsys.readouterr().err
    with pytest.raises(SystemExit) as done:
        main(["staff", "--help"])
    assert done.value.code == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert "--asa DURATION one interval: the fewest agents whose Erlang C average speed" in shown
