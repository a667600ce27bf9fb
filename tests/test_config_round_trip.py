"""``DeskConfig.to_dict``: a desk's configuration written back as the data it was read from.

The laws, over generated documents that use every section ``DeskConfig.from_dict`` reads:
what ``to_dict`` writes is JSON, reads back as an equal configuration with the same
fingerprint (so a snapshot taken under one restores under the other), and is written again
the same.  Worked examples: the sample desk, the example configs' ``desk`` parts and the YAML
how-to's whole desk.  Equality sees the escalation graph and the escalation rules; a part that
is code cannot be written, and says where it is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import ConfigError, DeskConfig, samples
from csflow.cli.documents import load_document
from csflow.desk import QueueSpec
from csflow.desk.fingerprint import config_fingerprint
from csflow.desk.goodwill import GoodwillPolicy
from csflow.lowlevel import ContactPolicy
from csflow.policies import PolicyContext, RuleEscalationPolicy
from csflow.queues import AgingKey, DeadlineKey, KeyContext
from csflow.routing import (
    EscalationGraph,
    LongestIdle,
    PreferredAgent,
    Relaxation,
    RelaxationStep,
    Strategy,
)
from csflow.rules import RuleSet
from csflow.sla import format_duration
from csflow.testing.strategies import calendars, rule_sets
from desks import SEED_ESCALATION, seeds_desk_doc

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = sorted((ROOT / "examples" / "configs").glob("*.yaml"))
HOW_TO = ROOT / "docs" / "how-to" / "yaml-policies.md"

# -- generated desk documents -----------------------------------------------------------------

TIER_NAMES = ("platinum", "gold", "silver", "regular")
CHANNELS = ("chat", "email", "phone", "whatsapp", "social", "line")
LANGUAGES = ("id", "en", "jv")
SKILLS = ("billing", "refunds", "tech")
PRIORITIES = ("urgent", "high", "normal", "low")
METRICS = ("first_response", "next_response", "periodic_update", "resolution")
PAUSABLE = ("queued", "open", "assigned", "new", "pending", "on_hold")
STRATEGY_NAMES = (
    "longest_idle",
    "round_robin",
    "most_spare_capacity",
    "best_proficiency",
    "preferred_agent",
)
#: The longest allowance or fallback a queue takes (``csflow.queues.keys.MAX_ALLOWANCE``).
MAX_DAYS = 36_525


def durations(*, zero: bool = False, max_days: int = MAX_DAYS) -> st.SearchStrategy[Any]:
    """A duration as a document writes it: ISO 8601 text (to the microsecond), whole or
    fractional seconds; ``0`` and ``"PT0S"`` too with *zero*."""
    spans = st.timedeltas(timedelta(microseconds=1), timedelta(days=max_days))
    forms: list[st.SearchStrategy[Any]] = [
        spans.map(format_duration),
        st.integers(1, 10**6),
        st.sampled_from([0.25, 1.5, 90.0]),
        st.sampled_from(["PT1M", "P1D", "P1W", "PT0.5S", "PT1H30M", "P2DT3H"]),
    ]
    if zero:
        forms.append(st.sampled_from([0, "PT0S", "P0D"]))
    return st.one_of(forms)


def flip(draw: st.DrawFn) -> bool:
    """A coin (a function, so that ``x or flip(draw)`` types whatever *x* is)."""
    return draw(st.booleans())


def names(pool: Sequence[str], *, min_size: int = 0) -> st.SearchStrategy[list[str]]:
    """Distinct names of *pool*, in a drawn order."""
    return st.lists(st.sampled_from(pool), min_size=min_size, max_size=len(pool), unique=True)


def declared(pool: Sequence[str]) -> st.SearchStrategy[Any]:
    """A ``channels`` / ``languages`` / ``skills`` declaration: names, or ``"open"``."""
    return st.one_of(st.just("open"), names(pool))


@st.composite
def calendar_docs(draw: st.DrawFn) -> dict[str, Any]:
    """A calendar as data: weekly hours and holidays, sometimes a special day, or 24/7."""
    if draw(st.integers(0, 4)) == 0:
        return {"timezone": draw(st.sampled_from(["UTC", "Asia/Jakarta"])), "always_open": True}
    data = draw(calendars()).to_dict()
    if draw(st.booleans()):
        data["special_days"] = {"2028-01-03": [["10:00", "14:00"]]}
    return data


@st.composite
def sla_policy_docs(draw: st.DrawFn, name: str, calendar_names: Sequence[str]) -> dict[str, Any]:
    calendar: Any = (
        draw(st.sampled_from(calendar_names))
        if calendar_names and flip(draw)
        else draw(calendar_docs())
    )
    targets: dict[str, Any] = {}
    for metric in draw(names(METRICS)):
        if draw(st.booleans()):
            targets[metric] = draw(durations(max_days=400))
        else:
            per = draw(names(PRIORITIES, min_size=1))
            targets[metric] = {p: draw(durations(max_days=400)) for p in per}
    data: dict[str, Any] = {"name": name, "calendar": calendar, "targets": targets}
    if draw(st.booleans()):
        data["warnings"] = sorted(draw(st.sets(st.sampled_from([0.25, 0.5, 0.75, 0.9]))))
    if draw(st.booleans()):
        data["pause_on"] = {s: draw(names(METRICS)) for s in draw(names(PAUSABLE))}
    return data


def allowance_keys(tiers: Sequence[str]) -> st.SearchStrategy[str]:
    tier = st.sampled_from(tiers or TIER_NAMES)
    priority = st.sampled_from(PRIORITIES)
    return st.one_of(
        tier,
        st.tuples(tier, priority).map(":".join),
        priority.map(lambda p: f"*:{p}"),
    )


bands = st.dictionaries(
    st.sampled_from(PRIORITIES),
    st.one_of(st.integers(-3, 5), st.sampled_from([-(2**31), 2**31 - 1])),
)


@st.composite
def relaxation_docs(
    draw: st.DrawFn, queues: Sequence[str], skills: Sequence[str]
) -> list[dict[str, Any]]:
    """Steps at strictly increasing instants, each of which changes something; a step drops
    only declared *skills* (a config refuses a step dropping an undeclared one)."""
    afters = sorted(draw(st.sets(st.integers(0, 3600), max_size=3)))
    steps = []
    kinds = ("proficiency", "drop", "any_language", "overflow_to")
    for after in afters:
        step: dict[str, Any] = {"after": after if draw(st.booleans()) else f"PT{after}S"}
        effects = draw(names([k for k in kinds if skills or k != "drop"], min_size=1))
        if "proficiency" in effects:
            step["proficiency"] = draw(st.integers(1, 5))
        if "drop" in effects:
            step["drop"] = draw(names(skills, min_size=1))
        if "any_language" in effects:
            step["any_language"] = True
        if "overflow_to" in effects:
            step["overflow_to"] = draw(st.sampled_from(queues))
        steps.append(step)
    return steps


@st.composite
def queue_docs(
    draw: st.DrawFn,
    name: str,
    queues: Sequence[str],
    tiers: Sequence[str],
    skills: Sequence[str] = SKILLS,
) -> dict[str, Any]:
    data: dict[str, Any] = {"name": name}
    kind = draw(st.sampled_from([None, "aging", "deadline"]))
    if kind is not None:
        data["key"] = kind
    if kind == "deadline":
        if draw(st.booleans()):
            data["fallback"] = draw(durations())
    else:
        if draw(st.booleans()):
            data["allowances"] = draw(
                st.dictionaries(allowance_keys(tiers), durations(zero=True), max_size=3)
            )
        if draw(st.booleans()):
            data["default_allowance"] = draw(durations(zero=True))
    if draw(st.booleans()):
        data["bands"] = draw(bands)
    if draw(st.integers(0, 2)) == 0:
        data["relaxation"] = draw(relaxation_docs(queues, skills))
    return data


def orderable(queues: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """*queues* whose overflows land where the target can order the ticket: a queue keyed by
    deadline without a fallback that the plan of a queue of another kind overflows to gets
    one (a config refuses such a plan)."""
    strict = {q["name"]: q for q in queues if q.get("key") == "deadline" and "fallback" not in q}
    for q in queues:
        if q["name"] in strict:
            continue
        for step in q.get("relaxation", ()):
            target = strict.pop(step.get("overflow_to"), None)
            if target is not None:
                target["fallback"] = "PT1H"
    return queues


@st.composite
def escalation_docs(draw: st.DrawFn, teams: Sequence[str]) -> dict[str, Any]:
    """A graph over some of *teams*: edges only from earlier to later teams (no cycle), and
    every team after the entry teams reached from an earlier one."""
    order = draw(st.permutations(teams))[: draw(st.integers(1, len(teams)))]
    n_entry = 1 if draw(st.booleans()) else draw(st.integers(1, len(order)))
    pairs: list[list[str]] = []
    for j in range(n_entry, len(order)):
        sources = draw(st.sets(st.integers(0, j - 1), min_size=1))
        pairs += [[order[i], order[j]] for i in sorted(sources)]
    pairs = draw(st.permutations(pairs))
    edges: Any = pairs
    if draw(st.booleans()):
        edges = {}
        for src, dst in pairs:
            edges.setdefault(src, []).append(dst)
    return {"teams": list(order), "entry": list(order[:n_entry]), "edges": edges}


@st.composite
def escalation_rule_docs(draw: st.DrawFn, queues: Sequence[str]) -> list[dict[str, Any]]:
    rules = []
    for i in range(draw(st.integers(0, 3))):
        rule: dict[str, Any] = {"name": f"e{i}"}
        if draw(st.booleans()):
            rule["when"] = draw(
                st.one_of(
                    st.sampled_from(["warning", "breach"]).map(
                        lambda e: {"field": "event", "eq": e}
                    ),
                    names(METRICS, min_size=1).map(lambda ms: {"field": "metric", "in": ms}),
                    st.sampled_from(TIER_NAMES).map(lambda t: {"field": "tier", "eq": t}),
                )
            )
        then: dict[str, Any] = {}
        if draw(st.booleans()):
            then["priority"] = draw(st.sampled_from(PRIORITIES))
        if draw(st.booleans()):
            then["queue"] = draw(st.sampled_from(queues))
        if draw(st.booleans()):
            then["notify"] = draw(names(("lead", "finance-lead", "duty-manager"), min_size=1))
        if draw(st.booleans()):
            then["tags"] = draw(names(("escalated", "late"), min_size=1))
        if then:
            rule["then"] = then
        rules.append(rule)
    return rules


@st.composite
def goodwill_docs(draw: st.DrawFn, tiers: Sequence[str]) -> dict[str, Any]:
    decimals = draw(st.integers(0, 3))
    cents = st.integers(0, 10**7)

    def amount(units: int) -> Any:
        if draw(st.booleans()) and decimals == 0:
            return units
        return (
            str(units)
            if decimals == 0
            else f"{units // 10**decimals}.{units % 10**decimals:0{decimals}d}"
        )

    data: dict[str, Any] = {"currency": draw(st.sampled_from(["IDR", "EUR", "USD"]))}
    if decimals != 2 or flip(draw):
        data["decimals"] = decimals
    for key, pool in (
        ("agents", ("sari", "budi")),
        ("teams", ("t0", "t1")),
        ("per_ticket", tiers or TIER_NAMES),
    ):
        if draw(st.booleans()):
            data[key] = {n: amount(draw(cents)) for n in draw(names(pool))}
    for key in ("allowance", "default_per_ticket"):
        if draw(st.booleans()):
            data[key] = draw(st.one_of(st.none(), cents.map(amount)))
    if draw(st.booleans()):
        data["period"] = draw(st.sampled_from(["day", "week", "month"]))
    if draw(st.booleans()):
        data["timezone"] = draw(st.sampled_from(["UTC", "Asia/Jakarta", "Europe/London"]))
    if draw(st.booleans()):
        data["over_limit"] = draw(st.sampled_from(["approval", "refuse"]))
    return data


def maybe(
    draw: st.DrawFn, doc: dict[str, Any], key: str, value: Callable[[], Any], p: int = 2
) -> None:
    """Set ``doc[key]`` to ``value()`` one time in *p* (else leave the key out)."""
    if draw(st.integers(1, p)) == 1:
        doc[key] = value()


@st.composite
def desk_documents(draw: st.DrawFn) -> dict[str, Any]:
    """Valid ``DeskConfig.from_dict`` documents, each section present or left out, in the
    forms a document may take (lists or mappings, names or inline data, ISO 8601 or seconds).
    """
    doc: dict[str, Any] = {}
    tiers = draw(names(TIER_NAMES))
    if tiers or flip(draw):
        doc["tiers"] = [{"name": t, "rank": draw(st.integers(0, 5))} for t in tiers]
    n_cal = draw(st.integers(0, 2))
    calendar_names = [f"c{i}" for i in range(n_cal)]
    if n_cal or flip(draw):
        doc["calendars"] = {c: draw(calendar_docs()) for c in calendar_names}
    policy_names = [f"s{i}" for i in range(draw(st.integers(0, 3)))]
    policies = [draw(sla_policy_docs(p, calendar_names)) for p in policy_names]
    if policies or flip(draw):
        doc["sla_policies"] = policies
        if draw(st.booleans()):  # the mapping form: name -> policy
            doc["sla_policies"] = {p.pop("name"): p for p in policies}
    maybe(draw, doc, "default_sla_policy", lambda: draw(st.sampled_from([None, *policy_names])))
    skills = draw(declared(SKILLS))
    if skills != "open" or flip(draw):
        doc["skills"] = skills
    queue_names = [f"q{i}" for i in range(draw(st.integers(0, 3)))]
    if queue_names or flip(draw):
        droppable = SKILLS if skills == "open" else sorted(skills)
        doc["queues"] = orderable(
            [draw(queue_docs(q, queue_names, tiers, droppable)) for q in queue_names]
        )
    queues = queue_names or ["default"]
    profile_names = [f"p{i}" for i in range(draw(st.integers(0, 2)))]
    if profile_names or flip(draw):
        doc["routing_profiles"] = [
            {
                "name": p,
                "queues": [
                    q
                    if draw(st.booleans())
                    else {
                        "queue": q,
                        "priority": draw(st.integers(-1, 3)),
                        "delay": draw(durations(zero=True, max_days=2)),
                    }
                    for q in draw(names(queues))
                ],
            }
            for p in profile_names
        ]
    strategies = draw(st.one_of(st.none(), names(STRATEGY_NAMES)))
    if strategies is not None:
        doc["strategies"] = strategies
        if "preferred_agent" in strategies and flip(draw):
            affinity: dict[str, Any] = {}
            maybe(draw, affinity, "timeout", lambda: draw(durations(zero=True, max_days=1)))
            maybe(draw, affinity, "recency", lambda: draw(st.none() | durations(max_days=30)))
            doc["affinity"] = affinity
    if draw(st.integers(0, 3)):
        doc["triage"] = draw(triage_docs(queues, policy_names, skills))
    # Each team has a queue of its own: at most one team a queue.
    team_queues = draw(st.permutations(queues))
    team_names = [f"t{i}" for i in range(draw(st.integers(0, min(3, len(queues)))))]
    if team_names or flip(draw):
        doc["teams"] = {}
        for t, q in zip(team_names, team_queues, strict=False):
            team: dict[str, Any] = {"queue": q}
            maybe(
                draw, team, "routing_profile", lambda: draw(st.sampled_from([None, *profile_names]))
            )
            doc["teams"][t] = team
    if team_names and flip(draw):
        doc["escalation"] = draw(escalation_docs(team_names))
    maybe(draw, doc, "escalation_rules", lambda: draw(st.none() | escalation_rule_docs(queues)))
    maybe(draw, doc, "transfers", lambda: draw(transfers))
    maybe(draw, doc, "presence", lambda: draw(presence))
    maybe(draw, doc, "capacity", lambda: draw(capacity))
    maybe(draw, doc, "survey_delay", lambda: draw(st.none() | durations(max_days=30)))
    maybe(draw, doc, "close_solved_after", lambda: draw(st.none() | durations(max_days=30)))
    maybe(draw, doc, "recalculation", lambda: draw(recalculation))
    maybe(draw, doc, "keep_history", lambda: draw(st.booleans()))
    maybe(draw, doc, "keep_log", lambda: draw(st.booleans()))
    maybe(draw, doc, "channels", lambda: draw(declared(CHANNELS)))
    maybe(draw, doc, "languages", lambda: draw(declared(LANGUAGES)))
    maybe(draw, doc, "contacts", lambda: draw(st.none() | contacts))
    maybe(draw, doc, "goodwill", lambda: draw(st.none() | goodwill_docs(tiers)))
    pots = (doc.get("goodwill") or {}).get("teams")
    if pots and doc.get("teams"):
        # Pots for declared teams only (fewer teams now: one a queue).
        doc["goodwill"]["teams"] = {t: v for t, v in pots.items() if t in doc["teams"]}
    return doc


@st.composite
def triage_docs(
    draw: st.DrawFn, queues: Sequence[str], policies: Sequence[str], skills: Any
) -> Any:
    """Triage rules (csflow.testing's rule sets, as data) with ``tags`` and ``skills`` actions
    besides, as a list or as ``{mode, rules}``."""
    ruleset = draw(rule_sets(queues=queues, sla_policies=policies))
    rules = ruleset.to_dicts()
    skill_pool = SKILLS if skills == "open" else sorted(skills)
    for rule in rules:
        then = rule.setdefault("then", {})
        if draw(st.booleans()):
            then["tags"] = draw(names(("vip", "refund", "follow-up"), min_size=1))
        if skill_pool and flip(draw):
            picked = draw(names(skill_pool, min_size=1))
            then["skills"] = (
                picked if draw(st.booleans()) else {s: draw(st.integers(1, 5)) for s in picked}
            )
    if ruleset.mode == "first" and flip(draw):
        return rules
    data: dict[str, Any] = {"rules": rules}
    if ruleset.mode == "all" or flip(draw):
        data["mode"] = ruleset.mode
    return data


transfers = st.fixed_dictionaries(
    {},
    optional={
        "max_transfers": st.none() | st.integers(0, 5),
        "on_limit": st.sampled_from(["refuse", "flag"]),
    },
)
presence = st.dictionaries(st.sampled_from(["lunch", "training", "overflow_ready"]), st.booleans())
capacity = st.fixed_dictionaries(
    {},
    optional={
        "weights": st.dictionaries(st.sampled_from(CHANNELS), st.integers(1, 3)),
        "limits": st.dictionaries(st.sampled_from(CHANNELS), st.integers(0, 3)),
        "exclusive": names(CHANNELS),
        "budget": st.none() | st.integers(1, 6),
    },
)
recalculation = st.sampled_from(["keep_elapsed", "restart", "retroactive"])
contacts = st.fixed_dictionaries(
    {},
    optional={
        "window": durations(),
        "max_contacts": st.integers(1, 50),
        "max_customers": st.integers(1, 10**6),
    },
)


# -- the laws -----------------------------------------------------------------------------------


def check_round_trip(doc: Any) -> dict[str, Any]:
    """Read *doc*, write it back, and check the laws; return what was written."""
    config = DeskConfig.from_dict(doc)
    before = config_fingerprint(config)
    written = config.to_dict()
    assert json.loads(json.dumps(written)) == written  # JSON, nothing else
    again = DeskConfig.from_dict(written)
    assert again == config
    assert again.to_dict() == written
    # A snapshot taken under either config restores under the other; writing changed nothing.
    assert config_fingerprint(again) == before == config_fingerprint(config)
    return written


@settings(max_examples=150)
@given(desk_documents())
def test_a_document_written_back_reads_back_equal(doc: dict[str, Any]) -> None:
    check_round_trip(doc)


@settings(max_examples=100)
@given(desk_documents(), st.data())
def test_equality_sees_the_escalation_graph_and_rules(
    doc: dict[str, Any], data: st.DataObject
) -> None:
    config = DeskConfig.from_dict(doc)
    changed = dict(doc)
    if config.escalation is not None and data.draw(st.booleans()):
        changed.pop("escalation")
    elif config.escalation_policy is not None and data.draw(st.booleans()):
        changed["escalation_rules"] = None
    else:
        # Rules that differ from whatever the document had.
        rule = {"name": "changed", "then": {"notify": ["someone-else"]}}
        rules = doc.get("escalation_rules") or []
        changed["escalation_rules"] = [*rules, rule]
    assert DeskConfig.from_dict(changed) != config
    assert DeskConfig.from_dict(dict(doc)) == config


# -- worked examples --------------------------------------------------------------------------


def test_the_sample_desk_round_trips() -> None:
    written = check_round_trip(samples.demo_desk_data())
    assert written["escalation"] == {
        "teams": ["front", "technical", "finance"],
        "entry": ["front"],
        "edges": {"front": ["technical", "finance"], "technical": ["finance"]},
    }
    assert written["queues"][2]["key"] == "deadline"
    assert written["queues"][2]["fallback"] == "PT1H"


@pytest.mark.parametrize("path", CONFIGS, ids=[p.name for p in CONFIGS])
def test_an_example_config_desk_round_trips(path: Path) -> None:
    check_round_trip(load_document(path).data["desk"])


def test_the_example_configs_are_there() -> None:
    assert "marketplace-day.yaml" in [p.name for p in CONFIGS]


def how_to_desk() -> Any:
    """The whole-desk document of the YAML how-to, as its page has it."""
    found = re.search(r'DESK_YAML = """\n(.*?)"""', HOW_TO.read_text(encoding="utf-8"), re.S)
    assert found is not None, "the how-to no longer has DESK_YAML"
    return yaml.safe_load(found[1])


def test_the_how_to_whole_desk_round_trips() -> None:
    written = check_round_trip(how_to_desk())
    assert written["triage"]["mode"] == "first"
    assert written["sla_policies"][1]["calendar"] == "jakarta-office"
    assert written["survey_delay"] == "PT1H"
    assert written["capacity"]["exclusive"] == ["phone"]


def test_the_default_config_writes_every_key() -> None:
    written = DeskConfig().to_dict()
    assert DeskConfig.from_dict(written) == DeskConfig() == DeskConfig.from_dict({})
    assert written == DeskConfig.from_dict({}).to_dict()
    assert written["channels"] == ["chat", "email", "phone", "social", "whatsapp"]
    assert written["languages"] == written["skills"] == "open"
    assert written["strategies"] == ["longest_idle"]
    assert "affinity" not in written
    assert written["contacts"] == {"window": "PT168H", "max_contacts": 20, "max_customers": 100_000}
    assert written["escalation"] is None
    assert written["escalation_rules"] is None


def test_affinity_is_written_with_a_preferred_agent() -> None:
    doc = {"strategies": ["preferred_agent", "round_robin"], "affinity": {"timeout": 90}}
    written = check_round_trip(doc)
    assert written["strategies"] == ["preferred_agent", "round_robin"]
    assert written["affinity"] == {"timeout": "PT1M30S", "recency": None}


def test_an_inline_calendar_equal_to_a_named_one_is_written_by_name() -> None:
    office = {"timezone": "Asia/Jakarta", "weekly": {"mon": [["08:00", "17:00"]]}}
    doc = {
        "calendars": {"office": office},
        "sla_policies": [
            {"name": "named", "calendar": "office", "targets": {"resolution": "PT8H"}},
            {"name": "inline", "calendar": office, "targets": {"resolution": "PT8H"}},
            {
                "name": "other",
                "calendar": {"timezone": "UTC", "always_open": True},
                "targets": {"resolution": "PT8H"},
            },
        ],
    }
    written = check_round_trip(doc)
    assert [p["calendar"] for p in written["sla_policies"][:2]] == ["office", "office"]
    assert written["sla_policies"][2]["calendar"]["timezone"] == "UTC"


# -- equality -------------------------------------------------------------------------------

#: The review's two documents: the same desk, with different escalation rules and graph.
REVIEW_BASE: dict[str, Any] = {
    "queues": [{"name": "general"}, {"name": "finance"}],
    "teams": {"front": {"queue": "general"}, "finance": {"queue": "finance"}},
    "escalation": {
        "teams": ["front", "finance"],
        "entry": ["front"],
        "edges": {"front": ["finance"]},
    },
    "escalation_rules": [
        {
            "name": "breach",
            "when": {"field": "event", "eq": "breach"},
            "then": {"queue": "finance", "notify": ["finance-lead"]},
        }
    ],
}
REVIEW_OTHER: dict[str, Any] = {
    **REVIEW_BASE,
    "escalation": {"teams": ["front", "finance"], "entry": ["front", "finance"], "edges": {}},
    "escalation_rules": [
        {
            "name": "warning",
            "when": {"field": "event", "eq": "warning"},
            "then": {"priority": "urgent"},
        }
    ],
}


def test_the_reviews_two_documents_give_unequal_configs() -> None:
    a, b = DeskConfig.from_dict(REVIEW_BASE), DeskConfig.from_dict(REVIEW_OTHER)
    assert a != b
    assert a.to_dict()["escalation_rules"] != b.to_dict()["escalation_rules"]


def test_the_escalation_graph_alone_makes_configs_unequal() -> None:
    other_graph = {**REVIEW_BASE, "escalation": REVIEW_OTHER["escalation"]}
    assert DeskConfig.from_dict(REVIEW_BASE) != DeskConfig.from_dict(other_graph)
    no_graph = {k: v for k, v in REVIEW_BASE.items() if k != "escalation"}
    assert DeskConfig.from_dict(REVIEW_BASE) != DeskConfig.from_dict(no_graph)


def test_the_escalation_rules_alone_make_configs_unequal() -> None:
    other_rules = {**REVIEW_BASE, "escalation_rules": REVIEW_OTHER["escalation_rules"]}
    assert DeskConfig.from_dict(REVIEW_BASE) != DeskConfig.from_dict(other_rules)
    no_rules = {k: v for k, v in REVIEW_BASE.items() if k != "escalation_rules"}
    assert DeskConfig.from_dict(REVIEW_BASE) != DeskConfig.from_dict(no_rules)


def test_the_same_document_gives_equal_configs() -> None:
    assert DeskConfig.from_dict(REVIEW_BASE) == DeskConfig.from_dict(
        json.loads(json.dumps(REVIEW_BASE))
    )


def test_escalation_graphs_are_equal_by_value() -> None:
    as_mapping = EscalationGraph.from_dict(SEED_ESCALATION)
    as_pairs = EscalationGraph.from_dict(
        {**SEED_ESCALATION, "edges": [["front", "technical"], ["front", "finance"]]}
    )
    assert as_mapping == as_pairs
    assert hash(as_mapping) == hash(as_pairs)
    assert as_mapping != EscalationGraph.from_dict(
        {**SEED_ESCALATION, "edges": {}, "entry": SEED_ESCALATION["teams"]}
    )
    # The first entry team is where a desk escalates from: its order counts.
    one = EscalationGraph(["a", "b"], [], ["a", "b"])
    assert one != EscalationGraph(["a", "b"], [], ["b", "a"])
    assert one != "not a graph"


def vip_first(context: PolicyContext, /) -> Any:
    """A policy given in code (never called here)."""


def other_policy(context: PolicyContext, /) -> Any:
    """Another one."""


def test_an_escalation_policy_in_code_compares_by_identity() -> None:
    assert DeskConfig(escalation_policy=vip_first) == DeskConfig(escalation_policy=vip_first)
    assert DeskConfig(escalation_policy=vip_first) != DeskConfig(escalation_policy=other_policy)
    assert DeskConfig(escalation_policy=vip_first) != DeskConfig()
    rules = [{"name": "x", "then": {"tags": ["late"]}}]
    assert DeskConfig(escalation_policy=RuleEscalationPolicy(rules)) == DeskConfig(
        escalation_policy=RuleEscalationPolicy(RuleSet.from_dicts(rules, mode="all"))
    )


# -- parts that are code ----------------------------------------------------------------------


class RandomPick(LongestIdle):
    """A strategy of the host's own (a subclass is code too: it may rank otherwise)."""


def key_of_my_own(context: KeyContext, /) -> tuple[int, int]:
    return 0, context.queued_at_us


def strategies(*chain: Strategy) -> DeskConfig:
    return DeskConfig(strategies=chain)


CODE_PARTS: list[tuple[Callable[[], DeskConfig], str, str]] = [
    (lambda: DeskConfig(priority_policy=vip_first), "priority_policy", "is code"),
    (lambda: DeskConfig(queue_policy=vip_first), "queue_policy", "is code"),
    (lambda: DeskConfig(sla_selection=vip_first), "sla_selection", "is code"),
    (lambda: DeskConfig(escalation_policy=vip_first), "escalation_policy", "is code"),
    (
        lambda: DeskConfig(
            escalation_policy=RuleEscalationPolicy(
                RuleSet.from_dicts([{"name": "x", "then": {"tags": ["late"]}}], mode="first")
            )
        ),
        "escalation_policy.rules",
        "read in 'all' mode",
    ),
    (
        lambda: DeskConfig(queues=[QueueSpec("a"), QueueSpec("b", key=key_of_my_own)]),
        "queues[1].key",
        "is code",
    ),
    (
        lambda: DeskConfig(queues=[QueueSpec("a", key=AgingKey(default_band=4))]),
        "queues[0].key.default_band",
        "band 1",
    ),
    (
        lambda: DeskConfig(queues=[QueueSpec("a", key=DeadlineKey(fallback=timedelta(0)))]),
        "queues[0].key.fallback",
        "positive duration",
    ),
    (lambda: strategies(LongestIdle(), RandomPick()), "strategies[1]", "is code"),
    (
        lambda: strategies(PreferredAgent(), LongestIdle(), PreferredAgent(timedelta(minutes=1))),
        "strategies[2]",
        "one 'affinity'",
    ),
    (
        lambda: strategies(PreferredAgent(recency=timedelta(0))),
        "strategies[0].recency",
        "positive duration",
    ),
    (lambda: DeskConfig(survey_delay=timedelta(0)), "survey_delay", "positive duration"),
    (
        lambda: DeskConfig(contacts=ContactPolicy(timedelta(0))),
        "contacts.window",
        "positive duration",
    ),
    (
        # Rules built in Python are not checked against the desk's fields; a document's are.
        lambda: DeskConfig(
            triage=RuleSet.from_dicts([{"name": "x", "when": {"field": "evnt", "eq": 1}}])
        ),
        "triage.rules[0].when.field",
        "unknown field 'evnt'",
    ),
]


@pytest.mark.parametrize(("build", "path", "why"), CODE_PARTS, ids=[p for _, p, _ in CODE_PARTS])
def test_a_part_that_cannot_be_data_is_refused_with_its_path(
    build: Callable[[], DeskConfig], path: str, why: str
) -> None:
    config = build()
    with pytest.raises(
        ConfigError, match=rf"^{re.escape(path)}: .*cannot be written as data"
    ) as exc:
        config.to_dict()
    assert exc.value.path == path
    assert why in exc.value.detail


def test_a_config_with_a_code_part_writes_once_the_part_is_left_out() -> None:
    read = DeskConfig.from_dict(seeds_desk_doc())
    with_code = attrs.evolve(read, priority_policy=vip_first)
    with pytest.raises(ConfigError, match=r"^priority_policy: "):
        with_code.to_dict()
    assert attrs.evolve(with_code, priority_policy=None).to_dict() == read.to_dict()


def test_a_relaxation_plan_is_read_back_named_after_its_queue() -> None:
    plan = Relaxation([RelaxationStep(timedelta(minutes=2), proficiency=1)])
    written = DeskConfig(queues=[QueueSpec("general", relaxation=plan)]).to_dict()
    assert written["queues"][0]["relaxation"] == [
        {"after": "PT2M", "proficiency": 1, "drop": [], "any_language": False, "overflow_to": None}
    ]
    again = DeskConfig.from_dict(written).queues[0].relaxation
    assert again is not None
    assert again.name == "general"
    assert again.steps == plan.steps


# -- the parts' own inverses ------------------------------------------------------------------


@settings(max_examples=100)
@given(goodwill_docs(TIER_NAMES))
def test_a_goodwill_policy_written_back_reads_back_equal(doc: dict[str, Any]) -> None:
    policy = GoodwillPolicy.from_dict(doc)
    written = policy.to_dict()
    assert json.loads(json.dumps(written)) == written
    assert GoodwillPolicy.from_dict(written) == policy
    assert GoodwillPolicy.from_dict(written).to_dict() == written


def test_a_goodwill_policy_writes_amounts_as_decimal_strings() -> None:
    policy = GoodwillPolicy("EUR", agents={"sari": "12.50"}, allowance=100)
    assert policy.to_dict() == {
        "currency": "EUR",
        "decimals": 2,
        "period": "month",
        "timezone": "UTC",
        "agents": {"sari": "12.50"},
        "teams": {},
        "allowance": "100.00",
        "per_ticket": {},
        "default_per_ticket": None,
        "over_limit": "approval",
    }
