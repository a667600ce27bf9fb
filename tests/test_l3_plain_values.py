"""The reprs in a library message written as a config or an event file writes the values:
``csflow.cli.plain.plain_values``, checked against ISO 8601 written from its definition."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow._text import show
from csflow.cli.plain import plain_values
from csflow.model import Metric, Priority


def _iso_seconds(value: timedelta) -> str:
    """ISO 8601 seconds, written from the definition: sign, whole seconds, the fraction's
    digits without trailing zeros."""
    us = value.days * 86_400_000_000 + value.seconds * 1_000_000 + value.microseconds
    sign = "-" if us < 0 else ""
    whole, frac = divmod(abs(us), 1_000_000)
    return f"{sign}PT{whole}{('.' + str(frac).rjust(6, '0')).rstrip('0') if frac else ''}S"


_ZONES = st.sampled_from(
    [
        None,
        UTC,
        timezone(timedelta(hours=7)),
        timezone(timedelta(hours=-3, minutes=-30), "X"),
        ZoneInfo("Asia/Jakarta"),
        ZoneInfo("America/New_York"),
    ]
)
_VALUES: st.SearchStrategy[tuple[Any, str]] = st.one_of(
    st.builds(
        lambda d, z: (d.replace(tzinfo=z), d.replace(tzinfo=z).isoformat()),
        st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
        _ZONES,
    ),
    st.dates().map(lambda d: (d, f"{d.year:04d}-{d.month:02d}-{d.day:02d}")),
    st.times().map(lambda t: (t, t.isoformat())),
    st.timedeltas().map(lambda d: (d, _iso_seconds(d))),
    st.decimals(allow_nan=False, allow_infinity=False, places=2).map(lambda d: (d, str(d))),
    st.sampled_from([(p, p.name.lower()) for p in Priority]),
    st.sampled_from([(m, m.value) for m in Metric]),
)


@settings(max_examples=200, deadline=None)
@given(value=_VALUES, before=st.sampled_from(["got ", "from ", "(", "["]))
def test_a_repr_in_a_message_is_written_as_a_file_writes_it(
    value: tuple[Any, str], before: str
) -> None:
    v, written = value
    assert plain_values(f"'at' {before}{show(v)}, expected more") == (
        f"'at' {before}{written}, expected more"
    )
    assert plain_values(f"got [{show(v)}, {show(v)}]") == f"got [{written}, {written}]"


@settings(max_examples=100, deadline=None)
@given(text=st.text(st.characters(codec="utf-8"), max_size=80))
def test_a_message_without_reprs_is_left_as_it_is(text: str) -> None:
    assert plain_values(text) == text
    quoted = f"got {show('datetime.date(2026, 3, 1)')} {text}"  # what a file wrote: text
    assert plain_values(quoted) == quoted


def test_a_repr_that_is_no_value_is_left_as_it_is() -> None:
    for text in (
        "got datetime.datetime(2026, 13, 1)",
        "got datetime.datetime(2026, 1, 1",
        "got Decimal(__import__('os'))",
        "got datetime.datetime(2026, 1, 1, tzinfo=zoneinfo.ZoneInfo(key='No/Such_Zone'))",
    ):
        assert plain_values(text) == text


def test_values_of_other_kinds_in_the_property() -> None:
    # The strategy's kinds, each once, so that a value the property skips shows here.
    assert plain_values(f"got {show(date(2026, 3, 1))}") == "got 2026-03-01"
    assert plain_values(f"got {show(time(6, 0))}") == "got 06:00:00"
    assert plain_values(f"got {show(Decimal('12.50'))}") == "got 12.50"
    assert plain_values(f"got {show(timedelta(minutes=-6))}") == "got -PT360S"


def test_a_long_message_is_left_as_written_and_read_quickly() -> None:
    # Unclosed calls make each repr's end a scan to the end of the message: a long message
    # is not rewritten (bounded work), whatever it holds.
    hostile = "Decimal(" * 20_000 + "datetime.timedelta(seconds=1)"
    assert plain_values(hostile) == hostile
