"""csflow.model: value objects validated at construction, and their fast paths.

The fast paths in :mod:`csflow.model` (remembered names, remembered channels, short-circuited
defaults) must change no behaviour: every property here holds whatever the caches hold.
"""

from __future__ import annotations

import operator
import random
import re
import string
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any, cast

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from csflow import model
from csflow.errors import ConfigError
from csflow.model import (
    MAX_ATTRIBUTE_DEPTH,
    MAX_ATTRIBUTE_STRING,
    MAX_PROFICIENCY,
    MIN_PROFICIENCY,
    AgentProfile,
    Channel,
    Customer,
    Priority,
    SkillRequirement,
    Ticket,
    Tier,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GOLD = Tier("gold", 2)
SILVER = Tier("silver", 1)
ANI = Customer("c-ani", GOLD, language="id")
NOBODY = Customer("c-nobody", SILVER)

_LEAD = frozenset(string.ascii_lowercase + string.digits)
_REST = _LEAD | frozenset("_.-")


def is_name(s: str) -> bool:
    """The documented name grammar, written without the implementation's regex."""
    return 1 <= len(s) <= 64 and s[0] in _LEAD and all(c in _REST for c in s[1:])


def ticket(**kw: Any) -> Ticket:
    args: dict[str, Any] = {
        "id": "t-1",
        "customer": ANI,
        "channel": Channel.CHAT,
        "created_at": T0,
    }
    args.update(kw)
    return Ticket(**args)


def fields_of(obj: Any) -> tuple[Any, ...]:
    return attrs.astuple(obj, recurse=False)


@pytest.fixture(autouse=True, scope="module")
def _restore_model_caches() -> Iterator[None]:
    """Leave the module-wide caches as this module found them.

    Not for correctness (they are pure memoisation: test_determinism and the tests below show
    that no verdict depends on them), but so that the thousands of names invented here do not
    fill their bound and slow the name checks of the test modules run after this one.
    """
    names = set(model._GOOD_NAMES)
    channels = dict(model._CHANNELS)
    yield
    model._GOOD_NAMES.clear()
    model._GOOD_NAMES.update(names)
    model._CHANNELS.clear()
    model._CHANNELS.update(channels)


@pytest.fixture
def fresh_caches(monkeypatch: pytest.MonkeyPatch) -> tuple[set[str], dict[str, Channel]]:
    """Empty caches for one test (the module's functions look them up at each call)."""
    names: set[str] = set()
    channels: dict[str, Channel] = {}
    monkeypatch.setattr(model, "_GOOD_NAMES", names)
    monkeypatch.setattr(model, "_CHANNELS", channels)
    return names, channels


# --------------------------------------------------------------------------------------------
# Names: the grammar, and the remembered-names fast path
# --------------------------------------------------------------------------------------------

# Every constructor field checked by the name grammar, as "build something with this name".
NAME_FIELDS: dict[str, Callable[[Any], object]] = {
    "tier name": lambda s: Tier(s),
    "channel name": lambda s: Channel(s),
    "channel parse": lambda s: Channel.parse(s),
    "skill": lambda s: SkillRequirement(s),
    "customer language": lambda s: Customer("c", GOLD, language=s),
    "agent language": lambda s: AgentProfile("a", languages=[s]),
    "agent team": lambda s: AgentProfile("a", teams=[s]),
    "agent skill": lambda s: AgentProfile("a", skills={s: 3}),
    "agent capacity channel": lambda s: AgentProfile("a", capacity={s: 1}),
    "ticket category": lambda s: ticket(category=s),
    "ticket language": lambda s: ticket(language=s),
    "ticket channel": lambda s: ticket(channel=s),
    "ticket skill": lambda s: ticket(required_skills=[s]),
}

names = st.one_of(
    st.from_regex(r"[a-z0-9][a-z0-9_.\-]{0,63}", fullmatch=True),
    st.text(alphabet="abz09_.-AZé \n\t", max_size=8),
    st.integers(60, 70).map(lambda n: "a" * n),
    st.sampled_from(["", "a", "-a", ".a", "_a", "a\n", "\na", "A", "gold", "Gold", "chat", "é"]),
    st.text(max_size=6),
)


def accepts(build: Callable[[Any], object], value: object) -> bool:
    """Whether *build* accepts *value*; a refusal must be a ConfigError naming the value."""
    message = None
    try:
        build(value)
    except ConfigError as e:
        message = str(e)
    if message is None:
        return True
    assert repr(value) in message, f"message {message!r} does not name {value!r}"
    return False


@given(st.sampled_from(sorted(NAME_FIELDS)), st.lists(names, max_size=12))
def test_names_are_accepted_iff_they_match_the_grammar_on_every_try(
    field: str, tries: list[str]
) -> None:
    build = NAME_FIELDS[field]
    # Each name twice in a row, and the whole list again, so that every verdict is also given
    # once the good names among them have been remembered.
    for s in [*tries, *tries]:
        assert accepts(build, s) is is_name(s), s
        assert accepts(build, s) is is_name(s), s


@given(names)
def test_check_name_returns_the_value_or_raises_naming_it(s: str) -> None:
    for _ in range(2):
        if is_name(s):
            assert model._check_name("thing", s) is s
        else:
            with pytest.raises(ConfigError, match=r"^thing must be a lowercase name") as exc:
                model._check_name("thing", s)
            assert str(exc.value).endswith(f"got {s!r}")


def test_a_bad_name_is_refused_every_time_also_after_a_good_one_was_remembered(
    fresh_caches: tuple[set[str], dict[str, Channel]],
) -> None:
    good_names, _ = fresh_caches
    assert Tier("gold").name == "gold"
    assert "gold" in good_names  # the premise: the next checks run with "gold" remembered
    for bad in ["Gold", "GOLD", "gold ", " gold", "gold\n", "", "-gold", "g" * 65]:
        for _ in range(3):
            with pytest.raises(ConfigError, match=re.escape(repr(bad))):
                Tier(bad)
        assert bad not in good_names
    # The good name still passes, from the cache or not.
    assert Tier("gold") == Tier("gold")


class _LooksLikeGold(str):
    """A str whose hash and equality claim to be 'gold', whatever its text."""

    __slots__ = ()

    def __hash__(self) -> int:
        return hash("gold")

    def __eq__(self, other: object) -> bool:
        return True

    def __ne__(self, other: object) -> bool:
        return False


class _NotAStr:
    """Not a str at all, but hashes and compares like 'gold'."""

    def __hash__(self) -> int:
        return hash("gold")

    def __eq__(self, other: object) -> bool:
        return True


def test_a_str_subclass_or_non_str_never_passes_through_the_cache() -> None:
    model._check_name("tier name", "gold")
    model._to_channel("chat")
    assert "gold" in model._GOOD_NAMES
    assert "chat" in model._CHANNELS
    impostor = _LooksLikeGold("NOT GOLD")
    assert impostor in model._GOOD_NAMES  # set membership alone would let it through
    for value in (impostor, _NotAStr(), b"gold", 7, None):
        bad: Any = value
        with pytest.raises(ConfigError, match="tier name must be a lowercase name"):
            Tier(bad)
        with pytest.raises(ConfigError, match="category must be a lowercase name"):
            ticket(category=bad)
    chat_impostor = _LooksLikeGold("NOT CHAT")
    for value in (chat_impostor, _NotAStr(), b"chat", 7, None):
        bad = value
        with pytest.raises(ConfigError, match="channel name must be a lowercase name"):
            model._to_channel(bad)
        with pytest.raises(ConfigError, match="channel name must be a lowercase name"):
            ticket(channel=bad)


def test_a_good_str_subclass_is_accepted_but_never_remembered(
    fresh_caches: tuple[set[str], dict[str, Channel]],
) -> None:
    class Name(str):
        __slots__ = ()

    good_names, channels = fresh_caches
    for _ in range(2):
        tier = Tier(Name("gold"))
        assert tier.name == "gold"
        assert tier.rank == 0
        channel = ticket(channel=Name("line")).channel
        assert type(channel) is Channel
        assert channel.name == "line"
    assert "gold" not in good_names
    assert "line" not in good_names
    assert channels == {}
    assert all(type(n) is str for n in good_names)
    # An exact str of the same text is then remembered as usual.
    assert Channel.parse("line") == channel
    assert "line" in good_names


def test_remembered_names_stay_bounded_after_ten_thousand_distinct_names(
    fresh_caches: tuple[set[str], dict[str, Channel]],
) -> None:
    good_names, _ = fresh_caches
    limit = model._GOOD_NAMES_LIMIT
    assert 0 < limit < 10_000
    all_names = [f"n{i}" for i in range(10_000)]
    for s in all_names:
        assert Tier(s).name == s
        assert len(good_names) <= limit
    assert len(good_names) == limit
    # Names past the bound are still checked, and still pass on every later try.
    for s in all_names[-3:] + all_names[:3]:
        assert SkillRequirement(s).skill == s
        assert ticket(category=s).category == s
    assert len(good_names) == limit
    # A full cache changes no verdict on bad names either.
    for bad in ["N1", "", "n1 ", "x" * 65]:
        for _ in range(2):
            with pytest.raises(ConfigError, match=re.escape(repr(bad))):
                Tier(bad)
    assert len(good_names) == limit


def test_remembered_channels_stay_bounded_after_ten_thousand_distinct_names(
    fresh_caches: tuple[set[str], dict[str, Channel]],
) -> None:
    good_names, channels = fresh_caches
    limit = model._GOOD_NAMES_LIMIT
    all_names = [f"ch-{i}" for i in range(10_000)]
    for s in all_names:
        c = model._to_channel(s)
        assert type(c) is Channel
        assert c.name == s
        assert len(channels) <= limit
    assert len(channels) == limit
    assert len(good_names) <= limit
    # Channels past the bound: built on every call, equal to the remembered kind.
    for s in [all_names[0], all_names[limit - 1], all_names[limit], all_names[-1]]:
        for _ in range(2):
            t = ticket(channel=s)
            assert t.channel == Channel(s)
            assert t == ticket(channel=Channel(s))
    assert len(channels) == limit


def test_a_refused_channel_name_is_not_remembered(
    fresh_caches: tuple[set[str], dict[str, Channel]],
) -> None:
    _, channels = fresh_caches
    for bad in ["Chat", "", "chat!", " chat"]:
        for _ in range(2):
            with pytest.raises(ConfigError, match=re.escape(repr(bad))):
                ticket(channel=bad)
    assert channels == {}
    assert ticket(channel="chat").channel == Channel.CHAT
    assert set(channels) == {"chat"}
    with pytest.raises(ConfigError, match=re.escape("'Chat'")):
        ticket(channel="Chat")


# --------------------------------------------------------------------------------------------
# Priority
# --------------------------------------------------------------------------------------------


def test_priority_order_and_str() -> None:
    assert Priority.LOW < Priority.NORMAL < Priority.HIGH < Priority.URGENT
    assert sorted(Priority, reverse=True)[0] is Priority.URGENT
    assert [str(p) for p in Priority] == ["low", "normal", "high", "urgent"]


@given(st.sampled_from(Priority), st.data())
def test_priority_parse_round_trips_member_name_and_int(p: Priority, data: st.DataObject) -> None:
    flips = data.draw(st.lists(st.booleans(), min_size=len(p.name), max_size=len(p.name)))
    any_case = "".join(c.lower() if f else c.upper() for c, f in zip(p.name, flips, strict=True))
    for value in (p, p.name, p.name.lower(), any_case, str(p), int(p), p.value):
        assert Priority.parse(value) is p
        assert ticket(priority=value).priority is p
    assert type(ticket(priority=int(p)).priority) is Priority


_PRIORITY_NAMES = {p.name.lower() for p in Priority}


@given(
    st.one_of(
        st.text(alphabet=string.ascii_letters + string.digits + " _-", max_size=8).filter(
            lambda s: s.lower() not in _PRIORITY_NAMES
        ),
        st.integers().filter(lambda i: i not in range(4)),
        st.sampled_from([True, False, 1.0, 2.5, None, b"high", ["high"], " high", "high "]),
    )
)
def test_priority_parse_refuses_everything_else_naming_it(value: Any) -> None:
    expected = "priority must be one of 'low', 'normal', 'high', 'urgent', got "
    for _ in range(2):
        with pytest.raises(ConfigError, match=re.escape(expected + repr(value))):
            Priority.parse(value)
        with pytest.raises(ConfigError, match=re.escape(expected + repr(value))):
            ticket(priority=value)


@pytest.mark.parametrize("value", ["h\u0131gh", "\u0131", "URGENT\u0130", "\uff48igh"])
def test_priority_parse_refuses_letters_that_only_upper_case_to_a_name(value: str) -> None:
    # str.upper() maps the dotless "ı" to "I" and full-width letters stay apart; a name that is
    # not plain ASCII names no priority, however it changes case.
    with pytest.raises(ConfigError, match=re.escape(f"got {value!r}")):
        Priority.parse(value)


def test_ticket_priority_defaults_to_normal() -> None:
    t = ticket()
    assert t.priority is Priority.NORMAL
    assert t == ticket(priority="normal") == ticket(priority=1) == ticket(priority="NORMAL")
    assert t != ticket(priority=Priority.HIGH)


# --------------------------------------------------------------------------------------------
# Tier
# --------------------------------------------------------------------------------------------

tiers = st.builds(
    Tier,
    name=st.sampled_from(["a", "b", "gold", "silver"]),
    rank=st.integers(0, 3),
)


@given(tiers, tiers)
def test_tiers_order_by_rank_then_name_consistently_with_equality(a: Tier, b: Tier) -> None:
    ka, kb = (a.rank, a.name), (b.rank, b.name)
    assert (a < b) is (ka < kb)
    assert (a > b) is (ka > kb)
    assert (a <= b) is (ka <= kb)
    assert (a >= b) is (ka >= kb)
    assert (a == b) is (ka == kb)
    assert (a != b) is (ka != kb)
    assert [a < b, a == b, a > b].count(True) == 1
    if a == b:
        assert hash(a) == hash(b)


@given(st.lists(tiers, max_size=8))
def test_sorting_tiers_sorts_by_rank_then_name(ts: list[Tier]) -> None:
    assert [(t.rank, t.name) for t in sorted(ts)] == sorted((t.rank, t.name) for t in ts)
    assert max(ts, default=None) == max(ts, key=lambda t: (t.rank, t.name), default=None)


def test_tier_examples() -> None:
    assert Tier("regular") == Tier("regular", 0)
    assert Tier("platinum", 3) > Tier("gold", 2) > Tier("silver", 1) > Tier("regular", 0)
    assert Tier("zinc", 1) > Tier("alpha", 1)
    assert Tier("alpha", 2) > Tier("zinc", 1)
    assert str(GOLD) == "gold"
    assert Tier("gold", 10**9).rank == 10**9
    with pytest.raises(TypeError):
        operator.lt(GOLD, 1)
    tier, other = Tier("gold", 2), cast(object, "gold")
    assert tier != other


@pytest.mark.parametrize(
    ("name", "rank", "pattern"),
    [
        ("Gold", 0, r"tier name must be a lowercase name .*got 'Gold'$"),
        ("", 0, r"tier name must be a lowercase name .*got ''$"),
        ("gold star", 0, r"got 'gold star'$"),
        (3, 0, r"tier name must be a lowercase name .*got 3$"),
        ("gold", -1, r"^tier rank must be a non-negative int, got -1$"),
        ("gold", True, r"^tier rank must be a non-negative int, got True$"),
        ("gold", False, r"^tier rank must be a non-negative int, got False$"),
        ("gold", 1.0, r"^tier rank must be a non-negative int, got 1\.0$"),
        ("gold", "1", r"^tier rank must be a non-negative int, got '1'$"),
        ("gold", None, r"^tier rank must be a non-negative int, got None$"),
    ],
)
def test_tier_refuses_bad_values(name: Any, rank: Any, pattern: str) -> None:
    for _ in range(2):
        with pytest.raises(ConfigError, match=pattern):
            Tier(name, rank)


# --------------------------------------------------------------------------------------------
# Channel
# --------------------------------------------------------------------------------------------


@given(st.from_regex(r"[a-z0-9][a-z0-9_.\-]{0,20}", fullmatch=True), st.data())
def test_channels_are_equal_by_name(name: str, data: st.DataObject) -> None:
    other = data.draw(st.from_regex(r"[a-z0-9][a-z0-9_.\-]{0,20}", fullmatch=True))
    a, b = Channel(name), Channel.parse(name)
    assert a == b
    assert hash(a) == hash(b)
    assert str(a) == name
    assert (Channel(other) == a) is (other == name)
    assert Channel.parse(a) is a


def test_common_channels_are_provided() -> None:
    provided = [Channel.PHONE, Channel.CHAT, Channel.EMAIL, Channel.WHATSAPP, Channel.SOCIAL]
    assert [c.name for c in provided] == ["phone", "chat", "email", "whatsapp", "social"]
    assert Channel("chat") == Channel.CHAT
    assert Channel.parse("chat") == Channel.CHAT
    assert Channel.parse(Channel.CHAT) is Channel.CHAT
    assert Channel("line") != Channel.CHAT
    chat, name = Channel.CHAT, cast(object, "chat")
    assert chat != name


@pytest.mark.parametrize("bad", ["Chat", "CHAT", "", " chat", "chat\n", "é", 1, None])
def test_channel_refuses_bad_names(bad: Any) -> None:
    for build in (Channel, Channel.parse):
        for _ in range(2):
            with pytest.raises(
                ConfigError, match=r"^channel name must be a lowercase name of 1-64 characters"
            ) as exc:
                build(bad)
            assert str(exc.value).endswith(f"got {bad!r}")


# --------------------------------------------------------------------------------------------
# Customer
# --------------------------------------------------------------------------------------------


def test_customer_examples() -> None:
    c = Customer("c-1", GOLD)
    assert (c.language, c.preferred_agent, dict(c.attributes)) == (None, None, {})
    assert Customer("x" * 256, GOLD).id == "x" * 256
    full = Customer("c-2", GOLD, "en", "agent-7", {"city": "Bandung"})
    assert (full.language, full.preferred_agent, full.attributes["city"]) == (
        "en",
        "agent-7",
        "Bandung",
    )
    # Attributes take no part in equality or hashing.
    assert full == Customer("c-2", GOLD, "en", "agent-7", {"city": "Surabaya"})
    assert hash(full) == hash(Customer("c-2", GOLD, "en", "agent-7"))
    assert full != Customer("c-2", SILVER, "en", "agent-7")


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"id": ""}, r"^customer id must be a non-empty string of at most 256 characters, got ''$"),
        ({"id": "x" * 257}, r"^customer id must be a non-empty string .*got 'x{257}'$"),
        ({"id": 42}, r"^customer id must be a non-empty string .*got 42$"),
        ({"id": None}, r"^customer id .*got None$"),
        ({"tier": "gold"}, r"^customer tier must be a Tier, got 'gold'$"),
        ({"tier": None}, r"^customer tier must be a Tier, got None$"),
        ({"tier": 2}, r"^customer tier must be a Tier, got 2$"),
        ({"language": "EN"}, r"^language must be a lowercase name .*got 'EN'$"),
        ({"language": ""}, r"^language must be a lowercase name .*got ''$"),
        ({"language": 7}, r"^language must be a lowercase name .*got 7$"),
        ({"preferred_agent": ""}, r"^preferred_agent must be a non-empty string .*got ''$"),
        ({"preferred_agent": "a" * 257}, r"^preferred_agent must be .*got 'a{257}'$"),
        ({"preferred_agent": 7}, r"^preferred_agent must be a non-empty string .*got 7$"),
        ({"attributes": ["city"]}, r"^attributes must be a mapping, got \['city'\]$"),
        ({"attributes": {1: "x"}}, r"^attribute names must be strings, got 1$"),
    ],
)
def test_customer_refuses_bad_values(kwargs: dict[str, Any], pattern: str) -> None:
    args: dict[str, Any] = {"id": "c-1", "tier": GOLD}
    args.update(kwargs)
    for _ in range(2):
        with pytest.raises(ConfigError, match=pattern):
            Customer(**args)


