"""Every example in a docstring of csflow runs and shows what it says (the API reference
renders them, so readers copy them)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import csflow

MODULES = sorted(m.name for m in pkgutil.walk_packages(csflow.__path__, "csflow."))


@pytest.mark.parametrize("name", MODULES)
def test_the_examples_of_a_module_run_as_written(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, report=False, raise_on_error=False, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed"


def test_the_examples_are_many() -> None:
    # A walk that found no module, or modules without examples, would pass the test above.
    finder = doctest.DocTestFinder()
    examples = sum(
        len(t.examples) for name in MODULES for t in finder.find(importlib.import_module(name))
    )
    assert len(MODULES) > 80
    assert examples > 100
