"""Config documents: one file (JSON, TOML or YAML) for a desk, a simulation and a staffing
question.

Shape (every section optional, unknown keys refused)::

    $schema: ...            # ignored: editors read it (csflow schema > csflow.schema.json)
    x-base: &base ...       # any top-level key starting x-: ignored, a place for anchors
    name: Marketplace desk, an ordinary day
    seed: 1                 # the first seed; replications use seed, seed + 1, ...
    replications: 1
    desk: {...}             # csflow.desk.DeskConfig.from_dict
    simulation: {...}       # csflow.sim.SimConfig.from_dict
    sweep: {parameter: simulation.agents[0].count, values: [20, 25, 30]}
    staffing: {aht: 6m, target: 60s, level: 0.8, patience: 8m, shrinkage: 0.15,
               peak: lebaran, interval: 30m, forecast: forecast.csv,
               day: 2026-03-19, timezone: Asia/Jakarta,
               shifts: [{name: early, length: 8h, earliest: "06:00", latest: "08:00",
                         breaks: [{length: 30m, earliest: 3h, latest: 5h}]}],
               wraps: false,      # a 24/7 horizon: the last interval runs into the first
               verify: {seeds: [1, 2, 3], abandonment: 0.1, tiers: {gold: 0.9},
                        channels: {}, warmup: 30m, span: 1h, max_steps: 30}}

Reading a document checks everything a run needs before the run starts: the file, the
format, the keys, durations in the forms people write (``6m``, ``6min``, ``PT6M``, ``360s``,
turned into seconds here because the library reads ISO 8601 and seconds), the arrival-rate
profile (reported as ``08:00``, not as an internal value), the desk and the simulation
(built once with the library's own readers, so every error carries the path to the bad
field).  YAML reads a plain scalar with a colon as YAML 1.2 and JSON do, as a string: an
unquoted ``13:00`` is the time 13:00, not YAML 1.1's base-60 number 780 (seconds, to a field
that takes a duration); a field that wants a number refuses it at its path.

Streams -- a desk's events (``csflow report``), past arrivals (``csflow forecast``) -- are read
one line at a time (:func:`read_lines`, :func:`read_json_rows`), within
:data:`MAX_STREAM_BYTES`, :data:`MAX_STREAM_ROWS` and :data:`MAX_LINE_BYTES`; only a JSON array,
parsed whole, is held in memory, and is at most :data:`MAX_ARRAY_BYTES`.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sys
import tomllib
from collections import Counter
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any, Final

import attrs

from csflow._text import did_you_mean, parts_within, show
from csflow.cli.durations import EXPECTED, is_human, parse_human_duration, to_seconds
from csflow.cli.forecast import staffing_value
from csflow.desk import DeskConfig
from csflow.errors import ConfigError
from csflow.sim import Scenario, SimConfig
from csflow.sim.scenario import peak_factor
from csflow.staffing.shifts import templates_from_dict

__all__ = [
    "MAX_ARRAY_BYTES",
    "MAX_DOCUMENT_BYTES",
    "MAX_LINE_BYTES",
    "MAX_RUNS",
    "MAX_STREAM_BYTES",
    "MAX_STREAM_ROWS",
    "MAX_YAML_VALUES",
    "TOP_KEYS",
    "Document",
    "check_distinct_seeds",
    "check_distinct_values",
    "check_run_count",
    "check_sweep_parameter",
    "check_sweep_target",
    "first_character",
    "get_path",
    "json_error",
    "load_document",
    "open_sniffed",
    "read_data",
    "read_json_rows",
    "read_lines",
    "set_path",
    "strict_json",
    "sweep_value",
]

MAX_RUNS: Final = 10_000
"""The most simulations one command runs (replications, seeds and swept values together): a
planner's comparison is a few hundred; a million would hold every report in memory for hours."""

MAX_DOCUMENT_BYTES: Final = 8 * 2**20
"""The largest config file read (8 MiB): a desk, a simulation and a staffing question take a
few kilobytes (a desk's triage has at most 1,000 rules), while reading YAML takes about a
second a megabyte, so a file of hundreds of megabytes would hold the command for minutes
before saying anything.  Streams (events, past arrivals) are read one line at a time and are
not bounded by it."""

MAX_YAML_VALUES: Final = 1_000_000
"""The most values (mappings, lists, keys and scalars) the aliases of a YAML document add once
expanded, past the nodes the file writes itself, and at most ``_YAML_VALUES_PER_CHAR`` per
character of the file: anchors and aliases (``<<: *base``) keep a config short, but nested
aliases of a few hundred bytes would read as billions of values for whatever walks the
document.  A file without aliases is not bounded by it (as a JSON or TOML one is not)."""
_YAML_VALUES_PER_CHAR: Final = 100

TOP_KEYS: Final = (
    "$schema",
    "name",
    "seed",
    "replications",
    "desk",
    "simulation",
    "sweep",
    "staffing",
)

# Where a desk document holds durations (DeskConfig.from_dict's shape): the human forms there
# are turned into seconds before the library reads them.  By place, not by key name: a goodwill
# allowance of an agent called "after" ("12.50") is an amount, not a duration.
_DESK_TOP_DURATIONS: Final = ("survey_delay", "close_solved_after")
_DESK_SECTION_DURATIONS: Final = (("affinity", ("timeout", "recency")), ("contacts", ("window",)))
_QUEUE_DURATIONS: Final = ("default_allowance", "fallback")
_SIM_DURATIONS: Final = ("duration", "warmup", "service_target", "interval", "short_abandon")
STAFFING_KEYS: Final = (
    "aht",
    "target",
    "level",
    "patience",
    "shrinkage",
    "max_occupancy",
    "peak",
    "interval",
    "forecast",
    "day",
    "timezone",
    "shifts",
    "wraps",
    "verify",
)
STAFFING_DURATIONS: Final = ("aht", "target", "patience", "interval")
VERIFY_KEYS: Final = (
    "seeds",
    "abandonment",
    "tiers",
    "channels",
    "warmup",
    "span",
    "max_steps",
)


@attrs.frozen
class Document:
    """A config file, read and checked.

    Attributes:
        path: The file.
        data: The document with durations in seconds (what the library reads).
        text: The file's text as written (the HTML report shows it).
    """

    path: Path
    data: Mapping[str, Any]
    text: str

    @property
    def name(self) -> str:
        """The document's ``name``, or the file's name."""
        return str(self.data.get("name", self.path.name))

    def scenario(self, seed: int, data: Mapping[str, Any] | None = None) -> Scenario:
        """The simulation of this document (or of *data*, a variant of it) with *seed*."""
        d = self.data if data is None else data
        return Scenario(self.name, d.get("desk", {}), d.get("simulation", {}), seed)

    def configs(self, *, check: bool = True) -> tuple[DeskConfig, SimConfig | None]:
        """The desk and (when the document has one) the simulation, built and, with *check*,
        checked together (:meth:`SimConfig.check_desk`: what the run would refuse, found now;
        ``lint`` reports it as a finding instead)."""
        desk = desk_config(self.data.get("desk", {}))
        if "simulation" not in self.data:
            return desk, None
        sim = SimConfig.from_dict(self.data["simulation"])
        if check:
            try:
                sim.check_desk(desk)
            except ConfigError as exc:  # (an UndeclaredNameError stays one)
                raise type(exc)(exc.detail, f"simulation.{exc.path}") from None
        return desk, sim