# --------------------------------------------------------------------------------------------
# SkillRequirement
# --------------------------------------------------------------------------------------------


@given(st.integers(MIN_PROFICIENCY, MAX_PROFICIENCY), st.integers(0, MAX_PROFICIENCY))
def test_skill_requirement_is_met_at_or_above_its_minimum(need: int, have: int) -> None:
    r = SkillRequirement("billing", need)
    assert r.satisfied_by({"billing": have}) is (have >= need)
    assert r.satisfied_by({"refund": 5}) is False
    assert AgentProfile("a", {"billing": have} if have else {}).meets([r]) is (have >= need)


def test_skill_requirement_defaults_to_the_lowest_proficiency() -> None:
    assert SkillRequirement("billing").min_proficiency == MIN_PROFICIENCY == 1
    assert SkillRequirement("billing", MAX_PROFICIENCY).min_proficiency == 5


@pytest.mark.parametrize("bad", [0, 6, -1, True, False, "3", 3.0, None])
def test_skill_requirement_refuses_bad_proficiency(bad: Any) -> None:
    expected = f"min_proficiency of skill 'billing' must be an int from 1 to 5, got {bad!r}"
    with pytest.raises(ConfigError, match=f"^{re.escape(expected)}$"):
        SkillRequirement("billing", bad)


