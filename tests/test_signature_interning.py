"""Signatures are interned: equal signatures are one object, however they were made."""

from __future__ import annotations

import copy
import pickle

import attrs
from hypothesis import given
from hypothesis import strategies as st

from csflow.queues import Signature

_channels = st.sampled_from(["chat", "email", "phone"])
_languages = st.sampled_from([None, "id", "en"])
_skills = st.dictionaries(st.sampled_from(["orders", "refunds", "payments"]), st.integers(1, 5))
_agents = st.sampled_from([None, "a1", "a2"])


@given(_channels, _languages, _skills, _agents, _channels, _languages, _skills, _agents)
def test_equal_signatures_are_one_object_and_hash_alike(
    c1: str,
    l1: str | None,
    s1: dict[str, int],
    a1: str | None,
    c2: str,
    l2: str | None,
    s2: dict[str, int],
    a2: str | None,
) -> None:
    x = Signature(c1, l1, s1, a1)
    y = Signature(c2, l2, s2, a2)
    assert (x == y) == (x is y)
    if x == y:
        assert hash(x) == hash(y)


@given(_channels, _languages, _skills, _agents)
def test_copies_pickles_and_evolved_twins_are_the_interned_signature(
    c: str, lang: str | None, skills: dict[str, int], agent: str | None
) -> None:
    sig = Signature(c, lang, skills, agent)
    assert copy.copy(sig) is sig
    assert copy.deepcopy(sig) is sig
    assert pickle.loads(pickle.dumps(sig)) is sig
    assert attrs.evolve(sig) is sig
    assert sig.pinned("a9").pinned(agent) is sig
    assert Signature(c, lang, dict(reversed(list(skills.items()))), agent) is sig


def test_equality_is_by_value_and_order_of_skills_does_not_matter() -> None:
    a = Signature("chat", "id", {"orders": 2, "refunds": 1})
    b = Signature("chat", "id", {"refunds": 1, "orders": 2})
    assert a is b
    assert a != Signature("chat", "id", {"orders": 2})
    assert {a: 1}[b] == 1
