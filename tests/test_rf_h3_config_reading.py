"""False refusals and unbounded costs in this session's stricter config readers: a sweep over
``simulation.arrivals.channels`` that leaves a channel out, an error message quoting a value
whose aliases share one long string, and a large YAML file without aliases."""

from __future__ import annotations

import json
import pathlib
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csflow import calendar
from csflow._text import show
from csflow.calendar import BusinessCalendar
from csflow.cli import documents, main
from csflow.cli.documents import read_data
from csflow.errors import ConfigError
from csflow.sim import AgentGroup, Arrivals, SimConfig
from csflow.sim.distributions import Exponential

_CHANNELS = ("chat", "phone", "email")


def _plan(channels: dict[str, int], **over: Any) -> dict[str, Any]:
    plan: dict[str, Any] = {
        "start": "2026-03-16T08:00:00+00:00",
        "duration": "PT1H",
        "arrivals": {"rates": [["00:00", 30]], "channels": channels},
        "agents": [{"name": "a", "count": 3, "capacity": {"chat": 2, "phone": 1, "email": 3}}],
        "handle_time": {
            "default": {"exponential": "PT6M"},
            "phone": {"exponential": "PT9M"},
            "email": {"exponential": "PT12M"},
        },
        "patience": {"chat": {"exponential": "PT8M"}, "phone": {"exponential": "PT4M"}},
    }
    plan.update(over)
    return plan


# -- a sweep over arrivals.channels that leaves a channel out -------------------------------


@given(
    mix=st.dictionaries(st.sampled_from(_CHANNELS), st.integers(1, 3), min_size=1),
)
def test_a_mix_that_leaves_out_a_channel_the_agents_serve_keeps_its_entries(
    mix: dict[str, int],
) -> None:
    # Every variant of a channel what-if builds, and each keeps the distributions as given:
    # an entry of a channel the mix leaves out is simply not drawn from.
    config = SimConfig.from_dict(_plan(mix))
    assert {k for k, _ in config.handle_time} == {"default", "phone", "email"}
    assert {k for k, _ in config.patience} == {"chat", "phone"}


@given(
    key=st.one_of(
        st.sampled_from(_CHANNELS), st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
    ),
    served=st.sets(st.sampled_from(_CHANNELS), min_size=1),
    field=st.sampled_from(["handle_time", "patience"]),
)
def test_a_key_is_accepted_iff_the_mix_or_a_capacity_names_it(
    key: str, served: set[str], field: str
) -> None:
    # A misspelling names no channel of the run (the traffic's real channel is in the mix
    # and in a capacity, or the config is refused for that): refused at its path.
    table = {"default": Exponential(timedelta(minutes=6)), key: Exponential(timedelta(minutes=3))}
    capacity = dict.fromkeys(served, 1)
    kwargs: dict[str, Any] = {field: table}

    def build() -> SimConfig:
        return SimConfig(
            datetime.fromisoformat("2026-03-16T08:00:00+00:00"),
            timedelta(hours=1),
            Arrivals.constant(10, channels={"chat": 1}),
            [AgentGroup("a", 2, capacity=capacity)],
            **kwargs,
        )

    if key in ("default", "chat") or key in served:
        assert dict(getattr(build(), field))[key] == table[key]
    else:
        with pytest.raises(ConfigError) as info:
            build()
        assert info.value.path == f"{field}.{key}"


def test_the_cli_sweeps_a_channel_mix_that_drops_a_channel(tmp_path: pathlib.Path) -> None:
    document = {
        "simulation": _plan({"chat": 2, "phone": 1}),
        "sweep": {
            "parameter": "simulation.arrivals.channels",
            "values": [{"chat": 2, "phone": 1}, {"chat": 1}, {"phone": 1}],
        },
    }
    path = tmp_path / "what-if.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert main(["simulate", str(path), "--format", "csv"]) == 0


# -- error messages quoting values whose aliases share a long string -------------------------


def test_show_does_not_build_the_repr_of_a_shared_long_string() -> None:
    # One 60,000-character string shared 100 times: a builtin repr of 6 MB (2,000 such
    # aliases of a 500 KB string in a YAML file made a repr of 1 GB).
    text = "x" * 60_000
    for value in ([text] * 100, {"k": [text] * 100}, [{text: 1}] * 100, (text, text)):
        shown = show(value)
        assert len(shown) < 500
        assert shown.endswith("of more than 100,000 characters)")