@pytest.mark.parametrize("bad", ["Billing", "", "bill ing", 5, None])
def test_skill_requirement_refuses_bad_skill(bad: Any) -> None:
    with pytest.raises(ConfigError, match=r"^skill must be a lowercase name") as exc:
        SkillRequirement(bad)
    assert str(exc.value).endswith(f"got {bad!r}")


# --------------------------------------------------------------------------------------------
# AgentProfile
# --------------------------------------------------------------------------------------------


def test_agent_profile_examples() -> None:
    a = AgentProfile(
        "ayu",
        {"refund": 5, "billing": 3},
        "id",
        {Channel.CHAT: 3, "email": 0},
        ["tier1", "tier2"],
        "Ayu",
    )
    assert list(a.skills) == ["billing", "refund"]
    assert a.languages == frozenset({"id"})
    assert dict(a.capacity) == {"chat": 3, "email": 0}
    assert list(a.capacity) == ["chat", "email"]
    assert a.teams == frozenset({"tier1", "tier2"})
    assert AgentProfile("b", teams="tier1").teams == frozenset({"tier1"})
    assert (a.proficiency("refund"), a.proficiency("sales")) == (5, 0)
    assert a.meets([SkillRequirement("refund", 5), SkillRequirement("billing", 3)])
    assert not a.meets([SkillRequirement("billing", 4)])
    assert a.meets([])
    with pytest.raises(TypeError):
        a.skills["refund"] = 1  # type: ignore[index]
    with pytest.raises(TypeError):
        a.capacity["chat"] = 1  # type: ignore[index]
    assert AgentProfile("c", capacity={"chat": 1000}).capacity["chat"] == 1000


