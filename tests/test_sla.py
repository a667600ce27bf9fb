"""SLA policies: targets per metric and priority, validation, the plain-data form, durations."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import csflow.sla
from csflow.calendar import BusinessCalendar
from csflow.errors import ConfigError
from csflow.model import Priority, TicketStatus
from csflow.sla import (
    DEFAULT_PAUSE_ON,
    DEFAULT_WARNINGS,
    FINAL_STATUSES,
    PAUSABLE_STATUSES,
    TICKET_STATUSES,
    Metric,
    RecalcMode,
    SlaPolicy,
    SlaTarget,
    format_duration,
    parse_duration,
    resolve_policy,
)
from documents import REGULAR_EMAIL

ALWAYS = BusinessCalendar.always_open("UTC")
OFFICE = BusinessCalendar(
    "Asia/Jakarta", weekly={d: [("08:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")}
)


def policy(**kw: Any) -> SlaPolicy:
    args: dict[str, Any] = {
        "name": "gold",
        "calendar": ALWAYS,
        "targets": {
            Metric.FIRST_RESPONSE: timedelta(minutes=1),
            Metric.RESOLUTION: {
                Priority.URGENT: timedelta(hours=4),
                Priority.NORMAL: timedelta(hours=24),
            },
        },
    }
    args.update(kw)
    return SlaPolicy(**args)


def test_targets_per_metric_and_priority() -> None:
    p = policy()
    fr = p.target(Metric.FIRST_RESPONSE, Priority.LOW)
    assert fr is not None
    assert fr.duration == timedelta(minutes=1)
    # One target for every priority is one shared value.
    assert fr is p.target("first_response", "urgent")
    res = p.target(Metric.RESOLUTION, Priority.URGENT)
    assert res is not None
    assert res.duration == timedelta(hours=4)
    assert res.calendar is ALWAYS
    assert res.warnings == DEFAULT_WARNINGS
    assert res.warn_us == (7_200_000_000, 10_800_000_000, 12_960_000_000)
    # A priority or metric not listed has no target.
    assert p.target(Metric.RESOLUTION, Priority.HIGH) is None
    assert p.target(Metric.NEXT_RESPONSE, Priority.URGENT) is None
    assert p.pause_on == DEFAULT_PAUSE_ON
    assert p.pauses("pending", Metric.RESOLUTION)
    assert not p.pauses("pending", Metric.FIRST_RESPONSE)
    assert not p.pauses("open", Metric.RESOLUTION)


def test_names_are_accepted_for_metrics_priorities_and_statuses() -> None:
    p = SlaPolicy(
        "x",
        ALWAYS,
        {"resolution": {"urgent": timedelta(hours=1)}, "NEXT_RESPONSE": timedelta(hours=2)},
        warnings=[0.8],
        pause_on={"pending": ["resolution", Metric.NEXT_RESPONSE]},
    )
    assert list(p.targets) == [Metric.NEXT_RESPONSE, Metric.RESOLUTION]  # metric order
    assert p.pause_on[TicketStatus.PENDING] == {Metric.RESOLUTION, Metric.NEXT_RESPONSE}
    assert [type(status) for status in p.pause_on] == [TicketStatus]  # read as members
    assert p.pauses("pending", "next_response")
    assert p.pauses(TicketStatus.PENDING, Metric.RESOLUTION)
    assert p.warnings == (0.8,)
    assert p == SlaPolicy.from_dict(p.to_dict())
    assert hash(p) == hash(SlaPolicy.from_dict(p.to_dict()))


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"name": ""}, r"SLA policy name must be a non-empty string"),
        ({"calendar": "UTC"}, r"SLA policy calendar must be a BusinessCalendar, got 'UTC'"),
        ({"targets": []}, r"targets: expected a mapping of metric -> target, got \[\]"),
        (
            {"targets": {"answer": timedelta(1)}},
            r"targets.answer: metric must be one of .*got 'answer'",
        ),
        (
            {"targets": {Metric.RESOLUTION: timedelta(0)}},
            r"targets.resolution: a target must be a positive duration, got datetime.timedelta\(0\)",
        ),
        (
            {"targets": {Metric.RESOLUTION: 3600}},
            r"targets.resolution: a target must be a datetime.timedelta, got 3600",
        ),
        (
            {"targets": {Metric.RESOLUTION: {"asap": timedelta(1)}}},
            r"targets.resolution.asap: priority must be one of .*got 'asap'",
        ),
        (
            {"targets": {Metric.RESOLUTION: {"urgent": -timedelta(1)}}},
            r"targets.resolution.urgent: a target must be a positive duration",
        ),
        ({"targets": {Metric.RESOLUTION: {}}}, r"targets.resolution: expected at least one"),
        (
            {"targets": {Metric.RESOLUTION: timedelta(1), "resolution": timedelta(2)}},
            r"targets: metric 'resolution' is given twice",
        ),
        (
            {"warnings": (0.5, 0.5)},
            r"warnings\[1\]: warning thresholds must be strictly increasing",
        ),
        ({"warnings": (0.9, 0.5)}, r"warnings\[1\]: .*strictly increasing, got 0.5 after 0.9"),
        ({"warnings": (0.0,)}, r"warnings\[0\]: a warning threshold must lie strictly between"),
        ({"warnings": (1.0,)}, r"warnings\[0\]: a warning threshold must lie strictly between"),
        ({"warnings": (True,)}, r"warnings\[0\]: a warning threshold must be a number"),
        ({"warnings": (float("nan"),)}, r"warnings\[0\]: a warning threshold must be a number"),
        ({"warnings": "0.5"}, r"warnings: expected a sequence of fractions"),
        (
            {"pause_on": {"solved": ["resolution"]}},
            r"pause_on.solved: a pausing status must be one of",
        ),
        ({"pause_on": {"waiting": ["resolution"]}}, r"pause_on.waiting: .*got 'waiting'"),
        ({"pause_on": {"pending": "resolution"}}, r"pause_on.pending: expected a list of metrics"),
        ({"pause_on": {"pending": ["soon"]}}, r"pause_on.pending\[0\]: metric must be one of"),
    ],
)
def test_bad_policies_raise_config_errors_naming_the_value(
    kw: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        policy(**kw)


def test_target_validation() -> None:
    with pytest.raises(ConfigError, match=r"duration: a target must be a positive duration"):
        SlaTarget(Metric.RESOLUTION, timedelta(0), ALWAYS)
    with pytest.raises(ConfigError, match=r"calendar must be a BusinessCalendar, got None"):
        SlaTarget(Metric.RESOLUTION, timedelta(1), None)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"metric must be one of .*got 'x'"):
        SlaTarget("x", timedelta(1), ALWAYS)


def test_from_dict_reads_iso_durations_seconds_and_named_calendars() -> None:
    p = SlaPolicy.from_dict(REGULAR_EMAIL, calendars={"jakarta-office": OFFICE})
    assert p.calendar is OFFICE
    assert p.targets[Metric.FIRST_RESPONSE] == timedelta(hours=8)
    assert p.targets[Metric.NEXT_RESPONSE] == timedelta(minutes=90)
    assert p.targets[Metric.PERIODIC_UPDATE] == timedelta(seconds=90.5)
    assert p.targets[Metric.RESOLUTION] == {
        Priority.URGENT: timedelta(hours=4),
        Priority.NORMAL: timedelta(hours=26, minutes=30),
        Priority.LOW: timedelta(weeks=1),
    }
    assert p.warnings == DEFAULT_WARNINGS
    out = p.to_dict()
    assert out["targets"]["resolution"] == {"low": "PT168H", "normal": "PT26H30M", "urgent": "PT4H"}
    assert out["targets"]["periodic_update"] == "PT1M30.5S"
    assert out["pause_on"] == {"pending": ["periodic_update", "resolution"]}
    assert [type(status) for status in out["pause_on"]] == [str]  # plain data, not members
    # JSON round trip, calendar inline.
    assert SlaPolicy.from_dict(json.loads(json.dumps(out))) == p


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], r"^sla_policies\[3\]: expected a mapping, got \[\]"),
        ({"name": "x", "calendar": "c"}, r"^sla_policies\[3\]: missing required key 'targets'"),
        (
            {"name": "x", "calendar": "c", "targets": {}, "colour": "red"},
            r"^sla_policies\[3\]: unknown key 'colour'",
        ),
        (
            {"name": 5, "calendar": "c", "targets": {}},
            r"^sla_policies\[3\].name: expected a non-empty",
        ),
        (
            {"name": "x", "calendar": "nowhere", "targets": {}},
            r"^sla_policies\[3\].calendar: unknown calendar 'nowhere'; known calendars: \['c'\]",
        ),
        (
            {"name": "x", "calendar": {"timezone": "Mars/Olympus"}, "targets": {}},
            r"^sla_policies\[3\].calendar.timezone: 'timezone' must be an IANA time zone name",
        ),
        (
            {"name": "x", "calendar": "c", "targets": {"resolution": {"urgent": "4 hours"}}},
            r"^sla_policies\[3\].targets.resolution.urgent: expected an ISO-8601 duration",
        ),
        (
            {"name": "x", "calendar": "c", "targets": {"resolution": "P1M"}},
            r"^sla_policies\[3\].targets.resolution: .*no years or months\), got 'P1M'",
        ),
        (
            {"name": "x", "calendar": "c", "targets": {"resolution": "PT0S"}},
            r"^sla_policies\[3\].targets.resolution: a target must be a positive duration",
        ),
        (
            {"name": "x", "calendar": "c", "targets": {"resolution": {"urgent": 1, "URGENT": 2}}},
            r"^sla_policies\[3\].targets.resolution: priority 'urgent' is given twice",
        ),
        (
            {"name": "x", "calendar": "c", "targets": {"resolve": "PT1H"}},
            r"^sla_policies\[3\].targets.\w+: metric must be one of",
        ),
        (
            {"name": "x", "calendar": "c", "targets": {"resolution": "PT1H"}, "warnings": [2]},
            r"^sla_policies\[3\].warnings\[0\]: a warning threshold must lie strictly between",
        ),
        (
            {"name": "x", "calendar": "c", "targets": {}, "pause_on": {"pending": ["x"]}},
            r"^sla_policies\[3\].pause_on.pending\[0\]: metric must be one of",
        ),
    ],
)
def test_from_dict_errors_carry_the_path(data: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        SlaPolicy.from_dict(data, calendars={"c": ALWAYS}, path="sla_policies[3]")
    assert info.value.path.startswith("sla_policies[3]")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT1M", timedelta(minutes=1)),
        ("PT4H", timedelta(hours=4)),
        ("PT1H30M", timedelta(hours=1, minutes=30)),
        ("P1DT2H", timedelta(hours=26)),
        ("P2W", timedelta(weeks=2)),
        ("PT0.5S", timedelta(milliseconds=500)),
        ("PT1,25S", timedelta(seconds=1.25)),
        ("PT0.000001S", timedelta(microseconds=1)),
        (60, timedelta(minutes=1)),
        (0.25, timedelta(milliseconds=250)),
        (timedelta(hours=3), timedelta(hours=3)),
    ],
)
def test_parse_duration(text: object, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "bad",
    ["", "P", "PT", "1H", "PT1H2", "P1Y", "P1M", "PT-1H", "PT1.5H", "P1DT", True, None, [1], 0, -5],
)
def test_parse_duration_rejects(bad: object) -> None:
    with pytest.raises(ConfigError, match=r"^where: "):
        parse_duration(bad, "where")


@given(st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(days=3650)))
def test_format_then_parse_is_identity(d: timedelta) -> None:
    text = format_duration(d)
    assert text.startswith("PT")
    assert parse_duration(text) == d


def test_format_duration_examples() -> None:
    assert format_duration(timedelta(hours=36, minutes=5)) == "PT36H5M"
    assert format_duration(timedelta(0)) == "PT0S"
    assert format_duration(timedelta(seconds=61, microseconds=500)) == "PT1M1.0005S"
    with pytest.raises(ConfigError, match=r"expected a non-negative timedelta, got"):
        format_duration(timedelta(-1))


def test_resolve_policy_maps_a_decided_name_to_its_policy() -> None:
    policies = {"gold": policy(), "silver": policy(name="silver")}
    assert resolve_policy("silver", policies) is policies["silver"]
    with pytest.raises(
        ConfigError, match=r"unknown SLA policy 'bronze'; known policies: \['gold', 'silver'\]"
    ):
        resolve_policy("bronze", policies)


def test_enums_parse_names() -> None:
    assert Metric.parse("FIRST_RESPONSE") is Metric.FIRST_RESPONSE
    assert str(Metric.RESOLUTION) == "resolution"
    assert RecalcMode.parse("retroactive") is RecalcMode.RETROACTIVE
    with pytest.raises(ConfigError, match=r"metric must be one of 'first_response'.*got 3"):
        Metric.parse(3)  # type: ignore[arg-type]


def test_public_names_are_exported_and_documented() -> None:
    for name in csflow.sla.__all__:
        obj = getattr(csflow.sla, name)
        if callable(obj) and not isinstance(obj, type(DEFAULT_PAUSE_ON)):
            assert (obj.__doc__ or "").strip(), name


def test_the_status_vocabulary_is_ticket_status() -> None:
    assert tuple(TicketStatus) == TICKET_STATUSES
    assert {TicketStatus.CLOSED, TicketStatus.ABANDONED} == FINAL_STATUSES
    assert set(TicketStatus) - FINAL_STATUSES - {TicketStatus.SOLVED} == PAUSABLE_STATUSES
    assert set(DEFAULT_PAUSE_ON) == {TicketStatus.PENDING, TicketStatus.ON_HOLD}
    for statuses in (TICKET_STATUSES, FINAL_STATUSES, PAUSABLE_STATUSES, DEFAULT_PAUSE_ON):
        assert all(type(status) is TicketStatus for status in statuses)
    # Members equal their values, so the strings hosts pass keep working.
    assert "pending" in PAUSABLE_STATUSES
    assert DEFAULT_PAUSE_ON["on_hold"] == {Metric.RESOLUTION}  # type: ignore[index]


def test_pause_on_reads_exact_status_values_or_members() -> None:
    p = policy(pause_on={TicketStatus.ON_HOLD: ["resolution"], "pending": []})
    assert dict(p.pause_on) == {
        TicketStatus.ON_HOLD: {Metric.RESOLUTION},
        TicketStatus.PENDING: frozenset(),
    }
    assert not p.pauses("lost", Metric.RESOLUTION)  # an unknown status pauses nothing
    with pytest.raises(
        ConfigError, match=r"^pause_on.PENDING: a pausing status must be one of \['"
    ):
        policy(pause_on={"PENDING": ["resolution"]})  # values are exact, as before


def test_every_name_of_the_sla_package_keeps_its_import_path() -> None:
    import csflow.events
    import csflow.sla.clock
    import csflow.sla.durations
    import csflow.sla.policy
    import csflow.sla.states
    import csflow.sla.ticket

    homes = {
        csflow.events: {"SlaBreached", "SlaCancelled", "SlaEvent", "SlaMet", "SlaWarning"},
        csflow.sla.clock: {"SlaClock"},
        csflow.sla.durations: {"format_duration", "parse_duration"},
        csflow.sla.states: {
            "TRANSITIONS",
            "ClockAction",
            "ClockState",
            "next_state",
            "transition_graph",
        },
        csflow.sla.ticket: {"TicketSla"},
    }
    homes[csflow.sla.policy] = set(csflow.sla.policy.__all__)
    for module, names in homes.items():
        assert names <= set(module.__all__), module.__name__
        for name in names:
            assert getattr(csflow.sla, name) is getattr(module, name), name
    assert set(csflow.sla.__all__) == set().union(*homes.values()) | {"Metric"}
