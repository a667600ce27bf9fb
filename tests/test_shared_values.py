"""Values that share their parts: bounded messages, bounded YAML documents.

A YAML file of a few hundred bytes can nest aliases (``&a1 [*a0, *a0, ...]``) so that the
value it reads as has billions of parts, all one shared list in memory.  The builtin repr of
such a value never ends, so an error message naming it (``count must be an int, got ...``)
must not build it, and the CLI refuses such a document before anything walks it.
"""

from __future__ import annotations

import pathlib
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csflow._text import parts_within, show
from csflow.cli import main
from csflow.cli.documents import MAX_YAML_VALUES, _yaml
from csflow.errors import ConfigError


def bomb(depth: int, width: int = 9) -> list[object]:
    """A list of *width* copies of a list of *width* copies ... *depth* levels deep: about
    width**depth parts, width * depth objects."""
    value: list[object] = ["x"]
    for _ in range(depth):
        value = [value] * width
    return value


def yaml_bomb(depth: int, width: int = 9) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for d in range(1, depth + 1):
        refs = ", ".join([f"*a{d - 1}"] * width)
        lines.append(f"a{d}: &a{d} [{refs}]")
    return "\n".join(lines) + "\n"


def test_a_value_of_billions_of_shared_parts_is_shown_abbreviated_at_once() -> None:
    value = bomb(12)  # 9**12 = 282 billion parts
    began = time.perf_counter()
    shown = show(value)
    assert time.perf_counter() - began < 1.0
    assert shown.startswith("[[[")
    assert shown.endswith("(a list of more than 2,000 parts)")
    assert len(shown) < 500


@given(
    st.recursive(
        st.none() | st.integers() | st.text(max_size=5),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(st.text(max_size=3), inner, max_size=4)
            | st.tuples(inner, inner)
        ),
        max_leaves=60,
    )
)
def test_a_small_value_is_shown_as_its_builtin_repr(value: object) -> None:
    # A value of at most 2,000 parts is shown exactly as repr shows it (when that is short).
    text = repr(value)
    if len(text) <= 400:
        assert show(value) == text


@given(depth=st.integers(0, 6), width=st.integers(1, 6), budget=st.integers(1, 3000))
def test_parts_within_counts_shared_parts_each_time(depth: int, width: int, budget: int) -> None:
    # 1 + w + w**2 + ... + w**depth containers, and w**depth leaves.
    parts = sum(width**k for k in range(depth + 1)) + width**depth
    got = parts_within(bomb(depth, width), budget)
    assert got == (parts if parts <= budget else None)


def test_a_yaml_file_whose_aliases_multiply_is_refused_quickly() -> None:
    text = yaml_bomb(8)  # about 300 bytes; 43 million values once expanded
    began = time.perf_counter()
    with pytest.raises(ConfigError, match=r"aliases expand to more than [\d,]+ values"):
        _yaml(text)
    assert time.perf_counter() - began < 1.0


def test_yaml_aliases_a_config_uses_are_read() -> None:
    # Anchors and merge keys as a config uses them: well within the budget.
    text = "base: &shift {start: '08:00', length: 8h}\nshifts:\n" + "".join(
        f"  - {{<<: *shift, name: s{i}}}\n" for i in range(200)
    )
    data = _yaml(text)
    assert len(data["shifts"]) == 200
    assert data["shifts"][7] == {"start": "08:00", "length": "8h", "name": "s7"}
    assert MAX_YAML_VALUES == 1_000_000


def test_the_cli_names_the_bomb_in_one_line(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(yaml_bomb(8) + "simulation:\n  agents:\n    - {name: a, count: *a8}\n")
    for command in ("simulate", "lint"):
        assert main([command, str(path)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1
        assert "aliases expand to more than" in err
