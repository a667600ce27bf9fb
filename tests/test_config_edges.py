"""Edges of reading configurations, commands, snapshots and config files, each a worked example
from an acceptance review: a value at the edge of what a reader accepts is refused with a
:class:`~csflow.errors.ConfigError` naming its path, never another exception, and the command
line says so in one line.

* instants whose UTC form falls outside years 1-9999 (``0001-01-01T00:00:00+05:00``);
* triage ``then.tags`` that is not a list of names;
* ``relaxation[].any_language`` that is not true or false;
* a config file nested 700 levels deep, or a YAML alias inside itself, under ``csflow lint``;
* queue, routing profile, team and calendar names longer than the names snapshots keep.
"""

from __future__ import annotations

import json
import pathlib
import re
import subprocess
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cli_runner import run_cli
from csflow import Customer, Desk, DeskConfig, Ticket, Tier, command_from_dict
from csflow.calendar import BusinessCalendar
from csflow.desk import QueueSpec, TeamSpec
from csflow.desk.commands import Advance, Submit
from csflow.errors import ConfigError
from csflow.events import TicketAssigned, TicketPrioritized, event_from_dict
from csflow.model import Priority
from csflow.routing import RelaxationStep, RoutingProfile

_ROOT = pathlib.Path(__file__).resolve().parents[1]
_DAY = _ROOT / "examples" / "configs" / "marketplace-day.yaml"
T0 = datetime(2026, 3, 9, 1, 0, tzinfo=UTC)

# The UTC instant of each does not exist (year 0 and year 10000).
OUT_OF_RANGE = ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"]


_run = run_cli


def _one_error_line(done: subprocess.CompletedProcess[str], field: str) -> str:
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"csflow: error: {field}"), lines[0]
    assert "internal error" not in lines[0]
    return lines[0]


# A simulation section that is valid up to its agents.
_SIMULATION: dict[str, Any] = {
    "start": "2026-03-09T06:00:00+07:00",
    "duration": "4h",
    "arrivals": {"rates": [["00:00", 40]], "channels": {"chat": 1}, "tiers": {"regular": 1}},
    "handle_time": {"default": {"exponential": "6m"}},
}


