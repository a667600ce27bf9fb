"""Reading a desk configuration as a team keeping it in a file would: each mistake is refused
at the path of the value that is wrong, saying what was expected; a no-op (a relaxation step
dropping a skill no ticket can need) is refused like any other undeclared name; one document
written in JSON, YAML or TOML gives one configuration; and a configuration written back
names its calendars and reads back equal, with the same fingerprint.
"""

from __future__ import annotations

import json
import re
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import ConfigError, DeskConfig
from csflow.cli.documents import load_document
from csflow.desk import QueueSpec
from csflow.desk.fingerprint import config_fingerprint
from csflow.routing import Relaxation, RelaxationStep
from csflow.sla import format_duration

# -- strategies: the misspelt name is the error, not the affinity -----------------------------


@pytest.mark.parametrize(
    ("strategies", "index", "bad"),
    [
        (["prefered_agent"], 0, "'prefered_agent'"),
        (["longest_idle", "preferred_agnet"], 1, "'preferred_agnet'"),
        (["preferred_agent", 7], 1, "7"),
    ],
)
def test_a_misspelt_strategy_is_named_even_with_an_affinity(
    strategies: list[Any], index: int, bad: str
) -> None:
    doc = {"strategies": strategies, "affinity": {"timeout": "PT2M"}}
    with pytest.raises(ConfigError) as info:
        DeskConfig.from_dict(doc)
    assert info.value.path == f"strategies[{index}]"
    assert str(info.value).startswith(f"strategies[{index}]: unknown strategy {bad}; known: [")


@pytest.mark.parametrize("strategies", [7, "preferred_agent", {"preferred_agent": 1}])
def test_strategies_that_are_no_list_are_refused_as_such(strategies: Any) -> None:
    with pytest.raises(ConfigError) as info:
        DeskConfig.from_dict({"strategies": strategies, "affinity": {"timeout": "PT2M"}})
    assert info.value.path == "strategies"
    assert "expected a list" in str(info.value)


def test_an_affinity_without_a_preferred_agent_is_still_refused() -> None:
    with pytest.raises(ConfigError) as info:
        DeskConfig.from_dict({"strategies": ["longest_idle"], "affinity": {"timeout": "PT2M"}})
    assert info.value.path == "affinity"


# -- relaxation: a step dropping an undeclared skill; a plan that is no list -----------------

SKILLS = ("billing", "refunds", "tech")


@settings(max_examples=60)
@given(
    declared=st.sets(st.sampled_from(SKILLS)),
    drops=st.lists(st.sets(st.sampled_from([*SKILLS, "biling"]), min_size=1), max_size=3),
)
def test_a_relaxation_step_may_drop_only_declared_skills(
    declared: set[str], drops: list[set[str]]
) -> None:
    steps = [{"after": 60 * (j + 1), "drop": sorted(d)} for j, d in enumerate(drops)]
    doc = {"skills": sorted(declared), "queues": [{"name": "q", "relaxation": steps}]}
    # The reference: the first step (in order) dropping an undeclared skill, its first such skill.
    bad = [(j, sorted(d - declared)[0]) for j, d in enumerate(drops) if d - declared]
    if not bad:
        DeskConfig.from_dict(doc)
        DeskConfig.from_dict({**doc, "skills": "open"})
        return
    j, skill = bad[0]
    with pytest.raises(ConfigError) as info:
        DeskConfig.from_dict(doc)
    assert info.value.path == f"queues[0].relaxation[{j}].drop"
    assert f"undeclared skill {skill!r}; declared: {sorted(declared)!r}" in str(info.value)
    DeskConfig.from_dict({**doc, "skills": "open"})  # open skills: any name goes


def test_a_queue_built_in_python_drops_only_declared_skills() -> None:
    plan = Relaxation([RelaxationStep(timedelta(minutes=5), drop={"x"})])
    with pytest.raises(ConfigError, match=r"^queues\[0\]\.relaxation\[0\]\.drop: undeclared"):
        DeskConfig(queues=[QueueSpec("q", relaxation=plan)], skills=["billing"])
    DeskConfig(queues=[QueueSpec("q", relaxation=plan)])  # skills open: fine


@pytest.mark.parametrize("plan", ["", 0, False, "PT5M", {"after": 60}])
def test_a_relaxation_plan_that_is_no_list_is_refused(plan: Any) -> None:
    with pytest.raises(ConfigError) as info:
        DeskConfig.from_dict({"queues": [{"name": "q", "relaxation": plan}]})
    assert info.value.path == "queues[0].relaxation"
    assert str(info.value).startswith("queues[0].relaxation: expected a list, got ")


@pytest.mark.parametrize("plan", [None, []])
def test_no_relaxation_plan_is_none_or_an_empty_list(plan: Any) -> None:
    config = DeskConfig.from_dict({"queues": [{"name": "q", "relaxation": plan}]})
    assert config.queues[0].relaxation is None


# -- unknown keys name the closest known one -----------------------------------------------