def test_agent_profile_copies_its_mappings() -> None:
    skills = {"billing": 3}
    capacity: dict[Channel | str, int] = {"chat": 2}
    a = AgentProfile("ayu", skills, capacity=capacity)
    skills["billing"] = 5
    skills["refund"] = 1
    capacity["chat"] = 9
    assert dict(a.skills) == {"billing": 3}
    assert dict(a.capacity) == {"chat": 2}


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"id": ""}, r"^agent id must be a non-empty string of at most 256 characters, got ''$"),
        ({"id": 7}, r"^agent id must be .*got 7$"),
        ({"skills": ["billing"]}, r"^skills must be a mapping of skill -> proficiency, got \['billing'\]$"),
        ({"skills": None}, r"^skills must be a mapping of skill -> proficiency, got None$"),
        ({"skills": "billing"}, r"^skills must be a mapping .*got 'billing'$"),
        ({"skills": {"Billing": 3}}, r"^skill must be a lowercase name .*got 'Billing'$"),
        ({"skills": {3: 3}}, r"^skill must be a lowercase name .*got 3$"),
        ({"skills": {"billing": 0}}, r"^proficiency of skill 'billing' must be an int from 1 to 5, got 0$"),
        ({"skills": {"billing": 6}}, r"^proficiency of skill 'billing' .*got 6$"),
        ({"skills": {"billing": True}}, r"^proficiency of skill 'billing' .*got True$"),
        ({"skills": {"billing": "3"}}, r"^proficiency of skill 'billing' .*got '3'$"),
        ({"languages": ["EN"]}, r"^language must be a lowercase name .*got 'EN'$"),
        ({"languages": [None]}, r"^language must be a lowercase name .*got None$"),
        ({"teams": ["Tier 1"]}, r"^team must be a lowercase name .*got 'Tier 1'$"),
        ({"teams": [1]}, r"^team must be a lowercase name .*got 1$"),
        ({"capacity": ["chat"]}, r"^capacity must be a mapping of channel -> int, got \['chat'\]$"),
        ({"capacity": 3}, r"^capacity must be a mapping of channel -> int, got 3$"),
        ({"capacity": {"Chat": 1}}, r"^channel name must be a lowercase name .*got 'Chat'$"),
        ({"capacity": {None: 1}}, r"^channel name must be a lowercase name .*got None$"),
        ({"capacity": {"chat": -1}}, r"^capacity for channel 'chat' must be an int from 0 to 1000, got -1$"),
        ({"capacity": {"chat": 1001}}, r"^capacity for channel 'chat' .*got 1001$"),
        ({"capacity": {Channel.CHAT: True}}, r"^capacity for channel 'chat' .*got True$"),
        ({"capacity": {"chat": 2.0}}, r"^capacity for channel 'chat' .*got 2\.0$"),
        ({"capacity": {"chat": "2"}}, r"^capacity for channel 'chat' .*got '2'$"),
    ],
)  # fmt: skip
def test_agent_profile_refuses_bad_values(kwargs: dict[str, Any], pattern: str) -> None:
    args: dict[str, Any] = {"id": "ayu"}
    args.update(kwargs)
    for _ in range(2):
        with pytest.raises(ConfigError, match=pattern):
            AgentProfile(**args)


