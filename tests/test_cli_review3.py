"""The command line against a third review's findings: negative seeds (the same runs as their
positive twins), a replayed state the desk cannot show, a schema stricter than the readers,
and files that start with a UTF-8 byte-order mark."""

from __future__ import annotations

import json
import pathlib
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.cli import main
from csflow.cli.documents import load_document
from csflow.cli.schema import schema
from csflow.desk.commands import AddAgent, Advance, Command, Submit
from csflow.errors import CalendarError

_ROOT = pathlib.Path(__file__).resolve().parents[1]
_SHIPPED = _ROOT / "examples" / "configs" / "csflow.schema.json"
T0 = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def _error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    status, out, err = _cli(capsys, *args)
    assert (status, out) == (2, ""), err
    assert err.count("\n") == 1, err
    assert "internal error" not in err
    return err


def _usage_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """A mistake argparse reports: one line, exit status 2."""
    with pytest.raises(SystemExit) as info:
        main(list(args))
    assert info.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1, err
    return err


def _write(tmp_path: pathlib.Path, name: str, text: str | dict[str, Any]) -> str:
    path = tmp_path / name
    path.write_text(text if isinstance(text, str) else json.dumps(text), encoding="utf-8")
    return str(path)


def _small() -> dict[str, Any]:
    return {
        "name": "small",
        "seed": 1,
        "desk": {"tiers": [{"name": "regular", "rank": 1}]},
        "simulation": {
            "start": "2026-01-05T08:00:00+07:00",
            "duration": "PT1H",
            "arrivals": {"rates": [["00:00", 40]], "channels": {"phone": 1}},
            "handle_time": {"default": "6m"},
            "agents": [
                {
                    "name": "a",
                    "count": 4,
                    "capacity": {"phone": 1},
                    "shifts": [{"start": 0, "end": "1h", "breaks": [["10m", "5m"]]}],
                }
            ],
        },
        "staffing": {
            "aht": "6m",
            "target": "20s",
            "level": 0.8,
            "interval": "30m",
            "shifts": [
                {
                    "name": "early",
                    "length": "2h",
                    "earliest": "07:00",
                    "latest": "08:00",
                    "breaks": [{"length": "30m", "earliest": "30m", "latest": "1h"}],
                }
            ],
            "verify": {"seeds": [1, 2], "abandonment": 0.1},
        },
    }


# 1. seeds are integers >= 0 on the command line too --------------------------------------------


@pytest.mark.parametrize(
    ("args", "flag", "value"),
    [
        (("--seed=-2", "--replications", "5"), "--seed", "-2"),
        (("--seed", "-2"), "--seed", "-2"),
        (("--seeds=-1,1",), "--seeds", "-1,1"),
        (("--seeds", "-1,1"), "--seeds", "-1,1"),
        (("--seeds", "1,-1"), "--seeds", "1,-1"),
    ],
)
def test_a_negative_seed_is_refused_as_the_files_seed_is(
    capsys: pytest.CaptureFixture[str],
    tmp_path: pathlib.Path,
    args: tuple[str, ...],
    flag: str,
    value: str,
) -> None:
    # random.Random(-s) is random.Random(s): seeds -2 .. 2 would be three runs averaged as five.
    cfg = _write(tmp_path, "c.json", _small())
    err = _usage_error(capsys, "simulate", cfg, *args)
    expected = "an integer >= 0" if flag == "--seed" else "seeds >= 0 such as 1,2,3"
    assert err.startswith(
        f"csflow simulate: error: argument {flag}: expected {expected}, got {value!r}"
    )


