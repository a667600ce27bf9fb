"""Calendar refusals a mutation sample found unasserted (``make mutation``, calendar).

Every refusal of a calendar's hours, holidays, plain data and arithmetic, with its error type
and its whole message (and path, for plain data).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

import pytest

from csflow.calendar import BusinessCalendar as B
from csflow.errors import CalendarError, ConfigError, CsflowError

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
W = {"mon": [("09:00", "17:00")]}
OFF = B("UTC", weekly={})

REFUSED: list[tuple[type[CsflowError], Callable[[], object], str]] = [
    (
        CalendarError,
        lambda: B("UTC", weekly={"mon": [(time(9, 0, 30), "17:00")]}),
        "weekly['mon'][0] start must be a whole-minute naive time, got datetime.time(9, 0, 30)",
    ),
    (
        CalendarError,
        lambda: B("UTC", weekly={"mon": [(9, "17:00")]}),  # type: ignore[list-item]
        "weekly['mon'][0] start must be an 'HH:MM' string, got 9",
    ),
    (
        CalendarError,
        lambda: B("UTC", weekly={"mon": [("9am", "17:00")]}),
        "weekly['mon'][0] start must be an 'HH:MM' string from '00:00' to '24:00', got '9am'",
    ),
    (
        CalendarError,
        lambda: B("UTC", weekly={"mon": [("09:00", "24:30")]}),
        "weekly['mon'][0] end must not be later than '24:00', got '24:30'",
    ),
    (
        CalendarError,
        lambda: B("UTC", weekly={"mon": [("24:00", "24:00")]}),
        "weekly['mon'][0] start: '24:00' is allowed only as the end of a span, got '24:00'",
    ),
    (
        CalendarError,
        lambda: B("UTC", weekly={"mon": "09:00-17:00"}),
        "weekly['mon'] must be a list of ('HH:MM', 'HH:MM') spans, got '09:00-17:00'",
    ),
    (
        CalendarError,
        lambda: B("UTC", weekly={"mon": [("09:00",)]}),
        "weekly['mon'][0] must be a pair ('HH:MM', 'HH:MM'), got ('09:00',)",
    ),
    (
        CalendarError,
        lambda: B("UTC", weekly={"mon": [("17:00", "09:00")]}),
        "weekly['mon'][0] must start before it ends, got ('17:00', '09:00')",
    ),
    (
        CalendarError,
        lambda: B("UTC", weekly={"mon": [("09:00", "12:00"), ("11:00", "17:00")]}),
        "weekly['mon'] spans must be sorted and must not overlap, got ('11:00', '17:00') after ('09:00', '12:00')",
    ),
    (
        CalendarError,
        lambda: B("UTC", weekly=W, holidays={"2026-03-20": "x"}),  # type: ignore[dict-item]
        "'holidays' keys must be datetime.date values, got '2026-03-20'",
    ),
    (
        CalendarError,
        lambda: B("Mars/Base"),
        "'timezone' must be an IANA time zone name, got 'Mars/Base'",
    ),
    (CalendarError, lambda: B(5), "'timezone' must be an IANA time zone name, got 5"),  # type: ignore[arg-type]
    (
        CalendarError,
        lambda: B("UTC", weekly=5),  # type: ignore[arg-type]
        "'weekly' must be a mapping of day -> spans, got 5",
    ),
    (
        CalendarError,
        lambda: B("UTC", weekly={"monday": []}),
        "'weekly' keys must be one of ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'), got 'monday'; did you mean 'mon'?",
    ),
    (
        CalendarError,
        lambda: B("UTC", weekly=W, holidays=5),  # type: ignore[arg-type]
        "'holidays' must be a mapping or iterable of dates, got 5",
    ),
    (
        CalendarError,
        lambda: B("UTC", weekly=W, special_days=5),  # type: ignore[arg-type]
        "'special_days' must be a mapping of date -> spans, got 5",
    ),
    (ConfigError, lambda: B.from_dict(5), "calendar: expected a mapping, got 5"),
    (
        ConfigError,
        lambda: B.from_dict({"timezone": "UTC", "bogus": 1}),
        "calendar: unknown key 'bogus'; expected one of ['always_open', 'holidays', 'special_days', 'timezone', 'weekly']",
    ),
    (
        ConfigError,
        lambda: B.from_dict({"timezone": "UTC", "always_open": True, "weekly": W}),
        "calendar: 'always_open' excludes weekly, holidays and special_days",
    ),
    (
        ConfigError,
        lambda: B.from_dict({"timezone": "UTC", "weekly": W, "holidays": 5}),
        "calendar.holidays: expected a mapping or list of ISO dates, got 5",
    ),
    (
        ConfigError,
        lambda: B.from_dict({"timezone": "UTC", "weekly": W, "special_days": 5}),
        "calendar.special_days: expected a mapping of ISO date -> spans, got 5",
    ),
    (
        ConfigError,
        lambda: B.from_dict({"timezone": "UTC", "weekly": W, "holidays": ["2026-02-30"]}),
        "calendar.holidays: expected an ISO date 'YYYY-MM-DD', got '2026-02-30'",
    ),
    (
        ConfigError,
        lambda: B.from_dict({"timezone": "UTC", "weekly": W, "holidays": [20260320]}),
        "calendar.holidays: expected an ISO date 'YYYY-MM-DD', got 20260320",
    ),
    (
        ConfigError,
        lambda: B.from_dict({"timezone": "UTC", "weekly": W, "holidays": {"2026-03-20": 5}}),
        "calendar.holidays.2026-03-20: a holiday's name must be a string of at most 256 characters, got 5",
    ),
    (
        ConfigError,
        lambda: B.from_dict({"timezone": "Mars/Base"}, path="calendars.x"),
        "calendars.x.timezone: 'timezone' must be an IANA time zone name, got 'Mars/Base'",
    ),
    (
        CalendarError,
        lambda: OFF.next_open(T0),
        "calendar in 'UTC' never opens again: no weekly hours and no later special day with open hours",
    ),
    (
        CalendarError,
        lambda: B("UTC", weekly=W).elapsed(T0, T0 - timedelta(seconds=1)),
        "'end' must not be before 'start', got start=datetime.datetime(2026, 3, 2, 9, 0, "
        "tzinfo=datetime.timezone.utc), end=datetime.datetime(2026, 3, 2, 8, 59, 59, "
        "tzinfo=datetime.timezone.utc)",
    ),
    (
        CalendarError,
        lambda: B("UTC", weekly=W).add(T0, timedelta(seconds=-1)),
        "'duration' must not be negative, got datetime.timedelta(days=-1, seconds=86399)",
    ),
    (
        CalendarError,
        lambda: B("UTC", weekly=W).add(datetime(9999, 12, 31, tzinfo=UTC), timedelta(days=3650)),
        "the deadline datetime.timedelta(days=3650) after 9999-12-31T00:00:00+00:00 is past the year 9999: outside the supported range of dates (years 1-9999)",
    ),
    (
        CalendarError,
        lambda: B("UTC", weekly=W).add(T0, timedelta(days=365 * 200)),
        "spans longer than 200 years are not supported (from the year 2026): each year in between is indexed once, and the cost must stay bounded",
    ),
    (
        CalendarError,
        lambda: B("UTC", weekly=W).add_us(0, -1),
        "'duration' must not be negative, got -1 µs",
    ),
    (
        CalendarError,
        lambda: B("UTC", weekly=W).elapsed_us(1, 0),
        "'end' must not be before 'start', got 1 > 0 µs",
    ),
    (
        CalendarError,
        lambda: B("UTC", weekly=W).is_open_us(True),
        "'t' must be an int of microseconds, got True",
    ),
    (
        CalendarError,
        lambda: B("UTC", weekly=W).is_open(datetime(2026, 3, 2)),
        "'at' must be timezone-aware, got datetime.datetime(2026, 3, 2, 0, 0)",
    ),
]


@pytest.mark.parametrize(("error", "call", "message"), REFUSED)
def test_every_refusal_has_its_type_and_its_message(
    error: type[CsflowError], call: Callable[[], object], message: str
) -> None:
    with pytest.raises(error) as caught:
        call()
    assert str(caught.value) == message
