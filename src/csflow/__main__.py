"""Command-line entry point: ``python -m csflow demo``."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run the csflow command line; returns the exit status."""
    args = sys.argv[1:] if argv is None else argv
    print(f"csflow: nothing to run yet ({args!r})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