@pytest.mark.parametrize(
    ("kwargs", "shown"),
    [
        ({"languages": 5}, "5"),
        ({"languages": None}, "None"),
        ({"teams": 5}, "5"),
        ({"teams": None}, "None"),
    ],
)
def test_agent_profile_refuses_non_iterable_languages_and_teams(
    kwargs: dict[str, Any], shown: str
) -> None:
    with pytest.raises(ConfigError, match=f"got {re.escape(shown)}$"):
        AgentProfile("ayu", **kwargs)


@pytest.mark.parametrize("bad", [5, None, b"ayu", "x" * 257])
def test_agent_display_name_must_be_a_short_string(bad: object) -> None:
    with pytest.raises(ConfigError, match=re.escape(f"got {bad!r}")):
        AgentProfile("ayu", name=bad)  # type: ignore[arg-type]
    assert AgentProfile("ayu", name="Ayu Lestari (Shift B)").name == "Ayu Lestari (Shift B)"
    assert AgentProfile("ayu", name="x" * 256).name == "x" * 256


# --------------------------------------------------------------------------------------------
# Ticket
# --------------------------------------------------------------------------------------------


def test_ticket_defaults() -> None:
    t = Ticket("t-1", NOBODY, "chat", T0)
    assert t.priority is Priority.NORMAL
    assert t.category == "general"
    assert t.language is None
    assert t.required_skills == ()
    assert dict(t.attributes) == {}
    assert t.tier is SILVER
    assert t.channel == Channel.CHAT
    assert type(t.channel) is Channel


