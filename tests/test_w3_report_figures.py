"""The figures a support lead reads, counted by hand and against a naive reference.

A desk's report, its interval rows over days of 23 and 25 hours, the agents' standards and
the consistency view's bands, and how their tables show a share close to all or none.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import (
    TicketAbandoned,
    TicketAssigned,
    TicketQueued,
    TicketResolved,
    consistency,
    people_report,
    summarize,
    summarize_intervals,
)
from csflow.errors import ConfigError
from csflow.events import DeskEvent
from csflow.metrics import Attainment, Report
from csflow.model import Priority
from csflow.people import AgentStandard, PeopleReport, Satisfaction

LONDON = ZoneInfo("Europe/London")
TARGET = timedelta(seconds=20)


def queued(at: datetime, tid: str, channel: str = "chat") -> TicketQueued:
    return TicketQueued(at, tid, "front", Priority.NORMAL, None, "gold", channel, "")


# ---------------------------------------------------------------------------------------------
# A naive summariser written from docs/reference/metrics.md, for one-touch tickets: queued,
# then answered (and maybe resolved by the same agent), abandoned, or still waiting.


@attrs.frozen
class Life:
    tid: str
    queued: datetime
    outcome: str  # "answered", "abandoned", "waiting"
    wait: timedelta
    handle: timedelta | None  # resolved after this long in the agent's hands

    def events(self) -> list[DeskEvent]:
        out: list[DeskEvent] = [queued(self.queued, self.tid)]
        end = self.queued + self.wait
        if self.outcome == "answered":
            out.append(TicketAssigned(end, self.tid, "ana", self.wait.total_seconds(), 1, ""))
            if self.handle is not None:
                out.append(TicketResolved(end + self.handle, self.tid, "ana"))
        elif self.outcome == "abandoned":
            out.append(TicketAbandoned(end, self.tid, self.wait.total_seconds()))
        return out


def naive(lives: list[Life], short: timedelta) -> dict[str, object]:
    answered = [x for x in lives if x.outcome == "answered"]
    abandoned = [x for x in lives if x.outcome == "abandoned"]
    shorts = [x for x in abandoned if x.wait < short]
    within = [x for x in answered if x.wait <= TARGET]
    decided = len(answered) + len(abandoned) - len(shorts)
    offered_less_short = len(lives) - len(shorts)
    spans = [x.handle for x in answered if x.handle is not None]
    return {
        "offered": len(lives),
        "answered": len(answered),
        "abandoned": len(abandoned),
        "short_abandoned": len(shorts),
        "waiting": len(lives) - len(answered) - len(abandoned),
        "service_level": len(within) / decided if decided else None,
        "abandonment_rate": (
            (len(abandoned) - len(shorts)) / offered_less_short if offered_less_short else None
        ),
        "asa_us": (
            sum(x.wait // timedelta(microseconds=1) for x in answered) / len(answered)
            if answered
            else None
        ),
        "aht_us": (
            sum(s // timedelta(microseconds=1) for s in spans) / len(spans) if spans else None
        ),
    }


def figures(report: Report) -> dict[str, object]:
    asa, aht = report.average_speed_of_answer, report.average_handle_time
    return {
        "offered": report.offered,
        "answered": report.answered,
        "abandoned": report.abandoned,
        "short_abandoned": report.short_abandoned,
        "waiting": report.waiting,
        "service_level": report.service_level,
        "abandonment_rate": report.abandonment_rate,
        "asa_us": None if asa is None else asa // timedelta(microseconds=1),
        "aht_us": None if aht is None else aht // timedelta(microseconds=1),
    }


def close(got: dict[str, object], want: dict[str, object]) -> None:
    for key, value in want.items():
        if key in ("asa_us", "aht_us") and value is not None:
            assert got[key] == pytest.approx(value, abs=1), key  # rounded to a microsecond
        elif isinstance(value, float):
            assert got[key] == pytest.approx(value), key
        else:
            assert got[key] == value, key


# Around the fall-back night in London (01:00 UTC on 25 Oct 2026, the clocks go from 02:00
# BST back to 01:00 GMT) and the spring-forward one (01:00 UTC on 29 Mar 2026).
FALL = datetime(2026, 10, 25, 1, tzinfo=UTC)
SPRING = datetime(2026, 3, 29, 1, tzinfo=UTC)

lives_strategy = st.lists(
    st.builds(
        Life,
        tid=st.just(""),
        queued=st.sampled_from([FALL, SPRING]).flatmap(
            lambda base: st.integers(-3 * 3600, 3 * 3600).map(lambda s: base + timedelta(seconds=s))
        ),
        outcome=st.sampled_from(["answered", "abandoned", "waiting"]),
        wait=st.integers(0, 3600).map(lambda s: timedelta(seconds=s)),
        handle=st.one_of(st.none(), st.integers(0, 7200).map(lambda s: timedelta(seconds=s))),
    ),
    max_size=25,
)


def stream_of(lives: list[Life]) -> tuple[list[Life], list[DeskEvent]]:
    named = [attrs.evolve(x, tid=f"T{i}") for i, x in enumerate(lives)]
    events = [e for x in named for e in x.events()]
    events.sort(key=lambda e: e.at)
    return named, events


def interval_start(at: datetime) -> datetime:
    """The local wall time of *at* floored to the half hour, keeping its fold."""
    local = at.astimezone(LONDON)
    return local.replace(minute=local.minute // 30 * 30, second=0, microsecond=0)


@settings(max_examples=60, deadline=None)
@given(lives=lives_strategy, short=st.integers(0, 30).map(lambda s: timedelta(seconds=s)))
def test_report_and_half_hour_rows_match_a_naive_count(lives: list[Life], short: timedelta) -> None:
    named, events = stream_of(lives)
    until = max((e.at for e in events), default=FALL) + timedelta(hours=3)
    close(figures(summarize(events, short_abandon=short, until=until)), naive(named, short))
    report = summarize_intervals(
        events, interval=timedelta(minutes=30), zone=LONDON, short_abandon=short, until=until
    )
    # Each ticket counts in the half hour of the wall clock its TicketQueued falls in (the
    # repeated hour of the fall-back night twice, apart by its fold), with all its events.
    groups: dict[tuple[datetime, int], list[Life]] = {}
    for x in named:
        start = interval_start(x.queued)
        groups.setdefault((start, start.fold), []).append(x)
    got = [((start, start.fold), row) for start, row in report]
    assert [key for key, _ in got] == sorted(groups, key=lambda k: k[0].astimezone(UTC)), (
        "one row per half hour that offered a ticket, in time order"
    )
    for (key, row), length in zip(got, report.lengths, strict=True):
        close(figures(row), naive(groups[key], short))
        assert length == timedelta(minutes=30)  # no half hour straddles a change here
    assert sum(row.offered for _, row in report) == report.total.offered == len(named)


def test_daily_rows_on_a_23_and_a_25_hour_day_by_hand() -> None:
    """Four tickets counted by hand: the days of 29 Mar (23 h) and 25 Oct 2026 (25 h)."""
    s = timedelta(seconds=1)
    lives = [
        # 29 Mar, 00:30 GMT: answered after 10 s, resolved after 5 minutes.
        Life("A", datetime(2026, 3, 29, 0, 30, tzinfo=UTC), "answered", 10 * s, 300 * s),
        # 29 Mar, 23:50 BST (22:50 UTC): still 29 Mar in London; answered after 40 s, across
        # midnight, and resolved on 30 Mar after 15 minutes: it counts on 29 Mar.
        Life("B", datetime(2026, 3, 29, 22, 50, tzinfo=UTC), "answered", 40 * s, 900 * s),
        # 28 Mar 23:30 UTC = 23:30 GMT: the day before.
        Life("C", datetime(2026, 3, 28, 23, 30, tzinfo=UTC), "abandoned", 3 * s, None),
        # 25 Oct 01:30 UTC = 01:30 GMT, the repeated hour: 25 Oct.
        Life("D", datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "abandoned", 60 * s, None),
    ]
    events = sorted((e for x in lives for e in x.events()), key=lambda e: e.at)
    report = summarize_intervals(
        events, interval=timedelta(days=1), zone=LONDON, short_abandon=5 * s
    )
    rows = {start.date().isoformat(): row for start, row in report}
    assert list(rows) == ["2026-03-28", "2026-03-29", "2026-10-25"]
    assert [start.hour for start, _ in report] == [0, 0, 0]  # local midnights
    assert list(report.lengths) == [timedelta(hours=24), timedelta(hours=23), timedelta(hours=25)]
    march = rows["2026-03-29"]
    assert (march.offered, march.answered, march.abandoned) == (2, 2, 0)
    assert march.service_level == 0.5  # A within 20 s, B at 40 s
    assert march.average_speed_of_answer == 25 * s
    assert march.average_handle_time == 600 * s  # 5 and 15 minutes
    day_before = rows["2026-03-28"]
    assert (day_before.abandoned, day_before.short_abandoned) == (1, 1)
    assert day_before.service_level is None
    assert day_before.abandonment_rate is None
    october = rows["2026-10-25"]
    assert (october.service_level, october.abandonment_rate) == (0.0, 1.0)
    total = report.total
    # 2 answered (1 within), 2 abandoned of which 1 short: SL 1 / (2 + 2 - 1).
    assert total.service_level == pytest.approx(1 / 3)
    assert total.abandonment_rate == pytest.approx(1 / 3)  # (2 - 1) / (4 - 1)


# ---------------------------------------------------------------------------------------------
# How a share close to all or none reads in a table


def service_level_line(report: Report) -> str:
    return next(x for x in report.table() if x.startswith("service level (20 s)"))


def test_a_service_level_short_of_all_is_not_shown_as_100_percent() -> None:
    line = service_level_line(Report(offered=2000, answered=2000, answered_within_target=1999))
    assert line.endswith(" >99.9%"), line
    line = service_level_line(Report(offered=2000, answered=2000, answered_within_target=1))
    assert line.endswith(" <0.1%"), line
    # All and none still read as such; exact shares keep one decimal.
    assert service_level_line(Report(offered=3, answered=3, answered_within_target=3)).endswith(
        " 100.0%"
    )
    assert service_level_line(Report(offered=3, answered=3)).endswith(" 0.0%")
    assert service_level_line(Report(offered=3, answered=3, answered_within_target=2)).endswith(
        " 66.7%"
    )
    # Nothing decided: no service level at all, not 100 %.
    assert service_level_line(Report(offered=1, waiting=1)).endswith(" n/a")


def standard(
    aid: str, assignments: int, transfers: int, sla: Attainment | None = None, csat: int = -1
) -> AgentStandard:
    sat = Satisfaction() if csat < 0 else Satisfaction(10, csat, 10 * 4)
    return AgentStandard(
        aid, assignments, assignments, 60.0, 90.0, 300.0, transfers, sla or Attainment(), sat
    )


def with_agents(*agents: AgentStandard) -> PeopleReport:
    return attrs.evolve(people_report([]), agents={a.agent_id: a for a in agents})


def test_the_agents_table_does_not_round_a_missed_cycle_to_100_percent() -> None:
    report = with_agents(standard("sari", 10, 0, Attainment(met=249, breached=1)))
    row = report.table()[2]
    assert ">99%" in row, row
    assert "100%" not in row, row
    report = with_agents(standard("sari", 10, 0, Attainment(met=1, breached=249)))
    assert "<1%" in report.table()[2]
    report = with_agents(standard("sari", 10, 0, Attainment(met=5, breached=0)))
    assert "100%" in report.table()[2]


def test_the_agents_table_keeps_its_columns_for_a_long_agent_id() -> None:
    report = with_agents(standard("sari", 10, 0), standard("customer.care.agent.42", 10, 0))
    lines = report.table()
    head, rows = lines[0], lines[2:]
    # Every figure ends where its header does.
    for title in ("handled", "FRT p50", "handle", "xfer", "SLA", "CSAT"):
        match = re.search(rf" {re.escape(title)}(?= |$)", head)
        assert match is not None, title
        end = match.end()
        for row in rows:
            assert row[end - 1] != " ", (title, row)
            assert row[end : end + 1] in ("", " "), (title, row)
    assert len({len(x) for x in lines}) == 1


# ---------------------------------------------------------------------------------------------
# The consistency view's bands for rates


def test_a_team_median_of_no_transfers_does_not_flag_a_single_transfer() -> None:
    # Three agents never transferred; eka 1 of 40 (2.5 %), budi 3 of 10 (30 %).
    report = with_agents(
        standard("ana", 10, 0),
        standard("dewi", 10, 0),
        standard("sari", 10, 0),
        standard("eka", 40, 1),
        standard("budi", 10, 3),
    )
    flags = consistency(report, band=0.5, measures=["transfer_rate"])
    assert [(f.agent_id, f.low, f.high, f.median) for f in flags] == [("budi", 0.0, 0.05, 0.0)]
    # The least width is the caller's: 0 gives the plain band around the median.
    flags = consistency(report, band=0.5, measures=["transfer_rate"], min_rate_width=0)
    assert sorted(f.agent_id for f in flags) == ["budi", "eka"]


def test_a_rate_band_ends_at_100_percent() -> None:
    report = with_agents(
        standard("ana", 10, 0, Attainment(met=10)),
        standard("dewi", 10, 0, Attainment(met=10)),
        standard("budi", 10, 0, Attainment(met=4, breached=6)),
    )
    (flag,) = consistency(report, band=0.5, measures=["sla_rate"])
    assert (flag.agent_id, flag.low, flag.high, flag.median) == ("budi", 0.5, 1.0, 1.0)
    assert (
        str(flag) == "budi (desk): sla_rate 0.4 is below the band 0.5..1 around the team median 1"
    )


@settings(max_examples=60, deadline=None)
@given(
    rates=st.lists(st.tuples(st.integers(1, 30), st.integers(0, 30)), min_size=2, max_size=6),
    band=st.sampled_from([0.0, 0.1, 0.25, 0.5, 2.0]),
    width=st.sampled_from([0.0, 0.02, 0.05, 0.2, 1.0]),
)
def test_rate_bands_follow_their_definition(
    rates: list[tuple[int, int]], band: float, width: float
) -> None:
    agents = [standard(f"a{i}", n, min(k, n)) for i, (n, k) in enumerate(rates)]
    report = with_agents(*agents)
    values = sorted(a.transfers_out / a.assignments for a in agents)
    mid = len(values) // 2
    median = values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2
    half = max(median * band, width)
    low, high = max(0.0, median - half), min(1.0, median + half)
    want = sorted(a.agent_id for a in agents if not low <= a.transfers_out / a.assignments <= high)
    flags = consistency(report, band=band, measures=["transfer_rate"], min_rate_width=width)
    assert sorted(f.agent_id for f in flags) == want
    assert all(0 <= f.low <= f.median <= f.high <= 1 for f in flags)


def test_a_measure_in_seconds_keeps_its_relative_band() -> None:
    slow = attrs.evolve(standard("budi", 10, 0), handle_time_s=0.0)
    report = with_agents(standard("ana", 10, 0), standard("dewi", 10, 0), slow)
    (flag,) = consistency(report, measures=["handle_time_s"])
    assert (flag.low, flag.high) == (225.0, 375.0)


@pytest.mark.parametrize("width", [-0.01, 1.5, float("nan"), True, "0.05", None])
def test_a_bad_least_rate_width_is_refused(width: object) -> None:
    with pytest.raises(ConfigError, match=r"min_rate_width must be a share of a rate from 0 to 1"):
        consistency(people_report([]), min_rate_width=width)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Columns and units of the desk's tables


def e_mail_day() -> list[DeskEvent]:
    """One e-mail answered after 70 minutes and resolved 1,728 minutes after its answer."""
    at = datetime(2026, 3, 19, 2, 5, tzinfo=UTC)
    answered = at + timedelta(minutes=70)
    return [
        queued(at, "E1", "email"),
        TicketAssigned(answered, "E1", "ana", 4200.0, 1, ""),
        TicketResolved(answered + timedelta(minutes=1728), "E1", "ana"),
    ]


@pytest.mark.parametrize("target", [timedelta(minutes=5), timedelta(hours=4)])
def test_interval_figures_stay_under_their_headers(target: timedelta) -> None:
    report = summarize_intervals(
        e_mail_day(),
        interval=timedelta(minutes=30),
        zone=LONDON,
        service_target=target,
        short_abandon=timedelta(seconds=5),
    )
    head, *rows = report.table()
    assert len(rows) == 2
    target_title = "SL 5.0 min" if target == timedelta(minutes=5) else "SL 240.0 min"
    titles = ["offered", "answered", target_title, "ASA", "abandoned", "AHT", "short<5 s"]
    ends, at = [], 0
    for title in titles:
        at = head.index(f" {title}", at) + 1 + len(title)
        ends.append(at)
    for row in rows:
        assert len(row) == len(head), (head, row)
        for end in ends:
            assert row[end - 1] != " ", (head, row)
            assert row[end : end + 1] in ("", " "), (head, row)
    assert rows[0].split()[-3:] == ["1728.0", "min", "0"]  # the AHT, no short abandon


def test_a_day_long_target_and_handling_read_in_minutes() -> None:
    report = summarize(e_mail_day(), service_target=timedelta(hours=24))
    lines = report.table()
    assert "service level (1440.0 min)      100.0%" in lines
    assert "average speed of answer         70.0 min" in lines
    assert "average handle time             1728.0 min" in lines


def test_report_values_stay_in_one_column_after_a_long_group_name() -> None:
    at = datetime(2026, 3, 19, 2, 5, tzinfo=UTC)
    events = [
        queued(at, "W1", "whatsapp-business-premium-line"),
        TicketAssigned(at, "W1", "ana", 0.0, 1, ""),
    ]
    report = attrs.evolve(
        summarize(events),
        sla_by_channel={"whatsapp-business-premium-line": Attainment(met=1)},
    )
    lines = report.table()
    col = lines[0].rindex(" ") + 1  # where the offered count starts
    assert col > len("  channel whatsapp-business-premium-line"), lines
    for line in lines:
        assert line[col - 1] == " ", line
        assert line[col] != " ", line
