"""metrics after the fourth review: interval reports at the ends of the datetime range, and
``Report.to_dict`` carrying what daily reports need to combine into a weekly one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

from csflow.errors import ConfigError
from csflow.events import TicketAssigned, TicketQueued, TicketResolved
from csflow.metrics import IntervalSummarizer, Report, summarize, summarize_intervals
from csflow.model import Priority

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


def queued(at: datetime, tid: str = "T1") -> TicketQueued:
    return TicketQueued(at, tid, "q", Priority.NORMAL, None, "gold", "chat", "")


# ---------------------------------------------------------------------------------------------
# 7. the ends of the datetime range


@pytest.mark.parametrize(
    ("at", "zone", "interval", "start"),
    [
        (
            datetime(9999, 12, 31, 9, tzinfo=UTC),
            "Europe/Berlin",
            timedelta(minutes=30),
            "9999-12-31T10:00:00+01:00",
        ),
        (
            datetime(9999, 12, 31, 22, 59, tzinfo=UTC),
            "Europe/Berlin",
            timedelta(days=1),
            "9999-12-31T00:00:00+01:00",
        ),
        (
            datetime(1, 1, 2, tzinfo=UTC),
            "Pacific/Kiritimati",  # local mean time then, 10:29:20 behind UTC
            timedelta(days=1),
            "0001-01-01T00:00:00-10:29:20",
        ),
        (
            datetime(1, 1, 1, 12, tzinfo=UTC),
            "Asia/Kathmandu",
            timedelta(hours=1),
            "0001-01-01T17:00:00+05:41:16",
        ),
    ],
)
def test_an_interval_near_the_ends_of_the_range_gets_its_row(
    at: datetime, zone: str, interval: timedelta, start: str
) -> None:
    report = summarize_intervals(
        [queued(at), TicketAssigned(at, "T1", "ana", 0.0, 1, "")], zone=zone, interval=interval
    )
    [(first, row)] = report
    assert first.isoformat() == start
    assert row.offered == row.answered == 1
    assert report.to_dict()["intervals"][0]["start"] == start
    assert report.table()[1].startswith(start[:10])


_ZONES: tuple[str | tzinfo, ...] = (
    "UTC",
    "Europe/Berlin",
    "Pacific/Kiritimati",
    "America/Adak",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    timezone(timedelta(hours=14)),
    timezone(-timedelta(hours=23, minutes=59)),
)
_NEAR_ENDS = (
    datetime(1, 1, 1, tzinfo=UTC),
    datetime(1, 1, 1, 12, tzinfo=UTC),
    datetime(1, 1, 1, 23, 59, tzinfo=UTC),
    datetime(1, 1, 2, tzinfo=UTC),
    datetime(1, 1, 2, 13, tzinfo=UTC),
    datetime(9999, 12, 30, tzinfo=UTC),
    datetime(9999, 12, 31, 9, tzinfo=UTC),
    datetime(9999, 12, 31, 22, 59, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
)


@pytest.mark.parametrize("zone", _ZONES, ids=str)
@pytest.mark.parametrize("minutes", [1, 30, 120, 1440])
def test_near_the_ends_a_ticket_gets_the_row_that_holds_it_or_a_config_error(
    zone: str | tzinfo, minutes: int
) -> None:
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    for at in _NEAR_ENDS:
        live = IntervalSummarizer(zone=zone, interval=timedelta(minutes=minutes))
        live.add(queued(datetime(2026, 3, 2, 9, tzinfo=UTC), "T0"))
        before = live.report()
        try:
            at.astimezone(tz)
        except OverflowError:  # its local date is past the range: the documented error
            with pytest.raises(ConfigError, match=r"^events\[1\]: no interval holds .* 1-9999"):
                live.add(queued(at))
            assert live.events == 1
            assert live.report() == before
            continue
        live.add(queued(at))
        report = live.report()
        [(start, length)] = [
            (s, n)
            for (s, r), n in zip(report, report.lengths, strict=True)
            if r.offered and s.year != 2026
        ]
        t = (at - _EPOCH) // _US
        first = (start - _EPOCH) // _US
        assert first <= t < first + length // _US, (at, zone, start, length)


# ---------------------------------------------------------------------------------------------
# 8. to_dict: daily reports combine into a weekly one


def test_to_dict_holds_every_stored_count_and_span() -> None:
    data = Report().to_dict()
    for field in attrs.fields(Report):
        assert field.name in data or f"{field.name}_seconds" in data, field.name


def _day(day: int, waits: list[int], handles: list[int]) -> list[Any]:
    events: list[Any] = []
    t = datetime(2026, 3, day, 9, tzinfo=UTC)
    for i, (wait, handle) in enumerate(zip(waits, handles, strict=True)):
        tid = f"D{day}-{i}"
        at = t + timedelta(minutes=10 * i)
        answered = at + timedelta(seconds=wait)
        events += [
            queued(at, tid),
            TicketAssigned(answered, tid, "ana", float(wait), 1, ""),
            TicketResolved(answered + timedelta(seconds=handle), tid, "ana"),
        ]
    return events


def test_daily_exports_combine_into_the_exact_weekly_asa_and_aht() -> None:
    days = [_day(2, [5, 40, 7], [301, 95, 122]), _day(3, [3], [600]), _day(4, [61, 2], [30, 45])]
    daily = [summarize(d).to_dict() for d in days]
    week = summarize([e for d in days for e in d])

    def total(key: str) -> float:
        return float(sum(d[key] for d in daily))

    assert total("total_wait_seconds") == week.total_wait.total_seconds()
    assert total("handlings_resolved") == week.handlings_resolved
    assert total("resolved_handle_time_seconds") == week.resolved_handle_time.total_seconds()
    asa = total("total_wait_seconds") / total("answered")
    aht = total("resolved_handle_time_seconds") / total("handlings_resolved")
    assert week.average_speed_of_answer == timedelta(seconds=asa)
    assert week.average_handle_time == timedelta(seconds=aht)
    # The mean of the daily means is not the week's: the counts are what make it exact.
    means = [d["average_handle_time_seconds"] for d in daily]
    assert sum(means) / len(means) != aht
