"""A config file is read within :data:`MAX_DOCUMENT_BYTES`: past it, one typed error at once,
whatever the format and however the file would parse, and no more than that is read (a file
that never ends, such as ``/dev/zero``, is refused too)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from csflow import ConfigError
from csflow.cli import documents
from csflow.cli.documents import MAX_DOCUMENT_BYTES, load_document


def test_the_bound_is_eight_mebibytes() -> None:
    assert MAX_DOCUMENT_BYTES == 8 * 2**20


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".toml"])
def test_a_file_at_the_bound_is_read_and_one_past_it_is_refused(
    tmp_path: Path, suffix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(documents, "MAX_DOCUMENT_BYTES", 4096)
    body = {".json": '{"name": "x"}', ".yaml": "name: x\n", ".toml": 'name = "x"\n'}[suffix]
    fits = tmp_path / f"fits{suffix}"
    fits.write_bytes(body.encode() + b" " * (4096 - len(body)))  # trailing blanks: still valid
    assert load_document(fits).name == "x"
    over = tmp_path / f"over{suffix}"
    over.write_bytes(body.encode() + b" " * (4097 - len(body)))
    with pytest.raises(ConfigError) as info:
        load_document(over)
    assert info.value.path == "CONFIG"
    assert str(info.value) == (
        f"CONFIG: {str(over)!r} is larger than 4,096 bytes (MAX_DOCUMENT_BYTES); "
        "expected a config file"
    )


def test_a_large_document_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    """A 9 MiB JSON document (a name of 9 million characters) is refused by its size."""
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"name": "x" * (9 * 2**20)}), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"is larger than 8,388,608 bytes"):
        load_document(path)


def test_a_file_that_never_ends_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "endless.yaml"
    link.symlink_to("/dev/zero")
    started = time.perf_counter()
    with pytest.raises(ConfigError, match=r"is larger than 8,388,608 bytes"):
        load_document(link)
    assert time.perf_counter() - started < 10