def test_ticket_with_a_channel_name_equals_one_with_the_channel() -> None:
    for _ in range(3):  # the first call may remember "chat"; later ones may reuse it
        by_name = ticket(channel="chat")
        by_object = ticket(channel=Channel.CHAT)
        by_fresh = ticket(channel=Channel("chat"))
        assert by_name == by_object == by_fresh
        assert hash(by_name) == hash(by_object) == hash(by_fresh)
        assert by_name.channel == Channel.CHAT
        assert type(by_name.channel) is Channel
        assert by_name != ticket(channel="email")


def test_ticket_language_defaults_to_the_customers() -> None:
    assert ANI.language == "id"
    assert ticket(customer=ANI).language == "id"
    assert ticket(customer=ANI, language="en").language == "en"
    assert ticket(customer=NOBODY).language is None
    assert ticket(customer=NOBODY, language="en").language == "en"
    # The defaulted language counts in equality like an explicit one.
    assert ticket(customer=ANI) == ticket(customer=ANI, language="id")
    assert ticket(customer=ANI) != ticket(customer=ANI, language="en")


@given(
    st.lists(st.sampled_from(["billing", "refund", "sales", "api", "z"]), unique=True),
    st.randoms(use_true_random=False),
)
def test_required_skills_are_stored_sorted_by_skill_in_any_form(
    skills: list[str], rnd: random.Random
) -> None:
    shuffled = list(skills)
    rnd.shuffle(shuffled)
    expected = tuple(SkillRequirement(s) for s in sorted(skills))
    assert ticket(required_skills=shuffled).required_skills == expected
    assert ticket(required_skills=tuple(shuffled)).required_skills == expected
    assert ticket(required_skills=frozenset(shuffled)).required_skills == expected
    assert ticket(required_skills=iter(shuffled)).required_skills == expected
    assert ticket(required_skills=dict.fromkeys(shuffled, 1)).required_skills == expected
    as_reqs = [SkillRequirement(s) for s in shuffled]
    assert ticket(required_skills=as_reqs).required_skills == expected
    assert ticket(required_skills=shuffled) == ticket(required_skills=sorted(skills))


def test_required_skills_forms() -> None:
    t = ticket(required_skills={"refund": 4, "billing": 2})
    assert t.required_skills == (SkillRequirement("billing", 2), SkillRequirement("refund", 4))
    mixed = ticket(required_skills=[SkillRequirement("refund", 4), "billing"])
    assert mixed.required_skills == (SkillRequirement("billing", 1), SkillRequirement("refund", 4))
    empties: list[Any] = [(), [], {}, set(), iter(()), MappingProxyType({})]
    for empty in empties:
        assert ticket(required_skills=empty).required_skills == ()
        assert ticket(required_skills=empty) == ticket()


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"id": ""}, r"^ticket id must be a non-empty string of at most 256 characters, got ''$"),
        ({"id": "t" * 257}, r"^ticket id .*got 't{257}'$"),
        ({"id": 1}, r"^ticket id .*got 1$"),
        ({"customer": "c-ani"}, r"^ticket customer must be a Customer, got 'c-ani'$"),
        ({"customer": None}, r"^ticket customer must be a Customer, got None$"),
        ({"customer": GOLD}, r"^ticket customer must be a Customer, got Tier\(name='gold', rank=2\)$"),
        ({"created_at": datetime(2026, 3, 2, 9, 0)}, r"^'created_at' must be timezone-aware, got datetime\.datetime\(2026, 3, 2, 9, 0\)$"),
        ({"created_at": "2026-03-02T09:00Z"}, r"^'created_at' must be a timezone-aware datetime, got '2026-03-02T09:00Z'$"),
        ({"created_at": None}, r"^'created_at' must be a timezone-aware datetime, got None$"),
        ({"channel": "Chat"}, r"^channel name must be a lowercase name .*got 'Chat'$"),
        ({"channel": None}, r"^channel name must be a lowercase name .*got None$"),
        ({"priority": "critical"}, r"^priority must be one of .*got 'critical'$"),
        ({"category": "Refund"}, r"^category must be a lowercase name .*got 'Refund'$"),
        ({"category": ""}, r"^category must be a lowercase name .*got ''$"),
        ({"category": "r" * 65}, r"^category must be a lowercase name .*got 'r{65}'$"),
        ({"category": None}, r"^category must be a lowercase name .*got None$"),
        ({"language": "ID"}, r"^language must be a lowercase name .*got 'ID'$"),
        ({"required_skills": ["billing", "billing"]}, r"^required_skills names skill 'billing' twice$"),
        ({"required_skills": [SkillRequirement("billing", 3), "billing"]}, r"^required_skills names skill 'billing' twice$"),
        ({"required_skills": ("a", "b", "a")}, r"^required_skills names skill 'a' twice$"),
        ({"required_skills": "billing"}, r"^required_skills must be a collection of skills, got 'billing'$"),
        ({"required_skills": ""}, r"^required_skills must be a collection of skills, got ''$"),
        ({"required_skills": ["Billing"]}, r"^skill must be a lowercase name .*got 'Billing'$"),
        ({"required_skills": [5]}, r"^skill must be a lowercase name .*got 5$"),
        ({"required_skills": {"billing": 0}}, r"^min_proficiency of skill 'billing' must be an int from 1 to 5, got 0$"),
        ({"required_skills": {"billing": True}}, r"^min_proficiency of skill 'billing' .*got True$"),
        ({"attributes": {1: "x"}}, r"^attribute names must be strings, got 1$"),
        ({"attributes": {"ok": 1, None: 2}}, r"^attribute names must be strings, got None$"),
    ],
)  # fmt: skip
def test_ticket_refuses_bad_values(kwargs: dict[str, Any], pattern: str) -> None:
    # The message is the detail alone; the path is the field's, relative to the ticket (what
    # a reader of a ticket's plain data joins to its own path).
    name, value = next(iter(kwargs.items()))
    field = name
    if name == "required_skills" and isinstance(value, dict):
        field = f"required_skills.{next(iter(value))}"
    elif name == "required_skills" and isinstance(value, list) and len(value) == 1:
        field = "required_skills[0]"
    for _ in range(2):
        with pytest.raises(ConfigError, match=pattern) as exc:
            ticket(**kwargs)
        assert exc.value.path == field


