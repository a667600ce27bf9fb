"""Short abandons: customers who leave the line within a few seconds are left out of the
service level and the abandonment rate when a threshold is given (``short_abandon``), and
everything stays as it was without one.

Laws checked over real desk streams (programs drawn by :func:`csflow.testing.commands`) and
simulations: a zero threshold changes nothing; ``short_abandoned`` counts exactly the
abandonments of undecided tickets that waited strictly less than the threshold since their
first ``TicketQueued``; a larger threshold never lowers the service level nor raises the
abandonment rate; interval rows add up; a simulation's report is ``summarize`` over its events
with its threshold; ``SimConfig`` reads the threshold from plain data in every form.
"""

from __future__ import annotations

import argparse
import copy
import json
import pathlib
import pickle
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import DeskConfig
from csflow.cli import main
from csflow.cli.documents import load_document
from csflow.cli.report import report as report_command
from csflow.cli.schema import schema
from csflow.errors import ConfigError
from csflow.events import (
    DeskEvent,
    Event,
    TicketAbandoned,
    TicketAssigned,
    TicketClosed,
    TicketEscalated,
    TicketQueued,
    TicketStatusChanged,
    TicketTransferred,
)
from csflow.metrics import (
    IntervalSummarizer,
    Report,
    Summarizer,
    summarize,
    summarize_intervals,
)
from csflow.model import Priority
from csflow.sim import SimConfig, simulate
from csflow.testing import commands, replay
from test_metrics_properties import lives, time_ordered

T0 = datetime(2026, 3, 19, 9, 0, tzinfo=UTC)
SEC = timedelta(seconds=1)
FIVE = 5 * SEC


def queued(at: datetime, tid: str) -> TicketQueued:
    return TicketQueued(at, tid, "front", Priority.NORMAL, None, "gold", "chat", "")


def assigned(at: datetime, tid: str, wait: float) -> TicketAssigned:
    return TicketAssigned(at, tid, "ana", wait, 1, "")


def abandoned(at: datetime, tid: str, wait: float) -> TicketAbandoned:
    return TicketAbandoned(at, tid, wait)


def worked_example() -> list[DeskEvent]:
    """10 tickets: 6 answered (after 5, 12, 19, 25, 40 and 60 s: 3 within 20 s) and 4
    abandoned (after 2, 4, 30 and 90 s)."""
    events: list[DeskEvent] = []
    for i, wait in enumerate([5, 12, 19, 25, 40, 60]):
        events += [queued(T0, f"A{i}"), assigned(T0 + wait * SEC, f"A{i}", float(wait))]
    for i, wait in enumerate([2, 4, 30, 90]):
        events += [queued(T0, f"X{i}"), abandoned(T0 + wait * SEC, f"X{i}", float(wait))]
    return sorted(events, key=lambda e: e.at)


# ---------------------------------------------------------------------------------------------
# the worked example, by hand


def test_the_worked_example_by_hand() -> None:
    events = worked_example()
    plain = summarize(events)
    assert (plain.offered, plain.answered, plain.answered_within_target) == (10, 6, 3)
    assert (plain.abandoned, plain.short_abandoned) == (4, 0)
    assert plain.service_level == 3 / 10
    assert plain.abandonment_rate == 4 / 10

    report = summarize(events, short_abandon=FIVE)
    assert report.short_abandon == FIVE
    assert (report.offered, report.abandoned, report.short_abandoned) == (10, 4, 2)
    assert report.service_level == 3 / (6 + 4 - 2) == 0.375
    assert report.abandonment_rate == 2 / 8 == 0.25
    # Nothing else moves: the short abandons are still offered and abandoned tickets.
    assert attrs.evolve(report, short_abandon=timedelta(0), short_abandoned=0) == plain

    data = report.to_dict()
    assert data["short_abandoned"] == 2
    assert data["short_abandon_seconds"] == 5.0
    assert data["service_level"] == 0.375
    assert data["abandonment_rate"] == 0.25
    assert data["abandoned"] == 4


def test_every_way_in_gives_the_same_report() -> None:
    events = worked_example()
    want = summarize(events, short_abandon=FIVE)
    live = Summarizer(short_abandon=FIVE)
    live.extend(events)
    assert live.report() == want
    assert summarize_intervals(events, short_abandon=FIVE).total == want
    intervals = IntervalSummarizer(short_abandon=FIVE)
    intervals.extend(events)
    (row,) = (r for _, r in intervals.report())
    assert row == want  # one half hour holds every ticket