def _nested(levels: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(levels):
        value = [value]
    return value


# ---------------------------------------------------------------------------------------------
# 1. Instants outside what UTC can hold


@pytest.mark.parametrize("at", OUT_OF_RANGE)
def test_a_command_at_an_instant_utc_cannot_hold_is_a_config_error(at: str) -> None:
    with pytest.raises(
        ConfigError,
        match=rf"^command\.at: expected an ISO 8601 instant with offset.*'{re.escape(at)}'$",
    ):
        command_from_dict({"type": "Advance", "version": 1, "at": at})


@pytest.mark.parametrize("at", OUT_OF_RANGE)
def test_a_snapshot_at_an_instant_utc_cannot_hold_is_refused(at: str) -> None:
    config = DeskConfig.from_dict({})
    desk = Desk(config)
    desk.apply(Advance(at=T0))
    snapshot = json.loads(json.dumps(desk.snapshot()))
    snapshot["at"] = at
    before = json.dumps(snapshot)
    with pytest.raises(ConfigError, match=r"^snapshot\.at: expected an ISO 8601 instant"):
        Desk.restore(config, snapshot)
    assert json.dumps(snapshot) == before  # the snapshot handed in is unchanged


@pytest.mark.parametrize("at", OUT_OF_RANGE)
def test_an_event_at_an_instant_utc_cannot_hold_is_refused(at: str) -> None:
    desk = Desk(DeskConfig.from_dict({}))
    ticket = Ticket("T-1", Customer("c1", Tier("gold", 1)), "chat", T0)
    data = desk.apply(Submit(ticket, at=T0))[0].to_dict()
    data["at"] = at
    with pytest.raises(ConfigError, match=r"^event\.at: expected an ISO 8601 instant"):
        event_from_dict(data)


def test_replay_reports_a_journal_instant_utc_cannot_hold_in_one_line(
    tmp_path: pathlib.Path,
) -> None:
    from csflow.cli.documents import load_document

    desk = Desk(load_document(_DAY).configs()[0])
    desk.apply(Advance(at=T0))
    snap = tmp_path / "snapshot.json"
    snap.write_text(json.dumps(desk.snapshot()), encoding="utf-8")
    journal = tmp_path / "journal.jsonl"
    entry = {"type": "Advance", "version": 1, "at": OUT_OF_RANGE[0]}
    journal.write_text(json.dumps(entry) + "\n", encoding="utf-8")
    done = _run("replay", str(_DAY), "--snapshot", str(snap), "--journal", str(journal))
    line = _one_error_line(done, "")
    assert "journal[0].at" in line
    assert "expected an ISO 8601 instant" in line


# ---------------------------------------------------------------------------------------------
# 2. Triage tags


@pytest.mark.parametrize(
    ("tags", "shown"),
    [
        ("large-refund", "'large-refund'"),  # was one tag per character
        (5, "5"),  # was a TypeError on every submit
        (None, "None"),
        (["large-refund", ""], r"\['large-refund', ''\]"),
        (["large-refund", 3], r"\['large-refund', 3\]"),
        ({"large-refund": True}, "large-refund"),
    ],
)
def test_triage_tags_must_be_a_list_of_names(tags: object, shown: str) -> None:
    doc = {"triage": [{"name": "r", "then": {"tags": tags}}]}
    with pytest.raises(
        ConfigError,
        match=rf"^triage\[0\]\.then\.tags: tags must be a list of non-empty names.*{shown}",
    ):
        DeskConfig.from_dict(doc)


def test_triage_tags_are_checked_in_a_rule_after_the_first() -> None:
    doc = {
        "triage": {
            "mode": "all",
            "rules": [
                {"name": "vip", "then": {"tags": ["vip"]}},
                {"name": "refund", "then": {"tags": "large-refund"}},
            ],
        }
    }
    with pytest.raises(ConfigError, match=r"^triage\.rules\[1\]\.then\.tags: .*'large-refund'"):
        DeskConfig.from_dict(doc)


# ---------------------------------------------------------------------------------------------
# 3. relaxation[].any_language


@pytest.mark.parametrize(
    ("value", "shown"),
    [("no", "'no'"), (2, "2"), (1, "1"), (0, "0"), (None, "None"), ("true", "'true'")],
)
def test_any_language_must_be_true_or_false(value: object, shown: str) -> None:
    doc = {
        "queues": [
            {
                "name": "general",
                "relaxation": [{"after": 30, "proficiency": 2, "any_language": value}],
            }
        ]
    }
    with pytest.raises(
        ConfigError,
        match=rf"^queues\[0\]\.relaxation\[0\]\.any_language: expected true or false, got {shown}$",
    ):
        DeskConfig.from_dict(doc)


def test_a_relaxation_step_refuses_an_any_language_that_is_not_a_bool() -> None:
    with pytest.raises(ConfigError, match=r"^any_language must be true or false, got 'no'$"):
        RelaxationStep(timedelta(seconds=30), proficiency=2, any_language="no")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# 4. csflow lint on a document nested deeper than Python's recursion limit


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"desk": {"channels": _nested(700)}}, "desk.channels[0]: "),
        ({"desk": {"queues": _nested(700)}}, "desk.queues[0]: "),
        ({"simulation": {**_SIMULATION, "agents": _nested(700)}}, "simulation.agents[0]: "),
    ],
)
def test_lint_refuses_a_700_level_list_in_one_line(
    tmp_path: pathlib.Path, document: dict[str, Any], field: str
) -> None:
    path = tmp_path / "deep.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    _one_error_line(_run("lint", str(path)), field)


def test_lint_refuses_a_yaml_alias_inside_itself_in_one_line(tmp_path: pathlib.Path) -> None:
    pytest.importorskip("yaml")
    path = tmp_path / "recursive.yaml"
    path.write_text("desk: {queues: &a [*a]}\n", encoding="utf-8")
    # A list that holds itself expands without end: refused before anything walks it.
    line = _one_error_line(_run("lint", str(path)), "CONFIG: ")
    assert "aliases expand to more than" in line


# ---------------------------------------------------------------------------------------------
# 5. Names a snapshot keeps


