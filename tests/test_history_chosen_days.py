"""``forecast_from_history(days=...)``: a forecast from days chosen by hand -- the same day of a
moving feast (Lebaran) in past years -- and ``csflow forecast --days``."""

from __future__ import annotations

import json
import pathlib
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.cli import main
from csflow.errors import ConfigError
from csflow.staffing import MAX_LOOKBACK, forecast_from_history

JAKARTA = ZoneInfo("Asia/Jakarta")
HOUR = timedelta(hours=1)
# Idul Fitri's first day in Indonesia: 2024-04-10, 2025-03-31, 2026-03-20 (Lebaran's second
# day, the busiest for a desk whose customers travel home, the day after each).
LEBARAN_2 = {2024: date(2024, 4, 11), 2025: date(2025, 4, 1), 2026: date(2026, 3, 22)}


def _at(d: date, hour: int, minute: int) -> datetime:
    return datetime.combine(d, time(hour, minute), JAKARTA)


def test_lebaran_from_past_lebarans_worked_by_hand() -> None:
    # Lebaran's second day brought 6 and 2 chats between 09:00 and 10:00 in 2025 and 2024,
    # 1 and 3 between 10:00 and 11:00; ordinary days around them brought one chat an hour.
    past = [_at(LEBARAN_2[2025], 9, m) for m in (1, 5, 10, 20, 30, 59)]
    past += [_at(LEBARAN_2[2024], 9, m) for m in (0, 45)]
    past += [_at(LEBARAN_2[2025], 10, 15)] + [_at(LEBARAN_2[2024], 10, m) for m in (1, 2, 3)]
    past += [_at(LEBARAN_2[2026] - timedelta(days=7 * w), 9, 30) for w in range(1, 5)]
    f = forecast_from_history(
        past,
        LEBARAN_2[2026],
        timezone="Asia/Jakarta",
        interval=HOUR,
        days=[LEBARAN_2[2024], LEBARAN_2[2025]],
    )
    assert f.days == (LEBARAN_2[2025], LEBARAN_2[2024])  # most recent first
    assert f.counted == 12
    assert [r.arrivals for r in f.intervals[8:12]] == [0.0, 4.0, 2.0, 0.0]
    assert f.total == 6.0
    # The walk back (four Saturdays) sees only the ordinary chats: one at 09:30 each week.
    walk = forecast_from_history(past, LEBARAN_2[2026], timezone="Asia/Jakarta", interval=HOUR)
    assert [r.arrivals for r in walk.intervals[8:12]] == [0.0, 1.0, 0.0, 0.0]


def _arrivals(seed_days: list[date], offsets: list[tuple[int, int]]) -> list[datetime]:
    return [
        datetime.combine(seed_days[k % len(seed_days)], time(0), JAKARTA) + timedelta(minutes=m)
        for k, m in offsets
    ]


@settings(max_examples=40, deadline=None)
@given(
    day=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    lookback=st.integers(1, 6),
    same_weekday=st.booleans(),
    offsets=st.lists(st.tuples(st.integers(0, 10), st.integers(-60, 24 * 60 + 60)), max_size=60),
    zone=st.sampled_from(["Asia/Jakarta", "Europe/London", "America/New_York"]),
)
def test_chosen_days_equal_to_the_walk_give_the_walks_forecast(
    day: date,
    lookback: int,
    same_weekday: bool,
    offsets: list[tuple[int, int]],
    zone: str,
) -> None:
    walk = forecast_from_history(
        iter(()), day, timezone=zone, lookback=lookback, same_weekday=same_weekday
    )
    past = _arrivals(list(walk.days), offsets)
    walk = forecast_from_history(
        past, day, timezone=zone, lookback=lookback, same_weekday=same_weekday
    )
    chosen = forecast_from_history(past, day, timezone=zone, days=reversed(walk.days))
    assert chosen == walk