def test_negative_seeds_are_refused_by_staff_and_demo(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    cfg = _write(tmp_path, "c.json", _small())
    err = _usage_error(capsys, "staff", cfg, "--verify", "--seeds", "-1")
    assert "argument --seeds: expected seeds >= 0 such as 1,2,3, got '-1'" in err
    err = _usage_error(capsys, "demo", "--seed", "-1")
    assert "argument --seed: expected an integer >= 0, got '-1'" in err


def test_seed_zero_and_up_still_run(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    cfg = _write(tmp_path, "c.json", _small())
    status, out, _ = _cli(capsys, "simulate", cfg, "--seeds", "0,1", "--format", "json")
    assert status == 0
    assert [r["seed"] for r in json.loads(out)["runs"]] == [0, 1]


@pytest.mark.parametrize(
    ("seeds", "message"),
    [
        ([-1, 1], "expected a non-empty list of integer seeds >= 0, got [-1, 1]"),
        ([1, 1], "each seed once: 1 given twice would run the same simulation again"),
    ],
)
def test_the_verify_seeds_of_a_file_are_distinct_and_not_negative(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path, seeds: list[int], message: str
) -> None:
    doc = _small()
    doc["staffing"]["verify"]["seeds"] = seeds
    cfg = _write(tmp_path, "c.json", doc)
    assert _error(capsys, "lint", cfg) == (
        f"csflow: error: staffing.verify.seeds: {message} (in {cfg!r})\n"
    )


def test_staff_refuses_a_seed_given_twice(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    cfg = _write(tmp_path, "c.json", _small())
    err = _error(capsys, "staff", cfg, "--verify", "--seeds", "1,1")
    assert err == (
        "csflow: error: --seeds: each seed once: 1 given twice would run the same simulation "
        "again\n"
    )


@pytest.mark.parametrize("key", ["aht", "target", "interval"])
def test_a_null_staffing_duration_is_refused_not_an_internal_error(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path, key: str
) -> None:
    doc = _small()
    doc["staffing"][key] = None
    cfg = _write(tmp_path, "c.json", doc)
    assert _error(capsys, "lint", cfg).startswith(
        f"csflow: error: staffing.{key}: expected a duration such as 6m"
    )


def test_a_null_staffing_patience_is_erlang_c(tmp_path: pathlib.Path) -> None:
    doc = _small()
    doc["staffing"]["patience"] = None
    load_document(_write(tmp_path, "c.json", doc))


# 2. a replayed state the desk cannot show names the file and the journal line ------------------

_DESK = {
    "tiers": [{"name": "regular", "rank": 1}],
    "calendars": {"24x7": {"timezone": "Asia/Jakarta", "always_open": True}},
    "sla_policies": [
        {
            "name": "chat",
            "calendar": "24x7",
            "targets": {"first_response": "PT15M", "resolution": "PT4H"},
        }
    ],
    "default_sla_policy": "chat",
}


def _replay_files(tmp_path: pathlib.Path, journal: Sequence[Command]) -> tuple[str, str, str]:
    cfg = _write(tmp_path, "desk.json", {"desk": _DESK})
    desk = Desk(DeskConfig.from_dict(_DESK))
    desk.submit(Ticket("T-1", Customer("C1", Tier("regular", 1)), "chat", T0), at=T0)
    snap = _write(tmp_path, "snap.json", desk.snapshot())
    # A blank line first: the journal's lines are not its entries' indexes.
    text = "\n" + "".join(json.dumps(c.to_dict()) + "\n" for c in journal)
    return cfg, snap, _write(tmp_path, "journal.jsonl", text)


def test_a_state_centuries_later_is_shown_and_an_unshowable_one_names_its_entry(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    far = datetime(2330, 1, 1, tzinfo=UTC)
    journal: list[Command] = [
        Submit(
            Ticket("T-2", Customer("C2", Tier("regular", 1)), "chat", T0 + timedelta(minutes=1)),
            at=T0 + timedelta(minutes=1),
        ),
        Advance(at=far),
        AddAgent(AgentProfile("sari", capacity={"chat": 1}), at=far),  # moves no clock
    ]
    cfg, snap, path = _replay_files(tmp_path, journal)
    # Clocks that ran for three centuries are counted (in pieces) and shown.
    status, out, err = _cli(capsys, "replay", cfg, "--snapshot", snap, "--journal", path)
    assert status == 0, err
    assert "2330-01-01" in out

    def refuse(self: Desk, ticket_id: str, at: datetime | None = None) -> Any:
        raise CalendarError("no such span")

    monkeypatch.setattr(Desk, "clocks", refuse)
    err = _error(capsys, "replay", cfg, "--snapshot", snap, "--journal", path)
    assert err.startswith(
        f"csflow: error: journal[1].at ({path!r} line 3): the desk's state at "
        "2330-01-01T00:00:00+00:00 cannot be shown: no such span"
    ), err


def test_a_snapshot_whose_state_cannot_be_shown_is_named(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg, snap, path = _replay_files(tmp_path, [])

    def refuse(self: Desk, ticket_id: str, at: datetime | None = None) -> Any:
        raise CalendarError("no such span")

    monkeypatch.setattr(Desk, "clocks", refuse)
    for journal in ((), ("--journal", path)):  # an empty journal moves no clock either
        err = _error(capsys, "replay", cfg, "--snapshot", snap, *journal)
        assert err == (
            f"csflow: error: snapshot.at ({snap!r}): the desk's state at "
            "2026-03-16T02:00:00+00:00 cannot be shown: no such span\n"
        )


# 3. the schema accepts every document the readers accept ---------------------------------------

# Annotations, and the keywords _valid checks: a keyword outside both fails the test, so that
# the schema never uses one this small validator would silently ignore.
_ANNOTATIONS = frozenset({"$schema", "$id", "title", "description", "format", "$defs"})


def _valid(node: dict[str, Any], value: Any, root: dict[str, Any]) -> bool:
    """*value* against the JSON Schema (draft 2020-12) *node*, for the keywords the config
    schema uses (jsonschema is not a dependency of csflow)."""
    for key, arg in node.items():
        if key in _ANNOTATIONS:
            continue
        if not _keyword(key, arg, node, value, root):
            return False
    return True


def _is(kind: str, value: Any) -> bool:
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return {
        "null": value is None,
        "boolean": isinstance(value, bool),
        "integer": number and float(value).is_integer(),
        "number": number,
        "string": isinstance(value, str),
        "array": isinstance(value, list),
        "object": isinstance(value, dict),
    }[kind]


def _keyword(key: str, arg: Any, node: dict[str, Any], value: Any, root: dict[str, Any]) -> bool:
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if key == "$ref":
        assert arg.startswith("#/$defs/")
        return _valid(root["$defs"][arg.removeprefix("#/$defs/")], value, root)
    if key == "type":
        return any(_is(k, value) for k in ([arg] if isinstance(arg, str) else arg))
    if key == "anyOf":
        return any(_valid(sub, value, root) for sub in arg)
    if key == "not":
        return not _valid(arg, value, root)
    if key == "enum":
        return any(value == v and isinstance(value, bool) == isinstance(v, bool) for v in arg)
    if key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if not number:
            return True
        x, bound = float(value), float(arg)
        return {
            "minimum": x >= bound,
            "maximum": x <= bound,
            "exclusiveMinimum": x > bound,
            "exclusiveMaximum": x < bound,
        }[key]
    if key == "pattern":
        return not isinstance(value, str) or re.search(arg, value) is not None
    if key == "minLength":
        return not isinstance(value, str) or len(value) >= int(arg)
    if key in ("minItems", "maxItems", "uniqueItems"):
        if not isinstance(value, list):
            return True
        if key == "uniqueItems":
            return arg is False or len({json.dumps(v) for v in value}) == len(value)
        return len(value) >= int(arg) if key == "minItems" else len(value) <= int(arg)
    if key == "prefixItems":
        return not isinstance(value, list) or all(
            _valid(sub, v, root) for sub, v in zip(arg, value, strict=False)
        )
    if key == "items":
        if not isinstance(value, list):
            return True
        return all(_valid(arg, v, root) for v in value[len(node.get("prefixItems", ())) :])
    if not isinstance(value, dict):
        assert key in (
            "properties",
            "patternProperties",
            "additionalProperties",
            "required",
            "minProperties",
            "maxProperties",
        ), key
        return True
    if key == "properties":
        return all(_valid(sub, value[k], root) for k, sub in arg.items() if k in value)
    if key == "patternProperties":
        return all(
            _valid(sub, v, root)
            for pattern, sub in arg.items()
            for k, v in value.items()
            if re.search(pattern, k)
        )
    if key == "additionalProperties":
        patterns = node.get("patternProperties", {})
        rest = [
            v
            for k, v in value.items()
            if k not in node.get("properties", {}) and not any(re.search(p, k) for p in patterns)
        ]
        return all(arg is not False and (arg is True or _valid(arg, v, root)) for v in rest)
    if key == "required":
        return all(k in value for k in arg)
    if key == "minProperties":
        return len(value) >= int(arg)
    if key == "maxProperties":
        return len(value) <= int(arg)
    raise AssertionError(f"a keyword the test's validator does not know: {key}")


def _group(d: dict[str, Any]) -> dict[str, Any]:
    group: dict[str, Any] = d["simulation"]["agents"][0]
    return group


def _template(d: dict[str, Any]) -> dict[str, Any]:
    template: dict[str, Any] = d["staffing"]["shifts"][0]
    return template


#: Documents the readers (csflow lint) accept, each a change to _small().
_ACCEPTED: dict[str, Any] = {
    "shift end null": lambda d: _group(d)["shifts"][0].update(end=None),
    "mix as pairs": lambda d: d["simulation"]["arrivals"].update(channels=[["phone", 1]]),
    "rate at in seconds": lambda d: d["simulation"]["arrivals"].update(
        rates=[{"at": 0, "per_hour": 40}]
    ),
    "peak ' x2'": lambda d: d["simulation"].update(peak=" x2"),
    "peak 'x2 '": lambda d: d["simulation"].update(peak="x2 "),
    "peak 'x 2'": lambda d: d["simulation"].update(peak="x 2"),
    "peak '\\x1cx2'": lambda d: d["simulation"].update(peak="\x1cx2"),
    "staffing peak '2.5'": lambda d: d["staffing"].update(peak="2.5"),
    "staffing peak ' x2'": lambda d: d["staffing"].update(peak=" x2"),
    "staffing patience null": lambda d: d["staffing"].update(patience=None),
    "duration 'pt1h'": lambda d: d["simulation"].update(duration="pt1h"),
    "duration '3600 '": lambda d: d["simulation"].update(duration="3600 "),
    "duration '\\x85PT1H'": lambda d: d["simulation"].update(duration="\x85PT1H"),
    "template latest null": lambda d: _template(d).update(latest=None),
    "template cost null": lambda d: _template(d).update(cost=None),
    "break latest null": lambda d: _template(d)["breaks"][0].update(latest=None),
    "break window as H:MM": lambda d: _template(d)["breaks"][0].update(
        earliest="0:30", latest="01:00"
    ),
    "survey_delay null": lambda d: d["desk"].update(survey_delay=None),
}


@pytest.mark.parametrize("name", sorted(_ACCEPTED))
def test_the_schema_accepts_what_the_readers_accept(tmp_path: pathlib.Path, name: str) -> None:
    doc = _small()
    _ACCEPTED[name](doc)
    load_document(_write(tmp_path, "c.json", doc))  # the readers take it
    assert _valid(schema(), doc, schema())
    shipped = json.loads(_SHIPPED.read_text(encoding="utf-8"))
    assert _valid(shipped, doc, shipped)


#: Documents the schema refuses (and the readers too), each a change to _small().
_REFUSED: dict[str, Any] = {
    "peak 'bogus'": lambda d: d["simulation"].update(peak="bogus"),
    "peak 11.11 (a name unquoted)": lambda d: d["simulation"].update(peak=11.11),
    "duration '6 minuets later'": lambda d: d["simulation"].update(duration="6 minuets later"),
    "a mix pair without its weight": lambda d: d["simulation"]["arrivals"].update(
        channels=[["phone"]]
    ),
    "verify seeds [-1]": lambda d: d["staffing"]["verify"].update(seeds=[-1]),
    "verify seeds [1, 1]": lambda d: d["staffing"]["verify"].update(seeds=[1, 1]),
    "seed -1": lambda d: d.update(seed=-1),
    "an unknown top key": lambda d: d.update(tierz=1),
}


@pytest.mark.parametrize("name", sorted(_REFUSED))
def test_the_schema_still_refuses_what_nobody_means(name: str) -> None:
    base = _small()
    assert _valid(schema(), base, schema())
    _REFUSED[name](base)
    assert not _valid(schema(), base, schema())


# 4. a UTF-8 byte-order mark is skipped in every file the command line reads --------------------

_BOM = "\ufeff"


def test_config_files_with_a_byte_order_mark_are_read(tmp_path: pathlib.Path) -> None:
    import yaml

    doc = _small()
    texts = {
        "c.json": json.dumps(doc),
        "c.yaml": yaml.safe_dump(doc),
        "c.toml": '[simulation]\nstart = "2026-01-05T08:00:00+07:00"\nduration = "1h"\n'
        '[simulation.arrivals]\nrates = [["00:00", 40]]\n',
    }
    for name, text in texts.items():
        plain = load_document(_write(tmp_path, name, text))
        marked = load_document(_write(tmp_path, name, _BOM + text))
        assert marked.data == plain.data, name
        assert marked.text == text, name


def test_snapshots_and_journals_with_a_byte_order_mark_are_read(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    at = T0 + timedelta(minutes=1)
    journal = [Advance(at=at)]
    cfg, snap, path = _replay_files(tmp_path, journal)
    status, plain, _ = _cli(capsys, "replay", cfg, "--snapshot", snap, "--journal", path)
    assert status == 0
    for name, text in (
        ("snap.json", pathlib.Path(snap).read_text(encoding="utf-8")),
        ("journal.jsonl", pathlib.Path(path).read_text(encoding="utf-8")),
    ):
        _write(tmp_path, name, _BOM + text)
    assert _cli(capsys, "replay", cfg, "--snapshot", snap, "--journal", path) == (0, plain, "")
    # A JSON array after the mark is still read as an array, not as JSON Lines.
    array = _write(tmp_path, "journal.json", _BOM + json.dumps([c.to_dict() for c in journal]))
    assert _cli(capsys, "replay", cfg, "--snapshot", snap, "--journal", array) == (0, plain, "")


def test_lint_and_simulate_refuse_an_escalation_to_a_team_the_desk_lacks(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What the run would refuse is found before any run, by lint as by simulate."""
    doc = {
        "desk": {"tiers": [{"name": "regular", "rank": 1}]},
        "simulation": {
            "start": "2026-01-05T08:00:00+07:00",
            "duration": "PT1H",
            "arrivals": {
                "rates": [["00:00", 40]],
                "channels": {"phone": 1},
                "categories": {"refund": 1},
            },
            "handle_time": {"default": "6m"},
            "agents": [{"name": "a", "count": 4, "capacity": {"phone": 1}}],
            "escalations": [{"category": "refund", "team": "finance", "probability": 0.5}],
        },
    }
    cfg = tmp_path / "esc.json"
    cfg.write_text(json.dumps(doc))
    err = _error(capsys, "simulate", str(cfg))
    assert "simulation.escalations[0].team" in err
    assert "'finance'" in err
    # lint lists it among its findings, as an error (exit status 1).
    status, out, _ = _cli(capsys, "lint", str(cfg))
    assert status == 1
    line = next(x for x in out.splitlines() if "simulation.escalations[0].team" in x)
    assert "error" in line
    assert "'finance'" in line