LONG = "q" * 70_000
ALWAYS_OPEN: dict[str, Any] = {"timezone": "UTC", "always_open": True}


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"queues": [{"name": LONG}]}, r"queues\[0\]\.name"),
        ({"queues": [{"name": "a"}, {"name": "q" * 65}]}, r"queues\[1\]\.name"),
        (
            {"queues": [{"name": "a"}], "routing_profiles": [{"name": LONG, "queues": ["a"]}]},
            r"routing_profiles\[0\]\.name",
        ),
        ({"queues": [{"name": "a"}], "teams": {LONG: {"queue": "a"}}}, "teams"),
        ({"calendars": {LONG: ALWAYS_OPEN}}, "calendars"),
    ],
)
def test_names_longer_than_64_characters_are_refused_when_the_config_loads(
    document: dict[str, Any], field: str
) -> None:
    with pytest.raises(
        ConfigError,
        match=rf"^{field}: expected a non-empty string of at most 64 characters, got 'qqq",
    ):
        DeskConfig.from_dict(document)


def test_long_names_are_refused_by_the_constructors_too() -> None:
    with pytest.raises(ConfigError, match=r"^name: expected a non-empty string of at most 64"):
        QueueSpec("q" * 65)
    with pytest.raises(ConfigError, match=r"^name: expected a non-empty string of at most 64"):
        TeamSpec("t" * 65, "a")
    with pytest.raises(ConfigError, match=r"^routing profile name must be at most 64 characters"):
        RoutingProfile("p" * 65, ["a"])
    with pytest.raises(ConfigError, match=r"^calendars: expected a non-empty string of at most 64"):
        DeskConfig(calendars={"c" * 65: BusinessCalendar.from_dict(ALWAYS_OPEN)})


def test_an_event_read_back_refuses_what_json_cannot_hold() -> None:
    """A waited time of NaN or infinity, and a priority written as ``true`` (which equals 1,
    ``normal``), are refused where they are: an event read back must write out as JSON
    again, and ``true`` is not how a priority is written."""
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assigned = TicketAssigned(at, "T-1", "sari", 12.5, 1, "longest idle").to_dict()
    assert event_from_dict(assigned).to_dict() == assigned
    for bad in (float("nan"), float("inf")):
        with pytest.raises(ConfigError, match=r"event\.waited: expected a finite number"):
            event_from_dict({**assigned, "waited": bad})
    prioritized = TicketPrioritized(at, "T-1", Priority.NORMAL, Priority.HIGH).to_dict()
    assert event_from_dict(prioritized).to_dict() == prioritized
    with pytest.raises(ConfigError, match=r"event\.old: expected one of .*got True"):
        event_from_dict({**prioritized, "old": True})


@pytest.mark.parametrize(
    ("triage", "path"),
    [
        ([{"name": "a", "then": {"queue": "nope"}}], "triage[0].then.queue"),
        (
            {"mode": "first", "rules": [{"name": "a", "then": {"queue": "nope"}}]},
            "triage.rules[0].then.queue",
        ),
        ([{"name": "a", "when": {"field": "tier", "bogus": 1}, "then": {}}], "triage[0].when"),
        (
            {"rules": [{"name": "a", "when": {"field": "tier", "bogus": 1}, "then": {}}]},
            "triage.rules[0].when",
        ),
    ],
)
def test_a_triage_error_is_at_the_rule_as_the_document_spells_it(triage: Any, path: str) -> None:
    """Triage is a list of rules or ``{mode, rules}``: an error in a rule's ``when`` or
    ``then`` is at ``triage[i]`` in the first, ``triage.rules[i]`` in the second (one of the
    two was wrong for each)."""
    with pytest.raises(ConfigError) as info:
        DeskConfig.from_dict({"triage": triage})
    assert info.value.path == path


