"""The public namespace: every public name is exported from ``csflow`` and documented."""

from __future__ import annotations

import importlib
import inspect
import pathlib
import pkgutil
import subprocess
import sys
from types import ModuleType

import csflow

# Modules whose names are public but live in their own namespace rather than ``csflow``'s.
_OWN_NAMESPACE = {"csflow.testing", "csflow.__main__", "csflow.cli"}


def _public_modules() -> list[ModuleType]:
    mods = []
    for info in pkgutil.iter_modules(csflow.__path__, "csflow."):
        leaf = info.name.rsplit(".", 1)[1]
        if leaf.startswith("_") or info.name in _OWN_NAMESPACE:
            continue
        mods.append(importlib.import_module(info.name))
    return mods


def test_every_module_has_an_explicit_all_and_a_docstring() -> None:
    for mod in _public_modules():
        assert isinstance(getattr(mod, "__all__", None), list), mod.__name__
        assert (mod.__doc__ or "").strip(), f"{mod.__name__} has no docstring"


def test_every_public_name_is_exported_from_csflow() -> None:
    missing = {
        f"{mod.__name__}.{name}"
        for mod in _public_modules()
        for name in mod.__all__
        if getattr(csflow, name, None) is not getattr(mod, name)
    }
    assert not missing, f"not exported from csflow: {sorted(missing)}"
    assert sorted(csflow.__all__) == sorted(set(csflow.__all__))
    for name in csflow.__all__:
        assert hasattr(csflow, name), name


def _members(obj: type) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    for name, member in vars(obj).items():
        if name.startswith("_"):
            continue
        if isinstance(member, (staticmethod, classmethod)):
            member = member.__func__
        if isinstance(member, property):
            member = member.fget
        if inspect.isfunction(member):
            out.append((name, member))
    return out


def test_every_public_name_and_method_is_documented() -> None:
    undocumented = []
    for name in csflow.__all__:
        obj = getattr(csflow, name)
        if name.isupper() or name.startswith("__") or not callable(obj):
            continue
        if not (inspect.getdoc(obj) or "").strip():
            undocumented.append(name)
        if inspect.isclass(obj):
            for member_name, member in _members(obj):
                if not (inspect.getdoc(member) or "").strip():
                    undocumented.append(f"{name}.{member_name}")
    assert not undocumented, f"undocumented: {undocumented}"


def test_package_ships_py_typed() -> None:
    assert (pathlib.Path(csflow.__file__).parent / "py.typed").exists()


def test_demo_runs_and_prints_the_lebaran_table() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "csflow", "demo"], capture_output=True, text=True, check=True
    )
    assert "Idul Fitri 1447 H" in done.stdout
    # Tue 17 Mar 15:30 + 8 business hours, over the closing, is Wed 25 Mar 15:30.
    assert "platinum  Tue 17 Mar 15:30 Tue 17 Mar 16:30     Wed 25 Mar 15:30" in done.stdout