def test_the_threshold_is_strict_and_measured_from_the_first_queued() -> None:
    """A wait of exactly the threshold is not short; a microsecond less is.  The wait runs
    from the first ``TicketQueued``, not from a later return to the line (``waited``)."""
    us = timedelta(microseconds=1)
    events: list[DeskEvent] = [
        queued(T0, "exact"),
        abandoned(T0 + FIVE, "exact", 5.0),
        queued(T0, "under"),
        abandoned(T0 + FIVE - us, "under", 4.999999),
        queued(T0, "moved"),
        TicketTransferred(T0 + 4 * SEC, "moved", None, "back", 1),
        # The desk's `waited` counts from the transfer (2 s); the customer waited 6 s in all.
        abandoned(T0 + 6 * SEC, "moved", 2.0),
    ]
    events.sort(key=lambda e: e.at)
    report = summarize(events, short_abandon=FIVE)
    assert (report.abandoned, report.short_abandoned) == (3, 1)


def test_only_abandons_before_an_answer_count() -> None:
    """A ticket answered, put back in line and then abandoned is answered, not abandoned; a
    ticket whose TicketQueued is not in the stream is not offered, so not short either."""
    events: list[Event] = [
        queued(T0, "T1"),
        assigned(T0 + SEC, "T1", 1.0),
        TicketStatusChanged(T0 + 2 * SEC, "T1", "assigned", "open"),
        abandoned(T0 + 3 * SEC, "T1", 1.0),
        abandoned(T0 + 3 * SEC, "unseen", 1.0),
    ]
    report = summarize(events, short_abandon=timedelta(minutes=1))
    assert (report.answered, report.abandoned, report.short_abandoned) == (1, 0, 0)
    assert report.service_level == 1.0


def test_a_report_of_only_short_abandons_has_no_rates() -> None:
    events = [queued(T0, "T1"), abandoned(T0 + SEC, "T1", 1.0)]
    report = summarize(events, short_abandon=FIVE)
    assert (report.offered, report.short_abandoned) == (1, 1)
    assert report.service_level is None
    assert report.abandonment_rate is None
    assert summarize(events).service_level == 0.0


# ---------------------------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize("bad", [-SEC, 5, 5.0, "PT5S", None, True])
def test_a_bad_threshold_is_refused_naming_it(bad: Any) -> None:
    builds: list[Callable[[], object]] = [
        lambda: Summarizer(short_abandon=bad),
        lambda: summarize([], short_abandon=bad),
        lambda: IntervalSummarizer(short_abandon=bad),
        lambda: summarize_intervals([], short_abandon=bad),
    ]
    for build in builds:
        with pytest.raises(ConfigError, match=r"^short_abandon: 'short_abandon' must") as info:
            build()
        assert info.value.path == "short_abandon"
    with pytest.raises(ConfigError, match=r"'short_abandon' must"):
        Report(short_abandon=bad)


def test_a_bad_threshold_reads_no_event() -> None:
    read: list[Event] = []

    def stream() -> Iterator[Event]:
        for event in worked_example():
            read.append(event)
            yield event

    with pytest.raises(ConfigError):
        summarize(stream(), short_abandon=-SEC)
    with pytest.raises(ConfigError):
        summarize_intervals(stream(), short_abandon=-SEC)
    assert read == []


def test_a_report_refuses_more_short_abandons_than_abandons() -> None:
    with pytest.raises(ConfigError, match=r"^short_abandoned: 'short_abandoned' must be at most"):
        Report(abandoned=1, short_abandoned=2, short_abandon=FIVE)
    with pytest.raises(ConfigError, match=r"'short_abandoned' must be an int >= 0, got -1"):
        Report(short_abandoned=-1)
    with pytest.raises(ConfigError, match=r"'short_abandoned' must be an int >= 0"):
        Report(abandoned=2, short_abandoned=True)


# ---------------------------------------------------------------------------------------------
# reports: pickling, export, tables


def test_reports_with_short_abandons_pickle_and_copy() -> None:
    report = summarize(worked_example(), short_abandon=FIVE)
    for clone in (pickle.loads(pickle.dumps(report)), copy.deepcopy(report), copy.copy(report)):
        assert clone == report
        assert (clone.short_abandon, clone.short_abandoned) == (FIVE, 2)
        assert clone.service_level == 0.375


def test_a_report_built_from_the_fields_before_them_has_no_short_abandons() -> None:
    """The new fields come last: a report rebuilt from the older fields in order (a pickle
    taken before them, a positional call) keeps its meaning."""
    names = [f.name for f in attrs.fields(Report)]
    cut = names.index("short_abandon")
    assert names[cut : cut + 2] == ["short_abandon", "short_abandoned"]
    plain = summarize(worked_example())
    older = tuple(getattr(plain, n) for n in names[:cut])
    rebuilt = Report(*older)
    assert tuple(getattr(rebuilt, n) for n in names[:cut]) == older
    assert (rebuilt.short_abandon, rebuilt.short_abandoned) == (timedelta(0), 0)