@pytest.mark.parametrize(
    ("doc", "path"),
    [
        ({"tiers": [{"name": "gold", "rank": -1}]}, "tiers[0].rank"),
        ({"tiers": [{"name": "gold"}, {"name": "Gold!", "rank": 1}]}, "tiers[1].name"),
        ({"calendars": {"office": {"timezone": "Mars/Base"}}}, "calendars.office.timezone"),
        (
            {
                "queues": [{"name": "q"}],
                "routing_profiles": [{"name": "p", "queues": [{"queue": "q", "priority": "x"}]}],
            },
            "routing_profiles[0].queues[0].priority",
        ),
        ({"transfers": {"max_transfers": -1}}, "transfers.max_transfers"),
        ({"transfers": {"on_limit": "warn"}}, "transfers.on_limit"),
        ({"capacity": {"weights": {"email": 0}}}, "capacity.weights.email"),
        ({"capacity": {"limits": {"chat": -1}}}, "capacity.limits.chat"),
        ({"capacity": {"exclusive": ["phone", 3]}}, "capacity.exclusive[1]"),
        ({"capacity": {"budget": 0}}, "capacity.budget"),
        ({"presence": {"lunch": 1}}, "presence.lunch"),
        ({"queues": [{"name": "q", "bands": {"high": "x"}}]}, "queues[0].bands.high"),
        ({"queues": [{"name": "q", "bands": {"highest": 1}}]}, "queues[0].bands.highest"),
        (
            {"calendars": {"o": {"weekly": {"mon": [["09:00", "12:00"], ["13:00", "12:30"]]}}}},
            "calendars.o.weekly.mon[1]",
        ),
        ({"calendars": {"o": {"weekly": {"tue": [[780, "14:00"]]}}}}, "calendars.o.weekly.tue[0]"),
        (
            {"calendars": {"o": {"special_days": {"2026-12-12": [["22:00", "06:00"]]}}}},
            "calendars.o.special_days.2026-12-12[0]",
        ),
        (
            {
                "calendars": {"o": {"always_open": True}},
                "sla_policies": [{"name": "p", "calendar": "o", "targets": {"answer": "PT1M"}}],
            },
            "sla_policies[0].targets.answer",
        ),
        (
            {
                "calendars": {"o": {"always_open": True}},
                "sla_policies": [
                    {
                        "name": "p",
                        "calendar": "o",
                        "targets": {"resolution": "PT1H"},
                        "pause_on": {"waiting": ["resolution"]},
                    }
                ],
            },
            "sla_policies[0].pause_on.waiting",
        ),
    ],
)
def test_a_bad_field_is_named_in_the_path_not_only_in_the_message(doc: Any, path: str) -> None:
    """A tier's rank or name, a calendar's zone and a routing profile's slot are reported at
    the field itself (they were at the tier, calendar or profile, with the field named only
    in the message)."""
    with pytest.raises(ConfigError) as info:
        DeskConfig.from_dict(doc)
    assert info.value.path == path


def test_a_bad_band_names_the_priority_as_written_not_the_enum() -> None:
    with pytest.raises(ConfigError) as info:
        DeskConfig.from_dict({"queues": [{"name": "q", "bands": {"high": 1.5}}]})
    assert str(info.value) == "queues[0].bands.high: expected an int, got 1.5"


@pytest.mark.parametrize(
    ("queue", "path"),
    [
        ({"name": "q", "key": "aging", "fallback": "PT1H"}, "queues[0].fallback"),
        ({"name": "q", "fallback": "PT1H"}, "queues[0].fallback"),
        ({"name": "q", "key": "deadline", "allowances": {"gold": "PT1M"}}, "queues[0].allowances"),
        ({"name": "q", "key": "deadline", "default_allowance": 60}, "queues[0].default_allowance"),
    ],
)
def test_a_key_of_the_other_queue_kind_is_refused_not_ignored(queue: Any, path: str) -> None:
    """An aging queue has no fallback deadline and a deadline queue no allowances: such a key
    was read and then ignored, so a desk ran without the setting its config asked for."""
    with pytest.raises(ConfigError, match="applies only to a queue with key") as info:
        DeskConfig.from_dict({"queues": [queue]})
    assert info.value.path == path


@pytest.mark.parametrize(
    ("doc", "path"),
    [
        (
            {"queues": [{"name": "vip"}], "triage": [{"name": "a", "then": {"queu": "vip"}}]},
            "triage[0].then.queu",
        ),
        (
            {"triage": {"mode": "all", "rules": [{"name": "a", "then": {"priorty": "high"}}]}},
            "triage.rules[0].then.priorty",
        ),
        (
            {"escalation_rules": [{"name": "a", "then": {"notfy": ["lead"]}}]},
            "escalation_rules[0].then.notfy",
        ),
    ],
)
def test_a_misspelt_action_is_refused_not_ignored(doc: Any, path: str) -> None:
    """``then: {queu: vip}`` loaded, and every ticket quietly went to the default queue."""
    with pytest.raises(ConfigError, match=r"unknown (triage|escalation) action") as info:
        DeskConfig.from_dict(doc)
    assert info.value.path == path


