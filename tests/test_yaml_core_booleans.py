"""Config files in YAML read booleans as YAML 1.2 (and JSON) do: only true and false.  YAML
1.1 read yes, no, on and off as booleans, so the language code ``no`` (Norwegian) or a tier
named ``on`` became False or True."""

from __future__ import annotations

import pathlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.cli.documents import read_data

WORDS_11 = [w for word in ("yes", "no", "on", "off", "y", "n") for w in (word, word.title(), word.upper())]  # fmt: skip
BOOLEANS = {
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
}


def _read(tmp: pathlib.Path, text: str) -> object:
    path = tmp / "desk.yaml"
    path.write_text(text, encoding="utf-8")
    data, _ = read_data(path)
    return data


def test_yaml_11_boolean_words_are_strings(tmp_path: pathlib.Path) -> None:
    text = "".join(f"k{i}: {w}\n" for i, w in enumerate(WORDS_11))
    text += "languages: [id, en, no]\ntiers: [{name: on}, {name: off}]\n"
    data = _read(tmp_path, text)
    assert isinstance(data, dict)
    assert [data[f"k{i}"] for i in range(len(WORDS_11))] == WORDS_11
    assert data["languages"] == ["id", "en", "no"]
    assert data["tiers"] == [{"name": "on"}, {"name": "off"}]


@settings(max_examples=30, deadline=None)
@given(word=st.sampled_from(sorted(BOOLEANS)), quoted=st.booleans())
def test_true_and_false_are_booleans_unless_quoted(word: str, quoted: bool) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        data = _read(pathlib.Path(tmp), f"flag: {repr(word) if quoted else word}\n")
    assert data == {"flag": word if quoted else BOOLEANS[word]}


@pytest.mark.parametrize(
    ("scalar", "value"), [("12", 12), ("1.5", 1.5), ("~", None), ("null", None), ("13:00", "13:00")]
)
def test_the_other_scalars_keep_their_reading(
    tmp_path: pathlib.Path, scalar: str, value: object
) -> None:
    assert _read(tmp_path, f"x: {scalar}\n") == {"x": value}