def test_daily_exports_combine_into_the_weeks_short_abandons() -> None:
    example = worked_example()
    days = [
        example,
        [e for e in example if e.ticket_id.startswith("X")],  # only the abandons
        [e for e in example if e.ticket_id in ("A0", "X0", "X3")],
    ]
    for i, day in enumerate(days):  # distinct days, distinct ids
        days[i] = [
            attrs.evolve(e, at=e.at + timedelta(days=i), ticket_id=f"d{i}-{e.ticket_id}")
            for e in day
        ]
    exports = [summarize(d, short_abandon=FIVE).to_dict() for d in days]
    week = summarize([e for d in days for e in d], short_abandon=FIVE)
    assert sum(d["short_abandoned"] for d in exports) == week.short_abandoned
    within = sum(d["answered_within_target"] for d in exports)
    decided = sum(d["answered"] + d["abandoned"] - d["short_abandoned"] for d in exports)
    assert within / decided == week.service_level


def test_the_table_shows_short_abandons_only_with_a_threshold() -> None:
    plain = summarize(worked_example())
    assert not any("short" in line for line in plain.table())
    lines = summarize(worked_example(), short_abandon=FIVE).table()
    at = lines.index("abandoned                       4")
    assert lines[at + 1] == "short abandons (< 5 s)          2"
    assert "service level (20 s)            37.5%" in lines


def test_the_interval_table_adds_a_column_only_with_a_threshold() -> None:
    events = worked_example()
    plain = summarize_intervals(events).table()
    assert plain[0].endswith("AHT")
    table = summarize_intervals(events, short_abandon=FIVE).table()
    assert table[0] == plain[0] + "   short<5 s"
    assert table[1] == plain[1].replace("30.0%", "37.5%") + f"{2:>12}"
    assert table[-1].startswith("total")
    assert table[-1].endswith(f"{2:>12}")


# ---------------------------------------------------------------------------------------------
# laws over real desk streams

DESK = DeskConfig()
THRESHOLDS = st.integers(0, 900).map(lambda s: s * SEC) | st.sampled_from(
    [timedelta(0), timedelta(microseconds=1), timedelta(hours=1)]
)


def desk_streams() -> st.SearchStrategy[list[Event]]:
    """Real desks' streams (programs drawn against a desk, replayed), and generated ticket
    lives with many abandonments after 0 to 60 seconds or after their SLA cycles."""
    programs = commands(DESK, start=T0, min_size=5, max_size=40)
    return programs.map(lambda program: replay(DESK, program, errors=True)) | lives().map(
        time_ordered
    )


def naive_short_abandons(events: list[Event], threshold: timedelta) -> int:
    """The short abandons of a stream, counted the plain way: per ticket life (from its first
    event to the close or abandonment that ends it), the first ``TicketQueued`` and whether an
    assignment came since; an abandonment of an unanswered ticket is short when it came less
    than *threshold* after that first ``TicketQueued``.  Where no hand-over or return to the
    line came in between, the desk's own ``waited`` must say the same wait."""
    first: dict[str, datetime] = {}
    answered: set[str] = set()
    moved: set[str] = set()
    count = 0
    for ev in events:
        if not isinstance(ev, DeskEvent):
            continue
        tid = ev.ticket_id
        if isinstance(ev, TicketQueued):
            first.setdefault(tid, ev.at)
        elif isinstance(ev, TicketAssigned) and tid in first:
            answered.add(tid)
        elif isinstance(ev, TicketTransferred | TicketEscalated | TicketStatusChanged):
            moved.add(tid)
        elif isinstance(ev, TicketAbandoned) and tid in first and tid not in answered:
            wait = max(ev.at - first[tid], timedelta(0))
            if tid not in moved:
                assert ev.waited == wait.total_seconds()
            count += wait < threshold
        if isinstance(ev, TicketClosed | TicketAbandoned):
            first.pop(tid, None)
            answered.discard(tid)
            moved.discard(tid)
    return count


