"""docs/how-to/lebaran-staffing.md: "an e-mail queue answered within 48 hours at an AHT of two
minutes staffs just above its load, 11 agents for 10 Erlangs: the fewest that keep the queue
stable ... (a load a hair below a whole number, 9.9999 Erlangs, needs one more)".

With a target 1,440 handle times long, Erlang C's wait probability is multiplied by
``exp(-(n - load) * 1440)``: the first stable head count, ``floor(load) + 1``, answers 80 %
in time unless it is within a few thousandths of an Erlang of the load, and the next one
always does.  Checked over loads Hypothesis draws, and against the page's own figures.
"""

from __future__ import annotations

import math
import re
from datetime import timedelta
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from csflow.staffing import agents_for_service_level, service_level

PAGE = Path(__file__).resolve().parent.parent / "docs" / "how-to" / "lebaran-staffing.md"
AHT = timedelta(minutes=2)
TARGET = timedelta(hours=48)


def test_the_page_quotes_the_figures_checked_here() -> None:
    text = " ".join(PAGE.read_text(encoding="utf-8").split())
    claim = re.search(
        r"an e-mail queue answered within 48 hours at an AHT of two minutes staffs just above"
        r" its load, (\d+) agents for (\d+) Erlangs",
        text,
    )
    assert claim is not None, "the page no longer makes the claim"
    agents, load = int(claim.group(1)), float(claim.group(2))
    assert agents == math.floor(load) + 1
    assert agents_for_service_level(load, AHT, TARGET, 0.8) == agents


def first_stable_meets(load: float) -> bool:
    """Whether ``floor(load) + 1`` agents answer 80 % within the target (naive Erlang C)."""
    n = math.floor(load) + 1
    blocked = 1.0  # Erlang B by its recursion, then Erlang C from it
    for k in range(1, n + 1):
        blocked = load * blocked / (k + load * blocked)
    waits = n * blocked / (n - load * (1 - blocked))
    return 1 - waits * math.exp(-(n - load) * (TARGET / AHT)) >= 0.8


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(st.floats(min_value=0.05, max_value=150.0, allow_nan=False))
@example(10.0)
@example(9.9999)
@example(0.5)
def test_a_48_hour_target_staffs_the_first_stable_head_count_or_the_next(load: float) -> None:
    stable = math.floor(load) + 1
    agents = agents_for_service_level(load, AHT, TARGET, 0.8)
    assert agents == (stable if first_stable_meets(load) else stable + 1)
    if stable - load >= 0.01:
        assert agents == stable
    assert service_level(agents - 1, load, AHT, TARGET) < 0.8
