"""A simulation's document and an escalation graph's refuse text UTF-8 cannot write, and
name a document's key in a short, printable path."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from csflow import samples
from csflow.errors import ConfigError, CsflowError
from csflow.routing import EscalationGraph
from csflow.sim.scenario import SimConfig
from test_l1_config_text import Path, _strings

SIM = json.loads(json.dumps(samples.demo_simulation_data()))


def _path(path: Path) -> str:
    out = "simulation"
    for p in path:
        out = f"{out}[{p}]" if isinstance(p, int) else f"{out}.{p}"
    return out


@pytest.mark.parametrize(("kind", "path", "text"), list(_strings(SIM)))
def test_a_lone_surrogate_in_a_simulation_document_is_refused_at_its_path(
    kind: str, path: Path, text: str
) -> None:
    doc: Any = copy.deepcopy(SIM)
    node = doc
    for p in path if kind == "key" else path[:-1]:
        node = node[p]
    if kind == "key":
        node[text + "\ud800"] = node.pop(text)
    else:
        node[path[-1]] = text + "\ud800"
    with pytest.raises(CsflowError) as info:
        SimConfig.from_dict(doc)
    assert isinstance(info.value, ConfigError)
    if path or kind == "value":
        assert info.value.path == _path(path)
    str(info.value).encode()


@pytest.mark.parametrize("key", ["k" * 1_000_000, "a\x1b[31m", "a\nb", "x\ud800"])
def test_an_edge_from_a_hostile_key_gives_a_short_printable_error(key: str) -> None:
    with pytest.raises(ConfigError) as info:
        EscalationGraph.from_dict({"teams": ["a", "b"], "entry": ["a"], "edges": {key: ["b"]}})
    text = str(info.value)
    assert len(text) < 1000
    assert text.isprintable()
    text.encode()