@settings(max_examples=60)
@given(desk_streams(), THRESHOLDS)
def test_short_abandons_are_the_abandons_that_waited_less_than_the_threshold(
    events: list[Event], threshold: timedelta
) -> None:
    report = summarize(events, short_abandon=threshold)
    assert report.short_abandoned == naive_short_abandons(events, threshold)
    assert report.short_abandoned <= report.abandoned
    plain = summarize(events)
    decided = plain.answered + plain.abandoned - report.short_abandoned
    want = plain.answered_within_target / decided if decided else None
    assert report.service_level == want
    offered = plain.offered - report.short_abandoned
    rate = (plain.abandoned - report.short_abandoned) / offered if offered else None
    assert report.abandonment_rate == rate
    assert attrs.evolve(report, short_abandon=timedelta(0), short_abandoned=0) == plain


@settings(max_examples=60)
@given(desk_streams())
def test_a_zero_threshold_is_the_report_without_one(events: list[Event]) -> None:
    plain = summarize(events)
    assert summarize(events, short_abandon=timedelta(0)) == plain
    assert (plain.short_abandon, plain.short_abandoned) == (timedelta(0), 0)
    decided = plain.answered + plain.abandoned
    assert plain.service_level == (plain.answered_within_target / decided if decided else None)
    assert plain.abandonment_rate == (plain.abandoned / plain.offered if plain.offered else None)


@settings(max_examples=60)
@given(desk_streams(), THRESHOLDS, THRESHOLDS)
def test_a_larger_threshold_never_lowers_the_service_level(
    events: list[Event], a: timedelta, b: timedelta
) -> None:
    low, high = sorted((a, b))
    lo, hi = summarize(events, short_abandon=low), summarize(events, short_abandon=high)
    assert lo.short_abandoned <= hi.short_abandoned
    if lo.service_level is not None and hi.service_level is not None:
        assert lo.service_level <= hi.service_level
    if lo.abandonment_rate is not None and hi.abandonment_rate is not None:
        assert lo.abandonment_rate >= hi.abandonment_rate


@settings(max_examples=40)
@given(desk_streams(), THRESHOLDS, st.sampled_from([1, 5, 30]))
def test_interval_rows_add_up_to_the_whole(
    events: list[Event], threshold: timedelta, minutes: int
) -> None:
    result = summarize_intervals(
        events, interval=timedelta(minutes=minutes), zone="Asia/Jakarta", short_abandon=threshold
    )
    assert result.total == summarize(events, short_abandon=threshold)
    assert sum(r.short_abandoned for _, r in result) == result.total.short_abandoned
    assert sum(r.abandoned for _, r in result) == result.total.abandoned
    for _, row in result:
        assert row.short_abandon == threshold
        assert row.short_abandoned <= row.abandoned


# ---------------------------------------------------------------------------------------------
# the simulator


def impatient_day(short_abandon: object = None) -> dict[str, Any]:
    """Half an hour of chats, too few agents, and customers who mostly give up in seconds."""
    sim: dict[str, Any] = {
        "start": "2026-03-16T09:00:00+07:00",
        "duration": "PT30M",
        "arrivals": {"rates": [["00:00", 240]], "channels": {"chat": 1}},
        "handle_time": {"default": {"exponential": 300}},
        "patience": {"chat": {"exponential": 12}},
        "agents": [{"name": "front", "count": 2, "capacity": {"chat": 1}}],
    }
    if short_abandon is not None:
        sim["short_abandon"] = short_abandon
    return sim


def test_a_simulation_leaves_short_abandons_out_of_its_service_level() -> None:
    seen: list[Event] = []
    config = SimConfig.from_dict(impatient_day(5))
    result = simulate(DeskConfig(), config, seed=3, on_event=seen.append)
    report = result.report
    assert report.short_abandon == FIVE
    assert 0 < report.short_abandoned < report.abandoned
    want = summarize(seen, service_target=config.service_target, short_abandon=FIVE)
    assert report == attrs.evolve(want, available=report.available)
    plain = simulate(DeskConfig(), SimConfig.from_dict(impatient_day()), seed=3).report
    assert plain.short_abandoned == 0
    assert attrs.evolve(report, short_abandon=timedelta(0), short_abandoned=0) == plain
    assert plain.service_level is not None
    assert report.service_level is not None
    assert report.service_level > plain.service_level


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**16), st.sampled_from([0, 3, 5, "PT10S", 60]))
def test_a_simulations_report_is_summarize_over_its_events(seed: int, threshold: Any) -> None:
    seen: list[Event] = []
    config = SimConfig.from_dict(impatient_day(threshold))
    result = simulate(DeskConfig(), config, seed=seed, on_event=seen.append)
    want = summarize(seen, service_target=config.service_target, short_abandon=config.short_abandon)
    assert result.report == attrs.evolve(want, available=result.report.available)


