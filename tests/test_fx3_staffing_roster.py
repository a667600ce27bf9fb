"""Rosters bounded in time however many templates weigh their windows, break placement that
weighs each window once, and the messages of a few refusals."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import csflow.staffing.roster as roster_module
from csflow.errors import ConfigError
from csflow.staffing import forecast_from_history
from csflow.staffing.roster import cover
from csflow.staffing.shifts import BreakRule, ShiftTemplate, _breaks_fit

# The documented bound (read so, so that the tests run against code without it too).
MAX_ROSTER_WINDOW_STARTS: int = getattr(roster_module, "MAX_ROSTER_WINDOW_STARTS", 600_000)
SEC = timedelta(seconds=1)


def bad(value: object) -> Any:
    """Pass a deliberately ill-typed argument past the type checker."""
    return value


MIN = timedelta(minutes=1)
QUARTER = timedelta(minutes=15)
H = timedelta(hours=1)


# --------------------------------------------------------------------------------------------
# 1. the templates' windows are weighed within one bound, all templates together


def late(k: int) -> ShiftTemplate:
    """A template whose window of nearly a day never fits a minute-long horizon from 00:00."""
    return ShiftTemplate(f"late{k}", MIN, H, timedelta(hours=23, minutes=59))


def test_the_window_starts_of_all_templates_count_together() -> None:
    # Each late template's window holds 82,741 one-second starts a day, about 331,000 over
    # the horizon's days: one is weighed, two together pass MAX_ROSTER_WINDOW_STARTS (and
    # each template used to be weighed on its own, however many there were).
    ok = ShiftTemplate("ok", MIN, timedelta(0))
    assert cover([1] * 60, [ok, late(0)], interval=SEC).cost > 0
    with pytest.raises(ConfigError) as caught:
        cover([1] * 60, [ok, late(0), late(1)], interval=SEC)
    assert caught.value.path == "templates[2]"
    assert "MAX_ROSTER_WINDOW_STARTS" in str(caught.value)
    assert f"{MAX_ROSTER_WINDOW_STARTS:,}" in str(caught.value)
    # Templates with no start that fits count too: they are weighed all the same.
    with pytest.raises(ConfigError) as caught:
        cover([1] * 60, [late(0), late(1), ok], interval=SEC)
    assert caught.value.path == "templates[1]"


@given(st.integers(0, 40), st.integers(1, 3), st.integers(0, 30))
@settings(max_examples=10, deadline=None)
def test_a_month_of_quarter_hours_takes_dozens_of_day_long_windows(
    unused: int, agents: int, day: int
) -> None:
    # A month of 15-minute intervals: dozens of templates whose windows span the day (each
    # weighing some 3,400 starts over the month) are accepted, and those that never fit leave
    # the answer as it was.
    horizon = 2976
    need = [0] * horizon
    for t in range(day * 96 + 32, day * 96 + 64):  # 08:00 to 16:00 that day
        need[t] = agents
    early = ShiftTemplate("day", 8 * H, 8 * H, 10 * H)
    never = [
        ShiftTemplate(f"month{k}", horizon * QUARTER, QUARTER, timedelta(hours=23, minutes=45))
        for k in range(unused)
    ]
    alone = cover(need, [early], interval=QUARTER)
    beside = cover(need, [early, *never], interval=QUARTER)
    assert beside.rows == alone.rows
    assert beside.cost == alone.cost == agents * 8.0


# --------------------------------------------------------------------------------------------
# 2. break placement: the same greedy choice, for much less work


def _fits(fixed: Sequence[tuple[int, int]], rest: Sequence[tuple[int, int, int]]) -> bool:
    """Whether the breaks *rest* fit around *fixed*: every order, each as early as it goes."""
    for order in itertools.permutations(rest):
        taken = sorted(fixed)
        for lo, hi, length in order:
            at = lo
            for a, b in taken:
                if at < b and a < at + length:
                    at = b
            if at > hi:
                break
            taken = sorted([*taken, (at, at + length)])
        else:
            return True
    return False


def naive_next_breaks(
    first: int,
    windows: Sequence[tuple[int, int, int]],
    duty: Sequence[int],
    need: Sequence[int],
    fits: object = None,
) -> tuple[list[int], int]:
    """The placement as the module notes state it, every candidate weighed in full: the
    surplus summed over the break, room checked by trying every order."""
    horizon = len(need)

    def surplus(s: int, length: int) -> int:
        return sum(
            duty[(first + s + j) % horizon] - need[(first + s + j) % horizon] for j in range(length)
        )

    placed: list[int] = []
    spans: list[tuple[int, int]] = []
    others = []
    for k, (lo, hi, length) in enumerate(windows):
        scored = [
            (surplus(s, length), -s)
            for s in range(lo, hi + 1)
            if all(s + length <= a or b <= s for a, b in spans)
            and _fits([*spans, (s, s + length)], windows[k + 1 :])
        ]
        best, neg = max(scored)
        placed.append(-neg)
        spans.append((-neg, -neg + length))
        others.append((-neg, best, length, [(-t, v) for v, t in scored if t != neg]))
    run = 1 << 62
    for chosen, best, length, rivals in others:
        for s, value in rivals:
            overlap = sum(max(0, min(s + length, b) - max(s, a)) for a, b in spans)
            rate = length - overlap
            if rate > 0:
                gap = best - value
                run = min(run, 1 + (gap // rate if chosen < s else (gap - 1) // rate))
    return placed, run


@st.composite
def rosters_with_breaks(draw: st.DrawFn) -> tuple[list[int], list[ShiftTemplate]]:
    horizon = draw(st.integers(12, 40))
    templates = []
    for k in range(draw(st.integers(1, 3))):
        length = draw(st.integers(4, min(12, horizon)))
        rules: list[BreakRule] = []
        room = length
        for _ in range(draw(st.integers(1, 4))):
            size = draw(st.integers(1, 3))
            if size * (len(rules) + 1) > room:
                break
            lo = draw(st.integers(0, length - size))
            hi = draw(st.integers(lo, length - size))
            rules.append(BreakRule(size * MIN, lo * MIN, hi * MIN))
        first = draw(st.integers(0, horizon - length))
        last = draw(st.integers(first, horizon - length))
        try:
            templates.append(
                ShiftTemplate(f"t{k}", length * MIN, first * MIN, last * MIN, breaks=rules)
            )
        except ConfigError:  # breaks that cannot all be taken: the template is refused
            continue
    if not templates:
        templates.append(ShiftTemplate("plain", horizon * MIN, timedelta(0)))
    need = draw(st.lists(st.integers(0, 40), min_size=horizon, max_size=horizon))
    # Cover only what some template covers (a line: starts within the horizon).
    reach = [False] * horizon
    for tpl in templates:
        first, last = tpl.earliest // MIN, (tpl.latest or tpl.earliest) // MIN
        for s in range(first, last + 1):
            for t in range(s, s + tpl.length // MIN):
                reach[t] = True
    need = [r if ok else 0 for r, ok in zip(need, reach, strict=True)]
    return need, templates


@given(rosters_with_breaks())
@settings(max_examples=60, deadline=None)
def test_breaks_are_placed_as_the_naive_greedy_places_them(
    case: tuple[list[int], list[ShiftTemplate]],
) -> None:
    need, templates = case
    fast = cover(need, templates, interval=MIN)
    with mock.patch.object(roster_module, "_next_breaks", naive_next_breaks):
        slow = cover(need, templates, interval=MIN)
    assert fast == slow


def test_long_wide_breaks_weigh_each_window_once() -> None:
    # Six 30-minute breaks free to start anywhere in a four-hour shift: the room left for the
    # later breaks was checked for every start of every window, for every agent placed (about
    # 19,000 checks here, each trying up to 120 orders); now a schedule of the later breaks
    # vouches for most starts, and the starts found are shared by the template's agents.
    calls = [0]
    real = _breaks_fit

    def counted(*args: Any) -> bool:
        calls[0] += 1
        return real(*args)

    rules = [BreakRule(30 * MIN, timedelta(0), 210 * MIN) for _ in range(6)]
    shift = ShiftTemplate("long", 4 * H, timedelta(0), breaks=rules)
    with mock.patch.object(roster_module, "_breaks_fit", counted):
        fast = cover([40] * 240, [shift], interval=MIN)
    assert calls[0] < 2_000
    with mock.patch.object(roster_module, "_next_breaks", naive_next_breaks):
        assert cover([40] * 240, [shift], interval=MIN) == fast
    # Every agent takes six breaks of 30 minutes: 40 x 180 agent-minutes given up.
    assert fast.shortfall == 40 * 180


# --------------------------------------------------------------------------------------------
# 7. messages


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_a_requirement_that_is_not_finite_is_not_called_a_fraction(value: float) -> None:
    with pytest.raises(ConfigError) as caught:
        cover(bad([value]), [ShiftTemplate("d", H)], interval=H)
    assert caught.value.path == "requirements[0]"
    assert "fraction" not in str(caught.value)
    assert "whole number of agents" in str(caught.value)
    with pytest.raises(ConfigError, match=r"the fraction 1\.5"):
        cover(bad([1.5]), [ShiftTemplate("d", H)], interval=H)


def test_an_aware_arrival_outside_the_years_says_so() -> None:
    far = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=23, minutes=59)))
    with pytest.raises(ConfigError) as caught:
        forecast_from_history([far], date(2026, 3, 9), timezone="UTC")
    assert caught.value.path == "arrivals[0]"
    assert "years 1-9999" in str(caught.value)
    assert "timezone-aware" not in str(caught.value)
    with pytest.raises(ConfigError, match="timezone-aware"):
        forecast_from_history([datetime(2026, 3, 2, 9)], date(2026, 3, 9), timezone="UTC")
    # A good arrival is still counted.
    seen = forecast_from_history(
        [datetime(2026, 3, 2, 9, tzinfo=UTC)], date(2026, 3, 9), timezone="UTC", lookback=1
    )
    assert seen.counted == 1
