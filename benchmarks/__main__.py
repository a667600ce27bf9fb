"""Run every benchmark module (``benchmarks/bench_*.py``) and print its figures.

``python -m benchmarks`` runs all of them; ``python -m benchmarks calendar rules`` runs the
named ones.  Each module exposes ``main() -> None``.
"""

from __future__ import annotations

import importlib
import pkgutil
import platform
import sys

import benchmarks


def main(argv: list[str]) -> int:
    names = sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules(benchmarks.__path__)
        if m.name.startswith("bench_")
    )
    wanted = argv or names
    unknown = [w for w in wanted if w not in names]
    if unknown:
        print(f"unknown benchmark(s) {unknown}; known: {names}", file=sys.stderr)
        return 2
    print(
        f"csflow benchmarks on {platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}; ratios are against csflow in the same run"
    )
    for name in wanted:
        module = importlib.import_module(f"benchmarks.bench_{name}")
        module.main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
