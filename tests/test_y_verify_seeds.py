"""``verify_plan`` reads at most ``MAX_SEEDS`` seeds: an endless iterable is refused.

Each seed runs every candidate of every interval again, so a caller never means more than a
few; an iterable that never ends (``itertools.count()``) used to be read for ever before any
check.  Up to the bound the seeds are taken as before.
"""

from __future__ import annotations

import itertools
from collections import Counter

import pytest

from csflow.cli.documents import check_distinct_seeds
from csflow.errors import ConfigError
from csflow.staffing.verify import MAX_SEEDS, verify_plan
from test_w2_staffing_inputs import _DESK, _PLAN, _SIM, _Reached, _Refusing, _Stopping


def test_an_endless_iterable_of_seeds_is_refused_before_any_run() -> None:
    # An iterator breaks the annotation's promise (a sequence), as a caller may.
    seeds = itertools.count()
    with pytest.raises(ConfigError) as err:
        verify_plan(_PLAN, _DESK, _SIM, seeds=seeds, executor=_Refusing())  # type: ignore[arg-type]
    assert err.value.path == "seeds"
    assert f"at most {MAX_SEEDS:,} seeds" in str(err.value)


def test_one_seed_past_the_bound_is_refused_and_the_bound_itself_taken() -> None:
    with pytest.raises(ConfigError):
        verify_plan(_PLAN, _DESK, _SIM, seeds=range(MAX_SEEDS + 1), executor=_Refusing())
    with pytest.raises(_Reached):  # checked, and the first simulation about to run
        verify_plan(_PLAN, _DESK, _SIM, seeds=range(MAX_SEEDS), executor=_Stopping())


def test_the_cli_names_each_repeated_seed_once() -> None:
    seeds = [5, 1, 5, 2, 1, 5, *range(10, 20_000)]
    with pytest.raises(ConfigError) as err:
        check_distinct_seeds(seeds, "--seeds")
    twice = sorted(s for s, n in Counter(seeds).items() if n > 1)
    assert twice == [1, 5]
    assert "each seed once: 1, 5 given twice" in str(err.value)