@pytest.mark.parametrize(
    ("doc", "path", "typo", "meant"),
    [
        ({"queues": [{"nmae": "q"}]}, "queues[0]", "nmae", "name"),
        ({"queues": [{"name": "q", "relaxtion": []}]}, "queues[0]", "relaxtion", "relaxation"),
        ({"transfers": {"max_transfer": 2}}, "transfers", "max_transfer", "max_transfers"),
        ({"capacity": {"weight": {}}}, "capacity", "weight", "weights"),
        ({"contacts": {"windw": "P1D"}}, "contacts", "windw", "window"),
        ({"survey_dely": "PT1H"}, "config", "survey_dely", "survey_delay"),
    ],
)
def test_an_unknown_key_names_the_closest_known_one(
    doc: dict[str, Any], path: str, typo: str, meant: str
) -> None:
    with pytest.raises(ConfigError) as info:
        DeskConfig.from_dict(doc)
    assert info.value.path == path
    message = str(info.value)
    assert f"unknown key {typo!r}; expected one of [" in message
    assert message.endswith(f"; did you mean {meant!r}?")


def test_an_unknown_key_far_from_any_says_no_guess() -> None:
    with pytest.raises(ConfigError) as info:
        DeskConfig.from_dict({"queues": [{"name": "q", "zzzz": 1}]})
    assert "did you mean" not in str(info.value)


@pytest.mark.parametrize(
    ("doc", "path", "meant"),
    [
        ({"simulaton": {}}, "simulaton", "simulation"),
        ({"staffing": {"ahtt": "6m"}}, "staffing.ahtt", "aht"),
        ({"staffing": {"verify": {"seed": [1]}}}, "staffing.verify.seed", "seeds"),
    ],
)
def test_the_cli_names_the_closest_field(
    tmp_path: Path, doc: dict[str, Any], path: str, meant: str
) -> None:
    file = tmp_path / "c.json"
    file.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_document(file)
    assert info.value.path == path
    assert str(info.value).endswith(f"; did you mean {meant!r}?")


# -- one document in three formats; written back by name -----------------------------------

YAML = """
tiers: [{name: gold, rank: 3}, {name: regular, rank: 1}]
calendars:
  office:
    timezone: Asia/Jakarta
    weekly: {mon: [["08:00", "17:00"]], sat: [["08:00", "12:00"]]}
    holidays: {"2026-03-19": Nyepi}
  always: {timezone: UTC, always_open: true}
sla_policies:
  - name: std
    calendar: office
    calendars: {first_response: always}
    targets: {first_response: PT1H, resolution: {urgent: PT4H, normal: P1D}}
    warnings: [0.5, 0.9]
    warn_before: [PT15M]
default_sla_policy: std
queues:
  - name: general
    allowances: {gold: PT1M}
    relaxation: [{after: PT2M, drop: [tech]}]
  - {name: billing, key: deadline, fallback: PT1H}
routing_profiles: [{name: front, queues: [general, {queue: billing, delay: PT1M}]}]
strategies: [preferred_agent, longest_idle]
affinity: {timeout: PT2M}
triage: [{name: bill, when: {field: category, eq: billing}, then: {queue: billing}}]
teams: {front: {queue: general, routing_profile: front}, finance: {queue: billing}}
transfers: {max_transfers: 2, on_limit: flag}
skills: [billing, tech]
contacts: {window: P7D, max_contacts: 5}
close_solved_after: P3D
goodwill: {currency: IDR, decimals: 0, per_ticket: {gold: 20000}}
"""

TOML = """
default_sla_policy = "std"
strategies = ["preferred_agent", "longest_idle"]
skills = ["billing", "tech"]
close_solved_after = "P3D"
tiers = [{name = "gold", rank = 3}, {name = "regular", rank = 1}]
routing_profiles = [{name = "front", queues = ["general", {queue = "billing", delay = "PT1M"}]}]
triage = [{name = "bill", when = {field = "category", eq = "billing"}, then = {queue = "billing"}}]

[calendars.office]
timezone = "Asia/Jakarta"
weekly = {mon = [["08:00", "17:00"]], sat = [["08:00", "12:00"]]}
holidays = {"2026-03-19" = "Nyepi"}

[calendars.always]
timezone = "UTC"
always_open = true

[[sla_policies]]
name = "std"
calendar = "office"
calendars = {first_response = "always"}
targets = {first_response = "PT1H", resolution = {urgent = "PT4H", normal = "P1D"}}
warnings = [0.5, 0.9]
warn_before = ["PT15M"]

[[queues]]
name = "general"
allowances = {gold = "PT1M"}
relaxation = [{after = "PT2M", drop = ["tech"]}]

[[queues]]
name = "billing"
key = "deadline"
fallback = "PT1H"

[affinity]
timeout = "PT2M"

[teams]
front = {queue = "general", routing_profile = "front"}
finance = {queue = "billing"}

[transfers]
max_transfers = 2
on_limit = "flag"

[contacts]
window = "P7D"
max_contacts = 5

[goodwill]
currency = "IDR"
decimals = 0
per_ticket = {gold = 20000}
"""


