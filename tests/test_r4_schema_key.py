"""The ``$schema`` key of a config file: what the JSON Schema says of it, the readers hold.

``docs/reference/cli.md`` promises that the schema "may be looser than ``csflow lint`` ...,
never stricter: every document ``lint`` accepts is valid against it".  The schema types the
editors' ``$schema`` key as a string; the readers must not take anything else in its place.
"""

from __future__ import annotations

import json
import pathlib
from typing import Any

import pytest

from csflow.cli import main
from csflow.cli.documents import load_document
from csflow.cli.schema import schema
from csflow.errors import ConfigError
from test_cli_review3 import _small, _valid, _write


@pytest.mark.parametrize("value", ["./csflow.schema.json", "https://example.com/s.json"])
def test_a_schema_location_is_read_and_valid(tmp_path: pathlib.Path, value: str) -> None:
    doc: dict[str, Any] = {"$schema": value, **_small()}
    load_document(_write(tmp_path, "c.json", doc))
    assert _valid(schema(), doc, schema())


@pytest.mark.parametrize("value", [3, None, True, ["./csflow.schema.json"], {"a": 1}])
def test_a_schema_key_that_is_not_a_string_is_refused_as_the_schema_refuses_it(
    tmp_path: pathlib.Path, value: object, capsys: pytest.CaptureFixture[str]
) -> None:
    doc: dict[str, Any] = {"$schema": value, **_small()}
    assert not _valid(schema(), doc, schema())
    path = _write(tmp_path, "c.json", doc)
    with pytest.raises(ConfigError) as caught:
        load_document(path)
    assert caught.value.path == "$schema"
    assert "expected a string" in str(caught.value)
    # The command line says so in one line, exit status 2, as for any bad field.
    assert main(["lint", path]) == 2
    err = capsys.readouterr().err
    assert err.startswith("csflow: error: $schema: expected a string")
    assert json.dumps(value) in err or repr(value) in err
