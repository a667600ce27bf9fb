"""Command values as a journal holds them: every value built writes a row that reads back,
equal to the value written.

1. ``AddAgent`` and ``Submit`` check their arguments when built, as the other commands do: a
   profile or ticket of another type, a presence or routing profile no row reads back, is a
   ``ConfigError`` at the argument's name (it was an ``AttributeError`` from ``to_dict``, or a
   value whose row ``command_from_dict`` refuses);
2. a ``GrantGoodwill`` amount given as an int of more digits than a row holds is a
   ``ConfigError`` (it was Python's ``ValueError`` for an int past 4,300 digits);
3. a command read back from its row equals (and hashes as) the command written, whatever zone
   its ``at`` is in -- the repeated hour of a DST change included.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, Customer, Ticket, Tier
from csflow.desk.commands import (
    COMMANDS,
    AddAgent,
    Advance,
    Command,
    GrantGoodwill,
    RecordFeedback,
    Reply,
    Submit,
    UpdateAgent,
    command_from_dict,
)
from csflow.errors import ConfigError

T0 = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)
SARI = AgentProfile("sari", capacity={"chat": 1})
TICKET = Ticket("T-1", Customer("ayu", Tier("gold", 3)), "chat", T0)
NEW_YORK = ZoneInfo("America/New_York")
ZONES = [
    UTC,
    NEW_YORK,
    ZoneInfo("Europe/London"),
    ZoneInfo("Australia/Lord_Howe"),  # a half-hour DST shift
    ZoneInfo("Asia/Jakarta"),
    timezone(timedelta(hours=5, minutes=45)),
    timezone(timedelta(hours=-9, minutes=-30)),
]


def _any(value: object) -> Any:
    """*value*, typed as anything: an argument of a type the signature does not allow."""
    return value


def _row(command: Command) -> Any:
    return json.loads(json.dumps(command.to_dict(), allow_nan=False))


# ---------------------------------------------------------------------------------------------
# 1. What no row reads back is not built


@pytest.mark.parametrize(
    ("build", "path"),
    [
        (lambda: AddAgent(_any("sari"), "available", at=T0), "profile"),
        (lambda: AddAgent(_any(None), at=T0), "profile"),
        (lambda: AddAgent(SARI, "", at=T0), "presence"),
        (lambda: AddAgent(SARI, _any(5), at=T0), "presence"),
        (lambda: AddAgent(SARI, "x" * 4097, at=T0), "presence"),
        (lambda: AddAgent(SARI, "available", "", at=T0), "routing_profile"),
        (lambda: AddAgent(SARI, "available", _any(3), at=T0), "routing_profile"),
        (lambda: Submit(_any("T-1"), at=T0), "ticket"),
        (lambda: Submit(_any({"id": "T-1"}), at=T0), "ticket"),
        (lambda: Submit(_any(None), at=T0), "ticket"),
    ],
)
def test_a_command_value_no_row_reads_back_is_not_built(build: Any, path: str) -> None:
    with pytest.raises(ConfigError) as caught:
        build()
    assert caught.value.path == path


_TEXT = st.text(
    st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=40
) | st.sampled_from(["x" * 4096, "é\u0301", "😀", " ", "\x00"])


@settings(max_examples=60, deadline=None)
@given(
    presence=_TEXT | st.integers() | st.none(),
    routing_profile=st.none() | _TEXT | st.just("") | st.integers(),
    profile=st.sampled_from([SARI, "sari", None, TICKET]),
)
def test_every_add_agent_built_reads_back_equal(
    presence: object, routing_profile: object, profile: object
) -> None:
    """Either the value is refused when built, or its row (through JSON) reads back to it."""
    try:
        command = AddAgent(profile, presence, routing_profile, at=T0)  # type: ignore[arg-type]
    except ConfigError:
        ok = (
            isinstance(profile, AgentProfile)
            and isinstance(presence, str)
            and 0 < len(presence) <= 4096
            and (routing_profile is None or isinstance(routing_profile, str))
            and (routing_profile is None or 0 < len(str(routing_profile)) <= 4096)
        )
        assert not ok  # refused only what no row holds
        return
    assert command_from_dict(_row(command)) == command


def test_submit_and_update_agent_values_read_back() -> None:
    for command in (Submit(TICKET, at=T0), UpdateAgent(SARI, "default", at=T0)):
        assert command_from_dict(_row(command)) == command


# ---------------------------------------------------------------------------------------------
# 2. An int amount too long for a row


@pytest.mark.parametrize("digits", [4097, 4301, 10_000])
@pytest.mark.parametrize("sign", [1, -1])
def test_an_int_amount_too_long_for_a_row_is_a_config_error(digits: int, sign: int) -> None:
    with pytest.raises(ConfigError) as caught:
        GrantGoodwill("T-1", "sari", sign * 10 ** (digits - 1), "late", at=T0)
    assert caught.value.path == "amount"


@pytest.mark.parametrize("amount", [1, 25_000, 10**15, 10**4095, -(10**4094)])
def test_an_int_amount_a_row_holds_reads_back_as_its_digits(amount: int) -> None:
    command = GrantGoodwill("T-1", "sari", amount, "late", at=T0)
    assert command.amount == str(amount)
    assert command_from_dict(_row(command)) == command


# ---------------------------------------------------------------------------------------------
# 3. Read back equal, in every zone


def _samples(at: datetime) -> list[Command]:
    return [
        Reply("T-1", "sari", at=at),
        Advance(at=at),
        RecordFeedback("T-1", 4, "ok", at=at),
        GrantGoodwill("T-1", "sari", "25000", "late", at=at),
        AddAgent(SARI, "available", at=at),
        Submit(Ticket("T-1", Customer("ayu", Tier("gold", 3)), "chat", at), at=at),
    ]


#: UTC instants whose wall time repeats in a zone above: New York and London fall back,
#: Lord Howe turns back half an hour.
_FOLDS = [
    (datetime(2026, 11, 1, 6, 0, tzinfo=UTC), NEW_YORK),
    (datetime(2026, 10, 25, 1, 0, tzinfo=UTC), ZoneInfo("Europe/London")),
    (datetime(2026, 4, 4, 14, 30, tzinfo=UTC), ZoneInfo("Australia/Lord_Howe")),
]
_IN_A_FOLD = st.builds(
    lambda fold, us: (fold[0] + timedelta(microseconds=us), fold[1]),
    st.sampled_from(_FOLDS),
    st.integers(0, 30 * 60 * 10**6 - 1),
)
_ANYWHERE = st.tuples(
    st.datetimes(
        min_value=datetime(1970, 1, 2), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    st.sampled_from(ZONES),
)


@settings(max_examples=60, deadline=None)
@given(when=_IN_A_FOLD | _ANYWHERE)
def test_a_command_read_back_equals_the_command_written(when: tuple[datetime, Any]) -> None:
    utc, zone = when
    local = utc.astimezone(zone)  # sets fold=1 for the second of a repeated wall time
    for command in _samples(local):
        back = command_from_dict(_row(command))
        assert back == command
        assert hash(back) == hash(command)
        assert back.to_dict() == command.to_dict()


def test_a_command_in_the_repeated_hour_reads_back_equal() -> None:
    """01:30 on the night New York falls back, the second one (EST): 06:30 UTC."""
    second = datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK, fold=1)
    first = datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK, fold=0)
    command = Reply("T-1", "sari", at=second)
    back = command_from_dict(_row(command))
    assert back.at == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    assert back == command
    assert {back, command} == {command}
    # Equality is the instant's: the first 01:30 (EDT, 05:30 UTC) is another command.
    assert Reply("T-1", "sari", at=first) != command
    assert Reply("T-1", "sari", at=second + timedelta(microseconds=1)) != command
    submit = Submit(Ticket("T-1", Customer("ayu", Tier("gold", 3)), "chat", second), at=second)
    assert command_from_dict(_row(submit)) == submit
    earlier = Ticket("T-1", Customer("ayu", Tier("gold", 3)), "chat", first)
    assert Submit(earlier, at=second) != submit


def test_commands_of_one_instant_in_two_zones_are_equal_and_others_are_not() -> None:
    jakarta = T0.astimezone(ZoneInfo("Asia/Jakarta"))
    assert Reply("T-1", "sari", at=jakarta) == Reply("T-1", "sari", at=T0)
    assert Reply("T-1", "sari", at=T0) != Reply("T-1", "dewi", at=T0)
    assert Reply("T-1", "sari", at=T0) != Reply("T-1", "sari", at=T0 + timedelta(seconds=1))
    assert _any(Advance(at=T0)) != Reply("T-1", "sari", at=T0)


def test_every_command_class_compares_its_at_as_an_instant() -> None:
    for cls in COMMANDS.values():
        field: Any = attrs.fields(cls).at
        assert field.eq_key is not None, cls.__name__