def test_one_document_in_yaml_json_and_toml_gives_one_config(tmp_path: Path) -> None:
    data = yaml.safe_load(YAML)
    from_yaml = DeskConfig.from_dict(data)
    from_json = DeskConfig.from_dict(json.loads(json.dumps(data)))
    from_toml = DeskConfig.from_dict(tomllib.loads(TOML))
    assert from_yaml == from_json == from_toml
    fingerprints = {
        json.dumps(config_fingerprint(c), sort_keys=True) for c in (from_yaml, from_toml)
    }
    assert len(fingerprints) == 1
    # And through the command line's reader, each file format.
    for suffix, text in ((".yaml", YAML), (".toml", TOML), (".json", json.dumps(data))):
        file = tmp_path / f"desk{suffix}"
        if suffix == ".toml":
            tables = re.sub(r"^\[(\[?)", r"[\1desk.", text, flags=re.MULTILINE)
            file.write_text("[desk]\n" + tables, encoding="utf-8")
        elif suffix == ".yaml":
            file.write_text("desk:\n" + "".join(f"  {line}\n" for line in text.splitlines()))
        else:
            file.write_text(json.dumps({"desk": data}), encoding="utf-8")
        assert load_document(file).configs()[0] == from_yaml, suffix


def test_per_metric_calendars_are_written_by_name() -> None:
    config = DeskConfig.from_dict(yaml.safe_load(YAML))
    (policy,) = config.to_dict()["sla_policies"]
    assert policy["calendar"] == "office"
    assert policy["calendars"] == {"first_response": "always"}
    assert DeskConfig.from_dict(config.to_dict()) == config


@settings(max_examples=40)
@given(
    close=st.none() | st.timedeltas(min_value=timedelta(microseconds=1)),
    leads=st.lists(st.integers(1, 10**6).map(lambda s: f"PT{s}S"), max_size=3, unique=True),
    per_metric=st.dictionaries(
        st.sampled_from(["first_response", "resolution"]), st.sampled_from(["office", "always"])
    ),
)
def test_the_late_sections_round_trip(close: Any, leads: list[str], per_metric: Any) -> None:
    """``close_solved_after``, ``warn_before`` and per-metric calendars: written back, read
    back equal, with the same fingerprint, and written again the same."""
    data = yaml.safe_load(YAML)
    if close is None or close > timedelta(days=999_999_998):
        data.pop("close_solved_after")
    else:
        data["close_solved_after"] = format_duration(close)
    data["sla_policies"][0]["warn_before"] = leads
    data["sla_policies"][0]["calendars"] = per_metric
    config = DeskConfig.from_dict(data)
    written = config.to_dict()
    again = DeskConfig.from_dict(written)
    assert again == config
    assert config_fingerprint(again) == config_fingerprint(config)
    assert again.to_dict() == written
    assert again.close_solved_after == config.close_solved_after
    assert written["sla_policies"][0].get("calendars", {}) == per_metric


# -- SLA policies by name: the key names the policy, and its errors ---------------------------

ALWAYS = {"c": {"timezone": "UTC", "always_open": True}}


def test_a_policy_keyed_by_one_name_and_named_another_is_refused() -> None:
    doc = {
        "calendars": ALWAYS,
        "sla_policies": {"gold": {"name": "silver", "calendar": "c", "targets": {}}},
    }
    with pytest.raises(ConfigError) as info:
        DeskConfig.from_dict(doc)
    assert info.value.path == "sla_policies.gold.name"
    assert "named by its key 'gold', got the name 'silver'" in str(info.value)
    gold = {"name": "gold", "calendar": "c", "targets": {}}
    same = {"calendars": ALWAYS, "sla_policies": {"gold": gold}}
    assert list(DeskConfig.from_dict(same).sla_policies) == ["gold"]


@pytest.mark.parametrize(
    ("policy", "path"),
    [
        ({"calendar": "c", "targets": {"first_response": "90m"}}, "targets.first_response"),
        ({"calendar": "nowhere", "targets": {}}, "calendar"),
        ({"calendar": "c", "targets": {}, "colour": 1}, ""),
    ],
)
def test_an_error_in_a_policy_by_name_is_at_its_name(policy: dict[str, Any], path: str) -> None:
    by_name: dict[str, Any] = {"std": {"calendar": "c", "targets": {}}, "vip": policy}
    doc = {"calendars": ALWAYS, "sla_policies": by_name}  # vip: the second policy
    with pytest.raises(ConfigError) as info:
        DeskConfig.from_dict(doc)
    assert info.value.path == "sla_policies.vip" + (f".{path}" if path else "")
    listed = {"calendars": ALWAYS, "sla_policies": [{"name": "vip", **policy}]}
    with pytest.raises(ConfigError) as as_list:
        DeskConfig.from_dict(listed)
    assert as_list.value.path == "sla_policies[0]" + (f".{path}" if path else "")
