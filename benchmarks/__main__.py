"""Run every benchmark module (``benchmarks/bench_*.py``) and print its figures.

``python -m benchmarks`` runs all of them; ``python -m benchmarks calendar rules`` runs the
named ones.  Each module exposes ``main() -> None``.
"""

from __future__ import annotations

import importlib
import pkgutil
import platform
import sys
import timeit

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
    print(machine_speed())
    for name in wanted:
        module = importlib.import_module(f"benchmarks.bench_{name}")
        module.main()
    print()
    print(machine_speed())
    return 0


def machine_speed() -> str:
    """How fast the machine runs plain Python right now, to read absolute figures against.

    A shared machine's speed drifts (by half, on the one the targets were set on); a target
    in µs is read at the machine's usual speed, which this line gives at the start and the end
    of a run.
    """
    best = min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000
    return f"machine speed: sum(range(1000)) takes {best * 1e6:.1f} µs (best of 5)"


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