def desk_config(data: object) -> DeskConfig:
    """``DeskConfig.from_dict`` with its error paths under ``desk``."""
    try:
        return DeskConfig.from_dict(data)
    except ConfigError as exc:
        path = exc.path
        # DeskConfig.from_dict names its own top level "config": the document's is "desk",
        # and an unknown key there is named by its own path (desk.tierz).
        if path == "config" or path.startswith(("config.", "config[")):
            path = path[len("config") :].lstrip(".")
            unknown = re.match(r"unknown key '([^']*)'", exc.detail)
            if not path and unknown:
                path = unknown[1]
        raise ConfigError(exc.detail, f"desk.{path}" if path else "desk") from None


def read_data(path: Path, field: str = "CONFIG") -> tuple[Any, str]:
    """Parse *path* by its suffix: ``.json``, ``.toml``, ``.yaml``/``.yml``.

    The file is UTF-8; a byte-order mark at its start (what Windows editors write, and
    Excel's "CSV UTF-8") is skipped, as in forecast files, journals and snapshots.

    Returns:
        The parsed document (``None`` for a file of nothing but white space) and its text.

    Raises:
        ConfigError: The file is missing, unreadable, larger than :data:`MAX_DOCUMENT_BYTES`,
            not UTF-8, of an unknown kind, or not valid; or YAML support (the ``yaml`` extra)
            is not installed.
    """
    suffix = path.suffix.lower()
    readers: dict[str, Callable[[str], Any]] = {
        ".json": strict_json,
        ".toml": tomllib.loads,  # refuses a key given twice itself
        ".yaml": _yaml,
        ".yml": _yaml,
    }
    if suffix not in readers:
        raise ConfigError(
            f"{str(path)!r}: expected a .json, .toml, .yaml or .yml file, got {suffix or 'no suffix'!r}",
            field,
        )
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_DOCUMENT_BYTES + 1)  # no more than that is ever held
        if len(raw) > MAX_DOCUMENT_BYTES:
            raise ConfigError(
                f"{str(path)!r} is larger than {MAX_DOCUMENT_BYTES:,} bytes "
                "(MAX_DOCUMENT_BYTES); expected a config file",
                field,
            )
        raw = raw.removeprefix(_BOM)  # a byte-order mark is skipped
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(f"no such file {str(path)!r}", field) from None
    except IsADirectoryError:
        raise ConfigError(f"{str(path)!r} is a directory, expected a file", field) from None
    except UnicodeDecodeError as exc:
        # Where the bad byte is, as a line of an events file or a journal is named: an editor
        # finds the line (its column counted after a byte-order mark, which shows as nothing).
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - raw.rfind(b"\n", 0, exc.start)
        raise ConfigError(
            f"{str(path)!r} line {line} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at "
            f"column {column}): save it as UTF-8",
            field,
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read {str(path)!r}: {exc.strerror}", field) from None
    if not text.strip():
        # Nothing written (a file saved before its first line, or cut short): no config in
        # any format, as an empty YAML file is none -- not a JSON parser's "Expecting value",
        # nor the empty table TOML makes of it.
        return None, text
    try:
        return readers[suffix](text), text
    except _AliasBomb as exc:
        raise ConfigError(f"{str(path)!r}: {exc.detail}", field) from None
    except ConfigError:
        raise
    except RecursionError:
        detail = "nested too deeply"
    except Exception as exc:  # each parser has its own error class; all mean "not valid"
        detail = _parse_error(exc)
    raise ConfigError(f"{str(path)!r} is not valid {suffix[1:].upper()}: {detail}", field)


def _parse_error(exc: Exception) -> str:
    """Why a parser refused a config file, in one line: where a YAML error is (its line and
    column, not PyYAML's ``"<unicode string>"``), or an integer longer than Python converts
    (which every parser reports with advice meant for programmers)."""
    if isinstance(exc, ValueError) and "integer string conversion" in str(exc):
        return f"an integer of more than {sys.get_int_max_str_digits():,} digits"
    problem = getattr(exc, "problem", None)
    if isinstance(problem, str):  # a yaml.MarkedYAMLError
        parts = []
        for text, mark in (
            (getattr(exc, "context", None), getattr(exc, "context_mark", None)),
            (problem, getattr(exc, "problem_mark", None)),
        ):
            if text:
                line, column = getattr(mark, "line", None), getattr(mark, "column", None)
                at = (
                    f" (line {line + 1}, column {column + 1})"
                    if isinstance(line, int) and isinstance(column, int)
                    else ""
                )
                parts.append(f"{text}{at}")
        if "'\\t'" in problem:
            # A tab where YAML wants indentation or spacing: an editor set to tabs.
            parts.append("expected spaces there: YAML indents with spaces, never tabs")
        return ", ".join(parts)
    return " ".join(str(exc).split())


# A key given twice in a mapping: JSON and YAML parsers keep the last one silently, so
# ``staffing:`` written twice would lose the first section without a word.  The parsers'
# hooks see a mapping before they know where it sits: they note the mapping (by id, with
# the key) and the document is walked for its path only when one was noted.


def strict_json(text: str) -> Any:
    """*text* read as JSON (``json.loads``'s errors pass through), refusing a mapping that
    gives a key twice: a :class:`ConfigError` at the key's path in the document."""
    twice: dict[int, str] = {}

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(items)
        if len(out) != len(items):
            seen: set[str] = set()
            for key, _ in items:
                if key in seen:
                    twice.setdefault(id(out), key)
                    break
                seen.add(key)
        return out

    data = json.loads(text, object_pairs_hook=pairs)
    if twice:
        _refuse_twice(data, twice)
    return data


# The implicit YAML tags of numbers, and what keeps their resolvers off a scalar with a colon.
_NUMBERS: Final = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"})
_NO_COLON: Final = "(?![^:]*:)"
# The implicit YAML tag of booleans, and the scalars YAML 1.2's core schema reads as one.
_BOOL: Final = "tag:yaml.org,2002:bool"
_YAML12_BOOL: Final = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


class _AliasBomb(ConfigError):
    """A YAML document whose aliases multiply it (which :func:`read_data` names the file of)."""


def _yaml(text: str) -> Any:
    try:
        import yaml
    except ImportError:
        raise ConfigError(
            "reading YAML needs PyYAML: pip install 'csflow[yaml]'", "CONFIG"
        ) from None

    twice: dict[int, str] = {}

    # safe_load's loader, noting a mapping that gives a key twice (the entries a merge key
    # ``<<: *base`` brings may be overridden: that is what merging is for).
    loader_class: Any = type("Loader", (yaml.SafeLoader,), {})

    def mapping(loader: Any, node: Any) -> Generator[dict[Any, Any]]:
        data: dict[Any, Any] = {}
        yield data
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = loader.construct_object(key_node)
            try:
                if key in seen:
                    twice.setdefault(id(data), str(key))
                    break
                seen.add(key)
            except TypeError:  # an unhashable key: construct_mapping says so below
                break
        data.update(loader.construct_mapping(node))

    # The nodes the file writes (an alias counted as one): what the document holds without
    # its aliases expanded, however large the file.
    nodes = 0
    compose_node = yaml.SafeLoader.compose_node

    def counted(loader: Any, parent: Any, index: Any) -> Any:
        nonlocal nodes
        nodes += 1
        return compose_node(loader, parent, index)

    loader_class.compose_node = counted
    loader_class.add_constructor("tag:yaml.org,2002:map", mapping)

    # YAML 1.1 (PyYAML) reads an unquoted 13:00 as the base-60 int 780 and 1:30.5 as the
    # float 90.5: a time of day written as a person types it would be read as seconds.  As
    # YAML 1.2 and JSON do, a plain scalar with a colon is a string here: the time 13:00
    # where a time is meant, refused at its path where a number is.  (No YAML 1.1 int or
    # float other than a sexagesimal one holds a colon.)
    # Likewise YAML 1.1 reads yes, no, on and off (in any of three cases) as booleans: the
    # language code ``no`` (Norwegian) or a tier named ``on`` would be False or True.  As in
    # YAML 1.2 and JSON, only true and false (True, TRUE, False, FALSE) are booleans here.
    def resolver(tag: str, regexp: re.Pattern[str]) -> re.Pattern[str]:
        if tag in _NUMBERS:
            return re.compile(_NO_COLON + regexp.pattern, regexp.flags)
        if tag == _BOOL:
            return _YAML12_BOOL
        return regexp

    loader_class.yaml_implicit_resolvers = {
        first: [(tag, resolver(tag, regexp)) for tag, regexp in resolvers]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    data = yaml.load(text, Loader=loader_class)  # a SafeLoader: no arbitrary objects
    # Aliases share one value however often they appear: a few hundred bytes of nested
    # aliases read as a document of billions of values for whatever walks it.  The values
    # aliases add, past the file's own nodes, stay within a budget (known after at most
    # that many steps); a large file without aliases is read whole, as JSON and TOML are.
    budget = min(MAX_YAML_VALUES, _YAML_VALUES_PER_CHAR * len(text))
    if isinstance(data, (dict, list)) and parts_within(data, nodes + budget) is None:
        raise _AliasBomb(
            f"the YAML document's aliases expand to more than {budget:,} values beyond the "
            f"{nodes:,} the file writes (at most {_YAML_VALUES_PER_CHAR} a character of the "
            f"file, and {MAX_YAML_VALUES:,}); expected a document that does not multiply "
            "itself",
            "CONFIG",
        )
    if twice:
        _refuse_twice(data, twice)
    return data


def _refuse_twice(data: Any, twice: Mapping[int, str]) -> None:
    """Raise for the first mapping (in document order) that *twice* notes, at its key's path."""
    stack: list[tuple[Any, str]] = [(data, "")]
    walked: set[int] = set()
    while stack:
        node, path = stack.pop()
        if id(node) in walked:
            continue
        walked.add(id(node))
        if isinstance(node, dict):
            if id(node) in twice:
                key = twice[id(node)]
                where = f"{path}.{key}" if path else key
                raise ConfigError(
                    f"the key {key!r} is given twice in one mapping: the second would replace "
                    "the first without a word; give it once",
                    where,
                )
            children = [(v, f"{path}.{k}" if path else str(k)) for k, v in node.items()]
        elif isinstance(node, list):
            children = [(v, f"{path}[{i}]") for i, v in enumerate(node)]
        else:
            continue
        stack.extend(reversed(children))
    raise ConfigError(  # pragma: no cover - a noted mapping is in the document
        f"a key is given twice in one mapping ({', '.join(map(repr, twice.values()))})", ""
    )


def load_document(path: str | Path, *, check: bool = True) -> Document:
    """Read and check a config file (see the module docstring for its shape); without
    *check*, the simulation is not checked against the desk (``lint`` reports that itself).

    Raises:
        ConfigError: Anything wrong, with the path to the bad field.
    """
    p = Path(path)
    data, text = read_data(p)
    if not isinstance(data, Mapping):
        got = "an empty document" if data is None else show(data)
        raise ConfigError(
            f"{str(p)!r}: expected a mapping at the top (of name, desk, simulation, sweep, "
            f"staffing ...), got {got}",
            "CONFIG",
        )
    try:
        return _checked(p, data, text, check=check)
    except ConfigError as exc:
        # A field of this file: the command line names the file with the field's path.
        exc.add_note(f"{IN_DOCUMENT} {str(p)!r}")
        raise


#: The note :func:`load_document` adds to an error about a field of the file it reads (see
#: :func:`in_document`).
IN_DOCUMENT: Final = "in the config file"


def in_document(exc: ConfigError) -> bool:
    """Whether *exc* is about a field of a config file: raised while :func:`load_document`
    read the file, or at a path under one of its sections (``desk``, ``simulation``,
    ``staffing`` ...) after it was read.  Not an error about the file as a whole
    (``CONFIG``), a command-line option (``--sweep``), or another file, whose errors name
    that file themselves (``'journal.jsonl' line 3``, ``forecast.csv:2``)."""
    path = exc.path
    if not path or path == "CONFIG" or " ('" in path or _FILE_LINE.match(path):
        return False
    if any(note.startswith(IN_DOCUMENT) for note in getattr(exc, "__notes__", ())):
        return True
    root = _ROOT.match(path)
    return root is not None and root[0] in TOP_KEYS


#: A path's first step (``desk`` of ``desk.queues[0]``); a file's line (``forecast.csv:2``).
_ROOT: Final = re.compile(r"[^.\[]*")
_FILE_LINE: Final = re.compile(r"[^\s:]+:\d+(?:\.|$)")


def is_extension(key: object) -> bool:
    """Whether *key* is a top-level key the document reader ignores: one starting ``x-``
    (``x-base: &base``, the convention of Compose files for what a document's aliases
    reuse), read by YAML with its anchors and left out after the aliases are resolved."""
    return isinstance(key, str) and key.startswith("x-")


def _checked(p: Path, data: Mapping[Any, Any], text: str, *, check: bool) -> Document:
    for key in data:
        if key not in TOP_KEYS and not is_extension(key):
            raise ConfigError(
                f"unknown field; expected one of {', '.join(TOP_KEYS[1:])}, or a key starting "
                f"x- (ignored: a place for what aliases reuse){did_you_mean(key, TOP_KEYS[1:])}",
                str(key),
            )
    d = _rebuild({k: v for k, v in data.items() if not is_extension(k)}, "")
    if "$schema" in d and not isinstance(d["$schema"], str):
        # The schema types it as a string: a reader that took anything else would accept a
        # document the schema refuses (the schema may be looser than lint, never stricter).
        raise ConfigError(
            f"expected a string (where editors find the schema), got {show(d['$schema'])}",
            "$schema",
        )
    d.pop("$schema", None)
    if "name" in d and not isinstance(d["name"], str):
        raise ConfigError(f"expected a string, got {show(d['name'])}", "name")
    for key in ("seed", "replications"):
        if key in d:
            v = d[key]
            low = 1 if key == "replications" else 0
            if isinstance(v, bool) or not isinstance(v, int) or v < low:
                raise ConfigError(f"expected an integer >= {low}, got {show(v)}", key)
            if key == "replications" and v > MAX_RUNS:
                raise ConfigError(
                    f"expected at most {MAX_RUNS:,} runs (MAX_RUNS), got {show(v)}", key
                )
    for key in ("desk", "simulation", "sweep", "staffing"):
        if key in d and not isinstance(d[key], Mapping):
            raise ConfigError(f"expected a mapping, got {show(d[key])}", key)
    if "desk" in d:
        d["desk"] = _desk_durations(d["desk"], "desk")
    if "simulation" in d:
        d["simulation"] = _sim_durations(dict(d["simulation"]))
    if "staffing" in d:
        st = dict(d["staffing"])
        for key in st:
            if key not in STAFFING_KEYS:
                raise ConfigError(_unknown_field(key, STAFFING_KEYS), f"staffing.{key}")
        for key in STAFFING_DURATIONS:
            if key in st:
                if st[key] is None and key != "patience":  # null patience: Erlang C
                    raise ConfigError(f"expected {EXPECTED}, got {show(None)}", f"staffing.{key}")
                _refuse_negative(st[key], f"staffing.{key}", zero=key == "target")
                st[key] = to_seconds(st[key], f"staffing.{key}")
        for key in ("level", "shrinkage", "max_occupancy", "peak", "day", "timezone", "forecast"):
            if key in st:
                staffing_value(key, st[key], f"staffing.{key}")  # lint refuses what staff would
        if "shifts" in st:
            st["shifts"] = _shift_templates(st["shifts"])
        if "wraps" in st and not isinstance(st["wraps"], bool):
            raise ConfigError(f"expected true or false, got {show(st['wraps'])}", "staffing.wraps")
        if "verify" in st:
            st["verify"] = _verify_section(st["verify"])
        d["staffing"] = st
    if "sweep" in d:
        _check_sweep(d)
    doc = Document(p, d, text)
    doc.configs(check=check)  # the desk and the simulation are checked before anything runs
    return doc


def _refuse_negative(value: object, path: str, *, zero: bool) -> None:
    """Refuse a duration written with a minus sign (``-20s``, ``-PT5S``) as one of the wrong
    sign, saying what *path* takes -- zero too (*zero*: an answer-time target) or only a
    positive duration -- rather than as text that is no duration at all.

    Raises:
        ConfigError: *value* is a minus sign before a duration, at *path*.
    """
    if not isinstance(value, str) or not value.strip().startswith("-"):
        return
    try:
        parse_human_duration(value.strip()[1:], path, zero=True)
    except ConfigError:
        return  # not a duration with or without the sign: to_seconds says so
    what = "a duration >= 0" if zero else "a positive duration"
    raise ConfigError(
        f"expected {what} {EXPECTED.removeprefix('a duration ')}, got {show(value)}", path
    )


def _unknown_field(key: object, known: Sequence[str]) -> str:
    """The message for an unknown *key*: the *known* ones, and the closest when one is close
    (``simulaton``: did you mean 'simulation'?)."""
    return f"unknown field; expected one of {', '.join(known)}{did_you_mean(key, known)}"


def _time_written(value: Any) -> Any:
    """A time of day as TOML writes it unquoted (``06:00:00``, a ``datetime.time``) as the
    text a quoted one gives, ``"06:00"``; with seconds, the seconds from midnight.  Other
    values are returned as they are."""
    if not isinstance(value, time) or value.tzinfo is not None:
        return value
    if value.second == 0 and value.microsecond == 0:
        return f"{value.hour:02d}:{value.minute:02d}"
    seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    return int(seconds) if float(seconds).is_integer() else seconds


def _offset_seconds(value: Any, path: str) -> Any:
    """A shift start or a break offset: ``HH:MM`` stays as written (a time of day), other
    human forms become seconds."""
    value = _time_written(value)
    if isinstance(value, str) and ":" in value:
        return value
    return to_seconds(value, path)


def _shift_templates(value: Any) -> Any:
    """``staffing.shifts`` with its durations in seconds, checked by the library's reader
    (every error names ``staffing.shifts[k]...``)."""
    path = "staffing.shifts"
    if isinstance(value, list):
        out: list[Any] = []
        for k, item in enumerate(value):
            p = f"{path}[{k}]"
            if isinstance(item, Mapping):
                item = dict(item)
                if "length" in item:
                    item["length"] = to_seconds(item["length"], f"{p}.length")
                for key in ("earliest", "latest"):
                    if key in item:
                        item[key] = _offset_seconds(item[key], f"{p}.{key}")
                if isinstance(item.get("breaks"), list):
                    breaks = []
                    for j, b in enumerate(item["breaks"]):
                        if isinstance(b, Mapping):
                            b = dict(b)
                            q = f"{p}.breaks[{j}]"
                            if "length" in b:
                                b["length"] = to_seconds(b["length"], f"{q}.length")
                            for key in ("earliest", "latest"):
                                if key in b:
                                    b[key] = _offset_seconds(b[key], f"{q}.{key}")
                        breaks.append(b)
                    item["breaks"] = breaks
            out.append(item)
        value = out
    templates_from_dict(value, path)
    return value


def check_run_count(values: int, seeds: int, where: str) -> None:
    """At most :data:`MAX_RUNS` runs: *values* swept values (or candidates) run once per seed.

    Raises:
        ConfigError: ``values * seeds`` is past :data:`MAX_RUNS` (at *where*).
    """
    if values * seeds > MAX_RUNS:
        raise ConfigError(
            f"{values:,} values x {seeds:,} seeds would be {values * seeds:,} runs; "
            f"expected at most {MAX_RUNS:,} (MAX_RUNS)",
            where,
        )


def check_distinct_seeds(seeds: Sequence[int], where: str) -> None:
    """Each seed once: a seed given twice runs the same simulation again, and the mean over
    the runs would count it twice (and its confidence interval shrink for nothing).

    Raises:
        ConfigError: A seed is given more than once.
    """
    if len(set(seeds)) != len(seeds):
        twice = sorted(s for s, n in Counter(seeds).items() if n > 1)
        raise ConfigError(
            f"each seed once: {', '.join(map(str, twice))} given twice would run the same "
            "simulation again",
            where,
        )


def _fraction(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ConfigError(f"expected a number from 0 to 1, got {show(value)}", path)
    return float(value)


def _verify_section(value: Any) -> dict[str, Any]:
    """``staffing.verify``: the targets and the effort of ``csflow staff --verify``."""
    path = "staffing.verify"
    if not isinstance(value, Mapping):
        raise ConfigError(f"expected a mapping, got {show(value)}", path)
    out = dict(value)
    for key in out:
        if key not in VERIFY_KEYS:
            raise ConfigError(_unknown_field(key, VERIFY_KEYS), f"{path}.{key}")
    if "seeds" in out:
        seeds = out["seeds"]
        if (
            not isinstance(seeds, list)
            or not seeds
            or any(isinstance(x, bool) or not isinstance(x, int) or x < 0 for x in seeds)
        ):
            raise ConfigError(
                f"expected a non-empty list of integer seeds >= 0, got {show(seeds)}",
                f"{path}.seeds",
            )
        if len(seeds) > MAX_RUNS:  # one run per seed for every candidate
            raise ConfigError(
                f"expected at most {MAX_RUNS:,} seeds (MAX_RUNS), got {len(seeds):,}",
                f"{path}.seeds",
            )
        check_distinct_seeds(seeds, f"{path}.seeds")
    if out.get("abandonment") is not None:
        out["abandonment"] = _fraction(out["abandonment"], f"{path}.abandonment")
    for key in ("tiers", "channels"):
        if key in out:
            floors = out[key]
            if not isinstance(floors, Mapping):
                raise ConfigError(
                    f"expected a mapping of {key[:-1]} -> floor, got {show(floors)}",
                    f"{path}.{key}",
                )
            out[key] = {str(k): _fraction(v, f"{path}.{key}.{k}") for k, v in floors.items()}
    for key in ("warmup", "span"):
        if key in out:
            # Any form a duration takes (6m, PT30M, 1800); a malformed one is refused saying
            # which forms those are, a negative one (or a zero span) saying what is wanted.
            to_seconds(out[key], f"{path}.{key}")
            try:
                seconds = parse_human_duration(out[key], f"{path}.{key}", zero=True)
            except ConfigError:
                seconds = None
            if seconds is None or (key == "span" and not seconds):
                what = "a positive duration" if key == "span" else "a duration >= 0"
                raise ConfigError(f"expected {what}, got {show(value[key])}", f"{path}.{key}")
            total = seconds.total_seconds()
            out[key] = int(total) if total.is_integer() else total
    if "max_steps" in out:
        steps = out["max_steps"]
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
            raise ConfigError(f"expected an integer >= 1, got {show(steps)}", f"{path}.max_steps")
    return out


def _desk_durations(value: Any, path: str) -> Any:
    """A copy of *value* (the ``desk`` section) with the human-form durations (``90m``) in
    seconds at every place a desk document holds a duration: ``survey_delay``,
    ``close_solved_after``, ``affinity.timeout`` and ``.recency``, ``contacts.window``, a
    queue's ``default_allowance``, ``fallback``, ``allowances`` and relaxation steps'
    ``after``, a routing profile slot's ``delay``, and an SLA policy's ``targets`` (one
    duration, or one per priority) and ``warn_before``.  Anything of another shape is left as
    it is, for :meth:`DeskConfig.from_dict` to refuse at its path."""
    desk = _rebuild(value, path)
    if not isinstance(desk, dict):
        return desk

    def seconds(node: Any, key: Any, p: str) -> None:
        if isinstance(node, dict) and key in node:
            node[key] = to_seconds(node[key], f"{p}.{key}")

    def each(items: Any, p: str, *, named: bool = False) -> Iterator[tuple[Any, str]]:
        """The entries of a list (``p[i]``), and with *named* of a mapping (``p.name``)."""
        if isinstance(items, list):
            yield from ((item, f"{p}[{i}]") for i, item in enumerate(items))
        elif named and isinstance(items, dict):
            yield from ((item, f"{p}.{k}") for k, item in items.items())

    for key in _DESK_TOP_DURATIONS:
        seconds(desk, key, path)
    for section, keys in _DESK_SECTION_DURATIONS:
        for key in keys:
            seconds(desk.get(section), key, f"{path}.{section}")
    for queue, p in each(desk.get("queues"), f"{path}.queues"):
        if not isinstance(queue, dict):
            continue
        for key in _QUEUE_DURATIONS:
            seconds(queue, key, p)
        if isinstance(queue.get("allowances"), dict):
            for key in list(queue["allowances"]):
                seconds(queue["allowances"], key, f"{p}.allowances")
        for step, q in each(queue.get("relaxation"), f"{p}.relaxation"):
            seconds(step, "after", q)
    for profile, p in each(desk.get("routing_profiles"), f"{path}.routing_profiles"):
        if isinstance(profile, dict):
            for slot, q in each(profile.get("queues"), f"{p}.queues"):
                seconds(slot, "delay", q)
    # (sla_policies: a list, or a mapping name -> policy.)
    for policy, p in each(desk.get("sla_policies"), f"{path}.sla_policies", named=True):
        if not isinstance(policy, dict):
            continue
        targets = policy.get("targets")
        if isinstance(targets, dict):
            for metric in list(targets):
                if isinstance(targets[metric], dict):  # one target per priority
                    per = targets[metric]
                    for priority in list(per):
                        seconds(per, priority, f"{p}.targets.{metric}")
                else:
                    seconds(targets, metric, f"{p}.targets")
        if isinstance(policy.get("warn_before"), list):
            leads = policy["warn_before"]
            leads[:] = [to_seconds(v, f"{p}.warn_before[{i}]") for i, v in enumerate(leads)]
    return desk


def _rebuild(value: Any, path: str) -> Any:
    """A copy of the mappings (as dicts) and lists in *value*; other values are shared.

    The walk keeps its own stack, in document order, and copies a list or
    mapping met twice once: a document nested a thousand levels deep, or a YAML alias inside
    itself (``queues: &a [*a]``), is copied as it is, for the library's readers to refuse
    with the path, where recursion here would stop the CLI with a RecursionError.
    """
    copies: dict[int, Any] = {}
    stack: list[tuple[Iterator[tuple[Any, Any]], Any, str]] = []

    def start(node: Any, p: str) -> Any:
        if isinstance(node, Mapping):
            items: Iterator[tuple[Any, Any]] = iter(node.items())
            out: Any = {}
        elif isinstance(node, list):
            items, out = iter(enumerate(node)), []
        elif isinstance(node, datetime) and node.tzinfo is None:
            # TOML's local date-time, YAML's timestamp without an offset: never an instant,
            # refused where one goes -- shown as written, not as Python's repr.
            return node.isoformat()
        else:
            return node
        done = copies.get(id(node))
        if done is not None:
            return done
        copies[id(node)] = out
        stack.append((items, out, p))
        return out

    result = start(value, path)
    while stack:
        items, out, p = stack[-1]
        for k, v in items:
            if isinstance(out, dict):
                out[k] = start(v, f"{p}.{k}" if p else str(k))
            else:
                out.append(start(v, f"{p}[{k}]"))
            if stack[-1][0] is not items:
                break  # a list or mapping was started: walk it first, then come back
        else:
            stack.pop()
    return result


def _distribution(value: Any, path: str) -> Any:
    if not isinstance(value, Mapping):
        return to_seconds(value, path)
    out = dict(value)
    if "exponential" in out:
        out["exponential"] = to_seconds(out["exponential"], f"{path}.exponential")
    if isinstance(out.get("lognormal"), Mapping) and "mean" in out["lognormal"]:
        ln = dict(out["lognormal"])
        ln["mean"] = to_seconds(ln["mean"], f"{path}.lognormal.mean")
        out["lognormal"] = ln
    if isinstance(out.get("empirical"), list):
        out["empirical"] = [
            to_seconds(v, f"{path}.empirical[{i}]") for i, v in enumerate(out["empirical"])
        ]
    return out


_CLOCK: Final = re.compile(r"^(\d{1,2}):(\d{2})$")
_NUMBER_TEXT: Final = re.compile(r"^\s*\d+(?:\.\d+)?\s*$", re.ASCII)


def _check_rates(arrivals: Mapping[str, Any]) -> Mapping[str, Any]:
    """The rate profile's times of day: ``HH:MM`` in [00:00, 24:00), or a duration from
    midnight (``8h``, ``PT8H``, ``28800``: the human forms turned into seconds), starting at
    00:00, in increasing order -- reported as the user wrote them.

    Returns:
        *arrivals*, with its rates' human-form offsets in seconds.
    """
    rates = arrivals.get("rates")
    if not isinstance(rates, list):
        return arrivals
    previous: tuple[float, str] | None = None
    out: list[Any] = []
    for i, r in enumerate(rates):
        p = f"simulation.arrivals.rates[{i}]"
        at = r.get("at") if isinstance(r, Mapping) else r[0] if isinstance(r, list) and r else None
        if isinstance(at, time):  # TOML's 06:00:00: the time written, as "06:00" is
            at = _time_written(at)
            r = {**r, "at": at} if isinstance(r, Mapping) else [at, *r[1:]]
        out.append(r)
        if isinstance(at, str) and ":" in at:
            m = _CLOCK.match(at)
            if m is None or int(m[1]) > 23 or int(m[2]) > 59:
                raise ConfigError(f"expected a time of day from 00:00 to 23:59, got {at!r}", p)
            minute: float = int(m[1]) * 60 + int(m[2])
        elif isinstance(at, str) or (isinstance(at, int | float) and not isinstance(at, bool)):
            if isinstance(at, str) and not (
                is_human(at) or _NUMBER_TEXT.match(at) or at.strip().upper().startswith("P")
            ):
                raise ConfigError(
                    f"expected a time of day from 00:00 to 23:59, or a duration from midnight "
                    f"such as 8h or PT8H, got {at!r}",
                    p,
                )
            try:
                offset = parse_human_duration(at, p, zero=True)
            except ConfigError:
                continue  # a negative or malformed number: the library says why
            if offset >= timedelta(days=1):
                raise ConfigError(
                    f"expected a duration from midnight under 1d (a time of day), got {at!r}", p
                )
            minute = offset / timedelta(minutes=1)
            seconds = to_seconds(at, p)
            if seconds != at:  # the human form: in seconds, as the library reads it
                out[i] = {**r, "at": seconds} if isinstance(r, Mapping) else [seconds, *r[1:]]
        else:
            continue  # malformed: the library says how
        if i == 0 and minute != 0:
            raise ConfigError(f"the first period must start at 00:00, got {show(at)}", p)
        if previous is not None and minute <= previous[0]:
            raise ConfigError(
                f"times of day must increase: {show(at)} comes after {previous[1]}", p
            )
        previous = (minute, show(at))
    return {**arrivals, "rates": out}


def _sim_durations(sim: dict[str, Any]) -> dict[str, Any]:
    for key in _SIM_DURATIONS:
        if key in sim:
            sim[key] = to_seconds(sim[key], f"simulation.{key}")
    if isinstance(sim.get("arrivals"), Mapping):
        sim["arrivals"] = _check_rates(sim["arrivals"])
    for key in ("handle_time", "patience"):
        if isinstance(sim.get(key), Mapping):
            sim[key] = {k: _distribution(v, f"simulation.{key}.{k}") for k, v in sim[key].items()}
    if isinstance(sim.get("callbacks"), Mapping) and "after" in sim["callbacks"]:
        offer = dict(sim["callbacks"])
        offer["after"] = to_seconds(offer["after"], "simulation.callbacks.after")
        sim["callbacks"] = offer
    if isinstance(sim.get("agents"), list):
        groups = []
        for i, g in enumerate(sim["agents"]):
            if isinstance(g, Mapping):
                g = dict(g)
                p = f"simulation.agents[{i}]"
                if "break_gap" in g:
                    g["break_gap"] = to_seconds(g["break_gap"], f"{p}.break_gap")
                if isinstance(g.get("shifts"), list):
                    g["shifts"] = [_shift(s, f"{p}.shifts[{j}]") for j, s in enumerate(g["shifts"])]
            groups.append(g)
        sim["agents"] = groups
    return sim


def _shift(s: Any, path: str) -> Any:
    if not isinstance(s, Mapping):
        return s
    s = dict(s)
    for key in ("start", "end"):
        if key in s:
            s[key] = to_seconds(s[key], f"{path}.{key}")
    if isinstance(s.get("breaks"), list):
        s["breaks"] = [
            [to_seconds(x, f"{path}.breaks[{k}]") for x in b] if isinstance(b, list) else b
            for k, b in enumerate(s["breaks"])
        ]
    return s


_STEP: Final = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")

#: The sections of a document whose values change a run: a sweep sets one of them.
_SWEPT_SECTIONS: Final = ("simulation", "desk")


def _steps(path: str) -> list[str | int]:
    steps: list[str | int] = []
    pos = 0
    while pos < len(path):
        m = _STEP.match(path, pos)
        if m is None or m.end() == pos:
            raise ConfigError(
                f"expected a path such as simulation.agents[0].count, got {path!r}",
                "sweep.parameter",
            )
        steps.append(m[1] if m[1] is not None else int(m[2]))
        pos = m.end()
    return steps


def _nothing_at(path: str, node: Any = None, step: str | int | None = None) -> ConfigError:
    if isinstance(node, str) and isinstance(step, int):
        # 'name'[0] is a letter of a value, not a value of the config: a sweep cannot set it.
        return ConfigError(
            f"the config has nothing at {path!r} to sweep over: [{step}] indexes into the "
            f"string {show(node)}, a value of its own (sweep the whole value instead)",
            "sweep.parameter",
        )
    return ConfigError(f"the config has nothing at {path!r} to sweep over", "sweep.parameter")


def _child(node: Any, step: str | int, path: str) -> Any:
    """*node*'s entry *step*: a mapping's key or a list's index, nothing else (a string's
    letters and a number's digits are not entries)."""
    if isinstance(step, int):
        if isinstance(node, list) and step < len(node):
            return node[step]
    elif isinstance(node, Mapping):
        key = _key(node, step)
        if key in node:
            return node[key]
    raise _nothing_at(path, node, step)


def _key(node: Mapping[Any, Any], step: str) -> Any:
    """The key of *node* that the path's *step* names: the step itself, or a date the file
    writes unquoted (a YAML ``2026-03-18:`` holiday, which its JSON twin writes as text)."""
    if step in node:
        return step
    for key in node:
        if isinstance(key, date) and key.isoformat() == step:
            return key
    return step


def get_path(data: Any, path: str) -> Any:
    """The value at *path* (``simulation.agents[0].count``) in *data*: each step a mapping's
    key or a list's index.

    Raises:
        ConfigError: Nothing is there (a step into a string, ``name[0]``, finds nothing).
    """
    node = data
    for step in _steps(path):
        node = _child(node, step, path)
    return node


def _simulation_keys() -> frozenset[str]:
    """The keys ``SimConfig.from_dict`` reads (the schema lists them)."""
    from csflow.cli.schema import schema

    return frozenset(schema()["properties"]["simulation"]["properties"])


def check_sweep_target(data: Mapping[str, Any], path: str) -> None:
    """*path* can be swept in *data*: it names a value there, or a key of the simulation the
    document leaves at its default (``simulation.peak`` on a document without one: the
    value the run would otherwise take).

    Raises:
        ConfigError: Nothing is there (at ``sweep.parameter``).
    """
    steps = _steps(path)
    node: Any = data
    for step in steps[:-1]:
        node = _child(node, step, path)
    last = steps[-1]
    defaulted = (
        steps[:-1] == ["simulation"]
        and isinstance(node, Mapping)
        and isinstance(last, str)
        and last in _simulation_keys()
    )
    if not defaulted:
        _child(node, last, path)


def set_path(data: Mapping[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of *data* with *value* at *path* (see :func:`check_sweep_target`).

    Raises:
        ConfigError: Nothing is at *path*.
    """
    check_sweep_target(data, path)
    out: dict[str, Any] = _rebuild(dict(data), "")
    steps = _steps(path)
    node: Any = out
    for step in steps[:-1]:
        node = node[_key(node, step) if isinstance(step, str) else step]
    last = steps[-1]
    node[_key(node, last) if isinstance(last, str) else last] = value
    return out


def sweep_value(value: Any) -> Any:
    """A swept value as the library reads it: a duration in the human form (``6m``) in
    seconds, anything else as given."""
    return (
        to_seconds(value, "sweep.values") if isinstance(value, str) and is_human(value) else value
    )


def _duration_key(value: Any) -> Any:
    """An ISO 8601 duration (``PT30M``) in seconds, as :func:`sweep_value` gives the human
    forms: ``30m``, ``PT30M`` and ``1800`` run the same simulation.  Anything else as given."""
    if isinstance(value, str) and value.strip().upper().startswith("P"):
        try:
            seconds = parse_human_duration(value, "sweep.values", zero=True).total_seconds()
        except ConfigError:  # not a duration (a name): compared as written
            return value
        return int(seconds) if seconds.is_integer() else seconds
    return value


def _canonical(value: Any) -> str:
    """A text equal for values that run the same simulation (``3`` and ``3.0``; not ``1`` and
    ``true``)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    try:
        return json.dumps(value, sort_keys=True)
    except (TypeError, ValueError):  # keys of several kinds (YAML), a value JSON has not
        return repr(value)


def check_distinct_values(param: str, values: Sequence[Any], where: str) -> None:
    """Each swept value once, as :func:`check_distinct_seeds` asks of seeds: a value given
    twice (``3,3``; ``6m``, ``PT6M`` and ``360``; a peak's name and its factor) runs the same
    simulations again, and the summary would count them as more replications.

    Raises:
        ConfigError: A value is given more than once (at *where*).
    """
    peak = _steps(param)[-1] == "peak"
    seen: dict[str, Any] = {}
    for v in values:
        key = sweep_value(v)
        if peak:
            with contextlib.suppress(ConfigError):  # a bad peak is refused where it is read
                key = peak_factor(key)
        else:
            key = _duration_key(key)
        text = _canonical(key)
        if text in seen:
            same = "" if _canonical(seen[text]) == _canonical(v) else f" (as {show(seen[text])})"
            raise ConfigError(
                f"each value once: {show(v)}{same} given twice would run the same simulations "
                "again, and the summary would count them as more replications",
                where,
            )
        seen[text] = v


def _check_sweep(d: Mapping[str, Any]) -> None:
    sw = d["sweep"]
    for key in sw:
        if key not in ("parameter", "values"):
            raise ConfigError("unknown field; expected parameter, values", f"sweep.{key}")
    param = sw.get("parameter")
    if not isinstance(param, str) or not param:
        raise ConfigError(
            f"expected a path such as simulation.agents[0].count, got {show(param)}",
            "sweep.parameter",
        )
    values = sw.get("values")
    if not isinstance(values, list) or not values:
        raise ConfigError(
            f"expected a non-empty list of values, got {show(values)}", "sweep.values"
        )
    check_sweep_parameter(param, "sweep.parameter")
    check_sweep_target(d, param)
    if _steps(param)[-1] == "peak":
        for i, v in enumerate(values):
            peak_factor(v, f"sweep.values[{i}]")
    check_distinct_values(param, values, "sweep.values")


def check_sweep_parameter(param: str, where: str) -> None:
    """A swept parameter is a value of the simulation or the desk (``simulation.peak``,
    ``desk.queues[0].allowances.P1``): nothing else changes a run.  Not ``seed`` (the runs'
    seeds come from ``--seeds``/``--replications``), not ``staffing.aht`` or ``name`` (the
    runs would be the same simulation under different labels).

    Raises:
        ConfigError: *param* is not below ``simulation`` or ``desk`` (at *where*).
    """
    if param in ("seed", "replications"):
        raise ConfigError(
            f"{param!r} cannot be swept: every swept value runs with the same seeds; give "
            "--seeds 1,2,3 or --replications R to run several seeds",
            where,
        )
    steps = _steps(param)
    if len(steps) < 2 or steps[0] not in _SWEPT_SECTIONS:
        raise ConfigError(
            f"{param!r} does not change a run: every swept value would run the same "
            "simulation; sweep a value of the simulation or the desk, such as "
            "simulation.agents[0].count or simulation.peak",
            where,
        )


# ---------------------------------------------------------------------------------------------
# streams: event files (JSON Lines or a JSON array) and arrival files (CSV), read line by line

#: The largest stream file read (``csflow report EVENTS``, ``csflow forecast ARRIVALS``): it
#: is read line by line, so memory does not grow with it; the bound caps the time.
MAX_STREAM_BYTES: Final = 2 * 2**30

#: The most rows of a stream file (JSON Lines rows, a JSON array's items, CSV records): a busy
#: desk's day of events (a few hundred thousand tickets, a handful of events each), or a
#: year of arrivals.
MAX_STREAM_ROWS: Final = 5_000_000

#: The longest line of a stream file: an event is well under a kilobyte.
MAX_LINE_BYTES: Final = 2**20

#: The largest JSON array read: an array is parsed whole (JSON Lines are not), so it is held
#: in memory; larger streams are written one event per line.
MAX_ARRAY_BYTES: Final = 64 * 2**20

_BOM: Final = b"\xef\xbb\xbf"


def json_error(exc: ValueError | RecursionError, line: bool = True) -> str:
    """Why ``json.loads`` refused a text: a syntax error (where it is), nesting deeper than
    the interpreter's recursion limit, or an integer longer than Python converts."""
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} ({f'line {exc.lineno}, ' if line else ''}column {exc.colno})"
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return f"an integer of more than {sys.get_int_max_str_digits()} digits"


def _open_stream(path: Path, field: str, limit: int, hint: str) -> Any:
    """*path* opened for reading bytes, refused when it is larger than *limit*."""
    try:
        f = path.open("rb")
    except FileNotFoundError:
        raise ConfigError(f"no such file {str(path)!r}", field) from None
    except IsADirectoryError:
        raise ConfigError(f"{str(path)!r} is a directory, expected a file", field) from None
    except OSError as exc:
        raise ConfigError(f"cannot read {str(path)!r}: {exc.strerror}", field) from None
    if _stat_size(f) > limit:
        f.close()
        raise ConfigError(_too_large(path, limit, hint), field)
    return f


def _stat_size(f: IO[bytes]) -> int:
    """The size of the open file *f* (0 for a pipe, whose size is not known in advance)."""
    try:
        return os.fstat(f.fileno()).st_size
    except (OSError, ValueError, io.UnsupportedOperation):  # a pipe read again: no fd
        return 0


def _size(n: int) -> str:
    return f"{n // 2**20:,} MiB" if n % 2**20 == 0 else f"{n:,} bytes"


def _too_large(path: Path, limit: int, hint: str) -> str:
    return f"{str(path)!r} is larger than {_size(limit)}{hint}"


class _Replayed(io.RawIOBase):
    """A stream whose first bytes were read already (to see what it holds), read again from
    the start: those bytes, then the rest.  A pipe (``/dev/stdin``, ``<(zcat f.gz)``, a FIFO)
    is read once, so it cannot be opened a second time or rewound."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        super().__init__()
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head.nbytes:
            n = min(len(buffer), self._head.nbytes)
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        try:
            self._rest.close()
        finally:
            super().close()


def open_sniffed(path: Path, field: str) -> tuple[IO[bytes], str]:
    """*path* opened once for reading bytes, at its start, and its first character other
    than white space (after a byte-order mark), or ``""`` for a file of white space: ``{``
    or ``[`` for JSON, anything else for CSV.  The file is opened once, so a pipe given as
    the file (``/dev/stdin``, ``<(zcat events.jsonl.gz)``) is read whole, not from where the
    look at its first character left it.  The caller closes the stream.

    Raises:
        ConfigError: The file is missing, unreadable or larger than :data:`MAX_STREAM_BYTES`.
    """
    f = _open_stream(path, field, MAX_STREAM_BYTES, "")
    try:
        head = bytearray()
        first = ""
        checked = 0  # head[:checked] is white space (or the byte-order mark)
        while True:
            chunk = f.read1(4096)  # what is there: a pipe need not fill 4 KiB
            if not chunk:
                break
            head += chunk
            if len(head) < len(_BOM) and _BOM.startswith(head):
                continue  # the mark may come a byte at a time
            if checked == 0 and head.startswith(_BOM):
                checked = len(_BOM)
            rest = bytes(head[checked:]).lstrip()
            checked = len(head)
            if rest:
                first = chr(rest[0]) if rest[0] < 0x80 else ""  # "" too: neither { nor [
                break
        if f.seekable():
            f.seek(0)
            return f, first
        return io.BufferedReader(_Replayed(bytes(head), f)), first
    except OSError as exc:
        f.close()
        raise ConfigError(f"cannot read {str(path)!r}: {exc.strerror}", field) from None
    except BaseException:
        f.close()
        raise


def read_lines(path: Path, field: str, stream: IO[bytes] | None = None) -> Generator[str]:
    """The lines of the UTF-8 text file *path*, one at a time, with their line endings; blank
    lines too, so that the n-th line given is the file's line n.  A byte-order mark at the
    start is skipped, as in config files, forecast files, snapshots and journals.

    Memory holds one line: the file is read as it is iterated.  *stream* is the file already
    opened (by :func:`open_sniffed`); it is closed when the lines are.

    Raises:
        ConfigError: The file is missing or unreadable, larger than :data:`MAX_STREAM_BYTES`
            (or grows past it while read), has a line longer than :data:`MAX_LINE_BYTES`
            or a line that is not UTF-8 (naming the line); the error's path is *field*.
    """
    with stream if stream is not None else _open_stream(path, field, MAX_STREAM_BYTES, "") as f:
        total = 0
        number = 0
        while True:
            raw = f.readline(MAX_LINE_BYTES + 1)
            if not raw:
                return
            number += 1
            total += len(raw)
            if total > MAX_STREAM_BYTES:
                raise ConfigError(_too_large(path, MAX_STREAM_BYTES, ""), field)
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                raise ConfigError(
                    f"{str(path)!r} line {number} is longer than {_size(MAX_LINE_BYTES)}",
                    field,
                )
            if number == 1 and raw.startswith(_BOM):
                raw = raw[len(_BOM) :]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ConfigError(
                    f"{str(path)!r} line {number} is not UTF-8 text (byte "
                    f"0x{raw[exc.start]:02x} at column {exc.start + 1})",
                    field,
                ) from None


def first_character(path: Path, field: str) -> str:
    """*path*'s first character other than white space (see :func:`open_sniffed`, which
    keeps the file open to read it on: a pipe cannot be opened twice).

    Raises:
        ConfigError: The file is missing, unreadable or larger than :data:`MAX_STREAM_BYTES`.
    """
    stream, first = open_sniffed(path, field)
    stream.close()
    return first


def read_json_rows(
    path: Path, field: str, sniffed: tuple[IO[bytes], str] | None = None
) -> Generator[tuple[int, Any]]:
    """The rows of a JSON Lines file (one JSON value a line; blank lines are skipped), or the
    items of a JSON array, with the line each is on (0 for an array's items).

    JSON Lines are read one line at a time (memory holds one row); an array is parsed whole,
    so it is at most :data:`MAX_ARRAY_BYTES`.  The file is opened once (a pipe is read
    whole); *sniffed* is what :func:`open_sniffed` returned for it, if the caller opened it.

    Raises:
        ConfigError: As :func:`read_lines`; a line that is not valid JSON (naming the line),
            or a mapping in it that gives a key twice (naming the key's path); an array that
            is not valid JSON or larger than :data:`MAX_ARRAY_BYTES`; more than
            :data:`MAX_STREAM_ROWS` rows.  The error's path is *field*.
    """
    rows = 0

    def one_more(line: int) -> None:
        nonlocal rows
        rows += 1
        if rows > MAX_STREAM_ROWS:
            where = f" (line {line} is one past the bound)" if line else ""
            raise ConfigError(
                f"{str(path)!r} has more than {MAX_STREAM_ROWS:,} rows{where}: split it",
                field,
            )

    stream, first = sniffed if sniffed is not None else open_sniffed(path, field)
    if first == "[":
        hint = ": an array is read whole; write one JSON value a line (JSON Lines) instead"
        with stream as f:
            if _stat_size(f) > MAX_ARRAY_BYTES:
                raise ConfigError(_too_large(path, MAX_ARRAY_BYTES, hint), field)
            data = f.read(MAX_ARRAY_BYTES + 1)
        if len(data) > MAX_ARRAY_BYTES:
            raise ConfigError(_too_large(path, MAX_ARRAY_BYTES, hint), field)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ConfigError(
                f"{str(path)!r} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
                f"{exc.start})",
                field,
            ) from None
        try:
            items = strict_json(text)
        except ConfigError as exc:
            raise ConfigError(f"{str(path)!r} at {exc}", field) from None
        except (ValueError, RecursionError) as exc:
            raise ConfigError(
                f"{str(path)!r} is not a valid JSON array: {json_error(exc)}", field
            ) from None
        if not isinstance(items, list):  # pragma: no cover - text starting with [ is a list
            raise ConfigError(f"{str(path)!r}: expected a JSON array", field)
        del data, text  # the items are what is left of the file
        for item in items:
            one_more(0)
            yield 0, item
        return
    lines = read_lines(path, field, stream)
    with contextlib.closing(lines):
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue  # blank lines (a trailing newline, say) hold no row
            one_more(number)
            try:
                value = strict_json(line.rstrip("\r\n"))  # an error's column is on this line
            except ConfigError as exc:
                raise ConfigError(f"{str(path)!r} line {number} at {exc}", field) from None
            except (ValueError, RecursionError) as exc:
                raise ConfigError(
                    f"{str(path)!r} line {number} is not valid JSON: {json_error(exc, line=False)}",
                    field,
                ) from None
            yield number, value
