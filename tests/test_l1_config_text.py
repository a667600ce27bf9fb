"""Text a configuration document gives must be writable as UTF-8, and errors about it bounded.

A string of a desk's document (a rule's description, a holiday's name, a tag, a queue's name)
reaches events, snapshots and reports: one holding a lone UTF-16 surrogate (U+D800-U+DFFF)
could not be written as UTF-8 there, so it is refused when the document is read, with the path
to it.  A key of a document may be a megabyte long, hold control characters or a surrogate:
an error naming it stays short and printable.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import samples
from csflow.calendar import BusinessCalendar
from csflow.desk.config import DeskConfig, QueueSpec, TeamSpec
from csflow.errors import CalendarError, ConfigError, CsflowError
from csflow.routing import PresenceStates, QueueSlot, RoutingProfile
from csflow.rules import RuleSet
from csflow.sla import SlaPolicy
from desks import seeds_desk_doc

Path = tuple[str | int, ...]

S = "\ud800"
CAL = BusinessCalendar.always_open()


def _rich_doc() -> dict[str, Any]:
    """The seeds' desk with free text in every place a document may hold some."""
    doc = seeds_desk_doc()
    doc["calendars"]["office"]["holidays"] = {"2026-03-20": "Idul Fitri", "2026-12-25": "Natal"}
    doc["calendars"]["office"]["special_days"] = {"2026-03-21": [["09:00", "12:00"]]}
    rules = doc["triage"]["rules"]
    rules[0]["description"] = "Platinum and gold customers first"
    rules[0]["then"]["tags"] = ["vip", "priority-lane"]
    rules.append(
        {"name": "refunds", "when": {"field": "category", "matches": "refund"}, "then": {}}
    )
    doc["escalation_rules"] = [
        {
            "name": "late",
            "description": "a breach tells the lead",
            "when": {"field": "event", "eq": "breach"},
            "then": {"tags": ["late"], "notify": ["lead"]},
        }
    ]
    doc["presence"] = {"lunch": False}
    doc["capacity"] = {"weights": {"email": 1, "chat": 2}, "exclusive": ["phone"], "budget": 3}
    doc["channels"] = ["chat", "email", "phone"]
    doc["skills"] = ["billing", "refunds"]
    return doc


