"""Mutation score of one csflow module on a seeded sample of its mutants (``make mutation``).

mutmut 3 generates every mutant of the files named in ``--mutate``; this script picks
``--sample`` of them with ``random.Random(--seed)`` (from the sorted list of names, so the pick
depends only on the source and the seed), has mutmut run the tests named in ``--tests`` against
each picked mutant, and prints::

    score = (killed + timeout) / (sampled - equivalent)

where *equivalent* counts the sampled survivors listed in ``--equivalent`` (one mutant name
and a one-line reason per line: a mutant no test can kill because the program behaves the same).
Everything happens in a scratch copy under ``--workdir``; the checkout is never touched.
Afterwards ``cd <workdir> && mutmut show <name>`` prints the diff of any mutant.

Mutant names number the mutations of each function, so they hold for the source they were made
from: after an edit to a module, re-check that module's entries in the equivalent list.

Run from the repository root with the venv's Python::

    python tools/mutation_sample.py --mutate src/csflow/rules --tests 'tests/test_rules*.py' \
        --sample 80 --seed 1
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

# mutmut's exit-code classes (mutmut.stats.status_by_exit_code), folded into the table's columns.
_KILLED = {1, 3, 37}
_TIMEOUT = {36, -24, 24, 152, 255, -9, -11}

# Generation only: the first steps of ``mutmut run``, so the names exist before the pick.
_GENERATE = """
import os
from mutmut.__main__ import (copy_also_copy_files, copy_src_dir, create_mutants,
    setup_source_paths)
os.makedirs("mutants", exist_ok=True)
copy_src_dir()
copy_also_copy_files()
setup_source_paths()
create_mutants(1)
"""


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")


def _python_files(paths: list[str]) -> list[str]:
    files: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            files.extend(sorted(str(p) for p in Path(path).rglob("*.py")))
        else:
            files.append(path)
    return files


def _test_files(patterns: list[str]) -> list[str]:
    files: list[str] = []
    for pattern in patterns:
        matched = sorted(glob.glob(pattern)) or [pattern]
        files.extend(f for f in matched if f not in files)
    return files


def _equivalents(path: str) -> dict[str, str]:
    table: dict[str, str] = {}
    if not os.path.exists(path):
        return table
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                name, _, reason = line.partition(" ")
                table[name] = reason.strip()
    return table


def _mutmut_config(mutate: list[str], tests: list[str], profile: str) -> str:
    pytest_args = ["-p", "no:cacheprovider", f"--hypothesis-profile={profile}"]
    if profile == "dev":
        # The dev profile draws at random; a fixed seed makes every mutant see the same examples.
        pytest_args.append("--hypothesis-seed=0")
    return (
        "\n[tool.mutmut]\n"
        'source_paths = ["src"]\n'
        f"only_mutate = {json.dumps(mutate)}\n"
        f"pytest_add_cli_args = {json.dumps(pytest_args)}\n"
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}\n"
    )


def _exit_codes(workdir: Path, mutate: list[str]) -> dict[str, int | None]:
    codes: dict[str, int | None] = {}
    for path in mutate:
        with open(workdir / "mutants" / (path + ".meta"), encoding="utf-8") as f:
            codes.update(json.load(f)["exit_code_by_key"])
    return codes


def main(argv: list[str] | None = None) -> int:
    """Run the sample and print the table row; 0 when the score reaches ``--min-score``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutate", nargs="+", required=True, help="files or packages to mutate")
    parser.add_argument("--tests", nargs="+", required=True, help="test files or globs to run")
    parser.add_argument("--sample", type=int, default=0, help="mutants to run (0: all)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", default="build/mutation")
    parser.add_argument("--equivalent", default="tools/mutation_equivalent.txt")
    parser.add_argument(
        "--profile", default="mutation", help="Hypothesis profile for the mutant runs"
    )
    parser.add_argument("--max-children", type=int, default=1)
    parser.add_argument(
        "--resume",
        action="store_true",
        help="reuse --workdir (same source, tests only added): rerun the sampled mutants not killed",
    )
    parser.add_argument("--min-score", type=float, default=0.0, help="percent; else exit 1")
    args = parser.parse_args(argv)

    mutate = _python_files(args.mutate)
    tests = _test_files(args.tests)
    equivalent = _equivalents(args.equivalent)
    workdir = Path(args.workdir)
    mutmut = str(Path(sys.executable).parent / "mutmut")

    if args.resume and (workdir / "mutants").is_dir():
        # Same source, more tests: copy the tests again and rerun only what was not killed (a
        # mutant killed by fewer tests stays killed by more).  A new test selection makes
        # mutmut forget its verdicts, so the earlier ones are kept here.
        for target in (workdir / "tests", workdir / "mutants" / "tests"):
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree("tests", target, ignore=shutil.ignore_patterns("__pycache__"))
        for target in (workdir / "pyproject.toml", workdir / "mutants" / "pyproject.toml"):
            shutil.copy("pyproject.toml", target)
            with open(target, "a", encoding="utf-8") as f:
                f.write(_mutmut_config(mutate, tests, args.profile))
    else:
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
        shutil.copytree("src", workdir / "src", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree("tests", workdir / "tests", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy("pyproject.toml", workdir / "pyproject.toml")
        with open(workdir / "pyproject.toml", "a", encoding="utf-8") as f:
            f.write(_mutmut_config(mutate, tests, args.profile))
        subprocess.run(
            [sys.executable, "-c", _GENERATE], cwd=workdir, check=True, stdout=subprocess.DEVNULL
        )
    before = _exit_codes(workdir, mutate)
    kept = workdir / "sample-results.json"
    if args.resume and kept.exists():
        before.update(json.loads(kept.read_text(encoding="utf-8")))
    names = sorted(before)
    picked = (
        sorted(random.Random(args.seed).sample(names, args.sample))
        if 0 < args.sample < len(names)
        else names
    )
    to_run = [n for n in picked if before[n] not in _KILLED | _TIMEOUT]
    if to_run:
        subprocess.run(
            [mutmut, "run", "--max-children", str(args.max_children), *to_run],
            cwd=workdir,
            check=True,
        )

    after = _exit_codes(workdir, mutate)
    codes = {n: after[n] if n in to_run else before[n] for n in picked}
    kept.write_text(json.dumps(codes, indent=1), encoding="utf-8")
    killed = [n for n in picked if codes[n] in _KILLED]
    timeout = [n for n in picked if codes[n] in _TIMEOUT]
    rest = [n for n in picked if n not in killed and n not in timeout]
    equiv = [n for n in rest if n in equivalent]
    survived = [n for n in rest if n not in equivalent]
    denominator = len(picked) - len(equiv)
    score = 100.0 * (len(killed) + len(timeout)) / denominator if denominator else 100.0

    _say("")
    _say(
        f"mutants: {len(names)} generated in {' '.join(args.mutate)}; sample {len(picked)} (seed {args.seed})"
    )
    for name in survived:
        _say(f"  survived: {name} (exit code {codes[name]})")
    for name in equiv:
        _say(f"  equivalent: {name}: {equivalent[name]}")
    _say(
        f"killed {len(killed)}  timeout {len(timeout)}  survived {len(survived)}  "
        f"equivalent {len(equiv)}  score {score:.1f} %"
    )
    _say(f"diffs: cd {workdir} && {mutmut} show <name>")
    return 0 if score >= args.min_score else 1


if __name__ == "__main__":
    sys.exit(main())