@pytest.mark.parametrize(("bad", "shown"), [(5, "5"), (None, "None")])
def test_ticket_refuses_non_iterable_required_skills(bad: Any, shown: str) -> None:
    with pytest.raises(ConfigError, match=f"got {re.escape(shown)}$"):
        ticket(required_skills=bad)


def test_created_at_may_be_in_any_zone() -> None:
    wib = timezone(timedelta(hours=7))
    t = ticket(created_at=T0.astimezone(wib))
    assert t.created_at == T0
    assert t == ticket(created_at=T0)


# --------------------------------------------------------------------------------------------
# Attributes (Customer and Ticket)
# --------------------------------------------------------------------------------------------

EMPTY_ATTRIBUTES: list[Callable[[], Mapping[str, Any] | None]] = [
    lambda: None,
    dict,
    lambda: MappingProxyType({}),
    OrderedDict,
]


@pytest.mark.parametrize("make_empty", EMPTY_ATTRIBUTES)
def test_empty_attributes_give_an_empty_read_only_mapping(
    make_empty: Callable[[], Mapping[str, Any] | None],
) -> None:
    for obj in (ticket(attributes=make_empty()), Customer("c", GOLD, attributes=make_empty())):
        attributes = obj.attributes
        assert isinstance(attributes, Mapping)
        assert dict(attributes) == {}
        assert len(attributes) == 0
        with pytest.raises(TypeError):
            attributes["x"] = 1  # type: ignore[index]
        assert dict(obj.attributes) == {}
        assert dict(ticket().attributes) == {}


def test_empty_attributes_are_not_a_view_of_the_callers_mapping() -> None:
    backing: dict[str, Any] = {}
    t = ticket(attributes=backing)
    backing["late"] = 1
    assert dict(t.attributes) == {}
    backing2: dict[str, Any] = {}
    t2 = ticket(attributes=MappingProxyType(backing2))
    c = Customer("c", GOLD, attributes=MappingProxyType(backing2))
    backing2["late"] = 1
    assert dict(t2.attributes) == {}
    assert dict(c.attributes) == {}
    assert dict(ticket().attributes) == {}


@given(
    st.dictionaries(
        st.text(max_size=5),
        st.one_of(st.integers(-(2**63), 2**63 - 1), st.text(max_size=3), st.none()),
        max_size=5,
    )
)
def test_attributes_are_copied_read_only(given_attributes: dict[str, Any]) -> None:
    callers = dict(given_attributes)
    proxied = dict(given_attributes)
    t = ticket(attributes=callers)
    c = Customer("c", GOLD, attributes=callers)
    via_proxy = ticket(attributes=MappingProxyType(proxied))
    callers["added-later"] = 1
    proxied["added-later"] = 1
    for k in given_attributes:
        callers[k] = "changed"
        proxied[k] = "changed"
    for obj in (t, c, via_proxy):
        assert dict(obj.attributes) == given_attributes
        with pytest.raises(TypeError):
            obj.attributes["x"] = 1  # type: ignore[index]


@pytest.mark.parametrize(
    "bad", [[], [("a", 1)], (), "", "abc", 0, 1, set(), frozenset({"a"}), b"", object()]
)
def test_non_mapping_attributes_are_refused(bad: Any) -> None:
    expected = f"attributes must be a mapping, got {bad!r}"
    for _ in range(2):
        with pytest.raises(ConfigError, match=f"^{re.escape(expected)}$"):
            ticket(attributes=bad)
        with pytest.raises(ConfigError, match=f"^{re.escape(expected)}$"):
            Customer("c", GOLD, attributes=bad)