@given(
    st.recursive(
        st.one_of(st.text(max_size=50), st.integers(-(10**30), 10**30), st.none()),
        lambda inner: st.one_of(
            st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=5), inner, max_size=5)
        ),
        max_leaves=30,
    )
)
def test_show_is_the_builtin_repr_of_a_small_value(value: object) -> None:
    text = repr(value)
    assert show(value) == text if len(text) <= 400 else show(value).endswith("characters)")


# -- a large YAML file without aliases -------------------------------------------------------


def test_a_yaml_file_without_aliases_is_not_bounded_by_the_alias_budget(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # MAX_YAML_VALUES bounds what aliases add: a file that writes every value itself is read
    # whole however many values it has, as its JSON twin is.  (A smaller bound stands in for
    # the 1,000,000 values of a file of megabytes.)
    monkeypatch.setattr(documents, "MAX_YAML_VALUES", 1_000)
    rows = [[i, "a"] for i in range(2_000)]
    plain = tmp_path / "plain.yaml"
    plain.write_text("rows:\n" + "".join(f"  - [{i}, a]\n" for i, _ in rows), encoding="utf-8")
    data, _ = read_data(plain)
    assert data == {"rows": rows}
    # Aliases that add more than the bound are still refused.
    shared = tmp_path / "shared.yaml"
    row = "[" + ", ".join(["x"] * 50) + "]"
    shared.write_text(f"row: &r {row}\nrows: [" + ", ".join(["*r"] * 40) + "]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="aliases expand to more than 1,000 values"):
        read_data(shared)


def test_a_roster_of_300_shifts_written_with_merge_keys_is_read(tmp_path: pathlib.Path) -> None:
    # What anchors are for: a shift template merged into 300 shifts, each overriding its start.
    lines = [
        "shift: &shift {end: PT8H, breaks: [{start: PT4H, end: PT4H30M}]}",
        "shifts:",
        *(f"  - {{<<: *shift, start: PT{i % 4}H}}" for i in range(300)),
    ]
    path = tmp_path / "roster.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data, _ = read_data(path)
    assert len(data["shifts"]) == 300
    assert data["shifts"][7] == {
        "end": "PT8H",
        "breaks": [{"start": "PT4H", "end": "PT4H30M"}],
        "start": "PT3H",
    }


# -- a calendar of 48 spans a day: the cache of worked-out dates ----------------------------


def _dense_calendar() -> BusinessCalendar:
    spans = [
        (f"{m // 60:02d}:{m % 60:02d}", f"{(m + 20) // 60:02d}:{(m + 20) % 60:02d}")
        for m in range(0, 24 * 60, 30)
    ]
    weekly = dict.fromkeys(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), spans)
    special = {date(2031 + i, 7, 1): spans[: 1 + i % 48] for i in range(40)}
    return BusinessCalendar("Europe/Berlin", weekly, special_days=special)


def test_the_date_cache_of_a_dense_calendar_is_bounded_by_its_intervals(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Each year asked about works out its two clock-change dates (48 intervals each here): the
    # cache holds at most _DAY_CACHE_INTERVALS intervals (2,400,000 under the bound on dates
    # alone), and the answers are those of a cache without the bound.
    bound = 1_000
    queries = [datetime(2030 + y, 3 + 7 * (y % 2), 29, 9, 15, tzinfo=UTC) for y in range(0, 60, 3)]

    def answers(cal: BusinessCalendar) -> list[object]:
        start = datetime(2030, 1, 1, tzinfo=UTC)
        return [
            (cal.is_open(t), cal.elapsed(start, t), cal.add(t, timedelta(days=9))) for t in queries
        ]

    monkeypatch.setattr(calendar, "_DAY_CACHE_INTERVALS", bound, raising=False)
    bounded = _dense_calendar()
    got = answers(bounded)
    cached = cast("dict[int, tuple[tuple[object, ...], int]]", bounded._days)
    assert 0 < sum(len(intervals) for intervals, _ in cached.values()) <= bound
    monkeypatch.setattr(calendar, "_DAY_CACHE_INTERVALS", 10**12, raising=False)
    assert got == answers(_dense_calendar())