@settings(max_examples=40, deadline=None)
@given(
    picks=st.sets(st.integers(1, 3000), min_size=1, max_size=5),
    offsets=st.lists(st.tuples(st.integers(0, 7), st.integers(-30, 24 * 60 + 30)), max_size=80),
)
def test_chosen_days_against_a_count_by_hand(
    picks: set[int], offsets: list[tuple[int, int]]
) -> None:
    # Jakarta keeps one offset all year: each hour of a day is 09:00 + k hours local, and the
    # forecast of an hour is the mean of what each chosen day's same hour received.
    target = date(2026, 3, 21)
    chosen = [target - timedelta(days=p) for p in sorted(picks)]
    past = _arrivals(chosen, offsets)
    f = forecast_from_history(past, target, timezone="Asia/Jakarta", interval=HOUR, days=chosen)
    for hour, row in enumerate(f.intervals):
        count = sum(
            1
            for a in past
            if a.date() in chosen and a.hour == hour  # a is in Jakarta time already
        )
        assert row.arrivals == pytest.approx(count / len(chosen), abs=1e-12)
        assert row.start == _at(target, hour, 0)
    assert f.counted == sum(1 for a in past if a.date() in chosen)
    assert f.days == tuple(sorted(chosen, reverse=True))


def _refused(**kwargs: object) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        forecast_from_history([], date(2026, 3, 21), timezone="Asia/Jakarta", **kwargs)  # type: ignore[arg-type]
    return info.value


def test_bad_chosen_days_are_refused_with_the_path() -> None:
    day = date(2025, 4, 1)
    for extra in ({"lookback": 4}, {"same_weekday": True}, {"exclude": [date(2026, 3, 14)]}):
        err = _refused(days=[day], **extra)
        assert err.path == "days"
        assert "leave out 'lookback'" in str(err)
    err = _refused(days=[day, date(2024, 4, 11), day])
    assert err.path == "days[2]"
    assert "2025-04-01 again" in str(err)
    err = _refused(days=[day, date(2026, 3, 21)])
    assert err.path == "days[1]"
    assert "before 2026-03-21" in str(err)
    err = _refused(days=[datetime(2025, 4, 1, tzinfo=JAKARTA)])
    assert err.path == "days[0]"
    assert "datetime.date" in str(err)
    err = _refused(days=[])
    assert err.path == "days"
    assert "at least one" in str(err)
    err = _refused(days="2025-04-01")
    assert err.path == "days"
    assert "iterable of dates" in str(err)

    def endless() -> Iterator[date]:
        d = date(2026, 3, 20)
        while True:
            yield d
            d -= timedelta(days=1)

    err = _refused(days=endless())  # bounded: read no further than the limit
    assert err.path == "days"
    assert f"at most {MAX_LOOKBACK}" in str(err)
    # The walk's arguments keep their defaults and checks without *days*.
    assert _refused(lookback=0).path == ""
    assert len(forecast_from_history([], date(2026, 3, 21), timezone="UTC").days) == 4


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_days(capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path) -> None:
    rows = [_at(LEBARAN_2[2025], 9, 5), _at(LEBARAN_2[2025], 9, 15), _at(LEBARAN_2[2024], 9, 0)]
    rows += [_at(LEBARAN_2[2024], 10, 30), _at(date(2026, 3, 14), 9, 0)]
    path = tmp_path / "arrivals.csv"
    path.write_text("created_at\n" + "".join(f"{r.isoformat()}\n" for r in rows))
    days = f"{LEBARAN_2[2025]},{LEBARAN_2[2024]}"
    common = ("forecast", str(path), "--day", "2026-03-21", "--zone", "Asia/Jakarta")
    status, out, err = _cli(capsys, *common, "--days", days, "--interval", "1h", "--format", "json")
    assert status == 0, err
    data = json.loads(out)
    assert data["days"] == ["2025-04-01", "2024-04-11"]
    assert data["counted"] == 4
    assert [row["arrivals"] for row in data["forecast"][9:11]] == [1.5, 0.5]
    status, out, err = _cli(capsys, *common, "--days", days, "--format", "table")
    assert status == 0
    assert "the mean of 2 chosen past days, 30m intervals" in out
    # Given twice, as --exclude may be: the same days.
    status, again, err = _cli(
        capsys, *common, "--days", str(LEBARAN_2[2025]), "--days", str(LEBARAN_2[2024]),
        "--interval", "1h", "--format", "json",
    )  # fmt: skip
    assert status == 0
    assert json.loads(again) == data
    for clash in (("--lookback", "3"), ("--daily",), ("--exclude", "2026-03-14")):
        status, out, err = _cli(capsys, *common, "--days", days, *clash)
        assert status == 2
        assert out == ""
        assert "--days: names the days to average itself" in err
    status, out, err = _cli(capsys, *common, "--days", "2026-03-28")
    assert status == 2
    assert "--days: expected a day before 2026-03-21" in err
    status, out, err = _cli(capsys, *common, "--days", "2026-02-30")
    assert status == 2
    assert "--days" in err