# --------------------------------------------------------------------------------------------
# Equality, hashing, immutability
# --------------------------------------------------------------------------------------------

attribute_dicts = st.dictionaries(st.sampled_from(["city", "vip"]), st.integers(0, 2), max_size=2)
customers = st.builds(
    Customer,
    id=st.sampled_from(["c1", "c2"]),
    tier=st.sampled_from([GOLD, SILVER]),
    language=st.sampled_from([None, "id"]),
    preferred_agent=st.sampled_from([None, "ayu"]),
    attributes=attribute_dicts,
)
tickets = st.builds(
    Ticket,
    id=st.sampled_from(["t1", "t2"]),
    customer=customers,
    channel=st.sampled_from(["chat", Channel.CHAT, Channel("chat"), "email", Channel.EMAIL]),
    created_at=st.sampled_from(
        [T0, T0.astimezone(timezone(timedelta(hours=7))), T0 + timedelta(1)]
    ),
    priority=st.sampled_from([Priority.NORMAL, "normal", 1, "high", Priority.HIGH]),
    category=st.sampled_from(["general", "refund"]),
    language=st.sampled_from([None, "id", "en"]),
    required_skills=st.sampled_from([(), [], ["billing"], {"billing": 1}, {"billing": 2}]),
    attributes=attribute_dicts,
)


def customer_key(c: Customer) -> tuple[Any, ...]:
    return (c.id, c.tier, c.language, c.preferred_agent)


def ticket_key(t: Ticket) -> tuple[Any, ...]:
    return (
        t.id,
        customer_key(t.customer),
        t.channel.name,
        t.created_at,
        int(t.priority),
        t.category,
        t.language,
        tuple((r.skill, r.min_proficiency) for r in t.required_skills),
    )


@given(tickets, tickets)
def test_ticket_equality_ignores_attributes_and_hash_agrees(a: Ticket, b: Ticket) -> None:
    assert (a == b) is (ticket_key(a) == ticket_key(b))
    if a == b:
        assert hash(a) == hash(b)
    same_but_attributes = attrs.evolve(a, attributes={"other": ["a", {"b": 1}]})
    assert same_but_attributes == a
    assert hash(same_but_attributes) == hash(a)


@given(customers, customers)
def test_customer_equality_ignores_attributes_and_hash_agrees(a: Customer, b: Customer) -> None:
    assert (a == b) is (customer_key(a) == customer_key(b))
    if a == b:
        assert hash(a) == hash(b)


frozen_objects = st.one_of(
    tiers,
    st.builds(Channel, st.sampled_from(["chat", "line"])),
    st.builds(SkillRequirement, st.sampled_from(["billing", "refund"]), st.integers(1, 5)),
    customers,
    st.just(AgentProfile("ayu", {"billing": 3}, ["id"], {"chat": 2}, ["t1"], "Ayu")),
    tickets,
)


@given(frozen_objects, st.data())
def test_frozen_objects_refuse_attribute_assignment(obj: Any, data: st.DataObject) -> None:
    before = fields_of(obj)
    field = data.draw(st.sampled_from([f.name for f in attrs.fields(type(obj))]))
    replacement: Any = data.draw(st.sampled_from([None, "x", 0, GOLD]))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        setattr(obj, field, replacement)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        delattr(obj, field)
    assert fields_of(obj) == before


def test_ticket_language_is_frozen_after_defaulting() -> None:
    t = ticket(customer=ANI)
    field = "language"
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        setattr(t, field, "en")
    assert t.language == "id"


def test_attributes_hold_json_values_within_what_a_snapshot_reads_back() -> None:
    """Free-form attributes are copied as JSON values within the limits a snapshot or a
    journal entry is read back with; anything else is refused when the ticket is made (it
    was accepted, and only the restore refused it -- or ``json.dumps`` of the snapshot
    failed after the desk had changed)."""
    deepest: Any = "bottom"
    for _ in range(MAX_ATTRIBUTE_DEPTH - 1):
        deepest = [deepest]
    fine = {"body": "x" * MAX_ATTRIBUTE_STRING, "deep": deepest, "pair": (1, 2.5), "id": 2**63 - 1}
    t = ticket(attributes=fine)
    assert t.attributes["pair"] == [1, 2.5]  # a tuple becomes a list, as JSON reads it back
    nested: list[Any] = [["x"]]
    copied = ticket(attributes={"n": nested})
    nested[0].append("later")
    assert copied.attributes["n"] == [["x"]]  # a copy: the caller's later change is not seen
    for bad, match in (
        ({"body": "x" * (MAX_ATTRIBUTE_STRING + 1)}, r"attributes\.body is a string of 65537"),
        ({"deep": [deepest]}, r"attributes\.deep(\[0\])+ nests deeper than 16 levels"),
        ({"v": float("nan")}, r"attributes\.v must be a finite number, got nan"),
        ({"v": {1, 2}}, r"attributes\.v must be a JSON value .*got \{1, 2\}"),
        ({"v": 2**63}, r"attributes\.v must be a 64-bit integer"),
        ({"m": {"k": {3: "x"}}}, r"attribute names must be strings, got 3 in attributes\.m\.k"),
    ):
        with pytest.raises(ConfigError, match=match):
            ticket(attributes=bad)
        with pytest.raises(ConfigError, match=match):
            Customer("c", GOLD, attributes=bad)
