"""Numbers in a plain-text table as a planner reads them: four significant digits, and never
an exponent for a number of 1 or more (a load of 12345.6 Erlangs is 12346, not 1.235e+04)."""

from __future__ import annotations

import contextlib
import io
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.cli import main
from csflow.cli.output import Table, render_table


def _cells(value: float) -> str:
    lines = render_table(Table("t", "T", ("x",), ((value,),)))
    return lines[3].strip()


@settings(max_examples=200)
@given(value=st.floats(min_value=1, max_value=1e15) | st.floats(min_value=-1e15, max_value=-1))
def test_a_number_of_1_or_more_has_no_exponent_and_keeps_four_digits(value: float) -> None:
    shown = _cells(value)
    assert "e" not in shown, shown
    # Within half a unit of its fourth significant digit, or of its last digit shown.
    unit = max(10 ** (math.floor(math.log10(abs(value))) - 3), 1.0)
    assert abs(float(shown) - value) <= unit / 2 + 1e-9 * abs(value), (shown, value)


def test_worked_examples() -> None:
    assert _cells(12345.6) == "12346"
    assert _cells(9999.7) == "10000"
    assert _cells(-25000.25) == "-25000"
    assert _cells(1234.56) == "1235"
    assert _cells(0.8247123) == "0.8247"
    assert _cells(1e-05) == "1e-05"  # a small probability keeps its exponent
    assert _cells(2.0e6) == "2000000"


def test_staff_shows_a_large_load_in_full() -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["staff", "--load", "12345.6", "--aht", "5m"]) == 0
    lines = out.getvalue().split("\n")
    assert "load 12345.60 Erlangs," in lines[0]
    (load,) = [line for line in lines if line.startswith("load_erlangs")]
    assert load.split()[-1] == "12346"
