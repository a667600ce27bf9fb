"""A host-built :class:`Escalation` names at most 1000 different people or teams to notify,
and 1000 different tags, as the escalation rules do in all: counted once each (a name given
twice is one name), and one past the limit is a ``ConfigError`` naming it and the limit."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import ConfigError
from csflow.policies import Escalation
from csflow.rules.syntax import MAX_ITEMS


def names(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


def build(field: str, value: list[str]) -> Escalation:
    return Escalation(notify=value) if field == "notify" else Escalation(tags=value)


@pytest.mark.parametrize("field", ["notify", "tags"])
def test_one_name_past_the_limit_is_refused(field: str) -> None:
    assert MAX_ITEMS == 1000
    ok = build(field, names("p", MAX_ITEMS))
    assert len(getattr(ok, field)) == MAX_ITEMS
    with pytest.raises(ConfigError) as caught:
        build(field, names("p", MAX_ITEMS + 1))
    assert str(caught.value) == (
        f"escalation {field} must be at most 1000 different names, got 1,001; "
        "the first past the limit is 'p1000'"
    )


@pytest.mark.parametrize("field", ["notify", "tags"])
def test_names_given_twice_count_once(field: str) -> None:
    given_twice = names("p", MAX_ITEMS) * 3
    kept = getattr(build(field, given_twice), field)
    assert kept == tuple(names("p", MAX_ITEMS))


@settings(max_examples=25, deadline=None)
@given(
    st.integers(min_value=0, max_value=MAX_ITEMS + 5),
    st.integers(min_value=0, max_value=3),
    st.randoms(use_true_random=False),
)
def test_the_limit_is_on_different_names(distinct: int, extra: int, rnd: random.Random) -> None:
    pool = names("n", distinct)
    listed = pool + [pool[i % distinct] for i in range(extra * 100)] if distinct else []
    rnd.shuffle(listed)
    first_seen = tuple(dict.fromkeys(listed))
    if len(first_seen) > MAX_ITEMS:
        with pytest.raises(ConfigError, match="at most 1000 different names"):
            Escalation(notify=listed)
    else:
        assert Escalation(notify=listed).notify == first_seen