@pytest.mark.parametrize(
    ("given_value", "want"),
    [
        (5, FIVE),
        (5.5, timedelta(seconds=5.5)),
        ("PT5S", FIVE),
        ("PT0S", timedelta(0)),
        (0, timedelta(0)),
        (None, timedelta(0)),
    ],
)
def test_sim_config_reads_the_threshold_from_plain_data(given_value: Any, want: timedelta) -> None:
    config = SimConfig.from_dict(impatient_day(given_value))
    assert config.short_abandon == want
    assert pickle.loads(pickle.dumps(config)) == config
    again = SimConfig.from_dict(impatient_day(want.total_seconds()))
    assert again == config
    assert attrs.evolve(config, short_abandon=want) == config


@pytest.mark.parametrize("bad", [-5, "-PT5S", "soon", True, [5]])
def test_sim_config_refuses_a_bad_threshold_naming_the_field(bad: Any) -> None:
    with pytest.raises(ConfigError) as info:
        SimConfig.from_dict(impatient_day(bad))
    assert info.value.path == "simulation.short_abandon"
    base = SimConfig.from_dict(impatient_day())
    with pytest.raises(ConfigError) as direct:
        attrs.evolve(base, short_abandon=-SEC)
    assert direct.value.path == "short_abandon"


def test_a_config_file_takes_the_human_duration_and_the_schema_lists_it(
    tmp_path: pathlib.Path,
) -> None:
    doc = {"simulation": impatient_day("5s")}
    path = tmp_path / "desk.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    _, sim = load_document(path).configs()
    assert sim is not None
    assert sim.short_abandon == FIVE
    fields = schema()["properties"]["simulation"]["properties"]
    assert fields["short_abandon"] == fields["service_target"]


# ---------------------------------------------------------------------------------------------
# csflow report


def _outbox(tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "outbox.jsonl"
    rows = [e.to_dict() for e in worked_example()]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _args(path: pathlib.Path, short_abandon: float | None, fmt: str = "json") -> argparse.Namespace:
    """The namespace ``csflow report`` hands to its command."""
    return argparse.Namespace(
        command="report",
        events=str(path),
        interval=1800.0,
        zone="UTC",
        target=20.0,
        until=None,
        format=fmt,
        short_abandon=short_abandon,
    )


def test_the_report_command_leaves_short_abandons_out(tmp_path: pathlib.Path) -> None:
    path = _outbox(tmp_path)
    doc = json.loads(report_command(_args(path, 5.0)))
    (row,) = doc["intervals"]
    assert (row["abandoned"], row["short_abandoned"], row["service_level"]) == (4, 2, 0.375)
    (totals,) = doc["totals"]
    assert totals["short_abandoned"] == 2
    assert list(totals)[:7] == [
        "events",
        "left_out",
        "offered",
        "answered",
        "answered_within_target",
        "abandoned",
        "short_abandoned",
    ]
    expected = summarize_intervals(worked_example(), short_abandon=FIVE).to_dict()
    del expected["total"]["queue_length"]
    for r in expected["intervals"]:
        del r["report"]["queue_length"]
    assert doc["report"] == expected
    table = report_command(_args(path, 5.0, "table"))
    assert "short<5 s" in table


def test_the_report_command_without_a_threshold_keeps_its_columns(
    tmp_path: pathlib.Path,
) -> None:
    path = _outbox(tmp_path)
    for args in (
        _args(path, None),
        argparse.Namespace(**{**vars(_args(path, 0)), "short_abandon": None}),
    ):
        doc = json.loads(report_command(args))
        assert "short_abandoned" not in doc["intervals"][0]
        assert doc["intervals"][0]["service_level"] == 0.3
    older = vars(_args(path, None))
    del older["short_abandon"]  # a parser without the option
    assert json.loads(report_command(argparse.Namespace(**older)))["totals"][0]["abandoned"] == 4


def test_the_report_command_refuses_a_negative_threshold(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ConfigError, match=r"^--short-abandon: expected a duration >= 0"):
        report_command(_args(tmp_path / "never-read.jsonl", -5.0))


def test_csflow_report_short_abandon_on_the_command_line(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _outbox(tmp_path)
    assert main(["report", str(path), "--short-abandon", "5s", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["totals"][0]["short_abandoned"] == 2
    assert doc["totals"][0]["service_level"] == 0.375
    # A threshold of zero is no short abandons: the same figures as without one.
    assert main(["report", str(path), "--short-abandon", "0s", "--format", "json"]) == 0
    zero = json.loads(capsys.readouterr().out)["totals"][0]
    assert main(["report", str(path), "--format", "json"]) == 0
    plain = json.loads(capsys.readouterr().out)["totals"][0]
    assert zero == plain
    assert plain["service_level"] == 0.3