# -- fields named in their own paths -----------------------------------------------------------


@pytest.mark.parametrize(
    ("doc", "path", "message"),
    [
        (
            {"queues": [{"name": "q", "relaxation": [{"after": "PT5M", "drop": [["billing"]]}]}]},
            "queues[0].relaxation[0].drop[0]",
            "expected a skill name, got ['billing']",
        ),
        (
            {"queues": [{"name": "q", "relaxation": [{"after": "PT5M", "drop": ["a", {}]}]}]},
            "queues[0].relaxation[0].drop[1]",
            "expected a skill name, got {}",
        ),
        (
            {"queues": [{"name": "q", "relaxation": [{"after": "PT5M", "proficiency": "max"}]}]},
            "queues[0].relaxation[0].proficiency",
            "proficiency must be an int from 1 to 5 or None, got 'max'",
        ),
        (
            {"queues": [{"name": "q", "relaxation": [{"after": "PT5M", "overflow_to": ""}]}]},
            "queues[0].relaxation[0].overflow_to",
            "overflow_to must be a non-empty string, got ''",
        ),
        (
            {"contacts": {"max_contacts": -1}},
            "contacts.max_contacts",
            "max_contacts must be a positive int, got -1",
        ),
        (
            {"contacts": {"window": "P7D", "max_customers": "many"}},
            "contacts.max_customers",
            "max_customers must be a positive int, got 'many'",
        ),
        (
            {"skills": {"billing": 3, "refunds": 2}},
            "skills",
            "skills must be 'open' or a collection of names, got {'billing': 3, 'refunds': 2}",
        ),
        (
            {"channels": {"chat": 1}},
            "channels",
            "channels must be 'open' or a collection of names, got {'chat': 1}",
        ),
        (
            {"affinity": {"timeout": "PT2M"}},
            "affinity",
            "'affinity' takes effect only with 'preferred_agent' in 'strategies', got "
            "strategies ['longest_idle']",
        ),
        (
            {"strategies": ["round_robin"], "affinity": {"timeout": "PT2M"}},
            "affinity",
            "'affinity' takes effect only with 'preferred_agent' in 'strategies', got "
            "strategies ['round_robin']",
        ),
    ],
)
def test_a_bad_field_is_named_in_its_path(doc: dict[str, Any], path: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        DeskConfig.from_dict(doc)
    assert info.value.path == path
    assert info.value.detail == message


def test_a_drop_of_unhashable_values_is_a_config_error_in_python_too() -> None:
    bads: list[Any] = [[["billing"]], [{"a": 1}]]
    for bad in bads:
        with pytest.raises(ConfigError, match=r"^drop must hold skill names, got "):
            RelaxationStep(timedelta(minutes=5), drop=bad)
    assert RelaxationStep(timedelta(minutes=5), drop=("billing", "billing")).drop == {"billing"}


def test_lint_checks_the_fields_of_rules_built_in_python() -> None:
    from csflow.policies import RuleEscalationPolicy
    from csflow.rules import RuleSet

    rules = [
        {"name": "vip", "when": {"field": "customer.teir", "eq": "gold"}, "then": {"queue": "vip"}},
        {"name": "rest", "then": {"queue": "general"}},
    ]
    escalation = RuleEscalationPolicy(
        RuleSet.from_dicts(
            [
                {
                    "name": "e",
                    "when": {"field": "evnt", "eq": "breach"},
                    "then": {"priority": "high"},
                }
            ],
            mode="all",
        )
    )
    cfg = DeskConfig(
        queues=[QueueSpec("general"), QueueSpec("vip")],
        triage=RuleSet.from_dicts(rules),
        escalation_policy=escalation,
    )
    assert [(f.path, f.severity, f.message) for f in cfg.lint()] == [
        (
            "triage.rules[0].when.field",
            "error",
            "unknown field 'customer.teir': the condition can never hold",
        ),
        (
            "escalation_rules[0].when.field",
            "error",
            "unknown field 'evnt': the condition can never hold",
        ),
    ]