def _plain(doc: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(json.dumps(doc))
    return out


DOCS: dict[str, dict[str, Any]] = {
    "seeds": _plain(seeds_desk_doc()),
    "rich": _plain(_rich_doc()),
    "demo": _plain(samples.demo_desk_data()),
}


def _path(path: Path) -> str:
    """A document path as the docs write it (``queues[2].name``), built naively."""
    out = ""
    for p in path:
        out = f"{out}[{p}]" if isinstance(p, int) else (f"{out}.{p}" if out else p)
    return out


def _strings(doc: object, path: Path = ()) -> Iterator[tuple[str, Path, str]]:
    """Every string of *doc*: ``("value", path, text)`` or ``("key", mapping's path, key)``."""
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield "key", path, k
            yield from _strings(v, (*path, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _strings(v, (*path, i))
    elif isinstance(doc, str):
        yield "value", path, doc


def _mappings(doc: object, path: Path = ()) -> Iterator[Path]:
    if isinstance(doc, dict):
        yield path
        for k, v in doc.items():
            yield from _mappings(v, (*path, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _mappings(v, (*path, i))


def _at(doc: Any, path: Path) -> Any:
    for p in path:
        doc = doc[p]
    return doc


def _spoil(name: str, kind: str, path: Path, text: str, bad: str) -> dict[str, Any]:
    """A copy of document *name* with one string (a value, or a mapping's key) made *bad*."""
    doc = copy.deepcopy(DOCS[name])
    if kind == "value":
        _at(doc, path[:-1])[path[-1]] = bad
    else:
        node = _at(doc, path)
        node[bad] = node.pop(text)
    return doc


SITES = [(name, *site) for name, doc in DOCS.items() for site in _strings(doc)]


def _check_message(exc: BaseException) -> None:
    """The error's text is short, printable and writable as UTF-8."""
    text = str(exc)
    assert len(text) < 1000, text[:200]
    assert text.isprintable(), text[:200]
    text.encode()


def _refused_at(name: str, kind: str, path: Path, text: str, bad: str) -> None:
    doc = _spoil(name, kind, path, text, bad)
    with pytest.raises(CsflowError) as info:
        DeskConfig.from_dict(doc)
    exc = info.value
    # Every string of a desk's document is text that may reach its output.
    assert isinstance(exc, ConfigError), exc
    if kind == "key" and not path:
        assert exc.path == "config"  # a key the document cannot have: refused as unknown
    else:
        assert exc.path == _path(path)  # the value's path, or the key's mapping's
    _check_message(exc)


@pytest.mark.parametrize(("name", "kind", "path", "text"), SITES)
def test_every_string_of_a_document_with_a_lone_surrogate_is_refused_at_its_path(
    name: str, kind: str, path: Path, text: str
) -> None:
    _refused_at(name, kind, path, text, text + "\ud800")


@settings(max_examples=60)
@given(
    st.sampled_from(SITES),
    st.integers(0xD800, 0xDFFF).map(chr),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=3),
    st.booleans(),
)
def test_any_lone_surrogate_anywhere_in_a_string_is_refused(
    site: tuple[str, str, Path, str], surrogate: str, extra: str, before: bool
) -> None:
    name, kind, path, text = site
    bad = surrogate + extra + text if before else text + extra + surrogate
    _refused_at(name, kind, path, text, bad)


_FREE_TEXT: list[tuple[str, Path]] = [
    ("value", ("calendars", "office", "holidays", "2026-03-20")),
    ("value", ("triage", "rules", 0, "description")),
    ("value", ("triage", "rules", 0, "then", "tags", 1)),
    ("value", ("triage", "rules", 1, "when", "matches")),
    ("value", ("escalation_rules", 0, "description")),
    ("value", ("escalation_rules", 0, "then", "notify", 0)),
    ("value", ("triage", "rules", 0, "when", "in", 1)),
]


def _round_trips(doc: dict[str, Any]) -> None:
    config = DeskConfig.from_dict(doc)
    out = config.to_dict()
    json.dumps(out, ensure_ascii=False).encode()  # UTF-8 writes all of it
    again = DeskConfig.from_dict(json.loads(json.dumps(out, ensure_ascii=False)))
    assert again == config
    assert again.to_dict() == out


@pytest.mark.parametrize("name", sorted(DOCS))
def test_an_encodable_document_loads_and_round_trips_as_utf8(name: str) -> None:
    _round_trips(DOCS[name])


@settings(max_examples=40)
@given(
    st.sampled_from(_FREE_TEXT),
    st.text(st.characters(exclude_categories=["Cs", "Cc"]), min_size=1, max_size=20).filter(
        str.strip
    ),
)
def test_free_text_of_any_script_loads_and_round_trips(site: tuple[str, Path], text: str) -> None:
    kind, path = site
    if path[-1] == "matches":
        text = "".join(c for c in text if c.isalnum()) or "x"  # a literal pattern
    doc = _spoil("rich", kind, path, _at(DOCS["rich"], path), text)
    _round_trips(doc)


HOSTILE_KEYS = {
    "megabyte": "k" * 1_000_000,
    "escape": "a\x1b[31mred",
    "newline": "a\nb",
    "surrogate": "x\ud800",
    "surrogates": "\ud800" * 200_000,
}


@pytest.mark.parametrize("key", sorted(HOSTILE_KEYS))
def test_a_hostile_key_anywhere_gives_a_short_printable_error(key: str) -> None:
    bad = HOSTILE_KEYS[key]
    for path in _mappings(DOCS["rich"]):
        doc = copy.deepcopy(DOCS["rich"])
        _at(doc, path)[bad] = "v"
        with pytest.raises(ConfigError) as info:
            DeskConfig.from_dict(doc)
        _check_message(info.value)
        assert "\ud800" not in info.value.path


@pytest.mark.parametrize("key", sorted(HOSTILE_KEYS))
def test_hostile_keys_in_the_parts_read_alone(key: str) -> None:
    bad = HOSTILE_KEYS[key]
    calendar: dict[str, Any] = {"timezone": "UTC", "weekly": {}, "holidays": {}}
    policy: dict[str, Any] = {"name": "p", "calendar": "c", "targets": {"resolution": "PT1H"}}
    calendars = {"c": CAL}
    rule: dict[str, Any] = {"name": "r", "when": {"field": "tier", "eq": "gold"}, "then": {}}
    cases: list[tuple[Callable[[Any], object], Any]] = [
        (BusinessCalendar.from_dict, {**calendar, bad: 1}),
        (BusinessCalendar.from_dict, {**calendar, "weekly": {bad: []}}),
        (BusinessCalendar.from_dict, {**calendar, "holidays": {bad: "x"}}),
        (BusinessCalendar.from_dict, {**calendar, "special_days": {bad: []}}),
        (lambda d: SlaPolicy.from_dict(d, calendars), {**policy, bad: 1}),
        (lambda d: SlaPolicy.from_dict(d, calendars), {**policy, "targets": {bad: "PT1H"}}),
        (
            lambda d: SlaPolicy.from_dict(d, calendars),
            {**policy, "targets": {"resolution": {bad: "PT1H"}}},
        ),
        (lambda d: SlaPolicy.from_dict(d, calendars), {**policy, "pause_on": {bad: []}}),
        (lambda d: SlaPolicy.from_dict(d, calendars), {**policy, "calendars": {bad: "c"}}),
        (lambda d: RuleSet.from_dicts([d]), {**rule, bad: 1}),
        (lambda d: RuleSet.from_dicts([d]), {**rule, "when": {"field": "tier", bad: 1}}),
        (lambda d: RuleSet.from_dicts([d]), {**rule, "when": {bad: []}}),
        (lambda d: RuleSet.from_dicts([d]), {**rule, "then": {bad: 1}}),
    ]
    if key not in ("escape", "newline"):  # (an action's mapping may have any short key)
        cases.append((lambda d: RuleSet.from_dicts([d]), {**rule, "then": {"m": {bad: 1}}}))
    for build, data in cases:
        with pytest.raises(CsflowError) as info:
            build(data)
        assert isinstance(info.value, ConfigError)
        _check_message(info.value)


@pytest.mark.parametrize(
    ("build", "path"),
    [
        (lambda t: BusinessCalendar("UTC", holidays={date(2026, 1, 1): t}), None),
        (
            lambda t: BusinessCalendar.from_dict({"holidays": {"2026-01-01": t}}, "cal"),
            "cal.holidays.2026-01-01",
        ),
        (lambda t: SlaPolicy(t, CAL, {"resolution": timedelta(hours=1)}), "name"),
        (
            lambda t: SlaPolicy.from_dict(
                {"name": t, "calendar": "c", "targets": {"resolution": 60}}, {"c": CAL}, "p"
            ),
            "p.name",
        ),
        (lambda t: RuleSet.from_dicts([{"name": "r", "description": t}]), "rules[0].description"),
        (lambda t: RuleSet.from_dicts([{"name": t}]), "rules[0].name"),
        (
            lambda t: RuleSet.from_dicts([{"name": "r", "then": {"tags": ["a", t]}}]),
            "rules[0].then.tags[1]",
        ),
        (
            lambda t: RuleSet.from_dicts([{"name": "r", "then": {"m": {t: 1}}}]),
            "rules[0].then.m",
        ),
        (
            lambda t: RuleSet.from_dicts([{"name": "r", "when": {"field": "x", "eq": t}}]),
            "rules[0].when.eq",
        ),
        (
            lambda t: RuleSet.from_dicts([{"name": "r", "when": {"field": "x", "matches": t}}]),
            "rules[0].when.matches",
        ),
        (lambda t: QueueSpec(t), "name"),
        (lambda t: TeamSpec(t, "q"), "name"),
        (lambda t: TeamSpec("t", t), "queue"),
        (lambda t: TeamSpec("t", "q", t), "routing_profile"),
        (lambda t: DeskConfig(calendars={t: CAL}), "calendars"),
        (lambda t: DeskConfig(default_sla_policy=t), "default_sla_policy"),
        (lambda t: DeskConfig(presence=PresenceStates({t: False})), "presence"),
        (
            lambda t: DeskConfig(
                queues=[QueueSpec("q")], routing_profiles=[RoutingProfile(t, [QueueSlot("q")])]
            ),
            "routing_profiles[0].name",
        ),
    ],
)
def test_python_built_parts_refuse_a_lone_surrogate(
    build: Callable[[str], object], path: str | None
) -> None:
    if path != "default_sla_policy":  # (which also needs a policy of that name)
        build("Caf\u00e9 \u6625\u8282")  # text of any script is fine
    with pytest.raises((ConfigError, CalendarError)) as info:
        build("Caf\u00e9" + S)
    if path is not None:
        assert isinstance(info.value, ConfigError)
        assert info.value.path == path
    assert "U+D800-U+DFFF" in str(info.value)
    _check_message(info.value)


def test_a_document_of_shared_parts_is_looked_at_once() -> None:
    # A YAML alias bomb: 40 levels, each holding the one below twice (2**40 paths).
    bomb: list[Any] = ["x"]
    for _ in range(40):
        bomb = [bomb, bomb]
    start = time.perf_counter()
    with pytest.raises(ConfigError) as info:
        DeskConfig.from_dict({"presence": bomb})
    assert time.perf_counter() - start < 2.0
    assert info.value.path == "presence"
    _check_message(info.value)


def test_a_deep_document_is_walked_without_recursion() -> None:
    deep: list[Any] = ["ok" + S]
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(ConfigError) as info:
        DeskConfig.from_dict({"presence": deep})
    # The path names the string, however deep (it is spelt out for the error only).
    assert info.value.path.startswith("presence[0][0]")
    assert info.value.path.endswith("[0]")
    str(info.value).encode()
